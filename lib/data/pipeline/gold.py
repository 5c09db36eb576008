"""Gold: analysis-ready tables built from silver, each defined once as an Ibis expression.

Tables are built in dependency order and each is written before the next reads it
(sessions -> interactions -> users -> titles -> the rest), so no step holds more than one
big table and every engine (DuckDB, Spark) runs the same definitions.

Definitions shown to analysts live here as constants, so pages quote the same words.

Size (about 800 lines, over the project's ~700): one Ibis definition per gold table (eleven
tables and the 26 gold checks) run by both engines; splitting it per table would spread the
shared column contracts and helpers over several files for no reader's gain.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from lib.config import (
    GOLD_SCHEMA,
    KEY_COLUMNS,
    LIST_SEP,
    SEASON_SUFFIX,
    device_share_col,
    genre_share_col,
)
from lib.data.pipeline.engine import Engine, Task, round_half_up, run_tasks, strip, table_path
from lib.glossary import (  # the definitions the gold tables implement, stated once
    AGE_BANDS,
    COMPLETED_DEFINITION,
    ENGAGEMENT_SCORE_DEFINITION,
    RFM_DEFINITION,
    WEIGHTED_RATING_DEFINITION,
)

__all__ = [
    "ENGAGEMENT_SCORE_DEFINITION",
    "WEIGHTED_RATING_DEFINITION",
    "COMPLETED_DEFINITION",
    "RFM_DEFINITION",
    "AGE_BANDS",
    "GOLD_ORDER",
    "build_gold",
    "split_list",
]

log = logging.getLogger(__name__)

LATE_NIGHT_HOURS = (22, 23, 0, 1, 2, 3, 4)
MAX_GENRE_SHARES = 24
GOLD_ORDER = tuple(GOLD_SCHEMA)


# ------------------------------------------------------------------------------ helpers ---
def _null(kind: str) -> ir.Value:
    return ibis.null("string" if kind == "category" else kind)


def _cast(v: ir.Value, kind: str) -> ir.Value:
    kind = "string" if kind == "category" else kind
    return v if v.type() == ibis.dtype(kind) else v.cast(kind)


def _conform(t: ir.Table, name: str, extra: list[str] | None = None) -> ir.Table:
    """The table's canonical columns in order, with their types (missing ones NULL)."""
    cols = {}
    for c, kind in GOLD_SCHEMA[name].items():
        cols[c] = _cast(t[c], kind) if c in t.columns else _null(kind)
    for c in extra or []:
        if c not in cols:
            cols[c] = t[c]
    return t.select(**cols)


def _empty(engine: Engine, name: str) -> ir.Table:
    frame = pd.DataFrame({c: pd.Series(dtype=_pandas(k)) for c, k in GOLD_SCHEMA[name].items()})
    return engine.table(frame)


def _pandas(kind: str) -> str:
    return {
        "string": "str",
        "category": "str",
        "float64": "float64",
        "int64": "int64",
        "int32": "int32",
        "int8": "int8",
        "boolean": "boolean",
        "timestamp": "datetime64[us]",
    }[kind]


def _col(t: ir.Table, c: str, kind: str = "float64") -> ir.Value:
    return t[c] if c in t.columns else ibis.null(kind)


def _age_band(age: ir.NumericValue) -> ir.StringValue:
    return ibis.cases(
        *[((age >= lo) & (age < hi), label) for lo, hi, label in AGE_BANDS],
        else_=ibis.null("string"),
    )


def _days(end: ir.Value, start: ir.Value) -> ir.FloatingValue:
    """Whole days from ``start`` to ``end`` (floor of the elapsed time, as pandas' ``.days``)."""
    return ((end.epoch_seconds() - start.epoch_seconds()) / 86400).floor().cast("float64")


def _pct_rank(v: ir.NumericValue) -> ir.FloatingValue:
    """pandas' ``rank(pct=True, method="average")``: mean rank of ties / non-missing count."""
    # 0-based min rank = values strictly before in sort order (missing values sort last)
    below = ibis.rank().over(order_by=v.asc(nulls_first=False))
    ties = v.count().over(group_by=v)
    n = v.count().over()
    return ibis.cases(
        (v.isnull(), ibis.null("float64")),
        else_=(below + (ties + 1) / 2) / n,
    )


def _keyed(t: ir.Table | None, id_col: str) -> ir.Table | None:
    """``t`` with the integer surrogate key of ``id_col`` (``lib.config.KEY_COLUMNS``: title_id
    -> title_key, user_id -> user_key): the 0-based dense rank of the id in byte order, NULL
    where the id is missing; the same on every engine (DuckDB and Spark order text by bytes)."""
    if t is None:
        return None
    v = t[id_col]
    rank = ibis.dense_rank().over(order_by=v.asc(nulls_first=False)).cast("int32")
    key = KEY_COLUMNS[id_col]
    return t.mutate(**{key: ibis.cases((v.isnull(), _null("int32")), else_=rank)})


