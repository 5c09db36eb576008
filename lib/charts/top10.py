"""Figure builders of the Top 10 predictor page (no streamlit import).

Inputs are the outputs of :mod:`lib.models.top10` (``explain``, ``compare_models``, ``curves``,
``reliability``, ``metrics_at``, ``permutation_importance``, ``leakage_report``). Every builder
returns ``(figure, data)``: the figure through the one house path
(:func:`lib.charts.house.figure`) and the DataFrame behind it (for the CSV download).
Builders never modify their input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib.charts.house import figure
from lib.glossary import FEATURE_LABELS, MODEL_LABELS, model_label
from lib.models.top10_inputs import feature_label, format_value

__all__ = [
    "FEATURE_LABELS",
    "MODEL_LABELS",
    "UP_COLOR",
    "DOWN_COLOR",
    "feature_label",
    "model_label",
    "format_value",
    "probability_gauge",
    "contributions",
    "model_comparison",
    "roc_curve",
    "pr_curve",
    "reliability_curve",
    "confusion_matrix",
    "permutation_importance",
    "leakage_scores",
    "leakage_signal",
]

UP_COLOR = "#2E7D32"  # pushes towards the Top 10
DOWN_COLOR = "#C62828"  # pushes away from it
HONEST_COLOR = "#1F77B4"
LEAKY_COLOR = "#E8A33D"


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


# ---------------------------------------------------------------------------- prediction ---
def probability_gauge(
    probability: float, threshold: float, *, base_rate: float | None = None
) -> tuple[go.Figure, pd.DataFrame]:
    """Gauge of the Top 10 probability (0-100 %) with the decision threshold as a line.

    The bar is green at or above the threshold (verdict: Top 10), red below it; the average
    title's probability (``base_rate``) is drawn as a grey band edge for reference.
    """
    p = float(np.clip(probability, 0.0, 1.0))
    t = float(np.clip(threshold, 0.0, 1.0))
    hit = p >= t
    steps = [
        {"range": [0, 100 * t], "color": "#F6E3E3"},
        {"range": [100 * t, 100], "color": "#E3F1E4"},
    ]
    gauge = {
        "type": "indicator",
        "mode": "gauge+number",
        "value": 100 * p,
        "number": {"suffix": "%", "valueformat": ".1f", "font": {"size": 44}},
        "gauge": {
            "axis": {"range": [0, 100], "ticksuffix": "%", "dtick": 20},
            "bar": {"color": UP_COLOR if hit else DOWN_COLOR, "thickness": 0.35},
            "steps": steps,
            "threshold": {
                "line": {"color": "#222222", "width": 4},
                "thickness": 0.9,
                "value": 100 * t,
            },
        },
        "domain": {"x": [0, 1], "y": [0, 1]},
    }
    subtitle = f"line across the arc = threshold {_pct(t)}"
    if base_rate is not None and np.isfinite(base_rate):
        subtitle += f"; average title {_pct(base_rate)}"
    # built in one call (one figure() call): it is redrawn on every slider move of the Predict tab
    fig = figure(
        [gauge],
        "Probability of making the Top 10",
        height=280,
        legend=False,
        layout={
            "margin": {"l": 40, "r": 40, "t": 50, "b": 40},
            "annotations": [
                {
                    "text": subtitle,
                    "x": 0.5,
                    "y": -0.18,
                    "xref": "paper",
                    "yref": "paper",
                    "showarrow": False,
                    "font": {"size": 12, "color": "#555555"},
                }
            ],
        },
    )
    data = pd.DataFrame(
        {"probability": [p], "threshold": [t], "verdict": ["Top 10" if hit else "not Top 10"]}
    )
    if base_rate is not None:
        data["average_title"] = float(base_rate)
    return fig, data


def contributions(
    explanation: pd.DataFrame, *, top: int = 10, title: str | None = None
) -> tuple[go.Figure, pd.DataFrame]:
    """Horizontal bars of per-feature contributions to one prediction (``model.explain``).

    Bars are in percentage points of probability: green pushes towards the Top 10, red away.
    The ``top`` largest are shown; the rest are summed into one "other features" bar so the
    bars still add up to prediction - base value. ``explanation.attrs`` may hold
    ``prediction`` and ``base_value`` (shown in the title).
    """
    cols = ["feature", "value", "contribution"]
    data = explanation.loc[:, [c for c in cols if c in explanation.columns]].copy()
    if "value" not in data.columns:
        data["value"] = np.nan
    data = data.assign(
        label=[
            f"{feature_label(f)} = {format_value(f, v)}"
            for f, v in zip(data["feature"], data["value"])
        ],
        contribution=data["contribution"].astype(float),
    )
    data = data.reindex(data["contribution"].abs().sort_values(ascending=False).index)
    shown = data.head(top)
    rest = data.iloc[top:]
    if len(rest):
        other = pd.DataFrame(
            {
                "feature": ["(other)"],
                "value": [np.nan],
                "contribution": [float(rest["contribution"].sum())],
                "label": [f"{len(rest)} other features"],
            }
        )
        shown = pd.concat([shown, other], ignore_index=True)
    shown = shown.reset_index(drop=True)
    points = 100 * shown["contribution"]
    colors = [UP_COLOR if v >= 0 else DOWN_COLOR for v in points]
    bars = {
        "type": "bar",
        "x": points.to_numpy(),
        "y": shown["label"].to_numpy(),
        "orientation": "h",
        "marker": {"color": colors},
        "text": [f"{v:+.1f}" for v in points],
        "textposition": "outside",
        "cliponaxis": False,
        "hovertemplate": "%{y}<br>%{x:+.2f} percentage points<extra></extra>",
    }
    attrs = explanation.attrs
    if title is None:
        title = "Why this probability"
        if "prediction" in attrs and "base_value" in attrs:
            title += (
                f"<br><sup>from {_pct(attrs['base_value'])} (typical title) to "
                f"{_pct(attrs['prediction'])}: green pushes up, red down</sup>"
            )
    span = float(np.max(np.abs(points))) if len(points) else 1.0
    span = max(span, 1.0) * 1.5
    # built in one call (one figure() call): it is redrawn on every slider move of the Predict tab
    fig = figure(
        [bars],
        title,
        x="change in probability (percentage points)",
        height=140 + 30 * len(shown),
        layout={
            "showlegend": False,
            "margin": {"l": 10, "r": 40, "t": 70, "b": 10},
            "yaxis": {"autorange": "reversed", "automargin": True},
            "xaxis": {"range": [-span, span], "zeroline": True, "zerolinecolor": "#888888"},
        },
    )
    out = shown.rename(columns={"contribution": "contribution_probability"})
    out = out.assign(
        value=[format_value(f, v, max_chars=10_000) for f, v in zip(out["feature"], out["value"])]
    )
    return fig, out[["feature", "label", "value", "contribution_probability"]]


# ---------------------------------------------------------------------------- the model ---
def model_comparison(cv: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """Cross-validated ROC-AUC and PR-AUC per model kind, with +- 1 standard deviation over
    folds as error bars (``compare_models`` output). PR-AUC of a random guess is the Top 10
    share (``cv.attrs["base_rate"]``), drawn as a dotted line."""
    rows = []
    for _, r in cv.iterrows():
        for metric, name in (("roc_auc", "ROC-AUC"), ("pr_auc", "PR-AUC")):
            rows.append(
                {
                    "model": model_label(r["kind"]),
                    "kind": r["kind"],
                    "metric": name,
                    "mean": float(r[f"{metric}_mean"]),
                    "std": float(r[f"{metric}_std"]),
                }
            )
    data = pd.DataFrame(rows, columns=["model", "kind", "metric", "mean", "std"])
    lines = [_vline(0.5, "dash", "#555555")]
    subtitle = "dashed line: coin flip (ROC-AUC 0.5)"
    base = cv.attrs.get("base_rate")
    if base is not None and np.isfinite(base):
        lines.append(_vline(float(base), "dot", "#9467BD"))
        subtitle += f"; dotted: random guess (PR-AUC {base:.2f} = Top 10 share)"
    n = int(cv["n_folds"].iloc[0]) if "n_folds" in cv.columns and len(cv) else 5
    fig = _score_bars(
        data,
        by="metric",
        y="model",
        series=(("ROC-AUC", HONEST_COLOR), ("PR-AUC", "#9467BD")),
        title=f"Cross-validated scores, {n} folds (mean ± 1 SD)<br><sup>{subtitle}</sup>",
        height=120 + 70 * max(len(cv), 1),
        text="{name} {value:.3f}",
        hover="%{y}: {name} %{x:.3f} ± %{error_x.array:.3f}<extra></extra>",
        layout={"shapes": lines, "margin": {"t": 70}},
    )
    return fig, data


def _vline(x: float, dash: str, color: str) -> dict:
    """A full-height vertical line at ``x`` (a layout shape)."""
    return {
        "type": "line",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "xref": "x",
        "yref": "paper",
        "line": {"dash": dash, "color": color},
    }


def _score_bars(
    data: pd.DataFrame,
    *,
    by: str,
    y: str,
    series: tuple[tuple[str, str], ...],
    title: str,
    height: int,
    text: str,
    hover: str,
    layout: Mapping[str, Any] | None = None,
) -> go.Figure:
    """Grouped horizontal bars of cross-validated scores (0-1) with +- 1 SD error bars: one
    bar series per ``(name, colour)`` of ``series`` (rows of ``data`` whose ``by`` is that
    name; a series without rows is left out), one group per ``y``. ``text`` and ``hover``
    may use ``{name}`` (and ``text`` ``{value}``); ``data`` has ``mean`` and ``std``. The
    Top 10 page's one error-bar chart: the model comparison and the leakage comparison."""
    traces = []
    for name, color in series:
        part = data[data[by] == name]
        if part.empty:
            continue
        traces.append(
            {
                "type": "bar",
                "y": part[y].to_numpy(),
                "x": part["mean"].to_numpy(),
                "orientation": "h",
                "error_x": {"type": "data", "array": part["std"].to_numpy(), "visible": True},
                "name": name,
                "marker": {"color": color},
                "text": [text.format(name=name, value=v) for v in part["mean"]],
                "textposition": "inside",
                "insidetextanchor": "start",
                "textangle": 0,
                "textfont": {"color": "white"},
                "hovertemplate": hover.replace("{name}", name),
            }
        )
    return figure(
        traces,
        title,
        x="score (0-1, higher is better)",
        height=height,
        layout={
            "barmode": "group",
            "xaxis": {"range": [0, 1.02]},
            "yaxis": {"autorange": "reversed"},
            **(layout or {}),
        },
    )


