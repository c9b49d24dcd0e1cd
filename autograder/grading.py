"""Grade notebooks: the library behind `autograder grade` and `autograder check`."""
from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Callable

import pytest

from autograder.assignments import Assignment
from autograder.notebook import NotebookError, read_notebook
from autograder.pytest_plugin import GradingPlugin
from autograder.results import SubmissionResult
from autograder.sandbox.client import Zygote
from autograder.sandbox.settings import SandboxSettings

PYTEST_ARGS = ["-s", "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:warnings", "-p", "no:faulthandler",
               "--disable-plugin-autoload", "-c", os.devnull]


def run_suite(assignment: Assignment, notebooks: list[Path], plugin: GradingPlugin, only: str | None = None) -> None:
    """Run the hidden suite (or one function's file) with pytest, quietly."""
    target = assignment.suite_dir / f"test_{only}.py" if only else assignment.suite_dir
    args = [str(target), "--rootdir", str(assignment.suite_dir.parent), *PYTEST_ARGS]
    with contextlib.redirect_stdout(io.StringIO()):
        code = pytest.main(args, plugins=[plugin])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise RuntimeError(f"the hidden suite of {assignment.id} did not run (pytest exit code {int(code)})")


def grade_notebooks(paths: list[str | Path], assignment_id: str, settings: SandboxSettings | None = None,
                    on_result: Callable[[SubmissionResult], None] | None = None, zygote: Zygote | None = None,
                    slot: int = 0, fingerprints: dict[str, str] | None = None,
                    root: Path | None = None) -> list[SubmissionResult]:
    """Grade each notebook; a file that cannot be read gets an error result, the rest are graded."""
    assignment = Assignment.load(assignment_id, root)
    results: list[SubmissionResult] = []

    def collect(result: SubmissionResult) -> None:
        results.append(result)
        if on_result:
            on_result(result)

    readable, unreadable = [], []
    for path in paths:
        try:
            read_notebook(path)
            readable.append(Path(path))
        except NotebookError as exc:
            unreadable.append((str(path), str(exc)))
    own_zygote = zygote is None and bool(readable)
    if own_zygote:
        # Started before pytest imports the suite: both may import torch, in parallel.
        zygote = Zygote(assignment.preload, settings or SandboxSettings(), str(assignment.root))
    plugin = GradingPlugin(assignment, readable, settings, collect, slot, zygote, fingerprints)
    try:
        if readable:
            run_suite(assignment, readable, plugin)
        else:
            collect_max_score(assignment, plugin)
    finally:
        if own_zygote:
            zygote.close()
    for path, message in unreadable:
        collect(SubmissionResult(path, assignment.id, "error", error=message, max_score=plugin.max_score,
                                 fingerprint=(fingerprints or {}).get(path)))
    return results


def suite_max_score(assignment: Assignment) -> float:
    """The assignment's max_score: the same for every submission, whatever it contains."""
    plugin = GradingPlugin(assignment, [])
    collect_max_score(assignment, plugin)
    return plugin.max_score


def collect_max_score(assignment: Assignment, plugin: GradingPlugin) -> None:
    """Collect the suite without running it, so even an all-error batch reports max_score."""
    args = [str(assignment.suite_dir), "--rootdir", str(assignment.suite_dir.parent), "--collect-only",
            *PYTEST_ARGS]
    with contextlib.redirect_stdout(io.StringIO()):
        pytest.main(args, plugins=[plugin])
