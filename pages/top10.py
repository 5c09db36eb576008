"""Top 10 predictor: would this title make Netflix's weekly Top 10? (issue 6)

Three tabs, only the open one runs (``st.tabs`` bound to the URL as ``t10_tab``):

* Predict - sliders and selects for every pre-release feature the dataset has (bounded by the
  training range), prefill from an existing title, the live probability with the seed-000
  verdict at an adjustable threshold, and the Shapley contributions of this prediction. It is
  an ``st.fragment``: moving a slider reruns only the inputs and the result.
* Model quality - three model kinds cross-validated on the same folds, ROC / PR / calibration
  curves, confusion matrix at the threshold, permutation importance, the validation protocol.
* Leakage - what seed 000 did: the same model with the post-release columns, side by side.

Computation lives in ``lib.top10``, figures in ``lib.charts_top10``, cached training in
``lib.ui.top10_models``. Model kind, threshold, tab and prefill title are in the URL
(``t10_*``); the feature widgets are not (they are many, and a title link restores them).
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from lib import top10
from lib.charts import top10 as ct
from lib.config import LIST_SEP, MATURITY_RATINGS, TOP10_LABEL
from lib.engagement_report import POST_RELEASE_NOTE
from lib.ui import data as ui
from lib.ui import top10_models as tm
from lib.ui.report_view import has_report
from lib.ui.widgets import empty_state, figure, md_escape

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
MAX_NAME_OPTIONS = 3_000  # cast / director names offered in the searchable selects
CONTEXT_KEY = "_t10_context"  # (dataset, stamp): feature widgets are reset when it changes
PREFILLED_KEY = "_t10_prefilled"  # title whose values the widgets were last filled with
NOTES_KEY = "_t10_prefill_notes"
TIMING_KEY = "_t10_predict_ms"  # (wall, cpu) of the last prediction + explanation (benchmark)
NUMERIC = ("imdb_rating", "meta_score", "imdb_votes", "release_year", "duration_minutes")
CATEGORICAL = ("maturity_rating", "content_type", "language", "country", "genre_primary")
NAMES = ("cast", "director")
MAX_NAMES = {"cast": 10, "director": 3}  # max_selections of the names multiselects
DROP_REASONS = {"column not in the table": "no such column", "no values (all missing)": "empty"}
NEW_OPTIONS = ("language", "country")  # selects that accept a value never seen in training
# help texts with units
HELP = {
    "imdb_rating": "Average IMDb user rating, 1 (worst) to 10 (best).",
    "meta_score": "Metacritic critics' score, 1 to 100.",
    "imdb_votes": "Number of IMDb user ratings. Log-spaced steps: each step is about 20 % more.",
    "release_year": "Year of the first release.",
    "duration_minutes": "Runtime of the film, or of one episode of a series, in minutes.",
    "maturity_rating": "Age rating label (MPAA or TV parental guidelines).",
    "content_type": "Movie, series, documentary, ...",
    "language": "Original language. Type a new one if it is not listed.",
    "country": "Country of origin. Type a new one if it is not listed.",
    "genres": "All genres of the title; the first one is its main genre.",
    "genre_primary": "The title's main genre.",
    "cast": "Search the cast of the catalog, or type a new name and press Enter. Names the "
    "model has not seen count at the average Top 10 rate.",
    "director": "Search the directors of the catalog, or type a new name and press Enter.",
}


def key_of(feature: str) -> str:
    return f"t10_f_{feature}"


def unknown_key(feature: str) -> str:
    return f"t10_u_{feature}"


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def _labels(value: Any) -> list[str]:
    if isinstance(value, list | tuple | np.ndarray):
        return [str(v) for v in value if not _missing(v)]
    if _missing(value):
        return []
    return list(dict.fromkeys(p.strip() for p in str(value).split(LIST_SEP) if p.strip()))


# --- widget material ---------------------------------------------------------------------------
def vote_steps(low: float, high: float) -> list[int]:
    """Log-spaced slider stops from ``low`` to ``high`` (about 20 % apart, 'nice' numbers)."""
    mantissas = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8)
    low, high = max(float(low), 0.0), max(float(high), 1.0)
    stops = {int(round(low)), int(round(high))}
    for exponent in range(0, 12):
        for m in mantissas:
            v = int(round(m * 10**exponent))
            if low < v < high:
                stops.add(v)
    return sorted(stops)


def _snap(value: float, options: list[int]) -> int:
    return min(options, key=lambda o: (abs(math.log1p(o) - math.log1p(max(value, 0))), o))


def slider_spec(feature: str, info: dict[str, Any]) -> dict[str, Any] | None:
    """min, max, step, format and type of a numeric feature's slider (None: constant)."""
    low, high = float(info["min"]), float(info["max"])
    if feature == "imdb_votes":
        steps = vote_steps(low, high)
        return {"kind": "votes", "options": steps} if len(steps) > 1 else None
    integer = info.get("integer", False) or feature in ("meta_score", "release_year")
    if feature == "duration_minutes":
        integer = True
    if integer:
        low, high = math.floor(low), math.ceil(high)
        if low >= high:
            return None
        return {"kind": "int", "min": int(low), "max": int(high), "step": 1, "format": "%d"}
    step = 0.1 if feature == "imdb_rating" else max(round((high - low) / 100, 2), 0.01)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    if low >= high:
        return None
    return {
        "kind": "float",
        "min": round(low, 2),
        "max": round(high, 2),
        "step": step,
        "format": "%.1f" if step >= 0.1 else "%.2f",
    }


