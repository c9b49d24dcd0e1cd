"""Driving a student's optimiser step along a trajectory and comparing it, step by step, with
torch.optim (the states after every step, from common.torch_momentum / common.torch_adam)."""
from __future__ import annotations

import numpy as np

from autograder.testkit.checks import as_array, fail, is_close
from autograder.testkit.tolerances import SAME_FORMULA, TORCH_OPTIMISER
from .common import MUTATES_INPUT, Problem, unpack


def follow(student, grade_id: str, problem: Problem, x0, expected: np.ndarray, names: tuple[str, ...],
           layout: tuple, kwargs: dict, what: str, hints: dict[str, str], compare: tuple[str, ...] | None = None) -> None:
    """Start from x0 and zero buffers; at step k (from 1) call grade_id with `layout` (its
    positional arguments: "x", a buffer's name, "grad" — the gradient of `problem` at the student's
    own x —, "k", or a constant) and `kwargs`; compare x and every buffer (or only those in
    `compare`) with torch's after that step (expected: (steps, 1 + len(names), *shape)). The
    student's own results are fed back either way; their process drives the steps
    (Student.trajectory), each one still timed, recorded and checked here."""
    tokens = {"x": "x", "grad": "grad", "k": "step", **{name: i for i, name in enumerate(names)}}
    wire = tuple(tokens[item] if isinstance(item, str) else ("value", item) for item in layout)
    steps = student.trajectory(grade_id, problem.gradient, x0, len(names), wire, kwargs, len(expected))
    gradient = problem.gradient.local()
    x = np.array(x0, dtype=np.float64)
    buffers = [np.zeros_like(x) for _ in names]
    for k in range(1, len(expected) + 1):
        state = {"x": x, "grad": gradient(x), "k": k, **dict(zip(names, buffers))}
        args = [state[item] if isinstance(item, str) else item for item in layout]
        values = unpack(steps.call(*args, **kwargs), 1 + len(names),
                        "(x_new, " + ", ".join(f"{n}_new" for n in names) + ")", f"{what}的第 {k} 步")
        arrays = []
        for name, value in zip(("x",) + names, values):
            array = as_array(value, f"{what}第 {k} 步返回的 {name}_new")
            if array.shape != x.shape:
                fail(f"{what}第 {k} 步返回的 {name}_new 的形状应与输入相同，即 {x.shape}，你的是 {array.shape}。")
            arrays.append(array)
        for index, (name, array) in enumerate(zip(("x",) + names, arrays)):
            if compare is not None and name not in compare:
                continue
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
            fail(f"调用 {what} 之后，传入的 {name} 被改变了。{hint}", diagnosis=MUTATES_INPUT)


def expect_shape_generic(student, grade_id: str, names: tuple[str, ...], arrays: list[np.ndarray], rest: tuple,
                         kwargs: dict, what: str) -> None:
    """The step works element by element, whatever the shape: called on a (2, 3) array, a (1,) array
    and a 0-d array it gives, in the same shapes, exactly what it gives on the same numbers as a
    flat (6,) array. Compared with the student's own flat result, so that this tests shapes only."""
    flat = [a.reshape(6) for a in arrays]
    reference = unpack(student.call(grade_id, *flat, *rest, **kwargs), len(names), f"({', '.join(names)})",
                       f"{what}（长度为 6 的一维数组）")
    reference = [as_array(v, f"{what}（长度为 6 的一维数组）返回的 {n}") for n, v in zip(names, reference)]
    for shape, cut in (((2, 3), lambda a: a.reshape(2, 3)), ((1,), lambda a: a[:1]), ((), lambda a: a[0].reshape(()))):
        call = f"{what}（形状为 {shape} 的数组）"
        values = unpack(student.call(grade_id, *[cut(a) for a in flat], *rest, **kwargs), len(names),
                        f"({', '.join(names)})", call)
        for name, value, full in zip(names, values, reference):
            array = as_array(value, f"{call} 返回的 {name}")
            if array.shape != shape:
                fail(f"{call} 返回的 {name} 的形状应与输入相同，即 {shape}，你的是 {array.shape}。")
            if full.shape != (6,) or not is_close(array, cut(full), **SAME_FORMULA):
                fail(f"{call} 返回的 {name} 与把同样的数排成一维数组时的结果不一致：每个元素应独立地按同一个公式计算，"
                     "与数组的形状无关。")
