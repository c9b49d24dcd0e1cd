"""What ps2's hidden tests share: the functions given to student code, and helpers that read a
descent's `(x, history)` and compare it with the reference, in the student's terms.

Every function handed to student code is a trusted `Fn` (numpy source, evaluated on the
student side); `.local()` gives the same function here for the reference, so both sides run
the very same floating-point operations.
"""
from __future__ import annotations

import numpy as np

from autograder.testkit.checks import Mistake, as_number, describe_type, fail, is_close
from autograder.testkit.oracle import Smooth
from autograder.testkit.reference import remembered
from autograder.testkit.student import Fn
from autograder.testkit.tolerances import DESCENT

ref = remembered(__package__.rpartition(".")[2])   # this suite's reference, solutions/<assignment>.py


class Pair:
    """A function and its derivative (or gradient), as given to gradient_descent(_2d)."""

    def __init__(self, f: str, prime: str, describe: str, prime_describe: str, note: str = ""):
        self.f = Fn(f, describe)
        self.prime = Fn(prime, prime_describe)
        self.describe = describe + note

    def local(self):
        return self.f.local(), self.prime.local()


# ---------------------------------------------------------------------- one dimension

QUAD = Pair("lambda x: x**2 + 2*x + 1", "lambda x: 2*x + 2", "f(x) = x² + 2x + 1", "f'(x) = 2x + 2")      # the article's
SIN = Pair("lambda x: np.sin(x) + 0.5 * x**2", "lambda x: np.cos(x) + x", "f(x) = sin(x) + x²/2",
           "f'(x) = cos(x) + x")
DOUBLE_WELL = Pair("lambda x: x**4 - 3 * x**2 + x", "lambda x: 4 * x**3 - 6 * x + 1", "f(x) = x⁴ − 3x² + x",
                   "f'(x) = 4x³ − 6x + 1")
LOG_COSH = Pair("lambda x: np.log(np.cosh(x - 0.5))", "lambda x: np.tanh(x - 0.5)", "f(x) = ln cosh(x − 0.5)",
                "f'(x) = tanh(x − 0.5)")
# f'(x) = x: from x0 = 1 with learning_rate 0.5 every gradient is an exact power of 2.
HALF_SQUARE = Pair("lambda x: 0.5 * x**2", "lambda x: x", "f(x) = x²/2", "f'(x) = x")
# Never converges: the gradient is always 1, so every run takes exactly max_iterations steps.
SLOPE = Pair("lambda x: x", "lambda x: 1.0 + 0.0 * x", "f(x) = x", "f'(x) = 1", "（导数恒为 1，永远不会收敛）")


def quadratic(a: float, c: float) -> Pair:
    """f(x) = a (x − c)², minimum at c."""
    return Pair(f"lambda x: {a!r} * (x - {c!r})**2", f"lambda x: 2 * {a!r} * (x - {c!r})",
                f"f(x) = {a:g}·(x − {c:g})²", f"f'(x) = {2 * a:g}·(x − {c:g})")


# ---------------------------------------------------------------------- two dimensions

BOWL = Pair("lambda x, y: x**2 + y**2", "lambda x, y: np.array([2 * x, 2 * y])", "f(x, y) = x² + y²",
            "∇f = (2x, 2y)")
VALLEY = Pair("lambda x, y: x**2 + 10 * y**2", "lambda x, y: np.array([2 * x, 20 * y])", "f(x, y) = x² + 10y²",
              "∇f = (2x, 20y)")
COUPLED = Pair("lambda x, y: x**2 + x * y + 2 * y**2", "lambda x, y: np.array([2 * x + y, x + 4 * y])",
               "f(x, y) = x² + xy + 2y²", "∇f = (2x + y, x + 4y)")
SOFT = Pair("lambda x, y: np.log(1 + x**2) + (y - 1)**2",
            "lambda x, y: np.array([2 * x / (1 + x**2), 2 * (y - 1)])", "f(x, y) = ln(1 + x²) + (y − 1)²",
            "∇f = (2x / (1 + x²), 2(y − 1))")
# gradient (x, y): from (3, 4) with learning_rate 0.5 the gradient is (3, 4)·0.5ᵏ, its norm 5·0.5ᵏ.
HALF_BOWL = Pair("lambda x, y: 0.5 * (x**2 + y**2)", "lambda x, y: np.array([x, y])", "f(x, y) = (x² + y²)/2",
                 "∇f = (x, y)")
# Never converges: the gradient is always (1, −2).
PLANE = Pair("lambda x, y: x - 2 * y", "lambda x, y: np.array([1.0, -2.0]) + 0.0 * x",
             "f(x, y) = x − 2y", "∇f = (1, −2)", "（梯度恒为 (1, −2)，永远不会收敛）")

# gradient_2d's function, for torch autograd
F_2D = Smooth("lambda v: v[0]**2 + v[1]**2", "f(x, y) = x² + y²")


# ------------------------------------------------------------------------ reading results

