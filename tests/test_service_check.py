"""检查 at the course's service (`POST /api/assignments/<assignment>/checks`), over real HTTP: graded
by the service's workers in their sandbox and answered at once with what the student may see,
recorded nowhere; an hourly limit of its own, apart from submissions'; bad input gets a clear
answer and costs nothing."""
from __future__ import annotations

import json

import pytest

from helpers import make_submission
from servers import ASSIGNMENT, Service, issue_tokens, make_course, request

CUBE = {"f": "def f(x): return x**3"}    # a diagnosed mistake (the cube, not the square)
CONFIG = """
c.GradingService.submissions_per_hour = 2
c.GradingService.max_upload_mb = 0.5
c.GradingService.due_dates = {"ps1_derivatives": "2099-12-31 23:59:00 Asia/Shanghai"}
c.GradingService.visibility = "after_due_date"
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("checks")
    course = make_course(root, ("alice", "bob", "carol"), CONFIG)
    tokens = issue_tokens(course)
    service = Service(course, root / "serve.log", "--workers", "1")
    yield course, service, tokens, root
    service.stop()


def check(service: Service, token: str | None, body: bytes, assignment: str = ASSIGNMENT):
    return request(f"{service.url}api/assignments/{assignment}/checks", token, body, "POST")


def test_a_check_is_graded_and_recorded_nowhere(served):
    course, service, tokens, root = served
    body = make_submission(ASSIGNMENT, root / "alice.ipynb", CUBE, fill=False).read_bytes()
    status, answer, _ = check(service, tokens["alice"], body)
    assert status == 200 and answer["status"] == "graded" and answer["recorded"] is False, answer
    assert answer["max_score"] == 12 and answer["score"] == 0 and "自动评分得分" in answer["feedback_html"]
    lines = {line["function"]: line for line in answer["summary"]}
    assert list(lines) == ["f", "f_prime", "numerical_derivative", "central_difference", "numerical_gradient"]
    # Before the due date (after_due_date), the messages are not shown: not in the causes either.
    assert answer["messages_shown"] is False
    assert "立方" not in json.dumps(answer, ensure_ascii=False), "a diagnosis shown before the due date"
    assert "截止日期后显示" in lines["f"]["cause"], lines["f"]
    # Nothing kept: no submission, no gradebook entry, no queue row, no file.
    assert not (course / "submitted" / "alice").exists()
    assert request(f"{service.url}api/submissions", tokens["alice"])[1]["submissions"] == []
    assert not list((course / ".autograder" / "service" / "checks").glob("*/*"))
    from nbgrader.api import Gradebook, MissingEntry
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        with pytest.raises(MissingEntry):
            gb.find_submission(ASSIGNMENT, "alice")


def test_checks_have_an_hourly_limit_of_their_own(served):
    course, service, tokens, root = served
    body = make_submission(ASSIGNMENT, root / "bob.ipynb", CUBE, fill=False).read_bytes()
    for _ in range(2):
        assert check(service, tokens["bob"], body)[0] == 200
    status, answer, headers = check(service, tokens["bob"], body)
    assert status == 429 and "检查" in answer["error"] and int(headers["Retry-After"]) > 3000, answer
    # Submitting is another budget: still open.
    status, queued, _ = request(f"{service.url}api/assignments/{ASSIGNMENT}/submissions", tokens["bob"], body, "POST")
    assert status == 202, queued


def test_bad_input_to_a_check_gets_a_clear_answer_and_costs_nothing(served):
    course, service, tokens, root = served
    carol = tokens["carol"]
    status, answer, headers = check(service, None, b"{}")
    assert status == 401 and "令牌" in answer["error"]
    status, answer, _ = check(service, carol, b"{}", "ps9_unknown")
    assert status == 404 and ASSIGNMENT in answer["assignments"], answer
    status, answer, _ = check(service, carol, b"this is not a notebook")
    assert status == 400 and "不是可以评分的 Jupyter 笔记本" in answer["error"], answer
    status, answer, _ = check(service, carol, b" " * (2 * 2**20))
    assert status == 413 and "清除输出" in answer["error"], answer
    # None of these counted: carol still has her two checks.
    body = make_submission(ASSIGNMENT, root / "carol.ipynb", CUBE, fill=False).read_bytes()
    assert [check(service, carol, body)[0] for _ in range(3)] == [200, 200, 429]
    assert not list((course / ".autograder" / "service" / "checks").glob("*/*"))
