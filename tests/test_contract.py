"""The grading contract of COURSE.md, through the real command line."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from autograder.course.build import assignments
from autograder.grading.engine import grade_notebooks
from helpers import ROOT, make_submission, release_notebook, source_notebook

ASSIGNMENTS = assignments(ROOT)
FIELDS = {"submission", "assignment", "status", "score", "max_score", "tests", "error"}
TEST_FIELDS = {"name", "score", "max_score", "status", "output", "visibility"}


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_gets_full_marks_and_release_gets_zero_without_error(assignment):
    source, release = grade_notebooks([source_notebook(assignment), release_notebook(assignment)], assignment)
    assert source.status == release.status == "graded", (source.error, release.error)
    assert source.score == source.max_score == release.max_score > 0
    assert release.score == 0 and release.error is None
    assert all(t.output for t in release.tests if t.max_score > 0)  # every stub says why it has 0
    functions = {t.grade_id for t in source.tests}
    assert all(t.name.startswith(f"{t.grade_id}: ") and t.grade_id in functions for t in source.tests)


def test_grade_json_is_one_gradescope_object_per_notebook(tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{")
    done = cli("grade", str(source_notebook("ps1_derivatives")), str(broken), str(release_notebook("ps1_derivatives")),
               "--assignment", "ps1_derivatives", "--json")
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) == 3
    by_file = {line["submission"]: line for line in lines}
    for line in lines:
        assert FIELDS <= set(line) and line["assignment"] == "ps1_derivatives" and line["max_score"] == 12.0
        for test in line["tests"]:
            assert set(test) == TEST_FIELDS and test["status"] in ("passed", "failed")
            assert test["name"].split(": ", 1)[0] in {"f", "f_prime", "numerical_derivative", "central_difference",
                                                      "numerical_gradient"}
    assert by_file[str(broken)]["status"] == "error" and by_file[str(broken)]["score"] == 0
    assert by_file[str(broken)]["error"]
    assert by_file[str(source_notebook("ps1_derivatives"))]["score"] == 12.0
    assert done.returncode == 1  # not every notebook could be graded


def grade_lines(*args: str) -> tuple[list[dict], set[int]]:
    """`autograder grade ... --json` as a person runs it: its lines, and the worker processes seen."""
    from autograder.dispatch.watchdog import descendants

    process = subprocess.Popen([sys.executable, "-m", "autograder", "grade", *args, "--json"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    workers: set[int] = set()

    def watch() -> None:
        while process.poll() is None:
            for pid in descendants(process.pid):
                try:
                    if b"autograder.dispatch.worker" in open(f"/proc/{pid}/cmdline", "rb").read():
                        workers.add(pid)
                except OSError:
                    pass
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out, err = process.communicate(timeout=600)   # read while it runs: its lines fill a pipe
    watcher.join()
    assert process.returncode == 0, err[-2000:]
    return [json.loads(line) for line in out.splitlines()], workers


def test_grade_prints_each_notebook_once_in_the_order_named_on_every_core(tmp_path):
    """By default `grade` uses every core for a class (as `autograde` does), and prints the same
    lines in the same order as one worker: each notebook named once, whatever the workers finish
    first; a notebook named twice (`a/./x.ipynb` is `a/x.ipynb`) is one result, not two merged."""
    wrong = {"f_prime": "def f_prime(x):\n    return x ** 2\n"}
    paths = [make_submission("ps1_derivatives", tmp_path / f"s{i}" / "ps1_derivatives.ipynb", wrong if i % 3 else {})
             for i in range(9)]
    named = [str(p) for p in reversed(paths)]
    named[3:3] = [str(paths[8]), str(paths[2].parent / "." / paths[2].name)]
    one, _ = grade_lines(*named, "--assignment", "ps1_derivatives", "--workers", "1")
    every, workers = grade_lines(*named, "--assignment", "ps1_derivatives")
    first_named = [str(paths[i]) for i in (8, 7, 6, 2, 5, 4, 3, 1, 0)]
    assert [line["submission"] for line in one] == first_named
    assert [line["submission"] for line in every] == [line["submission"] for line in one]
    assert [(line["score"], len(line["tests"])) for line in every] == \
        [(line["score"], len(line["tests"])) for line in one]
    assert {line["score"] for line in one} == {12.0, 11.0} and {line["max_score"] for line in one} == {12.0}
    if (os.cpu_count() or 1) > 1:
        assert len(workers) >= 2, workers


def test_grade_exits_0_when_every_notebook_was_graded_and_prints_a_table_without_json():
    done = cli("grade", str(release_notebook("ps1_derivatives")), "--assignment", "ps1_derivatives")
    assert done.returncode == 0, done.stderr
    assert "0 / 12" in done.stdout and "numerical_gradient" in done.stdout


def test_unknown_assignment_is_a_usage_error():
    done = cli("grade", str(release_notebook("ps1_derivatives")), "--assignment", "ps9_nothing", "--json")
    assert done.returncode == 2 and "unknown assignment" in done.stderr and done.stdout == ""


def test_check_explains_in_chinese_and_exits_0_only_when_all_passed():
    perfect = cli("check", str(source_notebook("ps2_gradient_descent")))
    assert perfect.returncode == 0, perfect.stdout + perfect.stderr
    assert "总分 17 / 17" in perfect.stdout
    stub = cli("check", str(release_notebook("ps2_gradient_descent")))
    assert stub.returncode == 1
    assert "还没有实现" in stub.stdout and "隔离保护" not in stub.stdout   # the sandbox's list: --verbose
    verbose = cli("check", str(release_notebook("ps2_gradient_descent")), "--verbose")
    assert "隔离保护" in verbose.stdout
