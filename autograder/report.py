"""Results as text: JSON lines for machines, a table for instructors, a report for learners."""
from __future__ import annotations

import json
import textwrap
import unicodedata

from autograder import present
from autograder.results import SubmissionResult


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
    """One line per notebook, then what each lost points on."""
    if not results:
        return "no notebooks graded"
    name_width = min(max(_width(r.submission) for r in results), 60)
    lines = [f"{_pad('submission', name_width)}  status  score"]
    for result in results:
        score = f"{_points(result.score)} / {_points(result.max_score)}"
        lines.append(f"{_pad(result.submission, name_width)}  {result.status:<6}  {score}")
        if result.error:
            lines.append(f"    {result.error}")
        for report in present.functions(result):
            if report.not_written:
                lines.append(f"    -{_points(report.max_score)}  {report.grade_id}: 还没有实现")
                continue
            for line in report.failed:
                test = line.test
                why = test.diagnosis.text if test.diagnosis else (test.output or "").split("\n")[0]
                lines.append(f"    -{_points(test.max_score)}  {test.name}  {why[:100]}")
    return "\n".join(lines)


def learner_report(result: SubmissionResult) -> str:
    """For `autograder check`: per function, what passed, what failed and why, in Chinese."""
    lines = [f"{result.assignment}：{result.submission}"]
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
            body = line.lstrip(" ")
            indent = line[:len(line) - len(body)]
            lines.extend(textwrap.wrap(body, 88, initial_indent=indent, subsequent_indent=indent + "  ") or [""])
    if result.protections:
        lines.append("")
        lines.append("运行你的代码时启用的隔离保护（sandbox）：")
        lines.extend(f"  - {p}" for p in result.protections)
    return "\n".join(lines)
