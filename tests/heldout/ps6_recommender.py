"""Held-out mistakes of ps6, from public repositories (see __init__.py). Each case:
label -> (answer cell, the diagnosis code it should get, where the mistake was seen)."""

LOSS = "import numpy as np\ndef mf_loss(U, V, users, items, ratings, reg):\n"
GRAD = "import numpy as np\ndef mf_gradients(U, V, users, items, ratings, reg):\n"
MOM = "def momentum_step(x, velocity, grad, learning_rate, beta=0.9):\n"
ADAM = "import numpy as np\ndef adam_step(x, m, v, grad, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):\n"

CASES = {
    "mf_loss": {
        "no regulariser": (
            LOSS + (
                "    errors = predict(U, V, users, items) - ratings\n"
                "    return float(np.mean(errors ** 2))\n"),
            "no_penalty",
            "code search: gradientDescent(R, U, V, alpha, nFeatures) with no regularisation; "
            "matrix_factorization(..., beta=0.0)"),
        "regulariser of the rated rows, once per rating (beta/2)": (
            LOSS + (
                "    e = 0.0\n"
                "    for u, i, r in zip(users, items, ratings):\n"
                "        e = e + (r - np.dot(U[u], V[i])) ** 2\n"
                "        e = e + (reg / 2) * (np.sum(U[u] ** 2) + np.sum(V[i] ** 2))\n"
                "    return float(e / len(ratings))\n"),
            "half_penalty+penalty_per_rating",
            "PurdueEats/backend GNN/MatrixFactorization.py; akinsezer26/Movie_Recommender matrixFactorization.py "
            "(the quuxlabs tutorial: e += (beta/2) * (P[i][k]**2 + Q[k][j]**2) inside the rating loop)"),
        "squared errors summed, not averaged": (
            LOSS + (
                "    e = 0.0\n"
                "    for u, i, r in zip(users, items, ratings):\n"
                "        e = e + (r - np.dot(U[u], V[i])) ** 2\n"
                "    return float(e + reg * (np.sum(U ** 2) + np.sum(V ** 2)))\n"),
            "sum_not_mean",
            "PurdueEats/backend GNN/MatrixFactorization.py (e = e + pow(R[i][j] - dot, 2), never divided)"),
    },
    "mf_gradients": {
        "regulariser gradient reg * U (quuxlabs' beta * P)": (
            GRAD + (
                "    errors = predict(U, V, users, items) - ratings\n"
                "    scale = 2 * errors[:, None] / len(ratings)\n"
                "    dU = reg * U\n"
                "    dV = reg * V\n"
                "    np.add.at(dU, users, scale * V[items])\n"
                "    np.add.at(dV, items, scale * U[users])\n"
                "    return dU, dV\n"),
            "penalty_missing_2",
            "PurdueEats/backend GNN/MatrixFactorization.py (P += alpha * (2 * eij * Q - beta * P))"),
        "no factor 2, no regulariser (U += alpha * eij * V)": (
            GRAD + (
                "    errors = predict(U, V, users, items) - ratings\n"
                "    dU = np.zeros_like(U)\n"
                "    dV = np.zeros_like(V)\n"
                "    np.add.at(dU, users, errors[:, None] * V[items] / len(ratings))\n"
                "    np.add.at(dV, items, errors[:, None] * U[users] / len(ratings))\n"
                "    return dU, dV\n"),
            "missing_factor_2+no_penalty_gradient",
            "code search: gradientDescent(R, U, V, alpha, nFeatures): U[i, q] += alpha * eij * V[j, q]"),
    },
    "momentum_step": {
        "cs231n's convention: v = mu * v - lr * g, x + v": (
            MOM + (
                "    v = beta * velocity - learning_rate * grad\n"
                "    return x + v, v\n"),
            "lr_in_velocity",
            "code search: optimiser notes 'Momentum: m = b1 * m - LR * dx; W += m'"),
    },
    "adam_step": {
        "the book's shortcut: lr_t with eps = 1e-7 outside the correction": (
            ADAM + (
                "    m_new = m + (1 - beta1) * (grad - m)\n"
                "    v_new = v + (1 - beta2) * (grad ** 2 - v)\n"
                "    lr_t = learning_rate * np.sqrt(1.0 - beta2 ** t) / (1.0 - beta1 ** t)\n"
                "    return x - lr_t * m_new / (np.sqrt(v_new) + 1e-7), m_new, v_new\n"),
            "eps_not_corrected",
            "dpte001/AZE_GAG ADAM.py (lr_t = lr*sqrt(1-beta2**iter)/(1-beta1**iter); ... /(np.sqrt(v) + 1e-7))"),
        "no bias correction and no eps": (
            ADAM + (
                "    m_new = beta1 * m + (1 - beta1) * grad\n"
                "    v_new = beta2 * v + (1 - beta2) * grad ** 2\n"
                "    return x - learning_rate * m_new / np.sqrt(v_new), m_new, v_new\n"),
            "no_bias_correction+no_eps",
            "code search: optimiser notes 'Adam: m = b1*m + (1-b1)*dx; v = b2*v + (1-b2)*dx^2; W += -LR * m / (v^1/2)'"),
        "returns the update, not the new x": (
            ADAM + (
                "    m_new = beta1 * m + (1 - beta1) * grad\n"
                "    mt = m_new / (1 - beta1 ** t)\n"
                "    v_new = beta2 * v + (1 - beta2) * (grad ** 2)\n"
                "    vt = v_new / (1 - beta2 ** t)\n"
                "    update = learning_rate * mt / (np.sqrt(vt) + eps)\n"
                "    return update, m_new, v_new\n"),
            "returns_step",
            "jparkerholder/ASEBO asebo/optimizers.py"),
    },
}
