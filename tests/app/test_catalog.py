"""Catalog page under AppTest on the small demo dataset (and on a catalog-only import)."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.config import LIST_SEP, PROJECT_ROOT
from tests.app.conftest import ENTRY, TIMEOUT, open_page

TABS = ("Genres", "Ratings", "Runtime & release", "Directors & cast", "Title table")


@pytest.fixture(scope="module")
def titles(demo_dir):
    """The gold titles as stored: expected values are computed from this with pandas."""
    return pd.read_parquet(demo_dir / "gold" / "titles.parquet")


def listing(titles: pd.DataFrame, column: str, *values: str) -> pd.Series:
    """Rows whose LIST_SEP-joined ``column`` lists any of ``values``."""
    return (
        titles[column]
        .fillna("")
        .str.split(LIST_SEP)
        .map(lambda items: bool(set(items) & set(values)))
    )


def matching(titles: pd.DataFrame, text: str) -> pd.DataFrame:
    """Titles whose title, cast or director contains ``text``, ignoring case."""
    hay = titles[["title", "cast", "director"]].fillna("").agg(" / ".join, axis=1)
    return titles[hay.str.lower().str.contains(text.lower(), regex=False)]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def findings(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("- ")]


def test_catalog_runs_with_kpis_insights_and_tabs(app, titles):
    at = open_page(app, "catalog")
    assert metric(at, "Titles shown") == f"{len(titles):,}"
    assert {"Genres", "Mean IMDb rating", "Titles in the Top 10"} <= {m.label for m in at.metric}
    assert len(findings(at)) >= 5
    assert [t.label for t in at.tabs] == list(TABS)
    assert not at.info  # nothing is missing in the demo data
    assert at.sidebar.multiselect(key="genre").value == []


def test_a_filter_changes_the_numbers_and_findings(app, titles):
    at = open_page(app, "catalog")
    before = findings(at)
    at.sidebar.multiselect(key="genre").set_value(["Drama"]).run()
    assert not at.exception
    expected = titles[listing(titles, "genres", "Drama")]
    assert 0 < len(expected) < len(titles)
    assert metric(at, "Titles shown") == f"{len(expected):,}"
    assert metric(at, "Mean IMDb rating") == f"{expected['imdb_rating'].mean():.2f}"
    charted = expected["weeks_in_top10"].fillna(0) > 0
    assert metric(at, "Titles in the Top 10") == f"{charted.sum():,} ({charted.mean():.0%})"
    assert findings(at) != before
    at.sidebar.multiselect(key="type").set_value(["Movie"]).run()
    both = expected[expected["content_type"] == "Movie"]
    assert 0 < len(both) < len(expected)
    assert metric(at, "Titles shown") == f"{len(both):,}"
    runtime = both["duration_minutes"].median()
    assert metric(at, "Median movie runtime") == f"{runtime:.0f} min"


def test_every_tab_renders_and_the_table_is_searchable(app, titles):
    at = open_page(app, "catalog")
    for tab in TABS:
        at.session_state["tab"] = tab
        at.run()
        assert not at.exception, (tab, [e.value for e in at.exception])
        assert not at.info, (tab, [i.value for i in at.info])
    table = at.dataframe[0].value
    assert len(table) == len(titles)
    name = titles["cast"].dropna().iloc[0].split("|")[0]
    at.text_input(key="q").set_value(name.upper()).run()  # the search ignores case
    shown = at.dataframe[0].value
    assert sorted(shown["title"]) == sorted(matching(titles, name)["title"])
    assert len(shown) > 0
    at.text_input(key="q").set_value("no such title zzz").run()
    assert any("No title, cast member or director" in i.value for i in at.info)


def test_an_empty_selection_shows_the_empty_state(app, titles):
    genres = sorted({g for gs in titles["genres"].dropna() for g in gs.split("|")})
    years = range(int(titles["release_year"].min()), int(titles["release_year"].max()) + 1)
    genre, year = next(
        (g, y)
        for g in genres
        for y in years
        if not (listing(titles, "genres", g) & (titles["release_year"] == y)).any()
    )
    at = open_page(app, "catalog")
    at.sidebar.multiselect(key="genre").set_value([genre])
    at.sidebar.slider(key="years").set_value((year, year)).run()
    assert not at.exception
    assert metric(at, "Titles shown") == "0"
    assert any("No title matches these filters" in i.value for i in at.info)
    assert not at.tabs  # the page stops after the empty state


def test_the_url_reopens_the_same_view(app, titles):
    app.query_params["genre"] = ["Comedy", "Crime"]
    app.query_params["tab"] = "Title table"
    at = open_page(app, "catalog")
    assert at.sidebar.multiselect(key="genre").value == ["Comedy", "Crime"]
    expected = titles[listing(titles, "genres", "Comedy", "Crime")]
    assert 0 < len(expected) < len(titles)
    assert metric(at, "Titles shown") == f"{len(expected):,}"
    assert len(at.dataframe[0].value) == len(expected)


@pytest.fixture(scope="module")
def catalog_only_root(tmp_path_factory):
    """A data root holding only a Kaggle-style catalog import (no ratings, no sessions)."""
    from lib.data.pipeline import build

    root = tmp_path_factory.mktemp("catalog_only")
    build(
        source=PROJECT_ROOT / "tests" / "fixtures" / "catalog.csv",
        name="catalog",
        data_dir=root / "catalog",
    )
    return root


def test_a_catalog_without_ratings_or_sessions_says_what_it_cannot_show(
    data_root, catalog_only_root, monkeypatch
):
    monkeypatch.setenv("STREAMDASH_DATA", str(catalog_only_root))
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    at = open_page(at, "catalog")
    titles = pd.read_parquet(catalog_only_root / "catalog" / "gold" / "titles.parquet")
    assert metric(at, "Titles shown") == f"{len(titles):,}"
    assert metric(at, "Mean rating") == "n/a"
    at.session_state["tab"] = "Ratings"
    at.run()
    assert not at.exception
    info = " ".join(i.value for i in at.info)
    assert "needs IMDb-style ratings or critic scores" in info
    at.switch_page("pages/engagement.py")
    at.run()
    assert not at.exception
    assert any("Engagement needs watch history" in i.value for i in at.info)


def test_reset_puts_every_filter_back_to_no_filtering(app, titles):
    at = open_page(app, "catalog")
    reset = next(b for b in at.sidebar.button if b.key == "filters_reset")
    assert reset.disabled  # nothing to reset yet
    at.sidebar.multiselect(key="genre").set_value(["Drama"])
    at.sidebar.slider(key="years").set_value((2000, 2010)).run()
    assert metric(at, "Titles shown") != f"{len(titles):,}"
    next(b for b in at.sidebar.button if b.key == "filters_reset").click().run()
    assert not at.exception
    assert metric(at, "Titles shown") == f"{len(titles):,}"
    assert at.sidebar.multiselect(key="genre").value == []
    years = at.sidebar.slider(key="years")
    assert years.value == (years.min, years.max)
