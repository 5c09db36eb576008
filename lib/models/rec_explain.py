"""What the Recommender page shows of the fitted recommenders, without streamlit.

Similar titles (optionally within genres) and why they are similar, a viewer's history and
recommendations with the history titles behind each (the share of the evidence each gives),
the similarity between chosen titles, and the texts of validated values and intervals.
Every function takes a :class:`lib.models.rec_service.RecModels` (or a fitted model) and returns
plain frames, dicts or strings; ``lib.ui.rec_models`` re-exports them beside its cached
loaders, and ``pages/recommender.py`` renders them.

Model names of the "Similar titles" tab: ``"content"`` (``ContentKNN``: TF-IDF cosine over
genres, description, cast, director, country), ``"collaborative"`` (``ItemKNN``: cosine over
the viewers x titles matrix) and ``"hybrid"`` (``Hybrid``: ``alpha * content + (1 - alpha) *
collaborative``, each normalised to its best candidate).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lib.models.evaluate import MODEL_NOTES, TuneResult
from lib.models.rec_service import EVAL_K, RecModels
from lib.models.recommend import Hybrid, Popularity, RandomRecommender, UnknownIdError

MODEL_KINDS: tuple[str, ...] = ("content", "collaborative", "hybrid")
MODEL_LABELS = {"content": "Content", "collaborative": "Collaborative", "hybrid": "Hybrid"}
# metric -> (column label, Python format of value and interval)
METRIC_COLUMNS = {
    "precision": (f"Precision@{EVAL_K}", "{:.1%}"),
    "recall": (f"Recall@{EVAL_K}", "{:.1%}"),
    "ndcg": (f"NDCG@{EVAL_K}", "{:.3f}"),
    "map": (f"MAP@{EVAL_K}", "{:.3f}"),
    "coverage": ("Coverage", "{:.1%}"),
    "novelty": ("Novelty (bits)", "{:.2f}"),
    "diversity": ("Diversity", "{:.2f}"),
    "genre_match": ("Genre match", "{:.1%}"),
}


def _model(m: RecModels, kind: str, alpha: float) -> Any:
    if kind == "content":
        return m.content
    if kind == "collaborative":
        return m.collab
    return m.hybrid(alpha)


def genre_tally(catalog: pd.DataFrame, keys: pd.Series) -> pd.Series:
    """Titles of ``keys`` per genre (a title with several genres counts in each), in the
    order the genres first appear."""
    counts: dict[str, int] = {}
    for gl in catalog["genre_list"].reindex(keys.to_numpy()):
        for g in gl if isinstance(gl, list) else []:
            counts[g] = counts.get(g, 0) + 1
    return pd.Series(counts, dtype="int64")


def genre_mask(catalog: pd.DataFrame, keys: pd.Series, genres: Sequence[str]) -> np.ndarray:
    """Whether each title of ``keys`` has one of ``genres`` (case-insensitive)."""
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
        res = res.loc[genre_mask(m.catalog, res["key"], genres)]
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
    genre_counts = genre_tally(m.catalog, keys.drop_duplicates())
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
        recs = recs.loc[genre_mask(m.catalog, recs["key"], genres)]
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


def model_caption(name: str, by_default: bool, best: str | None, tuned: dict) -> str:
    """What model made a viewer's list, its validated values, and how it uses ratings."""
    values = tuned_text(name, tuned)
    how = MODEL_NOTES.get(name, "")
    text = f"Model: {name}, {how} (validated values: {values}"
    if name in tuned:
        text += f", validation NDCG@{EVAL_K} {tuned[name].score:.3f}"
    text += ")."
    if by_default:
        text += (
            f" {best} is shown because it had the best validation score of the "
            f"{len(tuned) - ('Random' in tuned)} models tried (see How good is it)."
        )
    return text


def rating_columns(df: pd.DataFrame, cat: pd.DataFrame) -> pd.DataFrame:
    """IMDb and viewer rating columns for the rows of ``df`` (keys), dropped when empty."""
    out = pd.DataFrame(index=df.index)
    imdb = pd.to_numeric(cat["imdb_rating"].reindex(df["key"]), errors="coerce").to_numpy()
    users = pd.to_numeric(cat["avg_user_rating"].reindex(df["key"]), errors="coerce").to_numpy()
    if np.isfinite(imdb).any():
        out["IMDb rating"] = imdb
    elif np.isfinite(users).any():  # one rating column keeps the explanations in view
        out["Viewer rating"] = users
    return out


def result_table(
    catalog: pd.DataFrame, res: pd.DataFrame, extra: Mapping[str, Sequence]
) -> pd.DataFrame:
    """Rank, title, year, genres, score, ratings, then the ``extra`` explanation columns."""
    cat = catalog.reindex(res["key"])
    table = pd.DataFrame(
        {
            "#": np.arange(1, len(res) + 1),
            "Title": cat["title"].to_numpy(),
            "Year": pd.array(cat["year"].to_numpy(), dtype="Int64"),
            "Genres": cat["genres"].to_numpy(),
            "Score": res["score"].to_numpy(),
        }
    )
    table = pd.concat([table, rating_columns(res, catalog).reset_index(drop=True)], axis=1)
    for col, values in extra.items():
        table[col] = values
    return table


def table_height(n_rows: int) -> int:
    """Pixel height that shows every row (no inner scrolling for up to 30 results)."""
    return 38 + 35 * max(n_rows, 1)


def metrics_table(metrics: pd.DataFrame, tuned: Mapping[str, TuneResult]) -> pd.DataFrame:
    """The evaluation tab's table: model, validated values, validation NDCG, then each metric
    of ``METRIC_COLUMNS`` the comparison has as "value (low-high)" text."""
    table = pd.DataFrame(
        {
            "Model": metrics["model"],
            "Validated values": [tuned_text(n, tuned) for n in metrics["model"]],
            f"Validation NDCG@{EVAL_K}": metrics["validation"],
        }
    )
    for col in (c for c in METRIC_COLUMNS if c in metrics.columns):
        label, fmt = METRIC_COLUMNS[col]
        table[label] = [
            interval(v, lo, hi, fmt)
            for v, lo, hi in zip(metrics[col], metrics[f"{col}_low"], metrics[f"{col}_high"])
        ]
    return table
