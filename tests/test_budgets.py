"""A hang costs its own function a few budgets' worth of time, and nothing else.

Each call of student code gets a budget derived from the reference's time on the same input (its
first call in a process a little more); a function that runs out of it when judged alone pays
from its whole budget, and once that is spent its later calls fail at once with a message that
says so. A function judged with stand-ins for its helpers is never charged for a helper's hang or
slowness, and a correct function that is much slower than the reference keeps its points.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from autograder.grading.engine import grade_notebooks
from helpers import make_submission

ASSIGNMENT = "ps3_linear_regression"
TIMED_OUT = "超过了给它的时间"
EARLIER = "在前面的测试里已经超时"

HANGING_GRADIENT = '''def gradient_mse(X, y, w, b):
    """The article's loop, with a convergence test that never holds."""
    converged = False
    while not converged:
        y_pred = linear_model(X, w, b)
        dw = -2 * np.mean(X * (y - y_pred))
        db = -2 * np.mean(y - y_pred)
        converged = abs(dw) < -1.0
    return np.array([dw, db])
'''

DEAF_GRADIENT = '''import signal
for _signal in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGXCPU):
    signal.signal(_signal, signal.SIG_IGN)
def gradient_mse(X, y, w, b):
    while True:
        pass
'''

HANGING_TRAINING = '''def train_linear_regression(X, y, learning_rate=0.01, max_iterations=1000):
    w = b = 0.0
    history = []
    i = 0
    while i < max_iterations:   # i never grows
        loss = mse_loss(y, linear_model(X, w, b))
        dw, db = gradient_mse(X, y, w, b)
        w, b = w - learning_rate * dw, b - learning_rate * db
        history.append({"iteration": i, "loss": loss, "w": w, "b": b})
    return w, b, history
'''

SLOW_BUT_RIGHT = {
    "linear_model": '''def linear_model(X, w, b):
    out = np.empty_like(np.asarray(X, dtype=float))
    for index in np.ndindex(out.shape):
        out[index] = X[index] * w + b
    return out
''',
    "mse_loss": '''def mse_loss(y_true, y_pred):
    total, count = 0.0, 0
    for a, b in zip(np.ravel(y_true), np.ravel(y_pred)):
        total += (a - b) ** 2
        count += 1
    return float(total / count)
''',
    "gradient_mse": '''def gradient_mse(X, y, w, b):
    y_pred = linear_model(X, w, b)
    dw = db = 0.0
    n = 0
    for xi, yi, pi in zip(np.ravel(X), np.ravel(y), np.ravel(y_pred)):
        dw += -2 * xi * (yi - pi)
        db += -2 * (yi - pi)
        n += 1
    return np.array([dw / n, db / n])
