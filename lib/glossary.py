"""Analyst-facing names of the model features, with their units (no plotting, no streamlit).

The cluster explorer's features are named here so that the feature assembly
(:mod:`lib.cluster_features`), the models step and the charts (:mod:`lib.charts_cluster`,
which re-exports these names) share one vocabulary without the models importing Plotly.
"""

from __future__ import annotations

from collections.abc import Mapping

from lib.config import DEVICES, GENRES, PLANS, slug

__all__ = ["PLAN_PREFIX", "plan_column", "genre_words", "feature_label"]

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
