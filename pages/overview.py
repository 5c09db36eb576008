"""Overview: KPI tiles, watch-hours trend and the data quality scorecard per layer.

The landing page is light, on the server and in the browser:

- its figures are computed when the data is built (``lib.data.overview``, stored in
  ``report.json``), so the first script run on a fresh server reads JSON and imports no
  pandas, NumPy or Arrow, let alone Plotly, scikit-learn, SciPy or the build pipeline
  (``tests/test_light_imports.py`` checks it);
- its trend is HTML with an SVG image (``lib.charts.html_trend``): no chart library for the
  browser to load (Vega-Lite alone costs a new browser ~0.4x a bare page's first visit); the
  charts of the quality details are Vega-Lite (``lib.charts.light``, plain dicts), far less
  JavaScript than Plotly's bundle;
- the per-layer quality tables (``st.dataframe``: 1.4 MB of JavaScript for the browser, and
  pandas on the server) are drawn when the analyst opens them.
"""

from __future__ import annotations

import streamlit as st

from lib.charts import light as charts
from lib.charts.html_tiles import Tile, tiles_html
from lib.charts.html_trend import trend_html
from lib.glossary import COMPLETED_DEFINITION
from lib.page_kpis import overview_tiles
from lib.ui import data as ui
from lib.ui import report_pdf
from lib.ui.widgets import (
    MISSING,
    download_csv,
    empty_state,
    html_figure,
    light_figure,
    md_escape,
)

name = ui.active_name()
manifest = ui.manifest()
report = ui.report()
figures = ui.overview(quality=report)

st.title("Streaming catalog overview")
built = str(manifest.get("built_at", "?"))[:16].replace("T", " ")
st.caption(
    f"Dataset **{md_escape(name)}** from {md_escape(manifest.get('source', '?'))} - built "
    f"{built} UTC in {manifest.get('build_seconds', 0):.1f} s - data as of "
    f"{manifest.get('as_of', '?')}"
)
report_pdf.overview_button(report, figures)


tile = overview_tiles(figures)
# HTML tiles, not st.metric: the landing page's first paint loads no metric code
# (lib.charts.html_tiles has the figures)
st.html(
    tiles_html(
        [
            Tile("Titles", tile["titles"], "Titles in the gold catalog (after cleaning)."),
            Tile("Viewers", tile["viewers"], "Distinct viewers (user accounts) in gold."),
            Tile(
                "Active viewers",
                tile["active"],
                "Accounts whose subscription is active (is_active = true).",
            ),
            Tile("Watch hours", tile["hours"], "Sum of watch minutes of all valid sessions / 60."),
            Tile(
                "Average completion",
                tile["completion"],
                "Mean progress of all sessions (0-100% of the title or episode). "
                + COMPLETED_DEFINITION,
            ),
            Tile(
                "Churn rate",
                tile["churn"],
                "Share of accounts that are no longer active (1 - active / all accounts).",
            ),
        ]
    )
)
if tile["missing"]:
    st.caption("n/a: this dataset has no " + " and no ".join(tile["missing"]) + ".")

st.subheader("Viewing over time")
trend = figures.get("trend") or {}
if trend.get("D"):  # a day of watch history or more
    freq = (
        st.segmented_control(
            "Period",
            ["D", "W", "M"],
            default="W",
            key="ov_freq",
            format_func={"D": "Daily", "W": "Weekly", "M": "Monthly"}.get,
            label_visibility="collapsed",
        )
        or "W"
    )
    rows = trend.get(freq, [])
    html_figure(
        trend_html(
            rows,
            freq=freq,
            color=charts.TREND_COLOR,  # its text follows the theme in the browser
            alt_text="Line chart of watch hours per period over time.",
        ),
        lambda: charts.trend_frame(rows),
        key="trend",
        name=f"{name}_watch_hours",
        caption=(
            "Sum of session watch minutes / 60, by the period in which the session started; "
            "the first and last periods are left out when the data covers them only in part."
        ),
    )
else:
    empty_state(
        "Watch hours over time need watch history with dates; this dataset has none.",
        "Import the six-table engagement export, or use the demo dataset.",
    )

