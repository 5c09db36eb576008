"""Plotly figure builders: DataFrame in, ``go.Figure`` out (no streamlit import).

Every builder titles its figure in plain words and labels axes with units. Builders never
modify their input.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import plotly.io as pio

from lib.charts_light import (
    LAYER_COLORS,
    ROW_FATE_COLORS,
    TREND_COLOR,
    row_accounting_data,
    watch_hours_by_period,
)
from lib.filters import count_distinct, has_values, list_values, rows_where, tally, top_values

__all__ = [
    "PALETTE",
    "LAYER_COLORS",
    "style",
    "house_figure",
    "watch_hours_trend",
    "row_accounting",
    "layer_scores",
    "rating_column",
    "genre_counts",
    "genre_popularity",
    "genre_strip",
    "genre_treemap",
    "genre_wordcloud",
    "rating_distributions",
    "ratings_by_genre",
    "audience_vs_critic",
    "distribution_by_type",
    "titles_added",
    "director_stats",
    "director_treemap",
    "director_bubbles",
    "top_cast",
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

PALETTE = px.colors.qualitative.Safe

# The house template is registered once and made plotly's default: assigning a template by
# name in every style() call made plotly validate and deep-copy it per figure (~30 ms each).
_TEMPLATE = go.layout.Template(pio.templates["plotly_white"])
_TEMPLATE.layout.colorway = PALETTE
pio.templates["streamdash"] = _TEMPLATE
pio.templates.default = "streamdash"


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
        colorway=PALETTE,
    )
    if x is not None:
        fig.update_xaxes(title_text=x)
    if y is not None:
        fig.update_yaxes(title_text=y)
    return fig


_HOUSE: dict[bool, dict] = {}


def _house(legend: bool) -> dict:
    """The layout ``style()`` gives an empty figure (captured once per process)."""
    if legend not in _HOUSE:
        _HOUSE[legend] = style(go.Figure(), "", legend=legend).to_dict()["layout"]
    return _HOUSE[legend]


def house_figure(
    traces: list[dict[str, Any]],
    title: str,
    *,
    x: str | None = None,
    y: str | None = None,
    height: int = 380,
    legend: bool = True,
    layout: Mapping[str, Any] | None = None,
) -> go.Figure:
    """House-styled figure from plain trace dicts, without plotly's slow validation.

    Same look as ``style()`` (whose layout is captured once). ``layout`` entries are merged
    one level deep (``{"xaxis": {"range": ...}}`` keeps the axis title). For figures on a
    page's hot path: ``go.Figure()`` followed by ``style()`` and ``update_*`` calls costs
    ~50-100 ms per figure (each update re-validates), this a few ms.
    """
    house = _house(legend)
    lay = copy.deepcopy({k: v for k, v in house.items() if k != "template"})
    lay["title"] = {**lay.get("title", {}), "text": title}
    lay["height"] = height
    for axis, text in (("xaxis", x), ("yaxis", y)):
        if text is not None:
            lay[axis] = {**lay.get(axis, {}), "title": {"text": text}}
    for key, value in (layout or {}).items():
        if isinstance(value, Mapping) and isinstance(lay.get(key), dict):
            lay[key] = {**lay[key], **value}
        else:
            lay[key] = value
    lay["template"] = house["template"]  # shared and read-only: copied when serialised
    return go.Figure({"data": traces, "layout": lay}, _validate=False)


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
    style(fig, f"Watch hours per {label}", x=f"{label} starting", y="watch hours (h)", legend=False)
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


# --- Catalog and Engagement pages (issue 3) ---------------------------------------------------
# Builders below take gold ``titles`` or (gold or prepared, see lib.filters.prepare_sessions)
# ``sessions`` rows, already filtered, and return (figure, data behind it). Aggregations use
# ``lib.filters.tally`` (np.bincount) so a page rerun stays fast on a million sessions.
#
# House style: ``_finish`` applies exactly the layout ``style()`` produces (captured once from
# ``style()`` itself, so a change there flows through) to a figure built without plotly's
# per-property validation. ``style()`` on a live figure costs 25-90 ms (validation and a deep
# copy of the template), more than all the data work of a page rerun; the unit tests validate
# every builder's output instead (``go.Figure(fig.to_dict())``).

HEAT_SCALE = "Reds"
RATING_SCALE = "Viridis"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
RFM_ORDER = ("Champions", "Loyal", "Regular", "New or returning", "At risk", "Hibernating")
QUALITY_COLORS = {
    "SD": "#C6DBEF",
    "HD": "#6BAED6",
    "4K": "#2171B5",
    "Ultra HD": "#08306B",
    "Unknown": "#D9D9D9",
}
SEGMENT_LABELS = {
    "age_band": "age band",
    "subscription_plan": "plan",
    "rfm_segment": "RFM segment",
    "user_country": "home country",
    "location_country": "country watched in",
    "device_type": "device",
    "genre_primary": "primary genre",
    "content_type": "content type",
    "quality": "stream quality",
    "country": "country",
}
RATING_LABELS = {
    "imdb_rating": "IMDb rating (1-10)",
    "weighted_rating": "weighted rating (1-10)",
    "avg_user_rating": "mean viewer rating (1-5)",
}
_HOUSE: dict[bool, dict] = {}


def _house(legend: bool) -> dict:
    """The layout ``style()`` gives an empty figure (captured once per process)."""
    if legend not in _HOUSE:
        _HOUSE[legend] = style(go.Figure(), "", legend=legend).to_dict()["layout"]
    return _HOUSE[legend]


def _merge(a: dict, b: dict) -> dict:
    """Recursive dict merge: ``b`` wins; ``a`` and ``b`` are not modified."""
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _new() -> go.Figure:
    """An empty figure that skips plotly's property validation (see ``_finish``).

    The empty template keeps plotly from copying its default template into it;
    ``_finish`` sets the house template.
    """
    return go.Figure(layout={"template": {}}, _validate=False)


_SHORTHAND = ("marker", "line", "textfont")


def _add(fig: go.Figure, kind: str, **props: object) -> None:
    """Add a trace of type ``kind`` to a ``_new()`` figure without validating it.

    ``marker_color=...``-style shorthands of ``marker``, ``line`` and ``textfont`` are
    expanded; anything else must be spelled as Plotly's nested properties.
    """
    trace: dict = {"type": kind}
    for key, value in props.items():
        head, _, rest = key.partition("_")
        if rest and head in _SHORTHAND:
            trace[head] = {**trace.get(head, {}), rest: value}
        else:
            trace[key] = value
    fig.add_trace(trace)


def _finish(
    fig: go.Figure,
    title: str,
    *,
    x: str | None = None,
    y: str | None = None,
    height: int = 380,
    legend: bool = True,
    layout: dict | None = None,
) -> go.Figure:
    """House style (as ``style()``) plus ``layout`` on a figure from ``_new()``."""
    house = _house(legend)
    own = {k: v for k, v in fig.layout.to_plotly_json().items() if k != "template"}
    lay = _merge(own, {k: v for k, v in house.items() if k != "template"})
    lay = _merge(lay, {"title": {"text": title}, "height": height})
    legend_y = house.get("legend", {}).get("y")
    if legend and isinstance(legend_y, int | float) and legend_y < 0 and height > 380:
        # style() puts the legend below the plot as a fraction of the plot's height, tuned
        # for 380 px; keep the same distance in pixels on taller figures
        margin = house.get("margin", {})
        pad = margin.get("t", 0) + margin.get("b", 0)
        lay["legend"] = {**lay["legend"], "y": legend_y * (380 - pad) / (height - pad)}
    for axis, text in (("xaxis", x), ("yaxis", y)):
        if text is not None:
            for key in [k for k in lay if k.startswith(axis)] or [axis]:
                lay[key] = _merge(lay.get(key, {}), {"title": {"text": text}})
    if layout:
        lay = _merge(lay, layout)
    lay["template"] = house["template"]  # shared, read-only: copied when serialised
    traces = [t.to_plotly_json() for t in fig.data]
    return go.Figure({"data": traces, "layout": lay}, _validate=False)


def _no_data(title: str, text: str = "No data for this selection") -> go.Figure:
    fig = _new()
    fig.add_annotation(
        text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font={"size": 14}
    )
    return _finish(
        fig, title, legend=False, layout={"xaxis": {"visible": False}, "yaxis": {"visible": False}}
    )


def _reference_line(
    fig: go.Figure, *, x: float | None = None, y: float | None = None, text: str = ""
) -> None:
    """Dashed reference line across the plot, labelled above the plot area."""
    line = {"color": "#555", "dash": "dash", "width": 1}
    if x is not None:
        fig.add_shape(type="line", x0=x, x1=x, y0=0, y1=1, yref="paper", line=line)
        fig.add_annotation(
            x=x,
            y=1,
            yref="paper",
            text=text,
            showarrow=False,
            yanchor="bottom",
            font={"size": 11, "color": "#555"},
        )
    else:
        fig.add_shape(type="line", y0=y, y1=y, x0=0, x1=1, xref="paper", line=line)
        fig.add_annotation(
            x=1,
            y=1.0,
            xref="paper",
            yref="paper",
            text=f"- - {text}",
            showarrow=False,
            xanchor="right",
            yanchor="bottom",
            font={"size": 11, "color": "#555"},
        )


def _label(col: str) -> str:
    return SEGMENT_LABELS.get(col, col.replace("_", " "))


def _known_order(col: str) -> tuple[str, ...]:
    from lib.config import DEVICES, PLANS, QUALITIES
    from lib.glossary import AGE_BANDS

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


def _rgba(color: str, alpha: float) -> str:
    if color.startswith("rgb("):
        return color.replace("rgb(", "rgba(").replace(")", f",{alpha})")
    h = color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def rating_column(titles: pd.DataFrame) -> str | None:
    """The best rating a catalog has: IMDb-style, else weighted, else mean viewer rating."""
    for col in ("imdb_rating", "weighted_rating", "avg_user_rating"):
        if has_values(titles, col):
            return col
    return None


def _genre_lists(titles: pd.DataFrame) -> pd.Series:
    """One row per (title row, genre); falls back to the primary genre when genres is empty."""
    if "genres" in titles:
        src = (
            titles["genres"]
            .astype("str")
            .where(titles["genres"].notna(), titles.get("genre_primary"))
        )
    else:
        src = titles["genre_primary"]
    items = list_values(src)
    pairs = pd.DataFrame({"row": items.index, "genre": items.to_numpy()}).drop_duplicates()
    return pd.Series(pairs["genre"].to_numpy(), index=pairs["row"].to_numpy(), name="genre")


def genre_counts(titles: pd.DataFrame) -> pd.DataFrame:
    """Titles per genre: ``titles`` carrying it at all, ``as_primary``, ``as_secondary``.

    A multi-genre title counts once for each of its genres; ``share`` = titles / all titles.
    Sorted by titles (descending), then genre.
    """
    cols = ["genre", "titles", "as_primary", "as_secondary", "share"]
    if not len(titles) or not (has_values(titles, "genres") or has_values(titles, "genre_primary")):
        return pd.DataFrame(columns=cols)
    counts = _genre_lists(titles).value_counts()
    primary = (
        titles["genre_primary"].dropna().astype("str").value_counts()
        if "genre_primary" in titles
        else pd.Series(dtype=int)
    )
    data = pd.DataFrame({"genre": counts.index.astype("str"), "titles": counts.to_numpy()})
    data["as_primary"] = data["genre"].map(primary).fillna(0).astype(int)
    data["as_secondary"] = (data["titles"] - data["as_primary"]).clip(lower=0)
    data["share"] = data["titles"] / len(titles)
    return data.sort_values(["titles", "genre"], ascending=[False, True], ignore_index=True)


def genre_popularity(
    titles: pd.DataFrame, counts: pd.DataFrame | None = None, *, top: int = 30
) -> tuple[go.Figure, pd.DataFrame]:
    """Horizontal stacked bars: titles per genre, as primary genre and as a further genre.

    Shows the ``top`` genres (the data behind it has all). ``counts`` (from
    ``genre_counts``) may be passed to avoid recomputing it.
    """
    data = genre_counts(titles) if counts is None else counts
    title = "Titles per genre"
    if data.empty:
        return _no_data(title), data
    if len(data) > top:
        title += f" (top {top} of {len(data)})"
    fig = _new()
    d = data.head(top).iloc[::-1]
    for col, name, color in (
        ("as_primary", "primary genre", "#E50914"),
        ("as_secondary", "further genre of a multi-genre title", "#F4A6A8"),
    ):
        _add(
            fig,
            "bar",
            y=d["genre"],
            x=d[col],
            name=name,
            orientation="h",
            marker_color=color,
            customdata=np.c_[d["titles"], d["share"] * 100],
            hovertemplate="%{y}: %{x:,} titles as " + name + "<br>%{customdata[0]:,} titles "
            "carry this genre (%{customdata[1]:.0f}% of titles)<extra></extra>",
        )
    fig = _finish(
        fig,
        title,
        x="titles (count)",
        height=max(320, 24 * len(d) + 120),
        layout={"barmode": "stack"},
    )
    return fig, data


def genre_strip(titles: pd.DataFrame, *, top: int = 30) -> tuple[go.Figure, pd.DataFrame]:
    """Strip plot (seed 002): one dot per genre and content type, x = titles with that genre.

    Shows the ``top`` genres by titles (the data behind it has all).
    """
    cols = ["genre", "content_type", "titles"]
    title = "Genre counts by content type"
    if not has_values(titles, "content_type") or not (
        has_values(titles, "genres") or has_values(titles, "genre_primary")
    ):
        return _no_data(title), pd.DataFrame(columns=cols)
    genres = _genre_lists(titles)
    pairs = pd.DataFrame(
        {
            "genre": genres.to_numpy(),
            "content_type": titles["content_type"].astype("str").reindex(genres.index).to_numpy(),
        }
    )
    data = pairs.groupby(["genre", "content_type"]).size().rename("titles").reset_index()
    order = data.groupby("genre")["titles"].sum().sort_values(ascending=False).index
    if len(order) > top:
        title += f" (top {top} of {len(order)} genres)"
        order = order[:top]
    fig = _new()
    shown = data[data["genre"].isin(order)]
    for i, (ctype, d) in enumerate(shown.groupby("content_type", sort=False)):
        _add(
            fig,
            "box",
            y=d["genre"],
            x=d["titles"],
            orientation="h",
            name=str(ctype),
            boxpoints="all",
            jitter=0.5,
            pointpos=0,
            fillcolor="rgba(0,0,0,0)",
            line={"width": 0},
            marker={"size": 9, "color": PALETTE[i % len(PALETTE)], "opacity": 0.85},
            hoveron="points",
            hovertemplate="%{y}, " + str(ctype) + ": %{x:,} titles<extra></extra>",
        )
    fig = _finish(
        fig,
        title,
        x="titles with the genre (count)",
        height=max(360, 24 * len(order) + 150),
        layout={"yaxis": {"categoryorder": "array", "categoryarray": list(order)[::-1]}},
    )
    return fig, data.sort_values(["genre", "content_type"], ignore_index=True)


def genre_treemap(
    titles: pd.DataFrame, counts: pd.DataFrame | None = None
) -> tuple[go.Figure, pd.DataFrame]:
    """Treemap (seed 000): primary genre only vs. all genres of multi-genre titles."""
    counts = genre_counts(titles) if counts is None else counts
    title = "Primary genre vs. all genres (area = titles)"
    if counts.empty:
        return _no_data(title), counts
    one = "Primary genre only (each title once)"
    many = "All genres (a title once per genre)"
    data = pd.concat(
        [
            pd.DataFrame({"view": one, "genre": counts["genre"], "titles": counts["as_primary"]}),
            pd.DataFrame({"view": many, "genre": counts["genre"], "titles": counts["titles"]}),
        ],
        ignore_index=True,
    )
    data = data[data["titles"] > 0].reset_index(drop=True)
    totals = data.groupby("view", sort=False)["titles"].sum()
    root = "Catalog"
    genres = list(counts["genre"])
    fig = _new()
    _add(
        fig,
        "treemap",
        ids=[root, *totals.index, *(data["view"] + "/" + data["genre"])],
        labels=[root, *totals.index, *data["genre"]],
        parents=["", *([root] * len(totals)), *data["view"]],
        values=[int(totals.sum()), *totals.to_numpy().tolist(), *data["titles"].tolist()],
        branchvalues="total",
        marker={
            "colors": ["#FFFFFF"]
            + ["#DDDDDD"] * len(totals)
            + [PALETTE[genres.index(g) % len(PALETTE)] for g in data["genre"]]
        },
        texttemplate="%{label}<br>%{value:,} titles",
        hovertemplate="%{label}: %{value:,} titles (%{percentParent:.0%} of %{parent})"
        "<extra></extra>",
        maxdepth=3,
    )
    return _finish(fig, title, height=480, legend=False), data


def _wordcloud_font() -> str | None:
    """A proportional bold font for the word cloud (matplotlib ships DejaVu Sans)."""
    from pathlib import Path

    import matplotlib

    path = Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"
    return str(path) if path.is_file() else None


def genre_wordcloud(
    freq: Mapping[str, float],
    *,
    width: int = 800,
    height: int = 340,
    random_state: int = 0,
) -> np.ndarray:
    """Word cloud image (RGB array, ``height x width x 3``) of genre frequencies.

    Deterministic for a given ``random_state``; colours cycle dark house colours by rank.
    """
    from wordcloud import WordCloud

    freq = {str(k): float(v) for k, v in freq.items() if v and v > 0}
    if not freq:
        return np.full((height, width, 3), 255, dtype=np.uint8)
    rank = {w: i for i, w in enumerate(sorted(freq, key=lambda w: (-freq[w], w)))}
    dark = ["#B20710", "#1D2330", "#0F5C8C", "#7A3E9D", "#2E7D32", "#8C5A00"]

    def color(word: str, **_: object) -> str:
        return dark[rank.get(word, 0) % len(dark)]

    scale = 2  # lay the words out at half size, draw them at full size: ~3x faster
    wc = WordCloud(
        font_path=_wordcloud_font(),
        width=max(width // scale, 1),
        height=max(height // scale, 1),
        scale=scale,
        background_color="white",
        random_state=random_state,
        prefer_horizontal=0.9,
        max_font_size=int(height / scale * 0.33),
        min_font_size=6,
        font_step=2,
        relative_scaling=0.6,
        color_func=color,
        collocations=False,
    ).generate_from_frequencies(freq)
    return wc.to_array()


def rating_distributions(titles: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """Side-by-side histograms: IMDb-style rating (0.5 bins) and critic meta score (5 bins)."""
    title = "How titles are rated: audiences (IMDb) and critics (meta score)"
    specs = (
        ("imdb_rating", "IMDb rating", "1-10", np.arange(0.0, 10.01, 0.5), "#E50914"),
        ("meta_score", "critic meta score", "0-100", np.arange(0.0, 100.1, 5.0), "#0F5C8C"),
    )
    present = [s for s in specs if has_values(titles, s[0])]
    if not present:
        return _no_data(title), pd.DataFrame(columns=["measure", "bin_start", "bin_end", "titles"])
    fig = _new()
    layout: dict = {}
    parts = []
    gap = 0.08
    w = (1 - gap * (len(present) - 1)) / len(present)
    for i, (col, label, scale, edges, color) in enumerate(present):
        counts, edges = np.histogram(titles[col].dropna().astype(float).to_numpy(), bins=edges)
        axis = "" if i == 0 else str(i + 1)
        parts.append(
            pd.DataFrame(
                {"measure": col, "bin_start": edges[:-1], "bin_end": edges[1:], "titles": counts}
            )
        )
        _add(
            fig,
            "bar",
            x=(edges[:-1] + edges[1:]) / 2,
            y=counts,
            width=np.diff(edges),
            name=label,
            marker={"color": color, "line": {"color": "white", "width": 1}},
            xaxis=f"x{axis}",
            yaxis=f"y{axis}",
            customdata=np.c_[edges[:-1], edges[1:]],
            hovertemplate=label + " %{customdata[0]:g}-%{customdata[1]:g}: %{y:,} titles"
            "<extra></extra>",
        )
        layout[f"xaxis{axis}"] = {
            "domain": [i * (w + gap), i * (w + gap) + w],
            "anchor": f"y{axis}",
            "title": {"text": f"{label} ({scale})"},
        }
        layout[f"yaxis{axis}"] = {
            "anchor": f"x{axis}",
            "title": {"text": "titles (count)" if i == 0 else ""},
        }
    fig = _finish(fig, title, legend=False, height=340, layout=layout)
    return fig, pd.concat(parts, ignore_index=True)


def ratings_by_genre(
    titles: pd.DataFrame, column: str | None = None
) -> tuple[go.Figure, pd.DataFrame]:
    """Box plot of a rating per primary genre (genres sorted by median, highest first)."""
    column = column or rating_column(titles)
    cols = ["genre", "titles", "q1", "median", "q3", "mean"]
    label = RATING_LABELS.get(column or "", column or "rating")
    title = f"{label.split(' (')[0]} by primary genre"
    if column is None or not has_values(titles, "genre_primary"):
        return _no_data(title), pd.DataFrame(columns=cols)
    d = titles[["genre_primary", column]].dropna()
    if d.empty:
        return _no_data(title), pd.DataFrame(columns=cols)
    d = d.assign(genre_primary=d["genre_primary"].astype("str"))
    g = d.groupby("genre_primary")[column]
    data = pd.DataFrame(
        {
            "titles": g.size(),
            "q1": g.quantile(0.25),
            "median": g.median(),
            "q3": g.quantile(0.75),
            "mean": g.mean(),
        }
    )
    data = (
        data.rename_axis("genre")
        .reset_index()
        .sort_values(["median", "genre"], ascending=[False, True], ignore_index=True)
    )
    fig = _new()
    _add(
        fig,
        "box",
        x=d["genre_primary"],
        y=d[column],
        marker_color="#E50914",
        boxmean=True,
        boxpoints="outliers",
        name=label,
    )
    fig = _finish(
        fig,
        title,
        y=label,
        legend=False,
        height=400,
        layout={
            "xaxis": {
                "categoryorder": "array",
                "categoryarray": list(data["genre"]),
                "tickangle": -40,
            }
        },
    )
    return fig, data


def audience_vs_critic(titles: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """Scatter: critic meta score vs. IMDb rating, colour = weighted (Bayesian) rating."""
    cols = ["title", "genre_primary", "meta_score", "imdb_rating", "imdb_votes", "weighted_rating"]
    title = "Audience vs. critic scores (colour = weighted rating)"
    if not (has_values(titles, "imdb_rating") and has_values(titles, "meta_score")):
        return _no_data(title), pd.DataFrame(columns=cols)
    data = titles.reindex(columns=cols).dropna(subset=["meta_score", "imdb_rating"])
    data = data.sort_values("weighted_rating", na_position="first", ignore_index=True)
    if data.empty:
        return _no_data(title), data
    votes = data["imdb_votes"].astype(float).fillna(0).to_numpy()
    fig = _new()
    _add(
        fig,
        "scatter",
        x=data["meta_score"],
        y=data["imdb_rating"],
        mode="markers",
        marker={
            "color": data["weighted_rating"],
            "colorscale": RATING_SCALE,
            "showscale": True,
            "colorbar": {"title": {"text": "weighted<br>rating"}, "thickness": 14},
            "size": 7,
            "opacity": 0.75,
            "line": {"width": 0},
        },
        customdata=np.c_[data["title"].astype("str"), votes, data["weighted_rating"]],
        hovertemplate="<b>%{customdata[0]}</b><br>critics %{x:.0f} / 100, audience %{y:.1f} / 10"
        "<br>%{customdata[1]:,.0f} votes, weighted rating %{customdata[2]:.2f}<extra></extra>",
        name="titles",
    )
    _add(
        fig,
        "scatter",
        x=[0, 100],
        y=[0, 10],
        mode="lines",
        line={"color": "#888", "dash": "dot", "width": 1},
        name="equal scores",
        hoverinfo="skip",
    )
    lo_x = max(0.0, float(data["meta_score"].min()) - 5)
    lo_y = max(0.0, float(data["imdb_rating"].min()) - 0.5)
    fig = _finish(
        fig,
        title,
        x="critic meta score (0-100)",
        y="IMDb rating (1-10)",
        legend=False,
        height=420,
        layout={"xaxis": {"range": [lo_x, 100]}, "yaxis": {"range": [lo_y, 10]}},
    )
    return fig, data


def distribution_by_type(
    titles: pd.DataFrame,
    column: str,
    *,
    bin_width: float,
    title: str,
    x: str,
) -> tuple[go.Figure, pd.DataFrame]:
    """Stacked histogram of ``column`` per content type (shared bins of ``bin_width``)."""
    cols = ["content_type", "bin_start", "bin_end", "titles"]
    if not has_values(titles, column):
        return _no_data(title), pd.DataFrame(columns=cols)
    ctype = (
        titles["content_type"].astype("str").fillna("Unknown")
        if "content_type" in titles
        else pd.Series("All titles", index=titles.index)
    )
    ok = titles[column].notna().to_numpy()
    v = titles[column].astype(float).to_numpy()[ok]
    types = ctype.to_numpy()[ok]
    lo = np.floor(v.min() / bin_width) * bin_width
    hi = np.floor(v.max() / bin_width) * bin_width + bin_width
    edges = np.arange(lo, hi + bin_width / 2, bin_width)
    parts = []
    fig = _new()
    for i, name in enumerate(pd.Series(types).value_counts().index):
        counts, _ = np.histogram(v[types == name], bins=edges)
        parts.append(
            pd.DataFrame(
                {
                    "content_type": name,
                    "bin_start": edges[:-1],
                    "bin_end": edges[1:],
                    "titles": counts,
                }
            )
        )
        _add(
            fig,
            "bar",
            x=edges[:-1] + bin_width / 2,
            y=counts,
            width=bin_width,
            name=str(name),
            marker={"color": PALETTE[i % len(PALETTE)], "line": {"color": "white", "width": 0.5}},
            customdata=np.c_[edges[:-1], edges[1:]],
            hovertemplate=f"{name}: " + "%{y:,} titles in %{customdata[0]:g}-%{customdata[1]:g}"
            "<extra></extra>",
        )
    fig = _finish(
        fig, title, x=x, y="titles (count)", height=380, layout={"barmode": "stack", "bargap": 0}
    )
    return fig, pd.concat(parts, ignore_index=True)


def titles_added(titles: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """Titles added to the platform per month, stacked by content type."""
    cols = ["month", "content_type", "titles"]
    title = "Titles added to the catalog per month"
    if not has_values(titles, "added_date"):
        return _no_data(title), pd.DataFrame(columns=cols)
    d = pd.DataFrame(
        {
            "month": pd.to_datetime(titles["added_date"]).dt.to_period("M").dt.start_time,
            "content_type": titles["content_type"].astype("str").fillna("Unknown")
            if "content_type" in titles
            else "All titles",
        }
    ).dropna(subset=["month"])
    data = d.groupby(["month", "content_type"]).size().rename("titles").reset_index()
    fig = _new()
    for i, ctype in enumerate(d["content_type"].value_counts().index):
        part = data[data["content_type"] == ctype]
        _add(
            fig,
            "bar",
            x=part["month"],
            y=part["titles"],
            name=str(ctype),
            marker_color=PALETTE[i % len(PALETTE)],
            hovertemplate="%{x|%b %Y}: %{y:,} " + str(ctype) + " titles added<extra></extra>",
        )
    fig = _finish(
        fig,
        title,
        x="month added",
        y="titles added (count)",
        height=360,
        layout={"barmode": "stack", "bargap": 0.1},
    )
    return fig, data


def _people(titles: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per person of a ``LIST_SEP``-joined column: titles, mean rating, Top 10 weeks."""
    cols = ["name", "titles", "mean_rating", "weeks_in_top10", "top10_titles"]
    if not has_values(titles, column):
        return pd.DataFrame(columns=cols)
    items = list_values(titles[column])
    rating = rating_column(titles)
    d = pd.DataFrame({"row": items.index, "name": items.to_numpy()}).drop_duplicates()
    rows = d["row"].to_numpy()
    d["rating"] = titles[rating].reindex(rows).to_numpy() if rating else np.nan
    d["weeks"] = (
        titles["weeks_in_top10"].astype(float).reindex(rows).to_numpy()
        if has_values(titles, "weeks_in_top10")
        else np.nan
    )
    d["top10"] = (d["weeks"] > 0).astype(float).where(d["weeks"].notna())
    g = d.groupby("name")
    out = pd.DataFrame(
        {
            "titles": g.size(),
            "mean_rating": g["rating"].mean(),
            "weeks_in_top10": g["weeks"].sum(min_count=1),
            "top10_titles": g["top10"].sum(min_count=1),
        }
    ).rename_axis("name")
    return out.reset_index().sort_values(
        ["titles", "weeks_in_top10", "name"], ascending=[False, False, True], ignore_index=True
    )


