"""f'(x) = 2x, checked against torch autograd of x²."""
from autograder.testkit.checks import expect_array, expect_number, graded
from autograder.testkit.oracle import autograd_derivative
from autograder.testkit.tolerances import AUTOGRAD

GRADE_ID = "f_prime"
SQUARE = "lambda x: x**2"


@graded("与 torch 自动微分（autograd）求出的 x² 的导数一致，对数组逐元素", points=1)
def test_matches_autograd(student, rng):
    for x in rng.uniform(-10, 10, size=4):
        expect_number(student.call("f_prime", float(x)), autograd_derivative(SQUARE, x),
                      f"f_prime({float(x):.6g})（与 torch 自动微分求出的导数比较）", **AUTOGRAD)
    x = rng.uniform(-3, 3, size=5)
    expect_array(student.call("f_prime", x), [autograd_derivative(SQUARE, v) for v in x],
                 "f_prime(长度为 5 的随机数组)", **AUTOGRAD)
