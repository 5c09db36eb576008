"""Plotly builders of the Engagement page: sessions (or viewers) in, ``(go.Figure, data)`` out.

Builders take gold or prepared (see :func:`lib.filters.prepare_sessions`) ``sessions`` rows,
already filtered, and return the figure (through the one house path,
:func:`lib.charts.house.figure`) and the data behind it. Aggregations use
:func:`lib.filters.tally` (np.bincount) so a page rerun stays fast on a million sessions.
Builders never modify their input; segment names come from :mod:`lib.glossary`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib.charts.house import PALETTE, _add, _new, figure, no_data, reference_line, rgba
from lib.charts.overview import watch_hours_trend
from lib.config import DEVICES, PLANS, QUALITIES
from lib.filters import count_distinct, has_values, rows_where, tally, top_values
from lib.glossary import AGE_BANDS, SEGMENT_LABELS, words

__all__ = [
    "HEAT_SCALE",
    "WEEKDAYS",
    "RFM_ORDER",
    "QUALITY_COLORS",
    "SEGMENT_LABELS",
    "device_heatmap",
    "top_users_devices",
    "device_share_trend",
    "hour_weekday_heatmap",
    "watch_time_trend",
    "completion_by",
    "watch_breakdown",
    "download_vs_streaming",
    "quality_mix",
    "segment_genre_sankey",
    "segment_engagement",
]

HEAT_SCALE = "Reds"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
RFM_ORDER = ("Champions", "Loyal", "Regular", "New or returning", "At risk", "Hibernating")
QUALITY_COLORS = {
    "SD": "#C6DBEF",
    "HD": "#6BAED6",
    "4K": "#2171B5",
    "Ultra HD": "#08306B",
    "Unknown": "#D9D9D9",
}


def _known_order(col: str) -> tuple[str, ...]:
    return {
        "device_type": DEVICES,
        "subscription_plan": PLANS,
        "quality": (*QUALITIES, "Unknown"),
        "age_band": tuple(b[2] for b in AGE_BANDS),
        "rfm_segment": RFM_ORDER,
    }.get(col, ())


def _ordered(values: Iterable, col: str) -> list:
    """``values`` in the natural order of ``col`` (known vocabularies first), else as given."""
    values = list(dict.fromkeys(values))
    known = [v for v in _known_order(col) if v in values]
    return known + [v for v in values if v not in set(known)]


def _month_start(codes: Iterable) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(np.asarray(list(codes), dtype="int64").astype("datetime64[M]"))


def _click_layer(
    fig: go.Figure, x: list, y: list, z: np.ndarray, extra: np.ndarray, hovertemplate: str
) -> None:
    """An invisible marker at every cell centre of a heatmap, carrying the cell's hover text.

    Plotly heatmaps cannot be selected (a click on one emits no selection), so the chart
    filters read a click on a cell from this layer instead; the heatmap itself shows no
    hover. ``hovertemplate`` uses ``%{customdata[0]}`` for z and ``%{customdata[1]}`` for
    ``extra``.
    """
    xs = np.tile(np.asarray(x, dtype=object), len(y))
    ys = np.repeat(np.asarray(y, dtype=object), len(x))
    invisible = {"marker": {"opacity": 0}}
    _add(
        fig,
        "scatter",
        x=xs,
        y=ys,
        mode="markers",
        marker={"size": 24, "opacity": 0},
        selected=invisible,
        unselected=invisible,
        customdata=np.c_[np.asarray(z, dtype=float).ravel(), np.asarray(extra).ravel()],
        hovertemplate=hovertemplate,
        showlegend=False,
        name="",
    )


def device_heatmap(
    sessions: pd.DataFrame, segment: str = "age_band"
) -> tuple[go.Figure, pd.DataFrame]:
    """Heatmap: share of each segment's sessions per device (rows sum to 100%)."""
    seg_label = words(segment)
    title = f"Device mix by {seg_label} (% of the row's sessions)"
    cols = [segment, "device_type", "sessions", "share"]
    if not (has_values(sessions, segment) and has_values(sessions, "device_type")):
        return no_data(title), pd.DataFrame(columns=cols)
    t = tally(sessions, [segment, "device_type"], name="sessions")
    t[segment] = t[segment].astype("str")
    t["device_type"] = t["device_type"].astype("str")
    t["share"] = t["sessions"] / t.groupby(segment)["sessions"].transform("sum")
    rows = _ordered(t[segment], segment)
    devs = _ordered(t["device_type"], "device_type")
    grid = t.pivot(index=segment, columns="device_type", values="share").reindex(
        index=rows, columns=devs
    )
    counts = t.pivot(index=segment, columns="device_type", values="sessions").reindex(
        index=rows, columns=devs
    )
    fig = _new()
    _add(
        fig,
        "heatmap",
        z=grid.to_numpy(),
        x=devs,
        y=rows,
        colorscale=HEAT_SCALE,
        zmin=0,
        zmax=1,
        texttemplate="%{z:.0%}",
        hoverinfo="skip",
        colorbar={"title": {"text": "share"}, "tickformat": ".0%", "thickness": 14},
    )
    _click_layer(
        fig,
        devs,
        rows,
        grid.to_numpy(),
        counts.fillna(0).to_numpy(),
        "%{y} on %{x}: %{customdata[0]:.1%} of their sessions (%{customdata[1]:,.0f})"
        "<extra></extra>",
    )
    fig = figure(
        fig,
        title,
        x="device",
        y=seg_label,
        legend=False,
        height=max(300, 34 * len(rows) + 130),
        layout={"yaxis": {"autorange": "reversed", "type": "category"}, "hoverdistance": 40},
    )
    return fig, t[cols]


