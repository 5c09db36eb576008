"""Import data page: the render helpers (what :mod:`lib.ui.importing` found, drawn).

Every value from an upload goes through ``st.dataframe`` (rendered as text) or
:func:`lib.ui.widgets.md_escape`; nothing is rendered as HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from lib.config import PROJECT_ROOT
from lib.data.import_plan import (
    PAGE_FILES,
    PREVIEW_ROWS,
    Capability,
    FileReport,
    Problem,
    format_table,
)
from lib.data.pipeline.report import silver_actions
from lib.ui.widgets import MISSING, md_escape

__all__ = [
    "render_formats",
    "render_notes",
    "render_problem",
    "short_message",
    "render_file_report",
    "render_join_report",
    "render_quality_report",
    "render_capabilities",
]


# ------------------------------------------------------------------------------ rendering ----
def render_formats() -> None:
    """The supported formats as a list an analyst can read: what it is, required columns."""
    lines = []
    for row in format_table().itertuples(index=False):
        required = row[2]
        head = "columns "
        for prefix, said in (
            ("no header line; fields: ", "no header line, fields "),
            ("an .xlsx workbook whose sheets have the columns: ", "sheets with the columns "),
        ):
            if required.startswith(prefix):
                required, head = required.removeprefix(prefix), said
        cols = ", ".join(f"`{c}`" for c in required.split(", ") if c)
        line = f"- **{md_escape(row[0])}**: {md_escape(row[1])}. Needs {head}{cols}"
        if row[3]:
            line += "; optional " + ", ".join(f"`{c}`" for c in row[3].split(", "))
        lines.append(line)
    st.markdown("\n".join(lines))


def render_notes(notes: Sequence[str]) -> None:
    """Importer notes (repairs, encodings, skipped members) as one info box."""
    if notes:
        st.info("\n".join(f"- {md_escape(n)}" for n in notes), icon=":material/info:")


def render_problem(problem: Problem) -> None:
    """One problem as an error box naming file, column, row and what was expected."""
    st.error(md_escape(short_message(problem)), icon=":material/error:")


def short_message(problem: Problem) -> str:
    """The problem's message; the long list of every known format is replaced by a pointer."""
    head, sep, _ = problem.message.partition(" It could be one of these formats")
    if sep:
        return head + " See 'Supported formats and the columns they need' above."
    if "Excel/Office document" in problem.message:
        return problem.message + ". In Excel use File > Save As > CSV UTF-8, then upload the CSV."
    if problem.kind == "incomplete":
        return problem.message + "."
    return problem.message


def _fmt_bytes(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n:,.1f} GB"


_DELIMITER_NAMES = {",": "comma", "\t": "tab", "|": "pipe", ";": "semicolon"}


def render_file_report(rep: FileReport) -> None:
    """Format, encoding, rows, preview, column mapping and notes of one file."""
    with st.container(border=True):
        st.markdown(f"**{md_escape(rep.name)}** - {_fmt_bytes(rep.size_bytes)}")
        if rep.problem is not None:
            render_problem(rep.problem)
            return
        if rep.sheets:
            shape = "workbook, sheets " + ", ".join(
                f"{md_escape(s)} ({n:,} rows)" for s, n in rep.sheets.items()
            )
        else:
            sep = _DELIMITER_NAMES.get(rep.delimiter or "", "other")
            shape = f"encoding **{md_escape(rep.encoding)}** · {sep}-separated"
        st.markdown(
            f":green[:material/check_circle:] Recognised as **{md_escape(rep.format)}**: "
            f"{md_escape(rep.description or '')} · {shape} · "
            f"**{rep.rows or 0:,}** rows · **{len(rep.columns):,}** columns"
        )
        render_notes(rep.notes)
        tab_preview, tab_mapping = st.tabs(
            [f"Preview (first {min(PREVIEW_ROWS, rep.rows or 0)} rows)", "Column mapping"]
        )
        with tab_preview:
            st.dataframe(rep.preview, hide_index=True, placeholder=MISSING)
        with tab_mapping:
            mapping = pd.DataFrame(
                {
                    "column in the file": list(rep.mapping),
                    "imported as (table.column)": list(rep.mapping.values()),
                }
            )
            st.dataframe(mapping, hide_index=True, placeholder=MISSING)


