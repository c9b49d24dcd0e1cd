"""Feedback for a student as one standalone HTML page.

Per graded function, drawn from present.py like every other view of a result: its points, the
cause of its failures said once, the checks that failed with what each says, a figure where a
picture says more than text (autograder/views/figures.py: the student's function on the notebook's demo
inputs beside the reference), and the student's own code, highlighted. Then problems running the
notebook and the written answers.

Built only from the result (which never holds hidden test code or hidden expected values) and
the student's own cells. The page is self-contained (figures are embedded SVGs, no script, no
external file) and forbids everything else by its Content-Security-Policy: the student's code and
messages are text in it, never markup (views/pages.py, templates/feedback.html).
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from autograder.course.notebook import Cell, NotebookError, read_notebook
from autograder.course.results import SubmissionResult
from autograder.views import figures, pages
from autograder.views import present
from autograder.views.messages import assignment_title

# The page shows the student's text, whose size the student chooses (up to the upload limit and
# beyond); what it shows is bounded, so drawing it costs the same for a 5 MB notebook as for a
# normal one (pygments alone needs about 3 s a megabyte, and more on some inputs).
SHOWN_CHARS = 10_000        # of one cell's code or written answer
SHOWN_LINES = 200           # of one cell's code (pygments' Python lexer is quadratic on blank lines)
SHOWN_CELLS = 3             # cells shown per function (its answer cell first)
SHOWN_PROBLEMS = 50         # cells that did not run, listed

STYLE = """
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", system-ui, sans-serif; max-width: 66rem; margin: 2rem auto;
       padding: 0 1rem; color: #1f2328; line-height: 1.55; }
