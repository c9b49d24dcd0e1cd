"""Lets an instructor run a hidden suite with plain pytest:

    pytest autograder/suites/ps1_derivatives                      # against the source notebook
    pytest autograder/suites/ps1_derivatives --notebook sub.ipynb # against a submission

`autograder grade` registers its own GradingPlugin; this file then only gives the fixtures and
each file's public tests (autograder/testkit/public.py).
"""
from pathlib import Path

import pytest

from autograder.grading.pytest_plugin import PLUGIN_NAME, seeded_rng
from autograder.testkit.public import add_public_tests


def pytest_addoption(parser):
    parser.addoption("--notebook", action="append", default=[], help="notebook(s) to grade")


def pytest_configure(config):
    config.addinivalue_line("markers", "graded(what, points): what a hidden test checks and its points")
    if config.pluginmanager.has_plugin(PLUGIN_NAME):
        return
    suites = {Path(a).resolve().parts[-1] for a in config.args}
    here = Path(__file__).resolve().parent
    assignment_id = next((s for s in suites if (here / s).is_dir()), None)
    if assignment_id is None:  # e.g. one file: .../ps1_derivatives/test_f.py
        assignment_id = next(Path(a).resolve().parent.name for a in config.args)
    from autograder.grading.engine import Grader
    grader = Grader(assignment_id)
    config.add_cleanup(grader.close)
    notebooks = [Path(n) for n in config.getoption("notebook")] or [grader.assignment.source_notebook]
    grader.warm_up(notebooks)
    config.pluginmanager.register(grader.plugin(notebooks), PLUGIN_NAME)


def pytest_pycollect_makeitem(collector, name, obj):
    """A suite file's GRADE_ID declares its public test(s) too: collected here, where GRADE_ID is
    assigned, so before the file's own tests (reports keep the file's order)."""
    if getattr(obj, "generated", False) and getattr(collector.obj, name, None) is not obj:
        return []   # an earlier collection's, in a process that grades again: replaced at GRADE_ID
    if name != "GRADE_ID" or not isinstance(collector, pytest.Module):
        return None
    module = collector.obj
    try:
        names = add_public_tests(module)
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    items = []
    for test_name in names:   # collected as pytest collects a function written in the file
        items.extend(collector.ihook.pytest_pycollect_makeitem(collector=collector, name=test_name,
                                                               obj=getattr(module, test_name)) or [])
    return items


@pytest.fixture(scope="session")
def submission(request):
    """One notebook, run once in its sandbox; parametrised by GradingPlugin over the notebooks."""
    plugin = request.config.pluginmanager.get_plugin(PLUGIN_NAME)
    run = plugin.open_submission(request.param)
    try:
        yield run
    finally:
        plugin.close_submission(run)


@pytest.fixture
def student(request, submission):
    """A proxy for the submission's code in a fresh process, for this test only."""
    if not request.config.pluginmanager.get_plugin(PLUGIN_NAME).gradable(submission):
        pytest.skip("notebook could not be graded")
    with submission.student() as proxy:
        yield proxy


@pytest.fixture
def rng(request):
    """Random inputs that are the same for every submission (fair) and every run (reproducible)."""
    return seeded_rng(request.node.originalname)


@pytest.fixture(scope="session")
def assignment(request):
    """The Assignment being graded (its trusted release notebook, its functions)."""
    return request.config.pluginmanager.get_plugin(PLUGIN_NAME).assignment
