"""The mistakes students really make in ps3, as formulas (see autograder/diagnosis.py).

Each model has the graded function's signature and computes what that mistake gives; when it
reproduces every answer a failing student function gave, its text is the diagnosis. The models
write the reference's formulas out with one part changed, in the same order of operations, so a
right part gives the very same floating-point numbers.

gradient_mse and train_linear_regression are judged alone (HELPERS): the calls replayed are those of
the run whose helpers were the reference's, which is what these models compute with.

Input changed in place (y -= ..., X *= w, X.shape = ...) is named by the tests themselves.
"""
import numpy as np

from autograder.diagnosis import model

MSE = "np.mean((y_true - y_pred) ** 2)"
GRADIENT = "dw = -2 * np.mean(X * (y - y_pred))、db = -2 * np.mean(y - y_pred)，返回 np.array([dw, db])"


# ------------------------------------------------------------------------------ linear_model

@model("w_b_swapped", "你把 w 和 b 弄反了（X * b + w）：预测值是 X * w + b，w 乘以 X，b 是加上去的偏置（bias）。")
def lm_swapped(X, w, b):
    return X * b + w


@model("missing_bias", "你漏了偏置（bias）b：预测值是 X * w + b。")
def lm_no_bias(X, w, b):
    return X * w


@model("subtracts_bias", "你减去了偏置（X * w − b）：预测值是 X * w + b。")
def lm_minus_bias(X, w, b):
    return X * w - b


@model("matrix_product", "你用了矩阵乘法（X @ [[w]]）：它只对形状 (n, 1) 的 X 成立，其他形状会出错。w 是一个数，"
                         "直接逐元素相乘 X * w + b，NumPy 的广播（broadcasting）对任何形状的 X 都适用。")
def lm_matmul(X, w, b):
    return X @ np.array([[w]]) + b


@model("reshapes", "你把 X 变成了一列（reshape(-1, 1)）：结果的形状要和 X 相同。直接写 X * w + b，不需要 reshape。")
def lm_reshape(X, w, b):
    return X.reshape(-1, 1) * w + b


@model("not_an_array", "你返回的是 Python 列表（逐个样本 append）：要返回 NumPy 数组。直接写 X * w + b，"
                       "NumPy 会逐元素计算，不需要循环。")
def lm_list(X, w, b):
    return [x * w + b for x in X]


# ---------------------------------------------------------------------------------- mse_loss

@model("sum_not_mean", f"你用了求和（np.sum）：MSE 是残差平方的平均值，{MSE}（除以样本数 n）。")
def mse_sum(y_true, y_pred):
    return float(np.sum((y_true - y_pred) ** 2))


@model("missing_square", f"你没有把残差平方：正负残差会互相抵消。MSE 是 {MSE}。")
def mse_no_square(y_true, y_pred):
    return float(np.mean(y_true - y_pred))


@model("absolute_error", f"你算的是平均绝对误差（MAE，np.abs）：均方误差要把残差平方，{MSE}。")
def mse_absolute(y_true, y_pred):
    return float(np.mean(np.abs(y_true - y_pred)))


@model("root_mean_squared", f"你多开了根号，算的是均方根误差（RMSE）：MSE 不开根号，{MSE}。")
def mse_root(y_true, y_pred):
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))


@model("square_of_mean", f"你先求平均再平方（np.mean(y_true - y_pred) ** 2）：要先平方再平均，{MSE}。")
def mse_square_of_mean(y_true, y_pred):
    return float(np.mean(y_true - y_pred) ** 2)


@model("divides_by_n_minus_1", f"你除以了 n − 1：MSE 是平均值，除以样本数 n，{MSE}。")
def mse_n_minus_1(y_true, y_pred):
    return float(np.sum((y_true - y_pred) ** 2) / (len(y_true) - 1))


@model("mean_axis_0", "np.mean 指定了 axis=0，返回的是数组：损失是一个数，对所有元素求平均（不要指定 axis），"
                      f"再用 float(...) 转换：float({MSE})。")
