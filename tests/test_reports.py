"""PDF reports (lib.reports): each page's report holds the page's numbers, the PDF opens,
renders, carries every KPI shown and never interprets HTML or mathtext from data values.

Reports are built once per module on the small demo dataset (``tests/conftest.py``) and
drawn once each; the PDF text is read back with pypdf (requirements-dev.txt), the pages are
rendered with poppler's ``pdftoppm`` (skipped with a reason when it is not installed).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib.charts import catalog as cat
from lib.data import model_input
from lib.data.session_query import SessionQuery
from lib.data.store import load_manifest, load_report
from lib.filters import Filters, filter_titles
from lib.insights import catalog_findings, engagement_findings
from lib.page_kpis import (
    ENGAGEMENT_USER_COLUMNS,
    catalog_kpis,
    cluster_kpis,
    engagement_kpis,
    overview_kpis,
    top10_quality_kpis,
)
from lib.reports import inputs
from lib.reports.data_pages import catalog_report, engagement_report
from lib.reports.model import Report
from lib.reports.render import render_pdf

pypdf = pytest.importorskip("pypdf", reason="pypdf (requirements-dev.txt) reads the PDF text")

PAGES = tuple(inputs.PAGES)


@pytest.fixture(scope="module")
def titles(demo_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(demo_dir / "gold" / "titles.parquet")


@pytest.fixture(scope="module")
def flt(titles: pd.DataFrame) -> Filters:
    """A filter on the most common genre (the Catalog and Engagement reports use it)."""
    return Filters(genres=(str(cat.genre_counts(titles)["genre"].iloc[0]),))


@pytest.fixture(scope="module")
def reports(demo_dir: Path, flt: Filters) -> dict[str, Report]:
    return {page: inputs.page_report(page, demo_dir, flt) for page in PAGES}


@pytest.fixture(scope="module")
def pdfs(reports: dict[str, Report]) -> dict[str, bytes]:
    return {page: render_pdf(report) for page, report in reports.items()}


def _text(pdf: bytes) -> str:
    """The PDF's text, whitespace collapsed (line breaks fall where the layout wraps)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))


# --- the data model equals what the pages compute --------------------------------------------
def test_overview_report_has_the_page_tiles(reports, demo_dir):
    quality = load_report(demo_dir)
    users = pd.read_parquet(demo_dir / "gold" / "users.parquet", columns=["is_active"])
    daily = pd.read_parquet(demo_dir / "gold" / "engagement_daily.parquet")
    n_titles = len(pd.read_parquet(demo_dir / "gold" / "titles.parquet", columns=["title_id"]))
    tile = overview_kpis(n_titles, users, daily, quality["kpis"])
    report = reports["overview"]
    for label, key in (
        ("Titles", "titles"),
        ("Viewers", "viewers"),
        ("Active viewers", "active"),
        ("Watch hours", "hours"),
        ("Average completion", "completion"),
        ("Churn rate", "churn"),
    ):
        assert report.kpi(label) == tile[key]
    for row in quality["scorecard"]:
        assert report.kpi(f"{row['layer'].title()} layer") == f"{row['score']:.1f} / 100"
    trend = next(c for c in report.charts if c.key == "watch_hours").data
    assert trend["watch_hours"].sum() <= daily["watch_hours"].sum() + 1e-6
    assert report.provenance["Dataset"] == "demo"
    assert report.provenance["Built"].startswith(
        str(load_manifest(demo_dir)["built_at"])[:19].replace("T", " ")
    )


def test_catalog_report_equals_the_page_functions(reports, titles, flt):
    shown = filter_titles(titles, flt)
    genre_table = cat.genre_counts(shown)
    kpi = catalog_kpis(shown, titles, genre_table)
    report = reports["catalog"]
    assert [k.value for k in report.kpis] == [
        kpi[key] for key in ("titles", "genres", "rating", "top10", "runtime")
    ]
    assert list(report.findings) == catalog_findings(shown)
    bars = next(c for c in report.charts if c.key == "genre_popularity").data
    pd.testing.assert_frame_equal(bars, genre_table.head(len(bars)))
    assert report.provenance["Filters"] == flt.describe()
    assert report.provenance["Titles shown"] == f"{len(shown):,} of {len(titles):,}"


def test_engagement_report_equals_the_page_functions(reports, demo_dir, titles, flt):
    view = SessionQuery(demo_dir)
    sessions = SessionQuery(demo_dir, flt, titles=titles)
    n = len(sessions)
    kpi = engagement_kpis(sessions.summary(), n, has_minutes=True, has_completed=True)
    report = reports["engagement"]
    assert [k.value for k in report.kpis] == [
        kpi[key] for key in ("sessions", "viewers", "hours", "completion", "minutes_per_session")
    ]
    assert 0 < n < len(view)
    users = sessions.users(columns=ENGAGEMENT_USER_COLUMNS)
    assert list(report.findings) == engagement_findings(sessions, users)
    heat = next(c for c in report.charts if c.key == "hour_weekday").data
    assert heat["sessions"].sum() == n


