"""The mistakes students really make in ps5, as formulas (see autograder/testkit/diagnosis.py).

Each model has the graded function's signature and computes what that mistake gives, with the
reference for everything else (its helpers are the reference's, as when a function is judged
alone). The framework replays the calls a test made with plain inputs; tests whose calls it
cannot replay (inputs kept in the student's process, a cache from the student's forward) replay
them through the same models themselves (common.named_by_models).
"""
import numpy as np

from autograder.course.hints import formula
from autograder.testkit.diagnosis import Family, model

from .common import ref


FORMULAS = {
    "relu": "np.maximum(z, 0)",
    "relu_backward": "dout * (z > 0)",
    "softmax_cross_entropy": "shifted = scores - np.max(scores, axis=1, keepdims=True)；"
                             "log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))；"
                             "loss = -np.mean(log_probs[np.arange(n), y])；dscores = (np.exp(log_probs) - onehot(y)) / n",
    "forward": "z1 = X @ W1 + b1；h = relu(z1)；scores = h @ W2 + b2；cache = (X, z1, h)",
    "backward": "dW2 = h.T @ dscores；db2 = dscores.sum(axis=0)；dz1 = relu_backward(dscores @ W2.T, z1)；"
                "dW1 = X.T @ dz1；db1 = dz1.sum(axis=0)",
    "sgd_step": "{k: params[k] - learning_rate * grads[k] for k in params}",
    "train_mlp": "params = init_params(X.shape[1], d_hidden, int(np.max(y)) + 1, seed)；每一轮：scores, cache = forward(params, X)；"
                 "loss, dscores = softmax_cross_entropy(scores, y)；params = sgd_step(params, backward(params, cache, dscores), "
                 "learning_rate)；history.append(loss)",
    "conv2d": "out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)，i < H - kh + 1，j < W - kw + 1",
    "conv2d_kernel_gradient": "conv2d(image, dout)",
}


# ------------------------------------------------------------------------------------ relu

@model("max_not_maximum", "np.max(z, 0) 求的是沿第 0 个轴的最大值，会把数组压扁；逐元素取 max(z, 0) 要用 np.maximum(z, 0)。")
def relu_max(z):
    return np.max(z, 0)


@model("leaky_relu", "你写的是 Leaky ReLU（负数乘以一个小斜率）；ReLU 把负数变成 0：np.maximum(z, 0)。")
def relu_leaky(z):
    return np.maximum(z, 0.01 * z)


@model("absolute_value", "你返回的是绝对值 |z|；ReLU 把负数变成 0，不是变成正数：np.maximum(z, 0)。")
def relu_abs(z):
    return np.abs(z)


@model("returns_gate", "你返回的是 ReLU 的导数（z > 0 时为 1，否则为 0），不是 ReLU 本身 max(z, 0)。")
def relu_gate(z):
    return (z > 0).astype(float)


@model("clipped", "你把结果限制在了 [0, 1]（np.clip(z, 0, 1)）：ReLU 只截掉负数，正数原样保留，没有上限。")
def relu_clip(z):
    return np.clip(z, 0, 1)


@model("minimum", "你用了 np.minimum(z, 0)，留下的是负数部分；ReLU 要的是 np.maximum(z, 0)。")
def relu_minimum(z):
    return np.minimum(z, 0)


# --------------------------------------------------------------------------- relu_backward

@model("gate_at_zero", "ReLU 在 0 处的导数取 0（和 PyTorch 一致）：闸门是 z > 0，不是 z >= 0。")
def rb_gate_at_zero(dout, z):
    return dout * (z >= 0)


@model("forgets_dout", "你只返回了 ReLU 的局部导数（z > 0 时为 1）：链式法则（chain rule）还要乘上游传来的梯度 dout。", "1.2")
def rb_forgets_dout(dout, z):
    return (z > 0).astype(float)


@model("gate_from_dout", "闸门（哪些位置让梯度通过）由前向传播的输入 z 决定，不由 dout 决定。", "1.2")
def rb_gate_from_dout(dout, z):
    return dout * (dout > 0)


