GD_HEAD = "def gradient_descent(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):\n"
GD2_HEAD = "def gradient_descent_2d(f, gradient_func, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):\n"
MS_HEAD = "def multi_start(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000):\n"

WRONG = {
    "gradient_descent": {
        "gradient ascent (plus sign)": GD_HEAD + (
            "    x = x0\n"
            "    history = [x]\n"
            "    for _ in range(max_iterations):\n"
            "        g = f_prime(x)\n"
            "        x = x + learning_rate * g\n"
            "        history.append(x)\n"
            "        if abs(g) < tol:\n"
            "            break\n"
            "    return x, history\n"),
        "breaks before the step": GD_HEAD + (
            "    x = x0\n"
            "    history = [x]\n"
            "    for _ in range(max_iterations):\n"
            "        g = f_prime(x)\n"
            "        if abs(g) < tol:\n"
            "            break\n"
            "        x = x - learning_rate * g\n"
            "        history.append(x)\n"
            "    return x, history\n"),
        "tests the gradient at the new point": GD_HEAD + (
            "    x = x0\n"
            "    history = [x]\n"
            "    for _ in range(max_iterations):\n"
            "        x = x - learning_rate * f_prime(x)\n"
            "        history.append(x)\n"
            "        if abs(f_prime(x)) < tol:\n"
            "            break\n"
            "    return x, history\n"),
        "<= instead of <": GD_HEAD + (
            "    x = x0\n"
            "    history = [x]\n"
            "    for _ in range(max_iterations):\n"
            "        g = f_prime(x)\n"
            "        x = x - learning_rate * g\n"
            "        history.append(x)\n"
            "        if abs(g) <= tol:\n"
            "            break\n"
            "    return x, history\n"),
        "missing abs": GD_HEAD + (
            "    x = x0\n"
            "    history = [x]\n"
            "    for _ in range(max_iterations):\n"
            "        g = f_prime(x)\n"
            "        x = x - learning_rate * g\n"
            "        history.append(x)\n"
            "        if g < tol:\n"
            "            break\n"
            "    return x, history\n"),
        "hard-coded tolerance 1e-6": GD_HEAD + (
            "    x = x0\n"
            "    history = [x]\n"
            "    for _ in range(max_iterations):\n"
            "        g = f_prime(x)\n"
            "        x = x - learning_rate * g\n"
            "        history.append(x)\n"
            "        if abs(g) < 1e-6:\n"
            "            break\n"
            "    return x, history\n"),
        "hard-coded learning rate 0.1": GD_HEAD + (
            "    x = x0\n"
            "    history = [x]\n"
            "    for _ in range(max_iterations):\n"
            "        g = f_prime(x)\n"
            "        x = x - 0.1 * g\n"
            "        history.append(x)\n"
            "        if abs(g) < tol:\n"
            "            break\n"
            "    return x, history\n"),
        "one iteration too many": GD_HEAD + (
            "    x = x0\n"
            "    history = [x]\n"
            "    i = 0\n"
            "    while i <= max_iterations:\n"
            "        g = f_prime(x)\n"
            "        x = x - learning_rate * g\n"
            "        history.append(x)\n"
            "        i += 1\n"
            "        if abs(g) < tol:\n"
            "            break\n"
            "    return x, history\n"),
        "history without x0": GD_HEAD + (
            "    x = x0\n"
            "    history = []\n"
            "    for _ in range(max_iterations):\n"
            "        g = f_prime(x)\n"
            "        x = x - learning_rate * g\n"
            "        history.append(x)\n"
            "        if abs(g) < tol:\n"
            "            break\n"
            "    return x, history\n"),
        "gradient always at x0": GD_HEAD + (
            "    x = x0\n"
            "    history = [x0]\n"
            "    for _ in range(max_iterations):\n"
            "        g = f_prime(x0)\n"
            "        x = x - learning_rate * g\n"
            "        history.append(x)\n"
            "        if abs(g) < tol:\n"
            "            break\n"
            "    return x, history\n"),
        "returns (history, x)": GD_HEAD + (
            "    x = x0\n"
            "    history = [x]\n"
            "    for _ in range(max_iterations):\n"
            "        g = f_prime(x)\n"
            "        x = x - learning_rate * g\n"
            "        history.append(x)\n"
            "        if abs(g) < tol:\n"
            "            break\n"
            "    return history, x\n"),
        "returns only x": GD_HEAD + (
            "    x = x0\n"
            "    for _ in range(max_iterations):\n"
            "        g = f_prime(x)\n"
            "        x = x - learning_rate * g\n"
            "        if abs(g) < tol:\n"
            "            break\n"
            "    return x\n"),
    },
    "gradient_2d": {
        "missing factor 2": "def gradient_2d(x, y):\n    return np.array([x, y])\n",
        "returns a list": "def gradient_2d(x, y):\n    return [2 * x, 2 * y]\n",
        "swapped components": "def gradient_2d(x, y):\n    return np.array([2 * y, 2 * x])\n",
        "2x twice": "def gradient_2d(x, y):\n    return np.array([2 * x, 2 * x])\n",
        "the function instead of its gradient": "def gradient_2d(x, y):\n    return np.array([x**2, y**2])\n",
        "column vector": "def gradient_2d(x, y):\n    return np.array([[2 * x], [2 * y]])\n",
        "sum of the partials": "def gradient_2d(x, y):\n    return np.array(2 * x + 2 * y)\n",
        "float32": "def gradient_2d(x, y):\n    return np.array([2 * x, 2 * y], dtype=np.float32)\n",
    },
    "gradient_descent_2d": {
        "in-place update, same array appended": GD2_HEAD + (
            "    x = np.array(x0, dtype=float)\n"
            "    history = [x]\n"
            "    for _ in range(max_iterations):\n"
            "        g = gradient_func(x[0], x[1])\n"
            "        x -= learning_rate * g\n"
            "        history.append(x)\n"
            "        if np.linalg.norm(g) < tol:\n"
            "            break\n"
            "    return x, history\n"),
        "x = x0 mutates the caller's array": GD2_HEAD + (
            "    x = x0\n"
            "    history = [np.array(x, dtype=float)]\n"
            "    for _ in range(max_iterations):\n"
            "        g = gradient_func(x[0], x[1])\n"
            "        x -= learning_rate * g\n"
            "        history.append(np.array(x, dtype=float))\n"
            "        if np.linalg.norm(g) < tol:\n"
            "            break\n"
            "    return np.array(x, dtype=float), history\n"),
        "history[0] is x0 itself": GD2_HEAD + (
            "    x = np.array(x0, dtype=float)\n"
            "    history = [x0]\n"
            "    for _ in range(max_iterations):\n"
            "        g = gradient_func(x[0], x[1])\n"
            "        x = x - learning_rate * g\n"
            "        history.append(x.copy())\n"
            "        if np.linalg.norm(g) < tol:\n"
            "            break\n"
            "    return x, history\n"),
        "no dtype=float, in-place update": GD2_HEAD + (
            "    x = np.array(x0)\n"
            "    history = [x.copy()]\n"
            "    for _ in range(max_iterations):\n"
            "        g = gradient_func(x[0], x[1])\n"
            "        x -= learning_rate * g\n"
            "        history.append(x.copy())\n"
            "        if np.linalg.norm(g) < tol:\n"
            "            break\n"
            "    return x, history\n"),
        "largest component instead of the norm": GD2_HEAD + (
            "    x = np.array(x0, dtype=float)\n"
            "    history = [x.copy()]\n"
            "    for _ in range(max_iterations):\n"
            "        g = gradient_func(x[0], x[1])\n"
            "        x = x - learning_rate * g\n"
            "        history.append(x.copy())\n"
            "        if np.max(np.abs(g)) < tol:\n"
            "            break\n"
            "    return x, history\n"),
        "squared norm": GD2_HEAD + (
            "    x = np.array(x0, dtype=float)\n"
            "    history = [x.copy()]\n"
            "    for _ in range(max_iterations):\n"
            "        g = gradient_func(x[0], x[1])\n"
            "        x = x - learning_rate * g\n"
            "        history.append(x.copy())\n"
            "        if np.sum(g**2) < tol:\n"
            "            break\n"
            "    return x, history\n"),
        "breaks before the step": GD2_HEAD + (
            "    x = np.array(x0, dtype=float)\n"
            "    history = [x.copy()]\n"
            "    for _ in range(max_iterations):\n"
            "        g = gradient_func(x[0], x[1])\n"
            "        if np.linalg.norm(g) < tol:\n"
            "            break\n"
            "        x = x - learning_rate * g\n"
            "        history.append(x.copy())\n"
            "    return x, history\n"),
        "hard-coded tolerance": GD2_HEAD + (
            "    x = np.array(x0, dtype=float)\n"
            "    history = [x.copy()]\n"
            "    for _ in range(max_iterations):\n"
            "        g = gradient_func(x[0], x[1])\n"
            "        x = x - learning_rate * g\n"
            "        history.append(x.copy())\n"
            "        if np.linalg.norm(g) < 1e-6:\n"
            "            break\n"
            "    return x, history\n"),
        "swapped arguments of gradient_func": GD2_HEAD + (
            "    x = np.array(x0, dtype=float)\n"
            "    history = [x.copy()]\n"
            "    for _ in range(max_iterations):\n"
            "        g = gradient_func(x[1], x[0])\n"
            "        x = x - learning_rate * g\n"
            "        history.append(x.copy())\n"
            "        if np.linalg.norm(g) < tol:\n"
            "            break\n"
            "    return x, history\n"),
        "one iteration too many": GD2_HEAD + (
            "    x = np.array(x0, dtype=float)\n"
            "    history = [x.copy()]\n"
            "    for _ in range(max_iterations + 1):\n"
            "        g = gradient_func(x[0], x[1])\n"
            "        x = x - learning_rate * g\n"
            "        history.append(x.copy())\n"
            "        if np.linalg.norm(g) < tol:\n"
            "            break\n"
            "    return x, history\n"),
    },
    "multi_start": {
        "does not pass learning_rate and max_iterations on": MS_HEAD + (
            "    results = []\n"
            "    for x0 in starting_points:\n"
            "        x, _ = gradient_descent(f, f_prime, x0)\n"
            "        results.append({'start': x0, 'optimal': x, 'value': f(x)})\n"
            "    return results\n"),
        "wrong defaults (those of gradient_descent)": (
            "def multi_start(f, f_prime, starting_points, learning_rate=0.1, max_iterations=100):\n"
            "    results = []\n"
            "    for x0 in starting_points:\n"
            "        x, _ = gradient_descent(f, f_prime, x0, learning_rate=learning_rate, max_iterations=max_iterations)\n"
            "        results.append({'start': x0, 'optimal': x, 'value': f(x)})\n"
            "    return results\n"),
        "value is f_prime(x)": MS_HEAD + (
            "    results = []\n"
            "    for x0 in starting_points:\n"
            "        x, _ = gradient_descent(f, f_prime, x0, learning_rate=learning_rate, max_iterations=max_iterations)\n"
            "        results.append({'start': x0, 'optimal': x, 'value': f_prime(x)})\n"
            "    return results\n"),
        "value at the start": MS_HEAD + (
            "    results = []\n"
            "    for x0 in starting_points:\n"
            "        x, _ = gradient_descent(f, f_prime, x0, learning_rate=learning_rate, max_iterations=max_iterations)\n"
            "        results.append({'start': x0, 'optimal': x, 'value': f(x0)})\n"
            "    return results\n"),
        "sorted by value": MS_HEAD + (
            "    results = []\n"
            "    for x0 in starting_points:\n"
            "        x, _ = gradient_descent(f, f_prime, x0, learning_rate=learning_rate, max_iterations=max_iterations)\n"
            "        results.append({'start': x0, 'optimal': x, 'value': f(x)})\n"
            "    return sorted(results, key=lambda r: r['value'])\n"),
        "swaps learning_rate and max_iterations positionally": MS_HEAD + (
            "    results = []\n"
            "    for x0 in starting_points:\n"
            "        x, _ = gradient_descent(f, f_prime, x0, max_iterations, learning_rate)\n"
            "        results.append({'start': x0, 'optimal': x, 'value': f(x)})\n"
            "    return results\n"),
        "key 'x0' instead of 'start'": MS_HEAD + (
            "    results = []\n"
            "    for x0 in starting_points:\n"
            "        x, _ = gradient_descent(f, f_prime, x0, learning_rate=learning_rate, max_iterations=max_iterations)\n"
            "        results.append({'x0': x0, 'optimal': x, 'value': f(x)})\n"
            "    return results\n"),
        "skips duplicate starting points": MS_HEAD + (
            "    results = []\n"
            "    for x0 in dict.fromkeys(starting_points):\n"
            "        x, _ = gradient_descent(f, f_prime, x0, learning_rate=learning_rate, max_iterations=max_iterations)\n"
            "        results.append({'start': x0, 'optimal': x, 'value': f(x)})\n"
            "    return results\n"),
    },
    "best_result": {
        "highest value": (
            "def best_result(results):\n"
            "    return max(results, key=lambda r: r['value'])\n"),
        "last one on a tie (<=)": (
            "def best_result(results):\n"
            "    best = results[0]\n"
            "    for r in results:\n"
            "        if r['value'] <= best['value']:\n"
            "            best = r\n"
            "    return best\n"),
        "returns the value": (
            "def best_result(results):\n"
            "    return min(r['value'] for r in results)\n"),
        "returns the index": (
            "def best_result(results):\n"
            "    values = [r['value'] for r in results]\n"
            "    return values.index(min(values))\n"),
        "starts from 0 instead of the first element": (
            "def best_result(results):\n"
            "    best, best_value = results[0], 0\n"
            "    for r in results:\n"
            "        if r['value'] < best_value:\n"
            "            best, best_value = r, r['value']\n"
            "    return best\n"),
        "skips the last element": (
            "def best_result(results):\n"
            "    best = results[0]\n"
            "    for i in range(1, len(results) - 1):\n"
            "        if results[i]['value'] < best['value']:\n"
            "            best = results[i]\n"
            "    return best\n"),
        "sorts the caller's list": (
            "def best_result(results):\n"
            "    results.sort(key=lambda r: r['value'])\n"
            "    return results[0]\n"),
        "compares the optimal x": (
            "def best_result(results):\n"
            "    return min(results, key=lambda r: r['optimal'])\n"),
    },
}

