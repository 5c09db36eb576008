"""Filter state of the Catalog and Engagement pages and its application to gold tables.

Pure pandas/numpy (no streamlit). Three parts:

* ``Filters`` - the filter state (what the sidebar shows and the URL stores). An empty
  selection means "no filtering" on that field, so ``Filters()`` keeps every row.
* Masks - ``title_mask`` / ``session_mask`` return boolean arrays over the (read-only,
  cached) gold tables; ``filter_titles`` / ``filter_sessions`` return the selected rows, or
  the table itself when nothing is filtered (no copy).
* ``prepare_sessions`` and ``tally`` - the fast path for the Engagement page: a slim
  per-dataset view of ``gold["sessions"]`` with integer keys (computed once and cached by the
  UI), and a ``groupby(...).size()/sum()/mean()`` equivalent built on ``np.bincount`` that is
  an order of magnitude faster than a pandas groupby on a million rows.

Title filters (genre, content type, release year, country of production, maturity rating)
apply to sessions through the session's title, so the Engagement page shows the viewing of
exactly the titles the Catalog page lists for the same filters. Multi-valued fields
(``genres``, ``country``, ``director``, ``cast``) are ``LIST_SEP``-joined strings; a title
matches a selection when any of its values is selected.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.config import LIST_SEP, MATURITY_RATINGS, PLANS

__all__ = [
    "Filters",
    "FilterOptions",
    "filter_options",
    "list_values",
    "list_contains",
    "isin",
    "title_mask",
    "filter_titles",
    "search_titles",
    "prepare_sessions",
    "session_mask",
    "filter_sessions",
    "viewer_mask",
    "users_in",
    "tally",
    "has_values",
    "derive",
    "count_distinct",
    "top_values",
    "rows_where",
    "column_mean",
    "PREMIUM_QUALITIES",
]

# Columns of the slim sessions view (those the Engagement page aggregates).
SESSION_VIEW_COLUMNS: tuple[str, ...] = (
    "date",
    "hour",
    "weekday",
    "device_type",
    "watch_minutes",
    "progress_pct",
    "completed",
    "quality",
    "location_country",
    "is_download",
    "genre_primary",
    "content_type",
    "release_year",
    "maturity_rating",
    "subscription_plan",
    "age_band",
    "user_country",
)


@dataclass(frozen=True)
class _FilterFields:
    """The filter dimensions, one field each: what ``Filters`` selects and what
    ``FilterOptions`` offers have the same names and types."""

    genres: tuple[str, ...] = ()
    content_types: tuple[str, ...] = ()
    years: tuple[int, int] | None = None
    countries: tuple[str, ...] = ()
    maturity_ratings: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()
    viewer_countries: tuple[str, ...] = ()
    dates: tuple[dt.date, dt.date] | None = None
    hours: tuple[int, ...] = ()
    weekdays: tuple[int, ...] = ()


WEEKDAY_NAMES: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Filters(_FilterFields):
    """What the analyst selected. Empty tuples and ``None`` ranges mean "no filtering".

    Title fields: ``genres`` (any of the title's genres), ``content_types``, ``years``
    (inclusive release-year range), ``countries`` (country of production, any of the
    title's countries), ``maturity_ratings``. Session fields: ``devices``, ``plans``
    (subscription plan of the viewer), ``viewer_countries`` (where the session was
    watched), ``dates`` (inclusive range of watch dates), ``hours`` (start hour 0-23) and
    ``weekdays`` (0 = Monday).

    ``also`` holds further filters that must pass as well (AND): the chart filters of a
    page (``lib.chart_filters``) ride here beside the sidebar's, so every mask, query and
    description honours both. Within one field the values are alternatives (OR).
    """

    also: tuple[Filters, ...] = ()

    @property
    def on_titles(self) -> bool:
        """True when a title attribute is filtered."""
        return bool(
            self.genres
            or self.content_types
            or self.years
            or self.countries
            or self.maturity_ratings
            or any(a.on_titles for a in self.also)
        )

    @property
    def on_sessions(self) -> bool:
        """True when a session attribute (device, plan, viewer country, date) is filtered."""
        return bool(
            self.devices
            or self.plans
            or self.viewer_countries
            or self.dates
            or self.hours
            or self.weekdays
            or any(a.on_sessions for a in self.also)
        )

    @property
    def active(self) -> bool:
        return self.on_titles or self.on_sessions

    def describe(self) -> str:
        """The active filters in plain words (``"no filters"`` when none)."""
        parts = self._own_parts()
        for a in self.also:
            parts += [f"{p} (chart)" for p in a._own_parts()]
        return "; ".join(parts) if parts else "no filters"

    def _own_parts(self) -> list[str]:
        parts = []
        for label, values in (
            ("genre", self.genres),
            ("type", self.content_types),
            ("country", self.countries),
            ("maturity rating", self.maturity_ratings),
            ("device", self.devices),
            ("plan", self.plans),
            ("viewer country", self.viewer_countries),
        ):
            if values:
                parts.append(f"{label}: {' or '.join(values)}")
        if self.years:
            parts.append(f"released {self.years[0]}-{self.years[1]}")
        if self.dates:
            parts.append(f"watched {self.dates[0]:%d %b %Y} - {self.dates[1]:%d %b %Y}")
        if self.weekdays:
            names = [WEEKDAY_NAMES[d] if 0 <= d < 7 else str(d) for d in self.weekdays]
            parts.append(f"weekday: {' or '.join(names)}")
        if self.hours:
            parts.append(f"start hour: {' or '.join(f'{h:02d}:00' for h in self.hours)}")
        return parts


@dataclass(frozen=True)
class FilterOptions(_FilterFields):
    """The values a dataset offers for each filter (empty when it has no such column)."""


PREMIUM_QUALITIES: tuple[str, ...] = ("4K", "Ultra HD")
# derived session columns (the same meaning as lib.data.session_query.DERIVED_SQL) -> what they need
DERIVED: dict[str, str] = {
    "month": "date",
    "day": "date",
    "dl": "is_download",
    "premium": "quality",
}


def derive(df: pd.DataFrame, col: str) -> pd.Series:
    """A derived session column of a frame: ``month`` / ``day`` (months / days since January
    1970 of ``date``), ``dl`` (downloaded, missing where unknown), ``premium`` (4K or Ultra HD)."""
    if col in df.columns:
        return df[col]
    if col in ("month", "day"):
        d = pd.to_datetime(df["date"]).to_numpy()
        unit = "datetime64[M]" if col == "month" else "datetime64[D]"
        codes = d.astype(unit).astype(np.int64)
        return pd.Series(np.where(np.isnat(d), -1, codes), index=df.index).where(~np.isnat(d))
    if col == "dl":
        return df["is_download"].astype("boolean")
    if col == "premium":
        q = df["quality"]
        return pd.Series(isin(q, PREMIUM_QUALITIES), index=df.index).where(q.notna())
    raise KeyError(col)


def has_values(df, col: str) -> bool:
    """True when ``df`` has rows and ``col`` holds at least one non-missing value.

    ``df`` is a DataFrame or a :class:`lib.data.session_query.SessionQuery` (asked in SQL)."""
    if hasattr(df, "has"):
        return df.has(col)
    if col not in df.columns and col in DERIVED:
        col = DERIVED[col]
    return col in df.columns and len(df) > 0 and bool(df[col].notna().any())


def count_distinct(df, by: str, col: str, *, name: str = "n") -> pd.DataFrame:
    """Distinct values of ``col`` per value of ``by`` (a DataFrame or a SessionQuery)."""
    if hasattr(df, "count_distinct"):
        return df.count_distinct(by, col, name=name)
    d = df[[by, col]].dropna()
    out = d.groupby(d[by].astype("str"), observed=True)[col].nunique().rename(name)
    return out.reset_index()


def top_values(df, col: str, n: int, *, name: str = "n") -> pd.DataFrame:
    """The ``n`` values of ``col`` with most rows, most first (ties: smallest value first)."""
    if hasattr(df, "top"):
        return df.top(col, n, name=name)
    t = tally(df, col, name=name)
    return t.sort_values([name, col], ascending=[False, True]).head(n).reset_index(drop=True)


def column_mean(df, col: str) -> float:
    """Mean of a column over the rows (a DataFrame or a SessionQuery); NaN when none."""
    if hasattr(df, "mean") and not isinstance(df, pd.DataFrame):
        return df.mean(col)
    if not len(df):
        return float("nan")
    return float(derive(df, col).astype(float).mean())


def rows_where(df, col: str, values: Iterable[object]):
    """The rows with ``col`` in ``values`` (a DataFrame or a SessionQuery)."""
    if hasattr(df, "where") and not isinstance(df, pd.DataFrame):
        return df.where(col, list(values))
    return df[isin(df[col], values)]


def list_values(series: pd.Series) -> pd.Series:
    """One row per item of a ``LIST_SEP``-joined column (index repeated; blanks dropped)."""
    s = series.dropna()
    if s.empty:
        return pd.Series([], dtype=object)
    parts = [str(v).split(LIST_SEP) for v in s.tolist()]  # faster than .str.split + explode
    lengths = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
    items = pd.Series(
        [item.strip() for p in parts for item in p],
        index=np.repeat(s.index.to_numpy(), lengths),
        dtype=object,
    )
    return items[items != ""]


def list_contains(series: pd.Series, values: Iterable[str]) -> np.ndarray:
    """Boolean array: does the ``LIST_SEP``-joined cell contain any of ``values``?"""
    values = [v for v in values if v]
    if not values:
        return np.ones(len(series), dtype=bool)
    alt = "|".join(re.escape(v) for v in values)
    sep = re.escape(LIST_SEP)
    pattern = rf"(?:^|{sep})\s*(?:{alt})\s*(?:{sep}|$)"
    return series.astype("str").str.contains(pattern, regex=True, na=False).to_numpy(bool)


def _by_frequency(values: pd.Series, order: Sequence[str] = ()) -> tuple[str, ...]:
    counts = values.dropna().astype(str).value_counts()
    known = [v for v in order if v in counts.index]
    rest = [v for v in counts.index if v not in set(known)]
    return tuple(known + rest)


def _genre_source(titles: pd.DataFrame) -> pd.Series:
    """The titles' genre lists, falling back to the primary genre where the list is missing."""
    if "genres" in titles and "genre_primary" in titles:
        return (
            titles["genres"].astype("str").where(titles["genres"].notna(), titles["genre_primary"])
        )
    return titles["genres"] if "genres" in titles else titles["genre_primary"]


def filter_options(titles: pd.DataFrame, sessions: pd.DataFrame | None = None) -> FilterOptions:
    """Values offered by the dataset's titles (and sessions) for each filter."""
    kw: dict = {}
    if has_values(titles, "genres") or has_values(titles, "genre_primary"):
        kw["genres"] = tuple(sorted(set(list_values(_genre_source(titles)))))
    if has_values(titles, "content_type"):
        kw["content_types"] = _by_frequency(titles["content_type"])
    if has_values(titles, "release_year"):
        y = titles["release_year"].dropna()
        kw["years"] = (int(y.min()), int(y.max()))
    if has_values(titles, "country"):
        kw["countries"] = _by_frequency(list_values(titles["country"]))
    if has_values(titles, "maturity_rating"):
        kw["maturity_ratings"] = _by_frequency(titles["maturity_rating"], MATURITY_RATINGS)
    if sessions is not None and len(sessions):
        if has_values(sessions, "device_type"):
            kw["devices"] = _by_frequency(sessions["device_type"])
        if has_values(sessions, "subscription_plan"):
            kw["plans"] = _by_frequency(sessions["subscription_plan"], PLANS)
        if has_values(sessions, "location_country"):
            kw["viewer_countries"] = _by_frequency(sessions["location_country"])
        if has_values(sessions, "date"):
            d = pd.to_datetime(sessions["date"])
            kw["dates"] = (d.min().date(), d.max().date())
    return FilterOptions(**kw)


def isin(series: pd.Series, values: Iterable[object]) -> np.ndarray:
    """Fast ``series.isin(values)`` as a boolean numpy array.

    Categoricals go through a lookup table on their codes; text goes through Arrow's
    ``is_in`` (pandas' Arrow-string ``isin`` turns every value into a Python string on each
    call: 11 s for 1M sessions checked against 1M user ids, against 0.4 s); anything else
    through pandas.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = series.cat.categories
        lut = np.zeros(len(cats) + 1, dtype=bool)  # last slot: code -1 (missing)
        hit = cats.get_indexer([v for v in values if v in cats])
        lut[hit[hit >= 0]] = True
        return lut[series.cat.codes.to_numpy()]
    index = values if isinstance(values, pd.Index) else pd.Index(list(values))
    if len(index) and pd.api.types.is_string_dtype(series) and pd.api.types.is_string_dtype(index):
        try:
            found = pc.is_in(
                pa.array(series, pa.string(), from_pandas=True),
                value_set=pa.array(index, pa.string(), from_pandas=True),
            )
            return found.to_numpy(zero_copy_only=False).astype(bool)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types: pandas decides
            pass
    return series.isin(index).to_numpy(bool)


def title_mask(titles: pd.DataFrame, f: Filters) -> np.ndarray:
    """Boolean array over ``titles``: rows that pass the title filters of ``f``."""
    m = np.ones(len(titles), dtype=bool)
    if not len(titles):
        return m
    if f.genres:
        m &= list_contains(_genre_source(titles), f.genres)
    if f.content_types:
        m &= isin(titles["content_type"], f.content_types)
    if f.years:
        y = titles["release_year"].astype(float).to_numpy()
        with np.errstate(invalid="ignore"):
            m &= (y >= f.years[0]) & (y <= f.years[1])
    if f.countries:
        m &= list_contains(titles["country"], f.countries)
    if f.maturity_ratings:
        m &= isin(titles["maturity_rating"], f.maturity_ratings)
    for a in f.also:
        if a.on_titles:
            m &= title_mask(titles, a)
    return m


def filter_titles(titles: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Titles passing the title filters (the input itself when no title filter is set)."""
    if not f.on_titles:
        return titles
    return titles[title_mask(titles, f)]


def search_titles(titles: pd.DataFrame, query: str) -> pd.DataFrame:
    """Titles whose title, cast or director contains ``query`` (case-insensitive, literal)."""
    q = (query or "").strip()
    if not q or not len(titles):
        return titles
    m = np.zeros(len(titles), dtype=bool)
    for col in ("title", "cast", "director"):
        if col in titles:
            m |= (
                titles[col]
                .astype("str")
                .str.contains(q, case=False, regex=False, na=False)
                .to_numpy(bool)
            )
    return titles[m]


def _positions(ids: pd.Series, lookup: pd.Series) -> np.ndarray:
    """Row position in ``ids`` of each value of ``lookup`` (-1 when absent), as int32."""
    index = pd.Index(ids.astype("str"))
    if index.is_unique:
        try:  # Arrow's hash lookup: ~3x faster than Index.get_indexer on a million strings
            found = pc.index_in(
                pa.array(lookup.astype("str").array), value_set=pa.array(index.array)
            )
            return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
        except (ImportError, TypeError, ValueError, pa.ArrowException):
            return index.get_indexer(lookup.astype("str")).astype(np.int32)
    first = ~index.duplicated()
    pos = pd.Index(index[first]).get_indexer(lookup.astype("str"))
    rows = np.flatnonzero(first)
    return np.where(pos >= 0, rows[np.maximum(pos, 0)], -1).astype(np.int32)


def prepare_sessions(
    sessions: pd.DataFrame, titles: pd.DataFrame, users: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Slim view of gold ``sessions`` for fast filtering and aggregation (compute once).

    Keeps the columns the Engagement page aggregates plus integer keys: ``title_pos`` (row
    of the session's title in ``titles``, -1 if unknown), ``user_pos`` (row in ``users``),
    ``day`` and ``month`` (days / months since 1 January 1970) and, when ``users`` is
    given, the categorical columns ``user_id`` (categories = ``users.user_id``) and
    ``rfm_segment``.
    """
    cols = [c for c in SESSION_VIEW_COLUMNS if c in sessions.columns]
    view = sessions[cols].copy() if cols else pd.DataFrame(index=sessions.index)
    n = len(sessions)
    if n and "title_id" in sessions and len(titles):
        view["title_pos"] = _positions(titles["title_id"], sessions["title_id"])
    else:
        view["title_pos"] = np.full(n, -1, dtype=np.int32)
    if n and "date" in sessions and sessions["date"].notna().any():
        dates = pd.to_datetime(sessions["date"]).to_numpy()
        view["day"] = dates.astype("datetime64[D]").astype(np.int64).astype(np.int32)
        view["month"] = dates.astype("datetime64[M]").astype(np.int64).astype(np.int32)
    if users is not None and n and len(users) and "user_id" in sessions:
        upos = _positions(users["user_id"], sessions["user_id"])
        view["user_pos"] = upos
        ids = pd.Index(users["user_id"].astype("str"))
        if ids.is_unique:
            view["user_id"] = pd.Categorical.from_codes(upos, categories=ids)
        if has_values(users, "rfm_segment"):
            seg = pd.Categorical(users["rfm_segment"])
            codes = np.where(upos >= 0, seg.codes[np.maximum(upos, 0)], -1)
            view["rfm_segment"] = pd.Categorical.from_codes(codes, categories=seg.categories)
    elif "user_id" in sessions:
        view["user_id"] = sessions["user_id"]
    return view


def session_mask(
    sessions: pd.DataFrame, f: Filters, *, titles: pd.DataFrame | None = None
) -> np.ndarray:
    """Boolean array over ``sessions`` (gold or prepared): rows that pass ``f``.

    Title filters need ``titles``; they select the sessions of the titles that pass
    ``title_mask`` (via ``title_pos`` of a prepared view, else ``title_id``).
    """
    n = len(sessions)
    m = np.ones(n, dtype=bool)
    if not n:
        return m
    if f.on_titles:
        if titles is None:
            raise ValueError("title filters on sessions need the titles table")
        keep = np.append(title_mask(titles, f), False)  # position -1 -> False
        if "title_pos" in sessions:
            pos = sessions["title_pos"].to_numpy()
        else:
            pos = _positions(titles["title_id"], sessions["title_id"])
        m &= keep[pos]
    return m & _session_field_mask(sessions, f)


def _session_field_mask(sessions: pd.DataFrame, f: Filters) -> np.ndarray:
    """The session-attribute part of ``session_mask`` (of ``f`` and of every ``f.also``)."""
    m = np.ones(len(sessions), dtype=bool)
    if f.devices:
        m &= isin(sessions["device_type"], f.devices)
    if f.plans:
        m &= isin(sessions["subscription_plan"], f.plans)
    if f.viewer_countries:
        m &= isin(sessions["location_country"], f.viewer_countries)
    if f.dates:
        d = pd.to_datetime(sessions["date"]).to_numpy()
        lo = np.datetime64(f.dates[0], "D")
        hi = np.datetime64(f.dates[1], "D") + np.timedelta64(1, "D")
        m &= (d >= lo) & (d < hi)
    if f.hours:
        m &= isin(sessions["hour"], f.hours)
    if f.weekdays:
        m &= isin(sessions["weekday"], f.weekdays)
    for a in f.also:
        if a.on_sessions:
            m &= _session_field_mask(sessions, a)
    return m


def filter_sessions(
    sessions: pd.DataFrame, f: Filters, *, titles: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Sessions passing ``f`` (the input itself when nothing is filtered)."""
    if not f.active:
        return sessions
    return sessions[session_mask(sessions, f, titles=titles)]


def viewer_mask(users: pd.DataFrame, sessions: pd.DataFrame) -> np.ndarray:
    """Boolean array over ``users``: has at least one session in ``sessions``.

    Uses ``user_pos`` of a prepared view (fast), else matches ``user_id``.
    """
    if not len(users) or not len(sessions):
        return np.zeros(len(users), dtype=bool)
    if "user_pos" in sessions:
        pos = sessions["user_pos"].to_numpy()
        return np.bincount(pos[pos >= 0], minlength=len(users))[: len(users)] > 0
    ids = pd.Index(sessions["user_id"].astype("str").unique())
    return users["user_id"].astype("str").isin(ids).to_numpy(bool)


def users_in(
    users: pd.DataFrame, sessions: pd.DataFrame, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """Users (optionally only ``columns``) with at least one session in ``sessions``."""
    cols = [c for c in columns if c in users.columns] if columns is not None else None
    frame = users if cols is None else users[cols]
    seen = viewer_mask(users, sessions)
    return frame if seen.all() and len(frame) else frame[seen]


def _codes(col: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (-1 = missing) and the values they stand for, in a natural order."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy().astype(np.int64), pd.Index(col.cat.categories)
    values = col.to_numpy()
    if values.dtype.kind == "b":
        return values.astype(np.int64), pd.Index([False, True])
    if values.dtype.kind in "iu" and len(values):
        lo, hi = int(values.min()), int(values.max())
        if hi - lo < 1_000_000:
            return values.astype(np.int64) - lo, pd.Index(np.arange(lo, hi + 1))
    codes, uniques = pd.factorize(col, sort=True)
    return codes.astype(np.int64), pd.Index(uniques)


def tally(
    df: pd.DataFrame,
    by: str | Sequence[str],
    value: str | None = None,
    *,
    name: str = "n",
) -> pd.DataFrame:
    """Group sizes (and sum/mean of ``value``) of ``df`` by ``by``: a fast groupby.

    Equivalent to ``df.groupby(by, observed=True, dropna=True)`` with ``.size()`` (column
    ``name``) and, when ``value`` is given, ``[value].sum()`` (``total``, missing values
    count as 0) and ``[value].mean()`` (``mean``, over non-missing values). Only observed
    groups are returned, in category (or sorted value) order.
    """
    if hasattr(df, "tally") and not isinstance(df, pd.DataFrame):
        return df.tally(by, value, name=name)
    by = [by] if isinstance(by, str) else list(by)
    missing = [c for c in [*by, *([value] if value else [])] if c not in df.columns]
    if missing and len(df):
        df = pd.DataFrame(
            {c: derive(df, c) for c in dict.fromkeys([*by, *([value] if value else [])])}
        )
    empty = pd.DataFrame(
        {c: pd.Series(dtype=object) for c in by}
        | {name: pd.Series(dtype=np.int64)}
        | ({"total": pd.Series(dtype=float), "mean": pd.Series(dtype=float)} if value else {})
    )
    if not len(df):
        return empty
    codes, levels = zip(*(_codes(df[c]) for c in by))
    shape = tuple(max(len(lv), 1) for lv in levels)
    flat: np.ndarray | None = None
    valid: np.ndarray | None = None
    for c, size in zip(codes, shape):
        missing = c < 0
        if missing.any():
            valid = ~missing if valid is None else valid & ~missing
        flat = c if flat is None else flat * size + c
    if valid is not None:
        flat = flat[valid]
    if not len(flat):
        return empty
    size = int(np.prod(shape))
    n = np.bincount(flat, minlength=size)
    seen = np.flatnonzero(n)
    idx = np.unravel_index(seen, shape)
    data = {c: lv[i] for c, lv, i in zip(by, levels, idx)}
    data[name] = n[seen]
    if value:
        v = df[value].to_numpy(dtype=float, na_value=np.nan)
        if valid is not None:
            v = v[valid]
        ok = ~np.isnan(v)
        total = np.bincount(flat, weights=np.where(ok, v, 0.0), minlength=size)
        cnt = np.bincount(flat, weights=ok, minlength=size) if not ok.all() else n
        data["total"] = total[seen]
        with np.errstate(invalid="ignore", divide="ignore"):
            data["mean"] = np.where(cnt[seen] > 0, total[seen] / np.maximum(cnt[seen], 1), np.nan)
    return pd.DataFrame(data)
