"""release/ and solutions/ are generated from source/ and must not go stale."""
import json

import pytest

from autograder.course.build import assignments, generate_release, generate_solutions, solution_module
from helpers import ROOT

ASSIGNMENTS = assignments(ROOT)


def test_six_assignments():
    assert ASSIGNMENTS == ["ps1_derivatives", "ps2_gradient_descent", "ps3_linear_regression", "ps4_autodiff",
                           "ps5_backprop", "ps6_recommender"]


def test_solutions_are_generated_from_the_notebooks(tmp_path):
    written = generate_solutions(ROOT, tmp_path)
    assert len(written) == len(ASSIGNMENTS)
    for path in written:
        committed = ROOT / "solutions" / path.name
        assert committed.read_text() == path.read_text(), \
            f"solutions/{path.name} is stale: run `python -m autograder build`"


def test_solution_module_drops_markers_and_setup_prints():
    text = solution_module(ROOT / "source" / "ps1_derivatives" / "ps1_derivatives.ipynb", "ps1_derivatives")
    assert "### BEGIN SOLUTION" not in text and "print(" not in text
    assert "def numerical_gradient(f, x, h=1e-5):" in text


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_is_what_nbgrader_makes_of_the_source(tmp_path, assignment):
    fresh = generate_release(ROOT, tmp_path, assignment)
    committed = ROOT / "release" / assignment / f"{assignment}.ipynb"
    assert json.loads(committed.read_text()) == json.loads(fresh.read_text()), \
        f"release/{assignment} is stale: run `python -m autograder build`"
    text = fresh.read_text()
    assert "### BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "hidden_score" not in text, "the hidden blocks must not reach students"
