"""How a result is told: the one place that turns results into what a reader sees.

The terminal report of `autograder check`, the feedback page, the gradebook's cell outputs and
the nbgrader bridge all draw their functions and test lines from here, so they say the same
thing in the same way:
- per graded function, its points and, when several of its failed tests have the same diagnosed
  cause, that cause once, at the top (the tests below refer to it);
- a function nobody has written yet is one line ("还没有实现"), not one line per hidden test.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from autograder.results import Diagnosis, SubmissionResult, TestResult

SEE_ABOVE = "（原因见上）"


@dataclass
class TestLine:
    test: TestResult
    refers_to_cause: bool = False    # its diagnosis is the function's cause, said above

    @property
    def mark(self) -> str:
        return "✓" if self.test.passed else "✗"

    @property
    def heading(self) -> str:
        return f"{self.mark} {self.test.what}（{points(self.test.score)} / {points(self.test.max_score)} 分）"

    @property
    def diagnosis(self) -> Diagnosis | None:
        return None if self.refers_to_cause else self.test.diagnosis


@dataclass
class FunctionReport:
    grade_id: str
    score: float
    max_score: float
    cause: Diagnosis | None = None       # shared by several failed tests
    not_written: bool = False            # every test failed because it still raises NotImplementedError
    lines: list[TestLine] = field(default_factory=list)

    @property
    def mark(self) -> str:
        return "✓" if self.score == self.max_score else "✗"

    @property
    def heading(self) -> str:
        return f"{self.mark} {self.grade_id}：{points(self.score)} / {points(self.max_score)} 分"

    @property
    def failed(self) -> list[TestLine]:
        return [line for line in self.lines if not line.test.passed]


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
    for report in reports.values():
        failed = [line.test for line in report.failed]
        # The cause comes from the graded tests (a public check adds nothing they do not show)
        # and, on a tie, a named mistake beats a bare "it raised".
        graded = [t for t in failed if t.max_score > 0] or failed
        codes = Counter(t.diagnosis.code for t in graded if t.diagnosis)
        codes = Counter(dict(sorted(codes.items(), key=lambda item: (-item[1], ".raises." in item[0]))))
        if failed and all(t.diagnosis and t.diagnosis.code.endswith(".not_implemented") for t in failed):
            report.not_written = True
        if codes:
            code, count = codes.most_common(1)[0]
            if count >= 2 or len(codes) == 1:   # shared by several tests, or the only one named
                report.cause = next(t.diagnosis for t in failed if t.diagnosis and t.diagnosis.code == code)
                for line in report.failed:
                    line.refers_to_cause = line.test.diagnosis is not None and line.test.diagnosis.code == code
    return list(reports.values())


def text(report: FunctionReport, indent: str = "    ") -> list[str]:
    """A function as plain text lines (terminal, gradebook, nbgrader)."""
    if report.not_written:
        return [f"{report.heading}：还没有实现（函数里仍然是 raise NotImplementedError()）"]
    lines = [report.heading]
    if report.cause:
        lines.append(f"{indent}原因：{report.cause.text}")
    for line in report.lines:
        lines.append(f"{indent}{line.heading}")
        if not line.test.passed:
            message = line.test.output + (SEE_ABOVE if line.refers_to_cause else "")
            if line.diagnosis:
                message = f"{line.diagnosis.text}\n{message}"
            lines.extend(f"{indent}    {part}" for part in message.splitlines())
    return lines
