PREDICT = "import numpy as np\ndef predict(U, V, users, items):\n"
LOSS = "import numpy as np\ndef mf_loss(U, V, users, items, ratings, reg):\n"
GRADIENTS = "import numpy as np\ndef mf_gradients(U, V, users, items, ratings, reg):\n"
TRAIN = ("import numpy as np\n"
         "def train_mf(users, items, ratings, n_users, n_items, rank=3, learning_rate=0.05, epochs=500, reg=0.01, seed=0):\n")
RECOMMEND = "import numpy as np\ndef recommend(U, V, user, seen, top_k=5):\n"
MOMENTUM = "import numpy as np\ndef momentum_step(x, velocity, grad, learning_rate, beta=0.9):\n"
ADAM = "import numpy as np\ndef adam_step(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):\n"

ERRORS = ("    errors = predict(U, V, users, items) - ratings\n"
          "    scale = 2 * errors[:, None] / len(ratings)\n")
TRAIN_LOOP = ("    U, V = init_factors(n_users, n_items, rank, seed)\n"
              "    history = []\n"
              "    for _ in range(epochs):\n"
              "        history.append(mf_loss(U, V, users, items, ratings, reg))\n"
              "        dU, dV = mf_gradients(U, V, users, items, ratings, reg)\n")
RANKED = ("    scores = V @ U[user]\n"
          "    seen = {int(i) for i in seen}\n")
ADAM_MOMENTS = ("    m_new = beta1 * m + (1 - beta1) * grad\n"
                "    v_new = beta2 * v + (1 - beta2) * grad ** 2\n")

