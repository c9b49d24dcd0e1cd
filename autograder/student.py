"""What a hidden test holds: a proxy for the submission's code, running in its sandbox.

    def test_square(student):
        assert student.call("f", 3.0) == 9.0

    a = student.new("Value", 2.0)       # a Ref: lives in the student process
    b = (a * a + 1).tanh()              # operators and methods run there too
    b.backward()
    student.get(a.grad)                 # plain data comes back

Every value that comes back is rebuilt from JSON by `protocol.decode`; nothing the student
process sends can run code here.
"""
from __future__ import annotations

import inspect
import itertools
from dataclasses import dataclass

from autograder import protocol


PUBLIC = "公开测试"


class StudentProblem(Exception):
    """Student code did not give an answer: it raised, hung, crashed or sent garbage."""

    def __init__(self, kind: str, detail: dict, what: str = ""):
        super().__init__(kind)
        self.kind = kind        # raised | missing | timeout | died | garbage
        self.detail = detail
        self.what = what        # the call that failed, in the student's words


@dataclass(frozen=True)
class Fn:
    """A trusted function given to student code, as Python source evaluated on the student side
    with np, math (and torch, when loaded) in scope. `source` is evaluated here too, by tests
    that need the same function for the reference."""
    source: str
    describe: str = ""

    def local(self):
        import math

        import numpy as np
        namespace = {"np": np, "numpy": np, "math": math}
        return eval(self.source, namespace)  # noqa: S307 - our own constant source


class Ref:
    """A value that stays in the student process; operators and attributes build new Refs."""

    def __init__(self, student: "Student", slot: str, what: str):
        self._student = student
        self._slot = slot
        self._what = what

    def _wire(self) -> dict:
        return {"$slot": self._slot}

    def __getattr__(self, name: str) -> "Ref":
        if name.startswith("_"):
            raise AttributeError(name)
        return self._student._op({"op": "getattr", "target": self._wire(), "name": name},
                                 f"{self._what}.{name}", keep=True)

    def __call__(self, *args, **kwargs) -> "Ref":
        return self._student._call_ref(self, args, kwargs, keep=True)

    def _binary(self, operator: str, left, right, text: str) -> "Ref":
        return self._student._op({"op": "binop", "operator": operator, "left": self._student._arg(left),
                                  "right": self._student._arg(right)}, text, keep=True)

    def __add__(self, other): return self._binary("+", self, other, f"({self._what} + {_text(other)})")
    def __radd__(self, other): return self._binary("+", other, self, f"({_text(other)} + {self._what})")
    def __sub__(self, other): return self._binary("-", self, other, f"({self._what} - {_text(other)})")
    def __rsub__(self, other): return self._binary("-", other, self, f"({_text(other)} - {self._what})")
    def __mul__(self, other): return self._binary("*", self, other, f"({self._what} * {_text(other)})")
    def __rmul__(self, other): return self._binary("*", other, self, f"({_text(other)} * {self._what})")
    def __truediv__(self, other): return self._binary("/", self, other, f"({self._what} / {_text(other)})")
    def __rtruediv__(self, other): return self._binary("/", other, self, f"({_text(other)} / {self._what})")
    def __pow__(self, other): return self._binary("**", self, other, f"({self._what} ** {_text(other)})")

    def __neg__(self):
        return self._student._op({"op": "neg", "target": self._wire()}, f"(-{self._what})", keep=True)

    def __repr__(self) -> str:
        return f"Ref({self._what})"


def _text(value) -> str:
    return value._what if isinstance(value, Ref) else repr(value)


