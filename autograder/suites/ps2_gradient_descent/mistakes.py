"""The mistakes students really make in ps2, as formulas (see autograder/diagnosis.py).

Each model has the graded function's signature and computes what that mistake gives; when it
reproduces every answer a failing student function gave, its text is the diagnosis. The
gradients and functions a test hands over arrive here as the same trusted functions (Fn.local()),
so a model runs the very floating-point operations the student's code ran.

Mistakes a replay cannot see (an array appended to history again and again, x0 changed in place,
the caller's list sorted) are named by the tests themselves (functions.py, test_*.py).
"""
import numpy as np

from autograder.diagnosis import model
from autograder.reference import remembered
from .functions import INTEGER_X0_IN_PLACE

ref = remembered("ps2_gradient_descent")

RULE = ("规则是：先算更新前那一点的梯度 g，走完这一步（更新 x、把新的 x 追加到 history），"
        "再用这个 g 判断是否停止。")
NORM = "np.linalg.norm(g)"


# ------------------------------------------------------------------------ gradient_descent

def _descent(f_prime, x0, learning_rate, max_iterations, tol, *, step=None, stop=None, iterations=None,
             history=None, gradient_at=None):
    """The reference loop of gradient_descent with one part replaced (the mistake)."""
    step = step or (lambda x, g: x - learning_rate * g)
    stop = stop or (lambda g, x_new: abs(g) < tol)
    x = x0
    path = [x] if history is None else history(x0)
    for _ in range(max_iterations if iterations is None else iterations(max_iterations)):
        g = f_prime(x) if gradient_at is None else f_prime(gradient_at(x0, x))
        x = step(x, g)
        path.append(x)
        if stop(g, x):
            break
    return x, path


@model("sign_flipped", "你的每一步都朝着梯度的方向走（x + learning_rate · g），这是梯度上升（gradient ascent）："
                       "梯度下降要减去梯度，x = x − learning_rate · g。")
