"""The mistakes students really make in ps4 (see autograder/testkit/diagnosis.py).

torch_derivative and torch_gradient: mistake models replayed on the trusted side. The functions
the tests pass are torch source text (`f.__autograder_source__`); what a mistake gives for them
(float32 autograd, finite differences, f(x) itself) is computed once by real torch and remembered
by `oracle.memo`, like the expected values, so grading does not import torch once it is known.

Value: a class, built up through Refs, so models of calls do not apply. `Node` below is a small
trusted scalar autodiff engine with one mistake switched on; the tests (graphs.py) build the same
expression from it and name the mistake whose values the student's Value reproduces.
"""
from __future__ import annotations

import math

import numpy as np

from autograder.course.hints import formula
from autograder.testkit.diagnosis import model
from autograder.testkit.oracle import SOURCE, memo

FORMULAS = {
    "torch_derivative": "x_t = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)；y = f(x_t)；"
                        "y.backward()；return x_t.grad.item()（f 不依赖 x 时导数是 0.0）",
    "torch_gradient": "tensors = [torch.tensor(float(p), dtype=torch.float64, requires_grad=True) for p in point]；"
                      "z = f(*tensors)；z.backward()（z.requires_grad 为 False 时跳过）；"
                      "np.array([0.0 if t.grad is None else t.grad.item() for t in tensors], dtype=np.float64)",
    "Value": "每个运算：out = Value(前向的值, (self, other), 运算名)，out._backward 里用 += 把 局部导数 × out.grad "
             "加到每个输入的 grad 上；backward()：拓扑排序，self.grad = 1.0，再按逆序调用每个节点的 _backward()",
}

# ------------------------------------------------------------------ the float32 diagnosis

FLOAT32 = ("你的结果是用 float32（单精度，只有约 7 位有效数字）算出来的：torch.tensor(x) 不写 dtype、torch.Tensor([x]) "
           "得到的都是 PyTorch 默认类型的张量，而 PyTorch 的默认类型是 float32（笔记本开头的 "
           "torch.set_default_dtype(torch.float64) 只改了那个笔记本里的默认值，你的函数不能依赖它）；"
           ".float() 也会把张量变成 float32。创建输入张量时要写明类型 float64"
           + formula("，例如 torch.tensor(x, dtype=torch.float64, requires_grad=True)") + "。")
FLOAT32_RESULT = ("导数本身是对的，但你把结果存成了 float32 数组（dtype=np.float32 或 .float()），"
                  "只剩约 7 位有效数字：题目要求返回 float64 的 NumPy 数组。")


def _source(f) -> str:
    source = getattr(f, SOURCE, None)
    if source is None:
        raise TypeError("not a suite function")
    return source


def _torch_function(torch, source: str):
    return eval(source, {"torch": torch, "np": np, "math": math})  # noqa: S307 - the suite's own source


# ---------------------------------------------------------------------------- torch_derivative

H_CENTRAL, H_FORWARD = (1e-5, 1e-6), (1e-6, 1e-5)


def _derivative_answers(f, x) -> list[float]:
    """[f(x), f'(x) by autograd in float32, central differences (h = 1e-5, 1e-6), forward
    differences (h = 1e-6, 1e-5)], all but the float32 one in float64 torch; remembered."""
    source, x = _source(f), float(x)

    def compute():
        import torch

        function = _torch_function(torch, source)
        x64 = torch.tensor(x, dtype=torch.float64)
        x32 = torch.tensor(x, dtype=torch.float32, requires_grad=True)
        y32 = function(x32)
        slope32 = 0.0
        if y32.requires_grad:
            y32.backward()
            slope32 = 0.0 if x32.grad is None else x32.grad.item()
        central = [((function(x64 + h) - function(x64 - h)) / (2 * h)).item() for h in H_CENTRAL]
        forward = [((function(x64 + h) - function(x64)) / h).item() for h in H_FORWARD]
        return [function(x64).item(), slope32, *central, *forward]

    return memo("ps4-derivative-mistakes", (source, x), compute)


@model("float32", FLOAT32)
def derivative_float32(f, x):
    return _derivative_answers(f, x)[1]


@model("returns_value", "你返回的是函数值 f(x)，要返回的是导数 f'(x)：反向传播（backward）之后，导数在输入张量的 .grad 里。",
       "4")
def derivative_value(f, x):
    return _derivative_answers(f, x)[0]


_DIFFERENCE = ("你的结果恰好等于有限差分 {formula}（h = {h:g}）：这是近似值，题目要求用 torch 自动微分"
               "（automatic differentiation）求精确的导数。")


def _difference_model(index: int, formula: str, h: float):
    @model("finite_difference", _DIFFERENCE.format(formula=formula, h=h), "4")
    def difference(f, x):
        return _derivative_answers(f, x)[index]
    return difference


