"""Tests of lib.models.cluster: K-Means library of the cluster explorer (issue 5)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score, silhouette_samples

from lib.models import cluster
from lib.models.cluster import (
    default_features,
    explain_tree,
    fit_kmeans,
    persona,
    profile,
    project,
    rule_mask,
    scan_k,
    stability_ari,
    stability_label,
    suggest_k,
    title_genre_flags,
)

GENRES = ["action", "comedy", "drama", "horror", "sci_fi", "thriller", "family", "documentary"]
DEVICES = ["smart_tv", "mobile", "tablet", "laptop"]


def blobs(n: int = 2000, centers: int = 5, seed: int = 42, **kw) -> tuple[pd.DataFrame, np.ndarray]:
    X, y = make_blobs(n_samples=n, centers=centers, cluster_std=1.0, random_state=seed, **kw)
    cols = [f"f{i}" for i in range(X.shape[1])]
    return pd.DataFrame(X, columns=cols, index=pd.RangeIndex(100, 100 + n)), y


def segments(n: int = 1500, k: int = 5, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Gold-users-like table with k planted viewer segments (plus ids, text and noise columns).

    Segments differ in genre shares, device mix, watch hours, late-night share and age, with
    individual Dirichlet/lognormal noise; sessions, completion, recency, weekend share, tenure
    and spend are noise; so K-Means must find the segments among irrelevant features.
    """
    rng = np.random.default_rng(seed)
    g_pref = rng.gamma(0.5, 1.0, size=(k, len(GENRES))) + 0.3
    d_pref = rng.gamma(0.7, 1.0, size=(k, len(DEVICES))) + 0.4
    hours_mu = rng.uniform(np.log(5), np.log(40), k)
    late = rng.uniform(0.05, 0.5, k)
    age_mu = rng.uniform(25, 55, k)
    seg = rng.integers(0, k, n)
    g = np.vstack([rng.dirichlet(g_pref[s] * 3) for s in seg])
    d = np.vstack([rng.dirichlet(d_pref[s] * 3) for s in seg])
    hours = np.exp(rng.normal(hours_mu[seg], 0.7))
    df = pd.DataFrame(
        {
            "user_id": [f"U{i:05d}" for i in range(n)],
            "country": rng.choice(["US", "DE", "IN"], n),
            "age": rng.normal(age_mu[seg], 9).round(),
            "monthly_spend": rng.choice([8.99, 13.99, 17.99], n),
            "tenure_days": rng.integers(30, 2000, n),
            "sessions": rng.poisson(hours * 1.5) + 1,
            "watch_hours": hours,
            "avg_completion": rng.beta(6, 3, n),
            "recency_days": rng.exponential(20, n),
            "late_night_share": rng.beta(8 * late[seg], 8 * (1 - late[seg])),
            "weekend_share": rng.beta(3, 5, n),
            "household_size": np.nan,  # all missing: must be left out
        }
    )
    shares = {f"device_share__{v}": d[:, j] for j, v in enumerate(DEVICES)}
    shares |= {f"genre_share__{v}": g[:, j] for j, v in enumerate(GENRES)}
    df = pd.concat([df, pd.DataFrame(shares)], axis=1)
    df.loc[rng.random(n) < 0.03, "late_night_share"] = np.nan  # some missing values
    return df, seg


@pytest.fixture(scope="module")
def small() -> tuple[pd.DataFrame, np.ndarray]:
    """300 rows, 3 features on very different scales, 3 clear groups."""
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1, 2], 100)
    X = pd.DataFrame(
        {
            "hours": np.array([2.0, 20.0, 8.0])[y] + rng.normal(0, 1, 300),
            "age": np.array([25.0, 40.0, 60.0])[y] + rng.normal(0, 3, 300),
            "spend": np.array([900.0, 1500.0, 300.0])[y] + rng.normal(0, 50, 300),
        },
        index=[f"u{i}" for i in range(300)],
    )
    return X, y


# --- fit_kmeans --------------------------------------------------------------------------------
def test_fit_labels_in_range_deterministic_and_largest_first(small):
    X, y = small
    a = fit_kmeans(X, 3, seed=0)
    b = fit_kmeans(X, 3, seed=0)
    assert a.labels.dtype.kind == "i" and set(np.unique(a.labels)) <= {0, 1, 2}
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_allclose(a.centers.to_numpy(), b.centers.to_numpy())
    assert adjusted_rand_score(y, a.labels) > 0.95
    assert list(a.sizes) == sorted(a.sizes, reverse=True)
    assert a.labels_series().index.equals(X.index)
    assert a.features == ["hours", "age", "spend"]
    assert a.algorithm == "kmeans" and a.silhouette_sample_size == 300
    np.testing.assert_array_equal(a.predict(X), a.labels)  # model renumbered consistently


