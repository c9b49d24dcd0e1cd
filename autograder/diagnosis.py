"""Naming the mistake a student made, in their terms.

A hidden test says *that* an answer is wrong; a diagnosis says *which* mistake it is. When a test
fails, three sources are asked in turn:

1. the test itself, when it checked a property that names the mistake
   (`fail(message, diagnosis=("mutates_input", "..."))`);
2. how the student's code failed to answer (not written yet, missing, hung, crashed, raised);
3. the suite's *mistake models* (`autograder/suites/<assignment>/mistakes.py`): the wrong
   formulas students really write, as trusted functions with the graded function's signature.
   Every call the test made with plain inputs is replayed through each model, here; a model that
   reproduces every answer the student's function gave, where the reference does not, names the
   mistake.

A diagnosis describes a formula or a habit, never a hidden expected value.
"""
from __future__ import annotations

import copy
import importlib
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from autograder.protocol import Opaque, TensorData
from autograder.reference import call_key
from autograder.results import Diagnosis

PUBLIC = "公开测试"   # (autograder.student.PUBLIC: what a public check's call is called)

RTOL, ATOL = 1e-7, 1e-10   # "the same answer": far tighter than any difference between formulas


@dataclass(frozen=True)
class Model:
    """A wrong formula: `compute` takes the graded function's arguments (trusted functions in
    place of the test's Fn) and returns what that mistake gives."""
    code: str
    text: str
    compute: Callable


def model(code: str, text: str):
    """Decorator for a mistake model in a suite's mistakes.py."""
    def wrap(function: Callable) -> Model:
        return Model(code, text, function)
    return wrap


@dataclass
class Call:
    """One call of a graded function by a test, with inputs the trusted side can replay."""
    name: str
    args: tuple
    kwargs: dict
    result: object


def models_of(assignment_id: str) -> dict[str, list[Model]]:
    try:
        module = importlib.import_module(f"autograder.suites.{assignment_id}.mistakes")
    except ModuleNotFoundError:
        return {}
    return getattr(module, "MISTAKES", {})


def from_models(grade_id: str, models: list[Model], calls: list[Call], reference) -> Diagnosis | None:
    """The model that explains every recorded answer of `grade_id` (and differs from the reference
    on at least one), or None."""
    mine = [c for c in calls if c.name == grade_id]
    if not mine or not models:
        return None
    expected: list = []   # the reference's answers, computed when a model first explains everything
    found: dict[str, Model] = {}
    for candidate in models:
        produced = []
        for call in mine:   # a model is dropped at its first wrong answer: replays can be whole trainings
            produced.append(_run(candidate.compute, call))
            if not same(produced[-1], call.result):
                break
        else:
            if not expected:
                expected = [_run(getattr(reference, grade_id, None), c) for c in mine]
            if all(same(p, e) for p, e in zip(produced, expected)):
                continue   # indistinguishable from the right answer on these inputs: no evidence
            found.setdefault(candidate.code, candidate)
    if len(found) != 1:
        return None    # none, or two mistakes that give the same answers here: rather say nothing
    (candidate,) = found.values()
    return Diagnosis(f"{grade_id}.{candidate.code}", candidate.text)


@dataclass(frozen=True)
class Raised:
    """A call that raised instead of answering (a model may reproduce that too)."""
    type: str


_REPLAYS: dict[tuple, tuple] = {}   # (function, call) -> (function, answer); hidden inputs recur for a whole class
_REPLAYS_MAX = 2000


def _run(function, call: Call):
    if function is None:
        return Raised("<none>")
    key = call_key(call.name, call.args, call.kwargs)
    if key is None:
        return _compute(function, call)
    kept = _REPLAYS.get((id(function), key))
    if kept is not None and kept[0] is function:
        return kept[1]
    answer = _compute(function, call)
    if len(_REPLAYS) >= _REPLAYS_MAX:
        _REPLAYS.clear()
    _REPLAYS[(id(function), key)] = (function, answer)   # the function kept: its id is never reused
    return answer


