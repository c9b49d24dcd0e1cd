"""The mistakes students really make in ps1, as formulas (see autograder/diagnosis.py).

Each model has the graded function's signature and computes what that mistake gives; when it
reproduces every answer a failing student function gave, its text is the diagnosis.
"""
import numpy as np

from autograder.diagnosis import model

FORWARD = "(f(x + h) − f(x)) / h"
CENTRAL = "(f(x + h) − f(x − h)) / (2h)"


@model("derivative_instead", "你返回的是导数 2x，而 f 要返回函数值本身 x²。")
def f_derivative(x):
    return 2 * x


@model("cube", "你算的是立方 x³，要的是平方 x²（x ** 2）。")
def f_cube(x):
    return x ** 3


@model("dot_product", "np.dot(x, x) 是点积（把平方加成一个数，二维数组还会出错）；f 要对数组逐元素平方（x ** 2），结果和 x 形状相同。")
def f_dot(x):
    return np.dot(x, x)


@model("returns_function", "你返回的是函数值 x²，f_prime 要返回导数 2x。")
def prime_function(x):
    return x ** 2


@model("sign_flipped", "你的结果差了一个负号：x² 的导数是 +2x。")
def prime_negative(x):
    return -2 * x


@model("off_by_constant", "你的结果多加了一个常数：x² 的导数是 2x，没有常数项。")
def prime_plus_one(x):
    return 2 * x + 1


@model("missing_factor_2", "你漏了因子 2：x² 的导数是 2x（幂法则：n·xⁿ⁻¹）。")
def prime_half(x):
    return x


@model("constant", "你返回了一个常数：x² 的导数 2x 随 x 变化（幂法则：n·xⁿ⁻¹）。")
def prime_constant(x):
    return 2 if np.ndim(x) == 0 else np.full(np.shape(x), 2)


@model("central_instead_of_forward", f"你的结果恰好等于中心差分 {CENTRAL}：这里要的是前向差分 {FORWARD}。")
def nd_central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


@model("sign_flipped", f"你的结果正负号反了：前向差分是 {FORWARD}，后一点减前一点。")
def nd_sign(f, x, h=1e-6):
    return (f(x) - f(x + h)) / h


@model("divides_by_2h", f"你除以了 2h：前向差分只跨了一个步长，是 {FORWARD}（除以 h）。")
def nd_two_h(f, x, h=1e-6):
    return (f(x + h) - f(x)) / (2 * h)


@model("ignores_h", "你把步长写死成了 1e-6：函数要用传入的参数 h。")
def nd_fixed_h(f, x, h=1e-6):
    return (f(x + 1e-6) - f(x)) / 1e-6


@model("backward_difference", f"你的结果恰好等于后向差分 (f(x) − f(x − h)) / h：这里要的是前向差分 {FORWARD}。")
def nd_backward(f, x, h=1e-6):
    return (f(x) - f(x - h)) / h


@model("wrong_default_h", "默认步长不对：题目规定 numerical_derivative 的默认 h = 1e-6（签名里 h=1e-6）。")
def nd_default(f, x, h=1e-4):
    return (f(x + h) - f(x)) / h


@model("integer_division", "你用了整除 //，它把商向下取整：除法要用 /。")
def nd_floor(f, x, h=1e-6):
    return (f(x + h) - f(x)) // h


@model("forward_instead_of_central", f"你的结果恰好等于前向差分 {FORWARD}：题目要求中心差分 {CENTRAL}。")
def cd_forward(f, x, h=1e-5):
    return (f(x + h) - f(x)) / h


@model("precedence", "运算优先级：a / 2 * h 等于 (a / 2) · h，不是 a / (2h)。分母要加括号：/ (2 * h)。")
def cd_precedence(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / 2 * h


@model("missing_factor_2", f"你漏了分母里的 2：x + h 和 x − h 相距 2h，中心差分是 {CENTRAL}。")
def cd_missing_2(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / h


@model("sign_flipped", f"你的结果正负号反了：中心差分是 {CENTRAL}，右边的点减左边的点。")
def cd_sign(f, x, h=1e-5):
    return (f(x - h) - f(x + h)) / (2 * h)


@model("ignores_h", "你把步长写死成了 1e-5：函数要用传入的参数 h。")
def cd_fixed_h(f, x, h=1e-5):
    return (f(x + 1e-5) - f(x - 1e-5)) / 2e-5


@model("wrong_default_h", "默认步长不对：题目规定 central_difference 的默认 h = 1e-5（签名里 h=1e-5）。")
def cd_default(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def _partials(f, x, h, difference, count=None):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in range(x.size if count is None else count(x.size)):
        g[i] = difference(f, x, i, h)
    return g


def _step(x, i, h):
    moved = x.copy()
    moved[i] += h
    return moved


@model("forward_difference", "每个分量都恰好等于前向差分 (f(x + h·eᵢ) − f(x)) / h：题目要求中心差分 "
                             "(f(x + h·eᵢ) − f(x − h·eᵢ)) / (2h)。")
def ng_forward(f, x, h=1e-5):
    return _partials(f, x, h, lambda f, x, i, h: (f(_step(x, i, h)) - f(x)) / h)


@model("missing_factor_2", "你漏了分母里的 2：x + h·eᵢ 和 x − h·eᵢ 相距 2h，每个分量要除以 2h。")
def ng_missing_2(f, x, h=1e-5):
    return _partials(f, x, h, lambda f, x, i, h: (f(_step(x, i, h)) - f(_step(x, i, -h))) / h)


@model("off_by_one", "最后一个分量是 0：循环少走了一步（range(len(x) - 1)）。要对每个坐标 i = 0 … n−1 都算。")
def ng_off_by_one(f, x, h=1e-5):
    return _partials(f, x, h, lambda f, x, i, h: (f(_step(x, i, h)) - f(_step(x, i, -h))) / (2 * h),
                     count=lambda n: n - 1)


@model("all_coordinates_at_once", "你把所有坐标同时移动了 h（x + h），得到的是沿对角线的方向导数；"
                                  "第 i 个偏导数只移动第 i 个坐标：x + h·eᵢ。")
def ng_together(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    return np.full(x.shape, (f(x + h) - f(x - h)) / (2 * h))


MISTAKES = {
    "f": [f_derivative, f_cube, f_dot],
    "f_prime": [prime_function, prime_negative, prime_plus_one, prime_half, prime_constant],
    "numerical_derivative": [nd_central, nd_sign, nd_two_h, nd_fixed_h, nd_backward, nd_default, nd_floor],
    "central_difference": [cd_forward, cd_precedence, cd_missing_2, cd_sign, cd_fixed_h, cd_default],
    "numerical_gradient": [ng_forward, ng_missing_2, ng_off_by_one, ng_together],
}
