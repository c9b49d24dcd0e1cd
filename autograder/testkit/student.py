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

import copy
import ctypes
import itertools
import queue
import threading
import time
from dataclasses import dataclass

import numpy as np

from autograder.sandbox import protocol
from autograder.testkit.budget import UNKNOWN, Budgets, Hangs
from autograder.testkit.diagnosis import Call, Raised
from autograder.testkit.oracle import Fn
from autograder.testkit.reference import call_key


PUBLIC = "公开测试"
CALLBACK_ALLOWANCE = 0.002   # seconds granted per callback for the round trip itself
CALLBACK_WALL = 3            # a call with callbacks ends after this many budgets of wall time, answers included


class StudentProblem(Exception):
    """Student code did not give an answer: it raised, hung, crashed or sent garbage."""

    def __init__(self, kind: str, detail: dict, what: str = "", name: str | None = None):
        super().__init__(kind)
        self.kind = kind        # raised | missing | timeout | died | garbage
        self.detail = detail
        self.what = _text_of(what)   # the call that failed, in the student's words
        self.name = name        # the graded function or class it called, when known


class Ref:
    """A value that stays in the student process; operators and attributes build new Refs."""

    def __init__(self, student: "Student", slot: str, what: str, owner: str | None = None):
        self._student = student
        self._slot = slot
        self._what = _text_of(what)
        self._owner = owner     # the graded function or class it came from (its budget, its hangs)

    def _wire(self) -> dict:
        return {"$slot": self._slot}

    def __getattr__(self, name: str) -> "Ref":
        if name.startswith("_"):
            raise AttributeError(name)
        return self._student._op({"op": "getattr", "target": self._wire(), "name": name},
                                 f"{self._what}.{name}", keep=True, owner=self._owner)

    def __call__(self, *args, **kwargs) -> "Ref":
        return self._student._call_ref(self, args, kwargs, keep=True)

    def _binary(self, operator: str, left, right, text: str) -> "Ref":
        return self._student._op({"op": "binop", "operator": operator, "left": self._student._arg(left),
                                  "right": self._student._arg(right)}, text, keep=True, owner=self._owner)

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
        return self._student._op({"op": "neg", "target": self._wire()}, f"(-{self._what})", keep=True,
                                 owner=self._owner)

    def __repr__(self) -> str:
        return f"Ref({self._what})"


def _text(value) -> str:
    return value._what if isinstance(value, Ref) else repr(value)


