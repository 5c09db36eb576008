"""Benchmark of the PDF reports (lib.reports) on a freshly generated scale-1 demo dataset.

    python -m benchmarks.reports                      # builds the demo into a temp folder
    python -m benchmarks.reports --data-root /tmp/x   # reuse /tmp/x/demo if built earlier
    python -m benchmarks.reports --repeat 3 --genre Drama

For each page (Overview, Catalog, Engagement, Cluster explorer, Top 10 model quality) it
prints the seconds to collect the report's numbers (what the page has computed already is
read from the build's stored results, as the page's caches would hold it), to draw the PDF
(``render_pdf``) and the total, the median of ``--repeat`` runs, against the 5 s budget;
plus the pages and size of the PDF. The first run of each report is timed apart: it
includes the one-time imports (matplotlib, seaborn) a server pays on the first click.

Wall time depends on what else runs on the machine: CPU time and the load average are
printed too.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

TARGET_S = 5.0


def _load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def _pages(pdf: bytes) -> int:
    """Pages of a PDF (counted without a PDF library: one ``/Type /Page`` object each)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data-root", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--genre", default=None, help="filter Catalog and Engagement on it")
    args = parser.parse_args(argv)

    root = args.data_root or Path(tempfile.mkdtemp(prefix="bench_reports_"))
    os.environ["STREAMDASH_DATA"] = str(root)  # the build's models load only from there
    from lib.data.pipeline import build
    from lib.filters import Filters

    folder = root / "demo"
    if not (folder / "manifest.json").is_file():
        t0 = time.perf_counter()
        build(scale=1, seed=0, data_dir=folder)
        print(f"built the scale-1 demo in {time.perf_counter() - t0:.1f} s -> {folder}")
    flt = Filters(genres=(args.genre,)) if args.genre else Filters()
    print(f"{os.cpu_count()} cpus, {_load()}; filters: {flt.describe()}")

    t0 = time.perf_counter()
    from lib.reports.inputs import PAGES
    from lib.reports.render import render_pdf

    print(f"imports of lib.reports (matplotlib, seaborn, Plotly builders): "
          f"{time.perf_counter() - t0:.2f} s")  # fmt: skip

    print(f"\n{'report':<12}{'first':>8}{'numbers':>10}{'PDF':>8}{'total':>8}{'cpu':>7}"
          f"{'pages':>7}{'KB':>7}  <= {TARGET_S:.0f} s")  # fmt: skip
    for page, report_of in PAGES.items():
        first = time.perf_counter()
        render_pdf(report_of(folder, flt))
        first = time.perf_counter() - first
        numbers, drawing, totals, cpus = [], [], [], []
        for _ in range(args.repeat):
            w0, c0 = time.perf_counter(), time.process_time()
            report = report_of(folder, flt)
            w1 = time.perf_counter()
            pdf = render_pdf(report)
            w2 = time.perf_counter()
            numbers.append(w1 - w0)
            drawing.append(w2 - w1)
            totals.append(w2 - w0)
            cpus.append(time.process_time() - c0)
        total = statistics.median(totals)
        verdict = "met" if total <= TARGET_S else "MISSED"
        print(
            f"{page:<12}{first:>7.2f}s{statistics.median(numbers):>9.2f}s"
            f"{statistics.median(drawing):>7.2f}s{total:>7.2f}s{statistics.median(cpus):>6.2f}s"
            f"{_pages(pdf):>7}{len(pdf) / 1024:>7.0f}  {verdict} ({total / TARGET_S:.2f} x budget)"
        )
    print(f"\n{_load()}")


if __name__ == "__main__":
    main()
