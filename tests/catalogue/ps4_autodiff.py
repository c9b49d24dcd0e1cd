"""ps4_autodiff: realistic mistakes (WRONG) and correct answers written differently (RIGHT).

The Value entries are a micrograd-style class written independently of the notebook (VALUE,
itself a RIGHT answer) and single mutations of it, so each WRONG Value differs in one place."""


def _mutate(base: str, old: str, new: str) -> str:
    assert base.count(old) == 1, f"{old!r} must occur exactly once"
    return base.replace(old, new)


TORCH_DERIVATIVE = (
    "import torch\n"
    "def torch_derivative(f, x):\n"
    "    x_t = torch.tensor(x, dtype=torch.float64, requires_grad=True)\n"
    "    y = f(x_t)\n"
    "    y.backward()\n"
    "    return x_t.grad.item()\n")

TORCH_GRADIENT = (
    "import numpy as np\n"
    "import torch\n"
    "def torch_gradient(f, point):\n"
    "    inputs = [torch.tensor(float(p), dtype=torch.float64, requires_grad=True) for p in point]\n"
    "    z = f(*inputs)\n"
    "    if not z.requires_grad:\n"
    "        return np.zeros(len(inputs))\n"
    "    z.backward()\n"
    "    return np.array([0.0 if t.grad is None else t.grad.item() for t in inputs])\n")

VALUE = '''import math

class Value:
    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = list(_children)
        self._op = _op

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")
        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")
        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k):
        out = Value(self.data ** k, (self,), f"**{k}")
        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")
        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")
        def _backward():
            self.grad += (1 - t ** 2) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")
        def _backward():
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad
        out._backward = _backward
        return out

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data - other.data, (self, other), "-")
        def _backward():
            self.grad += out.grad
            other.grad -= out.grad
        out._backward = _backward
        return out

    def __truediv__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data / other.data, (self, other), "/")
        def _backward():
            self.grad += out.grad / other.data
            other.grad -= self.data / other.data ** 2 * out.grad
        out._backward = _backward
        return out

    def __radd__(self, other):
        return self + other

    def __rsub__(self, other):
        return Value(other) - self

    def __rmul__(self, other):
        return self * other

    def __rtruediv__(self, other):
        return Value(other) / self

    def backward(self):
        topo = []
        visited = set()
        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)
        build_topo(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()
'''

VALUE_LOCAL_DERIVATIVES = '''import math

class Value:
    """Each node keeps its inputs and the local derivatives; backward() uses Kahn's algorithm."""

    def __init__(self, data, _children=(), _op="", _local=()):
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_children)
        self._op = _op
        self._local = tuple(_local)

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    @staticmethod
    def _lift(x):
        return x if isinstance(x, Value) else Value(x)

    def _unary(self, data, local, op):
        return Value(data, (self,), op, (local,))

    def __add__(self, other):
        other = Value._lift(other)
        return Value(self.data + other.data, (self, other), "+", (1.0, 1.0))
    __radd__ = __add__

    def __mul__(self, other):
        other = Value._lift(other)
        return Value(self.data * other.data, (self, other), "*", (other.data, self.data))
    __rmul__ = __mul__

    def __pow__(self, k):
        return self._unary(self.data ** k, k * self.data ** (k - 1), f"**{k}")

    def __neg__(self):
        return self._unary(-self.data, -1.0, "neg")

    def __sub__(self, other):
        return self + (-Value._lift(other))

    def __rsub__(self, other):
        return Value._lift(other) - self

    def __truediv__(self, other):
        return self * Value._lift(other) ** -1

    def __rtruediv__(self, other):
        return Value._lift(other) / self

    def exp(self):
        e = math.exp(self.data)
        return self._unary(e, e, "exp")

    def tanh(self):
        e2 = math.exp(2 * self.data)
        t = (e2 - 1) / (e2 + 1)
        return self._unary(t, 1 - t * t, "tanh")

    def relu(self):
        return self._unary(max(0.0, self.data), float(self.data > 0), "relu")

    def backward(self):
        uses = {}                       # how many times each node is an input of another node
        stack, seen = [self], {id(self)}
        while stack:
            node = stack.pop()
            for parent in node._prev:
                uses[id(parent)] = uses.get(id(parent), 0) + 1
                if id(parent) not in seen:
                    seen.add(id(parent))
                    stack.append(parent)
        self.grad = 1.0
        ready = [self]
        while ready:
            node = ready.pop()
            for parent, local in zip(node._prev, node._local):
                parent.grad += local * node.grad
                uses[id(parent)] -= 1
                if uses[id(parent)] == 0:
                    ready.append(parent)
'''

