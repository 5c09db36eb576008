"""The KPI tiles of the pages as text, without streamlit (the PDF reports print the same).

Each function computes the numbers of a page's row of tiles from the rows shown and formats
them the way the tiles print them (``"n/a"`` where the dataset cannot say); the pages only
lay the tiles out with their labels and help texts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lib.data import overview

if TYPE_CHECKING:  # imported where used: the landing page's first run imports no pandas
    import pandas as pd

NA = "n/a"

__all__ = [
    "NA",
    "ENGAGEMENT_USER_COLUMNS",
    "catalog_kpis",
    "engagement_kpis",
    "overview_kpis",
    "overview_tiles",
    "cluster_kpis",
    "top10_quality_kpis",
]


#: The viewer columns the Engagement page (and its PDF report) reads for the viewers shown.
ENGAGEMENT_USER_COLUMNS: tuple[str, ...] = (
    "user_id",
    "engagement_score",
    "rfm_segment",
    "subscription_plan",
    "age_band",
    "country",
    "sessions",
    "watch_hours",
    "avg_completion",
    "active_days",
    "top_genre",
)


def catalog_kpis(
    titles: pd.DataFrame, all_titles: pd.DataFrame, genre_table: pd.DataFrame
) -> dict[str, Any]:
    """The Catalog tiles of the ``titles`` shown (``all_titles``: the whole dataset;
    ``genre_table``: ``lib.charts.genre_counts(titles)``, which the page charts too).

    Keys: ``titles``, ``genres`` (distinct among the titles shown), ``rating_column`` (the
    best rating the catalog has, or None), ``rating`` (its mean), ``top10`` (titles with a
    week in the Top 10, and their share; n/a when the dataset has no Top 10 weeks) and
    ``runtime`` (median movie runtime).
    """
    import pandas as pd

    from lib.charts.catalog import rating_column  # Plotly: not on the landing page's path
    from lib.filters import has_values

    rating = rating_column(titles)
    top10 = (
        titles["weeks_in_top10"].astype(float).fillna(0) > 0
        if has_values(all_titles, "weeks_in_top10")
        else None
    )
    movies = (
        titles.loc[titles["content_type"].astype("str") == "Movie", "duration_minutes"]
        if has_values(titles, "content_type") and has_values(titles, "duration_minutes")
        else pd.Series(dtype=float)
    )
    return {
        "titles": f"{len(titles):,}",
        "genres": f"{len(genre_table):,}",
        "rating_column": rating,
        "rating": f"{titles[rating].mean():.2f}" if rating and titles[rating].notna().any() else NA,
        "top10": f"{int(top10.sum()):,} ({top10.mean():.0%})"
        if top10 is not None and len(titles)
        else NA,
        "runtime": f"{movies.median():.0f} min" if movies.notna().any() else NA,
    }


def engagement_kpis(
    summary: Mapping[str, Any], n: int, *, has_minutes: bool, has_completed: bool
) -> dict[str, str]:
    """The Engagement tiles from a summary of the ``n`` sessions shown
    (``SessionQuery.summary()``).

    ``has_minutes`` / ``has_completed``: whether the dataset has watch minutes / a completed
    flag at all. Keys: ``sessions``, ``viewers``, ``hours``, ``completion``,
    ``minutes_per_session``.
    """
    viewers = summary.get("viewers")
    minutes = summary.get("minutes") if has_minutes and n else None
    completion = summary.get("completion")
    mean_minutes = summary.get("mean_minutes")
    return {
        "sessions": f"{n:,}",
        "viewers": f"{viewers:,}" if viewers is not None else NA,
        "hours": f"{(minutes or 0) / 60:,.0f} h" if minutes is not None else NA,
        "completion": f"{completion:.1%}" if has_completed and n and completion is not None else NA,
        "minutes_per_session": f"{mean_minutes:.0f} min"
        if minutes is not None and mean_minutes
        else NA,
    }


def overview_kpis(
    n_titles: int,
    users: pd.DataFrame,
    daily: pd.DataFrame,
    kpis: Mapping[str, Any],
) -> dict[str, Any]:
    """The Overview tiles: ``n_titles`` in gold, ``users`` (with ``is_active``), the daily
    engagement table and the build report's ``kpis`` (``mean_progress``: 0-100); the figures
    are :func:`lib.data.overview.numbers`, the text :func:`overview_tiles`.
    """
    return overview_tiles(overview.numbers(n_titles, users, daily, kpis, trend=False))


def overview_tiles(numbers: Mapping[str, Any]) -> dict[str, Any]:
    """The Overview tiles as text from the figures of :func:`lib.data.overview.numbers`
    (computed when the data is built, stored in ``report.json``).

    Keys: ``titles``, ``viewers``, ``active``, ``hours``, ``completion``, ``churn`` (text as
    the tiles print it) and ``missing`` (what the dataset lacks for an n/a tile, in words).
    """
    share, active = numbers.get("active_share"), numbers.get("active")
    progress, hours = numbers.get("mean_progress"), numbers.get("watch_hours")
    completion = float(progress) / 100 if progress is not None else None
    viewers = numbers.get("viewers") or 0  # 0: a catalog-only dataset has no viewer table
    missing = [
        what
        for what, lacking in (
            ("viewer table", not viewers),
            ("subscription status", share is None and bool(viewers)),
            ("watch history", completion is None),
        )
        if lacking
    ]
    return {
        "titles": f"{numbers['titles']:,.0f}",
        "viewers": f"{viewers:,.0f}" if viewers else NA,
        "active": f"{active:,.0f}" if active is not None and share is not None else NA,
        "hours": f"{hours:,.0f} h" if hours is not None else NA,
        "completion": f"{completion:.1%}" if completion is not None else NA,
        "churn": f"{1 - share:.1%}" if share is not None else NA,
        "missing": missing,
    }


def cluster_kpis(
    n_clustered: int,
    k: int,
    silhouette_mean: float,
    fidelity: float,
    stability_mean: float | None = None,
) -> dict[str, str]:
    """The Cluster explorer's headline numbers as text: ``clustered``, ``k``,
    ``silhouette``, ``fidelity`` (decision-tree fidelity) and ``stability`` (mean ARI across
    seeds; n/a while unknown)."""
    return {
        "clustered": f"{n_clustered:,}",
        "k": f"{k}",
        "silhouette": f"{silhouette_mean:.2f}" if math.isfinite(silhouette_mean) else NA,
        "fidelity": f"{fidelity:.0%}",
        "stability": f"{stability_mean:.2f}"
        if stability_mean is not None and math.isfinite(stability_mean)
        else NA,
    }


def top10_quality_kpis(metrics: Mapping[str, Any], at: Mapping[str, Any]) -> dict[str, str]:
    """The Top 10 page's held-out tiles (Model quality tab) as text, from a model's
    ``metrics`` and ``metrics_at(threshold)``: ``roc_auc``, ``pr_auc``, ``brier`` (and
    ``brier_delta`` against the base-rate baseline), ``precision`` (n/a when no title is
    called Top 10), ``recall``, ``accuracy``."""
    called = at["tp"] + at["fp"]
    return {
        "roc_auc": f"{metrics['roc_auc']:.3f}",
        "pr_auc": f"{metrics['pr_auc']:.3f}",
        "brier": f"{metrics['brier']:.3f}",
        "brier_delta": f"{metrics['brier'] - metrics['brier_baseline']:+.3f} vs. base",
        "precision": f"{at['precision']:.1%}" if called else NA,
        "recall": f"{at['recall']:.1%}",
        "accuracy": f"{at['accuracy']:.1%}",
    }
