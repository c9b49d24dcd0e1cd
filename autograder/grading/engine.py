"""The grading engine: every command grades through a `Grader`.

    with Grader("ps3_linear_regression") as grader:
        for result in grader.grade(["alice.ipynb", "bob.ipynb"]):
            ...

A Grader owns one assignment, its settings, its zygotes (started once, reused for every
submission it grades; one more for notebooks that import more than the rest) and the reference timings the call budgets come from. `grade` runs the
hidden suite once with pytest over a batch of notebooks and returns their results in order;
`on_result` sees each one as soon as it is complete. `autograder grade`, `check`, `autograde`,
each local worker, each Dask worker, the nbgrader bridge and plain `pytest` on a suite all grade
through this class, so they share one speed and one behaviour.
"""
from __future__ import annotations

import contextlib
import io
import os
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable

from autograder.course.assignments import Assignment
from autograder.course.notebook import NotebookError
from autograder.course.results import SubmissionResult
from autograder.sandbox.settings import SandboxSettings
from autograder.sandbox.slots import claim_slot
from autograder.sandbox.zygote_client import Zygote
from autograder.testkit.budget import Budgets

PYTEST_ARGS = ["-s", "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:warnings", "-p", "no:faulthandler",
               "-p", "no:logging", "-p", "no:junitxml", "-p", "no:doctest", "-p", "no:pastebin", "-p", "no:stepwise",
               "-p", "no:debugging", "-p", "no:tmpdir", "-p", "no:monkeypatch", "-p", "no:recwarn", "-p", "no:unittest",
               "-p", "no:setuponly", "-p", "no:setupplan", "-p", "no:legacypath", "-p", "no:nose",
               # these two run a full gc.collect() after every test, to report what nobody reads here
               "-p", "no:unraisableexception", "-p", "no:threadexception",
               "--disable-plugin-autoload", "-c", os.devnull]


def distinct(paths: Iterable[str | Path]) -> list[str]:
    """The notebooks named, each once, as the results name them (pathlib's form: no `./`)."""
    return list(dict.fromkeys(str(Path(p)) for p in paths))