WRONG = {
    "torch_derivative": {
        "returns f(x) instead of the derivative": _mutate(TORCH_DERIVATIVE, "    return x_t.grad.item()\n",
                                                          "    return y.item()\n"),
        "float32 tensor": _mutate(TORCH_DERIVATIVE, "torch.float64", "torch.float32"),
        "returns the grad tensor": _mutate(TORCH_DERIVATIVE, "x_t.grad.item()", "x_t.grad"),
        "central difference instead of autograd": (
            "import torch\n"
            "def torch_derivative(f, x, h=1e-5):\n"
            "    x_t = torch.tensor(float(x), dtype=torch.float64)\n"
            "    return float((f(x_t + h) - f(x_t - h)) / (2 * h))\n"),
        "no dtype: integer x gives an integer tensor": _mutate(TORCH_DERIVATIVE, "dtype=torch.float64, ", ""),
        "hard-coded derivative of the article's function": "def torch_derivative(f, x):\n    return 2.0 * x + 2.0\n",
        "one input tensor reused across calls": (
            "import torch\n"
            "_x_t = torch.zeros((), dtype=torch.float64, requires_grad=True)\n"
            "def torch_derivative(f, x):\n"
            "    with torch.no_grad():\n"
            "        _x_t.fill_(x)\n"
            "    f(_x_t).backward()\n"
            "    return _x_t.grad.item()\n"),
        # float32 written as real-world code writes it: right in the notebook, whose first cell
        # sets torch's default dtype to float64, but float32 under PyTorch's own default.
        "torch.Tensor([x]) (float32 by default)": _mutate(
            TORCH_DERIVATIVE, "    x_t = torch.tensor(x, dtype=torch.float64, requires_grad=True)\n",
            "    x_t = torch.Tensor([x])\n    x_t.requires_grad_()\n"),
        "torch.tensor(float(x)) without a dtype": _mutate(
            TORCH_DERIVATIVE, "torch.tensor(x, dtype=torch.float64, requires_grad=True)",
            "torch.tensor(float(x), requires_grad=True)"),
        ".float() on the input": _mutate(
            TORCH_DERIVATIVE, "torch.tensor(x, dtype=torch.float64, requires_grad=True)",
            "torch.tensor(float(x)).float().requires_grad_()"),
    },
    "torch_gradient": {
        "returns a list": _mutate(TORCH_GRADIENT,
                                  "    return np.array([0.0 if t.grad is None else t.grad.item() for t in inputs])\n",
                                  "    return [0.0 if t.grad is None else t.grad.item() for t in inputs]\n"),
        "no None check for unused variables": (
            "import numpy as np\n"
            "import torch\n"
            "def torch_gradient(f, point):\n"
            "    inputs = [torch.tensor(float(p), dtype=torch.float64, requires_grad=True) for p in point]\n"
            "    f(*inputs).backward()\n"
            "    return np.array([t.grad.item() for t in inputs])\n"),
        "assumes two variables": (
            "import numpy as np\n"
            "import torch\n"
            "def torch_gradient(f, point):\n"
            "    x1 = torch.tensor(float(point[0]), dtype=torch.float64, requires_grad=True)\n"
            "    x2 = torch.tensor(float(point[1]), dtype=torch.float64, requires_grad=True)\n"
            "    z = f(x1, x2)\n"
            "    z.backward()\n"
            "    return np.array([x1.grad.item(), x2.grad.item()])\n"),
        "float32 tensors": _mutate(TORCH_GRADIENT, "torch.float64", "torch.float32"),
        "backward on a constant output": _mutate(TORCH_GRADIENT,
                                                 "    if not z.requires_grad:\n        return np.zeros(len(inputs))\n", ""),
        "float32 result array": _mutate(TORCH_GRADIENT, "for t in inputs])\n", "for t in inputs], dtype=np.float32)\n"),
        "passes the list instead of unpacking it": _mutate(TORCH_GRADIENT, "z = f(*inputs)", "z = f(inputs)"),
        "torch.tensor(float(p)) without a dtype": _mutate(TORCH_GRADIENT, "dtype=torch.float64, ", ""),
        "torch.Tensor(point), unpacked": (
            "import numpy as np\n"
            "import torch\n"
            "def torch_gradient(f, point):\n"
            "    x = torch.Tensor(list(point))\n"
            "    x.requires_grad_()\n"
            "    out = f(*x)\n"
            "    if not out.requires_grad:\n"
            "        return np.zeros(len(point))\n"
            "    out.backward()\n"
            "    return x.grad.numpy().astype(np.float64)\n"),
        ".float() on the inputs": _mutate(TORCH_GRADIENT, "torch.tensor(float(p), dtype=torch.float64, requires_grad=True)",
                                          "torch.tensor(float(p)).float().requires_grad_()"),
    },
    "Value": {
        "= instead of += in __mul__": _mutate(VALUE, "            self.grad += other.data * out.grad\n"
                                                     "            other.grad += self.data * out.grad\n",
                                                     "            self.grad = other.data * out.grad\n"
                                                     "            other.grad = self.data * out.grad\n"),
        "tanh derivative from the input": _mutate(VALUE, "(1 - t ** 2)", "(1 - self.data ** 2)"),
        "relu gradient 1 at zero": _mutate(VALUE, "(1.0 if self.data > 0 else 0.0)", "(1.0 if self.data >= 0 else 0.0)"),
        "__rsub__ computes self - other": _mutate(VALUE, "return Value(other) - self", "return self - other"),
        "__rtruediv__ computes self / other": _mutate(VALUE, "return Value(other) / self", "return self / other"),
        "pow derivative without the -1": _mutate(VALUE, "k * self.data ** (k - 1)", "k * self.data ** k"),
        "exp derivative from the input": _mutate(VALUE, "self.grad += out.data * out.grad",
                                                 "self.grad += self.data * out.grad"),
        "__neg__ detached from the graph": _mutate(VALUE, "return self * -1", "return Value(-self.data)"),
        "numbers not wrapped in __mul__": _mutate(VALUE, "    def __mul__(self, other):\n"
                                                         "        other = other if isinstance(other, Value) else Value(other)\n",
                                                         "    def __mul__(self, other):\n"),
        "no __radd__": _mutate(VALUE, "    def __radd__(self, other):\n        return self + other\n\n", ""),
        "subtraction gradient sign": _mutate(VALUE, "other.grad -= out.grad", "other.grad += out.grad"),
        "division: wrong sign for the denominator": _mutate(VALUE, "other.grad -= self.data / other.data ** 2",
                                                            "other.grad += self.data / other.data ** 2"),
        "backward does not seed grad = 1.0": _mutate(VALUE, "        self.grad = 1.0\n", ""),
        "topological sort without a visited set": _mutate(
            VALUE, "            if v not in visited:\n"
                   "                visited.add(v)\n"
                   "                for child in v._prev:\n"
                   "                    build_topo(child)\n"
                   "                topo.append(v)\n",
                   "            for child in v._prev:\n"
                   "                build_topo(child)\n"
                   "            topo.append(v)\n"),
        "backward recursion instead of a topological order": _mutate(
            VALUE, VALUE[VALUE.index("    def backward(self):"):],
            "    def backward(self):\n"
            "        self.grad = 1.0\n"
            "        self._propagate()\n\n"
            "    def _propagate(self):\n"
            "        self._backward()\n"
            "        for child in self._prev:\n"
            "            child._propagate()\n"),
    },
}

