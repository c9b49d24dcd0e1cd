"""ps2's feedback figures: the student's gradient-descent paths on the notebook's demo inputs
(`demo_article_run`: f(x) = x² + 2x + 1 from x0 = 5; `demo_contour`: f(x, y) = x² + y² from
(3, 4)), beside the reference's on the same curve. Each descent gets the trusted f and gradient,
so the picture shows the descent alone, as its tests judge it."""
from __future__ import annotations

import numpy as np

from autograder.views.figures import (REFERENCE, YOURS, Figure, NoFigure, array, in_view, left_view, mark_outside,
                                numbers)
from .common import ref, BOWL, QUAD

START_1D = 5.0
START_2D = [3.0, 4.0]


def _unpack(result, call: str):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise NoFigure(f"{call} 没有返回两个值 (x, history)。")
    return result


def gather_1d(student) -> dict:
    _, history = _unpack(student.call("gradient_descent", QUAD.f, QUAD.prime, START_1D),
                         "gradient_descent(f_quad, f_quad_prime, 5.0)")
    return {"history": numbers(history, "history 里的元素")}


def reference_1d() -> dict:
    _, history = ref.gradient_descent(*QUAD.local(), START_1D)
    return {"history": history}


def draw_1d(figure, mine: dict | None, ref: dict) -> None:
    curve, distance = figure.subplots(1, 2)
    f = QUAD.local()[0]
    xs = np.linspace(-3, 7, 200)
    curve.plot(xs, f(xs), "-", color="#0969da", lw=1.5, label="f(x) = x^2 + 2x + 1")
    path = array(ref["history"])
    curve.plot(path, f(path), "o--", color=REFERENCE, mfc="none", ms=7, lw=1.5, zorder=3,
               label=f"reference path ({len(path) - 1} steps)")
    _distance(distance, np.abs(path + 1), "--", REFERENCE, "reference", mfc="none", zorder=3)
    if mine is not None:
        path = array(mine["history"])
        shown = in_view(path, -3, 7)
        curve.plot(shown, f(shown), "o-", color=YOURS, ms=3.5, lw=1, label=f"your path ({len(path) - 1} steps)")
        _distance(distance, np.abs(path + 1), "-", YOURS, "yours")
        if left_view(path, -3, 7):
            mark_outside(curve, "your path leaves this plot")
    curve.plot(-1, 0, "*", color="#1a7f37", ms=14, label="minimum x = -1")
    curve.set_ylim(-2, 68)
    curve.set_xlabel("x")
    curve.set_ylabel("f(x)")
    curve.set_title("Gradient descent from x0 = 5 (learning_rate = 0.1)")
    curve.legend(loc="upper left", fontsize=8)
    curve.grid(True, alpha=0.3)
    distance.set_xlabel("iteration k")
    distance.set_ylabel("|x_k + 1|  (distance to the minimum)")
    distance.set_title("Distance to the minimum (log scale)")
    distance.legend(loc="upper right", fontsize=8)
    distance.grid(True, alpha=0.3)


def _distance(ax, values: np.ndarray, style: str, color: str, label: str, **kwargs) -> None:
    values = np.where(np.isfinite(values), np.maximum(values, 1e-16), np.nan)
    ax.semilogy(np.arange(len(values)), values, style, color=color, lw=2 if color == REFERENCE else 1.2,
                marker="o", ms=3, label=label, **kwargs)


def gather_2d(student) -> dict:
    _, history = _unpack(student.call("gradient_descent_2d", BOWL.f, BOWL.prime, np.array(START_2D)),
                         "gradient_descent_2d(f_2d, gradient_2d, [3.0, 4.0])")
    if not isinstance(history, (list, tuple)):
        raise NoFigure("history 不是一个列表，无法画出来。")
    points = []
    for entry in history[:5000]:
        pair = numbers(entry, "history 里的每个点")
        if len(pair) != 2:
            raise NoFigure("history 里的点不是两个数 (x, y)，无法画出来。")
        points.append(pair)
    return {"history": points}


def reference_2d() -> dict:
    _, history = ref.gradient_descent_2d(*BOWL.local(), np.array(START_2D))
    return {"history": [list(p) for p in history]}


def _points(history) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in p] for p in history], dtype=float).reshape(-1, 2)


def draw_2d(figure, mine: dict | None, ref: dict) -> None:
    plane, distance = figure.subplots(1, 2, width_ratios=[1, 1.25])
    turn = np.linspace(0, 2 * np.pi, 121)
    for radius in range(1, 7):   # the contour lines f = 1, 4, 9, …, 36: circles
        plane.plot(radius * np.cos(turn), radius * np.sin(turn), "-", color="#0969da", alpha=0.35, lw=1, zorder=1)
    path = _points(ref["history"])
    plane.plot(path[:, 0], path[:, 1], "o--", color=REFERENCE, mfc="none", ms=7, lw=1.5, zorder=3,
               label=f"reference path ({len(path) - 1} steps)")
    _distance(distance, np.linalg.norm(path, axis=1), "--", REFERENCE, "reference", mfc="none", zorder=3)
    if mine is not None:
        path = _points(mine["history"])
        plane.plot(in_view(path[:, 0], -5, 5), in_view(path[:, 1], -5, 5), "o-", color=YOURS, ms=3.5, lw=1,
                   label=f"your path ({len(path) - 1} steps)")
        _distance(distance, np.linalg.norm(path, axis=1), "-", YOURS, "yours")
        if left_view(path, -5, 5):
            mark_outside(plane, "your path leaves this plot")
    plane.plot(0, 0, "*", color="#1a7f37", ms=14, label="minimum (0, 0)")
    plane.set_xlim(-5, 5)
    plane.set_ylim(-5, 5)
    plane.set_aspect("equal")
    plane.set_xlabel("x")
    plane.set_ylabel("y")
    plane.set_title("f(x, y) = x^2 + y^2 from (3, 4)")
    plane.legend(loc="lower left", fontsize=8)
    distance.set_xlabel("iteration k")
    distance.set_ylabel("||x_k||  (distance to the minimum)")
    distance.set_title("Distance to the minimum (log scale)")
    distance.legend(loc="upper right", fontsize=8)
    distance.grid(True, alpha=0.3)


FIGURES = [
    Figure("descent_1d", "gradient_descent",
           "你的 gradient_descent 在演示输入上的路径（f(x) = x² + 2x + 1，从 x0 = 5.0 出发，默认参数）：左边画在曲线上，"
           "右边是每一步离最小值点的距离；红色实线是你的结果，灰色虚线是参考答案。",
           gather_1d, reference_1d, draw_1d),
    Figure("descent_2d", "gradient_descent_2d",
           "你的 gradient_descent_2d 在演示输入上的路径（f(x, y) = x² + y²，从 (3, 4) 出发，用正确的梯度）：左边画在等高线上，"
           "右边是每一步离最小值点的距离；红色实线是你的结果，灰色虚线是参考答案。",
           gather_2d, reference_2d, draw_2d, size=(10.0, 4.0)),
]