def _ids(col: str, *parts: tuple[ir.Table | None, str]) -> ir.Table | None:
    """The distinct values of the ``(table, column)`` parts as column ``col`` (None if none)."""
    cols = [t.select(**{col: t[c].cast("string")}) for t, c in parts if t is not None]
    return (ibis.union(*cols) if len(cols) > 1 else cols[0]).distinct() if cols else None


def _quintile(v: ir.Value, tie: ir.Value) -> ir.Value:
    """Quintile 1-5 of ``v`` (ties broken by ``tie``); NULL where ``v`` is missing."""
    q = ibis.ntile(5).over(group_by=v.isnull(), order_by=[v.asc(nulls_first=False), tie]) + 1
    return ibis.cases((v.isnull(), ibis.null("float64")), else_=q.cast("float64"))


# ----------------------------------------------------------------------------- titles -----
def _titles_base(s: Mapping[str, ir.Table], ids: ir.Table | None) -> ir.Table | None:
    if "movies" not in s:
        return None
    m = s["movies"]
    ren = {
        "title_id": "movie_id",
        "maturity_rating": "rating",
        "country": "country_of_origin",
        "added_date": "added_to_platform",
        "is_original": "is_netflix_original",
    }
    m = m.rename({k: v for k, v in ren.items() if v in m.columns})
    ctype = _col(m, "content_type", "string")
    seasons = _col(m, "number_of_seasons")
    is_series = ctype.isin(["TV Series", "Limited Series"]).fill_null(False) | (
        seasons.fill_null(0) > 0
    )
    return m.mutate(is_series=is_series)


# ---------------------------------------------------------------------------- sessions ----
def _sessions(wh: ir.Table, titles: ir.Table | None, users: ir.Table | None) -> ir.Table:
    ren = {
        "title_id": "movie_id",
        "watch_ts": "watch_date",
        "watch_minutes": "watch_duration_minutes",
        "progress_pct": "progress_percentage",
    }
    w = wh.rename({k: v for k, v in ren.items() if v in wh.columns})
    prog = _col(w, "progress_pct")
    action = _col(w, "action", "string")
    w = w.mutate(
        date=w.watch_ts.truncate("D"),
        hour=w.watch_ts.hour().cast("int8"),
        weekday=w.watch_ts.day_of_week.index().cast("int8"),
        completed=(prog >= 90).fill_null(False) | (action.lower() == "completed").fill_null(False),
    )
    if titles is not None:
        t = titles.select(
            _tid=titles.title_id,
            genre_primary=_col(titles, "genre_primary", "string"),
            content_type=_col(titles, "content_type", "string"),
            release_year=_col(titles, "release_year"),
            maturity_rating=_col(titles, "maturity_rating", "string"),
            title_country=_col(titles, "country", "string"),
            title_key=_col(titles, "title_key", "int32"),
        )
        w = w.drop(*[c for c in t.columns if c in w.columns and c != "_tid"])
        w = w.left_join(t, w.title_id == t._tid).drop("_tid")
    if users is not None:
        u = users.select(
            _uid=users.user_id,
            subscription_plan=_col(users, "subscription_plan", "string"),
            age_band=_age_band(users.age) if "age" in users.columns else ibis.null("string"),
            user_country=_col(users, "country", "string"),
            user_key=_col(users, "user_key", "int32"),
        )
        w = w.drop(*[c for c in u.columns if c in w.columns and c != "_uid"])
        w = w.left_join(u, w.user_id == u._uid).drop("_uid")
    # in no set order, like silver: every reader of the sessions aggregates or orders them
    # itself, and sorting 10.5M rows by time (scale 100) was 9 of the table's 19 s
    return _conform(w, "sessions")


# ------------------------------------------------------------------------ interactions ----
def _explicit_ratings(s: Mapping[str, ir.Table]) -> ir.Table | None:
    parts = []
    wh = s.get("watch_history")
    if wh is not None and "user_rating" in wh.columns:
        parts.append(
            wh.select(
                user_id=wh.user_id,
                title_id=wh.movie_id,
                rating=wh.user_rating.cast("float64"),
                ts=wh.watch_date.cast("timestamp"),
            )
        )
    r = s.get("reviews")
    if r is not None and "rating" in r.columns:
        parts.append(
            r.select(
                user_id=r.user_id,
                title_id=r.movie_id,
                rating=r.rating.cast("float64"),
                ts=_col(r, "review_date", "timestamp").cast("timestamp"),
            )
        )
    r = s.get("ratings")
    if r is not None:
        parts.append(
            r.select(
                user_id=r.user_id,
                title_id=r.movie_id,
                rating=r.rating.cast("float64"),
                ts=_col(r, "rated_at", "timestamp").cast("timestamp"),
            )
        )
    if not parts:
        return None
    out = ibis.union(*parts) if len(parts) > 1 else parts[0]
    return out.filter(out.rating.notnull())


