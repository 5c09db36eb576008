"""Entry point: page config, first-start demo build, dataset picker, navigation."""

from __future__ import annotations

import os
import time

import streamlit as st

from lib.ui.navigation import declared_pages, sidebar_links

_STARTED = time.perf_counter()

st.set_page_config(
    page_title="Streaming catalog analytics",
    # an emoji: Streamlit draws it as an inline SVG favicon. An image file makes
    # set_page_config import NumPy and Pillow (~0.1 s on a fresh server) to serve it, before
    # the first element reaches the browser
    page_icon="▶️",
    layout="wide",
    initial_sidebar_state="expanded",
)

sections = declared_pages()
# hidden: [client] showSidebarNavigation = false hides Streamlit's own menu (see
# lib.ui.navigation); the app draws its navigation itself, first in the sidebar
page = st.navigation(sections, position="hidden")
sidebar_links(sections)
# imported after the navigation is drawn: pandas and pyarrow take ~0.5-1 s to import on a
# fresh server, and the sidebar (the first paint) need not wait for them
from lib.ui import data as ui  # noqa: E402

ui.ensure_demo()  # after st.navigation, so the sidebar lists our pages while it builds

with st.sidebar:
    names = ui.datasets()
    if names:
        # the default is the static first option (the demo), never the URL's value: a bound
        # widget drops its query parameter when the value equals the default.
        # A few datasets are pills: all in view, one click away, and their JavaScript is the
        # Overview's period control's, where a selectbox makes a new browser load ~20 more
        # chunks (~200 KB) before the landing page is painted. A long list is a selectbox
        # (so is a name that Markdown would format: see pills_fit).
        pills = ui.pills_fit(names)
        (st.pills if pills else st.selectbox)(
            "Dataset",
            names,
            key=ui.DATASET_KEY,
            bind="query-params",
            help="Every page shows the chosen dataset. Add datasets on the Import data page.",
            **({"default": names[0], "required": True} if pills else {}),
        )
        m = ui.manifest()
        st.caption(
            f"{m.get('source', '')}  \nbuilt {m.get('built_at', '?')[:16].replace('T', ' ')} UTC"
        )

page.run()

from lib.ui.theme import watch_theme  # noqa: E402
from lib.ui.warmup import warm_pages  # noqa: E402

watch_theme()  # after the page: a theme switch in the browser reruns it with its colours
warm_pages()  # once per process, in the background: the other pages' imports

if run_log := os.environ.get("STREAMDASH_RUN_LOG"):  # benchmarks.load: the server's own time
    try:  # of each complete run (not fragments); a wrong path never breaks the page
        with open(run_log, "a", encoding="utf-8") as f:
            f.write(f"{time.time():.3f}\t{page.title}\t{time.perf_counter() - _STARTED:.4f}\n")
    except OSError as exc:
        import logging

        logging.getLogger("streamdash").warning("STREAMDASH_RUN_LOG=%s: %s", run_log, exc)
