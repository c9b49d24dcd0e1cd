"""The mistakes students really make in ps2, as formulas (see autograder/testkit/diagnosis.py).

Each model has the graded function's signature and computes what that mistake gives; when it
reproduces every answer a failing student function gave, its text is the cause. The gradients
and functions a test hands over arrive here as the same trusted functions (Fn.local()), so a
model runs the very floating-point operations the student's code ran. The two descents are
families: each variant changes one part of the loop, two of them together are a model too.

Mistakes a replay cannot see (an array appended to history again and again, x0 changed in place,
the caller's list sorted) are named by the tests themselves (functions.py, test_*.py). What
would hand over the answer is marked ⟪ ⟫ (autograder/course/hints.py).
"""
import numpy as np

from autograder.course.hints import formula
from autograder.testkit.diagnosis import Family, model
from .common import ref, INTEGER_X0_IN_PLACE


FORMULAS = {
    "gradient_descent": "g = f_prime(x)；x = x - learning_rate * g；history.append(x)；if abs(g) < tol: break",
    "gradient_2d": "np.array([2 * x, 2 * y])",
    "gradient_descent_2d": "g = gradient_func(x[0], x[1])；x = x - learning_rate * g；history.append(x.copy())；"
                           "if np.linalg.norm(g) < tol: break",
    "multi_start": "x, _ = gradient_descent(f, f_prime, x0, learning_rate=learning_rate, max_iterations=max_iterations)；"
                   "results.append({'start': x0, 'optimal': x, 'value': f(x)})",
    "best_result": "min(results, key=lambda r: r['value'])",
}

UPDATE = "1"      # the notebook's section on the update rule and the stopping rule
RULE = "停止规则是：先算更新前那一点的梯度 g，走完这一步（更新 x、把新的 x 追加到 history），再用这个 g 判断是否停止。"


# ------------------------------------------------------------------------ gradient_descent

def _descent(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6, *, ascent=False, rate=None,
             fixed_tol=None, measure="gradient", before=False, strict=True, absolute=True, extra=0, start=True,
             at_start=False, use_f=False):
    """The reference loop of gradient_descent with parts changed (the mistakes)."""
    learning_rate = learning_rate if rate is None else rate
    tol = tol if fixed_tol is None else fixed_tol
    slope = f if use_f else f_prime
    x = x0
    history = [x] if start else []
    for _ in range(max(max_iterations + extra, 0)):
        g = slope(x0 if at_start else x)
        x_new = x + learning_rate * g if ascent else x - learning_rate * g
        size = {"gradient": lambda: g, "step": lambda: learning_rate * g, "value": lambda: f(x_new) - f(x),
                "new_gradient": lambda: slope(x_new)}[measure]()
        size = abs(size) if absolute else size
        stops = size < tol if strict else size <= tol
        if before and stops:
            break
        x = x_new
        history.append(x)
        if not before and stops:
            break
    return x, history


GD = Family(_descent)
STOPS_EARLY = "你少走了最后一步：在更新之前就判断、break 了（或者用的是新位置的梯度）。" + RULE
gd_ascent = GD.variant("sign_flipped", "你的每一步都朝着梯度的方向走，这是梯度上升（gradient ascent），函数值越走越大："
                                       "梯度下降要沿着梯度的反方向走" + formula("（x = x − learning_rate · g）") + "。",
                       UPDATE, ascent=True)
gd_break_before_step = GD.variant("stops_on_new_gradient", STOPS_EARLY, UPDATE, before=True)
gd_new_gradient = GD.variant("stops_on_new_gradient", STOPS_EARLY, UPDATE, measure="new_gradient")
gd_less_or_equal = GD.variant("less_or_equal", "停止条件写成了“小于或等于”：题目要求严格小于，g 恰好等于 tol 时还要继续走。",
                              UPDATE, strict=False)
gd_missing_abs = GD.variant("missing_abs", "停止条件少了绝对值：在最小值左边梯度是负数，“g < tol”一开始就成立，第一步之后就停了。"
                                           "要比较梯度的大小（绝对值）。", UPDATE, absolute=False)
