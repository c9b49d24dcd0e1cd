"""Grading many notebooks at once: worker processes on this machine, or a Dask cluster.

Each worker is a fresh Python process (`python -m autograder.parallel`) with its own zygote (numpy and torch imported once) and
its own sandbox user (`uid_base + slot`), so workers never share a process limit. Work is
handed out in small chunks; every result goes back to the parent as soon as it exists. If a
worker dies, the notebooks of its unfinished chunk get an error result, never a hole, and a
replacement worker carries on.
"""
from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Callable, Iterable

from autograder.results import SubmissionResult

CHUNK = 4
WORKER_DIED = "评分进程意外退出，这份作业没有评完；请让老师重新评分。"


def chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _settings_state(settings) -> dict:
    return {name: getattr(settings, name) for name in settings.trait_names() if settings.trait_metadata(name, "config")}


def _settings_from(state: dict):
    from autograder.sandbox.settings import SandboxSettings
    return SandboxSettings(**state)


# ------------------------------------------------------------------------- local workers

def worker_main(slot: int, assignment_id: str, settings_json: str, root: str, results_fd: int) -> None:
    """A worker process (`python -m autograder.parallel`): reads chunks as JSON lines on stdin,
    writes start/result/done lines to `results_fd` until stdin closes."""
    from autograder.engine import Grader

    out = os.fdopen(results_fd, "w", buffering=1, encoding="utf-8")
    send = lambda message: out.write(json.dumps(message, ensure_ascii=False) + "\n")  # noqa: E731
    settings = _settings_from(json.loads(settings_json))
    with Grader(assignment_id, settings, Path(root) if root else None, slot) as grader:
        grader.warm_up()   # while the parent is still busy
        for line in iter(sys.stdin.readline, ""):
            task = json.loads(line)
            send({"start": task["chunk"]})
            try:
                grader.grade(task["paths"], task.get("fingerprints"), on_result=lambda r: send({"result": r.to_json()}))
            except Exception:
                traceback.print_exc()
            send({"done": task["chunk"]})


class _Worker:
    def __init__(self, slot: int, assignment_id: str, settings_json: str, root: Path | None):
        read, write = os.pipe()
        self.slot = slot
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autograder.parallel", str(slot), assignment_id, settings_json,
             str(root or ""), str(write)],
            stdin=subprocess.PIPE, pass_fds=[write], text=True)
        os.close(write)
        self.results = read
        self.buffer = b""
        self.assigned: list[int] = []   # chunks given and not yet done, the first in progress
        self.delivered = 0

    def messages(self) -> list[dict] | None:
        """Complete lines available now (read without blocking beyond the selector's word);
        None at end of file, i.e. when the worker is gone."""
        data = os.read(self.results, 1 << 20)
        if not data:
            return None
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        return [json.loads(line) for line in lines if line.strip()]

    def give(self, index: int, paths: list[str], fingerprints: dict) -> None:
        self.assigned.append(index)
        self.process.stdin.write(json.dumps({"chunk": index, "paths": paths, "fingerprints": fingerprints}) + "\n")
        self.process.stdin.flush()

    def stop(self) -> None:
        try:
            self.process.stdin.close()
        except OSError:
            pass
        self.process.wait()
        os.close(self.results)


