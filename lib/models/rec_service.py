"""Recommender service: the page's models, tuning and comparison without any UI, and their
artefacts.

The pure part of the Recommender page, shared by the page's cached loaders
(``lib.ui.rec_models``) and the build's models step (``lib.data.pipeline.models_recommend``), so
both compute with the same defaults:

* :func:`catalog_frame`, :func:`fit_models` (:class:`RecModels`: content kNN and item kNN of
  a dataset), :func:`fit_validated` (a model with its validated values, fitted on every
  interaction);
* :func:`tune` and :func:`compare`: ``lib.models.evaluate.tune_recommenders`` /
  ``compare_recommenders`` with the page's evaluation settings (``EVAL_*``);
* artefacts (``lib.data.artifacts``, family ``recommend``): ``save_*`` / ``load_*`` of the fitted
  models (joblib: read only from a published dataset folder), the tuning (JSON + one Parquet
  validation curve per model) and each split's comparison (Parquet tables + a JSON document).
  Every artefact records the settings it was made with (:func:`eval_params`), so other
  settings, or other library versions, make the page recompute instead of trusting it.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from lib.config import Progress
from lib.data import artifacts, model_input
from lib.models.evaluate import (
    COMPARED,
    DEFAULT_GRIDS,
    Comparison,
    TuneResult,
    compare_recommenders,
    model_factory,
    split_holdout,
    tune_recommenders,
)
from lib.models.recommend import (
    EASE_MEMORY_BUDGET_GIB,
    ContentKNN,
    Hybrid,
    ItemKNN,
    UnknownIdError,
    parse_list,
)

__all__ = [
    "NO_INTERACTIONS",
    "EVAL_K",
    "EVAL_TEST_FRAC",
    "EVAL_SEED",
    "EVAL_USERS",
    "EVAL_MIN_TITLES",
    "EVAL_BOOT",
    "EVAL_EASE_BUDGET_GIB",
    "DEFAULT_ALPHA",
    "SPLITS",
    "RecModels",
    "catalog_frame",
    "fit_models",
    "fit_validated",
    "has_timestamps",
    "Tuning",
    "tune",
    "compare",
    "eval_params",
    "model_params",
    "save_models",
    "load_models",
    "save_tuning",
    "load_tuning",
    "save_comparison",
    "load_comparison",
    "save_viewer_model",
    "load_viewer_model",
]

log = logging.getLogger(__name__)

# Reasons are what a model needs, to follow "X need(s) ...": "viewing sessions or ratings, ..."
NO_INTERACTIONS = "viewing sessions or ratings, which this dataset does not have"

# Evaluation protocol of the "How good is it" tab (stated next to every number on the page),
# also used to choose the viewer tab's default model (on validation only).
EVAL_K = 10
EVAL_TEST_FRAC = 0.2
EVAL_SEED = 0
EVAL_USERS = 1000  # seeded random sample of the users in both train and test, for speed
EVAL_MIN_TITLES = 5  # viewers with fewer titles are not scored
EVAL_BOOT = 1000  # bootstrap resamples of the viewers for the 95% intervals
EVAL_EASE_BUDGET_GIB = EASE_MEMORY_BUDGET_GIB  # EASE refuses catalogs above EASE.max_items(it)
DEFAULT_ALPHA = 0.5  # the "Similar titles" tab's hybrid weight before the analyst moves it
SPLITS: tuple[str, ...] = ("random", "time")
FAMILY = "recommend"

Tuning = tuple[dict[str, TuneResult], dict[str, str], str | None]  # (tuned, skipped, best)


# ------------------------------------------------------------------------- the models


def _year(value: Any) -> int | None:
    try:
        year = int(float(value))
    except (TypeError, ValueError):
        return None
    return year if 1800 <= year <= 2200 else None


def catalog_frame(titles: pd.DataFrame, extra_ids: Sequence[Hashable] = ()) -> pd.DataFrame:
    """One row per title, indexed by ``key`` (the title id as text, stable in URLs).

    Columns: ``title_id`` (original id), ``label`` ("Title (year)", made unique with the id
    when two titles share it), ``title``, ``year``, ``genre_list``, ``genres`` (text),
    ``content_type``, ``director``, ``description``, ``imdb_rating``, ``avg_user_rating``,
    ``viewers``. ``extra_ids``: ids known only from interactions (shown by id).
    """
    cols = [
        "title",
        "release_year",
        "genres",
        "genre_primary",
        "content_type",
        "director",
        "description",
        "imdb_rating",
        "avg_user_rating",
        "viewers",
    ]
    if "title_id" in titles.columns:
        df = titles.loc[titles["title_id"].notna()]
        df = df.loc[~df["title_id"].duplicated()]
    else:
        df = titles.iloc[0:0].assign(title_id=pd.Series(dtype=object))
    known = set(df["title_id"].tolist())
    extra = [t for t in dict.fromkeys(extra_ids) if t not in known and pd.notna(t)]
    if extra:
        df = pd.concat([df, pd.DataFrame({"title_id": extra})], ignore_index=True)
    out = pd.DataFrame({"title_id": df["title_id"].to_numpy()})
    for col in cols:
        out[col] = df[col].to_numpy() if col in df.columns else np.nan
    out["key"] = out["title_id"].astype(str)
    name = out["title"].where(out["title"].notna() & (out["title"].astype(str).str.strip() != ""))
    name = name.fillna(out["key"]).astype(str).str.strip()
    out["title"] = name
    years = [_year(v) for v in out["release_year"]]
    out["year"] = pd.array(years, dtype="Int64")  # a missing year must not make them floats
    out["label"] = [f"{n} ({y})" if y else n for n, y in zip(name, years)]
    dup = out["label"].duplicated(keep=False)
    out.loc[dup, "label"] = out.loc[dup, "label"] + " · " + out.loc[dup, "key"]
    source = out["genres"].where(out["genres"].notna(), out["genre_primary"])
    out["genre_list"] = [parse_list(v) for v in source]
    out["genres"] = [", ".join(g) for g in out["genre_list"]]
    out = out.drop(columns=["release_year", "genre_primary"])
    out = out.loc[~out["key"].duplicated()].set_index("key", drop=False)
    return out


@dataclass
class RecModels:
    """The fitted models of one dataset build (read-only once made)."""

    catalog: pd.DataFrame
    content: ContentKNN | None = None
    collab: ItemKNN | None = None
    content_reason: str | None = None
    collab_reason: str | None = None
    collab_vectors: sp.csr_matrix | None = None  # l2-normalised title x viewer rows
    genres: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # key -> "Title (year)"
    keys: list[str] = field(default_factory=list)  # title keys sorted by label
    default_key: str | None = None  # the most watched title, else the first by label
    viewers: pd.DataFrame | None = None  # user_id, key, n_titles, label (richest first)
    fit_seconds: dict[str, float] = field(default_factory=dict)
    _hybrids: dict[float, Hybrid] = field(default_factory=dict, repr=False)

    @property
    def names(self) -> dict[Hashable, str]:
        """Original title id -> label (for the library's explanations)."""
        return dict(zip(self.catalog["title_id"], self.catalog["label"]))

    def available(self, kind: str) -> str | None:
        """``None`` when model ``kind`` can be used, else what it needs (a noun phrase)."""
        if kind == "content":
            return self.content_reason
        if kind == "collaborative":
            return self.collab_reason
        return self.content_reason or self.collab_reason

    def hybrid(self, alpha: float) -> Hybrid:
        """A ``Hybrid`` of the fitted components at ``alpha`` (kept per alpha)."""
        alpha = round(min(max(float(alpha), 0.0), 1.0), 2)
        found = self._hybrids.get(alpha)
        if found is None:
            if self.content is None or self.collab is None:
                raise ValueError(self.available("hybrid") or "both components")
            found = Hybrid(self.content, self.collab, alpha=alpha).fit()
            if len(self._hybrids) < 32:  # a small memo: the slider has 11 positions
                self._hybrids[alpha] = found
        return found

    def key_of(self, title_id: Hashable) -> str:
        return str(title_id)

    def id_of(self, key: str) -> Hashable:
        """Original title id of a URL ``key`` (``UnknownIdError`` when unknown)."""
        if key not in self.catalog.index:
            raise UnknownIdError("title_id", key, "catalog")
        return self.catalog.at[key, "title_id"]


def _content_reason(titles: pd.DataFrame) -> str | None:
    if len(titles) < 2:
        return "at least 2 titles, which this dataset does not have"
    fields = ("genres", "genre_primary", "description", "cast", "director")
    if not any(c in titles.columns and titles[c].notna().any() for c in fields):
        return "titles with genres, descriptions or cast, which this dataset does not have"
    return None


def fit_models(titles: pd.DataFrame, interactions: pd.DataFrame | None) -> RecModels:
    """Fit ``ContentKNN`` on ``titles`` and ``ItemKNN`` on ``interactions`` (when usable).

    Never raises for a dataset that lacks a table or a field: the missing model gets a
    reason instead (``content_reason`` / ``collab_reason``).
    """
    inter = interactions if interactions is not None else pd.DataFrame()
    usable = (
        {"user_id", "title_id"} <= set(inter.columns)
        and inter["user_id"].notna().any()
        and inter["user_id"].nunique() >= 2
    )
    extra = inter["title_id"].dropna().unique().tolist() if usable else []
    out = RecModels(catalog=catalog_frame(titles, extra))
    out.labels = out.catalog["label"].to_dict()
    out.keys = sorted(out.labels, key=lambda k: (out.labels[k].casefold(), k))
    views = pd.to_numeric(out.catalog["viewers"], errors="coerce")
    if views.notna().any():
        out.default_key = str(views.idxmax())
    elif out.keys:
        out.default_key = out.keys[0]
    out.genres = sorted({g for gl in out.catalog["genre_list"] for g in gl}, key=str.casefold)
    out.content_reason = _content_reason(titles)
    if out.content_reason is None:
        t0 = time.perf_counter()
        try:
            out.content = ContentKNN().fit(titles)
            if out.content.vectors_.shape[1] == 0:
                out.content = None
                out.content_reason = "titles with genres, descriptions or cast; this "
                out.content_reason += "dataset's are all empty"
        except ValueError as exc:  # nothing usable after cleaning
            log.warning("content model not fitted: %s", exc)
            out.content, out.content_reason = None, f"usable titles (fitting failed: {exc})"
        out.fit_seconds["content"] = time.perf_counter() - t0
    if not usable:
        out.collab_reason = NO_INTERACTIONS
        return out
    t0 = time.perf_counter()
    try:
        out.collab = ItemKNN().fit(inter)
    except ValueError as exc:
        log.warning("collaborative model not fitted: %s", exc)
        out.collab_reason = f"usable interactions (fitting failed: {exc})"
        return out
    out.fit_seconds["collaborative"] = time.perf_counter() - t0
    if not views.notna().any():  # no viewer counts in the titles table: most watched by model
        top = out.collab.title_ids_[int(out.collab.popularity_.order_[0])]
        out.default_key = str(top) if str(top) in out.labels else out.default_key
    vec = out.collab.values_.T.tocsr().astype(np.float32)
    if out.collab.binary_:
        vec.data[:] = 1.0
    out.collab_vectors = normalize(vec)
    counts = inter[["user_id", "title_id"]].drop_duplicates().groupby("user_id").size()
    counts = counts.rename("n_titles").reset_index()
    counts = counts.sort_values(["n_titles", "user_id"], ascending=[False, True], kind="stable")
    counts["key"] = counts["user_id"].astype(str)
    counts = counts.loc[~counts["key"].duplicated()]
    counts["label"] = [f"{u} · {n:,} titles" for u, n in zip(counts["key"], counts["n_titles"])]
    out.viewers = counts.set_index("key", drop=False)
    return out


def fit_validated(
    name: str,
    tuned: Mapping[str, TuneResult],
    content: ContentKNN | None,
    interactions: pd.DataFrame,
) -> Any:
    """Model ``name`` with its validated values, fitted on all ``interactions``.

    The values were chosen on validation carved from the evaluation's training part (never
    its test part); the viewer's list then uses every interaction. ``Content`` and
    ``Hybrid`` share the validated item-kNN neighbours.
    """
    collab = tuned["Collaborative"].params if "Collaborative" in tuned else None
    factory = model_factory(name, content, seed=EVAL_SEED, collab_params=collab)
    model = factory(**(tuned[name].params if name in tuned else {}))
    return (
        model.fit(interactions=interactions)
        if isinstance(model, Hybrid)
        else model.fit(interactions)
    )


def has_timestamps(interactions: pd.DataFrame) -> bool:
    """Whether ``interactions`` carry times (for the leave-last-out split)."""
    return "last_ts" in interactions.columns and bool(interactions["last_ts"].notna().any())


# ------------------------------------------------------------------ tuning and comparison


def tune(
    titles: pd.DataFrame,
    interactions: pd.DataFrame,
    content: ContentKNN | None,
    *,
    users: int | None = EVAL_USERS,
    budget: float = EVAL_EASE_BUDGET_GIB,
    progress: Progress | None = None,
) -> Tuning:
    """Validated values of every model, what was skipped, the best (the page's settings).

    Tuned on validation carved from the training part of the random split
    (``split_holdout(interactions, EVAL_TEST_FRAC, EVAL_SEED)``); the fitted models are
    dropped (bounded memory: the page refits the one it shows).
    """
    train, _ = split_holdout(interactions, EVAL_TEST_FRAC, EVAL_SEED)
    tuned, skipped, best = tune_recommenders(
        titles,
        train,
        content=content,
        k=EVAL_K,
        seed=EVAL_SEED,
        users=users,
        min_titles=EVAL_MIN_TITLES,
        ease_budget_gib=budget,
        progress=progress,
    )
    slim = {n: dataclasses.replace(r, model=None) for n, r in tuned.items()}
    return slim, skipped, best


def compare(
    titles: pd.DataFrame,
    interactions: pd.DataFrame,
    content: ContentKNN | None,
    *,
    split: str = "random",
    tuned: Tuning | None = None,
    users: int | None = EVAL_USERS,
    budget: float = EVAL_EASE_BUDGET_GIB,
    progress: Progress | None = None,
) -> Comparison:
    """``compare_recommenders`` with the page's settings on ``split``.

    ``tuned``: the random split's tuning (:func:`tune`) to reuse (the viewer tab's); the
    time split tunes on each viewer's latest training title instead. ``progress`` covers
    the tuning (0-0.8) when it is computed here for the random split.
    """
    report = progress or (lambda _f, _m: None)
    if split == "random" and tuned is None:
        tuned = tune(
            titles,
            interactions,
            content,
            users=users,
            budget=budget,
            progress=lambda f, msg: report(0.8 * f, msg),
        )
    shared = tuned if split == "random" else None
    return compare_recommenders(
        titles,
        interactions,
        k=EVAL_K,
        test_frac=EVAL_TEST_FRAC,
        seed=EVAL_SEED,
        split=split,
        min_titles=EVAL_MIN_TITLES,
        users=users,
        n_boot=EVAL_BOOT,
        content=content,
        tuned=shared,
        ease_budget_gib=budget,
        progress=(lambda f, msg: report(max(0.8, f), msg)) if shared is not None else report,
    )


# ---------------------------------------------------------------------------- artefacts


def model_params() -> dict[str, Any]:
    """Settings of the fitted similar-titles models (their constructors' defaults)."""
    return {
        "content": ContentKNN()._params(),
        "collaborative": ItemKNN()._params(),
        "alpha": DEFAULT_ALPHA,
        # the interactions fitted on (lib.data.model_input): all of them up to this bound
        "rows_bound": model_input.bound("interactions"),
    }


def eval_params(
    *, users: int | None, budget: float, split: str | None = None, **extra: Any
) -> dict[str, Any]:
    """Settings a tuning or comparison artefact was made with (its freshness key)."""
    out: dict[str, Any] = {
        "k": EVAL_K,
        "test_frac": EVAL_TEST_FRAC,
        "seed": EVAL_SEED,
        "users": users,
        "min_titles": EVAL_MIN_TITLES,
        "boot": EVAL_BOOT,
        "budget": float(budget),
        "grids": {n: {k: list(v) for k, v in g.items()} for n, g in DEFAULT_GRIDS.items()},
        "models": list(COMPARED),
        **model_params(),
    }
    if split is not None:
        out["split"] = split
    out.update(extra)
    return out


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars and tuples made JSON-plain (recursively)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.lower())