st.subheader("Data quality scorecard")
st.html(
    tiles_html(
        [
            Tile(
                f"{row['layer'].title()} layer",
                f"{row['score']:.1f} / 100",
                ", ".join(
                    f"{k} {v:.1%}"
                    for k, v in row.items()
                    if k not in ("layer", "score") and isinstance(v, (int, float)) and v == v
                ),
            )
            for row in report["scorecard"]
        ]
    )
)
st.caption(
    "Score = mean of the layer's components: bronze (as received) = completeness, uniqueness, "
    "schema compliance; silver (cleaned) = validity (rows not rejected), completeness after "
    "imputation, row accounting; gold = share of gold checks passed. Hover a tile for its parts."
)
inv = report["invariants"]
kept, bronze = sum(v["silver"] for v in inv.values()), sum(v["bronze"] for v in inv.values())
off = [t for t, v in inv.items() if not v["holds"]]
st.markdown(
    f"**Row accounting:** of {bronze:,} bronze rows in {len(inv)} "
    f"{'table' if len(inv) == 1 else 'tables'}, {kept:,} "
    f"({kept / max(bronze, 1):.1%}) are in silver, "
    f"{sum(v['rejected'] for v in inv.values()):,} were rejected with a reason and "
    f"{sum(v['duplicates_removed'] for v in inv.values()):,} removed as duplicates; "
    + (
        "bronze = silver + rejected + duplicates holds for every table."
        if not off
        else f":red[the rows do not add up in {md_escape(', '.join(off))}.]"
    )
)

details = st.expander(
    "Quality details: where every bronze row went, scores per layer, the bronze profile, "
    "what silver did, the gold checks",
    key="ov_details",
    on_change="rerun",
    bind="query-params",  # a shared link opens it too: ?ov_details=true
    icon=":material/table_view:",
)
if details.open:  # on demand: its tables alone cost the browser 1.4 MB of JavaScript
    import pandas as pd

    from lib.config import dataset_dir
    from lib.data.quality import bronze_profile, silver_actions
    from lib.data.store import read_tables

    with details:
        left, right = st.columns(2)
        with left:
            light_figure(
                charts.row_accounting_spec(inv),
                lambda: charts.row_accounting_data(inv),
                key="accounting",
                alt_text="Stacked bars per table: share of bronze rows kept, rejected, "
                "deduplicated.",
                name=f"{name}_row_accounting",
                caption="Invariant per table: bronze rows = silver rows + rejected + "
                "duplicates removed.",
            )
        with right:
            light_figure(
                charts.layer_scores_spec(report["scorecard"]),
                lambda: charts.layer_scores(report["scorecard"])[1],
                key="scores",
                name=f"{name}_quality_scores",
                alt_text="Bar chart of the quality score (0-100) of each layer.",
            )
        bronze_tab, silver_tab, gold_tab = st.tabs(
            ["Bronze: as received", "Silver: what was done", "Gold: checks"]
        )
        with bronze_tab:
            bronze_df = bronze_profile(report)
            st.dataframe(
                bronze_df,
                hide_index=True,
                column_config={
                    "completeness": st.column_config.ProgressColumn(
                        format="percent", min_value=0, max_value=1
                    ),
                    "schema compliance": st.column_config.NumberColumn(format="percent"),
                },
                placeholder=MISSING,
            )
            download_csv(bronze_df, f"{name}_bronze_profile", key="bronze")
        with silver_tab:
            silver_df = silver_actions(report)
            st.dataframe(silver_df, hide_index=True, placeholder=MISSING)
            c1, c2 = st.columns(2)
            with c1:
                download_csv(silver_df, f"{name}_silver_actions", key="silver")
            with c2:
                download_csv(
                    lambda: read_tables(dataset_dir(name) / "silver", ["rejects"])["rejects"],
                    f"{name}_rejected_rows",
                    key="rejects",
                    label="Download every removed row with its reason (CSV)",
                )
        with gold_tab:
            checks = pd.DataFrame(report["checks"])
            st.dataframe(
                checks[["table", "name", "passed", "failing", "rows"]],
                hide_index=True,
                placeholder=MISSING,
            )
            download_csv(checks, f"{name}_gold_checks", key="checks")
