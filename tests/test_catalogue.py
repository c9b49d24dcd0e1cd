"""The hidden suites catch realistic mistakes where they are and accept correct answers written
differently. Every variant of an assignment is graded in one batch (one zygote, one pytest run)."""
from __future__ import annotations

import importlib

import pytest

from autograder.engine import grade_notebooks
from helpers import ROOT, make_submission

ASSIGNMENTS = sorted(p.stem for p in (ROOT / "tests" / "catalogue").glob("ps*.py"))


def _variants():
    for assignment in ASSIGNMENTS:
        module = importlib.import_module(f"catalogue.{assignment}")
        for verdict, table in (("wrong", module.WRONG), ("right", module.RIGHT)):
            for function, answers in table.items():
                for label in answers:
                    yield pytest.param(assignment, verdict, function, label,
                                       id=f"{assignment}-{verdict}-{function}-{label}")


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """assignment -> {(verdict, function, label) | "reference": SubmissionResult}, graded lazily."""
    cache: dict[str, dict] = {}

    def grade(assignment: str) -> dict:
        if assignment not in cache:
            module = importlib.import_module(f"catalogue.{assignment}")
            folder = tmp_path_factory.mktemp(assignment)
            paths = {"reference": make_submission(assignment, folder / "reference.ipynb")}
            for verdict, table in (("wrong", module.WRONG), ("right", module.RIGHT)):
                for function, answers in table.items():
                    for i, (label, code) in enumerate(answers.items()):
                        path = folder / f"{verdict}-{function}-{i}.ipynb"
                        paths[(verdict, function, label)] = make_submission(assignment, path, {function: code})
            by_path = {str(r.submission): r for r in grade_notebooks(list(paths.values()), assignment)}
            cache[assignment] = {key: by_path[str(path)] for key, path in paths.items()}
        return cache[assignment]

    return grade


def test_catalogues_are_big_enough():
    for assignment in ASSIGNMENTS:
        module = importlib.import_module(f"catalogue.{assignment}")
        for function, answers in module.WRONG.items():
            assert len(answers) >= 5, f"{assignment}.{function}: at least five wrong answers"
        assert set(module.WRONG) == set(module.RIGHT), f"{assignment}: every function needs both lists"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_gets_full_marks(graded, assignment):
    result = graded(assignment)["reference"]
    assert result.status == "graded", result.error
    assert result.score == result.max_score > 0, [t for t in result.tests if t.status == "failed"]


@pytest.mark.parametrize("assignment, verdict, function, label", list(_variants()))
def test_variant(graded, assignment, verdict, function, label):
    result = graded(assignment)[(verdict, function, label)]
    assert result.status == "graded", result.error
    scores = result.by_function()
    earned, possible = scores[function]
    if verdict == "right":
        failed = [f"{t.name}: {t.output}" for t in result.tests if t.status == "failed"]
        assert result.score == result.max_score, failed
    else:
        assert earned < possible, f"{label!r} kept all {possible} points of {function}"
        others = {name: s for name, s in scores.items() if name != function and s[0] < s[1]}
        assert not others, f"{label!r} also cost points elsewhere: {others}"
        lost = [t for t in result.tests if t.grade_id == function and t.status == "failed"]
        assert all(t.output and "内部出错" not in t.output for t in lost), [t.output for t in lost]