def top_users_devices(
    sessions: pd.DataFrame, *, top: int = 10, user_col: str = "user_id"
) -> tuple[go.Figure, pd.DataFrame]:
    """Heatmap (seed 002): sessions per device of the ``top`` viewers with most sessions."""
    title = f"Top {top} viewers by sessions: sessions per device"
    cols = ["user_id", "device_type", "sessions"]
    if not (has_values(sessions, user_col) and has_values(sessions, "device_type")):
        return no_data(title), pd.DataFrame(columns=cols)
    top_users = top_values(sessions, user_col, top, name="sessions")
    t = tally(
        rows_where(sessions, user_col, top_users[user_col].astype(str)),
        [user_col, "device_type"],
        name="sessions",
    )
    t[user_col] = t[user_col].astype("str")
    t["device_type"] = t["device_type"].astype("str")
    users = [str(u) for u in top_users[user_col]]
    devs = _ordered(t["device_type"], "device_type")
    grid = (
        t.pivot(index=user_col, columns="device_type", values="sessions")
        .reindex(index=users, columns=devs)
        .fillna(0)
    )
    fig = _new()
    _add(
        fig,
        "heatmap",
        z=grid.to_numpy(),
        x=devs,
        y=users,
        colorscale="Blues",
        zmin=0,
        texttemplate="%{z:,.0f}",
        hovertemplate="%{y} on %{x}: %{z:,.0f} sessions<extra></extra>",
        colorbar={"title": {"text": "sessions"}, "thickness": 14},
    )
    fig = figure(
        fig,
        title,
        x="device",
        y="viewer (most sessions at the top)",
        legend=False,
        height=420,
        layout={"yaxis": {"autorange": "reversed", "type": "category"}},
    )
    return fig, t.rename(columns={user_col: "user_id"})[cols]


