"""Import data page: AppTest with real uploads of the hand-written fixtures, and the helpers.

Every test writes only under the session's temporary data root (``data_root``), never the
project's ``data/`` folder, and removes the datasets it saved.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst

from lib.config import DEMO_NAME, PROJECT_ROOT
from lib.data import importers
from lib.data.store import PREVIEWS, list_datasets, load_manifest
from lib.ui import importing as imp
from tests.app.conftest import open_page

FIX = Path(__file__).resolve().parents[1] / "fixtures"
MIME = {"csv": "text/csv", "tsv": "text/tab-separated-values", "zip": "application/zip"}


def _upload(*rels: str) -> list[tuple[str, bytes, str]]:
    return [
        (Path(r).name, (FIX / r).read_bytes(), MIME.get(r.rsplit(".", 1)[-1], "text/plain"))
        for r in rels
    ]


def _plain(text: str) -> str:
    """Markdown shown by the page without md_escape's backslashes and bold markers."""
    return text.replace("\\", "").replace("**", "")


def _texts(at, kind: str) -> list[str]:
    return [_plain(e.value) for e in getattr(at, kind)]


def _markdown(at) -> str:
    return "\n".join(_texts(at, "markdown"))


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every stored file (preview builds in .previews/ are staging, not stored datasets)."""
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".build.lock" not in p.name and p.relative_to(root).parts[0] != PREVIEWS
    }


@pytest.fixture
def cleanup(data_root: Path):
    """Delete every dataset a test created (the demo is never touched)."""
    before = set(list_datasets(data_root))
    yield
    for name in set(list_datasets(data_root)) - before:
        imp.delete_dataset(name)


@pytest.fixture
def page(app):
    return open_page(app, "import_data")


def _upload_and_run(at, files):
    at.file_uploader(key="import_uploads").set_value(files)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ------------------------------------------------------------------------- the page ----
def test_page_shows_empty_state_and_supported_formats(page):
    at = page
    assert [t.value for t in at.title] == ["Import data"]
    up = at.file_uploader(key="import_uploads")
    assert up.accept_multiple_files
    assert any("Upload one or more files" in t for t in _texts(at, "info"))
    formats = _markdown(at)
    for name in importers.FORMATS:
        assert f"{name}:" in formats
    assert "netflix_catalog: streaming catalog" in formats
    assert "`show_id`" in formats and "`listed_in`" in formats
    assert imp.format_table().set_index("format").loc["movielens_ratings", "required columns"] == (
        "userid, movieid, rating, timestamp"
    )
    assert not at.error
    assert "import_save" not in [b.key for b in at.button]
    assert "Datasets on this server" in [s.value for s in at.subheader]


def test_valid_catalog_shows_format_preview_mapping_and_quality_report(page):
    at = _upload_and_run(page, _upload("catalog.csv"))
    assert not at.error, _texts(at, "error")
    md = _markdown(at)
    assert "Recognised as netflix_catalog" in md
    assert "encoding utf-8" in md and "6 rows" in md
    frames = [d.value for d in at.dataframe]
    preview = next(f for f in frames if "show_id" in f.columns)
    assert len(preview) == 6 and preview["show_id"].tolist()[0] == "c1"
    mapping = next(f for f in frames if "column in the file" in f.columns)
    assert dict(zip(mapping.iloc[:, 0], mapping.iloc[:, 1]))["show_id"] == "movies.movie_id"
    assert any("held a duration in 'rating'" in t for t in _texts(at, "info"))
    labels = {m.label: m.value for m in at.metric}
    for layer in ("Bronze layer", "Silver layer", "Gold layer"):
        assert labels[layer].endswith("/ 100")
    assert labels["Row accounting"] == "balanced"
    assert any("movies" in f["table"].tolist() for f in frames if "bronze rows" in f.columns)
    assert "Engagement needs watch history" in md
    assert "Top 10 predictor needs Top 10 labels" in md or not (
        Path(PROJECT_ROOT / "pages/top10.py").is_file()
    )
    save = at.button(key="import_save")
    assert not save.disabled
    assert at.text_input(key="import_name").value == "catalog"


def test_catalog_top10_imdb_show_the_join_report_with_match_rates(page):
    files = _upload("catalog.csv", "top10_global.tsv", "imdb.csv")
    at = _upload_and_run(page, files)
    assert not at.error, _texts(at, "error")
    metrics = {m.label: m.value for m in at.metric}
    # by hand (see test_importers.test_combined_join_reports_match_rate_and_does_not_guess):
    # Top 10: 3 of 5 titles matched; IMDb: 2 of 4 (same year, +-1 year; one other film, one new)
    assert metrics["Top 10 titles matched"] == "60.0%"
    assert metrics["IMDb titles matched"] == "50.0%"
    join = next(d.value for d in at.dataframe if "match rate" in d.value.columns)
    assert set(join["file"]) == {"top10_global.tsv", "imdb.csv"}
    assert join.set_index("file").loc["top10_global.tsv", "matched"] == 3


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("photo.csv", bytes(range(256)) * 8, "is not a text file"),
        ("sales.csv", b"region,revenue\nEU,100\nUS,200\n", "unknown format"),
        ("header_only.csv", (FIX / "catalog.csv").read_bytes().splitlines()[0] + b"\n", "no data"),
        ("empty.csv", b"", "is empty"),
        (
            "badyear.csv",
            b"show_id,type,title,release_year,duration,listed_in\nc1,Movie,X,20x9,90 min,Dramas\n",
            "column 'release_year' at row 1",
        ),
        ("book.zip", b"PK\x03\x04 not really a zip", "zip archive"),
    ],
)
def test_bad_file_gives_a_clear_error_naming_it_and_others_still_show(page, name, data, expected):
    at = _upload_and_run(page, [(name, data, "text/csv"), *_upload("catalog.csv")])
    errors = _texts(at, "error")
    assert any(e.startswith(f"{name}:") and expected in e for e in errors), errors
    assert any("1 of 2 file(s) cannot be imported" in e for e in errors)
    assert "Recognised as netflix_catalog" in _markdown(at)  # the good file still shows
    assert at.button(key="import_save").disabled
    assert not at.exception


def test_unknown_format_points_to_the_format_list_instead_of_repeating_it(page):
    at = _upload_and_run(page, [("sales.csv", b"region,revenue\nEU,100\n", "text/csv")])
    (err,) = [e for e in _texts(at, "error") if e.startswith("sales.csv")]
    assert "Headers seen: region, revenue" in err
    assert "Supported formats" in err and "engagement_reviews" not in err


def test_upload_over_the_size_limit_is_refused_with_a_message(page, monkeypatch):
    monkeypatch.setattr(importers.limits, "MAX_UPLOAD_BYTES", 200)
    at = _upload_and_run(page, _upload("catalog.csv"))
    (err,) = [e for e in _texts(at, "error") if e.startswith("catalog.csv")]
    assert "over the upload limit" in err


def test_uploaded_values_and_names_are_never_rendered_as_html(page):
    title = "<img src=x onerror=alert(1)> **bold** [link](http://e.com)"
    body = (
        "show_id,type,title,release_year,duration,listed_in\n"
        f'c1,Movie,"{title}",2019,90 min,Dramas\n'
    ).encode()
    at = _upload_and_run(page, [("x_[y](z)<b>.csv", body, "text/csv")])
    preview = next(d.value for d in at.dataframe if "show_id" in d.value.columns)
    assert preview.loc[0, "title"] == title  # shown as data in a grid
    for e in [*at.markdown, *at.error, *at.info, *at.warning, *at.caption]:
        assert "<img" not in e.value and "<b>" not in e.value
        assert "](http" not in e.value


def test_zip_of_several_files_is_unpacked_and_each_member_reported(page):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("export/catalog.csv", (FIX / "catalog.csv").read_bytes())
        zf.writestr("export/top10_global.tsv", (FIX / "top10_global.tsv").read_bytes())
    at = _upload_and_run(page, [("export.zip", buf.getvalue(), "application/zip")])
    md = _markdown(at)
    assert "export.zip/export/catalog.csv" in md and "Recognised as top10_global" in md
    assert "Top 10 titles matched" in {m.label for m in at.metric}


def test_save_builds_the_dataset_and_switches_the_picker(page, data_root, cleanup):
    at = _upload_and_run(page, _upload("catalog.csv", "top10_global.tsv"))
    at.text_input(key="import_name").set_value("fixture_import").run()
    assert not at.button(key="import_save").disabled
    at.button(key="import_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert (data_root / "fixture_import" / "manifest.json").is_file()
    assert "fixture_import" in list_datasets(data_root)
    manifest = load_manifest(data_root / "fixture_import")
    assert manifest["kind"] == "import" and manifest["rows"]["titles"] == 6
    rates = {f: jr["match_rate"] for f, jr in manifest["import"]["join_report"].items()}
    assert rates == {"top10_global.tsv": pytest.approx(0.6)}
    assert at.session_state["ds"] == "fixture_import"
    assert any("Saved dataset fixture_import" in s for s in _texts(at, "success"))
    assert "Engagement needs watch history" in _markdown(at)
    assert at.button(key="import_save").disabled  # already saved under this name
    # the new dataset is what the other pages now read
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    assert any("fixture_import" in _plain(c.value) for c in at.caption)


def test_saving_as_demo_is_refused_and_the_demo_is_unchanged(page, data_root):
    before = _snapshot(data_root / DEMO_NAME)
    at = _upload_and_run(page, _upload("catalog.csv"))
    for bad in ("demo", "Demo"):
        at.text_input(key="import_name").set_value(bad).run()
        assert any("built-in demo dataset" in e for e in _texts(at, "error"))
        assert at.button(key="import_save").disabled
    with pytest.raises(ValueError, match="demo"):
        imp.save_dataset([("catalog.csv", (FIX / "catalog.csv").read_bytes())], "demo")
    assert _snapshot(data_root / DEMO_NAME) == before


@pytest.mark.parametrize("bad", ["", "../escape", "a/b", "with space", "-dash", "n.old-1"])
def test_invalid_names_are_refused(page, bad):
    at = _upload_and_run(page, _upload("catalog.csv"))
    at.text_input(key="import_name").set_value(bad).run()
    assert at.error and at.button(key="import_save").disabled
    assert imp.check_name(bad)[0] is not None


def test_replacing_an_imported_dataset_needs_confirmation(page, data_root, cleanup):
    imp.save_dataset([("catalog.csv", (FIX / "catalog.csv").read_bytes())], "to_replace")
    at = _upload_and_run(page, _upload("ml-latest-small/ratings.csv", "ml-latest-small/movies.csv"))
    at.text_input(key="import_name").set_value("to_replace").run()
    assert at.button(key="import_save").disabled
    at.checkbox(key="import_replace").check().run()
    at.button(key="import_save").click().run()
    assert not at.exception
    manifest = load_manifest(data_root / "to_replace")
    assert manifest["source"] == "upload: ratings.csv, movies.csv"
    assert any("replacing the previous one" in s for s in _texts(at, "success"))


def test_a_failed_import_or_save_changes_nothing_stored(page, data_root, cleanup):
    imp.save_dataset([("catalog.csv", (FIX / "catalog.csv").read_bytes())], "keep_me")
    before = _snapshot(data_root)
    at = _upload_and_run(page, [("bad.csv", b"\x00\x01\x02", "text/csv"), *_upload("imdb.csv")])
    at.text_input(key="import_name").set_value("keep_me").run()
    assert at.button(key="import_save").disabled
    with pytest.raises(importers.ImportProblem):
        imp.save_dataset([("bad.csv", b"a,b\n1,2\n")], "keep_me", replace=True)
    with pytest.raises(ValueError, match="already exists"):
        imp.save_dataset([("imdb.csv", (FIX / "imdb.csv").read_bytes())], "keep_me")
    assert _snapshot(data_root) == before


def test_delete_an_imported_dataset_with_confirmation(page, data_root, cleanup):
    imp.save_dataset([("catalog.csv", (FIX / "catalog.csv").read_bytes())], "to_delete")
    at = page
    at.run()
    pick = at.selectbox(key="import_delete_pick")
    assert DEMO_NAME not in pick.options and "to_delete" in pick.options
    pick.set_value("to_delete").run()
    assert at.button(key="import_delete").disabled
    at.checkbox(key="import_delete_confirm").check().run()
    at.button(key="import_delete").click().run()
    assert not at.exception
    assert not (data_root / "to_delete").exists()
    assert "to_delete" not in list_datasets(data_root)
    assert any("Deleted dataset 'to_delete'" in s for s in _texts(at, "success"))
    with pytest.raises(ValueError):
        imp.delete_dataset(DEMO_NAME)


# ---------------------------------------------------------------------- the helpers ----
def test_inspect_upload_reports_each_zip_member_and_its_problem():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a/catalog.csv", (FIX / "catalog.csv").read_bytes())
        zf.writestr("a/notes.csv", b"just,some\nwords,here\n")
    reps = imp.inspect_upload("a.zip", buf.getvalue())
    assert [(r.name, r.ok) for r in reps] == [
        ("a.zip/a/catalog.csv", True),
        ("a.zip/a/notes.csv", False),
    ]
    assert reps[0].format == "netflix_catalog" and reps[0].rows == 6
    assert len(reps[0].preview) == 6 and reps[0].mapping["title"] == "movies.title"
    assert reps[1].problem.kind == "unknown_format" and reps[1].problem.file == "a.zip/a/notes.csv"


def test_preview_import_builds_nothing_under_the_data_root(data_root):
    before, datasets = _snapshot(data_root), list_datasets(data_root)
    files = [(n, b) for n, b, _ in _upload("catalog.csv", "top10_global.tsv", "final.csv")]
    pv = imp.preview_import(files)
    assert pv.problem is None
    assert pv.report["invariants"]["movies"]["holds"]
    assert {"top10_global.tsv"} <= set(pv.join_report)
    assert _snapshot(data_root) == before and list_datasets(data_root) == datasets
    # the build is kept (for Save to promote) in the staging folder, which is not a dataset
    assert pv.kept() and Path(pv.folder).parent == data_root / PREVIEWS
    assert pv.titles == 7  # the 6 catalog titles + final.csv's Quiet Fields (not in the catalog)


def test_capabilities_explain_what_each_page_needs():
    titles = pd.DataFrame(
        {"title_id": ["a", "b"], "genres": ["Drama", "Comedy"], "imdb_rating": [7.0, None]}
    )
    caps = {c.page: c for c in imp.capabilities({"titles": titles})}
    assert caps["catalog"].status == "yes"
    assert caps["engagement"].status == "no" and "watch history" in caps["engagement"].reason
    assert caps["recommender"].status == "partly" and "ratings" in caps["recommender"].reason
    assert caps["top10"].status == "no" and "netflix_top_10" in caps["top10"].reason
    sessions = pd.DataFrame({"session_id": [1, 2], "device_type": [None, None]})
    inter = pd.DataFrame({"user_id": ["u1", "u2"], "title_id": ["a", "b"], "rating": [4, 5]})
    top10 = pd.DataFrame({"in_top10": [1] * 12 + [0] * 30})
    caps = {
        c.page: c
        for c in imp.capabilities(
            {"titles": titles, "sessions": sessions, "interactions": inter, "top10_training": top10}
        )
    }
    assert caps["engagement"].status == "partly" and "device" in caps["engagement"].reason
    assert caps["recommender"].status == "yes"
    assert caps["top10"].status == "yes"


def test_suggest_name_is_valid_unused_and_never_the_demo():
    assert imp.suggest_name(["netflix_titles.csv"]) == "netflix_titles"
    assert imp.suggest_name(["demo.csv"]) == "demo_import"
    assert imp.suggest_name(["My File (1).tsv"], ["my_file_1"]) == "my_file_1_2"
    assert imp.suggest_name(["???.csv"]) == "imported"
    assert imp.check_name(imp.suggest_name(["x" * 200 + ".csv"]))[0] is None
    assert imp.check_name("x" * 65)[0] is not None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=hst.binary(max_size=400), name=hst.text(max_size=30))
def test_inspect_upload_never_raises_on_arbitrary_bytes(data, name):
    reps = imp.inspect_upload(name or "x", data)
    assert reps and all(r.ok or r.problem.message for r in reps)


# ------------------------------------------------- new formats, previews and promotion ----
def _report_xlsx() -> bytes:
    from tests.test_importers_reports import H1_2024, workbook

    return workbook(H1_2024)


KAGGLE = FIX / "kaggle"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_engagement_report_upload_shows_sheets_and_links_to_the_catalog(page):
    files = [("What_We_Watched.xlsx", _report_xlsx(), XLSX), *_upload("catalog.csv")]
    at = _upload_and_run(page, files)
    assert not at.error, _texts(at, "error")
    md = _markdown(at)
    assert "Recognised as netflix_engagement_report" in md
    assert "sheets TV (4 rows), Film (3 rows)" in md and "7 rows" in md
    preview = next(d.value for d in at.dataframe if "Hours Viewed" in d.value.columns)
    assert preview["sheet"].tolist()[:1] == ["TV"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["report titles matched"] == "50.0%"  # 3 of 6, by hand in the unit test
    assert any("Runtime '*'" in t for t in _texts(at, "info"))
    assert not at.button(key="import_save").disabled


def test_titles_and_credits_pair_and_credits_alone(page):
    pair = [
        ("titles.csv", (KAGGLE / "titles.csv").read_bytes(), "text/csv"),
        ("credits.csv", (KAGGLE / "credits.csv").read_bytes(), "text/csv"),
    ]
    at = _upload_and_run(page, pair)
    assert not at.error, _texts(at, "error")
    md = _markdown(at)
    assert "Recognised as kaggle_titles" in md and "Recognised as kaggle_credits" in md
    assert "Bronze tables (rows as received): movies 5" in md
    assert any("10 of 11 credit rows completed titles.csv" in t for t in _texts(at, "info"))
    at = _upload_and_run(page, pair[1:])
    errors = _texts(at, "error")
    assert any(e.startswith("credits.csv:") and "need their titles.csv" in e for e in errors)
    assert at.button(key="import_save").disabled


def test_save_after_preview_promotes_the_preview_build(page, data_root, cleanup, monkeypatch):
    at = _upload_and_run(page, _upload("catalog.csv", "top10_global.tsv"))
    folder = max((data_root / PREVIEWS).iterdir(), key=lambda p: p.stat().st_mtime)
    assert (folder / "manifest.json").is_file()
    built = []
    real = importers.build_import
    monkeypatch.setattr(importers, "build_import", lambda *a, **k: built.append(1) or real(*a, **k))
    at.text_input(key="import_name").set_value("promoted").run()
    at.button(key="import_save").click().run()
    assert not at.exception
    assert built == []  # no second import-and-build
    assert not folder.exists()  # the preview's build was renamed into place
    manifest = load_manifest(data_root / "promoted")
    assert manifest["name"] == "promoted" and manifest["kind"] == "import"
    assert manifest["import"]["files"][0]["format"] == "netflix_catalog"
    assert "promoted" in list_datasets(data_root)


def test_replacing_a_dataset_with_one_without_titles_is_refused(page, data_root, cleanup):
    imp.save_dataset([("catalog.csv", (FIX / "catalog.csv").read_bytes())], "good_one")
    before = _snapshot(data_root / "good_one")
    at = _upload_and_run(page, _upload("ml-100k/u.user"))  # viewers only: 0 titles
    assert any("No usable titles" in w for w in _texts(at, "warning"))
    at.text_input(key="import_name").set_value("good_one").run()
    assert at.button(key="import_save").disabled
    assert "import_replace" not in [c.key for c in at.checkbox]
    assert any("may not replace the dataset 'good_one'" in c for c in _texts(at, "caption"))
    files = [("u.user", (FIX / "ml-100k/u.user").read_bytes())]
    with pytest.raises(ValueError, match="no usable titles"):
        imp.save_dataset(files, "good_one", replace=True)
    assert _snapshot(data_root / "good_one") == before
    imp.save_dataset(files, "viewers_only")  # a new name is fine
    assert load_manifest(data_root / "viewers_only")["rows"]["titles"] == 0


def test_a_build_failure_is_not_blamed_on_a_valid_file(monkeypatch):
    def broken(*_a, **_k):
        raise ValueError("columns overlap but no suffix specified")

    monkeypatch.setattr(importers, "build_import", broken)
    pv = imp.preview_import([("reviews.csv", (FIX / "engagement/reviews.csv").read_bytes())])
    assert pv.problem is not None and pv.problem.kind == "build"
    assert "could not be read" not in pv.problem.message and "damaged" not in pv.problem.message
    assert "not in your files" in pv.problem.message and pv.problem.file is None
    assert pv.tables == {"reviews": 1}


def test_stale_previews_and_staging_folders_are_removed_live_ones_kept(data_root):
    from lib.data.store import remove_stale_staging

    dead = 2**22 + 12345  # above Linux's default pid_max: no such process
    stale = [
        data_root / f"x.building-{dead}-abcd1234",
        data_root / f"x.old-{dead}-abcd1234",
        data_root / PREVIEWS / f"{imp.preview_dir().name.split('-')[0]}-{dead}-abcd1234",
    ]
    live = data_root / f"y.building-{os.getpid()}-abcd1234"
    for p in [*stale, live]:
        p.mkdir(parents=True)
    removed = remove_stale_staging(data_root)
    assert sorted(removed) == sorted(stale) and live.is_dir()
    live.rmdir()


# ----------------------------------------------------------- the preview's models step ----
def _engagement_files() -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted((FIX / "engagement").glob("*.csv"))]


def test_the_preview_shows_before_its_models_step_and_save_keeps_it(data_root, cleanup):
    from lib.data.pipeline.models import FAMILIES
    from lib.data.store import load_report

    files = _engagement_files()
    pv = imp.preview_import(files)
    assert pv.problem is None
    assert "models" not in pv.report  # the preview is the data layers; the models step runs on
    job = imp.models_job(pv.folder)
    assert job is not None and job.folder == pv.folder
    messages: list[str] = []
    report = imp.save_dataset(
        files, "with_models", preview=pv, progress=lambda _f, m: messages.append(m)
    )
    assert job.done() and imp.models_job(pv.folder) is None  # Save waited for it
    assert set(report["models"]) == set(FAMILIES)
    assert not any("error" in v for v in report["models"].values()), report["models"]
    saved = data_root / "with_models"
    assert load_report(saved)["models"] == report["models"]
    assert (saved / "models" / "index.json").is_file()
    assert "promoting the checked build (no rebuild)" in messages


def test_save_runs_the_models_step_itself_when_no_background_one_exists(
    data_root, cleanup, monkeypatch
):
    from lib.data import import_plan

    # a server restarted between the preview and Save: its background step is gone
    monkeypatch.setattr(import_plan, "_start_models", lambda _folder: None)
    files = _engagement_files()
    pv = imp.preview_import(files)
    assert imp.models_job(pv.folder) is None
    assert not (Path(pv.folder) / "models" / "index.json").exists()
    report = imp.save_dataset(files, "models_at_save", preview=pv)
    assert "models" in report
    assert (data_root / "models_at_save" / "models" / "index.json").is_file()


def test_pruning_keeps_a_preview_whose_models_step_is_running(data_root):
    import time
    from concurrent.futures import Future

    from lib.data import import_plan

    folder = imp.preview_dir()
    folder.mkdir(parents=True)
    old = time.time() - imp.PREVIEW_TTL_S - 60  # too old: pruned unless busy
    os.utime(folder, (old, old))
    job = import_plan.ModelsJob(str(folder), future=Future())
    job.future.set_running_or_notify_cancel()  # as the pool does when it starts the step
    import_plan._JOBS[str(folder)] = job
    try:
        imp.prune_previews()
        assert folder.is_dir()
        job.future.set_result({})
        imp.prune_previews()
        assert not folder.exists()
    finally:
        import_plan._JOBS.pop(str(folder), None)


def test_the_page_says_what_the_background_models_step_did(page, data_root):
    at = _upload_and_run(page, _upload(*[f"engagement/{n}" for n, _ in _engagement_files()]))
    folder = max((data_root / PREVIEWS).iterdir(), key=lambda p: p.stat().st_mtime)
    job = imp.models_job(folder)
    assert job is not None
    job.future.result()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    captions = " ".join(_texts(at, "caption"))
    assert "Models for the model pages computed in the background" in captions


def test_a_discarded_models_step_is_run_by_save_instead(data_root, cleanup):
    files = _engagement_files()
    pv = imp.preview_import(files)
    imp.discard_models(pv.folder, wait=60)  # e.g. pruned before it ran
    assert imp.models_job(pv.folder) is None
    report = imp.save_dataset(files, "after_discard", preview=pv)
    assert "models" in report and not any("error" in v for v in report["models"].values())
    assert (data_root / "after_discard" / "models" / "index.json").is_file()
