"""`autograder autograde` over a real nbgrader course directory: gradebook, feedback, grades.csv,
results.json, resuming, dying workers, and Dask."""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import ROOT, make_submission

ASSIGNMENT = "ps1_derivatives"
WRONG_GRADIENT = ("import numpy as np\ndef numerical_gradient(f, x, h=1e-5):\n"
                  "    return np.zeros(len(x))\n")


def run(course: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    return subprocess.run([sys.executable, "-m", "autograder", "autograde", ASSIGNMENT, "--no-progress", *args],
                          cwd=course, env=env, capture_output=True, text=True, timeout=timeout)


def make_course(root: Path, students: int = 6) -> Path:
    course = root / "course"
    course.mkdir(parents=True)
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / ASSIGNMENT, course / name / ASSIGNMENT)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    submitted = course / "submitted"
    for i in range(students):
        replace = {"numerical_gradient": WRONG_GRADIENT} if i % 2 else {}
        make_submission(ASSIGNMENT, submitted / f"student{i:02d}" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", replace)
    (submitted / "broken" / ASSIGNMENT).mkdir(parents=True)
    (submitted / "broken" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_text("{ not json")
    (submitted / "nothing" / ASSIGNMENT).mkdir(parents=True)
    return course


def results(course: Path) -> dict[str, dict]:
    found = {}
    for path in (course / "autograded").glob(f"*/{ASSIGNMENT}/results.json"):
        found[path.parent.parent.name] = json.loads(path.read_text())
    return found


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("autograde"))
    release_before[:] = [release_state(course)]
    done = run(course)
    return course, done


release_before: list = []


def release_state(course: Path) -> list[tuple]:
    """Every file of release/, each with its inode, mtime and bytes."""
    return sorted((str(p.relative_to(course)), p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
                  for p in (course / "release").rglob("*") if p.is_file())


def test_every_submission_gets_a_result(graded_course):
    course, done = graded_course
    assert done.returncode == 1, done.stderr  # two submissions could not be graded
    found = results(course)
    assert set(found) == {f"student{i:02d}" for i in range(6)} | {"broken", "nothing"}
    for student, result in found.items():
        assert result["max_score"] == 12.0, student
        if student.startswith("student"):
            assert result["status"] == "graded"
            wrong = int(student[-2:]) % 2
            assert result["score"] == (12.0 if not wrong else 12.0 - 3.5), student
            lost = {t["name"].split(":")[0] for t in result["tests"] if t["score"] < t["max_score"]}
            assert lost == ({"numerical_gradient"} if wrong else set()), student
    assert found["broken"]["status"] == "error" and "JSON" in found["broken"]["error"]
    assert found["nothing"]["status"] == "error" and found["nothing"]["error"]


def test_the_courses_release_is_not_rewritten_while_the_batch_reads_it(graded_course):
    """The gradebook learns the assignment from nbgrader generate_assignment, run elsewhere: in the
    course it would delete and rewrite release/ while a worker, the integrity report or a missing
    notebook's error result reads the release notebook (CI saw "no release notebook at ...")."""
    course, done = graded_course
    assert "could not be graded" in done.stdout, done.stderr
    assert release_state(course) == release_before[0]
    assert not list(course.glob("autograder-release-*"))


def test_scores_are_in_nbgraders_gradebook(graded_course):
    from nbgrader.coursedir import CourseDirectory

    from autograder.course.config import load_config
    from autograder.records.gradebook import gradebook_scores

    course, _ = graded_course
    coursedir = CourseDirectory(config=load_config(course))
    coursedir.root = str(course)
    recorded = gradebook_scores(coursedir, ASSIGNMENT)
    for student, result in results(course).items():
        assert recorded[student] == pytest.approx(result["score"]), student


def test_written_answers_await_manual_grading(graded_course):
    from nbgrader.api import Gradebook

    course, _ = graded_course
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grade = gb.find_grade("written_h_too_small", ASSIGNMENT, ASSIGNMENT, "student00")
        assert grade.auto_score is None and grade.needs_manual_grade
        unanswered = gb.find_grade("written_h_too_small", ASSIGNMENT, ASSIGNMENT, "broken")
        assert unanswered.auto_score == 0 and not unanswered.needs_manual_grade
        comment = gb.find_comment("written_h_too_small", ASSIGNMENT, ASSIGNMENT, "broken")
        assert comment.auto_comment == "No response."


def test_autograded_notebooks_are_valid_and_show_each_functions_score(graded_course):
    """What the formgrader and `nbgrader generate_feedback` read: valid nbformat 4, each graded
    cell's value its function's score (nbgrader reads partial credit from it)."""
    import nbformat

    course, _ = graded_course
    for student, result in results(course).items():
        notebook = nbformat.read(course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
        nbformat.validate(notebook)
        scores = {}
        for test in result["tests"]:
            function = test["name"].split(":")[0]
            scores[function] = scores.get(function, 0.0) + test["score"]
        shown = {}
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            if cell.cell_type == "code" and grade_id.endswith("_tests"):
                values = [o.data["text/plain"] for o in cell.outputs if o.output_type == "execute_result"]
                shown[grade_id.removesuffix("_tests")] = float(values[0])
        expected = scores if result["status"] == "graded" else dict.fromkeys(shown, 0.0)
        assert shown == pytest.approx(expected) and len(shown) == 5, student


def test_nbgrader_generate_feedback_reads_them(graded_course, tmp_path):
    course = tmp_path / "course"   # a copy: nbgrader writes its own feedback page where ours is
    shutil.copytree(graded_course[0], course)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    done = subprocess.run([str(Path(sys.executable).with_name("nbgrader")), "generate_feedback", ASSIGNMENT,
                           "--student", "student01", "--force"], cwd=course, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    page = next((course / "feedback" / "student01" / ASSIGNMENT).glob("*.html")).read_text()
    assert "numerical_gradient" in page and "8.5 / 14.0" in page   # 12 - 3.5 auto, the written answer's 2 to grade


def test_feedback_and_grades_csv(graded_course):
    course, done = graded_course
    page = (course / "feedback" / "student01" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "numerical_gradient" in page and "✗" in page
    assert "hidden_score" not in page and "BEGIN HIDDEN" not in page
    rows = list(csv.DictReader((course / "grades.csv").open()))
    assert {r["student_id"] for r in rows} == set(results(course))
    assert "numerical_gradient" in done.stdout  # the per-function summary table


def test_unchanged_submissions_are_not_regraded(graded_course):
    course, _ = graded_course
    before = {p: p.stat().st_mtime_ns for p in (course / "autograded").glob("*/*/results.json")}
    again = run(course)
    assert "0 graded" in again.stdout, again.stdout
    assert {p: p.stat().st_mtime_ns for p in before} == before
    changed = course / "submitted" / "student00" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    make_submission(ASSIGNMENT, changed, {"numerical_gradient": WRONG_GRADIENT})
    third = run(course)
    assert "1 graded" in third.stdout, third.stdout
    assert results(course)["student00"]["score"] == 8.5


def test_an_interrupted_batch_resumes_where_it_stopped(tmp_path):
    course = make_course(tmp_path, students=16)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    process = subprocess.Popen([sys.executable, "-m", "autograder", "autograde", ASSIGNMENT, "--no-progress",
                                "--workers", "1"], cwd=course, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while len(results(course)) < 6 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    kept = results(course)
    assert 0 < len(kept) < 18, "interrupt it in the middle"
    for student, result in kept.items():   # every file there is whole (written atomically)
        assert result["submission"].endswith(".ipynb")
    resumed = run(course)
    counts = re.search(r"18 submissions: (\d+) graded and (\d+) could not be graded", resumed.stdout)
    assert counts and int(counts[1]) + int(counts[2]) == 18 - len(kept), resumed.stdout
    assert f"{len(kept)} unchanged" in resumed.stdout, resumed.stdout
    assert len(results(course)) == 18


def grading(worker: int) -> bool:
    """Whether grading worker `worker` has a sandbox running now (the cgroups it makes for one)."""
    from autograder.sandbox.cgroups import hierarchies

    return any(any(h.own.glob(f"autograder-{worker}-*")) for h in hierarchies())


def test_a_worker_that_dies_loses_nothing_its_chunk_is_graded_again(tmp_path):
    course = make_course(tmp_path, students=16)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    process = subprocess.Popen([sys.executable, "-m", "autograder", "autograde", ASSIGNMENT, "--no-progress",
                                "--workers", "2"], cwd=course, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"autograder.dispatch.worker" in command and str(course).encode() in command \
                    and grading(int(entry.name)):
                os.kill(int(entry.name), signal.SIGKILL)   # mid-notebook: one of its sandboxes is running
                killed = int(entry.name)
                break
        time.sleep(0.02)
    output, _ = process.communicate(timeout=300)
    assert killed, "a worker was killed mid-batch"
    found = results(course)
    assert len(found) == 18, output
    died = [r for r in found.values() if r["status"] == "error" and "评分进程" in (r["error"] or "")]
    graded = [r for r in found.values() if r["status"] == "graded"]
    assert not died and len(graded) == 16, "the killed worker's chunk is graded again, one at a time"
    assert {r["max_score"] for r in found.values()} == {12.0}, "errors carry the real max_score too"


def test_a_gradebook_that_cannot_be_opened_stops_the_batch_and_says_why(tmp_path):
    """The workers start grading before the gradebook is opened (beside nbgrader's import): a
    gradebook that is not a database stops them, nothing is recorded anywhere, no worker is left."""
    course = make_course(tmp_path, students=8)
    (course / "gradebook.db").write_bytes(b"not a database, just bytes " * 100)
    done = run(course)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "autograder: DatabaseError" in done.stderr and "file is not a database" in done.stderr, done.stderr
    assert not results(course) and not (course / "feedback").exists() and not (course / "grades.csv").exists()
    workers = [entry for entry in Path("/proc").iterdir() if entry.name.isdigit()
               and str(course).encode() in _cmdline(entry) and b"autograder.dispatch.worker" in _cmdline(entry)]
    assert not workers


def _cmdline(entry: Path) -> bytes:
    try:
        return (entry / "cmdline").read_bytes()
    except OSError:
        return b""


def test_dask_cluster_gives_the_same_results(tmp_path):
    from dask.distributed import LocalCluster

    local, distributed = make_course(tmp_path / "local", 4), make_course(tmp_path / "dask", 4)
    run(local)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        done = run(distributed, "--scheduler", cluster.scheduler_address)
    assert "6 submissions: 4 graded and 2 could not be graded" in done.stdout, done.stdout + done.stderr
    expected, found = results(local), results(distributed)
    assert set(found) == set(expected)
    for student in expected:
        assert found[student]["status"] == expected[student]["status"]
        assert [(t["name"], t["score"]) for t in found[student]["tests"]] == \
            [(t["name"], t["score"]) for t in expected[student]["tests"]], student
