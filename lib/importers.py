"""Real public formats -> the canonical bronze tables of :mod:`lib.config`.

Formats are recognised from a file's *content* (its header, or for the header-less MovieLens
100k files its shape), never from its name. Every importer returns bronze tables: the
canonical columns of ``config.BRONZE_TABLES`` in canonical order, every value a string
(pandas' ``str`` dtype, missing = NA), derived values in canonical text form (ISO dates,
integer minutes, lists joined by ``config.LIST_SEP``). Typing, validation against the
vocabularies and de-duplication happen in silver (``lib/pipeline``).

Public API
----------
``MAX_UPLOAD_BYTES``
    Largest file (or zip archive, or zip member, or file on disk) accepted: 200 MiB.
    Larger input -> :class:`ImportProblem`.
``MAX_ZIP_MEMBERS``
    Most files a zip archive may hold (64). ``MAX_UNZIPPED_BYTES`` bounds the unpacked total.
``DATA_EXTENSIONS``
    File name endings read from folders and zip archives (the format itself is still
    sniffed from the content).
``FORMATS``
    ``{format name: one-line description}`` of every recognised format.
``DetectedFile``
    ``name, format, encoding, rows, columns, frame, notes, mapping, delimiter, size_bytes``:
    one sniffed file; ``frame`` holds the rows as read (all strings, header names as in the
    file), ``mapping`` maps each source column to ``"table.column"`` (or ``"(not imported)"``).
``ImportProblem(ValueError)``
    Bad input. Fields ``kind`` (one of ``PROBLEM_KINDS``), ``file, column, row, line, value,
    expected``; the message names them.
    ``row`` counts data rows from 1 (the header is not a row); ``line`` is the line in the file.
``ImportResult``
    ``tables`` (bronze table name -> DataFrame, only the tables this import provides),
    ``files`` (list of DetectedFile), ``mappings`` (file name -> {source column -> target}),
    ``notes`` (list of str), ``join_report`` (file name -> match statistics, see
    :func:`load_files`), ``source`` (what was loaded).
``sniff(name, data) -> DetectedFile``
    Decode (utf-8, utf-8-sig, then cp1252 / latin-1 with a note), detect the format, read and
    validate the whole file. Raises :class:`ImportProblem` on bad input.
``read_upload(name, data, *, notes=None, skip_unknown=False) -> list[tuple[str, bytes]]``
    Unpack one upload: a zip archive (recognised by its signature) is validated and expanded
    in memory; any other file is returned as is. Size limits are enforced here.
``load_files(files, *, skip_unknown=False, source="") -> ImportResult``
    Several uploaded files (zip archives allowed) -> one dataset. ``skip_unknown`` skips, with
    a note, files of unknown format, empty or non-text files instead of raising.
``load_source(path, *, skip_unknown=False) -> ImportResult``
    A file, a folder (recursive, regular files only) or a zip archive on disk.
``normalize_title(title) -> str``
    The key used to link titles across files.

Formats and where they go
-------------------------
* ``netflix_catalog`` (Kaggle ``netflix_titles.csv`` shape; Amazon Prime and Disney+ too)
  -> ``movies``: show_id -> movie_id, type -> content_type ("TV Show" -> "TV Series"),
  listed_in -> genres / genre_primary / genre_secondary, director / cast / country -> lists
  (country -> country_of_origin), date_added -> added_to_platform (ISO), duration ->
  duration_minutes or number_of_seasons, rating (a duration found there is moved to
  duration_minutes and counted in the notes), release_year, description, title.
* ``top10_global``, ``top10_global_legacy`` (11 columns, often cp1252), ``top10_countries``
  -> ``top10_weekly`` (the countries file keeps ``country_name`` and ``country_iso2`` as extra
  columns; rows without them are global lists). ``season_title`` "N/A" is kept literally.
  ``top10_most_popular`` -> ``top10_titles`` (in_top10 = "1"; its 91-day figures are not
  weekly and are not imported).
* ``imdb_movies`` (``imdb_movie_data_2023_v2.csv`` shape) and ``imdb_top10_final``
  (``final_data.csv``) -> ``movies`` (imdb_rating, imdb_votes, meta_score, genres from
  genre1..3, rating from pr_rating, release_year, duration_minutes, cast from cast1..4,
  director); ``imdb_top10_final`` also -> ``top10_titles``.
* ``movielens_100k_data`` / ``movielens_ratings`` -> ``ratings`` (rated_at = ISO UTC time);
  ``movielens_100k_item`` / ``movielens_movies`` -> ``movies`` (year taken out of the title);
  ``movielens_100k_user`` -> ``users``.
* ``engagement_*`` (the six CSVs of seed 004) -> the same-named tables, values as received,
  extra columns kept after the canonical ones.

Linking: Top 10 and IMDb titles are linked to the movies of the same import by
:func:`normalize_title` plus the film/TV kind (Top 10) or the release year (IMDb, +-1 year when
that leaves one candidate). Several candidates that nothing decides between are never guessed:
they stay unlinked and are counted. A linked IMDb row fills only the missing cells of the
catalog row (genres only as a block, when the row has none); unlinked IMDb rows are added as
movies. Several catalogs in one import get their ids prefixed with the file name; a ratings file
whose rows all appear in another one (MovieLens ``u1.base``) is skipped with a note.
Unlinked Top 10 titles get an id generated from their normalised title; when the import holds
no catalog, minimal ``movies`` rows are created for them so the pipeline has titles. Nothing
uploaded is executed or unpickled.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import logging
import os
import re
import stat
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from lib import config

__all__ = [
    "DATA_EXTENSIONS",
    "FORMATS",
    "MAX_UNZIPPED_BYTES",
    "PROBLEM_KINDS",
    "MAX_UPLOAD_BYTES",
    "MAX_ZIP_MEMBERS",
    "DetectedFile",
    "ImportProblem",
    "ImportResult",
    "load_files",
    "load_source",
    "normalize_title",
    "read_upload",
    "sniff",
]

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
"""Largest single file or zip archive accepted (200 MiB)."""
MAX_ZIP_MEMBERS = 64
"""Most files one zip archive may contain."""
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024
"""Largest unpacked total of one zip archive, and of one import (1 GiB)."""
DATA_EXTENSIONS: tuple[str, ...] = (
    ".csv",
    ".tsv",
    ".txt",
    ".dat",
    ".data",
    ".item",
    ".user",
    ".base",
    ".test",
)
"""Name endings read from folders and zip archives (MovieLens 100k uses .data/.item/.user)."""

PROBLEM_KINDS: tuple[str, ...] = (
    "unknown_format",
    "empty",
    "not_text",
    "too_large",
    "missing_columns",
    "bad_value",
    "malformed",
    "unsafe_archive",
    "other",
)
"""Values of ``ImportProblem.kind``."""

_SAMPLE_CHARS = 64 * 1024
_DELIMITERS = (",", "\t", "|", ";")
_LIST_SEP = config.LIST_SEP
_ML100K_GENRES = (
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
)
_NOT_IMPORTED = "(not imported)"


# --------------------------------------------------------------------------- public types ----
class ImportProblem(ValueError):
    """Input that cannot be imported. The message names file, column, row and what was expected.

    Attributes
    ----------
    file, column : str or None
    row : int or None
        Data row counted from 1 (the header line is not a row).
    line : int or None
        Line in the file (the header is line 1).
    value : str or None
        The offending value.
    expected : str or None
        What would have been accepted.
    kind : str
        One of ``PROBLEM_KINDS``, e.g. "unknown_format", "bad_value", "unsafe_archive".
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str = "other",
        file: str | None = None,
        column: str | None = None,
        row: int | None = None,
        line: int | None = None,
        value: str | None = None,
        expected: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.file = file
        self.column = column
        self.row = row
        self.line = line
        self.value = value
        self.expected = expected


def _problem(
    kind: str,
    file: str,
    what: str,
    *,
    column: str | None = None,
    row: int | None = None,
    line: int | None = None,
    value: Any = None,
    expected: str | None = None,
) -> ImportProblem:
    parts = [f"{file}: {what}"]
    if column is not None:
        parts.append(f" in column '{column}'")
    if row is not None:
        parts.append(f" at row {row}" + (f" (line {line})" if line is not None else ""))
    elif line is not None:
        parts.append(f" at line {line}")
    if value is not None:
        shown = str(value)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        parts.append(f": {shown!r}")
    if expected is not None:
        parts.append(f"; expected {expected}")
    return ImportProblem(
        "".join(parts),
        kind=kind,
        file=file,
        column=column,
        row=row,
        line=line,
        value=None if value is None else str(value),
        expected=expected,
    )


@dataclass
class DetectedFile:
    """One sniffed file: its format, encoding and rows as read (all values strings)."""

    name: str
    format: str
    encoding: str
    rows: int
    columns: list[str]
    frame: pd.DataFrame = field(repr=False)
    notes: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    delimiter: str = ","
    size_bytes: int = 0
    _part: _Part | None = field(default=None, repr=False, compare=False)


