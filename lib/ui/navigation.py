"""Make the very first script run of a server process use the app's declared navigation.

Streamlit treats an app with a ``pages/`` folder beside its entry script as a legacy
("MPA v1") app until ``st.navigation`` has run once in the process: that first run lists the
files of ``pages/`` in the sidebar ("streamlit app", "catalog", ...) and, for a deep link such
as ``/catalog``, runs the page file *without* the entry script (no dataset picker, no wide
layout). Our layout is fixed by the design card (``pages/`` holds the page files and
``streamlit_app.py`` declares them with ``st.navigation``), so on that first run we switch the
process to declared navigation and rerun before anything is drawn.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

__all__ = ["use_declared_navigation"]


def use_declared_navigation() -> None:
    """Rerun once if this is the legacy first run; a no-op afterwards and outside a server."""
    if PagesManager.uses_pages_directory and get_script_run_ctx() is not None:
        PagesManager.uses_pages_directory = False
        st.rerun()
