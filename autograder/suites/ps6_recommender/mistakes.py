"""The mistakes students really make in ps6, as formulas (see autograder/testkit/diagnosis.py).

Each model has the graded function's signature and computes what that mistake gives; when it
reproduces every answer a failing student function gave (and the reference does not), its text
is the diagnosis. Mistakes that a test checks directly (inputs changed in place, a wrong return
type, the history shifted by one step, the contributions of repeated ids lost, seen items
recommended) are named by the tests themselves.

Functions judged alone (mf_loss, mf_gradients, train_mf, recommend) are replayed with the
reference helpers: the calls a model has to explain were made with the reference's stand-ins
or with the student's own helpers when those are right, which is the same thing.
"""
import importlib

import numpy as np

from autograder.course.hints import formula
from autograder.testkit.diagnosis import Family, model

# The plain reference module (not the remembered one: a model of train_mf calls the helpers
# at every epoch of every replayed call, and those answers need not be kept).
ref = importlib.import_module("solutions.ps6_recommender")



FORMULAS = {
    "predict": "np.sum(U[users] * V[items], axis=1)",
    "mf_loss": "errors = predict(U, V, users, items) - ratings；"
               "float(np.mean(errors ** 2) + reg * (np.sum(U ** 2) + np.sum(V ** 2)))",
    "mf_gradients": "scale = 2 * errors[:, None] / len(ratings)；dU = 2 * reg * U；dV = 2 * reg * V；"
                    "np.add.at(dU, users, scale * V[items])；np.add.at(dV, items, scale * U[users])",
    "train_mf": "U, V = init_factors(n_users, n_items, rank, seed)；每一步：history.append(mf_loss(...))；"
                "dU, dV = mf_gradients(...)；U = U - learning_rate * dU；V = V - learning_rate * dV",
    "recommend": "scores = V @ U[user]；候选 = 不在 seen 里的电影；按 (-scores[i], i) 排序，取前 top_k 个",
    "momentum_step": "velocity_new = beta * velocity + grad；x_new = x - learning_rate * velocity_new",
    "adam_step": "m_new = beta1 * m + (1 - beta1) * grad；v_new = beta2 * v + (1 - beta2) * grad ** 2；"
                 "m_hat = m_new / (1 - beta1 ** t)；v_hat = v_new / (1 - beta2 ** t)；"
                 "x_new = x - learning_rate * m_hat / (np.sqrt(v_hat) + eps)",
}


class Undecided(Exception):
    """Raised by a model on a call where it gives the same answer as another mistake: that call is
    no evidence for either (a model that raises it explains no test whose calls include it)."""


# ------------------------------------------------------------------------------ predict

ROW_DOT = ("第 k 个预测是 U[users[k]] 与 V[items[k]] 的点积，结果形状 (m,)"
           + formula("：np.sum(U[users] * V[items], axis=1)") + "。")


@model("users_items_swapped", "编号和表配错了：用户的向量在 U 里（U[users]），电影的向量在 V 里（V[items]）。"
                              "你用电影编号去取 U 的行、用用户编号去取 V 的行，所以编号会超出表的行数（IndexError），"
                              "或者取到了别人的向量。")
def predict_swapped(U, V, users, items):
    return np.sum(U[items] * V[users], axis=1)


@model("no_sum", "你只做了逐元素相乘（形状 (m, r)），没有对秩那一维求和：点积还要再把这些乘积加起来。", "2")
def predict_no_sum(U, V, users, items):
    return U[users] * V[items]


@model("sum_axis_0", "np.sum(..., axis=0) 是把所有评分加在一起（每个秩分量一个数）；点积要对每一行求和：axis=1。")
def predict_axis_0(U, V, users, items):
    return np.sum(U[users] * V[items], axis=0)


@model("sums_everything", "np.sum 没有指定 axis，就把所有评分的所有乘积加成了一个数；要每个评分一个预测：axis=1。")
def predict_sum_all(U, V, users, items):
    return float(np.sum(U[users] * V[items]))


@model("whole_table", "你返回的是整张预测表 U @ V.T（每位用户对每部电影）；要的只是这 m 对 (users[k], items[k]) "
                      "的预测：" + ROW_DOT)
def predict_table(U, V, users, items):
    return U @ V.T


@model("matrix_product", "U[users] @ V[items].T 是 m×m 的矩阵：第 k 行第 j 列是第 k 个用户与第 j 部电影的点积。"
                         "要的只是对角线（同一个 k 的用户和电影）：" + ROW_DOT)
def predict_matmul(U, V, users, items):
    return U[users] @ V[items].T


@model("mean_not_sum", "点积是把逐元素乘积**加**起来（np.sum），你用了 np.mean，结果差了一个因子 r（秩）。")
def predict_mean(U, V, users, items):
    return np.mean(U[users] * V[items], axis=1)


@model("loop_skips_last", "最后一个预测是 0：循环少走了一步（range(len(users) - 1)）。每个 k = 0 … m−1 都要预测。")
def predict_loop_short(U, V, users, items):
    out = np.zeros(len(users))
    for k in range(len(users) - 1):
        out[k] = U[users[k]] @ V[items[k]]
    return out