@dataclass
class ImportResult:
    """Several files combined into one dataset of bronze tables."""

    tables: dict[str, pd.DataFrame]
    files: list[DetectedFile]
    mappings: dict[str, dict[str, str]]
    notes: list[str]
    join_report: dict[str, dict[str, Any]]
    source: str = ""


# ------------------------------------------------------------------------------- formats ----
@dataclass(frozen=True)
class _Spec:
    name: str
    description: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    headerless: bool = False


def _engagement_spec(table: str, required: tuple[str, ...], what: str) -> _Spec:
    cols = config.BRONZE_TABLES[table]
    return _Spec(
        f"engagement_{table}",
        f"seed-004 engagement export: {what} ({table}.csv)",
        required,
        tuple(c for c in cols if c not in required),
    )


_SPECS: tuple[_Spec, ...] = (
    _Spec(
        "netflix_catalog",
        "streaming catalog in the Kaggle netflix_titles.csv shape (Netflix, Amazon, Disney+)",
        ("show_id", "type", "title", "release_year", "duration", "listed_in"),
        ("director", "cast", "country", "date_added", "rating", "description"),
    ),
    _Spec(
        "top10_global",
        "Netflix global weekly Top 10 (all-weeks-global.tsv)",
        (
            "week",
            "category",
            "weekly_rank",
            "show_title",
            "season_title",
            "weekly_hours_viewed",
            "cumulative_weeks_in_top_10",
        ),
        ("runtime", "weekly_views"),
    ),
    _Spec(
        "top10_global_legacy",
        "older 11-column Netflix global weekly Top 10 (with is_staggered_launch)",
        (
            "week",
            "category",
            "weekly_rank",
            "show_title",
            "season_title",
            "weekly_hours_viewed",
            "cumulative_weeks_in_top_10",
            "is_staggered_launch",
        ),
        ("runtime", "weekly_views", "episode_launch_details"),
    ),
    _Spec(
        "top10_countries",
        "Netflix weekly Top 10 per country (all-weeks-countries.tsv)",
        (
            "week",
            "country_name",
            "country_iso2",
            "category",
            "weekly_rank",
            "show_title",
            "season_title",
            "cumulative_weeks_in_top_10",
        ),
    ),
    _Spec(
        "top10_most_popular",
        "Netflix all-time most popular lists (most-popular.tsv)",
        ("category", "rank", "show_title", "season_title", "hours_viewed_first_91_days"),
        ("runtime", "views_first_91_days"),
    ),
    _Spec(
        "imdb_movies",
        "IMDb-style movie table (imdb_movie_data_2023_v2.csv shape)",
        (
            "movie_name",
            "rating",
            "votes",
            "meta_score",
            "genre1",
            "pr_rating",
            "year",
            "duration",
            "cast1",
            "director",
        ),
        (
            "row_id",
            "genre0",
            "genre2",
            "genre3",
            "cast0",
            "cast2",
            "cast3",
            "cast4",
            "number_rating",
        ),
    ),
    _Spec(
        "imdb_top10_final",
        "IMDb-style movie table with Netflix Top 10 labels (final_data.csv shape)",
        (
            "movie_name",
            "rating",
            "votes",
            "meta_score",
            "genre1",
            "pr_rating",
            "year",
            "duration",
            "cast1",
            "director",
            "netflix_top_10",
        ),
        (
            "row_id",
            "genre0",
            "genre2",
            "genre3",
            "cast0",
            "cast2",
            "cast3",
            "cast4",
            "number_rating",
            "weekly_hours_viewed",
            "weekly_views",
        ),
    ),
    _Spec(
        "movielens_ratings",
        "MovieLens ratings.csv (userId,movieId,rating,timestamp)",
        ("userid", "movieid", "rating", "timestamp"),
    ),
    _Spec(
        "movielens_movies",
        "MovieLens movies.csv (movieId,title,genres)",
        ("movieid", "title", "genres"),
    ),
    _Spec(
        "movielens_100k_data",
        "MovieLens 100k u.data: tab-separated user id, item id, rating 1-5, epoch seconds",
        ("user id", "item id", "rating", "timestamp"),
        headerless=True,
    ),
    _Spec(
        "movielens_100k_item",
        "MovieLens 100k u.item: 24 '|'-separated fields (id, title, dates, URL, 19 flags)",
        ("movie id", "movie title", "release date", "video release date", "IMDb URL")
        + _ML100K_GENRES,
        headerless=True,
    ),
    _Spec(
        "movielens_100k_user",
        "MovieLens 100k u.user: user id|age|gender|occupation|zip code",
        ("user id", "age", "gender", "occupation", "zip code"),
        headerless=True,
    ),
    _engagement_spec("users", ("user_id", "email", "subscription_plan"), "subscribers"),
    _engagement_spec("movies", ("movie_id", "title", "content_type", "genre_primary"), "titles"),
    _engagement_spec(
        "watch_history", ("session_id", "user_id", "movie_id", "watch_date"), "viewing sessions"
    ),
    _engagement_spec(
        "recommendation_logs",
        ("recommendation_id", "user_id", "movie_id", "recommendation_date"),
        "recommendation impressions",
    ),
    _engagement_spec(
        "search_logs", ("search_id", "user_id", "search_query", "search_date"), "searches"
    ),
    _engagement_spec(
        "reviews", ("review_id", "user_id", "movie_id", "rating", "review_date"), "reviews"
    ),
)
_SPEC_BY_NAME = {s.name: s for s in _SPECS}
FORMATS: dict[str, str] = {s.name: s.description for s in _SPECS}

_ENGAGEMENT_KEYS = {
    "users": ("user_id",),
    "movies": ("movie_id",),
    "watch_history": ("session_id",),
    "recommendation_logs": ("recommendation_id",),
    "search_logs": ("search_id",),
    "reviews": ("review_id",),
}
_ENGAGEMENT_DATES = {
    "users": ("subscription_start_date", "created_at"),
    "movies": ("added_to_platform",),
    "watch_history": ("watch_date",),
    "recommendation_logs": ("recommendation_date",),
    "search_logs": ("search_date",),
    "reviews": ("review_date",),
}


