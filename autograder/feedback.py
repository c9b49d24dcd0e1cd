"""Feedback for a student as a standalone HTML page: scores per function, what each failing test
says, problems running the notebook, and the student's own answers. Built only from the
result (which never holds hidden test code or hidden expected values) and the student's cells."""
from __future__ import annotations

import html
from pathlib import Path

from autograder import present
from autograder.notebook import NotebookError, read_notebook
from autograder.results import SubmissionResult

STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; } td, th { padding: .3rem .8rem; border-bottom: 1px solid #ddd; text-align: left; }
.pass { color: #1a7f37; } .fail { color: #cf222e; } .note { background: #fff8c5; padding: .5rem; }
pre { background: #f6f8fa; padding: .7rem; overflow-x: auto; white-space: pre-wrap; }
"""


def _esc(text: object) -> str:
    return html.escape(str(text))


def render(result: SubmissionResult, student: str, submission: Path | None = None) -> str:
    parts = ["<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
             f"<title>{_esc(result.assignment)} — {_esc(student)}</title><style>{STYLE}</style></head><body>",
             f"<h1>{_esc(result.assignment)}：{_esc(student)}</h1>"]
    if result.status != "graded":
        parts.append(f"<p class='note'>无法评分：{_esc(result.error)}</p>")
    else:
        parts.append(f"<p>自动评分得分：<b>{result.score:g} / {result.max_score:g}</b>"
                     "（书面回答由老师另行批改）</p>")
    if result.cells:
        parts.append("<h2>运行笔记本时的问题</h2><ul>")
        parts.extend(f"<li>{_esc(c.message)}</li>" for c in result.cells)
        parts.append("</ul>")
    for report in present.functions(result):
        css = "pass" if report.score == report.max_score else "fail"
        parts.append(f"<h2 class='{css}'>{_esc(report.heading)}</h2>")
        if report.not_written:
            parts.append("<p class='note'>还没有实现（函数里仍然是 raise NotImplementedError()）。</p>")
            continue
        if report.cause:
            parts.append(f"<p class='note'>原因：{_esc(report.cause.text)}</p>")
        parts.append("<table>")
        for line in report.lines:
            css = "pass" if line.test.passed else "fail"
            detail = ""
            if not line.test.passed:
                said = (line.diagnosis.text + "\n" if line.diagnosis else "") + line.test.output
                detail = f"<pre>{_esc(said + (present.SEE_ABOVE if line.refers_to_cause else ''))}</pre>"
            parts.append(f"<tr><td class='{css}'>{line.mark}</td><td>{_esc(line.test.what)}{detail}</td>"
                         f"<td>{line.test.score:g} / {line.test.max_score:g}</td></tr>")
        parts.append("</table>")
    if submission is not None:
        parts.append(_answers(submission))
    parts.append("</body></html>")
    return "\n".join(parts)


def _answers(submission: Path) -> str:
    try:
        cells = read_notebook(submission)
    except NotebookError:
        return ""
    blocks = [f"<h3>{_esc(c.grade_id)}</h3><pre>{_esc(c.source)}</pre>" for c in cells
              if c.role in ("answer", "written") and c.grade_id]
    return "<h2>你的答案</h2>" + "".join(blocks) if blocks else ""
