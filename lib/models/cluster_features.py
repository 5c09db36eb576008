"""What the Cluster explorer clusters, with which defaults, and its results in stored form.

Pure (no streamlit): used by the page's cached layer (``lib.ui.cluster_models``) and by the
build's models step (``lib.data.pipeline.models_clusters``), so both assemble the same features
with the same defaults and store or read the same artefacts.

* :class:`Entity`, :func:`viewers`, :func:`titles`, :func:`entity`: the candidate features
  of the viewers or titles of a dataset, their defaults, hover text and ids.
* The defaults (``SEED``, ``DEFAULT_SCALING``, ``DEFAULT_MISSING``, ``DEFAULT_K``,
  ``PCA_SAMPLE``, ``SILHOUETTE_SAMPLE``, ``STABILITY_SAMPLE``, ...) and :func:`params` (what
  identifies a stored result) with :func:`artefact` (its name).
* :func:`compute_clustering` (K-Means, silhouette, surrogate-tree rules) and the converters
  between results and storable values (:func:`clustering_arrays`,
  :func:`clustering_summary`, :func:`clustering_from`, :func:`stability_dict`,
  :func:`stability_from`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from lib import glossary
from lib.config import DEFAULT_SEED, GENRES, slug
from lib.data import model_input
from lib.models import cluster

__all__ = [
    "ENTITIES",
    "TABLES",
    "MIN_ROWS",
    "K_RANGE",
    "DEFAULT_K",
    "SEED",
    "DEFAULT_SCALING",
    "DEFAULT_MISSING",
    "DEFAULT_METHOD",
    "SILHOUETTE_SAMPLE",
    "STABILITY_SAMPLE",
    "STABILITY_SEEDS",
    "PCA_SAMPLE",
    "TSNE_SAMPLES",
    "TSNE_DEFAULT",
    "VIEWER_EXTRA",
    "TITLE_EXTRA",
    "VIEWER_GROUPS",
    "TITLE_GROUPS",
    "TITLE_WORDS",
    "FEATURE_FAMILIES",
    "Entity",
    "Clustering",
    "viewers",
    "titles",
    "entity",
    "planted_segments",
    "planted_recovery",
    "describe_features",
    "usable_rows",
    "tree_depth",
    "params",
    "artefact",
    "default_params",
    "compute_clustering",
    "clustering_arrays",
    "clustering_summary",
    "clustering_from",
    "personas",
    "fit_view",
    "stability_dict",
    "stability_from",
]

log = logging.getLogger(__name__)

# --- defaults (the page's and the build's) ---------------------------------------------------
ENTITIES: tuple[str, ...] = ("viewers", "titles")
# the gold table each entity is read from (through lib.data.model_input: sampled above a bound)
TABLES: dict[str, str] = {"viewers": "users", "titles": "titles"}
MIN_ROWS = 20  # fewer rows than this: nothing worth clustering
K_RANGE = (2, 12)
DEFAULT_K = 5
SEED = DEFAULT_SEED
DEFAULT_SCALING = "standard"
DEFAULT_MISSING = "median"
DEFAULT_METHOD = "pca"
SILHOUETTE_SAMPLE = 2_000  # rows in the silhouette plot (and its mean)
STABILITY_SAMPLE = 3_000  # rows refitted per seed for the stability ARI
STABILITY_SEEDS = (0, 1, 2, 3, 4)
PCA_SAMPLE = 3_000  # points drawn in the PCA view (PCA itself is fitted on every row)
TSNE_SAMPLES = (1_000, 2_000, 5_000)
TSNE_DEFAULT = 1_000

VIEWER_EXTRA = (
    "active_days",
    "download_share",
    "household_size",
    "n_ratings",
    "avg_rating",
    "engagement_score",
)
TITLE_EXTRA = (
    "is_series",
    "number_of_seasons",
    "is_original",
    "weighted_rating",
    "viewers",
    "watch_hours",
    "avg_completion",
    "avg_user_rating",
    "weeks_in_top10",
)
# What each entity is normally clustered on (for the "cannot be clustered on" note).
VIEWER_GROUPS = {
    "watch hours and sessions": ("watch_hours", "sessions"),
    "completion": ("avg_completion",),
    "recency": ("recency_days",),
    "time of day": ("late_night_share", "weekend_share"),
    "device mix": ("device_share__",),
    "genre shares": ("genre_share__",),
    "plan": (glossary.PLAN_PREFIX,),
    "age": ("age",),
    "tenure": ("tenure_days",),
    "spend": ("monthly_spend",),
}
TITLE_GROUPS = {
    "IMDb rating": ("imdb_rating",),
    "critic score": ("meta_score",),
    "votes": ("log_imdb_votes",),
    "popularity": ("popularity",),
    "runtime": ("duration_minutes",),
    "release year": ("release_year",),
    "genres": ("genre__",),
}
# Persona words of title features that lib.models.cluster.FEATURE_WORDS words for viewers only.
TITLE_WORDS = {
    "watch_hours": ("much-watched", "little-watched"),
    "sessions": ("much-watched", "rarely watched"),
    "avg_completion": ("finished", "abandoned"),
    "avg_user_rating": ("well-liked", "disliked"),
    "n_ratings": ("often-rated", None),
    "weeks_in_top10": ("Top 10", None),
}
# Column families named once in the feature summary ("device mix (6)").
FEATURE_FAMILIES = {
    "device_share__": "device mix",
    "genre_share__": "genre shares",
    "genre__": "genres",
    glossary.PLAN_PREFIX: "plan",
}


@dataclass(frozen=True, eq=False)
class Entity:
    """What can be clustered for one entity of one dataset (read-only, cached)."""

    key: str
    noun: str
    candidates: pd.DataFrame  # float feature columns the analyst may pick
    defaults: list[str]
    hover: pd.DataFrame  # text columns for the 2-D view; the first names the entity
    ids: pd.DataFrame  # identifying columns for the CSV download
    words: dict = field(default_factory=dict)  # extra persona words
    unavailable: list[str] = field(default_factory=list)  # feature groups this data lacks
    problem: str | None = None  # why this entity cannot be clustered at all


# --- feature assembly --------------------------------------------------------------------------
def _usable(s: pd.Series) -> bool:
    if not (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)):
        return False
    v = s.to_numpy(dtype="float64", na_value=np.nan)
    v = v[np.isfinite(v)]
    return len(v) > 0 and v.max() > v.min()


def _floats(df: pd.DataFrame, cols: Sequence[str]) -> dict[str, np.ndarray]:
    return {c: df[c].to_numpy(dtype="float64", na_value=np.nan) for c in cols}


def _fmt(series: pd.Series, fmt: str) -> pd.Series:
    v = pd.to_numeric(series, errors="coerce")
    return pd.Series([fmt.format(x) if pd.notna(x) else "n/a" for x in v], index=series.index)


def _unavailable(columns: list[str], groups: Mapping[str, tuple[str, ...]]) -> list[str]:
    return [
        name
        for name, parts in groups.items()
        if not any(c == p or (p.endswith("_") and c.startswith(p)) for c in columns for p in parts)
    ]


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    """``df[name]``, or an all-missing column when the source has none."""
    if name in df.columns:
        return df[name]
    return pd.Series(pd.NA, index=df.index, dtype="object")


def _plan_columns(users: pd.DataFrame) -> tuple[dict[str, np.ndarray], dict]:
    """0/1 columns of the subscription plans (with 2+ plans) and their persona words."""
    cols: dict[str, np.ndarray] = {}
    words: dict = {}
    if "subscription_plan" not in users:
        return cols, words
    plans = users["subscription_plan"].astype("string")
    if plans.nunique() < 2:
        return cols, words
    for plan in sorted(plans.dropna().unique()):
        col = glossary.plan_column(plan)
        cols[col] = np.where(plans.isna(), np.nan, (plans == plan).astype("float64"))
        words[col] = (f"{plan}-plan", None)
    return cols, words


def viewers(users: pd.DataFrame) -> Entity:
    """Candidate features of the viewers of gold ``users`` (with defaults and hover text)."""
    ids = users[["user_id"]].astype("string")
    empty = pd.DataFrame(index=users.index)
    if len(users) < MIN_ROWS:
        return Entity(
            "viewers",
            "viewers",
            empty,
            [],
            empty,
            ids,
            problem=f"this dataset has {len(users):,} viewers (at least {MIN_ROWS} needed); "
            "viewers come from watch history or ratings.",
        )
    names = [c for c in (*cluster.DEFAULT_USER_FEATURES, *VIEWER_EXTRA) if c in users.columns]
    names += [
        c
        for c in users.columns
        if isinstance(c, str) and c.startswith(cluster.DEFAULT_USER_PREFIXES)
    ]
    cols = _floats(users, [c for c in names if _usable(users[c])])
    plan_cols, words = _plan_columns(users)
    cols.update(plan_cols)
    candidates = pd.DataFrame(cols, index=users.index)
    try:
        defaults = [
            c for c in cluster.default_features(users, "viewers").columns if c in candidates
        ]
    except ValueError:
        defaults = []
    hover = pd.DataFrame(
        {
            "viewer": "viewer " + users["user_id"].astype("string"),
            "age": _fmt(_column(users, "age"), "{:.0f}"),
            "plan": _column(users, "subscription_plan").astype("string").fillna("n/a"),
            "watch hours": _fmt(_column(users, "watch_hours"), "{:,.1f} h"),
            "top genre": _column(users, "top_genre").astype("string").fillna("n/a"),
        },
        index=users.index,
    )
    problem = None
    if candidates.shape[1] == 0:
        problem = "this dataset's viewers have no numeric features (no watch history, age, plan)."
    return Entity(
        "viewers",
        "viewers",
        candidates,
        defaults or list(candidates.columns),
        hover,
        ids,
        words,
        _unavailable(list(candidates.columns), VIEWER_GROUPS),
        problem,
    )


def _title_ids(titles: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Identifying columns of the titles and their display names ("Title (2019)")."""
    year = pd.to_numeric(_column(titles, "release_year"), errors="coerce")
    name = titles["title"].astype("string").fillna("(untitled)")
    display = name + pd.Series(
        [f" ({y:.0f})" if pd.notna(y) else "" for y in year], index=titles.index, dtype="string"
    )
    ids = pd.DataFrame(
        {
            "title_id": titles["title_id"].astype("string"),
            "title": name,
            "release_year": year.round().astype("Int64"),
        },
        index=titles.index,
    )
    return ids, display


