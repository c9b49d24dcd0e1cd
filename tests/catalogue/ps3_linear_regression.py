GRADIENT_HEAD = "import numpy as np\ndef gradient_mse(X, y, w, b):\n"
TRAIN_HEAD = "import numpy as np\ndef train_linear_regression(X, y, learning_rate=0.01, max_iterations=1000):\n"

WRONG = {
    "linear_model": {
        "w and b swapped": "def linear_model(X, w, b):\n    return X * b + w\n",
        "forgets the bias": "def linear_model(X, w, b):\n    return X * w\n",
        "subtracts the bias": "def linear_model(X, w, b):\n    return X * w - b\n",
        "mutates X in place": "def linear_model(X, w, b):\n    X *= w\n    X += b\n    return X\n",
        "matrix product only fits (n, 1)": (
            "import numpy as np\n"
            "def linear_model(X, w, b):\n"
            "    return X @ np.array([[w]]) + b\n"),
        "reshapes to a column": "def linear_model(X, w, b):\n    return X.reshape(-1, 1) * w + b\n",
        "loop returns a list": (
            "def linear_model(X, w, b):\n"
            "    predictions = []\n"
            "    for x in X:\n"
            "        predictions.append(x * w + b)\n"
            "    return predictions\n"),
    },
    "mse_loss": {
        "sum instead of mean": "import numpy as np\ndef mse_loss(y_true, y_pred):\n    return float(np.sum((y_true - y_pred) ** 2))\n",
        "forgets to square": "import numpy as np\ndef mse_loss(y_true, y_pred):\n    return float(np.mean(y_true - y_pred))\n",
        "absolute error": "import numpy as np\ndef mse_loss(y_true, y_pred):\n    return float(np.mean(np.abs(y_true - y_pred)))\n",
        "root mean squared error": "import numpy as np\ndef mse_loss(y_true, y_pred):\n    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))\n",
        "square of the mean": "import numpy as np\ndef mse_loss(y_true, y_pred):\n    return float(np.mean(y_true - y_pred) ** 2)\n",
        "divides by n - 1": (
            "import numpy as np\n"
            "def mse_loss(y_true, y_pred):\n"
            "    return float(np.sum((y_true - y_pred) ** 2) / (len(y_true) - 1))\n"),
        "mean over axis 0 returns an array": "import numpy as np\ndef mse_loss(y_true, y_pred):\n    return np.mean((y_true - y_pred) ** 2, axis=0)\n",
        "ravel on one side broadcasts to (n, n)": (
            "import numpy as np\n"
            "def mse_loss(y_true, y_pred):\n"
            "    return float(np.mean((y_true.ravel() - y_pred) ** 2))\n"),
    },
    "gradient_mse": {
        "sum instead of mean": GRADIENT_HEAD + (
            "    y_pred = linear_model(X, w, b)\n"
            "    return np.array([-2 * np.sum(X * (y - y_pred)), -2 * np.sum(y - y_pred)])\n"),
        "missing factor 2": GRADIENT_HEAD + (
            "    y_pred = linear_model(X, w, b)\n"
            "    return np.array([-np.mean(X * (y - y_pred)), -np.mean(y - y_pred)])\n"),
        "missing minus sign": GRADIENT_HEAD + (
            "    y_pred = linear_model(X, w, b)\n"
            "    return np.array([2 * np.mean(X * (y - y_pred)), 2 * np.mean(y - y_pred)])\n"),
        "order [db, dw]": GRADIENT_HEAD + (
            "    y_pred = linear_model(X, w, b)\n"
            "    dw = -2 * np.mean(X * (y - y_pred))\n"
            "    db = -2 * np.mean(y - y_pred)\n"
            "    return np.array([db, dw])\n"),
        "prediction with w and b swapped": GRADIENT_HEAD + (
            "    y_pred = linear_model(X, b, w)\n"
            "    return np.array([-2 * np.mean(X * (y - y_pred)), -2 * np.mean(y - y_pred)])\n"),
        "prediction without the bias": GRADIENT_HEAD + (
            "    y_pred = linear_model(X, w, 0)\n"
            "    return np.array([-2 * np.mean(X * (y - y_pred)), -2 * np.mean(y - y_pred)])\n"),
        "dw forgets the factor X": GRADIENT_HEAD + (
            "    y_pred = linear_model(X, w, b)\n"
            "    return np.array([-2 * np.mean(y - y_pred), -2 * np.mean(y - y_pred)])\n"),
        "mean over axis 0 gives shape (2, 1)": GRADIENT_HEAD + (
            "    y_pred = linear_model(X, w, b)\n"
            "    dw = -2 * np.mean(X * (y - y_pred), axis=0)\n"
            "    db = -2 * np.mean(y - y_pred, axis=0)\n"
            "    return np.array([dw, db])\n"),
        "returns a tuple": GRADIENT_HEAD + (
            "    y_pred = linear_model(X, w, b)\n"
            "    return -2 * np.mean(X * (y - y_pred)), -2 * np.mean(y - y_pred)\n"),
        "residual computed in y": GRADIENT_HEAD + (
            "    y -= linear_model(X, w, b)\n"
            "    return np.array([-2 * np.mean(X * y), -2 * np.mean(y)])\n"),
    },
    "train_linear_regression": {
        "b uses the gradient after w moved": TRAIN_HEAD + (
            "    w, b = 0.0, 0.0\n"
            "    history = []\n"
            "    for i in range(max_iterations):\n"
            "        loss = mse_loss(y, linear_model(X, w, b))\n"
            "        w = w - learning_rate * gradient_mse(X, y, w, b)[0]\n"
            "        b = b - learning_rate * gradient_mse(X, y, w, b)[1]\n"
            "        history.append({'iteration': i, 'loss': loss, 'w': w, 'b': b})\n"
            "    return w, b, history\n"),
        "records the loss after the update": TRAIN_HEAD + (
            "    w, b = 0.0, 0.0\n"
            "    history = []\n"
            "    for i in range(max_iterations):\n"
            "        grad = gradient_mse(X, y, w, b)\n"
            "        w = w - learning_rate * grad[0]\n"
            "        b = b - learning_rate * grad[1]\n"
            "        loss = mse_loss(y, linear_model(X, w, b))\n"
            "        history.append({'iteration': i, 'loss': loss, 'w': w, 'b': b})\n"
            "    return w, b, history\n"),
        "records w and b before the update": TRAIN_HEAD + (
            "    w, b = 0.0, 0.0\n"
            "    history = []\n"
            "    for i in range(max_iterations):\n"
            "        loss = mse_loss(y, linear_model(X, w, b))\n"
            "        history.append({'iteration': i, 'loss': loss, 'w': w, 'b': b})\n"
            "        grad = gradient_mse(X, y, w, b)\n"
            "        w = w - learning_rate * grad[0]\n"
            "        b = b - learning_rate * grad[1]\n"
            "    return w, b, history\n"),
        "iterations numbered from 1": TRAIN_HEAD + (
            "    w, b = 0.0, 0.0\n"
            "    history = []\n"
            "    for i in range(1, max_iterations + 1):\n"
            "        loss = mse_loss(y, linear_model(X, w, b))\n"
            "        grad = gradient_mse(X, y, w, b)\n"
            "        w, b = w - learning_rate * grad[0], b - learning_rate * grad[1]\n"
            "        history.append({'iteration': i, 'loss': loss, 'w': w, 'b': b})\n"
            "    return w, b, history\n"),
        "learning rate hard-coded": TRAIN_HEAD + (
            "    w, b = 0.0, 0.0\n"
            "    history = []\n"
            "    for i in range(max_iterations):\n"
            "        loss = mse_loss(y, linear_model(X, w, b))\n"
            "        grad = gradient_mse(X, y, w, b)\n"
            "        w, b = w - 0.01 * grad[0], b - 0.01 * grad[1]\n"
            "        history.append({'iteration': i, 'loss': loss, 'w': w, 'b': b})\n"
            "    return w, b, history\n"),
        "one iteration too few": TRAIN_HEAD + (
            "    w, b = 0.0, 0.0\n"
            "    history = []\n"
            "    for i in range(max_iterations - 1):\n"
            "        loss = mse_loss(y, linear_model(X, w, b))\n"
            "        grad = gradient_mse(X, y, w, b)\n"
            "        w, b = w - learning_rate * grad[0], b - learning_rate * grad[1]\n"
            "        history.append({'iteration': i, 'loss': loss, 'w': w, 'b': b})\n"
            "    return w, b, history\n"),
        "gradient ascent": TRAIN_HEAD + (
            "    w, b = 0.0, 0.0\n"
            "    history = []\n"
            "    for i in range(max_iterations):\n"
            "        loss = mse_loss(y, linear_model(X, w, b))\n"
            "        grad = gradient_mse(X, y, w, b)\n"
            "        w, b = w + learning_rate * grad[0], b + learning_rate * grad[1]\n"
            "        history.append({'iteration': i, 'loss': loss, 'w': w, 'b': b})\n"
            "    return w, b, history\n"),
        "starts from w = b = 1": TRAIN_HEAD + (
            "    w, b = 1.0, 1.0\n"
            "    history = []\n"
            "    for i in range(max_iterations):\n"
            "        loss = mse_loss(y, linear_model(X, w, b))\n"
            "        grad = gradient_mse(X, y, w, b)\n"
            "        w, b = w - learning_rate * grad[0], b - learning_rate * grad[1]\n"
            "        history.append({'iteration': i, 'loss': loss, 'w': w, 'b': b})\n"
            "    return w, b, history\n"),
        "stops early when the loss stalls": TRAIN_HEAD + (
            "    w, b = 0.0, 0.0\n"
            "    history = []\n"
            "    for i in range(max_iterations):\n"
            "        loss = mse_loss(y, linear_model(X, w, b))\n"
            "        if history and abs(history[-1]['loss'] - loss) < 1e-4:\n"
            "            break\n"
            "        grad = gradient_mse(X, y, w, b)\n"
            "        w, b = w - learning_rate * grad[0], b - learning_rate * grad[1]\n"
            "        history.append({'iteration': i, 'loss': loss, 'w': w, 'b': b})\n"
            "    return w, b, history\n"),
        "flattens X and y in place": TRAIN_HEAD + (
            "    X.shape = (X.size,)\n"
            "    y.shape = (y.size,)\n"
            "    w, b = 0.0, 0.0\n"
            "    history = []\n"
            "    for i in range(max_iterations):\n"
            "        residual = y - (w * X + b)\n"
            "        loss = float(np.mean(residual ** 2))\n"
            "        dw, db = -2 * np.mean(X * residual), -2 * np.mean(residual)\n"
            "        w, b = w - learning_rate * dw, b - learning_rate * db\n"
            "        history.append({'iteration': i, 'loss': loss, 'w': w, 'b': b})\n"
            "    return w, b, history\n"),
    },
}

