"""Read and write the layers of a dataset: Parquet files, written atomically.

Layout of one dataset folder (``data/<name>/``)::

    manifest.json            name, source, scale, seed, build time, row counts
    report.json              the quality report of the last successful build
    bronze/<table>.parquet   raw tables as received + ingestion metadata (a folder of parts)
    silver/<table>.parquet   typed, deduplicated, validated tables
    silver/rejects.parquet/  every removed row with its table and reason (a part per table)
    gold/<table>.parquet     analysis-ready tables (see lib.config.GOLD_SCHEMA)
    truth/<table>.parquet    demo data only: the generator's latent truth (for tests)

A table is one Parquet file, or a folder of part files (bronze, and every layer a Spark
build writes); readers accept both. A build writes a complete new folder beside the old one
and swaps it in with renames, so a failed build leaves the previous good dataset untouched.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lib.config import GOLD_SCHEMA, data_root

# pandas and pyarrow are imported where used: listing datasets and reading their JSON (what
# the landing page's first run does) needs neither
if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LAYERS",
    "write_tables",
    "read_tables",
    "load_gold",
    "load_layer",
    "load_report",
    "load_manifest",
    "list_datasets",
    "atomic_dataset",
    "remove_stale_staging",
    "has_gold",
    "gold_path",
    "PREVIEWS",
    "preview_dir",
    "promote_dataset",
]

log = logging.getLogger(__name__)
LAYERS = ("bronze", "silver", "gold", "truth")


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(table, path, compression="zstd", write_statistics=True)


def write_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Write each DataFrame to ``folder/<name>.parquet`` (deterministic bytes for equal input)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        _write_parquet(df, folder / f"{name}.parquet")


def read_tables(folder: Path, names: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """Read ``folder/*.parquet`` (or just ``names``) into a dict of DataFrames."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no data layer at {folder}")
    files = sorted(folder.glob("*.parquet"))
    if names is not None:
        files = [folder / f"{n}.parquet" for n in names]
    return {f.stem: _read(f, _categories(folder.name, f.stem)) for f in files}


def _categories(layer: str, table: str) -> list[str]:
    if layer != "gold":
        return []
    return [c for c, k in GOLD_SCHEMA.get(table, {}).items() if k == "category"]


def _read(path: Path, categories: list[str]) -> pd.DataFrame:
    """One table (a file or a folder of parts); ``categories`` come back as categoricals."""
    import pandas as pd
    import pyarrow.parquet as pq

    df = pq.read_table(path).to_pandas()
    for c in categories:
        if c in df.columns and not isinstance(df[c].dtype, pd.CategoricalDtype):
            df[c] = df[c].astype("category")
    return df


def gold_path(data_dir: str | Path, table: str) -> Path:
    """Where a dataset keeps a gold table (a Parquet file or a folder of part files)."""
    return Path(data_dir) / "gold" / f"{table}.parquet"


def load_layer(data_dir: str | Path, layer: str) -> dict[str, pd.DataFrame]:
    """All tables of one layer (``bronze``, ``silver``, ``gold`` or ``truth``) of a dataset."""
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; expected one of {LAYERS}")
    return read_tables(Path(data_dir) / layer)


def load_gold(data_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Gold tables of a dataset: mapping table name -> DataFrame.

    ``data_dir`` defaults to the demo dataset (``data/demo``).
    """
    data_dir = Path(data_dir) if data_dir is not None else data_root() / "demo"
    if not has_gold(data_dir):
        raise FileNotFoundError(
            f"no gold layer in {data_dir}: build it first "
            f"(python -m lib.data.pipeline build --data-dir {data_dir})"
        )
    return load_layer(data_dir, "gold")


def has_gold(data_dir: str | Path) -> bool:
    """True when ``data_dir`` holds a complete build (manifest and gold layer)."""
    d = Path(data_dir)
    return (d / "manifest.json").is_file() and (d / "gold" / "titles.parquet").exists()


def _read_json(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def load_report(data_dir: str | Path) -> dict[str, Any]:
    """The quality report written by the last successful build."""
    return _read_json(Path(data_dir) / "report.json")


def load_manifest(data_dir: str | Path) -> dict[str, Any]:
    """Name, source, build time and row counts of a dataset."""
    return _read_json(Path(data_dir) / "manifest.json")


def list_datasets(root: str | Path | None = None) -> list[str]:
    """Names of the complete datasets under the data root, demo first."""
    root = Path(root) if root is not None else data_root()
    if not root.is_dir():
        return []
    names = sorted(p.name for p in root.iterdir() if p.is_dir() and has_gold(p))
    names = [n for n in names if not _STAGING.search(n)]
    return sorted(names, key=lambda n: (n != "demo", n))


def write_json(path: Path, obj: dict[str, Any]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, indent=2, sort_keys=True, default=str)
        fh.write("\n")


@contextmanager
def atomic_dataset(data_dir: str | Path) -> Iterator[Path]:
    """Yield a fresh staging folder; on success swap it in place of ``data_dir``.

    On any exception the staging folder is deleted and ``data_dir`` is left as it was.
    """
    final = Path(data_dir)
    final.parent.mkdir(parents=True, exist_ok=True)
    token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    staging = final.with_name(f"{final.name}.building-{token}")
    staging.mkdir()
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        _swap_in(staging, final, token)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("dataset written to %s", final)


def _swap_in(staging: Path, final: Path, token: str) -> None:
    """Rename ``staging`` to ``final``; an existing ``final`` is renamed away first (to
    ``NAME.old-TOKEN``) and deleted after the swap, or put back when the swap fails, so
    readers see either the old or the new dataset."""
    old = final.with_name(f"{final.name}.old-{token}")
    if final.exists():
        os.replace(final, old)
    try:
        os.replace(staging, final)
    except BaseException:
        if old.exists():
            os.replace(old, final)
        raise
    shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------- previews and promotion ----
PREVIEWS = ".previews"
"""Folder under the data root holding preview builds (not datasets: never listed)."""
_STAGING = re.compile(r"\.(?:building|old)-(?P<pid>\d+)-[0-9a-f]+")
_PREVIEW = re.compile(r"(?P<host>[A-Za-z0-9_.]+)-(?P<pid>\d+)-[0-9a-f]+")


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname())[:40] or "host"


def preview_dir(root: str | Path | None = None) -> Path:
    """A new, unused folder name for one preview build: ``<root>/.previews/<host>-<pid>-<hex>``.

    It lies on the data root's file system, so :func:`promote_dataset` can rename it into
    place; the folder itself is created by the build.
    """
    base = (Path(root) if root is not None else data_root()) / PREVIEWS
    base.mkdir(parents=True, exist_ok=True)
    return base / f"{_host()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def promote_dataset(staging: str | Path, final: str | Path, *, replace: bool) -> None:
    """Move a complete build (``staging``) into place as ``final`` with renames, no rebuild.

    An existing ``final`` is replaced only with ``replace=True``; it is renamed away first and
    deleted after the swap, so readers see either the old or the new dataset. Raises
    ``FileExistsError`` (``final`` exists, ``replace`` False) or ``FileNotFoundError``
    (``staging`` is not a complete build); nothing is changed then.
    """
    staging, final = Path(staging), Path(final)
    if not has_gold(staging):
        raise FileNotFoundError(f"no complete build to promote at {staging}")
    if final.exists() and not replace:
        raise FileExistsError(f"{final} exists; pass replace=True to replace it")
    final.parent.mkdir(parents=True, exist_ok=True)
    _swap_in(staging, final, f"{os.getpid()}-{uuid.uuid4().hex[:8]}")
    log.info("dataset %s promoted from %s", final, staging)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's process), or cannot tell: keep it
    return True


def remove_stale_staging(root: str | Path | None = None) -> list[Path]:
    """Delete staging folders whose process is gone; return what was removed.

    Staging folders are ``NAME.building-PID-TOKEN`` / ``NAME.old-PID-TOKEN`` (builds and swaps
    of :func:`atomic_dataset`) and this host's preview builds in ``.previews/``. A folder whose
    process is alive (on this machine) is never touched; previews of other hosts sharing the
    data folder are left to them.
    """
    root = Path(root) if root is not None else data_root()
    removed: list[Path] = []
    candidates = [(p, _STAGING.search(p.name)) for p in root.glob("*") if p.is_dir()]
    previews = root / PREVIEWS
    if previews.is_dir():
        host = _host()
        for p in previews.iterdir():
            m = _PREVIEW.match(p.name)
            if m and m["host"] == host:
                candidates.append((p, m))
    for path, m in candidates:
        if m is not None and not _alive(int(m["pid"])):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    if removed:
        log.info("removed %d stale staging folder(s): %s", len(removed), removed)
    return removed