def gd_ascent(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent(f_prime, x0, learning_rate, max_iterations, tol, step=lambda x, g: x + learning_rate * g)


STOPS_EARLY = ("你少走了最后一步：判断停止时看的是新位置的梯度（在更新之前就 break，或者更新后用 f_prime(新的 x) 判断）。"
               + RULE + "也就是 g = f_prime(x)，x = x − learning_rate · g，history.append(x)，然后 if abs(g) < tol: break。")


@model("stops_on_new_gradient", STOPS_EARLY)
def gd_break_before_step(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    x = x0
    history = [x]
    for _ in range(max_iterations):
        g = f_prime(x)
        if abs(g) < tol:
            break
        x = x - learning_rate * g
        history.append(x)
    return x, history


@model("stops_on_new_gradient", STOPS_EARLY)
def gd_new_gradient(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent(f_prime, x0, learning_rate, max_iterations, tol, stop=lambda g, x_new: abs(f_prime(x_new)) < tol)


@model("less_or_equal", "停止条件写成了 abs(g) <= tol：题目要求严格小于，abs(g) < tol；g 恰好等于 tol 时还要继续走。")
def gd_less_or_equal(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent(f_prime, x0, learning_rate, max_iterations, tol, stop=lambda g, x_new: abs(g) <= tol)


@model("missing_abs", "停止条件少了绝对值（写成了 g < tol）：在最小值左边梯度是负数，g < tol 一开始就成立，"
                      "第一步之后就停了。要用 abs(g) < tol。")
def gd_missing_abs(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent(f_prime, x0, learning_rate, max_iterations, tol, stop=lambda g, x_new: g < tol)


@model("ignores_tol", "你把容差写死成了 1e-6：停止条件要用传入的参数 tol（abs(g) < tol）。")
def gd_fixed_tol(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent(f_prime, x0, learning_rate, max_iterations, 1e-6)


@model("stops_on_step_size", "你用这一步走的距离 abs(learning_rate · g)（或 x 的变化量）和 tol 比较：停止条件比较的是梯度本身，"
                             "abs(g) < tol。")
def gd_step_size(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent(f_prime, x0, learning_rate, max_iterations, tol,
                    stop=lambda g, x_new: abs(learning_rate * g) < tol)


@model("ignores_learning_rate", "你把学习率写死成了 0.1：更新要用传入的参数 learning_rate（x = x − learning_rate · g）。")
def gd_fixed_rate(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent(f_prime, x0, 0.1, max_iterations, tol)


@model("missing_learning_rate", "你更新时没有乘学习率（x = x − g）：应为 x = x − learning_rate · g。")
def gd_no_rate(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent(f_prime, x0, learning_rate, max_iterations, tol, step=lambda x, g: x - g)


@model("one_step_too_many", "你最多走了 max_iterations + 1 步（例如 while i <= max_iterations，或 range(max_iterations + 1)）："
                            "最多只能迭代 max_iterations 次，history 的长度最多是 max_iterations + 1。")
def gd_one_too_many(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent(f_prime, x0, learning_rate, max_iterations, tol, iterations=lambda n: n + 1)


@model("one_step_too_few", "你最多只走了 max_iterations − 1 步（例如 range(max_iterations - 1) 或 range(1, max_iterations)）："
                           "要最多迭代 max_iterations 次（range(max_iterations)）。")
def gd_one_too_few(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent(f_prime, x0, learning_rate, max_iterations, tol, iterations=lambda n: max(n - 1, 0))


@model("history_missing_x0", "history 里没有起点：history 要从 x0 开始（history = [x0]），之后每走一步追加新的 x。")
def gd_no_start(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent(f_prime, x0, learning_rate, max_iterations, tol, history=lambda x0: [])


APPENDS_EARLY = ("你在更新 x 之前就把它追加进了 history，history 比实际的位置慢了一步（最后一次更新后的 x 不在 history 里）："
                 "先更新 x = x − learning_rate · g，再 history.append(x)。")


def _appends_before_update(f_prime, x0, learning_rate, max_iterations, tol, history):
    x = x0
    for _ in range(max_iterations):
        g = f_prime(x)
        history.append(x)
        x = x - learning_rate * g
        if abs(g) < tol:
            break
    return x, history


@model("appends_before_update", APPENDS_EARLY)
def gd_appends_early(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _appends_before_update(f_prime, x0, learning_rate, max_iterations, tol, [x0])


@model("appends_before_update", APPENDS_EARLY)
def gd_appends_early_no_start(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _appends_before_update(f_prime, x0, learning_rate, max_iterations, tol, [])


@model("gradient_at_x0", "你每一步都在起点算梯度（f_prime(x0)）：要在当前位置算，g = f_prime(x)。")
def gd_gradient_at_start(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent(f_prime, x0, learning_rate, max_iterations, tol, gradient_at=lambda x0, x: x0)


@model("uses_f", "你把函数值 f(x) 当成了梯度：更新要用导数，g = f_prime(x)。")
def gd_uses_f(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent(f, x0, learning_rate, max_iterations, tol)


@model("returns_swapped", "返回值的顺序反了：要 return x, history（先终点 x，再 history）。")
def gd_returns_swapped(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    x, history = _descent(f_prime, x0, learning_rate, max_iterations, tol)
    return history, x


@model("returns_only_x", "你只返回了 x：函数要返回两个值，return x, history（history 从 [x0] 开始，每一步追加新的 x）。")
def gd_returns_x(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent(f_prime, x0, learning_rate, max_iterations, tol)[0]


@model("returns_only_history", "你只返回了 history：函数要返回两个值，return x, history。")
def gd_returns_history(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent(f_prime, x0, learning_rate, max_iterations, tol)[1]


# ------------------------------------------------------------------------------ gradient_2d

HINT_2D = "f(x, y) = x² + y² 的梯度是 np.array([2 * x, 2 * y])"


@model("missing_factor_2", f"你漏了因子 2：x² 对 x 的偏导数是 2x。{HINT_2D}。")
def g2_half(x, y):
    return np.array([x, y])


NOT_AN_ARRAY = (f"你返回的是 Python 列表或元组：要返回 NumPy 数组，{HINT_2D}"
                "（梯度下降里要对它做 x − learning_rate · g，列表做不了这样的运算）。")


@model("not_an_array", NOT_AN_ARRAY)
def g2_list(x, y):
    return [2 * x, 2 * y]


@model("not_an_array", NOT_AN_ARRAY)
def g2_tuple(x, y):
    return 2 * x, 2 * y


@model("swapped_components", f"两个分量的顺序反了：第一个分量是 ∂f/∂x = 2x，第二个是 ∂f/∂y = 2y，{HINT_2D}。")
def g2_swapped(x, y):
    return np.array([2 * y, 2 * x])


@model("same_component_twice", f"两个分量都只用了同一个变量：∂f/∂x = 2x 只和 x 有关，∂f/∂y = 2y 只和 y 有关，{HINT_2D}。")
def g2_x_twice(x, y):
    return np.array([2 * x, 2 * x])


@model("same_component_twice", f"两个分量都只用了同一个变量：∂f/∂x = 2x 只和 x 有关，∂f/∂y = 2y 只和 y 有关，{HINT_2D}。")
def g2_y_twice(x, y):
    return np.array([2 * y, 2 * y])


@model("returns_function", f"你返回的是函数的各项 [x², y²]，不是梯度：要对每个变量求偏导数，{HINT_2D}。")
def g2_function(x, y):
    return np.array([x ** 2, y ** 2])


@model("column_vector", f"你返回的是形状 (2, 1) 的列向量（多了一层方括号）：要返回一维数组，{HINT_2D}。")
def g2_column(x, y):
    return np.array([[2 * x], [2 * y]])


@model("sum_of_partials", f"你把两个偏导数加成了一个数：梯度是由两个偏导数组成的向量，{HINT_2D}。")
def g2_sum(x, y):
    return np.array(2 * x + 2 * y)


# ---------------------------------------------------------------------- gradient_descent_2d

def _descent_2d(gradient_func, x0, learning_rate, max_iterations, tol, *, step=None, stop=None, iterations=None,
                arguments=None, history=None):
    """The reference loop of gradient_descent_2d with one part replaced (the mistake)."""
    step = step or (lambda x, g: x - learning_rate * g)
    stop = stop or (lambda g: np.linalg.norm(g) < tol)
    x = np.array(x0, dtype=float)
    path = [x.copy()] if history is None else history(x)
    for _ in range(max_iterations if iterations is None else iterations(max_iterations)):
        g = gradient_func(x[0], x[1]) if arguments is None else gradient_func(*arguments(x))
        x = step(x, g)
        path.append(x.copy())
        if stop(g):
            break
    return x, path


@model("sign_flipped", "你的每一步都朝着梯度的方向走（x + learning_rate · g），这是梯度上升（gradient ascent）："
                       "梯度下降要减去梯度，x = x − learning_rate · g。")
def gd2_ascent(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent_2d(gradient_func, x0, learning_rate, max_iterations, tol, step=lambda x, g: x + learning_rate * g)


@model(*INTEGER_X0_IN_PLACE)
def gd2_integer_in_place(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    x = np.array(x0)
    history = [x.copy()]
    for _ in range(max_iterations):
        g = gradient_func(x[0], x[1])
        x -= learning_rate * g
        history.append(x.copy())
        if np.linalg.norm(g) < tol:
            break
    return x, history


STOPS_EARLY_2D = ("你少走了最后一步：判断停止时看的是新位置的梯度（在更新之前就 break，或者更新后重新算梯度来判断）。"
                  + RULE + f"也就是 g = gradient_func(x[0], x[1])，x = x − learning_rate · g，history.append(x.copy())，"
                  f"然后 if {NORM} < tol: break。")


@model("stops_on_new_gradient", STOPS_EARLY_2D)
def gd2_break_before_step(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    x = np.array(x0, dtype=float)
    history = [x.copy()]
    for _ in range(max_iterations):
        g = gradient_func(x[0], x[1])
        if np.linalg.norm(g) < tol:
            break
        x = x - learning_rate * g
        history.append(x.copy())
    return x, history


@model("stops_on_new_gradient", STOPS_EARLY_2D)
def gd2_new_gradient(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    x = np.array(x0, dtype=float)
    history = [x.copy()]
    for _ in range(max_iterations):
        x = x - learning_rate * gradient_func(x[0], x[1])
        history.append(x.copy())
        if np.linalg.norm(gradient_func(x[0], x[1])) < tol:
            break
    return x, history


@model("max_component", f"你比较的是梯度绝对值最大的那个分量（np.max(np.abs(g))）：要比较梯度的长度（范数，norm），{NORM} < tol。")
def gd2_max_component(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent_2d(gradient_func, x0, learning_rate, max_iterations, tol, stop=lambda g: np.max(np.abs(g)) < tol)


@model("squared_norm", f"你比较的是梯度长度的平方（各分量平方之和，没有开根号）：要比较梯度的长度，{NORM} < tol。")
def gd2_squared_norm(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent_2d(gradient_func, x0, learning_rate, max_iterations, tol, stop=lambda g: np.sum(g ** 2) < tol)


@model("abs_sum", f"你比较的是各分量绝对值之和（np.sum(np.abs(g))）：要比较梯度的长度，{NORM} < tol。")
def gd2_abs_sum(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent_2d(gradient_func, x0, learning_rate, max_iterations, tol, stop=lambda g: np.sum(np.abs(g)) < tol)


@model("less_or_equal", f"停止条件写成了 {NORM} <= tol：题目要求严格小于，{NORM} < tol。")
def gd2_less_or_equal(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent_2d(gradient_func, x0, learning_rate, max_iterations, tol, stop=lambda g: np.linalg.norm(g) <= tol)


@model("ignores_tol", f"你把容差写死成了 1e-6：停止条件要用传入的参数 tol（{NORM} < tol）。")
def gd2_fixed_tol(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent_2d(gradient_func, x0, learning_rate, max_iterations, 1e-6)


@model("ignores_learning_rate", "你把学习率写死成了 0.1：更新要用传入的参数 learning_rate（x = x − learning_rate · g）。")
def gd2_fixed_rate(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent_2d(gradient_func, x0, 0.1, max_iterations, tol)


@model("missing_learning_rate", "你更新时没有乘学习率（x = x − g）：应为 x = x − learning_rate · g。")
def gd2_no_rate(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent_2d(gradient_func, x0, learning_rate, max_iterations, tol, step=lambda x, g: x - g)


@model("swapped_arguments", "调用梯度函数时两个坐标的顺序反了（gradient_func(x[1], x[0])）：要写 gradient_func(x[0], x[1])。")
def gd2_swapped_arguments(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent_2d(gradient_func, x0, learning_rate, max_iterations, tol, arguments=lambda x: (x[1], x[0]))


@model("one_step_too_many", "你最多走了 max_iterations + 1 步（例如 range(max_iterations + 1)）：最多只能迭代 max_iterations 次，"
                            "history 的长度最多是 max_iterations + 1。")
def gd2_one_too_many(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent_2d(gradient_func, x0, learning_rate, max_iterations, tol, iterations=lambda n: n + 1)


@model("one_step_too_few", "你最多只走了 max_iterations − 1 步（例如 range(max_iterations - 1)）：要最多迭代 max_iterations 次。")
def gd2_one_too_few(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent_2d(gradient_func, x0, learning_rate, max_iterations, tol, iterations=lambda n: max(n - 1, 0))


@model("history_missing_x0", "history 里没有起点：history 要从起点开始（history = [x.copy()]），之后每走一步追加 x 的副本。")
def gd2_no_start(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent_2d(gradient_func, x0, learning_rate, max_iterations, tol, history=lambda x: [])


@model("gradient_at_x0", "你每一步都在起点算梯度（gradient_func(x0[0], x0[1])）：要在当前位置算，g = gradient_func(x[0], x[1])。")
def gd2_gradient_at_start(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    start = np.array(x0, dtype=float)
    return _descent_2d(gradient_func, x0, learning_rate, max_iterations, tol, arguments=lambda x: (start[0], start[1]))


@model("returns_swapped", "返回值的顺序反了：要 return x, history（先终点 x，再 history）。")
def gd2_returns_swapped(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    x, history = _descent_2d(gradient_func, x0, learning_rate, max_iterations, tol)
    return history, x


# ------------------------------------------------------------------------------ multi_start

DEFAULTS = ("你的 multi_start 实际用的是 gradient_descent 自己的默认参数（learning_rate=0.1、max_iterations=100）："
            "multi_start 的默认值是 learning_rate=0.01、max_iterations=1000（写在它的签名里），并且每个起点都要把这两个参数"
            "传下去：gradient_descent(f, f_prime, x0, learning_rate=learning_rate, max_iterations=max_iterations)。")


def _starts(f, f_prime, starting_points, run, value=None, start=None):
    results = []
    for x0 in starting_points:
        x, _ = run(x0)
        results.append({"start": x0 if start is None else start(x0), "optimal": x,
                        "value": f(x) if value is None else value(x0, x)})
    return results


@model("gradient_descent_defaults", DEFAULTS)
def ms_not_passed_on(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000):
    return _starts(f, f_prime, starting_points, lambda x0: ref.gradient_descent(f, f_prime, x0))


@model("gradient_descent_defaults", DEFAULTS)
def ms_wrong_defaults(f, f_prime, starting_points, learning_rate=0.1, max_iterations=100):
    return _starts(f, f_prime, starting_points, lambda x0: ref.gradient_descent(
        f, f_prime, x0, learning_rate=learning_rate, max_iterations=max_iterations))


def _passed_on(f, f_prime, learning_rate, max_iterations):
    return lambda x0: ref.gradient_descent(f, f_prime, x0, learning_rate=learning_rate, max_iterations=max_iterations)


@model("arguments_swapped", "按位置传参时把 learning_rate 和 max_iterations 的顺序弄反了：gradient_descent 的签名是 "
                            "(f, f_prime, x0, learning_rate, max_iterations, tol)。用关键字参数最稳妥："
                            "gradient_descent(f, f_prime, x0, learning_rate=learning_rate, max_iterations=max_iterations)。")
def ms_swapped_arguments(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000):
    return _starts(f, f_prime, starting_points,
                   lambda x0: ref.gradient_descent(f, f_prime, x0, max_iterations, learning_rate))


@model("value_is_derivative", "'value' 里放的是导数 f_prime(x)：要放函数值 f(x)（在终点 optimal 处）。")
def ms_value_prime(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000):
    return _starts(f, f_prime, starting_points, _passed_on(f, f_prime, learning_rate, max_iterations),
                   value=lambda x0, x: f_prime(x))


@model("value_at_start", "'value' 是在起点算的 f(x0)：要在终点算，value = f(optimal)。")
def ms_value_start(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000):
    return _starts(f, f_prime, starting_points, _passed_on(f, f_prime, learning_rate, max_iterations),
                   value=lambda x0, x: f(x0))


@model("sorted", "你把结果按 value 排了序：要按 starting_points 的原顺序返回（第 i 个结果对应第 i 个起点）；"
                 "找最好的结果是 best_result 的事。")
def ms_sorted(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000):
    results = _starts(f, f_prime, starting_points, _passed_on(f, f_prime, learning_rate, max_iterations))
    return sorted(results, key=lambda r: r["value"])


@model("wrong_keys", "字典的键名不对（用了 'x0' 而不是 'start'）：每个结果必须恰好是 {'start': x0, 'optimal': x, 'value': f(x)}。")
def ms_key_x0(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000):
    run = _passed_on(f, f_prime, learning_rate, max_iterations)
    return [{"x0": x0, "optimal": x, "value": f(x)} for x0, x in ((x0, run(x0)[0]) for x0 in starting_points)]


@model("skips_duplicates", "你跳过了重复的起点：starting_points 里的每个起点（包括重复的）都要有一个结果，结果的个数等于起点的个数。")
def ms_unique(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000):
    return _starts(f, f_prime, list(dict.fromkeys(starting_points)),
                   _passed_on(f, f_prime, learning_rate, max_iterations))


@model("optimal_is_history", "'optimal' 里放的是整个 history（或 gradient_descent 返回的整个元组）：要放终点 x，"
                             "x, history = gradient_descent(...) 里的 x。")
def ms_optimal_history(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000):
    run = _passed_on(f, f_prime, learning_rate, max_iterations)
    return [{"start": x0, "optimal": run(x0)[1], "value": f(run(x0)[0])} for x0 in starting_points]


# ------------------------------------------------------------------------------ best_result

@model("highest_value", "你返回的是 value 最大的那个字典：要找 value 最小的（min，或比较时用 <）。")
def br_max(results):
    return max(results, key=lambda r: r["value"])


@model("last_on_tie", "value 并列最小时你返回了后面那个：比较时要用 <（严格小于），这样并列时保留最先出现的那个。")
def br_last_on_tie(results):
    best = results[0]
    for r in results:
        if r["value"] <= best["value"]:
            best = r
    return best


@model("returns_value", "你返回的是最小的 value 这个数：要返回整个字典（results 里的那个元素），"
                        "例如 min(results, key=lambda r: r['value'])。")
def br_value(results):
    return min(r["value"] for r in results)


@model("returns_index", "你返回的是下标：要返回整个字典，也就是 results[下标]。")
def br_index(results):
    values = [r["value"] for r in results]
    return values.index(min(values))


ZERO = ("“当前最好”的初始值用了 0（best_value = 0）：value 都是正数时没有一个能比 0 小，就找不到真正的最小值。"
        "初始值要取第一个元素 results[0]（或者 float('inf')）。")


@model("starts_from_zero", ZERO)
def br_zero(results):
    best, best_value = results[0], 0
    for r in results:
        if r["value"] < best_value:
            best, best_value = r, r["value"]
    return best


@model("starts_from_zero", ZERO)
def br_zero_none(results):
    best, best_value = None, 0
    for r in results:
        if r["value"] < best_value:
            best, best_value = r, r["value"]
    return best


@model("skips_last", "循环没有检查最后一个元素（例如 range(1, len(results) - 1)）：每一个元素都要比较，包括最后一个。")
def br_skips_last(results):
    best = results[0]
    for i in range(1, len(results) - 1):
        if results[i]["value"] < best["value"]:
            best = results[i]
    return best


@model("compares_optimal", "你比较的是 'optimal'（终点 x 的位置）：要比较的是 'value'（函数值 f(x)），value 最小的才是最好的结果。")
def br_optimal(results):
    return min(results, key=lambda r: r["optimal"])


@model("compares_start", "你比较的是 'start'（起点）：要比较的是 'value'（函数值 f(x)），value 最小的才是最好的结果。")
def br_start(results):
    return min(results, key=lambda r: r["start"])


MISTAKES = {
    "gradient_descent": [gd_ascent, gd_break_before_step, gd_new_gradient, gd_less_or_equal, gd_missing_abs,
                         gd_fixed_tol, gd_step_size, gd_fixed_rate, gd_no_rate, gd_one_too_many, gd_one_too_few,
                         gd_no_start, gd_appends_early, gd_appends_early_no_start, gd_gradient_at_start, gd_uses_f,
                         gd_returns_swapped, gd_returns_x, gd_returns_history],
    "gradient_2d": [g2_half, g2_list, g2_tuple, g2_swapped, g2_x_twice, g2_y_twice, g2_function, g2_column, g2_sum],
    "gradient_descent_2d": [gd2_ascent, gd2_integer_in_place, gd2_break_before_step, gd2_new_gradient,
                            gd2_max_component, gd2_squared_norm, gd2_abs_sum, gd2_less_or_equal, gd2_fixed_tol,
                            gd2_fixed_rate, gd2_no_rate, gd2_swapped_arguments, gd2_one_too_many, gd2_one_too_few,
                            gd2_no_start, gd2_gradient_at_start, gd2_returns_swapped],
    "multi_start": [ms_not_passed_on, ms_wrong_defaults, ms_swapped_arguments, ms_value_prime, ms_value_start,
                    ms_sorted, ms_key_x0, ms_unique, ms_optimal_history],
    "best_result": [br_max, br_last_on_tie, br_value, br_index, br_zero, br_zero_none, br_skips_last, br_optimal,
                    br_start],
}
