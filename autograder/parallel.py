"""Grading many notebooks at once: worker processes on this machine, or a Dask cluster.

Each worker is a fresh Python process with its own zygote (numpy and torch imported once) and
its own sandbox user (`uid_base + slot`), so workers never share a process limit. Work is
handed out in small chunks; every result goes back to the parent as soon as it exists. If a
worker dies, the notebooks of its unfinished chunk get an error result, never a hole, and a
replacement worker carries on.
"""
from __future__ import annotations

import multiprocessing
import os
import queue
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

def _worker(slot: int, assignment_id: str, settings_state: dict, root: str | None,
            tasks, results, fingerprints: dict) -> None:
    """A worker process: grade chunks until told to stop (None)."""
    from autograder.assignments import Assignment
    from autograder.grading import grade_notebooks
    from autograder.sandbox.client import Zygote

    settings = _settings_from(settings_state)
    assignment = Assignment.load(assignment_id, Path(root) if root else None)
    zygote = Zygote(assignment.preload, settings, str(assignment.root))
    try:
        while True:
            task = tasks.get()
            if task is None:
                return
            index, paths = task
            results.put(("start", slot, index))
            try:
                grade_notebooks(paths, assignment_id, settings, zygote=zygote, slot=slot,
                                fingerprints=fingerprints, root=Path(root) if root else None,
                                on_result=lambda r: results.put(("result", slot, r.to_json())))
            except Exception:
                traceback.print_exc()
            results.put(("done", slot, index))
    finally:
        zygote.close()


def grade_in_parallel(paths: Iterable[str | Path], assignment_id: str, settings, workers: int,
                      on_result: Callable[[SubmissionResult], None] | None = None,
                      fingerprints: dict[str, str] | None = None, root: Path | None = None,
                      chunk_size: int = CHUNK) -> list[SubmissionResult]:
    paths = [str(p) for p in paths]
    work = chunks(paths, chunk_size)
    context = multiprocessing.get_context("spawn")
    tasks, results = context.Queue(), context.Queue()
    for index, chunk in enumerate(work):
        tasks.put((index, chunk))
    state = _settings_state(settings)
    processes: dict[int, multiprocessing.Process] = {}

    def start(slot: int) -> None:
        process = context.Process(target=_worker, args=(slot, assignment_id, state, str(root) if root else None,
                                                        tasks, results, fingerprints or {}), daemon=True)
        process.start()
        processes[slot] = process

    for slot in range(1, max(1, min(workers, len(work))) + 1):
        start(slot)
    for _ in processes:
        tasks.put(None)

    collected: dict[str, SubmissionResult] = {}
    in_flight: dict[int, int] = {}
    finished_chunks: set[int] = set()

    def emit(result: SubmissionResult) -> None:
        if result.submission not in collected:
            collected[result.submission] = result
            if on_result:
                on_result(result)

    while len(finished_chunks) < len(work):
        try:
            kind, slot, payload = results.get(timeout=0.5)
        except queue.Empty:
            for slot, process in list(processes.items()):
                if process.is_alive():
                    continue
                del processes[slot]
                if slot in in_flight:
                    lost = in_flight.pop(slot)
                    for path in work[lost]:
                        if path not in collected:
                            emit(SubmissionResult(path, assignment_id, "error", error=WORKER_DIED,
                                                  fingerprint=(fingerprints or {}).get(path)))
                    finished_chunks.add(lost)
                if process.exitcode != 0:
                    start(slot)  # it died before taking its stop token: a replacement takes it
            continue
        if kind == "start":
            in_flight[slot] = payload
        elif kind == "result":
            emit(SubmissionResult.from_json(payload))
        elif kind == "done":
            in_flight.pop(slot, None)
            finished_chunks.add(payload)
    for process in processes.values():
        process.join(timeout=30)
    return [collected[p] for p in paths if p in collected]


# --------------------------------------------------------------------------------- Dask

_dask_zygotes: dict = {}


def grade_chunk(paths: list[str], assignment_id: str, settings_state: dict, root: str | None,
                fingerprints: dict) -> list[dict]:
    """One Dask task: grade a chunk on whatever worker runs it, reusing that worker's zygote."""
    from autograder.assignments import Assignment
    from autograder.grading import grade_notebooks
    from autograder.sandbox.client import Zygote

    settings = _settings_from(settings_state)
    assignment = Assignment.load(assignment_id, Path(root) if root else None)
    key = (assignment_id, tuple(sorted(settings_state.items())), os.getpid())
    if key not in _dask_zygotes:
        _dask_zygotes[key] = Zygote(assignment.preload, settings, str(assignment.root))
    slot = 100 + os.getpid() % 800  # a user of its own per worker process
    results = grade_notebooks(paths, assignment_id, settings, zygote=_dask_zygotes[key], slot=slot,
                              fingerprints=fingerprints, root=Path(root) if root else None)
    return [r.to_json() for r in results]


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
