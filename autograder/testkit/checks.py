"""The vocabulary of the hidden suites: how a test declares what it checks and how it says,
in the student's terms, what went wrong. Messages never contain an expected value of a hidden
case: they describe the property in words.
"""
from __future__ import annotations

import math
import signal

import numpy as np

from autograder.course.hints import formula
from autograder.sandbox.protocol import Opaque, TensorData
from autograder.testkit.student import PUBLIC, StudentProblem


class Mistake(AssertionError):
    """A test found a mistake; the message is shown to the student as it is. A test that knows
    which mistake it is names it: `diagnosis` = (code, text), see autograder/testkit/diagnosis.py."""

    def __init__(self, message: str, diagnosis: tuple[str, str] | None = None):
        super().__init__(message)
        self.diagnosis = diagnosis


def graded(what: str, points: float = 1):
    """Mark a test with what it checks (shown to students) and the points it is worth."""
    import pytest   # here: the instructor's process explains results with this module, without pytest
    return pytest.mark.graded(what=what, points=points)


def fail(message: str, diagnosis: tuple[str, str] | None = None):
    raise Mistake(message, diagnosis)


# ------------------------------------------------------------------------------- values

def as_number(value, what: str) -> float:
    """`value` as a float, or a Mistake explaining that a number was expected."""
    if isinstance(value, TensorData) and value.array.size == 1:
        return float(value.array.reshape(()))
    if isinstance(value, (bool, np.bool_)):
        fail(f"{what} 应该返回一个数，却返回了布尔值 {value}。")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        return float(value.reshape(()))
    fail(f"{what} 应该返回一个数（float），却返回了 {describe_type(value)}。")


def as_array(value, what: str) -> np.ndarray:
    """`value` as a float64 array, or a Mistake explaining what came back instead."""
    if isinstance(value, TensorData):
        value = value.array
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
                                                for v in value):
        value = np.array(value, dtype=float)
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        value = np.array(value, dtype=float)
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "iufb":
        fail(f"{what} 应该返回一个数值数组（numpy array），却返回了 {describe_type(value)}。")
    return value.astype(float)


def describe_type(value) -> str:
    if isinstance(value, Opaque):
        return f"一个 {value.type.rsplit('.', 1)[-1]} 对象"
    if value is None:
        return "None（是不是忘了 return？）"
    if isinstance(value, np.ndarray):
        return f"形状为 {value.shape}、类型为 {value.dtype} 的数组"
    if isinstance(value, TensorData):
        return f"torch 张量（tensor，形状 {value.array.shape}）"
    return f"{type(value).__name__} 类型的值"


_NUMBERS = (float, int, np.float64)


def is_close(actual, expected, rtol: float, atol: float) -> bool:
    """np.isclose's rule (nan is never close), all of it; two plain numbers without numpy, which
    costs 30 times less and is most of what a suite compares."""
    if type(actual) in _NUMBERS and type(expected) in _NUMBERS:
        a, b = float(actual), float(expected)
        if a == b:   # equal infinities too
            return True
        return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= atol + rtol * abs(b)
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    if actual.shape != expected.shape:
        return False
    if actual.size <= SMALL:   # an optimiser's step, a gradient: the same rule number by number
        return all(a == b or (math.isfinite(a) and math.isfinite(b) and abs(a - b) <= atol + rtol * abs(b))
                   for a, b in zip(actual.ravel().tolist(), expected.ravel().tolist()))
    return bool(np.all(np.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=False)))


SMALL = 64   # up to this many numbers, a Python loop is several times cheaper than np.isclose


def expect_number(value, expected: float, what: str, rtol: float, atol: float,
                  hint: str = "", public: bool = False, mismatch: str = "与正确结果不一致。") -> None:
    """`what` (the call, with its inputs) returned `value`; it must be close to `expected`. The
    message says what the student's code returned, never a hidden expected value (`public`: the
    notebook shows this case, so it may)."""
    number = as_number(value, what)
    if math.isnan(number):
        fail(f"{what} 返回了 nan。{hint}")
    if not is_close(number, expected, rtol, atol):
        shown = f"期望约为 {expected:.6g}。" if public else mismatch
        fail(f"{what} 返回了 {shown_number(number)}，{shown}{hint}")


def expect_array(value, expected: np.ndarray, what: str, rtol: float, atol: float,
                 hint: str = "", public: bool = False, mismatch: str = "与正确结果不一致。") -> np.ndarray:
    array = as_array(value, what)
    expected = np.asarray(expected, dtype=float)
    if array.shape != expected.shape:
        fail(f"{what} 的形状（shape）应该是 {expected.shape}，你的结果是 {array.shape}。")
    if not is_close(array, expected, rtol, atol):
        shown = f"期望约为 {shown_array(expected)}。" if public else mismatch
        fail(f"{what} 返回了 {shown_array(array)}，{shown}{hint}")
    return array


