"""Netflix "What We Watched" engagement reports: hand-made workbooks of each layout.

The workbooks are written here with openpyxl from invented rows, in the published layout:
column A empty, the report's name on row 2, the period line on row 3, the header on row 6.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from lib import config
from lib.data import importers as im
from lib.data.importers.formats.reports import base_title, parse_period
from tests.conftest import realdata

FIX = Path(__file__).parent / "fixtures"
OLD = ("Title", "Available Globally?", "Release Date", "Hours Viewed")
NEW = (*OLD, "Runtime", "Views")


def workbook(sheets: dict[str, tuple[str | None, tuple, list[tuple]]]) -> bytes:
    """An .xlsx with one sheet per entry: (period line, header, rows) in the report layout."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, (period, header, rows) in sheets.items():
        ws = book.create_sheet(name)
        ws.cell(2, 2, "What We Watched: A Netflix Engagement Report")
        if period is not None:
            ws.cell(3, 2, period)
        for j, h in enumerate(header):
            ws.cell(6, 2 + j, h)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                ws.cell(7 + i, 2 + j, value)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


H1_2024 = {
    "TV": (
        "Views from January to June 2024",
        NEW,
        [
            ("Orbit Academy: Season 2", "Yes", "2024-02-01", 40_100_000, "8:30", 4_700_000),
            ("Orbit Academy: Season 1", "Yes", "2022-05-05", 9_800_000, "7:15", 1_350_000),
            ("Kitchen Wars: Limited Series", "No", None, 300_000, "3:05", 100_000),
            ("Quiet Fields // Champs Calmes: Season 1", "No", None, 100_000, "*", 100_000),
        ],
    ),
    "Film": (
        "Views from January to June 2024",
        NEW,
        [
            ("The Lighthouse Keeper", "Yes", dt.date(2024, 3, 8), 12_300_000, "1:44", 7_100_000),
            ("Night Market", "No", "", 1_000_000, "1:28", 700_000),
            (1917, "No", None, 200_000, "1:59", 100_000),
        ],
    ),
}
H1_2023 = {
    "Engagement": (
        "Hours viewed from January to June 2023",
        OLD,
        [
            ("Orbit Academy: Season 1", "Yes", "2022-05-05", 61_000_000),
            ("The Lighthouse Keeper", "Yes", None, 9_000_000),
            ("Paper Moons", "No", None, 500_000),
        ],
    ),
}


def _report(res: im.ImportResult) -> pd.DataFrame:
    return res.tables["engagement_report"]


def test_later_layout_tv_and_film_sheets() -> None:
    # the file name says 2019: the period comes from the sheet's subtitle
    det = im.sniff("What_We_Watched_2019.xlsx", workbook(H1_2024))
    assert det.format == "netflix_engagement_report"
    assert det.sheets == {"TV": 4, "Film": 3} and det.rows == 7 and det.encoding == "xlsx"
    res = im.load_files([("What_We_Watched_2019.xlsx", workbook(H1_2024))])
    r = _report(res)
    assert list(r.columns) == list(config.BRONZE_TABLES["engagement_report"])
    assert set(r["report"]) == {"What We Watched 2024 Jan-Jun"}
    assert set(r["period_start"]) == {"2024-01-01"} and set(r["period_end"]) == {"2024-06-30"}
    assert r["kind"].tolist() == ["tv"] * 4 + ["film"] * 3
    row = r.iloc[0]
    assert row["title"] == "Orbit Academy: Season 2"  # as published
    assert (row["available_globally"], row["release_date"]) == ("Yes", "2024-02-01")
    assert (row["hours_viewed"], row["runtime_minutes"], row["views"]) == (
        "40100000",
        "510",
        "4700000",
    )
    assert r.loc[4, "release_date"] == "2024-03-08"  # a date cell
    assert pd.isna(r.loc[5, "release_date"])  # an empty text cell
    assert r.loc[6, "title"] == "1917"  # a title Excel stored as a number
    assert pd.isna(r.loc[3, "runtime_minutes"]) and r.loc[3, "hours_viewed"] == "100000"
    assert any("1 row(s) have Runtime '*'" in n for n in res.notes)
    # no catalog: one title per show (seasons together), minimal movies rows for them
    assert r.loc[0, "movie_id"] == r.loc[1, "movie_id"]
    assert r["movie_id"].str.startswith("report-").all()
    movies = res.tables["movies"].set_index("movie_id")
    assert movies.loc[r.loc[0, "movie_id"], "title"] == "Orbit Academy"
    assert movies.loc[r.loc[0, "movie_id"], "content_type"] == "TV Series"
    assert len(movies) == 6


