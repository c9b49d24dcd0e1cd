"""Figures for the feedback page: what the student's functions did on the notebook's own demo
inputs, drawn beside the reference, where a picture says more than text.

Two halves, both on the trusted side:

- `collect(run, result)`, after a submission's tests (GradingPlugin.close_submission): if the
  assignment's suite has a `figures.py`, one more test process calls the student's functions on
  the demo inputs (`student.call`: plain data back, the usual budgets) and keeps plain numbers in
  `result.figures`. A function that raises, hangs or answers in the wrong shape just gets no
  picture (a short note instead); a function nobody wrote yet is not called at all.
- `render(result)`, when a page is written: the reference's data (the remembered reference, on
  the same inputs) and the student's are drawn into SVGs that the page embeds (views/plot.py: the
  matplotlib calls a figure makes, a few milliseconds each instead of matplotlib's 0.1 s).
  Labels are in English, as they were with matplotlib.

A suite's figures.py holds `FIGURES = [Figure(...), ...]`:

    Figure(name="descent", function="gradient_descent", caption="…",
           gather=lambda student: {...},        # calls student.call(...), returns plain data
           reference=lambda: {...},             # the same data from the reference
           draw=lambda fig, mine, ref: ...,     # mine is None when the student's call gave nothing
           uses=("helper",))                    # the student's own graded functions the run calls
"""
from __future__ import annotations

import base64
import importlib
import itertools
import math
import sys
import threading
import time
import traceback
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np

from autograder.sandbox import protocol
from autograder.testkit.checks import as_number
from autograder.testkit.checks import explain
from autograder.testkit.student import StudentProblem
from autograder.testkit.student import answer_key
from autograder.views import present
from autograder.views.plot import Canvas

# At most this long calling a submission's functions for its figures (a function slow enough to
# pass its tests may still be called many times here): the figures left then get a note instead.
SECONDS = 2.0
MAX_POINTS = 5000          # numbers kept per list (a runaway history is cut, not stored whole)
MAX_TEXT = 300             # characters kept of a string in the data
DIGITS = 12                # significant digits kept: plenty for a picture (and a log scale), small enough

UNAVAILABLE = "unavailable"   # the key of a figure's data that says why the student's run gave none

YOURS = "#d1242f"          # the student's data: red
REFERENCE = "#6e7781"      # the reference: grey, dashed


@dataclass(frozen=True)
class Figure:
    name: str
    function: str
    caption: str
    gather: Callable
    reference: Callable
    draw: Callable
    uses: tuple[str, ...] = ()
    size: tuple[float, float] = (10.0, 3.6)   # inches (at 100 dpi)
    margins: tuple[float, float, float, float] = (0.075, 0.985, 0.14, 0.91)   # left, right, bottom, top


class NoFigure(Exception):
    """The student's answer cannot be drawn; the message says why, in the student's terms."""


def figures_of(assignment_id: str) -> list[Figure]:
    try:
        module = importlib.import_module(f"autograder.suites.{assignment_id}.figures")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.endswith(f"{assignment_id}.figures"):
            return []
        raise
    return list(getattr(module, "FIGURES", []))


# -------------------------------------------------------------------------- collecting

def collect(run, result) -> None:
    """Call the student's functions on the demo inputs (one extra test process) and keep what
    they gave as plain data in `result.figures`; `result.timing["figures"]` says what it cost."""

    if result.status != "graded":
        return
    try:
        specs = figures_of(result.assignment)
    except Exception:   # a broken figures.py costs the pictures, never the grade
        traceback.print_exc(file=sys.stderr)
        return
    unwritten = {r.grade_id for r in present.functions(result) if r.not_written}
    wanted = [s for s in specs if s.function not in unwritten]
    hung = getattr(run, "hangs", ())
    for spec in list(wanted):
        # Its own function's hang fails at once (budget.Hangs); a function it calls would cost
        # this figure a whole budget to find out again.
        stuck = next((name for name in spec.uses if name in hung), None)
        if stuck is not None:
            result.figures[spec.name] = {UNAVAILABLE: HELPER_HUNG.format(name=stuck, function=spec.function)}
            wanted.remove(spec)
    if not wanted:
        return
    started = time.monotonic()
    _clock.deadline = started + SECONDS
    try:
        # First from the answers its tests already got from the same calls: no process needed.
        recalled = _Recalled(getattr(run, "answers", {}))
        wanted = [spec for spec in wanted if not _gather(spec, recalled, result)]
        if wanted:
            with run.student() as student:
                for spec in wanted:
                    if out_of_time():
                        result.figures[spec.name] = {UNAVAILABLE: TOO_SLOW}
                    elif _gather(spec, student, result) == "gone":
                        break
    except StudentProblem:
        pass   # no process to ask (the submission ran out of time, the kernel is gone)
    except Exception:
        traceback.print_exc(file=sys.stderr)
    finally:
        _clock.deadline = None
    result.timing["figures"] = round(time.monotonic() - started, 4)


