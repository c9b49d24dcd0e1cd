"""Grading many notebooks at once on this machine: a pool of worker processes.

Each worker is a fresh Python process (`python -m autograder.dispatch.worker`, worker.py) with its own sandbox user
(`uid_base + slot`, the slot claimed so that no other grading process on the machine holds it),
so workers never share a process limit. The workers of a batch share one zygote (numpy, and torch
where the assignment uses it, imported once, not once per worker): this process starts it and
hands each worker a connection of its own (a socket pair, never a name); a worker whose
notebooks import more, or whose zygote is gone, starts its own. Work is handed out in chunks
cut as it goes, smaller towards the end, one at a time; every result goes back to the parent as
soon as it exists. A worker that dies, or stops making progress (watchdog.py: it is then killed
with its sandboxes), is replaced; the notebooks of the chunk it was on are graded again one at a
time, and one that stops or kills a worker alone gets an error result with the suite's max_score
(failures.py), never a hole.

On a Dask cluster (dask_grading.py) each Dask worker grades through a pool of one such worker.
"""
from __future__ import annotations

import json
import os
import selectors
import subprocess
from pathlib import Path
from typing import Callable, Iterable

from autograder.course.assignments import Assignment
from autograder.course.results import SubmissionResult
from autograder.dispatch.watchdog import Deadline, allowance, end_sandboxes, kill_worker
from autograder.dispatch.worker import Frames, command, read_result, task_line
from autograder.grading.engine import distinct
from autograder.grading.failures import NO_WORKER, STUCK, WORKER_DIED, ErrorResults
from autograder.sandbox.zygote_client import SandboxError, Zygote

CHUNK = 4


def chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


# ------------------------------------------------------------------------- local workers

class _Worker:
    """One worker process: the chunks it holds (the first in progress once it said "start") and
    the deadline of its next sign of progress (watchdog.py)."""

    def __init__(self, slot: int, assignment_id: str, root: Path | None, settings, zygote=None):
        read, write = os.pipe()
        self.slot, self.assignment_id = slot, assignment_id
        try:
            connection = zygote[0].adopt() if zygote else None
        except OSError:   # the batch's zygote is gone: this worker starts its own
            connection = None
        shared = {"zygote_fd": connection.fileno(), "preload": zygote[1]} if connection else {}
        self.process = subprocess.Popen(
            command(slot, settings, root, write, assignment_id, **shared),
            stdin=subprocess.PIPE, pass_fds=[write] + ([connection.fileno()] if connection else []), text=True)
        os.close(write)
        if connection:
            connection.close()
        self.results = read
        self.frames = Frames()
        self.assigned: list[int] = []   # chunks given and not yet done
        self.current: int | None = None  # the one it said it started
        self.ready = False
        self.deadline = Deadline(settings)

    def messages(self) -> list[dict] | None:
        """Complete lines available now (read without blocking beyond the selector's word);
        None at end of file, i.e. when the worker is gone."""
        data = os.read(self.results, 1 << 20)
        if not data:
            return None
        messages = self.frames.feed(data)
        for message in messages:
            if "ready" in message:
                self.ready = True
            elif "start" in message:
                self.current = message["start"]
            elif "done" in message:
                self.current = None
                self.assigned.remove(message["done"])
        if messages:
            self.deadline.progress(ready=self.ready)
        if not self.assigned:
            self.deadline.idle()
        return messages

    def give(self, index: int, paths: list[str], fingerprints: dict) -> None:
        self.assigned.append(index)
        self.deadline.busy()
        try:
            self.process.stdin.write(task_line(index, self.assignment_id, paths, fingerprints))
            self.process.stdin.flush()
        except OSError:
            pass   # it died while resting: its end of file comes next, and the chunk goes back

    def stop(self) -> None:
        try:
            self.process.stdin.close()
        except OSError:
            pass
        self.process.wait()
        os.close(self.results)

    def kill(self) -> None:
        """Stuck: the worker, its process tree and its sandboxes, at once."""
        kill_worker(self.process.pid, self.process.wait)
        self.stop()


