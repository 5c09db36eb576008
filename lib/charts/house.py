"""The house figure: one function makes every Plotly figure of the app (no streamlit import).

``figure(data, title, ...)`` takes trace dicts or a built ``go.Figure`` (its traces and its
own layout are kept) and returns a new ``go.Figure`` with the house rules applied the same
way to every figure:

* title: plain words, top left, 16 px; axis titles with units (``x=``, ``y=``, every subplot);
* height in px (default 380), margins 10 px (50 px above for the title);
* font 12 px, hover labels left-aligned with the full trace name;
* colours: the colour-blind-safe ``PALETTE`` as colorway and the ``streamdash`` template;
* legend: horizontal, below the plot at the same distance in pixels at every height and
  every top/bottom margin (a fraction of the plot height, tuned for 380 px, put it into the
  x-axis title on short figures and far below it on tall ones), or hidden (``legend=False``).

``layout`` entries are merged into that (nested dicts key by key). The figure is built
without Plotly's per-property validation: ``go.Figure()`` plus ``update_layout`` costs
25-90 ms a figure (validation and a template copy), this a few ms; the unit tests validate
every builder's output (``go.Figure(fig.to_dict())``).

``style``, ``house_figure`` and ``_finish`` are the names the three older paths had; they
are this function now.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import qualitative

__all__ = [
    "PALETTE",
    "DEFAULT_HEIGHT",
    "LEGEND_GAP_PX",
    "figure",
    "style",
    "house_figure",
    "no_data",
    "reference_line",
    "rgba",
]

PALETTE = qualitative.Safe
DEFAULT_HEIGHT = 380
MARGIN = {"l": 10, "r": 10, "t": 50, "b": 10}
#: Distance from the bottom of the plot area to the top of the legend: 0.22 of the plot
#: area of a 380 px figure, where the house legend was first placed.
LEGEND_GAP_PX = 0.22 * (DEFAULT_HEIGHT - MARGIN["t"] - MARGIN["b"])

# The house template is registered once and made plotly's default: assigning a template by
# name to every figure made plotly validate and deep-copy it per figure (~30 ms each).
_TEMPLATE = go.layout.Template(pio.templates["plotly_white"])
_TEMPLATE.layout.colorway = PALETTE
pio.templates["streamdash"] = _TEMPLATE
pio.templates.default = "streamdash"
_TEMPLATE_JSON = _TEMPLATE.to_plotly_json()  # shared, read-only: copied when serialised


def _merge(a: Mapping, b: Mapping) -> dict:
    """Recursive dict merge: ``b`` wins; ``a`` and ``b`` are not modified."""
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, Mapping) and isinstance(out.get(k), dict) else v
    return out


def _base(title: str, height: int, legend: bool) -> dict:
    return {
        "title": {"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 16}},
        "height": height,
        "margin": dict(MARGIN),
        "font": {"size": 12},
        "hoverlabel": {"align": "left", "namelength": -1},
        "showlegend": legend,
        "legend": {
            "orientation": "h",
            "yanchor": "top",
            "xanchor": "left",
            "x": 0,
            "title": {"text": ""},
        },
        "colorway": list(PALETTE),
    }


def _legend_y(lay: Mapping) -> float:
    """Legend position (a fraction of the plot area below it) ``LEGEND_GAP_PX`` under the
    plot, whatever the figure's height and margins."""
    margin = lay.get("margin", {})
    plot = lay["height"] - margin.get("t", MARGIN["t"]) - margin.get("b", MARGIN["b"])
    return -LEGEND_GAP_PX / max(plot, 60)


