"""Netflix's "What We Watched" engagement reports (.xlsx, twice a year since 2023).

Layouts (the header row is found by its cells, the period by the sheet's subtitle line, never
from the file name):

* 2023 H1: one sheet ``Engagement``: ``Title, Available Globally?, Release Date, Hours
  Viewed``, subtitle "Hours viewed from January to June 2023";
* later reports: sheets ``TV`` and ``Film``, each with ``Title, Available Globally?, Release
  Date, Hours Viewed, Runtime, Views`` (Runtime as ``h:mm`` text), subtitle "Views from
  January to June 2024".

-> ``engagement_report``: report (label), period_start / period_end (ISO, from the subtitle),
kind ("tv" / "film" from the sheet; in the single-sheet layout "tv" for titles with a season
or limited-series suffix, else missing), title as published, available_globally (Yes/No as
published), release_date (ISO or missing), hours_viewed, runtime_minutes, views, movie_id
(linked to the catalog and Top 10 titles of the same import, else ``report-...``).

The workbook is validated as an archive first (:func:`lib.data.importers.archives.check_workbook`)
and read with python-calamine: cell values only (cached results of formulas); no formula,
macro or external link is evaluated or followed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import re
from typing import Any

import numpy as np
import pandas as pd

from lib import config
from lib.data.importers import archives
from lib.data.importers import values as v
from lib.data.importers.base import DetectedFile, Format, Part, Sheets
from lib.data.importers.problems import problem
from lib.data.importers.titles import normalize_title

__all__ = ["FORMATS", "base_title", "parse_period"]

REQUIRED = ("Title", "Available Globally?", "Release Date", "Hours Viewed")
OPTIONAL = ("Runtime", "Views")
_HEADER_SEARCH_ROWS = 40
_MONTHS = {m.casefold(): i for i, m in enumerate(calendar.month_name) if m} | {
    m.casefold(): i for i, m in enumerate(calendar.month_abbr) if m
}
_PERIOD = re.compile(
    r"\bfrom\s+(?P<m1>[A-Za-z]+)\.?(?:\s+(?P<y1>\d{4}))?\s*(?:to|through|-|\u2013)\s*"
    r"(?P<m2>[A-Za-z]+)\.?,?\s+(?P<y2>\d{4})",
    re.IGNORECASE,
)
_SEASON = re.compile(config.SEASON_SUFFIX, re.IGNORECASE)
_RUNTIME = re.compile(r"^(\d+):([0-5]\d)(?::([0-5]\d))?$")
_KINDS = {"tv": "tv", "film": "film", "films": "film", "movies": "film", "movie": "film"}


# --------------------------------------------------------------------------- helpers ----
def parse_period(text: str) -> tuple[dt.date, dt.date] | None:
    """First and last day of "... from January to June 2024" (None when not found)."""
    m = _PERIOD.search(text or "")
    if not m:
        return None
    m1, m2 = _MONTHS.get(m["m1"].casefold()), _MONTHS.get(m["m2"].casefold())
    if m1 is None or m2 is None:
        return None
    y2 = int(m["y2"])
    y1 = int(m["y1"]) if m["y1"] else (y2 if m1 <= m2 else y2 - 1)
    start = dt.date(y1, m1, 1)
    end = dt.date(y2, m2, calendar.monthrange(y2, m2)[1])
    return (start, end) if start <= end else None


def base_title(title: str) -> str:
    """A report title without its season suffix: "Bridgerton: Season 3" -> "Bridgerton"."""
    return _SEASON.sub("", title).strip()


def _cell_text(cell: Any) -> str | None:
    """A workbook cell as text: numbers without '.0', dates ISO, times h:mm."""
    if cell is None:
        return None
    if isinstance(cell, str):
        return cell.strip() or None
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        if not np.isfinite(cell):
            return None
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, dt.time):
        return f"{cell.hour}:{cell.minute:02d}" + (f":{cell.second:02d}" if cell.second else "")
    if isinstance(cell, dt.timedelta):
        secs = int(cell.total_seconds())
        return f"{secs // 3600}:{secs % 3600 // 60:02d}" + (
            f":{secs % 60:02d}" if secs % 60 else ""
        )
    return str(cell)


def _header_at(rows: list[list[Any]]) -> int | None:
    for i, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        cells = {(_cell_text(c) or "").casefold() for c in row}
        if "title" in cells and "hours viewed" in cells:
            return i
    return None


# ---------------------------------------------------------------------------- reading ----
def _sheet_rows(name: str, sheet: str, rows: list[list[Any]], head: int) -> tuple[list, list]:
    """(header names, [(sheet row, period line, cells...)]) of one data sheet."""
    header = [_cell_text(c) or "" for c in rows[head]]
    cols = [i for i, h in enumerate(header) if h]
    names = [header[i] for i in cols]
    seen = {h.casefold() for h in names}
    missing = [c for c in REQUIRED if c.casefold() not in seen]
    if missing:
        raise problem(
            "missing_columns",
            name,
            f"sheet '{sheet}' looks like an engagement report but its header (sheet row "
            f"{head + 1}) lacks {', '.join(missing)}",
            column=", ".join(missing),
            expected="columns " + ", ".join(REQUIRED + OPTIONAL),
        )
    period = next(
        (t for r in rows[:head] for c in r if (t := _cell_text(c)) and parse_period(t)), None
    )
    if period is None:
        raise problem(
            "bad_value",
            name,
            f"sheet '{sheet}' has no period line above its header",
            expected="a line like 'Views from January to June 2024' (the report's period)",
        )
    out = []
    for i in range(head + 1, len(rows)):
        cells = [_cell_text(rows[i][j]) if j < len(rows[i]) else None for j in cols]
        if any(c is not None for c in cells):
            out.append((i + 1, period, *cells))
    return names, out


def read_workbook(name: str, data: bytes) -> Sheets | None:
    """The data rows of every report sheet, or None when the workbook is not a report."""
    from python_calamine import CalamineError, CalamineWorkbook

    archives.check_workbook(name, data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = {
            s: book.get_sheet_by_name(s).to_python(skip_empty_area=False) for s in book.sheet_names
        }
    except (CalamineError, ValueError, OSError) as exc:
        raise problem("malformed", name, f"could not be read as a workbook ({exc})") from exc
    heads = {s: _header_at(rows) for s, rows in sheets.items()}
    if all(h is None for h in heads.values()):
        return None
    records: list[tuple] = []
    columns: list[str] = []
    counts: dict[str, int] = {}
    notes = []
    for sheet, head in heads.items():
        if head is None:
            notes.append(f"{name}: sheet '{sheet}' has no report header; not imported")
            continue
        names, rows = _sheet_rows(name, sheet, sheets[sheet], head)
        columns += [c for c in names if c not in columns]
        records += [(sheet, r[0], r[1], dict(zip(names, r[2:], strict=True))) for r in rows]
        counts[sheet] = len(rows)
    if not records:
        raise problem("empty", name, "has report headers but no data rows")
    frame = pd.DataFrame(
        {
            "sheet": [r[0] for r in records],
            "period": [r[2] for r in records],
            **{c: [r[3].get(c) for r in records] for c in columns},
        },
        dtype="str",
    )
    sheet_rows = np.array([r[1] for r in records])
    sheet_of = frame["sheet"].to_numpy()
    return Sheets(
        frame=frame,
        locate=lambda pos: int(sheet_rows[pos]),
        where=lambda pos: f"sheet '{sheet_of[pos]}' ",
        sheets=counts,
        notes=notes,
    )


# ------------------------------------------------------------------------- converting ----
def _label(start: dt.date, end: dt.date) -> str:
    first, last = calendar.month_abbr[start.month], calendar.month_abbr[end.month]
    if start.year == end.year:
        return f"What We Watched {start.year} {first}-{last}"
    return f"What We Watched {start.year} {first}-{end.year} {last}"


def _kinds(rd: v.Reader, titles: pd.Series) -> tuple[pd.Series, list[str]]:
    by_sheet = rd.col("sheet").str.strip().str.casefold().map(_KINDS).astype("str")
    suffixed = titles.str.contains(_SEASON, na=False)
    kind = by_sheet.where(by_sheet.notna(), pd.Series("tv", index=titles.index).where(suffixed))
    notes = []
    undecided = by_sheet.isna()
    if undecided.any():
        n_tv = int((undecided & suffixed).sum())
        notes.append(
            f"{rd.name}: {int(undecided.sum()):,} row(s) come from a sheet without a film/TV "
            f"split (the 2023 H1 layout): kind is 'tv' for the {n_tv:,} titles with a season "
            "or limited-series suffix and missing for the others"
        )
    return kind.astype("str"), notes


def _runtime(rd: v.Reader) -> tuple[pd.Series, list[str]]:
    """Minutes from h:mm; Netflix's '*' (runtime not published) becomes missing, noted."""
    raw = rd.col("Runtime").str.strip()
    star = raw.eq("*").fillna(False)
    raw = raw.where(~star)
    parts = raw.str.extract(_RUNTIME)
    rd.fail(
        "Runtime", raw.notna() & parts[0].isna(), rd.col("Runtime"), "a runtime like 1:47 (h:mm)"
    )
    h, m = pd.to_numeric(parts[0]), pd.to_numeric(parts[1])
    s = pd.to_numeric(parts[2]).fillna(0)
    notes = []
    if star.any():
        notes.append(
            f"{rd.name}: {int(star.sum()):,} row(s) have Runtime '*' (Netflix publishes no "
            "runtime for them); runtime_minutes is missing there, hours and views are kept"
        )
    return (h * 60 + m + s / 60).round(2), notes


