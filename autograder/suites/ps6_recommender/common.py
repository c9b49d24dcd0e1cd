"""What ps6's hidden tests share: random rating data, the torch oracles, and readers that turn
what student code returned into arrays (or a Mistake in the student's terms).

The oracles run real torch in float64 on the trusted side and are remembered by `oracle.memo`
(keyed by the sources and the exact input bytes), so that grading does not import torch once
the answers are known:

- `autograd_mf_gradients`: the gradient of mf_loss by torch autograd, through indexing with
  repeated ids (torch's index backward accumulates, as np.add.at does);
- `autograd_descent`: full-batch gradient descent on mf_loss with autograd gradients, from
  the reference init_factors;
- `torch_momentum` / `torch_adam`: the state after every step of `torch.optim.SGD(momentum=β,
  dampening=0)` and `torch.optim.Adam` on a fixed test function (its gradient by autograd).

Student optimiser steps are driven by the gradient of the same test function at the student's
own iterate (`Problem.gradient`, numpy), and compared step by step.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograder.testkit.checks import as_array, as_number, describe_type, fail
from autograder.testkit.oracle import Fn, memo
from autograder.testkit.reference import remembered

ref = remembered(__package__.rpartition(".")[2])   # this suite's reference, solutions/<assignment>.py

# --------------------------------------------------------------------------------- data

NO_RETURN = ("no_return", "函数没有返回值（返回了 None）：是不是忘了写 return？")
MUTATES_INPUT = ("mutates_input", "你的函数改掉了调用者传入的数组：原地（in-place）运算（x -= …、v *= …、+=、"
                 "np.add.at 作用在参数上，或 a = b 之后再改 a，a 和 b 是同一个数组）会修改传入的数据。"
                 "结果要放在新的数组里（或先 .copy()）。")


def rating_data(rng, n_users: int, n_items: int, m: int, rank: int, unique: bool = False):
    """Random factors U (n_users, rank), V (n_items, rank) and m ratings. With `unique`, no user and
    no item is rated twice (m <= min(n_users, n_items)); otherwise ids repeat (m > n_users, n_items
    makes sure of it) and the ids are int64 arrays, as in the notebook."""
    U = rng.normal(0, 0.8, size=(n_users, rank))
    V = rng.normal(0, 0.8, size=(n_items, rank))
    if unique:
        users = rng.permutation(n_users)[:m]
        items = rng.permutation(n_items)[:m]
    else:
        users = rng.integers(0, n_users, size=m)
        items = rng.integers(0, n_items, size=m)
        users[:2], items[:2] = users[2], items[3]     # at least one user and one item twice
    ratings = rng.integers(-2, 3, size=m).astype(float)
    return U, V, users.astype(np.int64), items.astype(np.int64), ratings


def has_repeats(ids) -> bool:
    return len(np.unique(ids)) < len(ids)


# ----------------------------------------------------------------------- the mf oracles


def _torch_mf_loss(torch, U, V, users, items, ratings, reg):
    prediction = (U[torch.as_tensor(users)] * V[torch.as_tensor(items)]).sum(dim=1)
    target = torch.tensor(ratings, dtype=torch.float64)
    return torch.mean((prediction - target) ** 2) + reg * ((U ** 2).sum() + (V ** 2).sum())


def autograd_mf_gradients(U, V, users, items, ratings, reg):
    """(dU, dV): the gradient of mf_loss by torch autograd in float64."""
    U, V = np.asarray(U, dtype=np.float64), np.asarray(V, dtype=np.float64)
    users, items = np.asarray(users, dtype=np.int64), np.asarray(items, dtype=np.int64)
    ratings = np.asarray(ratings, dtype=np.float64)

    def compute():
        import torch

        tU = torch.tensor(U, dtype=torch.float64, requires_grad=True)
        tV = torch.tensor(V, dtype=torch.float64, requires_grad=True)
        _torch_mf_loss(torch, tU, tV, users, items, ratings, float(reg)).backward()
        return np.concatenate([tU.grad.numpy().ravel(), tV.grad.numpy().ravel()]).tolist()

    values = np.array(memo("ps6 mf gradients", (U, V, users, items, ratings, float(reg)), compute))
    return values[:U.size].reshape(U.shape), values[U.size:].reshape(V.shape)


def autograd_descent(users, items, ratings, n_users, n_items, rank, learning_rate, epochs, reg, seed):
    """[(U, V) after each epoch] of full-batch gradient descent on mf_loss, gradients by torch
    autograd, from the reference init_factors(n_users, n_items, rank, seed)."""
    from solutions import ps6_recommender as ref

    users, items = np.asarray(users, dtype=np.int64), np.asarray(items, dtype=np.int64)
    ratings = np.asarray(ratings, dtype=np.float64)
    U0, V0 = ref.init_factors(n_users, n_items, rank, seed)

    def compute():
        import torch

        U, V, out = torch.tensor(U0), torch.tensor(V0), []
        for _ in range(epochs):
            U.requires_grad_(True)
            V.requires_grad_(True)
            _torch_mf_loss(torch, U, V, users, items, ratings, float(reg)).backward()
            with torch.no_grad():
                U, V = U - learning_rate * U.grad, V - learning_rate * V.grad
            out.extend(U.numpy().ravel().tolist() + V.numpy().ravel().tolist())
        return out

    values = np.array(memo("ps6 mf descent", (U0, V0, users, items, ratings, float(learning_rate), int(epochs),
                                              float(reg)), compute))
    size = U0.size + V0.size
    return [(values[k * size:k * size + U0.size].reshape(U0.shape),
             values[k * size + U0.size:(k + 1) * size].reshape(V0.shape)) for k in range(epochs)]


# ----------------------------------------------------------------- optimiser test functions


@dataclass(frozen=True)
class Problem:
    """A smooth test function: torch source (a scalar of a float64 tensor x) for torch.optim, and
    its gradient as numpy source, which drives the student's steps in their process (a trusted
    Fn) and is computed here again for each step's record."""
    torch_source: str
    gradient_source: str
    describe: str

    @property
    def gradient(self) -> Fn:
        return Fn(self.gradient_source)


