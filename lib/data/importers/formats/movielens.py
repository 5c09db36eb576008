"""MovieLens: ``ratings.csv`` / ``movies.csv`` (ml-latest) and the header-less 100k files.

``movielens_100k_data`` / ``movielens_ratings`` -> ``ratings`` (rated_at = ISO UTC time);
``movielens_100k_item`` / ``movielens_movies`` -> ``movies`` (year taken out of the title);
``movielens_100k_user`` -> ``users``. The 100k files have no header: they are recognised by
their shape (field count and value kinds of the first 50 lines).
"""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib import config
from lib.data.importers import values as v
from lib.data.importers.base import DetectedFile, Format, Part
from lib.data.importers.csvtext import first_records
from lib.data.importers.titles import movie_keys

__all__ = ["FORMATS", "ML100K_GENRES"]

ML100K_GENRES = (
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
_YEAR_IN_TITLE = re.compile(r"^(?P<title>.*?)\s*\((?P<year>\d{4})(?:[-\u2013]\d{0,4})?\)\s*$")


# ---------------------------------------------------------------------------- shapes ----
def _is_int(s: str) -> bool:
    return s.strip().lstrip("-").isdigit()


def _shape_data(sample: str) -> str | None:
    recs, _ = first_records(sample, "\t", 50, quoting=False)
    ok = recs and all(
        len(r) == 4 and all(_is_int(c) for c in r) and 1 <= int(r[2]) <= 5 and int(r[3]) >= 10**8
        for r in recs
    )
    return "\t" if ok else None


def _shape_item(sample: str) -> str | None:
    recs, _ = first_records(sample, "|", 50, quoting=False)
    ok = recs and all(
        len(r) == 24 and _is_int(r[0]) and all(c.strip() in ("0", "1") for c in r[5:]) for r in recs
    )
    return "|" if ok else None


def _shape_user(sample: str) -> str | None:
    recs, _ = first_records(sample, "|", 50, quoting=False)
    ok = recs and all(
        len(r) == 5 and _is_int(r[0]) and _is_int(r[1]) and r[2].strip().upper() in ("M", "F")
        for r in recs
    )
    return "|" if ok else None


# ------------------------------------------------------------------------ converters ----
def _epoch_iso(rd: v.Reader, col: str) -> tuple[pd.Series, pd.Series]:
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


def convert_ratings(det: DetectedFile, rd: v.Reader) -> Part:
    if det.format == "movielens_ratings":
        user, item, ts = "userId", "movieId", "timestamp"
    else:
        user, item, ts = "user id", "item id", "timestamp"
    rd.require(user, "a user id on every row")
    rd.require(item, "a movie id on every row")
    rd.require("rating", "a rating on every row")
    rd.number("rating")
    rated_at, secs = _epoch_iso(rd, ts)
    when = pd.to_datetime(secs, unit="s", errors="coerce")
    notes = v.future_note(det.name, rd.name_of(ts), when, canonical="rated_at", noun="timestamp(s)")
    cols = {
        "user_id": rd.col(user).str.strip(),
        "movie_id": rd.col(item).str.strip(),
        "rating": rd.col("rating").str.strip(),
        "rated_at": rated_at,
    }
    ratings = v.frame("ratings", cols, det.frame.index)
    mapping = v.mapping(
        rd,
        {
            user.casefold(): "ratings.user_id",
            item.casefold(): "ratings.movie_id",
            "rating": "ratings.rating",
            ts.casefold(): "ratings.rated_at (epoch seconds -> ISO UTC)",
        },
    )
    return Part("plain", {"ratings": ratings}, mapping, notes)


def _split_title_year(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    s = raw.str.strip()
    parts = s.str.extract(_YEAR_IN_TITLE)
    title = parts["title"].astype("str").fillna(s)
    title = title.str.replace(
        r"^(?P<body>.+), (?P<art>The|A|An)$", lambda m: f"{m['art']} {m['body']}", regex=True
    )
    return v.text(title), parts["year"].astype("str")


def _genre_flags(rd: v.Reader, index: pd.Index) -> pd.Series:
    flags = pd.DataFrame({g: rd.col(g).str.strip() == "1" for g in ML100K_GENRES if g != "unknown"})
    genres = pd.Series(pd.NA, index=index, dtype="str")
    for g in flags.columns:
        genres = genres.where(
            ~flags[g], genres.fillna("").where(genres.isna(), genres + config.LIST_SEP) + g
        )
    return genres


def convert_movies(det: DetectedFile, rd: v.Reader) -> Part:
    idx = det.frame.index
    if det.format == "movielens_movies":
        id_col, title_col = "movieId", "title"
        rd.require(id_col, "a movie id on every row")
        title, year = _split_title_year(rd.col(title_col))
        g = v.text(rd.col("genres"))
        genres = v.join_list(g.where(g.str.casefold() != "(no genres listed)"), r"\s*\|\s*")
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
        genres = _genre_flags(rd, idx)
        pairs = {
            "movie id": "movies.movie_id",
            "movie title": "movies.title, movies.release_year",
            "release date": "movies.release_year (when the title has no year)",
        }
        pairs.update({g.casefold(): "movies.genres" for g in ML100K_GENRES if g != "unknown"})
    cols = {
        "movie_id": rd.col(id_col).str.strip(),
        "title": title,
        "content_type": pd.Series("Movie", index=idx, dtype="str"),
        "genres": genres,
        "genre_primary": v.item(genres, 0),
        "genre_secondary": v.item(genres, 1),
        "release_year": year,
    }
    movies = v.frame("movies", cols, idx)
    notes = v.dup_note(det.name, id_col, movies["movie_id"])
    notes += v.release_year_note(det.name, f"{rd.name_of(title_col)} (year)", year)
    return Part("catalog", {"movies": movies}, v.mapping(rd, pairs), notes, movie_keys(movies))


def convert_users(det: DetectedFile, rd: v.Reader) -> Part:
    rd.require("user id", "a user id on every row")
    rd.number("age", integer=True)
    gender = rd.col("gender").str.strip().str.upper().replace({"M": "Male", "F": "Female"})
    cols = {
        "user_id": rd.col("user id").str.strip(),
        "age": rd.col("age").str.strip(),
        "gender": gender,
    }
    users = v.frame("users", cols, det.frame.index)
    mapping = v.mapping(
        rd, {"user id": "users.user_id", "age": "users.age", "gender": "users.gender (M/F)"}
    )
    notes = v.dup_note(det.name, "user id", users.user_id)
    return Part("plain", {"users": users}, mapping, notes)


FORMATS = (
    Format(
        "movielens_ratings",
        "MovieLens ratings.csv (userId,movieId,rating,timestamp)",
        convert_ratings,
        required=("userid", "movieid", "rating", "timestamp"),
    ),
    Format(
        "movielens_movies",
        "MovieLens movies.csv (movieId,title,genres)",
        convert_movies,
        required=("movieid", "title", "genres"),
        nonempty=("movieid", "title"),
    ),
    Format(
        "movielens_100k_data",
        "MovieLens 100k u.data: tab-separated user id, item id, rating 1-5, epoch seconds",
        convert_ratings,
        required=("user id", "item id", "rating", "timestamp"),
        shape=_shape_data,
    ),
    Format(
        "movielens_100k_item",
        "MovieLens 100k u.item: 24 '|'-separated fields (id, title, dates, URL, 19 flags)",
        convert_movies,
        required=("movie id", "movie title", "release date", "video release date", "IMDb URL")
        + ML100K_GENRES,
        nonempty=("movie id", "movie title"),
        shape=_shape_item,
    ),
    Format(
        "movielens_100k_user",
        "MovieLens 100k u.user: user id|age|gender|occupation|zip code",
        convert_users,
        required=("user id", "age", "gender", "occupation", "zip code"),
        nonempty=("user id",),
        shape=_shape_user,
    ),
)
