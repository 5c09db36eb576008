"""A fresh server's first paint: only the declared navigation, also for a deep link.

Each test starts its own server process (the legacy ``pages/`` behaviour exists only until
the process has run ``st.navigation`` once) on the small prebuilt demo dataset. A
MutationObserver, installed before the page's own scripts, records the sidebar's text and
links at every change from its very first appearance, so a menu painted for a few
milliseconds before the first script run finishes is caught too.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import start_app, stop_app
from tests.e2e.helpers import ScriptRuns, errors_on_page, settle, sidebar_pages
from tests.e2e.test_walk import DECLARED_PAGES

pytestmark = pytest.mark.e2e
# what Streamlit would list from the pages/ file names (and the entry script's)
FILE_NAMED = ("streamlit app", "top10", "import data", "import_data", "overview", "catalog")

RECORD_SIDEBAR = """
window.__sidebar = [];
const seen = () => {
  const bar = document.querySelector('[data-testid="stSidebar"]');
  if (!bar) return;
  const links = [...bar.querySelectorAll('a')].map(a => a.innerText.trim().split('\\n').pop());
  const text = bar.innerText;
  const last = window.__sidebar[window.__sidebar.length - 1];
  if (!last || last.text !== text) window.__sidebar.push({t: performance.now(), text, links});
};
new MutationObserver(seen).observe(document, {subtree: true, childList: true,
                                               characterData: true});
"""


@pytest.fixture
def fresh_server(chromium_path, data_root, tmp_path):
    """A new server process on the small demo dataset (one per test: a fresh first run)."""
    with open(tmp_path / "streamlit.log", "w") as log:
        proc, url, _ = start_app(data_root, log)
    try:
        yield url
    finally:
        stop_app(proc)


def _open(browser, url: str, artifacts, name: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.add_init_script(RECORD_SIDEBAR)
    runs = ScriptRuns(page)
    page.goto(url)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.wait_for(state="attached", timeout=60_000)
    sidebar.screenshot(path=str(artifacts / f"first-paint-{name}-sidebar.png"))
    runs.wait_after(page, 0, timeout=120)
    settle(page, timeout=120)
    page.screenshot(path=str(artifacts / f"first-paint-{name}.png"))
    return context, page


def _check_every_paint(page) -> list[dict]:
    paints = page.evaluate("window.__sidebar")
    assert paints, "the sidebar never appeared"
    for paint in paints:
        assert not any(name in paint["text"] for name in FILE_NAMED), paint
        assert set(paint["links"]) <= set(DECLARED_PAGES), paint
    return paints


def test_first_paint_lists_only_the_declared_pages(fresh_server, browser, artifacts):
    context, page = _open(browser, fresh_server, artifacts, "root")
    try:
        paints = _check_every_paint(page)
        assert sidebar_pages(page) == DECLARED_PAGES
        assert paints[-1]["links"] == DECLARED_PAGES
        assert page.get_by_text("Streaming catalog overview").count()
        assert not errors_on_page(page)
    finally:
        context.close()


def test_deep_link_on_a_fresh_server_keeps_the_app_frame(fresh_server, browser, artifacts):
    """/catalog as the process's very first run: entry script, picker and navigation."""
    context, page = _open(browser, f"{fresh_server}/catalog", artifacts, "catalog")
    try:
        _check_every_paint(page)
        assert sidebar_pages(page) == DECLARED_PAGES
        # pills for a few datasets (was a selectbox: lib.ui.data.PICKER_PILLS_MAX)
        picker = page.locator('[data-testid="stSidebar"] [data-testid="stButtonGroup"]')
        assert "Dataset" in picker.inner_text()
        assert page.url.split("?")[0].rstrip("/").endswith("/catalog")
        assert not page.get_by_text("Streaming catalog overview").count()
        assert not errors_on_page(page)
    finally:
        context.close()
