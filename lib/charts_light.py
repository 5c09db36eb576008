"""Light chart builders: DataFrame in, Altair (Vega-Lite) chart out (no streamlit import).

For the landing page: Streamlit draws Vega-Lite charts with the JavaScript of its main
bundle, while the first Plotly chart of a session makes the browser fetch and compile a
~4.7 MB Plotly bundle. Same house look as ``lib.charts`` (plain-words title flush left,
axis titles with units, legend below, the house colours defined here and shared with it).

Altair is imported inside the builders: ``lib.charts`` takes the house colours from this
module, and a Plotly page should not pay for importing Altair.

The Overview's tables from a build's quality report (``bronze_profile``, ``silver_actions``)
and the completion definition are mirrored here from ``lib.pipeline.report`` and
``lib.pipeline.gold``: importing anything under ``lib.pipeline`` imports the whole build
(Ibis, pandera; 0.7-2.7 s on a 2-core machine), which the landing page must not pay.
``tests/test_charts_light.py`` checks that both copies agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import altair as alt

__all__ = [
    "LAYER_COLORS",
    "ROW_FATE_COLORS",
    "TREND_COLOR",
    "watch_hours_by_period",
    "watch_hours_trend",
    "row_accounting",
    "layer_scores",
    "bronze_profile",
    "silver_actions",
    "COMPLETED_DEFINITION",
]

# house colours (lib.charts uses the same ones in its Plotly figures)
LAYER_COLORS = {"bronze": "#B07A3B", "silver": "#8E99A8", "gold": "#D4A017"}
ROW_FATE_COLORS = {
    "kept in silver": "#2E7D32",
    "rejected": "#C62828",
    "duplicates removed": "#F9A825",
}
TREND_COLOR = "#E50914"
_TITLE = {"fontSize": 16, "anchor": "start", "fontWeight": "normal"}
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


def _title(text: str) -> dict:
    return {"text": text, **_TITLE}


def watch_hours_trend(
    daily: pd.DataFrame, *, freq: str = "W"
) -> tuple[alt.LayerChart, pd.DataFrame]:
    """Line of watch hours per week (or ``freq``); returns the chart and the data behind it."""
    import altair as alt

    data = watch_hours_by_period(daily, freq=freq)
    label = _PERIODS.get(freq, freq)
    date_format = "%b %Y" if freq == "M" else "%d %b %Y"
    base = alt.Chart(data).encode(
        x=alt.X("period:T", title=f"{label} starting", axis=alt.Axis(format=date_format)),
        y=alt.Y("watch_hours:Q", title="watch hours (h)", axis=alt.Axis(format=",.0f")),
        tooltip=[
            alt.Tooltip("period:T", title=f"{label} starting", format=date_format),
            alt.Tooltip("watch_hours:Q", title="watch hours (h)", format=",.0f"),
            alt.Tooltip("sessions:Q", title="sessions", format=",.0f"),
        ],
    )
    line = base.mark_line(color=TREND_COLOR, strokeWidth=2)
    # invisible wide points: the tooltip answers anywhere near the line, not only on it
    hover = base.mark_point(size=120, opacity=0)
    chart = alt.layer(line, hover).properties(title=_title(f"Watch hours per {label}"), height=380)
    return chart, data


def row_accounting(invariants: dict[str, dict]) -> tuple[alt.Chart, pd.DataFrame]:
    """100%-stacked bars per table: share of bronze rows kept, rejected, removed as duplicates."""
    import altair as alt

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
        columns=[
            "table",
            "bronze rows",
            "kept in silver",
            "rejected",
            "duplicates removed",
            "accounted for",
        ],
    )
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
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X(
                "share:Q",
                title="share of bronze rows (%)",
                stack="zero",
                scale=alt.Scale(domain=[0, 100], nice=False),
                axis=alt.Axis(values=[0, 25, 50, 75, 100], labelExpr="datum.value + '%'"),
            ),
            y=alt.Y("table:N", title=None, sort=list(data["table"])),
            color=alt.Color(
                "fate:N",
                title=None,
                scale=alt.Scale(domain=fates, range=list(ROW_FATE_COLORS.values())),
                legend=alt.Legend(orient="bottom", direction="horizontal"),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("table:N"),
                alt.Tooltip("fate:N", title="what happened"),
                alt.Tooltip("rows:Q", title="rows", format=","),
                alt.Tooltip("bronze rows:Q", format=","),
                alt.Tooltip("share:Q", title="share (%)", format=".1f"),
            ],
        )
        .properties(title=_title("Where every bronze row went"), height=max(160, 40 * len(data)))
    )
    return chart, data


def layer_scores(scorecard: list[dict]) -> tuple[alt.LayerChart, pd.DataFrame]:
    """Quality score (0-100) per layer, one bar per layer in the layer's colour."""
    import altair as alt

    data = pd.DataFrame(scorecard)
    layers = list(data["layer"]) if len(data) else []
    base = alt.Chart(data).encode(
        x=alt.X("layer:N", title="layer", sort=layers, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(
            "score:Q",
            title="score (0-100)",
            scale=alt.Scale(domain=[0, 110], nice=False),  # room for the labels above 100
            axis=alt.Axis(values=[0, 20, 40, 60, 80, 100]),
        ),
        tooltip=[alt.Tooltip("layer:N"), alt.Tooltip("score:Q", title="score", format=".1f")],
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "layer:N",
            scale=alt.Scale(domain=layers, range=[LAYER_COLORS.get(x, "#888888") for x in layers]),
            legend=None,
        )
    )
    labels = base.mark_text(baseline="bottom", dy=-4, fontSize=13).encode(
        text=alt.Text("score:Q", format=".1f")
    )
    chart = alt.layer(bars, labels).properties(title=_title("Quality score per layer"), height=320)
    return chart, data