def director_stats(titles: pd.DataFrame) -> pd.DataFrame:
    """Per director: titles, mean rating, total weeks in the Top 10, titles that charted."""
    return _people(titles, "director").rename(columns={"name": "director"})


def director_treemap(
    titles: pd.DataFrame, *, top: int = 40, stats: pd.DataFrame | None = None
) -> tuple[go.Figure, pd.DataFrame]:
    """Treemap of the ``top`` most prolific directors (area = titles, colour = mean rating)."""
    data = (director_stats(titles) if stats is None else stats).head(top)
    title = f"Titles per director (top {top} by titles)"
    if data.empty:
        return _no_data(title), data
    root = f"Top {len(data)} directors"
    rated = data["mean_rating"].notna().any()
    marker: dict = {"line": {"color": "white", "width": 1}}
    if not rated:
        marker["colors"] = ["#FFFFFF"] + ["#0F5C8C"] * len(data)
    else:
        fill = data["mean_rating"].fillna(data["mean_rating"].mean())
        marker.update(
            colors=[float(fill.mean()), *fill.tolist()],
            colorscale=RATING_SCALE,
            showscale=True,
            colorbar={"title": {"text": "mean<br>rating"}, "thickness": 14},
        )
    fig = _new()
    _add(
        fig,
        "treemap",
        labels=[root, *data["director"]],
        parents=["", *([root] * len(data))],
        values=[int(data["titles"].sum()), *data["titles"].tolist()],
        branchvalues="total",
        marker=marker,
        customdata=np.c_[
            [np.nan, *data["mean_rating"].tolist()], [0, *data["weeks_in_top10"].fillna(0)]
        ],
        texttemplate="%{label}<br>%{value} titles",
        hovertemplate="<b>%{label}</b><br>%{value} titles, mean rating %{customdata[0]:.2f}"
        "<br>%{customdata[1]:,.0f} weeks in the Top 10<extra></extra>",
    )
    return _finish(fig, title, height=460, legend=False), data


