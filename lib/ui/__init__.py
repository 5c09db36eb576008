"""The only part of ``lib`` that imports streamlit: cached loaders and shared widgets."""
