"""Shared pieces of ps3's hidden suite: the data, the torch oracle of the MSE gradient, reading
what train_linear_regression returns.

The notebook asks students to build on their earlier answers: gradient_mse calls linear_model,
train_linear_regression calls all three. Their suite files declare HELPERS, and the grading
plugin judges them alone (see autograder/grading/pytest_plugin.py).
"""
from __future__ import annotations

import numpy as np

from autograder.testkit.checks import as_number, describe_type, fail
from autograder.testkit.oracle import autograd_gradient
from autograder.testkit.reference import remembered

ref = remembered(__package__.rpartition(".")[2])   # this suite's reference, solutions/<assignment>.py

# ------------------------------------------------------------------------------------ data

def article_data() -> tuple[np.ndarray, np.ndarray]:
    """The notebook's setup cell (the article's data): np.random.seed(42), 100 samples."""
    state = np.random.RandomState(42)   # the same stream as np.random.seed(42); np.random.randn
    X = state.randn(100, 1)
    y = 2 * X + 1 + 0.1 * state.randn(100, 1)
    return X, y


def noisy_line(rng, n: int, w: float, b: float, spread: float = 1.5, noise: float = 0.3):
    """n samples of shape (n, 1) near the line y = w x + b."""
    X = rng.normal(0.3, spread, size=(n, 1))
    y = w * X + b + noise * rng.normal(size=(n, 1))
    return X, y


# ------------------------------------------------------------------------------ the oracle

def mse_torch_source(X: np.ndarray, y: np.ndarray) -> str:
    """Torch source of L(v) = mean((y - (X v[0] + v[1]))²), the data embedded exactly (repr of
    Python floats round-trips), for autograd_gradient (cached: no torch import once warm)."""
    return ("lambda v: torch.mean((torch.tensor({y}, dtype=torch.float64) - "
            "(torch.tensor({X}, dtype=torch.float64) * v[0] + v[1])) ** 2)"
            ).format(y=np.asarray(y, dtype=float).tolist(), X=np.asarray(X, dtype=float).tolist())


def autograd_mse_gradient(X, y, w: float, b: float) -> np.ndarray:
    """∇L(w, b) of the MSE by torch autograd, as [dL/dw, dL/db]."""
    return autograd_gradient(mse_torch_source(X, y), np.array([w, b], dtype=np.float64))


def autograd_descent(X, y, learning_rate: float, steps: int) -> list[tuple[float, float]]:
    """(w, b) after each of `steps` gradient descent steps from (0, 0), gradients by autograd."""
    w, b, path = 0.0, 0.0, []
    for _ in range(steps):
        dw, db = autograd_mse_gradient(X, y, w, b)
        w, b = w - learning_rate * dw, b - learning_rate * db
        path.append((float(w), float(b)))
    return path


# ------------------------------------------------------------------- grading one function

def article_data_code() -> str:
    """Code defining the notebook's X and y (the setup cell's data) in the student's namespace,
    from their exact bytes (a helper under test may have changed them in place)."""
    return "".join(f"{name} = __import__('numpy').frombuffer(bytes.fromhex({array.astype('<f8').tobytes().hex()!r}), "
                   f"dtype='<f8').reshape({array.shape!r}).copy()\n"
                   for name, array in zip(("X", "y"), article_data()))


# ------------------------------------------------------------ what training gives back

KEYS = ("iteration", "loss", "w", "b")


def unpack_training(result, what: str):
    """(w, b, history) from train_linear_regression's result, or a Mistake saying what is off."""
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        shown = f"长度为 {len(result)} 的 {type(result).__name__}" if isinstance(result, (tuple, list)) \
            else describe_type(result)
        fail(f"{what} 应返回三个值 (w, b, history)，你返回的是{shown}。")
    w, b, history = result
    w = as_number(w, f"{what} 返回的 w")
    b = as_number(b, f"{what} 返回的 b")
    if not isinstance(history, (list, tuple)):
        fail(f"{what} 返回的 history 应是一个列表（list），你返回的是{describe_type(history)}。")
    return w, b, list(history)


def history_columns(history: list, what: str, length: int) -> dict[str, np.ndarray]:
    """The history's iteration, loss, w and b columns, checked for length and keys."""
    if len(history) != length:
        fail(f"{what} 的 history 应恰好有 max_iterations = {length} 条记录（每次迭代一条，不提前停止），"
             f"你的 history 有 {len(history)} 条。")
    columns = {key: [] for key in KEYS}
    for i, record in enumerate(history):
        if not isinstance(record, dict):
            fail(f"{what} 的 history 里每条记录应是一个字典（dict），第 {i} 条是{describe_type(record)}。")
        missing = [key for key in KEYS if key not in record]
        if missing:
            fail(f"{what} 的 history 第 {i} 条记录缺少键 {', '.join(repr(k) for k in missing)}"
                 "（每条记录应为 {'iteration': i, 'loss': ..., 'w': ..., 'b': ...}）。")
        for key in KEYS:
            columns[key].append(as_number(record[key], f"history 第 {i} 条记录的 {key!r}"))
    return {key: np.array(values, dtype=float) for key, values in columns.items()}
