"""Gold: analysis-ready tables built from silver (pure ``DataFrame -> DataFrame`` steps).

Definitions shown to analysts live here as constants, so pages quote the same words:
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from lib.config import GOLD_COLUMNS, LIST_SEP, device_share_col, genre_share_col

__all__ = [
    "ENGAGEMENT_SCORE_DEFINITION",
    "WEIGHTED_RATING_DEFINITION",
    "COMPLETED_DEFINITION",
    "AGE_BANDS",
    "build_gold",
]

ENGAGEMENT_SCORE_DEFINITION = (
    "Engagement score (0-100) = 100 x the mean of a viewer's percentile ranks on four "
    "measures: watch hours, sessions, average completion and active days. 50 is a typical "
    "viewer; 90 means more engaged than 90% of viewers on these measures combined."
)
WEIGHTED_RATING_DEFINITION = (
    "Weighted rating = IMDb's Bayesian average: (v / (v + m)) x R + (m / (v + m)) x C, where "
    "R is the title's rating, v its number of votes, C the mean rating of all titles and m "
    "the median number of votes. Titles with few votes are pulled towards the mean."
)
COMPLETED_DEFINITION = (
    "A session counts as completed when progress reached 90% or more, or the action was "
    "'completed'."
)
AGE_BANDS = (
    (0, 18, "<18"),
    (18, 25, "18-24"),
    (25, 35, "25-34"),
    (35, 45, "35-44"),
    (45, 55, "45-54"),
    (55, 65, "55-64"),
    (65, 200, "65+"),
)
LATE_NIGHT_HOURS = (22, 23, 0, 1, 2, 3, 4)
MAX_GENRE_SHARES = 24


def _age_band(age: pd.Series) -> pd.Series:
    bins = [b[0] for b in AGE_BANDS] + [AGE_BANDS[-1][1]]
    labels = [b[2] for b in AGE_BANDS]
    return pd.cut(age, bins=bins, labels=labels, right=False).astype("str").replace("nan", np.nan)


def _table(s: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame | None:
    """``s[name]`` read once, or None when the table is missing or empty."""
    df = s.get(name)
    return df if df is not None and len(df) else None


def _conform(df: pd.DataFrame, name: str, extra: list[str] | None = None) -> pd.DataFrame:
    cols = list(GOLD_COLUMNS[name]) + [c for c in (extra or []) if c not in GOLD_COLUMNS[name]]
    out = df.reindex(columns=cols)
    return out.reset_index(drop=True)


def _titles(s: dict[str, pd.DataFrame]) -> pd.DataFrame:
    if "movies" not in s:
        return pd.DataFrame(columns=list(GOLD_COLUMNS["titles"]))
    m = s["movies"].rename(
        columns={
            "movie_id": "title_id",
            "rating": "maturity_rating",
            "country_of_origin": "country",
            "added_to_platform": "added_date",
            "is_netflix_original": "is_original",
        }
    )
    ctype = m["content_type"] if "content_type" in m else pd.Series(np.nan, index=m.index)
    seasons = (
        m["number_of_seasons"] if "number_of_seasons" in m else pd.Series(np.nan, index=m.index)
    )
    m = m.assign(is_series=ctype.isin(["TV Series", "Limited Series"]) | (seasons.fillna(0) > 0))
    return m


def _sessions(
    watch_history: pd.DataFrame | None, titles: pd.DataFrame, users: pd.DataFrame
) -> pd.DataFrame:
    if watch_history is None:
        return pd.DataFrame(columns=list(GOLD_COLUMNS["sessions"]))
    w = watch_history.rename(
        columns={
            "movie_id": "title_id",
            "watch_date": "watch_ts",
            "watch_duration_minutes": "watch_minutes",
            "progress_percentage": "progress_pct",
        }
    )
    ts = w["watch_ts"]
    prog = w["progress_pct"] if "progress_pct" in w else pd.Series(np.nan, index=w.index)
    action = w["action"] if "action" in w else pd.Series(np.nan, index=w.index)
    w = w.assign(
        date=ts.dt.normalize(),
        hour=ts.dt.hour.astype("int8"),
        weekday=ts.dt.day_of_week.astype("int8"),
        completed=(prog >= 90) | (action.astype(str).str.lower() == "completed"),
    )
    tcols = [
        "title_id",
        "genre_primary",
        "content_type",
        "release_year",
        "maturity_rating",
        "country",
    ]
    t = titles.reindex(columns=tcols).rename(columns={"country": "title_country"})
    w = _lookup(w, t, "title_id")
    ucols = ["user_id", "subscription_plan", "age_band", "country"]
    u = users.reindex(columns=ucols).rename(columns={"country": "user_country"})
    w = _lookup(w, u, "user_id")
    if not _sorted_by_time(w):
        w = w.sort_values(["watch_ts", "session_id"], kind="stable")
    out = _conform(w, "sessions")
    for col in (
        "device_type",
        "quality",
        "location_country",
        "genre_primary",
        "content_type",
        "maturity_rating",
        "title_country",
        "subscription_plan",
        "age_band",
        "user_country",
        "action",
    ):
        out[col] = out[col].astype("category")
    return out


def _lookup(w: pd.DataFrame, table: pd.DataFrame, key: str) -> pd.DataFrame:
    """``w.merge(table, on=key, how="left")`` when ``table``'s keys are unique, without copying
    ``w``: each looked-up column is one take (text columns come back as categories)."""
    if table[key].duplicated().any() or w.columns.intersection(table.columns).size > 1:
        return w.merge(table, on=key, how="left")
    pos = pd.Index(table[key]).get_indexer(w[key])
    found = pos >= 0
    pos = np.where(found, pos, 0)
    new = {}
    for col in table.columns.drop(key):
        values = table[col]
        if len(values) == 0:
            new[col] = pd.Series(np.nan, index=w.index)
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            new[col] = np.where(found, values.to_numpy(dtype=float, na_value=np.nan)[pos], np.nan)
        else:
            cat = values.astype("category")
            codes = np.where(found, cat.cat.codes.to_numpy()[pos], -1)
            looked_up = pd.Categorical.from_codes(codes, dtype=cat.dtype)
            # a categorical keeps its categories, as merge does; text gets the ones it uses
            is_cat = isinstance(values.dtype, pd.CategoricalDtype)
            new[col] = looked_up if is_cat else looked_up.remove_unused_categories()
    return w.assign(**new)


def _sorted_by_time(w: pd.DataFrame) -> bool:
    """True when rows are already ordered by (watch_ts, session_id): no sort (copy) needed."""
    ts = w["watch_ts"]
    if ts.isna().any() or not ts.is_monotonic_increasing:
        return False
    tie = (ts.to_numpy()[1:] == ts.to_numpy()[:-1]).nonzero()[0]
    if not len(tie):
        return True
    sid = w["session_id"].astype(str).to_numpy()
    return bool((sid[tie + 1] >= sid[tie]).all())


def _explicit_ratings(
    s: Mapping[str, pd.DataFrame], watch_history: pd.DataFrame | None
) -> pd.DataFrame:
    parts = []
    w = watch_history
    if w is not None and "user_rating" in w:
        w = w[w["user_rating"].notna()]
        parts.append(
            pd.DataFrame(
                {
                    "user_id": w["user_id"],
                    "title_id": w["movie_id"],
                    "rating": w["user_rating"],
                    "ts": w["watch_date"],
                }
            )
        )
    r = s.get("reviews")
    if r is not None and "rating" in r:
        parts.append(
            pd.DataFrame(
                {
                    "user_id": r["user_id"],
                    "title_id": r["movie_id"],
                    "rating": r["rating"],
                    "ts": r.get("review_date"),
                }
            )
        )
    if "ratings" in s:
        r = s["ratings"]
        parts.append(
            pd.DataFrame(
                {
                    "user_id": r["user_id"],
                    "title_id": r["movie_id"],
                    "rating": r["rating"],
                    "ts": r.get("rated_at"),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["user_id", "title_id", "rating", "ts"])
    out = pd.concat(parts, ignore_index=True)
    return out[out["rating"].notna()]


def _interactions(sessions: pd.DataFrame, ratings: pd.DataFrame) -> pd.DataFrame:
    if len(sessions):
        frac = (sessions["progress_pct"].astype(float) / 100).fillna(0.5).clip(0.1, 1.0)
        imp = (
            sessions.assign(_w=frac)
            .groupby(["user_id", "title_id"], observed=True)
            .agg(
                weight=("_w", "sum"), n_sessions=("session_id", "size"), last_ts=("watch_ts", "max")
            )
            .reset_index()
        )
    else:
        imp = pd.DataFrame(columns=["user_id", "title_id", "weight", "n_sessions", "last_ts"])
    if len(ratings):
        exp = (
            ratings.groupby(["user_id", "title_id"])
            .agg(rating=("rating", "mean"), rated_ts=("ts", "max"))
            .reset_index()
        )
        out = imp.merge(exp, on=["user_id", "title_id"], how="outer")
        out["weight"] = out["weight"].astype(float).fillna(1.0)
        out["n_sessions"] = out["n_sessions"].fillna(0)
        out["last_ts"] = pd.to_datetime(out["last_ts"]).fillna(pd.to_datetime(out["rated_ts"]))
    else:
        out = imp.assign(rating=np.nan)
    out = out.assign(
        user_id=out["user_id"].astype("str"),
        title_id=out["title_id"].astype("str"),
        weight=out["weight"].astype(float).round(4),
        rating=out["rating"].astype(float),
        n_sessions=out["n_sessions"].astype("int32"),
    )
    return _conform(out.sort_values(["user_id", "title_id"], kind="stable"), "interactions")


def _title_metrics(
    titles: pd.DataFrame, sessions: pd.DataFrame, inter: pd.DataFrame, s: dict, n_users: int
) -> pd.DataFrame:
    t = titles.copy()
    if len(sessions):
        agg = (
            _with_units(sessions)
            .groupby("title_id", observed=True)
            .agg(
                sessions=("session_id", "size"),
                viewers=("user_id", "nunique"),
                watch_hours=("_hours", "sum"),
                avg_completion=("_completion", "mean"),
            )
        )
        t = t.join(agg, on="title_id")
        t["sessions"] = t["sessions"].fillna(0)
        t["viewers"] = t["viewers"].fillna(0)
    rated = inter[inter["rating"].notna()]
    if len(rated):
        ragg = rated.groupby("title_id").agg(
            avg_user_rating=("rating", "mean"), n_ratings=("rating", "size")
        )
        t = t.join(ragg, on="title_id")
        t["n_ratings"] = t["n_ratings"].fillna(0)
    reach = t["viewers"] if "viewers" in t else None
    if reach is None and len(inter):
        reach = t["title_id"].map(inter.groupby("title_id").size()).fillna(0)
    if reach is not None and n_users:
        t["popularity"] = reach / n_users
    weeks = _top10_per_title(s)
    if weeks is not None:
        t["weeks_in_top10"] = t["title_id"].map(weeks["weeks"]).fillna(0).astype(int)
        t["in_top10"] = t["title_id"].map(weeks["in_top10"]).fillna(0).astype(int)
    t["weighted_rating"] = _weighted_rating(t)
    return t


def _weighted_rating(t: pd.DataFrame) -> pd.Series:
    if "imdb_rating" in t and t["imdb_rating"].notna().any():
        r, v = t["imdb_rating"], t.get("imdb_votes")
    elif "avg_user_rating" in t and t["avg_user_rating"].notna().any():
        r, v = t["avg_user_rating"] * 2, t.get("n_ratings")  # 5-star scale -> 10
    else:
        return pd.Series(np.nan, index=t.index)
    if v is None or v.notna().sum() == 0:
        return r
    c = r.mean()
    m = max(float(v.median()), 1.0)
    v = v.fillna(0)
    return ((v / (v + m)) * r + (m / (v + m)) * c).where(r.notna()).round(3)


def _top10_per_title(s: dict) -> pd.DataFrame | None:
    """Per-title Top 10 facts from weekly charts and/or a per-title label file.

    Weekly charts mark every charted title ``in_top10 = 1``; a label file (such as seed 000's
    table) also gives explicit zeros. When both exist, a title is in the Top 10 if either
    says so, and chart measures come from the weekly rows where available.
    """
    weekly = labels = None
    w = _table(s, "top10_weekly")
    if w is not None:
        weekly = w.groupby("movie_id").agg(
            weeks=("week", "nunique"),
            weekly_hours_viewed=("weekly_hours_viewed", "mean"),
            weekly_views=("weekly_views", "mean"),
            cumulative_weeks_in_top10=("cumulative_weeks_in_top_10", "max"),
        )
        weekly = weekly.assign(in_top10=1)
    w = _table(s, "top10_titles")
    if w is not None:
        w = w.set_index("movie_id")
        flag = w["in_top10"].fillna(0).astype(int)
        cum = w["cumulative_weeks_in_top_10"] if "cumulative_weeks_in_top_10" in w else flag
        labels = pd.DataFrame(
            {
                "weeks": cum.fillna(flag),
                "weekly_hours_viewed": w.get("weekly_hours_viewed"),
                "weekly_views": w.get("weekly_views"),
                "cumulative_weeks_in_top10": w.get("cumulative_weeks_in_top_10"),
                "in_top10": flag,
            },
            index=w.index,
        )
    if weekly is None:
        return labels
    if labels is None:
        return weekly
    out = weekly.combine_first(labels)
    out["in_top10"] = weekly["in_top10"].reindex(out.index).fillna(0).astype(int) | labels[
        "in_top10"
    ].reindex(out.index).fillna(0).astype(int)
    out.attrs["universe"] = list(labels.index)
    return out


def _top10_training(titles: pd.DataFrame, s: dict) -> pd.DataFrame:
    per = _top10_per_title(s)
    if per is None or not len(titles):
        return _conform(pd.DataFrame(), "top10_training")
    t = titles.join(
        per[["weekly_hours_viewed", "weekly_views", "cumulative_weeks_in_top10"]],
        on="title_id",
    )
    if _table(s, "top10_titles") is not None:
        # a per-title label file defines the universe of titles (e.g. seed 000's table)
        t = t[t["title_id"].isin(per.attrs.get("universe", per.index))]
    label = t["title_id"].map(per["in_top10"]).fillna(0).astype(int)
    # post-release measures only exist for titles that charted (0 otherwise), as in the
    # published Top 10 files: this is the leakage trap the Top 10 page demonstrates
    t = t.assign(
        in_top10=label,
        weekly_hours_viewed=t["weekly_hours_viewed"].fillna(0),
        weekly_views=t["weekly_views"].fillna(0),
        cumulative_weeks_in_top10=t["cumulative_weeks_in_top10"].fillna(0),
    )
    return _conform(t.sort_values("title_id"), "top10_training")


def _users(
    s: dict,
    sessions: pd.DataFrame,
    inter: pd.DataFrame,
    titles: pd.DataFrame,
    as_of: pd.Timestamp,
) -> tuple[pd.DataFrame, list[str]]:
    if "users" in s:
        u = s["users"].copy()
    else:
        ids = pd.Index(sessions["user_id"].astype(str).unique()).union(
            pd.Index(inter["user_id"].astype(str).unique())
        )
        u = pd.DataFrame({"user_id": ids.sort_values()})
    if "age" in u:
        u["age_band"] = _age_band(u["age"])
    extra: list[str] = []
    data_end = sessions["watch_ts"].max() if len(sessions) else as_of
    if len(sessions):
        g = _with_units(sessions).groupby("user_id", observed=True)
        agg = g.agg(
            sessions=("session_id", "size"),
            watch_hours=("_hours", "sum"),
            avg_completion=("_completion", "mean"),
            active_days=("date", "nunique"),
            first_watch=("watch_ts", "min"),
            last_watch=("watch_ts", "max"),
        )
        flags = (
            sessions.assign(
                _late=sessions["hour"].isin(LATE_NIGHT_HOURS),
                _weekend=sessions["weekday"] >= 5,
                _dl=sessions["is_download"].astype(float) if "is_download" in sessions else np.nan,
            )
            .groupby("user_id", observed=True)[["_late", "_weekend", "_dl"]]
            .mean()
        )
        agg = agg.join(
            flags.rename(
                columns={
                    "_late": "late_night_share",
                    "_weekend": "weekend_share",
                    "_dl": "download_share",
                }
            )
        )
        dev = _shares(sessions, "device_type")
        dev.columns = [device_share_col(c) for c in dev.columns]
        gen_counts = sessions["genre_primary"].value_counts()
        top_genres = [g_ for g_ in gen_counts.index[:MAX_GENRE_SHARES] if gen_counts[g_] > 0]
        gen = _shares(sessions, "genre_primary")
        gen = gen.reindex(columns=top_genres, fill_value=0.0)
        top_genre = gen.idxmax(axis=1).where(gen.sum(axis=1) > 0)
        gen.columns = [genre_share_col(c) for c in gen.columns]
        agg = agg.join(dev).join(gen).assign(top_genre=top_genre)
        agg.index = agg.index.astype(str)
        u = u.drop(columns=[c for c in agg.columns if c in u]).join(agg, on="user_id")
        u["sessions"] = u["sessions"].fillna(0)
        u["watch_hours"] = u["watch_hours"].fillna(0)
        u["active_days"] = u["active_days"].fillna(0)
        share_cols = list(dev.columns) + list(gen.columns)
        u[share_cols] = u[share_cols].fillna(0.0)
        extra = share_cols
        u["recency_days"] = (data_end - u["last_watch"]).dt.days
    elif len(inter):
        g = inter.groupby("user_id")
        agg = g.agg(
            sessions=("title_id", "size"),
            last_watch=("last_ts", "max"),
            first_watch=("last_ts", "min"),
        )
        if len(titles) and "genre_primary" in titles:
            genre = inter["title_id"].map(titles.set_index("title_id")["genre_primary"])
            gen = pd.crosstab(inter["user_id"], genre, normalize="index")
            keep = genre.value_counts().index[:MAX_GENRE_SHARES]
            gen = gen.reindex(columns=keep, fill_value=0.0)
            agg["top_genre"] = gen.idxmax(axis=1)
            gen.columns = [genre_share_col(c) for c in gen.columns]
            agg = agg.join(gen)
            extra = list(gen.columns)
        u = u.join(agg, on="user_id")
        last = pd.to_datetime(u["last_watch"])
        u["recency_days"] = (last.max() - last).dt.days
    if "subscription_start_date" in u:
        u["tenure_days"] = (data_end - u["subscription_start_date"]).dt.days
    rated = inter[inter["rating"].notna()]
    if len(rated):
        r = rated.groupby("user_id")["rating"].agg(["size", "mean"])
        u["n_ratings"] = u["user_id"].map(r["size"]).fillna(0)
        u["avg_rating"] = u["user_id"].map(r["mean"])
    u = _engagement_scores(u)
    return u.sort_values("user_id", kind="stable"), extra


def _with_units(sessions: pd.DataFrame) -> pd.DataFrame:
    """Sessions plus watch hours and completion fraction columns (for fast aggregations)."""
    return sessions.assign(
        _hours=sessions["watch_minutes"].astype(float) / 60,
        _completion=sessions["progress_pct"].astype(float) / 100,
    )


def _shares(sessions: pd.DataFrame, col: str) -> pd.DataFrame:
    """Share of each user's sessions per value of ``col`` (rows sum to 1)."""
    counts = sessions.groupby(["user_id", col], observed=True).size().unstack(fill_value=0)
    counts.columns = [str(c) for c in counts.columns]
    return counts.div(counts.sum(axis=1), axis=0)


