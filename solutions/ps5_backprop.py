"""Reference implementations of ps5_backprop, the oracle of its hidden suite.

Generated from source/ps5_backprop/ps5_backprop.ipynb by `python -m autograder build`; do not edit.
"""


import numpy as np
def make_spiral(n_per_class, n_classes, seed):
    """螺旋数据集（spiral dataset）：n_classes 条旋臂，每条 n_per_class 个二维点。

    返回 (X, y)：X 是形状 (n_per_class * n_classes, 2) 的 float64 数组，
    y 是形状 (n_per_class * n_classes,) 的整数标签 0 … n_classes-1。
    """
    rng = np.random.default_rng(seed)
    n = n_per_class * n_classes
    X = np.zeros((n, 2))
    y = np.zeros(n, dtype=np.int64)
    for c in range(n_classes):
        rows = slice(c * n_per_class, (c + 1) * n_per_class)
        radius = np.linspace(0.0, 1.0, n_per_class)
        angle = np.linspace(4.0 * c, 4.0 * (c + 1), n_per_class) + 0.2 * rng.standard_normal(n_per_class)
        X[rows] = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
        y[rows] = c
    return X, y
def init_params(d_in, d_hidden, d_out, seed=0):
    """两层网络的初始参数：W1 的标准差 sqrt(2 / d_in)（He 初始化），W2 的标准差 sqrt(1 / d_hidden)，偏置为 0。"""
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((d_in, d_hidden)) * np.sqrt(2.0 / d_in),
        "b1": np.zeros(d_hidden),
        "W2": rng.standard_normal((d_hidden, d_out)) * np.sqrt(1.0 / d_hidden),
        "b2": np.zeros(d_out),
    }


def relu(z):
    """ReLU 激活函数（rectified linear unit）：逐元素计算 max(z, 0)。

    参数
        z: 任意形状的 float64 数组
    返回
        与 z 形状相同的新数组；不修改 z
    """
    return np.maximum(z, 0)


def relu_backward(dout, z):
    """ReLU 的反向传播：已知损失对 relu(z) 的梯度 dout，求损失对 z 的梯度。

    参数
        dout: 损失对 ReLU 输出的梯度，形状与 z 相同
        z: 前向传播时 ReLU 的输入
    返回
        dout * (z > 0)：z > 0 处原样传回，z <= 0 处为 0（z 恰好为 0 时也是 0，和 PyTorch 一致）；不修改 dout 和 z
    """
    return dout * (z > 0)


def softmax_cross_entropy(scores, y):
    """softmax 交叉熵损失及其对 scores 的梯度（数值稳定的写法）。

    参数
        scores: 形状 (n, k) 的分数（logits），第 i 行是第 i 个样本对 k 个类别的打分
        y: 形状 (n,) 的整数标签，取值 0 … k-1
    返回
        (loss, dscores)
        loss: Python float，所有样本 -log softmax(scores)[i, y[i]] 的平均值
        dscores: 形状 (n, k) 的数组，(softmax(scores) - onehot(y)) / n
    """
    n = scores.shape[0]
    shifted = scores - np.max(scores, axis=1, keepdims=True)  # 每行减去该行最大值：exp 不会上溢
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    rows = np.arange(n)
    loss = -np.mean(log_probs[rows, y])
    dscores = np.exp(log_probs)  # softmax(scores)
    dscores[rows, y] -= 1.0
    dscores /= n
    return float(loss), dscores


def forward(params, X):
    """两层网络的前向传播（forward pass）。

    参数
        params: 参数字典 {"W1": (d, H), "b1": (H,), "W2": (H, k), "b2": (k,)}
        X: 形状 (n, d) 的输入
    返回
        (scores, cache)
        scores: 形状 (n, k)，scores = relu(X @ W1 + b1) @ W2 + b2
        cache: backward 需要的中间结果（内容由你决定，建议 (X, z1, h)）
    """
    z1 = X @ params["W1"] + params["b1"]
    h = relu(z1)
    scores = h @ params["W2"] + params["b2"]
    cache = (X, z1, h)
    return scores, cache


def backward(params, cache, dscores):
    """两层网络的反向传播（backpropagation）。

    参数
        params: 与 forward 相同的参数字典
        cache: 同一次 forward 返回的 cache
        dscores: 损失对 scores 的梯度，形状 (n, k)
    返回
        梯度字典 {"W1": ..., "b1": ..., "W2": ..., "b2": ...}，每个梯度的形状与对应参数相同
    """
    X, z1, h = cache
    dW2 = h.T @ dscores
    db2 = np.sum(dscores, axis=0)
    dh = dscores @ params["W2"].T
    dz1 = relu_backward(dh, z1)
    dW1 = X.T @ dz1
    db1 = np.sum(dz1, axis=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def sgd_step(params, grads, learning_rate):
    """一步梯度下降：返回新的参数字典 {k: params[k] - learning_rate * grads[k]}。

    参数
        params: 参数字典（值是数组）
        grads: 梯度字典，键和形状都与 params 相同
        learning_rate: 学习率
    返回
        新的字典；params 和 grads（以及其中的数组）都不修改
    """
    return {name: params[name] - learning_rate * grads[name] for name in params}


def train_mlp(X, y, d_hidden=64, learning_rate=1.0, epochs=300, seed=0):
    """用全批量梯度下降训练两层网络。

    参数
        X: 形状 (n, d) 的输入；y: 形状 (n,) 的整数标签 0 … k-1
        d_hidden: 隐藏层的宽度；learning_rate: 学习率；epochs: 训练的轮数；seed: init_params 的随机种子
    返回
        (params, history)
        params: 训练后的参数字典
        history: 长度为 epochs 的列表，第 t 个元素是第 t 轮更新之前的损失
    """
    k = int(np.max(y)) + 1
    params = init_params(X.shape[1], d_hidden, k, seed)
    history = []
    for _ in range(epochs):
        scores, cache = forward(params, X)
        loss, dscores = softmax_cross_entropy(scores, y)
        grads = backward(params, cache, dscores)
        params = sgd_step(params, grads, learning_rate)
        history.append(loss)
    return params, history


def conv2d(image, kernel):
    """二维 “valid” 互相关（cross-correlation），也就是 torch.nn.functional.conv2d 做的运算。

    参数
        image: 形状 (H, W) 的 float64 数组
        kernel: 形状 (kh, kw) 的卷积核（kernel，也叫滤波器 filter）
    返回
        形状 (H - kh + 1, W - kw + 1) 的 float64 数组，out[i, j] = sum(image[i:i+kh, j:j+kw] * kernel)
        （卷积核不翻转；不修改 image 和 kernel）
    """
    H, W = image.shape
    kh, kw = kernel.shape
    out = np.zeros((H - kh + 1, W - kw + 1))
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def conv2d_kernel_gradient(image, dout):
    """卷积核的梯度：L = sum(conv2d(image, kernel) * dout) 对 kernel 的梯度。

    参数
        image: 形状 (H, W) 的输入图像
        dout: 损失对 conv2d 输出的梯度，形状 (H - kh + 1, W - kw + 1)
    返回
        形状 (kh, kw) = (H - dout.shape[0] + 1, W - dout.shape[1] + 1) 的 float64 数组；不修改 image 和 dout
    """
    return conv2d(image, dout)  # ∂L/∂kernel[a, b] = Σ_ij dout[i, j] · image[i + a, j + b]
