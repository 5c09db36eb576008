"""Waiting for Streamlit to settle, and reading what the page shows."""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from playwright.sync_api import Page

try:  # the protobuf messages of app and browser (installed with streamlit)
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
except ImportError:  # pragma: no cover
    BackMsg = ForwardMsg = None

ERROR_SELECTORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
# Ready: no script running, no skeleton, and EVERY Plotly chart has drawn (a chart draws three
# .main-svg layers, so counting them against the charts passed with a third of them drawn),
# every Vega-Lite chart (the Overview's quality details) has drawn its marks (a canvas, or an
# svg), and the Overview's HTML trend has decoded its line image.
READY_JS = """() => {
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  return [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .every(c => c.querySelector('.main-svg'))
    && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
    .every(c => c.querySelector('canvas, svg.marks'))
    && [...document.querySelectorAll('.sd-trend img')]
    .every(i => i.complete && i.naturalWidth > 0);
}"""


def settle(page: Page, timeout: float = 60.0, quiet: float = 1.5, poll: float = 0.1) -> float:
    """Wait until the script finished and every Plotly chart drew its SVG; return seconds.

    The page is checked every ``poll`` seconds, so the figure is late by up to that much (the
    benchmarks poll more often than the tests)."""
    t0 = time.monotonic()
    calm_since = None
    while time.monotonic() - t0 < timeout:
        if page.evaluate(READY_JS):
            calm_since = calm_since or time.monotonic()
            if time.monotonic() - calm_since >= quiet:
                return calm_since - t0
        else:
            calm_since = None
        time.sleep(poll)
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


# The app draws its own sidebar navigation with st.page_link (lib/ui/navigation.py;
# Streamlit's own menu, [data-testid="stSidebarNav"], is off: client.showSidebarNavigation).
NAV_LINKS = '[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]'


def html_trend(page: Page) -> dict:
    """The Overview's HTML trend (lib.charts.html_trend): the drawn width of its line image
    (0 when the image did not load) and its number of tooltip columns."""
    return page.evaluate(
        "() => { const t = document.querySelector('.sd-trend'); if (!t) return {line: 0,"
        " columns: 0}; const img = t.querySelector('img'); return {line: img && img.complete"
        " && img.naturalWidth > 0 ? img.getBoundingClientRect().width : 0,"
        " columns: t.querySelectorAll('.sd-col[title]').length}; }"
    )


def vega_charts(page: Page) -> list[dict]:
    """For every Vega-Lite chart: its drawn size in pixels (0 when nothing was drawn)."""
    return page.eval_on_selector_all(
        '[data-testid="stVegaLiteChart"]',
        "els => els.map(e => { const c = e.querySelector('canvas, svg.marks');"
        " return {width: c ? c.getBoundingClientRect().width : 0,"
        " height: c ? c.getBoundingClientRect().height : 0}; })",
    )


def sidebar_pages(page: Page) -> list[str]:
    # the link text starts with the material icon's ligature name; the title is the last line
    return [
        a.inner_text().strip().splitlines()[-1].strip() for a in page.query_selector_all(NAV_LINKS)
    ]


def open_page(page: Page, title: str) -> None:
    page.locator(NAV_LINKS, has_text=title).first.click()


def _parsed(cls, payload: bytes | str) -> tuple[Any, str | None]:
    """A websocket frame as Streamlit's message ``cls`` and its kind (None: not one)."""
    if cls is None or isinstance(payload, str):
        return None, None
    msg = cls()
    try:
        msg.ParseFromString(payload)
    except Exception:  # not such a message (cannot happen with Streamlit's own socket)
        return None, None
    return msg, msg.WhichOneof("type")


class ScriptRuns:
    """Counts the script runs the app reports finished to one page (sync or async Playwright).

    Streamlit sends a ``script_finished`` message over the page's websocket when a rerun (or
    a fragment rerun) is complete. Until it arrives the previous page is still on screen and
    looks "settled", so a timing must first wait for :attr:`finished` to grow, then for the
    charts to draw (:func:`settle`). Runs stopped early for a rerun are not counted.
    """

    _DONE = (0, 3)  # FINISHED_SUCCESSFULLY, FINISHED_FRAGMENT_RUN_SUCCESSFULLY

    def __init__(self, page) -> None:
        self.finished = 0
        self.finished_at = float("nan")  # time.monotonic() of the last counted run's end
        self.deltas_at: deque[float] = deque(maxlen=10_000)  # arrival of each element delta
        self.requests_at: deque[float] = deque(maxlen=10_000)  # rerun requests the page sent
        page.on("websocket", self._socket)

    def _socket(self, ws) -> None:
        ws.on("framereceived", self._frame)
        ws.on("framesent", self._sent)

    def _sent(self, payload: bytes | str) -> None:
        """A rerun request (a widget change, a page switch) leaving the browser."""
        if _parsed(BackMsg, payload)[1] == "rerun_script":
            self.requests_at.append(time.monotonic())

    def first_request_after(self, t: float) -> float:
        """When the page sent its first rerun request after ``t`` (NaN when none was sent)."""
        return next((r for r in self.requests_at if r > t), float("nan"))

    def _frame(self, payload: bytes | str) -> None:
        msg, kind = _parsed(ForwardMsg, payload)
        if kind in ("delta", "ref_hash"):
            self.deltas_at.append(time.monotonic())
        elif kind == "script_finished" and msg.script_finished in self._DONE:
            self.finished += 1
            self.finished_at = time.monotonic()

    def first_delta_after(self, t: float) -> float:
        """Arrival time of the first element delta after ``t`` (NaN when none arrived)."""
        return next((d for d in self.deltas_at if d > t), float("nan"))

    def wait_after(self, page: Page, count: int, timeout: float = 60.0) -> None:
        """Wait (sync API) until more than ``count`` runs have finished."""
        deadline = time.monotonic() + timeout
        while self.finished <= count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no script run finished within {timeout} s")
            page.wait_for_timeout(10)  # lets Playwright deliver the websocket events