RIGHT = {
    "torch_derivative": {
        "torch.autograd.grad": (
            "import torch\n"
            "def torch_derivative(f, x):\n"
            "    point = torch.as_tensor(float(x), dtype=torch.float64).requires_grad_()\n"
            "    (slope,) = torch.autograd.grad(f(point), point)\n"
            "    return slope.item()\n"),
        "helper, print, np.float64": (
            "import numpy as np\n"
            "import torch\n"
            "def _leaf(value):\n"
            "    return torch.tensor(float(value), dtype=torch.float64, requires_grad=True)\n"
            "def torch_derivative(f, x):\n"
            "    t = _leaf(x)\n"
            "    y = f(t)\n"
            "    y.backward()\n"
            "    print('f(x) =', y.item(), \"f'(x) =\", t.grad.item())\n"
            "    return np.float64(t.grad.numpy())\n"),
        "plain steps": TORCH_DERIVATIVE,
    },
    "torch_gradient": {
        "one tensor, unpacked": (
            "import numpy as np\n"
            "import torch\n"
            "def torch_gradient(f, point):\n"
            "    x = torch.tensor(np.asarray(point, dtype=np.float64), requires_grad=True)\n"
            "    out = f(*x)\n"
            "    if not out.requires_grad:\n"
            "        return np.zeros(len(x))\n"
            "    out.backward()\n"
            "    return x.grad.detach().numpy().copy()\n"),
        "torch.autograd.grad with allow_unused and a print": (
            "import numpy as np\n"
            "import torch\n"
            "def torch_gradient(func, values):\n"
            "    leaves = tuple(torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for v in values)\n"
            "    value = func(*leaves)\n"
            "    grads = [None] * len(leaves)\n"
            "    if value.requires_grad:\n"
            "        grads = torch.autograd.grad(value, leaves, allow_unused=True)\n"
            "    result = np.zeros(len(leaves), dtype=np.float64)\n"
            "    for i, g in enumerate(grads):\n"
            "        if g is not None:\n"
            "            result[i] = g.item()\n"
            "    print('gradient:', result)\n"
            "    return result\n"),
        "list of leaves": TORCH_GRADIENT,
    },
    "Value": {
        "micrograd with recursive topological sort": VALUE,
        "local derivatives and Kahn's algorithm": VALUE_LOCAL_DERIVATIVES,
    },
}