@model("times_relu", "你乘的是 relu(z) 本身；链式法则要乘的是它的导数（z > 0 处为 1，其余为 0）。", "1.2")
def rb_times_relu(dout, z):
    return dout * np.maximum(z, 0)


@model("arguments_swapped", "参数顺序是 relu_backward(dout, z)：第一个是上游梯度，第二个是前向的输入；你把两者的角色对调了。")
def rb_swapped(dout, z):
    return z * (dout > 0)


# ------------------------------------------------------------------- softmax_cross_entropy

def _grad(probs, y, n, sign=1.0, divide=True):
    d = probs.copy()
    d[np.arange(n), y] -= 1.0
    d = sign * d
    return d / n if divide else d


def _log_probs(shifted):
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


@model("no_max_shift", "没有先减去每行的最大值：分数很大时 np.exp 上溢成 inf，得到 nan。每一行先减去这一行自己的最大值，再算 exp"
       + formula("：shifted = scores - np.max(scores, axis=1, keepdims=True)") + "。", "2.2")
def sce_no_shift(scores, y):
    n = scores.shape[0]
    exp = np.exp(scores)
    probs = exp / np.sum(exp, axis=1, keepdims=True)
    return float(-np.mean(np.log(probs[np.arange(n), y]))), _grad(probs, y, n)


@model("global_max", "你减去的是整个数组的最大值 np.max(scores)：各行大小相差悬殊时，其他行的 exp 全部下溢成 0。"
                     "要减去每一行自己的最大值：np.max(scores, axis=1, keepdims=True)。")
def sce_global_max(scores, y):
    n = scores.shape[0]
    log_probs = _log_probs(scores - np.max(scores))
    return float(-np.mean(log_probs[np.arange(n), y])), _grad(np.exp(log_probs), y, n)


@model("log_of_probabilities", "你先算出概率再取 log：正确类别的概率小到下溢成 0 时，log(0) = −inf。要用 log-sum-exp 直接算 log 概率"
       + formula("：log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))") + "。", "2.2")
def sce_log_of_probs(scores, y):
    n = scores.shape[0]
    exp = np.exp(scores - np.max(scores, axis=1, keepdims=True))
    probs = exp / np.sum(exp, axis=1, keepdims=True)
    return float(-np.mean(np.log(probs[np.arange(n), y]))), _grad(probs, y, n)


def _stable(scores):
    return _log_probs(scores - np.max(scores, axis=1, keepdims=True))


@model("sum_not_mean", "loss 要对样本求平均（np.mean），你求的是总和（np.sum）。")
def sce_sum(scores, y):
    n, log_probs = scores.shape[0], _stable(scores)
    return float(-np.sum(log_probs[np.arange(n), y])), _grad(np.exp(log_probs), y, n)


@model("dscores_not_divided", "loss 是 n 个样本的平均，所以 dscores 也要除以 n：(softmax(scores) - onehot(y)) / n。")
def sce_not_divided(scores, y):
    n, log_probs = scores.shape[0], _stable(scores)
    return float(-np.mean(log_probs[np.arange(n), y])), _grad(np.exp(log_probs), y, n, divide=False)


@model("dscores_sign", "dscores 的符号反了：是 softmax(scores) − onehot(y)（概率减去独热向量），不是 onehot(y) − softmax(scores)。")
def sce_sign(scores, y):
    n, log_probs = scores.shape[0], _stable(scores)
    return float(-np.mean(log_probs[np.arange(n), y])), _grad(np.exp(log_probs), y, n, sign=-1.0)


@model("no_keepdims", "np.max(scores, axis=1) 的形状是 (n,)，从 (n, k) 的 scores 里减去它时按列广播：n ≠ k 时出错，"
                      "n = k 时悄悄算错。加上 keepdims=True，得到 (n, 1)，才会按行相减。")
