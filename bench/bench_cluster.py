"""Benchmark: `autograder autograde --scheduler` on a Dask cluster of 1, 2 and 4 worker processes.

    .venv/bin/python bench/bench_cluster.py [--submissions 40] [--assignment ps3_linear_regression]
                                            [--processes 1 2 4]

Builds the package as a wheel and installs it into an environment of its own (what a worker
machine has), builds one nbgrader course of N submissions (right answers and catalogue
mistakes), starts a real `dask scheduler` and one `dask worker --nworkers K --nthreads 1` as
separate processes -- as root, the worker in a mount namespace where the course and this
repository are hidden (tests/dask_cluster.py) -- and times, for each K:
  - a first `autograde --force` (workers cold: zygotes, reference caches), then
  - a second one (warm): grading time (the summary's "in X s") and end to end;
the CPU time of the worker machine (every process of its session) and of the instructor's
`autograde` process -- CPU per submission does not depend on how loaded the machine is, wall
times do; local `autograde --workers K` for comparison; and the instructor's side alone
(gradebook and feedback for N results, no grading), which bounds what more machines can give.
Prints a table and what it predicts for M machines. A benchmark, not a test: figures depend
on the machine and its load.
"""
from __future__ import annotations

import argparse
import importlib
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from dask_cluster import Cluster, build_wheel, can_hide_directories, install  # noqa: E402
from helpers import make_submission  # noqa: E402

SUMMARY = re.compile(r"(\d+) submissions: (\d+) graded and (\d+) could not be graded in ([\d.]+)s")


def build_course(target: Path, assignment: str, count: int, python: Path) -> None:
    """N submissions: 60 % right (the reference answers or catalogue variants), 40 % a catalogue mistake."""
    catalogue = importlib.import_module(f"catalogue.{assignment}")
    right = [{}] + [{f: code} for f, answers in getattr(catalogue, "RIGHT", {}).items() for code in answers.values()]
    wrong = [{f: code} for f, answers in catalogue.WRONG.items() for code in answers.values()]
    shutil.copytree(ROOT / "source" / assignment, target / "source" / assignment)
    shutil.copytree(ROOT / "release" / assignment, target / "release" / assignment)
    shutil.copy(ROOT / "nbgrader_config.py", target)
    for i in range(count):
        cells = right[i % len(right)] if i % 5 < 3 else wrong[(i // 5 * 2 + i % 5 - 3) % len(wrong)]
        make_submission(assignment, target / "submitted" / f"student{i:03d}" / assignment / f"{assignment}.ipynb",
                        cells)


def cpu_of_session(sid: int) -> float:
    """CPU seconds of every process of a session (a worker machine), with the children they reaped."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:   # field 6 of stat: the session
            total += sum(int(f) for f in fields[11:15])   # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def autograde(python: Path, course: Path, assignment: str, *args: str) -> dict:
    """One run: end-to-end and grading seconds (the summary's), and the CPU seconds of the
    `autograde` process with what it waited for (its local workers too)."""
    env = {"PATH": f"{python.parent}:/usr/local/bin:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"),
           "LANG": "C.UTF-8"}
    cpu, started = children_cpu(), time.perf_counter()
    done = subprocess.run([str(python), "-m", "autograder", "autograde", assignment, "--no-progress", *args],
                          cwd=course, env=env, capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - started, children_cpu() - cpu
    found = SUMMARY.search(done.stdout)
    if done.returncode not in (0, 1) or not found:
        raise SystemExit(f"autograde {' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return {"total": elapsed, "grading": float(found[4]), "cpu": cpu}


def recording_only(python: Path, course: Path, assignment: str) -> dict:
    """The instructor's side for N results without grading: every result is kept (unchanged) and
    its gradebook entry and feedback page written again; minus a run with nothing to do."""
    for marker in (course / "autograded").glob(f"*/{assignment}/.recorded"):
        marker.unlink()
    records = autograde(python, course, assignment)
    nothing = autograde(python, course, assignment)
    return {"total": max(records["total"] - nothing["total"], 1e-6), "cpu": max(records["cpu"] - nothing["cpu"], 1e-6)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--assignment", default="ps3_linear_regression")
    parser.add_argument("--processes", type=int, nargs="*", default=[1, 2, 4])
    args = parser.parse_args()
    n, assignment, cores = args.submissions, args.assignment, os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    hide = can_hide_directories()
    rows = []
    try:
        python = install(build_wheel(work / "build"), work / "venv")
        course = work / "courses" / "course"
        build_course(course, assignment, n, python)
        print(f"{cores} cores, load average {os.getloadavg()[0]:.1f}; {n} submissions of {assignment}; workers "
              + ("in mount namespaces that hide the course" if hide else "NOT isolated (not root)"), flush=True)
        autograde(python, course, assignment, "--force", "--workers", str(cores))   # caches, gradebook
        record = recording_only(python, course, assignment)
        print(f"instructor's side alone (gradebook, feedback, results.json): {record['total']:.1f} s, "
              f"{record['cpu']:.1f} s CPU for {n}", flush=True)
        for processes in args.processes:
            local = autograde(python, course, assignment, "--force", "--workers", str(processes))
            cluster = Cluster(work / f"cluster-{processes}", python, [work / "courses", ROOT])
            try:
                cluster.start_worker("machine", processes=processes, hide=hide)
                from dask.distributed import Client
                with Client(cluster.address, timeout=60) as client:
                    cluster.wait_for(client, processes)
                cold = autograde(python, course, assignment, "--force", "--scheduler", cluster.address)
                session = cluster.processes["machine"].pid
                before = cpu_of_session(session)
                warm = autograde(python, course, assignment, "--force", "--scheduler", cluster.address)
                warm["workers_cpu"] = cpu_of_session(session) - before
            finally:
                cluster.close()
            rows.append((processes, local, cold, warm, os.getloadavg()[0]))
            print(f"{processes} process(es): local {local['grading']:.1f} s | dask cold {cold['grading']:.1f} s, "
                  f"warm {warm['grading']:.1f} s ({n / warm['grading']:.2f}/s), {warm['total']:.1f} s end to end; "
                  f"CPU per submission: workers {warm['workers_cpu'] / n:.3f} s, instructor {warm['cpu'] / n:.3f} s",
                  flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("\n| worker processes | local `--workers K` | Dask, first run | Dask, warm | submissions/s | "
          "worker CPU per submission | instructor CPU per submission | load |")
    print("|---|---|---|---|---|---|---|---|")
    for processes, local, cold, warm, load in rows:
        print(f"| {processes} | {local['grading']:.1f} s | {cold['grading']:.1f} s | {warm['grading']:.1f} s | "
              f"{n / warm['grading']:.2f} | {warm['workers_cpu'] / n:.3f} s | {warm['cpu'] / n:.3f} s | {load:.1f} |")
    worker_cpu = min(w["workers_cpu"] for _, _, _, w, _ in rows) / n
    instructor_cpu = max(min(w["cpu"] for _, _, _, w, _ in rows) / n, record["cpu"] / n)
    print(f"\nPrediction: a worker core grades about {1 / worker_cpu:.2f} submissions/s (CPU per submission "
          f"{worker_cpu:.3f} s), so M machines of c cores (c worker processes each) give about "
          f"M x c x {1 / worker_cpu:.2f} submissions/s, until the instructor's machine -- {instructor_cpu:.3f} s "
          f"of CPU per submission in one process (results, gradebook, feedback) -- is the limit at about "
          f"{1 / instructor_cpu:.1f} submissions/s, i.e. about {worker_cpu / instructor_cpu:.0f} busy worker cores.")


if __name__ == "__main__":
    main()