DIAGNOSES = {
    "torch_derivative": {
        "returns f(x) instead of the derivative": "returns_value",
        "float32 tensor": "float32",
        "returns the grad tensor": "returns_tensor",
        "central difference instead of autograd": "finite_difference",
        "no dtype: integer x gives an integer tensor": "integer_tensor",
        "hard-coded derivative of the article's function": "hard_coded",
        "one input tensor reused across calls": "grad_accumulates",
        "torch.Tensor([x]) (float32 by default)": "float32",
        "torch.tensor(float(x)) without a dtype": "float32",
        ".float() on the input": "float32",
    },
    "torch_gradient": {
        "returns a list": "not_an_array",
        "no None check for unused variables": "unused_variable",
        "assumes two variables": "fixed_variable_count",
        "float32 tensors": "float32",
        "backward on a constant output": "unused_variable",
        "float32 result array": "float32_result",
        "passes the list instead of unpacking it": "not_unpacked",
        "torch.tensor(float(p)) without a dtype": "float32",
        "torch.Tensor(point), unpacked": "float32",
        ".float() on the inputs": "float32",
    },
    "Value": {
        "= instead of += in __mul__": "not_accumulated",
        "tanh derivative from the input": "tanh_derivative",
        "relu gradient 1 at zero": "relu_at_zero",
        "__rsub__ computes self - other": "rsub_swapped",
        "__rtruediv__ computes self / other": "rtruediv_swapped",
        "pow derivative without the -1": "pow_derivative",
        "exp derivative from the input": "exp_derivative",
        "__neg__ detached from the graph": "neg_detached",
        "numbers not wrapped in __mul__": "number_not_wrapped",
        "no __radd__": "missing_reflected",
        "subtraction gradient sign": "sub_gradient_sign",
        "division: wrong sign for the denominator": "div_gradient_sign",
        "backward does not seed grad = 1.0": "output_grad_not_seeded",
        "topological sort without a visited set": "topological_order",
        "backward recursion instead of a topological order": "topological_order",
    },
}
