"""Engagement: how people watch (devices, time of day, completion, plans, countries, scores).

Never loads the sessions table: every figure is an aggregate that DuckDB computes over the
gold Parquet with the filters pushed down (``lib.data.session_query.SessionQuery``, results cached
by filter state). Title filters select the sessions of the titles the Catalog page
would list; device, plan, viewer country and date filter the sessions themselves. Tabs run
lazily and the open tab is part of the URL.
"""

from __future__ import annotations

import streamlit as st

from lib.charts import engagement as charts
from lib.filters import has_values
from lib.glossary import COMPLETED_DEFINITION, ENGAGEMENT_SCORE_DEFINITION
from lib.insights import engagement_findings
from lib.page_kpis import ENGAGEMENT_USER_COLUMNS, engagement_kpis
from lib.ui import data as ui
from lib.ui import filters as uif
from lib.ui import report_pdf
from lib.ui.chart_filters import ChartFilters
from lib.ui.report_view import has_report, report_section, tabs_with_report
from lib.ui.widgets import MISSING, PageFigures, download_csv, empty_state, findings_box, md_escape

TABS = ("Devices", "Time of day", "Completion & quality", "Plans & countries", "Engagement score")

name = ui.active_name()
view = uif.session_query()  # every session of the dataset (no filter)

st.title("Engagement")
if not len(view):
    if has_report():
        st.caption(
            f"Dataset **{md_escape(name)}** has no watch history (one row per viewing session) "
            "but has Netflix's engagement report: real hours viewed per title and half-year."
        )
        report_section("eng")
        st.stop()
    empty_state(
        "Engagement needs watch history (one row per viewing session); the dataset "
        f"{name!r} has none, so this page has nothing to show.",
        "Catalog-only imports (netflix_titles.csv, IMDb tables) and MovieLens ratings have no "
        "sessions. Import the six-table engagement export or Netflix's engagement reports "
        "(What We Watched .xlsx), or pick the demo dataset.",
    )
    st.stop()

chart_filters = ChartFilters(uif.options(with_sessions=True))
flt = chart_filters.combine(uif.sidebar_filters(engagement=True))
sessions = uif.session_query(flt)
st.caption(
    f"Dataset **{md_escape(name)}** - {len(sessions):,} of {len(view):,} sessions - "
    f"filters: {md_escape(flt.describe())}"
)
chart_filters.render()
report_pdf.engagement_button(view, sessions, flt)


_figures = PageFigures("eng", name, needs_prefix="watch history with ", chart_filters=chart_filters)
_show, _missing = _figures.show, _figures.missing


# --- KPIs ------------------------------------------------------------------------------------
n = len(sessions)
has_minutes = has_values(view, "watch_minutes")
has_done = has_values(view, "completed")
kpi = engagement_kpis(sessions.summary(), n, has_minutes=has_minutes, has_completed=has_done)
cols = st.columns(5)
cols[0].metric(
    "Sessions shown", kpi["sessions"], help=f"Sessions passing the filters, of {len(view):,}."
)
cols[1].metric("Viewers", kpi["viewers"], help="Distinct viewers with at least one session shown.")
cols[2].metric("Watch hours", kpi["hours"], help="Sum of watch minutes of the sessions shown / 60.")
cols[3].metric(
    "Completion rate",
    kpi["completion"],
    help="Share of sessions completed. " + COMPLETED_DEFINITION,
)
cols[4].metric(
    "Minutes per session", kpi["minutes_per_session"], help="Mean watch minutes per session shown."
)

if not n:
    empty_state(
        "No session matches these filters.",
        "Remove a chart filter above or a filter in the sidebar (or widen the dates), or press "
        "Reset filters.",
    )
    st.stop()

# --- insights --------------------------------------------------------------------------------
findings_box(
    "**Insights** - computed from the sessions shown",
    engagement_findings(sessions),  # the viewers' segments are grouped in SQL
    "Too few sessions with the needed columns for a finding.",
)

# --- tabs ------------------------------------------------------------------------------------
tabs = tabs_with_report(TABS, "Hours viewed (report)", lambda: report_section("eng"))
has_device = has_values(view, "device_type")

