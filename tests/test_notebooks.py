"""The course notebooks: stored clean, consistent with the suites, valid for the real nbgrader."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.assignments import Assignment
from autograder.build import assignments
from autograder.notebook import read_notebook
from helpers import ROOT

ASSIGNMENTS = assignments(ROOT)
NBGRADER = str(Path(sys.executable).with_name("nbgrader"))


def nbgrader(*args: str) -> str:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}", MPLBACKEND="Agg")
    done = subprocess.run([NBGRADER, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    return done.stdout + done.stderr


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_is_stored_without_outputs(assignment):
    data = json.loads((ROOT / "source" / assignment / f"{assignment}.ipynb").read_text())
    for cell in data["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell.get("id")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_function_has_its_three_cells(assignment):
    cells = read_notebook(ROOT / "source" / assignment / f"{assignment}.ipynb")
    ids = [c.grade_id for c in cells if c.grade_id]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    answers = [c.grade_id for c in cells if c.role == "answer"]
    assert answers
    for name in answers:
        assert f"{name}_public" in ids and f"{name}_tests" in ids, name
    assert any(c.role == "written" and c.nbgrader.get("points", 0) > 0 for c in cells), "a written answer"
    for cell in cells:
        if cell.role == "setup":
            assert "matplotlib" not in cell.source, "setup cells stay free of matplotlib (the grader skips demos)"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_graded_cell_points_equal_the_suite(assignment):
    from autograder.engine import Grader

    course = Assignment.load(assignment, ROOT)
    grader = Grader(assignment, root=ROOT)
    plugin = grader.plugin([])
    grader._pytest(plugin, "--collect-only")
    suite = {}
    for grade_id, _what, points in plugin.points.values():
        suite[grade_id] = suite.get(grade_id, 0) + points
    assert suite == course.notebook_points()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_runs_top_to_bottom_quickly_and_nbgrader_validate_passes(assignment):
    # validate_all: every cell (demos and their plots included) must run without an error,
    # in a fresh kernel, headless; the graded cells must get full marks from the hidden suites.
    started = time.monotonic()
    output = nbgrader("validate", "--Validator.validate_all=True", f"source/{assignment}/{assignment}.ipynb")
    elapsed = time.monotonic() - started
    assert "Success! Your notebook passes all the tests." in output, output[-3000:]
    assert elapsed < 30, f"{assignment} took {elapsed:.1f}s (kernel start included)"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_validate_invert_passes_on_the_release(assignment):
    output = nbgrader("validate", "--invert", f"release/{assignment}/{assignment}.ipynb")
    assert "Success! The notebook does not pass any tests." in output, output[-3000:]
