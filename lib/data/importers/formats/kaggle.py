"""The Kaggle "TV Shows and Movies" pair: ``titles.csv`` + ``credits.csv`` (JustWatch ids).

``titles.csv`` (``id,title,type,description,release_year,age_certification,runtime,genres,
production_countries,seasons,imdb_id,imdb_score,imdb_votes,tmdb_popularity,tmdb_score``) ->
``movies``: id -> movie_id, type MOVIE/SHOW -> content_type Movie / TV Series, runtime
(minutes; per episode for shows) -> duration_minutes, age_certification -> rating, seasons ->
number_of_seasons, imdb_score -> imdb_rating, imdb_votes, imdb_id, tmdb_score,
tmdb_popularity; ``genres`` and ``production_countries`` are Python list literals
(``['drama', 'crime']``), parsed with :func:`ast.literal_eval` on size-checked strings (never
``eval``): genres are title-cased into the app's vocabulary (:data:`GENRE_NAMES`),
countries kept as published (ISO 3166 codes) -> country_of_origin.

``credits.csv`` (``person_id,id,name,character,role``, or ``id,title_id,name,character,role``
where ``id`` is the person) completes its titles.csv: cast from the ACTOR rows in file order,
director(s) from the DIRECTOR rows, both joined by ``|``. It cannot be imported alone.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from lib import config
from lib.data.importers import limits
from lib.data.importers import values as v
from lib.data.importers.base import Attachment, DetectedFile, Format, Part
from lib.data.importers.titles import movie_keys

__all__ = ["FORMATS", "GENRE_NAMES"]

GENRE_NAMES = {
    "action": "Action",
    "animation": "Animation",
    "comedy": "Comedy",
    "crime": "Crime",
    "documentation": "Documentary",
    "drama": "Drama",
    "european": "European",
    "family": "Family",
    "fantasy": "Fantasy",
    "history": "History",
    "horror": "Horror",
    "music": "Music",
    "reality": "Reality",
    "romance": "Romance",
    "scifi": "Sci-Fi",
    "sport": "Sport",
    "thriller": "Thriller",
    "war": "War",
    "western": "Western",
}
"""JustWatch genre ids -> the app's genre names (``config.GENRES`` where one matches:
documentation -> Documentary, scifi -> Sci-Fi); any other id is title-cased."""
_TYPES = {"MOVIE": "Movie", "SHOW": "TV Series"}
_TITLE_COLUMNS = (
    "id",
    "title",
    "type",
    "description",
    "release_year",
    "age_certification",
    "runtime",
    "genres",
    "production_countries",
    "seasons",
    "imdb_id",
    "imdb_score",
    "imdb_votes",
    "tmdb_popularity",
    "tmdb_score",
)


# ---------------------------------------------------------------------------- titles ----
def _literal_list(rd: v.Reader, col: str, *, genres: bool) -> pd.Series:
    """'|'-joined items of a column of list literals; a bad cell raises naming its row."""
    raw = rd.col(col)
    cache: dict[str, str | None] = {}
    out: list[str | None] = []
    for pos, cell in enumerate(raw.array):
        if cell is pd.NA or cell is None:
            out.append(None)
            continue
        if cell not in cache:
            cache[cell] = _parse_list(cell, genres=genres)
        parsed = cache[cell]
        if parsed == "\x00bad":
            mask = pd.Series(False, index=raw.index)
            mask.iloc[pos] = True
            rd.fail(
                col,
                mask,
                raw,
                f"a list like ['drama', 'crime'] of at most {limits.MAX_LIST_LITERAL_CHARS:,} "
                "characters",
            )
        out.append(parsed)
    return pd.Series(out, index=raw.index, dtype="str")


def _parse_list(cell: str, *, genres: bool) -> str | None:
    s = cell.strip()
    if not s or s == "[]":
        return None
    if len(s) > limits.MAX_LIST_LITERAL_CHARS or not (s.startswith("[") and s.endswith("]")):
        return "\x00bad"
    try:
        items = ast.literal_eval(s)  # literals only: no names, calls or attributes
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return "\x00bad"
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        return "\x00bad"
    names = []
    for i in items:
        name = i.strip().replace(config.LIST_SEP, "/")
        if genres:
            name = GENRE_NAMES.get(name.casefold(), name.title())
        if name and name not in names:
            names.append(name)
    return config.LIST_SEP.join(names) or None


def convert_titles(det: DetectedFile, rd: v.Reader) -> Part:
    idx = det.frame.index
    rd.require("id", "a title id on every row")
    rd.require("title", "a title on every row")
    kind = rd.col("type").str.strip().str.upper()
    rd.fail("type", ~kind.isin(list(_TYPES)), rd.col("type").fillna(""), "MOVIE or SHOW")
    year = rd.number("release_year", integer=True)
    runtime = rd.number("runtime")
    seasons = rd.number("seasons")
    votes = rd.number("imdb_votes")
    for c in ("imdb_score", "tmdb_score", "tmdb_popularity"):
        rd.number(c)
    genres = _literal_list(rd, "genres", genres=True)
    cols = {
        "movie_id": v.text(rd.col("id")),
        "title": v.text(rd.col("title")),
        "content_type": kind.map(_TYPES).astype("str"),
        "description": v.text(rd.col("description")),
        "release_year": v.int_text(year),
        "rating": v.text(rd.col("age_certification")),
        "duration_minutes": v.int_text(runtime),
        "genres": genres,
        "genre_primary": v.item(genres, 0),
        "genre_secondary": v.item(genres, 1),
        "country_of_origin": _literal_list(rd, "production_countries", genres=False),
        "number_of_seasons": v.int_text(seasons),
        "imdb_id": v.text(rd.col("imdb_id")),
        "imdb_rating": v.text(rd.col("imdb_score")),
        "imdb_votes": v.int_text(votes),
        "tmdb_score": v.text(rd.col("tmdb_score")),
        "tmdb_popularity": v.text(rd.col("tmdb_popularity")),
    }
    movies = v.frame("movies", cols, idx)
    notes = v.dup_note(det.name, rd.name_of("id"), rd.col("id"))
    notes += v.release_year_note(det.name, rd.name_of("release_year"), year)
    shown = ", ".join(f"{k} -> {n}" for k, n in GENRE_NAMES.items() if k != n.casefold())
    mapping = v.mapping(
        rd,
        {
            "id": "movies.movie_id",
            "title": "movies.title",
            "type": "movies.content_type (MOVIE -> Movie, SHOW -> TV Series)",
            "description": "movies.description",
            "release_year": "movies.release_year",
            "age_certification": "movies.rating",
            "runtime": "movies.duration_minutes (per episode for shows)",
            "genres": f"movies.genres, genre_primary, genre_secondary (title-cased; {shown})",
            "production_countries": "movies.country_of_origin (codes as published)",
            "seasons": "movies.number_of_seasons",
            "imdb_id": "movies.imdb_id",
            "imdb_score": "movies.imdb_rating",
            "imdb_votes": "movies.imdb_votes",
            "tmdb_popularity": "movies.tmdb_popularity",
            "tmdb_score": "movies.tmdb_score",
        },
    )
    return Part(
        "catalog", {"movies": movies}, mapping, notes, keys=movie_keys(movies), prefix_ids=True
    )


# --------------------------------------------------------------------------- credits ----
def _people(credits: pd.DataFrame, role: str) -> pd.Series:
    """Title id -> '|'-joined names of one role, in file order, each person once."""
    rows = credits[credits["role"] == role]
    rows = rows.drop_duplicates(["title_id", "person"], keep="first")
    return rows.groupby("title_id", sort=False)["name"].agg(config.LIST_SEP.join)


def _apply_credits(
    credits: pd.DataFrame, name: str
) -> Callable[[Part, str], tuple[Part, list[str]]]:
    def apply(target: Part, target_name: str) -> tuple[Part, list[str]]:
        movies = target.tables["movies"]
        ids = movies["movie_id"]
        cast = ids.map(_people(credits, "ACTOR")).astype("str")
        director = ids.map(_people(credits, "DIRECTOR")).astype("str")
        known = credits["title_id"].isin(set(ids.dropna()))
        notes = [
            f"{name}: {int(known.sum()):,} of {len(credits):,} credit rows completed "
            f"{target_name}: cast for {int(cast.notna().sum()):,} and director(s) for "
            f"{int(director.notna().sum()):,} of its {len(movies):,} titles"
        ]
        if (~known).any():
            first = credits.loc[~known, "title_id"].iloc[0]
            notes.append(
                f"{name}: {int((~known).sum()):,} credit row(s) point at title ids that "
                f"{target_name} does not have (first: {first!r}); they are not imported"
            )
        done = movies.assign(
            cast=movies["cast"].fillna(cast), director=movies["director"].fillna(director)
        )
        return replace(target, tables={**target.tables, "movies": done}), notes

    return apply


def convert_credits(det: DetectedFile, rd: v.Reader) -> Part:
    person_first = det.format == "kaggle_credits_title_id"
    title_col, person_col = ("title_id", "id") if person_first else ("id", "person_id")
    rd.require(title_col, "a title id on every row")
    rd.require("name", "a person's name on every row")
    role = rd.col("role").str.strip().str.upper()
    credits = pd.DataFrame(
        {
            "title_id": v.text(rd.col(title_col)),
            "person": v.text(rd.col(person_col)).fillna(v.text(rd.col("name"))),
            "name": v.text(rd.col("name")).str.replace(config.LIST_SEP, "/", regex=False),
            "role": role,
        }
    )
    notes = []
    other = role[~role.isin(["ACTOR", "DIRECTOR"])]
    if len(other):
        counts = other.fillna("(empty)").value_counts()
        shown = ", ".join(f"{k} {n:,}" for k, n in counts.items())
        notes.append(
            f"{det.name}: {len(other):,} credit row(s) with a role other than ACTOR or "
            f"DIRECTOR ({shown}) are not imported"
        )
    mapping = v.mapping(
        rd,
        {
            title_col: "movies.movie_id (the title these credits belong to)",
            person_col: "(identifies the person: each is listed once per title)",
            "name": "movies.cast (ACTOR rows, file order), movies.director (DIRECTOR rows)",
            "role": "(ACTOR -> cast, DIRECTOR -> director)",
        },
    )
    missing = (
        f"{det.name}: Kaggle credits need their titles.csv in the same import (columns "
        f"{', '.join(_TITLE_COLUMNS[:9])}, ...): the credits only name people and title ids. "
        "Upload titles.csv together with credits.csv"
    )
    attach = Attachment(
        targets=("kaggle_titles",),
        ids=credits["title_id"],
        apply=_apply_credits(credits, det.name),
        missing=missing,
    )
    return Part("attachment", {}, mapping, notes, attach=attach)


_CREDITS = ("name", "character", "role")
_TITLES_REQUIRED = ("id", "title", "type", "release_year", "genres", "production_countries")

FORMATS = (
    Format(
        "kaggle_titles",
        "Kaggle 'TV Shows and Movies' titles.csv (JustWatch ids; IMDb and TMDB scores)",
        convert_titles,
        required=_TITLES_REQUIRED,
        optional=tuple(c for c in _TITLE_COLUMNS if c not in _TITLES_REQUIRED),
        nonempty=("id", "title", "type"),
    ),
    Format(
        "kaggle_credits",
        "Kaggle 'TV Shows and Movies' credits.csv (person_id,id,...): cast and directors "
        "of its titles.csv",
        convert_credits,
        required=("person_id", "id", *_CREDITS),
        nonempty=("id", "name", "role"),
    ),
    Format(
        "kaggle_credits_title_id",
        "Kaggle credits.csv published as id,title_id,... (person id first): cast and "
        "directors of its titles.csv",
        convert_credits,
        required=("id", "title_id", *_CREDITS),
        nonempty=("title_id", "name", "role"),
    ),
)
