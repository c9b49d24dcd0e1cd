"""The supervisor: process 1 of a submission's PID namespace, running only trusted code.

It relays the grader's requests to the kernel process (cells), enforcing each one's deadline;
before the first test it freezes the kernel into a template (see kernel.py), kills whatever the
cells left running and snapshots /tmp. It starts a test process per test (whose socket it hands
to the grader); when the test ends it kills every process but the template and puts /tmp back
as the cells left it. It captures and caps what student code prints during cells (tests print
into /dev/null). Student processes sit in nested Landlock domains, so they cannot signal or
ptrace it; as PID 1 it is also immune to signals from inside the namespace. When it exits, the
kernel kills every process left in the namespace.
"""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import time

from autograder.sandbox import confine, linux
from autograder.sandbox import protocol
from autograder.sandbox.kernel import Kernel
from autograder.sandbox.scratch import Scratch

KERNEL_OPS = {"cell"}


class Child:
    def __init__(self, pid: int, sock: socket.socket):
        self.pid = pid
        self.sock = sock
        self.pidfd = os.pidfd_open(pid)

    def close(self) -> None:
        for action in (self.sock.close, lambda: os.close(self.pidfd)):
            try:
                action()
            except OSError:
                pass


class Supervisor:
    def __init__(self, channel: socket.socket, config: dict):
        self.channel = channel
        self.config = config
        self.output_cap = int(config["limits"]["output_kb"]) * 1024
        self.kernel: Child | None = None       # the kernel, then (frozen) the template of tests
        self.frozen = False
        self.test: Child | None = None
        self.ready: Child | None = None       # the next test's process, forked ahead of time
        self.scratch = Scratch(config["scratch"], config["snapshot"])
        # May kill(-1) reach only student processes? In a PID namespace, or as a slot user.
        self.contained = config["mode"] != "none" or os.getuid() == config["uid"]
        self.out_read, self.out_write = os.pipe()
        os.set_blocking(self.out_read, False)

    # --------------------------------------------------------------------------- main loop

    def run(self) -> None:
        try:
            self.serve()
        finally:
            if self.kernel:
                self.kill_students(self.kernel.pid)

    def serve(self) -> None:
        while True:
            # While a test talks to the grader directly, what it prints still comes here:
            # keep the pipe drained (and the output dropped) so it never blocks.
            if self.out_read in select.select([self.channel, self.out_read], [], [])[0]:
                self.drain(bytearray())
                continue
            try:
                raw = protocol.recv_raw(self.channel)
            except (protocol.Closed, OSError, protocol.ProtocolError):
                return
            request = json.loads(raw)
            op = request.get("op")
            if op == "exit":
                return
            if op == "start_kernel":
                self.start_kernel()
                self.reply({"status": "ok"})
            elif op == "test_begin":
                self.begin_test(float(request.get("timeout", 10)), bool(request.get("ahead")))
            elif op == "test_end":
                detail = self.exit_detail(self.test) if self.test else {}
                self.reply({"status": "ok", **detail})
                # While the grader records this test's results: its processes are killed, /tmp
                # is put back and the next test forked before we read the next request.
                self.end_test()
                self.prepare_next_test()
            elif op in KERNEL_OPS:
                self.forward(self.kernel, raw, float(request.get("timeout", 10)))
            else:
                self.reply({"status": "refused", "message": f"unknown operation {op!r}"})
            linux.reap_children()

    def reply(self, header: dict, payload: bytes | None = None) -> None:
        protocol.send(self.channel, header)
        if payload is not None:
            protocol.send_raw(self.channel, payload)

    # ------------------------------------------------------------------- kernel and tests

    def start_kernel(self) -> None:
        self.kill_kernel()
        self.frozen = False
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            try:
                ours.close()
                self.channel.close()
                os.close(self.out_read)
                os.setpgid(0, 0)
                confine.enter_student_domain(self.config)
                null = os.open("/dev/null", os.O_RDONLY)
                os.dup2(null, 0)
                os.dup2(self.out_write, 1)
                os.dup2(self.out_write, 2)
                Kernel(theirs, confine_test=lambda: self.become_test()).serve()
            finally:
                os._exit(0)
        theirs.close()
        self.kernel = Child(pid, ours)

    def kill_kernel(self) -> None:
        if self.test:
            self.end_test()
        if self.ready:
            self.ready.close()
            self.ready = None
        if self.kernel:
            self.kill_students(self.kernel.pid)
            self.kernel.close()
            self.kernel = None
            linux.reap_children(wait_seconds=2)

    def become_test(self) -> None:
        """Runs in each new test process: a Landlock domain of its own, output into /dev/null
        (what a test prints is never shown, so a flood of it should cost nothing)."""
        confine.enter_student_domain(self.config)
        null = os.open("/dev/null", os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)

    def freeze(self, timeout: float) -> bool:
        """After the cells: the kernel becomes a single-threaded template, everything else the
        cells started is killed, and /tmp is remembered as the cells left it."""
        self.kill_all_but_template()   # first: what the cells left running must not fill the process limit
        try:
            protocol.send(self.kernel.sock, {"op": "freeze"})
            # The kernel exits as it forks the template: only the socket tells (nothing else holds it now).
            reply = json.loads(self.await_reply(self.kernel, timeout, watch_pid=False))
            template = int(reply["pid"])
        except (protocol.Timeout, protocol.Closed, protocol.ProtocolError, OSError, ValueError, KeyError, TypeError):
            return False
        old = self.kernel
        self.kernel = Child(template, old.sock)
        os.close(old.pidfd)
        self.scratch.take()
        self.frozen = True
        return True

    def begin_test(self, timeout: float, ahead: bool = False) -> None:
        if self.test:
            self.end_test()
        if not self.kernel or (not self.frozen and not self.freeze(timeout)):
            self.kill_kernel()
            self.reply({"status": "died", "message": "kernel not running"})
            return
        test, self.ready = self.ready or self.fork_test(timeout), None
        if test is None:
            self.kill_kernel()
            self.reply({"status": "died", "message": "the kernel did not start the test"})
            return
        # The grader talks to the test process directly (no relay: two hops less per call);
        # we keep the process handle to kill it and everything it starts at test_end.
        self.test = test
        protocol.send_with_fds(self.channel, {"status": "ok"}, [test.sock.fileno()])
        if ahead and self.may_fork_ahead():
            self.prepare_next_test()   # on an idle core, while this test runs (`check`)

    def may_fork_ahead(self) -> bool:
        """Whether the next test's process may exist while this test's student code runs: only
        where Landlock keeps them apart (no ptrace since ABI 1, no signal since ABI 6), so that
        this test can neither stop nor rewrite the process its next test will run in."""
        return self.config["mode"] != "none" and int(self.config.get("landlock_abi", 0)) >= 6

    def fork_test(self, timeout: float) -> Child | None:
        """A new test process, forked from the template (None if the template failed)."""
        try:
            protocol.send(self.kernel.sock, {"op": "test"})
            payload, fds = self.await_reply(self.kernel, timeout, with_fds=True)
            pid = int(json.loads(payload)["pid"])
            if len(fds) != 1:
                raise protocol.ProtocolError("no test channel")
        except (protocol.Timeout, protocol.Closed, protocol.ProtocolError, OSError, ValueError, KeyError, TypeError):
            return None
        for extra in fds[1:]:
            os.close(extra)
        return Child(pid, socket.socket(fileno=fds[0]))

    def prepare_next_test(self) -> None:
        """Fork the next test process now, while the grader is busy with the last one's results."""
        if self.kernel and self.frozen and self.ready is None:
            self.ready = self.fork_test(10)

    def exit_if_grader_gone(self) -> None:
        """The grader closed its end (it died): end the sandbox now, not after a timeout."""
        try:
            if self.channel.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b"":
                return
        except BlockingIOError:
            return
        except OSError:
            pass
        self.kill_students(self.kernel.pid if self.kernel else 0)
        os._exit(0)

    def await_reply(self, child: Child, timeout: float, with_fds: bool = False, watch_pid: bool = True):
        """The child's next message; protocol.Closed as soon as the child is dead (processes it
        started may hold its socket open, so its end of the socket alone does not tell)."""
        deadline = time.monotonic() + timeout
        watched = [child.sock, self.channel] + ([child.pidfd] if watch_pid else [])
        while True:
            ready = select.select(watched, [], [], max(deadline - time.monotonic(), 0))[0]
            if self.channel in ready:
                self.exit_if_grader_gone()
                watched.remove(self.channel)   # its next request, which waits its turn
                ready.remove(self.channel)
                if not ready:
                    continue
            if not ready:
                raise protocol.Timeout()
            if child.sock not in ready:
                raise protocol.Closed()
            break
        payload, fds = protocol.recv_raw_fds(child.sock, timeout, limit=4096)
        if with_fds:
            return payload, fds
        for fd in fds:
            os.close(fd)
        return payload

    def kill_students(self, group: int) -> None:
        """Kill the student processes: in our own PID namespace (or as a user of our own) that
        is everything but us, including processes that left their group or ignore signals;
        otherwise (no isolation, the grader's own user) only the process group."""
        try:
            if self.contained:
                os.kill(-1, signal.SIGKILL)
            else:
                os.killpg(group, signal.SIGKILL)
        except OSError:
            pass

    def kill_all_but_template(self, spare_ready: bool = False) -> None:
        """Every process but us and the template (and, after a test, the next test's process
        forked ahead), and wait until they are dead: a test leaves nothing behind (nor does a
        cell, once the tests begin)."""
        if self.config["mode"] == "none":
            return   # without a PID namespace we cannot tell our processes from the machine's
        if self.ready is not None and not spare_ready:
            self.ready.close()
            self.ready = None
        keep = {os.getpid(), self.kernel.pid if self.kernel else 0, self.ready.pid if self.ready else 0}
        victims = [pid for pid in _pids() if pid not in keep]
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if self.test is not None and self.test.pid in victims:
            select.select([self.test.pidfd], [], [], 5)   # the usual case: just the test, gone at once
        deadline = time.monotonic() + 5
        while victims and time.monotonic() < deadline:
            linux.reap_children()
            victims = [pid for pid in victims if _alive(pid)]
            if victims:
                time.sleep(0.0005)

    def end_test(self) -> None:
        if not self.test:
            return
        if self.config["mode"] == "none":
            try:
                os.killpg(self.test.pid, signal.SIGKILL)
            except OSError:
                pass
        self.kill_all_but_template(spare_ready=True)
        self.test.close()
        self.test = None
        linux.reap_children()
        try:
            self.scratch.restore()
        except OSError:
            self.kill_kernel()   # /tmp cannot be put back: no more tests from this state

    # ------------------------------------------------------------------------ forwarding

    def forward(self, target: Child | None, raw: bytes, timeout: float) -> None:
        if target is None:
            self.reply({"status": "died", "message": "no process to run this"})
            return
        output = bytearray()
        dropped = 0
        deadline = time.monotonic() + timeout
        status, payload, detail = "ok", None, {}
        watch = [self.channel]   # only to notice the grader's death
        try:
            protocol.send_raw(target.sock, raw)
        except OSError:
            status = "died"
        while status == "ok" and payload is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                status = "timeout"
                break
            ready = select.select([target.sock, self.out_read, target.pidfd] + watch, [], [], remaining)[0]
            if self.channel in ready:
                self.exit_if_grader_gone()
                watch = []
            if self.out_read in ready:
                dropped += self.drain(output)
            if target.sock in ready:
                try:
                    payload = protocol.recv_raw(target.sock, max(deadline - time.monotonic(), 0.001))
                except protocol.Timeout:
                    status = "timeout"
                except (protocol.Closed, OSError):
                    status = "died"
                except protocol.ProtocolError as exc:
                    status, detail = "protocol", {"message": str(exc)}
            elif target.pidfd in ready:
                status = "died"
        dropped += self.drain(output)
        if status == "died":
            detail = self.exit_detail(target)
        if status != "ok":
            self.kill_kernel()
        header = {"status": status, "output": output.decode("utf-8", "replace"), "dropped": dropped, **detail}
        self.reply(header, payload if status == "ok" else None)

    def drain(self, output: bytearray) -> int:
        dropped = 0
        while True:
            try:
                chunk = os.read(self.out_read, 65536)
            except BlockingIOError:
                return dropped
            if not chunk:
                return dropped
            room = self.output_cap - len(output)
            output.extend(chunk[:max(room, 0)])
            dropped += max(len(chunk) - max(room, 0), 0)

    def exit_detail(self, target: Child) -> dict:
        """How a dead process ended, read from its zombie's /proc entry (it may be the
        kernel's child, which we cannot wait for); {} while it is alive."""
        try:
            with open(f"/proc/{target.pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[-1].split()[0] != "Z":
                    return {}
        except (OSError, IndexError):
            return {}
        try:
            with open(f"/proc/{target.pid}/stat") as stat:
                status = int(stat.read().rsplit(" ", 1)[-1])
        except (OSError, ValueError):
            return {}
        if os.WIFSIGNALED(status):
            return {"signal": os.WTERMSIG(status)}
        if os.WIFEXITED(status):
            return {"exitcode": os.WEXITSTATUS(status)}
        return {}

def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _alive(pid: int) -> bool:
    """Still running (a zombie no longer runs: it only waits to be collected)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
