"""Import data: upload real files, check what was recognised and the quality report, save.

Flow: upload (several files or zip archives) -> per file: format, encoding, rows, preview,
column mapping, notes, or a clear error -> the files combined: join report and the quality
report of a full bronze -> silver -> gold build in a temporary folder (nothing saved) -> what
each page can do with the data -> name + Save (atomic build into ``data/<name>``), after which
the sidebar switches to the new dataset. Imported datasets can be deleted (never the demo).
The logic lives in :mod:`lib.ui.importing`; this file only lays the page out.
"""

from __future__ import annotations

import logging
import time

import pandas as pd
import streamlit as st

from lib.config import DEMO_NAME, dataset_dir
from lib.data import importers
from lib.data.store import load_manifest
from lib.ui import data as ui
from lib.ui import import_views as view
from lib.ui import importing as imp
from lib.ui.widgets import MISSING, md_escape

log = logging.getLogger(__name__)
UPLOAD_KEY = "import_uploads"
SAVED_KEY = "_import_saved"
FLASH_KEY = "_import_flash"


def _limit_mb() -> int:
    return importers.limits.MAX_UPLOAD_BYTES // 1024**2


MODEL_FAMILIES = {
    "top10": "the Top 10 models' comparison",
    "clusters": "the clusterings",
    "recommend": "the recommenders' indexes and evaluation",
}


@st.fragment(run_every=2)
def _models_progress(folder: str) -> None:
    """The preview's models step, running in the background, redrawn every 2 s; the whole
    page reruns once when it is done (then drawn by :func:`_models_status`)."""
    job = imp.models_job(folder)
    if job is None or job.done():
        st.rerun(scope="app")
    st.progress(
        job.fraction,
        text="Models for the model pages, computing in the background: "
        f"{job.message.removeprefix('models: ')} "
        f"({time.perf_counter() - job.started:.0f} s). Save waits for them.",
    )


def _models_status(folder: str | None) -> None:
    """What the models step of the preview's build is doing (nothing when none runs)."""
    job = imp.models_job(folder)
    if job is None:
        return
    if not job.done():
        _models_progress(folder)
        return
    exc = job.future.exception() if job.future is not None else None
    if exc is not None:
        st.warning(
            f"The models step failed ({type(exc).__name__}); Save runs it again and the model "
            "pages compute on their first visit if it fails again.",
            icon=":material/warning:",
        )
        return
    summary = job.future.result() if job.future is not None else {}
    seconds = sum(float(v.get("seconds") or 0) for v in summary.values())
    # a family left out says why in "skipped" (text) or "error"; the recommenders' own
    # "skipped" is the list of candidate models their tuning left out
    out = {f for f, v in summary.items() if isinstance(v.get("skipped"), str) or "error" in v}
    done = [MODEL_FAMILIES.get(f, f) for f in summary if f not in out]
    left = [MODEL_FAMILIES.get(f, f) for f in summary if f in out]
    st.caption(
        f"Models for the model pages computed in the background in {seconds:.1f} s: "
        + (", ".join(done) if done else "none")
        + (f" (not computed: {', '.join(left)}; the pages say why)" if left else "")
        + ". Save keeps them."
    )


def _switch_dataset(name: str) -> None:
    """Make ``name`` the sidebar's dataset on the next run (the picker is keyed "ds").

    The picker has already been drawn in this run, so its state is dropped and set anew;
    ``st.rerun()`` then draws it with the new value. (Streamlit does not rewrite the bound
    ?ds= of the URL for a value set this way; a reload shows the URL's dataset.)
    """
    if ui.DATASET_KEY in st.session_state:
        del st.session_state[ui.DATASET_KEY]
    st.session_state[ui.DATASET_KEY] = name


st.title("Import data")
st.caption(
    "Upload your own files: a streaming catalog, Netflix Top 10 lists, Netflix's 'What We "
    "Watched' engagement reports (.xlsx), the Kaggle titles.csv + credits.csv pair, IMDb-style "
    "movie tables, MovieLens ratings or the six-table engagement export. Formats are recognised "
    "from "
    "the content (the header), not from the file name. Nothing is stored until you press "
    "**Save dataset**; the demo dataset always stays available."
)

flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash, icon=":material/check_circle:")

with st.expander("Supported formats and the columns they need", icon=":material/help:"):
    view.render_formats()
    st.caption(
        f"Up to {_limit_mb()} MB per file. Text files (UTF-8, or Windows cp1252 / Latin-1) "
        f"separated by commas, tabs, '|' or ';', and .xlsx engagement reports (read as cell "
        f"values only: nothing in a workbook is run). A zip archive may hold up to "
        f"{importers.limits.MAX_ZIP_MEMBERS} data files ({', '.join(importers.DATA_EXTENSIONS)}), "
        f"{importers.limits.MAX_UNZIPPED_BYTES // 1024**3} GB unpacked. Column names are matched "
        "without regard to case; extra columns are kept in the bronze layer. Upload several "
        "files together to link them (a catalog + Top 10 lists + an IMDb table)."
    )

