"""The student side: runs notebook cells, then forks one process per test and serves its calls.

After the cells, the kernel *freezes*: it forks a template from its main thread and exits, so
threads, open files, shared memory and helper processes that the cells left behind cannot carry
anything from one test to the next. Every test is a fork of that template, in a Landlock domain
of its own (it cannot signal or ptrace the template or other tests).

Imported by the zygote before any student code exists, so the references captured here are
the real ones. Everything in these processes is untrusted once a cell has run: the trusted side
treats every reply as data to check, never as a verdict.
"""
from __future__ import annotations

import builtins
import ctypes
import linecache
import math
import os
import socket
import sys
import traceback

import numpy

from autograder.sandbox import protocol

MAX_MESSAGE = 500
CELL_PREFIX = "<cell "
PUBLIC_FILE = "<public check>"

_fork, _exit, _close, _listdir, _waitpid = os.fork, os._exit, os.close, os.listdir, os.waitpid
_gc_freeze = __import__("gc").freeze
_callable = callable
_MISS = object()
SAFE_ERRORS = {"TypeError": TypeError, "ValueError": ValueError, "IndexError": IndexError,
               "KeyError": KeyError, "ZeroDivisionError": ZeroDivisionError, "OverflowError": OverflowError,
               "FloatingPointError": FloatingPointError, "AttributeError": AttributeError}


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
    """Runs in the kernel process; `serve` answers the supervisor until the channel closes.
    `confine_test` runs in each test process before any student code (a Landlock domain)."""

    def __init__(self, channel: socket.socket, confine_test=None):
        self.channel = channel
        self.confine_test = confine_test
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
            elif op == "freeze":
                self.freeze()
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

    def freeze(self) -> None:
        """Become the template tests are forked from: a single-threaded copy of this process
        that holds no file descriptor but the channel and stdio, and no shared memory."""
        _reap()   # what the cells started and the supervisor has killed: zombies count as processes
        try:
            pid = _fork()
        except OSError as exc:
            protocol.send(self.channel, {"ok": False, "error": describe_error(exc)})
            return
        if pid != 0:
            _exit(0)   # the cells' threads end with this process
        _close_other_fds(keep={0, 1, 2, self.channel.fileno()})
        _privatise_shared_memory()
        # Every object so far into the permanent generation: a test's collections then never walk
        # (and so never copy, page by page) the heap it shares with the template.
        _gc_freeze()
        protocol.send(self.channel, {"ok": True, "pid": os.getpid()})

    def fork_test(self) -> None:
        _reap()   # earlier tests (the supervisor has read how they ended by now)
        mine, theirs = socket.socketpair()
        try:
            pid = _fork()
        except OSError as exc:
            protocol.send(self.channel, {"ok": False, "error": describe_error(exc)})
            mine.close()
            theirs.close()
            return
        if pid == 0:
            try:
                mine.close()
                self.channel.close()
                os.setpgid(0, 0)
                if self.confine_test:
                    self.confine_test()
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
        self.trusted: dict[int, tuple[object, int]] = {}   # id(function) -> (function, its number)
        self.sealed: dict[str, str] = {}                    # sealed answers for the stand-ins
        self.fn_namespace = {"np": numpy, "numpy": numpy, "math": math, "__builtins__": builtins}
        if tensor_type is not None:
            self.fn_namespace["torch"] = sys.modules["torch"]

    def serve(self) -> None:
        while True:
            try:
                request = protocol.recv(self.channel)
            except (protocol.Closed, OSError):
                return
            self.respond(request)

    def respond(self, request) -> None:
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

    # -------------------------------------------------------------- reference helpers

    def helper(self, name: str):
        """A stand-in for the graded function `name` that asks the trusted side to compute it:
        plain data goes out, plain data comes back, no reference code ever comes here. Answers
        sent ahead, sealed by their questions (protocol.seal), spare most of the round trips."""
        def helper(*args, **kwargs):
            answer = self.unseal(name, args, kwargs)
            if answer is not _MISS:
                return answer
            return self.callback(name, args, kwargs)
        helper.__name__ = helper.__qualname__ = name
        return helper

    def unseal(self, name: str, args: tuple, kwargs: dict):
        if not self.sealed:
            return _MISS
        try:
            opened = protocol.open_seal(protocol.question(name, args, kwargs), self.sealed)
            return _MISS if opened is None else protocol.unpack_answer(opened)
        except Exception:   # anything odd: ask the trusted side instead
            return _MISS

    def callback(self, name: str, args: tuple, kwargs: dict):
        _flush()
        protocol.send(self.channel, {"callback": name, "args": [self.export(a) for a in args],
                                     "kwargs": {str(k): self.export(v) for k, v in kwargs.items()}})
        while True:   # the trusted side may call back into us (a function we passed) meanwhile
            try:
                request = protocol.recv(self.channel)
            except (protocol.Closed, OSError):
                _exit(0)
            if request.get("op") != "callback_result":
                self.respond(request)
                continue
            if request.get("ok"):
                return self.resolve(request.get("value"))
            raise SAFE_ERRORS.get(str(request.get("type")), RuntimeError)(str(request.get("message", ""))[:MAX_MESSAGE])

    def export(self, value):
        """An argument for the trusted side: plain data, or a handle for a function."""
        if not _callable(value):
            return protocol.encode(value, self.tensor_type)
        entry = self.trusted.get(id(value))
        if entry is not None and entry[0] is value:
            return {"$fn": entry[1]}   # one of the trusted side's own functions: it has it
        slot = f"c{id(value)}"
        self.slots[slot] = value
        return {"$callable": slot}

    def handle(self, request: dict) -> dict:
        op = request["op"]
        if op == "get":
            return self.reply(self.resolve(request["target"]))
        if op == "call":
            if "sealed" in request:
                self.sealed = {str(entry[0]): str(entry[1]) for entry in request["sealed"]}
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
        if op == "helpers":
            for name in request["names"]:
                self.namespace[str(name)] = self.helper(str(name))
            return {"ok": True}
        if op == "follow":
            return self.follow(request)
        if op == "exec":
            if "sealed" in request:
                self.sealed = {str(entry[0]): str(entry[1]) for entry in request["sealed"]}
            code = str(request["code"])
            linecache.cache[PUBLIC_FILE] = (len(code), None, code.splitlines(True), PUBLIC_FILE)
            exec(compile(code, PUBLIC_FILE, "exec"), self.namespace)  # noqa: S102 - public, trusted code
            return {"ok": True}
        raise ValueError(f"unknown operation {op!r}")

    def follow(self, request: dict) -> dict:
        """Drive an optimiser step along a trajectory here, fed the gradient (a trusted function)
        at its own iterate and its own buffers (from zeros): one frame a step, sent without
        waiting for an answer, since a round trip cost far more than the step. The trusted side
        rebuilds every step's arguments from the frames and times each one. Ends after `steps`,
        or at the first result that is not (x, buffer, ...) as arrays of x's shape: the trusted
        side goes on one call at a time from there (testkit.student.Trajectory)."""
        target = self.resolve(request["target"])
        gradient = self.resolve(request["gradient"])
        x = numpy.array(self.resolve(request["x0"]), dtype=numpy.float64)
        buffers = [numpy.zeros_like(x) for _ in range(int(request["buffers"]))]
        layout, steps = request["layout"], int(request["steps"])
        for k in range(1, steps + 1):
            state = {"x": x, "grad": gradient(x), "step": k}
            # Constants are decoded afresh every step, as a call one at a time would send them.
            args = [state[item] if isinstance(item, str) else buffers[item] if isinstance(item, int)
                    else self.resolve(item["value"]) for item in layout]
            kwargs = {str(key): self.resolve(value) for key, value in request.get("kwargs", {}).items()}
            value = target(*args, **kwargs)
            frame = self.reply(value)
            fed = _fed_back(value, 1 + len(buffers), x.shape)
            if k == steps or fed is None or not frame["ok"]:
                return frame
            _flush()
            protocol.send(self.channel, dict(frame, more=True))
            x, buffers = fed[0], fed[1:]
        return {"ok": True, "value": None}

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
                number, source = body
                function = eval(source, self.fn_namespace)  # noqa: S307 - trusted source
                self.trusted[id(function)] = (function, number)
                return function
            if tag == "$tuple":
                return tuple(self.resolve(v) for v in body)
            if tag == "$dict":
                return {self.resolve(k): self.resolve(v) for k, v in body}
        if isinstance(data, list):
            return [self.resolve(v) for v in data]
        return protocol.decode(data)


