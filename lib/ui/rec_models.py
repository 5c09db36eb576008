"""Recommender models of the active dataset: fitted once, cached, read-only; and their evaluation.

Two parts:

* pure functions (no ``st`` call, unit-testable): :func:`catalog_frame`, :func:`fit_models`,
  :func:`similar_titles`, :func:`explain_similar`, :func:`viewer_recommendations`,
  :func:`pairwise_similarity`, :func:`evaluation_models`, :func:`evaluate`;
* cached accessors for the page: :func:`models` (one :class:`RecModels` per dataset build,
  ``st.cache_resource``), :func:`hybrid` (one ``Hybrid`` per alpha), :func:`evaluation`
  (metrics per model, cached one model at a time so an interrupted run keeps what is done).

Everything returned by the cached accessors is shared between sessions: treat it as
read-only (never assign into the frames, never refit the models).

Model names used throughout: ``"content"`` (``ContentKNN``: TF-IDF cosine over genres,
description, cast, director, country), ``"collaborative"`` (``ItemKNN``: cosine over the
viewers x titles matrix) and ``"hybrid"`` (``Hybrid``: ``alpha * content + (1 - alpha) *
collaborative``, each normalised to its best candidate). For a viewer, "content" is
``Hybrid(alpha=1)``: the cosine of every title with the mean content vector of the viewer's
history (``ContentKNN`` has no per-user ``recommend`` of its own).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import streamlit as st
from sklearn.preprocessing import normalize

from lib.evaluate import PROTOCOL, ranking_metrics, split_holdout
from lib.recommend import (
    ContentKNN,
    Hybrid,
    ItemKNN,
    Popularity,
    RandomRecommender,
    UnknownIdError,
    parse_list,
)
from lib.ui import data as ui

__all__ = [
    "MODEL_KINDS",
    "MODEL_LABELS",
    "NO_INTERACTIONS",
    "EVAL_K",
    "EVAL_TEST_FRAC",
    "EVAL_SEED",
    "EVAL_USERS",
    "EVAL_ALPHA",
    "EVAL_MODELS",
    "BASELINES",
    "PROTOCOL",
    "RecModels",
    "catalog_frame",
    "fit_models",
    "similar_titles",
    "explain_similar",
    "viewer_recommendations",
    "viewer_history",
    "pairwise_similarity",
    "evaluation_models",
    "evaluate",
    "protocol_summary",
    "models",
    "hybrid",
    "evaluation",
]

log = logging.getLogger(__name__)

MODEL_KINDS: tuple[str, ...] = ("content", "collaborative", "hybrid")
MODEL_LABELS = {"content": "Content", "collaborative": "Collaborative", "hybrid": "Hybrid"}
# Reasons are what a model needs, to follow "X need(s) ...": "viewing sessions or ratings, ..."
NO_INTERACTIONS = "viewing sessions or ratings, which this dataset does not have"

# Evaluation protocol of the "How good is it" tab (stated next to every number on the page).
EVAL_K = 10
EVAL_TEST_FRAC = 0.2
EVAL_SEED = 0
EVAL_USERS = 1000  # seeded random sample of the users in both train and test, for speed
EVAL_ALPHA = 0.5
EVAL_MODELS: tuple[str, ...] = ("Content", "Collaborative", "Hybrid", "Popularity", "Random")
BASELINES: tuple[str, ...] = ("Popularity", "Random")


# ----------------------------------------------------------------------------- pure part


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
    out["year"] = [_year(v) for v in out["release_year"]]
    out["label"] = [f"{n} ({y})" if y else n for n, y in zip(name, out["year"])]
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


def _model(m: RecModels, kind: str, alpha: float) -> Any:
    if kind == "content":
        return m.content
    if kind == "collaborative":
        return m.collab
    return m.hybrid(alpha)


def _genre_mask(catalog: pd.DataFrame, keys: pd.Series, genres: Sequence[str]) -> np.ndarray:
    wanted = {g.casefold() for g in genres}
    lists = catalog["genre_list"].reindex(keys.to_numpy())
    return np.array(
        [isinstance(gl, list) and any(g.casefold() in wanted for g in gl) for gl in lists],
        dtype=bool,
    )


def similar_titles(
    m: RecModels, key: str, kind: str, k: int, *, alpha: float = 0.5, genres: Sequence[str] = ()
) -> pd.DataFrame:
    """Up to ``k`` titles similar to ``key``: ``key``, ``title_id``, ``score``, best first.

    With ``genres``, only titles having at least one of them are kept (the whole similarity
    row is searched, so a filter never leaves the list short while matches exist).
    Raises ``UnknownIdError`` when the model does not know the title.
    """
    model = _model(m, kind, alpha)
    tid = m.id_of(key)
    fetch = int(k) if not genres else max(len(model.title_ids_), int(k))
    res = model.similar(tid, k=fetch)
    res = res.assign(key=res["title_id"].astype(str))
    if genres:
        res = res.loc[_genre_mask(m.catalog, res["key"], genres)]
    return res.head(int(k)).reset_index(drop=True)


def _content_parts(why: Mapping[str, Any]) -> dict[str, str]:
    return {
        "genres": ", ".join(why.get("shared_genres") or []),
        "people": ", ".join((why.get("shared_people") or [])[:3]),
        "words": ", ".join((why.get("shared_terms") or [])[:3]),
        "country": ", ".join((why.get("shared_country") or [])[:2]),
    }


def _collab_parts(why: Mapping[str, Any]) -> dict[str, Any]:
    n, both = int(why["query_viewers"]), int(why["co_viewers"])
    return {
        "co_viewers": both,
        "query_viewers": n,
        "co_viewer_share": both / n if n else 0.0,
        "co_viewing": f"{both:,} of {n:,} ({both / n if n else 0.0:.0%})",
    }


def explain_similar(m: RecModels, query: str, result: str, kind: str) -> dict[str, Any]:
    """Why ``result`` is similar to ``query`` under model ``kind``, as parts and one line.

    Keys: ``genres``, ``people`` (cast and director), ``words`` (description terms),
    ``country`` - what both titles share (content and hybrid); ``co_viewers`` /
    ``query_viewers`` / ``co_viewer_share`` / ``co_viewing`` - how many viewers of the query
    also watched the result (collaborative and hybrid); ``summary`` - one readable line.
    Parts a model does not use are empty strings / missing.
    """
    q, r = m.id_of(query), m.id_of(result)
    name = m.catalog.at[query, "title"]
    out: dict[str, Any] = {"genres": "", "people": "", "words": "", "country": "", "co_viewing": ""}
    try:
        if kind in ("content", "hybrid") and m.content is not None:
            if q in m.content and r in m.content:
                out.update(_content_parts(m.content.explain(q, r, n_terms=3)))
        if kind in ("collaborative", "hybrid") and m.collab is not None:
            if q in m.collab and r in m.collab:
                out.update(_collab_parts(m.collab.explain(q, r)))
    except UnknownIdError:
        out["summary"] = "Unknown to this model"
        return out
    lines = []
    if out.get("co_viewing"):
        lines.append(
            f"{out['co_viewers']:,} of the {out['query_viewers']:,} viewers of {name} also "
            f"watched it ({out['co_viewer_share']:.0%})"
        )
    shared = [f"{k} {out[k]}" for k in ("genres", "people", "country", "words") if out[k]]
    if shared:
        lines.append("shared " + "; ".join(shared))
    out["summary"] = ". ".join(lines) if lines else "No shared content or viewers"
    return out


def viewer_history(
    m: RecModels, interactions: pd.DataFrame, user_key: str, *, top_n: int = 3
) -> dict[str, Any]:
    """Summary of a viewer's history: titles, top genres, most recent titles."""
    ids = interactions["user_id"].astype(str) == user_key
    hist = interactions.loc[ids]
    keys = hist["title_id"].astype(str)
    lists = m.catalog["genre_list"].reindex(keys.drop_duplicates().to_numpy())
    counts: dict[str, int] = {}
    for gl in lists:
        for g in gl if isinstance(gl, list) else []:
            counts[g] = counts.get(g, 0) + 1
    genre_counts = pd.Series(counts, dtype="int64")
    if len(genre_counts):
        order = sorted(genre_counts.index, key=lambda g: (-genre_counts[g], g))
        genre_counts = genre_counts[order]
    recent = hist.assign(key=keys)
    if "last_ts" in recent.columns and recent["last_ts"].notna().any():
        recent = recent.sort_values("last_ts", ascending=False, kind="stable")
    recent = recent.drop_duplicates("key")
    sessions = None
    if "n_sessions" in hist.columns and hist["n_sessions"].notna().any():
        sessions = int(pd.to_numeric(hist["n_sessions"], errors="coerce").sum())
    return {
        "n_titles": int(keys.nunique()),
        "n_sessions": sessions,
        "genre_counts": genre_counts,
        "top_genres": list(genre_counts.index[:top_n]),
        "recent": recent,
    }


