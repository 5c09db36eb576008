"""Plotly builders of the Catalog page: DataFrame in, ``(go.Figure, data)`` out.

Builders take gold ``titles`` rows, already filtered, and return the figure (through the one
house path, :func:`lib.charts.house.figure`) and the data behind it (the page's CSV
download). They never modify their input. Column labels and units come from
:mod:`lib.glossary`.

Size (about 720 lines, just over the project's ~700): one builder per Catalog figure (13,
plus the word cloud), each with its empty state and hover text; they share the page's
helpers here, and splitting the family across modules would separate a builder from them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib.charts.house import DARK_BACKGROUND, PALETTE, _add, _new, figure, no_data
from lib.filters import has_values, list_values
from lib.glossary import RATING_COLUMNS, RATING_LABELS, words

__all__ = [
    "RATING_SCALE",
    "RATING_LABELS",
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
]

RATING_SCALE = "Viridis"


def rating_column(titles: pd.DataFrame) -> str | None:
    """The best rating a catalog has: IMDb-style, else weighted, else mean viewer rating."""
    for col in RATING_COLUMNS:
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
        return no_data(title), data
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
    fig = figure(
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
        return no_data(title), pd.DataFrame(columns=cols)
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
        color = PALETTE[i % len(PALETTE)]
        # the legend's key: a box trace's own legend symbol is its (invisible) box
        _add(
            fig,
            "scatter",
            x=[None],
            y=[None],
            mode="markers",
            name=str(ctype),
            legendgroup=str(ctype),
            marker={"size": 9, "color": color},
            hoverinfo="skip",
        )
        _add(
            fig,
            "box",
            y=d["genre"],
            x=d["titles"],
            orientation="h",
            name=str(ctype),
            legendgroup=str(ctype),  # a selected dot names its content type (chart filters)
            showlegend=False,
            boxpoints="all",
            jitter=0.5,
            pointpos=0,
            fillcolor="rgba(0,0,0,0)",
            line={"width": 0},
            marker={"size": 9, "color": color, "opacity": 0.85},
            hoveron="points",
            hovertemplate="%{y}, " + str(ctype) + ": %{x:,} titles<extra></extra>",
        )
    fig = figure(
        fig,
        title,
        x="titles with the genre (count)",
        height=max(360, 24 * len(order) + 150),
        layout={
            "yaxis": {
                "type": "category",  # the legend keys (None points) would make it linear
                "categoryorder": "array",
                "categoryarray": list(order)[::-1],
            }
        },
    )
    return fig, data.sort_values(["genre", "content_type"], ignore_index=True)


def genre_treemap(
    titles: pd.DataFrame, counts: pd.DataFrame | None = None
) -> tuple[go.Figure, pd.DataFrame]:
    """Treemap (seed 000): primary genre only vs. all genres of multi-genre titles."""
    counts = genre_counts(titles) if counts is None else counts
    title = "Primary genre vs. all genres (area = titles)"
    if counts.empty:
        return no_data(title), counts
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
    return figure(fig, title, height=480, legend=False), data


#: Word cloud (background, word colours by rank) per theme; the dark background is the
#: dark theme's (house.DARK_BACKGROUND), the words the house colours lightened.
WORDCLOUD_COLORS = {
    "light": ("#FFFFFF", ["#B20710", "#1D2330", "#0F5C8C", "#7A3E9D", "#2E7D32", "#8C5A00"]),
    "dark": (DARK_BACKGROUND, ["#FF5A61", "#E6E8EE", "#6FB7E8", "#C99AE6", "#6CCB77", "#E8B04A"]),
}


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
    theme: str = "light",
) -> np.ndarray:
    """Word cloud image (RGB array, ``height x width x 3``) of genre frequencies.

    Deterministic for a given ``random_state``; colours cycle house colours by rank: dark
    ones on white (``theme="light"``), light ones on the dark theme's background
    (``theme="dark"``), every one at least 4.5:1 against its background.
    """
    from wordcloud import WordCloud

    background, colors = WORDCLOUD_COLORS["dark" if theme == "dark" else "light"]
    freq = {str(k): float(v) for k, v in freq.items() if v and v > 0}
    if not freq:
        rgb = [int(background[i : i + 2], 16) for i in (1, 3, 5)]
        return np.tile(np.array(rgb, dtype=np.uint8), (height, width, 1))
    rank = {w: i for i, w in enumerate(sorted(freq, key=lambda w: (-freq[w], w)))}

    def color(word: str, **_: object) -> str:
        return colors[rank.get(word, 0) % len(colors)]

    scale = 2  # lay the words out at half size, draw them at full size: ~3x faster
    wc = WordCloud(
        font_path=_wordcloud_font(),
        width=max(width // scale, 1),
        height=max(height // scale, 1),
        scale=scale,
        background_color=background,
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
        ("imdb_rating", np.arange(0.0, 10.01, 0.5), "#E50914"),
        ("meta_score", np.arange(0.0, 100.1, 5.0), "#0F5C8C"),
    )
    present = [s for s in specs if has_values(titles, s[0])]
    if not present:
        return no_data(title), pd.DataFrame(columns=["measure", "bin_start", "bin_end", "titles"])
    fig = _new()
    layout: dict = {}
    parts = []
    gap = 0.08
    w = (1 - gap * (len(present) - 1)) / len(present)
    for i, (col, edges, color) in enumerate(present):
        label = words(col)
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
            "title": {"text": words(col, units=True)},
        }
        layout[f"yaxis{axis}"] = {
            "anchor": f"x{axis}",
            "title": {"text": "titles (count)" if i == 0 else ""},
        }
    fig = figure(fig, title, legend=False, height=340, layout=layout)
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
        return no_data(title), pd.DataFrame(columns=cols)
    d = titles[["genre_primary", column]].dropna()
    if d.empty:
        return no_data(title), pd.DataFrame(columns=cols)
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
    fig = figure(
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
        return no_data(title), pd.DataFrame(columns=cols)
    data = titles.reindex(columns=cols).dropna(subset=["meta_score", "imdb_rating"])
    data = data.sort_values("weighted_rating", na_position="first", ignore_index=True)
    if data.empty:
        return no_data(title), data
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
    fig = figure(
        fig,
        title,
        x=words("meta_score", units=True),
        y=words("imdb_rating", units=True),
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
        return no_data(title), pd.DataFrame(columns=cols)
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
            legendgroup=str(name),  # a selected bar names its content type (chart filters)
            marker={"color": PALETTE[i % len(PALETTE)], "line": {"color": "white", "width": 0.5}},
            customdata=np.c_[edges[:-1], edges[1:]],
            hovertemplate=f"{name}: " + "%{y:,} titles in %{customdata[0]:g}-%{customdata[1]:g}"
            "<extra></extra>",
        )
    fig = figure(
        fig, title, x=x, y="titles (count)", height=380, layout={"barmode": "stack", "bargap": 0}
    )
    return fig, pd.concat(parts, ignore_index=True)


def titles_added(titles: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """Titles added to the platform per month, stacked by content type."""
    cols = ["month", "content_type", "titles"]
    title = "Titles added to the catalog per month"
    if not has_values(titles, "added_date"):
        return no_data(title), pd.DataFrame(columns=cols)
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
    fig = figure(
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
        return no_data(title), data
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
    return figure(fig, title, height=460, legend=False), data


def director_bubbles(
    titles: pd.DataFrame, *, min_titles: int = 2, top: int = 150, stats: pd.DataFrame | None = None
) -> tuple[go.Figure, pd.DataFrame]:
    """Bubble chart: titles per director vs. mean rating, size = weeks in the Top 10."""
    stats = director_stats(titles) if stats is None else stats
    data = stats[(stats["titles"] >= min_titles) & stats["mean_rating"].notna()].head(top)
    title = "Directors: output vs. rating (bubble area = weeks in the Top 10)"
    if data.empty:
        return no_data(title, "No director with enough rated titles"), data
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
    fig = figure(
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
        return no_data(title), data
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
    fig = figure(
        fig,
        title,
        x="titles (count)",
        legend=False,
        height=max(320, 22 * len(d) + 110),
        layout={"xaxis": {"range": [0, float(d["titles"].max()) * 1.15]}},
    )
    return fig, data