def sce_no_keepdims(scores, y):
    n = scores.shape[0]
    log_probs = _log_probs(scores - np.max(scores, axis=1))
    return float(-np.mean(log_probs[np.arange(n), y])), _grad(np.exp(log_probs), y, n)


@model("whole_columns", "log_probs[:, y] 取出的是整列（形状 (n, n)），不是每个样本自己的正确类别："
                        "要写 log_probs[np.arange(n), y]。")
def sce_columns(scores, y):
    n, log_probs = scores.shape[0], _stable(scores)
    return float(-np.mean(log_probs[:, y])), _grad(np.exp(log_probs), y, n)


# --------------------------------------------------------------------------------- forward

@model("forgets_b1", "隐藏层忘了加偏置 b1：z1 = X @ W1 + b1。")
def fw_no_b1(params, X):
    z1 = X @ params["W1"]
    h = ref.relu(z1)
    return h @ params["W2"] + params["b2"], (X, z1, h)


@model("forgets_b2", "输出层忘了加偏置 b2：scores = h @ W2 + b2。")
def fw_no_b2(params, X):
    z1 = X @ params["W1"] + params["b1"]
    h = ref.relu(z1)
    return h @ params["W2"], (X, z1, h)


@model("relu_on_scores", "ReLU 只用在隐藏层：scores = h @ W2 + b2 不再过 ReLU（分数可以是负数）。")
def fw_relu_scores(params, X):
    z1 = X @ params["W1"] + params["b1"]
    h = ref.relu(z1)
    return ref.relu(h @ params["W2"] + params["b2"]), (X, z1, h)


@model("returns_probabilities", "forward 返回的是分数（logits）h @ W2 + b2，不做 softmax：softmax 在 softmax_cross_entropy 里算。")
def fw_softmax(params, X):
    z1 = X @ params["W1"] + params["b1"]
    h = ref.relu(z1)
    scores = h @ params["W2"] + params["b2"]
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True), (X, z1, h)


@model("tanh_not_relu", "隐藏层的激活函数是 ReLU（h = relu(z1)），你用的是 tanh。")
def fw_tanh(params, X):
    z1 = X @ params["W1"] + params["b1"]
    h = np.tanh(z1)
    return h @ params["W2"] + params["b2"], (X, z1, h)


@model("matmul_order", "X 的每一行是一个样本（形状 (n, d)），W1 的形状是 (d, H)：要写 X @ W1，不是 W1 @ X（列向量的写法）。")
def fw_order(params, X):
    z1 = params["W1"] @ X + params["b1"]
    h = ref.relu(z1)
    return h @ params["W2"] + params["b2"], (X, z1, h)


@model("bias_after_relu", "b1 要在 ReLU 之前加：z1 = X @ W1 + b1，h = relu(z1)；你在 relu 之后才加 b1。")
def fw_bias_after(params, X):
    z1 = X @ params["W1"]
    h = ref.relu(z1) + params["b1"]
    return h @ params["W2"] + params["b2"], (X, z1, h)


# -------------------------------------------------------------------------------- backward

def _backward(params, cache, dscores, gate=lambda z1: z1 > 0, n_again=False, bias=np.sum, bias_axis=0,
              dW2_transposed=False, dW1_from_h=False, sign=1):
    X, z1, h = cache
    n = X.shape[0]
    dscores = dscores / n if n_again else dscores
    dscores = -dscores if sign < 0 else dscores
    dh = dscores @ params["W2"].T
    dz1 = dh * gate(z1)
    return {"W1": (h if dW1_from_h else X).T @ dz1, "b1": bias(dz1, axis=bias_axis),
            "W2": dscores.T @ h if dW2_transposed else h.T @ dscores, "b2": bias(dscores, axis=bias_axis)}


@model("no_relu_gate", "梯度穿过 ReLU 时要乘它的导数：dz1 = dh * (z1 > 0)（或 relu_backward(dh, z1)）；你直接用了 dh。")
def bw_no_gate(params, cache, dscores):
    return _backward(params, cache, dscores, gate=lambda z1: 1.0)


