"""A Dask cluster as an instructor with real machines would have one, on this machine.

The scheduler and every worker are separate processes (`dask scheduler`, `dask worker`), not a
LocalCluster. Each worker plays another machine:
  - it runs in a mount namespace of its own (`unshare --mount`) where the course directories and
    this repository (release/, source/, solutions/, the package's sources) are hidden under an
    empty tmpfs; only the Python environment with the dependencies stays visible (in development
    it lives inside the repository, so it is bound back);
  - it grades with the autograder package installed from a wheel into a virtual environment of
    its own (`install`), as `pip install autograder-*.whl` would on another machine;
  - it has its own HOME and AUTOGRADER_CACHE (cold caches, like a fresh machine).
Needs root (mount namespaces and tmpfs); `Cluster.close` ends every process it started.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON_DIR = f"python{sys.version_info.major}.{sys.version_info.minor}"


def can_hide_directories() -> bool:
    return sys.platform.startswith("linux") and os.geteuid() == 0 and shutil.which("unshare") is not None


def build_wheel(target: Path) -> Path:
    """The package as it would be shipped to a worker: built from a copy holding only what the
    package is made of (no source/, release/, tests/ or .venv/), with this environment's setuptools."""
    source = target / "source-tree"
    source.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("autograder", "solutions"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    wheels = target / "wheels"
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                           "--disable-pip-version-check", "-w", str(wheels), str(source)],
                          capture_output=True, text=True, cwd=target)
    if done.returncode != 0:
        raise RuntimeError(done.stdout + done.stderr)
    (wheel,) = wheels.glob("autograder-*.whl")
    return wheel


def install(wheel: Path, target: Path) -> Path:
    """A virtual environment of its own with the wheel installed; the dependencies come from this
    environment's site-packages (a .pth line), as if installed there too. Returns its python."""
    base = Path(getattr(sys, "_base_executable", sys.executable))
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(target)], check=True)
    site = target / "lib" / PYTHON_DIR / "site-packages"
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
                    "--target", str(site), str(wheel)], check=True, capture_output=True)
    python = target / "bin" / "python"
    for script in ("nbgrader", "alembic"):   # the instructor's side calls them (gradebook)
        original = Path(sys.executable).parent / script
        if original.is_file():
            body = original.read_text().split("\n", 1)[1]
            (target / "bin" / script).write_text(f"#!{python}\n{body}")
            (target / "bin" / script).chmod(0o755)
    return python


