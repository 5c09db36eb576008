"""SessionQuery (DuckDB over gold Parquet) answers exactly as pandas on the loaded table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib import charts
from lib.config import KEY_COLUMNS
from lib.data import session_query
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


@pytest.fixture(scope="module")
def unkeyed_dir(demo_dir: Path, tmp_path_factory) -> Path:
    """The demo dataset as a build before the integer keys wrote it: no key columns."""
    out = tmp_path_factory.mktemp("unkeyed")
    (out / "gold").mkdir()
    for f in (demo_dir / "gold").glob("*.parquet"):
        df = pd.read_parquet(f)
        df.drop(columns=[c for c in KEY_COLUMNS.values() if c in df.columns]).to_parquet(
            out / "gold" / f.name
        )
    return out


@pytest.fixture(scope="module", params=["keys", "no keys"])
def dataset(request, demo_dir: Path, unkeyed_dir: Path, gold) -> tuple[Path, pd.DataFrame]:
    """(dataset folder, its gold titles): the demo with and without the integer keys."""
    if request.param == "keys":
        return demo_dir, gold["titles"]
    return unkeyed_dir, gold["titles"].drop(columns=list(KEY_COLUMNS.values()), errors="ignore")


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
def test_tally_and_kpis_match_pandas(dataset, frames, flt):
    gold, view = frames
    q = SessionQuery(dataset[0], flt, titles=dataset[1])
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
        (["age_band", "device_type"], None),
        ("location_country", "watch_minutes"),
        ("user_id", None),
    ):
        _same(q.tally(by, value, name="sessions"), tally(s, by, value, name="sessions"))
    k = q.summary()
    assert k["sessions"] == len(s)
    assert k["viewers"] == s["user_id"].nunique()
    assert k["minutes"] == pytest.approx(np.nansum(s["watch_minutes"]))
    assert k["completion"] == pytest.approx(s["completed"].astype(float).mean())
    assert q.mean("completed") == pytest.approx(s["completed"].astype(float).mean())
    assert q.mean("progress_pct") == pytest.approx(s["progress_pct"].mean())
    _same(
        q.count_distinct("subscription_plan", "user_id"),
        s.groupby("subscription_plan", observed=True)["user_id"]
        .nunique()
        .rename("n")
        .reset_index(),
    )


@pytest.mark.parametrize("flt", [*FILTERS[:2], FILTERS[2]], ids=["none", "devices", "genre+plan"])
def test_engagement_charts_and_findings_match_pandas(dataset, frames, flt):
    gold, view = frames
    q = SessionQuery(dataset[0], flt, titles=dataset[1])
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
    # without the viewers' rows: their segments grouped in SQL say the same
    assert [f.text for f in engagement_findings(q)] == b
    top = expected.sort_values("user_id").head(7)["user_id"].tolist() + ["no-such-viewer"]
    per = q.sessions_of(top)
    want = s[s["user_id"].astype(str).isin(top)].groupby("user_id", observed=True).size()
    assert dict(zip(per["user_id"], per["sessions_shown"])) == want.to_dict()


def test_keys_are_used_where_gold_has_them(dataset, gold):
    folder, titles = dataset
    q = SessionQuery(folder, Filters(genres=("Drama",)), titles=titles)
    where, _params = q._where()
    keyed = "title_key" in titles.columns
    assert ("title_key" in where) is keyed and ("title_id" in where) is not keyed
    assert ("bitstring_agg" in q._distinct_viewers()) is keyed


def test_the_plain_queries_give_the_same_answers(demo_dir: Path, gold, monkeypatch):
    """The cube and the bit strings are shortcuts: without them (a dataset too varied for
    the cube, or too many viewers for a bit each) every answer is the same."""
    flt = Filters(genres=("Drama",), devices=("Mobile", "Smart TV"))
    q = SessionQuery(demo_dir, flt, titles=gold["titles"])
    asks = [
        lambda x: x.tally("device_type", "premium"),
        lambda x: x.tally(["subscription_plan", "genre_primary"]),
        lambda x: x.tally("dl", "completed"),
        lambda x: x.count_distinct("location_country", "user_id"),
        lambda x: x.users(columns=["user_id", "rfm_segment"]),
        lambda x: x.viewer_means("rfm_segment", "engagement_score"),
        lambda x: pd.DataFrame([x.summary()]),
    ]
    fast = [ask(q) for ask in asks]
    monkeypatch.setattr(session_query, "CUBE_MAX_GROUPS", 0)
    monkeypatch.setattr(session_query, "MAX_BITMAP_KEY", -1)
    plain = SessionQuery(demo_dir, flt, titles=gold["titles"])
    assert plain._cube_columns() == ()
    assert "bitstring_agg" not in plain._distinct_viewers()
    for a, ask in zip(fast, asks, strict=True):
        _same(a, ask(plain))


def test_title_filters_need_titles(demo_dir: Path):
    with pytest.raises(ValueError, match="titles"):
        SessionQuery(demo_dir, Filters(genres=("Drama",)))


def test_a_dataset_without_sessions_is_empty(tmp_path: Path):
    q = SessionQuery(tmp_path)
    assert len(q) == 0 and not q.has("device_type")
