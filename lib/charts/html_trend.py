"""The Overview's trend line as plain HTML: the landing page's first paint loads no chart library.

Measured on this machine (``python -m benchmarks.browser``, first visit of a new browser):
a bare Streamlit page plus one Vega-Lite line chart takes 1.36-1.42x the bare page, the same
line as an ECharts chart 1.46x, and as HTML with an inline SVG image 1.08-1.10x. Vega-Lite
(775 KB of JavaScript and some 30 modules of d3 in Streamlit's bundle) is the single
heaviest element of the landing page; the other pages keep their interactive charts.

What the analyst still gets from this chart:

- the line over a time axis (month ticks, ``%b %Y``) and a zero-based watch-hours axis with
  round ticks, in the house colour; its text in ``THEME_INK``, the theme's own text colour
  softened, so a theme switch needs no new drawing;
- a tooltip per period (the browser's own: hover anywhere in the period's column) with the
  period, its watch hours and sessions, and a marker on the line for the hovered period;
- the data behind it as CSV (the page's download button).

Only numbers and dates reach the HTML, each parsed first (``float``, ``int``,
``date.fromisoformat``): no data string is ever rendered as HTML.

The line is an SVG drawn as an ``<img>`` (``st.html`` sanitises inline ``<svg>`` away; a
``data:`` image is allowed), stretched to the plot box with a stroke that does not stretch;
text, grid and tooltips are HTML, so they keep their size at any width.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from html import escape
from typing import Any

__all__ = ["THEME_INK", "nice_ticks", "time_ticks", "trend_html"]

PERIOD_WORD = {"D": "day", "W": "week", "M": "month"}
PLOT_HEIGHT = 300  # px, the plot box; with title and axes the chart is ~380 px like the others
_GRID = "rgba(128, 128, 128, 0.25)"  # readable on both themes' backgrounds
# The text ink that follows the theme in the browser: the theme's text colour at 72% over
# its background (light 6.2:1, dark 8.1:1; tests/test_html_trend.py computes both from
# .streamlit/config.toml). A theme switch restyles it with no script run, so the Overview's
# first paint needs no theme watcher (see lib.ui.theme.watch_theme). CSS color-mix():
# Chromium 111, Firefox 113, Safari 16.2 and later.
THEME_INK = "color-mix(in srgb, currentColor 72%, transparent)"


def nice_ticks(vmax: float, count: int = 5) -> list[float]:
    """Round ticks from 0 to at least ``vmax``: steps of 1, 2, 2.5 or 5 times a power of ten,
    about ``count`` of them (a zero-based axis, as Vega-Lite draws a quantitative line)."""
    if not math.isfinite(vmax) or vmax <= 0:
        return [0.0, 1.0]
    raw = vmax / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    n = math.ceil(vmax / step - 1e-9)
    return [round(i * step, 12) for i in range(n + 1)]


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


def time_ticks(first: date, last: date, max_ticks: int = 9) -> list[tuple[date, str]]:
    """Axis ticks between ``first`` and ``last`` (inclusive): month starts every 1, 2, 3, 4,
    6, 12, 24... months (``%b %Y``), or days every 1, 2, 7 or 14 days (``%d %b``) when the span
    holds fewer than two month starts; at most ``max_ticks``."""
    months: list[date] = []
    d = first if first.day == 1 else _add_months(first, 1)
    while d <= last:
        months.append(d)
        d = _add_months(d, 1)
    if len(months) >= 2:
        step = next(s for s in (1, 2, 3, 4, 6, 12, 24, 60, 120) if len(months) / s <= max_ticks)
        # steps of a year or more fall on January when there is one
        start = next((i for i, m in enumerate(months[:step]) if m.month == 1), 0)
        start = start if step >= 12 else 0
        return [(m, m.strftime("%b %Y")) for m in months[start::step]]
    span = (last - first).days
    step = next(s for s in (1, 2, 7, 14, 28) if span / s < max_ticks)
    return [
        (first + timedelta(days=i), (first + timedelta(days=i)).strftime("%d %b"))
        for i in range(0, span + 1, step)
    ]


def _at(d: date, first: date, span: int) -> float:
    """Where ``d`` lies on the time axis, 0-1 (the middle when there is one day)."""
    return (d - first).days / span if span else 0.5


def _fmt(v: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step))) if step > 0 and step < 1 else 0
    return f"{v:,.{decimals}f}"


def _line_image(xs: Sequence[float], ys: Sequence[float], color: str) -> str:
    """The line as an SVG ``data:`` URI in a 1000 x 1000 box stretched to the plot; the
    stroke keeps its 2 px width whatever the stretch (``non-scaling-stroke``)."""
    if len(xs) == 1:  # one period: a short level segment, so it shows
        xs, ys = [max(xs[0] - 0.01, 0), min(xs[0] + 0.01, 1)], [ys[0], ys[0]]
    points = " ".join(f"{x * 1000:.1f},{1000 - y * 1000:.1f}" for x, y in zip(xs, ys))
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 1000" '
        'preserveAspectRatio="none"><polyline fill="none" stroke="'
        f'{color}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round" '
        f'vector-effect="non-scaling-stroke" points="{points}"/></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def trend_html(
    rows: Sequence[Mapping[str, Any]],
    *,
    freq: str = "W",
    color: str = "#E50914",
    ink: str = THEME_INK,
    alt_text: str = "",
) -> str:
    """The trend of ``rows`` (``period`` as an ISO date, ``watch_hours``, ``sessions``; the
    Overview's stored rows, in time order) as one HTML block for ``st.html``."""
    word = PERIOD_WORD.get(freq, freq)
    title = f"Watch hours per {word}"
    head = f'<div style="font-size:16px;font-weight:600;margin:0 0 10px 0">{escape(title)}</div>'
    points = [
        (date.fromisoformat(str(r["period"])[:10]), float(r["watch_hours"]), r.get("sessions"))
        for r in rows
        if r.get("watch_hours") is not None and math.isfinite(float(r["watch_hours"]))
    ]
    if not points:
        return (
            f'<div class="sd-trend">{head}<div style="color:{ink};padding:24px 0">'
            f"No full {word} of watch history to draw: pick a shorter period.</div></div>"
        )
    first, last = points[0][0], points[-1][0]
    span = (last - first).days
    xs = [_at(d, first, span) for d, _, _ in points]
    ticks = nice_ticks(max(v for _, v, _ in points))
    top = ticks[-1]
    ys = [v / top for _, v, _ in points]
    step = ticks[1] - ticks[0]

    grid = "".join(
        f'<div style="position:absolute;left:0;right:0;bottom:{100 * t / top:.3f}%;'
        f'border-top:1px solid {_GRID}"><span style="position:absolute;right:100%;'
        f"padding-right:8px;transform:translateY(-50%);color:{ink};font-size:12px;"
        f'white-space:nowrap">{_fmt(t, step)}</span></div>'
        for t in ticks
    )
    date_fmt = "%b %Y" if freq == "M" else "%d %b %Y"
    columns = []
    for i, ((d, hours, sessions), x, y) in enumerate(zip(points, xs, ys)):
        left = 0.0 if i == 0 else (xs[i - 1] + x) / 2
        right = 1.0 if i == len(xs) - 1 else (x + xs[i + 1]) / 2
        tip = f"{word.title()} starting {d.strftime(date_fmt)}&#10;{hours:,.0f} watch hours"
        if sessions is not None and math.isfinite(float(sessions)):
            tip += f"&#10;{int(sessions):,} sessions"
        columns.append(
            f'<div class="sd-col" title="{tip}" style="left:{100 * left:.4f}%;'
            f'width:{100 * (right - left):.4f}%"><i style="left:'
            f'{100 * (x - left) / max(right - left, 1e-9):.2f}%;bottom:{100 * y:.3f}%"></i></div>'
        )
    labels = "".join(
        f'<span style="position:absolute;left:{100 * _at(d, first, span):.3f}%;'
        f'transform:translateX(-50%);white-space:nowrap">{label}</span>'
        for d, label in time_ticks(first, last)
    )
    style = (
        "<style>.sd-trend .sd-col{position:absolute;top:0;bottom:0}"
        ".sd-trend .sd-col:hover{background:rgba(128,128,128,0.12)}"
        ".sd-trend .sd-col i{position:absolute;display:none;width:8px;height:8px;"
        f"margin:0 0 -4px -4px;border-radius:50%;background:{color}}}"
        ".sd-trend .sd-col:hover i{display:block}</style>"
    )
    label = escape(alt_text or f"Line chart of {title.lower()} over time.", quote=True)
    return (
        f'{style}<div class="sd-trend" role="img" aria-label="{label}">{head}'
        '<div style="display:flex;align-items:stretch">'
        f'<div style="writing-mode:vertical-rl;transform:rotate(180deg);text-align:center;'
        f'color:{ink};font-size:12px;padding-left:4px">watch hours (h)</div>'
        '<div style="flex:1;margin-left:56px;margin-right:28px">'
        f'<div style="position:relative;height:{PLOT_HEIGHT}px">{grid}'
        f'<img alt="" src="{_line_image(xs, ys, color)}" style="position:absolute;left:0;'
        'top:0;width:100%;height:100%;pointer-events:none">'
        f"{''.join(columns)}</div>"
        f'<div style="position:relative;height:22px;margin-top:6px;color:{ink};'
        f'font-size:12px">{labels}</div>'
        f'<div style="text-align:center;color:{ink};font-size:12px;margin-top:4px">'
        f"{escape(word)} starting</div></div></div></div>"
    )
