"""The Overview's HTML trend (lib.charts.html_trend): ticks, tooltips and the drawn line."""

from __future__ import annotations

import base64
import math
import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.charts.html_trend import nice_ticks, time_ticks, trend_html


def _rows(n: int, start: date = date(2024, 11, 4), days: int = 7) -> list[dict]:
    return [
        {
            "period": (start + timedelta(days=days * i)).isoformat() + "T00:00:00",
            "watch_hours": 100.0 + 10 * i,
            "sessions": 50 + i,
        }
        for i in range(n)
    ]


def _line_points(html: str) -> list[tuple[float, float]]:
    """The polyline of the chart's SVG image, in its 1000 x 1000 box."""
    uri = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html).group(1)
    svg = base64.b64decode(uri).decode()
    assert "non-scaling-stroke" in svg  # 2 px whatever the stretch
    points = re.search(r'points="([^"]+)"', svg).group(1).split()
    return [tuple(map(float, p.split(","))) for p in points]


@given(st.floats(min_value=1e-6, max_value=1e12, allow_nan=False))
def test_nice_ticks_cover_the_data_from_zero_in_round_equal_steps(vmax):
    ticks = nice_ticks(vmax)
    assert ticks[0] == 0 and ticks[-1] >= vmax * (1 - 1e-9)
    assert 3 <= len(ticks) <= 7
    step = ticks[1] - ticks[0]
    assert all(math.isclose(b - a, step, rel_tol=1e-6) for a, b in zip(ticks, ticks[1:]))
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 2.5, 5, 10))
    assert ticks[-2] < vmax  # no empty band of a whole step above the data


def test_nice_ticks_of_no_positive_value_is_a_unit_axis():
    assert nice_ticks(0) == nice_ticks(-3) == nice_ticks(float("nan")) == [0.0, 1.0]


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 1, 1)),
    st.integers(min_value=0, max_value=20_000),
)
def test_time_ticks_lie_in_the_range_in_order_and_few(first, days):
    last = first + timedelta(days=days)
    ticks = time_ticks(first, last)
    assert 1 <= len(ticks) <= 9
    dates = [d for d, _ in ticks]
    assert dates == sorted(dates) and first <= dates[0] and dates[-1] <= last
    if days >= 62:  # two month starts or more: month ticks labelled "Mon YYYY"
        assert all(d.day == 1 for d in dates)
        assert all(re.fullmatch(r"[A-Z][a-z]{2} \d{4}", label) for _, label in ticks)


def test_yearly_ticks_fall_on_january():
    ticks = time_ticks(date(2015, 3, 1), date(2026, 10, 1))
    assert all(d.month == 1 for d, _ in ticks), ticks


def test_the_chart_draws_every_period_with_a_tooltip():
    rows = _rows(10)
    html = trend_html(rows, freq="W", ink="#5F6B7A")
    assert "<svg" not in html.replace("<svg xmlns", "")  # st.html drops inline SVG
    tips = re.findall(r'class="sd-col" title="([^"]+)"', html)
    assert len(tips) == 10
    assert tips[0] == "Week starting 04 Nov 2024&#10;100 watch hours&#10;50 sessions"
    points = _line_points(html)
    assert len(points) == 10
    assert points[0][0] == 0 and points[-1][0] == 1000  # first and last period at the ends
    xs = [x for x, _ in points]
    assert xs == sorted(xs)
    # y from a zero-based axis up to the top tick (200): 100 h is half way up
    assert nice_ticks(190.0)[-1] == 200
    assert points[0][1] == pytest.approx(1000 - 1000 * 100 / 200)
    assert "Watch hours per week" in html and "week starting" in html
    assert "color:#5F6B7A" in html


def test_hover_columns_tile_the_plot_without_gaps():
    html = trend_html(_rows(7, days=30), freq="M")
    spans = [
        (float(a), float(b))
        for a, b in re.findall(r'class="sd-col"[^>]*left:([\d.]+)%;width:([\d.]+)%', html)
    ]
    assert spans[0][0] == 0
    for (l1, w1), (l2, _) in zip(spans, spans[1:]):
        assert l1 + w1 == pytest.approx(l2, abs=1e-3)
    assert spans[-1][0] + spans[-1][1] == pytest.approx(100, abs=1e-3)
    assert "Month starting Nov 2024" in html


def test_periods_are_placed_by_time_not_by_position():
    rows = _rows(3)
    rows[2]["period"] = "2024-12-30T00:00:00"  # a gap of seven weeks after the second
    xs = [x for x, _ in _line_points(trend_html(rows))]
    assert xs[1] == pytest.approx(1000 * 7 / 56)


def test_one_period_and_missing_values():
    one = trend_html(_rows(1))
    assert len(re.findall('class="sd-col"', one)) == 1
    assert len(_line_points(one)) == 2  # a short level segment, so it shows
    rows = _rows(3)
    rows[1]["watch_hours"] = float("nan")
    rows[2]["sessions"] = float("nan")  # a period without its session count: hours only
    html = trend_html(rows)
    tips = re.findall(r'class="sd-col" title="([^"]+)"', html)
    assert len(tips) == 2 and "sessions" in tips[0] and "sessions" not in tips[1]


def test_no_rows_say_so_instead_of_an_empty_plot():
    html = trend_html([], freq="W")
    assert "No full week of watch history" in html and "sd-col" not in html


def test_the_alt_text_is_escaped():
    html = trend_html(_rows(2), alt_text='Watch "hours" <b>')
    assert 'aria-label="Watch &quot;hours&quot; &lt;b&gt;"' in html


def test_the_theme_ink_reads_in_both_themes():
    """THEME_INK is the theme's text colour at 72% over its background (CSS ``color-mix``
    with transparent, composited by the browser): 4.5:1 or more on both backgrounds of
    .streamlit/config.toml, so the trend needs no redraw when the theme switches."""
    import re
    import tomllib

    from lib.charts.html_trend import THEME_INK
    from lib.config import PROJECT_ROOT

    share = (
        float(
            re.fullmatch(
                r"color-mix\(in srgb, currentColor (\d+)%, transparent\)", THEME_INK
            ).group(1)
        )
        / 100
    )
    theme = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())["theme"]

    def channels(hex_: str) -> list[float]:
        return [int(hex_.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]

    def luminance(rgb: list[float]) -> float:
        lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    for kind in ("light", "dark"):
        text, bg = channels(theme[kind]["textColor"]), channels(theme[kind]["backgroundColor"])
        ink = [share * t + (1 - share) * b for t, b in zip(text, bg, strict=True)]
        hi, lo = sorted([luminance(ink), luminance(bg)], reverse=True)
        assert (hi + 0.05) / (lo + 0.05) >= 4.5, kind