gd_fixed_tol = GD.variant("ignores_tol", "你把容差写死成了 1e-6：停止条件要用传入的参数 tol。", UPDATE, fixed_tol=1e-6)
gd_step_size = GD.variant("stops_on_step_size", "你用这一步走的距离（learning_rate 乘梯度，或 x 的变化量）和 tol 比较："
                                                "停止条件比较的是梯度本身的大小。", UPDATE, measure="step")
gd_value_change = GD.variant("stops_on_value_change", "你用函数值的变化 |f(新的 x) − f(x)| 和 tol 比较：停止条件比较的是"
                                                      "梯度本身的大小。" + RULE, UPDATE, measure="value", before=True)
gd_value_change_after = GD.variant("stops_on_value_change", "你用函数值的变化 |f(新的 x) − f(x)| 和 tol 比较："
                                                            "停止条件比较的是梯度本身的大小。", UPDATE, measure="value")
gd_fixed_rate = GD.variant("ignores_learning_rate", "你把学习率写死成了 0.1：更新要用传入的参数 learning_rate。", UPDATE,
                           rate=0.1)
gd_no_rate = GD.variant("missing_learning_rate", "你更新时没有乘学习率：每一步要走 learning_rate 乘以梯度那么远。", UPDATE,
                        rate=1.0)
gd_one_too_many = GD.variant("one_step_too_many", "你最多走了 max_iterations + 1 步（例如 while i <= max_iterations，或 "
                                                  "range(max_iterations + 1)）：最多只能迭代 max_iterations 次。", UPDATE,
                             extra=1)
gd_one_too_few = GD.variant("one_step_too_few", "你最多只走了 max_iterations − 1 步（例如 range(max_iterations - 1) 或 "
                                                "range(1, max_iterations)）：要最多迭代 max_iterations 次。", UPDATE, extra=-1)
gd_no_start = GD.variant("history_missing_x0", "history 里没有起点：history 要从 x0 开始，之后每走一步追加新的 x。", UPDATE,
                         start=False)
gd_gradient_at_start = GD.variant("gradient_at_x0", "你每一步都在起点 x0 算梯度：要在当前位置 x 算。", UPDATE, at_start=True)
gd_uses_f = GD.variant("uses_f", "你把函数值 f(x) 当成了梯度：更新要用导数 f_prime(x)。", UPDATE, use_f=True)

APPENDS_EARLY = ("你在更新 x 之前就把它追加进了 history，history 比实际的位置慢了一步（最后一次更新后的 x 不在 history 里）："
                 "要先更新 x，再把新的 x 追加到 history。")


def _appends_before_update(f_prime, x0, learning_rate, max_iterations, tol, history):
    x = x0
    for _ in range(max_iterations):
        g = f_prime(x)
        history.append(x)
        x = x - learning_rate * g
        if abs(g) < tol:
            break
    return x, history


