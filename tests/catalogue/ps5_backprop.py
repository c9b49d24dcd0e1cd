RELU = "def relu(z):\n"
RELU_BACKWARD = "def relu_backward(dout, z):\n"
SCE = "import numpy as np\ndef softmax_cross_entropy(scores, y):\n"
FORWARD = "def forward(params, X):\n"
BACKWARD = "import numpy as np\ndef backward(params, cache, dscores):\n"
SGD = "def sgd_step(params, grads, learning_rate):\n"
TRAIN = "import numpy as np\ndef train_mlp(X, y, d_hidden=64, learning_rate=1.0, epochs=300, seed=0):\n"
CONV = "import numpy as np\ndef conv2d(image, kernel):\n"
KGRAD = "import numpy as np\ndef conv2d_kernel_gradient(image, dout):\n"

STABLE_LOG_PROBS = (
    "    n = scores.shape[0]\n"
    "    shifted = scores - np.max(scores, axis=1, keepdims=True)\n"
    "    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))\n"
    "    rows = np.arange(n)\n")

FORWARD_BODY = (
    "    X, z1, h = cache\n"
    "    dh = dscores @ params['W2'].T\n")

TRAIN_LOOP_HEAD = (
    "    k = int(np.max(y)) + 1\n"
    "    params = init_params(X.shape[1], d_hidden, k, seed)\n"
    "    history = []\n")