def _pct_rank(s: pd.Series) -> pd.Series:
    return s.rank(pct=True, method="average")


def _engagement_scores(u: pd.DataFrame) -> pd.DataFrame:
    parts = [
        c
        for c in ("watch_hours", "sessions", "avg_completion", "active_days")
        if c in u and u[c].notna().any()
    ]
    if parts:
        u["engagement_score"] = (
            100 * pd.concat([_pct_rank(u[c]) for c in parts], axis=1).mean(axis=1)
        ).round(1)
    if "recency_days" in u and u["recency_days"].notna().any():
        r = 6 - pd.qcut(u["recency_days"].rank(method="first"), 5, labels=False).add(1)
        f = pd.qcut(u["sessions"].rank(method="first"), 5, labels=False).add(1)
        money = (
            u["monthly_spend"]
            if "monthly_spend" in u and u["monthly_spend"].notna().any()
            else u.get("watch_hours")
        )
        m = (
            pd.qcut(money.rank(method="first"), 5, labels=False).add(1)
            if money is not None
            else np.nan
        )
        u["r_score"], u["f_score"], u["m_score"] = r, f, m
        seg = np.select(
            [
                (r >= 4) & (f >= 4),
                (f >= 4),
                (r <= 2) & (f >= 3),
                (r <= 2) & (f <= 2),
                (r >= 4) & (f <= 2),
            ],
            ["Champions", "Loyal", "At risk", "Hibernating", "New or returning"],
            default="Regular",
        )
        u["rfm_segment"] = pd.Series(seg, index=u.index).where(u["recency_days"].notna())
    return u


