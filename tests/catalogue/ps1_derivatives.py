WRONG = {
    "f": {
        "xor instead of power": "def f(x):\n    return x ^ 2\n",
        "derivative instead of function": "def f(x):\n    return 2 * x\n",
        "cube": "def f(x):\n    return x ** 3\n",
        "float() breaks arrays": "def f(x):\n    return float(x) ** 2\n",
        "dot product on arrays": "import numpy as np\ndef f(x):\n    return np.dot(x, x)\n",
        "math.pow breaks arrays": "import math\ndef f(x):\n    return math.pow(x, 2)\n",
    },
    "f_prime": {
        "returns the function": "def f_prime(x):\n    return x ** 2\n",
        "sign error": "def f_prime(x):\n    return -2 * x\n",
        "off by a constant": "def f_prime(x):\n    return 2 * x + 1\n",
        "missing factor 2": "def f_prime(x):\n    return x\n",
        "constant": "def f_prime(x):\n    return 2\n",
        "float() breaks arrays": "def f_prime(x):\n    return float(2 * x)\n",
    },
    "numerical_derivative": {
        "central instead of forward": "def numerical_derivative(f, x, h=1e-6):\n    return (f(x + h) - f(x - h)) / (2 * h)\n",
        "sign error": "def numerical_derivative(f, x, h=1e-6):\n    return (f(x) - f(x + h)) / h\n",
        "divides by 2h": "def numerical_derivative(f, x, h=1e-6):\n    return (f(x + h) - f(x)) / (2 * h)\n",
        "ignores h": "def numerical_derivative(f, x, h=1e-6):\n    return (f(x + 1e-6) - f(x)) / 1e-6\n",
        "backward difference": "def numerical_derivative(f, x, h=1e-6):\n    return (f(x) - f(x - h)) / h\n",
        "wrong default h": "def numerical_derivative(f, x, h=1e-4):\n    return (f(x + h) - f(x)) / h\n",
        "integer division": "def numerical_derivative(f, x, h=1e-6):\n    return (f(x + h) - f(x)) // h\n",
    },
    "central_difference": {
        "forward difference": "def central_difference(f, x, h=1e-5):\n    return (f(x + h) - f(x)) / h\n",
        "precedence: / 2 * h": "def central_difference(f, x, h=1e-5):\n    return (f(x + h) - f(x - h)) / 2 * h\n",
        "missing 2": "def central_difference(f, x, h=1e-5):\n    return (f(x + h) - f(x - h)) / h\n",
        "sign error": "def central_difference(f, x, h=1e-5):\n    return (f(x - h) - f(x + h)) / (2 * h)\n",
        "ignores h": "def central_difference(f, x, h=1e-5):\n    return (f(x + 1e-5) - f(x - 1e-5)) / 2e-5\n",
        "wrong default h": "def central_difference(f, x, h=1e-6):\n    return (f(x + h) - f(x - h)) / (2 * h)\n",
    },
    "numerical_gradient": {
        "forward differences": (
            "import numpy as np\n"
            "def numerical_gradient(f, x, h=1e-5):\n"
            "    x = np.array(x, dtype=float)\n"
            "    g = np.zeros_like(x)\n"
            "    for i in range(x.size):\n"
            "        xp = x.copy(); xp[i] += h\n"
            "        g[i] = (f(xp) - f(x)) / h\n"
            "    return g\n"),
        "mutates x in place and restores it": (
            "import numpy as np\n"
            "def numerical_gradient(f, x, h=1e-5):\n"
            "    g = np.zeros_like(x, dtype=float)\n"
            "    for i in range(len(x)):\n"
            "        x[i] += h\n"
            "        fp = f(x)\n"
            "        x[i] -= 2 * h\n"
            "        fm = f(x)\n"
            "        x[i] += h\n"
            "        g[i] = (fp - fm) / (2 * h)\n"
            "    return g\n"),
        "aliasing: xp = x": (
            "import numpy as np\n"
            "def numerical_gradient(f, x, h=1e-5):\n"
            "    g = np.zeros(len(x))\n"
            "    for i in range(len(x)):\n"
            "        xp = x; xm = x.copy()\n"
            "        xp[i] += h; xm[i] -= h\n"
            "        g[i] = (f(xp) - f(xm)) / (2 * h)\n"
            "    return g\n"),
        "moves every coordinate at once": (
            "import numpy as np\n"
            "def numerical_gradient(f, x, h=1e-5):\n"
            "    x = np.array(x, dtype=float)\n"
            "    return np.full(x.shape, (f(x + h) - f(x - h)) / (2 * h))\n"),
        "off by one": (
            "import numpy as np\n"
            "def numerical_gradient(f, x, h=1e-5):\n"
            "    x = np.array(x, dtype=float)\n"
            "    g = np.zeros_like(x)\n"
            "    for i in range(len(x) - 1):\n"
            "        xp = x.copy(); xm = x.copy(); xp[i] += h; xm[i] -= h\n"
            "        g[i] = (f(xp) - f(xm)) / (2 * h)\n"
            "    return g\n"),
        "returns a list": (
            "import numpy as np\n"
            "def numerical_gradient(f, x, h=1e-5):\n"
            "    x = np.array(x, dtype=float)\n"
            "    out = []\n"
            "    for i in range(len(x)):\n"
            "        xp = x.copy(); xm = x.copy(); xp[i] += h; xm[i] -= h\n"
            "        out.append((f(xp) - f(xm)) / (2 * h))\n"
            "    return out\n"),
        "missing 2": (
            "import numpy as np\n"
            "def numerical_gradient(f, x, h=1e-5):\n"
            "    x = np.array(x, dtype=float)\n"
            "    g = np.zeros_like(x)\n"
            "    for i in range(len(x)):\n"
            "        xp = x.copy(); xm = x.copy(); xp[i] += h; xm[i] -= h\n"
            "        g[i] = (f(xp) - f(xm)) / h\n"
            "    return g\n"),
    },
}

