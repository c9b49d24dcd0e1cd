"""torch_gradient(f, point) -> float64 array of the partial derivatives of f(x1, x2, ...) at point.

Mistakes are named by the models in mistakes.py (float32 autograd, a float32 result) and by the
tests themselves: the error a call raised (`gradient_error`), the type of what came back."""
import re

import numpy as np

from autograder.course.hints import formula
from autograder.testkit.checks import describe_type, expect_array, fail, graded
from autograder.testkit.tolerances import AUTOGRAD
from .common import (CONSTANT, DEFAULT_DTYPE_HINT, FIVE, ONE, PRECISE, THREE, TWO, UNUSED, expect_autograd,
                        float32_by_default, gradient, hint_on_error)
from .mistakes import FLOAT32_RESULT

GRADE_ID = "torch_gradient"
AUTOGRAD_HINT = ""
COUNT_HINT = "变量的个数由 point 的长度决定。"
UNUSED_HINT = "f 没有用到的变量不在计算图里，反向传播之后它的 .grad 是 None，偏导数应为 0.0。"
CONSTANT_HINT = "f 一个变量都没用到时，输出张量不依赖任何输入（requires_grad 为 False），不能对它调用 backward()。"

UNUSED_TEXT = ("f 没有用到的变量不在计算图里，backward() 之后它的 .grad 是 None：偏导数要按 0.0 处理"
               + formula("（0.0 if t.grad is None else t.grad.item()）")
               + "，f 一个变量都没用到时输出也不需要梯度，不能调用 backward()。")
CONSTANT_TEXT = ("f 一个变量都没用到时，输出不依赖任何输入张量（requires_grad 为 False），对它调用 backward() 会出错："
                 "要先检查输出的 requires_grad；f 没有用到的单个变量，.grad 是 None，按 0.0 处理。")


def gradient_error(problem, n: int, constant: bool = False):
    """The mistake the error of torch_gradient(f, point) shows, for f of n variables."""
    kind, message = problem.detail.get("type"), str(problem.detail.get("message", ""))
    missing = re.search(r"missing (\d+) required positional argument", message)
    surplus = re.search(r"takes (\d+) positional arguments? but (\d+) (were|was) given", message)
    given = n - int(missing.group(1)) if missing else int(surplus.group(2)) if surplus else None
    if kind == "TypeError" and given == 1 and n > 1 or kind == "TypeError" and re.search(r"not (list|tuple)\b", message):
        return "not_unpacked", ("f 的每个变量是一个单独的参数：要把张量列表拆开传进去（f(*tensors)），"
                                "而不是把整个列表当成一个参数 f(tensors)。")
    if kind == "TypeError" and given == 2 and n != 2 or kind == "IndexError" and n < 2:
        return "fixed_variable_count", ("你假设了 f 恰好有两个变量：变量的个数是 len(point)，要为每个数各建一个张量，"
                                         "再拆开传进去。")
    if kind == "AttributeError" and "'NoneType'" in message:
        return "unused_variable", UNUSED_TEXT
    if kind == "RuntimeError" and "does not require grad" in message:
        if constant:
            return "unused_variable", CONSTANT_TEXT
        return "no_requires_grad", "输入张量要写 requires_grad=True，否则 backward() 无从求导。"
    return None


def call_gradient(student, function, point, hint: str = "", *when: str, constant: bool = False):
    """student.call("torch_gradient", function, point), the error it raises named when we know it."""
    with hint_on_error(hint, *when, diagnose=lambda problem: gradient_error(problem, len(point), constant)):
        return student.call(GRADE_ID, function, point)


def _point(rng, n):
    return [round(float(v), 3) for v in rng.uniform(-2, 2, size=n)]


@graded("与 torch 自动微分求出的梯度一致（2 个和 3 个变量，随机点）", points=0.75)
def test_matches_autograd(student, rng):
    for function, n in [(TWO, 2), (TWO, 2), (THREE, 3), (THREE, 3)]:
        point = _point(rng, n)
        expect_autograd(call_gradient(student, function, point), gradient(function, point),
                        f"对 {function.describe}，torch_gradient(f, {point})", hint=AUTOGRAD_HINT)


