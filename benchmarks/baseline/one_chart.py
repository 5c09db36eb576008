"""Baseline for the cold-start benchmark: a bare page with one small Plotly chart.

The first Plotly chart on a page makes the browser load Streamlit's Plotly bundle; this
baseline shows that cost on its own (see ``benchmarks.browser``).
"""

import plotly.graph_objects as go
import streamlit as st

st.title("Baseline")
st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[1, 3, 2])))