WRONG = {
    "predict": {
        "users and items swapped": PREDICT + "    return np.sum(U[items] * V[users], axis=1)\n",
        "forgets to sum over the rank": PREDICT + "    return U[users] * V[items]\n",
        "sums over axis 0": PREDICT + "    return np.sum(U[users] * V[items], axis=0)\n",
        "sums everything": PREDICT + "    return np.sum(U[users] * V[items])\n",
        "returns the whole table U V^T": PREDICT + "    return U @ V.T\n",
        "matrix product of the gathered rows": PREDICT + "    return U[users] @ V[items].T\n",
        "mean over the rank": PREDICT + "    return np.mean(U[users] * V[items], axis=1)\n",
        "loop skips the last rating": PREDICT + (
            "    out = np.zeros(len(users))\n"
            "    for k in range(len(users) - 1):\n"
            "        out[k] = U[users[k]] @ V[items[k]]\n"
            "    return out\n"),
        "returns a list": PREDICT + "    return [float(U[u] @ V[i]) for u, i in zip(users, items)]\n",
    },
    "mf_loss": {
        "sum instead of mean": LOSS + (
            "    errors = predict(U, V, users, items) - ratings\n"
            "    return float(np.sum(errors ** 2) + reg * (np.sum(U ** 2) + np.sum(V ** 2)))\n"),
        "regularises only the rated rows": LOSS + (
            "    errors = predict(U, V, users, items) - ratings\n"
            "    return float(np.mean(errors ** 2) + reg * (np.sum(U[users] ** 2) + np.sum(V[items] ** 2)))\n"),
        "forgets V in the penalty": LOSS + (
            "    errors = predict(U, V, users, items) - ratings\n"
            "    return float(np.mean(errors ** 2) + reg * np.sum(U ** 2))\n"),
        "norms instead of squared norms": LOSS + (
            "    errors = predict(U, V, users, items) - ratings\n"
            "    return float(np.mean(errors ** 2) + reg * (np.linalg.norm(U) + np.linalg.norm(V)))\n"),
        "root mean squared error": LOSS + (
            "    errors = predict(U, V, users, items) - ratings\n"
            "    return float(np.sqrt(np.mean(errors ** 2)) + reg * (np.sum(U ** 2) + np.sum(V ** 2)))\n"),
        "half the penalty": LOSS + (
            "    errors = predict(U, V, users, items) - ratings\n"
            "    return float(np.mean(errors ** 2) + reg / 2 * (np.sum(U ** 2) + np.sum(V ** 2)))\n"),
        "returns a one-element array": LOSS + (
            "    errors = predict(U, V, users, items) - ratings\n"
            "    return np.mean(errors ** 2, keepdims=True) + reg * (np.sum(U ** 2) + np.sum(V ** 2))\n"),
        "subtracts in place from ratings": LOSS + (
            "    ratings -= predict(U, V, users, items)\n"
            "    return float(np.mean(ratings ** 2) + reg * (np.sum(U ** 2) + np.sum(V ** 2)))\n"),
        "mean instead of sum in the penalty": LOSS + (
            "    errors = predict(U, V, users, items) - ratings\n"
            "    return float(np.mean(errors ** 2) + reg * (np.mean(U ** 2) + np.mean(V ** 2)))\n"),
    },
    "mf_gradients": {
        "dU[users] += loses repeated ids": GRADIENTS + ERRORS + (
            "    dU = 2 * reg * U\n"
            "    dV = 2 * reg * V\n"
            "    dU[users] += scale * V[items]\n"
            "    dV[items] += scale * U[users]\n"
            "    return dU, dV\n"),
        "missing factor 2": GRADIENTS + (
            "    errors = predict(U, V, users, items) - ratings\n"
            "    scale = errors[:, None] / len(ratings)\n"
            "    dU, dV = 2 * reg * U, 2 * reg * V\n"
            "    np.add.at(dU, users, scale * V[items])\n"
            "    np.add.at(dV, items, scale * U[users])\n"
            "    return dU, dV\n"),
        "sum instead of mean": GRADIENTS + (
            "    errors = predict(U, V, users, items) - ratings\n"
            "    scale = 2 * errors[:, None]\n"
            "    dU, dV = 2 * reg * U, 2 * reg * V\n"
            "    np.add.at(dU, users, scale * V[items])\n"
            "    np.add.at(dV, items, scale * U[users])\n"
            "    return dU, dV\n"),
        "forgets the penalty's gradient": GRADIENTS + ERRORS + (
            "    dU, dV = np.zeros_like(U), np.zeros_like(V)\n"
            "    np.add.at(dU, users, scale * V[items])\n"
            "    np.add.at(dV, items, scale * U[users])\n"
            "    return dU, dV\n"),
        "penalty gradient reg * U": GRADIENTS + ERRORS + (
            "    dU, dV = reg * U, reg * V\n"
            "    np.add.at(dU, users, scale * V[items])\n"
            "    np.add.at(dV, items, scale * U[users])\n"
            "    return dU, dV\n"),
        "error with the wrong sign": GRADIENTS + (
            "    errors = ratings - predict(U, V, users, items)\n"
            "    scale = 2 * errors[:, None] / len(ratings)\n"
            "    dU, dV = 2 * reg * U, 2 * reg * V\n"
            "    np.add.at(dU, users, scale * V[items])\n"
            "    np.add.at(dV, items, scale * U[users])\n"
            "    return dU, dV\n"),
        "dV multiplies by V[items]": GRADIENTS + ERRORS + (
            "    dU, dV = 2 * reg * U, 2 * reg * V\n"
            "    np.add.at(dU, users, scale * V[items])\n"
            "    np.add.at(dV, items, scale * V[items])\n"
            "    return dU, dV\n"),
        "dU aliases U": GRADIENTS + ERRORS + (
            "    dU = U\n"
            "    dU *= 2 * reg\n"
            "    np.add.at(dU, users, scale * V[items])\n"
            "    dV = 2 * reg * V\n"
            "    np.add.at(dV, items, scale * U[users])\n"
            "    return dU, dV\n"),
        "loop assigns instead of adding": GRADIENTS + ERRORS + (
            "    dU, dV = 2 * reg * U, 2 * reg * V\n"
            "    for k in range(len(ratings)):\n"
            "        dU[users[k]] = 2 * reg * U[users[k]] + scale[k] * V[items[k]]\n"
            "        dV[items[k]] = 2 * reg * V[items[k]] + scale[k] * U[users[k]]\n"
            "    return dU, dV\n"),
        "returns (dV, dU)": GRADIENTS + ERRORS + (
            "    dU, dV = 2 * reg * U, 2 * reg * V\n"
            "    np.add.at(dU, users, scale * V[items])\n"
            "    np.add.at(dV, items, scale * U[users])\n"
            "    return dV, dU\n"),
        "penalty gradient added per rating": GRADIENTS + ERRORS + (
            "    dU, dV = np.zeros_like(U), np.zeros_like(V)\n"
            "    np.add.at(dU, users, scale * V[items] + 2 * reg * U[users])\n"
            "    np.add.at(dV, items, scale * U[users] + 2 * reg * V[items])\n"
            "    return dU, dV\n"),
        "neither 2 nor 1/m": GRADIENTS + (
            "    errors = predict(U, V, users, items) - ratings\n"
            "    dU, dV = 2 * reg * U, 2 * reg * V\n"
            "    np.add.at(dU, users, errors[:, None] * V[items])\n"
            "    np.add.at(dV, items, errors[:, None] * U[users])\n"
            "    return dU, dV\n"),
    },
    "train_mf": {
        "records the loss after the update": TRAIN + (
            "    U, V = init_factors(n_users, n_items, rank, seed)\n"
            "    history = []\n"
            "    for _ in range(epochs):\n"
            "        dU, dV = mf_gradients(U, V, users, items, ratings, reg)\n"
            "        U, V = U - learning_rate * dU, V - learning_rate * dV\n"
            "        history.append(mf_loss(U, V, users, items, ratings, reg))\n"
            "    return U, V, history\n"),
        "V's gradient after U moved": TRAIN + (
            "    U, V = init_factors(n_users, n_items, rank, seed)\n"
            "    history = []\n"
            "    for _ in range(epochs):\n"
            "        history.append(mf_loss(U, V, users, items, ratings, reg))\n"
            "        U = U - learning_rate * mf_gradients(U, V, users, items, ratings, reg)[0]\n"
            "        V = V - learning_rate * mf_gradients(U, V, users, items, ratings, reg)[1]\n"
            "    return U, V, history\n"),
        "ignores the seed": TRAIN + (
            "    U, V = init_factors(n_users, n_items, rank)\n"
            "    history = []\n"
            "    for _ in range(epochs):\n"
            "        history.append(mf_loss(U, V, users, items, ratings, reg))\n"
            "        dU, dV = mf_gradients(U, V, users, items, ratings, reg)\n"
            "        U, V = U - learning_rate * dU, V - learning_rate * dV\n"
            "    return U, V, history\n"),
        "init_factors with users and items swapped": TRAIN + (
            "    V, U = init_factors(n_items, n_users, rank, seed)\n"
            "    history = []\n"
            "    for _ in range(epochs):\n"
            "        history.append(mf_loss(U, V, users, items, ratings, reg))\n"
            "        dU, dV = mf_gradients(U, V, users, items, ratings, reg)\n"
            "        U, V = U - learning_rate * dU, V - learning_rate * dV\n"
            "    return U, V, history\n"),
        "gradient ascent": TRAIN + TRAIN_LOOP + (
            "        U, V = U + learning_rate * dU, V + learning_rate * dV\n"
            "    return U, V, history\n"),
        "one epoch too few": TRAIN + (
            "    U, V = init_factors(n_users, n_items, rank, seed)\n"
            "    history = []\n"
            "    for _ in range(epochs - 1):\n"
            "        history.append(mf_loss(U, V, users, items, ratings, reg))\n"
            "        dU, dV = mf_gradients(U, V, users, items, ratings, reg)\n"
            "        U, V = U - learning_rate * dU, V - learning_rate * dV\n"
            "    return U, V, history\n"),
        "learning rate hard-coded": TRAIN + TRAIN_LOOP + (
            "        U, V = U - 0.05 * dU, V - 0.05 * dV\n"
            "    return U, V, history\n"),
        "regularisation hard-coded": TRAIN + (
            "    U, V = init_factors(n_users, n_items, rank, seed)\n"
            "    history = []\n"
            "    for _ in range(epochs):\n"
            "        history.append(mf_loss(U, V, users, items, ratings, 0.01))\n"
            "        dU, dV = mf_gradients(U, V, users, items, ratings, 0.01)\n"
            "        U, V = U - learning_rate * dU, V - learning_rate * dV\n"
            "    return U, V, history\n"),
        "rank hard-coded": TRAIN + (
            "    U, V = init_factors(n_users, n_items, 3, seed)\n"
            "    history = []\n"
            "    for _ in range(epochs):\n"
            "        history.append(mf_loss(U, V, users, items, ratings, reg))\n"
            "        dU, dV = mf_gradients(U, V, users, items, ratings, reg)\n"
            "        U, V = U - learning_rate * dU, V - learning_rate * dV\n"
            "    return U, V, history\n"),
        "loss after the last update appended": TRAIN + TRAIN_LOOP + (
            "        U, V = U - learning_rate * dU, V - learning_rate * dV\n"
            "    history.append(mf_loss(U, V, users, items, ratings, reg))\n"
            "    return U, V, history\n"),
    },
    "recommend": {
        "does not exclude seen": RECOMMEND + (
            "    scores = V @ U[user]\n"
            "    order = sorted(range(len(V)), key=lambda i: (-scores[i], i))\n"
            "    return order[:top_k]\n"),
        "lowest first": RECOMMEND + RANKED + (
            "    candidates = [i for i in range(len(V)) if i not in seen]\n"
            "    return sorted(candidates, key=lambda i: (scores[i], i))[:top_k]\n"),
        "argsort reversed: ties by higher id": RECOMMEND + RANKED + (
            "    order = [int(i) for i in np.argsort(scores)[::-1] if int(i) not in seen]\n"
            "    return order[:top_k]\n"),
        "unstable argsort": RECOMMEND + RANKED + (
            "    order = [int(i) for i in np.argsort(-scores) if int(i) not in seen]\n"
            "    return order[:top_k]\n"),
        "seen scored 0 instead of removed": RECOMMEND + (
            "    scores = V @ U[user]\n"
            "    scores[list(seen)] = 0.0\n"
            "    order = sorted(range(len(V)), key=lambda i: (-scores[i], i))\n"
            "    return order[:top_k]\n"),
        "one too few": RECOMMEND + RANKED + (
            "    candidates = [i for i in range(len(V)) if i not in seen]\n"
            "    return sorted(candidates, key=lambda i: (-scores[i], i))[:top_k - 1]\n"),
        "returns a numpy array": RECOMMEND + RANKED + (
            "    order = np.argsort(-scores, kind='stable')\n"
            "    return order[~np.isin(order, list(seen))][:top_k]\n"),
        "column instead of row of U V^T": RECOMMEND + (
            "    scores = (U @ V.T)[:, user]\n"
            "    seen = {int(i) for i in seen}\n"
            "    candidates = [i for i in range(len(V)) if i not in seen]\n"
            "    return sorted(candidates, key=lambda i: (-scores[i], i))[:top_k]\n"),
        "sorted by (-score, -id)": RECOMMEND + RANKED + (
            "    candidates = [i for i in range(len(V)) if i not in seen]\n"
            "    return sorted(candidates, key=lambda i: (-scores[i], -i))[:top_k]\n"),
        "top_k hard-coded": RECOMMEND + RANKED + (
            "    candidates = [i for i in range(len(V)) if i not in seen]\n"
            "    return sorted(candidates, key=lambda i: (-scores[i], i))[:5]\n"),
    },
    "momentum_step": {
        "dampening (1 - beta) on the gradient": MOMENTUM + (
            "    velocity_new = beta * velocity + (1 - beta) * grad\n"
            "    return x - learning_rate * velocity_new, velocity_new\n"),
        "velocity holds -lr * grad (other convention)": MOMENTUM + (
            "    velocity_new = beta * velocity - learning_rate * grad\n"
            "    return x + velocity_new, velocity_new\n"),
        "steps along the gradient, not the velocity": MOMENTUM + (
            "    velocity_new = beta * velocity + grad\n"
            "    return x - learning_rate * grad, velocity_new\n"),
        "steps with the old velocity": MOMENTUM + (
            "    velocity_new = beta * velocity + grad\n"
            "    return x - learning_rate * velocity, velocity_new\n"),
        "updates velocity and x in place": MOMENTUM + (
            "    velocity *= beta\n"
            "    velocity += grad\n"
            "    x -= learning_rate * velocity\n"
            "    return x, velocity\n"),
        "default beta 0.99": (
            "import numpy as np\ndef momentum_step(x, velocity, grad, learning_rate, beta=0.99):\n"
            "    velocity_new = beta * velocity + grad\n"
            "    return x - learning_rate * velocity_new, velocity_new\n"),
        "returns (velocity, x)": MOMENTUM + (
            "    velocity_new = beta * velocity + grad\n"
            "    return velocity_new, x - learning_rate * velocity_new\n"),
        "Nesterov look-ahead": MOMENTUM + (
            "    velocity_new = beta * velocity + grad\n"
            "    return x - learning_rate * (grad + beta * velocity_new), velocity_new\n"),
        "learning rate inside the velocity": MOMENTUM + (
            "    velocity_new = beta * velocity + learning_rate * grad\n"
            "    return x - velocity_new, velocity_new\n"),
        "beta hard-coded": MOMENTUM + (
            "    velocity_new = 0.9 * velocity + grad\n"
            "    return x - learning_rate * velocity_new, velocity_new\n"),
    },
    "adam_step": {
        "no bias correction": ADAM + ADAM_MOMENTS + (
            "    return x - learning_rate * m_new / (np.sqrt(v_new) + eps), m_new, v_new\n"),
        "eps under the square root": ADAM + ADAM_MOMENTS + (
            "    m_hat = m_new / (1 - beta1 ** t)\n"
            "    v_hat = v_new / (1 - beta2 ** t)\n"
            "    return x - learning_rate * m_hat / np.sqrt(v_hat + eps), m_new, v_new\n"),
        "t counted from 0 (uses t + 1)": ADAM + ADAM_MOMENTS + (
            "    m_hat = m_new / (1 - beta1 ** (t + 1))\n"
            "    v_hat = v_new / (1 - beta2 ** (t + 1))\n"
            "    return x - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new\n"),
        "v from the gradient, not its square": ADAM + (
            "    m_new = beta1 * m + (1 - beta1) * grad\n"
            "    v_new = beta2 * v + (1 - beta2) * np.abs(grad)\n"
            "    m_hat = m_new / (1 - beta1 ** t)\n"
            "    v_hat = v_new / (1 - beta2 ** t)\n"
            "    return x - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new\n"),
        "corrects m only": ADAM + ADAM_MOMENTS + (
            "    m_hat = m_new / (1 - beta1 ** t)\n"
            "    return x - learning_rate * m_hat / (np.sqrt(v_new) + eps), m_new, v_new\n"),
        "beta1 in v's correction": ADAM + ADAM_MOMENTS + (
            "    m_hat = m_new / (1 - beta1 ** t)\n"
            "    v_hat = v_new / (1 - beta1 ** t)\n"
            "    return x - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new\n"),
        "updates m and v in place": ADAM + (
            "    m *= beta1\n"
            "    m += (1 - beta1) * grad\n"
            "    v *= beta2\n"
            "    v += (1 - beta2) * grad ** 2\n"
            "    m_hat = m / (1 - beta1 ** t)\n"
            "    v_hat = v / (1 - beta2 ** t)\n"
            "    return x - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m, v\n"),
        "returns (x, v, m)": ADAM + ADAM_MOMENTS + (
            "    m_hat = m_new / (1 - beta1 ** t)\n"
            "    v_hat = v_new / (1 - beta2 ** t)\n"
            "    return x - learning_rate * m_hat / (np.sqrt(v_hat) + eps), v_new, m_new\n"),
        "steps with the old m": ADAM + ADAM_MOMENTS + (
            "    m_hat = m / (1 - beta1 ** t)\n"
            "    v_hat = v_new / (1 - beta2 ** t)\n"
            "    return x - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new\n"),
        "corrects v only": ADAM + ADAM_MOMENTS + (
            "    v_hat = v_new / (1 - beta2 ** t)\n"
            "    return x - learning_rate * m_new / (np.sqrt(v_hat) + eps), m_new, v_new\n"),
        "no square root": ADAM + ADAM_MOMENTS + (
            "    m_hat = m_new / (1 - beta1 ** t)\n"
            "    v_hat = v_new / (1 - beta2 ** t)\n"
            "    return x - learning_rate * m_hat / (v_hat + eps), m_new, v_new\n"),
    },
}

