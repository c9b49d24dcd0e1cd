"""Grading on a Dask cluster whose workers share nothing with the instructor's machine.

A `dask scheduler` and two `dask worker`s run as separate processes (tests/dask_cluster.py); each
worker is in a mount namespace of its own where the course directories and this repository are
hidden, and grades with the package installed from a wheel. The instructor's side runs the real
`autograder autograde --scheduler` from the same installed package. Checked: a mixed batch gets
the same results as local grading, submission by submission, although a worker is killed in the
middle; a submission that kills every worker it lands on is an error after a bounded number of
tries while its chunk-mates are graded; a worker of another version, or a scheduler without the
package, is refused with a clear error and nothing is recorded; worker processes get distinct
sandbox users. Unit tests of the task, its manifest and the slots run without a cluster.
"""
from __future__ import annotations

import csv
import dataclasses
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import pytest

from dask_cluster import (PYTHON_DIR, ROOT, Cluster, build_wheel, can_hide_directories, install,
                          processes_mentioning)
from helpers import make_submission

ASSIGNMENT = "ps1_derivatives"
MAX_SCORE = 12.0
ALLOWED_FAILURES = 1     # the test scheduler's distributed.scheduler.allowed-failures (default 3)
cluster_only = pytest.mark.skipif(not can_hide_directories(), reason="needs root and unshare (mount namespaces)")


# ------------------------------------------------------------------------------ courses

