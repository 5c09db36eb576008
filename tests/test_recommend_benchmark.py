"""Unit tests of the recommender benchmark's own arithmetic (benchmarks/recommend.py)."""

from __future__ import annotations

import pandas as pd

from benchmarks.recommend import _dense_summary


def _row(n: int, build_s: float, peak_gib: float) -> pd.Series:
    return pd.Series({"build_s": build_s, "peak_gib": peak_gib, "dense_gib": n * n * 8 / 2**30})


def test_dense_size_at_100k_is_scaled_from_the_measured_size():
    # a float64 100,000 x 100,000 matrix is 1e10 * 8 bytes = 74.5 GiB, whatever size was measured
    for n in (5_000, 20_000):
        line = _dense_summary(_row(n, 4.0, 1.0), _row(n, 2.0, 0.5), n)
        assert "(75 GiB at 100k)" in line, line
        assert f"Dense baseline at {n:,} titles" in line
        assert "(2.0x), peak 1.00 GiB vs 0.50 GiB (2.0x)" in line
