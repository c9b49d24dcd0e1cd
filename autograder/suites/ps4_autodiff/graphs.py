"""One expression, built twice by the same Python function: from the student's `Value` objects
(Refs: the operators run in the student process) and from torch float64 tensors here. The
forward values (.data) and, after backward(), the gradients (.grad) are compared.

torch's answers are remembered by `oracle.memo`, keyed by the builder's source and the inputs,
so that grading does not import torch once they are known."""
from __future__ import annotations

import inspect

from autograder.checks import expect_number
from autograder.oracle import memo
from autograder.tolerances import AUTOGRAD


def setup_text(inputs: dict) -> str:
    return "，".join(f"{name} = Value({value!r})" for name, value in inputs.items())


def _torch_nodes(build, inputs: dict, text: str) -> list[float]:
    """[data of each node..., grad of each node..., grad of each input...] computed by torch;
    `build` returns the output tensor or a dict of named nodes ending with the output."""
    def compute():
        import torch

        leaves = {name: torch.tensor(float(v), dtype=torch.float64, requires_grad=True)
                  for name, v in inputs.items()}
        built = build(**leaves)
        nodes = built if isinstance(built, dict) else {"out": built}
        for tensor in nodes.values():
            if tensor.requires_grad and not tensor.is_leaf:
                tensor.retain_grad()
        list(nodes.values())[-1].backward()
        grad = lambda t: 0.0 if t.grad is None else t.grad.item()  # noqa: E731
        return ([t.item() for t in nodes.values()] + [grad(t) for t in nodes.values()]
                + [grad(leaves[name]) for name in inputs])

    key = (inspect.getsource(build), text, sorted((k, float(v)) for k, v in inputs.items()))
    return memo("value-graph", key, compute)


def check_expression(student, text: str, build, inputs: dict, hint: str) -> None:
    """out = build(**leaves): out.data, then every leaf's grad after out.backward()."""
    where = f"{setup_text(inputs)}；out = {text}"
    expected = _torch_nodes(build, inputs, text)
    data, leaf_grads = expected[0], expected[2:]
    mine = {name: student.new("Value", value) for name, value in inputs.items()}
    out = build(**mine)
    expect_number(student.get(out.data), data, f"{where}：out.data", **AUTOGRAD, hint=hint)
    out.backward()
    for name, grad in zip(inputs, leaf_grads):
        expect_number(student.get(mine[name].grad), grad,
                      f"{where}；调用 out.backward() 之后，{name}.grad", **AUTOGRAD, hint=hint)


def check_nodes(student, text: str, build, inputs: dict, hint: str) -> None:
    """nodes = build(**leaves), a dict of named intermediate nodes whose last entry is the output:
    the data of every node, then the grad of every node (leaves included) after backward()."""
    where = f"{setup_text(inputs)}；{text}"
    expected = _torch_nodes(build, inputs, text)
    mine = {name: student.new("Value", value) for name, value in inputs.items()}
    my_nodes = build(**mine)
    count = len(my_nodes)
    data, grads, leaf_grads = expected[:count], expected[count:2 * count], expected[2 * count:]
    for (name, node), value in zip(my_nodes.items(), data):
        expect_number(student.get(node.data), value, f"{where}：{name}.data", **AUTOGRAD, hint=hint)
    output = list(my_nodes)[-1]
    my_nodes[output].backward()
    for (name, node), grad in list(zip(my_nodes.items(), grads))[::-1]:
        expect_number(student.get(node.grad), grad,
                      f"{where}；调用 {output}.backward() 之后，{name}.grad", **AUTOGRAD, hint=hint)
    for name, grad in zip(inputs, leaf_grads):
        expect_number(student.get(mine[name].grad), grad,
                      f"{where}；调用 {output}.backward() 之后，{name}.grad", **AUTOGRAD, hint=hint)