def unpack(result, call: str):
    """(x, history) from what gradient_descent(_2d) returned, or a Mistake saying what came back."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        if isinstance(result, (tuple, list)):
            fail(f"{call} 应该返回两个值 (x, history)，你返回了 {len(result)} 个值。")
        fail(f"{call} 应该返回两个值 (x, history)（写 return x, history），却返回了 {describe_type(result)}。")
    x, history = result
    if isinstance(history, np.ndarray) and history.dtype.kind in "iuf":
        history = list(history)
    if not isinstance(history, (list, tuple)):
        fail(f"{call} 返回的第二个值 history 应该是一个列表，却是 {describe_type(history)}。")
    if len(history) == 0:
        fail(f"{call} 返回的 history 是空的：它应从起点开始，history = [x0]。")
    return x, history


def history_1d(history, call: str) -> np.ndarray:
    values = [as_number(h, f"{call} 的 history 里的元素") for h in history]
    return np.array(values, dtype=float)


def number_or_none(value):
    """A float, or None when `value` is not a single number (never raises)."""
    try:
        return as_number(value, "")
    except Mistake:
        return None


def same(a, b) -> bool:
    """a == b for plain data that came back from student code (never raises)."""
    try:
        return bool(a == b)
    except Exception:  # e.g. an array inside: ambiguous truth value
        return False


def same_array(value, original) -> bool:
    """`value` holds exactly the numbers of `original`, with the same dtype for arrays (never raises)."""
    try:
        if isinstance(original, np.ndarray):
            return isinstance(value, np.ndarray) and value.dtype == original.dtype and np.array_equal(value, original)
        return np.array_equal(np.asarray(value, dtype=float), np.asarray(original, dtype=float))
    except (ValueError, TypeError):
        return False


def history_2d(history, call: str) -> np.ndarray:
    rows = []
    for k, entry in enumerate(history):
        if isinstance(entry, (list, tuple)):
            try:
                entry = np.array(entry)
            except (ValueError, TypeError):
                entry = None
        if not isinstance(entry, np.ndarray) or entry.dtype.kind not in "iuf" or entry.shape != (2,):
            fail(f"{call} 的 history[{k}] 应该是形状为 (2,) 的 NumPy 数组，却是 {describe_type(entry)}。")
        rows.append(entry.astype(float))
    return np.array(rows)


def point_2d(x, call: str) -> np.ndarray:
    if isinstance(x, (list, tuple)):
        try:
            x = np.array(x)
        except (ValueError, TypeError):
            x = None
    if not isinstance(x, np.ndarray) or x.dtype.kind not in "iuf" or x.shape != (2,):
        fail(f"{call} 返回的 x 应该是形状为 (2,) 的 NumPy 数组，却是 {describe_type(x)}。")
    return x.astype(float)


# Named mistakes a replay cannot see (autograder/testkit/diagnosis.py): what the student did, in their terms.
HISTORY_ALIASING = ("history_aliasing",
                    "history 里存的是同一个数组对象：原地更新 x（x -= ... 或 x[...] = ...）之后直接 history.append(x)，"
                    "所有元素都指向同一个数组，最后都变成了终点。每次要追加一个副本（x.copy()），"
                    "或者每一步生成一个新数组。")
MUTATES_X0 = ("mutates_x0",
              "你修改了调用者传入的 x0：写 x = x0 之后原地更新 x（x -= ...），x0 也跟着变了。"
              "要先新建一个自己的浮点数组，之后只改它。")
HISTORY_SHARES_X0 = ("history_shares_x0",
                     "history[0] 就是调用者传入的 x0 本身（history = [x0]）：之后谁改 history[0]，x0 也跟着变。"
                     "history 里要放独立的副本。")
INTEGER_X0_IN_PLACE = ("integer_x0_in_place",
                       "x0 是整数时，np.array(x0) 得到的是整数数组，原地更新（x -= ...）无法把小数存进去"
                       "（UFuncTypeError）：要先转成浮点数组（dtype=float）。")

def compare_runs(actual: np.ndarray, expected: np.ndarray, call: str, public: bool = False) -> None:
    """Compare two histories (1-D: shape (n,), 2-D: shape (n, 2)) and say where the student's run
    first differs, with the student's own values (the expected ones only when `public`)."""
    if (actual.ndim == 2 and len(actual) >= 2 and bool(np.all(actual == actual[-1]))
            and not (expected.shape[1:] == actual.shape[1:] and bool(np.all(expected == expected[-1])))):
        fail(f"{call}：history 里的每个元素都一样（都是终点 {_point(actual[-1])}）。",
             diagnosis=HISTORY_ALIASING)
    if not is_close(actual[0], expected[0], **DESCENT):
        fail(f"{call}：history[0] 是 {_point(actual[0])}，应该是起点 x0 本身"
             + (f"（{_point(expected[0])}）" if public else "") + "。")
    common = min(len(actual), len(expected))
    # One comparison for the whole history (runs are hundreds of steps), then the first step that differs.
    rows = np.isclose(actual[1:common], expected[1:common], **DESCENT)
    wrong = np.flatnonzero(~rows.reshape(len(rows), -1).all(axis=1)) if rows.size else ()
    if len(wrong):
        k = int(wrong[0]) + 1
        shown = f"应为 {_point(expected[k])}。" if public else "与正确结果不一致。"
        before = "这是第一步。" if k == 1 else f"前 {k - 1} 步都对。"
        fail(f"{call}：history[{k}] 是 {_point(actual[k])}，{shown}{before}")
    if len(actual) != len(expected):
        steps = len(actual) - 1
        if public:
            fail(f"{call}：应该走 {len(expected) - 1} 步（history 长度 {len(expected)}），"
                 f"你走了 {steps} 步（history 长度 {len(actual)}）。")
        when = "停得太早了" if len(actual) < len(expected) else "停得太晚了（该停的时候没有停）"
        fail(f"{call}：走过的每一步都对，但{when}：你走了 {steps} 步。")


def _point(value) -> str:
    value = np.asarray(value, dtype=float)
    return f"{value.item():.12g}" if value.ndim == 0 else "[" + ", ".join(f"{v:.12g}" for v in value) + "]"


def expect_last(x, history_values: np.ndarray, call: str) -> None:
    """The returned x is the last point of history."""
    if not is_close(x, history_values[-1], **DESCENT):
        fail(f"{call} 返回的 x 是 {_point(x)}，history 的最后一个元素是 {_point(history_values[-1])}："
             "返回的 x 应该就是最后一次更新后的位置。")

