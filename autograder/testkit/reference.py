"""The reference solutions as the hidden suites and the call budgets see them: remembered.

    from autograder.testkit.reference import remembered
    ref = remembered("ps3_linear_regression")   # a suite's common.py does this, once
    ref.train_linear_regression(X, y)        # computed once per process, then recalled

Hidden inputs are the same for every submission (seeded), so a worker grading a class asks the
reference the same questions again and again. Each distinct call (by its arguments' exact bytes;
trusted functions by their source) is computed once, with its time, which the call budgets use;
later calls get a deep copy of the result. Calls whose arguments cannot be keyed run every time.
Only top-level calls go through here: the reference's own calls to its helpers are untouched.
"""
from __future__ import annotations

import contextlib
import copy
import hashlib
import importlib
import importlib.util
import io
import json
import pickle
import time
import types
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from autograder.course.results import write_atomically
from autograder.sandbox import protocol
from autograder.testkit.oracle import cache_path, code_sources, memo


def call_key(name: str, args: tuple, kwargs: dict) -> str | None:
    """The key of a call (protocol.canonical, exact: 1 and 1.0 are two questions), or None when an
    argument cannot be keyed (such a call is computed every time)."""
    parts = [name.encode("utf-8", "surrogatepass"), b"\0"]
    try:
        protocol.canonical(list(args), parts)
        protocol.canonical(dict(sorted(kwargs.items())), parts)
    except TypeError:
        return None
    return hashlib.sha1(b"".join(parts)).hexdigest()