def numeric_widget_value(feature: str, value: float, spec: dict[str, Any]) -> Any:
    """A data value as a valid slider value: clipped to the range, snapped to the steps."""
    if spec["kind"] == "votes":
        return _snap(value, spec["options"])
    clipped = min(max(value, spec["min"]), spec["max"])
    if spec["kind"] == "int":
        return int(round(clipped))
    return round(round(clipped / spec["step"]) * spec["step"], 2)


def category_options(feature: str, info: dict[str, Any]) -> list[str]:
    options = [str(o) for o in info.get("options", [])]
    if feature == "maturity_rating":
        order = {r: i for i, r in enumerate(MATURITY_RATINGS)}
        options = sorted(options, key=lambda o: (order.get(o, len(order)), o))
    return options


def name_options(table: pd.DataFrame, feature: str) -> list[str]:
    """Every name in the training table's ``feature`` column, most frequent first (capped)."""
    if feature not in table.columns:
        return []
    counts = table[feature].dropna().astype(str).str.split(LIST_SEP, regex=False).explode()
    counts = counts.str.strip()
    counts = counts[counts != ""].value_counts()
    return counts.index[:MAX_NAME_OPTIONS].tolist()


@st.cache_data(max_entries=8, show_spinner=False)
def _name_options(dataset: str, stamp: str, feature: str) -> list[str]:
    return name_options(tm.training_table(dataset), feature)


@st.cache_data(max_entries=8, show_spinner=False)
def _title_options(dataset: str, stamp: str) -> tuple[list[str], dict[str, str]]:
    """Title ids of the labelled titles (sorted by name) and their shown label "Title (year)".

    Labels are unique (a repeated one gets its id appended): a bound selectbox keeps the
    *label* in the URL (``?t10_title=Cartel+(2021)``), so it must identify one title.
    """
    table = tm.training_table(dataset)
    if "title_id" not in table.columns or table.empty:
        return [], {}
    labelled = table[pd.to_numeric(table[TOP10_LABEL], errors="coerce").notna()]
    ids = labelled["title_id"].astype(str)
    names = labelled["title"].astype(str) if "title" in labelled else ids
    years = pd.to_numeric(labelled.get("release_year", pd.Series(np.nan)), errors="coerce")
    years = years.reindex(labelled.index)
    text = pd.Series(
        [f"{n} ({int(y)})" if not _missing(y) else str(n) for n, y in zip(names, years)],
        index=labelled.index,
    )
    repeated = text.duplicated(keep=False)
    text = text.where(~repeated, text + " [" + ids + "]")
    shown = dict(zip(ids, text, strict=True))
    return sorted(shown, key=lambda i: shown[i].casefold()), shown


# --- widget state ------------------------------------------------------------------------------
def typical_state(model: top10.Top10Model, specs: dict[str, Any]) -> dict[str, Any]:
    """Widget values of a typical title (median numbers, most frequent categories)."""
    state: dict[str, Any] = {}
    for f in model.features:
        info = model.feature_ranges[f]
        if f in NUMERIC:
            if specs.get(f) is not None:
                state[key_of(f)] = numeric_widget_value(f, info["median"], specs[f])
            state[unknown_key(f)] = False
        elif f in CATEGORICAL:
            state[key_of(f)] = info.get("most_frequent")
        elif f == "genres":
            typical = model.typical.get("genres")
            state[key_of(f)] = [g for g in _labels(typical) if g in info["options"]]
        elif f in NAMES:
            state[key_of(f)] = []
    return state


