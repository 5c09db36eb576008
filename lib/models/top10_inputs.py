"""The Top 10 page's input material, without streamlit: which features get which widget,
slider ranges and steps, option lists, widget state for a typical or an existing title, the
model input assembled from widget state, and plain-words notes about unusual inputs.

``pages/top10.py`` reads and writes ``st.session_state``; everything here takes and returns
plain mappings, so it is unit-tested in ``tests/test_top10_inputs.py``.
"""

from __future__ import annotations

import math
from collections import ChainMap
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from lib import glossary
from lib.config import LIST_SEP, MATURITY_RATINGS, TOP10_LABEL
from lib.glossary import FEATURE_LABELS
from lib.models.top10 import Top10Model

MAX_NAME_OPTIONS = 3_000  # cast / director names offered in the searchable selects
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


_MAX_VALUE_CHARS = 38


def feature_label(feature: str) -> str:
    """Plain-words name of a model feature (:func:`lib.glossary.feature_label`); a column the
    glossary does not know keeps its own words (``something_new`` -> ``something new``)."""
    if feature in FEATURE_LABELS:
        return glossary.feature_label(feature)
    return str(feature).replace("_", " ")


def format_value(feature: str, value: Any, *, max_chars: int = _MAX_VALUE_CHARS) -> str:
    """A feature value for labels (:func:`lib.glossary.format_value`): ``unknown`` when the
    title has no value, long text shortened with an ellipsis."""
    return glossary.format_value(feature, value, missing="unknown", max_chars=max_chars)


def key_of(feature: str) -> str:
    """Session-state key of a feature's widget."""
    return f"t10_f_{feature}"


def unknown_key(feature: str) -> str:
    """Session-state key of a numeric feature's \"not known yet\" checkbox."""
    return f"t10_u_{feature}"


def is_missing(value: Any) -> bool:
    """None, pandas' NA / NaT or a float NaN."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def labels_of(value: Any) -> list[str]:
    """The labels of a list cell or of a ``LIST_SEP``-joined string, in order, no repeats."""
    if isinstance(value, list | tuple | np.ndarray):
        return [str(v) for v in value if not is_missing(v)]
    if is_missing(value):
        return []
    return list(dict.fromkeys(p.strip() for p in str(value).split(LIST_SEP) if p.strip()))


def fmt_int(v: Any) -> str:
    """A whole number with thousands separators (the votes slider's labels)."""
    return f"{int(v):,}"


def plus_minus(mean: float, std: float) -> str:
    """A cross-validated score as "mean ± std"."""
    return f"{mean:.3f} ± {std:.3f}"


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
    """A select's options; maturity ratings in the order of ``MATURITY_RATINGS``."""
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


# --- widget state ------------------------------------------------------------------------------
def typical_state(model: Top10Model, specs: dict[str, Any]) -> dict[str, Any]:
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
            state[key_of(f)] = [g for g in labels_of(typical) if g in info["options"]]
        elif f in NAMES:
            state[key_of(f)] = []
    return state


def title_state(
    model: Top10Model, specs: dict[str, Any], row: pd.Series
) -> tuple[dict[str, Any], list[str]]:
    """Widget values holding one title's features, and notes about values the widgets cannot
    show exactly (outside the training range, snapped to a slider step, unseen labels)."""
    state = typical_state(model, specs)
    notes: list[str] = []
    for f in model.features:
        info, value = model.feature_ranges[f], row.get(f)
        name = feature_label(f)
        if f in NUMERIC:
            number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
            if is_missing(number):
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
                    f"{name} {format_value(f, number)} is outside the training range "
                    f"({format_value(f, low)} to {format_value(f, high)}); set to "
                    f"{format_value(f, shown)}"
                )
            elif spec["kind"] == "votes" and abs(shown - number) > 0.005 * max(number, 1):
                notes.append(f"{name} {number:,.0f} rounded to the slider step {shown:,}")
        elif f in CATEGORICAL:
            state[key_of(f)] = None if is_missing(value) else str(value)
        elif f == "genres":
            labels = labels_of(value)
            kept = [g for g in labels if g in info["options"]]
            if len(kept) < len(labels):
                unseen = ", ".join(g for g in labels if g not in kept)
                notes.append(f"genres not seen in training left out: {unseen}")
            state[key_of(f)] = kept
        elif f in NAMES:
            names = labels_of(value)
            if len(names) > MAX_NAMES[f]:
                notes.append(f"{name}: the first {MAX_NAMES[f]} of {len(names)} names kept")
            state[key_of(f)] = names[: MAX_NAMES[f]]
    return state, notes


