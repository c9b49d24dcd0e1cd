"""Feedback for a student as one standalone HTML page.

Per graded function, drawn from present.py like every other view of a result: its points, the
cause of its failures said once, the checks that failed with what each says, a figure where a
picture says more than text (autograder/views/figures.py: the student's function on the notebook's demo
inputs beside the reference), and the student's own code, highlighted. Then problems running the
notebook and the written answers.

Built only from the result (which never holds hidden test code or hidden expected values) and
the student's own cells. The page is self-contained (figures are embedded PNGs, no script, no
external file) and forbids everything else by its Content-Security-Policy: the student's code and
messages are text in it, never markup.
"""
from __future__ import annotations

import functools
import html
import re
from pathlib import Path

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from autograder.course.notebook import Cell, NotebookError, read_notebook
from autograder.course.results import SubmissionResult
from autograder.views import figures
from autograder.views import present
from autograder.views.messages import assignment_title

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
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


def _esc(text: object) -> str:
    return html.escape(str(text))


def render(result: SubmissionResult, student: str, submission: Path | None = None) -> str:
    """The page. `submission` is the student's notebook (for their code and written answers)."""

    cells = _cells(submission)
    reports = present.functions(result)
    drawn = figures.render(result) if result.status == "graded" else []
    parts = ["<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
             f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">",
             "<meta name='viewport' content='width=device-width, initial-scale=1'><link rel='icon' href='data:,'>",
             f"<title>{_esc(title(result, student))}</title><style>{STYLE}{_code_style()}</style>"
             "</head><body>",
             f"<h1>{_esc(title(result, student))}</h1>"]
    if result.status != "graded":
        parts.append(f"<p class='note'>无法评分：{_esc(result.error)}</p>")
    else:
        parts.append(f"<p class='total'>自动评分得分：<b>{result.score:g} / {result.max_score:g}</b>"
                     "（书面回答由老师另行批改）</p>")
        parts.append(_overview(reports))
    if result.cells:
        parts.append("<h2>运行笔记本时的问题</h2><ul>")
        parts.extend(f"<li>{_esc(c.message)}</li>" for c in result.cells[:SHOWN_PROBLEMS])
        if len(result.cells) > SHOWN_PROBLEMS:
            parts.append(f"<li>……还有 {len(result.cells) - SHOWN_PROBLEMS} 个单元格运行出了问题（没有一一列出）。</li>")
        parts.append("</ul>")
    for report in reports:
        parts.append(_function(report, [d for d in drawn if d.function == report.grade_id], cells))
    parts.append(_written(cells))
    parts.append("</body></html>")
    return "\n".join(p for p in parts if p)


def plain(result: SubmissionResult, student: str) -> str:
    """When the full page cannot be drawn: the score and the line per function, nothing more."""
    rows = "".join(f"<tr><td>{_esc(f)}</td><td>{s:g} / {m:g}</td></tr>" for f, (s, m) in result.by_function().items())
    said = (f"<p>自动评分得分：<b>{result.score:g} / {result.max_score:g}</b></p><table>{rows}</table>"
            if result.status == "graded" else f"<p>无法评分：{_esc(result.error)}</p>")
    return (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
            f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\"><title>{_esc(title(result, student))}"
            f"</title></head><body><h1>{_esc(title(result, student))}</h1>{said}"
            "<p>详细的反馈页面暂时无法生成，请稍后再看或告诉老师。</p></body></html>")


def title(result: SubmissionResult, student: str) -> str:
    """Whose feedback, on which assignment (the page's title and heading)."""
    whose = "你的作业反馈" if student == "你" else f"{student} 的作业反馈"
    title = assignment_title(result.assignment)
    return f"{whose} · {title}（{result.assignment}）" if title else f"{whose} · {result.assignment}"


def _overview(reports: list[present.FunctionReport]) -> str:
    rows = []
    for report in reports:
        css = "pass" if report.score == report.max_score else "fail"
        if report.not_written:
            said = "还没有实现"
        elif report.cause:
            said = report.cause.text
        elif report.failed:
            said = f"{len(report.failed)} 项检查没有通过"
        else:
            said = "全部通过"
        rows.append(f"<tr><td class='{css}'>{report.mark}</td><td><a href='#{_anchor(report.grade_id)}'>"
                    f"{_esc(report.grade_id)}</a></td><td class='points'>{present.points(report.score)} / "
                    f"{present.points(report.max_score)}</td><td>{_esc(said)}</td></tr>")
    if not rows:
        return ""
    return ("<table class='overview'><tr><th></th><th>函数</th><th>得分</th><th>结果</th></tr>"
            + "".join(rows) + "</table>")


def _anchor(grade_id: str) -> str:
    return "fn-" + re.sub(r"[^A-Za-z0-9_-]", "_", grade_id)


