"""The build's recommend models step: what it stores equals what the page would compute."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from lib.data import artifacts
from lib.data.pipeline import models_recommend
from lib.data.pipeline.models import FAMILIES
from lib.models import rec_service as svc
from lib.models.evaluate import COMPARED, compare_recommenders, split_holdout, tune_recommenders

TIMING = ["fit_seconds", "seconds"]  # wall-clock columns differ between two runs
SETTINGS = {"users": svc.EVAL_USERS, "budget": svc.EVAL_EASE_BUDGET_GIB}


def _gold(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(folder / "gold" / f"{name}.parquet")


def test_recommend_is_a_models_family():
    assert "recommend" in FAMILIES


def test_stored_comparison_equals_a_direct_computation(demo_dir):
    """The demo fixture is built with the models step: its comparison is the library's."""
    stored = svc.load_comparison(demo_dir, split="random", **SETTINGS)
    assert stored is not None
    titles, inter = _gold(demo_dir, "titles"), _gold(demo_dir, "interactions")
    direct = compare_recommenders(
        titles,
        inter,
        k=10,
        test_frac=0.2,
        seed=0,
        min_titles=5,
        users=svc.EVAL_USERS,
        n_boot=svc.EVAL_BOOT,
    )
    pd.testing.assert_frame_equal(
        stored.table.drop(columns=TIMING), direct.table.drop(columns=TIMING)
    )
    pd.testing.assert_frame_equal(stored.paired, direct.paired)
    assert stored.best == direct.best and stored.skipped == direct.skipped
    assert set(stored.per_user) == set(direct.per_user)
    for name, frame in direct.per_user.items():
        pd.testing.assert_frame_equal(stored.per_user[name], frame)
    for name, res in direct.tuned.items():
        assert stored.tuned[name].params == res.params
        assert stored.tuned[name].score == pytest.approx(res.score)
        pd.testing.assert_frame_equal(
            stored.tuned[name].curve.drop(columns="seconds", errors="ignore"),
            res.curve.drop(columns="seconds", errors="ignore"),
        )
    meta = {k: v for k, v in stored.meta.items() if k != "seconds"}
    assert meta["split"] == "random" and meta["n_test"] == direct.meta["n_test"]
    assert stored.protocol == direct.protocol


def test_stored_tuning_models_and_time_split(demo_dir):
    titles, inter = _gold(demo_dir, "titles"), _gold(demo_dir, "interactions")
    tuning = svc.load_tuning(demo_dir, **SETTINGS)
    assert tuning is not None
    tuned, skipped, best = tuning
    train, _ = split_holdout(inter, 0.2, 0)
    direct, direct_skipped, direct_best = tune_recommenders(
        titles, train, k=10, seed=0, users=svc.EVAL_USERS, min_titles=5
    )
    assert best == direct_best and skipped == direct_skipped
    assert {n: r.params for n, r in tuned.items()} == {n: r.params for n, r in direct.items()}
    # the fitted similar-titles models (joblib: the demo folder is directly under the root)
    m = svc.load_models(demo_dir)
    fresh = svc.fit_models(titles, inter)
    assert m is not None and 0.5 in m._hybrids  # the default blend is stored fitted
    key = fresh.default_key
    for model, other in ((m.content, fresh.content), (m.collab, fresh.collab)):
        pd.testing.assert_frame_equal(model.similar(m.id_of(key)), other.similar(m.id_of(key)))
    viewer = svc.load_viewer_model(demo_dir, best, tuning, **SETTINGS)
    assert viewer is not None
    uid = fresh.viewers["user_id"].iloc[0]
    expected = svc.fit_validated(best, tuned, fresh.content, inter)
    pd.testing.assert_frame_equal(viewer.recommend(uid), expected.recommend(uid))
    # the demo has timestamps: the leave-last-out comparison is stored too
    late = svc.load_comparison(demo_dir, split="time", **SETTINGS)
    assert late is not None and late.meta["split"] == "time"
    assert set(late.table["model"]) == set(COMPARED) - set(late.skipped)


def test_other_settings_or_versions_are_not_served(demo_dir, monkeypatch):
    assert svc.load_comparison(demo_dir, split="random", users=150, budget=1.0) is None
    assert svc.load_tuning(demo_dir, users=svc.EVAL_USERS, budget=0.5) is None
    real = artifacts.versions()
    monkeypatch.setattr(artifacts, "versions", lambda: {**real, "scikit-learn": "0.0"})
    assert svc.load_models(demo_dir) is None
    assert svc.load_comparison(demo_dir, split="random", **SETTINGS) is None


def test_fitted_models_are_never_loaded_outside_the_data_root(demo_dir, tmp_path):
    """A copy elsewhere (an upload's preview, say) serves its tables, not its joblib files."""
    copy = tmp_path / "elsewhere" / "demo"
    shutil.copytree(demo_dir, copy)
    assert svc.load_comparison(copy, split="random", **SETTINGS) is not None
    assert svc.load_models(copy) is None  # PermissionError inside: recomputed on the page
    with pytest.raises(PermissionError):
        artifacts.load(copy, "recommend/models")


def test_build_on_a_catalog_only_dataset_stores_the_content_model(data_root, tmp_path):
    folder = data_root / "rec_models_catalog"
    (folder / "gold").mkdir(parents=True)
    titles = pd.DataFrame(
        {
            "title_id": ["a", "b", "c"],
            "title": ["Heat", "Up", "Ran"],
            "genres": ["Crime|Drama", "Animation", "Drama|War"],
        }
    )
    titles.to_parquet(folder / "gold" / "titles.parquet")
    seen: list[float] = []
    try:
        summary = models_recommend.build(folder, lambda f, _m: seen.append(f))
        assert summary["models"] == ["content"] and "skipped" in summary["evaluation"]
        m = svc.load_models(folder)
        assert m is not None and m.collab is None and m.content is not None
        assert svc.load_tuning(folder, **SETTINGS) is None
        assert seen and all(0.0 <= f <= 1.0 for f in seen)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_time_split_computed_in_a_worker_equals_one_computed_here(demo_dir):
    """The build compares the two splits in two worker processes (on 2 cores or more): the
    stored leave-last-out comparison is the one this process computes."""
    from lib.data.pipeline.models_recommend import _compare

    titles, inter = _gold(demo_dir, "titles"), _gold(demo_dir, "interactions")
    tuning = svc.load_tuning(demo_dir, **SETTINGS)
    content = svc.load_models(demo_dir).content
    here, seconds = _compare(titles, inter, content, "time", tuning, **SETTINGS)
    stored = svc.load_comparison(demo_dir, split="time", **SETTINGS)
    assert seconds > 0 and stored.best == here.best and stored.skipped == here.skipped
    timing = [c for c in stored.table.columns if c.endswith("seconds")]  # differ run to run
    assert timing
    pd.testing.assert_frame_equal(
        stored.table.drop(columns=timing).reset_index(drop=True),
        here.table.drop(columns=timing).reset_index(drop=True),
    )
