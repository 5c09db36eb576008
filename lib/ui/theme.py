"""The viewer's active theme (light or dark), as the browser reported it with this run.

``.streamlit/config.toml`` defines ``[theme.light]`` and ``[theme.dark]``; the app follows
the viewer's system setting unless they pick one in the top-right menu. Streamlit restyles
its charts in the browser; what the app draws itself (the colours a Plotly figure sets, the
word cloud image) asks :func:`theme_type`.
"""

from __future__ import annotations

from typing import Literal

import streamlit as st

__all__ = ["theme_type"]


def theme_type() -> Literal["light", "dark"]:
    """``"dark"`` or ``"light"`` (``"light"`` when the browser has not said, e.g. AppTest).

    Streamlit reports the theme with every script run; a switch in that menu reaches
    the server with the next run (any interaction), until then the figures keep their
    colours while the charts' backgrounds and text follow the switch at once.
    """
    try:
        kind = st.context.theme.type
    except Exception:  # no script run context (bare mode, unit tests)
        kind = None
    return "dark" if kind == "dark" else "light"
