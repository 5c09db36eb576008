"""Cluster explorer under AppTest: small demo dataset, and catalogs it can only partly use."""

from __future__ import annotations

import csv
import json
import re
import shutil

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import lib.models.cluster
from lib.data import artifacts
from lib.models import cluster_features as cf
from tests.app.conftest import ENTRY, TIMEOUT, open_page

CARD = re.compile(r"^\*\*(\d+) · ")


def cards(at: AppTest) -> list[str]:
    """The persona cards' headings ("**1 · Mobile late-night horror fans**")."""
    return [m.value for m in at.markdown if CARD.match(m.value)]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_viewers_by_default_with_personas_stability_and_planted_check(app):
    at = open_page(app, "clusters")
    assert at.segmented_control(key="cl_entity").value == "Viewers"
    assert metric(at, "Clusters (k)") == "5"
    assert len(cards(at)) == 5
    # every card names a share of viewers and lists the numbers behind the name
    captions = [c.value for c in at.caption if "% of viewers" in c.value]
    assert len(captions) == 5
    assert any("vs" in m.value and "overall (z" in m.value for m in at.markdown)
    assert any(re.search(r"stable · ARI \d\.\d\d", m.value) for m in at.markdown)
    assert metric(at, "Tree fidelity").endswith("%")
    planted = [i.value for i in at.info if "Planted segments recovered" in i.value]
    assert len(planted) == 1
    ari = float(re.search(r"ARI (-?\d\.\d\d)", planted[0]).group(1))
    assert ari >= 0.6  # page defaults find the generator's 5 segments (scale 0.1 here)
    # the rules table and the features default to lib.models.cluster.default_features
    rules = at.dataframe[-1].value
    assert {"cluster", "rule", "purity", "coverage"} <= set(rules.columns)
    assert "watch_hours" in at.multiselect(key="cl_feats").value
    assert any(
        b.label.startswith("Download the cluster of every viewer")
        for b in at.get("download_button")
    )


def test_changing_k_changes_the_clustering(app):
    at = open_page(app, "clusters")
    before = metric(at, "Mean silhouette")
    ok(at.slider(key="cl_k").set_value(3).run())
    assert metric(at, "Clusters (k)") == "3"
    assert len(cards(at)) == 3
    at_3 = metric(at, "Mean silhouette")
    ok(at.slider(key="cl_k").set_value(8).run())
    assert len(cards(at)) == 8
    # a new clustering, not k new cards over the old one: the silhouette moves with k
    at_8 = metric(at, "Mean silhouette")
    assert len({before, at_3, at_8}) == 3, (before, at_3, at_8)


def test_switching_to_titles_and_tsne_on_a_sample(app, gold):
    at = open_page(app, "clusters")
    ok(at.segmented_control(key="cl_entity").set_value("Titles").run())
    assert metric(at, "Titles clustered") == f"{len(gold['titles']):,}"
    assert len(cards(at)) == 5
    assert all("of titles" in c.value for c in at.caption if "% of" in c.value)
    assert not [i for i in at.info if "Planted segments" in i.value]  # viewers only
    # the feature list follows the entity: title features, not viewer features
    feats = at.multiselect(key="cl_feats").value
    assert "imdb_rating" in feats and "watch_hours" not in feats
    ok(at.segmented_control(key="cl_proj").set_value("t-SNE").run())
    assert any("t-SNE (perplexity" in c.value for c in at.caption)
    assert len(cards(at)) == 5


def test_auto_mode_scans_k_and_the_analyst_can_override(app):
    at = open_page(app, "clusters")
    ok(at.toggle(key="cl_auto").set_value(True).run())
    scan = next(df.value for df in at.dataframe if "calinski_harabasz" in df.value.columns)
    assert list(scan["k"]) == list(range(2, 13))
    suggested = int(scan.loc[scan["suggested"] != "", "k"].iloc[0])
    assert at.slider(key="cl_k").value == suggested
    assert f"suggested: {suggested}" in at.slider(key="cl_k").label
    other = 2 if suggested != 2 else 3
    ok(at.slider(key="cl_k").set_value(other).run())
    assert len(cards(at)) == other
    assert any(b.label == f"Use the suggested k = {suggested}" for b in at.button)
    ok(next(b for b in at.button if b.key == "cl_use_k").click().run())
    assert at.slider(key="cl_k").value == suggested


