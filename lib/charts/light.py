"""Light chart builders: DataFrame in, Vega-Lite spec (a plain dict) out; no streamlit import.

For the landing page: Streamlit draws Vega-Lite charts (``st.vega_lite_chart``) with the
JavaScript of its main bundle, while the first Plotly chart of a session makes the browser
fetch and compile a ~4.7 MB Plotly bundle. The specs are plain dicts with their data inline,
so building them imports neither Plotly nor Altair (Altair alone costs 0.25-0.5 s to import
on this machine). Same house look as ``lib.charts``: plain-words title flush left, axis
titles with units, legend below, and the house colours, defined here and used by both.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = [
    "LAYER_COLORS",
    "ROW_FATE_COLORS",
    "TREND_COLOR",
    "watch_hours_by_period",
    "watch_hours_trend",
    "row_accounting_data",
    "row_accounting",
    "layer_scores",
]

Spec = dict[str, Any]

# house colours (lib.charts uses the same ones in its Plotly figures)
LAYER_COLORS = {"bronze": "#B07A3B", "silver": "#8E99A8", "gold": "#D4A017"}
ROW_FATE_COLORS = {
    "kept in silver": "#2E7D32",
    "rejected": "#C62828",
    "duplicates removed": "#F9A825",
}
TREND_COLOR = "#E50914"
LABEL_INK = "#1D2330"  # labels drawn on the layer colours (>= 4.5:1 on each)
_PERIODS = {"W": "week", "D": "day", "M": "month"}


def watch_hours_by_period(daily: pd.DataFrame, *, freq: str = "W") -> pd.DataFrame:
    """Watch hours and sessions per period (``freq``: D, W or M) of gold ``engagement_daily``.

    Periods the data covers only in part (the first and the last) are left out: a partial
    week looks like a drop. Columns: ``period`` (its first day), ``watch_hours``, ``sessions``.
    """
    if daily.empty:
        return pd.DataFrame(columns=["period", "watch_hours", "sessions"])
    dates = pd.to_datetime(daily["date"])
    periods = dates.dt.to_period(freq)
    data = (
        daily.assign(period=periods.dt.start_time)
        .groupby("period", as_index=False)[["watch_hours", "sessions"]]
        .sum()
    )
    last = periods.max()
    if len(data) > 1 and dates.max().normalize() < last.end_time.normalize():
        data = data[data["period"] < last.start_time]
    first = periods.min()
    if len(data) > 1 and dates.min().normalize() > first.start_time.normalize():
        data = data[data["period"] > first.start_time]
    return data.reset_index(drop=True)


def _spec(title: str, rows: list[dict], height: int, **body: Any) -> Spec:
    return {
        "title": {"text": title, "anchor": "start", "fontSize": 16, "fontWeight": 600},
        "height": height,
        "data": {"values": rows},
        **body,
    }


def _records(df: pd.DataFrame) -> list[dict]:
    """JSON-ready rows: numbers as floats/ints, timestamps as local ISO strings."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            # no time zone: Vega parses it as the viewer's local midnight, so no day shift
            out[col] = out[col].dt.strftime("%Y-%m-%dT00:00:00")
    return [
        {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        for row in out.to_dict("records")
    ]


def watch_hours_trend(daily: pd.DataFrame, *, freq: str = "W") -> tuple[Spec, pd.DataFrame]:
    """Line of watch hours per week (or ``freq``); returns the spec and the data behind it."""
    data = watch_hours_by_period(daily, freq=freq)
    label = _PERIODS.get(freq, freq)
    date_format = "%b %Y" if freq == "M" else "%d %b %Y"
    x = {"field": "period", "type": "temporal", "title": f"{label} starting"}
    y = {"field": "watch_hours", "type": "quantitative", "title": "watch hours (h)"}
    tooltip = [
        {**x, "format": date_format},
        {**y, "format": ",.0f"},
        {"field": "sessions", "type": "quantitative", "title": "sessions", "format": ",.0f"},
    ]
    encoding = {
        "x": {**x, "axis": {"format": "%b %Y"}},  # ticks fall on months; the tooltip has the day
        "y": {**y, "axis": {"format": ",.0f"}},
        "tooltip": tooltip,
    }
    spec = _spec(
        f"Watch hours per {label}",
        _records(data),
        380,
        encoding=encoding,
        layer=[
            {"mark": {"type": "line", "color": TREND_COLOR, "strokeWidth": 2}},
            # invisible wide points: the tooltip answers near the line, not only on it
            {"mark": {"type": "point", "size": 120, "opacity": 0}},
        ],
    )
    return spec, data


def row_accounting_data(invariants: dict[str, dict]) -> pd.DataFrame:
    """One row per table of a build's invariants: bronze rows, their fates, whether they add up."""
    columns = ["table", "bronze rows", *ROW_FATE_COLORS, "accounted for"]
    data = pd.DataFrame(
        [
            {
                "table": name,
                "bronze rows": v["bronze"],
                "kept in silver": v["silver"],
                "rejected": v["rejected"],
                "duplicates removed": v["duplicates_removed"],
                "accounted for": v["holds"],
            }
            for name, v in invariants.items()
        ],
        columns=columns,
    )
    return data


def row_accounting(invariants: dict[str, dict]) -> tuple[Spec, pd.DataFrame]:
    """100%-stacked bars per table: share of bronze rows kept, rejected, removed as duplicates."""
    data = row_accounting_data(invariants)
    fates = list(ROW_FATE_COLORS)
    total = data["bronze rows"].where(data["bronze rows"] > 0, 1)
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "table": data["table"],
                    "fate": fate,
                    "order": i,
                    "rows": data[fate],
                    "bronze rows": data["bronze rows"],
                    "share": 100 * data[fate] / total,
                }
            )
            for i, fate in enumerate(fates)
        ],
        ignore_index=True,
    )
    encoding = {
        "x": {
            "field": "share",
            "type": "quantitative",
            "title": "share of bronze rows (%)",
            "stack": "zero",
            "scale": {"domain": [0, 100], "nice": False},
            "axis": {"values": [0, 25, 50, 75, 100], "labelExpr": "datum.value + '%'"},
        },
        "y": {
            "field": "table",
            "type": "nominal",
            "title": None,
            "sort": list(data["table"]),
            "axis": {"labelLimit": 220},
        },
        "color": {
            "field": "fate",
            "type": "nominal",
            "title": None,
            "scale": {"domain": fates, "range": list(ROW_FATE_COLORS.values())},
            "legend": {"orient": "bottom", "direction": "horizontal"},
        },
        "order": {"field": "order", "type": "quantitative"},
        "tooltip": [
            {"field": "table", "type": "nominal"},
            {"field": "fate", "type": "nominal", "title": "what happened"},
            {"field": "rows", "type": "quantitative", "format": ","},
            {"field": "bronze rows", "type": "quantitative", "format": ","},
            {"field": "share", "type": "quantitative", "title": "share (%)", "format": ".1f"},
        ],
    }
    spec = _spec(
        "Where every bronze row went",
        _records(long),
        130 + 32 * max(len(data), 3),  # the whole chart: title, axis and legend included
        mark={"type": "bar"},
        encoding=encoding,
    )
    return spec, data


