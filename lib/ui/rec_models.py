"""Recommender models of the active dataset: loaded from the build, cached, read-only.

Two parts:

* pure functions (no ``st`` call, unit-testable) live in ``lib.models.rec_explain`` and are
  re-exported here: :func:`similar_titles`, :func:`explain_similar`, :func:`evidence`,
  :func:`viewer_recommendations`, :func:`viewer_history`, :func:`pairwise_similarity`,
  :func:`interval`, :func:`tuned_text`; and, from ``lib.models.rec_service`` (shared with the
  build's models step), :func:`catalog_frame`, :func:`fit_models`, :func:`fit_validated`,
  :class:`RecModels` and the ``EVAL_*`` settings;
* cached accessors for the page (``st.cache_resource`` or a bounded memo): :func:`models`
  (one :class:`RecModels` per dataset build), :func:`hybrid` (one ``Hybrid`` per alpha),
  :func:`tuning` (validated values of every model and the best one, chosen on validation
  carved from the training part), :func:`comparison` (every model scored on the test part
  with intervals; reuses the tuning) and :func:`viewer_model` (a validated model fitted on
  every interaction, for the viewer tab). Each first loads what the build's models step
  stored (``lib.data.pipeline.models_recommend``); only what was not precomputed with these
  settings and library versions (another alpha, a stale artefact, a dataset built with
  ``--no-models``) is computed on the visit, with progress, and stored back.

Everything returned by the cached accessors is shared between sessions: treat it as
read-only (never assign into the frames, never refit the models).

Model names of the "Similar titles" tab: ``"content"`` (``ContentKNN``: TF-IDF cosine over
genres, description, cast, director, country), ``"collaborative"`` (``ItemKNN``: cosine over
the viewers x titles matrix) and ``"hybrid"`` (``Hybrid``: ``alpha * content + (1 - alpha) *
collaborative``, each normalised to its best candidate). The viewer and evaluation tabs use
the names of ``lib.models.evaluate.COMPARED`` (``Content``, ``Collaborative``, ``Hybrid``, ``EASE``,
``RP3beta``, ``Popularity``, ``Random``); for a viewer, "Content" is ``Hybrid(alpha=1)``:
the cosine of every title with the mean content vector of the viewer's history.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from lib.config import Progress
from lib.data import artifacts, model_input
from lib.models import rec_service as svc
from lib.models.evaluate import BASELINES as EVAL_BASELINES
from lib.models.evaluate import (
    COMPARED,
    MODEL_NOTES,
    PROTOCOL,
    Comparison,
    TuneResult,
)
from lib.models.rec_explain import (
    MODEL_KINDS,
    MODEL_LABELS,
    evidence,
    explain_similar,
    interval,
    pairwise_similarity,
    similar_titles,
    tuned_text,
    viewer_history,
    viewer_recommendations,
)
from lib.models.rec_service import (
    EVAL_BOOT,
    EVAL_EASE_BUDGET_GIB,
    EVAL_K,
    EVAL_MIN_TITLES,
    EVAL_SEED,
    EVAL_TEST_FRAC,
    EVAL_USERS,
    NO_INTERACTIONS,
    RecModels,
    catalog_frame,
    fit_models,
    fit_validated,
)
from lib.models.recommend import Hybrid
from lib.ui import data as ui

__all__ = [
    "MODEL_KINDS",
    "MODEL_LABELS",
    "MODEL_NOTES",
    "NO_INTERACTIONS",
    "EVAL_K",
    "EVAL_TEST_FRAC",
    "EVAL_SEED",
    "EVAL_USERS",
    "EVAL_MIN_TITLES",
    "EVAL_BOOT",
    "EVAL_MODELS",
    "BASELINES",
    "VIEWER_MODELS",
    "PROTOCOL",
    "RecModels",
    "catalog_frame",
    "fit_models",
    "similar_titles",
    "explain_similar",
    "evidence",
    "viewer_recommendations",
    "viewer_history",
    "pairwise_similarity",
    "fit_validated",
    "interval",
    "tuned_text",
    "models",
    "interactions",
    "sample",
    "hybrid",
    "tuning",
    "comparison",
    "has_timestamps",
    "viewer_model",
]

log = logging.getLogger(__name__)

# EVAL_* (the evaluation protocol of the "How good is it" tab, also used to choose the viewer
# tab's default model on validation only) live in lib.models.rec_service, shared with the build;
# the cached loaders below read this module's names, so a test may change them here.
EVAL_MODELS: tuple[str, ...] = COMPARED
BASELINES: tuple[str, ...] = EVAL_BASELINES
# models a viewer's list can come from ("best": the one with the best validation NDCG@10)
VIEWER_MODELS: tuple[str, ...] = ("best", *[n for n in COMPARED if n != "Random"])


# --------------------------------------------------------------------------- cached part
#
# Each loader first reads what the build's models step stored (``lib.data.pipeline.
# models_recommend``, ``lib.models.rec_service`` artefacts); on a miss (not precomputed, other
# settings, other library versions) it computes as the build would, with progress, and
# stores the result back when the dataset folder is a published one (``artifacts.
# trusted_folder``), so the next server start finds it.


def _dataset_key() -> tuple[str, str]:
    """(folder, build time) of the active dataset: the cache key of its models."""
    return str(ui.active_dir()), str(ui.manifest().get("built_at", ""))


def _table(name: str) -> pd.DataFrame:
    """``titles`` or ``interactions`` as the models see them: whole, or a seeded sample
    above the bound of :mod:`lib.data.model_input` (empty when the dataset has no such table)."""
    try:
        return ui.model_table(name)[0]
    except FileNotFoundError:
        return pd.DataFrame()


def interactions() -> pd.DataFrame:
    """The interactions the models are fitted on (every viewer's whole history is in it or
    not at all), empty without interactions. Read-only."""
    return _table("interactions")


def sample() -> model_input.Sample | None:
    """Which interactions of the active dataset the collaborative models are fitted on (all,
    or whole histories of a seeded sample of viewers); None without interactions."""
    try:
        return ui.model_table("interactions")[1]
    except FileNotFoundError:
        return None


def _store(what: str, folder: str, save: Callable[[Path], None], users: int | None = None) -> None:
    """Run ``save(folder)`` when the folder is a published dataset; never fails the page.

    Only results made with the page's default settings are stored (the ones the build
    makes): a result of other settings (a test's smaller sample) stays in memory and never
    replaces the build's.
    """
    path = Path(folder)
    default = users == (svc.EVAL_USERS or None) and EVAL_EASE_BUDGET_GIB == svc.EVAL_EASE_BUDGET_GIB
    if not default or not artifacts.trusted_folder(path):
        return
    try:
        save(path)
    except (OSError, ValueError) as exc:  # read-only data root, full disk: recompute next time
        log.warning("could not store the recommender's %s in %s: %s", what, folder, exc)


@st.cache_resource(max_entries=4, show_spinner=False)
def _models(folder: str, built: str) -> RecModels:
    found = svc.load_models(folder)
    if found is not None:
        return found
    t0 = time.perf_counter()
    m = fit_models(_table("titles"), _table("interactions"))
    if m.available("hybrid") is None:
        m.hybrid(svc.DEFAULT_ALPHA)  # the default blend, stored with the components
    seconds = time.perf_counter() - t0
    _store(
        "models", folder, lambda p: svc.save_models(p, m, seconds=seconds), svc.EVAL_USERS or None
    )
    return m


def models() -> RecModels:
    """Fitted models of the active dataset (fitted once per dataset build; read-only)."""
    return _models(*_dataset_key())


def hybrid(alpha: float) -> Hybrid:
    """The active dataset's ``Hybrid`` at ``alpha`` (read-only)."""
    return models().hybrid(alpha)


def _eval_users() -> int | None:
    return EVAL_USERS or None


class _Memo:
    """A bounded, thread-safe memo (least recently used out) for results computed with progress.

    ``st.cache_resource`` replays the elements a cached function draws, so a function that
    draws a progress bar while it computes cannot use it; this memo computes each key once
    (concurrent callers of one key wait for the first) and keeps ``max_entries`` results.
    """

    def __init__(self, max_entries: int) -> None:
        self.max_entries = int(max_entries)
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            value = make()
            with self._lock:
                self._values[key] = value
                while len(self._values) > self.max_entries:
                    old, _ = self._values.popitem(last=False)
                    self._key_locks.pop(old, None)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._key_locks.clear()


_TUNING = _Memo(max_entries=2)
_COMPARISON = _Memo(max_entries=4)  # 2 datasets x 2 splits


def _tuning(
    folder: str, built: str, users: int | None, _progress: Progress | None = None
) -> tuple[dict[str, TuneResult], dict[str, str], str | None]:
    key = (folder, built, users, EVAL_EASE_BUDGET_GIB)
    return _TUNING.get(key, lambda: _tune(folder, built, users, _progress))


def _tune(
    folder: str, built: str, users: int | None, progress: Progress | None
) -> tuple[dict[str, TuneResult], dict[str, str], str | None]:
    budget = EVAL_EASE_BUDGET_GIB
    found = svc.load_tuning(folder, users=users, budget=budget)
    if found is not None:
        return found
    t0 = time.perf_counter()
    res = svc.tune(
        _table("titles"),
        _table("interactions"),
        _models(folder, built).content,
        users=users,
        budget=budget,
        progress=progress,
    )
    seconds = time.perf_counter() - t0
    _store(
        "tuning",
        folder,
        lambda p: svc.save_tuning(p, res, users=users, budget=budget, seconds=seconds),
        users,
    )
    return res


def tuning(
    progress: Progress | None = None,
) -> tuple[dict[str, TuneResult], dict[str, str], str | None]:
    """Validated values of every model of the active dataset, what was skipped, the best.

    Chosen on validation carved from the evaluation's training part (``EVAL_*`` settings);
    computed once per dataset build. Raises ``ValueError`` without interactions.
    """
    m = models()
    if m.collab is None:
        raise ValueError(m.collab_reason or NO_INTERACTIONS)
    return _tuning(*_dataset_key(), _eval_users(), _progress=progress)


def _comparison(
    folder: str,
    built: str,
    users: int | None,
    split: str = "random",
    _progress: Progress | None = None,
) -> Comparison:
    key = (folder, built, users, EVAL_EASE_BUDGET_GIB, split)
    return _COMPARISON.get(key, lambda: _compare(folder, built, users, split, _progress))


def _compare(
    folder: str, built: str, users: int | None, split: str, progress: Progress | None
) -> Comparison:
    budget = EVAL_EASE_BUDGET_GIB
    found = svc.load_comparison(folder, split=split, users=users, budget=budget)
    if found is not None:
        return found
    report = progress or (lambda _f, _m: None)
    t0 = time.perf_counter()
    tuned = None
    if split == "random":  # the viewer tab's tuning is on this split: share it
        tuned = _tuning(folder, built, users, _progress=lambda f, msg: report(0.8 * f, msg))
    res = svc.compare(
        _table("titles"),
        _table("interactions"),
        _models(folder, built).content,
        split=split,
        tuned=tuned,
        users=users,
        budget=budget,
        progress=report,
    )
    seconds = time.perf_counter() - t0
    _store(
        "comparison",
        folder,
        lambda p: svc.save_comparison(
            p, res, split=split, users=users, budget=budget, seconds=seconds
        ),
        users,
    )
    return res


def has_timestamps() -> bool:
    """Whether the active dataset's interactions carry times (for the leave-last-out split)."""
    return svc.has_timestamps(_table("interactions"))


def comparison(progress: Progress | None = None, split: str = "random") -> Comparison:
    """Every model of the active dataset tuned on validation and scored on test, with intervals.

    ``lib.models.evaluate.compare_recommenders`` with the page's settings, computed once per dataset
    build and split (``"random"``: per-viewer 20% holdout, sharing the viewer tab's tuning;
    ``"time"``: each viewer's latest title, tuned on each viewer's latest training title).
    ``progress(fraction, message)``. Raises ``ValueError`` without interactions, or for a
    time split without timestamps.
    """
    m = models()
    if m.collab is None:
        raise ValueError(m.collab_reason or NO_INTERACTIONS)
    return _comparison(*_dataset_key(), _eval_users(), split, _progress=progress)


@st.cache_resource(max_entries=3, show_spinner=False)
def _viewer_model(folder: str, built: str, users: int | None, name: str, budget: float) -> Any:
    tuned = _tuning(folder, built, users)
    found = svc.load_viewer_model(folder, name, tuned, users=users, budget=budget)
    if found is not None:
        return found
    t0 = time.perf_counter()
    model = fit_validated(name, tuned[0], _models(folder, built).content, _table("interactions"))
    seconds = time.perf_counter() - t0
    _store(
        f"{name} model",
        folder,
        lambda p: svc.save_viewer_model(
            p, name, model, tuned, users=users, budget=budget, seconds=seconds
        ),
        users,
    )
    return model


def viewer_model(name: str) -> Any:
    """Model ``name`` of ``VIEWER_MODELS`` with its validated values, fitted on all
    interactions of the active dataset (cached, read-only). Call ``tuning`` first."""
    return _viewer_model(*_dataset_key(), _eval_users(), name, EVAL_EASE_BUDGET_GIB)