def _function(report: present.FunctionReport, drawn: list, cells: list[Cell]) -> str:
    full = report.score == report.max_score
    parts = [f"<section class='function {'full' if full else 'lost'}' id='{_anchor(report.grade_id)}'>",
             f"<h2 class='{'pass' if full else 'fail'}'>{_esc(report.heading)}</h2>"]
    if report.not_written:
        parts.append("<p class='note'>还没有实现（函数里仍然是 raise NotImplementedError()）。</p>")
    else:
        if report.cause:
            parts.append(f"<p class='cause'><b>原因：</b>{_esc(report.cause.text)}</p>")
        once = report.guidance(cause=False)
        if once:
            parts.append("<p class='where'>" + "<br>".join(_esc(line) for line in once) + "</p>")
        failed = report.failed
        if failed:
            parts.append(f"<h3>没有通过的检查（{len(failed)} 项）</h3><ul class='checks'>")
            for line in failed:
                said = f"<div class='said'>{_esc(line.said.strip())}</div>" if line.said.strip() else ""
                parts.append(f"<li><span class='fail'>{_esc(line.heading)}</span>{said}</li>")
            parts.append("</ul>")
        passed = [line for line in report.lines if line.test.passed]
        if passed:
            items = "".join(f"<li><span class='pass'>{_esc(line.heading)}</span></li>" for line in passed)
            parts.append(f"<details><summary>通过的检查（{len(passed)} 项）</summary>"
                         f"<ul class='checks'>{items}</ul></details>")
        for figure in drawn:
            parts.append(_figure(figure))
    code = _code(report.grade_id, cells)
    if code:
        parts.append(f"<details{'' if full else ' open'}><summary>你的代码</summary>{code}</details>")
    parts.append("</section>")
    return "\n".join(parts)


def _figure(figure) -> str:
    note = f"<p class='note'>{_esc(figure.note)}</p>" if figure.note else ""
    return (f"<figure class='demo' data-figure='{_esc(figure.name)}'>"
            f"<img alt='{_esc(figure.function)}：你的结果和参考答案' width='{figure.width}' height='{figure.height}' "
            f"src='data:image/png;base64,{figure.png}'>"
            f"<figcaption>{_esc(figure.caption)}</figcaption>{note}</figure>")


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


def _code(grade_id: str, cells: list[Cell]) -> str:
    """The student's cells that define `grade_id` (its answer cell first), highlighted."""
    found = [c for c in cells if c.kind == "code" and c.source.strip()
             and (c.grade_id == grade_id or _defines(c, grade_id))]
    found.sort(key=lambda c: c.grade_id != grade_id)
    shown = "".join(f"<div class='code'>{_highlight(_shown_code(c.source))}</div>{_cut_note(c.source)}"
                    for c in found[:SHOWN_CELLS])
    if len(found) > SHOWN_CELLS:
        shown += f"<p class='note'>还有 {len(found) - SHOWN_CELLS} 个单元格也定义了 {_esc(grade_id)}，没有显示。</p>"
    return shown


def _shown_code(source: str) -> str:
    """What is shown of a cell's code: its first lines, trailing blanks removed (invisible, and
    what makes pygments slow)."""
    return "\n".join(line.rstrip() for line in source[:SHOWN_CHARS].split("\n", SHOWN_LINES)[:SHOWN_LINES])


def _cut_note(source: str) -> str:
    if len(source) <= SHOWN_CHARS and source.count("\n", 0, SHOWN_CHARS) < SHOWN_LINES:
        return ""
    return (f"<p class='note'>这个单元格很长（{len(source)} 个字符），只显示了前 {SHOWN_LINES} 行、"
            f"最多 {SHOWN_CHARS} 个字符。</p>")


@functools.lru_cache(maxsize=64)   # a cell that defines several functions is shown under each
def _highlight(source: str) -> str:
    return highlight(source, PythonLexer(), HtmlFormatter(cssclass="hl", nowrap=False))


def _code_style() -> str:
    return HtmlFormatter(style="default").get_style_defs(".hl")


def _written(cells: list[Cell]) -> str:
    seen: set[str] = set()
    blocks = []
    for cell in cells:   # each written answer once (a duplicated cell is the student's copy)
        if cell.role == "written" and cell.grade_id and cell.grade_id not in seen:
            seen.add(cell.grade_id)
            cut = "" if len(cell.source) <= SHOWN_CHARS else \
                f"<p class='note'>这个回答很长（{len(cell.source)} 个字符），只显示了前 {SHOWN_CHARS} 个。</p>"
            blocks.append(f"<h3>{_esc(cell.grade_id[:100])}</h3><div class='written'>"
                          f"{_esc(cell.source[:SHOWN_CHARS])}</div>{cut}")
    return "<h2>书面回答</h2>" + "".join(blocks) if blocks else ""
