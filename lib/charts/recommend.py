"""Plotly figure builders of the Recommender page (no streamlit import).

Each builder takes plain frames/series, returns ``(figure, data)`` where ``data`` is the tidy
frame behind the figure (for the CSV download), goes through the one house path
(:func:`lib.charts.house.figure`) and never modifies its input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lib.charts.house import PALETTE, figure

__all__ = [
    "METRIC_INFO",
    "MODEL_COLORS",
    "short_label",
    "similarity_heatmap",
    "model_comparison",
    "paired_differences",
    "validation_curves",
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
    "EASE": PALETTE[3],
    "RP3beta": PALETTE[4],
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
        fig = figure(
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
    fig = figure(
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
    ``METRIC_INFO`` (missing or all-NaN metrics are skipped); ``<metric>_low`` and
    ``<metric>_high`` columns, when present, are drawn as error bars (the interval).
    Baselines (Popularity, Random) are grey. A dashed line marks ``target_genre_match`` on
    the genre-match panel.

    Returns the figure and the long data ``model, metric, metric_label, value`` (plus
    ``low``, ``high`` with intervals).
    """
    present = [m for m in METRIC_INFO if m in metrics.columns and metrics[m].notna().any()]
    models = [m for m in order if m in set(metrics["model"])] + [
        m for m in metrics["model"] if m not in order
    ]
    long = metrics.melt(id_vars="model", value_vars=present, var_name="metric")
    long = long.assign(metric_label=long["metric"].map(lambda m: METRIC_INFO[m][0].format(k=k)))
    has_ci = all(f"{m}_low" in metrics.columns and f"{m}_high" in metrics.columns for m in present)
    if has_ci:
        by = metrics.drop_duplicates("model").set_index("model")
        long["low"] = [by.at[r.model, f"{r.metric}_low"] for r in long.itertuples()]
        long["high"] = [by.at[r.model, f"{r.metric}_high"] for r in long.itertuples()]
    title = title or f"Each model against the baselines (Popularity, Random), top-{k} lists"
    if not present or not models:
        fig = go.Figure()
        fig.add_annotation(text="No metrics to show", showarrow=False, x=0.5, y=0.5)
        return figure(fig, title, legend=False), long
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

        def column(name: str) -> np.ndarray:
            got = [by_model.at[m, name] if m in by_model.index else np.nan for m in models]
            return np.asarray(got, dtype=np.float64)

        vals = column(metric)
        bar: dict = {}
        top_end = vals
        if has_ci:
            low, high = column(f"{metric}_low"), column(f"{metric}_high")
            bar["error_x"] = {
                "type": "data",
                "symmetric": False,
                "array": np.nan_to_num(high - vals).tolist(),
                "arrayminus": np.nan_to_num(vals - low).tolist(),
                "color": "#444",
                "thickness": 1.2,
                "width": 3,
            }
            bar["customdata"] = np.c_[low, high].tolist()
            top_end = np.fmax(vals, high)
            hover = (
                "%{y}: %{x:" + fmt + "}<br>95% interval %{customdata[0]:" + fmt + "} to "
                "%{customdata[1]:" + fmt + "}<extra>" + metric + "</extra>"
            )
        else:
            hover = "%{y}: %{x:" + fmt + "}<extra>" + metric + "</extra>"
        labels = [f"{v:{_py_fmt(fmt)}}" if np.isfinite(v) else "n/a" for v in vals]
        fig.add_trace(
            go.Bar(
                x=vals,
                y=models,
                orientation="h",
                marker_color=[MODEL_COLORS.get(m, PALETTE[5]) for m in models],
                text=None if has_ci else labels,
                textposition="outside",
                cliponaxis=False,
                textfont={"size": 11},
                hovertemplate=hover,
                showlegend=False,
                **bar,
            ),
            row=r,
            col=c,
        )
        if has_ci:  # the value just right of its whisker, so it never collides with it
            fig.add_trace(
                go.Scatter(
                    x=np.where(np.isfinite(top_end), top_end, 0.0).tolist(),
                    y=models,
                    mode="text",
                    text=[f" {t}" for t in labels],
                    textposition="middle right",
                    textfont={"size": 11},
                    hoverinfo="skip",
                    showlegend=False,
                    cliponaxis=False,
                ),
                row=r,
                col=c,
            )
        finite = top_end[np.isfinite(top_end)]
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
    fig = figure(
        fig,
        title,
        legend=False,
        height=max(220, 34 * len(models) + 60) * n_rows + 90,
        layout={"margin": {"t": 90}},
    )
    cols = ["model", "metric", "metric_label", "value"] + (["low", "high"] if has_ci else [])
    return fig, long[cols]


