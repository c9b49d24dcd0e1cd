"""Benchmark: the real `nbgrader autograde` against `autograder autograde` on a class that looks real.

    .venv/bin/python bench/bench_autograde.py                      # every assignment, N = 40 and 80
    .venv/bin/python bench/bench_autograde.py --assignments ps3_linear_regression --submissions 40

For each assignment, builds one nbgrader course whose class is about 60 % correct answers (the
reference or a correct variant written differently), 35 % realistic mistakes from the wrong-answer
catalogue and 5 % hangs (one graded function that never returns), then times, on identical copies:
  - `nbgrader autograde ASSIGNMENT --force` on N submissions (sequential kernels, unsandboxed, with
    nbgrader's default cell timeout of 30 s),
  - `autograder autograde ASSIGNMENT --force` on N and on 2N submissions (sandboxed workers, one per
    core); the difference is the cost of each further submission once running,
and prints per assignment both wall times and their ratio, seconds per further submission, the
peak memory (PSS) of a worker's process tree, and the *floor*: the time spent inside student calls
and trusted comparisons alone (the tests' own time, from each results.json), with the ratio of
wall time to that floor. Last, `autograder check` latency on one notebook per assignment: a first
check, and a check again while the first one's zygote lingers.
A benchmark, not a test: the numbers depend on the machine and its load. --markdown prints the
README's table.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import random
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
sys.path.insert(0, str(ROOT))
from helpers import make_submission  # noqa: E402

from autograder.course.assignments import Assignment, assignment_ids  # noqa: E402

BIN = Path(sys.executable).parent
ENV = dict(os.environ, PATH=f"{BIN}:{os.environ.get('PATH', '')}")
TARGET_FURTHER = {"ps4_autodiff": 0.3}   # seconds per further submission; 0.15 elsewhere (issue 9)


def hang(name: str) -> str:
    if name[0].isupper():
        return f"class {name}:\n    def __init__(self, *args, **kwargs):\n        while True:\n            pass\n"
    return f"def {name}(*args, **kwargs):\n    while True:\n        pass\n"


def class_mix(assignment: str, count: int, seed: int = 0) -> list[tuple[str, dict]]:
    """(kind, answer cells to replace) for `count` students: 60 % right, 35 % wrong, 5 % hanging."""
    catalogue = importlib.import_module(f"catalogue.{assignment}")
    right = [{}] + [{f: code} for f, answers in catalogue.RIGHT.items() for code in answers.values()]
    wrong = [{f: code} for f, answers in catalogue.WRONG.items() for code in answers.values()]
    functions = Assignment.load(assignment).functions
    random.Random(seed).shuffle(wrong)
    kinds = ["right"] * round(count * 0.60) + ["wrong"] * round(count * 0.35)
    kinds += ["hang"] * (count - len(kinds))
    random.Random(seed + 1).shuffle(kinds)
    mix, counters = [], {"right": 0, "wrong": 0, "hang": 0}
    for kind in kinds:
        i = counters[kind]
        counters[kind] += 1
        cells = {"right": lambda: right[i % len(right)], "wrong": lambda: wrong[i % len(wrong)],
                 "hang": lambda: {functions[i % len(functions)]: hang(functions[i % len(functions)])}}[kind]()
        mix.append((kind, cells))
    return mix


def build_course(target: Path, assignment: str, mix: list[tuple[str, dict]], copies: int = 1) -> None:
    shutil.copytree(ROOT / "source" / assignment, target / "source" / assignment)
    shutil.copy(ROOT / "nbgrader_config.py", target)
    for copy in range(copies):
        for i, (_kind, cells) in enumerate(mix):
            student = f"student{i:03d}" + ("" if copy == 0 else f"c{copy}")
            make_submission(assignment, target / "submitted" / student / assignment / f"{assignment}.ipynb", cells)
    done = subprocess.run([str(BIN / "nbgrader"), "generate_assignment", assignment, "--force"], cwd=target,
                          env=ENV, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr)


def pss_of_tree(root_pid: int) -> int:
    """Proportional set size (bytes) of a process and all its descendants."""
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


def worker_pids() -> tuple[list[int], list[int]]:
    """The workers, and the zygotes that are not a worker's descendants (a batch's shared one)."""
    workers, zygotes = [], []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                line = (entry / "cmdline").read_bytes()
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                if b"autograder.dispatch.parallel" in line:
                    workers.append(int(entry.name))
                elif b"autograder.sandbox.zygote" in line and \
                        b"autograder.sandbox.zygote" not in Path(f"/proc/{parent}/cmdline").read_bytes():
                    zygotes.append((int(entry.name), parent))
            except (OSError, ValueError, IndexError):
                pass
    return workers, [pid for pid, parent in zygotes if parent not in workers]


def timed(command: list[str], cwd: Path, sample_workers: bool = False) -> tuple[float, int]:
    peak, stop = 0, threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            # A worker's share: the workers' trees and the shared zygote's (whose children are
            # the sandboxes), divided by the workers.
            workers, shared = worker_pids()
            if workers:
                peak = max(peak, sum(pss_of_tree(pid) for pid in workers + shared) // len(workers))
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


def floor_of(course: Path, assignment: str) -> float:
    """Seconds spent inside the tests (student calls and trusted comparisons), summed."""
    total = 0.0
    for path in (course / "autograded").glob(f"*/{assignment}/results.json"):
        total += json.loads(path.read_text()).get("timing", {}).get("tests", 0.0)
    return total


def check_latency(notebook: Path, repeats: int = 3) -> tuple[float, float]:
    """Medians of `repeats` runs of `autograder check`: the first check (a zygote of its own, which
    imports torch where the assignment needs it) and a check again (the lingering zygote of the one
    before it; `check_linger`)."""
    def median_of(linger: str) -> float:
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            subprocess.run([str(BIN / "autograder"), "check", str(notebook)], capture_output=True,
                           env=dict(ENV, AUTOGRADER_CHECK_LINGER=linger))
            times.append(time.perf_counter() - started)
        return statistics.median(times)
    first = median_of("0")
    subprocess.run([str(BIN / "autograder"), "check", str(notebook)], capture_output=True,
                   env=dict(ENV, AUTOGRADER_CHECK_LINGER="60"))   # leaves a zygote for the next ones
    again = median_of("60")
    subprocess.run(["pkill", "-f", "autograder.sandbox.zygote .* autograder-zygote-"], capture_output=True)
    return first, again


def bench(assignment: str, n: int, work: Path) -> dict:
    mix = class_mix(assignment, n)
    build_course(work / "nbgrader", assignment, mix)
    shutil.copytree(work / "nbgrader", work / "autograder")
    build_course(work / "autograder-2x", assignment, mix, copies=2)
    # nbgrader's own default cell timeout (30 s), not the course's 120 s for slow machines: a hanging
    # notebook costs nbgrader 30 s for each cell that calls the hanging function.
    nb_time, _ = timed([str(BIN / "nbgrader"), "autograde", assignment, "--force", "--Execute.timeout=30"],
                       work / "nbgrader")
    command = [str(BIN / "autograder"), "autograde", assignment, "--force", "--no-progress"]
    ag_time, peak = timed(command, work / "autograder", sample_workers=True)
    double_time, _ = timed(command, work / "autograder-2x")
    workers = os.cpu_count() or 1
    floor = floor_of(work / "autograder", assignment) / workers
    return {"assignment": assignment, "n": n, "nbgrader": nb_time, "autograder": ag_time, "autograder_2n": double_time,
            "ratio": nb_time / ag_time, "further": (double_time - ag_time) / n, "peak_mb": peak / 2**20,
            "floor": floor, "over_floor": ag_time / floor if floor else float("nan"),
            **dict(zip(("check", "check_again"), check_latency(ROOT / "samples" / assignment / "alice.ipynb"))),
            "mix": {k: sum(1 for kind, _ in mix if kind == k) for k in ("right", "wrong", "hang")}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=40, help="N (the class is graded at N and 2N)")
    parser.add_argument("--assignments", nargs="*", default=assignment_ids())
    parser.add_argument("--markdown", action="store_true", help="also print the README's table")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; class: 60 % right, 35 % catalogue mistakes, 5 % hangs; N = {args.submissions} "
          f"and {2 * args.submissions}")
    rows = []
    for assignment in args.assignments:
        work = Path(tempfile.mkdtemp(prefix=f"bench-{assignment}-"))
        try:
            row = bench(assignment, args.submissions, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        rows.append(row)
        target = TARGET_FURTHER.get(assignment, 0.15)
        print(f"{assignment:<24} nbgrader {row['nbgrader']:6.1f} s | autograder {row['autograder']:5.1f} s "
              f"({row['ratio']:4.1f}x) | {2 * args.submissions}: {row['autograder_2n']:5.1f} s -> "
              f"{row['further']:.3f} s per further submission (target {target}) | peak {row['peak_mb']:.0f} MB | "
              f"floor {row['floor']:.1f} s, wall/floor {row['over_floor']:.1f} | check {row['check']:.2f} s, "
              f"again {row['check_again']:.2f} s",
              flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    if args.markdown:
        n = args.submissions
        print(f"\n| assignment | nbgrader, {n} | autograder, {n} | ratio | autograder, {2 * n} | per further "
              f"submission | worker peak | floor (wall / floor) | `check` | `check` again |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| `{r['assignment']}` | {r['nbgrader']:.1f} s | {r['autograder']:.1f} s | **{r['ratio']:.0f}×** | "
                  f"{r['autograder_2n']:.1f} s | {r['further']:.3f} s | {r['peak_mb']:.0f} MB | "
                  f"{r['floor']:.1f} s ({r['over_floor']:.1f}×) | {r['check']:.2f} s | {r['check_again']:.2f} s |")


if __name__ == "__main__":
    main()
