"""What ps2's hidden tests share: the functions given to student code, and helpers that read a
descent's `(x, history)` and compare it with the reference, in the student's terms.

Every function handed to student code is a trusted `Fn` (numpy source, evaluated on the
student side); `.local()` gives the same function here for the reference, so both sides run
the very same floating-point operations.
"""
from __future__ import annotations

import inspect

import numpy as np

from autograder.checks import as_number, describe_type, fail, is_close
from autograder.oracle import Smooth
from autograder.student import Fn
from autograder.tolerances import DESCENT
from solutions import ps2_gradient_descent as ref


class Pair:
    """A function and its derivative (or gradient), as given to gradient_descent(_2d)."""

    def __init__(self, f: str, prime: str, describe: str):
        self.f = Fn(f, describe)
        self.prime = Fn(prime, f"{describe} 的导数")
        self.describe = describe

    def local(self):
        return self.f.local(), self.prime.local()


# ---------------------------------------------------------------------- one dimension

QUAD = Pair("lambda x: x**2 + 2*x + 1", "lambda x: 2*x + 2", "f(x) = x² + 2x + 1")      # the article's
SIN = Pair("lambda x: np.sin(x) + 0.5 * x**2", "lambda x: np.cos(x) + x", "f(x) = sin(x) + x²/2")
DOUBLE_WELL = Pair("lambda x: x**4 - 3 * x**2 + x", "lambda x: 4 * x**3 - 6 * x + 1", "f(x) = x⁴ − 3x² + x")
LOG_COSH = Pair("lambda x: np.log(np.cosh(x - 0.5))", "lambda x: np.tanh(x - 0.5)", "f(x) = ln cosh(x − 0.5)")
# f'(x) = x: from x0 = 1 with learning_rate 0.5 every gradient is an exact power of 2.
HALF_SQUARE = Pair("lambda x: 0.5 * x**2", "lambda x: x", "f(x) = x²/2")
# Never converges: the gradient is always 1, so every run takes exactly max_iterations steps.
SLOPE = Pair("lambda x: x", "lambda x: 1.0 + 0.0 * x", "f(x) = x（导数恒为 1，永远不会收敛）")


def quadratic(a: float, c: float) -> Pair:
    """f(x) = a (x − c)², minimum at c."""
    return Pair(f"lambda x: {a!r} * (x - {c!r})**2", f"lambda x: 2 * {a!r} * (x - {c!r})",
                f"f(x) = {a:.3g}·(x − {c:.3g})²")


# ---------------------------------------------------------------------- two dimensions

BOWL = Pair("lambda x, y: x**2 + y**2", "lambda x, y: np.array([2 * x, 2 * y])", "f(x, y) = x² + y²")
VALLEY = Pair("lambda x, y: x**2 + 10 * y**2", "lambda x, y: np.array([2 * x, 20 * y])", "f(x, y) = x² + 10y²")
COUPLED = Pair("lambda x, y: x**2 + x * y + 2 * y**2", "lambda x, y: np.array([2 * x + y, x + 4 * y])",
               "f(x, y) = x² + xy + 2y²")
SOFT = Pair("lambda x, y: np.log(1 + x**2) + (y - 1)**2",
            "lambda x, y: np.array([2 * x / (1 + x**2), 2 * (y - 1)])", "f(x, y) = ln(1 + x²) + (y − 1)²")
# gradient (x, y): from (3, 4) with learning_rate 0.5 the gradient is (3, 4)·0.5ᵏ, its norm 5·0.5ᵏ.
HALF_BOWL = Pair("lambda x, y: 0.5 * (x**2 + y**2)", "lambda x, y: np.array([x, y])", "f(x, y) = (x² + y²)/2")
# Never converges: the gradient is always (1, −2).
PLANE = Pair("lambda x, y: x - 2 * y", "lambda x, y: np.array([1.0, -2.0]) + 0.0 * x",
             "f(x, y) = x − 2y（梯度恒为 (1, −2)，永远不会收敛）")

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
        fail(f"{call} 返回的 history 应该是一个列表，却是 {describe_type(history)}。"
             "是不是把 (x, history) 的顺序写反了？")
    if len(history) == 0:
        fail(f"{call} 返回的 history 是空的：它应从起点开始，history = [x0]。")
    return x, history