# ------------------------------------------------------------------------------ mf_loss

PENALTY = "正则项是 reg 乘以 U、V 所有元素的平方和" + formula("（reg · (np.sum(U ** 2) + np.sum(V ** 2))）")


def _errors(U, V, users, items, ratings):
    return ref.predict(U, V, users, items) - ratings


def _penalty(U, V):
    return np.sum(U ** 2) + np.sum(V ** 2)


@model("sum_not_mean", "误差平方要求**平均**（np.mean），你用了求和（np.sum）：损失随评分个数变大。")
def loss_sum(U, V, users, items, ratings, reg):
    return float(np.sum(_errors(U, V, users, items, ratings) ** 2) + reg * _penalty(U, V))


@model("penalty_rated_rows_only", "你只对有评分的行 U[users]、V[items] 做了正则（而且重复的编号会被算好几次）。"
                                  + PENALTY + "：U 和 V 的每一行都算，每行一次。")
def loss_rated_rows(U, V, users, items, ratings, reg):
    return float(np.mean(_errors(U, V, users, items, ratings) ** 2)
                 + reg * (np.sum(U[users] ** 2) + np.sum(V[items] ** 2)))


@model("penalty_only_U", "正则项漏了 V：" + PENALTY + "，用户向量和电影向量都要算。")
def loss_only_U(U, V, users, items, ratings, reg):
    return float(np.mean(_errors(U, V, users, items, ratings) ** 2) + reg * np.sum(U ** 2))


@model("penalty_only_V", "正则项漏了 U：" + PENALTY + "，用户向量和电影向量都要算。")
def loss_only_V(U, V, users, items, ratings, reg):
    return float(np.mean(_errors(U, V, users, items, ratings) ** 2) + reg * np.sum(V ** 2))


@model("norm_not_squared", "np.linalg.norm(U) 是平方和再开根号（Frobenius 范数）；正则项要的是平方和本身"
                           + formula("：np.sum(U ** 2)（或 np.linalg.norm(U) ** 2）") + "。")
def loss_norms(U, V, users, items, ratings, reg):
    return float(np.mean(_errors(U, V, users, items, ratings) ** 2) + reg * (np.linalg.norm(U) + np.linalg.norm(V)))


@model("rmse", "你对均方误差开了根号（RMSE）：损失用的是均方误差（MSE）本身，不开根号。")
def loss_rmse(U, V, users, items, ratings, reg):
    return float(np.sqrt(np.mean(_errors(U, V, users, items, ratings) ** 2)) + reg * _penalty(U, V))


@model("half_penalty", "正则项多了一个 1/2：这里的损失是 MSE + reg · (ΣU² + ΣV²)，不是 reg / 2。")
def loss_half_penalty(U, V, users, items, ratings, reg):
    return float(np.mean(_errors(U, V, users, items, ratings) ** 2) + reg / 2 * _penalty(U, V))


@model("penalty_mean_not_sum", "正则项要的是所有元素的平方**和**，你用了平均（np.mean）。")
def loss_penalty_mean(U, V, users, items, ratings, reg):
    return float(np.mean(_errors(U, V, users, items, ratings) ** 2) + reg * (np.mean(U ** 2) + np.mean(V ** 2)))


@model("not_squared", "误差没有平方：损失是均方误差（误差平方的平均），你算的是误差绝对值或误差本身的平均。")
def loss_abs(U, V, users, items, ratings, reg):
    return float(np.mean(np.abs(_errors(U, V, users, items, ratings))) + reg * _penalty(U, V))


# ------------------------------------------------------------------------ mf_gradients

GRADIENT = ("dU[u] = (2/m)·Σ_{k: users[k] = u} e_k·V[items[k]] + 2·reg·U[u]，e = 预测 − 评分，m = len(ratings)；"
            "dV 同理（乘 U[users]）。")
LOST_REPEATS = ("同一位用户（或同一部电影）出现多次时，只有最后一个评分的贡献留了下来：dU[users] += … 是“缓冲”的"
                "（它执行成 dU[users] = dU[users] + …，重复的编号只有最后一次写入算数），在循环里用 = 赋值也一样。"
                "请用 np.add.at(dU, users, …)（重复几次就加几次），或在循环里逐个 +=；dV 同理。")


def _gradients(U, V, users, items, ratings, reg, factor=2.0, mean=True, sign=1.0, penalty=2.0,
               partner_U=None, partner_V=None):
    errors = sign * _errors(U, V, users, items, ratings)
    scale = factor * errors[:, None] / (len(ratings) if mean else 1)
    dU, dV = penalty * reg * U, penalty * reg * V
    np.add.at(dU, users, scale * (V[items] if partner_U is None else partner_U))
    np.add.at(dV, items, scale * (U[users] if partner_V is None else partner_V))
    return dU, dV


@model("lost_repeats", LOST_REPEATS)
def grad_buffered(U, V, users, items, ratings, reg):
    scale = 2 * _errors(U, V, users, items, ratings)[:, None] / len(ratings)
    dU, dV = 2 * reg * U, 2 * reg * V
    dU[users] += scale * V[items]
    dV[items] += scale * U[users]
    return dU, dV


