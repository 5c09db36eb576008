"""Checked column access for converters, text helpers and the notes they write.

A converter reads the rows as received (every value a string) through a :class:`Reader`,
whose checks raise :class:`ImportProblem` naming the file, column, row, physical line and the
value. The notes about dates in the future and implausible release years say exactly what
silver will do with them (:data:`SILVER_FUTURE_DATES`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib import config
from lib.data.importers.problems import problem

__all__ = [
    "NOT_IMPORTED",
    "SILVER_FUTURE_DATES",
    "Locator",
    "Reader",
    "text",
    "int_text",
    "join_list",
    "join_columns",
    "item",
    "future_note",
    "future_threshold",
    "dup_note",
    "release_year_note",
    "frame",
    "mapping",
]

NOT_IMPORTED = "(not imported)"
LIST_SEP = config.LIST_SEP

SILVER_FUTURE_DATES: dict[str, str] = {
    "watch_date": "reject",
    "recommendation_date": "reject",
    "search_date": "reject",
    "review_date": "reject",
    "week": "reject",
    "rated_at": "reject",
    "added_to_platform": "blank",
    "subscription_start_date": "keep",
    "created_at": "keep",
}
"""What silver does with a date after the build day + 1 (``lib/data/pipeline/silver.py``):
``reject`` the row (a required date), ``blank`` the value and count a repair (an optional
date), or ``keep`` it (not checked). The import notes quote this table."""
_SILVER_ACTION = {
    "reject": "silver rejects these rows (counted in the quality report's rejects)",
    "blank": "silver keeps these rows and sets the dates missing (counted as repairs)",
    "keep": "silver keeps them as received (this column is not checked for future dates)",
}
RELEASE_YEAR_MIN = 1880
"""Silver sets a release year below this, or above the build year + 1, missing."""

Locator = Callable[[int], int | None]
"""Data row position (from 0) -> physical line (or sheet row) where it starts."""


class Reader:
    """Column access by case-insensitive name with type checks that raise ImportProblem.

    Parameters
    ----------
    name : the file name used in messages.
    frame : the rows as received (all strings).
    locate : data row position -> physical line (or sheet row) for messages.
    line_label : what ``locate`` counts ("line", or "sheet row" for workbooks).
    where : optional data row position -> text put before the message (e.g. a sheet name).
    """

    def __init__(
        self,
        name: str,
        frame: pd.DataFrame,
        locate: Locator,
        *,
        line_label: str = "line",
        where: Callable[[int], str] | None = None,
    ) -> None:
        self.name = name
        self.frame = frame
        self.locate = locate
        self.line_label = line_label
        self.where = where
        self.lookup = {c.casefold(): c for c in frame.columns}

    def has(self, col: str) -> bool:
        return col.casefold() in self.lookup

    def name_of(self, col: str) -> str:
        return self.lookup.get(col.casefold(), col)

    def col(self, col: str) -> pd.Series:
        real = self.lookup.get(col.casefold())
        if real is None:
            return pd.Series(pd.NA, index=self.frame.index, dtype="str")
        return self.frame[real]

    def fail(self, col: str, mask: pd.Series, values: pd.Series, expected: str) -> None:
        """Raise for the first True of ``mask`` (nothing when every value is fine)."""
        if not mask.any():
            return
        pos = int(np.flatnonzero(mask.to_numpy())[0])
        prefix = self.where(pos) if self.where is not None else ""
        raise problem(
            "bad_value",
            self.name,
            f"{prefix}has {int(mask.sum()):,} bad value(s)",
            column=self.name_of(col),
            row=pos + 1,
            line=self.locate(pos),
            value=values.iloc[pos],
            expected=expected,
            line_label=self.line_label,
        )

    def number(self, col: str, *, integer: bool = False, strip: str = "") -> pd.Series:
        """Checked numeric view (float64, NaN where missing) of a column."""
        raw = self.col(col)
        arr = pc.utf8_trim_whitespace(pa.array(raw.array))
        if strip:
            arr = pc.replace_substring(arr, strip, "")
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
        try:  # fast path: pyarrow parses every value
            num = pd.Series(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), raw.index)
            bad = None
        except pa.ArrowInvalid:
            s = pd.Series(arr.to_pandas(), index=raw.index)
            num = pd.to_numeric(s, errors="coerce").astype("float64")
            bad = s.notna() & num.isna()
        if integer:
            fractional = num.notna() & (num % 1 != 0)
            bad = fractional if bad is None else bad | fractional
        if bad is not None:
            self.fail(col, bad, raw, "a whole number" if integer else "a number")
        return num

    def require(self, col: str, what: str = "a value") -> None:
        s = self.col(col)
        self.fail(col, s.isna() | (s.str.strip() == ""), s.fillna(""), what)


# ------------------------------------------------------------------------------ text ----
def int_text(num: pd.Series) -> pd.Series:
    """Whole numbers as text ("12"), missing stays missing."""
    return num.round().astype("Int64").astype("str")


def text(s: pd.Series) -> pd.Series:
    """Strip spaces; blank -> NA; str dtype."""
    out = s.astype("str").str.strip()
    return out.where(out != "").astype("str")


def join_list(s: pd.Series, sep_pattern: str) -> pd.Series:
    """Split each cell on ``sep_pattern`` (regex), strip items, drop empty ones, join by '|'."""
    out = s.astype("str").str.replace(sep_pattern, LIST_SEP, regex=True)
    out = out.str.replace(r"\s*\|\s*", LIST_SEP, regex=True)
    out = out.str.replace(r"\|{2,}", LIST_SEP, regex=True).str.strip().str.strip(LIST_SEP)
    return out.where(out != "").astype("str")


def join_columns(frame: pd.DataFrame) -> pd.Series:
    """Row-wise join of the non-missing stripped cells of several columns by '|'."""
    out = pd.Series(pd.NA, index=frame.index, dtype="str")
    for c in frame.columns:
        cell = text(frame[c])
        out = out.where(cell.isna(), out.fillna("") + LIST_SEP + cell.fillna(""))
    out = out.astype("str").str.strip(LIST_SEP)
    return out.where(out != "").astype("str")


def item(s: pd.Series, i: int) -> pd.Series:
    """The ``i``-th item (from 0) of '|'-joined lists."""
    sep = re.escape(LIST_SEP)
    found = s.astype("str").str.extract(rf"^(?:[^{sep}]*{sep}){{{i}}}([^{sep}]*)", expand=False)
    return found.astype("str")


# ----------------------------------------------------------------------------- notes ----
def future_threshold(today: dt.date | None = None) -> pd.Timestamp:
    """Silver's limit: a date after the build day + 1 (midnight) is in the future."""
    return pd.Timestamp(today or dt.date.today()) + pd.Timedelta(days=1)


