"""A result is serialised once per process boundary (autograder/dispatch/worker.py): the worker sends
results.json's own text, the parent parses it once and writes those bytes as results.json
(autograder/records/pipeline.py), never serialising the result again unless it changed it. And the
"after grading" steps keep their all-or-nothing rule. Real worker processes and sandboxes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import make_submission
from nbgrader.coursedir import CourseDirectory

from autograder.course.assignments import Assignment
from autograder.course.results import SubmissionResult, as_text
from autograder.dispatch.parallel import WorkerPool
from autograder.dispatch.worker import Frames, sent_text
from autograder.grading.failures import ErrorResults
from autograder.records import pipeline
from autograder.sandbox.settings import SandboxSettings

ASSIGNMENT = "ps1_derivatives"
WRONG = {"central_difference": "def central_difference(f, x, h=1e-5):\n    return (f(x + h) - f(x)) / h\n"}


@pytest.fixture
def to_json_calls(monkeypatch) -> list:
    """Every SubmissionResult.to_json made in this process (the original still runs)."""
    calls, original = [], SubmissionResult.to_json

    def counted(self):
        calls.append(self.submission)
        return original(self)

    monkeypatch.setattr(SubmissionResult, "to_json", counted)
    return calls


def recording(tmp_path: Path, result: SubmissionResult, text: str | None) -> pipeline.Recording:
    coursedir = CourseDirectory()
    coursedir.root = str(tmp_path / "course")
    return pipeline.Recording(coursedir, Assignment.load(ASSIGNMENT), "alice", result, Path(result.submission),
                              fingerprint="fp-alice", results_text=text)


def test_the_workers_text_is_written_as_results_json_without_serialising_again(tmp_path, to_json_calls):
    notebooks = [str(make_submission(ASSIGNMENT, tmp_path / f"{name}.ipynb", replace))
                 for name, replace in (("right", {}), ("wrong", WRONG))]
    settings = SandboxSettings(submission_timeout=120, hints="formula")
    pool = WorkerPool(ASSIGNMENT, settings, 1)
    try:
        results = pool.grade(notebooks, fingerprints={notebooks[1]: "fp-wrong"})
    finally:
        pool.close()
    assert to_json_calls == [], "the parent serialised a result the worker had sent"
    assert [r.score == r.max_score for r in results] == [True, False]
    for result in results:
        text = sent_text(result)
        assert text is not None and text == as_text(result)   # the very bytes re-serialising would give
    to_json_calls.clear()   # (as_text just above was this test's own)
    wrong = results[1]
    assert wrong.fingerprint == "fp-wrong" and wrong.hints == "formula"

    done = pipeline.run([pipeline.stage_results, pipeline.publish], recording(tmp_path, wrong, sent_text(wrong)))
    written = done.path("autograded", "results.json")
    assert to_json_calls == []
    assert written.read_text(encoding="utf-8") == sent_text(wrong)
    data = json.loads(written.read_text(encoding="utf-8"))
    assert (data["fingerprint"], data["hints"], data["score"]) == ("fp-wrong", "formula", wrong.score)
    assert written.with_name(".recorded").read_text() == "fp-alice"


def test_a_result_changed_after_it_arrived_is_serialised_from_what_it_is_now(tmp_path):
    errors = ErrorResults(ASSIGNMENT, max_score=12.0)
    sent = SubmissionResult(str(tmp_path / "x.ipynb"), ASSIGNMENT, "error", error="没有评完", max_score=0.0)
    text = as_text(sent)
    result = SubmissionResult.from_json(json.loads(text))
    result.sent_text = text   # as read_result leaves it
    errors.complete(result)   # the parent sets the suite's max_score
    assert sent_text(result) is None
    done = pipeline.run([pipeline.stage_results, pipeline.publish], recording(tmp_path, result, sent_text(result)))
    assert json.loads(done.path("autograded", "results.json").read_text())["max_score"] == 12.0


def test_frames_decode_results_however_the_pipe_cuts_them():
    text = as_text(SubmissionResult("学生.ipynb", ASSIGNMENT, "error", error="评分：中文\n第二行", max_score=12.0))
    body = text.encode()
    stream = (b'{"ready": 3}\n{"start": "t"}\n' + json.dumps({"result": len(body)}).encode() + b"\n" + body
              + b'{"done": "t"}\n')
    expected = [{"ready": 3}, {"start": "t"}, {"result": text}, {"done": "t"}]
    assert Frames().feed(stream) == expected
    frames, got = Frames(), []
    for i in range(len(stream)):   # one byte at a time: a line or a UTF-8 character split anywhere
        got += frames.feed(stream[i:i + 1])
    assert got == expected


def test_a_step_failing_before_the_gradebook_leaves_nothing_and_after_it_keeps_what_was_published(tmp_path):
    result = SubmissionResult(str(tmp_path / "x.ipynb"), ASSIGNMENT, "error", error="e", max_score=12.0)

    def fails(recording):
        raise RuntimeError("no")

    marked = pipeline.point_of_no_return(lambda recording: None)
    before = recording(tmp_path, result, None)
    with pytest.raises(RuntimeError):
        pipeline.run([pipeline.stage_results, fails, marked, pipeline.publish], before)
    folder = before.path("autograded", "")
    assert list(folder.iterdir()) == [], "a staged file was left behind"

    after = recording(tmp_path, result, None)
    with pytest.raises(RuntimeError):
        pipeline.run([pipeline.stage_results, marked, pipeline.publish, fails], after)
    assert sorted(p.name for p in folder.iterdir()) == [".recorded", "results.json"]
