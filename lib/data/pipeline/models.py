"""The build's models step: what the model pages show by default, computed after gold.

Each model family has a module ``lib.data.pipeline.models_<family>`` with one function,
``build(folder, progress) -> dict``, that reads the dataset's gold tables, fits and
evaluates with the same defaults the page uses, and stores the results with
:func:`lib.data.artifacts.save` (returning a short summary for the quality report). The pages
load them with :func:`lib.data.artifacts.load` and fit nothing on a visit unless the analyst asks
for something that was not precomputed.

A family whose gold tables are missing or too small returns ``{"skipped": reason}``; a
family that fails is logged and reported (``{"error": ...}``) without failing the build -
the page then computes on demand, as it would for a stale artefact.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["FAMILIES", "build_models", "worker_processes"]

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]

# model families in build order (the slowest, the recommenders' evaluation, last);
# each is the module lib.data.pipeline.models_<family>
FAMILIES: tuple[str, ...] = ("top10", "clusters", "recommend")


def worker_processes(tasks: int) -> int:
    """Worker processes for ``tasks`` independent pieces of a family's work: one per core,
    no more than the pieces. The pages compute in one process beside the server."""
    return max(1, min(os.cpu_count() or 1, tasks))


# builds of this process now in their models step (a server can build two datasets at once)
_steps = 0
_steps_lock = threading.Lock()


@contextmanager
def _worker_pool() -> Iterator[None]:
    """Around a models step: when the last step running in this process ends, stop joblib's
    worker processes. Left alone they wait 300 s for more work, holding memory in the server
    after its first-start build or an import (the scale-1 demo's two: 630 MiB). Another
    step starting meanwhile waits for the stop, then starts new workers."""
    global _steps
    with _steps_lock:
        _steps += 1
    try:
        yield
    finally:
        with _steps_lock:
            _steps -= 1
            if _steps == 0 and (os.cpu_count() or 1) > 1:  # else no worker was started
                from joblib.externals.loky import get_reusable_executor

                get_reusable_executor().shutdown(wait=True)


def build_models(
    folder: str | Path,
    progress: Progress | None = None,
    *,
    families: Sequence[str] | None = None,
    span: tuple[float, float] = (0.0, 1.0),
) -> dict[str, Any]:
    """Run the models step of the dataset at ``folder``; return a summary per family.

    ``progress(fraction, message)`` fractions lie in ``span``, so a caller can place this
    step inside a longer build.
    """
    with _worker_pool():
        return _build_models(Path(folder), progress, families, span)


def _build_models(
    folder: Path,
    progress: Progress | None,
    families: Sequence[str] | None,
    span: tuple[float, float],
) -> dict[str, Any]:
    names = tuple(families) if families is not None else FAMILIES
    lo, hi = span
    report: dict[str, Any] = {}
    for i, family in enumerate(names):
        base = lo + (hi - lo) * i / max(len(names), 1)
        width = (hi - lo) / max(len(names), 1)

        def step(f: float, message: str, base=base, width=width, family=family) -> None:
            if progress is not None:
                progress(base + width * min(max(f, 0.0), 1.0), f"models: {family}: {message}")

        t0 = time.perf_counter()
        step(0.0, "starting")
        module = importlib.import_module(f"lib.data.pipeline.models_{family}")
        try:
            summary = module.build(folder, step) or {}
        except Exception as exc:  # the pages fall back to computing on demand
            log.exception("models step %s failed", family)
            summary = {"error": f"{type(exc).__name__}: {exc}"}
        summary["seconds"] = round(time.perf_counter() - t0, 2)
        report[family] = summary
        step(1.0, f"done in {summary['seconds']:.1f} s")
    return report
