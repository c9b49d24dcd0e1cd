"""A cgroup per submission: the kernel counts, limits and kills all of its processes.

Created by the grader beneath its own cgroup in each hierarchy it may write (cgroup v2, or the v1
`pids`, `memory` and `freezer` hierarchies as mounted on these machines); the sandbox's launcher
moves itself in before it creates anything, so every process of the submission is inside and no
process ever leaves the cgroup it started in. When the sandbox closes, the grader kills what is
left (v2 `cgroup.kill`, or v1 freeze, kill, thaw) and waits until the cgroup is empty before the
worker slot is used again: a fork flood cannot outlive its submission and starve the next one.
Where no hierarchy is writable (not root, no delegation), this does nothing and the sandbox
relies on its PID namespace and rlimits; `protections` says which is the case.
"""
from __future__ import annotations

import itertools
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

V1_CONTROLLERS = ("pids", "memory", "freezer")
_names = itertools.count()


@dataclass(frozen=True)
class Hierarchy:
    version: int          # 1 or 2
    controller: str       # pids | memory | freezer (v1), "" (v2)
    own: Path             # this process's cgroup directory in that hierarchy


def hierarchies() -> list[Hierarchy]:
    """The hierarchies this process may create cgroups in."""
    try:
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
        memberships = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return []
    v1_mounts: dict[str, str] = {}
    v2_mount = None
    for line in mounts:
        before, _, after = line.partition(" - ")
        fields, tail = before.split(), after.split()
        if len(fields) < 5 or len(tail) < 3:
            continue
        if tail[0] == "cgroup2":
            v2_mount = fields[4]
        elif tail[0] == "cgroup":
            for option in tail[2].split(","):
                if option in V1_CONTROLLERS:
                    v1_mounts[option] = fields[4]
    found = []
    for line in memberships:
        number, controllers, path = line.split(":", 2)
        if number == "0" and controllers == "" and v2_mount:
            found.append(Hierarchy(2, "", Path(v2_mount + path)))
        for controller in controllers.split(","):
            if controller in V1_CONTROLLERS and controller in v1_mounts:
                found.append(Hierarchy(1, controller, Path(v1_mounts[controller] + path)))
    return [h for h in found if h.own.is_dir() and os.access(h.own, os.W_OK)]


class SandboxCgroup:
    """The cgroups of one submission (one per usable hierarchy)."""

    def __init__(self, processes: int, memory_mb: int):
        self.dirs: list[tuple[Hierarchy, Path]] = []
        self.limits: list[str] = []
        found = hierarchies()
        name = _fresh_name(found)
        for hierarchy in found:
            path = hierarchy.own / name
            try:
                path.mkdir()
            except OSError:
                continue
            self.dirs.append((hierarchy, path))
            self._limit(hierarchy, path, processes, memory_mb)

    @classmethod
    def left_by(cls, pid: int) -> "SandboxCgroup | None":
        """The cgroups that grading process `pid` made and can no longer empty (it was killed as
        stuck): to kill_and_wait and remove. None when it left none."""
        left = cls.__new__(cls)
        left.limits = []
        left.dirs = [(h, path) for h in hierarchies() for path in sorted(h.own.glob(f"autograder-{pid}-*"))
                     if path.is_dir()]
        return left if left.dirs else None

    def _limit(self, hierarchy: Hierarchy, path: Path, processes: int, memory_mb: int) -> None:
        memory = str(memory_mb * 2**20)
        if hierarchy.version == 2:
            available = _read(path / "cgroup.controllers").split()
            wanted = {"pids.max": str(processes), "memory.max": memory, "memory.swap.max": "0"}
            wanted = {k: v for k, v in wanted.items() if k.split(".")[0] in available}
        elif hierarchy.controller == "pids":
            wanted = {"pids.max": str(processes)}
        elif hierarchy.controller == "memory":
            wanted = {"memory.limit_in_bytes": memory, "memory.memsw.limit_in_bytes": memory}
        else:
            wanted = {}
        for name, value in wanted.items():
            if _write(path / name, value):
                self.limits.append(name)

    @property
    def procs_files(self) -> list[str]:
        return [str(path / "cgroup.procs") for _, path in self.dirs]

    @property
    def protections(self) -> list[str]:
        if not self.dirs:
            return []
        kinds = sorted({f"v{h.version}" + (f" {h.controller}" if h.controller else "") for h, _ in self.dirs})
        parts = []
        if any(name.startswith("pids") for name in self.limits):
            parts.append("进程数")
        if any(name.startswith("memory") for name in self.limits):
            parts.append("总内存（含 /tmp 的文件）")
        limited = f"限制整份作业的{'和'.join(parts)}，" if parts else ""
        return [f"cgroup（{', '.join(kinds)}）：{limited}评分结束时其中的进程全部终止，之后才评下一份"]

    def kill_and_wait(self, timeout: float = 10.0) -> bool:
        """Kill every process inside and wait until none is left; True when empty."""
        deadline = time.monotonic() + timeout
        unified = [path for h, path in self.dirs if h.version == 2 and (path / "cgroup.kill").exists()]
        freezer = [path for h, path in self.dirs if h.controller == "freezer"]
        if unified:
            _write(unified[0] / "cgroup.kill", "1")
        elif freezer:
            # Frozen processes cannot fork while we kill them one by one.
            _write(freezer[0] / "freezer.state", "FROZEN")
            while _read(freezer[0] / "freezer.state").strip() == "FREEZING" and time.monotonic() < deadline:
                time.sleep(0.001)
            self._kill_members()
            _write(freezer[0] / "freezer.state", "THAWED")
        while time.monotonic() < deadline:
            if not self._kill_members() and self._all_reaped():
                return True
            time.sleep(0.002)
        return False

    def _all_reaped(self) -> bool:
        """Zombies still count against process limits until their parent collects them."""
        counts = [_read(path / "pids.current").strip() for _, path in self.dirs
                  if (path / "pids.current").exists()]
        return all(count in ("", "0") for count in counts)

    def _kill_members(self) -> bool:
        """SIGKILL every process listed; True when some were listed."""
        pids = {line for _, path in self.dirs for line in _read(path / "cgroup.procs").split()}
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (OSError, ValueError):
                pass
        return bool(pids)

    def remove(self) -> None:
        for _, path in self.dirs:
            for _ in range(100):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:   # still busy for a moment after the last process is reaped
                    time.sleep(0.005)
        self.dirs = []


def _fresh_name(found: list[Hierarchy]) -> str:
    """A name that no hierarchy has yet. A grading process killed as stuck can leave its cgroups
    behind, and pids come round again (pid_max is 32768 here): its successor under the same pid
    must not find some of its names taken, and run with only the protections that were free."""
    while True:
        name = f"autograder-{os.getpid()}-{next(_names)}"
        if not any((h.own / name).exists() for h in found):
            return name


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _write(path: Path, value: str) -> bool:
    try:
        path.write_text(value)
        return True
    except OSError:
        return False
