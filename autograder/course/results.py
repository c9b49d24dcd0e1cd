"""Grading results and their Gradescope `results.json` shape (the contract of COURSE.md)."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path


class Outcome(str, Enum):
    PASSED = "passed"
    FAILED = "failed"


class Status(str, Enum):
    GRADED = "graded"
    ERROR = "error"


@dataclass(frozen=True)
class Diagnosis:
    """The mistake a student made, named in their terms. `code` is stable ("<grade_id>.<what>",
    two mistakes made together "<grade_id>.<a>+<b>") so that a class report can count how many
    students made it. `section` is the notebook's section that explains the idea."""
    code: str
    text: str
    section: str = ""

    def to_json(self) -> dict:
        data = {"code": self.code, "text": self.text}
        if self.section:
            data["section"] = self.section
        return data

    @classmethod
    def from_json(cls, data) -> "Diagnosis | None":
        if not isinstance(data, dict):
            return None
        return cls(str(data["code"]), str(data["text"]), str(data.get("section") or ""))


@dataclass
class FunctionNote:
    """What is said once about a graded function that lost points: its one cause (if known), the
    notebook section that explains it, and the formula (only when the hint level allows it)."""
    cause: Diagnosis | None = None
    section: str = ""
    formula: str = ""


@dataclass
class TestResult:
    grade_id: str                # the graded function or class
    what: str                    # what the test checks, in the student's words
    score: float
    max_score: float
    status: Outcome
    output: str = ""             # all a reader of this test alone is told: the function's cause first, then `message`
    diagnosis: Diagnosis | None = None   # a failed test's: its function's one cause
    visibility: str = "visible"
    message: str = ""            # what this test checked and what the student's code did there

    @property
    def name(self) -> str:       # the contract's "<grade_id>: <what>"
        return f"{self.grade_id}: {self.what}"

    @property
    def passed(self) -> bool:
        return self.status == Outcome.PASSED

    def to_json(self) -> dict:
        """Exactly the contract's keys (COURSE.md); the rest goes in `detail`."""
        return {"name": self.name, "score": self.score, "max_score": self.max_score, "status": self.status.value,
                "output": self.output, "visibility": self.visibility}

    def detail(self) -> dict:
        return {"grade_id": self.grade_id, "what": self.what,
                "diagnosis": self.diagnosis.to_json() if self.diagnosis else None, "message": self.message}

    @classmethod
    def from_json(cls, data: dict, detail: dict | None = None) -> "TestResult":
        grade_id, _, what = data["name"].partition(": ")
        detail = detail or {}
        output = data.get("output", "")
        return cls(detail.get("grade_id", grade_id), detail.get("what", what), data["score"], data["max_score"],
                   Outcome(data["status"]), output, Diagnosis.from_json(detail.get("diagnosis")),
                   data.get("visibility", "visible"), detail.get("message", output))


@dataclass
class CellReport:
    """A notebook cell that did not run cleanly, as the student should hear about it."""
    index: int
    grade_id: str | None
    status: str
    message: str


