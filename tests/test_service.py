"""`autograder serve`, over real HTTP: identity, grading into nbgrader's course layout and
gradebook, bad input, limits, lateness and visibility, and a restart in the middle of a queue.
Every server is started here and stopped here."""
from __future__ import annotations

import datetime as dt
import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from helpers import make_submission
from servers import ASSIGNMENT, BIN, Service, env, issue_tokens, make_course, request

WRONG_GRADIENT = ("import numpy as np\ndef numerical_gradient(f, x, h=1e-5):\n"
                  "    return np.zeros(len(x))\n")
STUDENTS = ("alice", "bob", "carol", "dave")


def submit(service: Service, token: str | None, body: bytes, assignment: str = ASSIGNMENT,
           filename: str = "") -> tuple[int, dict, object]:
    query = f"?filename={quote(filename)}" if filename else ""
    return request(f"{service.url}api/assignments/{assignment}/submissions{query}", token, body, "POST")


def wait_done(service: Service, token: str, submission_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, data, _ = request(f"{service.url}api/submissions/{submission_id}?wait=20", token)
        assert status == 200, data
        if data["state"] == "done":
            return data
    raise AssertionError(f"{submission_id} not graded in {timeout}s: {data}")


def notebook(tmp: Path, name: str, wrong: bool = False, assignment: str = ASSIGNMENT) -> bytes:
    replace = {"numerical_gradient": WRONG_GRADIENT} if wrong else {}
    return make_submission(assignment, tmp / name, replace).read_bytes()


def gradebook(course: Path):
    from nbgrader.api import Gradebook
    return Gradebook(f"sqlite:///{course / 'gradebook.db'}")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    course = make_course(root, STUDENTS, "c.GradingService.submissions_per_hour = 3\n")
    tokens = issue_tokens(course)
    service = Service(course, root / "serve.log", "--workers", "1")
    yield course, service, tokens, root
    service.stop()


@pytest.fixture(scope="module")
def graded(served):
    """alice hands in a correct notebook under another name, bob a wrong one."""
    course, service, tokens, root = served
    status, alice, _ = submit(service, tokens["alice"], notebook(root, "a.ipynb"), filename="作业一 (1).ipynb")
    assert status == 202, alice
    assert alice["state"] in ("queued", "grading") and alice["student"] == "alice"
    status, bob, _ = submit(service, tokens["bob"], notebook(root, "b.ipynb", wrong=True))
    assert status == 202, bob
    return wait_done(service, tokens["alice"], alice["id"]), wait_done(service, tokens["bob"], bob["id"])


def test_a_request_without_a_valid_identity_is_refused(served):
    course, service, tokens, root = served
    body = notebook(root, "x.ipynb")
    for token in (None, "agt_not-a-token", tokens["alice"][:-1]):
        status, data, headers = submit(service, token, body)
        assert status == 401 and "令牌" in data["error"] and "Bearer" in headers.get("WWW-Authenticate", "")
        assert request(f"{service.url}api/me", token)[0] == 401
    assert request(f"{service.url}api/health")[0] == 200
    status, me, _ = request(f"{service.url}api/me", tokens["carol"])
    assert status == 200 and me["student"] == "carol" and me["limits"]["max_upload_mb"] == 5
    stored = json.loads((course / ".autograder" / "tokens.json").read_text())
    assert tokens["alice"] not in json.dumps(stored), "only hashes are kept"


def test_graded_and_stored_the_nbgrader_way(served, graded):
    course, service, tokens, root = served
    alice, bob = graded
    assert alice["status"] == "graded" and alice["score"] == alice["max_score"] > 0
    assert bob["status"] == "graded" and bob["score"] < bob["max_score"]
    lost = [line["function"] for line in bob["summary"] if line["score"] < line["max_score"]]
    assert lost == ["numerical_gradient"]
    for student, result in (("alice", alice), ("bob", bob)):
        folder = course / "submitted" / student / ASSIGNMENT
        assert sorted(p.name for p in folder.iterdir()) == [f"{ASSIGNMENT}.ipynb", "timestamp.txt"]
        stamp = (folder / "timestamp.txt").read_text().strip()
        assert stamp == result["received"]
        # the page the student got is the page the course keeps, the one `autograde` writes
        page = (course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
        assert result["feedback_html"] == page
        # beside it, what `nbgrader release_feedback` reads (as `autograde` leaves it)
        assert (course / "feedback" / student / ASSIGNMENT / "timestamp.txt").read_text().strip() == stamp
        results = json.loads((course / "autograded" / student / ASSIGNMENT / "results.json").read_text())
        assert results["score"] == result["score"]
    assert "numerical_gradient" in bob["feedback_html"] and "✗" in bob["feedback_html"]
    with gradebook(course) as gb:
        for student, result in (("alice", alice), ("bob", bob)):
            submission = gb.find_submission(ASSIGNMENT, student)
            assert submission.code_score == pytest.approx(result["score"])
            assert submission.timestamp is not None and submission.total_seconds_late == 0
    assert "alice,ps1_derivatives,graded" in (course / "grades.csv").read_text()


def test_autograde_afterwards_keeps_what_the_service_graded(served, graded):
    course, service, tokens, root = served
    done = subprocess.run([str(BIN / "autograder"), "autograde", ASSIGNMENT, "--course", str(course),
                           "--no-progress", "--workers", "1"], capture_output=True, text=True, env=env(), timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "0 graded" in done.stdout and "2 unchanged" in done.stdout, done.stdout


def test_a_student_sees_only_their_own(served, graded):
    course, service, tokens, root = served
    alice, bob = graded
    status, data, _ = request(f"{service.url}api/submissions/{alice['id']}", tokens["bob"])
    assert status == 404 and "feedback_html" not in data
    assert request(f"{service.url}api/submissions/{alice['id']}/feedback", tokens["bob"])[0] == 404
    status, page, _ = request(f"{service.url}api/submissions/{alice['id']}/feedback", tokens["alice"])
    assert status == 200 and page["text"] == alice["feedback_html"]
    status, mine, _ = request(f"{service.url}api/submissions", tokens["bob"])
    assert status == 200 and [s["id"] for s in mine["submissions"]] == [bob["id"]]
    assert alice["filename"] == "作业一 (1).ipynb"   # what she called it; stored under the assignment's name


def test_bad_input_gets_a_clear_answer_and_loses_nothing(served, graded):
    course, service, tokens, root = served
    token = tokens["dave"]
    before = sorted(p.name for p in (course / ".autograder" / "service" / "uploads").iterdir())
    big = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
                      "padding": "x" * (6 * 2**20)}).encode()
    cases = [
        (big, ASSIGNMENT, 413, "文件太大"),
        (b"x" * (40 * 2**20), ASSIGNMENT, 413, "文件太大"),
        (b"print('hello')\n", ASSIGNMENT, 400, "不是可以评分的 Jupyter 笔记本"),
        (json.dumps({"hello": 1}).encode(), ASSIGNMENT, 400, "不是可以评分的 Jupyter 笔记本"),
        (b"", ASSIGNMENT, 400, "不是可以评分的 Jupyter 笔记本"),
        (notebook(root, "d.ipynb"), "ps9_unknown", 404, "没有这次作业"),
    ]
    for body, assignment, code, says in cases:
        status, data, _ = submit(service, token, body, assignment)
        assert status == code and says in data["error"], (code, data)
    after = sorted(p.name for p in (course / ".autograder" / "service" / "uploads").iterdir())
    assert after == before, "nothing kept of what was refused"
    status, mine, _ = request(f"{service.url}api/submissions", token)
    assert mine["submissions"] == []
    # and the service still grades
    status, data, _ = submit(service, token, notebook(root, "d.ipynb"))
    assert status == 202
    assert wait_done(service, token, data["id"])["score"] > 0


def test_submissions_per_hour(served):
    course, service, tokens, root = served
    body = notebook(root, "c.ipynb", wrong=True)
    for _ in range(3):
        status, data, _ = submit(service, tokens["carol"], body)
        assert status == 202, data
    status, data, headers = submit(service, tokens["carol"], body)
    assert status == 429 and "每小时最多提交 3 次" in data["error"]
    assert 0 < int(headers["Retry-After"]) <= 3600
    assert submit(service, tokens["carol"], b"{}", "ps9_unknown")[0] == 404   # said before the limit
    status, mine, _ = request(f"{service.url}api/submissions", tokens["carol"])
    ids = [s["id"] for s in mine["submissions"]]
    assert len(ids) == 3
    last = wait_done(service, tokens["carol"], ids[-1])
    assert last["status"] == "graded"


def test_late_submissions_and_what_a_student_sees_before_the_due_date(tmp_path):
    """ps1 is due next week, ps2 was due yesterday; visibility after_due_date, nbgrader's 'zero' penalty."""
    now = dt.datetime.now(dt.timezone.utc)
    next_week, yesterday = (f"{now + dt.timedelta(days=d):%Y-%m-%d %H:%M:%S} UTC" for d in (7, -1))
    config = (f"c.GradingService.due_dates = {{'ps1_derivatives': '{next_week}',\n"
              f"    'ps2_gradient_descent': '{yesterday}'}}\n"
              "c.GradingService.visibility = 'after_due_date'\n"
              "c.LateSubmissionPlugin.penalty_method = 'zero'\n")
    course = make_course(tmp_path, ("alice",), config)
    token = issue_tokens(course)["alice"]
    service = Service(course, tmp_path / "serve.log", "--workers", "1")
    try:
        status, early, _ = submit(service, token, notebook(tmp_path, "a.ipynb", wrong=True))
        assert status == 202 and early["late"] is False
        status, late, _ = submit(service, token, notebook(tmp_path, "b.ipynb", assignment="ps2_gradient_descent"),
                                 "ps2_gradient_descent")
        assert status == 202 and late["late"] is True and late["seconds_late"] > 80000
        early, late = wait_done(service, token, early["id"]), wait_done(service, token, late["id"])
    finally:
        service.stop()
    # before the due date: the score, not the messages
    assert early["messages_shown"] is False and 0 < early["score"] < early["max_score"]
    kept = (course / "feedback" / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
    result = json.loads((course / "autograded" / "alice" / ASSIGNMENT / "results.json").read_text())
    messages = [t["output"].splitlines()[0] for t in result["tests"] if t["status"] == "failed" and t["output"]]
    assert messages and all(m[:30] in kept for m in messages), "the instructor's page keeps every message"
    assert not any(m[:30] in early["feedback_html"] for m in messages)
    assert "详细信息在截止日期后显示" in early["feedback_html"]
    # after it: everything, and nbgrader marks it late and applies the course's penalty
    assert late["messages_shown"] is True and late["late"] is True
    with gradebook(course) as gb:
        submission = gb.find_submission("ps2_gradient_descent", "alice")
        assert submission.total_seconds_late > 80000
        assert submission.code_score > 0
        assert submission.late_submission_penalty == pytest.approx(submission.code_score)   # 'zero': all of it
        assert gb.find_submission(ASSIGNMENT, "alice").total_seconds_late == 0


def test_a_restart_in_the_middle_of_the_queue_loses_nothing(tmp_path):
    students = [f"s{i}" for i in range(6)]
    course = make_course(tmp_path, students)
    tokens = issue_tokens(course)
    service = Service(course, tmp_path / "first.log", "--workers", "1")
    accepted = {}
    for i, student in enumerate(students):
        status, data, _ = submit(service, tokens[student], notebook(tmp_path, f"{student}.ipynb", wrong=bool(i % 2)))
        assert status == 202
        accepted[student] = data["id"]
    service.stop(signal.SIGKILL)       # the service and its worker die at once
    with sqlite3.connect(course / ".autograder" / "service" / "queue.sqlite") as db:
        states = dict(db.execute("SELECT id, state FROM submissions").fetchall())
    assert set(states) == set(accepted.values())
    assert any(state != "done" for state in states.values()), f"stopped too late to test anything: {states}"

    service = Service(course, tmp_path / "second.log", "--workers", "1")
    try:
        results = {student: wait_done(service, tokens[student], accepted[student]) for student in students}
    finally:
        service.stop()
    with gradebook(course) as gb:
        for i, student in enumerate(students):
            result = results[student]
            assert result["status"] == "graded"
            assert (result["score"] == result["max_score"]) == (i % 2 == 0), (student, result["score"])
            assert gb.find_submission(ASSIGNMENT, student).code_score == pytest.approx(result["score"])
            assert (course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()


def test_student_view_follows_gradescope_visibility():
    from autograder.course.results import Outcome, SubmissionResult, TestResult
    from autograder.service.server import student_view

    tests = [TestResult("f", "值", 1.0, 1.0, Outcome.PASSED),
             TestResult("g", "导数", 0.0, 2.0, Outcome.FAILED, "g(2) 的结果不对"),
             TestResult("g", "数组", 1.0, 1.0, Outcome.PASSED),
             TestResult("h", "秘密", 0.0, 1.0, Outcome.FAILED, "h 不对", visibility="hidden")]
    result = SubmissionResult("x.ipynb", ASSIGNMENT, "graded", tests, max_score=5.0)
    past = dt.datetime(2000, 1, 1)
    future = dt.datetime(2999, 1, 1)
    visible = student_view(result, "visible", None)
    assert [t.output for t in visible.tests if t.grade_id == "g"] == ["g(2) 的结果不对", ""]
    assert [t.output for t in visible.tests if t.grade_id == "h"] == [""], "a hidden test stays hidden"
    for visibility, due in (("after_due_date", future), ("after_due_date", None), ("hidden", past)):
        shown = student_view(result, visibility, due)
        assert shown.score == result.score and shown.max_score == 5.0
        assert all(not t.output for t in shown.tests)
        assert [(t.grade_id, t.score, t.max_score) for t in shown.tests] == [("f", 1, 1), ("g", 1, 3), ("h", 0, 1)]
    after = student_view(result, "after_due_date", past)
    assert "g(2) 的结果不对" in [t.output for t in after.tests]


HUB_CONFIG = '''
import sys
from jupyterhub.proxy import Proxy


class NoProxy(Proxy):
    """The test talks to the hub and the service directly: no proxy routes to keep."""
    should_start = False

    async def start(self):
        pass

    async def stop(self):
        pass

    async def add_route(self, routespec, target, data):
        pass

    async def delete_route(self, routespec):
        pass

    async def get_all_routes(self):
        return {{}}


c.JupyterHub.proxy_class = NoProxy
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.JupyterHub.db_url = "sqlite:///{home}/hub.sqlite"
c.JupyterHub.cookie_secret_file = "{home}/cookie_secret"
c.JupyterHub.pid_file = "{home}/hub.pid"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = {{"alice", "bob", "eve"}}
c.JupyterHub.services = [
    {{"name": "autograder", "url": "http://127.0.0.1:{service_port}",
     "command": ["{bin}/autograder", "serve", "--course", "{course}", "--workers", "1"]}},
    {{"name": "teacher", "api_token": "{admin_token}"}},
]
c.JupyterHub.load_roles = [
    {{"name": "students", "users": ["alice", "bob"], "scopes": ["self", "access:services!service=autograder"]}},
    {{"name": "teacher", "services": ["teacher"], "scopes": ["admin:users", "tokens"]}},
]
'''


def test_behind_jupyterhub_the_hub_says_who_the_student_is(tmp_path):
    """A real JupyterHub starts `autograder serve` as its service; students are who the hub says."""
    from servers import Process, free_port

    course = make_course(tmp_path, ())
    hub_port, service_port, admin = free_port(), free_port(), "teacher-" + "0" * 32
    config = tmp_path / "jupyterhub_config.py"
    config.write_text(HUB_CONFIG.format(hub_port=hub_port, service_port=service_port, home=tmp_path, bin=BIN,
                                        course=course, admin_token=admin))
    hub = Process([str(BIN / "jupyterhub"), "-f", str(config)], tmp_path / "hub.log", env=env(), cwd=tmp_path)
    api = f"http://127.0.0.1:{hub_port}/hub/api/"
    base = f"http://127.0.0.1:{service_port}/services/autograder/"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if request(f"{base}api/health", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            assert hub.process.poll() is None, (tmp_path / "hub.log").read_text()[-3000:]
            time.sleep(0.5)
        else:
            raise AssertionError((tmp_path / "hub.log").read_text()[-3000:])

        def hub_token(user: str, scopes: list[str] | None = None) -> str:
            body = json.dumps({"note": "test", **({"scopes": scopes} if scopes else {})}).encode()
            status, data, _ = request(f"{api}users/{user}/tokens", admin, body, "POST")
            assert status == 201, data
            return data["token"]

        alice, bob, eve = hub_token("alice"), hub_token("bob"), hub_token("eve")
        narrow = hub_token("alice", ["read:users:name!user=alice"])
        service = Service.__new__(Service)
        service.url = base
        status, me, _ = request(f"{base}api/me", alice)
        assert status == 200 and me["student"] == "alice"
        for token in (eve, narrow, "not-a-hub-token"):    # no access to this service, or no one at all
            assert request(f"{base}api/me", token)[0] == 401
        status, data, _ = submit(service, alice, notebook(tmp_path, "a.ipynb"))
        assert status == 202 and data["student"] == "alice"
        result = wait_done(service, alice, data["id"])
        assert result["score"] == result["max_score"] > 0
        assert request(f"{base}api/submissions/{data['id']}", bob)[0] == 404
        with gradebook(course) as gb:     # a hub user unknown to the gradebook becomes its student
            assert gb.find_submission(ASSIGNMENT, "alice").code_score == pytest.approx(result["score"])

        # bob's own Jupyter server, as the hub spawns it: its JUPYTERHUB_API_TOKEN (with the scopes of
        # c.Spawner.server_token_scopes) is what the lab's server extension sends to the service
        from servers import Lab
        work = tmp_path / "bob-home"
        work.mkdir()
        make_submission(ASSIGNMENT, work / "renamed.ipynb", {"numerical_gradient": WRONG_GRADIENT})
        server_token = hub_token("bob", ["access:services!service=autograder", "users:activity!user=bob"])
        lab = Lab(work, tmp_path / "lab.log", JUPYTERHUB_API_TOKEN=server_token, AUTOGRADER_SERVICE_URL=base)
        try:
            def lab_api(path: str, body: dict | None = None) -> tuple[int, dict]:
                data = json.dumps(body).encode() if body is not None else None
                status, answer, _ = request(f"{lab.url}autograder/{path}", lab.token, data,
                                            "POST" if body is not None else "GET")
                return status, answer

            assert lab_api("config") == (200, {"mode": "service", "service": base})
            status, sent = lab_api("submit", {"path": "renamed.ipynb"})
            assert status == 202 and sent["student"] == "bob" and sent["assignment"] == ASSIGNMENT, sent
            while sent["state"] != "done":
                status, sent = lab_api(f"submissions/{sent['id']}")
                assert status == 200, sent
            assert 0 < sent["score"] < sent["max_score"] and "feedback_html" in sent
            assert lab_api("submit", {"path": "../../etc/passwd"})[0] == 404
        finally:
            lab.stop()
    finally:
        hub.stop()


def test_on_a_dask_cluster(tmp_path):
    """--scheduler: the service grades on a Dask cluster (a `dask scheduler` and a `dask worker`
    process) through the same task `autograde --scheduler` runs."""
    from servers import Process, free_port

    course = make_course(tmp_path, ("alice", "bob"))
    tokens = issue_tokens(course)
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = Process([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                         "--no-dashboard"], tmp_path / "scheduler.log", env=env())
    worker = Process([str(BIN / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1",
                      "--no-dashboard", "--local-directory", str(tmp_path / "dask")],
                     tmp_path / "worker.log", env=env())
    service = None
    try:
        service = Service(course, tmp_path / "serve.log", "--scheduler", address)
        status, health, _ = request(f"{service.url}api/health")
        assert "Dask" in health["backend"], health
        ids = {}
        for student, wrong in (("alice", False), ("bob", True)):
            status, data, _ = submit(service, tokens[student], notebook(tmp_path, f"{student}.ipynb", wrong))
            assert status == 202, data
            ids[student] = data["id"]
        alice, bob = (wait_done(service, tokens[s], ids[s]) for s in ("alice", "bob"))
    finally:
        for process in (service, worker, scheduler):
            if process is not None:
                process.stop()
    assert alice["status"] == bob["status"] == "graded"
    assert alice["score"] == alice["max_score"] > bob["score"]
    with gradebook(course) as gb:
        assert gb.find_submission(ASSIGNMENT, "bob").code_score == pytest.approx(bob["score"])


def test_tokens_are_issued_renewed_and_revoked(tmp_path):
    import asyncio

    from autograder.service.identity import TokenIdentity

    course = make_course(tmp_path, ("alice", "bob"))
    first = issue_tokens(course)
    assert set(first) == {"alice", "bob"} and first["alice"] != first["bob"]
    assert issue_tokens(course) == {}, "existing tokens are kept (and never shown again)"
    identity = TokenIdentity(course)
    who = lambda token: asyncio.run(identity.student(f"Bearer {token}"))  # noqa: E731
    assert who(first["alice"]) == "alice" and who(first["bob"]) == "bob"

    def tokens(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "autograder"), "tokens", "--course", str(course), *args],
                              capture_output=True, text=True, env=env(), timeout=120)

    renewed = tokens("--student", "alice", "--renew")
    assert renewed.returncode == 0, renewed.stderr
    new = dict(line.split(",") for line in renewed.stdout.splitlines()[1:])
    assert set(new) == {"alice"} and who(new["alice"]) == "alice" and who(first["alice"]) is None
    assert tokens("--revoke", "bob").returncode == 0 and who(first["bob"]) is None
    unknown = tokens("--student", "mallory")
    assert unknown.returncode == 2 and "mallory" in unknown.stderr and len(unknown.stderr.strip().splitlines()) == 1
    (course / "gradebook.db").unlink()
    assert tokens().returncode == 2
