"""The class report's three charts, as SVG written by hand: a histogram and horizontal bars.

They were matplotlib figures, which cost the instructor's process 0.3–0.45 s at the end of every
batch, on one core, after the last result; these take a millisecond. Vector, so they stay sharp
at any zoom. Labels in English, as in the feedback figures; every text is escaped.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
AXIS = "#57606a"
GRID = "#d0d7de"
CHAR = 6.6    # px per character of 11-px text, roughly (for margins; labels never overlap the plot)


@dataclass(frozen=True)
class Chart:
    svg: str
    width: int
    height: int


def ticks(top: float, integer: bool = False, most: int = 6) -> list[float]:
    """0 and round steps up to `top` (1, 2, 2.5 or 5 times a power of ten; whole numbers only if
    `integer`), at most `most` + 1 of them, the last one >= top."""
    top = max(top, 1.0 if integer else 1e-9)
    raw = top / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if integer:
        step = max(1, math.ceil(step))
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]


def _label(value: float) -> str:
    return f"{value:g}"


class _Svg:
    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.parts: list[str] = []

    def rect(self, x, y, w, h, fill: str) -> None:
        self.parts.append(f"<rect x='{x:.1f}' y='{y:.1f}' width='{max(w, 0):.1f}' height='{max(h, 0):.1f}' "
                          f"fill='{fill}'/>")

    def line(self, x1, y1, x2, y2, stroke: str, width: float = 1.0, dash: str = "") -> None:
        dashed = f" stroke-dasharray='{dash}'" if dash else ""
        self.parts.append(f"<line x1='{x1:.1f}' y1='{y1:.1f}' x2='{x2:.1f}' y2='{y2:.1f}' stroke='{stroke}' "
                          f"stroke-width='{width}'{dashed}/>")

    def text(self, x, y, text: str, size: int = 11, anchor: str = "start", fill: str = "#1f2328",
             bold: bool = False, rotate: bool = False) -> None:
        weight = " font-weight='bold'" if bold else ""
        turn = f" transform='rotate(-90 {x:.1f} {y:.1f})'" if rotate else ""
        self.parts.append(f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' text-anchor='{anchor}' "
                          f"fill='{fill}'{weight}{turn}>{escape(text)}</text>")

    def done(self) -> Chart:
        head = (f"<svg xmlns='http://www.w3.org/2000/svg' width='{self.width}' height='{self.height}' "
                f"viewBox='0 0 {self.width} {self.height}' font-family='{FONT}'>"
                f"<rect width='100%' height='100%' fill='white'/>")
        return Chart(head + "".join(self.parts) + "</svg>", self.width, self.height)


def histogram(values: list[float], bins: int, top: float, title: str, xlabel: str, ylabel: str,
              width: int = 800, height: int = 340) -> Chart:
    """How many values fall in each of `bins` equal bins of [0, top] (the last one closed), with
    their mean as a dashed line."""
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, max(0, int(value / top * bins)))] += 1
    svg = _Svg(width, height)
    left, right, top_px, bottom = 62, width - 16, 34, height - 46
    y_ticks = ticks(max(counts, default=1), integer=True)
    y_max = y_ticks[-1]

    def y(count: float) -> float:
        return bottom - (bottom - top_px) * count / y_max

    def x(score: float) -> float:
        return left + (right - left) * score / top

    for tick in y_ticks:
        svg.line(left, y(tick), right, y(tick), GRID)
        svg.text(left - 6, y(tick) + 4, _label(tick), anchor="end", fill=AXIS)
    for i, count in enumerate(counts):
        svg.rect(x(i * top / bins) + 0.5, y(count), x((i + 1) * top / bins) - x(i * top / bins) - 1, bottom - y(count),
                 "#0969da")
    for tick in ticks(top, most=10):
        if tick <= top + 1e-9:
            svg.line(x(tick), bottom, x(tick), bottom + 4, AXIS)
            svg.text(x(tick), bottom + 16, _label(tick), anchor="middle", fill=AXIS)
    svg.line(left, bottom, right, bottom, AXIS)
    if values:
        mean = sum(values) / len(values)
        svg.line(x(mean), top_px, x(mean), bottom, "#cf222e", 1.5, "6 4")
        svg.line(left + 10, top_px + 10, left + 34, top_px + 10, "#cf222e", 1.5, "6 4")
        svg.text(left + 40, top_px + 14, f"mean = {mean:.2f}")
    svg.text((left + right) / 2, 20, title, size=13, anchor="middle", bold=True)
    svg.text((left + right) / 2, height - 10, xlabel, anchor="middle")
    svg.text(16, (top_px + bottom) / 2, ylabel, anchor="middle", rotate=True)
    return svg.done()


def bars(labels: list[str], series: list[tuple[str, list[float], str]], xlabel: str, top: float | None = None,
         integer: bool = False, width: int = 800) -> Chart:
    """Horizontal bars, one row per label (top to bottom in the order given), one bar per series
    (name, values, colour) in each row; a legend above when there is more than one series."""
    labels = [label if len(label) <= 60 else label[:59] + "…" for label in labels]
    per_row = 16 * len(series) + 12
    legend = 24 if len(series) > 1 else 0
    top_px, left = 10 + legend, min(width * 0.45, 16 + CHAR * max((len(label) for label in labels), default=4))
    right, bottom = width - 20, 10 + legend + per_row * max(len(labels), 1)
    height = int(bottom + 44)
    svg = _Svg(width, height)
    highest = max((v for _, values, _ in series for v in values), default=0.0)
    x_ticks = ticks(top if top is not None else max(highest, 1.0), integer=integer)
    x_max = x_ticks[-1]

    def x(value: float) -> float:
        return left + (right - left) * value / x_max

    for tick in x_ticks:
        svg.line(x(tick), top_px, x(tick), bottom, GRID)
        svg.text(x(tick), bottom + 16, _label(tick), anchor="middle", fill=AXIS)
    for row, label in enumerate(labels):
        row_top = top_px + row * per_row + 6
        svg.text(left - 8, row_top + per_row / 2, label, anchor="end")
        for i, (_, values, colour) in enumerate(series):
            svg.rect(left, row_top + 16 * i, x(values[row]) - left, 14, colour)
    svg.line(left, top_px, left, bottom, AXIS)
    svg.line(left, bottom, right, bottom, AXIS)
    if legend:
        at = left
        for name, _, colour in series:
            svg.rect(at, 8, 14, 10, colour)
            svg.text(at + 20, 17, name)
            at += 40 + CHAR * len(name)
    svg.text((left + right) / 2, height - 10, xlabel, anchor="middle")
    return svg.done()
