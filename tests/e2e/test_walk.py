"""A newcomer's walk in a real browser: first start builds the demo, every page renders."""

from __future__ import annotations

import re

import pytest

from tests.e2e.helpers import (
    errors_on_page,
    html_trend,
    open_page,
    plotly_charts,
    settle,
    sidebar_pages,
    vega_charts,
)

pytestmark = pytest.mark.e2e
IGNORED_CONSOLE = (re.compile(r"Download the React DevTools"),)
# the pages streamlit_app.py declares (PAGES), in sidebar order: every one must be listed
DECLARED_PAGES = [
    "Overview",
    "Catalog",
    "Engagement",
    "Recommender",
    "Cluster explorer",
    "Top 10 predictor",
    "Import data",
]


@pytest.fixture(scope="module")
def walk(server, browser, artifacts):
    """One browser page that did the first start; shared by the walk's tests in order."""
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda m: (
            console.append(m.text)
            if m.type == "error" and not any(p.search(m.text) for p in IGNORED_CONSOLE)
            else None
        ),
    )
    page.on("pageerror", lambda e: console.append(f"page error: {e}"))
    page.goto(server["url"])
    yield {"page": page, "console": console, "server": server, "artifacts": artifacts}
    context.close()


def test_first_start_builds_the_demo_with_visible_progress(walk):
    page = walk["page"]
    status = page.get_by_text("building the demo dataset", exact=False)
    status.first.wait_for(timeout=30_000)
    page.screenshot(path=str(walk["artifacts"] / "00-first-start.png"))
    page.get_by_text("Streaming catalog overview").wait_for(timeout=180_000)
    settle(page)
    assert (walk["server"]["data_root"] / "demo" / "gold" / "titles.parquet").is_file()


def test_every_page_renders_without_errors(walk):
    page = walk["page"]
    titles = sidebar_pages(page)
    assert "Overview" in titles and len(titles) >= 1
    assert titles == DECLARED_PAGES, titles
    for i, title in enumerate(titles):
        open_page(page, title)
        settle(page, timeout=300)  # first visits train models (Top 10: ~15 s idle, more loaded)
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        page.screenshot(path=str(walk["artifacts"] / f"{i + 1:02d}-{slug}.png"), full_page=True)
        assert not errors_on_page(page), (title, errors_on_page(page))
        charts = plotly_charts(page)
        assert all(c["traces"] > 0 for c in charts), (title, charts)
        # the Overview's quality details draw Vega-Lite charts (no Plotly bundle)
        light = vega_charts(page)
        assert all(c["width"] > 0 and c["height"] > 0 for c in light), (title, light)
        if title == "Overview":
            # the first paint draws the trend as HTML and no chart library's element; the
            # quality details draw two Vega-Lite charts on demand
            assert not charts and not light, (charts, light)
            trend = html_trend(page)
            assert trend["line"] > 0 and trend["columns"] > 10, trend
            light = trend  # the page shows a chart
            page.get_by_text("Quality details").click()
            page.wait_for_function(
                "document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]').length >= 2",
                timeout=120_000,
            )
            settle(page, timeout=120)
            details = vega_charts(page)
            assert len(details) == 2, details
            assert all(c["width"] > 0 and c["height"] > 0 for c in details)
            assert page.locator('[data-testid="stDataFrame"]').count() >= 1
            assert not errors_on_page(page), errors_on_page(page)
        if title in ("Overview", "Catalog", "Engagement"):
            assert charts or light, f"{title} shows no chart"
    assert not walk["console"], walk["console"]


def _charts_data(page) -> list[str]:
    return page.eval_on_selector_all(
        '[data-testid="stPlotlyChart"] .js-plotly-plot',
        "els => els.map(e => JSON.stringify((e.data || []).map(t => [t.type, t.x, t.y,"
        " t.marker && t.marker.color])))",
    )


def _goto(walk, path: str) -> None:
    walk["page"].goto(f"{walk['server']['url']}/{path}")
    settle(walk["page"], timeout=240)


def test_recommender_title_change_changes_the_results(walk):
    page = walk["page"]
    _goto(walk, "recommender")
    before = _charts_data(page)
    box = page.get_by_role("combobox", name="Title", exact=True)
    box.click()
    page.keyboard.type("Dragon", delay=20)
    page.get_by_role("option").first.click()
    settle(page)
    assert "rec_title=" in page.url
    assert _charts_data(page) != before
    assert not errors_on_page(page)


def test_top10_slider_changes_the_probability(walk):
    page = walk["page"]
    _goto(walk, "top10")

    def probability() -> str:
        metric = page.locator('[data-testid="stMetric"]', has_text="Top 10 probability")
        return metric.locator('[data-testid="stMetricValue"]').inner_text()

    before = probability()
    page.get_by_role("slider", name=re.compile(r"^IMDb rating")).focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    settle(page)
    assert probability() != before
    assert not errors_on_page(page)


def test_cluster_k_change_updates_the_chart(walk):
    page = walk["page"]
    _goto(walk, "clusters")
    before = _charts_data(page)
    page.get_by_role("slider", name=re.compile(r"^Number of clusters k")).focus()
    page.keyboard.press("ArrowRight")
    settle(page, timeout=120)
    assert "cl_k=" in page.url
    assert _charts_data(page) != before
    assert not errors_on_page(page)


def test_import_bad_file_shows_a_clear_error(walk):
    page = walk["page"]
    _goto(walk, "import_data")
    page.locator('input[type="file"]').set_input_files(
        files=[{"name": "not_text.csv", "mimeType": "text/csv", "buffer": bytes(range(256)) * 8}]
    )
    settle(page)
    errors = errors_on_page(page)
    assert any("not_text.csv" in e for e in errors), errors
    page.screenshot(path=str(walk["artifacts"] / "import-bad-file.png"), full_page=True)
    assert not [e for e in page.query_selector_all('[data-testid="stException"]')]