WRONG = {
    "relu": {
        "np.max reduces the array": RELU + "    return np.max(z, 0)\n",
        "zeroes negatives in place": RELU + "    z[z < 0] = 0\n    return z\n",
        "leaky relu": "import numpy as np\n" + RELU + "    return np.maximum(z, 0.01 * z)\n",
        "absolute value": "import numpy as np\n" + RELU + "    return np.abs(z)\n",
        "returns the gate": RELU + "    return (z > 0).astype(float)\n",
        "also clips at 1": "import numpy as np\n" + RELU + "    return np.clip(z, 0, 1)\n",
        "minimum instead of maximum": "import numpy as np\n" + RELU + "    return np.minimum(z, 0)\n",
    },
    "relu_backward": {
        "gradient 1 at z = 0": RELU_BACKWARD + "    return dout * (z >= 0)\n",
        "forgets dout": RELU_BACKWARD + "    return (z > 0).astype(float)\n",
        "gate from dout": RELU_BACKWARD + "    return dout * (dout > 0)\n",
        "multiplies by relu(z)": "import numpy as np\n" + RELU_BACKWARD + "    return dout * np.maximum(z, 0)\n",
        "zeroes dout in place": RELU_BACKWARD + "    dout[z <= 0] = 0\n    return dout\n",
        "arguments swapped": RELU_BACKWARD + "    return z * (dout > 0)\n",
    },
    "softmax_cross_entropy": {
        "no max subtraction (overflow)": SCE + (
            "    n = scores.shape[0]\n"
            "    exp = np.exp(scores)\n"
            "    probs = exp / np.sum(exp, axis=1, keepdims=True)\n"
            "    loss = -np.mean(np.log(probs[np.arange(n), y]))\n"
            "    dscores = probs.copy()\n"
            "    dscores[np.arange(n), y] -= 1\n"
            "    return float(loss), dscores / n\n"),
        "subtracts the global max": SCE + (
            "    n = scores.shape[0]\n"
            "    shifted = scores - np.max(scores)\n"
            "    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))\n"
            "    probs = np.exp(log_probs)\n"
            "    probs[np.arange(n), y] -= 1\n"
            "    return float(-np.mean(log_probs[np.arange(n), y])), probs / n\n"),
        "log of probabilities that underflow": SCE + (
            "    n = scores.shape[0]\n"
            "    exp = np.exp(scores - np.max(scores, axis=1, keepdims=True))\n"
            "    probs = exp / np.sum(exp, axis=1, keepdims=True)\n"
            "    loss = -np.mean(np.log(probs[np.arange(n), y]))\n"
            "    dscores = probs.copy()\n"
            "    dscores[np.arange(n), y] -= 1\n"
            "    return float(loss), dscores / n\n"),
        "sum instead of mean": SCE + STABLE_LOG_PROBS + (
            "    dscores = np.exp(log_probs)\n"
            "    dscores[rows, y] -= 1\n"
            "    return float(-np.sum(log_probs[rows, y])), dscores / n\n"),
        "dscores not divided by n": SCE + STABLE_LOG_PROBS + (
            "    dscores = np.exp(log_probs)\n"
            "    dscores[rows, y] -= 1\n"
            "    return float(-np.mean(log_probs[rows, y])), dscores\n"),
        "dscores sign flipped": SCE + STABLE_LOG_PROBS + (
            "    onehot = np.zeros_like(scores)\n"
            "    onehot[rows, y] = 1\n"
            "    return float(-np.mean(log_probs[rows, y])), (onehot - np.exp(log_probs)) / n\n"),
        "row max without keepdims": SCE + (
            "    n = scores.shape[0]\n"
            "    shifted = scores - np.max(scores, axis=1)\n"
            "    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))\n"
            "    dscores = np.exp(log_probs)\n"
            "    dscores[np.arange(n), y] -= 1\n"
            "    return float(-np.mean(log_probs[np.arange(n), y])), dscores / n\n"),
        "picks whole columns with [:, y]": SCE + STABLE_LOG_PROBS + (
            "    dscores = np.exp(log_probs)\n"
            "    dscores[rows, y] -= 1\n"
            "    return float(-np.mean(log_probs[:, y])), dscores / n\n"),
        "shifts scores in place": SCE + (
            "    n = scores.shape[0]\n"
            "    scores -= np.max(scores, axis=1, keepdims=True)\n"
            "    log_probs = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))\n"
            "    dscores = np.exp(log_probs)\n"
            "    dscores[np.arange(n), y] -= 1\n"
            "    return float(-np.mean(log_probs[np.arange(n), y])), dscores / n\n"),
    },
    "forward": {
        "forgets b1": FORWARD + (
            "    z1 = X @ params['W1']\n"
            "    h = relu(z1)\n"
            "    return h @ params['W2'] + params['b2'], (X, z1, h)\n"),
        "forgets b2": FORWARD + (
            "    z1 = X @ params['W1'] + params['b1']\n"
            "    h = relu(z1)\n"
            "    return h @ params['W2'], (X, z1, h)\n"),
        "relu on the scores too": FORWARD + (
            "    z1 = X @ params['W1'] + params['b1']\n"
            "    h = relu(z1)\n"
            "    return relu(h @ params['W2'] + params['b2']), (X, z1, h)\n"),
        "returns softmax probabilities": "import numpy as np\n" + FORWARD + (
            "    z1 = X @ params['W1'] + params['b1']\n"
            "    h = relu(z1)\n"
            "    scores = h @ params['W2'] + params['b2']\n"
            "    e = np.exp(scores - scores.max(axis=1, keepdims=True))\n"
            "    return e / e.sum(axis=1, keepdims=True), (X, z1, h)\n"),
        "tanh instead of relu": "import numpy as np\n" + FORWARD + (
            "    z1 = X @ params['W1'] + params['b1']\n"
            "    h = np.tanh(z1)\n"
            "    return h @ params['W2'] + params['b2'], (X, z1, h)\n"),
        "W1 @ X (column-vector habit)": FORWARD + (
            "    z1 = params['W1'] @ X + params['b1']\n"
            "    h = relu(z1)\n"
            "    return h @ params['W2'] + params['b2'], (X, z1, h)\n"),
        "bias added after the relu": FORWARD + (
            "    z1 = X @ params['W1']\n"
            "    h = relu(z1) + params['b1']\n"
            "    return h @ params['W2'] + params['b2'], (X, z1, h)\n"),
        "adds the cache to params": FORWARD + (
            "    params['z1'] = X @ params['W1'] + params['b1']\n"
            "    h = relu(params['z1'])\n"
            "    return h @ params['W2'] + params['b2'], (X, params['z1'], h)\n"),
    },
    "backward": {
        "forgets the relu gate": BACKWARD + FORWARD_BODY + (
            "    return {'W1': X.T @ dh, 'b1': dh.sum(axis=0), 'W2': h.T @ dscores, 'b2': dscores.sum(axis=0)}\n"),
        "divides by n again": BACKWARD + FORWARD_BODY + (
            "    n = X.shape[0]\n"
            "    dz1 = relu_backward(dh, z1) / n\n"
            "    return {'W1': X.T @ dz1, 'b1': dz1.sum(axis=0), 'W2': h.T @ dscores / n, 'b2': dscores.sum(axis=0) / n}\n"),
        "bias gradients averaged": BACKWARD + FORWARD_BODY + (
            "    dz1 = relu_backward(dh, z1)\n"
            "    return {'W1': X.T @ dz1, 'b1': dz1.mean(axis=0), 'W2': h.T @ dscores, 'b2': dscores.mean(axis=0)}\n"),
        "dW2 transposed": BACKWARD + FORWARD_BODY + (
            "    dz1 = relu_backward(dh, z1)\n"
            "    return {'W1': X.T @ dz1, 'b1': dz1.sum(axis=0), 'W2': dscores.T @ h, 'b2': dscores.sum(axis=0)}\n"),
        "gate open at z1 = 0": BACKWARD + FORWARD_BODY + (
            "    dz1 = dh * (z1 >= 0)\n"
            "    return {'W1': X.T @ dz1, 'b1': dz1.sum(axis=0), 'W2': h.T @ dscores, 'b2': dscores.sum(axis=0)}\n"),
        "bias gradients summed over the wrong axis": BACKWARD + FORWARD_BODY + (
            "    dz1 = relu_backward(dh, z1)\n"
            "    return {'W1': X.T @ dz1, 'b1': dz1.sum(axis=1), 'W2': h.T @ dscores, 'b2': dscores.sum(axis=1)}\n"),
        "dW1 from h instead of X": BACKWARD + FORWARD_BODY + (
            "    dz1 = relu_backward(dh, z1)\n"
            "    return {'W1': h.T @ dz1, 'b1': dz1.sum(axis=0), 'W2': h.T @ dscores, 'b2': dscores.sum(axis=0)}\n"),
        "scales dscores in place": BACKWARD + (
            "    X, z1, h = cache\n"
            "    dscores *= 1.0 / X.shape[0]\n"
            "    dh = dscores @ params['W2'].T\n"
            "    dz1 = relu_backward(dh, z1)\n"
            "    return {'W1': X.T @ dz1, 'b1': dz1.sum(axis=0), 'W2': h.T @ dscores, 'b2': dscores.sum(axis=0)}\n"),
        "keys named dW1, db1, ...": BACKWARD + FORWARD_BODY + (
            "    dz1 = relu_backward(dh, z1)\n"
            "    return {'dW1': X.T @ dz1, 'db1': dz1.sum(axis=0), 'dW2': h.T @ dscores, 'db2': dscores.sum(axis=0)}\n"),
    },
    "sgd_step": {
        "updates params in place and returns them": SGD + (
            "    for k in params:\n"
            "        params[k] -= learning_rate * grads[k]\n"
            "    return params\n"),
        "shallow copy, then in place": SGD + (
            "    new = params.copy()\n"
            "    for k in new:\n"
            "        new[k] -= learning_rate * grads[k]\n"
            "    return new\n"),
        "plus instead of minus": SGD + "    return {k: params[k] + learning_rate * grads[k] for k in params}\n",
        "ignores the learning rate": SGD + "    return {k: params[k] - 0.01 * grads[k] for k in params}\n",
        "hard-coded keys": SGD + (
            "    return {k: params[k] - learning_rate * grads[k] for k in ('W1', 'b1', 'W2', 'b2')}\n"),
        "divides by the learning rate": SGD + "    return {k: params[k] - grads[k] / learning_rate for k in params}\n",
        "scales grads in place": SGD + (
            "    for k in grads:\n"
            "        grads[k] *= learning_rate\n"
            "    return {k: params[k] - grads[k] for k in params}\n"),
    },
    "train_mlp": {
        "k from the number of distinct labels": TRAIN + (
            "    k = len(np.unique(y))\n"
            "    params = init_params(X.shape[1], d_hidden, k, seed)\n"
            "    history = []\n"
            "    for _ in range(epochs):\n"
            "        scores, cache = forward(params, X)\n"
            "        loss, dscores = softmax_cross_entropy(scores, y)\n"
            "        params = sgd_step(params, backward(params, cache, dscores), learning_rate)\n"
            "        history.append(loss)\n"
            "    return params, history\n"),
        "records the loss after the update": TRAIN + TRAIN_LOOP_HEAD + (
            "    for _ in range(epochs):\n"
            "        scores, cache = forward(params, X)\n"
            "        _, dscores = softmax_cross_entropy(scores, y)\n"
            "        params = sgd_step(params, backward(params, cache, dscores), learning_rate)\n"
            "        history.append(softmax_cross_entropy(forward(params, X)[0], y)[0])\n"
            "    return params, history\n"),
        "drops the updated params": TRAIN + TRAIN_LOOP_HEAD + (
            "    for _ in range(epochs):\n"
            "        scores, cache = forward(params, X)\n"
            "        loss, dscores = softmax_cross_entropy(scores, y)\n"
            "        sgd_step(params, backward(params, cache, dscores), learning_rate)\n"
            "        history.append(loss)\n"
            "    return params, history\n"),
        "ignores the seed": TRAIN + (
            "    params = init_params(X.shape[1], d_hidden, int(np.max(y)) + 1)\n"
            "    history = []\n"
            "    for _ in range(epochs):\n"
            "        scores, cache = forward(params, X)\n"
            "        loss, dscores = softmax_cross_entropy(scores, y)\n"
            "        params = sgd_step(params, backward(params, cache, dscores), learning_rate)\n"
            "        history.append(loss)\n"
            "    return params, history\n"),
        "one epoch too many": TRAIN + TRAIN_LOOP_HEAD + (
            "    for _ in range(epochs + 1):\n"
            "        scores, cache = forward(params, X)\n"
            "        loss, dscores = softmax_cross_entropy(scores, y)\n"
            "        params = sgd_step(params, backward(params, cache, dscores), learning_rate)\n"
            "        history.append(loss)\n"
            "    return params, history\n"),
        "hard-coded learning rate": TRAIN + TRAIN_LOOP_HEAD + (
            "    for _ in range(epochs):\n"
            "        scores, cache = forward(params, X)\n"
            "        loss, dscores = softmax_cross_entropy(scores, y)\n"
            "        params = sgd_step(params, backward(params, cache, dscores), 1.0)\n"
            "        history.append(loss)\n"
            "    return params, history\n"),
        "k = y.max()": TRAIN + (
            "    params = init_params(X.shape[1], d_hidden, int(np.max(y)), seed)\n"
            "    history = []\n"
            "    for _ in range(epochs):\n"
            "        scores, cache = forward(params, X)\n"
            "        loss, dscores = softmax_cross_entropy(scores, y)\n"
            "        params = sgd_step(params, backward(params, cache, dscores), learning_rate)\n"
            "        history.append(loss)\n"
            "    return params, history\n"),
        "default of 100 epochs": TRAIN.replace("epochs=300", "epochs=100") + TRAIN_LOOP_HEAD + (
            "    for _ in range(epochs):\n"
            "        scores, cache = forward(params, X)\n"
            "        loss, dscores = softmax_cross_entropy(scores, y)\n"
            "        params = sgd_step(params, backward(params, cache, dscores), learning_rate)\n"
            "        history.append(loss)\n"
            "    return params, history\n"),
    },
    "conv2d": {
        "flips the kernel (true convolution)": CONV + (
            "    kernel = kernel[::-1, ::-1]\n"
            "    kh, kw = kernel.shape\n"
            "    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))\n"
            "    for i in range(out.shape[0]):\n"
            "        for j in range(out.shape[1]):\n"
            "            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)\n"
            "    return out\n"),
        "output one too small": CONV + (
            "    kh, kw = kernel.shape\n"
            "    out = np.zeros((image.shape[0] - kh, image.shape[1] - kw))\n"
            "    for i in range(image.shape[0] - kh):\n"
            "        for j in range(image.shape[1] - kw):\n"
            "            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)\n"
            "    return out\n"),
        "assumes a square kernel": CONV + (
            "    k = kernel.shape[0]\n"
            "    out = np.zeros((image.shape[0] - k + 1, image.shape[1] - k + 1))\n"
            "    for i in range(out.shape[0]):\n"
            "        for j in range(out.shape[1]):\n"
            "            out[i, j] = np.sum(image[i:i + k, j:j + k] * kernel)\n"
            "    return out\n"),
        "matrix product in the window": CONV + (
            "    kh, kw = kernel.shape\n"
            "    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))\n"
            "    for i in range(out.shape[0]):\n"
            "        for j in range(out.shape[1]):\n"
            "            out[i, j] = np.sum(image[i:i + kh, j:j + kw] @ kernel.T)\n"
            "    return out\n"),
        "same padding": CONV + (
            "    kh, kw = kernel.shape\n"
            "    padded = np.pad(image, ((kh // 2, kh - 1 - kh // 2), (kw // 2, kw - 1 - kw // 2)))\n"
            "    out = np.zeros(image.shape)\n"
            "    for i in range(image.shape[0]):\n"
            "        for j in range(image.shape[1]):\n"
            "            out[i, j] = np.sum(padded[i:i + kh, j:j + kw] * kernel)\n"
            "    return out\n"),
        "height and width mixed up": CONV + (
            "    kh, kw = kernel.shape\n"
            "    H, W = image.shape\n"
            "    out = np.zeros((H - kh + 1, W - kw + 1))\n"
            "    for i in range(H - kh + 1):\n"
            "        for j in range(W - kw + 1):\n"
            "            out[i, j] = np.sum(image[i:i + kw, j:j + kh] * kernel)\n"
            "    return out\n"),
        "integer output array": CONV + (
            "    kh, kw = kernel.shape\n"
            "    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1), dtype=int)\n"
            "    for i in range(out.shape[0]):\n"
            "        for j in range(out.shape[1]):\n"
            "            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)\n"
            "    return out\n"),
    },
    "conv2d_kernel_gradient": {
        "flips the result": KGRAD + "    return conv2d(image, dout)[::-1, ::-1]\n",
        "mean instead of sum": KGRAD + "    return conv2d(image, dout) / dout.size\n",
        "arguments swapped": KGRAD + "    return conv2d(dout, image)\n",
        "assumes a square kernel": KGRAD + (
            "    k = image.shape[0] - dout.shape[0] + 1\n"
            "    grad = np.zeros((k, k))\n"
            "    for a in range(k):\n"
            "        for b in range(k):\n"
            "            grad[a, b] = np.sum(dout * image[a:a + dout.shape[0], b:b + dout.shape[1]])\n"
            "    return grad\n"),
        "total of dout times a corner": KGRAD + (
            "    kh, kw = image.shape[0] - dout.shape[0] + 1, image.shape[1] - dout.shape[1] + 1\n"
            "    return image[:kh, :kw] * np.sum(dout)\n"),
        "kernel shape one too small": KGRAD + (
            "    kh, kw = image.shape[0] - dout.shape[0], image.shape[1] - dout.shape[1]\n"
            "    grad = np.zeros((kh, kw))\n"
            "    for a in range(kh):\n"
            "        for b in range(kw):\n"
            "            grad[a, b] = np.sum(dout * image[a:a + dout.shape[0], b:b + dout.shape[1]])\n"
            "    return grad\n"),
    },
}