uploads = st.file_uploader(
    "Data files (CSV / TSV / TXT / XLSX, or a .zip of them)",
    accept_multiple_files=True,
    key=UPLOAD_KEY,
    help="Select several files at once to combine them into one dataset.",
)
uploads = list(uploads or [])

# --- per file ---------------------------------------------------------------------------------
reports: list[imp.FileReport] = []
good: list[tuple[str, bytes]] = []
digests: list[str] = []
for up in uploads:
    if up.size > importers.limits.MAX_UPLOAD_BYTES:
        reports.append(
            imp.FileReport(
                upload=up.name,
                name=up.name,
                size_bytes=up.size,
                problem=imp.Problem(
                    f"{up.name}: is {up.size / 1024**2:,.1f} MB, over the upload limit of "
                    f"{_limit_mb()} MB. Split it into smaller files (for example by year) and "
                    "upload them together, or as one .zip archive.",
                    kind="too_large",
                    file=up.name,
                    expected=f"at most {_limit_mb()} MB",
                ),
            )
        )
        continue
    data = up.getvalue()
    sha = imp.digest(data)
    with st.spinner(f"Reading {up.name} ({up.size / 1e6:,.1f} MB)...", show_time=True):
        file_reports = imp.cached_inspect(up.name, data, sha)
    reports += file_reports
    if all(r.ok for r in file_reports):
        good.append((up.name, data))
        digests.append(sha)

problems = [r for r in reports if not r.ok]
if uploads:
    st.subheader("Files")
    if problems:
        st.error(
            f"{len(problems)} of {len(reports)} file(s) cannot be imported; see below. "
            "Remove them from the upload box (x) or fix them. Nothing has been stored.",
            icon=":material/report:",
        )
    for rep in reports:
        view.render_file_report(rep)

# --- the files together -----------------------------------------------------------------------
saved = st.session_state.get(SAVED_KEY)
if saved and saved["name"] not in ui.datasets():
    saved = None  # deleted since
signature = [[n, d] for (n, _), d in zip(good, digests)]
just_saved = saved is not None and saved["files"] == signature

preview: imp.Preview | None = None
if good:
    st.subheader("The files together")
    st.caption(
        "The recognised files imported as one dataset and run through bronze -> silver -> gold "
        "in a staging folder: what you see below is what the saved dataset will be, and Save "
        "keeps this build (no second build). "
        + ("Files with problems are left out. " if problems else "")
        + ("" if just_saved else "Nothing is stored yet.")
    )
    preview = imp.cached_preview(good, digests, progress_area=st.container())
    if preview.problem is not None:
        view.render_problem(preview.problem)
    else:
        tables = ", ".join(f"{t} {n:,}" for t, n in preview.tables.items())
        st.markdown(f"Bronze tables (rows as received): {md_escape(tables)}")
        view.render_join_report(preview.join_report)
        shown = {n for r in reports for n in r.notes}
        shown |= {jr["message"] for jr in preview.join_report.values()}
        view.render_notes([n for n in preview.notes if n not in shown])
        if preview.report is not None:
            st.subheader("Quality report (before saving)")
            view.render_quality_report(preview.report)
        if preview.titles == 0:
            st.warning(
                "No usable titles: the pages that need titles will say so. This import can be "
                "saved as a new dataset but may not replace an existing one.",
                icon=":material/warning:",
            )
        if not just_saved:  # else shown with the "Saved" message below
            st.subheader("What the pages can do with it")
            view.render_capabilities(preview.capabilities)
            _models_status(preview.folder)

