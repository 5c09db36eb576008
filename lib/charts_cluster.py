"""Moved to :mod:`lib.charts.cluster` (issue 16); this name stays for existing imports."""

from lib.charts.cluster import *  # noqa: F403
from lib.charts.cluster import __all__  # noqa: F401
