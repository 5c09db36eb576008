"""Moved to :mod:`lib.charts.top10` (issue 16); this name stays for existing imports."""

from lib.charts.top10 import *  # noqa: F403
from lib.charts.top10 import __all__  # noqa: F401
