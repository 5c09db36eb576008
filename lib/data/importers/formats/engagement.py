"""The six-table engagement export of seed 004 (users, movies, watch_history, ...).

Each CSV -> the same-named bronze table, values as received; extra columns are kept after
the canonical ones.
"""

from __future__ import annotations

import pandas as pd

from lib import config
from lib.data.importers import values as v
from lib.data.importers.base import DetectedFile, Format, Part
from lib.data.importers.titles import movie_keys

__all__ = ["FORMATS", "KEYS"]


def convert(det: DetectedFile, rd: v.Reader) -> Part:
    table = det.format.removeprefix("engagement_")
    canonical = config.BRONZE_TABLES[table]
    frame = det.frame
    cols = {c: rd.col(c) for c in canonical if rd.has(c)}
    out = v.frame(table, cols, frame.index)
    known = {k.casefold() for k in canonical}
    extras = [c for c in frame.columns if c.casefold() not in known]
    for c in extras:
        out[c] = frame[c]
    mapping = v.mapping(rd, {c.casefold(): f"{table}.{c}" for c in canonical})
    for c in extras:
        mapping[c] = f"{table}.{c} (extra column, kept in bronze)"
    notes: list[str] = []
    for key in config.BRONZE_KEYS[table] or ():
        if rd.has(key):
            notes += v.dup_note(det.name, rd.name_of(key), rd.col(key))
    for c in config.BRONZE_DATE_COLUMNS[table]:
        if rd.has(c):
            parsed = pd.to_datetime(
                rd.col(c).str.strip(), format="ISO8601", errors="coerce", utc=True
            )
            notes += v.future_note(det.name, rd.name_of(c), parsed, canonical=c)
    if table == "movies" and rd.has("release_year"):
        notes += v.release_year_note(det.name, rd.name_of("release_year"), rd.col("release_year"))
    if table == "movies":
        return Part("catalog", {table: out}, mapping, notes, keys=movie_keys(out))
    return Part("plain", {table: out}, mapping, notes)


def _format(table: str, required: tuple[str, ...], what: str) -> Format:
    cols = config.BRONZE_TABLES[table]
    return Format(
        f"engagement_{table}",
        f"seed-004 engagement export: {what} ({table}.csv)",
        convert,
        required=required,
        optional=tuple(c for c in cols if c not in required),
    )


FORMATS = (
    _format("users", ("user_id", "email", "subscription_plan"), "subscribers"),
    _format("movies", ("movie_id", "title", "content_type", "genre_primary"), "titles"),
    _format(
        "watch_history", ("session_id", "user_id", "movie_id", "watch_date"), "viewing sessions"
    ),
    _format(
        "recommendation_logs",
        ("recommendation_id", "user_id", "movie_id", "recommendation_date"),
        "recommendation impressions",
    ),
    _format("search_logs", ("search_id", "user_id", "search_query", "search_date"), "searches"),
    _format("reviews", ("review_id", "user_id", "movie_id", "rating", "review_date"), "reviews"),
)
# primary keys of the six tables (one definition, lib.config.BRONZE_KEYS, shared with bronze)
_TABLES = [f.name.removeprefix("engagement_") for f in FORMATS]
KEYS = {t: config.BRONZE_KEYS[t] for t in _TABLES}
