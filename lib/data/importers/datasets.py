"""Import, then build: the one place an import becomes a dataset folder.

Both ``python -m lib.data.pipeline build --source ...`` and the Import data page call
:func:`build_import`, so the manifest's ``"import"`` summary (files, formats, encodings, rows,
notes, join report, column mappings) is produced in one place (:meth:`ImportResult.summary`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lib.data.importers.base import ImportResult

__all__ = ["import_summary", "build_import"]


def import_summary(result: ImportResult) -> dict[str, Any]:
    """What was imported, as stored in the dataset's manifest under ``"import"``."""
    return result.summary()


def build_import(
    result: ImportResult,
    *,
    data_dir: str | Path,
    name: str,
    source: str,
    progress: Callable[[float, str], None] | None = None,
    consume: bool = False,
    engine: str = "duckdb",
    spark_master: str | None = None,
    models: bool = True,
) -> dict[str, Any]:
    """Build ``result``'s bronze tables into ``data_dir`` (bronze -> silver -> gold) on
    ``engine`` (see :func:`lib.data.pipeline.build`).

    The manifest gets ``kind="import"`` and the import summary. ``consume=True`` hands the
    tables over to the build (they are emptied from ``result.tables``). Returns the quality
    report of :func:`lib.data.pipeline.build_tables`.
    """
    from lib.data.pipeline import build_tables  # the pipeline imports this package: import late

    meta = {"kind": "import", "import": import_summary(result)}
    return build_tables(
        result.tables,
        consume=consume,
        data_dir=data_dir,
        name=name,
        source=source,
        meta=meta,
        progress=progress,
        engine=engine,
        spark_master=spark_master,
        models=models,
    )
