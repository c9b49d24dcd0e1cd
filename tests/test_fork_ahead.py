"""`check` forks each next test's process while a test runs (`SandboxSettings.fork_ahead`), so
for the length of every test a second process of the same submission, in the state the cells
left, is alive beside the student's code. It must be out of that code's reach: a test that could
stop it, or write into its memory, would decide how the next test goes. The leak cases of
test_hostile.py that reach for other processes are graded here with fork_ahead on; each is right
unless what it tries works. A probe proves the next test's process was there to be reached."""
from __future__ import annotations

import sys

import pytest

from autograder.grading.engine import Grader
from autograder.sandbox import linux
from autograder.sandbox.settings import SandboxSettings
from helpers import make_submission
from test_hostile import leak_cases

pytestmark = pytest.mark.skipif(sys.platform != "linux" or linux.landlock_abi() < 6,
                                reason="tests are forked ahead only where Landlock scopes signals (ABI 6)")

REACHING = ["reaches for every other process it can see", "stops the process tests are forked from",
            "writes into the memory of the process tests are forked from", "a process a cell started keeps state",
            "a file left in /tmp for later tests"]

# Right only when it sees a process besides the sandbox's first, its own and the template it was
# forked from: the next test's, forked ahead (it may still be on its way: look for a moment).
SEES_THE_NEXT = ("import os, time\n"
                 "def f(x):\n"
                 "    deadline = time.monotonic() + 0.3\n"
                 "    while time.monotonic() < deadline:\n"
                 "        others = {int(n) for n in os.listdir('/proc') if n.isdigit()} - {1, os.getpid(), os.getppid()}\n"
                 "        if others:\n"
                 "            return x ** 2\n"
                 "        time.sleep(0.002)\n"
                 "    return x ** 2 + 1\n")


def grade(notebooks, fork_ahead: bool):
    settings = SandboxSettings(test_timeout=2, cell_timeout=4)
    settings.fork_ahead = fork_ahead
    with Grader("ps1_derivatives", settings) as grader:
        return {r.submission: r for r in grader.grade(notebooks)}


def f_points(result) -> float:
    return sum(t.score for t in result.tests if t.grade_id == "f")


def test_the_next_tests_process_is_out_of_reach_of_the_running_test(tmp_path):
    cases = leak_cases()
    notebooks = {label: make_submission("ps1_derivatives", tmp_path / f"leak {i}.ipynb", cases[label])
                 for i, label in enumerate(REACHING)}
    probe = make_submission("ps1_derivatives", tmp_path / "probe.ipynb", {"f": SEES_THE_NEXT})
    honest = [make_submission("ps1_derivatives", tmp_path / f"honest {i}.ipynb") for i in range(len(REACHING))]
    order = [p for pair in zip(notebooks.values(), honest) for p in pair] + [probe]
    results = grade(order, fork_ahead=True)
    lost = {label: [(t.grade_id, t.output[:200]) for t in results[str(path)].tests if t.score < t.max_score]
            for label, path in notebooks.items() if results[str(path)].score != 12.0}
    assert not lost, lost
    assert [results[str(path)].score for path in honest] == [12.0] * len(honest)
    # The probe saw the next test's process in every test of f: the cases above did face one.
    assert f_points(results[str(probe)]) == 1.0, [(t.grade_id, t.output) for t in results[str(probe)].tests]


def test_without_fork_ahead_a_test_sees_no_next_process(tmp_path):
    """The probe's other side: it cannot pass by accident (a batch does not fork ahead)."""
    probe = make_submission("ps1_derivatives", tmp_path / "probe.ipynb", {"f": SEES_THE_NEXT})
    assert f_points(grade([probe], fork_ahead=False)[str(probe)]) == 0.0