@model("appends_before_update", APPENDS_EARLY, UPDATE)
def gd_appends_early(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _appends_before_update(f_prime, x0, learning_rate, max_iterations, tol, [x0])


@model("appends_before_update", APPENDS_EARLY, UPDATE)
def gd_appends_early_no_start(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _appends_before_update(f_prime, x0, learning_rate, max_iterations, tol, [])


@model("returns_swapped", "返回值的顺序反了：要先返回终点 x，再返回 history（return x, history）。")
def gd_returns_swapped(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    x, history = _descent(f, f_prime, x0, learning_rate, max_iterations, tol)
    return history, x


@model("returns_only_x", "你只返回了 x：函数要返回两个值，终点 x 和 history（return x, history）。")
def gd_returns_x(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent(f, f_prime, x0, learning_rate, max_iterations, tol)[0]


@model("returns_only_history", "你只返回了 history：函数要返回两个值，终点 x 和 history（return x, history）。")
def gd_returns_history(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    return _descent(f, f_prime, x0, learning_rate, max_iterations, tol)[1]


# ------------------------------------------------------------------------------ gradient_2d

TWO_D = "3"


@model("missing_factor_2", "你漏了因子 2：x² 对 x 的偏导数是 2x（幂法则），y² 对 y 的也一样。", TWO_D)
def g2_half(x, y):
    return np.array([x, y])


NOT_AN_ARRAY = ("你返回的是 Python 列表或元组：要返回 NumPy 数组（np.array([...])）。梯度下降里要用它乘学习率、"
                "和 x 相减，列表做不了这样的运算。")


@model("not_an_array", NOT_AN_ARRAY, TWO_D)
def g2_list(x, y):
    return [2 * x, 2 * y]


@model("not_an_array", NOT_AN_ARRAY, TWO_D)
def g2_tuple(x, y):
    return 2 * x, 2 * y


@model("swapped_components", "两个分量的顺序反了：第一个分量是对 x 的偏导数 ∂f/∂x，第二个是对 y 的 ∂f/∂y。", TWO_D)
def g2_swapped(x, y):
    return np.array([2 * y, 2 * x])


SAME_TWICE = "两个分量都只用了同一个变量：∂f/∂x 只和 x 有关，∂f/∂y 只和 y 有关。"


@model("same_component_twice", SAME_TWICE, TWO_D)
def g2_x_twice(x, y):
    return np.array([2 * x, 2 * x])


@model("same_component_twice", SAME_TWICE, TWO_D)
def g2_y_twice(x, y):
    return np.array([2 * y, 2 * y])


@model("returns_function", "你返回的是函数的各项 [x², y²]，不是梯度：要对每个变量求偏导数。", TWO_D)
def g2_function(x, y):
    return np.array([x ** 2, y ** 2])


@model("column_vector", "你返回的是形状 (2, 1) 的列向量（多了一层方括号）：要返回形状 (2,) 的一维数组。", TWO_D)
def g2_column(x, y):
    return np.array([[2 * x], [2 * y]])


@model("sum_of_partials", "你把两个偏导数加成了一个数：梯度是由两个偏导数组成的向量。", TWO_D)
def g2_sum(x, y):
    return np.array(2 * x + 2 * y)


# ---------------------------------------------------------------------- gradient_descent_2d

def _descent_2d(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6, *, ascent=False, rate=None,
                fixed_tol=None, measure="norm", before=False, strict=True, extra=0, start=True, at_start=False,
                swapped=False):
    """The reference loop of gradient_descent_2d with parts changed (the mistakes)."""
    learning_rate = learning_rate if rate is None else rate
    tol = tol if fixed_tol is None else fixed_tol
    first = np.array(x0, dtype=float)
    x = first.copy()
    path = [x.copy()] if start else []
    for _ in range(max(max_iterations + extra, 0)):
        at = first if at_start else x
        g = gradient_func(at[1], at[0]) if swapped else gradient_func(at[0], at[1])
        x_new = x + learning_rate * g if ascent else x - learning_rate * g
        size = {"norm": lambda: np.linalg.norm(g), "max": lambda: np.max(np.abs(g)), "squared": lambda: np.sum(g ** 2),
                "abs_sum": lambda: np.sum(np.abs(g)),
                "new_gradient": lambda: np.linalg.norm(gradient_func(x_new[0], x_new[1]))}[measure]()
        stops = size < tol if strict else size <= tol
        if before and stops:
            break
        x = x_new
        path.append(x.copy())
        if not before and stops:
            break
    return x, path


GD2 = Family(_descent_2d)
TWO_D_DESCENT = "3"
LENGTH = "要比较的是梯度的长度（范数 norm，np.linalg.norm）。"
STOPS_EARLY_2D = "你少走了最后一步：在更新之前就判断、break 了（或者用的是新位置的梯度）。" + RULE
gd2_ascent = GD2.variant("sign_flipped", "你的每一步都朝着梯度的方向走，这是梯度上升（gradient ascent）：梯度下降要沿着梯度的反方向走"
                                         + formula("（x = x − learning_rate · g）") + "。", TWO_D_DESCENT, ascent=True)
gd2_break_before_step = GD2.variant("stops_on_new_gradient", STOPS_EARLY_2D, TWO_D_DESCENT, before=True)
gd2_new_gradient = GD2.variant("stops_on_new_gradient", STOPS_EARLY_2D, TWO_D_DESCENT, measure="new_gradient")
gd2_max_component = GD2.variant("max_component", "你比较的是梯度绝对值最大的那个分量（np.max(np.abs(g))）：" + LENGTH,
                                TWO_D_DESCENT, measure="max")
gd2_squared_norm = GD2.variant("squared_norm", "你比较的是梯度长度的平方（各分量平方之和，没有开根号）：" + LENGTH,
                               TWO_D_DESCENT, measure="squared")
gd2_abs_sum = GD2.variant("abs_sum", "你比较的是各分量绝对值之和：" + LENGTH, TWO_D_DESCENT, measure="abs_sum")
gd2_less_or_equal = GD2.variant("less_or_equal", "停止条件写成了“小于或等于”：题目要求严格小于，梯度的长度恰好等于 tol 时"
                                                 "还要继续走。", TWO_D_DESCENT, strict=False)
gd2_fixed_tol = GD2.variant("ignores_tol", "你把容差写死成了 1e-6：停止条件要用传入的参数 tol。", TWO_D_DESCENT,
                            fixed_tol=1e-6)
gd2_fixed_rate = GD2.variant("ignores_learning_rate", "你把学习率写死成了 0.1：更新要用传入的参数 learning_rate。",
                             TWO_D_DESCENT, rate=0.1)
gd2_no_rate = GD2.variant("missing_learning_rate", "你更新时没有乘学习率：每一步要走 learning_rate 乘以梯度那么远。",
                          TWO_D_DESCENT, rate=1.0)
gd2_swapped_arguments = GD2.variant("swapped_arguments", "调用梯度函数时两个坐标的顺序反了：第一个参数是 x[0]，第二个是 x[1]。",
                                    TWO_D_DESCENT, swapped=True)
gd2_one_too_many = GD2.variant("one_step_too_many", "你最多走了 max_iterations + 1 步：最多只能迭代 max_iterations 次。",
                               TWO_D_DESCENT, extra=1)
gd2_one_too_few = GD2.variant("one_step_too_few", "你最多只走了 max_iterations − 1 步：要最多迭代 max_iterations 次。",
                              TWO_D_DESCENT, extra=-1)
gd2_no_start = GD2.variant("history_missing_x0", "history 里没有起点：history 要从起点（的副本）开始，之后每走一步追加 x 的副本。",
                           TWO_D_DESCENT, start=False)
gd2_gradient_at_start = GD2.variant("gradient_at_x0", "你每一步都在起点 x0 算梯度：要在当前位置 x 算。", TWO_D_DESCENT,
                                    at_start=True)


@model(*INTEGER_X0_IN_PLACE, section=TWO_D_DESCENT)
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


@model("returns_swapped", "返回值的顺序反了：要先返回终点 x，再返回 history（return x, history）。")
def gd2_returns_swapped(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):
    x, history = _descent_2d(f, gradient_func, x0, learning_rate, max_iterations, tol)
    return history, x


# ------------------------------------------------------------------------------ multi_start

DEFAULTS = ("你的 multi_start 实际用的是 gradient_descent 自己的默认参数（learning_rate=0.1、max_iterations=100）："
            "multi_start 的默认值是 learning_rate=0.01、max_iterations=1000（写在它的签名里），并且每个起点都要把这两个参数"
            "原样传给 gradient_descent。")


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
                            "(f, f_prime, x0, learning_rate, max_iterations, tol)。用关键字参数（learning_rate=...）最稳妥。")
def ms_swapped_arguments(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000):
    return _starts(f, f_prime, starting_points,
                   lambda x0: ref.gradient_descent(f, f_prime, x0, max_iterations, learning_rate))


@model("value_is_derivative", "'value' 里放的是导数 f_prime 的值：要放函数值 f（在终点 optimal 处）。")
def ms_value_prime(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000):
    return _starts(f, f_prime, starting_points, _passed_on(f, f_prime, learning_rate, max_iterations),
                   value=lambda x0, x: f_prime(x))


@model("value_at_start", "'value' 是在起点 x0 处算的函数值：要在终点 optimal 处算。")
def ms_value_start(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000):
    return _starts(f, f_prime, starting_points, _passed_on(f, f_prime, learning_rate, max_iterations),
                   value=lambda x0, x: f(x0))


@model("sorted", "你把结果按 value 排了序：要按 starting_points 的原顺序返回（第 i 个结果对应第 i 个起点）；"
                 "找最好的结果是 best_result 的事。")
def ms_sorted(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000):
    results = _starts(f, f_prime, starting_points, _passed_on(f, f_prime, learning_rate, max_iterations))
    return sorted(results, key=lambda r: r["value"])


@model("wrong_keys", "字典的键名不对（用了 'x0' 而不是 'start'）：每个结果的三个键必须是 'start'、'optimal'、'value'。")
def ms_key_x0(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000):
    run = _passed_on(f, f_prime, learning_rate, max_iterations)
    return [{"x0": x0, "optimal": x, "value": f(x)} for x0, x in ((x0, run(x0)[0]) for x0 in starting_points)]


@model("skips_duplicates", "你跳过了重复的起点：starting_points 里的每个起点（包括重复的）都要有一个结果，结果的个数等于起点的个数。")
def ms_unique(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000):
    return _starts(f, f_prime, list(dict.fromkeys(starting_points)),
                   _passed_on(f, f_prime, learning_rate, max_iterations))


@model("optimal_is_history", "'optimal' 里放的是整个 history（或 gradient_descent 返回的整个元组）：要放它返回的终点 x。")
def ms_optimal_history(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000):
    run = _passed_on(f, f_prime, learning_rate, max_iterations)
    return [{"start": x0, "optimal": run(x0)[1], "value": f(run(x0)[0])} for x0 in starting_points]


# ------------------------------------------------------------------------------ best_result

@model("highest_value", "你返回的是 value 最大的那个字典：要找 value 最小的。")
def br_max(results):
    return max(results, key=lambda r: r["value"])


@model("last_on_tie", "value 并列最小时你返回了后面那个：比较时用了“小于或等于”，并列的后来者会替换前面的。"
                      "要用严格小于，并列时保留最先出现的那个。")
def br_last_on_tie(results):
    best = results[0]
    for r in results:
        if r["value"] <= best["value"]:
            best = r
    return best


@model("returns_value", "你返回的是最小的 value 这个数：要返回整个字典（results 里的那个元素）。")
def br_value(results):
    return min(r["value"] for r in results)


@model("returns_index", "你返回的是下标：要返回整个字典，也就是 results[下标]。")
def br_index(results):
    values = [r["value"] for r in results]
    return values.index(min(values))


ZERO = ("“当前最好”的初始值用了 0（best_value = 0）：value 都是正数时没有一个能比 0 小，就找不到真正的最小值。"
        "初始值要从 results 里的元素出发（或者用一个比任何 value 都大的数）。")


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


@model("compares_optimal", "你比较的是 'optimal'（终点的位置）：要比较的是 'value'（函数值），value 最小的才是最好的结果。")
def br_optimal(results):
    return min(results, key=lambda r: r["optimal"])


@model("compares_start", "你比较的是 'start'（起点）：要比较的是 'value'（函数值），value 最小的才是最好的结果。")
def br_start(results):
    return min(results, key=lambda r: r["start"])


MISTAKES = {
    "gradient_descent": GD.variants + [gd_appends_early, gd_appends_early_no_start, gd_returns_swapped, gd_returns_x,
                                       gd_returns_history] + GD.pairs(),
    "gradient_2d": [g2_half, g2_list, g2_tuple, g2_swapped, g2_x_twice, g2_y_twice, g2_function, g2_column, g2_sum],
    "gradient_descent_2d": GD2.variants + [gd2_integer_in_place, gd2_returns_swapped] + GD2.pairs(),
    "multi_start": [ms_not_passed_on, ms_wrong_defaults, ms_swapped_arguments, ms_value_prime, ms_value_start,
                    ms_sorted, ms_key_x0, ms_unique, ms_optimal_history],
    "best_result": [br_max, br_last_on_tie, br_value, br_index, br_zero, br_zero_none, br_skips_last, br_optimal,
                    br_start],
}
