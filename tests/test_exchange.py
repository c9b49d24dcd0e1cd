"""The instructor's whole round trip through nbgrader's own exchange, with `autograder autograde` in
the middle: release_assignment, a student's fetch_assignment and submit, collect, autograde,
release_feedback, and the student's fetch_feedback bringing back our feedback page."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import ROOT, make_submission

ASSIGNMENT = "ps1_derivatives"
COURSE_ID = "derivatives101"
WRONG_GRADIENT = ("import numpy as np\ndef numerical_gradient(f, x, h=1e-5):\n"
                  "    return np.zeros(len(x))\n")


def nbgrader(cwd: Path, exchange: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    done = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), *args, f"--Exchange.root={exchange}",
                           f"--CourseDirectory.course_id={COURSE_ID}"],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-3000:])
    return done


def test_feedback_reaches_the_student_through_nbgraders_exchange(tmp_path):
    course, exchange, home = tmp_path / "course", tmp_path / "exchange", tmp_path / "alice"
    exchange.mkdir(mode=0o777)
    home.mkdir()
    shutil.copytree(ROOT / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    nbgrader(course, exchange, "generate_assignment", ASSIGNMENT, "--create", "--force")
    nbgrader(course, exchange, "db", "student", "add", "alice")
    nbgrader(course, exchange, "release_assignment", ASSIGNMENT)

    nbgrader(home, exchange, "fetch_assignment", ASSIGNMENT)
    fetched = home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert fetched.is_file()
    make_submission(ASSIGNMENT, fetched, {"numerical_gradient": WRONG_GRADIENT})   # her answers, one wrong
    nbgrader(home, exchange, "submit", ASSIGNMENT, "--student=alice")

    nbgrader(course, exchange, "collect", ASSIGNMENT)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    graded = subprocess.run([sys.executable, "-m", "autograder", "autograde", ASSIGNMENT, "--no-progress"],
                            cwd=course, env=env, capture_output=True, text=True, timeout=600)
    assert graded.returncode == 0, graded.stderr[-3000:]
    feedback = course / "feedback" / "alice" / ASSIGNMENT
    # nbgrader's release_feedback needs these beside the page; it fails without them (it did before).
    assert (feedback / "timestamp.txt").read_text() == (course / "submitted" / "alice" / ASSIGNMENT
                                                         / "timestamp.txt").read_text()
    nbgrader(course, exchange, "release_feedback", ASSIGNMENT)

    nbgrader(home, exchange, "fetch_feedback", ASSIGNMENT, "--student=alice")
    pages = list((home / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
    assert len(pages) == 1, list((home / ASSIGNMENT).rglob("*"))
    page = pages[0].read_text(encoding="utf-8")
    assert page == (feedback / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
    assert "8.5 / 12" in page and "numerical_gradient" in page   # her score, and where she lost it
