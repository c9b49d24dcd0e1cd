"""What each failed test says, composed once per submission on the trusted side.

A reader of one test alone (Gradescope shows only a test's `output`; the gradebook, the
terminal and the feedback page show more) is told, in this order:

1. the function's one cause, when it is known (autograder/testkit/diagnosis.py: `function_cause`);
2. what this test checked and what the student's code did there (the test's own message:
   the inputs and the student's outputs, never a hidden expected value);
3. where the notebook explains the idea: the section named by the cause, else the section of
   the function's own exercise;
4. at the formula level only (autograder/course/hints.py), the formula: the suite's `FORMULAS`.

Texts are rendered at the result's level here: nothing marked ⟪ ⟫ survives at the cause level.
"""
from __future__ import annotations

import importlib
import re
from functools import lru_cache

from autograder.course import hints
from autograder.course.assignments import Assignment
from autograder.course.results import Diagnosis, FunctionNote, SubmissionResult

SECTION = "相关讲解：笔记本的「{}」一节。"
FORMULA = "公式（formula）：{}"
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_FENCED = re.compile(r"^\s*```.*?^\s*```", re.MULTILINE | re.DOTALL)


def compose(result: SubmissionResult, assignment, level: str = hints.CAUSE) -> None:
    """Say once per function what is known (result.notes) and write every failed test's `output`
    from it, at `level`."""
    result.hints = level
    formulas = formulas_of(assignment.id) if level == hints.FORMULA else {}
    own = sections(assignment)
    notes = result.notes if result.notes is not None else {}
    lost = {t.grade_id for t in result.tests if not t.passed}
    for name in lost:
        note = notes.setdefault(name, FunctionNote())
        if note.cause is not None:
            note.cause = Diagnosis(note.cause.code, hints.render(note.cause.text, level),
                                   resolve(assignment, note.cause.section))
        note.section = (note.cause.section if note.cause else "") or own.get(name, "")
        note.formula = formulas.get(name, "")
    result.notes = {name: note for name, note in notes.items() if name in lost}
    for test in result.tests:
        test.message = tidy(hints.render(test.message or test.output, level))
        if test.passed:
            test.diagnosis = None
            test.output = ""
            continue
        note = result.notes[test.grade_id]
        test.diagnosis = note.cause
        test.output = "\n".join(said(note, test.message))


def said(note: FunctionNote, message: str) -> list[str]:
    """A failed test's lines for a reader of this test alone: the cause, the test's own words,
    where the notebook explains it, the formula (when the level allows it)."""
    parts = [note.cause.text] if note.cause else []
    if message and (not note.cause or message != note.cause.text):
        parts.append(message)
    if note.section:
        parts.append(SECTION.format(note.section))
    if note.formula:
        parts.append(FORMULA.format(note.formula))
    return parts


_INNER = re.compile(r"\[[^\[\]]*\]")


def tidy(text: str) -> str:
    """Arrays on one line: numpy prints long or 2-D arrays over several lines, padded."""
    if "[" not in text:
        return text
    text = re.sub(r"\]\s*\n\s*\[", "] [", text)   # the rows of a printed 2-D array
    return _INNER.sub(lambda m: re.sub(r"\s+", " ", m.group(0)).replace("[ ", "[").replace(" ]", "]"), text)


@lru_cache(maxsize=16)
def assignment_title(assignment_id: str) -> str:
    """The notebook's title (its first heading), e.g. "作业 1：导数 —— 从爬山说起"."""
    try:
        titles = headings(Assignment.load(assignment_id))
    except Exception:   # an unknown assignment: its id says enough
        return ""
    return titles[0][1] if titles else ""


def formulas_of(assignment_id: str) -> dict[str, str]:
    """The suite's formulas per function (mistakes.py: FORMULAS), shown at the formula level."""
    try:
        module = importlib.import_module(f"autograder.suites.{assignment_id}.mistakes")
    except ModuleNotFoundError:
        return {}
    return dict(getattr(module, "FORMULAS", {}))


def headings(assignment) -> list[tuple[int, str]]:
    """(cell index, title) of every markdown heading of the release notebook, in order."""
    return _headings(tuple((c.kind, c.source) for c in assignment.cells))


@lru_cache(maxsize=16)
def _headings(cells: tuple) -> list[tuple[int, str]]:
    found = []
    for index, (kind, source) in enumerate(cells):
        if kind == "markdown":
            found += [(index, m.group(1).strip()) for m in _HEADING.finditer(_FENCED.sub("", source))]
    return [(i, t) for i, t in found if not t.startswith(("BEGIN SOLUTION", "END SOLUTION"))]


def sections(assignment) -> dict[str, str]:
    """Each graded function's own section: the topic of the nearest markdown cell with a heading
    above its answer cell (that cell's first heading; a bare exercise label such as "练习：..."
    points to the numbered section it belongs to)."""
    titles = headings(assignment)
    found = {}
    for index, cell in enumerate(assignment.cells):
        if cell.role != "answer" or not cell.grade_id:
            continue
        above = [(i, t) for i, t in titles if i <= index]
        if not above:
            continue
        nearest_cell = above[-1][0]
        topic = next(t for i, t in above if i == nearest_cell)
        if _EXERCISE.match(topic):
            numbered = [t for _, t in above if re.match(r"^\d", t) and not _EXERCISE.match(t)]
            topic = numbered[-1] if numbered else topic
        found[cell.grade_id] = topic
    return found


_EXERCISE = re.compile(r"^(\d+(\.\d+)*\.?\s*)?(练习|任务|小练习)")


def resolve(assignment, section: str) -> str:
    """A model's section, given by number ("4.1") or by title, as the notebook's full title."""
    if not section:
        return ""
    for _, title in headings(assignment):
        if title == section or title.startswith(section + " ") or title.startswith(section + "."):
            return title
        if not re.match(r"^\d", section) and section in title:
            return title
    return section
