"""Benchmark: wall time and peak memory of the demo build, generation and layers apart.

    python -m benchmarks.pipeline                      # scales 1 and 10, + the old path at 10
    python -m benchmarks.pipeline --scales 1 10 100 1000
    python -m benchmarks.pipeline --scales 100 --baseline-scale 0   # no baseline run

Each run is a fresh subprocess, so its peak resident memory (ru_maxrss: Python, Arrow and
DuckDB together) is its own. ``generate`` is the demo generator streaming bronze part files;
``build`` is bronze profile -> silver -> gold -> checks on the engine (the data layers:
issue 13's targets). The models step (``lib.data.pipeline.models``: fitting what the model pages
show) is timed after it in the same process, up to ``--models-max-scale``.

The baseline is the previous, pandas-only pipeline (git ref ``--baseline-ref``, default the
last commit before the engine), extracted with ``git archive`` into a temporary folder and
run on the same machine in the same run, so the ratio compares like with like.

Targets (issue 13): scale 1 end to end <= 5 s; scale 100 build <= 90 s with peak <= 3 GiB;
scale 1000 completes with peak <= 8 GiB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE_REF = "e241056"  # the last commit of the pandas pipeline
TARGETS = {1: ("total_s", 5.0), 100: ("build_s", 90.0)}
TARGET_GIB = {100: 3.0, 1000: 8.0}

CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from lib.data.pipeline import build
scale, seed, out, engine = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
with_models = sys.argv[5] == "1"
marks = {}
def progress(f, m):
    if m.startswith("bronze written") and "bronze" not in marks:
        marks["bronze"] = time.perf_counter()
t_imp = time.perf_counter()
report = build(scale=scale, seed=seed, data_dir=out, progress=progress, engine=engine,
               models=False)
t_end = time.perf_counter()
t_gen = marks.get("bronze", t_imp)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
models = {}
if with_models:
    from lib.data.pipeline.models import build_models
    t_m = time.perf_counter()
    models = {k: v.get("seconds") for k, v in build_models(out).items()}
    models["total"] = time.perf_counter() - t_m
print(json.dumps({
    "import_s": t_imp - t0, "generate_s": t_gen - t_imp, "build_s": t_end - t_gen,
    "total_s": t_end - t0, "peak_gib": peak,
    "sessions": report["invariants"]["watch_history"]["bronze"],
    "models": models,
    "models_peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
}))
"""

# the old pipeline had no build-step marks: generation and build timed around its two calls;
# it runs the baseline ref's tree, which has the paths from before the lib/ layout
OLD_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from lib.synth import generate, WINDOW
from lib.pipeline import build_tables
import pandas as pd
scale, seed, out = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
t_imp = time.perf_counter()
data = generate(scale=scale, seed=seed)
t_gen = time.perf_counter()
report = build_tables(data.tables, data_dir=out, name="bench", source="bench",
                      as_of=pd.Timestamp(WINDOW[1]), truth=data.truth, consume=True)
t_end = time.perf_counter()
print(json.dumps({
    "import_s": t_imp - t0, "generate_s": t_gen - t_imp, "build_s": t_end - t_gen,
    "total_s": t_end - t0, "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
    "sessions": report["invariants"]["watch_history"]["bronze"],
}))
"""


def _child(script: str, cwd: Path, *args: str) -> dict:
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=cwd, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{out.stderr[-3000:]}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["wall_s"] = time.perf_counter() - t0
    return res


def run(scale: float, seed: int, engine: str = "duckdb", models: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        return _child(
            CHILD, ROOT, str(scale), str(seed), f"{tmp}/ds", engine, "1" if models else "0"
        )


def run_baseline(scale: float, seed: int, ref: str) -> dict:
    """The previous pipeline at ``ref``, extracted from git into a temporary folder."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref, "lib"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        return _child(OLD_CHILD, Path(tmp), str(scale), str(seed), f"{tmp}/ds")


def _verdict(scale: float, r: dict) -> str:
    s = int(scale) if float(scale).is_integer() else scale
    out = []
    if s in TARGETS:
        key, budget = TARGETS[s]
        ok = r[key] <= budget
        out.append(
            f"{key[:-2]} <= {budget:g} s: {'met' if ok else 'MISSED'} ({r[key] / budget:.2f}x)"
        )
    if s in TARGET_GIB:
        ok = r["peak_gib"] <= TARGET_GIB[s]
        out.append(f"peak <= {TARGET_GIB[s]:g} GiB: {'met' if ok else 'MISSED'}")
    return "; ".join(out)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--scales", type=float, nargs="+", default=[1, 10])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    p.add_argument("--baseline-scale", type=float, default=10, help="0: no baseline run")
    p.add_argument("--baseline-ref", default=BASELINE_REF)
    p.add_argument(
        "--models-max-scale",
        type=float,
        default=1,
        help="also time the models step (after the data build, same process) up to this scale",
    )
    args = p.parse_args(argv)
    head = (
        f"{'run':<22} {'scale':>6} {'sessions':>12} {'generate s':>11} {'build s':>9} "
        f"{'total s':>9} {'peak GiB':>9}  target"
    )
    print(head)
    results = {}
    for scale in args.scales:
        r = run(scale, args.seed, args.engine, models=scale <= args.models_max_scale)
        results[scale] = r
        print(
            f"{args.engine:<22} {scale:>6g} {r['sessions']:>12,} {r['generate_s']:>11.1f} "
            f"{r['build_s']:>9.1f} {r['total_s']:>9.1f} {r['peak_gib']:>9.2f}  "
            f"{_verdict(scale, r)}",
            flush=True,
        )
        if r["models"]:
            parts = ", ".join(f"{k} {v:.1f} s" for k, v in r["models"].items() if k != "total")
            print(
                f"{'  + models step':<22} {scale:>6g} {'':>12} {'':>11} "
                f"{r['models']['total']:>9.1f} {'':>9} {r['models_peak_gib']:>9.2f}  ({parts})",
                flush=True,
            )
    if args.baseline_scale:
        b = run_baseline(args.baseline_scale, args.seed, args.baseline_ref)
        print(
            f"{'pandas @' + args.baseline_ref:<22} {args.baseline_scale:>6g} {b['sessions']:>12,} "
            f"{b['generate_s']:>11.1f} {b['build_s']:>9.1f} {b['total_s']:>9.1f} "
            f"{b['peak_gib']:>9.2f}  (the previous pipeline, same machine, same run)"
        )
        new = results.get(args.baseline_scale) or run(args.baseline_scale, args.seed, args.engine)
        print(
            f"\nat scale {args.baseline_scale:g}: build {new['build_s']:.1f} s vs "
            f"{b['build_s']:.1f} s = {b['build_s'] / new['build_s']:.2f}x faster; total "
            f"{new['total_s']:.1f} s vs {b['total_s']:.1f} s = "
            f"{b['total_s'] / new['total_s']:.2f}x; peak {new['peak_gib']:.2f} vs "
            f"{b['peak_gib']:.2f} GiB"
        )


if __name__ == "__main__":
    main()