def session_members(sid: int) -> list[int]:
    """The processes of a session (a worker machine and everything it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[3]) == sid:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass
    return found


def processes_mentioning(*paths: Path) -> list[int]:
    """Processes whose command line or environment names one of `paths` (left-overs)."""
    needles = [str(p).encode() for p in paths]
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                text = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
            except OSError:
                continue
            if any(n in text for n in needles):
                found.append(int(entry.name))
    return found


class Cluster:
    def __init__(self, base: Path, python: Path, hidden: list[Path], scheduler_env: dict | None = None,
                 scheduler_python: Path | None = None):
        """`python`: the workers' (and by default the scheduler's) interpreter; `hidden`: what the
        workers must not see."""
        self.base, self.python, self.hidden = base, python, [Path(p).resolve() for p in hidden]
        self.scheduler_python = scheduler_python or python
        self.started = time.time()
        self.base.mkdir(parents=True, exist_ok=True)
        self.processes: dict[str, subprocess.Popen] = {}
        self.address = self._start_scheduler(scheduler_env or {})

    def _environment(self, name: str, extra: dict | None = None) -> dict:
        home = self.base / f"home-{name}"
        home.mkdir(exist_ok=True)
        env = {"PATH": f"{self.python.parent}:/usr/local/bin:/usr/bin:/bin", "HOME": str(home),
               "AUTOGRADER_CACHE": str(home / ".cache" / "autograder"), "LANG": "C.UTF-8"}
        env.update(extra or {})
        return env

    def _start_scheduler(self, extra: dict) -> str:
        info = self.base / "scheduler.json"
        log = (self.base / "scheduler.log").open("w")
        self.processes["scheduler"] = subprocess.Popen(
            [str(self.scheduler_python), "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
             "--no-dashboard", "--scheduler-file", str(info)],
            env=self._environment("scheduler", extra), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, cwd=self.base)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if info.is_file():
                try:
                    return json.loads(info.read_text())["address"]
                except (ValueError, KeyError):
                    pass
            if self.processes["scheduler"].poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError("the scheduler did not start: " + (self.base / "scheduler.log").read_text())

    def hiding_script(self) -> str:
        """Shell lines, run in the worker's own mount namespace, that hide the course and the
        repository (an empty tmpfs over each) but keep the Python environment visible."""
        lines = ["set -e"]
        prefix = Path(sys.prefix).resolve()
        for number, directory in enumerate(self.hidden):
            kept = prefix if prefix.is_relative_to(directory) else None
            if kept:
                stash = self.base / f"stash-{number}"
                stash.mkdir(exist_ok=True)
                lines.append(f"mount --bind '{kept}' '{stash}'")
            lines.append(f"mount -t tmpfs -o size=1m,mode=755 hidden '{directory}'")
            if kept:
                lines += [f"mkdir -p '{kept}'", f"mount --bind '{stash}' '{kept}'", f"umount '{stash}'"]
        return "\n".join(lines)

    def start_worker(self, name: str, python: Path | None = None, processes: int = 1, hide: bool = True,
                     env: dict | None = None) -> None:
        """A `dask worker` ("machine") named `name` with `processes` worker processes of one
        thread each, in a mount namespace where the course is hidden; `env`: more of its environment."""
        local = self.base / f"worker-{name}"
        local.mkdir(exist_ok=True)
        command = [str(python or self.python), "-m", "distributed.cli.dask_worker", self.address,
                   "--nthreads", "1", "--nworkers", str(processes), "--name", name, "--no-dashboard",
                   "--local-directory", str(local)]
        script = (self.hiding_script() + "\n" if hide else "") + "exec " + " ".join(f"'{c}'" for c in command)
        launcher = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script] if hide else \
            ["sh", "-c", script]
        log = (self.base / f"worker-{name}.log").open("a")
        self.processes[name] = subprocess.Popen(launcher, env=self._environment(name, env), stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True, cwd=local)

    def kill(self, name: str) -> None:
        """The machine is gone: every process of that worker, at once (and what a rebooted machine
        would no longer have: the directories its worker processes kept in /tmp and their sandboxes'
        cgroups, which a killed process cannot remove)."""
        from autograder.sandbox.cgroups import SandboxCgroup

        process = self.processes.pop(name)
        members = session_members(process.pid)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
        for pid in members:
            shutil.rmtree(Path(tempfile.gettempdir()) / f"autograder-worker-{pid}", ignore_errors=True)
            left = SandboxCgroup.left_by(pid)
            if left is not None:
                left.kill_and_wait()
                left.remove()

    def workers(self, client) -> dict[str, str]:
        """Worker address -> name of its machine."""
        return {address: str(info.get("name", "")).rsplit("-", 1)[0] if "-" in str(info.get("name", ""))
                else str(info.get("name", ""))
                for address, info in client.scheduler_info(n_workers=-1)["workers"].items()}

    def wait_for(self, client, count: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while len(client.scheduler_info(n_workers=-1)["workers"]) != count:
            if time.monotonic() > deadline:
                logs = "\n".join(p.read_text()[-2000:] for p in self.base.glob("worker-*.log"))
                raise RuntimeError(f"expected {count} workers, have "
                                   f"{len(client.scheduler_info(n_workers=-1)['workers'])}\n{logs}")
            time.sleep(0.1)

    def close(self) -> None:
        for name in list(self.processes):
            if name != "scheduler":
                self.kill(name)
        if "scheduler" in self.processes:
            self.kill("scheduler")
        # Worker processes that died without cleaning up (killed, os._exit) since this cluster started.
        for left in Path(tempfile.gettempdir()).glob("autograder-worker-*"):
            pid = left.name.rsplit("-", 1)[-1]
            try:
                if pid.isdigit() and not Path(f"/proc/{pid}").exists() and left.stat().st_mtime >= self.started:
                    shutil.rmtree(left, ignore_errors=True)
            except OSError:
                pass
