"""K-Means cluster explorer: scaling, k scan, K-Means, projections, profiles, surrogate-tree rules.

Typical use (what the cluster page does)::

    X = default_features(gold["users"], entity="viewers")   # numeric DataFrame, index kept
    scan = scan_k(X, seed=0)                  # metrics per k, scan.attrs["suggested_k"]
    res = fit_kmeans(X, suggest_k(scan), seed=0)
    xy = project(X, method="pca", seed=0)     # x, y of a seeded sample of rows (index kept)
    prof = profile(X, res.labels_series())    # sizes, shares, means, z-scores, top features
    names = prof.personas(noun="viewers")     # plain-words names plus the numbers behind them
    tree = explain_tree(X, res.labels_series(), max_depth=3, seed=0)

Every function takes ``X``, a DataFrame whose columns are the features chosen by the analyst
(numeric or bool), and never mutates it. Scaling (``"standard" | "robust" | "none"``) and missing
values (``"median"``: fill with the column median, ``"drop"``: drop incomplete rows) are explicit
keyword options. With ``missing="drop"`` results cover fewer rows than ``X``: use
``KMeansResult.index`` / ``labels_series()`` to map them back. Everything random takes a seed and
is deterministic for it.

Size (about 1,400 lines, over the project's ~700): scaling, the k scan, projections,
profiles and the surrogate tree share the prepared feature matrix and its options; a split
(fit / describe) is left to its own change.
"""

from __future__ import annotations

import keyword
import logging
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_complex_dtype, is_numeric_dtype
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.manifold import TSNE
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
)
from sklearn.preprocessing import RobustScaler, StandardScaler
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from lib.config import LIST_SEP, Progress, slug

__all__ = [
    "SCALINGS",
    "MISSING_POLICIES",
    "MINIBATCH_ABOVE",
    "MINIBATCH_BATCH_SIZE",
    "SINGLE_THREAD_BELOW",
    "N_INIT",
    "SCAN_N_INIT",
    "SILHOUETTE_SAMPLE",
    "SCAN_SILHOUETTE_SAMPLE",
    "STABILITY_SAMPLE",
    "STABLE_ARI",
    "UNSTABLE_ARI",
    "TSNE_SAMPLE",
    "TSNE_MAX_ITER",
    "TSNE_ANGLE",
    "TSNE_THREADS",
    "PERSONA_MIN_Z",
    "SUGGEST_SILHOUETTE_TOLERANCE",
    "SUGGEST_RULE",
    "DEFAULT_USER_FEATURES",
    "DEFAULT_USER_PREFIXES",
    "DEFAULT_TITLE_FEATURES",
    "GENRE_FLAG_PREFIX",
    "FEATURE_WORDS",
    "KMeansResult",
    "Stability",
    "ClusterProfile",
    "ProfileRow",
    "Persona",
    "Condition",
    "TreeExplanation",
    "scan_k",
    "suggest_k",
    "fit_kmeans",
    "stability_ari",
    "stability_label",
    "project",
    "profile",
    "persona",
    "explain_tree",
    "rule_mask",
    "default_features",
    "title_genre_flags",
]

logger = logging.getLogger(__name__)

Scaling = Literal["standard", "robust", "none"]
Missing = Literal["median", "drop"]

SCALINGS: tuple[str, ...] = ("standard", "robust", "none")
MISSING_POLICIES: tuple[str, ...] = ("median", "drop")

#: Inputs with more rows than this are clustered with MiniBatchKMeans instead of KMeans.
MINIBATCH_ABOVE = 50_000
#: Batch size of MiniBatchKMeans (larger than sklearn's 1024: steadier centres, same speed).
MINIBATCH_BATCH_SIZE = 4096
#: K-Means on fewer rows than this runs on one OpenMP thread (silhouettes always do): on a
#: busy 2-core box idle threads spin-wait, and 2 threads cost 3x the CPU and wall time of one
#: (measured at 10k and 100k rows); one thread fits 100k x 30 in ~1.5 s.
SINGLE_THREAD_BELOW = 250_000
#: K-Means restarts (k-means++ seeds) kept by fit_kmeans / stability_ari; best inertia wins.
N_INIT = 4
#: Restarts per k in scan_k (a scan compares k, it does not need the last bit of inertia).
SCAN_N_INIT = 2
#: fit_kmeans computes silhouettes on a seeded sample of this many rows (NaN for the others).
SILHOUETTE_SAMPLE = 10_000
#: scan_k computes the mean silhouette of each k on a seeded sample of this many rows.
SCAN_SILHOUETTE_SAMPLE = 4_000
#: stability_ari refits on a seeded sample of at most this many rows.
STABILITY_SAMPLE = 20_000
#: Mean pairwise ARI across seeds at or above this is "stable" ...
STABLE_ARI = 0.8
#: ... below this "unstable", in between "moderately stable".
UNSTABLE_ARI = 0.6
#: Default number of rows shown by project (t-SNE runs on the sample only).
TSNE_SAMPLE = 5_000
#: t-SNE iterations (sklearn's minimum is 250; 250 of them are early exaggeration).
TSNE_MAX_ITER = 500
#: Barnes-Hut angle of t-SNE (sklearn's default 0.5): ~30% faster at the same trustworthiness.
TSNE_ANGLE = 0.7
#: OpenMP threads of t-SNE. Its threads spin-wait when the cores are busy (other sessions,
#: tests, a Streamlit server): one thread is steadier and ~10x cheaper on small samples.
TSNE_THREADS = 1
#: A feature names a persona only when its cluster mean is at least this many SDs off.
PERSONA_MIN_Z = 0.5

# --- default features --------------------------------------------------------------------------
DEFAULT_USER_FEATURES: tuple[str, ...] = (
    "watch_hours",
    "sessions",
    "avg_completion",
    "recency_days",
    "late_night_share",
    "weekend_share",
    "age",
    "tenure_days",
    "monthly_spend",
)
#: Dynamic gold["users"] column families included by default_features(entity="viewers").
DEFAULT_USER_PREFIXES: tuple[str, ...] = ("device_share__", "genre_share__")
DEFAULT_TITLE_FEATURES: tuple[str, ...] = (
    "imdb_rating",
    "meta_score",
    "imdb_votes",  # used as log_imdb_votes = log1p(imdb_votes)
    "popularity",
    "duration_minutes",
    "release_year",
)
#: Prefix of the 0/1 genre columns made by title_genre_flags.
GENRE_FLAG_PREFIX = "genre__"