with tabs["Devices"]:
    if tabs["Devices"].open is not False:
        if not has_device:
            _missing("Device engagement", "a device column")
        else:
            segments = {
                c: charts.SEGMENT_LABELS.get(c, c)
                for c in ("age_band", "subscription_plan", "rfm_segment", "user_country")
                if has_values(view, c)
            }
            left, right = st.columns(2)
            with left:
                if segments:
                    seg = st.segmented_control(
                        "Rows",
                        list(segments),
                        default=next(iter(segments)),
                        format_func=segments.get,
                        key="seg",
                        bind="query-params",
                        required=True,
                    ) or next(iter(segments))
                    _show(
                        charts.device_heatmap(sessions, seg),
                        "device_heatmap",
                        "Each row sums to 100%: how that group's sessions split across devices. "
                        "Click a cell to filter by its device"
                        + (" and plan." if seg == "subscription_plan" else "."),
                        select={"device": "x", "plan": "y"}
                        if seg == "subscription_plan"
                        else {"device": "x"},
                    )
                else:
                    _missing("The device mix per segment", "viewer attributes (age, plan)")
            with right:
                if has_values(view, "user_id"):
                    _show(
                        charts.top_users_devices(sessions),
                        "top_users_devices",
                        "The 10 viewers with most sessions shown; cells = sessions per device.",
                    )
            if has_values(view, "date"):
                _show(
                    charts.device_share_trend(sessions),
                    "device_share_trend",
                    "Share of each month's sessions per device (months sum to 100%). Click "
                    "an area to filter by its device.",
                    select={"device": "legendgroup"},
                )

with tabs["Time of day"]:
    if tabs["Time of day"].open is not False:
        if has_values(view, "hour"):
            one_hour = len(uif.hours_used()) == 1
            _show(
                charts.hour_weekday_heatmap(sessions),
                "hour_weekday",
                "Sessions by the weekday and hour they started."
                + (
                    " This dataset's watch times carry no time of day (every session starts "
                    "at 00:00), so only the weekdays can be compared."
                    if one_hour
                    else ""
                )
                + " Click a cell to filter by its weekday and hour.",
                select={"weekday": "y"} if one_hour else {"weekday": "y", "hour": "x"},
            )
        else:
            _missing("The time-of-day view", "session start times")
        if has_values(view, "date") and has_minutes:
            _show(
                charts.watch_time_trend(sessions, freq="W"),
                "watch_time_trend",
                "Sum of watch minutes / 60 per week of the sessions shown (a trailing "
                "partial week is left out).",
            )

with tabs["Completion & quality"]:
    if tabs["Completion & quality"].open is not False:
        if has_done:
            left, right = st.columns(2)
            with left:
                _show(
                    charts.completion_by(sessions, "genre_primary"),
                    "completion_genre",
                    COMPLETED_DEFINITION + " Click a bar to filter by the genre.",
                    select={"genre": "y"},
                    box=True,
                )
            with right:
                if has_device:
                    _show(
                        charts.completion_by(sessions, "device_type"),
                        "completion_device",
                        COMPLETED_DEFINITION + " Click a bar to filter by the device.",
                        select={"device": "y"},
                        box=True,
                    )
                else:
                    _missing("Completion by device", "a device column")
        else:
            _missing("Completion rates", "progress or a completed flag")
        left, right = st.columns(2)
        with left:
            if has_values(view, "is_download"):
                _show(
                    charts.download_vs_streaming(sessions),
                    "download_vs_streaming",
                    "Share of the sessions shown, and how many of each kind were completed.",
                )
            else:
                _missing("Downloads vs. streaming", "a download flag")
        with right:
            if has_values(view, "quality") and has_device:
                _show(
                    charts.quality_mix(sessions, "device_type"),
                    "quality_mix",
                    "Stream quality (SD, HD, 4K, Ultra HD) as a share of each device's sessions. "
                    "Click a bar to filter by the device.",
                    select={"device": "y"},
                )
            else:
                _missing("Stream quality per device", "quality and device columns")

