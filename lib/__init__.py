"""Shared package of the streaming-analytics dashboard.

Pure Python: nothing outside ``lib.ui`` imports streamlit.
"""
