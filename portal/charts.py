"""Small server-rendered SVG charts: horizontal bars and lines, no JavaScript, no CDN.

Each chart is one ``<svg>`` with a ``viewBox`` (it scales to its container, from a 390 px phone
to a desktop column), ``role="img"`` and a ``<title>``/``<desc>`` naming what it shows; every bar
and point has its own ``<title>`` (the exact figure as the page writes it). The numbers are
drawn from floats, but every figure written on a chart comes from the caller's own formatter,
so it reads exactly as in the table that goes with the chart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

Number = int | float | Decimal
Formatter = Callable[[Number], str]

WIDTH = 380  # viewBox units: about a phone's width, so 13-unit text reads at 11 px there
FONT = 13
BAR_HEIGHT = 20
BAR_GAP = 10
LABEL_WIDTH = 112
LABEL_CHARS = 8  # longer labels are cut on the chart (the table has them in full)
COLOURS = ("#1565c0", "#b3261e", "#2e7d32", "#ef6c00")
WARN = "#f0ad4e"
_ids = count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: Number
    text: str  # the value as the page writes it, e.g. "41.2%"
    warn: bool = False  # drawn in the warning colour (e.g. behind pace)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number]
    texts: Sequence[str]  # each value as the page writes it


def _n(x: float) -> str:
    """Coordinates with at most one decimal: small, stable output."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_ticks(top: Number, *, steps: int = 4, min_step: float = 0) -> list[float]:
    """0 and round steps up to at least ``top``: 0, 25, 50, 75, 100 or 0, 2000, 4000 …
    (``min_step=1`` for counts: no tick between two whole people)."""
    top = float(top)
    if top <= 0:
        return [0.0, max(min_step, 1.0)]
    raw = top / steps
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    step = max(step, min_step)
    n = math.ceil(round(top / step, 9))
    return [round(i * step, 10) for i in range(n + 1)]


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _open(title: str, desc: str, height: float, css: str) -> tuple[list[str], str]:
    uid = f"chart{next(_ids)}"
    parts = [
        f'<svg class="chart {css}" viewBox="0 0 {WIDTH} {_n(height)}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" role="img" '
        f'aria-labelledby="{uid}-t {uid}-d" '
        f'font-size="{FONT}" font-family="inherit">',
        f'<title id="{uid}-t">{escape(title)}</title>',
        f'<desc id="{uid}-d">{escape(desc)}</desc>',
    ]
    return parts, uid