@pytest.mark.parametrize("scaling", ["standard", "robust", "none"])
def test_centers_are_in_original_units(small, scaling):
    X, _ = small
    res = fit_kmeans(X, 3, seed=0, scaling=scaling)
    means = X.groupby(res.labels).mean()
    assert list(res.centers.columns) == list(X.columns)
    np.testing.assert_allclose(res.centers.to_numpy(), means.to_numpy(), rtol=1e-3)


def test_silhouette_exact_and_sampled(small):
    X, _ = small
    full = fit_kmeans(X, 3, seed=0, silhouette_sample=None)
    Z = full.scaler.transform(X.to_numpy())
    np.testing.assert_allclose(full.silhouette, silhouette_samples(Z, full.labels), atol=1e-9)
    assert full.silhouette_mean == pytest.approx(full.silhouette.mean())
    part = fit_kmeans(X, 3, seed=0, silhouette_sample=100)
    assert np.isfinite(part.silhouette).sum() == 100 == part.silhouette_sample_size
    assert part.silhouette_mean == pytest.approx(np.nanmean(part.silhouette))
    again = fit_kmeans(X, 3, seed=0, silhouette_sample=100)
    np.testing.assert_array_equal(np.isnan(part.silhouette), np.isnan(again.silhouette))


def test_missing_median_and_drop(small):
    X, _ = small
    Xm = X.copy()
    Xm.iloc[[0, 5, 7], 1] = np.nan
    med = fit_kmeans(Xm, 3, seed=0, missing="median")
    assert len(med.labels) == 300 and med.index.equals(X.index)
    assert med.fill_values["age"] == pytest.approx(X["age"].drop(X.index[[0, 5, 7]]).median())
    drop = fit_kmeans(Xm, 3, seed=0, missing="drop")
    assert len(drop.labels) == 297
    assert not drop.index.isin(X.index[[0, 5, 7]]).any()
    assert drop.labels_series().index.equals(drop.index)
    prof = profile(Xm, drop.labels_series())  # Series labels align on the index
    assert prof.summary["size"].sum() == 297


def test_bool_and_nullable_columns_are_fine(small):
    X, _ = small
    Xb = X.assign(
        is_heavy=X["hours"] > 10,
        n=pd.array(X["age"].round().astype(int), dtype="Int64"),
    )
    res = fit_kmeans(Xb, 3, seed=0)
    assert "is_heavy" in res.centers.columns
    assert 0.0 <= res.centers["is_heavy"].min() <= res.centers["is_heavy"].max() <= 1.0


def test_minibatch_above_threshold(small, monkeypatch):
    X, y = small
    monkeypatch.setattr(cluster, "MINIBATCH_ABOVE", 100)
    a = fit_kmeans(X, 3, seed=0)
    b = fit_kmeans(X, 3, seed=0)
    assert a.algorithm == "minibatch"
    np.testing.assert_array_equal(a.labels, b.labels)
    assert adjusted_rand_score(y, a.labels) > 0.95
    np.testing.assert_array_equal(a.predict(X), a.labels)


def test_clear_errors(small):
    X, _ = small
    with pytest.raises(ValueError, match="non-numeric.*country"):
        fit_kmeans(X.assign(country="US"), 3)
    with pytest.raises(ValueError, match="only missing values.*empty_col"):
        fit_kmeans(X.assign(empty_col=np.nan), 3)
    with pytest.raises(ValueError, match="too few for k=5"):
        fit_kmeans(X.head(4), 5)
    with pytest.raises(ValueError, match="after dropping.*too few for k=3"):
        fit_kmeans(X.head(4).assign(hours=[1.0, np.nan, np.nan, 2.0]), 3, missing="drop")
    with pytest.raises(ValueError, match="scaling"):
        fit_kmeans(X, 3, scaling="minmax")
    with pytest.raises(ValueError, match="missing"):
        fit_kmeans(X, 3, missing="zero")
    with pytest.raises(ValueError, match="k must be"):
        fit_kmeans(X, 1)
    with pytest.raises(ValueError, match="no feature columns"):
        fit_kmeans(X[[]], 2)
    with pytest.raises(ValueError, match="non-numeric.*country"):
        scan_k(X.assign(country="US"))
    with pytest.raises(ValueError, match="only missing values.*empty_col"):
        project(X.assign(empty_col=np.nan))


