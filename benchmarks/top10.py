"""Benchmark of the Top 10 predictor (lib.models.top10): training, cross-validation, prediction.

    python -m benchmarks.top10                    # synthetic 1,040-title table
    python -m benchmarks.top10 --titles 2000 --calls 200
    python -m benchmarks.top10 --jobs 1 2         # compare_models serial and on 2 processes

Targets (issue 6): all three models cross-validated (5 folds) on ~1,040 titles <= 20 s on
2 cores; one predict_proba + explain <= 50 ms (median and p95 over 100 calls).

Wall time depends on what else runs on the machine, so CPU time of this process and the load
average are printed too (with --jobs 2 the workers' CPU is not in this process's figure).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from lib.config import TOP10_LABEL
from lib.models import top10

TARGET_CV_SECONDS = 20.0
TARGET_EXPLAIN_MS = 50.0


def _timed(func, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _verdict(value: float, target: float) -> str:
    return f"{'met' if value <= target else 'MISSED'} ({value / target:.2f} x budget)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--titles", type=int, default=1040)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)

    table = top10.synthetic_training_table(args.titles, seed=args.seed)
    print(
        f"table: {len(table)} titles, Top 10 share {table[TOP10_LABEL].mean():.1%}; "
        f"cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} at start"
    )

    print("\ncompare_models (3 kinds x 5 folds, each fit calibrated with 3 inner folds)")
    for jobs in args.jobs:
        cv, wall, cpu = _timed(top10.compare_models, table, seed=args.seed, n_jobs=jobs)
        aucs = ", ".join(
            f"{k} {m:.3f}+-{s:.3f}"
            for k, m, s in cv[["kind", "roc_auc_mean", "roc_auc_std"]].values
        )
        print(
            f"  n_jobs={jobs}: wall {wall:5.1f} s, cpu (this process) {cpu:5.1f} s, "
            f"load {os.getloadavg()[0]:.1f}  -> <= {TARGET_CV_SECONDS:.0f} s: "
            f"{_verdict(wall, TARGET_CV_SECONDS)}"
        )
        print(f"    ROC-AUC {aucs}")
        per_kind = ", ".join(f"{k} {s:.1f} s" for k, s in cv[["kind", "fit_seconds"]].values)
        print(f"    CPU per kind: {per_kind}")
    leaky, wall, _ = _timed(
        top10.compare_models,
        table,
        top10.PRE_RELEASE_FEATURES + top10.POST_RELEASE_FEATURES,
        seed=args.seed,
        kinds=("gbm",),
    )
    print(
        f"  leaky gbm (+ post-release): ROC-AUC {leaky['roc_auc_mean'].iloc[0]:.3f} ({wall:.1f} s)"
    )

    print(f"\ntrain + predict_proba + explain ({args.calls} calls on different titles)")
    rows = [table.iloc[i % len(table)].to_dict() for i in range(args.calls)]
    for kind in top10.MODEL_KINDS:
        model, wall, cpu = _timed(top10.train, table, kind=kind, seed=args.seed)
        predict_ms, both_ms, both_cpu_ms = [], [], []
        for row in rows:
            t0, c0 = time.perf_counter(), time.process_time()
            model.predict_proba(row)
            t1 = time.perf_counter()
            model.explain(row)
            t2, c2 = time.perf_counter(), time.process_time()
            predict_ms.append((t1 - t0) * 1000)
            both_ms.append((t2 - t0) * 1000)
            both_cpu_ms.append((c2 - c0) * 1000)
        median, p95 = np.median(both_ms), np.percentile(both_ms, 95)
        print(
            f"  {kind:6s} train {wall:4.1f} s (cpu {cpu:4.1f} s), held-out ROC-AUC "
            f"{model.metrics['roc_auc']:.3f} [{model.metrics['split_kind']}]"
        )
        print(
            f"         predict+explain median {median:5.1f} ms, p95 {p95:5.1f} ms, cpu median "
            f"{np.median(both_cpu_ms):5.1f} ms; predict alone median {np.median(predict_ms):4.1f}"
            f" ms (explain = {median / np.median(predict_ms):.1f} x a prediction)"
        )
        print(
            f"         -> <= {TARGET_EXPLAIN_MS:.0f} ms: median "
            f"{_verdict(median, TARGET_EXPLAIN_MS)}, p95 {_verdict(p95, TARGET_EXPLAIN_MS)}"
        )
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
