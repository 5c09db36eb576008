"""The sessions a page shows, as DuckDB queries over a dataset's gold Parquet.

A :class:`SessionQuery` is "the sessions of dataset D that pass filters F". It never loads the
sessions table: every figure asks it for a small aggregate (``tally``), which DuckDB computes
over the Parquet file with the filters pushed down (only the columns a query needs are read).
The Engagement and Overview pages, their charts and insights use it through the same
``tally`` / ``has_values`` functions that also accept a pandas frame (``lib.filters``), so a
chart is written once for a DataFrame in tests and for a 10M-row dataset on a page.

Derived columns (``month``, ``day``, ``dl``, ``premium``) are defined here for SQL and in
``lib.filters.derive`` for pandas, with the same meaning.

Where gold has the integer surrogate keys (``title_key``, ``user_key``: ``lib.config.KEY_COLUMNS``)
title filters, viewer counts and per-viewer queries use them; datasets built before the keys
are queried on the text ids, with the same answers. At scale 100 (10.1M sessions, DuckDB, 2
threads) a title filter as a bit string over the title keys costs ~0.07 s of CPU a scan, against
0.3-1.5 s on the text ids; the viewers shown are a bit string over the viewer keys too. And one
query per filter state (the cube, see ``CUBE_COLUMNS``) answers most of a page's tallies.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from lib.config import KEY_COLUMNS
from lib.filters import PREMIUM_QUALITIES, Filters, title_mask

__all__ = ["SessionQuery", "DERIVED_SQL", "duckdb_connection"]

log = logging.getLogger(__name__)

# meaning of each derived column (see lib.filters.derive for the pandas side)
DERIVED_SQL: dict[str, tuple[str, str]] = {  # name -> (SQL expression, column it needs)
    "month": ("(year(date) - 1970) * 12 + month(date) - 1", "date"),  # months since Jan 1970
    "day": ("datediff('day', DATE '1970-01-01', CAST(date AS DATE))", "date"),  # days since 1970
    "dl": ("is_download", "is_download"),  # downloaded (True) or streamed (False)
    "premium": (
        "quality IN (" + ", ".join(f"'{q}'" for q in PREMIUM_QUALITIES) + ")",
        "quality",
    ),
}
# viewer attributes a session query can group by (joined from gold users by user_id)
VIEWER_COLUMNS: tuple[str, ...] = ("rfm_segment",)
TITLE_KEY, USER_KEY = KEY_COLUMNS["title_id"], KEY_COLUMNS["user_id"]
# the values charts and insights tally (sum and mean); the cube sums them all
MEASURES: tuple[str, ...] = ("completed", "watch_minutes", "premium")
# means that summary() computes anyway
_SUMMARY_MEANS = {"completed": "completion", "watch_minutes": "mean_minutes"}
# the largest viewer key counted with a bit string per group (1 MB each): beyond, count(DISTINCT)
MAX_BITMAP_KEY = 2**23
# Columns of the cube: one query per filter state groups the sessions by all of them at once
# (with the MEASURES' sums), and every tally by some of them is summed from it in memory.
# The page's insights and tabs ask ~10 such tallies; at scale 100 each is a scan of 0.1-0.2 s,
# the cube one of 0.2-0.4 s (17-28k groups). Columns are taken in this order while the product
# of their distinct counts (+1 for missing) stays within CUBE_MAX_GROUPS (a real dataset's 190
# countries would not fit: its country tallies are then queried one by one).
CUBE_COLUMNS: tuple[str, ...] = (
    "device_type",
    "genre_primary",
    "subscription_plan",
    "dl",
    "age_band",
    "location_country",
)
CUBE_MAX_GROUPS = 200_000
_lock = threading.Lock()
_con: Any = None


def duckdb_connection() -> Any:
    """The process's DuckDB connection for page queries (in memory, bounded, all cores).

    Each query runs on its own cursor, so concurrent sessions of a server can query at once.
    """
    global _con
    with _lock:
        if _con is None:
            import duckdb

            _con = duckdb.connect(
                config={
                    "memory_limit": os.environ.get("STREAMDASH_QUERY_MEMORY", "1GB"),
                    "threads": os.cpu_count() or 2,
                }
            )
        return _con


def _freeze(v: Any) -> Any:
    """A hashable form of query parameters. A tuple is taken as frozen already (the title
    selection of a broad filter is ~100k values, frozen once per query object)."""
    if isinstance(v, np.ndarray):
        return tuple(v.tolist())
    if isinstance(v, list):
        return tuple(_freeze(x) for x in v)
    return v


def _stamp(path: Path) -> int:
    """Changes when the table is rebuilt (a new build swaps the dataset folder in)."""
    try:
        return Path(path).stat().st_mtime_ns
    except FileNotFoundError:
        return 0


@functools.lru_cache(maxsize=512)
def _cached(key: tuple) -> pd.DataFrame:
    """Query results by (SQL, parameters, table stamp): a filter state asked again (a rerun,
    another session, another tab) is answered from memory. Results are small aggregates."""
    sql, params, _stamp_ = key
    cur = duckdb_connection().cursor()
    try:
        # through Arrow: the same dtypes as .df(), about 9x faster on string columns
        # (1M viewers x 5 columns: 0.15 s against 1.41 s with DuckDB 2.0 and pandas 3)
        return cur.sql(sql, params=_thaw(params) or None).to_arrow_table().to_pandas()
    finally:
        cur.close()


@functools.lru_cache(maxsize=4)
def _cached_big(key: tuple) -> pd.DataFrame:
    """As ``_cached``, for results with a row per viewer (few kept). Text columns with few
    distinct values (segments, plans, countries) come back as categoricals: at scale 100
    (a million viewers) that is 70 MB less per cached result."""
    df = _cached.__wrapped__(key)
    for c in df.columns:
        if c != "user_id" and pd.api.types.is_string_dtype(df[c]) and len(df) > 1000:
            if df[c].nunique() <= len(df) // 100:
                df[c] = df[c].astype("category")
    return df


@functools.lru_cache(maxsize=16)
def _cached_viewers(key: tuple) -> pd.DataFrame:
    """As ``_cached``, for the queries that return or take the viewers shown as a bit string
    (a character per viewer: 1 MB at scale 100), so few are kept."""
    return _cached.__wrapped__(key)


def _thaw(v: Any) -> Any:
    if isinstance(v, tuple):
        return [list(x) if isinstance(x, tuple) else x for x in v]  # parameters: scalars, lists
    return v


def _source(path: Path) -> str:
    path = Path(path)
    glob = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
    return "read_parquet('" + glob.replace("'", "''") + "')"


def _columns(path: Path) -> list[str]:
    path = Path(path)
    files = [path] if path.is_file() else sorted(path.rglob("*.parquet"))
    return list(pq.read_schema(files[0]).names) if files else []


@functools.lru_cache(maxsize=256)
def _null_free(path: Path, stamp: int) -> frozenset[str]:
    """Columns of the Parquet table at ``path`` whose statistics count no missing value."""
    path = Path(path)
    files = [path] if path.is_file() else sorted(path.rglob("*.parquet"))
    nulls: dict[str, int] = {}
    for f in files:
        meta = pq.ParquetFile(f).metadata
        for g in range(meta.num_row_groups):
            rg = meta.row_group(g)
            for j in range(rg.num_columns):
                col = rg.column(j)
                st = col.statistics
                n = st.null_count if st is not None and st.has_null_count else 1  # unknown
                nulls[col.path_in_schema] = nulls.get(col.path_in_schema, 0) + n
    return frozenset(c for c, n in nulls.items() if n == 0)


def _no_nulls(path: Path, col: str) -> bool:
    return col in _null_free(Path(path), _stamp(path))


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _isin_sql(col: str, values: Iterable, parts: list[str], params: list) -> None:
    parts.append(f"CAST({_q(col)} AS VARCHAR) IN (SELECT unnest(?::VARCHAR[]))")
    params.append([str(v) for v in values])


@functools.lru_cache(maxsize=256)
def _max_stat(path: Path, stamp: int, col: str) -> int | None:
    """The largest value of integer column ``col`` by the Parquet statistics (None: unknown)."""
    path = Path(path)
    files = [path] if path.is_file() else sorted(path.rglob("*.parquet"))
    top: int | None = None
    for f in files:
        meta = pq.ParquetFile(f).metadata
        j = meta.schema.names.index(col) if col in meta.schema.names else -1
        for g in range(meta.num_row_groups if j >= 0 else 0):
            st = meta.row_group(g).column(j).statistics
            if st is None or not st.has_min_max:
                if st is not None and st.null_count == meta.row_group(g).num_rows:
                    continue  # only missing values
                return None
            top = int(st.max) if top is None else max(top, int(st.max))
    return top


def _key_max(*paths: Path, col: str) -> int | None:
    """The largest ``col`` key over the tables at ``paths`` (None when one is unknown)."""
    tops = [_max_stat(Path(p), _stamp(p), col) for p in paths]
    return None if any(t is None for t in tops) else max(tops, default=None)


def _title_selection(titles: pd.DataFrame, flt: Filters, keyed: bool) -> tuple[str, Any]:
    """SQL condition and its parameter: the sessions of the titles that pass the title filters
    of ``flt``. Where both tables have the titles' integer keys, a bit per key: a look-up in
    a constant bit string costs the same for any number of titles (at scale 100: 0.07 s a scan
    for one genre or for 99k titles, against 0.10-0.35 s for a semi-join on the keys and
    0.3-1.5 s on the text ids). Otherwise the text ids."""
    mask = title_mask(titles, flt)
    if keyed and TITLE_KEY in titles.columns:
        keys = pd.to_numeric(titles[TITLE_KEY], errors="coerce").to_numpy(float)
        known = ~np.isnan(keys)
        n = int(keys[known].max()) + 1 if known.any() else 0
        bits = np.zeros(n + 1, dtype=np.uint8)  # bit n stays 0: keys beyond the titles fail
        bits[keys[known & mask].astype(np.int64)] = 1
        text = (bits + ord("0")).tobytes().decode("ascii")
        return f"get_bit(?::BITSTRING, least({_q(TITLE_KEY)}, {n})) = 1", text
    ids = tuple(titles["title_id"].astype(str).to_numpy()[mask].tolist())
    return "CAST(title_id AS VARCHAR) IN (SELECT unnest(?::VARCHAR[]))", ids


def _from_cube(
    cube: pd.DataFrame, by: list[str], values: Sequence[str], value: str | None, name: str
) -> pd.DataFrame:
    """A tally (as ``SessionQuery.tally`` returns it) summed from ``SessionQuery._cube``."""
    rows = cube[cube[by].notna().all(axis=1)]
    sums = [c for c in rows.columns if c == "_n" or c[:2] in ("_s", "_c")]
    g = rows.groupby(by, sort=True)[sums].sum(min_count=0).reset_index()
    for c in by:  # a flag column with missing values comes back as objects: bool, as SQL gives
        if g[c].dtype == object and pd.api.types.infer_dtype(g[c]) == "boolean":
            g[c] = g[c].astype(bool)
    out = g[by].assign(**{name: g["_n"].astype("int64")})
    if value:
        i = list(values).index(value)
        total, count = g[f"_s{i}"], g[f"_c{i}"]
        out["total"] = total.astype("float64")
        out["mean"] = (total / count.where(count > 0)).astype("float64")
    return out


def _session_where(f: Filters, parts: list[str], params: list) -> None:
    """SQL conditions for the session attributes of ``f`` and of every ``f.also`` (AND)."""
    for col, values in (
        ("device_type", f.devices),
        ("subscription_plan", f.plans),
        ("location_country", f.viewer_countries),
        ("hour", f.hours),
        ("weekday", f.weekdays),
    ):
        if values:
            _isin_sql(col, values, parts, params)
    if f.dates:
        parts.append("date >= ?::TIMESTAMP AND date < ?::TIMESTAMP + INTERVAL 1 DAY")
        params += [str(f.dates[0]), str(f.dates[1])]
    for a in f.also:
        _session_where(a, parts, params)


class SessionQuery:
    """The sessions of one dataset that pass ``flt``, queried with DuckDB (no full load).

    Parameters
    ----------
    data_dir : the dataset folder (``gold/sessions.parquet`` is read).
    flt : the page's filters (title filters are resolved against ``titles``).
    titles : the dataset's gold titles (needed when ``flt`` filters on titles).
    """

    def __init__(
        self,
        data_dir: str | Path,
        flt: Filters | None = None,
        *,
        titles: pd.DataFrame | None = None,
        _extra: tuple[tuple[str, list], ...] = (),
        _titles: tuple[str, Any] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / "gold" / "sessions.parquet"
        self.users_path = self.data_dir / "gold" / "users.parquet"
        self.flt = flt or Filters()
        self.columns = _columns(self.path) if self.path.exists() else []
        # viewers counted and grouped on their integer key where gold has it (sessions and
        # users, for the way back to the ids), else on the text ids (datasets built before)
        self._ukey = USER_KEY in self.columns
        self._ukey_users = self._ukey and USER_KEY in _columns(self.users_path)
        self._extra = _extra
        self._has: dict[str, bool] = {}
        if _titles is not None:
            self._titles = _titles
        elif self.flt.on_titles:
            if titles is None:
                raise ValueError("title filters on sessions need the titles table")
            self._titles = _title_selection(titles, self.flt, TITLE_KEY in self.columns)
        else:
            self._titles = None

    # -- the WHERE clause -----------------------------------------------------------------
    def _where(self) -> tuple[str, list]:
        parts: list[str] = []
        params: list = []
        _session_where(self.flt, parts, params)
        if self._titles is not None:
            parts.append(self._titles[0])
            params.append(self._titles[1])
        for sql, p in self._extra:
            parts.append(sql)
            params += list(p)
        return (" AND ".join(parts) if parts else "TRUE"), params

    def _run(
        self, sql: str, params: list | None = None, *, big: bool = False, viewers: bool = False
    ) -> pd.DataFrame:
        key = (sql, _freeze(params or []), _stamp(self.path))
        cache = _cached_big if big else _cached_viewers if viewers else _cached
        # a shallow copy: with pandas' copy-on-write a caller's change never reaches the
        # cached frame, and a million-row result is not duplicated on every rerun
        return cache(key).copy(deep=False)

    def _from(self, *cols: str | None) -> str:
        """The sessions, joined to the viewers' columns when a query needs one of them."""
        need = [c for c in cols if c and c in VIEWER_COLUMNS and c not in self.columns]
        users = self.data_dir / "gold" / "users.parquet"
        if not need or not users.exists() or "user_id" not in self.columns:
            return _source(self.path)
        picked = ", ".join(_q(c) for c in dict.fromkeys(need) if c in _columns(users))
        if not picked:
            return _source(self.path)
        on = "user_id"
        if self._ukey_users:  # joined on the integer keys, not on text
            on = USER_KEY
        return (
            f"{_source(self.path)} AS s LEFT JOIN (SELECT {on} AS _uid, {picked} FROM "
            f"{_source(users)}) AS u ON s.{on} = u._uid"
        )

    def _expr(self, col: str) -> str:
        if col in DERIVED_SQL and col not in self.columns:
            return DERIVED_SQL[col][0]
        return _q(col)

    def _base(self, col: str) -> str:
        return DERIVED_SQL[col][1] if col in DERIVED_SQL and col not in self.columns else col

    # -- what the charts ask ---------------------------------------------------------------
    def where(self, col: str, values: Sequence[object]) -> SessionQuery:
        """These sessions restricted to ``col`` in ``values``."""
        cond = f"CAST({self._expr(col)} AS VARCHAR) IN (SELECT unnest(?::VARCHAR[]))"
        param: list = [str(v) for v in values]
        if col == "user_id" and self._ukey_users:
            # the viewers' keys, looked up first in gold users: no text column is read over the
            # sessions (10 viewers at scale 100: 0.04 s + 0.09 s against 0.5 s on the ids)
            found = self._run(
                f"SELECT {USER_KEY} FROM {_source(self.users_path)} "
                "WHERE user_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY 1",
                [param],
            )
            cond = f"{USER_KEY} IN (SELECT unnest(?::INTEGER[]))"
            param = [int(k) for k in found[USER_KEY]]
        extra = (*self._extra, (cond, [param]))
        return SessionQuery(self.data_dir, self.flt, _extra=extra, _titles=self._titles)

    def __len__(self) -> int:
        """Sessions passing the filters (from :meth:`summary`: the page asks both, one scan)."""
        return int(self.summary().get("sessions") or 0)

    def has(self, col: str) -> bool:
        """True when ``col`` (or the column a derived one needs) has a value in these rows."""
        base = self._base(col)
        if base not in self.columns and not (
            base in VIEWER_COLUMNS and base in _columns(self.data_dir / "gold" / "users.parquet")
        ):
            return False
        if base not in self._has and base in self.columns and _no_nulls(self.path, base):
            # a column without a missing value anywhere (its Parquet statistics say so) has
            # a value in every row shown: no query (at scale 100, 0.12 s per column saved)
            self._has[base] = len(self) > 0
        if base not in self._has:
            where, params = self._where()
            sql = (
                f"SELECT count({_q(base)}) > 0 AS ok FROM "
                f"(SELECT {_q(base)} FROM {self._from(base)} WHERE {where} "
                f"AND {_q(base)} IS NOT NULL LIMIT 1)"
            )
            self._has[base] = bool(self._run(sql, params)["ok"].iloc[0])
        return self._has[base]

    def tally(
        self, by: str | Sequence[str], value: str | None = None, *, name: str = "n"
    ) -> pd.DataFrame:
        """``lib.filters.tally`` in SQL: group sizes (and sum/mean of ``value``) by ``by``.

        Tallies by columns of the cube (``CUBE_COLUMNS``) are summed from it: one scan of the
        sessions per filter state for all of them. Others are a query each."""
        by = [by] if isinstance(by, str) else list(by)
        dims, cube_values = self._cube_columns(), self._cube_values()
        if by and set(by) <= set(dims) and (not value or value in cube_values):
            return _from_cube(self._cube(dims, cube_values), by, cube_values, value, name)
        values = [value] if value else []
        keyed = "user_id" in by and self._ukey_users  # grouped on the key, ids joined after
        keys = ", ".join(
            f"{USER_KEY if keyed and c == 'user_id' else self._expr(c)} AS {_q(c)}" for c in by
        )
        notnull = " AND ".join(f"{self._expr(c)} IS NOT NULL" for c in by) or "TRUE"
        measures = ["count(*) AS _n"]
        for i, v in enumerate(values):
            x = f"CAST({self._expr(v)} AS DOUBLE)"
            measures += [f"sum({x}) AS _s{i}", f"count({x}) AS _c{i}"]
        where, params = self._where()
        n = len(by)
        group = f" GROUP BY {', '.join(str(i + 1) for i in range(n))}" if by else ""
        order = f" ORDER BY {', '.join(str(i + 1) for i in range(n))}" if by else ""
        sql = (
            f"SELECT {keys + ', ' if by else ''}{', '.join(measures)} "
            f"FROM {self._from(*by, *values)} WHERE {where} AND {notnull}{group}"
        )
        if keyed:  # key order is id order
            picked = ", ".join("u.user_id" if c == "user_id" else f"t.{_q(c)}" for c in by)
            sql = (
                f"SELECT {picked}, t.* EXCLUDE ({', '.join(_q(c) for c in by)}) FROM ({sql}) "
                f"AS t JOIN (SELECT user_id, {USER_KEY} FROM {_source(self.users_path)}) AS u "
                f'ON t."user_id" = u.{USER_KEY}'
            )
        df = self._run(sql + order, params)
        out = df[by].assign(**{name: df["_n"]})
        if value:
            i = values.index(value)
            out["total"] = df[f"_s{i}"].fillna(0.0)
            out["mean"] = df[f"_s{i}"] / df[f"_c{i}"].where(df[f"_c{i}"] > 0)
        return out

    def _cube_columns(self) -> tuple[str, ...]:
        """The CUBE_COLUMNS of this dataset that fit in the cube (see CUBE_COLUMNS)."""
        cols = [c for c in CUBE_COLUMNS if self._base(c) in self.columns]
        if not cols:
            return ()
        counts = self._run(
            "SELECT "
            + ", ".join(f"count(DISTINCT {self._expr(c)}) AS {_q(c)}" for c in cols)
            + f" FROM {_source(self.path)}"
        )  # the whole table's, once per build (cached like any query)
        out: list[str] = []
        size = 1
        for c in cols:
            size *= int(counts[c].iloc[0]) + 1
            if size > CUBE_MAX_GROUPS:
                break
            out.append(c)
        return tuple(out)

    def _cube_values(self) -> list[str]:
        """The values the cube sums: the MEASURES and the progress (for ``summary()``)."""
        return [v for v in (*MEASURES, "progress_pct") if self._base(v) in self.columns]

    def _cube(self, dims: Sequence[str], values: Sequence[str]) -> pd.DataFrame:
        """These sessions grouped by every column of ``dims`` (missing values are groups too),
        with the row count ``_n`` and per value its sum ``_s<i>`` and count ``_c<i>``."""
        measures = ["count(*) AS _n"]
        for i, v in enumerate(values):
            x = f"CAST({self._expr(v)} AS DOUBLE)"
            measures += [f"sum({x}) AS _s{i}", f"count({x}) AS _c{i}"]
        where, params = self._where()
        keys = ", ".join(f"{self._expr(c)} AS {_q(c)}" for c in dims)
        sql = (
            f"SELECT {keys}, {', '.join(measures)} FROM {_source(self.path)} WHERE {where} "
            f"GROUP BY {', '.join(str(i + 1) for i in range(len(dims)))}"
        )
        return self._run(sql, params)

    def _distinct_viewers(self) -> str:
        """SQL of the number of distinct viewers. With viewer keys, a bit per key
        (``bitstring_agg``): no hash table of up to a million viewers (at scale 100, CPU: 0.14 s
        against 0.20 s for one genre, 0.22 s against 0.53 s for almost every title)."""
        if not self._ukey:
            return "count(DISTINCT user_id)"
        top = _key_max(self.path, col=USER_KEY)
        if top is None or top > MAX_BITMAP_KEY:
            return f"count(DISTINCT {USER_KEY})"
        return f"coalesce(bit_count(bitstring_agg({USER_KEY}, 0, {top})), 0)"

    def count_distinct(self, by: str, col: str, *, name: str = "n") -> pd.DataFrame:
        """Distinct ``col`` values (e.g. viewers) per value of ``by``."""
        where, params = self._where()
        what = self._distinct_viewers() if col == "user_id" else f"count(DISTINCT {_q(col)})"
        sql = (
            f"SELECT {self._expr(by)} AS {_q(by)}, {what} AS {_q(name)} "
            f"FROM {self._from(by)} WHERE {where} AND {self._expr(by)} IS NOT NULL "
            "GROUP BY 1 ORDER BY 1"
        )
        return self._run(sql, params)

    def top(self, col: str, n: int, *, name: str = "n") -> pd.DataFrame:
        """The ``n`` values of ``col`` with most sessions (ties: smallest value first)."""
        where, params = self._where()
        if col == "user_id" and self._ukey_users:
            # grouped on the key (key order is id order), the ids looked up for the top n only
            sql = (
                f"SELECT u.user_id, t.n AS {_q(name)} FROM (SELECT {USER_KEY}, count(*) AS n "
                f"FROM {_source(self.path)} WHERE {where} AND {USER_KEY} IS NOT NULL GROUP BY 1 "
                f"ORDER BY 2 DESC, 1 LIMIT {int(n)}) AS t JOIN (SELECT user_id, {USER_KEY} FROM "
                f"{_source(self.users_path)}) AS u USING ({USER_KEY}) ORDER BY t.n DESC, "
                f"t.{USER_KEY}"
            )
            return self._run(sql, params)
        sql = (
            f"SELECT {_q(col)}, count(*) AS {_q(name)} FROM {_source(self.path)} "
            f"WHERE {where} AND {_q(col)} IS NOT NULL GROUP BY 1 "
            f"ORDER BY 2 DESC, 1 LIMIT {int(n)}"
        )
        return self._run(sql, params)

    def mean(self, col: str) -> float:
        """Mean of ``col`` over these sessions (NaN when none)."""
        if col in _SUMMARY_MEANS and col in self.columns:  # asked already: no second scan
            v = self.summary().get(_SUMMARY_MEANS[col])
            return float("nan") if v is None else float(v)
        where, params = self._where()
        sql = (
            f"SELECT avg(CAST({self._expr(col)} AS DOUBLE)) AS m FROM {_source(self.path)} "
            f"WHERE {where}"
        )
        v = self._run(sql, params)["m"].iloc[0]
        return float("nan") if pd.isna(v) else float(v)

    def summary(self) -> dict[str, float | int | None]:
        """Sessions, viewers, watch minutes (sum and mean), completion rate and progress."""
        if not self.columns:
            return {"sessions": 0}
        dims, bits = self._cube_columns(), self._viewer_bits()
        if dims and bits is not False:  # both asked anyway: no third scan of the sessions
            return self._summary_from_cube(self._cube(dims, self._cube_values()), bits)
        cols = set(self.columns)
        parts = ["count(*) AS sessions"]
        if "user_id" in cols:
            parts.append(f"{self._distinct_viewers()} AS viewers")
        if "watch_minutes" in cols:
            parts += ["sum(watch_minutes) AS minutes", "avg(watch_minutes) AS mean_minutes"]
        if "completed" in cols:
            parts.append("avg(CAST(completed AS DOUBLE)) AS completion")
        if "progress_pct" in cols:
            parts.append("avg(progress_pct) AS progress")
        where, params = self._where()
        df = self._run(f"SELECT {', '.join(parts)} FROM {_source(self.path)} WHERE {where}", params)
        out: dict[str, float | int | None] = {}
        for c in df.columns:  # column by column: a row would upcast counts to float
            v = df[c].iloc[0]
            out[c] = None if pd.isna(v) else v.item() if hasattr(v, "item") else v
        return out

    def _summary_from_cube(self, cube: pd.DataFrame, bits: str | None) -> dict:
        """``summary()`` summed from the cube, with the viewers counted in their bit string."""
        values = self._cube_values()
        n = int(cube["_n"].sum())
        out: dict[str, float | int | None] = {"sessions": n}

        def part(v: str) -> tuple[float | None, float | None]:  # (sum, mean) as SQL gives
            i = values.index(v)
            count = int(cube[f"_c{i}"].sum())
            total = float(cube[f"_s{i}"].sum())
            return (total, total / count) if count else (None, None)

        if "user_id" in self.columns:
            out["viewers"] = bits.count("1") if bits else 0
        if "watch_minutes" in self.columns:
            out["minutes"], out["mean_minutes"] = part("watch_minutes")
        if "completed" in self.columns:
            out["completion"] = part("completed")[1]
        if "progress_pct" in self.columns:
            out["progress"] = part("progress_pct")[1]
        return out

    def _viewer_bits(self) -> str | None | bool:
        """The viewers of these sessions as a bit string over the viewer keys ('0'/'1' text;
        None when no session passes), or False where gold has no viewer keys (or too many)."""
        top = _key_max(self.path, col=USER_KEY) if self._ukey else None
        if top is None or top > MAX_BITMAP_KEY:
            return False
        where, params = self._where()
        sql = (
            f"SELECT CAST(bitstring_agg({USER_KEY}, 0, {top}) AS VARCHAR) AS b "
            f"FROM {_source(self.path)} WHERE {where}"
        )
        b = self._run(sql, params, viewers=True)["b"].iloc[0]
        return None if pd.isna(b) else str(b)

    def _shown(self, path: Path) -> tuple[str, str, list]:
        """(condition, order column, parameters) selecting the rows of the gold users table at
        ``path`` with at least one of these sessions."""
        bits = self._viewer_bits() if USER_KEY in _columns(path) else False
        if bits is not False:
            # the viewers shown as a bit per key (asked once per filter state, for the
            # summary too), then a look-up per viewer: no second scan of the sessions
            if bits is None:
                return "FALSE", USER_KEY, []
            top = len(bits) - 1
            cond = f"{USER_KEY} <= {top} AND get_bit(?::BITSTRING, least({USER_KEY}, {top})) = 1"
            return cond, USER_KEY, [bits]  # key order is id order
        where, params = self._where()
        cond = f"user_id IN (SELECT DISTINCT user_id FROM {_source(self.path)} WHERE {where})"
        return cond, "user_id", params

    def users(self, users_path: Path | None = None, columns: Sequence[str] = ()) -> pd.DataFrame:
        """Gold users (only ``columns``) with at least one of these sessions."""
        path = users_path or self.users_path
        have = set(_columns(path))
        cols = [c for c in columns if c in have] or ["user_id"]
        cond, order, params = self._shown(path)
        sql = f"SELECT {', '.join(_q(c) for c in cols)} FROM {_source(path)} WHERE {cond} "
        return self._run(sql + f"ORDER BY {order}", params, big=True)

    def viewer_means(self, by: str, value: str) -> pd.DataFrame | None:
        """Per value of the viewer column ``by``: how many viewers with at least one of these
        sessions have both ``by`` and ``value`` (``size``), and their ``value`` sum (``total``)
        and mean (``mean``), in ``by`` order; None when gold users lack either column.

        What ``users()`` would give for a groupby, without a row per viewer (a million at scale
        100) coming back from the query."""
        if not self.users_path.exists() or not {by, value} <= set(_columns(self.users_path)):
            return None
        cond, _order, params = self._shown(self.users_path)
        v = f"CAST({_q(value)} AS DOUBLE)"
        sql = (
            f"SELECT CAST({_q(by)} AS VARCHAR) AS {_q(by)}, count(*) AS size, sum({v}) AS total, "
            f"avg({v}) AS mean FROM {_source(self.users_path)} WHERE {cond} AND {_q(by)} IS NOT "
            f"NULL AND {_q(value)} IS NOT NULL GROUP BY 1 ORDER BY 1"
        )
        return self._run(sql, params, viewers=True)

    def sessions_of(self, user_ids: Sequence[str]) -> pd.DataFrame:
        """Sessions shown per viewer, for the given viewers."""
        if not len(user_ids):
            return pd.DataFrame({"user_id": [], "sessions_shown": []})
        return self.where("user_id", user_ids).tally("user_id", name="sessions_shown")
