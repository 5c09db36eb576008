"""Top 10 predictor: features, leakage guard, training, comparison, prediction and explanation.

Would a title make the weekly Top 10? The training table is ``gold["top10_training"]``
(``config.GOLD_COLUMNS["top10_training"]``): one row per title, the label
``config.TOP10_LABEL`` (0/1), the features known *before* release
(``PRE_RELEASE_FEATURES``) and a few columns that only exist *after* a title charted
(``POST_RELEASE_FEATURES``: hours viewed, views, weeks in the Top 10).

Leakage guard
    Post-release columns are never used unless the caller lists them in ``features``. Listing
    them is the explicit opt-in: the model then logs a warning and sets
    ``uses_post_release=True``. A model that reads them scores ~99 % and means nothing (seed
    000's model did exactly that); :func:`leakage_report` shows both numbers side by side.

Main entry points
    :func:`train` - one calibrated model, evaluated on a held-out split -> :class:`Top10Model`.
    :func:`compare_models` - stratified K-fold cross-validation of every model kind.
    :func:`leakage_report` - honest vs. leaky scores with a plain-words explanation.

Models are plain picklable objects (cache them with ``st.cache_resource``). There is
deliberately no function that loads a model from a file.

Size (about 1,600 lines, over the project's ~700): feature preparation, the three model
pipelines, cross-validation, calibration, the leakage report and input checks share one
prepared-feature type; the page's widget material lives in lib.models.top10_inputs.
"""

from __future__ import annotations

import functools
import itertools
import logging
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV, calibration_curve
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance as _sk_permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    log_loss,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import ThreadpoolController

from lib.config import (
    CONTENT_TYPES,
    GENRES,
    GOLD_COLUMNS,
    LIST_SEP,
    MATURITY_RATINGS,
    POST_RELEASE_COLUMNS,
    PRE_RELEASE_COLUMNS,
    TOP10_LABEL,
)

__all__ = [
    "PRE_RELEASE_FEATURES",
    "POST_RELEASE_FEATURES",
    "MODEL_KINDS",
    "PRE",
    "SEED",
    "N_SPLITS",
    "N_JOBS",
    "EXPLAIN_METHOD",
    "MultiHotEncoder",
    "NameTargetEncoder",
    "Top10Model",
    "train",
    "compare_models",
    "leakage_report",
    "synthetic_training_table",
]

logger = logging.getLogger(__name__)

PRE_RELEASE_FEATURES: tuple[str, ...] = tuple(PRE_RELEASE_COLUMNS)
POST_RELEASE_FEATURES: tuple[str, ...] = tuple(POST_RELEASE_COLUMNS)
MODEL_KINDS: tuple[str, ...] = ("logreg", "rf", "gbm")

# Defaults shared by the Top 10 page (lib.ui.top10_models) and the build's models step
# (lib.data.pipeline.models_top10), so what the build stores is what the page would compute.
PRE: tuple[str, ...] = PRE_RELEASE_FEATURES  # the honest feature set
SEED = 0
N_SPLITS = 5  # stratified cross-validation folds
# compare_models worker processes. One: on the shared 2-core machine two workers were slower
# (benchmarks/top10_page.py, scale-1 demo, load 3.6: 13.8 s with 1, 17.1 s with 2 warm
# workers, 23.4 s with 2 cold ones) and each keeps ~200 MB resident.
N_JOBS = 1

# How each known feature is encoded.
_NUMERIC = "numeric"  # median imputation + missing indicator
_LOG_NUMERIC = "log_numeric"  # log1p, then as numeric (counts spanning orders of magnitude)
_CATEGORICAL = "categorical"  # one-hot, unknown -> all zeros, rare -> "infrequent"
_LIST = "list"  # multi-hot over LIST_SEP-joined labels (genres)
_NAMES = "names"  # multi-valued, high-cardinality people: smoothed target encoding
_ROLES: dict[str, str] = {
    "imdb_rating": _NUMERIC,
    "meta_score": _NUMERIC,
    "release_year": _NUMERIC,
    "duration_minutes": _NUMERIC,
    "cumulative_weeks_in_top10": _NUMERIC,
    "imdb_votes": _LOG_NUMERIC,
    "weekly_hours_viewed": _LOG_NUMERIC,
    "weekly_views": _LOG_NUMERIC,
    "maturity_rating": _CATEGORICAL,
    "content_type": _CATEGORICAL,
    "language": _CATEGORICAL,
    "country": _CATEGORICAL,
    "genre_primary": _CATEGORICAL,
    "genres": _LIST,
    "cast": _NAMES,
    "director": _NAMES,
}
_NUMBER_ROLES = (_NUMERIC, _LOG_NUMERIC)

_MIN_PER_CLASS = 10  # fewer titles of either class cannot be trained *and* evaluated
_CALIBRATION_FOLDS = 3
_CATEGORY_MIN_FREQUENCY = 5
_LIST_MIN_FREQUENCY = 3
_NAME_SMOOTHING = 5.0
_TOP_NAMES = 50  # names listed per people feature in ``feature_ranges``
_EXPLAIN_BACKGROUND = 20  # training titles the explanation compares against
_NUMERIC_LIMIT = 1e12  # inputs are clipped to +-this so every estimator gets finite floats
_MISSING_MARKS = frozenset({"", "nan", "none", "null", "n/a", "<na>", "nat"})

EXPLAIN_METHOD = (
    "Each contribution is a Shapley value: how much that feature's value moves this title's "
    "predicted probability away from the average prediction for typical titles. Typical "
    f"titles are {_EXPLAIN_BACKGROUND} training titles picked at random once per model. For "
    "each of them, the title's real values are switched in one feature at a time (in a random "
    "order and in the reverse order) and every feature is credited with the change in "
    "probability its switch causes; the credits are averaged. The contributions add up "
    "exactly to prediction - base value, where the base value is the average probability of "
    "those typical titles. Positive values push towards the Top 10, negative away from it."
)


# --------------------------------------------------------------------------------------------
# Input coercion: dicts / DataFrames of raw values -> one typed frame per model
# --------------------------------------------------------------------------------------------
def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    return False


def _split_list(value: Any, sep: str = LIST_SEP) -> list[str]:
    """Labels of a multi-valued cell: a ``sep``-joined string or a list; order kept, deduped."""
    if type(value) is str:
        parts = value.split(sep)
    elif isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Series):
        parts = [str(p) for p in value if not _is_missing(p)]
    elif _is_missing(value):
        return []
    else:
        parts = str(value).split(sep)
    labels = dict.fromkeys(part.strip() for part in parts)
    labels.pop("", None)
    return [label for label in labels if label.lower() not in _MISSING_MARKS]


@functools.lru_cache(maxsize=1 << 15)  # ~30,000 distinct cells: a 10k-title catalog
def _string_labels(value: str, sep: str) -> tuple[str, ...]:
    """``_split_list`` of one string, kept: cross-validation fits the encoders 20+ times on
    overlapping rows, and a cast list is parsed once per process instead of once per fit."""
    return tuple(_split_list(value, sep))


def _column_labels(values: Sequence[Any], sep: str = LIST_SEP) -> list[tuple[str, ...]]:
    """``_split_list`` of every cell, computing each distinct string once."""
    return [
        _string_labels(value, sep) if type(value) is str else tuple(_split_list(value, sep))
        for value in values
    ]


def _clean_label(value: Any) -> Any:
    if _is_missing(value):
        return np.nan
    text = str(value).strip()
    return np.nan if text.lower() in _MISSING_MARKS else text


def _clean_list(value: Any) -> Any:
    labels = _split_list(value)
    return LIST_SEP.join(labels) if labels else np.nan


def _to_number(value: Any) -> float:
    """A float from a number, a bool or a numeric string (``"90,000"``); NaN otherwise."""
    if isinstance(value, bool | np.bool_):
        return float(value)
    if _is_missing(value):
        return np.nan
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    try:
        return float(str(value).replace(",", "").replace("_", "").strip())
    except ValueError:
        return np.nan


