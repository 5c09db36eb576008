"""Speed budget in a real browser (Chromium via Playwright), demo data at scale 1.

    python -m benchmarks.browser [--repeat 5] [--data-root DIR] [--cold-only] [--poll 0.02]

Prints the median (and min/max) of ``--repeat`` runs of:
  cold start   server process start -> first page (Overview) fully rendered (data built), in
               a fresh browser profile (nothing cached). Measured in the same process for two
               baseline apps (``benchmarks/baseline/``: a bare Streamlit page, and one with a
               single Plotly chart), printed with the app's ratio to them: what Streamlit
               itself costs on this machine. A third baseline has the Overview's element
               types with fixed text and no data (``baseline/same_elements.py``): each
               element type makes a new browser load its own JavaScript, so this is the
               floor for a page built of those elements. Also printed: the same cold start with the
               browser's cache warm (Streamlit's hashed JS is cached for a year), as when an
               analyst reopens the app after a server restart.
  first visit  a new browser (empty cache) opening a server that is already running and has
               served the page once (imports and data caches warm): page open -> Overview
               fully rendered, for the app and the two baselines (servers started together,
               visits interleaved), printed with the app's ratio to the bare page's (issue 14:
               <= 1.3x). What a second analyst waits for.
  page switch  sidebar click -> page fully rendered, per page
  recommender  title change -> the new results visible: the similarity heatmap of the results
               redrawn with new data. The results table (a canvas) repaints in the same
               animation frame; its accessible text cells follow 200-250 ms later, so they
               are printed as a part rather than used as the signal
  top 10       one slider change (a PageUp / PageDown key press: a tenth of the range, always
               a visible change) -> the new probability visible
"Fully rendered" = the app reported the script run finished (its ``script_finished`` message
reached the page), then no script running, no skeleton and every Plotly chart has drawn its
SVG (the rule of the browser tests). Without the first condition a timing could stop while
the previous page was still on screen. The page is checked every ``--poll`` seconds (20 ms;
the browser tests check every 100 ms, and a timing polled so could be late by up to 100 ms:
a tenth of the bare page's first visit, and more for a page that becomes ready a moment after
its run finished than for one ready at once). Budgets (issue 8): 3 s, 1.5 s, 500 ms, 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from lib.config import data_root
from tests.e2e.conftest import CHROME_ARGS, CHROMIUM, start_app, stop_app
from tests.e2e.helpers import ScriptRuns, open_page, settle, sidebar_pages

BUDGET = {"cold start": 3.0, "page switch": 1.5, "recommender": 0.5, "top 10": 0.3}
RATIO_TARGETS = {"cold start": 1.5, "first visit": 1.3}  # x the bare page, same run (issue 14)
VIEWPORT = {"width": 1400, "height": 1000}
BASELINES = {
    "bare Streamlit page": "benchmarks/baseline/bare.py",
    "one Plotly chart": "benchmarks/baseline/one_chart.py",
    # the Overview's element types with fixed text: what Streamlit's element code costs
    "Overview's elements, no data": "benchmarks/baseline/same_elements.py",
}


_start, _stop = start_app, stop_app
POLL_S = [0.02]  # seconds between two checks of a page for "settled" (--poll)


class _Skip(Exception):
    """Raised to skip the warm-server part (``--cold-only``)."""


def _rendered(page, runs: ScriptRuns, before: int, t0: float, timeout: float) -> float:
    """Seconds from ``t0`` until a run after the ``before``-th finished and the page settled."""
    runs.wait_after(page, before, timeout=timeout)
    t_wait = time.monotonic()
    return t_wait - t0 + settle(page, timeout=timeout, poll=POLL_S[0])


def _wait_change(read, before, timeout: float = 30.0) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if read() != before:
            return time.monotonic() - t0
        time.sleep(0.01)
    raise TimeoutError("no visible change")


def _wait_changes(watch: dict, timeout: float = 30.0) -> dict[str, float]:
    """Seconds until each ``name: (read, before)`` reads something else (polled together)."""
    t0, seen = time.monotonic(), {}
    while len(seen) < len(watch):
        if time.monotonic() - t0 > timeout:
            raise TimeoutError(f"no visible change of {sorted(set(watch) - set(seen))}")
        for name, (read, before) in watch.items():
            if name not in seen and read() != before:
                seen[name] = time.monotonic() - t0
        time.sleep(0.01)
    return seen


def _heatmap(page) -> str:
    return str(
        page.eval_on_selector_all(
            '[data-testid="stPlotlyChart"] .js-plotly-plot',
            "els => els.map(e => (e.data || []).map(t => t.y))",
        )
    )


def _results(page) -> str:
    """Text of the first rows of the results table (the data grid's accessible cells)."""
    return str(
        page.eval_on_selector_all(
            '[data-testid="stDataFrame"] td', "els => els.slice(0, 30).map(e => e.innerText)"
        )
    )


def _cold_start(browser, root: Path, script: str, context=None) -> tuple[float, dict]:
    """Seconds from server process start to the first page rendered, and its parts.

    A new browser context (empty cache) unless ``context`` is given (its cache is kept)."""
    proc, url, t_start = _start(root, script=script)
    try:
        t_healthy = time.monotonic()
        page = context.new_page() if context else browser.new_page(viewport=VIEWPORT)
        runs = ScriptRuns(page)
        page.goto(url)  # returns at the load event: HTML and the main JS bundle
        t_loaded = time.monotonic()
        rendered = _rendered(page, runs, 0, t_start, timeout=120)
        t_delta = runs.first_delta_after(t_loaded)
        parts = {
            "server start (process -> health check answers)": t_healthy - t_start,
            "page load (HTML + main JS, to the load event)": t_loaded - t_healthy,
            "load event -> first element (socket, script start)": t_delta - t_loaded,
            "first element -> script run finished": runs.finished_at - t_delta,
            "run finished -> every chart drawn": t_start + rendered - runs.finished_at,
        }
        page.close()
        return rendered, parts
    finally:
        _stop(proc)


def _first_visits(browser, root: Path, repeat: int) -> dict[str, list[float]]:
    """Seconds from opening the URL in a new browser context (empty cache) to the page
    rendered, on servers (app and baselines) that already served the page once."""
    scripts = {"first visit": "streamlit_app.py", **BASELINES}
    servers = {step: _start(root, script=script) for step, script in scripts.items()}
    out: dict[str, list[float]] = {step: [] for step in scripts}
    try:
        for _, url, _ in servers.values():  # warm: imports, caches, the first run
            page = browser.new_page(viewport=VIEWPORT)
            runs = ScriptRuns(page)
            page.goto(url)
            _rendered(page, runs, 0, time.monotonic(), timeout=120)
            page.close()
        for _ in range(repeat):
            for step, (_, url, _) in servers.items():
                context = browser.new_context(viewport=VIEWPORT)
                page = context.new_page()
                runs = ScriptRuns(page)
                t0 = time.monotonic()
                page.goto(url)
                out[step].append(_rendered(page, runs, 0, t0, timeout=120))
                context.close()
    finally:
        for proc, _, _ in servers.values():
            _stop(proc)
    return out


def _probability(page) -> str:
    m = page.locator('[data-testid="stMetric"]', has_text="Top 10 probability")
    return m.locator('[data-testid="stMetricValue"]').inner_text()


def _fmt(values: list[float], budget: float) -> str:
    med = statistics.median(values)
    verdict = "met" if med <= budget else "MISSED"
    return (
        f"median {med * 1000:7.0f} ms  (min {min(values) * 1000:.0f}, max "
        f"{max(values) * 1000:.0f}; budget {budget * 1000:.0f} ms: {verdict}, "
        f"{med / budget:.2f} x)"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--data-root",
        type=Path,
        default=None,
        help="folder holding a built 'demo' dataset (default: data/, built if absent)",
    )
    ap.add_argument(
        "--cold-only",
        action="store_true",
        help="measure only the cold start (and its baselines), not page switches or widgets",
    )
    ap.add_argument(
        "--poll",
        type=float,
        default=POLL_S[0],
        help="seconds between two checks of a page for settled (default 0.02)",
    )
    args = ap.parse_args(argv)
    POLL_S[0] = args.poll
    root = args.data_root or data_root()
    if not (root / "demo" / "manifest.json").is_file():
        from lib.data.pipeline import build

        root = Path(tempfile.mkdtemp(prefix="bench-browser-"))
        print(f"building the scale-1 demo into {root} ...", flush=True)
        build(scale=1, seed=0, data_dir=root / "demo")
    from playwright.sync_api import sync_playwright

    print(
        f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; pages "
        f"checked for settled every {POLL_S[0] * 1000:.0f} ms"
    )
    results: dict[str, list[float]] = {}
    parts: dict[str, dict[str, list[float]]] = {}  # step -> part -> seconds (medians printed)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        # cold start: a fresh server process each time; the baselines interleaved with the
        # app so that all three see the same machine load
        warm = browser.new_context(viewport=VIEWPORT)
        _cold_start(browser, root, "streamlit_app.py", context=warm)  # fills warm's cache
        for _ in range(args.repeat):
            for step, script in (("cold start", "streamlit_app.py"), *BASELINES.items()):
                rendered, split = _cold_start(browser, root, script)
                results.setdefault(step, []).append(rendered)
                for part, seconds in split.items():
                    parts.setdefault(step, {}).setdefault(part, []).append(seconds)
            rendered, _ = _cold_start(browser, root, "streamlit_app.py", context=warm)
            results.setdefault("cold start, cache warm", []).append(rendered)
        warm.close()
        visits = _first_visits(browser, root, args.repeat)
        proc, url, _ = _start(root) if not args.cold_only else (None, "", 0.0)
        try:
            if args.cold_only:
                raise _Skip
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            runs = ScriptRuns(page)
            page.goto(url)
            runs.wait_after(page, 0, timeout=120)
            settle(page, timeout=120)
            titles = sidebar_pages(page)
            for title in titles:  # warm every page once (model training, caches)
                before = runs.finished
                open_page(page, title)
                _rendered(page, runs, before, time.monotonic(), timeout=300)
            for _ in range(args.repeat):
                for title in titles:
                    before, t0 = runs.finished, time.monotonic()
                    open_page(page, title)
                    t = _rendered(page, runs, before, t0, timeout=120)
                    results.setdefault(f"page switch: {title}", []).append(t)
                    split = parts.setdefault(f"page switch: {title}", {})
                    split.setdefault("click -> run finished", []).append(runs.finished_at - t0)
                    split.setdefault("-> charts drawn", []).append(t0 + t - runs.finished_at)
            before = runs.finished
            page.goto(f"{url}/recommender")
            _rendered(page, runs, before, time.monotonic(), timeout=120)
            for i in range(args.repeat):
                before, before_map = _results(page), _heatmap(page)
                page.get_by_role("combobox", name="Title", exact=True).click()
                page.keyboard.type(["Dragon", "Witness", "Nebula", "Puppy", "Empire"][i % 5])
                time.sleep(0.3)
                n = runs.finished
                page.get_by_role("option").first.click()
                t0 = time.monotonic()
                shown = _wait_changes(
                    {
                        "table": (lambda: _results(page), before),
                        "heatmap": (lambda: _heatmap(page), before_map),
                    }
                )
                results.setdefault("recommender", []).append(shown["heatmap"])
                split = parts.setdefault("recommender", {})
                split.setdefault("option click -> table's text cells", []).append(shown["table"])
                runs.wait_after(page, n)
                split.setdefault("option click -> fragment run finished", []).append(
                    runs.finished_at - t0
                )
                settle(page)
            before = runs.finished
            page.goto(f"{url}/top10")
            _rendered(page, runs, before, time.monotonic(), timeout=300)
            slider = page.get_by_role("slider", name="IMDb rating (1-10)")
            for i in range(args.repeat):
                before, n = _probability(page), runs.finished
                slider.focus()
                page.keyboard.press("PageUp" if i % 2 == 0 else "PageDown")
                t0 = time.monotonic()
                results.setdefault("top 10", []).append(
                    _wait_change(lambda: _probability(page), before)
                )
                runs.wait_after(page, n)
                parts.setdefault("top 10", {}).setdefault(
                    "key press -> fragment run finished", []
                ).append(runs.finished_at - t0)
                settle(page)
        except _Skip:
            pass
        finally:
            if proc is not None:
                _stop(proc)
        browser.close()
    print(f"\n{'step':<32} result")
    for step, values in results.items():
        if step in BASELINES or step == "cold start, cache warm":
            med = statistics.median(values)
            print(
                f"{step:<32} median {med * 1000:7.0f} ms  (min {min(values) * 1000:.0f}, max "
                f"{max(values) * 1000:.0f}); the app's cold start is "
                f"{statistics.median(results['cold start']) / med:.2f} x this"
            )
        else:
            budget = BUDGET["page switch"] if step.startswith("page switch") else BUDGET[step]
            print(f"{step:<32} {_fmt(values, budget)}")
        if step in parts:
            print(
                " " * 33
                + "; ".join(
                    f"{part} {statistics.median(v) * 1000:.0f}" for part, v in parts[step].items()
                )
                + " ms (medians)"
            )
    cold = statistics.median(results["cold start"])
    bare = statistics.median(results["bare Streamlit page"])
    print(f"\n{'against the bare page':<32} (issue 14 targets, same run)")
    for step, app, base in (
        ("cold start", cold, bare),
        (
            "first visit",
            statistics.median(visits["first visit"]),
            statistics.median(visits["bare Streamlit page"]),
        ),
    ):
        target = RATIO_TARGETS[step]
        verdict = "met" if app / base <= target else "MISSED"
        print(
            f"{step:<32} app {app * 1000:7.0f} ms, bare {base * 1000:7.0f} ms: {app / base:.2f} x "
            f"(target {target} x: {verdict})"
        )
    for step, values in visits.items():
        if step != "first visit":
            print(
                f"{'first visit: ' + step:<32} median {statistics.median(values) * 1000:7.0f} ms "
                f"(min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f})"
            )
    app_visits = visits["first visit"]
    print(
        f"{'first visit: the app':<32} median {statistics.median(app_visits) * 1000:7.0f} ms "
        f"(min {min(app_visits) * 1000:.0f}, max {max(app_visits) * 1000:.0f})"
    )
    floor = statistics.median(visits["Overview's elements, no data"])
    print(
        f"{'first visit, element floor':<32} the Overview's element types alone are "
        f"{floor / statistics.median(visits['bare Streamlit page']):.2f} x the bare page; the app "
        f"is {statistics.median(app_visits) / floor:.2f} x them"
    )
    if args.cold_only:
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
        return
    slowest = max(
        [s for s in results if s in BUDGET or s.startswith("page switch")],
        key=lambda s: (
            statistics.median(results[s])
            / (BUDGET["page switch"] if s.startswith("page switch") else BUDGET[s])
        ),
    )
    print(f"\nslowest against its budget: {slowest}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
