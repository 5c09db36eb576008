"""The sidebar's dataset picker in the browser: pills that switch what every page shows.

A copy of the small demo is a second dataset for the length of the test (removed after).
"""

from __future__ import annotations

import shutil

import pytest

from tests.e2e.conftest import VIEWPORT
from tests.e2e.helpers import ScriptRuns, errors_on_page, settle

pytestmark = pytest.mark.e2e

PILL = '[data-testid="stSidebar"] [data-testid="stButtonGroup"] button'
CAPTION = '[data-testid="stMain"] [data-testid="stCaptionContainer"]'


def test_a_pill_switches_the_dataset_and_the_link_keeps_it(prebuilt_server, data_root, browser):
    """Clicking a dataset's pill on the Engagement page shows that dataset and puts it in the
    URL (?ds=, a link to share); the demo's pill takes the parameter away again; clicking
    the chosen pill keeps it (a dataset is always chosen)."""
    second = data_root / "picker_copy"
    shutil.copytree(data_root / "demo", second)
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    runs = ScriptRuns(page)

    def click(name: str) -> None:
        done = runs.finished
        page.locator(PILL, has_text=name).click()
        runs.wait_after(page, done, timeout=60)
        settle(page)

    try:
        page.goto(prebuilt_server["url"] + "/engagement")
        runs.wait_after(page, 0, timeout=120)
        settle(page)
        # (other tests' datasets may be there too; the label's help icon is no pill)
        pills = [t.strip() for t in page.locator(PILL).all_inner_texts() if t.strip()]
        assert pills[0] == "demo" and "picker_copy" in pills, pills
        click("picker_copy")
        assert "ds=picker_copy" in page.url
        assert page.locator(CAPTION).first.inner_text().startswith("Dataset picker_copy")
        click("demo")
        assert "ds=" not in page.url
        assert page.locator(CAPTION).first.inner_text().startswith("Dataset demo")
        done = runs.finished
        page.locator(PILL, has_text="demo").click()
        page.wait_for_timeout(1000)
        assert page.locator(CAPTION).first.inner_text().startswith("Dataset demo")
        assert "ds=" not in page.url and runs.finished - done <= 1
        assert not errors_on_page(page)
    finally:
        context.close()
        shutil.rmtree(second, ignore_errors=True)
