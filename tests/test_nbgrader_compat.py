"""The real `nbgrader autograde` records, through the hidden blocks of the graded cells, the same
total as `autograder grade` for the same notebooks (each test cell with partial credit)."""
from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course.assignments import assignment_ids
from autograder.grading.engine import grade_notebooks
from helpers import ROOT, make_submission

ASSIGNMENTS = assignment_ids()


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    return subprocess.run([str(Path(sys.executable).with_name("nbgrader")), *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=900)


def submissions(assignment: str) -> dict[str, dict[str, str]]:
    """Student id -> answer replacements: a correct notebook and two with realistic mistakes."""
    wrong = importlib.import_module(f"catalogue.{assignment}").WRONG
    functions = list(wrong)
    first, last = functions[0], functions[-1]
    return {
        "correct": {},
        "wrong_first": {first: next(iter(wrong[first].values()))},
        "wrong_last": {last: list(wrong[last].values())[-1]},
    }


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_autograde_records_the_same_totals(tmp_path, assignment):
    from nbgrader.api import Gradebook

    course = tmp_path / "course"
    shutil.copytree(ROOT / "source" / assignment, course / "source" / assignment)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    released = nbgrader(course, "generate_assignment", assignment, "--force")
    assert released.returncode == 0, released.stderr[-2000:]
    paths = {}
    for student, replace in submissions(assignment).items():
        paths[student] = make_submission(assignment, course / "submitted" / student / assignment /
                                         f"{assignment}.ipynb", replace)
    done = nbgrader(course, "autograde", assignment, "--force")
    assert done.returncode == 0, done.stderr[-3000:]

    ours = {r.submission: r for r in grade_notebooks(list(paths.values()), assignment)}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, path in paths.items():
            submission = gb.find_submission(assignment, student)
            theirs = sum(n.code_score for n in submission.notebooks)
            mine = ours[str(path)]
            assert mine.status == "graded"
            assert theirs == pytest.approx(mine.score), (student, theirs, mine.score)
            per_cell = {g.name.removesuffix("_tests"): g.auto_score for n in submission.notebooks
                        for g in n.grades if g.name.endswith("_tests")}
            for function, (score, _maximum) in mine.by_function().items():
                assert per_cell[function] == pytest.approx(score), (student, function)
    assert ours[str(paths["correct"])].score == ours[str(paths["correct"])].max_score
    assert ours[str(paths["wrong_first"])].score < ours[str(paths["wrong_first"])].max_score
