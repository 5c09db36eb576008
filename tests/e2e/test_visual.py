"""Screenshot comparison of a few key charts, in the light and the dark theme.

Each chart's element screenshot is compared with its reference image under
``tests/e2e/__snapshots__/test_visual/`` (fixed viewport, the small prebuilt demo with seed 0,
animations off, the mouse away from the charts). A pixel counts as different when one of
its channels moved by more than ``PIXEL_THRESHOLD`` (of 255); the test fails when more than
``TOLERANCE`` of the pixels differ, and saves the actual image and a diff (differing pixels
red over a faded reference) under ``artifacts/e2e/visual/``.

After an intended change, look at the new images and refresh the references with
``python -m pytest tests/e2e/test_visual.py --update-snapshots`` (commit the PNGs).

Pixels depend on the browser build (text rasterisation, anti-aliasing), so the refresh also
writes the Chromium version into ``BROWSER``; with another Chromium the comparison is
skipped with a reason that names both versions, instead of failing on every chart.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.e2e.conftest import SCHEMES
from tests.e2e.helpers import settle

pytestmark = pytest.mark.e2e

SNAPSHOTS = Path(__file__).parent / "__snapshots__" / "test_visual"
UPDATE = "python -m pytest tests/e2e/test_visual.py --update-snapshots"
BROWSER = SNAPSHOTS / "BROWSER"  # the Chromium version the references were taken with
#: a channel difference above this (of 255) makes a pixel "different": a colour moved by
#: more than 8 levels (e.g. the brand red for a slightly darker one: 25) counts
PIXEL_THRESHOLD = 8
#: the share of different pixels a chart may have: 0.1%, about one short word of a chart.
#: Three runs on a fresh server gave identical images (0 px); the smallest change tried,
#: three bar labels with one more digit, moved 0.45% (README, Tests)
TOLERANCE = 0.001

# (reference name, app page, element locator): the Overview's trend (HTML, the landing
# page's first paint), the Catalog genre bars, the Engagement device heatmap and the Overview
# layer scores (Vega-Lite, labels drawn on the bars; in the quality details, opened first)
CHARTS = [
    ("overview-watch-hours", "Overview", ".sd-trend"),
    ("overview-layer-scores", "Overview", '[data-testid="stVegaLiteChart"] >> nth=1'),
    ("catalog-genres", "Catalog", ".st-key-fig-cat-genre_popularity"),
    ("engagement-device-heatmap", "Engagement", ".st-key-fig-eng-device_heatmap"),
]
CASES = [(scheme, *chart) for scheme in SCHEMES for chart in CHARTS]
# charts a page draws on demand: the expander to open first (the Overview's quality details)
OPENED_BY = {"overview-layer-scores": "Quality details"}


def differing(actual: Image.Image, expected: Image.Image) -> np.ndarray | None:
    """Boolean mask of the differing pixels, or ``None`` when the sizes differ."""
    a = np.asarray(actual.convert("RGB"), dtype=np.int16)
    e = np.asarray(expected.convert("RGB"), dtype=np.int16)
    if a.shape != e.shape:
        return None
    return np.abs(a - e).max(axis=2) > PIXEL_THRESHOLD


def diff_image(expected: Image.Image, mask: np.ndarray) -> Image.Image:
    """The reference faded to grey, the differing pixels in red."""
    grey = np.asarray(expected.convert("L"), dtype=np.float32)
    out = np.repeat((255 - (255 - grey) * 0.35)[..., None], 3, axis=2).astype(np.uint8)
    out[mask] = (230, 0, 0)
    return Image.fromarray(out)


@pytest.mark.parametrize(
    ("scheme", "name", "page_title", "selector"), CASES, ids=[f"{c[1]}-{c[0]}" for c in CASES]
)
def test_chart_looks_like_its_reference(
    scheme_pages, browser, artifacts, request, scheme, name, page_title, selector
):
    updating = request.config.getoption("--update-snapshots", default=False)
    made_with = BROWSER.read_text().strip() if BROWSER.is_file() else None
    if not updating and made_with and made_with != browser.version:
        pytest.skip(
            f"the references were taken with Chromium {made_with}, this is {browser.version}: "
            f"pixels differ between builds; refresh them with: {UPDATE}"
        )
    sp = scheme_pages[scheme]
    sp.open(page_title)
    page = sp.page
    if name in OPENED_BY and page.locator(selector).count() == 0:
        done = sp.runs.finished
        page.get_by_text(OPENED_BY[name]).click()
        sp.runs.wait_after(page, done, timeout=120)
        settle(page, timeout=120)
    page.mouse.move(1, 1)  # no hover label, no chart toolbar
    chart = page.locator(selector)
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    png = chart.screenshot(animations="disabled", caret="hide")
    reference = SNAPSHOTS / f"{name}-{scheme}.png"
    if updating:
        reference.parent.mkdir(parents=True, exist_ok=True)
        reference.write_bytes(png)
        BROWSER.write_text(browser.version + "\n")
        pytest.skip(f"reference written: {reference}")
    out = artifacts / "visual"
    out.mkdir(exist_ok=True)
    actual_path = out / f"{name}-{scheme}-actual.png"
    if not reference.is_file():
        actual_path.write_bytes(png)
        pytest.fail(f"no reference image {reference}; create it with: {UPDATE}")
    actual = Image.open(io.BytesIO(png))
    expected = Image.open(reference)
    mask = differing(actual, expected)
    if mask is None:
        actual_path.write_bytes(png)
        pytest.fail(
            f"{name} ({scheme}) is {actual.size[0]}x{actual.size[1]} px, its reference "
            f"{expected.size[0]}x{expected.size[1]}: see {actual_path}. If the change is "
            f"intended, refresh the references: {UPDATE}"
        )
    share = float(mask.mean())
    if share > TOLERANCE:
        actual_path.write_bytes(png)
        diff_path = out / f"{name}-{scheme}-diff.png"
        diff_image(expected, mask).save(diff_path)
        pytest.fail(
            f"{name} ({scheme}): {share:.2%} of pixels differ from {reference.name} "
            f"(tolerance {TOLERANCE:.2%}); actual {actual_path}, diff {diff_path}. If the "
            f"change is intended, refresh the references: {UPDATE}"
        )
