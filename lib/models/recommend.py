"""Recommenders: content TF-IDF kNN, item-item cosine kNN, EASE, RP3beta, popularity, random,
hybrid.

Every model is an estimator: options are keyword-only in ``__init__`` (the main
hyper-parameters of EASE and RP3beta may also be positional), ``fit`` returns ``self`` and
never mutates its input, fitted attributes end with ``_``. Results are DataFrames with the
columns ``title_id`` and ``score``, best first: unique, never the query, never NaN,
deterministic, ties broken by the title's position in the fitted catalog (catalogs are sorted
by id when the ids are sortable). Cosine scores (``ContentKNN``, ``ItemKNN``, ``Hybrid``) lie
in [0, 1]; ``EASE`` and ``RP3Beta`` scores are sums of learned weights, finite but unbounded.

How each interaction model uses ratings and weights (``value``):

* ``ItemKNN``: ``"auto"`` - ratings when at least half the rows have one, else engagement
  weights; title vectors binarised for implicit weights, weighted for ratings; a user's
  profile weighted by the values.
* ``EASE`` and ``RP3Beta``: ``"binary"`` - every interacted pair counts 1 (implicit feedback),
  unless ``value`` names a column.
* ``Popularity``: distinct users per title (``by="value"``: summed values).

Neighbour index
---------------
``ContentKNN`` and ``ItemKNN`` precompute, for every title, its ``index_k`` most similar titles
as a sparse CSR matrix, so ``similar()`` is a row lookup. No dense N x N matrix is ever built.
The index is exact (it equals a brute-force top-k over the full cosine row):

* row blocks of ``X @ X.T`` are computed as sparse products over the *rare* features only;
* features shared by many titles (document frequency above ``group_df``: genres, big
  countries) would make those products dense, so they are scored through *signature groups*:
  titles with identical common-feature vectors form one group, group-to-group scores are
  computed once per group, and each title only needs the best groups' first members (by
  catalog position) as extra candidates. A title outside the candidates is provably beaten by
  at least ``index_k + 1`` candidates, so the top-k is exact, ties included.

``similar(k > index_k)`` computes that one row exactly on the fly, with the same arithmetic.

Size (about 2,000 lines, over the project's ~700): the seven models share private plumbing
(``_Catalog``, ``_NeighborIndex``, ``_Base``, ``_CosineNeighbors``, ``_UserMixin``), and the
build's joblib artefacts pickle them under this module's path, so a split into a package must
keep every class importable here (and load old artefacts); it is left to its own change.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from lib.config import COL_TITLE, COL_USER, LIST_SEP

__all__ = [
    "COL_USER",
    "COL_TITLE",
    "COL_SCORE",
    "CONTENT_FIELDS",
    "DEFAULT_FIELD_WEIGHTS",
    "FIELD_ALIASES",
    "UnknownIdError",
    "ContentKNN",
    "ItemKNN",
    "Popularity",
    "RandomRecommender",
    "EASE",
    "RP3Beta",
    "EASE_MEMORY_BUDGET_GIB",
    "ItemLimitError",
    "Hybrid",
    "parse_list",
]

log = logging.getLogger(__name__)

COL_SCORE = "score"
COL_NAME = "title"

CONTENT_FIELDS: tuple[str, ...] = ("genres", "description", "cast", "director", "country")
LIST_FIELDS: tuple[str, ...] = ("genres", "cast", "director", "country")
DEFAULT_FIELD_WEIGHTS: dict[str, float] = {
    "genres": 1.0,
    "description": 1.0,
    "cast": 0.75,
    "director": 0.5,
    "country": 0.25,
}
# Column names tried, in order, for each content field (imported tables vary).
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "genres": ("genres", "genre", "listed_in", "genre_primary"),
    "description": ("description", "overview", "plot"),
    "cast": ("cast",),
    "director": ("director", "directors"),
    "country": ("country", "country_of_origin"),
}

_VALUE_BITS = 30  # bit patterns of non-negative float32 values <= 1.0 are below 2**30


class UnknownIdError(KeyError):
    """A ``title_id`` or ``user_id`` that the fitted model does not know (a ``KeyError``)."""

    def __init__(self, kind: str, value: Any, where: str = "fitted catalog") -> None:
        self.kind = kind
        self.value = value
        self.message = f"{kind} {value!r} is not in the {where}"
        super().__init__(self.message)

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return self.message


# --------------------------------------------------------------------------------- helpers


def parse_list(value: Any) -> list[str]:
    """Items of a multi-valued cell: a list/array, or a ``'|'``- or ``','``-separated string.

    A string holding ``'|'`` is split on ``'|'`` only (so ``"Robert Downey, Jr."`` survives in
    gold tables), else on ``','``. Missing values give ``[]``; items are stripped, empty ones
    dropped, duplicates (ignoring case) removed, first spelling kept.
    """
    if value is None:
        return []
    if isinstance(value, str):
        items: Iterable[Any] = value.split(LIST_SEP) if LIST_SEP in value else value.split(",")
    elif isinstance(value, (list, tuple, set, frozenset, np.ndarray, pd.Series)):
        items = list(value)
    else:
        try:
            if pd.isna(value):
                return []
        except (TypeError, ValueError):
            pass
        items = [value]
    out: list[str] = []
    seen: set[str] = set()
    for item in items:
        if item is None or (not isinstance(item, str) and pd.isna(item)):
            continue
        text = str(item).strip()
        key = text.casefold()
        if text and key not in seen:
            seen.add(key)
            out.append(text)
    return out


def _tokens(value: Any) -> list[str]:
    return [item.casefold() for item in parse_list(value)]


def _identity(tokens: list[str]) -> list[str]:
    """Analyzer for pre-tokenised list fields (module level so models stay picklable)."""
    return tokens


class _Catalog:
    """Ids <-> positions. Sorted by id when the ids are sortable, else first appearance."""

    def __init__(self, values: pd.Series | Sequence[Any], kind: str, where: str) -> None:
        index = pd.Index(pd.unique(pd.Series(values)))
        try:
            index = index.sort_values()
        except TypeError:
            pass
        self.ids = index
        self.kind = kind
        self.where = where
        self._pos = {v: i for i, v in enumerate(index.tolist())}

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, value: Any) -> bool:
        try:
            return value in self._pos
        except TypeError:
            return False

    def pos(self, value: Any) -> int:
        try:
            return self._pos[value]
        except (KeyError, TypeError):
            raise UnknownIdError(self.kind, value, self.where) from None

    def positions(self, values: Iterable[Any]) -> np.ndarray:
        """Positions of ``values`` (``-1`` for unknown ones)."""
        values = (
            list(values) if not isinstance(values, (pd.Series, pd.Index, np.ndarray)) else values
        )
        if len(values) == 0:
            return np.zeros(0, dtype=np.int64)
        return np.asarray(self.ids.get_indexer(values), dtype=np.int64)


def _py(value: Any) -> Any:
    """Plain Python value for explanation dicts (numpy scalars -> int/float/str)."""
    return value.item() if isinstance(value, np.generic) else value


def _frame(ids: pd.Index, idx: np.ndarray, scores: np.ndarray, clip: bool = True) -> pd.DataFrame:
    """Result frame: ``title_id`` in the catalog's dtype, ``score`` as float64.

    Cosine-based scores are clipped to [-1, 1] (``clip``); EASE and RP3beta scores are not.
    """
    values = np.asarray(scores, dtype=np.float64)
    return pd.DataFrame(
        {
            COL_TITLE: ids.array.take(np.asarray(idx, dtype=np.int64)),
            COL_SCORE: np.clip(values, -1.0, 1.0) if clip else values,
        },
        copy=False,
    )


def _top_dense(scores: np.ndarray, k: int, exclude: np.ndarray | None = None) -> np.ndarray:
    """Positions of the ``k`` largest positive ``scores``: score desc, then position asc."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    keep = scores > 0
    if exclude is not None and len(exclude):
        keep[exclude] = False
    cand = np.flatnonzero(keep)
    if len(cand) > k:
        vals = scores[cand]
        kth = np.partition(vals, len(vals) - k)[len(vals) - k]
        cand = cand[vals >= kth]
    order = np.lexsort((cand, -scores[cand]))[:k]
    return cand[order]


def _sorted_topk(
    rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, k: int, n_cols: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort triplets by (row asc, value desc, col asc) and keep the first ``k`` per row.

    ``vals`` must be float32 in (0, 1]. Uses one int64 sort of packed keys when they fit.
    """
    if len(rows) == 0:
        return rows, cols, vals
    cbits = max(int(n_cols - 1).bit_length(), 1)
    rbits = max(int(rows.max()).bit_length(), 1)
    if rbits + _VALUE_BITS + cbits <= 63:
        vbits = vals.view(np.int32).astype(np.int64)
        key = rows.astype(np.int64) << (_VALUE_BITS + cbits)
        key |= ((1 << _VALUE_BITS) - 1 - vbits) << cbits
        key |= cols.astype(np.int64)
        key.sort()
        rows = key >> (_VALUE_BITS + cbits)
        cols = key & ((1 << cbits) - 1)
        vbits = (1 << _VALUE_BITS) - 1 - ((key >> cbits) & ((1 << _VALUE_BITS) - 1))
        vals = vbits.astype(np.int32).view(np.float32)
    else:  # pragma: no cover - only for catalogs of more than ~4 million titles
        order = np.lexsort((cols, -vals, rows))
        rows, cols, vals = rows[order], cols[order], vals[order]
    start = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    rank = np.arange(len(rows)) - np.repeat(start, np.diff(np.r_[start, len(rows)]))
    keep = rank < k
    return rows[keep], cols[keep], vals[keep]


def _dedup_max(
    rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n_cols: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One triplet per (row, col): the one with the largest value (float32 in (0, 1])."""
    if len(rows) == 0:
        return rows, cols, vals
    cbits = max(int(n_cols - 1).bit_length(), 1)
    rbits = max(int(rows.max()).bit_length(), 1)
    if rbits + cbits + _VALUE_BITS <= 63:
        vbits = vals.view(np.int32).astype(np.int64)
        key = rows.astype(np.int64) << (cbits + _VALUE_BITS)
        key |= cols.astype(np.int64) << _VALUE_BITS
        key |= (1 << _VALUE_BITS) - 1 - vbits
        key.sort()
        pair = key >> _VALUE_BITS
        first = np.r_[True, pair[1:] != pair[:-1]]
        key = key[first]
        rows = (key >> (cbits + _VALUE_BITS)).astype(np.int32)
        cols = ((key >> _VALUE_BITS) & ((1 << cbits) - 1)).astype(np.int32)
        vbits = (1 << _VALUE_BITS) - 1 - (key & ((1 << _VALUE_BITS) - 1))
        return rows, cols, vbits.astype(np.int32).view(np.float32)
    order = np.lexsort((-vals, cols, rows))  # pragma: no cover - huge catalogs only
    rows, cols, vals = rows[order], cols[order], vals[order]
    first = np.r_[True, (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])]
    return rows[first], cols[first], vals[first]