def _interactions(sessions: ir.Table | None, ratings: ir.Table | None) -> ir.Table | None:
    imp = None
    if sessions is not None:
        frac = (sessions.progress_pct / 100).fill_null(0.5).clip(lower=0.1, upper=1.0)
        imp = (
            sessions.mutate(_w=frac)
            .group_by(["user_id", "title_id"])
            .aggregate(
                weight=lambda t: t._w.sum(),
                n_sessions=lambda t: t.count(),
                last_ts=lambda t: t.watch_ts.max(),
            )
        )
    exp = None
    if ratings is not None:
        exp = ratings.group_by(["user_id", "title_id"]).aggregate(
            rating=lambda t: t.rating.mean(), rated_ts=lambda t: t.ts.max()
        )
    if imp is None and exp is None:
        return None
    if exp is None:
        out = imp.mutate(rating=ibis.null("float64"))
    elif imp is None:
        out = exp.mutate(weight=1.0, n_sessions=0, last_ts=exp.rated_ts)
    else:
        e = exp.rename(_u="user_id", _t="title_id")
        j = imp.outer_join(e, (imp.user_id == e._u) & (imp.title_id == e._t))
        out = j.select(
            user_id=ibis.coalesce(j.user_id, j._u),
            title_id=ibis.coalesce(j.title_id, j._t),
            weight=j.weight.fill_null(1.0),
            rating=j.rating,
            n_sessions=j.n_sessions.fill_null(0),
            last_ts=ibis.coalesce(j.last_ts, j.rated_ts),
        )
    out = out.mutate(weight=round_half_up(out.weight, 4))
    return _conform(out, "interactions").order_by(["user_id", "title_id"])


# ------------------------------------------------------------------------------- users ----
def _users(
    engine: Engine,
    s: Mapping[str, ir.Table],
    sessions: ir.Table | None,
    inter: ir.Table | None,
    titles: ir.Table | None,
    as_of: pd.Timestamp,
    stash: Callable[[str, ir.Table], ir.Table] = lambda _n, t: t,
) -> tuple[ir.Table, list[str]]:
    """The viewer table with per-viewer watch measures (``stash(name, expr)`` computes a big
    intermediate once and returns it: :meth:`Engine.stash`)."""
    if "users" in s:
        u = s["users"]
    else:
        parts = []
        if sessions is not None:
            parts.append(sessions.select(user_id=sessions.user_id.cast("string")))
        if inter is not None:
            parts.append(inter.select(user_id=inter.user_id.cast("string")))
        if not parts:
            return _empty(engine, "users"), []
        u = (ibis.union(*parts) if len(parts) > 1 else parts[0]).distinct()
    if "age" in u.columns:
        u = u.mutate(age_band=_age_band(u.age))
    extra: list[str] = []
    data_end = as_of
    if sessions is not None:
        latest = engine.to_pandas(sessions.watch_ts.max())
        if latest is not None and not pd.isna(latest):
            data_end = pd.Timestamp(latest)
    end = ibis.literal(data_end.to_pydatetime(), type="timestamp")
    if sessions is not None:
        present = sessions.filter(sessions.device_type.notnull()).select("device_type")
        devices = sorted(engine.to_pandas(present.distinct())["device_type"].astype(str))
        counts = engine.to_pandas(
            sessions.filter(sessions.genre_primary.notnull())
            .group_by("genre_primary")
            .aggregate(n=lambda t: t.count())
            .order_by([ibis.desc("n"), "genre_primary"])
        )
        top_genres = list(counts["genre_primary"][:MAX_GENRE_SHARES])
        dev_has = sessions.device_type.notnull().cast("float64")
        gen_has = sessions.genre_primary.notnull().cast("float64")
        aggs: dict[str, ir.Scalar] = {
            "sessions": sessions.count(),
            # rounded so that summation order (threads, engines) cannot change ranks
            "watch_hours": round_half_up((sessions.watch_minutes / 60).sum(), 6),
            "avg_completion": round_half_up((sessions.progress_pct / 100).mean(), 9),
            "active_days": sessions.date.nunique(),
            "first_watch": sessions.watch_ts.min(),
            "last_watch": sessions.watch_ts.max(),
            "late_night_share": sessions.hour.isin(LATE_NIGHT_HOURS).cast("float64").mean(),
            "weekend_share": (sessions.weekday >= 5).cast("float64").mean(),
            "download_share": sessions.is_download.cast("float64").mean(),
            "_dev_n": dev_has.sum(),
            "_gen_n": gen_has.sum(),
        }
        for d in devices:
            aggs[f"_d{devices.index(d)}"] = (
                (sessions.device_type == d).fill_null(False).cast("float64").sum()
            )
        for i, g in enumerate(top_genres):
            aggs[f"_g{i}"] = (sessions.genre_primary == g).fill_null(False).cast("float64").sum()
        # one pass over the sessions, written on its own: in the same query as the joins
        # below, DuckDB ran this grouping short of memory (at scale 100: 12 s, 1 GB spilled;
        # alone 5 s)
        agg = stash("user_measures", sessions.group_by("user_id").aggregate(**aggs))
        dev_cols = {device_share_col(d): agg[f"_d{i}"] / agg._dev_n for i, d in enumerate(devices)}
        gen_cols = {
            genre_share_col(g): agg[f"_g{i}"] / agg._gen_n for i, g in enumerate(top_genres)
        }
        agg = agg.mutate(**{k: v.fill_null(0.0) for k, v in {**dev_cols, **gen_cols}.items()})
        if top_genres:
            gsum = sum((agg[genre_share_col(g)] for g in top_genres), ibis.literal(0.0))
            best = ibis.greatest(*[agg[genre_share_col(g)] for g in top_genres])
            top = ibis.cases(
                *[(agg[genre_share_col(g)] == best, g) for g in top_genres],
                else_=ibis.null("string"),
            )
            agg = agg.mutate(top_genre=ibis.cases((gsum > 0, top), else_=ibis.null("string")))
        agg = agg.drop(*[c for c in agg.columns if c.startswith("_")])
        share_cols = [*dev_cols, *gen_cols]
        extra = share_cols
        keep = [c for c in u.columns if c not in agg.columns or c == "user_id"]
        u = u.select(keep)
        a = agg.rename(_uid="user_id")
        u = u.left_join(a, u.user_id == a._uid).drop("_uid")
        u = u.mutate(
            sessions=u.sessions.fill_null(0).cast("float64"),
            watch_hours=u.watch_hours.fill_null(0.0),
            active_days=u.active_days.fill_null(0).cast("float64"),
            **{c: u[c].fill_null(0.0) for c in share_cols},
        )
        u = u.mutate(recency_days=_days(end, u.last_watch))
    elif inter is not None:
        agg = inter.group_by("user_id").aggregate(
            sessions=lambda t: t.count(),
            last_watch=lambda t: t.last_ts.max(),
            first_watch=lambda t: t.last_ts.min(),
        )
        if titles is not None and "genre_primary" in titles.columns:
            tg = titles.select(_tid=titles.title_id, _genre=titles.genre_primary)
            ig = inter.left_join(tg, inter.title_id == tg._tid)
            counts = engine.to_pandas(
                ig.filter(ig._genre.notnull())
                .group_by("_genre")
                .aggregate(n=lambda t: t.count())
                .order_by([ibis.desc("n"), "_genre"])
            )
            keep_g = list(counts["_genre"][:MAX_GENRE_SHARES])
            gaggs = {"_n": ig._genre.notnull().cast("float64").sum()}
            for i, g in enumerate(keep_g):
                gaggs[f"_g{i}"] = (ig._genre == g).fill_null(False).cast("float64").sum()
            ga = ig.group_by("user_id").aggregate(**gaggs)
            gen_cols = {genre_share_col(g): ga[f"_g{i}"] / ga._n for i, g in enumerate(keep_g)}
            ga = ga.mutate(**{k: v.fill_null(0.0) for k, v in gen_cols.items()})
            if keep_g:
                best = ibis.greatest(*[ga[c] for c in gen_cols])
                ga = ga.mutate(
                    top_genre=ibis.cases(
                        *[(ga[genre_share_col(g)] == best, g) for g in keep_g],
                        else_=ibis.null("string"),
                    )
                )
            ga = ga.drop(*[c for c in ga.columns if c.startswith("_")]).rename(_gu="user_id")
            agg = agg.left_join(ga, agg.user_id == ga._gu).drop("_gu")
            extra = list(gen_cols)
        a = agg.rename(_uid="user_id")
        u = u.left_join(a, u.user_id == a._uid).drop("_uid")
        u = u.mutate(recency_days=_days(u.last_watch.max().over(), u.last_watch))
    if "subscription_start_date" in u.columns:
        u = u.mutate(tenure_days=_days(end, u.subscription_start_date))
    if inter is not None:
        rated = inter.filter(inter.rating.notnull())
        r = rated.group_by("user_id").aggregate(
            n_ratings=lambda t: t.count(), avg_rating=lambda t: t.rating.mean()
        )
        r = r.rename(_ru="user_id")
        u = u.left_join(r, u.user_id == r._ru).drop("_ru")
        u = u.mutate(n_ratings=u.n_ratings.fill_null(0).cast("float64"))
    return u, extra


