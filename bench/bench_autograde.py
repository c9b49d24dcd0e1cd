"""Benchmark: the real `nbgrader autograde` against `autograder autograde` on a class that looks real.

    .venv/bin/python bench/bench_autograde.py                      # every assignment, N = 40 and 80
    .venv/bin/python bench/bench_autograde.py --assignments ps3_linear_regression --submissions 40

For each assignment and each of two classes (mixes), builds one nbgrader course:
  - `current`: about 60 % correct answers (the reference or a correct variant written differently),
    35 % realistic mistakes from the wrong-answer catalogue and 5 % hangs (one graded function that
    never returns; nbgrader pays its cell timeout for each, so this mix flatters the ratio);
  - `honest`: a third correct, two thirds single mistakes (one wrong function each, from the
    catalogue and the held-out set of mistakes found in real students' code), no hangs;
then times, on identical copies:
  - `nbgrader autograde ASSIGNMENT --force` on N submissions (sequential kernels, unsandboxed, with
    nbgrader's default cell timeout of 30 s),
  - `autograder autograde ASSIGNMENT --force` on N and on 2N submissions (sandboxed workers, one per
    core); the difference is the cost of each further submission once running,
  - `autograder grade NOTEBOOK... --json` on the same N (the grading contract: no gradebook, no pages),
and prints per assignment and mix both wall times and their ratio, seconds per further submission,
how busy the cores were during the autograder's 2N batch (CPU seconds of its whole process tree,
counted by a cpuacct cgroup of its own, or the reaped children's rusage where none can be made,
divided by wall time and cores; and the whole machine's busy share from /proc/stat, which other users' load
inflates), the peak memory (PSS) of a worker's process tree, and the *floor*: the time spent inside student calls
and trusted comparisons alone (the tests' own time, from each results.json), with the ratio of
wall time to that floor. Last, `autograder check` latency on one notebook per assignment: a first
check, and a check again while the first one's zygote lingers.
`check` latency is a median of five.
A benchmark, not a test: the numbers depend on the machine and its load. --markdown prints the
table of docs/performance.md.
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
TARGET_FURTHER = {"ps4_autodiff": 0.25}   # seconds per further submission; 0.15 elsewhere (issue 26)


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


def honest_mix(assignment: str, count: int, seed: int = 0) -> list[tuple[str, dict]]:
    """(kind, answer cells to replace) for `count` students: a third right (the reference or a
    correct variant), two thirds with one mistake each, from the catalogue and the held-out set,
    no hangs (issue 26)."""
    catalogue = importlib.import_module(f"catalogue.{assignment}")
    heldout = importlib.import_module(f"heldout.{assignment}")
    right = [{}] + [{f: code} for f, answers in catalogue.RIGHT.items() for code in answers.values()]
    wrong = [{f: code} for f, answers in catalogue.WRONG.items() for code in answers.values()]
    wrong += [{f: case[0]} for f, cases in heldout.CASES.items() for case in cases.values()]
    random.Random(seed).shuffle(right)
    random.Random(seed + 2).shuffle(wrong)
    kinds = ["right"] * round(count / 3)
    kinds += ["wrong"] * (count - len(kinds))
    random.Random(seed + 1).shuffle(kinds)
    mix, counters = [], {"right": 0, "wrong": 0}
    for kind in kinds:
        i = counters[kind]
        counters[kind] += 1
        mix.append((kind, right[i % len(right)] if kind == "right" else wrong[i % len(wrong)]))
    return mix


MIXES = {"current": class_mix, "honest": honest_mix}


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
                if b"autograder.dispatch.worker" in line:
                    workers.append(int(entry.name))
                elif b"autograder.sandbox.zygote" in line and \
                        b"autograder.sandbox.zygote" not in Path(f"/proc/{parent}/cmdline").read_bytes():
                    zygotes.append((int(entry.name), parent))
            except (OSError, ValueError, IndexError):
                pass
    return workers, [pid for pid, parent in zygotes if parent not in workers]


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]   # idle + iowait
    return sum(fields[:8]) - idle, sum(fields[:8])


class CpuAccount:
    """CPU seconds of a command's whole process tree: a cgroup of its own in the v1 cpuacct
    hierarchy, beneath this process's own (sandboxes make theirs in other hierarchies only), or,
    where none can be made, the reaped children's rusage (which misses what a subreaper reaps)."""

    def __init__(self):
        self.group = None
        try:
            own = next(line.split(":", 2)[2] for line in Path("/proc/self/cgroup").read_text().splitlines()
                       if "cpuacct" in line.split(":")[1].split(","))
            group = Path("/sys/fs/cgroup/cpuacct" + own.rstrip("/")) / f"bench-{os.getpid()}"
            group.mkdir(exist_ok=True)
            self.group = group
        except (OSError, StopIteration, IndexError):
            pass
        self.before = self._seconds()

    def _seconds(self) -> float:
        if self.group:
            return int((self.group / "cpuacct.usage").read_text()) / 1e9
        t = os.times()
        return t.children_user + t.children_system

    def join(self) -> None:
        """In the child before exec."""
        if self.group:
            (self.group / "cgroup.procs").write_text(str(os.getpid()))

    def used(self) -> float:
        seconds = self._seconds() - self.before
        if self.group:
            for _ in range(50):   # empty once its last process is gone
                try:
                    self.group.rmdir()
                    break
                except OSError:
                    time.sleep(0.1)
        return seconds