@dataclass
class SubmissionResult:
    submission: str
    assignment: str
    status: Status
    tests: list[TestResult] = field(default_factory=list)
    error: str | None = None
    max_score: float = 0.0
    cells: list[CellReport] = field(default_factory=list)
    protections: list[str] = field(default_factory=list)
    fingerprint: str | None = None   # content hash, to skip unchanged submissions on resume
    # seconds: start (sandbox, cells), forks (each test's fresh process), tests, figures, close,
    # diagnosis, pytest (its own steps between them); they add up to total
    timing: dict[str, float] = field(default_factory=dict)
    figures: dict[str, dict] = field(default_factory=dict)   # plain data for the feedback page's figures
    notes: dict[str, FunctionNote] | None = None   # per function that lost points (None: results of older graders)
    hints: str = "cause"                            # the hint level the messages were written at (autograder/course/hints.py)
    # per function that lost points: a digest of what it returned on the hidden inputs
    # (autograder/integrity/answers.py); trusted side only, never shown to a student
    answers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self.status = Status(self.status)

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 6)

    def to_json(self) -> dict:
        """COURSE.md's shape; extra keys (cells, protections) are informative only."""
        return {
            "submission": self.submission, "assignment": self.assignment, "status": self.status.value,
            "score": self.score if self.status == Status.GRADED else 0.0, "max_score": self.max_score,
            "tests": [t.to_json() for t in self.tests], "error": self.error,
            "cells": [asdict(c) for c in self.cells], "protections": self.protections,
            "fingerprint": self.fingerprint, "timing": self.timing,
            "details": [t.detail() for t in self.tests],   # per test: grade_id, what, diagnosis, message
            "functions": self.functions_json(),   # per function: points and its one cause
            "hints": self.hints,
            "figures": self.figures,   # what the student's functions gave on the notebook's demo inputs
            "answers": self.answers,   # for the integrity report only (server.student_view drops it)
        }

    @property
    def causes(self) -> dict[str, Diagnosis] | None:
        """Each function's one cause (only functions that have one), or None for older results."""
        if self.notes is None:
            return None
        return {name: note.cause for name, note in self.notes.items() if note.cause is not None}

    def functions_json(self) -> list[dict]:
        """[{"function", "score", "max_score", "cause": {"code", "text", "section"} | None, "section",
        "formula"}] in report order: what a panel or a summary needs to say about each function once."""
        notes = self.notes or {}
        rows = []
        for name, (score, maximum) in self.by_function().items():
            note = notes.get(name, FunctionNote())
            rows.append({"function": name, "score": score, "max_score": maximum,
                         "cause": note.cause.to_json() if note.cause else None,
                         "section": note.section, "formula": note.formula})
        return rows

    @classmethod
    def from_json(cls, data: dict) -> "SubmissionResult":
        details = data.get("details") or []
        tests = [TestResult.from_json(t, details[i] if i < len(details) else None)
                 for i, t in enumerate(data.get("tests", []))]
        cells = [CellReport(**c) for c in data.get("cells", [])]
        notes = None
        if isinstance(data.get("functions"), list):
            notes = {f["function"]: FunctionNote(Diagnosis.from_json(f.get("cause")), str(f.get("section") or ""),
                                                 str(f.get("formula") or ""))
                     for f in data["functions"] if isinstance(f, dict) and "function" in f}
        return cls(data["submission"], data["assignment"], data["status"], tests, data.get("error"),
                   data.get("max_score", 0.0), cells, data.get("protections", []), data.get("fingerprint"),
                   data.get("timing", {}), data.get("figures") or {}, notes, data.get("hints", "cause"),
                   {str(k): str(v) for k, v in (data.get("answers") or {}).items()}
                   if isinstance(data.get("answers"), dict) else {})

    def by_function(self) -> dict[str, tuple[float, float]]:
        """(score, max) per graded function, in the order tests were reported."""
        totals: dict[str, list[float]] = {}
        for test in self.tests:
            entry = totals.setdefault(test.grade_id, [0.0, 0.0])
            entry[0] += test.score
            entry[1] += test.max_score
        return {k: (round(v[0], 6), round(v[1], 6)) for k, v in totals.items()}


class Staged:
    """A file written (and fsynced) beside `path` under a temporary name, not yet in place:
    `publish` renames it there, so readers see the old file or the new one, never half of one;
    `discard` removes it. Several records staged first and published together leave nothing
    behind when one of them cannot be made. `private`: 0600 from its creation (tokens)."""

    def __init__(self, path: Path, text: str | bytes, private: bool = False):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        if not private:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)  # mkstemp's 0600 would hide grades from the course's group
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(text if isinstance(text, bytes) else text.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            self.discard()
            raise

    def publish(self) -> None:
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        try:
            os.unlink(self.tmp)
        except OSError:
            pass


def write_atomically(path: Path, text: str, private: bool = False) -> None:
    """Write to a temporary file beside `path`, then rename: readers see old or new, never half."""
    staged = Staged(path, text, private)
    try:
        staged.publish()
    except BaseException:
        staged.discard()
        raise


def as_text(result: SubmissionResult) -> str:
    """results.json's text."""
    return json.dumps(result.to_json(), ensure_ascii=False, indent=1) + "\n"


def save(result: SubmissionResult, path: Path) -> None:
    write_atomically(path, as_text(result))
