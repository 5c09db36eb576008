"""The app's declared pages, its sidebar navigation, and a fresh server's first run.

The pages are declared once here (titles, icons, sections) and passed to ``st.navigation``
by the entry script. The layout keeps a ``pages/`` folder (the design card), which
Streamlit treats as a legacy ("MPA v1") app until ``st.navigation`` has run once in the
server process (documented: "As soon as any session of your app executes the
st.navigation command, your app will ignore the pages/ directory (across all sessions)").
Two documented settings keep that first run out of sight, without touching Streamlit's
internals:

- ``[client] showSidebarNavigation = false`` (``.streamlit/config.toml``) hides the
  navigation Streamlit builds from the ``pages/`` file names; the app draws its own
  sidebar navigation with ``st.page_link`` (:func:`sidebar_links`), so no paint ever
  lists "streamlit app", "top10", "import data".
- A deep link on a fresh server (``/catalog?genre=Drama``) makes the legacy run execute
  ``pages/catalog.py`` alone (no entry script: no dataset picker, no page config). Every
  page imports ``lib.ui``, whose import calls :func:`use_declared_navigation`: on the
  process's first run it calls the public ``st.navigation`` with the declared pages (which
  switches the process to declared navigation) and reruns, so the entry script runs and
  opens the linked page inside the app. When the first run is the entry script's own (the
  usual first visit), it declares the navigation itself a few lines later: no rerun.
"""

from __future__ import annotations

import sys

import streamlit as st

from lib.config import PROJECT_ROOT

__all__ = ["PAGES", "declared_pages", "sidebar_links", "use_declared_navigation"]

# (section, file, title, icon); a page is listed only when its file exists (no placeholders)
PAGES = (
    ("Overview", "pages/overview.py", "Overview", ":material/dashboard:"),
    ("Explore", "pages/catalog.py", "Catalog", ":material/movie:"),
    ("Explore", "pages/engagement.py", "Engagement", ":material/monitoring:"),
    ("Models", "pages/recommender.py", "Recommender", ":material/recommend:"),
    ("Models", "pages/clusters.py", "Cluster explorer", ":material/bubble_chart:"),
    ("Models", "pages/top10.py", "Top 10 predictor", ":material/trophy:"),
    ("Data", "pages/import_data.py", "Import data", ":material/upload_file:"),
)

_switched = False  # this process has run st.navigation (kept when lib.ui's import reruns)


def declared_pages(*, icons: bool = True) -> dict[str, list]:
    """The pages of ``PAGES`` whose file exists, as ``st.Page`` objects by section."""
    sections: dict[str, list] = {}
    for section, path, title, icon in PAGES:
        if (PROJECT_ROOT / path).is_file():
            sections.setdefault(section, []).append(
                st.Page(
                    path,
                    title=title,
                    icon=icon if icons else None,
                    default=path.endswith("overview.py"),
                )
            )
    return sections


def sidebar_links(sections: dict[str, list]) -> None:
    """The app's own sidebar navigation: a small heading per section, a link per page."""
    with st.sidebar:
        for section, pages in sections.items():
            st.caption(section)
            for page in pages:
                st.page_link(page)
        st.divider()


def _entry_script_running() -> bool:
    """True when the entry script (streamlit_app.py) is the script being run: it imports
    ``lib.ui`` before its own ``st.navigation`` call, in the same run."""
    entry = str(PROJECT_ROOT / "streamlit_app.py")
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == entry:
            return True
        frame = frame.f_back
    return False


def use_declared_navigation() -> None:
    """On a server process's first script run, switch to declared navigation and rerun.

    A no-op after the first call in a process, and outside a running app (plain imports,
    unit tests). Uses only public API: ``st.navigation`` (hidden: the entry script draws
    the navigation) and ``st.rerun``.
    """
    global _switched
    if _switched or not st.runtime.exists():
        return
    _switched = True
    if _entry_script_running():  # it calls st.navigation itself in this run: no rerun needed
        return
    # without icons: the browser would take the page's material icon as the tab's favicon
    # (fetched from fonts.gstatic.com) before the entry script's set_page_config arrives
    st.navigation(declared_pages(icons=False), position="hidden")
    st.rerun()
