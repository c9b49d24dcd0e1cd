"""Held-out mistakes of ps3, from public repositories (see __init__.py). Each case:
label -> (answer cell, the diagnosis code it should get, where the mistake was seen)."""

MSE = "import numpy as np\ndef mse_loss(y_true, y_pred):\n"
GM = "import numpy as np\ndef gradient_mse(X, y, w, b):\n"
LM = "import numpy as np\ndef linear_model(X, w, b):\n"
TRAIN = "import numpy as np\ndef train_linear_regression(X, y, learning_rate=0.01, max_iterations=1000):\n"

CASES = {
    "linear_model": {
        "a loop into np.zeros(m): one value per row": (
            LM + (
                "    m = X.shape[0]\n"
                "    f_wb = np.zeros(m)\n"
                "    for i in range(m):\n"
                "        f_wb[i] = w * X[i] + b\n"
                "    return f_wb\n"),
            "flattens",
            "Sheikhharis50/ai utils/regression.py compute_regression (f_wb = np.zeros(m); f_wb[i] = predict(w, b, x[i]))"),
    },
    "mse_loss": {
        "sum / 2 * m: divides by 2, then multiplies by m": (
            MSE + "    m = len(y_true)\n    return float(np.sum((y_pred - y_true) ** 2) / 2 * m)\n",
            "precedence",
            "damian-r-s/ArtificialIntelligence MachineLearning/CostFunction.py (return sum/2*m)"),
        "the 1/(2m) convention of the cost J": (
            MSE + (
                "    m = y_true.shape[0]\n"
                "    total_cost = 0\n"
                "    for i in range(m):\n"
                "        total_cost = (y_pred[i] - y_true[i]) ** 2 + total_cost\n"
                "    return float((1 / (2 * m)) * total_cost)\n"),
            "half_mse+not_elementwise",   # (label corrected: float() of its (1,)-shaped sum raises on (n, 1) data)
            "Rasolojaona/Exercice_python exo.py; hasnatahmed331/Machine_learning Cost.py"),
        "sums plain errors (no square)": (
            MSE + (
                "    error = 0\n"
                "    for i in range(len(y_true)):\n"
                "        error += y_true[i] - y_pred[i]\n"
                "    return float(error)\n"),
            "missing_square+not_elementwise+sum_not_mean",   # (label corrected, as above)
            "code search: computeTotalError (error += R[i, j] - np.dot(U[i, :], V.T[:, j]))"),
    },
    "gradient_mse": {
        "drops the 2 ('just a constant'), X.T @ (y_pred - y) / n": (
            GM + (
                "    n = X.shape[0]\n"
                "    y_pred = linear_model(X, w, b)\n"
                "    dw = float((X.T @ (y_pred - y))[0, 0]) / n\n"
                "    db = float(np.sum(y_pred - y)) / n\n"
                "    return np.array([dw, db])\n"),
            "missing_factor_2",
            "code search: LinearRegression.fit, dw = (1/n_samples) * np.dot(X.T, (y_pred - y)) 'removed 2'"),
        "the 1/m convention, returned as a tuple": (
            GM + (
                "    m = X.shape[0]\n"
                "    predictions = linear_model(X, w, b)\n"
                "    dj_dw = (1 / m) * np.sum((predictions - y) * X)\n"
                "    dj_db = (1 / m) * np.sum(predictions - y)\n"
                "    return dj_dw, dj_db\n"),
            "missing_factor_2+not_an_array",
            "Rasolojaona/Exercice_python exo.py compute_gradient"),
        "missing the whole factor -2": (
            GM + (
                "    y_pred = linear_model(X, w, b)\n"
                "    return np.array([np.mean(X * (y - y_pred)), np.mean(y - y_pred)])\n"),
            "missing_factor_2+sign_flipped",
            "saransh-mehta/EcommercePredictionNeuralNetwork derivatives.py (Z.T.dot(T - Y), no -2)"),
        "f_wb - y[i] * x[i]: the parenthesis, with 1/m": (
            GM + (
                "    m = X.shape[0]\n"
                "    dj_dw = 0.0\n"
                "    dj_db = 0.0\n"
                "    for i in range(m):\n"
                "        f_wb = w * X[i, 0] + b\n"
                "        dj_dw += f_wb - y[i, 0] * X[i, 0]\n"
                "        dj_db += f_wb - y[i, 0]\n"
                "    return np.array([dj_dw / m, dj_db / m])\n"),
            "dw_precedence+missing_factor_2",
            "code search: compute_gradient with dj_dw_i = (f_wb - y[i] * x[i])"),
        "sum with 2 and no mean, residual pred - y": (
            GM + (
                "    y_pred = linear_model(X, w, b)\n"
                "    return np.array([2 * np.sum((y_pred - y) * X), 2 * np.sum(y_pred - y)])\n"),
            "sum_not_mean",
            "YingChen1996/leetcode_daydayup MLP_train_infer.py (grad_y_pred = 2*(y_pred-y), summed by .dot)"),
    },
    "train_linear_regression": {
        "loss recorded after the update": (
            TRAIN + (
                "    w, b = 0.0, 0.0\n"
                "    history = []\n"
                "    for i in range(max_iterations):\n"
                "        dw, db = gradient_mse(X, y, w, b)\n"
                "        w = w - learning_rate * dw\n"
                "        b = b - learning_rate * db\n"
                "        loss = mse_loss(y, linear_model(X, w, b))\n"
                "        history.append({'iteration': i, 'loss': loss, 'w': w, 'b': b})\n"
                "    return w, b, history\n"),
            "loss_after_update",
            "arjunan-k/ML_Projects Gradient_Descent/README.md (update, then loss with the new w, b)"),
        "stops once the loss is small": (
            TRAIN + (
                "    w, b = 0.0, 0.0\n"
                "    history = []\n"
                "    for i in range(max_iterations):\n"
                "        loss = mse_loss(y, linear_model(X, w, b))\n"
                "        if loss < 0.001:\n"
                "            break\n"
                "        dw, db = gradient_mse(X, y, w, b)\n"
                "        w = w - learning_rate * dw\n"
                "        b = b - learning_rate * db\n"
                "        history.append({'iteration': i, 'loss': loss, 'w': w, 'b': b})\n"
                "    return w, b, history\n"),
            "stops_early",
            "PurdueEats/backend GNN/MatrixFactorization.py (if e < 0.001: break)"),
    },
}
