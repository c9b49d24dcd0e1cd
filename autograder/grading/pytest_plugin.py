"""The bridge between the hidden pytest suites and submissions.

Every test asks for the `student` fixture. `submission` is session-scoped and parametrised over
the notebooks being graded, so pytest runs all tests of one notebook before starting the next,
and a notebook's result is complete (and handed to `on_result`) when its fixture is torn down.

A function that calls other graded functions declares them in its suite file, beside GRADE_ID:
`HELPERS = ("linear_model",)`. Each of its tests runs first with those replaced by stand-ins for
the reference (computed here, on the trusted side) and, if that fails, once more in a fresh
process with the student's own: the test passes if either run passes. So a mistake, a hang or
slowness in a helper costs points on the helper only, and a pair of functions that is right as a
whole is not charged twice.

The same plugin runs when an instructor calls pytest on a suite directly
(`pytest autograder/suites/ps1_derivatives --notebook my.ipynb`; by default the source
notebook, which must get full marks).
"""
from __future__ import annotations

import sys
import time
import traceback
from functools import cached_property
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from autograder.course.assignments import Assignment
from autograder.course.notebook import NotebookError
from autograder.course.results import CellReport, Diagnosis, FunctionNote, Outcome, SubmissionResult, TestResult
from autograder.integrity import answers
from autograder.grading.runner import CellOutcome, SubmissionRun
from autograder.sandbox.settings import SandboxSettings
from autograder.sandbox.zygote_client import Zygote
from autograder.testkit.budget import Budgets
from autograder.testkit.checks import Mistake, explain
from autograder.testkit.diagnosis import Failure, from_problem, function_cause, models_of
from autograder.testkit.reference import remembered
from autograder.testkit.student import StudentProblem
from autograder.views import figures
from autograder.views import messages

PLUGIN_NAME = "autograder-grading"
INTERNAL_ERROR = "评分程序内部出错，这不是你的问题；已记录，请联系老师。"


