"""Scores into nbgrader's own gradebook, so the formgrader shows them and manual grading of
the written answers works as usual.

For each submission we write the autograded notebook nbgrader would have written (the
student's notebook, course-owned cells restored from the release, every graded cell showing our
score as its value) and hand it to nbgrader's real `SaveAutoGrades` preprocessor, which decides
exactly as `nbgrader autograde` does what is recorded (auto scores, "needs manual grade",
"No response." comments).
"""
from __future__ import annotations

import copy
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbformat.v4.rwbase import rejoin_lines
from nbgrader.api import BaseCell, Comment, Grade, Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import SaveAutoGrades

from autograder import present
from autograder.assignments import PACKAGE_DIR
from autograder.results import SubmissionResult, write_atomically


PACKAGE_ROOT = PACKAGE_DIR.parent


def ensure_assignment(coursedir: CourseDirectory, assignment_id: str, umask: int | None = None) -> None:
    """The gradebook must know the assignment's cells; if it does not, let nbgrader record them
    (`nbgrader generate_assignment`, which also rewrites release/ identically, with `umask` if given)."""
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        try:
            gb.find_assignment(assignment_id)
            return
        except MissingEntry:
            pass
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    command = [str(Path(sys.executable).with_name("nbgrader")), "generate_assignment", assignment_id,
               "--force", "--log-level=ERROR", f"--db={coursedir.db_url}"]
    root = Path(coursedir.root)
    with tempfile.TemporaryDirectory(prefix="autograder-release-") as scratch:
        where = root
        if not (root / coursedir.source_directory / assignment_id).is_dir():
            # A course released from elsewhere: record the package's own source of the assignment,
            # in a scratch copy of the course's configuration (nothing is written into the course).
            where = Path(scratch)
            shutil.copytree(PACKAGE_ROOT / "source" / assignment_id, where / "source" / assignment_id)
            if (root / "nbgrader_config.py").is_file():
                shutil.copy(root / "nbgrader_config.py", where)
        done = subprocess.run(command, cwd=where, env=env, capture_output=True, text=True,
                              umask=-1 if umask is None else umask)
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment {assignment_id} failed:\n{done.stderr[-2000:]}")


def _read(path: Path) -> nbformat.NotebookNode:
    """A notebook without nbformat's schema validation (slow, and submissions may be a little
    off): what we need are its cells."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("nbformat") == 4 and isinstance(data.get("cells"), list):
        return rejoin_lines(nbformat.from_dict(data))
    return nbformat.read(str(path), as_version=4)


@functools.lru_cache(maxsize=8)
def _trusted_cells(release: Path, mtime: float) -> dict:
    return {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in _read(release).cells}


def autograded_notebook(submission: Path, release: Path, result: SubmissionResult) -> nbformat.NotebookNode:
    """The submission as nbgrader's autograde would leave it, with our scores as cell values."""
    trusted = _trusted_cells(release, release.stat().st_mtime)
    try:
        notebook = _read(submission)
    except Exception:  # unreadable: the release notebook stands in, every answer empty
        notebook = _read(release)
    by_function = result.by_function() if result.status == "graded" else {}
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        source = trusted.get(grade_id)
        if source is not None and source.metadata.get("nbgrader", {}).get("locked"):
            cell.source = source.source
            cell.cell_type = source.cell_type
            cell.metadata["nbgrader"] = copy.deepcopy(source.metadata["nbgrader"])
            meta = cell.metadata["nbgrader"]
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        cell.execution_count = None
        if meta.get("grade") and not meta.get("solution") and grade_id:
            function = grade_id.removesuffix("_tests")
            score, _maximum = by_function.get(function, (0.0, 0.0))
            # (nbformat.v4.new_output validates each output against the schema: 0.5 ms apiece)
            cell.outputs = [nbformat.from_dict({"output_type": "stream", "name": "stdout",
                                                "text": _messages(result, function)}),
                            nbformat.from_dict({"output_type": "execute_result", "metadata": {},
                                                "data": {"text/plain": repr(float(score))}, "execution_count": None})]
    return notebook


