"""Every page under AppTest on datasets built from the real public files in ../shared/realdata.

The files are read in place (never copied into the project); the whole module is skipped with
a reason when ../shared/realdata is absent. Datasets are built once per module into the
session's temporary data root:

* ``real_catalog``    netflix_titles.csv alone (``lib.data.pipeline.build(source=file)``)
* ``real_top10``      netflix_titles.csv + Netflix's all-weeks-global.tsv + the IMDb movie table,
                      imported together exactly as the Import data page's Save does
                      (``lib.ui.importing.save_dataset``: load_files + build_tables)
* ``real_engagement`` the six engagement CSVs (``build(source=folder)``)
* ``real_project4``   project4 final_data.csv (IMDb features with Top 10 labels)

Each page listed in ``lib.ui.navigation.PAGES`` whose file exists runs with each dataset selected
and must not raise; a page that cannot use a dataset (per ``lib.ui.importing.capabilities``)
must say why in an info or warning box.
"""

from __future__ import annotations

import ast
import re
import time
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.config import PROJECT_ROOT
from lib.data.pipeline import build
from lib.data.store import load_manifest
from lib.ui import importing as imp
from tests.conftest import REALDATA, realdata

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

ENTRY = str(PROJECT_ROOT / "streamlit_app.py")
TIMEOUT = 180
TOP10_FILE = "all-weeks-global.tsv"


