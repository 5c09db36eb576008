"""Unit tests of lib.data.importers on hand-written fixtures (tests/fixtures, invented rows)."""

from __future__ import annotations

import io
import stat
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import config
from lib.data import importers as im
from lib.data.importers.formats import engagement

FIX = Path(__file__).parent / "fixtures"


def _read(rel: str) -> bytes:
    return (FIX / rel).read_bytes()


def _files(*rels: str) -> list[tuple[str, bytes]]:
    return [(Path(r).name, _read(r)) for r in rels]


def _zip(members: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if symlink is not None:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return buf.getvalue()


def _assert_bronze(tables: dict[str, pd.DataFrame]) -> None:
    for name, frame in tables.items():
        canonical = list(config.BRONZE_TABLES[name])
        assert list(frame.columns[: len(canonical)]) == canonical, name
        for col in frame.columns:
            assert frame[col].dtype == "str", (name, col, frame[col].dtype)


# ------------------------------------------------------------------------ per format ----
def test_catalog_maps_to_movies() -> None:
    det = im.sniff("catalog.csv", _read("catalog.csv"))
    assert (det.format, det.encoding, det.rows) == ("netflix_catalog", "utf-8", 6)
    assert det.frame["show_id"].tolist() == ["c1", "c2", "c3", "c4", "c5", "c6"]
    res = im.load_files(_files("catalog.csv"))
    _assert_bronze(res.tables)
    m = res.tables["movies"].set_index("movie_id")
    assert m.loc["c1", "content_type"] == "Movie"
    assert m.loc["c2", "content_type"] == "TV Series"
    assert m.loc["c1", "genres"] == "Dramas|International Movies"
    assert m.loc["c1", "genre_primary"] == "Dramas"
    assert m.loc["c1", "genre_secondary"] == "International Movies"
    assert pd.isna(m.loc["c3", "genre_secondary"])
    assert m.loc["c2", "cast"] == "Sam Reed|Ivy Chen|Omar Diaz"
    assert m.loc["c4", "director"] == "Lea Fox|Tom Fox"
    assert m.loc["c2", "country_of_origin"] == "United States|Canada"  # trailing comma dropped
    assert m.loc["c2", "added_to_platform"] == "2021-07-14"  # leading space in the date
    assert m.loc["c1", "added_to_platform"] == "2020-03-03"
    assert pd.isna(m.loc["c4", "added_to_platform"])
    assert m.loc["c1", "duration_minutes"] == "104"
    assert pd.isna(m.loc["c1", "number_of_seasons"])
    assert m.loc["c2", "number_of_seasons"] == "2"
    assert pd.isna(m.loc["c2", "duration_minutes"])
    assert m.loc["c5", "number_of_seasons"] == "1"
    assert m.loc["c2", "description"] == "Cadets train\nfor deep space."
    assert m.loc["c1", "release_year"] == "2019"


def test_catalog_rating_holding_a_duration_is_moved_and_noted() -> None:
    res = im.load_files(_files("catalog.csv"))
    m = res.tables["movies"].set_index("movie_id")
    assert pd.isna(m.loc["c3", "rating"])
    assert m.loc["c3", "duration_minutes"] == "88"
    assert any("1 row(s) held a duration in 'rating'" in n for n in res.notes)
    assert res.mappings["catalog.csv"]["listed_in"].startswith("movies.genres")


def test_top10_global_keeps_na_literal_and_builds_minimal_movies() -> None:
    res = im.load_files(_files("top10_global.tsv"))
    det = res.files[0]
    assert det.format == "top10_global" and det.delimiter == "\t"
    w = res.tables["top10_weekly"]
    _assert_bronze(res.tables)
    assert len(w) == 6
    assert (w["season_title"] == "N/A").sum() == 4  # the literal film marker, not missing
    assert pd.isna(w.loc[2, "runtime"]) and pd.isna(w.loc[5, "weekly_views"])
    assert w["movie_id"].notna().all()
    # the same title in two weeks gets the same generated id
    assert w.loc[0, "movie_id"] == w.loc[5, "movie_id"]
    movies = res.tables["movies"]
    assert len(movies) == 5
    kinds = dict(zip(movies["title"], movies["content_type"], strict=True))
    assert kinds["Orbit Academy"] == "TV Series" and kinds["Night Market"] == "Movie"
    assert set(w["movie_id"]) == set(movies["movie_id"])
    assert any("minimal movies rows" in n for n in res.notes)
    assert res.join_report == {}


def test_top10_legacy_cp1252_is_detected_and_decoded() -> None:
    data = _read("top10_legacy.csv")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    det = im.sniff("legacy.csv", data)
    assert det.format == "top10_global_legacy"
    assert det.encoding == "cp1252" and det.delimiter == ","
    assert any("decoded as cp1252" in n for n in det.notes)
    assert det.frame["show_title"].tolist()[0] == "Caf\u00e9 Noir"
    assert det.frame["show_title"].tolist()[2] == "Le Voyage d\u2019\u00c9t\u00e9"
    assert det.mapping["is_staggered_launch"] == "(not imported)"
    res = im.load_files([("legacy.csv", data)])
    assert list(res.tables["top10_weekly"].columns) == list(config.BRONZE_TABLES["top10_weekly"])


def test_top10_countries_keep_country_columns() -> None:
    res = im.load_files(_files("top10_countries.tsv"))
    assert res.files[0].format == "top10_countries"
    w = res.tables["top10_weekly"]
    assert w["country_iso2"].tolist() == ["ES", "ES", "JP"]
    assert pd.isna(w["weekly_hours_viewed"]).all()
    assert w["cumulative_weeks_in_top_10"].tolist() == ["2", "1", "4"]


def test_most_popular_goes_to_top10_titles() -> None:
    res = im.load_files(_files("most_popular.tsv"))
    assert res.files[0].format == "top10_most_popular"
    t = res.tables["top10_titles"]
    assert t["in_top10"].tolist() == ["1", "1"]
    assert set(t["movie_id"]) <= set(res.tables["movies"]["movie_id"])


def test_imdb_movies_mapping() -> None:
    res = im.load_files(_files("imdb.csv"))
    assert res.files[0].format == "imdb_movies"
    m = res.tables["movies"].set_index("title")
    row = m.loc["The Lighthouse Keeper"]
    assert row["imdb_votes"] == "12400"  # thousands separator stripped
    assert row["imdb_rating"] == "7.1" and row["meta_score"] == "71"
    assert row["duration_minutes"] == "104"  # 1h 44m
    assert m.loc["Harbor Lights", "duration_minutes"] == "120"  # 2h
    assert m.loc["Night Market", "duration_minutes"] == "90"  # 90m
    assert row["genres"] == "Drama|Mystery" and row["genre_primary"] == "Drama"
    assert row["genre_secondary"] == "Mystery"
    assert row["cast"] == "Mia Stone|Leo Park"
    assert row["rating"] == "PG-13" and row["release_year"] == "2019"
    assert m.loc["Paper Moons", "director"] == "Lea Fox|Tom Fox"
    assert pd.isna(m.loc["Night Market", "meta_score"])
    assert m["content_type"].eq("Movie").all()
    assert m["movie_id"].is_unique


def test_imdb_final_data_hours_cast_quirk_and_top10_titles() -> None:
    res = im.load_files(_files("final.csv"))
    assert res.files[0].format == "imdb_top10_final"
    m = res.tables["movies"].set_index("title")
    assert m.loc["The Lighthouse Keeper", "duration_minutes"] == "104"  # 1.733 h
    assert m.loc["The Lighthouse Keeper", "cast"] == "Mia Stone|Myles O'Hara"
    # cast1..4 empty -> cast0 is used, with its doubled apostrophe undone
    assert m.loc["Quiet Fields", "cast"] == "Ada Lin|Bo O'Neil"
    t = res.tables["top10_titles"]
    assert t["in_top10"].tolist() == ["1", "0"]
    assert t["weekly_hours_viewed"].tolist() == ["12300000", "0"]
    assert t["movie_id"].tolist() == res.tables["movies"]["movie_id"].tolist()


def test_movielens_100k_folder() -> None:
    res = im.load_source(FIX / "ml-100k")
    formats = sorted(d.format for d in res.files)
    assert formats == ["movielens_100k_data", "movielens_100k_item", "movielens_100k_user"]
    _assert_bronze(res.tables)
    r = res.tables["ratings"]
    assert r.iloc[0].tolist() == ["196", "242", "3", "1997-12-04T15:55:49"]
    m = res.tables["movies"].set_index("movie_id")
    assert m.loc["242", "title"] == "The Lighthouse Keeper"
    assert m.loc["242", "release_year"] == "1996"
    assert m.loc["242", "genres"] == "Drama|Mystery"
    assert m.loc["302", "title"] == "Caf\u00e9 Stories"  # latin-1 decoded
    assert pd.isna(m.loc["377", "genres"])  # only the 'unknown' flag
    assert m.loc["377", "release_year"] == "1994"  # from the release date
    u = res.tables["users"].set_index("user_id")
    assert u.loc["186", "gender"] == "Female" and u.loc["196", "age"] == "49"
    item = next(d for d in res.files if d.format == "movielens_100k_item")
    assert item.encoding in ("cp1252", "latin-1") and item.notes


def test_movielens_latest() -> None:
    res = im.load_source(FIX / "ml-latest-small")
    m = res.tables["movies"].set_index("movie_id")
    assert m.loc["1", "title"] == "The Lighthouse Keeper" and m.loc["1", "release_year"] == "2019"
    assert m.loc["2", "title"] == "Orbit, Again" and m.loc["2", "genre_secondary"] == "Adventure"
    assert pd.isna(m.loc["3", "genres"]) and pd.isna(m.loc["3", "release_year"])
    r = res.tables["ratings"]
    assert r["rating"].tolist() == ["4.0", "4.5", "3.5", "5.0"]
    assert r["rated_at"].iloc[2] == "2015-10-24T19:27:15"


def test_ratings_subset_file_is_not_counted_twice() -> None:
    data = _read("ml-100k/u.data")
    split = b"".join(data.splitlines(keepends=True)[:2])
    res = im.load_files([("u.data", data), ("u1.base", split)])
    assert len(res.tables["ratings"]) == 4
    assert any("u1.base" in n and "skipped" in n for n in res.notes)


def test_duplicate_user_movie_pairs_in_ratings_are_fine() -> None:
    data = b"userId,movieId,rating,timestamp\n1,1,4,964982703\n1,1,5,964982800\n"
    res = im.load_files([("ratings.csv", data)])
    assert len(res.tables["ratings"]) == 2
    assert not [n for n in res.notes if "duplicate" in n]


def test_engagement_folder_as_is() -> None:
    res = im.load_source(FIX / "engagement")
    assert {d.format for d in res.files} == {f"engagement_{t}" for t in engagement.KEYS}
    _assert_bronze(res.tables)
    assert len(res.tables["users"]) == 3  # duplicates kept in bronze
    assert res.tables["users"]["age"].iloc[0] == "34.0"  # values as received
    assert res.tables["movies"]["cast"].isna().all()  # canonical column the export lacks
    assert res.tables["reviews"]["source_app"].tolist() == ["web"]  # extra column kept
    assert "extra column" in res.mappings["reviews.csv"]["source_app"]
    assert any("duplicate value(s) in id column 'user_id'" in n for n in res.notes)
    assert any(
        "2 date(s) in column 'subscription_start_date' lie in the future" in n for n in res.notes
    )
    assert any("empty in every row: production_budget, box_office_revenue" in n for n in res.notes)


def test_detection_ignores_file_names() -> None:
    assert im.sniff("top10.tsv", _read("catalog.csv")).format == "netflix_catalog"
    assert im.sniff("catalog.csv", _read("top10_global.tsv")).format == "top10_global"
    assert im.sniff("ratings.csv", _read("ml-100k/u.user")).format == "movielens_100k_user"
    assert im.sniff("noname", _read("ml-100k/u.data")).format == "movielens_100k_data"


def test_utf8_bom_and_crlf_and_utf16() -> None:
    text = _read("ml-latest-small/ratings.csv").decode()
    det = im.sniff("r.csv", b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert det.encoding == "utf-8-sig" and det.columns[0] == "userId" and det.rows == 4
    det = im.sniff("r.csv", text.encode("utf-16"))
    assert det.encoding == "utf-16" and det.rows == 4


# ---------------------------------------------------------------------------- joining ----
def test_combined_join_reports_match_rate_and_does_not_guess() -> None:
    res = im.load_files(_files("catalog.csv", "top10_global.tsv", "imdb.csv"))
    _assert_bronze(res.tables)
    imdb = res.join_report["imdb.csv"]
    # Lighthouse Keeper: same year; Paper Moons: 2020 vs 2021 (+-1); Night Market: 2005 vs
    # 2018 is another film; Harbor Lights is not in the catalog
    assert (imdb["matched"], imdb["titles"], imdb["ambiguous"]) == (2, 4, 0)
    top = res.join_report["top10_global.tsv"]
    assert (top["matched"], top["titles"], top["ambiguous"], top["unmatched"]) == (3, 5, 2, 0)
    assert top["match_rate"] == pytest.approx(0.6)
    assert top["message"] == (
        "top10_global.tsv: 3 of 5 Top 10 titles matched to catalog.csv + imdb.csv (60.0%); "
        "2 ambiguous matches not guessed"
    )
    assert top["message"] in res.notes
    assert sorted(top["ambiguous_examples"]) == ["Night Market", "The Office Hours"]
    w = res.tables["top10_weekly"].set_index("show_title")
    assert w.loc["Orbit Academy", "movie_id"] == "c2"
    assert (w.loc["The Lighthouse Keeper", "movie_id"] == "c1").all()
    movies = res.tables["movies"].set_index("movie_id")
    assert w.loc["Harbor Lights", "movie_id"] in movies.index  # linked to the IMDb row
    # ambiguous titles are left unlinked: generated ids that are not catalog ids
    for title in ("Night Market", "The Office Hours"):
        assert w.loc[title, "movie_id"].startswith("top10-")
        assert w.loc[title, "movie_id"] not in movies.index
    # IMDb fields filled into the matched catalog row; catalog values win
    assert movies.loc["c1", "imdb_rating"] == "7.1" and movies.loc["c1", "imdb_votes"] == "12400"
    assert movies.loc["c1", "genres"] == "Dramas|International Movies"
    assert movies.loc["c4", "genre_secondary"] != "Drama"
    assert movies.loc["c4", "imdb_rating"] == "6.8"
    # with a catalog, no minimal rows are made
    assert not any("minimal movies rows" in n for n in res.notes)
    assert len(movies) == 6 + 2  # catalog + unmatched IMDb rows


def test_final_data_links_to_imdb_table_without_catalog() -> None:
    res = im.load_files(_files("imdb.csv", "final.csv"))
    rep = res.join_report["final.csv"]
    assert (rep["matched"], rep["titles"]) == (1, 2)
    t = res.tables["top10_titles"]
    lighthouse = res.tables["movies"].set_index("title").loc["The Lighthouse Keeper", "movie_id"]
    assert t["movie_id"].iloc[0] == lighthouse
    assert len(res.tables["movies"]) == 5


def test_several_catalogs_get_prefixed_ids() -> None:
    res = im.load_files(
        [("netflix.csv", _read("catalog.csv")), ("prime.csv", _read("catalog.csv"))]
    )
    ids = res.tables["movies"]["movie_id"]
    assert ids.is_unique and {"netflix:c1", "prime:c1"} <= set(ids)


def test_normalize_title_examples() -> None:
    assert im.normalize_title("The Witcher: Blood Origin") == "witcher blood origin"
    assert im.normalize_title("Witcher - Blood Origin") == "witcher blood origin"
    assert im.normalize_title("Shawshank Redemption, The") == im.normalize_title(
        "The Shawshank Redemption"
    )
    assert im.normalize_title("Am\u00e9lie") == "amelie"
    assert im.normalize_title("Tom & Jerry") == "tom and jerry"
    assert im.normalize_title("Don\u2019t Look Up") == im.normalize_title("Don't Look Up")
    assert im.normalize_title(None) == "" and im.normalize_title(float("nan")) == ""


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_normalize_title_is_idempotent_and_case_blind(title: str) -> None:
    key = im.normalize_title(title)
    assert im.normalize_title(key) == key
    assert im.normalize_title(title.upper()) == im.normalize_title(title.lower()) or not (
        title.isascii()
    )


# -------------------------------------------------------------------------- bad input ----
def test_unknown_format_lists_headers_and_formats() -> None:
    with pytest.raises(im.ImportProblem) as err:
        im.sniff("sales.csv", b"region,amount,quarter\nnorth,10,Q1\n")
    msg = str(err.value)
    assert "sales.csv" in msg and "unknown format" in msg
    assert "region, amount, quarter" in msg and "netflix_catalog" in msg
    assert (err.value.file, err.value.kind) == ("sales.csv", "unknown_format")


def test_missing_required_columns_are_named() -> None:
    with pytest.raises(im.ImportProblem) as err:
        im.sniff("ratings.csv", b"userId,movieId,rating\n1,2,3\n")
    assert "movielens_ratings" in str(err.value) and "timestamp" in str(err.value)
    assert (err.value.column, err.value.kind) == ("timestamp", "missing_columns")
    data = _read("catalog.csv").replace(b",listed_in,", b",genres_list,")
    with pytest.raises(im.ImportProblem, match="missing required column.*listed_in"):
        im.sniff("catalog.csv", data)


def test_wrong_type_names_column_row_and_value() -> None:
    data = b"userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,2,five,964982703\n"
    with pytest.raises(im.ImportProblem) as err:
        im.sniff("ratings.csv", data)
    e = err.value
    assert (e.file, e.column, e.row, e.line, e.value) == ("ratings.csv", "rating", 2, 3, "five")
    assert e.kind == "bad_value" and e.kind in im.PROBLEM_KINDS
    assert "a number" in str(e) and "'five'" in str(e) and "row 2 (line 3)" in str(e)


def test_wrong_type_line_counts_embedded_newlines() -> None:
    data = _read("catalog.csv").replace(b",2022,TV-MA,", b",twenty,TV-MA,")
    with pytest.raises(im.ImportProblem) as err:
        im.sniff("catalog.csv", data)
    assert (err.value.column, err.value.row, err.value.line) == ("release_year", 5, 7)


def test_bad_values_in_other_formats() -> None:
    top = _read("top10_global.tsv").replace(
        b"2024-03-10\tTV (English)\t1", b"10/03/2024\tTV (English)\t1"
    )
    with pytest.raises(im.ImportProblem, match="'week'.*row 4"):
        im.sniff("top.tsv", top)
    imdb = _read("imdb.csv").replace(b"1h 35m", b"long")
    with pytest.raises(im.ImportProblem, match="'duration'.*row 3.*'long'"):
        im.sniff("imdb.csv", imdb)
    cat = _read("catalog.csv").replace(b"104 min", b"104 minutes or so")
    with pytest.raises(im.ImportProblem, match="'duration'.*row 1"):
        im.sniff("catalog.csv", cat)
    cat = _read("catalog.csv").replace(b'"March 3, 2020"', b"2020-03-03")
    with pytest.raises(im.ImportProblem, match="'date_added'.*September 25, 2021"):
        im.sniff("catalog.csv", cat)
    noid = _read("catalog.csv").replace(b"c3,Movie", b",Movie")
    with pytest.raises(im.ImportProblem, match="'show_id' at row 3"):
        im.sniff("catalog.csv", noid)


def test_edge_values_found_by_fuzzing() -> None:
    huge = b"userId,movieId,rating,timestamp\n1,1,4,99999999999999999999\n"
    with pytest.raises(im.ImportProblem, match="'timestamp'.*epoch seconds"):
        im.sniff("ratings.csv", huge)
    res = im.load_files([("movies.csv", b"movieId,title,genres\n1,Untitled, \n")])
    assert res.tables["movies"]["genre_primary"].isna().all()
    users = _read("engagement/users.csv").replace(b"2024-02-01", b"2024-02-01T10:00:00+02:00")
    assert im.sniff("users.csv", users).rows == 3  # mixed time zones do not crash


def test_empty_and_header_only_files() -> None:
    with pytest.raises(im.ImportProblem, match="empty.csv: is empty"):
        im.sniff("empty.csv", b"")
    with pytest.raises(im.ImportProblem, match="is empty"):
        im.sniff("blank.csv", b"\n  \n")
    with pytest.raises(im.ImportProblem, match="header but no data rows"):
        im.sniff("ratings.csv", b"userId,movieId,rating,timestamp\n")


def test_malformed_rows_name_the_line() -> None:
    long_row = b"userId,movieId,rating,timestamp\n1,1,4,964982703\n1,2,3,964982703,9\n"
    with pytest.raises(im.ImportProblem) as err:
        im.sniff("ratings.csv", long_row)
    assert err.value.line == 3 and "5 field(s) instead of 4" in str(err.value)
    assert err.value.kind == "malformed"
    short_row = b"userId,movieId,rating,timestamp\n1,1,4,964982703\n2,2,3,964982703\n3,3\n"
    with pytest.raises(im.ImportProblem) as err:
        im.sniff("ratings.csv", short_row)
    assert err.value.line == 4 and "2 field(s) instead of 4" in str(err.value)


def test_duplicate_column_names() -> None:
    with pytest.raises(im.ImportProblem, match="duplicate column name"):
        im.sniff("r.csv", b"userId,movieId,rating,timestamp,rating\n1,1,4,964982703,5\n")


def test_duplicate_show_ids_are_noted_not_dropped() -> None:
    data = _read("catalog.csv").replace(b"c5,TV Show", b"c1,TV Show")
    res = im.load_files([("catalog.csv", data)])
    assert len(res.tables["movies"]) == 6
    assert any("1 duplicate value(s) in id column 'show_id' (first: 'c1')" in n for n in res.notes)


def test_future_dates_and_all_null_columns_are_noted() -> None:
    data = _read("catalog.csv").replace(b'"May 1, 2022"', b'"May 1, 2099"')
    det = im.sniff("catalog.csv", data)
    assert any("1 date(s) in column 'date_added' lie in the future" in n for n in det.notes)
    det = im.sniff("r.csv", b"userId,movieId,rating,timestamp\n1,1,4,4102444800\n")
    assert any("1 timestamp(s)" in n and "future" in n for n in det.notes)
    top = b"category\trank\tshow_title\tseason_title\thours_viewed_first_91_days\truntime\n"
    top += b"TV (English)\t1\tOrbit Academy\tS1\t100\t\n"
    det = im.sniff("mp.tsv", top)
    assert any("empty in every row: runtime" in n for n in det.notes)


def test_binary_input_is_not_text() -> None:
    with pytest.raises(im.ImportProblem, match="is not a text file"):
        im.sniff("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    noise = np.random.default_rng(0).integers(1, 256, 4000, dtype=np.uint8).tobytes()
    with pytest.raises(im.ImportProblem, match="is not a text file"):
        im.sniff("noise.csv", noise.replace(b"\x00", b""))


def test_upload_over_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(im.limits, "MAX_UPLOAD_BYTES", 100)
    data = _read("catalog.csv")
    with pytest.raises(im.ImportProblem, match="over the size limit"):
        im.read_upload("catalog.csv", data)
    with pytest.raises(im.ImportProblem, match="over the"):
        im.sniff("catalog.csv", data)
    with pytest.raises(im.ImportProblem, match="over the size limit"):
        im.load_files([("catalog.csv", data)])


# ------------------------------------------------------------------------------- zips ----
def test_zip_happy_path_and_macos_metadata() -> None:
    data = _zip(
        {
            "export/catalog.csv": _read("catalog.csv"),
            "export/top10.tsv": _read("top10_global.tsv"),
            "__MACOSX/export/._catalog.csv": b"\x00\x05\x16\x07binary",
        }
    )
    res = im.load_files([("upload.zip", data)])
    assert sorted(d.format for d in res.files) == ["netflix_catalog", "top10_global"]
    assert "upload.zip/export/top10.tsv" in res.join_report
    assert any("macOS metadata" in n for n in res.notes)


def test_zip_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "data.zip"
    path.write_bytes(_zip({"u.data": _read("ml-100k/u.data"), "u.item": _read("ml-100k/u.item")}))
    res = im.load_source(path)
    assert set(res.tables) == {"ratings", "movies"}


@pytest.mark.parametrize(
    ("members", "symlink", "pattern"),
    [
        ({"../evil.csv": b"a,b\n1,2\n"}, None, "leaves the archive"),
        ({"data/../../evil.csv": b"a,b\n1,2\n"}, None, "leaves the archive"),
        ({"/etc/evil.csv": b"a,b\n1,2\n"}, None, "absolute path"),
        ({"C:/evil.csv": b"a,b\n1,2\n"}, None, "absolute path"),
        ({"ok.csv": b"a,b\n1,2\n"}, "link.csv", "symbolic link"),
        ({"run.py": b"print(1)\n"}, None, "unexpected file 'run.py'"),
        ({"inner.zip": b"PK\x03\x04"}, None, "unexpected file 'inner.zip'"),
        ({"[Content_Types].xml": b"<x/>"}, None, "Excel"),
        ({}, None, "no data files"),
    ],
)
def test_zip_rejects_unsafe_content(members: dict, symlink: str | None, pattern: str) -> None:
    with pytest.raises(im.ImportProblem, match=pattern):
        im.load_files([("up.zip", _zip(members, symlink=symlink))])


def test_zip_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    many = {f"f{i}.csv": b"a,b\n1,2\n" for i in range(5)}
    monkeypatch.setattr(im.limits, "MAX_ZIP_MEMBERS", 4)
    with pytest.raises(im.ImportProblem, match="contains 5 files"):
        im.read_upload("many.zip", _zip(many))
    monkeypatch.setattr(im.limits, "MAX_UNZIPPED_BYTES", 1000)
    bomb = _zip({"big.csv": b"a,b\n" + b"1,2\n" * 1000})
    assert len(bomb) < 1000
    with pytest.raises(im.ImportProblem, match="unpacked"):
        im.read_upload("bomb.zip", bomb)
    with pytest.raises(im.ImportProblem, match="not a readable zip"):
        im.read_upload("broken.zip", b"PK\x03\x04" + b"garbage" * 10)


def test_skip_unknown_is_explicit() -> None:
    zipped = _zip({"catalog.csv": _read("catalog.csv"), "README.txt": b"About this data\n"})
    with pytest.raises(im.ImportProblem, match="unknown format"):
        im.load_files([("up.zip", zipped)])
    res = im.load_files([("up.zip", zipped)], skip_unknown=True)
    assert [d.format for d in res.files] == ["netflix_catalog"]
    assert any("README.txt" in n and "skipped" in n for n in res.notes)
    # problems inside a recognised file are never skipped
    bad = _read("catalog.csv").replace(b"104 min", b"long")
    with pytest.raises(im.ImportProblem, match="duration"):
        im.load_files([("catalog.csv", bad)], skip_unknown=True)


def test_load_source_folder_skips_links_hidden_and_other_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "catalog.csv").write_bytes(_read("catalog.csv"))
    (tmp_path / ".hidden.csv").write_bytes(b"x")
    (tmp_path / "notes.md").write_text("# notes")
    (tmp_path / "link.csv").symlink_to(tmp_path / "sub" / "catalog.csv")
    res = im.load_source(tmp_path)
    assert [d.name for d in res.files] == ["sub/catalog.csv"]
    joined = " ".join(res.notes)
    assert "link.csv: skipped symbolic link" in joined and "notes.md: skipped" in joined
    assert ".hidden.csv: skipped hidden file" in joined
    with pytest.raises(im.ImportProblem, match="does not exist"):
        im.load_source(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(im.ImportProblem, match="holds no data files"):
        im.load_source(tmp_path / "empty")


# --------------------------------------------------------------------- robustness ----
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(str.encode),
        st.lists(
            st.lists(st.sampled_from(["1", "x", "", '"q', "N/A", "2h", "5", "a,b"]), max_size=6),
            max_size=6,
        ).map(
            lambda rows: (
                "userId,movieId,rating,timestamp\n" + "\n".join(",".join(r) for r in rows)
            ).encode()
        ),
    )
)
def test_sniff_never_crashes_on_noise(data: bytes) -> None:
    try:
        det = im.sniff("fuzz.csv", data)
    except im.ImportProblem:
        return
    assert det.rows == len(det.frame) > 0


_HEADERS = [
    _read("catalog.csv").split(b"\n", 1)[0].decode(),
    _read("top10_global.tsv").split(b"\n", 1)[0].decode().replace("\t", ","),
    _read("imdb.csv").split(b"\n", 1)[0].decode(),
    _read("final.csv").split(b"\n", 1)[0].decode(),
    _read("most_popular.tsv").split(b"\n", 1)[0].decode().replace("\t", ","),
    _read("engagement/users.csv").split(b"\n", 1)[0].decode(),
    "movieId,title,genres",
]
_CELLS = ["", "1", "2.5", "x", "N/A", "2h 5m", "90 min", "3 Seasons", "2021-07-04", "June 1, 2020"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(_HEADERS),
    st.lists(st.lists(st.sampled_from(_CELLS), min_size=1, max_size=30), min_size=1, max_size=5),
)
def test_known_formats_with_random_cells_never_crash(header: str, rows: list) -> None:
    width = header.count(",") + 1
    body = "\n".join(",".join((r * width)[:width]) for r in rows)
    try:
        res = im.load_files([("fuzz.csv", f"{header}\n{body}\n".encode())])
    except im.ImportProblem as exc:
        assert exc.kind in im.PROBLEM_KINDS and exc.kind != "other"
        return
    _assert_bronze(res.tables)


def test_million_ratings_import_fast() -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(0)
    n = 1_000_000
    table = pa.table(
        {
            "userId": rng.integers(1, 6000, n),
            "movieId": rng.integers(1, 4000, n),
            "rating": rng.integers(1, 11, n) / 2,
            "timestamp": rng.integers(900_000_000, 1_600_000_000, n),
        }
    )
    buf = io.BytesIO()
    pacsv.write_csv(table, buf, pacsv.WriteOptions(quoting_style="none"))
    started = time.perf_counter()
    res = im.load_files([("ratings.csv", buf.getvalue())])
    elapsed = time.perf_counter() - started
    assert len(res.tables["ratings"]) == n
    assert res.tables["ratings"]["rated_at"].str.len().eq(19).all()
    assert elapsed < 15, f"1M ratings took {elapsed:.1f}s"