# ------------------------------------------------------------------------------ decoding ----
def _decode(name: str, data: bytes) -> tuple[str, str, bytes, list[str]]:
    """Return (text, encoding, utf-8 bytes without BOM, notes); raise if not text."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise _problem(
            "too_large",
            name,
            f"is {len(data) / 1024**2:,.1f} MiB, over the upload limit",
            expected=f"at most {MAX_UPLOAD_BYTES // 1024**2} MiB",
        )
    if not data.strip():
        raise _problem("empty", name, "is empty", expected="a header line and data rows")
    if data.startswith(b"PK\x03\x04"):
        raise _problem(
            "not_text",
            name,
            "is a zip archive, not a text file",
            expected="load it with load_files/load_source",
        )
    notes: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _problem("not_text", name, "is not a text file (broken UTF-16)") from exc
        notes.append(f"{name}: decoded as UTF-16 (byte-order mark found)")
        return _check_text(name, text, "utf-16", None, notes)
    if b"\x00" in data[: 1 << 20]:
        raise _problem(
            "not_text",
            name,
            "is not a text file (it contains NUL bytes)",
            expected="a CSV/TSV text file",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            text = data[3:].decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return _check_text(name, text, "utf-8-sig", data[3:], notes)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return _check_text(name, text, "utf-8", data, notes)
    for enc in ("cp1252", "latin-1"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        notes.append(f"{name}: not valid UTF-8; decoded as {enc}")
        return _check_text(name, text, enc, None, notes)
    raise _problem(
        "not_text", name, "is not a text file"
    )  # pragma: no cover - latin-1 always decodes


def _check_text(
    name: str, text: str, encoding: str, utf8: bytes | None, notes: list[str]
) -> tuple[str, str, bytes, list[str]]:
    sample = text[:_SAMPLE_CHARS]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    controls += sum(1 for ch in sample if 0x7F <= ord(ch) <= 0x9F)
    if controls > max(2, len(sample) // 100):
        raise _problem(
            "not_text",
            name,
            "is not a text file (it is full of control characters)",
            expected="a CSV/TSV text file",
        )
    return text, encoding, utf8 if utf8 is not None else text.encode("utf-8"), notes


# ------------------------------------------------------------------------------- sniffing ----
def _first_records(sample: str, delimiter: str, n: int, *, quoting: bool = True):
    """Up to ``n`` non-empty records of ``sample`` and the line count the first one used."""
    lines = sample if len(sample) < _SAMPLE_CHARS else sample[: sample.rfind("\n") + 1]
    reader = csv.reader(
        io.StringIO(lines),
        delimiter=delimiter,
        quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE,
    )
    records: list[list[str]] = []
    header_lines = 0
    try:
        for rec in reader:
            if not rec or all(not c.strip() for c in rec):
                continue
            records.append(rec)
            if len(records) == 1:
                header_lines = reader.line_num
            if len(records) >= n:
                break
    except csv.Error:
        pass
    return records, header_lines


def _clean_header(cells: list[str]) -> list[str]:
    out = []
    for i, cell in enumerate(cells):
        cell = cell.strip().lstrip("\ufeff").strip()
        out.append(cell or f"unnamed_{i + 1}")
    return out


def _match_header(headers: list[str]) -> tuple[_Spec | None, list[tuple[_Spec, list[str]]]]:
    """The most specific format whose required columns are all present, and near misses."""
    seen = {h.casefold() for h in headers}
    full = []
    near = []
    for spec in _SPECS:
        if spec.headerless:
            continue
        missing = [c for c in spec.required if c.casefold() not in seen]
        if not missing:
            full.append(spec)
        elif len(spec.required) - len(missing) >= max(2, (len(spec.required) + 1) // 2):
            near.append((spec, missing))
    if full:
        return max(full, key=lambda s: len(s.required)), []
    near.sort(key=lambda t: len(t[1]))
    return None, near


def _is_int(s: str) -> bool:
    return s.strip().lstrip("-").isdigit()


def _match_headerless(sample: str) -> tuple[_Spec, str] | None:
    recs, _ = _first_records(sample, "\t", 50, quoting=False)
    if recs and all(
        len(r) == 4 and all(_is_int(c) for c in r) and 1 <= int(r[2]) <= 5 and int(r[3]) >= 10**8
        for r in recs
    ):
        return _SPEC_BY_NAME["movielens_100k_data"], "\t"
    recs, _ = _first_records(sample, "|", 50, quoting=False)
    if recs and all(
        len(r) == 24 and _is_int(r[0]) and all(c.strip() in ("0", "1") for c in r[5:]) for r in recs
    ):
        return _SPEC_BY_NAME["movielens_100k_item"], "|"
    if recs and all(
        len(r) == 5 and _is_int(r[0]) and _is_int(r[1]) and r[2].strip().upper() in ("M", "F")
        for r in recs
    ):
        return _SPEC_BY_NAME["movielens_100k_user"], "|"
    return None


def _detect(name: str, text: str) -> tuple[_Spec, str, list[str], int]:
    """Return (spec, delimiter, header names, lines used by the header; 0 when header-less)."""
    sample = text[:_SAMPLE_CHARS]
    first_line = next((ln for ln in sample.splitlines() if ln.strip()), "")
    order = sorted(_DELIMITERS, key=lambda d: -first_line.count(d))
    near_all: list[tuple[_Spec, list[str]]] = []
    seen_headers: list[str] = []
    for delim in order:
        recs, header_lines = _first_records(sample, delim, 1)
        if not recs:
            continue
        headers = _clean_header(recs[0])
        if not seen_headers or len(headers) > len(seen_headers):
            seen_headers = headers
        if len(headers) < 2:
            continue
        spec, near = _match_header(headers)
        if spec is not None:
            return spec, delim, headers, header_lines
        near_all.extend(near)
    found = _match_headerless(sample)
    if found is not None:
        spec, delim = found
        return spec, delim, list(spec.required), 0
    shown = ", ".join(seen_headers[:30]) + (" ..." if len(seen_headers) > 30 else "")
    if near_all:
        spec, missing = min(near_all, key=lambda t: len(t[1]))
        others = sorted({s.name for s, _ in near_all} - {spec.name})
        also = f" (it could also be: {', '.join(others)})" if others else ""
        raise ImportProblem(
            f"{name}: looks like {spec.name} but is missing required column(s) "
            f"{', '.join(missing)}{also}. Headers seen: {shown}",
            kind="missing_columns",
            file=name,
            column=", ".join(missing),
            expected=f"columns {', '.join(spec.required)}",
        )
    known = "; ".join(
        f"{s.name} ({', '.join(s.required[:6])}{', ...' if len(s.required) > 6 else ''})"
        for s in _SPECS
    )
    raise ImportProblem(
        f"{name}: unknown format. Headers seen: {shown or '(none)'}. "
        f"It could be one of these formats, detected by their columns: {known}",
        kind="unknown_format",
        file=name,
        expected="one of the formats " + ", ".join(FORMATS),
    )


def _read_table(
    name: str,
    text: str,
    utf8: bytes,
    spec: _Spec,
    delimiter: str,
    headers: list[str],
    header_lines: int,
) -> pd.DataFrame:
    """Read the whole file with pyarrow: every column a string, only "" is missing."""
    seen: set[str] = set()
    for h in headers:
        if h.casefold() in seen:
            raise _problem("malformed", name, "has a duplicate column name", column=h, line=1)
        seen.add(h.casefold())
    bad: list[Any] = []

    def on_bad(row: Any) -> str:
        bad.append(row)
        return "skip"

    headerless = header_lines == 0
    try:
        table = pacsv.read_csv(
            io.BytesIO(utf8),
            read_options=pacsv.ReadOptions(
                column_names=headers, skip_rows=header_lines, block_size=8 << 20
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char=False if headerless else '"',
                newlines_in_values=not headerless,
                invalid_row_handler=on_bad,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in headers},
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        raise _problem("malformed", name, f"could not be read as {spec.name}: {exc}") from exc
    if bad:
        first = bad[0]
        pos = text.find(first.text) if first.text else -1
        line = text.count("\n", 0, pos) + 1 if pos >= 0 else None
        raise _problem(
            "malformed",
            name,
            f"has {len(bad):,} malformed row(s); the first has {first.actual_columns} "
            f"field(s) instead of {first.expected_columns}",
            line=line,
            value=first.text,
            expected=f"{first.expected_columns} fields separated by {delimiter!r} on every row",
        )
    frame = table.to_pandas()
    if len(frame) == 0:
        raise _problem(
            "empty", name, "has a header but no data rows", expected="at least one data row"
        )
    return frame


def sniff(name: str, data: bytes) -> DetectedFile:
    """Decode ``data``, detect its format from the header (or shape) and read every row.

    Parameters
    ----------
    name : str
        The file name, used in messages only (never to decide the format).
    data : bytes
        The file's content.

    Returns
    -------
    DetectedFile
        With the raw rows in ``frame`` and the format's notes and column mapping.

    Raises
    ------
    ImportProblem
        Empty, binary, over-size, unknown, incomplete or malformed input, or wrong values.
    """
    text, encoding, utf8, notes = _decode(name, data)
    spec, delimiter, headers, header_lines = _detect(name, text)
    frame = _read_table(name, text, utf8, spec, delimiter, headers, header_lines)
    det = DetectedFile(
        name=name,
        format=spec.name,
        encoding=encoding,
        rows=len(frame),
        columns=list(frame.columns),
        frame=frame,
        notes=notes,
        delimiter=delimiter,
        size_bytes=len(data),
    )
    try:
        det._part = _CONVERTERS[spec.name](det, _Reader(det, header_lines))
    except ImportProblem:
        raise
    except Exception as exc:  # a safety net: bad input must never crash the caller
        log.exception("converting %s as %s failed", name, spec.name)
        raise _problem(
            "bad_value",
            name,
            f"could not be converted as {spec.name} ({type(exc).__name__}: {exc})",
        ) from exc
    det.mapping = det._part.mapping
    empty = [c for c in frame.columns if frame[c].isna().all()]
    if empty:
        det.notes.append(f"{name}: column(s) empty in every row: {', '.join(empty)}")
    det.notes.extend(det._part.notes)
    return det


# ------------------------------------------------------------------------ value checking ----
class _Reader:
    """Column access by case-insensitive name with type checks that raise ImportProblem."""

    def __init__(self, det: DetectedFile, header_lines: int) -> None:
        self.det = det
        self.frame = det.frame
        self.header_lines = header_lines
        self.lookup = {c.casefold(): c for c in det.frame.columns}

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
        """Raise for the first True of ``mask``."""
        if not mask.any():
            return
        pos = int(np.flatnonzero(mask.to_numpy())[0])
        embedded = 0
        if self.header_lines:
            before = self.frame.iloc[:pos]
            for c in before.columns:
                embedded += int(before[c].str.count("\n").sum())
        line = self.header_lines + pos + 1 + embedded
        raise _problem(
            "bad_value",
            self.det.name,
            f"has {int(mask.sum()):,} bad value(s)",
            column=self.name_of(col),
            row=pos + 1,
            line=line,
            value=values.iloc[pos],
            expected=expected,
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


def _int_text(num: pd.Series) -> pd.Series:
    return num.round().astype("Int64").astype("str")


def _text(s: pd.Series) -> pd.Series:
    """Strip spaces; blank -> NA; str dtype."""
    out = s.astype("str").str.strip()
    return out.where(out != "").astype("str")


def _join_list(s: pd.Series, sep_pattern: str) -> pd.Series:
    """Split each cell on ``sep_pattern`` (regex), strip items, drop empty ones, join by '|'."""
    out = s.astype("str").str.replace(sep_pattern, _LIST_SEP, regex=True)
    out = out.str.replace(r"\s*\|\s*", _LIST_SEP, regex=True)
    out = out.str.replace(r"\|{2,}", _LIST_SEP, regex=True).str.strip().str.strip(_LIST_SEP)
    return out.where(out != "").astype("str")


def _join_columns(frame: pd.DataFrame) -> pd.Series:
    """Row-wise join of the non-missing stripped cells of several columns by '|'."""
    out = pd.Series(pd.NA, index=frame.index, dtype="str")
    for c in frame.columns:
        cell = _text(frame[c])
        out = out.where(cell.isna(), out.fillna("") + _LIST_SEP + cell.fillna(""))
    out = out.astype("str").str.strip(_LIST_SEP)
    return out.where(out != "").astype("str")


def _item(s: pd.Series, i: int) -> pd.Series:
    sep = re.escape(_LIST_SEP)
    found = s.astype("str").str.extract(rf"^(?:[^{sep}]*{sep}){{{i}}}([^{sep}]*)", expand=False)
    return found.astype("str")


def _future_note(name: str, col: str, dates: pd.Series, today: dt.date | None = None) -> list[str]:
    """Note how many parsed dates lie after ``today`` (silver rejects them)."""
    today = today or dt.date.today()
    d = pd.to_datetime(dates, errors="coerce", utc=True).dt.tz_convert(None)
    n = int((d.dt.normalize() > pd.Timestamp(today)).sum())
    if not n:
        return []
    return [
        (
            f"{name}: {n:,} date(s) in column '{col}' lie in the future "
            f"(after {today.isoformat()}); silver will reject them"
        )
    ]


def _dup_note(name: str, col: str, s: pd.Series) -> list[str]:
    dup = s[s.notna() & s.duplicated(keep="first")]
    if dup.empty:
        return []
    return [
        (
            f"{name}: {len(dup):,} duplicate value(s) in id column '{col}' "
            f"(first: {dup.iloc[0]!r}); kept as received, silver keeps the first"
        )
    ]


# ------------------------------------------------------------------------------ titles ----
_ARTICLE_TAIL = re.compile(r"^(?P<body>.+), (?P<art>The|A|An)$", re.IGNORECASE)


_NON_WORD = re.compile(r"[\W_]+")
_LEADING_ARTICLE = re.compile(r"^(?:(?:the|a|an) )+")


def normalize_title(title: Any) -> str:
    """Key for linking titles: casefold, no accents, no punctuation or leading article.

    ``"The Witcher: Blood Origin"`` and ``"Witcher - Blood Origin"`` give the same key;
    ``"Shawshank Redemption, The"`` equals ``"The Shawshank Redemption"``; ``&`` counts as
    ``and``. Returns ``""`` for a missing title.
    """
    if not isinstance(title, str):
        if title is None or title is pd.NA or (isinstance(title, float) and np.isnan(title)):
            return ""
        title = str(title)
    return _normalize(title)


@functools.lru_cache(maxsize=1 << 16)
def _normalize(title: str) -> str:
    s = title.strip()
    m = _ARTICLE_TAIL.match(s)
    if m:
        s = f"{m['art']} {m['body']}"
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s)
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.casefold().replace("&", " and ").replace("'", "").replace("\u2019", "")
    s = _NON_WORD.sub(" ", s).strip()
    return _LEADING_ARTICLE.sub("", s)


def _generated_id(prefix: str, key: str) -> str:
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=4).hexdigest()
    return f"{prefix}-{config.slug(key)[:40] or 'untitled'}-{digest}"


def _kind_of_category(cat: pd.Series) -> pd.Series:
    c = cat.fillna("").str.strip().str.casefold()
    kind = pd.Series(pd.NA, index=cat.index, dtype="str")
    kind = kind.mask(c.str.startswith("film"), "film")
    return kind.mask(c.str.startswith("tv"), "tv")


def _kind_of_content_type(ct: pd.Series) -> pd.Series:
    c = ct.fillna("").str.strip().str.casefold()
    kind = pd.Series(pd.NA, index=ct.index, dtype="str")
    kind = kind.mask(c.isin(["movie", "film"]), "film")
    return kind.mask(c.isin(["tv series", "tv show", "limited series", "tv"]), "tv")


# ------------------------------------------------------------------------ conversions ----
@dataclass
class _Part:
    """One file converted: bronze-shaped frames plus what linking needs."""

    role: str  # "catalog", "imdb", "top10" or "plain"
    tables: dict[str, pd.DataFrame]
    mapping: dict[str, str]
    notes: list[str] = field(default_factory=list)
    keys: pd.DataFrame | None = None  # norm (+ year / kind) aligned with the linked frame
    skipped: bool = False


def _mapping(rd: _Reader, pairs: dict[str, str]) -> dict[str, str]:
    out = {}
    for c in rd.frame.columns:
        out[c] = pairs.get(c.casefold(), _NOT_IMPORTED)
    return out


def _frame(table: str, cols: dict[str, pd.Series], index: pd.Index) -> pd.DataFrame:
    data = {}
    for c in config.BRONZE_TABLES[table]:
        v = cols.get(c)
        data[c] = v.astype("str") if v is not None else pd.Series(pd.NA, index=index, dtype="str")
    return pd.DataFrame(data, index=index)


def _convert_catalog(det: DetectedFile, rd: _Reader) -> _Part:
    name = det.name
    rd.require("show_id", "a show id on every row")
    rd.number("release_year", integer=True)
    notes: list[str] = []
    duration = rd.col("duration").str.strip()
    minutes = duration.str.extract(r"^(\d+)\s*min$", flags=re.IGNORECASE)[0]
    seasons = duration.str.extract(r"^(\d+)\s*seasons?$", flags=re.IGNORECASE)[0]
    rd.fail(
        "duration",
        duration.notna() & (duration != "") & minutes.isna() & seasons.isna(),
        rd.col("duration"),
        "'<n> min' or '<n> Season(s)'",
    )
    rating = _text(rd.col("rating"))
    rating_minutes = rating.str.extract(r"^(\d+)\s*min$", flags=re.IGNORECASE)[0]
    moved = rating_minutes.notna()
    if moved.any():
        minutes = minutes.where(~(moved & minutes.isna()), rating_minutes)
        rating = rating.where(~moved)
        notes.append(
            f"{name}: {int(moved.sum()):,} row(s) held a duration in 'rating' (e.g. "
            f"{rd.col('rating')[moved].iloc[0]!r}): moved to duration_minutes, rating left missing"
        )
    raw_date = rd.col("date_added").str.strip()
    added = pd.to_datetime(raw_date, format="%B %d, %Y", errors="coerce")
    rd.fail(
        "date_added",
        raw_date.notna() & (raw_date != "") & added.isna(),
        rd.col("date_added"),
        "a date like 'September 25, 2021'",
    )
    notes += _future_note(name, rd.name_of("date_added"), added)
    notes += _dup_note(name, rd.name_of("show_id"), rd.col("show_id"))
    genres = _join_list(rd.col("listed_in"), r"\s*,\s*")
    ctype = _text(rd.col("type")).replace({"TV Show": "TV Series"})
    cols = {
        "movie_id": _text(rd.col("show_id")),
        "title": _text(rd.col("title")),
        "content_type": ctype,
        "genre_primary": _item(genres, 0),
        "genre_secondary": _item(genres, 1),
        "genres": genres,
        "release_year": _text(rd.col("release_year")),
        "duration_minutes": minutes,
        "rating": rating,
        "country_of_origin": _join_list(rd.col("country"), r"\s*,\s*"),
        "number_of_seasons": seasons,
        "added_to_platform": added.dt.strftime("%Y-%m-%d"),
        "description": _text(rd.col("description")),
        "director": _join_list(rd.col("director"), r"\s*,\s*"),
        "cast": _join_list(rd.col("cast"), r"\s*,\s*"),
    }
    movies = _frame("movies", cols, det.frame.index)
    mapping = _mapping(
        rd,
        {
            "show_id": "movies.movie_id",
            "type": "movies.content_type",
            "title": "movies.title",
            "director": "movies.director",
            "cast": "movies.cast",
            "country": "movies.country_of_origin",
            "date_added": "movies.added_to_platform",
            "release_year": "movies.release_year",
            "rating": "movies.rating",
            "duration": "movies.duration_minutes, movies.number_of_seasons",
            "listed_in": "movies.genres, movies.genre_primary, movies.genre_secondary",
            "description": "movies.description",
        },
    )
    return _Part("catalog", {"movies": movies}, mapping, notes, keys=_movie_keys(movies))


def _movie_keys(movies: pd.DataFrame) -> pd.DataFrame:
    year = pd.to_numeric(movies["release_year"], errors="coerce")
    return pd.DataFrame(
        {
            "norm": movies["title"].map(normalize_title, na_action=None).astype("str"),
            "year": year.astype("float64"),
            "kind": _kind_of_content_type(movies["content_type"]),
        },
        index=movies.index,
    )


def _check_top10_common(det: DetectedFile, rd: _Reader, rank_col: str) -> list[str]:
    rd.require("show_title", "a show title on every row")
    rd.number(rank_col, integer=True)
    for c in (
        "weekly_hours_viewed",
        "runtime",
        "weekly_views",
        "hours_viewed_first_91_days",
        "views_first_91_days",
    ):
        if rd.has(c):
            rd.number(c)
    notes: list[str] = []
    if rd.has("cumulative_weeks_in_top_10"):
        rd.number("cumulative_weeks_in_top_10", integer=True)
    if rd.has("week"):
        raw = rd.col("week").str.strip()
        week = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
        rd.fail(
            "week", raw.notna() & week.isna(), rd.col("week"), "a date like 2021-07-04 (YYYY-MM-DD)"
        )
        notes += _future_note(det.name, rd.name_of("week"), week)
    return notes


def _convert_top10_weekly(det: DetectedFile, rd: _Reader) -> _Part:
    notes = _check_top10_common(det, rd, "weekly_rank")
    cols = {c: _text(rd.col(c)) for c in config.BRONZE_TABLES["top10_weekly"] if rd.has(c)}
    cols["season_title"] = rd.col("season_title").str.strip()  # "N/A" stays literal
    cols["show_title"] = rd.col("show_title").str.strip()
    weekly = _frame("top10_weekly", cols, det.frame.index)
    pairs = {c: f"top10_weekly.{c}" for c in config.BRONZE_TABLES["top10_weekly"]}
    if det.format == "top10_countries":
        weekly["country_name"] = _text(rd.col("country_name"))
        weekly["country_iso2"] = _text(rd.col("country_iso2"))
        pairs["country_name"] = "top10_weekly.country_name (extra column)"
        pairs["country_iso2"] = "top10_weekly.country_iso2 (extra column)"
        notes.append(
            f"{det.name}: per-country lists; top10_weekly keeps country_name/country_iso2 as "
            "extra columns (global rows have them missing)"
        )
    keys = pd.DataFrame(
        {
            "norm": weekly["show_title"].map(normalize_title).astype("str"),
            "kind": _kind_of_category(weekly["category"]),
            "title": weekly["show_title"],
        },
        index=weekly.index,
    )
    return _Part("top10", {"top10_weekly": weekly}, _mapping(rd, pairs), notes, keys=keys)


def _convert_top10_popular(det: DetectedFile, rd: _Reader) -> _Part:
    notes = _check_top10_common(det, rd, "rank")
    idx = det.frame.index
    titles = _frame("top10_titles", {"in_top10": pd.Series("1", index=idx, dtype="str")}, idx)
    keys = pd.DataFrame(
        {
            "norm": rd.col("show_title").map(normalize_title).astype("str"),
            "kind": _kind_of_category(rd.col("category")),
            "title": rd.col("show_title").str.strip(),
        },
        index=idx,
    )
    notes.append(
        f"{det.name}: all-time most-popular lists: each title -> top10_titles with in_top10=1; "
        "the first-91-days figures are not weekly and are not imported"
    )
    mapping = _mapping(
        rd, {"show_title": "top10_titles.movie_id (linked by title)", "category": "(link kind)"}
    )
    return _Part("top10", {"top10_titles": titles}, mapping, notes, keys=keys)


_HM = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$", re.IGNORECASE)


def _convert_imdb(det: DetectedFile, rd: _Reader) -> _Part:
    name = det.name
    final = det.format == "imdb_top10_final"
    rd.require("movie_name", "a movie name on every row")
    rd.number("rating")
    votes = rd.number("votes", integer=True, strip=",")
    rd.number("meta_score")
    year = rd.number("year", integer=True)
    raw_dur = rd.col("duration").str.strip()
    if final:
        hours = rd.number("duration")
        minutes = (hours * 60).round()
        expected = "hours as a number like 2.300"
    else:
        parts = raw_dur.str.extract(_HM)
        plain = pd.to_numeric(raw_dur, errors="coerce")
        h = pd.to_numeric(parts[0], errors="coerce")
        m = pd.to_numeric(parts[1], errors="coerce")
        minutes = (h.fillna(0) * 60 + m.fillna(0)).where(h.notna() | m.notna())
        minutes = minutes.astype("float64").fillna(plain.astype("float64"))
        expected = "a duration like '2h 18m'"
    rd.fail(
        "duration", raw_dur.notna() & (raw_dur != "") & minutes.isna(), rd.col("duration"), expected
    )
    genre_cols = [c for c in ("genre1", "genre2", "genre3") if rd.has(c)]
    genres = _join_columns(pd.DataFrame({c: rd.col(c) for c in genre_cols}))
    if rd.has("genre0"):
        genres = genres.fillna(_join_list(rd.col("genre0"), r"\s*,\s*"))
    cast_cols = [c for c in ("cast1", "cast2", "cast3", "cast4") if rd.has(c)]
    cast = _join_columns(pd.DataFrame({c: rd.col(c) for c in cast_cols}))
    if rd.has("cast0"):
        cast0 = rd.col("cast0").str.replace("''", "'", regex=False)
        cast = cast.fillna(_join_list(cast0, r"\s*,\s*"))
    title = _text(rd.col("movie_name"))
    norm = title.map(normalize_title).astype("str")
    ids = [
        _generated_id("imdb", f"{n} {'' if np.isnan(y) else int(y)}".strip())
        for n, y in zip(norm, year, strict=True)
    ]
    cols = {
        "movie_id": pd.Series(ids, index=det.frame.index, dtype="str"),
        "title": title,
        "content_type": pd.Series("Movie", index=det.frame.index, dtype="str"),
        "genres": genres,
        "genre_primary": _item(genres, 0),
        "genre_secondary": _item(genres, 1),
        "release_year": _int_text(year),
        "duration_minutes": _int_text(minutes),
        "rating": _text(rd.col("pr_rating")),
        "imdb_rating": _text(rd.col("rating")),
        "imdb_votes": _int_text(votes),
        "meta_score": _text(rd.col("meta_score")),
        "director": _join_list(rd.col("director"), r"\s*,\s*"),
        "cast": cast,
    }
    movies = _frame("movies", cols, det.frame.index)
    tables = {"movies": movies}
    pairs = {
        "movie_name": "movies.title",
        "rating": "movies.imdb_rating",
        "votes": "movies.imdb_votes",
        "meta_score": "movies.meta_score",
        "genre1": "movies.genres, movies.genre_primary",
        "genre2": "movies.genres, movies.genre_secondary",
        "genre3": "movies.genres",
        "genre0": "movies.genres (only when genre1..3 are empty)",
        "pr_rating": "movies.rating",
        "year": "movies.release_year",
        "duration": "movies.duration_minutes",
        "cast1": "movies.cast",
        "cast2": "movies.cast",
        "cast3": "movies.cast",
        "cast4": "movies.cast",
        "cast0": "movies.cast (only when cast1..4 are empty)",
        "director": "movies.director",
    }
    notes: list[str] = []
    dup = pd.Series([f"{t} ({y})" for t, y in zip(title, cols["release_year"], strict=True)])
    notes += _dup_note(name, "movie_name + year", dup)
    if final:
        flag = rd.col("netflix_top_10").str.strip()
        rd.fail(
            "netflix_top_10",
            flag.notna() & ~flag.str.casefold().isin(["0", "1", "true", "false"]),
            rd.col("netflix_top_10"),
            "0 or 1",
        )
        for c in ("weekly_hours_viewed", "weekly_views"):
            if rd.has(c):
                rd.number(c)
        tcols = {
            "movie_id": movies["movie_id"],
            "in_top10": flag.str.casefold().replace({"true": "1", "false": "0"}),
            "weekly_hours_viewed": _text(rd.col("weekly_hours_viewed")),
            "weekly_views": _text(rd.col("weekly_views")),
        }
        tables["top10_titles"] = _frame("top10_titles", tcols, det.frame.index)
        pairs.update(
            {
                "netflix_top_10": "top10_titles.in_top10",
                "weekly_hours_viewed": "top10_titles.weekly_hours_viewed",
                "weekly_views": "top10_titles.weekly_views",
            }
        )
    keys = pd.DataFrame({"norm": norm, "year": year}, index=det.frame.index)
    return _Part("imdb", tables, _mapping(rd, pairs), notes, keys=keys)


def _epoch_iso(rd: _Reader, col: str) -> tuple[pd.Series, pd.Series]:
    """ISO UTC text of a column of epoch seconds, and the checked seconds."""
    secs = rd.number(col, integer=True)
    rd.fail(
        col,
        secs.notna() & ~secs.between(-(2**31), 32_503_680_000),
        rd.col(col),
        "epoch seconds (a whole number between 1901 and 3000)",
    )
    stamps = pa.array(secs.to_numpy(), mask=secs.isna().to_numpy()).cast(pa.int64())
    iso = pc.replace_substring(pc.cast(stamps.cast(pa.timestamp("s")), pa.string()), " ", "T")
    return pd.Series(iso.to_pandas(), index=secs.index).astype("str"), secs


def _convert_ratings(det: DetectedFile, rd: _Reader) -> _Part:
    if det.format == "movielens_ratings":
        user, item, ts = "userId", "movieId", "timestamp"
    else:
        user, item, ts = "user id", "item id", "timestamp"
    rd.require(user, "a user id on every row")
    rd.require(item, "a movie id on every row")
    rd.require("rating", "a rating on every row")
    rd.number("rating")
    rated_at, secs = _epoch_iso(rd, ts)
    now = dt.datetime.now(dt.UTC)
    n_future = int((secs > now.timestamp()).sum())
    notes = []
    if n_future:
        notes.append(
            f"{det.name}: {n_future:,} timestamp(s) in column '{rd.name_of(ts)}' lie in the "
            f"future (after {now:%Y-%m-%d %H:%M} UTC); silver will reject them"
        )
    cols = {
        "user_id": rd.col(user).str.strip(),
        "movie_id": rd.col(item).str.strip(),
        "rating": rd.col("rating").str.strip(),
        "rated_at": rated_at,
    }
    ratings = _frame("ratings", cols, det.frame.index)
    mapping = _mapping(
        rd,
        {
            user.casefold(): "ratings.user_id",
            item.casefold(): "ratings.movie_id",
            "rating": "ratings.rating",
            ts.casefold(): "ratings.rated_at (epoch seconds -> ISO UTC)",
        },
    )
    return _Part("plain", {"ratings": ratings}, mapping, notes)


_YEAR_IN_TITLE = re.compile(r"^(?P<title>.*?)\s*\((?P<year>\d{4})(?:[-\u2013]\d{0,4})?\)\s*$")


def _split_title_year(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    s = raw.str.strip()
    parts = s.str.extract(_YEAR_IN_TITLE)
    title = parts["title"].astype("str").fillna(s)
    title = title.str.replace(
        r"^(?P<body>.+), (?P<art>The|A|An)$", lambda m: f"{m['art']} {m['body']}", regex=True
    )
    return _text(title), parts["year"].astype("str")


def _convert_ml_movies(det: DetectedFile, rd: _Reader) -> _Part:
    idx = det.frame.index
    if det.format == "movielens_movies":
        id_col, title_col = "movieId", "title"
        rd.require(id_col, "a movie id on every row")
        title, year = _split_title_year(rd.col(title_col))
        g = _text(rd.col("genres"))
        genres = _join_list(g.where(g.str.casefold() != "(no genres listed)"), r"\s*\|\s*")
        pairs = {
            "movieid": "movies.movie_id",
            "title": "movies.title, movies.release_year",
            "genres": "movies.genres, movies.genre_primary, movies.genre_secondary",
        }
    else:
        id_col, title_col = "movie id", "movie title"
        rd.require(id_col, "a movie id on every row")
        title, year = _split_title_year(rd.col(title_col))
        released = pd.to_datetime(rd.col("release date"), format="%d-%b-%Y", errors="coerce")
        year = year.fillna(released.dt.year.astype("Int64").astype("str"))
        flags = pd.DataFrame(
            {g: rd.col(g).str.strip() == "1" for g in _ML100K_GENRES if g != "unknown"}
        )
        genres = pd.Series(pd.NA, index=idx, dtype="str")
        for g in flags.columns:
            genres = genres.where(
                ~flags[g], genres.fillna("").where(genres.isna(), genres + _LIST_SEP) + g
            )
        pairs = {
            "movie id": "movies.movie_id",
            "movie title": "movies.title, movies.release_year",
            "release date": "movies.release_year (when the title has no year)",
        }
        pairs.update({g.casefold(): "movies.genres" for g in _ML100K_GENRES if g != "unknown"})
    cols = {
        "movie_id": rd.col(id_col).str.strip(),
        "title": title,
        "content_type": pd.Series("Movie", index=idx, dtype="str"),
        "genres": genres,
        "genre_primary": _item(genres, 0),
        "genre_secondary": _item(genres, 1),
        "release_year": year,
    }
    movies = _frame("movies", cols, idx)
    notes = _dup_note(det.name, id_col, movies["movie_id"])
    return _Part("catalog", {"movies": movies}, _mapping(rd, pairs), notes, _movie_keys(movies))


def _convert_ml_users(det: DetectedFile, rd: _Reader) -> _Part:
    rd.require("user id", "a user id on every row")
    rd.number("age", integer=True)
    gender = rd.col("gender").str.strip().str.upper().replace({"M": "Male", "F": "Female"})
    cols = {
        "user_id": rd.col("user id").str.strip(),
        "age": rd.col("age").str.strip(),
        "gender": gender,
    }
    users = _frame("users", cols, det.frame.index)
    mapping = _mapping(
        rd, {"user id": "users.user_id", "age": "users.age", "gender": "users.gender (M/F)"}
    )
    return _Part("plain", {"users": users}, mapping, _dup_note(det.name, "user id", users.user_id))


def _convert_engagement(det: DetectedFile, rd: _Reader) -> _Part:
    table = det.format.removeprefix("engagement_")
    canonical = config.BRONZE_TABLES[table]
    frame = det.frame
    cols = {c: rd.col(c) for c in canonical if rd.has(c)}
    out = _frame(table, cols, frame.index)
    extras = [c for c in frame.columns if c.casefold() not in {k.casefold() for k in canonical}]
    for c in extras:
        out[c] = frame[c]
    pairs = {c.casefold(): f"{table}.{c}" for c in canonical}
    mapping = _mapping(rd, pairs)
    for c in extras:
        mapping[c] = f"{table}.{c} (extra column, kept in bronze)"
    notes: list[str] = []
    for key in _ENGAGEMENT_KEYS[table]:
        if rd.has(key):
            notes += _dup_note(det.name, rd.name_of(key), rd.col(key))
    for c in _ENGAGEMENT_DATES[table]:
        if rd.has(c):
            parsed = pd.to_datetime(
                rd.col(c).str.strip(), format="ISO8601", errors="coerce", utc=True
            )
            notes += _future_note(det.name, rd.name_of(c), parsed)
    part = _Part("catalog" if table == "movies" else "plain", {table: out}, mapping, notes)
    if table == "movies":
        part.keys = _movie_keys(out)
    return part


_CONVERTERS = {
    "netflix_catalog": _convert_catalog,
    "top10_global": _convert_top10_weekly,
    "top10_global_legacy": _convert_top10_weekly,
    "top10_countries": _convert_top10_weekly,
    "top10_most_popular": _convert_top10_popular,
    "imdb_movies": _convert_imdb,
    "imdb_top10_final": _convert_imdb,
    "movielens_ratings": _convert_ratings,
    "movielens_100k_data": _convert_ratings,
    "movielens_movies": _convert_ml_movies,
    "movielens_100k_item": _convert_ml_movies,
    "movielens_100k_user": _convert_ml_users,
    **{f"engagement_{t}": _convert_engagement for t in _ENGAGEMENT_KEYS},
}


# ------------------------------------------------------------------------------ linking ----
class _TitleIndex:
    """Normalised title -> candidate movies (id, year, kind) of the import so far."""

    def __init__(self) -> None:
        self.by_norm: dict[str, list[tuple[str, float | None, str | None]]] = {}
        self.sources: list[str] = []
        self.size = 0

    def add(self, ids: Iterable[Any], keys: pd.DataFrame, source: str) -> None:
        years = keys["year"] if "year" in keys else pd.Series(np.nan, index=keys.index)
        kinds = keys["kind"] if "kind" in keys else pd.Series(pd.NA, index=keys.index)
        added = 0
        for mid, norm, year, kind in zip(ids, keys["norm"], years, kinds, strict=True):
            if not isinstance(mid, str) or not isinstance(norm, str) or not norm:
                continue
            y = None if pd.isna(year) else float(year)
            k = None if pd.isna(kind) else str(kind)
            self.by_norm.setdefault(norm, []).append((mid, y, k))
            added += 1
        if added and source not in self.sources:
            self.sources.append(source)
        self.size += added

    def label(self) -> str:
        return " + ".join(self.sources) if self.sources else "(nothing)"

    def match(
        self, norm: str, *, year: float | None = None, kind: str | None = None
    ) -> tuple[str | None, str]:
        """Return (movie_id, "matched") or (None, "ambiguous" / "unmatched")."""
        found = self.by_norm.get(norm) if norm else None
        if not found:
            return None, "unmatched"
        unique: dict[str, tuple[str, float | None, str | None]] = {}
        for cand in found:
            if kind is None or cand[2] is None or cand[2] == kind:
                unique.setdefault(cand[0], cand)
        cands = list(unique.values())
        if not cands:
            return None, "unmatched"
        if year is None:
            return (cands[0][0], "matched") if len(cands) == 1 else (None, "ambiguous")
        dated = [c for c in cands if c[1] is not None]
        for tolerance in (0, 1):
            close = [c for c in dated if abs(c[1] - year) <= tolerance]  # type: ignore[operator]
            if len(close) == 1:
                return close[0][0], "matched"
            if len(close) > 1:
                return None, "ambiguous"
        undated = [c for c in cands if c[1] is None]
        if len(undated) == 1 and not dated:
            return undated[0][0], "matched"
        return (None, "ambiguous") if len(undated) > 1 and not dated else (None, "unmatched")


def _report(
    name: str, what: str, statuses: list[str], titles: list[str], target: str, rows: dict
) -> dict[str, Any]:
    total = len(statuses)
    matched = statuses.count("matched")
    ambiguous = statuses.count("ambiguous")
    rate = matched / total if total else 0.0
    message = (
        f"{name}: {matched:,} of {total:,} {what} matched to {target} ({rate:.1%}); "
        f"{ambiguous:,} ambiguous match{'es' if ambiguous != 1 else ''} not guessed"
    )
    examples = [t for t, s in zip(titles, statuses, strict=True) if s == "ambiguous"][:5]
    return {
        "what": what,
        "target": target,
        "titles": total,
        "matched": matched,
        "ambiguous": ambiguous,
        "unmatched": total - matched - ambiguous,
        "match_rate": rate,
        "ambiguous_examples": examples,
        **rows,
        "message": message,
    }


_GENRE_BLOCK = ("genres", "genre_primary", "genre_secondary")


def _fill_movies(movies: pd.DataFrame, fill: pd.DataFrame) -> pd.DataFrame:
    """Fill missing cells of ``movies`` rows from ``fill`` rows with the same movie_id.

    The genre columns are filled together (only where the row has no genres at all) so that
    one row never mixes two sources' genre vocabularies.
    """
    fill = fill.drop_duplicates("movie_id").set_index("movie_id")
    aligned = fill.reindex(movies["movie_id"].to_numpy()).set_axis(movies.index)
    no_genres = movies["genres"].isna() & movies["genre_primary"].isna()
    out = {}
    for c in fill.columns:
        if c not in movies.columns or c == "title":
            continue
        take = no_genres if c in _GENRE_BLOCK else movies[c].isna()
        out[c] = movies[c].where(~take, aligned[c])
    return movies.assign(**out)


def _finish_table(table: str, frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    canonical = list(config.BRONZE_TABLES[table])
    extras: list[str] = []
    for f in frames:
        extras += [c for c in f.columns if c not in canonical and c not in extras]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in canonical})
    out = pd.concat(frames, ignore_index=True)
    return out.reindex(columns=canonical + extras).astype("str")


def _skip_subset_ratings(parts: list[tuple[DetectedFile, _Part]], notes: list[str]) -> None:
    """Skip a ratings file whose rows all appear in another one (e.g. MovieLens u1.base)."""
    rated = [(d, p) for d, p in parts if "ratings" in p.tables]
    if len(rated) < 2:
        return
    rated.sort(key=lambda dp: -len(dp[1].tables["ratings"]))
    hashes = {
        id(p): pd.util.hash_pandas_object(p.tables["ratings"], index=False).to_numpy()
        for _, p in rated
    }
    for i, (d, p) in enumerate(rated):
        for d2, p2 in rated[:i]:
            if not p2.skipped and np.isin(hashes[id(p)], hashes[id(p2)]).all():
                p.skipped = True
                notes.append(
                    f"{d.name}: all {len(p.tables['ratings']):,} ratings also appear in "
                    f"{d2.name}; skipped so they are not counted twice"
                )
                break


def _assemble(dets: list[DetectedFile], source: str, notes: list[str]) -> ImportResult:
    notes = list(notes)
    for d in dets:
        notes.extend(d.notes)
    parts = [(d, d._part) for d in dets if d._part is not None]
    _skip_subset_ratings(parts, notes)
    parts = [(d, p) for d, p in parts if not p.skipped]
    frames: dict[str, list[pd.DataFrame]] = {t: [] for t in config.BRONZE_TABLES}
    join_report: dict[str, dict[str, Any]] = {}
    index = _TitleIndex()

    catalogs = [(d, p) for d, p in parts if p.role == "catalog"]
    n_netflix = sum(d.format == "netflix_catalog" for d, _ in catalogs)
    movie_frames: list[pd.DataFrame] = []
    for d, p in catalogs:
        m = p.tables["movies"]
        if d.format == "netflix_catalog" and n_netflix > 1:
            prefix = config.slug(PurePosixPath(d.name).stem) or "catalog"
            m = m.assign(movie_id=prefix + ":" + m["movie_id"])
            notes.append(
                f"{d.name}: several catalogs in one import; its ids are prefixed '{prefix}:'"
            )
        movie_frames.append(m)
        index.add(m["movie_id"], p.keys, d.name)
    movies = _finish_table("movies", movie_frames)

    imdb = sorted(
        [(d, p) for d, p in parts if p.role == "imdb"], key=lambda dp: dp[0].format != "imdb_movies"
    )
    for d, p in imdb:
        m, keys = p.tables["movies"], p.keys
        had_targets, target = index.size > 0, index.label()
        ids = m["movie_id"].to_numpy(dtype=object).copy()
        statuses = []
        for i, (norm, year) in enumerate(zip(keys["norm"], keys["year"], strict=True)):
            mid, status = index.match(norm, year=None if pd.isna(year) else year, kind="film")
            statuses.append(status)
            if mid is not None:
                ids[i] = mid
        matched = np.array([s == "matched" for s in statuses], dtype=bool)
        if matched.any():
            movies = _fill_movies(movies, m[matched].assign(movie_id=ids[matched]))
        new = m[~matched]
        movies = _finish_table("movies", [movies, new])
        index.add(new["movie_id"], keys[~matched], d.name)
        if had_targets:
            join_report[d.name] = _report(
                d.name, "IMDb titles", statuses, list(m["title"]), target, {}
            )
            notes.append(join_report[d.name]["message"])
        if "top10_titles" in p.tables:
            t = p.tables["top10_titles"]
            frames["top10_titles"].append(t.assign(movie_id=pd.Series(ids, index=t.index)))

    has_catalog = bool(catalogs)
    had_targets, target = index.size > 0, index.label()
    minimal: dict[str, tuple[str, str | None]] = {}
    for d, p in [(d, p) for d, p in parts if p.role == "top10"]:
        table = "top10_weekly" if "top10_weekly" in p.tables else "top10_titles"
        keys = p.keys
        kinds = [None if pd.isna(k) else str(k) for k in keys["kind"]]
        idmap: dict[tuple[str, str | None], str] = {}
        statuses, titles = [], []
        for norm, kind, title in zip(keys["norm"], kinds, keys["title"], strict=True):
            if (norm, kind) in idmap:
                continue
            mid, status = index.match(norm, kind=kind) if had_targets else (None, "unmatched")
            if mid is None:
                mid = _generated_id("top10", f"{norm} {kind or ''}".strip())
                if not has_catalog:
                    minimal.setdefault(mid, (title, kind))
            idmap[(norm, kind)] = mid
            statuses.append(status)
            titles.append(title)
        ids = [idmap[(n, k)] for n, k in zip(keys["norm"], kinds, strict=True)]
        t = p.tables[table]
        frames[table].append(t.assign(movie_id=pd.Series(ids, index=t.index, dtype="str")))
        if had_targets:
            linked = {k for k, s in zip(idmap, statuses, strict=True) if s == "matched"}
            rows_matched = sum((n, k) in linked for n, k in zip(keys["norm"], kinds, strict=True))
            what = "Top 10 titles"
            join_report[d.name] = _report(
                d.name,
                what,
                statuses,
                titles,
                target,
                {"rows": len(t), "rows_matched": rows_matched},
            )
            notes.append(join_report[d.name]["message"])
    if minimal:
        ctype = {"film": "Movie", "tv": "TV Series"}
        rows = pd.DataFrame(
            {
                "movie_id": list(minimal),
                "title": [t for t, _ in minimal.values()],
                "content_type": [ctype.get(k or "") for _, k in minimal.values()],
            }
        )
        movies = _finish_table("movies", [movies, rows])
        notes.append(
            f"no catalog in this import: {len(rows):,} minimal movies rows created from the "
            "Top 10 titles (id, title, content type)"
        )

    for _, p in parts:
        if p.role == "plain":
            for table, f in p.tables.items():
                frames[table].append(f)
    tables: dict[str, pd.DataFrame] = {}
    if len(movies):
        tables["movies"] = movies
    for table, fs in frames.items():
        if table != "movies" and any(len(f) for f in fs):
            tables[table] = _finish_table(table, fs)

    if len(movie_frames) + len(imdb) > 1 and "movies" in tables:
        notes += _dup_note("movies (whole import)", "movie_id", tables["movies"]["movie_id"])
    if "top10_weekly" in tables:
        w = tables["top10_weekly"]
        key = ["week", "category", "weekly_rank"] + (
            ["country_iso2"] if "country_iso2" in w else []
        )
        n = int(w.duplicated(key).sum())
        if n:
            notes.append(
                f"top10_weekly: {n:,} row(s) repeat a (week, list, rank) already present, e.g. "
                "from an older and a newer Top 10 file; kept as received, silver dedupes"
            )
    return ImportResult(
        tables=tables,
        files=dets,
        mappings={d.name: d.mapping for d in dets},
        notes=notes,
        join_report=join_report,
        source=source,
    )


# ---------------------------------------------------------------------- files and zips ----
def _too_big(name: str, size: int, limit: int = MAX_UPLOAD_BYTES) -> ImportProblem:
    return _problem(
        "too_large",
        name,
        f"is {size / 1024**2:,.1f} MiB, over the size limit",
        expected=f"at most {limit // 1024**2:,} MiB",
    )


def _unzip(name: str, data: bytes, notes: list[str], skip_unknown: bool) -> list[tuple[str, bytes]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _problem("unsafe_archive", name, f"is not a readable zip archive ({exc})") from exc
    members = []
    for info in infos:
        member = info.filename
        parts = [p for p in re.split(r"[\\/]+", member) if p]
        if "\x00" in member or member.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", member):
            raise _problem(
                "unsafe_archive", name, f"contains a file with an absolute path: {member!r}"
            )
        if ".." in parts:
            raise _problem(
                "unsafe_archive",
                name,
                f"contains a path that leaves the archive ('..'): {member!r}",
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise _problem("unsafe_archive", name, f"contains a symbolic link: {member!r}")
        if info.is_dir():
            continue
        if member == "[Content_Types].xml":
            raise _problem(
                "not_text",
                name,
                "is an Excel/Office document, not a zip of CSV files",
                expected="CSV files",
            )
        base = parts[-1] if parts else member
        if parts and (parts[0] == "__MACOSX" or base.startswith("._") or base == ".DS_Store"):
            notes.append(f"{name}: skipped macOS metadata file {member!r}")
            continue
        if info.flag_bits & 0x1:
            raise _problem("unsafe_archive", name, f"contains an encrypted file: {member!r}")
        if PurePosixPath(base).suffix.lower() not in DATA_EXTENSIONS:
            if skip_unknown:
                notes.append(f"{name}: skipped {member!r} (not a data file extension)")
                continue
            raise _problem(
                "unsafe_archive",
                name,
                f"contains an unexpected file {member!r}",
                expected="only text data files ending in " + ", ".join(DATA_EXTENSIONS),
            )
        members.append(info)
    if len(members) > MAX_ZIP_MEMBERS:
        raise _problem(
            "too_large",
            name,
            f"contains {len(members):,} files",
            expected=f"at most {MAX_ZIP_MEMBERS} files per archive",
        )
    if not members:
        raise _problem("empty", name, "contains no data files", expected="CSV/TSV files")
    declared = sum(i.file_size for i in members)
    if declared > MAX_UNZIPPED_BYTES:
        raise _too_big(name + " (unpacked)", declared, MAX_UNZIPPED_BYTES)
    out = []
    total = 0
    for info in members:
        member_name = f"{name}/{info.filename}"
        if info.file_size > MAX_UPLOAD_BYTES:
            raise _too_big(member_name, info.file_size)
        try:
            with zf.open(info) as fh:
                content = fh.read(MAX_UPLOAD_BYTES + 1)
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError) as exc:
            raise _problem("unsafe_archive", member_name, f"could not be unpacked ({exc})") from exc
        if len(content) > MAX_UPLOAD_BYTES:
            raise _too_big(member_name, len(content))
        total += len(content)
        if total > MAX_UNZIPPED_BYTES:
            raise _too_big(name + " (unpacked)", total, MAX_UNZIPPED_BYTES)
        out.append((member_name, content))
    return out


def read_upload(
    name: str, data: bytes, *, notes: list[str] | None = None, skip_unknown: bool = False
) -> list[tuple[str, bytes]]:
    """Unpack one uploaded file into ``(name, bytes)`` text files.

    A zip archive (recognised by its signature, not its name) is validated - no absolute paths,
    no '..', no symbolic links, no encrypted members, at most ``MAX_ZIP_MEMBERS`` files, only
    ``DATA_EXTENSIONS``, unpacked size within limits - and expanded in memory; members are named
    ``"<archive>/<member path>"``. Anything else is returned unchanged. Notes about skipped
    members are appended to ``notes``; ``skip_unknown`` skips (with a note) members with other
    extensions instead of raising.

    Raises
    ------
    ImportProblem
        Upload over ``MAX_UPLOAD_BYTES``, unreadable or unsafe archive.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise _too_big(name, len(data))
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _unzip(name, data, notes if notes is not None else [], skip_unknown)
    return [(name, data)]


