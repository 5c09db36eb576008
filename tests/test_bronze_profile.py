"""The bronze profile: counts from the Parquet metadata equal the counting query's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.data.pipeline.bronze import BronzeWriter, profile_bronze
from lib.data.pipeline.engine import Engine, connect, table_path

AS_OF = pd.Timestamp("2026-06-30")


def _bronze(tmp_path, chunks: list[pd.DataFrame]):
    w = BronzeWriter(tmp_path / "bronze", "users", source="test")
    for c in chunks:
        w.append(c)
    w.close()
    return table_path(tmp_path / "bronze", "users")


@pytest.fixture
def users_bronze(tmp_path):
    first = pd.DataFrame(
        {
            "user_id": ["u1", None, "u3"],
            "age": [31.0, np.nan, 40.0],
            "country": ["FR", " ", None],
            "subscription_start_date": ["2024-01-05", "not a date", None],
        }
    )
    second = pd.DataFrame(  # its country is all missing: cast to the first chunk's text
        {
            "user_id": ["u4", "u5"],
            "age": [np.nan, 22.0],
            "country": [None, None],
            "subscription_start_date": ["2025-03-01", "2026-06-01"],
        }
    )
    return _bronze(tmp_path, [first, second])


def test_metadata_counts_equal_the_counting_query(users_bronze, monkeypatch):
    with connect("duckdb") as eng:
        assert eng.present(users_bronze) is not None  # the metadata route is taken
        fast = profile_bronze(eng, "users", users_bronze, AS_OF)
        monkeypatch.setattr(Engine, "present", lambda self, path: None)
        counted = profile_bronze(eng, "users", users_bronze, AS_OF)
    assert fast == counted
    assert fast["rows"] == 5
    # missing: None and NaN; a blank text is a value (silver blanks it)
    assert fast["completeness"] == {
        "user_id": 0.8,
        "age": 0.6,
        "country": 0.4,
        "subscription_start_date": 0.8,
    }
    assert fast["freshness"] == {
        "column": "subscription_start_date",
        "latest": "2026-06-01",
        "days_before_build": 29,
        "unparseable": 1,
    }


def test_a_file_without_null_counts_is_counted_by_query(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "bronze" / "users.parquet"
    path.parent.mkdir()
    data = pa.table(
        {
            "user_id": ["u1", None, "u3"],
            "age": [1.0, None, None],
            "_source": ["t"] * 3,
            "_row": [1, 2, 3],
            "_batch": ["b"] * 3,
        }
    )
    pq.write_table(data, path, write_statistics=False)
    with connect("duckdb") as eng:
        assert eng.present(path) is None
        prof = profile_bronze(eng, "users", path, AS_OF)
    assert prof["rows"] == 3
    assert prof["completeness"] == pytest.approx({"user_id": 2 / 3, "age": 1 / 3})
