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
    "GOLD_COLUMNS",
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
# Columns of ``movies`` that hold lists (joined by LIST_SEP in bronze as well).
BRONZE_LIST_COLUMNS: tuple[str, ...] = ("genres", "cast", "director")

# --- gold: analysis-ready tables ---------------------------------------------------------------
# Dynamic columns of gold["users"]: one share column per device and per genre (see helpers
# below); they come after the fixed columns.
GOLD_COLUMNS: dict[str, tuple[str, ...]] = {
    "titles": (
        "title_id",
        "title",
        "content_type",
        "is_series",
        "genres",
        "genre_primary",
        "release_year",
        "duration_minutes",
        "number_of_seasons",
        "maturity_rating",
        "language",
        "country",
        "imdb_rating",
        "imdb_votes",
        "meta_score",
        "description",
        "director",
        "cast",
        "added_date",
        "is_original",
        # engagement, computed from sessions / ratings (missing when the dataset has none)
        "sessions",
        "viewers",
        "watch_hours",
        "avg_completion",
        "avg_user_rating",
        "n_ratings",
        "popularity",
        "weeks_in_top10",
        "in_top10",
        "weighted_rating",
    ),
    "users": (
        "user_id",
        "age",
        "age_band",
        "gender",
        "country",
        "subscription_plan",
        "monthly_spend",
        "primary_device",
        "household_size",
        "is_active",
        "subscription_start_date",
        "tenure_days",
        "sessions",
        "watch_hours",
        "avg_completion",
        "active_days",
        "recency_days",
        "first_watch",
        "last_watch",
        "late_night_share",
        "weekend_share",
        "download_share",
        "n_ratings",
        "avg_rating",
        "top_genre",
        "engagement_score",
        "r_score",
        "f_score",
        "m_score",
        "rfm_segment",
    ),
    "interactions": ("user_id", "title_id", "weight", "rating", "n_sessions", "last_ts"),
    "sessions": (
        "session_id",
        "user_id",
        "title_id",
        "watch_ts",
        "date",
        "hour",
        "weekday",
        "device_type",
        "watch_minutes",
        "progress_pct",
        "completed",
        "action",
        "quality",
        "location_country",
        "is_download",
        "user_rating",
        # denormalised title and viewer attributes for filtering
        "genre_primary",
        "content_type",
        "release_year",
        "maturity_rating",
        "title_country",
        "subscription_plan",
        "age_band",
        "user_country",
    ),
    "engagement_daily": (
        "date",
        "device_type",
        "subscription_plan",
        "location_country",
        "sessions",
        "viewers",
        "watch_hours",
        "completed_sessions",
    ),
    "content_performance": (
        "title_id",
        "title",
        "genre_primary",
        "sessions",
        "viewers",
        "watch_hours",
        "completion_rate",
        "avg_user_rating",
        "reviews",
        "avg_sentiment",
        "rec_impressions",
        "rec_clicks",
        "rec_ctr",
    ),
    "top10_training": (
        "title_id",
        "title",
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
        "added_date",
        "in_top10",
        "weekly_hours_viewed",
        "weekly_views",
        "cumulative_weeks_in_top10",
    ),
    "recommendation_performance": (
        "recommendation_type",
        "algorithm_version",
        "position_in_list",
        "impressions",
        "clicks",
        "ctr",
    ),
    "search_summary": (
        "search_query",
        "searches",
        "users",
        "avg_results",
        "click_rate",
        "typo_rate",
    ),
}

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