with tabs["Plans & countries"]:
    if tabs["Plans & countries"].open is not False:
        left, right = st.columns(2)
        with left:
            if has_values(view, "subscription_plan"):
                _show(
                    charts.watch_breakdown(sessions, "subscription_plan"),
                    "plan_breakdown",
                    "Bars = watch hours; label = share of sessions. Hover for minutes per "
                    "session, completion and hours per viewer. Click a bar to filter by plan.",
                    select={"plan": "y"},
                    box=True,
                )
            else:
                _missing("The plan breakdown", "viewers' subscription plans")
        with right:
            if has_values(view, "location_country"):
                _show(
                    charts.watch_breakdown(sessions, "location_country"),
                    "country_breakdown",
                    "Country the session was watched in (top 15 by watch hours). Click a bar "
                    "to filter by the country.",
                    select={"vcountry": "y"},
                    box=True,
                )
            else:
                _missing("The country breakdown", "a viewing-country column")
        sources = {
            c: charts.SEGMENT_LABELS.get(c, c)
            for c in ("subscription_plan", "age_band")
            if has_values(view, c)
        }
        if sources and has_values(view, "genre_primary"):
            src = st.segmented_control(
                "Flow from",
                list(sources),
                default=next(iter(sources)),
                format_func=sources.get,
                key="flow",
                bind="query-params",
                required=True,
            ) or next(iter(sources))
            _show(
                charts.segment_genre_sankey(sessions, src),
                "sankey",
                "Band width = sessions of the sessions shown, from the viewer group to the "
                "title's primary genre (the 8 most watched genres; the rest merged).",
            )
        else:
            _missing("The viewer-to-genre flow", "viewer plans or ages and title genres")

with tabs["Engagement score"]:
    if tabs["Engagement score"].open is not False:
        st.info(ENGAGEMENT_SCORE_DEFINITION, icon=":material/info:")
        # a row per viewer shown (up to a million at scale 100): only for this tab
        shown_users = sessions.users(columns=ENGAGEMENT_USER_COLUMNS)
        if not has_values(shown_users, "engagement_score"):
            _missing("Engagement scores", "viewer records")
        else:
            st.caption(
                f"{len(shown_users):,} viewers have at least one session shown. Scores and "
                "per-viewer totals cover each viewer's whole history; *sessions shown* counts "
                "only the filtered sessions."
            )
            segs = {
                c: charts.SEGMENT_LABELS.get(c, c)
                for c in ("rfm_segment", "subscription_plan", "age_band", "country")
                if has_values(shown_users, c)
            }
            left, right = st.columns([2, 3])
            with left:
                by = st.segmented_control(
                    "Segments",
                    list(segs),
                    default=next(iter(segs)),
                    format_func=lambda c: segs[c] if c != "country" else "country",
                    key="segby",
                    bind="query-params",
                    required=True,
                ) or next(iter(segs))
                _show(
                    charts.segment_engagement(shown_users, by),
                    "segment_engagement",
                    "Top segments by mean engagement score; dashed = all viewers shown.",
                )
            with right:
                top = shown_users.nlargest(20, "engagement_score")
                per_user = sessions.sessions_of(top["user_id"].astype(str).tolist())
                counts = dict(zip(per_user["user_id"].astype(str), per_user["sessions_shown"]))
                table = top.assign(
                    sessions_shown=top["user_id"].astype(str).map(counts).fillna(0).astype(int)
                )
                table = table[
                    ["user_id", "engagement_score", "sessions_shown"]
                    + [
                        c
                        for c in table.columns
                        if c not in ("user_id", "engagement_score", "sessions_shown")
                    ]
                ]
                st.markdown("**Top 20 engaged viewers** (among the viewers shown)")
                st.dataframe(
                    table,
                    hide_index=True,
                    height=460,
                    column_config={
                        "user_id": "Viewer",
                        "engagement_score": st.column_config.ProgressColumn(
                            "Score", min_value=0, max_value=100, format="%.0f"
                        ),
                        "rfm_segment": "RFM segment",
                        "subscription_plan": "Plan",
                        "age_band": "Age",
                        "country": "Country",
                        "sessions": st.column_config.NumberColumn("Sessions", format="%d"),
                        "watch_hours": st.column_config.NumberColumn("Hours", format="%.1f"),
                        "avg_completion": st.column_config.NumberColumn(
                            "Completion", format="percent"
                        ),
                        "active_days": st.column_config.NumberColumn("Active days", format="%d"),
                        "top_genre": "Top genre",
                        "sessions_shown": st.column_config.NumberColumn(
                            "Sessions shown", format="%d"
                        ),
                    },
                    placeholder=MISSING,
                )
                download_csv(table, f"{name}_top_engaged_viewers", key="eng-top-users")