def _engagement_scores(engine: Engine, u: ir.Table) -> ir.Table:
    """Engagement score and RFM scores and segment, joined to the users by id.

    The ranks are computed on a narrow table (id + the measures): a window sorts every
    column it carries, and the users table has dozens of share columns.
    """
    cands = [
        c
        for c in (
            "watch_hours",
            "sessions",
            "avg_completion",
            "active_days",
            "recency_days",
            "monthly_spend",
        )
        if c in u.columns
    ]
    counts = engine.row(u.aggregate(**{c: u[c].count() for c in cands})) if cands else {}
    has = {c: bool(counts.get(c)) for c in cands}
    parts = [c for c in ("watch_hours", "sessions", "avg_completion", "active_days") if has.get(c)]
    narrow = u.select("user_id", *cands)
    out: dict[str, ir.Value] = {}
    if parts:
        ranks = [_pct_rank(narrow[c]) for c in parts]
        total = sum((r.fill_null(0.0) for r in ranks), ibis.literal(0.0))
        n = sum((r.notnull().cast("float64") for r in ranks), ibis.literal(0.0))
        out["engagement_score"] = ibis.cases(
            (n > 0, round_half_up(100 * total / n, 1)), else_=ibis.null("float64")
        )
    if has.get("recency_days"):
        if has.get("monthly_spend"):
            money = narrow.monthly_spend
        else:
            money = narrow.watch_hours if "watch_hours" in narrow.columns else None
        out["r_score"] = 6 - _quintile(narrow.recency_days, narrow.user_id)
        out["f_score"] = _quintile(narrow.sessions, narrow.user_id)
        out["m_score"] = (
            _quintile(money, narrow.user_id) if money is not None else ibis.null("float64")
        )
    if not out:
        return u
    keep = ["user_id", *(["recency_days"] if has.get("recency_days") else [])]
    scores = narrow.select(*keep, **out)
    if has.get("recency_days"):
        r, f = scores.r_score, scores.f_score
        seg = ibis.cases(
            ((r >= 4) & (f >= 4), "Champions"),
            (f >= 4, "Loyal"),
            ((r <= 2) & (f >= 3), "At risk"),
            ((r <= 2) & (f <= 2), "Hibernating"),
            ((r >= 4) & (f <= 2), "New or returning"),
            else_="Regular",
        )
        scores = scores.mutate(
            rfm_segment=ibis.cases((scores.recency_days.notnull(), seg), else_=ibis.null("string"))
        ).drop("recency_days")
    scores = scores.rename(_sid="user_id")
    u = u.drop(*[c for c in scores.columns if c in u.columns])
    return u.left_join(scores, u.user_id == scores._sid).drop("_sid")