def _threshold_point(curve: pd.DataFrame, threshold: float) -> pd.Series | None:
    usable = curve.dropna(subset=["threshold"])
    if usable.empty:
        return None
    return usable.iloc[int(np.argmin(np.abs(usable["threshold"].to_numpy() - threshold)))]


def _mark_threshold(
    fig: go.Figure, curve: pd.DataFrame, threshold: float | None, x: str, y: str
) -> None:
    """The operating point at ``threshold`` on a ROC or precision-recall curve (a diamond)."""
    point = None if threshold is None else _threshold_point(curve, threshold)
    if point is not None:
        fig.add_scatter(
            x=[point[x]],
            y=[point[y]],
            mode="markers",
            name=f"threshold {threshold:.2f}",
            marker={"size": 11, "color": "#222222", "symbol": "diamond"},
        )


def roc_curve(
    roc: pd.DataFrame, *, auc: float, threshold: float | None = None, name: str = "model"
) -> tuple[go.Figure, pd.DataFrame]:
    """ROC curve (true vs false positive rate) on held-out titles with the chance diagonal and
    the operating point at ``threshold``."""
    fig = go.Figure()
    fig.add_scatter(
        x=[0, 1],
        y=[0, 1],
        mode="lines",
        name="coin flip",
        line={"dash": "dash", "color": "#999999"},
    )
    fig.add_scatter(
        x=roc["fpr"],
        y=roc["tpr"],
        mode="lines",
        name=f"{name} (AUC {auc:.3f})",
        line={"color": HONEST_COLOR, "width": 2, "shape": "hv"},
        customdata=roc[["threshold"]],
        hovertemplate="false positive rate %{x:.1%}<br>true positive rate %{y:.1%}"
        "<br>threshold %{customdata[0]:.2f}<extra></extra>",
    )
    _mark_threshold(fig, roc, threshold, "fpr", "tpr")
    fig = figure(
        fig,
        "ROC curve (held-out titles)",
        x="false positive rate (share of other titles called Top 10)",
        y="true positive rate (share of Top 10 titles found)",
        height=400,
        layout={
            "xaxis": {"range": [0, 1], "tickformat": ".0%"},
            "yaxis": {"range": [0, 1.02], "tickformat": ".0%"},
        },
    )
    return fig, roc.copy()