# ------------------------------------------------------------------------- neighbour index


class _NeighborIndex:
    """Exact top-k cosine neighbours of the rows of ``light | heavy`` (see module docstring).

    ``light`` and ``heavy`` are the rare and the common feature columns of l2-normalised rows
    (``heavy`` may be None). Scores are float32 ``light_part + group_part``, clipped to 1.
    """

    def __init__(self, light: sp.csr_matrix, heavy: sp.csr_matrix | None, k: int) -> None:
        self.n = light.shape[0]
        self.k = int(k)
        self.light = sp.csr_matrix(light, dtype=np.float32)
        self.light.sort_indices()
        self.light_t = self.light.T.tocsr()
        self.light_t.sort_indices()
        self.grp: np.ndarray | None = None
        if heavy is not None and heavy.shape[1] and heavy.nnz:
            self._init_groups(sp.csr_matrix(heavy, dtype=np.float32))

    def _init_groups(self, heavy: sp.csr_matrix) -> None:
        heavy.sort_indices()
        ptr, ind, dat = heavy.indptr, heavy.indices, heavy.data
        uniq: dict[bytes, int] = {}
        keys = (ind[s:e].tobytes() + dat[s:e].tobytes() for s, e in zip(ptr[:-1], ptr[1:]))
        grp = np.fromiter((uniq.setdefault(key, len(uniq)) for key in keys), np.int64, self.n)
        n_groups = len(uniq)
        first = np.zeros(n_groups, dtype=np.int64)
        first[grp[::-1]] = np.arange(self.n)[::-1]
        self.groups = sp.csr_matrix(heavy[first])  # one signature row per group
        self.groups_t = np.ascontiguousarray(self.groups.toarray().T)  # features x groups
        self.grp = grp
        self._grp32 = grp.astype(np.int32)
        self.n_groups = n_groups
        self.order = np.argsort(grp, kind="stable")  # titles by (group, position)
        self.sizes = np.bincount(grp, minlength=n_groups)
        # first m members of each group (by position), as a ragged array
        m = self.k + 2
        starts = np.r_[0, np.cumsum(self.sizes)[:-1]]
        rank = np.arange(self.n) - np.repeat(starts, self.sizes)
        take = rank < m
        self.mem_idx = self.order[take]
        self.mem_ptr = np.r_[0, np.cumsum(np.minimum(self.sizes, m))]

    # -- scoring ------------------------------------------------------------------------
    def _group_scores(self, groups: np.ndarray) -> np.ndarray:
        """float32 scores of signature groups ``groups`` against every group (|groups| x G)."""
        out = np.asarray(self.groups[groups] @ self.groups_t, dtype=np.float32)
        return np.minimum(out, np.float32(1.0), out=out)

    def row(self, i: int) -> np.ndarray:
        """Exact float32 similarity of title ``i`` to every title (self included), clipped."""
        light = self.light[i] @ self.light_t
        if self.grp is not None:
            s = self._group_scores(np.array([self.grp[i]]))[0]
            full = s[self.grp]
            full[light.indices] = np.minimum(light.data + s[self.grp[light.indices]], 1.0)
        else:
            full = np.zeros(self.n, dtype=np.float32)
            full[light.indices] = np.minimum(light.data, 1.0)
        return full

    def top_row(self, i: int, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Exact top-``k`` neighbours of ``i`` (positions, float32 scores), never ``i``."""
        full = self.row(i)
        idx = _top_dense(full, k, exclude=np.array([i]))
        return idx, full[idx]

    # -- build --------------------------------------------------------------------------
    def build(self, *, block_rows: int = 2000) -> sp.csr_matrix:
        """The top-k index as an n x n CSR matrix, rows sorted best first."""
        t0 = time.perf_counter()
        block_rows = max(1, min(int(block_rows), 2047))
        order = self.order if self.grp is not None else np.arange(self.n)
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for block in self._blocks(order, block_rows):
            rows, cols, vals = self._block(block)
            parts.append((block[rows].astype(np.int32), cols.astype(np.int32), vals))
        if parts:
            rows = np.concatenate([p[0] for p in parts])
            cols = np.concatenate([p[1] for p in parts])
            vals = np.concatenate([p[2] for p in parts])
        else:
            rows = cols = np.zeros(0, dtype=np.int32)
            vals = np.zeros(0, dtype=np.float32)
        if self.grp is not None:  # blocks followed group order: back to row order
            o = np.argsort(rows, kind="stable")
            rows, cols, vals = rows[o], cols[o], vals[o]
        indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=self.n))].astype(np.int64)
        index = sp.csr_matrix((vals, cols, indptr), shape=(self.n, self.n))
        log.debug(
            "neighbour index: %d rows, k=%d, %d groups, %.2fs",
            self.n,
            self.k,
            getattr(self, "n_groups", 0),
            time.perf_counter() - t0,
        )
        return index

    def _blocks(self, order: np.ndarray, block_rows: int) -> Iterable[np.ndarray]:
        """Blocks of titles; with groups, also at most ~2e7 / G distinct groups per block."""
        if self.grp is None:
            for s in range(0, self.n, block_rows):
                yield order[s : s + block_rows]
            return
        max_groups = max(1, int(2e7) // max(self.n_groups, 1))
        g_sorted = self.grp[order]
        s = 0
        while s < self.n:
            e = min(self.n, s + block_rows)
            first_g = g_sorted[s]
            if g_sorted[e - 1] - first_g >= max_groups:  # groups are contiguous in `order`
                e = s + int(np.searchsorted(g_sorted[s:e], first_g + max_groups))
            yield order[s:e]
            s = e

    def _select_groups(
        self, S: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Best groups per query group until >= k + 2 (capped) members; ties included.

        Returns kept (query row, group, score) sorted by query row, and theta per query row:
        the lowest kept score when the kept groups hold >= k + 2 members (else 0).
        """
        m = self.k + 2
        n_q, n_g = S.shape
        if n_g > m:
            thr = np.partition(S, n_g - m, axis=1)[:, n_g - m]
            qr, qg = np.nonzero((S >= thr[:, None]) & (S > 0))
        else:
            qr, qg = np.nonzero(S > 0)
        qs = S[qr, qg]
        o = np.lexsort((-qs, qr))
        qr, qg, qs = qr[o], qg[o], qs[o]
        theta = np.zeros(n_q, dtype=np.float32)
        if len(qr) == 0:
            return qr, qg, qs, theta
        cap = np.minimum(self.sizes[qg], m)
        csum = np.cumsum(cap)
        start = np.flatnonzero(np.r_[True, qr[1:] != qr[:-1]])
        count = np.diff(np.r_[start, len(qr)])
        before = csum - cap - np.repeat(csum[start] - cap[start], count)
        keep = before < m
        total = np.bincount(qr[keep], weights=cap[keep], minlength=n_q)
        tmin = np.full(n_q, np.inf, dtype=np.float32)
        np.minimum.at(tmin, qr[keep], qs[keep])
        keep |= qs >= tmin[qr]
        theta = np.where(total >= m, tmin, 0).astype(np.float32)
        return qr[keep], qg[keep], qs[keep], theta

    def _block(self, block: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        b, k = len(block), self.k
        light = self.light[block] @ self.light_t
        counts = np.diff(light.indptr)
        lc, lv = light.indices, light.data
        np.minimum(lv, np.float32(1.0), out=lv)
        if self.grp is None:
            lr = np.repeat(np.arange(b, dtype=np.int32), counts)
            keep = lc != block[lr]
            return _sorted_topk(lr[keep], lc[keep], lv[keep], k, self.n)
        q_groups, qpos = np.unique(self.grp[block], return_inverse=True)
        S = self._group_scores(q_groups)
        kq, kg, ks, theta_q = self._select_groups(S)
        # full score of every rare-feature pair (light part + group part) and the theta filter,
        # one query group at a time: the block is in group order, so each group's pairs are a
        # contiguous slice of the product
        row_end = np.flatnonzero(np.r_[qpos[1:] != qpos[:-1], True]) + 1
        row_start = np.r_[0, row_end[:-1]]
        keep_parts = []
        for r0, r1 in zip(row_start.tolist(), row_end.tolist()):
            e0, e1 = light.indptr[r0], light.indptr[r1]
            if e0 == e1:
                continue
            q = qpos[r0]
            seg = lv[e0:e1]
            seg += S[q].take(self._grp32[lc[e0:e1]])
            np.minimum(seg, np.float32(1.0), out=seg)
            keep_parts.append(np.flatnonzero(seg >= theta_q[q]) + e0)
        keep = np.concatenate(keep_parts) if keep_parts else np.zeros(0, dtype=np.int64)
        lr = (np.searchsorted(light.indptr, keep, side="right") - 1).astype(np.int32)
        lc, lv = lc[keep], lv[keep]
        # group candidates: the first members of each kept group of the title's query group
        q_start = np.searchsorted(kq, np.arange(len(q_groups)))
        q_count = np.searchsorted(kq, np.arange(len(q_groups)), side="right") - q_start
        per_title = q_count[qpos]
        t_rows = np.repeat(np.arange(b, dtype=np.int32), per_title)
        sel = np.repeat(q_start[qpos] - np.r_[0, np.cumsum(per_title)[:-1]], per_title)
        sel += np.arange(len(t_rows))
        grp_sel, score_sel = kg[sel], ks[sel]
        n_mem = self.mem_ptr[grp_sel + 1] - self.mem_ptr[grp_sel]
        gr = np.repeat(t_rows, n_mem)
        pos = np.repeat(self.mem_ptr[grp_sel] - np.r_[0, np.cumsum(n_mem)[:-1]], n_mem)
        gc = self.mem_idx[pos + np.arange(len(gr))].astype(np.int32)
        gv = np.repeat(score_sel, n_mem)
        rows = np.concatenate([lr, gr])
        cols = np.concatenate([lc, gc])
        vals = np.concatenate([lv, gv])
        not_self = cols != block[rows]
        rows, cols, vals = rows[not_self], cols[not_self], vals[not_self]
        # a rare-feature candidate may also be a group member: keep its full score
        rows, cols, vals = _dedup_max(rows, cols, vals, self.n)
        return _sorted_topk(rows, cols, vals, k, self.n)


# ------------------------------------------------------------------------------ base class


class _Base:
    """Shared plumbing: repr, fitted checks, result frames."""

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({params})"

    def _params(self) -> dict[str, Any]:
        return {}

    def _check_fitted(self) -> None:
        if not hasattr(self, "titles_"):
            raise RuntimeError(f"{type(self).__name__} is not fitted: call fit() first")

    @property
    def title_ids_(self) -> pd.Index:
        """Fitted catalog ids, in catalog order (the tie-break order)."""
        self._check_fitted()
        return self.titles_.ids

    def __contains__(self, title_id: Hashable) -> bool:
        return hasattr(self, "titles_") and title_id in self.titles_

    def _pos(self, title_id: Hashable) -> int:
        """Catalog position of a fitted title (``UnknownIdError`` when it is not one)."""
        self._check_fitted()
        return self.titles_.pos(title_id)


def _user_matrix(
    interactions: pd.DataFrame, value: str
) -> tuple[_Catalog, _Catalog, sp.csr_matrix, str]:
    """Users x titles CSR of interaction values, one stored entry per interacted pair.

    ``value``: ``"auto"``, ``"binary"`` or a column name. ``"auto"`` takes ``rating`` when at
    least half the rows have one (explicit feedback, e.g. MovieLens), else ``weight`` when
    present, else ``rating`` when present, else 1. Missing values become the column's mean,
    negative values 0 (the pair stays stored, so it still counts as seen); duplicated pairs
    are summed.
    """
    for col in (COL_USER, COL_TITLE):
        if col not in interactions.columns:
            raise ValueError(f"interactions need a {col!r} column (got {list(interactions)})")

    def present(col: str) -> float:
        if col not in interactions.columns or len(interactions) == 0:
            return 0.0
        return float(pd.to_numeric(interactions[col], errors="coerce").notna().mean())

    used = "binary"
    if value == "auto":
        if present("rating") >= 0.5:
            used = "rating"
        elif present("weight") > 0:
            used = "weight"
        elif present("rating") > 0:
            used = "rating"
    elif value != "binary":
        if value not in interactions.columns:
            raise ValueError(f"value column {value!r} is not in interactions")
        used = value
    if used == "binary":
        vals = np.ones(len(interactions))
    else:
        col = pd.to_numeric(interactions[used], errors="coerce").astype("float64")
        fill = float(col.mean()) if col.notna().any() else 1.0
        vals = np.clip(col.fillna(fill).to_numpy(dtype=np.float64), 0.0, None)
    user_col, title_col = interactions[COL_USER], interactions[COL_TITLE]
    ok = (user_col.notna() & title_col.notna()).to_numpy()
    if not ok.all():
        log.warning("dropping %d interactions with a missing user_id or title_id", (~ok).sum())
        user_col, title_col, vals = user_col[ok], title_col[ok], vals[ok]
    if len(vals) == 0:
        raise ValueError("interactions are empty: nothing to fit")
    users = _Catalog(user_col, "user_id", "fitted interactions")
    titles = _Catalog(title_col, "title_id", "fitted interactions")
    u = users.positions(user_col.to_numpy())
    t = titles.positions(title_col.to_numpy())
    pair = u * len(titles) + t
    uniq, inverse = np.unique(pair, return_inverse=True)
    summed = np.bincount(inverse, weights=vals, minlength=len(uniq))
    rows = uniq // len(titles)
    indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=len(users)))]
    matrix = sp.csr_matrix(
        (summed, (uniq % len(titles)).astype(np.int32), indptr),
        shape=(len(users), len(titles)),
    )
    return users, titles, matrix, used


