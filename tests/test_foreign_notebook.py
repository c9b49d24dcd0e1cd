"""Another assignment's notebook is refused with a sentence, even when one of its cells carries a
grade_id of this assignment (found by tests/test_one_record.py's generated notebooks: a ps2
notebook without metadata but one cell renamed `central_difference_tests` was graded 0 as ps1).
Real release notebooks, real reading."""
from __future__ import annotations

import dataclasses

import pytest

from autograder.course.assignments import Assignment
from autograder.course.notebook import NotebookError, read_notebook


def _stripped(cells, renamed_to: str | None = None, at: int = 5):
    out = [dataclasses.replace(c, grade_id=None, nbgrader={}) for c in cells]
    if renamed_to:
        out[at] = dataclasses.replace(cells[at], grade_id=renamed_to,
                                      nbgrader={**cells[at].nbgrader, "grade_id": renamed_to})
    return out


def test_a_notebook_of_another_assignment_with_one_borrowed_grade_id_is_refused():
    ps1, ps2 = Assignment.load("ps1_derivatives"), Assignment.load("ps2_gradient_descent")
    cells = _stripped(read_notebook(ps2.release_notebook), renamed_to="central_difference_tests")
    with pytest.raises(NotebookError, match="ps2_gradient_descent"):
        ps1.check_submission(cells)


def test_this_assignments_notebook_with_a_few_pasted_cells_of_another_is_graded():
    ps1, ps2 = Assignment.load("ps1_derivatives"), Assignment.load("ps2_gradient_descent")
    own, other = read_notebook(ps1.release_notebook), read_notebook(ps2.release_notebook)
    pasted = own + [c for c in other if c.kind == "code" and c.source.strip()][:3]
    assert ps1.check_submission(pasted) == pasted
    assert ps1.check_submission(_stripped(own)) is not None   # no metadata at all: still ps1's text
