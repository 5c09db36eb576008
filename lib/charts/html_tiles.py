"""Figure tiles (label, value, help) as plain HTML: the landing page's tiles load no element code.

``st.metric`` makes a new browser load its own JavaScript (the metric, number formatting with
numbro and sprintf, ~60 KB in 7 chunks) and render each tile's label, value and help as three
Markdown blocks. Measured on this machine (interleaved first visits of a new browser,
``benchmarks/baseline/same_elements.py`` with its nine ``st.metric`` tiles against the same page
with these tiles, 8 and 10 visits each): 1.40x -> 1.27x and 1.25x -> 1.17x the bare page. The
Overview's first paint uses them; the other pages keep ``st.metric``.

They look like ``st.metric``: a 14 px label with a help icon, a 36 px value, the theme's own
text colour (``currentColor``: a theme switch needs no script run) and the app's font. The
help is a tooltip shown on hover and on keyboard focus (the icon is focusable and carries the
text as its accessible label). Its background is the theme's background, computed in CSS from
the text colour (:data:`TIP_CSS`); a browser without CSS relative colours draws it in the
system's own tooltip-safe pair (``Canvas`` / ``CanvasText``).

Every label, value and help text is escaped: no data string is ever rendered as HTML.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape
from typing import NamedTuple

__all__ = ["LIGHT_BG", "DARK_BG", "TIP_CSS", "Tile", "tiles_html"]


class Tile(NamedTuple):
    label: str
    value: str
    help: str | None = None


# The themes' backgrounds (.streamlit/config.toml; tests/test_html_tiles.py checks they match)
LIGHT_BG = (0xFF, 0xFF, 0xFF)
DARK_BG = (0x12, 0x15, 0x1C)

# Streamlit's help icon (a question mark in a circle), drawn in the text colour through a mask
_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="black" '
    'stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><circle cx="12" cy="12" '
    'r="10"/><path d="M9.09 9a3 3 0 0 1 5.83 1c0 2-3 3-3 3"/><line x1="12" y1="17" x2="12.01" '
    'y2="17"/></svg>'
)
_ICON_URL = "url(data:image/svg+xml;base64," + base64.b64encode(_ICON.encode()).decode() + ")"


def _switch(channel: str, light: int, dark: int) -> str:
    """CSS for one channel of the tooltip's background: the light theme's background when
    the text is dark (``channel`` < 128), the dark theme's when it is light."""
    return f"calc({dark} + {light - dark} * clamp(0, 128 - {channel}, 1))"


TIP_CSS = (
    "rgb(from currentColor "
    + " ".join(_switch(c, lt, dk) for c, lt, dk in zip("rgb", LIGHT_BG, DARK_BG))
    + ")"
)

_STYLE = (
    "<style>"
    # one row of equal columns, stacked in a narrow window: st.columns' layout (640 px)
    ".sd-tiles{display:grid;gap:1rem;margin:0 0 4px 0;container-type:inline-size}"
    ".sd-tile{min-width:0}"
    # the label (name and icon) is what a tooltip hangs from
    ".sd-tile-label{position:relative;display:inline-flex;max-width:100%;align-items:center;"
    "gap:8px;font-size:14px;line-height:22.4px;min-height:24px;vertical-align:top}"
    ".sd-tile-name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}"
    ".sd-tile-value{font-size:36px;line-height:normal;padding-bottom:4px;"
    "overflow:hidden;text-overflow:ellipsis;white-space:nowrap}"
    ".sd-help{flex:none;width:16px;height:16px;border-radius:50%;cursor:help;"
    "outline-offset:2px}"
    ".sd-help::before{content:'';display:block;width:16px;height:16px;"
    f"background-color:currentColor;-webkit-mask:{_ICON_URL} center/contain no-repeat;"
    f"mask:{_ICON_URL} center/contain no-repeat}}"
    # the tooltip opens under its label towards the row's middle and is at most half the row
    # wide (cqw: the row's width), so it never leaves the row
    ".sd-tip{display:none;position:absolute;top:28px;left:0;z-index:20;width:max-content;"
    "max-width:min(320px,50cqw);padding:6px 12px;border-radius:8px;font-size:14px;"
    "line-height:1.5;white-space:normal;box-shadow:rgba(0,0,0,0.16) 0 1px 4px 0;"
    "border:1px solid rgba(128,128,128,0.25);"
    "background:Canvas;color:CanvasText}"
    ".sd-help:hover+.sd-tip,.sd-help:focus+.sd-tip{display:block}"
    "@media (max-width:640px){.sd-tiles.sd-tiles{grid-template-columns:minmax(0,1fr)}"
    ".sd-tip{max-width:min(320px,100cqw)}}"
    "@supports (color:rgb(from red r g b)){"
    f".sd-tip{{background:{TIP_CSS};color:inherit}}}}"
    "</style>"
)


def tiles_html(tiles: Sequence[Tile]) -> str:
    """One row of tiles as an HTML block for ``st.html`` (stacked in a window narrower than
    640 px, as ``st.columns`` are)."""
    cells = []
    for t in tiles:
        label, value = escape(str(t.label)), escape(str(t.value))
        help_ = ""
        if t.help:
            text = escape(str(t.help))
            help_ = (
                f'<span class="sd-help" tabindex="0" role="img" '
                f'aria-label="Help for {label}: {text}"></span>'
                f'<span class="sd-tip" role="tooltip">{text}</span>'
            )
        cells.append(
            f'<div class="sd-tile" role="group" aria-label="{label}">'
            f'<div class="sd-tile-label"><span class="sd-tile-name">{label}</span>{help_}</div>'
            f'<div class="sd-tile-value" title="{value}">{value}</div></div>'
        )
    n = len(cells)
    # in a row (not stacked), the tiles right of its middle open their tooltip leftwards,
    # from the help icon (per row size: the rules are page-wide)
    row = (
        f"<style>.sd-tiles-{n}{{grid-template-columns:repeat({n},minmax(0,1fr))}}"
        f"@media (min-width:641px){{.sd-tiles-{n} .sd-tile:nth-child(n+{(n + 1) // 2 + 1})"
        " .sd-tip{left:auto;right:0}}</style>"
    )
    return f'{_STYLE}{row}<div class="sd-tiles sd-tiles-{n}">{"".join(cells)}</div>'