RIGHT = {
    "predict": {
        "einsum": "import numpy as np\ndef predict(U, V, users, items):\n    return np.einsum('ij,ij->i', U[users], V[items])\n",
        "loop of dot products with a print": (
            "import numpy as np\n"
            "def predict(U, V, users, items):\n"
            "    print('predicting', len(users), 'ratings')\n"
            "    out = np.empty(len(users))\n"
            "    for k, (u, i) in enumerate(zip(users, items)):\n"
            "        out[k] = np.dot(U[u], V[i])\n"
            "    return out\n"),
        "whole table, then pick the cells": "def predict(U, V, users, items):\n    return (U @ V.T)[users, items]\n",
    },
    "mf_loss": {
        "squared norms and a loop": (
            "import numpy as np\n"
            "def mf_loss(U, V, users, items, ratings, reg):\n"
            "    total = 0.0\n"
            "    for u, i, r in zip(users, items, ratings):\n"
            "        total += (U[u] @ V[i] - r) ** 2\n"
            "    return total / len(ratings) + reg * (np.linalg.norm(U) ** 2 + np.linalg.norm(V) ** 2)\n"),
        "np.square, own helper": (
            "import numpy as np\n"
            "def _penalty(*arrays):\n"
            "    return sum(float(np.square(a).sum()) for a in arrays)\n"
            "def mf_loss(U, V, users, items, ratings, reg):\n"
            "    residual = ratings - np.sum(U[users] * V[items], axis=1)\n"
            "    return float(np.square(residual).sum() / residual.size + reg * _penalty(U, V))\n"),
    },
    "mf_gradients": {
        "loop accumulation": (
            "import numpy as np\n"
            "def mf_gradients(U, V, users, items, ratings, reg):\n"
            "    m = len(ratings)\n"
            "    dU = 2 * reg * U.copy()\n"
            "    dV = 2 * reg * V.copy()\n"
            "    for u, i, r in zip(users, items, ratings):\n"
            "        e = U[u] @ V[i] - r\n"
            "        dU[u] += 2 * e * V[i] / m\n"
            "        dV[i] += 2 * e * U[u] / m\n"
            "    return dU, dV\n"),
        "one-hot matrices": (
            "import numpy as np\n"
            "def mf_gradients(U, V, users, items, ratings, reg):\n"
            "    m = len(ratings)\n"
            "    by_user = np.zeros((len(U), m))\n"
            "    by_user[users, np.arange(m)] = 1.0\n"
            "    by_item = np.zeros((len(V), m))\n"
            "    by_item[items, np.arange(m)] = 1.0\n"
            "    e = (predict(U, V, users, items) - ratings) * (2.0 / m)\n"
            "    return by_user @ (e[:, None] * V[items]) + 2 * reg * U, by_item @ (e[:, None] * U[users]) + 2 * reg * V\n"),
        "np.add.at into zeros, penalty last": (
            "import numpy as np\n"
            "def mf_gradients(U, V, users, items, ratings, reg):\n"
            "    err = np.sum(U[users] * V[items], axis=1) - ratings\n"
            "    grad_U = np.zeros(U.shape)\n"
            "    grad_V = np.zeros(V.shape)\n"
            "    np.add.at(grad_U, users, (2 / len(ratings)) * err[:, None] * V[items])\n"
            "    np.add.at(grad_V, items, (2 / len(ratings)) * err[:, None] * U[users])\n"
            "    return grad_U + 2 * reg * U, grad_V + 2 * reg * V\n"),
    },
    "train_mf": {
        "inline loss and gradients": (
            "import numpy as np\n"
            "def train_mf(users, items, ratings, n_users, n_items, rank=3, learning_rate=0.05, epochs=500, reg=0.01, seed=0):\n"
            "    U, V = init_factors(n_users, n_items, rank, seed=seed)\n"
            "    history = []\n"
            "    m = len(ratings)\n"
            "    for epoch in range(epochs):\n"
            "        e = np.sum(U[users] * V[items], axis=1) - ratings\n"
            "        history.append(float(np.mean(e ** 2) + reg * (np.sum(U ** 2) + np.sum(V ** 2))))\n"
            "        dU, dV = 2 * reg * U, 2 * reg * V\n"
            "        np.add.at(dU, users, 2 * e[:, None] * V[items] / m)\n"
            "        np.add.at(dV, items, 2 * e[:, None] * U[users] / m)\n"
            "        U, V = U - learning_rate * dU, V - learning_rate * dV\n"
            "    return U, V, history\n"),
        "while loop with prints": (
            "def train_mf(users, items, ratings, n_users, n_items, rank=3, learning_rate=0.05, epochs=500, reg=0.01, seed=0):\n"
            "    factors = init_factors(n_users, n_items, rank, seed)\n"
            "    U, V = factors[0].copy(), factors[1].copy()\n"
            "    history, epoch = [], 0\n"
            "    while epoch < epochs:\n"
            "        loss = mf_loss(U, V, users, items, ratings, reg)\n"
            "        if epoch % 100 == 0:\n"
            "            print(f'epoch {epoch}: loss {loss:.4f}')\n"
            "        history.append(loss)\n"
            "        grads = mf_gradients(U, V, users, items, ratings, reg)\n"
            "        U -= learning_rate * grads[0]\n"
            "        V -= learning_rate * grads[1]\n"
            "        epoch += 1\n"
            "    return U, V, history\n"),
    },
    "recommend": {
        "lexsort": (
            "import numpy as np\n"
            "def recommend(U, V, user, seen, top_k=5):\n"
            "    scores = U[user] @ V.T\n"
            "    order = np.lexsort((np.arange(len(scores)), -scores))\n"
            "    blocked = set(np.asarray(list(seen), dtype=int).tolist())\n"
            "    return [int(i) for i in order if int(i) not in blocked][:top_k]\n"),
        "stable argsort on predict": (
            "import numpy as np\n"
            "def recommend(U, V, user, seen, top_k=5):\n"
            "    n = V.shape[0]\n"
            "    scores = predict(U, V, np.full(n, user), np.arange(n))\n"
            "    scores = np.where(np.isin(np.arange(n), list(seen)), -np.inf, scores)\n"
            "    order = np.argsort(-scores, kind='stable')\n"
            "    return order[:min(top_k, n - len(set(seen)))].tolist()\n"),
        "heapq": (
            "import heapq\n"
            "def recommend(U, V, user, seen, top_k=5):\n"
            "    seen = set(int(i) for i in seen)\n"
            "    scored = [(-float(V[i] @ U[user]), i) for i in range(len(V)) if i not in seen]\n"
            "    return [i for _, i in heapq.nsmallest(top_k, scored)]\n"),
    },
    "momentum_step": {
        "copy, then in place on the copy": (
            "def momentum_step(x, velocity, grad, learning_rate, beta=0.9):\n"
            "    v = velocity.copy()\n"
            "    v *= beta\n"
            "    v += grad\n"
            "    return x - learning_rate * v, v\n"),
        "np.add and np.multiply with a print": (
            "import numpy as np\n"
            "def momentum_step(x, velocity, grad, learning_rate, beta=0.9):\n"
            "    new_velocity = np.add(np.multiply(beta, velocity), grad)\n"
            "    print('speed', np.linalg.norm(new_velocity))\n"
            "    return np.subtract(x, learning_rate * new_velocity), new_velocity\n"),
    },
    "adam_step": {
        "torch's arrangement": (
            "import numpy as np\n"
            "def adam_step(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):\n"
            "    m = m + (1 - beta1) * (grad - m)\n"
            "    v = v * beta2 + (1 - beta2) * grad * grad\n"
            "    step_size = learning_rate / (1 - beta1 ** t)\n"
            "    denom = np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps\n"
            "    return x - step_size * m / denom, m, v\n"),
        "helper for the moments": (
            "import numpy as np\n"
            "def _ema(old, new, decay):\n"
            "    return decay * old + (1.0 - decay) * new\n"
            "def adam_step(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):\n"
            "    m_new, v_new = _ema(m, grad, beta1), _ema(v, np.square(grad), beta2)\n"
            "    m_hat = m_new / (1.0 - np.power(beta1, t))\n"
            "    v_hat = v_new / (1.0 - np.power(beta2, t))\n"
            "    return x - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new\n"),
    },
}

