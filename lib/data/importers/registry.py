"""The registry: every importable format, one :class:`~lib.data.importers.base.Format` each.

Adding a format is one new module in ``lib/data/importers/formats/`` that defines ``FORMATS`` (its
detection rule, columns and converter) plus one line here.
"""

from __future__ import annotations

from lib.data.importers.base import Format
from lib.data.importers.formats import catalog, engagement, imdb, kaggle, movielens, reports, top10

__all__ = ["REGISTRY", "BY_NAME", "FORMATS"]

REGISTRY: tuple[Format, ...] = (
    *catalog.FORMATS,
    *top10.FORMATS,
    *imdb.FORMATS,
    *movielens.FORMATS,
    *engagement.FORMATS,
    *reports.FORMATS,
    *kaggle.FORMATS,
)
BY_NAME: dict[str, Format] = {f.name: f for f in REGISTRY}
FORMATS: dict[str, str] = {f.name: f.description for f in REGISTRY}
"""``{format name: one-line description}`` of every recognised format."""
