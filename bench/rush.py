"""A deadline rush on `autograder serve` (`bench_service.py --rush`; a benchmark, not a test).

100 students hand in 200 uploads of ps1 within 60 s: every student a first submission at a
random moment of the first 45 s, 81 resubmissions a few seconds after a first one, one student
resubmitting 10 times within 2 s (a burst), and 9 crafted uploads from 9 of the students: a
function that never returns, a fork bomb, a memory hog, 200 MB of output, a cell of 300,000
blank lines, another assignment's notebook, an upload over the size limit, malformed JSON, and an
extra cell with an unknown grade_id. Each upload is timed from its first byte to the moment its
feedback is there (long-polling `?wait=`).

Reported: upload-to-feedback latency (p50/p95) of honest submissions, of first submissions and of
the burst; throughput; what each crafted upload got; and whether every honest submission was
graded (right answers with full marks) and every student's gradebook entry is the score they were
shown for their newest submission. The machine's load average is sampled during the run.
"""
from __future__ import annotations

import json
import os
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

from bench_autograde import class_mix, hang
from helpers import make_submission
from servers import Service, issue_tokens, make_course, request

ASSIGNMENT = "ps1_derivatives"
STUDENTS = 100
SPAN = 60.0
BURST = 10
RESUBMISSIONS = 81


def crafted(root: Path, blank_lines: int) -> dict[str, tuple[bytes, str]]:
    """name -> (body, assignment it is posted to)."""
    nb = root / "crafted"

    def notebook(name: str, cells: dict, assignment: str = ASSIGNMENT) -> bytes:
        return make_submission(assignment, nb / f"{name}.ipynb", cells).read_bytes()

    extra = json.loads(notebook("extra", {}))
    extra["cells"].append({"cell_type": "markdown", "id": "extra", "source": "我加的",
                           "metadata": {"nbgrader": {"grade_id": "not_in_the_assignment", "grade": False,
                                                     "solution": True, "locked": False, "schema_version": 3}}})
    return {
        "hang": (notebook("hang", {"f_prime": hang("f_prime")}), ASSIGNMENT),
        "fork bomb": (notebook("fork", {"f": "import os\ndef f(x):\n    while True:\n        try:\n            "
                                             "os.fork()\n        except OSError:\n            pass\n"}), ASSIGNMENT),
        "memory hog": (notebook("memory", {"f": "import numpy as np\ndef f(x):\n    block = np.ones(6 * 2**30 // 8)\n"
                                                "    return x ** 2 + block[0] - 1\n"}), ASSIGNMENT),
        "huge output": (notebook("output", {"f": "_line = 'x' * 1_000_000\ndef f(x):\n    for _ in range(200):\n"
                                                 "        print(_line)\n    return x ** 2\n"}), ASSIGNMENT),
        "blank lines": (notebook("blank", {"f": "\n" * blank_lines + "def f(x):\n    return x ** 2\n"}), ASSIGNMENT),
        "another assignment's notebook": (notebook("ps2", {}, "ps2_gradient_descent"), ASSIGNMENT),
        "oversized upload": (b'{"padding": "' + b"x" * (6 * 2**20) + b'"}', ASSIGNMENT),
        "malformed JSON": (b'{"cells": [', ASSIGNMENT),
        "unknown grade_id": (json.dumps(extra, ensure_ascii=False).encode(), ASSIGNMENT),
    }


def schedule(rng: random.Random, students: list[str], honest: dict[str, bytes], kinds: dict[str, str],
             crafted_bodies: dict) -> list[dict]:
    events = []
    first = {s: rng.uniform(0, 45) for s in students}
    for s in students:
        events.append({"at": first[s], "student": s, "body": honest[s], "kind": kinds[s], "first": True})
    burst = students[0]
    events += [{"at": first[burst] + 2 + 2 * i / BURST, "student": burst, "body": honest[burst], "kind": kinds[burst],
                "burst": True} for i in range(BURST)]
    for s in rng.choices(students[1:], k=RESUBMISSIONS):
        events.append({"at": min(first[s] + rng.uniform(3, 15), SPAN - 1), "student": s, "body": honest[s],
                       "kind": kinds[s]})
    for (name, (body, assignment)), s in zip(crafted_bodies.items(), students[-len(crafted_bodies):]):
        events.append({"at": rng.uniform(5, SPAN - 5), "student": s, "body": body, "kind": "crafted", "crafted": name,
                       "assignment": assignment})
    return sorted(events, key=lambda e: e["at"])


def run_one(service: Service, token: str, event: dict, t0: float) -> None:
    time.sleep(max(0.0, t0 + event["at"] - time.monotonic()))
    began = time.monotonic()
    status, data, _ = request(f"{service.url}api/assignments/{event.get('assignment', ASSIGNMENT)}/submissions",
                              token, event["body"], "POST", timeout=300)
    event.update(began=began, status=status)
    if status != 202:
        event["answer"] = data.get("error", "")
        return
    event["received"] = data["received"]
    while data.get("state") != "done":
        status, data, _ = request(f"{service.url}api/submissions/{data['id']}?wait=30", token, timeout=300)
        if status != 200:
            event["answer"] = f"{status} {data}"
            return
    event.update(done=time.monotonic(), latency=time.monotonic() - began, score=data["score"],
                 max_score=data["max_score"], result=data["status"], error=data.get("error"), id=data["id"])


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))] if values else float("nan")


