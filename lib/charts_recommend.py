"""Moved to :mod:`lib.charts.recommend` (issue 16); this name stays for existing imports."""

from lib.charts.recommend import *  # noqa: F403
from lib.charts.recommend import __all__  # noqa: F401
