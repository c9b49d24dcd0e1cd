"""Everything the grader's own process does with a submission's text costs time linear in its size.

Each kind of crafted notebook (tests/crafted.py: blank lines, many cells, one long line, deep JSON,
many outputs, long names and grade_ids, ...) is grown by doubling up to the service's upload limit,
and each trusted-side step is timed directly (CPU time of this process, the least of a few runs):
a step that costs more than STEP times the one before fails. Then a whole `autograder autograde`
of a real nbgrader course holding the largest notebook of every kind must finish within a wall
bound, with full marks where the crafted text left the answers intact.
"""
from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import crafted
from helpers import ROOT

from autograder.views import feedback
from autograder.course import notebook
from autograder.course.assignments import PRELOADABLE, Assignment
from autograder.course.results import CellReport, SubmissionResult
from autograder.course.limits import GradingService

LIMIT = GradingService().max_upload_bytes                  # 5 MB: the largest notebook the service takes
# Bytes of crafted text, each twice the one before; the largest notebook is just under the limit.
SIZES = [(LIMIT - crafted.BASE) >> k for k in range(7, -1, -1)]
STEP = 2.5                                                 # linear doubles; quadratic quadruples
FLOOR = 0.02                                               # seconds: below this, timer noise, not cost
RUNS = 2


def cpu(action) -> float:
    """The least CPU time of RUNS runs of `action` (the machine is shared: CPU time, not wall)."""
    best = float("inf")
    for _ in range(RUNS):
        gc.collect()
        gc.disable()
        try:
            started = time.process_time()
            action()
            best = min(best, time.process_time() - started)
        finally:
            gc.enable()
    return best


def assert_linear(what: str, measure, sizes: list = SIZES) -> None:
    """Time `measure(size)` for each size, smallest first, and fail at the first step that costs
    more than STEP times the one before (so a quadratic path fails in seconds, not hours)."""
    times: list[float] = []
    for size in sizes:
        times.append(measure(size))
        if len(times) > 1:
            steps = ", ".join(f"{s // 1024} KB: {t * 1000:.1f} ms" for s, t in zip(sizes, times))
            assert times[-1] <= STEP * max(times[-2], FLOOR), f"{what} is not linear: {steps}"


@pytest.fixture(scope="module")
def ps1() -> Assignment:
    return Assignment.load(crafted.ASSIGNMENT)


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory) -> dict[str, list[Path]]:
    """Every kind at every size, as files."""
    folder = tmp_path_factory.mktemp("crafted")
    base = crafted.base(folder)
    made = {}
    for k, kind in enumerate(crafted.KINDS):
        made[kind] = [crafted.write(kind, base, size, folder / f"{k:02d}-{size}.ipynb") for size in SIZES]
    return made


@pytest.fixture(scope="module")
def graded_result(tmp_path_factory) -> SubmissionResult:
    """A real result of a correct ps1 notebook (no figures: their drawing does not grow with text)."""
    from helpers import make_submission
    path = make_submission(crafted.ASSIGNMENT, tmp_path_factory.mktemp("result") / "right.ipynb")
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(path), "--assignment",
                           crafted.ASSIGNMENT, "--json"], capture_output=True, text=True, timeout=300)
    result = SubmissionResult.from_json(json.loads(done.stdout.splitlines()[0]))
    assert result.status == "graded" and result.score == result.max_score, done.stderr[-2000:]
    result.figures = {}
    return result


def reading(ps1: Assignment, path: Path) -> None:
    """What the grader does with a notebook before and around the sandbox: read it (the engine,
    the service), plan its cells, rewrite their IPython syntax, look for modules to preload."""
    try:
        cells = ps1.read_submission(path)   # (the service's check: read, and whose notebook it is)
    except notebook.NotebookError:
        return
    for planned in notebook.plan(cells, ps1.cells):
        notebook.transform_magics(planned.source)
    ps1.imports_of([path])


