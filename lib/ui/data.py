"""Active dataset, cached gold tables, first-start demo build.

Gold tables are cached with ``st.cache_resource`` (one shared, read-only copy per server
process) rather than ``st.cache_data`` (which hands every rerun a fresh unpickled copy): at
scale 10 the copy alone would cost more than the page's whole time budget. Callers must
treat returned frames as read-only (filter with boolean masks, never assign in place).
Caches are bounded with ``max_entries`` and keyed by the dataset's build stamp, so a
rebuild or a new import is picked up without a restart.
"""

from __future__ import annotations

import fcntl
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from lib.config import DEMO_NAME, data_root, dataset_dir
from lib.data.store import list_datasets, load_manifest, load_report

if TYPE_CHECKING:  # imported where used: the landing page's first run reads JSON only
    import pandas as pd

    from lib.data import model_input

__all__ = [
    "DATASET_KEY",
    "PICKER_PILLS_MAX",
    "pills_fit",
    "active_name",
    "active_dir",
    "table",
    "model_table",
    "gold",
    "manifest",
    "report",
    "ensure_demo",
    "datasets",
    "overview",
]

log = logging.getLogger(__name__)
DATASET_KEY = "ds"
PICKER_PILLS_MAX = 6  # the sidebar's dataset picker: pills up to this many datasets


# an underscore that could open or close Markdown emphasis: not between two letters or digits
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def pills_fit(names: list[str]) -> bool:
    """Whether the dataset picker can be pills: a few names (``PICKER_PILLS_MAX``), each
    shown as typed. A pill's label is Markdown; names are ``[A-Za-z0-9][A-Za-z0-9_.-]*``
    (``lib.config.dataset_dir``), of which only an underscore next to ``.``, ``-`` or the end
    can format (``a._b_`` would show an italic ``b``). Escaping it in the label would also
    change the ``?ds=`` the picker writes into the URL, so such a list is a selectbox."""
    return len(names) <= PICKER_PILLS_MAX and not any(_EMPHASIS_UNDERSCORE.search(n) for n in names)


def datasets() -> list[str]:
    """Names of the complete datasets under the data root (demo first)."""
    return list_datasets()


def active_name() -> str:
    """The dataset chosen in the sidebar (URL ``?ds=``), else the demo, else the first one."""
    names = datasets()
    chosen = st.session_state.get(DATASET_KEY) or st.query_params.get(DATASET_KEY)
    if chosen in names:
        return chosen
    if DEMO_NAME in names:
        return DEMO_NAME
    return names[0] if names else DEMO_NAME


def active_dir() -> Path:
    return dataset_dir(active_name())


def _stamp(folder: Path) -> str:
    try:
        return str((folder / "manifest.json").stat().st_mtime_ns)
    except FileNotFoundError:
        return "missing"


@st.cache_resource(max_entries=40, show_spinner=False)
def _read_table(
    folder: str, stamp: str, name: str, columns: tuple[str, ...] | None = None
) -> pd.DataFrame:
    import pandas as pd

    path = Path(folder) / "gold" / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"dataset has no gold table {name!r} ({path})")
    return pd.read_parquet(path, columns=list(columns) if columns is not None else None)