def _nested(array: np.ndarray) -> str:
    if array.ndim == 0:
        return f"{array.item():.6g}" if array.dtype.kind in "fc" else str(array.item())
    return "[" + ", ".join(_nested(row) for row in array) + "]"


def shown_number(number: float) -> str:
    return f"{number:.6g}"


def shown_array(array, items: int = 8) -> str:
    """An array on one line: every value when it is small, else its shape and its first values."""
    array = np.asarray(array)
    if array.size <= items:
        return _nested(array)
    first = ", ".join(f"{v:.6g}" for v in array.ravel()[:4])
    return f"形状 {array.shape} 的数组（前几个元素 {first}, …）"


def each(cases, check) -> None:
    """`check(*case)` for every case, then the first failure: the diagnosis replays every answer
    the student's code gave, so a test that tells mistakes apart by its later cases makes them all.
    A call that never returned ends the test at once (its later calls would fail at once too)."""
    first = None
    for case in cases:
        try:
            check(*case)
        except Mistake as failure:
            first = first or failure
        except StudentProblem as problem:
            if problem.kind != "raised":
                raise
            first = first or problem
    if first is not None:
        raise first


# --------------------------------------------------------------------- student problems

def explain(problem: StudentProblem) -> str:
    """A student-facing sentence for code that raised, hung, crashed or is missing."""
    detail = problem.detail
    if problem.kind == "missing":
        name = problem.what.split("(")[0]
        return (f"找不到 {name}：笔记本里没有定义它（是不是删掉了、改了名字，或者定义它的单元格出错了？"
                f"函数名必须和题目给出的一模一样）。")
    if problem.kind == "raised" and detail.get("type") == "NotImplementedError":
        if problem.what == PUBLIC:
            return "公开测试没有通过：函数还没有实现（里面仍然是 raise NotImplementedError()）。"
        return f"调用 {problem.what} 时发现它还没有实现：函数里仍然是 raise NotImplementedError()。"
    if problem.kind == "raised" and problem.what == PUBLIC and detail.get("type") == "AssertionError":
        # The notebook's own words, which may spell out the formula: in full at the formula level;
        # at the cause level the student's notebook shows them where the check is.
        where = f"笔记本里 {problem.name} 下面的自测单元格" if problem.name else "笔记本里的自测单元格"
        said = str(detail.get("message") or "断言失败").rstrip("。. ")
        return f"公开测试没有通过（运行{where}可以看到它的提示）" + formula(f"：{said}") + "。"
    if problem.kind == "raised":
        text = f"调用 {problem.what} 时，你的代码抛出了 {detail.get('type', '异常')}"
        if detail.get("message"):
            text += f": {detail['message']}"
        frames = detail.get("frames") or []
        if frames:
            text += "\n出错位置：" + "\n  ".join(frames[-3:])
        return text
    if problem.kind == "timeout" and detail.get("earlier"):
        name = problem.name or problem.what
        action = "没有运行公开测试" if problem.what == PUBLIC else f"没有再调用 {problem.what}"
        return (f"{action}：{name} 在前面的测试里已经超时没有结束"
                "（是不是死循环，或者循环条件永远不满足？），为了不让整份作业等下去，它后面的测试都直接算作未通过。")
    if problem.kind == "timeout":
        seconds = detail.get("seconds")
        limit = f"给它的时间（{seconds:g} 秒，参考答案所需时间的许多倍）" if isinstance(seconds, (int, float)) else "给它的时间"
        return f"调用 {problem.what} 超过了{limit}还没有结束（是不是死循环，或者循环条件永远不满足？）。"
    if problem.kind == "died":
        cause = ""
        if detail.get("signal"):
            try:
                cause = f"（信号 {signal.Signals(detail['signal']).name}）"
            except ValueError:
                cause = f"（信号 {detail['signal']}）"
        elif detail.get("exitcode") is not None:
            cause = f"（退出码 {detail['exitcode']}）"
        return (f"调用 {problem.what} 时，运行你代码的进程意外终止{cause}："
                "可能是内存用尽、调用了 os._exit / sys.exit，或者程序崩溃。")
    return f"调用 {problem.what} 返回的结果无法读取：{detail.get('message', '')}"


def evaluation_points(student, name: str, fn, *args, **kwargs) -> list:
    """Call `name` with a recording version of `fn` first; return the points fn was called at."""
    recording = student.recording(fn)
    student.call(name, recording, *args, **kwargs)
    calls = student.get(recording.calls)
    return [call[0] for call in calls if isinstance(call, list) and call]
