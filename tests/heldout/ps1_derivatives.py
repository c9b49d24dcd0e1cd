"""Held-out mistakes of ps1, from public repositories (see __init__.py). Each case:
label -> (answer cell, the diagnosis code it should get, where the mistake was seen)."""

ND = "def numerical_derivative(f, x, h=1e-6):\n"
CD = "def central_difference(f, x, h=1e-5):\n"
NG = "import numpy as np\ndef numerical_gradient(f, x, h=1e-5):\n"

CASES = {
    "numerical_derivative": {
        "the book's central difference with h = 1e-4 written in": (
            ND + "    h = 1e-4\n    return (f(x + h) - f(x - h)) / (2 * h)\n",
            "central_instead_of_forward+ignores_h",
            "nk7260ynpa/Python_Deep_Learning_red_fish P088.py; minkj1992/DeepLearning ch04/gradient_1d.py"),
        "h = 10e-50, the book's bad example": (
            ND + "    h = 10e-50\n    return (f(x + h) - f(x)) / h\n",
            "ignores_h",
            "arahansa/learn_ml_bottom ml/04_신경망학습/03_미분/01_미분.py"),
        "h = 1e-4 hard-coded in a forward difference": (
            ND + "    h = 1e-4\n    return (f(x + h) - f(x)) / h\n",
            "ignores_h",
            "skc111/deep_learning_from_scratch 4.4.py (h = 1e-4 in the body)"),
        "calls the notebook's f instead of its parameter": (
            "def numerical_derivative(func, x, h=1e-6):\n    return (f(x + h) - f(x)) / h\n",
            "uses_notebook_f",
            "code search: numerical_diff(f, x) that calls func(x=x+h) instead of f"),
    },
    "central_difference": {
        "misplaced parenthesis: f(x+h) - f(x-h) / (2h)": (
            CD + "    return (f(x + h) - f(x - h) / (2 * h))\n",
            "misplaced_parenthesis",
            "code search: def numerical_ciff(f, x): return (f(x+h) - f(x-h) / (2*h))"),
        "precedence: / 2 * h": (
            CD + "    return (f(x + h) - f(x - h)) / 2 * h\n",
            "precedence",
            "issue 24's held-out list; the same slip in damian-r-s/ArtificialIntelligence CostFunction.py (sum/2*m)"),
        "h = 1e-4 hard-coded (numerical_diff of the book)": (
            CD + "    h = 1e-4\n    return (f(x + h) - f(x - h)) / (2 * h)\n",
            "ignores_h",
            "hyojinlee98/TIL DeepLearning/Chapter4/differential.py"),
        "half steps and divides by h, default h = 0.01": (
            "def central_difference(f, x, h=0.01):\n    return (f(x + h / 2) - f(x - h / 2)) / h\n",
            "half_steps+wrong_default_h",
            "code search: MATLAB numDer (h = 0.01; f(x-h/2), f(x+h/2); (f2-f1)/h)"),
    },
    "numerical_gradient": {
        "h = 1e-4 in the body, x changed and restored (the book's version)": (
            NG + (
                "    h = 1e-4\n"
                "    grad = np.zeros_like(x)\n"
                "    for idx in range(x.size):\n"
                "        tmp_val = x[idx]\n"
                "        x[idx] = tmp_val + h\n"
                "        fxh1 = f(x)\n"
                "        x[idx] = tmp_val - h\n"
                "        fxh2 = f(x)\n"
                "        grad[idx] = (fxh1 - fxh2) / (2 * h)\n"
                "        x[idx] = tmp_val\n"
                "    return grad\n"),
            "ignores_h",
            "skc111/deep_learning_from_scratch 4.4.py; tnqjae/DeepLearningFromScratch Chapter4/GradientEx.py"),
        "forward differences per coordinate with its own step": (
            NG + (
                "    grad = np.zeros(len(x))\n"
                "    fx = f(x)\n"
                "    for i in range(len(x)):\n"
                "        xh = np.array(x, dtype=float)\n"
                "        xh[i] += 1e-4\n"
                "        grad[i] = (f(xh) - fx) / 1e-4\n"
                "    return grad\n"),
            "forward_difference+ignores_h",
            "code search: numerical_grad with fx = f(x) once and (f(x+h) - fx)/h"),
        "moves by h/2 each side and divides by h": (
            NG + (
                "    grad = np.zeros(len(x))\n"
                "    for i in range(len(x)):\n"
                "        dx = np.array(x, dtype=float)\n"
                "        dx[i] = dx[i] + h / 2\n"
                "        f1 = f(dx)\n"
                "        dx[i] = dx[i] - h\n"
                "        f2 = f(dx)\n"
                "        grad[i] = (f1 - f2) / h\n"
                "    return grad\n"),
            "half_steps",
            "code search: MATLAB numGrad(func, x, h) with dx(i) + h/2 and (f1 - f2)/h"),
    },
}
