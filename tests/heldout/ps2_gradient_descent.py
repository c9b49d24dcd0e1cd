"""Held-out mistakes of ps2, from public repositories (see __init__.py). Each case:
label -> (answer cell, the diagnosis code it should get, where the mistake was seen)."""

GD = "def gradient_descent(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):\n"
GD2 = "import numpy as np\ndef gradient_descent_2d(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):\n"

CASES = {
    "gradient_descent": {
        "stops when the step lr*g is below tol, before taking it": (
            GD + (
                "    x = x0\n"
                "    history = [x]\n"
                "    for _ in range(max_iterations):\n"
                "        diff = learning_rate * f_prime(x)\n"
                "        if abs(diff) < tol:\n"
                "            break\n"
                "        x = x - diff\n"
                "        history.append(x)\n"
                "    return x, history\n"),
            "stops_on_new_gradient+stops_on_step_size",
            "lricardopena/intelligent_systems gradient_descent.py (the towardsdatascience 'base model')"),
        "stops when f barely changes, before moving": (
            GD + (
                "    x = x0\n"
                "    history = [x]\n"
                "    for _ in range(max_iterations):\n"
                "        x_new = x - learning_rate * f_prime(x)\n"
                "        if abs(f(x_new) - f(x)) < tol:\n"
                "            break\n"
                "        x = x_new\n"
                "        history.append(x)\n"
                "    return x, history\n"),
            "stops_on_value_change",
            "gavinwxx/Recommenders ml_algo/convex_min.py gradient_descent_single"),
        "checks the gradient before the step": (
            GD + (
                "    x = x0\n"
                "    history = [x]\n"
                "    for i in range(max_iterations):\n"
                "        if abs(f_prime(x)) < tol:\n"
                "            break\n"
                "        x = x - learning_rate * f_prime(x)\n"
                "        history.append(x)\n"
                "    return x, history\n"),
            "stops_on_new_gradient",
            "code search: tag::gradient_descent (history = [x]; if abs(df(x)) < epsilon: break)"),
        "step criterion with <=, after the step": (
            GD + (
                "    x = x0\n"
                "    history = [x0]\n"
                "    for _ in range(max_iterations):\n"
                "        diff = -learning_rate * f_prime(x)\n"
                "        x = x + diff\n"
                "        history.append(x)\n"
                "        if abs(diff) <= tol:\n"
                "            break\n"
                "    return x, history\n"),
            "less_or_equal+stops_on_step_size",
            "programmer0001/DSC_22 lesson9/task1.py (np.abs(diff) <= tolerance)"),
        "while loop on the change of x": (
            GD + (
                "    x = x0\n"
                "    history = [x0]\n"
                "    x_prev = x0 + 1000\n"
                "    count = 0\n"
                "    while abs(x - x_prev) > tol and count < max_iterations:\n"
                "        x_prev = x\n"
                "        x = x - learning_rate * f_prime(x)\n"
                "        history.append(x)\n"
                "        count += 1\n"
                "    return x, history\n"),
            "less_or_equal+stops_on_step_size",   # (label corrected: `while ... > tol` stops when <= tol)
            "code search: autodiff_107 gradient_descent (while np.abs(xn - xprev) > tol and count < max_iter)"),
    },
    "gradient_descent_2d": {
        "in-place update appends the same array": (
            GD2 + (
                "    x = np.array(x0, dtype=float)\n"
                "    history = [x]\n"
                "    for i in range(max_iterations):\n"
                "        g = gradient_func(x[0], x[1])\n"
                "        x -= learning_rate * g\n"
                "        history.append(x)\n"
                "        if np.linalg.norm(g) < tol:\n"
                "            break\n"
                "    return x, history\n"),
            "history_aliasing",
            "code search: gradient_descent(df, x, ...) with x -= alpha * df(x); history.append(x)"),
        "largest component against tol, checked first": (
            GD2 + (
                "    x = np.array(x0, dtype=float)\n"
                "    history = [x.copy()]\n"
                "    for i in range(max_iterations):\n"
                "        g = gradient_func(x[0], x[1])\n"
                "        if np.max(np.abs(g)) < tol:\n"
                "            break\n"
                "        x = x - learning_rate * g\n"
                "        history.append(x.copy())\n"
                "    return x, history\n"),
            "max_component+stops_on_new_gradient",
            "code search: gradient_descent(df, x) with if np.max(np.abs(df(x))) < epsilon: break"),
        "checks the norm before the step": (
            GD2 + (
                "    x = np.array(x0, dtype=float)\n"
                "    history = [x.copy()]\n"
                "    for _ in range(max_iterations):\n"
                "        g = gradient_func(x[0], x[1])\n"
                "        if np.linalg.norm(g) < tol:\n"
                "            break\n"
                "        x = x - learning_rate * g\n"
                "        history.append(x.copy())\n"
                "    return x, history\n"),
            "stops_on_new_gradient",
            "code search: gradient_descent(func, grad, x0, lr, max_iter, tol) with norm check before x -= lr * g"),
    },
}
