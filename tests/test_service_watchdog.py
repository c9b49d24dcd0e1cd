"""`autograder serve` with a stuck worker, over real HTTP: the worker is killed and replaced, the
honest submission batched with the stalling one is graded, the stalling one alone becomes an
error with the real max_score -- and the same across a restart (SIGTERM, then a new process):
recovery never batches the honest submission with the one that stalled again.

The stall is the test-only hook AUTOGRADER_TEST_STALL_ON (autograder/dispatch/watchdog.py): the service's
workers hang in their own process before grading a batch holding the notebook with those bytes."""
from __future__ import annotations

import hashlib
import signal
import sqlite3
import time
from pathlib import Path

from helpers import make_submission
from servers import ASSIGNMENT, Service, issue_tokens, make_course, request

MAX_SCORE = 12.0
CONFIG = ("c.SandboxSettings.submission_timeout = 8\n"
          "c.SandboxSettings.stall_grace = 6\n"      # a worker has 14 s per result
          "c.GradingService.batch = 4\n")
STALLS = "# the test-only hook names this notebook's bytes\ndef f(x):\n    return x ** 2\n"
SLOW_F = "import time\ntime.sleep(4)\n\ndef f(x):\n    return x ** 2\n"
WRONG_F_PRIME = "def f_prime(x):\n    return x\n"


def submit(service: Service, token: str, body: bytes) -> dict:
    status, data, _ = request(f"{service.url}api/assignments/{ASSIGNMENT}/submissions", token, body, "POST")
    assert status == 202, data
    return data


def state(service: Service, token: str, submission_id: str, wait: int = 0) -> dict:
    status, data, _ = request(f"{service.url}api/submissions/{submission_id}?wait={wait}", token)
    assert status == 200, data
    return data


def wait_done(service: Service, token: str, submission_id: str, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = state(service, token, submission_id, 20)
        if data["state"] == "done":
            return data
    raise AssertionError(f"{submission_id} not done in {timeout:.0f} s: {data}")


def wait_state(service: Service, token: str, submission_id: str, wanted: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while (found := state(service, token, submission_id)["state"]) != wanted:
        assert time.monotonic() < deadline, f"{submission_id} still {found}"
        time.sleep(0.05)


def setting(tmp_path: Path):
    course = make_course(tmp_path, ("warm", "mallory", "bob", "dave"), CONFIG)
    tokens = issue_tokens(course)
    bodies = {name: make_submission(ASSIGNMENT, tmp_path / "nb" / f"{name}.ipynb", replace).read_bytes()
              for name, replace in (("warm", {"f": SLOW_F}), ("mallory", {"f": STALLS}),
                                    ("bob", {"f_prime": WRONG_F_PRIME}), ("dave", {}))}
    hook = {"AUTOGRADER_TEST_STALL_ON": hashlib.sha256(bodies["mallory"]).hexdigest()}
    return course, tokens, bodies, hook


def batched_together(service: Service, tokens: dict, bodies: dict) -> tuple[str, str]:
    """mallory's stalling notebook and bob's honest one, queued while the only worker is busy
    with warm's slow one, so that they make one batch."""
    warm = submit(service, tokens["warm"], bodies["warm"])
    wait_state(service, tokens["warm"], warm["id"], "grading")
    mallory = submit(service, tokens["mallory"], bodies["mallory"])["id"]
    bob = submit(service, tokens["bob"], bodies["bob"])["id"]
    assert wait_done(service, tokens["warm"], warm["id"])["score"] == MAX_SCORE
    wait_state(service, tokens["bob"], bob, "grading")
    assert state(service, tokens["mallory"], mallory)["state"] == "grading"
    return mallory, bob


def assert_stuck_is_an_error_and_bob_is_graded(course: Path, service: Service, tokens: dict, mallory: str, bob: str):
    from autograder.grading.failures import STUCK
    from nbgrader.api import Gradebook

    honest = wait_done(service, tokens["bob"], bob)
    assert honest["status"] == "graded" and honest["score"] == MAX_SCORE - 1, honest
    stuck = wait_done(service, tokens["mallory"], mallory)
    assert stuck["status"] == "error" and stuck["max_score"] == MAX_SCORE, stuck
    assert stuck["error"] == STUCK.format(seconds=14), stuck["error"]
    assert "停住了" in stuck["feedback_html"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_submission(ASSIGNMENT, "bob").code_score == honest["score"]


def test_a_stuck_worker_is_replaced_and_only_the_stalling_submission_fails(tmp_path):
    course, tokens, bodies, hook = setting(tmp_path)
    service = Service(course, tmp_path / "serve.log", "--workers", "1", **hook)
    try:
        mallory, bob = batched_together(service, tokens, bodies)
        assert_stuck_is_an_error_and_bob_is_graded(course, service, tokens, mallory, bob)
        later = submit(service, tokens["dave"], bodies["dave"])   # the replacement worker grades on
        assert wait_done(service, tokens["dave"], later["id"])["score"] == MAX_SCORE
    finally:
        service.stop()
    log = (tmp_path / "serve.log").read_text()
    assert log.count("no progress in 14 s") == 2, log[-3000:]   # in the batch, then alone


def test_recovery_after_a_restart_grades_the_stalling_submission_alone(tmp_path):
    course, tokens, bodies, hook = setting(tmp_path)
    service = Service(course, tmp_path / "first.log", "--workers", "1", **hook)
    try:
        mallory, bob = batched_together(service, tokens, bodies)
        service.process.send_signal(signal.SIGTERM)   # `kill PID` while the worker is stuck on that batch
        assert service.process.wait(60) == 0
    finally:
        service.stop()
    with sqlite3.connect(course / ".autograder" / "service" / "queue.sqlite") as db:
        rows = dict(db.execute("SELECT id, state || ' ' || attempts FROM submissions WHERE id IN (?, ?)",
                               (mallory, bob)).fetchall())
    assert rows == {mallory: "grading 1", bob: "grading 1"}, rows

    service = Service(course, tmp_path / "second.log", "--workers", "1", **hook)
    try:
        assert_stuck_is_an_error_and_bob_is_graded(course, service, tokens, mallory, bob)
    finally:
        service.stop()
    log = (tmp_path / "second.log").read_text()
    assert log.count("no progress in 14 s") == 1, log[-3000:]   # alone, once: never batched with bob again