RIGHT = {
    "linear_model": {
        "w * X + b with a print": "def linear_model(X, w, b):\n    print('predicting', len(X), 'samples')\n    return w * X + b\n",
        "np.add and np.multiply": (
            "import numpy as np\n"
            "def linear_model(features, weight, bias):\n"
            "    return np.add(np.multiply(features, weight), bias)\n"),
        "loop over rows into an array": (
            "import numpy as np\n"
            "def linear_model(X, w, b):\n"
            "    return np.array([row * w + b for row in X])\n"),
    },
    "mse_loss": {
        "np.mean without float()": "import numpy as np\ndef mse_loss(y_true, y_pred):\n    return np.mean((y_true - y_pred) ** 2)\n",
        "loop over residuals": (
            "def mse_loss(y_true, y_pred):\n"
            "    total, count = 0.0, 0\n"
            "    for a, b in zip(y_true.ravel(), y_pred.ravel()):\n"
            "        total += (a - b) ** 2\n"
            "        count += 1\n"
            "    return total / count\n"),
        "residual dot product": (
            "import numpy as np\n"
            "def mse_loss(y_true, y_pred):\n"
            "    r = np.ravel(y_pred - y_true)\n"
            "    return float(r @ r / r.size)\n"),
    },
    "gradient_mse": {
        "own prediction, residual y_pred - y": GRADIENT_HEAD + (
            "    error = (X * w + b) - y\n"
            "    return np.array([2 * np.mean(error * X), 2 * np.mean(error)])\n"),
        "matrix product and explicit n": GRADIENT_HEAD + (
            "    n = X.shape[0]\n"
            "    r = y - linear_model(X, w, b)\n"
            "    dw = -2.0 / n * (X.T @ r).item()\n"
            "    db = -2.0 / n * r.sum()\n"
            "    return np.array([dw, db], dtype=np.float64)\n"),
        "loop over samples": GRADIENT_HEAD + (
            "    n = len(X)\n"
            "    dw = db = 0.0\n"
            "    for x_i, y_i in zip(X[:, 0], y[:, 0]):\n"
            "        r = y_i - (w * x_i + b)\n"
            "        dw += -2 * x_i * r / n\n"
            "        db += -2 * r / n\n"
            "    return np.array([dw, db])\n"),
    },
    "train_linear_regression": {
        "inline formulas, tuple update, list result": TRAIN_HEAD + (
            "    w = b = 0.0\n"
            "    history = []\n"
            "    for step in range(max_iterations):\n"
            "        residual = y - (X * w + b)\n"
            "        loss = float(np.mean(residual ** 2))\n"
            "        dw, db = -2 * np.mean(X * residual), -2 * np.mean(residual)\n"
            "        w, b = w - learning_rate * dw, b - learning_rate * db\n"
            "        history.append(dict(iteration=step, loss=loss, w=float(w), b=float(b)))\n"
            "    return [w, b, history]\n"),
        "helpers, in-place -= and a progress print": TRAIN_HEAD + (
            "    params = np.zeros(2)\n"
            "    history = []\n"
            "    for i in range(max_iterations):\n"
            "        loss = mse_loss(y, linear_model(X, params[0], params[1]))\n"
            "        params -= learning_rate * gradient_mse(X, y, params[0], params[1])\n"
            "        history.append({'iteration': i, 'loss': loss, 'w': params[0], 'b': params[1]})\n"
            "        if i % 100 == 0:\n"
            "            print(f'iteration {i}: loss {loss:.6f}')\n"
            "    w, b = params\n"
            "    return w, b, history\n"),
        "while loop with a counter": TRAIN_HEAD + (
            "    w, b, i, history = 0.0, 0.0, 0, []\n"
            "    while i < max_iterations:\n"
            "        grad = gradient_mse(X, y, w, b)\n"
            "        record = {'iteration': i, 'loss': mse_loss(y, linear_model(X, w, b))}\n"
            "        w -= learning_rate * grad[0]\n"
            "        b -= learning_rate * grad[1]\n"
            "        record.update(w=w, b=b)\n"
            "        history.append(record)\n"
            "        i += 1\n"
            "    return (w, b, history)\n"),
    },
}

