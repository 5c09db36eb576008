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
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lib.config import DEMO_NAME, dataset_dir
from lib.memory import release_memory
from lib.pipeline.bronze import profile_bronze, to_bronze
from lib.pipeline.gold import build_gold
from lib.pipeline.silver import ORDER, clean_table
from lib.schema import check_gold
from lib.store import atomic_dataset, read_tables, write_json, write_tables

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
            consume=True,
            data_dir=data_dir or dataset_dir(label),
            name=label,
            source=f"demo generator (scale {scale:g}, seed {seed})",
            as_of=pd.Timestamp(WINDOW[1]),
            truth=synth.truth,
            meta={"kind": "demo", "scale": scale, "seed": seed},
            progress=progress,
        )
    from lib.importers import build_import, load_source

    src = Path(source)
    label = name or src.stem.replace(" ", "_") or "imported"
    progress(0.02, f"reading {src.name}")
    return build_import(
        load_source(src),
        consume=True,
        data_dir=data_dir or dataset_dir(label),
        name=label,
        source=str(src.name),
        progress=progress,
    )


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
    consume: bool = False,
) -> dict[str, Any]:
    """Run bronze -> silver -> gold on canonical bronze tables and write the dataset.

    ``consume=True`` hands ``tables`` over: each table is taken out of the dict when its turn
    comes, so it can be freed once cleaned (``build`` does this; at scale 100 it is the
    difference between fitting in 8 GiB or not).
    """
    progress = progress or _noop
    t0 = time.perf_counter()
    if not tables:
        raise ValueError("no tables to build: the source contained no recognised data")
    as_of = as_of if as_of is not None else pd.Timestamp(datetime.now(UTC).date())
    with atomic_dataset(data_dir) as stage:
        # One table at a time through bronze and silver, each written as soon as it exists and
        # then dropped (users and titles stay: they are the other tables' foreign keys); gold
        # reads silver back table by table. The biggest table goes last, when the least else
        # is held, so a scale-100 build (10M sessions) stays within 8 GiB.
        original = list(tables)
        names = sorted(original, key=_silver_rank)
        profiles: dict[str, dict] = {}
        summaries: dict[str, dict] = {}
        rejects: dict[str, list[pd.DataFrame]] = {}
        completeness: list[float] = []
        parents: dict[str, pd.DataFrame] = {}
        for i, key in enumerate(names):
            raw = tables.pop(key) if consume else tables[key]
            progress(
                0.25 + 0.35 * i / len(names),
                f"bronze and silver: {key} ({len(raw):,} rows): profiling, typing, "
                "deduplicating, validating",
            )
            bronze = to_bronze(key, raw, source)
            del raw
            profiles[key] = profile_bronze(key, bronze, as_of)
            write_tables(stage / "bronze", {key: bronze})
            result = clean_table(key, bronze, as_of, parents)
            del bronze
            if result is not None:
                summaries[key] = result.summary()
                rejects[key] = result.rejects
                completeness.extend(_completeness({key: result.table}))
                write_tables(stage / "silver", {key: result.table})
                if key in ("users", "movies"):
                    parents[key] = result.table
                del result
            release_memory()
        parts = [df for k in original for df in rejects.get(k, [])]
        del rejects
        rejects_df = (
            pd.concat(parts, ignore_index=True)
            if parts
            else pd.DataFrame(columns=["table", "kind", "reason", "source", "row", "record"])
        )
        del parts
        write_tables(stage / "silver", {"rejects": rejects_df})
        del rejects_df
        profiles = {k: profiles[k] for k in original}
        silver_summary = {k: summaries[k] for k in original if k in summaries}
        progress(0.60, "gold: building analysis tables")
        gold = build_gold(_Layer(stage / "silver", list(silver_summary), parents), as_of)
        del parents
        release_memory()
        checks = check_gold(gold)
        progress(0.85, "writing layers")
        report = _report(name, source, as_of, profiles, silver_summary, completeness, gold, checks)
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


def _silver_rank(name: str) -> tuple[int, int]:
    """Cleaning order: users and titles first (foreign keys), watch history last (biggest)."""
    if name in ("users", "movies"):
        return (0, ORDER.index(name))
    if name == "watch_history":
        return (2, 0)
    return (1, ORDER.index(name) if name in ORDER else len(ORDER))


class _Layer(Mapping[str, pd.DataFrame]):
    """Read-only mapping of a written layer's tables, read from Parquet on each access.

    ``cached`` tables are served from memory. Gold asks for each big table once or twice, so
    only the table in use is held rather than the whole silver layer.
    """

    def __init__(self, folder: Path, names: list[str], cached: dict[str, pd.DataFrame]):
        self._folder, self._names, self._cached = folder, names, cached

    def __getitem__(self, key: str) -> pd.DataFrame:
        if key not in self._names:
            raise KeyError(key)
        if key in self._cached:
            return self._cached[key]
        return read_tables(self._folder, [key])[key]

    def __contains__(self, key: object) -> bool:
        return key in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _completeness(silver: dict[str, pd.DataFrame]) -> list[float]:
    out = []
    for df in silver.values():
        if len(df):
            flags = [c for c in df.columns if c.endswith("_imputed")]
            out.append(float(df.drop(columns=flags).notna().mean().mean()))
    return out


def _score(parts: dict[str, float]) -> float:
    vals = [v for v in parts.values() if v is not None and np.isfinite(v)]
    return round(100 * float(np.mean(vals)), 1) if vals else float("nan")


def _report(
    name, source, as_of, profiles, silver, silver_completeness, gold, checks
) -> dict[str, Any]:
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
