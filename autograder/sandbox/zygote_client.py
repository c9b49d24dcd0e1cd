"""The grader's handle on a zygote: start it, wait until it is ready, ask it for sandboxes.

This module imports neither numpy nor the protocol at load time (they cost 0.1 s), so a command
can start the zygote, whose import of torch takes about two seconds, before it imports anything
heavy: `check` then waits for torch once, beside its own imports.
"""
from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import autograder
from autograder.sandbox import fsview
from autograder.sandbox import linux
from autograder.sandbox.cgroups import SandboxCgroup
from autograder.sandbox.errors import SandboxError
from autograder.sandbox.settings import SandboxSettings, choose_mode

if TYPE_CHECKING:
    from autograder.sandbox.client import Sandbox

ENV = {"HOME": "/tmp", "TMPDIR": "/tmp", "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
       "PYTHONIOENCODING": "utf-8", "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/.matplotlib",
       "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


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
    """A preloaded process that forks sandboxes; one per grading worker.

    With `linger` (seconds, `check` only) the zygote outlives this process: it listens on an
    abstract socket named after everything it was started with, and the next `check` with the same
    preload, code and user connects to it instead of importing torch again. Only its own user can
    connect (both sides check SO_PEERCRED), and only from this network namespace: sandboxes have
    their own, so student code cannot reach it. It exits after `linger` idle seconds."""

    def __init__(self, preload: list[str], settings: SandboxSettings | None = None,
                 course_root: str | None = None, extra_hidden: list[str] = (), linger: float = 0.0,
                 connection: socket.socket | None = None):
        self.settings = settings or SandboxSettings()
        self.mode = choose_mode(self.settings.isolation)
        self.hidden = hidden_paths(course_root, list(extra_hidden))
        self.readonly = fsview.exposed_paths(self.hidden)
        refused = fsview.refusal(self.readonly) if self.mode != "none" else None
        if refused:
            raise SandboxError(refused)
        self.landlock_abi = linux.landlock_abi() if self.mode != "none" or linux.is_linux() else 0
        self.process: subprocess.Popen | None = None
        self._ready = False
        self._preload, self._env = list(preload), zygote_environment(preload)
        # Mode none has no network namespace: a sandbox there could reach the socket.
        self._name = shared_name(preload, self._env) \
            if linger > 0 and self.mode != "none" and linux.is_linux() and connection is None else ""
        self._linger = linger
        self.lingers = bool(self._name)
        # `connection`: to a zygote another process started with this preload (adopt() below)
        self.control = connection or (_connect(self._name) if self._name else None)
        if self.control is None:
            self._start()

    def _start(self) -> None:
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autograder.sandbox.zygote", str(theirs.fileno()), ",".join(self._preload),
             self._name, str(self._linger if self._name else 0)],
            pass_fds=[theirs.fileno()], env=self._env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            # a lingering zygote holds no terminal or pipe of ours, and Ctrl-C on a `check` is not for it
            stderr=subprocess.DEVNULL if self._name else None, start_new_session=self.lingers, cwd="/",
        )
        theirs.close()
        self.control = ours

    def wait_ready(self, timeout: float = 60) -> None:
        from autograder.sandbox import protocol   # deferred: numpy (module docstring)
        if not self._ready:
            try:
                protocol.recv(self.control, timeout)
            except (protocol.Timeout, protocol.Closed, protocol.ProtocolError, OSError) as exc:
                if self.process is None:   # the lingering one ended as we connected: a zygote of our own
                    self.control.close()
                    self._start()
                    return self.wait_ready(timeout)
                raise SandboxError(f"the zygote did not start ({type(exc).__name__})") from None
            self._ready = True

    def adopt(self) -> socket.socket:
        """A connection of its own to this zygote, for another process (a batch's worker): the
        workers of one batch share one zygote, so torch is imported once, not once per worker."""
        from autograder.sandbox import protocol   # deferred: numpy (module docstring)
        ours, theirs = socket.socketpair()
        try:
            protocol.send_with_fds(self.control, {"op": "adopt"}, [theirs.fileno()])
        finally:
            theirs.close()
        return ours

    def spawn(self, slot: int = 0) -> "Sandbox":
        from autograder.sandbox import protocol   # deferred: numpy (module docstring)
        from autograder.sandbox.client import Sandbox
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
            if self.process is not None and not self.lingers:
                try:
                    self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


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


def shared_name(preload: Iterable[str], env: dict[str, str]) -> str:
    """The name of the abstract socket (NUL + name) a lingering zygote listens on: one per user, interpreter, preload,
    environment and version of this package's code (a changed file is a new name)."""
    digest = hashlib.sha256()
    for part in (str(os.geteuid()), sys.executable, ",".join(preload), repr(sorted(env.items()))):
        digest.update(part.encode() + b"\0")
    package = Path(autograder.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\0".encode())
    return f"autograder-zygote-{digest.hexdigest()[:32]}"


def _connect(name: str) -> socket.socket | None:
    """A connection to the lingering zygote of that name, if one is there and is our own user's."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect("\0" + name)
        _pid, uid, _gid = linux.peer_credentials(sock)
        if uid == os.geteuid():
            return sock
    except OSError:
        pass
    sock.close()
    return None
