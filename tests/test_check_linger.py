"""A lingering zygote (`check`'s preloaded process, torch imported, kept for the next `check`): it is
reused by its own user only, nobody else can talk to it or pose as it, and student code in a
sandbox it forks can neither reach it nor find its listening socket."""
from __future__ import annotations

import difflib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.grading.engine import Grader
from autograder.sandbox import linux
from autograder.sandbox.settings import SandboxSettings, choose_mode
from autograder.sandbox.zygote_client import Zygote
from helpers import ROOT, make_submission, reference_answers

ENTRY = Path(sys.executable).with_name("autograder")
NOBODY = 65534
pytestmark = pytest.mark.skipif(choose_mode("auto") == "none" or os.geteuid() != 0,
                                reason="a lingering zygote needs namespaces; the other user needs root")


def lingering() -> set[str]:
    """Abstract socket names of lingering zygotes, as /proc/net/unix lists them."""
    with open("/proc/net/unix") as table:
        return {line.split()[-1] for line in table if "@autograder-zygote-" in line}


def owner_pid(name: str) -> int:
    with socket.socket(socket.AF_UNIX) as probe:
        probe.connect("\0" + name.lstrip("@"))
        return linux.peer_credentials(probe)[0]


@pytest.fixture
def linger(monkeypatch):
    """Zygotes started in this test linger; none is there before it, all are killed after it."""
    def kill_all():
        for name in lingering():
            try:
                os.kill(owner_pid(name), signal.SIGKILL)
            except OSError:
                pass
        deadline = time.monotonic() + 10
        while lingering() and time.monotonic() < deadline:
            time.sleep(0.05)
    kill_all()
    monkeypatch.setenv("AUTOGRADER_CHECK_LINGER", "120")
    yield
    kill_all()


def as_nobody(action) -> int:
    """Run `action()` in a child process of user nobody; its exit status (0 when it returned True)."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            os._exit(0 if action() else 1)
        except BaseException:
            os._exit(2)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


# What a student tries from inside the sandbox: every lingering zygote's name (read from the host's
# table by the test and written into the notebook, and from the sandbox's own /proc/net/unix), and
# every inherited descriptor that is a listening socket.
REACH = '''
import os as _os, socket as _socket
def _reached():
    names = {names!r} + [l.split()[-1] for l in open("/proc/net/unix") if "autograder-zygote" in l]
    for name in names:
        try:
            c = _socket.socket(_socket.AF_UNIX)
            c.settimeout(1)
            c.connect("\\0" + name.lstrip("@"))
            return True
        except OSError:
            pass
    for fd in _os.listdir("/proc/self/fd"):
        try:
            s = _socket.socket(fileno=_os.dup(int(fd)))
        except OSError:
            continue
        try:
            if s.getsockopt(_socket.SOL_SOCKET, _socket.SO_ACCEPTCONN):
                return True
        except OSError:
            pass
    return False
_REACHED_IN_CELL = _reached()
_right_f = f
def f(x):
    if _REACHED_IN_CELL or _reached():
        return float("nan")
    return _right_f(x)
'''


def check(notebook: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(ENTRY), "check", str(notebook), "--assignment", "ps1_derivatives"],
                          capture_output=True, text=True, timeout=300, env=os.environ)


def test_the_next_check_reuses_the_zygote_and_student_code_cannot_reach_it(tmp_path, linger):
    honest = make_submission("ps1_derivatives", tmp_path / "honest.ipynb")
    before = lingering()
    first = check(honest)
    assert first.returncode == 0, first.stdout + first.stderr
    started = lingering() - before
    assert len(started) == 1, started            # the check ended; its zygote did not
    (name,) = started
    zygote_pid = owner_pid(name)

    # The same user's next grading connects to it instead of starting a process.
    with Grader("ps1_derivatives", linger=120) as grader:
        grader.warm_up([honest])
        assert grader.zygote.process is None
        (again,) = grader.grade([honest])
    assert again.score == again.max_score

    # Student code in a sandbox it forked: the host can reach the socket, the student cannot.
    host = socket.socket(socket.AF_UNIX)
    host.connect("\0" + name.lstrip("@"))
    host.close()
    hostile = make_submission("ps1_derivatives", tmp_path / "hostile.ipynb",
                              {"f": reference_answers("ps1_derivatives")["f"] + REACH.format(names=sorted(lingering()))})
    done = check(hostile)
    assert done.returncode == 0, done.stdout    # full marks: f never saw the zygote
    assert lingering() - before == {name} and owner_pid(name) == zygote_pid
    # and what it did left nothing for the next learner: an honest check after it, same zygote, same report
    after = check(honest)
    # (the slot's uid may differ: this test's own Grader above still holds slot 0)
    report = lambda done: re.sub(r"uid \d+", "uid N", done.stdout).splitlines()   # noqa: E731
    assert after.returncode == 0 and report(after) == report(first), \
        "\n".join(difflib.unified_diff(report(first), report(after), lineterm=""))
    assert owner_pid(name) == zygote_pid

    # Another user is turned away without a word.
    def talk() -> bool:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(10)
            sock.connect("\0" + name.lstrip("@"))
            return sock.recv(100) == b""
    assert as_nobody(talk) == 0


def test_a_socket_squatted_by_another_user_is_not_trusted(tmp_path, linger):
    """Another user who takes the name first gets a connection and nothing on it; grading starts
    its own zygote and is right."""
    preload = ["numpy", "json"]   # a name of its own: no lingering zygote of another test has it
    from autograder.sandbox.zygote_client import shared_name, zygote_environment
    name = shared_name(preload, zygote_environment(preload))
    ready_read, ready_write = os.pipe()
    report_read, report_write = os.pipe()

    def squat() -> bool:
        server = socket.socket(socket.AF_UNIX)
        server.bind("\0" + name)
        server.listen(4)
        os.write(ready_write, b"x")
        server.settimeout(60)
        connection, _ = server.accept()
        connection.settimeout(5)
        try:
            received = connection.recv(1 << 16)
        except OSError:
            received = b""
        os.write(report_write, json.dumps(len(received)).encode())
        return True

    pid = os.fork()
    if pid == 0:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        try:
            os._exit(0 if squat() else 1)
        except BaseException:
            os._exit(2)
    os.read(ready_read, 1)
    zygote = Zygote(preload, SandboxSettings(), str(ROOT), linger=120)
    try:
        assert zygote.process is not None          # it did not trust the squatter
        zygote.wait_ready()
        sandbox = zygote.spawn()
        assert sandbox.start_kernel().ok
        reply = sandbox.run_cell(0, "x = 6 * 7")
        assert reply.ok and reply.body.get("ok"), reply
        sandbox.close()
    finally:
        zygote.close()
        if zygote.process is not None:
            zygote.process.kill()
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    assert json.loads(os.read(report_read, 100)) == 0   # nothing was sent to it
