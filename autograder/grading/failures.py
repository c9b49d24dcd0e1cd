"""When grading itself fails: the one place that builds the error result a student is shown.

Every result, an error too, carries the suite's max_score (the contract: the maximum is the
same for every submission), so a stuck or killed worker never turns into a "0 / 0" in
grades.csv, the gradebook or the student's page. The local pool, the Dask client, the service
and `autograde` all make their error results here.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from autograder.course.assignments import Assignment
from autograder.course.results import SubmissionResult
from autograder.grading.engine import suite_max_score as collect

WORKER_DIED = ("评分进程在评这份作业时意外退出，单独重试后仍然如此，所以没有评完；"
               "这不一定是你的问题，请告诉老师。")
STUCK = ("评分进程在这份作业上停住了：超过 {seconds:.0f} 秒没有任何进展，单独重试后仍然如此，所以没有评完。"
         "笔记本里可能有评分程序处理不了的内容（例如极多的空行或极长的单元格），请检查后重新提交，或告诉老师。")
KILLED = ("这份作业每次评分都让评分进程意外退出（在 {tries} 个评分进程上试过），所以没有评完；"
          "请让老师查看。")
NO_WORKER = "评分进程在这台机器上无法启动，这份作业没有评；这不是你的问题，请告诉老师。"
INTERNAL = "评分程序内部出错，这不是你的问题；已记录，请联系老师。（{kind}）"


@lru_cache(maxsize=None)
def suite_max_score(assignment_id: str, root: str | None = None) -> float:
    """The assignment's maximum (its suite, collected once per process)."""
    return collect(Assignment.load(assignment_id, Path(root) if root else None))


class ErrorResults:
    """Error results of one assignment, each with its real max_score."""

    def __init__(self, assignment_id: str, root: Path | None = None, max_score: float | None = None):
        self.assignment_id, self.root = assignment_id, root
        self._max_score = max_score

    @property
    def max_score(self) -> float:
        if self._max_score is None:
            self._max_score = suite_max_score(self.assignment_id, str(self.root) if self.root else None)
        return self._max_score

    def __call__(self, path: str, message: str, fingerprint: str | None = None) -> SubmissionResult:
        return SubmissionResult(str(path), self.assignment_id, "error", error=message, max_score=self.max_score,
                                fingerprint=fingerprint)

    def complete(self, result: SubmissionResult) -> SubmissionResult:
        """An error result made elsewhere (a worker, a task) gets the maximum if it lacks it."""
        if result.status == "error" and not result.max_score:
            result.max_score = self.max_score
            result.__dict__.pop("sent_text", None)   # a worker's text (dispatch/worker.py) no longer says this
        return result
