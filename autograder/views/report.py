"""Results as text: JSON lines for machines, a table for instructors, a report for learners."""
from __future__ import annotations

import json
import re
import textwrap
import unicodedata

from autograder.course.results import SubmissionResult
from autograder.views import present
from autograder.views.messages import assignment_title
from autograder.views.messages import tidy


def json_line(result: SubmissionResult) -> str:
    """The contract's object (and the informative keys), without the figures' data: that is for
    the feedback page (results.json keeps it), and would make every line many kilobytes long."""
    data = result.to_json()
    data.pop("figures", None)
    return json.dumps(data, ensure_ascii=False)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def _points(value: float) -> str:
    return f"{value:g}"


def table(results: list[SubmissionResult]) -> str:
    """One line per notebook, then per function that lost points, how many and its cause."""
    if not results:
        return "no notebooks graded"
    name_width = min(max(_width(r.submission) for r in results), 60)
    lines = [f"{_pad('submission', name_width)}  status  score"]
    for result in results:
        score = f"{_points(result.score)} / {_points(result.max_score)}"
        lines.append(f"{_pad(result.submission, name_width)}  {result.status.value:<6}  {score}")
        if result.error:
            lines.append(f"    {result.error}")
        for report in present.functions(result):
            lost = report.max_score - report.score
            if lost <= 0:
                continue
            if report.not_written:
                why = "还没有实现"
            elif report.cause:
                why = report.cause.text
            else:
                why = f"{sum(1 for line in report.failed if not line.public)} 项检查没有通过"
            lines.append(f"    -{_points(round(lost, 6))}  {report.grade_id}: {one_line(why)}")
    return "\n".join(lines)


def learner_report(result: SubmissionResult, verbose: bool = False, whose: str | None = None) -> str:
    """For `autograder check`: per function, what passed, what failed and why, in Chinese.
    `verbose` adds the sandbox's protections (for the curious; a learner does not need them)."""
    lines = [heading(result, whose)]
    if result.status == "error":
        lines.append(f"无法评分：{result.error}")
        return "\n".join(lines)
    lines.append(f"总分 {_points(result.score)} / {_points(result.max_score)}")
    if result.cells:
        lines.append("")
        lines.append("运行笔记本时的问题：")
        for cell in result.cells:
            lines.append(f"  ! {cell.message}")
    for report in present.functions(result):
        lines.append("")
        for line in present.text(report):
            lines.extend(wrap(line))
    if verbose and result.protections:
        lines.append("")
        lines.append("运行你的代码时启用的隔离保护（sandbox）：")
        lines.extend(f"  - {p}" for p in result.protections)
    return "\n".join(lines)


def heading(result: SubmissionResult, whose: str | None = None) -> str:
    """Which assignment and whose notebook the report is about."""
    title = assignment_title(result.assignment)
    named = f"{title}（{result.assignment}）" if title else result.assignment
    return f"{named}的检查结果：{whose or result.submission}"


_BRACKETED = re.compile(r"\[[^\[\]]*\]|\([^()]*\)")


def one_line(text: str) -> str:
    """A message on one line (arrays numpy printed over several lines included)."""
    return " ".join(tidy(text).split())


def wrap(line: str, width: int = 88) -> list[str]:
    """A report line wrapped at `width` columns under its indentation, never inside brackets
    (an array or a call stays on one line)."""
    body = line.lstrip(" ")
    indent = line[:len(line) - len(body)]
    body = _BRACKETED.sub(lambda m: one_line(m.group(0)).replace(" ", NBSP), body)
    wrapped = textwrap.wrap(body, width, initial_indent=indent, subsequent_indent=indent + "  ",
                            break_long_words=False, break_on_hyphens=False) or [""]
    return [part.replace(NBSP, " ") for part in wrapped]


NBSP = "\u00a0"
