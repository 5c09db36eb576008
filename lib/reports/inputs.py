"""Every page's report of a dataset folder with the pages' default settings, without
streamlit (the benchmark, the tests, a notebook).

The pages pass what they have already loaded and computed; here the same inputs are read
from the dataset folder the way the pages' loaders read them (gold Parquet, the build's
quality report, the models step's stored artefacts; what is not stored is computed with the
page's defaults, as the page would on its first visit).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from lib.data.store import load_manifest, load_report
from lib.filters import Filters
from lib.reports.model import Report

__all__ = ["PAGES", "page_report", "overview", "catalog", "engagement", "clusters", "top10"]

log = logging.getLogger(__name__)


def _gold(folder: Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    path = folder / "gold" / f"{name}.parquet"
    return pd.read_parquet(path, columns=columns) if path.exists() else pd.DataFrame()


def overview(folder: Path, flt: Filters | None = None) -> Report:
    from lib.data.session_query import SessionQuery
    from lib.reports.data_pages import overview_report

    quality = load_report(folder)
    kpis = quality.get("kpis")
    if kpis is None:  # a dataset built before the build computed them (as the page does)
        s = SessionQuery(folder).summary()
        kpis = {"sessions": s.get("sessions"), "mean_progress": s.get("progress")}
    users = _gold(folder, "users", ["is_active"])
    titles = _gold(folder, "titles", ["title_id"])
    return overview_report(
        folder.name, load_manifest(folder), quality, len(titles), users,
        _gold(folder, "engagement_daily"), kpis,
    )  # fmt: skip


def catalog(folder: Path, flt: Filters | None = None) -> Report:
    from lib.reports.data_pages import catalog_report

    return catalog_report(
        folder.name, load_manifest(folder), _gold(folder, "titles"), flt or Filters()
    )


def engagement(folder: Path, flt: Filters | None = None) -> Report:
    from lib.data.session_query import SessionQuery
    from lib.reports.data_pages import engagement_report

    flt = flt or Filters()
    titles = _gold(folder, "titles")
    view = SessionQuery(folder)
    sessions = SessionQuery(folder, flt, titles=titles) if len(view) else view
    return engagement_report(folder.name, load_manifest(folder), view, sessions, flt)


def clusters(folder: Path, flt: Filters | None = None, *, entity: str = "viewers") -> Report:
    """The Cluster explorer's default view of ``entity``: stored results of the build when
    fresh, else fitted with the page's defaults (stability only when stored)."""
    from lib.data import artifacts, model_input
    from lib.models import cluster
    from lib.models import cluster_features as cf
    from lib.reports.model_pages import clusters_report

    ent = cf.entity(entity, model_input.read(folder, cf.TABLES[entity])[0])
    features = list(ent.defaults)
    scaling, missing, k = cf.DEFAULT_SCALING, cf.DEFAULT_MISSING, cf.DEFAULT_K
    X = ent.candidates[features]

    def load(kind: str, **extra):
        params = cf.params(kind, entity, features, scaling, missing, **extra)
        return artifacts.load(folder, cf.artefact(entity, kind), params)

    arrays, summary = load("labels", k=k), load("fit", k=k)
    if arrays is not None and summary is not None:
        result = cf.clustering_from(arrays, summary, ent.candidates.index)
    else:
        result = cf.compute_clustering(X, k, scaling=scaling, missing=missing)
    fit = cf.fit_view(result, X, ent)
    xy = load("projection", method="pca", sample=cf.PCA_SAMPLE)
    if xy is None:
        xy = cluster.project(
            X, "pca", seed=cf.SEED, sample=cf.PCA_SAMPLE, scaling=scaling, missing=missing
        )
    stored = load("stability", k=k)
    truth = cf.planted_segments(folder) if entity == "viewers" else None
    return clusters_report(
        folder.name, load_manifest(folder), ent, features, scaling=scaling, missing=missing,
        k=k, fit=fit, xy=xy, stability=cf.stability_from(stored) if stored else None,
        planted=cf.planted_recovery(truth, ent.ids, fit["labels"]) if truth is not None else None,
        sample_note=model_input.plan(folder, cf.TABLES[entity]).note(),
    )  # fmt: skip


def top10(folder: Path, flt: Filters | None = None) -> Report:
    """The Top 10 model-quality tab with the page's defaults: the best model, its default
    threshold (stored results of the build when fresh, else fitted)."""
    from lib.data import model_input
    from lib.data.pipeline import models_top10 as mt
    from lib.models.top10 import MODEL_KINDS, PRE, SEED
    from lib.reports.model_pages import top10_report

    table = model_input.read(folder, "top10_training")[0]
    request = {"features": tuple(PRE), "seed": SEED}

    def stored_or(what: str, kind: str, compute: Callable):
        value = mt.load(folder, what, kind, **request)
        return value if value is not None else compute()

    cv = mt.rank(
        [
            stored_or("cv", k, lambda k=k: mt.cross_validate(table, k, tuple(PRE), SEED))
            for k in MODEL_KINDS
        ]
    )
    kind = cv["kind"].iloc[0]
    model = stored_or("model", kind, lambda: mt.fit(table, kind, tuple(PRE), SEED))
    importance = stored_or("importance", kind, lambda: mt.importance(model, SEED))
    return top10_report(
        folder.name, load_manifest(folder), cv, model, kind, float(model.metrics["threshold"]),
        importance=importance, n_titles=mt.label_counts(table),
    )  # fmt: skip


PAGES: dict[str, Callable[..., Report]] = {
    "overview": overview,
    "catalog": catalog,
    "engagement": engagement,
    "clusters": clusters,
    "top10": top10,
}


def page_report(page: str, folder: str | Path, flt: Filters | None = None) -> Report:
    """The report of ``page`` (a key of :data:`PAGES`) for the dataset in ``folder``."""
    return PAGES[page](Path(folder), flt)
