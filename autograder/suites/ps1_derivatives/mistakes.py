"""The mistakes students really make in ps1, as formulas (see autograder/testkit/diagnosis.py).

Each model has the graded function's signature and computes what that mistake gives; when it
reproduces every answer a failing student function gave, its text is the cause. A family's
variants change one part of the formula each; two of them together are a model too
(`Family.pairs`). Texts name the cause and the idea; what would hand over the answer is marked
⟪ ⟫ and shown only at the formula level (autograder/course/hints.py).
"""
import numpy as np

from autograder.course.hints import formula
from autograder.testkit.diagnosis import Family, model

FORMULAS = {
    "f": "f(x) = x ** 2",
    "f_prime": "f'(x) = 2 * x",
    "numerical_derivative": "(f(x + h) - f(x)) / h",
    "central_difference": "(f(x + h) - f(x - h)) / (2 * h)",
    "numerical_gradient": "第 i 个分量 (f(x + h·eᵢ) - f(x - h·eᵢ)) / (2 * h)，x + h·eᵢ 是只把 x 的第 i 个坐标加上 h 的副本",
}

# Steps students write into the body instead of using h (the book's 1e-4, its "bad" 10e-50, ...).
FIXED_STEPS = (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 10e-50)   # smaller ones are the true derivative to 1e-7
IGNORES_H = ("你没有用传入的参数 h：函数体里把步长写成了一个固定的数，调用者传 h=0.1 时结果也不变。"
             "步长要用参数 h。")


# ------------------------------------------------------------------------------------------ f

@model("derivative_instead", "你返回的是导数 2x，而 f 要返回函数值本身 x²。", section="3")
def f_derivative(x):
    return 2 * x


@model("cube", "你算的是立方 x³，要的是平方 x²。", section="3")
def f_cube(x):
    return x ** 3


@model("dot_product", "np.dot(x, x) 是点积（dot product）：它把各元素的平方加成一个数，二维数组还会出错；"
                      "f 要对数组逐元素（element-wise）平方，结果和 x 形状相同。", section="3")
def f_dot(x):
    return np.dot(x, x)


# ------------------------------------------------------------------------------------ f_prime

@model("returns_function", "你返回的是函数值 x²，f_prime 要返回导数 2x。", section="4.1")
def prime_function(x):
    return x ** 2


@model("sign_flipped", "你的结果差了一个负号：x² 的导数是 +2x。", section="4.1")
def prime_negative(x):
    return -2 * x


@model("off_by_constant", "你的结果多加了一个常数：x² 的导数 2x 没有常数项。", section="4.1")
def prime_plus_one(x):
    return 2 * x + 1


@model("missing_factor_2", "你漏了因子 2：幂法则（power rule）xⁿ 的导数是 n·xⁿ⁻¹，n = 2 时前面有个 2。", section="4.1")
def prime_half(x):
    return x


@model("constant", "你返回了一个常数：x² 的导数随 x 变化（幂法则 power rule：n·xⁿ⁻¹）。", section="4.1")
def prime_constant(x):
    return 2 if np.ndim(x) == 0 else np.full(np.shape(x), 2)


# ------------------------------------------------------------------------ numerical_derivative

def _difference(f, x, h=None, *, default=1e-6, scheme="forward", fixed=None, divide=1, sign=1, floor=False,
                half=False, square=False):
    """A difference quotient with one part changed (the mistake); the reference's order of operations."""
    h = fixed if fixed is not None else (default if h is None else h)
    if square:
        f = lambda v: v ** 2   # the notebook's own f(x) = x², not the function passed in
    step = h / 2 if half else h
    if scheme == "forward":
        a, b = f(x + step), f(x)
    elif scheme == "backward":
        a, b = f(x), f(x - step)
    else:
        a, b = f(x + step), f(x - step)
    difference = sign * (a - b)
    if divide == "precedence":
        return difference / 2 * h
    if divide == "parenthesis":
        return a - b / (2 * h)
    span = (2 * h if scheme == "central" and not half else h) * divide
    return difference // span if floor else difference / span


ND = Family(lambda f, x, h=None, **changes: _difference(f, x, h, **changes), exclusive=("fixed", "default"))
FORWARD = "5"
nd_central = ND.variant("central_instead_of_forward",
                        "你算的是中心差分（central difference：在 x 的两侧各取一点）：这一题要的是前向差分（forward "
                        "difference），只用 x 和它右边的 x + h 两个点" + formula("：(f(x + h) − f(x)) / h") + "。",
                        FORWARD, scheme="central")
nd_sign = ND.variant("sign_flipped", "你的前向差分正负号反了：斜率是右边的点（x + h）的函数值减去 x 处的函数值，再除以步长；"
                                     "你算成了 x 处减右边。", FORWARD, sign=-1)
nd_two_h = ND.variant("divides_by_2h", "你除以了 2h：前向差分的两个点 x 和 x + h 只相距一个步长 h，斜率要除以这个距离。",
                      FORWARD, divide=2)
nd_fixed_h = [ND.variant("ignores_h", IGNORES_H, FORWARD, fixed=step) for step in FIXED_STEPS]
nd_backward = ND.variant("backward_difference", "你算的是后向差分（backward difference：用 x 和它左边的 x − h）："
                                                "这一题要的是前向差分，用 x 和它右边的 x + h。", FORWARD, scheme="backward")
nd_default = [ND.variant("wrong_default_h", "默认步长不对：签名是 numerical_derivative(f, x, h=1e-6)，"
                                            "不传 h 时要用 1e-6。", FORWARD, default=step) for step in (1e-4, 1e-5, 1e-8)]