def history_1d(history, call: str) -> np.ndarray:
    values = [as_number(h, f"{call} 的 history 里的元素") for h in history]
    return np.array(values, dtype=float)


def history_2d(history, call: str) -> np.ndarray:
    rows = []
    for k, entry in enumerate(history):
        if isinstance(entry, (list, tuple)):
            entry = np.array(entry)
        if not isinstance(entry, np.ndarray) or entry.dtype.kind not in "iuf" or entry.shape != (2,):
            fail(f"{call} 的 history[{k}] 应该是形状为 (2,) 的 NumPy 数组，却是 {describe_type(entry)}。")
        rows.append(entry.astype(float))
    return np.array(rows)


def point_2d(x, call: str) -> np.ndarray:
    if isinstance(x, (list, tuple)):
        x = np.array(x)
    if not isinstance(x, np.ndarray) or x.dtype.kind not in "iuf" or x.shape != (2,):
        fail(f"{call} 返回的 x 应该是形状为 (2,) 的 NumPy 数组，却是 {describe_type(x)}。")
    return x.astype(float)


STOP_RULE = ("规则是：每次迭代先算 g（更新前那一点的梯度），更新 x 并把新的 x 追加到 history，"
             "然后如果这次的 abs(g) < tol（严格小于）就停止；最多迭代 max_iterations 次。")


def compare_runs(actual: np.ndarray, expected: np.ndarray, call: str, public: bool = False,
                 stop_hint: str = STOP_RULE, step_hint: str = "") -> None:
    """Compare two histories (1-D: shape (n,), 2-D: shape (n, 2)) and name the first difference."""
    if not is_close(actual[0], expected[0], **DESCENT):
        fail(f"{call}：history[0] 应该是起点 x0 本身" + (f"（{expected[0].tolist()}）" if public else "")
             + "。history 要从起点开始：history = [x0]（二维时是 [x.copy()]）。")
    common = min(len(actual), len(expected))
    for k in range(1, common):
        if not is_close(actual[k], expected[k], **DESCENT):
            shown = (f"应为 {np.round(expected[k], 12).tolist()}，你的是 {np.round(actual[k], 12).tolist()}。"
                     if public else "与正确结果不一致。")
            first = ("第一步就不对：x1 应该是 x0 − learning_rate · g，其中 g 是在 x0 处的梯度。"
                     if k == 1 else "前面的步都对，这一步开始不对了。")
            fail(f"{call}：history[{k}] {shown}{first}{step_hint}")
    if len(actual) != len(expected):
        steps = len(actual) - 1
        if public:
            fail(f"{call}：应该走 {len(expected) - 1} 步（history 长度 {len(expected)}），"
                 f"你走了 {steps} 步（history 长度 {len(actual)}）。{stop_hint}")
        when = "停得太早了" if len(actual) < len(expected) else "停得太晚了（该停的时候没有停）"
        fail(f"{call}：走过的每一步都对，但{when}——你走了 {steps} 步。{stop_hint}")


def expect_last(x, history_values: np.ndarray, call: str) -> None:
    """The returned x is the last point of history."""
    if not is_close(x, history_values[-1], **DESCENT):
        fail(f"{call} 返回的 x 应该等于 history 的最后一个元素（最后一次更新后的位置）。")


# ---------------------------------------------------------------------- the reference

REFERENCE_GRADIENT_DESCENT = inspect.getsource(ref.gradient_descent)


def use_reference_gradient_descent(student) -> None:
    """Replace the submission's gradient_descent by the reference, in this test's process only.

    multi_start is graded on its own: it gets a correct gradient_descent whatever the student's
    gradient_descent does (wrong, missing or raising), so a mistake there costs points on
    gradient_descent only, and a correct multi_start (calling gradient_descent, or with its own
    correct loop) gets its points.
    """
    student.run_public(REFERENCE_GRADIENT_DESCENT)
