"""Every page is drawn from a Jinja2 template with autoescaping (autograder/views/pages.py): what a
student wrote -- their code, their written answers, a name, a message built from their output --
is text in the page, never markup, and every page carries the one Content-Security-Policy."""
from __future__ import annotations

from html.parser import HTMLParser

from autograder.course import results
from autograder.course.results import CellReport, Outcome, Status, SubmissionResult
from autograder.views import class_report, feedback, pages
from helpers import make_submission

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)><b>x</b>&amp;"


class Page(HTMLParser):
    def __init__(self, text: str):
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text = ""
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data):
        self.text += data


def check(text: str, times: int = 1) -> Page:
    page = Page(text)
    assert "script" not in page.tags
    assert not any(name.startswith("on") for name, _ in page.attributes)
    assert page.text.count(HOSTILE) >= times, "the student's text is shown as they wrote it"
    assert pages.CSP in text.replace("&#39;", "'")
    return page


def test_student_text_is_text_in_the_feedback_pages(tmp_path):
    notebook = make_submission("ps1_derivatives", tmp_path / "n.ipynb",
                               {"f": f"def f(x):\n    return x ** 3 - 2 * x   # {HOSTILE}\n"})
    tests = [results.TestResult("f", HOSTILE, 0.0, 1.0, Outcome.FAILED, message=HOSTILE),
             results.TestResult("f", "ok", 1.0, 1.0, Outcome.PASSED)]
    result = SubmissionResult(str(notebook), "ps1_derivatives", Status.GRADED, tests, max_score=2.0,
                              cells=[CellReport(0, None, "error", HOSTILE)])
    page = check(feedback.render(result, HOSTILE, notebook), times=3)   # the title, the heading, the code ...
    bold = [tag for tag in page.tags if tag == "b"]
    assert len(bold) == 1   # the page's own (the total), none from the student
    check(feedback.plain(result, HOSTILE), times=2)
    failed = SubmissionResult(str(notebook), "ps1_derivatives", Status.ERROR, error=HOSTILE, max_score=2.0)
    check(feedback.render(failed, "alice"))


def test_student_ids_and_errors_are_text_in_the_class_report():
    graded = SubmissionResult("a.ipynb", "ps1_derivatives", Status.GRADED,
                              [results.TestResult("f", HOSTILE, 0.0, 1.0, Outcome.FAILED, message=HOSTILE)], max_score=1.0)
    failed = SubmissionResult("b.ipynb", "ps1_derivatives", Status.ERROR, error=HOSTILE, max_score=1.0)
    report = class_report.ClassReport("ps1_derivatives", {HOSTILE: failed, "alice": graded}, ["f"], 1.0)
    page = Page(report.html([HOSTILE + ".csv"]))
    assert "script" not in page.tags and "b" in page.tags   # the page's own <b> (the mean)
    assert not any(name.startswith("on") for name, _ in page.attributes)
    assert HOSTILE in page.text
    assert ("href", HOSTILE + ".csv") in page.attributes
