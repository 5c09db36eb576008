"""Cluster explorer: K-Means groups of viewers or titles, what defines each, and how sure we are.

UI only: this page reads the widgets, calls ``lib.ui.cluster_models`` (bounded caches over the
build's stored results, ``lib.data.pipeline.models_clusters``, with computation on demand for
anything else) and renders figures of ``lib.charts.cluster``. Features and defaults are
``lib.models.cluster_features``. Every choice is in the URL (``cl_*`` parameters). The 2-D
projection does not depend on k and is cached without it, so changing k only refits K-Means and
recolours.
"""

from __future__ import annotations

from concurrent.futures import wait

import numpy as np
import pandas as pd
import streamlit as st

from lib.charts import cluster as cc
from lib.models import cluster_features as cf
from lib.models.cluster import STABLE_ARI, SUGGEST_RULE, UNSTABLE_ARI
from lib.models.cluster_features import DEFAULT_K, K_RANGE, MIN_ROWS, PCA_SAMPLE, STABILITY_SEEDS
from lib.page_kpis import cluster_kpis
from lib.ui import cluster_models as cm
from lib.ui import data as ui
from lib.ui import report_pdf
from lib.ui.widgets import MISSING, download_csv, empty_state, figure, md_escape

# --- option texts ------------------------------------------------------------------------------
SCALING_TEXT = {
    "standard": "each feature to mean 0, SD 1",
    "robust": "each feature to median 0, IQR 1",
    "none": "raw units",
}
MISSING_TEXT = {
    "median": "fill a gap with the feature's median",
    "drop": "leave incomplete rows out",
}
METHOD_TEXT = {"pca": "PCA", "tsne": "t-SNE"}


def _show(name: str, key: tuple, build, **kw) -> None:
    fig, data = cm.figure(name, key, build)
    figure(fig, data, key=f"cl-{name}", name=f"{dataset}_{noun}_{name}", **kw)


# --- page --------------------------------------------------------------------------------------
dataset = ui.active_name()
version = cm.version(ui.active_dir())
st.title("Cluster explorer")
st.caption(
    f"Dataset **{md_escape(dataset)}** - K-Means groups of viewers or titles, what defines "
    "each group, and how much to trust them. Every choice below is part of the URL."
)
pdf_slot = st.empty()  # the report button, once the clustering is known

entities = {e: cm.entity(dataset, version, e) for e in cf.ENTITIES}
available = [e for e, ent in entities.items() if ent.problem is None]
for e, ent in entities.items():
    if ent.problem:
        st.caption(f"{e.capitalize()} cannot be clustered: {md_escape(ent.problem)}")
if not available:
    empty_state(
        "Nothing to cluster in this dataset.",
        "Import a catalog or an engagement export on the Import data page, or pick the demo.",
    )
    st.stop()

# Bound widgets put their shown option text in the URL, so the options are short words.
c1, c2, c3, c4 = st.columns([1.1, 1.2, 1.2, 1.0])
with c1:
    choice = st.segmented_control(
        "Cluster",
        [e.capitalize() for e in available],
        default=available[0].capitalize(),
        required=True,
        key="cl_entity",
        bind="query-params",
    )
entity = str(choice).lower() if str(choice).lower() in available else available[0]
ent = entities[entity]
noun = ent.noun
with c2:
    scaling = st.selectbox(
        "Scaling",
        list(SCALING_TEXT),
        key="cl_scale",
        bind="query-params",
        help="; ".join(f"**{k}**: {v}" for k, v in SCALING_TEXT.items())
        + ". Standard scaling gives every feature the same weight; robust scaling resists "
        "outliers; none lets features with large units (hours, days) dominate.",
    )
with c3:
    missing = st.selectbox(
        "Missing values",
        list(MISSING_TEXT),
        key="cl_miss",
        bind="query-params",
        help="; ".join(f"**{k}**: {v}" for k, v in MISSING_TEXT.items()) + ".",
    )
with c4:
    shown = st.segmented_control(
        "2-D view",
        list(METHOD_TEXT.values()),
        default="PCA",
        required=True,
        key="cl_proj",
        bind="query-params",
        help="PCA: a linear view of all rows (axes show explained variance). t-SNE: a "
        "non-linear map of a sample that keeps neighbours together (slower).",
    )
method = "tsne" if shown == METHOD_TEXT["tsne"] else "pca"

# A new dataset or entity brings its own feature list: start from its defaults.
context = f"{dataset}/{entity}"
if st.session_state.get("_cl_context") not in (None, context):
    st.session_state.pop("cl_feats", None)
