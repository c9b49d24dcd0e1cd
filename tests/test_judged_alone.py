"""A function judged with stand-ins for its helpers: a right train_linear_regression passes every
test, its public check included, whatever is wrong with the helpers it calls, and on a right
answer's path the stand-ins answer from the sealed table the grader sent ahead (no round trip)."""
from __future__ import annotations

import importlib

import pytest

from autograder.grading.engine import grade_notebooks
from autograder.testkit.student import Student
from helpers import make_submission

ASSIGNMENT = "ps3_linear_regression"
CATALOGUE = importlib.import_module(f"catalogue.{ASSIGNMENT}")
WRONG_HELPERS = {f"{function}: {label}": {function: code}
                 for function in ("linear_model", "mse_loss", "gradient_mse")
                 for label, code in list(CATALOGUE.WRONG[function].items())[:2]}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("alone")
    callbacks: list[tuple[str | None, str]] = []
    real = Student._answer_callback

    def counting(self, body, what, seconds):
        callbacks.append((self.subject, str(body.get("callback"))))
        return real(self, body, what, seconds)

    Student._answer_callback = counting
    try:
        paths = {label: make_submission(ASSIGNMENT, folder / f"{i}.ipynb", cells)
                 for i, (label, cells) in enumerate(WRONG_HELPERS.items())}
        results = {r.submission: r for r in grade_notebooks(list(paths.values()), ASSIGNMENT)}
    finally:
        Student._answer_callback = real
    return {label: results[str(path)] for label, path in paths.items()}, callbacks


@pytest.mark.parametrize("label", WRONG_HELPERS)
def test_a_right_training_passes_every_test_whatever_its_helpers_do(graded, label):
    results, _ = graded
    training = [t for t in results[label].tests if t.grade_id == "train_linear_regression"]
    assert training and all(t.status == "passed" for t in training), [(t.name, t.output[:200]) for t in training
                                                                       if t.status != "passed"]


def test_the_stand_ins_answer_a_right_path_from_the_sealed_table(graded):
    _, callbacks = graded
    # Thousands of helper calls were made by the trainings judged alone; none needed a round trip.
    assert [c for c in callbacks if c[0] == "train_linear_regression"] == []
