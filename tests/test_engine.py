"""The two engines: the same definitions give the same layers on DuckDB and on Spark.

Spark tests skip with a reason where PySpark or Java is missing (``.ci/run`` installs both).
"""

from __future__ import annotations

from pathlib import Path

import ibis
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.data.pipeline import build, build_tables
from lib.data.pipeline.engine import connect, round_half_up, spark_available, strip
from lib.data.pipeline.verify import diff_layer, diff_reports, diff_tables
from lib.data.store import load_gold
from tests.conftest import SMALL_SCALE, realdata

ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.spark)]


def _need_spark() -> None:
    ok, why = spark_available()
    if not ok:
        pytest.skip(f"Spark engine unavailable: {why}")


@pytest.fixture(scope="module", params=ENGINES)
def eng(request):
    if request.param == "spark":
        _need_spark()
    with connect(request.param) as e:
        yield e


def test_primitives_agree_with_their_definition(eng):
    """Lenient dates, white space, rounding and JSON records: engine-independent by design."""
    df = pd.DataFrame(
        {
            "s": [
                "2021-09-25",
                " September 5, 2021",
                "Sep 25, 2021",
                "9/5/2021",
                "2021/09/25",
                "2021-09-25T20:15:00",
                "2021-09-25 20:15:00Z",
                "25 September 2021",
                "2025-13-45",
                "31/31/2025",
                "n/a",
            ],
            "x": [0.15, 0.25, 2.5, -0.5, 1.05, 10.0, 0.049, 3.3, 7.0, 1.0, 2.0],
            "pad": ["\ta b \n", "fox", " vivid ", "", "x", "y", "z", "f", "v", " ", "\x01q\x7f"],
        }
    )
    t = eng.table(df)
    out = eng.to_pandas(
        t.select(
            ts=eng.parse_timestamp(t.s),
            r1=round_half_up(t.x, 1),
            r0=round_half_up(t.x),
            p=strip(t.pad),
            j=ibis.struct({"s": t.s, "x": t.x}).cast("json").cast("string"),
        )
    )
    day, evening = pd.Timestamp("2021-09-25"), pd.Timestamp("2021-09-25 20:15")
    sept5 = pd.Timestamp("2021-09-05")
    expected = [day, sept5, day, sept5, day, evening, evening, day, None, None, None]
    got = pd.to_datetime(out["ts"])
    if getattr(got.dt, "tz", None) is not None:
        got = got.dt.tz_localize(None)
    assert [None if pd.isna(v) else v for v in got] == expected
    assert out["r1"].tolist() == [0.2, 0.3, 2.5, -0.5, 1.1, 10.0, 0.0, 3.3, 7.0, 1.0, 2.0]
    assert out["r0"].tolist() == [0.0, 0.0, 3.0, 0.0, 1.0, 10.0, 0.0, 3.0, 7.0, 1.0, 2.0]
    assert out["p"].tolist() == [
        "a b",
        "fox",
        "vivid",
        "",
        "x",
        "y",
        "z",
        "f",
        "v",
        "",
        "\x01q\x7f",
    ]
    import json

    assert json.loads(out["j"].iloc[0]) == {"s": "2021-09-25", "x": 0.15}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=" \t\n\x0b\x0c\r\x01\x1f!~aZ0é€", max_size=6), min_size=1, max_size=40
    )
)
def test_strip_removes_exactly_the_edge_white_space(values):
    """``strip`` on DuckDB = Python's strip of the regex class ``\\s`` (RE2: tab, new line,
    form feed, carriage return, space), for text that starts or ends with any character
    around the space: its first-character test (``text < "!"``) misses no value to strip."""
    ws = " \t\n\x0c\r"
    with connect("duckdb") as e:
        t = e.table(pd.DataFrame({"s": values}))
        got = e.to_pandas(t.select(p=strip(t.s)))["p"].tolist()
    assert got == [v.strip(ws) for v in values]


@pytest.mark.parametrize("fuse", [True, False])
def test_stash_keeps_the_rows_and_types_of_its_expression(tmp_path: Path, fuse: bool):
    """``Engine.stash`` on DuckDB (CREATE TABLE AS the compiled query; Ibis' create_table
    when the expression holds in-memory tables) gives the expression's rows with the types
    Ibis' create_table gives, whether Ibis fuses selects or not."""
    df = pd.DataFrame(
        {
            "i": [3, 1, 2],
            "s": [" a", None, "c "],
            "d": ["2021-09-25", "bad", None],
            "x": [0.5, float("nan"), 2.0],
        }
    )
    with connect("duckdb", fuse_selects=fuse) as e:
        e.write(e.table(df), tmp_path / "t.parquet")
        t = e.read(tmp_path / "t.parquet")
        t = t.mutate(s=strip(t.s), ts=e.parse_timestamp(t.d), ok=t.x > 1, n=t.i.cast("int32"))
        lookup = e.table(pd.DataFrame({"i": [1, 2], "label": ["one", "two"]}))
        for expr in (t, t.left_join(lookup, "i").drop("i_right")):
            got = e.stash(expr, tmp_path / "s.parquet")
            ref = e.con.create_table("reference", obj=expr, temp=True, overwrite=True)
            assert got.schema() == ref.schema()
            pd.testing.assert_frame_equal(
                e.to_pandas(got.order_by("i")), e.to_pandas(ref.order_by("i"))
            )
        e.drop_stashed()


