"""Chart filters on the Catalog and Engagement pages under AppTest: URL in, numbers out.

A click in the browser becomes ``cf`` URL parameters (tests/e2e/test_chart_filters.py drives
the click itself); here the pages are opened with those parameters, as a reload does.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib.config import LIST_SEP
from lib.ui.widgets import md_escape
from tests.app.conftest import open_page


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def chips(at: AppTest) -> list:
    return [b for b in at.button if b.key and b.key.startswith("cf-chip-")]


def _open(app: AppTest, page: str, *cf: str) -> AppTest:
    app.query_params["cf"] = list(cf)
    return open_page(app, page)


def _has(series, value: str):
    return series.fillna("").str.split(LIST_SEP).map(lambda items: value in items)


@pytest.fixture(scope="module")
def genre(gold) -> str:
    """A genre that about a tenth to a half of the titles carry."""
    titles = gold["titles"]
    shares = {g: _has(titles["genres"], g).mean() for g in ("Drama", "Comedy", "Action", "Horror")}
    return next(g for g, s in shares.items() if 0.05 < s < 0.6)


def test_catalog_with_a_genre_chip_counts_only_that_genre(app, gold, genre):
    titles = gold["titles"]
    at = _open(app, "catalog", f"genre:{genre}", "device:Mobile")
    want = int(_has(titles["genres"], genre).sum())
    assert 0 < want < len(titles)
    assert metric(at, "Titles shown") == f"{want:,}"
    labels = [b.label for b in chips(at)]
    # the session chip is kept but said not to apply to the catalog
    assert labels == [f"genre = {genre}", "device = Mobile (Engagement only)"]
    caption = next(c.value for c in at.caption if "titles - filters" in c.value)
    assert caption.endswith("filters: " + md_escape(f"genre: {genre} (chart)"))

    # removing the genre chip shows every title again and leaves the device chip in the URL
    chips(at)[0].click().run()
    assert metric(at, "Titles shown") == f"{len(titles):,}"
    assert at.query_params["cf"] in ("device:Mobile", ["device:Mobile"])


def test_engagement_with_a_heatmap_cell_chip_counts_those_sessions(app, gold):
    s = gold["sessions"]
    at = _open(app, "engagement", "weekday:Sat", "hour:21")
    want = int(((s["weekday"] == 5) & (s["hour"] == 21)).sum())
    assert 0 < want < len(s)
    assert metric(at, "Sessions shown") == f"{want:,}"
    assert [b.label for b in chips(at)] == ["weekday = Sat", "start hour = 21:00"]


def test_chart_and_sidebar_filters_combine(app, gold, genre):
    s, titles = gold["sessions"], gold["titles"]
    app.query_params["device"] = ["Mobile"]
    at = _open(app, "engagement", f"genre:{genre}")
    ids = set(titles.loc[_has(titles["genres"], genre), "title_id"])
    want = int((s["title_id"].isin(ids) & (s["device_type"] == "Mobile")).sum())
    assert 0 < want
    assert metric(at, "Sessions shown") == f"{want:,}"


def test_bad_chart_filters_in_the_url_are_named_and_ignored(app, gold):
    at = _open(app, "catalog", "genre:No Such Genre", "hour:99", "nonsense")
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "No Such Genre" in warnings
    assert "'99' is not a start hour" in warnings
    assert "'nonsense' is not a chart filter" in warnings
    assert metric(at, "Titles shown") == f"{len(gold['titles']):,}"
    assert chips(at) == []
