"""The warm-up thread (lib.ui.warmup): after the first run, the other pages' imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from lib.config import PROJECT_ROOT
from lib.ui.navigation import PAGES
from lib.ui.warmup import page_imports

_PROBE = textwrap.dedent(
    """
    import json, os, sys, threading
    import streamlit
    from lib.ui import warmup

    before = set(sys.modules)
    started = warmup.warm_pages(delay=0)
    again = warmup.warm_pages(delay=0)
    for t in threading.enumerate():
        if t.name == "warm-page-imports":
            t.join(300)
    print(json.dumps({"started": started, "again": again,
                      "new": sorted(set(sys.modules) - before),
                      "after": sorted(sys.modules)}))
    """
)


def _probe(**env: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_page_imports_are_read_from_every_declared_page():
    names = page_imports()
    assert len(names) == len(set(names))
    # a module of each model page, imported at the top of its file ("from lib.x import y")
    for module in ("lib.ui.top10_models", "lib.ui.cluster_models", "lib.ui.rec_models"):
        assert module in names
    assert "lib.charts.catalog" in names and "lib.charts.engagement" in names
    assert "__future__" not in names and "lib.charts.nothing" not in names
    assert len(PAGES) == 7


def test_the_warm_up_imports_the_heavy_libraries_once_per_process():
    run = _probe()
    assert run["started"] is True and run["again"] is False  # one thread per process
    new = set(run["new"])
    for heavy in ("sklearn", "scipy", "duckdb", "lib.models.top10", "lib.charts.top10"):
        assert heavy in new, heavy
    assert set(page_imports()) <= set(run["after"])  # every module a page imports at its top


def test_the_warm_up_can_be_turned_off():
    run = _probe(STREAMDASH_WARMUP="0")
    assert run["started"] is False and "sklearn" not in run["new"]