def _save(folder: Path, name: str, value: Any, params: Mapping[str, Any], t0: float) -> None:
    artifacts.save(
        folder, f"{FAMILY}/{name}", value, params=params, seconds=time.perf_counter() - t0
    )


def _load(folder: Path, name: str, params: Mapping[str, Any]) -> Any:
    return artifacts.load(folder, f"{FAMILY}/{name}", params)


def save_models(folder: str | Path, m: RecModels, *, seconds: float | None = None) -> None:
    """Store the fitted models (joblib; the default hybrid included)."""
    artifacts.save(Path(folder), f"{FAMILY}/models", m, params=model_params(), seconds=seconds)


def load_models(folder: str | Path) -> RecModels | None:
    """The stored fitted models when fresh and in a trusted folder, else ``None``."""
    try:
        m = _load(Path(folder), "models", model_params())
    except PermissionError as exc:
        log.info("%s", exc)
        return None
    return m if isinstance(m, RecModels) else None


def _tuned_doc(tuned: Mapping[str, TuneResult]) -> dict[str, Any]:
    return {
        n: {
            "params": _plain(r.params),
            "score": float(r.score),
            "metric": r.metric,
            "n_users": int(r.n_users),
            "seconds": float(r.seconds),
            "validation": r.validation,
        }
        for n, r in tuned.items()
    }


