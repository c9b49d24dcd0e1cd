"""The functions ps4's hidden tests differentiate, as torch source text.

A function is an `Fn`: its source is evaluated on the student side (torch is in scope there,
the notebook imports it) and given to `torch_derivative` / `torch_gradient`; here the same
source goes to real torch autograd in float64 for the expected values: `autograder.oracle`
for derivatives, the reference `solutions.ps4_autodiff.torch_gradient` (torch autograd, with
unused variables at 0.0) for gradients, both remembered by `oracle.memo` so that grading does
not import torch once the answers are known.
"""
from contextlib import contextmanager

import numpy as np

from autograder.checks import Mistake, as_array, as_number, expect_array, expect_number, explain, fail, is_close
from autograder.oracle import autograd_derivative, memo
from autograder.student import Fn, StudentProblem
from autograder.tolerances import AUTOGRAD, FORWARD_DIFFERENCE

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

PRECISION_HINT = ("是不是用了 float32（只有约 7 位有效数字），或者用有限差分近似了导数？"
                  "要用 torch 自动微分，输入张量用 dtype=torch.float64。")


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
            fail(f"{what} 只在前几位有效数字上与正确结果一致。{PRECISION_HINT}")
        raise


@contextmanager
def hint_on_error(hint: str, *when: str):
    """Add `hint` to the message when the student's code raises an error whose
    "type: message" contains one of `when` (the error this hint is about)."""
    try:
        yield
    except StudentProblem as problem:
        error = f"{problem.detail.get('type', '')}: {problem.detail.get('message', '')}"
        if problem.kind == "raised" and any(text in error for text in when):
            fail(f"{explain(problem)}\n{hint}")
        raise