RIGHT = {
    "relu": {
        "np.where with a print": RELU + "    print('relu on', z.shape)\n    return np.where(z > 0, z, 0.0)\n",
        "z times its gate": RELU + "    return z * (z > 0)\n",
        "copy, then zero the negatives": RELU + "    out = z.copy()\n    out[out < 0] = 0.0\n    return out\n",
    },
    "relu_backward": {
        "np.where": "import numpy as np\n" + RELU_BACKWARD + "    return np.where(z > 0, dout, 0.0)\n",
        "copy, then zero where z <= 0": "import numpy as np\n" + RELU_BACKWARD + (
            "    grad = np.array(dout, dtype=float, copy=True)\n"
            "    grad[z <= 0] = 0.0\n"
            "    return grad\n"),
    },
    "softmax_cross_entropy": {
        "one-hot matrix": SCE + STABLE_LOG_PROBS + (
            "    onehot = np.eye(scores.shape[1])[y]\n"
            "    return float(-np.sum(onehot * log_probs) / n), (np.exp(log_probs) - onehot) / n\n"),
        "loop over samples with math": "import math\n" + SCE + (
            "    n, k = scores.shape\n"
            "    total = 0.0\n"
            "    dscores = np.zeros((n, k))\n"
            "    for i in range(n):\n"
            "        m = max(scores[i])\n"
            "        lse = m + math.log(sum(math.exp(s - m) for s in scores[i]))\n"
            "        total += lse - scores[i, y[i]]\n"
            "        for j in range(k):\n"
            "            dscores[i, j] = math.exp(scores[i, j] - lse) - (1.0 if j == y[i] else 0.0)\n"
            "    return total / n, dscores / n\n"),
        "log-sum-exp minus the right score": SCE + (
            "    n = len(y)\n"
            "    shifted = scores - scores.max(axis=1, keepdims=True)\n"
            "    sums = np.exp(shifted).sum(axis=1)\n"
            "    loss = np.mean(np.log(sums) - shifted[np.arange(n), y])\n"
            "    probs = np.exp(shifted) / sums[:, None]\n"
            "    probs[np.arange(n), y] -= 1\n"
            "    return float(loss), probs / n\n"),
    },
    "forward": {
        "np.dot and np.maximum inline": "import numpy as np\n" + FORWARD + (
            "    z1 = np.dot(X, params['W1']) + params['b1']\n"
            "    h = np.maximum(z1, 0)\n"
            "    scores = np.dot(h, params['W2']) + params['b2']\n"
            "    return scores, (X, z1, h)\n"),
        "unpacked params, relu on a copy, a print": FORWARD + (
            "    W1, b1, W2, b2 = params['W1'], params['b1'], params['W2'], params['b2']\n"
            "    z1 = X @ W1 + b1\n"
            "    h = z1.copy()\n"
            "    h[h < 0] = 0\n"
            "    print('forward:', X.shape, '->', (X.shape[0], W2.shape[1]))\n"
            "    return h @ W2 + b2, (X, z1, h)\n"),
    },
    "backward": {
        "np.dot, sum(0) and an inline gate": BACKWARD + (
            "    inputs, pre, hidden = cache[0], cache[1], cache[2]\n"
            "    grads = {'W2': np.dot(hidden.T, dscores), 'b2': dscores.sum(0)}\n"
            "    dpre = np.dot(dscores, params['W2'].T) * (pre > 0)\n"
            "    grads['W1'] = np.dot(inputs.T, dpre)\n"
            "    grads['b1'] = dpre.sum(0)\n"
            "    return grads\n"),
        "gate from h": BACKWARD + FORWARD_BODY + (
            "    dz1 = dh * (h > 0)\n"
            "    return {'W1': X.T @ dz1, 'b1': np.sum(dz1, axis=0), 'W2': h.T @ dscores, 'b2': np.sum(dscores, axis=0)}\n"),
        "loop over samples": BACKWARD + (
            "    X, z1, h = cache\n"
            "    grads = {name: np.zeros_like(value) for name, value in params.items()}\n"
            "    for i in range(X.shape[0]):\n"
            "        grads['W2'] += np.outer(h[i], dscores[i])\n"
            "        grads['b2'] += dscores[i]\n"
            "        dz = relu_backward(params['W2'] @ dscores[i], z1[i])\n"
            "        grads['W1'] += np.outer(X[i], dz)\n"
            "        grads['b1'] += dz\n"
            "    return grads\n"),
    },
    "sgd_step": {
        "loop into a new dict, with a print": SGD + (
            "    new_params = {}\n"
            "    for name, value in params.items():\n"
            "        new_params[name] = value - learning_rate * grads[name]\n"
            "    print('updated', len(new_params), 'arrays')\n"
            "    return new_params\n"),
        "deep copy, then in place": SGD + (
            "    new = {k: v.copy() for k, v in params.items()}\n"
            "    for k in new:\n"
            "        new[k] -= learning_rate * grads[k]\n"
            "    return new\n"),
        "np.subtract": "import numpy as np\n" + SGD + (
            "    return {k: np.subtract(v, np.multiply(learning_rate, grads[k])) for k, v in params.items()}\n"),
    },
    "train_mlp": {
        "everything inline, no helpers": TRAIN + (
            "    n, d = X.shape\n"
            "    k = y.max() + 1\n"
            "    p = init_params(d, d_hidden, k, seed)\n"
            "    rows = np.arange(n)\n"
            "    history = []\n"
            "    for epoch in range(epochs):\n"
            "        z1 = X @ p['W1'] + p['b1']\n"
            "        h = np.maximum(z1, 0)\n"
            "        s = h @ p['W2'] + p['b2']\n"
            "        s = s - s.max(axis=1, keepdims=True)\n"
            "        logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))\n"
            "        history.append(float(-logp[rows, y].mean()))\n"
            "        ds = np.exp(logp)\n"
            "        ds[rows, y] -= 1\n"
            "        ds /= n\n"
            "        dz = (ds @ p['W2'].T) * (z1 > 0)\n"
            "        grads = {'W1': X.T @ dz, 'b1': dz.sum(0), 'W2': h.T @ ds, 'b2': ds.sum(0)}\n"
            "        p = {name: p[name] - learning_rate * grads[name] for name in p}\n"
            "    return p, history\n"),
        "while loop, numpy max": TRAIN + (
            "    params = init_params(X.shape[1], d_hidden, np.max(y) + 1, seed=seed)\n"
            "    history = []\n"
            "    epoch = 0\n"
            "    while epoch < epochs:\n"
            "        scores, cache = forward(params, X)\n"
            "        loss, dscores = softmax_cross_entropy(scores, y)\n"
            "        history.append(loss)\n"
            "        grads = backward(params, cache, dscores)\n"
            "        params = sgd_step(params, grads, learning_rate)\n"
            "        epoch += 1\n"
            "    return params, history\n"),
    },
    "conv2d": {
        "loop over the kernel's entries": CONV + (
            "    kh, kw = kernel.shape\n"
            "    oh, ow = image.shape[0] - kh + 1, image.shape[1] - kw + 1\n"
            "    out = np.zeros((oh, ow))\n"
            "    for a in range(kh):\n"
            "        for b in range(kw):\n"
            "            out += kernel[a, b] * image[a:a + oh, b:b + ow]\n"
            "    return out\n"),
        "sliding windows and einsum": CONV + (
            "    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)\n"
            "    return np.einsum('ijab,ab->ij', windows, kernel)\n"),
        "four plain loops": CONV + (
            "    H, W = image.shape\n"
            "    kh, kw = kernel.shape\n"
            "    out = np.zeros((H - kh + 1, W - kw + 1))\n"
            "    for i in range(H - kh + 1):\n"
            "        for j in range(W - kw + 1):\n"
            "            total = 0.0\n"
            "            for a in range(kh):\n"
            "                for b in range(kw):\n"
            "                    total += image[i + a, j + b] * kernel[a, b]\n"
            "            out[i, j] = total\n"
            "    return out\n"),
    },
    "conv2d_kernel_gradient": {
        "loop over the kernel's entries": KGRAD + (
            "    oh, ow = dout.shape\n"
            "    kh, kw = image.shape[0] - oh + 1, image.shape[1] - ow + 1\n"
            "    grad = np.zeros((kh, kw))\n"
            "    for a in range(kh):\n"
            "        for b in range(kw):\n"
            "            grad[a, b] = np.sum(dout * image[a:a + oh, b:b + ow])\n"
            "    return grad\n"),
        "accumulate over output positions": KGRAD + (
            "    oh, ow = dout.shape\n"
            "    kh, kw = image.shape[0] - oh + 1, image.shape[1] - ow + 1\n"
            "    grad = np.zeros((kh, kw))\n"
            "    for i in range(oh):\n"
            "        for j in range(ow):\n"
            "            grad += dout[i, j] * image[i:i + kh, j:j + kw]\n"
            "    return grad\n"),
        "sliding windows and tensordot": KGRAD + (
            "    windows = np.lib.stride_tricks.sliding_window_view(image, dout.shape)\n"
            "    return np.tensordot(windows, dout, axes=([2, 3], [0, 1]))\n"),
    },
}

