"""ps1's feedback figures: the error of the student's numerical derivatives against the step h, on
the notebook's demo input (`demo_error_plot`: the derivative of sin at x = 1, 57 steps h from
1e-1 to 1e-15), beside the reference's. A formula that ignores h draws a flat line; a forward
difference that is really a central one lies on the other curve."""
from __future__ import annotations

import numpy as np

from autograder.testkit.checks import as_number
from autograder.testkit.student import Fn, StudentProblem
from autograder.views.figures import REFERENCE, TOO_SLOW, YOURS, Figure, NoFigure, array, out_of_time

from .common import ref

X0 = 1.0
STEPS = np.logspace(-1, -15, 57)
SIN = Fn("lambda x: np.sin(x)", "sin")
TINY = 1e-18   # an error of exactly 0 cannot be drawn on a log scale (as in the demo)


def _gather(name: str):
    def gather(student) -> dict:
        # One call with every h at once when the function computes elementwise (as the formula
        # does); one call per h otherwise.
        try:
            estimates = student.call(name, SIN, X0, h=STEPS.copy())
            if isinstance(estimates, np.ndarray) and estimates.shape == STEPS.shape and estimates.dtype.kind == "f":
                return {"abs_error": errors(estimates)}
        except StudentProblem as problem:
            if problem.kind != "raised":
                raise
        estimates = []
        for h in STEPS:
            if out_of_time():
                raise NoFigure(TOO_SLOW)
            estimates.append(as_number(student.call(name, SIN, X0, h=float(h)), f"{name}(np.sin, 1.0, h)"))
        return {"abs_error": errors(estimates)}
    return gather


def reference_errors() -> dict:
    sin = SIN.local()
    return {"forward": errors([ref.numerical_derivative(sin, X0, h=float(h)) for h in STEPS]),
            "central": errors([ref.central_difference(sin, X0, h=float(h)) for h in STEPS])}


def errors(estimates) -> list[float]:
    """|estimate − cos(1)|, computed here at full precision (what is stored is rounded)."""
    with np.errstate(all="ignore"):
        return np.abs(np.array(estimates, dtype=float) - np.cos(X0)).tolist()


def _shown(error) -> np.ndarray:
    error = array(error)
    return np.where(np.isfinite(error), np.maximum(error, TINY), np.nan)


def _draw(kind: str, other: str, title: str):
    def draw(figure, mine: dict | None, ref: dict) -> None:
        ax = figure.subplots()
        ax.loglog(STEPS, _shown(ref[other]), ":", color=REFERENCE, alpha=0.6, lw=1.5,
                  label=f"reference {other} difference (for comparison)")
        # A wide band the student's thin line lies in when it is right (markers 57 times over
        # merged into a solid line that the caption called dashed).
        ax.loglog(STEPS, _shown(ref[kind]), "-", color=REFERENCE, alpha=0.45, lw=6, solid_capstyle="round",
                  zorder=2, label=f"reference {kind} difference")
        if mine is not None:
            ax.loglog(STEPS, _shown(mine["abs_error"]), "o-", color=YOURS, ms=3.5, lw=1.2, zorder=3, label="yours")
        ax.set_xlabel("step size h (log scale)")
        ax.set_ylabel("|estimate - cos(1)|  (log scale)")
        ax.set_title(title)
        ax.legend(loc="upper center", fontsize=8)
        ax.grid(True, which="major", alpha=0.3)
    return draw


CAPTION = ("你的 {name} 在演示输入上的误差（对 np.sin 在 x = 1 处求导，与真实导数 cos(1) 比较，h 从 1e-15 到 1e-1，"
           "和笔记本里 demo_error_plot 的横轴一样：越往右 h 越大）：红色带圆点的细线是你的结果，灰色宽线是参考答案"
           "（你的结果正确时，红线落在灰色宽线里）；灰色点线是另一种差分，供对照。"
           "步长太大（右边）时截断误差主导，太小（左边）时舍入误差主导。")

SHAPE = dict(size=(8.0, 4.2), margins=(0.11, 0.98, 0.13, 0.92))

FIGURES = [
    Figure("error_forward", "numerical_derivative", CAPTION.format(name="numerical_derivative"),
           _gather("numerical_derivative"), reference_errors,
           _draw("forward", "central", "Forward difference of sin at x = 1: error against h"), **SHAPE),
    Figure("error_central", "central_difference", CAPTION.format(name="central_difference"),
           _gather("central_difference"), reference_errors,
           _draw("central", "forward", "Central difference of sin at x = 1: error against h"), **SHAPE),
]
