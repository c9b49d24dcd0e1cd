"""The service's queue (autograder/service/queue.py), directly: fair turns per student, a
submission tried before graded alone, and its files private from the start."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from autograder.service.queue import SubmissionQueue

PS1, PS2 = "ps1_derivatives", "ps2_gradient_descent"


def add(queue: SubmissionQueue, student: str, assignment: str = PS1) -> str:
    return queue.add(student, assignment, f"{assignment}.ipynb", Path("/nowhere.ipynb"), 0.0, "t", 0.0)


def who(rows) -> list[str]:
    return [r.student for r in rows]


def test_a_burst_of_resubmissions_never_puts_another_students_first_submission_more_than_one_batch_back(tmp_path):
    queue = SubmissionQueue(tmp_path / "queue.sqlite")
    for _ in range(10):
        add(queue, "burst")
    first = queue.next_batch(4)        # only the burst is waiting: it fills a batch
    assert who(first) == ["burst"] * 4
    queue.start([r.id for r in first])
    late = add(queue, "late")          # another student's first, while the burst's batch is graded
    second = queue.next_batch(4)
    assert who(second)[0] == "late", "the burst's next waits behind a first submission"
    assert queue.position(queue.get(late)) == 0
    # Everyone's first before anyone's second, everyone's second before any third, then by age.
    for student in ("a", "b"):
        add(queue, student)
        add(queue, student)
    order = who(queue.next_batch(20))
    assert order == ["late", "a", "b", "a", "b"] + ["burst"] * 6, order
    assert [queue.position(r) for r in queue.next_batch(20)] == list(range(len(order)))


def test_fairness_holds_over_batch_sizes_workers_and_arrival_orders(tmp_path):
    """Random arrivals: one student resubmits in bursts, others hand in once; one or two workers
    take batches of 1 to 6 and finish them in any order. Once a first submission is waiting, no
    resubmission starts before it: what delays it is at most the batches already running."""
    import random

    for seed in range(40):
        rng = random.Random(seed)
        queue = SubmissionQueue(tmp_path / f"q{seed}.sqlite")
        queue.db.execute("PRAGMA synchronous=OFF")   # no power cut to survive here
        limit, workers = rng.randint(1, 6), rng.randint(1, 2)
        running: list[list[str]] = []
        overtaken: dict[str, int] = {}   # a waiting first submission -> resubmissions started since it arrived
        resubmissions: set[str] = set()
        for _ in range(120):
            roll = rng.random()
            if roll < 0.45:
                burst = add(queue, "burst")
                if len(queue.of_student("burst")) > 1:
                    resubmissions.add(burst)
            elif roll < 0.6:
                overtaken[add(queue, f"s{rng.randrange(10**9)}")] = 0
            elif roll < 0.85 and len(running) < workers:
                batch = queue.next_batch(limit)
                queue.start([r.id for r in batch])
                running.append([r.id for r in batch])
                for row in batch:
                    overtaken.pop(row.id, None)
                for waiting in overtaken:
                    overtaken[waiting] += sum(r.id in resubmissions for r in batch)
                    assert overtaken[waiting] == 0, (seed, limit, workers)
            elif running:
                for submission_id in running.pop(rng.randrange(len(running))):
                    queue.graded(submission_id, {})


def test_a_submission_tried_before_is_graded_alone_and_never_joins_another_batch(tmp_path):
    queue = SubmissionQueue(tmp_path / "queue.sqlite")
    stalled, honest, other = add(queue, "mallory"), add(queue, "alice"), add(queue, "bob")
    batch = queue.next_batch(8)
    assert who(batch) == ["mallory", "alice", "bob"]
    queue.start([r.id for r in batch])
    queue.close()                      # the service stops in the middle of that batch
    queue = SubmissionQueue(tmp_path / "queue.sqlite")
    assert queue.recover() == []
    fresh = add(queue, "carol")
    batches = []
    while (batch := queue.next_batch(8)):
        batches.append(who(batch))
        queue.start([r.id for r in batch])
    assert batches == [["mallory"], ["alice"], ["bob"], ["carol"]]
    assert {queue.get(i).attempts for i in (stalled, honest, other)} == {2} and queue.get(fresh).attempts == 1


def test_a_batch_is_one_assignment(tmp_path):
    queue = SubmissionQueue(tmp_path / "queue.sqlite")
    add(queue, "a", PS1)
    add(queue, "b", PS2)
    add(queue, "c", PS1)
    assert [(r.student, r.assignment) for r in queue.next_batch(8)] == [("a", PS1), ("c", PS1)]


def test_the_queue_is_private_from_the_start(tmp_path):
    old = os.umask(0o022)   # what an instructor's shell usually has
    try:
        home = tmp_path / "service"
        queue = SubmissionQueue(home / "queue.sqlite")
        add(queue, "alice")
    finally:
        os.umask(old)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for name in ("queue.sqlite", "queue.sqlite-wal", "queue.sqlite-shm"):
        assert stat.S_IMODE((home / name).stat().st_mode) == 0o600, name
