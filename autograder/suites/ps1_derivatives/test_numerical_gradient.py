"""numerical_gradient(f, x, h=1e-5): central differences per coordinate; x left unchanged."""
import numpy as np

from autograder.checks import as_array, expect_array, fail, graded
from autograder.oracle import autograd_gradient
from autograder.tolerances import CENTRAL_DIFFERENCE, SAME_FORMULA
from .functions import VECTOR
from autograder.reference import remembered
ref = remembered("ps1_derivatives")

GRADE_ID = "numerical_gradient"
MUTATES_INPUT = ("mutates_input", "你在传入的 x 上原地修改了（x[i] += h），或者 xp = x 只是给同一个数组起了新名字："
                                  "要先复制（xp = x.copy()），只改副本。")
FORMULA_HINT = ("第 i 个分量应是 (f(x + h·eᵢ) − f(x − h·eᵢ)) / (2h)：每次只移动第 i 个坐标，"
                "而且两个点都要从原来的 x 出发。")


@graded("公开测试（笔记本里的自测）全部通过", points=0)
def test_public(student, assignment):
    student.run_public(assignment.public_check(GRADE_ID))


@graded("每个分量都是该坐标上的中心差分（与参考实现一致）", points=1.5)
def test_matches_reference(student, rng):
    for function in VECTOR:
        x = rng.uniform(-1.5, 1.5, size=4)
        expected = ref.numerical_gradient(function.numpy(), x)
        expect_array(student.call(GRADE_ID, function.fn, x), expected,
                     f"对 {function.describe}，numerical_gradient(f, x)", **SAME_FORMULA, hint=FORMULA_HINT)


@graded("与 torch 自动微分求出的梯度一致（在中心差分的误差范围内）", points=0.5)
def test_close_to_autograd(student, rng):
    for function in VECTOR:
        x = rng.uniform(-1, 1, size=3)
        expect_array(student.call(GRADE_ID, function.fn, x), autograd_gradient(function, x),
                     f"对 {function.describe}，numerical_gradient(f, x)", **CENTRAL_DIFFERENCE, mismatch="离真实梯度太远。",
                     hint=FORMULA_HINT)


@graded("返回 float64 数组，形状与 x 相同（长度 1 和长度 10 也一样）", points=0.5)
def test_shape_and_dtype(student, rng):
    function = VECTOR[0]
    for n in (1, 10):
        x = rng.uniform(-1, 1, size=n)
        result = student.call(GRADE_ID, function.fn, x)
        array = as_array(result, f"numerical_gradient(f, 长度为 {n} 的 x)")
        if not isinstance(result, np.ndarray) or result.shape != (n,) or result.dtype != np.float64:
            shape = getattr(result, "shape", None)
            dtype = getattr(result, "dtype", type(result).__name__)
            fail(f"numerical_gradient(f, 长度为 {n} 的 x) 应返回形状 ({n},)、dtype 为 float64 的 NumPy 数组，"
                 f"你返回的形状是 {shape}、类型是 {dtype}。",
                 diagnosis=("not_a_float_array", "结果要是 float64 的 NumPy 数组（例如 np.zeros_like(x, dtype=float) "
                                                 "再逐个填入），不是列表，也不是整数数组。"))
        expect_array(array, ref.numerical_gradient(function.numpy(), x), f"长度为 {n} 时的梯度", **SAME_FORMULA)


@graded("不修改传入的 x（连最后一位小数都不变）", points=0.5)
def test_x_unchanged(student, rng):
    function = VECTOR[2]
    x = rng.uniform(-1, 1, size=5)
    kept = student.put(x)
    student.call(GRADE_ID, function.fn, kept)
    after = as_array(student.get(kept), "调用之后的 x")
    if not np.array_equal(after, x):
        fail("调用 numerical_gradient 之后，传入的数组 x 被改变了。先复制一份（例如 x = np.array(x, dtype=float)），"
             "只在副本上做加减 h 的操作；先加 h 再减 h 也不行，浮点舍入会让它回不到原值。",
             diagnosis=MUTATES_INPUT)


@graded("使用传入的步长 h", points=0.5)
def test_uses_h(student, rng):
    function = VECTOR[1]
    x = rng.uniform(-1, 1, size=3)
    for h in (0.1, 1e-3):
        expect_array(student.call(GRADE_ID, function.fn, x, h=h), ref.numerical_gradient(function.numpy(), x, h),
                     f"对 {function.describe}，numerical_gradient(f, x, h={h})", **SAME_FORMULA,
                     hint="函数里要用参数 h，不能把步长写死。")


@graded("x 的各分量互不影响：移动第 i 个坐标时其他坐标保持原值", points=0.5)
def test_coordinates_independent(student):
    function = VECTOR[3]
    x = np.array([0.3, -0.7, 1.1, 0.2])
    expect_array(student.call(GRADE_ID, function.fn, x), ref.numerical_gradient(function.numpy(), x),
                 f"对 {function.describe}，numerical_gradient(f, x)", **SAME_FORMULA,
                 hint="计算第 i 个分量时，上一个坐标的 ±h 必须已经撤销——最稳妥的办法是每次都从 x 的新副本出发。")
