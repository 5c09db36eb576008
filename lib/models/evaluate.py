"""Offline evaluation of recommenders: splits, ranking metrics with intervals, tuning, comparison.

Metric functions share one signature (in the style of Microsoft Recommenders'
``python_evaluation.py``)::

    metric(reference, recs, *, k=10, col_user="user_id", col_item="title_id", ...) -> float

``reference`` is the held-out ``test`` interactions for the accuracy metrics and the
``train`` interactions for the beyond-accuracy ones; ``recs`` is a long frame with one row per
(user, recommended title), in rank order within each user (or with a ``rank`` column), as
``recommend()`` returns per user. See ``PROTOCOL`` for the whole procedure.

Size (about 1,500 lines, over the project's ~700): splits, metric kernels, bootstrap
intervals, tuning and the comparison share the protocol's settings and per-user kernels; a
split (metrics / protocol) is left to its own change.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import time
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.stats import norm

from lib.config import COL_TITLE, COL_USER
from lib.models.recommend import (
    COL_SCORE,
    EASE,
    EASE_MEMORY_BUDGET_GIB,
    ContentKNN,
    Hybrid,
    ItemKNN,
    ItemLimitError,
    Popularity,
    RandomRecommender,
    RP3Beta,
    parse_list,
)

__all__ = [
    "PROTOCOL",
    "METRICS",
    "split_holdout",
    "recommend_all",
    "precision_at_k",
    "recall_at_k",
    "ndcg_at_k",
    "map_at_k",
    "catalog_coverage",
    "novelty",
    "intra_list_diversity",
    "genre_match_rate",
    "ranking_metrics",
    "evaluate_models",
    "split_leave_last_out",
    "per_user_metrics",
    "bootstrap_ci",
    "metric_intervals",
    "paired_comparison",
    "evaluate_with_intervals",
    "TuneResult",
    "tune",
    "COMPARED",
    "BASELINES",
    "DEFAULT_GRIDS",
    "MODEL_NOTES",
    "model_factory",
    "Comparison",
    "tune_recommenders",
    "compare_recommenders",
    "comparison_protocol",
]

log = logging.getLogger(__name__)

COL_RANK = "rank"

PROTOCOL = """\
Evaluation protocol
- Split: split_holdout(interactions, test_frac=0.2, seed=0) holds out, for every user with at
  least 2 distinct titles, round(test_frac * n) of them (at least 1, at most n - 1) chosen at
  random; users with a single title stay entirely in train. All rows of one (user, title) pair
  fall on the same side. Deterministic for a given seed, whatever the row order.
- Models are fitted on train only. Each evaluated user gets recommend(user, k,
  exclude_seen=True), so titles seen in train are never recommended.
- Relevance: every held-out (test) interaction of the user is relevant (binary relevance,
  whatever its weight or rating).
- Evaluated users: users present in both test and train (optionally a seeded random sample of
  them, `users=<int>`, for speed); a user whose list is empty or short still counts (misses
  are zeros). Accuracy metrics are means over the evaluated users.
- precision@k = hits / k; recall@k = hits / |relevant|; NDCG@k with binary gains
  1 / log2(rank + 1), normalised by the ideal ordering of min(|relevant|, k) hits;
  MAP@k = mean over users of (sum of precision@i at each hit rank i <= k) / min(|relevant|, k).
- coverage: distinct recommended titles / catalog size (the titles table when given, else the
  titles in train).
- novelty: mean over all recommended (user, title) pairs of -log2(p), p = share of train users
  who interacted with the title (a title no train user touched counts as one user).
