"""gradient_mse(X, y, w, b) = np.array([dw, db]), dw = -2 mean(X (y - ŷ)), db = -2 mean(y - ŷ),
checked against the reference and against torch autograd of the MSE with respect to (w, b).

gradient_mse is told to call linear_model: it is judged alone (HELPERS), so a wrong linear_model
costs points on linear_model only."""
import numpy as np

from autograder.checks import as_array, describe_type, expect_array, fail, graded
from autograder.tolerances import AUTOGRAD, SAME_FORMULA
from autograder.reference import remembered
ref = remembered("ps3_linear_regression")
from .common import autograd_mse_gradient, noisy_line

GRADE_ID = "gradient_mse"
HELPERS = ("linear_model",)
HINT = ("先算 y_pred = linear_model(X, w, b)（用传入的 w 和 b），再算 dw = -2 * np.mean(X * (y - y_pred))、"
        "db = -2 * np.mean(y - y_pred)，按 [dw, db] 的顺序返回。常见错误：漏了负号或因子 2、用求和代替平均、"
        "dw 里漏乘 X、把 dw 和 db 的顺序弄反。")


@graded("公开测试（笔记本里的自测）全部通过", points=0)
def test_public(student, assignment):
    student.run_public(assignment.public_check(GRADE_ID))


@graded("在随机数据和随机的 (w, b) 处，[dw, db] 与公式（参考实现）一致", points=1)
def test_matches_reference(student, rng):
    X, y = noisy_line(rng, 12, w=-1.3, b=0.8)
    points = [(float(w), float(b)) for w, b in rng.uniform(-3, 3, size=(3, 2))]

    for w, b in points:
        expect_array(student.call(GRADE_ID, X, y, w, b), ref.gradient_mse(X, y, w, b),
                     "gradient_mse(X, y, w, b)（X、y 为随机生成的 12 个样本）", **SAME_FORMULA, hint=HINT)


@graded("与 torch 自动微分（autograd）求出的 MSE 对 (w, b) 的梯度一致", points=1)
def test_matches_autograd(student, rng):
    X, y = noisy_line(rng, 9, w=2.4, b=-0.6, spread=2.0)
    points = [(float(w), float(b)) for w, b in rng.uniform(-2, 4, size=(3, 2))]
    expected = [autograd_mse_gradient(X, y, w, b) for w, b in points]

    for (w, b), gradient in zip(points, expected):
        expect_array(student.call(GRADE_ID, X, y, w, b), gradient,
                     "gradient_mse(X, y, w, b)（与 torch 自动微分求出的真实梯度 [∂L/∂w, ∂L/∂b] 比较）",
                     **AUTOGRAD, hint=HINT)


@graded("数据恰好在直线上时，在真实的 (w, b) 处梯度为 [0, 0]；直线整体偏高时两个分量都为正", points=0.5)
def test_direction(student, rng):
    X = rng.integers(1, 9, size=(6, 1)).astype(float)     # x > 0, and y exactly on y = 1.5 x − 0.25
    y = 1.5 * X - 0.25

    expect_array(student.call(GRADE_ID, X, y, 1.5, -0.25), [0.0, 0.0],
                 "数据恰好在 y = 1.5x − 0.25 上，gradient_mse(X, y, 1.5, -0.25)", **SAME_FORMULA,
                 hint="所有残差都为 0 时，梯度应为 [0, 0]：梯度里的每一项都要乘以残差 y − y_pred。")
    result = as_array(student.call(GRADE_ID, X, y, 2.5, 0.75), "gradient_mse(X, y, 2.5, 0.75)")
    if result.shape != (2,) or not (result[0] > 0 and result[1] > 0):
        fail("同样的数据（x 都为正），在 w = 2.5、b = 0.75 处直线太陡、整体偏高（预测值都大于真实值），"
             "gradient_mse 的两个分量都应为正（这样梯度下降才会减小 w 和 b）。检查公式前面的负号，"
             "以及残差是不是 y - y_pred。")
    expect_array(result, ref.gradient_mse(X, y, 2.5, 0.75), "gradient_mse(X, y, 2.5, 0.75)",
                 **SAME_FORMULA, hint=HINT)


@graded("返回形状为 (2,) 的 NumPy 数组 np.array([dw, db])", points=0.5)
def test_returns_array(student, rng):
    X, y = noisy_line(rng, 6, w=0.7, b=1.9)

    result = student.call(GRADE_ID, X, y, 0.2, -0.3)
    if not isinstance(result, np.ndarray) or result.shape != (2,) or result.dtype.kind != "f":
        fail(f"gradient_mse(X, y, w, b) 应返回形状为 (2,) 的浮点 NumPy 数组 np.array([dw, db])，"
             f"你返回的是{describe_type(result)}。dw、db 都应是一个数：对所有元素用 np.mean（不要指定 axis）。")
    expect_array(result, ref.gradient_mse(X, y, 0.2, -0.3), "gradient_mse(X, y, 0.2, -0.3)",
                 **SAME_FORMULA, hint=HINT)


@graded("只有一个样本（n = 1）和有 500 个样本时也正确", points=0.5)
def test_sizes(student, rng):
    cases = [noisy_line(rng, 1, w=1.5, b=-2.0), noisy_line(rng, 500, w=-0.4, b=3.0)]
    points = [(float(w), float(b)) for w, b in rng.uniform(-2, 2, size=(2, 2))]

    for (X, y), (w, b) in zip(cases, points):
        n = len(X)
        expect_array(student.call(GRADE_ID, X, y, w, b), ref.gradient_mse(X, y, w, b),
                     f"gradient_mse(X, y, w, b)（{n} 个样本）", **SAME_FORMULA,
                     hint="用 np.mean 求平均（除以样本数 n），样本多少都一样。" + HINT)


@graded("不修改传入的 X 和 y", points=0.5)
def test_data_unchanged(student, rng):
    X, y = noisy_line(rng, 8, w=1.1, b=0.4)

    kept_X, kept_y = student.put(X), student.put(y)
    student.call(GRADE_ID, kept_X, kept_y, 0.5, 0.5)
    for name, kept, original in (("X", kept_X, X), ("y", kept_y, y)):
        if not np.array_equal(as_array(student.get(kept), f"调用之后的 {name}"), original):
            fail(f"调用 gradient_mse(X, y, w, b) 之后，传入的 {name} 被改变了。不要对传入的数组做 -=、+=、*= "
                 "这样的原地（in-place）运算：写 residual = y - y_pred，它会生成新数组。",
                 diagnosis=("mutates_input", "你原地（in-place）修改了传入的数据（例如 y -= y_pred）：调用者的 X、y "
                                             "被改掉了，训练时下一次迭代用的就是错的数据。写 residual = y - y_pred，"
                                             "它会生成新数组。"))
