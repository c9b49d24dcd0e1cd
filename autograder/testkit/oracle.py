"""Test functions given to student code, and their exact derivatives by real torch autograd.

A `Smooth` function is written once with a module placeholder `{m}`; it becomes numpy source
for the student process and torch source for autograd here. Importing torch costs about two
seconds, so torch results are memoised on disk (`memo`), keyed by the sources and the exact
input bytes: computed by real torch once, reused by every later run (a cache, never an edit).
"""
from __future__ import annotations

import inspect
import json
import math
import os
import types
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder.course.results import write_atomically
from autograder.sandbox.protocol import SOURCE, key_of


@dataclass(frozen=True)
class Fn:
    """A trusted function given to student code, as Python source evaluated on the student side
    with np, math (and torch, when loaded) in scope. `source` is evaluated here too, by tests
    that need the same function for the reference."""
    source: str
    describe: str = ""

    def local(self):
        # Made once per source and process: tests ask for the same few functions thousands of
        # times in a batch, and evaluating the source each time was 3 % of a ps2 worker's time.
        function = _LOCAL_FNS.get(self.source)
        if function is None:

            namespace = {"np": np, "numpy": np, "math": math, "torch": _LAZY_TORCH}
            function = eval(self.source, namespace)  # noqa: S307 - our own constant source
            try:
                setattr(function, SOURCE, self.source)   # how a key holds it (protocol.canonical)
            except AttributeError:
                pass
            _LOCAL_FNS[self.source] = function
        return function


_LOCAL_FNS: dict[str, object] = {}


class _LazyTorch:
    """torch, imported the first time a trusted function here really uses it (a diagnosis
    replaying a torch question): most grading never does, and the import costs two seconds."""

    def __getattr__(self, name: str):
        import torch
        return getattr(torch, name)


_LAZY_TORCH = _LazyTorch()


@dataclass(frozen=True)
class Smooth:
    template: str          # e.g. "lambda x: {m}.sin(x) * x**2"
    describe: str          # e.g. "f(x) = sin(x)·x²"

    @property
    def fn(self) -> Fn:
        return Fn(self.template.format(m="np"), self.describe)

    def numpy(self):
        return self.fn.local()

    @property
    def torch_source(self) -> str:
        return self.template.format(m="torch")


def cache_path() -> Path:
    base = os.environ.get("AUTOGRADER_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "autograder")
    return Path(base) / "autograd.json"


class _Cache:
    def __init__(self):
        self.values: dict[str, list[float]] | None = None

    def load(self) -> dict[str, list[float]]:
        if self.values is None:
            try:
                self.values = json.loads(cache_path().read_text())
            except (OSError, ValueError):
                self.values = {}
        return self.values

    def store(self, key: str, value: list[float]) -> None:
        self.load()[key] = value
        try:
            write_atomically(cache_path(), json.dumps(self.values))
        except OSError:
            pass  # a read-only home only costs speed


_cache = _Cache()


def code_sources(function) -> tuple[str, ...]:
    """The source of `function` and of each function of its own module that it calls, directly or
    not (what decides its answer besides its arguments). Once per code object and process."""
    code = function.__code__
    known = _SOURCES.get(id(code))   # by identity: equal code objects of two files may call different helpers
    if known is None or known[0] is not code:
        texts: list[str] = []
        _collect(code, function.__globals__, function.__module__, set(), texts, nested=False)
        known = _SOURCES[id(code)] = (code, tuple(texts))
    return known[1]


_SOURCES: dict[int, tuple[types.CodeType, tuple[str, ...]]] = {}


def _collect(code: types.CodeType, namespace: dict, module: str, seen: set, texts: list, nested: bool) -> None:
    if id(code) in seen:
        return
    seen.add(id(code))
    if not nested:   # a nested function's text is inside its parent's
        try:
            texts.append(inspect.getsource(code))
        except (OSError, TypeError):   # no source file: the compiled code says the same
            texts.append(code.co_code.hex() + repr(code.co_consts))
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _collect(const, namespace, module, seen, texts, nested=True)
    for name in code.co_names:
        value = namespace.get(name)
        if isinstance(value, types.FunctionType) and value.__module__ == module:
            _collect(value.__code__, value.__globals__, module, seen, texts, nested=False)


def memo(kind: str, parts: tuple, compute) -> list[float]:
    """`compute()` (a list of floats, computed with real torch), remembered on disk under
    `kind`, `parts` (sources and exact inputs) and the source of `compute` with every function of
    its module it calls: torch runs once per distinct question, and an edit of how the answer is
    computed (a suite's `_torch_mf_loss`) is a new question, never a stale answer."""
    key = key_of(kind, *code_sources(compute), *parts)
    cached = _cache.load().get(key)
    if cached is None:
        cached = [float(v) for v in compute()]
        _cache.store(key, cached)
    return cached


def _torch_gradient(source: str, x: np.ndarray) -> list[float]:
    import torch

    point = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    value = eval(source, {"torch": torch})(point)  # noqa: S307 - our own constant source
    (gradient,) = torch.autograd.grad(value, point, allow_unused=True)
    result = np.zeros_like(x) if gradient is None else gradient.detach().numpy().astype(np.float64)
    return result.ravel().tolist()


def autograd_gradient(function: Smooth | str, x) -> np.ndarray:
    """∇f(x) by torch autograd in float64 (x: a float or a 1-D array)."""
    source = function.torch_source if isinstance(function, Smooth) else function
    x = np.asarray(x, dtype=np.float64)
    values = memo("grad", (source, x), lambda: _torch_gradient(source, x))
    return np.array(values, dtype=np.float64).reshape(x.shape)


def autograd_derivative(function: Smooth | str, x: float) -> float:
    return float(autograd_gradient(function, float(x)))
