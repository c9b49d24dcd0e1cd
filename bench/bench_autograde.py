"""Benchmark: the real `nbgrader autograde` against `autograder autograde` on the same files.

    .venv/bin/python bench/bench_autograde.py [--submissions 40] [--assignment ps1_derivatives]

Builds one nbgrader course with N submissions (correct answers and realistic mistakes from the
wrong-answer catalogue), records the assignment in the gradebook (not timed), then times, on
identical copies of that course:
  - `nbgrader autograde ASSIGNMENT --force` (sequential, one kernel per submission),
  - `autograder autograde ASSIGNMENT --force` (sandboxed workers, one per core), also on a
    class twice as large (the difference is the cost of each further submission),
and prints the times, the throughput ratios, the peak memory (PSS) of each worker's process
tree, and the latency of `autograder check` on one notebook (ps1_derivatives and ps4_autodiff).
This is a benchmark, not a test: numbers depend on the machine and its load.
"""
from __future__ import annotations

import argparse
import importlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from helpers import make_submission  # noqa: E402

BIN = Path(sys.executable).parent
ENV = dict(os.environ, PATH=f"{BIN}:{os.environ.get('PATH', '')}")


def build_course(target: Path, assignment: str, count: int) -> None:
    shutil.copytree(ROOT / "source" / assignment, target / "source" / assignment)
    shutil.copy(ROOT / "nbgrader_config.py", target)
    wrong = importlib.import_module(f"catalogue.{assignment}").WRONG
    variants = [{}] + [{function: code} for function, answers in wrong.items() for code in answers.values()]
    for i in range(count):
        make_submission(assignment, target / "submitted" / f"student{i:03d}" / assignment / f"{assignment}.ipynb",
                        variants[i % len(variants)])
    done = subprocess.run([str(BIN / "nbgrader"), "generate_assignment", assignment, "--force"], cwd=target,
                          env=ENV, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr)


def pss_of_tree(root_pid: int) -> int:
    """Proportional set size (bytes) of a process and all its descendants: shared pages are
    split between the processes sharing them, so the sum is what the tree really costs."""
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{pid}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            pass
    return total


def worker_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if b"autograder.parallel" in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def timed(command: list[str], cwd: Path, sample_workers: bool = False) -> tuple[float, int]:
    peak = 0
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            for pid in worker_pids():
                peak = max(peak, pss_of_tree(pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_workers:
        sampler.start()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    stop.set()
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed, peak


def check_latency(notebook: Path, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([str(BIN / "autograder"), "check", str(notebook)], env=ENV, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--assignment", default="ps1_derivatives")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        build_course(work / "template", args.assignment, args.submissions)
        for name in ("nbgrader", "autograder"):
            shutil.copytree(work / "template", work / name)
        n = args.submissions
        print(f"{n} submissions of {args.assignment}, {os.cpu_count()} cores")
        nb_time, _ = timed([str(BIN / "nbgrader"), "autograde", args.assignment, "--force"], work / "nbgrader")
        print(f"nbgrader autograde   : {nb_time:7.1f} s  ({nb_time / n:.2f} s per submission)")
        ag_time, peak = timed([str(BIN / "autograder"), "autograde", args.assignment, "--force", "--no-progress"],
                              work / "autograder", sample_workers=True)
        print(f"autograder autograde : {ag_time:7.1f} s  ({ag_time / n:.3f} s per submission)")
        print(f"throughput ratio     : {nb_time / ag_time:7.1f} x nbgrader (end to end, start-up included)")
        # Twice the class: the extra time is what each further submission costs once running.
        double = work / "autograder-2x"
        shutil.copytree(work / "template", double)
        for student in list((double / "submitted").iterdir()):
            shutil.copytree(student, student.with_name(student.name + "b"))
        double_time, _ = timed([str(BIN / "autograder"), "autograde", args.assignment, "--force", "--no-progress"],
                               double)
        marginal = (double_time - ag_time) / n
        print(f"autograder, {2 * n} submissions: {double_time:5.1f} s -> {marginal:.3f} s per further submission, "
              f"steady-state throughput {nb_time / n / marginal:.0f} x nbgrader")
        print(f"peak memory per worker (PSS of its process tree): {peak / 2**20:.0f} MB")
        for assignment, target in (("ps1_derivatives", 1.0), ("ps4_autodiff", 3.0)):
            latency = check_latency(ROOT / "samples" / assignment / "alice.ipynb")
            print(f"autograder check {assignment:<22}: {latency:5.2f} s (median of 3; target {target:g} s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