def timed(command: list[str], cwd: Path, sample_workers: bool = False, usage: dict | None = None) -> tuple[float, int]:
    """Wall time and a worker's peak PSS; `usage` gets the command's CPU seconds (its whole
    process tree) and the machine's busy share during it."""
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
    account, busy, reaped = CpuAccount() if usage is not None else None, machine_busy(), os.times()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True,
                          preexec_fn=account.join if account else None)
    elapsed = time.perf_counter() - started
    stop.set()
    if usage is not None:
        busy_after = machine_busy()
        usage["cpu"] = account.used()
        after = os.times()   # what rusage sees: less than the cgroup where a process is reaped elsewhere
        usage["cpu_rusage"] = after.children_user + after.children_system - reaped.children_user - reaped.children_system
        usage["busy"] = usage["cpu"] / elapsed / (os.cpu_count() or 1)
        usage["machine_busy"] = (busy_after[0] - busy[0]) / max(1, busy_after[1] - busy[1])
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed, peak


def floor_of(course: Path, assignment: str) -> float:
    """Seconds spent inside the tests (student calls and trusted comparisons), summed."""
    total = 0.0
    for path in (course / "autograded").glob(f"*/{assignment}/results.json"):
        total += json.loads(path.read_text()).get("timing", {}).get("tests", 0.0)
    return total


def check_latency(notebook: Path, repeats: int = 5) -> tuple[float, float]:
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
    before = lingering_zygotes()
    first = median_of("0")
    subprocess.run([str(BIN / "autograder"), "check", str(notebook)], capture_output=True,
                   env=dict(ENV, AUTOGRADER_CHECK_LINGER="60"))   # leaves a zygote for the next ones
    again = median_of("60")
    end_lingering(before)
    return first, again


def lingering_zygotes() -> set[int]:
    """Lingering `check` zygotes started by this checkout's Python (its venv: other people's
    checks linger too, and are never ours to end)."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit():
                line = (entry / "cmdline").read_bytes().split(b"\0")
                if line[:3] == [sys.executable.encode(), b"-m", b"autograder.sandbox.zygote"] \
                        and any(part.startswith(b"autograder-zygote-") for part in line):
                    found.add(int(entry.name))
        except OSError:
            pass
    return found


def end_lingering(before: set[int]) -> None:
    """The zygotes this benchmark's checks left lingering (not those there before it)."""
    for pid in lingering_zygotes() - before:
        try:
            os.kill(pid, 9)
        except OSError:
            pass


def bench(assignment: str, n: int, work: Path, mix_name: str = "current") -> dict:
    mix = MIXES[mix_name](assignment, n)
    build_course(work / "nbgrader", assignment, mix)
    shutil.copytree(work / "nbgrader", work / "autograder")
    build_course(work / "autograder-2x", assignment, mix, copies=2)
    # nbgrader's own default cell timeout (30 s), not the course's 120 s for slow machines: a hanging
    # notebook costs nbgrader 30 s for each cell that calls the hanging function.
    nb_time, _ = timed([str(BIN / "nbgrader"), "autograde", assignment, "--force", "--Execute.timeout=30"],
                       work / "nbgrader")
    command = [str(BIN / "autograder"), "autograde", assignment, "--force", "--no-progress"]
    ag_time, peak = timed(command, work / "autograder", sample_workers=True)
    usage: dict = {}
    double_time, _ = timed(command, work / "autograder-2x", usage=usage)
    # The grading contract's command on the same N notebooks: no gradebook, no pages (the issue's
    # measurement from outside the team).
    notebooks = sorted(str(p) for p in (work / "autograder" / "submitted").glob(f"*/{assignment}/*.ipynb"))
    grade_time, _ = timed([str(BIN / "autograder"), "grade", *notebooks, "--assignment", assignment, "--json"],
                          work / "autograder")
    workers = os.cpu_count() or 1
    floor = floor_of(work / "autograder", assignment) / workers
    return {"assignment": assignment, "mix_name": mix_name, "n": n, "nbgrader": nb_time, "autograder": ag_time,
            "autograder_2n": double_time, "ratio": nb_time / ag_time, "grade": grade_time,
            "grade_ratio": nb_time / grade_time, "further": (double_time - ag_time) / n,
            "peak_mb": peak / 2**20, "floor": floor, "over_floor": ag_time / floor if floor else float("nan"),
            "cpu_2n": usage["cpu"], "cpu_2n_rusage": usage["cpu_rusage"], "busy": usage["busy"],
            "machine_busy": usage["machine_busy"],
            "timing": timing_of(work / "autograder-2x", assignment),
            "mix": {k: sum(1 for kind, _ in mix if kind == k) for k in ("right", "wrong", "hang")}}


