"""The report data model: what a page shows, as plain data (no plotting, no streamlit).

A :class:`Report` is built per page (:mod:`lib.reports.pages`) from the same functions the
page calls, and drawn by :func:`lib.reports.render.render_pdf`. Every text in it is plain
text: the renderer draws it as such (no HTML, no markdown, no mathtext).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lib.filters import Filters
from lib.insights import Finding

__all__ = ["Kpi", "Chart", "Section", "Report", "Progress", "provenance"]

#: ``progress(fraction 0-1, text)``, as the pipeline's progress callbacks.
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Kpi:
    """One tile: its label, the value as the page prints it, and how it is computed."""

    label: str
    value: str
    help: str = ""


@dataclass(frozen=True)
class Chart:
    """One figure of the report.

    ``kind`` names a drawing function of :mod:`lib.reports.plots`, which draws ``data``
    with ``options``; ``caption`` says what the figure shows, ``method`` how its numbers
    were computed. ``empty`` replaces the figure by a line of text when the dataset cannot
    give it (the data is then empty).
    """

    key: str
    title: str
    kind: str
    data: pd.DataFrame
    caption: str
    method: str
    options: Mapping[str, Any] = field(default_factory=dict)
    empty: str = ""


@dataclass(frozen=True)
class Section:
    """A heading, its figures and notes (plain sentences, e.g. what is missing)."""

    heading: str
    charts: Sequence[Chart] = ()
    notes: Sequence[str] = ()


@dataclass(frozen=True)
class Report:
    """A page as a static report: title, provenance, KPI tiles, findings and sections."""

    title: str
    provenance: Mapping[str, str]
    kpis: Sequence[Kpi] = ()
    findings: Sequence[Finding] = ()
    sections: Sequence[Section] = ()
    notes: Sequence[str] = ()
    subject: str = ""

    @property
    def charts(self) -> list[Chart]:
        """Every chart of every section, in order."""
        return [c for s in self.sections for c in s.charts]

    def kpi(self, label: str) -> str:
        """The value of the tile labelled ``label``."""
        return next(k.value for k in self.kpis if k.label == label)


def provenance(
    dataset: str,
    manifest: Mapping[str, Any],
    *,
    filters: Filters | str | None = None,
    url: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, str]:
    """Where a report's numbers come from: dataset, source, build time, filters, view URL.

    ``filters``: the page's :class:`lib.filters.Filters` (in words), a description, or None
    for a page without filters; ``url``: the link that reopens the view (None: not known,
    e.g. outside the app).
    """
    built = str(manifest.get("built_at", "?"))[:19].replace("T", " ")
    out = {
        "Dataset": dataset,
        "Source": str(manifest.get("source", "?")),
        "Built": f"{built} UTC" if built != "?" else "?",
        "Data as of": str(manifest.get("as_of", "?")),
    }
    if filters is not None:
        out["Filters"] = filters.describe() if isinstance(filters, Filters) else str(filters)
    out["View URL"] = url or "n/a (built outside the app)"
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    out["Report made"] = stamp
    return out
