"""How a result is told: the one place that turns results into what a reader sees.

The terminal report of `autograder check`, the feedback page, the gradebook's cell outputs and
the nbgrader bridge all draw their functions and test lines from here, so they say the same
thing in the same way:
- per graded function, its points and what is said once about it (results.FunctionNote): its one
  cause first, where the notebook explains it, the formula when the hint level allows it; then
  each failed check with its own words (what it checked, what the student's code did there);
- a function nobody has written yet is one line ("还没有实现"), not one line per hidden test;
- a public check (0 points: the notebook's own self-check) shows no "0 / 0 分".
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from autograder.course.results import Diagnosis, FunctionNote, SubmissionResult, TestResult
from autograder.views.messages import FORMULA, SECTION

CAUSE = "原因：{}"


@dataclass
class TestLine:
    test: TestResult

    @property
    def mark(self) -> str:
        return "✓" if self.test.passed else "✗"

    @property
    def public(self) -> bool:
        return self.test.max_score == 0

    @property
    def heading(self) -> str:
        if self.public:
            return f"{self.mark} {self.test.what}"
        return f"{self.mark} {self.test.what}（{points(self.test.score)} / {points(self.test.max_score)} 分）"

    @property
    def said(self) -> str:
        """The test's own words (the function's cause is said once above it)."""
        return self.test.message or self.test.output


@dataclass
class FunctionReport:
    grade_id: str
    score: float
    max_score: float
    note: FunctionNote = field(default_factory=FunctionNote)
    not_written: bool = False            # every test failed because it still raises NotImplementedError
    lines: list[TestLine] = field(default_factory=list)

    @property
    def cause(self) -> Diagnosis | None:
        return self.note.cause

    @property
    def mark(self) -> str:
        return "✓" if self.score == self.max_score else "✗"

    @property
    def heading(self) -> str:
        return f"{self.mark} {self.grade_id}：{points(self.score)} / {points(self.max_score)} 分"

    @property
    def failed(self) -> list[TestLine]:
        return [line for line in self.lines if not line.test.passed]

    def guidance(self, cause: bool = True) -> list[str]:
        """What is said once about the function: cause, where it is explained, the formula."""
        said = [CAUSE.format(self.cause.text)] if self.cause and cause else []
        if self.failed and self.note.section:
            said.append(SECTION.format(self.note.section))
        if self.note.formula:
            said.append(FORMULA.format(self.note.formula))
        return said


def points(value: float) -> str:
    return f"{value:g}"


def functions(result: SubmissionResult) -> list[FunctionReport]:
    """The result per graded function, in notebook order."""
    reports: dict[str, FunctionReport] = {}
    for test in result.tests:
        report = reports.setdefault(test.grade_id, FunctionReport(test.grade_id, 0.0, 0.0))
        report.score = round(report.score + test.score, 6)
        report.max_score = round(report.max_score + test.max_score, 6)
        report.lines.append(TestLine(test))
    notes = result.notes
    for report in reports.values():
        failed = [line.test for line in report.failed]
        if failed and all(t.diagnosis and t.diagnosis.code.endswith(".not_implemented") for t in failed):
            report.not_written = True
        if notes is not None:
            # what is said once goes with the messages: none when they are hidden from the student
            # (the service folds such checks into one line without output: server.student_view)
            shown = any(t.output for t in failed)
            report.note = notes.get(report.grade_id, FunctionNote()) if shown else FunctionNote()
        else:
            report.note = FunctionNote(_voted(failed))
    return list(reports.values())


def _voted(failed: list[TestResult]) -> Diagnosis | None:
    """The cause of a result written before each function had one (results.json of older
    graders): the diagnosis most of its graded failed tests share, or the only one named."""
    graded = [t for t in failed if t.max_score > 0] or failed
    codes = Counter(t.diagnosis.code for t in graded if t.diagnosis)
    codes = Counter(dict(sorted(codes.items(), key=lambda item: (-item[1], ".raises." in item[0]))))
    if not codes:
        return None
    code, count = codes.most_common(1)[0]
    if count >= 2 or len(codes) == 1:
        return next(t.diagnosis for t in failed if t.diagnosis and t.diagnosis.code == code)
    return None


def text(report: FunctionReport, indent: str = "    ") -> list[str]:
    """A function as plain text lines (terminal, gradebook, nbgrader): the heading, what is said
    once about it, then each check (failed ones with their own words)."""
    if report.not_written:
        return [f"{report.heading}：还没有实现（函数里仍然是 raise NotImplementedError()）"]
    lines = [report.heading]
    lines += [f"{indent}{line}" for line in report.guidance()]
    for line in report.lines:
        lines.append(f"{indent}{line.heading}")
        if not line.test.passed and line.said:
            lines.extend(f"{indent}    {part}" for part in line.said.splitlines())
    return lines
