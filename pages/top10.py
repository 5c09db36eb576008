"""Top 10 predictor: would this title make Netflix's weekly Top 10? (issue 6)

Three tabs, only the open one runs (``st.tabs`` bound to the URL as ``t10_tab``):

* Predict - sliders and selects for every pre-release feature the dataset has (bounded by the
  training range), prefill from an existing title, the live probability with the seed-000
  verdict at an adjustable threshold, and the Shapley contributions of this prediction. It is
  an ``st.fragment``: moving a slider reruns only the inputs and the result.
* Model quality - three model kinds cross-validated on the same folds, ROC / PR / calibration
  curves, confusion matrix at the threshold, permutation importance, the validation protocol.
* Leakage - what seed 000 did: the same model with the post-release columns, side by side.

Computation lives in ``lib.models.top10``, the widgets' material (ranges, options, widget state,
the model input read from the widgets) in ``lib.models.top10_inputs``, figures in
``lib.charts.top10``, cached training in ``lib.ui.top10_models``. Model kind, threshold, tab
and prefill title are in the URL (``t10_*``); the feature widgets are not (they are many, and
a title link restores them).
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
import streamlit as st

from lib.charts import top10 as ct
from lib.config import TOP10_LABEL
from lib.engagement_report import POST_RELEASE_NOTE
from lib.models import top10
from lib.models import top10_inputs as ti
from lib.models.top10_inputs import (
    CATEGORICAL,
    DROP_REASONS,
    HELP,
    MAX_NAMES,
    NAMES,
    NEW_OPTIONS,
    NUMERIC,
    category_options,
    key_of,
    slider_spec,
    title_state,
    typical_state,
    unknown_key,
)
from lib.page_kpis import top10_quality_kpis
from lib.ui import data as ui
from lib.ui import report_pdf
from lib.ui import top10_models as tm
from lib.ui.report_view import has_report
from lib.ui.widgets import MISSING, empty_state, figure, md_escape

# --- settings ----------------------------------------------------------------------------------
TAB_KEY, MODEL_KEY, THRESHOLD_KEY, TITLE_KEY = "t10_tab", "t10_model", "t10_threshold", "t10_title"
TABS = ("Predict", "Model quality", "Leakage")
YES = "Yes, it will be in the Top 10!"
NO = "Sorry, this title will not make the cut."
EMPTY = (
    "The Top 10 predictor needs Top 10 labels: import Netflix's Top 10 files with a catalog, "
    "or an IMDb table with `netflix_top_10`."
)
MIN_PER_CLASS = 10
CONTEXT_KEY = "_t10_context"  # (dataset, stamp): feature widgets are reset when it changes
PREFILLED_KEY = "_t10_prefilled"  # title whose values the widgets were last filled with
NOTES_KEY = "_t10_prefill_notes"
TIMING_KEY = "_t10_predict_ms"  # (wall, cpu) of the last prediction + explanation (benchmark)


# --- cached option lists --------------------------------------------------------------------
@st.cache_data(max_entries=8, show_spinner=False)
def _name_options(dataset: str, stamp: str, feature: str) -> list[str]:
    return ti.name_options(tm.training_table(dataset), feature)


@st.cache_data(max_entries=8, show_spinner=False)
def _title_options(dataset: str, stamp: str) -> tuple[list[str], dict[str, str]]:
    return ti.title_options(tm.training_table(dataset))


# --- widget state ------------------------------------------------------------------------------
def _apply(state: dict[str, Any]) -> None:
    for k, v in state.items():
        st.session_state[k] = v


def _reset_to_typical(model: top10.Top10Model, specs: dict[str, Any]) -> None:
    _apply(typical_state(model, specs))
    st.session_state[TITLE_KEY] = None
    st.session_state[PREFILLED_KEY] = None
    st.session_state[NOTES_KEY] = []


def _sanitize(model: top10.Top10Model, specs: dict[str, Any]) -> None:
    """Make every stored widget value valid for the widgets of this model."""
    _apply(ti.sanitized_state(model, specs, st.session_state))


def _set_threshold(value: float) -> None:
    st.session_state[THRESHOLD_KEY] = value


# --- page header and guards --------------------------------------------------------------------
dataset = ui.active_name()
st.title("Top 10 predictor")
st.caption(
    "Would a title make Netflix's weekly Top 10? Set what is known **before release** and "
    "watch the probability change. The model never sees viewing figures: those only exist "
    "after a title charted (see the Leakage tab)."
)

table = tm.training_table(dataset)
n_top, n_other = tm.label_counts(table)
if n_top + n_other == 0:
    empty_state(
        EMPTY,
        f"Dataset **{md_escape(dataset)}** has no titles with a Top 10 label. The demo "
        "dataset has them; real files can be added on the Import data page.",
    )
    st.stop()
if min(n_top, n_other) < MIN_PER_CLASS:
    st.warning(
        f"Dataset **{md_escape(dataset)}** has {n_top:,} titles in the Top 10 and "
        f"{n_other:,} not. A model needs at least {MIN_PER_CLASS} of each to train and to be "
        "evaluated honestly. " + EMPTY,
        icon=":material/data_alert:",
    )
    st.stop()

try:
    cv = tm.cross_validation(dataset)
except ValueError as error:  # table unusable for training (lib.models.top10 says why)
    st.warning(
        f"The Top 10 model cannot be trained on this dataset: {md_escape(error)}",
        icon=":material/data_alert:",
    )
    st.stop()

ranked = cv["kind"].tolist()
best = ranked[0]
scores = dict(zip(cv["kind"], cv["roc_auc_mean"], strict=True))

controls = st.columns([2, 1], gap="large")
with controls[0]:
    kind = st.segmented_control(
        "Model",
        ranked,
        default=best,
        required=True,
        key=MODEL_KEY,
        bind="query-params",
        format_func=lambda k: (
            f"{ct.model_label(k)} · {scores[k]:.3f}" + (" (best)" if k == best else "")
        ),
        help="Cross-validated ROC-AUC after each name (1 = perfect ranking, 0.5 = coin flip). "
        "The default is the best honest model; details on the Model quality tab.",
    )
kind = kind if kind in ranked else best
try:
    model = tm.model(dataset, kind)
except ValueError as error:
    st.warning(
        f"The {ct.model_label(kind)} model cannot be trained: {md_escape(error)}",
        icon=":material/data_alert:",
    )
    st.stop()

with controls[1]:
    threshold = st.slider(
        "Decision threshold (Top 10 if probability ≥ threshold)",
        min_value=0.05,
        max_value=0.95,
        value=float(model.metrics["threshold"]),
        step=0.01,
        format="%.2f",
        key=THRESHOLD_KEY,
        bind="query-params",
        help=f"The model's default is {model.metrics['threshold']:.2f} (more likely than not). "
        f"On held-out titles F1 is best at {model.metrics['best_threshold']:.2f}. Lower it "
        "to catch more hits at the cost of more false alarms.",
    )
    best_threshold = min(max(round(float(model.metrics["best_threshold"]), 2), 0.05), 0.95)
    if abs(best_threshold - threshold) >= 0.005:
        st.button(
            f"Use the best-F1 threshold {best_threshold:.2f}",
            on_click=_set_threshold,
            args=(best_threshold,),
            type="tertiary",
            help="The threshold with the best balance of precision and recall (F1) on the "
            "held-out titles.",
        )

base_rate = float(model.metrics["base_rate"])
notes = [f"{n_top + n_other:,} labelled titles, {n_top / (n_top + n_other):.1%} in the Top 10"]
rows = tm.sample(dataset)
if rows is not None and rows.sampled:
    notes.append(rows.note().rstrip("."))
if model.dropped_features:
    dropped = ", ".join(
        f"{ct.feature_label(f)} ({DROP_REASONS.get(why, why)})"
        for f, why in model.dropped_features.items()
    )
    notes.append(f"not in this dataset, so not shown: {dropped}")
st.caption(md_escape("; ".join(notes) + "."))

tabs = st.tabs(list(TABS), key=TAB_KEY, bind="query-params")
specs = {f: slider_spec(f, model.feature_ranges[f]) for f in model.features if f in NUMERIC}
stamp = tm.build_stamp(dataset)


# --- tab 1: predict ----------------------------------------------------------------------------
def numeric_input(f: str) -> None:
    info, spec = model.feature_ranges[f], specs[f]
    label = ct.feature_label(f) + (" (log scale)" if f == "imdb_votes" else "")
    unknown = False
    if info.get("missing_share", 0) > 0:
        unknown = st.session_state.get(unknown_key(f), False)
    if spec is None:
        st.caption(f"{label}: every training title has {ct.format_value(f, info['min'])}.")
        return
    if spec["kind"] == "votes":
        st.select_slider(
            label,
            options=spec["options"],
            format_func=ti.fmt_int,
            key=key_of(f),
            help=HELP[f],
            disabled=unknown,
            persist_state="page",
        )
    else:
        st.slider(
            label,
            min_value=spec["min"],
            max_value=spec["max"],
            step=spec["step"],
            format=spec["format"],
            key=key_of(f),
            help=HELP.get(f),
            disabled=unknown,
            persist_state="page",
        )
    if info.get("missing_share", 0) > 0:
        st.checkbox(
            "not known yet",
            key=unknown_key(f),
            help=f"{info['missing_share']:.0%} of training titles have no {label}; the model "
            "fills in the median and knows it was missing.",
            persist_state="page",
        )


def select_input(f: str) -> None:
    options = category_options(f, model.feature_ranges[f])
    current = st.session_state.get(key_of(f))
    if current is not None and current not in options:
        options = [*options, current]
    st.selectbox(
        ct.feature_label(f),
        options,
        index=None,
        placeholder="unknown",
        key=key_of(f),
        help=HELP.get(f),
        accept_new_options=f in NEW_OPTIONS,
        persist_state="page",
    )


def names_input(f: str) -> None:
    options = _name_options(dataset, stamp, f)
    current = st.session_state.get(key_of(f)) or []
    extra = [n for n in current if n not in set(options)]
    st.multiselect(
        ct.feature_label(f),
        [*extra, *options],
        key=key_of(f),
        help=HELP[f],
        accept_new_options=True,
        placeholder="search names or type a new one",
        max_selections=MAX_NAMES[f],
        persist_state="page",
    )


def feature_inputs(rows: pd.DataFrame | None) -> None:
    """The chosen title's real outcome and prefill notes, then every feature's widget."""
    if rows is not None:
        actual = pd.to_numeric(rows[TOP10_LABEL], errors="coerce").iloc[0] if len(rows) else None
        if actual == 1:
            st.caption(":material/check_circle: In reality this title **was** in the Top 10.")
        elif actual == 0:
            st.caption("In reality this title was **not** in the Top 10.")
        for note in st.session_state.get(NOTES_KEY, []):
            st.caption(":material/info: " + md_escape(note) + ".")
    numbers = [f for f in NUMERIC if f in model.features]
    grid = st.columns(2)
    for i, f in enumerate(numbers):
        with grid[i % 2]:
            numeric_input(f)
    if "genres" in model.features:
        st.multiselect(
            ct.feature_label("genres"),
            sorted(model.feature_ranges["genres"]["options"]),
            key=key_of("genres"),
            help=HELP["genres"],
            placeholder="choose genres",
            persist_state="page",
        )
    selects = [
        f
        for f in CATEGORICAL
        if f in model.features and not (f == "genre_primary" and "genres" in model.features)
    ]
    grid = st.columns(2)
    for i, f in enumerate(selects):
        with grid[i % 2]:
            select_input(f)
    for f in NAMES:
        if f in model.features:
            names_input(f)


@st.fragment
def render_predict() -> None:
    """Title pick, feature widgets and the prediction: a widget change here reruns only this
    fragment (the model, cross-validation and the other controls are not looked up again);
    the model, threshold and tab above still rerun the whole page."""
    if st.session_state.get(CONTEXT_KEY) != (dataset, stamp):
        _apply(typical_state(model, specs))
        st.session_state[CONTEXT_KEY] = (dataset, stamp)
        st.session_state[PREFILLED_KEY] = None
        st.session_state[NOTES_KEY] = []
    ids, shown = _title_options(dataset, stamp)
    pick, reset = st.columns([5, 1], vertical_alignment="bottom")
    with pick:
        chosen = st.selectbox(
            f"Start from an existing title ({len(ids):,} in this dataset)",
            ids,
            index=None,
            format_func=lambda i: shown.get(i, i),
            placeholder="type to search a title, or set the values below by hand",
            key=TITLE_KEY,
            bind="query-params",
            help="Fills every input below with that title's values; then change any of them.",
        )
    with reset:
        st.button(
            "Typical title",
            on_click=_reset_to_typical,
            args=(model, specs),
            help="Median numbers and the most frequent categories of the training titles.",
            icon=":material/restart_alt:",
        )
    # the chosen title's rows, looked up once per run (prefill and the "in reality" note)
    rows = table[table["title_id"].astype(str) == chosen] if chosen is not None else None
    if chosen != st.session_state.get(PREFILLED_KEY):
        if rows is not None and len(rows):
            state, prefill_notes = title_state(model, specs, rows.iloc[0])
            _apply(state)
            st.session_state[NOTES_KEY] = prefill_notes
        st.session_state[PREFILLED_KEY] = chosen
    _sanitize(model, specs)

    inputs, result = st.columns([11, 9], gap="large")
    # The result column is filled first: its widgets' values are already in session state,
    # and the new probability reaches the browser before the inputs are redrawn.
    row = ti.state_row(model, specs, st.session_state)
    started, cpu = time.perf_counter(), time.process_time()
    probability, explanation, warnings = tm.predict(dataset, kind, row)
    st.session_state[TIMING_KEY] = (
        1000 * (time.perf_counter() - started),
        1000 * (time.process_time() - cpu),
    )
    hit = probability >= threshold
    with result:
        if hit:
            st.markdown(f"### :green[:material/trophy: {YES}]")
        else:
            st.markdown(f"### :red[:material/block: {NO}]")
        m1, m2 = st.columns(2)
        m1.metric(
            "Top 10 probability",
            f"{probability:.1%}",
            delta=f"{100 * (probability - base_rate):+.1f} pts vs. avg",
            help=f"Calibrated probability from the {ct.model_label(kind).lower()} model. The "
            f"average title: {base_rate:.1%} of training titles were in the Top 10.",
        )
        m2.metric(
            "Threshold",
            f"{threshold:.0%}",
            delta=f"{100 * (probability - threshold):+.1f} pts vs. threshold",
            delta_color="normal",
            help="Titles at or above the threshold get the Top 10 verdict.",
        )
        fig, data = ct.probability_gauge(probability, threshold, base_rate=base_rate)
        figure(fig, data, key="t10_gauge", name=f"{dataset}_top10_prediction")
        issues = [ti.plain(model, w) for w in warnings if " is missing" not in w] + ti.unusual(
            model, row
        )
        if issues:
            st.warning(
                "**The model has not seen such titles** (or only a few), so treat this "
                "prediction with care:\n\n" + "\n".join(f"- {md_escape(i)}" for i in issues),
                icon=":material/warning:",
            )
        imputed = [ti.plain(model, w) for w in warnings if " is missing" in w]
        if imputed:
            st.caption(md_escape("; ".join(imputed)) + ".")
        fig, data = ct.contributions(explanation)
        figure(
            fig,
            data,
            key="t10_contributions",
            name=f"{dataset}_top10_contributions",
            caption="Shapley values: each bar is how much that input moves this title's "
            "probability away from the average of typical training titles; the bars add up "
            "to the difference.",
        )
        with st.expander("How are the contributions computed?"):
            st.markdown(md_escape(top10.EXPLAIN_METHOD))

    with inputs:
        feature_inputs(rows)


# --- tab 2: model quality ----------------------------------------------------------------------
def render_model() -> None:
    m = model.metrics
    pdf_slot = st.empty()  # the report button, once the importance is known
    st.subheader("Three models, the same folds")
    left, right = st.columns([3, 2], gap="large")
    with left:
        fig, data = ct.model_comparison(cv)
        figure(fig, data, key="t10_compare", name=f"{dataset}_top10_model_comparison")
        shown = pd.DataFrame(
            {
                "model": [ct.model_label(k) for k in cv["kind"]],
                "ROC-AUC": [
                    ti.plus_minus(a, b) for a, b in zip(cv["roc_auc_mean"], cv["roc_auc_std"])
                ],
                "PR-AUC": [
                    ti.plus_minus(a, b) for a, b in zip(cv["pr_auc_mean"], cv["pr_auc_std"])
                ],
                "Brier": [ti.plus_minus(a, b) for a, b in zip(cv["brier_mean"], cv["brier_std"])],
                "log loss": [
                    ti.plus_minus(a, b) for a, b in zip(cv["log_loss_mean"], cv["log_loss_std"])
                ],
            }
        )
        st.dataframe(shown, hide_index=True, placeholder=MISSING)
        st.caption(
            "Mean ± standard deviation over the folds. ROC-AUC and PR-AUC: higher is better; "
            "Brier score and log loss (probability errors): lower is better."
        )
    with right:
        n, share = cv.attrs.get("n_titles", n_top + n_other), cv.attrs.get("base_rate", base_rate)
        st.markdown(
            "**Validation protocol**\n\n"
            f"- **Stratified {int(cv['n_folds'].iloc[0])}-fold cross-validation** over "
            f"{n:,} titles: every fold keeps the Top 10 share ({share:.1%}) and refits the "
            "whole pipeline - encoders (including the cast and director Top 10 rates), "
            "model and calibration - on its training part only.\n"
            f"- **Held-out check of the chosen model**: {md_escape(m['split'])}. The curves "
            "and the confusion matrix below are on those held-out titles.\n"
            f"- **Class balance**: only {share:.1%} of titles chart, so calling every title "
            f"'not Top 10' is already {max(share, 1 - share):.1%} accurate; models weight the "
            "rare class up, and we judge them by ROC-AUC and PR-AUC, not accuracy.\n"
            "- **Calibration**: scores are mapped to probabilities (sigmoid, fitted on 3-fold "
            "out-of-fold scores), so 30 % means about 3 in 10 such titles chart."
        )

    st.subheader(f"{ct.model_label(kind)} on held-out titles")
    if abs(m["test_base_rate"] - m["base_rate"]) >= 0.05:
        more = m["test_base_rate"] > m["base_rate"]
        st.info(
            f"**Drift:** the held-out titles chart {'more' if more else 'less'} often "
            f"({m['test_base_rate']:.1%}) than the titles the model learnt from "
            f"({m['base_rate']:.1%}), so its probabilities are too "
            f"{'low' if more else 'high'} on them (see the calibration curve). The ranking "
            "(ROC-AUC) can still hold; the threshold may need moving. Cross-validation mixes "
            "old and new titles and does not show this.",
            icon=":material/trending_up:" if more else ":material/trending_down:",
        )
    at = model.metrics_at(threshold)
    tile = top10_quality_kpis(m, at)
    cols = st.columns(6)
    cols[0].metric(
        "ROC-AUC",
        tile["roc_auc"],
        help="Chance that a random Top 10 title scores above a random other one.",
    )
    cols[1].metric(
        "PR-AUC",
        tile["pr_auc"],
        help=f"Average precision; random guessing scores {m['test_base_rate']:.3f}.",
    )
    cols[2].metric(
        "Brier score",
        tile["brier"],
        delta=tile["brier_delta"],
        delta_color="inverse",
        help="Mean squared error of the probabilities; the baseline always predicts the "
        "training Top 10 share.",
    )
    called = at["tp"] + at["fp"]
    cols[3].metric(
        "Precision",
        tile["precision"],
        help=f"Of titles called Top 10 at threshold {threshold:.2f}, the share that were."
        + ("" if called else " No held-out title reaches this threshold."),
    )
    cols[4].metric(
        "Recall",
        tile["recall"],
        help=f"Of Top 10 titles, the share called Top 10 at threshold {threshold:.2f}.",
    )
    cols[5].metric(
        "Accuracy",
        tile["accuracy"],
        help="Share of held-out titles called right at this threshold.",
    )
    left, right = st.columns(2, gap="large")
    with left:
        fig, data = ct.roc_curve(
            model.curves["roc"], auc=m["roc_auc"], threshold=threshold, name=ct.model_label(kind)
        )
        figure(fig, data, key="t10_roc", name=f"{dataset}_top10_roc")
    with right:
        fig, data = ct.pr_curve(
            model.curves["pr"],
            average_precision=m["pr_auc"],
            base_rate=m["test_base_rate"],
            threshold=threshold,
            name=ct.model_label(kind),
        )
        figure(fig, data, key="t10_pr", name=f"{dataset}_top10_precision_recall")
    left, right = st.columns(2, gap="large")
    with left:
        fig, data = ct.reliability_curve(model.reliability)
        figure(
            fig,
            data,
            key="t10_calibration",
            name=f"{dataset}_top10_calibration",
            caption="Titles binned by predicted probability (equal counts per bin); marker "
            "size = titles in the bin.",
        )
    with right:
        fig, data = ct.confusion_matrix(at)
        figure(
            fig,
            data,
            key="t10_confusion",
            name=f"{dataset}_top10_confusion",
            caption=f"Threshold {threshold:.2f} from the slider above. F1 {at['f1']:.3f}; "
            f"best F1 {m['best_f1']:.3f} at {m['best_threshold']:.2f}.",
        )
    st.subheader("What the model relies on overall")
    try:
        imp = tm.importance(dataset, kind)
    except ValueError as error:
        imp = None
        st.info(f"Permutation importance is not available: {md_escape(error)}")
    with pdf_slot:
        report_pdf.top10_button(cv, model, kind, threshold, imp, (n_top, n_other))
    if imp is None:
        return
    fig, data = ct.permutation_importance(imp)
    figure(
        fig,
        data,
        key="t10_importance",
        name=f"{dataset}_top10_importance",
        caption="Each input is shuffled across the held-out titles (5 times); the bar is how "
        "much ROC-AUC drops. Around zero: the model does not need it on this data.",
    )


# --- tab 3: leakage ----------------------------------------------------------------------------
def render_leakage() -> None:
    st.markdown(
        "The original project (seed 000) reported **99 % accuracy**. Its model was given "
        "**weekly hours viewed** - a number Netflix publishes *only for titles that made "
        "the Top 10*; every other title had it filled in with 0. So the column does not "
        "predict the Top 10, it **records** it: weekly hours viewed only exists because a "
        "title charted. Below, the same model is cross-validated twice, without and with "
        "the post-release columns (weekly hours viewed, weekly views, weeks in the Top 10)."
    )
    if has_report():
        st.warning(POST_RELEASE_NOTE, icon=":material/block:")
    try:
        report = tm.leakage(dataset, kind)
    except ValueError as error:
        st.info(f"The leakage comparison is not available: {md_escape(error)}")
        return
    honest, leaky = report["honest"], report["leaky"]
    cols = st.columns(4)
    cols[0].metric("ROC-AUC, honest", f"{honest['roc_auc']:.3f}", help="Pre-release features only.")
    cols[2].metric("PR-AUC, honest", f"{honest['pr_auc']:.3f}")
    if leaky is None:
        empty_state(
            "This dataset has no post-release values (weekly hours viewed, weekly views, "
            "weeks in the Top 10), so there is nothing to leak: the honest score is the "
            "only score."
        )
    else:
        cols[1].metric(
            "ROC-AUC, leaky",
            f"{leaky['roc_auc']:.3f}",
            delta=f"{leaky['roc_auc'] - honest['roc_auc']:+.3f} from leakage",
            delta_color="off",
            help="With the post-release columns.",
        )
        cols[3].metric(
            "PR-AUC, leaky",
            f"{leaky['pr_auc']:.3f}",
            delta=f"{leaky['pr_auc'] - honest['pr_auc']:+.3f} from leakage",
            delta_color="off",
        )
        left, right = st.columns(2, gap="large")
        with left:
            fig, data = ct.leakage_scores(report)
            figure(fig, data, key="t10_leak_scores", name=f"{dataset}_top10_leakage_scores")
        with right:
            fig, data = ct.leakage_signal(report["signal"])
            figure(fig, data, key="t10_leak_signal", name=f"{dataset}_top10_leakage_signal")
        st.markdown(
            "**Why the leaky score is worthless.** For a title that is not out yet these "
            "columns do not exist; for a title that is out, a non-zero value already means it "
            "charted. The model reads the answer instead of predicting it. The honest score "
            "is the one to trust - and the only one this page's predictor uses."
        )
    with st.expander("The numbers in detail", expanded=False):
        st.markdown(md_escape(report["explanation"]))


with tabs[0]:
    if tabs[0].open is not False:
        render_predict()
with tabs[1]:
    if tabs[1].open:
        render_model()
with tabs[2]:
    if tabs[2].open:
        render_leakage()
