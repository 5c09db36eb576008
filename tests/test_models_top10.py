"""The Top 10 family of the build's models step (lib.data.pipeline.models_top10): the session's demo
dataset (scale 0.1, built with the models step) stores what the Top 10 page shows by default,
equal to computing it directly; requests that differ, stale or untrusted artefacts are not
served."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib.data import artifacts
from lib.data.pipeline import models_top10 as mt
from lib.data.pipeline.models import FAMILIES
from lib.models import top10


@pytest.fixture(scope="module")
def table(demo_dir: Path) -> pd.DataFrame:
    return mt.training_table(demo_dir)


def test_the_build_ran_the_top10_family(demo_dir):
    assert "top10" in FAMILIES
    summary = json.loads((demo_dir / "report.json").read_text())["models"]["top10"]
    assert "skipped" not in summary and "error" not in summary, summary
    assert summary["titles"] == sum(mt.label_counts(mt.training_table(demo_dir)))
    assert summary["best"] in top10.MODEL_KINDS and summary["models"] == list(top10.MODEL_KINDS)
    assert summary["seconds"] > 0
    for kind in top10.MODEL_KINDS:
        for what in ("cv", "model", "importance"):
            assert mt.stored(demo_dir, what, kind), (what, kind)
    assert mt.stored(demo_dir, "leakage", summary["best"])


def test_stored_cross_validation_equals_compare_models(demo_dir, table):
    direct = top10.compare_models(table, seed=0, n_splits=5)
    parts = [mt.load(demo_dir, "cv", kind) for kind in top10.MODEL_KINDS]
    assert all(isinstance(p, pd.DataFrame) and len(p) == 1 for p in parts)
    loaded = mt.rank(parts)
    # fit_seconds is the CPU time the fits took: the only column that differs run to run
    pd.testing.assert_frame_equal(
        loaded.drop(columns="fit_seconds"), direct.drop(columns="fit_seconds")
    )
    assert loaded.attrs == direct.attrs
    summary = json.loads((demo_dir / "report.json").read_text())["models"]["top10"]
    assert summary["best"] == direct["kind"].iloc[0]
    assert summary["roc_auc"] == round(direct["roc_auc_mean"].iloc[0], 3)


def test_stored_models_importance_and_leakage_equal_a_fresh_computation(demo_dir, table):
    best = json.loads((demo_dir / "report.json").read_text())["models"]["top10"]["best"]
    stored = mt.load(demo_dir, "model", best)
    fresh = top10.train(table, kind=best, seed=0)
    assert isinstance(stored, top10.Top10Model) and stored.kind == best
    np.testing.assert_allclose(stored.predict_proba(table), fresh.predict_proba(table))
    assert stored.metrics == fresh.metrics
    pd.testing.assert_frame_equal(
        mt.load(demo_dir, "importance", best), fresh.permutation_importance(seed=0)
    )
    report = mt.load(demo_dir, "leakage", best)
    direct = top10.leakage_report(table, 0, kind=best, n_splits=5)
    pd.testing.assert_frame_equal(report.pop("table"), direct.pop("table"))
    assert report == direct
    assert report["leaky"] is not None  # the demo has post-release columns


def test_other_requests_get_their_own_artefact(demo_dir):
    default, params = mt.artefact("cv", "gbm")
    assert default == "top10/cv_gbm" and params["n_splits"] == top10.N_SPLITS
    fewer, fewer_params = mt.artefact("cv", "gbm", features=("imdb_rating", "imdb_votes"))
    reseeded, _ = mt.artefact("cv", "gbm", seed=1)
    assert len({default, fewer, reseeded}) == 3 and fewer.startswith("top10/cv_gbm_")
    assert fewer_params["features"] == ["imdb_rating", "imdb_votes"]
    assert mt.artefact("leakage", "rf", features=("imdb_rating",))[0] == "top10/leakage_rf"
    assert not mt.stored(demo_dir, "cv", "gbm", seed=1)
    assert mt.load(demo_dir, "cv", "gbm", features=("imdb_rating", "imdb_votes")) is None
    with pytest.raises(ValueError, match="unknown Top 10 artefact"):
        mt.artefact("weights", "gbm")


def test_stale_or_untrusted_artefacts_are_not_served(demo_dir, data_root, monkeypatch):
    real = artifacts.versions()
    monkeypatch.setattr(artifacts, "versions", lambda: {**real, "scikit-learn": "0.0"})
    assert not mt.stored(demo_dir, "model", "gbm")
    assert mt.load(demo_dir, "cv", "gbm") is None
    monkeypatch.setattr(artifacts, "versions", lambda: real)
    preview = data_root / ".previews" / "t10-test"
    shutil.copytree(demo_dir / "models", preview / "models")
    try:
        assert mt.load(demo_dir, "model", "gbm") is not None
        assert not mt.stored(preview, "model", "gbm")  # a fitted model: only where trusted
        assert mt.load(preview, "model", "gbm") is None  # refused, not raised
        assert mt.stored(preview, "cv", "gbm")  # Parquet loads no code
    finally:
        shutil.rmtree(data_root / ".previews", ignore_errors=True)


def _gold(folder: Path, table: pd.DataFrame) -> Path:
    (folder / "gold").mkdir(parents=True)
    table.to_parquet(folder / "gold" / "top10_training.parquet")
    return folder


def test_unusable_tables_are_skipped(tmp_path):
    calls: list[str] = []

    def progress(f: float, m: str) -> None:
        calls.append(m)

    assert mt.build(tmp_path / "none", progress) == {"skipped": "no top10_training table"}
    t = top10.synthetic_training_table(120, seed=1)
    unlabelled = _gold(tmp_path / "unlabelled", t.assign(in_top10=np.nan))
    assert mt.build(unlabelled, progress) == {"skipped": "no titles with a Top 10 label"}
    few = t.assign(in_top10=(np.arange(len(t)) < 4).astype(int))  # 4 Top 10 titles
    out = mt.build(_gold(tmp_path / "few", few), progress)
    assert "skipped" in out and "10" in out["skipped"], out
    assert not (tmp_path / "few" / "models").exists()


def test_the_build_cross_validates_on_one_worker_per_core_at_most_one_per_fold(monkeypatch):
    """The stored figures are those of one process (the tests above compare them with
    ``compare_models``' default ``n_jobs=1``); the build spreads the folds over the cores."""
    import os

    for cores, jobs in ((None, 1), (1, 1), (2, 2), (64, top10.N_SPLITS)):
        monkeypatch.setattr(os, "cpu_count", lambda cores=cores: cores)
        assert mt.build_jobs() == jobs
    assert top10.N_JOBS == 1  # what a page computes on demand: one process beside the server


def test_parallel_workers_give_the_same_cross_validation_and_importance(table):
    one = mt.cross_validate(table, "logreg", n_jobs=1)
    two = mt.cross_validate(table, "logreg", n_jobs=2)
    pd.testing.assert_frame_equal(one.drop(columns="fit_seconds"), two.drop(columns="fit_seconds"))
    assert one.attrs == two.attrs
    model = mt.fit(table, "logreg")
    pd.testing.assert_frame_equal(mt.importance(model, n_jobs=1), mt.importance(model, n_jobs=2))