class Student:
    """One test's view of a submission. Created by the `student` fixture, one process per test.

    Every request has a budget (see autograder/testkit/budget.py). `alone` says whether the code called
    now is the student's function by itself (its helpers, if any, replaced by the reference):
    only then is running out of budget charged to the function."""

    def __init__(self, request, budgets: Budgets | None = None, hangs: Hangs | None = None, restart=None,
                 answers: dict | None = None):
        self._request = request      # callable(message: dict, timeout: float) -> Reply
        self._budgets = budgets or Budgets(None)
        self._hangs = hangs if hangs is not None else Hangs()
        self._restart = restart      # callable() -> a new `request`, talking to a fresh process
        self._slots = (f"s{i}" for i in itertools.count())
        self._fns: list[Fn] = []     # trusted functions sent there, by number
        self._local_fns: dict[int, object] = {}
        self._helpers: dict[str, object] = {}
        self._called: set[str] = set()    # functions called in this process (their first call is done)
        self._public: list[str] = []      # public check code run so far in this process, in order
        self._answers = answers           # the submission's answers with its own code, by call (figures reuse them)
        self._last_raw = None
        self._more = False                # the last reply said more replies follow (a Trajectory)
        self.alone = True
        self.subject: str | None = None   # the function the current test grades
        self.calls: list[Call] = []       # this run's calls with plain inputs

    def restart(self) -> None:
        """Continue in a fresh process (a new fork of the notebook's state), own functions only."""
        if self._restart is None:
            raise RuntimeError("this student cannot be restarted")
        self._request = self._restart()
        self._fns, self._local_fns, self._helpers, self._public = [], {}, {}, []
        self._called = set()
        self.calls = []

    # ----------------------------------------------------------------------------- calls

    def call(self, name: str, *args, **kwargs):
        """Call the submission's top-level `name` and return its result as plain data."""
        budget = self._budget_for(name, args, kwargs)
        message = {"op": "call", "target": {"$ref": name}, "args": [self._arg(a) for a in args],
                   "kwargs": {k: self._arg(v) for k, v in kwargs.items()}, **self._sealed(name, args, kwargs)}
        return self._call_with(name, args, kwargs, message, budget)

    def trajectory(self, name: str, gradient: Fn, x0, buffers: int, layout: tuple, kwargs: dict,
                   steps: int) -> "Trajectory":
        """An optimiser step `name` called `steps` times from x0 and zero buffers, each time on
        its own last result and the gradient at its own x. `layout` gives the arguments: "x",
        "grad", "step" (k, from 1), a buffer's index, or ("value", constant). Read the steps in
        order with Trajectory.call(*args, **kwargs), passing the arguments the step gets."""
        arguments = [item if isinstance(item, (str, int)) else {"value": self._arg(item[1])} for item in layout]
        message = {"op": "follow", "target": {"$ref": name}, "gradient": self._arg(gradient),
                   "x0": self._arg(np.array(x0, dtype=np.float64)), "buffers": buffers, "layout": arguments,
                   "kwargs": {k: self._arg(v) for k, v in kwargs.items()}, "steps": steps}
        return Trajectory(self, name, message)

    def _call_with(self, name: str, args, kwargs, message: dict | None, budget: float):
        """The result of a call of `name` (sent as `message`; None: its reply is on its way)."""
        try:
            result = self._value(message, lambda: _call_text(name, args, kwargs), name=name, budget=budget)
        except StudentProblem as problem:
            if problem.kind == "raised":
                self._record(name, args, kwargs, Raised(str(problem.detail.get("type", "Exception"))))
            raise
        self._record(name, args, kwargs, result)
        if self._answers is not None and not self._helpers:
            key = answer_key(name, args, kwargs)
            if key is not None:
                self._answers[key] = self._last_raw   # as it came over the wire: decoded afresh when reused
        return result

    def _record(self, name: str, args, kwargs, result) -> None:
        """Keep the call for the diagnosis, which replays it through the mistake models."""
        try:
            self.calls.append(Call(name, tuple(_local(a) for a in args), {k: _local(v) for k, v in kwargs.items()},
                                   result))
        except _NotLocal:
            pass

    def keep(self, name: str, *args, **kwargs) -> Ref:
        """Like `call`, but the result stays in the student process (for later probing)."""
        budget = self._budget_for(name, args, kwargs)
        message = {"op": "call", "target": {"$ref": name}, "args": [self._arg(a) for a in args],
                   "kwargs": {k: self._arg(v) for k, v in kwargs.items()}, **self._sealed(name, args, kwargs)}
        return self._op(message, _call_text(name, args, kwargs), keep=True, name=name, owner=name, budget=budget)

    def new(self, name: str, *args) -> Ref:
        """An object of the submission's class `name`, kept in the student process."""
        return self.keep(name, *args)

    def put(self, value) -> Ref:
        """Place a value (e.g. an array whose mutation we want to detect) in the student process."""
        ref = self._op({"op": "call", "target": self._arg(Fn("lambda v: v")), "args": [self._arg(value)]},
                       repr(value), keep=True)
        ref._placed = copy.deepcopy(value)   # as it went in: what a diagnosis replays
        return ref

    def recording(self, fn: Fn) -> Ref:
        """A trusted function that records its arguments; read them with get(ref.calls)."""
        slot = next(self._slots)
        self._send({"op": "fn", "source": fn.source, "store": slot}, fn.describe or fn.source)
        return Ref(self, slot, fn.describe or "f")

    def get(self, ref: Ref):
        return self._value({"op": "get", "target": ref._wire()}, ref._what, owner=ref._owner)

    def set_item(self, ref: Ref, path: list, value) -> None:
        self._send({"op": "setitem", "target": ref._wire(), "path": path, "value": self._arg(value)}, ref._what)

    def use_helpers(self, helpers: dict) -> None:
        """Replace the notebook's functions `helpers` (name -> trusted implementation) by stand-ins
        that call back here, in this test's process only: a function that calls other graded
        functions is then judged on its own. Nothing of the implementations goes there."""
        self._helpers.update(helpers)
        self._send({"op": "helpers", "names": list(helpers)}, "参考实现")

    def run_public(self, code: str) -> None:
        """Run a public check cell's (trusted) code in this test's process."""
        subject = self.subject
        if subject in self._hangs:
            raise StudentProblem("timeout", {"earlier": True}, PUBLIC, subject)
        seconds = self._budgets.timed.get(subject, UNKNOWN / 20) if subject else UNKNOWN / 20
        budget = self._first_call(subject, self._budgets.scaled(10 * seconds))   # usually its first call here
        self._public.append(code)
        message = {"op": "exec", "code": code}
        reference = self._budgets.reference
        if self._helpers and reference is not None:
            sealed = reference.sealed_answers_for_code(tuple(self._public), tuple(self._helpers))
            if sealed:
                message["sealed"] = protocol.prepared(sealed)
        self._send(message, PUBLIC, budget=budget)

    def _call_ref(self, ref: Ref, args, kwargs, keep: bool):
        message = {"op": "call", "target": ref._wire(), "args": [self._arg(a) for a in args],
                   "kwargs": {k: self._arg(v) for k, v in kwargs.items()}}
        if keep:
            return self._op(message, _call_text(ref._what, args, kwargs), keep=True, owner=ref._owner)
        return self._value(message, lambda: _call_text(ref._what, args, kwargs), owner=ref._owner)

    # ---------------------------------------------------------------------------- plumbing

    def _sealed(self, name: str, args, kwargs) -> dict:
        """With stand-ins in place, the answers they will be asked on a correct answer's path,
        sealed (protocol.seal): one message instead of a round trip per helper call."""
        reference = self._budgets.reference
        if not self._helpers or name != self.subject or reference is None:
            return {}
        try:
            local = (tuple(_local(a) for a in args), {k: _local(v) for k, v in kwargs.items()})
        except _NotLocal:
            return {}
        entries = reference.sealed_answers(name, tuple(self._helpers), *local)
        return {"sealed": protocol.prepared(entries)} if entries else {}

    def _budget_for(self, name: str, args, kwargs) -> float:
        if name in self._hangs:
            raise StudentProblem("timeout", {"earlier": True}, _call_text(name, args, kwargs), name)
        try:
            local = ([_local(a) for a in args], {k: _local(v) for k, v in kwargs.items()})
        except _NotLocal:
            budget = self._budgets.scaled(self._budgets.timed.get(name, UNKNOWN))
        else:
            budget = self._budgets.for_call(name, tuple(local[0]), local[1])
        return self._first_call(name, budget)

    def _first_call(self, name: str | None, budget: float) -> float:
        """`budget`, with the first-call allowance if `name` has not been called in this process yet
        (one-off costs such as lazy imports) and has never run out of time (then it did not help)."""
        if not name or name in self._called or name in self._hangs.lost:
            return budget
        self._called.add(name)
        return self._budgets.first(budget)

    def _arg(self, value):
        if isinstance(value, Ref):
            return value._wire()
        if isinstance(value, Fn):
            self._fns.append(value)
            return {"$fn": [len(self._fns) - 1, value.source]}
        if isinstance(value, (list, tuple)) and any(isinstance(v, (Fn, Ref)) for v in value):
            items = [self._arg(v) for v in value]
            return items if isinstance(value, list) else {"$tuple": items}
        return protocol.encode_argument(value)

    def _op(self, message: dict, what: str, keep: bool, name: str | None = None, owner: str | None = None,
            budget: float | None = None):
        slot = next(self._slots)
        self._send(dict(message, store=slot, fetch=False), what, name or owner, budget)
        return Ref(self, slot, what, owner)

    def _value(self, message: dict, what: str, name: str | None = None, owner: str | None = None,
               budget: float | None = None):
        body = self._send(message, what, name or owner, budget)
        self._more = body.get("more") is True
        self._last_raw = body.get("value")
        try:
            return protocol.decode(self._last_raw)
        except (protocol.ProtocolError, KeyError, ValueError, TypeError, OverflowError) as exc:
            raise StudentProblem("garbage", {"message": str(exc)}, what) from None

    def _send(self, message: dict, what: str, name: str | None = None, budget: float | None = None) -> dict:
        """One request; `name` is the graded function or class whose code it runs (if any)."""
        if budget is None:
            budget = self._budgets.scaled(self._budgets.timed.get(name, UNKNOWN / 20) if name else UNKNOWN / 20)
        begun = time.monotonic()
        deadline, stop = begun + budget, begun + CALLBACK_WALL * budget
        credit = budget   # round-trip allowance left: all of it together at most the budget itself
        looped = False
        reply = self._request(message, budget)
        while reply.ok and isinstance(reply.body, dict) and "callback" in reply.body:
            # The student's code called a graded function we replaced: answer, then keep waiting.
            # Our time answering is not theirs; but a loop of calls that never ends is a hang
            # however quickly each one is answered.
            started = time.monotonic()
            if started > min(deadline, stop):
                looped = True
                break
            try:
                answer = self._answer_callback(reply.body, what, max(min(deadline, stop) - started, 0.0))
            except StudentProblem as problem:   # it asked the reference for too much: its own hang
                if problem.kind == "timeout":
                    self._charge(name, budget, begun)
                raise
            granted = min(CALLBACK_ALLOWANCE, credit)
            credit -= granted
            deadline += time.monotonic() - started + granted
            reply = self._request(answer, max(min(deadline, stop) - time.monotonic(), 0.001))
        if looped or reply.status == "timeout":
            self._charge(name, budget, begun)
            raise StudentProblem("timeout", {"seconds": round(budget, 1)}, what, name)
        if reply.status != "ok":
            raise StudentProblem("died", {"signal": reply.signal, "exitcode": reply.exitcode,
                                          "message": reply.body.get("message", "")}, what, name)
        body = reply.body
        if not isinstance(body, dict):
            raise StudentProblem("garbage", {"message": "reply is not an object"}, what, name)
        if body.get("ok") is not True:
            error = body.get("error") if isinstance(body.get("error"), dict) else {}
            kind = "missing" if (name and error.get("type") == "NameError"
                                 and f"'{name}'" in str(error.get("message", ""))) else "raised"
            raise StudentProblem(kind, error, what, name)
        return body

    def _charge(self, name: str | None, budget: float, begun: float) -> None:
        """A call of `name` ran out of time: judged alone, it pays out of its whole budget."""
        if name and self.alone:
            self.charge(name, max(budget, time.monotonic() - begun))

    def charge(self, name: str, seconds: float) -> None:
        """`name` lost `seconds` to a timeout of its own (budget.Hangs)."""
        self._hangs.charge(name, seconds, self._budgets.whole(name))

    # ------------------------------------------------------------------ helper callbacks

    def _answer_callback(self, body: dict, what: str, seconds: float) -> dict:
        name = body.get("callback")
        function = self._helpers.get(name) if isinstance(name, str) else None
        if function is None:
            return {"op": "callback_result", "ok": False, "type": "NameError", "message": f"no helper {name!r}"}
        try:
            args = [self._import(protocol.decode(a)) for a in body["args"]]
            kwargs = {str(k): self._import(protocol.decode(v)) for k, v in body["kwargs"].items()}
        except (protocol.ProtocolError, KeyError, ValueError, TypeError, IndexError, AttributeError) as exc:
            raise StudentProblem("garbage", {"message": str(exc)}, what) from None
        try:
            with _time_limit(max(seconds, 0.05)):
                value = function(*args, **kwargs)
            return {"op": "callback_result", "ok": True, "value": protocol.encode(value)}
        except HelperTimeout:
            # The student asked the reference for more work than their own budget allows.
            raise StudentProblem("timeout", {"seconds": round(seconds, 1)}, f"{name}（参考实现，由 {_text_of(what)} 调用）") from None
        except StudentProblem:
            raise
        except Exception as exc:   # the student passed arguments the reference cannot take
            return {"op": "callback_result", "ok": False, "type": type(exc).__name__,
                    "message": f"{name} 的参数有误：{exc}"[:500]}

    def _import(self, value):
        """An argument from the student side: their functions become callables that call back."""
        if isinstance(value, dict) and len(value) == 1:
            (tag, body), = value.items()
            if tag == "$fn" and isinstance(body, int) and 0 <= body < len(self._fns):
                if body not in self._local_fns:
                    self._local_fns[body] = self._fns[body].local()
                return self._local_fns[body]
            if tag == "$callable" and isinstance(body, str):
                ref = Ref(self, body, "你传入的函数")
                return lambda *args, **kwargs: self._call_ref(ref, args, kwargs, keep=False)
        return value


