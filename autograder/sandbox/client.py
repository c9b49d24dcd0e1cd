"""The trusted side of the sandbox: start a zygote, spawn one sandbox per submission, talk to it."""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import autograder
from autograder import protocol
from autograder.sandbox import linux
from autograder.sandbox.cgroups import SandboxCgroup
from autograder.sandbox.settings import SandboxSettings, choose_mode

MARGIN = 5.0  # seconds the grader waits beyond a deadline the supervisor enforces
END_WAIT = 10.0  # seconds a closing sandbox may take to be gone entirely
ENV = {"HOME": "/tmp", "TMPDIR": "/tmp", "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
       "PYTHONIOENCODING": "utf-8", "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/.matplotlib",
       "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class SandboxError(Exception):
    """The sandbox could not be started or stopped answering."""


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


def hidden_paths(course_root: str | os.PathLike | None, extra: list[str] = ()) -> list[str]:
    """What student code must never see: the course, this package (suites) and the solutions."""
    paths = [Path(autograder.__file__).parent]
    try:
        import solutions
        paths.append(Path(solutions.__file__).parent)
    except ImportError:
        pass
    if course_root:
        paths.append(Path(course_root))
    paths.extend(Path(p) for p in extra)
    return sorted({str(p.resolve()) for p in paths})


class Zygote:
    """A preloaded process that forks sandboxes; one per grading worker."""

    def __init__(self, preload: list[str], settings: SandboxSettings | None = None,
                 course_root: str | None = None, extra_hidden: list[str] = ()):
        from autograder.sandbox import fsview

        self.settings = settings or SandboxSettings()
        self.mode = choose_mode(self.settings.isolation)
        self.hidden = hidden_paths(course_root, list(extra_hidden))
        self.readonly = fsview.exposed_paths(self.hidden)
        self.landlock_abi = linux.landlock_abi() if self.mode != "none" or linux.is_linux() else 0
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autograder.sandbox.zygote", str(theirs.fileno()), ",".join(preload)],
            pass_fds=[theirs.fileno()], env=zygote_environment(preload), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, cwd="/",
        )
        theirs.close()
        self.control = ours
        self._ready = False

    def wait_ready(self, timeout: float = 60) -> None:
        if not self._ready:
            try:
                protocol.recv(self.control, timeout)
            except (protocol.Timeout, protocol.Closed) as exc:
                raise SandboxError(f"the zygote did not start ({type(exc).__name__})") from None
            self._ready = True

    def spawn(self, slot: int = 0) -> "Sandbox":
        self.wait_ready()
        uid = self.settings.uid_base + slot
        env = dict(ENV)
        if self.mode == "none":
            env.update(HOME="", TMPDIR="", MPLCONFIGDIR="")  # filled in by the sandbox
        cgroup = SandboxCgroup(self.settings.processes, self.settings.cgroup_memory_mb) \
            if self.mode != "none" or os.geteuid() == 0 else None
        config = {"mode": self.mode, "uid": uid, "limits": self.settings.limits(), "hidden": self.hidden,
                  "readonly": self.readonly, "landlock_abi": self.landlock_abi, "env": env,
                  "tmp": self.settings.tmp or None, "cgroup_procs": cgroup.procs_files if cgroup else [],
                  "cgroup_protections": cgroup.protections if cgroup else []}
        ours, theirs = socket.socketpair()
        try:
            protocol.send_with_fds(self.control, {"op": "spawn", "config": config}, [theirs.fileno()])
        except OSError as exc:
            if cgroup:
                cgroup.remove()
            raise SandboxError(f"the zygote is gone: {exc}") from None
        finally:
            theirs.close()
        return Sandbox(ours, self.settings, cgroup)

    def close(self) -> None:
        try:
            self.control.close()
        finally:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


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
            protocol.send(self.channel, {"op": "test_begin", "timeout": 30})
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

    def test_request(self, message: dict, timeout: float) -> Reply:
        """One request to the current test process, straight over its own socket. On a timeout
        or its death the supervisor kills it and everything it started."""
        if self.test is None:
            return Reply("died", body={"message": "no test process"})
        try:
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


def zygote_environment(preload: Iterable[str] = ()) -> dict[str, str]:
    """The zygote's whole environment, so nothing of the grader's (tokens, passwords, the course's
    paths) is ever in the memory that sandboxes are forked from."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONIOENCODING": "utf-8", "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "MPLCONFIGDIR": str(Path(os.environ.get("AUTOGRADER_CACHE") or Path.home() / ".cache" / "autograder")
                               / "matplotlib")}
    if "torch" in preload:
        # torch leaves ~90 MB of malloc heap: in transparent huge pages, forking each test's process
        # and ending it copy and free 512 times fewer page-table entries (per ps4 test, measured:
        # fork 8.8 -> 4 ms, the end 10.5 -> 5 ms).
        env["GLIBC_TUNABLES"] = "glibc.malloc.hugetlb=1"
    package_parent = str(Path(autograder.__file__).resolve().parent.parent)
    if not _importable_without(package_parent):
        env["PYTHONPATH"] = package_parent   # a checkout used without installing it
    return env


_importable: dict[str, bool] = {}


def _importable_without(directory: str) -> bool:
    """Whether a fresh interpreter finds `autograder` without `directory` on PYTHONPATH (an
    installed package; an editable install's own path hook counts). Asked once per process."""
    if directory not in _importable and _installed():
        _importable[directory] = True
    if directory not in _importable:
        done = subprocess.run([sys.executable, "-c", "import importlib.util as u, sys; sys.exit(u.find_spec('autograder') is None)"], cwd="/",
                              env={"PATH": "/usr/bin:/bin"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _importable[directory] = done.returncode == 0
    return _importable[directory]


def _installed() -> bool:
    """The package is installed (in site-packages, or editable through its own path finder), so a
    fresh interpreter finds it: no need to ask one (which costs a process start)."""
    import site
    here = str(Path(autograder.__file__).resolve())
    if any(here.startswith(str(Path(p).resolve())) for p in site.getsitepackages()):
        return True
    modules = [(f if isinstance(f, type) else type(f)).__module__ for f in sys.meta_path]
    return any("__editable__" in module and "autograder" in module for module in modules)


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
