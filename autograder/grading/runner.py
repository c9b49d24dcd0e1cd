"""One submission in its sandbox: its cells run once, then every test gets a fresh fork.

A cell that hangs or kills its process costs that cell only: the kernel is restarted and the
cells that had finished are replayed, then grading goes on with the next cell.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course.assignments import Assignment
from autograder.course.notebook import plan, read_notebook, transform_magics
from autograder.sandbox.client import Reply, Sandbox, SandboxError
from autograder.sandbox.settings import SandboxSettings
from autograder.sandbox.zygote_client import Zygote
from autograder.testkit.budget import Budgets, Hangs
from autograder.testkit.student import Student, StudentProblem


TRUSTED_CELL = 30.0


@dataclass
class CellOutcome:
    index: int
    grade_id: str | None
    status: str                  # ok | error | timeout | died
    error: dict | None = None
    output: str = ""


@dataclass
class SubmissionRun:
    path: Path
    assignment: Assignment
    zygote: Zygote
    settings: SandboxSettings
    slot: int = 0
    cells: list[CellOutcome] = field(default_factory=list)
    sandbox: Sandbox | None = None
    problem: str | None = None   # why nothing could run at all (shown to the student)
    budgets: Budgets | None = None
    hangs: Hangs = field(default_factory=Hangs)
    answers: dict = field(default_factory=dict)   # its own code's answers, by call (student.answer_key)
    fork_seconds: float = 0.0   # starting and ending each test's fresh process (timing["forks"])

    @property
    def key(self) -> str:
        return str(self.path)

    def start(self) -> None:
        """Read the notebook (NotebookError if it cannot be graded) and run its cells."""
        self.deadline = time.monotonic() + self.settings.submission_timeout
        planned = plan(read_notebook(self.path), self.assignment.cells)
        self.planned = [(p, transform_magics(p.source)) for p in planned]
        self.replayable: list[tuple[int, str, float]] = []
        try:
            self.sandbox = self.zygote.spawn(self.slot)
        except SandboxError as exc:
            self.problem = f"无法启动沙箱（sandbox）：{exc}"
            return
        if not self.sandbox.start_kernel().ok:
            self.problem = "无法启动运行代码的进程。"
            return
        for cell, code in self.planned:
            seconds = self._cell_budget(cell.origin)
            reply = self.sandbox.run_cell(cell.index, code, self._time_left(seconds))
            outcome = self._outcome(cell.index, cell.grade_id, reply)
            self.cells.append(outcome)
            if outcome.status in ("ok", "error"):
                self.replayable.append((cell.index, code, seconds))
            else:
                self._restart()

    def _cell_budget(self, origin: str) -> float:
        # The course's own cells (imports, data) are known to be quick; give them room anyway.
        return self.settings.cell_timeout if origin == "student" else max(self.settings.cell_timeout, TRUSTED_CELL)

    @property
    def protections(self) -> list[str]:
        return self.sandbox.protections if self.sandbox else []

    def _outcome(self, index: int, grade_id: str | None, reply: Reply) -> CellOutcome:
        if reply.ok:
            error = None if reply.body.get("ok") else reply.body.get("error") or {"type": "Error"}
            return CellOutcome(index, grade_id, "error" if error else "ok", error, reply.output)
        return CellOutcome(index, grade_id, "timeout" if reply.status == "timeout" else "died",
                           {"signal": reply.signal, "exitcode": reply.exitcode}, reply.output)

    def _restart(self) -> bool:
        """A fresh kernel with every cell that finished replayed; cells that hang again are dropped."""
        if self.sandbox is None or self.sandbox.closed or not self.sandbox.start_kernel().ok:
            return False
        for entry in list(self.replayable):
            index, code, seconds = entry
            reply = self.sandbox.run_cell(index, code, self._time_left(seconds))
            if not reply.ok:
                self.replayable.remove(entry)
                return self._restart()
        return True

    def _time_left(self, wanted: float) -> float:
        return max(min(wanted, self.deadline - time.monotonic()), 0.01)

    @contextmanager
    def student(self):
        """A Student for one test, in a fresh fork of the kernel; torn down afterwards."""
        def request(message: dict | None, timeout: float) -> Reply:
            return self.sandbox.test_request(message, self._time_left(timeout))

        def begin():
            started = time.monotonic()
            try:
                self._begin_test()
            finally:
                self.fork_seconds += time.monotonic() - started
            return request

        try:
            yield Student(begin(), self.budgets, self.hangs, restart=begin, answers=self.answers)
        finally:
            if self.sandbox is not None and not self.sandbox.closed:
                ending = time.monotonic()
                self.sandbox.end_test()
                self.fork_seconds += time.monotonic() - ending

    def _begin_test(self) -> None:
        if self.sandbox is None or self.sandbox.closed:
            raise StudentProblem("died", {"message": self.problem or "沙箱已关闭"}, "你的笔记本")
        if time.monotonic() > self.deadline:
            raise StudentProblem("timeout", {"seconds": self.settings.submission_timeout}, "整个提交")
        reply = self.sandbox.begin_test()
        if not reply.ok and self._restart():
            reply = self.sandbox.begin_test()
        if not reply.ok:
            raise StudentProblem("died", {"message": "the kernel is gone"}, "你的笔记本")

    def close(self) -> None:
        if self.sandbox:
            self.sandbox.close()