@model("missing_factor_2", "误差项的梯度漏了因子 2：(e²)' = 2e，所以每个评分贡献 (2/m)·e_k·V[items[k]]。" + GRADIENT)
def grad_missing_2(U, V, users, items, ratings, reg):
    if len(ratings) == 1:
        raise Undecided   # with m = 1, the same as missing both 2 and 1/m
    return _gradients(U, V, users, items, ratings, reg, factor=1.0)


@model("missing_2_and_mean", "误差项的梯度既漏了因子 2，也没有除以 m：损失是误差平方的平均 (1/m)·Σe²，"
                             "它对 U[u] 的梯度里每个评分贡献 (2/m)·e_k·V[items[k]]。" + GRADIENT)
def grad_missing_2_and_mean(U, V, users, items, ratings, reg):
    if len(ratings) == 1:
        raise Undecided   # with m = 1, the same as missing the factor 2 only
    return _gradients(U, V, users, items, ratings, reg, factor=1.0, mean=False)


@model("sum_not_mean", "损失是误差平方的**平均**，梯度里也要除以 m = len(ratings)（评分的个数）：你的结果是 m 倍。" + GRADIENT)
def grad_sum(U, V, users, items, ratings, reg):
    return _gradients(U, V, users, items, ratings, reg, mean=False)


@model("no_penalty_gradient", "正则项 reg·(ΣU² + ΣV²) 的梯度没有加上：它对 U、V 的每一行都有（包括没有评分的用户和电影）。"
                              + formula("先令 dU = 2 * reg * U、dV = 2 * reg * V，再累加评分的贡献。"))
def grad_no_penalty(U, V, users, items, ratings, reg):
    return _gradients(U, V, users, items, ratings, reg, penalty=0.0)


@model("penalty_missing_2", "正则项的梯度漏了因子 2：reg·U² 的导数是 2·reg·U，不是 reg·U。")
def grad_half_penalty(U, V, users, items, ratings, reg):
    return _gradients(U, V, users, items, ratings, reg, penalty=1.0)


@model("penalty_per_rating", "正则项的梯度被你加在了每个评分上（出现几次加几次，没有评分的行一次也没加）。"
                             "它与评分无关：每一行恰好一次，再累加评分的贡献。")
def grad_penalty_per_rating(U, V, users, items, ratings, reg):
    scale = 2 * _errors(U, V, users, items, ratings)[:, None] / len(ratings)
    dU, dV = np.zeros_like(U), np.zeros_like(V)
    np.add.at(dU, users, scale * V[items] + 2 * reg * U[users])
    np.add.at(dV, items, scale * U[users] + 2 * reg * V[items])
    return dU, dV


@model("error_sign", "误差的符号反了：e = 预测 − 评分（predict(...) − ratings），不是评分 − 预测；"
                     "否则梯度指向损失减小的方向，梯度下降会往上走。")
def grad_sign(U, V, users, items, ratings, reg):
    return _gradients(U, V, users, items, ratings, reg, sign=-1.0)


@model("wrong_partner", "乘错了向量：预测 U[u]·V[i] 对 U[u] 的导数是 V[i]，对 V[i] 的导数是 U[u]。"
                        "所以 dU 累加 e_k·V[items[k]]，dV 累加 e_k·U[users[k]]。")
def grad_dV_times_V(U, V, users, items, ratings, reg):
    return _gradients(U, V, users, items, ratings, reg, partner_V=V[items])


@model("wrong_partner", "乘错了向量：预测 U[u]·V[i] 对 U[u] 的导数是 V[i]，对 V[i] 的导数是 U[u]。"
                        "所以 dU 累加 e_k·V[items[k]]，dV 累加 e_k·U[users[k]]。")
def grad_dU_times_U(U, V, users, items, ratings, reg):
    return _gradients(U, V, users, items, ratings, reg, partner_U=U[users])


@model("swapped", "dU 和 dV 的位置反了：要 return dU, dV（dU 的形状与 U 相同，dV 与 V 相同）。")
def grad_swapped(U, V, users, items, ratings, reg):
    dU, dV = ref.mf_gradients(U, V, users, items, ratings, reg)
    return dV, dU


@model("aliases_U", "dU = U 不会复制数组：dU 和 U 是同一个数组，之后对 dU 的 *=、+= 或 np.add.at 也改了 U"
                    "（所以用到 U 的 dV 错了，调用者的 U 也被改掉了）。要先新建一个数组。", "4", covers=("mutates_input",))
def grad_aliases_U(U, V, users, items, ratings, reg):
    scale = 2 * _errors(U, V, users, items, ratings)[:, None] / len(ratings)
    dU = U
    dU *= 2 * reg
    np.add.at(dU, users, scale * V[items])
    dV = 2 * reg * V
    np.add.at(dV, items, scale * U[users])
    return dU, dV


@model("no_penalty", "损失里没有正则项：题目的损失是已知评分上的均方误差，再加上 reg 乘以 U、V 所有元素的平方和。", "3")
def loss_no_penalty(U, V, users, items, ratings, reg):
    return float(np.mean(_errors(U, V, users, items, ratings) ** 2))


