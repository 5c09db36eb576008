"""The KPI tiles of the Catalog and Engagement pages as text, without streamlit.

Each function computes the numbers of a page's row of tiles from the rows shown and formats
them the way the tiles print them (``"n/a"`` where the dataset cannot say); the pages only
lay the tiles out with their labels and help texts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from lib.charts import rating_column
from lib.filters import has_values

NA = "n/a"

__all__ = ["NA", "catalog_kpis", "engagement_kpis"]


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
