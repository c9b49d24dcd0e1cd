"""The course: where its notebooks and hidden suites are, and what each assignment contains.

The trusted copy of an assignment is its release notebook (what students were given); the
graded functions, their public checks and their points are read from it.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from autograder.course.notebook import Cell, NotebookError, read_notebook
from autograder.course.notebook import NotebookError, plan
from autograder.course.notebook import normalise

PACKAGE_DIR = Path(__file__).resolve().parent.parent   # autograder/
SUITES_DIR = PACKAGE_DIR / "suites"
# Module the zygote imports -> how a cell that needs it starts. These run on every student cell in
# the grader's own process: indentation is [ \t]*, never \s* (which crosses newlines and makes
# `^\s*` quadratic on a cell of blank lines); tests/test_linear_time.py checks each one.
PRELOADABLE = {
    "torch": re.compile(r"^[ \t]*(?:import torch|from torch)", re.MULTILINE),
    "matplotlib.pyplot": re.compile(r"^[ \t]*(?:import matplotlib|from matplotlib|import pylab|from pylab)",
                                    re.MULTILINE),
    # `import numpy` leaves numpy.random to its first use: 30 ms in every sandbox that uses it.
    "numpy.random": re.compile(r"\b(np|numpy)\.random\b|from numpy import random|\bfrom numpy\.random\b"),
    # An optimiser's first step (and torch.func) imports torch._dynamo: 0.9-1.7 s in every test's
    # process, against a budget of 0.5 s, unless the zygote has it (+1 s start, +70 MB shared).
    "torch._dynamo": re.compile(r"\btorch\.(optim|func)\b|\bfrom torch import (optim|func)\b"),
}


def course_root() -> Path:
    """The course directory: $AUTOGRADER_COURSE, else the repository this package lives in."""
    if os.environ.get("AUTOGRADER_COURSE"):
        return Path(os.environ["AUTOGRADER_COURSE"]).resolve()
    return PACKAGE_DIR.parent


def assignment_ids() -> list[str]:
    """Assignments that have a hidden suite."""
    return sorted(p.name for p in SUITES_DIR.iterdir() if p.is_dir() and any(p.glob("test_*.py")))


@dataclass
class Assignment:
    id: str
    root: Path

    @classmethod
    def load(cls, assignment_id: str, root: Path | None = None) -> "Assignment":
        root = root or course_root()
        assignment = cls(assignment_id, root)
        if not assignment.suite_dir.is_dir():
            known = ", ".join(assignment_ids()) or "none"
            raise ValueError(f"unknown assignment {assignment_id!r} (known: {known})")
        if not assignment.release_notebook.is_file():
            raise ValueError(f"no release notebook at {assignment.release_notebook} (and none in this package)")
        return assignment

    @property
    def suite_dir(self) -> Path:
        return SUITES_DIR / self.id

    @property
    def release_notebook(self) -> Path:
        """The course's own release copy; a course that has none (its instructor released from
        elsewhere) is graded against the copy this package was built with."""
        own = self.root / "release" / self.id / f"{self.id}.ipynb"
        packaged = PACKAGE_DIR.parent / "release" / self.id / f"{self.id}.ipynb"
        return own if own.is_file() or not packaged.is_file() else packaged

    @property
    def source_notebook(self) -> Path:
        return self.root / "source" / self.id / f"{self.id}.ipynb"

    @cached_property
    def cells(self) -> list[Cell]:
        return read_notebook(self.release_notebook)

    @cached_property
    def functions(self) -> list[str]:
        """The graded functions and classes, in notebook order."""
        return [c.grade_id for c in self.cells if c.role == "answer" and c.grade_id]

    def public_check(self, name: str) -> str | None:
        for cell in self.cells:
            if cell.grade_id == f"{name}_public":
                return cell.source
        return None

    def notebook_points(self) -> dict[str, float]:
        """Points of each graded cell, keyed by the function it grades."""
        return {c.grade_id.removesuffix("_tests"): float(c.nbgrader.get("points", 0))
                for c in self.cells if c.role == "graded" and c.grade_id}

    @cached_property
    def preload(self) -> list[str]:
        """Modules the zygote imports: numpy always, and what the cells that grading runs (the
        setup cells; demo cells never run) import. Importing torch costs two seconds, once."""
        graded = [c.source for c in self.cells if c.kind == "code" and c.role in ("setup", "answer")]
        return ["numpy", *sorted(imported_by(graded))]

    @cached_property
    def marks(self) -> frozenset[str]:
        """What shows a notebook is this assignment's: its cells' grade_ids and the text of its
        locked cells (which is all that is left when a student's editor stripped the metadata)."""
        return frozenset(_marks(self.cells, locked_only=True))

    def foreign(self, cells: list[Cell]) -> str | None:
        """The other assignment whose notebook this is: it has cells only that one has (two at
        least), and more than OUTNUMBER times as many as cells only this one has (a ps2 notebook
        with one cell renamed to a ps1 grade_id is still ps2's; a ps1 notebook with a few pasted
        ps2 cells is ps1's). A notebook with no course cells at all (written from scratch) is
        nobody's and is graded."""
        found = _marks(cells)
        others = {a: _marks_of(a, self.root) for a in assignment_ids() if a != self.id}
        common = {m for a, b in _pairs([self.marks, *others.values()]) for m in a & b}
        own = len((self.marks - common) & found)
        counts = {a: len((marks - common) & found) for a, marks in others.items()}
        best = max(counts, key=counts.get, default=None)
        if best is None or counts[best] < 2 or counts[best] <= OUTNUMBER * own:
            return None
        return best

    def read_submission(self, path) -> list[Cell]:
        """A submitted notebook's cells; NotebookError when it cannot be graded as this assignment."""
        return self.check_submission(read_notebook(path))

    def check_submission(self, cells: list[Cell]) -> list[Cell]:
        other = self.foreign(cells)
        if other is not None:
            raise NotebookError(f"这是作业 {other} 的笔记本，不是 {self.id} 的。请打开 {self.id} 的笔记本"
                                f"（{self.id}.ipynb），在里面完成后再提交。")
        return cells

    def imports_of(self, notebooks) -> set[str]:
        """What the cells that grading runs in these notebooks import, of the preloadable modules
        (a student who plots in an answer cell: matplotlib once in the zygote, not once per notebook)."""
        found: set[str] = set()
        for path in notebooks:
            try:
                cells = plan(read_notebook(path), self.cells)
            except (NotebookError, OSError):
                continue
            found |= imported_by([c.source for c in cells])
        return found


OUTNUMBER = 3   # another assignment's own cells must outnumber this one's this many times


def imported_by(sources: list[str]) -> set[str]:
    """The preloadable modules these cells import. torch.optim named where torch is never imported
    (a docstring: "the same as torch.optim.Adam") imports nothing: preloading torch._dynamo there
    would cost every zygote of the assignment two seconds and ~300 MB for no test's benefit."""
    found = {m for m, pattern in PRELOADABLE.items() if any(pattern.search(s) for s in sources)}
    if "torch" not in found:
        found.discard("torch._dynamo")
    return found


def _marks(cells: list[Cell], locked_only: bool = False) -> set[str]:
    marks = {f"id:{c.grade_id}" for c in cells if c.grade_id}
    marks |= {f"text:{normalise(c.source)}" for c in cells
              if c.source.strip() and (not locked_only or c.nbgrader.get("locked"))}
    return marks


@functools.lru_cache(maxsize=32)
def _marks_of(assignment_id: str, root: Path) -> frozenset[str]:
    try:
        return Assignment.load(assignment_id, root).marks
    except (ValueError, NotebookError, OSError):   # an assignment this course cannot read: no evidence
        return frozenset()


def _pairs(items: list) -> list[tuple]:
    return [(a, b) for i, a in enumerate(items) for b in items[i + 1:]]


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
