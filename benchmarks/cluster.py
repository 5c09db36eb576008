"""Benchmark: lib.models.cluster against plain scikit-learn, in the same run.

    python -m benchmarks.cluster            # everything (the 100k full-silhouette baseline
                                            # alone takes a few minutes)
    python -m benchmarks.cluster --quick    # skip that one baseline

Targets (issue 5), on 2 cores:
  fit_kmeans on 100,000 rows x 30 features            <= 5 s
  scan_k over k = 2..10 on 10,000 rows x 30 features  <= 10 s
  project(method="tsne") of 5,000 rows                <= 30 s
Baselines: KMeans(n_init=10) with the full (unsampled) silhouette, and TSNE with sklearn's
defaults. Quality is printed next to time (ARI against the planted labels, the suggested k,
the sampled silhouette against the full one, t-SNE trustworthiness), so speed is not bought
with wrong answers. Wall times depend on other load: the load average is printed too.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.manifold import TSNE, trustworthiness
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from sklearn.preprocessing import StandardScaler

from lib.models.cluster import fit_kmeans, project, scan_k

TARGETS = {"fit_kmeans 100k x 30": 5.0, "scan_k 10k x 30, k=2..10": 10.0, "t-SNE 5k": 30.0}


def _data(n: int, seed: int = 0, centers: int = 6) -> tuple[pd.DataFrame, np.ndarray]:
    """n x 30 Gaussian blobs on mixed scales (so scaling matters), planted labels."""
    X, y = make_blobs(
        n_samples=n, n_features=30, centers=centers, cluster_std=6.0, random_state=seed
    )
    X = X * np.geomspace(0.1, 100, 30)
    return pd.DataFrame(X, columns=[f"f{i:02d}" for i in range(30)]), y


def _timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t, time.process_time() - c


def _row(name: str, wall: float, cpu: float, quality: str, base: float | None = None) -> None:
    target = TARGETS.get(name)
    verdict = "" if target is None else (" OK " if wall <= target else " SLOW")
    ratio = f"{base / wall:6.1f}x" if base else "       "
    tgt = f"<= {target:4.0f} s" if target else " " * 9
    print(f"{name:<40} {wall:8.2f} s {cpu:8.2f} s {ratio} {tgt}{verdict}  {quality}", flush=True)


def bench_fit(full_baseline: bool) -> None:
    X, y = _data(100_000)
    res, wall, cpu = _timed(lambda: fit_kmeans(X, 6, seed=0))
    base_wall = None
    if full_baseline:
        Z = StandardScaler().fit_transform(X)

        def baseline() -> tuple[np.ndarray, float]:
            km = KMeans(n_clusters=6, n_init=10, random_state=0).fit(Z)
            return km.labels_, silhouette_score(Z, km.labels_)

        (labels, sil), base_wall, base_cpu = _timed(baseline)
        _row(
            "baseline KMeans(n_init=10)+full sil",
            base_wall,
            base_cpu,
            f"ARI {adjusted_rand_score(y, labels):.3f}  silhouette {sil:.4f}",
        )
        gap = f"  (full {sil:.4f})"
    else:
        gap = ""
    _row(
        "fit_kmeans 100k x 30",
        wall,
        cpu,
        f"ARI {adjusted_rand_score(y, res.labels):.3f}  silhouette {res.silhouette_mean:.4f}"
        f" on {res.silhouette_sample_size:,} rows{gap}  [{res.algorithm}]",
        base_wall,
    )


def bench_scan() -> None:
    X, y = _data(10_000, seed=1)
    scan, wall, cpu = _timed(lambda: scan_k(X, range(2, 11), seed=0))
    Z = StandardScaler().fit_transform(X)

    def baseline() -> pd.DataFrame:
        rows = []
        for k in range(2, 11):
            lab = KMeans(n_clusters=k, n_init=10, random_state=0).fit(Z).labels_
            rows.append(
                (
                    k,
                    silhouette_score(Z, lab),
                    calinski_harabasz_score(Z, lab),
                    davies_bouldin_score(Z, lab),
                )
            )
        return pd.DataFrame(rows, columns=["k", "silhouette", "ch", "db"])

    base, base_wall, base_cpu = _timed(baseline)
    base_k = int(base.loc[base["ch"].idxmax(), "k"])
    sil_err = float(np.max(np.abs(scan["silhouette"].to_numpy() - base["silhouette"].to_numpy())))
    _row(
        "baseline scan KMeans(n_init=10)+full sil",
        base_wall,
        base_cpu,
        f"suggested k {base_k} (true 6)",
    )
    _row(
        "scan_k 10k x 30, k=2..10",
        wall,
        cpu,
        f"suggested k {scan.attrs['suggested_k']} (true 6)  max |silhouette - full| {sil_err:.4f}",
        base_wall,
    )


def bench_tsne() -> None:
    X, y = _data(20_000, seed=2, centers=8)
    xy, wall, cpu = _timed(lambda: project(X, "tsne", seed=0, sample=5_000))
    Z = StandardScaler().fit_transform(X.loc[xy.index])
    base, base_wall, base_cpu = _timed(
        lambda: TSNE(n_components=2, init="pca", random_state=0).fit_transform(Z)
    )
    check = slice(0, 1500)
    tw_base = trustworthiness(Z[check], base[check], n_neighbors=10)
    tw = trustworthiness(Z[check], xy.to_numpy()[check], n_neighbors=10)
    _row("baseline TSNE (sklearn defaults)", base_wall, base_cpu, f"trustworthiness {tw_base:.4f}")
    _row("t-SNE 5k", wall, cpu, f"trustworthiness {tw:.4f}", base_wall)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 100k full-silhouette run")
    args = parser.parse_args(argv)
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"{'case':<40} {'wall':>10} {'cpu':>10} {'speedup':>7} {'target':>9}  quality")
    bench_fit(full_baseline=not args.quick)
    bench_scan()
    bench_tsne()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"peak memory {peak:.2f} GiB; load average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
