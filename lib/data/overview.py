"""What the landing page (Overview) shows, computed when the data is built.

The Overview is the first page every analyst opens, often on a server that has just
started. Its figures (the six tiles and the watch-hours trend per day, week and month) are
computed here once per build and stored in ``report.json`` under ``"overview"``, so the
page's first script run reads one JSON file: no pandas, no Parquet, no Arrow import on a
fresh server (0.3-0.6 s on this machine). Datasets built before this existed get the same
figures from :func:`overview_numbers` on their first visit.

pandas is imported inside the functions: ``lib.charts.light`` (imported by the Overview)
re-exports :func:`watch_hours_by_period`, and this module's import must stay free.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "PERIODS",
    "VERSION",
    "watch_hours_by_period",
    "numbers",
    "gold_inputs",
    "overview_numbers",
]

VERSION = 1  # bump when the payload's meaning changes: older payloads are recomputed
PERIODS = ("D", "W", "M")  # day, week, month


def watch_hours_by_period(daily: pd.DataFrame, *, freq: str = "W") -> pd.DataFrame:
    """Watch hours and sessions per period (``freq``: D, W or M) of gold ``engagement_daily``.

    Periods the data covers only in part (the first and the last) are left out: a partial
    week looks like a drop. Columns: ``period`` (its first day), ``watch_hours``, ``sessions``.
    """
    import pandas as pd

    if daily.empty:
        return pd.DataFrame(columns=["period", "watch_hours", "sessions"])
    dates = pd.to_datetime(daily["date"])
    if dates.dt.tz is not None:  # a Spark build writes UTC-aware timestamps: the same days
        dates = dates.dt.tz_localize(None)
    periods = dates.dt.to_period(freq)
    data = (
        daily.assign(period=periods.dt.start_time)
        .groupby("period", as_index=False)[["watch_hours", "sessions"]]
        .sum()
    )
    last = periods.max()
    if len(data) > 1 and dates.max().normalize() < last.end_time.normalize():
        data = data[data["period"] < last.start_time]
    first = periods.min()
    if len(data) > 1 and dates.min().normalize() > first.start_time.normalize():
        data = data[data["period"] > first.start_time]
    return data.reset_index(drop=True)


def _trend_records(data: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON rows of a :func:`watch_hours_by_period` table (periods as local ISO dates)."""
    return [
        {
            "period": p.strftime("%Y-%m-%dT00:00:00"),
            "watch_hours": float(h),
            "sessions": int(s),
        }
        for p, h, s in zip(data["period"], data["watch_hours"], data["sessions"])
    ]


def numbers(
    n_titles: int,
    users: pd.DataFrame,
    daily: pd.DataFrame,
    kpis: Mapping[str, Any],
    *,
    trend: bool = True,
) -> dict[str, Any]:
    """The Overview's figures from gold tables: ``n_titles`` titles, ``users`` (only
    ``is_active`` is read), the daily engagement table and the build's ``kpis``
    (``mean_progress``, 0-100). JSON-ready: plain ints, floats, None and lists.

    Keys: ``titles``, ``viewers``, ``active`` (accounts with ``is_active`` true; None when
    the dataset has no subscription status), ``active_share`` (of the accounts whose status
    is known), ``watch_hours`` (sum of the daily table; None without watch history),
    ``mean_progress`` and, with ``trend``, ``trend``: for each of D, W and M the rows of
    :func:`watch_hours_by_period`.
    """
    status = users["is_active"].dropna() if len(users) and "is_active" in users else None
    share = float(status.astype(float).mean()) if status is not None and len(status) else None
    active = int(users["is_active"].fillna(False).astype(bool).sum()) if share is not None else None
    progress = kpis.get("mean_progress")
    out: dict[str, Any] = {
        "version": VERSION,
        "titles": int(n_titles),
        "viewers": int(len(users)),
        "active": active,
        "active_share": share,
        "watch_hours": float(daily["watch_hours"].sum()) if len(daily) else None,
        "mean_progress": float(progress) if progress is not None else None,
    }
    if trend:
        out["trend"] = {
            freq: _trend_records(watch_hours_by_period(daily, freq=freq)) if len(daily) else []
            for freq in PERIODS
        }
    return out


def gold_inputs(data_dir: str | Path) -> tuple[int, pd.DataFrame, pd.DataFrame]:
    """What :func:`numbers` reads of the dataset at ``data_dir`` (its ``gold/`` folder), and
    only that: the titles' row count (from the Parquet footers), the users' ``is_active``
    column (no column, one row per account, when the dataset has no subscription status)
    and the daily engagement table (empty without watch history)."""
    import pandas as pd
    import pyarrow.parquet as pq

    gold = Path(data_dir) / "gold"

    def files(name: str) -> list[Path]:
        path = gold / f"{name}.parquet"
        return sorted(path.rglob("*.parquet")) if path.is_dir() else [path] if path.exists() else []

    def rows(name: str) -> int:
        return sum(pq.ParquetFile(p).metadata.num_rows for p in files(name))

    def read(name: str, columns: list[str]) -> pd.DataFrame:
        parts = files(name)
        have = set(pq.read_schema(parts[0]).names) if parts else set()
        cols = [c for c in columns if c in have]
        if not cols:
            return pd.DataFrame(index=pd.RangeIndex(rows(name)))
        return pd.concat([pd.read_parquet(p, columns=cols) for p in parts], ignore_index=True)

    users = read("users", ["is_active"])
    daily = read("engagement_daily", ["date", "watch_hours", "sessions"])
    if len(daily.columns) < 3:  # a dataset without watch history
        daily = pd.DataFrame(columns=["date", "watch_hours", "sessions"])
    return rows("titles"), users, daily


def overview_numbers(data_dir: str | Path, kpis: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`numbers` of the dataset at ``data_dir`` (see :func:`gold_inputs`)."""
    return numbers(*gold_inputs(data_dir), kpis)
