"""Bronze -> silver -> gold pipeline, quality report and CLI (``python -m lib.pipeline``).

Public API (used by notebooks, external scripts, the app and the CLI)::

    from lib.pipeline import build
    report = build(scale=1, seed=0, data_dir="data/demo")      # demo data: generate + build
    report = build(source="downloads/netflix_titles.csv", name="netflix")   # real data

Wiring and I/O live here; the transforms are pure functions in ``bronze``, ``silver`` and
``gold``. A build writes a complete dataset folder beside the old one and swaps it in, so a
failed build leaves the previous good layers intact.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lib.config import DEMO_NAME, dataset_dir
from lib.pipeline.bronze import profile_bronze, to_bronze
from lib.pipeline.gold import build_gold
from lib.pipeline.silver import clean_all
from lib.schema import check_gold
from lib.store import atomic_dataset, write_json, write_tables

__all__ = ["build", "build_tables", "Progress"]

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]


def _noop(_f: float, _m: str) -> None:
    return None


def build(
    scale: float = 1,
    seed: int = 0,
    data_dir: str | Path | None = None,
    *,
    source: str | Path | None = None,
    name: str | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Build a dataset and return its quality report.

    Parameters
    ----------
    scale, seed : size multiplier and random seed of the demo generator (ignored with source).
    data_dir : dataset folder; defaults to ``data/<name>`` (``data/demo`` for the demo).
    source : a file, folder or .zip of real data to import instead of generating demo data.
    name : dataset name (defaults to ``demo``, or the source's file name).
    progress : optional callback ``progress(fraction, message)``.
    """
    progress = progress or _noop
    if source is None:
        from lib.synth import WINDOW, generate

        label = name or DEMO_NAME
        progress(0.02, f"generating demo data (scale {scale:g}, seed {seed})")
        synth = generate(scale=scale, seed=seed, progress=lambda f, m: progress(0.02 + 0.2 * f, m))
        return build_tables(
            synth.tables,
            data_dir=data_dir or dataset_dir(label),
            name=label,
            source=f"demo generator (scale {scale:g}, seed {seed})",
            as_of=pd.Timestamp(WINDOW[1]),
            truth=synth.truth,
            meta={"kind": "demo", "scale": scale, "seed": seed},
            progress=progress,
        )
    from lib.importers import load_source

    src = Path(source)
    label = name or src.stem.replace(" ", "_") or "imported"
    progress(0.02, f"reading {src.name}")
    result = load_source(src)
    return build_tables(
        result.tables,
        data_dir=data_dir or dataset_dir(label),
        name=label,
        source=str(src.name),
        meta={"kind": "import", "import": _import_summary(result)},
        progress=progress,
    )


def _import_summary(result: Any) -> dict[str, Any]:
    files = [
        {
            "name": f.name,
            "format": f.format,
            "encoding": f.encoding,
            "rows": f.rows,
            "notes": list(getattr(f, "notes", [])),
        }
        for f in getattr(result, "files", [])
    ]
    return {
        "files": files,
        "notes": list(getattr(result, "notes", [])),
        "join_report": getattr(result, "join_report", None),
        "mappings": getattr(result, "mappings", None),
    }


