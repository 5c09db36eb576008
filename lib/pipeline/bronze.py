"""Bronze: raw tables as received, plus ingestion metadata and a profile.

Pure functions: ``DataFrame -> DataFrame`` / ``dict``. Nothing here changes a value.
"""

from __future__ import annotations

import hashlib

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
    exact = int(data.duplicated().sum()) if n else 0
    key = KEYS.get(name)
    key_dups = 0
    if key and all(k in data for k in key) and n:
        key_dups = int(data.duplicated(subset=list(key)).sum())
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