def timing_of(course: Path, assignment: str) -> dict:
    """Each part of `timing`, summed over the results of a course, and what `total` holds beyond its parts."""
    sums: dict = {}
    for path in (course / "autograded").glob(f"*/{assignment}/results.json"):
        for part, seconds in json.loads(path.read_text()).get("timing", {}).items():
            sums[part] = sums.get(part, 0.0) + seconds
    sums["unaccounted"] = sums.get("total", 0.0) - sum(v for k, v in sums.items() if k != "total")
    return sums


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=40, help="N (the class is graded at N and 2N)")
    parser.add_argument("--assignments", nargs="*", default=assignment_ids())
    parser.add_argument("--mixes", nargs="*", default=list(MIXES), choices=list(MIXES))
    parser.add_argument("--no-check", action="store_true", help="skip the `check` latencies")
    parser.add_argument("--markdown", action="store_true", help="also print the table of docs/performance.md")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; N = {args.submissions} and {2 * args.submissions}; mixes: current = 60 % right, "
          f"35 % catalogue mistakes, 5 % hangs; honest = a third right, two thirds single mistakes, no hangs")
    rows = []
    for assignment in args.assignments:
        for mix_name in args.mixes:
            work = Path(tempfile.mkdtemp(prefix=f"bench-{assignment}-"))
            try:
                row = bench(assignment, args.submissions, work, mix_name)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            if not args.no_check and mix_name == args.mixes[-1]:
                row["check"], row["check_again"] = check_latency(ROOT / "samples" / assignment / "alice.ipynb")
            rows.append(row)
            target = TARGET_FURTHER.get(assignment, 0.15)
            print(f"{assignment:<22} {mix_name:<7} nbgrader {row['nbgrader']:6.1f} s | autograder {row['autograder']:5.1f} s "
                  f"({row['ratio']:4.1f}x) | grade --json {row['grade']:5.1f} s ({row['grade_ratio']:4.1f}x) | {2 * args.submissions}: {row['autograder_2n']:5.1f} s -> "
                  f"{row['further']:.3f} s per further submission (target {target}) | cores {100 * row['busy']:.0f} % "
                  f"busy with its tree ({row['cpu_2n']:.1f} CPU-s; rusage sees {row['cpu_2n_rusage']:.1f}; machine "
                  f"{100 * row['machine_busy']:.0f} %) | peak {row['peak_mb']:.0f} MB | "
                  f"floor {row['floor']:.1f} s, wall/floor {row['over_floor']:.1f} | timing gap "
                  f"{row['timing']['unaccounted']:.2f} s" + (f" | check {row['check']:.2f} s, again "
                                                             f"{row['check_again']:.2f} s" if "check" in row else ""),
                  flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    if args.markdown:
        n = args.submissions
        print(f"\n| assignment | mix | nbgrader, {n} | autograder, {n} | ratio | `grade --json`, {n} (ratio) | "
              f"autograder, {2 * n} | per further submission | cores busy (tree / machine) | worker peak | "
              f"floor (wall / floor) | `check` | `check` again |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            check = f"{r['check']:.2f} s | {r['check_again']:.2f} s" if "check" in r else "| "
            print(f"| `{r['assignment']}` | {r['mix_name']} | {r['nbgrader']:.1f} s | {r['autograder']:.1f} s | "
                  f"**{r['ratio']:.0f}×** | {r['grade']:.1f} s ({r['grade_ratio']:.0f}×) | {r['autograder_2n']:.1f} s | {r['further']:.3f} s | "
                  f"{100 * r['busy']:.0f} % / {100 * r['machine_busy']:.0f} % | {r['peak_mb']:.0f} MB | "
                  f"{r['floor']:.1f} s ({r['over_floor']:.1f}×) | {check} |")


if __name__ == "__main__":
    main()
