"""IMDb-style movie tables: ``imdb_movie_data_2023_v2.csv`` and ``final_data.csv`` shapes.

-> ``movies`` (imdb_rating, imdb_votes, meta_score, genres from genre1..3, rating from
pr_rating, release_year, duration_minutes, cast from cast1..4, director);
``imdb_top10_final`` also -> ``top10_titles``. Rows are linked to the catalog of the same
import by title and release year (+-1); a linked row fills only the missing cells of the
catalog row, an unlinked one is added as a movie of its own.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lib.data.importers import values as v
from lib.data.importers.base import DetectedFile, Format, Part
from lib.data.importers.titles import generated_id, normalize_title

__all__ = ["FORMATS"]

_HM = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$", re.IGNORECASE)
_PAIRS = {
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


def _minutes(rd: v.Reader, final: bool) -> pd.Series:
    raw_dur = rd.col("duration").str.strip()
    if final:
        minutes = (rd.number("duration") * 60).round()
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
    return minutes


def _lists(rd: v.Reader) -> tuple[pd.Series, pd.Series]:
    genre_cols = [c for c in ("genre1", "genre2", "genre3") if rd.has(c)]
    genres = v.join_columns(pd.DataFrame({c: rd.col(c) for c in genre_cols}))
    if rd.has("genre0"):
        genres = genres.fillna(v.join_list(rd.col("genre0"), r"\s*,\s*"))
    cast_cols = [c for c in ("cast1", "cast2", "cast3", "cast4") if rd.has(c)]
    cast = v.join_columns(pd.DataFrame({c: rd.col(c) for c in cast_cols}))
    if rd.has("cast0"):
        cast0 = rd.col("cast0").str.replace("''", "'", regex=False)
        cast = cast.fillna(v.join_list(cast0, r"\s*,\s*"))
    return genres, cast


def _top10_titles(rd: v.Reader, movie_ids: pd.Series, index: pd.Index) -> pd.DataFrame:
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
        "movie_id": movie_ids,
        "in_top10": flag.str.casefold().replace({"true": "1", "false": "0"}),
        "weekly_hours_viewed": v.text(rd.col("weekly_hours_viewed")),
        "weekly_views": v.text(rd.col("weekly_views")),
    }
    return v.frame("top10_titles", tcols, index)


def convert(det: DetectedFile, rd: v.Reader) -> Part:
    final = det.format == "imdb_top10_final"
    idx = det.frame.index
    rd.require("movie_name", "a movie name on every row")
    rd.number("rating")
    votes = rd.number("votes", integer=True, strip=",")
    rd.number("meta_score")
    year = rd.number("year", integer=True)
    minutes = _minutes(rd, final)
    genres, cast = _lists(rd)
    title = v.text(rd.col("movie_name"))
    norm = title.map(normalize_title).astype("str")
    ids = [
        generated_id("imdb", f"{n} {'' if np.isnan(y) else int(y)}".strip())
        for n, y in zip(norm, year, strict=True)
    ]
    cols = {
        "movie_id": pd.Series(ids, index=idx, dtype="str"),
        "title": title,
        "content_type": pd.Series("Movie", index=idx, dtype="str"),
        "genres": genres,
        "genre_primary": v.item(genres, 0),
        "genre_secondary": v.item(genres, 1),
        "release_year": v.int_text(year),
        "duration_minutes": v.int_text(minutes),
        "rating": v.text(rd.col("pr_rating")),
        "imdb_rating": v.text(rd.col("rating")),
        "imdb_votes": v.int_text(votes),
        "meta_score": v.text(rd.col("meta_score")),
        "director": v.join_list(rd.col("director"), r"\s*,\s*"),
        "cast": cast,
    }
    movies = v.frame("movies", cols, idx)
    tables = {"movies": movies}
    pairs = dict(_PAIRS)
    dup = pd.Series([f"{t} ({y})" for t, y in zip(title, cols["release_year"], strict=True)])
    notes = v.dup_note(det.name, "movie_name + year", dup)
    notes += v.release_year_note(det.name, rd.name_of("year"), year)
    if final:
        tables["top10_titles"] = _top10_titles(rd, movies["movie_id"], idx)
        pairs.update(
            {
                "netflix_top_10": "top10_titles.in_top10",
                "weekly_hours_viewed": "top10_titles.weekly_hours_viewed",
                "weekly_views": "top10_titles.weekly_views",
            }
        )
    keys = pd.DataFrame({"norm": norm, "year": year}, index=idx)
    return Part("imdb", tables, v.mapping(rd, pairs), notes, keys=keys)


_COMMON = (
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
)
_OPTIONAL = ("row_id", "genre0", "genre2", "genre3", "cast0", "cast2", "cast3", "cast4")
_NONEMPTY = ("movie_name", "rating")

FORMATS = (
    Format(
        "imdb_movies",
        "IMDb-style movie table (imdb_movie_data_2023_v2.csv shape)",
        convert,
        required=_COMMON,
        optional=(*_OPTIONAL, "number_rating"),
        nonempty=_NONEMPTY,
    ),
    Format(
        "imdb_top10_final",
        "IMDb-style movie table with Netflix Top 10 labels (final_data.csv shape)",
        convert,
        required=(*_COMMON, "netflix_top_10"),
        optional=(*_OPTIONAL, "number_rating", "weekly_hours_viewed", "weekly_views"),
        nonempty=(*_NONEMPTY, "netflix_top_10"),
    ),
)
