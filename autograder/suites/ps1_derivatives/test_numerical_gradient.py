"""numerical_gradient(f, x, h=1e-5): central differences per coordinate; x left unchanged."""
import numpy as np

from autograder.testkit.checks import as_array, describe_type, expect_array, fail, graded, shown_array
from autograder.testkit.oracle import autograd_gradient
from autograder.testkit.tolerances import CENTRAL_DIFFERENCE, SAME_FORMULA
from .common import ref, VECTOR

GRADE_ID = "numerical_gradient"
MUTATES_INPUT = ("mutates_input", "你在传入的 x 上原地修改了（例如 x[i] += h），或者只是给同一个数组起了新名字（xp = x）："
                                  "调用者的 x 被改掉了。要在 x 的副本上移动坐标。")


@graded("每个分量都是该坐标上的中心差分（与参考实现一致）", points=1.5)
def test_matches_reference(student, rng):
    for function in VECTOR:
        x = rng.uniform(-1.5, 1.5, size=4)
        expected = ref.numerical_gradient(function.numpy(), x)
        expect_array(student.call(GRADE_ID, function.fn, x), expected,
                     f"对 {function.describe}，numerical_gradient(f, x = {shown_array(x)})", **SAME_FORMULA)


@graded("与 torch 自动微分求出的梯度一致（在中心差分的误差范围内）", points=0.5)
def test_close_to_autograd(student, rng):
    for function in VECTOR:
        x = rng.uniform(-1, 1, size=3)
        expect_array(student.call(GRADE_ID, function.fn, x), autograd_gradient(function, x),
                     f"对 {function.describe}，numerical_gradient(f, x = {shown_array(x)})", **CENTRAL_DIFFERENCE,
                     mismatch="离真实梯度太远（超出了中心差分的误差范围）。")


@graded("长度 1 和长度 10 的 x：返回形状与 x 相同的 float64 数组，数值正确", points=0.5)
def test_shape_and_dtype(student, rng):
    function = VECTOR[0]
    for n in (1, 10):
        x = rng.uniform(-1, 1, size=n)
        result = student.call(GRADE_ID, function.fn, x)
        array = as_array(result, f"numerical_gradient(f, 长度为 {n} 的 x)")
        if not isinstance(result, np.ndarray) or result.shape != (n,) or result.dtype != np.float64:
            fail(f"numerical_gradient(f, 长度为 {n} 的 x) 应返回形状 ({n},)、dtype 为 float64 的 NumPy 数组，"
                 f"你返回的是{describe_type(result)}。",
                 diagnosis=("not_a_float_array", "结果要是 float64 的 NumPy 数组，形状和 x 相同：不是列表，"
                                                 "也不是整数数组（整数数组装不下小数）。"))
        expect_array(array, ref.numerical_gradient(function.numpy(), x),
                     f"对 {function.describe}，numerical_gradient(f, 长度为 {n} 的 x)", **SAME_FORMULA)


@graded("不修改传入的 x（连最后一位小数都不变）", points=0.5)
def test_x_unchanged(student, rng):
    function = VECTOR[2]
    x = rng.uniform(-1, 1, size=5)
    kept = student.put(x)
    student.call(GRADE_ID, function.fn, kept)
    after = as_array(student.get(kept), "调用之后的 x")
    if not np.array_equal(after, x):
        fail(f"调用 numerical_gradient(f, x = {shown_array(x)}) 之后，传入的 x 变成了 {shown_array(after)}。"
             "先加 h 再减 h 也回不到原值（浮点舍入），所以只能在副本上移动坐标。", diagnosis=MUTATES_INPUT)


@graded("h = 0.1 和 h = 0.001 时，结果是用这个 h 算出的中心差分", points=0.5)
def test_uses_h(student, rng):
    function = VECTOR[1]
    x = rng.uniform(-1, 1, size=3)
    for h in (0.1, 1e-3):
        expect_array(student.call(GRADE_ID, function.fn, x, h=h), ref.numerical_gradient(function.numpy(), x, h),
                     f"对 {function.describe}，numerical_gradient(f, x = {shown_array(x)}, h={h})", **SAME_FORMULA)


@graded("对各坐标互相影响的 f(v) = exp(−‖v‖²)·v₀，每个分量都正确（每次只移动一个坐标）", points=0.5)
def test_coordinates_independent(student):
    function = VECTOR[3]
    x = np.array([0.3, -0.7, 1.1, 0.2])
    expect_array(student.call(GRADE_ID, function.fn, x), ref.numerical_gradient(function.numpy(), x),
                 f"对 {function.describe}，numerical_gradient(f, x = {shown_array(x)})", **SAME_FORMULA)