RIGHT = {
    "f": {
        "x * x": "def f(x):\n    return x * x\n",
        "np.square with a print": "import numpy as np\ndef f(x):\n    print('computing', x)\n    return np.square(x)\n",
        "pow builtin": "def f(value):\n    return pow(value, 2)\n",
    },
    "f_prime": {
        "x + x": "def f_prime(x):\n    return x + x\n",
        "np.multiply": "import numpy as np\ndef f_prime(t):\n    return np.multiply(2.0, t)\n",
    },
    "numerical_derivative": {
        "named steps and a print": (
            "def numerical_derivative(f, x, h=1e-6):\n"
            "    right = f(x + h)\n"
            "    here = f(x)\n"
            "    slope = (right - here) / h\n"
            "    print(f'slope at {x}: {slope}')\n"
            "    return slope\n"),
        "helper function": (
            "def _difference_quotient(g, a, b):\n"
            "    return (g(b) - g(a)) / (b - a)\n"
            "def numerical_derivative(f, x, h=1e-6):\n"
            "    return (f(x + h) - f(x)) / h if h else _difference_quotient(f, x, x + h)\n"),
        "multiplies by 1/h": "def numerical_derivative(f, x, h=1e-6):\n    return (f(x + h) - f(x)) * (1 / h)\n",
    },
    "central_difference": {
        "evaluates x - h first": (
            "def central_difference(f, x, h=1e-5):\n"
            "    left = f(x - h)\n"
            "    right = f(x + h)\n"
            "    return (right - left) / (2 * h)\n"),
        "halves the forward and backward sum": (
            "def central_difference(f, x, h=1e-5):\n"
            "    forward = (f(x + h) - f(x)) / h\n"
            "    backward = (f(x) - f(x - h)) / h\n"
            "    return (forward + backward) / 2\n"),
    },
    "numerical_gradient": {
        "vectorised with np.eye": (
            "import numpy as np\n"
            "def numerical_gradient(f, x, h=1e-5):\n"
            "    x = np.asarray(x, dtype=np.float64)\n"
            "    steps = np.eye(x.size) * h\n"
            "    return np.array([(f(x + e) - f(x - e)) / (2 * h) for e in steps])\n"),
        "loop with explicit copies and prints": (
            "import numpy as np\n"
            "def numerical_gradient(func, point, h=1e-5):\n"
            "    point = np.array(point, dtype=float, copy=True)\n"
            "    grad = np.empty(len(point))\n"
            "    for k in range(len(point)):\n"
            "        up = point.copy()\n"
            "        down = point.copy()\n"
            "        up[k] = up[k] + h\n"
            "        down[k] = down[k] - h\n"
            "        grad[k] = (func(up) - func(down)) / (2 * h)\n"
            "        print('partial', k, grad[k])\n"
            "    return grad\n"),
    },
}

# The diagnosis each wrong answer must get (its function's cause; autograder/testkit/diagnosis.py).
DIAGNOSES = {
    "f": {
        "xor instead of power": "xor_not_power",
        "derivative instead of function": "derivative_instead",
        "cube": "cube",
        "float() breaks arrays": "not_elementwise",
        "dot product on arrays": "dot_product",
        "math.pow breaks arrays": "not_elementwise",
    },
    "f_prime": {
        "returns the function": "returns_function",
        "sign error": "sign_flipped",
        "off by a constant": "off_by_constant",
        "missing factor 2": "missing_factor_2",
        "constant": "constant",
        "float() breaks arrays": "not_elementwise",
    },
    "numerical_derivative": {
        "central instead of forward": "central_instead_of_forward",
        "sign error": "sign_flipped",
        "divides by 2h": "divides_by_2h",
        "ignores h": "ignores_h",
        "backward difference": "backward_difference",
        "wrong default h": "wrong_default_h",
        "integer division": "integer_division",
    },
    "central_difference": {
        "forward difference": "forward_instead_of_central",
        "precedence: / 2 * h": "precedence",
        "missing 2": "missing_factor_2",
        "sign error": "sign_flipped",
        "ignores h": "ignores_h",
        "wrong default h": "wrong_default_h",
    },
    "numerical_gradient": {
        "forward differences": "forward_difference",
        "mutates x in place and restores it": "mutates_input",
        "aliasing: xp = x": "mutates_input",
        "moves every coordinate at once": "all_coordinates_at_once",
        "off by one": "off_by_one",
        "returns a list": "not_a_float_array",
        "missing 2": "missing_factor_2",
    },
}