def _release(rd: v.Reader) -> pd.Series:
    raw = rd.col("Release Date").str.strip()
    day = raw.str.extract(r"^(\d{4}-\d{2}-\d{2})(?:[T ][\d:.]+)?$")[0]
    parsed = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")
    rd.fail(
        "Release Date",
        raw.notna() & parsed.isna(),
        rd.col("Release Date"),
        "a date like 2024-03-08, or an empty cell",
    )
    return parsed.dt.strftime("%Y-%m-%d").astype("str")


def _numbers(rd: v.Reader) -> tuple[pd.Series, pd.Series]:
    rd.require("Hours Viewed", "hours viewed on every row")
    hours = rd.number("Hours Viewed", strip=",")
    views = rd.number("Views", strip=",") if rd.has("Views") else pd.Series(np.nan, rd.frame.index)
    for col, num in (("Hours Viewed", hours), ("Views", views)):
        rd.fail(col, num < 0, rd.col(col), "a number of 0 or more")
    return hours, views


def _dup_notes(name: str, table: pd.DataFrame) -> list[str]:
    key = ["period_start", "kind", "title"]
    same = table.duplicated(key, keep=False)
    if not same.any():
        return []
    exact = table.duplicated(keep=False)
    notes = []
    if (same & ~exact).any():
        first = table.loc[same & ~exact, "title"].iloc[0]
        dates = ", ".join(table.loc[table["title"] == first, "release_date"].fillna("none"))
        notes.append(
            f"{name}: {int((same & ~exact).sum()):,} rows share their period, kind and title "
            f"with another row but differ (e.g. {first!r}, released {dates}): kept as distinct "
            "titles, told apart by release date"
        )
    if exact.any():
        notes.append(
            f"{name}: {int(table.duplicated().sum()):,} row(s) repeat another row exactly; kept "
            "as received, silver keeps the first"
        )
    return notes