# ------------------------------------------------------------------------ title metrics ---
def _top10_per_title(s: Mapping[str, ir.Table]) -> tuple[ir.Table | None, bool]:
    """Per-title Top 10 facts from weekly charts and/or a per-title label file.

    Weekly charts mark every charted title ``in_top10 = 1``; a label file (such as seed 000's
    table) also gives explicit zeros. When both exist, a title is in the Top 10 if either
    says so, and chart measures come from the weekly rows where available. Returns the table
    and whether a label file defines the universe of titles.
    """
    weekly = labels = None
    w = s.get("top10_weekly")
    if w is not None:
        weekly = w.group_by(_id=w.movie_id).aggregate(
            weeks=lambda t: t.week.nunique().cast("float64"),
            weekly_hours_viewed=lambda t: t.weekly_hours_viewed.mean(),
            weekly_views=lambda t: _col(t, "weekly_views").mean(),
            cumulative_weeks_in_top10=lambda t: _col(t, "cumulative_weeks_in_top_10").max(),
        )
        weekly = weekly.mutate(in_top10=ibis.literal(1, type="int64"))
    lt = s.get("top10_titles")
    if lt is not None:
        flag = _col(lt, "in_top10").fill_null(0).cast("int64")
        cum = _col(lt, "cumulative_weeks_in_top_10")
        labels = lt.select(
            _id=lt.movie_id,
            weeks=ibis.coalesce(cum, flag.cast("float64")),
            weekly_hours_viewed=_col(lt, "weekly_hours_viewed"),
            weekly_views=_col(lt, "weekly_views"),
            cumulative_weeks_in_top10=cum,
            in_top10=flag,
        )
    if weekly is None:
        return labels, labels is not None
    if labels is None:
        return weekly, False
    lab = labels.rename(**{f"l_{c}": c for c in labels.columns})
    j = weekly.outer_join(lab, weekly._id == lab.l__id)
    out = j.select(
        _id=ibis.coalesce(j._id, j.l__id),
        **{
            c: ibis.coalesce(j[c], j[f"l_{c}"])
            for c in ("weeks", "weekly_hours_viewed", "weekly_views", "cumulative_weeks_in_top10")
        },
        in_top10=ibis.greatest(j.in_top10.fill_null(0), j.l_in_top10.fill_null(0)),
        _in_labels=j.l__id.notnull(),
    )
    return out, True


def _weighted_rating(engine: Engine, t: ir.Table) -> ir.Value:
    cands = [
        c for c in ("imdb_rating", "imdb_votes", "avg_user_rating", "n_ratings") if c in t.columns
    ]
    counts = engine.row(t.aggregate(**{c: t[c].count() for c in cands})) if cands else {}

    def has(c: str) -> bool:
        return bool(counts.get(c))

    if has("imdb_rating"):
        r, v = t.imdb_rating, (t.imdb_votes if "imdb_votes" in t.columns else None)
        vname = "imdb_votes"
    elif has("avg_user_rating"):
        r, v = t.avg_user_rating * 2, (t.n_ratings if "n_ratings" in t.columns else None)
        vname = "n_ratings"
    else:
        return ibis.null("float64")
    if v is None or not has(vname):
        return r
    stats = engine.row(t.aggregate(c=r.mean(), m=v.median()))
    c = float(stats["c"])
    m = max(float(stats["m"]), 1.0)
    v = v.fill_null(0)
    wr = round_half_up((v / (v + m)) * r + (m / (v + m)) * c, 3)
    return ibis.cases((r.notnull(), wr), else_=ibis.null("float64"))


