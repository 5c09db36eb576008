"""The data contract (lib.config): paths, dataset names, canonical columns, one place each."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib import config


def test_data_root_follows_the_environment_per_call(monkeypatch, tmp_path):
    monkeypatch.setenv("STREAMDASH_DATA", str(tmp_path))
    assert config.data_root() == tmp_path
    monkeypatch.delenv("STREAMDASH_DATA")
    assert config.data_root() == config.PROJECT_ROOT / "data"


@pytest.mark.parametrize("name", ["demo", "my_data-2024.v1", "A", "x" * 64])
def test_dataset_dir_accepts_plain_names(name, tmp_path):
    assert config.dataset_dir(name, tmp_path) == tmp_path / name


@pytest.mark.parametrize(
    "name",
    ["", "..", "../etc", "a/../b", "a/b", "/abs", ".hidden", "-flag", "a..b", "x" * 65, "a b",
     "a\\b", "naïve", "a\nb"],
)  # fmt: skip
def test_dataset_dir_rejects_traversal_and_odd_names(name, tmp_path):
    with pytest.raises(ValueError, match="not allowed"):
        config.dataset_dir(name, tmp_path)


def test_dataset_dir_stays_under_the_root(tmp_path):
    path = config.dataset_dir("demo", tmp_path)
    assert path.resolve().parent == tmp_path.resolve()
    assert config.dataset_dir("demo").parent == config.data_root()


def test_slug_and_share_column_names():
    assert config.slug("Smart TV") == "smart_tv"
    assert config.slug("  Sci-Fi! ") == "sci_fi"
    assert config.device_share_col("Game Console") == "device_share__game_console"
    assert config.genre_share_col("Sci-Fi") == "genre_share__sci_fi"
    # every device and genre has its own column name
    assert len({config.slug(d) for d in config.DEVICES}) == len(config.DEVICES)
    assert len({config.slug(g) for g in config.GENRES}) == len(config.GENRES)


def test_gold_columns_are_the_schema_in_order():
    assert set(config.GOLD_COLUMNS) == set(config.GOLD_SCHEMA)
    for table, types in config.GOLD_SCHEMA.items():
        assert config.GOLD_COLUMNS[table] == tuple(types)
    assert config.TOP10_LABEL in config.GOLD_COLUMNS["top10_training"]


def test_pre_and_post_release_columns_do_not_overlap():
    pre, post = set(config.PRE_RELEASE_COLUMNS), set(config.POST_RELEASE_COLUMNS)
    assert not pre & post
    assert config.TOP10_LABEL not in pre | post
    assert pre <= set(config.GOLD_COLUMNS["top10_training"])


def test_bronze_keys_and_dates_name_real_bronze_columns():
    for table, key in config.BRONZE_KEYS.items():
        assert table in config.BRONZE_TABLES, table
        assert key is None or set(key) <= set(config.BRONZE_TABLES[table]), table
    for table, cols in config.BRONZE_DATE_COLUMNS.items():
        assert set(cols) <= set(config.BRONZE_TABLES[table]), table
    assert set(config.BRONZE_LIST_COLUMNS) <= set(config.BRONZE_TABLES["movies"])


def test_one_definition_of_shared_names():
    """The importers, bronze, the recommenders and their evaluation use lib.config's."""
    from lib.data.importers.formats import engagement
    from lib.data.pipeline import bronze
    from lib.models import evaluate, recommend

    assert bronze.KEYS is config.BRONZE_KEYS
    assert bronze.DATE_COLUMNS is config.BRONZE_DATE_COLUMNS
    assert all(engagement.KEYS[t] == config.BRONZE_KEYS[t] for t in engagement.KEYS)
    assert recommend.COL_USER == evaluate.COL_USER == config.COL_USER == "user_id"
    assert recommend.COL_TITLE == evaluate.COL_TITLE == config.COL_TITLE == "title_id"


def test_project_root_holds_the_app():
    assert (config.PROJECT_ROOT / "streamlit_app.py").is_file()
    assert isinstance(config.PROJECT_ROOT, Path)
