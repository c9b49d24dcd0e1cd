"""What each command does, in terms of the library. Printing happens here and only here."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from autograder.course.assignments import Assignment, assignment_ids, course_root, guess_assignment
from autograder.course.config import sandbox_settings
from autograder.course.notebook import NotebookError, read_notebook
from autograder.course.results import SubmissionResult
from autograder.views.report import json_line, learner_report, table


class UsageError(Exception):
    """A mistake in how a command was called: said in one line, no traceback."""


def _assignment(assignment_id: str, root: Path) -> Assignment:
    try:
        return Assignment.load(assignment_id, root)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _readable_notebook(path: str) -> None:
    """For a learner: say plainly why a file cannot be checked."""
    target = Path(path)
    if not target.exists():
        raise UsageError(f"找不到文件 {path}（路径写对了吗？）")
    if target.is_dir():
        raise UsageError(f"{path} 是一个文件夹，不是笔记本：请给出 .ipynb 文件的路径")
    if not os.access(target, os.R_OK):
        raise UsageError(f"无法读取 {path}：没有读取权限")
    try:
        read_notebook(target)
    except NotebookError as exc:
        raise UsageError(f"{path} 不是可以评分的 Jupyter 笔记本：{exc}") from None


def _hint_level(root: Path, command: str, chosen: str | None) -> str:
    """The hint level (autograder/course/hints.py): the flag, else c.Feedback.hints, else the command's own."""
    from autograder.course.config import load_config
    from autograder.course.hints import level_for
    return chosen or level_for(load_config(root), command)


def grade(notebooks: list[str], assignment_id: str, as_json: bool, workers: int, overrides: dict,
          hints: str | None = None) -> int:
    from autograder.grading.engine import Grader, distinct
    from autograder.dispatch.parallel import grade_in_parallel, pool_size

    notebooks = distinct(notebooks)
    root = course_root()
    settings = sandbox_settings(root, overrides)
    settings.hints = _hint_level(root, "grade", hints)
    stdout = sys.stdout

    def emit(result: SubmissionResult) -> None:
        if as_json:
            stdout.write(json_line(result) + "\n")
            stdout.flush()

    _assignment(assignment_id, root)
    workers = min(workers or os.cpu_count() or 1, pool_size(len(notebooks)))
    if workers > 1:
        in_order = InOrder(notebooks, emit)
        try:
            results = grade_in_parallel(notebooks, assignment_id, settings, workers, in_order)
        finally:
            in_order.flush()
    else:
        with Grader(assignment_id, settings, root) as grader:
            results = grader.grade(notebooks, on_result=emit)
    if not as_json:
        order = {str(n): i for i, n in enumerate(notebooks)}
        print(table(sorted(results, key=lambda r: order.get(r.submission, 0))))
    return 0 if all(r.status == "graded" for r in results) else 1


class InOrder:
    """Results as they come from parallel workers, passed on in the order the notebooks were named
    (each as soon as those before it are out): the same lines, in the same order, as one worker gives."""

    def __init__(self, notebooks: list[str], emit) -> None:
        self.emit, self.next = emit, 0
        self.order = [str(n) for n in notebooks]
        self.known = set(self.order)
        self.waiting: dict[str, list[SubmissionResult]] = {}

    def __call__(self, result: SubmissionResult) -> None:
        if result.submission not in self.known:   # never held back for a name we do not know
            self.emit(result)
            return
        self.waiting.setdefault(result.submission, []).append(result)
        while self.next < len(self.order) and self.waiting.get(self.order[self.next]):
            self.emit(self.waiting[self.order[self.next]].pop(0))
            self.next += 1

    def flush(self) -> None:
        """Whatever is still held (a notebook before it gave no result): nothing is lost."""
        for name in self.order[self.next:]:
            while self.waiting.get(name):
                self.emit(self.waiting[name].pop(0))
        self.next = len(self.order)


def check(notebook: str, assignment_id: str | None, overrides: dict, html: str | None = None,
          verbose: bool = False, hints: str | None = None) -> int:
    from autograder.grading.engine import Grader

    _readable_notebook(notebook)
    assignment_id = assignment_id or guess_assignment(notebook)
    if assignment_id is None:
        raise UsageError("无法判断这是哪一次作业，请用 --assignment 指定（" + ", ".join(assignment_ids()) + "）")
    _assignment(assignment_id, course_root())
    settings = sandbox_settings(course_root(), overrides)
    settings.hints = _hint_level(course_root(), "check", hints)
    settings.fork_ahead = True   # one notebook: a core is free to fork each next test's process
    with Grader(assignment_id, settings, course_root(), linger=settings.check_linger) as grader:
        grader.warm_up([notebook])   # the sandbox starts (and imports torch) while we import pytest
        (result,) = grader.grade([notebook])
    print(learner_report(result, verbose, Path(notebook).name))
    if html:
        from autograder.views.feedback import render
        from autograder.course.results import write_atomically
        target = Path(html).expanduser()
        write_atomically(target, render(result, Path(notebook).name, Path(notebook)))
        print(f"\n反馈页面（feedback page，含你的代码和图）已写到 {target}")
    return 0 if result.status == "graded" and result.score == result.max_score else 1