def _messages(result: SubmissionResult, function: str) -> str:
    if result.status != "graded":
        return f"无法评分：{result.error}\n"
    lines = [line for report in present.functions(result) if report.grade_id == function
             for line in present.text(report)]
    return "\n".join(lines) + "\n"


class _SaveAutoGrades(SaveAutoGrades):
    """nbgrader's own preprocessor, on a gradebook we keep open for the whole batch, and on one
    submitted notebook's grades and comments fetched at once and committed once (_OneNotebook)."""

    def __init__(self, gradebook: Gradebook, **kwargs):
        super().__init__(**kwargs)
        self.gradebook = gradebook

    def preprocess(self, nb, resources):
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.student_id = resources["nbgrader"]["student"]
        gradebook = self.gradebook
        self.gradebook = _OneNotebook(gradebook, self.notebook_id, self.assignment_id, self.student_id)
        try:
            done = super(SaveAutoGrades, self).preprocess(nb, resources)
            gradebook.db.commit()
        except BaseException:
            gradebook.db.rollback()
            raise
        finally:
            self.gradebook = gradebook
        return done


class _OneNotebook:
    """What SaveAutoGrades asks of the gradebook, for one submitted notebook: nbgrader's
    preprocessor looks up each cell's grade or comment with a query of six joins and commits after
    each cell (half of recording a ps2 submission); here every grade and comment of the notebook
    comes in one query each and the caller commits once, so a submission's grades are also
    recorded all together or not at all."""

    def __init__(self, gradebook: Gradebook, notebook: str, assignment: str, student: str):
        self._gradebook = gradebook
        submitted = gradebook.find_submission_notebook(notebook, assignment, student).id
        db = gradebook.db
        self._grades = {name: grade for grade, name in db.query(Grade, BaseCell.name)
                        .join(BaseCell, BaseCell.id == Grade.cell_id).filter(Grade.notebook_id == submitted)}
        self._comments = {name: comment for comment, name in db.query(Comment, BaseCell.name)
                          .join(BaseCell, BaseCell.id == Comment.cell_id).filter(Comment.notebook_id == submitted)}
        self.db = self   # the preprocessor's per-cell commit: nothing yet

    def commit(self) -> None:
        pass

    def find_grade(self, name: str, *ids: str) -> Grade:
        return self._grades[name] if name in self._grades else self._gradebook.find_grade(name, *ids)

    def find_comment(self, name: str, *ids: str) -> Comment:
        return self._comments[name] if name in self._comments else self._gradebook.find_comment(name, *ids)


def record(gb: Gradebook, coursedir: CourseDirectory, assignment_id: str, student_id: str, notebook_id: str,
           submission: Path, release: Path, result: SubmissionResult) -> Path:
    """Write the autograded notebook and record its grades; returns the notebook's path."""
    notebook = autograded_notebook(submission, release, result)
    target = Path(coursedir.format_path(coursedir.autograded_directory, student_id, assignment_id)) / f"{notebook_id}.ipynb"
    # nbformat's writer deep-copies the notebook first; this one is ours, made for this file
    write_atomically(target, json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n")
    timestamp = coursedir.get_existing_timestamp(str(submission.parent))
    gb.update_or_create_student(student_id)
    if timestamp:
        gb.update_or_create_submission(assignment_id, student_id, timestamp=timestamp)
    else:
        gb.update_or_create_submission(assignment_id, student_id)
    resources = {"nbgrader": {"notebook": notebook_id, "assignment": assignment_id, "student": student_id,
                              "db_url": coursedir.db_url}}
    _SaveAutoGrades(gb).preprocess(notebook, resources)
    return target


def gradebook_scores(coursedir: CourseDirectory, assignment_id: str) -> dict[str, float]:
    """Total auto scores per student as the gradebook holds them (for checks and exports)."""
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        scores = {}
        for submission in gb.assignment_submissions(assignment_id):
            scores[submission.student_id] = float(sum(n.code_score for n in submission.notebooks))
        return scores


def read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
