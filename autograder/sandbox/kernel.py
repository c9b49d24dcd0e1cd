"""The student side: runs notebook cells, then forks one process per test and serves its calls.

Imported by the zygote before any student code exists, so the references captured here are
the real ones. Everything in these processes is untrusted once a cell has run: the trusted side
treats every reply as data to check, never as a verdict.
"""
from __future__ import annotations

import builtins
import linecache
import math
import os
import socket
import sys
import traceback

import numpy

from autograder import protocol

MAX_MESSAGE = 500
CELL_PREFIX = "<cell "
PUBLIC_FILE = "<public check>"
REFERENCE_FILE = "<reference>"

_fork, _exit, _close = os.fork, os._exit, os.close


class IPythonShim:
    """Stands in for get_ipython() so cells with magics or `!` lines run; magics do nothing."""

    def run_line_magic(self, name, line, *args, **kwargs):
        return None

    def run_cell_magic(self, name, line, cell, *args, **kwargs):
        return None

    def system(self, command, *args, **kwargs):
        return None

    def getoutput(self, command, *args, **kwargs):
        return []


def describe_error(exc: BaseException) -> dict:
    """Type, message and the student's own frames of an exception (never the grader's)."""
    try:
        message = str(exc)
    except BaseException:
        message = "<message unavailable>"
    frames = []
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith(CELL_PREFIX) or frame.filename == PUBLIC_FILE:
            frames.append(f'{frame.filename}, line {frame.lineno}, in {frame.name}: {frame.line or ""}'.strip())
    info = {"type": type(exc).__name__, "message": message[:MAX_MESSAGE], "frames": frames[-8:]}
    if isinstance(exc, SyntaxError):
        info["line"] = exc.lineno
        info["text"] = (exc.text or "").rstrip()[:MAX_MESSAGE]
    return info


class RecordingFunction:
    """A trusted callable (a lambda's source) that remembers the arguments it was called with."""

    def __init__(self, source: str, namespace: dict):
        self._function = eval(source, namespace)  # noqa: S307 - trusted source from the grader
        self.calls: list = []

    def __call__(self, *args):
        self.calls.append([numpy.array(a, copy=True) if isinstance(a, numpy.ndarray) else a for a in args])
        return self._function(*args)


class Kernel:
    """Runs in the kernel process; `serve` answers the supervisor until the channel closes."""

    def __init__(self, channel: socket.socket):
        self.channel = channel
        shim = IPythonShim()
        self.namespace: dict = {"__name__": "__main__", "__builtins__": builtins,
                                "get_ipython": lambda: shim}

    def serve(self) -> None:
        while True:
            try:
                request = protocol.recv(self.channel)
            except (protocol.Closed, OSError):
                _exit(0)
            op = request.get("op")
            if op == "cell":
                reply = self.run_cell(int(request["index"]), str(request["code"]))
                _flush()
                protocol.send(self.channel, reply)
            elif op == "test":
                self.fork_test()
            else:
                protocol.send(self.channel, {"ok": False, "error": {"type": "ProtocolError", "message": op}})

    def run_cell(self, index: int, code: str) -> dict:
        filename = f"{CELL_PREFIX}{index}>"
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        try:
            exec(compile(code, filename, "exec"), self.namespace)  # noqa: S102 - that is the job
        except BaseException as exc:  # SystemExit and KeyboardInterrupt included: a cell may raise anything
            return {"ok": False, "error": describe_error(exc)}
        return {"ok": True}

    def fork_test(self) -> None:
        mine, theirs = socket.socketpair()
        pid = _fork()
        if pid == 0:
            try:
                mine.close()
                self.channel.close()
                os.setpgid(0, 0)
                Test(theirs, self.namespace).serve()
            finally:
                _exit(0)
        theirs.close()
        protocol.send_with_fds(self.channel, {"ok": True, "pid": pid}, [mine.fileno()])
        mine.close()


