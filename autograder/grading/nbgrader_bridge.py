"""Hidden tests inside nbgrader: the hidden block of each graded cell calls `hidden_score`.

    ### BEGIN HIDDEN TESTS
    from autograder.nbgrader_bridge import hidden_score   # (autograder/nbgrader_bridge.py, kept for released notebooks)
    _points = hidden_score("ps1_derivatives", "numerical_derivative")
    ### END HIDDEN TESTS
    _points

It runs the same pytest suite `autograder grade` runs, against the functions defined in the
notebook's kernel, each test in a fork of the kernel (so tests share no state), and returns the
points earned; being the cell's last value, nbgrader records them as partial credit.

This runs inside nbgrader's kernel, that is with the student's code in the same process and
the instructor's rights (nbgrader's own model). It is for compatibility with nbgrader's
gradebook and formgrader; `autograder grade` / `autograder autograde` are the safe path.
"""
from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import sys
import warnings
from contextlib import contextmanager

from autograder.grading.engine import Grader
from autograder.sandbox import protocol
from autograder.sandbox.client import Reply
from autograder.sandbox.kernel import Test
from autograder.testkit.budget import Budgets, Hangs
from autograder.testkit.student import Student
from autograder.views import present

KEY = "<nbgrader kernel>"


class KernelRun:
    """The submission as it lives in this kernel; one fork per test."""

    key = KEY
    cells: list = []
    problem = None
    protections = ["none: nbgrader runs student code in its own kernel"]

    def __init__(self, namespace: dict, budgets: Budgets):
        self.namespace = namespace
        self.budgets = budgets
        self.hangs = Hangs()

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass

    @contextmanager
    def student(self):
        processes: list[tuple[socket.socket, int]] = []

        def begin():
            if processes:
                _end(*processes.pop())
            ours, theirs = socket.socketpair()
            pid = os.fork()
            if pid == 0:
                _become_test_process(ours, theirs, self.namespace)
            theirs.close()
            processes.append((ours, pid))
            return lambda message, timeout: _request(ours, pid, message, timeout)

        try:
            yield Student(begin(), self.budgets, self.hangs, restart=begin)
        finally:
            while processes:
                _end(*processes.pop())


def _end(sock: socket.socket, pid: int) -> None:
    sock.close()
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _become_test_process(ours: socket.socket, theirs: socket.socket, namespace: dict) -> None:
    """The forked child: silent (the kernel's streams belong to the parent), serves one test."""
    try:
        ours.close()
        os.setpgid(0, 0)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        sys.stdout = sys.stderr = open(os.devnull, "w")
        Test(theirs, namespace).serve()
    finally:
        os._exit(0)


def _request(sock: socket.socket, pid: int, message: dict | None, timeout: float) -> Reply:
    try:
        if message is not None:   # None: the next of several replies (kernel.Test.follow)
            protocol.send(sock, message)
        return Reply("ok", body=protocol.recv(sock, timeout))
    except protocol.Timeout:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        return Reply("timeout")
    except (protocol.Closed, protocol.ProtocolError, OSError):
        return Reply("died")


def hidden_score(assignment_id: str, grade_id: str, namespace: dict | None = None) -> float:
    """Points earned by `grade_id` in the calling notebook; prints what failed, in Chinese."""

    if namespace is None:
        namespace = sys._getframe(1).f_globals
    grader = Grader(assignment_id, make_run=lambda key, budgets: KernelRun(namespace, budgets))
    # nbgrader gives 0 points to a graded cell that writes to stderr: keep pytest silent.
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        (result,) = grader.grade([KEY], only=grade_id)
    for report in present.functions(result):
        print("\n".join(present.text(report)))
    return result.score
