"""What happens to a result after grading, declared as data: a list of steps, run by `run`.

`autograde` (records/batch.py, locally and on Dask alike) and `serve` (service/store.py) each
declare their list from the steps below, as nbgrader's converters declare their preprocessors:

    AUTOGRADE = [stage_page, stage_feedback_files, stage_results, record_in_gradebook, publish]
    SERVE     = [stage_submission, stage_page, stage_feedback_files, stage_results, record_in_gradebook,
                 keep_one_notebook, publish, assign_late_penalty]

The rule `run` keeps is all or nothing. The files are made first, each written beside its place
under a temporary name (`Staged`); the gradebook's transaction is the point of no return: if it or
anything before it fails, every staged file is dropped and the course is as it was (the next run
grades the submission again); once it has committed, the files are renamed into place, in the
order they were staged, results.json last: it is what a later `autograde` keeps (its
fingerprint), so a run stopped in between grades the submission again and records the same.
grades.csv is not a step: it is made from every results.json at the end of `autograde` and at
the service's flush, not once per result.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from autograder.course.assignments import Assignment
from autograder.course.results import Staged, SubmissionResult, as_text
from autograder.records import gradebook
from autograder.views import feedback

Step = Callable[["Recording"], None]


@dataclass
class Recording:
    """One result on its way into an nbgrader course: what the steps read, and what they staged."""
    coursedir: object                 # nbgrader's CourseDirectory
    assignment: Assignment
    student: str
    result: SubmissionResult
    notebook: Path                    # the student's notebook as it was graded
    fingerprint: str | None = None    # written as the .recorded marker beside results.json
    page: str | None = None           # the feedback page, if already drawn (the service's renderers)
    timestamp: str | None = None      # nbgrader's text; None: the submitted folder's timestamp.txt
    results_text: str | None = None   # results.json as the worker sent it (the result unchanged since)
    gradebook: object | None = None   # an open nbgrader Gradebook; None: one is opened for this result
    staged: list[Staged] = field(default_factory=list)
    autograded: Path | None = None    # the autograded notebook, once recorded in the gradebook

    def path(self, step: str, name: str) -> Path:
        """`name` in this student's folder of an nbgrader step (submitted, autograded, feedback)."""
        directory = getattr(self.coursedir, f"{step}_directory")
        return Path(self.coursedir.format_path(directory, self.student, self.assignment.id)) / name

    def stage(self, path: Path, content: str | bytes) -> None:
        self.staged.append(Staged(path, content))

    def discard(self) -> None:
        for file in self.staged:
            file.discard()


def point_of_no_return(step: Step) -> Step:
    """Marks the step after which nothing is undone (`run`)."""
    step.point_of_no_return = True
    return step


def run(steps: list[Step], recording: Recording) -> Recording:
    """Each step in turn. A step that fails before the point of no return has passed drops every
    file staged so far (nothing in the course changed), then the error goes to the caller."""
    committed = False
    for step in steps:
        try:
            step(recording)
        except BaseException:
            if not committed:
                recording.discard()
            raise
        committed = committed or getattr(step, "point_of_no_return", False)
    return recording


# ------------------------------------------------------------------------------- the steps

def stage_submission(recording: Recording) -> None:
    """The notebook under the assignment's name in submitted/, with its timestamp.txt, as nbgrader's
    collect leaves a submission (the service, which received it itself)."""
    recording.stage(recording.path("submitted", f"{recording.assignment.id}.ipynb"), recording.notebook.read_bytes())
    recording.stage(recording.path("submitted", "timestamp.txt"), f"{recording.timestamp}\n")


def stage_page(recording: Recording) -> None:
    """The feedback page (drawn here unless given); one that cannot be drawn is the plain one,
    never no record at all."""
    page = recording.page
    if page is None:
        notebook = recording.notebook if recording.notebook.is_file() else None
        try:
            page = feedback.render(recording.result, recording.student, notebook)
        except Exception:
            page = feedback.plain(recording.result, recording.student)
    recording.stage(recording.path("feedback", f"{recording.assignment.id}.html"), page)


def stage_feedback_files(recording: Recording) -> None:
    """What `nbgrader release_feedback` reads beside the page, as nbgrader's generate_feedback
    copies them from the submitted folder (the service's timestamp is the one it stages itself)."""
    for name in ("timestamp.txt", "submission_secret.txt"):
        source = recording.path("submitted", name)
        if name == "timestamp.txt" and recording.timestamp:
            recording.stage(recording.path("feedback", name), f"{recording.timestamp}\n")
        elif source.is_file():
            recording.stage(recording.path("feedback", name), source.read_bytes())


def stage_results(recording: Recording) -> None:
    """results.json, and the .recorded marker beside it (which fingerprint the gradebook has)."""
    results = recording.path("autograded", "results.json")
    if recording.fingerprint:
        recording.stage(results.with_name(".recorded"), recording.fingerprint)
    recording.stage(results, recording.results_text or as_text(recording.result))


@point_of_no_return
def record_in_gradebook(recording: Recording) -> None:
    """The scores into nbgrader's gradebook (one transaction) and the autograded notebook in place.
    A notebook the gradebook cannot take (it should not happen: autograded_notebook keeps only
    cells nbgrader knows) is recorded with the release notebook standing in for it: the scores do
    not depend on its cells."""
    from nbgrader.api import Gradebook
    from nbgrader.utils import parse_utc

    coursedir, assignment = recording.coursedir, recording.assignment
    timestamp = parse_utc(recording.timestamp) if recording.timestamp else \
        coursedir.get_existing_timestamp(str(recording.path("submitted", "")))

    def record(gb, notebook: Path) -> Path:
        return gradebook.record(gb, coursedir, assignment.id, recording.student, assignment.id, notebook,
                                assignment.release_notebook, recording.result, timestamp=timestamp)

    def into(gb) -> Path:
        try:
            return record(gb, recording.notebook)
        except Exception:
            if not recording.notebook.is_file():
                raise
            return record(gb, assignment.release_notebook)

    if recording.gradebook is not None:
        recording.autograded = into(recording.gradebook)
    else:
        with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
            recording.autograded = into(gb)


def keep_one_notebook(recording: Recording) -> None:
    """nbgrader keeps one submitted notebook per assignment: the one staged here."""
    kept = recording.path("submitted", f"{recording.assignment.id}.ipynb")
    for other in kept.parent.glob("*.ipynb"):
        if other != kept:
            other.unlink()


def publish(recording: Recording) -> None:
    """Every staged file into its place, in the order staged (results.json last)."""
    for file in recording.staged:
        file.publish()


def assign_late_penalty(recording: Recording) -> None:
    """Lateness and its penalty, by nbgrader's AssignLatePenalties with the course's plugin."""
    from nbgrader.preprocessors import AssignLatePenalties

    coursedir = recording.coursedir
    resources = {"nbgrader": {"notebook": recording.assignment.id, "assignment": recording.assignment.id,
                              "student": recording.student, "db_url": coursedir.db_url}}
    AssignLatePenalties(config=coursedir.config).preprocess(gradebook.read_trusted(recording.autograded), resources)
