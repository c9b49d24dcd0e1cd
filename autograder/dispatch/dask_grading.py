"""Grading on a Dask cluster whose workers share nothing with this machine but the installed
package: each task carries what it needs (autograder/dispatch/tasks.py), a lost worker's chunks are graded
elsewhere, a chunk whose workers keep dying is narrowed down to the submission that kills them,
and a worker of another version is refused before anything is recorded. On each worker the task
grades through a pool of one grading process under the watchdog (tasks.py, watchdog.py).
"""
from __future__ import annotations

import sys
import time
import traceback
import uuid
from pathlib import Path
from typing import Callable, Iterable

from autograder.course.assignments import Assignment
from autograder.course.results import SubmissionResult
from autograder.dispatch.parallel import CHUNK, chunks
from autograder.dispatch.tasks import Manifest, mismatch_message, scheduler_probe, worker_manifest
from autograder.dispatch.tasks import Plan, VersionMismatch, read_item, run_task
from autograder.grading.failures import INTERNAL, KILLED, ErrorResults

TASK_TRIES = 2            # a task that raises (not a lost worker) is tried this often per submission
WAIT_FOR_WORKERS = 120.0  # seconds to wait for a first worker, or for one after all were lost
POLL = 2.0


class ClusterError(RuntimeError):
    """The cluster cannot grade this batch (a worker of another version, no workers, the
    scheduler gone): nothing more is recorded, and running the same command again resumes."""


