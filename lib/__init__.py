"""Shared package of the streaming-analytics dashboard.

Pure Python: nothing outside ``lib.ui`` imports streamlit.

The paths ``lib`` had before the layout of issue 16 (``lib.recommend``, ``lib.pipeline``, ...)
still import, as aliases of the moved modules (:mod:`lib._compat`): fitted models stored as
joblib pickles name them. Installing the aliases imports nothing.
"""

from lib import _compat

_compat.install()
