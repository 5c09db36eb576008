"""The first script run (entry script + Overview) stays light: no heavy library is imported.

Runs in a fresh interpreter (this test process has long imported everything) an AppTest of
the entry script on the small demo dataset, then lists what ``sys.modules`` holds.

Plotly: ``import streamlit`` itself imports ``plotly.graph_objects`` and ``plotly.io`` when
Plotly is installed (``streamlit.elements.plotly_chart`` registers its Plotly theme at import
time), so "no ``plotly`` in ``sys.modules``" cannot hold in any Streamlit app of this
environment. What the app controls is checked instead: the run imports no Plotly module
beyond the ones ``import streamlit`` already loaded (no ``plotly.express``, no figure
building), and of ``lib.charts`` only the package (which imports nothing on its own) and
``lib.charts.light`` (plain Vega-Lite dicts).

pandas and Arrow: the Overview's figures are stored by the build in ``report.json``
(``lib.data.overview``) and its charts carry their data as JSON inside the spec's layers
(``lib.ui.widgets.data_in_layers``), so the first run imports neither (0.3-0.6 s on a fresh
server). Nor NumPy: the favicon is an emoji (an image file makes ``st.set_page_config``
import NumPy to serve it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from lib.config import PROJECT_ROOT

HEAVY = (
    "sklearn",
    "scipy",
    "plotly.express",
    "lib.charts.house",  # Plotly: every Plotly family module imports it
    "lib.charts.overview",
    "lib.data.pipeline",
    "lib.models",
    "ibis",
    "pandera",
    "altair",  # the Overview's charts are plain Vega-Lite specs
    "pandas",  # the Overview reads its figures from report.json
    "numpy",
    "pyarrow",
    "duckdb",
    "lib.data.session_query",
)

_PROBE = textwrap.dedent(
    """
    import json, sys
    import streamlit
    from streamlit.testing.v1 import AppTest

    with_streamlit = {m for m in sys.modules if m.split(".")[0] == "plotly"}
    at = AppTest.from_file(sys.argv[1], default_timeout=60).run()
    print(json.dumps({
        "exceptions": [str(e.value) for e in at.exception],
        "title": [t.value for t in at.title],
        "modules": sorted(sys.modules),
        "plotly_with_streamlit": sorted(with_streamlit),
    }))
    """
)


def _first_run(data_root) -> dict:
    # without the warm-up thread, which imports the other pages' modules after the first run
    env = {**os.environ, "STREAMDASH_DATA": str(data_root), "STREAMDASH_WARMUP": "0"}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(PROJECT_ROOT / "streamlit_app.py")],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_first_script_run_imports_no_heavy_library(data_root):
    run = _first_run(data_root)
    assert not run["exceptions"], run["exceptions"]
    assert "Streaming catalog overview" in run["title"]  # the Overview really ran
    modules = set(run["modules"])
    assert "sklearn" not in modules
    assert "scipy" not in modules
    loaded = sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert not loaded, loaded
    charts = sorted(m for m in modules if m.startswith("lib.charts."))
    # the light builders (Vega-Lite dicts; the trend and the figure tiles as HTML, standard
    # library only), none of the Plotly figure modules
    assert charts == ["lib.charts.html_tiles", "lib.charts.html_trend", "lib.charts.light"], charts
    extra_plotly = sorted(
        m
        for m in modules
        if m.split(".")[0] == "plotly" and m not in set(run["plotly_with_streamlit"])
    )
    assert not extra_plotly, extra_plotly
