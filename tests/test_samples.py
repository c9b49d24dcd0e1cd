"""The sample submissions the README's demo grades get exactly their recorded scores."""
import json
from pathlib import Path

import pytest

from autograder.grading.engine import grade_notebooks
from helpers import ROOT

EXPECTED = json.loads((ROOT / "samples" / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("assignment", sorted(EXPECTED))
def test_samples_grade_as_expected(assignment):
    paths = sorted((ROOT / "samples" / assignment).glob("*.ipynb"))
    assert {p.name for p in paths} == set(EXPECTED[assignment])
    for result in grade_notebooks(paths, assignment):
        wanted = EXPECTED[assignment][Path(result.submission).name]
        assert (result.status, result.score, result.max_score) == \
            (wanted["status"], wanted["score"], wanted["max_score"]), result.submission


def test_samples_cover_a_perfect_a_partial_a_hostile_and_a_broken_notebook():
    ps1 = EXPECTED["ps1_derivatives"]
    assert ps1["alice.ipynb"]["score"] == ps1["alice.ipynb"]["max_score"]
    assert 0 < ps1["bob.ipynb"]["score"] < ps1["bob.ipynb"]["max_score"]
    assert ps1["eve.ipynb"]["status"] == "error"
    assert ps1["dana.ipynb"]["score"] < ps1["dana.ipynb"]["max_score"]
