"""Sidebar filter widgets bound to the URL, and the cached per-dataset inputs they need.

Every filter widget uses ``bind="query-params"`` with a short key, so the URL carries the
view (``?genre=Drama&genre=Crime&years=2010&years=2020``) and a copied link reopens it. A
widget at its default (no filtering) leaves no parameter. The same keys are used on the
Catalog and the Engagement page, so a filter set on one page still applies on the other.
Widgets are shown only for fields the active dataset has.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import numpy as np
import streamlit as st

from lib.data.session_query import SessionQuery
from lib.filters import FilterOptions, Filters, filter_options
from lib.ui import data as ui
from lib.ui.theme import theme_type

__all__ = [
    "KEYS",
    "sidebar_filters",
    "options",
    "session_query",
    "hours_used",
    "wordcloud_png",
    "reset_filters",
]

# Filters field -> URL query parameter (= widget key).
KEYS = {
    "genres": "genre",
    "content_types": "type",
    "years": "years",
    "countries": "country",
    "maturity_ratings": "rating",
    "devices": "device",
    "plans": "plan",
    "viewer_countries": "vcountry",
    "dates": "dates",
}


def _dataset_key() -> tuple[str, str]:
    """(folder, build time) of the active dataset: the cache key of per-dataset results."""
    return str(ui.active_dir()), str(ui.manifest().get("built_at", ""))


@st.cache_resource(max_entries=8, show_spinner=False)
def _options(folder: str, built: str, with_sessions: bool) -> FilterOptions:
    # the session filters' values come from the small daily table (date x device x plan x
    # country), never from the sessions themselves
    daily = ui.table("engagement_daily") if with_sessions else None
    return filter_options(ui.table("titles"), daily)


def options(*, with_sessions: bool = False) -> FilterOptions:
    """Filter values the active dataset offers (cached per dataset build)."""
    return _options(*_dataset_key(), with_sessions)


def session_query(flt: Filters | None = None) -> SessionQuery:
    """The active dataset's sessions passing ``flt``, as DuckDB queries (nothing loaded).

    Query results are cached in the process by filter state (``lib.data.session_query``).
    """
    return SessionQuery(ui.active_dir(), flt, titles=ui.table("titles") if flt else None)


@st.cache_data(max_entries=16, show_spinner=False)
def _hours(folder: str, built: str) -> list[int]:
    return [int(h) for h in session_query().tally("hour")["hour"]]


def hours_used() -> list[int]:
    """The start hours that occur in the active dataset (one: dates without time of day)."""
    return _hours(*_dataset_key())


def wordcloud_png(freq: tuple[tuple[str, int], ...], width: int = 800, height: int = 340) -> bytes:
    """PNG bytes of the genre word cloud for the given (genre, count) pairs, drawn for the
    viewer's active theme (cached per theme)."""
    return _wordcloud_png(freq, width, height, theme_type())


@st.cache_data(max_entries=64, show_spinner=False)
def _wordcloud_png(freq: tuple[tuple[str, int], ...], width: int, height: int, theme: str) -> bytes:
    from PIL import Image

    from lib.charts.catalog import genre_wordcloud

    img = genre_wordcloud(dict(freq), width=width, height=height, random_state=0, theme=theme)
    buf = io.BytesIO()
    Image.fromarray(np.asarray(img)).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def reset_filters(defaults: dict[str, object]) -> None:
    """Callback: put the filter widgets back to their defaults (no filtering).

    Values are set, not deleted: a deleted bound range widget would come back from the URL.
    """
    for key, value in defaults.items():
        st.session_state[key] = value


def _multiselect(label: str, field: str, values: Sequence[str], help: str) -> tuple[str, ...]:
    if not values:
        return ()
    chosen = st.multiselect(
        label,
        list(values),
        default=None,
        key=KEYS[field],
        bind="query-params",
        placeholder="All",
        help=help,
    )
    return tuple(chosen)


def _range(value: object, bounds: tuple) -> tuple | None:
    """A (lo, hi) selection, or None when it covers the whole range (= no filtering)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return None
    lo, hi = value
    if (lo, hi) == tuple(bounds):
        return None
    return lo, hi


def sidebar_filters(*, engagement: bool = False) -> Filters:
    """Render the sidebar filters of the active dataset and return the selection.

    Title filters always; with ``engagement`` also device, plan, viewer country and watch
    dates (when the dataset has watch history).
    """
    opts = options(with_sessions=engagement)
    kw: dict = {}
    with st.sidebar:
        st.subheader("Filters", anchor=False)
        st.caption("Empty = all. The URL keeps the filters: copy it to share this view.")
        kw["genres"] = _multiselect(
            "Genre",
            "genres",
            opts.genres,
            "Titles with any of the chosen genres (primary or further genre).",
        )
        kw["content_types"] = _multiselect(
            "Content type", "content_types", opts.content_types, "Movie, TV series, ..."
        )
        if opts.years and opts.years[0] < opts.years[1]:
            years = st.slider(
                "Release year",
                min_value=opts.years[0],
                max_value=opts.years[1],
                value=opts.years,
                key=KEYS["years"],
                bind="query-params",
                help="Inclusive range of release years. Titles without a year are left out "
                "once the range is narrowed.",
            )
            kw["years"] = _range(years, opts.years)
        kw["countries"] = _multiselect(
            "Country of production",
            "countries",
            opts.countries,
            "Titles produced in any of the chosen countries.",
        )
        kw["maturity_ratings"] = _multiselect(
            "Maturity rating", "maturity_ratings", opts.maturity_ratings, "G, PG-13, TV-MA, ..."
        )
        if engagement:
            st.caption("Viewing")
            kw["devices"] = _multiselect(
                "Device", "devices", opts.devices, "Device the session was watched on."
            )
            kw["plans"] = _multiselect(
                "Plan", "plans", opts.plans, "Subscription plan of the viewer."
            )
            kw["viewer_countries"] = _multiselect(
                "Viewer country",
                "viewer_countries",
                opts.viewer_countries,
                "Country the session was watched in.",
            )
            if opts.dates and opts.dates[0] < opts.dates[1]:
                dates = st.date_input(
                    "Watch dates",
                    value=opts.dates,
                    min_value=opts.dates[0],
                    max_value=opts.dates[1],
                    key=KEYS["dates"],
                    bind="query-params",
                    format="YYYY-MM-DD",
                    help="Inclusive range of the days sessions started.",
                )
                kw["dates"] = _range(_as_dates(dates), opts.dates)
        defaults: dict[str, object] = {
            KEYS[f]: [] if f not in ("years", "dates") else getattr(opts, f)
            for f in kw
            if getattr(opts, f)
        }
        st.button(
            "Reset filters",
            on_click=reset_filters,
            args=(defaults,),
            disabled=not Filters(**kw).active,
            icon=":material/filter_alt_off:",
            type="tertiary",
            key="filters_reset",
        )
    return Filters(**kw)


def _as_dates(value: object) -> tuple[dt.date, dt.date] | None:
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(value):
        return value[0], value[1]
    return None