def pr_curve(
    pr: pd.DataFrame,
    *,
    average_precision: float,
    base_rate: float,
    threshold: float | None = None,
    name: str = "model",
) -> tuple[go.Figure, pd.DataFrame]:
    """Precision-recall curve on held-out titles with the random-guess line (the Top 10 share)
    and the operating point at ``threshold``."""
    fig = go.Figure()
    fig.add_scatter(
        x=[0, 1],
        y=[base_rate, base_rate],
        mode="lines",
        name=f"random guess ({_pct(base_rate)})",
        line={"dash": "dash", "color": "#999999"},
    )
    fig.add_scatter(
        x=pr["recall"],
        y=pr["precision"],
        mode="lines",
        name=f"{name} (AP {average_precision:.3f})",
        line={"color": "#9467BD", "width": 2, "shape": "vh"},
        hovertemplate="recall %{x:.1%}<br>precision %{y:.1%}<extra></extra>",
    )
    _mark_threshold(fig, pr, threshold, "recall", "precision")
    fig = figure(
        fig,
        "Precision-recall curve (held-out titles)",
        x="recall (share of Top 10 titles found)",
        y="precision (share of calls that were right)",
        height=400,
        layout={
            "xaxis": {"range": [0, 1], "tickformat": ".0%"},
            "yaxis": {"range": [0, 1.02], "tickformat": ".0%"},
        },
    )
    return fig, pr.copy()


