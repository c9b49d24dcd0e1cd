"""ps3's feedback figure: the student's train_linear_regression on the notebook's data (the demo
cell `demo_plots`: default learning rate and iterations), its fitted line and loss curve beside
the reference's. As in the demo, the student's training calls their own helpers."""
from __future__ import annotations

import numpy as np

from autograder.testkit.checks import as_number
from autograder.views.figures import (REFERENCE, YOURS, Figure, NoFigure, array, in_view, left_view, mark_outside)
from .common import ref, article_data


def gather_training(student) -> dict:
    X, y = article_data()
    result = student.call("train_linear_regression", X, y)
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise NoFigure("train_linear_regression(X, y) 没有返回三个值 (w, b, history)。")
    w, b, history = result
    data = {"w": as_number(w, "返回的 w"), "b": as_number(b, "返回的 b"), "loss": None}
    if isinstance(history, (list, tuple)):
        try:
            data["loss"] = [as_number(record["loss"], "history 里的 loss") for record in history]
        except (TypeError, KeyError, IndexError, AssertionError):
            pass   # the line can still be drawn
    return data


def reference_training() -> dict:
    X, y = article_data()
    w, b, history = ref.train_linear_regression(X, y)
    return {"w": w, "b": b, "loss": [record["loss"] for record in history]}


def draw_training(figure, mine: dict | None, ref: dict) -> None:
    X, y = article_data()
    line, losses = figure.subplots(1, 2)
    xs = np.linspace(X.min(), X.max(), 100)
    low, high = float(y.min()) - 1.5, float(y.max()) + 1.5
    line.scatter(X.ravel(), y.ravel(), s=12, alpha=0.45, color="#0969da", label="data")
    line.plot(xs, ref["w"] * xs + ref["b"], "--", color=REFERENCE, lw=2.5,
              label=f"reference: y = {ref['w']:.3f}x + {ref['b']:.3f}", zorder=3)
    if mine is not None and mine.get("w") is not None and mine.get("b") is not None:
        fitted = mine["w"] * xs + mine["b"]
        line.plot(xs, in_view(fitted, low, high), "-", color=YOURS, lw=2,
                  label=f"yours: y = {mine['w']:.3f}x + {mine['b']:.3f}")
        if left_view(fitted, low, high):
            mark_outside(line, "your line leaves this plot")
    elif mine is not None:
        mark_outside(line, "your w or b is nan or inf")
    line.set_ylim(low, high)
    line.set_xlabel("X")
    line.set_ylabel("y")
    line.set_title("Fitted line on the notebook's data")
    line.legend(loc="upper left", fontsize=8)
    line.grid(True, alpha=0.3)

    reference_loss = array(ref["loss"])
    losses.semilogy(np.arange(len(reference_loss)), reference_loss, "--", color=REFERENCE, lw=2.5, label="reference",
                    zorder=3)
    if mine is not None and mine.get("loss"):
        loss = array(mine["loss"])
        shown = np.where(loss > 0, loss, np.nan)
        losses.semilogy(np.arange(len(loss)), shown, "-", color=YOURS, lw=1.5, label="yours")
        if not np.all(np.isfinite(loss)):
            mark_outside(losses, "your loss became nan or inf")
    losses.set_xlabel("iteration")
    losses.set_ylabel("loss (MSE, log scale)")
    losses.set_title("Loss curve (learning_rate = 0.01)")
    losses.legend(loc="upper right", fontsize=8)
    losses.grid(True, alpha=0.3)


FIGURES = [
    Figure("training", "train_linear_regression",
           "你的 train_linear_regression 在笔记本的数据上训练（默认参数，和演示单元格一样）：左边是拟合出的直线，"
           "右边是损失曲线；红色实线是你的结果，灰色虚线是参考答案。",
           gather_training, reference_training, draw_training,
           uses=("linear_model", "mse_loss", "gradient_mse")),
]
