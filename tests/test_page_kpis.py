"""The KPI tiles of the Catalog and Engagement pages as text (lib.page_kpis)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.charts import genre_counts
from lib.page_kpis import NA, catalog_kpis, engagement_kpis, overview_tiles


def _titles() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "title_id": ["a", "b", "c", "d"],
            "genres": ["Drama|Comedy", "Drama", "Horror", None],
            "genre_primary": ["Drama", "Drama", "Horror", None],
            "imdb_rating": [7.0, 8.0, np.nan, 6.0],
            "weeks_in_top10": [0, 2, np.nan, 1],
            "content_type": ["Movie", "Movie", "TV Series", "Movie"],
            "duration_minutes": [90, 120, 45, 100],
        }
    )


def test_catalog_kpis():
    titles = _titles()
    kpi = catalog_kpis(titles, titles, genre_counts(titles))
    assert kpi["titles"] == "4"
    assert kpi["genres"] == "3"
    assert kpi["rating_column"] == "imdb_rating"
    assert kpi["rating"] == "7.00"
    assert kpi["top10"] == "2 (50%)"
    assert kpi["runtime"] == "100 min"  # movies only: 90, 100, 120


def test_catalog_kpis_without_the_columns_say_na():
    titles = pd.DataFrame({"title_id": ["a"], "title": ["A"]})
    kpi = catalog_kpis(titles, titles, genre_counts(titles))
    assert kpi["rating_column"] is None
    assert (kpi["rating"], kpi["top10"], kpi["runtime"]) == (NA, NA, NA)
    assert kpi["genres"] == "0"


def test_catalog_top10_share_of_an_empty_selection_is_na():
    titles = _titles()
    none = titles.iloc[0:0]
    assert catalog_kpis(none, titles, genre_counts(none))["top10"] == NA


def test_engagement_kpis():
    summary = {
        "sessions": 1200,
        "viewers": 300,
        "minutes": 90_000.0,
        "mean_minutes": 75.0,
        "completion": 0.4567,
    }
    kpi = engagement_kpis(summary, 1200, has_minutes=True, has_completed=True)
    assert kpi == {
        "sessions": "1,200",
        "viewers": "300",
        "hours": "1,500 h",
        "completion": "45.7%",
        "minutes_per_session": "75 min",
    }


def test_engagement_kpis_without_minutes_or_completion():
    summary = {"sessions": 10, "viewers": None, "minutes": 500.0, "completion": 0.5}
    kpi = engagement_kpis(summary, 10, has_minutes=False, has_completed=False)
    assert kpi["viewers"] == kpi["hours"] == kpi["completion"] == NA
    assert kpi["minutes_per_session"] == NA
    empty = engagement_kpis({"sessions": 0}, 0, has_minutes=True, has_completed=True)
    assert empty["sessions"] == "0" and empty["hours"] == NA and empty["completion"] == NA


def test_overview_tiles_say_na_with_the_reason_when_a_dataset_has_no_viewers():
    catalog_only = {"titles": 8807, "viewers": 0, "active": None, "active_share": None}
    tiles = overview_tiles(catalog_only)
    assert tiles["titles"] == "8,807"
    assert tiles["viewers"] == tiles["active"] == tiles["churn"] == tiles["completion"] == NA
    assert tiles["missing"] == ["viewer table", "watch history"]
    five = {"titles": 3, "viewers": 5, "active": 3, "active_share": 0.6, "mean_progress": 50.0}
    tiles = overview_tiles({**five, "watch_hours": 12.0})
    assert (tiles["viewers"], tiles["active"], tiles["churn"]) == ("5", "3", "40.0%")
    assert tiles["missing"] == []
    no_status = overview_tiles({**five, "active": None, "active_share": None})
    assert no_status["viewers"] == "5" and no_status["missing"] == ["subscription status"]