def _engagement_daily(sessions: pd.DataFrame) -> pd.DataFrame:
    if not len(sessions):
        return _conform(pd.DataFrame(), "engagement_daily")
    keys = ["date", "device_type", "subscription_plan", "location_country"]
    g = (
        _with_units(sessions)
        .groupby(keys, observed=True, dropna=False)
        .agg(
            sessions=("session_id", "size"),
            viewers=("user_id", "nunique"),
            watch_hours=("_hours", "sum"),
            completed_sessions=("completed", "sum"),
        )
    )
    return _conform(g.reset_index(), "engagement_daily")


def _content_performance(titles: pd.DataFrame, s: dict) -> pd.DataFrame:
    t = titles.reindex(
        columns=[
            "title_id",
            "title",
            "genre_primary",
            "sessions",
            "viewers",
            "watch_hours",
            "avg_completion",
            "avg_user_rating",
        ]
    )
    t = t.rename(columns={"avg_completion": "completion_rate"})
    reviews = _table(s, "reviews")
    if reviews is not None:
        r = reviews.groupby("movie_id").agg(
            reviews=("review_id", "size"), avg_sentiment=("sentiment_score", "mean")
        )
        t = t.join(r, on="title_id")
    rl = _table(s, "recommendation_logs")
    if rl is not None:
        r = (
            rl.assign(_c=rl["was_clicked"].astype(float))
            .groupby("movie_id")
            .agg(rec_impressions=("recommendation_id", "size"), rec_clicks=("_c", "sum"))
        )
        t = t.join(r, on="title_id")
        t["rec_ctr"] = t["rec_clicks"] / t["rec_impressions"]
    return _conform(t.sort_values("title_id"), "content_performance")


