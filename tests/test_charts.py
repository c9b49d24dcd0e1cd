"""The class report's charts (autograder/views/charts.py), read back as SVG: the bars are the
counts, the axis reaches the largest of them, and a hostile label stays text."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from autograder.views import charts

NS = "{http://www.w3.org/2000/svg}"


def parsed(chart: charts.Chart) -> ET.Element:
    root = ET.fromstring(chart.svg)   # well-formed, or this raises
    assert root.get("width") == str(chart.width) and root.get("height") == str(chart.height)
    return root


def bar_rects(root: ET.Element, fill: str) -> list[ET.Element]:
    return [r for r in root.iter(f"{NS}rect") if r.get("fill") == fill]


def test_ticks_are_round_and_reach_the_top():
    assert charts.ticks(12, integer=True) == [0, 2, 4, 6, 8, 10, 12]
    assert charts.ticks(2, integer=True) == [0, 1, 2]
    assert charts.ticks(100) == [0, 20, 40, 60, 80, 100]
    assert charts.ticks(13, most=10) == [0, 2, 4, 6, 8, 10, 12, 14]
    for top in (0.3, 1, 7, 13, 99.5, 1234):
        found = charts.ticks(top)
        assert found[0] == 0 and found[-1] >= top and len(found) <= 8


def test_the_histogram_bars_are_the_counts():
    scores = [13, 13, 13, 12.5, 9, 9, 0]
    root = parsed(charts.histogram(scores, bins=13, top=13, title="t", xlabel="x", ylabel="y"))
    bars = bar_rects(root, "#0969da")
    assert len(bars) == 13
    heights = [float(b.get("height")) for b in bars]
    unit = heights[-1] / 4   # 13, 13, 13, 12.5: the last bin is closed
    assert unit > 0
    assert [round(h / unit, 6) for h in heights] == [1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 4]
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert f"mean = {sum(scores) / len(scores):.2f}" in texts


def test_bars_are_proportional_and_labels_in_order():
    root = parsed(charts.bars(["a", "b", "c"], [("n", [4, 1, 2], "#cf222e")], "students", integer=True))
    widths = [float(r.get("width")) for r in bar_rects(root, "#cf222e")]
    assert widths[0] == pytest.approx(4 * widths[1], abs=0.5) and widths[2] == pytest.approx(2 * widths[1], abs=0.5)
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert texts.index("a") < texts.index("b") < texts.index("c")


def test_a_hostile_label_is_text():
    hostile = "<script>alert(1)</script>&amp;'\""
    root = parsed(charts.bars([hostile], [("s", [1.0], "#0969da")], "x"))
    assert hostile in [t.text for t in root.iter(f"{NS}text")]
    assert not list(root.iter(f"{NS}script")) and not list(root.iter("script"))
