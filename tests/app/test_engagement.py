"""Engagement page under AppTest on the small demo dataset."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.config import LIST_SEP
from lib.data.store import load_gold
from tests.app.conftest import ENTRY, TIMEOUT, open_page

TABS = ("Devices", "Time of day", "Completion & quality", "Plans & countries", "Engagement score")


@pytest.fixture(scope="module")
def gold(demo_dir):
    return load_gold(demo_dir)


@pytest.fixture(scope="module")
def tables(demo_dir) -> dict[str, pd.DataFrame]:
    """The gold sessions and titles as stored: expected values are computed from these."""
    return {
        name: pd.read_parquet(demo_dir / "gold" / f"{name}.parquet")
        for name in ("sessions", "titles")
    }


def lists(column: pd.Series, value: str) -> pd.Series:
    """Does each LIST_SEP-joined cell list ``value``?"""
    return column.fillna("").str.split(LIST_SEP).map(lambda items: value in items)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def findings(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("- ")]


def test_engagement_runs_with_kpis_and_insights(app, gold):
    at = open_page(app, "engagement")
    sessions = gold["sessions"]
    assert metric(at, "Sessions shown") == f"{len(sessions):,}"
    assert metric(at, "Viewers") == f"{sessions['user_id'].nunique():,}"
    assert metric(at, "Completion rate") == f"{sessions['completed'].mean():.1%}"
    assert len(findings(at)) >= 5
    assert [t.label for t in at.tabs] == list(TABS)
    keys = {w.key for w in at.sidebar.multiselect}
    assert {"genre", "type", "country", "rating", "device", "plan", "vcountry"} <= keys
    assert at.sidebar.date_input(key="dates").value is not None


def test_session_and_title_filters_change_the_numbers(app, tables):
    sessions, titles = tables["sessions"], tables["titles"]
    at = open_page(app, "engagement")
    before = findings(at)
    at.sidebar.multiselect(key="device").set_value(["Mobile"]).run()
    assert not at.exception
    mobile = sessions[sessions["device_type"] == "Mobile"]
    assert 0 < len(mobile) < len(sessions)
    assert metric(at, "Sessions shown") == f"{len(mobile):,}"
    assert metric(at, "Viewers") == f"{mobile['user_id'].nunique():,}"
    assert metric(at, "Watch hours") == f"{mobile['watch_minutes'].sum() / 60:,.0f} h"
    assert findings(at) != before
    assert findings(at)[0].startswith(f"- All {len(mobile):,} sessions shown are on Mobile")
    # a title filter selects the sessions of the titles listing the genre (as the Catalog does)
    at.sidebar.multiselect(key="genre").set_value(["Drama"]).run()
    drama_ids = set(titles.loc[lists(titles["genres"], "Drama"), "title_id"])
    expected = mobile[mobile["title_id"].isin(drama_ids)]
    assert 0 < len(expected) < len(mobile)
    assert metric(at, "Sessions shown") == f"{len(expected):,}"
    assert metric(at, "Viewers") == f"{expected['user_id'].nunique():,}"


def test_every_tab_renders(app, gold):
    at = open_page(app, "engagement")
    at.sidebar.multiselect(key="plan").set_value(["Premium"]).run()
    for tab in TABS:
        at.session_state["tab"] = tab
        at.run()
        assert not at.exception, (tab, [e.value for e in at.exception])
    # the last tab: engagement score definition and the top engaged viewers of the selection
    assert any("Engagement score (0-100)" in i.value for i in at.info)
    top = at.dataframe[0].value
    premium = set(
        gold["sessions"].loc[gold["sessions"]["subscription_plan"] == "Premium", "user_id"]
    )
    assert 0 < len(top) <= 20 and set(top["user_id"]) <= premium
    assert list(top["engagement_score"]) == sorted(top["engagement_score"], reverse=True)
    assert (top["sessions_shown"] > 0).all()


def chart_data(at: AppTest, key: str) -> list[dict]:
    """The traces of the Plotly chart ``eng-<key>`` as sent to the browser."""
    (el,) = [e for e in at.get("plotly_chart") if e.proto.id.endswith(f"fig-eng-{key}")]
    return json.loads(el.proto.spec)["data"]


def heatmap_rows(at: AppTest) -> set[str]:
    # the heatmap, and the invisible click layer over its cells (chart filters) with the same rows
    heatmap, cells = chart_data(at, "device_heatmap")
    assert heatmap["type"] == "heatmap" and set(cells["y"]) == set(heatmap["y"])
    return set(heatmap["y"])


def sankey_nodes(at: AppTest) -> set[str]:
    (trace,) = chart_data(at, "sankey")
    return set(trace["node"]["label"])


@pytest.fixture(scope="module")
def groups(demo_dir) -> dict[str, set[str]]:
    """Viewer groups present in the demo's sessions, straight from the gold Parquet files."""
    sessions = pd.read_parquet(demo_dir / "gold" / "sessions.parquet")
    users = pd.read_parquet(demo_dir / "gold" / "users.parquet")
    watched = users[users["user_id"].isin(sessions["user_id"])]
    return {
        "age_band": set(sessions["age_band"].dropna()),
        "subscription_plan": set(sessions["subscription_plan"].dropna()),
        "rfm_segment": set(watched["rfm_segment"].dropna()),
    }


