"""No stuck worker holds the class back: how long a grading worker may go without progress, and
how a stuck one is ended.

A worker's sandbox cuts every cell and every call of student code at the submission's deadline
(`submission_timeout`, runner.py), so one submission legitimately takes at most that plus the
grader's own work around it (reading the notebook, comparing, diagnosing, starting and ending
sandboxes), which `stall_grace` bounds. Hence the rule, for the local pool, the service's
workers and each Dask worker's grading process:

    a worker holding work shows progress (a chunk started, a result, a chunk done) within
        allowance = submission_timeout + stall_grace          (defaults: 600 + 60 s)
    of its previous sign of progress; a fresh worker is ready within STARTUP + allowance.

So a chunk of n submissions is bounded by n x allowance once started, and a stall is noticed
after one allowance, not n. A worker past its deadline is killed with everything it started: its
process tree and its sandboxes' cgroups (named after its pid, cgroups.py). Its unfinished
submissions are then graded again one at a time; one that stalls a worker alone too is an error
result (failures.STUCK) and everyone else is graded.
"""
from __future__ import annotations

import hashlib
import os
import signal
import time
from pathlib import Path

from autograder.sandbox.cgroups import SandboxCgroup

STARTUP = 120.0   # a fresh worker's imports and zygote (torch), on a loaded machine
STALL_HOOK = "AUTOGRADER_TEST_STALL_ON"   # tests only: see stall_if_asked


def allowance(settings) -> float:
    """Seconds a worker may take for its next result (see the module's docstring)."""
    return float(settings.submission_timeout) + float(settings.stall_grace)


class Deadline:
    """When a worker holding work must next show progress."""

    def __init__(self, settings, fresh: bool = True):
        self.step = allowance(settings)
        self.fresh = fresh
        self.due: float | None = None

    def busy(self) -> None:
        """The worker was given work (the clock runs from now if it was idle)."""
        if self.due is None:
            self._restart()

    def progress(self, ready: bool = False) -> None:
        if ready:
            self.fresh = False
        self._restart()

    def idle(self) -> None:
        self.due = None

    def _restart(self) -> None:
        self.due = time.monotonic() + self.step + (STARTUP if self.fresh else 0.0)

    def left(self) -> float | None:
        return None if self.due is None else self.due - time.monotonic()

    def passed(self) -> bool:
        return self.due is not None and time.monotonic() > self.due


def stall_if_asked(paths) -> None:
    """Tests only: with AUTOGRADER_TEST_STALL_ON=<sha256>[,<sha256>...] in a worker's own
    environment, the worker hangs (in its own process, outside any sandbox) before grading a
    chunk holding a file with those exact bytes. Unset, as always outside tests, this does
    nothing; a submission cannot set a grading process's environment."""
    wanted = {h for h in os.environ.get(STALL_HOOK, "").split(",") if h}
    if wanted and any(_sha256(p) in wanted for p in paths):
        while True:
            time.sleep(3600)


def _sha256(path) -> str:
    try:
        return hashlib.sha256(Path(str(path)).read_bytes()).hexdigest()
    except OSError:
        return ""


# --------------------------------------------------------------------------- ending a worker

def descendants(pid: int) -> list[int]:
    """`pid`'s children, their children, ... (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    parent = int(handle.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_worker(pid: int, wait) -> None:
    """SIGKILL a grading worker, every process under it, and every sandbox it had running (its
    cgroups). `wait()` reaps the worker itself (its parent's Popen.wait)."""
    kill_tree(pid)
    wait()
    end_sandboxes(pid)


def kill_tree(pid: int) -> None:
    """SIGKILL `pid` and every process under it."""
    tree = [pid]
    for _ in range(3):   # stopped first, so that nothing in the tree forks while it is being killed
        tree = list(dict.fromkeys(tree + descendants(pid)))
        for member in tree:
            _signal(member, signal.SIGSTOP)
    for member in tree:
        _signal(member, signal.SIGKILL)


def end_sandboxes(pid: int) -> None:
    """Kill whatever is left in the sandboxes' cgroups a dead worker `pid` made, and remove them
    (forked by a zygote it shared, they are not under it)."""

    left = SandboxCgroup.left_by(pid)
    if left is not None:
        left.kill_and_wait()
        left.remove()


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except OSError:
        pass
