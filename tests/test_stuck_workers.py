"""No stuck worker holds the class back (autograder/dispatch/watchdog.py), in the local pool that
`autograde` and `grade --workers` use: a worker that stops making progress is killed with its
process tree and its sandboxes, replaced, the submissions it held are graded again alone, and the
one that stalls a worker alone becomes an error result with the real max_score.

Workers are made stuck for real: SIGSTOP on a worker process in the middle of a sandboxed cell,
or the test-only hook (AUTOGRADER_TEST_STALL_ON in the workers' own environment) that makes a
worker hang in its own process before grading a chunk holding a file with given bytes."""
from __future__ import annotations

import hashlib
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from helpers import make_submission

ASSIGNMENT = "ps1_derivatives"
MAX_SCORE = 12.0
WRONG_F_PRIME = "def f_prime(x):\n    return x\n"   # loses f_prime's 1 point
SLOW_F = "import time\ntime.sleep(3)\n\ndef f(x):\n    return x ** 2\n"   # a cell still running when stopped


STALLS = "# the test-only hook names this notebook's bytes\ndef f(x):\n    return x ** 2\n"


def stall_hook(notebook: Path) -> str:
    """The value of AUTOGRADER_TEST_STALL_ON that makes a worker hang on this notebook."""
    return hashlib.sha256(notebook.read_bytes()).hexdigest()


def settings(**chosen):
    from autograder.sandbox.settings import SandboxSettings
    return SandboxSettings(**{"submission_timeout": 8.0, "stall_grace": 6.0, **chosen})   # allowance: 14 s


def worker_processes() -> list[int]:
    """This test's local grading workers (`python -m autograder.dispatch.worker`)."""
    from autograder.dispatch.watchdog import descendants
    found = []
    for pid in descendants(os.getpid()):
        try:
            if b"autograder.dispatch.worker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            pass
    return found


def cgroups_of(pid: int, before: frozenset = frozenset()) -> list[Path]:
    """The sandbox cgroups named after `pid`, but those in `before`: an earlier run's process with
    the same pid may have left some (a machine killed with its workers), and they are not this test's."""
    from autograder.sandbox.cgroups import hierarchies
    return [path for h in hierarchies() for path in h.own.glob(f"autograder-{pid}-*") if path not in before]


def all_cgroups() -> frozenset:
    from autograder.sandbox.cgroups import hierarchies
    return frozenset(path for h in hierarchies() for path in h.own.glob("autograder-*"))


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def grade(paths: list[Path], settings, workers: int = 2, chunk_size: int = 3, timeout: float = 180):
    """grade_in_parallel in a thread, so that a pool that never ends fails the test instead of hanging it."""
    from autograder.dispatch.parallel import grade_in_parallel

    out: dict = {}

    def run() -> None:
        out["results"] = grade_in_parallel(paths, ASSIGNMENT, settings, workers, chunk_size=chunk_size)

    thread = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"the pool did not finish within {timeout:.0f} s: a stuck worker held it"
    return {Path(r.submission).stem: r for r in out["results"]}, time.monotonic() - started