def _title_metrics(
    engine: Engine,
    titles: ir.Table,
    sessions: ir.Table | None,
    inter: ir.Table | None,
    s: Mapping[str, ir.Table],
    n_users: int,
) -> ir.Table:
    t = titles
    if sessions is not None:
        agg = sessions.group_by(_tid=sessions.title_id).aggregate(
            sessions=lambda x: x.count().cast("float64"),
            viewers=lambda x: x.user_id.nunique().cast("float64"),
            watch_hours=lambda x: (x.watch_minutes / 60).sum(),
            avg_completion=lambda x: (x.progress_pct / 100).mean(),
        )
        t = t.drop(*[c for c in agg.columns if c in t.columns])
        t = t.left_join(agg, t.title_id == agg._tid).drop("_tid")
        t = t.mutate(sessions=t.sessions.fill_null(0.0), viewers=t.viewers.fill_null(0.0))
    if inter is not None:
        rated = inter.filter(inter.rating.notnull())
        if engine.to_pandas(inter.rating.count()):
            ragg = rated.group_by(_tid=rated.title_id).aggregate(
                avg_user_rating=lambda x: x.rating.mean(),
                n_ratings=lambda x: x.count().cast("float64"),
            )
            t = t.drop(*[c for c in ragg.columns if c in t.columns])
            t = t.left_join(ragg, t.title_id == ragg._tid).drop("_tid")
            t = t.mutate(n_ratings=t.n_ratings.fill_null(0.0))
    if n_users:
        if "viewers" in t.columns:
            t = t.mutate(popularity=t.viewers / n_users)
        elif inter is not None:
            reach = inter.group_by(_tid=inter.title_id).aggregate(_reach=lambda x: x.count())
            t = t.left_join(reach, t.title_id == reach._tid).drop("_tid")
            t = t.mutate(popularity=t._reach.fill_null(0) / n_users).drop("_reach")
    per, _ = _top10_per_title(s)
    if per is not None:
        p = per.select(_id=per._id, _weeks=per.weeks, _in=per.in_top10)
        t = t.left_join(p, t.title_id == p._id).drop("_id")
        t = t.mutate(
            weeks_in_top10=t._weeks.fill_null(0).cast("int64"),
            in_top10=t._in.fill_null(0).cast("int64"),
        ).drop("_weeks", "_in")
    return t


def _top10_training(titles: ir.Table, s: Mapping[str, ir.Table]) -> ir.Table | None:
    per, universe = _top10_per_title(s)
    if per is None:
        return None
    p = per.select(
        _id=per._id,
        _hours=per.weekly_hours_viewed,
        _views=per.weekly_views,
        _cum=per.cumulative_weeks_in_top10,
        _label=per.in_top10,
        _in_labels=per._in_labels if "_in_labels" in per.columns else ibis.literal(True),
    )
    base = titles.drop(
        *[
            c
            for c in (
                "in_top10",
                "weekly_hours_viewed",
                "weekly_views",
                "cumulative_weeks_in_top10",
            )
            if c in titles.columns
        ]
    )
    t = base.left_join(p, base.title_id == p._id)
    if universe:
        # a per-title label file defines the universe of titles (e.g. seed 000's table)
        t = t.filter(t._in_labels.fill_null(False))
    # post-release measures only exist for titles that charted (0 otherwise), as in the
    # published Top 10 files: this is the leakage trap the Top 10 page demonstrates
    t = t.mutate(
        in_top10=t._label.fill_null(0).cast("int64"),
        weekly_hours_viewed=t._hours.fill_null(0.0),
        weekly_views=t._views.fill_null(0.0),
        cumulative_weeks_in_top10=t._cum.fill_null(0.0),
    )
    return _conform(t, "top10_training").order_by("title_id")


# -------------------------------------------------------------------- the small tables ----
def _engagement_daily(sessions: ir.Table) -> ir.Table:
    keys = ["date", "device_type", "subscription_plan", "location_country"]
    g = sessions.group_by(keys).aggregate(
        sessions=lambda t: t.count(),
        viewers=lambda t: t.user_id.nunique(),
        watch_hours=lambda t: (t.watch_minutes / 60).sum(),
        completed_sessions=lambda t: t.completed.cast("int64").sum(),
    )
    return _conform(g, "engagement_daily").order_by(keys)


def _content_performance(titles: ir.Table, s: Mapping[str, ir.Table]) -> ir.Table:
    t = titles.select(
        title_id=titles.title_id,
        title=_col(titles, "title", "string"),
        genre_primary=_col(titles, "genre_primary", "string"),
        sessions=_col(titles, "sessions"),
        viewers=_col(titles, "viewers"),
        watch_hours=_col(titles, "watch_hours"),
        completion_rate=_col(titles, "avg_completion"),
        avg_user_rating=_col(titles, "avg_user_rating"),
    )
    r = s.get("reviews")
    if r is not None:
        ra = r.group_by(_tid=r.movie_id).aggregate(
            reviews=lambda x: x.count().cast("float64"),
            avg_sentiment=lambda x: _col(x, "sentiment_score").mean(),
        )
        t = t.left_join(ra, t.title_id == ra._tid).drop("_tid")
    rl = s.get("recommendation_logs")
    if rl is not None:
        ra = rl.group_by(_tid=rl.movie_id).aggregate(
            rec_impressions=lambda x: x.count().cast("float64"),
            rec_clicks=lambda x: _col(x, "was_clicked", "boolean").cast("float64").sum(),
        )
        t = t.left_join(ra, t.title_id == ra._tid).drop("_tid")
        t = t.mutate(rec_ctr=t.rec_clicks / t.rec_impressions)
    return _conform(t, "content_performance").order_by("title_id")