@model("divides_by_n", "dscores 已经是平均损失的梯度（softmax_cross_entropy 里除过 n）：backward 里不要再除以 n。")
def bw_divides_by_n(params, cache, dscores):
    return _backward(params, cache, dscores, n_again=True)


@model("bias_mean", "偏置的梯度是 dscores（或 dz1）按列求和 np.sum(..., axis=0)，不是平均：dscores 已经除过 n 了。")
def bw_bias_mean(params, cache, dscores):
    return _backward(params, cache, dscores, bias=np.mean)


@model("dW2_transposed", "dW2 的形状要和 W2 相同，(H, k)：你把矩阵乘积的两边转置反了，得到的是 (k, H)。", "4.1")
def bw_dW2_transposed(params, cache, dscores):
    return _backward(params, cache, dscores, dW2_transposed=True)


@model("gate_at_zero", "ReLU 在 0 处的导数取 0（和 PyTorch 一致）：穿过 ReLU 时条件是 z1 > 0，不是 z1 >= 0。")
def bw_gate_at_zero(params, cache, dscores):
    return _backward(params, cache, dscores, gate=lambda z1: z1 >= 0)


@model("bias_axis", "偏置的梯度要对样本求和（axis=0，得到形状 (H,) 和 (k,)）；你对每个样本的各列求了和（axis=1）。")
def bw_bias_axis(params, cache, dscores):
    return _backward(params, cache, dscores, bias_axis=1)


@model("dW1_from_h", "第一层的输入是 X：dW1 要用 X 和 dz1 来算；你用的是隐藏层的输出 h。", "4.3")
def bw_dW1_from_h(params, cache, dscores):
    return _backward(params, cache, dscores, dW1_from_h=True)


@model("sign_flipped", "所有梯度的正负号都反了：你往回传的是 −dscores（例如用了 (y − 预测) 而不是 (预测 − y)）。"
                       "backward 只沿计算图往回传 dscores，不改变它的符号。", "4")
def bw_sign(params, cache, dscores):
    return _backward(params, cache, dscores, sign=-1)


# -------------------------------------------------------------------------------- sgd_step

def _lr_fixed(value):
    @model("ignores_learning_rate", "你没有用传入的 learning_rate（写死了一个学习率）：params[k] - learning_rate * grads[k]。")
    def fixed(params, grads, learning_rate):
        return {k: params[k] - value * grads[k] for k in params}
    return fixed


@model("plus_not_minus", "梯度下降沿负梯度方向走：params[k] − learning_rate * grads[k]，是减号。")
def sgd_plus(params, grads, learning_rate):
    return {k: params[k] + learning_rate * grads[k] for k in params}


@model("divides_by_learning_rate", "学习率是乘上去的：params[k] − learning_rate * grads[k]，不是除以学习率。")
def sgd_divides(params, grads, learning_rate):
    return {k: params[k] - grads[k] / learning_rate for k in params}


@model("hard_coded_keys", "你把键写死成了 W1、b1、W2、b2：sgd_step 要对任何参数字典都适用，遍历 params 里的每个键（for k in params）。")
def sgd_keys(params, grads, learning_rate):
    return {k: params[k] - learning_rate * grads[k] for k in ("W1", "b1", "W2", "b2")}


# ------------------------------------------------------------------------------- train_mlp

def _train(X, y, d_hidden, learning_rate, epochs, seed, k=None, after=False, keep_params=False, extra=0):
    k = int(np.max(y)) + 1 if k is None else k
    params = ref.init_params(X.shape[1], d_hidden, k, seed)
    history = []
    for _ in range(epochs + extra):
        scores, cache = ref.forward(params, X)
        loss, dscores = ref.softmax_cross_entropy(scores, y)
        updated = ref.sgd_step(params, ref.backward(params, cache, dscores), learning_rate)
        if not keep_params:
            params = updated
        history.append(ref.softmax_cross_entropy(ref.forward(params, X)[0], y)[0] if after else loss)
    return params, history