def test_a_submission_that_stalls_its_worker_is_an_error_and_everyone_else_is_graded(tmp_path, monkeypatch):
    from autograder.grading.failures import STUCK

    names = {"alice": {}, "bob": {"f_prime": WRONG_F_PRIME}, "stall": {"f": STALLS}, "carol": {},
             "dave": {"f_prime": WRONG_F_PRIME}, "erin": {}}
    paths = [make_submission(ASSIGNMENT, tmp_path / f"{name}.ipynb", replace) for name, replace in names.items()]
    monkeypatch.setenv("AUTOGRADER_TEST_STALL_ON", stall_hook(paths[2]))
    seen: set[int] = set()
    watching = threading.Event()

    def watch() -> None:
        while not watching.is_set():
            seen.update(worker_processes())
            time.sleep(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    before = all_cgroups()
    watcher.start()
    try:
        results, elapsed = grade(paths, settings())
    finally:
        watching.set()
        watcher.join()

    stuck = results.pop("stall")
    assert stuck.status == "error" and stuck.max_score == MAX_SCORE
    assert stuck.error == STUCK.format(seconds=14), stuck.error
    assert {name: (r.status, r.score, r.max_score) for name, r in results.items()} == {
        name: ("graded", MAX_SCORE - (name in ("bob", "dave")), MAX_SCORE) for name in results}
    # Its chunk-mates were not charged: stuck in a chunk (14 s), then alone once more (14 s).
    assert elapsed < 14 * 2 + 60, elapsed
    # Two workers were killed and replaced; none is left, nor any sandbox cgroup of theirs.
    assert len(seen) >= 4, seen
    time.sleep(0.5)
    assert not [pid for pid in seen if alive(pid)]
    assert not [path for pid in seen for path in cgroups_of(pid, before)]


@pytest.mark.skipif(os.geteuid() != 0, reason="sandboxes' cgroups need root here")
def test_a_stopped_worker_is_killed_with_its_sandboxes_and_its_work_is_graded_elsewhere(tmp_path):
    names = {"alice": {"f": SLOW_F}, "bob": {"f": SLOW_F, "f_prime": WRONG_F_PRIME}, "carol": {"f": SLOW_F},
             "dave": {"f": SLOW_F}}
    paths = [make_submission(ASSIGNMENT, tmp_path / f"{name}.ipynb", replace) for name, replace in names.items()]
    stopped: dict = {}

    def stop_one() -> None:
        """SIGSTOP the first worker seen with a sandbox running (a cell sleeping in it)."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            for pid in worker_processes():
                groups = [g for g in cgroups_of(pid) if (g / "cgroup.procs").read_text().split()]
                if groups:
                    members = {int(p) for g in groups for p in (g / "cgroup.procs").read_text().split()}
                    os.kill(pid, signal.SIGSTOP)
                    stopped.update(pid=pid, groups=groups, members=members)
                    return
            time.sleep(0.05)

    stopper = threading.Thread(target=stop_one, daemon=True)
    stopper.start()
    results, elapsed = grade(paths, settings(), chunk_size=2)
    stopper.join()

    assert stopped, "no worker was ever seen with a sandbox running"
    assert {name: (r.status, r.score) for name, r in results.items()} == {
        name: ("graded", MAX_SCORE - (name == "bob")) for name in names}
    assert not alive(stopped["pid"]), "the stopped worker was killed"
    assert stopped["members"] and not [pid for pid in stopped["members"] if alive(pid)], \
        "its sandbox's processes were killed"
    assert not [g for g in stopped["groups"] if g.exists()], "its sandbox's cgroups were emptied and removed"


def test_the_bound_is_the_submission_timeout_plus_the_grace():
    from autograder.dispatch.watchdog import STARTUP, Deadline, allowance

    assert allowance(settings()) == 14.0
    assert allowance(settings(submission_timeout=600.0, stall_grace=60.0)) == 660.0
    deadline = Deadline(settings())
    assert deadline.left() is None and not deadline.passed()   # idle: no clock
    deadline.busy()
    assert 14.0 + STARTUP - 1 < deadline.left() <= 14.0 + STARTUP   # a fresh worker's imports and zygote
    deadline.progress(ready=True)
    assert 13.0 < deadline.left() <= 14.0
    deadline.idle()
    assert deadline.left() is None


@pytest.mark.skipif(os.geteuid() != 0, reason="sandboxes' cgroups need root here")
def test_cgroups_left_under_a_reused_pid_do_not_cost_the_next_sandbox_its_protections(monkeypatch):
    """A worker killed as stuck can leave its cgroups behind, and pids come round (pid_max 32768).
    Its successor under the same pid used to find one hierarchy's name taken and ran with the
    protections of the others only (test_cluster saw `cgroup（v1 memory）` instead of all three)."""
    import itertools

    from autograder.sandbox import cgroups

    found = cgroups.hierarchies()
    if not found:
        pytest.skip("no writable cgroup hierarchy here")
    whole = cgroups.SandboxCgroup(64, 256)
    expected = (whole.protections, sorted(h.controller for h, _ in whole.dirs))
    whole.remove()

    monkeypatch.setattr(cgroups, "_names", itertools.count(900))
    stale = found[0].own / f"autograder-{os.getpid()}-900"   # a dead namesake's, in one hierarchy
    stale.mkdir()
    try:
        fresh = cgroups.SandboxCgroup(64, 256)
        try:
            assert (fresh.protections, sorted(h.controller for h, _ in fresh.dirs)) == expected
            assert len({path.name for _, path in fresh.dirs}) == 1 and stale.name not in {p.name for _, p in fresh.dirs}
        finally:
            fresh.remove()
    finally:
        stale.rmdir()