def layer_scores(scorecard: list[dict]) -> tuple[Spec, pd.DataFrame]:
    """Quality score (0-100) per layer, one bar per layer in the layer's colour."""
    data = pd.DataFrame(scorecard)
    layers = list(data["layer"]) if len(data) else []
    encoding = {
        "x": {
            "field": "layer",
            "type": "nominal",
            "title": "layer",
            "sort": layers,
            "axis": {"labelAngle": 0},
        },
        "y": {
            "field": "score",
            "type": "quantitative",
            "title": "score (0-100)",
            "scale": {"domain": [0, 110], "nice": False},  # headroom above a full score
            "axis": {"values": [0, 20, 40, 60, 80, 100]},
        },
        "tooltip": [
            {"field": "layer", "type": "nominal"},
            {"field": "score", "type": "quantitative", "format": ".1f"},
        ],
    }
    color = {
        "field": "layer",
        "type": "nominal",
        "scale": {"domain": layers, "range": [LAYER_COLORS.get(x, "#888888") for x in layers]},
        "legend": None,
    }
    spec = _spec(
        "Quality score per layer",
        _records(data[["layer", "score"]]) if len(data) else [],
        320,
        encoding=encoding,
        layer=[
            {"mark": {"type": "bar"}, "encoding": {"color": color}},
            {
                # inside the bar's top, dark ink: readable on the three layer colours in
                # both themes (a label above the bar took the theme's text colour in
                # neither: Vega draws text marks black, invisible on the dark page)
                "mark": {
                    "type": "text",
                    "baseline": "top",
                    "dy": 6,
                    "fontSize": 13,
                    "fontWeight": 600,
                    "color": LABEL_INK,
                },
                "encoding": {"text": {"field": "score", "type": "quantitative", "format": ".1f"}},
            },
        ],
    )
    return spec, data
