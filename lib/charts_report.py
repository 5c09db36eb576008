"""Moved to :mod:`lib.charts.report` (issue 16); this name stays for existing imports."""

from lib.charts.report import *  # noqa: F403
from lib.charts.report import __all__  # noqa: F401