def _coerce_column(values: pd.Series | Sequence[Any], role: str) -> np.ndarray:
    """Raw cell values -> float array (numbers) or object array of clean strings / NaN."""
    if role in _NUMBER_ROLES:
        if isinstance(values, pd.Series) and pd.api.types.is_numeric_dtype(values.dtype):
            out = values.to_numpy(dtype=float, na_value=np.nan)
        else:
            out = np.array([_to_number(v) for v in values], dtype=float)
        out = np.where(np.isfinite(out), out, np.nan)
        return np.clip(out, -_NUMERIC_LIMIT, _NUMERIC_LIMIT)
    clean = _clean_list if role in (_LIST, _NAMES) else _clean_label
    return np.array([clean(v) for v in values], dtype=object)


def _typed_rows(
    rows: Mapping[str, Any] | pd.Series | pd.DataFrame, features: Sequence[str]
) -> tuple[np.ndarray, bool]:
    """Model input as a 2-D object array (columns = ``features`` in order, values cleaned,
    missing -> NaN) and whether ``rows`` was a single row (dict or Series)."""
    if isinstance(rows, pd.DataFrame):
        source, single, n = rows, False, len(rows)
    elif isinstance(rows, Mapping | pd.Series):
        source, single, n = {k: [v] for k, v in dict(rows).items()}, True, 1
    else:
        raise TypeError(f"rows must be a dict or a DataFrame, not {type(rows).__name__}")
    out = np.full((n, len(features)), np.nan, dtype=object)
    for j, feature in enumerate(features):
        if feature in source:
            out[:, j] = _coerce_column(source[feature], _ROLES[feature])
    return out, single


# --------------------------------------------------------------------------------------------
# Custom transformers
# --------------------------------------------------------------------------------------------
def _object_columns(X: Any) -> np.ndarray:
    arr = X.to_numpy(dtype=object) if hasattr(X, "to_numpy") else np.asarray(X, dtype=object)
    return arr.reshape(-1, 1) if arr.ndim == 1 else arr


def _input_names(transformer: BaseEstimator, input_features: Any) -> list[str]:
    if input_features is not None:
        return [str(f) for f in input_features]
    names = getattr(transformer, "feature_names_in_", None)
    if names is not None:
        return [str(f) for f in names]
    return [f"x{i}" for i in range(transformer.n_features_in_)]


def _remember_input(transformer: BaseEstimator, X: Any) -> np.ndarray:
    cols = _object_columns(X)
    transformer.n_features_in_ = cols.shape[1]
    if hasattr(X, "columns"):
        transformer.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
    return cols


class MultiHotEncoder(TransformerMixin, BaseEstimator):
    """Multi-hot encoding of multi-valued cells (``"Drama|Comedy"`` or ``["Drama", "Comedy"]``).

    Parameters
    ----------
    sep : str
        Separator of labels inside a string cell.
    min_frequency : int
        Labels seen in fewer training rows are not given a column (they are ignored, as are
        labels never seen in training).
    """

    def __init__(self, sep: str = LIST_SEP, min_frequency: int = 1):
        self.sep = sep
        self.min_frequency = min_frequency

    def fit(self, X: Any, y: Any = None) -> MultiHotEncoder:
        cols = _remember_input(self, X)
        self.vocabularies_ = []
        for j in range(cols.shape[1]):
            counts = Counter(
                label for labels in _column_labels(cols[:, j], self.sep) for label in labels
            )
            keep = sorted(k for k, c in counts.items() if c >= self.min_frequency)
            self.vocabularies_.append({label: i for i, label in enumerate(keep)})
        return self

    def transform(self, X: Any) -> np.ndarray:
        cols = _object_columns(X)
        blocks = []
        for j, vocab in enumerate(self.vocabularies_):
            block = np.zeros((cols.shape[0], len(vocab)))
            for i, labels in enumerate(_column_labels(cols[:, j], self.sep)):
                for label in labels:
                    k = vocab.get(label)
                    if k is not None:
                        block[i, k] = 1.0
            blocks.append(block)
        return np.hstack(blocks) if blocks else np.zeros((cols.shape[0], 0))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        names = _input_names(self, input_features)
        return np.asarray(
            [
                f"{names[j]}__{label}"
                for j, vocab in enumerate(self.vocabularies_)
                for label in vocab
            ],
            dtype=object,
        )


class NameTargetEncoder(TransformerMixin, BaseEstimator):
    """Smoothed target encoding of multi-valued, high-cardinality name columns (cast, director).

    For every name the training rows give a smoothed Top 10 rate
    ``(positives + smoothing * prior) / (titles + smoothing)``; a name never seen in training
    has the prior. A title is encoded, per column, by two numbers: the mean smoothed rate over
    its names (the prior when it lists none) and how many of its names were seen in training.

    ``fit_transform`` (what a Pipeline calls on training data) is *cross-fitted*: each training
    row is encoded with statistics from the other folds only, so a title's own label never
    leaks into its encoding. ``transform`` uses the statistics of all training rows. Because the
    encoder lives inside the Pipeline, every cross-validation fold refits it on its own
    training part.

    Parameters
    ----------
    sep : str
        Separator of names inside a string cell.
    smoothing : float
        Weight of the prior, in titles.
    cv : int
        Folds of the cross-fitting in ``fit_transform``.
    random_state : int or None
        Seed of the cross-fitting folds.
    """

    def __init__(
        self,
        sep: str = LIST_SEP,
        smoothing: float = _NAME_SMOOTHING,
        cv: int = 5,
        random_state: int | None = None,
    ):
        self.sep = sep
        self.smoothing = smoothing
        self.cv = cv
        self.random_state = random_state

    def _statistics(self, names: list[list[tuple[str, ...]]], y: np.ndarray):
        prior = float(np.mean(y)) if len(y) else 0.0
        rates = []
        for j in range(len(names)):
            titles: Counter[str] = Counter()
            positives: Counter[str] = Counter()
            for row_names, label in zip(names[j], y, strict=True):
                titles.update(row_names)
                if label:
                    positives.update(row_names)
            m = self.smoothing
            rates.append({k: (positives[k] + m * prior) / (n + m) for k, n in titles.items()})
        return prior, rates

    @staticmethod
    def _encode(names: list[list[tuple[str, ...]]], prior: float, rates: list[dict[str, float]]):
        n_rows = len(names[0]) if names else 0
        out = np.empty((n_rows, 2 * len(names)))
        for j, column in enumerate(names):
            table = rates[j]
            cache: dict[tuple[str, ...], tuple[float, float]] = {(): (prior, 0.0)}
            encoded = []
            for row_names in column:
                pair = cache.get(row_names)
                if pair is None:
                    values = [table.get(k, prior) for k in row_names]
                    pair = (sum(values) / len(values), float(sum(k in table for k in row_names)))
                    cache[row_names] = pair
                encoded.append(pair)
            if encoded:
                out[:, 2 * j : 2 * j + 2] = encoded
        return out

    def _names(self, X: Any) -> list[list[tuple[str, ...]]]:
        cols = _object_columns(X)
        return [_column_labels(cols[:, j], self.sep) for j in range(cols.shape[1])]

    def fit(self, X: Any, y: Any) -> NameTargetEncoder:
        _remember_input(self, X)
        y = np.asarray(y, dtype=float)
        self.prior_, self.rates_ = self._statistics(self._names(X), y)
        return self

    def transform(self, X: Any) -> np.ndarray:
        return self._encode(self._names(X), self.prior_, self.rates_)

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> np.ndarray:
        if y is None:
            raise ValueError("NameTargetEncoder needs the target y")
        _remember_input(self, X)
        y = np.asarray(y, dtype=float)
        names = self._names(X)  # parsed once for the fit and every cross-fitting fold
        self.prior_, self.rates_ = self._statistics(names, y)
        smallest_class = int(min(np.sum(y == 1), np.sum(y == 0)))
        n_splits = min(self.cv, smallest_class)
        if n_splits < 2:
            return self._encode(names, self.prior_, self.rates_)
        splitter = StratifiedKFold(n_splits, shuffle=True, random_state=self.random_state)
        out = np.empty((len(y), 2 * len(names)))
        for fit_idx, enc_idx in splitter.split(np.zeros(len(y)), y):
            part = [[col[i] for i in fit_idx] for col in names]
            prior, rates = self._statistics(part, y[fit_idx])
            out[enc_idx] = self._encode([[col[i] for i in enc_idx] for col in names], prior, rates)
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        names = _input_names(self, input_features)
        return np.asarray(
            [f"{n}__{suffix}" for n in names for suffix in ("target_rate", "n_known")],
            dtype=object,
        )


