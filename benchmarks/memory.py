"""Benchmark: the server's memory with a dataset open, after visiting every page.

    python -m benchmarks.memory --data-root /tmp/s100         # a dataset built earlier
    python -m benchmarks.memory --scale 1                     # build a demo into a temp folder

One process plays the server: each page of the real entry script runs under
``streamlit.testing.v1.AppTest`` in turn (the first visit: caches cold, the way a new server
meets its first analyst), and the process's resident memory (VmRSS, and the peak VmHWM) is
read after each page. Printed: each page's first-run wall time and the memory after it, and
the target of issue 13 (<= 1.5 GiB with a scale-100 dataset open, after every page).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

PAGES = ("overview", "catalog", "engagement", "recommender", "clusters", "top10", "import_data")
TARGET_GIB = 1.5


def _status(field: str) -> float:
    """A memory figure of this process from /proc/self/status, in GiB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 2**20
    return float("nan")


def walk(dataset: str = "demo") -> list[dict]:
    from streamlit.testing.v1 import AppTest

    from lib.config import PROJECT_ROOT

    rows = []
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=1800)
    t0 = time.perf_counter()
    at.run()
    rows.append({"page": "(entry)", "seconds": time.perf_counter() - t0, "rss": _status("VmRSS")})
    for page in PAGES:
        at.switch_page(f"pages/{page}.py")
        t0 = time.perf_counter()
        at.run()
        seconds = time.perf_counter() - t0
        errors = [str(e.value)[:120] for e in at.exception]
        rows.append(
            {
                "page": page,
                "seconds": seconds,
                "rss": _status("VmRSS"),
                "peak": _status("VmHWM"),
                "errors": errors,
            }
        )
        r = rows[-1]
        print(
            f"  {page:<12} first run {seconds:7.2f} s   RSS after {r['rss']:.2f} GiB   "
            f"peak so far {r['peak']:.2f} GiB" + (f"   ERRORS {errors}" if errors else ""),
            flush=True,
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-root", type=Path, help="data root holding the dataset to open")
    p.add_argument("--scale", type=float, default=1.0, help="without --data-root: demo scale")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        root = args.data_root
        if root is None:
            from lib.data.pipeline import build

            root = Path(tmp)
            print(f"building the scale-{args.scale:g} demo into {root / 'demo'} ...", flush=True)
            build(scale=args.scale, seed=0, data_dir=root / "demo")
        os.environ["STREAMDASH_DATA"] = str(root)
        load = os.getloadavg()[0]
        print(f"data root {root}; load average {load:.1f} (2 cores)", flush=True)
        base = _status("VmRSS")
        rows = walk()
        end = rows[-1]["rss"]
        peak = rows[-1]["peak"]
        print(
            f"\nRSS before the app {base:.2f} GiB, after every page {end:.2f} GiB "
            f"(target <= {TARGET_GIB} GiB at scale 100: {'met' if end <= TARGET_GIB else 'MISSED'}"
            f", {end / TARGET_GIB:.2f}x); peak {peak:.2f} GiB; load average at the end "
            f"{os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