def _save_tuned(
    folder: Path, prefix: str, tuned: Mapping[str, TuneResult], params: Mapping[str, Any]
) -> None:
    t0 = time.perf_counter()
    for n, r in tuned.items():
        _save(folder, f"{prefix}_curve_{_slug(n)}", r.curve, params, t0)


def _load_tuned(
    folder: Path, prefix: str, doc: Mapping[str, Any], params: Mapping[str, Any]
) -> dict[str, TuneResult] | None:
    out: dict[str, TuneResult] = {}
    for n, d in doc.items():
        curve = _load(folder, f"{prefix}_curve_{_slug(n)}", params)
        if curve is None:
            return None
        out[n] = TuneResult(
            params=dict(d["params"]),
            score=float(d["score"]),
            metric=d["metric"],
            curve=curve,
            n_users=int(d["n_users"]),
            seconds=float(d["seconds"]),
            validation=d.get("validation", ""),
        )
    return out


def save_tuning(
    folder: str | Path,
    tuning: Tuning,
    *,
    users: int | None,
    budget: float,
    seconds: float | None = None,
) -> None:
    """Store a :func:`tune` result: validation curves (Parquet) then the document (JSON)."""
    folder = Path(folder)
    tuned, skipped, best = tuning
    params = eval_params(users=users, budget=budget)
    _save_tuned(folder, "tuning", tuned, params)
    doc = {"tuned": _tuned_doc(tuned), "skipped": dict(skipped), "best": best}
    artifacts.save(folder, f"{FAMILY}/tuning", doc, params=params, seconds=seconds)