# --- the Overview's tables (mirrors of lib.pipeline.report / lib.pipeline.gold) --------------

COMPLETED_DEFINITION = (
    "A session counts as completed when progress reached 90% or more, or the action was "
    "'completed'."
)


def silver_actions(report: dict[str, Any]) -> pd.DataFrame:
    """One row per cleaning action: table, action, rule, rows affected."""
    rows = []
    for tname, s in report["silver"].items():
        for reason, n in s["reject_reasons"].items():
            rows.append({"table": tname, "action": "row rejected", "rule": reason, "rows": n})
        if s["duplicates_removed"]:
            rows.append(
                {
                    "table": tname,
                    "action": "duplicate removed",
                    "rule": "exact copy or repeated id (first kept)",
                    "rows": s["duplicates_removed"],
                }
            )
        for rule, n in s["repairs"].items():
            rows.append({"table": tname, "action": "value repaired", "rule": rule, "rows": n})
        for col, imp in s["imputations"].items():
            rows.append(
                {
                    "table": tname,
                    "action": "value imputed",
                    "rule": f"{col}: {imp['strategy']}",
                    "rows": imp["count"],
                }
            )
    return pd.DataFrame(rows, columns=["table", "action", "rule", "rows"])


def bronze_profile(report: dict[str, Any]) -> pd.DataFrame:
    """One row per bronze table: rows, completeness, duplicates, schema, freshness."""
    rows = []
    for tname, p in report["bronze"].items():
        worst = sorted(p["completeness"].items(), key=lambda kv: kv[1])[:3]
        fresh = p.get("freshness") or {}
        rows.append(
            {
                "table": tname,
                "rows": p["rows"],
                "columns": p["columns"],
                "completeness": p["mean_completeness"],
                "least complete columns": ", ".join(f"{c} {v:.0%}" for c, v in worst if v < 1),
                "exact duplicates": p["exact_duplicates"],
                "duplicate ids": p["key_duplicates"],
                "schema compliance": p["schema"]["compliance"],
                "missing columns": ", ".join(p["schema"]["missing_columns"]),
                "latest date": fresh.get("latest"),
                "unparseable dates": fresh.get("unparseable"),
            }
        )
    return pd.DataFrame(rows)
