"""Servers the service and JupyterLab tests start and always stop: a course, `autograder serve`,
JupyterLab, headless Chromium."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from helpers import ROOT

BIN = Path(sys.executable).parent
ASSIGNMENT = "ps1_derivatives"


def env(**extra) -> dict:
    return dict(os.environ, PATH=f"{BIN}:{os.environ.get('PATH', '')}", **extra)


def make_course(root: Path, students=("alice", "bob"), config: str = "", assignment: str = ASSIGNMENT) -> Path:
    """An nbgrader course with the assignment's source and release, `students` in its gradebook."""
    from nbgrader.api import Gradebook

    course = root / "course"
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / assignment, course / name / assignment)
    (course / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text() + "\n" + config)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in students:
            gb.update_or_create_student(student)
    return course


def issue_tokens(course: Path) -> dict[str, str]:
    done = subprocess.run([str(BIN / "autograder"), "tokens", "--course", str(course)], capture_output=True,
                          text=True, env=env(), timeout=120, check=True)
    rows = [line.split(",") for line in done.stdout.splitlines()[1:]]
    return {student: token for student, token in rows}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A server in its own process group; stop() ends the group (and what it started)."""

    def __init__(self, command: list[str], log: Path, **kwargs):
        self.log = log
        self.handle = open(log, "ab")
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self.handle, start_new_session=True,
                                        **kwargs)

    def line(self, pattern: str, timeout: float = 120) -> re.Match:
        """The first stdout line matching `pattern`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline().decode()
            if not line:
                if self.process.poll() is not None:
                    break
                continue
            found = re.search(pattern, line)
            if found:
                return found
        raise AssertionError(f"no line {pattern!r}; log:\n{self.log.read_text()[-3000:]}")

    def stop(self, sig=signal.SIGTERM, timeout: float = 60) -> int:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        try:   # anything left in the group (a worker finishing its batch)
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.handle.close()
        return self.process.returncode


class Service(Process):
    def __init__(self, course: Path, log: Path, *args: str, **extra_env: str):
        super().__init__([str(BIN / "autograder"), "serve", "--course", str(course), "--port", "0", *args], log,
                         env=env(**extra_env))
        found = self.line(r"autograder serve: (http://[\d.]+:\d+/)")
        self.url = found.group(1)


def request(url: str, token: str | None = None, data: bytes | None = None, method: str | None = None,
            timeout: float = 120) -> tuple[int, dict, object]:
    """(status, JSON body, headers) of one HTTP request; HTTP errors are answers, not exceptions."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            body = response.read()
            status, head = response.status, response.headers
    except urllib.error.HTTPError as exc:
        body, status, head = exc.read(), exc.code, exc.headers   # case-insensitive names
    try:
        return status, json.loads(body or b"{}"), head
    except ValueError:
        return status, {"text": body.decode("utf-8", "replace")}, head


class Lab(Process):
    """JupyterLab with the project's extension, in a home of its own; from this environment, or
    from the one whose bin/ directory is `bin_dir` (a student's environment)."""

    def __init__(self, workdir: Path, log: Path, bin_dir: Path = BIN, **extra_env: str):
        self.token = "lab-test-token"
        self.port = free_port()
        home = Path(tempfile.mkdtemp(prefix="lab-home-", dir=workdir.parent))
        variables = env(HOME=str(home), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
                        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(home / "ws"),
                        **extra_env)
        variables["PATH"] = f"{bin_dir}:{variables['PATH']}"
        for name in ("AUTOGRADER_SERVICE_URL", "AUTOGRADER_TOKEN", "JUPYTERHUB_API_TOKEN", "PYTHONPATH"):
            if name not in extra_env:
                variables.pop(name, None)
        super().__init__([str(bin_dir / "jupyter"), "lab", "--no-browser", "--allow-root", f"--port={self.port}",
                          "--ip=127.0.0.1", f"--ServerApp.token={self.token}", f"--ServerApp.root_dir={workdir}",
                          "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
                         log, env=variables, cwd=workdir)
        self.url = f"http://127.0.0.1:{self.port}/"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            status, _, _ = request(f"{self.url}api/status?token={self.token}", timeout=5) if self._up() else (0, 0, 0)
            if status == 200:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.3)
        self.stop()
        raise AssertionError(f"JupyterLab did not start:\n{log.read_text()[-3000:]}")

    def _up(self) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0


def chromium(profile: Path):
    """Debian's chromium, headless, driven by selenium."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as DriverService

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--disable-dev-shm-usage", "--window-size=1600,1000", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=DriverService(driver_path), options=options)