- diversity (intra-list): mean over users with >= 2 recommendations of
  1 - mean pairwise content cosine of their list (TF-IDF vectors of a ContentKNN: the one given,
  the model's own content component, or one fitted on `titles`); NaN when none is available.
- genre_match: share of a user's recommended titles having at least one genre among the user's
  3 most frequent train genres (ties by name), averaged over users; needs titles with genres.
- Time split (where timestamps exist): split_leave_last_out(interactions, n_last=1) holds out
  each user's latest title instead (users with >= 2 titles; untimed pairs stay in train).
- Tuning (tune, compare_recommenders): hyper-parameters are chosen on a validation split
  carved from train only (the same holdout applied to train, seed 0), by NDCG@k; the model
  shown first is the one with the best validation score. The test split is never used to
  tune or to choose. compare_recommenders also keeps users with at least 5 titles only.
- Intervals: 95% percentile bootstrap over the evaluated users (1,000 resamples, seeded):
  the users are resampled with replacement and every metric recomputed; coverage, a count of
  distinct titles that shrinks on resamples, uses estimate +- 1.96 x bootstrap std instead.
  A paired comparison resamples the same users for both models and reports the difference
  of their means with its interval.
"""

METRICS: tuple[str, ...] = (
    "precision",
    "recall",
    "ndcg",
    "map",
    "coverage",
    "novelty",
    "diversity",
    "genre_match",
)


# ------------------------------------------------------------------------------------ split


def split_holdout(
    interactions: pd.DataFrame,
    test_frac: float = 0.2,
    seed: int = 0,
    *,
    col_user: str = COL_USER,
    col_item: str = COL_TITLE,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-user random holdout: ``(train, test)`` row subsets of ``interactions``.

    Each user with ``n >= 2`` distinct titles gives ``clip(round(test_frac * n), 1, n - 1)``
    of them to test; users with one title stay in train. Deterministic for ``seed`` and
    independent of row order. The input is not modified; both outputs keep its index.
    """
    if not 0.0 < float(test_frac) < 1.0:
        raise ValueError(f"test_frac must be in (0, 1), got {test_frac}")
    for col in (col_user, col_item):
        if col not in interactions.columns:
            raise ValueError(f"interactions need a {col!r} column")
    if interactions.empty:
        return interactions.copy(), interactions.iloc[0:0].copy()
    u_codes = _codes(interactions[col_user])
    i_codes = _codes(interactions[col_item])
    ok = (u_codes >= 0) & (i_codes >= 0)  # rows with a missing id stay in train
    n_items = int(i_codes.max()) + 1 if ok.any() else 1
    pair = np.where(ok, u_codes * n_items + i_codes, -1)
    uniq, pair_code = np.unique(pair[ok], return_inverse=True)
    user_code = uniq // n_items
    noise = np.random.default_rng(seed).random(len(uniq))
    order = np.lexsort((noise, user_code))  # pairs grouped by user, random within user
    n_per_user = np.bincount(user_code)
    start = np.r_[0, np.cumsum(n_per_user)[:-1]]
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[order] = np.arange(len(uniq)) - start[user_code[order]]
    n_test = np.floor(float(test_frac) * n_per_user + 0.5).astype(np.int64)
    n_test = np.where(n_per_user >= 2, np.clip(n_test, 1, np.maximum(n_per_user - 1, 1)), 0)
    row_is_test = np.zeros(len(interactions), dtype=bool)
    row_is_test[ok] = (rank < n_test[user_code])[pair_code]
    return interactions.loc[~row_is_test].copy(), interactions.loc[row_is_test].copy()


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of ``values`` (sorted when sortable, so row order does not matter)."""
    try:
        codes, _ = pd.factorize(values, sort=True)
    except TypeError:
        codes, _ = pd.factorize(values.astype(str).where(values.notna()), sort=True)
    return np.asarray(codes, dtype=np.int64)


# ---------------------------------------------------------------------------- recommending


def recommend_all(
    model: Any,
    users: Sequence[Hashable],
    k: int = 10,
    *,
    exclude_seen: bool = True,
) -> pd.DataFrame:
    """Long frame ``user_id, title_id, score, rank`` (rank from 1) of ``model.recommend``.

    The library's models are asked for positions and scores directly (the same lists as
    ``recommend``, without building one frame per user); any other object with a
    ``recommend(user_id, k, exclude_seen)`` method works too.
    """
    users = pd.Index(list(users)) if not isinstance(users, pd.Index) else users
    fast = getattr(model, "_recommend_arrays", None)
    titles, scores, counts = [], [], []
    for user in users:
        if fast is not None:
            idx, sc = fast(user, int(k), exclude_seen)
            titles.append(np.asarray(idx, dtype=np.int64))
        else:
            recs = model.recommend(user, k=k, exclude_seen=exclude_seen)
            titles.append(recs[COL_TITLE])
            sc = recs[COL_SCORE]
        scores.append(np.asarray(sc, dtype=np.float64))
        counts.append(len(sc))
    counts_arr = np.asarray(counts, dtype=np.int64)
    if not titles:
        title_col: Any = np.array([])
    elif fast is not None:
        title_col = model.title_ids_.array.take(np.concatenate(titles))
    else:
        title_col = pd.concat(titles, ignore_index=True)
    return pd.DataFrame(
        {
            COL_USER: users.repeat(counts_arr) if len(users) else pd.Index([]),
            COL_TITLE: title_col,
            COL_SCORE: np.concatenate(scores) if scores else np.zeros(0),
            COL_RANK: np.concatenate([np.arange(1, c + 1) for c in counts_arr])
            if len(counts_arr)
            else np.zeros(0, dtype=np.int64),
        }
    )


# --------------------------------------------------------------------------------- metrics


def _ranked(recs: pd.DataFrame, k: int, col_user: str) -> pd.DataFrame:
    """``recs`` with a 1-based ``rank`` per user (existing ``rank`` column, else row order)."""
    if COL_RANK in recs.columns:
        out = recs.sort_values([col_user, COL_RANK], kind="stable")
        out = out.assign(**{COL_RANK: out.groupby(col_user, sort=False).cumcount() + 1})
    else:
        out = recs.assign(**{COL_RANK: recs.groupby(col_user, sort=False).cumcount() + 1})
    return out.loc[out[COL_RANK] <= k]


def _hits(
    truth: pd.DataFrame, recs: pd.DataFrame, k: int, col_user: str, col_item: str
) -> tuple[pd.DataFrame, pd.Series]:
    """Hit rows (user, rank) of the top-k lists, and the relevant-count per truth user."""
    rel = truth[[col_user, col_item]].drop_duplicates()
    n_rel = rel.groupby(col_user, sort=False).size()
    top = _ranked(recs, k, col_user)[[col_user, col_item, COL_RANK]]
    top = top.drop_duplicates([col_user, col_item])
    if top.empty or rel.empty:  # no lists (an empty frame's id column is float): no hits
        return top.iloc[0:0], n_rel
    hits = top.merge(rel, on=[col_user, col_item], how="inner")
    hits = hits.loc[hits[col_user].isin(n_rel.index)]
    return hits, n_rel


def _precision_users(
    truth: pd.DataFrame, recs: pd.DataFrame, k: int, col_user: str, col_item: str
) -> pd.Series:
    hits, n_rel = _hits(truth, recs, k, col_user, col_item)
    per_user = hits.groupby(col_user).size().reindex(n_rel.index, fill_value=0)
    return (per_user / k).astype(np.float64)


def _recall_users(
    truth: pd.DataFrame, recs: pd.DataFrame, k: int, col_user: str, col_item: str
) -> pd.Series:
    hits, n_rel = _hits(truth, recs, k, col_user, col_item)
    per_user = hits.groupby(col_user).size().reindex(n_rel.index, fill_value=0)
    return (per_user / n_rel).astype(np.float64)


def _ndcg_users(
    truth: pd.DataFrame, recs: pd.DataFrame, k: int, col_user: str, col_item: str
) -> pd.Series:
    hits, n_rel = _hits(truth, recs, k, col_user, col_item)
    gains = 1.0 / np.log2(hits[COL_RANK].to_numpy(dtype=np.float64) + 1.0)
    dcg = pd.Series(gains, index=hits[col_user].to_numpy()).groupby(level=0).sum()
    dcg = dcg.reindex(n_rel.index, fill_value=0.0)
    ideal_cum = np.cumsum(1.0 / np.log2(np.arange(2, k + 2)))
    idcg = ideal_cum[np.minimum(n_rel.to_numpy(), k) - 1] if len(n_rel) else np.zeros(0)
    return pd.Series(dcg.to_numpy() / idcg, index=n_rel.index, dtype=np.float64)


def _map_users(
    truth: pd.DataFrame, recs: pd.DataFrame, k: int, col_user: str, col_item: str
) -> pd.Series:
    hits, n_rel = _hits(truth, recs, k, col_user, col_item)
    hits = hits.sort_values([col_user, COL_RANK], kind="stable")
    nth_hit = hits.groupby(col_user, sort=False).cumcount() + 1
    prec = nth_hit.to_numpy() / hits[COL_RANK].to_numpy()
    ap = pd.Series(prec, index=hits[col_user].to_numpy()).groupby(level=0).sum()
    ap = ap.reindex(n_rel.index, fill_value=0.0) / np.minimum(n_rel, k)
    return ap.astype(np.float64)


def _mean(values: pd.Series) -> float:
    return float(values.mean()) if len(values) else float("nan")


def precision_at_k(
    truth: pd.DataFrame,
    recs: pd.DataFrame,
    *,
    k: int = 10,
    col_user: str = COL_USER,
    col_item: str = COL_TITLE,
) -> float:
    """Mean over ``truth`` users of hits in the top ``k`` / ``k``."""
    return _mean(_precision_users(truth, recs, k, col_user, col_item))


def recall_at_k(
    truth: pd.DataFrame,
    recs: pd.DataFrame,
    *,
    k: int = 10,
    col_user: str = COL_USER,
    col_item: str = COL_TITLE,
) -> float:
    """Mean over ``truth`` users of hits in the top ``k`` / number of relevant titles."""
    return _mean(_recall_users(truth, recs, k, col_user, col_item))


def ndcg_at_k(
    truth: pd.DataFrame,
    recs: pd.DataFrame,
    *,
    k: int = 10,
    col_user: str = COL_USER,
    col_item: str = COL_TITLE,
) -> float:
    """Mean over ``truth`` users of binary-gain NDCG@k (gain ``1 / log2(rank + 1)``)."""
    return _mean(_ndcg_users(truth, recs, k, col_user, col_item))


def map_at_k(
    truth: pd.DataFrame,
    recs: pd.DataFrame,
    *,
    k: int = 10,
    col_user: str = COL_USER,
    col_item: str = COL_TITLE,
) -> float:
    """Mean over ``truth`` users of AP@k = sum(precision@rank at hits) / min(|relevant|, k)."""
    return _mean(_map_users(truth, recs, k, col_user, col_item))


def catalog_coverage(
    reference: pd.DataFrame | Sequence[Hashable],
    recs: pd.DataFrame,
    *,
    k: int = 10,
    col_user: str = COL_USER,
    col_item: str = COL_TITLE,
) -> float:
    """Distinct titles in the top-``k`` lists / catalog size.

    ``reference``: the catalog as a frame with ``col_item`` (titles table or train) or ids.
    """
    if isinstance(reference, pd.DataFrame):
        catalog = pd.unique(reference[col_item])
    else:
        catalog = pd.unique(pd.Series(list(reference)))
    if len(catalog) == 0:
        return float("nan")
    shown = pd.unique(_ranked(recs, k, col_user)[col_item])
    return float(len(shown) / len(catalog))


def _novelty_users(
    train: pd.DataFrame, recs: pd.DataFrame, k: int, col_user: str, col_item: str
) -> pd.DataFrame:
    """Per recommended-to user: ``bits`` (summed -log2 p of the list) and ``n`` (list length)."""
    top = _ranked(recs, k, col_user)
    n_users = train[col_user].nunique()
    if len(top) == 0 or n_users == 0:
        return pd.DataFrame({"bits": [], "n": []}, dtype=np.float64)
    viewers = train[[col_user, col_item]].drop_duplicates().groupby(col_item).size()
    count = top[col_item].map(viewers).fillna(0).to_numpy(dtype=np.float64)
    bits = -np.log2(np.maximum(count, 1.0) / n_users)
    frame = pd.DataFrame({"bits": bits, "n": 1.0}, index=top[col_user].to_numpy())
    return frame.groupby(level=0, sort=False).sum()


def novelty(
    train: pd.DataFrame,
    recs: pd.DataFrame,
    *,
    k: int = 10,
    col_user: str = COL_USER,
    col_item: str = COL_TITLE,
) -> float:
    """Mean ``-log2(p)`` over recommended pairs, p = share of train users who had the title."""
    per_user = _novelty_users(train, recs, k, col_user, col_item)
    if per_user.empty:
        return float("nan")
    return float(per_user["bits"].sum() / per_user["n"].sum())


def _diversity_users(
    recs: pd.DataFrame, k: int, content: ContentKNN, col_user: str, col_item: str
) -> pd.Series:
    """``1 - mean pairwise content cosine`` per user with >= 2 titles known to ``content``."""
    top = _ranked(recs, k, col_user)
    pos = content.titles_.positions(top[col_item].to_numpy())
    keep = pos >= 0
    if not keep.any():
        return pd.Series(dtype=np.float64)
    users, names = pd.factorize(top[col_user].to_numpy()[keep])
    m = np.bincount(users)
    vectors = content.vectors_[pos[keep]]
    # sum of pairwise dot products of a list = |sum of vectors|^2 - sum of |vector|^2
    member = sp.csr_matrix(
        (np.ones(len(users)), (users, np.arange(len(users)))), shape=(len(m), len(users))
    )
    summed = member @ vectors
    total = np.asarray(summed.multiply(summed).sum(axis=1)).ravel()
    self_dot = np.bincount(users, weights=np.asarray(vectors.multiply(vectors).sum(axis=1)).ravel())
    ok = m >= 2
    mean_sim = (total[ok] - self_dot[ok]) / (m[ok] * (m[ok] - 1))
    return pd.Series(1.0 - np.clip(mean_sim, 0.0, 1.0), index=names[ok], dtype=np.float64)


def intra_list_diversity(
    train: pd.DataFrame | None,
    recs: pd.DataFrame,
    *,
    k: int = 10,
    content: ContentKNN,
    col_user: str = COL_USER,
    col_item: str = COL_TITLE,
) -> float:
    """Mean over users of ``1 - mean pairwise content cosine`` of their top-``k`` list.

    Cosines are between the TF-IDF vectors of the fitted ``content`` model; titles unknown to
    it are skipped; users with fewer than 2 known titles are skipped. ``train`` is unused (kept
    for the shared signature).
    """
    return _mean(_diversity_users(recs, k, content, col_user, col_item))


def _genre_users(
    train: pd.DataFrame,
    recs: pd.DataFrame,
    k: int,
    titles: pd.DataFrame,
    top_n: int,
    col_user: str,
    col_item: str,
    col_genres: str,
) -> pd.Series:
    """Share of each user's top-``k`` titles in one of the user's ``top_n`` train genres."""
    empty = pd.Series(dtype=np.float64)
    if col_genres not in titles.columns or not titles[col_genres].notna().any():
        return empty
    genres = titles[[col_item, col_genres]].drop_duplicates(col_item)
    lists = genres[col_genres].map(lambda v: [g.casefold() for g in parse_list(v)])
    exploded = genres.assign(_g=lists).explode("_g")
    exploded = exploded.loc[exploded["_g"].notna(), [col_item, "_g"]]
    seen = train[[col_user, col_item]].drop_duplicates().merge(exploded, on=col_item)
    if seen.empty:
        return empty
    counts = seen.groupby([col_user, "_g"]).size().rename("n").reset_index()
    counts = counts.sort_values([col_user, "n", "_g"], ascending=[True, False, True])
    top_genres = counts.groupby(col_user, sort=False).head(top_n)[[col_user, "_g"]]
    top = _ranked(recs, k, col_user)[[col_user, col_item]]
    top = top.loc[top[col_user].isin(top_genres[col_user])]
    if top.empty:
        return empty
    matched = top.merge(exploded, on=col_item).merge(top_genres, on=[col_user, "_g"])
    matched = matched.drop_duplicates([col_user, col_item]).groupby(col_user).size()
    per_user = matched.reindex(top[col_user].unique(), fill_value=0)
    sizes = top.groupby(col_user).size().reindex(per_user.index)
    return (per_user / sizes).astype(np.float64)


def genre_match_rate(
    train: pd.DataFrame,
    recs: pd.DataFrame,
    *,
    k: int = 10,
    titles: pd.DataFrame,
    top_n: int = 3,
    col_user: str = COL_USER,
    col_item: str = COL_TITLE,
    col_genres: str = "genres",
) -> float:
    """Mean over users of the share of their top-``k`` titles in one of their top genres.

    A user's top genres are the ``top_n`` genres most frequent among their train titles (each
    title counts once per genre; ties by name). A title matches when any of its genres is
    among them. Users without genre information in train are skipped.
    """
    return _mean(_genre_users(train, recs, k, titles, top_n, col_user, col_item, col_genres))


# ------------------------------------------------------------------------------ end to end


def _eval_users(
    train: pd.DataFrame,
    test: pd.DataFrame,
    users: int | Sequence[Hashable] | None,
    seed: int,
    min_titles: int = 1,
) -> list[Hashable]:
    candidates = pd.Index(pd.unique(test[COL_USER])).intersection(
        pd.Index(pd.unique(train[COL_USER])), sort=False
    )
    if min_titles > 1 and len(candidates):
        both = pd.concat([train[[COL_USER, COL_TITLE]], test[[COL_USER, COL_TITLE]]])
        n = both.drop_duplicates().groupby(COL_USER, sort=False).size()
        candidates = candidates[n.reindex(candidates).to_numpy() >= min_titles]
    try:
        candidates = candidates.sort_values()
    except TypeError:
        pass
    if users is None:
        return list(candidates)
    if isinstance(users, (int, np.integer)):
        if users >= len(candidates):
            return list(candidates)
        rng = np.random.default_rng(seed)
        pick = np.sort(rng.choice(len(candidates), size=int(users), replace=False))
        return list(candidates.take(pick))
    wanted = pd.Index(list(users))
    return list(wanted.intersection(candidates, sort=False))


def _content_for(model: Any, content: ContentKNN | None, titles: pd.DataFrame | None) -> Any:
    if content is not None:
        return content
    if isinstance(model, ContentKNN):
        return model
    if isinstance(model, Hybrid):
        return model.content
    if titles is not None:
        return ContentKNN(index_k=0).fit(titles)
    return None


def ranking_metrics(
    model: Any,
    train: pd.DataFrame,
    test: pd.DataFrame,
    k: int = 10,
    *,
    titles: pd.DataFrame | None = None,
    content: ContentKNN | None = None,
    users: int | Sequence[Hashable] | None = None,
    seed: int = 0,
) -> dict[str, float]:
    """All metrics of ``model`` (fitted on ``train``) against ``test``; see ``PROTOCOL``.

    Parameters
    ----------
    model : fitted recommender with ``recommend(user_id, k, exclude_seen=True)``.
    train, test : interactions from ``split_holdout``.
    k : list length.
    titles : optional titles table: enables ``genre_match``, the catalog for coverage, and a
        content model for ``diversity``.
    content : optional fitted ``ContentKNN`` for ``diversity``.
    users : None (all test users known in train), an int (a seeded random sample of that many,
        for speed) or a list of user ids.
    seed : seed of the user sample.

    Returns
    -------
    dict with ``precision``, ``recall``, ``ndcg``, ``map``, ``coverage``, ``novelty``,
    ``diversity``, ``genre_match`` (only when ``titles`` is given), ``n_users`` and ``k``.
    """
    chosen = _eval_users(train, test, users, seed)
    recs = recommend_all(model, chosen, k)
    truth = test.loc[test[COL_USER].isin(chosen)]
    catalog = titles if titles is not None else train
    cm = _content_for(model, content, titles)
    out = {
        "precision": precision_at_k(truth, recs, k=k),
        "recall": recall_at_k(truth, recs, k=k),
        "ndcg": ndcg_at_k(truth, recs, k=k),
        "map": map_at_k(truth, recs, k=k),
        "coverage": catalog_coverage(catalog, recs, k=k),
        "novelty": novelty(train, recs, k=k),
        "diversity": (
            intra_list_diversity(train, recs, k=k, content=cm) if cm is not None else float("nan")
        ),
    }
    if titles is not None:
        out["genre_match"] = genre_match_rate(train, recs, k=k, titles=titles)
    out["n_users"] = len(chosen)
    out["k"] = int(k)
    return out


def evaluate_models(
    models: Mapping[str, Any],
    train: pd.DataFrame,
    test: pd.DataFrame,
    k: int = 10,
    titles: pd.DataFrame | None = None,
    *,
    content: ContentKNN | None = None,
    users: int | Sequence[Hashable] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per model: ``model``, the metrics of ``ranking_metrics``, ``n_users``, ``k``,
    ``seconds`` (time to recommend and score). Models must already be fitted on ``train``;
    every model is scored on the same users (and the same content model for diversity).
    """
    if content is None and titles is not None:
        content = ContentKNN(index_k=0).fit(titles)
    rows = []
    for name, model in models.items():
        t0 = time.perf_counter()
        res = ranking_metrics(
            model, train, test, k, titles=titles, content=content, users=users, seed=seed
        )
        res = {"model": name, **res, "seconds": time.perf_counter() - t0}
        log.info("evaluated %s: %s", name, res)
        rows.append(res)
    columns = ["model", *[m for m in METRICS if m != "genre_match" or titles is not None]]
    columns += ["n_users", "k", "seconds"]
    return pd.DataFrame(rows, columns=columns)


