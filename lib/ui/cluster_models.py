"""Cached results of the Cluster explorer: the build's artefacts first, computation on demand.

Each accessor is keyed by ``(dataset, version, entity, features, scaling, missing, ...)``
where ``version`` names one build of the dataset (:func:`version`), in bounded Streamlit
caches. It first loads the artefact the build's models step stored
(``lib.data.pipeline.models_clusters``) when it is fresh for the request (same parameters, same
library versions: :func:`lib.data.artifacts.load`); otherwise it computes with a progress bar, as
the page did before the models step, and stores the result back when it is the default
request of a published dataset folder (a stale or missing default artefact is rebuilt once;
another k, other features or t-SNE are computed on demand and only cached in memory).

Stability refits run in one background worker per server (:func:`stability` returns a
``Future``), so a change of k waits for K-Means once, not six times.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from lib.config import dataset_dir
from lib.data import artifacts, model_input
from lib.models import cluster
from lib.models import cluster_features as cf
from lib.ui import data as ui

__all__ = [
    "version",
    "entity",
    "sample",
    "planted",
    "features_frame",
    "scan",
    "clustering",
    "stability",
    "projection",
    "figure",
]

log = logging.getLogger(__name__)
_SAVE_LOCK = threading.Lock()  # the artefact index is rewritten on every save


def version(folder: Path) -> str:
    """Cache key part naming one build of the dataset: its folder and manifest time.

    (Two data roots can hold a dataset of the same name built in the same second.)
    """
    try:
        stamp = (folder / "manifest.json").stat().st_mtime_ns
    except OSError:
        stamp = 0
    return f"{folder}@{stamp}"


@st.cache_resource(max_entries=8, show_spinner="Preparing features...")
def entity(dataset: str, version: str, key: str) -> cf.Entity:
    """The :class:`lib.models.cluster_features.Entity` of ``key`` ("viewers" or "titles")."""
    return cf.entity(key, ui.model_table(cf.TABLES[key], dataset)[0])


def sample(dataset: str, key: str) -> model_input.Sample:
    """Which rows of ``key`` ("viewers" or "titles") the explorer clusters (all, or a
    seeded sample above :func:`lib.data.model_input.bound`)."""
    return ui.model_table(cf.TABLES[key], dataset)[1]


@st.cache_resource(max_entries=4, show_spinner=False)
def planted(dataset: str, version: str) -> pd.Series | None:
    """Planted segment per user_id (demo datasets only; None elsewhere)."""
    return cf.planted_segments(dataset_dir(dataset))


def features_frame(dataset: str, version: str, key: str, features: tuple[str, ...]) -> pd.DataFrame:
    """The chosen feature columns of an entity (a view of the cached candidates)."""
    return entity(dataset, version, key).candidates[list(features)]


def _bar(text: str) -> tuple[Any, Callable[[float, str], None]]:
    """A progress bar (created inside a cached function, so it is replayed, then emptied)."""
    bar = st.progress(0.0, text=text)
    return bar, lambda f, t: bar.progress(f, text=f"{text} - {t}")


def _load(dataset: str, key: str, kind: str, params: dict[str, Any]) -> Any:
    """The stored artefact of this request when the build made it and it is fresh."""
    return artifacts.load(dataset_dir(dataset), cf.artefact(key, kind), params)


def _save_back(
    dataset: str,
    built: str,
    ent: cf.Entity,
    kind: str,
    params: dict[str, Any],
    value: Any,
    t0: float,
) -> None:
    """Store a computed default result again (a stale or missing artefact is rebuilt).

    Only the default request, only in a published dataset folder, and only while the folder
    still holds the build ``built`` the result was computed from (a rebuild that finished
    meanwhile is not given results of the old tables).
    """
    folder = dataset_dir(dataset)
    if params != cf.default_params(ent, params["kind"]) or not artifacts.trusted_folder(folder):
        return
    if version(folder) != built:
        return
    key = ent.key
    try:
        with _SAVE_LOCK:
            artifacts.save(
                folder,
                cf.artefact(key, kind),
                value,
                params=params,
                seconds=time.perf_counter() - t0,
            )
    except OSError as exc:  # a read-only data folder: the result stays cached in memory
        log.warning("could not store %s of %s: %s", kind, dataset, exc)


@st.cache_data(max_entries=16, show_spinner=False)
def scan(
    dataset: str, version: str, key: str, features: tuple[str, ...], scaling: str, missing: str
) -> tuple[pd.DataFrame, int]:
    """``scan_k`` over k = 2-12 and its suggested k."""
    params = cf.params("scan", key, features, scaling, missing)
    table = _load(dataset, key, "scan", params)
    if table is None:
        t0 = time.perf_counter()
        bar, progress = _bar("Scanning k = 2-12")
        table = cluster.scan_k(
            features_frame(dataset, version, key, features),
            range(cf.K_RANGE[0], cf.K_RANGE[1] + 1),
            seed=cf.SEED,
            scaling=scaling,
            missing=missing,
            progress=progress,
        )
        bar.empty()
        _save_back(dataset, version, entity(dataset, version, key), "scan", params, table, t0)
    return table, int(table.attrs["suggested_k"])


@st.cache_data(max_entries=24, show_spinner="Fitting K-Means...")
def clustering(
    dataset: str,
    version: str,
    key: str,
    features: tuple[str, ...],
    scaling: str,
    missing: str,
    k: int,
) -> dict[str, Any]:
    """K-Means with k clusters: labels, silhouettes, profile, personas and tree rules."""
    ent = entity(dataset, version, key)
    X = features_frame(dataset, version, key, features)
    params = cf.params("fit", key, features, scaling, missing, k=k)
    arrays = _load(dataset, key, "labels", params)
    summary = _load(dataset, key, "fit", params)
    if arrays is not None and summary is not None:
        result = cf.clustering_from(arrays, summary, ent.candidates.index)
    else:
        t0 = time.perf_counter()
        result = cf.compute_clustering(X, k, scaling=scaling, missing=missing)
        arrays = cf.clustering_arrays(result, ent.candidates.index)
        _save_back(dataset, version, ent, "labels", params, arrays, t0)
        _save_back(dataset, version, ent, "fit", params, cf.clustering_summary(result), t0)
    return cf.fit_view(result, X, ent)


@st.cache_resource(show_spinner=False)
def _pool() -> ThreadPoolExecutor:
    """One worker per server for stability refits (K-Means releases the GIL)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="cluster-stability")


