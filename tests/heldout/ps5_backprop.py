"""Held-out mistakes of ps5, from public repositories (see __init__.py). Each case:
label -> (answer cell, the diagnosis code it should get, where the mistake was seen)."""

RB = "def relu_backward(dout, z):\n"
SCE = "import numpy as np\ndef softmax_cross_entropy(scores, y):\n"
BW = "import numpy as np\ndef backward(params, cache, dscores):\n"
SGD = "def sgd_step(params, grads, learning_rate):\n"
CONV = "import numpy as np\ndef conv2d(image, kernel):\n"
KG = "import numpy as np\ndef conv2d_kernel_gradient(image, dout):\n"

CASES = {
    "relu_backward": {
        "masks where z < 0 only": (
            RB + "    grad = dout.copy()\n    grad[z < 0] = 0\n    return grad\n",
            "gate_at_zero",
            "YingChen1996/leetcode_daydayup python_numpy/MLP_train_infer.py (grad_h[h<0]=0)"),
    },
    "softmax_cross_entropy": {
        "scores -= np.max(scores): the global max, in place": (
            SCE + (
                "    N = scores.shape[0]\n"
                "    scores -= np.max(scores)\n"
                "    num = np.exp(scores)\n"
                "    probs = num / np.sum(num, axis=1, keepdims=True)\n"
                "    loss = np.sum(-np.log(probs[range(N), y])) / N\n"
                "    dscores = probs\n"
                "    dscores[range(N), y] -= 1\n"
                "    dscores /= N\n"
                "    return float(loss), dscores\n"),
            "global_max+mutates_input",
            "cs231n two-layer net (find_string 'dscores /= N': scores -= np.max(scores))"),
        "clips the probabilities at 1e-10 before the log": (
            SCE + (
                "    num_samples = scores.shape[0]\n"
                "    shifted_scores = scores - np.max(scores, axis=1, keepdims=True)\n"
                "    exp_scores = np.exp(shifted_scores)\n"
                "    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)\n"
                "    probs = np.clip(probs, 1e-10, 1.0)\n"
                "    loss = np.sum(-np.log(probs[range(num_samples), y])) / num_samples\n"
                "    dscores = probs.copy()\n"
                "    dscores[range(num_samples), y] -= 1\n"
                "    dscores /= num_samples\n"
                "    return float(loss), dscores\n"),
            "clips_probabilities",
            "find_string 'dscores /= N' (probs = np.clip(probs, 1e-10, 1.0), a two-layer net in Chinese)"),
        "no shift; loss as log-sum-exp minus the right score": (
            SCE + (
                "    N = scores.shape[0]\n"
                "    loss = np.sum(-scores[range(N), y] + np.log(np.sum(np.exp(scores), axis=1))) / N\n"
                "    probs = np.exp(scores) / np.sum(np.exp(scores), axis=1).reshape(N, 1)\n"
                "    dscores = probs\n"
                "    dscores[range(N), y] -= 1\n"
                "    dscores /= N\n"
                "    return float(loss), dscores\n"),
            "no_max_shift",
            "cs231n FullyConnectedNet / TwoLayerNet (find_string 'dscores /= N')"),
        "no shift, divides exp by its row sum": (
            SCE + (
                "    n = scores.shape[0]\n"
                "    unnormalized = np.exp(scores)\n"
                "    probs = unnormalized / np.sum(unnormalized, axis=1)[:, np.newaxis]\n"
                "    loss = np.sum(-np.log(probs[range(n), y])) / n\n"
                "    dscores = probs.copy()\n"
                "    dscores[range(n), y] -= 1\n"
                "    return float(loss), dscores / n\n"),
            "no_max_shift",
            "xoyoon2/ai-practice classifiers/loss_grad_softmax.py"),
    },
    "backward": {
        "divides by n again (dW = 1/m dZ A^T)": (
            BW + (
                "    X, z1, h = cache\n"
                "    m = X.shape[0]\n"
                "    dW2 = h.T @ dscores / m\n"
                "    db2 = np.sum(dscores, axis=0) / m\n"
                "    dh = dscores @ params['W2'].T\n"
                "    dz1 = dh * (z1 > 0)\n"
                "    dW1 = X.T @ dz1 / m\n"
                "    db1 = np.sum(dz1, axis=0) / m\n"
                "    return {'W1': dW1, 'b1': db1, 'W2': dW2, 'b2': db2}\n"),
            "divides_by_n",
            "cain877/mnist-nn-from-scratch README.md (dW[3] = 1/m dZ[3] A[2]^T)"),
        "signs flipped: deltas (T - Y)": (
            BW + (
                "    X, z1, h = cache\n"
                "    delta = -dscores\n"
                "    dW2 = h.T @ delta\n"
                "    db2 = delta.sum(axis=0)\n"
                "    dz1 = (delta @ params['W2'].T) * (z1 > 0)\n"
                "    dW1 = X.T @ dz1\n"
                "    db1 = dz1.sum(axis=0)\n"
                "    return {'W1': dW1, 'b1': db1, 'W2': dW2, 'b2': db2}\n"),
            "sign_flipped",
            "saransh-mehta/EcommercePredictionNeuralNetwork derivatives.py (Z.T.dot(T - Y))"),
        "gate from the ReLU output with h < 0": (
            BW + (
                "    X, z1, h = cache\n"
                "    dW2 = h.T @ dscores\n"
                "    db2 = np.sum(dscores, axis=0)\n"
                "    dh = dscores @ params['W2'].T\n"
                "    dh[h < 0] = 0\n"
                "    dW1 = X.T @ dh\n"
                "    db1 = np.sum(dh, axis=0)\n"
                "    return {'W1': dW1, 'b1': db1, 'W2': dW2, 'b2': db2}\n"),
            "no_relu_gate",
            "YingChen1996/leetcode_daydayup python_numpy/MLP_train_infer.py (grad_h[h<0]=0 on the ReLU output)"),
    },
    "sgd_step": {
        "updates the parameters in place": (
            SGD + (
                "    for key in params:\n"
                "        params[key] -= learning_rate * grads[key]\n"
                "    return params\n"),
            "mutates_input",
            "ZQSIAT/ZQSIAT.github.io docs/softmax_cross_entropy.md (W += -step_size * dW)"),
    },
    "conv2d": {
        "image[i - a, j - b]: indices run backwards (and wrap)": (
            CONV + (
                "    H, W = image.shape\n"
                "    kh, kw = kernel.shape\n"
                "    out = np.zeros((H - kh + 1, W - kw + 1))\n"
                "    for i in range(H - kh + 1):\n"
                "        for j in range(W - kw + 1):\n"
                "            for a in range(kh):\n"
                "                for b in range(kw):\n"
                "                    out[i, j] += image[i - a, j - b] * kernel[a, b]\n"
                "    return out\n"),
            "indices_backwards",
            "jonnythebard/jonny_deep_learnings extra_snippet/convolution.py"),
        "flips the kernel and keeps the image's size": (
            CONV + (
                "    kernel = kernel[::-1, ::-1]\n"
                "    H, W = image.shape\n"
                "    kh, kw = kernel.shape\n"
                "    h, w = kh // 2, kw // 2\n"
                "    out = np.zeros(image.shape)\n"
                "    for i in range(h, H - h):\n"
                "        for j in range(w, W - w):\n"
                "            total = 0\n"
                "            for m in range(kh):\n"
                "                for n in range(kw):\n"
                "                    total = total + kernel[m][n] * image[i - h + m][j - w + n]\n"
                "            out[i][j] = total\n"
                "    return out\n"),
            "flipped_kernel+same_padding",
            "arrivaldwis/image-filtering-sharpening convolution.py"),
        "nested lists instead of an array": (
            CONV + (
                "    kernel_height, kernel_width = len(kernel), len(kernel[0])\n"
                "    out_height = len(image) - kernel_height + 1\n"
                "    out_width = len(image[0]) - kernel_width + 1\n"
                "    out = [[0.0 for _ in range(out_width)] for _ in range(out_height)]\n"
                "    for i in range(out_height):\n"
                "        for j in range(out_width):\n"
                "            dot = 0.0\n"
                "            for ki in range(kernel_height):\n"
                "                for kj in range(kernel_width):\n"
                "                    dot += image[i + ki][j + kj] * kernel[ki][kj]\n"
                "            out[i][j] = dot\n"
                "    return out\n"),
            "not_an_array",
            "piotrfilipiuk/ai-lab conv.py"),
    },
    "conv2d_kernel_gradient": {
        "correlates with dout flipped (a true convolution)": (
            KG + (
                "    kh = image.shape[0] - dout.shape[0] + 1\n"
                "    kw = image.shape[1] - dout.shape[1] + 1\n"
                "    flipped = dout[::-1, ::-1]\n"
                "    grad = np.zeros((kh, kw))\n"
                "    for a in range(kh):\n"
                "        for b in range(kw):\n"
                "            grad[a, b] = np.sum(image[a:a + dout.shape[0], b:b + dout.shape[1]] * flipped)\n"
                "    return grad\n"),
            "dout_flipped",
            "arrivaldwis/image-filtering-sharpening convolution.py (conv_transform flips before correlating)"),
    },
}
