"""A title made of HTML and markdown renders as text on every page (issue 8 hardening).

The demo generator's most-watched title is renamed to a crafted string before the build;
every page then runs under AppTest on that dataset. Wherever a markdown-rendered element
(markdown, caption, alerts, headers) shows the title, it must be escaped: no raw ``<script>``
tag and no live markdown emphasis or link. And where a page shows the title (the
recommender's heading and title picker, the Top 10 title picker, the catalog's title table when
searched), the analyst must see it whole, character for character.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.config import PROJECT_ROOT
from lib.data.pipeline import build_tables
from lib.data.synth import WINDOW, generate

CRAFTED = "<script>alert('x')</script> **Bold** [click](http://example.com) _it_ #1"
PAGES = ["overview", "catalog", "engagement", "recommender", "clusters", "top10", "import_data"]
MARKDOWN_KINDS = (
    "markdown",
    "caption",
    "info",
    "warning",
    "error",
    "success",
    "title",
    "header",
    "subheader",
)

# where each page shows the most-watched title (the others do not name single titles)
SHOWN_IN = {
    "catalog": {"dataframe"},
    "recommender": {"markdown", "subheader", "selectbox"},
    "top10": {"selectbox"},
}


def _as_rendered(markdown: str) -> str:
    """The text markdown displays for backslash escapes (CommonMark: ``\\x`` shows ``x``)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _shown_as_text(at: AppTest) -> set[str]:
    """Kinds of element that display the crafted title whole, as plain text."""
    shown = set()
    for kind in MARKDOWN_KINDS:
        if any(CRAFTED in _as_rendered(str(el.value or "")) for el in getattr(at, kind)):
            shown.add(kind)
    for frame in at.dataframe:
        if (frame.value.astype(str) == CRAFTED).any(axis=None):
            shown.add("dataframe")
    if any(CRAFTED in str(o) for box in at.selectbox for o in box.options):
        shown.add("selectbox")
    return shown


@pytest.fixture(scope="module")
def crafted_root(tmp_path_factory):
    data = generate(scale=0.1, seed=4)
    movies = data.tables["movies"].copy()
    top = data.tables["watch_history"]["movie_id"].value_counts().index[0]
    movies["title"] = movies["title"].astype(object)
    movies.loc[movies["movie_id"] == top, "title"] = CRAFTED
    root = tmp_path_factory.mktemp("crafted")
    build_tables(
        {**data.tables, "movies": movies},
        data_dir=root / "crafted",
        name="crafted",
        source="crafted title test",
        as_of=pd.Timestamp(WINDOW[1]),
    )
    return root, top


@pytest.mark.parametrize("page", PAGES)
def test_crafted_title_is_shown_as_text(crafted_root, page, monkeypatch):
    root, top = crafted_root
    monkeypatch.setenv("STREAMDASH_DATA", str(root))
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=180)
    at.query_params["ds"] = "crafted"
    if page == "recommender":
        at.query_params["rec_title"] = CRAFTED
    if page == "catalog":
        at.query_params["tab"] = "Title table"
        at.query_params["q"] = "<script>"
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for kind in MARKDOWN_KINDS:
        for el in getattr(at, kind):
            text = str(getattr(el, "value", "") or "")
            assert "<script>" not in text, (page, kind, text[:200])
            assert "**Bold**" not in text, (page, kind, text[:200])
            assert "[click](http://example.com)" not in text, (page, kind, text[:200])
    expected = SHOWN_IN.get(page, set())
    assert expected <= _shown_as_text(at), (page, expected, _shown_as_text(at))