def bar_chart(
    *,
    title: str,
    bars: Sequence[Bar],
    axis_label: str,
    tick_format: Formatter,
    top: Number | None = None,
    target: Number | None = None,
    target_text: str = "",
) -> SafeString:
    """Horizontal bars, one per row, labels on the left, value at the end of each bar; an axis
    with round ticks below (titled ``axis_label``) and an optional dashed ``target`` line."""
    left, right, top_pad = LABEL_WIDTH, 56, 22 if target is not None else 6
    plot = WIDTH - left - right
    highest = max([float(b.value) for b in bars] + [float(target or 0), float(top or 0)])
    ticks = nice_ticks(highest)
    scale = plot / ticks[-1]
    rows_height = len(bars) * (BAR_HEIGHT + BAR_GAP)
    axis_y = top_pad + rows_height
    height = axis_y + 40
    desc = "; ".join(f"{b.label}: {b.text}" for b in bars)
    parts, _uid = _open(title, desc, height, "chart-bar")
    for tick in ticks:  # grid and tick labels
        x = left + tick * scale
        parts.append(
            f'<line x1="{_n(x)}" y1="{top_pad}" x2="{_n(x)}" y2="{_n(axis_y)}" '
            f'stroke="#dee2e6" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_n(x)}" y="{_n(axis_y + 15)}" text-anchor="middle" fill="#6c757d" '
            f'font-size="{FONT - 1}">{escape(tick_format(tick))}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{_n(axis_y)}" x2="{_n(left + plot)}" y2="{_n(axis_y)}" '
        f'stroke="#6c757d" stroke-width="1"/>'
    )
    parts.append(
        f'<text x="{_n(left + plot / 2)}" y="{_n(axis_y + 33)}" text-anchor="middle" '
        f'fill="#212529">{escape(axis_label)}</text>'
    )
    for i, bar in enumerate(bars):
        y = top_pad + i * (BAR_HEIGHT + BAR_GAP) + BAR_GAP / 2
        width = max(float(bar.value), 0) * scale
        colour = WARN if bar.warn else COLOURS[0]
        parts.append(
            f'<g class="bar"><title>{escape(bar.label)}: {escape(bar.text)}</title>'
            f'<text x="{left - 6}" y="{_n(y + BAR_HEIGHT / 2 + 4)}" text-anchor="end" '
            f'fill="#212529">{escape(_short(bar.label))}</text>'
            f'<rect x="{left}" y="{_n(y)}" width="{_n(width)}" height="{BAR_HEIGHT}" '
            f'rx="2" fill="{colour}"/>'
            f'<text x="{_n(left + width + 4)}" y="{_n(y + BAR_HEIGHT / 2 + 4)}" '
            f'fill="#212529">{escape(bar.text)}</text></g>'
        )
    if target is not None:
        x = left + float(target) * scale
        parts.append(
            f'<g class="target"><line x1="{_n(x)}" y1="{top_pad - 4}" x2="{_n(x)}" '
            f'y2="{_n(axis_y)}" stroke="#212529" stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<text x="{_n(x)}" y="{top_pad - 8}" text-anchor="middle" fill="#212529" '
            f'font-size="{FONT - 1}">{escape(target_text)}</text></g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above went through escape()


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    axis_label: str,
    tick_format: Formatter,
    min_step: float = 0,
    axis_labels: Sequence[str] | None = None,
) -> SafeString:
    """Lines over evenly spaced ``labels`` (e.g. months), a dot on every point, round ticks on
    the y axis titled ``axis_label``; a legend when there is more than one series. The x axis
    shows ``axis_labels`` when given (shorter forms of ``labels``), every other one when long."""
    left, right, top_pad, plot_height = 62, 14, 24, 150
    plot = WIDTH - left - right
    highest = max([float(v) for s in series for v in s.values] + [0])
    ticks = nice_ticks(highest, min_step=min_step)
    scale = plot_height / ticks[-1]
    bottom = top_pad + plot_height
    height = bottom + 36
    step = plot / max(len(labels) - 1, 1)
    desc = "; ".join(
        f"{s.name}: " + ", ".join(f"{lab} {t}" for lab, t in zip(labels, s.texts, strict=True))
        for s in series
    )
    parts, _uid = _open(title, desc, height, "chart-line")
    parts.append(
        f'<text x="4" y="{top_pad - 10}" fill="#212529" font-size="{FONT - 1}">'
        f"{escape(axis_label)}</text>"
    )
    for tick in ticks:
        y = bottom - tick * scale
        parts.append(
            f'<line x1="{left}" y1="{_n(y)}" x2="{_n(left + plot)}" y2="{_n(y)}" '
            f'stroke="#dee2e6" stroke-width="1"/>'
            f'<text x="{left - 5}" y="{_n(y + 4)}" text-anchor="end" fill="#6c757d" '
            f'font-size="{FONT - 1}">{escape(tick_format(tick))}</text>'
        )
    every = 1 if len(labels) <= 7 else 2  # every other month on a narrow chart
    for i, label in enumerate(axis_labels or labels):
        if i % every == 0:
            parts.append(
                f'<text x="{_n(left + i * step)}" y="{_n(bottom + 16)}" text-anchor="middle" '
                f'fill="#6c757d" font-size="{FONT - 1}">{escape(label)}</text>'
            )
    for k, one in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        points = [(left + i * step, bottom - float(v) * scale) for i, v in enumerate(one.values)]
        path = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
        parts.append(
            f'<g class="series"><polyline points="{path}" fill="none" stroke="{colour}" '
            f'stroke-width="2" stroke-linejoin="round"/>'
        )
        for (x, y), label, text in zip(points, labels, one.texts, strict=True):
            parts.append(
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3" fill="{colour}">'
                f"<title>{escape(one.name)} {escape(label)}: {escape(text)}</title></circle>"
            )
        parts.append("</g>")
    if len(series) > 1:
        x = left
        for k, one in enumerate(series):
            colour = COLOURS[k % len(COLOURS)]
            parts.append(
                f'<rect x="{x}" y="{_n(height - 12)}" width="10" height="10" fill="{colour}"/>'
                f'<text x="{x + 14}" y="{_n(height - 3)}" fill="#212529">'
                f"{escape(one.name)}</text>"
            )
            x += 24 + len(one.name) * FONT
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above went through escape()
