"""Figures of Netflix's engagement reports (gold ``engagement_report``): DataFrame in,
(figure, data behind it) out, in the house style (``lib.charts.house.figure``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib.charts.house import PALETTE, figure
from lib.engagement_report import latest_period, period_changes, period_label

__all__ = [
    "top_titles_hours",
    "hours_by_release_month",
    "availability",
    "concentration",
    "period_change",
]

KIND_COLORS = {"film": "#E50914", "tv": "#0F5C8C", "unknown": "#9AA0A6"}


def _kind(s: pd.Series) -> pd.Series:
    return s.astype("str").where(s.notna(), "unknown")


def top_titles_hours(report: pd.DataFrame, *, top: int = 20) -> tuple[go.Figure, pd.DataFrame]:
    """Horizontal bars: the most watched titles of the latest period (hours viewed)."""
    last = latest_period(report)
    d = last.nlargest(top, "hours_viewed")[
        ["title", "kind", "hours_viewed", "views", "in_catalog"]
    ].reset_index(drop=True)
    label = period_label(last)
    # "Title // alternative title": the first (the chart's font may lack the other script)
    d = d.assign(title=d["title"].astype(str).str.split(" // ").str[0])
    rows = d.iloc[::-1]
    traces = []
    for kind in ("film", "tv", "unknown"):
        part = rows[_kind(rows["kind"]) == kind]
        if part.empty:
            continue
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": {"film": "film", "tv": "TV", "unknown": "kind not given"}[kind],
                "y": part["title"].tolist(),
                "x": (part["hours_viewed"] / 1e6).tolist(),
                "marker": {"color": KIND_COLORS[kind]},
                "customdata": np.c_[part["views"].fillna(np.nan) / 1e6],
                "hovertemplate": "%{y}: %{x:,.1f} M hours, %{customdata[0]:,.1f} M views"
                "<extra></extra>",
            }
        )
    fig = figure(
        traces,
        f"Most watched titles, {label}",
        x="hours viewed (millions)",
        height=max(360, 24 * len(d) + 130),
        layout={
            "yaxis": {
                "type": "category",
                "categoryorder": "array",
                "categoryarray": rows["title"].tolist(),
            },
            "barmode": "stack",
        },
    )
    return fig, d


def hours_by_release_month(report: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """Stacked bars: hours viewed in the latest period by the titles' release month."""
    last = latest_period(report).dropna(subset=["release_date"])
    cols = ["month", "kind", "titles", "hours_viewed"]
    if last.empty:
        return figure([], "Hours viewed by release month (no release dates)"), pd.DataFrame(
            columns=cols
        )
    d = (
        last.assign(
            month=pd.to_datetime(last["release_date"]).dt.to_period("M").dt.to_timestamp(),
            kind=_kind(last["kind"]),
        )
        .groupby(["month", "kind"], as_index=False)
        .agg(titles=("title", "size"), hours_viewed=("hours_viewed", "sum"))
    )
    traces = [
        {
            "type": "bar",
            "name": "film" if k == "film" else "TV" if k == "tv" else "kind not given",
            "x": part["month"].tolist(),
            "y": (part["hours_viewed"] / 1e6).tolist(),
            "marker": {"color": KIND_COLORS.get(k, PALETTE[0])},
            "customdata": np.c_[part["titles"]],
            "hovertemplate": "%{x|%b %Y}: %{y:,.1f} M hours from %{customdata[0]:,} titles"
            "<extra></extra>",
        }
        for k, part in d.groupby("kind", sort=True)
    ]
    fig = figure(
        traces,
        "Hours viewed by release month (titles with a release date)",
        x="release month",
        y="hours viewed (millions)",
        layout={"barmode": "stack"},
    )
    return fig, d[cols]