def viewer_recommendations(
    m: RecModels,
    user_key: str,
    kind: str,
    k: int,
    *,
    alpha: float = 0.5,
    genres: Sequence[str] = (),
) -> pd.DataFrame:
    """Top-``k`` unseen titles for a viewer, with the history titles behind each.

    Adds ``because`` (up to 3 history titles that contributed most, comma-separated; empty
    for a popularity fill) and ``why`` (one readable line).

    ``kind="content"`` recommends from the viewer's content profile (``Hybrid(alpha=1)``).
    Raises ``UnknownIdError`` for a viewer the models do not know.
    """
    if m.viewers is None or user_key not in m.viewers.index:
        raise UnknownIdError("user_id", user_key, "fitted interactions")
    uid = m.viewers.at[user_key, "user_id"]
    a = 1.0 if kind == "content" else float(alpha)
    model = m.collab if kind == "collaborative" else m.hybrid(a)
    fetch = int(k) if not genres else max(len(model.title_ids_), int(k))
    recs = model.recommend(uid, k=fetch, exclude_seen=True)
    recs = recs.assign(key=recs["title_id"].astype(str))
    if genres:
        recs = recs.loc[_genre_mask(m.catalog, recs["key"], genres)]
    recs = recs.head(int(k)).reset_index(drop=True)
    names = dict(zip(m.catalog["title_id"], m.catalog["title"]))
    because, whys = [], []
    for tid in recs["title_id"]:
        if kind == "collaborative":
            rows = m.collab.explain_recommendation(uid, tid, n=3)["contributors"]
        else:
            why = model.explain_recommendation(uid, tid, n=3)
            rows = why["content_contributors"]
            if kind == "hybrid":
                rows = why["collaborative_contributors"] + rows
        top = [names.get(t, str(t)) for t in dict.fromkeys(r["title_id"] for r in rows)][:3]
        because.append(", ".join(top))
        if top:
            what = "Similar in content to " if kind == "content" else "Because you watched "
            whys.append(what + ", ".join(top))
        else:
            whys.append("Popular with other viewers (nothing similar in the history)")
    return recs.assign(because=because, why=whys)


