"""lib.insights: findings carry the right numbers (literal frames) and the demo has 5+."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.filters import Filters, filter_sessions, filter_titles, prepare_sessions
from lib.insights import Finding, catalog_findings, engagement_findings


def by_start(findings: list[Finding], prefix: str) -> Finding:
    hits = [f for f in findings if f.text.startswith(prefix)]
    assert len(hits) == 1, [f.text for f in findings]
    return hits[0]


@pytest.fixture
def titles() -> pd.DataFrame:
    # 20 titles, each listed twice (40): per 20, 10 Drama (primary), 6 Comedy, 4 Thriller;
    # Drama|Comedy on 4 of the Dramas
    n = 20
    genres = ["Drama|Comedy"] * 4 + ["Drama"] * 6 + ["Comedy"] * 6 + ["Thriller"] * 4
    primary = ["Drama"] * 10 + ["Comedy"] * 6 + ["Thriller"] * 4
    rating = [8.0] * 5 + [6.0] * 5 + [7.5] * 6 + [5.0] * 4
    meta = [r * 10 + d for r, d in zip(rating, [2, -2] * 10)]
    weeks = [2, 1, 1, 0, 0] + [1, 0, 0, 0, 0] + [3, 0, 0, 0, 1, 0] + [0, 0, 0, 0]
    one = pd.DataFrame(
        {
            "genres": genres,
            "genre_primary": primary,
            "content_type": ["Movie"] * 12 + ["TV Series"] * 8,
            "imdb_rating": rating,
            "meta_score": meta,
            "weeks_in_top10": weeks,
            "is_original": [True] * 10 + [False] * 10,
            "release_year": [2010.0] * 5 + [2020.0] * 15,
            "duration_minutes": [100.0] * 12 + [45.0] * 8,
        }
    )
    both = pd.concat([one, one], ignore_index=True)
    return both.assign(
        title_id=[f"t{i}" for i in range(2 * n)], director=[f"D{i % 24}" for i in range(2 * n)]
    )


def test_catalog_findings_numbers(titles):
    found = catalog_findings(titles)
    assert len(found) >= 5
    for f in found:
        assert isinstance(f.value, float | int) and np.isfinite(f.value) and f.method

    top = by_start(found, "Drama is the most common genre")
    assert top.value == pytest.approx(10 / 20) and "50% of the 40 titles" in top.text
    assert "20% of titles have more than one genre" in top.text

    best = by_start(found, "Comedy titles are rated highest")
    assert best.value == pytest.approx(7.5)
    assert "6.75 across all 40" in best.text  # (5*8 + 5*6 + 6*7.5 + 4*5) / 20
    assert "Thriller" not in best.text  # 8 titles: fewer than MIN_GROUP

    # rated 7+: 22 titles, 10 in the Top 10; below 7: 18 titles, 2 in the Top 10
    lift = by_start(found, "Titles rated 7+ make the Top 10")
    assert lift.value == pytest.approx((5 / 11) / (1 / 9))

    r = np.corrcoef(titles["imdb_rating"], titles["meta_score"])[0, 1]
    agree = by_start(found, "Critics and audiences agree")
    assert agree.value == pytest.approx(r)

    originals = by_start(found, "Originals are 50% of titles shown")
    assert originals.value == pytest.approx((4 / 10) / (2 / 10))

    recent = by_start(found, "75% of titles shown were released in 2016-2020")
    assert recent.value == pytest.approx(0.75)


def test_catalog_findings_adapt_to_a_genre_filter_and_to_missing_columns(titles):
    drama = filter_titles(titles, Filters(genres=("Drama",)))
    text = catalog_findings(drama)[0].text
    assert text.startswith("All 20 titles shown are Drama; the most common other genre is Comedy")
    bare = titles[["title_id", "genres", "genre_primary"]]
    found = catalog_findings(bare)
    assert [f.text.split(" ")[0] for f in found] == ["Drama"]
    assert catalog_findings(titles.iloc[:0]) == []


@pytest.fixture
def sessions() -> pd.DataFrame:
    rows = []
    # 120 sessions: Mobile 60 (50 of them by 18-24 year olds), Smart TV 60
    for i in range(120):
        mobile = i < 60
        rows.append(
            {
                "user_id": f"u{i % 6}",
                "device_type": "Mobile" if mobile else "Smart TV",
                "age_band": ("18-24" if i < 50 else "35-44") if mobile else "35-44",
                "hour": 10 if i % 3 == 0 else 21,
                "weekday": 1 if i % 3 == 0 else 5,
                "genre_primary": "Drama" if i % 2 == 0 else "Horror",
                "completed": (i % 2 == 0) or (i % 5 == 0),
                "subscription_plan": "Premium" if i % 4 == 0 else "Basic",
                "watch_minutes": 120.0 if i % 4 == 0 else 40.0,
                "is_download": i >= 84,
                "quality": "4K" if not mobile else "SD",
                "location_country": "USA" if i < 90 else "India",
            }
        )
    df = pd.DataFrame(rows)
    for c in ("device_type", "age_band", "genre_primary", "subscription_plan", "quality"):
        df[c] = df[c].astype("category")
    return df


def test_engagement_findings_numbers(sessions):
    users = pd.DataFrame(
        {
            "user_id": [f"u{i}" for i in range(30)],
            "rfm_segment": ["Champions"] * 20 + ["At risk"] * 10,
            "engagement_score": [80.0] * 20 + [20.0, 40.0] * 5,
        }
    )
    found = engagement_findings(sessions, users)
    assert len(found) >= 5
    device = by_start(found, "Mobile accounts for 50% of the 120 sessions shown")
    assert device.value == pytest.approx(0.5)
    assert "highest among viewers aged 18-24: 100% of their sessions" in device.text

    peak = by_start(found, "Viewing peaks on Saturday at 21:00-21:59")
    assert peak.value == pytest.approx(80 / 120 * 168)
    assert "66.7% of sessions start in that hour" in peak.text

    done = by_start(found, "Drama sessions are completed most often (100%)")
    assert done.value == 1.0 and "Horror least (20%)" in done.text  # 12 of 60 odd i

    plans = by_start(found, "Premium viewers watch 120 min per session vs 40 min on Basic")
    assert plans.value == pytest.approx(3.0)

    dl = by_start(found, "Downloads are 30% of sessions")
    stream_done = sessions.loc[~sessions["is_download"], "completed"].mean()
    assert dl.value == pytest.approx(36 / 120) and f"{stream_done:.0%}" in dl.text

    quality = by_start(found, "4K or Ultra HD streams are 100% of Smart TV sessions but 0%")
    assert quality.value == 1.0

    country = by_start(found, "USA accounts for")
    minutes = sessions.groupby("location_country", observed=True)["watch_minutes"].sum()
    assert country.value == pytest.approx(minutes["USA"] / minutes.sum())
    assert "top 3" not in country.text  # only two countries

    seg = by_start(found, "Champions have the highest mean engagement score")
    assert seg.value == 80.0 and "vs 63 across the 30 viewers shown" in seg.text


def test_engagement_findings_without_columns_or_rows(sessions):
    assert engagement_findings(sessions.iloc[:0]) == []
    only = engagement_findings(sessions[["device_type"]])
    assert len(only) == 1 and only[0].text.startswith("Mobile accounts for 50%")


def test_at_least_five_findings_on_the_demo_data(gold):
    titles, users = gold["titles"], gold["users"]
    assert len(catalog_findings(titles)) >= 5
    view = prepare_sessions(gold["sessions"], titles, users)
    found = engagement_findings(view, users)
    assert len(found) >= 5
    assert all(f.method and np.isfinite(f.value) for f in found)
    # the findings follow the filters: only Mobile sessions when only Mobile is shown
    mobile = filter_sessions(view, Filters(devices=("Mobile",)), titles=titles)
    first = engagement_findings(mobile, users)[0]
    assert first.text.startswith(f"All {len(mobile):,} sessions shown are on Mobile")
