"""Data: getting data in, building its layers, and reading them back (no streamlit, no models).

* :mod:`lib.data.importers` - real formats -> canonical bronze tables (format plug-ins);
  :mod:`lib.data.synth` - the demo generator, streaming to bronze;
* :mod:`lib.data.pipeline` - bronze -> silver -> gold -> models, run by DuckDB or Spark, and
  its CLI (``python -m lib.data.pipeline``); :mod:`lib.data.schema` - the gold checks;
  :mod:`lib.data.quality` - the build's quality report as tables;
* :mod:`lib.data.store` - dataset folders and atomic writes; :mod:`lib.data.artifacts` - the
  model artefacts stored beside gold; :mod:`lib.data.import_plan` - inspect, preview, save and
  delete an upload's dataset;
* :mod:`lib.data.session_query` - the pages' DuckDB queries over gold sessions;
  :mod:`lib.data.model_input` - what a model fits on (the gold table, or a seeded sample).

Importing this package imports nothing: each module is imported on its own.
"""
