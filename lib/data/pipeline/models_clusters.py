"""Models step, family "clusters": what the Cluster explorer shows on its first visit.

For the viewers (gold ``users``) and the titles (gold ``titles``), with the page's default
features, scaling and missing-value policy (``lib.models.cluster_features``), it stores:

* ``clusters/<entity>_scan`` (Parquet): ``scan_k`` over k = 2-12 (the Auto k view);
* ``clusters/<entity>_labels`` (NPZ) and ``clusters/<entity>_fit`` (JSON): the K-Means
  clustering with the default k (labels, row positions, silhouettes; silhouette summary,
  surrogate-tree fidelity and rules);
* ``clusters/<entity>_projection`` (Parquet): the default 2-D PCA view;
* ``clusters/<entity>_stability`` (JSON): the stability across seeds of the default k.

Each artefact's params are :func:`lib.models.cluster_features.params` of its request, the key the
page's cached layer (``lib.ui.cluster_models``) loads it with.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from lib.data import artifacts, model_input
from lib.models import cluster
from lib.models import cluster_features as cf

__all__ = ["build"]

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]
_TABLES = cf.TABLES
_STEPS = 4  # scan, fit, projection, stability


def _table(folder: Path, name: str) -> pd.DataFrame | None:
    """The gold table the page clusters: whole, or its seeded sample above the bound."""
    try:
        return model_input.read(folder, name)[0]
    except (FileNotFoundError, OSError) as exc:
        log.info("clusters: no gold %s table (%s)", name, exc)
        return None


def _build_entity(folder: Path, ent: cf.Entity, progress: Progress) -> dict[str, Any]:
    """Compute and store the default results of one entity; return its summary."""
    features = ent.defaults
    X = ent.candidates[features]
    opts = {"scaling": cf.DEFAULT_SCALING, "missing": cf.DEFAULT_MISSING}
    n_rows = cf.usable_rows(ent, features, cf.DEFAULT_MISSING)
    if n_rows < cf.MIN_ROWS:
        return {"skipped": f"{n_rows} usable rows (at least {cf.MIN_ROWS} needed)"}

    def store(kind: str, name: str, value: Any, t0: float) -> None:
        artifacts.save(
            folder,
            cf.artefact(ent.key, name),
            value,
            params=cf.default_params(ent, kind),
            seconds=time.perf_counter() - t0,
        )

    progress(0.0, f"{ent.key}: k scan")
    t0 = time.perf_counter()
    lo, hi = cf.K_RANGE
    scan = cluster.scan_k(
        X,
        range(lo, hi + 1),
        seed=cf.SEED,
        **opts,
        progress=lambda f, m: progress(f / _STEPS, f"{ent.key}: {m}"),
    )
    store("scan", "scan", scan, t0)

    progress(1 / _STEPS, f"{ent.key}: K-Means with k = {cf.DEFAULT_K}")
    t0 = time.perf_counter()
    result = cf.compute_clustering(X, cf.DEFAULT_K, **opts)
    store("fit", "labels", cf.clustering_arrays(result, ent.candidates.index), t0)
    store("fit", "fit", cf.clustering_summary(result), t0)

    progress(2 / _STEPS, f"{ent.key}: 2-D PCA view")
    t0 = time.perf_counter()
    xy = cluster.project(X, cf.DEFAULT_METHOD, seed=cf.SEED, sample=cf.PCA_SAMPLE, **opts)
    store("projection", "projection", xy, t0)

    progress(3 / _STEPS, f"{ent.key}: stability across {len(cf.STABILITY_SEEDS)} seeds")
    t0 = time.perf_counter()
    stab = cluster.stability_ari(
        X, cf.DEFAULT_K, seeds=cf.STABILITY_SEEDS, sample=cf.STABILITY_SAMPLE, **opts
    )
    store("stability", "stability", cf.stability_dict(stab), t0)
    return {
        "rows": n_rows,
        "features": len(features),
        "k": cf.DEFAULT_K,
        "suggested_k": int(scan.attrs["suggested_k"]),
        "silhouette": round(result.silhouette_mean, 3),
        "stability_ari": round(stab.mean, 3),
    }


def build(folder: Path, progress: Progress) -> dict[str, Any]:
    """Store the Cluster explorer's default results for the viewers and the titles."""
    folder = Path(folder)
    out: dict[str, Any] = {}
    for i, key in enumerate(cf.ENTITIES):
        share = 1 / len(cf.ENTITIES)

        def step(f: float, message: str, i: int = i, share: float = share) -> None:
            progress(i * share + share * min(max(f, 0.0), 1.0), message)

        table = _table(folder, _TABLES[key])
        if table is None:
            out[key] = {"skipped": f"no gold {_TABLES[key]} table"}
            continue
        ent = cf.entity(key, table)
        if ent.problem is not None:
            out[key] = {"skipped": ent.problem}
            continue
        t0 = time.perf_counter()
        out[key] = _build_entity(folder, ent, step)
        out[key]["seconds"] = round(time.perf_counter() - t0, 2)
    if all("skipped" in v for v in out.values()):
        return {"skipped": "; ".join(f"{k}: {v['skipped']}" for k, v in out.items())}
    return out
