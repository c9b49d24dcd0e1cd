"""The hidden suites catch realistic mistakes where they are and accept correct answers written
differently. Every variant of an assignment is graded in one batch (one zygote, one pytest run)."""
from __future__ import annotations

import importlib

import pytest

from autograder.grading.engine import grade_notebooks
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


# ------------------------------------------------------------------------------- diagnosis

def _cause(result, function):
    """The diagnosis the student is shown for `function` (said once, at its top), if any."""
    from autograder.views import present
    return next((r.cause for r in present.functions(result) if r.grade_id == function), None)


def diagnosis_table(graded, assignment: str) -> list[tuple[str, str, str, str | None]]:
    """(function, label, expected code, diagnosed code or None) for every wrong answer."""
    module = importlib.import_module(f"catalogue.{assignment}")
    rows = []
    for function, answers in module.WRONG.items():
        for label in answers:
            cause = _cause(graded(assignment)[("wrong", function, label)], function)
            expected = module.DIAGNOSES.get(function, {}).get(label)
            rows.append((function, label, expected and f"{function}.{expected}", cause.code if cause else None))
    return rows


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_wrong_answers_are_diagnosed(graded, assignment):
    """At least 80 % of a catalogue's wrong answers get the specific diagnosis that names their
    mistake, and none gets a diagnosis that names another mistake."""
    rows = diagnosis_table(graded, assignment)
    wrong = [(f, label, want, got) for f, label, want, got in rows if got is not None and got != want]
    assert not wrong, wrong
    right = sum(1 for *_, want, got in rows if got is not None and got == want)
    assert right / len(rows) >= 0.8, [(f, label, want, got) for f, label, want, got in rows if got != want]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_correct_answer_is_diagnosed(graded, assignment):
    module = importlib.import_module(f"catalogue.{assignment}")
    for function, answers in module.RIGHT.items():
        for label in answers:
            result = graded(assignment)[("right", function, label)]
            named = [(t.name, t.diagnosis) for t in result.tests if t.diagnosis is not None]
            assert not named, (function, label, named)
            assert not result.causes, (function, label, result.causes)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_cause_comes_first_in_every_message(graded, assignment):
    """One cause per function, said once, everywhere: every failed check of the function (its
    `output`, all Gradescope shows) starts with the cause the result's details give, and says
    no other mistake of that function's models."""
    from autograder.testkit.diagnosis import models_of
    from autograder.course.hints import CAUSE, render
    module = importlib.import_module(f"catalogue.{assignment}")
    models = models_of(assignment)
    for function, answers in module.WRONG.items():
        others = {render(m.text, CAUSE) for m in models.get(function, [])}
        for label in answers:
            result = graded(assignment)[("wrong", function, label)]
            cause = (result.causes or {}).get(function)
            lost = [t for t in result.tests if t.grade_id == function and not t.passed]
            for test in lost:
                assert test.diagnosis == cause, (label, test.name, test.diagnosis, cause)
                if cause is not None:
                    assert test.output.startswith(cause.text), (label, test.name, test.output)
                said = test.output.removeprefix(cause.text) if cause else test.output
                assert not [o for o in others if o and o in said], (label, test.name, test.output)


def all_messages(result) -> list[str]:
    """Everything a student may be shown of a result, as text."""
    said = [result.error or ""] + [c.message for c in result.cells]
    for test in result.tests:
        said += [test.name, test.output, test.message, test.diagnosis.text if test.diagnosis else ""]
    for note in (result.notes or {}).values():
        said += [note.cause.text if note.cause else "", note.section, note.formula]
    return [s for s in said if s]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_message_gives_the_answer_away(graded, assignment):
    """At the cause level (the default while an assignment is open) no message of any catalogue
    answer holds a line or an expression of the reference answer (tests/answers.py)."""
    from answers import leaks
    module = importlib.import_module(f"catalogue.{assignment}")
    found = []
    for key, result in graded(assignment).items():
        assert result.hints == "cause"
        own = "" if key == "reference" else (module.WRONG if key[0] == "wrong" else module.RIGHT)[key[1]][key[2]]
        for text in all_messages(result):
            hits = leaks(text, assignment, own)
            if hits:
                found.append((key, hits, text))
    assert not found, found[:5]