nd_floor = ND.variant("integer_division", "你用了整除 //，它把商向下取整：这里要普通的除法 /。", FORWARD, floor=True)
nd_notebook_f = ND.variant("uses_notebook_f", "你没有对传入的函数求差分：函数体里调用的是笔记本里的 f（x²），而不是参数。"
                                              "参数叫什么名字，函数体里就要调用那个名字（参数名是 func，就写 func(...)）。",
                           FORWARD, square=True)


# -------------------------------------------------------------------------- central_difference

CD = Family(lambda f, x, h=None, **changes: _difference(f, x, h, **{"default": 1e-5, "scheme": "central", **changes}),
            exclusive=("fixed", "default"))
CENTRAL = "6"
cd_forward = CD.variant("forward_instead_of_central",
                        "你算的是前向差分（只用 x 和 x + h）：这一题要的是中心差分（central difference），在 x 的两侧 "
                        "x − h 和 x + h 各取一点" + formula("：(f(x + h) − f(x − h)) / (2h)") + "。", CENTRAL,
                        scheme="forward")
cd_precedence = CD.variant("precedence", "运算优先级（precedence）：a / 2 * h 是先除以 2、再乘以 h，不是除以 2h。"
                                         "分母是一个整体时要加括号。", CENTRAL, divide="precedence")
cd_parenthesis = CD.variant("misplaced_parenthesis", "括号放错了：你只把 f(x − h) 除以了 2h，再用 f(x + h) 减去它。"
                                                     "要先求两个函数值的差，再把整个差除以 2h。", CENTRAL,
                            divide="parenthesis")
cd_missing_2 = CD.variant("missing_factor_2", "你只除以了 h：x − h 和 x + h 相距 2h，斜率要除以这个距离。", CENTRAL,
                          divide=0.5)
cd_sign = CD.variant("sign_flipped", "你的中心差分正负号反了：要用右边的点（x + h）的函数值减左边的点（x − h）的。",
                     CENTRAL, sign=-1)
cd_fixed_h = [CD.variant("ignores_h", IGNORES_H, CENTRAL, fixed=step) for step in FIXED_STEPS]
cd_default = [CD.variant("wrong_default_h", "默认步长不对：签名是 central_difference(f, x, h=1e-5)，不传 h 时要用 1e-5。",
                         CENTRAL, default=step) for step in (1e-6, 1e-4, 1e-2, 1e-3)]
cd_half = CD.variant("half_steps", "你在 x ± h/2 处求值、再除以 h：这是步长为 h/2 的中心差分。题目规定在 x ± h 处求值，"
                                   "两点相距 2h。", CENTRAL, half=True)


# -------------------------------------------------------------------------- numerical_gradient

def _gradient(f, x, h=1e-5, *, scheme="central", divide=1, count=None, together=False, fixed=None, half=False):
    """The reference's coordinate loop with one part changed (the mistake)."""
    h = fixed if fixed is not None else h
    x = np.array(x, dtype=float)
    if together:
        return np.full(x.shape, (f(x + h) - f(x - h)) / (2 * h))
    g = np.zeros_like(x)
    step = h / 2 if half else h
    for i in range(x.size if count is None else count(x.size)):
        plus, minus = x.copy(), x.copy()
        plus[i] += step
        minus[i] -= step
        if scheme == "forward":
            g[i] = (f(plus) - f(x)) / h
        else:
            g[i] = (f(plus) - f(minus)) / ((h if half else 2 * h) * divide)
    return g


NG = Family(_gradient)
GRADIENT = "8"
ng_forward = NG.variant("forward_difference", "每个分量都是前向差分（只用 x 和 x + h·eᵢ）：题目要求中心差分，"
                                              "在第 i 个坐标的两侧 x − h·eᵢ 和 x + h·eᵢ 各取一点。", GRADIENT,
                        scheme="forward")
ng_missing_2 = NG.variant("missing_factor_2", "你只除以了 h：第 i 个坐标上的两个点 x − h·eᵢ 和 x + h·eᵢ 相距 2h，"
                                              "要除以这个距离。", GRADIENT, divide=0.5)
ng_off_by_one = NG.variant("off_by_one", "最后一个分量是 0：循环少走了一步（例如 range(len(x) - 1)）。每个坐标 i = 0 … n−1 "
                                         "都要算。", GRADIENT, count=lambda n: n - 1)
ng_together = NG.variant("all_coordinates_at_once", "你把所有坐标同时移动了 h（x + h），得到的是沿对角线方向的导数；"
                                                    "第 i 个偏导数只移动第 i 个坐标（x + h·eᵢ）。", GRADIENT, together=True)
ng_fixed_h = [NG.variant("ignores_h", IGNORES_H, GRADIENT, fixed=step) for step in FIXED_STEPS]
ng_half = NG.variant("half_steps", "你把第 i 个坐标移动了 ±h/2、再除以 h：这是步长为 h/2 的中心差分。题目规定移动 ±h，"
                                   "两点相距 2h。", GRADIENT, half=True)


MISTAKES = {
    "f": [f_derivative, f_cube, f_dot],
    "f_prime": [prime_function, prime_negative, prime_plus_one, prime_half, prime_constant],
    "numerical_derivative": ND.variants + ND.pairs(),
    "central_difference": CD.variants + CD.pairs(),
    "numerical_gradient": NG.variants + NG.pairs(),
}
