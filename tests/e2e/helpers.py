"""Waiting for Streamlit to settle, and reading what the page shows."""

from __future__ import annotations

import time

from playwright.sync_api import Page

ERROR_SELECTORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def settle(page: Page, timeout: float = 60.0, quiet: float = 1.5) -> float:
    """Wait until the script finished and every Plotly chart drew its SVG; return seconds."""
    t0 = time.monotonic()
    calm_since = None
    while time.monotonic() - t0 < timeout:
        running = page.query_selector('[data-testid="stStatusWidget"]')
        skeleton = page.query_selector('[data-testid="stSkeleton"]')
        charts = page.query_selector_all('[data-testid="stPlotlyChart"]')
        drawn = page.query_selector_all('[data-testid="stPlotlyChart"] .main-svg')
        ready = not running and not skeleton and len(drawn) >= len(charts)
        if ready:
            calm_since = calm_since or time.monotonic()
            if time.monotonic() - calm_since >= quiet:
                return calm_since - t0
        else:
            calm_since = None
        time.sleep(0.1)
    raise TimeoutError(f"page did not settle within {timeout} s")


def errors_on_page(page: Page) -> list[str]:
    return [e.inner_text()[:300] for e in page.query_selector_all(ERROR_SELECTORS)]


def plotly_charts(page: Page) -> list[dict]:
    """For every Plotly chart: number of drawn traces (non-empty when > 0)."""
    return page.eval_on_selector_all(
        '[data-testid="stPlotlyChart"] .js-plotly-plot',
        "els => els.map(e => ({traces: (e.data || []).length,"
        " points: (e.data || []).reduce((n, t) => n + ((t.x || t.values || t.z || t.labels"
        " || t.node && t.node.label || []).length || 0), 0)}))",
    )


def sidebar_pages(page: Page) -> list[str]:
    # the link text starts with the material icon's ligature name; the title is the last line
    return [
        a.inner_text().strip().splitlines()[-1].strip()
        for a in page.query_selector_all('[data-testid="stSidebarNav"] a')
    ]


def open_page(page: Page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