#: Plain words for a feature whose cluster mean is high / low (None: no wording on that side).
#: Device, genre-share and genre-flag columns are worded by their prefix; a ``log_`` prefix is
#: ignored; any other feature falls back to "high <feature>" / "low <feature>".
FEATURE_WORDS: dict[str, tuple[str | None, str | None]] = {
    # viewers
    "watch_hours": ("heavy", "light"),
    "sessions": ("frequent", "occasional"),
    "active_days": ("frequent", "occasional"),
    "avg_completion": ("completionist", "browsing"),
    "recency_days": ("lapsed", "recently active"),
    "late_night_share": ("late-night", None),
    "weekend_share": ("weekend", "weekday"),
    "download_share": ("download-heavy", None),
    "age": ("older", "younger"),
    "tenure_days": ("long-time", "new"),
    "monthly_spend": ("high-spending", "budget"),
    "household_size": ("big-household", "small-household"),
    "n_ratings": ("rating-happy", None),
    "avg_rating": ("generous", "critical"),
    "engagement_score": ("highly engaged", "disengaged"),
    # titles
    "imdb_rating": ("acclaimed", "poorly rated"),
    "meta_score": ("critically praised", "critically panned"),
    "weighted_rating": ("top-rated", "low-rated"),
    "imdb_votes": ("widely rated", "little-known"),
    "popularity": ("popular", "niche"),
    "viewers": ("widely watched", "rarely watched"),
    "duration_minutes": ("long", "short"),
    "release_year": ("recent", "older"),
    "number_of_seasons": ("long-running", None),
    "is_series": ("series", None),
    "is_original": ("original", None),
}
_DEVICE_WORDS = {"smart_tv": "TV", "game_console": "console"}
_GENRE_WORDS = {"sci_fi": "sci-fi"}


# === input checks and preparation ==============================================================
def _check_option(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not supported; use one of {list(allowed)}")


def _float_frame(X: pd.DataFrame) -> pd.DataFrame:
    """Validate ``X`` and return a float64 copy (bool -> 0/1, +-inf -> NaN), names as str."""
    if isinstance(X, np.ndarray) and X.ndim == 2:
        X = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"X must be a pandas DataFrame of features, got {type(X).__name__}")
    if X.shape[1] == 0:
        raise ValueError("X has no feature columns; choose at least one numeric column")
    if X.shape[0] == 0:
        raise ValueError("X has no rows")
    names = [str(c) for c in X.columns]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"duplicate feature column name(s): {dupes}")
    bad = [
        n
        for n, dtype in zip(names, X.dtypes, strict=True)
        if not (is_bool_dtype(dtype) or (is_numeric_dtype(dtype) and not is_complex_dtype(dtype)))
    ]
    if bad:
        raise ValueError(
            f"non-numeric feature column(s): {bad}; convert them (e.g. pd.to_numeric, 0/1 flags "
            "such as title_genre_flags) or leave them out"
        )
    data = {n: X.iloc[:, i].to_numpy(dtype="float64", na_value=np.nan) for i, n in enumerate(names)}
    frame = pd.DataFrame(data, index=X.index, columns=names)
    inf = np.isinf(frame.to_numpy())
    if inf.any():
        cols = [n for n, hit in zip(names, inf.any(axis=0), strict=True) if hit]
        logger.warning("treating +-inf as missing in column(s) %s", cols)
        frame = frame.mask(np.isinf(frame))
    empty = [n for n in names if frame[n].isna().all()]
    if empty:
        raise ValueError(f"feature column(s) with only missing values: {empty}; leave them out")
    return frame


@dataclass(frozen=True, eq=False)
class _Prepared:
    index: pd.Index
    features: list[str]
    raw: np.ndarray  # float64, imputed or complete rows, original units
    scaled: np.ndarray  # the space K-Means, silhouette, PCA and t-SNE work in
    scaler: StandardScaler | RobustScaler | None
    fill_values: pd.Series  # per-feature medians of X (used to fill missing values)


def _make_scaler(scaling: str) -> StandardScaler | RobustScaler | None:
    return {"standard": StandardScaler(), "robust": RobustScaler(), "none": None}[scaling]


def _prepare(
    X: pd.DataFrame, *, scaling: str, missing: str, min_rows: int = 1, k: int | None = None
) -> _Prepared:
    _check_option("scaling", scaling, SCALINGS)
    _check_option("missing", missing, MISSING_POLICIES)
    frame = _float_frame(X)
    medians = frame.median()
    if missing == "median":
        n_missing = int(frame.isna().to_numpy().sum())
        if n_missing:
            logger.info("filling %d missing value(s) with column medians", n_missing)
        frame = frame.fillna(medians)
    else:
        complete = frame.notna().all(axis=1).to_numpy()
        if not complete.all():
            logger.info("dropping %d row(s) with missing values", int((~complete).sum()))
        frame = frame.loc[complete]
    n = len(frame)
    if n < min_rows:
        after = " after dropping rows with missing values" if missing == "drop" else ""
        raise ValueError(
            f"X has {n} row(s){after}: too few for k={k if k is not None else min_rows} "
            f"clusters (at least {min_rows} rows needed)"
        )
    raw = frame.to_numpy(dtype="float64", copy=True)
    scaler = _make_scaler(scaling)
    scaled = raw.copy() if scaler is None else scaler.fit_transform(raw)
    return _Prepared(frame.index, list(frame.columns), raw, scaled, scaler, medians)


def _check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
        raise ValueError(f"k must be an integer >= 2, got {k!r}")
    return int(k)


def _sample_positions(n: int, size: int | None, seed: int) -> np.ndarray:
    """Sorted positions of a seeded sample of ``size`` rows out of ``n`` (all rows if n <= size)."""
    if size is None or n <= size:
        return np.arange(n)
    if size < 1:
        raise ValueError(f"sample size must be >= 1, got {size}")
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


def _call(progress: Progress | None, fraction: float, text: str) -> None:
    if progress is not None:
        progress(min(max(float(fraction), 0.0), 1.0), text)


# === K-Means ===================================================================================
def _fit_model(
    Z: np.ndarray, k: int, *, seed: int, n_init: int, algorithm: str
) -> KMeans | MiniBatchKMeans:
    _check_option("algorithm", algorithm, ("auto", "kmeans", "minibatch"))
    use_minibatch = algorithm == "minibatch" or (algorithm == "auto" and len(Z) > MINIBATCH_ABOVE)
    if use_minibatch:
        model = MiniBatchKMeans(
            n_clusters=k, n_init=n_init, batch_size=MINIBATCH_BATCH_SIZE, random_state=seed
        )
    else:
        model = KMeans(n_clusters=k, n_init=n_init, random_state=seed)
    threads = 1 if len(Z) < SINGLE_THREAD_BELOW else None
    with warnings.catch_warnings(record=True) as caught, threadpool_limits(threads, "openmp"):
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(Z)
    for w in caught:  # e.g. fewer distinct points than k: labels stay in range(k)
        if issubclass(w.category, ConvergenceWarning):
            logger.warning("K-Means with k=%d: %s", k, w.message)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    _order_by_size(model, k)
    return model


def _order_by_size(model: KMeans | MiniBatchKMeans, k: int) -> None:
    """Renumber the clusters of our own fitted ``model`` so that 0 is the largest (stable ties)."""
    counts = np.bincount(model.labels_, minlength=k)
    order = np.argsort(-counts, kind="stable")  # order[new] = old
    new_of_old = np.empty(k, dtype=np.int64)
    new_of_old[order] = np.arange(k)
    model.cluster_centers_ = model.cluster_centers_[order]
    model.labels_ = new_of_old[model.labels_]
    if hasattr(model, "_counts"):  # MiniBatchKMeans bookkeeping for partial_fit
        model._counts = model._counts[order]