def title_state(
    model: top10.Top10Model, specs: dict[str, Any], row: pd.Series
) -> tuple[dict[str, Any], list[str]]:
    """Widget values holding one title's features, and notes about values the widgets cannot
    show exactly (outside the training range, snapped to a slider step, unseen labels)."""
    state = typical_state(model, specs)
    notes: list[str] = []
    for f in model.features:
        info, value = model.feature_ranges[f], row.get(f)
        name = ct.feature_label(f)
        if f in NUMERIC:
            number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
            if _missing(number):
                state[unknown_key(f)] = True
                continue
            spec = specs.get(f)
            if spec is None:
                continue
            shown = numeric_widget_value(f, float(number), spec)
            state[key_of(f)] = shown
            low, high = (
                (spec["options"][0], spec["options"][-1])
                if spec["kind"] == "votes"
                else (spec["min"], spec["max"])
            )
            if not low <= number <= high:
                notes.append(
                    f"{name} {ct.format_value(f, number)} is outside the training range "
                    f"({ct.format_value(f, low)} to {ct.format_value(f, high)}); set to "
                    f"{ct.format_value(f, shown)}"
                )
            elif spec["kind"] == "votes" and abs(shown - number) > 0.005 * max(number, 1):
                notes.append(f"{name} {number:,.0f} rounded to the slider step {shown:,}")
        elif f in CATEGORICAL:
            state[key_of(f)] = None if _missing(value) else str(value)
        elif f == "genres":
            labels = _labels(value)
            kept = [g for g in labels if g in info["options"]]
            if len(kept) < len(labels):
                unseen = ", ".join(g for g in labels if g not in kept)
                notes.append(f"genres not seen in training left out: {unseen}")
            state[key_of(f)] = kept
        elif f in NAMES:
            names = _labels(value)
            if len(names) > MAX_NAMES[f]:
                notes.append(f"{name}: the first {MAX_NAMES[f]} of {len(names)} names kept")
            state[key_of(f)] = names[: MAX_NAMES[f]]
    return state, notes


def _apply(state: dict[str, Any]) -> None:
    for k, v in state.items():
        st.session_state[k] = v


def _reset_to_typical(model: top10.Top10Model, specs: dict[str, Any]) -> None:
    _apply(typical_state(model, specs))
    st.session_state[TITLE_KEY] = None
    st.session_state[PREFILLED_KEY] = None
    st.session_state[NOTES_KEY] = []


def _sanitize(model: top10.Top10Model, specs: dict[str, Any]) -> None:
    """Make every stored widget value valid for the widgets of this model (a dataset switch
    or a stale session must never raise): fill missing keys, clip and snap numbers."""
    typical = typical_state(model, specs)
    for k, v in typical.items():
        if k not in st.session_state:
            st.session_state[k] = v
    for f, spec in specs.items():
        if spec is None:
            continue
        current = st.session_state.get(key_of(f))
        if not isinstance(current, int | float) or isinstance(current, bool):
            st.session_state[key_of(f)] = typical[key_of(f)]
        else:
            fixed = numeric_widget_value(f, float(current), spec)
            if fixed != current:
                st.session_state[key_of(f)] = fixed
    for f in model.features:
        if f == "genres" or f in NAMES:
            current = st.session_state.get(key_of(f))
            if not isinstance(current, list):
                st.session_state[key_of(f)] = typical.get(key_of(f), [])
            elif f in NAMES and len(current) > MAX_NAMES[f]:
                st.session_state[key_of(f)] = current[: MAX_NAMES[f]]
        if f == "genres":
            allowed = set(model.feature_ranges[f]["options"])
            st.session_state[key_of(f)] = [g for g in st.session_state[key_of(f)] if g in allowed]


def _set_threshold(value: float) -> None:
    st.session_state[THRESHOLD_KEY] = value


def _fmt_int(v: Any) -> str:
    return f"{int(v):,}"


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
except ValueError as error:  # table unusable for training (lib.top10 says why)
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
            format_func=_fmt_int,
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


def current_row() -> dict[str, Any]:
    """The model input assembled from the widgets (missing -> NaN)."""
    row: dict[str, Any] = {}
    for f in model.features:
        if f in NUMERIC:
            if st.session_state.get(unknown_key(f)):
                row[f] = np.nan
            elif specs.get(f) is None:
                row[f] = model.feature_ranges[f]["min"]
            else:
                row[f] = st.session_state.get(key_of(f))
        elif f == "genre_primary" and "genres" in model.features:
            genres = st.session_state.get(key_of("genres")) or []
            row[f] = genres[0] if genres else np.nan
        elif f in CATEGORICAL:
            value = st.session_state.get(key_of(f))
            row[f] = np.nan if value is None else value
        else:
            row[f] = list(st.session_state.get(key_of(f)) or [])
    return row


