"""A small plotter that writes SVG: the few matplotlib calls the feedback figures make (plot,
loglog, semilogy, scatter, limits, labels, title, legend, grid), with matplotlib's defaults for
what they look like (5 % margins around the data, round ticks, decades on a log axis).

matplotlib drew every feedback figure into a PNG in the instructor's process: about 0.1 CPU-s a
figure, a fifth of the CPU of grading a ps3 notebook, on the cores the workers need. This takes a
few milliseconds, and the picture stays sharp at any zoom.

The numbers may be a student's: nan and inf break a line (as in matplotlib), a value of 1e308 on a
linear axis is placed on a finite pixel, and every text is escaped.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

import numpy as np

FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
PT = 100 / 72        # pixels per point at the figures' 100 dpi (sizes below are matplotlib's, in points)
TEXT = "#1f2328"
FAR = 1e6            # a pixel coordinate is kept within ±FAR (the clip hides it; SVG needs a finite number)
LINE_STYLES = ("--", "-.", "-", ":")
MARKERS = ("o", "*")
DASHES = {"--": (3.7, 1.6), ":": (1.0, 1.65), "-.": (6.4, 1.6, 1.0, 1.6)}   # per point of line width


def _split_format(fmt: str) -> tuple[str | None, str | None]:
    """matplotlib's format string, the part used here: a marker and a line style ("o--", ":", "*")."""
    marker = next((m for m in MARKERS if m in fmt), None)
    rest = fmt.replace(marker, "") if marker else fmt
    style = next((s for s in LINE_STYLES if s in rest), None)
    if marker and style is None:
        style = ""   # a marker alone: no line
    return marker, style


@dataclass
class _Series:
    x: np.ndarray
    y: np.ndarray
    color: str
    width: float = 1.5          # points
    style: str = "-"            # "", "-", "--", ":"
    marker: str | None = None
    size: float = 6.0           # marker size, points
    face: str | None = None     # marker fill (None: the line's colour; "none": hollow)
    alpha: float = 1.0
    zorder: float = 2.0
    label: str = ""
    round_caps: bool = False


