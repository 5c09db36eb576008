"""Analyst-facing definitions and names, stated once (no plotting, no engine, no streamlit).

* The definitions the gold tables implement and the pages quote (engagement score, weighted
  rating, completion, RFM, age bands): ``lib.pipeline.gold`` computes them, the pages and
  charts import the wording from here (and ``lib.pipeline.gold`` re-exports it).
* The cluster explorer's feature names with units, shared by the feature assembly
  (:mod:`lib.cluster_features`), the models step and the charts (:mod:`lib.charts_cluster`
  re-exports them), so the models never import Plotly.
"""

from __future__ import annotations

from collections.abc import Mapping

from lib.config import DEVICES, GENRES, PLANS, slug

__all__ = [
    "ENGAGEMENT_SCORE_DEFINITION",
    "WEIGHTED_RATING_DEFINITION",
    "COMPLETED_DEFINITION",
    "RFM_DEFINITION",
    "AGE_BANDS",
    "PLAN_PREFIX",
    "plan_column",
    "genre_words",
    "feature_label",
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
#: Readable names (with units) of the features the page offers.
_LABELS: dict[str, str] = {
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
    # titles
    "imdb_rating": "IMDb rating (0-10)",
    "meta_score": "Critic score (0-100)",
    "imdb_votes": "IMDb votes",
    "log_imdb_votes": "IMDb votes (log)",
    "popularity": "Popularity (% of viewers reached)",
    "duration_minutes": "Runtime (min)",
    "release_year": "Release year",
    "is_series": "Series (share %)",
    "number_of_seasons": "Seasons",
    "is_original": "Original (share %)",
    "weighted_rating": "Weighted rating",
    "viewers": "Viewers",
    "avg_user_rating": "Avg user rating",
    "weeks_in_top10": "Weeks in Top 10",
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
    if feature in _LABELS:
        label = _LABELS[feature]
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
