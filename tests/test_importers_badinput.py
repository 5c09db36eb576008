"""Nothing valid refused, nothing silently changed (issue 15): one test per bad input.

Each case names the file, column, value or line and what was expected, and what the importer
or silver does with the data is said in the notes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from lib.data import importers as im
from lib.data.importers.decoding import _stray_char, decode
from lib.data.store import load_layer

FIX = Path(__file__).parent / "fixtures"
CATALOG_HEADER = b"show_id,type,title,director,cast,country,date_added,release_year,rating,"
CATALOG_HEADER += b"duration,listed_in,description\n"


def _read(rel: str) -> bytes:
    return (FIX / rel).read_bytes()


# ------------------------------------------------------- imports with no titles table ----
NO_TITLES = [
    ("reviews.csv", "engagement/reviews.csv", "reviews"),
    ("watch_history.csv", "engagement/watch_history.csv", "watch_history"),
    ("u.data", "ml-100k/u.data", "ratings"),
]


@pytest.mark.parametrize(("name", "rel", "table"), NO_TITLES)
def test_files_without_a_titles_table_import(name: str, rel: str, table: str) -> None:
    res = im.load_files([(name, _read(rel))])
    assert list(res.tables) == [table]
    assert len(res.tables[table]) == len(_read(rel).strip().splitlines()) - (table != "ratings")


@pytest.mark.parametrize(("name", "rel", "table"), NO_TITLES)
def test_files_without_a_titles_table_build(tmp_path, name: str, rel: str, table: str) -> None:
    res = im.load_files([(name, _read(rel))])
    report = im.build_import(res, data_dir=tmp_path / "ds", name="ds", source=name)
    assert report["invariants"][table]["holds"]


# ---------------------------------------------------- required columns empty everywhere ----
def test_catalog_with_required_columns_empty_on_every_row_is_refused() -> None:
    rows = b"c1,Movie,,,,,,2019,PG,,,A film.\nc2,TV Show,,,,,,2020,TV-14,,,A show.\n"
    with pytest.raises(im.ImportProblem) as err:
        im.sniff("catalog.csv", CATALOG_HEADER + rows)
    e = err.value
    assert (e.kind, e.file, e.column) == ("empty", "catalog.csv", "title")
    assert "no value in required column 'title' on any of its 2 rows" in str(e)


def test_optional_column_empty_on_every_row_is_only_noted() -> None:
    rows = b"c1,Movie,Film A,,,,,2019,,90 min,Dramas,\n"
    det = im.sniff("catalog.csv", CATALOG_HEADER + rows)
    assert any("empty in every row" in n and "description" in n for n in det.notes)


# ------------------------------------------------------------------ future dates ----
def test_future_date_notes_say_what_silver_does(tmp_path: Path) -> None:
    today = dt.date.today()
    future = today + dt.timedelta(days=30)
    catalog = (
        CATALOG_HEADER
        + (
            f'c1,Movie,Film A,,,,"{future:%B} {future.day}, {future.year}",{today.year + 10},'
            f',90 min,Dramas,\nc2,Movie,Film B,,,,"March 3, 2020",2019,,95 min,Comedies,\n'
        ).encode()
    )
    stamp = int(pd.Timestamp(future).timestamp())
    past = "".join(f"{u},c2,3,{1_500_000_000 + u * 86_400 * 40}\n" for u in range(2, 10))
    ratings = f"userId,movieId,rating,timestamp\n1,c1,4,{stamp}\n{past}".encode()
    res = im.load_files([("catalog.csv", catalog), ("ratings.csv", ratings)])
    notes = " ".join(res.notes)
    assert "1 date(s) in column 'date_added' lie in the future" in notes
    assert "silver keeps these rows and sets the dates missing (counted as repairs)" in notes
    assert "1 timestamp(s) in column 'timestamp' lie in the future" in notes
    assert "silver rejects these rows" in notes
    assert f"1 release year(s) in column 'release_year' lie outside 1880-{today.year + 1}" in notes
    # ... and silver does exactly that
    report = im.build_import(res, data_dir=tmp_path / "ds", name="ds", source="t")
    silver = load_layer(tmp_path / "ds", "silver")
    movies = silver["movies"].set_index("movie_id")
    assert len(movies) == 2 and pd.isna(movies.loc["c1", "added_to_platform"])
    assert pd.isna(movies.loc["c1", "release_year"])
    assert report["silver"]["ratings"]["rejected"] == 1 and len(silver["ratings"]) == 8


# -------------------------------------------------------------------- encodings ----
def test_one_stray_cp1252_byte_in_a_utf8_file_is_reported_not_spread() -> None:
    text = "movieId,title,genres\n1,Amélie,Comedy\n2,Café,Drama\n3,Noël,Drama\n"
    data = text.encode("utf-8").replace("Café".encode(), b"Caf\xe9")
    det = im.sniff("movies.csv", data)
    assert det.encoding == "utf-8 + cp1252"
    assert det.frame["title"].tolist() == ["Amélie", "Café", "Noël"]  # no "AmÃ©lie"
    (note,) = [n for n in det.notes if "not valid UTF-8" in n]
    assert "1 byte(s) on 1 line(s)" in note and "byte 6 of line 3 (0xE9" in note
    assert "'é'" in note and "every other character as UTF-8" in note


def test_a_whole_cp1252_file_is_still_decoded_as_cp1252() -> None:
    data = "movieId,title,genres\n1,Café,Drama\n".encode("cp1252")
    det = im.sniff("movies.csv", data)
    assert det.encoding == "cp1252" and det.frame["title"].tolist() == ["Café"]


# ---------------------------------------------------------------- line numbers ----
def test_line_numbers_count_blank_lines() -> None:
    data = b"userId,movieId,rating,timestamp\n\n1,1,4,964982703\n1,2,five,964982703\n"
    with pytest.raises(im.ImportProblem) as err:
        im.sniff("ratings.csv", data)
    assert (err.value.row, err.value.line) == (2, 4)
    assert "row 2 (line 4)" in str(err.value)
    data = b"\nuserId,movieId,rating,timestamp\n1,1,4,964982703\n\n\n1,2,3\n"
    with pytest.raises(im.ImportProblem) as err:
        im.sniff("ratings.csv", data)
    assert err.value.line == 6 and err.value.kind == "malformed"


def test_line_numbers_count_blank_lines_in_headerless_files() -> None:
    good = b"".join(b"%d\t242\t3\t881250949\n" % i for i in range(1, 61))  # 60 lines
    data = good + b"\n\n" + b"61\t242\t3.5x\t881250949\n"  # a bad rating past the sample
    with pytest.raises(im.ImportProblem) as err:
        im.sniff("u.data", data)
    assert (err.value.column, err.value.row, err.value.line) == ("rating", 61, 63)


# --------------------------------------------------------- Top 10 not in the catalog ----
def test_top10_rows_matching_no_catalog_title_are_kept_with_their_own_ids() -> None:
    res = im.load_files(
        [("catalog.csv", _read("catalog.csv")), ("top10.tsv", _read("top10_global.tsv"))]
    )
    w = res.tables["top10_weekly"]
    assert len(w) == 6 and w["movie_id"].notna().all()
    catalog = set(res.tables["movies"]["movie_id"])
    outside = w[~w["movie_id"].isin(catalog)]
    # Harbor Lights is not in the catalog; "The Office Hours" could be c5 or c6: not guessed
    assert set(outside["show_title"]) == {"Harbor Lights", "The Office Hours"}
    assert outside["movie_id"].str.startswith("top10-").all()
    jr = res.join_report["top10.tsv"]
    assert (jr["matched"], jr["ambiguous"], jr["titles"]) == (3, 1, 5)
    assert (jr["rows"], jr["rows_matched"]) == (6, 4)  # Lighthouse twice, Night Market, Orbit


@settings(max_examples=200, deadline=None)
@given(
    hst.lists(
        hst.text(hst.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12),
        min_size=2,
        max_size=6,
    ),
    hst.sampled_from([0xE9, 0x92, 0xFC, 0x80]),
)
def test_stray_bytes_never_change_the_utf8_text_around_them(parts: list[str], stray: int):
    """Joining UTF-8 pieces with a stray byte: every piece comes back unchanged."""
    data = bytes([stray]).join(p.encode("utf-8") for p in parts)
    dec = decode("x.csv", b"a\n" + data)
    want = _stray_char(stray).join(parts)
    assert dec.text == "a\n" + want
    multibyte = any(not p.isascii() for p in parts)
    assert dec.encoding == ("utf-8 + cp1252" if multibyte else "cp1252")
