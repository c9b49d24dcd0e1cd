"""numerical_derivative(f, x, h=1e-6): the article's forward difference (f(x + h) - f(x)) / h."""
import numpy as np

from autograder.testkit.checks import expect_number, graded
from autograder.testkit.oracle import autograd_derivative
from autograder.testkit.tolerances import FORWARD_DIFFERENCE, SAME_FORMULA
from .common import ref, SCALAR

GRADE_ID = "numerical_derivative"


@graded("默认 h = 1e-6 时，结果就是前向差分公式的值", points=1.5)
def test_forward_formula(student, rng):
    for function in SCALAR:
        for x in rng.uniform(-2, 2, size=2):
            expected = ref.numerical_derivative(function.numpy(), float(x))
            expect_number(student.call(GRADE_ID, function.fn, float(x)), expected,
                          f"对 {function.describe}，numerical_derivative(f, {float(x):.6g})", **SAME_FORMULA)


@graded("h = 0.1 和 h = 0.001 时，结果是用这个 h 算出的前向差分", points=0.5)
def test_uses_h(student):
    function = SCALAR[0]
    for h in (0.1, 1e-3):
        expected = ref.numerical_derivative(function.numpy(), 1.0, h)
        expect_number(student.call(GRADE_ID, function.fn, 1.0, h=h), expected,
                      f"对 {function.describe}，numerical_derivative(f, 1.0, h={h})", **SAME_FORMULA)


@graded("结果接近真实导数（与 torch 自动微分比较，误差在前向差分的理论范围内）", points=0.5)
def test_close_to_autograd(student, rng):
    for function in SCALAR:
        x = float(rng.uniform(-2, 2))
        expect_number(student.call(GRADE_ID, function.fn, x), autograd_derivative(function, x),
                      f"对 {function.describe}，numerical_derivative(f, {x:.6g})", **FORWARD_DIFFERENCE,
                      mismatch="离真实导数太远（超出了前向差分的误差范围）。")


@graded("x 是整数时（文章里 x 取 −2…2），结果与 x 是浮点数时相同", points=0.5)
def test_integer_x(student):
    function = SCALAR[0]
    for x in (-2, 0, 3, np.int64(2)):
        expected = ref.numerical_derivative(function.numpy(), x)
        expect_number(student.call(GRADE_ID, function.fn, x), expected,
                      f"对 {function.describe}，numerical_derivative(f, {int(x)})（x 是整数）", **SAME_FORMULA)
