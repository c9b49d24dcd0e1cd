"""Reference implementations of ps1_derivatives, the oracle of its hidden suite.

Generated from source/ps1_derivatives/ps1_derivatives.ipynb by `python -m autograder build`; do not edit.
"""


import numpy as np


def f(x):
    """文章中的例子 f(x) = x²。x 可以是一个数，也可以是 NumPy 数组（逐元素平方）。"""
    return x**2


def f_prime(x):
    """f(x) = x² 的导数 f'(x) = 2x。x 可以是一个数，也可以是 NumPy 数组。"""
    return 2 * x


def numerical_derivative(f, x, h=1e-6):
    """用前向差分（forward difference）近似 f 在 x 处的导数：(f(x + h) - f(x)) / h。"""
    return (f(x + h) - f(x)) / h


def central_difference(f, x, h=1e-5):
    """用中心差分（central difference）近似 f 在 x 处的导数：(f(x + h) - f(x - h)) / (2h)。"""
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_gradient(f, x, h=1e-5):
    """用中心差分逐个坐标近似标量函数 f 在点 x（1 维数组）处的梯度。

    返回与 x 形状相同的 float64 数组，第 i 个元素是 (f(x + h·e_i) - f(x - h·e_i)) / (2h)。
    不修改传入的 x。
    """
    x = np.array(x, dtype=np.float64)  # 一份副本：之后怎么改都不影响调用者的数组
    grad = np.zeros_like(x)
    for i in range(x.size):
        x_plus = x.copy()
        x_minus = x.copy()
        x_plus[i] += h
        x_minus[i] -= h
        grad[i] = (f(x_plus) - f(x_minus)) / (2 * h)
    return grad
