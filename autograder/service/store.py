"""A graded submission stored as nbgrader stores one, so that the formgrader, `nbgrader
generate_feedback`, `autograder autograde` and the gradebook all see it as usual:

    submitted/<student>/<assignment>/<assignment>.ipynb + timestamp.txt   (nbgrader's collect)
    autograded/<student>/<assignment>/results.json + <assignment>.ipynb   (as `autograde` writes)
    feedback/<student>/<assignment>/<assignment>.html                     (the same page)
    gradebook.db: the scores (nbgrader's SaveAutoGrades), lateness and its penalty (nbgrader's
                  AssignLatePenalties with the course's LateSubmissionPlugin)

The submitted notebook keeps the assignment's name whatever the student called their file. A
submission older than what is already stored for that student is kept in the service's history
but does not replace the newer one. Everything here runs in one thread (SQLite wants one writer).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import threading
import warnings
from pathlib import Path

from autograder.course.assignments import Assignment
from autograder.course.config import load_config
from autograder.course.limits import parse_due_date
from autograder.course.notebook import decode, parse_cells
from autograder.course.results import SubmissionResult
from autograder.records import pipeline
from autograder.records.batch import grader_fingerprint
from autograder.records.batch import write_grades_csv
from autograder.records.gradebook import ensure_assignment

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"   # nbgrader's ExchangeSubmit.timestamp_format

# What `serve` does with each result (records/pipeline.py has the steps and the all-or-nothing rule).
SERVE = [pipeline.stage_submission, pipeline.stage_page, pipeline.stage_feedback_files, pipeline.stage_results,
         pipeline.record_in_gradebook, pipeline.keep_one_notebook, pipeline.publish, pipeline.assign_late_penalty]


def nbgrader_timestamp(when: float) -> str:
    return dt.datetime.fromtimestamp(when, dt.timezone.utc).strftime(TIMESTAMP_FORMAT)


class CourseStore:
    def __init__(self, course: Path, service_settings):
        from nbgrader.coursedir import CourseDirectory


        warnings.filterwarnings("ignore", module="nbgrader")
        self.course = Path(course)
        self.config = load_config(self.course)
        self.coursedir = CourseDirectory(config=self.config)
        self.coursedir.root = str(self.course)
        self.settings = service_settings
        self._known: dict[str, dt.datetime | None] = {}
        self._fingerprints: dict[str, str] = {}
        self._assignments: dict[str, Assignment] = {}
        self._lock = threading.Lock()
        self._csv_dirty = False

    # ---------------------------------------------------------------- the assignment's due date

    def prepare(self, assignment_id: str) -> dt.datetime | None:
        """The gradebook knows the assignment and its due date (from the config, else the gradebook's
        own); returns the due date (naive UTC), or None."""
        from nbgrader.api import Gradebook


        with self._lock:
            if assignment_id in self._known:
                return self._known[assignment_id]
            ensure_assignment(self.coursedir, assignment_id)
            configured = self.settings.due_dates.get(assignment_id)
            with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
                if configured:
                    gb.update_or_create_assignment(assignment_id, duedate=parse_due_date(str(configured)))
                due = gb.find_assignment(assignment_id).duedate
            self._known[assignment_id] = due
            return due

    def fingerprint(self, assignment_id: str, notebook: Path) -> str:
        """As `autograder autograde` computes it, so a later batch run keeps these results."""

        if assignment_id not in self._fingerprints:
            self._fingerprints[assignment_id] = grader_fingerprint(Assignment.load(assignment_id, self.course))
        return hashlib.sha256(notebook.read_bytes() + self._fingerprints[assignment_id].encode()).hexdigest()[:24]

    def check(self, assignment_id: str, body: bytes) -> None:
        """NotebookError (a sentence for the student) unless `body` is a notebook that can be graded
        as this assignment: another assignment's notebook is refused before anything is written."""

        if assignment_id not in self._assignments:
            self._assignments[assignment_id] = Assignment.load(assignment_id, self.course)
        self._assignments[assignment_id].check_submission(parse_cells(decode(body)))

    # --------------------------------------------------------------------------- storing

    def folder(self, student: str, assignment_id: str) -> Path:
        return Path(self.coursedir.format_path(self.coursedir.submitted_directory, student, assignment_id))

    def feedback_page(self, student: str, assignment_id: str) -> Path:
        return Path(self.coursedir.format_path(self.coursedir.feedback_directory, student,
                                               assignment_id)) / f"{assignment_id}.html"

    def store(self, student: str, assignment_id: str, upload: Path, timestamp: str,
              result: SubmissionResult, page: str | None = None) -> str:
        """Store one graded submission (with its feedback page, drawn here unless given); returns
        'stored', or 'superseded' when a newer one of this student is already there.

        As `autograde` records a result, all or nothing (records/pipeline.py): the SERVE steps
        also put the upload in submitted/ with its timestamp, and assign the late penalty."""
        from nbgrader.utils import parse_utc

        self.prepare(assignment_id)
        assignment = Assignment.load(assignment_id, self.course)
        folder = self.folder(student, assignment_id)
        existing = self.coursedir.get_existing_timestamp(str(folder)) if folder.is_dir() else None
        if existing is not None and existing > parse_utc(timestamp):
            return "superseded"
        result = dataclasses.replace(result, submission=str(folder / f"{assignment_id}.ipynb"))
        pipeline.run(SERVE, pipeline.Recording(self.coursedir, assignment, student, result, upload,
                                               fingerprint=result.fingerprint, page=page, timestamp=timestamp))
        self._csv_dirty = True
        return "stored"

    def flush(self) -> None:
        """grades.csv, once after a run of stored submissions rather than after each."""
        if self._csv_dirty:
            self._csv_dirty = False
            write_grades_csv(self.course, self.coursedir)