def load_tuning(folder: str | Path, *, users: int | None, budget: float) -> Tuning | None:
    """The stored tuning for these settings when fresh, else ``None``."""
    folder = Path(folder)
    params = eval_params(users=users, budget=budget)
    doc = _load(folder, "tuning", params)
    if not isinstance(doc, dict):
        return None
    tuned = _load_tuned(folder, "tuning", doc.get("tuned", {}), params)
    if tuned is None:
        return None
    return tuned, dict(doc.get("skipped", {})), doc.get("best")


def save_comparison(
    folder: str | Path,
    res: Comparison,
    *,
    split: str,
    users: int | None,
    budget: float,
    seconds: float | None = None,
) -> None:
    """Store one split's :func:`compare` result: tables (Parquet), then a document (JSON)."""
    folder = Path(folder)
    params = eval_params(users=users, budget=budget, split=split)
    prefix = f"comparison_{split}"
    t0 = time.perf_counter()
    _save(folder, f"{prefix}_table", res.table, params, t0)
    _save(folder, f"{prefix}_paired", res.paired, params, t0)
    for n, pu in res.per_user.items():
        _save(folder, f"{prefix}_per_user_{_slug(n)}", pu, params, t0)
    _save_tuned(folder, prefix, res.tuned, params)
    doc = {
        "best": res.best,
        "skipped": dict(res.skipped),
        "meta": _plain(res.meta),
        "tuned": _tuned_doc(res.tuned),
        "per_user": list(res.per_user),
    }
    artifacts.save(folder, f"{FAMILY}/{prefix}", doc, params=params, seconds=seconds)