def mse_axis_0(y_true, y_pred):
    return np.mean((y_true - y_pred) ** 2, axis=0)


BROADCAST = ("两个参数的形状不一致：一个是 (n,)（被 ravel/flatten 过）、另一个是 (n, 1)，相减时广播（broadcasting）成了 "
             "(n, n) 的矩阵。两边要保持同样的形状（都不要 ravel，或者都 ravel）。")


@model("broadcast_n_by_n", BROADCAST)
def mse_ravel_true(y_true, y_pred):
    return float(np.mean((y_true.ravel() - y_pred) ** 2))


@model("broadcast_n_by_n", BROADCAST)
def mse_ravel_pred(y_true, y_pred):
    return float(np.mean((y_true - y_pred.ravel()) ** 2))


# ------------------------------------------------------------------------------ gradient_mse

def _gradient(X, y, w, b, *, predict=None, scale=-2, reduce=np.mean, dw_factor=True, order=(0, 1)):
    """The reference formula of gradient_mse with one part replaced (the mistake)."""
    y_pred = X * w + b if predict is None else predict(X, w, b)
    parts = (scale * reduce(X * (y - y_pred)) if dw_factor else scale * reduce(y - y_pred),
             scale * reduce(y - y_pred))
    return np.array([parts[order[0]], parts[order[1]]])


@model("sum_not_mean", f"你用了求和（np.sum）：MSE 是平均值，它的梯度里也是平均，{GRADIENT}。")
def gm_sum(X, y, w, b):
    return _gradient(X, y, w, b, reduce=np.sum)


@model("missing_factor_2", f"你漏了因子 2：(y − ŷ)² 求导得 −2(y − ŷ)·…，{GRADIENT}。")
def gm_half(X, y, w, b):
    return _gradient(X, y, w, b, scale=-1)


@model("sign_flipped", "你的梯度正负号反了：残差 r = y − y_pred，dw = −2·mean(X·r)、db = −2·mean(r)"
                       "（或者写成 2·mean(X·(y_pred − y))）。")
def gm_sign(X, y, w, b):
    return _gradient(X, y, w, b, scale=2)


@model("order_swapped", "[dw, db] 的顺序反了：要返回 np.array([dw, db])，第一个分量是对 w 的偏导数，第二个是对 b 的。")
def gm_order(X, y, w, b):
    return _gradient(X, y, w, b, order=(1, 0))


@model("w_b_swapped", "算预测值时把 w 和 b 弄反了（linear_model(X, b, w)）：应为 y_pred = linear_model(X, w, b) = X * w + b。")
def gm_swapped_prediction(X, y, w, b):
    return _gradient(X, y, w, b, predict=lambda X, w, b: X * b + w)


@model("missing_bias", "算预测值时漏了偏置 b（例如 linear_model(X, w, 0) 或 X * w）：应为 y_pred = linear_model(X, w, b)。")
def gm_no_bias(X, y, w, b):
    return _gradient(X, y, w, b, predict=lambda X, w, b: X * w + 0)


@model("dw_missing_x", f"dw 里漏乘了 X：w 乘的是 X，所以 ∂L/∂w 的每一项都要乘以 X，{GRADIENT}。")
def gm_no_x(X, y, w, b):
    return _gradient(X, y, w, b, dw_factor=False)


@model("mean_axis_0", "np.mean 指定了 axis=0，dw、db 各是形状 (1,) 的数组，结果成了形状 (2, 1)：对所有元素求平均"
                      f"（不要指定 axis），dw、db 都是一个数，{GRADIENT}。")
def gm_axis_0(X, y, w, b):
    return _gradient(X, y, w, b, reduce=lambda v: np.mean(v, axis=0))


NOT_AN_ARRAY = "你返回的是 Python 元组或列表 (dw, db)：要返回 NumPy 数组，np.array([dw, db])。"


@model("not_an_array", NOT_AN_ARRAY)
def gm_tuple(X, y, w, b):
    return tuple(_gradient(X, y, w, b))