def rush(workers: int, submission_timeout: float, stall_grace: float, blank_lines: int, seed: int) -> int:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="bench-rush-") as tmp:
        root = Path(tmp)
        students = [f"s{i:03d}" for i in range(STUDENTS)]
        config = ("c.GradingService.submissions_per_hour = 20\n"   # room for the burst: fairness is what is measured
                  f"c.SandboxSettings.submission_timeout = {submission_timeout}\n"
                  f"c.SandboxSettings.stall_grace = {stall_grace}\n")
        course = make_course(root, ["warmup", *students], config, ASSIGNMENT)
        tokens = issue_tokens(course)
        mix = class_mix(ASSIGNMENT, STUDENTS, seed)
        honest = {s: make_submission(ASSIGNMENT, root / "nb" / f"{s}.ipynb", cells).read_bytes()
                  for s, (_, cells) in zip(students, mix)}
        kinds = {s: kind for s, (kind, _) in zip(students, mix)}
        events = schedule(rng, students, honest, kinds, crafted(root, blank_lines))
        service = Service(course, root / "serve.log", *(["--workers", str(workers)] if workers else []))
        try:
            warm = {"at": 0.0, "body": make_submission(ASSIGNMENT, root / "nb" / "warmup.ipynb").read_bytes()}
            run_one(service, tokens["warmup"], warm, time.monotonic())
            load, sampling = [], threading.Event()
            sampler = threading.Thread(target=_sample_load, args=(load, sampling), daemon=True)
            sampler.start()
            t0 = time.monotonic() + 1
            threads = [threading.Thread(target=run_one, args=(service, tokens[e["student"]], e, t0)) for e in events]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            sampling.set()
        finally:
            service.stop()
        return report(course, events, load, t0, workers or os.cpu_count())


def _sample_load(into: list, stop: threading.Event) -> None:
    while not stop.wait(1.0):
        into.append(os.getloadavg()[0])


def report(course: Path, events: list[dict], load: list[float], t0: float, workers: int) -> int:
    honest = [e for e in events if "crafted" not in e]
    graded = [e for e in honest if e.get("result") == "graded"]
    problems = [f"{e['student']}: {e.get('status')} {e.get('answer') or e.get('error')}" for e in honest
                if e.get("result") != "graded"]
    problems += [f"{e['student']}: a right answer got {e['score']} / {e['max_score']}" for e in graded
                 if e["kind"] == "right" and e["score"] != e["max_score"]]
    done = [e for e in events if "done" in e]
    start = min(e["began"] for e in events)
    span, honest_span = max(e["done"] for e in done) - start, max(e["done"] for e in graded) - start
    line = lambda name, es: (f"  {name:<28} p50 {percentile([e['latency'] for e in es], 50):6.2f} s   "  # noqa: E731
                             f"p95 {percentile([e['latency'] for e in es], 95):6.2f} s   max "
                             f"{max(e['latency'] for e in es):6.2f} s   ({len(es)})")
    print(f"\ndeadline rush: {len(events)} uploads by {STUDENTS} students in {SPAN:.0f} s, {ASSIGNMENT}, "
          f"{os.cpu_count()} cores, {workers} worker(s)")
    print(f"  load average during the run: mean {statistics.mean(load):.2f}, max {max(load):.2f} "
          f"(1-minute; this machine is shared)" if load else "")
    print("upload -> feedback:")
    print(line("honest submissions", graded))
    print(line("first submissions", [e for e in graded if e.get("first")]))
    print(line("the burst (one student)", [e for e in graded if e.get("burst")]))
    print(f"throughput: {len(graded) / honest_span:.2f} honest submissions/s (the last honest feedback "
          f"{honest_span:.1f} s after the first upload); all {len(done)} with feedback after {span:.1f} s")
    print("crafted uploads:")
    for e in (e for e in events if "crafted" in e):
        outcome = (f"HTTP {e['status']}: {e.get('answer', '')[:90]}" if e.get("status") != 202 else
                   f"{e.get('result')} {e.get('score')} / {e.get('max_score')} after {e.get('latency', float('nan')):.1f} s"
                   + (f" ({(e.get('error') or '')[:60]})" if e.get("error") else ""))
        print(f"  {e['crafted']:<30} {outcome}")
    problems += check_gradebook(course, events)
    print(f"honest submissions graded: {len(graded)} / {len(honest)}; gradebook checked for every student: "
          f"{'all agree' if not problems else f'{len(problems)} problem(s)'}")
    for problem in problems[:20]:
        print("   ", problem)
    return 1 if problems else 0


def check_gradebook(course: Path, events: list[dict]) -> list[str]:
    """Each student's gradebook score is the one they were shown for their newest submission."""
    from nbgrader.api import Gradebook, MissingEntry

    newest: dict[str, dict] = {}
    for e in events:
        if e.get("received") and e.get("result"):
            if e["student"] not in newest or e["received"] > newest[e["student"]]["received"]:
                newest[e["student"]] = e
    wrong = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, e in sorted(newest.items()):
            try:
                recorded = gb.find_submission(ASSIGNMENT, student).code_score
            except MissingEntry:
                recorded = None
            if recorded is None or abs(recorded - e["score"]) > 1e-6:
                wrong.append(f"{student}: shown {e['score']} ({e.get('crafted') or e['kind']}), gradebook {recorded}")
    return wrong