def test_inputs_are_not_mutated(small):
    X, y = small
    Xm = X.copy()
    Xm.iloc[3, 0] = np.nan
    before = Xm.copy()
    res = fit_kmeans(Xm, 3, seed=0)
    scan_k(Xm, ks=[2, 3])
    project(Xm, seed=0)
    profile(Xm, res.labels)
    explain_tree(Xm, res.labels)
    pd.testing.assert_frame_equal(Xm, before)


# --- scan_k / suggest_k / stability ---------------------------------------------------------------
@pytest.mark.parametrize("seed", [42, 3])
def test_blobs_scan_suggests_5_and_fit_recovers_them(seed):
    X, y = blobs(seed=seed)
    scan = scan_k(X, ks=range(2, 11), seed=0)
    assert list(scan.columns) == [
        "k",
        "inertia",
        "silhouette",
        "calinski_harabasz",
        "davies_bouldin",
    ]
    assert scan["k"].tolist() == list(range(2, 11))
    assert scan.attrs["suggested_k"] == suggest_k(scan) == 5
    res = fit_kmeans(X, 5, seed=0)
    assert adjusted_rand_score(y, res.labels) >= 0.9


def test_suggest_k_rule_and_tie_break():
    scan = pd.DataFrame(
        {
            "k": [2, 3, 4, 5],
            "inertia": [4.0, 3.0, 2.0, 1.0],
            "silhouette": [0.30, 0.45, 0.50, 0.41],
            "calinski_harabasz": [20.0, 12.0, 12.0, 11.0],
            "davies_bouldin": [1.0, 1.0, 1.0, 1.0],
        }
    )
    # k=2 has the highest CH but a poor silhouette (< 80% of 0.50); 3 and 4 tie on CH -> 3
    assert suggest_k(scan) == 3
    assert suggest_k(scan.assign(silhouette=np.nan)) == 2  # CH alone
    assert suggest_k(scan.assign(calinski_harabasz=np.nan)) == 4  # silhouette alone
    assert suggest_k(scan.assign(silhouette=np.nan, calinski_harabasz=np.nan)) == 2
    negative = scan.assign(silhouette=[-0.30, -0.10, -0.11, -0.5])
    assert suggest_k(negative) == 3


def test_scan_skips_k_not_below_rows_and_reports_progress(small):
    X, _ = small
    calls = []
    scan = scan_k(X.head(5), ks=range(2, 11), progress=lambda f, t: calls.append((f, t)))
    assert scan["k"].tolist() == [2, 3, 4]
    assert scan.attrs["skipped_k"] == list(range(5, 11))
    assert calls and all(0.0 <= f <= 1.0 for f, _ in calls) and calls[-1][0] == 1.0
    with pytest.raises(ValueError, match="too few for k=3"):
        scan_k(X.head(2), ks=[3, 4])


def test_stability(small):
    X, _ = small
    st_ = stability_ari(X, 3, seeds=(0, 1, 2))
    assert st_.mean == pytest.approx(1.0) and st_.label == "stable"
    assert len(st_.pairwise) == 3 and st_.min <= st_.mean
    assert fit_kmeans(X, 3).stability(X, seeds=(0, 1)).mean == pytest.approx(1.0)
    assert stability_label(0.8) == "stable"
    assert stability_label(0.79) == "moderately stable"
    assert stability_label(0.6) == "moderately stable"
    assert stability_label(0.59) == "unstable"
    assert stability_label(float("nan")) == "unknown"


# --- project -----------------------------------------------------------------------------------
def test_project_pca_keeps_sampled_index(small):
    X, _ = small
    xy = project(X, "pca", seed=0, sample=50)
    assert list(xy.columns) == ["x", "y"] and len(xy) == 50
    assert xy.index.isin(X.index).all() and xy.index.is_unique
    assert list(xy.index) == [i for i in X.index if i in set(xy.index)]  # X's order
    ratio = xy.attrs["explained_variance_ratio"]
    assert len(ratio) == 2 and ratio[0] >= ratio[1] >= 0 and sum(ratio) <= 1 + 1e-9
    pd.testing.assert_frame_equal(xy, project(X, "pca", seed=0, sample=50))
    assert len(project(X, "pca", sample=None)) == 300
    one = project(X[["hours"]], "pca")
    assert (one["y"] == 0).all() and one.attrs["explained_variance_ratio"][1] == 0