class Grader:
    def __init__(self, assignment_id: str, settings: SandboxSettings | None = None, root: Path | None = None,
                 slot: int | None = None, make_run: Callable | None = None, linger: float = 0.0,
                 shared_zygote: tuple | None = None):
        self.assignment = Assignment.load(assignment_id, root)
        self.settings = settings or SandboxSettings()
        self.linger = linger   # `check`: the zygote waits this long for the next check (zygote_client.py)
        if slot is not None or make_run is not None:
            self.slot = slot or 0
        self.make_run = make_run          # the nbgrader bridge runs tests in its own kernel instead
        self._zygotes: dict[tuple[str, ...], Zygote] = {}   # by what each has imported
        self._wanted: dict[str, frozenset[str]] = {}          # notebook -> what its cells import
        self._shared = shared_zygote   # (connection, its preload): a batch's zygote (parallel.WorkerPool)

    # ------------------------------------------------------------------------------ parts

    @cached_property
    def reference(self):
        from autograder.testkit.reference import remembered
        return remembered(self.assignment.id)

    @cached_property
    def slot(self) -> int:
        """A sandbox user no other grading process on this machine has (two `check`s at once);
        claimed when first needed, after the zygote has started."""
        return claim_slot(self.settings.uid_base, first=0)

    @cached_property
    def budgets(self) -> Budgets:
        """Reference timings, shared by every submission this Grader grades."""
        s = self.settings
        return Budgets(self.reference, s.budget_multiple, s.budget_floor, s.test_timeout)

    def warm_up(self, notebooks: Iterable[str | Path] = ()) -> None:
        """Start the zygotes now, with what these notebooks will import (numpy always; torch and
        matplotlib when the assignment's code or a notebook's own cells import them). A notebook
        that imports more than the others gets a zygote of its own beside theirs: the others keep
        forking from the smaller one (a fork of a process holding torch costs 3-4 ms more, about
        41 times a ps6 notebook)."""
        base = frozenset(self.assignment.preload)
        for notebook in notebooks:
            self._wanted[str(notebook)] = base | self.assignment.imports_of([notebook])
        for wanted in sorted({self._wanted[str(n)] for n in notebooks} or {base}, key=len):
            self._zygote_for(wanted)

    def _zygote_for(self, wanted: frozenset[str]) -> Zygote:
        """The smallest zygote that has imported everything in `wanted`, started if none has."""
        if self._shared is not None:   # already started by the pool: adopted whatever is wanted now
            (connection, preload), self._shared = self._shared, None
            self._zygotes[tuple(sorted(preload))] = Zygote(list(preload), self.settings, str(self.assignment.root),
                                                           connection=connection)
        covering = sorted((len(preload), preload) for preload in self._zygotes if wanted <= set(preload))
        if covering:
            return self._zygotes[covering[0][1]]
        preload = tuple(sorted(wanted))
        self._zygotes[preload] = Zygote(list(preload), self.settings, str(self.assignment.root), linger=self.linger)
        return self._zygotes[preload]

    def zygote_of(self, notebook: str | Path) -> Zygote:
        """The zygote this notebook's sandbox is forked from."""
        return self._zygote_for(self._wanted.get(str(notebook)) or frozenset(self.assignment.preload))

    @property
    def zygote(self) -> Zygote:
        """The zygote of a notebook that imports nothing more than the assignment's own code."""
        return self._zygote_for(frozenset(self.assignment.preload))

    def plugin(self, notebooks: list[Path], on_result=None, fingerprints=None):
        # pytest is imported here, not with this module: `check` starts the sandbox (which may
        # import torch) first, and the two imports then run side by side.
        from autograder.grading.pytest_plugin import GradingPlugin
        return GradingPlugin(self.assignment, notebooks, self.settings, on_result, self.slot,
                             self.zygote_of, fingerprints, self.make_run, self.budgets)

    @cached_property
    def max_score(self) -> float:
        """The same for every submission, whatever it contains: the suite, collected only."""
        plugin = self.plugin([])
        self._pytest(plugin, "--collect-only")
        return plugin.max_score

    # ---------------------------------------------------------------------------- grading

    def grade(self, paths: Iterable[str | Path], fingerprints: dict[str, str] | None = None,
              on_result: Callable[[SubmissionResult], None] | None = None,
              only: str | None = None) -> list[SubmissionResult]:
        """Grade each notebook once (a name given twice, as `a.ipynb` and `./a.ipynb` too, is one
        result); a file that cannot be read gets an error result, the rest are graded."""
        paths = distinct(paths)
        fingerprints = fingerprints or {}
        done: dict[str, SubmissionResult] = {}

        def collect(result: SubmissionResult) -> None:
            done[result.submission] = result
            if on_result:
                on_result(result)

        readable = []
        for path in paths:
            try:
                if self.make_run is None:   # (refused when it is another assignment's notebook)
                    self.assignment.read_submission(path)
                readable.append(Path(path))
            except NotebookError as exc:
                collect(SubmissionResult(path, self.assignment.id, "error", error=str(exc),
                                         max_score=self.max_score, fingerprint=fingerprints.get(path)))
        if readable:
            if self.make_run is None:
                self.warm_up(readable)
            plugin = self.plugin(readable, collect, fingerprints)
            self._pytest(plugin, only=only)
            if "max_score" not in self.__dict__:
                self.__dict__["max_score"] = plugin.max_score
        return [done[p] for p in paths if p in done]

    def _pytest(self, plugin, *extra: str, only: str | None = None) -> None:
        import pytest
        suite = self.assignment.suite_dir
        target = suite / f"test_{only}.py" if only else suite
        args = [str(target), "--rootdir", str(suite.parent), *PYTEST_ARGS, *extra]
        with contextlib.redirect_stdout(io.StringIO()):
            code = pytest.main(args, plugins=[plugin])
        if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            raise RuntimeError(f"the hidden suite of {self.assignment.id} did not run (pytest exit code {int(code)})")

    def close(self) -> None:
        zygotes, self._zygotes = self._zygotes, {}
        for zygote in zygotes.values():
            zygote.close()

    def __enter__(self) -> "Grader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def grade_notebooks(paths: Iterable[str | Path], assignment_id: str, settings: SandboxSettings | None = None,
                    on_result: Callable[[SubmissionResult], None] | None = None,
                    root: Path | None = None) -> list[SubmissionResult]:
    """Grade notebooks with a Grader of their own (one zygote for all of them)."""
    with Grader(assignment_id, settings, root) as grader:
        return grader.grade(paths, on_result=on_result)


def suite_max_score(assignment: Assignment) -> float:
    return Grader(assignment.id, root=assignment.root).max_score
