"""Models: what the model pages fit, evaluate and explain (no streamlit, no Plotly).

* :mod:`lib.models.recommend` - recommenders (content, ItemKNN, EASE, RP3beta, hybrid, ...);
  :mod:`lib.models.evaluate` - their offline evaluation; :mod:`lib.models.rec_service` - the
  Recommender page's models, tuning and comparison with its defaults, and their artefacts;
  :mod:`lib.models.rec_explain` - what the page shows of them;
* :mod:`lib.models.cluster` - K-Means explorer; :mod:`lib.models.cluster_features` - what it
  clusters, with which defaults, and its stored results;
* :mod:`lib.models.top10` - the Top 10 predictor; :mod:`lib.models.top10_inputs` - its page's
  input material (slider ranges, options, widget state).

Importing this package imports nothing: each module is imported on its own (scikit-learn and
SciPy come with the modules).
"""
