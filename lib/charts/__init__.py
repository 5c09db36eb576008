"""Figure builders, one module per page family, one house style (no streamlit import).

* :mod:`lib.charts.light`: the Overview's Vega-Lite specs (plain dicts; no Plotly, no Altair),
  so that the landing page imports this package and that module only;
* :mod:`lib.charts.house`: the one figure path (``figure``), palette and template;
* :mod:`lib.charts.overview`, :mod:`~lib.charts.catalog`, :mod:`~lib.charts.engagement`,
  :mod:`~lib.charts.recommend`, :mod:`~lib.charts.cluster`, :mod:`~lib.charts.top10`,
  :mod:`~lib.charts.report`: the builders of each page, DataFrame in, ``go.Figure`` out.

Importing this package imports nothing heavy: the names ``lib.charts`` had as one module
(``charts.genre_popularity``, ``charts.style``, ...) are looked up in the family modules on
first use (PEP 562), so ``from lib import charts`` keeps working and loads Plotly only when
a builder is used.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Modules whose names ``lib.charts`` re-exports, in lookup order.
_FAMILIES = ("house", "overview", "catalog", "engagement")
_SUBMODULES = frozenset({*_FAMILIES, "cluster", "light", "recommend", "report", "top10"})

__all__ = [
    "PALETTE",
    "LAYER_COLORS",
    "style",
    "house_figure",
    "watch_hours_trend",
    "row_accounting",
    "layer_scores",
    "rating_column",
    "genre_counts",
    "genre_popularity",
    "genre_strip",
    "genre_treemap",
    "genre_wordcloud",
    "rating_distributions",
    "ratings_by_genre",
    "audience_vs_critic",
    "distribution_by_type",
    "titles_added",
    "director_stats",
    "director_treemap",
    "director_bubbles",
    "top_cast",
    "device_heatmap",
    "top_users_devices",
    "device_share_trend",
    "hour_weekday_heatmap",
    "watch_time_trend",
    "completion_by",
    "watch_breakdown",
    "download_vs_streaming",
    "quality_mix",
    "segment_genre_sankey",
    "segment_engagement",
]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if not name.startswith("__"):
        for family in _FAMILIES:
            module = importlib.import_module(f"{__name__}.{family}")
            if hasattr(module, name):
                value = getattr(module, name)
                globals()[name] = value
                return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBMODULES})
