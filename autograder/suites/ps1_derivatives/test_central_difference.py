"""central_difference(f, x, h=1e-5): (f(x + h) - f(x - h)) / (2h)."""
import numpy as np

from autograder.testkit.checks import evaluation_points, expect_number, fail, graded
from autograder.testkit.oracle import autograd_derivative
from autograder.testkit.tolerances import CENTRAL_DIFFERENCE, SAME_FORMULA
from .common import ref, SCALAR

GRADE_ID = "central_difference"


@graded("默认 h = 1e-5 时，在 x ± 1e-5 处求值，结果就是中心差分公式的值", points=1.5)
def test_central_formula(student, rng):
    points = evaluation_points(student, GRADE_ID, SCALAR[0].fn, 0.75)
    for where in (0.75 + 1e-5, 0.75 - 1e-5):
        if not any(isinstance(p, float) and p == where for p in points):
            shown = ", ".join(f"{p:.10g}" for p in points[:6] if isinstance(p, (int, float)))
            fail(f"central_difference(f, 0.75) 应在 x + h 和 x − h（默认 h = 1e-5，即 {where:.10g}）处计算 f，"
                 f"你的函数是在这些点上调用 f 的：{shown or '没有调用 f'}。")
    for function in SCALAR:
        for x in rng.uniform(-2, 2, size=2):
            expected = ref.central_difference(function.numpy(), float(x))
            expect_number(student.call(GRADE_ID, function.fn, float(x)), expected,
                          f"对 {function.describe}，central_difference(f, {float(x):.6g})", **SAME_FORMULA)


@graded("h = 0.1 和 h = 0.01 时，结果是用这个 h 算出的中心差分", points=0.5)
def test_uses_h(student):
    function = SCALAR[1]
    for h in (0.1, 1e-2):
        expected = ref.central_difference(function.numpy(), 0.5, h)
        expect_number(student.call(GRADE_ID, function.fn, 0.5, h=h), expected,
                      f"对 {function.describe}，central_difference(f, 0.5, h={h})", **SAME_FORMULA)


@graded("比前向差分更准：与 torch 自动微分的差在 O(h²) 范围内", points=0.5)
def test_close_to_autograd(student, rng):
    for function in SCALAR:
        x = float(rng.uniform(-2, 2))
        expect_number(student.call(GRADE_ID, function.fn, x), autograd_derivative(function, x),
                      f"对 {function.describe}，central_difference(f, {x:.6g})", **CENTRAL_DIFFERENCE,
                      mismatch="离真实导数太远（超出了中心差分 O(h²) 的误差范围）。")


@graded("x 是整数时，结果与 x 是浮点数时相同", points=0.5)
def test_integer_x(student):
    function = SCALAR[2]
    for x in (-2, 1, np.int64(3)):
        expected = ref.central_difference(function.numpy(), x)
        expect_number(student.call(GRADE_ID, function.fn, x), expected,
                      f"对 {function.describe}，central_difference(f, {int(x)})（x 是整数）", **SAME_FORMULA)