class Remembered:
    """A reference module whose functions remember their answers (and how long they took). The
    module is imported on first use: a reference that imports torch costs two seconds, and its
    timings are remembered on disk (oracle.memo), so warm grading may never need it."""

    def __init__(self, module_name: str):
        self._name = module_name
        self._answers: dict[str, tuple[bytes | None, object, float]] = {}
        self._functions: dict[str, object] = {}

    @cached_property
    def _module(self):
        return importlib.import_module(self._name)

    @cached_property
    def _version(self) -> str:
        """The reference's own source: remembered timings are of this version only."""
        spec = importlib.util.find_spec(self._name)
        try:
            return hashlib.sha256(Path(spec.origin).read_bytes()).hexdigest()[:16]
        except (AttributeError, TypeError, OSError):
            return "unknown"

    def __getattr__(self, name: str):
        value = getattr(self._module, name)
        if not isinstance(value, types.FunctionType):
            return value   # constants, classes (a reference Value is built fresh every time)
        if name not in self._functions:
            self._functions[name] = lambda *args, **kwargs: self._call(name, value, args, kwargs)[0]
        return self._functions[name]

    def time_of(self, name: str, args: tuple, kwargs: dict) -> float | None:
        """Seconds the reference takes for this call (computing it if need be, remembered on disk
        for this machine and this version of the reference), or None when it has no such function."""
        key = call_key(name, args, kwargs)

        def measure() -> list[float]:
            function = getattr(self._module, name, None)
            if not callable(function):
                return [-1.0]
            try:
                return [self._call(name, function, args, kwargs)[1]]
            except Exception:
                return [-1.0]

        if key is None:
            seconds = measure()[0]
        else:
            seconds = memo("reference-time", (self._name, self._version, key), measure)[0]
        return None if seconds < 0 else seconds

    def _call(self, name: str, function, args: tuple, kwargs: dict):
        key = call_key(name, args, kwargs)
        if key is not None and key in self._answers:
            frozen, result, seconds = self._answers[key]
            return (pickle.loads(frozen) if frozen is not None else copy.deepcopy(result)), seconds
        started = time.perf_counter()
        result = function(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        seconds = time.perf_counter() - started
        if key is not None:
            try:
                frozen = pickle.dumps(result)   # faster to thaw than a deep copy of arrays in lists
                self._answers[key] = (frozen, None, seconds)
            except Exception:
                self._answers[key] = (None, copy.deepcopy(result), seconds)
        return result, seconds


    def sealed_answers(self, name: str, helpers: tuple, args: tuple, kwargs: dict) -> list:
        """What `helpers` answer when the reference's `name` runs on these inputs, every question
        sealed by its own inputs (protocol.seal): sent with a call of the student's `name` judged
        alone, they spare the stand-ins a round trip per call on a correct answer's path."""
        key = call_key(f"sealed:{name}:{','.join(helpers)}", args, kwargs)

        def run(namespace: dict) -> None:
            namespace[name](*copy.deepcopy(args), **copy.deepcopy(kwargs))
        return self._sealed(key, helpers, run)

    def sealed_answers_for_code(self, codes: tuple[str, ...], helpers: tuple) -> list:
        """The same for trusted code (a notebook's public check) run with the reference's functions
        in the notebook's place: a check that trains a model asks its stand-ins thousands of times."""
        key = call_key(f"sealed-code:{','.join(helpers)}", list(codes), {})

        def run(namespace: dict) -> None:
            namespace.setdefault("np", np)
            with contextlib.redirect_stdout(io.StringIO()):
                for code in codes:
                    exec(compile(code, "<public check>", "exec"), namespace)  # noqa: S102 - our own public cells
        return self._sealed(key, helpers, run)

    def _sealed(self, key: str | None, helpers: tuple, run) -> list:
        if key is not None and key in self._answers:
            return self._answers[key][1]
        stored = _SealedStore(self._name, self._version, key) if key is not None else None
        table = stored.load() if stored is not None else None
        if table is None:
            started = time.perf_counter()
            table = self._record_sealed(helpers, run)
            if stored is not None and time.perf_counter() - started >= STORE_AFTER:
                stored.save(table)
        if key is not None:
            self._answers[key] = (None, table, 0.0)
        return table

    def _record_sealed(self, helpers: tuple, run) -> list:
        entries: dict[str, list] = {}
        namespace = dict(vars(self._module))

        def recording(helper: str, function):
            def answer(*a, **k):
                try:
                    asked = protocol.question(helper, a, k)   # the inputs as they are now
                except TypeError:
                    asked = None
                result = function(*a, **k)
                if asked is not None and len(entries) < SEALED_MAX:
                    try:
                        entries.setdefault(protocol.seal_id(asked), protocol.seal(asked, protocol.pack_answer(result)))
                    except (protocol.ProtocolError, ValueError, TypeError):
                        pass
                return result
            return answer

        module_globals = vars(self._module)
        for function_name, value in list(namespace.items()):   # so that they call the recording helpers
            if isinstance(value, types.FunctionType) and value.__globals__ is module_globals:
                namespace[function_name] = _rebound(value, namespace)
        for helper in helpers:
            namespace[helper] = recording(helper, _rebound(getattr(self._module, helper), namespace))
        try:
            run(namespace)
        except Exception:
            entries = {}
        return list(entries.values())


class _SealedStore:
    """A sealed table on disk, beside oracle.memo's cache: the reference's training runs that
    fill one cost each worker most of a second per batch, and they are the same every time. The
    file's name covers the reference's source, the call and the code that seals, so an edit of
    any of them is a new file, never a stale table."""

    def __init__(self, module: str, version: str, key: str):
        sealing = (*code_sources(protocol.seal), *code_sources(protocol.pack_answer),
                   *code_sources(protocol.question), *code_sources(Remembered._record_sealed))
        name = protocol.key_of("sealed", module, version, key, *sealing)
        self.path = cache_path().parent / "sealed" / f"{name[:40]}.json"

    def load(self) -> list | None:
        try:
            table = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None
        valid = isinstance(table, list) and all(
            isinstance(entry, list) and len(entry) == 2 and all(isinstance(part, str) for part in entry)
            for entry in table)
        return table if valid else None

    def save(self, table: list) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, json.dumps(table, separators=(",", ":")))
        except OSError:
            pass   # a read-only home only costs speed


SEALED_MAX = 20000   # answers per call (a training run of a few thousand steps)
# Only a table this slow to make is worth a file: the trainings on the hidden inputs are (0.1-0.7 s
# each); a quick one, often for inputs a student's own answers made (ps5's backward pass gets the
# student's forward cache), would only add a file per student and question.
STORE_AFTER = 0.02


def _rebound(function, namespace: dict):
    """`function` looking its globals up in `namespace` (where helpers are recorded)."""
    if not isinstance(function, types.FunctionType):
        return function
    copy_ = types.FunctionType(function.__code__, namespace, function.__name__, function.__defaults__,
                               function.__closure__)
    copy_.__kwdefaults__ = function.__kwdefaults__
    return copy_


@lru_cache(maxsize=None)
def remembered(assignment_id: str) -> Remembered:
    """The remembered reference of an assignment (one per process)."""
    return Remembered(f"solutions.{assignment_id}")