def table(
    name: str, dataset: str | None = None, *, columns: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """One gold table of the active (or given) dataset, or only its ``columns`` (a users
    table of a million viewers is hundreds of MB whole, a few MB per column). Read-only: do
    not modify in place."""
    folder = dataset_dir(dataset) if dataset else active_dir()
    return _read_table(str(folder), _stamp(folder), name, columns)


@st.cache_resource(max_entries=8, show_spinner=False)
def _read_model_input(
    folder: str, stamp: str, name: str, bound: int
) -> tuple[pd.DataFrame, model_input.Sample]:
    from lib.data import model_input

    return model_input.read(folder, name)


def model_table(name: str, dataset: str | None = None) -> tuple[pd.DataFrame, model_input.Sample]:
    """What a model page fits on: the gold table ``name`` whole, or a seeded sample of it
    when it is above its row bound (:mod:`lib.data.model_input`), with a description of which.
    Read-only, like :func:`table`."""
    from lib.data import model_input

    folder = dataset_dir(dataset) if dataset else active_dir()
    stamp, bound = _stamp(folder), model_input.bound(name)
    if model_input.fits(folder, name):  # whole: the page's cached copy, not a second one
        return _read_table(str(folder), stamp, name, None), _whole_plan(
            str(folder), stamp, name, bound
        )
    return _read_model_input(str(folder), stamp, name, bound)


@st.cache_resource(max_entries=16, show_spinner=False)
def _whole_plan(folder: str, stamp: str, name: str, bound: int) -> model_input.Sample:
    from lib.data import model_input

    return model_input.plan(folder, name)


def gold(names: list[str] | None = None, dataset: str | None = None) -> dict[str, pd.DataFrame]:
    """Several gold tables at once (all of them when ``names`` is None)."""
    folder = dataset_dir(dataset) if dataset else active_dir()
    if names is None:
        names = sorted(p.stem for p in (folder / "gold").glob("*.parquet"))
    return {n: table(n, dataset) for n in names}


@st.cache_data(max_entries=20, show_spinner=False)
def _read_json(folder: str, stamp: str, which: str) -> dict[str, Any]:
    return load_manifest(folder) if which == "manifest" else load_report(folder)


def manifest(dataset: str | None = None) -> dict[str, Any]:
    folder = dataset_dir(dataset) if dataset else active_dir()
    return _read_json(str(folder), _stamp(folder), "manifest")


def report(dataset: str | None = None) -> dict[str, Any]:
    folder = dataset_dir(dataset) if dataset else active_dir()
    return _read_json(str(folder), _stamp(folder), "report")


@st.cache_data(max_entries=20, show_spinner="Computing the overview's figures (once per dataset)")
def _overview(folder: str, stamp: str) -> dict[str, Any]:
    from lib.data.overview import overview_numbers

    kpis = load_report(folder).get("kpis")
    if kpis is None:  # a dataset built before the build computed them: one query
        from lib.data.session_query import SessionQuery

        kpis = {"mean_progress": SessionQuery(folder).summary().get("progress")}
    return overview_numbers(folder, kpis)


def overview(
    dataset: str | None = None, *, quality: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The Overview's figures (:mod:`lib.data.overview`): stored by the build in
    ``report.json`` (``quality``: that report when the caller has read it already); for a
    dataset built before that, computed once from its gold tables."""
    from lib.data.overview import VERSION

    stored = (quality if quality is not None else report(dataset)).get("overview")
    if stored and stored.get("version") == VERSION:
        return stored
    folder = dataset_dir(dataset) if dataset else active_dir()
    return _overview(str(folder), _stamp(folder))


def ensure_demo() -> None:
    """Build the demo dataset on first start (no dataset yet), with visible progress.

    A file lock makes concurrent first sessions wait for one build instead of racing.
    """
    if datasets():
        return
    root = data_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".build.lock", "w") as lock:
        with st.status("First start: building the demo dataset...", expanded=True) as status:
            st.write(
                "Generating 10,300 viewers, 1,040 titles and 105,000 viewing sessions, "
                "cleaning them (bronze -> silver -> gold), then fitting what the model pages "
                "show by default (Top 10 models, clusters, recommenders and their evaluation), "
                "so that every page opens at once afterwards. This takes about a minute on a "
                "2-core machine and happens once."
            )
            bar = st.progress(0.0, text="waiting for another session's build to finish")
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if not datasets():
                    from lib.data.pipeline import build

                    build(
                        scale=1,
                        seed=0,
                        data_dir=dataset_dir(DEMO_NAME),
                        progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m),
                    )
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
            status.update(label="Demo dataset ready", state="complete", expanded=False)
