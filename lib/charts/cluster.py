"""Figure builders and wording for the cluster explorer (no streamlit import).

Builders take DataFrames (or arrays) from :mod:`lib.models.cluster` and return
``(go.Figure, data)``, where ``data`` is the table behind the figure (offered as a CSV
download by the page). They never modify their input. Clusters are the library's labels
``0..k-1`` (0 = largest) and are shown to people as ``1..k``; every builder uses the same
colour per cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib.charts.house import PALETTE, figure
from lib.glossary import (
    PICKER_LABELS,
    PLAN_PREFIX,
    feature_label,
    format_value,
    genre_words,
    is_share,
    plan_column,
    value_has_unit,
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
    "picker_label",
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
    *[c for c in PALETTE if c != "rgb(136, 136, 136)"],
    "#5D3A9B",
    "#1B7837",
)
_FLAG_PREFIXES = ("genre__", PLAN_PREFIX)


def cluster_color(cluster: int) -> str:
    """Colour of cluster ``cluster`` (0-based label), the same in every figure."""
    return CLUSTER_COLORS[int(cluster) % len(CLUSTER_COLORS)]


def cluster_name(cluster: int, label: str | None = None) -> str:
    """``"1"`` or ``"1 · Mobile late-night horror fans"`` for label 0 (people count from 1)."""
    return f"{int(cluster) + 1}" + (f" · {label}" if label else "")


def picker_label(feature: str) -> str:
    """A feature's name in the feature picker (the glossary's, except ``PICKER_LABELS``)."""
    return PICKER_LABELS.get(str(feature)) or feature_label(feature)


def condition_text(feature: str, op: str, threshold: float) -> str:
    """One rule test in words: ``Genre: Drama is yes``, ``Device: Mobile > 52%``."""
    label = feature_label(feature, units=not value_has_unit(str(feature)))
    if str(feature).startswith(_FLAG_PREFIXES) and 0 <= threshold < 1:
        return f"{label} is {'no' if op == '<=' else 'yes'}"
    if is_share(str(feature)):
        return f"{label} {op} {threshold:.0%}"
    return f"{label} {op} {format_value(feature, threshold)}"


def rule_text(conditions: Iterable) -> str:
    """A surrogate-tree rule (``lib.models.cluster.Condition`` tuples) in words, joined by "and"."""
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
    """Line of one :func:`lib.models.cluster.scan_k` metric against k, suggested (and current) k
    marked.

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
    return figure(fig, title, x="number of clusters k", y=axis, height=height), data


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
    fig = figure(
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
    """Scatter of a :func:`lib.models.cluster.project` result coloured by cluster (WebGL markers).

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
    fig = figure(
        fig,
        title,
        x=x_title,
        y=y_title,
        height=height,
        layout={"legend": {"itemsizing": "constant"}},
    )
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
    fig = figure(
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
    height = height or 170 + 24 * len(features)
    fig = figure(
        fig,
        "Cluster mean vs overall mean, in SDs (z)",
        x="cluster",
        height=height,
        legend=False,
        layout={
            "xaxis": {"title": {"standoff": 4}},
            "margin": {"t": 100},  # room for the cluster numbers above the cells
            "title": {"y": 1 - 12 / height, "yref": "container", "yanchor": "top"},
        },
    )
    data = zz.set_axis(features, axis=1).rename_axis("cluster").reset_index()
    data.insert(1, "name", full)
    return fig, data