@model("not_an_array", NOT_AN_ARRAY)
def gm_list(X, y, w, b):
    return list(_gradient(X, y, w, b))


# -------------------------------------------------------------------- train_linear_regression

def _train(X, y, learning_rate, max_iterations, *, start=(0.0, 0.0), sign=-1, b_after_w=False, loss_after=False,
           record_before=False, first_iteration=0, iterations=None, stall=None):
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


@model("b_uses_new_w", "更新 b 时用的是 w 已经更新之后重新算出的梯度：两个参数要用同一个梯度。先算 grad = gradient_mse(X, y, w, b)，"
                       "再 w = w − learning_rate·grad[0]、b = b − learning_rate·grad[1]（或 w, b = ..., ... 同时更新）。")
def tr_b_after_w(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, b_after_w=True)


@model("loss_after_update", "history 里的 loss 是更新之后的损失：要记录这次更新之前、在当前 w、b 处算出的损失"
                            "（第 0 条就是 w = b = 0 处的损失）。先算损失，再更新参数。")
def tr_loss_after(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, loss_after=True)


@model("params_before_update", "history 里记录的是更新之前的 w、b：每条记录的 'w'、'b' 要是这次更新之后的值"
                               "（先更新，再 append）。")
def tr_params_before(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, record_before=True)


@model("iteration_from_1", "history 里的 'iteration' 从 1 开始编号：要从 0 开始（for i in range(max_iterations)，记录 i）。")
def tr_from_one(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, first_iteration=1)


@model("ignores_learning_rate", "你把学习率写死成了 0.01：更新要用传入的参数 learning_rate。")
def tr_fixed_rate(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, 0.01, max_iterations)


@model("ignores_max_iterations", "你把迭代次数写死成了 1000：要用传入的参数 max_iterations。")
def tr_fixed_iterations(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, 1000)


@model("one_step_too_few", "你少迭代了一次（例如 range(max_iterations - 1) 或 range(1, max_iterations)）："
                           "要恰好迭代 max_iterations 次，history 里有 max_iterations 条记录。")
def tr_one_too_few(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, iterations=lambda n: max(n - 1, 0))


@model("one_step_too_many", "你多迭代了一次（例如 range(max_iterations + 1)）：要恰好迭代 max_iterations 次。")
def tr_one_too_many(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, iterations=lambda n: n + 1)


@model("sign_flipped", "你沿着梯度的方向更新（w + learning_rate·dw），这是梯度上升（gradient ascent），损失会越来越大："
                       "要 w = w − learning_rate·dw、b = b − learning_rate·db。")
def tr_ascent(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, sign=1)


@model("wrong_start", "初始值不对：题目要求从 w = b = 0.0 开始。")
def tr_start_one(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, start=(1.0, 1.0))


STOPS = ("你在损失变化很小时提前停止了：题目要求恰好迭代 max_iterations 次、不提前停止"
         "（history 里有 max_iterations 条记录）。")


@model("stops_early", STOPS)
def tr_stalls(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, stall=1e-4)


@model("stops_early", STOPS)
def tr_stalls_fine(X, y, learning_rate=0.01, max_iterations=1000):
    return _train(X, y, learning_rate, max_iterations, stall=1e-6)


MISTAKES = {
    "linear_model": [lm_swapped, lm_no_bias, lm_minus_bias, lm_matmul, lm_reshape, lm_list],
    "mse_loss": [mse_sum, mse_no_square, mse_absolute, mse_root, mse_square_of_mean, mse_n_minus_1, mse_axis_0,
                 mse_ravel_true, mse_ravel_pred],
    "gradient_mse": [gm_sum, gm_half, gm_sign, gm_order, gm_swapped_prediction, gm_no_bias, gm_no_x, gm_axis_0,
                     gm_tuple, gm_list],
    "train_linear_regression": [tr_b_after_w, tr_loss_after, tr_params_before, tr_from_one, tr_fixed_rate,
                                tr_fixed_iterations, tr_one_too_few, tr_one_too_many, tr_ascent, tr_start_one,
                                tr_stalls, tr_stalls_fine],
}