@model("k_distinct_labels", "类别数 k 是 y.max() + 1，不是不同标签的个数 len(np.unique(y))：某个类别没有样本时两者不同。")
def tm_unique(X, y, d_hidden=64, learning_rate=1.0, epochs=300, seed=0):
    return _train(X, y, d_hidden, learning_rate, epochs, seed, k=len(np.unique(y)))


@model("k_is_max", "标签取值 0 … k−1，所以类别数 k = y.max() + 1；你用的 y.max() 少了一个类别，最大的标签超出了范围。")
def tm_max(X, y, d_hidden=64, learning_rate=1.0, epochs=300, seed=0):
    return _train(X, y, d_hidden, learning_rate, epochs, seed, k=int(np.max(y)))


@model("loss_after_update", "history[t] 是第 t 轮更新之前的损失（就是 softmax_cross_entropy 刚算出的 loss）；你记的是更新之后重新算的损失。")
def tm_after(X, y, d_hidden=64, learning_rate=1.0, epochs=300, seed=0):
    return _train(X, y, d_hidden, learning_rate, epochs, seed, after=True)


@model("params_not_updated", "sgd_step 返回新的参数字典，不修改传入的：要写 params = sgd_step(params, grads, learning_rate)，否则参数一直不变。")
def tm_dropped(X, y, d_hidden=64, learning_rate=1.0, epochs=300, seed=0):
    return _train(X, y, d_hidden, learning_rate, epochs, seed, keep_params=True)


@model("ignores_seed", "init_params 要用传入的 seed：init_params(X.shape[1], d_hidden, k, seed)。")
def tm_seed(X, y, d_hidden=64, learning_rate=1.0, epochs=300, seed=0):
    return _train(X, y, d_hidden, learning_rate, epochs, 0)


@model("extra_epoch", "恰好训练 epochs 轮：for _ in range(epochs)，history 有 epochs 个损失。")
def tm_extra(X, y, d_hidden=64, learning_rate=1.0, epochs=300, seed=0):
    return _train(X, y, d_hidden, learning_rate, epochs, seed, extra=1)


@model("ignores_learning_rate", "每一轮要用传入的 learning_rate 更新：sgd_step(params, grads, learning_rate)，不要写死学习率。")
def tm_lr(X, y, d_hidden=64, learning_rate=1.0, epochs=300, seed=0):
    return _train(X, y, d_hidden, 1.0, epochs, seed)


def _clipped(low: float):
    @model("clips_probabilities", "你在取 log 之前把概率截在了一个下限（np.clip(probs, 1e-10, 1)）：分数相差很大时，正确类别的"
                                  "概率比这个下限还小，loss 被截住、dscores 也跟着错了。数值稳定要靠减去每行的最大值和 "
                                  "log-sum-exp，直接算 log 概率，而不是截断概率。", "2.2")
    def clipped(scores, y):
        n = scores.shape[0]
        exp = np.exp(scores - np.max(scores, axis=1, keepdims=True))
        probs = np.clip(exp / np.sum(exp, axis=1, keepdims=True), low, 1.0)
        return float(np.sum(-np.log(probs[np.arange(n), y])) / n), _grad(probs, y, n)
    return clipped


sce_clipped = [_clipped(low) for low in (1e-7, 1e-8, 1e-10, 1e-12, 1e-15)]


# ---------------------------------------------------------------------------------- conv2d

def _correlate(image, kernel, shape=None, window=None, combine=lambda patch, kernel: np.sum(patch * kernel),
               dtype=float):
    kh, kw = window or kernel.shape
    shape = shape or (image.shape[0] - kh + 1, image.shape[1] - kw + 1)
    out = np.zeros(shape, dtype=dtype)
    for i in range(shape[0]):
        for j in range(shape[1]):
            out[i, j] = combine(image[i:i + kh, j:j + kw], kernel)
    return out


@model("flipped_kernel", "你把卷积核翻转了（数学里的“真”卷积）：深度学习里的卷积（torch.nn.functional.conv2d）是互相关"
                         "（cross-correlation），核不翻转，窗口和核对应位置相乘再求和。", "7")
