"""Bronze -> silver -> gold pipeline, quality report and CLI (``python -m lib.data.pipeline``).

Public API (used by notebooks, external scripts, the app and the CLI)::

    from lib.data.pipeline import build
    report = build(scale=1, seed=0, data_dir="data/demo")      # demo data: generate + build
    report = build(source="downloads/netflix_titles.csv", name="netflix")   # real data
    report = build(scale=10, engine="spark", spark_master="local[2]")      # on Apache Spark

Wiring and I/O live here; the transforms are Ibis expressions in ``bronze``, ``silver`` and
``gold``, run by an engine (``lib.data.pipeline.engine``: DuckDB embedded by default, or Spark).
A build writes a complete dataset folder beside the old one and swaps it in, so a failed
build leaves the previous good layers intact.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lib.config import BRONZE_TABLES, DEMO_NAME, Progress, dataset_dir
from lib.data.overview import overview_numbers
from lib.data.pipeline.bronze import BronzeWriter, profile_bronze
from lib.data.pipeline.engine import (
    ENGINES,
    FUSE_SELECTS_ROWS,
    Engine,
    Task,
    connect,
    default_memory_limit,
    parquet_rows,
    run_tasks,
    table_path,
)
from lib.data.pipeline.gold import build_gold
from lib.data.pipeline.silver import silver_tasks
from lib.data.store import atomic_dataset, remove_stale_staging, write_json, write_tables

__all__ = ["build", "build_tables", "Progress", "ENGINES"]

log = logging.getLogger(__name__)


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
    engine: str = "duckdb",
    spark_master: str | None = None,
    models: bool = True,
) -> dict[str, Any]:
    """Build a dataset and return its quality report.

    Parameters
    ----------
    scale, seed : size multiplier and random seed of the demo generator (ignored with source).
    data_dir : dataset folder; defaults to ``data/<name>`` (``data/demo`` for the demo).
    source : a file, folder or .zip of real data to import instead of generating demo data.
    name : dataset name (defaults to ``demo``, or the source's file name).
    progress : optional callback ``progress(fraction, message)``.
    engine : ``"duckdb"`` (embedded, default) or ``"spark"``.
    spark_master : with ``engine="spark"``: ``local[2]`` (default), ``spark://HOST:7077`` or
        ``sc://HOST:15002``.
    models : run the models step after gold (``lib.data.pipeline.models``: what the model pages
        show by default, stored under ``models/``); ``False`` builds the data layers only and
        the pages compute on their first visit instead.
    """
    progress = progress or _noop
    if source is None:
        from lib.data.synth import WINDOW

        label = name or DEMO_NAME
        return _run(
            _demo_chunks(scale, seed, progress),
            data_dir=data_dir or dataset_dir(label),
            name=label,
            source=f"demo generator (scale {scale:g}, seed {seed})",
            as_of=pd.Timestamp(WINDOW[1]),
            meta={"kind": "demo", "scale": scale, "seed": seed},
            progress=progress,
            engine=engine,
            spark_master=spark_master,
            models=models,
        )
    from lib.data.importers import build_import, load_source

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
        engine=engine,
        spark_master=spark_master,
        models=models,
    )


Chunks = Iterable[tuple[str, str, pd.DataFrame]]  # (layer, table, frame)


def _demo_chunks(scale: float, seed: int, progress: Progress) -> Iterator[tuple[str, str, Any]]:
    """The demo generator's tables as (layer, table, frame) chunks, with build progress."""
    from lib.data import synth

    def step(f: float, m: str) -> None:
        progress(0.02 + 0.3 * f, m)

    progress(0.02, f"generating demo data (scale {scale:g}, seed {seed})")
    for chunk in synth.generate_chunks(scale=scale, seed=seed, progress=step):
        yield chunk.layer, chunk.table, chunk.frame


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
    engine: str = "duckdb",
    spark_master: str | None = None,
    models: bool = True,
) -> dict[str, Any]:
    """Run bronze -> silver -> gold (-> models) on canonical bronze tables and write the
    dataset.

    ``consume=True`` hands ``tables`` over: each table is taken out of the dict once it is
    written to bronze, so it can be freed.
    """
    if not tables:
        raise ValueError("no tables to build: the source contained no recognised data")

    def chunks() -> Iterator[tuple[str, str, pd.DataFrame]]:
        for key in list(tables):
            yield "bronze", key, (tables.pop(key) if consume else tables[key])
        for key, frame in (truth or {}).items():
            yield "truth", key, frame

    return _run(
        chunks(),
        data_dir=data_dir,
        name=name,
        source=source,
        as_of=as_of,
        meta=meta,
        progress=progress or _noop,
        engine=engine,
        spark_master=spark_master,
        models=models,
    )