h1 { font-size: 1.5rem; margin-bottom: .3rem; } h2 { font-size: 1.2rem; margin: 0 0 .6rem; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
.total { font-size: 1.1rem; }
table { border-collapse: collapse; } td, th { padding: .3rem .7rem; border-bottom: 1px solid #d0d7de;
       text-align: left; vertical-align: top; }
td.points, th { white-space: nowrap; }
.pass { color: #1a7f37; } .fail { color: #cf222e; }
.note { background: #fff8c5; border-left: 4px solid #d4a72c; padding: .5rem .8rem; margin: .6rem 0; }
.cause { background: #ffebe9; border-left: 4px solid #cf222e; padding: .5rem .8rem; margin: .6rem 0; }
section.function { border: 1px solid #d0d7de; border-radius: 8px; padding: 1rem 1.2rem; margin: 1.2rem 0; }
section.function.full { border-left: 6px solid #1a7f37; } section.function.lost { border-left: 6px solid #cf222e; }
ul.checks { list-style: none; padding-left: 0; } ul.checks > li { margin: .5rem 0; }
.said { white-space: pre-wrap; background: #f6f8fa; border-radius: 6px; padding: .5rem .7rem; margin: .3rem 0 0 1.4rem;
        font-size: .92rem; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid #d0d7de; }
figcaption { font-size: .92rem; color: #57606a; margin-top: .3rem; }
details { margin: .6rem 0; } summary { cursor: pointer; font-weight: 600; }
.code { background: #f6f8fa; border-radius: 6px; padding: .6rem .8rem; overflow-x: auto; font-size: .88rem; }
.code pre { margin: 0; line-height: 1.4; }
.written { white-space: pre-wrap; background: #f6f8fa; padding: .6rem .8rem; border-radius: 6px; }
"""


def render(result: SubmissionResult, student: str, submission: Path | None = None) -> str:
    """The page. `submission` is the student's notebook (for their code and written answers)."""
    cells = _cells(submission)
    reports = present.functions(result)
    drawn = figures.render(result) if result.status == "graded" else []
    functions = [{"report": report, "once": report.guidance(cause=False),
                  "passed": [line for line in report.lines if line.test.passed],
                  "drawn": [d for d in drawn if d.function == report.grade_id],
                  **_code(report.grade_id, cells)} for report in reports]
    return pages.render("feedback.html", title=title(result, student), style=pages.trusted(STYLE + _code_style()),
                        result=result, reports=reports, functions=functions, anchor=_anchor, points=present.points,
                        overview=_overview, problems=result.cells[:SHOWN_PROBLEMS],
                        more_problems=max(0, len(result.cells) - SHOWN_PROBLEMS), written=_written(cells),
                        shown_chars=SHOWN_CHARS, shown_lines=SHOWN_LINES)


def plain(result: SubmissionResult, student: str) -> str:
    """When the full page cannot be drawn: the score and the line per function, nothing more."""
    return pages.render("feedback_plain.html", title=title(result, student), style="", result=result)


def title(result: SubmissionResult, student: str) -> str:
    """Whose feedback, on which assignment (the page's title and heading)."""
    whose = "你的作业反馈" if student == "你" else f"{student} 的作业反馈"
    title = assignment_title(result.assignment)
    return f"{whose} · {title}（{result.assignment}）" if title else f"{whose} · {result.assignment}"


def _overview(report: present.FunctionReport) -> str:
    """A function's line in the table at the top."""
    if report.not_written:
        return "还没有实现"
    if report.cause:
        return report.cause.text
    if report.failed:
        return f"{len(report.failed)} 项检查没有通过"
    return "全部通过"


def _anchor(grade_id: str) -> str:
    return "fn-" + re.sub(r"[^A-Za-z0-9_-]", "_", grade_id)


# ------------------------------------------------------------------------ the student's cells

def _cells(submission: Path | None) -> list[Cell]:
    if submission is None:
        return []
    try:
        return read_notebook(submission)
    except NotebookError:
        return []


def _defines(cell: Cell, name: str) -> bool:
    # [ \t], not \s: \s crosses newlines, and `^\s*` over a cell of blank lines is quadratic
    return re.search(rf"^[ \t]*(?:def|class)[ \t]+{re.escape(name)}\b", cell.source, re.MULTILINE) is not None


def _code(grade_id: str, cells: list[Cell]) -> dict:
    """The student's cells that define `grade_id` (its answer cell first), highlighted."""
    found = [c for c in cells if c.kind == "code" and c.source.strip()
             and (c.grade_id == grade_id or _defines(c, grade_id))]
    found.sort(key=lambda c: c.grade_id != grade_id)
    shown = [{"html": pages.trusted(_highlight(_shown_code(c.source))), "cut": _cut(c.source)}
             for c in found[:SHOWN_CELLS]]
    return {"code": shown, "more_code": max(0, len(found) - SHOWN_CELLS)}


def _shown_code(source: str) -> str:
    """What is shown of a cell's code: its first lines, trailing blanks removed (invisible, and
    what makes pygments slow)."""
    return "\n".join(line.rstrip() for line in source[:SHOWN_CHARS].split("\n", SHOWN_LINES)[:SHOWN_LINES])


def _cut(source: str) -> int:
    """The cell's length when only its beginning is shown, else 0."""
    if len(source) <= SHOWN_CHARS and source.count("\n", 0, SHOWN_CHARS) < SHOWN_LINES:
        return 0
    return len(source)


@functools.lru_cache(maxsize=64)   # a cell that defines several functions is shown under each
def _highlight(source: str) -> str:
    return highlight(source, PythonLexer(), HtmlFormatter(cssclass="hl", nowrap=False))


def _code_style() -> str:
    return HtmlFormatter(style="default").get_style_defs(".hl")


def _written(cells: list[Cell]) -> list[Cell]:
    """Each written answer once (a duplicated cell is the student's copy)."""
    seen: set[str] = set()
    shown = []
    for cell in cells:
        if cell.role == "written" and cell.grade_id and cell.grade_id not in seen:
            seen.add(cell.grade_id)
            shown.append(cell)
    return shown
