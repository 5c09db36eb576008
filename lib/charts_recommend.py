"""Plotly figure builders of the Recommender page (no streamlit import).

Each builder takes plain frames/series, returns ``(figure, data)`` where ``data`` is the tidy
frame behind the figure (for the CSV download), uses the house ``style`` and never modifies
its input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lib.charts import PALETTE, house_figure, style

__all__ = [
    "METRIC_INFO",
    "MODEL_COLORS",
    "short_label",
    "similarity_heatmap",
    "model_comparison",
    "genre_mix",
]

# metric -> (axis title with @k placeholder, d3 format, unit note)
METRIC_INFO: dict[str, tuple[str, str, str]] = {
    "precision": ("Precision@{k}", ".1%", "hits / k"),
    "recall": ("Recall@{k}", ".1%", "hits / held-out titles"),
    "ndcg": ("NDCG@{k}", ".3f", "rank-discounted hits, 0-1"),
    "map": ("MAP@{k}", ".3f", "mean average precision, 0-1"),
    "coverage": ("Catalog coverage", ".0%", "share of titles ever recommended"),
    "novelty": ("Novelty (bits)", ".1f", "-log2 share of viewers who saw it"),
    "diversity": ("Intra-list diversity", ".2f", "1 - mean content cosine, 0-1"),
    "genre_match": ("Genre match", ".0%", "titles in the viewer's top 3 genres"),
}
MODEL_COLORS: dict[str, str] = {
    "Content": PALETTE[0],
    "Collaborative": PALETTE[1],
    "Hybrid": PALETTE[2],
    "Popularity": "#9E9E9E",
    "Random": "#CFCFCF",
}


def short_label(text: str, width: int = 34) -> str:
    """``text`` cut to ``width`` characters with an ellipsis."""
    text = str(text)
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def similarity_heatmap(
    matrix: pd.DataFrame,
    labels: Mapping[str, str] | None = None,
    *,
    title: str = "Pairwise similarity of the chosen title and its results",
    measure: str = "cosine similarity",
) -> tuple[go.Figure, pd.DataFrame]:
    """Heatmap of a small square similarity frame (query first, then the results in rank order).

    Rows are labelled ``Q · name`` for the first (query) title and ``n · name`` for result n;
    columns carry the same short codes (``Q``, ``1``, ``2`` ...) so long names never overlap;
    hover shows both full names. The diagonal (a title with itself, always 1) is left blank so
    the colour scale spreads over the pairs that matter.

    Returns the figure and the long data ``title_a, title_b, similarity`` (diagonal included).
    """
    keys = [str(k) for k in matrix.index]
    names = [str((labels or {}).get(k, k)) for k in keys]
    n = len(keys)
    long = pd.DataFrame(
        {
            "title_a": np.repeat(names, n),
            "title_b": np.tile(names, n),
            "similarity": matrix.to_numpy(dtype=np.float64).ravel() if n else [],
        }
    )
    if n == 0:
        fig = house_figure(
            [],
            title,
            legend=False,
            layout={
                "annotations": [
                    {
                        "text": "No titles to compare",
                        "showarrow": False,
                        "x": 0.5,
                        "y": 0.5,
                        "xref": "paper",
                        "yref": "paper",
                    }
                ],
                "xaxis": {"visible": False},
                "yaxis": {"visible": False},
            },
        )
        return fig, long
    codes = ["Q"] + [str(i) for i in range(1, n)]
    rows = [f"{c} · {short_label(name)}" for c, name in zip(codes, names)]
    z = matrix.to_numpy(dtype=np.float64).copy()
    np.fill_diagonal(z, np.nan)
    off = z[~np.isnan(z)]
    top = float(np.ceil(max(off.max() if len(off) else 0.0, 0.05) * 10) / 10)
    hover = np.array([[f"{a}<br>{b}" for b in names] for a in names], dtype=object)
    trace = {
        "type": "heatmap",
        "z": z.tolist(),
        "x": codes,
        "y": rows,
        "zmin": 0.0,
        "zmax": min(top, 1.0),
        "colorscale": "Reds",
        "customdata": hover.tolist(),
        "textfont": {"size": 10},
        "hovertemplate": "%{customdata}<br>" + measure + ": %{z:.3f}<extra></extra>",
        "colorbar": {"title": {"text": measure.split()[0]}, "thickness": 14},
        "xgap": 1,
        "ygap": 1,
    }
    if n <= 16:
        trace["texttemplate"] = "%{z:.2f}"
    fig = house_figure(
        [trace],
        title,
        x="result rank (Q = the chosen title)",
        legend=False,
        height=max(380, 150 + 26 * n),
        layout={
            "yaxis": {"autorange": "reversed", "type": "category", "automargin": True},
            "xaxis": {"type": "category", "side": "bottom"},
        },
    )
    return fig, long


def model_comparison(
    metrics: pd.DataFrame,
    *,
    k: int = 10,
    order: Sequence[str] = tuple(MODEL_COLORS),
    target_genre_match: float | None = 0.8,
    title: str | None = None,
) -> tuple[go.Figure, pd.DataFrame]:
    """Small multiples: one horizontal bar panel per metric, one bar per model.

    ``metrics``: one row per model with a ``model`` column and metric columns named as in
    ``METRIC_INFO`` (missing or all-NaN metrics are skipped). Baselines (Popularity, Random)
    are grey. A dashed line marks ``target_genre_match`` on the genre-match panel.

    Returns the figure and the long data ``model, metric, value``.
    """
    present = [m for m in METRIC_INFO if m in metrics.columns and metrics[m].notna().any()]
    models = [m for m in order if m in set(metrics["model"])] + [
        m for m in metrics["model"] if m not in order
    ]
    long = metrics.melt(id_vars="model", value_vars=present, var_name="metric")
    long = long.assign(metric_label=long["metric"].map(lambda m: METRIC_INFO[m][0].format(k=k)))
    title = title or f"Each model against the baselines (Popularity, Random), top-{k} lists"
    if not present or not models:
        fig = go.Figure()
        fig.add_annotation(text="No metrics to show", showarrow=False, x=0.5, y=0.5)
        return style(fig, title, legend=False), long
    cols = 4 if len(present) > 4 else len(present)
    n_rows = int(np.ceil(len(present) / cols))
    fig = make_subplots(
        rows=n_rows,
        cols=cols,
        subplot_titles=[
            f"{METRIC_INFO[m][0].format(k=k)}<br><sup>{_note(m, target_genre_match)}</sup>"
            for m in present
        ],
        shared_yaxes=True,
        horizontal_spacing=0.035,
        vertical_spacing=0.22 if n_rows > 1 else 0.1,
    )
    by_model = metrics.drop_duplicates("model").set_index("model")
    for i, metric in enumerate(present):
        r, c = i // cols + 1, i % cols + 1
        fmt = METRIC_INFO[metric][1]
        values = [by_model.at[m, metric] if m in by_model.index else np.nan for m in models]
        vals = np.asarray(values, dtype=np.float64)
        fig.add_trace(
            go.Bar(
                x=vals,
                y=models,
                orientation="h",
                marker_color=[MODEL_COLORS.get(m, PALETTE[5]) for m in models],
                text=[f"{v:{_py_fmt(fmt)}}" if np.isfinite(v) else "n/a" for v in vals],
                textposition="outside",
                cliponaxis=False,
                textfont={"size": 11},
                hovertemplate="%{y}: %{x:" + fmt + "}<extra>" + metric + "</extra>",
                showlegend=False,
            ),
            row=r,
            col=c,
        )
        finite = vals[np.isfinite(vals)]
        hi = float(finite.max()) if len(finite) else 1.0
        if metric == "genre_match" and target_genre_match is not None:
            hi = max(hi, target_genre_match)
            fig.add_vline(
                x=target_genre_match,
                line={"dash": "dash", "color": "#555", "width": 1},
                row=r,
                col=c,
            )
        fig.update_xaxes(
            range=[0, hi * 1.45 if hi > 0 else 1],
            tickformat=fmt if "%" in fmt else None,
            showticklabels=False,
            showgrid=False,
            zeroline=True,
            row=r,
            col=c,
        )
    fig.update_yaxes(autorange="reversed", tickfont={"size": 12})
    fig.update_annotations(font_size=13)
    style(fig, title, legend=False, height=220 * n_rows + 90)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 90, "b": 10})
    return fig, long[["model", "metric", "metric_label", "value"]]


def _note(metric: str, target: float | None) -> str:
    note = METRIC_INFO[metric][2]
    if metric == "genre_match" and target is not None:
        note += f"; dashed: {target:.0%} target"
    return note


def _py_fmt(d3: str) -> str:
    """d3 number format -> Python format spec (the few used here)."""
    return d3.replace("~", "")


def genre_mix(
    history: pd.Series,
    recommended: pd.Series,
    *,
    n_watched: int | None = None,
    n_recommended: int | None = None,
    top: int = 10,
    title: str = "Genres the viewer watched vs genres recommended",
) -> tuple[go.Figure, pd.DataFrame]:
    """Grouped bars: share of the viewer's titles and of the recommendations per genre.

    ``history`` and ``recommended`` map genre -> number of titles (a title with two genres
    counts in both). Shares are of ``n_watched`` / ``n_recommended`` titles (default: the
    largest count), so bars of one group can sum to more than 100%. Every recommended genre
    is shown, plus the viewer's most watched genres up to ``top`` bars, ordered by the
    history.
    """
    cols = ["genre", "watched_titles", "watched_share", "recommended_titles", "recommended_share"]
    h = history.astype("float64") if len(history) else pd.Series(dtype="float64")
    rc = recommended.astype("float64") if len(recommended) else pd.Series(dtype="float64")
    # every recommended genre, then the viewer's most watched ones up to ``top`` bars
    by_history = list(h.sort_values(ascending=False, kind="stable").index)
    keep = set(rc.index[rc > 0])
    for g in by_history:
        if len(keep) >= top:
            break
        keep.add(g)
    genres = [g for g in dict.fromkeys([*by_history, *rc.index]) if g in keep]
    n_h = float(n_watched if n_watched is not None else (h.max() if len(h) else 0)) or 1.0
    n_r = float(n_recommended if n_recommended is not None else (rc.max() if len(rc) else 0))
    n_r = n_r or 1.0
    data = pd.DataFrame({"genre": genres})
    data["watched_titles"] = h.reindex(genres).fillna(0).to_numpy()
    data["watched_share"] = data["watched_titles"] / n_h
    data["recommended_titles"] = rc.reindex(genres).fillna(0).to_numpy()
    data["recommended_share"] = data["recommended_titles"] / n_r
    traces = [
        {
            "type": "bar",
            "y": data["genre"].tolist(),
            "x": data[col].tolist(),
            "name": name,
            "orientation": "h",
            "marker": {"color": color},
            "customdata": data[n_col].tolist(),
            "hovertemplate": "%{y}: %{x:.0%} of titles (%{customdata:.0f})<extra>"
            + name
            + "</extra>",
        }
        for name, col, n_col, color in (
            ("watched (history)", "watched_share", "watched_titles", "#5F6B7A"),
            ("recommended", "recommended_share", "recommended_titles", "#E50914"),
        )
    ]
    fig = house_figure(
        traces,
        title,
        x="share of titles (a title can have several genres)",
        height=max(320, 60 + 34 * len(genres) + 80),
        layout={
            "barmode": "group",
            "legend": {"y": -0.18},
            "xaxis": {"tickformat": ".0%", "rangemode": "tozero"},
            "yaxis": {"autorange": "reversed", "type": "category"},
        },
    )
    return fig, data[cols]