def _write_bronze(stage: Path, chunks: Chunks, source: str) -> tuple[list[str], list[str]]:
    """Write the chunks: bronze part files per table, truth tables whole. Returns the names."""
    writers: dict[str, BronzeWriter] = {}
    truth: dict[str, list[pd.DataFrame]] = {}
    for layer, table, frame in chunks:
        if layer == "truth":
            truth.setdefault(table, []).append(frame)
            continue
        if table not in writers:
            writers[table] = BronzeWriter(stage / "bronze", table, source=source)
        writers[table].append(frame)
        del frame
    for w in writers.values():
        w.close()
    if truth:
        write_tables(
            stage / "truth",
            {k: pd.concat(v, ignore_index=True) if len(v) > 1 else v[0] for k, v in truth.items()},
        )
    order = list(BRONZE_TABLES)
    names = sorted(writers, key=lambda t: (order.index(t) if t in order else len(order), t))
    return names, list(truth)


def _run(
    chunks: Chunks,
    *,
    data_dir: str | Path,
    name: str,
    source: str,
    as_of: pd.Timestamp | None,
    meta: dict[str, Any] | None,
    progress: Progress,
    engine: str,
    spark_master: str | None,
    models: bool = True,
) -> dict[str, Any]:
    t0 = time.perf_counter()
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")
    as_of = as_of if as_of is not None else pd.Timestamp(datetime.now(UTC).date())
    data_dir = Path(data_dir)
    remove_stale_staging(data_dir.parent)
    with atomic_dataset(data_dir) as stage:
        names, _truth = _write_bronze(stage, chunks, source)
        if not names:
            raise ValueError("no tables to build: the source contained no recognised data")
        progress(0.33, f"bronze written ({', '.join(names)}); starting the {engine} engine")
        layers = _span(progress, 0.0, 0.8) if models else progress
        rows = sum(parquet_rows(table_path(stage / "bronze", n)) for n in names)
        with connect(
            engine,
            spark_master=spark_master,
            temp_dir=stage / "_spill",
            memory_limit=default_memory_limit(rows) if engine == "duckdb" else None,
            fuse_selects=rows >= FUSE_SELECTS_ROWS,
        ) as eng:
            report = _layers(eng, stage, names, name, source, as_of, layers)
        shutil.rmtree(stage / "_work", ignore_errors=True)
        shutil.rmtree(stage / "_spill", ignore_errors=True)
        # the landing page's figures, so its first run on a fresh server reads JSON only
        report["overview"] = overview_numbers(stage, report.get("kpis") or {})
        report["data_seconds"] = round(time.perf_counter() - t0, 2)
        if models:
            from lib.data.pipeline.models import build_models

            report["models"] = build_models(stage, progress, span=(0.8, 0.99))
        elapsed = time.perf_counter() - t0
        report["build_seconds"] = round(elapsed, 2)
        report["built_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        report["engine"] = engine if engine == "duckdb" else f"spark ({spark_master or 'local[2]'})"
        write_json(stage / "report.json", report)
        manifest = {
            "name": name,
            "source": source,
            "built_at": report["built_at"],
            "build_seconds": report["build_seconds"],
            "engine": report["engine"],
            "as_of": str(as_of.date()),
            "rows": {k: v["rows"] for k, v in report["gold"].items()},
            **(meta or {}),
        }
        write_json(stage / "manifest.json", manifest)
    progress(1.0, f"done in {time.perf_counter() - t0:.1f} s")
    return report


def _span(progress: Progress, lo: float, hi: float) -> Progress:
    """``progress`` with fractions mapped from 0-1 into ``lo``-``hi``."""
    return lambda f, m: progress(lo + (hi - lo) * f, m)


def _layers(
    eng: Engine,
    stage: Path,
    names: list[str],
    name: str,
    source: str,
    as_of: pd.Timestamp,
    progress: Progress,
) -> dict[str, Any]:
    """Profile bronze, clean into silver, build and check gold; return the quality report."""
    bronze, silver, gold, work = stage / "bronze", stage / "silver", stage / "gold", stage / "_work"
    summaries: dict[str, dict] = {}
    tasks = silver_tasks(eng, bronze, silver, work, names, as_of, summaries)
    cleaned = [t.name for t in tasks if not t.name.startswith("rejects:")]
    profiles: dict[str, dict] = {}

    def profile(key: str) -> Callable[[Engine], None]:
        def run(e: Engine) -> None:
            s = summaries.get(key)
            dups = (s["exact_duplicates"], s["duplicates_removed"]) if s else None
            profiles[key] = profile_bronze(e, key, table_path(bronze, key), as_of, dups)

        return run

    # each table's bronze profile once its cleaning has counted the duplicates; on DuckDB
    # they run beside the silver steps still going (run_tasks)
    tasks += [Task(f"profile:{k}", profile(k), after=(k,) if k in cleaned else ()) for k in names]
    done = [0]

    def started(t: Task) -> None:
        if t.name in cleaned:
            rows = eng.rows(table_path(bronze, t.name))
            progress(
                0.36 + 0.36 * done[0] / len(cleaned),
                f"silver: {t.name} ({rows:,} rows): typing, deduplicating, validating",
            )
            done[0] += 1

    run_tasks(eng, tasks, started=started)
    progress(0.72, f"bronze profiles and silver rejects of {len(names)} tables written")
    for s in summaries.values():
        s.pop("exact_duplicates")
    profiles = {k: profiles[k] for k in names}
    summaries = {k: summaries[k] for k in names if k in summaries}
    completeness = [s.pop("completeness", None) for s in summaries.values()]

    def gold_step(table: str) -> None:
        progress(0.72, f"gold: {table}")

    rows = build_gold(eng, silver, gold, list(summaries), as_of, progress=gold_step)
    progress(0.92, "gold: checks")
    from lib.data.schema import check_gold  # pandera: imported when first needed

    gold_tables = {k: eng.read(table_path(gold, k)) for k in rows}
    checks = check_gold(eng, gold_tables, rows)
    gold_info = {k: {"rows": int(rows[k]), "columns": len(gold_tables[k].columns)} for k in rows}
    report = _report(name, source, as_of, profiles, summaries, completeness, gold_info, checks)
    report["kpis"] = _kpis(eng, gold_tables["sessions"]) if rows["sessions"] else {}
    return report


def _kpis(eng: Engine, sessions) -> dict[str, Any]:
    """Figures of the whole watch history the Overview shows, computed once in the build."""
    row = eng.row(
        sessions.aggregate(
            sessions=sessions.count(),
            viewers=sessions.user_id.nunique(),
            watch_hours=(sessions.watch_minutes / 60).sum(),
            mean_progress=sessions.progress_pct.mean(),
            completion=sessions.completed.cast("float64").mean(),
        )
    )
    return {k: (float(v) if v is not None else None) for k, v in row.items()}


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
    completeness = [c for c in silver_completeness if c is not None]
    silver_parts = {
        "validity": 1 - rejected / kept,
        "completeness": float(np.mean(completeness)) if completeness else None,
        "row accounting": float(np.mean([v["holds"] for v in invariants.values()]))
        if invariants
        else None,
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
        "gold": gold,
        "checks": [c.as_dict() for c in checks],
        "invariants": invariants,
        "scorecard": [
            {"layer": "bronze", "score": _score(bronze_parts), **bronze_parts},
            {"layer": "silver", "score": _score(silver_parts), **silver_parts},
            {"layer": "gold", "score": _score(gold_parts), **gold_parts},
        ],
    }
