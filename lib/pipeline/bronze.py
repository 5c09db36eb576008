"""Bronze: raw tables as received, plus ingestion metadata and a profile.

Pure functions: ``DataFrame -> DataFrame`` / ``dict``. Nothing here changes a value.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import pandas as pd

from lib.config import BRONZE_TABLES

__all__ = ["KEYS", "DATE_COLUMNS", "to_bronze", "profile_bronze"]

# Primary key of each bronze table (None: rows have no natural id).
KEYS: dict[str, tuple[str, ...] | None] = {
    "users": ("user_id",),
    "movies": ("movie_id",),
    "watch_history": ("session_id",),
    "recommendation_logs": ("recommendation_id",),
    "search_logs": ("search_id",),
    "reviews": ("review_id",),
    "ratings": ("user_id", "movie_id"),
    "top10_weekly": ("week", "category", "weekly_rank"),
    "top10_titles": ("movie_id",),
    "engagement_report": ("period_start", "kind", "title", "release_date"),
}
DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("subscription_start_date", "created_at"),
    "movies": ("added_to_platform",),
    "watch_history": ("watch_date",),
    "recommendation_logs": ("recommendation_date",),
    "search_logs": ("search_date",),
    "reviews": ("review_date",),
    "ratings": ("rated_at",),
    "top10_weekly": ("week",),
}
META = ("_source", "_row", "_batch")


def _mix(h: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Fold one column's codes into 64-bit row hashes (splitmix64 finaliser)."""
    x = (h ^ codes) + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def duplicated_rows(
    df: pd.DataFrame,
    cols: list[str] | None = None,
    *,
    among: np.ndarray | None = None,
    column: Callable[[str], pd.Series] | None = None,
) -> pd.Series:
    """``df.duplicated(subset=cols)`` (first occurrence kept) with a fraction of its memory.

    pandas factorises every column at once and keeps all the codes (8 bytes per cell: ~1 GiB
    for 10M sessions x 12 columns). Here one column is factorised at a time and its codes are
    folded into a 64-bit hash per row; only rows whose hash repeats are compared exactly, so
    a hash collision can never mark a distinct row as a duplicate.

    ``among``: only these rows (a boolean array) take part; the others are never duplicates.
    ``column``: how to get a column (default ``df[c]``), e.g. already normalised text.
    """
    cols = list(df.columns) if cols is None else list(cols)
    get = column or (lambda c: df[c])
    if len(df) == 0 or not cols:
        return pd.Series(False, index=df.index)
    keep = np.ones(len(df), dtype=bool) if among is None else np.asarray(among, dtype=bool)
    rows = np.flatnonzero(keep)
    h = np.zeros(len(rows), dtype=np.uint64)
    for c in cols:
        values = get(c).iloc[rows]
        try:
            codes = pd.factorize(values, use_na_sentinel=False)[0]
        except TypeError:  # unhashable cells (e.g. lists): their text form
            codes = pd.factorize(values.astype(str), use_na_sentinel=False)[0]
        h = _mix(h, codes.astype(np.uint64))
    maybe = pd.Series(h).duplicated(keep=False).to_numpy()
    out = np.zeros(len(df), dtype=bool)
    if maybe.any():
        cand = rows[maybe]
        sub = pd.DataFrame({c: get(c).iloc[cand].to_numpy() for c in cols})
        try:
            exact = sub.duplicated()
        except TypeError:  # unhashable cells: compare their text form
            exact = sub.astype(str).duplicated()
        out[cand] = exact.to_numpy()
    return pd.Series(out, index=df.index)


def to_bronze(name: str, df: pd.DataFrame, source: str) -> pd.DataFrame:
    """Add ingestion metadata: source name, row number in the source, content batch hash."""
    try:
        row_hashes = pd.util.hash_pandas_object(df, index=False)
    except TypeError:  # unhashable cells (e.g. lists): hash their text form instead
        row_hashes = pd.util.hash_pandas_object(df.astype(str), index=False)
    digest = hashlib.sha256(row_hashes.to_numpy().tobytes()).hexdigest()[:16]
    return df.assign(
        _source=source,
        _row=np.arange(1, len(df) + 1, dtype=np.int64),
        _batch=f"{name}:{digest}",
    )


def profile_bronze(name: str, df: pd.DataFrame, as_of: pd.Timestamp) -> dict:
    """Row count, completeness per column, duplicates, schema compliance and freshness."""
    cols = [c for c in df.columns if c not in META]
    data = df[cols]
    n = len(data)
    completeness = {c: (float(data[c].notna().mean()) if n else 0.0) for c in cols}
    exact = int(duplicated_rows(data).sum()) if n else 0
    key = KEYS.get(name)
    key_dups = 0
    if key and all(k in data for k in key) and n:
        key_dups = int(duplicated_rows(data, list(key)).sum())
    expected = BRONZE_TABLES.get(name, ())
    freshness = None
    for c in DATE_COLUMNS.get(name, ()):
        if c in data:
            ts = pd.to_datetime(data[c], errors="coerce", format="ISO8601")
            if ts.notna().any():
                latest = ts.max()
                freshness = {
                    "column": c,
                    "latest": str(latest.date()),
                    "days_before_build": int((as_of - latest).days),
                    "unparseable": int((ts.isna() & data[c].notna()).sum()),
                }
            break
    return {
        "rows": n,
        "columns": len(cols),
        "completeness": completeness,
        "mean_completeness": float(np.mean(list(completeness.values()))) if cols else 0.0,
        "exact_duplicates": exact,
        "key_duplicates": key_dups,
        "schema": {
            "missing_columns": [c for c in expected if c not in data],
            "extra_columns": [c for c in cols if expected and c not in expected],
            "compliance": (float(np.mean([c in data for c in expected])) if expected else 1.0),
        },
        "freshness": freshness,
    }
