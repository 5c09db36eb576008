"""Netflix Top 10 files: the global and per-country weekly lists and the all-time lists.

``top10_global``, ``top10_global_legacy`` (11 columns, often cp1252), ``top10_countries``
-> ``top10_weekly`` (the countries file keeps ``country_name`` and ``country_iso2``; rows
without them are global lists). ``season_title`` "N/A" is kept literally.
``top10_most_popular`` -> ``top10_titles`` (in_top10 = "1"; its 91-day figures are not weekly
and are not imported). Titles are linked to the catalog by name and film/TV kind; titles no
catalog row matches keep an id generated from their name (``top10-...``).
"""

from __future__ import annotations

import pandas as pd

from lib import config
from lib.data.importers import values as v
from lib.data.importers.base import DetectedFile, Format, Part
from lib.data.importers.titles import kind_of_category, normalize_title

__all__ = ["FORMATS"]

_NUMBERS = (
    "weekly_hours_viewed",
    "runtime",
    "weekly_views",
    "hours_viewed_first_91_days",
    "views_first_91_days",
)

_WEEKLY_KEYS = ("week", "category", "weekly_rank", "show_title")
"""Columns a weekly Top 10 row means nothing without (a film list may leave seasons empty)."""
_GLOBAL = (
    "week",
    "category",
    "weekly_rank",
    "show_title",
    "season_title",
    "weekly_hours_viewed",
    "cumulative_weeks_in_top_10",
)
"""Columns of the global weekly Top 10 (the older file has ``is_staggered_launch`` too)."""


def _check_common(det: DetectedFile, rd: v.Reader, rank_col: str) -> list[str]:
    rd.require("show_title", "a show title on every row")
    rd.number(rank_col, integer=True)
    for c in _NUMBERS:
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
        notes += v.future_note(det.name, rd.name_of("week"), week, canonical="week")
    return notes


def _keys(titles: pd.Series, categories: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "norm": titles.map(normalize_title).astype("str"),
            "kind": kind_of_category(categories),
            "title": titles,
        },
        index=titles.index,
    )


def convert_weekly(det: DetectedFile, rd: v.Reader) -> Part:
    notes = _check_common(det, rd, "weekly_rank")
    cols = {c: v.text(rd.col(c)) for c in config.BRONZE_TABLES["top10_weekly"] if rd.has(c)}
    cols["season_title"] = rd.col("season_title").str.strip()  # "N/A" stays literal
    cols["show_title"] = rd.col("show_title").str.strip()
    weekly = v.frame("top10_weekly", cols, det.frame.index)
    pairs = {c: f"top10_weekly.{c}" for c in config.BRONZE_TABLES["top10_weekly"]}
    if det.format == "top10_countries":
        pairs["country_name"] = "top10_weekly.country_name"
        pairs["country_iso2"] = "top10_weekly.country_iso2"
        notes.append(
            f"{det.name}: per-country lists; top10_weekly keeps country_name/country_iso2 "
            "(global rows have them missing)"
        )
    keys = _keys(weekly["show_title"], weekly["category"])
    return Part("top10", {"top10_weekly": weekly}, v.mapping(rd, pairs), notes, keys=keys)


def convert_popular(det: DetectedFile, rd: v.Reader) -> Part:
    notes = _check_common(det, rd, "rank")
    idx = det.frame.index
    titles = v.frame("top10_titles", {"in_top10": pd.Series("1", index=idx, dtype="str")}, idx)
    keys = _keys(rd.col("show_title").str.strip(), rd.col("category"))
    notes.append(
        f"{det.name}: all-time most-popular lists: each title -> top10_titles with in_top10=1; "
        "the first-91-days figures are not weekly and are not imported"
    )
    mapping = v.mapping(
        rd, {"show_title": "top10_titles.movie_id (linked by title)", "category": "(link kind)"}
    )
    return Part("top10", {"top10_titles": titles}, mapping, notes, keys=keys)


FORMATS = (
    Format(
        "top10_global",
        "Netflix global weekly Top 10 (all-weeks-global.tsv)",
        convert_weekly,
        required=_GLOBAL,
        optional=("runtime", "weekly_views"),
        nonempty=_WEEKLY_KEYS,
    ),
    Format(
        "top10_global_legacy",
        "older 11-column Netflix global weekly Top 10 (with is_staggered_launch)",
        convert_weekly,
        required=(*_GLOBAL, "is_staggered_launch"),
        optional=("runtime", "weekly_views", "episode_launch_details"),
        nonempty=_WEEKLY_KEYS,
    ),
    Format(
        "top10_countries",
        "Netflix weekly Top 10 per country (all-weeks-countries.tsv)",
        convert_weekly,
        required=(
            "week",
            "country_name",
            "country_iso2",
            "category",
            "weekly_rank",
            "show_title",
            "season_title",
            "cumulative_weeks_in_top_10",
        ),
        nonempty=_WEEKLY_KEYS,
    ),
    Format(
        "top10_most_popular",
        "Netflix all-time most popular lists (most-popular.tsv)",
        convert_popular,
        required=("category", "rank", "show_title", "season_title", "hours_viewed_first_91_days"),
        optional=("runtime", "views_first_91_days"),
        nonempty=("category", "rank", "show_title"),
    ),
)
