"""lib.data.importers on the real public files in ``<project root>/../shared/realdata``.

Skipped with a reason when that folder (or one of its files) is absent, e.g. on a fresh
machine. Nothing from those files is copied into the project: the tests only count.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from lib import config
from lib.data import importers as im

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(
        not REALDATA.is_dir(),
        reason=f"real data folder {REALDATA} is absent (optional test data)",
    ),
]

CATALOG = "netflix_titles/netflix_titles.csv"
TOP10 = "netflix_top10/all-weeks-global.tsv"
POPULAR = "netflix_top10/most-popular.tsv"
FINAL = "project4_top10/final_data.csv"
IMDB = "project4_top10/imdb_movie_data_2023_v2.csv"
LEGACY = "project4_top10/all-weeks-global.csv"
ENGAGEMENT = {
    "users": 10_300,
    "movies": 1_040,
    "watch_history": 105_000,
    "recommendation_logs": 52_000,
    "search_logs": 26_500,
    "reviews": 15_450,
}


def _path(rel: str) -> Path:
    path = REALDATA / rel
    if not path.exists():
        pytest.skip(f"real data file {path} is absent")
    return path


def _files(*rels: str) -> list[tuple[str, bytes]]:
    return [(Path(r).name, _path(r).read_bytes()) for r in rels]


@pytest.fixture(scope="module")
def combined() -> im.ImportResult:
    return im.load_files(_files(CATALOG, TOP10, IMDB, FINAL))


@pytest.mark.parametrize(
    ("rel", "fmt", "rows", "encoding"),
    [
        (CATALOG, "netflix_catalog", 8_807, "utf-8"),
        (TOP10, "top10_global", 10_560, "utf-8"),
        (POPULAR, "top10_most_popular", 40, "utf-8"),
        (FINAL, "imdb_top10_final", 1_734, "utf-8"),
        (IMDB, "imdb_movies", 1_950, "utf-8"),
        (LEGACY, "top10_global_legacy", 5_160, "cp1252"),
    ]
    + [
        (f"engagement_pipeline/{t}.csv", f"engagement_{t}", n, "utf-8")
        for t, n in ENGAGEMENT.items()
    ],
)
def test_each_real_file_is_detected_with_all_rows(
    rel: str, fmt: str, rows: int, encoding: str
) -> None:
    det = im.sniff(Path(rel).name, _path(rel).read_bytes())
    assert (det.format, det.rows, det.encoding) == (fmt, rows, encoding)
    assert len(det.frame) == rows
    assert set(det.mapping) == set(det.columns)


def test_catalog_bronze() -> None:
    res = im.load_files(_files(CATALOG))
    m = res.tables["movies"]
    assert len(m) == 8_807
    assert list(m.columns) == list(config.BRONZE_TABLES["movies"])
    assert m["content_type"].value_counts().to_dict() == {"Movie": 6_131, "TV Series": 2_676}
    assert m["added_to_platform"].notna().sum() == 8_797  # 10 titles have no date_added
    assert m["added_to_platform"].dropna().str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    films = m["content_type"] == "Movie"
    assert m.loc[films, "duration_minutes"].notna().all()  # incl. the 3 moved from 'rating'
    assert m.loc[~films, "number_of_seasons"].notna().all()
    assert not m["rating"].str.contains("min", na=False).any()
    assert any("3 row(s) held a duration in 'rating'" in n for n in res.notes)
    assert not m["genres"].str.contains(", ", na=False).any()
    assert not m["country_of_origin"].str.endswith("|", na=False).any()


def test_top10_bronze_keeps_na_marker() -> None:
    res = im.load_files(_files(TOP10))
    w = res.tables["top10_weekly"]
    assert len(w) == 10_560
    assert (w["season_title"] == "N/A").sum() > 5_000
    assert w["season_title"].notna().all()
    assert w["weekly_views"].isna().sum() == 4_080  # views started in June 2023
    assert set(w["category"]) == {
        "Films (English)",
        "Films (Non-English)",
        "TV (English)",
        "TV (Non-English)",
    }
    assert w["movie_id"].notna().all()
    assert set(w["movie_id"]) <= set(res.tables["movies"]["movie_id"])  # minimal movies rows


def test_legacy_top10_is_read_from_cp1252() -> None:
    det = im.sniff("all-weeks-global.csv", _path(LEGACY).read_bytes())
    titles = det.frame["show_title"]
    assert titles.str.contains("\u2019").any()  # cp1252 0x92 -> right single quote
    assert not titles.str.contains("\ufffd").any()


def test_imdb_and_final_data_bronze() -> None:
    res = im.load_files(_files(FINAL))
    m, t = res.tables["movies"], res.tables["top10_titles"]
    assert len(m) == len(t) == 1_734
    assert pd.to_numeric(m["duration_minutes"]).between(30, 400).all()
    assert not m["cast"].str.contains("''", na=False).any()
    assert set(t["in_top10"]) == {"0", "1"}
    res = im.load_files(_files(IMDB))
    m = res.tables["movies"]
    assert len(m) == 1_950
    assert pd.to_numeric(m["imdb_votes"]).notna().sum() == 1_944


def test_engagement_folder_row_counts() -> None:
    folder = REALDATA / "engagement_pipeline"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    res = im.load_source(folder)
    assert {k: len(v) for k, v in res.tables.items()} == ENGAGEMENT
    for table, frame in res.tables.items():
        assert list(frame.columns[: len(config.BRONZE_TABLES[table])]) == list(
            config.BRONZE_TABLES[table]
        )
    assert any("duplicate value(s) in id column 'user_id'" in n for n in res.notes)


def test_combined_join_reports_match_rate(combined: im.ImportResult) -> None:
    report = combined.join_report
    assert set(report) == {"all-weeks-global.tsv", "imdb_movie_data_2023_v2.csv", "final_data.csv"}
    top = report["all-weeks-global.tsv"]
    assert 0 < top["matched"] < top["titles"]
    assert top["matched"] + top["ambiguous"] + top["unmatched"] == top["titles"]
    assert 0.05 < top["match_rate"] < 0.9
    assert "Top 10 titles matched to netflix_titles.csv" in top["message"]
    assert top["message"] in combined.notes
    imdb = report["imdb_movie_data_2023_v2.csv"]
    assert imdb["titles"] == 1_950 and 0 < imdb["matched"] < 1_950
    assert report["final_data.csv"]["matched"] == 1_734  # every final_data row is in the IMDb table
    w = combined.tables["top10_weekly"]
    catalog_ids = set(combined.tables["movies"]["movie_id"])
    assert w["movie_id"].isin(catalog_ids).sum() == top["rows_matched"]
    assert len(combined.tables["top10_titles"]) == 1_734


def test_reading_catalog_and_top10_is_fast() -> None:
    files = _files(CATALOG, TOP10)
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        im.load_files(files)
        best = min(best, time.perf_counter() - started)
        if best < 3:
            break
    assert best < 3, f"catalog + Top 10 took {best:.2f}s"