def render_join_report(join_report: dict[str, dict[str, Any]]) -> None:
    """Match rates of Top 10 / IMDb files linked to the catalog of the same import."""
    if not join_report:
        return
    st.markdown("**Linking the files** (titles matched to the catalog of this import)")
    cols = st.columns(min(len(join_report), 4))
    for col, (fname, jr) in zip(cols * 4, join_report.items()):
        col.metric(
            f"{jr['what']} matched",
            f"{jr['match_rate']:.1%}",
            help=f"{fname}: {jr['matched']:,} of {jr['titles']:,} distinct titles linked to "
            f"{jr['target']} by normalised title and film/TV kind (Top 10, engagement reports; "
            "a report's ': Season N' suffix is left out) or release year (IMDb).",
        )
    rows = [
        {
            "file": fname,
            "linked to": jr["target"],
            "titles": jr["titles"],
            "matched": jr["matched"],
            "match rate": jr["match_rate"],
            "ambiguous (not guessed)": jr["ambiguous"],
            "unmatched": jr["unmatched"],
            "ambiguous examples": ", ".join(jr.get("ambiguous_examples") or []),
        }
        for fname, jr in join_report.items()
    ]
    joined = pd.DataFrame(rows)
    rate = st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)
    st.dataframe(
        joined,
        hide_index=True,
        column_config=_counts(joined, **{"match rate": rate}),
        placeholder=MISSING,
    )
    for fname, jr in join_report.items():
        if jr["match_rate"] >= 0.5:
            continue
        if jr["what"].startswith(("Top 10", "report")):
            why = (
                "Unmatched titles are kept with an id of their own and shown as 'not in "
                "catalog'; no row is dropped. A Top 10 file or an engagement report often "
                "covers other titles than a catalog snapshot, so a low rate can be expected."
            )
        else:
            why = "Unmatched rows are added as titles of their own (no catalog attributes)."
        st.warning(
            f"Only {jr['match_rate']:.0%} of the titles in {md_escape(fname)} were found in "
            f"{md_escape(jr['target'])}. {why}",
            icon=":material/link_off:",
        )


def _counts(df: pd.DataFrame, **extra: Any) -> dict[str, Any]:
    """column_config showing integer columns with thousands separators."""
    cfg: dict[str, Any] = {
        c: st.column_config.NumberColumn(format="localized")
        for c in df.columns
        if pd.api.types.is_integer_dtype(df[c].dtype)
    }
    return {**cfg, **extra}


def _actions(report: dict[str, Any]) -> pd.DataFrame:
    return silver_actions(report)


def render_quality_report(report: dict[str, Any]) -> None:
    """Scorecard per layer, row accounting per table and what silver removed or repaired."""
    cols = st.columns(len(report["scorecard"]) + 1)
    for col, row in zip(cols, report["scorecard"]):
        parts = ", ".join(
            f"{k} {v:.1%}"
            for k, v in row.items()
            if k not in ("layer", "score") and isinstance(v, (int, float)) and v == v
        )
        score = row["score"]
        col.metric(
            f"{row['layer'].title()} layer",
            f"{score:.1f} / 100" if score == score else "n/a",
            help=parts,
        )
    inv = report["invariants"]
    balanced = all(v["holds"] for v in inv.values())
    cols[-1].metric(
        "Row accounting",
        "balanced" if balanced else "NOT balanced",
        help="Per table: bronze rows = silver rows + rejected + duplicates removed.",
    )
    st.markdown("**Rows per table** (bronze = as received, silver = kept after cleaning)")
    acc = pd.DataFrame(
        [
            {
                "table": t,
                "bronze rows": v["bronze"],
                "silver rows": v["silver"],
                "rejected": v["rejected"],
                "duplicates removed": v["duplicates_removed"],
                "balanced": bool(v["holds"]),
            }
            for t, v in inv.items()
        ]
    )
    st.dataframe(acc, hide_index=True, column_config=_counts(acc), placeholder=MISSING)
    st.markdown("**What cleaning did** (rows removed, values repaired or imputed)")
    actions = _actions(report)
    if len(actions):
        rule = st.column_config.TextColumn(width="large")
        st.dataframe(
            actions, hide_index=True, column_config=_counts(actions, rule=rule), placeholder=MISSING
        )
    else:
        st.caption("Nothing: every row was kept as received.")
    failing = [c for c in report.get("checks", []) if not c.get("passed")]
    if failing:
        st.warning(
            "Gold checks failing: "
            + md_escape(
                "; ".join(f"{c['table']}: {c['name']} ({c['failing']:,} rows)" for c in failing)
            ),
            icon=":material/rule:",
        )
    gold = ", ".join(f"{t} {v['rows']:,}" for t, v in report.get("gold", {}).items() if v["rows"])
    st.caption(f"Gold tables the pages will read: {gold or 'none with rows'}.")


_STATUS_LABEL = {
    "yes": ":green[:material/check_circle:] **{title}**: usable - ",
    "partly": ":orange[:material/remove_circle:] **{title}**: partly usable - ",
    "no": ":red[:material/cancel:] **{title}**: not usable - ",
}


def render_capabilities(caps: Sequence[Capability], *, only_existing_pages: bool = True) -> None:
    """One line per page: can it use this dataset, and why (pages not built yet left out)."""
    if only_existing_pages:
        caps = [c for c in caps if (PROJECT_ROOT / PAGE_FILES[c.page]).is_file()]
    lines = [
        "- " + _STATUS_LABEL[c.status].format(title=c.title) + md_escape(c.reason) for c in caps
    ]
    st.markdown("\n".join(lines))
