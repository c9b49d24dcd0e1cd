"""Grade on submit under load: N simulated students hand in at the same moment to one
`autograder serve` on this machine (a benchmark, not a test).

    .venv/bin/python bench/bench_service.py                 # 20 students, ps1_derivatives
    .venv/bin/python bench/bench_service.py --students 40 --assignment ps3_linear_regression
    .venv/bin/python bench/bench_service.py --rush          # a deadline rush (bench/rush.py)

It builds an nbgrader course with N students in its gradebook and issues their tokens, starts the
service (one worker per core unless --workers), lets one student submit first (the service's
warm-up: workers, zygotes, the gradebook learning the assignment) and then N students at once,
each with their own notebook (the same class mix as bench_autograde.py: right answers, catalogue
mistakes, a few hanging functions), each uploading then long-polling until their feedback is
there. It reports the time from upload to feedback (median and worst), throughput, and checks
that every submission is in the gradebook with the score its student was shown.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
from bench_autograde import class_mix  # noqa: E402
from helpers import make_submission  # noqa: E402
from servers import Service, issue_tokens, make_course, request  # noqa: E402


def student_run(service: Service, token: str, assignment: str, body: bytes, start: threading.Barrier,
                out: dict) -> None:
    start.wait()
    began = time.monotonic()
    status, data, _ = request(f"{service.url}api/assignments/{assignment}/submissions", token, body, "POST")
    accepted = time.monotonic()
    if status != 202:
        out.update(error=f"{status} {data}")
        return
    while data.get("state") != "done":
        status, data, _ = request(f"{service.url}api/submissions/{data['id']}?wait=30", token)
        if status != 200:
            out.update(error=f"{status} {data}")
            return
    out.update(began=began, accepted=accepted - began, latency=time.monotonic() - began, done=time.monotonic(),
               score=data["score"], max_score=data["max_score"], status=data["status"], id=data["id"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--assignment", default="ps1_derivatives")
    parser.add_argument("--workers", type=int, default=0, help="grading processes (default: one per core)")
    parser.add_argument("--rush", action="store_true",
                        help="a deadline rush instead: 100 students, 200 uploads in 60 s, crafted ones among them")
    parser.add_argument("--submission-timeout", type=float, default=60.0,
                        help="--rush: c.SandboxSettings.submission_timeout (a stuck worker is noticed after it plus "
                             "--stall-grace)")
    parser.add_argument("--stall-grace", type=float, default=30.0, help="--rush: c.SandboxSettings.stall_grace")
    parser.add_argument("--blank-lines", type=int, default=300_000, help="--rush: the blank-line cell's length")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.environ["PATH"] = f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"
    if args.rush:
        from rush import rush
        return rush(args.workers, args.submission_timeout, args.stall_grace, args.blank_lines, args.seed)

    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        root = Path(tmp)
        students = [f"s{i:02d}" for i in range(args.students)]
        course = make_course(root, ["warmup", *students], "c.GradingService.submissions_per_hour = 0\n",
                             args.assignment)   # no hourly limit for the load
        tokens = issue_tokens(course)
        mix = class_mix(args.assignment, args.students)
        bodies = {s: make_submission(args.assignment, root / "nb" / f"{s}.ipynb", cells).read_bytes()
                  for s, (_, cells) in zip(students, mix)}
        warm = make_submission(args.assignment, root / "nb" / "warmup.ipynb").read_bytes()
        extra = ["--workers", str(args.workers)] if args.workers else []
        started = time.monotonic()
        service = Service(course, root / "serve.log", *extra)
        print(f"service up in {time.monotonic() - started:.1f}s ({service.url})")
        try:
            first: dict = {}
            student_run(service, tokens["warmup"], args.assignment, warm, threading.Barrier(1), first)
            print(f"first submission after start (warm-up included): {first.get('latency', float('nan')):.2f}s")
            runs = {s: {} for s in students}
            barrier = threading.Barrier(len(students))
            threads = [threading.Thread(target=student_run, args=(service, tokens[s], args.assignment, bodies[s],
                                                                  barrier, runs[s])) for s in students]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            service.stop()

        failed = {s: r["error"] for s, r in runs.items() if "error" in r}
        if failed:
            print("failed:", json.dumps(failed, ensure_ascii=False, indent=1))
            return 1
        latencies = sorted(r["latency"] for r in runs.values())
        t0 = min(r["began"] for r in runs.values())
        span = max(r["done"] for r in runs.values()) - t0
        print(f"\n{args.students} students submitting {args.assignment} at once "
              f"({os.cpu_count()} cores, {args.workers or os.cpu_count()} worker(s)):")
        print(f"  accepted (202) in    median {statistics.median(r['accepted'] for r in runs.values()) * 1000:.0f} ms, "
              f"worst {max(r['accepted'] for r in runs.values()) * 1000:.0f} ms")
        print(f"  upload -> feedback   median {statistics.median(latencies):.2f} s, worst {latencies[-1]:.2f} s, "
              f"best {latencies[0]:.2f} s")
        print(f"  throughput           {args.students / span:.2f} submissions/s "
              f"({span:.1f} s for all {args.students})")

        from nbgrader.api import Gradebook
        wrong = []
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            for (kind, _), student in zip(mix, students):
                run = runs[student]
                recorded = gb.find_submission(args.assignment, student).code_score
                if abs(recorded - run["score"]) > 1e-6 or run["status"] != "graded":
                    wrong.append(f"{student}: shown {run['score']}, gradebook {recorded}, {run['status']}")
                if kind == "right" and run["score"] != run["max_score"]:
                    wrong.append(f"{student}: a right answer got {run['score']} / {run['max_score']}")
        print(f"  gradebook            {args.students - len(wrong)} / {args.students} submissions recorded with "
              "the score shown to their student")
        for line in wrong:
            print("   ", line)
        kinds = {k: sum(1 for kind, _ in mix if kind == k) for k in ("right", "wrong", "hang")}
        print(f"  class mix            {kinds['right']} right, {kinds['wrong']} catalogue mistakes, "
              f"{kinds['hang']} hanging")
        return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
