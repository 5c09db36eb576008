"""Top 10 family of the build's models step: what the Top 10 predictor page shows by default.

The page (``pages/top10.py`` through ``lib.ui.top10_models``) needs, on its first visit with
default settings: the cross-validation of the three model kinds (the Model selector, the Model
quality tab), the fitted model of the selected kind (Predict tab, held-out curves), its
permutation importance (Model quality tab) and the leakage report (Leakage tab). The build
computes them here with the same functions and defaults (:data:`lib.models.top10.PRE`,
:data:`~lib.models.top10.SEED`, :data:`~lib.models.top10.N_SPLITS`,
:data:`~lib.models.top10.N_JOBS`; the cross-validations here on one worker process per core,
:func:`build_jobs`) and stores them as artefacts of the dataset
(:mod:`lib.data.artifacts`):

=============================  ========  ==================================================
artefact                       format    what
=============================  ========  ==================================================
``top10/cv_<kind>``            Parquet   ``compare_models`` row of one kind (attrs kept)
``top10/model_<kind>``         joblib    the fitted :class:`lib.models.top10.Top10Model`
``top10/importance_<kind>``    Parquet   its permutation importance
``top10/leakage_<kind>``       JSON      ``leakage_report`` (its table as columns + rows)
=============================  ========  ==================================================

Models and importance are stored for every kind (the analyst picks one on the page; a model
costs well under a second at scale 1), the leakage report for the best kind only (the default
selection; it cross-validates twice, about 5 s per kind at scale 1) - another kind's report is
computed on demand and saved back by the page.

A request with other features or another seed gets its own artefact name (a digest of its
params appended), so it never overwrites the defaults.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from lib.config import TOP10_LABEL
from lib.data import artifacts, model_input
from lib.data.pipeline.models import worker_processes
from lib.models import top10

__all__ = [
    "FAMILY",
    "WHATS",
    "IMPORTANCE_REPEATS",
    "build",
    "training_table",
    "label_counts",
    "artefact",
    "stored",
    "load",
    "save",
    "cross_validate",
    "rank",
    "fit",
    "importance",
    "leakage",
    "build_jobs",
]

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]

FAMILY = "top10"
WHATS = ("cv", "model", "importance", "leakage")
IMPORTANCE_REPEATS = 5  # shuffles per input (``Top10Model.permutation_importance``)
# share of the step's time each part takes (scale-1 demo: 5.4 s CV, 1.2 s models, 1.3 s
# importance, 5.6 s leakage), for the progress bar
_WEIGHTS = {"cv": 0.4, "model": 0.1, "importance": 0.1, "leakage": 0.4}


# ------------------------------------------------------------------- computations ---
# The page calls these too, so the build and an on-demand computation are the same code.
def training_table(folder: str | Path) -> pd.DataFrame:
    """Gold ``top10_training`` of the dataset at ``folder``, read as the page reads it:
    whole, or a seeded sample stratified by the label above its bound (lib.data.model_input)."""
    return model_input.read(folder, "top10_training")[0]


def label_counts(table: pd.DataFrame) -> tuple[int, int]:
    """Titles in the Top 10 and not (rows without a label are not counted)."""
    if TOP10_LABEL not in table.columns or table.empty:
        return 0, 0
    label = pd.to_numeric(table[TOP10_LABEL], errors="coerce")
    return int((label == 1).sum()), int((label == 0).sum())


def cross_validate(
    table: pd.DataFrame,
    kind: str,
    features: Sequence[str] = top10.PRE,
    seed: int = top10.SEED,
    n_jobs: int = top10.N_JOBS,
) -> pd.DataFrame:
    """``compare_models`` of one kind (one row; the folds depend only on seed and labels, so
    the figures are the same with any ``n_jobs``)."""
    return top10.compare_models(
        table,
        tuple(features),
        seed=seed,
        kinds=(kind,),
        n_splits=top10.N_SPLITS,
        n_jobs=n_jobs,
    )


def rank(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """One-kind cross-validations (in ``MODEL_KINDS`` order) as one table, best ROC-AUC
    first - equal to one ``compare_models`` call over all the kinds."""
    out = pd.concat(list(parts), ignore_index=True)
    out = out.sort_values("roc_auc_mean", ascending=False, kind="stable").reset_index(drop=True)
    out.attrs.update(parts[0].attrs)
    return out


def fit(
    table: pd.DataFrame,
    kind: str,
    features: Sequence[str] = top10.PRE,
    seed: int = top10.SEED,
) -> top10.Top10Model:
    """The calibrated ``kind`` model trained on the older titles (``lib.models.top10.train``)."""
    return top10.train(table, tuple(features), kind=kind, seed=seed)


def importance(
    model: top10.Top10Model, seed: int = top10.SEED, n_jobs: int = top10.N_JOBS
) -> pd.DataFrame:
    """Permutation importance of ``model`` on its held-out titles (the same with any
    ``n_jobs``)."""
    return model.permutation_importance(IMPORTANCE_REPEATS, seed=seed, n_jobs=n_jobs)


def leakage(
    table: pd.DataFrame, kind: str, seed: int = top10.SEED, n_jobs: int = top10.N_JOBS
) -> dict[str, Any]:
    """``leakage_report`` (honest vs leaky cross-validation) for ``kind``."""
    return top10.leakage_report(table, seed, kind=kind, n_splits=top10.N_SPLITS, n_jobs=n_jobs)


def build_jobs() -> int:
    """Worker processes of the models step's cross-validations and permutation importance:
    one per core, at most one per fold. The page keeps ``top10.N_JOBS`` (one) for what it
    computes on demand.

    Measured on this 2-core machine, the three kinds' 5-fold cross-validations and the
    leakage report of one kind: real Netflix catalog + Top 10 + IMDb (10,456 titles) 79.0 s
    with one process, 50.0 s with two; scale-1 demo (991 titles) 11.1 s and 8.4 s (the first
    call starts the workers: ~1.2 s). The folds are the same, so are the figures.
    """
    return worker_processes(top10.N_SPLITS)


# ---------------------------------------------------------------------- artefacts ---
def artefact(
    what: str,
    kind: str,
    features: Sequence[str] = top10.PRE,
    seed: int = top10.SEED,
) -> tuple[str, dict[str, Any]]:
    """Artefact name and the params that identify one request.

    ``what`` is ``"cv"``, ``"model"``, ``"importance"`` or ``"leakage"`` (the leakage report
    has fixed feature sets: ``features`` is ignored). Defaults are named
    ``top10/<what>_<kind>``; other features or seeds get a digest of their params appended.
    """
    if what not in WHATS:
        raise ValueError(f"unknown Top 10 artefact {what!r}; expected one of {WHATS}")
    if kind not in top10.MODEL_KINDS:
        raise ValueError(f"unknown model kind {kind!r}")
    features = tuple(features)
    params: dict[str, Any] = {
        "kind": kind,
        "seed": int(seed),
        "rows_bound": model_input.bound("top10_training"),
    }
    if what != "leakage":
        params["features"] = list(features)
    if what in ("cv", "leakage"):
        params["n_splits"] = top10.N_SPLITS
    if what == "importance":
        params["n_repeats"] = IMPORTANCE_REPEATS
    name = f"{FAMILY}/{what}_{kind}"
    if (what != "leakage" and features != top10.PRE) or seed != top10.SEED:
        digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:12]
        name = f"{name}_{digest}"
    return name, params


def stored(folder: str | Path, what: str, kind: str, **request: Any) -> bool:
    """True when a fresh artefact for this request is in the dataset ``folder`` and may be
    loaded there (fitted models only from a trusted folder)."""
    name, params = artefact(what, kind, **request)
    e = artifacts.entry(folder, name, params)
    return e is not None and (e.get("kind") != "joblib" or artifacts.trusted_folder(folder))


def _leakage_doc(report: dict[str, Any]) -> dict[str, Any]:
    doc = {k: v for k, v in report.items() if k != "table"}
    table = report["table"]
    doc["table"] = {"columns": list(table.columns), "rows": table.to_numpy().tolist()}
    return doc


def _leakage_report(doc: dict[str, Any]) -> dict[str, Any]:
    report = dict(doc)
    report["table"] = pd.DataFrame(doc["table"]["rows"], columns=doc["table"]["columns"])
    return report


def load(folder: str | Path, what: str, kind: str, **request: Any) -> Any:
    """The stored result of this request when it is fresh and loadable, else ``None``."""
    name, params = artefact(what, kind, **request)
    try:
        value = artifacts.load(folder, name, params)
    except PermissionError as exc:
        log.warning("%s", exc)
        return None
    if value is None:
        return None
    if what == "model":
        return value if isinstance(value, top10.Top10Model) else None
    if what == "leakage":
        try:
            return _leakage_report(value)
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("artefact %s unreadable (%s): it will be recomputed", name, exc)
            return None
    return value if isinstance(value, pd.DataFrame) else None


def save(
    folder: str | Path,
    what: str,
    kind: str,
    value: Any,
    *,
    seconds: float | None = None,
    **request: Any,
) -> Path:
    """Store the result of this request in the dataset ``folder``."""
    name, params = artefact(what, kind, **request)
    if what == "leakage":
        value = _leakage_doc(value)
    return artifacts.save(folder, name, value, params=params, seconds=seconds)


# -------------------------------------------------------------------- models step ---
def build(folder: Path, progress: Progress) -> dict[str, Any]:
    """Compute and store what the Top 10 page shows by default; a short summary.

    ``{"skipped": reason}`` when the dataset has no usable ``top10_training`` table (none,
    no labels, too few titles of a class to train and evaluate).
    """
    folder = Path(folder)
    if not (folder / "gold" / "top10_training.parquet").exists():
        return {"skipped": "no top10_training table"}
    table = training_table(folder)
    n_top, n_other = label_counts(table)
    if n_top + n_other == 0:
        return {"skipped": "no titles with a Top 10 label"}
    done = 0.0
    seconds: dict[str, float] = dict.fromkeys(WHATS, 0.0)
    jobs = build_jobs()

    def timed(what: str, kind: str, message: str, func: Callable[[], Any]) -> Any:
        nonlocal done
        progress(done, message)
        t0 = time.perf_counter()
        value = func()
        elapsed = time.perf_counter() - t0
        save(folder, what, kind, value, seconds=elapsed)
        seconds[what] += elapsed
        share = 1 if what == "leakage" else len(top10.MODEL_KINDS)
        done += _WEIGHTS[what] / share
        return value

    try:
        parts = [
            timed(
                "cv",
                k,
                f"{k}: {top10.N_SPLITS}-fold cross-validation",
                lambda k=k: cross_validate(table, k, n_jobs=jobs),
            )
            for k in top10.MODEL_KINDS
        ]
    except ValueError as exc:  # the page shows the same reason
        return {"skipped": str(exc)}
    cv = rank(parts)
    best = str(cv["kind"].iloc[0])
    trained, problems = [], {}
    for k in top10.MODEL_KINDS:
        try:
            model = timed("model", k, f"{k}: training", lambda k=k: fit(table, k))
            timed(
                "importance",
                k,
                f"{k}: permutation importance",
                lambda m=model: importance(m, n_jobs=jobs),
            )
            trained.append(k)
        except ValueError as exc:  # the page computes (and reports) it on demand
            problems[k] = str(exc)
    try:
        timed("leakage", best, f"{best}: leakage report", lambda: leakage(table, best, n_jobs=jobs))
    except ValueError as exc:
        problems[f"leakage_{best}"] = str(exc)
    summary: dict[str, Any] = {
        "titles": n_top + n_other,
        "best": best,
        "roc_auc": round(float(cv["roc_auc_mean"].iloc[0]), 3),
        "models": trained,
        "leakage": best,
        "seconds_by_part": {k: round(v, 2) for k, v in seconds.items()},
    }
    if problems:
        summary["problems"] = problems
    log.info("top10 models step: %s", summary)
    return summary
