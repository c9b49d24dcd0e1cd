"""The zygote's memory in transparent huge pages (linux.collapse_to_huge_pages): every sandbox and
every test is a fork of it, and a fork and an exit cost one page-table entry per 4 KB page but one
per 2 MB huge page. Measured by bench/, not here; here: it happens, and a
forked child still sees, and may change, its own copy of every byte."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

THP = Path("/sys/kernel/mm/transparent_hugepage/enabled")
pytestmark = pytest.mark.skipif(not THP.exists() or "[never]" in THP.read_text(),
                                reason="transparent huge pages are off on this machine")

PROBE = r"""
import mmap, os, sys
from autograder.sandbox import linux

def huge_kb():
    with open("/proc/self/smaps_rollup") as rollup:
        return next(int(line.split()[1]) for line in rollup if line.startswith("AnonHugePages:"))

size = 64 << 20
region = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
for offset in range(0, size, 4096):
    region[offset] = offset // 4096 % 251
before = huge_kb()
collapsed = linux.collapse_to_huge_pages()
after = huge_kb()
pid = os.fork()
if pid == 0:   # the child writes into one huge page: its own copy changes, nothing else
    region[4096 * 10] = 7
    ok = region[4096 * 10] == 7 and all(region[o] == o // 4096 % 251 for o in range(0, size, 4096) if o != 4096 * 10)
    os._exit(0 if ok else 1)
_, status = os.waitpid(pid, 0)
intact = all(region[o] == o // 4096 % 251 for o in range(0, size, 4096))
print(before, collapsed >> 10, after, os.waitstatus_to_exitcode(status), intact)
"""


def test_anonymous_memory_is_collapsed_and_forks_stay_private():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr
    before, collapsed_kb, after, child_status, intact = done.stdout.split()
    assert int(collapsed_kb) >= 60 << 10, done.stdout   # all but the unaligned ends of 64 MB
    assert int(after) - int(before) >= 60 << 10, done.stdout
    assert child_status == "0" and intact == "True", done.stdout


def _huge_kb(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        return next(int(line.split()[1]) for line in rollup if line.startswith("AnonHugePages:"))


def test_a_zygote_collapses_its_memory_before_its_second_sandbox_not_its_first():
    """A single `check` does not wait for the collapse (0.05-0.25 s); a batch gets it from its second
    submission on."""
    from autograder.sandbox.zygote_client import Zygote
    from autograder.sandbox.settings import SandboxSettings
    with Zygote(["numpy", "torch"], SandboxSettings(), str(Path(__file__).resolve().parents[1])) as zygote:
        zygote.wait_ready()
        first = zygote.spawn()
        after_first = _huge_kb(zygote.process.pid)
        second = zygote.spawn()
        after_second = _huge_kb(zygote.process.pid)
        first.close()
        second.close()
    # (torch's malloc heap is in huge pages from the start, GLIBC_TUNABLES; the rest is collapsed)
    assert after_second - after_first >= 16 << 10, (after_first, after_second)
