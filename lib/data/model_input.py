"""What the model pages fit on: a gold table whole, or a seeded sample when it is too big.

The recommenders, the cluster explorer and the Top 10 predictor hold their input in memory
and fit in-process. Up to a row bound per input they use every row; above it they use a
seeded sample drawn by DuckDB straight from the gold Parquet (the full table never enters
pandas), and the page says so with :meth:`Sample.note`. The build's models step
(``lib.data.pipeline.models_*``) and the pages' cached loaders (``lib.ui.*_models``) both read
through :func:`read`, so a stored artefact and a page visit see the same rows.

The bounds keep one fit of each family within the app's memory budget (1.5 GiB for the
whole server with a scale-100 dataset open; ``python -m benchmarks.memory``):

* ``interactions`` (recommenders): 1,000,000 viewer-title pairs. Whole viewer histories
  are kept: viewers are drawn in seeded order until the next one would pass the bound.
* ``users`` (cluster explorer, viewers): 100,000 viewers, a seeded uniform sample.
* ``titles`` (cluster explorer, titles): 100,000 titles, a seeded uniform sample.
* ``top10_training`` (Top 10 predictor): 20,000 titles, stratified by the label
  (``in_top10``) so the share of Top 10 titles is that of the full table.

``STREAMDASH_MODEL_ROWS_<TABLE>`` (for example ``STREAMDASH_MODEL_ROWS_USERS=50000``)
overrides a bound. The sample is a function of the seed and the ids only (a hash of
``seed:id``), so the same data and seed give the same sample on every run.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from lib.config import DEFAULT_SEED

__all__ = ["BOUNDS", "Sample", "bound", "fits", "read", "plan"]

# rows of each model input used whole; above it, a seeded sample of this many rows
BOUNDS: dict[str, int] = {
    "interactions": 1_000_000,
    "users": 100_000,
    "titles": 100_000,
    "top10_training": 20_000,
}
# what one row of each input is, for the page's note
UNITS: dict[str, tuple[str, str]] = {
    "interactions": ("viewer-title interactions", "viewers"),
    "users": ("viewers", "viewers"),
    "titles": ("titles", "titles"),
    "top10_training": ("titles", "titles"),
}
# the id a sample is drawn by (whole units are kept or dropped)
KEYS: dict[str, str] = {
    "interactions": "user_id",
    "users": "user_id",
    "titles": "title_id",
    "top10_training": "title_id",
}
STRATA: dict[str, str] = {"top10_training": "in_top10"}


def bound(name: str) -> int:
    """The row bound of a model input (``STREAMDASH_MODEL_ROWS_<NAME>`` overrides it)."""
    env = os.environ.get(f"STREAMDASH_MODEL_ROWS_{name.upper()}")
    if env:
        try:
            value = int(env)
        except ValueError:
            raise ValueError(
                f"STREAMDASH_MODEL_ROWS_{name.upper()}={env!r}: expected a whole number of rows"
            ) from None
        if value < 1:
            raise ValueError(f"STREAMDASH_MODEL_ROWS_{name.upper()}={env!r}: expected >= 1")
        return value
    return BOUNDS[name]


@dataclass(frozen=True)
class Sample:
    """Which rows of a gold table a model was fitted on."""

    table: str
    rows: int  # rows used
    total: int  # rows in the gold table
    bound: int
    seed: int
    units: int = 0  # ids kept (viewers for interactions), 0 when not counted
    units_total: int = 0

    @property
    def sampled(self) -> bool:
        return self.rows < self.total

    @property
    def share(self) -> float:
        return self.rows / self.total if self.total else 1.0

    def params(self) -> dict[str, Any]:
        """What identifies the sample (part of a stored artefact's parameters)."""
        return {"table": self.table, "rows": self.rows, "total": self.total, "seed": self.seed}

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def note(self) -> str:
        """One sentence for the page: all rows, or which seeded sample and why."""
        what, unit = UNITS.get(self.table, ("rows", "rows"))
        if not self.sampled:
            return f"Fitted on all {self.total:,} {what}."
        how = {
            "interactions": (
                f"the complete histories of {self.units:,} of {self.units_total:,} {unit}, "
                f"drawn at random with seed {self.seed}"
            ),
            "top10_training": (
                f"drawn at random with seed {self.seed}, stratified by Top 10 membership "
                "(the share of Top 10 titles is kept)"
            ),
        }.get(self.table, f"drawn at random with seed {self.seed}")
        return (
            f"Fitted on a seeded sample: {self.rows:,} of {self.total:,} {what} "
            f"({self.share:.1%}; {how}). The full table is above this page's bound of "
            f"{self.bound:,} rows, which keeps a fit within the server's memory budget."
        )


def _files(folder: Path, name: str) -> list[str]:
    path = Path(folder) / "gold" / f"{name}.parquet"
    if path.is_file():
        return [str(path)]
    if path.is_dir():
        return sorted(str(p) for p in path.rglob("*.parquet"))
    raise FileNotFoundError(f"dataset has no gold table {name!r} ({path})")


def _rows(files: list[str]) -> int:
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


def _connect() -> Any:
    import duckdb

    return duckdb.connect(config={"threads": 2, "memory_limit": "1GB"})


def _run(con: Any, query: str) -> list[tuple]:
    return con.execute(query).fetchall()


def _one(con: Any, query: str) -> Any:
    return _run(con, query)[0][0]


def fits(folder: str | Path, name: str) -> bool:
    """Whether the table is used whole (at most :func:`bound` rows; Parquet metadata only).
    Raises FileNotFoundError without the table."""
    return _rows(_files(Path(folder), name)) <= bound(name)


def plan(folder: str | Path, name: str, *, seed: int = DEFAULT_SEED) -> Sample:
    """The sample :func:`read` would take, without reading any rows (Parquet metadata only
    when the table fits)."""
    return _read(Path(folder), name, seed, rows=False)[1]


def read(
    folder: str | Path,
    name: str,
    *,
    seed: int = DEFAULT_SEED,
    columns: list[str] | None = None,
) -> tuple[pd.DataFrame, Sample]:
    """The gold table ``name`` of the dataset at ``folder``: whole when it has at most
    :func:`bound` rows, otherwise a seeded sample (see the module doc). Rows come back in
    the table's order (a sample keeps the relative order of the rows it keeps)."""
    df, sample = _read(Path(folder), name, seed, rows=True, columns=columns)
    assert df is not None
    return df, sample


def _read(
    folder: Path,
    name: str,
    seed: int,
    *,
    rows: bool,
    columns: list[str] | None = None,
) -> tuple[pd.DataFrame | None, Sample]:
    files = _files(folder, name)
    total, limit = _rows(files), bound(name)
    if total <= limit:
        sample = Sample(name, total, total, limit, int(seed))
        if not rows:
            return None, sample
        return pd.read_parquet(files[0] if len(files) == 1 else files, columns=columns), sample
    key = KEYS[name]
    src = f"read_parquet({files!r}, filename = true, file_row_number = true)"
    h = f"hash('{int(seed)}:' || CAST({key} AS VARCHAR))"
    con = _connect()
    try:
        if name == "interactions":
            # seeded order of viewers; keep whole histories while the running total fits
            kept = f"""
                WITH v AS (SELECT {key}, count(*) AS n, {h} AS h FROM {src} GROUP BY {key}),
                r AS (SELECT {key}, sum(n) OVER (ORDER BY h, {key}
                      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum FROM v)
                SELECT {key} FROM r WHERE cum <= {limit}"""
            units_total = _one(con, f"SELECT count(DISTINCT {key}) FROM {src}")
            where = f"{key} IN (SELECT {key} FROM kept)"
            _run(con, f"CREATE TEMP TABLE kept AS {kept}")
            units = _one(con, "SELECT count(*) FROM kept")
        elif name in STRATA:
            label = STRATA[name]
            _run(
                con,
                f"""CREATE TEMP TABLE kept AS
                WITH s AS (SELECT {key}, {label}, {h} AS h,
                           row_number() OVER (PARTITION BY {label} ORDER BY {h}, {key}) AS k,
                           count(*) OVER (PARTITION BY {label}) AS n FROM {src})
                SELECT {key} FROM s WHERE k <= round(n * {limit} / {total})""",
            )
            where, units, units_total = f"{key} IN (SELECT {key} FROM kept)", 0, 0
        else:
            _run(
                con,
                f"CREATE TEMP TABLE kept AS SELECT {key} FROM {src} ORDER BY {h}, {key} "
                f"LIMIT {limit}",
            )
            where, units, units_total = f"{key} IN (SELECT {key} FROM kept)", 0, 0
        n = _one(con, f"SELECT count(*) FROM {src} WHERE {where}")
        sample = Sample(name, int(n), total, limit, int(seed), int(units), int(units_total))
        if not rows:
            return None, sample
        cols = (
            ", ".join(f'"{c}"' for c in columns)
            if columns
            else "* EXCLUDE (filename, file_row_number)"
        )
        df = con.sql(
            f"SELECT {cols} FROM {src} WHERE {where} ORDER BY filename, file_row_number"
        ).to_arrow_table()
        # through Arrow, as pandas.read_parquet converts: the same dtypes whole or sampled
        df = df.to_pandas()
        return df, sample
    finally:
        con.close()
