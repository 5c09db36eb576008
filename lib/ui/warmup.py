"""Warm a fresh server process for the pages an analyst opens after the landing page.

The landing page's first run imports nothing heavy (its first paint is light). The other
pages import scikit-learn, SciPy, DuckDB and the Plotly figure code at the top of their
files: 1-2 s of imports on this 2-core machine, which would land on the first visit of each
page after a server start. After the first script run of a process, :func:`warm_pages`
starts one background thread that imports, after a pause, the modules every declared page
imports at its top (read from the page files, so the list cannot drift from the pages).
The pause keeps the imports from competing with the browser while it draws the first page
(on a laptop or a small server the two share the cores). A page opened during the warm-up
waits only for the import in progress (Python's per-module import locks), never twice.

``STREAMDASH_WARMUP=0`` turns it off (the first-run import test measures the run alone).
"""

from __future__ import annotations

import ast
import importlib
import logging
import os
import threading
import time

from lib.config import PROJECT_ROOT
from lib.ui.navigation import PAGES

__all__ = ["page_imports", "warm_pages", "DELAY_S", "ALSO"]

log = logging.getLogger(__name__)
DELAY_S = 2.0  # after the first run: the browser draws the landing page meanwhile
# imported inside a function on a page's first run, not at the top of a page's modules
ALSO = ("duckdb",)  # lib.data.session_query.duckdb_connection: the first page query
_lock = threading.Lock()
_started = False


def page_imports() -> list[str]:
    """Modules the declared pages import at their top level, in page order, once each."""
    seen: dict[str, None] = {}
    for _section, path, _title, _icon in PAGES:
        file = PROJECT_ROOT / path
        if not file.is_file():
            continue
        for node in ast.parse(file.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # "from lib.charts import top10": the package, and top10 when it is a module
                folder = PROJECT_ROOT.joinpath(*node.module.split("."))
                names = [node.module] + [
                    f"{node.module}.{a.name}"
                    for a in node.names
                    if (folder / f"{a.name}.py").is_file() or (folder / a.name).is_dir()
                ]
            else:
                continue
            for name in names:
                if name != "__future__":
                    seen.setdefault(name, None)
    return list(seen)


def _warm(delay: float) -> None:
    time.sleep(delay)
    started = time.perf_counter()
    for name in (*page_imports(), *ALSO):
        try:
            importlib.import_module(name)
        except Exception:  # a page's own run reports its import error to the analyst
            log.warning("warm-up: could not import %s", name, exc_info=True)
    log.info("warm-up: page imports done in %.2f s", time.perf_counter() - started)


def warm_pages(delay: float = DELAY_S) -> bool:
    """Start the warm-up thread once per process; True when this call started it."""
    global _started
    if os.environ.get("STREAMDASH_WARMUP", "1") == "0":
        return False
    with _lock:
        if _started:
            return False
        _started = True
    threading.Thread(target=_warm, args=(delay,), name="warm-page-imports", daemon=True).start()
    return True
