"""A batch's workers share one zygote (autograder/dispatch/parallel.py, _batch_zygote): the process that
imports numpy, and torch where the assignment needs it, is started once by the grading process,
and each worker gets a connection of its own to it. Watched from outside while a real
`autograder grade --workers 2` runs: exactly one zygote is started, by the grading process, the
sandboxes of both workers are forked from it and none of their processes holds any of its
sockets; the grades are the usual ones."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from helpers import make_submission

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")

WRONG = "def f(x):\n    return x ** 3\n"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _sockets(pid: int) -> set[str]:
    found = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = str(fd.readlink())
            except OSError:
                continue
            if target.startswith("socket:"):
                found.add(target)
    except OSError:
        pass
    return found


def test_the_workers_of_a_batch_share_one_zygote(tmp_path):
    notebooks = [make_submission("ps1_derivatives", tmp_path / f"s{i}.ipynb", {"f": WRONG} if i % 2 else {})
                 for i in range(8)]
    process = subprocess.Popen([sys.executable, "-m", "autograder", "grade", *map(str, notebooks), "--assignment",
                                "ps1_derivatives", "--json", "--workers", "2"], stdout=subprocess.PIPE, text=True)
    started: dict[int, int] = {}      # zygotes started by a grading process (not forked by a zygote): pid -> parent
    sandboxes_of: dict[int, int] = {}  # processes forked by those zygotes: pid -> zygote
    workers: set[int] = set()
    zygote_ends: dict[str, list[float]] = {}   # the zygote's sockets, and when each was seen
    held: set[str] = set()             # every socket held by a process of a sandbox
    done = threading.Event()

    def watch():
        while not done.is_set():
            parents = {}
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                pid = int(entry.name)
                line, parent = _cmdline(pid), _parent(pid)
                parents[pid] = parent
                if "autograder.dispatch.worker" in line and parent == process.pid:
                    workers.add(pid)
                elif "autograder.sandbox.zygote" in line:
                    if parent in started:
                        sandboxes_of[pid] = parent
                    elif "autograder.sandbox.zygote" not in _cmdline(parent) and parent != 0 and \
                            (parent == process.pid or _parent(parent) == process.pid):
                        started[pid] = parent
            for zygote in started:
                for end in _sockets(zygote):
                    zygote_ends.setdefault(end, []).append(time.monotonic())
            for pid in parents:   # the sandboxes: every process below a zygote but the zygote
                ancestor, depth = parents.get(pid, 0), 0
                while ancestor and ancestor not in started and depth < 12:
                    ancestor, depth = parents.get(ancestor, 0), depth + 1
                if ancestor in started and pid not in started:
                    held.update(_sockets(pid))
            done.wait(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        out, _ = process.communicate(timeout=600)
    finally:
        done.set()
        watcher.join()
    assert process.returncode == 0
    results = {Path(r["submission"]).name: r for r in map(json.loads, out.splitlines())}
    assert [results[f"s{i}.ipynb"]["score"] for i in range(8)] == [12.0, 11.0] * 4
    assert len(workers) == 2, workers
    assert list(started.values()) == [process.pid], (started, workers)   # one zygote, the grading process's
    assert sandboxes_of, "no sandbox was seen being forked from it"
    # No process of a sandbox holds the zygote's end of a worker's connection: through one, student code
    # could ask the zygote for a sandbox of its own making. (The zygote holds each new sandbox's channel
    # for a moment too, as it forks it: those are the sockets seen there only briefly.)
    connections = {end for end, seen in zygote_ends.items() if len(seen) >= 3 and seen[-1] - seen[0] > 0.2}
    assert len(connections) >= 2 and held, (zygote_ends, held)
    assert not connections & held, connections & held
