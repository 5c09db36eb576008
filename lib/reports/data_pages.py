"""Reports of the data pages: Overview, Catalog, Engagement.

Each builder takes what the page has loaded (the same tables, the same ``Filters``) and
calls the functions the page calls (``lib.page_kpis``, ``lib.insights``, the chart builders
of ``lib.charts`` / ``lib.charts.light`` for the data behind each figure), so the report's
numbers are the page's numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from lib.charts import catalog as cat
from lib.charts import engagement as eng
from lib.charts import light as charts_light
from lib.filters import Filters, filter_titles, has_values
from lib.glossary import (
    COMPLETED_DEFINITION,
    ENGAGEMENT_SCORE_DEFINITION,
    RATING_LABELS,
    SEGMENT_LABELS,
    words,
)
from lib.insights import catalog_findings, engagement_findings
from lib.page_kpis import ENGAGEMENT_USER_COLUMNS, catalog_kpis, engagement_kpis, overview_kpis
from lib.reports.model import Chart, Kpi, Report, Section, provenance

__all__ = ["overview_report", "catalog_report", "engagement_report"]


def _chart(key: str, title: str, kind: str, data: pd.DataFrame, caption: str, method: str,
           empty: str = "", **options: Any) -> Chart:  # fmt: skip
    return Chart(key, title, kind, data, caption, method, options, empty)


# --- Overview ---------------------------------------------------------------------------------
def overview_report(
    dataset: str,
    manifest: Mapping[str, Any],
    quality: Mapping[str, Any],
    n_titles: int,
    users: pd.DataFrame,
    daily: pd.DataFrame,
    kpis: Mapping[str, Any],
    *,
    url: str | None = None,
) -> Report:
    """The Overview page: KPI tiles, quality scores per layer, watch hours per week, row
    accounting. ``quality`` is the build's quality report (``lib.data.store.load_report``),
    ``kpis`` its ``kpis`` (or the page's one-query fallback)."""
    tile = overview_kpis(n_titles, users, daily, kpis)
    tiles = [
        Kpi("Titles", tile["titles"], "Titles in the gold catalog (after cleaning)."),
        Kpi("Viewers", tile["viewers"], "Distinct viewers (user accounts) in gold."),
        Kpi("Active viewers", tile["active"], "Accounts whose subscription is active."),
        Kpi("Watch hours", tile["hours"], "Sum of watch minutes of all valid sessions / 60."),
        Kpi("Average completion", tile["completion"], "Mean progress of all sessions."),
        Kpi("Churn rate", tile["churn"], "1 - active / all accounts."),
    ]
    scorecard = list(quality.get("scorecard", []))
    for row in scorecard:
        parts = ", ".join(
            f"{k} {v:.1%}"
            for k, v in row.items()
            if k not in ("layer", "score") and isinstance(v, (int, float)) and v == v
        )
        tiles.append(Kpi(f"{row['layer'].title()} layer", f"{row['score']:.1f} / 100", parts))
    notes = []
    if tile["missing"]:
        notes.append("n/a: this dataset has no " + " and no ".join(tile["missing"]) + ".")
    trend = charts_light.watch_hours_trend(daily, freq="W")[1] if len(daily) else pd.DataFrame()
    accounting = charts_light.row_accounting_data(quality.get("invariants", {}))
    scores = charts_light.layer_scores(scorecard)[1]
    sections = [
        Section(
            "Viewing over time",
            [
                _chart(
                    "watch_hours",
                    "Watch hours per week",
                    "line",
                    trend,
                    "Sum of session watch minutes / 60, by the week in which the session "
                    "started; the first and last weeks are left out when the data covers them "
                    "only in part.",
                    "gold engagement_daily summed per week (lib.charts.light.watch_hours_trend).",
                    "Watch hours over time need watch history with dates; this dataset has none.",
                    x="period",
                    y="watch_hours",
                    xlabel="week starting",
                    ylabel="watch hours (h)",
                    color=charts_light.TREND_COLOR,
                    wide=True,
                ),
            ],
        ),
        Section(
            "Data quality scorecard",
            [
                _chart(
                    "row_accounting",
                    "Where the bronze rows went",
                    "barh",
                    accounting,
                    "Invariant per table: bronze rows = silver rows + rejected + duplicates "
                    "removed. Bars are shares of the table's bronze rows; the number at the "
                    "end is its bronze rows.",
                    "Counts of the build's row accounting (quality report 'invariants').",
                    y="table",
                    stack=[(c, c) for c in charts_light.ROW_FATE_COLORS],
                    colors=list(charts_light.ROW_FATE_COLORS.values()),
                    normalize=True,
                    xlabel="share of the table's bronze rows",
                    text=",.0f",
                ),
                _chart(
                    "quality_scores",
                    "Quality score per layer (0-100)",
                    "barh",
                    scores,
                    "Score = mean of the layer's components: bronze = completeness, "
                    "uniqueness, schema compliance; silver = validity, completeness after "
                    "imputation, row accounting; gold = share of gold checks passed.",
                    "The build's quality scorecard (lib.data.quality).",
                    y="layer",
                    x="score",
                    xlabel="score (0-100)",
                    text=".1f",
                    bar_colors=[charts_light.LAYER_COLORS.get(v, "#888") for v in scores["layer"]],
                ),
            ],
        ),
    ]
    return Report(
        "Streaming catalog overview",
        provenance(dataset, manifest, url=url),
        tiles,
        (),
        sections,
        notes + ["The Overview page has no data-driven insights; its numbers are above."],
        subject="KPI tiles, watch hours over time and the data quality scorecard per layer.",
    )


# --- Catalog ----------------------------------------------------------------------------------
def catalog_report(
    dataset: str,
    manifest: Mapping[str, Any],
    all_titles: pd.DataFrame,
    flt: Filters,
    *,
    url: str | None = None,
) -> Report:
    """The Catalog page for the titles passing ``flt``: tiles, insights, genres, ratings,
    runtimes (the charts of its Genres, Ratings and Runtime tabs)."""
    titles = filter_titles(all_titles, flt)
    genre_table = cat.genre_counts(titles)
    kpi = catalog_kpis(titles, all_titles, genre_table)
    rating = kpi["rating_column"]
    tiles = [
        Kpi("Titles shown", kpi["titles"], f"Titles passing the filters, of {len(all_titles):,}."),
        Kpi("Genres", kpi["genres"], "Distinct genres among the titles shown."),
        Kpi(
            "Mean IMDb rating" if rating == "imdb_rating" else "Mean rating",
            kpi["rating"],
            "Mean of " + (rating or "ratings") + " over the titles shown that have one.",
        ),
        Kpi("Titles in the Top 10", kpi["top10"], "Titles with a week in the weekly Top 10."),
        Kpi("Median movie runtime", kpi["runtime"], "Median duration_minutes of the movies."),
    ]
    prov = provenance(dataset, manifest, filters=flt, url=url)
    prov["Titles shown"] = f"{len(titles):,} of {len(all_titles):,}"
    if titles.empty:
        return Report("Catalog", prov, tiles, (), (), ["No title matches these filters."])
    top = 20
    popularity = genre_table.head(top)
    strip = cat.genre_strip(titles, top=top)[1]
    order = list(genre_table["genre"].head(top))
    strip = strip[strip["genre"].isin(order)].assign(
        genre=lambda d: pd.Categorical(d["genre"], categories=order, ordered=True)
    )
    strip = strip.sort_values("genre").assign(genre=lambda d: d["genre"].astype(str))
    sections = [
        Section(
            "Genres",
            [
                _chart(
                    "genre_popularity",
                    f"Titles per genre (top {min(top, len(genre_table))} of {len(genre_table)})",
                    "barh",
                    popularity,
                    "A multi-genre title counts once for each of its genres; dark = the "
                    "title's primary genre, light = a further genre.",
                    "lib.charts.catalog.genre_counts over the titles shown.",
                    "The genre view needs a genre column; this dataset has none.",
                    y="genre",
                    stack=[("as_primary", "primary genre"), ("as_secondary", "further genre")],
                    colors=["#B3261E", "#F4A6A8"],
                    xlabel="titles (count)",
                    text=",.0f",
                ),  # fmt: skip
                _chart(
                    "genre_strip",
                    "Genre counts by content type",
                    "strip",
                    strip,
                    "Each dot is one genre within one content type; x = titles with the "
                    "genre. Genres in the order of the bar chart.",
                    "lib.charts.catalog.genre_strip: titles per (genre, content type).",
                    "The strip plot needs content types and genres.",
                    x="titles",
                    y="genre",
                    hue="content_type",
                    legend="content type",
                    hue_order=_types(titles),
                    xlabel="titles with the genre (count)",
                ),
            ],
        ),
        _ratings_section(titles, rating),
        _runtime_section(titles),
    ]
    return Report(
        "Catalog",
        prov,
        tiles,
        catalog_findings(titles),
        sections,
        subject="What is in the catalog and how it is rated, for the titles shown.",
    )


def _types(titles: pd.DataFrame) -> list[str]:
    """Content types, most titles first (the order of the histograms' stacks)."""
    if "content_type" not in titles:
        return ["All titles"]
    return list(titles["content_type"].astype("str").fillna("Unknown").value_counts().index)


def _ratings_section(titles: pd.DataFrame, rating: str | None) -> Section:
    if not rating:
        return Section("Ratings", (), ["Ratings by genre need ratings; this dataset has none."])
    stats = cat.ratings_by_genre(titles, rating)[1]
    order = list(stats["genre"].head(20))
    values = titles.loc[
        titles["genre_primary"].astype("str").isin(order), ["genre_primary", rating]
    ]
    values = values.dropna().assign(genre_primary=lambda d: d["genre_primary"].astype("str"))
    label = RATING_LABELS.get(rating, rating)
    charts = [
        _chart(
            "ratings_by_genre", f"{label.split(' (')[0]} by primary genre", "box", values,
            "Box = middle half of the titles, line = median, white dot = mean, dots = "
            "outliers. Genres sorted by median (the 20 highest).",
            f"{rating} per genre_primary of the titles shown (lib.charts.catalog."
            "ratings_by_genre order).",
            x=rating, y="genre_primary", order=order, xlabel=label, wide=True,
        )
    ]  # fmt: skip
    return Section("Ratings", charts)


def _runtime_section(titles: pd.DataFrame) -> Section:
    charts, notes = [], []
    for column, width, title, axis in (
        ("duration_minutes", 10, "Runtime by content type", "runtime (minutes; per episode)"),
        ("release_year", 1, "Release year by content type", "release year"),
    ):
        if not has_values(titles, column):
            notes.append(f"{title}: the dataset has no {words(column)}.")
            continue
        data = cat.distribution_by_type(titles, column, bin_width=width, title=title, x=axis)[1]
        charts.append(
            _chart(
                column, title, "stacked_hist", data,
                f"Titles per bin of {width} {'minutes' if width == 10 else 'year'}, stacked by "
                "content type.",
                f"lib.charts.catalog.distribution_by_type of {column} (shared bins).",
                group="content_type", count="titles", bin_width=width, xlabel=axis,
                legend="content type", order=_types(titles),
            )
        )  # fmt: skip
    return Section("Runtime & release", charts, notes)


# --- Engagement -------------------------------------------------------------------------------
def engagement_report(
    dataset: str,
    manifest: Mapping[str, Any],
    view: Any,
    sessions: Any,
    flt: Filters,
    *,
    url: str | None = None,
    segment: str | None = None,
) -> Report:
    """The Engagement page: ``view`` = every session (``lib.data.session_query.SessionQuery``),
    ``sessions`` = those passing ``flt`` (both as the page builds them); ``segment`` = the
    rows of the device heatmap (the page's choice; default its first option)."""
    prov = provenance(dataset, manifest, filters=flt, url=url)
    if not len(view):
        return Report(
            "Engagement",
            prov,
            (),
            (),
            (),
            [
                f"The dataset {dataset!r} has no watch history (one row per viewing session), "
                "so the Engagement page has nothing to show."
            ],
        )
    n = len(sessions)
    prov["Sessions shown"] = f"{n:,} of {len(view):,}"
    has_minutes, has_done = has_values(view, "watch_minutes"), has_values(view, "completed")
    kpi = engagement_kpis(sessions.summary(), n, has_minutes=has_minutes, has_completed=has_done)
    tiles = [
        Kpi("Sessions shown", kpi["sessions"], f"Sessions passing the filters, of {len(view):,}."),
        Kpi("Viewers", kpi["viewers"], "Distinct viewers with at least one session shown."),
        Kpi("Watch hours", kpi["hours"], "Sum of watch minutes of the sessions shown / 60."),
        Kpi("Completion rate", kpi["completion"], "Share of sessions completed."),
        Kpi("Minutes per session", kpi["minutes_per_session"], "Mean watch minutes."),
    ]
    if not n:
        return Report("Engagement", prov, tiles, (), (), ["No session matches these filters."])
    users = sessions.users(columns=ENGAGEMENT_USER_COLUMNS)
    sections = [
        _devices_section(view, sessions, segment),
        _time_section(view, sessions, has_minutes),
        _completion_section(view, sessions, has_done),
        _score_section(users),
    ]
    return Report(
        "Engagement",
        prov,
        tiles,
        engagement_findings(sessions, users),
        sections,
        subject="How people watch: devices, time of day, completion and engagement scores.",
    )


def _devices_section(view: Any, sessions: Any, segment: str | None) -> Section:
    if not has_values(view, "device_type"):
        return Section("Devices", (), ["Device engagement needs a device column."])
    options = [
        c
        for c in ("age_band", "subscription_plan", "rfm_segment", "user_country")
        if has_values(view, c)
    ]
    if not options:
        return Section("Devices", (), ["The device mix needs viewer attributes (age, plan)."])
    seg = segment if segment in options else options[0]
    data = eng.device_heatmap(sessions, seg)[1]
    label = SEGMENT_LABELS.get(seg, seg)
    # rows and columns in the page's order (age bands, plans and devices in their own order)
    rows, devices = eng._ordered(data[seg], seg), eng._ordered(data["device_type"], "device_type")
    chart = _chart(
        "device_heatmap", f"Device mix by {words(seg)} (% of the row's sessions)", "heatmap",
        data, "Each row sums to 100%: how that group's sessions split across devices.",
        f"Sessions per ({seg}, device_type) / sessions of the {seg} (lib.charts.engagement."
        "device_heatmap).",
        index=seg, columns="device_type", values="share", fmt=".0%", percent=True,
        row_order=rows, col_order=devices,
        xlabel="device", ylabel=label, cbar="share", vmin=0,
    )  # fmt: skip
    return Section("Devices", [chart])


def _time_section(view: Any, sessions: Any, has_minutes: bool) -> Section:
    charts, notes = [], []
    if has_values(view, "hour"):
        data = eng.hour_weekday_heatmap(sessions)[1]
        charts.append(
            _chart(
                "hour_weekday", "When viewing starts: sessions by weekday and hour", "heatmap",
                data, "Sessions by the weekday and hour they started (darker = more).",
                "Count of the sessions shown per (weekday, start hour) (lib.charts.engagement."
                "hour_weekday_heatmap).",
                index="weekday_name", columns="hour", values="sessions", annot=False,
                row_order=list(dict.fromkeys(data["weekday_name"])), xlabel="hour started",
                ylabel="", cbar="sessions", wide=True,
            )
        )  # fmt: skip
    else:
        notes.append("The time-of-day view needs session start times; this dataset has none.")
    if has_values(view, "date") and has_minutes:
        data = eng.watch_time_trend(sessions, freq="W")[1]
        charts.append(
            _chart(
                "watch_time_trend", "Watch hours per week", "line", data,
                "Sum of watch minutes / 60 per week of the sessions shown (a trailing partial "
                "week is left out).",
                "lib.charts.engagement.watch_time_trend (DuckDB over gold sessions).",
                x="period", y="watch_hours", xlabel="week starting", ylabel="watch hours (h)",
                    color=charts_light.TREND_COLOR,
                wide=True,
            )
        )  # fmt: skip
    return Section("Time of day", charts, notes)


def _completion_section(view: Any, sessions: Any, has_done: bool) -> Section:
    if not has_done:
        return Section("Completion", (), ["Completion rates need progress or a completed flag."])
    charts = []
    for column in ("genre_primary", "device_type"):
        if not has_values(view, column):
            continue
        data = eng.completion_by(sessions, column)[1]
        overall = (
            float((data["completion_rate"] * data["sessions"]).sum() / data["sessions"].sum())
            if len(data)
            else 0.0
        )
        charts.append(
            _chart(
                f"completion_{column}", f"Completion rate by {words(column)}", "barh", data,
                COMPLETED_DEFINITION + f" Dashed line: all sessions shown ({overall:.0%}).",
                "Share of completed sessions per value (lib.charts.engagement.completion_by).",
                y=column, x="completion_rate", percent=True, text=".0%",
                xlabel="sessions completed", colors=["#2E7D32"], ref=(overall, "all"),
            )
        )  # fmt: skip
    return Section("Completion", charts)


def _score_section(users: pd.DataFrame) -> Section:
    if not has_values(users, "engagement_score"):
        return Section("Engagement score", (), ["Engagement scores need viewer records."])
    segs = [
        c
        for c in ("rfm_segment", "subscription_plan", "age_band", "country")
        if has_values(users, c)
    ]
    charts = []
    for by in segs[:2]:
        data = eng.segment_engagement(users, by)[1].head(15)
        charts.append(
            _chart(
                f"segment_engagement_{by}", f"Mean engagement score by {words(by)}", "barh",
                data, ENGAGEMENT_SCORE_DEFINITION,
                f"Mean engagement_score of the viewers shown per {by} (top 15; lib.charts."
                "engagement.segment_engagement).",
                y=by, x="mean_score", text=".0f", xlabel="mean engagement score (0-100)",
                colors=["#7A3E9D"],
            )
        )  # fmt: skip
    return Section("Engagement score", charts, _viewer_note(users, segs))


def _viewer_note(users: pd.DataFrame, segs: Sequence[str]) -> list[str]:
    note = (
        f"{len(users):,} viewers have at least one session shown. Scores cover each viewer's "
        "whole history."
    )
    return [note] if segs else [note, "No viewer segments in this dataset."]
