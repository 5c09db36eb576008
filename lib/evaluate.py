"""Offline evaluation of recommenders: a holdout split, ranking metrics, model comparison.

Metric functions share one signature (in the style of Microsoft Recommenders'
``python_evaluation.py``)::

    metric(reference, recs, *, k=10, col_user="user_id", col_item="title_id", ...) -> float

``reference`` is the held-out ``test`` interactions for the accuracy metrics and the
``train`` interactions for the beyond-accuracy ones; ``recs`` is a long frame with one row per
(user, recommended title), in rank order within each user (or with a ``rank`` column), as
``recommend()`` returns per user. See ``PROTOCOL`` for the whole procedure.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lib.recommend import COL_SCORE, COL_TITLE, COL_USER, ContentKNN, Hybrid, parse_list

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
    """Long frame ``user_id, title_id, score, rank`` (rank from 1) of ``model.recommend``."""
    users = pd.Index(list(users)) if not isinstance(users, pd.Index) else users
    titles, scores, counts = [], [], []
    for user in users:
        recs = model.recommend(user, k=k, exclude_seen=exclude_seen)
        titles.append(recs[COL_TITLE])
        scores.append(recs[COL_SCORE].to_numpy(dtype=np.float64))
        counts.append(len(recs))
    counts_arr = np.asarray(counts, dtype=np.int64)
    return pd.DataFrame(
        {
            COL_USER: users.repeat(counts_arr) if len(users) else pd.Index([]),
            COL_TITLE: pd.concat(titles, ignore_index=True) if titles else np.array([]),
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
    hits = top.merge(rel, on=[col_user, col_item], how="inner")
    hits = hits.loc[hits[col_user].isin(n_rel.index)]
    return hits, n_rel


def precision_at_k(
    truth: pd.DataFrame,
    recs: pd.DataFrame,
    *,
    k: int = 10,
    col_user: str = COL_USER,
    col_item: str = COL_TITLE,
) -> float:
    """Mean over ``truth`` users of hits in the top ``k`` / ``k``."""
    hits, n_rel = _hits(truth, recs, k, col_user, col_item)
    if len(n_rel) == 0:
        return float("nan")
    per_user = hits.groupby(col_user).size().reindex(n_rel.index, fill_value=0)
    return float((per_user / k).mean())


def recall_at_k(
    truth: pd.DataFrame,
    recs: pd.DataFrame,
    *,
    k: int = 10,
    col_user: str = COL_USER,
    col_item: str = COL_TITLE,
) -> float:
    """Mean over ``truth`` users of hits in the top ``k`` / number of relevant titles."""
    hits, n_rel = _hits(truth, recs, k, col_user, col_item)
    if len(n_rel) == 0:
        return float("nan")
    per_user = hits.groupby(col_user).size().reindex(n_rel.index, fill_value=0)
    return float((per_user / n_rel).mean())


def ndcg_at_k(
    truth: pd.DataFrame,
    recs: pd.DataFrame,
    *,
    k: int = 10,
    col_user: str = COL_USER,
    col_item: str = COL_TITLE,
) -> float:
    """Mean over ``truth`` users of binary-gain NDCG@k (gain ``1 / log2(rank + 1)``)."""
    hits, n_rel = _hits(truth, recs, k, col_user, col_item)
    if len(n_rel) == 0:
        return float("nan")
    gains = 1.0 / np.log2(hits[COL_RANK].to_numpy(dtype=np.float64) + 1.0)
    dcg = pd.Series(gains, index=hits[col_user].to_numpy()).groupby(level=0).sum()
    dcg = dcg.reindex(n_rel.index, fill_value=0.0)
    ideal_cum = np.cumsum(1.0 / np.log2(np.arange(2, k + 2)))
    idcg = ideal_cum[np.minimum(n_rel.to_numpy(), k) - 1]
    return float((dcg.to_numpy() / idcg).mean())


def map_at_k(
    truth: pd.DataFrame,
    recs: pd.DataFrame,
    *,
    k: int = 10,
    col_user: str = COL_USER,
    col_item: str = COL_TITLE,
) -> float:
    """Mean over ``truth`` users of AP@k = sum(precision@rank at hits) / min(|relevant|, k)."""
    hits, n_rel = _hits(truth, recs, k, col_user, col_item)
    if len(n_rel) == 0:
        return float("nan")
    hits = hits.sort_values([col_user, COL_RANK], kind="stable")
    nth_hit = hits.groupby(col_user, sort=False).cumcount() + 1
    prec = nth_hit.to_numpy() / hits[COL_RANK].to_numpy()
    ap = pd.Series(prec, index=hits[col_user].to_numpy()).groupby(level=0).sum()
    ap = ap.reindex(n_rel.index, fill_value=0.0) / np.minimum(n_rel, k)
    return float(ap.mean())


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


def novelty(
    train: pd.DataFrame,
    recs: pd.DataFrame,
    *,
    k: int = 10,
    col_user: str = COL_USER,
    col_item: str = COL_TITLE,
) -> float:
    """Mean ``-log2(p)`` over recommended pairs, p = share of train users who had the title."""
    top = _ranked(recs, k, col_user)
    n_users = train[col_user].nunique()
    if len(top) == 0 or n_users == 0:
        return float("nan")
    viewers = train[[col_user, col_item]].drop_duplicates().groupby(col_item).size()
    count = top[col_item].map(viewers).fillna(0).to_numpy(dtype=np.float64)
    p = np.maximum(count, 1.0) / n_users
    return float(np.mean(-np.log2(p)))


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
    top = _ranked(recs, k, col_user)
    pos = content.titles_.positions(top[col_item].to_numpy())
    keep = pos >= 0
    if not keep.any():
        return float("nan")
    users = pd.factorize(top[col_user].to_numpy()[keep])[0]
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
    if not ok.any():
        return float("nan")
    mean_sim = (total[ok] - self_dot[ok]) / (m[ok] * (m[ok] - 1))
    return float(np.mean(1.0 - np.clip(mean_sim, 0.0, 1.0)))


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
    if col_genres not in titles.columns or not titles[col_genres].notna().any():
        return float("nan")
    genres = titles[[col_item, col_genres]].drop_duplicates(col_item)
    lists = genres[col_genres].map(lambda v: [g.casefold() for g in parse_list(v)])
    exploded = genres.assign(_g=lists).explode("_g")
    exploded = exploded.loc[exploded["_g"].notna(), [col_item, "_g"]]
    seen = train[[col_user, col_item]].drop_duplicates().merge(exploded, on=col_item)
    if seen.empty:
        return float("nan")
    counts = seen.groupby([col_user, "_g"]).size().rename("n").reset_index()
    counts = counts.sort_values([col_user, "n", "_g"], ascending=[True, False, True])
    top_genres = counts.groupby(col_user, sort=False).head(top_n)[[col_user, "_g"]]
    top = _ranked(recs, k, col_user)[[col_user, col_item]]
    top = top.loc[top[col_user].isin(top_genres[col_user])]
    if top.empty:
        return float("nan")
    matched = top.merge(exploded, on=col_item).merge(top_genres, on=[col_user, "_g"])
    matched = matched.drop_duplicates([col_user, col_item]).groupby(col_user).size()
    per_user = matched.reindex(top[col_user].unique(), fill_value=0)
    sizes = top.groupby(col_user).size().reindex(per_user.index)
    return float((per_user / sizes).mean())


# ------------------------------------------------------------------------------ end to end


def _eval_users(
    train: pd.DataFrame, test: pd.DataFrame, users: int | Sequence[Hashable] | None, seed: int
) -> list[Hashable]:
    candidates = pd.Index(pd.unique(test[COL_USER])).intersection(
        pd.Index(pd.unique(train[COL_USER])), sort=False
    )
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
