"""Where the service's batches are graded: warm worker processes on this machine
(`python -m autograder.dispatch.worker`, the same process as `autograde`'s pool, one batch at a time each, under the watchdog: a worker
that shows no progress in time is killed with its sandboxes and replaced), or a Dask cluster
through `grade_on_dask`, exactly as `autograde --scheduler` grades.
"""
from __future__ import annotations

import asyncio
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from autograder.course.results import SubmissionResult
from autograder.dispatch.dask_grading import grade_on_dask
from autograder.dispatch.watchdog import Deadline, allowance, end_sandboxes, kill_tree
from autograder.dispatch.worker import command, next_message, read_result, task_line


class WorkerDied(Exception):
    pass


class WorkerStuck(WorkerDied):
    """No progress within the watchdog's allowance (watchdog.py): the worker was killed."""


class LocalWorker:
    """One `python -m autograder.dispatch.worker` process for any assignment (a Grader for each,
    kept warm); results come on a pipe of their own."""

    def __init__(self, slot: int, root: Path, settings):
        self.slot, self.root, self.settings = slot, root, settings
        self.process: asyncio.subprocess.Process | None = None
        self.reader: asyncio.StreamReader | None = None

    async def start(self) -> None:
        read, write = os.pipe()
        # umask 022: the worker makes its sandboxes' scratch files as grading always does (the
        # service itself runs with 077, so that nothing it writes is readable by others).
        self.process = await asyncio.create_subprocess_exec(
            *command(self.slot, self.settings, self.root, write, ignore_interrupt=True),
            stdin=asyncio.subprocess.PIPE, pass_fds=[write], umask=0o022)
        os.close(write)
        loop = asyncio.get_running_loop()
        self.reader = asyncio.StreamReader(limit=64 * 2**20)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(self.reader), os.fdopen(read, "rb"))

    async def grade(self, batch: str, assignment: str, paths: list[str], fingerprints: dict,
                    on_result: Callable[[SubmissionResult], None]) -> None:
        """WorkerDied if the worker ends first; WorkerStuck (it is then killed) if it shows no
        progress in time: before grading starts (its Grader warming up), STARTUP more."""
        try:
            self.process.stdin.write(task_line(batch, assignment, paths, fingerprints).encode())
            await self.process.stdin.drain()
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise WorkerDied(str(exc)) from None
        deadline = Deadline(self.settings)
        deadline.busy()
        while True:
            try:
                message = await asyncio.wait_for(next_message(self.reader), max(deadline.left(), 0.0))
            except asyncio.TimeoutError:
                await self.kill()
                raise WorkerStuck(f"worker {self.slot}: no progress in {allowance(self.settings):.0f} s") from None
            except asyncio.IncompleteReadError:
                message = None
            if message is None:
                raise WorkerDied(f"worker {self.slot} exited")
            deadline.progress(ready="start" in message)
            if "result" in message:
                on_result(read_result(message["result"]))
            elif message.get("done") == batch:
                return

    async def kill(self) -> None:
        """Stuck: the worker, its process tree and its sandboxes (watchdog.py)."""
        kill_tree(self.process.pid)
        await self.process.wait()
        await asyncio.get_running_loop().run_in_executor(None, end_sandboxes, self.process.pid)

    async def stop(self) -> None:
        if self.process and self.process.returncode is None:
            try:
                self.process.stdin.close()
            except Exception:
                pass
            try:
                await asyncio.wait_for(self.process.wait(), 5)   # its batch is queued again at the next start
            except asyncio.TimeoutError:
                await self.kill()


class LocalBackend:
    """Warm worker processes on this machine, each grading one batch at a time."""

    def __init__(self, settings, root: Path, workers: int, slot_base: int):
        self.settings = settings
        self.root = root
        self.capacity = max(1, workers)
        self.slots = [slot_base + k for k in range(1, self.capacity + 1)]
        self.idle: asyncio.Queue[LocalWorker] = asyncio.Queue()
        self.all: list[LocalWorker] = []
        self.description = f"{self.capacity} local worker(s)"

    async def start(self) -> None:
        for slot in self.slots:
            worker = LocalWorker(slot, self.root, self.settings)
            await worker.start()
            self.all.append(worker)
            self.idle.put_nowait(worker)

    async def grade(self, batch, assignment, paths, fingerprints, on_result) -> None:
        worker = await self.idle.get()
        try:
            await worker.grade(batch, assignment, paths, fingerprints, on_result)
        except WorkerDied:
            await worker.stop()
            await asyncio.get_running_loop().run_in_executor(None, end_sandboxes, worker.process.pid)
            self.all.remove(worker)
            worker = LocalWorker(worker.slot, self.root, self.settings)   # a fresh one takes over
            await worker.start()
            self.all.append(worker)
            raise
        finally:
            self.idle.put_nowait(worker)

    async def close(self) -> None:
        await asyncio.gather(*(w.stop() for w in self.all))


class DaskBackend:
    """Batches graded on a Dask cluster by `grade_on_dask`, exactly as `autograde --scheduler` does
    (each task carries the submissions; the workers need only the installed package)."""

    def __init__(self, settings, root: Path, address: str):
        self.settings, self.root, self.address = settings, root, address
        self.capacity = 1
        self.description = f"Dask at {address}"
        self.pool: ThreadPoolExecutor | None = None

    def _threads(self) -> int:
        from dask.distributed import Client

        with Client(self.address, timeout=30) as client:
            workers = client.scheduler_info().get("workers", {})
            return max(1, sum(w.get("nthreads", 1) for w in workers.values()))

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.capacity = await loop.run_in_executor(None, self._threads)
        self.pool = ThreadPoolExecutor(self.capacity, thread_name_prefix="dask")
        self.description = f"Dask at {self.address} ({self.capacity} threads)"

    async def grade(self, batch, assignment, paths, fingerprints, on_result) -> None:
        loop = asyncio.get_running_loop()
        emit = lambda result: loop.call_soon_threadsafe(on_result, result)  # noqa: E731
        try:
            await loop.run_in_executor(self.pool, lambda: grade_on_dask(paths, assignment, self.settings, self.address,
                                                                        emit, fingerprints, self.root))
        except Exception as exc:
            raise WorkerDied(f"{type(exc).__name__}: {exc}") from None
        await asyncio.sleep(0)   # the results scheduled above are delivered before the batch ends

    async def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