def pairwise_similarity(
    m: RecModels, keys: Sequence[str], kind: str, *, alpha: float = 0.5
) -> pd.DataFrame:
    """Cosine similarity between the chosen titles only (a small square frame by key).

    ``content``: cosine of the TF-IDF vectors; ``collaborative``: cosine of the viewer
    vectors (the model's own arithmetic); ``hybrid``: ``alpha * content + (1 - alpha) *
    collaborative`` of those raw cosines. A title a component does not know counts 0 there.
    """
    keys = list(dict.fromkeys(keys))
    n = len(keys)

    def block(vectors: sp.csr_matrix | None, model: Any) -> np.ndarray:
        out = np.zeros((n, n))
        if vectors is None or model is None:
            return out
        pos = model.titles_.positions([m.id_of(k) for k in keys])
        ok = np.flatnonzero(pos >= 0)
        if len(ok):
            v = vectors[pos[ok]]
            sims = np.asarray((v @ v.T).todense(), dtype=np.float64)
            out[np.ix_(ok, ok)] = sims
            out[ok, ok] = 1.0
        return np.clip(out, 0.0, 1.0)

    content = block(m.content.vectors_ if m.content is not None else None, m.content)
    if kind == "content":
        mat = content
    else:
        collab = block(m.collab_vectors, m.collab)
        mat = collab if kind == "collaborative" else alpha * content + (1 - alpha) * collab
    return pd.DataFrame(mat, index=keys, columns=keys)


def evaluation_models(
    content: ContentKNN | None, train: pd.DataFrame, *, alpha: float = EVAL_ALPHA
) -> dict[str, Any]:
    """The models the page compares, fitted on ``train`` (the content model on titles only).

    ``Content`` is ``Hybrid(alpha=1)`` (content profile of the viewer's train history);
    ``Hybrid`` blends it with item-kNN at ``alpha``. Without a content model only the
    collaborative model and the baselines are returned.
    """
    collab = ItemKNN().fit(train)
    out: dict[str, Any] = {}
    if content is not None:
        out["Content"] = Hybrid(content, collab, alpha=1.0).fit()
    out["Collaborative"] = collab
    if content is not None:
        out["Hybrid"] = Hybrid(content, collab, alpha=alpha).fit()
    out["Popularity"] = Popularity().fit(train)
    out["Random"] = RandomRecommender(seed=EVAL_SEED).fit(train)
    return out


def evaluate(
    model: Any,
    train: pd.DataFrame,
    test: pd.DataFrame,
    titles: pd.DataFrame,
    content: ContentKNN | None,
    *,
    users: int | None = None,
) -> dict[str, float]:
    """``lib.evaluate.ranking_metrics`` with the page's protocol constants.

    ``users``: size of the seeded random user sample (default ``EVAL_USERS``, read at call
    time); ``0`` evaluates every user in both train and test.
    """
    users = EVAL_USERS if users is None else users
    has_genres = "genres" in titles.columns and titles["genres"].notna().any()
    return ranking_metrics(
        model,
        train,
        test,
        EVAL_K,
        titles=titles if has_genres else None,
        content=content,
        users=users or None,
        seed=EVAL_SEED,
    )


