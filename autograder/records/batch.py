"""`autograder autograde ASSIGNMENT`: a whole class of an nbgrader course, fast and resumable.

    submitted/<student>/<assignment>/*.ipynb  ->  autograded/<student>/<assignment>/results.json
                                                  autograded/<student>/<assignment>/<nb>.ipynb
                                                  feedback/<student>/<assignment>/<assignment>.html
                                                  gradebook.db (nbgrader's), grades.csv

Each result is written atomically as soon as it exists, with a fingerprint of the submission
and of the grader; a later run skips every submission whose fingerprint is unchanged, so an
interrupted batch resumes where it stopped. The gradebook and feedback are written by one
thread (SQLite wants a single writer) while the workers grade.

The workers get their first notebooks before this process has imported the gradebook's side
(nbgrader's gradebook, nbconvert, the pages: 0.7 s of one core): the Recorder's thread imports
it beside the grading, and the reports' modules are imported at the end. The integrity report's
fingerprints of the submitted notebooks are made by a thread beside the grading too
(integrity/early.py): after the last result only the pairs are left to find.
"""
from __future__ import annotations

import hashlib
import json
import queue
import sys
import threading
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from autograder.course.assignments import Assignment
from autograder.course.config import load_config
from autograder.course.results import SubmissionResult, write_atomically
from autograder.dispatch.dask_grading import ClusterError, grade_on_dask
from autograder.dispatch.parallel import WorkerPool
from autograder.dispatch.tasks import manifest
from autograder.dispatch.worker import sent_text
from autograder.course.packages import without_init
from autograder.grading.failures import ErrorResults
from autograder.integrity.early import Fingerprinting
from autograder.views import present
from autograder.views.spreadsheet import rows_text

without_init("nbgrader")   # (its __init__ loads four Jupyter server extensions no gradebook needs)
from nbgrader.coursedir import CourseDirectory  # noqa: E402  (its directory layout; light without the __init__)

NO_NOTEBOOK = "没有找到提交的笔记本（.ipynb 文件）。"


@dataclass
class Submission:
    student: str
    notebook: Path
    results_path: Path
    fingerprint: str = ""

    @property
    def key(self) -> str:
        return str(self.notebook)


def grader_fingerprint(assignment: Assignment) -> str:
    """Changes whenever anything that decides a grade changes: the installed grading code, the
    suite, the reference, the release notebook, the versions of Python, numpy and torch."""
    return manifest(assignment.id, assignment.release_notebook.read_bytes()).fingerprint


def discover(coursedir, assignment_id: str, grader: str) -> list[Submission]:
    submitted = Path(coursedir.root) / coursedir.submitted_directory
    found = []
    for student_dir in sorted(p for p in submitted.glob("*") if p.is_dir()):
        folder = student_dir / assignment_id
        if not folder.is_dir():
            continue
        notebooks = sorted(folder.glob("*.ipynb"))
        preferred = folder / f"{assignment_id}.ipynb"
        notebook = preferred if preferred in notebooks else (notebooks[0] if notebooks else preferred)
        results = Path(coursedir.format_path(coursedir.autograded_directory, student_dir.name, assignment_id)) / "results.json"
        content = notebook.read_bytes() if notebook.is_file() else b""
        fingerprint = hashlib.sha256(content + grader.encode()).hexdigest()[:24]
        found.append(Submission(student_dir.name, notebook, results, fingerprint))
    return found


def progress_bar(total: int, enabled: bool) -> tqdm:
    """One line on stderr: done/total, rate and ETA (tqdm); silent when disabled or empty. Where
    stderr is a log, not a terminal, a line every 10 s instead of redrawing."""
    return tqdm(total=total, disable=not enabled or total == 0, file=sys.stderr, unit="份", dynamic_ncols=True,
                mininterval=0.1 if sys.stderr.isatty() else 10.0)


class Recorder(threading.Thread):
    """Records each result in every place at once, one submission at a time, off the main path
    (SQLite wants a single writer): see `record`. It first imports the gradebook's side and makes
    sure the gradebook knows the assignment, while the workers grade; if that fails, `broken`
    says why (and the caller stops the batch: nothing can be recorded)."""

    def __init__(self, coursedir, assignment: Assignment):
        super().__init__(daemon=True)
        self.coursedir, self.assignment = coursedir, assignment
        self.inbox: queue.Queue = queue.Queue()
        self.errors: list[str] = []
        self.broken: BaseException | None = None

    def run(self) -> None:
        try:
            from autograder.records import pipeline  # noqa: F401  (record's steps; imported here, beside the grading)
            from autograder.records.gradebook import ensure_assignment
            from nbgrader.api import Gradebook

            ensure_assignment(self.coursedir, self.assignment.id)
            gradebook = Gradebook(self.coursedir.db_url, self.coursedir.course_id)
        except BaseException as exc:
            self.broken = exc
            while self.inbox.get() is not None:
                pass   # nothing can be recorded: the caller stops and says why
            return
        with gradebook as gb:
            self.record_all(gb)

    def record_all(self, gb) -> None:
        while True:
            item = self.inbox.get()
            if item is None:
                return
            submission, result = item
            try:
                record(gb, self.coursedir, self.assignment, submission, result)
            except Exception as exc:  # one broken record must not stop the rest
                self.errors.append(f"{submission.student}: {type(exc).__name__}: {exc}")

    def finish(self) -> None:
        self.inbox.put(None)
        self.join()


