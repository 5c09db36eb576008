"""Many analysts at once: concurrent browser sessions doing the newcomer's walk.

    python -m benchmarks.load [--sessions 10] [--seconds 300] [--data-root DIR]

One server (demo data already built), ``--sessions`` Chromium pages in parallel threads,
each repeating the walk (every sidebar page in turn) until ``--seconds`` have passed.
Prints: walks and interactions done, errors seen (error boxes, exceptions, page errors),
p50/p95/max interaction latency (sidebar click -> page fully rendered), and the server's
resident memory after the first complete walk and at the end (budget: end <= 1.5 x first).
The loop is bounded in time and count and only talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from pathlib import Path

from benchmarks.browser import _start, _stop
from lib.config import data_root
from tests.e2e.conftest import CHROME_ARGS, CHROMIUM
from tests.e2e.helpers import errors_on_page, settle, sidebar_pages

MAX_WALKS_PER_SESSION = 200


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _session(url: str, deadline: float, out: dict, lock: threading.Lock, first: threading.Event):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("pageerror", lambda e: out["errors"].append(f"page error: {e}"))
        try:
            page.goto(url)
            page.wait_for_selector('[data-testid="stSidebarNav"] a', timeout=300_000)
            settle(page, timeout=300)
            titles = sidebar_pages(page)
            if not titles:
                with lock:
                    out["errors"].append("no pages listed in the sidebar")
                return
            walks = 0
            while time.monotonic() < deadline and walks < MAX_WALKS_PER_SESSION:
                for title in titles:
                    if time.monotonic() >= deadline:
                        break
                    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
                    try:
                        t = settle(page, timeout=300)
                    except TimeoutError:
                        with lock:
                            out["errors"].append(f"{title}: did not render within 300 s")
                        continue
                    errs = errors_on_page(page)
                    with lock:
                        out["latency"].append(t)
                        out["errors"].extend(f"{title}: {e}" for e in errs)
                else:  # only a walk that visited every page counts
                    walks += 1
                    with lock:
                        out["walks"] += 1
                    first.set()
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--data-root", type=Path, default=None)
    args = ap.parse_args(argv)
    root = args.data_root or data_root()
    if not (root / "demo" / "manifest.json").is_file():
        raise SystemExit(f"no built demo under {root}: run python -m lib.pipeline build first")
    proc, url, _ = _start(root)
    out: dict = {"latency": [], "errors": [], "walks": 0}
    lock, first = threading.Lock(), threading.Event()
    try:
        print(
            f"server pid {proc.pid}: {_rss_mib(proc.pid):.0f} MiB at start; load average "
            f"{os.getloadavg()[0]:.1f}",
            flush=True,
        )
        deadline = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=_session, args=(url, deadline, out, lock, first), daemon=True)
            for _ in range(args.sessions)
        ]
        for t in threads:
            t.start()
        first.wait(timeout=args.seconds + 600)
        rss_first = _rss_mib(proc.pid)
        print(f"after the first complete walk: {rss_first:.0f} MiB", flush=True)
        for t in threads:
            t.join(timeout=args.seconds + 900)
        rss_end = _rss_mib(proc.pid)
    finally:
        _stop(proc)
    lat = sorted(out["latency"])
    p95 = lat[int(0.95 * (len(lat) - 1))] if lat else float("nan")
    print(
        f"\nsessions {args.sessions}, {args.seconds:.0f} s: {out['walks']} walks, "
        f"{len(lat)} page renders, {len(out['errors'])} errors"
    )
    if lat:
        print(
            f"interaction latency (click -> fully rendered): p50 "
            f"{statistics.median(lat):.2f} s, p95 {p95:.2f} s, max {lat[-1]:.2f} s"
        )
    ratio = rss_end / rss_first if rss_first else float("nan")
    print(
        f"server memory: {rss_first:.0f} MiB after first walk, {rss_end:.0f} MiB at end "
        f"({ratio:.2f} x; budget 1.5 x: {'met' if ratio <= 1.5 else 'MISSED'})"
    )
    for e in out["errors"][:10]:
        print("  error:", e)


if __name__ == "__main__":
    main()
