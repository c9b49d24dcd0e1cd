"""torch_derivative(f, x) -> float: dy/dx at x by torch autograd, in float64."""
import numpy as np

from autograder.checks import describe_type, fail, graded
from .functions import ARTICLE, CUBIC, EXP, SCALAR, SIN, SQUARE, derivative, expect_autograd, hint_on_error

GRADE_ID = "torch_derivative"
AUTOGRAD_HINT = ("步骤：每次调用都新建输入 x_t = torch.tensor(x, dtype=torch.float64, requires_grad=True)，"
                 "计算 y = f(x_t)，调用 y.backward()，返回 x_t.grad 的值。要返回导数而不是函数值 f(x)，"
                 "也不要用有限差分去近似导数。")
INTEGER_HINT = ("x 是整数时，torch.tensor(x, requires_grad=True) 会得到整数张量，而整数张量不能求梯度："
                "创建张量时写明 dtype=torch.float64（或者先 float(x)）。")


@graded("公开测试（笔记本里的自测）全部通过", points=0)
def test_public(student, assignment):
    student.run_public(assignment.public_check(GRADE_ID))


@graded("与 torch 自动微分求出的导数一致（多个函数、随机点，包括导数为 0 的点）", points=1.25)
def test_matches_autograd(student, rng):
    cases = [(function, round(float(x), 3)) for function in SCALAR for x in rng.uniform(-2, 2, size=2)]
    cases += [(CUBIC, 1.0), (CUBIC, -1.0)]          # f'(±1) = 0 exactly
    for function, x in cases:
        expect_autograd(student.call(GRADE_ID, function, x), derivative(function, x),
                        f"对 {function.describe}，torch_derivative(f, {x})", hint=AUTOGRAD_HINT)


@graded("全程使用 float64：在 float32 会丢失精度的输入上也精确", points=0.75)
def test_float64(student):
    for function, x in [(SQUARE, 16777217.0), (EXP, 0.1), (SIN, 1000.3), (CUBIC, 3.7)]:
        expect_autograd(student.call(GRADE_ID, function, x), derivative(function, x),
                        f"对 {function.describe}，torch_derivative(f, {x})", hint=AUTOGRAD_HINT)


@graded("返回 Python float（不是张量）", points=0.5)
def test_returns_float(student):
    for function, x in [(ARTICLE, 2.0), (SIN, 0.7)]:
        result = student.call(GRADE_ID, function, x)
        if not isinstance(result, float):
            fail(f"对 {function.describe}，torch_derivative(f, {x}) 应返回 Python float，你返回的是 "
                 f"{describe_type(result)}。用 x_t.grad.item() 或 float(x_t.grad) 把单元素张量变成普通的数。")


@graded("x 是整数（例如 2 或 np.int64(5)）时也正确", points=0.5)
def test_integer_x(student):
    for function, x in [(ARTICLE, 2), (ARTICLE, -3), (ARTICLE, 0), (CUBIC, np.int64(5))]:
        with hint_on_error(INTEGER_HINT, "floating point"):
            result = student.call(GRADE_ID, function, x)
        expect_autograd(result, derivative(function, x),
                        f"对 {function.describe}，torch_derivative(f, {int(x)})（x 是整数）", hint=AUTOGRAD_HINT)
