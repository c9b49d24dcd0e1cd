"""One expression, built twice by the same Python function: from the student's `Value` objects
(Refs: the operators run in the student process) and from torch float64 tensors here. The
forward values (.data) and, after backward(), the gradients (.grad) are compared."""
from __future__ import annotations

import torch

from autograder.checks import expect_number
from autograder.tolerances import AUTOGRAD


def leaf(value: float) -> torch.Tensor:
    return torch.tensor(float(value), dtype=torch.float64, requires_grad=True)


def setup_text(inputs: dict) -> str:
    return "，".join(f"{name} = Value({value!r})" for name, value in inputs.items())


def _grad(tensor: torch.Tensor) -> float:
    return 0.0 if tensor.grad is None else tensor.grad.item()


def check_expression(student, text: str, build, inputs: dict, hint: str) -> None:
    """out = build(**leaves): out.data, then every leaf's grad after out.backward()."""
    where = f"{setup_text(inputs)}；out = {text}"
    mine = {name: student.new("Value", value) for name, value in inputs.items()}
    theirs = {name: leaf(value) for name, value in inputs.items()}
    out, expected = build(**mine), build(**theirs)
    expect_number(student.get(out.data), expected.item(), f"{where}：out.data", **AUTOGRAD, hint=hint)
    expected.backward()
    out.backward()
    for name in inputs:
        expect_number(student.get(mine[name].grad), _grad(theirs[name]),
                      f"{where}；调用 out.backward() 之后，{name}.grad", **AUTOGRAD, hint=hint)


def check_nodes(student, text: str, build, inputs: dict, hint: str) -> None:
    """nodes = build(**leaves), a dict of named intermediate nodes whose last entry is the output:
    the data of every node, then the grad of every node (leaves included) after backward()."""
    where = f"{setup_text(inputs)}；{text}"
    mine = {name: student.new("Value", value) for name, value in inputs.items()}
    theirs = {name: leaf(value) for name, value in inputs.items()}
    my_nodes, their_nodes = build(**mine), build(**theirs)
    for tensor in their_nodes.values():
        tensor.retain_grad()
    for name, node in my_nodes.items():
        expect_number(student.get(node.data), their_nodes[name].item(), f"{where}：{name}.data", **AUTOGRAD,
                      hint=hint)
    output = list(my_nodes)[-1]
    their_nodes[output].backward()
    my_nodes[output].backward()
    for name, node in list(my_nodes.items())[::-1]:
        expect_number(student.get(node.grad), _grad(their_nodes[name]),
                      f"{where}；调用 {output}.backward() 之后，{name}.grad", **AUTOGRAD, hint=hint)
    for name in inputs:
        expect_number(student.get(mine[name].grad), _grad(theirs[name]),
                      f"{where}；调用 {output}.backward() 之后，{name}.grad", **AUTOGRAD, hint=hint)
