"""The functions ps4's hidden tests differentiate, as torch source text.

A function is an `Fn`: its source is evaluated on the student side (torch is in scope there,
the notebook imports it) and given to `torch_derivative` / `torch_gradient`; here the same
source goes to real torch autograd in float64 for the expected values: `autograder.testkit.oracle`
for derivatives, the reference `solutions.ps4_autodiff.torch_gradient` (torch autograd, with
unused variables at 0.0) for gradients, both remembered by `oracle.memo` so that grading does
not import torch once the answers are known.
"""
from contextlib import contextmanager

import numpy as np

from autograder.course.hints import formula
from autograder.testkit.checks import (Mistake, as_array, as_number, expect_array, expect_number, explain, fail, is_close,
                               shown_array, shown_number)
from autograder.testkit.oracle import autograd_derivative, memo
from autograder.testkit.student import Fn, StudentProblem
from autograder.testkit.tolerances import AUTOGRAD, FORWARD_DIFFERENCE

# ----------------------------------------------------------------- one variable: f(t) -> 0-d

CUBIC = Fn("lambda t: t**3 - 3*t", "f(x) = x³ − 3x")
SCALAR = [
    CUBIC,
    Fn("lambda t: torch.sin(t) * torch.exp(t)", "f(x) = sin(x)·eˣ"),
    Fn("lambda t: torch.log(1 + t**2)", "f(x) = ln(1 + x²)"),
    Fn("lambda t: torch.tanh(2*t) / (1 + t**2)", "f(x) = tanh(2x) / (1 + x²)"),
]
ARTICLE = Fn("lambda t: t**2 + 2*t + 1", "f(x) = x² + 2x + 1")
SQUARE = Fn("lambda t: t**2", "f(x) = x²")
EXP = Fn("lambda t: torch.exp(t)", "f(x) = eˣ")
SIN = Fn("lambda t: torch.sin(t)", "f(x) = sin(x)")
SHIFTED = Fn("lambda t: (t - 10000) ** 2", "f(x) = (x − 10000)²")
NEAR_2_24 = Fn("lambda t: (t - 16777216) ** 2", "f(x) = (x − 16777216)²")   # float32 cannot hold 2²⁴ + 1


def derivative(function: Fn, x) -> float:
    """f'(x) by torch autograd in float64."""
    return autograd_derivative(function.source, float(x))


# ------------------------------------------------------------ several variables: f(x1, ...)

TWO = Fn("lambda a, b: a**2 * b + torch.sin(a * b)", "f(x₁, x₂) = x₁²·x₂ + sin(x₁x₂)")
THREE = Fn("lambda a, b, c: torch.exp(a - b) * c + a * b * c", "f(x₁, x₂, x₃) = e^(x₁−x₂)·x₃ + x₁x₂x₃")
ONE = Fn("lambda a: torch.tanh(a) * a", "f(x₁) = tanh(x₁)·x₁")
FIVE = Fn("lambda a, b, c, d, e: a*b + c*d*e + torch.log(1 + e**2) - a**3",
         "f(x₁, …, x₅) = x₁x₂ + x₃x₄x₅ + ln(1 + x₅²) − x₁³")
UNUSED = [
    Fn("lambda a, b, c: a * b", "f(x₁, x₂, x₃) = x₁·x₂（不用 x₃）"),
    Fn("lambda a, b, c, d: torch.sin(b) * d", "f(x₁, x₂, x₃, x₄) = sin(x₂)·x₄（不用 x₁ 和 x₃）"),
]
PRECISE = Fn("lambda a, b, c: (a - 10000) ** 2 + b * c", "f(x₁, x₂, x₃) = (x₁ − 10000)² + x₂x₃")
CONSTANT = Fn("lambda a, b, c: torch.tensor(2.5, dtype=torch.float64)", "f(x₁, x₂, x₃) = 2.5（常数，三个变量都没用到）")


def gradient(function: Fn, point) -> np.ndarray:
    """∇f(point) by torch autograd in float64 (the reference); a variable f does not use gets 0.0."""
    point = [float(p) for p in point]

    def compute():
        import torch

        from solutions import ps4_autodiff as ref  # imports torch: only when not remembered
        return ref.torch_gradient(eval(function.source, {"torch": torch}), point)  # noqa: S307

    return np.array(memo("partials", (function.source, point), compute), dtype=np.float64)


