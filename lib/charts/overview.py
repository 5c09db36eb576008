"""Plotly builders of the Overview's data (no streamlit import).

The Overview page draws Vega-Lite specs (:mod:`lib.charts.light`, which imports no Plotly);
these Plotly twins take the same data (the aggregation is ``lib.charts.light``'s, defined
once) and stay for the Engagement page's weekly trend (``watch_hours_trend``), for the PDF
report and for tests that compare both renderings.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.charts.house import figure
from lib.charts.light import (
    LAYER_COLORS,
    ROW_FATE_COLORS,
    TREND_COLOR,
    row_accounting_data,
    watch_hours_by_period,
)

__all__ = ["LAYER_COLORS", "watch_hours_trend", "row_accounting", "layer_scores"]


def watch_hours_trend(daily: pd.DataFrame, *, freq: str = "W") -> tuple[go.Figure, pd.DataFrame]:
    """Watch hours and sessions per week (or ``freq``) from gold ``engagement_daily``.

    Periods the data covers only in part (the first and the last) are left out: a partial
    week looks like a drop. Returns the figure and the aggregated data behind it.
    """
    data = watch_hours_by_period(daily, freq=freq)
    label = {"W": "week", "D": "day", "M": "month"}.get(freq, freq)
    fig = go.Figure(
        go.Scatter(
            x=data["period"],
            y=data["watch_hours"],
            mode="lines",
            name="watch hours",
            line={"color": TREND_COLOR, "width": 2},
            hovertemplate="%{x|%d %b %Y}<br>%{y:,.0f} hours<extra></extra>",
        )
    )
    fig = figure(
        fig, f"Watch hours per {label}", x=f"{label} starting", y="watch hours (h)", legend=False
    )
    return fig, data


def row_accounting(invariants: dict[str, dict]) -> tuple[go.Figure, pd.DataFrame]:
    """100%-stacked bars per table: share of bronze rows kept, rejected, removed as duplicates."""
    data = row_accounting_data(invariants)
    fig = go.Figure()
    colors = ROW_FATE_COLORS
    total = data["bronze rows"].where(data["bronze rows"] > 0, 1)
    for col, color in colors.items():
        fig.add_bar(
            y=data["table"],
            x=100 * data[col] / total,
            customdata=data[[col, "bronze rows"]],
            name=col,
            orientation="h",
            marker_color=color,
            hovertemplate="%{y}: %{customdata[0]:,} of %{customdata[1]:,} rows "
            + col
            + " (%{x:.1f}%)<extra></extra>",
        )
    fig.update_layout(barmode="stack", yaxis={"autorange": "reversed"})
    fig.update_xaxes(range=[0, 100], ticksuffix="%", dtick=25)
    fig = figure(
        fig, "Where every bronze row went", x="share of bronze rows (%)", y=None, height=360
    )
    return fig, data


def layer_scores(scorecard: list[dict]) -> tuple[go.Figure, pd.DataFrame]:
    """Quality score (0-100) per layer with its components."""
    data = pd.DataFrame(scorecard)
    fig = go.Figure(
        go.Bar(
            x=data["layer"],
            y=data["score"],
            marker_color=[LAYER_COLORS.get(layer, "#888") for layer in data["layer"]],
            text=[f"{s:.1f}" for s in data["score"]],
            textposition="outside",
            hovertemplate="%{x}: %{y:.1f} / 100<extra></extra>",
        )
    )
    fig.update_yaxes(range=[0, 115])
    fig = figure(
        fig, "Quality score per layer", x="layer", y="score (0-100)", legend=False, height=320
    )
    return fig, data
