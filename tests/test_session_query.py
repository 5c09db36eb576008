"""SessionQuery (DuckDB over gold Parquet) answers exactly as pandas on the loaded table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib import charts
from lib.data.session_query import SessionQuery
from lib.filters import Filters, filter_sessions, prepare_sessions, tally
from lib.insights import engagement_findings

FILTERS = [
    Filters(),
    Filters(devices=("Mobile", "Smart TV")),
    Filters(genres=("Drama",), plans=("Premium",)),
]


@pytest.fixture(scope="module")
def frames(gold):
    view = prepare_sessions(gold["sessions"], gold["titles"], gold["users"])
    return gold, view


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    a = a.reset_index(drop=True).copy()
    b = b.reset_index(drop=True).copy()
    for c in a.columns:
        if (
            a[c].dtype == object
            or isinstance(a[c].dtype, pd.CategoricalDtype)
            or str(a[c].dtype) in ("str", "string")
        ):
            a[c] = a[c].astype(str)
            b[c] = b[c].astype(str)
    pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=False, rtol=1e-9)


@pytest.mark.parametrize("flt", FILTERS, ids=["none", "devices", "genre+plan"])
def test_tally_and_kpis_match_pandas(demo_dir: Path, frames, flt):
    gold, view = frames
    q = SessionQuery(demo_dir, flt, titles=gold["titles"])
    s = filter_sessions(view, flt, titles=gold["titles"])
    assert len(q) == len(s) > 0
    for by, value in (
        ("device_type", None),
        (["weekday", "hour"], None),
        ("genre_primary", "completed"),
        ("subscription_plan", "watch_minutes"),
        ("month", None),
        ("day", "watch_minutes"),
        ("dl", "completed"),
        ("device_type", "premium"),
        ("rfm_segment", None),
    ):
        _same(q.tally(by, value, name="sessions"), tally(s, by, value, name="sessions"))
    k = q.summary()
    assert k["sessions"] == len(s)
    assert k["viewers"] == s["user_id"].nunique()
    assert k["minutes"] == pytest.approx(np.nansum(s["watch_minutes"]))
    assert k["completion"] == pytest.approx(s["completed"].astype(float).mean())


@pytest.mark.parametrize("flt", FILTERS[:2], ids=["none", "devices"])
def test_engagement_charts_and_findings_match_pandas(demo_dir: Path, frames, flt):
    gold, view = frames
    q = SessionQuery(demo_dir, flt, titles=gold["titles"])
    s = filter_sessions(view, flt, titles=gold["titles"])
    for build in (
        lambda x: charts.device_heatmap(x, "age_band"),
        charts.top_users_devices,
        charts.device_share_trend,
        charts.hour_weekday_heatmap,
        charts.watch_time_trend,
        lambda x: charts.completion_by(x, "genre_primary"),
        lambda x: charts.watch_breakdown(x, "location_country"),
        charts.download_vs_streaming,
        lambda x: charts.quality_mix(x, "device_type"),
        lambda x: charts.segment_genre_sankey(x, "subscription_plan"),
    ):
        _same(build(q)[1], build(s)[1])
    users = gold["users"]
    shown = q.users(columns=["user_id", "rfm_segment", "engagement_score"])
    expected = users[users["user_id"].isin(s["user_id"].astype(str))]
    assert sorted(shown["user_id"]) == sorted(expected["user_id"])
    a = [f.text for f in engagement_findings(q, shown)]
    b = [f.text for f in engagement_findings(s, expected)]
    assert a == b and a


def test_title_filters_need_titles(demo_dir: Path):
    with pytest.raises(ValueError, match="titles"):
        SessionQuery(demo_dir, Filters(genres=("Drama",)))


def test_a_dataset_without_sessions_is_empty(tmp_path: Path):
    q = SessionQuery(tmp_path)
    assert len(q) == 0 and not q.has("device_type")
