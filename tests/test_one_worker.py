"""One worker loop (autograder/dispatch/worker.py): the local pool (`grade --workers`, `autograde`,
each Dask worker's grading process) and the service's warm workers start the same process, and
it grades the same notebook identically for both. Real processes, real sandboxes, no mocks."""
from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from helpers import make_submission

from autograder.course.results import SubmissionResult
from autograder.dispatch.parallel import WorkerPool
from autograder.dispatch.worker import MODULE
from autograder.sandbox.settings import SandboxSettings
from autograder.service.backends import LocalBackend

ASSIGNMENT = "ps1_derivatives"
WRONG = {"f_prime": "def f_prime(x):\n    return 2 * x + 1\n"}


def module_of(pid: int) -> str:
    """What `python -m ...` a process runs."""
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    return argv[argv.index(b"-m") + 1].decode()


def comparable(result: SubmissionResult) -> dict:
    """All but the seconds taken and the sandbox's description, which names the worker's own user."""
    data = result.to_json()
    data.pop("timing")
    data.pop("protections")
    return data


def test_the_pool_and_the_service_run_one_worker_module(tmp_path):
    notebook = str(make_submission(ASSIGNMENT, tmp_path / "student.ipynb", WRONG))
    settings = SandboxSettings(submission_timeout=120)

    pool = WorkerPool(ASSIGNMENT, settings, 1)
    try:
        pooled = pool.grade([notebook])
        pool_modules = {module_of(w.process.pid) for w in pool.idle}
    finally:
        pool.close()

    async def serve() -> tuple[set[str], list[SubmissionResult]]:
        backend = LocalBackend(settings, tmp_path, 1, slot_base=40)
        await backend.start()
        got: list[SubmissionResult] = []
        try:
            modules = {module_of(w.process.pid) for w in backend.all}
            await backend.grade("b1", ASSIGNMENT, [notebook], {}, got.append)
        finally:
            await backend.close()
        return modules, got

    service_modules, served = asyncio.run(serve())

    assert pool_modules == service_modules == {MODULE}
    assert len(pooled) == len(served) == 1
    assert pooled[0].status == "graded" and 0 < pooled[0].score < pooled[0].max_score   # the wrong f_prime lost points
    assert comparable(pooled[0]) == comparable(served[0])


def test_one_worker_grades_two_assignments_in_turn_with_one_task_key(tmp_path):
    """The worker's protocol: ready, then per task start/result/done under the task's id, any
    assignment (one Grader each) -- what the service relies on, spoken to directly."""
    import os

    from autograder.dispatch.worker import Frames, command, read_result, task_line

    first = str(make_submission(ASSIGNMENT, tmp_path / "a" / "nb.ipynb"))
    second = str(make_submission("ps2_gradient_descent", tmp_path / "b" / "nb.ipynb"))
    read, write = os.pipe()
    process = subprocess.Popen(command(41, SandboxSettings(), None, write), stdin=subprocess.PIPE,
                               pass_fds=[write], text=True)
    os.close(write)
    process.stdin.write(task_line("t1", ASSIGNMENT, [first], {first: "fp1"}))
    process.stdin.write(task_line(7, "ps2_gradient_descent", [second], {}))
    process.stdin.close()
    with os.fdopen(read, "rb") as pipe:
        messages = Frames().feed(pipe.read())
    assert process.wait(timeout=60) == 0
    kinds = [next(iter(m)) for m in messages]
    assert kinds == ["ready", "start", "result", "done", "start", "result", "done"], kinds
    assert [m.get("start", m.get("done")) for m in messages if "start" in m or "done" in m] == ["t1", "t1", 7, 7]
    results = [read_result(m["result"]) for m in messages if "result" in m]
    assert [(r.assignment, r.status.value, r.score == r.max_score) for r in results] == \
        [(ASSIGNMENT, "graded", True), ("ps2_gradient_descent", "graded", True)]
    assert results[0].fingerprint == "fp1"