def _silhouette_values(Z: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Exact Euclidean silhouette of every row (same values as sklearn's silhouette_samples).

    Per-cluster distance sums come from one matrix product per chunk of rows (instead of
    sklearn's per-row bincount), which is several times faster at 10,000 rows.
    Needs 2 <= number of clusters <= n - 1.
    """
    _, lab = np.unique(labels, return_inverse=True)
    n, k = len(lab), int(lab.max()) + 1
    onehot = np.zeros((n, k))
    onehot[np.arange(n), lab] = 1.0
    counts = onehot.sum(axis=0)
    sq = np.einsum("ij,ij->i", Z, Z)
    out = np.empty(n)
    step = max(1, _SILHOUETTE_CHUNK // n)
    for start in range(0, n, step):
        rows = np.arange(start, min(start + step, n))
        d = Z[rows] @ Z.T
        d *= -2.0
        d += sq[rows, None]
        d += sq[None, :]
        np.maximum(d, 0.0, out=d)
        d[np.arange(len(rows)), rows] = 0.0
        np.sqrt(d, out=d)
        sums = d @ onehot  # (rows, k): total distance to each cluster
        own = lab[rows]
        at = np.arange(len(rows))
        a = sums[at, own] / np.maximum(counts[own] - 1, 1)
        mean_other = sums / counts
        mean_other[at, own] = np.inf
        b = mean_other.min(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = (b - a) / np.maximum(a, b)
        s[counts[own] == 1] = 0.0  # sklearn's convention for singleton clusters
        out[rows] = s
    return np.nan_to_num(out)


_SILHOUETTE_CHUNK = 2_000_000  # distance-matrix entries per chunk (16 MB of float64)


def _silhouette(
    Z: np.ndarray, labels: np.ndarray, *, sample: int | None, seed: int
) -> tuple[np.ndarray, float, int]:
    """Per-row silhouette on a seeded sample (NaN elsewhere), its mean and the sample size."""
    values = np.full(len(labels), np.nan)
    pos = _sample_positions(len(labels), sample, seed)
    n_labels = len(np.unique(labels[pos]))
    if 2 <= n_labels <= len(pos) - 1:
        with threadpool_limits(1):
            values[pos] = _silhouette_values(Z[pos], labels[pos])
        return values, float(values[pos].mean()), len(pos)
    return values, float("nan"), 0


def _index_scores(Z: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Calinski-Harabasz and Davies-Bouldin indices (NaN when fewer than 2 clusters are used)."""
    if 2 <= len(np.unique(labels)) <= len(labels) - 1:
        return float(calinski_harabasz_score(Z, labels)), float(davies_bouldin_score(Z, labels))
    return float("nan"), float("nan")


def scan_k(
    X: pd.DataFrame,
    ks: Iterable[int] = range(2, 11),
    *,
    seed: int = 0,
    scaling: Scaling = "standard",
    missing: Missing = "median",
    n_init: int = SCAN_N_INIT,
    silhouette_sample: int | None = SCAN_SILHOUETTE_SAMPLE,
    algorithm: str = "auto",
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Fit K-Means for each k and report the usual quality indices.

    Parameters
    ----------
    X : DataFrame
        Numeric features (bool allowed), one row per entity.
    ks : iterable of int
        Candidate numbers of clusters (each >= 2). Values of k >= the number of rows are skipped
        (listed in ``attrs["skipped_k"]``); if none is left a ValueError is raised.
    seed : int
        Seed of K-Means and of the silhouette sample.
    scaling, missing : str
        See the module docstring.
    n_init : int
        K-Means restarts per k.
    silhouette_sample : int or None
        Rows in the seeded silhouette sample (None: all rows; the cost is quadratic).
    algorithm : {"auto", "kmeans", "minibatch"}
        "auto" uses MiniBatchKMeans above ``MINIBATCH_ABOVE`` rows.
    progress : callable, optional
        Called as ``progress(fraction, text)`` after each k.

    Returns
    -------
    DataFrame
        Columns ``k, inertia, silhouette, calinski_harabasz, davies_bouldin``, one row per k.
        Inertia is in the scaled space. ``attrs``: ``suggested_k`` (see :func:`suggest_k`),
        ``rule``, ``n_rows``, ``skipped_k``, ``silhouette_sample``.
    """
    ks = sorted({_check_k(k) for k in ks})
    if not ks:
        raise ValueError("ks is empty; give at least one k >= 2")
    # silhouette needs k < rows: the smallest k needs k + 1 rows
    prep = _prepare(X, scaling=scaling, missing=missing, min_rows=ks[0] + 1, k=ks[0])
    n = len(prep.raw)
    skipped = [k for k in ks if k >= n]
    ks = [k for k in ks if k < n]
    if skipped:
        logger.warning("scan_k: skipping k=%s (only %d rows)", skipped, n)
    rows = []
    for i, k in enumerate(ks):
        _call(progress, i / len(ks), f"Fitting K-Means with k={k}")
        model = _fit_model(prep.scaled, k, seed=seed, n_init=n_init, algorithm=algorithm)
        labels = model.labels_
        _, sil, _ = _silhouette(prep.scaled, labels, sample=silhouette_sample, seed=seed)
        ch, db = _index_scores(prep.scaled, labels)
        rows.append((k, float(model.inertia_), sil, ch, db))
    _call(progress, 1.0, "k scan done")
    out = pd.DataFrame(
        rows, columns=["k", "inertia", "silhouette", "calinski_harabasz", "davies_bouldin"]
    )
    out["k"] = out["k"].astype("int64")
    out.attrs.update(
        suggested_k=suggest_k(out),
        rule=SUGGEST_RULE,
        n_rows=n,
        skipped_k=skipped,
        silhouette_sample=min(n, silhouette_sample) if silhouette_sample else n,
    )
    return out


#: suggest_k considers the k whose mean silhouette is within this fraction of the best one.
SUGGEST_SILHOUETTE_TOLERANCE = 0.2
SUGGEST_RULE = (
    "among the k whose mean silhouette is at least 80% of the best one, the k with the highest "
    "Calinski-Harabasz index (ties: the smaller k)"
)


def suggest_k(scan: pd.DataFrame) -> int:
    """Suggested number of clusters from a :func:`scan_k` table.

    Rule (``SUGGEST_RULE``): among the k whose mean silhouette is at least 80% of the best
    (``best - SUGGEST_SILHOUETTE_TOLERANCE * |best|``), the k with the highest
    Calinski-Harabasz index; ties go to the smaller k. With no silhouette, CH alone; with no CH,
    silhouette alone. Why: the silhouette often merges touching clusters (it peaks at k=4 on
    ``make_blobs(2000, centers=5, random_state=42)``), while CH alone drifts to k=2 on noisy
    high-dimensional data. On 38 synthetic sets with a known k (2-D and 8-D blobs, 30-D blobs,
    planted viewer segments) this rule found it 31 times, CH alone 30, silhouette alone 24,
    Davies-Bouldin 21. Show the analyst all indices, not only the suggestion.
    """
    sil = scan["silhouette"].where(np.isfinite(scan["silhouette"]))
    ch = scan["calinski_harabasz"].where(np.isfinite(scan["calinski_harabasz"]))
    candidates = scan
    if sil.notna().any():
        best = sil.max()
        candidates = scan[sil >= best - SUGGEST_SILHOUETTE_TOLERANCE * abs(best)]
    for column in ("calinski_harabasz", "silhouette"):
        values = candidates[column].where(np.isfinite(candidates[column]))
        if values.notna().any():
            return int(candidates.loc[values == values.max(), "k"].min())
    if ch.notna().any():
        return int(scan.loc[ch == ch.max(), "k"].min())
    return int(scan["k"].min())


@dataclass(frozen=True, eq=False)
class KMeansResult:
    """A fitted K-Means clustering (see :func:`fit_kmeans`).

    Attributes
    ----------
    k : int
    labels : ndarray of int
        Cluster of each used row, in ``range(k)``; 0 is the largest cluster.
    centers : DataFrame
        One row per cluster (index 0..k-1), columns = features, in original units (after
        median filling when ``missing="median"``).
    silhouette : ndarray of float
        Per-row silhouette in the scaled space; NaN for rows outside the seeded sample of
        ``SILHOUETTE_SAMPLE`` rows when there are more rows than that.
    silhouette_mean : float
        Mean over the sample (NaN if fewer than 2 clusters are populated).
    silhouette_sample_size : int
    inertia : float
        Sum of squared distances to the centres, in the scaled space.
    calinski_harabasz, davies_bouldin : float
        On all used rows, in the scaled space.
    model : KMeans or MiniBatchKMeans
        The fitted estimator (works in the scaled space; its cluster numbers match ``labels``).
    scaler : StandardScaler, RobustScaler or None
    features : list of str
    index : Index
        Index labels of the rows of X that were clustered (all rows unless ``missing="drop"``).
    fill_values : Series
        Column medians of X, used to fill missing values.
    scaling, missing, algorithm : str
    seed, n_init : int
    """

    k: int
    labels: np.ndarray
    centers: pd.DataFrame
    silhouette: np.ndarray
    silhouette_mean: float
    silhouette_sample_size: int
    inertia: float
    calinski_harabasz: float
    davies_bouldin: float
    model: KMeans | MiniBatchKMeans
    scaler: StandardScaler | RobustScaler | None
    features: list[str]
    index: pd.Index
    fill_values: pd.Series
    scaling: str
    missing: str
    algorithm: str
    seed: int
    n_init: int

    @property
    def sizes(self) -> pd.Series:
        """Rows per cluster, index 0..k-1 (empty clusters count 0)."""
        counts = np.bincount(self.labels, minlength=self.k)
        return pd.Series(counts, index=pd.RangeIndex(self.k, name="cluster"), name="size")

    def labels_series(self, name: str = "cluster") -> pd.Series:
        """Labels as a Series indexed like the clustered rows of X."""
        return pd.Series(self.labels, index=self.index, name=name)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Cluster of new rows (same features; missing values filled with the training medians)."""
        missing_cols = sorted(set(self.features) - {str(c) for c in X.columns})
        if missing_cols:
            raise ValueError(f"X lacks feature column(s) {missing_cols}")
        frame = _float_frame(X)
        raw = frame[self.features].fillna(self.fill_values).to_numpy()
        Z = raw if self.scaler is None else self.scaler.transform(raw)
        return self.model.predict(Z).astype(np.int64)

    def stability(self, X: pd.DataFrame, *, seeds: Sequence[int] = (0, 1, 2, 3, 4)) -> Stability:
        """:func:`stability_ari` of this k with this result's options."""
        return stability_ari(
            X,
            self.k,
            seeds=seeds,
            scaling=self.scaling,
            missing=self.missing,
            n_init=self.n_init,
            algorithm="minibatch" if isinstance(self.model, MiniBatchKMeans) else "kmeans",
        )


def fit_kmeans(
    X: pd.DataFrame,
    k: int,
    *,
    seed: int = 0,
    scaling: Scaling = "standard",
    missing: Missing = "median",
    n_init: int = N_INIT,
    silhouette_sample: int | None = SILHOUETTE_SAMPLE,
    algorithm: str = "auto",
) -> KMeansResult:
    """Cluster the rows of ``X`` into ``k`` groups with K-Means.

    Parameters
    ----------
    X : DataFrame
        Numeric features (bool allowed).
    k : int
        Number of clusters (>= 2, at most the number of rows).
    seed : int
        Seed of K-Means and of the silhouette sample.
    scaling, missing : str
        See the module docstring.
    n_init : int
        K-Means restarts; the best inertia is kept.
    silhouette_sample : int or None
        Rows in the seeded silhouette sample (None: all; quadratic cost).
    algorithm : {"auto", "kmeans", "minibatch"}
        "auto" uses MiniBatchKMeans above ``MINIBATCH_ABOVE`` rows.

    Returns
    -------
    KMeansResult
    """
    k = _check_k(k)
    prep = _prepare(X, scaling=scaling, missing=missing, min_rows=k)
    model = _fit_model(prep.scaled, k, seed=seed, n_init=n_init, algorithm=algorithm)
    labels = np.asarray(model.labels_, dtype=np.int64)
    centers = model.cluster_centers_
    if prep.scaler is not None:  # back to original units; clip float noise (means stay in range)
        centers = np.clip(
            prep.scaler.inverse_transform(centers), prep.raw.min(axis=0), prep.raw.max(axis=0)
        )
    sil, sil_mean, sil_n = _silhouette(prep.scaled, labels, sample=silhouette_sample, seed=seed)
    ch, db = _index_scores(prep.scaled, labels)
    return KMeansResult(
        k=k,
        labels=labels,
        centers=pd.DataFrame(
            centers, index=pd.RangeIndex(k, name="cluster"), columns=prep.features
        ),
        silhouette=sil,
        silhouette_mean=sil_mean,
        silhouette_sample_size=sil_n,
        inertia=float(model.inertia_),
        calinski_harabasz=ch,
        davies_bouldin=db,
        model=model,
        scaler=prep.scaler,
        features=prep.features,
        index=prep.index,
        fill_values=prep.fill_values,
        scaling=scaling,
        missing=missing,
        algorithm="minibatch" if isinstance(model, MiniBatchKMeans) else "kmeans",
        seed=seed,
        n_init=n_init,
    )


# === stability =================================================================================
@dataclass(frozen=True, eq=False)
class Stability:
    """Agreement of K-Means runs with different seeds (see :func:`stability_ari`).

    ``pairwise`` has columns ``seed_a, seed_b, ari``; ``label`` is :func:`stability_label` of
    ``mean``.
    """

    mean: float
    min: float
    label: str
    pairwise: pd.DataFrame
    seeds: tuple[int, ...]
    n_rows: int


def stability_ari(
    X: pd.DataFrame,
    k: int,
    *,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    scaling: Scaling = "standard",
    missing: Missing = "median",
    n_init: int = N_INIT,
    algorithm: str = "auto",
    sample: int | None = STABILITY_SAMPLE,
    progress: Progress | None = None,
) -> Stability:
    """Mean and minimum pairwise adjusted Rand index of K-Means labels across seeds.

    Each seed refits K-Means (same options as :func:`fit_kmeans`) on the same rows - a seeded
    sample of ``sample`` rows (drawn with ``seeds[0]``) when X is larger. 1.0 means every seed
    finds the same partition.
    """
    k = _check_k(k)
    seeds = tuple(int(s) for s in seeds)
    if len(seeds) < 2:
        raise ValueError("stability_ari needs at least two seeds")
    prep = _prepare(X, scaling=scaling, missing=missing, min_rows=k)
    Z = prep.scaled[_sample_positions(len(prep.scaled), sample, seeds[0])]
    runs = []
    for i, s in enumerate(seeds):
        _call(progress, i / len(seeds), f"Fitting K-Means with seed {s}")
        runs.append(_fit_model(Z, k, seed=s, n_init=n_init, algorithm=algorithm).labels_)
    _call(progress, 1.0, "stability done")
    pairs = [
        (seeds[a], seeds[b], float(adjusted_rand_score(runs[a], runs[b])))
        for a, b in combinations(range(len(seeds)), 2)
    ]
    pairwise = pd.DataFrame(pairs, columns=["seed_a", "seed_b", "ari"])
    mean = float(pairwise["ari"].mean())
    return Stability(
        mean=mean,
        min=float(pairwise["ari"].min()),
        label=stability_label(mean),
        pairwise=pairwise,
        seeds=seeds,
        n_rows=len(Z),
    )


def stability_label(ari: float) -> str:
    """Words for an ARI: "stable" (>= ``STABLE_ARI`` = 0.8), "moderately stable" (>= 0.6),
    "unstable" (< ``UNSTABLE_ARI`` = 0.6); "unknown" for NaN."""
    if ari is None or not np.isfinite(ari):
        return "unknown"
    if ari >= STABLE_ARI:
        return "stable"
    if ari >= UNSTABLE_ARI:
        return "moderately stable"
    return "unstable"


# === projections ===============================================================================
def project(
    X: pd.DataFrame,
    method: Literal["pca", "tsne"] = "pca",
    *,
    seed: int = 0,
    sample: int | None = TSNE_SAMPLE,
    scaling: Scaling = "standard",
    missing: Missing = "median",
    perplexity: float | None = None,
    max_iter: int = TSNE_MAX_ITER,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """2-D coordinates of (a seeded sample of) the rows of ``X``, for a scatter plot.

    Parameters
    ----------
    X : DataFrame
        Numeric features (bool allowed).
    method : {"pca", "tsne"}
        PCA is fitted on all rows (so the explained variance is exact) and the sample is
        transformed; t-SNE (``init="pca"``, Barnes-Hut) runs on the sample only.
    seed : int
        Seed of the sample and of t-SNE.
    sample : int or None
        Rows returned (None: all). Color them with ``labels_series().reindex(xy.index)``.
    perplexity : float, optional
        t-SNE perplexity; default ``min(30, (n - 1) / 3)`` (at least 2), adapted for small n.
    max_iter : int
        t-SNE iterations (>= 250).
    progress : callable, optional
        Called as ``progress(fraction, text)`` at the start and end of each stage.

    Returns
    -------
    DataFrame
        Columns ``x, y``, indexed by the sampled rows' index labels (in X's order). ``attrs``:
        ``method``, ``n_rows`` (rows projected from), ``explained_variance_ratio`` (list of
        2 floats for PCA, None for t-SNE), ``perplexity`` (t-SNE), ``kl_divergence`` (t-SNE).
    """
    _check_option("method", method, ("pca", "tsne"))
    _call(progress, 0.0, "Preparing features")
    prep = _prepare(X, scaling=scaling, missing=missing)
    n, d = prep.scaled.shape
    pos = _sample_positions(n, sample, seed)
    attrs: dict[str, object] = {"method": method, "n_rows": n, "explained_variance_ratio": None}
    if method == "pca":
        _call(progress, 0.2, f"PCA of {n:,} rows")
        n_comp = min(2, d, n)
        pca = PCA(n_components=n_comp, random_state=seed).fit(prep.scaled)
        xy = np.zeros((len(pos), 2))
        xy[:, :n_comp] = pca.transform(prep.scaled[pos])
        ratio = np.zeros(2)
        ratio[:n_comp] = np.nan_to_num(pca.explained_variance_ratio_)
        attrs["explained_variance_ratio"] = [float(r) for r in ratio]
    else:
        m = len(pos)
        if m < 3:
            raise ValueError(f"t-SNE needs at least 3 rows, got {m}")
        Z = prep.scaled[pos]
        if d > 50:  # the usual PCA pre-reduction: faster neighbours, same picture
            Z = PCA(n_components=50, random_state=seed).fit_transform(Z)
        perp = float(perplexity) if perplexity is not None else max(2.0, min(30.0, (m - 1) / 3))
        perp = min(perp, m - 1.0)
        _call(progress, 0.1, f"t-SNE of {m:,} rows (perplexity {perp:.0f})")
        tsne = TSNE(
            n_components=2,
            perplexity=perp,
            init="pca" if Z.shape[1] >= 2 else "random",
            learning_rate="auto",
            max_iter=max(int(max_iter), 250),
            angle=TSNE_ANGLE,
            random_state=seed,
        )
        with threadpool_limits(limits=TSNE_THREADS, user_api="openmp"):
            xy = tsne.fit_transform(Z)
        attrs.update(perplexity=perp, kl_divergence=float(tsne.kl_divergence_))
    _call(progress, 1.0, "Projection done")
    out = pd.DataFrame(xy, index=prep.index[pos], columns=["x", "y"])
    out.attrs.update(attrs)
    return out


# === profiles and personas =====================================================================
def _align(X: pd.DataFrame, labels: np.ndarray | pd.Series) -> tuple[pd.DataFrame, np.ndarray]:
    """Validated float copy of X and integer labels, aligned row by row.

    A labels Series is aligned on X's index (so ``labels_series()`` of a ``missing="drop"`` fit
    works); an array must have one label per row of X.
    """
    frame = _float_frame(X)
    if isinstance(labels, pd.Series):
        if not labels.index.equals(frame.index):
            if not frame.index.is_unique:
                raise ValueError("X's index has duplicates; pass labels as an array instead")
            unknown = labels.index.difference(frame.index)
            if len(unknown):
                raise ValueError(f"{len(unknown)} label(s) have no row in X (index mismatch)")
            frame = frame.loc[labels.index]
        values = labels.to_numpy()
    else:
        values = np.asarray(labels)
        if values.ndim != 1 or len(values) != len(frame):
            raise ValueError(f"labels has {values.shape} entries but X has {len(frame)} rows")
    if pd.isna(values).any():
        raise ValueError("labels contain missing values")
    if not np.all(np.equal(np.mod(values.astype(float), 1), 0)):
        raise ValueError("labels must be integers")
    return frame, values.astype(np.int64)


@dataclass(frozen=True, eq=False)
class ProfileRow:
    """One cluster of a :class:`ClusterProfile` (input of :func:`persona`)."""

    cluster: int
    size: int
    share: float
    means: pd.Series
    z: pd.Series
    overall_mean: pd.Series
    overall_std: pd.Series


@dataclass(frozen=True, eq=False)
class ClusterProfile:
    """What defines each cluster (see :func:`profile`).

    Attributes
    ----------
    summary : DataFrame
        Index ``cluster``; columns ``size, share, top_features`` (text such as
        ``"watch_hours +1.8, age -0.9"``: feature and z-score).
    means : DataFrame
        Cluster x feature means, original units.
    z : DataFrame
        Cluster x feature: (cluster mean - overall mean) / overall SD (0 for constant features).
    overall_mean, overall_std : Series
        Per feature, over all rows (SD with ddof=0); missing values are skipped everywhere.
    top : DataFrame
        Long table ``cluster, rank, feature, cluster_mean, overall_mean, z``: the ``top_n``
        features with the largest |z| per cluster.
    """

    summary: pd.DataFrame
    means: pd.DataFrame
    z: pd.DataFrame
    overall_mean: pd.Series
    overall_std: pd.Series
    top: pd.DataFrame

    def row(self, cluster: int) -> ProfileRow:
        """The profile of one cluster."""
        if cluster not in self.summary.index:
            raise KeyError(f"no cluster {cluster}; clusters are {list(self.summary.index)}")
        return ProfileRow(
            cluster=int(cluster),
            size=int(self.summary.at[cluster, "size"]),
            share=float(self.summary.at[cluster, "share"]),
            means=self.means.loc[cluster],
            z=self.z.loc[cluster],
            overall_mean=self.overall_mean,
            overall_std=self.overall_std,
        )

    def personas(
        self, *, noun: str = "viewers", n_terms: int = 3, min_z: float = PERSONA_MIN_Z
    ) -> pd.DataFrame:
        """One :func:`persona` per cluster: columns ``name, label, size, share, evidence``.

        Labels that two clusters share get " (cluster <id>)" appended, so names are unique.
        """
        found = {
            c: persona(self.row(c), noun=noun, n_terms=n_terms, min_z=min_z)
            for c in self.summary.index
        }
        counts = pd.Series([p.label for p in found.values()]).value_counts()
        rows = []
        for c, p in found.items():
            label = p.label if counts[p.label] == 1 else f"{p.label} (cluster {c})"
            name = label + p.name[len(p.label) :]
            rows.append((c, name, label, p.size, p.share, p.evidence))
        out = pd.DataFrame(rows, columns=["cluster", "name", "label", "size", "share", "evidence"])
        return out.set_index("cluster")


def profile(X: pd.DataFrame, labels: np.ndarray | pd.Series, *, top_n: int = 5) -> ClusterProfile:
    """Per-cluster size, share, feature means, z-scores vs all rows and top features.

    Parameters
    ----------
    X : DataFrame
        Numeric features in original units (bool allowed; missing values are skipped).
    labels : array or Series of int
        One cluster per row of X (a Series is aligned on X's index).
    top_n : int
        Distinguishing features listed per cluster.

    Returns
    -------
    ClusterProfile
    """
    frame, lab = _align(X, labels)
    n = len(lab)
    overall_mean = frame.mean()
    overall_std = frame.std(ddof=0)
    grouped = frame.groupby(lab, sort=True)
    means = grouped.mean()
    means.index = pd.Index(means.index.astype(np.int64), name="cluster")
    safe_std = overall_std.where(overall_std > 0)
    z = means.sub(overall_mean, axis=1).div(safe_std, axis=1).fillna(0.0)
    sizes = pd.Series(lab).value_counts().reindex(means.index)
    top_rows = []
    labels_text = {}
    for c in means.index:
        order = z.loc[c].abs().sort_values(ascending=False, kind="stable").index[:top_n]
        labels_text[c] = ", ".join(f"{f} {z.at[c, f]:+.1f}" for f in order)
        for rank, f in enumerate(order, start=1):
            top_rows.append((c, rank, f, means.at[c, f], overall_mean[f], z.at[c, f]))
    summary = pd.DataFrame(
        {
            "size": sizes.astype("int64"),
            "share": sizes / n,
            "top_features": pd.Series(labels_text),
        },
        index=means.index,
    )
    top = pd.DataFrame(
        top_rows, columns=["cluster", "rank", "feature", "cluster_mean", "overall_mean", "z"]
    )
    return ClusterProfile(summary, means, z, overall_mean, overall_std, top)


@dataclass(frozen=True, eq=False)
class Persona:
    """A plain-words name of a cluster and the numbers behind it (see :func:`persona`).

    ``label`` is e.g. ``"Late-night mobile thriller fans"``, ``name`` adds the share
    (``"..., 18% of viewers"``); ``evidence`` has columns
    ``feature, words, direction, cluster_mean, overall_mean, z`` for the features used.
    """

    name: str
    label: str
    size: int
    share: float
    evidence: pd.DataFrame


_WHEN_FEATURES = ("late_night_share", "weekend_share")


def _words(
    feature: str, z: float, table: dict[str, tuple[str | None, str | None]]
) -> tuple[str, str, int] | None:
    """(kind, words, slot) for a feature deviating in the sign of z; None if it has no wording.

    kind is "genre" (joins "<genres> fans"), "adj" (before the noun) or "with" (after it);
    slot orders adjectives as English does: who (older, heavy) < when (late-night) < device
    < genre flag, e.g. "Older late-night mobile drama titles".
    """
    high = z > 0
    base = feature[4:] if feature.startswith("log_") else feature
    if base in table:
        word = table[base][0 if high else 1]
        return None if word is None else ("adj", word, 1 if base in _WHEN_FEATURES else 0)
    if base.startswith("device_share__") and high:
        key = base.removeprefix("device_share__")
        return "adj", _DEVICE_WORDS.get(key, key.replace("_", " ")), 2
    if base.startswith("genre_share__") and high:
        key = base.removeprefix("genre_share__")
        return "genre", _GENRE_WORDS.get(key, key.replace("_", " ")), 4
    if base.startswith(GENRE_FLAG_PREFIX) and high:
        key = base.removeprefix(GENRE_FLAG_PREFIX)
        return "adj", _GENRE_WORDS.get(key, key.replace("_", " ")), 3
    if base.startswith(("device_share__", "genre_share__", GENRE_FLAG_PREFIX)):
        return None  # "not mobile" names nobody
    return "with", f"{'high' if high else 'low'} {feature}", 5


def _percent(share: float) -> str:
    if share > 0 and share < 0.01:
        return "<1%"
    return f"{share * 100:.0f}%"


def persona(
    row: ProfileRow,
    *,
    noun: str = "viewers",
    n_terms: int = 3,
    min_z: float = PERSONA_MIN_Z,
    words: dict[str, tuple[str | None, str | None]] | None = None,
) -> Persona:
    """Name a cluster from its most distinguishing features, in plain words.

    The up to ``n_terms`` features with the largest |z| (at least ``min_z``) that have a wording
    (``FEATURE_WORDS``, device / genre prefixes, else "high <feature>") build the name: e.g.
    ``"Late-night mobile thriller fans, 18% of viewers"``. A cluster with no such feature is
    ``"Typical viewers"``. Nothing is hard-coded per cluster: change the data, the name changes.

    Parameters
    ----------
    row : ProfileRow
        ``ClusterProfile.row(cluster)``.
    noun : str
        What the rows are ("viewers", "titles").
    words : dict, optional
        Extra or overriding ``{feature: (high words, low words)}`` entries.
    """
    table = {**FEATURE_WORDS, **(words or {})}
    order = row.z.abs().sort_values(ascending=False, kind="stable").index
    used, evidence = [], []
    seen: set[str] = set()
    for feature in order:
        z = float(row.z[feature])
        if len(used) >= n_terms or abs(z) < min_z:
            break
        term = _words(str(feature), z, table)
        if term is None or term[1] in seen:
            continue
        seen.add(term[1])
        used.append(term)
        evidence.append(
            (
                feature,
                term[1],
                "high" if z > 0 else "low",
                float(row.means[feature]),
                float(row.overall_mean[feature]),
                z,
            )
        )
    ordered = sorted(used, key=lambda term: term[2])  # stable: |z| order within a slot
    adjs = [w for kind, w, _ in ordered if kind == "adj"]
    genres = [w for kind, w, _ in ordered if kind == "genre"]
    extras = [w for kind, w, _ in ordered if kind == "with"]
    if genres:
        head = " & ".join(genres) + " fans"
    else:
        head = noun if used else f"typical {noun}"
    label = " ".join([*adjs, head])
    if extras:
        label += " with " + " and ".join(extras)
    label = label[:1].upper() + label[1:]
    ev = pd.DataFrame(
        evidence,
        columns=["feature", "words", "direction", "cluster_mean", "overall_mean", "z"],
    )
    return Persona(
        name=f"{label}, {_percent(row.share)} of {noun}",
        label=label,
        size=row.size,
        share=row.share,
        evidence=ev,
    )


# === surrogate tree ============================================================================
class Condition(NamedTuple):
    """One test of a rule: ``feature <= threshold`` or ``feature > threshold``."""

    feature: str
    op: str  # "<=" or ">"
    threshold: float

    def text(self) -> str:
        """``feature op threshold`` (odd names in backticks, as DataFrame.query wants them)."""
        name = self.feature
        if not (name.isidentifier() and not keyword.iskeyword(name)):
            name = f"`{name}`"
        return f"{name} {self.op} {float(self.threshold)!r}"


def rule_mask(X: pd.DataFrame, conditions: Iterable[Condition]) -> np.ndarray:
    """Boolean mask of the rows of X meeting every condition (missing values fail a test)."""
    mask = np.ones(len(X), dtype=bool)
    for c in conditions:
        col = X[c.feature].to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            mask &= (col <= c.threshold) if c.op == "<=" else (col > c.threshold)
    return mask


def _readable_threshold(threshold: float, sorted_values: np.ndarray) -> float:
    """Shortest rounding of ``threshold`` that splits the training values the same way."""
    target = np.searchsorted(sorted_values, threshold, side="right")
    for digits in range(2, 18):
        r = float(f"{threshold:.{digits}g}")
        if np.searchsorted(sorted_values, r, side="right") == target:
            return r
    return float(threshold)


@dataclass(frozen=True, eq=False)
class TreeExplanation:
    """Readable rules of a surrogate decision tree (see :func:`explain_tree`).

    Attributes
    ----------
    rules : DataFrame
        One row per leaf: ``cluster`` (the leaf's majority cluster), ``rule`` (text such as
        ``"watch_hours > 12.3 and device_share__mobile <= 0.41"``, valid ``DataFrame.query``
        syntax), ``conditions`` (tuple of :class:`Condition`, for :func:`rule_mask`),
        ``support`` (rows in the leaf), ``support_share``, ``purity`` (share of the leaf's
        rows in ``cluster``) and ``coverage`` (share of ``cluster``'s rows the rule catches).
        Sorted by cluster, then support (largest first).
    per_cluster : DataFrame
        Index ``cluster``; ``size``, ``n_rules``, ``coverage`` (recall of the tree for the
        cluster), ``precision``, ``rule`` (the cluster's rules joined by " OR ").
    fidelity : float
        Share of rows the tree assigns to their own cluster.
    tree : DecisionTreeClassifier
    features : list of str
    """

    rules: pd.DataFrame
    per_cluster: pd.DataFrame
    fidelity: float
    tree: DecisionTreeClassifier
    features: list[str]

    def rules_for(self, cluster: int) -> list[str]:
        """Rule texts of one cluster (largest support first)."""
        return self.rules.loc[self.rules["cluster"] == cluster, "rule"].tolist()


def explain_tree(
    X: pd.DataFrame,
    labels: np.ndarray | pd.Series,
    *,
    max_depth: int = 3,
    seed: int = 0,
    missing: Missing = "median",
    min_samples_leaf: int = 1,
) -> TreeExplanation:
    """Explain clusters with a shallow decision tree on the unscaled features.

    Parameters
    ----------
    X : DataFrame
        Numeric features in original units (bool allowed).
    labels : array or Series of int
        One cluster per row of X (a Series is aligned on X's index).
    max_depth : int
        Depth of the tree (at most ``2 ** max_depth`` rules; with more clusters than that some
        clusters get no rule).
    seed : int
        ``random_state`` of the tree.
    missing : {"median", "drop"}
        Missing values are filled with column medians (rules then hold for the filled data) or
        their rows are dropped.
    min_samples_leaf : int
        Passed to the tree.

    Returns
    -------
    TreeExplanation
    """
    _check_option("missing", missing, MISSING_POLICIES)
    frame, lab = _align(X, labels)
    if missing == "median":
        frame = frame.fillna(frame.median())
    else:
        keep = frame.notna().all(axis=1).to_numpy()
        frame, lab = frame.loc[keep], lab[keep]
        if not len(lab):
            raise ValueError("no rows left after dropping rows with missing values")
    features = list(frame.columns)
    values = frame.to_numpy()
    tree = DecisionTreeClassifier(
        max_depth=max_depth, random_state=seed, min_samples_leaf=min_samples_leaf
    ).fit(values, lab)
    predicted = tree.predict(values)
    fidelity = float(np.mean(predicted == lab))
    sorted_cols = [np.sort(values[:, j]) for j in range(values.shape[1])]
    t = tree.tree_
    leaf_of_row = tree.apply(values)
    cluster_sizes = pd.Series(lab).value_counts()
    rows = []

    def walk(node: int, path: list[Condition]) -> None:
        if t.children_left[node] == -1:
            in_leaf = leaf_of_row == node
            support = int(in_leaf.sum())
            if support == 0:
                return
            cluster = int(tree.classes_[np.argmax(t.value[node][0])])
            hits = int((lab[in_leaf] == cluster).sum())
            conds = _merge(path)
            rows.append(
                (
                    cluster,
                    " and ".join(c.text() for c in conds) or "(all rows)",
                    tuple(conds),
                    support,
                    support / len(lab),
                    hits / support,
                    hits / int(cluster_sizes[cluster]),
                )
            )
            return
        j = int(t.feature[node])
        thr = _readable_threshold(float(t.threshold[node]), sorted_cols[j])
        walk(int(t.children_left[node]), [*path, Condition(features[j], "<=", thr)])
        walk(int(t.children_right[node]), [*path, Condition(features[j], ">", thr)])

    walk(0, [])
    rules = pd.DataFrame(
        rows,
        columns=[
            "cluster",
            "rule",
            "conditions",
            "support",
            "support_share",
            "purity",
            "coverage",
        ],
    )
    rules = rules.sort_values(["cluster", "support"], ascending=[True, False], kind="stable")
    rules = rules.reset_index(drop=True)
    per = []
    for c in sorted(cluster_sizes.index):
        mine = rules[rules["cluster"] == c]
        said = predicted == c
        per.append(
            (
                int(c),
                int(cluster_sizes[c]),
                len(mine),
                float(np.mean(said[lab == c])),
                float(np.mean(lab[said] == c)) if said.any() else float("nan"),
                " OR ".join(f"({r})" if len(mine) > 1 else r for r in mine["rule"]),
            )
        )
    per_cluster = pd.DataFrame(
        per, columns=["cluster", "size", "n_rules", "coverage", "precision", "rule"]
    ).set_index("cluster")
    return TreeExplanation(rules, per_cluster, fidelity, tree, features)


def _merge(path: list[Condition]) -> list[Condition]:
    """Keep the tightest bound per feature and direction, in order of first appearance."""
    best: dict[tuple[str, str], Condition] = {}
    for c in path:
        key = (c.feature, c.op)
        old = best.get(key)
        if old is None:
            best[key] = c
        elif (c.op == "<=" and c.threshold < old.threshold) or (
            c.op == ">" and c.threshold > old.threshold
        ):
            best[key] = c
    order = list(dict.fromkeys((c.feature, c.op) for c in path))
    return [best[key] for key in order]


# === default features ==========================================================================
def title_genre_flags(
    titles: pd.DataFrame,
    *,
    column: str = "genres",
    sep: str = LIST_SEP,
    min_share: float = 0.0,
    max_genres: int | None = None,
) -> pd.DataFrame:
    """0/1 genre columns (``genre__<slug>``) from a ``sep``-joined genres column.

    Columns are ordered by frequency (then name); genres in fewer than ``min_share`` of the
    rows are left out, and at most ``max_genres`` are kept. The index of ``titles`` is kept;
    rows with no genre are all 0.
    """
    if column not in titles.columns:
        raise ValueError(f"titles has no {column!r} column")
    text = titles[column].astype("string").fillna("")
    pos = np.arange(len(titles))
    pieces = pd.Series(text.to_numpy(), index=pos).str.split(sep).explode().str.strip()
    pieces = pieces[pieces.notna() & (pieces != "")]
    slugs = pieces.map(slug)
    slugs = slugs[slugs != ""]
    flags = np.zeros((len(titles), 0), dtype=np.int8)
    names: list[str] = []
    if len(slugs):
        counts = slugs.groupby(slugs).apply(lambda s: s.index.nunique())
        order = sorted(counts.index, key=lambda g: (-counts[g], g))
        order = [g for g in order if counts[g] / len(titles) >= min_share]
        if max_genres is not None:
            order = order[:max_genres]
        flags = np.zeros((len(titles), len(order)), dtype=np.int8)
        col_of = {g: j for j, g in enumerate(order)}
        hit = slugs[slugs.isin(col_of)]
        flags[hit.index.to_numpy(), hit.map(col_of).to_numpy()] = 1
        names = [f"{GENRE_FLAG_PREFIX}{g}" for g in order]
    return pd.DataFrame(flags, index=titles.index, columns=names)


def _usable(series: pd.Series) -> bool:
    dtype = series.dtype
    if not (is_bool_dtype(dtype) or (is_numeric_dtype(dtype) and not is_complex_dtype(dtype))):
        return False
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    values = values[np.isfinite(values)]
    return len(values) > 0 and np.nanmax(values) > np.nanmin(values)


def default_features(
    df: pd.DataFrame,
    entity: Literal["viewers", "users", "titles"] = "viewers",
    *,
    min_genre_share: float = 0.02,
    max_genres: int = 15,
) -> pd.DataFrame:
    """Sensible default clustering features from gold["users"] or gold["titles"].

    Viewers: ``DEFAULT_USER_FEATURES`` plus every ``device_share__*`` and ``genre_share__*``
    column. Titles: ``DEFAULT_TITLE_FEATURES`` (``imdb_votes`` as ``log_imdb_votes``) plus the
    genre flags of :func:`title_genre_flags` (genres in at least ``min_genre_share`` of titles,
    at most ``max_genres``). Only numeric columns that exist, are not all missing and are not
    constant are kept. Returns a float DataFrame with df's index (missing values left in place).
    """
    _check_option("entity", entity, ("viewers", "users", "titles"))
    if entity == "titles":
        parts = []
        for col in DEFAULT_TITLE_FEATURES:
            if col not in df.columns:
                continue
            s = df[col]
            if col == "imdb_votes" and is_numeric_dtype(s.dtype):
                v = s.to_numpy(dtype="float64", na_value=np.nan)
                s = pd.Series(np.log1p(np.clip(v, 0, None)), index=df.index, name="log_imdb_votes")
            parts.append(s)
        if "genres" in df.columns:
            flags = title_genre_flags(df, min_share=min_genre_share, max_genres=max_genres)
            parts.extend(flags[c] for c in flags.columns)
    else:
        names = [c for c in DEFAULT_USER_FEATURES if c in df.columns]
        names += [
            c for c in df.columns if isinstance(c, str) and c.startswith(DEFAULT_USER_PREFIXES)
        ]
        parts = [df[c] for c in names]
    kept = [s for s in parts if _usable(s)]
    dropped = sorted({str(s.name) for s in parts} - {str(s.name) for s in kept})
    if dropped:
        logger.info("default_features: leaving out unusable column(s) %s", dropped)
    if not kept:
        raise ValueError(f"no usable default {entity} feature in columns {list(df.columns)}")
    return pd.DataFrame(
        {str(s.name): s.to_numpy(dtype="float64", na_value=np.nan) for s in kept},
        index=df.index,
    )