def test_first_layout_single_sheet_four_columns() -> None:
    res = im.load_files([("report.xlsx", workbook(H1_2023))])
    r = _report(res)
    assert set(r["report"]) == {"What We Watched 2023 Jan-Jun"}
    assert set(r["period_start"]) == {"2023-01-01"} and set(r["period_end"]) == {"2023-06-30"}
    assert r["runtime_minutes"].isna().all() and r["views"].isna().all()
    # no film/TV split: a season suffix decides TV, the rest stays unknown
    assert r["kind"].tolist()[0] == "tv" and r["kind"].iloc[1:].isna().all()
    assert any("2023 H1 layout" in n and "'tv' for the 1 titles" in n for n in res.notes)


def test_several_reports_are_several_periods_and_link_to_the_catalog() -> None:
    files = [
        ("catalog.csv", (FIX / "catalog.csv").read_bytes()),
        ("h1_2023.xlsx", workbook(H1_2023)),
        ("h1_2024.xlsx", workbook(H1_2024)),
    ]
    res = im.load_files(files)
    r = _report(res)
    assert sorted(set(r["period_start"])) == ["2023-01-01", "2024-01-01"]
    by = r.set_index(["period_start", "title"])["movie_id"]
    # season suffix left out for TV: "Orbit Academy: Season 2" is catalog title c2
    assert by[("2024-01-01", "Orbit Academy: Season 2")] == "c2"
    assert by[("2023-01-01", "Orbit Academy: Season 1")] == "c2"
    assert by[("2024-01-01", "The Lighthouse Keeper")] == "c1"
    assert by[("2023-01-01", "The Lighthouse Keeper")] == "c1"  # kind unknown: title decides
    assert by[("2023-01-01", "Paper Moons")] == "c4"
    jr = res.join_report["h1_2024.xlsx"]
    # 6 distinct titles: Orbit Academy, Kitchen Wars, Quiet Fields, Lighthouse, Night Market,
    # 1917; matched: Orbit Academy (c2), Lighthouse (c1), Night Market (c3) -> 3 of 6
    assert (jr["matched"], jr["titles"], jr["rows"], jr["rows_matched"]) == (3, 6, 7, 4)
    assert jr["message"].startswith(
        "h1_2024.xlsx: 3 of 6 report titles matched to catalog.csv (50.0%)"
    )
    assert jr["message"] in res.notes
    assert r.loc[r["title"] == "Night Market", "movie_id"].tolist() == ["c3"]
    # unmatched titles keep an id of their own; no minimal movies rows with a catalog
    assert r.loc[r["title"] == "1917", "movie_id"].iloc[0].startswith("report-")
    assert len(res.tables["movies"]) == 6


def test_report_titles_link_to_top10_titles_without_a_catalog() -> None:
    files = [
        ("top10.tsv", (FIX / "top10_global.tsv").read_bytes()),
        ("report.xlsx", workbook(H1_2024)),
    ]
    res = im.load_files(files)
    r = _report(res).set_index("title")["movie_id"]
    w = res.tables["top10_weekly"].set_index("show_title")["movie_id"]
    assert r["Orbit Academy: Season 2"] == w["Orbit Academy"]
    assert r["The Lighthouse Keeper"] == w["The Lighthouse Keeper"].iloc[0]
    assert res.join_report["report.xlsx"]["target"] == "top10.tsv"


def test_alternative_title_after_slashes_is_tried() -> None:
    catalog = (
        b"show_id,type,title,release_year,duration,listed_in\n"
        b"q1,TV Show,Champs Calmes,2023,1 Season,TV Dramas\n"
    )
    res = im.load_files([("c.csv", catalog), ("r.xlsx", workbook(H1_2024))])
    r = _report(res).set_index("title")["movie_id"]
    assert r["Quiet Fields // Champs Calmes: Season 1"] == "q1"


def test_helpers() -> None:
    assert parse_period("Views from January to June 2024") == (
        dt.date(2024, 1, 1),
        dt.date(2024, 6, 30),
    )
    assert parse_period("Hours viewed from July to December 2023") == (
        dt.date(2023, 7, 1),
        dt.date(2023, 12, 31),
    )
    assert parse_period("Views from July 2024 to December 2024")[1] == dt.date(2024, 12, 31)
    assert parse_period("no period here") is None
    assert base_title("Bridgerton: Season 3") == "Bridgerton"
    assert base_title("Fool Me Once: Limited Series") == "Fool Me Once"
    assert base_title("Dune: Part Two") == "Dune"  # applied to TV titles only
    assert base_title("Baby Reindeer") == "Baby Reindeer"


# -------------------------------------------------------------------------- bad input ----
def test_missing_period_line_is_refused() -> None:
    data = workbook({"TV": (None, NEW, [("A: Season 1", "Yes", None, 100_000, "1:00", 1)])})
    with pytest.raises(im.ImportProblem, match="sheet 'TV' has no period line.*Views from"):
        im.sniff("r.xlsx", data)


