"""Naming the mistake a student made, in their terms.

A hidden test says *that* an answer is wrong; a diagnosis says *which* mistake it is. When a test
fails, three sources are asked in turn:

1. the test itself, when it checked a property that names the mistake
   (`fail(message, diagnosis=("mutates_input", "..."))`);
2. how the student's code failed to answer (not written yet, missing, hung, crashed, raised);
3. the suite's *mistake models* (`autograder/suites/<assignment>/mistakes.py`): the wrong
   formulas students really write, as trusted functions with the graded function's signature.
   Every call the function's tests made with plain inputs is replayed through each model, here; a
   model that reproduces every answer the student's function gave, where the reference does not,
   names the mistake. When no single model does, two mistakes made together are tried: variants
   of one `Family` that change different parts of the formula.

A function gets one cause (`function_cause`), decided once from all its tests; every message
about the function says it first. A diagnosis describes a formula or a habit, never a hidden
expected value; what gives the answer away is marked ⟪ ⟫ (autograder/course/hints.py).
"""
from __future__ import annotations

import copy
import functools
import importlib
import itertools
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from autograder.course.results import Diagnosis
from autograder.sandbox.protocol import Opaque, TensorData
from autograder.testkit.reference import call_key

PUBLIC = "公开测试"   # (autograder.testkit.student.PUBLIC: what a public check's call is called)

RTOL, ATOL = 1e-7, 1e-10   # "the same answer": far tighter than any difference between formulas


@dataclass(frozen=True)
class Model:
    """A wrong formula: `compute` takes the graded function's arguments (trusted functions in
    place of the test's Fn) and returns what that mistake gives. `section` names the notebook's
    section that explains the idea (its number, e.g. "4.1", or its title); `combined` marks a
    model of two mistakes made together, tried only when no single one explains the answers."""
    code: str
    text: str
    compute: Callable
    section: str = ""
    combined: bool = False
    changes: dict = field(default_factory=dict, compare=False, hash=False)
    covers: tuple = ()   # properties a test names that this mistake itself explains (e.g. mutates_input)


def model(code: str, text: str, section: str = "", covers: tuple = ()):
    """Decorator for a mistake model in a suite's mistakes.py."""
    def wrap(function: Callable) -> Model:
        return Model(code, text, function, section, covers=tuple(covers))
    return wrap


def both(first: str, second: str) -> str:
    """The text of two mistakes made together."""
    return f"两处错误同时出现。① {first} ② {second}"


def combined_code(*codes: str) -> str:
    """One code for mistakes made together: every part once, in alphabetical order."""
    return "+".join(sorted({part for code in codes for part in code.split("+")}))