@model("hard_coded", "你把原文例子 y = x² + 2x + 1 的导数 2x + 2 写死了：函数要对传入的 f 求导。", "4")
def derivative_hard_coded(f, x):
    return 2.0 * x + 2.0


# ------------------------------------------------------------------------------ torch_gradient

def _gradient64(source: str, point: list[float]) -> list[float]:
    """∇f by torch autograd in float64 with the reference (as functions.gradient does: same memo)."""
    def compute():
        import torch

        from solutions import ps4_autodiff as ref
        return ref.torch_gradient(_torch_function(torch, source), point)

    return memo("partials", (source, point), compute)


def _gradient32(source: str, point: list[float]) -> list[float]:
    def compute():
        import torch

        leaves = [torch.tensor(p, dtype=torch.float32, requires_grad=True) for p in point]
        out = _torch_function(torch, source)(*leaves)
        if not out.requires_grad:
            return [0.0] * len(leaves)
        grads = torch.autograd.grad(out, leaves, allow_unused=True)
        return [0.0 if g is None else g.item() for g in grads]

    return memo("ps4-gradient-float32", (source, point), compute)


@model("float32", FLOAT32)
def gradient_float32(f, point):
    return np.array(_gradient32(_source(f), [float(p) for p in point]))


@model("float32_result", FLOAT32_RESULT)
def gradient_float32_result(f, point):
    return np.array(_gradient64(_source(f), [float(p) for p in point]), dtype=np.float32)


MISTAKES = {
    "torch_derivative": [derivative_float32, derivative_value, derivative_hard_coded,
                         _difference_model(2, "(f(x + h) − f(x − h)) / (2h)", H_CENTRAL[0]),
                         _difference_model(3, "(f(x + h) − f(x − h)) / (2h)", H_CENTRAL[1]),
                         _difference_model(4, "(f(x + h) − f(x)) / h", H_FORWARD[0]),
                         _difference_model(5, "(f(x + h) − f(x)) / h", H_FORWARD[1])],
    "torch_gradient": [gradient_float32, gradient_float32_result],
}


# ======================================================================================= Value
# Each mistake: (code, text, switches). The engine below is the micrograd design of the notebook
# (children kept in order, a recursive topological sort with a visited set); a switch changes
# exactly one thing in it.

ACCUMULATE = ("一个节点被用了不止一次时（a * a、a + a），每条路径传回的梯度都要累加：_backward 里要写 +=，"
              "不能写 =（= 会把另一条路径传回来的梯度覆盖掉）。")
TOPOLOGICAL = ("backward() 没有按拓扑顺序对每个节点恰好调用一次 _backward()：一个中间节点被用了几次时，它的梯度被往下传了几次，"
               "或者在它的 grad 还没累加完时就往下传了。要先做拓扑排序（topological sort，每个节点只进列表一次），"
               "再按逆序调用每个节点的 _backward()。")
VALUE_MISTAKES = [
    ("not_accumulated", ACCUMULATE, {"mul_assign"}),
    ("not_accumulated", ACCUMULATE, {"add_assign"}),
    ("not_accumulated", ACCUMULATE, {"mul_assign", "add_assign", "pow_assign", "unary_assign"}),
    ("topological_order", TOPOLOGICAL, {"no_visited"}),
    ("topological_order", TOPOLOGICAL, {"recursive"}),
    ("output_grad_not_seeded", "backward() 要先把输出节点自己的 grad 设为 1.0（d out / d out = 1），"
                               "再按拓扑排序的逆序调用 _backward()：否则所有梯度都是 0。", {"no_seed"}),
    ("tanh_derivative", "tanh 的局部导数要用输出 t = tanh(a)（out.data）来算；你用的是输入 a。", {"tanh_from_input"}),
    ("exp_derivative", "eᵃ 的局部导数还是 eᵃ（也就是输出 out.data）；你用的是输入 a。", {"exp_from_input"}),
    ("pow_derivative", "幂 a ** k 的局部导数：你的指数没有减 1（幂法则 power rule：指数要减 1）。", {"pow_no_minus_one"}),
    ("pow_derivative", "幂 a ** k 的局部导数：你漏了前面的因子 k（幂法则 power rule：指数要乘到前面）。", {"pow_no_k"}),
    ("relu_at_zero", "ReLU 在 a = 0 处的导数取 0（和 PyTorch 一致）：条件要写 a > 0，不是 a >= 0。", {"relu_ge"}),
    ("rsub_swapped", "2 − a 由 __rsub__ 计算，它的 self 是 a、other 是 2：要返回 other − self（例如 Value(other) - self），"
                     "你算成了 a − 2。减法不满足交换律。", {"rsub_swapped"}),
    ("rtruediv_swapped", "4 / a 由 __rtruediv__ 计算，它的 self 是 a、other 是 4：要返回 other / self（例如 Value(other) / self），"
                         "你算成了 a / 4。除法不满足交换律。", {"rtruediv_swapped"}),
    ("neg_detached", "−a 没有连到计算图上（例如新建了 Value(−a.data)），梯度传不回 a：要返回图上的新节点，例如 a * −1。",
     {"neg_detached"}),
    ("neg_detached", "−b 没有连到计算图上（例如新建了 Value(−b.data)），所以 a − b 传不回 b 的梯度："
                     "−b 要返回图上的新节点，例如 b * −1。", {"neg_detached", "sub_via_neg"}),
    ("sub_gradient_sign", "a − b 对 b 的局部导数是 −1：b 的梯度要减去 out.grad，不是加上。", {"sub_sign"}),
    ("div_gradient_sign", "a / b 对 b 的局部导数带负号（b 越大，a / b 越小）：你传给 b 的梯度正负号反了。", {"div_sign"}),
]