def paired_differences(
    paired: pd.DataFrame,
    *,
    k: int = 10,
    title: str | None = None,
) -> tuple[go.Figure, pd.DataFrame]:
    """Forest plot: the chosen model minus each other model, with the paired interval.

    ``paired``: rows ``model, metric, best, difference, low, high`` (``lib.models.evaluate``'s
    ``Comparison.paired``); one panel per metric (precision, NDCG), one row per model, a
    vertical line at 0. An interval entirely right of 0 means the chosen model is better on
    these viewers. Returns the figure and the rows it draws.
    """
    cols = ["best", "model", "metric", "difference", "low", "high"]
    if paired.empty:
        fig = go.Figure()
        fig.add_annotation(text="No comparison to show", showarrow=False, x=0.5, y=0.5)
        return figure(fig, title or "Paired differences", legend=False), paired
    best = str(paired["best"].iloc[0])
    metrics = [m for m in ("precision", "ndcg") if m in set(paired["metric"])]
    order = [m for m in MODEL_COLORS if m in set(paired["model"])]
    order += [m for m in dict.fromkeys(paired["model"]) if m not in order]
    fig = make_subplots(
        rows=1,
        cols=len(metrics),
        shared_yaxes=True,
        horizontal_spacing=0.06,
        subplot_titles=[f"{METRIC_INFO[m][0].format(k=k)}: {best} minus" for m in metrics],
    )
    for c, metric in enumerate(metrics, start=1):
        part = paired.loc[paired["metric"] == metric].set_index("model").reindex(order)
        d = part["difference"].to_numpy(dtype=np.float64)
        fmt = METRIC_INFO[metric][1]
        fig.add_trace(
            go.Scatter(
                x=d,
                y=order,
                mode="markers",
                marker={"color": [MODEL_COLORS.get(m, PALETTE[5]) for m in order], "size": 10},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": np.nan_to_num(part["high"].to_numpy() - d).tolist(),
                    "arrayminus": np.nan_to_num(d - part["low"].to_numpy()).tolist(),
                    "color": "#444",
                    "thickness": 1.5,
                },
                customdata=np.c_[part["low"], part["high"]].tolist(),
                hovertemplate=f"{best} minus %{{y}}: %{{x:{fmt}}}<br>95% interval "
                f"%{{customdata[0]:{fmt}}} to %{{customdata[1]:{fmt}}}<extra></extra>",
                showlegend=False,
            ),
            row=1,
            col=c,
        )
        fig.add_vline(x=0, line={"dash": "dash", "color": "#555", "width": 1}, row=1, col=c)
        fig.update_xaxes(tickformat=fmt, zeroline=False, row=1, col=c)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_annotations(font_size=13)
    fig = figure(
        fig,
        title or f"How much better {best} (chosen on validation) is than each model, same viewers",
        legend=False,
        height=max(260, 40 * len(order) + 120),
        layout={"margin": {"t": 80}},
    )
    return fig, paired[cols]


def validation_curves(
    curves: Mapping[str, pd.DataFrame],
    chosen: Mapping[str, Mapping[str, object]],
    *,
    metric: str = "ndcg",
    k: int = 10,
    title: str | None = None,
) -> tuple[go.Figure, pd.DataFrame]:
    """Validation score over each model's grid (one panel per model with 2+ grid points).

    ``curves``: model -> the ``TuneResult.curve`` frame (parameter columns, then metric
    columns and ``seconds``); ``chosen``: model -> the chosen parameters (drawn as a star).
    The last parameter is the x axis (log scale for ``l2``); with two parameters, one line
    per value of the first. Returns the figure and the long data ``model, parameter, value,
    series, score, chosen``.
    """
    metric_cols = {"precision", "recall", "ndcg", "map", "seconds"}
    rows = []
    for name, curve in curves.items():
        params = [c for c in curve.columns if c not in metric_cols]
        if len(curve) < 2 or not params:
            continue
        x = params[-1]
        for rec in curve.to_dict("records"):
            series = ", ".join(f"{p} = {rec[p]:g}" for p in params[:-1]) or name
            rows.append(
                {
                    "model": name,
                    "parameter": x,
                    "value": float(rec[x]),
                    "series": series,
                    "score": float(rec[metric]),
                    "chosen": all(rec[p] == chosen.get(name, {}).get(p) for p in params),
                }
            )
    data = pd.DataFrame(rows, columns=["model", "parameter", "value", "series", "score", "chosen"])
    label = METRIC_INFO[metric][0].format(k=k)
    title = title or f"Validation {label} over each model's grid (star: the chosen values)"
    if data.empty:
        fig = go.Figure()
        fig.add_annotation(text="No model had values to tune", showarrow=False, x=0.5, y=0.5)
        return figure(fig, title, legend=False), data
    names = list(dict.fromkeys(data["model"]))
    fig = make_subplots(
        rows=1,
        cols=len(names),
        horizontal_spacing=0.07,
        subplot_titles=[f"{n}: {data.loc[data['model'] == n, 'parameter'].iloc[0]}" for n in names],
    )
    for c, name in enumerate(names, start=1):
        part = data.loc[data["model"] == name]
        for j, (series, line) in enumerate(part.groupby("series", sort=False)):
            color = MODEL_COLORS.get(name, PALETTE[5]) if j == 0 else PALETTE[(j + 5) % 10]
            fig.add_trace(
                go.Scatter(
                    x=line["value"],
                    y=line["score"],
                    mode="lines+markers",
                    name=f"{name}: {series}" if series != name else name,
                    line={"color": color},
                    showlegend=series != name,
                    hovertemplate=f"{series}<br>%{{x:g}}: %{{y:.4f}}<extra>{name}</extra>",
                ),
                row=1,
                col=c,
            )
        best = part.loc[part["chosen"]]
        fig.add_trace(
            go.Scatter(
                x=best["value"],
                y=best["score"],
                mode="markers",
                marker={"symbol": "star", "size": 15, "color": "#E50914"},
                name="chosen",
                showlegend=c == 1,
                hovertemplate="chosen: %{x:g}, %{y:.4f}<extra>" + name + "</extra>",
            ),
            row=1,
            col=c,
        )
        grid = sorted(part["value"].unique())
        axis = {"tickvals": grid, "ticktext": [f"{v:g}" for v in grid]}
        if part["parameter"].iloc[0] == "l2":  # l2 spans decades
            axis["type"] = "log"
        fig.update_xaxes(**axis, row=1, col=c)
    fig.update_yaxes(title_text=f"validation {label}", row=1, col=1)
    fig.update_annotations(font_size=13)
    fig = figure(fig, title, height=340, layout={"margin": {"t": 80}})
    return fig, data


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
    fig = figure(
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
