"""Held-out mistakes of ps4, from public repositories (see __init__.py). Each case:
label -> (answer cell, the diagnosis code it should get, where the mistake was seen). The
Value cases are the reference class with the student's slip put in (the rest of their class
followed the same micrograd design)."""
from helpers import reference_answers

_VALUE = reference_answers("ps4_autodiff")["Value"]


def _value(*edits: tuple[str, str]) -> str:
    code = _VALUE
    for old, new in edits:
        assert old in code, old
        code = code.replace(old, new)
    return code


TD = "import torch\ndef torch_derivative(f, x):\n"
TG = "import torch\nimport numpy as np\ndef torch_gradient(f, point):\n"

CASES = {
    "torch_derivative": {
        "a one-element tensor, returns x.grad itself": (
            TD + (
                "    x = torch.tensor([x], requires_grad=True)\n"
                "    y = f(x)\n"
                "    y.backward()\n"
                "    return x.grad\n"),
            "integer_tensor+returns_tensor",   # (label corrected: torch.tensor([x]) of an integer x cannot require grad)
            "code search: x = torch.tensor([1.0], requires_grad=True); y = f(x); y.backward(); print(x.grad)"),
    },
    "torch_gradient": {
        "a list of the gradients": (
            TG + (
                "    inputs = [torch.tensor(float(p), dtype=torch.float64, requires_grad=True) for p in point]\n"
                "    z = f(*inputs)\n"
                "    z.backward()\n"
                "    return [t.grad.item() for t in inputs]\n"),
            "not_an_array+unused_variable",   # (label corrected: t.grad.item() fails where f does not use t)
            "code search: x, w, b = torch.tensor(..., requires_grad=True); y.backward(); print(x.grad, w.grad, b.grad)"),
    },
    "Value": {
        "= instead of += in +, * and tanh": (
            _value(("            self.grad += out.grad\n            other.grad += out.grad\n",
                    "            self.grad = out.grad\n            other.grad = out.grad\n"),
                   ("            self.grad += other.data * out.grad\n            other.grad += self.data * out.grad\n",
                    "            self.grad = other.data * out.grad\n            other.grad = self.data * out.grad\n"),
                   ("            self.grad += (1 - t ** 2) * out.grad\n",
                    "            self.grad = (1 - t ** 2) * out.grad\n")),
            "not_accumulated",
            "QingZhou-YangHY/Micrograd engine.py"),
        "= instead of += in + only": (
            _value(("            self.grad += out.grad\n            other.grad += out.grad\n",
                    "            self.grad = out.grad * 1.0\n            other.grad = out.grad * 1.0\n")),
            "not_accumulated",
            "code search: class Value(data, grad=0.0, ...) with self.grad = out.grad * 1.0 in __add__"),
    },
}