_SKIPPABLE = frozenset({"unknown_format", "empty", "not_text"})


def load_files(
    files: Sequence[tuple[str, bytes]], *, skip_unknown: bool = False, source: str = ""
) -> ImportResult:
    """Import several files (zip archives allowed) as one dataset.

    Parameters
    ----------
    files : sequence of (name, bytes)
        Names are only used in messages and reports.
    skip_unknown : bool, default False
        Skip (with a note) files whose format is not recognised, that are empty or are not text,
        and zip members with other extensions, instead of raising. Everything else still raises.
    source : str
        Label stored in ``ImportResult.source``.

    Returns
    -------
    ImportResult
        ``join_report`` has one entry per linked file: ``what, target, titles, matched,
        ambiguous, unmatched, match_rate, ambiguous_examples, message`` (Top 10 files also
        ``rows, rows_matched``).

    Raises
    ------
    ImportProblem
        On any bad input; nothing is partially imported.
    """
    notes: list[str] = []
    expanded: list[tuple[str, bytes]] = []
    for name, data in files:
        expanded += read_upload(name, data, notes=notes, skip_unknown=skip_unknown)
    total = sum(len(d) for _, d in expanded)
    if total > MAX_UNZIPPED_BYTES:
        raise _too_big("this import", total, MAX_UNZIPPED_BYTES)
    seen: dict[str, int] = {}
    dets = []
    for name, data in expanded:
        seen[name] = seen.get(name, 0) + 1
        shown = name if seen[name] == 1 else f"{name} ({seen[name]})"
        try:
            dets.append(sniff(shown, data))
        except ImportProblem as exc:
            if skip_unknown and exc.kind in _SKIPPABLE:
                notes.append(f"skipped: {exc}")
                continue
            raise
    if not dets:
        raise ImportProblem(
            "nothing to import: no file with a recognised format",
            kind="unknown_format",
            expected="one of the formats " + ", ".join(FORMATS),
        )
    started = dt.datetime.now()
    result = _assemble(dets, source or ", ".join(d.name for d in dets), notes)
    log.info(
        "imported %d file(s) in %.2fs (assembly)",
        len(dets),
        (dt.datetime.now() - started).total_seconds(),
    )
    return result