def autograde(assignment_id: str, course: Path, workers: int, scheduler: str | None, force: bool,
              progress: bool, overrides: dict) -> int:
    from autograder.course.config import autograde_settings
    from autograder.dispatch.parallel import WorkerPool

    if not course.is_dir():
        raise UsageError(f"the course directory {course} does not exist")
    course = course.resolve()
    _assignment(assignment_id, course)
    settings = autograde_settings(course, assignment_id, overrides)
    # The workers start first (their imports, the batch's zygote); records.batch then hands them
    # notebooks before it imports the gradebook's side (its Recorder's thread does, beside them).
    pool = None if scheduler else WorkerPool(assignment_id, settings, workers or os.cpu_count() or 1, course)
    try:
        from autograder.records.batch import autograde_course
    except BaseException:
        if pool:
            pool.close()
        raise
    return autograde_course(assignment_id, course, settings, pool, scheduler, force, progress)


def report(assignment_id: str, course: Path) -> int:
    from autograder.views.class_report import NoResults, write_report
    from autograder.course.config import load_config

    if not course.is_dir():
        raise UsageError(f"the course directory {course} does not exist")
    course = course.resolve()
    _assignment(assignment_id, course)
    directories = load_config(course).get("CourseDirectory", {})
    try:
        page = write_report(course, assignment_id, directories.get("autograded_directory", "autograded"))
    except NoResults as exc:
        raise UsageError(str(exc)) from None
    print(f"class report: {page} (the same numbers as CSV files beside it)")
    return 0


def integrity(assignment_id: str, course: Path, against: list[Path], threshold: float | None) -> int:
    from autograder.integrity.report import for_course

    if not course.is_dir():
        raise UsageError(f"the course directory {course} does not exist")
    missing = [str(d) for d in against if not d.is_dir()]
    if missing:
        raise UsageError(f"--against: no such directory: {', '.join(missing)}")
    if threshold is not None and not 0 <= threshold <= 1:
        raise UsageError(f"--threshold {threshold} is not between 0 and 1")
    course = course.resolve()
    _assignment(assignment_id, course)
    findings, page = for_course(course, assignment_id, against, threshold)
    if not findings.students:
        raise UsageError(f"no submitted/<student>/{assignment_id}/*.ipynb in {course}: nothing to compare")
    print(f"integrity: {len(findings.pairs)} pair(s) above {findings.threshold:g} among {findings.students} "
          f"submissions in {findings.seconds:.1f}s: {page} (and integrity.csv beside it). "
          "A flag is a reason to talk, not a verdict.")
    return 0


def build(course: str | None) -> int:
    from autograder.course import build as builder
    root = Path(course).expanduser().resolve() if course else course_root()
    if not (root / "source").is_dir():
        raise UsageError(f"{root} has no source/ directory: `autograder build` regenerates release/ and "
                         "solutions/ from a repository's source notebooks")
    builder.build(root)
    return 0


def serve(course: Path, port: int | None, host: str, scheduler: str | None, workers: int | None,
          overrides: dict) -> int:
    from autograder.service.server import run
    if not course.is_dir():
        raise UsageError(f"the course directory {course} does not exist")
    if port is not None and not 0 <= port < 65536:
        raise UsageError(f"--port {port} is not a port number")
    return run(course.resolve(), port, host, scheduler, workers, overrides)


def tokens(course: Path, students: list[str] | None, renew: bool, revoke: list[str] | None,
           output: str | None, expires: str | None = None) -> int:
    import warnings

    from autograder.service.identity import BadExpiry, issue_tokens, parse_expiry, revoke_tokens, write_private
    from autograder.views.spreadsheet import rows_text

    try:
        until = parse_expiry(expires) if expires else None
    except BadExpiry as exc:
        raise UsageError(str(exc)) from None

    if not (course / "gradebook.db").is_file():
        raise UsageError(f"{course} has no gradebook.db: add the students first "
                         "(`nbgrader db student add NAME` or `nbgrader db student import students.csv`)")
    from nbgrader.api import Gradebook
    warnings.filterwarnings("ignore", module="nbgrader")
    with Gradebook(f"sqlite:///{(course / 'gradebook.db').resolve()}") as gb:
        known = [s.id for s in gb.students]
    if revoke:
        unknown = [s for s in revoke if s not in known]
        gone = revoke_tokens(course, revoke)
        print(f"revoked: {', '.join(gone) or 'none'}" + (f" (no such student: {', '.join(unknown)})" if unknown else ""),
              file=sys.stderr)
        if not students and not renew:
            return 0
    wanted = students or known
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise UsageError(f"not in the gradebook: {', '.join(unknown)} (add with `nbgrader db student add NAME`)")
    if not wanted:
        raise UsageError("the gradebook has no students yet: `nbgrader db student add NAME` or "
                         "`nbgrader db student import students.csv`")
    issued = issue_tokens(course, wanted, renew, until)
    text = rows_text(["student", "token"], sorted(issued.items()))
    if output:
        write_private(Path(output), text)   # created 0600: it holds every token in clear
    else:
        sys.stdout.write(text)
    kept = len(wanted) - len(issued)
    print(f"{len(issued)} token(s) issued" + (f", valid until {until:%Y-%m-%d %H:%M:%S} UTC" if until and issued else "")
          + (f", {kept} student(s) keep theirs (--renew replaces them)" if kept else "")
          + (f"; written to {output}" if output else ""), file=sys.stderr)
    return 0
