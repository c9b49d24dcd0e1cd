"""Reference implementations of ps3_linear_regression, the oracle of its hidden suite.

Generated from source/ps3_linear_regression/ps3_linear_regression.ipynb by `python -m autograder build`; do not edit.
"""


import numpy as np


def linear_model(X, w, b):
    """线性模型：对每个样本计算预测值 y_pred = X * w + b。

    参数
        X: 形状为 (n, 1) 的数组，每行一个样本
        w: 权重（weight），一个数
        b: 偏置（bias），一个数
    返回
        与 X 形状相同的预测值数组
    """
    return X * w + b


def mse_loss(y_true, y_pred):
    """均方误差（MSE）：残差 y_true - y_pred 的平方的平均值。

    参数
        y_true: 真实值数组
        y_pred: 预测值数组，与 y_true 形状相同
    返回
        一个 Python float
    """
    return float(np.mean((y_true - y_pred) ** 2))


def gradient_mse(X, y, w, b):
    """MSE 损失对参数 (w, b) 的梯度。

    参数
        X, y: 形状为 (n, 1) 的数据
        w, b: 当前的参数（两个数）
    返回
        np.array([dw, db])，形状为 (2,)；dw = ∂L/∂w，db = ∂L/∂b（公式见上文 4.2）
    """
    y_pred = linear_model(X, w, b)
    dw = -2 * np.mean(X * (y - y_pred))
    db = -2 * np.mean(y - y_pred)
    return np.array([dw, db])


def train_linear_regression(X, y, learning_rate=0.01, max_iterations=1000):
    """用梯度下降训练线性回归模型。

    从 w = b = 0.0 开始，共迭代 max_iterations 次。第 i 次迭代在当前的 w, b 处
    计算损失和梯度，更新 w 和 b，然后把
        {"iteration": i, "loss": 更新前的损失, "w": 更新后的 w, "b": 更新后的 b}
    追加到 history。

    返回
        (w, b, history)
    """
    w, b = 0.0, 0.0
    history = []
    for i in range(max_iterations):
        y_pred = linear_model(X, w, b)
        loss = mse_loss(y, y_pred)
        grad = gradient_mse(X, y, w, b)
        w = w - learning_rate * grad[0]
        b = b - learning_rate * grad[1]
        history.append({"iteration": i, "loss": loss, "w": w, "b": b})
    return w, b, history
