"""Click to filter in a real browser: a genre bar filters the Catalog, the URL keeps it."""

from __future__ import annotations

import time

import pytest

from tests.e2e.helpers import errors_on_page, settle

pytestmark = pytest.mark.e2e
CHIPS = '.st-key-cf-chips [data-testid="stTooltipHoverTarget"] button'  # chips have help


def _kpis(page) -> dict[str, str]:
    out = {}
    for m in page.query_selector_all('[data-testid="stMetric"]'):
        label = m.query_selector('[data-testid="stMetricLabel"]').inner_text().strip()
        out[label] = m.query_selector('[data-testid="stMetricValue"]').inner_text().strip()
    return out


def _count(text: str) -> int:
    return int(text.replace(",", ""))


def _chips(page) -> list[str]:
    return [b.inner_text().strip().splitlines()[-1] for b in page.query_selector_all(CHIPS)]


def _bars(page, chart_index: int) -> dict[str, tuple[float, float]]:
    """Category -> centre on screen of the widest drawn bar of each category of a chart."""
    chart = page.locator('[data-testid="stPlotlyChart"]').nth(chart_index)
    chart.scroll_into_view_if_needed()
    found = chart.evaluate(
        """el => {
          const gd = el.querySelector('.js-plotly-plot');
          const cats = gd._fullLayout.yaxis._categories;
          return [...el.querySelectorAll('g.point path')].map(p => {
            const r = p.getBoundingClientRect();
            return {cat: cats[p.__data__.p], x: r.x + r.width / 2, y: r.y + r.height / 2,
                    w: r.width};
          }).filter(b => b.w > 2);
        }"""
    )
    out: dict[str, tuple[float, float, float]] = {}
    for b in found:
        if b["cat"] not in out or b["w"] > out[b["cat"]][2]:
            out[b["cat"]] = (b["x"], b["y"], b["w"])
    return {k: (v[0], v[1]) for k, v in out.items()}


def _click_bar(page, chart_index: int, category: str) -> None:
    x, y = _bars(page, chart_index)[category]
    page.mouse.click(x, y)


def _chart_data(page, chart_index: int) -> str:
    return (
        page.locator('[data-testid="stPlotlyChart"]')
        .nth(chart_index)
        .evaluate(
            "el => JSON.stringify("
            "el.querySelector('.js-plotly-plot').data.map(t => t.values || t.x))"
        )
    )


def _wait_change(page, before: dict, timeout: float = 60) -> dict:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        time.sleep(0.3)
        settle(page, quiet=0.8)
        now = _kpis(page)
        if now != before:
            return now
    return _kpis(page)


@pytest.fixture(scope="module")
def catalog(server, browser, artifacts):
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    page = context.new_page()
    page.goto(server["url"] + "/catalog")
    page.get_by_text("Titles shown").first.wait_for(timeout=300_000)  # demo built by the walk
    settle(page)
    yield page, server["url"], artifacts
    context.close()


def test_click_a_genre_bar_filters_the_page_and_the_url_keeps_it(catalog):
    page, url, artifacts = catalog
    before, treemap = _kpis(page), _chart_data(page, 1)
    genre = sorted(_bars(page, 0))[1]
    _click_bar(page, 0, genre)
    after = _wait_change(page, before)
    # the chip names the clicked genre, the KPI tiles changed, the URL carries the filter
    assert _chips(page) == [f"genre = {genre}"]
    assert after["Titles shown"] != before["Titles shown"]
    assert _count(after["Titles shown"]) < _count(before["Titles shown"])
    assert "cf=genre" in page.url
    # the other charts were redrawn from the filtered titles
    assert _chart_data(page, 1) != treemap
    page.screenshot(path=str(artifacts / "chart-filter-catalog.png"), full_page=True)
    assert not errors_on_page(page)

    # a reload of the URL shows the same state
    page.goto(page.url)
    page.get_by_text("Titles shown").first.wait_for(timeout=60_000)
    settle(page)
    assert _chips(page) == [f"genre = {genre}"]
    assert _kpis(page) == after

    # removing the chip brings the whole catalog back
    page.locator(CHIPS).first.click()
    restored = _wait_change(page, after)
    assert restored == before
    assert _chips(page) == []
    assert "cf=" not in page.url


def test_a_second_click_on_the_same_bar_removes_its_filter(catalog):
    page, url, _ = catalog
    page.goto(url + "/catalog")
    page.get_by_text("Titles shown").first.wait_for(timeout=60_000)
    settle(page)
    before = _kpis(page)
    genre = sorted(_bars(page, 0))[0]
    _click_bar(page, 0, genre)
    after = _wait_change(page, before)
    assert _chips(page) == [f"genre = {genre}"]
    # the redrawn chart still has the clicked genre's bar (every title shown carries it)
    _click_bar(page, 0, genre)
    assert _wait_change(page, after) == before
    assert _chips(page) == []