# --- save -------------------------------------------------------------------------------------
if uploads and preview is not None:
    st.subheader("Save dataset")
    if just_saved:
        st.success(
            f"Saved dataset **{md_escape(saved['name'])}**"
            + (" (replacing the previous one)" if saved.get("replaced") else "")
            + f" in {saved.get('seconds') or 0:.1f} s. The sidebar's dataset picker now shows "
            "it, so every page reads it; switch back to the demo there at any time.",
            icon=":material/check_circle:",
        )
        view.render_capabilities(saved["capabilities"])
    existing = ui.datasets()
    name = st.text_input(
        "Dataset name",
        value=imp.suggest_name([n for n, _ in good], existing),
        max_chars=64,
        key="import_name",
        help="1-64 letters, digits, '_', '-' or '.'; it becomes the folder data/<name> and the "
        "entry in the sidebar's dataset picker.",
    ).strip()
    error, exists = imp.check_name(name, existing)
    replace = False
    already = just_saved and name == saved["name"]
    refusal = None if already else imp.replace_refusal(preview.titles, name, exists)
    if error:
        st.error(md_escape(error), icon=":material/block:")
    elif exists and not already and not refusal:
        replace = st.checkbox(
            f"Replace the existing dataset '{md_escape(name)}' (its current layers are "
            "deleted when the new build succeeds)",
            key="import_replace",
        )
    blocked = (
        "Remove or fix the files with problems first."
        if problems
        else "The combined import has a problem (above)."
        if preview.problem is not None
        else error
        if error
        else refusal
        if refusal
        else f"Saved as '{name}'. Enter another name to save a copy."
        if already
        else "Tick the box to confirm replacing the existing dataset."
        if exists and not replace
        else None
    )
    clicked = st.button(
        "Save dataset",
        type="primary",
        icon=":material/save:",
        disabled=blocked is not None,
        key="import_save",
        help=blocked,
    )
    if blocked and not error:
        st.caption(md_escape(blocked))
    if clicked and blocked is None:
        started = time.perf_counter()
        with st.status(f"Saving dataset '{name}'...", expanded=True) as status:
            bar = st.progress(0.0, text="starting")
            try:
                report = imp.save_dataset(
                    good,
                    name,
                    replace=replace,
                    progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m),
                    preview=preview,
                )
            except importers.ImportProblem as exc:
                status.update(label="Not saved: bad input", state="error", expanded=True)
                view.render_problem(imp.Problem.from_exception(exc))
            except ValueError as exc:
                status.update(label="Not saved", state="error", expanded=True)
                st.error(md_escape(exc), icon=":material/block:")
            except Exception as exc:  # never a traceback for the analyst; details in the log
                log.exception("saving dataset %s failed", name)
                status.update(label="Not saved: the build failed", state="error", expanded=True)
                st.error(
                    f"The build failed ({type(exc).__name__}); nothing stored was changed. "
                    "The details are in the server log.",
                    icon=":material/error:",
                )
            else:
                status.update(label=f"Saved '{name}'", state="complete")
                st.session_state[SAVED_KEY] = {
                    "name": name,
                    "files": signature,
                    "seconds": time.perf_counter() - started,
                    "capabilities": imp.dataset_capabilities(dataset_dir(name)),
                    "replaced": exists,
                }
                _switch_dataset(name)
                st.rerun()

if not uploads:
    st.info(
        "Upload one or more files to see what is recognised and the quality report before "
        "anything is saved. Example: netflix_titles.csv together with Netflix's "
        "all-weeks-global.tsv and an IMDb movie table.",
        icon=":material/upload_file:",
    )

# --- datasets on this server ------------------------------------------------------------------
st.subheader("Datasets on this server")
rows = []
for n in ui.datasets():
    try:
        m = load_manifest(dataset_dir(n))
    except (OSError, ValueError):
        continue
    counts = m.get("rows", {})
    rows.append(
        {
            "dataset": n,
            "kind": m.get("kind", ""),
            "source": m.get("source", ""),
            "built (UTC)": str(m.get("built_at", ""))[:16].replace("T", " "),
            "titles": counts.get("titles"),
            "viewers": counts.get("users"),
            "sessions": counts.get("sessions"),
            "user-title pairs": counts.get("interactions"),
        }
    )
listing = pd.DataFrame(rows)
st.dataframe(
    listing,
    hide_index=True,
    column_config={
        c: st.column_config.NumberColumn(format="localized")
        for c in ("titles", "viewers", "sessions", "user-title pairs")
    },
    placeholder=MISSING,
)

deletable = imp.deletable_datasets()
if deletable:
    with st.expander("Delete an imported dataset", icon=":material/delete:"):
        target = st.selectbox("Imported dataset", deletable, key="import_delete_pick")
        confirm = st.checkbox(
            f"Yes, delete '{md_escape(target)}' and all its layers (this cannot be undone)",
            key="import_delete_confirm",
        )
        if st.button("Delete dataset", disabled=not confirm, key="import_delete"):
            try:
                imp.delete_dataset(target)
            except (OSError, ValueError) as exc:
                st.error(md_escape(exc), icon=":material/error:")
            else:
                if ui.active_name() == target:
                    _switch_dataset(DEMO_NAME)
                if (st.session_state.get(SAVED_KEY) or {}).get("name") == target:
                    st.session_state.pop(SAVED_KEY, None)
                del st.session_state["import_delete_confirm"]
                st.session_state[FLASH_KEY] = f"Deleted dataset '{md_escape(target)}'."
                st.rerun()
else:
    st.caption(f"Only imported datasets can be deleted here; '{DEMO_NAME}' is always kept.")
