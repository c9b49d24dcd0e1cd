"""Reference implementations of ps6_recommender, the oracle of its hidden suite.

Generated from source/ps6_recommender/ps6_recommender.ipynb by `python -m autograder build`; do not edit.
"""


import numpy as np
def init_factors(n_users, n_items, rank, seed=0):
    """给定的初始化（不评分）：U 的形状 (n_users, rank)，V 的形状 (n_items, rank)，
    元素是均值 0、标准差 0.1 的正态随机数；同一个 seed 总是给出同样的初值。"""
    rng = np.random.default_rng(seed)
    U = 0.1 * rng.standard_normal((n_users, rank))
    V = 0.1 * rng.standard_normal((n_items, rank))
    return U, V


def make_ratings(ratings_per_user_b=3, seed=6):
    """模拟的电影评分（给定，不评分）：60 位用户、40 部电影（4 种类型，每种 10 部）。

    A 组（用户 0–29）每人有 30 个训练评分，B 组（用户 30–59）每人有 ratings_per_user_b 个；
    另外每人还有 8 个测试评分。评分是 1–5 星减去 3。
    返回 (train, test)，各是 (users, items, ratings) 三个等长数组。
    """
    rng = np.random.default_rng(seed)
    genre_centres = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [-0.7, -0.7, 0.0]])
    V_true = genre_centres[np.arange(40) // 10] + 0.3 * rng.standard_normal((40, 3))
    group_tastes = np.array([[1.2, 0.3, -0.8], [-0.8, 0.3, 1.2]])   # A 组偏爱动作片，B 组偏爱喜剧片
    U_true = group_tastes[np.repeat([0, 1], 30)] + 0.5 * rng.standard_normal((60, 3))
    stars = np.clip(np.round(3 + U_true @ V_true.T + 0.3 * rng.standard_normal((60, 40))), 1, 5)
    train, test = [], []
    for u in range(60):
        order = rng.permutation(40)
        known = 30 if u < 30 else ratings_per_user_b
        train += [(u, i) for i in order[:known]]
        test += [(u, i) for i in order[30:38]]

    def as_arrays(pairs):
        pairs = np.array(pairs)
        return pairs[:, 0], pairs[:, 1], stars[pairs[:, 0], pairs[:, 1]] - 3.0

    return as_arrays(train), as_arrays(test)


def predict(U, V, users, items):
    """预测评分：第 k 个预测是 U[users[k]] 与 V[items[k]] 的点积。

    参数
        U: 用户向量，形状 (n_users, r)
        V: 物品（电影）向量，形状 (n_items, r)
        users, items: 长度为 m 的整数数组（可以有重复的编号）
    返回
        形状为 (m,) 的数组
    """
    return np.sum(U[users] * V[items], axis=1)


def mf_loss(U, V, users, items, ratings, reg):
    """矩阵分解的损失：已知评分上的均方误差 + reg * (U 的所有元素的平方和 + V 的所有元素的平方和)。

    返回
        一个 Python float
    """
    errors = predict(U, V, users, items) - ratings
    return float(np.mean(errors ** 2) + reg * (np.sum(U ** 2) + np.sum(V ** 2)))


def mf_gradients(U, V, users, items, ratings, reg):
    """mf_loss 对 U 和 V 的梯度（精确的解析梯度）。

    一位用户（或一部电影）出现几次，就累加几次贡献（用 np.add.at，不要用 dU[users] += ...）；
    正则项的梯度是 2 * reg * U 和 2 * reg * V。
    返回
        (dU, dV)，形状分别与 U、V 相同
    """
    errors = predict(U, V, users, items) - ratings
    scale = 2 * errors[:, None] / len(ratings)
    dU = 2 * reg * U
    dV = 2 * reg * V
    np.add.at(dU, users, scale * V[items])
    np.add.at(dV, items, scale * U[users])
    return dU, dV


def train_mf(users, items, ratings, n_users, n_items, rank=3, learning_rate=0.05, epochs=500, reg=0.01, seed=0):
    """用全批量梯度下降训练矩阵分解模型。

    从 init_factors(n_users, n_items, rank, seed) 出发，共 epochs 步；每一步先把当前的
    mf_loss 追加到 history，再用 mf_gradients 的梯度同时更新 U 和 V。
    返回
        (U, V, history)，len(history) == epochs
    """
    U, V = init_factors(n_users, n_items, rank, seed)
    history = []
    for _ in range(epochs):
        history.append(mf_loss(U, V, users, items, ratings, reg))
        dU, dV = mf_gradients(U, V, users, items, ratings, reg)
        U = U - learning_rate * dU
        V = V - learning_rate * dV
    return U, V, history


def recommend(U, V, user, seen, top_k=5):
    """为用户 user 推荐 top_k 部电影。

    参数
        U, V: 训练好的用户向量和电影向量
        user: 用户编号（整数）
        seen: 用户已经评过分的电影编号（列表、集合或数组），这些不推荐
        top_k: 推荐几部
    返回
        电影编号的列表，预测分数从高到低；分数相同时编号小的在前
    """
    scores = V @ U[user]
    seen = {int(i) for i in seen}
    candidates = [i for i in range(len(V)) if i not in seen]
    candidates.sort(key=lambda i: (-scores[i], i))
    return candidates[:top_k]


def momentum_step(x, velocity, grad, learning_rate, beta=0.9):
    """动量法的一步（PyTorch 的约定，dampening = 0）：
        velocity_new = beta * velocity + grad
        x_new = x - learning_rate * velocity_new
    不修改传入的数组。
    返回
        (x_new, velocity_new)
    """
    velocity_new = beta * velocity + grad
    x_new = x - learning_rate * velocity_new
    return x_new, velocity_new


def adam_step(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam 的第 t 步（t 从 1 开始），与 torch.optim.Adam 相同：
        m_new = beta1 * m + (1 - beta1) * grad
        v_new = beta2 * v + (1 - beta2) * grad**2
        m_hat = m_new / (1 - beta1**t),  v_hat = v_new / (1 - beta2**t)
        x_new = x - learning_rate * m_hat / (sqrt(v_hat) + eps)
    不修改传入的数组。
    返回
        (x_new, m_new, v_new)
    """
    m_new = beta1 * m + (1 - beta1) * grad
    v_new = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m_new / (1 - beta1 ** t)
    v_hat = v_new / (1 - beta2 ** t)
    x_new = x - learning_rate * m_hat / (np.sqrt(v_hat) + eps)
    return x_new, m_new, v_new
