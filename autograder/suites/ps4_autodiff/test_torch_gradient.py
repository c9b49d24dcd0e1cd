"""torch_gradient(f, point) -> float64 array of the partial derivatives of f(x1, x2, ...) at point."""
import numpy as np

from autograder.checks import describe_type, expect_array, fail, graded
from autograder.tolerances import AUTOGRAD
from .functions import CONSTANT, FIVE, ONE, THREE, TWO, UNUSED, expect_autograd, gradient, hint_on_error

GRADE_ID = "torch_gradient"
AUTOGRAD_HINT = ("步骤：为 point 里的每个数各建一个 dtype=torch.float64、requires_grad=True 的 0 维张量，"
                 "用 f(*tensors) 拆开传进去，调用一次 backward()，再按顺序收集每个张量的 .grad。")
COUNT_HINT = "变量的个数由 point 的长度决定，不要假设只有两个变量（用循环或 f(*tensors)）。"
UNUSED_HINT = ("f 没有用到的变量不在计算图里，反向传播之后它的 .grad 是 None，偏导数应为 0.0"
               "（检查 None，或者用 torch.autograd.grad(..., allow_unused=True)）。")

CONSTANT_HINT = ("f 一个变量都没用到时，输出张量不依赖任何输入（requires_grad 为 False），不能对它调用 backward()："
                 "先检查输出的 requires_grad，是 False 就直接返回全 0 的数组。")


def _point(rng, n):
    return [round(float(v), 3) for v in rng.uniform(-2, 2, size=n)]


@graded("公开测试（笔记本里的自测）全部通过", points=0)
def test_public(student, assignment):
    student.run_public(assignment.public_check(GRADE_ID))


@graded("与 torch 自动微分求出的梯度一致（2 个和 3 个变量，随机点）", points=1)
def test_matches_autograd(student, rng):
    for function, n in [(TWO, 2), (TWO, 2), (THREE, 3), (THREE, 3)]:
        point = _point(rng, n)
        expect_autograd(student.call(GRADE_ID, function, point), gradient(function, point),
                        f"对 {function.describe}，torch_gradient(f, {point})", hint=AUTOGRAD_HINT)


@graded("1 个变量和 5 个变量时也正确", points=0.5)
def test_one_and_five_variables(student, rng):
    for function, n in [(ONE, 1), (FIVE, 5)]:
        point = _point(rng, n)
        with hint_on_error(COUNT_HINT, "IndexError", "positional argument"):
            result = student.call(GRADE_ID, function, point)
        expect_autograd(result, gradient(function, point),
                        f"对 {function.describe}，torch_gradient(f, {point})", hint=COUNT_HINT)


@graded("f 没有用到的变量，偏导数为 0.0", points=0.5)
def test_unused_variable(student, rng):
    for function, n in [(UNUSED[0], 3), (UNUSED[1], 4)]:
        point = _point(rng, n)
        with hint_on_error(UNUSED_HINT, "NoneType"):
            result = student.call(GRADE_ID, function, point)
        expect_autograd(result, gradient(function, point),
                        f"对 {function.describe}，torch_gradient(f, {point})", hint=UNUSED_HINT)


@graded("f 一个变量都没用到时，梯度全为 0", points=0.25)
def test_no_variable_used(student):
    point = [1.5, -0.5, 2.0]
    with hint_on_error(CONSTANT_HINT, "does not require grad"):
        result = student.call(GRADE_ID, CONSTANT, point)
    expect_array(result, gradient(CONSTANT, point), f"对 {CONSTANT.describe}，torch_gradient(f, {point})",
                 **AUTOGRAD, public=True, hint=CONSTANT_HINT)


@graded("返回 float64 的 NumPy 数组，形状为 (变量个数,)", points=0.5)
def test_shape_and_dtype(student, rng):
    for function, n in [(ONE, 1), (THREE, 3)]:
        point = _point(rng, n)
        result = student.call(GRADE_ID, function, point)
        if not isinstance(result, np.ndarray) or result.dtype != np.float64 or result.shape != (n,):
            got = (f"形状为 {result.shape}、类型为 {result.dtype} 的数组" if isinstance(result, np.ndarray)
                   else describe_type(result))
            fail(f"对 {function.describe}，torch_gradient(f, {point}) 应返回形状为 ({n},)、dtype 为 float64 的 "
                 f"NumPy 数组，你返回的是 {got}。例如 np.array([...], dtype=np.float64)。")


@graded("point 可以是列表、元组或 NumPy 数组", points=0.25)
def test_point_types(student, rng):
    point = _point(rng, 3)
    expected = gradient(THREE, point)
    for given, name in [(tuple(point), "元组"), (np.array(point), "NumPy 数组"), (list(point), "列表")]:
        hint = "只对 point 做所有序列都支持的操作（len、下标、for 循环），例如 [float(p) for p in point]。"
        with hint_on_error(hint, "has no attribute", "expected np.ndarray"):
            result = student.call(GRADE_ID, THREE, given)
        expect_autograd(result, expected, f"对 {THREE.describe}，point 是{name}时 torch_gradient(f, point)",
                        hint=hint)
