"""The mistakes students really make in ps3, as formulas (see autograder/testkit/diagnosis.py).

Each model has the graded function's signature and computes what that mistake gives; when it
reproduces every answer a failing student function gave, its text is the cause. The models
write the reference's formulas out with one part changed, in the same order of operations, so a
right part gives the very same floating-point numbers; a family's variants combine in pairs
(two mistakes made together: the sign *and* the factor 2).

gradient_mse and train_linear_regression are judged alone (HELPERS): the calls replayed are those of
the run whose helpers were the reference's, which is what these models compute with.

Input changed in place (y -= ..., X *= w, X.shape = ...) is named by the tests themselves. What
would hand over the answer is marked ⟪ ⟫ (autograder/course/hints.py).
"""
import numpy as np

from autograder.course.hints import formula
from autograder.testkit.diagnosis import Family, model

FORMULAS = {
    "linear_model": "X * w + b",
    "mse_loss": "float(np.mean((y_true - y_pred) ** 2))",
    "gradient_mse": "y_pred = linear_model(X, w, b)；dw = -2 * np.mean(X * (y - y_pred))；db = -2 * np.mean(y - y_pred)；"
                    "return np.array([dw, db])",
    "train_linear_regression": "w, b = 0.0, 0.0；每次迭代：loss = mse_loss(y, linear_model(X, w, b))；"
                               "dw, db = gradient_mse(X, y, w, b)；w = w - learning_rate * dw；b = b - learning_rate * db；"
                               "history.append({'iteration': i, 'loss': loss, 'w': w, 'b': b})",
}


# ------------------------------------------------------------------------------ linear_model

MODEL = "2"


@model("w_b_swapped", "你把 w 和 b 弄反了：w 是乘在 X 上的权重（weight），b 是加上去的偏置（bias）。", MODEL)
def lm_swapped(X, w, b):
    return X * b + w


@model("missing_bias", "你漏了偏置（bias）b：预测值是 X 乘以权重 w，再加上 b。", MODEL)
def lm_no_bias(X, w, b):
    return X * w


@model("subtracts_bias", "你减去了偏置 b：线性模型是加上偏置。", MODEL)
def lm_minus_bias(X, w, b):
    return X * w - b


@model("matrix_product", "你用了矩阵乘法（X @ [[w]]）：它只对形状 (n, 1) 的 X 成立，其他形状会出错。w 是一个数，"
                         "逐元素相乘就行，NumPy 的广播（broadcasting）对任何形状的 X 都适用。", MODEL)
def lm_matmul(X, w, b):
    return X @ np.array([[w]]) + b


@model("reshapes", "你把 X 变成了一列（reshape(-1, 1)）：结果的形状要和 X 相同，不需要 reshape。", MODEL)
def lm_reshape(X, w, b):
    return X.reshape(-1, 1) * w + b


@model("not_an_array", "你返回的是 Python 列表（逐个样本 append）：要返回 NumPy 数组。NumPy 会逐元素计算，不需要循环。", MODEL)
def lm_list(X, w, b):
    return [x * w + b for x in X]


@model("flattens", "你逐行把预测值填进了一个一维数组 np.zeros(n)：X 是 (n, 1) 时，每一行 X[i] 是一个长度为 1 的数组，"
                   "放不进一个数的位置（ValueError）。不需要循环：NumPy 会对整个数组逐元素计算，结果的形状和 X 相同。", MODEL)
def lm_flattens(X, w, b):
    X = np.asarray(X)
    if X.ndim > 1:
        raise ValueError("setting an array element with a sequence.")
    return X * w + b


# ---------------------------------------------------------------------------------- mse_loss

LOSS = "3"


