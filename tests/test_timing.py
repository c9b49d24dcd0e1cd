"""`timing` in each result accounts for all of `total`: its parts add up to it, with no gap.

A correct notebook and one whose helper is wrong (its caller is then judged again alone, in a fresh
process started inside a test: that start is in `forks`, not in `tests`).
"""
from __future__ import annotations

import pytest

from autograder.grading.engine import grade_notebooks
from helpers import make_submission

ASSIGNMENT = "ps3_linear_regression"
PARTS = {"start", "forks", "tests", "close", "diagnosis", "pytest"}
WRONG_HELPER = "def linear_model(X, w, b):\n    return X * w - b\n"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("timing")
    paths = [make_submission(ASSIGNMENT, folder / "right.ipynb"),
             make_submission(ASSIGNMENT, folder / "wrong_helper.ipynb", {"linear_model": WRONG_HELPER})]
    return grade_notebooks(paths, ASSIGNMENT)


def test_the_parts_add_up_to_total(results):
    for result in results:
        timing = result.timing
        assert result.status == "graded", result.error
        assert PARTS <= set(timing), timing
        assert all(seconds >= 0 for seconds in timing.values()), timing
        parts = sum(seconds for name, seconds in timing.items() if name != "total")
        assert abs(timing["total"] - parts) <= 0.0005 * len(timing), timing


def test_each_part_is_measured_not_left_over(results):
    """The measured parts hold nearly all of `total`: `pytest`, pytest's own steps, is a small rest."""
    for result in results:
        timing = result.timing
        assert timing["forks"] > 0 and timing["tests"] > 0 and timing["start"] > 0, timing
        assert timing["pytest"] < 0.5 * timing["total"], timing


def test_a_process_started_inside_a_test_is_counted_once(results):
    """The caller judged alone starts a fresh process within its test: `forks` holds it, and
    `tests` does not (else the parts would add up to more than `total`)."""
    right, wrong = (r.timing for r in results)
    assert any(t.grade_id == "linear_model" and t.status != "passed" for t in results[1].tests)
    assert wrong["tests"] + wrong["forks"] <= wrong["total"], wrong
    assert right["tests"] + right["forks"] <= right["total"], right