def build_tables(
    tables: dict[str, pd.DataFrame],
    *,
    data_dir: str | Path,
    name: str,
    source: str,
    as_of: pd.Timestamp | None = None,
    truth: dict[str, pd.DataFrame] | None = None,
    meta: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run bronze -> silver -> gold on canonical bronze tables and write the dataset."""
    progress = progress or _noop
    t0 = time.perf_counter()
    if not tables:
        raise ValueError("no tables to build: the source contained no recognised data")
    as_of = as_of if as_of is not None else pd.Timestamp(datetime.now(UTC).date())
    progress(0.25, "bronze: adding ingestion metadata and profiling")
    bronze = {k: to_bronze(k, v, source) for k, v in tables.items()}
    profiles = {k: profile_bronze(k, v, as_of) for k, v in bronze.items()}
    progress(0.40, "silver: typing, deduplicating, validating")
    results = clean_all(bronze, as_of)
    silver = {k: r.table for k, r in results.items()}
    rejects = [df for r in results.values() for df in r.rejects]
    rejects_df = (
        pd.concat(rejects, ignore_index=True)
        if rejects
        else pd.DataFrame(columns=["table", "kind", "reason", "source", "row", "record"])
    )
    progress(0.60, "gold: building analysis tables")
    gold = build_gold(silver, as_of)
    checks = check_gold(gold)
    progress(0.85, "writing layers")
    report = _report(name, source, as_of, profiles, results, gold, checks)
    with atomic_dataset(data_dir) as stage:
        write_tables(stage / "bronze", bronze)
        write_tables(stage / "silver", {**silver, "rejects": rejects_df})
        write_tables(stage / "gold", gold)
        if truth:
            write_tables(stage / "truth", truth)
        elapsed = time.perf_counter() - t0
        report["build_seconds"] = round(elapsed, 2)
        report["built_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        write_json(stage / "report.json", report)
        manifest = {
            "name": name,
            "source": source,
            "built_at": report["built_at"],
            "build_seconds": report["build_seconds"],
            "as_of": str(as_of.date()),
            "rows": {k: len(v) for k, v in gold.items()},
            **(meta or {}),
        }
        write_json(stage / "manifest.json", manifest)
    progress(1.0, f"done in {time.perf_counter() - t0:.1f} s")
    return report


def _score(parts: dict[str, float]) -> float:
    vals = [v for v in parts.values() if v is not None and np.isfinite(v)]
    return round(100 * float(np.mean(vals)), 1) if vals else float("nan")


def _report(name, source, as_of, profiles, results, gold, checks) -> dict[str, Any]:
    silver = {k: r.summary() for k, r in results.items()}
    invariants = {
        k: {
            "bronze": s["rows_in"],
            "silver": s["rows_out"],
            "rejected": s["rejected"],
            "duplicates_removed": s["duplicates_removed"],
            "holds": s["balanced"],
        }
        for k, s in silver.items()
    }
    rows = sum(p["rows"] for p in profiles.values()) or 1
    dups = sum(p["exact_duplicates"] + p["key_duplicates"] for p in profiles.values())
    bronze_parts = {
        "completeness": float(np.mean([p["mean_completeness"] for p in profiles.values()])),
        "uniqueness": 1 - min(dups / rows, 1.0),
        "schema compliance": float(np.mean([p["schema"]["compliance"] for p in profiles.values()])),
    }
    kept = sum(s["rows_in"] - s["duplicates_removed"] for s in silver.values()) or 1
    rejected = sum(s["rejected"] for s in silver.values())
    silver_completeness = []
    for r in results.values():
        df = r.table
        if len(df):
            flags = [c for c in df.columns if c.endswith("_imputed")]
            silver_completeness.append(float(df.drop(columns=flags).notna().mean().mean()))
    silver_parts = {
        "validity": 1 - rejected / kept,
        "completeness": float(np.mean(silver_completeness)) if silver_completeness else None,
        "row accounting": float(np.mean([v["holds"] for v in invariants.values()])),
    }
    gold_parts = {
        "checks passed": float(np.mean([c.passed for c in checks])) if checks else None,
    }
    return {
        "dataset": name,
        "source": source,
        "as_of": str(as_of.date()),
        "bronze": profiles,
        "silver": silver,
        "gold": {k: {"rows": len(v), "columns": len(v.columns)} for k, v in gold.items()},
        "checks": [c.as_dict() for c in checks],
        "invariants": invariants,
        "scorecard": [
            {"layer": "bronze", "score": _score(bronze_parts), **bronze_parts},
            {"layer": "silver", "score": _score(silver_parts), **silver_parts},
            {"layer": "gold", "score": _score(gold_parts), **gold_parts},
        ],
    }
