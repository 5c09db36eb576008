"""Click-to-filter on the Catalog and Engagement pages: chart selections become filter chips.

The chips (``lib.chart_filters``) live in the URL as repeated ``cf`` parameters, beside the
sidebar filters' own parameters, so a copied link or a reload shows the same view. A chart
opts in with a *selection spec* (``PageFigures.show(..., select={"genre": "y"})``): its
selection event is read in a callback, turned into chip values, checked against the values
the dataset offers, and toggled into the chips (a second click on the same bar removes its
chip). The chips are drawn above the tabs as buttons ("genre = Drama" with a close icon);
clicking one removes it.

After a selection is consumed the page's charts get fresh widget keys (a generation
counter), so a stale selection is never highlighted on redrawn data and the same bar can be
clicked again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import streamlit as st

from lib import chart_filters as cf
from lib.filters import FilterOptions, Filters

__all__ = ["ChartFilters"]

_GEN = "_cf_gen"  # session key: generation of the charts' widget keys


def _url_chips() -> tuple[cf.Chip, ...]:
    chips, _ = cf.parse(st.query_params.get_all(cf.URL_PARAM))
    return chips


def _write(chips: Sequence[cf.Chip]) -> None:
    values = cf.to_url(chips)
    if values:
        st.query_params[cf.URL_PARAM] = values
    elif cf.URL_PARAM in st.query_params:
        del st.query_params[cf.URL_PARAM]
    st.session_state[_GEN] = st.session_state.get(_GEN, 0) + 1


class ChartFilters:
    """The chart filters of one page run.

    ``options``: the values the dataset offers (chips for values it lacks are dropped with
    a warning); ``on_titles_only``: the page filters titles only (Catalog), so session chips
    are shown as not applying here.
    """

    def __init__(self, options: FilterOptions, *, on_titles_only: bool = False) -> None:
        self.options = options
        self.on_titles_only = on_titles_only
        raw, errors = cf.parse(st.query_params.get_all(cf.URL_PARAM))
        self.chips, dropped = cf.validate(raw, options)
        self.errors = errors + dropped

    # -- state -------------------------------------------------------------------------------
    @property
    def generation(self) -> int:
        return int(st.session_state.get(_GEN, 0))

    def filters(self) -> Filters:
        """The chips that apply on this page as ``Filters`` (ride in the sidebar's ``also``)."""
        return cf.to_filters(
            [c for c in self.chips if c.dimension.on_titles or not self.on_titles_only]
        )

    def combine(self, sidebar: Filters) -> Filters:
        """The sidebar filters AND the chart filters."""
        chart = self.filters()
        return replace(sidebar, also=(*sidebar.also, chart)) if chart.active else sidebar

    # -- selection events --------------------------------------------------------------------
    def on_select(self, widget_key: str, spec: Mapping[str, str]):
        """A callback for ``st.plotly_chart(on_select=...)`` that toggles the selected values."""
        options = self.options

        def _callback() -> None:
            state = st.session_state.get(widget_key)
            selection = getattr(state, "selection", None) or (state or {}).get("selection", {})
            points = list(selection.get("points", []) or [])
            picked = cf.values_from_points(points, spec)
            if not picked:
                return
            current, _ = cf.validate(_url_chips(), options)
            wanted, _ = cf.validate(
                [cf.Chip(k, v) for k, v in picked.items()], options
            )  # a bucket such as "Other" or a treemap's root cell is no value of the dataset
            if wanted:
                _write(cf.toggle(current, {c.key: c.values for c in wanted}))

        return _callback

    # -- the chips ----------------------------------------------------------------------------
    def render(self) -> None:
        """The active chart filters as removable chips (nothing when there are none)."""
        for message in self.errors:
            st.warning(f"Ignored from the URL: {message}.", icon=":material/link_off:")
        if not self.chips:
            st.caption(
                "Click a bar, cell or point of a chart to filter the page by it; click it "
                "again to remove the filter."
            )
            return
        with st.container(horizontal=True, key="cf-chips", vertical_alignment="center"):
            st.markdown("**Chart filters:**", width="content")
            for chip in self.chips:
                idle = self.on_titles_only and not chip.dimension.on_titles
                st.button(
                    chip.text() + (" (Engagement only)" if idle else ""),
                    key=f"cf-chip-{chip.key}",
                    icon=":material/close:",
                    help="Remove this chart filter"
                    + (
                        "; it filters viewing sessions, so it applies on the Engagement page only"
                        if idle
                        else ""
                    ),
                    on_click=_remove,
                    args=(chip.key,),
                    type="secondary",
                    width="content",
                )
            if len(self.chips) > 1:
                st.button(
                    "Clear chart filters",
                    key="cf-clear",
                    on_click=_clear,
                    type="tertiary",
                    icon=":material/filter_alt_off:",
                    width="content",
                )


def _remove(key: str) -> None:
    _write(cf.remove(_url_chips(), key))


def _clear() -> None:
    _write(())