def test_segment_switches_are_bound_and_rerun(app, groups):
    at = open_page(app, "engagement")
    assert at.segmented_control(key="seg").value == "age_band"
    assert heatmap_rows(at) == groups["age_band"]
    at.segmented_control(key="seg").set_value("rfm_segment").run()
    assert not at.exception
    assert heatmap_rows(at) == groups["rfm_segment"]  # the rerun drew the new rows
    at.session_state["tab"] = "Plans & countries"
    at.run()
    assert groups["subscription_plan"] <= sankey_nodes(at)
    at.segmented_control(key="flow").set_value("age_band").run()
    assert not at.exception
    nodes = sankey_nodes(at)
    assert groups["age_band"] <= nodes and not groups["subscription_plan"] & nodes


def test_engagement_score_segments_are_bound_and_rerun(app, demo_dir):
    """The third switch (``segby``, Engagement score tab): its bars follow it and the URL
    reopens it (AppTest does not mirror a bound widget's change into ``query_params``, so
    the binding is checked by opening the URL)."""
    users = pd.read_parquet(demo_dir / "gold" / "users.parquet")
    plans = set(users["subscription_plan"].dropna())
    at = open_page(app, "engagement")
    at.session_state["tab"] = "Engagement score"
    at.run()
    (before,) = chart_data(at, "segment_engagement")
    assert not set(before["x"]) & plans  # the default segments are not the plans
    at.segmented_control(key="segby").set_value("subscription_plan").run()
    assert not at.exception
    (after,) = chart_data(at, "segment_engagement")
    assert set(after["x"]) <= plans and set(after["x"])
    again = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    again.query_params.update({"segby": "plan", "tab": "Engagement score"})
    again = open_page(again, "engagement")
    assert again.segmented_control(key="segby").value == "subscription_plan"


def test_segment_switches_reopen_from_the_url(app, groups):
    # the URL carries a switch's shown label (``?seg=RFM segment``) and keeps it
    app.query_params.update({"seg": "RFM segment", "flow": "age band"})
    at = open_page(app, "engagement")
    assert at.segmented_control(key="seg").value == "rfm_segment"
    assert heatmap_rows(at) == groups["rfm_segment"]
    assert at.query_params["seg"] == "RFM segment"
    at.session_state["tab"] = "Plans & countries"
    at.run()
    assert at.segmented_control(key="flow").value == "age_band"
    assert groups["age_band"] <= sankey_nodes(at)
    assert at.query_params["flow"] == "age band"


def test_an_empty_selection_shows_the_empty_state(app, gold):
    sessions = gold["sessions"]
    days = sorted(sessions["date"].dt.date.unique())
    devices = list(sessions["device_type"].cat.categories)
    day, device = next(
        (d, dev)
        for d in days
        for dev in devices
        if not ((sessions["date"].dt.date == d) & (sessions["device_type"] == dev)).any()
    )
    at = open_page(app, "engagement")
    at.sidebar.multiselect(key="device").set_value([device])
    at.sidebar.date_input(key="dates").set_value((day, day)).run()
    assert not at.exception
    assert metric(at, "Sessions shown") == "0"
    assert any("No session matches these filters" in i.value for i in at.info)


def test_the_url_reopens_the_same_view(app, tables):
    app.query_params["device"] = "Tablet"
    app.query_params["dates"] = ["2025-01-01", "2025-06-30"]
    at = open_page(app, "engagement")
    sessions = tables["sessions"]
    day = sessions["date"].dt.date
    expected = sessions[
        (sessions["device_type"] == "Tablet")
        & (day >= dt.date(2025, 1, 1))
        & (day <= dt.date(2025, 6, 30))
    ]
    assert 0 < len(expected) < (sessions["device_type"] == "Tablet").sum()
    assert metric(at, "Sessions shown") == f"{len(expected):,}"
    assert metric(at, "Completion rate") == f"{expected['completed'].mean():.1%}"