class _Forest(RandomForestClassifier):
    """``RandomForestClassifier`` with a faster ``predict_proba`` for small batches.

    The parent dispatches every tree through joblib, which costs ~0.3-0.6 ms per tree and
    call; this averages the trees' leaf probabilities directly (the same numbers, checked in
    the tests), so one prediction + explanation fits in the page's time budget.
    """

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = np.ascontiguousarray(X, dtype=np.float32)
        total = np.zeros((X.shape[0], self.n_classes_))
        for tree in self.estimators_:
            total += tree.tree_.predict(X)[:, : self.n_classes_]
        return total / len(self.estimators_)


def _log1p_nonnegative(X: Any) -> np.ndarray:
    """``log1p`` of counts; negative values (nonsense for counts) count as 0, NaN stays NaN."""
    arr = np.asarray(X, dtype=float)
    return np.log1p(np.clip(arr, 0.0, None))


# --------------------------------------------------------------------------------------------
# Estimators
# --------------------------------------------------------------------------------------------
_THREADPOOLS: list[ThreadpoolController] = []


def _one_thread():
    """Context limiting OpenMP and BLAS to one thread while a model fits or predicts.

    These tables are small: HistGradientBoosting's OpenMP threads gain nothing on them and,
    on a shared 2-core machine, stall at every barrier (measured: 0.7 s with one thread vs.
    6-23 s with two threads while other processes were busy).
    """
    if not _THREADPOOLS:
        _THREADPOOLS.append(ThreadpoolController())
    return _THREADPOOLS[0].limit(limits=1)