def test_selection_comes_from_the_url(data_root):
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT).run()
    at.switch_page("pages/clusters.py")
    at.query_params.update(
        {
            "cl_entity": "Titles",
            "cl_k": "4",
            "cl_scale": "robust",
            "cl_feats": ["IMDb rating (0-10)", "Runtime (min)", "Release year"],
        }
    )
    ok(at.run())
    assert at.segmented_control(key="cl_entity").value == "Titles"
    assert at.selectbox(key="cl_scale").value == "robust"
    assert at.multiselect(key="cl_feats").value == [
        "imdb_rating",
        "duration_minutes",
        "release_year",
    ]
    assert metric(at, "Clusters (k)") == "4"
    assert len(cards(at)) == 4


def test_no_features_is_an_empty_state(app):
    at = open_page(app, "clusters")
    ok(at.multiselect(key="cl_feats").set_value([]).run())
    assert any("Choose at least one feature" in i.value for i in at.info)
    assert not cards(at)


def _write_catalog(path, n: int) -> None:
    """A Kaggle netflix_titles.csv-shaped catalog of ``n`` invented titles (no viewers)."""
    genres = ["Dramas", "Comedies", "Documentaries", "Thrillers", "Kids' TV"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "show_id",
                "type",
                "title",
                "director",
                "cast",
                "country",
                "date_added",
                "release_year",
                "rating",
                "duration",
                "listed_in",
                "description",
            ]
        )
        for i in range(n):
            movie = i % 3 != 0
            w.writerow(
                [
                    f"s{i + 1}",
                    "Movie" if movie else "TV Show",
                    f"Invented title {i + 1}",
                    f"Director {i % 7}",
                    f"Actor {i % 5}, Actor {i % 11}",
                    "Nowhere",
                    "September 25, 2021",
                    1990 + (i * 7) % 33,
                    "TV-14",
                    f"{70 + (i * 13) % 80} min" if movie else f"{1 + i % 4} Seasons",
                    ", ".join(genres[j % 5] for j in (i, i + 2) if j % 3 != 2) or genres[0],
                    "An invented description.",
                ]
            )


@pytest.fixture(scope="module")
def catalog_roots(tmp_path_factory):
    """Two data roots: a 60-title catalog (titles only) and a 7-title one (too small)."""
    from lib.data.pipeline import build

    roots = {}
    for n in (60, 7):
        root = tmp_path_factory.mktemp(f"catalog{n}")
        _write_catalog(root / "netflix_titles.csv", n)
        build(source=root / "netflix_titles.csv", name="catalog", data_dir=root / "catalog")
        roots[n] = root
    return roots


def test_a_catalog_without_viewers_offers_titles_and_says_why(
    data_root, catalog_roots, monkeypatch
):
    monkeypatch.setenv("STREAMDASH_DATA", str(catalog_roots[60]))
    at = open_page(AppTest.from_file(ENTRY, default_timeout=TIMEOUT), "clusters")
    assert at.segmented_control(key="cl_entity").options == ["Titles"]
    assert at.segmented_control(key="cl_entity").value == "Titles"
    assert any("Viewers cannot be clustered" in c.value for c in at.caption)
    assert any("cannot be clustered on" in c.value and "IMDb rating" in c.value for c in at.caption)
    assert metric(at, "Titles clustered") == "60"
    assert cards(at)
    # viewer parameters in a shared URL do not break it
    at.query_params["cl_entity"] = "Viewers"
    ok(at.run())


def test_fewer_than_20_rows_is_an_empty_state(data_root, catalog_roots, monkeypatch):
    monkeypatch.setenv("STREAMDASH_DATA", str(catalog_roots[7]))
    at = open_page(AppTest.from_file(ENTRY, default_timeout=TIMEOUT), "clusters")
    assert any("Nothing to cluster" in i.value for i in at.info)
    assert not at.metric or not cards(at)


