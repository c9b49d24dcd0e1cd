"""Uploads to `autograder serve`, over real HTTP: a refused upload costs nothing on disk, a
student's uploads in flight are bounded, refused uploads count against a limit of their own, and
every malformed query parameter gets a 400 with a sentence."""
from __future__ import annotations

import http.client
import json
import time
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest

from helpers import make_submission
from servers import ASSIGNMENT, Service, issue_tokens, make_course, request

STUDENTS = ("alice", "bob", "carol", "dave", "erin", "frank")
CONFIG = ("c.GradingService.submissions_per_hour = 0\n"
          "c.GradingService.rejections_per_hour = 3\n"
          "c.GradingService.uploads_in_flight = 2\n")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("uploads")
    course = make_course(root, STUDENTS, CONFIG)
    tokens = issue_tokens(course)
    service = Service(course, root / "serve.log", "--workers", "1")
    body = make_submission(ASSIGNMENT, root / "right.ipynb").read_bytes()
    yield course, service, tokens, body
    service.stop()


def submit(service: Service, token: str, body: bytes, query: str = "") -> tuple[int, dict]:
    status, data, _ = request(f"{service.url}api/assignments/{ASSIGNMENT}/submissions{query}", token, body, "POST")
    return status, data


class SlowUpload:
    """An upload whose body is sent piece by piece, the answer read when asked."""

    def __init__(self, service: Service, token: str, length: int):
        url = urlparse(service.url)
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        self.connection.putrequest("POST", f"/api/assignments/{ASSIGNMENT}/submissions")
        self.connection.putheader("Authorization", f"Bearer {token}")
        self.connection.putheader("Content-Length", str(length))
        self.connection.endheaders()

    def send(self, data: bytes) -> None:
        self.connection.send(data)

    def answer(self) -> tuple[int, dict]:
        response = self.connection.getresponse()
        status, data = response.status, json.loads(response.read() or b"{}")
        self.connection.close()
        return status, data


def state_files(course: Path) -> list[Path]:
    home = course / ".autograder" / "service"
    return sorted(p for d in ("uploads", "incoming") for p in (home / d).iterdir())


def settle(predicate, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_a_refused_upload_costs_nothing_on_disk_and_an_accepted_one_streams_to_a_private_file(served):
    course, service, tokens, body = served
    incoming = course / ".autograder" / "service" / "incoming"
    before = state_files(course)
    # Declared too large: refused before a byte of it is written.
    big = SlowUpload(service, tokens["alice"], 6 * 2**20)
    big.send(b"{" + b" " * 2**20)
    time.sleep(0.5)
    assert state_files(course) == before, "nothing written for an upload declared too large"
    big.send(b" " * (5 * 2**20 - 2) + b"}")
    status, data = big.answer()
    assert status == 413 and "文件太大" in data["error"]
    # Not a notebook, not declared too large: streamed to a private file, gone once refused.
    for bad in (b"{ not json", b'{"cells": 3}', b"x" * 1000):
        upload = SlowUpload(service, tokens["bob"], len(bad))
        upload.send(bad[:-1])
        settle(lambda: len(list(incoming.iterdir())) == 1)
        (part,) = incoming.iterdir()
        assert part.stat().st_mode & 0o777 == 0o600
        upload.send(bad[-1:])
        status, data = upload.answer()
        assert status == 400 and "不是可以评分的 Jupyter 笔记本" in data["error"], data
        assert state_files(course) == before, "nothing kept of a refused upload"
    # Accepted: kept under uploads/, nothing left in incoming/.
    status, data = submit(service, tokens["carol"], body)
    assert status == 202, data
    after = state_files(course)
    assert [p.name for p in after if p not in before] == [f"{data['id']}.ipynb"]
    assert (course / ".autograder" / "service" / "uploads" / f"{data['id']}.ipynb").read_bytes() == body


def test_a_students_uploads_in_flight_are_bounded(served):
    course, service, tokens, body = served
    first, second = SlowUpload(service, tokens["dave"], len(body)), SlowUpload(service, tokens["dave"], len(body))
    for upload in (first, second):
        upload.send(body[:100])
    time.sleep(0.3)
    status, data = submit(service, tokens["dave"], body)
    assert status == 429 and "2 个上传正在进行" in data["error"], data
    status, data = submit(service, tokens["erin"], body)   # someone else is not held back
    assert status == 202, data
    for upload in (first, second):
        upload.send(body[100:])
        assert upload.answer()[0] == 202
    status, data = submit(service, tokens["dave"], body)   # once they are in, dave may upload again
    assert status == 202, data


def test_refused_uploads_count_against_a_limit_of_their_own(served):
    course, service, tokens, body = served
    refused = [submit(service, tokens["frank"], b"not a notebook")[0],
               submit(service, tokens["frank"], body, "?filename=" + quote("a\x00b"))[0],
               request(f"{service.url}api/assignments/ps9_unknown/submissions", tokens["frank"], body, "POST")[0]]
    assert refused == [400, 400, 404]
    status, data = submit(service, tokens["frank"], body)   # even a good notebook, for the hour
    assert status == 429 and "被拒绝的上传已有 3 次" in data["error"], data
    status, mine, _ = request(f"{service.url}api/submissions", tokens["frank"])
    assert mine["submissions"] == [], "nothing of frank's was kept"
    assert submit(service, tokens["alice"], body)[0] == 202, "another student is not affected"


@pytest.mark.parametrize("query, says", [
    ("?wait=abc", "参数 wait"), ("?wait=-1", "参数 wait"), ("?wait=1e9", "参数 wait"), ("?wait=nan", "参数 wait"),
    ("?wait=inf", "参数 wait"), ("?wait=1&wait=2", "只能给一次"), ("?wait=61", "参数 wait"),
])
def test_a_malformed_wait_is_a_400_with_a_sentence(served, query, says):
    course, service, tokens, body = served
    status, data = submit(service, tokens["erin"], body)
    assert status == 202
    status, answer, _ = request(f"{service.url}api/submissions/{data['id']}{query}", tokens["erin"])
    assert status == 400 and says in answer["error"] and answer["error"].endswith("。"), answer
    assert request(f"{service.url}api/submissions/{data['id']}?wait=0.5", tokens["erin"])[0] == 200


@pytest.mark.parametrize("path, says", [
    ("api/submissions?assignment=../../etc", "参数 assignment"),
    ("api/submissions?assignment=a&assignment=b", "只能给一次"),
])
def test_other_malformed_parameters_are_400s_with_a_sentence(served, path, says):
    course, service, tokens, body = served
    status, answer, _ = request(f"{service.url}{path}", tokens["erin"])
    assert status == 400 and says in answer["error"], answer


def test_a_malformed_filename_is_a_400(served):
    course, service, tokens, body = served
    for name in ("x" * 300, "a\nb.ipynb", "a\u202eb.ipynb"):
        status, data = submit(service, tokens["carol"], body, "?filename=" + quote(name))
        assert status == 400 and "参数 filename" in data["error"], data
