"""Models step "clusters": the stored defaults equal a direct lib.models.cluster computation."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from lib.data import artifacts
from lib.data.pipeline import models as pipeline_models
from lib.data.pipeline import models_clusters
from lib.models import cluster
from lib.models import cluster_features as cf

# artefact name -> kind of request it answers
KINDS = {
    "scan": "scan",
    "labels": "fit",
    "fit": "fit",
    "projection": "projection",
    "stability": "stability",
}


def test_clusters_is_a_family_of_the_build_and_reported(demo_dir):
    assert "clusters" in pipeline_models.FAMILIES
    report = json.loads((demo_dir / "report.json").read_text())
    summary = report["models"]["clusters"]
    assert "error" not in summary and "skipped" not in summary
    assert summary["viewers"]["k"] == cf.DEFAULT_K
    assert summary["viewers"]["rows"] == len(pd.read_parquet(demo_dir / "gold" / "users.parquet"))


@pytest.fixture(scope="module", params=cf.ENTITIES)
def stored(request, demo_dir):
    """(entity, X of its default features, stored artefacts) of the small demo build."""
    key = request.param
    name = "users" if key == "viewers" else "titles"
    table = pd.read_parquet(demo_dir / "gold" / f"{name}.parquet")  # as the page reads it
    ent = cf.entity(key, table)
    found = {}
    for name, kind in KINDS.items():
        params = cf.default_params(ent, kind)
        found[name] = artifacts.load(demo_dir, cf.artefact(key, name), params)
        assert found[name] is not None, f"{key} {name}: no fresh artefact for {params}"
    return ent, ent.candidates[ent.defaults], found


OPTS = {"seed": cf.SEED, "scaling": cf.DEFAULT_SCALING, "missing": cf.DEFAULT_MISSING}


def test_the_k_scan_is_scan_k_with_the_page_defaults(stored):
    ent, X, found = stored
    direct = cluster.scan_k(X, range(cf.K_RANGE[0], cf.K_RANGE[1] + 1), **OPTS)
    pd.testing.assert_frame_equal(found["scan"], direct, check_index_type=False)
    assert found["scan"].attrs["suggested_k"] == direct.attrs["suggested_k"]
    assert list(found["scan"]["k"]) == list(range(2, 13))


def test_the_default_clustering_is_fit_kmeans_with_k_5(stored):
    ent, X, found = stored
    res = cluster.fit_kmeans(X, cf.DEFAULT_K, silhouette_sample=cf.SILHOUETTE_SAMPLE, **OPTS)
    back = cf.clustering_from(found["labels"], found["fit"], ent.candidates.index)
    np.testing.assert_array_equal(back.labels.to_numpy(), res.labels)
    assert back.labels.index.equals(res.index)
    np.testing.assert_allclose(back.silhouette, res.silhouette, equal_nan=True)
    assert back.silhouette_mean == pytest.approx(res.silhouette_mean)
    assert sorted(back.labels.unique()) == list(range(cf.DEFAULT_K))
    tree = cluster.explain_tree(X, res.labels_series(), max_depth=3, seed=cf.SEED)
    assert back.fidelity == pytest.approx(tree.fidelity)
    assert list(back.rules["rule"]) == list(tree.rules["rule"])


def test_the_2d_view_is_the_seeded_pca_sample(stored):
    ent, X, found = stored
    direct = cluster.project(X, "pca", sample=cf.PCA_SAMPLE, **OPTS)
    pd.testing.assert_frame_equal(found["projection"], direct, check_index_type=False)
    assert found["projection"].attrs["explained_variance_ratio"] == pytest.approx(
        direct.attrs["explained_variance_ratio"]
    )


def test_the_stability_is_stability_ari_of_the_default_k(stored):
    ent, X, found = stored
    direct = cluster.stability_ari(
        X,
        cf.DEFAULT_K,
        seeds=cf.STABILITY_SEEDS,
        sample=cf.STABILITY_SAMPLE,
        scaling=cf.DEFAULT_SCALING,
        missing=cf.DEFAULT_MISSING,
    )
    back = cf.stability_from(found["stability"])
    assert (back.mean, back.min, back.label) == (direct.mean, direct.min, direct.label)


def test_a_catalog_too_small_is_skipped_with_a_reason(tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    pd.DataFrame(
        {"title_id": ["t1", "t2"], "title": ["A", "B"], "release_year": [2001, 2002]}
    ).to_parquet(gold / "titles.parquet")
    seen = []
    out = models_clusters.build(tmp_path, lambda f, m: seen.append(f))
    assert "skipped" in out and "no gold users table" in out["skipped"]
    assert "2 titles" in out["skipped"]
    assert not (tmp_path / "models").exists()