def grade_on_dask(paths: Iterable[str | Path], assignment_id: str, settings, scheduler: str,
                  on_result: Callable[[SubmissionResult], None] | None = None,
                  fingerprints: dict[str, str] | None = None, root: Path | None = None,
                  chunk_size: int | None = None, run=None) -> list[SubmissionResult]:
    """Grade on the Dask cluster at `scheduler`, whose workers need only the installed package:
    each task carries the submissions' bytes, the release notebook and the manifest of what must
    grade them (autograder/dispatch/tasks.py). A lost worker's tasks are rescheduled by Dask; the
    submissions of a chunk whose workers keep dying (KilledWorker) become suspects, graded one at
    a time with nothing else on the cluster, and only one that kills every worker it lands on
    alone is recorded as an error. A worker of
    another version stops the run with ClusterError before anything is recorded from it.
    `run` replaces the task function (tests)."""
    from dask.distributed import Client, KilledWorker


    run = run or run_task
    paths = [str(p) for p in paths]
    fingerprints = fingerprints or {}
    plan = Plan.of(Assignment.load(assignment_id, root), settings.to_state())
    collected: dict[str, SubmissionResult] = {}
    errors = ErrorResults(assignment_id, root)

    def emit(result: SubmissionResult) -> None:
        if result.submission not in collected:
            collected[result.submission] = errors.complete(result)
            if on_result:
                on_result(result)

    def error(path: str, message: str) -> None:
        emit(errors(path, message, fingerprints.get(path)))

    items = {}
    for path in paths:
        item = read_item(path, fingerprints.get(path))
        if isinstance(item, Exception):
            error(path, str(item))
        else:
            items[path] = item
    if not items:
        return [collected[p] for p in paths if p in collected]

    try:
        client = Client(scheduler, timeout=30)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from None
    with client:
        workers = _check_workers(client, plan)
        size = chunk_size or max(1, min(CHUNK, len(items) // (2 * max(workers, 1))))
        pending: dict = {}
        tries: dict[str, int] = {}

        def submit(chunk: list[str]) -> None:
            future = client.submit(run, plan.task([items[p] for p in chunk]), pure=False, retries=0,
                                   key=f"autograde-{assignment_id}-{uuid.uuid4().hex[:12]}")
            pending[future] = chunk

        for chunk in chunks(list(items), size):
            submit(chunk)
        try:
            _drain(client, pending, submit, emit, error, tries, KilledWorker, VersionMismatch)
        except BaseException:
            client.cancel(list(pending))
            raise
    return [collected[p] for p in paths if p in collected]


def _check_workers(client, plan) -> int:
    """Wait for a worker, then ask every worker what it would grade with: ClusterError naming
    each one that differs from this machine. Returns the number of workers."""

    try:   # the scheduler unpickles the tasks, so it needs the package too
        client.run_on_scheduler(scheduler_probe)
    except Exception as exc:
        raise ClusterError(f"the Dask scheduler {client.scheduler.address} cannot load the grader "
                           f"({type(exc).__name__}: {exc}); install the autograder package where the scheduler "
                           "runs too") from None
    try:
        client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS)
    except Exception:
        raise ClusterError(f"no Dask worker joined the scheduler {client.scheduler.address} within "
                           f"{WAIT_FOR_WORKERS:.0f} s; start workers with `dask worker ADDRESS --nthreads 1`") from None
    answers = client.run(worker_manifest, plan.manifest.assignment, plan.manifest.release, on_error="return")
    names = {address: info.get("name") for address, info in client.scheduler_info(n_workers=-1)["workers"].items()}
    problems = []
    for address, answer in sorted(answers.items()):
        where = f"{names.get(address) or address} ({address})"
        if isinstance(answer, BaseException):
            problems.append(f"the worker {where} cannot load the grader ({type(answer).__name__}: {answer}); "
                            "install the same autograder package there")
            continue
        found = Manifest(**answer["manifest"])
        if found != plan.manifest:
            problems.append(mismatch_message(f"{where} on {answer['host']}", found, plan.manifest))
    if problems:
        raise ClusterError("\n".join(problems))
    return len(answers)


def _drain(client, pending: dict, submit, emit, error, tries: dict, KilledWorker, VersionMismatch) -> None:
    from dask.distributed import wait

    allowed = _allowed_failures(client)
    alone = time.monotonic()
    # Dask blames every task a dead worker held, queued ones too: an innocent submission waiting
    # behind a poisonous one is "killed" with it. Only a submission that was alone on the cluster
    # when its workers died is guilty for sure.
    suspects: list[str] = []
    graded_alone: set[str] = set()
    while pending or suspects:
        if not pending:
            path = suspects.pop(0)
            graded_alone.add(path)
            submit([path])
        try:
            done = wait(list(pending), timeout=POLL, return_when="FIRST_COMPLETED").done
        except TimeoutError:
            done = set()
        if not done:
            if client.status not in ("running", "connecting"):
                raise ClusterError(f"lost the connection to the scheduler {client.scheduler.address}")
            if client.nthreads():
                alone = time.monotonic()
            elif time.monotonic() - alone > WAIT_FOR_WORKERS:
                raise ClusterError(f"every Dask worker left and none joined for {WAIT_FOR_WORKERS:.0f} s")
            continue
        for future in done:
            chunk = pending.pop(future)
            if future.status == "cancelled":
                raise ClusterError(f"the scheduler {client.scheduler.address} dropped the work "
                                   "(restarted or shut down?)")
            # A result held by a worker that died before we fetched it is "lost": Dask computes it
            # again, and exception() waits for that.
            exc = future.exception()
            if exc is None:
                for data in future.result():
                    emit(SubmissionResult.from_json(data))
                continue
            if isinstance(exc, VersionMismatch):
                raise ClusterError(str(exc))
            if isinstance(exc, ImportError):
                raise ClusterError(f"a worker cannot load the grader ({type(exc).__name__}: {exc}); install "
                                   "the same autograder package on every worker")
            if isinstance(exc.__cause__, ImportError) or "deserialization of the task graph" in str(exc):
                raise ClusterError(f"the Dask scheduler cannot load the grader ({exc.__cause__ or exc}); install "
                                   "the autograder package where the scheduler runs too")
            if isinstance(exc, KilledWorker):
                # Dask already tried this chunk on `allowed + 1` workers, each of which died.
                if chunk[0] in graded_alone:
                    error(chunk[0], KILLED.format(tries=allowed + 1))
                else:
                    suspects.extend(chunk)
                continue
            # An exception inside the task (the grader's, not the student's): logged here, where
            # the instructor sees it, then each submission once more, alone, elsewhere.
            print("autograder: a grading task failed on the cluster:\n"
                  + "".join(traceback.format_exception(type(exc), exc, future.traceback())), file=sys.stderr)
            retry = []
            for path in chunk:
                tries[path] = tries.get(path, 0) + 1
                if tries[path] < TASK_TRIES:
                    retry.append(path)
                else:
                    error(path, INTERNAL.format(kind=type(exc).__name__))
            for path in retry:
                submit([path])


def _allowed_failures(client) -> int:
    """How many workers a task may see die before the scheduler gives up on it (its
    distributed.scheduler.allowed-failures setting)."""
    try:
        return int(client.run_on_scheduler(
            lambda dask_scheduler: dask_scheduler.allowed_failures))
    except Exception:
        import dask.config
        return int(dask.config.get("distributed.scheduler.allowed-failures", 3))