class Family:
    """Mistakes that are one formula with a part changed: `base(*args, **changes)` computes the
    formula, each variant changes some of its keywords. Two variants that change different parts
    combine (`pairs`) into the model of both mistakes made together -- a sign flipped *and* the
    factor 2 missing -- named as such."""

    def __init__(self, base: Callable, exclusive: tuple[str, ...] = ()):
        self.base = base
        self.exclusive = set(exclusive)   # keywords of which one change at a time makes sense
        self.variants: list[Model] = []

    def variant(self, code: str, text: str, section: str = "", **changes) -> Model:
        found = Model(code, text, functools.partial(self.base, **changes), section, changes=changes)
        self.variants.append(found)
        return found

    def pairs(self) -> list[Model]:
        made: list[Model] = []
        for a, b in itertools.combinations(self.variants, 2):
            if a.code == b.code or set(a.changes) & set(b.changes) \
                    or len((set(a.changes) | set(b.changes)) & self.exclusive) > 1:
                continue
            first, second = sorted((a, b), key=lambda m: m.code)
            made.append(Model(combined_code(a.code, b.code), both(first.text, second.text),
                              functools.partial(self.base, **a.changes, **b.changes),
                              first.section or second.section, combined=True, changes={**a.changes, **b.changes}))
        return made


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
    on at least one), or None. Single mistakes first; two made together only when none explains."""
    found = explaining(grade_id, models, calls, reference)
    return found.diagnosis(grade_id) if found else None


@dataclass
class _Found:
    model: Model

    def diagnosis(self, grade_id: str) -> Diagnosis:
        return Diagnosis(f"{grade_id}.{self.model.code}", self.model.text, self.model.section)


def explaining(grade_id: str, models: list[Model], calls: list[Call], reference, project=None) -> _Found | None:
    """The one model that explains every answer (see `candidates`), or None."""
    found = candidates(grade_id, models, calls, reference, project)
    return _Found(next(iter(found.values()))) if len(found) == 1 else None


def candidates(grade_id: str, models: list[Model], calls: list[Call], reference, project=None) -> dict[str, Model]:
    """{code: model} of the models that reproduce every recorded answer of `grade_id` where the
    reference does not: single mistakes, else two made together. More than one: the answers do
    not tell them apart. `project` picks the part of an answer that is compared (ps5's forward:
    its scores, not its cache, whose layout is the student's); a Raised is compared as it is."""
    mine = [c for c in calls if c.name == grade_id]
    if not mine or not models:
        return {}
    view = (lambda value: value) if project is None else \
        (lambda value: value if isinstance(value, Raised) else project(value))
    answers = [view(c.result) for c in mine]
    expected: list = []   # the reference's answers, computed when a model first explains everything
    for tier in ([m for m in models if not m.combined], [m for m in models if m.combined]):
        found: dict[str, Model] = {}
        for candidate in tier:
            produced = []
            for call, answer in zip(mine, answers):   # dropped at its first wrong answer: replays can be whole trainings
                produced.append(view(_run(candidate.compute, call)))
                if not same(produced[-1], answer):
                    break
            else:
                if not expected:
                    expected = [view(_run(getattr(reference, grade_id, None), c)) for c in mine]
                if all(same(p, e) for p, e in zip(produced, expected)):
                    continue   # indistinguishable from the right answer on these inputs: no evidence
                found.setdefault(candidate.code, candidate)
        if found:
            return found
    return {}


@dataclass
class Failure:
    """What one failed graded test of a function said about the cause: a property it checked that
    names the mistake (`named`), or how the student's code failed to answer (`problem`)."""
    named: Diagnosis | None = None
    problem: Diagnosis | None = None


FATAL = (".not_implemented", ".missing", ".hung", ".crashed")   # the code did not answer at all


def function_cause(grade_id: str, failures: list[Failure], calls: list[Call], models: list[Model],
                   reference) -> Diagnosis | None:
    """The one cause of a function's lost points, from all of its tests: how its code failed to
    answer, else the mistake model that explains every answer it gave (alone, or with a property a
    test named, or with a way it raised), else the property a test named, else how it raised."""
    if not failures:
        return None
    problems = [f.problem for f in failures if f.problem is not None]
    for ending in FATAL:
        fatal = [p for p in problems if p.code.endswith(ending)]
        if fatal and (ending != ".not_implemented" or len(fatal) == len(failures)):
            return fatal[0]
    named = _named([f.named for f in failures if f.named is not None], grade_id)
    raised = _most_common([p for p in problems if not p.code.endswith(FATAL)])
    explained = explaining(grade_id, models, calls, reference)
    found = explained.diagnosis(grade_id) if explained else None
    if found is None and raised is not None:
        # The answers it gave fit a model, and where it raised is a second mistake of its own.
        answered = [c for c in calls if not isinstance(c.result, Raised)]
        if answered and len(answered) < len([c for c in calls if c.name == grade_id]):
            alone = from_models(grade_id, models, answered, reference)
            if alone is not None:
                return join(grade_id, alone, raised)
    if found is not None:
        covered = {f"{grade_id}.{code}" for code in explained.model.covers} | {found.code}
        return found if named is None or named.code in covered else join(grade_id, found, named)
    return named or raised


def join(grade_id: str, first: Diagnosis, second: Diagnosis) -> Diagnosis:
    """Two mistakes of one function, made together, as one cause."""
    a, b = sorted((first, second), key=lambda d: d.code)
    prefix = f"{grade_id}."
    return Diagnosis(prefix + combined_code(a.code.removeprefix(prefix), b.code.removeprefix(prefix)),
                     both(a.text, b.text), first.section or second.section)


def _named(found: list[Diagnosis], grade_id: str) -> Diagnosis | None:
    """What the tests named: one property, or two made together (two distinct properties)."""
    distinct = list({d.code: d for d in found}.values())
    if len(distinct) == 2:
        return join(grade_id, *distinct)
    return _most_common(found)


def _most_common(found: list[Diagnosis]) -> Diagnosis | None:
    if not found:
        return None
    code, _ = Counter(d.code for d in found).most_common(1)[0]
    return next(d for d in found if d.code == code)


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
        if x.shape != y.shape:
            return False
        if x.size <= SMALL:   # np.isclose's rule, number by number: several times cheaper for a few
            return all(p == q or (p != p and q != q) or (math.isfinite(p) and math.isfinite(q)
                                                         and abs(p - q) <= ATOL + RTOL * abs(q))
                       for p, q in zip(x.ravel().tolist(), y.ravel().tolist()))
        return bool(np.all(np.isclose(x, y, rtol=RTOL, atol=ATOL, equal_nan=True)))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, (np.ndarray, np.generic)) or isinstance(b, (np.ndarray, np.generic)):
        return False   # numeric ones were compared above; anything else is not the same answer
    try:
        return bool(a == b)
    except Exception:
        return False


_FLOATS = (float, np.float64)
SMALL = 64


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
