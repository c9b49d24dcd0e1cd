"""Bad input gets a clear message and loses nothing: every file below is graded in one batch;
each gets a fair grade or `status: error` with a clear message, never a crash of the batch."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from autograder.grading.engine import grade_notebooks
from helpers import load, make_submission

ASSIGNMENT = "ps1_derivatives"
FULL = 12.0


def _cells(notebook: dict, grade_id: str) -> list[dict]:
    return [c for c in notebook["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id]


def build(folder: Path) -> dict[str, tuple[Path, str]]:
    """label -> (notebook, what must happen)."""
    good = make_submission(ASSIGNMENT, folder / "good.ipynb")
    base = load(good)
    cases: dict[str, tuple[Path, str]] = {}

    def write(label: str, content, expect: str, name: str | None = None):
        path = folder / (name or f"{label}.ipynb")
        path.write_text(content if isinstance(content, str) else json.dumps(content, ensure_ascii=False))
        cases[label] = (path, expect)

    write("not json", "this is not json at all", "error")
    write("empty", "", "error")
    write("json list", "[1, 2, 3]", "error")
    write("json without cells", {"nbformat": 4, "metadata": {}}, "error")
    write("cells not a list", {"nbformat": 4, "cells": "nope"}, "error")

    invalid = copy.deepcopy(base)
    for cell in invalid["cells"]:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
        cell.pop("id", None)
    invalid["cells"].append({"cell_type": "code", "source": 42})
    invalid["cells"].append("not even a cell")
    write("nbformat-invalid but readable", invalid, "full")

    stripped = copy.deepcopy(base)
    for cell in stripped["cells"]:
        cell["metadata"] = {}
    write("nbgrader metadata stripped", stripped, "full")

    no_setup = copy.deepcopy(base)
    no_setup["cells"] = [c for c in no_setup["cells"] if c not in _cells(base, "setup")]
    write("setup cell deleted", no_setup, "full")

    no_answer = copy.deepcopy(base)
    no_answer["cells"] = [c for c in no_answer["cells"] if c not in _cells(base, "numerical_gradient")]
    write("answer cell deleted", no_answer, "numerical_gradient missing")

    duplicated = copy.deepcopy(base)
    index = duplicated["cells"].index(_cells(duplicated, "f")[0])
    duplicated["cells"].insert(index, copy.deepcopy(duplicated["cells"][index]))
    write("answer cell duplicated", duplicated, "full")

    huge = copy.deepcopy(base)
    huge["cells"][0].setdefault("outputs", []).append(
        {"output_type": "stream", "name": "stdout", "text": "x" * (30 * 2**20)})
    write("huge embedded output", huge, "full")

    magics = copy.deepcopy(base)
    cell = _cells(magics, "f")[0]
    cell["source"] = "%matplotlib inline\n!pip install nothing\n%time 1 + 1\n" + "".join(cell["source"])
    write("IPython magics and shell lines", magics, "full")

    broken_cells = copy.deepcopy(base)
    index = broken_cells["cells"].index(_cells(broken_cells, "f")[0])
    broken_cells["cells"].insert(index, {"cell_type": "code", "metadata": {}, "outputs": [],
                                         "execution_count": None, "source": "def oops(:\n    pass\n"})
    broken_cells["cells"].insert(index, {"cell_type": "code", "metadata": {}, "outputs": [],
                                         "execution_count": None, "source": "raise RuntimeError('boom')\n"})
    write("a SyntaxError and an exception before the answers", broken_cells, "full, cells reported")

    write("spaces and 中文 in the name", base, "full", name="我的 作业 (final).ipynb")
    return cases


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    cases = build(tmp_path_factory.mktemp("malformed"))
    results = {r.submission: r for r in grade_notebooks([p for p, _ in cases.values()], ASSIGNMENT)}
    return cases, results


@pytest.mark.parametrize("label", [
    "not json", "empty", "json list", "json without cells", "cells not a list", "nbformat-invalid but readable",
    "nbgrader metadata stripped", "setup cell deleted", "answer cell deleted", "answer cell duplicated",
    "huge embedded output", "IPython magics and shell lines", "a SyntaxError and an exception before the answers",
    "spaces and 中文 in the name"])
def test_each_file_gets_a_fair_grade_or_a_clear_error(graded, label):
    cases, results = graded
    path, expect = cases[label]
    result = results[str(path)]
    assert result.max_score == FULL
    if expect == "error":
        assert result.status == "error" and result.score == 0 and result.tests == []
        assert result.error and len(result.error) > 10 and "Traceback" not in result.error
        return
    assert result.status == "graded", result.error
    if expect.startswith("full"):
        failed = [(t.name, t.output) for t in result.tests if t.score < t.max_score]
        assert result.score == FULL, failed
    if expect == "full, cells reported":
        messages = " ".join(c.message for c in result.cells)
        assert "SyntaxError" in messages and "RuntimeError" in messages
    if expect == "numerical_gradient missing":
        scores = result.by_function()
        assert scores["numerical_gradient"][0] == 0
        assert all(s == m for name, (s, m) in scores.items() if name != "numerical_gradient")
        lost = [t.output for t in result.tests if t.grade_id == "numerical_gradient" and t.max_score > 0]
        assert all("找不到 numerical_gradient" in message for message in lost), lost