@pytest.mark.parametrize("kind", list(crafted.KINDS))
def test_reading_a_notebook_is_linear(kind, notebooks, ps1):
    paths = dict(zip(SIZES, notebooks[kind]))
    assert_linear(f"reading ({kind})", lambda size: cpu(lambda: reading(ps1, paths[size])))


@pytest.mark.parametrize("kind", list(crafted.KINDS))
def test_the_feedback_page_is_linear(kind, notebooks, graded_result):
    paths = dict(zip(SIZES, notebooks[kind]))
    assert_linear(f"the feedback page ({kind})",
                  lambda size: cpu(lambda: feedback.render(graded_result, "student", paths[size])))


@pytest.mark.parametrize("kind", list(crafted.KINDS))
def test_the_autograded_notebook_is_linear(kind, notebooks, ps1, graded_result):
    """What the gradebook records and the formgrader shows: built from the student's cells, written
    as JSON (the transaction itself does not grow with the text: one row per known cell)."""
    from autograder.records import gradebook
    paths = dict(zip(SIZES, notebooks[kind]))

    def build(path: Path) -> None:
        made = gradebook.autograded_notebook(path, ps1.release_notebook, graded_result)
        json.dumps(made, sort_keys=True, indent=1, ensure_ascii=False)

    assert_linear(f"the autograded notebook ({kind})", lambda size: cpu(lambda: build(paths[size])))


