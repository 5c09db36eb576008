"""Shared page pieces: figure + CSV download, empty states, safe text for data values."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import streamlit as st

from lib.charts.light import TICK_INK
from lib.ui.theme import theme_type

if TYPE_CHECKING:  # no plotly, no pandas import on the landing page's path
    import pandas as pd
    import plotly.graph_objects as go

__all__ = [
    "MISSING",
    "figure",
    "light_figure",
    "html_figure",
    "data_in_layers",
    "download_csv",
    "empty_state",
    "md_escape",
    "csv_bytes",
    "PageFigures",
    "findings_box",
    "findings_list",
]

# what a table shows in a cell without a value (Streamlit's default is the word "None")
MISSING = "–"

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(value: object) -> str:
    """Escape a data value for ``st.markdown``: markdown and HTML characters shown as text."""
    return _MD_SPECIAL.sub(r"\\\1", str(value))


def csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8")


def download_csv(
    data: pd.DataFrame | Callable[[], pd.DataFrame],
    name: str,
    *,
    key: str,
    label: str = "Download data (CSV)",
) -> None:
    """A download button for the data behind a figure; the CSV is built only on click."""

    def _make() -> bytes:
        return csv_bytes(data() if callable(data) else data)

    st.download_button(
        label,
        data=_make,
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"dl-{key}",
        on_click="ignore",
        icon=":material/download:",
        type="tertiary",
    )


def figure(
    fig: go.Figure,
    data: pd.DataFrame,
    *,
    key: str,
    name: str | None = None,
    caption: str | None = None,
    on_select: Callable[[], None] | None = None,
    selection_mode: tuple[str, ...] = ("points",),
    widget_key: str | None = None,
) -> None:
    """Render a Plotly figure with a caption and a CSV download of the data behind it.

    ``on_select``: a callback run when the analyst clicks or box-selects in the chart (the
    chart filters, ``lib.ui.chart_filters``); ``widget_key`` then names the chart's state.
    """
    from lib.charts.house import for_theme  # here: the landing page imports no Plotly

    fig = for_theme(fig, theme_type())  # the figure's own colours in the dark theme
    st.plotly_chart(
        fig,
        key=widget_key or f"fig-{key}",
        config={"displaylogo": False},
        on_select=on_select or "ignore",
        selection_mode=selection_mode,
    )
    if caption:
        st.caption(caption)
    download_csv(data, name or key, key=key)


def light_figure(
    spec: dict[str, Any],
    data: pd.DataFrame | Callable[[], pd.DataFrame],
    *,
    key: str,
    name: str | None = None,
    caption: str | None = None,
    alt_text: str | None = None,
) -> None:
    """Render a Vega-Lite spec (``lib.charts.light``) with a caption and a CSV of its data
    (``data``: the table, or a function that makes it when the CSV is asked for).

    Vega-Lite draws with JavaScript much smaller than Plotly's bundle. The spec's inline data
    is moved into its layers (:func:`data_in_layers`): Streamlit would convert top-level data
    to an Arrow table with pandas, an import of 0.3-0.6 s on a fresh server.
    """
    # axis and legend text readable in the active theme (4.5:1 or more; Streamlit's grey is
    # 3.8:1), as on the Plotly charts; a chart's own axis or legend config wins
    ink = TICK_INK[theme_type()]
    config = spec.get("config", {})
    text = {"labelColor": ink, "titleColor": ink}
    spec = {
        **spec,
        "config": {
            **config,
            "axis": {**text, **config.get("axis", {})},
            "legend": {**text, **config.get("legend", {})},
        },
    }
    st.vega_lite_chart(spec=data_in_layers(spec), key=f"fig-{key}", alt=alt_text)
    _caption_and_csv(data, key=key, name=name, caption=caption)


def html_figure(
    body: str,
    data: pd.DataFrame | Callable[[], pd.DataFrame],
    *,
    key: str,
    name: str | None = None,
    caption: str | None = None,
) -> None:
    """A chart drawn as HTML (``lib.charts.html_trend``: no chart library for the browser to
    load) with a caption and a CSV of its data, like :func:`light_figure`."""
    st.html(body)
    _caption_and_csv(data, key=key, name=name, caption=caption)


def _caption_and_csv(
    data: pd.DataFrame | Callable[[], pd.DataFrame],
    *,
    key: str,
    name: str | None,
    caption: str | None,
) -> None:
    """Under a light figure: its caption, and the download of the data behind it."""
    if caption:
        st.caption(caption)
    download_csv(data, name or key, key=key)


def data_in_layers(spec: dict[str, Any]) -> dict[str, Any]:
    """The same chart with the spec's top-level ``data`` given to each of its layers (a
    single-view spec becomes a layer of one view); Streamlit passes data inside layers
    through as JSON, untouched."""
    if "data" not in spec:
        return spec
    spec = dict(spec)
    data = spec.pop("data")
    if "layer" in spec:
        spec["layer"] = [
            layer if "data" in layer else {"data": data, **layer} for layer in spec["layer"]
        ]
        return spec
    outer = {k: spec.pop(k) for k in _OUTER if k in spec}
    return {**outer, "layer": [{"data": data, **spec}]}


# top-level properties that stay on the outer spec when a single view becomes a layer
_OUTER = ("$schema", "title", "description", "width", "height", "autosize", "padding", "config")


def empty_state(message: str, hint: str | None = None) -> None:
    """Friendly message for a selection with no data (never an exception)."""
    st.info(message + (f"\n\n{hint}" if hint else ""), icon=":material/filter_alt_off:")


class PageFigures:
    """The figure and empty-state helpers of a page of many figures (Catalog, Engagement).

    ``show(result, key)`` renders a ``(figure, data)`` pair of a chart builder with the
    page's key prefix and a CSV named after the dataset; ``missing(what, needs)`` says which
    data a figure needs when the dataset has none (``needs_prefix`` words what it is within).
    """

    def __init__(
        self, prefix: str, dataset: str, *, needs_prefix: str = "", chart_filters: Any = None
    ) -> None:
        self.prefix, self.dataset, self.needs_prefix = prefix, dataset, needs_prefix
        self.chart_filters = chart_filters  # lib.ui.chart_filters.ChartFilters or None

    def show(
        self,
        result: tuple,
        key: str,
        caption: str | None = None,
        *,
        select: dict[str, str] | None = None,
        box: bool = False,
    ) -> None:
        """Render ``(figure, data)``; ``select`` (chip key -> point attribute) makes a click
        on the chart filter the page (``box``: a box selection too)."""
        fig, data = result
        kw: dict[str, Any] = {}
        if select and self.chart_filters is not None:
            gen = self.chart_filters.generation  # a new key after each change: no stale selection
            widget_key = f"fig-{self.prefix}-{key}" + (f"-g{gen}" if gen else "")
            kw = {
                "on_select": self.chart_filters.on_select(widget_key, select),
                "selection_mode": ("points", "box") if box else ("points",),
                "widget_key": widget_key,
            }
        figure(
            fig,
            data,
            key=f"{self.prefix}-{key}",
            name=f"{self.dataset}_{key}",
            caption=caption,
            **kw,
        )

    def missing(self, what: str, needs: str) -> None:
        empty_state(
            f"{what} needs {self.needs_prefix}{needs}; the dataset {self.dataset!r} has none."
        )


def findings_box(heading: str, findings: Sequence[Any], empty: str) -> None:
    """A bordered box of findings (``lib.insights.Finding``: text, method as the help)."""
    with st.container(border=True):
        st.markdown(heading)
        if findings:
            findings_list(findings)
        else:
            st.caption(empty)


def findings_list(findings: Sequence[Any]) -> None:
    """One bullet a finding: its sentence (escaped), how it was computed as the help."""
    for item in findings:
        st.markdown(f"- {md_escape(item.text)}", help=item.method)
