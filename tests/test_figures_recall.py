"""A feedback figure built from the answers a submission's tests already got is the figure a fresh
process would give: same data for right answers, wrong answers, and answers that raise."""
from __future__ import annotations

import importlib
import json

import pytest

from autograder.views import figures
from autograder.course.assignments import assignment_ids
from autograder.grading.engine import grade_notebooks
from helpers import make_submission

WITH_FIGURES = [a for a in assignment_ids() if figures.figures_of(a)]
# Figures whose calls repeat a test's call (ps1's asks every step size at once, which no test does).
REPEATS_A_TEST = {"ps2_gradient_descent", "ps3_linear_regression"}


def _never_recalled(self, *args, **kwargs):
    raise figures._NotRecalled


@pytest.mark.parametrize("assignment", WITH_FIGURES)
def test_recalled_figures_are_the_ones_a_fresh_process_draws(assignment, tmp_path, monkeypatch):
    catalogue = importlib.import_module(f"catalogue.{assignment}")
    cells = [{}]
    for answers in (catalogue.RIGHT, catalogue.WRONG):
        cells += [{function: code} for function, codes in answers.items() for code in list(codes.values())[:2]]
    paths = [make_submission(assignment, tmp_path / f"{i}.ipynb", c) for i, c in enumerate(cells)]
    answered = []
    real_call = figures._Recalled.call

    def counting_call(self, *args, **kwargs):
        value = real_call(self, *args, **kwargs)
        answered.append(args[0])
        return value

    monkeypatch.setattr(figures._Recalled, "call", counting_call)
    recalled = grade_notebooks(paths, assignment)
    monkeypatch.setattr(figures._Recalled, "call", _never_recalled)
    fresh = grade_notebooks(paths, assignment)
    assert len(recalled) == len(fresh) == len(cells)
    for a, b, c in zip(recalled, fresh, cells):
        assert a.figures, (a.status, a.error)
        assert json.dumps(a.figures, sort_keys=True) == json.dumps(b.figures, sort_keys=True), c
    # And the shortcut is taken: figures of most submissions came from their tests' answers.
    if assignment in REPEATS_A_TEST:
        assert len(answered) >= len(cells) // 2, answered