def test_clusters_report_equals_the_page_functions(demo_dir):
    from lib.models import cluster_features as cf
    from lib.reports.model_pages import clusters_report

    ent = cf.entity("viewers", model_input.read(demo_dir, "users")[0])
    X = ent.candidates[ent.defaults]
    fit = cf.fit_view(cf.compute_clustering(X, 4, scaling="robust", missing="median"), X, ent)
    report = clusters_report(
        "demo", load_manifest(demo_dir), ent, ent.defaults, scaling="robust",
        missing="median", k=4, fit=fit,
    )  # fmt: skip
    tile = cluster_kpis(len(fit["labels"]), 4, fit["silhouette_mean"], fit["fidelity"])
    assert [k.value for k in report.kpis] == [
        tile[key] for key in ("clustered", "k", "silhouette", "stability", "fidelity")
    ]
    assert report.kpi("Stability (ARI across seeds)") == "n/a"  # not computed yet
    assert len(report.findings) == 4  # one persona a cluster
    sizes = next(c for c in report.charts if c.key == "cluster_sizes").data
    assert sizes["size"].sum() == len(fit["labels"])
    z = next(c for c in report.charts if c.key == "cluster_zscores")
    assert z.kind == "clustermap" and z.data.shape == (len(ent.defaults), 4)
    pairs = next(c for c in report.charts if c.key == "cluster_pairs")
    assert set(pairs.data["cluster"]) <= set(fit["labels"])


def test_top10_report_equals_the_page_functions(reports, demo_dir):
    from lib.charts.top10 import model_label
    from lib.data.pipeline import models_top10 as mt
    from lib.models.top10 import PRE, SEED

    report = reports["top10"]
    table = model_input.read(demo_dir, "top10_training")[0]
    cv = mt.rank(
        [mt.load(demo_dir, "cv", k, features=tuple(PRE), seed=SEED) for k in mt.top10.MODEL_KINDS]
    )
    model = mt.load(demo_dir, "model", cv["kind"].iloc[0], features=tuple(PRE), seed=SEED)
    assert model is not None, "the build stores the best model"
    tile = top10_quality_kpis(model.metrics, model.metrics_at(model.metrics["threshold"]))
    assert [k.value for k in report.kpis] == [
        tile[key] for key in ("roc_auc", "pr_auc", "brier", "precision", "recall", "accuracy")
    ]
    assert report.provenance["Model"].startswith(model_label(cv["kind"].iloc[0]))
    top, other = mt.label_counts(table)
    assert report.provenance["Labelled titles"].startswith(f"{top + other:,}")


# --- the PDF --------------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_pdf_holds_every_kpi_provenance_and_caption(page, reports, pdfs, flt):
    report, pdf = reports[page], pdfs[page]
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    for kpi in report.kpis:
        assert kpi.label in text
        assert kpi.value in text, (kpi.label, kpi.value)
    assert "demo generator" in text and "demo" in text
    if "Filters" in report.provenance:
        assert flt.describe() in text
    for chart in report.charts:
        assert chart.title in text
        assert "Method:" in text
    meta = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert meta.title.startswith(report.title)
    assert meta.creation_date is not None


def test_data_values_are_plain_text_never_html_or_mathtext(titles):
    odd = titles.copy()
    odd["genres"] = odd["genres"].astype("object")
    odd.loc[odd.index[:30], "genres"] = "<b>x</b>|$x$"
    odd.loc[odd.index[:30], "genre_primary"] = "<b>x</b>"
    report = catalog_report("a<i>b</i> $5 & $6", {"source": "<script>s</script>"}, odd, Filters())
    assert "<b>x</b>" in set(report.charts[0].data["genre"])
    text = _text(render_pdf(report))
    assert "<b>x</b>" in text  # the tag is printed, not applied
    assert "$x$" in text  # no mathtext: the dollars stay and x is not set in italics
    assert "a<i>b</i> $5 & $6" in text and "<script>s</script>" in text


def test_progress_is_reported_per_page(reports):
    calls: list[tuple[float, str]] = []
    pdf = render_pdf(reports["overview"], lambda f, t: calls.append((f, t)))
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert len(calls) == pages
    assert [f for f, _ in calls] == sorted(f for f, _ in calls) and calls[-1][0] == 1.0


def test_missing_data_is_a_line_not_an_exception(tmp_path, demo_dir, titles):
    manifest = load_manifest(demo_dir)
    (tmp_path / "gold").mkdir()
    empty = SessionQuery(tmp_path)  # a dataset without sessions
    report = engagement_report("catalog_only", manifest, empty, empty, Filters())
    assert "no watch history" in _text(render_pdf(report))
    none = catalog_report("demo", manifest, titles, Filters(genres=("No such genre",)))
    assert "No title matches these filters." in _text(render_pdf(none))
    bare = titles.drop(columns=["imdb_rating", "meta_score", "duration_minutes"])
    text = _text(render_pdf(catalog_report("bare", manifest, bare, Filters())))
    assert "Runtime by content type: the dataset has no" in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) absent")
def test_every_page_renders_to_a_non_blank_png(pdfs, tmp_path):
    from PIL import Image

    for page, pdf in pdfs.items():
        path = tmp_path / f"{page}.pdf"
        path.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / page)],
            check=True,
            capture_output=True,
            timeout=60,
        )
        pngs = sorted(tmp_path.glob(f"{page}-*.png"))
        assert len(pngs) == len(pypdf.PdfReader(io.BytesIO(pdf)).pages) > 1
        for png in pngs:
            pixels = np.asarray(Image.open(png).convert("L"))
            assert (pixels < 200).mean() > 0.005, f"{png.name} is blank"
