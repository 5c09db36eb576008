"""Gold checks (lib.data.schema): each named check counts the rows that fail it, on the engine."""

from __future__ import annotations

import pandas as pd
import pandera.errors
import pytest

from lib.config import GOLD_COLUMNS
from lib.data.pipeline.engine import connect
from lib.data.schema import CHECKS, check_gold, gold_schemas


def _frame(table: str, rows: dict[str, list]) -> pd.DataFrame:
    """A gold table with its canonical columns (missing ones empty) and the given values."""
    n = len(next(iter(rows.values())))
    out = pd.DataFrame({c: pd.Series([None] * n, dtype="object") for c in GOLD_COLUMNS[table]})
    for c, values in rows.items():
        out[c] = values
    return out


@pytest.fixture(scope="module")
def engine():
    with connect("duckdb", threads=1) as eng:
        yield eng


def _tables(engine, **frames: pd.DataFrame):
    return {name: engine.table(df) for name, df in frames.items()}


def _by_name(checks):
    return {f"{c.table}: {c.name}": c for c in checks}


def test_every_named_check_is_listed():
    assert "titles: title_id unique" in CHECKS
    assert "interactions: title_id exists in titles" in CHECKS
    assert len(CHECKS) == len(set(CHECKS))


def test_clean_tables_pass_every_check(engine):
    tables = _tables(
        engine,
        titles=_frame("titles", {"title_id": ["a", "b"], "imdb_rating": [7.5, None]}),
        users=_frame("users", {"user_id": ["u1", "u2"], "age": [30.0, 64.0]}),
        interactions=_frame(
            "interactions",
            {"user_id": ["u1", "u2"], "title_id": ["a", "a"], "weight": [1.0, 2.0]},
        ),
    )
    checks = check_gold(engine, tables)
    ran = _by_name(checks)
    for name in (
        "titles: title_id unique",
        "titles: imdb_rating within 1-10",
        "users: user_id unique",
        "interactions: (user_id, title_id) unique",
        "interactions: title_id exists in titles",
        "interactions: weight > 0",
    ):
        assert ran[name].passed, name
        assert ran[name].as_dict()["passed"] is True
    assert ran["titles: all canonical columns present"].rows == 2
    # tables the dataset does not have are reported as missing, not skipped silently
    assert not ran["sessions: all canonical columns present"].passed


def test_failing_rows_are_counted_per_check(engine):
    tables = _tables(
        engine,
        titles=_frame("titles", {"title_id": ["a", "a", "b"], "imdb_rating": [0.5, 7.0, 11.0]}),
        users=_frame("users", {"user_id": ["u1"], "age": [200.0]}),
        interactions=_frame(
            "interactions",
            {"user_id": ["u1", "u1", "u9"], "title_id": ["a", "a", "zz"], "weight": [1, 1, 0]},
        ),
    )
    ran = _by_name(check_gold(engine, tables))
    assert ran["titles: title_id unique"].failing == 1  # the second "a"
    assert ran["titles: imdb_rating within 1-10"].failing == 2
    assert ran["users: age within 5-110"].failing == 1
    assert ran["interactions: (user_id, title_id) unique"].failing == 1
    assert ran["interactions: title_id exists in titles"].failing == 1
    assert ran["interactions: user_id exists in users"].failing == 1
    assert ran["interactions: weight > 0"].failing == 1
    assert ran["interactions: weight > 0"].rows == 3


def test_a_missing_canonical_column_is_counted(engine):
    titles = _frame("titles", {"title_id": ["a"]}).drop(columns=["imdb_rating", "meta_score"])
    ran = _by_name(check_gold(engine, _tables(engine, titles=titles)))
    assert ran["titles: all canonical columns present"].failing == 2
    assert "titles: imdb_rating within 1-10" not in ran  # nothing to check: not run


def _invalid_titles(engine):
    return _tables(
        engine, titles=_frame("titles", {"title_id": ["a", "b"], "imdb_rating": [7.0, 42.0]})
    )


def test_schema_validation_names_the_failing_column(engine):
    tables = _invalid_titles(engine)
    with pytest.raises(pandera.errors.SchemaErrors) as err:
        gold_schemas(tables)["titles"].validate(tables["titles"], lazy=True)
    column_failures = err.value.message["DATA"]["DATAFRAME_CHECK"]
    assert [(f["column"], f["check"]) for f in column_failures] == [
        ("imdb_rating", "in_range(1, 10)")
    ]
    assert "42.0" in column_failures[0]["error"]


@pytest.mark.xfail(
    strict=True,
    reason="found while adding these tests: pandera's Ibis backend puts the unique checks' "
    "row_number() window inside an aggregate, which DuckDB rejects, so validate() reports a "
    "CHECK_ERROR for them; check_gold() counts the same checks correctly",
)
def test_schema_validation_runs_the_unique_checks(engine):
    tables = _invalid_titles(engine)
    with pytest.raises(pandera.errors.SchemaErrors) as err:
        gold_schemas(tables)["titles"].validate(tables["titles"], lazy=True)
    assert "CHECK_ERROR" not in err.value.message["DATA"]