def _mse(y_true, y_pred, *, power=2, reduce="mean", absolute=False, root=False, outer=False, divide=None,
         axis=None, ravel=None):
    """The reference formula of mse_loss with parts changed (the mistakes)."""
    if ravel == "true":
        y_true = y_true.ravel()
    elif ravel == "pred":
        y_pred = y_pred.ravel()
    r = y_true - y_pred
    if absolute:
        r = np.abs(r)
    n = len(y_true)
    if outer:
        return float(np.mean(r) ** 2)
    terms = r ** power if power != 1 else r
    if axis is not None:
        return np.mean(terms, axis=axis)
    if divide == "n-1":
        value = np.sum(terms) / (n - 1)
    elif divide == "2n":
        value = np.sum(terms) / (2 * n)
    elif divide == "precedence":
        value = np.sum(terms) / 2 * n
    else:
        value = np.sum(terms) if reduce == "sum" else np.mean(terms)
    return float(np.sqrt(value) if root else value)


MSE = Family(_mse, exclusive=("divide", "reduce", "outer", "axis"))
mse_sum = MSE.variant("sum_not_mean", "你用了求和（np.sum）：均方误差（MSE）是残差平方的平均值（除以样本数 n）。",
                      LOSS, reduce="sum")
mse_no_square = MSE.variant("missing_square", "你没有把残差平方：正负残差会互相抵消。均方误差要先把每个残差平方。", LOSS,
                            power=1)
mse_absolute = MSE.variant("absolute_error", "你算的是平均绝对误差（MAE，np.abs）：均方误差要把残差平方，不是取绝对值。",
                           LOSS, absolute=True, power=1)
mse_root = MSE.variant("root_mean_squared", "你多开了根号，算的是均方根误差（RMSE）：MSE 不开根号。", LOSS, root=True)
mse_square_of_mean = MSE.variant("square_of_mean", "你先求平均再平方：要先把每个残差平方，再求平均。", LOSS, outer=True)
mse_n_minus_1 = MSE.variant("divides_by_n_minus_1", "你除以了 n − 1：MSE 是平均值，除以样本数 n。", LOSS, divide="n-1")
mse_half = MSE.variant("half_mse", "你除以了 2n（代价函数 J = 1/(2m)·Σ(…)² 的写法）：这里的 MSE 是平均值，只除以样本数 n，"
                                   "前面没有 1/2。", LOSS, divide="2n")
mse_precedence = MSE.variant("precedence", "运算优先级（precedence）：sum / 2 * n 是先除以 2、再乘以 n。何况 MSE 只除以 n。",
                             LOSS, divide="precedence")
mse_axis_0 = MSE.variant("mean_axis_0", "np.mean 指定了 axis=0，返回的是数组：损失是一个数，要对所有元素求平均"
                                        "（不要指定 axis），再转成 float。", LOSS, axis=0)
BROADCAST = ("两个参数的形状不一致：一个是 (n,)（被 ravel/flatten 过）、另一个是 (n, 1)，相减时广播（broadcasting）成了 "
             "(n, n) 的矩阵。两边要保持同样的形状（都不要 ravel，或者都 ravel）。")
mse_ravel_true = MSE.variant("broadcast_n_by_n", BROADCAST, LOSS, ravel="true")
mse_ravel_pred = MSE.variant("broadcast_n_by_n", BROADCAST, LOSS, ravel="pred")


# ------------------------------------------------------------------------------ gradient_mse

GRADIENT = "4"


def _gradient(X, y, w, b, *, predict=None, sign=-1, factor=2, reduce="mean", dw_x=True, order=(0, 1), shape=None,
              precedence=False):
    """The reference formula of gradient_mse with parts changed (the mistakes)."""
    y_pred = X * w + b if predict is None else predict(X, w, b)
    scale = sign * factor
    mean = {"mean": np.mean, "sum": np.sum, "axis_0": lambda v: np.mean(v, axis=0)}[reduce]
    if precedence:   # (y_pred - y * X): the residual times X without its parenthesis
        dw = -scale * mean(y_pred - y * X)
    else:
        dw = scale * mean(X * (y - y_pred)) if dw_x else scale * mean(y - y_pred)
    parts = (dw, scale * mean(y - y_pred))
    result = np.array([parts[order[0]], parts[order[1]]])
    if shape == "tuple":
        return tuple(result)
    if shape == "list":
        return list(result)
    return result


