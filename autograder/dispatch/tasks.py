"""What a grading task carries to a worker that shares nothing with the instructor's machine.

A worker (a `dask worker` on another machine) has the autograder package installed -- the grader,
the hidden suites and the reference solutions, from the same wheel as the instructor's -- and
nothing of the course. Everything else travels in the task:

  - each submission's bytes, with its file name, its key on the instructor's machine (the path
    results are reported under) and its fingerprint;
  - the assignment's release notebook, the trusted copy cells are planned from: it is course data
    (the course's own copy wins over the package's, and an instructor may regenerate it with
    `nbgrader generate_assignment` without reinstalling any worker), and it is small (50-90 KB);
  - the sandbox settings the instructor chose;
  - a Manifest of everything that decides a grade: the grading code, the assignment's hidden
    suite, its reference solution, the release notebook, and the Python, numpy and torch versions.

The worker computes its own Manifest from what is installed there and refuses the task
(VersionMismatch, naming what differs) unless it is identical, so a grade is never silently
different. Results go back as plain data (`SubmissionResult.to_json()`) under the instructor's
keys; the instructor's machine writes the gradebook, feedback pages and grades.csv.

Each worker process claims a sandbox user of its own (autograder/sandbox/slots.py).
"""
from __future__ import annotations

import atexit
import hashlib
import os
import platform
import shutil
import socket
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import metadata, util
from pathlib import Path

import autograder
from autograder.course.assignments import Assignment
from autograder.course.notebook import MAX_BYTES, NotebookError, read_notebook
from autograder.dispatch.parallel import WorkerPool
from autograder.sandbox.settings import SandboxSettings
from autograder.sandbox.slots import DASK_FIRST_SLOT



class VersionMismatch(RuntimeError):
    """A worker whose installed grader is not the one the task must be graded with."""


# ------------------------------------------------------------------------------ manifest

@dataclass(frozen=True)
class Manifest:
    """What decides a grade besides the submission: hashes of the installed grading code, of the
    assignment's hidden suite and of its reference solution, of the release notebook, and the
    versions of Python, numpy and torch. Equal manifests grade a submission identically."""
    assignment: str
    autograder: str      # the package version
    grader: str          # every module of the package but the suites
    suite: str           # suites/conftest.py and suites/<assignment>/
    reference: str       # solutions/<assignment>.py
    release: str         # the release notebook
    python: str
    numpy: str
    torch: str

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for name, value in asdict(self).items():
            digest.update(f"{name}={value}\n".encode())
        return digest.hexdigest()[:16]

    def differences(self, other: "Manifest") -> list[str]:
        """Human-readable list of what differs (`self` is the worker's, `other` the task's)."""
        found = []
        for name, mine in asdict(self).items():
            theirs = getattr(other, name)
            if mine != theirs:
                found.append(f"{name} {_short(mine)} here, {_short(theirs)} on the instructor's machine")
        return found


def _short(value: str) -> str:
    return value[:12] if len(value) == 64 and all(c in "0123456789abcdef" for c in value) else value