def _loss(U, V, users, items, ratings, reg, *, half=False, per_rating=False):
    """The reference loss with its regulariser halved and/or taken per rating (averaged with the errors)."""
    errors = _errors(U, V, users, items, ratings)
    penalty = np.mean(np.sum(U[users] ** 2, axis=1) + np.sum(V[items] ** 2, axis=1)) if per_rating else _penalty(U, V)
    return float(np.mean(errors ** 2) + (reg / 2 if half else reg) * penalty)


LOSS = Family(_loss)
LOSS.variant("half_penalty", loss_half_penalty.text, "3", half=True)
LOSS.variant("penalty_per_rating", "正则项被你放进了每个评分的损失里（每个评分加一次它那一行的 ‖U[u]‖² + ‖V[i]‖²，再跟误差一起平均）："
                                   "正则项与评分无关，U、V 的每一行恰好算一次，不随评分平均。", "3", per_rating=True)

GRADS = Family(_gradients, exclusive=("factor", "mean"))   # both: the single model missing_2_and_mean
GRADS.variant("missing_factor_2", grad_missing_2.text, "4.1", factor=1.0)
GRADS.variant("no_penalty_gradient", grad_no_penalty.text, "4", penalty=0.0)
GRADS.variant("penalty_missing_2", grad_half_penalty.text, "4", penalty=1.0)
GRADS.variant("sum_not_mean", grad_sum.text, "4.2", mean=False)
GRADS.variant("error_sign", grad_sign.text, "4.1", sign=-1.0)


# ----------------------------------------------------------------------------- train_mf

def _train(users, items, ratings, n_users, n_items, rank, learning_rate, epochs, reg, seed, *,
           init=None, sign=1.0, sequential=False, record_after=False, final_loss=False, steps=None):
    U, V = ref.init_factors(n_users, n_items, rank, seed) if init is None else init()
    history = []
    for _ in range(epochs if steps is None else steps):
        if not record_after:
            history.append(ref.mf_loss(U, V, users, items, ratings, reg))
        if sequential:
            U = U - sign * learning_rate * ref.mf_gradients(U, V, users, items, ratings, reg)[0]
            V = V - sign * learning_rate * ref.mf_gradients(U, V, users, items, ratings, reg)[1]
        else:
            dU, dV = ref.mf_gradients(U, V, users, items, ratings, reg)
            U, V = U - sign * learning_rate * dU, V - sign * learning_rate * dV
        if record_after:
            history.append(ref.mf_loss(U, V, users, items, ratings, reg))
    if final_loss:
        history.append(ref.mf_loss(U, V, users, items, ratings, reg))
    return U, V, history


HISTORY_AFTER = ("history 整体晚了一步：你在更新之后才记录损失。每一步先把当前（更新之前）的 mf_loss 追加到 history，"
                 "再算梯度、更新 U 和 V；history[0] 是初值处的损失。")


@model("history_after_update", HISTORY_AFTER)
def train_record_after(users, items, ratings, n_users, n_items, rank=3, learning_rate=0.05, epochs=500, reg=0.01, seed=0):
    return _train(users, items, ratings, n_users, n_items, rank, learning_rate, epochs, reg, seed, record_after=True)


@model("sequential_update", "你先更新了 U，再在新的 U 处算 V 的梯度：两个梯度都要在更新之前的 (U, V) 处算出"
                            "（dU, dV = mf_gradients(U, V, …) 只调用一次），然后同时更新 U 和 V。")
def train_sequential(users, items, ratings, n_users, n_items, rank=3, learning_rate=0.05, epochs=500, reg=0.01, seed=0):
    return _train(users, items, ratings, n_users, n_items, rank, learning_rate, epochs, reg, seed, sequential=True)


@model("ignores_seed", "初值没有用传入的 seed：要写 init_factors(n_users, n_items, rank, seed)，"
                       "不要省略 seed（它的默认值是 0）或写死成 0。")
def train_no_seed(users, items, ratings, n_users, n_items, rank=3, learning_rate=0.05, epochs=500, reg=0.01, seed=0):
    return _train(users, items, ratings, n_users, n_items, rank, learning_rate, epochs, reg, 0)


@model("wrong_rank", "初值没有用传入的 rank：要写 init_factors(n_users, n_items, rank, seed)，不要把秩写死成 3。")
def train_fixed_rank(users, items, ratings, n_users, n_items, rank=3, learning_rate=0.05, epochs=500, reg=0.01, seed=0):
    return _train(users, items, ratings, n_users, n_items, 3, learning_rate, epochs, reg, seed)


@model("init_users_items_swapped", "init_factors 的参数顺序是 (n_users, n_items, rank, seed)，返回 (U, V)；"
                                   "你把用户和电影对调了（init_factors(n_items, n_users, …)），得到的是另一组随机初值。")
def train_init_swapped(users, items, ratings, n_users, n_items, rank=3, learning_rate=0.05, epochs=500, reg=0.01, seed=0):
    def init():
        V, U = ref.init_factors(n_items, n_users, rank, seed)
        return U, V
    return _train(users, items, ratings, n_users, n_items, rank, learning_rate, epochs, reg, seed, init=init)


