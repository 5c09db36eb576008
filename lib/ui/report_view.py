"""The "Hours viewed" section (Netflix's engagement reports), shared by Catalog and Engagement."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from lib.charts import report as cr
from lib.engagement_report import POST_RELEASE_NOTE, report_findings, summarise
from lib.ui import data as ui
from lib.ui.widgets import figure, findings_list

__all__ = ["has_report", "report_section", "tabs_with_report"]


def has_report() -> bool:
    """True when the active dataset has engagement-report rows."""
    return int(ui.manifest().get("rows", {}).get("engagement_report", 0) or 0) > 0


def report_section(prefix: str, title_ids: pd.Series | None = None) -> None:
    """KPIs, findings and figures of the engagement report.

    ``title_ids``: restrict to these catalog titles (the page's filters); report titles that
    are not in the catalog are then left out, and the caption says so.
    """
    name = ui.active_name()
    report = ui.table("engagement_report")
    if title_ids is not None:
        report = report[report["title_id"].isin(set(title_ids.astype(str)))]
        st.caption(
            "Filtered to the catalog titles passing the sidebar filters; report titles that "
            "match no catalog title are left out while a title filter is set."
        )
    if report.empty:
        st.info("No report title matches these filters.", icon=":material/filter_alt_off:")
        return
    s = summarise(report)
    cols = st.columns(5)
    cols[0].metric(
        "Report period",
        s.period_label or "?",
        help=f"The latest of {s.periods} report period(s) imported.",
    )
    cols[1].metric(
        "Titles", f"{s.titles:,}", help="Rows of the latest report (a TV season is a row)."
    )
    cols[2].metric(
        "Hours viewed",
        f"{s.hours / 1e9:,.2f} bn h",
        help="Sum of Hours Viewed of the latest report (Netflix rounds each to 100,000).",
    )
    cols[3].metric(
        "Hours from the top 1%",
        f"{s.top1_share:.0%}" if s.top1_share is not None else "n/a",
        help="Share of hours viewed by the most watched 1% of the report's titles.",
    )
    cols[4].metric(
        "Matched to the catalog",
        f"{s.matched_share:.0%}",
        help="Report titles linked to a catalog title by normalised title (and year); the "
        "others are kept as titles of their own.",
    )
    findings_list(report_findings(report))
    st.caption(POST_RELEASE_NOTE)
    left, right = st.columns(2)
    with left:
        fig, data = cr.top_titles_hours(report)
        figure(
            fig,
            data,
            key=f"{prefix}-rep-top",
            name=f"{name}_report_top_titles",
            caption="Hours viewed in the latest report; hover for views.",
        )
    with right:
        fig, data = cr.concentration(report)
        figure(
            fig,
            data,
            key=f"{prefix}-rep-conc",
            name=f"{name}_report_concentration",
            caption="Titles sorted by hours viewed; the curve's height at x = share of all "
            "hours the top x% of titles account for.",
        )
        fig, data = cr.availability(report)
        figure(
            fig,
            data,
            key=f"{prefix}-rep-glob",
            name=f"{name}_report_availability",
            caption="'Available Globally?' as published in the report.",
        )
    fig, data = cr.hours_by_release_month(report)
    figure(
        fig,
        data,
        key=f"{prefix}-rep-month",
        name=f"{name}_report_release_month",
        caption="Only titles with a release date (Netflix leaves it empty for most licensed "
        "titles).",
    )
    if s.periods >= 2:
        fig, data = cr.period_change(report)
        figure(
            fig,
            data,
            key=f"{prefix}-rep-change",
            name=f"{name}_report_period_change",
            caption="Titles present in both of the two latest reports.",
        )
    else:
        st.caption("Import two or more reports (e.g. 2023 H2 and 2024 H1) to compare periods.")


def tabs_with_report(
    names: Sequence[str], label: str, render: Callable[[], None]
) -> dict[str, Any]:
    """The page's tabs (bound to ``?tab=``) by name, plus a ``label`` tab drawn by ``render``
    when the dataset has Netflix's engagement report (only while that tab is open)."""
    names = (*names, label) if has_report() else tuple(names)
    tabs = dict(zip(names, st.tabs(list(names), key="tab", bind="query-params")))
    if label in tabs:
        with tabs[label]:
            if tabs[label].open is not False:
                render()
    return tabs