def figure(
    data: go.Figure | Sequence[Mapping[str, Any]] | None,
    title: str,
    *,
    x: str | None = None,
    y: str | None = None,
    height: int = DEFAULT_HEIGHT,
    legend: bool = True,
    layout: Mapping[str, Any] | None = None,
) -> go.Figure:
    """A house figure from trace dicts or from a figure (see the module docstring).

    Parameters
    ----------
    data : the traces (dicts) or a ``go.Figure`` whose traces and layout (subplot axes,
        shapes, annotations) are kept; ``None`` for an empty figure.
    title : plain-words title (``<br><sup>...</sup>`` for a subtitle).
    x, y : axis titles with units, set on every x (y) axis.
    height : figure height in px.
    legend : show the legend (below the plot).
    layout : layout entries merged last (a ``legend`` ``y`` here overrides the house one).

    Returns
    -------
    go.Figure : a new figure; ``data`` is not modified.
    """
    if isinstance(data, go.Figure):
        own = {k: v for k, v in data.layout.to_plotly_json().items() if k != "template"}
        traces = [t.to_plotly_json() for t in data.data]
    else:
        own, traces = {}, [dict(t) for t in data or ()]
    lay = _merge(copy.deepcopy(own), _base(title, height, legend))
    for axis, text in (("xaxis", x), ("yaxis", y)):
        if text is not None:
            for key in [k for k in lay if k.startswith(axis)] or [axis]:
                lay[key] = _merge(lay.get(key, {}), {"title": {"text": text}})
    if layout:
        lay = _merge(lay, layout)
    if "y" not in (layout or {}).get("legend", {}):
        lay["legend"]["y"] = _legend_y(lay)
    lay["template"] = _TEMPLATE_JSON
    return go.Figure({"data": traces, "layout": lay}, _validate=False)


def style(fig: go.Figure, title: str, **options: Any) -> go.Figure:
    """``figure(fig, title, ...)``: the name of the older path that styled a built figure."""
    return figure(fig, title, **options)


def house_figure(traces: list[dict[str, Any]], title: str, **options: Any) -> go.Figure:
    """``figure(traces, title, ...)``: the name of the older path from trace dicts."""
    return figure(traces, title, **options)


_finish = style  # the name of the older path for figures from ``_new()``


def _new() -> go.Figure:
    """An empty figure that skips plotly's property validation; ``figure()`` finishes it.

    The empty template keeps plotly from copying its default template into it.
    """
    return go.Figure(layout={"template": {}}, _validate=False)


_SHORTHAND = ("marker", "line", "textfont")


def _add(fig: go.Figure, kind: str, **props: object) -> None:
    """Add a trace of type ``kind`` to a ``_new()`` figure without validating it.

    ``marker_color=...``-style shorthands of ``marker``, ``line`` and ``textfont`` are
    expanded; anything else must be spelled as Plotly's nested properties.
    """
    trace: dict = {"type": kind}
    for key, value in props.items():
        head, _, rest = key.partition("_")
        if rest and head in _SHORTHAND:
            trace[head] = {**trace.get(head, {}), rest: value}
        else:
            trace[key] = value
    fig.add_trace(trace)


def no_data(title: str, text: str = "No data for this selection") -> go.Figure:
    """An empty house figure that says why it is empty."""
    note = {
        "text": text,
        "showarrow": False,
        "x": 0.5,
        "y": 0.5,
        "xref": "paper",
        "yref": "paper",
        "font": {"size": 14},
    }
    return figure(
        None,
        title,
        legend=False,
        layout={"xaxis": {"visible": False}, "yaxis": {"visible": False}, "annotations": [note]},
    )


def reference_line(
    fig: go.Figure, *, x: float | None = None, y: float | None = None, text: str = ""
) -> None:
    """Dashed reference line across the plot, labelled above the plot area."""
    line = {"color": "#555", "dash": "dash", "width": 1}
    font = {"size": 11, "color": "#555"}
    if x is not None:
        fig.add_shape(type="line", x0=x, x1=x, y0=0, y1=1, yref="paper", line=line)
        fig.add_annotation(
            x=x, y=1, yref="paper", text=text, showarrow=False, yanchor="bottom", font=font
        )
    else:
        fig.add_shape(type="line", y0=y, y1=y, x0=0, x1=1, xref="paper", line=line)
        fig.add_annotation(
            x=1,
            y=1.0,
            xref="paper",
            yref="paper",
            text=f"- - {text}",
            showarrow=False,
            xanchor="right",
            yanchor="bottom",
            font=font,
        )


def rgba(color: str, alpha: float) -> str:
    """``"#E50914"`` or ``"rgb(1, 2, 3)"`` with opacity ``alpha``."""
    if color.startswith("rgb("):
        return color.replace("rgb(", "rgba(").replace(")", f",{alpha})")
    h = color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"
