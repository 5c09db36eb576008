"""Light (Vega-Lite) chart builders of the Overview, and the mirrors of lib.data.pipeline tables."""

from __future__ import annotations

import json

import pandas as pd

from lib import charts
from lib.charts import light as charts_light


def _daily() -> pd.DataFrame:
    dates = pd.date_range("2024-01-03", "2024-03-20", freq="D")  # partial first and last week
    return pd.DataFrame({"date": dates, "watch_hours": 2.0, "sessions": 3})


def _report(demo_dir) -> dict:
    from lib.data.store import load_report

    return load_report(demo_dir)


def _spec(chart) -> dict:
    json.dumps(chart)  # what Streamlit sends: plain JSON, no numpy scalars or timestamps
    return chart


def test_trend_data_matches_the_plotly_builder():
    daily = _daily()
    for freq in ("D", "W", "M"):
        _, heavy = charts.watch_hours_trend(daily, freq=freq)
        chart, light = charts_light.watch_hours_trend(daily, freq=freq)
        pd.testing.assert_frame_equal(light, heavy.reset_index(drop=True))
        spec = _spec(chart)
        assert spec["title"]["text"].startswith("Watch hours per")
        enc = spec["encoding"]
        assert enc["y"]["title"] == "watch hours (h)"
        assert enc["x"]["title"].endswith("starting")
        assert spec["layer"][0]["mark"]["color"] == charts_light.TREND_COLOR
        assert len(spec["data"]["values"]) == len(light)


def test_trend_of_no_data_is_an_empty_chart():
    chart, data = charts_light.watch_hours_trend(
        pd.DataFrame(columns=["date", "watch_hours", "sessions"])
    )
    assert data.empty and _spec(chart)


def test_row_accounting_and_scores_on_a_real_report(demo_dir):
    report = _report(demo_dir)
    chart, data = charts_light.row_accounting(report["invariants"])
    _, heavy = charts.row_accounting(report["invariants"])
    pd.testing.assert_frame_equal(data, heavy)
    spec = _spec(chart)
    assert spec["encoding"]["x"]["title"] == "share of bronze rows (%)"
    assert spec["encoding"]["color"]["scale"]["range"] == list(
        charts_light.ROW_FATE_COLORS.values()
    )
    shares = pd.DataFrame(spec["data"]["values"])
    assert (shares.groupby("table")["share"].sum().round(6) <= 100).all()
    chart, data = charts_light.layer_scores(report["scorecard"])
    assert list(data["layer"]) == ["bronze", "silver", "gold"]
    spec = _spec(chart)
    assert spec["encoding"]["y"]["title"] == "score (0-100)"
    colors = spec["layer"][0]["encoding"]["color"]["scale"]["range"]
    assert colors == [charts_light.LAYER_COLORS[x] for x in data["layer"]]


def test_house_colours_are_shared_with_the_plotly_charts():
    assert charts.LAYER_COLORS is charts_light.LAYER_COLORS


def test_data_in_layers_draws_the_same_chart_without_top_level_data():
    """Streamlit would turn a spec's top-level data into an Arrow table with pandas; the
    Overview hands each layer the same rows instead (lib.ui.widgets.data_in_layers)."""
    from lib.ui.widgets import data_in_layers

    spec, _ = charts_light.watch_hours_trend(_daily())
    moved = _spec(data_in_layers(spec))
    assert "data" not in moved and len(moved["layer"]) == len(spec["layer"]) == 2
    for before, after in zip(spec["layer"], moved["layer"]):
        assert after == {"data": spec["data"], **before}
    assert {k: v for k, v in moved.items() if k != "layer"} == {
        k: v for k, v in spec.items() if k not in ("layer", "data")
    }
    invariants = {"t": {"bronze": 4, "silver": 2, "rejected": 1, "duplicates_removed": 1,
                        "holds": True}}  # fmt: skip
    unit = charts_light.row_accounting_spec(invariants)
    moved = _spec(data_in_layers(unit))
    assert "data" not in moved and (moved["title"], moved["height"]) == (
        unit["title"],
        unit["height"],
    )
    (view,) = moved["layer"]
    assert view == {k: v for k, v in unit.items() if k not in ("title", "height")}
    assert [r["share"] for r in view["data"]["values"]] == [50.0, 25.0, 25.0]
    assert data_in_layers(moved) == moved  # nothing left to move


def test_trend_of_utc_timestamps_equals_the_naive_one():
    """A Spark build writes engagement_daily.date as UTC-aware timestamps, DuckDB as naive
    ones: the periods (and the stored Overview trend) are the same days either way."""
    daily = _daily()
    aware = daily.assign(date=daily["date"].dt.tz_localize("UTC"))
    for freq in ("D", "W", "M"):
        pd.testing.assert_frame_equal(
            charts_light.watch_hours_by_period(aware, freq=freq),
            charts_light.watch_hours_by_period(daily, freq=freq),
        )
