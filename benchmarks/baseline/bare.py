"""Baseline for the cold-start benchmark: the least a Streamlit page can be (no data, no chart).

Run by ``python -m benchmarks.browser`` in the same process as the app's measurement, so the
app's cold start can be read against what Streamlit itself costs on the same machine.
"""

import streamlit as st

st.title("Baseline")
st.write("A bare Streamlit page: one title, one line of text.")