def director_bubbles(
    titles: pd.DataFrame, *, min_titles: int = 2, top: int = 150, stats: pd.DataFrame | None = None
) -> tuple[go.Figure, pd.DataFrame]:
    """Bubble chart: titles per director vs. mean rating, size = weeks in the Top 10."""
    stats = director_stats(titles) if stats is None else stats
    data = stats[(stats["titles"] >= min_titles) & stats["mean_rating"].notna()].head(top)
    title = "Directors: output vs. rating (bubble area = weeks in the Top 10)"
    if data.empty:
        return _no_data(title, "No director with enough rated titles"), data
    weeks = data["weeks_in_top10"].fillna(0).astype(float)
    max_w = float(weeks.max()) if weeks.max() > 0 else 1.0
    rating = rating_column(titles) or "imdb_rating"
    fig = _new()
    _add(
        fig,
        "scatter",
        x=data["titles"],
        y=data["mean_rating"],
        mode="markers",
        marker={
            "size": weeks,
            "sizemode": "area",
            "sizeref": 2.0 * max_w / (46.0**2),
            "sizemin": 4,
            "color": "#E50914",
            "opacity": 0.55,
            "line": {"color": "#7A0000", "width": 1},
        },
        customdata=np.c_[data["director"].astype("str"), weeks, data["top10_titles"].fillna(0)],
        hovertemplate="<b>%{customdata[0]}</b><br>%{x} titles, mean rating %{y:.2f}"
        "<br>%{customdata[1]:,.0f} weeks in the Top 10 (%{customdata[2]:.0f} titles charted)"
        "<extra></extra>",
    )
    fig = _finish(
        fig,
        title,
        x=f"titles directed (count; directors with {min_titles}+ titles)",
        y=f"mean {RATING_LABELS.get(rating, rating)}",
        legend=False,
        height=420,
        layout={"xaxis": {"dtick": 1}} if data["titles"].max() <= 12 else None,
    )
    return fig, data


