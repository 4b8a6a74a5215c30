"""portal.charts: SVG bar and line charts, checked by reading the SVG back."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from portal.charts import (
    LABEL_WIDTH,
    WIDTH,
    Bar,
    Series,
    bar_chart,
    line_chart,
    nice_ticks,
)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 — our own output, not untrusted input


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter("text")]


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (1, [0, 0.25, 0.5, 0.75, 1]),
        (0.87, [0, 0.25, 0.5, 0.75, 1]),
        (138_980, [0, 50_000, 100_000, 150_000]),
        (56, [0, 20, 40, 60]),
        (3, [0, 1, 2, 3]),
        (0, [0, 1]),
    ],
)
def test_nice_ticks_are_round_and_reach_the_top(top, ticks):
    assert nice_ticks(top, min_step=1 if top in (3, 56) else 0) == ticks


def test_counts_never_get_a_tick_between_two_people():
    assert nice_ticks(1, min_step=1) == [0, 1]
    assert nice_ticks(2, min_step=1) == [0, 1, 2]


def _bars():
    return [
        Bar("东湖区总工会", Decimal("0.796"), "79.6%"),
        Bar("红石县总工会", Decimal("0.319"), "31.9%", warn=True),
    ]


def test_bar_widths_follow_the_values_and_the_target_line_sits_at_the_target():
    svg = bar_chart(
        title="使用率",
        bars=_bars(),
        axis_label="资金使用率",
        tick_format=lambda v: f"{v * 100:.0f}%",
        top=1,
        target=Decimal("0.85"),
        target_text="目标 85.0%",
    )
    root = parse(svg)
    assert root.get("viewBox").startswith(f"0 0 {WIDTH} ")
    assert root.get("role") == "img" and root.get("width") == "100%"
    plot = WIDTH - LABEL_WIDTH - 56  # the plot's width: labels left, room for values right
    rects = root.findall(".//g[@class='bar']/rect")
    assert [float(r.get("width")) for r in rects] == [
        pytest.approx(0.796 * plot, abs=0.05),
        pytest.approx(0.319 * plot, abs=0.05),
    ]
    assert rects[1].get("fill") != rects[0].get("fill")  # behind pace stands out
    target = root.find(".//g[@class='target']/line")
    assert float(target.get("x1")) == pytest.approx(LABEL_WIDTH + 0.85 * plot, abs=0.05)
    words = texts(root)
    assert {"79.6%", "31.9%", "目标 85.0%", "资金使用率", "0%", "50%", "100%"} <= set(words)


def test_a_chart_says_what_it_shows_to_screen_readers():
    root = parse(bar_chart(title="使用率", bars=_bars(), axis_label="率", tick_format=str))
    labelled = root.get("aria-labelledby").split()
    ids = {el.get("id"): el.text for el in root if el.get("id")}
    assert ids[labelled[0]] == "使用率"
    assert ids[labelled[1]] == "东湖区总工会: 79.6%; 红石县总工会: 31.9%"
    titles = [t.text for t in root.findall(".//g[@class='bar']/title")]
    assert titles == ["东湖区总工会: 79.6%", "红石县总工会: 31.9%"]


def test_long_labels_are_cut_on_the_chart_but_whole_in_its_title():
    name = "示范市第一人民医院职工工会"
    root = parse(bar_chart(title="t", bars=[Bar(name, 5, "5")], axis_label="a", tick_format=str))
    assert "示范市第一人民…" in texts(root)
    assert root.find(".//g[@class='bar']/title").text == f"{name}: 5"


def test_text_is_escaped():
    svg = bar_chart(title="<b>", bars=[Bar("<script>", 1, "&")], axis_label="\"'", tick_format=str)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    parse(svg)  # still well-formed XML


def test_line_points_follow_the_values():
    svg = line_chart(
        title="每月支出",
        labels=["一月", "二月", "三月", "四月", "五月"],
        series=[Series("已支出", [0, 500, 1000, 250, 0], ["¥0", "¥500", "¥1,000", "¥250", "¥0"])],
        axis_label="元",
        tick_format=lambda v: f"¥{v:,.0f}",
    )
    root = parse(svg)
    points = root.find(".//polyline").get("points").split()
    xy = [tuple(map(float, p.split(","))) for p in points]
    left, right, top, height = 62, 14, 24, 150  # the plot area of line_chart
    step = (WIDTH - left - right) / 4
    # Ticks 0, 250, 500, 750, 1000: a value v sits at bottom − v / 1000 × height.
    assert [x for x, _ in xy] == [pytest.approx(left + i * step, abs=0.05) for i in range(5)]
    assert [y for _, y in xy] == [
        pytest.approx(top + height - v / 1000 * height, abs=0.05) for v in (0, 500, 1000, 250, 0)
    ]
    circles = root.findall(".//circle/title")
    assert [c.text for c in circles][2] == "已支出 三月: ¥1,000"
    assert {"¥0", "¥500", "¥1,000", "元", "一月", "五月"} <= set(texts(root))


def test_two_series_get_a_legend_and_every_other_month_label_on_a_long_axis():
    labels = [f"{m}月" for m in range(1, 13)]
    root = parse(
        line_chart(
            title="t",
            labels=labels,
            series=[
                Series("甲", list(range(12)), [str(i) for i in range(12)]),
                Series("乙", list(range(12, 0, -1)), [str(i) for i in range(12, 0, -1)]),
            ],
            axis_label="人",
            tick_format=lambda v: f"{v:.0f}",
            min_step=1,
        )
    )
    words = texts(root)
    assert "甲" in words and "乙" in words
    assert [w for w in words if w in labels] == labels[::2]
    assert len(root.findall(".//polyline")) == 2