def _pages() -> list[str]:
    """Page files the app declares (``PAGES`` of lib/ui/navigation.py, read with ast)."""
    tree = ast.parse((PROJECT_ROOT / "lib" / "ui" / "navigation.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "PAGES" for t in node.targets
        ):
            return [row[1] for row in ast.literal_eval(node.value)]
    raise AssertionError("lib/ui/navigation.py has no PAGES")


PAGES = [p for p in _pages() if (PROJECT_ROOT / p).is_file()]
DATASETS = ("real_catalog", "real_top10", "real_engagement", "real_project4")
_CAPABILITY_OF = {path: key for key, path in imp.PAGE_FILES.items()}


@pytest.fixture(scope="module")
def real(data_root: Path) -> dict[str, dict]:
    """Build the four real datasets once; yield name -> capabilities by page key."""
    catalog = realdata("netflix_titles", "netflix_titles.csv")
    top10 = realdata("netflix_top10", TOP10_FILE)
    imdb = realdata("project4_top10", "imdb_movie_data_2023_v2.csv")
    engagement = realdata("engagement_pipeline")
    final = realdata("project4_top10", "final_data.csv")
    t0 = time.perf_counter()
    build(source=catalog, name="real_catalog", data_dir=data_root / "real_catalog")
    imp.save_dataset(
        [(p.name, p.read_bytes()) for p in (catalog, top10, imdb)], "real_top10", replace=True
    )
    build(source=engagement, name="real_engagement", data_dir=data_root / "real_engagement")
    build(source=final, name="real_project4", data_dir=data_root / "real_project4")
    print(f"built 4 real datasets in {time.perf_counter() - t0:.1f} s")
    caps = {
        name: {c.page: c for c in imp.dataset_capabilities(data_root / name)} for name in DATASETS
    }
    yield caps
    for name in DATASETS:
        imp.delete_dataset(name)


def test_realdata_is_present_or_the_module_skips():
    if not REALDATA.is_dir():
        pytest.skip(f"real data not available: {REALDATA} is absent")
    assert (REALDATA / "README.md").is_file()


def test_top10_join_reports_its_match_rate(real, data_root):
    jr = load_manifest(data_root / "real_top10")["import"]["join_report"]
    top10 = jr[TOP10_FILE]
    assert top10["what"] == "Top 10 titles"
    assert 0 < top10["match_rate"] < 1
    assert top10["matched"] == round(top10["match_rate"] * top10["titles"])
    assert f"({top10['match_rate']:.1%})" in top10["message"]
    assert "imdb_movie_data_2023_v2.csv" in jr  # the IMDb table is linked too
    assert real["real_top10"]["top10"].status == "yes"
    assert real["real_catalog"]["top10"].status == "no"
    assert real["real_engagement"]["engagement"].status == "yes"


def _title_key(title: str) -> str:
    """The documented linking key, written out here: casefold, no accents, ``&`` = and, no
    apostrophes or punctuation, no leading article (``"Office, The"`` = ``"The Office"``)."""
    t = title.strip()
    tail = re.fullmatch(r"(.+), (the|a|an)", t, flags=re.IGNORECASE)
    if tail:
        t = f"{tail[2]} {tail[1]}"
    t = "".join(c for c in unicodedata.normalize("NFKD", t) if not unicodedata.combining(c))
    t = t.casefold().replace("&", " and ").replace("'", "").replace("\u2019", "")
    t = " ".join(re.findall(r"[^\W_]+", t))
    return re.sub(r"^(?:(?:the|a|an) )+", "", t)


def _expected_top10_links(catalog: Path, top10: Path) -> dict[str, int]:
    """Distinct Top 10 (title, film/TV) pairs, and how many have exactly one catalog title of
    the same key and kind (matched) or several (ambiguous): pandas on the two files."""
    cat = pd.read_csv(catalog, dtype=str, keep_default_na=False)
    weeks = pd.read_csv(top10, sep="\t", dtype=str, keep_default_na=False)
    kind_of_category = weeks["category"].str.strip().str.casefold().str[:2]
    listed = pd.DataFrame(
        {
            "key": weeks["show_title"].map(_title_key),
            "kind": kind_of_category.map({"fi": "film", "tv": "tv"}),
        }
    ).drop_duplicates()
    titles = pd.DataFrame(
        {
            "id": cat["show_id"],
            "key": cat["title"].map(_title_key),
            "kind": cat["type"].map({"Movie": "film", "TV Show": "tv"}),
        }
    )
    pairs = listed.merge(titles[titles["key"] != ""], on=["key", "kind"])
    candidates = pairs.groupby(["key", "kind"])["id"].nunique()
    return {
        "titles": len(listed),
        "matched": int((candidates == 1).sum()),
        "ambiguous": int((candidates > 1).sum()),
    }


def test_import_page_shows_the_real_top10_match_rate(real, data_root):
    files = [
        realdata("netflix_titles", "netflix_titles.csv"),
        realdata("netflix_top10", TOP10_FILE),
    ]
    expected = _expected_top10_links(*files)
    assert 0 < expected["matched"] < expected["titles"]
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/import_data.py").run()
    at.file_uploader(key="import_uploads").set_value(
        [(p.name, p.read_bytes(), "text/csv") for p in files]
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    shown = metrics["Top 10 titles matched"]
    assert shown == f"{expected['matched'] / expected['titles']:.1%}", (shown, expected)
    (joined,) = [d.value for d in at.dataframe if "match rate" in d.value.columns]
    row = joined.set_index("file").loc[TOP10_FILE]
    assert row[["titles", "matched", "ambiguous (not guessed)"]].tolist() == list(expected.values())
    # with the IMDb table as well (dataset real_top10) more Top 10 titles can link
    rate = load_manifest(data_root / "real_top10")["import"]["join_report"][TOP10_FILE]
    assert rate["titles"] == expected["titles"]
    assert rate["matched"] > expected["matched"]
    assert any("8,807" in m.value for m in at.markdown)  # rows of netflix_titles.csv


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("dataset", DATASETS)
def test_every_page_runs_on_real_data(real, dataset, page):
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    at.session_state["ds"] = dataset
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["ds"] == dataset
    if page == "pages/overview.py":  # the page really reads the chosen dataset
        assert any(dataset in c.value.replace("\\", "") for c in at.caption)
    key = _CAPABILITY_OF.get(page)
    cap = real[dataset].get(key) if key else None
    if cap is not None and cap.status == "no":
        explained = [e.value for e in (*at.info, *at.warning)]
        assert explained, f"{page} shows nothing on {dataset} and does not say why ({cap.reason})"