def _fed_back(value, count: int, shape: tuple):
    """A step's result as the trusted side feeds it back (checks.as_array: float64 copies), when
    it is `count` plain arrays of x's shape; anything else, None."""
    if type(value) not in (tuple, list) or len(value) != count:
        return None
    if not all(type(v) is numpy.ndarray and v.dtype.kind in "iufb" and v.shape == shape for v in value):
        return None
    return [v.astype(numpy.float64) for v in value]


def _reap() -> None:
    while True:
        try:
            if _waitpid(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return


def _close_other_fds(keep: set[int]) -> None:
    for name in _listdir("/proc/self/fd"):
        fd = int(name)
        if fd not in keep:
            try:
                _close(fd)
            except OSError:
                pass


def _privatise_shared_memory() -> None:
    """Replace every shared mapping (mmap(-1, n), a shared file) by a private copy, so that
    what one test writes there is not seen by the next one."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
    libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    read, write, execute = 1, 2, 4
    private_anonymous_fixed = 0x02 | 0x20 | 0x10
    with open("/proc/self/maps") as maps:
        shared = [line.split()[:2] for line in maps if len(line.split()) > 1 and line.split()[1][3] == "s"]
    for span, perms in shared:
        start, end = (int(x, 16) for x in span.split("-"))
        size = end - start
        prot = (read if "r" in perms else 0) | (write if "w" in perms else 0) | (execute if "x" in perms else 0)
        if "r" not in perms and libc.mprotect(start, size, read) != 0:
            libc.munmap(ctypes.c_void_p(start), ctypes.c_size_t(size))   # unreadable: drop it
            continue
        data = ctypes.string_at(start, size)
        if libc.mmap(start, size, read | write, private_anonymous_fixed, -1, 0) != start:
            libc.munmap(ctypes.c_void_p(start), ctypes.c_size_t(size))
            continue
        ctypes.memmove(start, data, size)
        libc.mprotect(start, size, prot)


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
