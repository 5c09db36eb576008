"""Models step, family ``recommend``: what the Recommender page shows with its defaults.

Fits the similar-titles models (content kNN, item kNN, the default hybrid), tunes every
compared model on validation (the viewer tab's default model and the evaluation's values),
fits the best one on every interaction (the viewer tab's default list), and scores every
model on the random split and, where the interactions carry times, the leave-last-out split
(the "How good is it" tab) - with the page's own settings (``lib.models.rec_service``), so a page
visit after a build loads these artefacts instead of fitting. The two splits' comparisons are
independent and run in two worker processes when the machine has two cores or more.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from lib.data import model_input
from lib.data.pipeline.models import worker_processes
from lib.models import rec_service as svc

__all__ = ["build"]

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]


def _gold(folder: Path, name: str) -> pd.DataFrame:
    """A gold table read as the page reads it (``lib.ui.data.model_table``: whole, or a
    seeded sample above its bound), empty when absent."""
    try:
        return model_input.read(folder, name)[0]
    except FileNotFoundError:
        return pd.DataFrame()


def build(folder: Path, progress: Progress) -> dict[str, Any]:
    """Fit, tune and evaluate the recommenders of the dataset at ``folder``; store them.

    Returns a summary: the models fitted, the best model on validation, the splits compared
    and the seconds of each part; ``{"skipped": reason}`` without titles or interactions.
    """
    folder = Path(folder)
    titles, inter = _gold(folder, "titles"), _gold(folder, "interactions")
    if titles.empty and inter.empty:
        return {"skipped": "no titles and no interactions"}
    users, budget = svc.EVAL_USERS or None, svc.EVAL_EASE_BUDGET_GIB
    summary: dict[str, Any] = {}

    progress(0.0, "fitting the similar-titles models")
    t0 = time.perf_counter()
    m = svc.fit_models(titles, inter)
    if m.available("hybrid") is None:
        m.hybrid(svc.DEFAULT_ALPHA)
    svc.save_models(folder, m, seconds=time.perf_counter() - t0)
    summary["models"] = [k for k in ("content", "collaborative") if m.available(k) is None]
    summary["fit_seconds"] = round(time.perf_counter() - t0, 2)
    if m.collab is None:
        summary["evaluation"] = f"skipped: needs {m.collab_reason or svc.NO_INTERACTIONS}"
        return summary

    splits = ["random", *(["time"] if svc.has_timestamps(inter) else [])]
    # rough shares of the work: tuning 35%, the viewer model 5%, each comparison the rest
    share = 0.6 / len(splits)

    def part(lo: float, width: float, what: str) -> Progress:
        return lambda f, msg: progress(lo + width * min(max(f, 0.0), 1.0), f"{what}: {msg}")

    t0 = time.perf_counter()
    tuning = svc.tune(
        titles, inter, m.content, users=users, budget=budget, progress=part(0.05, 0.3, "tuning")
    )
    svc.save_tuning(folder, tuning, users=users, budget=budget, seconds=time.perf_counter() - t0)
    tuned, skipped, best = tuning
    summary.update(
        best=best, skipped=sorted(skipped), tune_seconds=round(time.perf_counter() - t0, 2)
    )

    if best is not None:
        progress(0.35, f"fitting {best} on every interaction")
        t0 = time.perf_counter()
        model = svc.fit_validated(best, tuned, m.content, inter)
        svc.save_viewer_model(
            folder,
            best,
            model,
            tuning,
            users=users,
            budget=budget,
            seconds=time.perf_counter() - t0,
        )
        summary["viewer_seconds"] = round(time.perf_counter() - t0, 2)

    jobs = worker_processes(len(splits))
    if jobs > 1:  # the splits' comparisons are independent: one worker process each
        from joblib import Parallel, delayed

        progress(
            0.4, f"comparing the models on the {' and '.join(splits)} splits ({jobs} processes)"
        )
        results = Parallel(n_jobs=jobs)(
            delayed(_compare)(titles, inter, m.content, split, tuning, users, budget)
            for split in splits
        )
    else:
        results = [
            _compare(
                titles,
                inter,
                m.content,
                split,
                tuning,
                users,
                budget,
                progress=part(0.4 + i * share, share, f"comparing ({split} split)"),
            )
            for i, split in enumerate(splits)
        ]
    for split, (res, seconds) in zip(splits, results, strict=True):
        svc.save_comparison(folder, res, split=split, users=users, budget=budget, seconds=seconds)
        summary[f"compare_{split}_seconds"] = round(seconds, 2)
        summary[f"best_{split}"] = res.best
    log.info("recommend models: %s", summary)
    return summary


def _compare(
    titles: pd.DataFrame,
    inter: pd.DataFrame,
    content: Any,
    split: str,
    tuning: Any,
    users: int | None,
    budget: float,
    progress: Progress | None = None,
) -> tuple[svc.Comparison, float]:
    """``svc.compare`` on ``split`` with the build's tuning; the result and its seconds."""
    t0 = time.perf_counter()
    res = svc.compare(
        titles,
        inter,
        content,
        split=split,
        tuned=tuning,
        users=users,
        budget=budget,
        progress=progress,
    )
    return res, time.perf_counter() - t0