def test_project_tsne_small_sample(small):
    X, _ = small
    calls = []
    xy = project(X, "tsne", seed=0, sample=60, progress=lambda f, t: calls.append(f))
    assert xy.shape == (60, 2) and np.isfinite(xy.to_numpy()).all()
    assert xy.index.isin(X.index).all()
    assert xy.attrs["perplexity"] < 60 and xy.attrs["explained_variance_ratio"] is None
    assert calls[-1] == 1.0
    tiny = project(X.head(8), "tsne", seed=0)
    assert len(tiny) == 8 and tiny.attrs["perplexity"] < 8


# --- profile and persona -----------------------------------------------------------------------
def test_profile_sizes_means_and_z(small):
    X, y = small
    res = fit_kmeans(X, 3, seed=0)
    prof = profile(X, res.labels, top_n=2)
    assert prof.summary["size"].sum() == len(X)
    np.testing.assert_array_equal(prof.summary["size"], np.bincount(res.labels))
    assert prof.summary["share"].sum() == pytest.approx(1.0)
    pd.testing.assert_frame_equal(
        prof.means, X.groupby(res.labels).mean().rename_axis("cluster"), check_names=False
    )
    z = (prof.means - X.mean()) / X.std(ddof=0)
    np.testing.assert_allclose(prof.z.to_numpy(), z.to_numpy())
    assert len(prof.top) == 3 * 2
    first = prof.top[prof.top["rank"] == 1].set_index("cluster")
    for c in prof.z.index:
        assert abs(first.at[c, "z"]) == pytest.approx(prof.z.loc[c].abs().max())
    assert prof.row(0).size == prof.summary.at[0, "size"]


