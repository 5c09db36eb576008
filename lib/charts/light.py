"""Light chart builders: DataFrame in, Vega-Lite spec (a plain dict) out; no streamlit import.

For the landing page: Streamlit draws Vega-Lite charts (``st.vega_lite_chart``) with the
JavaScript of its main bundle, while the first Plotly chart of a session makes the browser
fetch and compile a ~4.7 MB Plotly bundle. The specs are plain dicts with their data inline,
so building them imports neither Plotly nor Altair (Altair alone costs 0.25-0.5 s to import
on this machine). Same house look as ``lib.charts``: plain-words title flush left, axis
titles with units, legend below, and the house colours, defined here and used by both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lib.data.overview import watch_hours_by_period

if TYPE_CHECKING:  # imported where used: building a spec from plain rows needs no pandas
    import pandas as pd

__all__ = [
    "LAYER_COLORS",
    "ROW_FATE_COLORS",
    "TREND_COLOR",
    "watch_hours_by_period",
    "watch_hours_trend",
    "trend_spec",
    "trend_frame",
    "row_accounting_data",
    "row_accounting",
    "row_accounting_spec",
    "layer_scores",
    "layer_scores_spec",
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
# axis tick labels, light and dark theme (>= 4.5:1 on the page; Streamlit's grey is 3.8:1):
# the same inks as the Plotly charts' (``lib.charts.house.TICK_INK`` and its dark mapping)
TICK_INK = {"light": "#5F6B7A", "dark": "#9AA3B2"}
_PERIODS = {"W": "week", "D": "day", "M": "month"}


def _spec(title: str, rows: list[dict], height: int, **body: Any) -> Spec:
    return {
        "title": {"text": title, "anchor": "start", "fontSize": 16, "fontWeight": 600},
        "height": height,
        "data": {"values": rows},
        **body,
    }


def _records(df: pd.DataFrame) -> list[dict]:
    """JSON-ready rows: numbers as floats/ints, timestamps as local ISO strings."""
    import pandas as pd

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
    return trend_spec(_records(data), freq=freq), data


def trend_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The rows of a trend (``lib.data.overview``'s stored ones) as the table
    :func:`watch_hours_trend` returns: ``period`` (timestamp), ``watch_hours``, ``sessions``."""
    import pandas as pd

    data = pd.DataFrame(list(rows), columns=["period", "watch_hours", "sessions"])
    return data.assign(period=pd.to_datetime(data["period"]))


def trend_spec(rows: Sequence[Mapping[str, Any]], *, freq: str = "W") -> Spec:
    """The trend line of ``rows`` (``period`` as an ISO date, ``watch_hours``, ``sessions``),
    built from plain rows: the Overview draws the rows stored at build time without pandas."""
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
    return _spec(
        f"Watch hours per {label}",
        [dict(r) for r in rows],
        380,
        encoding=encoding,
        layer=[
            {"mark": {"type": "line", "color": TREND_COLOR, "strokeWidth": 2}},
            # invisible wide points: the tooltip answers near the line, not only on it
            {"mark": {"type": "point", "size": 120, "opacity": 0}},
        ],
    )


def _accounting_rows(invariants: Mapping[str, Mapping]) -> list[dict[str, Any]]:
    return [
        {
            "table": name,
            "bronze rows": v["bronze"],
            "kept in silver": v["silver"],
            "rejected": v["rejected"],
            "duplicates removed": v["duplicates_removed"],
            "accounted for": v["holds"],
        }
        for name, v in invariants.items()
    ]


def row_accounting_data(invariants: dict[str, dict]) -> pd.DataFrame:
    """One row per table of a build's invariants: bronze rows, their fates, whether they add up."""
    import pandas as pd

    columns = ["table", "bronze rows", *ROW_FATE_COLORS, "accounted for"]
    return pd.DataFrame(_accounting_rows(invariants), columns=columns)


def row_accounting(invariants: dict[str, dict]) -> tuple[Spec, pd.DataFrame]:
    """100%-stacked bars per table: share of bronze rows kept, rejected, removed as duplicates."""
    return row_accounting_spec(invariants), row_accounting_data(invariants)


def row_accounting_spec(invariants: Mapping[str, Mapping]) -> Spec:
    """The spec of :func:`row_accounting`, from the build report's invariants (no pandas)."""
    rows = _accounting_rows(invariants)
    fates = list(ROW_FATE_COLORS)
    long = [
        {
            "table": r["table"],
            "fate": fate,
            "order": i,
            "rows": r[fate],
            "bronze rows": r["bronze rows"],
            "share": 100 * r[fate] / (r["bronze rows"] if r["bronze rows"] > 0 else 1),
        }
        for i, fate in enumerate(fates)
        for r in rows
    ]
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
            "sort": [r["table"] for r in rows],
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
    return _spec(
        "Where every bronze row went",
        long,
        130 + 32 * max(len(rows), 3),  # the whole chart: title, axis and legend included
        mark={"type": "bar"},
        encoding=encoding,
    )


def layer_scores(scorecard: list[dict]) -> tuple[Spec, pd.DataFrame]:
    """Quality score (0-100) per layer, one bar per layer in the layer's colour."""
    import pandas as pd

    return layer_scores_spec(scorecard), pd.DataFrame(scorecard)


def layer_scores_spec(scorecard: Sequence[Mapping[str, Any]]) -> Spec:
    """The spec of :func:`layer_scores`, from the build report's scorecard (no pandas)."""
    layers = [str(r["layer"]) for r in scorecard]
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
    return _spec(
        "Quality score per layer",
        [{"layer": str(r["layer"]), "score": _plain(r["score"])} for r in scorecard],
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


def _plain(v: Any) -> Any:
    """A JSON number: numpy scalars as Python ones, NaN as null (Vega leaves a gap)."""
    v = v.item() if hasattr(v, "item") else v
    return None if isinstance(v, float) and v != v else v
