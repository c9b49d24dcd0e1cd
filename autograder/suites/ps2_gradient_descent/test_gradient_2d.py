"""gradient_2d(x, y) -> np.array([2*x, 2*y]), the gradient of x² + y², checked against torch autograd."""
import numpy as np

from autograder.testkit.checks import describe_type, expect_array, fail, graded
from autograder.testkit.oracle import autograd_gradient
from autograder.testkit.tolerances import AUTOGRAD, SAME_FORMULA
from .common import F_2D

GRADE_ID = "gradient_2d"


def expect_vector(result, call: str, float_inputs: bool = True) -> np.ndarray:
    """The result must be a NumPy array of shape (2,) (float64 when the inputs are floats)."""
    if not isinstance(result, np.ndarray):
        fail(f"{call} 应返回 NumPy 数组（np.array([...])），你返回的是 {describe_type(result)}。")
    if result.shape != (2,):
        fail(f"{call} 应返回形状为 (2,) 的一维数组，你的结果形状是 {result.shape}。")
    if result.dtype.kind == "f" and result.dtype.itemsize < 8:
        fail(f"{call} 应返回 float64 数组，你的结果类型是 {result.dtype}。",
             diagnosis=("low_precision", f"你把结果转成了 {result.dtype}（例如 dtype=np.float32）：精度只有大约 7 位有效数字。"
                                         "不要指定 dtype：由两个 float64 组成的数组本来就是 float64。"))
    if result.dtype.kind not in "iuf" or (float_inputs and result.dtype != np.float64):
        fail(f"{call} 对浮点数输入应返回 float64 数组，你的结果类型是 {result.dtype}。")
    return result


@graded("与 torch 自动微分（autograd）求出的 x² + y² 的梯度一致（随机的点）", points=1)
def test_matches_autograd(student, rng):
    for x, y in rng.uniform(-10, 10, size=(5, 2)):
        result = student.call(GRADE_ID, float(x), float(y))
        expect_array(result, autograd_gradient(F_2D, np.array([x, y])), f"gradient_2d({x:.6g}, {y:.6g})",
                     **AUTOGRAD)


@graded("返回形状为 (2,) 的 float64 NumPy 数组，数值正确（参数是 Python 浮点数或 NumPy 标量时都一样）", points=0.5)
def test_array_shape(student, rng):
    x, y = rng.uniform(-3, 3, size=2)
    for args, shown in [((float(x), float(y)), "两个浮点数"), ((np.float64(x), np.float64(y)), "两个 np.float64 标量")]:
        call = f"gradient_2d(x, y)（x、y 是{shown}）"
        result = expect_vector(student.call(GRADE_ID, *args), call)
        expect_array(result, [2 * x, 2 * y], call, **SAME_FORMULA)


@graded("x、y 是整数时，结果是形状 (2,) 的数组，数值正确", points=0.25)
def test_integer_inputs(student):
    for x, y in [(3, -4), (0, 7), (np.int64(-5), np.int64(2))]:
        call = f"gradient_2d({int(x)}, {int(y)})"
        result = expect_vector(student.call(GRADE_ID, x, y), call, float_inputs=False)
        expect_array(result, [2 * x, 2 * y], call, **SAME_FORMULA)


@graded("一个变量为 0 时（(a, 0) 和 (0, −a)），两个分量都正确：∂f/∂x 只和 x 有关，∂f/∂y 只和 y 有关", points=0.25)
def test_components(student, rng):
    for value in rng.uniform(0.5, 4, size=2):
        for args, what in [((float(value), 0.0), "y = 0"), ((0.0, float(-value)), "x = 0")]:
            call = f"gradient_2d({args[0]:.4g}, {args[1]:.4g})（{what}）"
            expect_array(student.call(GRADE_ID, *args), [2 * args[0], 2 * args[1]], call, **SAME_FORMULA)