def _stability_job(
    dataset: str,
    built: str,
    ent: cf.Entity,
    X: pd.DataFrame,
    scaling: str,
    missing: str,
    k: int,
    params: dict[str, Any],
) -> cluster.Stability:
    t0 = time.perf_counter()
    stab = cluster.stability_ari(
        X,
        k,
        seeds=cf.STABILITY_SEEDS,
        scaling=scaling,
        missing=missing,
        sample=cf.STABILITY_SAMPLE,
    )
    _save_back(dataset, built, ent, "stability", params, cf.stability_dict(stab), t0)
    return stab


@st.cache_resource(max_entries=24, show_spinner=False)
def stability(
    dataset: str,
    version: str,
    key: str,
    features: tuple[str, ...],
    scaling: str,
    missing: str,
    k: int,
) -> Future:
    """Stability across seeds, as a ``Future``: done at once when the build stored it,
    else started in the background (the page draws its figures meanwhile)."""
    params = cf.params("stability", key, features, scaling, missing, k=k)
    stored = _load(dataset, key, "stability", params)
    if stored is not None:
        done: Future = Future()
        done.set_result(cf.stability_from(stored))
        return done
    ent = entity(dataset, version, key)
    X = features_frame(dataset, version, key, features)
    return _pool().submit(_stability_job, dataset, version, ent, X, scaling, missing, k, params)


@st.cache_data(max_entries=12, show_spinner=False)
def projection(
    dataset: str,
    version: str,
    key: str,
    features: tuple[str, ...],
    scaling: str,
    missing: str,
    method: str,
    sample: int,
) -> pd.DataFrame:
    """2-D coordinates (PCA or t-SNE) of a seeded sample of rows."""
    params = cf.params("projection", key, features, scaling, missing, method=method, sample=sample)
    xy = _load(dataset, key, "projection", params)
    if xy is None:
        t0 = time.perf_counter()
        bar, progress = _bar("2-D view" + (" (t-SNE takes a while)" if method == "tsne" else ""))
        xy = cluster.project(
            features_frame(dataset, version, key, features),
            method,
            seed=cf.SEED,
            sample=sample,
            scaling=scaling,
            missing=missing,
            progress=progress,
        )
        bar.empty()
        _save_back(dataset, version, entity(dataset, version, key), "projection", params, xy, t0)
    return xy


@st.cache_resource(max_entries=48, show_spinner=False)
def figure(name: str, key: tuple, _build: Callable[[], tuple]) -> tuple:
    """A built (figure, data) per ``key`` (everything it depends on); shared and read-only.

    Building a Plotly figure costs tens of ms of validation; an unchanged rerun or a return
    to a k seen before reuses it.
    """
    return _build()