def test_each_preloadable_pattern_is_linear():
    """Every pattern, also one another engineer adds, on the inputs that make `^\\s*` quadratic."""
    for name, pattern in PRELOADABLE.items():
        for unit in ("\n", " \t\n", "import \n", "np."):
            assert_linear(f"PRELOADABLE[{name!r}] on {unit!r}",
                          lambda size: cpu(lambda: pattern.search(unit * (size // len(unit)))))


def test_magics_are_rewritten_as_ipython_does():
    """The linear rewriter gives IPython's own output (up to whitespace in shell commands and a
    last newline) on the forms notebooks use, and leaves strings and brackets alone."""
    from IPython.core.inputtransformer2 import TransformerManager
    ipython = TransformerManager()
    cells = ["%matplotlib inline\nimport numpy as np\n", "!pip install x\n", "x = !ls -la\n", "y = %time 1+1\n",
             "x = 1\n  %time x\n", "%%time\nx=1\ny=2\n", "\n\n%%capture out\nprint(1)\n",
             "def f():\n    %time x\n    return 1\n", "s = '''\n%d\n'''\n%time 1\n", "a[0] = !ls\n",
             "x=(1,\n%2)\n%time z\n", "!!ls\n", "%%time\n", "x = 1 # %time\n%time 'a'\n", "if x:\n\t!ls\n",
             "x ==!ls\n", "x = %a\n", "s = 'a\\\n%time'\n%time z\n", "s = 'a\\\\'\n%time z\n",
             's = """%d\n!x"""\n!ls\n', "x = [\n'%',\n]\n!ls\n", "f(x=!ls)\n%a\n", "d = {'a': 1}\n%a\n",
             "print('%s' % 1)\n%a\n", "x = (1 +\n     2)\n!ls\nx = %who_ls\n", "x = \\\n 1\n%a\n"]
    for cell in cells:
        assert notebook.transform_magics(cell) == ipython.transform_cell(cell), cell
    assert notebook.transform_magics("x = 1\n") == "x = 1\n"


def test_deep_json_is_a_clear_error_not_a_crash(tmp_path):
    for depth in (notebook.MAX_DEPTH + 1, 900, 10**6):
        path = tmp_path / f"deep{depth}.ipynb"
        path.write_text('{"cells": [], "metadata": {"x": ' + "[" * depth + "]" * depth + "}}")
        with pytest.raises(notebook.NotebookError, match="嵌套"):
            notebook.read_notebook(path)
    fine = tmp_path / "fine.ipynb"
    fine.write_text('{"cells": [], "metadata": {"x": ' + "[" * 50 + "]" * 50 + "}}")
    assert notebook.read_notebook(fine) == []


def test_problem_cells_are_linear_in_every_record(tmp_path, graded_result):
    """A notebook of many failing cells makes a result with a report per cell: results.json, the
    feedback page, the class report and grades.csv stay linear in their number."""
    from autograder.records.batch import write_grades_csv
    from autograder.views.class_report import write_report
    from autograder.course.results import save

    class Coursedir:
        autograded_directory = "autograded"

    def measure(size: int, what: str) -> float:
        result = SubmissionResult.from_json(graded_result.to_json())
        result.cells = [CellReport(i, None, "error", f"第 {i} 个单元格运行出错：ZeroDivisionError: division by zero")
                        for i in range(size // 200)]
        course = tmp_path / f"course{size}"
        target = course / "autograded" / "student" / crafted.ASSIGNMENT / "results.json"
        save(result, target)
        action = {"results.json": lambda: save(result, target),
                  "feedback page": lambda: feedback.render(result, "student"),
                  "class report": lambda: write_report(course, crafted.ASSIGNMENT),
                  "grades.csv": lambda: write_grades_csv(course, Coursedir)}[what]
        return cpu(action)

    for what in ("results.json", "feedback page", "class report", "grades.csv"):
        assert_linear(f"{what} (many failing cells)", lambda size: measure(size, what))


# Seconds, for the autograde below (one 5 MB notebook of each kind, two workers): 110 s on a
# quiet machine, 213 s while four other engineers' tests ran. Most of it is the sandbox running
# 80,000 one-line cells one at a time (about 1 ms each), the student's own time.
WALL = 480.0
NOTEBOOK_WALL = 120.0   # seconds of one notebook's grading (results.json's timing)


def test_autograde_of_the_largest_notebook_of_each_kind(tmp_path, notebooks):
    """The whole path once, at the upload limit: the real autograde of a real nbgrader course
    (sandbox, gradebook, feedback pages, grades.csv, class report) within a wall bound; every
    kind that left the answers intact keeps full marks, deep JSON is a clear error."""
    course = tmp_path / "course"
    course.mkdir()
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / crafted.ASSIGNMENT, course / name / crafted.ASSIGNMENT)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    students = {}
    for k, (kind, paths) in enumerate(notebooks.items()):
        student = f"s{k:02d}"
        folder = course / "submitted" / student / crafted.ASSIGNMENT
        folder.mkdir(parents=True)
        shutil.copy(paths[-1], folder / f"{crafted.ASSIGNMENT}.ipynb")
        students[student] = kind
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "autograder", "autograde", crafted.ASSIGNMENT, "--no-progress"],
                          cwd=course, env=env, capture_output=True, text=True, timeout=3 * WALL)
    wall = time.monotonic() - started
    print(f"autograde of {len(students)} notebooks of 5 MB: {wall:.1f} s")
    for student, kind in students.items():
        result = json.loads((course / "autograded" / student / crafted.ASSIGNMENT / "results.json").read_text())
        if kind in crafted.INTACT:
            assert result["status"] == "graded" and result["score"] == result["max_score"], (kind, result["error"])
        else:
            assert result["status"] == "error" and "嵌套" in result["error"], (kind, result["error"])
        assert (course / "feedback" / student / crafted.ASSIGNMENT / f"{crafted.ASSIGNMENT}.html").is_file(), kind
        assert result["timing"].get("total", 0) < NOTEBOOK_WALL, (kind, result["timing"])
    assert wall < WALL, f"autograde took {wall:.0f} s"
    assert done.returncode == 1 and "could not be graded" in done.stdout   # (deep JSON: an error result)


def test_a_deeply_nested_frame_from_a_sandbox_is_a_protocol_error():
    """What a test process sends back is parsed on the trusted side too: nesting is an error
    of that submission, never a RecursionError in the grader."""
    import socket

    from autograder.sandbox import protocol

    import threading

    ours, theirs = socket.socketpair()
    with ours, theirs:
        sender = threading.Thread(target=protocol.send_raw, args=(theirs, b"[" * 200_000 + b"]" * 200_000))
        sender.start()
        with pytest.raises(protocol.ProtocolError):
            protocol.recv(ours, 5)
        sender.join()
