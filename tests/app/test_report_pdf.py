"""The "Download report (PDF)" buttons under AppTest: every page that has one shows it, and
the PDF it builds on click carries every tile the page shows (label and value as shown),
for the filters set; the Catalog, opened from a shared link with a genre filter, prints the
filter in words and the link to the view.
"""

from __future__ import annotations

import io
import re
from urllib.parse import urlencode

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from lib.charts.catalog import genre_counts
from lib.ui.report_pdf import LABEL
from tests.app.conftest import tiles

pypdf = pytest.importorskip("pypdf", reason="pypdf (requirements-dev.txt) reads the PDF text")

# page -> (button key, file name of the demo's report)
PAGES = {
    "overview": ("pdf-overview", "demo_overview_report.pdf"),
    "catalog": ("pdf-catalog", "demo_catalog_report.pdf"),
    "engagement": ("pdf-engagement", "demo_engagement_report.pdf"),
    "clusters": ("pdf-clusters", "demo_viewers_clusters_report.pdf"),
    "top10": ("pdf-top10", "demo_top10_model_quality_report.pdf"),
}


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))


def test_every_pdf_button_builds_its_page_as_shown(app, demo_dir, monkeypatch):
    made = {}  # file name -> the callable the button runs on click
    add_deferred = MediaFileManager.add_deferred

    def spy(self, data, mimetype, coordinates, file_name=None, **kw):
        made[file_name] = data
        return add_deferred(self, data, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    genre = str(genre_counts(pd.read_parquet(demo_dir / "gold" / "titles.parquet"))["genre"][0])
    app.context = {"url": "http://localhost:8501/"}
    at = app.run()
    for page, (key, file_name) in PAGES.items():
        if page != "overview":  # the landing page ran first
            at.switch_page(f"pages/{page}.py")
            if page == "catalog":
                at.query_params["genre"] = genre  # opened from a shared link with a filter
            if page == "top10":
                at.query_params["t10_tab"] = "Model quality"
            at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert at.download_button(key=key).label == LABEL
        pdf = made.pop(file_name)()
        assert pdf.startswith(b"%PDF-")
        text = _text(pdf)
        shown = tiles(at)  # st.metric and the Overview's HTML tiles
        assert len(shown) >= 4, page
        for label, value in shown.items():
            assert f"{label} {value}" in text, (page, label, value)
        if page == "catalog":
            assert at.multiselect(key="genre").value == [genre]
            assert f"genre: {genre}" in text  # the sidebar filter, in words
            url = re.search(r"View URL (\S+)", text).group(1)  # the link to this view
            assert url.startswith("http://localhost:8501/")
            assert url.endswith("?" + urlencode({"genre": genre}))  # keeps the filter
