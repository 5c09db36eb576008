"""Pages as static PDF reports (issue 18, section 3): a data model per page, drawn with
matplotlib + seaborn. No streamlit here: ``lib.ui.report_pdf`` is the download button.

* :mod:`lib.reports.model`: ``Report`` (title, provenance, KPI tiles, findings, sections of
  charts with caption and method line) and ``provenance``;
* :mod:`lib.reports.data_pages` / :mod:`lib.reports.model_pages`: one builder per page, from
  the functions the page calls;
* :mod:`lib.reports.plots`: one matplotlib + seaborn drawing per chart kind;
* :mod:`lib.reports.render`: ``render_pdf(report, progress=None) -> bytes``;
* :mod:`lib.reports.inputs`: every page's report of a dataset folder with the pages'
  defaults, without streamlit (benchmark, tests, notebooks).
"""

from __future__ import annotations

from lib.reports.model import Chart, Kpi, Progress, Report, Section, provenance

__all__ = ["Chart", "Kpi", "Progress", "Report", "Section", "provenance"]
