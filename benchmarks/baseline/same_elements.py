"""Baseline for the browser benchmark: the Overview's element types, with no data and no app.

Streamlit loads the JavaScript of each element type when a page first shows one (a chunk or
a few dozen per type), so a new browser's first visit costs more with every type a page uses.
This page has exactly the types of the Overview's first paint, in the same places (the
sidebar's page links, dataset picker (pills) and captions; the title, a download button, a row
of six figure tiles with help as HTML (``lib.charts.html_tiles``), a segmented control, an HTML
chart, three more tiles, markdown and an expander), with fixed text instead of data: what
those elements cost the browser on their own, next to the bare page (``benchmarks.browser``
prints the app against both).
"""

import streamlit as st

from lib.charts.html_tiles import Tile, tiles_html

st.set_page_config(page_title="Baseline", page_icon="▶️", layout="wide")
with st.sidebar:
    for section, pages in (("Overview", 1), ("Explore", 2), ("Models", 3), ("Data", 1)):
        st.caption(section)
        for i in range(pages):
            url, icon = f"https://example.com/{section}/{i}", ":material/dashboard:"
            st.page_link(url, label=f"{section} {i}", icon=icon)
    st.divider()
    st.pills("Dataset", ["demo", "other"], default="demo", required=True, help="A dataset.")
    st.caption("demo generator  \nbuilt today")
st.title("Baseline")
st.caption("One line of text under the title.")
st.download_button("Download report (PDF)", data=b"%PDF", file_name="x.pdf", type="tertiary")
st.html(tiles_html([Tile(f"Figure {i}", f"{1234 * (i + 1):,}", "A figure.") for i in range(6)]))
st.subheader("A chart")
st.segmented_control("Period", ["Daily", "Weekly", "Monthly"], default="Weekly")
st.html('<div style="height:380px;border-bottom:1px solid #ccc">A chart drawn as HTML.</div>')
st.caption("A caption under the chart.")
st.download_button("Download data (CSV)", data=b"a,b", file_name="x.csv", type="tertiary")
st.subheader("Three more figures")
st.html(tiles_html([Tile(f"Score {i}", f"{90 + i:.1f} / 100", "A score.") for i in range(3)]))
st.markdown("**One line** of markdown.")
with st.expander("Details"):
    st.write("Opened on demand.")