st.session_state["_cl_context"] = context
options = list(ent.candidates.columns)
summary_slot = st.empty()  # filled once the selection is known
with st.expander(f"Change features ({len(options)} available for {noun})"):
    features = st.multiselect(
        "Features",
        options,
        default=ent.defaults,
        key="cl_feats",
        bind="query-params",
        format_func=cc.picker_label,
        help="Defaults: lib.models.cluster.default_features. Shares and completion are "
        "0-100%; plan columns are one-hot (1 = on that plan).",
    )
summary = (
    f"Clustering on **{len(features)}** of {len(options)} features: "
    + md_escape(cf.describe_features(features) or "none")
    + ("" if features != ent.defaults else " (the defaults)")
    + "."
)
if ent.unavailable:
    summary += (
        f"  \nNot in this dataset, so {noun} cannot be clustered on: "
        f"{md_escape(', '.join(ent.unavailable))} (the source has no such column, or only "
        "missing or constant values)."
    )
sample_note = cm.sample(dataset, entity).note()
summary += "  \n" + md_escape(sample_note)
summary_slot.caption(summary)

k_col, auto_col, n_col = st.columns([3.2, 1.1, 1.0])
with auto_col:
    auto = st.toggle(
        "Auto k (scan 2-12)",
        key="cl_auto",
        bind="query-params",
        on_change=lambda: st.session_state.update(_cl_apply_k=True),
        help="Fit K-Means for every k from 2 to 12, show the elbow and silhouette, and set k "
        "to the suggested value. You can still move the slider.",
    )
with n_col:
    tsne_n = st.selectbox(
        "t-SNE sample (rows)",
        cf.TSNE_SAMPLES,
        index=cf.TSNE_SAMPLES.index(cf.TSNE_DEFAULT),
        key="cl_n",
        bind="query-params",
        disabled=method != "tsne",
        help="t-SNE runs on a seeded sample of this many rows (5,000 takes about a minute).",
    )
k_slot = k_col.container()

if not features:
    empty_state("Choose at least one feature to cluster on.")
    st.stop()
n_rows = cf.usable_rows(ent, features, missing)
if n_rows < MIN_ROWS:
    empty_state(
        f"Only {n_rows:,} {noun} have every chosen feature (at least {MIN_ROWS} needed).",
        "Fill missing values with the median, or choose features with fewer gaps.",
    )
    st.stop()

key = (dataset, version, entity, tuple(features), scaling, missing)
scan = suggested = None
if auto:
    try:
        scan, suggested = cm.scan(*key)
    except ValueError as exc:
        st.warning(f"The k scan failed: {md_escape(exc)}")
    first_visit = "_cl_seen" not in st.session_state and "cl_k" not in st.query_params
    if suggested is not None and (st.session_state.pop("_cl_apply_k", False) or first_visit):
        st.session_state["cl_k"] = suggested
st.session_state["_cl_seen"] = True
with k_slot:
    k = st.slider(
        "Number of clusters k" + (f" (suggested: {suggested})" if suggested else ""),
        K_RANGE[0],
        K_RANGE[1],
        DEFAULT_K,
        key="cl_k",
        bind="query-params",
        help="K-Means splits the rows into k groups. Turn on Auto k to compare k = 2-12.",
    )

try:
    fit = cm.clustering(*key, k)
except ValueError as exc:
    empty_state(f"K-Means could not run on this selection: {md_escape(exc)}")
    st.stop()
labels: pd.Series = fit["labels"]
prof = fit["profile"]
people = fit["personas"]
names = {c: cc.cluster_name(c, p.label) for c, p in people.items()}
tile = cluster_kpis(len(labels), k, fit["silhouette_mean"], fit["fidelity"])

# --- headline numbers ----------------------------------------------------------------------
stability_job = cm.stability(*key, k)
m1, m2, m3, m4 = st.columns(4)
m1.metric(
    f"{noun.capitalize()} clustered",
    tile["clustered"],
    help=f"Of {len(ent.candidates):,} {noun}; rows are left out only with missing = drop.",
)
m2.metric(
    "Clusters (k)",
    tile["k"],
    help=f"{len(features)} features, {scaling} scaling, missing: {missing}.",
)
m3.metric(
    "Mean silhouette",
    tile["silhouette"],
    help=f"On a seeded sample of {fit['silhouette_n']:,} rows. Above 0.5 clear groups, "
    "0.25-0.5 weak but real structure, below 0.25 little separation.",
)
stability_slot = m4.empty()  # filled at the end of the page, when the refits are done

truth = cm.planted(dataset, version) if entity == "viewers" else None
recovered = cf.planted_recovery(truth, ent.ids, labels) if truth is not None else None
if recovered is not None:
    ari, n_known = recovered
    st.info(
        f"**Planted segments recovered: ARI {ari:.2f}** between the generator's planted "
        f"segment and the cluster label ({n_known:,} demo viewers; 1 = the same "
        "grouping, 0 = no better than chance). The demo generator plants 5 segments.",
        icon=":material/science:",
    )