# ------------------------------------------------------------------------------ time split


def _time_values(values: pd.Series) -> np.ndarray:
    """Timestamps as float64 (NaN when missing): datetimes in ns, numbers as they are."""
    if pd.api.types.is_datetime64_any_dtype(values):
        ts = pd.to_datetime(values)
        out = ts.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
        out[ts.isna().to_numpy()] = np.nan
        return out
    if pd.api.types.is_numeric_dtype(values):
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
    ts = pd.to_datetime(values, errors="coerce", utc=True)
    out = ts.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
    out[ts.isna().to_numpy()] = np.nan
    return out


def split_leave_last_out(
    interactions: pd.DataFrame,
    n_last: int = 1,
    *,
    col_time: str = "last_ts",
    col_user: str = COL_USER,
    col_item: str = COL_TITLE,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Time split: each user's ``n_last`` most recent titles are held out (``(train, test)``).

    A (user, title) pair's time is the latest timestamp among its rows. A user with ``n >= 2``
    distinct titles gives ``min(n_last, n - 1)`` of their timed pairs to test, latest first
    (equal times: the larger title first). Pairs without a timestamp, users with one title and
    rows with a missing id stay in train; all rows of a pair fall on the same side. The input
    is not modified; both outputs keep its index.

    Raises ``ValueError`` when ``col_time`` is absent or holds no timestamp.
    """
    if int(n_last) < 1:
        raise ValueError(f"n_last must be >= 1, got {n_last}")
    for col in (col_user, col_item):
        if col not in interactions.columns:
            raise ValueError(f"interactions need a {col!r} column")
    if col_time not in interactions.columns:
        raise ValueError(
            f"a time split needs a {col_time!r} column of timestamps "
            f"(interactions have {list(interactions.columns)})"
        )
    times = _time_values(interactions[col_time])
    if not np.isfinite(times).any():
        raise ValueError(f"column {col_time!r} holds no timestamp: a time split is impossible")
    u_codes = _codes(interactions[col_user])
    i_codes = _codes(interactions[col_item])
    ok = (u_codes >= 0) & (i_codes >= 0)
    n_items = int(i_codes.max()) + 1 if ok.any() else 1
    pair = np.where(ok, u_codes * n_items + i_codes, -1)
    uniq, pair_code = np.unique(pair[ok], return_inverse=True)
    latest = np.full(len(uniq), -np.inf)
    t_ok = np.where(np.isfinite(times[ok]), times[ok], -np.inf)
    np.maximum.at(latest, pair_code, t_ok)
    user_code, item_code = uniq // n_items, uniq % n_items
    order = np.lexsort((-item_code, -latest, user_code))  # by user, latest first
    n_per_user = np.bincount(user_code)
    start = np.r_[0, np.cumsum(n_per_user)[:-1]]
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[order] = np.arange(len(uniq)) - start[user_code[order]]
    n_test = np.minimum(int(n_last), np.maximum(n_per_user - 1, 0))
    pair_is_test = (rank < n_test[user_code]) & np.isfinite(latest)
    row_is_test = np.zeros(len(interactions), dtype=bool)
    row_is_test[ok] = pair_is_test[pair_code]
    return interactions.loc[~row_is_test].copy(), interactions.loc[row_is_test].copy()


# ------------------------------------------------------------------- per-user and intervals

MEAN_METRICS: tuple[str, ...] = ("precision", "recall", "ndcg", "map", "diversity", "genre_match")


def per_user_metrics(
    truth: pd.DataFrame,
    recs: pd.DataFrame,
    *,
    k: int = 10,
    train: pd.DataFrame | None = None,
    titles: pd.DataFrame | None = None,
    content: ContentKNN | None = None,
    top_n: int = 3,
    col_user: str = COL_USER,
    col_item: str = COL_TITLE,
    col_genres: str = "genres",
) -> pd.DataFrame:
    """One row per ``truth`` user: the metrics of the shared signature, user by user.

    Columns: ``precision``, ``recall``, ``ndcg``, ``map``, ``n_recs`` (length of the top-``k``
    list, 0 when none); with ``train``: ``novelty_bits`` (summed -log2 p of the list) and
    ``novelty`` (their mean, NaN for an empty list); with ``content``: ``diversity`` (NaN for
    fewer than 2 known titles); with ``titles`` (genres) and ``train``: ``genre_match`` (NaN
    when the user has no genre information). The mean of a column over its defined values is
    the corresponding metric function's value (novelty: summed bits / summed ``n_recs``).
    """
    out = pd.DataFrame(
        {
            "precision": _precision_users(truth, recs, k, col_user, col_item),
            "recall": _recall_users(truth, recs, k, col_user, col_item),
            "ndcg": _ndcg_users(truth, recs, k, col_user, col_item),
            "map": _map_users(truth, recs, k, col_user, col_item),
        }
    )
    users = out.index
    top = _ranked(recs, k, col_user)
    out["n_recs"] = top.groupby(col_user).size().reindex(users, fill_value=0).astype(np.float64)
    if train is not None:
        nov = _novelty_users(train, recs, k, col_user, col_item).reindex(users)
        out["novelty_bits"] = nov["bits"].fillna(0.0).to_numpy()
        out["novelty"] = (nov["bits"] / nov["n"]).to_numpy()
    if content is not None:
        out["diversity"] = _diversity_users(recs, k, content, col_user, col_item).reindex(users)
    if titles is not None and train is not None:
        has = col_genres in titles.columns and titles[col_genres].notna().any()
        genre = (
            _genre_users(train, recs, k, titles, top_n, col_user, col_item, col_genres)
            if has
            else pd.Series(dtype=np.float64)
        )
        out["genre_match"] = genre.reindex(users)
    return out


def _resamples(n: int, n_boot: int, seed: int) -> Iterator[np.ndarray]:
    """Bootstrap resamples of ``n`` users as count matrices (chunks of rows: resample x user)."""
    rng = np.random.default_rng(seed)
    chunk = max(1, min(int(n_boot), 20_000_000 // max(n, 1)))
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        idx = rng.integers(0, n, size=(b, n)) + (np.arange(b) * n)[:, None]
        yield np.bincount(idx.ravel(), minlength=b * n).reshape(b, n).astype(np.float64)
        done += b


def _percentiles(values: np.ndarray, level: float) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return float("nan"), float("nan")
    tail = (1.0 - float(level)) / 2.0
    lo, hi = np.quantile(finite, [tail, 1.0 - tail])
    return float(lo), float(hi)


def bootstrap_ci(
    values: Sequence[float] | np.ndarray | pd.Series,
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Mean of per-user ``values`` (NaNs dropped) and its percentile bootstrap interval.

    Users are resampled with replacement ``n_boot`` times (seeded); the interval holds the
    central ``level`` share of the resampled means. Returns ``(mean, low, high)``; all NaN
    when no value is defined.
    """
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return float("nan"), float("nan"), float("nan")
    means = np.concatenate([c @ v / len(v) for c in _resamples(len(v), n_boot, seed)])
    lo, hi = _percentiles(means, level)
    return float(v.mean()), lo, hi


def metric_intervals(
    per_user: pd.DataFrame,
    *,
    recs: pd.DataFrame | None = None,
    catalog_size: int | None = None,
    k: int = 10,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
    col_user: str = COL_USER,
    col_item: str = COL_TITLE,
) -> pd.DataFrame:
    """Every metric of ``per_user`` (from ``per_user_metrics``) with a bootstrap interval.

    One resampling of the users serves every metric: mean metrics are means over the users
    where they are defined, novelty is summed bits / summed list lengths (percentile
    intervals); coverage (when ``recs`` and ``catalog_size`` are given) is the distinct titles
    in the resampled users' lists / ``catalog_size``, and since a count of distinct titles is
    biased low on a resample (repeated viewers add nothing), its interval is the estimate
    +- z * the bootstrap standard deviation. Returns ``metric, value, low, high`` (``value``
    is the metric on all users, as the metric functions compute it).
    """
    n = len(per_user)
    stats: dict[str, tuple[np.ndarray, np.ndarray] | None] = {}
    for col in MEAN_METRICS:
        if col in per_user.columns:
            v = per_user[col].to_numpy(dtype=np.float64)
            stats[col] = (np.nan_to_num(v), np.isfinite(v).astype(np.float64))
    if "novelty_bits" in per_user.columns:
        stats["novelty"] = (
            per_user["novelty_bits"].to_numpy(dtype=np.float64),
            per_user["n_recs"].to_numpy(dtype=np.float64),
        )
    incidence = None
    if recs is not None and catalog_size:
        top = _ranked(recs, k, col_user)
        top = top.loc[top[col_user].isin(per_user.index)]
        u = per_user.index.get_indexer(top[col_user])
        items, _ = pd.factorize(top[col_item])
        incidence = sp.csr_matrix(
            (np.ones(len(u)), (u, items)), shape=(n, int(items.max()) + 1 if len(items) else 0)
        )
        incidence.data[:] = 1.0
    boots: dict[str, list[np.ndarray]] = {name: [] for name in stats}
    boots["coverage"] = []
    if n:
        for counts in _resamples(n, n_boot, seed):
            for name, (num, den) in stats.items():
                with np.errstate(invalid="ignore", divide="ignore"):
                    boots[name].append((counts @ num) / (counts @ den))
            if incidence is not None and incidence.shape[1]:
                shown = (incidence.T @ counts.T) > 0
                boots["coverage"].append(shown.sum(axis=0) / float(catalog_size))
    rows = []
    for name, (num, den) in stats.items():
        value = float(num.sum() / den.sum()) if den.sum() > 0 else float("nan")
        lo, hi = _percentiles(np.concatenate(boots[name]) if boots[name] else np.zeros(0), level)
        rows.append({"metric": name, "value": value, "low": lo, "high": hi})
    if incidence is not None:
        # a distinct-title count shrinks on resamples that repeat viewers, so its percentile
        # interval would sit below the estimate: use the estimate +- z * bootstrap std instead
        value = float(incidence.shape[1] / catalog_size)
        spread = np.concatenate(boots["coverage"]) if boots["coverage"] else np.zeros(0)
        lo = hi = float("nan")
        if len(spread) > 1:
            half = float(norm.ppf(0.5 + float(level) / 2) * spread.std(ddof=1))
            lo, hi = max(value - half, 0.0), min(value + half, 1.0)
        rows.append({"metric": "coverage", "value": value, "low": lo, "high": hi})
    order = {m: i for i, m in enumerate(METRICS)}
    rows.sort(key=lambda r: order.get(r["metric"], len(order)))
    return pd.DataFrame(rows, columns=["metric", "value", "low", "high"])


def paired_comparison(
    a: pd.DataFrame | pd.Series,
    b: pd.DataFrame | pd.Series,
    *,
    metric: str = "ndcg",
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, float]:
    """Difference ``mean(a) - mean(b)`` of two models scored on the same users, with its interval.

    ``a`` and ``b`` are per-user frames (``per_user_metrics``; ``metric`` picks the column) or
    series indexed by user. The users are resampled once for both models (a paired bootstrap),
    so the interval reflects the per-user differences, not each model's own spread.

    Returns ``a``, ``b``, ``difference``, ``low``, ``high``, ``relative`` (difference / ``b``)
    and ``n_users``. Raises ``ValueError`` when the two were not scored on the same users.
    """
    va = a[metric] if isinstance(a, pd.DataFrame) else a
    vb = b[metric] if isinstance(b, pd.DataFrame) else b
    if len(va.index) != len(vb.index) or not va.index.isin(vb.index).all():
        raise ValueError(
            f"a paired comparison needs the same users on both sides: {len(va)} vs {len(vb)} "
            f"users, {int(va.index.isin(vb.index).sum())} in common"
        )
    vb = vb.reindex(va.index)
    ok = np.isfinite(va.to_numpy(dtype=np.float64)) & np.isfinite(vb.to_numpy(dtype=np.float64))
    xa = va.to_numpy(dtype=np.float64)[ok]
    xb = vb.to_numpy(dtype=np.float64)[ok]
    diff, lo, hi = bootstrap_ci(xa - xb, n_boot=n_boot, level=level, seed=seed)
    mb = float(xb.mean()) if len(xb) else float("nan")
    return {
        "a": float(xa.mean()) if len(xa) else float("nan"),
        "b": mb,
        "difference": diff,
        "low": lo,
        "high": hi,
        "relative": diff / mb if mb else float("nan"),
        "n_users": int(ok.sum()),
    }


def evaluate_with_intervals(
    model: Any,
    train: pd.DataFrame,
    test: pd.DataFrame,
    k: int = 10,
    *,
    titles: pd.DataFrame | None = None,
    content: ContentKNN | None = None,
    users: int | Sequence[Hashable] | None = None,
    seed: int = 0,
    min_titles: int = 1,
    n_boot: int = 1000,
    level: float = 0.95,
) -> tuple[dict[str, float], pd.DataFrame]:
    """``ranking_metrics`` with a bootstrap interval per metric, and the per-user values.

    Returns ``(summary, per_user)``: ``summary`` has each metric, ``<metric>_low`` and
    ``<metric>_high``, ``n_users`` and ``k``; ``per_user`` is the ``per_user_metrics`` frame
    (for ``paired_comparison``). ``min_titles``: evaluated users need at least that many
    distinct titles in train and test together.
    """
    chosen = _eval_users(train, test, users, seed, min_titles)
    recs = recommend_all(model, chosen, k)
    truth = test.loc[test[COL_USER].isin(chosen)]
    cm = _content_for(model, content, titles)
    has_genres = titles is not None and "genres" in titles.columns
    per_user = per_user_metrics(
        truth,
        recs,
        k=k,
        train=train,
        titles=titles if has_genres else None,
        content=cm,
    )
    catalog = titles if titles is not None else train
    table = metric_intervals(
        per_user,
        recs=recs,
        catalog_size=int(catalog[COL_TITLE].nunique()),
        k=k,
        n_boot=n_boot,
        level=level,
        seed=seed,
    )
    summary: dict[str, float] = {}
    for row in table.itertuples(index=False):
        summary[row.metric] = row.value
        summary[f"{row.metric}_low"] = row.low
        summary[f"{row.metric}_high"] = row.high
    summary["n_users"] = len(chosen)
    summary["k"] = int(k)
    return summary, per_user


# ---------------------------------------------------------------------------------- tuning


@dataclass
class TuneResult:
    """What ``tune`` chose and why.

    ``params``: the chosen values; ``score``: their validation ``metric``; ``curve``: one row
    per grid point (its parameters, ``precision``, ``ndcg`` and ``metric`` on validation,
    ``seconds``), in grid order; ``model``: a model with ``params`` refitted on the whole
    training data (``None`` with ``refit=False``); ``n_users``: validation users.
    """

    params: dict[str, Any]
    score: float
    metric: str
    curve: pd.DataFrame
    n_users: int
    model: Any = None
    seconds: float = 0.0
    validation: str = ""


def _grid_points(grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]]) -> list[dict]:
    if isinstance(grid, Mapping):
        keys = list(grid)
        return [dict(zip(keys, values)) for values in itertools.product(*grid.values())]
    return [dict(p) for p in grid] or [{}]


