"""One expression, built twice by the same Python function: from the student's `Value` objects
(Refs: the operators run in the student process) and from torch float64 tensors here. The
forward values (.data) and, after backward(), the gradients (.grad) are compared.

torch's answers are remembered by `oracle.memo`, keyed by the builder's source and the inputs,
so that grading does not import torch once they are known."""
from __future__ import annotations

import inspect
import re
from contextlib import contextmanager

import numpy as np

from autograder.course.hints import formula
from autograder.testkit.checks import Mistake, expect_number, explain
from autograder.testkit.diagnosis import same
from autograder.testkit.oracle import memo
from autograder.testkit.student import StudentProblem
from autograder.testkit.tolerances import AUTOGRAD
from .mistakes import VALUE_MISTAKES, value_engine


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
    with value_errors_named():
        mine = {name: student.new("Value", value) for name, value in inputs.items()}
        out = build(**mine)
        got = student.get(out.data)
        with mistake_named(build, inputs, [got]):
            expect_number(got, data, f"{where}：out.data", **AUTOGRAD, hint=hint)
        out.backward()
        grads = [student.get(mine[name].grad) for name in inputs]
        with mistake_named(build, inputs, [got], grads, lambda: [student.get(out.grad)]):
            for name, mine_grad, grad in zip(inputs, grads, leaf_grads):
                expect_number(mine_grad, grad, f"{where}；调用 out.backward() 之后，{name}.grad", **AUTOGRAD, hint=hint)


def check_nodes(student, text: str, build, inputs: dict, hint: str) -> None:
    """nodes = build(**leaves), a dict of named intermediate nodes whose last entry is the output:
    the data of every node, then the grad of every node (leaves included) after backward()."""
    where = f"{setup_text(inputs)}；{text}"
    expected = _torch_nodes(build, inputs, text)
    with value_errors_named():
        mine = {name: student.new("Value", value) for name, value in inputs.items()}
        my_nodes = build(**mine)
        count = len(my_nodes)
        data, grads, leaf_grads = expected[:count], expected[count:2 * count], expected[2 * count:]
        got = [student.get(node.data) for node in my_nodes.values()]
        with mistake_named(build, inputs, got):
            for name, mine_data, value in zip(my_nodes, got, data):
                expect_number(mine_data, value, f"{where}：{name}.data", **AUTOGRAD, hint=hint)
        output = list(my_nodes)[-1]
        my_nodes[output].backward()
        node_grads = [student.get(node.grad) for node in my_nodes.values()]
        my_leaf_grads = [student.get(mine[name].grad) for name in inputs]
        with mistake_named(build, inputs, got, my_leaf_grads, node_grads):
            for name, mine_grad, grad in list(zip(my_nodes, node_grads, grads))[::-1]:
                expect_number(mine_grad, grad, f"{where}；调用 {output}.backward() 之后，{name}.grad",
                              **AUTOGRAD, hint=hint)
            for name, mine_grad, grad in zip(inputs, my_leaf_grads, leaf_grads):
                expect_number(mine_grad, grad, f"{where}；调用 {output}.backward() 之后，{name}.grad",
                              **AUTOGRAD, hint=hint)


# ------------------------------------------------------------------------ naming the mistake

def _engine_values(build, inputs: dict, switches) -> tuple[list, list, list]:
    """(data of the nodes, leaf grads, node grads) of the expression built from the trusted
    engine with `switches` on."""
    Node = value_engine(switches)
    leaves = {name: Node(value) for name, value in inputs.items()}
    built = build(**leaves)
    nodes = list(built.values()) if isinstance(built, dict) else [built]
    data = [n.data for n in nodes]
    nodes[-1].backward()
    return data, [leaves[name].grad for name in inputs], [n.grad for n in nodes]


@contextmanager
def mistake_named(build, inputs: dict, data: list, leaf_grads: list | None = None, node_grads=None):
    """When a check inside fails, name the mistake whose engine (mistakes.VALUE_MISTAKES)
    reproduces everything observed of the student's Value on this expression: the data, and
    after backward() the grads (`node_grads` may be a function that fetches them: only asked
    for on failure). A failed check means the student differs from the right engine, so a match
    names a real difference."""
    try:
        yield
    except Mistake as mistake:
        if mistake.diagnosis is None:
            if callable(node_grads):
                try:
                    node_grads = node_grads()
                except StudentProblem:
                    node_grads = [None]
            for code, text, switches in VALUE_MISTAKES:
                try:
                    with np.errstate(all="ignore"):
                        engine = _engine_values(build, inputs, switches)
                except (ArithmeticError, TypeError, ValueError, RecursionError):
                    continue
                observed = [data, leaf_grads, node_grads]
                if all(seen is None or same(list(seen), list(model)) for seen, model in zip(observed, engine)):
                    raise Mistake(str(mistake), (code, text)) from None
        raise


NOT_WRAPPED = ("和普通数字运算时，数字没有先包装成 Value：other.data 对 float / int 不存在。"
               + formula("在运算开头写 other = other if isinstance(other, Value) else Value(other)。"))
REFLECTED = {"+": "__radd__", "*": "__rmul__", "-": "__rsub__", "/": "__rtruediv__"}


def value_error(problem: StudentProblem) -> tuple[str, str] | None:
    """The mistake an error raised by the student's Value names, if it is one we know."""
    if problem.kind != "raised":
        return None
    kind, message = problem.detail.get("type"), str(problem.detail.get("message", ""))
    if kind == "AttributeError" and re.search(r"'(float|int)' object has no attribute '(data|grad|_prev|_backward)'",
                                              message):
        return "number_not_wrapped", NOT_WRAPPED
    found = re.search(r"unsupported operand type\(s\) for ([-+*/]): '(float|int)' and 'Value'", message)
    if kind == "TypeError" and found:
        operator = found.group(1)
        return ("missing_reflected",
                f"数字在左边时（例如 2 {operator} a），Python 先试 float 的运算，失败后调用 Value 的 "
                f"{REFLECTED[operator]}：这个方法没有定义。"
                + (formula("它一行就够：return self + other。") if operator == "+" else
                   formula("它一行就够：return self * other。") if operator == "*" else
                   "注意它的 self 在右边：算的是 other " + operator + " self。"))
    return None


@contextmanager
def value_errors_named():
    """An error the student's Value raised, named when value_error knows it."""
    try:
        yield
    except StudentProblem as problem:
        named = value_error(problem)
        if named is None:
            raise
        raise Mistake(explain(problem), named) from None