class _ObjectArray(TransformerMixin, BaseEstimator):
    """DataFrame of the model's raw features -> 2-D object array, columns in fit order.

    The ColumnTransformer that follows selects columns by position: indexing an array is
    several times cheaper than indexing a DataFrame, which matters for ``explain``.
    """

    def fit(self, X: pd.DataFrame, y: Any = None) -> _ObjectArray:
        self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        return self

    def transform(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        if isinstance(X, np.ndarray):  # internal fast path: columns already in fit order
            if X.ndim != 2 or X.shape[1] != self.n_features_in_:
                raise ValueError(f"expected {self.n_features_in_} columns, got shape {X.shape}")
            return X.astype(object, copy=False)
        names = list(self.feature_names_in_)
        if list(X.columns) != names:
            X = X[names]
        return X.to_numpy(dtype=object)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return self.feature_names_in_.copy()


def _encoder(features: Sequence[str], seed: int) -> ColumnTransformer:
    """Encoding of the raw feature columns (given by position in ``features``)."""
    by_role: dict[str, list[int]] = {}
    for position, feature in enumerate(features):
        by_role.setdefault(_ROLES[feature], []).append(position)
    parts: list[tuple[str, Any, list[str]]] = []
    if _NUMERIC in by_role:
        parts.append(
            ("num", SimpleImputer(strategy="median", add_indicator=True), by_role[_NUMERIC])
        )
    if _LOG_NUMERIC in by_role:
        log_then_impute = Pipeline(
            [
                ("log1p", FunctionTransformer(_log1p_nonnegative, feature_names_out="one-to-one")),
                ("impute", SimpleImputer(strategy="median", add_indicator=True)),
            ]
        )
        parts.append(("log", log_then_impute, by_role[_LOG_NUMERIC]))
    if _CATEGORICAL in by_role:
        one_hot = OneHotEncoder(
            handle_unknown="ignore", min_frequency=_CATEGORY_MIN_FREQUENCY, sparse_output=False
        )
        parts.append(("cat", one_hot, by_role[_CATEGORICAL]))
    if _LIST in by_role:
        parts.append(("list", MultiHotEncoder(min_frequency=_LIST_MIN_FREQUENCY), by_role[_LIST]))
    if _NAMES in by_role:
        parts.append(("names", NameTargetEncoder(random_state=seed), by_role[_NAMES]))
    return ColumnTransformer(parts, remainder="drop", sparse_threshold=0.0)


class _Boosting(HistGradientBoostingClassifier):
    """Gradient boosting whose ``min_samples_leaf`` is capped at 5% of the training rows.

    On a small table (a 100-title demo: ~50 rows per calibration fold, a dozen of them in the
    Top 10) leaves of 20 rows can never isolate the rare class, so even a column that gives
    the label away went unused. Tables of 400 rows or more are unchanged.
    """

    def fit(self, X, y, sample_weight=None):  # noqa: D102 - as HistGradientBoostingClassifier
        cap = max(2, int(0.05 * len(y)))
        if self.min_samples_leaf <= cap:
            return super().fit(X, y, sample_weight)
        kept = self.min_samples_leaf
        self.min_samples_leaf = cap
        try:
            return super().fit(X, y, sample_weight)
        finally:
            self.min_samples_leaf = kept


def _classifier(kind: str, seed: int) -> BaseEstimator:
    if kind == "logreg":
        return LogisticRegression(class_weight="balanced", C=0.3, max_iter=5000)
    if kind == "rf":
        return _Forest(
            n_estimators=80,
            min_samples_leaf=3,
            max_features="sqrt",
            class_weight="balanced_subsample",
            n_jobs=1,
            random_state=seed,
        )
    if kind == "gbm":
        return _Boosting(
            learning_rate=0.1,
            max_iter=60,
            max_leaf_nodes=8,
            max_bins=64,
            min_samples_leaf=20,
            l2_regularization=1.0,
            early_stopping=False,
            class_weight="balanced",
            random_state=seed,
        )
    raise ValueError(f"unknown model kind {kind!r}; choose one of {', '.join(MODEL_KINDS)}")


def _estimator(kind: str, features: Sequence[str], seed: int, calibration: str):
    """Encoding + classifier, calibrated with ``CalibratedClassifierCV`` (3 folds).

    The classifiers weight the rare Top 10 class up (``class_weight``), which pushes their raw
    scores upwards; the calibrator maps scores back to honest probabilities. With
    ``ensemble=False`` the calibrator is fitted on 3-fold out-of-fold scores and a single
    pipeline on all training rows makes the predictions (one pipeline -> fast ``explain``).
    """
    if calibration not in ("sigmoid", "isotonic"):
        raise ValueError("calibration must be 'sigmoid' or 'isotonic'")
    steps: list[tuple[str, Any]] = [
        ("columns", _ObjectArray()),
        ("encode", _encoder(features, seed)),
    ]
    if kind == "logreg":
        steps.append(("scale", StandardScaler()))
    steps.append(("model", _classifier(kind, seed)))
    return CalibratedClassifierCV(
        Pipeline(steps),
        method=calibration,
        cv=StratifiedKFold(_CALIBRATION_FOLDS, shuffle=True, random_state=seed),
        ensemble=False,
    )


# --------------------------------------------------------------------------------------------
# Validation of the training table
# --------------------------------------------------------------------------------------------
@dataclass
class _Prepared:
    X: pd.DataFrame
    y: np.ndarray
    table: pd.DataFrame
    features: tuple[str, ...]
    requested: tuple[str, ...]
    dropped: dict[str, str]
    uses_post_release: bool
    notes: list[str]


def _check_features(features: Sequence[str] | str) -> tuple[str, ...]:
    if isinstance(features, str):
        raise TypeError(f"features must be a sequence of column names, not the string {features!r}")
    requested = tuple(dict.fromkeys(features))
    if TOP10_LABEL in requested:
        raise ValueError(f"{TOP10_LABEL!r} is the label and cannot be a feature")
    unknown = [f for f in requested if f not in _ROLES]
    if unknown:
        raise ValueError(
            f"unknown feature(s) {unknown}; allowed: pre-release {list(PRE_RELEASE_FEATURES)}, "
            f"post-release {list(POST_RELEASE_FEATURES)}"
        )
    if not requested:
        raise ValueError("features is empty")
    return requested


def _label(column: pd.Series) -> pd.Series:
    """The 0/1 label as floats (NaN where missing); booleans and numeric strings accepted."""
    return pd.Series([_to_number(v) for v in column], index=column.index, dtype=float)


def _prepare(table: pd.DataFrame, features: Sequence[str] | str) -> _Prepared:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a DataFrame, not {type(table).__name__}")
    requested = _check_features(features)
    if TOP10_LABEL not in table.columns:
        raise ValueError(f"the table has no label column {TOP10_LABEL!r}")
    notes: list[str] = []
    label = _label(table[TOP10_LABEL])
    known = label.notna().to_numpy()
    if not known.all():
        note = f"{int((~known).sum())} rows without a {TOP10_LABEL} label were left out"
        notes.append(note)
        logger.info(note)
    table = table.loc[known].reset_index(drop=True)
    y_values = label[known].to_numpy(dtype=float)
    if not np.isin(y_values, (0.0, 1.0)).all():
        bad = sorted(set(y_values[~np.isin(y_values, (0.0, 1.0))].tolist()))[:5]
        raise ValueError(f"{TOP10_LABEL} must be 0 or 1; found {bad}")
    y = y_values.astype(int)
    counts = np.bincount(y, minlength=2)
    if counts.min() == 0:
        present = "Top 10 (1)" if counts[1] else "not Top 10 (0)"
        raise ValueError(
            f"the Top 10 model needs titles of both classes, but all {len(y)} labelled titles "
            f"are {present}; import data with both Top 10 and other titles"
        )
    if counts.min() < _MIN_PER_CLASS:
        raise ValueError(
            f"too few titles to train and evaluate: {counts[1]} in the Top 10 and {counts[0]} "
            f"not; each class needs at least {_MIN_PER_CLASS}"
        )
    dropped: dict[str, str] = {}
    data: dict[str, np.ndarray] = {}
    for feature in requested:
        if feature not in table.columns:
            dropped[feature] = "column not in the table"
            continue
        values = _coerce_column(table[feature], _ROLES[feature])
        if pd.isna(values).all():
            dropped[feature] = "no values (all missing)"
            continue
        data[feature] = values
    for feature, reason in dropped.items():
        note = f"feature {feature!r} dropped: {reason}"
        notes.append(note)
        logger.info(note)
    used = tuple(data)
    if not used:
        raise ValueError(f"none of the features {list(requested)} has any value in the table")
    post = [f for f in used if f in POST_RELEASE_FEATURES]
    if post:
        note = (
            f"post-release feature(s) {post} are used: they are only known after a title "
            "charted, so scores of this model are leakage, not prediction"
        )
        notes.append(note)
        logger.warning(note)
    return _Prepared(
        X=pd.DataFrame(data),
        y=y,
        table=table,
        features=used,
        requested=requested,
        dropped=dropped,
        uses_post_release=bool(post),
        notes=notes,
    )


def _time_key(column: pd.Series) -> tuple[pd.Series, bool]:
    """Numeric sort key of a date or year column, and whether it holds dates."""
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column):
        return pd.to_numeric(column, errors="coerce").astype(float), False
    dates = pd.to_datetime(column, errors="coerce", utc=True)
    seconds = (dates - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds()
    return seconds.astype(float), True


def _show_key(value: float, is_date: bool) -> str:
    if is_date:
        return pd.Timestamp(value, unit="s").strftime("%Y-%m-%d")
    return f"{value:g}"


def _holdout(prep: _Prepared, seed: int, test_size: float):
    """Indices of training and test rows, the kind of split and a one-line description."""
    y, n = prep.y, len(prep.y)
    why_not = "no added_date or release_year"
    for column in ("added_date", "release_year"):
        if column not in prep.table.columns:
            continue
        key, is_date = _time_key(prep.table[column])
        if key.notna().mean() < 0.5:
            why_not = f"{column} is missing for more than half of the titles"
            continue
        values = key.to_numpy()
        best = None
        for cut in np.unique(values[~np.isnan(values)])[1:]:
            share = np.mean(values >= cut)  # NaN compares False: undated rows train
            acceptable = test_size / 2 <= share <= test_size * 1.75
            if acceptable and (best is None or abs(share - test_size) < best[1]):
                best = (cut, abs(share - test_size))
        if best is None:
            why_not = f"no {column} cut-off leaves about {test_size:.0%} newest titles"
            continue
        test = values >= best[0]
        smallest = min(
            np.bincount(y[test], minlength=2).min(), np.bincount(y[~test], minlength=2).min()
        )
        if smallest < 3:
            why_not = f"a {column} split leaves fewer than 3 titles of a class on one side"
            continue
        train_idx, test_idx = np.flatnonzero(~test), np.flatnonzero(test)
        description = (
            f"temporal holdout on {column}: trained on the {len(train_idx)} older titles, tested "
            f"on the {len(test_idx)} newest ({column} from {_show_key(best[0], is_date)} to "
            f"{_show_key(np.nanmax(values), is_date)})"
        )
        return train_idx, test_idx, "temporal", description
    train_idx, test_idx = train_test_split(
        np.arange(n), test_size=test_size, stratify=y, random_state=seed
    )
    description = (
        f"stratified random holdout: {len(train_idx)} titles to train, {len(test_idx)} to test "
        f"(no temporal split: {why_not})"
    )
    return np.sort(train_idx), np.sort(test_idx), "stratified", description


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------
def _threshold_metrics(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, Any]:
    predicted = p >= threshold
    actual = y == 1
    tp = int(np.sum(predicted & actual))
    fp = int(np.sum(predicted & ~actual))
    fn = int(np.sum(~predicted & actual))
    tn = int(np.sum(~predicted & ~actual))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "threshold": float(threshold),
        "accuracy": (tp + tn) / len(y) if len(y) else float("nan"),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "predicted_positive_rate": float(np.mean(predicted)) if len(y) else float("nan"),
        "tn": tn,
        "fp": fp,
        "fn": fn,
        "tp": tp,
        "confusion_matrix": [[tn, fp], [fn, tp]],
    }