@model("init_rank_seed_swapped", "init_factors 的参数顺序是 (n_users, n_items, rank, seed)：你把 rank 和 seed 对调了。")
def train_init_rank_seed(users, items, ratings, n_users, n_items, rank=3, learning_rate=0.05, epochs=500, reg=0.01, seed=0):
    return _train(users, items, ratings, n_users, n_items, rank, learning_rate, epochs, reg, seed,
                  init=lambda: ref.init_factors(n_users, n_items, seed, rank))


@model("gradient_ascent", "你沿梯度方向走（把梯度加到了 U、V 上），损失越来越大：梯度下降要沿梯度的反方向走"
                          + formula("（U = U − learning_rate·dU、V = V − learning_rate·dV）") + "。")
def train_ascent(users, items, ratings, n_users, n_items, rank=3, learning_rate=0.05, epochs=500, reg=0.01, seed=0):
    return _train(users, items, ratings, n_users, n_items, rank, learning_rate, epochs, reg, seed, sign=-1.0)


@model("epochs_off_by_one", "循环少走了一步（range(epochs − 1)）：要恰好 epochs 步，history 恰好 epochs 个损失值。")
def train_one_fewer(users, items, ratings, n_users, n_items, rank=3, learning_rate=0.05, epochs=500, reg=0.01, seed=0):
    return _train(users, items, ratings, n_users, n_items, rank, learning_rate, epochs, reg, seed, steps=max(epochs - 1, 0))


@model("epochs_off_by_one", "循环多走了一步（range(epochs + 1)）：要恰好 epochs 步，history 恰好 epochs 个损失值。")
def train_one_more(users, items, ratings, n_users, n_items, rank=3, learning_rate=0.05, epochs=500, reg=0.01, seed=0):
    return _train(users, items, ratings, n_users, n_items, rank, learning_rate, epochs, reg, seed, steps=epochs + 1)


@model("final_loss_recorded", "history 多了一个值：训练结束后又追加了最后的损失。history 恰好 epochs 个值，"
                              "每一个都是某次更新**之前**的损失。")
def train_final_loss(users, items, ratings, n_users, n_items, rank=3, learning_rate=0.05, epochs=500, reg=0.01, seed=0):
    return _train(users, items, ratings, n_users, n_items, rank, learning_rate, epochs, reg, seed, final_loss=True)


@model("fixed_learning_rate", "学习率写死成了 0.05（默认值）：更新时要用传入的参数 learning_rate。")
def train_fixed_lr(users, items, ratings, n_users, n_items, rank=3, learning_rate=0.05, epochs=500, reg=0.01, seed=0):
    return _train(users, items, ratings, n_users, n_items, rank, 0.05, epochs, reg, seed)


@model("fixed_reg", "正则系数写死成了 0.01（默认值）：调用 mf_loss 和 mf_gradients 时要用传入的参数 reg。")
def train_fixed_reg(users, items, ratings, n_users, n_items, rank=3, learning_rate=0.05, epochs=500, reg=0.01, seed=0):
    return _train(users, items, ratings, n_users, n_items, rank, learning_rate, epochs, 0.01, seed)


# ---------------------------------------------------------------------------- recommend

RANKING = ("用户 user 对所有电影的分数是 U V^T 的第 user 行；去掉 seen 里的电影，按分数从高到低排序，分数相同时编号小的在前，"
           "取前 top_k 个。")
TIES_HIGHER = ("分数相同时你把编号**大**的排在了前面：np.argsort(scores)[::-1] 把相同分数的顺序也翻转了。要编号小的在前"
               + formula("：np.argsort(-scores, kind=\"stable\")，或 sorted(candidates, key=lambda i: (-scores[i], i))") + "。")


def _seen(seen):
    return {int(i) for i in seen}


def _ranked(scores, seen, key, n_items=None):
    blocked = _seen(seen)
    return sorted((i for i in range(len(scores) if n_items is None else n_items) if i not in blocked), key=key)


@model("lowest_first", "你按分数从低到高排序了：推荐要预测分数**最高**的电影在前（降序）。" + RANKING)
def rec_ascending(U, V, user, seen, top_k=5):
    scores = V @ U[user]
    return _ranked(scores, seen, lambda i: (scores[i], i))[:top_k]


@model("ties_higher_id", TIES_HIGHER)
def rec_ties_high(U, V, user, seen, top_k=5):
    scores = V @ U[user]
    return _ranked(scores, seen, lambda i: (-scores[i], -i))[:top_k]


@model("ties_higher_id", TIES_HIGHER)
def rec_argsort_reversed(U, V, user, seen, top_k=5):
    scores = V @ U[user]
    blocked = _seen(seen)
    return [int(i) for i in np.argsort(scores)[::-1] if int(i) not in blocked][:top_k]


@model("unstable_sort", "分数相同时的顺序不对：np.argsort 默认的排序算法不稳定（unstable），相同分数的电影顺序没有保证。"
                        "分数相同时要编号小的在前" + formula("：np.argsort(-scores, kind=\"stable\")，或 sorted(candidates, key=lambda i: (-scores[i], i))") + "。", "6")
