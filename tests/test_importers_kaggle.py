"""The Kaggle "TV Shows and Movies" pair titles.csv + credits.csv (hand-written fixtures)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lib import config
from lib.data import importers as im

FIX = Path(__file__).parent / "fixtures" / "kaggle"


def _pair(credits: str = "credits.csv") -> list[tuple[str, bytes]]:
    return [
        ("titles.csv", (FIX / "titles.csv").read_bytes()),
        (credits, (FIX / credits).read_bytes()),
    ]


@pytest.fixture(scope="module")
def movies() -> pd.DataFrame:
    res = im.load_files(_pair())
    return res.tables["movies"].set_index("movie_id")


def test_formats_are_detected_from_the_header() -> None:
    assert im.sniff("a.csv", (FIX / "titles.csv").read_bytes()).format == "kaggle_titles"
    assert im.sniff("b.csv", (FIX / "credits.csv").read_bytes()).format == "kaggle_credits"
    det = im.sniff("c.csv", (FIX / "credits_title_id.csv").read_bytes())
    assert det.format == "kaggle_credits_title_id"


def test_titles_map_to_movies(movies: pd.DataFrame) -> None:
    assert list(movies.reset_index().columns) == list(config.BRONZE_TABLES["movies"])
    lk = movies.loc["tm1001"]
    assert lk["title"] == "The Lighthouse Keeper" and lk["content_type"] == "Movie"
    assert lk["description"] == "A keeper finds a message in a bottle, and answers it."
    assert (lk["release_year"], lk["rating"], lk["duration_minutes"]) == ("2019", "PG-13", "104")
    assert lk["genres"] == "Drama|European"
    assert (lk["genre_primary"], lk["genre_secondary"]) == ("Drama", "European")
    assert lk["country_of_origin"] == "ES"
    assert (lk["imdb_id"], lk["imdb_rating"], lk["imdb_votes"]) == ("tt9000001", "7.1", "12400")
    assert (lk["tmdb_score"], lk["tmdb_popularity"]) == ("7.0", "15.2")
    assert pd.isna(lk["number_of_seasons"])
    show = movies.loc["ts2001"]
    assert show["content_type"] == "TV Series" and show["number_of_seasons"] == "2"
    assert show["duration_minutes"] == "48"  # per episode, as published
    assert show["genres"] == "Sci-Fi|Drama"  # scifi -> the app's Sci-Fi
    assert show["country_of_origin"] == "US|CA"
    assert movies.loc["tm1003", "genres"] == "Documentary"  # documentation -> Documentary
    assert pd.isna(movies.loc["tm1003", "country_of_origin"])  # [] -> missing
    assert pd.isna(movies.loc["ts2002", "genres"])
    night = movies.loc["tm1002"]
    assert pd.isna(night["imdb_rating"]) and pd.isna(night["tmdb_score"])


def test_credits_give_cast_in_file_order_and_directors(movies: pd.DataFrame) -> None:
    assert movies.loc["tm1001", "cast"] == "Mia Stone|Leo Park"
    assert movies.loc["tm1001", "director"] == "Ana Ruiz"
    # Sam Reed plays two characters: listed once, where he first appears
    assert movies.loc["ts2001", "cast"] == "Sam Reed|Ivy Chen|Omar Diaz"
    assert pd.isna(movies.loc["ts2001", "director"])
    assert movies.loc["tm1002", "director"] == "Kenji Ito|Lea Fox"
    assert pd.isna(movies.loc["tm1003", "cast"])


def test_both_credit_layouts_give_the_same_catalog() -> None:
    a = im.load_files(_pair("credits.csv")).tables["movies"]
    b = im.load_files(_pair("credits_title_id.csv")).tables["movies"]
    pd.testing.assert_frame_equal(a, b)


def test_credits_for_unknown_titles_are_counted_not_hidden() -> None:
    res = im.load_files(_pair())
    joined = " ".join(res.notes)
    assert "10 of 11 credit rows completed titles.csv" in joined
    assert "1 credit row(s) point at title ids that titles.csv does not have" in joined
    assert "'tm9999'" in joined


def test_credits_alone_say_they_need_titles() -> None:
    with pytest.raises(im.ImportProblem) as err:
        im.load_files([("credits.csv", (FIX / "credits.csv").read_bytes())])
    e = err.value
    assert e.kind == "incomplete" and e.file == "credits.csv"
    assert "need their titles.csv" in str(e) and "id, title, type" in str(e)


def test_titles_alone_import_without_people() -> None:
    res = im.load_files([("titles.csv", (FIX / "titles.csv").read_bytes())])
    m = res.tables["movies"]
    assert len(m) == 5 and m["cast"].isna().all()


@pytest.mark.parametrize(
    "cell",
    [
        "\"__import__('os').system('echo hacked')\"",
        '"[x for x in ()]"',
        '"[1, 2]"',
        '"drama, crime"',
        "\"['" + "a" * 10_001 + "']\"",
    ],
)
def test_list_literals_are_parsed_safely(cell: str) -> None:
    data = (FIX / "titles.csv").read_bytes().replace(b"['comedy']", cell.encode())
    with pytest.raises(im.ImportProblem) as err:
        im.sniff("titles.csv", data)
    e = err.value
    assert (e.column, e.row, e.line, e.kind) == ("genres", 3, 4, "bad_value")
    assert "['drama', 'crime']" in str(e)


def test_bad_type_names_row_and_value() -> None:
    data = (FIX / "titles.csv").read_bytes().replace(b"Kitchen Wars,SHOW", b"Kitchen Wars,SERIES")
    with pytest.raises(
        im.ImportProblem, match=r"'type' at row 5 \(line 6\): 'SERIES'.*MOVIE or SHOW"
    ):
        im.sniff("titles.csv", data)


def test_several_titles_files_get_prefixed_ids_and_credits_find_their_own() -> None:
    titles = (FIX / "titles.csv").read_bytes()
    other = b"id,title,type,release_year,genres,production_countries\nx1,Other,MOVIE,2020,[],[]\n"
    credits = b"person_id,id,name,character,role\n1,x1,Pat Lee,,ACTOR\n"
    res = im.load_files(
        [
            ("netflix/titles.csv", titles),
            ("prime/titles.csv", other),
            ("prime/credits.csv", credits),
        ]
    )
    m = res.tables["movies"].set_index("movie_id")
    assert m.loc["prime_titles:x1", "cast"] == "Pat Lee"
    assert "netflix_titles:tm1001" in m.index and pd.isna(m.loc["netflix_titles:tm1001", "cast"])
