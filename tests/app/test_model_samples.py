"""Model pages above their row bounds: fitted on a seeded sample, and they say so.

The bounds (lib.data.model_input) are lowered with ``STREAMDASH_MODEL_ROWS_*`` so the small test
demo is "too big": the models step and the pages then read the same seeded samples, the
first visit loads the stored results (fits nothing), and each page states what it fitted on.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import lib.models.cluster
import lib.models.top10
from lib.data import artifacts, model_input
from lib.data.pipeline.models import build_models
from tests.app.conftest import ENTRY, TIMEOUT, open_page

BOUNDS = {"USERS": 300, "INTERACTIONS": 2500, "TOP10_TRAINING": 60}


@pytest.fixture(scope="module")
def sampled_root(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo whose models step ran with the lowered bounds."""
    root = tmp_path_factory.mktemp("sampled")
    shutil.copytree(demo_dir, root / "demo")
    with pytest.MonkeyPatch.context() as mp:
        for k, v in BOUNDS.items():
            mp.setenv(f"STREAMDASH_MODEL_ROWS_{k}", str(v))
        report = build_models(root / "demo")
    assert not any("error" in v for v in report.values()), report
    return root


@pytest.fixture
def sampled_app(sampled_root: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("STREAMDASH_DATA", str(sampled_root))
    for k, v in BOUNDS.items():
        monkeypatch.setenv(f"STREAMDASH_MODEL_ROWS_{k}", str(v))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    st.cache_resource.clear()
    st.cache_data.clear()


def _captions(at: AppTest) -> str:
    """Every caption's text, markdown escapes (``\\-``, ``\\.``) removed."""
    return " ".join(c.value for c in at.caption).replace("\\", "")


def test_the_models_step_stored_results_of_the_samples(sampled_root: Path) -> None:
    folder = sampled_root / "demo"
    fit = json.loads((folder / "models" / "clusters" / "viewers_fit.json").read_text())
    users = len(pd.read_parquet(folder / "gold" / "users.parquet"))
    assert users > BOUNDS["USERS"]
    labels = artifacts.load(folder, "clusters/viewers_labels")  # arrays by name (NPZ)
    assert labels is not None and {len(v) for v in labels.values()} == {BOUNDS["USERS"]}, fit


def test_cluster_page_fits_nothing_and_names_the_sample(
    sampled_app: AppTest, sampled_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"fit_kmeans": 0}
    real = lib.models.cluster.fit_kmeans

    def counted(*a, **k):
        calls["fit_kmeans"] += 1
        return real(*a, **k)

    monkeypatch.setattr(lib.models.cluster, "fit_kmeans", counted)
    at = open_page(sampled_app, "clusters")
    assert calls["fit_kmeans"] == 0
    total = len(pd.read_parquet(sampled_root / "demo" / "gold" / "users.parquet"))
    text = _captions(at)
    assert f"Fitted on a seeded sample: 300 of {total:,} viewers" in text
    assert "seed 0" in text


def test_recommender_page_names_the_viewers_kept(sampled_app: AppTest, sampled_root: Path):
    at = open_page(sampled_app, "recommender")
    sample = model_input.read(sampled_root / "demo", "interactions")[1]
    assert sample.sampled
    text = _captions(at)
    assert f"the complete histories of {sample.units:,} of {sample.units_total:,} viewers" in text
    assert f"from {sample.rows:,} viewer-title interactions of {sample.units:,} viewers" in text


def test_top10_page_fits_nothing_and_names_the_sample(
    sampled_app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lib.ui import top10_models as tm

    calls = {"n": 0}
    real = lib.models.top10._estimator  # under every fit: cross-validation, training, leakage

    def counted(*a, **k):
        calls["n"] += 1
        return real(*a, **k)

    monkeypatch.setattr(lib.models.top10, "_estimator", counted)
    tm.clear()
    at = open_page(sampled_app, "top10")
    assert calls["n"] == 0
    text = _captions(at)
    assert "Fitted on a seeded sample" in text and "stratified by Top 10 membership" in text