class WorkerPool:
    """Worker processes, started early (their imports and zygotes warm up while the caller
    prepares), then fed chunks. A worker that dies or stops making progress (watchdog.py) is
    replaced; the submissions of the chunk it was grading are graded again one at a time, and
    one that stops or kills a worker alone is an error result, with the suite's max_score."""

    def __init__(self, assignment_id: str, settings, workers: int, root: Path | None = None, first_slot: int = 1):
        self.assignment_id, self.root, self.settings = assignment_id, root, settings
        self.zygote = _batch_zygote(assignment_id, settings, root) if workers > 1 else None
        self.slots = list(range(first_slot, first_slot + max(1, workers)))
        self.idle = [self._worker(slot) for slot in self.slots]
        self.errors = ErrorResults(assignment_id, root)

    def _worker(self, slot: int) -> _Worker:
        return _Worker(slot, self.assignment_id, self.root, self.settings, self._live_zygote())

    def max_score(self) -> float:
        """The suite's, for error results made here (the same for every submission)."""
        return self.errors.max_score

    def grade(self, paths: Iterable[str | Path], on_result: Callable[[SubmissionResult], None] | None = None,
              fingerprints: dict[str, str] | None = None, chunk_size: int | None = None) -> list[SubmissionResult]:
        paths = [str(p) for p in paths]
        fingerprints = fingerprints or {}
        unchunked = list(paths) if chunk_size is None else []
        work: dict[int, tuple[list[str], bool]] = {} if chunk_size is None else {
            i: (c, False) for i, c in enumerate(chunks(paths, chunk_size))}
        pending: list[int] = list(work)   # chunk indices; a chunk is (paths, graded alone?)
        collected: dict[str, SubmissionResult] = {}
        selector = selectors.DefaultSelector()
        unready_deaths = 0

        def emit(result: SubmissionResult) -> None:
            if result.submission not in collected:
                collected[result.submission] = self.errors.complete(result)
                if on_result:
                    on_result(result)

        def next_chunk() -> None:
            """Cut the next chunk off what is left: a share of it (guided self-scheduling), so
            that chunks shrink towards the end and no worker is left with a long one while the
            other has nothing (a notebook whose cells take seconds made a tail of 3 s on one
            core). Each chunk is a pytest session, about 25 ms of a worker's CPU."""
            size = max(1, min(32, -(-len(unchunked) // (2 * len(self.slots)))))
            work[len(work)] = (unchunked[:size], False)
            del unchunked[:size]
            pending.append(len(work) - 1)

        def feed(worker: _Worker) -> None:
            # Fixed chunks: one in progress and one waiting, so that a worker never idles while
            # we are busy. Shrinking chunks: one at a time, since a chunk waiting behind a slow
            # one cannot go to a worker that is free (the answer to `done` takes a millisecond).
            while (pending or unchunked) and len(worker.assigned) < (1 if chunk_size is None else 2):
                if not pending:
                    next_chunk()
                index = pending.pop(0)
                chunk = work[index][0]
                worker.give(index, chunk, {p: fingerprints[p] for p in chunk if p in fingerprints})

        def enlist(worker: _Worker) -> None:
            selector.register(worker.results, selectors.EVENT_READ, worker)
            feed(worker)
            if not worker.assigned:
                rest(worker)

        def rest(worker: _Worker) -> None:
            """Nothing left for it now: it waits, warm, for the next call (close() ends it)."""
            selector.unregister(worker.results)
            self.idle.append(worker)

        def lost(worker: _Worker, why: str) -> None:
            """A worker that died or was killed as stuck: the chunk it was grading is graded
            again one submission at a time (or, graded alone already, is an error); the chunks
            it had not started go back to the queue as they were."""
            selector.unregister(worker.results)
            if why == "stuck":
                worker.kill()
            else:
                worker.stop()
                end_sandboxes(worker.process.pid)   # what a sandbox it had running left behind
            retry = []
            for index in worker.assigned:
                chunk, alone = work[index]
                left = [p for p in chunk if p not in collected]
                if index != worker.current:
                    retry.append(index)
                elif alone:
                    message = STUCK.format(seconds=allowance(self.settings)) if why == "stuck" else WORKER_DIED
                    for path in left:
                        emit(self.errors(path, message, fingerprints.get(path)))
                else:
                    for path in left:
                        work[len(work)] = ([path], True)
                        retry.append(len(work) - 1)
            pending[:0] = retry

        resting, self.idle = self.idle, []
        for worker in resting:
            enlist(worker)
        try:
            while selector.get_map():
                workers = [key.data for key in selector.get_map().values()]
                timeouts = [w.deadline.left() for w in workers if w.deadline.left() is not None]
                events = selector.select(max(0.0, min(timeouts)) if timeouts else None)
                for key, _ in events:
                    worker: _Worker = key.data
                    messages = worker.messages()
                    if messages is None:   # the worker is gone
                        unready_deaths = 0 if worker.ready else unready_deaths + 1
                        lost(worker, "died")
                        continue
                    for message in messages:
                        if "result" in message:
                            emit(read_result(message["result"]))
                    feed(worker)
                    if not worker.assigned:
                        rest(worker)
                for worker in [key.data for key in list(selector.get_map().values())]:
                    if worker.deadline.passed():
                        unready_deaths = 0 if worker.ready else unready_deaths + 1
                        lost(worker, "stuck")
                if unready_deaths >= 3:   # workers cannot even start here: say so for everything left
                    for path in [p for index in pending for p in work[index][0]] + unchunked:
                        emit(self.errors(path, NO_WORKER, fingerprints.get(path)))
                    pending.clear()
                    unchunked.clear()
                alive = {key.data.slot for key in selector.get_map().values()} | {w.slot for w in self.idle}
                for slot in self.slots:
                    if (pending or unchunked) and slot not in alive:   # a replacement for one that died or was killed
                        enlist(self._worker(slot))
                while (pending or unchunked) and self.idle:   # chunks given back, and a worker resting
                    enlist(self.idle.pop())
        except BaseException:
            # on_result raised (the caller stops the batch: it cannot record), or Ctrl-C: a
            # worker still busy is ended now with its sandboxes, not left grading for nobody.
            for key in list(selector.get_map().values()):
                key.data.kill()
            raise
        return [collected[p] for p in paths if p in collected]

    def _live_zygote(self):
        """The batch's zygote for a (replacement) worker, unless it is gone (the worker then starts its own)."""
        if self.zygote and self.zygote[0].process is not None and self.zygote[0].process.poll() is None:
            return self.zygote
        return None

    def close(self) -> None:
        resting, self.idle = self.idle, []
        for worker in resting:   # all told at once: they end side by side, not one after another
            try:
                worker.process.stdin.close()
            except OSError:
                pass
        for worker in resting:
            worker.stop()
        if self.zygote:
            self.zygote[0].close()   # after the workers: it ends once its last connection has closed
            self.zygote = None


def _batch_zygote(assignment_id: str, settings, root: Path | None):
    """One zygote for all the workers of a batch, with what each worker warms up with (numpy, and
    torch where the assignment uses it): one import of torch instead of one per worker, started
    before the workers so that it runs beside their own imports. (zygote, its preload), or None."""
    try:
        assignment = Assignment.load(assignment_id, root)
        preload = sorted(assignment.preload)
        return Zygote(preload, settings, str(assignment.root)), preload
    except (SandboxError, OSError):
        return None


def pool_size(submissions: int) -> int:
    """Workers worth starting for this many submissions: one per CHUNK of them."""
    return max(1, -(-submissions // CHUNK))


def grade_in_parallel(paths: Iterable[str | Path], assignment_id: str, settings, workers: int,
                      on_result: Callable[[SubmissionResult], None] | None = None,
                      fingerprints: dict[str, str] | None = None, root: Path | None = None,
                      chunk_size: int | None = None) -> list[SubmissionResult]:
    paths = distinct(paths)
    pool = WorkerPool(assignment_id, settings, min(workers, pool_size(len(paths))), root)
    try:
        return pool.grade(paths, on_result, fingerprints, chunk_size)
    finally:
        pool.close()

