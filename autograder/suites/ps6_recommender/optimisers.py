"""Driving a student's optimiser step along a trajectory and comparing it, step by step, with
torch.optim (the states after every step, from common.torch_momentum / common.torch_adam)."""
from __future__ import annotations

import numpy as np

from autograder.checks import as_array, fail, is_close
from autograder.tolerances import TORCH_OPTIMISER
from .common import Problem, unpack


def follow(student, grade_id: str, problem: Problem, x0, expected: np.ndarray, names: tuple[str, ...],
           call, what: str, hints: dict[str, str]) -> None:
    """Start from x0 and zero buffers; at step k (from 1) feed the gradient of `problem` at the
    student's own x and call `call(x, buffers, grad, k)` -> the arguments of grade_id; compare x and
    every buffer with torch's after that step (expected: (steps, 1 + len(names), *shape))."""
    x = np.array(x0, dtype=np.float64)
    buffers = [np.zeros_like(x) for _ in names]
    for k in range(1, len(expected) + 1):
        args, kwargs = call(x, buffers, problem.gradient(x), k)
        values = unpack(student.call(grade_id, *args, **kwargs), 1 + len(names),
                        "(x_new, " + ", ".join(f"{n}_new" for n in names) + ")", f"{what}的第 {k} 步")
        arrays = []
        for name, value in zip(("x",) + names, values):
            array = as_array(value, f"{what}第 {k} 步返回的 {name}_new")
            if array.shape != x.shape:
                fail(f"{what}第 {k} 步返回的 {name}_new 的形状应与输入相同，即 {x.shape}，你的是 {array.shape}。")
            arrays.append(array)
        for index, (name, array) in enumerate(zip(("x",) + names, arrays)):
            if not is_close(array, expected[k - 1, index], **TORCH_OPTIMISER):
                where = "第 1 步就" if k == 1 else f"前 {k - 1} 步都对，第 {k} 步"
                fail(f"{what}：{where}与 PyTorch 的结果不一致（返回的 {name}_new）。{hints[name]}")
        x, buffers = arrays[0], arrays[1:]


def expect_unchanged(student, grade_id: str, arrays: dict, args_after, what: str, hint: str) -> None:
    """Call grade_id with the arrays placed in the student process; every one must be unchanged."""
    kept = {name: student.put(value) for name, value in arrays.items()}
    args, kwargs = args_after(kept)
    student.call(grade_id, *args, **kwargs)
    for name, value in arrays.items():
        if not np.array_equal(as_array(student.get(kept[name]), f"调用之后的 {name}"), value):
            fail(f"调用 {what} 之后，传入的 {name} 被改变了。{hint}")
