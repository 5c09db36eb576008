"""The "Download report (PDF)" button of a page (issue 18, section 3).

The page passes what it has loaded and computed; the report (``lib.reports``) is built and
drawn only when the button is clicked (``st.download_button`` with a callable, like
``lib.ui.widgets.download_csv``), so matplotlib and seaborn are imported on the first click,
never on a page visit. The provenance (dataset, source, build time, filters, the URL of the
view) is read during the script run, where ``st.context`` and ``st.query_params`` exist.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from lib.ui import data as ui

__all__ = [
    "LABEL",
    "view_url",
    "report_button",
    "overview_button",
    "catalog_button",
    "engagement_button",
    "clusters_button",
    "top10_button",
]

log = logging.getLogger(__name__)

LABEL = "Download report (PDF)"
HELP = (
    "A static report of this page as shown: provenance (dataset, source, build time, filters, "
    "link to this view), the KPI tiles, the insights and the main charts, each with its "
    "caption and method. Built when you click (a few seconds)."
)
Progress = Callable[[float, str], None]


def view_url() -> str | None:
    """The link that reopens this view: the app's URL with the current query string."""
    try:
        base = st.context.url
    except (AttributeError, RuntimeError):  # no browser session (e.g. a bare script run)
        base = None
    if not base:
        return None
    params = [(k, v) for k in st.query_params for v in st.query_params.get_all(k)]
    return base + ("?" + urlencode(params) if params else "")


def _file_name(dataset: str, page: str) -> str:
    return re.sub(r"[^\w.-]+", "_", f"{dataset}_{page}_report") + ".pdf"


def report_button(
    page_key: str,
    build: Callable[[Progress | None], bytes],
    file_name: str,
) -> None:
    """A download button whose PDF ``build(progress)`` makes only when clicked."""

    def _make() -> bytes:
        started = time.perf_counter()
        data = build(None)
        log.info("%s report: %.2f s, %,d bytes", page_key, time.perf_counter() - started, len(data))
        return data

    st.download_button(
        LABEL,
        data=_make,
        file_name=file_name,
        mime="application/pdf",
        key=f"pdf-{page_key}",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        type="tertiary",
        help=HELP,
    )


def _render(report_of: Callable[[], Any]) -> Callable[[Progress | None], bytes]:
    def build(progress: Progress | None = None) -> bytes:
        from lib.reports.render import render_pdf

        if progress is not None:
            progress(0.0, "Collecting the page's numbers")
        return render_pdf(report_of(), progress)

    return build


def _context() -> tuple[str, Mapping[str, Any], str | None]:
    return ui.active_name(), dict(ui.manifest()), view_url()


# --- one call per page --------------------------------------------------------------------
def overview_button(quality: Mapping[str, Any], figures: Mapping[str, Any]) -> None:
    """The Overview's button (the build's quality report and the page's figures,
    ``ui.overview``; the gold tables the report needs are read on click, so the page's first
    run reads none)."""
    name, manifest, url = _context()
    folder = ui.active_dir()
    kpis = {"mean_progress": figures.get("mean_progress")}  # what the page's tile shows

    def report():
        from lib.data.overview import gold_inputs
        from lib.reports.data_pages import overview_report

        n_titles, users, daily = gold_inputs(folder)
        return overview_report(name, manifest, quality, n_titles, users, daily, kpis, url=url)

    report_button("overview", _render(report), _file_name(name, "overview"))


def catalog_button(all_titles: Any, flt: Any) -> None:
    """The Catalog's button: the titles passing ``flt`` (a ``lib.filters.Filters``)."""
    name, manifest, url = _context()

    def report():
        from lib.reports.data_pages import catalog_report

        return catalog_report(name, manifest, all_titles, flt, url=url)

    report_button("catalog", _render(report), _file_name(name, "catalog"))


def engagement_button(view: Any, sessions: Any, flt: Any) -> None:
    """The Engagement page's button (every session, the sessions shown, their filters); the
    device heatmap's rows are the page's current choice."""
    name, manifest, url = _context()
    segment = st.session_state.get("seg")

    def report():
        from lib.reports.data_pages import engagement_report

        return engagement_report(name, manifest, view, sessions, flt, url=url, segment=segment)

    report_button("engagement", _render(report), _file_name(name, "engagement"))


def clusters_button(ent: Any, features: Any, **shown: Any) -> None:
    """The Cluster explorer's button: ``shown`` holds the page's ``scaling``, ``missing``,
    ``k``, ``fit``, ``xy``, ``scan``, ``suggested``, ``planted``, ``sample_note`` and the
    ``stability`` job (a ``Future``: the report waits for it)."""
    name, manifest, url = _context()
    job = shown.pop("stability", None)

    def report():
        from lib.reports.model_pages import clusters_report

        try:
            stability = job.result() if job is not None else None
        except ValueError:
            stability = None
        return clusters_report(
            name, manifest, ent, list(features), stability=stability, url=url, **shown
        )

    report_button("clusters", _render(report), _file_name(name, f"{ent.noun}_clusters"))


def top10_button(
    cv: Any, model: Any, kind: str, threshold: float, importance: Any, n_titles: Any
) -> None:
    """The Top 10 page's button (Model quality tab): the cross-validation, the chosen model,
    the threshold, its permutation importance (None when unavailable)."""
    name, manifest, url = _context()

    def report():
        from lib.reports.model_pages import top10_report

        return top10_report(
            name, manifest, cv, model, kind, float(threshold), importance=importance,
            n_titles=n_titles, url=url,
        )  # fmt: skip

    report_button("top10", _render(report), _file_name(name, "top10_model_quality"))
