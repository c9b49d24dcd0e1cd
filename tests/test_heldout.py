"""The diagnosis on mistakes it was not written from: tests/heldout/ holds wrong answers found in
real students' code in public course repositories, adapted to this course's signatures. Each must
lose points on its own function, and its mistake must be named alone: the function's cause in the
result's details is the expected one, and every failed check's message of that function says the
same cause first (Gradescope and the gradebook show nothing else).

    .venv/bin/python -m pytest tests/test_heldout.py -q -s     # prints the figure per assignment
"""
from __future__ import annotations

import importlib

import pytest

from autograder.grading.engine import grade_notebooks
from helpers import ROOT, make_submission

ASSIGNMENTS = sorted(p.stem for p in (ROOT / "tests" / "heldout").glob("ps*.py"))
GOAL = 0.95


def cause_of(result, function: str):
    """The function's one cause as the result states it (details)."""
    causes = getattr(result, "causes", None)
    if causes is not None:
        return causes.get(function)
    from autograder.views import present   # results from before per-function causes existed
    return next((r.cause for r in present.functions(result) if r.grade_id == function), None)


def verdict(result, function: str, expected: str) -> dict:
    """How one held-out answer was told: lost points, named in details, named in every message."""
    lost = [t for t in result.tests if t.grade_id == function and not t.passed and t.max_score > 0]
    cause = cause_of(result, function)
    code = f"{function}.{expected}"
    in_details = cause is not None and cause.code == code
    in_messages = in_details and bool(lost) and all(t.output.startswith(cause.text) for t in lost)
    return {"lost": bool(lost), "details": in_details, "messages": in_messages,
            "got": cause.code if cause else None}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    cache: dict[str, dict] = {}

    def grade(assignment: str) -> dict:
        if assignment not in cache:
            module = importlib.import_module(f"heldout.{assignment}")
            folder = tmp_path_factory.mktemp(f"heldout-{assignment}")
            paths = {}
            for function, cases in module.CASES.items():
                for i, (label, (code, _expected, _source)) in enumerate(cases.items()):
                    paths[(function, label)] = make_submission(assignment, folder / f"{function}-{i}.ipynb",
                                                               {function: code})
            by_path = {str(r.submission): r for r in grade_notebooks(list(paths.values()), assignment)}
            cache[assignment] = {key: by_path[str(path)] for key, path in paths.items()}
        return cache[assignment]

    return grade


def table(graded) -> list[tuple]:
    rows = []
    for assignment in ASSIGNMENTS:
        module = importlib.import_module(f"heldout.{assignment}")
        results = graded(assignment)
        for function, cases in module.CASES.items():
            for label, (_code, expected, _source) in cases.items():
                seen = verdict(results[(function, label)], function, expected)
                rows.append((assignment, function, label, expected, seen))
    return rows


def test_heldout_mistakes_are_named_alone_everywhere(graded):
    rows = table(graded)
    for assignment in ASSIGNMENTS:
        mine = [r for r in rows if r[0] == assignment]
        print(f"\n{assignment}: {sum(r[4]['details'] for r in mine)}/{len(mine)} in details, "
              f"{sum(r[4]['messages'] for r in mine)}/{len(mine)} in details and messages")
        for _, function, label, expected, seen in mine:
            if not seen["messages"]:
                print(f"    {function} {label!r}: expected {expected}, got {seen['got']} "
                      f"(lost points: {seen['lost']}, in details: {seen['details']})")
    total = len(rows)
    named = sum(r[4]["messages"] for r in rows)
    print(f"\nheld-out: {named}/{total} named alone in details and in the messages alike "
          f"({sum(r[4]['details'] for r in rows)}/{total} in details)")
    assert all(r[4]["lost"] for r in rows), [r[:3] for r in rows if not r[4]["lost"]]
    assert named / total >= GOAL
