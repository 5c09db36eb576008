"""Figure builders and wording for the cluster explorer (no streamlit import).

Builders take DataFrames (or arrays) from :mod:`lib.cluster` and return ``(go.Figure, data)``,
where ``data`` is the table behind the figure (offered as a CSV download by the page). They
never modify their input. Clusters are the library's labels ``0..k-1`` (0 = largest) and are
shown to people as ``1..k``; every builder uses the same colour per cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from lib.charts import style
from lib.glossary import (
    PLAN_PREFIX,
    feature_label,
    genre_words,
    plan_column,
)

__all__ = [
    "CLUSTER_COLORS",
    "PLAN_PREFIX",
    "cluster_color",
    "cluster_name",
    "plan_column",
    "feature_label",
    "genre_words",
    "format_value",
    "condition_text",
    "rule_text",
    "k_scan_chart",
    "silhouette_plot",
    "projection_scatter",
    "cluster_sizes",
    "zscore_heatmap",
]

#: One colour per cluster (k <= 12): Plotly's colour-blind-safe palette without its grey,
#: then two darker extras.
CLUSTER_COLORS: tuple[str, ...] = (
    *[c for c in px.colors.qualitative.Safe if c != "rgb(136, 136, 136)"],
    "#5D3A9B",
    "#1B7837",
)
# Features whose values are fractions 0-1 (shown as percentages).
_SHARE_FEATURES = {
    "avg_completion",
    "late_night_share",
    "weekend_share",
    "download_share",
    "is_series",
    "is_original",
}
_SHARE_PREFIXES = ("device_share__", "genre_share__", "genre__", PLAN_PREFIX)
_FLAG_PREFIXES = ("genre__", PLAN_PREFIX)


def cluster_color(cluster: int) -> str:
    """Colour of cluster ``cluster`` (0-based label), the same in every figure."""
    return CLUSTER_COLORS[int(cluster) % len(CLUSTER_COLORS)]


def cluster_name(cluster: int, label: str | None = None) -> str:
    """``"1"`` or ``"1 · Mobile late-night horror fans"`` for label 0 (people count from 1)."""
    return f"{int(cluster) + 1}" + (f" · {label}" if label else "")


def _is_share(feature: str) -> bool:
    return feature in _SHARE_FEATURES or feature.startswith(_SHARE_PREFIXES)


#: Number formats of features whose unit the label already states (see _LABELS).
_FORMATS: dict[str, str] = {
    "watch_hours": "{:,.1f} h",
    "sessions": "{:,.1f}",
    "active_days": "{:,.1f}",
    "recency_days": "{:,.0f} days",
    "tenure_days": "{:,.0f} days",
    "age": "{:.1f}",
    "monthly_spend": "{:,.2f}",
    "household_size": "{:.1f}",
    "n_ratings": "{:,.1f}",
    "avg_rating": "{:.2f}",
    "engagement_score": "{:.0f}",
    "imdb_rating": "{:.1f}",
    "meta_score": "{:.0f}",
    "weighted_rating": "{:.2f}",
    "avg_user_rating": "{:.2f}",
    "duration_minutes": "{:.0f} min",
    "release_year": "{:.0f}",
    "number_of_seasons": "{:.1f}",
    "viewers": "{:,.0f}",
    "weeks_in_top10": "{:,.1f}",
}


def _value_has_unit(feature: str) -> bool:
    """Whether format_value writes the unit itself (then labels can drop theirs)."""
    fmt = _FORMATS.get(feature, "")
    return _is_share(feature) or feature == "popularity" or fmt.endswith((" h", "days", "min"))


def format_value(feature: str, value: float) -> str:
    """A feature value in its unit: shares as percentages, runtimes in min, years whole."""
    if value is None or not np.isfinite(value):
        return "n/a"
    feature = str(feature)
    if _is_share(feature):
        return f"{value:.0%}"
    if feature == "popularity":
        return f"{value:.1%}"
    if feature == "log_imdb_votes":
        return f"≈{np.expm1(value):,.0f} votes"
    if feature in _FORMATS:
        return _FORMATS[feature].format(value)
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def condition_text(feature: str, op: str, threshold: float) -> str:
    """One rule test in words: ``Genre: Drama is yes``, ``Device: Mobile > 52%``."""
    label = feature_label(feature, units=not _value_has_unit(str(feature)))
    if str(feature).startswith(_FLAG_PREFIXES) and 0 <= threshold < 1:
        return f"{label} is {'no' if op == '<=' else 'yes'}"
    if _is_share(str(feature)):
        return f"{label} {op} {threshold:.0%}"
    return f"{label} {op} {format_value(feature, threshold)}"


def rule_text(conditions: Iterable) -> str:
    """A surrogate-tree rule (``lib.cluster.Condition`` tuples) in words, joined by "and"."""
    parts = [condition_text(c.feature, c.op, c.threshold) for c in conditions]
    return " and ".join(parts) if parts else "(all rows)"


def _vline(
    fig: go.Figure,
    x: float,
    *,
    color: str,
    dash: str,
    width: float = 1.5,
    text: str | None = None,
) -> None:
    """A full-height vertical line (add_shape: several times cheaper than add_vline)."""
    fig.add_shape(
        type="line",
        x0=x,
        x1=x,
        y0=0,
        y1=1,
        xref="x",
        yref="paper",
        line={"color": color, "dash": dash, "width": width},
    )
    if text:
        fig.add_annotation(
            x=x,
            y=1,
            xref="x",
            yref="paper",
            text=text,
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            font={"color": color},
        )


# === choosing k =================================================================================
_SCAN_METRICS = {
    "inertia": ("Elbow: inertia by k (lower is tighter)", "inertia (scaled units²)"),
    "silhouette": ("Mean silhouette by k (higher is better)", "mean silhouette (-1 to 1)"),
}


def k_scan_chart(
    scan: pd.DataFrame,
    metric: str = "inertia",
    *,
    suggested_k: int | None = None,
    current_k: int | None = None,
    height: int = 320,
) -> tuple[go.Figure, pd.DataFrame]:
    """Line of one :func:`lib.cluster.scan_k` metric against k, suggested (and current) k marked.

    ``metric`` is ``"inertia"`` (the elbow) or ``"silhouette"``.
    """
    if metric not in _SCAN_METRICS:
        raise ValueError(f"metric must be one of {list(_SCAN_METRICS)}, got {metric!r}")
    title, axis = _SCAN_METRICS[metric]
    data = scan[["k", metric]].copy()
    data["suggested"] = data["k"] == suggested_k
    data["current"] = data["k"] == current_k
    fig = go.Figure(
        go.Scatter(
            x=data["k"],
            y=data[metric],
            mode="lines+markers",
            name=metric,
            line={"color": "#4A5568", "width": 2},
            marker={"size": 7, "color": "#4A5568"},
            hovertemplate="k = %{x}<br>" + metric + " %{y:,.3f}<extra></extra>",
        )
    )
    if current_k is not None and data["current"].any() and current_k != suggested_k:
        row = data[data["current"]].iloc[0]
        fig.add_scatter(
            x=[row["k"]],
            y=[row[metric]],
            mode="markers",
            name=f"shown: k = {current_k}",
            marker={"size": 14, "color": "rgba(0,0,0,0)", "line": {"color": "#1D2330", "width": 2}},
            hovertemplate=f"shown: k = {current_k}<extra></extra>",
        )
    if suggested_k is not None and data["suggested"].any():
        row = data[data["suggested"]].iloc[0]
        fig.add_scatter(
            x=[row["k"]],
            y=[row[metric]],
            mode="markers",
            name=f"suggested: k = {suggested_k}",
            marker={"size": 14, "color": "#E50914", "symbol": "star"},
            hovertemplate=f"suggested: k = {suggested_k}<extra></extra>",
        )
        _vline(fig, suggested_k, color="#E50914", dash="dot")
    fig.update_xaxes(dtick=1)
    style(fig, title, x="number of clusters k", y=axis, height=height)
    fig.update_layout(legend={"y": -0.3})
    return fig, data


# === silhouette analysis ========================================================================
def silhouette_plot(
    silhouette: np.ndarray | pd.Series,
    labels: np.ndarray | pd.Series,
    *,
    names: Mapping[int, str] | None = None,
    height: int = 460,
    gap: int | None = None,
) -> tuple[go.Figure, pd.DataFrame]:
    """scikit-learn's silhouette analysis: per cluster, its rows' silhouettes sorted, as a
    horizontal filled band; the mean silhouette as a dashed line.

    Rows with a missing silhouette (outside the library's seeded sample) are left out.
    ``names`` maps cluster -> legend text (default ``"1"``, ``"2"``, ...).
    """
    sil = np.asarray(silhouette, dtype="float64")
    lab = np.asarray(labels)
    if sil.shape != lab.shape:
        raise ValueError(f"silhouette has {sil.shape} values but labels has {lab.shape}")
    keep = np.isfinite(sil)
    data = pd.DataFrame({"cluster": lab[keep].astype(np.int64), "silhouette": sil[keep]})
    data = data.sort_values(["cluster", "silhouette"], ascending=[True, False], kind="stable")
    data = data.reset_index(drop=True)
    gap = gap if gap is not None else max(10, len(data) // 60)
    fig = go.Figure()
    ticks, ticktext, y0 = [], [], 0
    position = np.zeros(len(data))
    for c, part in data.groupby("cluster", sort=True):
        n = len(part)
        # top to bottom: cluster 1 first, widest silhouettes at the top of each band
        y = -(y0 + np.arange(n))
        position[part.index.to_numpy()] = y
        name = (names or {}).get(int(c), cluster_name(int(c)))
        fig.add_scatter(
            x=np.r_[0.0, part["silhouette"].to_numpy(), 0.0],
            y=np.r_[y[0], y, y[-1]],
            mode="lines",
            fill="toself",
            line={"width": 0.5, "color": cluster_color(int(c))},
            fillcolor=cluster_color(int(c)),
            opacity=0.85,
            name=name,
            hovertemplate=(
                f"{name}<br>{n:,} rows, mean silhouette {part['silhouette'].mean():.2f}"
                "<extra></extra>"
            ),
        )
        ticks.append(-(y0 + n / 2))
        ticktext.append(cluster_name(int(c)))
        y0 += n + gap
    data["position"] = position
    mean = float(data["silhouette"].mean()) if len(data) else float("nan")
    _vline(fig, 0.0, color="#1D2330", dash="solid", width=1)
    if np.isfinite(mean):
        _vline(fig, mean, color="#C62828", dash="dash", text=f"mean {mean:.2f}")
    lo = min(-0.1, float(data["silhouette"].min()) - 0.05) if len(data) else -0.1
    fig.update_xaxes(range=[lo, 1.0])
    fig.update_yaxes(tickvals=ticks, ticktext=ticktext, showgrid=False, zeroline=False)
    style(
        fig,
        "Silhouette of each row, by cluster",
        x="silhouette (-1 to 1)",
        y="cluster",
        height=height,
        legend=False,
    )
    return fig, data


# === 2-D projection =============================================================================
def projection_scatter(
    xy: pd.DataFrame,
    labels: pd.Series,
    *,
    hover: pd.DataFrame | None = None,
    names: Mapping[int, str] | None = None,
    method: str = "pca",
    explained: Sequence[float] | None = None,
    noun: str = "rows",
    height: int = 460,
) -> tuple[go.Figure, pd.DataFrame]:
    """Scatter of a :func:`lib.cluster.project` result coloured by cluster (WebGL markers).

    ``labels`` is aligned on ``xy``'s index (rows without a label are left out). ``hover``
    (indexed like ``xy``) holds text columns: the first is shown in bold (the entity), the
    others as ``column: value`` lines. ``explained`` (PCA) puts the explained variance in
    the axis titles.
    """
    lab = labels.reindex(xy.index)
    data = xy.assign(cluster=lab).dropna(subset=["cluster"])
    data["cluster"] = data["cluster"].astype(np.int64)
    cols: list[str] = []
    if hover is not None and len(hover.columns):
        h = hover.reindex(data.index).astype("string").fillna("n/a")
        cols = [str(c) for c in h.columns]
        data = data.join(h.set_axis(cols, axis=1).add_prefix("hover_"))
    template = ""
    if cols:
        template = "<b>%{customdata[0]}</b><br>" + "".join(
            f"{c}: %{{customdata[{i}]}}<br>" for i, c in enumerate(cols) if i > 0
        )
    fig = go.Figure()
    for c in sorted(data["cluster"].unique()):
        part = data[data["cluster"] == c]
        name = (names or {}).get(int(c), cluster_name(int(c)))
        # WebGL: thousands of SVG markers cost the browser ~0.7 s per draw (Streamlit draws
        # a chart twice when it mounts); the same points in WebGL ~0.1 s (benchmarks.browser)
        fig.add_scattergl(
            x=part["x"],
            y=part["y"],
            mode="markers",
            name=name,
            marker={"size": 5, "color": cluster_color(int(c)), "opacity": 0.7},
            customdata=part[[f"hover_{col}" for col in cols]].to_numpy() if cols else None,
            hovertemplate=template + f"cluster {cluster_name(int(c))}<extra></extra>",
        )
    if method == "pca":
        ratio = list(explained or (float("nan"), float("nan")))
        x_title = f"PC1 ({ratio[0]:.1%} of variance)"
        y_title = f"PC2 ({ratio[1]:.1%} of variance)"
        title = f"{len(data):,} {noun} on the first two principal components"
    else:
        x_title, y_title = "t-SNE 1 (no unit)", "t-SNE 2 (no unit)"
        title = f"t-SNE map of {len(data):,} sampled {noun}"
    style(fig, title, x=x_title, y=y_title, height=height)
    fig.update_layout(legend={"y": -0.18, "itemsizing": "constant"})
    return fig, data.rename_axis("row").reset_index()


# === profiles ===================================================================================
def cluster_sizes(
    summary: pd.DataFrame,
    *,
    names: Mapping[int, str] | None = None,
    noun: str = "rows",
    height: int | None = None,
) -> tuple[go.Figure, pd.DataFrame]:
    """Horizontal bars: size and share of each cluster (``ClusterProfile.summary``)."""
    data = summary[["size", "share"]].copy()
    data.index = data.index.astype(np.int64)
    data["name"] = [(names or {}).get(int(c), cluster_name(int(c))) for c in data.index]
    fig = go.Figure(
        go.Bar(
            y=data["name"],
            x=data["size"],
            orientation="h",
            marker_color=[cluster_color(int(c)) for c in data.index],
            text=[f"{s:,} ({p:.0%})" for s, p in zip(data["size"], data["share"])],
            textposition="auto",
            cliponaxis=False,
            hovertemplate="%{y}<br>%{x:,} " + noun + "<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(range=[0, float(data["size"].max()) * 1.15 if len(data) else 1])
    style(
        fig,
        f"Size of each cluster ({noun})",
        x=f"{noun} in cluster",
        y=None,
        height=height or 90 + 34 * len(data),
        legend=False,
    )
    return fig, data.rename_axis("cluster").reset_index()


def zscore_heatmap(
    z: pd.DataFrame,
    *,
    means: pd.DataFrame | None = None,
    names: Mapping[int, str] | None = None,
    clip: float = 2.5,
    height: int | None = None,
) -> tuple[go.Figure, pd.DataFrame]:
    """Heatmap of feature z-scores per cluster: one row per feature, one column per cluster.

    Colours diverge around 0 (blue below the overall mean, red above) and saturate at
    ``+-clip`` SDs; each cell shows its z (up to 10 clusters). ``means`` (same shape,
    original units) adds the cluster mean to the hover. Columns are labelled with cluster
    numbers (names, which do not fit above narrow columns, are in the hover: show them
    beside the figure).
    """
    zz = z.copy()
    zz.index = zz.index.astype(np.int64)
    features = [str(c) for c in zz.columns]
    labels = [feature_label(f) for f in features]
    full = [(names or {}).get(int(c), cluster_name(int(c))) for c in zz.index]
    cols = [cluster_name(int(c)) for c in zz.index]
    values = zz.to_numpy(dtype="float64").T  # features x clusters
    m = None
    if means is not None:
        m = means.reindex(index=z.index, columns=z.columns).to_numpy(dtype="float64").T
    custom = np.empty((len(features), len(full), 2), dtype=object)
    for i, f in enumerate(features):
        for j, n in enumerate(full):
            custom[i, j] = (n, format_value(f, m[i, j]) if m is not None else "")
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=cols,
            y=labels,
            zmid=0,
            zmin=-clip,
            zmax=clip,
            colorscale="RdBu_r",
            text=np.vectorize(lambda v: f"{round(v, 1) + 0.0:+.1f}")(values)
            if values.size and len(full) <= 10
            else None,
            texttemplate="%{text}",
            textfont={"size": 11 if len(full) <= 6 else 9},
            customdata=custom if custom.size else None,
            hovertemplate="%{customdata[0]}<br>%{y}<br>z = %{z:+.2f}"
            + ("<br>cluster mean %{customdata[1]}" if means is not None else "")
            + "<extra></extra>",
            colorbar={"title": {"text": "z (SD)"}, "thickness": 12, "len": 0.6, "y": 0.7},
            xgap=1,
            ygap=1,
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(side="top", automargin=True, tickangle=0)
    style(
        fig,
        "Cluster mean vs overall mean, in SDs (z)",
        x=None,
        y=None,
        height=height or 170 + 24 * len(features),
        legend=False,
    )
    fig.update_xaxes(title_text="cluster", title_standoff=4)
    fig.update_layout(
        margin={"t": 100},  # room for the cluster numbers above the cells
        title={"y": 1 - 12 / fig.layout.height, "yref": "container", "yanchor": "top"},
    )
    data = zz.set_axis(features, axis=1).rename_axis("cluster").reset_index()
    data.insert(1, "name", full)
    return fig, data
