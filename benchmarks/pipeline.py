"""Benchmark: wall time and peak memory of generate + build at several scales.

    python -m benchmarks.pipeline                 # scales 1 and 10
    python -m benchmarks.pipeline --scales 1 10 100

Each scale runs in a fresh subprocess so its peak resident memory (ru_maxrss) is its own.
Targets (issue 2): scale 1 <= 10 s, scale 10 <= 60 s, scale 100 within 8 GiB peak.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time

TARGET_SECONDS = {1: 10.0, 10: 60.0}
TARGET_GIB = {100: 8.0}

CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from lib.synth import generate
from lib.pipeline import build_tables
from lib.synth import WINDOW
import pandas as pd
scale, seed, out = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
t_imp = time.perf_counter()
data = generate(scale=scale, seed=seed)
t_gen = time.perf_counter()
report = build_tables(data.tables, data_dir=out, name="bench", source="bench",
                      as_of=pd.Timestamp(WINDOW[1]), truth=data.truth,
                      consume=True)
t_end = time.perf_counter()
print(json.dumps({
    "import_s": t_imp - t0, "generate_s": t_gen - t_imp, "build_s": t_end - t_gen,
    "total_s": t_end - t0, "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
    "sessions": report["invariants"]["watch_history"]["bronze"],
    "titles": report["invariants"]["movies"]["bronze"],
}))
"""


def run(scale: float, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(scale), str(seed), f"{tmp}/ds"],
            capture_output=True,
            text=True,
            check=True,
        )
        res = json.loads(out.stdout.strip().splitlines()[-1])
        res["wall_s"] = time.perf_counter() - t0
        return res


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--scales", type=float, nargs="+", default=[1, 10])
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    print(
        f"{'scale':>6} {'sessions':>11} {'generate s':>11} {'build s':>9} {'total s':>9} "
        f"{'peak GiB':>9}  target"
    )
    base = None
    for scale in args.scales:
        r = run(scale, args.seed)
        s = int(scale) if float(scale).is_integer() else scale
        target = ""
        if s in TARGET_SECONDS:
            ok = r["total_s"] <= TARGET_SECONDS[s]
            target = (
                f"<= {TARGET_SECONDS[s]:.0f} s: {'met' if ok else 'MISSED'} "
                f"({r['total_s'] / TARGET_SECONDS[s]:.2f} x budget)"
            )
        if s in TARGET_GIB:
            ok = r["peak_gib"] <= TARGET_GIB[s]
            target = f"<= {TARGET_GIB[s]:.0f} GiB: {'met' if ok else 'MISSED'}"
        base = base or r
        print(
            f"{scale:>6g} {r['sessions']:>11,} {r['generate_s']:>11.1f} {r['build_s']:>9.1f} "
            f"{r['total_s']:>9.1f} {r['peak_gib']:>9.2f}  {target}"
        )
        if r is not base:
            print(
                f"{'':>6} time ratio vs scale {args.scales[0]:g}: "
                f"{r['total_s'] / base['total_s']:.1f} x for {scale / args.scales[0]:g} x rows"
            )


if __name__ == "__main__":
    main()