# Correct styles that lean on torch.optim itself (issue 24): equal to the reference step for step.
# Their first step imports torch._dynamo, which the zygote preloads when a notebook names
# torch.optim (assignments.PRELOADABLE); tests/test_budgets.py grades them under load.
TORCH_OPTIM = {
    "momentum_step": {
        "torch.optim.SGD(momentum=beta) on a copy": (
            "import numpy as np\n"
            "import torch\n"
            "def momentum_step(x, velocity, grad, learning_rate, beta=0.9):\n"
            "    p = torch.tensor(x, dtype=torch.float64)\n"
            "    optimizer = torch.optim.SGD([p], lr=learning_rate, momentum=beta)\n"
            "    optimizer.state[p]['momentum_buffer'] = torch.tensor(velocity, dtype=torch.float64)\n"
            "    p.grad = torch.tensor(grad, dtype=torch.float64)\n"
            "    optimizer.step()\n"
            "    return p.numpy(), optimizer.state[p]['momentum_buffer'].numpy()\n"),
    },
    "adam_step": {
        "torch.optim.Adam with its state set to (t - 1, m, v)": (
            "import numpy as np\n"
            "import torch\n"
            "def adam_step(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):\n"
            "    p = torch.tensor(x, dtype=torch.float64)\n"
            "    optimizer = torch.optim.Adam([p], lr=learning_rate, betas=(beta1, beta2), eps=eps)\n"
            "    optimizer.state[p] = {'step': torch.tensor(float(t - 1)),\n"
            "                          'exp_avg': torch.tensor(m, dtype=torch.float64),\n"
            "                          'exp_avg_sq': torch.tensor(v, dtype=torch.float64)}\n"
            "    p.grad = torch.tensor(grad, dtype=torch.float64)\n"
            "    optimizer.step()\n"
            "    state = optimizer.state[p]\n"
            "    return p.numpy(), state['exp_avg'].numpy(), state['exp_avg_sq'].numpy()\n"),
    },
}
for _function, _answers in TORCH_OPTIM.items():
    RIGHT[_function].update(_answers)

