"""lib.data.model_input: model pages fit on a table whole, or on a seeded sample above a bound."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.data import model_input as mi


def _gold(tmp: Path, name: str, df: pd.DataFrame) -> Path:
    (tmp / "gold").mkdir(parents=True, exist_ok=True)
    df.to_parquet(tmp / "gold" / f"{name}.parquet", index=False)
    return tmp


def test_a_table_within_its_bound_is_read_whole(demo_dir: Path) -> None:
    full = pd.read_parquet(demo_dir / "gold" / "users.parquet")
    df, sample = mi.read(demo_dir, "users")
    pd.testing.assert_frame_equal(df, full)
    assert not sample.sampled and sample.rows == sample.total == len(full)
    assert sample.note() == f"Fitted on all {len(full):,} viewers."
    assert mi.plan(demo_dir, "users") == sample


def test_viewers_above_the_bound_are_a_seeded_sample(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STREAMDASH_MODEL_ROWS_USERS", "300")
    full = pd.read_parquet(demo_dir / "gold" / "users.parquet")
    df, sample = mi.read(demo_dir, "users")
    assert len(df) == sample.rows == 300 and sample.total == len(full) and sample.sampled
    # a subset of the table's rows, in the table's order, with the same types
    kept = full[full["user_id"].isin(df["user_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(df, kept)
    # the same seed gives the same rows; another seed others
    again, _ = mi.read(demo_dir, "users")
    pd.testing.assert_frame_equal(df, again)
    other, _ = mi.read(demo_dir, "users", seed=1)
    assert set(other["user_id"]) != set(df["user_id"])
    note = sample.note()
    assert "seeded sample: 300 of" in note and "seed 0" in note and "of 300 rows" in note
    assert mi.plan(demo_dir, "users") == sample


def test_interactions_keep_whole_viewer_histories(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STREAMDASH_MODEL_ROWS_INTERACTIONS", "2000")
    full = pd.read_parquet(demo_dir / "gold" / "interactions.parquet")
    df, sample = mi.read(demo_dir, "interactions")
    assert 0 < len(df) <= 2_000 and sample.rows == len(df)
    # every kept viewer with every one of their interactions
    per_user = full["user_id"].value_counts()
    kept = df["user_id"].value_counts()
    assert (per_user.reindex(kept.index) == kept).all()
    assert sample.units == df["user_id"].nunique()
    assert sample.units_total == full["user_id"].nunique()
    # close to the bound: the next viewer in seeded order would not have fitted
    assert len(df) > 2_000 - per_user.max()
    assert f"complete histories of {sample.units:,} of {sample.units_total:,} viewers" in (
        sample.note()
    )


def test_top10_sample_keeps_the_share_of_top10_titles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(3)
    n = 5000
    table = pd.DataFrame(
        {
            "title_id": [f"t{i:05d}" for i in range(n)],
            "in_top10": (rng.random(n) < 0.07).astype("int32"),
            "imdb_rating": rng.normal(6.5, 1, n),
        }
    )
    folder = _gold(tmp_path, "top10_training", table)
    monkeypatch.setenv("STREAMDASH_MODEL_ROWS_TOP10_TRAINING", "800")
    df, sample = mi.read(folder, "top10_training")
    assert abs(len(df) - 800) <= 2 and sample.sampled
    assert abs(df["in_top10"].sum() - round(table["in_top10"].mean() * 800)) <= 1
    assert "stratified by Top 10 membership" in sample.note()


def test_bad_bound_names_the_variable(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STREAMDASH_MODEL_ROWS_USERS", "lots")
    with pytest.raises(ValueError, match="STREAMDASH_MODEL_ROWS_USERS='lots'.*whole number"):
        mi.read(demo_dir, "users")
    monkeypatch.setenv("STREAMDASH_MODEL_ROWS_USERS", "0")
    with pytest.raises(ValueError, match=">= 1"):
        mi.bound("users")


def test_a_missing_table_names_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no gold table 'interactions'"):
        mi.read(tmp_path, "interactions")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=60),
    limit=st.integers(min_value=1, max_value=400),
    seed=st.integers(min_value=0, max_value=10),
)
def test_interaction_samples_never_split_a_viewer_or_pass_the_bound(
    tmp_path_factory: pytest.TempPathFactory, sizes: list[int], limit: int, seed: int
) -> None:
    rows = [(f"u{u:03d}", f"t{j:03d}") for u, n in enumerate(sizes) for j in range(n)]
    table = pd.DataFrame(rows, columns=["user_id", "title_id"])
    folder = _gold(tmp_path_factory.mktemp("mi"), "interactions", table)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STREAMDASH_MODEL_ROWS_INTERACTIONS", str(limit))
        df, sample = mi.read(folder, "interactions", seed=seed)
    if len(table) <= limit:
        assert not sample.sampled and len(df) == len(table)
        return
    assert len(df) <= limit and sample.rows == len(df)
    counts = table["user_id"].value_counts()
    got = df["user_id"].value_counts()
    assert (counts.reindex(got.index) == got).all()
    # source order kept
    assert df.merge(table.reset_index(), on=["user_id", "title_id"])[
        "index"
    ].is_monotonic_increasing
