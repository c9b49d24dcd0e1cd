"""Student code is hostile. Each case below makes ps1's `f` (or its cell) misbehave; all of them are
graded in one batch of two workers, through the real command line, each followed on its worker
by an honest submission. The batch must finish in bounded time, every honest notebook keep full
marks, every hostile notebook be graded (never "error") and lose points only on `f`, and nothing
outside the sandboxes may change: files, the grader's output, processes, the network.

Two kinds of case: ATTACKS make `f` misbehave (it must get 0, the rest full marks); LEAKS try to
carry something from one test to the next, or out of the sandbox, or to find what the grader
keeps from them (`f` writes or looks, `f_prime` reads): a leak that works costs `f_prime` or `f`
points, so these must get full marks."""
from __future__ import annotations

import hashlib
import json
import os
import secrets
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
SECRET = "AUTOGRADER_TEST_SECRET"
SECRET_VALUE = secrets.token_hex(16)
SLOW_BY_DESIGN = {"a fork flood of sleeping children"}


def leak_cases() -> dict[str, dict[str, str]]:
    """Answer cells that try to pass data from one test to a later one, or to find what must stay
    out of reach; each is correct unless the leak works."""
    prime_if = "def f_prime(x):\n    return 2 * x + (1 if {cond} else 0)\n"
    ask = ("import socket\n"
           "def _ask(message):\n"
           "    try:\n"
           "        s = socket.socket(socket.AF_UNIX)\n        s.settimeout(0.3)\n        s.connect('/tmp/leak.sock')\n"
           "        s.sendall(message)\n        answer = s.recv(16)\n        s.close()\n        return answer\n"
           "    except OSError:\n        return b'no'\n")
    server = ("_seen = []\n"
              "def _serve():\n"
              "    server = socket.socket(socket.AF_UNIX)\n    server.bind('/tmp/leak.sock')\n    server.listen()\n"
              "    while True:\n"
              "        conn, _ = server.accept()\n        data = conn.recv(16)\n"
              "        if data == b'set':\n            _seen.append(1)\n"
              "        conn.sendall(b'yes' if _seen else b'no')\n        conn.close()\n")
    return {
        "a file left in /tmp for later tests": {
            "f": "def f(x):\n    open('/tmp/leak-marker', 'w').write('seen')\n    return x ** 2\n",
            "f_prime": "import os\n" + prime_if.format(cond="os.path.exists('/tmp/leak-marker')")},
        "a file left in $HOME for later tests": {
            "f": "import os\ndef f(x):\n    open(os.path.expanduser('~/leak'), 'w').write('seen')\n    return x ** 2\n",
            "f_prime": "import os\n" + prime_if.format(cond="os.path.exists(os.path.expanduser('~/leak'))")},
        "shared memory made by a cell": {
            "f": "import mmap\n_shared = mmap.mmap(-1, 16)\ndef f(x):\n    _shared[:4] = b'seen'\n    return x ** 2\n",
            "f_prime": prime_if.format(cond="_shared[:4] == b'seen'")},
        "a file a cell opened": {
            "f": ("_handle = open('/tmp/channel', 'w+')\n"
                  "def f(x):\n    try:\n        _handle.write('seen')\n        _handle.flush()\n"
                  "    except Exception:\n        pass\n    return x ** 2\n"),
            "f_prime": ("def _read():\n    try:\n        _handle.seek(0)\n        return _handle.read()\n"
                        "    except Exception:\n        return ''\n" + prime_if.format(cond="'seen' in _read()"))},
        "a thread a cell started keeps state": {
            "f": ask + server + "import threading, time\nthreading.Thread(target=_serve, daemon=True).start()\n"
                 "time.sleep(0.1)\ndef f(x):\n    _ask(b'set')\n    return x ** 2\n",
            "f_prime": prime_if.format(cond="_ask(b'get') == b'yes'")},
        "a process a cell started keeps state": {
            "f": ask + server + "import os, time\nif os.fork() == 0:\n    _serve()\n"
                 "time.sleep(0.1)\ndef f(x):\n    _ask(b'set')\n    return x ** 2\n",
            "f_prime": prime_if.format(cond="_ask(b'get') == b'yes'")},
        "writes into the memory of the process tests are forked from": {
            "f": ("import ctypes, os\n_flag = ctypes.create_string_buffer(b'clean', 8)\n"
                  "def f(x):\n    try:\n"
                  "        with open(f'/proc/{os.getppid()}/mem', 'r+b', buffering=0) as mem:\n"
                  "            mem.seek(ctypes.addressof(_flag))\n            mem.write(b'dirty')\n"
                  "    except OSError:\n        pass\n    return x ** 2\n"),
            "f_prime": prime_if.format(cond="_flag.value == b'dirty'")},
        "reaches for every other process it can see": {
            # Right only while every attempt fails; a later test sees the flag if a write landed.
            # (It was written when the next test's process was forked while a test ran: kept as a
            # guard should that come back.)
            "f": ("import ctypes, os, signal, time\n_flag = ctypes.create_string_buffer(b'clean', 8)\n"
                  "def f(x):\n"
                  "    seen, hit, deadline = {1, os.getpid(), os.getppid()}, 0, time.monotonic() + 0.2\n"
                  "    while time.monotonic() < deadline:   # processes may appear while it runs\n"
                  "        for pid in {int(n) for n in os.listdir('/proc') if n.isdigit()} - seen:\n"
                  "            seen.add(pid)\n"
                  "            try:\n"
                  "                with open(f'/proc/{pid}/mem', 'r+b', buffering=0) as mem:\n"
                  "                    mem.seek(ctypes.addressof(_flag))\n                    mem.write(b'dirty')\n"
                  "                hit = 1\n"
                  "            except OSError:\n                pass\n"
                  "            try:\n                os.kill(pid, signal.SIGSTOP)\n                hit = 1\n"
                  "            except OSError:\n                pass\n"
                  "    return x ** 2 + hit\n"),
            "f_prime": prime_if.format(cond="_flag.value == b'dirty'")},
        "stops the process tests are forked from": {
            "f": "import os, signal\ndef f(x):\n    try:\n        os.kill(os.getppid(), signal.SIGSTOP)\n"
                 "    except OSError:\n        pass\n    return x ** 2\n",
            "f_prime": "def f_prime(x):\n    return 2 * x\n"},
        "System V shared memory": {
            "f": ("import ctypes\n_libc = ctypes.CDLL(None)\n_libc.shmat.restype = ctypes.c_void_p\n"
                  "def _segment(create):\n"
                  "    ident = _libc.shmget(4242, 4096, 0o1600 if create else 0o600)\n"
                  "    return None if ident < 0 else _libc.shmat(ident, None, 0)\n"
                  "def f(x):\n    address = _segment(True)\n"
                  "    if address not in (None, ctypes.c_void_p(-1).value):\n        ctypes.memmove(address, b'seen', 4)\n"
                  "    return x ** 2\n"),
            "f_prime": ("import ctypes\ndef _seen():\n    address = _segment(False)\n"
                        "    return address not in (None, ctypes.c_void_p(-1).value) and ctypes.string_at(address, 4) == b'seen'\n"
                        + prime_if.format(cond="_seen()"))},
        "fills the disk (45 GB)": {
            # In the cell (once): writing stops with OSError within the quota; then, in every test,
            # one more megabyte must fail at once (the disk is full), and the test starts as the
            # cell left /tmp (the snapshot holds the full quota).
            "f": ("import os\n_block = b'x' * (32 << 20)\n_written = 0\n"
                  "try:\n    for _i in range(1440):\n"
                  "        with open(f'/tmp/fill-{_i}', 'wb') as _handle:\n            _handle.write(_block)\n"
                  "        _written += len(_block)\n"
                  "except OSError:\n    pass\n"
                  "def _full():\n    try:\n        with open('/tmp/one-more', 'wb') as handle:\n"
                  "            handle.write(b'x' * (1 << 20))\n    except OSError:\n        return True\n"
                  "    return False\n"
                  "def f(x):\n    return x ** 2 if _written <= 512 << 20 and _full() else x ** 2 + 1\n")},
        "a fork flood of sleeping children": {
            "f": ("import os, time\ndef f(x):\n    for _ in range(150):\n        try:\n"
                  "            if os.fork() == 0:\n                time.sleep(1000)\n                os._exit(0)\n"
                  "        except OSError:\n            break\n    return x ** 2\n")},
        "a fork flood from a cell, left running": {
            "f": ("import os, time\nfor _ in range(150):\n    try:\n"
                  "        if os.fork() == 0:\n            time.sleep(1000)\n            os._exit(0)\n"
                  "    except OSError:\n        break\n"
                  "def f(x):\n    return x ** 2\n")},
        "prints 200 lines of 1 MB, then answers": {
            "f": "_line = 'x' * 1_000_000\ndef f(x):\n    for _ in range(200):\n        print(_line)\n    return x ** 2\n"},
        "looks for the grader's secrets": {
            # The pattern does not match its own text; the memory scan covers freed memory too.
            "f": ("import os, re\n"
                  "def _scan():\n"
                  f"    pattern = re.compile(r'{SECRET[:-1]}[{SECRET[-1]}]=[0-9a-f]{{32}}')\n"
                  "    texts = [' '.join(f'{k}={v}' for k, v in os.environ.items())]\n"
                  "    for path in ('/proc/self/environ', '/proc/self/cmdline', '/proc/1/environ', '/proc/1/cmdline'):\n"
                  "        try:\n            texts.append(open(path, 'rb').read().decode('latin-1'))\n"
                  "        except OSError:\n            pass\n"
                  "    with open('/proc/self/maps') as maps, open('/proc/self/mem', 'rb', buffering=0) as mem:\n"
                  "        for line in maps:\n"
                  "            span, perms = line.split()[:2]\n"
                  "            start, end = (int(v, 16) for v in span.split('-'))\n"
                  "            if 'r' in perms and end - start < 1 << 28:\n"
                  "                try:\n                    mem.seek(start)\n                    texts.append(mem.read(end - start).decode('latin-1'))\n"
                  "                except (OSError, OverflowError, ValueError):\n                    pass\n"
                  "    return any(pattern.search(text) for text in texts)\n"
                  "_found = _scan()\n"
                  "def f(x):\n    return x ** 2 + (1 if _found else 0)\n")},
    }


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
    home_sentinel = Path.home() / f".autograder-sentinel-{os.getpid()}"
    tmp_sentinel = Path("/tmp") / f"autograder-sentinel-{os.getpid()}"
    for sentinel in (home_sentinel, tmp_sentinel):
        sentinel.write_text("untouched")
    listener = Listener()
    first_honest = folder / "honest 00 student.ipynb"
    cases = {label: {"f": code} for label, code in
             hostile_cases(first_honest, home_sentinel, tmp_sentinel, listener.port).items()}
    cases.update(leak_cases())
    # Each hostile notebook is followed by an honest one in the same chunk, i.e. on the same
    # worker: chunks hold an even number of notebooks (see parallel.WorkerPool.grade) when the
    # number of pairs is 0 or 1 modulo 4, so pad with honest pairs.
    pairs = [(label, folder / f"hostile {i:02d} 学生.ipynb") for i, label in enumerate(cases)]
    while len(pairs) % 4 not in (0, 1):
        pairs.append((None, folder / f"extra {len(pairs):02d}.ipynb"))
    order, paths, honest = [], {}, []
    for i, (label, path) in enumerate(pairs):
        if label is None:
            make_submission("ps1_derivatives", path)
            honest.append(path)
        else:
            paths[label] = make_submission("ps1_derivatives", path, cases[label])
        follower = make_submission("ps1_derivatives", folder / f"honest {i:02d} student.ipynb")
        honest.append(follower)
        order += [path, follower]
    assert (len(order) // 4) % 2 == 0 or len(order) // 4 >= 32
    watched = [*honest, home_sentinel, tmp_sentinel, *sorted((ROOT / "solutions").glob("*.py")),
               *sorted((ROOT / "release").rglob("*.ipynb")), *sorted((ROOT / "autograder").rglob("*.py"))]
    before = _digest(watched)
    scratch = folder / "scratch"   # the grader's TMPDIR: where it makes sandbox directories
    scratch.mkdir()
    config = ROOT / "nbgrader_config.py"
    command = [sys.executable, "-m", "autograder", "grade", *map(str, order),
               "--assignment", "ps1_derivatives", "--json", "--workers", "2",
               "--test-timeout", str(TEST_TIMEOUT), "--cell-timeout", str(CELL_TIMEOUT), "--uid-base", str(UID_BASE)]
    env = dict(os.environ, TMPDIR=str(scratch), **{SECRET: SECRET_VALUE})
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env, cwd=ROOT)
    elapsed = time.monotonic() - started
    time.sleep(0.5)
    yield {
        "done": done, "elapsed": elapsed, "honest": honest, "paths": paths, "listener": listener,
        "order": order,
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
    # About 70 notebooks on two workers; a hang costs its budget (at most 2 s) once per function.
    assert batch["elapsed"] < 240, batch["elapsed"]


def test_grader_output_is_only_its_own_json_lines(batch):
    lines = batch["done"].stdout.splitlines()
    assert len(lines) == len(batch["order"])
    submissions = {json.loads(line)["submission"] for line in lines}
    assert submissions == set(map(str, batch["order"]))
    results = [json.loads(line) for line in lines]
    assert all(r["submission"] != "fake" and r["score"] <= r["max_score"] for r in results)
    assert SECRET_VALUE not in batch["done"].stdout + batch["done"].stderr


def test_every_honest_submission_keeps_full_marks(batch):
    """Whatever the hostile notebook before it on the same worker did."""
    results = _results(batch)
    lost = {}
    for path in batch["honest"]:
        result = results[str(path)]
        if not (result["status"] == "graded" and result["score"] == result["max_score"] == 12.0):
            lost[path.name] = (result["status"], result["score"], result["error"],
                               [(t["name"], t["output"][:200]) for t in result["tests"] if t["status"] == "failed"])
    assert not lost, lost


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


@pytest.mark.parametrize("label", list(leak_cases()))
def test_nothing_passes_from_one_test_to_the_next_or_out(batch, label):
    """Each of these is right unless what it tries works: it must keep full marks -- except that
    a function forking dozens of processes may run out of its time budget (50x the reference's
    time + 0.5 s) on a loaded machine: then it loses points on itself, and only there."""
    result = _results(batch)[str(batch["paths"][label])]
    assert result["status"] == "graded", result["error"]
    failed = [(t["name"], t["output"][:300]) for t in result["tests"] if t["score"] < t["max_score"]]
    if label in SLOW_BY_DESIGN:
        assert all(name.startswith("f: ") and "超过了给它的时间" in output for name, output in failed), failed
        return
    assert result["score"] == result["max_score"] == 12.0, failed


def test_nothing_outside_the_sandboxes_changed(batch):
    assert not batch["changed"], batch["changed"]
    assert batch["listener"].connections == 0
    assert not batch["scratch_left"], batch["scratch_left"]


def test_no_student_process_survives(batch):
    assert _processes_of(range(UID_BASE, UID_BASE + 100)) == []


def test_protections_are_reported(batch):
    result = _results(batch)[str(batch["honest"][0])]
    text = " ".join(result["protections"])
    assert "PID namespace" in text and "network namespace" in text and "文件系统视图" in text
    assert "磁盘配额" in text and "环境变量" in text
    if os.geteuid() == 0 and Path("/sys/fs/cgroup").is_dir():
        assert "cgroup" in text, text
