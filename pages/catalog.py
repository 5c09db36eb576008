"""Catalog: what is in the catalog and how it is rated (genres, ratings, runtimes, people).

Every figure, metric, finding and the title table use the titles that pass the sidebar
filters. Tabs run lazily (only the open tab's figures are built) and the open tab is part
of the URL, like the filters.
"""

from __future__ import annotations

import streamlit as st

from lib.charts import catalog as charts
from lib.filters import filter_titles, has_values, search_titles
from lib.glossary import WEIGHTED_RATING_DEFINITION
from lib.insights import catalog_findings
from lib.page_kpis import catalog_kpis
from lib.ui import data as ui
from lib.ui import filters as uif
from lib.ui import report_pdf
from lib.ui.chart_filters import ChartFilters
from lib.ui.report_view import report_section, tabs_with_report
from lib.ui.widgets import MISSING, PageFigures, download_csv, empty_state, findings_box, md_escape

TABS = ("Genres", "Ratings", "Runtime & release", "Directors & cast", "Title table")

name = ui.active_name()
all_titles = ui.table("titles")

st.title("Catalog")
if not len(all_titles):
    empty_state(
        f"The dataset {name!r} has no titles, so there is no catalog to describe.",
        "Import a catalog (e.g. netflix_titles.csv) on the Import data page, or pick the demo.",
    )
    st.stop()

chart_filters = ChartFilters(uif.options(with_sessions=True), on_titles_only=True)
flt = chart_filters.combine(uif.sidebar_filters())
titles = filter_titles(all_titles, flt)
st.caption(
    f"Dataset **{md_escape(name)}** - {len(titles):,} of {len(all_titles):,} titles - "
    f"filters: {md_escape(flt.describe())}"
)
chart_filters.render()
report_pdf.catalog_button(all_titles, flt)


_figures = PageFigures("cat", name, chart_filters=chart_filters)
_show, _missing = _figures.show, _figures.missing


# --- KPIs ------------------------------------------------------------------------------------
genre_table = charts.genre_counts(titles)
kpi = catalog_kpis(titles, all_titles, genre_table)
rating = kpi["rating_column"]
cols = st.columns(5)
cols[0].metric(
    "Titles shown",
    kpi["titles"],
    help=f"Titles passing the filters, of {len(all_titles):,} in the dataset.",
)
cols[1].metric("Genres", kpi["genres"], help="Distinct genres among the titles shown.")
cols[2].metric(
    "Mean IMDb rating" if rating == "imdb_rating" else "Mean rating",
    kpi["rating"],
    help="Mean of " + (rating or "ratings") + " over the titles shown that have one.",
)
cols[3].metric(
    "Titles in the Top 10",
    kpi["top10"],
    help="Titles with at least one week in the weekly Top 10 (weeks_in_top10 > 0).",
)
cols[4].metric(
    "Median movie runtime", kpi["runtime"], help="Median duration_minutes of the movies shown."
)

if titles.empty:
    empty_state(
        "No title matches these filters.",
        "Remove a chart filter above or a filter in the sidebar, or press Reset filters.",
    )
    st.stop()

# --- insights --------------------------------------------------------------------------------
findings_box(
    "**Insights** - computed from the titles shown",
    catalog_findings(titles),
    "Too few titles with the needed columns for a finding.",
)

# --- tabs ------------------------------------------------------------------------------------
tabs = tabs_with_report(
    TABS,
    "Hours viewed",
    lambda: report_section("cat", titles["title_id"] if flt.on_titles else None),
)

with tabs["Genres"]:
    if tabs["Genres"].open is not False:
        if genre_table.empty:
            _missing("The genre view", "a genre column")
        else:
            left, right = st.columns(2)
            with left:
                _show(
                    charts.genre_popularity(titles, genre_table),
                    "genre_popularity",
                    "A multi-genre title counts once for each of its genres; dark = the "
                    "title's primary genre. Click a bar (or box-select bars) to filter the page.",
                    select={"genre": "y"},
                    box=True,
                )
            with right:
                _show(
                    charts.genre_treemap(titles, genre_table),
                    "genre_treemap",
                    "'Primary genre only' counts every title once, under its primary genre; "
                    "'All genres' counts every genre a title lists. A genre much larger under "
                    "'All genres' is mostly a secondary genre. Click a genre to filter the page.",
                    select={"genre": "label"},
                )
            left, right = st.columns(2)
            with left:
                _show(
                    charts.genre_strip(titles),
                    "genre_strip",
                    "Each dot is one genre within one content type; height = titles. Click a "
                    "dot to filter the page by its genre and type.",
                    select={"genre": "y", "type": "legendgroup"},
                )
            with right:
                st.markdown("**Genre word cloud** (word size = titles with the genre)")
                freq = tuple(zip(genre_table["genre"], genre_table["titles"].astype(int)))
                st.image(uif.wordcloud_png(freq), width="stretch")
                st.caption("Word cloud of genre frequency over the titles shown.")
                download_csv(genre_table, f"{name}_genre_frequency", key="cat-wordcloud")