class _CosineNeighbors:
    """Title-title queries of a model with a cosine ``_NeighborIndex`` (``ContentKNN``,
    ``ItemKNN``): ``self._index`` computes rows on demand, ``self.index_`` (CSR, may be None)
    holds each title's precomputed best ``_index.k`` neighbours."""

    _index: _NeighborIndex
    index_: sp.csr_matrix | None

    def _similar_idx(self, i: int, k: int) -> tuple[np.ndarray, np.ndarray]:
        if self.index_ is not None and k <= self._index.k:
            s, e = self.index_.indptr[i], self.index_.indptr[i + 1]
            e = min(e, s + k)
            return self.index_.indices[s:e].astype(np.int64), self.index_.data[s:e]
        return self._index.top_row(i, k)

    def similar(self, title_id: Hashable, k: int = 10) -> pd.DataFrame:
        """The ``k`` most similar titles (cosine), best first; titles sharing nothing omitted."""
        idx, scores = self._similar_idx(self._pos(title_id), int(k))
        return _frame(self.titles_.ids, idx, scores)

    def similarity(self, title_a: Hashable, title_b: Hashable) -> float:
        """Cosine similarity of two titles (symmetric; 1.0 for a title with itself)."""
        a, b = self._pos(title_a), self._pos(title_b)
        return float(self._index.row(a)[b])