def protocol_summary(n_users: int | None = None, n_candidates: int | None = None) -> str:
    """The protocol in one line, for captions next to the numbers."""
    sample = (
        f"{n_users:,} viewers (seeded random sample of {n_candidates:,})"
        if n_users is not None and n_candidates is not None and n_users < n_candidates
        else f"{n_users:,} viewers (all viewers in both parts)"
        if n_users is not None
        else f"a seeded random sample of up to {EVAL_USERS:,} viewers"
    )
    return (
        f"Per-viewer random holdout of {EVAL_TEST_FRAC:.0%} of each viewer's titles "
        f"(split_holdout, test_frac={EVAL_TEST_FRAC}, seed={EVAL_SEED}); models fitted on the "
        f"other {1 - EVAL_TEST_FRAC:.0%}; top-{EVAL_K} lists of unseen titles; every held-out "
        f"title counts as relevant; {sample}; hybrid alpha = {EVAL_ALPHA}."
    )


# --------------------------------------------------------------------------- cached part


def _dataset_key() -> tuple[str, str]:
    """(folder, build time) of the active dataset: the cache key of its models."""
    return str(ui.active_dir()), str(ui.manifest().get("built_at", ""))


def _table(name: str) -> pd.DataFrame:
    try:
        return ui.table(name)
    except FileNotFoundError:
        return pd.DataFrame()


@st.cache_resource(max_entries=4, show_spinner=False)
def _models(folder: str, built: str) -> RecModels:
    return fit_models(_table("titles"), _table("interactions"))


def models() -> RecModels:
    """Fitted models of the active dataset (fitted once per dataset build; read-only)."""
    return _models(*_dataset_key())


def hybrid(alpha: float) -> Hybrid:
    """The active dataset's ``Hybrid`` at ``alpha`` (read-only)."""
    return models().hybrid(alpha)


@dataclass
class _EvalSetup:
    train: pd.DataFrame
    test: pd.DataFrame
    titles: pd.DataFrame
    content: ContentKNN | None
    models: dict[str, Any]
    n_candidates: int


@st.cache_resource(max_entries=2, show_spinner=False)
def _eval_setup(folder: str, built: str) -> _EvalSetup:
    inter = _table("interactions")
    train, test = split_holdout(inter, EVAL_TEST_FRAC, EVAL_SEED)
    content = _models(folder, built).content
    n_candidates = len(set(test["user_id"].dropna()) & set(train["user_id"].dropna()))
    return _EvalSetup(
        train, test, _table("titles"), content, evaluation_models(content, train), n_candidates
    )


@st.cache_resource(max_entries=12, show_spinner=False)
def _eval_one(folder: str, built: str, name: str, n_users: int) -> dict[str, float]:
    s = _eval_setup(folder, built)
    t0 = time.perf_counter()
    res = evaluate(s.models[name], s.train, s.test, s.titles, s.content, users=n_users)
    return {"model": name, **res, "seconds": time.perf_counter() - t0}


_DONE: set[tuple[str, str, str]] = set()  # (folder, built, model) already evaluated


def evaluation(
    progress: Callable[[int, int, str], None] | None = None,
) -> tuple[pd.DataFrame, int]:
    """Metrics per model of the active dataset (one row per model) and the candidate count.

    Computed once per dataset build and cached model by model (an interrupted run keeps the
    models already scored); ``progress(i, n, name)`` is called before each model that still
    has to be scored (``name`` is ``"setup"`` for the split and the fits).
    Raises ``ValueError`` when the dataset has no interactions.
    """
    m = models()
    if m.collab is None:
        raise ValueError(m.collab_reason or NO_INTERACTIONS)
    key = _dataset_key()
    if progress is not None and (*key, "setup") not in _DONE:
        progress(0, len(EVAL_MODELS) + 1, "setup")
    setup = _eval_setup(*key)
    _DONE.add((*key, "setup"))
    names = [n for n in EVAL_MODELS if n in setup.models]
    rows = []
    for i, name in enumerate(names):
        done = (*key, f"{name}/{EVAL_USERS}")
        if progress is not None and done not in _DONE:
            progress(i + 1, len(names) + 1, name)
        rows.append(_eval_one(*key, name, EVAL_USERS))
        if len(_DONE) > 200:
            _DONE.clear()
        _DONE.add(done)
    return pd.DataFrame(rows), setup.n_candidates
