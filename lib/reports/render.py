"""Draw a :class:`lib.reports.model.Report` as a PDF (matplotlib's PdfPages, Agg canvas).

Pages are A4 landscape: a cover page (title, provenance, KPI tiles, findings; more pages
when the findings do not fit), then the sections' figures, one or two a page, each with its
title, caption and method line. Every text is drawn as plain text: mathtext is off
(``text.parse_math``), so a ``$`` or a ``<b>`` in a data value prints as itself. Figures are
``matplotlib.figure.Figure`` objects with their own Agg canvas: no pyplot state, no backend
switch for the rest of the process.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import textwrap
import threading
from collections.abc import Iterator, Sequence

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure, SubFigure
from matplotlib.patches import FancyBboxPatch

from lib.reports.model import Chart, Progress, Report
from lib.reports.plots import DRAW, INK

__all__ = ["render_pdf", "PAGE_SIZE", "RC"]

log = logging.getLogger(__name__)
# rc_context changes matplotlib's global rcParams: one report is drawn at a time, so a
# report drawn in another server thread never sees mathtext switched back on mid-draw
_LOCK = threading.Lock()

PAGE_SIZE = (11.69, 8.27)  # A4 landscape, inches
MUTED = "#666666"
ACCENT = "#0F5C8C"
TILE_FILL = "#F3F6F9"
#: matplotlib settings while a report is drawn and saved: plain text (no mathtext, no
#: usetex). Fonts are embedded as Type 3 subsets (matplotlib's default; text stays
#: extractable): TrueType (Type 42) subsetting with fontTools took ~0.45 s per font face.
RC = {
    "text.parse_math": False,
    "text.usetex": False,
    "pdf.fonttype": 3,
    "font.family": "DejaVu Sans",
    "axes.titlesize": 11,
    "figure.dpi": 100,
}


def _new_page() -> Figure:
    fig = Figure(figsize=PAGE_SIZE)
    FigureCanvasAgg(fig)
    return fig


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=True)) if text else ""


def _header(fig: Figure, report: Report, page: int, heading: str = "") -> None:
    fig.text(0.03, 0.965, report.title, fontsize=10, color=MUTED, va="top")
    fig.text(
        0.97, 0.965, report.provenance.get("Dataset", ""), fontsize=10, color=MUTED,
        va="top", ha="right",
    )  # fmt: skip
    if heading:
        fig.text(0.03, 0.93, heading, fontsize=15, weight="bold", color=INK, va="top")
    fig.text(0.97, 0.02, f"page {page}", fontsize=8, color=MUTED, ha="right")
    fig.text(
        0.03, 0.02, "streamdash report - " + report.provenance.get("Report made", ""),
        fontsize=8, color=MUTED,
    )  # fmt: skip


# --- cover --------------------------------------------------------------------------------
def _provenance(fig: Figure, report: Report, top: float) -> float:
    """Provenance as key: value lines in two columns (long values wrap in their column)."""
    items = list(report.provenance.items())
    half = (len(items) + 1) // 2
    bottom = top
    for col, part in enumerate((items[:half], items[half:])):
        x, y = 0.03 + col * 0.48, top
        for key, value in part:
            text = _wrap(str(value), 62)
            fig.text(x, y, key, fontsize=9, color=MUTED, va="top", weight="bold")
            fig.text(x + 0.1, y, text, fontsize=9, color=INK, va="top")
            y -= 0.027 * (text.count("\n") + 1)
        bottom = min(bottom, y)
    return bottom


def _tiles(fig: Figure, report: Report, top: float) -> float:
    """KPI tiles, up to six a row: label, value (large), help (small, wrapped)."""
    kpis = list(report.kpis)
    per_row = min(max(len(kpis), 1), 6)
    gap, width = 0.012, (0.94 - 0.012 * (per_row - 1)) / per_row
    height = 0.15
    chars = int(width * PAGE_SIZE[0] * 72 / (0.56 * 7))  # glyphs ~0.56 em wide at 7 pt
    y = top
    for start in range(0, len(kpis), per_row):
        for i, kpi in enumerate(kpis[start : start + per_row]):
            x = 0.03 + i * (width + gap)
            fig.patches.append(
                FancyBboxPatch(
                    (x, y - height), width, height, boxstyle="round,pad=0,rounding_size=0.01",
                    transform=fig.transFigure, facecolor=TILE_FILL, edgecolor="#D5DCE3",
                    linewidth=0.8,
                )
            )  # fmt: skip
            label_pt = 9 if len(kpi.label) * 0.56 * 9 / 72 < width * PAGE_SIZE[0] - 0.15 else 7.5
            fig.text(x + 0.008, y - 0.012, kpi.label, fontsize=label_pt, color=MUTED, va="top")
            fig.text(x + 0.008, y - 0.04, kpi.value, fontsize=17, color=INK, va="top")
            help_text = textwrap.shorten(kpi.help, width=chars * 3, placeholder="...")
            fig.text(
                x + 0.008, y - 0.082, _wrap(help_text, chars), fontsize=7, color=MUTED,
                va="top", linespacing=1.2,
            )  # fmt: skip
        y -= height + 0.015
    return y


def _finding_blocks(report: Report) -> list[list[tuple[str, str]]]:
    """Lines of each finding (its sentence, then its method) and note, kept together."""
    blocks = []
    for f in report.findings:
        lines = [("- " + p if i == 0 else "  " + p, "finding")
                 for i, p in enumerate(textwrap.wrap(f.text, 150))]  # fmt: skip
        lines += [("  " + p, "method") for p in textwrap.wrap("Method: " + f.method, 175)]
        blocks.append(lines)
    missing = [f"{s.heading}: {n}" for s in report.sections if not s.charts for n in s.notes]
    for note in [*report.notes, *missing]:
        blocks.append(
            [("- " + p if i == 0 else "  " + p, "finding")
             for i, p in enumerate(textwrap.wrap(note, 150))]
        )  # fmt: skip
    return blocks


STEP = {"finding": 0.025, "method": 0.022}


def _cover_pages(report: Report, first_page: int) -> Iterator[Figure]:
    fig = _new_page()
    _header(fig, report, first_page)
    fig.text(0.03, 0.93, report.title, fontsize=22, weight="bold", color=INK, va="top")
    if report.subject:
        fig.text(0.03, 0.88, _wrap(report.subject, 130), fontsize=10, color=MUTED, va="top")
    y = _provenance(fig, report, 0.84) - 0.015
    y = _tiles(fig, report, y) - 0.01
    blocks = _finding_blocks(report)
    heading = "Insights" if report.findings else ("Notes" if blocks else "")
    if heading:
        fig.text(0.03, y, heading, fontsize=13, weight="bold", color=INK, va="top")
        y -= 0.04
    page = first_page
    for block in blocks:
        if y - sum(STEP[style] for _, style in block) < 0.05:
            yield fig
            page += 1
            fig = _new_page()
            _header(fig, report, page, heading + " (continued)")
            y = 0.88
        for text, style in block:
            size, color = (9.5, INK) if style == "finding" else (8, MUTED)
            fig.text(0.035, y, text, fontsize=size, color=color, va="top")
            y -= STEP[style]
        y -= 0.004
    yield fig


# --- figures --------------------------------------------------------------------------------
def _chart_block(canvas: Figure | SubFigure, chart: Chart, wide: bool) -> None:
    """Title, plot, caption and method line of one chart inside ``canvas``."""
    chars = 165 if wide else 78
    canvas.text(0.03 if wide else 0.06, 0.99, chart.title, fontsize=12, weight="bold",
                color=INK, va="top")  # fmt: skip
    caption = _wrap(chart.caption, chars)
    method = _wrap("Method: " + chart.method, int(chars * 1.12)) if chart.method else ""
    n_lines = caption.count("\n") + 1 + (method.count("\n") + 1 if method else 0)
    text_top = 0.065 + 0.028 * n_lines
    x0 = 0.03 if wide else 0.06
    canvas.text(x0, text_top, caption, fontsize=9, color=INK, va="top", linespacing=1.3)
    if method:
        canvas.text(
            x0, text_top - 0.028 * (caption.count("\n") + 1) - 0.004, method, fontsize=8,
            color=MUTED, va="top", style="italic", linespacing=1.3,
        )  # fmt: skip
    area = (0.07 if wide else 0.1, text_top + 0.07, 0.97, 0.87)
    if chart.data is None or chart.data.empty:
        canvas.text(
            0.5, (area[1] + area[3]) / 2, chart.empty or "No data for this selection.",
            ha="center", va="center", fontsize=11, color=MUTED, wrap=True,
        )  # fmt: skip
        return
    DRAW[chart.kind](canvas, chart, area)


def _chart_pages(report: Report) -> Iterator[tuple[str, list[Chart], Sequence[str]]]:
    """(heading, charts of one page, notes) per page: wide charts alone, others in pairs;
    a section's notes go on its first page (sections without charts are on the cover)."""
    for section in report.sections:
        if not section.charts:
            continue
        pages: list[list[Chart]] = []
        pending: list[Chart] = []
        for chart in section.charts:
            if chart.options.get("wide"):
                pages += [pending, [chart]] if pending else [[chart]]
                pending = []
            else:
                pending.append(chart)
                if len(pending) == 2:
                    pages.append(pending)
                    pending = []
        if pending:
            pages.append(pending)
        for i, charts in enumerate(pages):
            yield section.heading, charts, section.notes if i == 0 else ()