# What `autograde` does with each result (records/pipeline.py has the steps and the all-or-nothing rule).
AUTOGRADE = ("stage_page", "stage_feedback_files", "stage_results", "record_in_gradebook", "publish")


def record(gb, coursedir, assignment: Assignment, submission: Submission, result: SubmissionResult) -> None:
    """One result into the gradebook, the autograded notebook, the feedback page and results.json,
    so that all four agree or none changed (the AUTOGRADE steps)."""
    from autograder.records import pipeline

    recording = pipeline.Recording(coursedir, assignment, submission.student, result, submission.notebook,
                                   fingerprint=submission.fingerprint, gradebook=gb, results_text=sent_text(result))
    pipeline.run([getattr(pipeline, step) for step in AUTOGRADE], recording)


def autograde_course(assignment_id: str, course: Path, settings, pool: WorkerPool | None, scheduler: str | None,
                     force: bool, progress: bool) -> int:
    """Grade and record every submission of the course: on `pool` (started by the caller, so that it
    warms up while nbgrader is imported here) or on the Dask cluster at `scheduler`. Closes the pool."""
    try:
        return _autograde_course(assignment_id, course, settings, pool, scheduler, force, progress)
    finally:
        if pool:
            pool.close()


def _autograde_course(assignment_id: str, course: Path, settings, pool: WorkerPool | None, scheduler: str | None,
                      force: bool, progress: bool) -> int:
    config = load_config(course)
    assignment = Assignment.load(assignment_id, course)

    warnings.filterwarnings("ignore", module="nbgrader")  # nbgrader's own SQLAlchemy warnings
    coursedir = CourseDirectory(config=config)
    coursedir.root = str(course)
    grader = grader_fingerprint(assignment) + ("" if settings.hints == "cause" else f":{settings.hints}")
    submissions = discover(coursedir, assignment_id, grader)
    by_key = {s.key: s for s in submissions}

    results: dict[str, SubmissionResult] = {}
    to_grade: list[Submission] = []
    recorder = Recorder(coursedir, assignment)
    recorder.start()
    for submission in submissions:
        previous = read_json(submission.results_path)
        if not force and previous and previous.get("fingerprint") == submission.fingerprint:
            results[submission.key] = SubmissionResult.from_json(previous)
            marker = submission.results_path.with_name(".recorded")
            if not marker.is_file() or marker.read_text() != submission.fingerprint:
                recorder.inbox.put((submission, results[submission.key]))
        else:
            to_grade.append(submission)
    skipped = len(submissions) - len(to_grade)
    bar = progress_bar(len(to_grade), progress)

    errors = ErrorResults(assignment_id, course)   # every result, an error too, has the suite's max_score

    def finished(result: SubmissionResult) -> None:
        if recorder.broken:   # the gradebook cannot be opened: nothing would be recorded
            raise recorder.broken
        submission = by_key[result.submission]
        errors.complete(result)
        results[result.submission] = result
        recorder.inbox.put((submission, result))   # results.json with the other records (Recorder)
        bar.update()

    present = [s for s in to_grade if s.notebook.is_file()]
    fingerprints = {s.key: s.fingerprint for s in present}
    early = Fingerprinting(course, assignment_id)   # the integrity report's, beside the grading
    started = time.monotonic()
    stopped = None
    try:
        if scheduler:
            grade_on_dask([s.key for s in present], assignment_id, settings, scheduler, finished, fingerprints,
                          course)
        else:
            pool.grade([s.key for s in present], finished, fingerprints)
    except ClusterError as exc:   # nothing false is recorded; the next run grades the rest
        stopped = str(exc)
    finally:
        # The workers end (a few tenths of a second) while the recorder catches up.
        closing = threading.Thread(target=pool.close) if pool else None
        if closing:
            closing.start()
    elapsed = time.monotonic() - started
    for submission in to_grade:
        if not submission.notebook.is_file():
            finished(errors(submission.key, NO_NOTEBOOK, submission.fingerprint))
    bar.close()
    recorder.finish()
    if closing:
        closing.join()
    if recorder.broken:
        raise recorder.broken

    all_results = [results[s.key] for s in submissions if s.key in results]
    students = {s.key: s.student for s in submissions}
    csv_path = write_grades_csv(course, coursedir)
    print(summary(all_results, students, assignment))
    now = [results[s.key] for s in to_grade if s.key in results]
    graded, errors = sum(r.status == "graded" for r in now), sum(r.status == "error" for r in now)
    left = len(to_grade) - len(now)
    print(f"\n{len(submissions)} submissions: {graded} graded and {errors} could not be graded in {elapsed:.1f}s"
          + (f", {left} not graded (stopped)" if left else "")
          + f", {skipped} unchanged (kept). Feedback in {coursedir.feedback_directory}/, grades in {csv_path.name}.")
    class_report(course, coursedir, assignment_id)
    integrity_report(course, assignment_id, early)
    for error in recorder.errors:
        print(f"gradebook: {error}", file=sys.stderr)
    if stopped:
        print(f"autograder: grading stopped: {stopped}\nRun the same command again to grade the "
              f"{left} submissions left.", file=sys.stderr)
        return 2
    # This run's outcome: a submission that could not be graded says so once, in the run that met
    # it (it stays flagged in the gradebook); kept ones do not fail every later run.
    return 0 if all(r.status == "graded" for r in now) and not recorder.errors else 1


