"""A newcomer's walk in a real browser: first start builds the demo, every page renders."""

from __future__ import annotations

import re

import pytest

from tests.e2e.helpers import errors_on_page, open_page, plotly_charts, settle, sidebar_pages

pytestmark = pytest.mark.e2e
IGNORED_CONSOLE = (re.compile(r"Download the React DevTools"),)


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
    for i, title in enumerate(titles):
        open_page(page, title)
        page.wait_for_url(re.compile(".*"), timeout=10_000)
        settle(page)
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        page.screenshot(path=str(walk["artifacts"] / f"{i + 1:02d}-{slug}.png"), full_page=True)
        assert not errors_on_page(page), (title, errors_on_page(page))
        charts = plotly_charts(page)
        assert all(c["traces"] > 0 for c in charts), (title, charts)
        if title in ("Overview", "Catalog", "Engagement"):
            assert charts, f"{title} shows no chart"
    assert not walk["console"], walk["console"]
