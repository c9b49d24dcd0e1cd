"""The trusted side of the sandbox: one sandbox per submission, spawned by a zygote; talk to it."""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import time
from dataclasses import dataclass, field

from autograder.sandbox import protocol
from autograder.sandbox.cgroups import SandboxCgroup
from autograder.sandbox.errors import SandboxError
from autograder.sandbox.settings import SandboxSettings

MARGIN = 5.0  # seconds the grader waits beyond a deadline the supervisor enforces
END_WAIT = 10.0  # seconds a closing sandbox may take to be gone entirely


@dataclass
class Reply:
    status: str                      # ok | timeout | died | protocol | refused
    output: str = ""
    dropped: int = 0
    body: dict = field(default_factory=dict)
    signal: int | None = None
    exitcode: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class Sandbox:
    """One submission's sandbox: a supervisor in fresh namespaces, a kernel, test processes."""

    def __init__(self, channel: socket.socket, settings: SandboxSettings, cgroup: SandboxCgroup | None = None):
        self.channel = channel
        self.settings = settings
        self.cgroup = cgroup
        self.pidfd: int | None = None
        self.base: str | None = None
        self.protections: list[str] = []
        self.test: socket.socket | None = None
        self.closed = False
        try:
            hello = protocol.recv(channel, 30)
            self.base = hello.get("base")
            if hello.get("pid"):
                self.pidfd = os.pidfd_open(int(hello["pid"]))
            if hello.get("error"):
                raise SandboxError(hello["error"])
            ready = protocol.recv(channel, 30)
        except (protocol.Timeout, protocol.Closed, protocol.ProtocolError, OSError) as exc:
            self.close()
            raise SandboxError(f"the sandbox did not start ({type(exc).__name__})") from None
        except SandboxError:
            self.close()
            raise
        if not ready.get("ready"):
            self.close()
            raise SandboxError(f"the sandbox could not be set up: {ready.get('error')}")
        self.protections = list(ready.get("protections", []))

    def request(self, message: dict, timeout: float) -> Reply:
        """Send one request; the supervisor enforces `timeout`, we allow a margin on top."""
        if self.closed:
            return Reply("died", body={"message": "sandbox closed"})
        message = dict(message, timeout=timeout)
        try:
            protocol.send(self.channel, message)
            header = protocol.recv(self.channel, timeout + MARGIN, limit=1 << 20)
            reply = Reply(str(header.get("status")), str(header.get("output", "")), int(header.get("dropped", 0)),
                          signal=header.get("signal"), exitcode=header.get("exitcode"))
            if reply.ok and message["op"] not in ("start_kernel", "test_end"):
                body = protocol.recv(self.channel, timeout + MARGIN)
                reply.body = body if isinstance(body, dict) else {}
            elif not reply.ok:
                reply.body = {"message": header.get("message", "")}
            return reply
        except (protocol.Timeout, protocol.Closed, protocol.ProtocolError, OSError, ValueError) as exc:
            self.close()
            return Reply("died", body={"message": f"the sandbox stopped answering ({type(exc).__name__})"})

    def start_kernel(self) -> Reply:
        return self.request({"op": "start_kernel"}, 30)

    def run_cell(self, index: int, code: str, timeout: float | None = None) -> Reply:
        return self.request({"op": "cell", "index": index, "code": code}, timeout or self.settings.cell_timeout)

    def begin_test(self) -> Reply:
        """A fresh fork of the kernel for one test; afterwards `test_request` talks to it."""
        self._close_test()
        if self.closed:
            return Reply("died", body={"message": "sandbox closed"})
        try:
            protocol.send(self.channel, {"op": "test_begin", "timeout": 30, "ahead": self.settings.fork_ahead})
            payload, fds = protocol.recv_raw_fds(self.channel, 30 + MARGIN, limit=1 << 20)
            header = json.loads(payload)
        except (protocol.Timeout, protocol.Closed, protocol.ProtocolError, OSError, ValueError) as exc:
            self.close()
            return Reply("died", body={"message": f"the sandbox stopped answering ({type(exc).__name__})"})
        if header.get("status") != "ok" or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            return Reply(str(header.get("status")), body={"message": header.get("message", "")})
        self.test = socket.socket(fileno=fds[0])
        return Reply("ok")

    def test_request(self, message: dict | None, timeout: float) -> Reply:
        """One request to the current test process, straight over its own socket (None: read
        the next of several replies to the last one). On a timeout or its death the supervisor
        kills it and everything it started."""
        if self.test is None:
            return Reply("died", body={"message": "no test process"})
        try:
            if message is not None:
                protocol.send(self.test, message)
            return Reply("ok", body=protocol.recv(self.test, timeout))
        except protocol.Timeout:
            self.end_test()
            return Reply("timeout")
        except (protocol.Closed, OSError):
            ended = self.end_test()
            return Reply("died", signal=ended.signal, exitcode=ended.exitcode)
        except protocol.ProtocolError as exc:
            self.end_test()
            return Reply("protocol", body={"message": str(exc)})

    def end_test(self) -> Reply:
        self._close_test()
        return self.request({"op": "test_end"}, 30)

    def _close_test(self) -> None:
        if self.test is not None:
            self.test.close()
            self.test = None

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._close_test()
        try:
            protocol.send(self.channel, {"op": "exit"})
        except OSError:
            pass
        self.channel.close()
        if self.pidfd is not None:
            # Process 1 of the namespace; its death takes every student process with it.
            # A pidfd, unlike a pid, can never name a different process later.
            try:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            except OSError:
                pass
        # The end is total before this worker starts another sandbox: every process of this one
        # is gone (and reaped), so none of them counts against the next one's limits.
        if self.cgroup is not None:
            self.cgroup.kill_and_wait(END_WAIT)
            self.cgroup.remove()
        if self.pidfd is not None:
            select.select([self.pidfd], [], [], END_WAIT)   # readable once process 1 has exited
            os.close(self.pidfd)
        if self.base:
            _remove_tree(self.base)


def _remove_tree(path: str) -> None:
    def make_writable(function, target, _exc):
        try:
            os.chmod(os.path.dirname(target), 0o700)
            os.chmod(target, 0o700)
            function(target)
        except OSError:
            pass
    for _ in range(50):  # the namespace's mounts vanish a moment after its last process
        shutil.rmtree(path, onerror=make_writable)
        if not os.path.exists(path):
            return
        time.sleep(0.01)
