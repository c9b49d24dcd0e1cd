"""linear_model(X, w, b) = X * w + b, element by element, same shape as X; X left unchanged."""
import numpy as np

from autograder.testkit.checks import as_array, expect_array, fail, graded
from autograder.testkit.tolerances import SAME_FORMULA
from .common import ref

GRADE_ID = "linear_model"


@graded("对随机数据（形状 (n, 1)）和各种 w、b（w = 0、b = 0、整数、np.float64），结果是线性模型的预测值", points=1)
def test_matches_reference(student, rng):
    for n in (1, 7, 50):
        X = rng.normal(0, 2, size=(n, 1))
        w, b = (float(v) for v in rng.uniform(-3, 3, size=2))
        expect_array(student.call(GRADE_ID, X, w, b), ref.linear_model(X, w, b),
                     f"linear_model(形状为 ({n}, 1) 的随机 X, w={w:.6g}, b={b:.6g})", **SAME_FORMULA)
    X = rng.uniform(-2, 2, size=(6, 1))
    cases = [(0.0, 2.5, "w = 0 时（预测值应处处等于 b）"), (-1.5, 0.0, "b = 0 时"),
             (3, -2, "w、b 是整数时"), (np.float64(0.5), np.float64(-0.25), "w、b 是 np.float64 时")]
    for w, b, what in cases:
        expect_array(student.call(GRADE_ID, X, w, b), ref.linear_model(X, w, b),
                     f"linear_model(形状为 (6, 1) 的随机 X, w={w!r}, b={b!r})（{what}）", **SAME_FORMULA)


@graded("对其他形状的 X（一维数组、(2, 3) 的数组）也逐元素计算，形状与 X 相同", points=0.5)
def test_other_shapes(student, rng):
    for shape in ((5,), (2, 3)):
        X = rng.normal(size=shape)
        w, b = (float(v) for v in rng.uniform(-2, 2, size=2))
        result = student.call(GRADE_ID, X, w, b)
        array = as_array(result, f"linear_model(形状为 {shape} 的 X, w, b)")
        if array.shape != shape:
            fail(f"linear_model(形状为 {shape} 的 X, w, b) 返回的形状应与 X 相同，即 {shape}，你的结果形状是 "
                 f"{array.shape}。")
        expect_array(array, ref.linear_model(X, w, b), f"linear_model(形状为 {shape} 的随机 X, w={w:.6g}, b={b:.6g})",
                     **SAME_FORMULA)


@graded("不修改传入的 X", points=0.5)
def test_x_unchanged(student, rng):
    X = rng.normal(size=(8, 1))
    kept = student.put(X)
    student.call(GRADE_ID, kept, 1.7, -0.4)
    if not np.array_equal(as_array(student.get(kept), "调用之后的 X"), X):
        fail("调用 linear_model(X, w=1.7, b=-0.4) 之后，传入的数组 X 被改变了。",
             diagnosis=("mutates_input", "你原地（in-place）修改了传入的 X（例如 X *= w、X += b）：调用者的数据被改掉了，"
                                         "下次再用 X 时就不对了。算出的预测值要放在一个新数组里。"))
