"""Benchmark: server time of the Catalog and Engagement pages after a filter change.

    python -m benchmarks.pages                      # scales 1 and 10
    python -m benchmarks.pages --scale 1            # one scale
    python -m benchmarks.pages --data-root /tmp/x   # reuse datasets built earlier
    python -m benchmarks.pages --via chart          # the changes as chart filters (clicks)

For each scale a demo dataset is built with ``lib.data.pipeline.build`` into a temporary folder
(or reused from ``--data-root/demo<scale>``) and ``STREAMDASH_DATA`` points the app at it.
Each page runs under ``streamlit.testing.v1.AppTest`` (the real entry script, navigation and
sidebar included): once to warm the caches (first load, per-dataset preparation), then for
every tab a filter is changed ``--repeat`` times and ``at.run()`` is timed. Changes
alternate between a narrow one (a single genre, each time one not used before, so
per-selection caches such as the word cloud miss) and a broad one (release years from one
year after the first: almost every title and session shown, each time a new range).
With ``--via chart`` the same changes arrive as chart filters (the ``cf`` URL parameters a
click on a genre bar or a box selection of release years sets), as a browser rerun after a
click does. The median is compared with the budget: 300 ms at scale 1, 1.5 s at scale 10 and 100.

AppTest time is script time plus AppTest's own bookkeeping, so it slightly overstates the
server time of a browser rerun. Wall time depends on the machine's load (the load average
is printed); the CPU time of the process during the rerun does not, and is what the wall
time would be on an idle machine (slightly more where Arrow uses several threads).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BUDGET_S = {1.0: 0.300, 10.0: 1.5, 100.0: 1.5}
PAGES = {
    "catalog": ("Genres", "Ratings", "Runtime & release", "Directors & cast", "Title table"),
    "engagement": (
        "Devices",
        "Time of day",
        "Completion & quality",
        "Plans & countries",
        "Engagement score",
    ),
}
GENRES = (
    "Drama",
    "Comedy",
    "Thriller",
    "Action",
    "Romance",
    "Crime",
    "Documentary",
    "Horror",
    "Animation",
    "Sci-Fi",
    "Fantasy",
    "Adventure",
    "Family",
    "History",
)


def _dataset(scale: float, root: Path) -> Path:
    """``root/demo`` built at ``scale`` (reused when its manifest says the same scale)."""
    import json

    from lib.data.pipeline import build

    folder = root / "demo"
    manifest = folder / "manifest.json"
    if manifest.is_file() and float(json.loads(manifest.read_text()).get("scale", -1)) == scale:
        print(f"  reusing {folder}", flush=True)
        return folder
    t0 = time.perf_counter()
    print(f"  building the scale-{scale:g} demo dataset into {folder} ...", flush=True)
    build(scale=scale, seed=0, data_dir=folder, models=False)  # these pages use no model
    print(f"  built in {time.perf_counter() - t0:.0f} s", flush=True)
    return folder


def _change(at, i: int, via: str, genres, shift, lo: int, hi: int) -> None:
    """The i-th filter change: a narrow one (one genre) or a broad one (almost every title)."""
    if via == "chart":
        if i % 2 == 0:
            at.query_params["cf"] = [f"genre:{next(genres)}"]
        else:
            at.query_params["cf"] = [f"years:{min(lo + next(shift), hi - 1)}-{hi}"]
        return
    if i % 2 == 0:
        at.sidebar.slider(key="years").set_value((lo, hi))
        at.sidebar.multiselect(key="genre").set_value([next(genres)])
    else:
        at.sidebar.multiselect(key="genre").set_value([])
        at.sidebar.slider(key="years").set_value((min(lo + next(shift), hi - 1), hi))


def _time_page(
    page: str, tabs: tuple[str, ...], repeat: int, via: str = "sidebar"
) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds of each timed rerun, per tab."""
    from streamlit.testing.v1 import AppTest

    from lib.config import PROJECT_ROOT

    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=600)
    at.run()
    at.switch_page(f"pages/{page}.py")
    t0, c0 = time.perf_counter(), time.process_time()
    at.run()
    first = (time.perf_counter() - t0, time.process_time() - c0)
    if at.exception:
        raise RuntimeError(f"{page}: {[e.value for e in at.exception]}")
    times: dict[str, list[tuple[float, float]]] = {"(first load)": [first]}
    genres = iter(GENRES * 10)
    years = at.sidebar.slider(key="years")
    lo, hi = years.min, years.max
    shift = iter(range(1, 1000))
    for tab in tabs:
        at.session_state["tab"] = tab
        at.run()
        runs = []
        for i in range(repeat):
            _change(at, i, via, genres, shift, lo, hi)
            t0, c0 = time.perf_counter(), time.process_time()
            at.run()
            runs.append((time.perf_counter() - t0, time.process_time() - c0))
            if at.exception:
                raise RuntimeError(f"{page}/{tab}: {[e.value for e in at.exception]}")
        times[tab] = runs
        at.query_params.pop("cf", None)
        at.sidebar.multiselect(key="genre").set_value([])
        at.sidebar.slider(key="years").set_value((lo, hi))
        at.run()
    return times