# ------------------------------------------------------------------------------- messages



def expect_autograd(value, expected, what: str, hint: str) -> None:
    """Compare with torch autograd at AUTOGRAD tolerance. An answer right only to a few digits
    (FORWARD_DIFFERENCE: the band of float32 or finite differences, used here only to choose
    the message) is told so; anything else gets `hint`."""
    array = np.ndim(expected) > 0
    try:
        (expect_array if array else expect_number)(value, expected, what, **AUTOGRAD, hint=hint)
    except Mistake:
        actual = as_array(value, what) if array else as_number(value, what)
        if np.shape(actual) == np.shape(expected) and is_close(actual, expected, **FORWARD_DIFFERENCE):
            shown = shown_number(actual) if not array else shown_array(actual)
            fail(f"{what} 返回了 {shown}，只在前几位有效数字上与正确结果一致。")
        raise


@contextmanager
def hint_on_error(hint: str, *when: str, diagnose=None):
    """Add `hint` to the message when the student's code raises an error whose
    "type: message" contains one of `when` (the error this hint is about). `diagnose(problem)`
    may name the mistake the error shows: (code, text) or None."""
    try:
        yield
    except StudentProblem as problem:
        if problem.kind != "raised" or problem.detail.get("type") == "NotImplementedError":
            raise
        error = f"{problem.detail.get('type', '')}: {problem.detail.get('message', '')}"
        named = diagnose(problem) if diagnose else None
        if any(text in error for text in when):
            fail(f"{explain(problem)}\n{hint}", diagnosis=named)
        if named:
            fail(explain(problem), diagnosis=named)
        raise


# ------------------------------------------------------------------ PyTorch's own default

FLOAT32_DEFAULT = "import torch\ntorch.set_default_dtype(torch.float32)\n"
DEFAULT_DTYPE_HINT = ("这个测试在 PyTorch 的默认设置下调用你的函数：默认类型是 float32（笔记本第一个单元格的 "
                      "torch.set_default_dtype(torch.float64) 只在那个笔记本里有效）。"
                      + formula("torch.tensor(x)、torch.Tensor([x]) 不写 dtype 就会得到 float32：创建输入张量时写明 "
                                "dtype=torch.float64。"))


def float32_by_default(student) -> None:
    """Give the student's process PyTorch's own default dtype, float32 (the notebook's first cell
    sets float64 for the whole notebook): a function that relies on the default instead of
    creating its tensors with dtype=torch.float64 then computes in float32, as it would anywhere
    else. Each test runs in its own process, so only this test sees the change."""
    student.run_public(FLOAT32_DEFAULT)


# -------------------------------------------------- gradients that pile up across calls

ACCUMULATES = ("再次调用时，上一次的梯度还留在输入张量上：你的结果是之前的导数加上这一次的导数。"
               "PyTorch 的 backward() 把梯度累加到 .grad 上，所以每次调用都要新建输入张量"
               + formula("（x_t = torch.tensor(x, dtype=torch.float64, requires_grad=True)）") + "，或者先把 .grad 清零。")


def expect_derivative(student, function: Fn, x, what: str, hint: str, result=None) -> None:
    """torch_derivative(function, x) against torch autograd. When it is wrong, call it once more
    with the same input: an answer that grows by exactly f'(x) keeps the gradient of earlier calls."""
    result = student.call("torch_derivative", function, x) if result is None else result
    expected = derivative(function, x)
    try:
        expect_autograd(result, expected, what, hint=hint)
    except Mistake:
        if expected != 0.0:
            try:
                again = as_number(student.call("torch_derivative", function, x), what)
                first = as_number(result, what)
            except (Mistake, StudentProblem):
                again = first = None
            if first is not None and is_close(again - first, expected, **AUTOGRAD) and not is_close(first, expected, **AUTOGRAD):
                fail(f"{what} 与正确结果不一致，再调用一次同样的输入，结果又多了 f'(x)。", diagnosis=("grad_accumulates", ACCUMULATES))
        raise