def value_engine(switches: frozenset | set):
    """A trusted Value class with the given mistakes switched on (no switch: the right one)."""
    on = frozenset(switches)

    def lift(x):
        return x if isinstance(x, Node) else Node(x)

    def give(node, amount, assign):
        node.grad = amount if assign else node.grad + amount

    class Node:
        def __init__(self, data, children=()):
            self.data = float(data)
            self.grad = 0.0
            self._prev = list(children)
            self._backward = lambda: None

        def __add__(self, other):
            other = lift(other)
            out = Node(self.data + other.data, (self, other))

            def backward():
                give(self, out.grad, "add_assign" in on)
                give(other, out.grad, "add_assign" in on)
            out._backward = backward
            return out

        def __mul__(self, other):
            other = lift(other)
            out = Node(self.data * other.data, (self, other))

            def backward():
                give(self, other.data * out.grad, "mul_assign" in on)
                give(other, self.data * out.grad, "mul_assign" in on)
            out._backward = backward
            return out

        def __pow__(self, k):
            out = Node(self.data ** k, (self,))

            def backward():
                if "pow_no_minus_one" in on:
                    local = k * self.data ** k
                elif "pow_no_k" in on:
                    local = self.data ** (k - 1)
                else:
                    local = k * self.data ** (k - 1)
                give(self, local * out.grad, "pow_assign" in on)
            out._backward = backward
            return out

        def _unary(self, data, local):
            out = Node(data, (self,))

            def backward():
                give(self, local(out) * out.grad, "unary_assign" in on)
            out._backward = backward
            return out

        def exp(self):
            return self._unary(math.exp(self.data), lambda out: self.data if "exp_from_input" in on else out.data)

        def tanh(self):
            return self._unary(math.tanh(self.data),
                               lambda out: 1 - (self.data if "tanh_from_input" in on else out.data) ** 2)

        def relu(self):
            gate = (lambda: self.data >= 0) if "relu_ge" in on else (lambda: self.data > 0)
            return self._unary(max(self.data, 0.0), lambda out: 1.0 if gate() else 0.0)

        def __neg__(self):
            return Node(-self.data) if "neg_detached" in on else self * -1

        def __sub__(self, other):
            other = lift(other)
            if "sub_via_neg" in on:
                return self + (-other)
            out = Node(self.data - other.data, (self, other))

            def backward():
                give(self, out.grad, "add_assign" in on)
                give(other, (1.0 if "sub_sign" in on else -1.0) * out.grad, "add_assign" in on)
            out._backward = backward
            return out

        def __truediv__(self, other):
            other = lift(other)
            out = Node(self.data / other.data, (self, other))

            def backward():
                give(self, out.grad / other.data, "mul_assign" in on)
                sign = 1.0 if "div_sign" in on else -1.0
                give(other, sign * self.data / other.data ** 2 * out.grad, "mul_assign" in on)
            out._backward = backward
            return out

        def __radd__(self, other):
            return self + other

        def __rmul__(self, other):
            return self * other

        def __rsub__(self, other):
            return self - other if "rsub_swapped" in on else lift(other) - self

        def __rtruediv__(self, other):
            return self / other if "rtruediv_swapped" in on else lift(other) / self

        def backward(self):
            if "recursive" in on:
                if "no_seed" not in on:
                    self.grad = 1.0

                def propagate(node):
                    node._backward()
                    for child in node._prev:
                        propagate(child)
                propagate(self)
                return
            order, visited = [], set()

            def build(node):
                if "no_visited" in on or id(node) not in visited:
                    visited.add(id(node))
                    for child in node._prev:
                        build(child)
                    order.append(node)
            build(self)
            if "no_seed" not in on:
                self.grad = 1.0
            for node in reversed(order):
                node._backward()

    return Node
