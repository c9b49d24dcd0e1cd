"""The feedback figures' plotter (autograder/views/plot.py), judged by what a browser shows: a
line lands on the pixels its numbers say, nan leaves a gap, a log axis is labelled by decades in
order, and a student's absurd numbers or hostile labels give a picture, not a broken page."""
from __future__ import annotations

import base64
import io
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from autograder.views.plot import Canvas
from test_feedback_pages import browser  # noqa: F401  (the same headless chromium)

RED, BLUE = (255, 0, 0), (0, 0, 255)
# 400 × 300 px; the axes box from (40, 30) to (360, 270)
SIZE, MARGINS = (4.0, 3.0), (0.1, 0.9, 0.1, 0.9)


def at(x: float, y: float) -> tuple[int, int]:
    """The pixel of data (x, y) on axes with limits [0, 1] × [0, 1]."""
    return round(40 + 320 * x), round(270 - 240 * y)


def shown(driver, canvas: Canvas, tmp_path) -> Image.Image:
    data = base64.b64encode(canvas.svg().encode()).decode()
    page = tmp_path / "figure.html"
    page.write_text(f"<html><body style='margin:0'><img id='f' width='{canvas.width}' height='{canvas.height}' "
                    f"src='data:image/svg+xml;base64,{data}'></body></html>")
    driver.set_window_size(800, 600)
    driver.get(page.as_uri())
    image = driver.find_element("id", "f")
    assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) == canvas.width
    return Image.open(io.BytesIO(image.screenshot_as_png)).convert("RGB")


def near(picture: Image.Image, pixel: tuple[int, int], colour: tuple[int, int, int], reach: int = 2) -> bool:
    x0, y0 = pixel
    return any(sum(abs(a - b) for a, b in zip(picture.getpixel((x, y)), colour)) < 90
               for x in range(x0 - reach, x0 + reach + 1) for y in range(y0 - reach, y0 + reach + 1))


def test_a_line_lands_where_its_numbers_say_and_nan_leaves_a_gap(browser, tmp_path):
    canvas = Canvas(SIZE, MARGINS)
    ax = canvas.subplots()
    ax.plot([0, 1], [0, 1], "-", color="#ff0000", lw=2)
    ax.plot([0.0, 0.4, np.nan, 0.6, 1.0], [0.8, 0.8, np.nan, 0.8, 0.8], "-", color="#0000ff", lw=2)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    picture = shown(browser, canvas, tmp_path)
    assert picture.size == (400, 300)
    for x in (0.1, 0.3, 0.5, 0.7, 0.9):
        assert near(picture, at(x, x), RED), x
        assert not near(picture, at(x, 1 - x), RED, reach=1) or abs(x - 0.5) < 0.05, x
    for x in (0.1, 0.3, 0.7, 0.9):
        assert near(picture, at(x, 0.8), BLUE), x
    assert not near(picture, at(0.5, 0.8), BLUE, reach=4)        # the gap where the nan is
    assert not near(picture, at(0.2, 0.6), BLUE) and not near(picture, at(0.2, 0.6), RED)


def test_a_log_axis_is_labelled_by_decades_smallest_at_the_left(browser, tmp_path):
    canvas = Canvas((8.0, 4.2), (0.11, 0.98, 0.13, 0.92))
    ax = canvas.subplots()
    steps = np.logspace(-1, -15, 57)
    ax.loglog(steps, steps ** 2, "o-", color="#ff0000", ms=3.5, lw=1.2, label="yours")
    ax.legend(loc="upper center")
    root = ET.fromstring(canvas.svg())
    labels = {t.text: float(t.get("x")) for t in root.iter("{http://www.w3.org/2000/svg}text")
              if t.text and t.text.startswith("1e") and t.get("text-anchor") == "middle"}
    assert "1e-1" in labels and "1e-15" in labels, labels
    decades = sorted(labels, key=labels.get)
    assert [int(d[2:]) for d in decades] == sorted(int(d[2:]) for d in decades)   # increasing to the right
    assert len(labels) <= 9
    picture = shown(browser, canvas, tmp_path)
    # the curve runs from bottom left (h = 1e-15, error 1e-30) to top right (h = 0.1, error 0.01)
    reds = [(x, y) for x in range(0, picture.width, 2) for y in range(0, picture.height, 2)
            if near(picture, (x, y), RED, reach=0)]
    assert len(reds) > 50
    left, right = min(reds), max(reds)
    assert left[1] > right[1] + 150, (left, right)


def test_absurd_numbers_and_hostile_labels_give_a_picture(browser, tmp_path):
    canvas = Canvas((10.0, 3.6), (0.075, 0.985, 0.14, 0.91))
    line, losses = canvas.subplots(1, 2)
    runaway = [0.0, 1.0, 1e10, 1e308, -1e308, math.inf, -math.inf, math.nan, 2.0]
    line.plot(runaway, runaway, "o-", color="#ff0000", label="<script>alert(1)</script> & yours")
    line.set_title("</svg><img src=x onerror=alert(1)>")
    losses.semilogy(np.arange(5000), np.r_[np.logspace(300, -300, 4999), 0.0], "-", color="#0000ff", label="loss")
    losses.semilogy([0, 1, 2], [-1.0, 0.0, math.nan], "-", color="#00ff00")   # nothing drawable on a log axis
    losses.note("your loss became nan or inf", "#ff0000")
    line.legend()
    svg = canvas.svg()
    root = ET.fromstring(svg)   # well-formed: every text escaped
    assert "<script" not in svg and "<img" not in svg
    assert not any(tag.tag.endswith(("script", "img", "foreignObject")) for tag in root.iter())
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "<script>alert(1)</script> & yours" in texts and "</svg><img src=x onerror=alert(1)>" in texts
    for element in root.iter():
        for name in ("x", "y", "width", "height", "d"):
            value = element.get(name, "")
            assert "nan" not in value and "inf" not in value, (element.tag, name, value[:200])
    picture = shown(browser, canvas, tmp_path)
    assert any(near(picture, (x, y), BLUE, reach=0) for x in range(520, 980, 3) for y in range(40, 300, 3))