def top_cast(titles: pd.DataFrame, *, top: int = 20) -> tuple[go.Figure, pd.DataFrame]:
    """Horizontal bars: the ``top`` cast members by titles, with their mean rating."""
    data = _people(titles, "cast").rename(columns={"name": "cast_member"}).head(top)
    title = f"Top {top} cast members by titles"
    if data["mean_rating"].notna().any():
        title += " (label = mean rating)"
    if data.empty:
        return _no_data(title), data
    d = data.iloc[::-1]
    fig = _new()
    _add(
        fig,
        "bar",
        y=d["cast_member"],
        x=d["titles"],
        orientation="h",
        marker_color="#0F5C8C",
        customdata=np.c_[d["mean_rating"], d["weeks_in_top10"].fillna(0)],
        hovertemplate="%{y}: %{x} titles, mean rating %{customdata[0]:.2f}, "
        "%{customdata[1]:,.0f} weeks in the Top 10<extra></extra>",
        text=[f"{r:.1f}" if r == r else "" for r in d["mean_rating"]],
        textposition="outside",
    )
    fig = _finish(
        fig,
        title,
        x="titles (count)",
        legend=False,
        height=max(320, 22 * len(d) + 110),
        layout={"xaxis": {"range": [0, float(d["titles"].max()) * 1.15]}},
    )
    return fig, data