class Student:
    """One test's view of a submission. Created by the `student` fixture, one process per test."""

    def __init__(self, request, timeout: float):
        self._request = request      # callable(message: dict, timeout: float) -> Reply
        self._timeout = timeout
        self._slots = (f"s{i}" for i in itertools.count())

    # ----------------------------------------------------------------------------- calls

    def call(self, name: str, *args, **kwargs):
        """Call the submission's top-level `name` and return its result as plain data."""
        message = {"op": "call", "target": {"$ref": name}, "args": [self._arg(a) for a in args],
                   "kwargs": {k: self._arg(v) for k, v in kwargs.items()}}
        return self._value(message, _call_text(name, args, kwargs), name=name)

    def keep(self, name: str, *args, **kwargs) -> Ref:
        """Like `call`, but the result stays in the student process (for later probing)."""
        message = {"op": "call", "target": {"$ref": name}, "args": [self._arg(a) for a in args],
                   "kwargs": {k: self._arg(v) for k, v in kwargs.items()}}
        return self._op(message, _call_text(name, args, kwargs), keep=True, name=name)

    def new(self, name: str, *args) -> Ref:
        """An object of the submission's class `name`, kept in the student process."""
        return self.keep(name, *args)

    def put(self, value) -> Ref:
        """Place a value (e.g. an array whose mutation we want to detect) in the student process."""
        return self._op({"op": "call", "target": {"$fn": "lambda v: v"}, "args": [self._arg(value)]},
                        repr(value), keep=True)

    def recording(self, fn: Fn) -> Ref:
        """A trusted function that records its arguments; read them with get(ref.calls)."""
        slot = next(self._slots)
        self._send({"op": "fn", "source": fn.source, "store": slot}, fn.describe or fn.source)
        return Ref(self, slot, fn.describe or "f")

    def get(self, ref: Ref):
        return self._value({"op": "get", "target": ref._wire()}, ref._what)

    def set_item(self, ref: Ref, path: list, value) -> None:
        self._send({"op": "setitem", "target": ref._wire(), "path": path, "value": self._arg(value)}, ref._what)

    def use_reference(self, module, *names: str) -> None:
        """Replace the notebook's `names` with the reference implementations from `module` (a
        solutions module), in this test's process only: a function that calls another graded
        function is then judged on its own, whatever the student wrote in the other one."""
        source = inspect.getsource(module)
        self._send({"op": "use_reference", "source": source, "names": list(names)}, "参考实现")

    def run_public(self, code: str) -> None:
        """Run a public check cell's (trusted) code in this test's process."""
        self._send({"op": "exec", "code": code}, PUBLIC)

    def _call_ref(self, ref: Ref, args, kwargs, keep: bool):
        message = {"op": "call", "target": ref._wire(), "args": [self._arg(a) for a in args],
                   "kwargs": {k: self._arg(v) for k, v in kwargs.items()}}
        return self._op(message, _call_text(ref._what, args, kwargs), keep=keep)

    # ---------------------------------------------------------------------------- plumbing

    def _arg(self, value):
        if isinstance(value, Ref):
            return value._wire()
        if isinstance(value, Fn):
            return {"$fn": value.source}
        return protocol.encode_argument(value)

    def _op(self, message: dict, what: str, keep: bool, name: str | None = None):
        slot = next(self._slots)
        body = self._send(dict(message, store=slot, fetch=False), what, name)
        del body
        return Ref(self, slot, what)

    def _value(self, message: dict, what: str, name: str | None = None):
        body = self._send(message, what, name)
        try:
            return protocol.decode(body.get("value"))
        except (protocol.ProtocolError, KeyError, ValueError, TypeError, OverflowError) as exc:
            raise StudentProblem("garbage", {"message": str(exc)}, what) from None

    def _send(self, message: dict, what: str, name: str | None = None) -> dict:
        reply = self._request(message, self._timeout)
        if reply.status == "timeout":
            raise StudentProblem("timeout", {"seconds": self._timeout}, what)
        if reply.status != "ok":
            raise StudentProblem("died", {"signal": reply.signal, "exitcode": reply.exitcode,
                                          "message": reply.body.get("message", "")}, what)
        body = reply.body
        if not isinstance(body, dict):
            raise StudentProblem("garbage", {"message": "reply is not an object"}, what)
        if body.get("ok") is not True:
            error = body.get("error") if isinstance(body.get("error"), dict) else {}
            kind = "missing" if (name and error.get("type") == "NameError"
                                 and f"'{name}'" in str(error.get("message", ""))) else "raised"
            raise StudentProblem(kind, error, what)
        return body


def _call_text(name: str, args, kwargs) -> str:
    parts = [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _short(value) -> str:
    if isinstance(value, Fn):
        return value.describe or "f"
    if isinstance(value, Ref):
        return value._what
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