class GradingPlugin:
    __name__ = PLUGIN_NAME  # how pluggy names a plugin object; conftest.py checks for it

    def __init__(self, assignment: Assignment, notebooks: list[Path], settings: SandboxSettings | None = None,
                 on_result: Callable[[SubmissionResult], None] | None = None, slot: int = 0,
                 zygote: Callable[[str], Zygote] | None = None, fingerprints: dict[str, str] | None = None,
                 make_run: Callable[[str, Budgets], object] | None = None, budgets: Budgets | None = None):
        self.assignment = assignment
        self.keys = [str(p) for p in notebooks]
        self.make_run = make_run or self._sandboxed_run
        self.settings = settings or SandboxSettings()
        self.on_result = on_result
        self.slot = slot
        self.zygote = zygote                 # notebook -> the Grader's zygote for it (grading/engine.py), started on demand
        self.budgets = budgets or Budgets(self.reference, self.settings.budget_multiple,
                                          self.settings.budget_floor, self.settings.test_timeout)
        self.fingerprints = fingerprints or {}
        self.results: dict[str, SubmissionResult] = {}
        self.started: dict[str, float] = {}
        self.points: dict[str, tuple[str, str, float]] = {}   # nodeid -> (grade_id, what, points)
        self.order: list[str] = []
        # per submission and function: what its tests saw, for its one cause (diagnosis.function_cause)
        self.evidence: dict[str, dict[str, _Evidence]] = {}
        self.forks_before_call: dict[str, float] = {}   # per submission: its run's fork_seconds then

    # ------------------------------------------------------------------------ collection

    def _sandboxed_run(self, key: str, budgets: Budgets) -> SubmissionRun:
        return SubmissionRun(Path(key), self.assignment, self.zygote(key), self.settings, self.slot, budgets=budgets)

    @cached_property
    def reference(self):
        return remembered(self.assignment.id)

    def pytest_generate_tests(self, metafunc):
        if "submission" in metafunc.fixturenames:
            ids = [f"nb{i}" for i in range(len(self.keys))]
            metafunc.parametrize("submission", self.keys, indirect=True,
                                 scope="session", ids=ids)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session, config, items):
        for item in items:
            mark = item.get_closest_marker("graded")
            grade_id = getattr(item.module, "GRADE_ID", None)
            if mark is None or grade_id is None:
                raise pytest.UsageError(f"{item.nodeid}: every hidden test needs GRADE_ID and @graded(...)")
            what, points = mark.kwargs["what"], float(mark.kwargs.get("points", 1))
            base = item.nodeid.split("[", 1)[0]
            if base not in self.points:
                self.order.append(base)
            self.points[base] = (grade_id, what, points)
        # Run order (reports keep the suite's order): a submission's tests together; functions in
        # notebook order, so a helper is graded (and its hangs known) before the functions that
        # call it; each function's public check last, when its reference timings are known.
        functions = self.assignment.functions
        position = {id(item): i for i, item in enumerate(items)}

        def run_order(item):
            key = getattr(getattr(item, "callspec", None), "params", {}).get("submission")
            grade_id = getattr(item.module, "GRADE_ID", None)
            rank = functions.index(grade_id) if grade_id in functions else len(functions)
            public = self.points[item.nodeid.split("[", 1)[0]][2] == 0
            return (self.keys.index(key) if key in self.keys else -1, rank, public, position[id(item)])

        items.sort(key=run_order)

    @property
    def max_score(self) -> float:
        return round(sum(p for _, _, p in self.points.values()), 6)

    # ------------------------------------------------------------------ fixture bodies
    # (the fixtures themselves are module functions in suites/conftest.py: pytest deprecates
    # session-scoped fixtures defined as methods)

    def open_submission(self, key: str):
        """Set up one submission: run its cells in a sandbox, record what went wrong."""
        started = time.monotonic()
        run = self.make_run(key, self.budgets)
        result = SubmissionResult(key, self.assignment.id, "graded", max_score=self.max_score,
                                  fingerprint=self.fingerprints.get(key))
        self.results[key] = result
        self.started[key] = started
        try:
            run.start()
            result.timing["start"] = round(time.monotonic() - started, 4)
            result.protections = run.protections
            result.cells = [_cell_report(c) for c in run.cells if c.status != "ok"]
            if run.problem:
                result.status, result.error = "error", run.problem
        except NotebookError as exc:
            result.status, result.error = "error", str(exc)
        except Exception as exc:  # never lose the batch to one notebook
            traceback.print_exc(file=sys.stderr)
            result.status, result.error = "error", f"{INTERNAL_ERROR} ({type(exc).__name__})"
        return run

    def close_submission(self, run) -> None:
        key = str(run.key)
        forks = getattr(run, "fork_seconds", 0.0)   # the tests' (the figures' process is the figures')
        if isinstance(run, SubmissionRun):   # not in nbgrader's kernel, where the bridge grades one function
            try:   # the feedback page's figures: one more process, the demo's inputs (autograder/views/figures.py)
                figures.collect(run, self.results[key])
            except Exception:
                traceback.print_exc(file=sys.stderr)
        closing = time.monotonic()
        run.close()
        timing = self.results[key].timing
        timing["close"] = round(time.monotonic() - closing, 4)
        timing["forks"] = round(forks, 4)
        self._finish(key)

    def _account(self, key: str) -> None:
        """`total`, from the notebook's start to its result, and the part of it no other part
        holds: pytest's own steps around the tests (its hooks, this plugin's reports of each
        test, fixture bookkeeping). The parts add up to `total`."""
        timing = self.results[key].timing
        timing["total"] = round(time.monotonic() - self.started.get(key, time.monotonic()), 4)
        timing["pytest"] = 0.0
        timing["pytest"] = round(max(0.0, timing["total"] - sum(v for k, v in timing.items() if k != "total")), 4)

    def gradable(self, run) -> bool:
        return self.results[str(run.key)].status != "error"

    # --------------------------------------------------------------------------- reports

    @pytest.hookimpl(tryfirst=True, specname="pytest_runtest_makereport")
    def pytest_report_without_traceback(self, item, call):
        """A failure's report without pytest's formatted traceback (which parses the test's
        source, ~3 ms a failure): when grading, no one reads it; results come from the excinfo."""
        excinfo = call.excinfo
        if excinfo is None or excinfo.errisinstance(pytest.skip.Exception) \
                or item.config.pluginmanager.get_plugin("terminalreporter") is not None:
            return None   # pytest's own report (plain pytest on a suite shows it)
        return pytest.TestReport(item.nodeid, item.location, dict.fromkeys(item.keywords, 1), "failed",
                                 f"{excinfo.typename}: {excinfo.value}", call.when, [], call.duration,
                                 call.start, call.stop)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        key = getattr(getattr(item, "callspec", None), "params", {}).get("submission")
        result = self.results.get(key)
        base = item.nodeid.split("[", 1)[0]
        if result is None or result.status == "error" or base not in self.points:
            return
        grade_id, what, points = self.points[base]
        if report.when == "call":   # student calls and trusted comparisons: the floor of grading
            # less a fresh process started within the call (judged alone): that is in `forks`
            run = item.funcargs.get("submission") if hasattr(item, "funcargs") else None
            forks = getattr(run, "fork_seconds", 0.0)
            restarted = forks - self.forks_before_call.pop(key, forks)
            result.timing["tests"] = round(result.timing.get("tests", 0.0) + report.duration - restarted, 4)
        elif report.when == "setup":
            run = item.funcargs.get("submission") if hasattr(item, "funcargs") else None
            self.forks_before_call[key] = getattr(run, "fork_seconds", 0.0)
        if report.when == "call" or (report.when == "setup" and report.failed):
            evidence = self.evidence.setdefault(key, {}).setdefault(grade_id, _Evidence())
            self._keep_calls(item, evidence)
            if report.passed:
                test = TestResult(grade_id, what, points, points, Outcome.PASSED)
            else:
                message = _message(call.excinfo)
                failure = self._failure(call.excinfo, grade_id)
                # the test's own reading until the function's one cause is decided (_finish); the
                # figures, drawn before that, skip functions not written yet by it
                test = TestResult(grade_id, what, 0.0, points, Outcome.FAILED, message, failure.named or failure.problem,
                                  message=message)
                if points > 0:
                    evidence.failures.append(failure)
            result.tests.append(test)

    def _keep_calls(self, item, evidence: "_Evidence") -> None:
        """This test's calls of its function, for the diagnosis: only those made by the function's
        own code with the reference's helpers or with helpers that lost nothing, the inputs the
        mistake models replay with the reference's helpers."""
        student = item.funcargs.get("student") if hasattr(item, "funcargs") else None
        if student is None:
            return
        helpers = tuple(getattr(item.module, "HELPERS", ()))
        if helpers and not student.alone and not self._helpers_all_right(item, helpers):
            return
        evidence.calls.extend(c for c in student.calls if c.name == getattr(item.module, "GRADE_ID", None))

    @staticmethod
    def _failure(excinfo, grade_id: str) -> Failure:
        """What a failed test says about the cause: the property it checked, or how the code failed to answer."""
        error = excinfo.value if excinfo is not None else None
        try:
            if isinstance(error, Mistake) and error.diagnosis:
                code, text = error.diagnosis
                return Failure(named=Diagnosis(f"{grade_id}.{code}", text))
            if isinstance(error, StudentProblem):
                return Failure(problem=from_problem(grade_id, error))
        except Exception:   # a diagnosis is a help, never a reason to lose a result
            traceback.print_exc(file=sys.stderr)
        return Failure()

    def _causes(self, key: str) -> dict[str, Diagnosis]:
        """Each function's one cause (autograder/testkit/diagnosis.py: function_cause)."""
        causes = {}
        for grade_id, evidence in self.evidence.pop(key, {}).items():
            try:
                cause = function_cause(grade_id, evidence.failures, evidence.calls, self.models.get(grade_id, []),
                                       self.reference)
            except Exception:   # a diagnosis is a help, never a reason to lose a result
                traceback.print_exc(file=sys.stderr)
                cause = None
            if cause is not None:
                causes[grade_id] = cause
        return causes

    @cached_property
    def models(self):
        return models_of(self.assignment.id)

    def _finish(self, key: str) -> None:
        result = self.results[key]
        diagnosing = time.monotonic()
        if result.status == "error":
            result.tests = []
        else:
            seen = {t.name for t in result.tests}
            for base in self.order:   # a test that never reported (crash in teardown) still counts
                grade_id, what, points = self.points[base]
                if f"{grade_id}: {what}" not in seen:
                    result.tests.append(TestResult(grade_id, what, 0.0, points, Outcome.FAILED,
                                                   INTERNAL_ERROR))
            rank = {f"{self.points[b][0]}: {self.points[b][1]}": i for i, b in enumerate(self.order)}
            functions = self.assignment.functions
            result.tests.sort(key=lambda t: (functions.index(t.grade_id) if t.grade_id in functions else 99,
                                             rank.get(t.name, 0)))
            try:   # what wrong functions returned, for the integrity report (trusted side only)
                result.answers = answers.of_calls(self.evidence.get(key, {}))
            except Exception:
                traceback.print_exc(file=sys.stderr)
            result.notes = {name: FunctionNote(cause) for name, cause in self._causes(key).items()}
            try:
                messages.compose(result, self.assignment, self.settings.hints)
            except Exception:   # the messages as the tests wrote them, rather than no result
                traceback.print_exc(file=sys.stderr)
        self.evidence.pop(key, None)
        result.timing["diagnosis"] = round(time.monotonic() - diagnosing, 4)
        self._account(key)
        if self.on_result:
            self.on_result(result)

    # ---------------------------------------------------------------- judged alone

    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem):
        student = pyfuncitem.funcargs.get("student")
        helpers = tuple(getattr(pyfuncitem.module, "HELPERS", ()))
        if student is None:
            return None
        student.subject = getattr(pyfuncitem.module, "GRADE_ID", None)

        def run() -> None:
            arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
            if "rng" in arguments:   # a second run sees the same random inputs as the first
                arguments["rng"] = seeded_rng(pyfuncitem.originalname)
            pyfuncitem.obj(**arguments)

        hangs, slow = student._hangs, None
        if helpers and student.subject not in hangs.alone and not any(h in hangs for h in helpers):
            # With the student's own helpers first: the usual case (all right) costs one run.
            student.alone = False
            try:
                run()
                return True
            except (Mistake, StudentProblem) as first:
                if isinstance(first, StudentProblem) and first.kind == "missing":
                    raise
                if isinstance(first, StudentProblem) and first.kind == "timeout":
                    # Out of time with its own helpers: they may be what was slow (a correct helper
                    # that prints megabytes is quick once, not a thousand times). Judged alone from
                    # now on, it pays only for its own time; the helpers' own tests judge them.
                    hangs.alone.add(student.subject)
                    slow = first
                elif self._helpers_all_right(pyfuncitem, helpers):
                    raise   # its helpers are right, so this was it alone: the failure is its own
            student.restart()
        if helpers:
            # Alone: the helpers are stand-ins for the reference; what fails now is its own doing.
            student.alone = True
            student.use_helpers({name: getattr(self.reference, name) for name in helpers})
        try:
            run()
        except StudentProblem as again:
            if slow is not None and again.kind == "timeout" and again.name == slow.name == student.subject:
                student.charge(slow.name, slow.detail.get("seconds", 0.0))   # so was the first run's
            raise
        return True

    def _helpers_all_right(self, item, helpers: tuple) -> bool:
        """Whether every helper has been graded for this submission and lost nothing."""
        key = getattr(getattr(item, "callspec", None), "params", {}).get("submission")
        result = self.results.get(key)
        if result is None:
            return False
        graded = {t.grade_id for t in result.tests}
        return all(h in graded for h in helpers) and not any(
            t.grade_id in helpers and t.status != "passed" for t in result.tests)