def _figure_page(
    report: Report, heading: str, charts: list[Chart], notes: Sequence[str], page: int
) -> Figure:
    """A page of one or two charts under the section heading (and its notes, if any)."""
    fig = _new_page()
    _header(fig, report, page, heading)
    head = 0.1
    if notes:
        text = "\n".join(_wrap(n, 170) for n in notes)
        fig.text(0.03, 0.89, text, fontsize=9, color=MUTED, va="top", linespacing=1.3)
        head += 0.026 * (text.count("\n") + 1)
    if not charts:
        return fig
    _, body = fig.subfigures(2, 1, height_ratios=[head, 1 - head])
    body.patch.set_alpha(0)
    if len(charts) == 1:
        _chart_block(body, charts[0], wide=True)
    else:
        for sub, chart in zip(body.subfigures(1, 2), charts):
            sub.patch.set_alpha(0)
            _chart_block(sub, chart, wide=False)
    return fig


def _pages(report: Report) -> Iterator[Figure]:
    covers = list(_cover_pages(report, 1))
    yield from covers
    page = len(covers)
    for heading, charts, notes in _chart_pages(report):
        page += 1
        yield _figure_page(report, heading, charts, notes, page)


def _count(report: Report) -> int:
    return 1 + sum(1 for _ in _chart_pages(report))


def render_pdf(report: Report, progress: Progress | None = None) -> bytes:
    """The report as PDF bytes (title and creation date in the PDF's metadata).

    ``progress(fraction, text)`` is called after every page.
    """
    buf = io.BytesIO()
    total = _count(report)
    metadata = {
        "Title": report.title + " - " + report.provenance.get("Dataset", ""),
        "Author": "streamdash",
        "Subject": report.subject or report.title,
        "Creator": "streamdash lib.reports (matplotlib " + mpl.__version__ + ")",
        "CreationDate": dt.datetime.now(dt.UTC),
    }
    with _LOCK, mpl.rc_context(RC), PdfPages(buf, metadata=metadata) as pdf:
        for i, fig in enumerate(_pages(report), start=1):
            pdf.savefig(fig)
            if progress is not None:
                progress(min(i / total, 1.0), f"page {i} of {total}")
    log.debug("%s report of %s: %d pages", report.title, report.provenance.get("Dataset"), total)
    return buf.getvalue()