# --- choosing k ----------------------------------------------------------------------------
if scan is not None:
    st.subheader("Choosing k")
    left, right = st.columns(2)
    with left:
        _show(
            "elbow",
            (*key, k),
            lambda: cc.k_scan_chart(scan, "inertia", suggested_k=suggested, current_k=k),
        )
    with right:
        _show(
            "silhouette_by_k",
            (*key, k),
            lambda: cc.k_scan_chart(scan, "silhouette", suggested_k=suggested, current_k=k),
        )
    table = scan.assign(suggested=np.where(scan["k"] == suggested, "✓ suggested", ""))
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "k": st.column_config.NumberColumn("k"),
            "inertia": st.column_config.NumberColumn("Inertia", format="%.0f"),
            "silhouette": st.column_config.NumberColumn("Silhouette", format="%.3f"),
            "calinski_harabasz": st.column_config.NumberColumn("Calinski-Harabasz", format="%.0f"),
            "davies_bouldin": st.column_config.NumberColumn("Davies-Bouldin", format="%.2f"),
            "suggested": st.column_config.TextColumn(""),
        },
        placeholder=MISSING,
    )
    note = f"Suggested k = {suggested}: {SUGGEST_RULE}."
    if suggested != k:
        note += f" You are looking at k = {k}."
    st.caption(
        note + " Inertia falls with every extra cluster; look for the bend. Higher silhouette "
        "and Calinski-Harabasz, lower Davies-Bouldin are better."
    )
    if suggested != k:
        st.button(
            f"Use the suggested k = {suggested}",
            key="cl_use_k",
            on_click=lambda s=suggested: st.session_state.update(cl_k=s),
        )

# --- map and silhouette --------------------------------------------------------------------
st.subheader("Where the clusters lie")
left, right = st.columns([1.15, 1])
with left:
    sample = PCA_SAMPLE if method == "pca" else tsne_n
    try:
        xy = cm.projection(*key, method, sample)
    except ValueError as exc:
        xy = None
        empty_state(f"The 2-D view could not be computed: {md_escape(exc)}")
    if xy is not None:
        if method == "pca":
            cap = (
                f"PCA fitted on all {xy.attrs.get('n_rows', 0):,} {noun} (scaled features); "
                f"{len(xy):,} sampled points drawn."
            )
        else:
            cap = (
                f"t-SNE (perplexity {xy.attrs.get('perplexity', 0):.0f}) of {len(xy):,} sampled "
                f"{noun}: neighbours stay close; distances between far groups mean little."
            )
        _show(
            "map",
            (*key, k, method, sample),
            lambda: cc.projection_scatter(
                xy,
                labels,
                hover=ent.hover,
                names=names,
                method=method,
                explained=xy.attrs.get("explained_variance_ratio"),
                noun=noun,
            ),
            caption=cap,
        )
with right:
    _show(
        "silhouettes",
        (*key, k),
        lambda: cc.silhouette_plot(fit["silhouette"], labels.to_numpy(), names=names),
        caption=f"Silhouette of {fit['silhouette_n']:,}"
        + (" sampled" if fit["silhouette_n"] < len(labels) else "")
        + f" {noun}: how much closer each "
        "is to its own cluster than to the next one (1 = far closer, 0 = on the border, "
        "below 0 = closer to another cluster); dashed line = mean.",
    )

# --- profiles and personas -----------------------------------------------------------------
st.subheader("What defines each cluster")


def _card(c: int) -> None:
    p = people[c]
    with st.container(border=True):
        st.markdown(f"**{cc.cluster_name(c)} · {md_escape(p.label)}**")
        st.caption(f"{p.size:,} {noun} · {p.share:.0%} of {noun}")
        if len(p.evidence):
            lines = [
                f"- **{md_escape(cc.feature_label(r.feature, units=False))}** "
                f"{md_escape(cc.format_value(r.feature, r.cluster_mean))} vs "
                f"{md_escape(cc.format_value(r.feature, r.overall_mean))} overall "
                f"(z {r.z:+.1f})"
                for r in p.evidence.itertuples()
            ]
            st.markdown("\n".join(lines))
        else:
            st.markdown("No feature is 0.5 SD or more away from the average.")


left, right = st.columns([1.3, 1] if k <= 6 else [1, 1])
with left:
    _show(
        "cluster_sizes",
        (*key, k),
        lambda: cc.cluster_sizes(prof.summary, names=names, noun=noun),
    )
    clusters = list(people)
    for start in range(0, len(clusters), 2):
        for col, c in zip(st.columns(2), clusters[start : start + 2]):
            with col:
                _card(c)
    st.caption(
        "Persona names come from each cluster's features with the largest |z| (at least "
        "0.5 SD from the overall mean); the numbers behind each name are on its card."
    )