def reliability_curve(reliability: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """Calibration: mean predicted probability vs observed Top 10 share per probability bin
    (marker area ~ titles in the bin); on the diagonal means "70 % predicted, 70 % charted"."""
    counts = reliability["count"].astype(float)
    size = 6 + 12 * np.sqrt(counts / counts.max()) if len(counts) and counts.max() > 0 else 8
    fig = go.Figure()
    fig.add_scatter(
        x=[0, 1],
        y=[0, 1],
        mode="lines",
        name="perfectly calibrated",
        line={"dash": "dash", "color": "#999999"},
    )
    fig.add_scatter(
        x=reliability["mean_predicted"],
        y=reliability["fraction_positive"],
        mode="lines+markers",
        name="model",
        marker={"size": size, "color": HONEST_COLOR},
        line={"color": HONEST_COLOR},
        customdata=reliability[["count"]],
        hovertemplate="predicted %{x:.1%}<br>observed %{y:.1%}<br>%{customdata[0]} titles"
        "<extra></extra>",
    )
    fig = figure(
        fig,
        "Calibration: predicted vs observed Top 10 share",
        x="mean predicted probability in the bin",
        y="observed share in the Top 10",
        height=400,
        layout={
            "xaxis": {"range": [0, 1], "tickformat": ".0%"},
            "yaxis": {"range": [0, 1.02], "tickformat": ".0%"},
        },
    )
    return fig, reliability.copy()


def confusion_matrix(metrics: Mapping[str, Any]) -> tuple[go.Figure, pd.DataFrame]:
    """2 x 2 confusion matrix at ``metrics["threshold"]`` (``model.metrics_at``): counts and
    the share of all held-out titles in each cell."""
    tn, fp, fn, tp = (int(metrics[k]) for k in ("tn", "fp", "fn", "tp"))
    total = max(tn + fp + fn + tp, 1)
    z = [[tp, fn], [fp, tn]]
    names = [["true positive", "missed (false negative)"], ["false alarm", "true negative"]]
    text = [
        [f"{names[i][j]}<br><b>{z[i][j]:,}</b> ({z[i][j] / total:.0%})" for j in range(2)]
        for i in range(2)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=["predicted Top 10", "predicted not"],
            y=["in the Top 10", "not in the Top 10"],
            text=text,
            texttemplate="%{text}",
            textfont={"size": 14},
            colorscale=[[0, "#F4F6F8"], [1, "#5B8DB8"]],
            showscale=False,
            hovertemplate="%{y} / %{x}: %{z} titles<extra></extra>",
        )
    )
    fig = figure(
        fig,
        f"Confusion matrix at threshold {float(metrics['threshold']):.2f} (held-out titles)",
        x="prediction",
        y="actual",
        height=330,
        legend=False,
        layout={"yaxis": {"autorange": "reversed"}},
    )
    data = pd.DataFrame(
        {
            "actual": ["Top 10", "Top 10", "not Top 10", "not Top 10"],
            "predicted": ["Top 10", "not Top 10", "Top 10", "not Top 10"],
            "titles": [tp, fn, fp, tn],
        }
    )
    return fig, data