class Trajectory:
    """The steps of Student.trajectory, read one by one. The student's process drives them and
    sends each result as it comes (no round trip a step); here every step still has its own
    budget, is recorded for the diagnosis and answers as Student.call would. When the process
    stops driving (a result it cannot feed back as arrays), the later steps are ordinary calls."""

    def __init__(self, student: Student, name: str, message: dict):
        self.student, self.name, self.message = student, name, message
        self.driven: bool | None = None   # None: not started; True: results are coming; False: call by call

    def call(self, *args, **kwargs):
        """Step k's result, where args/kwargs are what step k is given (for its budget and record)."""
        student = self.student
        if self.driven is False or (self.driven is None and student._helpers):
            self.driven = False
            return student.call(self.name, *args, **kwargs)
        budget = student._budget_for(self.name, args, kwargs)
        message, self.message = self.message, None
        student._more = False
        try:
            return student._call_with(self.name, args, kwargs, message, budget)
        finally:
            # After a problem the test is over: its process is killed with whatever it still sends.
            self.driven = student._more


class HelperTimeout(BaseException):
    """A trusted helper ran past its time (the student asked it for too much work)."""


class _Watchdog:
    """One thread that interrupts another thread's Python code at a deadline (any thread: Dask
    runs tasks in threads, so SIGALRM is not an option). Arming is cheap: the thread is only
    woken when a deadline comes before the one it already sleeps towards.

    The interrupt is an asynchronous exception: it can go off at any bytecode of the interrupted
    thread, including inside Python-level lock code. That thread therefore touches only what is
    done in C: a plain Lock (`with`) and a SimpleQueue to wake the watchdog. It used a Condition,
    whose __enter__, __exit__ and notify are Python: an interrupt there left its lock held, and
    the watchdog, unable to take it back, never interrupted anything again in that process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.wakeups: queue.SimpleQueue = queue.SimpleQueue()
        self.armed: dict[int, float] = {}   # thread id -> deadline
        self.wake_at = float("inf")
        self.thread: threading.Thread | None = None

    def arm(self, thread: int, deadline: float) -> None:
        with self.lock:
            self.armed[thread] = deadline
            if self.thread is None:
                self.thread = threading.Thread(target=self._watch, name="autograder-watchdog", daemon=True)
                self.thread.start()
            sooner = deadline < self.wake_at
        if sooner:
            self.wakeups.put(None)

    def disarm(self, thread: int) -> None:
        with self.lock:
            self.armed.pop(thread, None)
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), None)   # clear a pending one

    def _watch(self) -> None:
        while True:
            with self.lock:
                now = time.monotonic()
                for thread, deadline in list(self.armed.items()):
                    if deadline <= now:
                        del self.armed[thread]
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread),
                                                                   ctypes.py_object(HelperTimeout))
                self.wake_at = min(self.armed.values(), default=now + 3600)
            try:
                self.wakeups.get(timeout=max(self.wake_at - now, 0.0))
            except queue.Empty:
                pass


_watchdog = _Watchdog()


class _time_limit:
    """Interrupt this thread's Python code after `seconds`."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.thread = threading.get_ident()

    def __enter__(self):
        _watchdog.arm(self.thread, time.monotonic() + self.seconds)
        return self

    def __exit__(self, *exc):
        _watchdog.disarm(self.thread)
        return False