with right:
    _show(
        "cluster_zscores",
        (*key, k),
        lambda: cc.zscore_heatmap(prof.z, means=prof.means, names=names),
        caption="z = (cluster mean - overall mean) / overall SD: red above average, blue "
        "below. Hover a cell for the cluster mean in the feature's units.",
    )

# --- rules ---------------------------------------------------------------------------------
st.subheader("Rules that explain the clusters")
rules = fit["rules"]
left, right = st.columns([1, 3])
left.metric(
    "Tree fidelity",
    tile["fidelity"],
    help=f"Share of {noun} that a depth-{fit['depth']} decision tree on the unscaled features "
    "puts in their own cluster: how far the rules below can be trusted.",
)
right.caption(
    f"A depth-{fit['depth']} decision tree trained to predict the cluster from the features, "
    "in their own units. Each row is one leaf: if a row meets the rule, the tree says this "
    "cluster. Purity: share of the rule's rows that are in the cluster. Coverage: share of "
    "the cluster's rows the rule catches."
)
rule_table = pd.DataFrame(
    {
        "cluster": [cc.cluster_name(int(c)) for c in rules["cluster"]],
        "persona": [people[int(c)].label for c in rules["cluster"]],
        "rule": [cc.rule_text(conds) for conds in rules["conditions"]],
        "support": rules["support"].to_numpy(),
        "purity": 100 * rules["purity"].to_numpy(),
        "coverage": 100 * rules["coverage"].to_numpy(),
    }
)
st.dataframe(
    rule_table,
    hide_index=True,
    column_config={
        "cluster": st.column_config.TextColumn("#", width=36),
        "persona": st.column_config.TextColumn("Persona", width=180),
        "rule": st.column_config.TextColumn("Rule (if ...)", width=500),
        "support": st.column_config.NumberColumn(noun.capitalize(), format="%d", width=70),
        "purity": st.column_config.ProgressColumn(
            "Purity", format="%.0f%%", min_value=0, max_value=100, width=80
        ),
        "coverage": st.column_config.ProgressColumn(
            "Coverage", format="%.0f%%", min_value=0, max_value=100, width=80
        ),
    },
    placeholder=MISSING,
)
missing_rules = [names[c] for c in people if c not in set(rules["cluster"])]
if missing_rules:
    st.caption(
        "No rule at this depth for: " + md_escape("; ".join(missing_rules)) + " (the tree has "
        "fewer leaves than there are clusters)."
    )

# --- download ------------------------------------------------------------------------------
st.subheader("Cluster assignments")


def _assignments() -> pd.DataFrame:
    out = ent.ids.loc[labels.index].copy()
    out["cluster"] = labels.to_numpy() + 1
    out["persona"] = [people[int(c)].label for c in labels.to_numpy()]
    return out


download_csv(
    _assignments,
    f"{dataset}_{noun}_clusters_k{k}",
    key="cl-assign",
    label=f"Download the cluster of every {noun[:-1]} (CSV)",
)
st.caption(
    f"One row per clustered {noun[:-1]}: id, "
    + ("title, release year, " if entity == "titles" else "")
    + "cluster (1-k) and persona name."
)


with pdf_slot:
    report_pdf.clusters_button(
        ent,
        features,
        scaling=scaling,
        missing=missing,
        k=k,
        fit=fit,
        xy=xy,
        scan=scan,
        suggested=suggested,
        planted=recovered,
        sample_note=sample_note,
        stability=stability_job,
    )


# --- stability (computed in the background while the page was drawn) ----------------------
def _show_stability() -> None:
    if not stability_job.done():
        with (
            stability_slot,
            st.spinner(f"Checking stability: refitting with {len(STABILITY_SEEDS)} seeds..."),
        ):
            wait([stability_job])
    with stability_slot.container():
        try:
            stab = stability_job.result()
        except ValueError as exc:
            st.metric("Stability (ARI across seeds)", "n/a", help=str(exc))
            return
        st.metric(
            "Stability (ARI across seeds)",
            cluster_kpis(len(labels), k, fit["silhouette_mean"], fit["fidelity"], stab.mean)[
                "stability"
            ],
            help=f"Mean adjusted Rand index between K-Means runs with {len(stab.seeds)} seeds "
            f"on {stab.n_rows:,} sampled rows (1 = identical partitions; lowest pair "
            f"{stab.min:.2f}). Stable >= {STABLE_ARI}, unstable < {UNSTABLE_ARI}.",
        )
        color = {"stable": "green", "moderately stable": "orange"}.get(stab.label, "red")
        st.badge(f"{stab.label} · ARI {stab.mean:.2f}", color=color, icon=":material/verified:")
        if stab.label != "stable":
            st.caption(
                "Other seeds give other groupings: treat these clusters as tentative, or try "
                "another k (Auto k) or fewer features."
            )


_show_stability()