def _probability_scores(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    both = len(np.unique(y)) == 2
    return {
        "roc_auc": float(roc_auc_score(y, p)) if both else float("nan"),
        "pr_auc": float(average_precision_score(y, p)) if both else float("nan"),
        "brier": float(brier_score_loss(y, p)),
        "log_loss": float(log_loss(y, np.clip(p, 1e-6, 1 - 1e-6), labels=[0, 1])),
    }


def _best_f1_threshold(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    precision, recall, thresholds = precision_recall_curve(y, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    best = int(np.argmax(f1[:-1])) if len(thresholds) else 0
    return (float(thresholds[best]) if len(thresholds) else 0.5), float(f1[best])


def _reliability(y: np.ndarray, p: np.ndarray, n_bins: int = 10) -> pd.DataFrame:
    """Reliability curve (quantile bins) with the number of titles in every non-empty bin."""
    strategy = "quantile"
    fraction, mean_predicted = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    # calibration_curve does not return counts: rebin exactly as it does.
    bins = np.percentile(p, np.linspace(0, 1, n_bins + 1) * 100)
    totals = np.bincount(np.searchsorted(bins[1:-1], p), minlength=n_bins)
    counts = totals[totals != 0]
    return pd.DataFrame(
        {"mean_predicted": mean_predicted, "fraction_positive": fraction, "count": counts}
    )


def _curves(y: np.ndarray, p: np.ndarray) -> dict[str, pd.DataFrame]:
    fpr, tpr, roc_thresholds = roc_curve(y, p)
    precision, recall, pr_thresholds = precision_recall_curve(y, p)
    return {
        "roc": pd.DataFrame({"fpr": fpr, "tpr": tpr, "threshold": np.minimum(roc_thresholds, 1.0)}),
        "pr": pd.DataFrame(
            {
                "recall": recall,
                "precision": precision,
                "threshold": np.append(pr_thresholds, np.nan),
            }
        ),
    }


# --------------------------------------------------------------------------------------------
# The fitted model
# --------------------------------------------------------------------------------------------
def _feature_ranges(X: pd.DataFrame) -> dict[str, dict[str, Any]]:
    ranges: dict[str, dict[str, Any]] = {}
    for feature in X.columns:
        role = _ROLES[feature]
        column = X[feature]
        missing_share = float(column.isna().mean())
        if role in _NUMBER_ROLES:
            values = column.dropna().to_numpy(dtype=float)
            ranges[feature] = {
                "kind": "numeric",
                "min": float(values.min()),
                "max": float(values.max()),
                "median": float(np.median(values)),
                "p05": float(np.percentile(values, 5)),
                "p95": float(np.percentile(values, 95)),
                "integer": bool(np.all(values == np.round(values))),
                "missing_share": missing_share,
            }
            continue
        if role == _CATEGORICAL:
            counts = Counter(column.dropna().tolist())
        else:
            counts = Counter(label for v in column.dropna() for label in _split_list(v))
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        entry: dict[str, Any] = {"kind": "categorical" if role == _CATEGORICAL else role}
        if role == _NAMES:
            entry["n_names"] = len(ordered)
            ordered = ordered[:_TOP_NAMES]
        entry["options"] = [k for k, _ in ordered]
        entry["counts"] = [int(c) for _, c in ordered]
        entry["most_frequent"] = ordered[0][0] if ordered else None
        if role != _CATEGORICAL:
            per_title = [len(_split_list(v)) for v in column.dropna()]
            entry["typical_count"] = int(np.median(per_title)) if per_title else 0
        entry["missing_share"] = missing_share
        ranges[feature] = entry
    return ranges


def _typical(X: pd.DataFrame) -> dict[str, Any]:
    """Typical value of every feature (for display): median number, most frequent category or
    genre combination; none for people (their names are almost unique per title)."""
    typical: dict[str, Any] = {}
    for feature in X.columns:
        role = _ROLES[feature]
        if role in _NUMBER_ROLES:
            typical[feature] = float(X[feature].median())
        elif role in (_CATEGORICAL, _LIST):
            mode = X[feature].dropna().value_counts()
            typical[feature] = mode.index[0] if len(mode) else np.nan
        else:
            typical[feature] = np.nan
    return typical


def _explain_paths(n_features: int, n_background: int, seed: int):
    """Switch-in paths of the Shapley estimate: ``(background_of_path, perms, masks)``.

    Every background title gets a random feature order and its reverse (antithetic pair), or
    every order when there are at most 3 features (exact Shapley values). ``masks`` has
    ``d - 1`` rows per path: row ``s`` marks the first ``s + 1`` features of the path's order
    as taken from the explained title, the rest from the background title.
    """
    d = n_features
    rng = np.random.default_rng(seed)
    owners, perms = [], []
    for b in range(n_background):
        if d <= 3:
            orders = [np.array(p) for p in itertools.permutations(range(d))]
        else:
            first = rng.permutation(d)
            orders = [first, first[::-1]]
        owners.extend([b] * len(orders))
        perms.extend(orders)
    perms_arr = np.array(perms, dtype=int).reshape(-1, d)
    masks = np.zeros((len(perms_arr) * max(d - 1, 0), d), dtype=bool)
    for k, perm in enumerate(perms_arr):
        for step in range(d - 1):
            masks[k * (d - 1) + step, perm[: step + 1]] = True
    return np.array(owners, dtype=int), perms_arr, masks


class Top10Model:
    """A fitted, calibrated Top 10 classifier with its held-out evaluation.

    Built by :func:`train`; treat as read-only. Attributes
    ----------
    kind : str
        ``"logreg"``, ``"rf"`` or ``"gbm"``.
    features : tuple of str
        Raw input columns the model uses (requested features minus dropped ones).
    requested_features : tuple of str
        What the caller asked for.
    dropped_features : dict[str, str]
        Feature -> reason it was dropped (not in the table, all missing).
    uses_post_release : bool
        True when a post-release column is among ``features`` (leaky model).
    metrics : dict
        Held-out scores: ``roc_auc, pr_auc, brier, log_loss`` (probability quality),
        ``accuracy, precision, recall, f1, tn, fp, fn, tp, confusion_matrix, threshold,
        predicted_positive_rate`` at ``threshold`` (0.5), ``best_threshold`` and ``best_f1``
        (threshold maximising F1 on the held-out titles), ``base_rate`` (Top 10 share of
        training titles), ``test_base_rate``, ``brier_baseline`` (Brier of always predicting
        the base rate), ``n_train, n_test, split`` (description), ``split_kind``
        (``"temporal"`` or ``"stratified"``), ``kind``, ``features``, ``uses_post_release``.
    curves : dict[str, DataFrame]
        ``"roc"``: ``fpr, tpr, threshold``; ``"pr"``: ``recall, precision, threshold``.
    reliability : DataFrame
        ``mean_predicted, fraction_positive, count`` per probability bin (held-out titles).
    feature_ranges : dict[str, dict]
        Slider material per feature (see :func:`train`).
    typical : dict
        Typical value per feature (median, most frequent category / genre combination; NaN
        for people), shown next to contributions.
    base_value : float
        Average probability of the background titles :meth:`explain` compares against.
    notes : list of str
        Everything noteworthy that happened during training (dropped rows/features, leakage).
    """

    def __init__(
        self,
        *,
        kind: str,
        seed: int,
        estimator: CalibratedClassifierCV,
        prep: _Prepared,
        train_idx: np.ndarray,
        test_idx: np.ndarray,
        split_kind: str,
        split: str,
    ):
        self.kind = kind
        self.seed = seed
        self.estimator_ = estimator
        self.features = prep.features
        self.requested_features = prep.requested
        self.dropped_features = dict(prep.dropped)
        self.uses_post_release = prep.uses_post_release
        self.notes = list(prep.notes)
        X_train = prep.X.iloc[train_idx].reset_index(drop=True)
        self._X_test = prep.X.iloc[test_idx].reset_index(drop=True)
        self._y_test = prep.y[test_idx]
        self._p_test = self._predict(self._X_test)
        self.feature_ranges = _feature_ranges(X_train)
        self.typical = _typical(X_train)
        rng = np.random.default_rng(seed)
        n_background = min(_EXPLAIN_BACKGROUND, len(X_train))
        chosen = np.sort(rng.choice(len(X_train), size=n_background, replace=False))
        self._background_array = X_train.iloc[chosen].to_numpy(dtype=object)
        self._background_p = self._predict(self._background_array)
        self.base_value = float(np.mean(self._background_p))
        self._owners, self._perms, self._masks = _explain_paths(
            len(self.features), n_background, seed
        )

        y_test, p_test = self._y_test, self._p_test
        base_rate = float(np.mean(prep.y[train_idx]))
        best_threshold, best_f1 = _best_f1_threshold(y_test, p_test)
        self.metrics: dict[str, Any] = {
            "kind": kind,
            **_probability_scores(y_test, p_test),
            **_threshold_metrics(y_test, p_test, 0.5),
            "best_threshold": best_threshold,
            "best_f1": best_f1,
            "base_rate": base_rate,
            "test_base_rate": float(np.mean(y_test)),
            "brier_baseline": float(np.mean((y_test - base_rate) ** 2)),
            "n_train": len(train_idx),
            "n_test": len(test_idx),
            "split": split,
            "split_kind": split_kind,
            "features": list(self.features),
            "uses_post_release": self.uses_post_release,
        }
        self.curves = _curves(y_test, p_test)
        self.reliability = _reliability(y_test, p_test)

    def __repr__(self) -> str:
        return (
            f"Top10Model(kind={self.kind!r}, features={len(self.features)}, "
            f"roc_auc={self.metrics['roc_auc']:.3f}, uses_post_release={self.uses_post_release})"
        )

    # ---- prediction ---------------------------------------------------------------------
    def _predict(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Probabilities of typed rows: a DataFrame of coerced columns (``_prepare``) or an
        object array whose columns are ``self.features`` in order (``_typed_rows``)."""
        if len(X) == 0:
            return np.zeros(0)
        with _one_thread():
            return np.clip(self.estimator_.predict_proba(X)[:, 1], 0.0, 1.0)

    def predict_proba(self, rows: Mapping[str, Any] | pd.DataFrame) -> float | np.ndarray:
        """Calibrated probability of making the Top 10.

        Parameters
        ----------
        rows : dict or DataFrame
            Feature values. Missing keys/columns and missing values are imputed; unknown
            categories and names are allowed; genres/cast/director may be lists or
            ``LIST_SEP``-joined strings; other keys are ignored.

        Returns
        -------
        float for a dict, ndarray of shape ``(len(rows),)`` for a DataFrame; values in [0, 1].
        """
        X, single = _typed_rows(rows, self.features)
        p = self._predict(X)
        return float(p[0]) if single else p

    def explain(self, row: Mapping[str, Any] | pd.Series | pd.DataFrame) -> pd.DataFrame:
        """Per-feature contributions to one prediction (Shapley values, model-agnostic).

        Method (also in ``EXPLAIN_METHOD``): the model keeps 20 training titles as a
        background. For each background title, the row's values are switched in one feature
        at a time, along a random feature order and its reverse; a feature is credited with
        the change in probability its switch causes, and credits are averaged over all paths.
        All paths are evaluated in one batch (~500 rows), so this costs about two predictions.

        The contributions add up exactly to ``prediction - base_value``:
        ``attrs["base_value"] + contribution.sum() == attrs["prediction"]``, where
        ``base_value`` (= ``model.base_value``) is the average probability of the background
        titles. Features the model ignores get 0.

        Returns
        -------
        DataFrame with columns ``feature``, ``value`` (the row's value after cleaning; NaN when
        missing), ``typical`` (``model.typical``) and ``contribution``, sorted by
        ``|contribution|``, largest first; ``attrs`` holds ``prediction``, ``base_value`` and
        ``method``.
        """
        if isinstance(row, pd.DataFrame):
            if len(row) != 1:
                raise ValueError(f"explain takes one row, got {len(row)}")
            row = row.iloc[0].to_dict()
        X, _ = _typed_rows(row, self.features)
        d = len(self.features)
        x_values = list(X[0])
        # row 0: the title itself; then d - 1 intermediate rows per path
        owner = np.concatenate([[0], np.repeat(self._owners, max(d - 1, 0))])
        masks = np.vstack([np.ones((1, d), dtype=bool), self._masks])
        batch = self._background_array[owner]  # fancy indexing copies
        for j in range(d):
            batch[masks[:, j], j] = x_values[j]
        p = self._predict(batch)
        prediction = float(p[0])
        steps = p[1:].reshape(len(self._perms), max(d - 1, 0))
        contributions = np.zeros(d)
        for k, perm in enumerate(self._perms):
            path = np.concatenate([[self._background_p[self._owners[k]]], steps[k], [prediction]])
            contributions[perm] += np.diff(path)
        contributions /= len(self._perms)
        out = pd.DataFrame(
            {
                "feature": list(self.features),
                "value": pd.Series(x_values, dtype=object),
                "typical": pd.Series([self.typical[f] for f in self.features], dtype=object),
                "contribution": contributions,
            }
        )
        order = np.argsort(-np.abs(contributions), kind="stable")
        out = out.iloc[order].reset_index(drop=True)
        base_value = float(np.mean(self._background_p[self._owners]))
        out.attrs.update(prediction=prediction, base_value=base_value, method=EXPLAIN_METHOD)
        return out

    # ---- inputs -------------------------------------------------------------------------
    def check_input(self, row: Mapping[str, Any]) -> list[str]:
        """Warnings about one input row: out-of-range numbers, unseen categories and names,
        values that are not numbers, missing features (imputed) and ignored keys."""
        row = dict(row)
        warnings: list[str] = []
        for key in row:
            if key in self.features:
                continue
            if key in self.dropped_features:
                reason = self.dropped_features[key]
                warnings.append(f"{key} is not used by this model ({reason}); ignored")
            else:
                warnings.append(f"{key!r} is not a feature of this model; ignored")
        for feature in self.features:
            info = self.feature_ranges[feature]
            raw = row.get(feature)
            role = _ROLES[feature]
            if role in _NUMBER_ROLES:
                if feature not in row or _is_missing(raw):
                    warnings.append(
                        f"{feature} is missing; the model fills in the training median "
                        f"{info['median']:g}"
                    )
                    continue
                value = _to_number(raw)
                if not np.isfinite(value):
                    warnings.append(f"{feature} {raw!r} is not a number; treated as missing")
                elif value > info["max"]:
                    warnings.append(
                        f"{feature} {value:g} is above the training maximum {info['max']:g}"
                    )
                elif value < info["min"]:
                    warnings.append(
                        f"{feature} {value:g} is below the training minimum {info['min']:g}"
                    )
                continue
            if role == _CATEGORICAL:
                value = _clean_label(raw)
                if _is_missing(value):
                    warnings.append(f"{feature} is missing; it gets no category effect")
                elif value not in info["options"]:
                    warnings.append(
                        f"{feature} {value!r} was not seen in training; it gets no category effect"
                    )
                continue
            labels = _split_list(raw)
            if role == _LIST:
                unseen = [v for v in labels if v not in info["options"]]
                if unseen:
                    warnings.append(f"{feature} {unseen} not seen in training; ignored")
            else:
                known = self._known_names(feature)
                unseen = [v for v in labels if v not in known]
                if unseen:
                    warnings.append(
                        f"{feature} {unseen} not seen in training; they count at the average "
                        "Top 10 rate"
                    )
        return warnings

    def _known_names(self, feature: str) -> dict[str, float]:
        encoder = self.estimator_.calibrated_classifiers_[0].estimator.named_steps["encode"]
        names = encoder.named_transformers_["names"]
        position = [f for f in self.features if _ROLES[f] == _NAMES].index(feature)
        return names.rates_[position]

    # ---- evaluation ---------------------------------------------------------------------
    def metrics_at(self, threshold: float) -> dict[str, Any]:
        """Accuracy, precision, recall, F1 and confusion matrix on the held-out titles when
        titles with probability ``>= threshold`` are called Top 10."""
        threshold = float(threshold)
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {threshold}")
        return _threshold_metrics(self._y_test, self._p_test, threshold)

    def permutation_importance(
        self,
        n_repeats: int = 5,
        *,
        scoring: str = "roc_auc",
        seed: int | None = None,
        n_jobs: int = 1,
    ) -> pd.DataFrame:
        """Drop in held-out ``scoring`` when one raw input column is shuffled.

        Columns are the model's raw features (all genres together, all cast together), not
        encoded columns. Returns DataFrame ``feature, importance_mean, importance_std``,
        most important first. ``n_jobs`` worker processes shuffle the columns in parallel;
        every column's shuffles come from the same seed either way, so the result is too.
        """
        with _one_thread():
            result = _sk_permutation_importance(
                self.estimator_,
                self._X_test,
                self._y_test,
                scoring=scoring,
                n_repeats=n_repeats,
                random_state=self.seed if seed is None else seed,
                n_jobs=n_jobs,
            )
        out = pd.DataFrame(
            {
                "feature": list(self.features),
                "importance_mean": result.importances_mean,
                "importance_std": result.importances_std,
            }
        )
        return out.sort_values("importance_mean", ascending=False, kind="stable").reset_index(
            drop=True
        )


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------
def train(
    table: pd.DataFrame,
    features: Sequence[str] = PRE_RELEASE_FEATURES,
    *,
    kind: str = "gbm",
    seed: int = SEED,
    calibration: str = "sigmoid",
    test_size: float = 0.2,
) -> Top10Model:
    """Train one calibrated Top 10 model and evaluate it on held-out titles.

    Parameters
    ----------
    table : DataFrame
        ``gold["top10_training"]``-shaped; needs ``in_top10`` (0/1) and at least 10 titles of
        each class. Feature columns may be missing or empty: they are dropped with a note
        (``model.dropped_features``).
    features : sequence of str
        Raw columns to use. Defaults to ``PRE_RELEASE_FEATURES``. Listing a post-release
        column is the explicit opt-in to a leaky model (warning logged,
        ``model.uses_post_release`` set).
    kind : {"logreg", "rf", "gbm"}
    seed : int
        Seeds every random step; the same seed gives the same model.
    calibration : {"sigmoid", "isotonic"}
    test_size : float
        Share of held-out titles. The split is temporal (newest titles by ``added_date``, else
        ``release_year``) when that gives a test share of 0.5-1.75 x ``test_size`` with 3+ titles of
        each class on both sides; otherwise stratified random. ``metrics["split"]`` says which.

    Returns
    -------
    Top10Model
        ``feature_ranges[feature]`` is ``{"kind": "numeric", "min", "max", "median", "p05",
        "p95", "integer", "missing_share"}`` for numbers; ``{"kind": "categorical", "options",
        "counts", "most_frequent", "missing_share"}`` for categories (options by frequency);
        ``{"kind": "list" | "names", "options", "counts", "most_frequent", "typical_count",
        "missing_share"}`` for genres and people (people: top 50 names and ``n_names``).
    """
    if kind not in MODEL_KINDS:
        raise ValueError(f"unknown model kind {kind!r}; choose one of {', '.join(MODEL_KINDS)}")
    prep = _prepare(table, features)
    train_idx, test_idx, split_kind, split = _holdout(prep, seed, test_size)
    estimator = _estimator(kind, prep.features, seed, calibration)
    started = time.perf_counter()
    with _one_thread():
        estimator.fit(prep.X.iloc[train_idx], prep.y[train_idx])
    logger.info(
        "trained %s Top 10 model in %.2f s (%s)", kind, time.perf_counter() - started, split
    )
    return Top10Model(
        kind=kind,
        seed=seed,
        estimator=estimator,
        prep=prep,
        train_idx=train_idx,
        test_idx=test_idx,
        split_kind=split_kind,
        split=split,
    )


_CV_METRICS = ("roc_auc", "pr_auc", "brier", "log_loss", "accuracy")


def _fold_probabilities(
    kind: str,
    features: tuple[str, ...],
    seed: int,
    calibration: str,
    X_fit: pd.DataFrame,
    y_fit: np.ndarray,
    X_test: pd.DataFrame,
) -> tuple[np.ndarray, float]:
    """Fit one calibrated model on a fold's training part; test-part probabilities, seconds."""
    started = time.process_time()
    estimator = _estimator(kind, features, seed, calibration)
    with _one_thread():
        estimator.fit(X_fit, y_fit)
        p = np.clip(estimator.predict_proba(X_test)[:, 1], 0.0, 1.0)
    return p, time.process_time() - started


def _cross_validate(
    prep: _Prepared,
    kinds: Sequence[str],
    seed: int,
    n_splits: int,
    calibration: str,
    n_jobs: int | None = 1,
) -> pd.DataFrame:
    for kind in kinds:
        if kind not in MODEL_KINDS:
            raise ValueError(f"unknown model kind {kind!r}; choose one of {', '.join(MODEL_KINDS)}")
    if n_splits > int(np.bincount(prep.y).min()):
        raise ValueError(f"{n_splits}-fold CV needs {n_splits} titles of each class")
    folds = list(StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(prep.X, prep.y))
    tasks = [(kind, fit_idx, test_idx) for kind in kinds for fit_idx, test_idx in folds]
    results = Parallel(n_jobs=n_jobs)(
        delayed(_fold_probabilities)(
            kind,
            prep.features,
            seed,
            calibration,
            prep.X.iloc[fit_idx],
            prep.y[fit_idx],
            prep.X.iloc[test_idx],
        )
        for kind, fit_idx, test_idx in tasks
    )
    rows = []
    for kind in kinds:
        per_fold: dict[str, list[float]] = {m: [] for m in _CV_METRICS}
        seconds = 0.0
        for (task_kind, _, test_idx), (p, cpu) in zip(tasks, results, strict=True):
            if task_kind != kind:
                continue
            y = prep.y[test_idx]
            scores = _probability_scores(y, p)
            scores["accuracy"] = float(np.mean((p >= 0.5) == (y == 1)))
            for metric in _CV_METRICS:
                per_fold[metric].append(scores[metric])
            seconds += cpu
        row: dict[str, Any] = {"kind": kind}
        for metric in _CV_METRICS:
            values = np.asarray(per_fold[metric])
            row[f"{metric}_mean"] = float(np.mean(values))
            row[f"{metric}_std"] = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
        row["n_folds"] = n_splits
        row["fit_seconds"] = seconds
        rows.append(row)
        logger.info("cross-validated %s: %.1f s of CPU", kind, seconds)
    out = pd.DataFrame(rows)
    out = out.sort_values("roc_auc_mean", ascending=False, kind="stable").reset_index(drop=True)
    out.attrs.update(
        features=list(prep.features),
        dropped_features=dict(prep.dropped),
        uses_post_release=prep.uses_post_release,
        base_rate=float(np.mean(prep.y)),
        n_titles=len(prep.y),
        notes=list(prep.notes),
    )
    return out


def compare_models(
    table: pd.DataFrame,
    features: Sequence[str] = PRE_RELEASE_FEATURES,
    *,
    seed: int = SEED,
    kinds: Sequence[str] = MODEL_KINDS,
    n_splits: int = N_SPLITS,
    calibration: str = "sigmoid",
    n_jobs: int | None = 1,
) -> pd.DataFrame:
    """Stratified K-fold cross-validation of each model kind on the same folds.

    Every fold refits the whole pipeline (encoders included) and its calibration on the fold's
    training part, so no statistic of a test fold reaches its model. ``n_jobs=2`` runs the
    (kind, fold) fits in two worker processes; the numbers do not depend on it.

    Returns
    -------
    DataFrame, one row per kind, best ``roc_auc_mean`` first, with columns ``kind``,
    ``{roc_auc, pr_auc, brier, log_loss, accuracy}_{mean, std}`` (std over folds, ddof=1),
    ``n_folds`` and ``fit_seconds`` (CPU seconds of the kind's fits). ``attrs`` holds
    ``features``, ``dropped_features``, ``uses_post_release``, ``base_rate``, ``n_titles``
    and ``notes``.
    """
    return _cross_validate(_prepare(table, features), kinds, seed, n_splits, calibration, n_jobs)


def _post_release_signal(table: pd.DataFrame, columns: Sequence[str]) -> dict[str, dict]:
    label = _label(table[TOP10_LABEL])
    signal = {}
    for column in columns:
        values = _coerce_column(table[column], _ROLES[column])
        recorded = np.nan_to_num(values, nan=0.0) > 0
        signal[column] = {
            "share_recorded_top10": float(np.mean(recorded[(label == 1).to_numpy()])),
            "share_recorded_other": float(np.mean(recorded[(label == 0).to_numpy()])),
        }
    return signal


def leakage_report(
    table: pd.DataFrame,
    seed: int = SEED,
    *,
    kind: str = "gbm",
    n_splits: int = N_SPLITS,
    n_jobs: int | None = 1,
) -> dict[str, Any]:
    """Cross-validated scores of an honest model (pre-release features) and a leaky one
    (pre- + post-release features), with a plain-words explanation.

    Returns
    -------
    dict with ``kind``, ``honest`` and ``leaky`` (metric -> value: ``roc_auc``, ``roc_auc_std``,
    ``pr_auc``, ..., ``accuracy``; ``leaky`` is None when the table has no post-release values),
    ``post_release_features`` (the ones with values), ``signal`` (per post-release column: share
    of Top 10 and of other titles with a recorded value), ``base_rate``, ``table`` (DataFrame,
    one row per model) and ``explanation`` (str).
    """
    honest_prep = _prepare(table, PRE_RELEASE_FEATURES)
    honest_row = _cross_validate(honest_prep, (kind,), seed, n_splits, "sigmoid", n_jobs).iloc[0]
    post = [
        c
        for c in POST_RELEASE_FEATURES
        if c in table.columns and not pd.isna(_coerce_column(table[c], _ROLES[c])).all()
    ]

    def summary(row: pd.Series) -> dict[str, float]:
        out = {}
        for metric in _CV_METRICS:
            out[metric] = float(row[f"{metric}_mean"])
            out[f"{metric}_std"] = float(row[f"{metric}_std"])
        return out

    honest = summary(honest_row)
    base_rate = float(np.mean(honest_prep.y))
    majority = max(base_rate, 1 - base_rate)
    rows = [{"model": "honest (pre-release features)", **honest}]
    if not post:
        explanation = (
            f"This table has no post-release values ({', '.join(POST_RELEASE_FEATURES)}), so "
            f"there is nothing to leak. The honest {kind} model scores ROC-AUC "
            f"{honest['roc_auc']:.3f} (+- {honest['roc_auc_std']:.3f}) over {n_splits} folds."
        )
        return {
            "kind": kind,
            "honest": honest,
            "leaky": None,
            "post_release_features": [],
            "signal": {},
            "base_rate": base_rate,
            "table": pd.DataFrame(rows),
            "explanation": explanation,
        }
    leaky_prep = _prepare(table, tuple(PRE_RELEASE_FEATURES) + tuple(post))
    leaky_row = _cross_validate(leaky_prep, (kind,), seed, n_splits, "sigmoid", n_jobs).iloc[0]
    leaky = summary(leaky_row)
    rows.append({"model": "leaky (+ post-release features)", **leaky})
    signal = _post_release_signal(leaky_prep.table, post)
    evidence = "; ".join(
        f"{c} is recorded for {s['share_recorded_top10']:.0%} of Top 10 titles and "
        f"{s['share_recorded_other']:.0%} of the others"
        for c, s in signal.items()
    )
    explanation = (
        f"With the post-release columns ({', '.join(post)}) the {kind} model scores ROC-AUC "
        f"{leaky['roc_auc']:.3f} (+- {leaky['roc_auc_std']:.3f}) and accuracy "
        f"{leaky['accuracy']:.1%}; without them it scores ROC-AUC {honest['roc_auc']:.3f} "
        f"(+- {honest['roc_auc_std']:.3f}) and accuracy {honest['accuracy']:.1%} "
        f"({n_splits}-fold cross-validation, {len(honest_prep.y)} titles). The leaky score is "
        "meaningless: these columns are measured only after a title has been released and "
        f"watched, and they exist because it charted ({evidence}). The model reads the answer "
        "instead of predicting it, and for a title that is not out yet the values do not "
        f"exist. The honest ROC-AUC {honest['roc_auc']:.3f} is the number to trust: 0.5 is a "
        f"coin flip, and calling every title 'not Top 10' is already {majority:.1%} accurate "
        f"because only {base_rate:.1%} of titles chart, so accuracy alone says little."
    )
    return {
        "kind": kind,
        "honest": honest,
        "leaky": leaky,
        "post_release_features": post,
        "signal": signal,
        "base_rate": base_rate,
        "table": pd.DataFrame(rows),
        "explanation": explanation,
    }


# --------------------------------------------------------------------------------------------
# Synthetic data for tests and benchmarks
# --------------------------------------------------------------------------------------------
def synthetic_training_table(n_titles: int = 1040, *, seed: int = 0) -> pd.DataFrame:
    """A learnable ``top10_training`` table for tests and benchmarks (not the demo dataset).

    A latent popularity per title drives its IMDb rating, Metascore, votes and Top 10 odds,
    together with cast star power, director talent, genre appeal and recency. Post-release
    columns are non-zero only for charted titles, as in real Top 10 data. About 5 % of
    ratings and Metascores are missing.
    """
    rng = np.random.default_rng(seed)
    n = int(n_titles)
    popularity = rng.normal(size=n)
    genres = np.array(GENRES)
    genre_appeal = dict(zip(genres, rng.normal(0.0, 0.5, len(genres)), strict=True))
    genre_weights = rng.dirichlet(np.full(len(genres), 2.0))
    actors = np.array([f"Actor {i:03d}" for i in range(300)])
    actor_power = rng.normal(0.0, 0.8, len(actors))
    actor_weights = 1.0 / np.arange(1, len(actors) + 1) ** 0.8
    actor_weights /= actor_weights.sum()
    directors = np.array([f"Director {i:03d}" for i in range(150)])
    director_talent = rng.normal(0.0, 0.6, len(directors))
    director_weights = 1.0 / np.arange(1, len(directors) + 1) ** 0.7
    director_weights /= director_weights.sum()
    languages = np.array(["English", "Spanish", "Korean", "Hindi", "Japanese", "French"])
    countries = dict(
        English="United States", Spanish="Spain", Korean="South Korea", Hindi="India",
        Japanese="Japan", French="France",
    )  # fmt: skip

    content_type = rng.choice(CONTENT_TYPES, size=n, p=[0.6, 0.25, 0.05, 0.07, 0.03])
    language = rng.choice(languages, size=n, p=[0.6, 0.12, 0.1, 0.08, 0.05, 0.05])
    release_year = np.clip(2025 - np.floor(rng.exponential(9.0, n)), 1960, 2025).astype(int)
    added = pd.to_datetime(
        np.maximum(release_year, 2016).astype(str), format="%Y"
    ) + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    rows_genres, rows_cast, rows_director, appeal, star, talent = [], [], [], [], [], []
    for _ in range(n):
        g = rng.choice(genres, size=rng.integers(1, 4), replace=False, p=genre_weights)
        cast_idx = rng.choice(len(actors), size=rng.integers(3, 6), replace=False, p=actor_weights)
        d_idx = rng.choice(len(directors), p=director_weights)
        rows_genres.append(LIST_SEP.join(g))
        rows_cast.append(LIST_SEP.join(actors[cast_idx]))
        rows_director.append(directors[d_idx])
        appeal.append(np.mean([genre_appeal[x] for x in g]))
        star.append(actor_power[cast_idx].max())
        talent.append(director_talent[d_idx])
    appeal, star, talent = np.array(appeal), np.array(star), np.array(talent)

    rating = np.clip(
        np.round(6.4 + 0.6 * popularity + 0.3 * talent + rng.normal(0, 0.35, n), 1), 1, 10
    )
    meta = np.clip(np.round(60 + 9 * popularity + 6 * talent + rng.normal(0, 8, n)), 1, 100)
    votes = np.round(np.exp(10.5 + 0.8 * popularity + 0.4 * star + rng.normal(0, 0.6, n)))
    logit = (
        -3.9
        + 2.0 * popularity
        + 0.6 * star
        + 0.5 * talent
        + appeal
        + 0.8 * (release_year >= 2020)
        + rng.normal(0, 0.3, n)
    )
    in_top10 = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
    series = np.isin(content_type, ("TV Series", "Limited Series"))
    duration = np.where(series, rng.normal(48, 8, n), rng.normal(105, 18, n)).clip(20, 240).round()
    hours = np.where(in_top10 == 1, np.round(np.exp(rng.normal(16.0, 1.0, n)), -4), 0.0)
    meta = np.where(rng.random(n) < 0.05, np.nan, meta)
    rating = np.where(rng.random(n) < 0.03, np.nan, rating)
    table = pd.DataFrame(
        {
            "title_id": [f"t{i:05d}" for i in range(n)],
            "title": [f"Title {i}" for i in range(n)],
            "imdb_rating": rating,
            "meta_score": meta,
            "maturity_rating": rng.choice(MATURITY_RATINGS, size=n),
            "imdb_votes": votes,
            "release_year": release_year,
            "duration_minutes": duration,
            "genres": rows_genres,
            "genre_primary": [g.split(LIST_SEP)[0] for g in rows_genres],
            "content_type": content_type,
            "language": language,
            "country": [countries[x] for x in language],
            "cast": rows_cast,
            "director": rows_director,
            "added_date": added,
            TOP10_LABEL: in_top10,
            "weekly_hours_viewed": hours,
            "weekly_views": np.round(hours / np.maximum(duration / 60.0, 0.5), -3),
            "cumulative_weeks_in_top10": np.where(in_top10 == 1, rng.geometric(0.35, n), 0),
        }
    )
    return table[list(GOLD_COLUMNS["top10_training"])]
