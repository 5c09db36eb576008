"""Recommender models of the active dataset: loaded from the build, cached, read-only.

Two parts:

* pure functions (no ``st`` call, unit-testable): :func:`similar_titles`,
  :func:`explain_similar`, :func:`evidence`, :func:`viewer_recommendations`,
  :func:`pairwise_similarity`, :func:`interval`, :func:`tuned_text`; and, re-exported from
  ``lib.rec_service`` (shared with the build's models step), :func:`catalog_frame`,
  :func:`fit_models`, :func:`fit_validated`, :class:`RecModels` and the ``EVAL_*`` settings;
* cached accessors for the page (``st.cache_resource`` or a bounded memo): :func:`models`
  (one :class:`RecModels` per dataset build), :func:`hybrid` (one ``Hybrid`` per alpha),
  :func:`tuning` (validated values of every model and the best one, chosen on validation
  carved from the training part), :func:`comparison` (every model scored on the test part
  with intervals; reuses the tuning) and :func:`viewer_model` (a validated model fitted on
  every interaction, for the viewer tab). Each first loads what the build's models step
  stored (``lib.pipeline.models_recommend``); only what was not precomputed with these
  settings and library versions (another alpha, a stale artefact, a dataset built with
  ``--no-models``) is computed on the visit, with progress, and stored back.

Everything returned by the cached accessors is shared between sessions: treat it as
read-only (never assign into the frames, never refit the models).

Model names of the "Similar titles" tab: ``"content"`` (``ContentKNN``: TF-IDF cosine over
genres, description, cast, director, country), ``"collaborative"`` (``ItemKNN``: cosine over
the viewers x titles matrix) and ``"hybrid"`` (``Hybrid``: ``alpha * content + (1 - alpha) *
collaborative``, each normalised to its best candidate). The viewer and evaluation tabs use
the names of ``lib.evaluate.COMPARED`` (``Content``, ``Collaborative``, ``Hybrid``, ``EASE``,
``RP3beta``, ``Popularity``, ``Random``); for a viewer, "Content" is ``Hybrid(alpha=1)``:
the cosine of every title with the mean content vector of the viewer's history.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import streamlit as st

from lib import artifacts, model_input
from lib import rec_service as svc
from lib.config import Progress
from lib.evaluate import BASELINES as EVAL_BASELINES
from lib.evaluate import (
    COMPARED,
    MODEL_NOTES,
    PROTOCOL,
    Comparison,
    TuneResult,
)
from lib.rec_service import (
    EVAL_BOOT,
    EVAL_EASE_BUDGET_GIB,
    EVAL_K,
    EVAL_MIN_TITLES,
    EVAL_SEED,
    EVAL_TEST_FRAC,
    EVAL_USERS,
    NO_INTERACTIONS,
    RecModels,
    catalog_frame,
    fit_models,
    fit_validated,
)
from lib.recommend import (
    Hybrid,
    Popularity,
    RandomRecommender,
    UnknownIdError,
)
from lib.ui import data as ui

__all__ = [
    "MODEL_KINDS",
    "MODEL_LABELS",
    "MODEL_NOTES",
    "NO_INTERACTIONS",
    "EVAL_K",
    "EVAL_TEST_FRAC",
    "EVAL_SEED",
    "EVAL_USERS",
    "EVAL_MIN_TITLES",
    "EVAL_BOOT",
    "EVAL_MODELS",
    "BASELINES",
    "VIEWER_MODELS",
    "PROTOCOL",
    "RecModels",
    "catalog_frame",
    "fit_models",
    "similar_titles",
    "explain_similar",
    "evidence",
    "viewer_recommendations",
    "viewer_history",
    "pairwise_similarity",
    "fit_validated",
    "interval",
    "tuned_text",
    "models",
    "interactions",
    "sample",
    "hybrid",
    "tuning",
    "comparison",
    "has_timestamps",
    "viewer_model",
]

log = logging.getLogger(__name__)

MODEL_KINDS: tuple[str, ...] = ("content", "collaborative", "hybrid")
MODEL_LABELS = {"content": "Content", "collaborative": "Collaborative", "hybrid": "Hybrid"}
# EVAL_* (the evaluation protocol of the "How good is it" tab, also used to choose the viewer
# tab's default model on validation only) live in lib.rec_service, shared with the build;
# the cached loaders below read this module's names, so a test may change them here.
EVAL_MODELS: tuple[str, ...] = COMPARED
BASELINES: tuple[str, ...] = EVAL_BASELINES
# models a viewer's list can come from ("best": the one with the best validation NDCG@10)
VIEWER_MODELS: tuple[str, ...] = ("best", *[n for n in COMPARED if n != "Random"])


# ----------------------------------------------------------------------------- pure part


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
    counted = pd.to_numeric(hist.get("n_sessions", pd.Series(dtype="float64")), errors="coerce")
    if counted.notna().any() and counted.sum() > 0:  # ratings-only imports carry 0 sessions
        sessions = int(counted.sum())
    return {
        "n_titles": int(keys.nunique()),
        "n_sessions": sessions,
        "genre_counts": genre_counts,
        "top_genres": list(genre_counts.index[:top_n]),
        "recent": recent,
    }


def evidence(model: Any, user_id: Hashable, title_id: Hashable) -> pd.Series:
    """Share of the positive evidence each history title gives a recommendation (sums to 1).

    ``ItemKNN``, ``EASE``, ``RP3Beta``: each history title's contribution (the model's weight
    toward the title times the viewer's value of it) / the sum of the positive ones.
    ``Hybrid``: ``alpha x`` the content shares ``+ (1 - alpha) x`` the collaborative shares
    (a component without evidence gives its weight to the other). ``Popularity`` and
    ``Random``: no evidence (an empty series). Largest share first, ties by id.
    """

    def shares(rows: Sequence[Mapping[str, Any]]) -> pd.Series:
        pos = {r["title_id"]: float(r["contribution"]) for r in rows if r["contribution"] > 0}
        total = sum(pos.values())
        return pd.Series({t: v / total for t, v in pos.items()}, dtype="float64")

    if isinstance(model, (Popularity, RandomRecommender)):
        return pd.Series(dtype="float64")
    big = 10**6  # every history title
    if isinstance(model, Hybrid):
        why = model.explain_recommendation(user_id, title_id, n=big)
        c, f = shares(why["content_contributors"]), shares(why["collaborative_contributors"])
        wc = float(model.alpha) if len(c) else 0.0
        wf = 1.0 - float(model.alpha) if len(f) else 0.0
        if wc + wf == 0:
            wc, wf = float(len(c) > 0), float(len(f) > 0)
        if wc + wf == 0:
            return pd.Series(dtype="float64")
        out = c.mul(wc / (wc + wf)).add(f.mul(wf / (wc + wf)), fill_value=0.0)
    else:
        out = shares(model.explain_recommendation(user_id, title_id, n=big)["contributors"])
    if out.empty:
        return out
    order = sorted(out.index, key=lambda t: (-out[t], str(t)))
    return out[order]


def viewer_recommendations(
    m: RecModels,
    user_key: str,
    kind: str,
    k: int,
    *,
    alpha: float = 0.5,
    genres: Sequence[str] = (),
    model: Any = None,
) -> pd.DataFrame:
    """Top-``k`` unseen titles for a viewer, with the history titles behind each.

    Adds ``because`` (up to 3 history titles with their share of the evidence, most first;
    empty for a popularity pick), ``why`` (one readable line) and ``evidence`` (every
    contributing history title id with its share, for the CSV).

    ``model``: any fitted recommender of the viewer (the validated ones of the page); without
    it, ``kind`` picks one of ``m``: ``"collaborative"`` (item kNN), ``"hybrid"`` (at
    ``alpha``) or ``"content"`` (``Hybrid(alpha=1)``: the viewer's content profile).
    Raises ``UnknownIdError`` for a viewer the models do not know.
    """
    if m.viewers is None or user_key not in m.viewers.index:
        raise UnknownIdError("user_id", user_key, "fitted interactions")
    uid = m.viewers.at[user_key, "user_id"]
    if model is None:
        a = 1.0 if kind == "content" else float(alpha)
        model = m.collab if kind == "collaborative" else m.hybrid(a)
    content_only = isinstance(model, Hybrid) and float(model.alpha) >= 1.0
    fetch = int(k) if not genres else max(len(model.title_ids_), int(k))
    recs = model.recommend(uid, k=fetch, exclude_seen=True)
    recs = recs.assign(key=recs["title_id"].astype(str))
    if genres:
        recs = recs.loc[_genre_mask(m.catalog, recs["key"], genres)]
    recs = recs.head(int(k)).reset_index(drop=True)
    names = dict(zip(m.catalog["title_id"], m.catalog["title"]))
    because, whys, details = [], [], []
    for tid in recs["title_id"]:
        share = evidence(model, uid, tid)
        top = [f"{names.get(t, str(t))} ({v:.0%})" for t, v in share.head(3).items()]
        because.append(", ".join(top))
        details.append("; ".join(f"{t}: {v:.3f}" for t, v in share.items()))
        if top:
            what = "Similar in content to " if content_only else "Because you watched "
            whys.append(what + ", ".join(top))
        elif isinstance(model, RandomRecommender):
            whys.append("Random pick (baseline)")
        else:
            whys.append("Popular with other viewers (nothing in the history points to it)")
    return recs.assign(because=because, why=whys, evidence=details)


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


def interval(value: float, low: float, high: float, fmt: str = "{:.3f}") -> str:
    """``value (low-high)`` as text; ``n/a`` when the value is missing."""
    if value is None or not np.isfinite(value):
        return "n/a"
    if low is None or not (np.isfinite(low) and np.isfinite(high)):
        return fmt.format(value)
    return f"{fmt.format(value)} ({fmt.format(low)}-{fmt.format(high)})"


def tuned_text(name: str, tuned: Mapping[str, TuneResult]) -> str:
    """The validated values of ``name`` in words (``fixed`` for models without any)."""
    if name not in tuned or not tuned[name].params:
        return "none to tune"
    return ", ".join(
        f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
        for k, v in tuned[name].params.items()
    )


# --------------------------------------------------------------------------- cached part
#
# Each loader first reads what the build's models step stored (``lib.pipeline.
# models_recommend``, ``lib.rec_service`` artefacts); on a miss (not precomputed, other
# settings, other library versions) it computes as the build would, with progress, and
# stores the result back when the dataset folder is a published one (``artifacts.
# trusted_folder``), so the next server start finds it.


def _dataset_key() -> tuple[str, str]:
    """(folder, build time) of the active dataset: the cache key of its models."""
    return str(ui.active_dir()), str(ui.manifest().get("built_at", ""))


def _table(name: str) -> pd.DataFrame:
    """``titles`` or ``interactions`` as the models see them: whole, or a seeded sample
    above the bound of :mod:`lib.model_input` (empty when the dataset has no such table)."""
    try:
        return ui.model_table(name)[0]
    except FileNotFoundError:
        return pd.DataFrame()


def interactions() -> pd.DataFrame:
    """The interactions the models are fitted on (every viewer's whole history is in it or
    not at all), empty without interactions. Read-only."""
    return _table("interactions")


def sample() -> model_input.Sample | None:
    """Which interactions of the active dataset the collaborative models are fitted on (all,
    or whole histories of a seeded sample of viewers); None without interactions."""
    try:
        return ui.model_table("interactions")[1]
    except FileNotFoundError:
        return None


def _store(what: str, folder: str, save: Callable[[Path], None], users: int | None = None) -> None:
    """Run ``save(folder)`` when the folder is a published dataset; never fails the page.

    Only results made with the page's default settings are stored (the ones the build
    makes): a result of other settings (a test's smaller sample) stays in memory and never
    replaces the build's.
    """
    path = Path(folder)
    default = users == (svc.EVAL_USERS or None) and EVAL_EASE_BUDGET_GIB == svc.EVAL_EASE_BUDGET_GIB
    if not default or not artifacts.trusted_folder(path):
        return
    try:
        save(path)
    except (OSError, ValueError) as exc:  # read-only data root, full disk: recompute next time
        log.warning("could not store the recommender's %s in %s: %s", what, folder, exc)


@st.cache_resource(max_entries=4, show_spinner=False)
def _models(folder: str, built: str) -> RecModels:
    found = svc.load_models(folder)
    if found is not None:
        return found
    t0 = time.perf_counter()
    m = fit_models(_table("titles"), _table("interactions"))
    if m.available("hybrid") is None:
        m.hybrid(svc.DEFAULT_ALPHA)  # the default blend, stored with the components
    seconds = time.perf_counter() - t0
    _store(
        "models", folder, lambda p: svc.save_models(p, m, seconds=seconds), svc.EVAL_USERS or None
    )
    return m


def models() -> RecModels:
    """Fitted models of the active dataset (fitted once per dataset build; read-only)."""
    return _models(*_dataset_key())


def hybrid(alpha: float) -> Hybrid:
    """The active dataset's ``Hybrid`` at ``alpha`` (read-only)."""
    return models().hybrid(alpha)


def _eval_users() -> int | None:
    return EVAL_USERS or None


class _Memo:
    """A bounded, thread-safe memo (least recently used out) for results computed with progress.

    ``st.cache_resource`` replays the elements a cached function draws, so a function that
    draws a progress bar while it computes cannot use it; this memo computes each key once
    (concurrent callers of one key wait for the first) and keeps ``max_entries`` results.
    """

    def __init__(self, max_entries: int) -> None:
        self.max_entries = int(max_entries)
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            value = make()
            with self._lock:
                self._values[key] = value
                while len(self._values) > self.max_entries:
                    old, _ = self._values.popitem(last=False)
                    self._key_locks.pop(old, None)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._key_locks.clear()


_TUNING = _Memo(max_entries=2)
_COMPARISON = _Memo(max_entries=4)  # 2 datasets x 2 splits


def _tuning(
    folder: str, built: str, users: int | None, _progress: Progress | None = None
) -> tuple[dict[str, TuneResult], dict[str, str], str | None]:
    key = (folder, built, users, EVAL_EASE_BUDGET_GIB)
    return _TUNING.get(key, lambda: _tune(folder, built, users, _progress))


def _tune(
    folder: str, built: str, users: int | None, progress: Progress | None
) -> tuple[dict[str, TuneResult], dict[str, str], str | None]:
    budget = EVAL_EASE_BUDGET_GIB
    found = svc.load_tuning(folder, users=users, budget=budget)
    if found is not None:
        return found
    t0 = time.perf_counter()
    res = svc.tune(
        _table("titles"),
        _table("interactions"),
        _models(folder, built).content,
        users=users,
        budget=budget,
        progress=progress,
    )
    seconds = time.perf_counter() - t0
    _store(
        "tuning",
        folder,
        lambda p: svc.save_tuning(p, res, users=users, budget=budget, seconds=seconds),
        users,
    )
    return res


def tuning(
    progress: Progress | None = None,
) -> tuple[dict[str, TuneResult], dict[str, str], str | None]:
    """Validated values of every model of the active dataset, what was skipped, the best.

    Chosen on validation carved from the evaluation's training part (``EVAL_*`` settings);
    computed once per dataset build. Raises ``ValueError`` without interactions.
    """
    m = models()
    if m.collab is None:
        raise ValueError(m.collab_reason or NO_INTERACTIONS)
    return _tuning(*_dataset_key(), _eval_users(), _progress=progress)


def _comparison(
    folder: str,
    built: str,
    users: int | None,
    split: str = "random",
    _progress: Progress | None = None,
) -> Comparison:
    key = (folder, built, users, EVAL_EASE_BUDGET_GIB, split)
    return _COMPARISON.get(key, lambda: _compare(folder, built, users, split, _progress))


def _compare(
    folder: str, built: str, users: int | None, split: str, progress: Progress | None
) -> Comparison:
    budget = EVAL_EASE_BUDGET_GIB
    found = svc.load_comparison(folder, split=split, users=users, budget=budget)
    if found is not None:
        return found
    report = progress or (lambda _f, _m: None)
    t0 = time.perf_counter()
    tuned = None
    if split == "random":  # the viewer tab's tuning is on this split: share it
        tuned = _tuning(folder, built, users, _progress=lambda f, msg: report(0.8 * f, msg))
    res = svc.compare(
        _table("titles"),
        _table("interactions"),
        _models(folder, built).content,
        split=split,
        tuned=tuned,
        users=users,
        budget=budget,
        progress=report,
    )
    seconds = time.perf_counter() - t0
    _store(
        "comparison",
        folder,
        lambda p: svc.save_comparison(
            p, res, split=split, users=users, budget=budget, seconds=seconds
        ),
        users,
    )
    return res


def has_timestamps() -> bool:
    """Whether the active dataset's interactions carry times (for the leave-last-out split)."""
    return svc.has_timestamps(_table("interactions"))


def comparison(progress: Progress | None = None, split: str = "random") -> Comparison:
    """Every model of the active dataset tuned on validation and scored on test, with intervals.

    ``lib.evaluate.compare_recommenders`` with the page's settings, computed once per dataset
    build and split (``"random"``: per-viewer 20% holdout, sharing the viewer tab's tuning;
    ``"time"``: each viewer's latest title, tuned on each viewer's latest training title).
    ``progress(fraction, message)``. Raises ``ValueError`` without interactions, or for a
    time split without timestamps.
    """
    m = models()
    if m.collab is None:
        raise ValueError(m.collab_reason or NO_INTERACTIONS)
    return _comparison(*_dataset_key(), _eval_users(), split, _progress=progress)


@st.cache_resource(max_entries=3, show_spinner=False)
def _viewer_model(folder: str, built: str, users: int | None, name: str, budget: float) -> Any:
    tuned = _tuning(folder, built, users)
    found = svc.load_viewer_model(folder, name, tuned, users=users, budget=budget)
    if found is not None:
        return found
    t0 = time.perf_counter()
    model = fit_validated(name, tuned[0], _models(folder, built).content, _table("interactions"))
    seconds = time.perf_counter() - t0
    _store(
        f"{name} model",
        folder,
        lambda p: svc.save_viewer_model(
            p, name, model, tuned, users=users, budget=budget, seconds=seconds
        ),
        users,
    )
    return model


def viewer_model(name: str) -> Any:
    """Model ``name`` of ``VIEWER_MODELS`` with its validated values, fitted on all
    interactions of the active dataset (cached, read-only). Call ``tuning`` first."""
    return _viewer_model(*_dataset_key(), _eval_users(), name, EVAL_EASE_BUDGET_GIB)