def conv_flipped(image, kernel):
    return _correlate(image, kernel[::-1, ::-1])


@model("output_too_small", "输出少了最后一行和最后一列：窗口的左上角可以一直走到 H − kh、W − kw（两端都算），"
                           "输出的行数比图像少 kh − 1，而不是少 kh。", "7")
def conv_small(image, kernel):
    kh, kw = kernel.shape
    return _correlate(image, kernel, shape=(image.shape[0] - kh, image.shape[1] - kw))


@model("square_kernel", "你假设卷积核是正方形（只用了 kernel.shape[0]）：高和宽要分开算，kh, kw = kernel.shape。")
def conv_square(image, kernel):
    k = kernel.shape[0]
    return _correlate(image, kernel, window=(k, k))


@model("matrix_product", "窗口和卷积核是对应位置相乘再求和（np.sum(window * kernel)），不是矩阵乘法 @。")
def conv_matmul(image, kernel):
    return _correlate(image, kernel, combine=lambda patch, kernel: np.sum(patch @ kernel.T))


@model("same_padding", "这里要的是“valid”卷积（不补零）：输出比图像小（每个方向少 kh − 1、kw − 1）；你的输出和图像一样大。", "7")
def conv_same(image, kernel):
    kh, kw = kernel.shape
    padded = np.pad(image, ((kh // 2, kh - 1 - kh // 2), (kw // 2, kw - 1 - kw // 2)))
    return _correlate(padded, kernel, shape=image.shape)


@model("height_width_swapped", "窗口的高度方向要用卷积核的高 kh（kernel.shape[0]），宽度方向用 kw；你把两者对调了。", "7")
def conv_swapped(image, kernel):
    kh, kw = kernel.shape
    return _correlate(image, kernel, shape=(image.shape[0] - kh + 1, image.shape[1] - kw + 1), window=(kw, kh))


@model("integer_array", "输出数组是整数类型（例如 np.zeros(..., dtype=int)），小数部分被截掉了：要用 float64 数组。")
def conv_int(image, kernel):
    return _correlate(image, kernel, dtype=int)


@model("indices_backwards", "你的窗口是往回取的（image[i − a, j − b]）：负的下标在 NumPy 里会从另一头绕回来。"
                            "out[i, j] 用的是从 (i, j) 开始、向右下方的 kh × kw 窗口。", "7")
def conv_backwards(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            for a in range(kh):
                for b in range(kw):
                    out[i, j] += image[i - a, j - b] * kernel[a, b]
    return out


@model("not_an_array", "你返回的是嵌套的 Python 列表：要返回 float64 的 NumPy 数组。", "7")
def conv_lists(image, kernel):
    return ref.conv2d(image, kernel).tolist()


def _conv(image, kernel, *, flip=False, size="valid"):
    """The reference's cross-correlation with its kernel flipped and/or its output the image's size."""
    kernel = kernel[::-1, ::-1] if flip else kernel
    kh, kw = kernel.shape
    if size == "zero_border":   # the image's size: windows centred on each pixel that fits, the border left 0
        (H, W), (h, w) = image.shape, (kh // 2, kw // 2)
        out = np.zeros(image.shape)
        for i in range(h, H - h):
            for j in range(w, W - w):
                out[i, j] = np.sum(kernel * image[i - h:i - h + kh, j - w:j - w + kw])
        return out
    return _correlate(image, kernel)


CONV = Family(_conv)
CONV.variant("flipped_kernel", conv_flipped.text, "7", flip=True)
CONV.variant("same_padding", "这里要的是“valid”卷积：输出比图像小（每个方向少 kh − 1、kw − 1）；你的输出和图像一样大"
                             "（边上是 0）。", "7", size="zero_border")


# ------------------------------------------------------------------ conv2d_kernel_gradient

@model("flipped", "∂L/∂kernel[a, b] = Σ_ij dout[i, j] · image[i + a, j + b]，也就是 conv2d(image, dout)，不用翻转结果。")
def kg_flipped(image, dout):
    return ref.conv2d(image, dout)[::-1, ::-1]


@model("mean_not_sum", "卷积核的每个元素在每个输出位置都用了一次，各位置的贡献要加起来（求和），不是平均。")
def kg_mean(image, dout):
    return ref.conv2d(image, dout) / dout.size


@model("arguments_swapped", "梯度是 conv2d(image, dout)：图像在前、dout 当作“卷积核”；你把两个参数对调了。")
def kg_swapped(image, dout):
    return ref.conv2d(dout, image)


@model("square_kernel", "你假设卷积核是正方形：高和宽要分开算，kh = H − dout.shape[0] + 1，kw = W − dout.shape[1] + 1。")
def kg_square(image, dout):
    k = image.shape[0] - dout.shape[0] + 1
    grad = np.zeros((k, k))
    for a in range(k):
        for b in range(k):
            grad[a, b] = np.sum(dout * image[a:a + dout.shape[0], b:b + dout.shape[1]])
    return grad


@model("corner_times_total", "∂L/∂kernel[a, b] = Σ_ij dout[i, j] · image[i + a, j + b]：每个 dout[i, j] 配的是平移后的窗口，"
                             "不是 dout 的总和乘以图像的一角。")
def kg_corner(image, dout):
    kh, kw = image.shape[0] - dout.shape[0] + 1, image.shape[1] - dout.shape[1] + 1
    return image[:kh, :kw] * np.sum(dout)


@model("dout_flipped", "你把 dout 翻转之后再和图像做互相关（相当于“真”卷积）：卷积核的每个元素 kernel[a, b] 在输出的每个位置 "
                       "(i, j) 都和 image[i + a, j + b] 相乘过一次，乘的是同一位置的 dout[i, j]，不翻转。", "8.1")
def kg_dout_flipped(image, dout):
    return ref.conv2d(image, dout[::-1, ::-1])


@model("shape_too_small", "卷积核（也就是梯度）的形状是 (H − dout.shape[0] + 1, W − dout.shape[1] + 1)：你少了 + 1。")
def kg_small(image, dout):
    kh, kw = image.shape[0] - dout.shape[0], image.shape[1] - dout.shape[1]
    grad = np.zeros((kh, kw))
    for a in range(kh):
        for b in range(kw):
            grad[a, b] = np.sum(dout * image[a:a + dout.shape[0], b:b + dout.shape[1]])
    return grad


MISTAKES = {
    "relu": [relu_max, relu_leaky, relu_abs, relu_gate, relu_clip, relu_minimum],
    "relu_backward": [rb_gate_at_zero, rb_forgets_dout, rb_gate_from_dout, rb_times_relu, rb_swapped],
    "softmax_cross_entropy": [sce_no_shift, sce_global_max, sce_log_of_probs, sce_sum, sce_not_divided, sce_sign,
                              sce_no_keepdims, sce_columns] + sce_clipped,
    "forward": [fw_no_b1, fw_no_b2, fw_relu_scores, fw_softmax, fw_tanh, fw_order, fw_bias_after],
    "backward": [bw_no_gate, bw_divides_by_n, bw_bias_mean, bw_dW2_transposed, bw_gate_at_zero, bw_bias_axis,
                 bw_dW1_from_h, bw_sign],
    "sgd_step": [sgd_plus, sgd_divides, sgd_keys] + [_lr_fixed(v) for v in (0.01, 0.001, 0.1, 1.0)],
    "train_mlp": [tm_unique, tm_max, tm_after, tm_dropped, tm_seed, tm_extra, tm_lr],
    "conv2d": [conv_flipped, conv_small, conv_square, conv_matmul, conv_same, conv_swapped, conv_int, conv_backwards,
               conv_lists] + CONV.variants[1:] + CONV.pairs(),
    "conv2d_kernel_gradient": [kg_flipped, kg_mean, kg_swapped, kg_square, kg_corner, kg_small, kg_dout_flipped],
}
