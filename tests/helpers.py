"""Building submissions for the project's own tests from the course's notebooks."""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def release_notebook(assignment: str) -> Path:
    return ROOT / "release" / assignment / f"{assignment}.ipynb"


def source_notebook(assignment: str) -> Path:
    return ROOT / "source" / assignment / f"{assignment}.ipynb"


def _grade_id(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def reference_answers(assignment: str) -> dict[str, str]:
    """The source notebook's answer cells, solution markers removed: a correct submission."""
    answers = {}
    for cell in load(source_notebook(assignment))["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("solution"):
            lines = "".join(cell["source"]).splitlines()
            answers[meta["grade_id"]] = "\n".join(l for l in lines if l.strip() not in (BEGIN, END)) + "\n"
    return answers


def make_submission(assignment: str, path: Path, replace: dict[str, str] | None = None,
                    fill: bool = True) -> Path:
    """The release notebook with every answer cell filled in (the reference answer, or the
    text in `replace`), as a student would hand it in."""
    notebook = load(release_notebook(assignment))
    answers = reference_answers(assignment) if fill else {}
    answers.update(replace or {})
    for cell in notebook["cells"]:
        grade_id = _grade_id(cell)
        if cell["cell_type"] == "code" and grade_id in answers:
            cell["source"] = answers[grade_id]
        elif cell["cell_type"] == "markdown" and fill and cell["metadata"].get("nbgrader", {}).get("solution"):
            cell["source"] = "我的回答：步长太小时，舍入误差（rounding error）会超过截断误差。"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