with tabs["Ratings"]:
    if tabs["Ratings"].open is not False:
        has_imdb, has_meta = has_values(titles, "imdb_rating"), has_values(titles, "meta_score")
        if has_imdb or has_meta:
            _show(
                charts.rating_distributions(titles),
                "rating_distributions",
                "Audience rating on IMDb's 1-10 scale (bins of 0.5) and critics' meta score "
                "on 0-100 (bins of 5). Titles without a score are left out.",
            )
        else:
            _missing("The rating distribution", "IMDb-style ratings or critic scores")
        left, right = st.columns(2)
        with left:
            if rating:
                _show(
                    charts.ratings_by_genre(titles),
                    "ratings_by_genre",
                    "Box = middle half of the titles, line = median, dashed = mean, dots = "
                    "outliers. Genres sorted by median. Click a box to filter by its genre.",
                    select={"genre": "x"},
                )
            else:
                _missing("Ratings by genre", "ratings")
        with right:
            if has_imdb and has_meta:
                _show(
                    charts.audience_vs_critic(titles),
                    "audience_vs_critic",
                    WEIGHTED_RATING_DEFINITION
                    + " Dotted line: equal scores (IMDb x 10 = meta score); above it, "
                    "audiences like a title more than critics do.",
                )
            else:
                lacking = " and ".join(
                    w
                    for w, ok in (("IMDb-style ratings", has_imdb), ("critic scores", has_meta))
                    if not ok
                )
                _missing("The audience vs. critic chart", lacking)

with tabs["Runtime & release"]:
    if tabs["Runtime & release"].open is not False:
        left, right = st.columns(2)
        with left:
            if has_values(titles, "duration_minutes"):
                _show(
                    charts.distribution_by_type(
                        titles,
                        "duration_minutes",
                        bin_width=10,
                        title="Runtime by content type",
                        x="runtime (minutes; per episode for series)",
                    ),
                    "runtime",
                    "Bins of 10 minutes, stacked by content type. Click a bar to filter by "
                    "its content type.",
                    select={"type": "legendgroup"},
                )
            else:
                _missing("The runtime distribution", "title durations")
        with right:
            if has_values(titles, "release_year"):
                _show(
                    charts.distribution_by_type(
                        titles,
                        "release_year",
                        bin_width=1,
                        title="Release year by content type",
                        x="release year",
                    ),
                    "release_year",
                    "Titles released per year, stacked by content type. Click a bar or "
                    "box-select bars to filter by release year.",
                    select={"years": "customdata.0"},
                    box=True,
                )
            else:
                _missing("The release-year distribution", "release years")
        if has_values(titles, "added_date"):
            _show(
                charts.titles_added(titles),
                "titles_added",
                "Titles by the month they were added to the platform (added_date).",
            )
        else:
            _missing("Titles added per month", "the date titles were added")

with tabs["Directors & cast"]:
    if tabs["Directors & cast"].open is not False:
        if has_values(titles, "director"):
            directors = charts.director_stats(titles)
            left, right = st.columns(2)
            with left:
                _show(
                    charts.director_treemap(titles, stats=directors),
                    "director_treemap",
                    "Area = titles directed"
                    + ("; colour = mean rating of those titles." if rating else "."),
                )
            with right:
                if rating:
                    size_note = (
                        "bubble area = total weeks their titles spent in the weekly Top 10"
                        if has_values(titles, "weeks_in_top10")
                        else "this dataset has no Top 10 weeks, so all bubbles are small"
                    )
                    _show(
                        charts.director_bubbles(titles, stats=directors),
                        "director_bubbles",
                        f"Directors with 2+ titles; {size_note}. Hover a bubble for the name.",
                    )
                else:
                    _missing("The director bubble chart", "ratings")
        else:
            _missing("The director views", "a director column")
        if has_values(titles, "cast"):
            _show(
                charts.top_cast(titles),
                "top_cast",
                "Cast members by titles they appear in (cast lists are split on '|').",
            )
        else:
            _missing("Top cast", "a cast column")

with tabs["Title table"]:
    if tabs["Title table"].open is not False:
        query = st.text_input(
            "Search titles",
            key="q",
            bind="query-params",
            placeholder="Title, cast member or director",
            help="Case-insensitive text search over title, cast and director.",
        )
        found = search_titles(titles, query)
        columns = [
            c
            for c in (
                "title",
                "content_type",
                "genres",
                "release_year",
                "duration_minutes",
                "maturity_rating",
                "country",
                "imdb_rating",
                "meta_score",
                "weighted_rating",
                "weeks_in_top10",
                "director",
                "cast",
                "added_date",
            )
            if has_values(all_titles, c)
        ]
        st.caption(f"{len(found):,} titles match - click a column header to sort.")
        if found.empty:
            empty_state(f"No title, cast member or director contains {md_escape(repr(query))}.")
        else:
            table = found[columns].assign(
                **{
                    c: found[c].str.replace("|", ", ", regex=False)
                    for c in ("genres", "country", "director", "cast")
                    if c in columns
                }
            )
            st.dataframe(
                table,
                hide_index=True,
                height=520,
                column_config={
                    "title": st.column_config.TextColumn("Title", pinned=True),
                    "content_type": "Type",
                    "genres": "Genres",
                    "release_year": st.column_config.NumberColumn("Year", format="%d"),
                    "duration_minutes": st.column_config.NumberColumn("Runtime", format="%d min"),
                    "maturity_rating": "Maturity",
                    "country": "Country",
                    "imdb_rating": st.column_config.NumberColumn("IMDb", format="%.1f"),
                    "meta_score": st.column_config.NumberColumn("Meta", format="%d"),
                    "weighted_rating": st.column_config.NumberColumn(
                        "Weighted", format="%.2f", help=WEIGHTED_RATING_DEFINITION
                    ),
                    "weeks_in_top10": st.column_config.NumberColumn("Top 10 weeks", format="%d"),
                    "director": "Director",
                    "cast": "Cast",
                    "added_date": st.column_config.DateColumn("Added", format="YYYY-MM-DD"),
                },
                placeholder=MISSING,
            )
            download_csv(table, f"{name}_titles", key="cat-table")
