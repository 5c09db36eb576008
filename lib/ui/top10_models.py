"""Cached Top 10 models, cross-validations and leakage reports (``st.cache_resource``).

What the page shows by default was computed by the build's models step
(:mod:`lib.data.pipeline.models_top10`) and is loaded from the dataset's artefacts
(:func:`lib.data.artifacts.load`: fresh only for the same request and library versions; fitted
models only from a published dataset folder under the data root). Anything else - a request
that was not precomputed, or an artefact made by other library versions - is computed from
the gold ``top10_training`` table with the same code and defaults, then saved back into the
dataset folder (only a trusted one, and only while the build that was read is still the
current one) so the next server process loads it.

Results are cached per ``(dataset, build stamp, features, kind, seed)`` in bounded
``st.cache_resource`` caches: one shared, read-only copy per server process, dropped
automatically when the dataset is rebuilt (new build stamp).

Work that is computed (not loaded) runs inside an ``st.status`` box with one line per step, so
a visit that has to train shows what is being trained and how long it took.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import streamlit as st

from lib.config import TOP10_LABEL, dataset_dir
from lib.data import artifacts, model_input
from lib.data.pipeline import models_top10 as mt
from lib.data.pipeline.models_top10 import label_counts
from lib.glossary import model_label
from lib.models import top10
from lib.models.top10 import N_JOBS, N_SPLITS, PRE, SEED
from lib.ui import data as ui

__all__ = [
    "SEED",
    "N_SPLITS",
    "N_JOBS",
    "build_stamp",
    "training_table",
    "sample",
    "label_counts",
    "cross_validation",
    "model",
    "leakage",
    "importance",
    "predict",
    "row_key",
    "clear",
]

log = logging.getLogger(__name__)
T = TypeVar("T")


def build_stamp(dataset: str) -> str:
    """Build stamp of a dataset (mtime of its manifest): a rebuild invalidates every cache."""
    try:
        return str((dataset_dir(dataset) / "manifest.json").stat().st_mtime_ns)
    except (FileNotFoundError, ValueError):
        return "missing"


def training_table(dataset: str) -> pd.DataFrame:
    """Gold ``top10_training`` of ``dataset`` (cached, read-only); empty when the dataset has
    no such table."""
    try:
        return ui.model_table("top10_training", dataset)[0]
    except FileNotFoundError:
        return pd.DataFrame(columns=[TOP10_LABEL])


def sample(dataset: str) -> model_input.Sample | None:
    """Which titles the models are trained on (all, or a seeded stratified sample); None
    without a ``top10_training`` table."""
    try:
        return ui.model_table("top10_training", dataset)[1]
    except FileNotFoundError:
        return None


# ------------------------------------------------------------------------ artefacts ---
def _stored(dataset: str, what: str, kind: str, request: dict[str, Any]) -> Any:
    """The build's (or an earlier visit's) artefact for this request if fresh, else None."""
    try:
        folder = dataset_dir(dataset)
    except ValueError:
        return None
    return mt.load(folder, what, kind, **request)


def _is_stored(dataset: str, what: str, kind: str, request: dict[str, Any]) -> bool:
    """True when a fresh, loadable artefact answers this request (cheap: reads the index)."""
    try:
        return mt.stored(dataset_dir(dataset), what, kind, **request)
    except ValueError:
        return False


def _keep(
    dataset: str,
    stamp: str,
    what: str,
    kind: str,
    request: dict[str, Any],
    compute: Callable[[], T],
) -> T:
    """Run ``compute`` and save its result into the dataset folder for the next process.

    Saved only into a trusted folder (a published dataset under the data root: never a
    preview) and only while that folder still holds the build that was read (same stamp), so
    a result of old data never lands in a rebuilt dataset.
    """
    t0 = time.perf_counter()
    value = compute()
    seconds = time.perf_counter() - t0
    folder = dataset_dir(dataset)
    if artifacts.trusted_folder(folder) and build_stamp(dataset) == stamp:
        try:
            mt.save(folder, what, kind, value, seconds=seconds, **request)
        except OSError as exc:  # a read-only data folder: computed again next process
            log.warning("could not store the Top 10 %s artefact of %s: %s", what, dataset, exc)
    return value


# ------------------------------------------------------------------------ cached work ---
@st.cache_resource(max_entries=24, show_spinner=False)
def _cv(dataset: str, stamp: str, features: tuple[str, ...], kind: str, seed: int) -> pd.DataFrame:
    request = {"features": features, "seed": seed}
    stored = _stored(dataset, "cv", kind, request)
    if stored is not None:
        return stored
    return _keep(
        dataset,
        stamp,
        "cv",
        kind,
        request,
        lambda: mt.cross_validate(training_table(dataset), kind, features, seed),
    )


@st.cache_resource(max_entries=12, show_spinner=False)
def _model(
    dataset: str, stamp: str, features: tuple[str, ...], kind: str, seed: int
) -> top10.Top10Model:
    request = {"features": features, "seed": seed}
    stored = _stored(dataset, "model", kind, request)
    if stored is not None:
        return stored
    return _keep(
        dataset,
        stamp,
        "model",
        kind,
        request,
        lambda: mt.fit(training_table(dataset), kind, features, seed),
    )


@st.cache_resource(max_entries=8, show_spinner=False)
def _leakage(dataset: str, stamp: str, kind: str, seed: int) -> dict[str, Any]:
    request = {"seed": seed}
    stored = _stored(dataset, "leakage", kind, request)
    if stored is not None:
        return stored
    return _keep(
        dataset,
        stamp,
        "leakage",
        kind,
        request,
        lambda: mt.leakage(training_table(dataset), kind, seed),
    )


@st.cache_resource(max_entries=12, show_spinner=False)
def _importance(
    dataset: str, stamp: str, features: tuple[str, ...], kind: str, seed: int
) -> pd.DataFrame:
    request = {"features": features, "seed": seed}
    stored = _stored(dataset, "importance", kind, request)
    if stored is not None:
        return stored
    return _keep(
        dataset,
        stamp,
        "importance",
        kind,
        request,
        lambda: mt.importance(_model(dataset, stamp, features, kind, seed), seed),
    )


@st.cache_resource(max_entries=512, show_spinner=False)
def _predict(
    dataset: str, stamp: str, features: tuple[str, ...], kind: str, seed: int, row: tuple
) -> tuple[float, pd.DataFrame, list[str]]:
    m = _model(dataset, stamp, features, kind, seed)
    values = {f: list(v) if isinstance(v, tuple) else v for f, v in row}
    explanation = m.explain(values)
    return float(explanation.attrs["prediction"]), explanation, m.check_input(values)


# Keys whose cached value was computed or found stored in this process (to show progress only
# for new work). Bounded like the caches; a key evicted from a cache (or an artefact found
# stored, then unreadable) but still listed here only means the work runs without a status box.
_DONE: dict[Hashable, None] = {}
_DONE_LOCK = threading.Lock()
_DONE_MAX = 256


def _mark_done(key: Hashable) -> None:
    with _DONE_LOCK:
        _DONE[key] = None
        while len(_DONE) > _DONE_MAX:
            _DONE.pop(next(iter(_DONE)))


Step = tuple[Hashable, str, Callable[[], T], Callable[[], bool]]


def _steps(label: str, steps: Sequence[Step]) -> list[T]:
    """Run ``steps`` (key, description, function, stored); when any is new - neither done in
    this process nor ``stored()`` as an artefact - inside an ``st.status`` box that lists each
    step with its duration."""
    for key, _, _, stored in steps:
        if key not in _DONE and stored():
            _mark_done(key)
    if all(key in _DONE for key, _, _, _ in steps):
        return [func() for _, _, func, _ in steps]
    results: list[T] = []
    started = time.perf_counter()
    with st.status(label, expanded=True) as status:
        for key, description, func, _ in steps:
            t0 = time.perf_counter()
            placeholder = st.empty()
            placeholder.write(f"{description} ...")
            results.append(func())
            placeholder.write(f"{description}: done in {time.perf_counter() - t0:.1f} s")
            _mark_done(key)
        status.update(
            label=f"{label.rstrip('.')}: done in {time.perf_counter() - started:.1f} s",
            state="complete",
            expanded=False,
        )
    return results


# ------------------------------------------------------------------------ public API ---
def cross_validation(
    dataset: str, features: Sequence[str] = PRE, *, seed: int = SEED
) -> pd.DataFrame:
    """``compare_models`` of all three kinds (same stratified folds), best ROC-AUC first.

    Each kind is cross-validated and cached separately (the folds depend only on the seed
    and the labels, so the result equals one ``compare_models`` call) to report progress.
    """
    stamp, features = build_stamp(dataset), tuple(features)
    n = len(training_table(dataset))
    request = {"features": features, "seed": seed}
    steps = [
        (
            ("cv", dataset, stamp, features, kind, seed),
            f"{model_label(kind)}: {N_SPLITS}-fold cross-validation",
            lambda kind=kind: _cv(dataset, stamp, features, kind, seed),
            lambda kind=kind: _is_stored(dataset, "cv", kind, request),
        )
        for kind in top10.MODEL_KINDS
    ]
    parts = _steps(f"Cross-validating three models on {n:,} titles (once per dataset)...", steps)
    return mt.rank(parts)


def model(
    dataset: str, kind: str, features: Sequence[str] = PRE, *, seed: int = SEED
) -> top10.Top10Model:
    """The calibrated ``kind`` model of ``dataset`` trained on its older titles."""
    stamp, features = build_stamp(dataset), tuple(features)
    key = ("model", dataset, stamp, features, kind, seed)
    step = (
        key,
        f"Training the {model_label(kind).lower()} model",
        lambda: _model(*key[1:]),
        lambda: _is_stored(dataset, "model", kind, {"features": features, "seed": seed}),
    )
    return _steps(f"Training the {model_label(kind).lower()} model...", [step])[0]


def importance(
    dataset: str, kind: str, features: Sequence[str] = PRE, *, seed: int = SEED
) -> pd.DataFrame:
    """Permutation importance of the ``kind`` model on its held-out titles."""
    stamp, features = build_stamp(dataset), tuple(features)
    key = ("importance", dataset, stamp, features, kind, seed)
    step = (
        key,
        "Shuffling each input on the held-out titles",
        lambda: _importance(*key[1:]),
        lambda: _is_stored(dataset, "importance", kind, {"features": features, "seed": seed}),
    )
    return _steps("Measuring permutation importance...", [step])[0]


def leakage(dataset: str, kind: str, *, seed: int = SEED) -> dict[str, Any]:
    """``leakage_report`` (honest vs leaky cross-validation) of ``dataset`` for ``kind``."""
    stamp = build_stamp(dataset)
    key = ("leakage", dataset, stamp, kind, seed)
    step = (
        key,
        f"{model_label(kind)}: {N_SPLITS}-fold cross-validation with and without the "
        "post-release columns",
        lambda: _leakage(*key[1:]),
        lambda: _is_stored(dataset, "leakage", kind, {"seed": seed}),
    )
    return _steps("Training the leaky model for comparison...", [step])[0]


def clear() -> None:
    """Forget every Top 10 result cached in this process, as a server restart would (the
    next request loads the stored artefacts again, or computes)."""
    for cached in (_cv, _model, _leakage, _importance, _predict):
        cached.clear()
    with _DONE_LOCK:
        _DONE.clear()


def row_key(row: Mapping[str, Any]) -> tuple:
    """Hashable form of an input row (lists -> tuples, NaN -> None), sorted by feature."""

    def clean(value: Any) -> Any:
        if isinstance(value, list | tuple):
            return tuple(str(v) for v in value)
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        if isinstance(value, np.generic):
            return value.item()
        return value

    return tuple(sorted((str(k), clean(v)) for k, v in row.items()))


def predict(
    dataset: str,
    kind: str,
    row: Mapping[str, Any],
    features: Sequence[str] = PRE,
    *,
    seed: int = SEED,
) -> tuple[float, pd.DataFrame, list[str]]:
    """Probability, ``explain`` table and ``check_input`` warnings for one input row (cached
    per row, so a threshold change does not recompute the explanation). The model must have
    been obtained with :func:`model` first."""
    stamp = build_stamp(dataset)
    return _predict(dataset, stamp, tuple(features), kind, seed, row_key(row))