def persona_data(high: dict[str, float], seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Two groups of viewers; group 1 (20%) is shifted up on the features in ``high``."""
    rng = np.random.default_rng(seed)
    n = 500
    lab = (np.arange(n) < 100).astype(int)
    base = {
        "watch_hours": rng.gamma(4, 3, n),
        "age": rng.normal(38, 8, n),
        "late_night_share": rng.beta(2, 8, n),
        "device_share__mobile": rng.beta(3, 5, n),
        "genre_share__thriller": rng.beta(2, 10, n),
        "genre_share__comedy": rng.beta(2, 10, n),
        "foo_index": rng.normal(0, 1, n),
    }
    X = pd.DataFrame(base)
    for col, shift in high.items():
        X.loc[lab == 1, col] += shift
    return X, lab


def test_persona_names_come_from_the_data():
    X, lab = persona_data(
        {"late_night_share": 0.4, "device_share__mobile": 0.35, "genre_share__thriller": 0.3}
    )
    row = profile(X, lab).row(1)
    p = persona(row, noun="viewers")
    assert p.name == "Late-night mobile thriller fans, 20% of viewers"
    assert p.label == "Late-night mobile thriller fans" and p.size == 100
    ev = p.evidence.set_index("feature")
    assert set(ev.index) == {"late_night_share", "device_share__mobile", "genre_share__thriller"}
    assert ev.at["late_night_share", "cluster_mean"] == pytest.approx(
        X.loc[lab == 1, "late_night_share"].mean()
    )
    assert ev.at["late_night_share", "overall_mean"] == pytest.approx(X["late_night_share"].mean())
    assert (ev["z"] >= cluster.PERSONA_MIN_Z).all()

    # different data, different name: older comedy fans who watch little
    X2, lab2 = persona_data({"age": 25, "genre_share__comedy": 0.4, "watch_hours": -8})
    p2 = persona(profile(X2, lab2).row(1), noun="viewers")
    assert p2.label == "Older light comedy fans"
    assert p2.label != p.label
    names = profile(X2, lab2).personas(noun="viewers")
    assert names.at[1, "name"] == p2.name and list(names.index) == [0, 1]


def test_persona_fallback_and_typical():
    X, lab = persona_data({"foo_index": 3.0})
    p = persona(profile(X, lab).row(1), noun="titles")
    assert p.label == "Titles with high foo_index" and p.name.endswith("20% of titles")
    flat = pd.DataFrame({"a": np.tile([1.0, 2.0], 50)})  # both clusters have the same mean
    prof = profile(flat, np.repeat([0, 1], 50))
    p_flat = persona(prof.row(0))
    assert p_flat.label == "Typical viewers" and p_flat.evidence.empty
    names = prof.personas()  # same label twice -> made unique
    assert names["label"].tolist() == ["Typical viewers (cluster 0)", "Typical viewers (cluster 1)"]
    assert names.at[1, "name"] == "Typical viewers (cluster 1), 50% of viewers"


# --- explain_tree ------------------------------------------------------------------------------
def test_explain_tree_rules_match_labels():
    X, y = blobs(n=600, centers=4, seed=3, n_features=3)
    res = fit_kmeans(X, 4, seed=0)
    expl = explain_tree(X, res.labels_series(), max_depth=3, seed=0)
    assert 0.9 <= expl.fidelity <= 1.0
    assert expl.rules["support"].sum() == len(X)  # leaves partition the rows
    for r in expl.rules.itertuples():
        mask = rule_mask(X, r.conditions)
        assert mask.sum() == r.support
        assert np.mean(res.labels[mask] == r.cluster) == pytest.approx(r.purity)
        assert (X.query(r.rule).index == X.index[mask]).all()  # the text says the same
    big = expl.rules.sort_values("support", ascending=False).groupby("cluster").head(1)
    assert (big["purity"] > 0.8).all()
    assert expl.per_cluster["size"].sum() == len(X)
    assert set(expl.per_cluster.index) == {0, 1, 2, 3}
    assert all(isinstance(t, str) for t in expl.rules_for(0))
    assert expl.fidelity == pytest.approx(np.mean(expl.tree.predict(X.to_numpy()) == res.labels))


def test_explain_tree_readable_thresholds_and_odd_names(small):
    X, y = small
    Xo = X.rename(columns={"age": "age (years)"})
    expl = explain_tree(Xo, y, max_depth=2)
    text = " ".join(expl.rules["rule"])
    assert "`age (years)`" in text
    for r in expl.rules.itertuples():
        for c in r.conditions:
            assert len(repr(c.threshold)) <= 8  # shortest rounding that splits the same way
        assert (Xo.query(r.rule).index == Xo.index[rule_mask(Xo, r.conditions)]).all()


# --- default features ----------------------------------------------------------------------------
def test_segments_default_features_reach_ari():
    users, seg = segments()
    X = default_features(users, entity="viewers")
    assert "household_size" not in X and "user_id" not in X and "country" not in X
    assert {"watch_hours", "age", "device_share__mobile", "genre_share__thriller"} <= set(X)
    assert X.index.equals(users.index)
    res = fit_kmeans(X, 5, seed=0)
    assert adjusted_rand_score(seg, res.labels) >= 0.6


def test_title_genre_flags_and_title_features():
    titles = pd.DataFrame(
        {
            "title_id": ["a", "b", "c", "d"],
            "genres": ["Action|Drama", None, "Sci-Fi| Drama", "drama"],
            "imdb_votes": [10, 1000, np.nan, 100000],
            "imdb_rating": [7.1, 6.0, 8.2, 5.5],
            "meta_score": [np.nan] * 4,
            "release_year": [2020, 2020, 2020, 2020],
        },
        index=[10, 11, 12, 13],
    )
    flags = title_genre_flags(titles)
    assert list(flags.columns) == ["genre__drama", "genre__action", "genre__sci_fi"]
    assert flags.index.equals(titles.index)
    assert flags.loc[11].sum() == 0 and flags.loc[12].tolist() == [1, 0, 1]
    X = default_features(titles, entity="titles", min_genre_share=0.0)
    assert "meta_score" not in X and "release_year" not in X  # all missing / constant
    assert X["log_imdb_votes"].iloc[0] == pytest.approx(np.log1p(10))
    assert {"imdb_rating", "genre__drama"} <= set(X)
    with pytest.raises(ValueError, match="no usable"):
        default_features(titles[["title_id"]], entity="titles")


# --- properties --------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=arrays(
        np.float64,
        st.tuples(st.integers(3, 30), st.integers(1, 4)),
        elements=st.floats(-1e3, 1e3, allow_nan=False, width=32),
    ),
    k=st.integers(2, 5),
    scaling=st.sampled_from(["standard", "robust", "none"]),
)
def test_property_labels_in_range(data, k, scaling):
    X = pd.DataFrame(data, columns=[f"c{i}" for i in range(data.shape[1])])
    if len(X) < k:
        with pytest.raises(ValueError, match="too few for k"):
            fit_kmeans(X, k)
        return
    res = fit_kmeans(X, k, seed=0, scaling=scaling)
    assert len(res.labels) == len(X)
    assert res.labels.min() >= 0 and res.labels.max() < k
    assert res.centers.shape == (k, X.shape[1])
    assert res.sizes.sum() == len(X)