GM = Family(_gradient, exclusive=("dw_x", "precedence"))
gm_sum = GM.variant("sum_not_mean", "你用了求和（np.sum）：MSE 是平均值，它的梯度里也是平均（除以样本数 n）。", "4.2",
                    reduce="sum")
gm_half = GM.variant("missing_factor_2", "你漏了因子 2：(y − ŷ)² 对 ŷ 求导，幂法则（power rule）会把指数 2 带到前面。",
                     "4.1", factor=1)
gm_sign = GM.variant("sign_flipped", "你的梯度正负号反了：残差 r = y − ŷ 里 ŷ 前面是减号，链式法则（chain rule）"
                                     "会带出一个 −1。", "4.1", sign=1)
gm_order = GM.variant("order_swapped", "[dw, db] 的顺序反了：第一个分量是对 w 的偏导数，第二个是对 b 的。", GRADIENT,
                      order=(1, 0))
gm_swapped_prediction = GM.variant("w_b_swapped", "算预测值时把 w 和 b 弄反了（linear_model(X, b, w)）：参数的顺序是 "
                                                  "linear_model(X, w, b)。", GRADIENT,
                                   predict=lambda X, w, b: X * b + w)
gm_no_bias = GM.variant("missing_bias", "算预测值时漏了偏置 b（例如 linear_model(X, w, 0) 或只乘了 w）：预测值要用传入的 w "
                                        "和 b。", GRADIENT, predict=lambda X, w, b: X * w + 0)
gm_no_x = GM.variant("dw_missing_x", "dw 里漏乘了 X：w 乘的是 X，链式法则告诉我们 ∂ŷ/∂w = X，所以 ∂L/∂w 的每一项都要乘以"
                                     "对应样本的 x。", "4.1", dw_x=False)
gm_precedence = GM.variant("dw_precedence", "dw 的括号漏了：你算的是 ŷ − y·x，而不是残差 (ŷ − y) 再乘以 x。每个样本的"
                                            "残差要先算出来，再乘以它的 x。", "4.1", precedence=True)
gm_axis_0 = GM.variant("mean_axis_0", "np.mean 指定了 axis=0，dw、db 各是形状 (1,) 的数组，结果成了形状 (2, 1)："
                                      "对所有元素求平均（不要指定 axis），dw、db 都是一个数。", GRADIENT, reduce="axis_0")
NOT_AN_ARRAY = "你返回的是 Python 元组或列表 (dw, db)：要返回 NumPy 数组。"
gm_tuple = GM.variant("not_an_array", NOT_AN_ARRAY, GRADIENT, shape="tuple")
gm_list = GM.variant("not_an_array", NOT_AN_ARRAY, GRADIENT, shape="list")


# -------------------------------------------------------------------- train_linear_regression

def _train(X, y, learning_rate, max_iterations, *, start=(0.0, 0.0), sign=-1, b_after_w=False, loss_after=False,
           record_before=False, first_iteration=0, iterations=None, stall=None, below=None):
    """The reference training loop with one part replaced (the mistake)."""
    def loss_at(w, b):
        return float(np.mean((y - (X * w + b)) ** 2))

    def gradient(w, b):
        y_pred = X * w + b
        return np.array([-2 * np.mean(X * (y - y_pred)), -2 * np.mean(y - y_pred)])

    w, b = start
    history = []
    for i in range(max_iterations if iterations is None else iterations(max_iterations)):
        loss = loss_at(w, b)
        if stall is not None and history and abs(history[-1]["loss"] - loss) < stall:
            break
        if below is not None and loss < below:
            break
        before = (w, b)
        if b_after_w:
            w = w + sign * learning_rate * gradient(w, b)[0]
            b = b + sign * learning_rate * gradient(w, b)[1]
        else:
            grad = gradient(w, b)
            w = w + sign * learning_rate * grad[0]
            b = b + sign * learning_rate * grad[1]
        if loss_after:
            loss = loss_at(w, b)
        shown = before if record_before else (w, b)
        history.append({"iteration": i + first_iteration, "loss": loss, "w": shown[0], "b": shown[1]})
    return w, b, history


