"""Cached Top 10 models, cross-validations and leakage reports (``st.cache_resource``).

Everything here is trained from the gold ``top10_training`` table of a dataset and cached per
``(dataset, build stamp, features, kind, seed)`` in bounded ``st.cache_resource`` caches: one
shared, read-only copy per server process, dropped automatically when the dataset is rebuilt
(new build stamp). Models are never loaded from files or uploads.

Work that is not cached yet runs inside an ``st.status`` box with one line per step, so the
first visit shows what is being trained and how long it took.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import streamlit as st

from lib import top10
from lib.charts_top10 import model_label
from lib.config import PRE_RELEASE_COLUMNS, TOP10_LABEL, dataset_dir
from lib.ui import data as ui

__all__ = [
    "SEED",
    "N_SPLITS",
    "N_JOBS",
    "build_stamp",
    "training_table",
    "label_counts",
    "cross_validation",
    "model",
    "leakage",
    "importance",
    "predict",
    "row_key",
]

SEED = 0
N_SPLITS = 5
# compare_models worker processes. One: on the shared 2-core machine two workers were slower
# (benchmarks/top10_page.py, scale-1 demo, load 3.6: 13.8 s with 1, 17.1 s with 2 warm
# workers, 23.4 s with 2 cold ones) and each keeps ~200 MB resident.
N_JOBS = 1
PRE = tuple(PRE_RELEASE_COLUMNS)
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
        return ui.table("top10_training", dataset)
    except FileNotFoundError:
        return pd.DataFrame(columns=[TOP10_LABEL])


def label_counts(table: pd.DataFrame) -> tuple[int, int]:
    """Titles in the Top 10 and not (rows without a label are not counted)."""
    if TOP10_LABEL not in table.columns or table.empty:
        return 0, 0
    label = pd.to_numeric(table[TOP10_LABEL], errors="coerce")
    return int((label == 1).sum()), int((label == 0).sum())


# ------------------------------------------------------------------------ cached work ---
@st.cache_resource(max_entries=24, show_spinner=False)
def _cv(dataset: str, stamp: str, features: tuple[str, ...], kind: str, seed: int) -> pd.DataFrame:
    table = training_table(dataset)
    return top10.compare_models(
        table, features, seed=seed, kinds=(kind,), n_splits=N_SPLITS, n_jobs=N_JOBS
    )


@st.cache_resource(max_entries=12, show_spinner=False)
def _model(
    dataset: str, stamp: str, features: tuple[str, ...], kind: str, seed: int
) -> top10.Top10Model:
    return top10.train(training_table(dataset), features, kind=kind, seed=seed)


@st.cache_resource(max_entries=8, show_spinner=False)
def _leakage(dataset: str, stamp: str, kind: str, seed: int) -> dict[str, Any]:
    return top10.leakage_report(
        training_table(dataset), seed, kind=kind, n_splits=N_SPLITS, n_jobs=N_JOBS
    )


@st.cache_resource(max_entries=12, show_spinner=False)
def _importance(
    dataset: str, stamp: str, features: tuple[str, ...], kind: str, seed: int
) -> pd.DataFrame:
    return _model(dataset, stamp, features, kind, seed).permutation_importance(seed=seed)


@st.cache_resource(max_entries=512, show_spinner=False)
def _predict(
    dataset: str, stamp: str, features: tuple[str, ...], kind: str, seed: int, row: tuple
) -> tuple[float, pd.DataFrame, list[str]]:
    m = _model(dataset, stamp, features, kind, seed)
    values = {f: list(v) if isinstance(v, tuple) else v for f, v in row}
    explanation = m.explain(values)
    return float(explanation.attrs["prediction"]), explanation, m.check_input(values)


# Keys whose cached value was computed in this process (to show progress only for new work).
# Bounded like the caches; a key evicted from a cache but still listed here only means the
# recomputation runs without a status box.
_DONE: dict[Hashable, None] = {}
_DONE_LOCK = threading.Lock()
_DONE_MAX = 256


def _mark_done(key: Hashable) -> None:
    with _DONE_LOCK:
        _DONE[key] = None
        while len(_DONE) > _DONE_MAX:
            _DONE.pop(next(iter(_DONE)))


def _steps(label: str, steps: Sequence[tuple[Hashable, str, Callable[[], T]]]) -> list[T]:
    """Run ``steps`` (key, description, function); when any is new, inside an ``st.status``
    box that lists each step with its duration."""
    if all(key in _DONE for key, _, _ in steps):
        return [func() for _, _, func in steps]
    results: list[T] = []
    started = time.perf_counter()
    with st.status(label, expanded=True) as status:
        for key, description, func in steps:
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
    steps = [
        (
            ("cv", dataset, stamp, features, kind, seed),
            f"{model_label(kind)}: {N_SPLITS}-fold cross-validation",
            lambda kind=kind: _cv(dataset, stamp, features, kind, seed),
        )
        for kind in top10.MODEL_KINDS
    ]
    parts = _steps(f"Cross-validating three models on {n:,} titles (once per dataset)...", steps)
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values("roc_auc_mean", ascending=False, kind="stable").reset_index(drop=True)
    out.attrs.update(parts[0].attrs)
    return out


def model(
    dataset: str, kind: str, features: Sequence[str] = PRE, *, seed: int = SEED
) -> top10.Top10Model:
    """The calibrated ``kind`` model of ``dataset`` trained on its older titles."""
    stamp, features = build_stamp(dataset), tuple(features)
    key = ("model", dataset, stamp, features, kind, seed)
    step = (key, f"Training the {model_label(kind).lower()} model", lambda: _model(*key[1:]))
    return _steps(f"Training the {model_label(kind).lower()} model...", [step])[0]


def importance(
    dataset: str, kind: str, features: Sequence[str] = PRE, *, seed: int = SEED
) -> pd.DataFrame:
    """Permutation importance of the ``kind`` model on its held-out titles."""
    stamp, features = build_stamp(dataset), tuple(features)
    key = ("importance", dataset, stamp, features, kind, seed)
    step = (key, "Shuffling each input on the held-out titles", lambda: _importance(*key[1:]))
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
    )
    return _steps("Training the leaky model for comparison...", [step])[0]


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