def _hash_files(base: Path, files: list[Path]) -> str:
    """sha256 over (path relative to `base`, bytes) of each file, in sorted order; "absent" when
    there is none. Relative paths: where the package is installed does not matter."""
    digest = hashlib.sha256()
    present = sorted(f for f in files if f.is_file())
    if not present:
        return "absent"
    for path in present:
        data = path.read_bytes()
        digest.update(f"{path.relative_to(base).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _python_files(directory: Path) -> list[Path]:
    """The modules of the packages under `directory`, as a wheel ships them: a .py file counts if
    every directory from `directory` down to it is a package (has __init__.py)."""
    found = []
    for path in directory.rglob("*.py"):
        parents = path.relative_to(directory).parents
        if all((directory / parent / "__init__.py").is_file() for parent in parents):
            found.append(path)
    return found


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


@lru_cache(maxsize=None)
def _code_hashes(assignment_id: str) -> tuple[str, str, str]:
    package = Path(autograder.__file__).resolve().parent
    suites = package / "suites"
    grader = _hash_files(package, [p for p in _python_files(package)
                                   if p.relative_to(package).parts[0] != "suites"])
    suite_dir = suites / assignment_id
    suite_files = [p for p in suite_dir.rglob("*.py") if "__pycache__" not in p.parts]   # package data: all
    suite = _hash_files(package, [suites / "__init__.py", suites / "conftest.py", *suite_files]) \
        if suite_dir.is_dir() else "absent"
    try:
        spec = util.find_spec(f"solutions.{assignment_id}")
    except ImportError:
        spec = None
    if spec is None or not spec.origin:
        reference = "absent"
    else:
        origin = Path(spec.origin).resolve()
        reference = _hash_files(origin.parent, [origin.parent / "__init__.py", origin])
    return grader, suite, reference


def manifest(assignment_id: str, release: bytes | None = None, release_sha: str | None = None) -> Manifest:
    """This machine's manifest for grading `assignment_id` against this release notebook (its
    bytes, or only their sha256)."""
    grader, suite, reference = _code_hashes(assignment_id)
    if release is not None:
        release_sha = hashlib.sha256(release).hexdigest()
    return Manifest(assignment_id, autograder.__version__, grader, suite, reference, release_sha or "absent",
                    ".".join(platform.python_version_tuple()[:2]), _version("numpy"), _version("torch"))


def worker_manifest(assignment_id: str, release_sha: str) -> dict:
    """What a worker would grade with (the instructor's client asks every worker before grading)."""
    return {"manifest": asdict(manifest(assignment_id, release_sha=release_sha)), "host": platform.node()}


def scheduler_probe(dask_scheduler=None) -> str:
    """Run on the Dask scheduler, which unpickles every task: it must find this package."""
    return autograder.__version__


# ---------------------------------------------------------------------------------- tasks

@dataclass
class Item:
    key: str                  # the submission's path on the instructor's machine
    name: str                 # its file name
    data: bytes
    fingerprint: str | None = None


@dataclass
class Task:
    """One chunk of submissions of one assignment, self-contained."""
    manifest: Manifest
    release: bytes
    settings: dict
    items: list[Item] = field(default_factory=list)

    @property
    def assignment(self) -> str:
        return self.manifest.assignment


@dataclass
class Plan:
    """What the instructor's machine sends for one assignment: built once, then one Task per chunk."""
    manifest: Manifest
    release: bytes
    settings: dict

    @classmethod
    def of(cls, assignment: Assignment, settings_state: dict) -> "Plan":
        release = assignment.release_notebook.read_bytes()
        return cls(manifest(assignment.id, release), release, settings_state)

    def task(self, items: list[Item]) -> Task:
        return Task(self.manifest, self.release, self.settings, items)


def read_item(path: str, fingerprint: str | None = None):
    """An Item with the file's bytes, or the NotebookError the grader would have given for it
    (a file that cannot be read or is too large never travels)."""

    try:
        target = Path(path)
        if target.is_file() and 0 < target.stat().st_size <= MAX_BYTES:
            return Item(path, target.name or "submission.ipynb", target.read_bytes(), fingerprint)
        read_notebook(path)
        raise NotebookError("这不是一个文件。")   # not reached: read_notebook explains what is wrong
    except NotebookError as exc:
        return exc
    except OSError as exc:
        return NotebookError(f"无法读取文件：{exc.strerror or exc}。")


# --------------------------------------------------------------------------- worker side

_lock = threading.Lock()      # one grading at a time per process (pytest is not thread-safe)
_pools: dict = {}   # (manifest, settings) -> WorkerPool of one grading process
_workdir: Path | None = None


def _own_workdir() -> Path:
    """This process's directory for release copies and submissions; removed at exit (and, if the
    process was killed, by the next worker that starts on this machine)."""
    global _workdir
    if _workdir is None:
        base = Path(tempfile.gettempdir())
        for stale in base.glob("autograder-worker-*"):
            pid = stale.name.rsplit("-", 1)[-1]
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                shutil.rmtree(stale, ignore_errors=True)
        _workdir = base / f"autograder-worker-{os.getpid()}"
        shutil.rmtree(_workdir, ignore_errors=True)
        _workdir.mkdir(mode=0o700)
        atexit.register(_cleanup)
    return _workdir


def _cleanup() -> None:
    for pool in _pools.values():
        try:
            pool.close()
        except Exception:
            pass
    _pools.clear()
    if _workdir is not None:
        shutil.rmtree(_workdir, ignore_errors=True)


def check(task: Task) -> Manifest:
    """This worker's manifest if it equals the task's, else VersionMismatch saying what differs."""
    if hashlib.sha256(task.release).hexdigest() != task.manifest.release:
        raise VersionMismatch("the release notebook in the task does not match its manifest")
    here = manifest(task.assignment, task.release)
    if here != task.manifest:
        raise VersionMismatch(mismatch_message(f"{_worker_name()} on {platform.node()}", here, task.manifest))
    return here


def _worker_name() -> str:
    try:
        from distributed import get_worker
        worker = get_worker()
        return f"{worker.name} ({worker.address})"
    except (ImportError, ValueError):
        return f"process {os.getpid()}"


def mismatch_message(where: str, worker: Manifest, wanted: Manifest) -> str:
    return (f"the worker {where} cannot grade {wanted.assignment} as the instructor's machine would: "
            + "; ".join(worker.differences(wanted))
            + ". Install the same autograder package on every worker (and the same numpy and torch), "
              "then restart the workers.")


def _pool(task: Task, here: Manifest):
    """This worker's grading process for the task's grader and settings, kept warm between tasks.
    Grading runs in that child process, not in the Dask worker's own: a submission that stalls it
    is noticed and ended by the watchdog (watchdog.py) while the Dask worker stays responsive."""

    key = (here.fingerprint, tuple(sorted(task.settings.items())))
    if key not in _pools:
        root = _own_workdir() / here.release[:16]
        release = root / "release" / task.assignment / f"{task.assignment}.ipynb"
        if not release.is_file():
            release.parent.mkdir(parents=True, exist_ok=True)
            release.write_bytes(task.release)
        settings = SandboxSettings.from_state(task.settings)
        _pools[key] = WorkerPool(task.assignment, settings, 1, root, first_slot=DASK_FIRST_SLOT)
    return _pools[key]


def run_task(task: Task) -> list[dict]:
    """Grade one task on this worker; results as plain data, under the instructor's keys."""
    with _lock:
        here = check(task)
        pool = _pool(task, here)
        incoming = pool.root / "incoming"
        incoming.mkdir(exist_ok=True)
        scratch = Path(tempfile.mkdtemp(dir=incoming))
        try:
            local: dict[str, Item] = {}
            for index, item in enumerate(task.items):
                path = scratch / str(index) / (Path(item.name).name or "submission.ipynb")
                path.parent.mkdir()
                path.write_bytes(item.data)
                local[str(path)] = item
            results = pool.grade(list(local), fingerprints={p: i.fingerprint for p, i in local.items() if i.fingerprint},
                                 chunk_size=len(local))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    produced = []
    for result in results:
        data = result.to_json()
        path, item = data["submission"], local[data["submission"]]
        data["submission"] = item.key
        if data.get("error"):
            data["error"] = data["error"].replace(path, item.key)
        produced.append(data)
    return produced