class _UserMixin:
    """User lookups shared by the interaction-based models (needs ``users_``, ``values_``).

    ``values_`` stores one entry per interacted (user, title) pair, zeros included.
    """

    def _user(self, user_id: Hashable) -> int:
        self._check_fitted()  # type: ignore[attr-defined]
        return self.users_.pos(user_id)

    def _history(self, u: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the titles user ``u`` interacted with and their values."""
        s, e = self.values_.indptr[u], self.values_.indptr[u + 1]
        return self.values_.indices[s:e].astype(np.int64), self.values_.data[s:e]

    @property
    def user_ids_(self) -> pd.Index:
        """Fitted user ids."""
        self._check_fitted()  # type: ignore[attr-defined]
        return self.users_.ids

    def history(self, user_id: Hashable) -> pd.DataFrame:
        """The user's fitted interactions: ``title_id`` and ``value``, largest value first."""
        idx, vals = self._history(self._user(user_id))
        order = np.lexsort((idx, -vals))
        ids = self.titles_.ids.take(idx[order])  # type: ignore[attr-defined]
        return pd.DataFrame({COL_TITLE: ids, "value": vals[order]})


# ------------------------------------------------------------------------------ popularity


class Popularity(_UserMixin, _Base):
    """Most-interacted titles: score = share of fitted users who interacted with the title.

    Parameters
    ----------
    by : {"users", "value"}
        Rank by distinct users (default) or by the summed interaction value.
    """

    def __init__(self, *, by: str = "users") -> None:
        self.by = by

    def _params(self) -> dict[str, Any]:
        return {"by": self.by}

    def fit(self, interactions: pd.DataFrame) -> Popularity:
        """Count users per title. ``interactions`` needs ``user_id`` and ``title_id``."""
        return self._fit_matrix(*_user_matrix(interactions, "auto")[:3])

    def _fit_matrix(self, users: _Catalog, titles: _Catalog, values: sp.csr_matrix) -> Popularity:
        if self.by not in ("users", "value"):
            raise ValueError(f"by must be 'users' or 'value', got {self.by!r}")
        self.users_, self.titles_, self.values_ = users, titles, values
        self.counts_ = np.bincount(values.indices, minlength=len(titles)).astype(np.int64)
        share = self.counts_ / max(len(users), 1)
        total = np.bincount(values.indices, weights=values.data, minlength=len(titles))
        if self.by == "value" and total.max() > 0:
            self.scores_ = total / total.max()
        else:
            self.scores_ = share
        self.order_ = np.lexsort((np.arange(len(titles)), -self.scores_))
        return self

    def _ranked(self, k: int, exclude: np.ndarray | None = None) -> np.ndarray:
        order = self.order_
        if exclude is not None and len(exclude):
            order = order[~np.isin(order, exclude)]
        return order[: max(int(k), 0)]

    def recommend(self, user_id: Hashable, k: int = 10, exclude_seen: bool = True) -> pd.DataFrame:
        """The ``k`` most popular titles (not yet seen by the user when ``exclude_seen``)."""
        idx, scores = self._recommend_arrays(user_id, int(k), exclude_seen)
        return _frame(self.titles_.ids, idx, scores, clip=False)

    def _recommend_arrays(
        self, user_id: Hashable, k: int, exclude_seen: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions in ``title_ids_`` and final scores of ``recommend``."""
        u = self._user(user_id)
        seen = self._history(u)[0] if exclude_seen else None
        idx = self._ranked(k, seen)
        return idx, np.clip(self.scores_[idx], -1.0, 1.0)

    def similar(self, title_id: Hashable, k: int = 10) -> pd.DataFrame:
        """Baseline "similar" list: the most popular other titles."""
        self._check_fitted()
        idx = self._ranked(k, np.array([self.titles_.pos(title_id)]))
        return _frame(self.titles_.ids, idx, self.scores_[idx])

    def explain_recommendation(self, user_id: Hashable, title_id: Hashable) -> dict[str, Any]:
        """Why a title is recommended: how many fitted users interacted with it."""
        self._user(user_id)
        i = self.titles_.pos(title_id)
        n = int(self.counts_[i])
        return {
            "user_id": user_id,
            "title_id": title_id,
            "score": float(self.scores_[i]),
            "viewers": n,
            "summary": f"Popular: {n} of {len(self.users_)} viewers watched it.",
        }


class RandomRecommender(_UserMixin, _Base):
    """Uniformly random unseen titles: the floor any real model must beat.

    The list for a user depends only on ``seed`` and the user's position, not on call order.
    """

    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed

    def _params(self) -> dict[str, Any]:
        return {"seed": self.seed}

    def fit(self, interactions: pd.DataFrame) -> RandomRecommender:
        """Remember the catalog and each user's seen titles."""
        self.users_, self.titles_, self.values_, _ = _user_matrix(interactions, "auto")
        return self

    def recommend(self, user_id: Hashable, k: int = 10, exclude_seen: bool = True) -> pd.DataFrame:
        """``k`` random titles with random scores in [0, 1), sorted by score."""
        idx, scores = self._recommend_arrays(user_id, int(k), exclude_seen)
        return _frame(self.titles_.ids, idx, scores, clip=False)

    def _recommend_arrays(
        self, user_id: Hashable, k: int, exclude_seen: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions in ``title_ids_`` and final scores of ``recommend``."""
        u = self._user(user_id)
        rng = np.random.default_rng([int(self.seed), u])
        scores = rng.random(len(self.titles_)) + 1e-12
        exclude = self._history(u)[0] if exclude_seen else None
        idx = _top_dense(scores, int(k), exclude)
        return idx, np.clip(scores[idx], -1.0, 1.0)

    def similar(self, title_id: Hashable, k: int = 10) -> pd.DataFrame:
        """Baseline "similar" list: random other titles (fixed per ``seed`` and title)."""
        self._check_fitted()
        i = self.titles_.pos(title_id)
        rng = np.random.default_rng([int(self.seed), i, 1])
        scores = rng.random(len(self.titles_)) + 1e-12
        idx = _top_dense(scores, int(k), np.array([i]))
        return _frame(self.titles_.ids, idx, scores[idx])

    def explain_recommendation(self, user_id: Hashable, title_id: Hashable) -> dict[str, Any]:
        """Random picks have no reason."""
        self._user(user_id)
        self.titles_.pos(title_id)
        return {"user_id": user_id, "title_id": title_id, "summary": "Random pick (baseline)."}


# ------------------------------------------------------------------------------ content kNN


class ContentKNN(_CosineNeighbors, _Base):
    """Content-based kNN: cosine over weighted per-field TF-IDF vectors.

    Each field present in the titles table gets its own ``TfidfVectorizer``: ``description``
    as English words (stop words removed, sublinear tf), ``genres``/``cast``/``director``/
    ``country`` as whole names (``"Tom Hanks"`` is one token, case-insensitive). Each field's
    rows are l2-normalised, multiplied by the field weight, stacked, and rows renormalised, so
    a title missing a field is compared on the fields it has.

    Parameters
    ----------
    field_weights : mapping, optional
        Weight per field (defaults in ``DEFAULT_FIELD_WEIGHTS``); 0 drops a field.
    index_k : int
        Neighbours stored per title (``similar(k <= index_k)`` is a lookup; larger ``k`` is
        computed on the fly). 0 stores no index (every ``similar`` is computed).
    description_max_df : float
        Description terms found in more than ``max(50, description_max_df * n_titles)``
        descriptions are dropped like stop words (1.0 keeps all; slower on big catalogs).
    group_df : int, optional
        Document frequency above which a feature is scored through signature groups
        (default ``max(50, 1% of titles)``); only speed depends on it, never the result.
    block_rows : int
        Rows per block of the chunked index build.
    """

    def __init__(
        self,
        *,
        field_weights: Mapping[str, float] | None = None,
        index_k: int = 100,
        description_max_df: float = 0.01,
        group_df: int | None = None,
        block_rows: int = 2000,
    ) -> None:
        self.field_weights = field_weights
        self.index_k = index_k
        self.description_max_df = description_max_df
        self.group_df = group_df
        self.block_rows = block_rows

    def _params(self) -> dict[str, Any]:
        return {"field_weights": self.field_weights, "index_k": self.index_k}

    # -- fit ----------------------------------------------------------------------------
    def fit(self, titles: pd.DataFrame) -> ContentKNN:
        """Vectorise ``titles`` (``title_id`` + any content fields) and build the index."""
        t0 = time.perf_counter()
        if COL_TITLE not in titles.columns:
            raise ValueError(f"titles need a {COL_TITLE!r} column (got {list(titles)})")
        weights = dict(DEFAULT_FIELD_WEIGHTS)
        if self.field_weights is not None:
            unknown = set(self.field_weights) - set(CONTENT_FIELDS)
            if unknown:
                raise ValueError(f"unknown fields {sorted(unknown)}; use {CONTENT_FIELDS}")
            weights.update(self.field_weights)
        df = titles.loc[titles[COL_TITLE].notna()]
        if len(df) < len(titles):
            log.warning("dropping %d titles without a title_id", len(titles) - len(df))
        dup = df[COL_TITLE].duplicated()
        if dup.any():
            log.warning("keeping the first of %d duplicated title_ids", int(dup.sum()))
            df = df.loc[~dup]
        if df.empty:
            raise ValueError("titles are empty: nothing to fit")
        catalog = _Catalog(df[COL_TITLE].to_numpy(), "title_id", "fitted catalog")
        df = df.iloc[catalog.positions(df[COL_TITLE].tolist()).argsort(kind="stable")]
        n = len(df)
        blocks, fields, slices, terms, cols = [], [], {}, {}, {}
        offset = 0
        for field in CONTENT_FIELDS:
            w = float(weights.get(field, 0.0))
            col = _pick_column(df, field)
            if w <= 0 or col is None:
                continue
            mat, vocab = self._vectorize(field, df[col], n)
            if mat is None:
                continue
            blocks.append(normalize(mat) * w)
            fields.append(field)
            cols[field] = col
            slices[field] = slice(offset, offset + mat.shape[1])
            terms[field] = vocab
            offset += mat.shape[1]
        if blocks:
            X = sp.hstack(blocks, format="csr", dtype=np.float32)
        else:
            log.warning("titles have no usable content field %s: no similarities", CONTENT_FIELDS)
            X = sp.csr_matrix((n, 0), dtype=np.float32)
        X = (normalize(X) if X.shape[1] else X).astype(np.float32)
        X.sort_indices()
        self.titles_ = catalog
        self.fields_ = tuple(fields)
        self.columns_ = cols
        self.vectors_ = X
        self._slices = slices
        self._terms = terms
        keep = [COL_TITLE] + ([COL_NAME] if COL_NAME in df.columns else []) + list(cols.values())
        self._table = df[list(dict.fromkeys(keep))].reset_index(drop=True)
        dfreq = np.bincount(X.indices, minlength=X.shape[1])
        limit = self.group_df if self.group_df is not None else max(50, math.ceil(0.01 * n))
        heavy = dfreq > limit
        self.group_df_ = int(limit)
        self._index = _NeighborIndex(
            X[:, np.flatnonzero(~heavy)],
            X[:, np.flatnonzero(heavy)] if heavy.any() else None,
            max(int(self.index_k), 0),
        )
        self.index_ = self._index.build(block_rows=self.block_rows) if self.index_k > 0 else None
        log.info(
            "ContentKNN: %d titles, fields %s, %d features (%d common), %.2fs",
            n,
            self.fields_,
            X.shape[1],
            int(heavy.sum()),
            time.perf_counter() - t0,
        )
        return self

    def _vectorize(self, field: str, column: pd.Series, n: int) -> tuple[Any, np.ndarray]:
        try:
            if field == "description":
                text = column.astype("object").where(column.notna(), "").astype(str).tolist()
                cap = max(50, math.ceil(float(self.description_max_df) * n))
                vec = TfidfVectorizer(
                    stop_words="english",
                    sublinear_tf=True,
                    dtype=np.float32,
                    max_df=1.0 if self.description_max_df >= 1 else cap,
                )
                mat = vec.fit_transform(text)
            else:
                return _names_tfidf(column, n)
        except ValueError as exc:  # empty vocabulary: all missing, or only stop words
            log.info("field %r gives no features (%s)", field, exc)
            return None, np.array([])
        return mat.tocsr(), vec.get_feature_names_out()

    # -- queries ------------------------------------------------------------------------
    def profile_scores(
        self, title_ids: Sequence[Hashable], weights: Sequence[float] | None = None
    ) -> np.ndarray:
        """Cosine of every catalog title with the (weighted) mean vector of ``title_ids``.

        Unknown ids are ignored; returns zeros when none is known. Aligned with
        ``title_ids_``. Used by ``Hybrid`` for content-based user profiles.
        """
        self._check_fitted()
        pos = self.titles_.positions(title_ids)
        w = np.ones(len(pos)) if weights is None else np.asarray(weights, dtype=np.float64)
        ok = (pos >= 0) & (w > 0)
        return self._profile(pos[ok], w[ok])

    def _profile(self, pos: np.ndarray, w: np.ndarray) -> np.ndarray:
        if len(pos) == 0:
            return np.zeros(len(self.titles_))
        profile = np.asarray(self.vectors_[pos].T @ w).ravel()
        norm = np.linalg.norm(profile)
        if norm == 0:
            return np.zeros(len(self.titles_))
        scores = np.asarray(self.vectors_ @ (profile / norm)).ravel()
        return np.clip(scores, 0.0, 1.0)

    # -- explanations -------------------------------------------------------------------
    def name(self, title_id: Hashable) -> str:
        """Display name of a title (its ``title`` column, else the id as text)."""
        i = self._pos(title_id)
        if COL_NAME in self._table.columns:
            value = self._table.at[i, COL_NAME]
            if isinstance(value, str) and value.strip():
                return value
        return str(title_id)

    def explain(
        self, query_title_id: Hashable, result_title_id: Hashable, *, n_terms: int = 5
    ) -> dict[str, Any]:
        """Why two titles are similar: shared genres, people, countries, description terms.

        Returns a plain dict: ``score``, ``shared_genres``, ``shared_cast``,
        ``shared_director``, ``shared_people`` (cast + director), ``shared_country``,
        ``shared_terms`` (top description terms by TF-IDF product) and a one-line ``summary``.
        """
        a, b = self._pos(query_title_id), self._pos(result_title_id)
        out: dict[str, Any] = {
            "query": query_title_id,
            "result": result_title_id,
            "score": float(self._index.row(a)[b]) if a != b else 1.0,
        }
        for field in LIST_FIELDS:
            shared: list[str] = []
            col = self.columns_.get(field)
            if col is not None:
                other = {t.casefold() for t in parse_list(self._table.at[b, col])}
                shared = [t for t in parse_list(self._table.at[a, col]) if t.casefold() in other]
            out[f"shared_{field}"] = shared
        out["shared_people"] = list(dict.fromkeys(out["shared_cast"] + out["shared_director"]))
        terms: list[str] = []
        if "description" in self._slices:
            sl = self._slices["description"]
            va = self.vectors_[a, sl].toarray().ravel()
            vb = self.vectors_[b, sl].toarray().ravel()
            prod = va * vb
            top = [j for j in np.lexsort((np.arange(len(prod)), -prod)) if prod[j] > 0]
            terms = [str(self._terms["description"][j]) for j in top[: max(int(n_terms), 0)]]
        out["shared_terms"] = terms
        out["summary"] = _summary(self.name(result_title_id), out)
        return out


def _names_tfidf(column: pd.Series, n: int) -> tuple[sp.csr_matrix | None, np.ndarray]:
    """Binary-tf, smooth-idf TF-IDF of a list field, one token per whole name (casefolded).

    Same result as ``TfidfVectorizer(analyzer=parse_list-casefolded, binary=True)``, but
    vectorised with pandas string methods for ``|``/``,``-joined strings (cells holding lists
    or arrays are joined first). Rows are not normalised here.
    """
    values = column.reset_index(drop=True)
    lists = values.map(lambda v: isinstance(v, (list, tuple, set, np.ndarray, pd.Series)))
    if lists.any():
        values = values.astype(object)
        values[lists] = [LIST_SEP.join(parse_list(v)) for v in values[lists]]
    text = values.astype("object").where(values.notna(), "").astype(str).astype("str")
    pipe = text.str.contains("|", regex=False)
    parts = pd.concat([text[pipe].str.split("|"), text[~pipe].str.split(",")]).explode()
    tokens = parts.str.strip().str.casefold()
    tokens = tokens[tokens.notna() & (tokens.str.len() > 0)]
    if tokens.empty:
        return None, np.array([])
    codes, vocab = pd.factorize(tokens, sort=True)
    rows = tokens.index.to_numpy(dtype=np.int64)
    pair = np.unique(rows * len(vocab) + codes)
    rows, codes = pair // len(vocab), pair % len(vocab)
    df = np.bincount(codes, minlength=len(vocab))
    idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=n))]
    mat = sp.csr_matrix((idf[codes], codes.astype(np.int32), indptr), shape=(n, len(vocab)))
    return mat, np.asarray(vocab, dtype=object)


def _pick_column(df: pd.DataFrame, field: str) -> str | None:
    for col in FIELD_ALIASES[field]:
        if col in df.columns and df[col].notna().any():
            return col
    return None


def _join(items: Sequence[str], limit: int = 3) -> str:
    items = list(items)[:limit]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _summary(name: str, why: Mapping[str, Any]) -> str:
    parts = []
    if why["shared_genres"]:
        parts.append(f"both {_join(why['shared_genres'])}")
    if why["shared_people"]:
        parts.append(f"with {_join(why['shared_people'])}")
    if why["shared_country"]:
        parts.append(f"from {_join(why['shared_country'])}")
    if why["shared_terms"]:
        parts.append(f"about {_join(why['shared_terms'])}")
    if not parts:
        return f"{name}: no shared content features."
    return f"{name}: " + "; ".join(parts) + "."


# --------------------------------------------------------------------------- collaborative


class ItemKNN(_CosineNeighbors, _UserMixin, _Base):
    """Item-item collaborative filtering: cosine over the users x titles matrix.

    ``recommend`` uses standard item-kNN scoring (Deshpande & Karypis 2004): for each title of
    the user's history, its ``neighbors`` most similar titles receive ``similarity * value``;
    the sum is divided by the user's total value (a per-user constant, so the ranking is the
    plain sum, and scores are a weighted mean of similarities in [0, 1]). Titles with no
    neighbour evidence are filled from popularity with score 0.

    Parameters
    ----------
    neighbors : int
        Neighbours per title used for scoring users (pruning).
    index_k : int
        Neighbours stored per title for ``similar`` (at least ``neighbors`` are stored).
    value : str
        The user's value of an interaction: ``"auto"`` (``rating`` when at least half the rows
        are rated, else ``weight``, else 1), ``"binary"`` or a column name.
    binary : bool, optional
        Whether the title vectors hold 1 per interaction (True) or the values (False).
        Default (None): values for ratings, binary for implicit weights (engagement weights
        are heavy-tailed; binary co-occurrence gave better neighbours on the demo data and on
        synthetic taste data: NDCG@10 0.077 vs 0.072 and 0.089 vs 0.046).
    block_rows : int
        Rows per block of the chunked index build.
    """

    def __init__(
        self,
        *,
        neighbors: int = 50,
        index_k: int = 100,
        value: str = "auto",
        binary: bool | None = None,
        block_rows: int = 2000,
    ) -> None:
        self.neighbors = neighbors
        self.index_k = index_k
        self.value = value
        self.binary = binary
        self.block_rows = block_rows

    def _params(self) -> dict[str, Any]:
        return {
            "neighbors": self.neighbors,
            "index_k": self.index_k,
            "value": self.value,
            "binary": self.binary,
        }

    def fit(self, interactions: pd.DataFrame) -> ItemKNN:
        """Build the title-title neighbour index from ``user_id, title_id[, weight|rating]``."""
        t0 = time.perf_counter()
        if int(self.neighbors) < 1:
            raise ValueError(f"neighbors must be >= 1, got {self.neighbors}")
        users, titles, values, used = _user_matrix(interactions, self.value)
        self.users_, self.titles_, self.values_ = users, titles, values
        self.value_column_ = used
        binary = bool(self.binary) if self.binary is not None else used != "rating"
        self.binary_ = binary
        self._viewers = values.tocsc()  # titles' users, for co-viewer counts
        vectors = values.T.tocsr().astype(np.float32)
        if binary:
            vectors.data[:] = 1.0
        items = normalize(vectors)
        items.eliminate_zeros()
        self.vectors_ = items  # l2-normalised title x user rows (float32), as cosines use them
        self._index = _NeighborIndex(items, None, max(int(self.index_k), int(self.neighbors)))
        self.index_ = self._index.build(block_rows=self.block_rows)
        self.neighbors_ = _prune(self.index_, int(self.neighbors))
        self.popularity_ = Popularity()._fit_matrix(users, titles, values)
        self._pop_pos = self.popularity_.order_
        self.counts_ = self.popularity_.counts_
        log.info(
            "ItemKNN: %d users x %d titles, %d interactions (value=%s, binary=%s), %.2fs",
            len(users),
            len(titles),
            values.nnz,
            used,
            binary,
            time.perf_counter() - t0,
        )
        return self

    # -- item queries -------------------------------------------------------------------
    def similar(self, title_id: Hashable, k: int = 10) -> pd.DataFrame:
        """Titles most often watched by the same viewers (cosine), best first."""
        return super().similar(title_id, k)

    def similarity(self, title_a: Hashable, title_b: Hashable) -> float:
        """Cosine similarity of two titles' viewer vectors (symmetric)."""
        return super().similarity(title_a, title_b)

    def co_viewers(self, title_a: Hashable, title_b: Hashable) -> int:
        """Number of users who interacted with both titles."""
        a, b = self._pos(title_a), self._pos(title_b)
        col = self._viewers
        ua = col.indices[col.indptr[a] : col.indptr[a + 1]]
        ub = col.indices[col.indptr[b] : col.indptr[b + 1]]
        return int(len(np.intersect1d(ua, ub, assume_unique=True)))

    def explain(
        self, query_title_id: Hashable, result_title_id: Hashable, *, names: Mapping | None = None
    ) -> dict[str, Any]:
        """ "Viewers of X also watched Y": co-viewer count and the cosine behind it."""
        a, b = self._pos(query_title_id), self._pos(result_title_id)
        both = self.co_viewers(query_title_id, result_title_id)
        na, nb = int(self.counts_[a]), int(self.counts_[b])
        name_a = _name(names, query_title_id)
        name_b = _name(names, result_title_id)
        return {
            "query": query_title_id,
            "result": result_title_id,
            "score": float(self._index.row(a)[b]) if a != b else 1.0,
            "co_viewers": both,
            "query_viewers": na,
            "result_viewers": nb,
            "share_of_query_viewers": both / na if na else 0.0,
            "summary": f"{both} of the {na} viewers of {name_a} also watched {name_b}.",
        }

    # -- user queries -------------------------------------------------------------------
    def _user_scores(self, u: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Item-kNN scores in [0, 1] for every title, plus the user's history and values."""
        hist, vals = self._history(u)
        scores = np.zeros(len(self.titles_))
        total = float(vals.sum())
        if len(hist) and total > 0:
            ptr, ind, dat = self.neighbors_.indptr, self.neighbors_.indices, self.neighbors_.data
            starts, ends = ptr[hist], ptr[hist + 1]
            n = ends - starts
            pos = np.repeat(starts - np.r_[0, np.cumsum(n)[:-1]], n) + np.arange(n.sum())
            weight = np.repeat(vals, n) * dat[pos]
            scores = np.bincount(ind[pos], weights=weight, minlength=len(self.titles_)) / total
        return np.clip(scores, 0.0, 1.0), hist, vals

    def recommend(self, user_id: Hashable, k: int = 10, exclude_seen: bool = True) -> pd.DataFrame:
        """Top-``k`` titles for a user (item-kNN); filled from popularity when evidence runs out."""
        idx, scores = self._recommend_arrays(user_id, int(k), exclude_seen)
        return _frame(self.titles_.ids, idx, scores, clip=False)

    def _recommend_arrays(
        self, user_id: Hashable, k: int, exclude_seen: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions in ``title_ids_`` and final scores of ``recommend``."""
        u = self._user(user_id)
        scores, hist, _ = self._user_scores(u)
        exclude = hist if exclude_seen else None
        idx = _top_dense(scores, int(k), exclude)
        idx, out = _fill(idx, scores[idx], self._pop_pos, int(k), exclude)
        return idx, np.clip(out, -1.0, 1.0)

    def explain_recommendation(
        self, user_id: Hashable, title_id: Hashable, *, n: int = 5, names: Mapping | None = None
    ) -> dict[str, Any]:
        """History titles that contributed most to a recommendation.

        ``contributors`` is a list of dicts (``title_id``, ``similarity``, ``value``,
        ``contribution`` = similarity * value / user's total value), largest first.
        """
        u = self._user(user_id)
        j = self._pos(title_id)
        hist, vals = self._history(u)
        total = float(vals.sum()) or 1.0
        sims = np.array([_csr_get(self.neighbors_, h, j) for h in hist.tolist()])
        contrib = sims * vals / total
        order = [o for o in np.lexsort((hist, -contrib)) if contrib[o] > 0][: max(int(n), 0)]
        rows = [
            {
                COL_TITLE: _py(self.titles_.ids[hist[o]]),
                "similarity": float(sims[o]),
                "value": float(vals[o]),
                "contribution": float(contrib[o]),
            }
            for o in order
        ]
        score = float(np.clip(contrib.sum(), 0.0, 1.0))
        if rows:
            because = _join([_name(names, r[COL_TITLE]) for r in rows])
            summary = f"Because you watched {because}."
        else:
            summary = "Popular with other viewers (no similar title in your history)."
        return {
            "user_id": user_id,
            "title_id": title_id,
            "score": score,
            "contributors": rows,
            "summary": summary,
        }


def _name(names: Mapping | None, title_id: Hashable) -> str:
    if names is not None and title_id in names:
        return str(names[title_id])
    return str(title_id)


def _csr_get(m: sp.csr_matrix, i: int, j: int) -> float:
    s, e = m.indptr[i], m.indptr[i + 1]
    hit = np.flatnonzero(m.indices[s:e] == j)
    return float(m.data[s + hit[0]]) if len(hit) else 0.0


def _prune(index: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """First ``k`` entries of each (best-first) row."""
    counts = np.minimum(np.diff(index.indptr), k)
    rank = np.arange(index.nnz) - np.repeat(index.indptr[:-1], np.diff(index.indptr))
    keep = rank < np.repeat(counts, np.diff(index.indptr))
    indptr = np.r_[0, np.cumsum(counts)]
    return sp.csr_matrix((index.data[keep], index.indices[keep], indptr), shape=index.shape)


def _fill(
    idx: np.ndarray, scores: np.ndarray, popular: np.ndarray, k: int, exclude: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Append popular titles (score 0) until ``k`` results, skipping excluded and present."""
    if len(idx) >= k:
        return idx, scores
    skip = np.concatenate([idx, exclude]) if exclude is not None else idx
    extra = popular[(popular >= 0) & ~np.isin(popular, skip)][: k - len(idx)]
    return np.r_[idx, extra].astype(np.int64), np.r_[scores, np.zeros(len(extra))]


# ------------------------------------------------------------------- linear and graph models

EASE_MEMORY_BUDGET_GIB = 1.0
"""Default memory budget of ``EASE``'s dense title x title matrix (GiB): 16,384 float32 titles."""

_GRAM_BLOCK_ENTRIES = 8_000_000  # dense Gram rows computed per block (about 32 MB of float32)


class ItemLimitError(ValueError):
    """A dense model refused a catalog above its item limit (a ``ValueError``)."""

    def __init__(self, model: str, n_items: int, max_items: int, need_gib: float, budget: float):
        self.model = model
        self.n_items = int(n_items)
        self.max_items = int(max_items)
        self.need_gib = float(need_gib)
        self.budget_gib = float(budget)
        super().__init__(
            f"{model} needs a dense {n_items:,} x {n_items:,} title matrix ({need_gib:.2f} GiB); "
            f"its memory budget of {budget:g} GiB allows at most {max_items:,} titles. Use a "
            "sparse model (RP3Beta or ItemKNN) for this catalog, or raise memory_budget_gib."
        )


class _CollabBase(_UserMixin, _Base):
    """Shared plumbing of the interaction models with an item-item weight view (EASE, RP3beta).

    Subclasses fit ``self._X`` (the users x titles matrix the model scores with) and implement
    ``_item_row(i)`` (weights from title ``i`` to every title, dense) and ``_weights_to(hist, j)``
    (weights from titles ``hist`` to title ``j``). A user's score of title ``j`` is
    ``sum over the history h of x_uh * w(h, j)``; it is finite but not bounded to [0, 1].
    """

    value: str

    def _fit_matrix(self, interactions: pd.DataFrame) -> sp.csr_matrix:
        """Users x titles matrix as the model uses it, and the fitted lookups."""
        users, titles, values, used = _user_matrix(interactions, self.value)
        self.users_, self.titles_, self.values_ = users, titles, values
        self.value_column_ = used
        self.binary_ = used == "binary"
        X = values.astype(np.float64)
        if self.binary_:  # every interacted pair counts 1, whatever its rating or weight
            X.data[:] = 1.0
        self._viewers = values.tocsc()
        self.popularity_ = Popularity()._fit_matrix(users, titles, values)
        self._pop_pos = self.popularity_.order_
        self.counts_ = self.popularity_.counts_
        self._X = X
        return X

    # -- to implement -------------------------------------------------------------------
    def _item_row(self, i: int) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _weights_to(self, hist: np.ndarray, j: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _user_scores(self, u: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError  # pragma: no cover

    def _x_history(self, u: int) -> tuple[np.ndarray, np.ndarray]:
        """The user's titles and their values as the model scores them (binarised or not)."""
        s, e = self._X.indptr[u], self._X.indptr[u + 1]
        return self._X.indices[s:e].astype(np.int64), self._X.data[s:e]

    # -- queries ------------------------------------------------------------------------
    def _similar_idx(self, i: int, k: int) -> tuple[np.ndarray, np.ndarray]:
        row = self._item_row(i)
        idx = _top_dense(row, k, exclude=np.array([i]))
        return idx, row[idx]

    def similar(self, title_id: Hashable, k: int = 10) -> pd.DataFrame:
        """Item-item view: the titles a viewer of ``title_id`` alone would be recommended.

        Row ``title_id`` of the model's weights, best first; only positive weights.
        """
        idx, scores = self._similar_idx(self._pos(title_id), int(k))
        return _frame(self.titles_.ids, idx, scores, clip=False)

    def weight(self, title_a: Hashable, title_b: Hashable) -> float:
        """The model's weight from ``title_a`` to ``title_b`` (not symmetric in general)."""
        a, b = self._pos(title_a), self._pos(title_b)
        return float(self._weights_to(np.array([a]), b)[0]) if a != b else 0.0

    def co_viewers(self, title_a: Hashable, title_b: Hashable) -> int:
        """Number of users who interacted with both titles."""
        a, b = self._pos(title_a), self._pos(title_b)
        col = self._viewers
        ua = col.indices[col.indptr[a] : col.indptr[a + 1]]
        ub = col.indices[col.indptr[b] : col.indptr[b + 1]]
        return int(len(np.intersect1d(ua, ub, assume_unique=True)))

    def explain(
        self, query_title_id: Hashable, result_title_id: Hashable, *, names: Mapping | None = None
    ) -> dict[str, Any]:
        """Why ``result`` follows ``query``: the model's weight and the co-viewer count."""
        a, b = self._pos(query_title_id), self._pos(result_title_id)
        both = self.co_viewers(query_title_id, result_title_id)
        na, nb = int(self.counts_[a]), int(self.counts_[b])
        name_a, name_b = _name(names, query_title_id), _name(names, result_title_id)
        return {
            "query": query_title_id,
            "result": result_title_id,
            "score": self.weight(query_title_id, result_title_id),
            "co_viewers": both,
            "query_viewers": na,
            "result_viewers": nb,
            "share_of_query_viewers": both / na if na else 0.0,
            "summary": f"{both} of the {na} viewers of {name_a} also watched {name_b}.",
        }

    def recommend(self, user_id: Hashable, k: int = 10, exclude_seen: bool = True) -> pd.DataFrame:
        """Top-``k`` titles for a user by positive score; filled from popularity (score 0)."""
        idx, scores = self._recommend_arrays(user_id, int(k), exclude_seen)
        return _frame(self.titles_.ids, idx, scores, clip=False)

    def _recommend_arrays(
        self, user_id: Hashable, k: int, exclude_seen: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions in ``title_ids_`` and final scores of ``recommend``."""
        u = self._user(user_id)
        scores, hist, _ = self._user_scores(u)
        exclude = hist if exclude_seen else None
        idx = _top_dense(scores, int(k), exclude)
        idx, out = _fill(idx, scores[idx], self._pop_pos, int(k), exclude)
        return idx, out

    def explain_recommendation(
        self, user_id: Hashable, title_id: Hashable, *, n: int = 5, names: Mapping | None = None
    ) -> dict[str, Any]:
        """History titles that drove a recommendation, with the model's weights.

        ``contributors`` are dicts (``title_id``, ``weight`` = the model's weight from the
        history title to ``title_id``, ``value`` = the user's value of it as the model uses it,
        ``contribution`` = weight * value), the ``n`` largest positive contributions first;
        ``against`` holds the ``n`` most negative ones (EASE weights can be negative: titles
        whose viewers tend not to watch this one). With ``n`` at least the history size, the
        contributions of both lists sum to ``score``.
        """
        u = self._user(user_id)
        j = self._pos(title_id)
        hist, vals = self._x_history(u)
        weights = self._weights_to(hist, j)
        weights = np.where(hist == j, 0.0, weights)
        contrib = weights * vals

        def rows_of(order: Iterable[int]) -> list[dict[str, Any]]:
            return [
                {
                    COL_TITLE: _py(self.titles_.ids[hist[o]]),
                    "weight": float(weights[o]),
                    "value": float(vals[o]),
                    "contribution": float(contrib[o]),
                }
                for o in order
            ]

        m = max(int(n), 0)
        rows = rows_of([o for o in np.lexsort((hist, -contrib)) if contrib[o] > 0][:m])
        against = rows_of([o for o in np.lexsort((hist, contrib)) if contrib[o] < 0][:m])
        if rows:
            summary = f"Because you watched {_join([_name(names, r[COL_TITLE]) for r in rows])}."
        else:
            summary = "Popular with other viewers (no title of your history points to it)."
        return {
            "user_id": user_id,
            "title_id": title_id,
            "score": float(contrib.sum()),
            "contributors": rows,
            "against": against,
            "summary": summary,
        }


class EASE(_CollabBase):
    """EASE (Steck 2019): a linear title x title model with a dense closed form.

    ``B = argmin ||X - X B||^2 + l2 ||B||^2`` subject to ``diag(B) = 0`` has the closed form
    ``P = (X'X + l2 I)^-1``, ``B_ij = -P_ij / P_jj`` (``B_jj = 0``). A user's score of title
    ``j`` is ``x_u . B[:, j]``; ``similar(j)`` is row ``j`` of ``B`` (what a viewer of ``j``
    alone would be recommended).

    Memory: one dense ``n x n`` matrix of ``dtype`` (``memory_need(n)`` bytes: 4 n^2 for
    float32), inverted in place by Cholesky (LAPACK ``potrf`` + ``potri``); the Gram matrix
    is built block by block from the sparse interactions. ``fit`` refuses with
    ``ItemLimitError`` above ``max_items(memory_budget_gib)`` titles: 16,384 at the default
    1 GiB budget (float32), 11,585 in float64. Time grows with n^3: 14 s at 10,000 titles x
    1,000,000 interactions (one BLAS thread, shared 2-core machine), peak 0.8 GiB.

    Feedback: binarised by default (``value="binary"``: ``x_ui = 1`` for every interacted
    pair, whatever its rating or weight, as in the paper). ``value="auto"`` or a column name
    makes ``X`` hold the values (ratings or engagement weights) instead.

    Parameters
    ----------
    l2 : float
        Ridge penalty (> 0). Larger values shrink the weights toward popularity.
    value : str
        ``"binary"`` (default), ``"auto"`` or a column name (see ``ItemKNN``).
    memory_budget_gib : float
        Budget of the dense matrix; sets the item limit.
    dtype : {"float32", "float64"}
        Precision of the dense matrix.
    threads : int or None
        BLAS threads for the inversion. 1 (default): on a machine shared with other work,
        OpenBLAS threads spin-waiting on each other made the inversion 3-70x slower (measured
        at 1,682 and 6,000 titles with 2 cores and a load of 5); ``None`` keeps the BLAS
        default (faster on an idle multi-core machine).
    """

    def __init__(
        self,
        l2: float = 500.0,
        *,
        value: str = "binary",
        memory_budget_gib: float = EASE_MEMORY_BUDGET_GIB,
        dtype: str = "float32",
        threads: int | None = 1,
    ) -> None:
        self.l2 = l2
        self.value = value
        self.memory_budget_gib = memory_budget_gib
        self.dtype = dtype
        self.threads = threads

    def _params(self) -> dict[str, Any]:
        return {"l2": self.l2, "value": self.value, "dtype": self.dtype}

    @staticmethod
    def memory_need(n_items: int, dtype: str = "float32") -> int:
        """Bytes of the dense title x title matrix EASE needs for ``n_items`` titles."""
        return int(n_items) ** 2 * np.dtype(dtype).itemsize

    @staticmethod
    def max_items(memory_budget_gib: float = EASE_MEMORY_BUDGET_GIB, dtype: str = "float32") -> int:
        """Largest catalog whose dense matrix fits ``memory_budget_gib``."""
        return math.isqrt(int(float(memory_budget_gib) * 2**30) // np.dtype(dtype).itemsize)

    def fit(self, interactions: pd.DataFrame) -> EASE:
        """Fit ``B`` from ``user_id, title_id[, rating|weight]``; refuses too large catalogs."""
        t0 = time.perf_counter()
        if not float(self.l2) > 0:
            raise ValueError(f"l2 must be > 0, got {self.l2}")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {self.dtype!r}")
        n = int(interactions[COL_TITLE].nunique()) if COL_TITLE in interactions.columns else 0
        limit = self.max_items(self.memory_budget_gib, self.dtype)
        if n > limit:
            need = self.memory_need(n, self.dtype) / 2**30
            raise ItemLimitError("EASE", n, limit, need, float(self.memory_budget_gib))
        X = self._fit_matrix(interactions)
        self.B_ = _ease_weights(X, float(self.l2), np.dtype(self.dtype), self.threads)
        log.info(
            "EASE: %d users x %d titles, l2=%g (value=%s), %.2f GiB, %.2fs",
            len(self.users_),
            n,
            self.l2,
            self.value_column_,
            self.B_.nbytes / 2**30,
            time.perf_counter() - t0,
        )
        return self

    def _item_row(self, i: int) -> np.ndarray:
        return self.B_[i].astype(np.float64)

    def _weights_to(self, hist: np.ndarray, j: int) -> np.ndarray:
        return self.B_[hist, j].astype(np.float64)

    def _user_scores(self, u: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        hist, vals = self._x_history(u)
        if len(hist) == 0:
            return np.zeros(len(self.titles_)), hist, vals
        scores = vals.astype(self.B_.dtype) @ self.B_[hist]
        return scores.astype(np.float64), hist, vals


def _ease_weights(
    X: sp.csr_matrix, l2: float, dtype: np.dtype, threads: int | None = 1
) -> np.ndarray:
    """EASE's ``B`` from the users x titles matrix, with one dense n x n array in memory."""
    from scipy.linalg import lapack
    from threadpoolctl import threadpool_limits

    n = X.shape[1]
    Xf = sp.csr_matrix(X, dtype=dtype)
    Xt = Xf.T.tocsr()
    G = np.empty((n, n), dtype=dtype)
    step = max(1, _GRAM_BLOCK_ENTRIES // max(n, 1))
    for s in range(0, n, step):
        G[s : s + step] = (Xt[s : s + step] @ Xf).toarray()
    G[np.diag_indices(n)] += dtype.type(l2)
    if dtype == np.float32:
        potrf, potri = lapack.spotrf, lapack.spotri
    else:
        potrf, potri = lapack.dpotrf, lapack.dpotri
    # G is C-ordered and symmetric: G.T is the same matrix in Fortran order, factorised in place
    with threadpool_limits(limits=threads, user_api="blas"):
        c, info = potrf(G.T, lower=0, overwrite_a=1, clean=0)
        if info == 0:
            c, info = potri(c, lower=0, overwrite_c=1)
    if info != 0:
        raise ValueError(
            f"EASE: X'X + l2 I is not positive definite (LAPACK info {info}); raise l2"
        )
    if not np.shares_memory(c, G):  # pragma: no cover - LAPACK wrappers copied after all
        G = np.ascontiguousarray(c.T)
    # the inverse is in the lower triangle of G: mirror it, block by block
    for s in range(0, n, step):
        e = min(n, s + step)
        G[s:e, e:] = G[e:, s:e].T
        D = G[s:e, s:e]
        iu = np.triu_indices(e - s, 1)
        D[iu] = D.T[iu]
    diag = np.diag(G).copy()
    G /= -diag[None, :]  # B_ij = -P_ij / P_jj
    G[np.diag_indices(n)] = 0.0
    return G


class RP3Beta(_CollabBase):
    """RP3beta (Paudel et al. 2016): 3-step random walks on the viewer-title graph.

    ``P_ui`` is the user -> title transition (row-normalised ``X``), ``P_iu`` the title -> user
    transition (row-normalised ``X'``); both are raised element-wise to ``alpha``. The weight
    from title ``i`` to title ``j`` is ``W_ij = (P_iu^alpha P_ui^alpha)_ij / pop_j^beta``
    (``pop_j`` = viewers of ``j``; ``beta > 0`` demotes popular titles), the diagonal dropped,
    the ``neighbors`` largest kept per row (sparse, built in row blocks: 100,000 titles x
    1,000,000 interactions fit in 11 s, peak 1.1 GiB with the data). A user's score of ``j`` is
    ``sum over the history h of x_uh W_hj``; ``similar(i)`` is row ``i`` of ``W`` (computed
    exactly on the fly for ``k > neighbors``).

    Feedback: binarised by default (``value="binary"``: every interacted pair counts 1, so
    each step is uniform over a node's edges). With ``value="auto"`` or a column name the
    edges carry the values (ratings or weights) and each step is proportional to them;
    popularity stays the viewer count.

    Parameters
    ----------
    alpha : float
        Exponent of the transition probabilities (> 0).
    beta : float
        Popularity penalty exponent (>= 0).
    neighbors : int
        Weights kept per title.
    value : str
        ``"binary"`` (default), ``"auto"`` or a column name (see ``ItemKNN``).
    block_nnz : int
        Upper bound of the product entries computed per block (memory of the fit).
    """

    def __init__(
        self,
        alpha: float = 1.0,
        beta: float = 0.5,
        neighbors: int = 100,
        *,
        value: str = "binary",
        block_nnz: int = 10_000_000,
    ) -> None:
        self.alpha = alpha
        self.beta = beta
        self.neighbors = neighbors
        self.value = value
        self.block_nnz = block_nnz

    def _params(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "beta": self.beta,
            "neighbors": self.neighbors,
            "value": self.value,
        }

    def fit(self, interactions: pd.DataFrame) -> RP3Beta:
        """Build the sparse weights ``W_`` from ``user_id, title_id[, rating|weight]``."""
        t0 = time.perf_counter()
        if not float(self.alpha) > 0:
            raise ValueError(f"alpha must be > 0, got {self.alpha}")
        if not float(self.beta) >= 0:
            raise ValueError(f"beta must be >= 0, got {self.beta}")
        if int(self.neighbors) < 1:
            raise ValueError(f"neighbors must be >= 1, got {self.neighbors}")
        X = self._fit_matrix(interactions)
        n = X.shape[1]
        self._p_ui = _power(normalize(X, norm="l1", axis=1), float(self.alpha))  # users x titles
        self._p_iu = _power(normalize(X.T.tocsr(), norm="l1", axis=1), float(self.alpha))
        pop = self.counts_.astype(np.float64)
        penalty = np.where(pop > 0, np.maximum(pop, 1.0) ** -float(self.beta), 0.0)
        self._penalty = penalty.astype(np.float32)
        k = int(self.neighbors)
        user_deg = np.diff(self._p_ui.indptr).astype(np.float64)
        cost = np.asarray(self._p_iu.astype(bool).astype(np.float64) @ user_deg).ravel()
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        s = 0
        while s < n:
            # rows whose product entries (at most the summed degrees) fit the block budget
            csum = np.cumsum(cost[s:])
            e = s + max(1, int(np.searchsorted(csum, float(self.block_nnz), side="right")))
            parts.append(self._block(s, min(e, n), k))
            s = e
        rows = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
        cols = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int32)
        vals = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, np.float32)
        indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=n))].astype(np.int64)
        self.W_ = sp.csr_matrix((vals, cols, indptr), shape=(n, n))
        log.info(
            "RP3Beta: %d users x %d titles, alpha=%g beta=%g, %d weights, %.2fs",
            len(self.users_),
            n,
            self.alpha,
            self.beta,
            self.W_.nnz,
            time.perf_counter() - t0,
        )
        return self

    def _block(self, s: int, e: int, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Top-``k`` weights of rows ``s:e`` (rows, cols, values), best first per row."""
        prod = (self._p_iu[s:e] @ self._p_ui).tocsr()
        counts = np.diff(prod.indptr)
        rows = np.repeat(np.arange(s, e, dtype=np.int32), counts)
        cols = prod.indices
        vals = prod.data * self._penalty[cols]
        del prod
        keep = (cols != rows) & (vals > 0)
        rows, cols, vals = rows[keep], cols[keep], vals[keep]
        if len(rows) == 0:
            return rows.astype(np.int64), cols.astype(np.int32), vals.astype(np.float32)
        # _sorted_topk sorts float32 values in (0, 1]: scale each row by its maximum
        top = np.zeros(e - s, dtype=np.float32)
        np.maximum.at(top, rows - s, vals)
        scaled = (vals / top[rows - s]).astype(np.float32)
        r, c, v = _sorted_topk(rows - s, cols, scaled, k, len(self.titles_))
        return r.astype(np.int64) + s, c.astype(np.int32), (v * top[r]).astype(np.float32)

    def _full_row(self, i: int) -> np.ndarray:
        row = np.asarray((self._p_iu[i] @ self._p_ui).todense(), dtype=np.float64).ravel()
        row *= self._penalty
        row[i] = 0.0
        return row

    def _item_row(self, i: int) -> np.ndarray:
        out = np.zeros(len(self.titles_))
        s, e = self.W_.indptr[i], self.W_.indptr[i + 1]
        out[self.W_.indices[s:e]] = self.W_.data[s:e]
        return out

    def _similar_idx(self, i: int, k: int) -> tuple[np.ndarray, np.ndarray]:
        if k <= int(self.neighbors):
            s, e = self.W_.indptr[i], self.W_.indptr[i + 1]
            e = min(e, s + k)
            return self.W_.indices[s:e].astype(np.int64), self.W_.data[s:e]
        row = self._full_row(i)
        idx = _top_dense(row, k, exclude=np.array([i]))
        return idx, row[idx]

    def _weights_to(self, hist: np.ndarray, j: int) -> np.ndarray:
        if len(hist) == 0:
            return np.zeros(0)
        return self.W_[hist][:, [j]].toarray().ravel().astype(np.float64)

    def _user_scores(self, u: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        hist, vals = self._x_history(u)
        n = len(self.titles_)
        if len(hist) == 0:
            return np.zeros(n), hist, vals
        ptr, ind, dat = self.W_.indptr, self.W_.indices, self.W_.data
        starts, ends = ptr[hist], ptr[hist + 1]
        cnt = ends - starts
        pos = np.repeat(starts - np.r_[0, np.cumsum(cnt)[:-1]], cnt) + np.arange(cnt.sum())
        scores = np.bincount(ind[pos], weights=np.repeat(vals, cnt) * dat[pos], minlength=n)
        return scores, hist, vals


def _power(m: sp.csr_matrix, alpha: float) -> sp.csr_matrix:
    """Element-wise ``m ** alpha`` of the stored entries (zeros stay zero)."""
    out = sp.csr_matrix(m, dtype=np.float32, copy=True)
    if alpha != 1.0:
        out.data = np.power(out.data, alpha)
    out.eliminate_zeros()
    return out


# ---------------------------------------------------------------------------------- hybrid


class Hybrid(_Base):
    """Blend of a fitted ``ContentKNN`` and a fitted collaborative model.

    The collaborative component is an ``ItemKNN`` (cosine) or an ``EASE`` / ``RP3Beta``.
    When ``fit`` is given interactions and the component refuses the catalog (``EASE`` above
    its item limit raises ``ItemLimitError``), the sparse ``fallback`` (default
    ``RP3Beta()``) is fitted instead; ``collab_`` is the component in use and
    ``fallback_reason_`` says why (``None`` when no fallback happened).

    Score scale: for one query, each component's scores are divided by that component's best
    score among the candidates, so both lie in [0, 1] with their top candidate at 1; the blend
    is ``alpha * content + (1 - alpha) * collab``. When a component has nothing for the query
    (a cold-start title without interactions, a title missing from the content catalog, a
    history without content) the other component is used alone. Negative collaborative scores
    (EASE) count as 0. Blended scores lie in [0, 1].

    * ``similar``: candidates are both components' index rows (a candidate missing from one
      component's top list scores 0 there).
    * ``recommend``: item-kNN user scores blended with a content profile (cosine of each title
      with the value-weighted mean TF-IDF vector of the user's history), so never-watched
      titles can be recommended from content. Users without usable history get popularity.

    Parameters
    ----------
    content : ContentKNN
        Fitted (or fitted later through ``fit``) content model.
    collab : ItemKNN, EASE or RP3Beta
        Fitted (or fitted later through ``fit``) collaborative model.
    alpha : float
        Weight of the content component, in [0, 1].
    fallback : optional unfitted sparse model used when ``collab`` refuses the catalog.
    """

    def __init__(
        self,
        content: ContentKNN,
        collab: Any,
        *,
        alpha: float = 0.5,
        fallback: Any | None = None,
    ) -> None:
        self.content = content
        self.collab = collab
        self.alpha = alpha
        self.fallback = fallback

    def _params(self) -> dict[str, Any]:
        return {"content": self.content, "collab": self.collab, "alpha": self.alpha}

    def fit(
        self, titles: pd.DataFrame | None = None, interactions: pd.DataFrame | None = None
    ) -> Hybrid:
        """Fit the components on the tables given (components already fitted are kept)."""
        if titles is not None:
            self.content.fit(titles)
        if interactions is not None:
            self.fallback_reason_: str | None = None
            try:
                self.collab_ = self.collab.fit(interactions)
            except ItemLimitError as exc:
                fallback = self.fallback if self.fallback is not None else RP3Beta()
                log.warning("Hybrid: %s Using %r instead.", exc, fallback)
                self.collab_ = fallback.fit(interactions)
                self.fallback_reason_ = str(exc)
        self._prepare()
        return self

    @property
    def _cf(self) -> Any:
        """The collaborative component in use (the fallback when ``collab`` refused)."""
        return self.__dict__.get("collab_", self.collab)

    def _prepare(self) -> None:
        if not 0.0 <= float(self.alpha) <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {self.alpha}")
        self.content._check_fitted()
        self._cf._check_fitted()
        key = (id(self.content.titles_), id(self._cf.titles_))
        if getattr(self, "_key", None) == key:
            return
        ids = list(self.content.titles_.ids) + list(self._cf.titles_.ids)
        self.titles_ = _Catalog(ids, "title_id", "fitted catalog")
        self._c2u = self.titles_.positions(self.content.titles_.ids)
        self._f2u = self.titles_.positions(self._cf.titles_.ids)
        self._f2c = self.content.titles_.positions(self._cf.titles_.ids)
        pop = self._cf._pop_pos
        self._pop_pos = self._f2u[pop[pop >= 0]]
        self._key = key
        if not (self._f2c >= 0).any():
            log.warning(
                "Hybrid: the content and collaborative catalogs share no title_id "
                "(check that both tables use the same ids and id dtype)"
            )

    def _weights(self, has_c: bool, has_f: bool) -> tuple[float, float]:
        wc = float(self.alpha) if has_c else 0.0
        wf = 1.0 - float(self.alpha) if has_f else 0.0
        if wc + wf == 0:
            wc, wf = float(has_c), float(has_f and not has_c)
        return wc, wf

    def similar(self, title_id: Hashable, k: int = 10) -> pd.DataFrame:
        """Titles similar in content and in viewers; cold-start titles use content alone."""
        self._prepare()
        k = int(k)
        in_c, in_f = title_id in self.content.titles_, title_id in self._cf.titles_
        if not (in_c or in_f):
            raise UnknownIdError("title_id", title_id, "fitted catalog")
        n = len(self.titles_)
        c = np.zeros(n)
        f = np.zeros(n)
        if in_c:
            idx, s = self.content._similar_idx(
                self.content.titles_.pos(title_id), max(k, self.content._index.k)
            )
            if len(s) and s.max() > 0:
                c[self._c2u[idx]] = s / s.max()
        if in_f:
            pool = max(k, getattr(getattr(self._cf, "_index", None), "k", 100))
            idx, s = self._cf._similar_idx(self._cf.titles_.pos(title_id), pool)
            if len(s) and s.max() > 0:
                f[self._f2u[idx]] = s / s.max()
        wc, wf = self._weights(bool(c.any()), bool(f.any()))
        if wc + wf == 0:
            return _frame(self.titles_.ids, np.zeros(0, np.int64), np.zeros(0))
        blend = (wc * c + wf * f) / (wc + wf)
        idx = _top_dense(blend, k, np.array([self.titles_.pos(title_id)]))
        return _frame(self.titles_.ids, idx, blend[idx])

    def _components(
        self, user_id: Hashable
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        self._prepare()
        u = self._cf._user(user_id)
        cf, hist, vals = self._cf._user_scores(u)
        n = len(self.titles_)
        f = np.zeros(n)
        f[self._f2u] = np.maximum(cf, 0.0)
        c = np.zeros(n)
        cpos = self._f2c[hist]
        ok = (cpos >= 0) & (vals > 0)
        c[self._c2u] = self.content._profile(cpos[ok], vals[ok])
        return c, f, self._f2u[hist], vals

    def recommend(self, user_id: Hashable, k: int = 10, exclude_seen: bool = True) -> pd.DataFrame:
        """Top-``k`` titles for a user: item-kNN blended with the content profile."""
        idx, scores = self._recommend_arrays(user_id, int(k), exclude_seen)
        return _frame(self.titles_.ids, idx, scores, clip=False)

    def _recommend_arrays(
        self, user_id: Hashable, k: int, exclude_seen: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions in ``title_ids_`` and final scores of ``recommend``."""
        c, f, seen, _ = self._components(user_id)
        if exclude_seen and len(seen):
            c[seen] = 0.0
            f[seen] = 0.0
        c = c / c.max() if c.max() > 0 else c
        f = f / f.max() if f.max() > 0 else f
        wc, wf = self._weights(bool(c.any()), bool(f.any()))
        blend = (wc * c + wf * f) / (wc + wf) if wc + wf > 0 else np.zeros(len(c))
        exclude = seen if exclude_seen else None
        idx = _top_dense(blend, int(k), exclude)
        idx, out = _fill(idx, blend[idx], self._pop_pos, int(k), exclude)
        return idx, np.clip(out, -1.0, 1.0)

    def explain(self, query_title_id: Hashable, result_title_id: Hashable) -> dict[str, Any]:
        """Both components' explanations (``None`` for a component that lacks either title)."""
        self._prepare()
        out: dict[str, Any] = {"query": query_title_id, "result": result_title_id}
        known = False
        for key, model in (("content", self.content), ("collaborative", self._cf)):
            both = query_title_id in model.titles_ and result_title_id in model.titles_
            known |= query_title_id in model.titles_
            if not both:
                out[key] = None
            elif model is self._cf:
                names = _NameLookup(self.content)
                out[key] = model.explain(query_title_id, result_title_id, names=names)
            else:
                out[key] = model.explain(query_title_id, result_title_id)
        if not known:
            raise UnknownIdError("title_id", query_title_id, "fitted catalog")
        if result_title_id not in self.titles_:
            raise UnknownIdError("title_id", result_title_id, "fitted catalog")
        parts = [out[key]["summary"] for key in ("content", "collaborative") if out[key]]
        out["summary"] = " ".join(parts) if parts else "No shared content or viewers."
        return out

    def explain_recommendation(
        self, user_id: Hashable, title_id: Hashable, *, n: int = 5
    ) -> dict[str, Any]:
        """History titles that contributed most, through content and through co-viewing."""
        self._prepare()
        j = self.titles_.pos(title_id)
        _, _, seen, vals = self._components(user_id)
        out: dict[str, Any] = {"user_id": user_id, "title_id": title_id}
        names = _NameLookup(self.content)
        content_rows: list[dict[str, Any]] = []
        if title_id in self.content.titles_:
            hist_ids = self.titles_.ids.take(seen)
            cj = self.content.titles_.pos(title_id)
            row = self.content._index.row(cj)
            cpos = self.content.titles_.positions(hist_ids.tolist())
            sims = np.where(cpos >= 0, row[np.maximum(cpos, 0)], 0.0)
            total = float(vals.sum()) or 1.0
            contrib = sims * vals / total
            order = [o for o in np.lexsort((seen, -contrib)) if contrib[o] > 0 and seen[o] != j]
            content_rows = [
                {
                    COL_TITLE: _py(hist_ids[o]),
                    "similarity": float(sims[o]),
                    "value": float(vals[o]),
                    "contribution": float(contrib[o]),
                }
                for o in order[: max(int(n), 0)]
            ]
        collab_rows: list[dict[str, Any]] = []
        if title_id in self._cf.titles_:
            why = self._cf.explain_recommendation(user_id, title_id, n=n, names=names)
            collab_rows = why["contributors"]
        out["content_contributors"] = content_rows
        out["collaborative_contributors"] = collab_rows
        top = list(dict.fromkeys(r[COL_TITLE] for r in collab_rows + content_rows))[:3]
        if top:
            out["summary"] = f"Because you watched {_join([_name(names, t) for t in top])}."
        else:
            out["summary"] = "Popular with other viewers (no similar title in your history)."
        return out


class _NameLookup(Mapping):
    """Read-only ``title_id -> name`` view over a fitted ContentKNN."""

    def __init__(self, content: ContentKNN) -> None:
        self._c = content

    def __getitem__(self, key: Hashable) -> str:
        if key not in self._c.titles_:
            raise KeyError(key)
        return self._c.name(key)

    def __contains__(self, key: object) -> bool:
        return key in self._c.titles_

    def __iter__(self):
        return iter(self._c.titles_.ids)

    def __len__(self) -> int:
        return len(self._c.titles_)