def load_comparison(
    folder: str | Path, *, split: str, users: int | None, budget: float
) -> Comparison | None:
    """The stored comparison of ``split`` for these settings when fresh, else ``None``."""
    folder = Path(folder)
    params = eval_params(users=users, budget=budget, split=split)
    prefix = f"comparison_{split}"
    doc = _load(folder, prefix, params)
    if not isinstance(doc, dict):
        return None
    table = _load(folder, f"{prefix}_table", params)
    paired = _load(folder, f"{prefix}_paired", params)
    tuned = _load_tuned(folder, prefix, doc.get("tuned", {}), params)
    per_user = {n: _load(folder, f"{prefix}_per_user_{_slug(n)}", params) for n in doc["per_user"]}
    if (
        table is None
        or paired is None
        or tuned is None
        or any(v is None for v in per_user.values())
    ):
        return None
    return Comparison(
        table=table,
        paired=paired,
        tuned=tuned,
        best=doc.get("best"),
        skipped=dict(doc.get("skipped", {})),
        per_user=per_user,
        meta=dict(doc.get("meta", {})),
    )


def _viewer_params(
    name: str, tuning: Tuning, *, users: int | None, budget: float
) -> dict[str, Any]:
    tuned = tuning[0]
    collab = tuned["Collaborative"].params if "Collaborative" in tuned else None
    mine = tuned[name].params if name in tuned else {}
    return eval_params(
        users=users, budget=budget, model=name, values=_plain(mine), collab=_plain(collab)
    )


def save_viewer_model(
    folder: str | Path,
    name: str,
    model: Any,
    tuning: Tuning,
    *,
    users: int | None,
    budget: float,
    seconds: float | None = None,
) -> None:
    """Store the viewer tab's fitted model ``name`` (joblib) with the values it was fitted with."""
    params = _viewer_params(name, tuning, users=users, budget=budget)
    artifacts.save(
        Path(folder), f"{FAMILY}/viewer_{_slug(name)}", model, params=params, seconds=seconds
    )


def load_viewer_model(
    folder: str | Path, name: str, tuning: Tuning, *, users: int | None, budget: float
) -> Any:
    """The stored viewer model ``name`` when fresh and in a trusted folder, else ``None``."""
    params = _viewer_params(name, tuning, users=users, budget=budget)
    try:
        return _load(Path(folder), f"viewer_{_slug(name)}", params)
    except PermissionError as exc:
        log.info("%s", exc)
        return None