def _recommendation_performance(s: dict) -> pd.DataFrame:
    rl = _table(s, "recommendation_logs")
    if rl is None:
        return _conform(pd.DataFrame(), "recommendation_performance")
    g = (
        rl.assign(_c=rl["was_clicked"].astype(float))
        .groupby(["recommendation_type", "algorithm_version", "position_in_list"], dropna=False)
        .agg(impressions=("recommendation_id", "size"), clicks=("_c", "sum"))
    )
    g = g.reset_index()
    g["ctr"] = g["clicks"] / g["impressions"]
    return _conform(g, "recommendation_performance")


def _search_summary(s: dict) -> pd.DataFrame:
    sl = _table(s, "search_logs")
    if sl is None:
        return _conform(pd.DataFrame(), "search_summary")
    g = (
        sl.assign(
            _clicked=sl["clicked_result_position"].notna().astype(float),
            _typo=sl["had_typo"].astype(float),
            _q=sl["search_query"].str.lower(),
        )
        .groupby("_q")
        .agg(
            searches=("search_id", "size"),
            users=("user_id", "nunique"),
            avg_results=("results_returned", "mean"),
            click_rate=("_clicked", "mean"),
            typo_rate=("_typo", "mean"),
        )
    )
    g = g.reset_index().rename(columns={"_q": "search_query"})
    g = g.sort_values(["searches", "search_query"], ascending=[False, True]).head(500)
    return _conform(g, "search_summary")


