"""torch_derivative(f, x) -> float: dy/dx at x by torch autograd, in float64.

Mistakes are named by the models in mistakes.py (float32, f(x) itself, finite differences, the
article's derivative written in) and by the tests themselves (a tensor returned, an integer
tensor, gradients piling up across calls)."""
import numpy as np

from autograder.course.hints import formula
from autograder.sandbox.protocol import TensorData
from autograder.testkit.checks import describe_type, fail, graded
from .common import (ARTICLE, CUBIC, DEFAULT_DTYPE_HINT, EXP, NEAR_2_24, SCALAR, SHIFTED, SIN, SQUARE,
                        expect_derivative, float32_by_default, hint_on_error)

GRADE_ID = "torch_derivative"
AUTOGRAD_HINT = ""
INTEGER_HINT = ("x 是整数时，不写 dtype 的 torch.tensor(x, requires_grad=True) 会得到整数张量，而整数张量不能求梯度"
                + formula("：创建张量时写明 dtype=torch.float64（或者先 float(x)）") + "。")
INTEGER_TENSOR = ("创建输入张量时没有写 dtype：torch.tensor(x) 的类型由 x 决定，整数 x 得到整数张量（int64），"
                  "而整数张量不能求梯度；浮点数 x 则得到 PyTorch 的默认类型（在 PyTorch 的默认设置下是 float32）。"
                  "创建输入张量时要写明类型" + formula("：torch.tensor(x, dtype=torch.float64, requires_grad=True)") + "。")


def integer_tensor(problem):
    if problem.detail.get("type") == "RuntimeError" and "floating point" in str(problem.detail.get("message", "")):
        return "integer_tensor", INTEGER_TENSOR
    return None


@graded("与 torch 自动微分求出的导数一致（多个函数、随机点，包括导数为 0 的点）", points=1)
def test_matches_autograd(student, rng):
    cases = [(function, round(float(x), 3)) for function in SCALAR for x in rng.uniform(-2, 2, size=2)]
    cases += [(CUBIC, 1.0), (CUBIC, -1.0)]          # f'(±1) = 0 exactly
    for function, x in cases:
        expect_derivative(student, function, x, f"对 {function.describe}，torch_derivative(f, {x})", AUTOGRAD_HINT)


@graded("全程使用 float64：在 float32 会丢失精度的输入上也精确", points=0.5)
def test_float64(student):
    for function, x in [(SIN, 1000.3), (SQUARE, 16777217.0), (EXP, 0.1), (CUBIC, 3.7)]:
        expect_derivative(student, function, x, f"对 {function.describe}，torch_derivative(f, {x})", AUTOGRAD_HINT)


@graded("不依赖 PyTorch 的默认类型：在 PyTorch 的默认设置（默认类型 float32）下调用，也全程用 float64 计算"
        "（x = 2²⁴ + 1、1/3、10⁴ + 1/7 这类 float32 表示不准的输入）", points=0.5)
def test_float64_whatever_the_default(student):
    float32_by_default(student)
    # 2²⁴ + 1 (an integer: without a dtype it makes an integer tensor) first: in float32 it is 2²⁴,
    # so float32 gives f'(x) = 0 instead of 2, as far from right as a mistake can be.
    cases = [(NEAR_2_24, 16777217), (SHIFTED, 10000 + 1 / 7), (CUBIC, 1 / 3), (SIN, 1000.3), (EXP, 0.1),
             (SQUARE, 16777217.0)]
    for function, x in cases:
        what = f"在 PyTorch 的默认设置下，对 {function.describe}，torch_derivative(f, {x!r})"
        with hint_on_error(INTEGER_HINT, "floating point", diagnose=integer_tensor):
            result = student.call(GRADE_ID, function, x)
        expect_derivative(student, function, x, what, DEFAULT_DTYPE_HINT, result=result)


@graded("返回 Python float（不是张量）", points=0.5)
def test_returns_float(student):
    for function, x in [(ARTICLE, 2.0), (SIN, 0.7)]:
        result = student.call(GRADE_ID, function, x)
        if not isinstance(result, float):
            named = None
            if isinstance(result, TensorData):
                named = ("returns_tensor", "你返回的是张量（x_t.grad），不是 Python float：要把单元素张量变成普通的数"
                                           + formula("（x_t.grad.item() 或 float(x_t.grad)）") + "。")
            fail(f"对 {function.describe}，torch_derivative(f, {x}) 应返回 Python float，你返回的是 "
                 f"{describe_type(result)}。", diagnosis=named)


@graded("x 是整数（例如 2 或 np.int64(5)）时也正确", points=0.5)
def test_integer_x(student):
    for function, x in [(ARTICLE, 2), (ARTICLE, -3), (ARTICLE, 0), (CUBIC, np.int64(5))]:
        with hint_on_error(INTEGER_HINT, "floating point", diagnose=integer_tensor):
            result = student.call(GRADE_ID, function, x)
        expect_derivative(student, function, x, f"对 {function.describe}，torch_derivative(f, {int(x)})（x 是整数）",
                          AUTOGRAD_HINT, result=result)