@model("b_uses_new_w", "更新 b 时用的是 w 已经更新之后重新算出的梯度：两个参数要用同一个梯度，先算出这一步的梯度，"
                       "再同时更新 w 和 b。", "5")
def tr_b_after_w(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, b_after_w=True)


@model("loss_after_update", "history 里的 loss 是更新之后的损失：要记录这次更新之前、在当前 w、b 处算出的损失"
                            "（第 0 条就是 w = b = 0 处的损失）。先算损失，再更新参数。", "5")
def tr_loss_after(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, loss_after=True)


@model("params_before_update", "history 里记录的是更新之前的 w、b：每条记录的 'w'、'b' 要是这次更新之后的值"
                               "（先更新，再 append）。", "5")
def tr_params_before(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, record_before=True)


@model("iteration_from_1", "history 里的 'iteration' 从 1 开始编号：要从 0 开始。", "5")
def tr_from_one(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, first_iteration=1)


@model("ignores_learning_rate", "你把学习率写死成了 0.01：更新要用传入的参数 learning_rate。", "5")
def tr_fixed_rate(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, 0.01, max_iterations)


@model("ignores_max_iterations", "你把迭代次数写死成了 1000：要用传入的参数 max_iterations。", "5")
def tr_fixed_iterations(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, 1000)


@model("one_step_too_few", "你少迭代了一次（例如 range(max_iterations - 1) 或 range(1, max_iterations)）："
                           "要恰好迭代 max_iterations 次，history 里有 max_iterations 条记录。", "5")
def tr_one_too_few(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, iterations=lambda n: max(n - 1, 0))


@model("one_step_too_many", "你多迭代了一次（例如 range(max_iterations + 1)）：要恰好迭代 max_iterations 次。", "5")
def tr_one_too_many(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, iterations=lambda n: n + 1)


@model("sign_flipped", "你沿着梯度的方向更新，这是梯度上升（gradient ascent），损失会越来越大：梯度下降要沿着梯度的"
                       "反方向走" + formula("（w = w − learning_rate·dw、b = b − learning_rate·db）") + "。", "5")
def tr_ascent(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, sign=1)


@model("wrong_start", "初始值不对：题目要求从 w = b = 0.0 开始。", "5")
def tr_start_one(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, start=(1.0, 1.0))


STOPS = ("你提前停止了（损失很小或变化很小时 break）：题目要求恰好迭代 max_iterations 次、不提前停止"
         "（history 里有 max_iterations 条记录）。")


@model("stops_early", STOPS, "5")
def tr_stalls(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, stall=1e-4)


@model("stops_early", STOPS, "5")
def tr_stalls_fine(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, stall=1e-6)


def _stops_below(threshold):
    @model("stops_early", STOPS, "5")
    def stops(X, y, learning_rate=0.01, max_iterations=1000):
        return _train(X, y, learning_rate, max_iterations, below=threshold)
    return stops


tr_stops_below = [_stops_below(threshold) for threshold in (1e-2, 1e-3, 1e-4, 1e-6)]


MISTAKES = {
    "linear_model": [lm_swapped, lm_no_bias, lm_minus_bias, lm_matmul, lm_reshape, lm_list, lm_flattens],
    "mse_loss": MSE.variants + MSE.pairs(),
    "gradient_mse": GM.variants + GM.pairs(),
    "train_linear_regression": [tr_b_after_w, tr_loss_after, tr_params_before, tr_from_one, tr_fixed_rate,
                                tr_fixed_iterations, tr_one_too_few, tr_one_too_many, tr_ascent, tr_start_one,
                                tr_stalls, tr_stalls_fine] + tr_stops_below,
}
