"""Shared package of the streaming-analytics dashboard.

Layers, bottom to top; a module imports only from its own layer and the layers below it::

    config.py  glossary.py  filters.py  chart_filters.py
                 foundation: paths, column names and defaults; wording, units and formats;
                 the pages' filter state (values) and the chart filters (a click on a chart)
    data/        importers/, synth, pipeline/ (bronze, silver, gold, models step), schema,
                 quality, store, artifacts, import_plan, session_query, model_input
    models/      recommend, evaluate, rec_service, rec_explain, cluster, cluster_features,
                 top10, top10_inputs
    charts/  insights.py  engagement_report.py  page_kpis.py  reports/
                 presentation: figures (Plotly; light.py: Vega-Lite dicts for the landing
                 page), findings in words and numbers, KPI tiles as text, pages as PDF
                 reports (matplotlib + seaborn)
    ui/          the only streamlit importer: cached loaders and shared widgets

``pages/`` and ``streamlit_app.py`` sit on top and may import any of it. One exception points
up, and is the pipeline's last step: ``lib.data.pipeline.models*`` fits and stores what the
model pages show, so it imports ``lib.models``. Nothing below ``ui`` imports streamlit, and
nothing below ``charts`` imports Plotly. ``tests/test_rules.py`` checks the rule.

The paths ``lib`` had before this layout (``lib.recommend``, ``lib.pipeline``, ...) still
import, as aliases of the moved modules (:mod:`lib._compat`): fitted models stored as joblib
pickles name them. Installing the aliases imports nothing.
"""

from lib import _compat

_compat.install()