def _keys(table: pd.DataFrame) -> pd.DataFrame:
    """Link keys: the title without its season suffix (TV), the ' // ' alternative title and,
    for titles published twice in one period (two films called 'Monster'), the release year."""
    titles, kind = table["title"], table["kind"]
    is_tv = kind.eq("tv").fillna(False)
    split = titles.str.split(" // ", n=1, regex=False)
    main, alt = split.str[0], split.str[1]
    main = main.where(~is_tv, main.map(base_title, na_action="ignore"))
    alt = alt.where(~is_tv, alt.map(base_title, na_action="ignore"))
    twice = table.duplicated(["period_start", "kind", "title"], keep=False)
    year = pd.to_numeric(table["release_date"].str[:4], errors="coerce").where(twice)
    return pd.DataFrame(
        {
            "norm": main.map(normalize_title, na_action="ignore").astype("str"),
            "alt": alt.map(normalize_title, na_action="ignore").astype("str"),
            "kind": kind,
            "year": year.astype("float64"),
            "title": main,
        },
        index=table.index,
    )


def convert(det: DetectedFile, rd: v.Reader) -> Part:
    idx = det.frame.index
    rd.require("Title", "a title on every row")
    titles = rd.col("Title").str.strip()
    available = rd.col("Available Globally?").str.strip()
    rd.fail(
        "Available Globally?",
        available.notna() & ~available.str.casefold().isin(["yes", "no"]),
        rd.col("Available Globally?"),
        "Yes or No",
    )
    hours, views = _numbers(rd)
    periods = {p: parse_period(p) for p in rd.col("period").dropna().unique()}
    start = rd.col("period").map(lambda p: periods[p][0].isoformat())
    end = rd.col("period").map(lambda p: periods[p][1].isoformat())
    label = rd.col("period").map(lambda p: _label(*periods[p]))
    kind, notes = _kinds(rd, titles)
    runtime, more = _runtime(rd)
    notes += more
    cols = {
        "report": label.astype("str"),
        "period_start": start.astype("str"),
        "period_end": end.astype("str"),
        "kind": kind,
        "title": titles,
        "available_globally": available,
        "release_date": _release(rd),
        "hours_viewed": v.int_text(hours),
        "runtime_minutes": runtime.map(lambda x: f"{x:g}", na_action="ignore").astype("str"),
        "views": v.int_text(views),
    }
    table = v.frame("engagement_report", cols, idx)
    notes += _dup_notes(det.name, table)
    for p, (s, e) in periods.items():
        n = int((rd.col("period") == p).sum())
        notes.append(f"{det.name}: {n:,} rows for {s.isoformat()} to {e.isoformat()} (from {p!r})")
    keys = _keys(table)
    mapping = v.mapping(
        rd,
        {
            "sheet": "engagement_report.kind (TV -> tv, Film -> film)",
            "period": "engagement_report.period_start, period_end, report",
            "title": "engagement_report.title (as published; linked to movie_id)",
            "available globally?": "engagement_report.available_globally",
            "release date": "engagement_report.release_date",
            "hours viewed": "engagement_report.hours_viewed",
            "runtime": "engagement_report.runtime_minutes (h:mm -> minutes)",
            "views": "engagement_report.views",
        },
    )
    return Part("report", {"engagement_report": table}, mapping, notes, keys=keys)


FORMATS = (
    Format(
        "netflix_engagement_report",
        "Netflix 'What We Watched' engagement report (.xlsx; one Engagement sheet, or TV "
        "and Film sheets)",
        convert,
        required=REQUIRED,
        optional=OPTIONAL,
        nonempty=("Title", "Hours Viewed"),  # release dates may all be empty (licensed titles)
        workbook=read_workbook,
    ),
)