def device_share_trend(sessions: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """Monthly stacked area: share of sessions per device (each month sums to 100%)."""
    title = "Device share of sessions per month"
    cols = ["month", "device_type", "sessions", "share"]
    if not (has_values(sessions, "device_type") and has_values(sessions, "date")):
        return no_data(title), pd.DataFrame(columns=cols)
    t = tally(sessions, ["month", "device_type"], name="sessions")
    t["device_type"] = t["device_type"].astype("str")
    months = sorted(t["month"].unique())
    devs = _ordered(t["device_type"], "device_type")
    grid = (
        t.pivot(index="month", columns="device_type", values="sessions")
        .reindex(index=months, columns=devs)
        .fillna(0)
    )
    share = grid.div(grid.sum(axis=1), axis=0)
    x = _month_start(months)
    fig = _new()
    for i, dev in enumerate(devs):
        _add(
            fig,
            "scatter",
            x=x,
            y=share[dev].to_numpy() * 100,
            name=str(dev),
            legendgroup=str(dev),  # a selected point names its device (chart filters)
            mode="lines",
            stackgroup="devices",
            line={"width": 0.5, "color": PALETTE[i % len(PALETTE)]},
            # plotly's default fill (the line colour at half opacity) turned muddy on the
            # dark theme's background and washed out on white
            fillcolor=rgba(PALETTE[i % len(PALETTE)], 0.8),
            customdata=grid[dev].to_numpy(),
            hovertemplate=str(dev) + " %{x|%b %Y}: %{y:.1f}% (%{customdata:,.0f} sessions)"
            "<extra></extra>",
        )
    fig = figure(
        fig,
        title,
        x="month",
        y="share of sessions (%)",
        height=380,
        layout={"yaxis": {"range": [0, 100], "ticksuffix": "%"}},
    )
    data = pd.DataFrame(
        {
            "month": np.repeat(x, len(devs)),
            "device_type": np.tile(np.asarray(devs, dtype=object), len(months)),
            "sessions": grid.to_numpy().ravel(),
            "share": share.to_numpy().ravel(),
        }
    )
    return fig, data[cols]


def hour_weekday_heatmap(sessions: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """Heatmap of sessions by hour of day (0-23) and weekday (Mon-Sun)."""
    title = "When viewing starts: sessions by weekday and hour"
    cols = ["weekday", "weekday_name", "hour", "sessions", "share"]
    if not (has_values(sessions, "hour") and has_values(sessions, "weekday")):
        return no_data(title), pd.DataFrame(columns=cols)
    t = tally(sessions, ["weekday", "hour"], name="sessions")
    grid = np.zeros((7, 24))
    ok = t["weekday"].between(0, 6) & t["hour"].between(0, 23)
    grid[t.loc[ok, "weekday"].astype(int), t.loc[ok, "hour"].astype(int)] = t.loc[ok, "sessions"]
    total = max(grid.sum(), 1)
    fig = _new()
    _add(
        fig,
        "heatmap",
        z=grid,
        x=[f"{h:02d}:00" for h in range(24)],
        y=list(WEEKDAYS),
        colorscale=HEAT_SCALE,
        zmin=0,
        hoverinfo="skip",
        colorbar={"title": {"text": "sessions"}, "thickness": 14},
    )
    _click_layer(
        fig,
        [f"{h:02d}:00" for h in range(24)],
        list(WEEKDAYS),
        grid,
        grid / total * 100,
        "%{y} %{x}: %{customdata[0]:,.0f} sessions (%{customdata[1]:.2f}% of all)<extra></extra>",
    )
    fig = figure(
        fig,
        title,
        x="hour the session started (local time)",
        y="weekday",
        legend=False,
        height=340,
        layout={
            "yaxis": {"autorange": "reversed", "type": "category"},
            "xaxis": {"type": "category", "tickangle": 0, "dtick": 2},
            "hoverdistance": 40,
        },
    )
    data = pd.DataFrame(
        {
            "weekday": np.repeat(np.arange(7), 24),
            "weekday_name": np.repeat(np.asarray(WEEKDAYS, dtype=object), 24),
            "hour": np.tile(np.arange(24), 7),
            "sessions": grid.ravel().astype(int),
        }
    )
    data["share"] = data["sessions"] / total
    return fig, data[cols]


def watch_time_trend(sessions: pd.DataFrame, *, freq: str = "W") -> tuple[go.Figure, pd.DataFrame]:
    """Watch hours per week (``freq``) of the given sessions (reuses ``watch_hours_trend``,
    which leaves out partial periods at both ends)."""
    if not (has_values(sessions, "date") and has_values(sessions, "watch_minutes")):
        return no_data("Watch hours over time"), pd.DataFrame(
            columns=["period", "watch_hours", "sessions"]
        )
    t = tally(sessions, "day", "watch_minutes", name="sessions")
    daily = pd.DataFrame(
        {
            "date": pd.DatetimeIndex(t["day"].to_numpy().astype("datetime64[D]")),
            "watch_hours": t["total"] / 60,
            "sessions": t["sessions"],
        }
    )
    return watch_hours_trend(daily, freq=freq)


def completion_by(
    sessions: pd.DataFrame, column: str, *, top: int | None = None
) -> tuple[go.Figure, pd.DataFrame]:
    """Horizontal bars: share of sessions completed per value of ``column``."""
    title = f"Completion rate by {words(column)}"
    cols = [column, "sessions", "completion_rate"]
    if not (has_values(sessions, column) and has_values(sessions, "completed")):
        return no_data(title), pd.DataFrame(columns=cols)
    t = tally(sessions, column, "completed", name="sessions")
    t = t.rename(columns={"mean": "completion_rate"})[cols]
    t[column] = t[column].astype("str")
    t = t.sort_values("completion_rate", ascending=False, ignore_index=True)
    if top:
        t = t.head(top)
    overall = float(np.average(t["completion_rate"], weights=t["sessions"]))
    d = t.iloc[::-1]
    fig = _new()
    _add(
        fig,
        "bar",
        y=d[column],
        x=d["completion_rate"] * 100,
        orientation="h",
        marker_color="#2E7D32",
        customdata=d["sessions"],
        text=[f"{v:.0%}" for v in d["completion_rate"]],
        textposition="inside",
        insidetextanchor="end",
        textfont={"color": "white"},
        hovertemplate="%{y}: %{x:.1f}% of %{customdata:,} sessions completed<extra></extra>",
    )
    reference_line(fig, x=overall * 100, text=f"all: {overall:.0%}")
    fig = figure(
        fig,
        title,
        x="sessions completed (%)",
        legend=False,
        height=max(300, 26 * len(t) + 120),
        layout={
            "xaxis": {
                "range": [0, min(100.0, float(t["completion_rate"].max()) * 100 * 1.1 + 1)],
                "ticksuffix": "%",
            }
        },
    )
    return fig, t


def watch_breakdown(
    sessions: pd.DataFrame, column: str, *, top: int = 15
) -> tuple[go.Figure, pd.DataFrame]:
    """Horizontal bars of watch hours per value of ``column`` (plan, country, ...).

    The data behind it has sessions, share of sessions, viewers, watch hours, hours per
    viewer, average minutes per session and completion rate.
    """
    title = f"Watch hours by {words(column)}"
    cols = [
        column,
        "sessions",
        "share_of_sessions",
        "viewers",
        "watch_hours",
        "hours_per_viewer",
        "avg_minutes",
        "completion_rate",
    ]
    if not (has_values(sessions, column) and has_values(sessions, "watch_minutes")):
        return no_data(title), pd.DataFrame(columns=cols)
    t = tally(sessions, column, "watch_minutes", name="sessions")
    t[column] = t[column].astype("str")
    t["share_of_sessions"] = t["sessions"] / t["sessions"].sum()
    t["watch_hours"] = t["total"] / 60
    t["avg_minutes"] = t["mean"]
    if has_values(sessions, "completed"):
        c = tally(sessions, column, "completed")
        t["completion_rate"] = t[column].map(dict(zip(c[column].astype("str"), c["mean"])))
    else:
        t["completion_rate"] = np.nan
    if has_values(sessions, "user_id"):
        v = count_distinct(sessions, column, "user_id")
        t["viewers"] = t[column].map(dict(zip(v[column].astype("str"), v["n"]))).fillna(0)
    else:
        t["viewers"] = np.nan
    t["hours_per_viewer"] = t["watch_hours"] / t["viewers"].replace(0, np.nan)
    if _known_order(column):
        t = t.set_index(column).reindex(_ordered(t[column], column)).reset_index()
    else:
        t = t.sort_values("watch_hours", ascending=False, ignore_index=True).head(top)
    t = t[cols]
    d = t.iloc[::-1]
    fig = _new()
    _add(
        fig,
        "bar",
        y=d[column],
        x=d["watch_hours"],
        orientation="h",
        marker_color="#E50914",
        customdata=np.c_[
            d["sessions"],
            d["share_of_sessions"] * 100,
            d["avg_minutes"],
            d["completion_rate"] * 100,
            d["hours_per_viewer"],
        ],
        text=[f"{s:.0%} of sessions" for s in d["share_of_sessions"]],
        textposition="auto",
        hovertemplate="<b>%{y}</b>: %{x:,.0f} watch hours<br>%{customdata[0]:,} sessions "
        "(%{customdata[1]:.1f}%), %{customdata[2]:.0f} min per session<br>"
        "%{customdata[3]:.0f}% completed, %{customdata[4]:.1f} h per viewer<extra></extra>",
    )
    fig = figure(fig, title, x="watch hours (h)", legend=False, height=max(280, 28 * len(t) + 110))
    return fig, t


def download_vs_streaming(sessions: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """Grouped bars: share of sessions and completion rate, downloaded vs. streamed."""
    title = "Downloaded vs. streamed sessions"
    cols = ["mode", "sessions", "share_of_sessions", "completion_rate", "avg_minutes"]
    if not has_values(sessions, "is_download"):
        return no_data(title), pd.DataFrame(columns=cols)
    t = tally(
        sessions, "dl", "completed" if has_values(sessions, "completed") else None, name="sessions"
    )
    if "mean" not in t:
        t["mean"] = np.nan
    if has_values(sessions, "watch_minutes"):
        m = tally(sessions, "dl", "watch_minutes")
    else:
        m = t.assign(mean=np.nan)
    data = pd.DataFrame(
        {
            "mode": np.where(t["dl"].astype(bool).to_numpy(), "downloaded", "streamed"),
            "sessions": t["sessions"].to_numpy(),
            "share_of_sessions": t["sessions"].to_numpy() / max(t["sessions"].sum(), 1),
            "completion_rate": t["mean"].to_numpy(),
            "avg_minutes": m["mean"].to_numpy(),
        }
    ).sort_values("mode", ascending=False, ignore_index=True)
    names = {"share_of_sessions": "share of sessions", "completion_rate": "sessions completed"}
    colors = {"streamed": "#0F5C8C", "downloaded": "#E50914"}
    fig = _new()
    for row in data.itertuples(index=False):
        values = [getattr(row, k) for k in names]
        _add(
            fig,
            "bar",
            x=list(names.values()),
            y=[v * 100 for v in values],
            name=row.mode,
            marker_color=colors.get(row.mode, "#888"),
            text=[f"{v:.0%}" if v == v else "n/a" for v in values],
            textposition="outside",
            hovertemplate=f"{row.mode}: " + "%{x} %{y:.1f}%<br>"
            f"{row.sessions:,} sessions, {row.avg_minutes:.0f} min on average<extra></extra>",
        )
    fig = figure(
        fig,
        title,
        y="percent (%)",
        height=340,
        layout={"barmode": "group", "yaxis": {"range": [0, 112], "ticksuffix": "%"}},
    )
    return fig, data


def quality_mix(sessions: pd.DataFrame, by: str = "device_type") -> tuple[go.Figure, pd.DataFrame]:
    """100%-stacked bars: stream quality (SD/HD/4K/Ultra HD) per device (or ``by``)."""
    title = f"Stream quality per {words(by)} (share of sessions)"
    cols = [by, "quality", "sessions", "share"]
    if not (has_values(sessions, "quality") and has_values(sessions, by)):
        return no_data(title), pd.DataFrame(columns=cols)
    t = tally(sessions, [by, "quality"], name="sessions")
    t[by] = t[by].astype("str")
    t["quality"] = t["quality"].astype("str")
    t["share"] = t["sessions"] / t.groupby(by)["sessions"].transform("sum")
    rows = _ordered(t[by], by)[::-1]
    fig = _new()
    for q in _ordered(t["quality"], "quality"):
        part = t[t["quality"] == q].set_index(by).reindex(rows)
        _add(
            fig,
            "bar",
            y=rows,
            x=part["share"].fillna(0) * 100,
            name=q,
            orientation="h",
            marker_color=QUALITY_COLORS.get(q, "#BDBDBD"),
            customdata=part["sessions"].fillna(0),
            hovertemplate="%{y}, " + q + ": %{x:.1f}% (%{customdata:,.0f} sessions)<extra></extra>",
        )
    fig = figure(
        fig,
        title,
        x="share of sessions (%)",
        height=max(300, 34 * len(rows) + 140),
        layout={
            "barmode": "stack",
            "xaxis": {"range": [0, 100], "ticksuffix": "%"},
            "legend": {"traceorder": "normal"},
        },
    )
    return fig, t[cols]


def _stack_positions(sizes: Sequence[float], pad: float = 0.04) -> list[float]:
    """Centre y (0 = top, 1 = bottom) of stacked Sankey nodes with the given sizes."""
    total = float(sum(sizes)) or 1.0
    room = 1.0 - pad * max(len(sizes) - 1, 0)
    out, y = [], 0.0
    for s in sizes:
        h = room * s / total
        out.append(min(max(y + h / 2, 0.001), 0.999))
        y += h + pad
    return out


def segment_genre_sankey(
    sessions: pd.DataFrame, source: str = "subscription_plan", *, top_genres: int = 8
) -> tuple[go.Figure, pd.DataFrame]:
    """Sankey: sessions flowing from a viewer segment (plan, age band) to primary genres.

    Genres beyond the ``top_genres`` most watched are merged into "Other genres".
    """
    title = f"Who watches what: sessions from {words(source)} to primary genre"
    cols = [source, "genre", "sessions", "share_of_segment"]
    if not (has_values(sessions, source) and has_values(sessions, "genre_primary")):
        return no_data(title), pd.DataFrame(columns=cols)
    t = tally(sessions, [source, "genre_primary"], name="sessions")
    t[source] = t[source].astype("str")
    genre = t["genre_primary"].astype("str")
    totals = t.groupby(genre)["sessions"].sum().sort_values(ascending=False)
    keep = set(totals.index[:top_genres])
    t["genre"] = genre.where(genre.isin(keep), "Other genres")
    data = t.groupby([source, "genre"], sort=False)["sessions"].sum().reset_index()
    data["share_of_segment"] = data["sessions"] / data.groupby(source)["sessions"].transform("sum")
    srcs = _ordered(data[source], source)
    gtot = data.groupby("genre")["sessions"].sum().sort_values(ascending=False)
    genres = [g for g in gtot.index if g != "Other genres"]
    genres += ["Other genres"] if "Other genres" in gtot.index else []
    stot = data.groupby(source)["sessions"].sum()
    index = {("s", s): i for i, s in enumerate(srcs)}
    index.update({("g", g): len(srcs) + i for i, g in enumerate(genres)})
    src_colors = [PALETTE[i % len(PALETTE)] for i in range(len(srcs))]
    order = {s: i for i, s in enumerate(srcs)}
    data = data.sort_values(
        [source, "sessions"],
        key=lambda s: s.map(order) if s.name == source else -s,
        ignore_index=True,
    )
    fig = _new()
    _add(
        fig,
        "sankey",
        arrangement="snap",
        node={
            "label": [f"{s}" for s in srcs] + genres,
            "x": [0.001] * len(srcs) + [0.999] * len(genres),
            "y": _stack_positions([stot[s] for s in srcs])
            + _stack_positions([gtot[g] for g in genres], pad=0.02),
            "pad": 12,
            "thickness": 16,
            "color": src_colors + ["#9AA0A6"] * len(genres),
            "hovertemplate": "%{label}: %{value:,} sessions<extra></extra>",
        },
        link={
            "source": [index[("s", s)] for s in data[source]],
            "target": [index[("g", g)] for g in data["genre"]],
            "value": data["sessions"].astype(float),
            "color": [rgba(src_colors[order[s]], 0.4) for s in data[source]],
            "customdata": data["share_of_segment"] * 100,
            "hovertemplate": "%{source.label} -> %{target.label}: %{value:,} sessions "
            "(%{customdata:.1f}% of the segment's sessions)<extra></extra>",
        },
    )
    return figure(fig, title, legend=False, height=460), data[cols]


def segment_engagement(
    users: pd.DataFrame, by: str = "rfm_segment"
) -> tuple[go.Figure, pd.DataFrame]:
    """Bars: mean engagement score (0-100) per viewer segment, with viewers per segment."""
    label = words(by)
    title = f"Mean engagement score by {label}"
    cols = [by, "viewers", "mean_score", "median_score"]
    if not (has_values(users, by) and has_values(users, "engagement_score")):
        return no_data(title), pd.DataFrame(columns=cols)
    d = users[[by, "engagement_score"]].dropna()
    g = d.groupby(d[by].astype("str"))["engagement_score"]
    data = (
        pd.DataFrame({"viewers": g.size(), "mean_score": g.mean(), "median_score": g.median()})
        .rename_axis(by)
        .reset_index()
        .sort_values("mean_score", ascending=False, ignore_index=True)
    )
    overall = float(d["engagement_score"].mean())
    fig = _new()
    _add(
        fig,
        "bar",
        x=data[by],
        y=data["mean_score"],
        marker_color="#7A3E9D",
        customdata=np.c_[data["viewers"], data["median_score"]],
        text=[f"{v:.0f}" for v in data["mean_score"]],
        textposition="inside",
        insidetextanchor="end",
        textfont={"color": "white"},
        hovertemplate="%{x}: mean score %{y:.1f} (median %{customdata[1]:.1f}) over "
        "%{customdata[0]:,} viewers<extra></extra>",
    )
    reference_line(fig, y=overall, text=f"all viewers shown: {overall:.0f}")
    fig = figure(
        fig,
        title,
        x=label,
        y="engagement score (0-100)",
        legend=False,
        height=360,
        layout={"yaxis": {"range": [0, 100]}},
    )
    return fig, data[cols]
