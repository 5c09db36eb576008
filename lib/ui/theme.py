"""The viewer's active theme (light or dark), as the browser reported it with this run.

``.streamlit/config.toml`` defines ``[theme.light]`` and ``[theme.dark]``; the app follows
the viewer's system setting unless they pick one in the top-right menu. Streamlit restyles
its charts in the browser; what the app draws itself (the colours a Plotly figure sets, the
word cloud image) asks :func:`theme_type`.

Streamlit reports the theme with each script run, and switching it (in the menu, or the
system setting while the page is open) starts no run. :func:`watch_theme` mounts a small
component (``st.components.v2``: trusted inline JavaScript, no data from users) that notices
the switch in the browser - the app's background turning dark or light - and sets its state,
which reruns the page, so the figures' own colours and the word cloud follow at once.

The watcher is mounted only on a run that drew something in the theme's colours (a run that
asked :func:`theme_type`). The Overview's first paint draws nothing so (its trend's text
follows the theme in the browser, ``lib.charts.html_trend.THEME_INK``), so a new browser
does not load the component's JavaScript (Streamlit's component runtime and Arrow: four
chunks, ~200 KB) while it paints the landing page.
"""

from __future__ import annotations

from typing import Literal

import streamlit as st

__all__ = ["theme_type", "watch_theme"]

# The browser side of watch_theme: the luminance of the app's background says which theme
# is on; when it differs from what the server drew with, the component's state changes.
_WATCH_JS = """
export default function (component) {
  const { data, setStateValue } = component;
  let drawn = (data && data.drawn) || "light";
  const active = () => {
    const el = document.querySelector('[data-testid="stApp"]') || document.body;
    const rgb = (getComputedStyle(el).backgroundColor.match(/[0-9.]+/g) || []).map(Number);
    if (rgb.length < 3) return null;
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] < 128 ? "dark" : "light";
  };
  const check = () => {
    const now = active();
    if (now && now !== drawn) {
      drawn = now;
      setStateValue("type", now);
    }
  };
  check();
  const timer = setInterval(check, 500);
  return () => clearInterval(timer);
}
"""
_watcher = None
_ASKED = "_theme_asked"  # session state: this run drew something in the theme's colours


def theme_type() -> Literal["light", "dark"]:
    """``"dark"`` or ``"light"`` (``"light"`` when the browser has not said, e.g. AppTest).

    Streamlit reports the theme with every script run; a switch (menu or system) starts
    a run through :func:`watch_theme`.
    """
    kind = _reported()
    try:
        st.session_state[_ASKED] = True
    except Exception:  # no script run context (bare mode, unit tests)
        pass
    return kind


def _reported() -> Literal["light", "dark"]:
    """The theme the browser reported with this run, without noting that it was asked."""
    try:
        kind = st.context.theme.type
    except Exception:  # no script run context (bare mode, unit tests)
        kind = None
    return "dark" if kind == "dark" else "light"


def watch_theme() -> None:
    """Rerun the page when the viewer's theme changes, if this run drew anything in the
    theme's colours (see the module docstring). Call it last in the script run."""
    global _watcher
    if not st.session_state.pop(_ASKED, False):
        return  # nothing drawn depends on the theme: a switch needs no new run
    if _watcher is None:
        _watcher = st.components.v2.component("streamdash.theme_watch", js=_WATCH_JS)
    with st.sidebar:
        _watcher(key="theme-watch", data={"drawn": _reported()}, on_type_change=_noop)


def _noop() -> None:
    """The state change itself reruns the page; nothing else to do."""
