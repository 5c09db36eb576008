"""Model artefacts of a dataset: what the model pages show by default, computed by the build.

Layout (inside the dataset folder, beside ``gold/``)::

    models/index.json               one entry per artefact: file, params, versions, seconds
    models/<family>/<name>.parquet  tables (cross-validation results, k scans, projections)
    models/<family>/<name>.json     small documents (chosen hyper-parameters, summaries)
    models/<family>/<name>.npz      arrays (neighbour indexes, labels)
    models/<family>/<name>.joblib   fitted scikit-learn estimators (see the trust rule below)

Each artefact records the parameters it was made with and the library versions
(:func:`versions`). :func:`load` returns ``None`` (the caller recomputes, then may
:func:`save` the result again) when the artefact is missing, was made with other parameters,
or with other library versions - a stale artefact is rebuilt, never half-trusted.

Trust rule: Parquet, JSON and NPZ (``allow_pickle=False``) load no code. A ``.joblib`` file
can run code when loaded, so it is read **only** from a dataset folder under the server's
data root (:func:`lib.config.data_root`), never from a preview build of an upload
(``.previews/``), a staging folder or any other path; :func:`trusted_folder` enforces it.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lib.config import data_root

__all__ = [
    "MODELS",
    "FORMAT",
    "versions",
    "trusted_folder",
    "save",
    "load",
    "entry",
    "index",
]

log = logging.getLogger(__name__)
MODELS = "models"
FORMAT = 1  # bump when the layout of an artefact changes: every stored artefact is then stale
_KINDS = {"parquet", "json", "npz", "joblib"}
_NAME = re.compile(r"[a-z0-9_]+/[a-z0-9_.-]+")
_INDEX = "index.json"
_STAGING = re.compile(r"\.(?:building|old)-\d+-[0-9a-f]+$")


def versions() -> dict[str, str]:
    """Versions of the libraries an artefact depends on (and the artefact format).

    DuckDB is one of them: above a row bound a model is fitted on a sample that DuckDB draws
    with its hash function (``lib.data.model_input``), so another DuckDB may draw other rows.
    """
    import duckdb
    import sklearn

    return {
        "format": str(FORMAT),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scikit-learn": sklearn.__version__,
        "duckdb": duckdb.__version__,
    }


def trusted_folder(folder: str | Path) -> bool:
    """True when ``folder`` is a published dataset folder directly under the data root.

    Preview builds (``<root>/.previews/...``), staging folders (``NAME.building-...``) and
    anything outside the root are not trusted: a ``.joblib`` artefact is never read there.
    """
    try:
        folder = Path(folder).resolve()
        root = data_root().resolve()
    except OSError:
        return False
    return (
        folder.parent == root
        and not folder.name.startswith(".")
        and not _STAGING.search(folder.name)
    )


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise ValueError(f"artefact name {name!r}: expected 'family/name' in lower case")


def _index_path(folder: Path) -> Path:
    return folder / MODELS / _INDEX


def index(folder: str | Path) -> dict[str, dict[str, Any]]:
    """The artefact index of a dataset folder (empty when there is none)."""
    path = _index_path(Path(folder))
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (FileNotFoundError, json.JSONDecodeError, OSError):
        return {}
    return data if isinstance(data, dict) else {}


def _json_safe(params: Mapping[str, Any]) -> dict[str, Any]:
    """Params as they round-trip through JSON (tuples -> lists), for equality with the index."""
    return json.loads(json.dumps(dict(params), sort_keys=True, default=str))


def save(
    folder: str | Path,
    name: str,
    value: Any,
    *,
    params: Mapping[str, Any] | None = None,
    seconds: float | None = None,
) -> Path:
    """Store ``value`` as artefact ``name`` (``family/name``) of the dataset ``folder``.

    The format follows the value: a DataFrame -> Parquet, a dict of numpy arrays -> NPZ, a
    JSON-serialisable dict or list -> JSON, anything else (a fitted estimator) -> joblib. The
    file is written beside its final name and renamed into place, then the index is updated.
    """
    _check_name(name)
    folder = Path(folder)
    if isinstance(value, pd.DataFrame):
        kind = "parquet"
    elif (
        isinstance(value, Mapping)
        and value
        and all(isinstance(v, np.ndarray) for v in value.values())
    ):
        kind = "npz"
    elif isinstance(value, dict | list):
        kind = "json"
    else:
        kind = "joblib"
    path = folder / MODELS / f"{name}.{kind}"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    if kind == "parquet":
        frame = value.copy()
        frame.attrs = {}
        frame.to_parquet(tmp, index=True)
        attrs = _json_safe(value.attrs) if value.attrs else {}
    elif kind == "npz":
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **value)
        attrs = {}
    elif kind == "json":
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(value, fh, sort_keys=True, default=str)
        attrs = {}
    else:
        import joblib

        # uncompressed, so that load can memory-map its arrays (see load)
        joblib.dump(value, tmp, compress=0)
        attrs = {}
    os.replace(tmp, path)
    entry = {
        "file": path.name,
        "kind": kind,
        "params": _json_safe(params or {}),
        "versions": versions(),
        "made_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": None if seconds is None else round(float(seconds), 3),
        "attrs": attrs,
    }
    ipath = _index_path(folder)
    # read-modify-write of the index under a lock: two sessions saving at once keep both
    with open(ipath.with_name(".index.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            idx = index(folder)
            idx[name] = entry
            itmp = ipath.with_name(f".{_INDEX}.{os.getpid()}.{threading.get_ident()}.tmp")
            with open(itmp, "w", encoding="utf-8") as fh:
                json.dump(idx, fh, indent=1, sort_keys=True)
            os.replace(itmp, ipath)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return path


def entry(folder: str | Path, name: str, params: Mapping[str, Any] | None = None) -> dict | None:
    """The index entry of a fresh artefact (same params, same versions), else ``None``."""
    _check_name(name)
    e = index(folder).get(name)
    if not e or e.get("versions") != versions():
        return None
    if params is not None and e.get("params") != _json_safe(params):
        return None
    if not (Path(folder) / MODELS / name).with_name(e.get("file", "")).is_file():
        return None
    return e


def load(folder: str | Path, name: str, params: Mapping[str, Any] | None = None) -> Any:
    """The stored artefact ``name`` when it is fresh for ``params``; ``None`` otherwise.

    ``params=None`` accepts any parameters (versions must still match). A ``.joblib``
    artefact outside a trusted dataset folder (:func:`trusted_folder`) raises
    ``PermissionError``; an unreadable file is logged and reported as missing.
    """
    e = entry(folder, name, params)
    if e is None:
        return None
    path = (Path(folder) / MODELS / name).with_name(e["file"])
    kind = e.get("kind")
    if kind not in _KINDS:
        return None
    if kind == "joblib" and not trusted_folder(folder):
        raise PermissionError(
            f"{path}: fitted models are loaded only from a dataset folder under {data_root()}, "
            "never from a preview or an upload"
        )
    try:
        if kind == "parquet":
            out = pd.read_parquet(path)
            out.attrs.update(e.get("attrs") or {})
            return out
        if kind == "npz":
            with np.load(path, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}
        if kind == "json":
            with open(path, encoding="utf-8") as fh:
                return json.load(fh)
        import joblib

        # arrays memory-mapped read-only: a fitted model's matrices stay in the page cache,
        # shared by every server process, and only the rows a query touches are read (the
        # recommenders' neighbour indexes are 240 MB at scale 100, a lookup reads a few KB)
        return joblib.load(path, mmap_mode="r")
    except Exception as exc:  # a damaged artefact is rebuilt, never fatal
        log.warning("artefact %s unreadable (%s): it will be recomputed", path, exc)
        return None