# The diagnosis each wrong answer must get (its function's cause; autograder/testkit/diagnosis.py).
DIAGNOSES = {
    "linear_model": {
        "w and b swapped": "w_b_swapped",
        "forgets the bias": "missing_bias",
        "subtracts the bias": "subtracts_bias",
        "mutates X in place": "mutates_input",
        "matrix product only fits (n, 1)": "matrix_product",
        "reshapes to a column": "reshapes",
        "loop returns a list": "not_an_array",
    },
    "mse_loss": {
        "sum instead of mean": "sum_not_mean",
        "forgets to square": "missing_square",
        "absolute error": "absolute_error",
        "root mean squared error": "root_mean_squared",
        "square of the mean": "square_of_mean",
        "divides by n - 1": "divides_by_n_minus_1",
        "mean over axis 0 returns an array": "mean_axis_0",
        "ravel on one side broadcasts to (n, n)": "broadcast_n_by_n",
    },
    "gradient_mse": {
        "sum instead of mean": "sum_not_mean",
        "missing factor 2": "missing_factor_2",
        "missing minus sign": "sign_flipped",
        "order [db, dw]": "order_swapped",
        "prediction with w and b swapped": "w_b_swapped",
        "prediction without the bias": "missing_bias",
        "dw forgets the factor X": "dw_missing_x",
        "mean over axis 0 gives shape (2, 1)": "mean_axis_0",
        "returns a tuple": "not_an_array",
        "residual computed in y": "mutates_input",
    },
    "train_linear_regression": {
        "b uses the gradient after w moved": "b_uses_new_w",
        "records the loss after the update": "loss_after_update",
        "records w and b before the update": "params_before_update",
        "iterations numbered from 1": "iteration_from_1",
        "learning rate hard-coded": "ignores_learning_rate",
        "one iteration too few": "one_step_too_few",
        "gradient ascent": "sign_flipped",
        "starts from w = b = 1": "wrong_start",
        "stops early when the loss stalls": "stops_early",
        "flattens X and y in place": "mutates_input",
    },
}