def _compute(function, call: Call):
    try:
        with np.errstate(all="ignore"):
            return function(*copy.deepcopy(call.args), **copy.deepcopy(call.kwargs))
    except Exception as exc:
        return Raised(type(exc).__name__)


def same(a, b) -> bool:
    """Whether two plain values are the same answer (numbers within a hair, shapes exact)."""
    if type(a) in _FLOATS and type(b) in _FLOATS:   # np.isclose's rule, without numpy: histories hold thousands
        if a == b or (a != a and b != b):
            return True
        return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= ATOL + RTOL * abs(b)
    if isinstance(a, Raised) or isinstance(b, Raised):
        return isinstance(a, Raised) and isinstance(b, Raised) and a.type == b.type
    if isinstance(b, TensorData):
        b = b.array
    if isinstance(a, TensorData):
        a = a.array
    if isinstance(a, Opaque) or isinstance(b, Opaque):
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, (list, tuple, dict)) or isinstance(b, (list, tuple, dict)):
        return False   # a list is not an array or a number, however numpy would broadcast them
    if _numeric(a) and _numeric(b):
        x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        return x.shape == y.shape and bool(np.all(np.isclose(x, y, rtol=RTOL, atol=ATOL, equal_nan=True)))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, (np.ndarray, np.generic)) or isinstance(b, (np.ndarray, np.generic)):
        return False   # numeric ones were compared above; anything else is not the same answer
    try:
        return bool(a == b)
    except Exception:
        return False


_FLOATS = (float, np.float64)


def _numeric(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, np.number)):
        return True
    return isinstance(value, np.ndarray) and value.dtype.kind in "iufb"


# ------------------------------------------------------------------ how code failed to answer

NOT_IMPLEMENTED = "还没有实现：函数里仍然是 raise NotImplementedError()。"


def from_problem(grade_id: str, problem) -> Diagnosis | None:
    """A diagnosis from a StudentProblem (the student's code did not give an answer)."""
    detail = problem.detail or {}
    if problem.kind == "raised" and detail.get("type") == "NotImplementedError":
        return Diagnosis(f"{grade_id}.not_implemented", NOT_IMPLEMENTED)
    if problem.kind == "missing":
        return Diagnosis(f"{grade_id}.missing", f"笔记本里找不到 {grade_id}（被删掉、改了名字，或定义它的单元格出错了）。")
    if problem.kind == "timeout":
        return Diagnosis(f"{grade_id}.hung", "运行超时：很可能是死循环，或循环的结束条件永远不成立。")
    if problem.kind == "died":
        return Diagnosis(f"{grade_id}.crashed", "运行你代码的进程终止了（内存用尽、os._exit / sys.exit，或程序崩溃）。")
    if problem.kind == "raised" and problem.what == PUBLIC and detail.get("type") == "AssertionError":
        return None   # the public check's own message says what is wrong
    if problem.kind == "raised":
        message = str(detail.get("message", ""))
        if detail.get("type") == "TypeError" and "unsupported operand type(s) for ^" in message:
            return Diagnosis(f"{grade_id}.xor_not_power",
                             "在 Python 里 ^ 是按位异或（XOR），不是乘方：平方要写成 x ** 2（数学里的 x^2）。")
        if detail.get("type") == "TypeError" and ("only length-1 arrays" in message or "only 0-dimensional" in message
                                                  or "only size-1 arrays" in message):
            return Diagnosis(f"{grade_id}.not_elementwise",
                             "把数组当成了一个数：float()、math.xxx 只能处理单个数，对数组要用 NumPy 的逐元素运算（np.sin、**、*）。")
        return Diagnosis(f"{grade_id}.raises.{detail.get('type', 'Exception')}",
                         f"你的代码抛出了 {detail.get('type', '异常')}（看下面的出错位置）。")
    return None