def future_note(
    name: str,
    col: str,
    dates: pd.Series,
    *,
    canonical: str,
    noun: str = "date(s)",
    today: dt.date | None = None,
) -> list[str]:
    """Note how many parsed dates lie in the future and what silver does with them.

    ``canonical`` is the bronze column the dates go to (its rule in SILVER_FUTURE_DATES).
    """
    limit = future_threshold(today)
    d = pd.to_datetime(dates, errors="coerce", utc=True).dt.tz_convert(None)
    n = int((d > limit).sum())
    if not n:
        return []
    action = _SILVER_ACTION[SILVER_FUTURE_DATES.get(canonical, "keep")]
    return [
        f"{name}: {n:,} {noun} in column '{col}' lie in the future (after "
        f"{limit.date().isoformat()}, the build day + 1); {action}"
    ]


def release_year_note(
    name: str, col: str, years: pd.Series, *, today: dt.date | None = None
) -> list[str]:
    """Note release years silver will set missing (outside 1880 .. build year + 1)."""
    hi = (today or dt.date.today()).year + 1
    y = pd.to_numeric(years, errors="coerce")
    bad = y.notna() & ((y < RELEASE_YEAR_MIN) | (y > hi))
    n = int(bad.sum())
    if not n:
        return []
    first = int(y[bad].iloc[0])
    return [
        f"{name}: {n:,} release year(s) in column '{col}' lie outside {RELEASE_YEAR_MIN}-{hi} "
        f"(the build year + 1), e.g. {first}; silver keeps these titles and sets the year "
        "missing (counted as repairs)"
    ]


def dup_note(name: str, col: str, s: pd.Series) -> list[str]:
    dup = s[s.notna() & s.duplicated(keep="first")]
    if dup.empty:
        return []
    return [
        (
            f"{name}: {len(dup):,} duplicate value(s) in id column '{col}' "
            f"(first: {dup.iloc[0]!r}); kept as received, silver keeps the first"
        )
    ]


# -------------------------------------------------------------------------- building ----
def frame(table: str, cols: dict[str, pd.Series], index: pd.Index) -> pd.DataFrame:
    """A bronze table: its canonical columns in order, every value a string (or missing)."""
    data = {}
    for c in config.BRONZE_TABLES[table]:
        v = cols.get(c)
        data[c] = v.astype("str") if v is not None else pd.Series(pd.NA, index=index, dtype="str")
    return pd.DataFrame(data, index=index)


def mapping(rd: Reader, pairs: dict[str, str]) -> dict[str, str]:
    """Every source column -> "table.column" (keys of ``pairs`` are case-folded)."""
    return {c: pairs.get(c.casefold(), NOT_IMPORTED) for c in rd.frame.columns}
