"""Reference implementations of ps2_gradient_descent, the oracle of its hidden suite.

Generated from source/ps2_gradient_descent/ps2_gradient_descent.ipynb by `python -m autograder build`; do not edit.
"""


import numpy as np
def f_quad(x):
    """文章的例子：f(x) = x² + 2x + 1 = (x + 1)²，最小值在 x = -1。"""
    return x**2 + 2*x + 1
def f_quad_prime(x):
    """f_quad 的导数：f'(x) = 2x + 2。"""
    return 2*x + 2


def gradient_descent(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    """一维梯度下降（gradient descent）。

    从 x0 出发，每次迭代计算 g = f_prime(x)，更新 x = x - learning_rate * g，并把新的 x 追加到 history；
    若这次的 abs(g) < tol，走完这一步后停止；最多迭代 max_iterations 次。
    返回 (x, history)，history = [x0, x1, x2, ...]，长度 = 步数 + 1。
    """
    x = x0
    history = [x]
    for _ in range(max_iterations):
        g = f_prime(x)
        x = x - learning_rate * g
        history.append(x)
        if abs(g) < tol:
            break
    return x, history


def f_2d(x, y):
    """文章的二维例子：f(x, y) = x² + y²，最小值在 (0, 0)。"""
    return x**2 + y**2


def gradient_2d(x, y):
    """f(x, y) = x² + y² 的梯度，返回 NumPy 数组 [∂f/∂x, ∂f/∂y] = [2x, 2y]。"""
    return np.array([2 * x, 2 * y])


def gradient_descent_2d(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    """二维梯度下降。

    x = np.array(x0, dtype=float)，history = [x.copy()]；每次迭代 g = gradient_func(x[0], x[1])，
    x = x - learning_rate * g，把 x 的副本追加到 history；若这次 np.linalg.norm(g) < tol，走完这一步后停止；
    最多迭代 max_iterations 次。返回 (x, history)。不修改 x0；history 中的元素互相独立。
    """
    x = np.array(x0, dtype=float)
    history = [x.copy()]
    for _ in range(max_iterations):
        g = gradient_func(x[0], x[1])
        x = x - learning_rate * g
        history.append(x.copy())
        if np.linalg.norm(g) < tol:
            break
    return x, history


def f_sin(x):
    """文章"局部最小值"一节的函数：f(x) = sin(x) + 0.5·x²。"""
    return np.sin(x) + 0.5 * x**2
def f_sin_prime(x):
    """f_sin 的导数：cos(x) + x。"""
    return np.cos(x) + x
def f_double_well(x):
    """一个真正非凸的"双谷"函数：f(x) = x⁴ - 3x² + x。"""
    return x**4 - 3 * x**2 + x
def f_double_well_prime(x):
    """f_double_well 的导数：4x³ - 6x + 1。"""
    return 4 * x**3 - 6 * x + 1


def multi_start(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000):
    """多起点（multi-start）梯度下降。

    对 starting_points 中的每个 x0（按顺序）运行
    gradient_descent(f, f_prime, x0, learning_rate=learning_rate, max_iterations=max_iterations)，
    返回列表，每个元素是字典 {"start": x0, "optimal": 终点 x, "value": f(终点 x)}。
    """
    results = []
    for x0 in starting_points:
        x_opt, _history = gradient_descent(f, f_prime, x0, learning_rate=learning_rate,
                                           max_iterations=max_iterations)
        results.append({"start": x0, "optimal": x_opt, "value": f(x_opt)})
    return results


def best_result(results):
    """返回 results（multi_start 的输出）中 "value" 最小的那个字典；并列时返回最先出现的那个。"""
    best = results[0]
    for r in results[1:]:
        if r["value"] < best["value"]:
            best = r
    return best