def build_gold(silver: Mapping[str, pd.DataFrame], as_of: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """All gold tables from the cleaned silver tables (a dict, or a mapping that reads them)."""
    titles = _titles(silver)
    users_base = silver.get("users", pd.DataFrame(columns=["user_id"])).copy()
    if "age" in users_base:
        users_base["age_band"] = _age_band(users_base["age"])
    wh = silver.get("watch_history")  # read once: silver may be read from disk per access
    ratings = _explicit_ratings(silver, wh)
    sessions = _sessions(wh, titles, users_base)
    del wh
    inter = _interactions(sessions, ratings)
    del ratings
    users, extra = _users(silver, sessions, inter, titles, as_of)
    n_users = len(users)
    titles = _title_metrics(titles, sessions, inter, silver, n_users)
    top10 = _top10_training(titles, silver)
    titles = titles.sort_values("title_id", kind="stable")
    return {
        "titles": _conform(titles, "titles"),
        "users": _conform(users, "users", extra),
        "interactions": inter,
        "sessions": sessions,
        "engagement_daily": _engagement_daily(sessions),
        "content_performance": _content_performance(titles, silver),
        "top10_training": top10,
        "recommendation_performance": _recommendation_performance(silver),
        "search_summary": _search_summary(silver),
    }


def split_list(value: object) -> list[str]:
    """Items of a '|'-joined gold list cell (empty list for missing)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [v for v in str(value).split(LIST_SEP) if v]