class _Evidence:
    """One function's tests in one submission: their replayable calls and what their failures said."""

    def __init__(self):
        self.calls: list = []
        self.failures: list[Failure] = []


def seeded_rng(name: str) -> np.random.Generator:
    """Random inputs that are the same for every submission (fair) and every run (reproducible)."""
    return np.random.default_rng(sum(ord(ch) * (i + 1) for i, ch in enumerate(name)))


def _message(excinfo) -> str:
    if excinfo is None:
        return INTERNAL_ERROR
    error = excinfo.value
    if isinstance(error, Mistake):
        return str(error)
    if isinstance(error, StudentProblem):
        return explain(error)
    traceback.print_exception(error, file=sys.stderr)
    return INTERNAL_ERROR


def _cell_report(cell: CellOutcome) -> CellReport:
    where = f"单元格 {cell.grade_id}" if cell.grade_id else f"第 {cell.index} 个代码单元格"
    if cell.status == "timeout":
        message = f"{where}运行超时，已跳过（这个单元格里定义的内容在评分时不存在）。"
    elif cell.status == "died":
        message = f"{where}让运行代码的进程终止了（os._exit、崩溃或内存用尽），已跳过。"
    else:
        error = cell.error or {}
        message = f"{where}运行出错：{error.get('type', 'Error')}: {error.get('message', '')}".rstrip(": ")
        if error.get("type") == "SyntaxError" and error.get("line"):
            message += f"（第 {error['line']} 行：{error.get('text', '')}）"
    return CellReport(cell.index, cell.grade_id, cell.status, message)
