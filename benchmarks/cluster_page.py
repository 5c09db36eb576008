"""Benchmark: server time of a Cluster explorer rerun after changing k (target <= 1 s at scale 1).

    python -m benchmarks.cluster_page                      # scale-1 demo built in a temp folder
    python -m benchmarks.cluster_page --data-root /tmp/x   # keep / reuse <root>/demo
    python -m benchmarks.cluster_page --repeat 7 --entity titles

The page runs under ``streamlit.testing.v1.AppTest`` (real entry script, navigation and
sidebar). After a first load (cold caches: features, K-Means, PCA, stability), k is moved to a
value not seen before ``--repeat`` times (each a cache miss: K-Means, profile, personas,
surrogate tree and stability are computed; the projection is reused because it does not
depend on k), then back to values already seen (cache hits). Reported per step: median and
max wall time of ``at.run()`` and the median CPU time of the process during it (CPU time is
less sensitive to other load on a shared machine). An unchanged rerun is the baseline, and the
k-dependent computations are also timed without Streamlit to show where the time goes.

AppTest time is script time plus AppTest's own bookkeeping, so it slightly overstates the
server time of a browser rerun.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path

TARGET_S = 1.0


def _dataset(scale: float, root: Path) -> Path:
    from lib.data.pipeline import build

    folder = root / "demo"
    manifest = folder / "manifest.json"
    if manifest.is_file() and float(json.loads(manifest.read_text()).get("scale", -1)) == scale:
        print(f"reusing {folder}", flush=True)
        return folder
    print(f"building the scale-{scale:g} demo dataset into {folder} ...", flush=True)
    t0 = time.perf_counter()
    build(scale=scale, seed=0, data_dir=folder)
    print(f"built in {time.perf_counter() - t0:.0f} s", flush=True)
    return folder


def _timed(at) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    at.run()
    wall, cpu = time.perf_counter() - w, time.process_time() - c
    if at.exception:
        raise RuntimeError([e.value for e in at.exception])
    return wall, cpu


def _report(label: str, runs: list[tuple[float, float]], target: float | None = None) -> dict:
    walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
    row = {
        "step": label,
        "n": len(runs),
        "median_wall_s": statistics.median(walls),
        "max_wall_s": max(walls),
        "median_cpu_s": statistics.median(cpus),
    }
    verdict = ""
    if target:
        verdict = "  within target" if row["median_wall_s"] <= target else "  OVER target"
    print(
        f"  {label:<34} n={row['n']}  median {row['median_wall_s'] * 1000:7.0f} ms wall  "
        f"(max {row['max_wall_s'] * 1000:6.0f})  cpu {row['median_cpu_s'] * 1000:6.0f} ms{verdict}",
        flush=True,
    )
    return row


def _page(entity: str, repeat: int) -> list[dict]:
    from streamlit.testing.v1 import AppTest

    from lib.config import PROJECT_ROOT

    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=900)
    at.run()
    at.switch_page("pages/clusters.py")
    rows = [_report("first load (cold caches)", [_timed(at)])]
    if entity == "titles":
        at.segmented_control(key="cl_entity").set_value("Titles")
        rows.append(_report("switch to titles (cold)", [_timed(at)]))
    rows.append(_report("rerun, nothing changed (baseline)", [_timed(at) for _ in range(repeat)]))
    start = at.slider(key="cl_k").value
    fresh = [k for k in range(2, 13) if k != start][:repeat]
    runs = []
    for k in fresh:
        at.slider(key="cl_k").set_value(k)
        runs.append(_timed(at))
    rows.append(_report("change k, new k (cache miss)", runs, TARGET_S))
    runs = []
    for k in [start, *fresh][:repeat]:
        at.slider(key="cl_k").set_value(k)
        runs.append(_timed(at))
    rows.append(_report("change k, k seen before (cache hit)", runs, TARGET_S))
    return rows


def _parts(folder: Path, entity: str, repeat: int) -> None:
    """The k-dependent library calls of one rerun, timed without Streamlit."""
    from lib.data.store import load_gold
    from lib.models.cluster import (
        default_features,
        explain_tree,
        fit_kmeans,
        profile,
        stability_ari,
    )

    gold = load_gold(folder)
    X = default_features(gold["users" if entity == "viewers" else "titles"], entity)
    print(f"library calls per k change ({len(X):,} {entity} x {X.shape[1]} features):")
    parts: dict[str, list[tuple[float, float]]] = {}
    for k in range(3, 3 + repeat):
        for name, call in (
            (
                "fit_kmeans (silhouette on 2,000)",
                lambda k=k: fit_kmeans(X, k, silhouette_sample=2000),
            ),
            ("stability_ari (5 seeds, 3,000 rows)", lambda k=k: stability_ari(X, k, sample=3000)),
        ):
            w, c = time.perf_counter(), time.process_time()
            res = call()
            parts.setdefault(name, []).append((time.perf_counter() - w, time.process_time() - c))
            if name.startswith("fit"):
                w, c = time.perf_counter(), time.process_time()
                labels = res.labels_series()
                profile(X, labels).personas(noun=entity)
                explain_tree(X, labels, max_depth=3)
                parts.setdefault("profile + personas + tree", []).append(
                    (time.perf_counter() - w, time.process_time() - c)
                )
    for name, runs in parts.items():
        _report(name, runs)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--repeat", type=int, default=5, help="k changes per step (median)")
    p.add_argument("--entity", choices=("viewers", "titles"), default="viewers")
    p.add_argument("--data-root", type=Path, default=None, help="keep/reuse <root>/demo here")
    args = p.parse_args(argv)
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    load = os.getloadavg()
    print(f"cpus {os.cpu_count()}, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    with tempfile.TemporaryDirectory(prefix="bench-clusters-") as tmp:
        root = args.data_root or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        folder = _dataset(args.scale, root)
        os.environ["STREAMDASH_DATA"] = str(root)
        print(f"Cluster explorer, {args.entity}, scale {args.scale:g} (AppTest at.run()):")
        rows = _page(args.entity, args.repeat)
        _parts(folder, args.entity, args.repeat)
    miss = next(r for r in rows if r["step"].startswith("change k, new k"))
    base = next(r for r in rows if r["step"].startswith("rerun, nothing"))
    print(
        f"rerun after changing k: median {miss['median_wall_s']:.2f} s wall "
        f"({miss['median_wall_s'] / base['median_wall_s']:.1f}x an unchanged rerun), "
        f"{miss['median_cpu_s']:.2f} s CPU; target {TARGET_S:.1f} s"
    )
    load = os.getloadavg()
    print(f"load average after: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")


if __name__ == "__main__":
    main()