class WorkerPool:
    """Worker processes, started early (their imports and zygotes warm up while the caller
    prepares), then fed chunks."""

    def __init__(self, assignment_id: str, settings, workers: int, root: Path | None = None):
        self.assignment_id, self.root = assignment_id, root
        self.settings_json = json.dumps(_settings_state(settings))
        self.idle = [_Worker(slot, assignment_id, self.settings_json, root) for slot in range(1, max(1, workers) + 1)]

    def grade(self, paths: Iterable[str | Path], on_result: Callable[[SubmissionResult], None] | None = None,
              fingerprints: dict[str, str] | None = None, chunk_size: int | None = None) -> list[SubmissionResult]:
        paths = [str(p) for p in paths]
        fingerprints = fingerprints or {}
        # Each chunk is one pytest session (~0.15 s of CPU to set up): large chunks for large
        # batches, yet two or more per worker so that the work stays balanced.
        chunk_size = chunk_size or max(CHUNK, min(32, len(paths) // (2 * max(len(self.idle), 1))))
        pending = list(enumerate(chunks(paths, chunk_size)))
        work = dict(pending)
        collected: dict[str, SubmissionResult] = {}
        selector = selectors.DefaultSelector()
        failures = 0

        def emit(result: SubmissionResult) -> None:
            if result.submission not in collected:
                collected[result.submission] = result
                if on_result:
                    on_result(result)

        def fail_chunk(index: int) -> None:
            for path in work[index]:
                emit(SubmissionResult(path, self.assignment_id, "error", error=WORKER_DIED,
                                      fingerprint=fingerprints.get(path)))

        def feed(worker: _Worker) -> None:
            # One chunk in progress and one waiting: a worker never idles while we are busy.
            while pending and len(worker.assigned) < 2:
                index, chunk = pending.pop(0)
                worker.give(index, chunk, {p: fingerprints[p] for p in chunk if p in fingerprints})

        def enlist(worker: _Worker) -> None:
            selector.register(worker.results, selectors.EVENT_READ, worker)
            feed(worker)
            if not worker.assigned:
                selector.unregister(worker.results)
                worker.stop()

        while self.idle:
            enlist(self.idle.pop())
        while selector.get_map():
            for key, _ in selector.select():
                worker: _Worker = key.data
                messages = worker.messages()
                if messages is not None:
                    for message in messages:
                        if "result" in message:
                            worker.delivered += 1
                            emit(SubmissionResult.from_json(message["result"]))
                        elif "done" in message:
                            failures = 0
                            worker.assigned.remove(message["done"])
                            feed(worker)
                            if not worker.assigned:
                                selector.unregister(worker.results)
                                worker.stop()
                    continue
                # The worker is gone: its chunks get error results and a replacement takes
                # over, unless workers keep dying before delivering anything.
                selector.unregister(worker.results)
                worker.stop()
                for index in worker.assigned:
                    fail_chunk(index)
                failures = failures + 1 if worker.delivered == 0 else 0
                if failures >= 3:
                    while pending:
                        fail_chunk(pending.pop(0)[0])
                elif pending:
                    enlist(_Worker(worker.slot, self.assignment_id, self.settings_json, self.root))
        return [collected[p] for p in paths if p in collected]

    def close(self) -> None:
        while self.idle:
            self.idle.pop().stop()


def grade_in_parallel(paths: Iterable[str | Path], assignment_id: str, settings, workers: int,
                      on_result: Callable[[SubmissionResult], None] | None = None,
                      fingerprints: dict[str, str] | None = None, root: Path | None = None,
                      chunk_size: int | None = None) -> list[SubmissionResult]:
    paths = [str(p) for p in paths]
    pool = WorkerPool(assignment_id, settings, min(workers, max(1, -(-len(paths) // CHUNK))), root)
    try:
        return pool.grade(paths, on_result, fingerprints, chunk_size)
    finally:
        pool.close()


# --------------------------------------------------------------------------------- Dask

_dask_graders: dict = {}


def grade_chunk(paths: list[str], assignment_id: str, settings_state: dict, root: str | None,
                fingerprints: dict) -> list[dict]:
    """One Dask task: grade a chunk on whatever worker runs it, with that worker's Grader."""
    from autograder.engine import Grader

    key = (assignment_id, tuple(sorted(settings_state.items())), root, os.getpid())
    if key not in _dask_graders:
        slot = 100 + os.getpid() % 800  # a user of its own per worker process
        _dask_graders[key] = Grader(assignment_id, _settings_from(settings_state), Path(root) if root else None, slot)
    return [r.to_json() for r in _dask_graders[key].grade(paths, fingerprints)]


def grade_on_dask(paths: Iterable[str | Path], assignment_id: str, settings, scheduler: str,
                  on_result: Callable[[SubmissionResult], None] | None = None,
                  fingerprints: dict[str, str] | None = None, root: Path | None = None,
                  chunk_size: int = CHUNK) -> list[SubmissionResult]:
    from dask.distributed import Client, as_completed

    paths = [str(p) for p in paths]
    work = chunks(paths, chunk_size)
    state = _settings_state(settings)
    collected: dict[str, SubmissionResult] = {}
    with Client(scheduler) as client:
        futures = {client.submit(grade_chunk, chunk, assignment_id, state, str(root) if root else None,
                                 fingerprints or {}, pure=False): chunk for chunk in work}
        for future in as_completed(futures):
            chunk = futures[future]
            try:
                produced = [SubmissionResult.from_json(r) for r in future.result()]
            except Exception as exc:  # a lost worker or task: error results, never holes
                produced = [SubmissionResult(p, assignment_id, "error", error=f"{WORKER_DIED} ({type(exc).__name__})",
                                             fingerprint=(fingerprints or {}).get(p)) for p in chunk]
            for result in produced:
                collected[result.submission] = result
                if on_result:
                    on_result(result)
    return [collected[p] for p in paths if p in collected]


if __name__ == "__main__":
    worker_main(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