@dataclass
class _Axis:
    log: bool = False
    limits: tuple[float, float] | None = None
    label: str = ""

    def scaled(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        if not self.log:
            return values
        with np.errstate(all="ignore"):
            return np.where(values > 0, np.log10(np.where(values > 0, values, 1.0)), np.nan)


@dataclass
class Axes:
    box: tuple[float, float, float, float]          # left, top, width, height in pixels
    series: list[_Series] = field(default_factory=list)
    xaxis: _Axis = field(default_factory=_Axis)
    yaxis: _Axis = field(default_factory=_Axis)
    title: str = ""
    legend_at: str | None = None
    legend_size: float = 10.0
    grid_alpha: float | None = None
    equal: bool = False
    notes: list[tuple[str, str]] = field(default_factory=list)

    # ------------------------------------------------------------- what the figures call

    def plot(self, x, y=None, fmt: str = "-", *, color: str = "#1f77b4", lw: float = 1.5, ms: float = 6.0,
             mfc: str | None = None, alpha: float = 1.0, zorder: float = 2.0, label: str = "",
             marker: str | None = None, solid_capstyle: str = "") -> None:
        if y is None:
            x, y = np.arange(np.size(x)), x
        shape_marker, style = _split_format(fmt)
        self.series.append(_Series(_floats(x), _floats(y), color, lw, style if style is not None else "-",
                                   marker or shape_marker, ms, mfc, alpha, zorder, label,
                                   solid_capstyle == "round"))

    def loglog(self, *args, **kwargs) -> None:
        self.xaxis.log = self.yaxis.log = True
        self.plot(*args, **kwargs)

    def semilogy(self, *args, **kwargs) -> None:
        self.yaxis.log = True
        self.plot(*args, **kwargs)

    def scatter(self, x, y, *, s: float = 36.0, color: str = "#1f77b4", alpha: float = 1.0, label: str = "",
                zorder: float = 1.0) -> None:
        self.series.append(_Series(_floats(x), _floats(y), color, 0.0, "", "o", math.sqrt(s), None, alpha, zorder,
                                   label))

    def set_xlim(self, low: float, high: float) -> None:
        self.xaxis.limits = (float(low), float(high))

    def set_ylim(self, low: float, high: float) -> None:
        self.yaxis.limits = (float(low), float(high))

    def set_xlabel(self, text: str) -> None:
        self.xaxis.label = text

    def set_ylabel(self, text: str) -> None:
        self.yaxis.label = text

    def set_title(self, text: str) -> None:
        self.title = text

    def set_aspect(self, aspect: str) -> None:
        self.equal = aspect == "equal"

    def legend(self, loc: str = "upper right", fontsize: float = 10.0) -> None:
        self.legend_at, self.legend_size = loc, fontsize

    def grid(self, visible: bool = True, which: str = "major", alpha: float = 1.0) -> None:
        self.grid_alpha = alpha if visible else None

    def note(self, text: str, color: str) -> None:
        """A boxed remark in the top right corner (where matplotlib's figures put `ax.text` boxes)."""
        self.notes.append((text, color))

    # --------------------------------------------------------------------------- drawing

    def _limits(self, axis: _Axis, values: list[np.ndarray]) -> tuple[float, float]:
        if axis.limits is not None:
            low, high = axis.scaled(np.array(axis.limits))
            if math.isfinite(low) and math.isfinite(high) and low != high:
                return float(low), float(high)
        finite = [v[np.isfinite(v)] for v in (axis.scaled(v) for v in values)]
        finite = [v for v in finite if v.size]
        if not finite:
            return (0.0, 1.0)
        low = float(min(v.min() for v in finite))
        high = float(max(v.max() for v in finite))
        if low == high:
            pad = abs(low) * 0.05 if (low and not axis.log) else (1.0 if axis.log else 0.05)
            return low - pad, high + pad
        margin = (high - low) * 0.05
        if not math.isfinite(margin):    # (1e308 − −1e308): the margin alone would overflow
            return low, high
        return low - margin, high + margin

    def _draw(self, svg: list[str], clip: str) -> None:
        left, top, width, height = self.box
        xlim = self._limits(self.xaxis, [s.x for s in self.series])
        ylim = self._limits(self.yaxis, [s.y for s in self.series])
        if self.equal:   # shrink the box (centred) so that a unit is as long on both axes
            per_x, per_y = width / _span(xlim), height / _span(ylim)
            if per_x > per_y:
                left, width = left + (width - _span(xlim) * per_y) / 2, _span(xlim) * per_y
            else:
                top, height = top + (height - _span(ylim) * per_x) / 2, _span(ylim) * per_x
        right, bottom = left + width, top + height

        def px(values: np.ndarray) -> np.ndarray:
            return _pixels(self.xaxis.scaled(values), xlim, left, width)

        def py(values: np.ndarray) -> np.ndarray:
            return _pixels(self.yaxis.scaled(values), ylim, bottom, -height)

        # as many ticks as matplotlib fits: one per 3 label heights across, per 2 up
        x_ticks = _ticks(self.xaxis, xlim, width / (3 * 10 * PT))
        y_ticks = _ticks(self.yaxis, ylim, height / (2 * 10 * PT))
        svg.append(f"<clipPath id='{clip}'><rect x='{left:.1f}' y='{top:.1f}' width='{width:.1f}' "
                   f"height='{height:.1f}'/></clipPath>")
        if self.grid_alpha is not None:
            lines = "".join(f"M{x:.1f} {top:.1f}V{bottom:.1f}" for x in _pixels(_positions(x_ticks), xlim, left, width))
            lines += "".join(f"M{left:.1f} {y:.1f}H{right:.1f}" for y in _pixels(_positions(y_ticks), ylim, bottom,
                                                                               -height))
            svg.append(f"<path d='{lines}' stroke='#b0b0b0' stroke-opacity='{self.grid_alpha:g}' "
                       f"stroke-width='{0.8 * PT:.2f}' fill='none'/>")
        svg.append(f"<g clip-path='url(#{clip})'>")
        for series in sorted(self.series, key=lambda s: s.zorder):   # (sorted is stable: same zorder, as called)
            svg.append(_series(series, px(series.x), py(series.y)))
        svg.append("</g>")
        svg.append(f"<rect x='{left:.1f}' y='{top:.1f}' width='{width:.1f}' height='{height:.1f}' fill='none' "
                   f"stroke='black' stroke-width='{0.8 * PT:.2f}'/>")
        size = 10 * PT
        marks = []
        for (value, text), x in zip(x_ticks, _pixels(_positions(x_ticks), xlim, left, width)):
            marks.append(f"M{x:.1f} {bottom:.1f}v{3.5 * PT:.1f}")
            svg.append(_text(x, bottom + 3.5 * PT + 3.5 * PT + size * 0.8, text, size, "middle"))
        widest = 0.0
        for (value, text), y in zip(y_ticks, _pixels(_positions(y_ticks), ylim, bottom, -height)):
            marks.append(f"M{left:.1f} {y:.1f}h{-3.5 * PT:.1f}")
            svg.append(_text(left - 7 * PT, y + size * 0.35, text, size, "end"))
            widest = max(widest, _width(text, size))
        if marks:
            svg.append(f"<path d='{''.join(marks)}' stroke='black' stroke-width='{0.8 * PT:.2f}'/>")
        if self.xaxis.label:
            svg.append(_text((left + right) / 2, bottom + 7 * PT + size * 2.1, self.xaxis.label, size, "middle"))
        if self.yaxis.label:
            x = left - 7 * PT - widest - 4 * PT - size * 0.25
            svg.append(_text(x, (top + bottom) / 2, self.yaxis.label, size, "middle", rotate=True))
        if self.title:
            svg.append(_text((left + right) / 2, top - 6 * PT, self.title, 12 * PT, "middle"))
        if self.legend_at:
            svg.append(self._legend(left, top, width, height))
        for i, (text, color) in enumerate(self.notes):
            svg.append(_note(right - 0.02 * width, top + 0.04 * height + i * 22, text, color))

    def _legend(self, left: float, top: float, width: float, height: float) -> str:
        entries = [s for s in self.series if s.label and not s.label.startswith("_")]
        if not entries:
            return ""
        size = self.legend_size * PT
        row, handle, pad = size * 1.35, 2.0 * size, 0.5 * size
        box_w = pad * 2 + handle + 0.8 * size + max(_width(s.label, size) for s in entries)
        box_h = pad * 2 + row * len(entries) - (row - size)
        at = self.legend_at
        x = (left + 0.5 * size if "left" in at else left + width - 0.5 * size - box_w if "right" in at
             else left + (width - box_w) / 2)
        y = top + 0.5 * size if "upper" in at else top + height - 0.5 * size - box_h
        parts = [f"<rect x='{x:.1f}' y='{y:.1f}' width='{box_w:.1f}' height='{box_h:.1f}' rx='3' fill='white' "
                 f"fill-opacity='0.8' stroke='#cccccc'/>"]
        for i, s in enumerate(entries):
            middle = y + pad + i * row + size * 0.5
            sample = _Series(np.array([x + pad, x + pad + handle]), np.array([middle, middle]), s.color, s.width,
                             s.style, None, s.size, s.face, s.alpha, s.zorder, "", s.round_caps)
            parts.append(_series(sample, sample.x, sample.y))
            if s.marker:
                dot = _Series(np.array([x + pad + handle / 2]), np.array([middle]), s.color, s.width, "", s.marker,
                              s.size, s.face, s.alpha)
                parts.append(_series(dot, dot.x, dot.y))
            parts.append(_text(x + pad + handle + 0.8 * size, middle + size * 0.35, s.label, size, "start"))
        return "".join(parts)


class Canvas:
    """What a figure's `draw(figure, mine, ref)` gets: `figure.subplots(...)` as in matplotlib."""

    def __init__(self, size: tuple[float, float], margins: tuple[float, float, float, float], wspace: float = 0.26):
        self.width, self.height = round(size[0] * 100), round(size[1] * 100)
        self.margins, self.wspace = margins, wspace
        self.axes: list[Axes] = []

    def subplots(self, rows: int = 1, columns: int = 1, width_ratios=None):
        assert rows == 1, "one row of axes is all the figures need"
        left, right, bottom, top = self.margins
        ratios = list(width_ratios or [1.0] * columns)
        span = (right - left) * self.width
        cell = span / (columns + self.wspace * (columns - 1))
        gap = self.wspace * cell
        widths = [cell * columns * r / sum(ratios) for r in ratios]
        x = left * self.width
        y, height = (1 - top) * self.height, (top - bottom) * self.height
        for w in widths:
            self.axes.append(Axes((x, y, w, height)))
            x += w + gap
        return self.axes[0] if columns == 1 else tuple(self.axes[-columns:])

    def svg(self) -> str:
        parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{self.width}' height='{self.height}' "
                 f"viewBox='0 0 {self.width} {self.height}' font-family='{FONT}'>"
                 f"<rect width='100%' height='100%' fill='white'/>"]
        for i, axes in enumerate(self.axes):
            axes._draw(parts, f"axes{i}")
        parts.append("</svg>")
        return "".join(parts)