''',
}

CASES = {
    "gradient_mse never converges": ({"gradient_mse": HANGING_GRADIENT}, "gradient_mse"),
    "gradient_mse loops and ignores signals": ({"gradient_mse": DEAF_GRADIENT}, "gradient_mse"),
    "train_linear_regression never ends": ({"train_linear_regression": HANGING_TRAINING}, "train_linear_regression"),
    "everything ten times slower than the reference, and right": (SLOW_BUT_RIGHT, None),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("budgets")
    paths = {label: make_submission(ASSIGNMENT, folder / f"{i}.ipynb", cells)
             for i, (label, (cells, _)) in enumerate(CASES.items())}
    results = {r.submission: r for r in grade_notebooks(list(paths.values()), ASSIGNMENT)}
    return {label: results[str(path)] for label, path in paths.items()}


@pytest.mark.parametrize("label", CASES)
def test_only_the_hanging_function_loses_points(graded, label):
    result = graded[label]
    hanging = CASES[label][1]
    assert result.status == "graded", result.error
    lost = {t.grade_id for t in result.tests if t.score < t.max_score}
    assert lost == ({hanging} if hanging else set()), [(t.name, t.output[:200]) for t in result.tests
                                                        if t.score < t.max_score]


@pytest.mark.parametrize("label", [label for label, (_, hanging) in CASES.items() if hanging])
def test_a_hang_is_waited_out_once_then_its_calls_fail_at_once(graded, label):
    hanging = CASES[label][1]
    tests = [t for t in graded[label].tests if t.grade_id == hanging]
    waited = [t for t in tests if TIMED_OUT in t.output]
    at_once = [t for t in tests if EARLIER in t.output]
    # Judged with its own helpers first and then alone, a function may wait out its budget twice.
    assert 1 <= len(waited) <= 2, [(t.name, t.output[:120]) for t in tests]
    assert len(waited) + len(at_once) == len(tests), [(t.name, t.output[:120]) for t in tests]


@pytest.mark.parametrize("label", ["gradient_mse never converges", "gradient_mse loops and ignores signals"])
def test_a_figure_that_would_call_a_hung_function_is_not_drawn(graded, label):
    """ps3's training figure runs the student's own training, which calls gradient_mse: once that
    has hung, the figure says why it is missing instead of waiting out another budget."""
    from autograder.views.figures import UNAVAILABLE
    result = graded[label]
    note = result.figures.get("training", {}).get(UNAVAILABLE, "")
    assert "gradient_mse" in note and "超时" in note, (result.figures, result.timing)
    assert result.timing.get("figures", 0.0) < 0.5, result.timing


def test_a_figure_is_drawn_when_nothing_it_calls_hung(graded):
    from autograder.views.figures import UNAVAILABLE
    figure = graded["everything ten times slower than the reference, and right"].figures["training"]
    assert UNAVAILABLE not in figure and len(figure["loss"]) == 1000, figure


# Judged alone (one of its helpers is wrong), a function whose loop never ends but calls a stand-in
# on every turn: each call is answered at once, so waiting for the student's own time to run out
# never ended (a whole batch waited forever). However quickly its calls are answered, such a loop
# is a hang like any other.
LOOPS_OVER_STAND_INS = {
    "ps2_gradient_descent": (
        {"gradient_descent": "def gradient_descent(f, f_prime, x0, learning_rate=0.1, max_iterations=100, tol=1e-6):\n"
                             "    return x0, [x0]\n",
         "multi_start": "def multi_start(f, f_prime, starting_points, learning_rate=0.01, max_iterations=1000):\n"
                        "    results, i = [], 0\n"
                        "    while True:   # meant to stop once every start is done\n"
                        "        i += 1\n"
                        "        x, _ = gradient_descent(f, f_prime, float(starting_points[0]) + i * 1e-7, learning_rate, 3)\n"
                        "        results.append((x, f(x)))\n"},
        "multi_start", "gradient_descent"),
    ASSIGNMENT: (
        {"mse_loss": "def mse_loss(y_true, y_pred):\n    return float(np.sum((y_true - y_pred) ** 2))\n",
         "train_linear_regression": HANGING_TRAINING.replace("while i < max_iterations:   # i never grows",
                                                             "while True:   # forgets max_iterations")
                                                    .replace("history.append", "i += 1\n        history.append")},
        "train_linear_regression", "mse_loss"),
}


@pytest.mark.parametrize("assignment", LOOPS_OVER_STAND_INS)
def test_a_loop_of_calls_to_stand_ins_is_a_hang(tmp_path, assignment):
    import threading
    cells, looping, wrong = LOOPS_OVER_STAND_INS[assignment]
    path = make_submission(assignment, tmp_path / "loop.ipynb", cells)
    box = {}
    worker = threading.Thread(target=lambda: box.update(result=grade_notebooks([path], assignment)[0]), daemon=True)
    worker.start()
    worker.join(300)
    assert not worker.is_alive(), "grading never ended"
    result = box["result"]
    assert result.status == "graded", result.error
    lost = {t.grade_id for t in result.tests if t.score < t.max_score}
    assert lost == {looping, wrong}, [(t.name, t.output[:160]) for t in result.tests if t.score < t.max_score]
    assert any(TIMED_OUT in t.output for t in result.tests if t.grade_id == looping)
    assert result.timing["total"] < 60, result.timing


# ------------------------------------------------------------ a slow helper, a correct caller

# Each helper is right and quick enough for its own tests (a few calls each), but a thousand calls
# of it, from the student's own train_linear_regression on the article's data, take longer than
# that function's budget. Judged again with stand-ins, the caller keeps its 5 points.
SLOW_HELPERS = {
    "gradient_mse prints 200 lines of 1 MB, then answers": {"gradient_mse": '''def gradient_mse(X, y, w, b):
    for _ in range(200):
        print("x" * (1 << 20))
    y_pred = linear_model(X, w, b)
    return np.array([-2 * np.mean(X * (y - y_pred)), -2 * np.mean(y - y_pred)])
'''},
    "gradient_mse sleeps 20 ms, then answers": {"gradient_mse": '''import time
def gradient_mse(X, y, w, b):
    time.sleep(0.02)
    y_pred = linear_model(X, w, b)
    return np.array([-2 * np.mean(X * (y - y_pred)), -2 * np.mean(y - y_pred)])