def title_options(table: pd.DataFrame) -> tuple[list[str], dict[str, str]]:
    """Title ids of the labelled titles (sorted by name) and their shown label "Title (year)".

    Labels are unique (a repeated one gets its id appended): a bound selectbox keeps the
    *label* in the URL (``?t10_title=Cartel+(2021)``), so it must identify one title.
    """
    if "title_id" not in table.columns or table.empty:
        return [], {}
    labelled = table[pd.to_numeric(table[TOP10_LABEL], errors="coerce").notna()]
    ids = labelled["title_id"].astype(str)
    names = labelled["title"].astype(str) if "title" in labelled else ids
    years = pd.to_numeric(labelled.get("release_year", pd.Series(np.nan)), errors="coerce")
    years = years.reindex(labelled.index)
    text = pd.Series(
        [f"{n} ({int(y)})" if not is_missing(y) else str(n) for n, y in zip(names, years)],
        index=labelled.index,
    )
    repeated = text.duplicated(keep=False)
    text = text.where(~repeated, text + " [" + ids + "]")
    shown = dict(zip(ids, text, strict=True))
    return sorted(shown, key=lambda i: shown[i].casefold()), shown


def sanitized_state(
    model: Top10Model, specs: dict[str, Any], state: Mapping[str, Any]
) -> dict[str, Any]:
    """The widget values to change so that every stored value is valid for the widgets of
    this model (a dataset switch or a stale session must never raise): missing keys filled,
    numbers clipped and snapped, lists of names cut to their maximum, unknown genres dropped.
    """
    changes: dict[str, Any] = {}
    current = ChainMap(changes, state)  # the values as they stand after the changes so far

    def put(key: str, value: Any) -> None:
        changes[key] = value

    typical = typical_state(model, specs)
    for k, v in typical.items():
        if k not in current:
            put(k, v)
    for f, spec in specs.items():
        if spec is None:
            continue
        value = current.get(key_of(f))
        if not isinstance(value, int | float) or isinstance(value, bool):
            put(key_of(f), typical[key_of(f)])
        else:
            fixed = numeric_widget_value(f, float(value), spec)
            if fixed != value:
                put(key_of(f), fixed)
    for f in model.features:
        if f == "genres" or f in NAMES:
            value = current.get(key_of(f))
            if not isinstance(value, list):
                put(key_of(f), typical.get(key_of(f), []))
            elif f in NAMES and len(value) > MAX_NAMES[f]:
                put(key_of(f), value[: MAX_NAMES[f]])
        if f == "genres":
            allowed = set(model.feature_ranges[f]["options"])
            put(key_of(f), [g for g in current[key_of(f)] if g in allowed])
    return changes


def state_row(model: Top10Model, specs: dict[str, Any], state: Mapping[str, Any]) -> dict[str, Any]:
    """The model input assembled from the widget values in ``state`` (missing -> NaN)."""
    row: dict[str, Any] = {}
    for f in model.features:
        if f in NUMERIC:
            if state.get(unknown_key(f)):
                row[f] = np.nan
            elif specs.get(f) is None:
                row[f] = model.feature_ranges[f]["min"]
            else:
                row[f] = state.get(key_of(f))
        elif f == "genre_primary" and "genres" in model.features:
            genres = state.get(key_of("genres")) or []
            row[f] = genres[0] if genres else np.nan
        elif f in CATEGORICAL:
            value = state.get(key_of(f))
            row[f] = np.nan if value is None else value
        else:
            row[f] = list(state.get(key_of(f)) or [])
    return row


def unusual(model: Top10Model, row: Mapping[str, Any]) -> list[str]:
    """Numbers inside the training range but rarer than 1 title in 20."""
    out = []
    for f in model.features:
        info, value = model.feature_ranges[f], row.get(f)
        if f not in NUMERIC or is_missing(value):
            continue
        name = feature_label(f)
        if info["min"] <= value < info["p05"]:
            out.append(
                f"{name} {format_value(f, value)} is lower than for 95 % of training titles "
                f"(5th percentile {format_value(f, info['p05'])})"
            )
        elif info["p95"] < value <= info["max"]:
            out.append(
                f"{name} {format_value(f, value)} is higher than for 95 % of training titles "
                f"(95th percentile {format_value(f, info['p95'])})"
            )
    return out


def plain(model: Top10Model, message: str) -> str:
    """A ``check_input`` message with the leading column name in plain words."""
    head, _, rest = message.partition(" ")
    return f"{feature_label(head)} {rest}" if head in model.feature_ranges else message
