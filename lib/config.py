"""One place for paths, seeds, defaults and canonical column names.

The data contract of the project lives here:

* ``BRONZE_TABLES`` - the canonical raw tables (seed 004's engagement export plus the
  extra columns the pages need). The demo generator and every importer produce a subset of
  these tables with these column names; unknown extra columns are kept in bronze only.
* ``GOLD_COLUMNS`` - the analysis-ready tables that pages, models and notebooks read.
  Every gold table always has all of its columns (filled with missing values when a dataset
  cannot provide them), so callers test ``df[col].notna().any()`` instead of ``col in df``.

Multi-valued text fields (genres, cast) are stored as one string joined by ``LIST_SEP``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "PROJECT_ROOT",
    "data_root",
    "DEMO_NAME",
    "DEFAULT_SEED",
    "LIST_SEP",
    "GENRES",
    "DEVICES",
    "PLANS",
    "CONTENT_TYPES",
    "MATURITY_RATINGS",
    "QUALITIES",
    "BRONZE_TABLES",
    "BRONZE_KEYS",
    "BRONZE_DATE_COLUMNS",
    "COL_USER",
    "COL_TITLE",
    "Progress",
    "GOLD_COLUMNS",
    "GOLD_SCHEMA",
    "KEY_COLUMNS",
    "SEASON_SUFFIX",
    "PRE_RELEASE_COLUMNS",
    "POST_RELEASE_COLUMNS",
    "TOP10_LABEL",
    "slug",
    "device_share_col",
    "genre_share_col",
    "dataset_dir",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_root() -> Path:
    """Root folder of all datasets (``$STREAMDASH_DATA`` or ``<project>/data``), read per call."""
    return Path(os.environ.get("STREAMDASH_DATA", PROJECT_ROOT / "data"))


DEMO_NAME = "demo"
DEFAULT_SEED = 0
LIST_SEP = "|"
# the viewer and title id columns of the interactions the recommenders and their evaluation read
COL_USER = "user_id"
COL_TITLE = "title_id"

# A long step's progress callback: fraction done (0 to 1) and what it is doing, in words.
Progress = Callable[[float, str], None]

# --- vocabularies used by the demo generator and as canonical spellings in silver ---------
GENRES: tuple[str, ...] = (
    "Action",
    "Adventure",
    "Animation",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Family",
    "Fantasy",
    "History",
    "Horror",
    "Romance",
    "Sci-Fi",
    "Thriller",
)
DEVICES: tuple[str, ...] = ("Smart TV", "Mobile", "Tablet", "Laptop", "Desktop", "Game Console")
PLANS: tuple[str, ...] = ("Basic", "Standard", "Premium", "Premium+")
CONTENT_TYPES: tuple[str, ...] = (
    "Movie",
    "TV Series",
    "Documentary",
    "Limited Series",
    "Stand-up Comedy",
)
MATURITY_RATINGS: tuple[str, ...] = (
    "G",
    "PG",
    "PG-13",
    "R",
    "NC-17",
    "TV-Y",
    "TV-G",
    "TV-PG",
    "TV-14",
    "TV-MA",
)
QUALITIES: tuple[str, ...] = ("SD", "HD", "4K", "Ultra HD")

# --- bronze: canonical raw tables ------------------------------------------------------------
# Seed 004's six tables (column names as in that export) + ``ratings`` (explicit ratings such
# as MovieLens) + ``top10_weekly`` (Netflix-style weekly charts) + ``top10_titles`` (per-title
# Top 10 labels such as seed 000's final_data.csv) + ``engagement_report`` (Netflix's
# "What We Watched" reports: hours viewed per title and half-year).
BRONZE_TABLES: dict[str, tuple[str, ...]] = {
    "users": (
        "user_id",
        "email",
        "first_name",
        "last_name",
        "age",
        "gender",
        "country",
        "state_province",
        "city",
        "subscription_plan",
        "subscription_start_date",
        "is_active",
        "monthly_spend",
        "primary_device",
        "household_size",
        "created_at",
    ),
    "movies": (
        "movie_id",
        "title",
        "content_type",
        "genre_primary",
        "genre_secondary",
        "genres",
        "release_year",
        "duration_minutes",
        "rating",
        "language",
        "country_of_origin",
        "imdb_rating",
        "imdb_votes",
        "meta_score",
        "production_budget",
        "box_office_revenue",
        "number_of_seasons",
        "number_of_episodes",
        "is_netflix_original",
        "added_to_platform",
        "content_warning",
        "description",
        "director",
        "cast",
        # audience scores of the Kaggle titles.csv (IMDb id, TMDB score and popularity)
        "imdb_id",
        "tmdb_score",
        "tmdb_popularity",
    ),
    "watch_history": (
        "session_id",
        "user_id",
        "movie_id",
        "watch_date",
        "device_type",
        "watch_duration_minutes",
        "progress_percentage",
        "action",
        "quality",
        "location_country",
        "is_download",
        "user_rating",
    ),
    "recommendation_logs": (
        "recommendation_id",
        "user_id",
        "movie_id",
        "recommendation_date",
        "recommendation_type",
        "recommendation_score",
        "was_clicked",
        "position_in_list",
        "device_type",
        "time_of_day",
        "algorithm_version",
    ),
    "search_logs": (
        "search_id",
        "user_id",
        "search_query",
        "search_date",
        "results_returned",
        "clicked_result_position",
        "device_type",
        "search_duration_seconds",
        "had_typo",
        "used_filters",
        "location_country",
    ),
    "reviews": (
        "review_id",
        "user_id",
        "movie_id",
        "rating",
        "review_date",
        "device_type",
        "is_verified_watch",
        "helpful_votes",
        "total_votes",
        "review_text",
        "sentiment",
        "sentiment_score",
    ),
    "ratings": ("user_id", "movie_id", "rating", "rated_at"),
    "top10_weekly": (
        "week",
        "category",
        "weekly_rank",
        "show_title",
        "season_title",
        "movie_id",
        "weekly_hours_viewed",
        "runtime",
        "weekly_views",
        "cumulative_weeks_in_top_10",
        "country_name",
        "country_iso2",
    ),
    "top10_titles": (
        "movie_id",
        "in_top10",
        "weekly_hours_viewed",
        "weekly_views",
        "cumulative_weeks_in_top_10",
    ),
    # Netflix's "What We Watched" engagement reports: one row per title and half-year
    "engagement_report": (
        "report",
        "period_start",
        "period_end",
        "kind",
        "title",
        "available_globally",
        "release_date",
        "hours_viewed",
        "runtime_minutes",
        "views",
        "movie_id",
    ),
}
# The season part of a TV title in Netflix's engagement reports ("Bridgerton: Season 3",
# "Fool Me Once: Limited Series"); case-insensitive. One definition for the importer (Python
# ``re``) and gold (the engines' regular expressions, with a ``(?i)`` prefix).
SEASON_SUFFIX = (
    r"\s*:\s*(?:(?:season|series|part|volume|vol\.|book|chapter)\s+[\w.]+.*"
    r"|limited\s+series|miniseries|limited\s+collection)\s*$"
)
# Primary key of each bronze table (None or absent: rows have no natural id); the importers
# check these columns are filled, bronze counts duplicate keys.
BRONZE_KEYS: dict[str, tuple[str, ...] | None] = {
    "users": ("user_id",),
    "movies": ("movie_id",),
    "watch_history": ("session_id",),
    "recommendation_logs": ("recommendation_id",),
    "search_logs": ("search_id",),
    "reviews": ("review_id",),
    "ratings": ("user_id", "movie_id"),
    "top10_weekly": ("week", "category", "weekly_rank"),
    "top10_titles": ("movie_id",),
    "engagement_report": ("period_start", "kind", "title", "release_date"),
}
# The date columns of each bronze table (the importers parse them, bronze profiles them).
BRONZE_DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("subscription_start_date", "created_at"),
    "movies": ("added_to_platform",),
    "watch_history": ("watch_date",),
    "recommendation_logs": ("recommendation_date",),
    "search_logs": ("search_date",),
    "reviews": ("review_date",),
    "ratings": ("rated_at",),
    "top10_weekly": ("week",),
    "engagement_report": ("period_end",),
}
# Columns of ``movies`` that hold lists (joined by LIST_SEP in bronze as well).
BRONZE_LIST_COLUMNS: tuple[str, ...] = ("genres", "cast", "director")

# --- gold: analysis-ready tables ---------------------------------------------------------------
# Each gold table's columns with their types (Ibis type names; "category" is text the loaders
# hand pandas as a categorical). Dynamic columns of gold["users"]: one share column per device
# and per genre (see helpers below); they come after the fixed columns.
_TITLE_ATTRS: dict[str, str] = {
    "title_id": "string",
    "title": "string",
    "content_type": "string",
    "is_series": "boolean",
    "genres": "string",
    "genre_primary": "string",
    "release_year": "float64",
    "duration_minutes": "float64",
    "number_of_seasons": "float64",
    "maturity_rating": "string",
    "language": "string",
    "country": "string",
    "imdb_rating": "float64",
    "imdb_votes": "float64",
    "meta_score": "float64",
    "description": "string",
    "director": "string",
    "cast": "string",
    "added_date": "timestamp",
    "is_original": "boolean",
}
GOLD_SCHEMA: dict[str, dict[str, str]] = {
    "titles": {
        **_TITLE_ATTRS,
        # engagement, computed from sessions / ratings (missing when the dataset has none)
        "sessions": "float64",
        "viewers": "float64",
        "watch_hours": "float64",
        "avg_completion": "float64",
        "avg_user_rating": "float64",
        "n_ratings": "float64",
        "popularity": "float64",
        "weeks_in_top10": "int64",
        "in_top10": "int64",
        "weighted_rating": "float64",
        # audience measures of the titles + credits format (TMDB), and the IMDb id
        "tmdb_score": "float64",
        "tmdb_popularity": "float64",
        "imdb_id": "string",
        "title_key": "int32",  # see KEY_COLUMNS
    },
    "users": {
        "user_id": "string",
        "age": "float64",
        "age_band": "category",
        "gender": "category",
        "country": "category",
        "subscription_plan": "category",
        "monthly_spend": "float64",
        "primary_device": "category",
        "household_size": "float64",
        "is_active": "boolean",
        "subscription_start_date": "timestamp",
        "tenure_days": "float64",
        "sessions": "float64",
        "watch_hours": "float64",
        "avg_completion": "float64",
        "active_days": "float64",
        "recency_days": "float64",
        "first_watch": "timestamp",
        "last_watch": "timestamp",
        "late_night_share": "float64",
        "weekend_share": "float64",
        "download_share": "float64",
        "n_ratings": "float64",
        "avg_rating": "float64",
        "top_genre": "category",
        "engagement_score": "float64",
        "r_score": "float64",
        "f_score": "float64",
        "m_score": "float64",
        "rfm_segment": "category",
        "user_key": "int32",
    },
    "interactions": {
        "user_id": "string",
        "title_id": "string",
        "weight": "float64",
        "rating": "float64",
        "n_sessions": "int32",
        "last_ts": "timestamp",
    },
    "sessions": {
        "session_id": "string",
        "user_id": "string",
        "title_id": "string",
        "watch_ts": "timestamp",
        "date": "timestamp",
        "hour": "int8",
        "weekday": "int8",
        "device_type": "category",
        "watch_minutes": "float64",
        "progress_pct": "float64",
        "completed": "boolean",
        "action": "category",
        "quality": "category",
        "location_country": "category",
        "is_download": "boolean",
        "user_rating": "float64",
        # denormalised title and viewer attributes for filtering
        "genre_primary": "category",
        "content_type": "category",
        "release_year": "float64",
        "maturity_rating": "category",
        "title_country": "category",
        "subscription_plan": "category",
        "age_band": "category",
        "user_country": "category",
        "title_key": "int32",
        "user_key": "int32",
    },
    "engagement_daily": {
        "date": "timestamp",
        "device_type": "category",
        "subscription_plan": "category",
        "location_country": "category",
        "sessions": "int64",
        "viewers": "int64",
        "watch_hours": "float64",
        "completed_sessions": "int64",
    },
    "content_performance": {
        "title_id": "string",
        "title": "string",
        "genre_primary": "string",
        "sessions": "float64",
        "viewers": "float64",
        "watch_hours": "float64",
        "completion_rate": "float64",
        "avg_user_rating": "float64",
        "reviews": "float64",
        "avg_sentiment": "float64",
        "rec_impressions": "float64",
        "rec_clicks": "float64",
        "rec_ctr": "float64",
    },
    "top10_training": {
        "title_id": "string",
        "title": "string",
        "imdb_rating": "float64",
        "meta_score": "float64",
        "maturity_rating": "string",
        "imdb_votes": "float64",
        "release_year": "float64",
        "duration_minutes": "float64",
        "genres": "string",
        "genre_primary": "string",
        "content_type": "string",
        "language": "string",
        "country": "string",
        "cast": "string",
        "director": "string",
        "added_date": "timestamp",
        "in_top10": "int64",
        "weekly_hours_viewed": "float64",
        "weekly_views": "float64",
        "cumulative_weeks_in_top10": "float64",
    },
    "recommendation_performance": {
        "recommendation_type": "string",
        "algorithm_version": "string",
        "position_in_list": "float64",
        "impressions": "int64",
        "clicks": "float64",
        "ctr": "float64",
    },
    "search_summary": {
        "search_query": "string",
        "searches": "int64",
        "users": "int64",
        "avg_results": "float64",
        "click_rate": "float64",
        "typo_rate": "float64",
    },
    # one row per Top 10 chart entry, also for titles that are not in the catalog
    "top10_weekly": {
        "week": "timestamp",
        "category": "string",
        "weekly_rank": "float64",
        "title_id": "string",
        "show_title": "string",
        "season_title": "string",
        "weekly_hours_viewed": "float64",
        "runtime": "float64",
        "weekly_views": "float64",
        "cumulative_weeks_in_top_10": "float64",
        "country_name": "string",
        "country_iso2": "string",
        "in_catalog": "boolean",
    },
    # Netflix's engagement reports: one row per title and report period
    "engagement_report": {
        "period_start": "timestamp",
        "period_end": "timestamp",
        "report": "string",
        "title_id": "string",
        "title": "string",
        "show": "string",
        "season": "string",
        "kind": "string",
        "hours_viewed": "float64",
        "views": "float64",
        "runtime_minutes": "float64",
        "available_globally": "boolean",
        "release_date": "timestamp",
        "in_catalog": "boolean",
    },
}
GOLD_COLUMNS: dict[str, tuple[str, ...]] = {t: tuple(c) for t, c in GOLD_SCHEMA.items()}
# Integer surrogate keys (id column -> key column): the 0-based dense rank of the id in byte
# order among the ids of gold titles / users (NULL for a missing id), the same in gold titles,
# users and sessions and on every engine. Key order is id order. Page queries filter, count and
# group sessions on them: a semi-join on an int32 is ~10x cheaper than on text ids.
KEY_COLUMNS: dict[str, str] = {"title_id": "title_key", "user_id": "user_key"}

# Top 10 training table: what is known before release vs. only after a title charted.
PRE_RELEASE_COLUMNS: tuple[str, ...] = (
    "imdb_rating",
    "meta_score",
    "maturity_rating",
    "imdb_votes",
    "release_year",
    "duration_minutes",
    "genres",
    "genre_primary",
    "content_type",
    "language",
    "country",
    "cast",
    "director",
)
POST_RELEASE_COLUMNS: tuple[str, ...] = (
    "weekly_hours_viewed",
    "weekly_views",
    "cumulative_weeks_in_top10",
)
TOP10_LABEL = "in_top10"


def slug(value: str) -> str:
    """Lower-case identifier form of a label: ``"Smart TV"`` -> ``"smart_tv"``."""
    return re.sub(r"[^0-9a-z]+", "_", str(value).lower()).strip("_")


def device_share_col(device: str) -> str:
    """Name of the gold user column holding the share of sessions on ``device``."""
    return f"device_share__{slug(device)}"


def genre_share_col(genre: str) -> str:
    """Name of the gold user column holding the share of sessions in ``genre``."""
    return f"genre_share__{slug(genre)}"


def dataset_dir(name: str, root: Path | None = None) -> Path:
    """Folder of the dataset called ``name`` under the data root."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name) or ".." in name:
        raise ValueError(
            f"dataset name {name!r} is not allowed: use 1-64 letters, digits, '_', '-' or '.'"
        )
    return (root or data_root()) / name