# ------------------------------------------------------------------------------ pieces

def _floats(values) -> np.ndarray:
    return np.atleast_1d(np.asarray(values, dtype=float)).ravel()


def _span(limits: tuple[float, float]) -> float:
    return (limits[1] - limits[0]) or 1.0


def _pixels(scaled: np.ndarray, limits: tuple[float, float], start: float, length: float) -> np.ndarray:
    low, high = limits
    with np.errstate(all="ignore"):
        # (value − low) / (high − low) in two steps: each half of a ±1e308 range is still finite
        fraction = scaled / (high - low) - low / (high - low) if math.isfinite(high - low) else \
            (scaled / 2 - low / 2) / (high / 2 - low / 2)
        pixels = start + fraction * length
    return np.where(np.isfinite(pixels), np.clip(pixels, -FAR, FAR), np.nan)


def _ticks(axis: _Axis, limits: tuple[float, float], room: float) -> list[tuple[float, str]]:
    """(position in scaled units, label) of the major ticks inside the limits: round steps, at most
    `room` of them (and 9) as in matplotlib's MaxNLocator."""
    low, high = limits
    most = int(max(1, min(9, room)))
    if axis.log:
        first, last = math.ceil(low - 1e-9), math.floor(high + 1e-9)
        count = last - first + 1
        if count <= 0 or count > 1000:
            return []
        stride = math.ceil(count / most)
        return [(e, f"1e{e}") for e in range(first, last + 1) if (last - e) % stride == 0]   # the top decade shown
    raw = high / most - low / most   # (each part finite even when high − low is not)
    if not (math.isfinite(raw) and raw > 0):
        return []
    power = 10.0 ** math.floor(math.log10(raw))
    multiple = next(m for m in (1, 2, 2.5, 5, 10) if m * power >= raw * (1 - 1e-9))
    step = multiple * power
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) + (1 if multiple == 2.5 and step < 10 else 0)
    ticks = []
    for k in range(math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9) + 1):
        value = k * step
        if decimals > 6 or abs(value) >= 1e6:
            text = f"{value:.3g}"
        else:
            text = f"{value:.{decimals}f}"
        ticks.append((value, "0" if text.strip("-0.") == "" else text.replace("-", "\u2212")))
    return ticks