# --- Engagement (sessions) ---------------------------------------------------------------


def _month_codes(sessions: pd.DataFrame) -> np.ndarray:
    """Months since January 1970 of each session (``month`` of a prepared view, or ``date``)."""
    if "month" in sessions:
        return sessions["month"].to_numpy()
    months = pd.to_datetime(sessions["date"]).to_numpy().astype("datetime64[M]")
    return months.astype(np.int64)


def _month_start(codes: Iterable) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(np.asarray(list(codes), dtype="int64").astype("datetime64[M]"))


def _isin_values(series: pd.Series, values: Iterable) -> np.ndarray:
    values = list(values)
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = series.cat.categories
        lut = np.zeros(len(cats) + 1, dtype=bool)
        hit = cats.get_indexer(values)
        lut[hit[hit >= 0]] = True
        return lut[series.cat.codes.to_numpy()]
    return series.isin(values).to_numpy(bool)


def device_heatmap(
    sessions: pd.DataFrame, segment: str = "age_band"
) -> tuple[go.Figure, pd.DataFrame]:
    """Heatmap: share of each segment's sessions per device (rows sum to 100%)."""
    seg_label = _label(segment)
    title = f"Device mix by {seg_label} (% of the row's sessions)"
    cols = [segment, "device_type", "sessions", "share"]
    if not (has_values(sessions, segment) and has_values(sessions, "device_type")):
        return _no_data(title), pd.DataFrame(columns=cols)
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
        customdata=counts.fillna(0).to_numpy(),
        texttemplate="%{z:.0%}",
        hovertemplate="%{y} on %{x}: %{z:.1%} of their sessions (%{customdata:,.0f})"
        "<extra></extra>",
        colorbar={"title": {"text": "share"}, "tickformat": ".0%", "thickness": 14},
    )
    fig = _finish(
        fig,
        title,
        x="device",
        y=seg_label,
        legend=False,
        height=max(300, 34 * len(rows) + 130),
        layout={"yaxis": {"autorange": "reversed", "type": "category"}},
    )
    return fig, t[cols]