def rec_unstable(U, V, user, seen, top_k=5):
    scores = V @ U[user]
    blocked = _seen(seen)
    return [int(i) for i in np.argsort(-scores) if int(i) not in blocked][:top_k]


@model("one_too_few", "你少返回了一部电影（切片 [:top_k − 1]）：前 top_k 个是 [:top_k]。")
def rec_one_fewer(U, V, user, seen, top_k=5):
    scores = V @ U[user]
    return _ranked(scores, seen, lambda i: (-scores[i], i))[:top_k - 1]


@model("ignores_top_k", "你总是推荐 5 部：要用传入的参数 top_k（5 只是它的默认值）。")
def rec_fixed_top_k(U, V, user, seen, top_k=5):
    scores = V @ U[user]
    return _ranked(scores, seen, lambda i: (-scores[i], i))[:5]


@model("scores_of_other_axis", "你的分数数组是“所有用户对一部电影”的分数（长度是用户数），例如 (U @ V.T)[:, user]："
                               "编号超过用户数的电影就出界了（IndexError）。用户 user 对所有电影的分数是 U V^T 的第 user 行"
                               + formula("：(U @ V.T)[user] 或 V @ U[user]") + "。")
def rec_column(U, V, user, seen, top_k=5):
    scores = (U @ V.T)[:, user]
    return _ranked(scores, seen, lambda i: (-scores[i], i), len(V))[:top_k]


# ------------------------------------------------------------------------ momentum_step

TORCH_MOMENTUM = formula("PyTorch 的约定（dampening = 0）：velocity_new = beta·velocity + grad，x_new = x − learning_rate·velocity_new。")


@model("dampened", "你用的是带阻尼（dampening）的写法：梯度前面乘了 (1 − beta)（指数移动平均）。"
                   "这里按 torch.optim.SGD(momentum=beta) 的约定，梯度前面没有 (1 − beta)：" + TORCH_MOMENTUM, "8")
def mom_dampened(x, velocity, grad, learning_rate, beta=0.9):
    velocity_new = beta * velocity + (1 - beta) * grad
    return x - learning_rate * velocity_new, velocity_new


@model("lr_in_velocity", "你把学习率放进了速度里（速度 = beta·速度 − learning_rate·grad，再加到 x 上）。"
                         "这个写法的 x 在学习率不变时相同，但速度是另一个量；这里按 PyTorch 的约定：" + TORCH_MOMENTUM)
def mom_lr_inside_minus(x, velocity, grad, learning_rate, beta=0.9):
    velocity_new = beta * velocity - learning_rate * grad
    return x + velocity_new, velocity_new


@model("lr_in_velocity", "你把学习率放进了速度里（速度 = beta·速度 + learning_rate·grad，再从 x 里减掉）。"
                         "速度里不含学习率，这里按 PyTorch 的约定：" + TORCH_MOMENTUM)
def mom_lr_inside_plus(x, velocity, grad, learning_rate, beta=0.9):
    velocity_new = beta * velocity + learning_rate * grad
    return x - velocity_new, velocity_new


@model("steps_with_grad", "x 沿梯度走了一步，速度没有用上：动量法（momentum）用更新后的速度来移动 x。", "8")
def mom_grad_step(x, velocity, grad, learning_rate, beta=0.9):
    return x - learning_rate * grad, beta * velocity + grad


@model("old_velocity", "x 用的是**旧**的速度：先算出新的速度，再用新的速度移动 x。", "8")
def mom_old_velocity(x, velocity, grad, learning_rate, beta=0.9):
    return x - learning_rate * velocity, beta * velocity + grad


@model("sign_flipped", "x 往上走了：x 要沿速度的反方向移动（减去 learning_rate 乘以新的速度）。", "8")
def mom_plus(x, velocity, grad, learning_rate, beta=0.9):
    velocity_new = beta * velocity + grad
    return x + learning_rate * velocity_new, velocity_new


@model("wrong_default_beta", "beta 的默认值不对：题目规定 momentum_step 的默认 beta = 0.9（签名里 beta=0.9）。")
def mom_default(x, velocity, grad, learning_rate, beta=0.99):
    velocity_new = beta * velocity + grad
    return x - learning_rate * velocity_new, velocity_new


@model("ignores_beta", "beta 写死成了 0.9：要用传入的参数 beta（0.9 只是默认值）。")
def mom_fixed_beta(x, velocity, grad, learning_rate, beta=0.9):
    velocity_new = 0.9 * velocity + grad
    return x - learning_rate * velocity_new, velocity_new


@model("returns_order", "返回值的顺序反了：要 return x_new, velocity_new（先位置，后速度）。")
def mom_order(x, velocity, grad, learning_rate, beta=0.9):
    velocity_new = beta * velocity + grad
    return velocity_new, x - learning_rate * velocity_new


@model("nesterov", "你用的是 Nesterov 的“向前看”写法（x 的更新里又加了一次 grad）：这里是普通动量（torch 的 nesterov=False），"
                   "x 只用新的速度来移动。", "8")
