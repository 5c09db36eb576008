"""Dataset folders (lib.data.store): Parquet layers, atomic writes and swaps, staging clean-up."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lib.data import store


def _complete(folder, titles=("a", "b")):
    """A minimal complete build: a manifest and a gold titles table."""
    folder.mkdir(parents=True, exist_ok=True)
    store.write_json(folder / "manifest.json", {"name": folder.name})
    store.write_tables(folder / "gold", {"titles": pd.DataFrame({"title_id": list(titles)})})
    return folder


def test_write_and_read_tables_round_trip(tmp_path):
    frames = {"a": pd.DataFrame({"x": [1, 2]}), "b": pd.DataFrame({"y": ["p", None]})}
    store.write_tables(tmp_path / "silver", frames)
    back = store.read_tables(tmp_path / "silver")
    assert sorted(back) == ["a", "b"]
    pd.testing.assert_frame_equal(back["a"], frames["a"])
    assert list(store.read_tables(tmp_path / "silver", ["b"])) == ["b"]


def test_writes_are_deterministic(tmp_path):
    df = pd.DataFrame({"x": range(100), "y": [str(i) for i in range(100)]})
    store.write_tables(tmp_path / "one", {"t": df})
    store.write_tables(tmp_path / "two", {"t": df})
    assert (tmp_path / "one/t.parquet").read_bytes() == (tmp_path / "two/t.parquet").read_bytes()


def test_read_tables_of_a_folder_of_parts(tmp_path):
    """Bronze and Spark builds write a table as a folder of part files."""
    part_dir = tmp_path / "bronze" / "users.parquet"
    part_dir.mkdir(parents=True)
    pq.write_table(pa.table({"user_id": ["u1", "u2"]}), part_dir / "part-0.parquet")
    pq.write_table(pa.table({"user_id": ["u3"]}), part_dir / "part-1.parquet")
    users = store.read_tables(tmp_path / "bronze")["users"]
    assert sorted(users["user_id"]) == ["u1", "u2", "u3"]


def test_gold_category_columns_come_back_as_categoricals(tmp_path):
    from lib.config import GOLD_SCHEMA

    table, col = next(
        (t, c) for t, cols in GOLD_SCHEMA.items() for c, k in cols.items() if k == "category"
    )
    store.write_tables(tmp_path / "gold", {table: pd.DataFrame({col: ["x", "y", "x"]})})
    assert isinstance(store.read_tables(tmp_path / "gold")[table][col].dtype, pd.CategoricalDtype)
    store.write_tables(tmp_path / "silver", {table: pd.DataFrame({col: ["x"]})})
    silver = store.read_tables(tmp_path / "silver")[table][col]
    assert not isinstance(silver.dtype, pd.CategoricalDtype)  # only gold's schema says so


def test_missing_layers_raise_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no data layer"):
        store.read_tables(tmp_path / "nothing")
    with pytest.raises(ValueError, match="unknown layer"):
        store.load_layer(tmp_path, "platinum")
    with pytest.raises(FileNotFoundError, match="build it first"):
        store.load_gold(tmp_path)


def test_list_datasets_only_complete_ones_demo_first(tmp_path):
    for name in ("zeta", "demo", "alpha"):
        _complete(tmp_path / name)
    (tmp_path / "half_built" / "gold").mkdir(parents=True)  # no manifest
    _complete(tmp_path / f"alpha.building-{os.getpid()}-abcdef01")  # staging
    assert store.list_datasets(tmp_path) == ["demo", "alpha", "zeta"]
    assert store.list_datasets(tmp_path / "absent") == []
    assert store.has_gold(tmp_path / "alpha") and not store.has_gold(tmp_path / "half_built")
    assert store.load_manifest(tmp_path / "alpha") == {"name": "alpha"}


def test_atomic_dataset_swaps_in_the_new_build(tmp_path):
    final = _complete(tmp_path / "ds", titles=("old",))
    with store.atomic_dataset(final) as staging:
        assert staging.parent == final.parent and staging != final
        _complete(staging, titles=("new",))
    assert store.load_gold(final)["titles"]["title_id"].tolist() == ["new"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds"]  # no staging or old left


def test_a_failed_build_leaves_the_previous_dataset_intact(tmp_path):
    final = _complete(tmp_path / "ds", titles=("old",))
    with pytest.raises(RuntimeError, match="boom"):
        with store.atomic_dataset(final) as staging:
            _complete(staging, titles=("half",))
            raise RuntimeError("boom")
    assert store.load_gold(final)["titles"]["title_id"].tolist() == ["old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds"]


def test_a_failed_swap_puts_the_previous_dataset_back(tmp_path, monkeypatch):
    final = _complete(tmp_path / "ds", titles=("old",))
    real_replace = os.replace

    def failing_replace(src, dst):
        if ".building-" in str(src):
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(store.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        with store.atomic_dataset(final) as staging:
            _complete(staging, titles=("new",))
    assert store.load_gold(final)["titles"]["title_id"].tolist() == ["old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds"]


def test_promote_dataset(tmp_path):
    final = _complete(tmp_path / "ds", titles=("old",))
    preview = store.preview_dir(tmp_path)
    assert preview.parent == tmp_path / store.PREVIEWS and not preview.exists()
    _complete(preview, titles=("new",))
    with pytest.raises(FileExistsError):
        store.promote_dataset(preview, final, replace=False)
    assert preview.exists()  # nothing changed
    store.promote_dataset(preview, final, replace=True)
    assert store.load_gold(final)["titles"]["title_id"].tolist() == ["new"]
    assert not preview.exists()
    with pytest.raises(FileNotFoundError):
        store.promote_dataset(tmp_path / "nothing", tmp_path / "other", replace=True)
    assert not (tmp_path / "other").exists()


def test_remove_stale_staging_keeps_live_processes(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    stale = tmp_path / f"ds.building-{dead_pid}-0123abcd"
    live = tmp_path / f"ds.old-{os.getpid()}-0123abcd"
    other = tmp_path / "ds"
    for p in (stale, live, other):
        p.mkdir()
    preview = store.preview_dir(tmp_path)
    stale_preview = preview.with_name(preview.name.replace(f"-{os.getpid()}-", f"-{dead_pid}-"))
    stale_preview.mkdir()
    removed = store.remove_stale_staging(tmp_path)
    assert sorted(removed) == sorted([stale, stale_preview])
    assert live.exists() and other.exists() and not stale.exists()
