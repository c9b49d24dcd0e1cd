"""Sandbox limits and isolation settings, configurable in nbgrader_config.py or by flags.

    c.SandboxSettings.memory_mb = 2048
    c.SandboxSettings.cell_timeout = 30
"""
from __future__ import annotations

import os
import sys

from traitlets import Bool, Enum, Float, Int, Unicode, default
from traitlets.config import Configurable

from autograder.sandbox import linux


class SandboxSettings(Configurable):
    isolation = Enum(["auto", "root", "userns", "none"], "auto", config=True,
                     help="auto: a user per worker as root, user namespaces otherwise, none when neither works.")
    memory_mb = Int(2048, config=True, help="Address space each student process may add to the preloaded libraries.")
    cpu_seconds = Int(120, config=True, help="CPU time of each student process.")
    processes = Int(64, config=True, help="Processes and threads of one submission.")
    file_size_mb = Int(64, config=True, help="Largest file a submission may write in its scratch directory.")
    disk_mb = Int(256, config=True, help="All files a submission may write (its /tmp, a tmpfs), in MB.")
    total_memory_mb = Int(0, config=True,
                          help="Memory of all processes of one submission, its files included (a cgroup); "
                               "0: twice memory_mb plus twice disk_mb.")
    open_files = Int(256, config=True, help="Open files per student process.")
    output_kb = Int(64, config=True, help="Output kept per cell or call; the rest is counted and dropped.")
    cell_timeout = Float(10.0, config=True, help="Seconds one notebook cell written by the student may run.")
    test_timeout = Float(20.0, config=True, help="Most seconds one call of student code may take.")
    budget_multiple = Float(50.0, config=True,
                            help="A call may take this many times what the reference takes on the same input...")
    budget_floor = Float(0.5, config=True, help="... plus this many seconds (never more than test_timeout).")
    submission_timeout = Float(600.0, config=True, help="Seconds for a whole submission.")
    stall_grace = Float(60.0, config=True,
                        help="Seconds a grading worker may spend on one submission beyond submission_timeout (its "
                             "own reading, comparing and diagnosing) before it counts as stuck, is killed and "
                             "replaced (autograder/dispatch/watchdog.py).")
    uid_base = Int(61000, config=True, help="As root, worker slot k runs student code as user uid_base + k.")
    tmp = Unicode("", config=True, help="Where scratch directories are made (default: the system's).")
    check_linger = Float(config=True,
                         help="Seconds the sandbox's preloaded process (torch imported) started by `check` "
                              "waits for the next `check` of the same user; 0: it ends with its `check`.")
    hints = Enum(["cause", "formula"], "cause", config=True,
                 help="How much messages may say, set by each command from c.Feedback.hints (autograder/course/hints.py); "
                      "it rides here so that every worker, local or on a cluster, writes at the same level.")
    fork_ahead = Bool(False, config=True,
                      help="Fork each test's process while the test before it runs: faster where a core is idle "
                           "(`check` turns it on), slower in a batch that keeps every core busy.")

    @default("check_linger")
    def _check_linger(self) -> float:
        return float(os.environ.get("AUTOGRADER_CHECK_LINGER", 600))

    def limits(self) -> dict:
        return {"memory_mb": self.memory_mb, "cpu_seconds": self.cpu_seconds, "processes": self.processes,
                "file_size_mb": self.file_size_mb, "open_files": self.open_files, "output_kb": self.output_kb,
                "disk_mb": self.disk_mb}

    @property
    def cgroup_memory_mb(self) -> int:
        return self.total_memory_mb or 2 * (self.memory_mb + self.disk_mb)

    def to_state(self) -> dict:
        """Every configurable value, as plain JSON data: what a worker process or a Dask task gets."""
        return {name: getattr(self, name) for name in self.trait_names() if self.trait_metadata(name, "config")}

    @classmethod
    def from_state(cls, state: dict) -> "SandboxSettings":
        return cls(**state)


_userns_works: bool | None = None


def userns_works() -> bool:
    """Whether this user may create user, mount, PID and network namespaces (probed once)."""
    global _userns_works
    if _userns_works is None:
        _userns_works = False
        if linux.is_linux():
            pid = os.fork()
            if pid == 0:
                try:
                    linux.unshare(linux.CLONE_NEWUSER | linux.CLONE_NEWNS | linux.CLONE_NEWPID | linux.CLONE_NEWNET)
                    os._exit(0)
                except BaseException:
                    os._exit(1)
            _userns_works = os.waitpid(pid, 0)[1] == 0
    return _userns_works


def choose_mode(requested: str) -> str:
    if requested != "auto":
        return requested
    if not linux.is_linux() or not sys.platform.startswith("linux"):
        return "none"
    if os.geteuid() == 0:
        return "root"
    return "userns" if userns_works() else "none"
