"""Shared package of the streaming-analytics dashboard (pure Python; no streamlit outside lib.ui)."""
