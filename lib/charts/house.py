"""The house figure: one function makes every Plotly figure of the app (no streamlit import).

``figure(data, title, ...)`` takes trace dicts or a built ``go.Figure`` (its traces and its
own layout are kept) and returns a new ``go.Figure`` with the house rules applied the same
way to every figure:

* title: plain words, top left, 16 px; axis titles with units (``x=``, ``y=``, every subplot);
* height in px (default 380), margins 10 px (50 px above for the title);
* font 12 px, hover labels left-aligned with the full trace name;
* colours: the colour-blind-safe ``PALETTE`` as colorway and the ``streamdash`` template;
* themes: built for the light theme; ``for_theme(fig, "dark")`` maps the colours a figure
  sets itself (palette, inks, light fills, colour scales) to their dark-theme counterparts.
  Backgrounds, text, grid and hover labels are left to Streamlit's chart theme, which
  follows the active theme in the browser;
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
import re
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import get_colorscale, qualitative

from lib.charts.light import TICK_INK as LIGHT_TICK_INK

__all__ = [
    "PALETTE",
    "DARK_PALETTE",
    "DARK_BACKGROUND",
    "DEFAULT_HEIGHT",
    "LEGEND_GAP_PX",
    "figure",
    "for_theme",
    "style",
    "house_figure",
    "no_data",
    "reference_line",
    "rgba",
]

PALETTE = qualitative.Safe
#: ``PALETTE`` for the dark theme: the same colour-blind-safe scheme (Paul Tol's "muted"),
#: hues kept, its five darkest colours lightened to at least 3:1 against ``DARK_BACKGROUND``
#: (.streamlit/config.toml lists both as ``chartCategoricalColors``).
DARK_PALETTE = [
    "#88CCEE",
    "#CC6677",
    "#DDCC77",
    "#55AA55",
    "#8877CC",
    "#BB55AA",
    "#44AA99",
    "#999933",
    "#B0507A",
    "#CC7744",
    "#888888",
]
#: backgroundColor of [theme.dark] in .streamlit/config.toml
DARK_BACKGROUND = "#12151C"
# Axis tick labels and titles, legend entries, colour-bar titles: 5.4:1 on the light background
# (Streamlit's own grey is 3.8:1, under the 4.5:1 WCAG AA asks of text); for_theme maps it to
# #9AA3B2 in the dark theme (7.2:1)
TICK_INK = LIGHT_TICK_INK["light"]
# trace types drawn on x/y axes (the tick colour is set only for figures that have them)
_CARTESIAN = {
    "bar",
    "box",
    "candlestick",
    "contour",
    "heatmap",
    "histogram",
    "histogram2d",
    "histogram2dcontour",
    "ohlc",
    "scatter",
    "scattergl",
    "violin",
    "waterfall",
    "funnel",
}
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


_COLORBAR = {"heatmap", "contour", "histogram2d", "histogram2dcontour"}


def _axes(traces: Sequence[Mapping[str, Any]], lay: Mapping) -> list[str]:
    """The layout keys of the x/y axes the figure draws (``xaxis``, ``yaxis2``, ...)."""
    keys = set()
    for t in traces:
        if t.get("type", "scatter") in _CARTESIAN:
            keys.add("xaxis" + str(t.get("xaxis") or "x")[1:])
            keys.add("yaxis" + str(t.get("yaxis") or "y")[1:])
    if keys:
        keys |= {k for k in lay if k.startswith(("xaxis", "yaxis"))}
    return sorted(keys)


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
    # tick labels and titles of the axes and colour bars, gauges' tick labels
    tick = {"tickfont": {"color": TICK_INK}}
    ink = {**tick, "title": {"font": {"color": TICK_INK}}}
    for key in _axes(traces, lay):
        lay[key] = _merge(ink, lay.get(key, {}))
    for t in traces:
        if t.get("type") in _COLORBAR and t.get("showscale") is not False:
            t["colorbar"] = _merge(ink, t.get("colorbar") or {})
        elif t.get("type") == "indicator" and isinstance(t.get("gauge"), dict):
            t["gauge"] = _merge({"axis": tick}, t["gauge"])
    if isinstance(lay.get("coloraxis"), dict):
        lay["coloraxis"] = _merge({"colorbar": ink}, lay["coloraxis"])
    # legend entries in the same ink (Streamlit's chart theme draws them 3.8:1)
    lay["legend"] = _merge({"font": {"color": TICK_INK}}, lay.get("legend") or {})
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


# --- the dark theme -------------------------------------------------------------------------
# Colours the builders set themselves, as drawn in the light theme -> in the dark theme.
# Streamlit's chart theme already restyles what a figure leaves to its template (paper and
# plot background, text, grid lines, hover labels); these are the rest.
_DARK_COLORS = {
    **dict(zip(PALETTE, DARK_PALETTE, strict=True)),
    # inks: reference lines, outlines, annotation text -> light greys
    "#222222": "#E6E8EE",
    "#1D2330": "#E6E8EE",
    "#444444": "#B8BEC8",
    "#555555": "#A0A6B0",
    "#4A5568": "#A8B3C4",
    "#5F6B7A": LIGHT_TICK_INK["dark"],
    "#7A0000": "#FF9A9A",
    # light fills (outlines between marks, treemap parents, gauge bands, scale ends)
    "#FFFFFF": DARK_BACKGROUND,
    "#DDDDDD": "#2C3240",
    "#D9D9D9": "#3A404C",
    # a multi-genre title's further genres: still lighter than the brand red (the caption
    # says "dark = primary"), muted so it does not outshine it on the dark page
    "#F4A6A8": "#C47C80",
    "#F6E3E3": "#3A2226",
    "#E3F1E4": "#1F3526",
    "#F4F6F8": "#1E2330",
    # dark house colours: lighter (>= 3:1 on the background; white labels on them become
    # background-coloured, so their labels keep >= 4.5:1 too)
    "#0F5C8C": "#3F8FD0",
    "#7A3E9D": "#B07ACF",
    "#2E7D32": "#4CAF50",
    "#C62828": "#E05555",
    "#1F77B4": "#5AA0D8",
    # streaming quality, SD -> Ultra HD: darkest first on the dark background
    "#C6DBEF": "#2B4C6F",
    "#6BAED6": "#3F7FBF",
    "#2171B5": "#6BAED6",
    "#08306B": "#C6DBEF",
}
_NAMED = {"white": "#FFFFFF", "black": "#000000"}
_RGB = re.compile(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+)\s*)?\)")


def _parse(color: str) -> tuple[str, str | None] | None:
    """``(#RRGGBB, alpha or None)`` of a hex, ``rgb()``/``rgba()`` or named colour string."""
    c = _NAMED.get(color.strip().lower(), color.strip())
    if c.startswith("#") and len(c) in (4, 7):
        h = c[1:] if len(c) == 7 else "".join(ch * 2 for ch in c[1:])
        return "#" + h.upper(), None
    m = _RGB.fullmatch(c)
    if m:
        r, g, b, a = m.groups()
        return f"#{int(r):02X}{int(g):02X}{int(b):02X}", a
    return None


_DARK_BY_HEX = {_parse(k)[0]: v for k, v in _DARK_COLORS.items()}


def _dark_color(color: str) -> str:
    parsed = _parse(color)
    if parsed is None or parsed[0] not in _DARK_BY_HEX:
        return color
    new, alpha = _DARK_BY_HEX[parsed[0]], parsed[1]
    return new if alpha is None else rgba(new, float(alpha))


def _ramp(*colors: str) -> list[list]:
    return [[i / (len(colors) - 1), c] for i, c in enumerate(colors)]


# Sequential scales whose low end is white would put glaring cells on the dark page and
# their dark high end would vanish into it: in the dark theme low values are dark (near the
# background) and high values bright, the same hue. Viridis reads on both and is kept.
_DARK_SCALES = {
    "reds": _ramp("#2B1418", "#6E1C24", "#B3262F", "#EE5A5A", "#FFC2B8"),
    "blues": _ramp("#14243A", "#1F4E79", "#2F7FC1", "#6BB3F0", "#C6E4FF"),
    # diverging: the neutral middle is the background's grey, the extremes bright
    "rdbu_r": _ramp("#9ECAE1", "#4292C6", "#2A2F3A", "#D6604D", "#FDAE91"),
}


def _scale_key(scale: Sequence) -> tuple | None:
    """The colours of a ``[[position, colour], ...]`` scale, normalised (``None``: not one)."""
    try:
        return tuple(_parse(str(c))[0] for _, c in scale)
    except (TypeError, ValueError):
        return None


# plotly expands a named scale into its [[position, "rgb(...)"], ...] list when a figure is
# validated: those lists are recognised too
_DARK_SCALES_EXPANDED = {
    _scale_key(get_colorscale(name)): ramp for name, ramp in _DARK_SCALES.items()
}


def _dark_scale(scale: object) -> object:
    if isinstance(scale, str):
        return _DARK_SCALES.get(scale.lower(), scale)
    if isinstance(scale, (list, tuple)):
        known = _DARK_SCALES_EXPANDED.get(_scale_key(scale))
        if known is not None:
            return known
        return [
            [s[0], _dark_color(s[1])] if isinstance(s, (list, tuple)) and len(s) == 2 else s
            for s in scale
        ]
    return scale


def _to_dark(node: object, key: str = "") -> object:
    """``node`` (a figure's JSON) with every colour under a ``*color*`` key mapped."""
    if isinstance(node, dict):
        return {k: _to_dark(v, k) for k, v in node.items()}
    if "colorscale" in key.lower():
        return _dark_scale(node)
    if "color" in key.lower():
        if isinstance(node, str):
            return _dark_color(node)
        if isinstance(node, (list, tuple)):
            return [_to_dark(v, key) for v in node]
        return node
    if isinstance(node, (list, tuple)):
        return [_to_dark(v, key) if isinstance(v, (dict, list, tuple)) else v for v in node]
    return node


def for_theme(fig: go.Figure, theme: str | None) -> go.Figure:
    """``fig`` for the app's active theme (``"light"``, ``"dark"``; ``None`` = unknown).

    Light (or unknown): ``fig`` itself. Dark: a new figure whose own colours (``PALETTE``,
    dark inks, light fills, the Reds/Blues/RdBu colour scales) are mapped to their
    dark-theme counterparts; ``fig`` is not modified. Streamlit's chart theme restyles the
    rest (backgrounds, text, grid lines, hover labels) in the browser.
    """
    if theme != "dark":
        return fig
    return go.Figure(_to_dark(fig.to_plotly_json()), _validate=False)
