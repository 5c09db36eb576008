"""Does the cluster explorer find what the demo generator planted? (scale-1 demo, ~1 minute)

Every test here but the first is slow-marked; the first checks the planted segments on the
session's small demo in about a second.

The page's defaults are: ``lib.models.cluster.default_features`` for the features, standard
scaling, missing values filled with the median, seed 0. With them K-Means at the planted
k = 5 must recover the 5 viewer segments of ``lib.data.synth.SEGMENTS`` (truth layer).

That ``scan_k`` suggests 5 on ``make_blobs(centers=5)`` and ``fit_kmeans`` recovers the blobs
with ARI >= 0.9 is covered by the library's own test,
``tests/test_cluster.py::test_blobs_scan_suggests_5_and_fit_recovers_them``; not repeated here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from lib.config import device_share_col, genre_share_col
from lib.data.store import load_gold, load_layer
from lib.data.synth import SEGMENTS
from lib.models.cluster import default_features, fit_kmeans, profile, scan_k, stability_ari

PLANTED_K = len(SEGMENTS)
PAGE_DEFAULTS = {"seed": 0, "scaling": "standard", "missing": "median"}


@pytest.fixture(scope="module")
def demo1(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.Series]:
    """Gold users of a fresh scale-1 demo and the planted segment of each (aligned)."""
    from lib.data.pipeline import build

    folder: Path = tmp_path_factory.mktemp("quality") / "demo"
    build(scale=1, seed=0, data_dir=folder)
    users = load_gold(folder)["users"]
    truth = load_layer(folder, "truth")["user_segments"].drop_duplicates("user_id")
    planted = users["user_id"].map(truth.set_index("user_id")["segment"])
    return users, planted


def test_the_demo_data_holds_the_five_planted_segments(demo_dir):
    """Fast (the session's small demo): the truth layer has 5 segments, named and sized as
    planted, so the slow tests below compare K-Means with the right k."""
    truth = load_layer(demo_dir, "truth")["user_segments"].drop_duplicates("user_id")
    users = load_gold(demo_dir)["users"]
    assert set(users["user_id"]) <= set(truth["user_id"])
    shares = truth["segment"].value_counts(normalize=True).sort_index()
    assert list(shares.index) == [0, 1, 2, 3, 4]
    assert PLANTED_K == 5 == len(shares)
    names = truth.drop_duplicates("segment").set_index("segment")["segment_name"].sort_index()
    assert list(names) == [s["name"] for s in SEGMENTS]
    # ~1,000 viewers: each share within 5 points of the planted one (sd about 1.3 points)
    planted = pd.Series([s["share"] for s in SEGMENTS], index=shares.index)
    assert (shares - planted).abs().max() < 0.05, pd.DataFrame({"data": shares, "planted": planted})


@pytest.mark.slow
def test_default_viewer_features_recover_the_planted_segments(demo1):
    users, planted = demo1
    assert len(users) > 9_000 and planted.notna().mean() > 0.99
    X = default_features(users, "viewers")
    res = fit_kmeans(X, PLANTED_K, **PAGE_DEFAULTS)
    known = planted.notna().to_numpy()
    ari = adjusted_rand_score(planted[known].astype(int), res.labels[known])
    print(f"ARI planted segment vs cluster (k={PLANTED_K}, default features): {ari:.3f}")
    assert ari >= 0.6
    # each planted segment lands mostly in its own cluster (a one-to-one match)
    table = pd.crosstab(planted[known].astype(int), res.labels[known])
    assert table.idxmax(axis=1).nunique() == PLANTED_K


@pytest.mark.slow
def test_the_scan_suggests_the_planted_k_and_it_is_stable(demo1):
    users, _ = demo1
    X = default_features(users, "viewers")
    scan = scan_k(X, range(2, 13), seed=0, scaling="standard", missing="median")
    print(scan.round(3).to_string(index=False))
    assert scan.attrs["suggested_k"] == PLANTED_K
    stab = stability_ari(X, PLANTED_K, scaling="standard", sample=3_000)
    print(f"stability ARI at k={PLANTED_K}: mean {stab.mean:.3f}, min {stab.min:.3f}")
    assert stab.label == "stable"


@pytest.mark.slow
def test_personas_name_what_was_planted(demo1):
    """Each planted segment's main device and main genre are above average in its cluster."""
    users, planted = demo1
    X = default_features(users, "viewers")
    res = fit_kmeans(X, PLANTED_K, **PAGE_DEFAULTS)
    prof = profile(X, res.labels_series())
    known = planted.notna().to_numpy()
    table = pd.crosstab(planted[known].astype(int), res.labels[known])
    for segment, cluster in table.idxmax(axis=1).items():
        seg = SEGMENTS[int(segment)]
        device = max(seg["devices"], key=seg["devices"].get)  # largest weight
        genre = max(seg["genres"], key=seg["genres"].get)
        z = prof.z.loc[int(cluster)]
        assert np.isfinite(z).all()
        for col in (device_share_col(device), genre_share_col(genre)):
            assert z[col] > 0.5, (seg["name"], col, z.sort_values().tail(5))