def availability(report: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """Grouped bars: share of titles and of hours, available globally or not."""
    last = latest_period(report).dropna(subset=["available_globally"])
    cols = ["available_globally", "titles", "share_of_titles", "hours_viewed", "share_of_hours"]
    if last.empty:
        return figure([], "Available globally (not in this report)"), pd.DataFrame(columns=cols)
    g = last.assign(
        available_globally=last["available_globally"].astype(bool).map({True: "yes", False: "no"})
    )
    d = g.groupby("available_globally", as_index=False).agg(
        titles=("title", "size"), hours_viewed=("hours_viewed", "sum")
    )
    d["share_of_titles"] = d["titles"] / d["titles"].sum()
    d["share_of_hours"] = d["hours_viewed"] / d["hours_viewed"].sum()
    d = d.sort_values("available_globally", ascending=False, ignore_index=True)
    traces = [
        {
            "type": "bar",
            "name": f"available globally: {row.available_globally}",
            "x": ["share of titles", "share of hours viewed"],
            "y": [row.share_of_titles * 100, row.share_of_hours * 100],
            "text": [f"{row.share_of_titles:.0%}", f"{row.share_of_hours:.0%}"],
            "textposition": "outside",
            "marker": {"color": "#E50914" if row.available_globally == "yes" else "#9AA0A6"},
            "hovertemplate": f"{row.titles:,} titles, {row.hours_viewed / 1e6:,.0f} M hours"
            "<extra></extra>",
        }
        for row in d.itertuples(index=False)
    ]
    fig = figure(
        traces,
        "Globally available titles: share of titles vs share of hours",
        y="percent (%)",
        height=340,
        layout={"barmode": "group", "yaxis": {"range": [0, 112], "ticksuffix": "%"}},
    )
    return fig, d[cols]


def concentration(report: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """Cumulative share of hours viewed against the share of titles, most watched first."""
    h = latest_period(report)["hours_viewed"].dropna().sort_values(ascending=False)
    cols = ["share_of_titles", "share_of_hours"]
    if h.empty or h.sum() <= 0:
        return figure([], "Concentration of hours viewed"), pd.DataFrame(columns=cols)
    share_t = np.arange(1, len(h) + 1) / len(h)
    share_h = h.cumsum().to_numpy() / h.sum()
    keep = np.unique(np.linspace(0, len(h) - 1, min(len(h), 400)).astype(int))
    d = pd.DataFrame({"share_of_titles": share_t[keep], "share_of_hours": share_h[keep]})
    traces = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": "titles, most watched first",
            "x": (d["share_of_titles"] * 100).tolist(),
            "y": (d["share_of_hours"] * 100).tolist(),
            "line": {"color": "#E50914", "width": 2},
            "hovertemplate": "top %{x:.1f}% of titles: %{y:.1f}% of hours<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "equal share",
            "x": [0, 100],
            "y": [0, 100],
            "line": {"color": "#9AA0A6", "dash": "dash", "width": 1},
            "hoverinfo": "skip",
        },
    ]
    fig = figure(
        traces,
        "How concentrated viewing is: cumulative share of hours",
        x="share of titles (%)",
        y="share of hours viewed (%)",
        height=360,
        layout={"xaxis": {"range": [0, 100]}, "yaxis": {"range": [0, 100]}},
    )
    return fig, d


def period_change(report: pd.DataFrame, *, top: int = 15) -> tuple[go.Figure, pd.DataFrame]:
    """Titles in both of the two latest reports: hours in each (the most watched now)."""
    d = period_changes(report).head(top)
    if not d.empty:
        d = d.assign(title=d["title"].astype(str).str.split(" // ").str[0])
    if d.empty:
        return figure([], "Period over period (needs two reports)"), d
    rows = d.iloc[::-1]
    traces = [
        {
            "type": "bar",
            "orientation": "h",
            "name": name,
            "y": rows["title"].tolist(),
            "x": (rows[col] / 1e6).tolist(),
            "marker": {"color": color},
            "hovertemplate": "%{y}: %{x:,.1f} M hours<extra></extra>",
        }
        for name, col, color in (
            ("previous report", "previous", "#9AA0A6"),
            ("latest report", "latest", "#E50914"),
        )
    ]
    fig = figure(
        traces,
        "Titles in both reports: hours viewed, previous vs latest",
        x="hours viewed (millions)",
        height=max(360, 28 * len(d) + 130),
        layout={"barmode": "group", "yaxis": {"type": "category"}},
    )
    return fig, d
