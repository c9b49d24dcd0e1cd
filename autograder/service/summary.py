"""A line per graded function, as the JupyterLab panel shows it above the feedback page: the
points and, for a function that lost some, its one-line cause, so that the panel says what is
wrong before the page is opened. Causes come from the same place as the page's (present.py)."""
from __future__ import annotations

from autograder.course.results import SubmissionResult
from autograder.views import present

NOT_WRITTEN = "还没有实现（函数里仍然是 raise NotImplementedError()）"
LONGEST = 160


def summary(result: SubmissionResult) -> list[dict]:
    """[{function, score, max_score, cause}] in notebook order; `cause` is None for full marks.
    Give it what the student may see (server.student_view): a folded test has no cause to tell."""
    return [{"function": report.grade_id, "score": report.score, "max_score": report.max_score,
             "cause": cause(report)} for report in present.functions(result)]


def cause(report: present.FunctionReport) -> str | None:
    if not report.failed:
        return None
    if report.not_written:
        return NOT_WRITTEN
    if report.cause:
        return first_line(report.cause.text)
    for line in report.failed:
        if line.test.diagnosis:
            return first_line(line.test.diagnosis.text)
    test = report.failed[0].test   # no diagnosed mistake: what the first failed check says
    return first_line(test.output) if test.output.strip() else test.what


def first_line(text: str) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= LONGEST else line[:LONGEST - 1] + "…"
