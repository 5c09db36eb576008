"""Netflix engagement reports end to end: bronze -> gold table -> figures -> pages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from lib.charts import report as cr
from lib.data.pipeline import build_tables
from lib.data.store import load_gold
from lib.engagement_report import period_changes, report_findings, summarise, top_share
from tests.app.conftest import ENTRY

MOVIES = pd.DataFrame(
    {
        "movie_id": ["m1", "m2", "m3"],
        "title": ["Bridgerton", "Monster", "Quiet Film"],
        "content_type": ["TV Series", "Movie", "Movie"],
        "genres": ["Romance", "Drama", "Drama"],
        "release_year": [2020, 2024, 2019],
    }
)


def _report_rows() -> pd.DataFrame:
    def rows(label, start, end, data):
        return [
            {
                "report": label,
                "period_start": start,
                "period_end": end,
                "kind": kind,
                "title": title,
                "available_globally": glob,
                "release_date": rel,
                "hours_viewed": hours,
                "runtime_minutes": None,
                "views": views,
                "movie_id": mid,
            }
            for kind, title, glob, rel, hours, views, mid in data
        ]

    h1 = rows(
        "What We Watched 2024 Jan-Jun",
        "2024-01-01",
        "2024-06-30",
        [
            ("tv", "Bridgerton: Season 3", "Yes", "2024-05-16", 700_000_000, 90_000_000, "m1"),
            ("film", "Monster", "Yes", "2024-05-16", 100_000_000, 40_000_000, "m2"),
            ("film", "Monster", "No", "2021-05-07", 1_000_000, None, "report-monster-2021"),
            ("film", "Quiet Film", "No", None, 200_000, None, "m3"),
        ],
    )
    h2 = rows(
        "What We Watched 2023 Jul-Dec",
        "2023-07-01",
        "2023-12-31",
        [
            ("tv", "Bridgerton: Season 3", "Yes", "2024-05-16", 0, None, "m1"),
            ("film", "Quiet Film", "No", None, 300_000, None, "m3"),
        ],
    )
    return pd.DataFrame(h1 + h2)


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("reports")
    build_tables(
        {"movies": MOVIES, "engagement_report": _report_rows()},
        data_dir=root / "rep",
        name="rep",
        source="hand-made report rows",
        as_of=pd.Timestamp("2025-01-01"),
    )
    return root


def test_gold_report_parses_seasons_and_links_titles(report_dir: Path):
    g = load_gold(report_dir / "rep")["engagement_report"]
    assert len(g) == 6  # the two films called Monster are two rows (key has release_date)
    b = g[(g["title"] == "Bridgerton: Season 3") & (g["period_start"] == "2024-01-01")].iloc[0]
    assert (b["show"], b["season"], b["kind"], bool(b["available_globally"])) == (
        "Bridgerton",
        "Season 3",
        "tv",
        True,
    )
    assert b["hours_viewed"] == 700_000_000 and b["views"] == 90_000_000
    assert g["in_catalog"].sum() == 5  # the 2021 Monster is a report title of its own


def test_summary_and_findings_by_hand(report_dir: Path):
    g = load_gold(report_dir / "rep")["engagement_report"]
    s = summarise(g)
    assert (s.periods, s.titles) == (2, 4)
    assert s.hours == 801_200_000
    assert s.top1_share == pytest.approx(700 / 801.2)  # 1 of 4 titles: Bridgerton
    assert s.film_share == pytest.approx(101.2 / 801.2)
    assert s.matched_share == 0.75
    texts = " ".join(f.text for f in report_findings(g))
    assert "87%" in texts and "Films are 13%" in texts
    ch = period_changes(g).set_index("title")
    assert ch.loc["Quiet Film", "previous"] == 300_000 and ch.loc["Quiet Film", "latest"] == 200_000
    assert ch.loc["Quiet Film", "change"] == pytest.approx(-1 / 3)
    assert top_share(pd.Series([1.0, 1.0])) == 0.5


def test_report_figures_are_valid_plotly(report_dir: Path):
    g = load_gold(report_dir / "rep")["engagement_report"]
    for build in (
        cr.top_titles_hours,
        cr.hours_by_release_month,
        cr.availability,
        cr.concentration,
        cr.period_change,
    ):
        fig, data = build(g)
        go.Figure(fig.to_dict())  # validates every property
        assert len(data) > 0
    _, avail = cr.availability(g)
    yes = avail.set_index("available_globally").loc["yes"]
    assert yes["titles"] == 2 and yes["share_of_hours"] == pytest.approx(800 / 801.2)


def test_pages_show_the_report(report_dir: Path, monkeypatch):
    monkeypatch.setenv("STREAMDASH_DATA", str(report_dir))
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.run()
    at.switch_page("pages/engagement.py")
    at.run()
    assert not at.exception
    assert any(m.label == "Hours viewed" and "0.80 bn" in m.value for m in at.metric)
    at.switch_page("pages/catalog.py")
    at.run()
    assert not at.exception
    assert "Hours viewed" in [t.label for t in at.tabs]