def _recommendation_performance(rl: ir.Table) -> ir.Table:
    keys = ["recommendation_type", "algorithm_version", "position_in_list"]
    rl = rl.mutate(**{k: _col(rl, k, "string") for k in keys if k not in rl.columns})
    g = rl.group_by(keys).aggregate(
        impressions=lambda t: t.count(),
        clicks=lambda t: _col(t, "was_clicked", "boolean").cast("float64").sum(),
    )
    g = g.mutate(ctr=g.clicks / g.impressions)
    return _conform(g, "recommendation_performance").order_by(keys)


def _search_summary(sl: ir.Table) -> ir.Table:
    sl = sl.filter(sl.search_query.notnull())
    g = (
        sl.mutate(
            _q=sl.search_query.lower(),
            _clicked=_col(sl, "clicked_result_position").notnull().cast("float64"),
            _typo=_col(sl, "had_typo", "boolean").cast("float64"),
        )
        .group_by("_q")
        .aggregate(
            searches=lambda t: t.count(),
            users=lambda t: t.user_id.nunique(),
            avg_results=lambda t: _col(t, "results_returned").mean(),
            click_rate=lambda t: t._clicked.mean(),
            typo_rate=lambda t: t._typo.mean(),
        )
        .rename(search_query="_q")
    )
    g = g.order_by([ibis.desc("searches"), "search_query"]).limit(500)
    return _conform(g, "search_summary")


def _top10_weekly(w: ir.Table, titles: ir.Table | None) -> ir.Table:
    w = w.rename(title_id="movie_id")
    if titles is not None:
        ids = titles.select(_tid=titles.title_id)
        w = w.left_join(ids, w.title_id == ids._tid)
        w = w.mutate(in_catalog=w._tid.notnull()).drop("_tid")
    else:
        w = w.mutate(in_catalog=ibis.literal(False))
    keys = ["week", "category", "weekly_rank"] + (
        ["country_iso2"] if "country_iso2" in w.columns else []
    )
    return _conform(w, "top10_weekly").order_by(keys)


def _engagement_report(r: ir.Table, titles: ir.Table | None) -> ir.Table:
    title = r.title.re_replace(r"\s+//.*$", "")  # "Title // alternative title": the first
    suffix = "(?i)(" + SEASON_SUFFIX + ")"
    season = strip(title.re_extract(suffix, 1).re_replace(r"^\s*:\s*", "")).nullif("")
    show = ibis.coalesce(strip(title.re_replace(suffix, "")).nullif(""), title)
    r = r.mutate(title_id=r.movie_id, season=season, show=show)
    if titles is not None:
        ids = titles.select(_tid=titles.title_id)
        r = r.left_join(ids, r.title_id == ids._tid)
        r = r.mutate(in_catalog=r._tid.notnull()).drop("_tid")
    else:
        r = r.mutate(in_catalog=ibis.literal(False))
    return _conform(r, "engagement_report").order_by(
        ["period_start", ibis.desc("hours_viewed"), "title"]
    )