@graded("不依赖 PyTorch 的默认类型：在 PyTorch 的默认设置（默认类型 float32）下调用，也全程用 float64 计算"
        "（1/3、10⁴ + 1/7、2²⁴ + 1 这类 float32 表示不准的坐标）", points=0.5)
def test_float64_whatever_the_default(student):
    float32_by_default(student)
    for function, point in [(TWO, [1 / 3, 10000 + 1 / 7]), (PRECISE, [10000 + 1 / 7, 16777217.0, 1 / 3])]:
        expect_autograd(call_gradient(student, function, point), gradient(function, point),
                        f"在 PyTorch 的默认设置下，对 {function.describe}，torch_gradient(f, {point})",
                        hint=DEFAULT_DTYPE_HINT)


@graded("1 个变量和 5 个变量时也正确", points=0.25)
def test_one_and_five_variables(student, rng):
    for function, n in [(ONE, 1), (FIVE, 5)]:
        point = _point(rng, n)
        result = call_gradient(student, function, point, COUNT_HINT, "IndexError", "positional argument")
        expect_autograd(result, gradient(function, point),
                        f"对 {function.describe}，torch_gradient(f, {point})", hint=COUNT_HINT)


@graded("f 没有用到的变量，偏导数为 0.0", points=0.5)
def test_unused_variable(student, rng):
    for function, n in [(UNUSED[0], 3), (UNUSED[1], 4)]:
        point = _point(rng, n)
        result = call_gradient(student, function, point, UNUSED_HINT, "NoneType")
        expect_autograd(result, gradient(function, point),
                        f"对 {function.describe}，torch_gradient(f, {point})", hint=UNUSED_HINT)


@graded("f 一个变量都没用到时，梯度全为 0", points=0.25)
def test_no_variable_used(student):
    point = [1.5, -0.5, 2.0]
    result = call_gradient(student, CONSTANT, point, CONSTANT_HINT, "does not require grad", constant=True)
    expect_array(result, gradient(CONSTANT, point), f"对 {CONSTANT.describe}，torch_gradient(f, {point})",
                 **AUTOGRAD, public=True, hint=CONSTANT_HINT)


@graded("返回 float64 的 NumPy 数组，形状为 (变量个数,)", points=0.5)
def test_shape_and_dtype(student, rng):
    for function, n in [(ONE, 1), (THREE, 3)]:
        point = _point(rng, n)
        result = call_gradient(student, function, point)
        if not isinstance(result, np.ndarray) or result.dtype != np.float64 or result.shape != (n,):
            got = (f"形状为 {result.shape}、类型为 {result.dtype} 的数组" if isinstance(result, np.ndarray)
                   else describe_type(result))
            named = None
            if isinstance(result, (list, tuple)):
                named = ("not_an_array", "你返回的是 Python 列表（或元组），题目要求 float64 的 NumPy 数组。")
            elif isinstance(result, np.ndarray) and result.dtype == np.float32 and result.shape == (n,):
                named = ("float32_result", FLOAT32_RESULT)
            fail(f"对 {function.describe}，torch_gradient(f, {point}) 应返回形状为 ({n},)、dtype 为 float64 的 "
                 f"NumPy 数组，你返回的是 {got}。", diagnosis=named)


@graded("point 可以是列表、元组或 NumPy 数组", points=0.25)
def test_point_types(student, rng):
    point = _point(rng, 3)
    expected = gradient(THREE, point)
    for given, name in [(tuple(point), "元组"), (np.array(point), "NumPy 数组"), (list(point), "列表")]:
        hint = "point 可以是列表、元组或 NumPy 数组：只能对它做所有序列都支持的操作（len、下标、for 循环）。"
        result = call_gradient(student, THREE, given, hint, "has no attribute", "expected np.ndarray")
        expect_autograd(result, expected, f"对 {THREE.describe}，point 是{name}时 torch_gradient(f, point)",
                        hint=hint)