def _gather(spec: Figure, student, result) -> bool | str:
    """Put the figure's data (or why there is none) in `result`: True when done, False when the
    answers at hand do not have it, "gone" when the student's process cannot go on."""
    try:
        result.figures[spec.name] = plain(spec.gather(student))
    except _NotRecalled:
        return False
    except StudentProblem as problem:
        result.figures[spec.name] = {UNAVAILABLE: _said(problem)}
        if problem.kind in ("timeout", "died"):
            try:
                student.restart()
            except Exception:
                return "gone"
    except (NoFigure, AssertionError) as exc:   # checks.Mistake is an AssertionError
        result.figures[spec.name] = {UNAVAILABLE: str(exc)[:300]}
    except Exception as exc:
        result.figures[spec.name] = {UNAVAILABLE: f"结果无法画出来（{type(exc).__name__}）。"}
    return True


class _NotRecalled(Exception):
    pass


class _Recalled:
    """A student whose answers are those its tests already got, with its own code, for the same
    calls; anything else is _NotRecalled (and asked of a real process)."""

    def __init__(self, answers: dict):
        self._answers = answers

    def call(self, name: str, *args, **kwargs):
        key = answer_key(name, args, kwargs)
        if key is None or key not in self._answers:
            raise _NotRecalled
        return protocol.decode(self._answers[key])

    def __getattr__(self, name: str):
        raise _NotRecalled


TOO_SLOW = "你的代码在演示输入上运行得太慢，没有时间画这张图。"
HELPER_HUNG = "{function} 会调用你的 {name}，而 {name} 在测试里已经超时没有结束，所以没有画这张图。"
_clock = threading.local()   # collect's deadline, per thread (Dask grades in threads)


def out_of_time() -> bool:
    """Whether collect's time is up (a gather function that calls many times asks between calls)."""
    deadline = getattr(_clock, "deadline", None)
    return deadline is not None and time.monotonic() > deadline


def _said(problem) -> str:
    text = explain(problem)
    return text if len(text) <= 300 else text[:297] + "..."


def plain(value, depth: int = 0):
    """JSON-safe plain data: numbers rounded to DIGITS significant digits, nan and inf as None,
    arrays as lists, long lists cut to MAX_POINTS."""
    if depth > 6:
        raise NoFigure("结果嵌套太深，无法画出来。")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return float(f"{number:.{DIGITS}g}") if math.isfinite(number) else None
    if isinstance(value, np.ndarray):
        return plain(value.tolist(), depth + 1)
    if isinstance(value, (list, tuple)):
        return [plain(v, depth + 1) for v in value[:MAX_POINTS]]
    if isinstance(value, dict):   # (a student's dict may have a million keys: as many as a list keeps)
        return {str(k)[:MAX_TEXT]: plain(v, depth + 1) for k, v in itertools.islice(value.items(), MAX_POINTS)}
    raise NoFigure(f"结果里有无法画出来的值（{type(value).__name__}）。")


def numbers(values, what: str) -> list[float]:
    """A list of floats from what a student's function returned (for gather functions)."""
    if isinstance(values, np.ndarray):
        values = values.tolist()
    if not isinstance(values, (list, tuple)):
        raise NoFigure(f"{what} 不是一个列表，无法画出来。")
    return [as_number(v, what) for v in list(values)[:MAX_POINTS]]