def test_keys_agree_with_their_definition(eng):
    """Gold's integer keys (``gold._keyed``): the dense rank of the ids in byte order, the same
    on every engine; a repeated id shares its key, a missing id has none."""
    from lib.data.pipeline.gold import _keyed

    ids = pd.Series(["b", "a", "Z", "b", None, "\u00e9", "a2", "B"], dtype=object)
    out = eng.to_pandas(_keyed(eng.table(pd.DataFrame({"title_id": ids})), "title_id"))
    got = {
        (None if pd.isna(i) else i): (None if pd.isna(k) else int(k))
        for i, k in zip(out["title_id"], out["title_key"])
    }
    assert got == {"B": 0, "Z": 1, "a": 2, "a2": 3, "b": 4, "\u00e9": 5, None: None}
    assert len(out) == len(ids)


def test_diff_tables_finds_a_changed_value():
    a = pd.DataFrame({"k": ["a", "b"], "v": [1.0, 2.0]})
    assert diff_tables(a, a.iloc[::-1].reset_index(drop=True)) is None  # order is free
    assert "v" in diff_tables(a, a.assign(v=[1.0, 2.5]))
    assert "rows" in diff_tables(a, a.iloc[:1])


def test_category_lookup_gives_the_canonical_definition(eng):
    """Silver maps category spellings with a join on each distinct value (``_typed``); the labels
    and the repair flags must be those of the definition (``_canon``) for known, unknown,
    padded, blank and missing values."""
    from lib.data.pipeline.silver import RULES, _Account, _canon, _typed

    values = [" smart tv ", "Smart TV", "SMART-TV", "phone", "Tablet", "tv", "Fridge", "", " "]
    values += [None, "u.s.a.", "UK", "\tuhd 4k", "Atlantis", "hd"]
    kinds = dict(RULES["watch_history"].canon)
    df = pd.DataFrame({c: values for c in kinds}).assign(_row=range(len(values)))
    t = eng.table(df)
    acc = _Account()
    got = eng.to_pandas(_typed(eng, t, RULES["watch_history"], None, acc).order_by("_row"))
    want = eng.to_pandas(
        t.select("_row", **{c: _canon(t[c], k) for c, k in kinds.items()}).order_by("_row")
    )
    for c in kinds:
        assert [None if pd.isna(v) else v for v in got[c]] == [
            None if pd.isna(v) else v for v in want[c]
        ], c
    assert got["device_type"].iloc[0] == "Smart TV" and got["device_type"].iloc[6] == "Fridge"
    assert got["location_country"].iloc[10] == "USA" and pd.isna(got["location_country"].iloc[7])
    flags = {label: col for col, label in acc.labels.items()}
    # a value changed to another label counts (blank -> missing is not a spelling)
    changed = [
        v is not None and pd.notna(w) and v != w for v, w in zip(values, want["device_type"])
    ]
    assert got[flags["device_type: spelling normalised"]].tolist() == changed
    assert sum(changed) == 5


@pytest.mark.spark
@pytest.mark.slow
def test_spark_builds_the_same_layers_as_duckdb(demo_dir: Path, tmp_path: Path):
    """The small demo built on Spark local[2] equals the DuckDB build (conftest's demo)."""
    _need_spark()
    out = tmp_path / "spark"
    report = build(scale=SMALL_SCALE, seed=0, data_dir=out, engine="spark")
    assert report["engine"].startswith("spark")
    assert diff_reports(demo_dir, out) == {}
    assert diff_layer(demo_dir, out, "silver") == {}
    assert diff_layer(demo_dir, out, "gold", rtol=1e-9) == {}
    # the integer keys are part of the gold compared: present and filled on both engines
    spark_gold = load_gold(out)
    for table, key in (("titles", "title_key"), ("users", "user_key"), ("sessions", "user_key")):
        assert spark_gold[table][key].notna().all(), (table, key)


@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.realdata
def test_engines_agree_on_the_real_engagement_export(tmp_path: Path):
    _need_spark()
    from lib.data.importers import load_source

    folder = realdata("engagement_pipeline")
    builds = {}
    for engine in ("duckdb", "spark"):
        result = load_source(folder)
        builds[engine] = tmp_path / engine
        build_tables(
            result.tables,
            data_dir=builds[engine],
            name="engagement",
            source="engagement_pipeline",
            as_of=pd.Timestamp("2026-01-01"),
            engine=engine,
        )
    a, b = builds["duckdb"], builds["spark"]
    assert diff_reports(a, b) == {}
    assert diff_layer(a, b, "silver") == {}
    assert diff_layer(a, b, "gold", rtol=1e-9) == {}