class _NotLocal(Exception):
    pass


def answer_key(name: str, args, kwargs) -> str | None:
    """The key of a call with plain inputs (trusted functions by their source), or None."""
    try:
        if any(isinstance(v, Ref) for v in _flat((args, kwargs))):
            return None   # a value in the student process may have changed since
        return call_key(name, tuple(_local(a) for a in args), {k: _local(v) for k, v in kwargs.items()})
    except _NotLocal:
        return None


def _flat(value):
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _flat(item)
    elif isinstance(value, dict):
        yield from _flat(list(value.values()))
    else:
        yield value


def _local(value):
    """`value` as the reference can take it here, or _NotLocal (it lives in the student process)."""
    if isinstance(value, Ref):
        if "_placed" in vars(value):
            return copy.deepcopy(value._placed)
        raise _NotLocal
    if isinstance(value, Fn):
        return value.local()
    if isinstance(value, (list, tuple)):
        items = [_local(v) for v in value]
        return items if isinstance(value, list) else tuple(items)
    return value


def _text_of(what) -> str:
    """A call's description, made only when it is shown: formatting every call's arrays cost more
    than grading them (`what` may be the text or a function that makes it)."""
    return what() if callable(what) else what


def _call_text(name: str, args, kwargs) -> str:
    parts = [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _short(value) -> str:
    if isinstance(value, Fn):
        return value.describe or "f"
    if isinstance(value, Ref):
        return value._what
    if isinstance(value, np.ndarray) and value.size > 6:
        with np.printoptions(threshold=6, edgeitems=3):   # formats 6 numbers, not every one, for 60 characters
            text = repr(value)
    else:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
