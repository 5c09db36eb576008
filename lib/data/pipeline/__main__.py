"""CLI: ``python -m lib.data.pipeline build [--scale N] [--seed S] [--source PATH] [--name NAME]
[--engine duckdb|spark] [--master local[2]|spark://HOST:7077|sc://HOST:15002]``."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from lib.config import DEMO_NAME, data_root, dataset_dir
from lib.data.pipeline.engine import ENGINES
from lib.data.store import list_datasets, load_manifest

EPILOG = """examples:
  python -m lib.data.pipeline build                   demo data, scale 1, seed 0 -> data/demo
  python -m lib.data.pipeline build --scale 10 --name demo10
                                                      ten times the demo size -> data/demo10
  python -m lib.data.pipeline build --source netflix_titles.csv --name netflix
  python -m lib.data.pipeline build --source exports.zip
                                                      a folder, files or a .zip of real data
  python -m lib.data.pipeline build --engine spark    the same build on Apache Spark (local[2])
  python -m lib.data.pipeline build --engine spark --master spark://127.0.0.1:7077 --scale 10
  python -m lib.data.pipeline build --no-models       data layers only (pages fit on first visit)
  python -m lib.data.pipeline models --name demo      recompute a dataset's model artefacts
  python -m lib.data.pipeline list                    datasets under the data folder

(python -m lib.pipeline, the path before issue 16, still works.)
"""


def _progress(fraction: float, message: str) -> None:
    print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def _summary(report: dict) -> str:
    lines = [
        f"dataset {report['dataset']!r} from {report['source']} "
        f"built in {report.get('build_seconds', 0):.1f} s on {report.get('engine', 'duckdb')}",
        "",
    ]
    lines.append(f"{'table':<22}{'bronze':>10}{'silver':>10}{'rejected':>10}{'duplicates':>12}")
    for name, inv in report["invariants"].items():
        lines.append(
            f"{name:<22}{inv['bronze']:>10,}{inv['silver']:>10,}{inv['rejected']:>10,}"
            f"{inv['duplicates_removed']:>12,}"
        )
    lines.append("")
    lines.append("gold: " + ", ".join(f"{k} {v['rows']:,}" for k, v in report["gold"].items()))
    lines.append(
        "quality scores: "
        + ", ".join(f"{s['layer']} {s['score']:.1f}" for s in report["scorecard"])
    )
    if "models" in report:
        lines.append(
            "models: "
            + (
                ", ".join(
                    f"{k} {v.get('seconds', 0):.1f} s"
                    + (f" (skipped: {v['skipped']})" if "skipped" in v else "")
                    + (f" (FAILED: {v['error']})" if "error" in v else "")
                    for k, v in report["models"].items()
                )
                or "none"
            )
        )
    failed = [c for c in report["checks"] if not c["passed"]]
    lines.append(f"gold checks: {len(report['checks']) - len(failed)} passed, {len(failed)} failed")
    for c in failed:
        lines.append(f"  FAILED {c['table']}: {c['name']} ({c['failing']} rows)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lib.data.pipeline",
        description="Build a dataset: demo generator or real files -> bronze -> silver -> gold "
        "(Parquet under the data folder, written atomically) and print a quality summary.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser(
        "build",
        help="generate or import, then build all layers",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    b.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="demo size multiplier (1 = 10,300 users, 1,040 titles, 105,000 sessions)",
    )
    b.add_argument("--seed", type=int, default=0, help="random seed of the demo generator")
    b.add_argument("--source", type=Path, help="real data: a file, a folder or a .zip")
    b.add_argument("--name", help="dataset name (default: demo, or the source file name)")
    b.add_argument("--data-dir", type=Path, help="dataset folder (default: data/<name>)")
    b.add_argument(
        "--engine",
        choices=ENGINES,
        default="duckdb",
        help="what runs the transforms: duckdb (embedded, default) or spark (needs PySpark and "
        "Java 17: pip install -r requirements-spark.txt)",
    )
    b.add_argument(
        "--master",
        help="Spark only: local[N] (default local[2]), spark://HOST:PORT (a standalone "
        "cluster) or sc://HOST:PORT (Spark Connect)",
    )
    b.add_argument(
        "--no-models",
        action="store_true",
        help="build the data layers only; skip the models step (the model pages then fit on "
        "their first visit)",
    )
    b.add_argument("-v", "--verbose", action="store_true", help="log every step")
    m = sub.add_parser(
        "models",
        help="(re)compute the models step of an existing dataset in place (for example after "
        "a library upgrade made its artefacts stale)",
    )
    m.add_argument("--name", default=DEMO_NAME, help="dataset name (default: demo)")
    m.add_argument("--data-dir", type=Path, help="dataset folder (default: data/<name>)")
    sub.add_parser("list", help="list the datasets under the data folder")
    args = parser.parse_args(argv)
    if args.command == "list":
        names = list_datasets()
        if not names:
            print(f"no datasets under {data_root()}")
        for n in names:
            m = load_manifest(dataset_dir(n))
            print(f"{n:<20} {m.get('source', '')}  built {m.get('built_at', '?')}")
        return 0
    if args.command == "models":
        from lib.data.pipeline.models import build_models

        folder = args.data_dir or dataset_dir(args.name)
        if not (folder / "gold").is_dir():
            print(f"error: {folder} holds no built dataset", file=sys.stderr)
            return 2
        t0 = time.perf_counter()
        summary = build_models(folder, _progress)
        for family, info in summary.items():
            print(f"{family:<12} {info}")
        print(f"\ntotal {time.perf_counter() - t0:.1f} s")
        return 0
    if args.master and args.engine != "spark":
        parser.error("--master is for --engine spark")
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from lib.data.pipeline import build

    t0 = time.perf_counter()
    try:
        if args.source is not None and not args.source.exists():
            raise FileNotFoundError(f"{args.source}: no such file or folder")
        name = args.name or (DEMO_NAME if args.source is None else None)
        report = build(
            scale=args.scale,
            seed=args.seed,
            data_dir=args.data_dir,
            source=args.source,
            name=name,
            progress=_progress,
            engine=args.engine,
            spark_master=args.master,
            models=not args.no_models,
        )
    except (FileNotFoundError, ValueError, OSError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(_summary(report))
    print(f"\ntotal {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