def array(values) -> np.ndarray:
    """Stored numbers (None for nan/inf) as a float array (nan where None)."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)


# ---------------------------------------------------------------------------- drawing

@dataclass
class Drawn:
    name: str
    function: str
    caption: str
    svg: str                  # base64
    note: str = ""            # why the student's data is missing, or where a difference comes from
    width: int = 0
    height: int = 0


@lru_cache(maxsize=None)
def _reference(assignment_id: str, name: str):
    spec = next(s for s in figures_of(assignment_id) if s.name == name)
    return plain(spec.reference())


def render(result) -> list[Drawn]:
    """The figures of this result, drawn: the student's data beside the reference's."""
    if not result.figures:
        return []
    try:
        specs = [s for s in figures_of(result.assignment) if s.name in result.figures]
    except Exception:
        traceback.print_exc(file=sys.stderr)
        return []
    scores = result.by_function()
    drawn = []
    for spec in specs:
        data = result.figures.get(spec.name)
        mine = data if isinstance(data, dict) and UNAVAILABLE not in data else None
        note = ""
        if mine is None:
            error = data.get(UNAVAILABLE) if isinstance(data, dict) else None
            note = f"你的 {spec.function} 在演示输入上没有给出可以画的结果，图里只有参考答案。" + (f"原因：{error}" if error else "")
        else:
            note = _helper_note(spec, scores)
        try:
            svg, width, height = _draw(spec, mine, _reference(result.assignment, spec.name))
        except Exception:   # a student's odd numbers must not cost the whole page
            traceback.print_exc(file=sys.stderr)
            try:
                svg, width, height = _draw(spec, None, _reference(result.assignment, spec.name))
                note = "你的结果无法画出来，图里只有参考答案。"
            except Exception:
                traceback.print_exc(file=sys.stderr)
                continue
        drawn.append(Drawn(spec.name, spec.function, spec.caption, svg, note, width, height))
    return drawn


def _helper_note(spec: Figure, scores: dict) -> str:
    """Where a difference in the picture may come from: the student's own helpers it calls."""
    lost = [h for h in spec.uses if h in scores and scores[h][0] < scores[h][1]]
    if not lost:
        return ""
    names = "、".join(lost)
    own, maximum = scores.get(spec.function, (0.0, 0.0))
    if own == maximum:
        return (f"这张图里的 {spec.function} 调用的是你自己的 {names}，而 {names} 没有拿到满分：图中和参考答案的差别"
                f"来自 {names}，不是 {spec.function} 本身（它单独评判时是对的）。")
    return f"这张图里的 {spec.function} 调用的是你自己的 {names}，而 {names} 也没有拿到满分：图中的差别可能部分来自它们。"


_drawn: OrderedDict = OrderedDict()   # the last figures drawn, by what they show
_drawn_lock = threading.Lock()
KEEP_DRAWN = 256


def _shown(value):
    """What a figure shows of `value`: numbers to 5 significant digits, finer than a pixel. Two
    students whose functions agree that far get the same picture, drawn once."""
    if isinstance(value, (np.ndarray, np.generic)):
        return _shown(value.tolist())   # never repr: numpy elides the middle of long arrays
    if isinstance(value, float):
        return float(f"{value:.5g}") if math.isfinite(value) else repr(value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _shown(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_shown(v) for v in value)
    return value if isinstance(value, (int, str, bool, type(None))) else repr(value)


def _draw(spec: Figure, mine: dict | None, reference: dict) -> tuple[str, int, int]:
    """A class draws the same few pictures again and again (most answers agree): each once."""
    key = (spec.draw.__module__, spec.name, _shown(mine))
    with _drawn_lock:
        if key in _drawn:
            _drawn.move_to_end(key)
            return _drawn[key]
    drawn = _draw_now(spec, mine, reference)
    with _drawn_lock:
        _drawn[key] = drawn
        while len(_drawn) > KEEP_DRAWN:
            _drawn.popitem(last=False)
    return drawn


def _draw_now(spec: Figure, mine: dict | None, reference: dict) -> tuple[str, int, int]:
    canvas = Canvas(spec.size, spec.margins)
    with np.errstate(all="ignore"):
        spec.draw(canvas, mine, reference)
    return base64.b64encode(canvas.svg().encode("utf-8")).decode("ascii"), canvas.width, canvas.height


def in_view(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """`values` with what lies outside [low, high] as nan (not drawn, so the axes keep their
    scale when a student's run runs away)."""
    values = np.array(values, dtype=float)
    values[(values < low) | (values > high)] = np.nan
    return values


def left_view(values: np.ndarray, low: float, high: float) -> bool:
    values = np.asarray(values, dtype=float)
    return bool(np.any(~np.isfinite(values)) or np.any((values < low) | (values > high)))


def mark_outside(ax, text: str = "your run leaves this plot") -> None:
    ax.note(text, YOURS)
