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

from autograder.course.packages import without_init

without_init("nbgrader")   # (its __init__ loads four Jupyter server extensions no gradebook needs)
from nbgrader.api import BaseCell, Comment, Grade, Gradebook, MissingEntry  # noqa: E402
from nbgrader.coursedir import CourseDirectory  # noqa: E402
from nbgrader.preprocessors import SaveAutoGrades  # noqa: E402

from autograder.course.assignments import PACKAGE_DIR  # noqa: E402
from autograder.course.notebook import NotebookError, read_notebook
from autograder.course.results import Staged, SubmissionResult
from autograder.views import present


PACKAGE_ROOT = PACKAGE_DIR.parent


def ensure_assignment(coursedir: CourseDirectory, assignment_id: str) -> None:
    """The gradebook must know the assignment's cells; if it does not, let nbgrader record them
    (`nbgrader generate_assignment`).

    nbgrader runs in a scratch copy of the course's source and configuration: in the course itself it
    would delete and rewrite release/ while the batch reads it (a missing notebook's result, the
    workers, the integrity report), and any of them could find no release notebook."""
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        try:
            gb.find_assignment(assignment_id)
            return
        except MissingEntry:
            pass
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    root = Path(coursedir.root)
    with tempfile.TemporaryDirectory(prefix="autograder-release-") as scratch:
        where = Path(scratch)
        source = root / coursedir.source_directory / assignment_id
        if not source.is_dir():   # a course released from elsewhere: the package's own source
            source = PACKAGE_ROOT / "source" / assignment_id
        shutil.copytree(source, where / coursedir.source_directory / assignment_id)
        if (root / "nbgrader_config.py").is_file():
            shutil.copy(root / "nbgrader_config.py", where)
        command = [str(Path(sys.executable).with_name("nbgrader")), "generate_assignment", assignment_id,
                   "--force", "--log-level=ERROR", f"--db={absolute(coursedir.db_url)}",
                   f"--CourseDirectory.root={where}"]
        done = subprocess.run(command, cwd=where, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment {assignment_id} failed:\n{done.stderr[-2000:]}")


def absolute(db_url: str) -> str:
    """A relative SQLite URL as this process reads it, for nbgrader running elsewhere."""
    prefix = "sqlite:///"
    if db_url.startswith(prefix) and not db_url.startswith(prefix + "/"):
        return prefix + os.path.abspath(db_url[len(prefix):])
    return db_url


def read_trusted(path: Path) -> nbformat.NotebookNode:
    """A trusted notebook without nbformat's schema validation (slow): what we need are its cells."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("nbformat") == 4 and isinstance(data.get("cells"), list):
        return rejoin_lines(nbformat.from_dict(data))
    return nbformat.read(str(path), as_version=4)


@functools.lru_cache(maxsize=8)
def _release(release: Path, mtime: float) -> nbformat.NotebookNode:
    return read_trusted(release)


def autograded_notebook(submission: Path, release: Path, result: SubmissionResult) -> nbformat.NotebookNode:
    """The submission as nbgrader's autograde would leave it, with our scores as cell values.

    Whatever the student did to the file, nbgrader's gradebook gets the cells it knows, each once:
    as nbgrader's OverwriteCells (with `add_missing_cells`) does, a cell whose grade_id the
    assignment does not have is an ordinary cell (its nbgrader metadata dropped, where
    OverwriteCells drops the grade_id), a known cell gets the release's metadata and type back
    (and its source, when locked), a later copy of a known cell is an ordinary cell, and a known
    cell the student deleted is put back after the one before it. So SaveAutoGrades records every
    graded cell, with our score, and never meets a cell the gradebook does not have.
    """
    template = _release(release, release.stat().st_mtime)
    known = {_grade_id(c): c for c in template.cells if _grade_id(c)}
    try:
        cells = read_notebook(submission)
    except (NotebookError, OSError):   # unreadable: the release notebook stands in, every answer empty
        cells = read_notebook(release)
    out: list[dict] = []
    placed: dict[str, int] = {}
    for index, cell in enumerate(cells):
        trusted = known.get(cell.grade_id) if cell.grade_id not in placed else None
        if trusted is None:
            kind = cell.kind if cell.kind in ("code", "markdown", "raw") else "raw"
            out.append(_cell(kind, cell.source, {}, f"student-{index}"))
            continue
        placed[cell.grade_id] = len(out)
        locked = trusted.metadata["nbgrader"].get("locked")
        out.append(_cell(trusted.cell_type, trusted.source if locked else cell.source,
                         copy.deepcopy(trusted.metadata), trusted.get("id") or f"cell-{len(placed)}"))
    cells_out = _with_missing(out, placed, template.cells)
    by_function = result.by_function() if result.status == "graded" else {}
    for cell in cells_out:
        meta = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("grade") and not meta.get("solution"):
            function = meta["grade_id"].removesuffix("_tests")
            score = min(by_function.get(function, (0.0, 0.0))[0], float(meta.get("points", 0)))
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": _messages(result, function)},
                               {"output_type": "execute_result", "metadata": {},
                                "data": {"text/plain": repr(float(score))}, "execution_count": None}]
    return nbformat.from_dict({"nbformat": 4, "nbformat_minor": template.nbformat_minor,
                               "metadata": copy.deepcopy(template.metadata), "cells": cells_out})


def _grade_id(cell) -> str | None:
    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
    return grade_id if isinstance(grade_id, str) else None


def _cell(kind: str, source: str, metadata: dict, cell_id: str) -> dict:
    """A cell as nbformat 4.5 writes it (no outputs: nothing the student's kernel printed is kept)."""
    cell = {"cell_type": kind, "id": cell_id, "metadata": metadata, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _with_missing(out: list[dict], placed: dict[str, int], release_cells) -> list[dict]:
    """`out` with every known cell it lacks put back after the release cell before it."""
    after: dict[int, list[dict]] = {}
    position = -1
    for trusted in release_cells:
        grade_id = _grade_id(trusted)
        if grade_id is None:
            continue
        if grade_id in placed:
            position = placed[grade_id]
            continue
        after.setdefault(position, []).append(
            _cell(trusted.cell_type, trusted.source, copy.deepcopy(trusted.metadata), trusted.get("id") or grade_id))
    restored = list(after.get(-1, []))
    for index, cell in enumerate(out):
        restored.append(cell)
        restored.extend(after.get(index, []))
    return restored


def _messages(result: SubmissionResult, function: str) -> str:
    if result.status != "graded":
        return f"无法评分：{result.error}\n"
    lines = [line for report in present.functions(result) if report.grade_id == function
             for line in present.text(report)]
    return "\n".join(lines) + "\n"


class _SaveAutoGrades(SaveAutoGrades):
    """nbgrader's own preprocessor, on a gradebook we keep open for the whole batch, and on one
    submitted notebook's grades and comments fetched at once and committed once (_OneNotebook).
    A submission that could not be graded is flagged, in the same transaction: each graded cell
    "needs manual grade" with no auto score (never an ordinary 0), and each answer cell's comment,
    which the formgrader shows, says why."""

    def __init__(self, gradebook: Gradebook, result: SubmissionResult | None = None, **kwargs):
        super().__init__(**kwargs)
        self.gradebook = gradebook
        self.result = result

    def preprocess(self, nb, resources):
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.student_id = resources["nbgrader"]["student"]
        gradebook = self.gradebook
        self.gradebook = _OneNotebook(gradebook, self.notebook_id, self.assignment_id, self.student_id)
        try:
            done = super(SaveAutoGrades, self).preprocess(nb, resources)
            if self.result is not None and self.result.status != "graded":
                self._flag_ungraded(nb)
            gradebook.db.commit()
        except BaseException:
            gradebook.db.rollback()
            raise
        finally:
            self.gradebook = gradebook
        return done

    def _flag_ungraded(self, nb) -> None:
        ids = (self.notebook_id, self.assignment_id, self.student_id)
        said = f"{UNGRADED}{self.result.error or ''}"
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or not meta.get("grade_id"):
                continue
            if meta.get("grade") and not meta.get("solution"):
                grade = self.gradebook.find_grade(meta["grade_id"], *ids)
                grade.auto_score = None
                grade.needs_manual_grade = True
            elif meta.get("solution"):
                self.gradebook.find_comment(meta["grade_id"], *ids).auto_comment = said


UNGRADED = "自动评分没有完成，需要人工评分。原因："


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
           submission: Path, release: Path, result: SubmissionResult, timestamp=None) -> Path:
    """Record the result's grades (one transaction), then put the autograded notebook in place;
    returns its path. The notebook is written beside its place first: if recording fails, nothing
    is left. `timestamp` is nbgrader's (parsed); by default read from the submission's folder."""
    notebook = autograded_notebook(submission, release, result)
    target = Path(coursedir.format_path(coursedir.autograded_directory, student_id, assignment_id)) / f"{notebook_id}.ipynb"
    # nbformat's writer deep-copies the notebook first; this one is ours, made for this file
    staged = Staged(target, json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n")
    try:
        timestamp = timestamp or coursedir.get_existing_timestamp(str(submission.parent))
        gb.update_or_create_student(student_id)
        if timestamp:
            gb.update_or_create_submission(assignment_id, student_id, timestamp=timestamp)
        else:
            gb.update_or_create_submission(assignment_id, student_id)
        resources = {"nbgrader": {"notebook": notebook_id, "assignment": assignment_id, "student": student_id,
                                  "db_url": coursedir.db_url}}
        _SaveAutoGrades(gb, result).preprocess(notebook, resources)
    except BaseException:
        staged.discard()
        raise
    staged.publish()
    return target


def gradebook_scores(coursedir: CourseDirectory, assignment_id: str) -> dict[str, float]:
    """Total auto scores per student as the gradebook holds them (for checks and exports)."""
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        scores = {}
        for submission in gb.assignment_submissions(assignment_id):
            scores[submission.student_id] = float(sum(n.code_score for n in submission.notebooks))
        return scores