'''},
    "gradient_mse loops over the samples, predicting all of them for each": {
        "linear_model": SLOW_BUT_RIGHT["linear_model"],
        "gradient_mse": '''def gradient_mse(X, y, w, b):
    n = len(X)
    dw = db = 0.0
    for i in range(n):
        y_pred = linear_model(X, w, b)   # every prediction again, for one sample
        residual = float(y[i, 0] - y_pred[i, 0])
        dw += -2 * float(X[i, 0]) * residual / n
        db += -2 * residual / n
    return np.array([dw, db])
'''},
}


# A loop that never ends on two samples only: one test calls it so (its second call).
HANGS_ON_ONE_INPUT = {"mse_loss": '''def mse_loss(y_true, y_pred):
    residual = np.ravel(y_true) - np.ravel(y_pred)
    total, i = 0.0, 0
    while i < residual.size:
        total += residual[i] ** 2
        i += 1 if residual.size != 2 else 0   # a slip that only two samples reach
    return float(total / residual.size)
'''}


@pytest.fixture(scope="module")
def slow_helpers(tmp_path_factory):
    """SLOW_HELPERS and HANGS_ON_ONE_INPUT, graded in one batch."""
    folder = tmp_path_factory.mktemp("slow_helpers")
    cases = dict(SLOW_HELPERS, hangs_on_one_input=HANGS_ON_ONE_INPUT)
    paths = {label: make_submission(ASSIGNMENT, folder / f"{i}.ipynb", cells)
             for i, (label, cells) in enumerate(cases.items())}
    results = {r.submission: r for r in grade_notebooks(list(paths.values()), ASSIGNMENT)}
    return {label: results[str(path)] for label, path in paths.items()}


@pytest.mark.parametrize("label", SLOW_HELPERS)
def test_a_slow_helper_is_not_charged_to_its_caller(slow_helpers, label):
    result = slow_helpers[label]
    assert result.status == "graded", result.error
    training = [t for t in result.tests if t.grade_id == "train_linear_regression"]
    assert training and all(t.score == t.max_score for t in training), \
        [(t.name, t.output[:200]) for t in training if t.score < t.max_score]
    lost = {t.grade_id for t in result.tests if t.score < t.max_score}
    assert lost <= {"gradient_mse"}, [(t.name, t.output[:200]) for t in result.tests if t.score < t.max_score]


# ------------------------------------------------------------- a correct style under load

@pytest.fixture
def two_cpu_hogs():
    """Keep the machine busy: two processes that spin for as long as the test runs."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    yield hogs
    for hog in hogs:
        hog.kill()
        hog.wait()


def test_torch_optim_steps_get_full_marks_on_a_busy_machine(tmp_path, two_cpu_hogs):
    """momentum_step and adam_step written with torch.optim.SGD(momentum=...) / torch.optim.Adam:
    equal to the reference step for step. Their first step imports torch._dynamo (1-2 s, in every
    test's fresh process): the zygote preloads it when a notebook names torch.optim, a first call
    has its own allowance, and one timeout would cost one call, not every test of the function."""
    from catalogue.ps6_recommender import TORCH_OPTIM
    answers = {function: next(iter(styles.values())) for function, styles in TORCH_OPTIM.items()}
    path = make_submission("ps6_recommender", tmp_path / "torch_optim.ipynb", answers)
    result = grade_notebooks([path], "ps6_recommender")[0]
    assert all(hog.poll() is None for hog in two_cpu_hogs), "the machine was not kept busy"
    assert result.status == "graded", result.error
    assert result.score == result.max_score, [(t.name, t.output[:300]) for t in result.tests if t.status == "failed"]


def test_a_timeout_fails_that_call_only(slow_helpers):
    """mse_loss hangs on two samples only: the test that asks for that loses its point, and the
    function's later tests still run (one timeout is not its whole budget) and pass."""
    result = slow_helpers["hangs_on_one_input"]
    assert result.status == "graded", result.error
    failed = [t for t in result.tests if t.score < t.max_score or t.status == "failed"]
    assert [t.grade_id for t in failed] == ["mse_loss"], [(t.name, t.output[:160]) for t in failed]
    assert TIMED_OUT in failed[0].output and "2.2094533]]" in failed[0].output, failed[0].output   # n = 2
    later = [t for t in result.tests if t.grade_id == "mse_loss" and t is not failed[0]]
    assert len(later) >= 3 and all(t.status == "passed" for t in later), [(t.name, t.output[:160]) for t in later]
