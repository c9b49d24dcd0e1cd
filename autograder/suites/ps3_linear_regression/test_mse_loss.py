"""mse_loss(y_true, y_pred): the mean of the squared residuals, returned as a float."""
import numpy as np

from autograder.testkit.checks import describe_type, expect_number, fail, graded
from autograder.testkit.tolerances import SAME_FORMULA
from .common import ref

GRADE_ID = "mse_loss"


@graded("对随机的真实值和预测值（形状 (n, 1)），结果等于残差平方的平均值", points=1)
def test_matches_reference(student, rng):
    for n in (10, 2, 100):   # n = 2 first would not tell a sum from dividing by n − 1
        y_true = rng.normal(1, 2, size=(n, 1))
        y_pred = y_true + rng.normal(0, 0.8, size=(n, 1))
        expect_number(student.call(GRADE_ID, y_true, y_pred), ref.mse_loss(y_true, y_pred),
                      f"mse_loss(形状为 ({n}, 1) 的随机 y_true, y_pred)", **SAME_FORMULA)


@graded("返回一个数（Python float；np.float64 也可以），而不是数组", points=0.5)
def test_returns_float(student, rng):
    y_true, y_pred = rng.normal(size=(5, 1)), rng.normal(size=(5, 1))
    result = student.call(GRADE_ID, y_true, y_pred)
    if isinstance(result, bool) or not isinstance(result, float):
        fail(f"mse_loss(形状为 (5, 1) 的 y_true, y_pred) 应返回一个 Python float（损失是一个单独的数），"
             f"你返回的是{describe_type(result)}。")


@graded("一维数组、单个样本（n = 1）也正确；预测完全正确时为 0；交换两个参数结果不变", points=0.5)
def test_properties(student, rng):
    y_true, y_pred = rng.normal(size=7), rng.normal(size=7)
    expect_number(student.call(GRADE_ID, y_true, y_pred), ref.mse_loss(y_true, y_pred),
                  "mse_loss(长度为 7 的随机一维数组 y_true, y_pred)", **SAME_FORMULA)
    expect_number(student.call(GRADE_ID, y_pred, y_true), ref.mse_loss(y_true, y_pred),
                  "交换两个参数后的 mse_loss(y_pred, y_true)（MSE 对两个参数是对称的）", **SAME_FORMULA)
    one_true, one_pred = np.array([[2.5]]), np.array([[-0.5]])
    expect_number(student.call(GRADE_ID, one_true, one_pred), 9.0,
                  "只有一个样本时，mse_loss([[2.5]], [[-0.5]])", **SAME_FORMULA)
    y = rng.normal(size=(4, 1))
    expect_number(student.call(GRADE_ID, y, y.copy()), 0.0,
                  "预测完全正确（y_pred 等于 y_true）时，mse_loss", **SAME_FORMULA, public=True)