def class_report(course: Path, coursedir, assignment_id: str) -> None:
    """The instructor's class report (autograder/views/class_report.py), from every results.json."""
    try:
        from autograder.views.class_report import write_report

        page = write_report(course, assignment_id, coursedir.autograded_directory)
    except Exception as exc:   # a help for the instructor; the grades are written already
        print(f"class report: {type(exc).__name__}: {exc}", file=sys.stderr)
        return
    print(f"Class report in {page.relative_to(course)} (the same numbers as CSV files beside it).")


def integrity_report(course: Path, assignment_id: str, early=None) -> None:
    """Pairs worth a conversation (autograder/integrity), beside the class report; c.Integrity.enabled.
    `early`: this run's integrity.early.Fingerprinting, if one was started."""
    try:
        from autograder.integrity.pairs import settings as integrity_settings
        from autograder.integrity.report import for_course

        if not integrity_settings(course).enabled:
            return
        findings, page = for_course(course, assignment_id, early=early)
    except Exception as exc:   # a help for the instructor; the grades are written already
        print(f"integrity: {type(exc).__name__}: {exc}", file=sys.stderr)
        return
    print(f"Integrity: {len(findings.pairs)} pair(s) worth a conversation in {page.relative_to(course)}.")


def summary(results: list[SubmissionResult], students: dict[str, str], assignment: Assignment) -> str:
    """Per function: mean score, how many students lost points, and the cause most of them share
    (how many students, and the cause in full on its own line: never cut)."""

    lines = [f"{assignment.id}: {len(results)} submissions, "
             f"{sum(r.status == 'error' for r in results)} could not be graded"]
    graded = [r for r in results if r.status == "graded"]
    if not graded:
        return lines[0]
    header = f"{'function':<26} {'mean':>6} {'max':>5} {'lost':>5}  (lost: students who lost points)"
    lines += [header, "-" * len(header)]
    reports = [{report.grade_id: report for report in present.functions(r)} for r in graded]
    for function in assignment.functions:
        scores = [r.by_function().get(function, (0.0, 0.0)) for r in graded]
        maximum = max(m for _, m in scores)
        mean = sum(s for s, _ in scores) / len(scores)
        lost = sum(1 for s, m in scores if s < m)
        lines.append(f"{function:<26} {mean:6.2f} {maximum:5g} {lost:5d}")
        causes = Counter()
        for report in (by_function.get(function) for by_function in reports):
            if report is None or report.score >= report.max_score:
                continue
            said = report.cause.text if report.cause else None
            if report.not_written:
                said = "还没有实现"
            if said:
                causes[said] += 1
        if causes:
            text, count = causes.most_common(1)[0]
            lines.append(f"    most common cause ({count} of {lost} students): {text}")
    total = sum(r.score for r in graded) / len(graded)
    lines.append(f"{'total':<26} {total:6.2f} {graded[0].max_score:5g}")
    return "\n".join(lines)


def write_grades_csv(course: Path, coursedir) -> Path:
    """grades.csv from every results.json of the course: one row per student and assignment
    (cells a spreadsheet would evaluate are neutralised: autograder/views/spreadsheet.py)."""

    rows = []
    autograded = Path(course) / coursedir.autograded_directory
    for path in sorted(autograded.glob("*/*/results.json")):
        try:
            result = SubmissionResult.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        functions = ";".join(f"{k}={s:g}/{m:g}" for k, (s, m) in result.by_function().items())
        score = result.score if result.status == "graded" else 0.0
        rows.append([path.parent.parent.name, path.parent.name, result.status.value, _number(score),
                     _number(result.max_score), functions, result.error or ""])
    header = ["student_id", "assignment", "status", "score", "max_score", "by_function", "error"]
    target = Path(course) / "grades.csv"
    write_atomically(target, rows_text(header, rows))
    return target


def read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _number(value: float) -> int | float:
    """12.0 as 12, 8.5 as 8.5: a number in the CSV, as nbgrader's own exports write it."""
    return int(value) if float(value).is_integer() else float(value)
