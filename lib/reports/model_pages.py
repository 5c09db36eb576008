"""Reports of the model pages: the Cluster explorer and the Top 10 model-quality tab.

The builders take the results the page has computed (the cached clustering, projection
and stability; the cross-validation, the model and its importance) and call the page's
functions on them (``lib.page_kpis``, the chart builders' data), so nothing is refitted
and the report's numbers are the page's numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from lib.charts import cluster as cc
from lib.charts import top10 as ct
from lib.glossary import feature_label
from lib.insights import Finding
from lib.models import cluster_features as cf
from lib.models.cluster import SUGGEST_RULE
from lib.page_kpis import cluster_kpis, top10_quality_kpis
from lib.reports.model import Chart, Kpi, Report, Section, provenance

__all__ = ["clusters_report", "top10_report", "PAIR_FEATURES", "PAIR_SAMPLE"]

PAIR_FEATURES = 4  # features in the pair plot: those that separate the clusters most
PAIR_SAMPLE = 1_500  # rows drawn in the pair plot (seeded)


def _chart(key: str, title: str, kind: str, data: pd.DataFrame, caption: str, method: str,
           empty: str = "", **options: Any) -> Chart:  # fmt: skip
    return Chart(key, title, kind, data, caption, method, options, empty)


# --- Cluster explorer -------------------------------------------------------------------------
def clusters_report(
    dataset: str,
    manifest: Mapping[str, Any],
    ent: cf.Entity,
    features: Sequence[str],
    *,
    scaling: str,
    missing: str,
    k: int,
    fit: Mapping[str, Any],
    xy: pd.DataFrame | None = None,
    stability: Any = None,
    scan: pd.DataFrame | None = None,
    suggested: int | None = None,
    sample_note: str = "",
    planted: tuple[float, int] | None = None,
    url: str | None = None,
) -> Report:
    """The Cluster explorer as shown: ``fit`` is the page's clustering (``cf.fit_view``),
    ``xy`` its 2-D projection, ``stability`` its :class:`lib.models.cluster.Stability` (None while
    unknown), ``scan`` the k scan when Auto k is on, ``planted`` the planted-segment
    recovery (ARI, viewers) of a demo dataset."""
    noun, labels, prof, people = ent.noun, fit["labels"], fit["profile"], fit["personas"]
    names = {c: cc.cluster_name(c, p.label) for c, p in people.items()}
    stab_mean = getattr(stability, "mean", None)
    tile = cluster_kpis(len(labels), k, fit["silhouette_mean"], fit["fidelity"], stab_mean)
    tiles = [
        Kpi(f"{noun.capitalize()} clustered", tile["clustered"],
            f"Of {len(ent.candidates):,} {noun}; rows are left out only with missing = drop."),
        Kpi("Clusters (k)", tile["k"], f"{len(features)} features, {scaling} scaling, "
            f"missing: {missing}."),
        Kpi("Mean silhouette", tile["silhouette"],
            f"On a seeded sample of {fit['silhouette_n']:,} rows. Above 0.5 clear groups, "
            "0.25-0.5 weak but real structure, below 0.25 little separation."),
        Kpi("Stability (ARI across seeds)", tile["stability"],
            (f"{stability.label}; lowest pair {stability.min:.2f}." if stability is not None
             else "Not computed yet.")),
        Kpi("Tree fidelity", tile["fidelity"],
            f"Share of {noun} a depth-{fit['depth']} decision tree puts in their own cluster."),
    ]  # fmt: skip
    if planted is not None:
        tiles.append(Kpi("Planted segments recovered (ARI)", f"{planted[0]:.2f}",
                         f"{planted[1]:,} demo viewers; 1 = the same grouping."))  # fmt: skip
    prov = provenance(dataset, manifest, url=url)
    prov["Clustering"] = (
        f"{noun}, {len(features)} features: {cf.describe_features(features) or 'none'}; "
        f"{scaling} scaling, missing: {missing}; k = {k}"
    )
    if sample_note:
        prov["Rows"] = sample_note
    findings = [_persona_finding(c, p, noun) for c, p in people.items()]
    sections = [
        _profile_section(prof, names, noun, fit, ent, features),
        _map_section(xy, labels, fit, names, noun),
    ]
    if scan is not None:
        sections.append(_scan_section(scan, suggested, k))
    return Report(
        "Cluster explorer",
        prov,
        tiles,
        findings,
        sections,
        _rule_notes(fit["rules"], people),
        subject=f"K-Means groups of {noun}, what defines each group, and how much to trust them.",
    )


def _persona_finding(c: int, p: Any, noun: str) -> Finding:
    parts = [
        f"{cc.feature_label(r.feature, units=False)} {cc.format_value(r.feature, r.cluster_mean)}"
        f" vs {cc.format_value(r.feature, r.overall_mean)} overall (z {r.z:+.1f})"
        for r in p.evidence.itertuples()
    ]
    evidence = "; ".join(parts) if parts else "no feature is 0.5 SD or more from the average"
    return Finding(
        f"Cluster {cc.cluster_name(c, p.label)}: {p.size:,} {noun} ({p.share:.0%}) - {evidence}.",
        float(p.share),
        "Persona names come from each cluster's features with the largest |z| (at least 0.5 "
        "SD from the overall mean); z = (cluster mean - overall mean) / overall SD.",
    )


def _rule_notes(rules: pd.DataFrame, people: Mapping[int, Any]) -> list[str]:
    notes = []
    for r in rules.itertuples():
        notes.append(
            f"Rule for cluster {cc.cluster_name(int(r.cluster), people[int(r.cluster)].label)}: "
            f"if {cc.rule_text(r.conditions)} ({int(r.support):,} rows, purity "
            f"{r.purity:.0%}, coverage {r.coverage:.0%})."
        )
    return notes


def _profile_section(
    prof: Any, names: Mapping[int, str], noun: str, fit: Mapping[str, Any], ent: cf.Entity,
    features: Sequence[str],
) -> Section:  # fmt: skip
    sizes = cc.cluster_sizes(prof.summary, names=names, noun=noun)[1]
    z = cc.zscore_heatmap(prof.z, means=prof.means, names=names)[1]
    grid = z.set_index("name").drop(columns="cluster")
    grid.columns = [feature_label(str(f), units=False) for f in prof.z.columns]
    grid = grid.T  # features as rows (there are many), clusters as columns
    charts = [
        _chart(
            "cluster_sizes", f"Cluster sizes ({noun})", "barh", sizes,
            "Rows per cluster and their share of all clustered rows.",
            "Count of K-Means labels per cluster (lib.models.cluster.profile summary).",
            y="name", x="size", text=",.0f", xlabel=noun,
            bar_colors=[cc.cluster_color(int(c)) for c in sizes["cluster"]],
        ),
        _chart(
            "cluster_zscores", "What defines each cluster: z-scores, clustered", "clustermap",
            grid,
            "z = (cluster mean - overall mean) / overall SD: red above average, blue below. "
            "Rows and columns are ordered by average-linkage dendrograms, so similar clusters "
            "and features that move together sit side by side.",
            "lib.models.cluster.profile z-scores; dendrograms: scipy average linkage, Euclidean.",
            wide=True,
        ),
    ]  # fmt: skip
    pairs = _pairs_data(prof, fit["labels"], ent, features)
    if pairs is not None:
        data, feats = pairs
        charts.append(
            _chart(
                "cluster_pairs", "Pair plot by cluster (the features that separate most)",
                "pairs", data,
                f"A seeded sample of {len(data):,} {noun}: each pair of the {len(feats)} "
                "features with the largest |z| in any cluster; the diagonal shows each "
                "cluster's distribution.",
                "Feature values in their own units; sample drawn with the explorer's seed.",
                features=feats, labels=[feature_label(f) for f in feats], names=dict(names),
                wide=True,
            )
        )  # fmt: skip
    return Section("What defines each cluster", charts)


def _pairs_data(
    prof: Any, labels: pd.Series, ent: cf.Entity, features: Sequence[str]
) -> tuple[pd.DataFrame, list[str]] | None:
    if len(features) < 2:
        return None
    strength = prof.z.abs().max(axis=0).sort_values(ascending=False)
    feats = [str(f) for f in strength.index[:PAIR_FEATURES]]
    X = ent.candidates.loc[labels.index, feats]
    n = min(PAIR_SAMPLE, len(X))
    rows = np.random.default_rng(cf.SEED).choice(len(X), size=n, replace=False)
    data = X.iloc[np.sort(rows)].assign(cluster=labels.iloc[np.sort(rows)].to_numpy())
    return data.reset_index(drop=True), feats


def _map_section(
    xy: pd.DataFrame | None, labels: pd.Series, fit: Mapping[str, Any],
    names: Mapping[int, str], noun: str,
) -> Section:  # fmt: skip
    charts = []
    sil = pd.DataFrame({"cluster": labels.to_numpy(), "silhouette": fit["silhouette"]}).dropna()
    if xy is not None and len(xy):
        method = xy.attrs.get("method", "pca")
        ev = xy.attrs.get("explained_variance_ratio")
        data = cc.projection_scatter(
            xy, labels, names=names, method=method, explained=ev, noun=noun
        )[1]
        axis = (
            [f"PC{i + 1} ({v:.0%} of variance)" for i, v in enumerate(ev)]
            if ev
            else ["t-SNE 1", "t-SNE 2"]
        )
        caption = (
            f"PCA fitted on all {xy.attrs.get('n_rows', 0):,} {noun} (scaled features); "
            f"{len(data):,} sampled points drawn."
            if method == "pca"
            else f"t-SNE of {len(data):,} sampled {noun}: neighbours stay close; distances "
            "between far groups mean little."
        )
        charts.append(
            _chart(
                "map", "Where the clusters lie", "scatter", data[["x", "y", "cluster"]], caption,
                f"{method.upper() if method == 'pca' else 't-SNE'} of the scaled features "
                "(lib.models.cluster.project), coloured by K-Means cluster.",
                x="x", y="y", names=dict(names), xlabel=axis[0], ylabel=axis[1],
            )
        )  # fmt: skip
    charts.append(
        _chart(
            "silhouettes", "Silhouette per cluster", "silhouettes", sil,
            f"Silhouette of {fit['silhouette_n']:,} sampled {noun}: 1 = far closer to its own "
            "cluster than to the next, 0 = on the border, below 0 = closer to another; "
            "dashed line = mean.",
            "sklearn silhouette_samples on a seeded sample (lib.models.cluster.fit_kmeans).",
            names=dict(names), xlabel="silhouette",
        )
    )  # fmt: skip
    return Section("Where the clusters lie", charts)


def _scan_section(scan: pd.DataFrame, suggested: int | None, k: int) -> Section:
    data = scan[["k", "silhouette", "inertia"]]
    note = f"Suggested k = {suggested}: {SUGGEST_RULE}." if suggested is not None else ""
    if suggested is not None and suggested != k:
        note += f" The report shows k = {k}."
    chart = _chart(
        "silhouette_by_k", "Mean silhouette by k", "line", data,
        "Higher is better; inertia (not drawn) falls with every extra cluster.",
        "K-Means fitted for every k from 2 to 12 (lib.models.cluster.scan_k).",
        x="k", y="silhouette", xlabel="k (clusters)", ylabel="mean silhouette", markers=True,
        yfmt=".2f",
    )  # fmt: skip
    return Section("Choosing k", [chart], [note] if note else [])


# --- Top 10 model quality ---------------------------------------------------------------------
def top10_report(
    dataset: str,
    manifest: Mapping[str, Any],
    cv: pd.DataFrame,
    model: Any,
    kind: str,
    threshold: float,
    *,
    importance: pd.DataFrame | None = None,
    n_titles: tuple[int, int] | None = None,
    url: str | None = None,
) -> Report:
    """The Top 10 page's Model quality tab: the cross-validation ``cv`` of the three kinds,
    the held-out metrics of ``model`` (kind ``kind``) at ``threshold``, its permutation
    ``importance`` (None: not available), ``n_titles`` = (in the Top 10, not)."""
    m = model.metrics
    at = model.metrics_at(threshold)
    tile = top10_quality_kpis(m, at)
    tiles = [
        Kpi("ROC-AUC", tile["roc_auc"], "Chance that a random Top 10 title scores above a "
            "random other one."),
        Kpi("PR-AUC", tile["pr_auc"], f"Average precision; random guessing scores "
            f"{m['test_base_rate']:.3f}."),
        Kpi("Brier score", tile["brier"], f"{tile['brier_delta']}: mean squared error of the "
            "probabilities vs. always predicting the Top 10 share."),
        Kpi("Precision", tile["precision"], f"Of titles called Top 10 at threshold "
            f"{threshold:.2f}, the share that were."),
        Kpi("Recall", tile["recall"], f"Of Top 10 titles, the share called Top 10 at "
            f"threshold {threshold:.2f}."),
        Kpi("Accuracy", tile["accuracy"], "Share of held-out titles called right."),
    ]  # fmt: skip
    prov = provenance(dataset, manifest, url=url)
    prov["Model"] = f"{ct.model_label(kind)}, threshold {threshold:.2f}"
    if n_titles is not None:
        top, other = n_titles
        prov["Labelled titles"] = f"{top + other:,}, {top / max(top + other, 1):.1%} in the Top 10"
    sections = [
        _comparison_section(cv),
        _curves_section(model, kind, threshold, at),
        _importance_section(importance),
    ]
    return Report(
        "Top 10 predictor: model quality",
        prov,
        tiles,
        _protocol(cv, m),
        sections,
        subject="Would a title make Netflix's weekly Top 10? How good the model is, on "
        "cross-validation and on held-out titles.",
    )


def _protocol(cv: pd.DataFrame, m: Mapping[str, Any]) -> list[Finding]:
    n, share = cv.attrs.get("n_titles"), cv.attrs.get("base_rate", m["base_rate"])
    folds = int(cv["n_folds"].iloc[0]) if "n_folds" in cv and len(cv) else 5
    out = [
        Finding(
            f"Stratified {folds}-fold cross-validation"
            + (f" over {n:,} titles" if n else "")
            + f": the best model is {ct.model_label(cv['kind'].iloc[0])} (ROC-AUC "
            f"{cv['roc_auc_mean'].iloc[0]:.3f} +- {cv['roc_auc_std'].iloc[0]:.3f}).",
            float(cv["roc_auc_mean"].iloc[0]),
            "Every fold keeps the Top 10 share and refits encoders, model and calibration on "
            "its training part only.",
        ),
        Finding(
            f"Class balance: only {share:.1%} of titles chart, so calling every title 'not "
            f"Top 10' is already {max(share, 1 - share):.1%} accurate; judge by ROC-AUC and "
            "PR-AUC.",
            float(share),
            "Share of labelled titles with a week in the Top 10.",
        ),
        Finding(
            f"Held-out check: {m['split']}.",
            float(m["roc_auc"]),
            "The curves and the confusion matrix are on those held-out titles.",
        ),
    ]
    if abs(m["test_base_rate"] - m["base_rate"]) >= 0.05:
        more = m["test_base_rate"] > m["base_rate"]
        out.append(
            Finding(
                f"Drift: the held-out titles chart {'more' if more else 'less'} often "
                f"({m['test_base_rate']:.1%}) than the training titles ({m['base_rate']:.1%}), "
                f"so probabilities are too {'low' if more else 'high'} on them.",
                float(m["test_base_rate"]),
                "Top 10 share of held-out vs. training titles (shown from 5 points apart).",
            )
        )
    return out


def _comparison_section(cv: pd.DataFrame) -> Section:
    data = ct.model_comparison(cv)[1]
    refs = [(0.5, "coin flip (ROC-AUC 0.5)")]
    base = cv.attrs.get("base_rate")
    if base is not None and np.isfinite(base):
        refs.append((float(base), f"random guess (PR-AUC {base:.2f})"))
    chart = _chart(
        "model_comparison", "Three models, the same folds (mean +- 1 SD)", "errorbars", data,
        "Cross-validated ROC-AUC and PR-AUC per model kind; error bars = 1 standard deviation "
        "over the folds. Higher is better.",
        "lib.models.top10 compare_models: stratified folds shared by the three kinds.",
        y="model", hue="metric", x="mean", err="std", refs=refs, xlabel="score", wide=True,
    )  # fmt: skip
    return Section("Three models, the same folds", [chart])


def _curves_section(model: Any, kind: str, threshold: float, at: Mapping[str, Any]) -> Section:
    m, name = model.metrics, ct.model_label(kind)
    roc = ct.roc_curve(model.curves["roc"], auc=m["roc_auc"], threshold=threshold, name=name)[1]
    pr = ct.pr_curve(
        model.curves["pr"], average_precision=m["pr_auc"], base_rate=m["test_base_rate"],
        threshold=threshold, name=name,
    )[1]  # fmt: skip
    rel = ct.reliability_curve(model.reliability)[1]
    conf = ct.confusion_matrix(at)[1]
    total = max(int(conf["titles"].sum()), 1)
    conf = conf.assign(
        share=conf["titles"] / total,
        cell=[f"{n:,}\n({n / total:.0%})" for n in conf["titles"]],
    )
    charts = [
        _chart(
            "roc", "ROC curve (held-out titles)", "curve", roc,
            f"{name}, AUC {m['roc_auc']:.3f}; dot = the operating point at threshold "
            f"{threshold:.2f}; dashed = coin flip.",
            "sklearn roc_curve on the held-out titles' calibrated probabilities.",
            x="fpr", y="tpr", diagonal="coin flip", label=f"{name} (AUC {m['roc_auc']:.3f})",
            point=_operating(roc, threshold, "fpr", "tpr"),
            xlabel="false positive rate", ylabel="true positive rate",
        ),
        _chart(
            "pr", "Precision-recall curve (held-out titles)", "curve", pr,
            f"{name}, average precision {m['pr_auc']:.3f}; dotted = random guess (the Top 10 "
            "share of the held-out titles).",
            "sklearn precision_recall_curve on the held-out titles.",
            x="recall", y="precision", label=name,
            hline=(m["test_base_rate"], f"random guess ({m['test_base_rate']:.1%})"),
            point=_operating(pr, threshold, "recall", "precision"),
            xlabel="recall", ylabel="precision",
        ),
        _chart(
            "calibration", "Calibration (held-out titles)", "curve", rel,
            "Titles binned by predicted probability (equal counts per bin); marker size = "
            "titles in the bin; on the diagonal, predicted = observed.",
            "Mean predicted probability vs. observed Top 10 share per bin.",
            x="mean_predicted", y="fraction_positive", size="count",
            diagonal="perfectly calibrated",
            xlabel="predicted probability", ylabel="observed Top 10 share",
        ),
        _chart(
            "confusion", f"Confusion matrix at threshold {threshold:.2f}", "heatmap", conf,
            f"Held-out titles by actual and predicted class. F1 {at['f1']:.3f}; best F1 "
            f"{m['best_f1']:.3f} at {m['best_threshold']:.2f}.",
            "Titles with probability >= threshold are called Top 10 (model.metrics_at).",
            index="actual", columns="predicted", values="titles", annot_column="cell",
            row_order=["Top 10", "not Top 10"], col_order=["Top 10", "not Top 10"],
            cmap="Blues", xlabel="predicted", ylabel="actual", cbar="titles",
        ),
    ]  # fmt: skip
    return Section(f"{name} on held-out titles", charts)


def _operating(curve: pd.DataFrame, threshold: float, x: str, y: str) -> tuple | None:
    """The operating point at ``threshold`` (the point the page marks on its curve)."""
    row = ct._threshold_point(curve, threshold) if "threshold" in curve else None
    return None if row is None else (float(row[x]), float(row[y]), f"threshold {threshold:.2f}")


def _importance_section(importance: pd.DataFrame | None) -> Section:
    if importance is None or importance.empty:
        return Section("What the model relies on", (), ["Permutation importance is not available."])
    data = ct.permutation_importance(importance)[1]
    chart = _chart(
        "importance", "Permutation importance (drop in ROC-AUC)", "barh", data,
        "Each input is shuffled across the held-out titles (5 times); the bar is how much "
        "ROC-AUC drops. Around zero: the model does not need it on this data.",
        "sklearn permutation_importance, scoring roc_auc, 5 repeats.",
        y="label", x="importance_mean", text="+.3f", xlabel="drop in ROC-AUC", signed=True,
        xfmt=".2f",
        wide=True,
    )  # fmt: skip
    return Section("What the model relies on", [chart])