# --- the build's models step: the first visit fits nothing -----------------------------------
def _json(path) -> dict:
    return json.loads(path.read_text())


COUNTED = ("scan_k", "fit_kmeans", "project", "stability_ari", "explain_tree")


@pytest.fixture
def fits(monkeypatch) -> dict[str, int]:
    """Cold Streamlit caches, and a call count of every lib.models.cluster fit the page could
    run."""
    st.cache_resource.clear()
    st.cache_data.clear()
    calls = dict.fromkeys(COUNTED, 0)
    for name in COUNTED:
        real = getattr(lib.models.cluster, name)

        def counted(*args, _name=name, _real=real, **kwargs):
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(lib.models.cluster, name, counted)
    yield calls
    st.cache_resource.clear()
    st.cache_data.clear()


def test_the_first_visit_after_a_build_fits_nothing(app, demo_dir, fits):
    at = open_page(app, "clusters")
    assert fits == dict.fromkeys(COUNTED, 0)
    # and it shows the stored results: k = 5, its silhouette, personas and stability
    assert metric(at, "Clusters (k)") == "5"
    assert len(cards(at)) == 5
    stored = _json(demo_dir / "models" / "clusters" / "viewers_fit.json")
    assert metric(at, "Mean silhouette") == f"{stored['silhouette_mean']:.2f}"
    assert metric(at, "Tree fidelity") == f"{stored['fidelity']:.0%}"
    stab = _json(demo_dir / "models" / "clusters" / "viewers_stability.json")
    assert metric(at, "Stability (ARI across seeds)") == f"{stab['mean']:.2f}"
    # titles and the k scan were stored too
    ok(at.segmented_control(key="cl_entity").set_value("Titles").run())
    ok(at.toggle(key="cl_auto").set_value(True).run())
    assert fits["scan_k"] == 0
    assert any("calinski_harabasz" in df.value.columns for df in at.dataframe)
    fitted_so_far = dict(fits)
    # another k is computed on demand
    other = 3 if at.slider(key="cl_k").value != 3 else 4
    ok(at.slider(key="cl_k").set_value(other).run())
    assert fits["fit_kmeans"] == fitted_so_far["fit_kmeans"] + 1
    assert len(cards(at)) == other


def test_a_stale_artefact_is_recomputed_and_stored_again(demo_dir, tmp_path, monkeypatch, fits):
    root = tmp_path / "root"
    shutil.copytree(demo_dir, root / "demo")
    monkeypatch.setenv("STREAMDASH_DATA", str(root))
    other = {**artifacts.versions(), "scikit-learn": "0.0.other"}
    monkeypatch.setattr(artifacts, "versions", lambda: dict(other))
    folder = root / "demo"
    before = _json(folder / "models" / "index.json")
    at = open_page(AppTest.from_file(ENTRY, default_timeout=TIMEOUT), "clusters")
    assert fits["fit_kmeans"] == 1 and fits["project"] == 1 and fits["stability_ari"] == 1
    assert metric(at, "Clusters (k)") == "5" and len(cards(at)) == 5
    # the default results were stored again, with the library versions of this run
    after = _json(folder / "models" / "index.json")
    for name in ("viewers_labels", "viewers_fit", "viewers_projection", "viewers_stability"):
        assert after[f"clusters/{name}"]["versions"] == other
        assert after[f"clusters/{name}"]["params"] == before[f"clusters/{name}"]["params"]
    assert after["clusters/viewers_scan"]["versions"] != other  # not shown: not recomputed
    ent = cf.viewers(pd.read_parquet(folder / "gold" / "users.parquet"))
    assert artifacts.entry(folder, "clusters/viewers_fit", cf.default_params(ent, "fit"))
    # a second cold visit loads them again
    fits.update(dict.fromkeys(COUNTED, 0))
    st.cache_resource.clear()
    st.cache_data.clear()
    open_page(AppTest.from_file(ENTRY, default_timeout=TIMEOUT), "clusters")
    assert fits == dict.fromkeys(COUNTED, 0)
