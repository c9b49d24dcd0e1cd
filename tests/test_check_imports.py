"""`autograder check` imports no torch in the checking process itself: torch (1.6-2.2 s, ~265 MB)
is imported once by the sandbox's zygote, which a check keeps for the next one; the process a
learner starts stays small and quick (issue 26). Read from `python -X importtime`, not timed."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers import ROOT


def imported_by_check(assignment: str) -> set[str]:
    """Top-level packages the `check` process imported (not its zygote's: a child started with
    `python -m` does not inherit -X importtime)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "autograder", "check",
                           str(ROOT / "samples" / assignment / "alice.ipynb")],
                          capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, AUTOGRADER_CHECK_LINGER="0"))
    assert "/" in done.stdout, done.stdout + done.stderr[-2000:]   # the report: a score was given
    modules = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            modules.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "autograder" in modules and "pytest" in modules, sorted(modules)   # the parse read the imports
    return modules


@pytest.mark.parametrize("assignment", ["ps4_autodiff", "ps5_backprop"])
def test_check_process_imports_no_torch(assignment):
    assert "torch" not in imported_by_check(assignment)


def test_prose_that_names_torch_optim_preloads_no_torch(tmp_path):
    """ps6's answer cells name torch.optim.Adam in a docstring only: its zygote (and so every
    `check` and batch of ps6) imports numpy, not torch; a student's cell that imports torch and
    uses torch.optim still gets torch._dynamo preloaded (test_budgets: torch.optim steps)."""
    from autograder.course.assignments import Assignment
    from catalogue.ps6_recommender import TORCH_OPTIM
    from helpers import make_submission

    assignment = Assignment.load("ps6_recommender")
    assert any("torch.optim" in c.source for c in assignment.cells if c.role == "answer")
    assert "torch" not in assignment.preload and "torch._dynamo" not in assignment.preload, assignment.preload
    answers = {function: next(iter(styles.values())) for function, styles in TORCH_OPTIM.items()}
    torch_user = make_submission("ps6_recommender", tmp_path / "torch_optim.ipynb", answers)
    assert {"torch", "torch._dynamo"} <= assignment.imports_of([torch_user])


def test_a_notebook_that_imports_torch_gets_a_zygote_of_its_own_beside_the_others(tmp_path):
    """In a batch, a ps6 notebook whose answers use torch.optim is forked from a zygote holding
    torch; the others keep forking from the zygote without it (a fork of a process holding torch
    costs 3-4 ms more, 41 tests a notebook). Both are graded in full, in one pytest session."""
    from autograder.grading.engine import Grader
    from catalogue.ps6_recommender import TORCH_OPTIM
    from helpers import make_submission

    answers = {function: next(iter(styles.values())) for function, styles in TORCH_OPTIM.items()}
    torch_user = make_submission("ps6_recommender", tmp_path / "torch_optim" / "nb.ipynb", answers)
    plain = make_submission("ps6_recommender", tmp_path / "plain" / "nb.ipynb")
    with Grader("ps6_recommender") as grader:
        grader.warm_up([plain, torch_user])
        assert grader.zygote_of(plain) is grader.zygote and grader.zygote_of(torch_user) is not grader.zygote
        assert "torch" in grader.zygote_of(torch_user)._preload and "torch" not in grader.zygote._preload
        results = grader.grade([plain, torch_user])
    assert [r.score for r in results] == [r.max_score for r in results], [r.tests for r in results if r.score < r.max_score]
