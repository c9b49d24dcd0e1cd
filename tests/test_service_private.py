"""The service's state is private (autograder/service/private.py): its queue, uploads, pages,
the tokens' hashes and what it writes into the course are 0700 directories and 0600 files, created
so; another local account (`nobody`) can read none of it, although it can enter the course. Tokens
can expire, and `tokens --output` creates its file 0600 from the start."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from helpers import make_submission
from servers import ASSIGNMENT, BIN, Service, env, issue_tokens, make_course, request

NOBODY = 65534
STATE = (".autograder", "gradebook.db", "grades.csv", "submitted", "autograded", "feedback")


def as_nobody(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--", *command],
                          capture_output=True, text=True, timeout=60)


def tokens_command(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "autograder"), "tokens", "--course", str(course), *args],
                          capture_output=True, text=True, env=env(), timeout=120)


@pytest.fixture(scope="module")
def hub_machine():
    """A course where other accounts can reach it, as on a shared hub machine (the parents are
    0755), made with the usual umask 022: nbgrader's gradebook.db is 0644 before the service."""
    base = Path(tempfile.mkdtemp(prefix="autograder-private-", dir="/tmp"))
    base.chmod(0o755)
    old = os.umask(0o022)
    try:
        course = make_course(base, ("alice", "bob", "carol"))
    finally:
        os.umask(old)
    tokens = issue_tokens(course)
    assert stat.S_IMODE((course / "gradebook.db").stat().st_mode) == 0o644
    service = Service(course, base / "serve.log", "--workers", "1")
    try:
        body = make_submission(ASSIGNMENT, base / "nb" / "alice.ipynb").read_bytes()
        status, data, _ = request(f"{service.url}api/assignments/{ASSIGNMENT}/submissions", tokens["alice"], body,
                                  "POST")
        assert status == 202, data
        while data["state"] != "done":
            status, data, _ = request(f"{service.url}api/submissions/{data['id']}?wait=20", tokens["alice"])
        assert data["status"] == "graded"
        deadline = time.monotonic() + 60   # grades.csv is written after the feedback is out
        while not (course / "grades.csv").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        yield course, service, tokens
    finally:
        service.stop()
        shutil.rmtree(base, ignore_errors=True)


def state_paths(course: Path) -> list[Path]:
    found = []
    for name in STATE:
        top = course / name
        found += [top] + (sorted(top.rglob("*")) if top.is_dir() else [])
    return [p for p in found if p.exists()]


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root and setpriv for `nobody`")
def test_every_file_of_the_service_is_private_and_nobody_reads_any(hub_machine):
    course, service, tokens = hub_machine
    paths = state_paths(course)
    names = {p.relative_to(course).as_posix() for p in paths}
    for wanted in (".autograder/tokens.json", ".autograder/service/queue.sqlite", ".autograder/service/uploads",
                   ".autograder/service/pages", "gradebook.db", "grades.csv",
                   f"submitted/alice/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", f"autograded/alice/{ASSIGNMENT}/results.json",
                   f"feedback/alice/{ASSIGNMENT}/{ASSIGNMENT}.html"):
        assert wanted in names, wanted
    assert any(n.startswith(".autograder/service/uploads/") for n in names)
    assert any(n.startswith(".autograder/service/pages/") for n in names)
    wrong = {p.relative_to(course).as_posix(): oct(stat.S_IMODE(p.stat().st_mode)) for p in paths
             if stat.S_IMODE(p.stat().st_mode) != (0o700 if p.is_dir() else 0o600)}
    assert not wrong, wrong
    # Another account: it reaches the course (the control file), and nothing of the service's.
    control = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert as_nobody("cat", str(control)).returncode == 0, "the test must reach the course to mean anything"
    readable = [p for p in paths if as_nobody("cat" if p.is_file() else "ls", str(p)).returncode == 0]
    assert not readable, readable


def test_tokens_can_expire_and_are_refused_after_with_a_sentence(hub_machine):
    course, service, tokens = hub_machine
    done = tokens_command(course, "--student", "carol", "--renew", "--expires", "3s")
    assert done.returncode == 0, done.stderr
    assert "valid until" in done.stderr
    token = done.stdout.splitlines()[1].split(",")[1]
    status, me, _ = request(f"{service.url}api/me", token)
    assert status == 200 and me["student"] == "carol" and me["token_expires"], me
    time.sleep(3.5)
    status, data, headers = request(f"{service.url}api/me", token)
    assert status == 401 and "令牌已于" in data["error"] and "过期" in data["error"], data
    status, data, _ = request(f"{service.url}api/assignments/{ASSIGNMENT}/submissions", token, b"{}", "POST")
    assert status == 401 and "过期" in data["error"]
    assert request(f"{service.url}api/me", tokens["bob"])[0] == 200, "tokens without an expiry keep working"
    entry = json.loads((course / ".autograder" / "tokens.json").read_text())["students"]["carol"]
    assert entry["expires"].endswith("+00:00")


def test_expires_takes_dates_times_and_durations_and_refuses_the_past(tmp_path):
    import datetime as dt

    from autograder.service.identity import BadExpiry, parse_expiry

    now = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.timezone.utc)
    assert parse_expiry("2027-01-31", now) == dt.datetime(2027, 1, 31, 23, 59, 59, tzinfo=dt.timezone.utc)
    assert parse_expiry("2027-01-31 18:00 Asia/Shanghai", now) == dt.datetime(2027, 1, 31, 10, 0,
                                                                               tzinfo=dt.timezone.utc)
    assert parse_expiry("90d", now) == now + dt.timedelta(days=90)
    assert parse_expiry("12h", now) == now + dt.timedelta(hours=12)
    for bad in ("2000-01-01", "yesterday-ish", "-5d"):
        with pytest.raises(BadExpiry):
            parse_expiry(bad, now)
    course = make_course(tmp_path, ("alice",))
    done = tokens_command(course, "--expires", "2000-01-01")
    assert done.returncode == 2 and "already past" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (course / ".autograder" / "tokens.json").exists(), "nothing issued"


@pytest.mark.skipif(not shutil.which("strace"), reason="needs strace")
def test_tokens_output_is_created_0600_and_never_chmodded(tmp_path):
    course = make_course(tmp_path, ("alice", "bob"))
    output, trace = tmp_path / "tokens.csv", tmp_path / "trace"
    done = subprocess.run(["strace", "-f", "-qq", "-o", str(trace), "-e", "trace=/chmod",
                           "sh", "-c", f"umask 000; exec {BIN / 'autograder'} tokens --course {course} "
                                       f"--output {output}"],
                          capture_output=True, text=True, env=env(), timeout=120)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert stat.S_IMODE((course / ".autograder" / "tokens.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((course / ".autograder").stat().st_mode) == 0o700
    assert len(output.read_text().splitlines()) == 3
    chmods = [line for line in trace.read_text().splitlines() if "chmod" in line]
    assert not chmods, chmods   # created with their final mode, even under umask 000