def top_users_devices(
    sessions: pd.DataFrame, *, top: int = 10, user_col: str = "user_id"
) -> tuple[go.Figure, pd.DataFrame]:
    """Heatmap (seed 002): sessions per device of the ``top`` viewers with most sessions."""
    title = f"Top {top} viewers by sessions: sessions per device"
    cols = ["user_id", "device_type", "sessions"]
    if not (has_values(sessions, user_col) and has_values(sessions, "device_type")):
        return _no_data(title), pd.DataFrame(columns=cols)
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
    fig = _finish(
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
        return _no_data(title), pd.DataFrame(columns=cols)
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
            mode="lines",
            stackgroup="devices",
            line={"width": 0.5, "color": PALETTE[i % len(PALETTE)]},
            customdata=grid[dev].to_numpy(),
            hovertemplate=str(dev) + " %{x|%b %Y}: %{y:.1f}% (%{customdata:,.0f} sessions)"
            "<extra></extra>",
        )
    fig = _finish(
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
        return _no_data(title), pd.DataFrame(columns=cols)
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
        customdata=grid / total * 100,
        hovertemplate="%{y} %{x}: %{z:,.0f} sessions (%{customdata:.2f}% of all)<extra></extra>",
        colorbar={"title": {"text": "sessions"}, "thickness": 14},
    )
    fig = _finish(
        fig,
        title,
        x="hour the session started (local time)",
        y="weekday",
        legend=False,
        height=340,
        layout={
            "yaxis": {"autorange": "reversed", "type": "category"},
            "xaxis": {"type": "category", "tickangle": 0, "dtick": 2},
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
        return _no_data("Watch hours over time"), pd.DataFrame(
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
    title = f"Completion rate by {_label(column)}"
    cols = [column, "sessions", "completion_rate"]
    if not (has_values(sessions, column) and has_values(sessions, "completed")):
        return _no_data(title), pd.DataFrame(columns=cols)
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
    _reference_line(fig, x=overall * 100, text=f"all: {overall:.0%}")
    fig = _finish(
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
    title = f"Watch hours by {_label(column)}"
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
        return _no_data(title), pd.DataFrame(columns=cols)
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
    fig = _finish(fig, title, x="watch hours (h)", legend=False, height=max(280, 28 * len(t) + 110))
    return fig, t


def download_vs_streaming(sessions: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """Grouped bars: share of sessions and completion rate, downloaded vs. streamed."""
    title = "Downloaded vs. streamed sessions"
    cols = ["mode", "sessions", "share_of_sessions", "completion_rate", "avg_minutes"]
    if not has_values(sessions, "is_download"):
        return _no_data(title), pd.DataFrame(columns=cols)
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
    fig = _finish(
        fig,
        title,
        y="percent (%)",
        height=340,
        layout={"barmode": "group", "yaxis": {"range": [0, 112], "ticksuffix": "%"}},
    )
    return fig, data


def quality_mix(sessions: pd.DataFrame, by: str = "device_type") -> tuple[go.Figure, pd.DataFrame]:
    """100%-stacked bars: stream quality (SD/HD/4K/Ultra HD) per device (or ``by``)."""
    title = f"Stream quality per {_label(by)} (share of sessions)"
    cols = [by, "quality", "sessions", "share"]
    if not (has_values(sessions, "quality") and has_values(sessions, by)):
        return _no_data(title), pd.DataFrame(columns=cols)
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
    fig = _finish(
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
    title = f"Who watches what: sessions from {_label(source)} to primary genre"
    cols = [source, "genre", "sessions", "share_of_segment"]
    if not (has_values(sessions, source) and has_values(sessions, "genre_primary")):
        return _no_data(title), pd.DataFrame(columns=cols)
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
            "color": [_rgba(src_colors[order[s]], 0.4) for s in data[source]],
            "customdata": data["share_of_segment"] * 100,
            "hovertemplate": "%{source.label} -> %{target.label}: %{value:,} sessions "
            "(%{customdata:.1f}% of the segment's sessions)<extra></extra>",
        },
    )
    return _finish(fig, title, legend=False, height=460), data[cols]


def segment_engagement(
    users: pd.DataFrame, by: str = "rfm_segment"
) -> tuple[go.Figure, pd.DataFrame]:
    """Bars: mean engagement score (0-100) per viewer segment, with viewers per segment."""
    label = _label(by)
    title = f"Mean engagement score by {label}"
    cols = [by, "viewers", "mean_score", "median_score"]
    if not (has_values(users, by) and has_values(users, "engagement_score")):
        return _no_data(title), pd.DataFrame(columns=cols)
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
    _reference_line(fig, y=overall, text=f"all viewers shown: {overall:.0f}")
    fig = _finish(
        fig,
        title,
        x=label,
        y="engagement score (0-100)",
        legend=False,
        height=360,
        layout={"yaxis": {"range": [0, 100]}},
    )
    return fig, data[cols]