def _positions(ticks: list[tuple[float, str]]) -> np.ndarray:
    return np.array([position for position, _ in ticks], dtype=float)


def _width(text: str, size: float) -> float:
    """A text's width, roughly (DejaVu Sans averages about 0.55 of its size per character)."""
    return 0.55 * size * len(text)


def _text(x: float, y: float, text: str, size: float, anchor: str, rotate: bool = False, fill: str = TEXT) -> str:
    turn = f" transform='rotate(-90 {x:.1f} {y:.1f})'" if rotate else ""
    return (f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size:.1f}' text-anchor='{anchor}' fill='{fill}'{turn}>"
            f"{escape(text)}</text>")


def _note(right: float, top: float, text: str, color: str) -> str:
    size = 9 * PT
    width, height = _width(text, size) + size, size * 1.6
    return (f"<rect x='{right - width:.1f}' y='{top:.1f}' width='{width:.1f}' height='{height:.1f}' rx='4' "
            f"fill='white' fill-opacity='0.9' stroke='{color}'/>"
            + _text(right - size / 2, top + height / 2 + size * 0.35, text, size, "end", fill=color))


def _series(series: _Series, xs: np.ndarray, ys: np.ndarray) -> str:
    parts = []
    opacity = f" opacity='{series.alpha:g}'" if series.alpha < 1 else ""
    if series.style and series.width > 0 and xs.size > 1:
        path = _path(xs, ys)
        if path:
            width = series.width * PT
            dash = DASHES.get(series.style)
            dashes = f" stroke-dasharray='{' '.join(f'{d * width:.1f}' for d in dash)}'" if dash else ""
            caps = " stroke-linecap='round' stroke-linejoin='round'" if series.round_caps else ""
            parts.append(f"<path d='{path}' fill='none' stroke='{series.color}' stroke-width='{width:.2f}'"
                         f"{dashes}{caps}{opacity}/>")
    if series.marker:
        keep = np.isfinite(xs) & np.isfinite(ys)
        face = series.color if series.face is None else series.face
        radius = series.size * PT / 2
        if series.marker == "*":
            shape = "".join(_star(x, y, radius) for x, y in zip(xs[keep], ys[keep]))
        else:
            shape = "".join(f"M{x - radius:.1f} {y:.1f}a{radius:.2f} {radius:.2f} 0 1 0 {2 * radius:.2f} 0"
                            f"a{radius:.2f} {radius:.2f} 0 1 0 {-2 * radius:.2f} 0Z"
                            for x, y in zip(xs[keep], ys[keep]))
        if shape:
            edge = f" stroke='{series.color}' stroke-width='{PT:.2f}'" if series.width > 0 else ""
            parts.append(f"<path d='{shape}' fill='{face}'{edge}{opacity}/>")
    return "".join(parts)


def _path(xs: np.ndarray, ys: np.ndarray) -> str:
    """An SVG path through the points; a nan or inf starts a new piece (a gap, as in matplotlib)."""
    out, drawing = [], False
    for x, y in zip(xs.tolist(), ys.tolist()):
        if x != x or y != y:   # nan
            drawing = False
            continue
        out.append(f"{'L' if drawing else 'M'}{x:.1f} {y:.1f}")
        drawing = True
    return "".join(out)


def _star(x: float, y: float, radius: float) -> str:
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.38
        angle = math.pi / 2 + i * math.pi / 5
        points.append(f"{x + r * math.cos(angle):.1f} {y - r * math.sin(angle):.1f}")
    return "M" + "L".join(points) + "Z"