def _fit_on(model: Any, interactions: pd.DataFrame) -> Any:
    """Fit ``model`` on interactions (``Hybrid.fit`` takes them by keyword)."""
    if isinstance(model, Hybrid):
        return model.fit(interactions=interactions)
    return model.fit(interactions)


def _split(
    interactions: pd.DataFrame, split: str, frac: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    if split == "random":
        return split_holdout(interactions, frac, seed)
    if split == "time":
        return split_leave_last_out(interactions, 1)
    raise ValueError(f"split must be 'random' or 'time', got {split!r}")


def tune(
    model_cls: Callable[..., Any],
    train: pd.DataFrame,
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    seed: int = 0,
    *,
    k: int = 10,
    metric: str = "ndcg",
    val_frac: float = 0.2,
    split: str = "random",
    users: int | None = None,
    min_titles: int = 1,
    refit: bool = True,
    progress: Callable[[int, int, dict], None] | None = None,
) -> TuneResult:
    """Pick hyper-parameters on a validation split carved from ``train`` only.

    ``train`` is split again (``split_holdout(train, val_frac, seed)``, or each user's latest
    title with ``split="time"``); every grid point is fitted on the first part and scored on
    the held-out part (same rules as ``ranking_metrics``: seen titles excluded, every
    held-out title relevant, ``users`` a seeded sample of the validation users). The best
    ``metric`` wins (ties: the first in grid order). Nothing outside ``train`` is read, so a
    test split kept apart is never touched.

    Parameters
    ----------
    model_cls : a class or factory: ``model_cls(**params)`` returns an unfitted model.
    train : the training interactions.
    grid : ``{name: values}`` (every combination) or a list of parameter dicts; ``{}`` or
        ``[]`` scores the defaults alone.
    progress : optional ``progress(i, n, params)`` before each grid point.
    """
    t0 = time.perf_counter()
    if metric not in _ACCURACY:
        raise ValueError(f"metric must be one of {sorted(_ACCURACY)}, got {metric!r}")
    points = _grid_points(grid)
    fit_part, val = _split(train, split, val_frac, seed)
    chosen = _eval_users(fit_part, val, users, seed, min_titles)
    truth = val.loc[val[COL_USER].isin(chosen)]
    rows = []
    for i, params in enumerate(points):
        if progress is not None:
            progress(i, len(points), params)
        t = time.perf_counter()
        model = _fit_on(model_cls(**params), fit_part)
        recs = recommend_all(model, chosen, k)
        row = {
            **params,
            "precision": precision_at_k(truth, recs, k=k),
            "ndcg": ndcg_at_k(truth, recs, k=k),
        }
        if metric not in row:
            row[metric] = _ACCURACY[metric](truth, recs, k=k)
        row["seconds"] = time.perf_counter() - t
        rows.append(row)
        del model
    curve = pd.DataFrame(rows)
    scores = curve[metric].to_numpy(dtype=np.float64)
    best = int(np.nanargmax(scores)) if np.isfinite(scores).any() else 0
    params = points[best]
    fitted = _fit_on(model_cls(**params), train) if refit else None
    how = (
        f"split_holdout(train, test_frac={val_frac}, seed={seed})"
        if split == "random"
        else "each viewer's latest title of the training part (split_leave_last_out)"
    )
    return TuneResult(
        params=params,
        score=float(scores[best]),
        metric=metric,
        curve=curve,
        n_users=len(chosen),
        model=fitted,
        seconds=time.perf_counter() - t0,
        validation=how,
    )


_ACCURACY: dict[str, Callable[..., float]] = {
    "precision": precision_at_k,
    "recall": recall_at_k,
    "ndcg": ndcg_at_k,
    "map": map_at_k,
}


# ------------------------------------------------------------------------ the comparison

COMPARED: tuple[str, ...] = (
    "Content",
    "Collaborative",
    "Hybrid",
    "EASE",
    "RP3beta",
    "Popularity",
    "Random",
)
BASELINES: tuple[str, ...] = ("Popularity", "Random")
DEFAULT_GRIDS: dict[str, dict[str, tuple[Any, ...]]] = {
    "Content": {},
    "Collaborative": {"neighbors": (20, 50, 100, 200)},
    "Hybrid": {"alpha": (0.1, 0.3, 0.5, 0.7, 0.9)},
    "EASE": {"l2": (50.0, 150.0, 500.0, 1500.0, 5000.0)},
    "RP3beta": {"alpha": (0.5, 1.0), "beta": (0.0, 0.3, 0.6)},
    "Popularity": {},
    "Random": {},
}
MODEL_NOTES: dict[str, str] = {
    "Content": "cosine of each title with the mean TF-IDF content vector of the viewer's "
    "titles; ignores ratings",
    "Collaborative": "item kNN: cosine of the titles' viewer vectors; ratings used as weights "
    "when most rows are rated, else every interaction counts 1",
    "Hybrid": "alpha x content + (1 - alpha) x item kNN, each scaled to its best candidate",
    "EASE": "dense linear title x title model in closed form (Steck 2019); every watched or "
    "rated title counts 1, whatever the rating",
    "RP3beta": "3-step random walk on the viewer-title graph, divided by popularity^beta "
    "(Paudel et al. 2016); every watched or rated title counts 1",
    "Popularity": "the most watched titles (baseline)",
    "Random": "random unseen titles (baseline)",
}


def model_factory(
    name: str,
    content: ContentKNN | None = None,
    *,
    seed: int = 0,
    collab_params: Mapping[str, Any] | None = None,
    ease_budget_gib: float = EASE_MEMORY_BUDGET_GIB,
) -> Callable[..., Any]:
    """``factory(**params) -> unfitted model`` for a name of ``COMPARED``.

    ``Content`` and ``Hybrid`` need a fitted ``content`` model (fitted on titles, never on
    interactions); ``Hybrid``'s item kNN takes ``collab_params`` (the tuned neighbours).
    """
    cp = dict(collab_params or {})
    if name in ("Content", "Hybrid") and content is None:
        raise ValueError(f"{name} needs a fitted ContentKNN")
    factories: dict[str, Callable[..., Any]] = {
        "Content": lambda: Hybrid(content, ItemKNN(**cp), alpha=1.0),
        "Collaborative": lambda **p: ItemKNN(**p),
        "Hybrid": lambda alpha=0.5: Hybrid(content, ItemKNN(**cp), alpha=alpha),
        "EASE": lambda l2=500.0: EASE(l2, memory_budget_gib=ease_budget_gib),
        "RP3beta": lambda alpha=1.0, beta=0.5: RP3Beta(alpha, beta),
        "Popularity": lambda: Popularity(),
        "Random": lambda: RandomRecommender(seed=seed),
    }
    if name not in factories:
        raise ValueError(f"unknown model {name!r}; use one of {COMPARED}")
    return factories[name]


@dataclass
class Comparison:
    """Result of ``compare_recommenders`` (plain data: safe to cache and to show).

    ``table``: one row per evaluated model (``model``, ``params`` as text, ``validation`` =
    the tuning metric on validation, every metric of ``METRICS`` with ``_low`` / ``_high``,
    ``n_users``, ``fit_seconds``, ``seconds``); ``paired``: the model chosen by validation
    against every other model on the same test users (``model``, ``metric``, ``difference``,
    ``low``, ``high``, ``relative``); ``tuned``: the ``TuneResult`` of each model (without the
    fitted model); ``best``: the model with the best validation score; ``skipped``: models
    not evaluated and why; ``per_user``: each model's per-user test metrics; ``meta``: the
    protocol's settings and counts.
    """

    table: pd.DataFrame
    paired: pd.DataFrame
    tuned: dict[str, TuneResult]
    best: str | None
    skipped: dict[str, str]
    per_user: dict[str, pd.DataFrame]
    meta: dict[str, Any]

    @property
    def protocol(self) -> str:
        return comparison_protocol(self.meta)


def _params_text(params: Mapping[str, Any]) -> str:
    return ", ".join(
        f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items()
    )


def tune_recommenders(
    titles: pd.DataFrame | None,
    train: pd.DataFrame,
    *,
    content: ContentKNN | None = None,
    models: Sequence[str] = COMPARED,
    grids: Mapping[str, Any] | None = None,
    k: int = 10,
    metric: str = "ndcg",
    val_frac: float = 0.2,
    split: str = "random",
    seed: int = 0,
    users: int | None = None,
    min_titles: int = 1,
    ease_budget_gib: float = EASE_MEMORY_BUDGET_GIB,
    progress: Callable[[float, str], None] | None = None,
) -> tuple[dict[str, TuneResult], dict[str, str], str | None]:
    """Tune every model of ``models`` on validation carved from ``train`` (see ``tune``).

    Returns ``(tuned, skipped, best)``: the ``TuneResult`` per model (fitted on the whole
    ``train`` as ``.model``), the models that could not be fitted with the reason (no content,
    EASE above its item limit), and the non-random model with the best validation ``metric``
    (ties: the first in ``models`` order). ``titles`` are used only to fit a content model
    when ``content`` is not given.
    """
    grids = {**DEFAULT_GRIDS, **(grids or {})}
    if content is None and titles is not None and {"Content", "Hybrid"} & set(models):
        content = _content_or_none(titles)
    skipped: dict[str, str] = {}
    todo = []
    for name in models:
        if name in ("Content", "Hybrid") and content is None:
            skipped[name] = "titles with genres, descriptions or cast (content), which are missing"
            continue
        if name == "EASE":
            n = int(train[COL_TITLE].nunique())
            limit = EASE.max_items(ease_budget_gib)
            if n > limit:
                need = EASE.memory_need(n) / 2**30
                skipped[name] = str(ItemLimitError("EASE", n, limit, need, ease_budget_gib))
                continue
        todo.append(name)
    total = sum(len(_grid_points(grids.get(n, {}))) for n in todo) or 1
    done = 0
    tuned: dict[str, TuneResult] = {}
    for name in todo:
        collab = tuned["Collaborative"].params if "Collaborative" in tuned else None
        factory = model_factory(
            name, content, seed=seed, collab_params=collab, ease_budget_gib=ease_budget_gib
        )

        def step(i: int, n: int, params: dict, name: str = name, base: int = done) -> None:
            if progress is not None:
                what = f" ({_params_text(params)})" if params else ""
                progress((base + i) / total, f"{name}: validating {i + 1} of {n}{what}")

        try:
            tuned[name] = tune(
                factory,
                train,
                grids.get(name, {}),
                seed,
                k=k,
                metric=metric,
                val_frac=val_frac,
                split=split,
                users=users,
                min_titles=min_titles,
                progress=step,
            )
        except ItemLimitError as exc:  # the validation part may still be too large
            skipped[name] = str(exc)
        done += len(_grid_points(grids.get(name, {})))
        log.info("tuned %s: %s", name, tuned[name].params if name in tuned else skipped[name])
    if progress is not None:
        progress(1.0, "validation done")
    ranked = [n for n in models if n in tuned and n != "Random"]
    best = max(ranked, key=lambda n: (tuned[n].score, -ranked.index(n))) if ranked else None
    return tuned, skipped, best


def _content_or_none(titles: pd.DataFrame) -> ContentKNN | None:
    try:
        model = ContentKNN(index_k=0).fit(titles)
    except ValueError as exc:
        log.info("no content model: %s", exc)
        return None
    return model if model.vectors_.shape[1] else None


def compare_recommenders(
    titles: pd.DataFrame | None,
    interactions: pd.DataFrame,
    *,
    k: int = 10,
    test_frac: float = 0.2,
    seed: int = 0,
    split: str = "random",
    min_titles: int = 5,
    users: int | None = None,
    n_boot: int = 1000,
    level: float = 0.95,
    metric: str = "ndcg",
    val_frac: float = 0.2,
    models: Sequence[str] = COMPARED,
    grids: Mapping[str, Any] | None = None,
    content: ContentKNN | None = None,
    tuned: tuple[dict[str, TuneResult], dict[str, str], str | None] | None = None,
    ease_budget_gib: float = EASE_MEMORY_BUDGET_GIB,
    progress: Callable[[float, str], None] | None = None,
) -> Comparison:
    """Every model of ``models`` tuned on validation, then scored on a held-out test split.

    1. Split ``interactions`` into train and test (``split_holdout(test_frac, seed)``, or each
       viewer's latest title with ``split="time"``).
    2. Tune each model on validation carved from train only (``tune_recommenders``; or reuse
       ``tuned``, its result on the same train), refit on the whole train.
    3. Score each on the test users (in both parts, with at least ``min_titles`` titles; a
       seeded sample of ``users`` when given) with a bootstrap interval per metric.
    4. Compare the model chosen by validation with every other one, user by user (paired).

    ``progress(fraction, message)`` reports each step. No streamlit, no I/O: the result is
    plain data (``Comparison``).
    """
    t0 = time.perf_counter()
    report = progress or (lambda _f, _m: None)
    report(0.0, "splitting the interactions into train and test")
    train, test = _split(interactions, split, test_frac, seed)
    if content is None and titles is not None:
        content = _content_or_none(titles)
    candidates = _eval_users(train, test, None, seed, min_titles)
    if tuned is None:
        tuned = tune_recommenders(
            titles,
            train,
            content=content,
            models=models,
            grids=grids,
            k=k,
            metric=metric,
            val_frac=val_frac,
            split=split,
            seed=seed,
            users=users,
            min_titles=min_titles,
            ease_budget_gib=ease_budget_gib,
            progress=lambda f, m: report(0.05 + 0.75 * f, m),
        )
    results, skipped, best = tuned
    skipped = dict(skipped)
    names = [n for n in models if n in results]
    collab = results["Collaborative"].params if "Collaborative" in results else None
    rows, per_user = [], {}
    for i, name in enumerate(names):
        report(0.8 + 0.2 * i / max(len(names), 1), f"{name}: scoring on the test split")
        res = results[name]
        t = time.perf_counter()
        model = res.model
        if model is None:
            factory = model_factory(
                name,
                content,
                seed=seed,
                collab_params=collab,
                ease_budget_gib=ease_budget_gib,
            )
            model = _fit_on(factory(**res.params), train)
        fit_s = time.perf_counter() - t
        summary, pu = evaluate_with_intervals(
            model,
            train,
            test,
            k,
            titles=titles,
            content=content,
            users=users,
            seed=seed,
            min_titles=min_titles,
            n_boot=n_boot,
            level=level,
        )
        per_user[name] = pu
        rows.append(
            {
                "model": name,
                "params": _params_text(res.params),
                "validation": res.score,
                **summary,
                "fit_seconds": fit_s,
                "seconds": res.seconds + time.perf_counter() - t,
            }
        )
    table = pd.DataFrame(rows)
    paired = []
    if best is not None and best in per_user:
        for name in names:
            if name == best:
                continue
            for m in ("precision", "ndcg"):
                d = paired_comparison(
                    per_user[best], per_user[name], metric=m, n_boot=n_boot, level=level, seed=seed
                )
                paired.append({"model": name, "metric": m, "best": best, **d})
    report(1.0, "done")
    meta = {
        "k": int(k),
        "split": split,
        "test_frac": float(test_frac),
        "val_frac": float(val_frac),
        "seed": int(seed),
        "min_titles": int(min_titles),
        "users": users,
        "n_users": int(table["n_users"].iloc[0]) if len(table) else 0,
        "n_candidates": len(candidates),
        "n_boot": int(n_boot),
        "level": float(level),
        "metric": metric,
        "grids": {n: dict(grids or {}).get(n, DEFAULT_GRIDS.get(n, {})) for n in names},
        "n_train": len(train),
        "n_test": len(test),
        "seconds": time.perf_counter() - t0,
    }
    slim = {n: dataclasses.replace(r, model=None) for n, r in results.items()}
    return Comparison(
        table=table,
        paired=pd.DataFrame(paired),
        tuned=slim,
        best=best,
        skipped=skipped,
        per_user=per_user,
        meta=meta,
    )


def comparison_protocol(meta: Mapping[str, Any]) -> str:
    """The protocol of a ``Comparison`` in plain sentences (for captions and the CLI)."""
    k = meta.get("k", 10)
    if meta.get("split", "random") == "random":
        split = (
            f"per-viewer random holdout of {meta.get('test_frac', 0.2):.0%} of each viewer's "
            f"titles (split_holdout, test_frac={meta.get('test_frac', 0.2)}, "
            f"seed={meta.get('seed', 0)})"
        )
        val = (
            f"validation: the same holdout of {meta.get('val_frac', 0.2):.0%} applied to the "
            "training part only"
        )
    else:
        split = "leave-last-out: each viewer's latest title held out (split_leave_last_out)"
        val = "validation: each viewer's latest title of the training part"
    n = meta.get("n_users")
    cand = meta.get("n_candidates")
    sample = (
        f"{n:,} viewers (seeded random sample of {cand:,})"
        if n is not None and cand is not None and n < cand
        else f"{n:,} viewers"
        if n is not None
        else "the viewers"
    )
    return (
        f"Test split: {split}; {val}, where each model's hyper-parameters are chosen on "
        f"{meta.get('metric', 'ndcg').upper()}@{k} (the test split is never used to tune or "
        f"choose). Scored on {sample} with at least {meta.get('min_titles', 1)} titles and "
        f"titles in both parts; top-{k} lists of titles unseen in training; every held-out "
        f"title is relevant. Intervals: {meta.get('level', 0.95):.0%} percentile bootstrap "
        f"over viewers ({meta.get('n_boot', 1000):,} resamples, seed {meta.get('seed', 0)}; "
        "coverage: estimate +- z x bootstrap std); differences are paired (the same "
        "resampled viewers for both models)."
    )
