"""Plotly figure builders: DataFrame in, ``go.Figure`` out (no streamlit import).

Every builder titles its figure in plain words and labels axes with units. Builders never
modify their input.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

__all__ = [
    "PALETTE",
    "LAYER_COLORS",
    "style",
    "watch_hours_trend",
    "row_accounting",
    "layer_scores",
]

PALETTE = px.colors.qualitative.Safe
LAYER_COLORS = {"bronze": "#B07A3B", "silver": "#8E99A8", "gold": "#D4A017"}


def style(
    fig: go.Figure,
    title: str,
    *,
    x: str | None = None,
    y: str | None = None,
    height: int = 380,
    legend: bool = True,
) -> go.Figure:
    """House style: plain-words title, axis titles with units, compact margins."""
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 16}},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        showlegend=legend,
        legend={
            "orientation": "h",
            "yanchor": "top",
            "y": -0.22,
            "xanchor": "left",
            "x": 0,
            "title": {"text": ""},
        },
        template="plotly_white",
        colorway=PALETTE,
    )
    if x is not None:
        fig.update_xaxes(title_text=x)
    if y is not None:
        fig.update_yaxes(title_text=y)
    return fig


def watch_hours_trend(daily: pd.DataFrame, *, freq: str = "W") -> tuple[go.Figure, pd.DataFrame]:
    """Watch hours and sessions per week (or ``freq``) from gold ``engagement_daily``.

    Returns the figure and the aggregated data behind it.
    """
    if daily.empty:
        data = pd.DataFrame(columns=["period", "watch_hours", "sessions"])
    else:
        dates = pd.to_datetime(daily["date"])
        periods = dates.dt.to_period(freq)
        data = (
            daily.assign(period=periods.dt.start_time)
            .groupby("period", as_index=False)[["watch_hours", "sessions"]]
            .sum()
        )
        # a trailing period that the data does not cover fully would look like a drop
        last = periods.max()
        if len(data) > 1 and dates.max().normalize() < last.end_time.normalize():
            data = data[data["period"] < last.start_time]
    label = {"W": "week", "D": "day", "M": "month"}.get(freq, freq)
    fig = go.Figure(
        go.Scatter(
            x=data["period"],
            y=data["watch_hours"],
            mode="lines",
            name="watch hours",
            line={"color": "#E50914", "width": 2},
            hovertemplate="%{x|%d %b %Y}<br>%{y:,.0f} hours<extra></extra>",
        )
    )
    style(fig, f"Watch hours per {label}", x=f"{label} starting", y="watch hours (h)", legend=False)
    return fig, data


def row_accounting(invariants: dict[str, dict]) -> tuple[go.Figure, pd.DataFrame]:
    """100%-stacked bars per table: share of bronze rows kept, rejected, removed as duplicates."""
    data = pd.DataFrame(
        [
            {
                "table": name,
                "bronze rows": v["bronze"],
                "kept in silver": v["silver"],
                "rejected": v["rejected"],
                "duplicates removed": v["duplicates_removed"],
                "accounted for": v["holds"],
            }
            for name, v in invariants.items()
        ]
    )
    fig = go.Figure()
    colors = {"kept in silver": "#2E7D32", "rejected": "#C62828", "duplicates removed": "#F9A825"}
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
    style(fig, "Where every bronze row went", x="share of bronze rows (%)", y=None, height=360)
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
    style(fig, "Quality score per layer", x="layer", y="score (0-100)", legend=False, height=320)
    return fig, data