DIAGNOSES = {
    "predict": {
        "users and items swapped": "users_items_swapped",
        "forgets to sum over the rank": "no_sum",
        "sums over axis 0": "sum_axis_0",
        "sums everything": "sums_everything",
        "returns the whole table U V^T": "whole_table",
        "matrix product of the gathered rows": "matrix_product",
        "mean over the rank": "mean_not_sum",
        "loop skips the last rating": "loop_skips_last",
        "returns a list": "not_an_array",
    },
    "mf_loss": {
        "sum instead of mean": "sum_not_mean",
        "regularises only the rated rows": "penalty_rated_rows_only",
        "forgets V in the penalty": "penalty_only_U",
        "norms instead of squared norms": "norm_not_squared",
        "root mean squared error": "rmse",
        "half the penalty": "half_penalty",
        "returns a one-element array": "not_a_float",
        "subtracts in place from ratings": "mutates_input",
        "mean instead of sum in the penalty": "penalty_mean_not_sum",
    },
    "mf_gradients": {
        "dU[users] += loses repeated ids": "lost_repeats",
        "missing factor 2": "missing_factor_2",
        "sum instead of mean": "sum_not_mean",
        "forgets the penalty's gradient": "no_penalty_gradient",
        "penalty gradient reg * U": "penalty_missing_2",
        "error with the wrong sign": "error_sign",
        "dV multiplies by V[items]": "wrong_partner",
        "dU aliases U": "aliases_U",
        "loop assigns instead of adding": "lost_repeats",
        "returns (dV, dU)": "swapped",
        "penalty gradient added per rating": "penalty_per_rating",
        "neither 2 nor 1/m": "missing_2_and_mean",
    },
    "train_mf": {
        "records the loss after the update": "history_after_update",
        "V's gradient after U moved": "sequential_update",
        "ignores the seed": "ignores_seed",
        "init_factors with users and items swapped": "init_users_items_swapped",
        "gradient ascent": "gradient_ascent",
        "one epoch too few": "epochs_off_by_one",
        "learning rate hard-coded": "fixed_learning_rate",
        "regularisation hard-coded": "fixed_reg",
        "rank hard-coded": "wrong_rank",
        "loss after the last update appended": "final_loss_recorded",
    },
    "recommend": {
        "does not exclude seen": "recommends_seen",
        "lowest first": "lowest_first",
        "argsort reversed: ties by higher id": "ties_higher_id",
        "unstable argsort": "unstable_sort",
        "seen scored 0 instead of removed": "recommends_seen",
        "one too few": "one_too_few",
        "returns a numpy array": "not_a_list",
        "column instead of row of U V^T": "scores_of_other_axis",
        "sorted by (-score, -id)": "ties_higher_id",
        "top_k hard-coded": "ignores_top_k",
    },
    "momentum_step": {
        "dampening (1 - beta) on the gradient": "dampened",
        "velocity holds -lr * grad (other convention)": "lr_in_velocity",
        "steps along the gradient, not the velocity": "steps_with_grad",
        "steps with the old velocity": "old_velocity",
        "updates velocity and x in place": "mutates_input",
        "default beta 0.99": "wrong_default_beta",
        "returns (velocity, x)": "returns_order",
        "Nesterov look-ahead": "nesterov",
        "learning rate inside the velocity": "lr_in_velocity",
        "beta hard-coded": "ignores_beta",
    },
    "adam_step": {
        "no bias correction": "no_bias_correction",
        "eps under the square root": "eps_inside_sqrt",
        "t counted from 0 (uses t + 1)": "t_off_by_one",
        "v from the gradient, not its square": "v_not_squared",
        "corrects m only": "corrects_m_only",
        "beta1 in v's correction": "wrong_beta_in_correction",
        "updates m and v in place": "mutates_input",
        "returns (x, v, m)": "returns_order",
        "steps with the old m": "old_moments",
        "corrects v only": "corrects_v_only",
        "no square root": "missing_sqrt",
    },
}
