"""AppTest helpers: run the real entry script with the small demo dataset."""

from __future__ import annotations

import re
from html import unescape

import pytest
from streamlit.testing.v1 import AppTest

from lib.config import PROJECT_ROOT

ENTRY = str(PROJECT_ROOT / "streamlit_app.py")
TIMEOUT = 60


@pytest.fixture
def app(data_root):
    """A fresh AppTest of the entry script (not yet run)."""
    return AppTest.from_file(ENTRY, default_timeout=TIMEOUT)


def open_page(at: AppTest, page: str) -> AppTest:
    """Run the app, then switch to ``pages/<page>.py`` and run it."""
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


_TILE = re.compile(
    r'<div class="sd-tile-label"><span class="sd-tile-name">(.*?)</span>.*?'
    r'<div class="sd-tile-value"[^>]*>(.*?)</div>',
    re.S,
)


def tiles(at: AppTest) -> dict[str, str]:
    """Label -> value of every figure tile on the page: ``st.metric`` tiles and the HTML
    tiles of ``lib.charts.html_tiles`` (the Overview's), as the analyst reads them."""
    shown = {m.label: m.value for m in at.metric}
    for block in at.html:
        shown.update((unescape(k), unescape(v)) for k, v in _TILE.findall(block.value))
    return shown
