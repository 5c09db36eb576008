"""The Import data page's logic without streamlit: inspect uploads, preview the build, save
and delete datasets, name checks, what each page can show of a dataset, the formats table.

Every function works on ``(name, bytes)`` pairs and dataset folders; ``lib.ui.importing``
re-exports them beside its cached wrappers, and ``lib.ui.import_views`` draws the results.

Uploaded bytes are untrusted: they are only decoded as text and parsed as CSV by
:mod:`lib.data.importers` (never executed, never unpickled). Bad input is reported as
:class:`Problem` (from :class:`lib.data.importers.ImportProblem`), never as a traceback.

Preview once, save by renaming: the preview's build goes into a staging folder under the data
root (``.previews/<host>-<pid>-<token>``, never listed as a dataset); Save promotes that folder
into ``data/<name>`` with renames (:func:`lib.data.store.promote_dataset`), so nothing is built
twice. Previews of this process beyond the newest ``PREVIEW_KEEP`` or older than
``PREVIEW_TTL_S``, and staging folders whose process is gone, are removed at the next preview.
A dataset is never replaced by a build with no usable titles.

The preview shows once the data layers are built; the build's models step (what the model
pages show by default, minutes on a real catalog) then runs in a background thread of the
server into the same staging folder (:func:`models_job`), while the analyst reads the
preview. Save waits for it, with progress, then promotes: the saved dataset is the same as a
build with its models step (after a server restart the step runs at Save instead).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from lib.config import DEMO_NAME, Progress, dataset_dir, slug
from lib.data import importers
from lib.data.store import (
    list_datasets,
    load_manifest,
    load_report,
    preview_dir,
    promote_dataset,
    read_tables,
    remove_stale_staging,
    write_json,
)

__all__ = [
    "Problem",
    "FileReport",
    "Preview",
    "Capability",
    "PREVIEW_ROWS",
    "digest",
    "inspect_upload",
    "preview_import",
    "save_dataset",
    "delete_dataset",
    "check_name",
    "suggest_name",
    "capabilities",
    "dataset_capabilities",
    "format_table",
    "import_summary",
    "deletable_datasets",
    "PAGE_FILES",
    "PREVIEW_KEEP",
    "PREVIEW_TTL_S",
    "replace_refusal",
    "prune_previews",
    "ModelsJob",
    "models_job",
    "finish_models",
    "discard_models",
]

log = logging.getLogger(__name__)

PREVIEW_ROWS = 10
"""Rows of each file shown in its preview."""
PREVIEW_KEEP = 6
"""Preview builds this process keeps for Save (the size of the preview cache)."""
PREVIEW_TTL_S = 3600
"""Age after which a preview build is removed (the preview cache's ttl)."""
_RESERVED = (".building-", ".old-")


def _noop(_f: float, _m: str) -> None:
    return None


# ------------------------------------------------------------------------------ results ----
@dataclass(frozen=True)
class Problem:
    """Why a file (or the combined import) cannot be imported; ``message`` names everything."""

    message: str
    kind: str = "other"
    file: str | None = None
    column: str | None = None
    row: int | None = None
    line: int | None = None
    value: str | None = None
    expected: str | None = None

    @classmethod
    def from_exception(cls, exc: BaseException, file: str | None = None) -> Problem:
        if isinstance(exc, importers.ImportProblem):
            return cls(
                message=str(exc),
                kind=exc.kind,
                file=exc.file or file,
                column=exc.column,
                row=exc.row,
                line=exc.line,
                value=exc.value,
                expected=exc.expected,
            )
        # anything else is a bug in an importer; the analyst still gets a clear message
        log.exception("unexpected error while importing %s", file)
        what = f"{file}: " if file else ""
        return cls(
            message=f"{what}could not be read ({type(exc).__name__}). The file may be damaged "
            "or in an unsupported format; the details are in the server log.",
            kind="other",
            file=file,
        )

    @classmethod
    def from_build_error(cls, exc: BaseException, files: Sequence[str]) -> Problem:
        """A build that failed on files the importer accepted: the app's fault, not theirs."""
        log.error("building the import of %s failed", ", ".join(files), exc_info=exc)
        return cls(
            message=f"The files were read and are valid, but building the dataset from them "
            f"failed ({type(exc).__name__}: {str(exc)[:200]}). This is a problem in the app, "
            "not in your files; nothing was stored. The details are in the server log.",
            kind="build",
        )


@dataclass
class FileReport:
    """What the importer found in one uploaded file (or one member of an uploaded zip)."""

    upload: str
    name: str
    size_bytes: int
    format: str | None = None
    description: str | None = None
    encoding: str | None = None
    rows: int | None = None
    columns: list[str] = field(default_factory=list)
    delimiter: str | None = None
    preview: pd.DataFrame | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    problem: Problem | None = None
    sheets: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class Capability:
    """Whether one page can use a dataset: ``status`` is "yes", "partly" or "no"."""

    page: str
    title: str
    status: str
    reason: str


@dataclass
class Preview:
    """The combined import and the quality report a build would produce (nothing saved)."""

    files: list[str]
    tables: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    join_report: dict[str, dict[str, Any]] = field(default_factory=dict)
    report: dict[str, Any] | None = None
    capabilities: list[Capability] = field(default_factory=list)
    problem: Problem | None = None
    seconds: float = 0.0
    folder: str | None = None
    titles: int | None = None

    def kept(self) -> bool:
        """True while the preview's build is still there to be promoted by Save."""
        return self.folder is not None and (Path(self.folder) / "manifest.json").is_file()


# ------------------------------------------------------------------------ pure functions ----
def digest(data: bytes) -> str:
    """SHA-256 hex digest of ``data`` (the cache key of an upload, with its name)."""
    return hashlib.sha256(data).hexdigest()


def inspect_upload(name: str, data: bytes, *, preview_rows: int = PREVIEW_ROWS) -> list[FileReport]:
    """Sniff one upload: one report per file (a zip archive gives one per data member).

    Never raises for bad input: a problem is returned in ``FileReport.problem``.
    """
    notes: list[str] = []
    try:
        members = importers.read_upload(name, data, notes=notes)
    except Exception as exc:  # ImportProblem, or an importer bug: both become a Problem
        return [
            FileReport(
                upload=name,
                name=name,
                size_bytes=len(data),
                problem=Problem.from_exception(exc, name),
            )
        ]
    reports = []
    for i, (member, content) in enumerate(members):
        # notes about the archive itself (skipped members) go with its first file
        rep = FileReport(
            upload=name, name=member, size_bytes=len(content), notes=list(notes) if i == 0 else []
        )
        try:
            det = importers.sniff(member, content)
        except Exception as exc:
            rep.problem = Problem.from_exception(exc, member)
        else:
            rep.format = det.format
            rep.description = importers.FORMATS.get(det.format, "")
            rep.encoding = det.encoding
            rep.rows = det.rows
            rep.columns = list(det.columns)
            rep.delimiter = det.delimiter
            rep.preview = det.frame.head(preview_rows).reset_index(drop=True)
            rep.mapping = dict(det.mapping)
            rep.sheets = dict(det.sheets)
            rep.notes += det.notes
        reports.append(rep)
    return reports


def import_summary(result: importers.ImportResult) -> dict[str, Any]:
    """What was imported, as stored in the manifest (:func:`lib.data.importers.import_summary`)."""
    return importers.import_summary(result)


def _source_label(files: Sequence[tuple[str, bytes]]) -> str:
    names = [n for n, _ in files]
    label = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
    return f"upload: {label}"


def _scaled(progress: Progress, lo: float, hi: float) -> Progress:
    return lambda f, m: progress(lo + (hi - lo) * min(max(f, 0.0), 1.0), m)


def prune_previews(root: Path | None = None, *, keep: int = PREVIEW_KEEP) -> list[Path]:
    """Remove stale staging folders, and this process's previews beyond ``keep`` or too old."""
    removed = remove_stale_staging(root)
    folder = Path(preview_dir(root)).parent
    mine = f"-{os.getpid()}-"
    own = sorted(
        (p for p in folder.iterdir() if mine in p.name and p.is_dir()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    now = time.time()
    with _JOBS_LOCK:
        busy = {k for k, j in _JOBS.items() if j.future is not None and j.future.running()}
    for i, p in enumerate(own):
        if str(p) in busy:  # its models step is still writing into it
            continue
        if i >= keep or now - p.stat().st_mtime > PREVIEW_TTL_S:
            discard_models(p)  # a queued step of it (a running one is kept above)
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def _build(
    result: importers.ImportResult,
    files: Sequence[tuple[str, bytes]],
    progress: Progress,
    *,
    models: bool = True,
) -> tuple[Path, dict[str, Any]]:
    """Build an import into a new preview folder; return the folder and its report.
    ``models=False``: the data layers only (the preview starts the models step apart)."""
    folder = preview_dir()
    report = importers.build_import(
        result,
        data_dir=folder,
        name="preview",
        source=_source_label(files),
        progress=_scaled(progress, 0.15, 0.92),
        models=models,
    )
    return folder, report


# ------------------------------------------------------------- a preview's models step ----
@dataclass
class ModelsJob:
    """The models step of one preview build, running in the server's background thread."""

    folder: str
    future: Future | None = None
    fraction: float = 0.0
    message: str = "waiting to start"
    started: float = field(default_factory=time.perf_counter)
    stop: threading.Event = field(default_factory=threading.Event)

    def done(self) -> bool:
        return self.future is not None and self.future.done()

    def progress(self, fraction: float, message: str) -> None:
        if self.stop.is_set():  # raised inside the step: it ends at its next progress call
            raise _Discarded(f"the preview {Path(self.folder).name} was discarded")
        self.fraction, self.message = min(max(fraction, 0.0), 1.0), message

    def discard(self) -> None:
        """Stop this step: dropped from the queue, or ended at its next progress call."""
        self.stop.set()
        if self.future is not None:
            self.future.cancel()


class _Discarded(RuntimeError):
    pass


_JOBS: dict[str, ModelsJob] = {}
_JOBS_LOCK = threading.Lock()
_POOL: ThreadPoolExecutor | None = None


def _start_models(folder: Path) -> ModelsJob:
    """Run the models step of the preview build at ``folder`` in the background (one at a
    time: the steps of several previews queue)."""
    global _POOL
    from lib.data.pipeline.models import build_models

    key = str(folder)
    with _JOBS_LOCK:
        if key in _JOBS:
            return _JOBS[key]
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="preview-models")
        job = ModelsJob(key)
        _JOBS[key] = job

        def run() -> dict[str, Any]:
            job.started = time.perf_counter()
            return build_models(folder, job.progress)

        job.future = _POOL.submit(run)
    return job


def models_job(folder: str | Path | None) -> ModelsJob | None:
    """The background models step of the preview build at ``folder`` (None: none started by
    this server process)."""
    if folder is None:
        return None
    with _JOBS_LOCK:
        return _JOBS.get(str(folder))


def discard_models(folder: str | Path | None = None, *, wait: float = 0.0) -> None:
    """Stop the background models step of the preview at ``folder`` (every one when None),
    waiting up to ``wait`` seconds for a running one to end."""
    with _JOBS_LOCK:
        jobs = [j for k, j in _JOBS.items() if folder is None or k == str(folder)]
        for j in jobs:
            _JOBS.pop(j.folder, None)
    for j in jobs:
        j.discard()
    deadline = time.perf_counter() + wait
    for j in jobs:
        if j.future is not None and not j.future.done():
            try:
                j.future.exception(timeout=max(deadline - time.perf_counter(), 0.0))
            except (FutureTimeout, CancelledError):
                pass


def finish_models(folder: str | Path, progress: Progress | None = None) -> dict[str, Any]:
    """Wait for the models step of the preview build at ``folder`` (run it here when this
    process started none, e.g. after a restart, or when its models are already recorded:
    then nothing), record it in the build's ``report.json`` and return its summary."""
    progress = progress or _noop
    folder = Path(folder)
    report = load_report(folder)
    if "models" in report:
        return report["models"]
    job = models_job(folder)
    summary: dict[str, Any] | None = None
    if job is not None and job.future is not None:
        while True:
            try:
                summary = job.future.result(timeout=0.25)
                break
            except FutureTimeout:
                progress(job.fraction, job.message)
            except Exception:  # discarded or failed in the background: run it here
                log.warning("background models step of %s did not finish", folder, exc_info=True)
                break
        with _JOBS_LOCK:
            _JOBS.pop(str(folder), None)
    if summary is None:
        from lib.data.pipeline.models import build_models

        summary = build_models(folder, progress)
    seconds = sum(float(v.get("seconds") or 0) for v in summary.values())
    report = {
        **report,
        "models": summary,
        "build_seconds": round(float(report.get("build_seconds") or 0) + seconds, 2),
    }
    write_json(folder / "report.json", report)
    return summary


def preview_import(
    files: Sequence[tuple[str, bytes]], *, progress: Progress | None = None
) -> Preview:
    """Import ``files`` together and build bronze -> silver -> gold into a preview folder.

    Returns the join report, notes, the quality report and what each page can do with the
    result; the build stays in ``Preview.folder`` for :func:`save_dataset` to promote. No
    dataset under the data root is created or changed. Never raises for bad input: a file
    the importer refuses is named in ``Preview.problem``; a build that fails on accepted files
    is reported as the app's problem (kind "build"), never blamed on a file.
    """
    progress = progress or _noop
    t0 = time.perf_counter()
    names = [n for n, _ in files]
    out = Preview(files=names)
    prune_previews()
    try:
        progress(0.02, f"importing {len(files)} file(s) together")
        result = importers.load_files(files)
    except Exception as exc:
        out.problem = Problem.from_exception(exc, names[0] if len(names) == 1 else None)
        out.seconds = time.perf_counter() - t0
        return out
    out.tables = {k: len(v) for k, v in result.tables.items()}
    out.notes = list(result.notes)
    out.join_report = dict(result.join_report)
    try:
        folder, out.report = _build(result, files, progress, models=False)
        progress(0.95, "checking what each page can do with this data")
        out.capabilities = dataset_capabilities(folder)
    except Exception as exc:
        out.problem = Problem.from_build_error(exc, names)
    else:
        out.folder = str(folder)
        out.titles = int(out.report.get("gold", {}).get("titles", {}).get("rows", 0))
        _start_models(folder)  # while the analyst reads the preview; Save waits for it
    out.seconds = time.perf_counter() - t0
    progress(1.0, f"done in {out.seconds:.1f} s")
    return out


def replace_refusal(titles: int | None, name: str, exists: bool) -> str | None:
    """Why saving may not replace dataset ``name``: a build without usable titles never does."""
    if exists and titles == 0:
        return (
            f"This import has no usable titles (0 titles after cleaning; see the quality "
            f"report), so it may not replace the dataset '{name}'. Save it under a new name, "
            "or add or fix the titles file."
        )
    return None


def check_name(name: str, existing: Sequence[str] | None = None) -> tuple[str | None, bool]:
    """Validate a dataset name: ``(error message or None, a dataset of that name exists)``."""
    name = (name or "").strip()
    if not name:
        return "Enter a name for the dataset.", False
    try:
        folder = dataset_dir(name)
    except ValueError as exc:
        return f"{exc}.", False
    if name.casefold() == DEMO_NAME:
        return (
            f"'{DEMO_NAME}' is the built-in demo dataset and cannot be replaced; "
            "choose another name.",
            True,
        )
    if any(r in name for r in _RESERVED):
        return "Names containing '.building-' or '.old-' are reserved for the build.", False
    existing = list_datasets() if existing is None else existing
    return None, name in existing or folder.exists()


def suggest_name(file_names: Sequence[str], existing: Sequence[str] = ()) -> str:
    """A valid, unused dataset name from the first uploaded file's name."""
    stem = PurePosixPath(file_names[0]).stem if file_names else ""
    base = slug(stem)[:48] or "imported"
    if base == DEMO_NAME:
        base = "demo_import"
    name, i = base, 2
    while name in existing or check_name(name, existing)[0]:
        name, i = f"{base}_{i}", i + 1
    return name


def save_dataset(
    files: Sequence[tuple[str, bytes]],
    name: str,
    *,
    replace: bool = False,
    progress: Progress | None = None,
    preview: Preview | None = None,
) -> dict[str, Any]:
    """Save ``files`` as the dataset ``data/<name>`` and return its quality report.

    With a ``preview`` whose build is still kept (:meth:`Preview.kept`), that build is promoted
    by renames (no second import or build); otherwise the files are imported and built into a
    new preview folder first. Either way the dataset appears atomically.

    Raises
    ------
    ValueError
        Bad name, the demo's name, a dataset of that name exists and ``replace`` is False, or
        the build has no usable titles and would replace a dataset.
    lib.data.importers.ImportProblem
        Bad input. In every failure case nothing stored is changed.
    """
    progress = progress or _noop
    name = (name or "").strip()
    error, exists = check_name(name)
    if error:
        raise ValueError(error)
    if exists and not replace:
        raise ValueError(f"a dataset named '{name}' already exists; confirm replacing it")
    if preview is not None and preview.kept():
        folder = Path(preview.folder)  # type: ignore[arg-type]
        finish_models(folder, _scaled(progress, 0.02, 0.9))
        progress(0.92, "promoting the checked build (no rebuild)")
    else:
        progress(0.02, f"importing {len(files)} file(s)")
        result = importers.load_files(files)
        prune_previews()
        folder, _ = _build(result, files, progress)
    try:
        manifest = load_manifest(folder)
        refusal = replace_refusal(int(manifest.get("rows", {}).get("titles", 0)), name, exists)
        if refusal:
            raise ValueError(refusal)
        report = load_report(folder)
        write_json(folder / "manifest.json", {**manifest, "name": name})
        report = {**report, "dataset": name}
        write_json(folder / "report.json", report)
        promote_dataset(folder, dataset_dir(name), replace=replace)
    except BaseException:
        if preview is None or Path(preview.folder or "") != folder:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    progress(1.0, f"saved '{name}'")
    return report


def deletable_datasets(names: Sequence[str] | None = None) -> list[str]:
    """Datasets the page may delete: imported ones (manifest kind "import"), never the demo."""
    out = []
    for n in list_datasets() if names is None else names:
        if n == DEMO_NAME:
            continue
        try:
            kind = load_manifest(dataset_dir(n)).get("kind")
        except (OSError, ValueError):
            continue
        if kind == "import":
            out.append(n)
    return out


def delete_dataset(name: str) -> None:
    """Delete an imported dataset: renamed away first (atomic for readers), then removed."""
    if name == DEMO_NAME:
        raise ValueError(f"'{DEMO_NAME}' is the built-in demo dataset and cannot be deleted")
    folder = dataset_dir(name)
    if name not in deletable_datasets([name]):
        raise ValueError(f"'{name}' is not an imported dataset; it cannot be deleted here")
    trash = folder.with_name(f"{folder.name}.old-delete-{uuid.uuid4().hex[:8]}")
    os.replace(folder, trash)
    shutil.rmtree(trash, ignore_errors=True)
    log.info("dataset %s deleted", name)


# --------------------------------------------------------------------------- capabilities ----
_CAPABILITY_TABLES = ("titles", "sessions", "interactions", "users", "top10_training")
PAGE_FILES = {
    "overview": "pages/overview.py",
    "catalog": "pages/catalog.py",
    "engagement": "pages/engagement.py",
    "recommender": "pages/recommender.py",
    "clusters": "pages/clusters.py",
    "top10": "pages/top10.py",
}
_MIN_PER_CLASS = 10  # lib.models.top10 needs 10 titles of each class to train and evaluate
_MIN_ROWS_TO_CLUSTER = 10


def dataset_capabilities(folder: str | Path) -> list[Capability]:
    """:func:`capabilities` of the dataset built in ``folder`` (reads only the gold it needs)."""
    gold = Path(folder) / "gold"
    names = [n for n in _CAPABILITY_TABLES if (gold / f"{n}.parquet").is_file()]
    return capabilities(read_tables(gold, names))


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _any(df: pd.DataFrame, col: str) -> bool:
    return col in df.columns and bool(df[col].notna().any())


_TITLES = {
    "overview": "Overview",
    "catalog": "Catalog",
    "engagement": "Engagement",
    "recommender": "Recommender",
    "clusters": "Cluster explorer",
    "top10": "Top 10 predictor",
}


def capabilities(gold: dict[str, pd.DataFrame]) -> list[Capability]:
    """Which analysis pages can use a dataset, and why (plain words with numbers).

    ``gold`` needs the gold tables titles, sessions, interactions, users and top10_training
    (missing ones count as empty).
    """
    empty = pd.DataFrame()
    titles = gold.get("titles", empty)
    sessions = gold.get("sessions", empty)
    inter = gold.get("interactions", empty)
    users = gold.get("users", empty)
    top10 = gold.get("top10_training", empty)
    found = {
        "overview": _overview(titles, sessions),
        "catalog": _catalog(titles),
        "engagement": _engagement(sessions),
        "recommender": _recommender(titles, inter, sessions),
        "clusters": _clusters(users, titles),
        "top10": _top10(top10),
    }
    return [
        Capability(page, _TITLES[page], *status_reason) for page, status_reason in found.items()
    ]


# each page's (status, reason): "yes", "partly" or "no", and why in plain words with numbers
def _overview(titles: pd.DataFrame, sessions: pd.DataFrame) -> tuple[str, str]:
    n_titles, n_sessions = len(titles), len(sessions)
    if n_titles and n_sessions:
        return ("yes", "KPI tiles, viewing trend and the data quality scorecard.")
    elif n_titles:
        return (
            "partly",
            "Catalog KPIs and the quality scorecard; the viewing trend needs watch history, "
            "which this dataset does not have.",
        )
    else:
        return ("partly", "Only the quality scorecard: this dataset has no titles.")


def _catalog(titles: pd.DataFrame) -> tuple[str, str]:
    n_titles = len(titles)
    if not n_titles:
        return ("no", "Catalog needs titles; this dataset has none.")
    elif _any(titles, "imdb_rating") or _any(titles, "avg_user_rating"):
        return ("yes", _n(n_titles, "title") + ".")
    else:
        return (
            "partly",
            f"{_n(n_titles, 'title')}; rating charts need IMDb ratings or user ratings, and this "
            "dataset has neither.",
        )


def _engagement(sessions: pd.DataFrame) -> tuple[str, str]:
    n_sessions = len(sessions)
    if not n_sessions:
        return (
            "no",
            "Engagement needs watch history (viewing sessions) with a device column; this "
            "dataset has none.",
        )
    elif not _any(sessions, "device_type"):
        return (
            "partly",
            f"{n_sessions:,} viewing sessions, but device charts need a device column; this "
            "dataset has none.",
        )
    else:
        return ("yes", f"{n_sessions:,} viewing sessions with devices.")


def _recommender(
    titles: pd.DataFrame, inter: pd.DataFrame, sessions: pd.DataFrame
) -> tuple[str, str]:
    n_titles, n_inter, n_sessions = len(titles), len(inter), len(sessions)
    content = n_titles >= 2 and any(_any(titles, c) for c in ("genres", "description", "cast"))
    collab = n_inter > 0 and inter["user_id"].nunique() >= 2
    what = "user ratings" if not n_sessions else "user-title ratings and sessions"
    if content and collab:
        return (
            "yes",
            f"content similarity over {n_titles:,} titles and collaborative filtering from "
            f"{n_inter:,} {what}.",
        )
    elif content:
        return (
            "partly",
            f"content similarity over {n_titles:,} titles only; collaborative recommendations "
            "need user ratings or viewing sessions, which this dataset does not have.",
        )
    elif collab:
        return (
            "partly",
            f"collaborative filtering from {n_inter:,} {what} only; content similarity needs "
            "titles with genres, cast or descriptions.",
        )
    else:
        return (
            "no",
            "Recommender needs titles (content similarity) and user ratings or viewing "
            "sessions (collaborative); this dataset has neither.",
        )


def _clusters(users: pd.DataFrame, titles: pd.DataFrame) -> tuple[str, str]:
    n_users, n_titles = len(users), len(titles)
    viewers, titled = n_users >= _MIN_ROWS_TO_CLUSTER, n_titles >= _MIN_ROWS_TO_CLUSTER
    if viewers and titled:
        return ("yes", f"{n_users:,} viewers and {n_titles:,} titles to cluster.")
    elif titled:
        return (
            "partly",
            f"{n_titles:,} titles to cluster; viewer clusters need viewers (watch history or "
            "ratings), which this dataset does not have.",
        )
    elif viewers:
        return ("partly", f"{n_users:,} viewers to cluster; too few titles to cluster.")
    else:
        return (
            "no",
            f"Cluster explorer needs at least {_MIN_ROWS_TO_CLUSTER} viewers or titles; this "
            "dataset has fewer.",
        )


def _top10(top10: pd.DataFrame) -> tuple[str, str]:
    label = pd.to_numeric(top10.get("in_top10", pd.Series(dtype=float)), errors="coerce")
    pos, neg = int((label == 1).sum()), int((label == 0).sum())
    if pos >= _MIN_PER_CLASS and neg >= _MIN_PER_CLASS:
        return ("yes", f"{pos:,} titles in the Top 10 and {neg:,} not.")
    elif pos:
        return (
            "no",
            f"only {pos:,} titles in the Top 10 and {neg:,} not: a model needs at least "
            f"{_MIN_PER_CLASS} of each to train and evaluate.",
        )
    else:
        return (
            "no",
            "Top 10 predictor needs Top 10 labels (Netflix Top 10 files or an IMDb table with "
            "netflix_top_10); this dataset has none.",
        )


def format_table() -> pd.DataFrame:
    """Supported formats with the columns they need (detected from the content, not the name)."""
    rows = []
    for fmt in importers.REGISTRY:
        required = ", ".join(fmt.required)
        if fmt.headerless:
            required = "no header line; fields: " + required
        elif fmt.container == "workbook":
            required = "an .xlsx workbook whose sheets have the columns: " + required
        rows.append(
            {
                "format": fmt.name,
                "what it is": fmt.description,
                "required columns": required,
                "optional columns": ", ".join(fmt.optional),
            }
        )
    return pd.DataFrame(rows)
