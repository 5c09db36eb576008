"""Benchmark: the streaming demo generator, consumed the way the pipeline consumes it.

    python -m benchmarks.synth                                  # scales 1 and 10
    python -m benchmarks.synth --scales 1 10 100 1000
    python -m benchmarks.synth --scales 1 10 100 --baseline main   # and main's generator

Each scale runs in a fresh subprocess that iterates ``lib.data.synth.generate_chunks`` and writes
every chunk to its own Parquet part file (``<tmp>/<layer>/<table>/part-00000.parquet`` ...)
with pyarrow, then drops it. Printed per scale: rows per table (checked against the scale's
counts), seconds spent generating and writing, peak resident memory of the subprocess
(``ru_maxrss``), the stage during which resident memory was highest, and whether every
table's part files share one Arrow schema.

``--baseline REF`` also runs the generator of git ref REF (``git show REF:lib/data/synth.py``,
its ``generate()`` building every table whole) in a fresh subprocess at each scale up to
``--baseline-max-scale`` and writes each table to one Parquet file, so the ratios printed
come from the same machine in the same run. Target (issue 13): scale 1000 generates within
the memory bound of the whole build (8 GiB); the generator aims at <= 4 GiB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_GIB = {1000: 4.0}
GIB = 2**30


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def _child_stream(scale: float, seed: int, out: Path) -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from lib.data.synth import _counts, generate_chunks

    t0 = time.perf_counter()
    gen_s = write_s = 0.0
    rows: dict[str, int] = {}
    parts: dict[str, int] = {}
    schemas: dict[str, pa.Schema] = {}
    mismatched: set[str] = set()
    peak = {"rss": 0, "stage": ""}

    def progress(_fraction: float, message: str) -> None:
        rss = _rss_bytes()
        if rss > peak["rss"]:
            peak.update(rss=rss, stage=message)

    chunks = generate_chunks(scale=scale, seed=seed, progress=progress)
    while True:
        t = time.perf_counter()
        chunk = next(chunks, None)
        gen_s += time.perf_counter() - t
        if chunk is None:
            break
        t = time.perf_counter()
        table = pa.Table.from_pandas(chunk.frame, preserve_index=False)
        i = parts.get(chunk.table, 0)
        folder = out / chunk.layer / chunk.table
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, folder / f"part-{i:05d}.parquet")
        schema = table.schema.remove_metadata()
        if schemas.setdefault(chunk.table, schema) != schema:
            mismatched.add(chunk.table)
        parts[chunk.table] = i + 1
        rows[chunk.table] = rows.get(chunk.table, 0) + chunk.frame.shape[0]
        rss = _rss_bytes()
        if rss > peak["rss"]:
            peak.update(rss=rss, stage=f"writing {chunk.table} part {i}")
        del chunk, table
        write_s += time.perf_counter() - t
    expected = _counts(scale)
    return {
        "generate_s": gen_s,
        "write_s": write_s,
        "total_s": time.perf_counter() - t0,
        "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GIB,
        "peak_stage": peak["stage"],
        "rows": rows,
        "parts": parts,
        "counts_match": all(rows.get(k) == v for k, v in expected.items()),
        "schemas_match": not mismatched,
        "mismatched": sorted(mismatched),
        "bytes_on_disk": sum(p.stat().st_size for p in out.rglob("*.parquet")),
    }


def _child_baseline(scale: float, seed: int, out: Path, source: Path) -> dict:
    import importlib.util

    import pyarrow as pa
    import pyarrow.parquet as pq

    spec = importlib.util.spec_from_file_location("_synth_baseline", source)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    t0 = time.perf_counter()
    data = module.generate(scale=scale, seed=seed)
    gen_s = time.perf_counter() - t0
    t = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    rows = {}
    for name in list(data.tables):
        frame = data.tables.pop(name)
        rows[name] = len(frame)
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), out / f"{name}.parquet")
        del frame
    return {
        "generate_s": gen_s,
        "write_s": time.perf_counter() - t,
        "total_s": time.perf_counter() - t0,
        "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GIB,
        "rows": rows,
    }


def _run(args: list[str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.synth", "--child", *args],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fmt_scale(scale: float) -> str:
    return f"{int(scale)}" if float(scale).is_integer() else f"{scale:g}"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--scales", type=float, nargs="+", default=[1, 10])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--baseline", metavar="REF", help="also run lib/data/synth.py of this git ref")
    p.add_argument("--baseline-max-scale", type=float, default=100)
    p.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        kind, scale, seed, out, *rest = args.child
        if kind == "stream":
            res = _child_stream(float(scale), int(seed), Path(out))
        else:
            res = _child_baseline(float(scale), int(seed), Path(out), Path(rest[0]))
        print(json.dumps(res))
        return

    with tempfile.TemporaryDirectory(prefix="bench-synth-") as tmp:
        source = None
        if args.baseline:
            text = subprocess.run(
                ["git", "show", f"{args.baseline}:lib/data/synth.py"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            source = Path(tmp) / "synth_baseline.py"
            source.write_text(text)
        head = (
            f"{'scale':>6} {'generate s':>10} {'write s':>8} {'total s':>8} {'peak GiB':>9} "
            f"{'parquet MiB':>11}  checks"
        )
        results = []
        for scale in args.scales:
            r = _run(["stream", str(scale), str(args.seed), f"{tmp}/stream-{scale:g}"])
            subprocess.run(["rm", "-rf", f"{tmp}/stream-{scale:g}"], check=True)
            b = None
            if source is not None and scale <= args.baseline_max_scale:
                b = _run(["base", str(scale), str(args.seed), f"{tmp}/base-{scale:g}", str(source)])
                subprocess.run(["rm", "-rf", f"{tmp}/base-{scale:g}"], check=True)
            results.append((scale, r, b))
            s = _fmt_scale(scale)
            schemas = "consistent" if r["schemas_match"] else f"DIFFER: {r['mismatched']}"
            checks = f"rows {'=' if r['counts_match'] else '!='} scale counts; schemas {schemas}"
            target = ""
            if scale in TARGET_GIB:
                ok = r["peak_gib"] <= TARGET_GIB[scale]
                target = f"; peak <= {TARGET_GIB[scale]:g} GiB: {'met' if ok else 'MISSED'}"
            print(f"\nscale {s}")
            print(head)
            print(
                f"{s:>6} {r['generate_s']:>10.1f} {r['write_s']:>8.1f} {r['total_s']:>8.1f} "
                f"{r['peak_gib']:>9.2f} {r['bytes_on_disk'] / 2**20:>11.0f}  {checks}{target}"
            )
            print(f"       highest resident memory during: {r['peak_stage']}")
            print(
                "       rows: "
                + ", ".join(f"{k} {v:,} ({r['parts'][k]} parts)" for k, v in r["rows"].items())
            )
            if b is not None:
                print(
                    f"  baseline {args.baseline}: generate {b['generate_s']:.1f} s, write "
                    f"{b['write_s']:.1f} s, peak {b['peak_gib']:.2f} GiB -> streaming/baseline: "
                    f"generate {r['generate_s'] / b['generate_s']:.2f} x, "
                    f"peak {r['peak_gib'] / b['peak_gib']:.2f} x"
                )
            sys.stdout.flush()


if __name__ == "__main__":
    main()