RIGHT = {
    "gradient_descent": {
        "while loop with a counter and prints": GD_HEAD + (
            "    x = x0\n"
            "    history = [x0]\n"
            "    steps = 0\n"
            "    while steps < max_iterations:\n"
            "        gradient = f_prime(x)\n"
            "        x = x - learning_rate * gradient\n"
            "        history.append(x)\n"
            "        steps += 1\n"
            "        print(f'step {steps}: x = {x}, f(x) = {f(x)}, f\\'(x_old) = {gradient}')\n"
            "        if abs(gradient) < tol:\n"
            "            print('converged')\n"
            "            break\n"
            "    return (history[-1], history)\n"),
        "float x0, helper and a converged flag": (
            "def _step(x, g, rate):\n"
            "    return x - rate * g\n"
            "\n"
            "def gradient_descent(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):\n"
            "    x = float(x0)\n"
            "    path = [x]\n"
            "    converged = False\n"
            "    for i in range(max_iterations):\n"
            "        if converged:\n"
            "            break\n"
            "        g = f_prime(x)\n"
            "        converged = abs(g) < tol\n"
            "        x = _step(x, g, learning_rate)\n"
            "        path = path + [x]\n"
            "    return x, path\n"),
        "numpy scalars and an extra f_prime call for the log": GD_HEAD + (
            "    x = np.float64(x0)\n"
            "    history = [x]\n"
            "    for i in range(1, max_iterations + 1):\n"
            "        g = f_prime(x)\n"
            "        x = x + (-learning_rate) * g\n"
            "        history.append(x)\n"
            "        if np.abs(g) < tol:\n"
            "            print('stopped after', i, 'steps; gradient now', f_prime(x))\n"
            "            break\n"
            "    return x, history\n"),
    },
    "gradient_2d": {
        "2 * array": "def gradient_2d(x, y):\n    return 2 * np.array([x, y])\n",
        "asarray of a tuple": (
            "import numpy\n"
            "def gradient_2d(a, b):\n"
            "    dfdx = a + a\n"
            "    dfdy = 2.0 * b\n"
            "    return numpy.asarray((dfdx, dfdy))\n"),
    },
    "gradient_descent_2d": {
        "np.asarray + astype, in-place on a copy, stacked history": GD2_HEAD + (
            "    x = np.asarray(x0).astype(float)\n"
            "    history = [x.copy()]\n"
            "    for k in range(max_iterations):\n"
            "        g = np.asarray(gradient_func(*x))\n"
            "        x -= learning_rate * g\n"
            "        history.append(x.copy())\n"
            "        if np.sqrt(g[0]**2 + g[1]**2) < tol:\n"
            "            break\n"
            "    return x, history\n"),
        "new arrays every step, while loop, prints": GD2_HEAD + (
            "    point = np.array(x0, dtype=float)\n"
            "    history = [point]\n"
            "    it = 0\n"
            "    while it < max_iterations:\n"
            "        grad = gradient_func(point[0], point[1])\n"
            "        point = point - learning_rate * grad\n"
            "        history.append(point)\n"
            "        it += 1\n"
            "        print(it, point, f(point[0], point[1]))\n"
            "        if np.linalg.norm(grad) < tol:\n"
            "            break\n"
            "    return point, history\n"),
    },
    "multi_start": {
        "list comprehension over a helper": (
            "def _one(f, f_prime, x0, learning_rate, max_iterations):\n"
            "    x_end = gradient_descent(f, f_prime, x0, learning_rate, max_iterations)[0]\n"
            "    return dict(start=x0, optimal=x_end, value=f(x_end))\n"
            "\n"
            "def multi_start(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000):\n"
            "    return [_one(f, f_prime, s, learning_rate, max_iterations) for s in starting_points]\n"),
        "own loop instead of gradient_descent, with prints": MS_HEAD + (
            "    out = []\n"
            "    for start in starting_points:\n"
            "        x = start\n"
            "        for _ in range(max_iterations):\n"
            "            g = f_prime(x)\n"
            "            x = x - learning_rate * g\n"
            "            if abs(g) < 1e-6:\n"
            "                break\n"
            "        print(f'from {start}: x = {x}')\n"
            "        out.append({'start': start, 'optimal': x, 'value': f(x)})\n"
            "    return out\n"),
        "keeps the history too (unpacked)": MS_HEAD + (
            "    results = []\n"
            "    for i, x0 in enumerate(starting_points):\n"
            "        optimal_x, hist = gradient_descent(f, f_prime, x0, max_iterations=max_iterations,\n"
            "                                           learning_rate=learning_rate)\n"
            "        entry = {}\n"
            "        entry['start'] = x0\n"
            "        entry['optimal'] = optimal_x\n"
            "        entry['value'] = f(optimal_x)\n"
            "        results.append(entry)\n"
            "    return results\n"),
    },
    "best_result": {
        "min with a key": "def best_result(results):\n    return min(results, key=lambda r: r['value'])\n",
        "sorted copy": "def best_result(results):\n    return sorted(results, key=lambda item: item['value'])[0]\n",
        "index loop with a print": (
            "def best_result(results):\n"
            "    best_index = 0\n"
            "    for i in range(len(results)):\n"
            "        if results[i]['value'] < results[best_index]['value']:\n"
            "            best_index = i\n"
            "    print('best:', results[best_index])\n"
            "    return results[best_index]\n"),
    },
}