def unusual(row: dict[str, Any]) -> list[str]:
    """Numbers inside the training range but rarer than 1 title in 20."""
    out = []
    for f in model.features:
        info, value = model.feature_ranges[f], row.get(f)
        if f not in NUMERIC or _missing(value):
            continue
        name = ct.feature_label(f)
        if info["min"] <= value < info["p05"]:
            out.append(
                f"{name} {ct.format_value(f, value)} is lower than for 95 % of training titles "
                f"(5th percentile {ct.format_value(f, info['p05'])})"
            )
        elif info["p95"] < value <= info["max"]:
            out.append(
                f"{name} {ct.format_value(f, value)} is higher than for 95 % of training titles "
                f"(95th percentile {ct.format_value(f, info['p95'])})"
            )
    return out


def plain(message: str) -> str:
    """A ``check_input`` message with the leading column name in plain words."""
    head, _, rest = message.partition(" ")
    return f"{ct.feature_label(head)} {rest}" if head in model.feature_ranges else message


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
    row = current_row()
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
        issues = [plain(w) for w in warnings if " is missing" not in w] + unusual(row)
        if issues:
            st.warning(
                "**The model has not seen such titles** (or only a few), so treat this "
                "prediction with care:\n\n" + "\n".join(f"- {md_escape(i)}" for i in issues),
                icon=":material/warning:",
            )
        imputed = [plain(w) for w in warnings if " is missing" in w]
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
        if rows is not None:
            actual = (
                pd.to_numeric(rows[TOP10_LABEL], errors="coerce").iloc[0] if len(rows) else None
            )
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


# --- tab 2: model quality ----------------------------------------------------------------------
def _pm(mean: float, std: float) -> str:
    return f"{mean:.3f} ± {std:.3f}"


def render_model() -> None:
    m = model.metrics
    st.subheader("Three models, the same folds")
    left, right = st.columns([3, 2], gap="large")
    with left:
        fig, data = ct.model_comparison(cv)
        figure(fig, data, key="t10_compare", name=f"{dataset}_top10_model_comparison")
        shown = pd.DataFrame(
            {
                "model": [ct.model_label(k) for k in cv["kind"]],
                "ROC-AUC": [_pm(a, b) for a, b in zip(cv["roc_auc_mean"], cv["roc_auc_std"])],
                "PR-AUC": [_pm(a, b) for a, b in zip(cv["pr_auc_mean"], cv["pr_auc_std"])],
                "Brier": [_pm(a, b) for a, b in zip(cv["brier_mean"], cv["brier_std"])],
                "log loss": [_pm(a, b) for a, b in zip(cv["log_loss_mean"], cv["log_loss_std"])],
            }
        )
        st.dataframe(shown, hide_index=True)
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
    cols = st.columns(6)
    cols[0].metric(
        "ROC-AUC",
        f"{m['roc_auc']:.3f}",
        help="Chance that a random Top 10 title scores above a random other one.",
    )
    cols[1].metric(
        "PR-AUC",
        f"{m['pr_auc']:.3f}",
        help=f"Average precision; random guessing scores {m['test_base_rate']:.3f}.",
    )
    cols[2].metric(
        "Brier score",
        f"{m['brier']:.3f}",
        delta=f"{m['brier'] - m['brier_baseline']:+.3f} vs. base",
        delta_color="inverse",
        help="Mean squared error of the probabilities; the baseline always predicts the "
        "training Top 10 share.",
    )
    called = at["tp"] + at["fp"]
    cols[3].metric(
        "Precision",
        f"{at['precision']:.1%}" if called else "n/a",
        help=f"Of titles called Top 10 at threshold {threshold:.2f}, the share that were."
        + ("" if called else " No held-out title reaches this threshold."),
    )
    cols[4].metric(
        "Recall",
        f"{at['recall']:.1%}",
        help=f"Of Top 10 titles, the share called Top 10 at threshold {threshold:.2f}.",
    )
    cols[5].metric(
        "Accuracy",
        f"{at['accuracy']:.1%}",
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
        st.info(f"Permutation importance is not available: {md_escape(error)}")
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
