"""gradient_mse(X, y, w, b) = np.array([dw, db]), the gradient of the MSE with respect to (w, b),
checked against the reference and against torch autograd of the MSE.

gradient_mse is told to call linear_model: it is judged alone (HELPERS), so a wrong linear_model
costs points on linear_model only."""
import numpy as np

from autograder.testkit.checks import as_array, describe_type, expect_array, fail, graded, shown_array
from autograder.testkit.tolerances import AUTOGRAD, SAME_FORMULA
from .common import ref, autograd_mse_gradient, noisy_line

GRADE_ID = "gradient_mse"
HELPERS = ("linear_model",)


@graded("在随机数据和随机的 (w, b) 处，[dw, db] 与公式（参考实现）一致", points=1)
def test_matches_reference(student, rng):
    X, y = noisy_line(rng, 12, w=-1.3, b=0.8)
    points = [(float(w), float(b)) for w, b in rng.uniform(-3, 3, size=(3, 2))]

    for w, b in points:
        expect_array(student.call(GRADE_ID, X, y, w, b), ref.gradient_mse(X, y, w, b),
                     f"gradient_mse(X, y, w={w:.6g}, b={b:.6g})（X、y 为随机生成的 12 个样本）", **SAME_FORMULA)


@graded("与 torch 自动微分（autograd）求出的 MSE 对 (w, b) 的梯度一致", points=1)
def test_matches_autograd(student, rng):
    X, y = noisy_line(rng, 9, w=2.4, b=-0.6, spread=2.0)
    points = [(float(w), float(b)) for w, b in rng.uniform(-2, 4, size=(3, 2))]
    expected = [autograd_mse_gradient(X, y, w, b) for w, b in points]

    for (w, b), gradient in zip(points, expected):
        expect_array(student.call(GRADE_ID, X, y, w, b), gradient,
                     f"gradient_mse(X, y, w={w:.6g}, b={b:.6g})（9 个随机样本，与 torch 自动微分求出的 [∂L/∂w, ∂L/∂b] 比较）",
                     **AUTOGRAD)


@graded("数据恰好在直线上时，在真实的 (w, b) 处梯度为 [0, 0]；直线整体偏高时两个分量都为正", points=0.5)
def test_direction(student, rng):
    X = rng.integers(1, 9, size=(6, 1)).astype(float)     # x > 0, and y exactly on y = 1.5 x − 0.25
    y = 1.5 * X - 0.25

    expect_array(student.call(GRADE_ID, X, y, 1.5, -0.25), [0.0, 0.0],
                 "数据恰好在 y = 1.5x − 0.25 上（所有残差都为 0），gradient_mse(X, y, 1.5, -0.25)", **SAME_FORMULA,
                 public=True)
    result = as_array(student.call(GRADE_ID, X, y, 2.5, 0.75), "gradient_mse(X, y, 2.5, 0.75)")
    if result.shape != (2,) or not (result[0] > 0 and result[1] > 0):
        fail(f"同样的数据（x 都为正），在 w = 2.5、b = 0.75 处直线太陡、整体偏高（预测值都大于真实值），"
             f"gradient_mse 的两个分量都应为正（这样梯度下降才会减小 w 和 b），你的函数返回了 {shown_array(result)}。")
    expect_array(result, ref.gradient_mse(X, y, 2.5, 0.75), "gradient_mse(X, y, 2.5, 0.75)", **SAME_FORMULA)


@graded("在 (w, b) = (0.2, −0.3) 处返回形状为 (2,) 的浮点 NumPy 数组 [dw, db]，数值正确", points=0.5)
def test_returns_array(student, rng):
    X, y = noisy_line(rng, 6, w=0.7, b=1.9)

    result = student.call(GRADE_ID, X, y, 0.2, -0.3)
    if not isinstance(result, np.ndarray) or result.shape != (2,) or result.dtype.kind != "f":
        fail(f"gradient_mse(X, y, 0.2, -0.3) 应返回形状为 (2,) 的浮点 NumPy 数组 [dw, db]（dw、db 各是一个数），"
             f"你返回的是{describe_type(result)}。")
    expect_array(result, ref.gradient_mse(X, y, 0.2, -0.3), "gradient_mse(X, y, 0.2, -0.3)（6 个随机样本）",
                 **SAME_FORMULA)


@graded("只有一个样本（n = 1）和有 500 个样本时也正确", points=0.5)
def test_sizes(student, rng):
    cases = [noisy_line(rng, 1, w=1.5, b=-2.0), noisy_line(rng, 500, w=-0.4, b=3.0)]
    points = [(float(w), float(b)) for w, b in rng.uniform(-2, 2, size=(2, 2))]

    for (X, y), (w, b) in zip(cases, points):
        n = len(X)
        expect_array(student.call(GRADE_ID, X, y, w, b), ref.gradient_mse(X, y, w, b),
                     f"gradient_mse(X, y, w={w:.6g}, b={b:.6g})（{n} 个随机样本）", **SAME_FORMULA)


@graded("不修改传入的 X 和 y", points=0.5)
def test_data_unchanged(student, rng):
    X, y = noisy_line(rng, 8, w=1.1, b=0.4)

    kept_X, kept_y = student.put(X), student.put(y)
    student.call(GRADE_ID, kept_X, kept_y, 0.5, 0.5)
    for name, kept, original in (("X", kept_X, X), ("y", kept_y, y)):
        if not np.array_equal(as_array(student.get(kept), f"调用之后的 {name}"), original):
            fail(f"调用 gradient_mse(X, y, 0.5, 0.5) 之后，传入的 {name} 被改变了。",
                 diagnosis=("mutates_input", "你原地（in-place）修改了传入的数据（例如 y -= y_pred）：调用者的 X、y "
                                             "被改掉了，训练时下一次迭代用的就是错的数据。残差要放在一个新数组里。"))