DOUBLE_WELL = Problem("lambda x: torch.sum(x**4 - 3 * x**2 + x)", "lambda x: 4 * x**3 - 6 * x + 1",
                      "f(x) = x⁴ − 3x² + x")
VALLEY = Problem("lambda x: 0.5 * (x[0]**2 + 10 * x[1]**2 + 0.1 * x[2]**2) + 0.25 * x[0]**4",
                 "lambda x: np.array([x[0] + x[0]**3, 10 * x[1], 0.1 * x[2]])",
                 "f(x) = (x₀² + 10x₁² + 0.1x₂²)/2 + x₀⁴/4")
_CENTRES = [[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]]
LOG_COSH = Problem(f"lambda x: torch.sum(torch.log(torch.cosh(x - torch.tensor({_CENTRES!r}, dtype=torch.float64))))",
                   f"lambda x: np.tanh(x - np.array({_CENTRES!r}))", "f(X) = Σ ln cosh(Xᵢⱼ − Cᵢⱼ)（X 是 2×3 的数组）")


def _torch_run(problem: Problem, x0: np.ndarray, make_optimizer, buffers: tuple[str, ...], steps: int) -> list:
    import torch

    function = eval(problem.torch_source, {"torch": torch})  # noqa: S307 - our own constant source
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer(torch, [x])
    out = []
    for _ in range(steps):
        optimizer.zero_grad()
        function(x).backward()
        optimizer.step()
        out.extend(x.detach().numpy().ravel().tolist())
        for name in buffers:
            out.extend(optimizer.state[x][name].numpy().ravel().tolist())
    return out


def _states(values, x0: np.ndarray, steps: int, count: int) -> np.ndarray:
    """(steps, count, *shape): after each step, x and the optimiser's buffers."""
    return np.array(values, dtype=np.float64).reshape((steps, count) + x0.shape)


def torch_momentum(problem: Problem, x0, learning_rate: float, beta: float, steps: int) -> np.ndarray:
    """After each step of torch.optim.SGD(lr, momentum=beta, dampening=0): [x, momentum_buffer]."""
    x0 = np.asarray(x0, dtype=np.float64)

    def compute():
        return _torch_run(problem, x0, lambda torch, params: torch.optim.SGD(
            params, lr=learning_rate, momentum=beta, dampening=0), ("momentum_buffer",), steps)

    values = memo("ps6 torch sgd momentum", (problem.torch_source, x0, float(learning_rate), float(beta), steps), compute)
    return _states(values, x0, steps, 2)


def torch_adam(problem: Problem, x0, steps: int, learning_rate: float, beta1: float = 0.9, beta2: float = 0.999,
               eps: float = 1e-8) -> np.ndarray:
    """After each step of torch.optim.Adam(lr, betas=(beta1, beta2), eps): [x, exp_avg, exp_avg_sq]."""
    x0 = np.asarray(x0, dtype=np.float64)

    def compute():
        return _torch_run(problem, x0, lambda torch, params: torch.optim.Adam(
            params, lr=learning_rate, betas=(beta1, beta2), eps=eps), ("exp_avg", "exp_avg_sq"), steps)

    values = memo("ps6 torch adam", (problem.torch_source, x0, float(learning_rate), float(beta1), float(beta2),
                                     float(eps), steps), compute)
    return _states(values, x0, steps, 3)


# ------------------------------------------------------------------------ reading results


def unpack(result, count: int, names: str, call: str) -> list:
    """A tuple (or list) of `count` values, or a Mistake saying what came back instead."""
    if not isinstance(result, (tuple, list)) or len(result) != count:
        got = f"{len(result)} 个值" if isinstance(result, (tuple, list)) else describe_type(result)
        fail(f"{call} 应返回 {count} 个值 {names}（写 return {names.strip('()')}），你返回的是 {got}。",
             diagnosis=NO_RETURN if result is None else
             ("return_values", f"要返回 {count} 个值：return {names.strip('()')}（一个元组），"
                               "不要只返回其中一个，也不要放进别的容器。"))
    return list(result)


def array_of_shape(value, shape: tuple, what: str) -> np.ndarray:
    """`value` as a float64 array of exactly `shape` (a 0-d result may be a number)."""
    array = as_array(value, what)
    if array.shape != tuple(shape):
        fail(f"{what} 的形状（shape）应是 {tuple(shape)}，你的结果是 {array.shape}。")
    return array


def number_list(history, what: str) -> np.ndarray:
    """A list (tuple, 1-D array) of numbers as a float64 array."""
    if isinstance(history, np.ndarray) and history.ndim == 1:
        history = list(history)
    if not isinstance(history, (list, tuple)):
        fail(f"{what} 应是一个列表（list），你返回的是{describe_type(history)}。")
    return np.array([as_number(value, f"{what} 里的元素") for value in history], dtype=np.float64)