def _title_candidates(titles: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Candidate title features and the default ones (lib.models.cluster.default_features)."""
    try:
        base = cluster.default_features(titles, "titles")
    except ValueError:
        base = pd.DataFrame(index=titles.index)
    cols = {c: base[c].to_numpy() for c in base.columns}
    if "genres" in titles:
        flags = cluster.title_genre_flags(titles, min_share=0.01, max_genres=30)
        for c in flags.columns:
            if c not in cols and _usable(flags[c]):
                cols[c] = flags[c].to_numpy(dtype="float64")
    cols.update(_floats(titles, [c for c in TITLE_EXTRA if c in titles and _usable(titles[c])]))
    return pd.DataFrame(cols, index=titles.index), list(base.columns)


def titles(titles: pd.DataFrame) -> Entity:
    """Candidate features of the titles of gold ``titles`` (with defaults and hover text)."""
    ids, display = _title_ids(titles)
    empty = pd.DataFrame(index=titles.index)
    if len(titles) < MIN_ROWS:
        return Entity(
            "titles",
            "titles",
            empty,
            [],
            empty,
            ids,
            problem=f"this dataset has {len(titles):,} titles (at least {MIN_ROWS} needed).",
        )
    candidates, defaults = _title_candidates(titles)
    # genres outside the demo's vocabulary (imported catalogs): shorter persona words
    known = {f"genre__{slug(g)}" for g in GENRES}
    words = dict(TITLE_WORDS)
    words.update(
        {
            c: (glossary.genre_words(c), None)
            for c in candidates
            if c.startswith("genre__") and c not in known
        }
    )
    hover = pd.DataFrame(
        {
            "title": display,
            "genre": _column(titles, "genre_primary").astype("string").fillna("n/a"),
            "IMDb rating": _fmt(_column(titles, "imdb_rating"), "{:.1f}"),
            "runtime": _fmt(_column(titles, "duration_minutes"), "{:.0f} min"),
        },
        index=titles.index,
    )
    problem = None
    if candidates.shape[1] == 0:
        problem = "this dataset's titles have no numeric features (rating, runtime, year, genres)."
    return Entity(
        "titles",
        "titles",
        candidates,
        defaults or list(candidates.columns),
        hover,
        ids,
        words,
        _unavailable(list(candidates.columns), TITLE_GROUPS),
        problem,
    )


def entity(key: str, table: pd.DataFrame) -> Entity:
    """:func:`viewers` of gold ``users`` or :func:`titles` of gold ``titles``."""
    if key not in ENTITIES:
        raise ValueError(f"entity {key!r}: expected one of {list(ENTITIES)}")
    return viewers(table) if key == "viewers" else titles(table)


def planted_segments(folder: str | Path) -> pd.Series | None:
    """Planted segment per user_id of a demo dataset folder (None for other datasets)."""
    path = Path(folder) / "truth" / "user_segments.parquet"
    if not path.is_file():
        return None
    seg = pd.read_parquet(path, columns=["user_id", "segment"])
    return seg.drop_duplicates("user_id").set_index("user_id")["segment"]


def planted_recovery(
    truth: pd.Series, ids: pd.DataFrame, labels: pd.Series
) -> tuple[float, int] | None:
    """Adjusted Rand index between planted segments and cluster labels, and the viewers
    compared (those with a planted segment); None when fewer than ``MIN_ROWS`` have one.

    ``truth``: segment per user_id (:func:`planted_segments`); ``ids``: the entity's ids
    (``user_id`` column); ``labels``: cluster per clustered row, indexed like ``ids``.
    """
    planted = ids.loc[labels.index, "user_id"].map(truth)
    known = planted.notna().to_numpy()
    if known.sum() < MIN_ROWS:
        return None
    ari = adjusted_rand_score(planted[known].astype(int), labels[known])
    return float(ari), int(known.sum())


def describe_features(features: Sequence[str]) -> str:
    """``"watch hours, sessions, device mix (6), genre shares (14)"``."""
    parts: dict[str, int] = {}
    for f in features:
        family = next((w for p, w in FEATURE_FAMILIES.items() if f.startswith(p)), None)
        name = family or glossary.feature_label(f, units=False).lower()
        parts[name] = parts.get(name, 0) + 1
    return ", ".join(n if c == 1 else f"{n} ({c})" for n, c in parts.items())


def usable_rows(ent: Entity, features: Sequence[str], missing: str) -> int:
    """Rows K-Means would cluster: all of them, or the complete ones with ``missing="drop"``."""
    if missing == "drop":
        return int(ent.candidates[list(features)].notna().all(axis=1).sum())
    return len(ent.candidates)


def tree_depth(k: int) -> int:
    """Depth of the surrogate tree explaining ``k`` clusters (deeper above 8 clusters)."""
    return 3 if k <= 8 else 4


# --- stored results --------------------------------------------------------------------------
def params(
    kind: str,
    entity: str,
    features: Sequence[str],
    scaling: str,
    missing: str,
    **extra: Any,
) -> dict[str, Any]:
    """What identifies a stored ``kind`` result ("scan", "fit", "projection", "stability")."""
    out: dict[str, Any] = {
        "kind": kind,
        "entity": entity,
        "features": [str(f) for f in features],
        "scaling": scaling,
        "missing": missing,
        "seed": SEED,
        # the viewers/titles fitted on (lib.data.model_input): all rows up to this bound
        "rows_bound": model_input.bound(TABLES[entity]),
    }
    if kind == "scan":
        out["k_range"] = list(K_RANGE)
    elif kind == "fit":
        out["silhouette_sample"] = SILHOUETTE_SAMPLE
    elif kind == "stability":
        out.update(seeds=list(STABILITY_SEEDS), sample=STABILITY_SAMPLE)
    out.update(extra)
    return out


def artefact(entity: str, kind: str) -> str:
    """Artefact name of the build's default ``kind`` result for ``entity``."""
    return f"clusters/{entity}_{kind}"


def default_params(ent: Entity, kind: str) -> dict[str, Any]:
    """:func:`params` of the default request of ``kind`` (what the build stores)."""
    extra: dict[str, Any] = {}
    if kind in ("fit", "stability"):
        extra["k"] = DEFAULT_K
    elif kind == "projection":
        extra.update(method=DEFAULT_METHOD, sample=PCA_SAMPLE)
    return params(kind, ent.key, ent.defaults, DEFAULT_SCALING, DEFAULT_MISSING, **extra)


@dataclass(frozen=True, eq=False)
class Clustering:
    """A K-Means clustering as the page shows it (see :func:`compute_clustering`)."""

    labels: pd.Series  # cluster per clustered row, indexed like the candidates
    silhouette: np.ndarray  # per clustered row; NaN outside the silhouette sample
    silhouette_mean: float
    silhouette_n: int
    rules: pd.DataFrame  # cluster, rule, conditions, support, purity, coverage
    fidelity: float
    depth: int


def compute_clustering(X: pd.DataFrame, k: int, *, scaling: str, missing: str) -> Clustering:
    """K-Means of ``X`` with the page's defaults and the surrogate tree that explains it."""
    res = cluster.fit_kmeans(
        X, k, seed=SEED, scaling=scaling, missing=missing, silhouette_sample=SILHOUETTE_SAMPLE
    )
    labels = res.labels_series()
    depth = tree_depth(k)
    tree = cluster.explain_tree(X.loc[labels.index], labels, max_depth=depth, seed=SEED)
    rules = tree.rules[["cluster", "rule", "conditions", "support", "purity", "coverage"]]
    return Clustering(
        labels=labels,
        silhouette=np.asarray(res.silhouette, dtype="float64"),
        silhouette_mean=float(res.silhouette_mean),
        silhouette_n=int(res.silhouette_sample_size),
        rules=rules.reset_index(drop=True),
        fidelity=float(tree.fidelity),
        depth=depth,
    )


def clustering_arrays(result: Clustering, index: pd.Index) -> dict[str, np.ndarray]:
    """Labels, row positions in ``index`` (the candidates' index) and silhouettes, for NPZ."""
    positions = index.get_indexer(result.labels.index)
    if (positions < 0).any():
        raise ValueError("labels hold rows that are not in the candidates' index")
    return {
        "labels": result.labels.to_numpy(dtype=np.int64),
        "positions": positions.astype(np.int64),
        "silhouette": result.silhouette.astype("float64"),
    }


def clustering_summary(result: Clustering) -> dict[str, Any]:
    """The JSON part of a clustering: silhouette summary, tree fidelity and rules."""
    rules = [
        {
            "cluster": int(r.cluster),
            "conditions": [[c.feature, c.op, float(c.threshold)] for c in r.conditions],
            "support": int(r.support),
            "purity": float(r.purity),
            "coverage": float(r.coverage),
        }
        for r in result.rules.itertuples()
    ]
    return {
        "silhouette_mean": result.silhouette_mean,
        "silhouette_n": result.silhouette_n,
        "fidelity": result.fidelity,
        "depth": result.depth,
        "rules": rules,
    }


def clustering_from(
    arrays: Mapping[str, np.ndarray], summary: Mapping[str, Any], index: pd.Index
) -> Clustering:
    """The :class:`Clustering` stored by :func:`clustering_arrays` and
    :func:`clustering_summary` (labels indexed like ``index``, the candidates' index)."""
    rows = []
    for r in summary["rules"]:
        conds = tuple(cluster.Condition(str(f), str(op), float(t)) for f, op, t in r["conditions"])
        text = " and ".join(c.text() for c in conds) or "(all rows)"
        rows.append((r["cluster"], text, conds, r["support"], r["purity"], r["coverage"]))
    rules = pd.DataFrame(
        rows, columns=["cluster", "rule", "conditions", "support", "purity", "coverage"]
    ).astype({"cluster": "int64", "support": "int64", "purity": "float64", "coverage": "float64"})
    labels = pd.Series(
        np.asarray(arrays["labels"], dtype=np.int64),
        index=index[np.asarray(arrays["positions"], dtype=np.int64)],
        name="cluster",
    )
    return Clustering(
        labels=labels,
        silhouette=np.asarray(arrays["silhouette"], dtype="float64"),
        silhouette_mean=float(summary["silhouette_mean"]),
        silhouette_n=int(summary["silhouette_n"]),
        rules=rules,
        fidelity=float(summary["fidelity"]),
        depth=int(summary["depth"]),
    )


def personas(prof: cluster.ClusterProfile, ent: Entity) -> dict[int, cluster.Persona]:
    """One persona per cluster; a label two clusters share names its cluster (1-based)."""
    people = {
        int(c): cluster.persona(prof.row(c), noun=ent.noun, words=ent.words)
        for c in prof.summary.index
    }
    counts = pd.Series([p.label for p in people.values()]).value_counts()
    for c, p in people.items():
        if counts[p.label] > 1:
            label = f"{p.label} (cluster {int(c) + 1})"
            people[c] = replace(p, label=label, name=label + p.name[len(p.label) :])
    return people


def fit_view(result: Clustering, X: pd.DataFrame, ent: Entity) -> dict[str, Any]:
    """What the Cluster explorer shows of a clustering of ``X`` (the chosen features of
    ``ent``): labels, silhouettes, profile, personas and tree rules (one dict, as cached)."""
    prof = cluster.profile(X.loc[result.labels.index], result.labels)
    return {
        "labels": result.labels,
        "silhouette": result.silhouette,
        "silhouette_mean": result.silhouette_mean,
        "silhouette_n": result.silhouette_n,
        "profile": prof,
        "personas": personas(prof, ent),
        "rules": result.rules,
        "fidelity": result.fidelity,
        "depth": result.depth,
    }


def stability_dict(stab: cluster.Stability) -> dict[str, Any]:
    """A :class:`lib.models.cluster.Stability` as JSON-ready data."""
    return {
        "mean": stab.mean,
        "min": stab.min,
        "label": stab.label,
        "pairwise": stab.pairwise.to_dict(orient="records"),
        "seeds": list(stab.seeds),
        "n_rows": stab.n_rows,
    }


def stability_from(data: Mapping[str, Any]) -> cluster.Stability:
    """The :class:`lib.models.cluster.Stability` stored by :func:`stability_dict`."""
    pairwise = pd.DataFrame(data["pairwise"], columns=["seed_a", "seed_b", "ari"])
    return cluster.Stability(
        mean=float(data["mean"]),
        min=float(data["min"]),
        label=str(data["label"]),
        pairwise=pairwise.astype({"seed_a": "int64", "seed_b": "int64", "ari": "float64"}),
        seeds=tuple(int(s) for s in data["seeds"]),
        n_rows=int(data["n_rows"]),
    )