@pytest.mark.parametrize(
    ("row", "column", "expected"),
    [
        (("X", "Yes", None, "lots", "1:00", 1), "Hours Viewed", "a number"),
        (("X", "Yes", None, 100, "90 min", 1), "Runtime", "h:mm"),
        (("X", "Maybe", None, 100, "1:00", 1), "Available Globally?", "Yes or No"),
        (("X", "Yes", "8 March 2024", 100, "1:00", 1), "Release Date", "2024-03-08"),
        (("X", "Yes", None, -5, "1:00", 1), "Hours Viewed", "0 or more"),
        ((None, "Yes", None, 100, "1:00", 1), "Title", "a title"),
    ],
)
def test_bad_cells_name_sheet_column_and_sheet_row(row, column, expected) -> None:
    good = ("Fine", "Yes", None, 100, "1:00", 1)
    data = workbook({"Film": ("Views from January to June 2024", NEW, [good, row])})
    with pytest.raises(im.ImportProblem) as err:
        im.sniff("r.xlsx", data)
    e = err.value
    assert (e.column, e.row, e.line, e.kind) == (column, 2, 8, "bad_value")
    assert "sheet 'Film'" in str(e) and "(sheet row 8)" in str(e) and expected in str(e)


def test_header_without_required_columns_is_named() -> None:
    data = workbook({"TV": ("Views from January to June 2024", ("Title", "Hours Viewed"), [])})
    with pytest.raises(im.ImportProblem, match="lacks Available Globally\\?, Release Date"):
        im.sniff("r.xlsx", data)


def test_other_workbooks_and_office_files_get_clear_messages() -> None:
    book = openpyxl.Workbook()
    book.active.append(["show_id", "title"])
    buf = io.BytesIO()
    book.save(buf)
    with pytest.raises(im.ImportProblem, match="Excel workbook but none of its sheets") as err:
        im.sniff("catalog.xlsx", buf.getvalue())
    assert "CSV UTF-8" in str(err.value)
    with pytest.raises(im.ImportProblem, match="old Excel .xls"):
        im.sniff("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)


def _rezip(data: bytes, extra: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        for name, content in extra.items():
            dst.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_workbook_archive_limits_apply_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    data = workbook(H1_2024)
    bomb = _rezip(data, {"xl/media/padding.bin": b"\x00" * (20 << 20)})
    with pytest.raises(im.ImportProblem, match="unpacks .* times larger.*zip bomb"):
        im.sniff("r.xlsx", bomb)
    monkeypatch.setattr(im.limits, "MAX_WORKBOOK_MEMBERS", 5)
    with pytest.raises(im.ImportProblem, match="workbook of .* parts"):
        im.sniff("r.xlsx", data)
    monkeypatch.setattr(im.limits, "MAX_WORKBOOK_MEMBERS", 256)
    monkeypatch.setattr(im.limits, "MAX_WORKBOOK_BYTES", 2000)
    with pytest.raises(im.ImportProblem, match="unpacked.*over the size limit"):
        im.sniff("r.xlsx", data)
    evil = _rezip(data, {"../evil.xml": b"<x/>"})
    monkeypatch.setattr(im.limits, "MAX_WORKBOOK_BYTES", 256 << 20)
    with pytest.raises(im.ImportProblem, match="leaves the archive"):
        im.sniff("r.xlsx", evil)


def test_workbook_in_a_zip_and_in_a_folder(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("reports/h1.xlsx", workbook(H1_2024))
        zf.writestr("reports/catalog.csv", (FIX / "catalog.csv").read_bytes())
    res = im.load_files([("reports.zip", buf.getvalue())])
    assert "reports.zip/reports/h1.xlsx" in res.join_report
    (tmp_path / "h1.xlsx").write_bytes(workbook(H1_2023))
    assert len(im.load_source(tmp_path).tables["engagement_report"]) == 3


# -------------------------------------------------------------------------- real data ----
@pytest.mark.realdata
def test_real_2024_h1_report() -> None:
    path = realdata(
        "netflix_engagement_report",
        "What_We_Watched_A_Netflix_Engagement_Report_2024Jan-Jun.xlsx",
    )
    det = im.sniff(path.name, path.read_bytes())
    assert det.sheets == {"TV": 6_801, "Film": 9_360}
    res = im.load_files([(path.name, path.read_bytes())])
    r = _report(res)
    assert len(r) == 16_161
    assert r["kind"].value_counts().to_dict() == {"film": 9_360, "tv": 6_801}
    assert set(r["report"]) == {"What We Watched 2024 Jan-Jun"}
    assert set(r["period_end"]) == {"2024-06-30"}
    assert r["hours_viewed"].notna().all() and r["views"].notna().all()
    assert r["runtime_minutes"].isna().sum() == 188  # the rows Netflix marks '*'
    assert r["release_date"].notna().sum() == 16_161 - 11_092
    assert set(r["available_globally"]) == {"Yes", "No"}
    # two films called "Monster" (2021, 2024) stay two titles
    monster = r[(r["title"] == "Monster") & (r["kind"] == "film")]
    assert len(monster) == 2 and monster["movie_id"].nunique() == 2