class Test:
    """Serves one test in a fork of the kernel: calls, attribute reads, operators, fetches."""

    BINARY = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
              "/": lambda a, b: a / b, "**": lambda a, b: a ** b}

    def __init__(self, channel: socket.socket, namespace: dict):
        self.channel = channel
        self.namespace = namespace
        self.tensor_type = tensor_type = _tensor_type()
        self.slots: dict = {}
        self.fn_namespace = {"np": numpy, "numpy": numpy, "math": math, "__builtins__": builtins}
        if tensor_type is not None:
            self.fn_namespace["torch"] = sys.modules["torch"]

    def serve(self) -> None:
        while True:
            try:
                request = protocol.recv(self.channel)
            except (protocol.Closed, OSError):
                return
            try:
                reply = self.handle(request)
            except BaseException as exc:
                reply = {"ok": False, "error": describe_error(exc)}
            _flush()
            try:
                protocol.send(self.channel, reply)
            except (protocol.ProtocolError, ValueError, TypeError) as exc:
                protocol.send(self.channel, {"ok": False, "error": {
                    "type": "ResultError", "message": f"the value cannot be sent back: {exc}"[:MAX_MESSAGE]}})

    def handle(self, request: dict) -> dict:
        op = request["op"]
        if op == "get":
            return self.reply(self.resolve(request["target"]))
        if op == "call":
            target = self.resolve(request["target"])
            args = [self.resolve(a) for a in request.get("args", [])]
            kwargs = {str(k): self.resolve(v) for k, v in request.get("kwargs", {}).items()}
            return self.store(request, target(*args, **kwargs))
        if op == "getattr":
            return self.store(request, getattr(self.resolve(request["target"]), str(request["name"])))
        if op == "binop":
            function = self.BINARY[request["operator"]]
            return self.store(request, function(self.resolve(request["left"]), self.resolve(request["right"])))
        if op == "neg":
            return self.store(request, -self.resolve(request["target"]))
        if op == "setitem":
            container = self.resolve(request["target"])
            for key in request["path"][:-1]:
                container = container[key]
            container[request["path"][-1]] = self.resolve(request["value"])
            return {"ok": True}
        if op == "fn":
            self.slots[str(request["store"])] = RecordingFunction(str(request["source"]), self.fn_namespace)
            return {"ok": True}
        if op == "use_reference":
            # Compiled under its own file name, which tracebacks shown to students leave out.
            module = {"__name__": "reference", "__builtins__": builtins}
            exec(compile(str(request["source"]), REFERENCE_FILE, "exec"), module)  # noqa: S102 - trusted
            for name in request["names"]:
                self.namespace[str(name)] = module[str(name)]
            return {"ok": True}
        if op == "exec":
            code = str(request["code"])
            linecache.cache[PUBLIC_FILE] = (len(code), None, code.splitlines(True), PUBLIC_FILE)
            exec(compile(code, PUBLIC_FILE, "exec"), self.namespace)  # noqa: S102 - public, trusted code
            return {"ok": True}
        raise ValueError(f"unknown operation {op!r}")

    def store(self, request: dict, value) -> dict:
        if request.get("store"):
            self.slots[str(request["store"])] = value
        if request.get("fetch", True):
            return self.reply(value)
        return {"ok": True}

    def reply(self, value) -> dict:
        try:
            return {"ok": True, "value": protocol.encode(value, self.tensor_type)}
        except (protocol.ProtocolError, RecursionError) as exc:
            return {"ok": False, "error": {"type": "ResultError", "message": str(exc)}}

    def resolve(self, data):
        if isinstance(data, dict) and len(data) == 1:
            (tag, body), = data.items()
            if tag == "$ref":
                if body not in self.namespace:
                    raise NameError(f"name '{body}' is not defined")
                return self.namespace[body]
            if tag == "$slot":
                return self.slots[body]
            if tag == "$fn":
                return eval(body, self.fn_namespace)  # noqa: S307 - trusted source
            if tag == "$tuple":
                return tuple(self.resolve(v) for v in body)
            if tag == "$dict":
                return {self.resolve(k): self.resolve(v) for k, v in body}
        if isinstance(data, list):
            return [self.resolve(v) for v in data]
        return protocol.decode(data)


def _tensor_type():
    torch = sys.modules.get("torch")
    return getattr(torch, "Tensor", None)


def _flush() -> None:
    for stream in (sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except BaseException:
            pass
    for stream in (getattr(sys, "stdout", None), getattr(sys, "stderr", None)):
        try:
            stream.flush()
        except BaseException:
            pass
