"""Entry point: page config, first-start demo build, dataset picker, navigation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from lib.ui import data as ui
from lib.ui.navigation import use_declared_navigation

ROOT = Path(__file__).parent
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

use_declared_navigation()  # a fresh server's first run: declared pages, not pages/ files
st.set_page_config(
    page_title="Streaming catalog analytics",
    page_icon=str(ROOT / "assets" / "icon.png"),
    layout="wide",
    initial_sidebar_state="expanded",
)

sections: dict[str, list] = {}
for section, path, title, icon in PAGES:
    if (ROOT / path).is_file():
        sections.setdefault(section, []).append(
            st.Page(path, title=title, icon=icon, default=path.endswith("overview.py"))
        )
page = st.navigation(sections)
ui.ensure_demo()  # after st.navigation, so the sidebar lists our pages while it builds

with st.sidebar:
    names = ui.datasets()
    if names:
        # the default is the static first option (the demo), never the URL's value: a bound
        # widget drops its query parameter when the value equals the default
        st.selectbox(
            "Dataset",
            names,
            key=ui.DATASET_KEY,
            bind="query-params",
            help="Every page shows the chosen dataset. Add datasets on the Import data page.",
        )
        m = ui.manifest()
        st.caption(
            f"{m.get('source', '')}  \nbuilt {m.get('built_at', '?')[:16].replace('T', ' ')} UTC"
        )

page.run()
