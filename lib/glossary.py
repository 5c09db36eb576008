"""Analyst-facing definitions and names, stated once (no plotting, no engine, no streamlit).

* The definitions the gold tables implement and the pages quote (engagement score, weighted
  rating, completion, RFM, age bands): ``lib.data.pipeline.gold`` computes them, the pages and
  charts import the wording from here (and ``lib.data.pipeline.gold`` re-exports it).
* Column labels, units and value formats, one dictionary for every page (issue 16): the
  cluster explorer's features (:mod:`lib.models.cluster_features`, the models step), the Top 10
  predictor's model features, the Catalog's ratings and the Engagement page's segments.
  ``feature_label`` names a column with its unit, ``words`` names it inside a sentence or an
  axis title, ``format_value`` writes a value in its unit. The charts (:mod:`lib.charts`)
  and :mod:`lib.insights` read them from here, so the models never import Plotly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from lib.config import DEVICES, GENRES, LIST_SEP, PLANS, slug

__all__ = [
    "ENGAGEMENT_SCORE_DEFINITION",
    "WEIGHTED_RATING_DEFINITION",
    "COMPLETED_DEFINITION",
    "RFM_DEFINITION",
    "AGE_BANDS",
    "PLAN_PREFIX",
    "plan_column",
    "genre_words",
    "FEATURE_LABELS",
    "MODEL_LABELS",
    "RATING_COLUMNS",
    "RATING_LABELS",
    "SEGMENT_LABELS",
    "PICKER_LABELS",
    "feature_label",
    "words",
    "model_label",
    "is_share",
    "value_has_unit",
    "format_value",
]

ENGAGEMENT_SCORE_DEFINITION = (
    "Engagement score (0-100) = 100 x the mean of a viewer's percentile ranks on four "
    "measures: watch hours, sessions, average completion and active days. 50 is a typical "
    "viewer; 90 means more engaged than 90% of viewers on these measures combined."
)
WEIGHTED_RATING_DEFINITION = (
    "Weighted rating = IMDb's Bayesian average: (v / (v + m)) x R + (m / (v + m)) x C, where "
    "R is the title's rating, v its number of votes, C the mean rating of all titles and m "
    "the median number of votes. Titles with few votes are pulled towards the mean."
)
COMPLETED_DEFINITION = (
    "A session counts as completed when progress reached 90% or more, or the action was "
    "'completed'."
)
RFM_DEFINITION = (
    "R, F and M scores are quintiles (1-5) of viewers ranked by recency of their last session "
    "(5 = most recent), number of sessions, and monthly spend (watch hours where spend is "
    "unknown); ties are broken by viewer id."
)
AGE_BANDS = (
    (0, 18, "<18"),
    (18, 25, "18-24"),
    (25, 35, "25-34"),
    (35, 45, "35-44"),
    (45, 55, "45-54"),
    (55, 65, "55-64"),
    (65, 200, "65+"),
)

#: Prefix of the 0/1 subscription-plan columns the page adds to the viewer features.
PLAN_PREFIX = "plan__"

_DEVICE_NAMES = {slug(d): d for d in DEVICES}
_GENRE_NAMES = {slug(g): g for g in GENRES}
#: Readable names (with units) of columns: the cluster explorer's features, the Top 10
#: predictor's model features, ratings and viewer segments. One wording per column.
FEATURE_LABELS: dict[str, str] = {
    # viewers
    "watch_hours": "Watch hours (h)",
    "sessions": "Sessions",
    "active_days": "Active days",
    "avg_completion": "Avg completion (%)",
    "recency_days": "Days since last watch",
    "late_night_share": "Late-night share (%)",
    "weekend_share": "Weekend share (%)",
    "download_share": "Download share (%)",
    "age": "Age (years)",
    "tenure_days": "Tenure (days)",
    "monthly_spend": "Monthly spend",
    "household_size": "Household size",
    "n_ratings": "Ratings given",
    "avg_rating": "Avg rating given",
    "engagement_score": "Engagement score (0-100)",
    # viewer segments (sessions and users)
    "age_band": "Age band",
    "subscription_plan": "Plan",
    "rfm_segment": "RFM segment",
    "user_country": "Home country",
    "location_country": "Country watched in",
    "device_type": "Device",
    "quality": "Stream quality",
    # titles
    "imdb_rating": "IMDb rating (1-10)",
    "meta_score": "Critic meta score (1-100)",
    "imdb_votes": "IMDb votes",
    "log_imdb_votes": "IMDb votes (log)",
    "popularity": "Popularity (% of viewers reached)",
    "duration_minutes": "Runtime (min)",
    "release_year": "Release year",
    "is_series": "Series (share %)",
    "number_of_seasons": "Seasons",
    "is_original": "Original (share %)",
    "weighted_rating": "Weighted rating (1-10)",
    "viewers": "Viewers",
    "avg_user_rating": "Viewer rating (1-5)",
    "weeks_in_top10": "Weeks in Top 10",
    "maturity_rating": "Rating label",
    "genres": "Genres",
    "genre_primary": "Primary genre",
    "content_type": "Content type",
    "language": "Language",
    "country": "Country",
    "cast": "Cast",
    "director": "Director",
    # weekly Top 10 tables
    "weekly_hours_viewed": "Weekly hours viewed",
    "weekly_views": "Weekly views",
    "cumulative_weeks_in_top10": "Weeks in the Top 10",
}

#: Wording of the cluster explorer's feature picker where it still differs from
#: ``FEATURE_LABELS``. The picker keeps the chosen labels' text in the URL (shared links),
#: and tests/app/test_clusters_page.py shares a link with this text; the rename waits for
#: the owner's decision (issue 16).
PICKER_LABELS: dict[str, str] = {"imdb_rating": "IMDb rating (0-10)"}

#: Rating columns, best first: IMDb-style, else weighted, else the mean viewer rating.
RATING_COLUMNS = ("imdb_rating", "weighted_rating", "avg_user_rating")

#: Names of the Top 10 predictor's model kinds.
MODEL_LABELS: dict[str, str] = {
    "logreg": "Logistic regression",
    "rf": "Random forest",
    "gbm": "Gradient boosting",
}


def plan_column(plan: str) -> str:
    """Name of the 0/1 column of a subscription plan: ``"Premium+"`` -> ``plan__premium_plus``."""
    return PLAN_PREFIX + slug(str(plan).replace("+", " plus"))


_PLAN_NAMES = {plan_column(p): p for p in PLANS}


def _pretty(key: str, names: Mapping[str, str]) -> str:
    if key in names:
        return names[key]
    text = key.replace("_", " ").capitalize()
    return " ".join("TV" if w.lower() == "tv" else w for w in text.split(" "))


_SINGULAR = {"dramas": "drama", "comedies": "comedy", "documentaries": "documentary"}
_DROP = {"movies", "movie", "shows", "show", "films", "film"}
# list names whose "&" the slug lost
_JOINED = {
    "action adventure": "action & adventure",
    "children family": "children & family",
    "sci-fi fantasy": "sci-fi & fantasy",
}


def genre_words(column: str) -> str:
    """Short persona words for a genre-flag column of an imported catalog, whose genres are
    list names such as Netflix's "International TV Shows" or "Children & Family Movies":
    ``genre__international_tv_shows`` -> ``"international TV"``, ``genre__dramas`` ->
    ``"drama"``, ``genre__kids_tv`` -> ``"kids' TV"``.
    """
    key = str(column).removeprefix("genre__").removeprefix("genre_share__")
    words = [w for w in key.split("_") if w and w not in _DROP] or key.split("_")
    out = []
    for w in words:
        w = _SINGULAR.get(w, w[:-1] if w.endswith("ers") else w)  # thrillers -> thriller
        out.append({"tv": "TV", "kids": "kids'", "sci": "sci", "fi": "fi"}.get(w, w))
    text = " ".join(out).replace("sci fi", "sci-fi")
    return _JOINED.get(text, text)


def feature_label(feature: str, *, units: bool = True) -> str:
    """Plain-words name of a feature column, with its unit unless ``units=False``:
    ``device_share__mobile`` -> ``"Device: Mobile (%)"``."""
    feature = str(feature)
    if feature in FEATURE_LABELS:
        label = FEATURE_LABELS[feature]
    elif feature.startswith("device_share__"):
        label = f"Device: {_pretty(feature.removeprefix('device_share__'), _DEVICE_NAMES)} (%)"
    elif feature.startswith("genre_share__"):
        label = f"Genre share: {_pretty(feature.removeprefix('genre_share__'), _GENRE_NAMES)} (%)"
    elif feature.startswith("genre__"):
        label = f"Genre: {_pretty(feature.removeprefix('genre__'), _GENRE_NAMES)}"
    elif feature.startswith(PLAN_PREFIX):
        label = f"Plan: {_PLAN_NAMES.get(feature, feature.removeprefix(PLAN_PREFIX))}"
    else:
        label = feature.replace("_", " ").capitalize()
    if not units and label.endswith(")") and " (" in label:
        label = label[: label.rindex(" (")]
    return label


def words(column: str, *, units: bool = False) -> str:
    """A column's name inside a sentence or an axis title (lower case unless an acronym or a
    brand leads): ``age_band`` -> ``"age band"``, ``imdb_rating`` -> ``"IMDb rating"``,
    ``rfm_segment`` -> ``"RFM segment"``; with its unit when ``units=True``."""
    label = feature_label(column, units=units)
    head = label.split(" ", 1)[0]
    if len(head) > 1 and (head[1:].lower() != head[1:] or head.isupper()):
        return label
    return label[:1].lower() + label[1:]


def model_label(kind: str) -> str:
    """Plain-words name of a Top 10 model kind (the kind itself when unknown)."""
    return MODEL_LABELS.get(kind, kind)


#: Lower-case names of the columns the Catalog and Engagement pages group by.
SEGMENT_LABELS: dict[str, str] = {
    c: words(c)
    for c in (
        "age_band",
        "subscription_plan",
        "rfm_segment",
        "user_country",
        "location_country",
        "device_type",
        "genre_primary",
        "content_type",
        "quality",
        "country",
    )
}
#: Axis titles of the rating columns, with their scales.
RATING_LABELS: dict[str, str] = {c: words(c, units=True) for c in RATING_COLUMNS}

# --- value formats ---------------------------------------------------------------------------
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
#: Number formats of columns whose unit the label states, or whose unit the value carries.
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
    "imdb_votes": "{:,.0f}",
    "meta_score": "{:,.0f}",
    "weighted_rating": "{:.2f}",
    "avg_user_rating": "{:.2f}",
    "duration_minutes": "{:.0f} min",
    "release_year": "{:.0f}",
    "number_of_seasons": "{:.1f}",
    "viewers": "{:,.0f}",
    "weeks_in_top10": "{:,.1f}",
    "weekly_hours_viewed": "{:,.0f}",
    "weekly_views": "{:,.0f}",
    "cumulative_weeks_in_top10": "{:,.0f}",
}


def is_share(feature: str) -> bool:
    """Whether a feature's values are fractions 0-1 (shown as percentages)."""
    feature = str(feature)
    return feature in _SHARE_FEATURES or feature.startswith(_SHARE_PREFIXES)