def mom_nesterov(x, velocity, grad, learning_rate, beta=0.9):
    velocity_new = beta * velocity + grad
    return x - learning_rate * (grad + beta * velocity_new), velocity_new


# ---------------------------------------------------------------------------- adam_step

ADAM = formula("m_hat = m_new / (1 − beta1**t)、v_hat = v_new / (1 − beta2**t)，"
        "x_new = x − learning_rate·m_hat / (√v_hat + eps)。")


def _moments(m, v, grad, beta1, beta2):
    return beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad ** 2


@model("no_bias_correction", "你没有做偏差修正（bias correction）：m、v 从 0 开始，前几步偏小，要除以 (1 − beta**t)："
                             + ADAM + "第一步（t = 1）时每个坐标恰好移动约 learning_rate。")
def adam_no_correction(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(m, v, grad, beta1, beta2)
    return x - learning_rate * m_new / (np.sqrt(v_new) + eps), m_new, v_new


@model("eps_inside_sqrt", "eps 放进了根号里（√(v_hat + eps)）：torch.optim.Adam 把 eps 加在根号外面（√v_hat + eps）。", "9")
def adam_eps_inside(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(m, v, grad, beta1, beta2)
    m_hat, v_hat = m_new / (1 - beta1 ** t), v_new / (1 - beta2 ** t)
    return x - learning_rate * m_hat / np.sqrt(v_hat + eps), m_new, v_new


@model("t_off_by_one", "偏差修正用的是 beta**(t + 1)：参数 t 已经从 1 开始数（第一步 t = 1），直接用 beta1**t、beta2**t，"
                       "不要再加 1。")
def adam_t_plus_one(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(m, v, grad, beta1, beta2)
    m_hat, v_hat = m_new / (1 - beta1 ** (t + 1)), v_new / (1 - beta2 ** (t + 1))
    return x - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


@model("t_off_by_one", "偏差修正用的是 beta**(t − 1)：参数 t 从 1 开始数（第一步 t = 1），直接用 beta1**t、beta2**t；"
                       "t − 1 在第一步会除以 0。")
def adam_t_minus_one(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(m, v, grad, beta1, beta2)
    m_hat, v_hat = m_new / (1 - beta1 ** (t - 1)), v_new / (1 - beta2 ** (t - 1))
    return x - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


@model("v_not_squared", "v 是梯度**平方**的移动平均：要把每个梯度分量平方（逐元素）再平均。", "9")
def adam_v_abs(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new = beta1 * m + (1 - beta1) * grad
    v_new = beta2 * v + (1 - beta2) * np.abs(grad)
    m_hat, v_hat = m_new / (1 - beta1 ** t), v_new / (1 - beta2 ** t)
    return x - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


@model("v_not_squared", "v 是梯度**平方**的移动平均：要把每个梯度分量平方（逐元素）再平均。", "9")
def adam_v_plain(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new = beta1 * m + (1 - beta1) * grad
    v_new = beta2 * v + (1 - beta2) * grad
    m_hat, v_hat = m_new / (1 - beta1 ** t), v_new / (1 - beta2 ** t)
    return x - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


@model("corrects_m_only", "只修正了 m 的偏差，v 没有修正：v 也要除以 (1 − beta2 的 t 次方)，分母用修正后的 v_hat。" + ADAM, "9")
def adam_m_only(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(m, v, grad, beta1, beta2)
    return x - learning_rate * m_new / (1 - beta1 ** t) / (np.sqrt(v_new) + eps), m_new, v_new


@model("corrects_v_only", "只修正了 v 的偏差，m 没有修正：m 也要除以 (1 − beta1 的 t 次方)，分子用修正后的 m_hat。" + ADAM, "9")
def adam_v_only(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(m, v, grad, beta1, beta2)
    return x - learning_rate * m_new / (np.sqrt(v_new / (1 - beta2 ** t)) + eps), m_new, v_new


@model("wrong_beta_in_correction", "v 的偏差修正用错了 beta：m 的修正用 beta1，v 的修正用 beta2。", "9")
def adam_beta1_for_v(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(m, v, grad, beta1, beta2)
    m_hat, v_hat = m_new / (1 - beta1 ** t), v_new / (1 - beta1 ** t)
    return x - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


@model("wrong_beta_in_correction", "偏差修正的两个 beta 对调了：m 的修正用 beta1，v 的修正用 beta2。", "9")
def adam_betas_swapped(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(m, v, grad, beta1, beta2)
    m_hat, v_hat = m_new / (1 - beta2 ** t), v_new / (1 - beta1 ** t)
    return x - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


@model("missing_sqrt", "分母要开根号：v 是梯度平方的平均，开根号后才和梯度同一个量级。", "9")
def adam_no_sqrt(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(m, v, grad, beta1, beta2)
    m_hat, v_hat = m_new / (1 - beta1 ** t), v_new / (1 - beta2 ** t)
    return x - learning_rate * m_hat / (v_hat + eps), m_new, v_new


@model("returns_order", "返回值的顺序不对：要 return x_new, m_new, v_new。")
def adam_order(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(m, v, grad, beta1, beta2)
    m_hat, v_hat = m_new / (1 - beta1 ** t), v_new / (1 - beta2 ** t)
    return x - learning_rate * m_hat / (np.sqrt(v_hat) + eps), v_new, m_new


@model("old_moments", "x 的更新用了**旧**的 m（或 v）：先算 m_new、v_new，再由它们得到 m_hat、v_hat。" + ADAM)
def adam_old_m(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(m, v, grad, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1 ** t), v_new / (1 - beta2 ** t)
    return x - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


@model("old_moments", "x 的更新用了**旧**的 m 和 v：先算 m_new、v_new，再由它们得到 m_hat、v_hat。" + ADAM)
def adam_old_moments(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(m, v, grad, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return x - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


@model("sign_flipped", "x 往上走了：Adam 的一步要从 x 里减去更新量。", "9")
def adam_plus(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(m, v, grad, beta1, beta2)
    m_hat, v_hat = m_new / (1 - beta1 ** t), v_new / (1 - beta2 ** t)
    return x + learning_rate * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


@model("returns_step", "你返回的是这一步的更新量，不是更新之后的 x_new：要把它从 x 里减掉。", "9")
def adam_returns_step(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new, v_new = _moments(m, v, grad, beta1, beta2)
    m_hat, v_hat = m_new / (1 - beta1 ** t), v_new / (1 - beta2 ** t)
    return learning_rate * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


def _eps_not_corrected(constant):
    @model("eps_not_corrected", "你用的是把偏差修正并进学习率的写法（先算 lr_t，再除以 √v 加一个常数）：这样 eps 加在没有修正的 "
                                "√v 上，而且写死成了一个常数，和 torch.optim.Adam 不一样。torch 先算出修正后的 m_hat、v_hat，"
                                "eps 加在 √v_hat 上，用参数 eps。", "9")
    def shortcut(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        m_new = m + (1 - beta1) * (grad - m)
        v_new = v + (1 - beta2) * (grad ** 2 - v)
        lr_t = learning_rate * np.sqrt(1.0 - beta2 ** t) / (1.0 - beta1 ** t)
        return x - lr_t * m_new / (np.sqrt(v_new) + (eps if constant is None else constant)), m_new, v_new
    return shortcut


adam_shortcuts = [_eps_not_corrected(c) for c in (1e-7, 1e-8, None)]


def _adam(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8, *, corrected=True, with_eps=True):
    m_new, v_new = _moments(m, v, grad, beta1, beta2)
    if corrected:
        m_new_hat, v_new_hat = m_new / (1 - beta1 ** t), v_new / (1 - beta2 ** t)
    else:
        m_new_hat, v_new_hat = m_new, v_new
    denominator = np.sqrt(v_new_hat) + eps if with_eps else np.sqrt(v_new_hat)
    return x - learning_rate * m_new_hat / denominator, m_new, v_new


ADAM_PARTS = Family(_adam)
ADAM_PARTS.variant("no_bias_correction", adam_no_correction.text, "9", corrected=False)
adam_no_eps = ADAM_PARTS.variant("no_eps", "你没有加 eps：分母 √v_hat 为 0（梯度一直为 0 的坐标）时会除以 0；torch.optim.Adam "
                                           "在 √v_hat 上加 eps。", "9", with_eps=False)


MISTAKES = {
    "predict": [predict_swapped, predict_no_sum, predict_axis_0, predict_sum_all, predict_table, predict_matmul,
                predict_mean, predict_loop_short],
    "mf_loss": [loss_sum, loss_rated_rows, loss_only_U, loss_only_V, loss_norms, loss_rmse, loss_half_penalty,
                loss_penalty_mean, loss_abs, loss_no_penalty, LOSS.variants[1]] + LOSS.pairs(),
    "mf_gradients": [grad_buffered, grad_missing_2, grad_missing_2_and_mean, grad_sum, grad_no_penalty, grad_half_penalty,
                     grad_penalty_per_rating, grad_sign, grad_dV_times_V, grad_dU_times_U, grad_swapped, grad_aliases_U]
                    + GRADS.pairs(),
    "train_mf": [train_record_after, train_sequential, train_no_seed, train_fixed_rank, train_init_swapped,
                 train_init_rank_seed, train_ascent, train_one_fewer, train_one_more, train_final_loss, train_fixed_lr,
                 train_fixed_reg],
    "recommend": [rec_ascending, rec_ties_high, rec_argsort_reversed, rec_unstable, rec_one_fewer, rec_fixed_top_k,
                  rec_column],
    "momentum_step": [mom_dampened, mom_lr_inside_minus, mom_lr_inside_plus, mom_grad_step, mom_old_velocity, mom_plus,
                      mom_default, mom_fixed_beta, mom_order, mom_nesterov],
    "adam_step": [adam_no_correction, adam_eps_inside, adam_t_plus_one, adam_t_minus_one, adam_v_abs, adam_v_plain,
                  adam_m_only, adam_v_only, adam_beta1_for_v, adam_betas_swapped, adam_no_sqrt, adam_order, adam_old_m,
                  adam_old_moments, adam_plus, adam_returns_step, adam_no_eps] + adam_shortcuts + ADAM_PARTS.pairs(),
}