def make_course(root: Path) -> Path:
    """An nbgrader course with a mixed batch: right answers, catalogue mistakes in every function,
    a syntax error, a cell that never ends, files that are not notebooks, a missing notebook."""
    course = root / "course"
    course.mkdir(parents=True)
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / ASSIGNMENT, course / name / ASSIGNMENT)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    submitted = course / "submitted"
    wrong = importlib.import_module(f"catalogue.{ASSIGNMENT}").WRONG
    variants = [{}] * 4 + [{function: code} for function, answers in wrong.items()
                           for code in list(answers.values())[:2]]
    variants += [{"f": "def f(x) return x ** 2\n"}, {"f": "while True:\n    pass\n"}]
    for i, replace in enumerate(variants):
        make_submission(ASSIGNMENT, submitted / f"student{i:02d}" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", replace)
    for name, text in (("broken", "{ not json"), ("empty", ""), ("not_a_notebook", "[]")):
        (submitted / name / ASSIGNMENT).mkdir(parents=True)
        (submitted / name / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_text(text)
    (submitted / "nothing" / ASSIGNMENT).mkdir(parents=True)
    return course


def small_course(root: Path, students: dict[str, dict]) -> Path:
    course = root / "course"
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / ASSIGNMENT, course / name / ASSIGNMENT)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    for name, replace in students.items():
        make_submission(ASSIGNMENT, course / "submitted" / name / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", replace)
    return course


def results(course: Path) -> dict[str, dict]:
    return {p.parent.parent.name: json.loads(p.read_text())
            for p in (course / "autograded").glob(f"*/{ASSIGNMENT}/results.json")}


def comparable(result: dict, course: Path) -> dict:
    """A result as it must be wherever it was graded: timings aside, paths relative to the course."""
    kept = {k: v for k, v in result.items() if k != "timing"}
    kept["submission"] = str(Path(result["submission"]).relative_to(course))
    # Each worker process has a sandbox user of its own: the protections name it.
    kept["protections"] = [re.sub(r"uid \d+", "uid N", p) for p in result["protections"]]
    return kept


# ------------------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """The package as shipped: a wheel, installed into a virtual environment of its own (the
    workers' and the instructor's, as on machines where `pip install autograder-*.whl` was run)."""
    base = tmp_path_factory.mktemp("install")
    wheel = build_wheel(base / "build")
    return {"wheel": wheel, "python": install(wheel, base / "venv"), "base": base}


@pytest.fixture(scope="module")
def cluster(installed, tmp_path_factory):
    base = tmp_path_factory.mktemp("cluster")
    courses = tmp_path_factory.mktemp("courses")
    machines = Cluster(base, installed["python"], [courses, ROOT],
                       {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": str(ALLOWED_FAILURES)})
    from dask.distributed import Client
    try:
        machines.start_worker("w1")
        machines.start_worker("w2")
        with Client(machines.address, timeout=60) as client:
            machines.wait_for(client, 2)
            machines.client = client
            machines.courses = courses
            yield machines
    finally:
        machines.close()
        assert_no_process_left(base, installed["base"])


def assert_no_process_left(*paths: Path) -> None:
    """Every process the test started has ended: none names its directories any more."""
    deadline = time.monotonic() + 20
    while (left := processes_mentioning(*paths)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"processes of the cluster are still running: {left}"


def autograde(python: Path, course: Path, *args: str, wait: bool = True, timeout: float = 600):
    """`autograder autograde` as the instructor runs it, from the installed package."""
    env = {"PATH": f"{python.parent}:/usr/local/bin:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"),
           "LANG": "C.UTF-8"}
    command = [str(python), "-m", "autograder", "autograde", ASSIGNMENT, "--no-progress", "--cell-timeout", "3",
               *args]
    if not wait:
        return subprocess.Popen(command, cwd=course, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
    return subprocess.run(command, cwd=course, env=env, capture_output=True, text=True, timeout=timeout)


# ------------------------------------------------------------------------ the package

def test_the_wheel_holds_what_a_worker_needs_and_no_course(installed):
    from autograder.course.assignments import assignment_ids

    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    for assignment in assignment_ids():
        assert f"solutions/{assignment}.py" in names, assignment
        suite = {p.relative_to(ROOT).as_posix() for p in (ROOT / "autograder" / "suites" / assignment).glob("*.py")}
        assert suite <= names, suite - names
    assert "autograder/dispatch/tasks.py" in names and "autograder/suites/conftest.py" in names
    assert not [n for n in names if n.endswith(".ipynb") or n.startswith(("source/", "release/", "tests/"))]


# ---------------------------------------------------------------------- the cluster

@cluster_only
def test_workers_see_nothing_of_the_course_and_have_users_of_their_own(cluster):
    course = make_course(cluster.courses / "probe")

    def probe():
        import os
        import autograder
        from autograder.sandbox.slots import claim_slot
        return {"package": autograder.__file__, "course": os.path.exists(course),
                "repository": os.path.exists(os.path.join(ROOT, "release")) or
                os.path.exists(os.path.join(ROOT, "solutions")), "slot": claim_slot(61000)}

    found = cluster.client.run(probe)
    assert len(found) == 2
    for worker in found.values():
        assert worker["package"].startswith(str(cluster.python.parent.parent)), worker
        assert not worker["course"] and not worker["repository"], worker
    assert len({w["slot"] for w in found.values()}) == 2, found


@cluster_only
def test_a_mixed_batch_grades_as_locally_and_a_killed_worker_loses_nothing(cluster, installed):
    python = installed["python"]
    local, remote = make_course(cluster.courses / "local"), make_course(cluster.courses / "remote")
    started = time.monotonic()
    here = autograde(python, local, "--workers", "2")
    # Some submissions cannot be graded (1), and the batch itself ended with its summary.
    assert here.returncode == 1 and "could not be graded" in here.stdout, here.stderr
    expected = results(local)
    print(f"local: {time.monotonic() - started:.1f}s\n{here.stdout[-300:]}")
    started = time.monotonic()

    client, w2 = cluster.client, None
    running = autograde(python, remote, "--scheduler", cluster.address, wait=False)
    killed, deadline = False, time.monotonic() + 300
    try:
        while not killed and running.poll() is None and time.monotonic() < deadline:
            busy = {address for address, keys in client.processing().items() if keys}
            machines = cluster.workers(client)
            if any(machines.get(a) == "w2" for a in busy):
                cluster.kill("w2")     # the machine is gone, in the middle of a chunk
                killed = True
            time.sleep(0.05)
        output, errors = running.communicate(timeout=600)
    finally:
        if killed:   # the machine is back for the next tests, whatever this one finds
            cluster.start_worker("w2")
    assert killed, "w2 was never busy while the batch was being graded: " + output + errors
    print(f"cluster: {time.monotonic() - started:.1f}s\n{output[-300:]}")
    assert running.returncode == 1 and "could not be graded" in output, output + errors

    found = results(remote)
    assert set(found) == set(expected), output + errors
    for student in expected:
        assert comparable(found[student], remote) == comparable(expected[student], local), student
    assert not [s for s, r in found.items() if "评分进程" in (r["error"] or "")], "nothing lost to the kill"
    assert {r["max_score"] for r in found.values()} == {MAX_SCORE}
    rows = list(csv.DictReader((remote / "grades.csv").open()))
    assert len(rows) == len(expected) and {r["max_score"] for r in rows} == {f"{MAX_SCORE:g}"}
    graded = sum(r["status"] == "graded" for r in expected.values())
    assert f"{len(expected)} submissions: {graded} graded and {len(expected) - graded} could not be graded" \
        in output, output

    cluster.wait_for(client, 2)


DRIVER = '''
import json, os, sys
from pathlib import Path
from autograder.course.config import sandbox_settings
from autograder.dispatch.dask_grading import grade_on_dask

course, address, log, size = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])

def poisoned(task):
    """The real task, except that a submission named poison kills the worker process grading it."""
    if any("poison" in item.key for item in task.items):
        with open(log, "a") as handle:
            handle.write(f"{os.getpid()} {len(task.items)}\\n")
        os._exit(1)
    from autograder.dispatch.tasks import run_task
    return run_task(task)

paths = sorted(str(p) for p in (course / "submitted").glob("*/*/*.ipynb"))
done = grade_on_dask(paths, "ps1_derivatives", sandbox_settings(course), address, root=course, chunk_size=size,
                     run=poisoned)
print(json.dumps({Path(r.submission).parent.parent.name: r.to_json() for r in done}))
'''


@cluster_only
@pytest.mark.parametrize("size", [4, 1])
def test_a_submission_that_kills_every_worker_is_an_error_after_bounded_tries(cluster, installed, tmp_path, size):
    """Chunks of 4: the poison shares its chunk with everyone. Chunks of 1: the other submissions
    wait on the workers it kills (Dask blames them too) and must still be graded."""
    honest = {"alice": {}, "bob": {"f_prime": "def f_prime(x):\n    return x\n"}, "carol": {}}
    if size == 1:
        honest.update({f"dave{i}": {} for i in range(5)})
    course = small_course(tmp_path, {**honest, "poison": {}})
    driver, log = tmp_path / "driver.py", cluster.base / f"poison{size}.log"
    driver.write_text(DRIVER)
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8"}
    done = subprocess.run([str(installed["python"]), str(driver), str(course), cluster.address, str(log), str(size)],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])

    tries = [int(n) for _, n in (line.split() for line in log.read_text().splitlines())]
    # Its chunk was tried on ALLOWED_FAILURES + 1 workers, then it alone on the cluster as often: bounded.
    assert tries == [size] * (ALLOWED_FAILURES + 1) + [1] * (ALLOWED_FAILURES + 1), tries
    assert found["poison"]["status"] == "error" and found["poison"]["max_score"] == MAX_SCORE
    assert "评分进程" in found["poison"]["error"]
    expected = {s: MAX_SCORE - (s == "bob") for s in honest}
    assert {s: found[s]["score"] for s in honest} == expected, \
        {s: (found[s]["status"], found[s]["error"]) for s in honest}
    assert all(found[s]["status"] == "graded" for s in honest)
    cluster.wait_for(cluster.client, 2)   # the nannies restarted the workers it killed


@cluster_only
def test_a_worker_of_another_version_is_refused_and_nothing_is_recorded(installed, tmp_path):
    other = tmp_path / "other"
    python = install(installed["wheel"], other)
    changed = other / "lib" / PYTHON_DIR / "site-packages" / "autograder" / "suites" / ASSIGNMENT / "test_f.py"
    changed.write_text(changed.read_text() + "\n# a different suite\n")
    course = small_course(tmp_path, {"alice": {}})

    machines = Cluster(tmp_path / "cluster", installed["python"], [course, ROOT])
    try:
        from dask.distributed import Client
        machines.start_worker("odd", python=python)
        with Client(machines.address, timeout=60) as client:
            machines.wait_for(client, 1)
        done = autograde(installed["python"], course, "--scheduler", machines.address)
    finally:
        machines.close()
        assert_no_process_left(tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "the worker odd" in done.stderr and "suite" in done.stderr, done.stderr
    assert "Install the same autograder package" in done.stderr
    assert not results(course), "a refused batch records nothing"


@cluster_only
@pytest.mark.skipif((Path(sysconfig.get_paths()["purelib"]) / "autograder").is_dir(),
                    reason="the package is installed in this environment itself, a scheduler would find it")
def test_a_scheduler_without_the_package_is_refused(installed, tmp_path):
    course = small_course(tmp_path, {"alice": {}})
    bare = tmp_path / "bare"   # the dependencies only
    subprocess.run([str(Path(getattr(sys, "_base_executable", sys.executable))), "-m", "venv", "--without-pip",
                    str(bare)], check=True)
    site = bare / "lib" / PYTHON_DIR / "site-packages"
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    machines = Cluster(tmp_path / "cluster", installed["python"], [course, ROOT],
                       scheduler_python=bare / "bin" / "python")
    try:
        code = ("import sys\nfrom autograder.dispatch.dask_grading import grade_on_dask, ClusterError\n"
                "from autograder.sandbox.settings import SandboxSettings\n"
                f"try:\n    grade_on_dask([{str(next(course.glob('submitted/*/*/*.ipynb')))!r}], {ASSIGNMENT!r}, "
                f"SandboxSettings(), {machines.address!r}, root=__import__('pathlib').Path({str(course)!r}))\n"
                "except ClusterError as exc:\n    print(exc)\n    sys.exit(3)\n")
        done = subprocess.run([str(installed["python"]), "-c", code], capture_output=True, text=True, timeout=120,
                              env={"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root")})
    finally:
        machines.close()
        assert_no_process_left(tmp_path)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "scheduler" in done.stdout and "install the autograder package" in done.stdout, done.stdout


@cluster_only
def test_a_submission_that_stalls_its_grading_process_is_an_error_and_its_chunk_mates_are_graded(installed,
                                                                                                 tmp_path):
    """Each Dask worker grades in a child process of its own under the watchdog (tasks.py): a
    submission that stalls it (the test-only hook, in the worker machine's environment) is
    noticed, the child killed and replaced, and the Dask worker itself never stops answering."""
    import hashlib

    from autograder.grading.failures import STUCK

    stalls = {"f": "# the test-only hook names this notebook's bytes\ndef f(x):\n    return x ** 2\n"}
    course = small_course(tmp_path, {"alice": {}, "bob": {"f_prime": "def f_prime(x):\n    return x\n"},
                                     "carol": {}, "mallory": stalls})
    with (course / "nbgrader_config.py").open("a") as config:
        config.write("\nc.SandboxSettings.submission_timeout = 8\nc.SandboxSettings.stall_grace = 6\n")
    stalling = course / "submitted" / "mallory" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    machines = Cluster(tmp_path / "cluster", installed["python"], [course, ROOT])
    try:
        from dask.distributed import Client
        machines.start_worker("w", env={"AUTOGRADER_TEST_STALL_ON": hashlib.sha256(stalling.read_bytes()).hexdigest()})
        with Client(machines.address, timeout=60) as client:
            machines.wait_for(client, 1)
        started = time.monotonic()
        done = autograde(installed["python"], course, "--scheduler", machines.address)
        elapsed = time.monotonic() - started
    finally:
        machines.close()
        assert_no_process_left(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    found = results(course)
    assert found["mallory"]["status"] == "error" and found["mallory"]["max_score"] == MAX_SCORE
    assert found["mallory"]["error"] == STUCK.format(seconds=14)
    assert {s: (r["status"], r["score"]) for s, r in found.items() if s != "mallory"} == {
        "alice": ("graded", MAX_SCORE), "bob": ("graded", MAX_SCORE - 1), "carol": ("graded", MAX_SCORE)}
    assert elapsed < 14 * 2 + 120, elapsed   # stuck with carol, then alone: two allowances, not forever


# ------------------------------------------------------------------- without a cluster

def test_a_task_of_another_version_is_refused_by_the_worker(tmp_path):
    from autograder.course.assignments import Assignment
    from autograder.dispatch.tasks import Plan, VersionMismatch, read_item, run_task

    notebook = make_submission(ASSIGNMENT, tmp_path / "alice" / f"{ASSIGNMENT}.ipynb")
    plan = Plan.of(Assignment.load(ASSIGNMENT), {})
    task = plan.task([read_item(str(notebook))])
    for change in ({"suite": "0" * 64}, {"reference": "1" * 64}, {"torch": "1.0"}):
        other = dataclasses.replace(task, manifest=dataclasses.replace(task.manifest, **change))
        with pytest.raises(VersionMismatch, match=list(change)[0]):
            run_task(other)
    with pytest.raises(VersionMismatch, match="release notebook"):
        run_task(dataclasses.replace(task, release=task.release + b" "))


def test_the_manifest_covers_what_decides_a_grade():
    from autograder.dispatch.tasks import manifest

    one, two = manifest(ASSIGNMENT, b"{}"), manifest("ps3_linear_regression", b"{}")
    assert one.grader == two.grader and one.suite != two.suite and one.reference != two.reference
    assert manifest(ASSIGNMENT, b"{ }").release != one.release
    assert manifest("no_such_assignment", b"{}").suite == "absent"
    assert re.fullmatch(r"[0-9a-f]{16}", one.fingerprint)


def test_worker_processes_claim_distinct_sandbox_users():
    code = ("import sys, time\nfrom autograder.sandbox.slots import claim_slot\n"
            "print(claim_slot(61000), flush=True)\nsys.stdin.read()\n")
    processes = [subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True) for _ in range(3)]
    try:
        slots = [int(p.stdout.readline()) for p in processes]
    finally:
        for p in processes:
            p.stdin.close()
            p.wait()
    assert len(set(slots)) == 3 and min(slots) >= 100, slots
    again = subprocess.run([sys.executable, "-c", code], input="", capture_output=True, text=True)
    assert int(again.stdout) == min(slots), "a slot is free again once its process has ended"


def test_unreadable_submissions_are_errors_with_the_real_max_score(tmp_path):
    from autograder.dispatch.dask_grading import grade_on_dask
    from autograder.sandbox.settings import SandboxSettings

    folder = tmp_path / "a_folder.ipynb"
    folder.mkdir()
    (result,) = grade_on_dask([str(folder)], ASSIGNMENT, SandboxSettings(), "tcp://127.0.0.1:9")  # never contacted
    assert result.status == "error" and result.max_score == MAX_SCORE and result.error == "这不是一个文件。"