def load_source(path: str | Path, *, skip_unknown: bool = False) -> ImportResult:
    """Import a file, a folder (recursively; regular files only) or a zip archive on disk.

    In a folder, hidden files, symbolic links and files without a ``DATA_EXTENSIONS`` ending
    are skipped with a note; zip archives are validated as in :func:`read_upload`.

    Raises
    ------
    ImportProblem
        Missing path, or any bad input (see :func:`load_files`).
    """
    root = Path(path)
    if not root.exists():
        raise _problem("empty", str(root), "does not exist", expected="a file, a folder or a .zip")
    notes: list[str] = []
    files: list[tuple[str, bytes]] = []
    if root.is_dir():
        for folder, dirs, names in os.walk(root, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for fname in sorted(names):
                f = Path(folder) / fname
                rel = f.relative_to(root).as_posix()
                if fname.startswith("."):
                    notes.append(f"{rel}: skipped hidden file")
                elif f.is_symlink():
                    notes.append(f"{rel}: skipped symbolic link")
                elif not f.is_file():
                    notes.append(f"{rel}: skipped (not a regular file)")
                elif f.suffix.lower() not in DATA_EXTENSIONS:
                    notes.append(f"{rel}: skipped (not a data file extension)")
                else:
                    size = f.stat().st_size
                    if size > MAX_UPLOAD_BYTES:
                        raise _too_big(rel, size)
                    files.append((rel, f.read_bytes()))
        if not files:
            raise _problem("empty", str(root), "holds no data files", expected="CSV/TSV files")
    else:
        size = root.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            raise _too_big(root.name, size)
        files.append((root.name, root.read_bytes()))
    result = load_files(files, skip_unknown=skip_unknown, source=str(root))
    result.notes[:0] = notes
    return result
