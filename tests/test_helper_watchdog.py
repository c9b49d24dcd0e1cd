"""The watchdog that stops a trusted helper run for a student (a stand-in's callback asking the
reference for too much work: autograder/testkit/student.py, `_time_limit`) interrupts with an
asynchronous exception, which can go off at any bytecode, including inside lock code. It used a
Condition, whose __enter__/__exit__ are Python: an interrupt there left its lock held, and from
then on the watchdog could not take it back, so no helper was ever interrupted again in that
worker. Within a hundred calls that end just at their deadline it was dead."""
from __future__ import annotations

import sys
import threading
import time

import pytest

from autograder.testkit import student


def busy(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def interrupted_after(limit: float, work: float) -> float | None:
    started = time.monotonic()
    try:
        with student._time_limit(limit):
            busy(work)
    except student.HelperTimeout:
        return time.monotonic() - started
    return None


def test_a_helper_is_still_interrupted_after_many_calls_that_end_at_their_deadline():
    # Work from half to three times the limit: most calls end around their deadline, so the
    # interrupts land anywhere, in the work and in the exit's lock code. A short switch interval
    # lets the watchdog's thread take the interpreter at once (by default it waits up to 5 ms,
    # longer than a call: it would rarely fire at all, and the test would prove nothing).
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    try:
        fired = 0
        for i in range(3000):
            try:
                with student._time_limit(0.0005):
                    busy(0.0005 * (0.5 + 2.5 * (i % 7) / 6))
            except student.HelperTimeout:
                fired += 1
    finally:
        sys.setswitchinterval(interval)
    assert fired > 300, fired
    took = interrupted_after(0.2, 5.0)
    assert took is not None, "the watchdog no longer interrupts anything"
    assert took < 1.0


def test_threads_have_their_own_deadlines():
    """Dask grades in threads: one thread's deadline interrupts that thread only."""
    seen: dict = {}

    def run(name: str, limit: float, work: float) -> None:
        seen[name] = interrupted_after(limit, work)

    threads = [threading.Thread(target=run, args=("short", 0.1, 2.0)),
               threading.Thread(target=run, args=("long", 5.0, 0.3))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen["short"] == pytest.approx(0.1, abs=0.5)
    assert seen["long"] is None   # finished its work inside its own limit
