"""Streaming catalogs in the Kaggle ``netflix_titles.csv`` shape (Netflix, Amazon, Disney+).

-> ``movies``: show_id -> movie_id, type -> content_type ("TV Show" -> "TV Series"),
listed_in -> genres / genre_primary / genre_secondary, director / cast / country -> lists
(country -> country_of_origin), date_added -> added_to_platform (ISO), duration ->
duration_minutes or number_of_seasons, rating (a duration found there is moved to
duration_minutes and counted in the notes), release_year, description, title.
"""

from __future__ import annotations

import re

import pandas as pd

from lib.data.importers import values as v
from lib.data.importers.base import DetectedFile, Format, Part
from lib.data.importers.titles import movie_keys

__all__ = ["FORMATS"]


def convert(det: DetectedFile, rd: v.Reader) -> Part:
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
    rating = v.text(rd.col("rating"))
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
    notes += v.future_note(name, rd.name_of("date_added"), added, canonical="added_to_platform")
    notes += v.release_year_note(name, rd.name_of("release_year"), rd.col("release_year"))
    notes += v.dup_note(name, rd.name_of("show_id"), rd.col("show_id"))
    genres = v.join_list(rd.col("listed_in"), r"\s*,\s*")
    ctype = v.text(rd.col("type")).replace({"TV Show": "TV Series"})
    cols = {
        "movie_id": v.text(rd.col("show_id")),
        "title": v.text(rd.col("title")),
        "content_type": ctype,
        "genre_primary": v.item(genres, 0),
        "genre_secondary": v.item(genres, 1),
        "genres": genres,
        "release_year": v.text(rd.col("release_year")),
        "duration_minutes": minutes,
        "rating": rating,
        "country_of_origin": v.join_list(rd.col("country"), r"\s*,\s*"),
        "number_of_seasons": seasons,
        "added_to_platform": added.dt.strftime("%Y-%m-%d"),
        "description": v.text(rd.col("description")),
        "director": v.join_list(rd.col("director"), r"\s*,\s*"),
        "cast": v.join_list(rd.col("cast"), r"\s*,\s*"),
    }
    movies = v.frame("movies", cols, det.frame.index)
    mapping = v.mapping(
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
    return Part(
        "catalog", {"movies": movies}, mapping, notes, keys=movie_keys(movies), prefix_ids=True
    )


FORMATS = (
    Format(
        "netflix_catalog",
        "streaming catalog in the Kaggle netflix_titles.csv shape (Netflix, Amazon, Disney+)",
        convert,
        required=("show_id", "type", "title", "release_year", "duration", "listed_in"),
        optional=("director", "cast", "country", "date_added", "rating", "description"),
    ),
)