# --------------------------------------------------------------------------------- build ---
def build_gold(
    engine: Engine,
    silver_dir: Path,
    gold_dir: Path,
    tables: list[str],
    as_of: pd.Timestamp,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write every gold table from the silver tables in ``tables``; return row counts.

    Each table is a build step (:func:`run_tasks`) that reads its inputs from the silver and
    gold files: on DuckDB two run at once (the summaries of recommendation and search logs
    beside the sessions, the daily engagement beside the viewers, ...).
    ``progress(label)`` is called from this thread only.
    """
    say = progress or (lambda _m: None)
    names = [n for n in tables if engine.rows(table_path(silver_dir, n)) > 0]
    work = gold_dir.parent / "_work" / "gold"
    cache: dict[int, tuple] = {}

    def inputs(e: Engine) -> tuple[dict[str, ir.Table], ir.Table | None, Any, Any]:
        """The silver tables, explicit ratings, and titles and viewers with their integer
        keys (before the sessions that carry the keys; without a catalog or viewer table:
        the ids the other tables refer to, known by id only), as tables of engine ``e``."""
        if id(e) not in cache:
            s = {n: e.read(table_path(silver_dir, n)) for n in names}
            ratings = _explicit_ratings(s)
            wh = s.get("watch_history")
            titles0 = _titles_base(s, None)
            if titles0 is None:
                top10 = s.get("top10_titles")
                titles0 = _ids(
                    "title_id", (wh, "movie_id"), (ratings, "title_id"), (top10, "movie_id")
                )
            users0 = s.get("users")
            if users0 is None:
                users0 = _ids("user_id", (wh, "user_id"), (ratings, "user_id"))
            cache[id(e)] = (s, ratings, _keyed(titles0, "title_id"), _keyed(users0, "user_id"))
        return cache[id(e)]

    def gold(e: Engine, name: str) -> ir.Table | None:
        path = table_path(gold_dir, name)
        return e.read(path) if e.rows(path) > 0 else None

    def write(e: Engine, name: str, expr: ir.Table | None, folder: Path = gold_dir) -> None:
        e.write(expr if expr is not None else _empty(e, name), table_path(folder, name))

    def sessions(e: Engine) -> None:
        s, _r, titles0, users0 = inputs(e)
        wh = s.get("watch_history")
        write(e, "sessions", _sessions(wh, titles0, users0) if wh is not None else None)

    def interactions(e: Engine) -> None:
        write(e, "interactions", _interactions(gold(e, "sessions"), inputs(e)[1]))

    users_extra: list[str] = []  # the users' extra columns (``_users``), kept in gold

    def users(e: Engine) -> None:
        s, _r, titles0, users0 = inputs(e)
        su = {**s, "users": users0} if users0 is not None else s

        def stash(name: str, expr: ir.Table) -> ir.Table:
            return e.stash(expr, table_path(work, name))

        sess, inter = gold(e, "sessions"), gold(e, "interactions")
        users_expr, extra = _users(e, su, sess, inter, titles0, as_of, stash)
        users_extra[:] = extra
        write(e, "users", users_expr, work)
        e.drop_stashed()

    def users_scored(e: Engine) -> None:
        users_work = (
            e.read(table_path(work, "users")) if e.rows(table_path(work, "users")) else None
        )
        if users_work is not None:
            scored = _engagement_scores(e, users_work).order_by("user_id")
            write(e, "users", _conform(scored, "users", users_extra))
        else:
            write(e, "users", None)

    def titles(e: Engine) -> None:
        s, _r, titles0, _u = inputs(e)
        if titles0 is None:
            write(e, "titles", None)
            return
        # the viewer count: rows of the users before scoring (the scores add columns only),
        # so the titles are built beside the scoring
        n_users = e.rows(table_path(work, "users"))
        sess, inter = gold(e, "sessions"), gold(e, "interactions")
        write(e, "titles", _title_metrics(e, titles0, sess, inter, s, n_users), work)
        t = e.read(table_path(work, "titles"))
        t = t.mutate(weighted_rating=_weighted_rating(e, t))
        write(e, "titles", _conform(t, "titles").order_by("title_id"))

    def of_titles(name: str, fn: Callable[[ir.Table, Mapping[str, ir.Table]], ir.Table]):
        def run(e: Engine) -> None:
            t = gold(e, "titles")
            write(e, name, fn(t, inputs(e)[0]) if t is not None else None)

        return run

    def engagement_daily(e: Engine) -> None:
        sess = gold(e, "sessions")
        write(e, "engagement_daily", _engagement_daily(sess) if sess is not None else None)

    def recommendation_performance(e: Engine) -> None:
        rl = inputs(e)[0].get("recommendation_logs")
        expr = _recommendation_performance(rl) if rl is not None else None
        write(e, "recommendation_performance", expr)

    def search_summary(e: Engine) -> None:
        sl = inputs(e)[0].get("search_logs")
        ok = sl is not None and "search_query" in sl.columns
        write(e, "search_summary", _search_summary(sl) if ok else None)

    def top10_weekly(t: ir.Table, s: Mapping[str, ir.Table]) -> ir.Table | None:
        w = s.get("top10_weekly")
        return _top10_weekly(w, t) if w is not None else None

    def engagement_report(t: ir.Table, s: Mapping[str, ir.Table]) -> ir.Table | None:
        er = s.get("engagement_report")
        return _engagement_report(er, t) if er is not None else None

    summaries = "Top 10, engagement and search summaries"
    tasks = [
        Task("sessions", sessions, message="sessions"),
        Task("interactions", interactions, ("sessions",), "interactions"),
        Task("users", users, ("sessions", "interactions"), "users"),
        Task("users_scored", users_scored, ("users",)),
        Task("titles", titles, ("sessions", "interactions", "users"), "titles"),
        Task("top10_training", of_titles("top10_training", _top10_training), ("titles",)),
        Task("engagement_daily", engagement_daily, ("sessions",)),
        Task(
            "content_performance",
            of_titles("content_performance", _content_performance),
            ("titles",),
        ),
        Task("recommendation_performance", recommendation_performance),
        Task("search_summary", search_summary),
        Task("top10_weekly", of_titles("top10_weekly", top10_weekly), ("titles",)),
        Task("engagement_report", of_titles("engagement_report", engagement_report), ("titles",)),
    ]

    def started(t: Task) -> None:  # the summaries that need no titles start earlier, unsaid
        if t.message or t.name == "top10_training":
            say(t.message or summaries)

    try:
        run_tasks(engine, tasks, started=started)
    finally:
        cache.clear()
    return {n: engine.rows(table_path(gold_dir, n)) for n in GOLD_ORDER}


def split_list(value: object) -> list[str]:
    """Items of a '|'-joined gold list cell (empty list for missing)."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [v for v in str(value).split(LIST_SEP) if v]
