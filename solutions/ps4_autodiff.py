"""Reference implementations of ps4_autodiff, the oracle of its hidden suite.

Generated from source/ps4_autodiff/ps4_autodiff.ipynb by `python -m autograder build`; do not edit.
"""


import math
import numpy as np
import torch


def torch_derivative(f, x):
    """用 PyTorch 自动微分求一元函数 f 在 x 处的导数。

    参数
        f: 接收一个 0 维张量、返回一个 0 维张量的函数
        x: 求导的位置（普通浮点数）
    返回
        f'(x)，Python float（计算全程使用 float64）
    """
    x_t = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
    y_t = f(x_t)
    if not y_t.requires_grad:  # f 不依赖 x：常数函数，导数为 0
        return 0.0
    y_t.backward()
    if x_t.grad is None:
        return 0.0
    return float(x_t.grad.item())


def torch_gradient(f, point):
    """用 PyTorch 自动微分求多元函数 f(x1, x2, ...) 在 point 处的梯度。

    参数
        f: 接收若干个 0 维张量（每个变量一个）、返回一个 0 维张量的函数
        point: 浮点数序列，每个变量的取值
    返回
        float64 的 NumPy 数组，第 i 个元素是 ∂f/∂x_i；f 没有用到的变量偏导数为 0.0
    """
    inputs = [torch.tensor(float(p), dtype=torch.float64, requires_grad=True) for p in point]
    z_t = f(*inputs)
    if not z_t.requires_grad:  # f 一个变量都没用到
        return np.zeros(len(inputs), dtype=np.float64)
    z_t.backward()
    return np.array([0.0 if t.grad is None else t.grad.item() for t in inputs], dtype=np.float64)


class Value:
    """计算图上的一个标量节点：保存数值 data 和梯度 grad，
    并记住自己由哪些节点（_prev）经过什么运算（_op）得到，以便反向传播。"""

    def __init__(self, data, _children=(), _op=""):
        """创建节点。

        data: 节点的数值；self.grad 初始为 0.0
        _children: 产生这个节点的输入节点（叶子节点为空元组），存为 self._prev
        _op: 产生它的运算名，存为 self._op
        另外设置 self._backward：一个不带参数的函数，叶子节点的 _backward 什么也不做
        """
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    # ---------- 基本运算：每个都返回新节点 out，并设置 out._backward ----------

    def __add__(self, other):
        """self + other；other 可以是 Value，也可以是普通数字。"""
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward

        return out

    def __mul__(self, other):
        """self * other；other 可以是 Value，也可以是普通数字。"""
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward

        return out

    def __pow__(self, other):
        """self ** other；other 是普通数字（int 或 float），不是 Value。"""
        assert isinstance(other, (int, float)), "只支持以普通数字为指数"
        out = Value(self.data ** other, (self,), f"**{other}")

        def _backward():
            self.grad += other * self.data ** (other - 1) * out.grad
        out._backward = _backward

        return out

    def exp(self):
        """e 的 self 次方。"""
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward

        return out

    def tanh(self):
        """双曲正切 tanh(self)。"""
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t ** 2) * out.grad
        out._backward = _backward

        return out

    def relu(self):
        """ReLU：max(0, self)；在 0 处的导数取 0。"""
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward():
            self.grad += (1.0 if out.data > 0 else 0.0) * out.grad
        out._backward = _backward

        return out

    # ---------- 由基本运算组合出来的运算 ----------

    def __neg__(self):
        """-self"""
        return self * -1

    def __sub__(self, other):
        """self - other"""
        return self + (-other)

    def __truediv__(self, other):
        """self / other"""
        return self * other ** -1

    def __radd__(self, other):
        """other + self，other 是普通数字"""
        return self + other

    def __rsub__(self, other):
        """other - self，other 是普通数字"""
        return other + (-self)

    def __rmul__(self, other):
        """other * self，other 是普通数字"""
        return self * other

    def __rtruediv__(self, other):
        """other / self，other 是普通数字"""
        return other * self ** -1

    # ---------- 反向传播 ----------

    def backward(self):
        """从这个节点出发做反向传播：把 self.grad 设为 1.0，
        再按拓扑顺序的逆序调用图上每个节点的 _backward，填好每个节点的 grad。"""
        # 拓扑排序：用显式的栈做深度优先搜索，节点在它的所有输入之后才进入 topo
        topo, visited = [], set()
        stack = [(self, False)]
        while stack:
            node, inputs_done = stack.pop()
            if inputs_done:
                topo.append(node)
                continue
            if node in visited:
                continue
            visited.add(node)
            stack.append((node, True))
            for child in node._prev:
                if child not in visited:
                    stack.append((child, False))

        self.grad = 1.0
        for node in reversed(topo):
            node._backward()