def run(
    scales: list[float],
    repeat: int,
    data_root: Path | None,
    pages: list[str] | None = None,
    via: str = "sidebar",
) -> list[dict]:
    rows = []
    for scale in scales:
        print(f"scale {scale:g}:", flush=True)
        base = Path(data_root) / f"demo{scale:g}" if data_root else None
        with tempfile.TemporaryDirectory(prefix=f"bench-pages-{scale:g}-") as tmp:
            root = base or Path(tmp)
            root.mkdir(parents=True, exist_ok=True)
            _dataset(scale, root)
            os.environ["STREAMDASH_DATA"] = str(root)
            budget = BUDGET_S.get(scale)
            for page, tabs in PAGES.items():
                if pages and page not in pages:
                    continue
                times = _time_page(page, tabs, repeat, via)
                for tab, runs in times.items():
                    wall = [w for w, _ in runs]
                    cpu = [c for _, c in runs]
                    rows.append(
                        {
                            "scale": scale,
                            "page": page,
                            "tab": tab,
                            "median_ms": statistics.median(wall) * 1000,
                            "max_ms": max(wall) * 1000,
                            "cpu_median_ms": statistics.median(cpu) * 1000,
                            "budget_ms": budget * 1000 if budget and tab[0] != "(" else None,
                        }
                    )
                    r = rows[-1]
                    b = r["budget_ms"]
                    print(
                        f"  {page:<11} {tab:<22} wall median {r['median_ms']:6.0f} ms "
                        f"(max {r['max_ms']:6.0f})  CPU median {r['cpu_median_ms']:6.0f} ms  "
                        + (
                            f"budget {b:5.0f} ms  ratio wall {r['median_ms'] / b:.2f} "
                            f"CPU {r['cpu_median_ms'] / b:.2f}"
                            if b
                            else ""
                        ),
                        flush=True,
                    )
    return rows


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--scale", type=float, nargs="+", default=[1.0, 10.0])
    p.add_argument("--repeat", type=int, default=5, help="filter changes per tab (median)")
    p.add_argument("--data-root", type=Path, default=None, help="keep/reuse datasets here")
    p.add_argument("--pages", nargs="+", choices=list(PAGES), default=None)
    p.add_argument(
        "--via",
        choices=("sidebar", "chart"),
        default="sidebar",
        help="make the changes with the sidebar filters or as chart filters (a click)",
    )
    args = p.parse_args(argv)
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    load = os.getloadavg()
    print(f"cpus {os.cpu_count()}, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    print(f"filter changes via the {args.via}")
    rows = run(args.scale, args.repeat, args.data_root, args.pages, args.via)
    timed = [r for r in rows if r["budget_ms"]]
    for what, col in (("wall", "median_ms"), ("CPU", "cpu_median_ms")):
        over = [
            f"{r['page']}/{r['tab']} @ scale {r['scale']:g}"
            for r in timed
            if r[col] > r["budget_ms"]
        ]
        print(f"{what}: {len(timed) - len(over)} of {len(timed)} page/tab medians within budget")
        if over:
            print(f"  over budget ({what}): " + ", ".join(over))
    load = os.getloadavg()
    print(f"load average after: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    sys.exit(0)


if __name__ == "__main__":
    main()
