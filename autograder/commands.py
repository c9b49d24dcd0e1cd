"""What each command does, in terms of the library. Printing happens here and only here."""
from __future__ import annotations

import sys
from pathlib import Path

from autograder.assignments import Assignment, assignment_ids, course_root
from autograder.config import sandbox_settings
from autograder.notebook import NotebookError, read_notebook
from autograder.report import json_line, learner_report, table
from autograder.results import SubmissionResult


def grade(notebooks: list[str], assignment_id: str, as_json: bool, workers: int, overrides: dict) -> int:
    from autograder.engine import Grader
    from autograder.parallel import grade_in_parallel

    root = course_root()
    settings = sandbox_settings(root, overrides)
    stdout = sys.stdout

    def emit(result: SubmissionResult) -> None:
        if as_json:
            stdout.write(json_line(result) + "\n")
            stdout.flush()

    try:
        Assignment.load(assignment_id, root)
    except ValueError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    if workers > 1 and len(notebooks) > 1:
        results = grade_in_parallel(notebooks, assignment_id, settings, workers, emit)
    else:
        with Grader(assignment_id, settings, root) as grader:
            results = grader.grade(notebooks, on_result=emit)
    if not as_json:
        order = {str(n): i for i, n in enumerate(notebooks)}
        print(table(sorted(results, key=lambda r: order.get(r.submission, 0))))
    return 0 if all(r.status == "graded" for r in results) else 1


def guess_assignment(notebook: str) -> str | None:
    """The assignment whose graded functions the notebook's cells mention most."""
    known = assignment_ids()
    stem = Path(notebook).stem
    if stem in known:
        return stem
    try:
        cells = read_notebook(notebook)
    except NotebookError:
        return None
    text = "\n".join(c.source for c in cells)
    ids = {c.grade_id for c in cells if c.grade_id}
    best, best_hits = None, 0
    for assignment_id in known:
        functions = Assignment.load(assignment_id).functions
        hits = sum(2 if f in ids else (1 if f"def {f}(" in text or f"class {f}" in text else 0) for f in functions)
        if hits > best_hits:
            best, best_hits = assignment_id, hits
    return best


def check(notebook: str, assignment_id: str | None, overrides: dict) -> int:
    from autograder.engine import Grader

    assignment_id = assignment_id or guess_assignment(notebook)
    if assignment_id is None:
        print("autograder: 无法判断这是哪一次作业，请用 --assignment 指定（" + ", ".join(assignment_ids()) + "）",
              file=sys.stderr)
        return 2
    settings = sandbox_settings(course_root(), overrides)
    with Grader(assignment_id, settings, course_root()) as grader:
        (result,) = grader.grade([notebook])
    print(learner_report(result))
    return 0 if result.status == "graded" and result.score == result.max_score else 1


def autograde(assignment_id: str, course: Path, workers: int, scheduler: str | None, force: bool,
              progress: bool, overrides: dict) -> int:
    from autograder.batch import autograde_course
    return autograde_course(assignment_id, course.resolve(), workers, scheduler, force, progress, overrides)


def build(course: str | None) -> int:
    from autograder import build as builder
    builder.build(Path(course).resolve() if course else course_root())
    return 0


def demo() -> int:
    from autograder.demo import run_demo
    return run_demo()
