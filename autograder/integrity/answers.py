"""A compact digest of what a function that lost points returned on the hidden inputs.

Written into results.json (`answers`, trusted side only) by the grading plugin, so that the
integrity report can tell which students gave the *same wrong numbers* on inputs none of them
saw. Values are rounded to a tolerance before hashing: two students who computed one wrong
formula in different ways get one digest. A digest reveals nothing about an expected value,
but is still never shown to a student (server.student_view drops it).
"""
from __future__ import annotations

import hashlib
import math

import numpy as np

from autograder.testkit.diagnosis import Raised
from autograder.sandbox.protocol import Opaque, TensorData

DIGITS = 6          # significant digits kept: far coarser than float noise, far finer than formulas
TINY = 1e-9         # below this a number is 0 (float noise around zero has no sign to compare)


def digest(results: list) -> str | None:
    """The digest of a function's answers, in the order its tests called it; None when there is
    no evidence in them (no call, or every call raised or returned None: a placeholder)."""
    if not results or all(isinstance(r, Raised) or r is None for r in results):
        return None
    hasher = hashlib.blake2b(digest_size=10)
    for value in results:
        hasher.update(_plain(value).encode("utf-8", "replace"))
        hasher.update(b"\x1e")
    return hasher.hexdigest()


def of_calls(evidence: dict) -> dict[str, str]:
    """{function: digest} for every function whose tests failed (grading plugin's evidence)."""
    found = {}
    for grade_id, seen in evidence.items():
        if not seen.failures:
            continue
        value = digest([c.result for c in seen.calls])
        if value is not None:
            found[grade_id] = value
    return found


def _plain(value, depth: int = 0) -> str:
    if depth > 20:
        return "…"
    if isinstance(value, Raised):
        return f"!{value.type}"
    if isinstance(value, TensorData):
        return "T" + _plain(value.array, depth + 1)
    if isinstance(value, Opaque):
        return f"?{value.type}"
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return _number(float(value))
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iufb":
            flat = value.astype(float).ravel()
            return f"A{value.shape}[" + ",".join(_number(x) for x in flat[:100_000]) + "]"
        return f"A{value.dtype}{value.shape}"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_plain(k, depth + 1)}:{_plain(v, depth + 1)}"
                              for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_plain(v, depth + 1) for v in value) + "]"
    return f"{type(value).__name__}:{str(value)[:200]}"


def _number(x: float) -> str:
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if abs(x) < TINY:
        return "0"
    return f"{x:.{DIGITS}g}"
