"""Import data page: the cached wrappers over :mod:`lib.data.import_plan`.

The logic (inspect uploads, preview the build, save and delete datasets, name checks,
capabilities, the formats table; untrusted bytes only parsed, never executed) lives in
:mod:`lib.data.import_plan`, testable without a browser, and is re-exported here for the page and
the tests; the render helpers are in :mod:`lib.ui.import_views`. Every value shown goes
through ``st.dataframe`` (rendered as text) or :func:`lib.ui.widgets.md_escape`.

Caching: the per-file step is ``st.cache_data`` keyed on file name + SHA-256 of the bytes (the
bytes themselves are not hashed again by Streamlit). The combined preview (import + a full
bronze -> silver -> gold build in a staging folder) shows a progress bar, which a cached
function may not draw; it is therefore computed outside the cache and then stored in a bounded
``st.cache_data`` keyed on the same (name, hash) pairs (:func:`cached_preview`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import streamlit as st

from lib.data import import_plan
from lib.data.import_plan import (  # noqa: F401 (re-exported: __all__ below)
    PAGE_FILES,
    PREVIEW_KEEP,
    PREVIEW_ROWS,
    PREVIEW_TTL_S,
    Capability,
    FileReport,
    ModelsJob,
    Preview,
    Problem,
    capabilities,
    check_name,
    dataset_capabilities,
    deletable_datasets,
    delete_dataset,
    digest,
    discard_models,
    finish_models,
    format_table,
    import_summary,
    inspect_upload,
    models_job,
    preview_import,
    prune_previews,
    replace_refusal,
    save_dataset,
    suggest_name,
)
from lib.data.store import preview_dir  # the tests name the preview folder through this module

__all__ = [*import_plan.__all__, "preview_dir", "cached_inspect", "cached_preview"]


# ------------------------------------------------------------------------------- caching ----
@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def _inspect_cached(name: str, sha256: str, _data: bytes) -> list[FileReport]:
    return inspect_upload(name, _data)


def cached_inspect(name: str, data: bytes, sha256: str | None = None) -> list[FileReport]:
    """:func:`inspect_upload`, cached on (file name, SHA-256 of the bytes)."""
    return _inspect_cached(name, sha256 or digest(data), data)


class _Miss(Exception):
    pass


@st.cache_data(max_entries=6, ttl=3600, show_spinner=False)
def _preview_store(key: tuple, _value: Preview | None = None) -> Preview:
    if _value is None:
        raise _Miss  # exceptions are not cached: the next call with a value stores it
    return _value


def cached_preview(
    files: Sequence[tuple[str, bytes]],
    digests: Sequence[str],
    *,
    progress_area: Any = None,
) -> Preview:
    """:func:`preview_import`, cached on the (name, SHA-256) pairs and today's date.

    On a cache miss the work runs outside the cache with a progress bar drawn in
    ``progress_area`` (a Streamlit container), then the result is stored.
    """
    key = (tuple((n, d) for (n, _), d in zip(files, digests)), dt.date.today().isoformat())
    try:
        return _preview_store(key)
    except _Miss:
        pass
    area = progress_area if progress_area is not None else st.container()
    with area:
        with st.status(
            "Checking the import: building bronze -> silver -> gold in a temporary folder...",
            expanded=True,
        ) as status:
            bar = st.progress(0.0, text="starting")
            result = preview_import(
                files, progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m)
            )
            status.update(
                label=f"Import checked in {result.seconds:.1f} s (nothing saved yet)",
                state="error" if result.problem else "complete",
                expanded=False,
            )
    return _preview_store(key, result)