def permutation_importance(
    importance: pd.DataFrame, *, scoring: str = "ROC-AUC"
) -> tuple[go.Figure, pd.DataFrame]:
    """Global importance: drop in held-out ``scoring`` when one input is shuffled (mean and
    SD over repeats); bars below zero mean the feature did not help on held-out titles."""
    data = importance.assign(label=[feature_label(f) for f in importance["feature"]])
    data = data.sort_values("importance_mean", ascending=False, kind="stable").reset_index(
        drop=True
    )
    fig = go.Figure(
        go.Bar(
            x=data["importance_mean"],
            y=data["label"],
            orientation="h",
            error_x={"type": "data", "array": data["importance_std"], "visible": True},
            marker_color=[HONEST_COLOR if v >= 0 else "#BBBBBB" for v in data["importance_mean"]],
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        )
    )
    fig = figure(
        fig,
        f"Which inputs the model relies on (drop in {scoring} when shuffled)",
        x=f"drop in held-out {scoring} (mean ± SD of shuffles)",
        height=140 + 28 * len(data),
        legend=False,
        layout={"yaxis": {"autorange": "reversed", "automargin": True}},
    )
    return fig, data[["feature", "label", "importance_mean", "importance_std"]]


# ---------------------------------------------------------------------------- leakage ---
def leakage_scores(report: Mapping[str, Any]) -> tuple[go.Figure, pd.DataFrame]:
    """Honest vs leaky cross-validated ROC-AUC, PR-AUC and accuracy side by side
    (``leakage_report``); the leaky bars are missing when the table has nothing to leak."""
    rows = []
    for model, scores in (
        ("honest: pre-release only", report.get("honest")),
        ("leaky: + post-release", report.get("leaky")),
    ):
        if not scores:
            continue
        for metric, name in (
            ("roc_auc", "ROC-AUC"),
            ("pr_auc", "PR-AUC"),
            ("accuracy", "accuracy"),
        ):
            rows.append(
                {
                    "model": model,
                    "metric": name,
                    "mean": float(scores[metric]),
                    "std": float(scores.get(f"{metric}_std", 0.0)),
                }
            )
    data = pd.DataFrame(rows, columns=["model", "metric", "mean", "std"])
    kind = model_label(str(report.get("kind", "")))
    fig = _score_bars(
        data,
        by="model",
        y="metric",
        series=(("honest: pre-release only", HONEST_COLOR), ("leaky: + post-release", LEAKY_COLOR)),
        title=f"Honest vs leaky: {kind}, cross-validated",
        height=360,
        text="{value:.3f}",
        hover="%{y}: %{x:.3f}<extra>{name}</extra>",
    )
    return fig, data


def leakage_signal(signal: Mapping[str, Mapping[str, float]]) -> tuple[go.Figure, pd.DataFrame]:
    """Share of Top 10 titles vs other titles that have a recorded (non-zero) value in each
    post-release column: the columns exist *because* a title charted."""
    rows = []
    for column, s in signal.items():
        rows.append(
            {
                "column": column,
                "label": feature_label(column),
                "top10": float(s["share_recorded_top10"]),
                "other": float(s["share_recorded_other"]),
            }
        )
    data = pd.DataFrame(rows, columns=["column", "label", "top10", "other"])
    fig = go.Figure()
    for col, name, color in (
        ("top10", "Top 10 titles", UP_COLOR),
        ("other", "other titles", "#9E9E9E"),
    ):
        fig.add_bar(
            y=data["label"],
            x=data[col],
            orientation="h",
            name=name,
            marker_color=color,
            text=[f"{v:.0%}" for v in data[col]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.1%} of " + name + "<extra></extra>",
        )
    fig = figure(
        fig,
        "Who has a value? Only titles that charted",
        x="share of titles with a recorded (non-zero) value",
        height=360,
        layout={
            "barmode": "group",
            "xaxis": {"range": [0, 1.12], "tickformat": ".0%"},
            "yaxis": {"autorange": "reversed"},
        },
    )
    return fig, data