def value_has_unit(feature: str) -> bool:
    """Whether ``format_value`` writes the unit itself (then labels can drop theirs)."""
    fmt = _FORMATS.get(str(feature), "")
    return is_share(feature) or feature == "popularity" or fmt.endswith((" h", "days", "min"))


def _missing(value: Any) -> bool:
    import numpy as np  # here: importing the glossary (the landing page does) stays light
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and not np.isfinite(value)


def _number(feature: str, value: float) -> str:
    if is_share(feature):
        return f"{value:.0%}"
    if feature == "popularity":
        return f"{value:.1%}"
    if feature == "log_imdb_votes":
        return f"≈{math.expm1(value):,.0f} votes"
    if feature in _FORMATS:
        return _FORMATS[feature].format(value)
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def format_value(
    feature: str, value: Any, *, missing: str = "n/a", max_chars: int | None = None
) -> str:
    """A column's value in its unit: shares as percentages, runtimes in min, years whole,
    counts with thousands separators, lists joined with commas, yes/no for flags, ``missing``
    when there is no value; text longer than ``max_chars`` is shortened with an ellipsis."""
    import numpy as np

    feature = str(feature)
    if isinstance(value, list | tuple | np.ndarray):
        items = [str(v) for v in value if not _missing(v)]
        text = ", ".join(items) if items else "none"
    elif _missing(value):
        text = missing
    elif isinstance(value, bool | np.bool_):
        text = "yes" if value else "no"
    elif isinstance(value, int | float | np.integer | np.floating):
        text = _number(feature, float(value))
    else:
        text = ", ".join(p.strip() for p in str(value).split(LIST_SEP) if p.strip()) or missing
    if max_chars is not None and len(text) > max_chars:
        text = text[: max_chars - 1].rstrip(", ") + "…"
    return text
