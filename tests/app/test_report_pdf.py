"""The "Download report (PDF)" button under AppTest: the Catalog page shows it next to its
caption, and the PDF it builds on click carries the tiles the page shows, for the filters set.
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

pypdf = pytest.importorskip("pypdf", reason="pypdf (requirements-dev.txt) reads the PDF text")


def test_catalog_pdf_button_builds_the_page_as_shown(app, demo_dir, monkeypatch):
    made = {}  # file name -> the callable the button runs on click
    add_deferred = MediaFileManager.add_deferred

    def spy(self, data, mimetype, coordinates, file_name=None, **kw):
        made[file_name] = data
        return add_deferred(self, data, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    genre = str(genre_counts(pd.read_parquet(demo_dir / "gold" / "titles.parquet"))["genre"][0])
    app.context = {"url": "http://localhost:8501/catalog"}
    at = app.run()
    at.switch_page("pages/catalog.py")
    at.query_params["genre"] = genre  # opened from a shared link with a filter
    at.run()
    assert not at.exception, [e.value for e in at.exception]

    button = at.download_button(key="pdf-catalog")
    assert button.label == LABEL
    assert "demo_catalog_report.pdf" in made
    pdf = made["demo_catalog_report.pdf"]()
    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    shown = {m.label: m.value for m in at.metric}
    assert "Titles shown" in shown
    for label, value in shown.items():
        assert f"{label} {value}" in text, (label, value)
    assert at.multiselect(key="genre").value == [genre]
    assert f"genre: {genre}" in text  # the sidebar filter, in words
    url = "http://localhost:8501/catalog?" + urlencode({"genre": genre})
    assert url in text  # the link to this view keeps the filter