DIAGNOSES = {
    "relu": {
        "np.max reduces the array": "max_not_maximum",
        "zeroes negatives in place": "mutates_input",
        "leaky relu": "leaky_relu",
        "absolute value": "absolute_value",
        "returns the gate": "returns_gate",
        "also clips at 1": "clipped",
        "minimum instead of maximum": "minimum",
    },
    "relu_backward": {
        "gradient 1 at z = 0": "gate_at_zero",
        "forgets dout": "forgets_dout",
        "gate from dout": "gate_from_dout",
        "multiplies by relu(z)": "times_relu",
        "zeroes dout in place": "mutates_input",
        "arguments swapped": "arguments_swapped",
    },
    "softmax_cross_entropy": {
        "no max subtraction (overflow)": "no_max_shift",
        "subtracts the global max": "global_max",
        "log of probabilities that underflow": "log_of_probabilities",
        "sum instead of mean": "sum_not_mean",
        "dscores not divided by n": "dscores_not_divided",
        "dscores sign flipped": "dscores_sign",
        "row max without keepdims": "no_keepdims",
        "picks whole columns with [:, y]": "whole_columns",
        "shifts scores in place": "mutates_input",
    },
    "forward": {
        "forgets b1": "forgets_b1",
        "forgets b2": "forgets_b2",
        "relu on the scores too": "relu_on_scores",
        "returns softmax probabilities": "returns_probabilities",
        "tanh instead of relu": "tanh_not_relu",
        "W1 @ X (column-vector habit)": "matmul_order",
        "bias added after the relu": "bias_after_relu",
        "adds the cache to params": "mutates_input",
    },
    "backward": {
        "forgets the relu gate": "no_relu_gate",
        "divides by n again": "divides_by_n",
        "bias gradients averaged": "bias_mean",
        "dW2 transposed": "dW2_transposed",
        "gate open at z1 = 0": "gate_at_zero",
        "bias gradients summed over the wrong axis": "bias_axis",
        "dW1 from h instead of X": "dW1_from_h",
        "scales dscores in place": "divides_by_n+mutates_input",   # dscores /= n: divided twice, and the caller's changed      # it divides by n again, in place
        "keys named dW1, db1, ...": "wrong_keys",
    },
    "sgd_step": {
        "updates params in place and returns them": "mutates_input",
        "shallow copy, then in place": "mutates_input",
        "plus instead of minus": "plus_not_minus",
        "ignores the learning rate": "ignores_learning_rate",
        "hard-coded keys": "hard_coded_keys",
        "divides by the learning rate": "divides_by_learning_rate",
        "scales grads in place": "mutates_input",
    },
    "train_mlp": {
        "k from the number of distinct labels": "k_distinct_labels",
        "records the loss after the update": "loss_after_update",
        "drops the updated params": "params_not_updated",
        "ignores the seed": "ignores_seed",
        "one epoch too many": "extra_epoch",
        "hard-coded learning rate": "ignores_learning_rate",
        "k = y.max()": "k_is_max",
        "default of 100 epochs": "wrong_defaults",
    },
    "conv2d": {
        "flips the kernel (true convolution)": "flipped_kernel",
        "output one too small": "output_too_small",
        "assumes a square kernel": "square_kernel",
        "matrix product in the window": "matrix_product",
        "same padding": "same_padding",
        "height and width mixed up": "height_width_swapped",
        "integer output array": "integer_array",
    },
    "conv2d_kernel_gradient": {
        "flips the result": "flipped",
        "mean instead of sum": "mean_not_sum",
        "arguments swapped": "arguments_swapped",
        "assumes a square kernel": "square_kernel",
        "total of dout times a corner": "corner_times_total",
        "kernel shape one too small": "shape_too_small",
    },
}