# The diagnosis each wrong answer must get (its function's cause; autograder/testkit/diagnosis.py).
DIAGNOSES = {
    "gradient_descent": {
        "gradient ascent (plus sign)": "sign_flipped",
        "breaks before the step": "stops_on_new_gradient",
        "tests the gradient at the new point": "stops_on_new_gradient",
        "<= instead of <": "less_or_equal",
        "missing abs": "missing_abs",
        "hard-coded tolerance 1e-6": "ignores_tol",
        "hard-coded learning rate 0.1": "ignores_learning_rate",
        "one iteration too many": "one_step_too_many",
        "history without x0": "history_missing_x0",
        "gradient always at x0": "gradient_at_x0",
        "returns (history, x)": "returns_swapped",
        "returns only x": "returns_only_x",
    },
    "gradient_2d": {
        "missing factor 2": "missing_factor_2",
        "returns a list": "not_an_array",
        "swapped components": "swapped_components",
        "2x twice": "same_component_twice",
        "the function instead of its gradient": "returns_function",
        "column vector": "column_vector",
        "sum of the partials": "sum_of_partials",
        "float32": "low_precision",
    },
    "gradient_descent_2d": {
        "in-place update, same array appended": "history_aliasing",
        "x = x0 mutates the caller's array": "mutates_x0",
        "history[0] is x0 itself": "history_shares_x0",
        "no dtype=float, in-place update": "integer_x0_in_place",
        "largest component instead of the norm": "max_component",
        "squared norm": "squared_norm",
        "breaks before the step": "stops_on_new_gradient",
        "hard-coded tolerance": "ignores_tol",
        "swapped arguments of gradient_func": "swapped_arguments",
        "one iteration too many": "one_step_too_many",
    },
    "multi_start": {
        "does not pass learning_rate and max_iterations on": "gradient_descent_defaults",
        "wrong defaults (those of gradient_descent)": "gradient_descent_defaults",
        "value is f_prime(x)": "value_is_derivative",
        "value at the start": "value_at_start",
        "sorted by value": "sorted",
        "swaps learning_rate and max_iterations positionally": "arguments_swapped",
        "key 'x0' instead of 'start'": "wrong_keys",
        "skips duplicate starting points": "skips_duplicates",
    },
    "best_result": {
        "highest value": "highest_value",
        "last one on a tie (<=)": "last_on_tie",
        "returns the value": "returns_value",
        "returns the index": "returns_index",
        "starts from 0 instead of the first element": "starts_from_zero",
        "skips the last element": "skips_last",
        "sorts the caller's list": "mutates_results",
        "compares the optimal x": "compares_optimal",
    },
}
