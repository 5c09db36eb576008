"""Silver: typed, deduplicated, validated tables; every removed or repaired row accounted for.

Rules (each one is counted in the quality report under the name given here):

Rows removed (kept in ``rejects`` with ``kind`` and ``reason``)
    * duplicates: exact copies of a row, then re-sent records with an id already seen
      (the first occurrence is kept) -> ``kind="duplicate"``
    * missing id, unparseable or future date, unknown foreign key (orphan) -> ``kind="rejected"``

Values repaired in place (row kept)
    * category spellings mapped to one canonical label (``"smart tv"`` -> ``"Smart TV"``)
    * out-of-range values set to missing: age outside 5-110, monthly spend above 200,
      durations <= 0 or above 24 h (sessions) / 1,000 min (titles), ratings outside their scale,
      a maturity rating cell that holds a duration ("74 min")
    * progress above 100% clipped to 100

Imputation (documented strategy per column, with an ``<col>_imputed`` flag)
    * users.age -> median age of the same subscription plan (overall median if none)
    * users.monthly_spend -> median spend of the same plan
    * users.household_size -> overall median
    * users.gender -> "Unknown"
    * sessions.progress_pct -> watch minutes / title runtime (capped at 100) when both exist
    * sessions.watch_minutes -> progress x title runtime when both exist
    * sessions.quality -> "Unknown"
    * titles: ratings, critic score, budget, box office are left missing (models impute inside
      their own pipelines so that imputation is fitted on training folds only)
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.config import DEVICES, LIST_SEP, PLANS, QUALITIES
from lib.filters import isin
from lib.pipeline.bronze import KEYS, META, duplicated_rows

__all__ = ["SilverResult", "clean_all", "clean_table", "ORDER", "CANONICAL"]


def _k(v: str) -> str:
    return re.sub(r"[^a-z0-9+]", "", str(v).lower())


CANONICAL: dict[str, dict[str, str]] = {
    "device": {
        **{_k(d): d for d in DEVICES},
        "tv": "Smart TV",
        "smarttv": "Smart TV",
        "mobilephone": "Mobile",
        "phone": "Mobile",
        "smartphone": "Mobile",
        "pc": "Desktop",
        "computer": "Desktop",
        "console": "Game Console",
        "gameconsole": "Game Console",
    },
    "plan": {
        **{_k(p): p for p in PLANS},
        "std": "Standard",
        "premiumplus": "Premium+",
    },
    "gender": {
        "f": "Female",
        "female": "Female",
        "woman": "Female",
        "m": "Male",
        "male": "Male",
        "man": "Male",
        "nonbinary": "Non-binary",
        "other": "Other",
    },
    "country": {
        "us": "USA",
        "usa": "USA",
        "unitedstates": "USA",
        "unitedstatesofamerica": "USA",
        "ca": "Canada",
        "canada": "Canada",
        "uk": "United Kingdom",
        "gb": "United Kingdom",
        "greatbritain": "United Kingdom",
        "unitedkingdom": "United Kingdom",
    },
    "quality": {
        **{_k(q): q for q in QUALITIES},
        "uhd4k": "4K",
        "uhd": "Ultra HD",
        "ultrahd": "Ultra HD",
        "hd": "HD",
        "sd": "SD",
    },
    "content_type": {
        "movie": "Movie",
        "film": "Movie",
        "tvshow": "TV Series",
        "tvseries": "TV Series",
        "series": "TV Series",
        "tv": "TV Series",
        "documentary": "Documentary",
        "limitedseries": "Limited Series",
        "standupcomedy": "Stand-up Comedy",
    },
}


Marks = tuple[pd.Series, pd.Series]  # exact-duplicate and key-duplicate row masks


@dataclass
class SilverResult:
    """One cleaned table plus the account of what was done to it."""

    name: str
    table: pd.DataFrame
    rows_in: int
    rejects: list[pd.DataFrame] = field(default_factory=list)
    duplicates_removed: int = 0
    rejected: int = 0
    reject_reasons: Counter = field(default_factory=Counter)
    repairs: Counter = field(default_factory=Counter)
    imputations: dict[str, dict] = field(default_factory=dict)

    def summary(self) -> dict:
        return {
            "rows_in": self.rows_in,
            "rows_out": len(self.table),
            "duplicates_removed": self.duplicates_removed,
            "rejected": self.rejected,
            "reject_reasons": dict(self.reject_reasons),
            "repairs": dict(self.repairs),
            "imputations": self.imputations,
            "balanced": self.rows_in == len(self.table) + self.rejected + self.duplicates_removed,
        }


class _Cleaner:
    def __init__(self, name: str, df: pd.DataFrame):
        self.res = SilverResult(name=name, table=df, rows_in=len(df))
        self.df = df

    # -- removal -------------------------------------------------------------------------
    def _remove(self, mask: pd.Series, reason: str, kind: str) -> None:
        mask = mask.fillna(False).astype(bool)
        n = int(mask.sum())
        if not n:
            return
        gone = self.df[mask]
        data_cols = [c for c in gone.columns if c not in META]
        records = gone[data_cols].astype(object).where(gone[data_cols].notna(), None)
        self.res.rejects.append(
            pd.DataFrame(
                {
                    "table": self.res.name,
                    "kind": kind,
                    "reason": reason,
                    "source": gone["_source"].astype(str).to_numpy() if "_source" in gone else "",
                    "row": gone["_row"].to_numpy() if "_row" in gone else -1,
                    "record": [
                        json.dumps(r, default=str, ensure_ascii=False)
                        for r in records.to_dict("records")
                    ],
                }
            )
        )
        if kind == "duplicate":
            self.res.duplicates_removed += n
        else:
            self.res.rejected += n
            self.res.reject_reasons[reason] += n
        self.df = self.df[~mask]

    def reject(self, mask: pd.Series, reason: str) -> None:
        self._remove(mask, reason, "rejected")

    def dedupe(self, key: tuple[str, ...] | None, marks: Marks | None = None) -> None:
        """Remove exact duplicate rows, then rows whose ``key`` was already seen.

        ``marks``: the two masks precomputed over the whole table (see ``_clean_in_chunks``),
        aligned on the index; this chunk's rows are looked up in them.
        """
        data_cols = [c for c in self.df.columns if c not in META]
        exact = (
            duplicated_rows(self.df, data_cols)
            if marks is None
            else marks[0].reindex(self.df.index, fill_value=False)
        )
        self._remove(exact, "exact duplicate row", "duplicate")
        if self.res.name == "top10_weekly" and "country_iso2" in self.df and key:
            key = (*key, "country_iso2")  # per-country charts share week/category/rank
        if key and all(k in self.df for k in key):
            self._remove(
                duplicated_rows(self.df, list(key))
                if marks is None
                else marks[1].reindex(self.df.index, fill_value=False),
                f"duplicate {'+'.join(key)} (first occurrence kept)",
                "duplicate",
            )

    def require(self, cols: tuple[str, ...]) -> None:
        for c in cols:
            if c in self.df:
                s = self.df[c]
                self.reject(s.isna() | (s.astype(str).str.strip() == ""), f"missing {c}")

    # -- typing and repairs ---------------------------------------------------------------
    def text(self, col: str) -> None:
        if col in self.df:
            s = self.df[col]
            s = s.where(s.isna(), s.astype(str).str.strip())
            self.df = self.df.assign(**{col: s.replace("", np.nan).astype("str")})

    def canon(self, col: str, kind: str) -> None:
        if col not in self.df:
            return
        mapping = CANONICAL[kind]
        s = self.df[col]
        uniques = s.dropna().unique()
        table = {}
        for u in uniques:
            stripped = str(u).strip()
            table[u] = mapping.get(_k(stripped), stripped)
        changed = sum(int((s == u).sum()) for u, v in table.items() if v != u)
        if changed:
            self.res.repairs[f"{col}: spelling normalised"] += changed
        self.df = self.df.assign(**{col: s.map(table).astype("str")})

    def number(self, col: str) -> None:
        if col in self.df:
            raw = self.df[col]
            num = pd.to_numeric(raw, errors="coerce")
            bad = int((num.isna() & raw.notna()).sum())
            if bad:
                self.res.repairs[f"{col}: not a number, set missing"] += bad
            self.df = self.df.assign(**{col: num.astype(float)})

    def boolean(self, col: str) -> None:
        if col not in self.df:
            return
        s = self.df[col]
        if pd.api.types.is_bool_dtype(s):
            return
        m = {
            "true": True,
            "false": False,
            "1": True,
            "0": False,
            "yes": True,
            "no": False,
            "t": True,
            "f": False,
            "1.0": True,
            "0.0": False,
        }
        out = s.map(lambda v: m.get(str(v).strip().lower()) if pd.notna(v) else None)
        self.df = self.df.assign(**{col: out.astype("boolean")})

    def out_of_range(self, col: str, lo: float | None, hi: float | None, rule: str) -> None:
        if col not in self.df:
            return
        s = self.df[col]
        bad = pd.Series(False, index=s.index)
        if lo is not None:
            bad |= s < lo
        if hi is not None:
            bad |= s > hi
        n = int(bad.sum())
        if n:
            self.res.repairs[f"{col}: {rule}"] += n
            self.df = self.df.assign(**{col: s.mask(bad)})

    def date(self, col: str, *, required: bool, as_of: pd.Timestamp | None) -> None:
        if col not in self.df:
            return
        raw = self.df[col]
        ts = pd.to_datetime(raw, errors="coerce", format="ISO8601")
        if ts.isna().any() and raw.notna().any():
            # second chance for other common text forms ("September 25, 2021", "2021/09/25")
            retry = pd.to_datetime(raw[ts.isna() & raw.notna()], errors="coerce", format="mixed")
            ts = ts.fillna(retry)
        if getattr(ts.dt, "tz", None) is not None:
            ts = ts.dt.tz_localize(None)
        ts = ts.astype("datetime64[us]")
        unparsed = ts.isna() & raw.notna()
        self.df = self.df.assign(**{col: ts})
        if required:
            self.reject(unparsed, f"{col}: not a valid date")
            self.reject(self.df[col].isna(), f"missing {col}")
        elif unparsed.any():
            self.res.repairs[f"{col}: not a valid date, set missing"] += int(unparsed.sum())
        if as_of is not None:
            future = self.df[col] > as_of + pd.Timedelta(days=1)
            if required:
                self.reject(future, f"{col}: date in the future (after {as_of.date()})")
            elif future.any():
                self.res.repairs[f"{col}: date in the future, set missing"] += int(future.sum())
                self.df = self.df.assign(**{col: self.df[col].mask(future)})

    def orphans(self, col: str, valid: pd.Index | None, what: str) -> None:
        if valid is None or col not in self.df:
            return
        known = pd.Series(isin(self.df[col], valid), index=self.df.index)
        self.reject(~known, f"unknown {what} ({col} not in {what} table)")

    def impute(self, col: str, values: pd.Series, strategy: str) -> None:
        if col not in self.df:
            return
        miss = self.df[col].isna()
        n = int(miss.sum())
        filled = self.df[col].fillna(values) if n else self.df[col]
        done = int((miss & filled.notna()).sum())
        self.df = self.df.assign(**{col: filled, f"{col}_imputed": miss & filled.notna()})
        self.res.imputations[col] = {"count": done, "strategy": strategy}

    def finish(self) -> SilverResult:
        self.res.table = self.df.drop(columns=[c for c in META if c in self.df]).reset_index(
            drop=True
        )
        return self.res


def _genres_from(df: pd.DataFrame) -> pd.Series:
    """'|'-joined genres from ``genres`` or ``genre_primary`` + ``genre_secondary``."""
    base = df["genres"] if "genres" in df else pd.Series(np.nan, index=df.index)
    parts = [df[c] for c in ("genre_primary", "genre_secondary") if c in df]
    if parts:
        joined = pd.concat(parts, axis=1).apply(
            lambda r: (
                LIST_SEP.join(dict.fromkeys(str(v).strip() for v in r if pd.notna(v))) or np.nan
            ),
            axis=1,
        )
        base = base.where(base.notna(), joined)
    return base


def _users(df: pd.DataFrame) -> SilverResult:
    c = _Cleaner("users", df)
    c.require(("user_id",))
    c.text("user_id")
    c.dedupe(KEYS["users"])
    for col in ("email", "first_name", "last_name", "state_province", "city"):
        c.text(col)
    c.canon("gender", "gender")
    c.canon("country", "country")
    c.canon("subscription_plan", "plan")
    c.canon("primary_device", "device")
    for col in ("age", "monthly_spend", "household_size"):
        c.number(col)
    c.out_of_range("age", 5, 110, "outside 5-110 years, set missing")
    c.out_of_range("monthly_spend", 0, 200, "outside 0-200 per month, set missing")
    c.out_of_range("household_size", 1, 20, "outside 1-20 people, set missing")
    c.boolean("is_active")
    c.date("subscription_start_date", required=False, as_of=None)
    c.date("created_at", required=False, as_of=None)
    d = c.df
    if "age" in d and d["age"].notna().any():
        by_plan = (
            d.groupby("subscription_plan")["age"].transform("median")
            if "subscription_plan" in d
            else pd.Series(np.nan, index=d.index)
        )
        c.impute(
            "age",
            by_plan.fillna(d["age"].median()).round(),
            "median age of the same subscription plan",
        )
    if "monthly_spend" in d and d["monthly_spend"].notna().any():
        by_plan = (
            d.groupby("subscription_plan")["monthly_spend"].transform("median")
            if "subscription_plan" in d
            else pd.Series(np.nan, index=d.index)
        )
        c.impute(
            "monthly_spend",
            by_plan.fillna(d["monthly_spend"].median()),
            "median spend of the same subscription plan",
        )
    if "household_size" in d and d["household_size"].notna().any():
        c.impute(
            "household_size",
            pd.Series(d["household_size"].median(), index=d.index),
            "overall median household size",
        )
    if "gender" in d:
        c.impute("gender", pd.Series("Unknown", index=d.index), 'constant "Unknown"')
    return c.finish()


def _movies(df: pd.DataFrame, as_of: pd.Timestamp) -> SilverResult:
    c = _Cleaner("movies", df)
    c.require(("movie_id", "title"))
    c.text("movie_id")
    c.dedupe(KEYS["movies"])
    for col in (
        "title",
        "genre_primary",
        "genre_secondary",
        "genres",
        "rating",
        "language",
        "country_of_origin",
        "description",
        "director",
        "cast",
    ):
        c.text(col)
    c.canon("content_type", "content_type")
    for col in (
        "release_year",
        "duration_minutes",
        "imdb_rating",
        "imdb_votes",
        "meta_score",
        "production_budget",
        "box_office_revenue",
        "number_of_seasons",
        "number_of_episodes",
    ):
        c.number(col)
    c.out_of_range("duration_minutes", 1, 1000, "outside 1-1,000 minutes, set missing")
    c.out_of_range("imdb_rating", 1, 10, "outside 1-10, set missing")
    c.out_of_range("meta_score", 0, 100, "outside 0-100, set missing")
    c.out_of_range("imdb_votes", 0, None, "negative, set missing")
    c.out_of_range("release_year", 1880, as_of.year + 1, "not a plausible year, set missing")
    if "rating" in c.df:
        dur_like = c.df["rating"].str.contains(r"^\d+\s*min", regex=True, na=False)
        if dur_like.any():
            c.res.repairs["rating: held a duration, set missing"] += int(dur_like.sum())
            c.df = c.df.assign(rating=c.df["rating"].mask(dur_like))
    c.boolean("is_netflix_original")
    c.boolean("content_warning")
    c.date("added_to_platform", required=False, as_of=as_of)
    d = c.df
    genres = _genres_from(d)
    d = d.assign(genres=genres.astype("str"))
    if "genre_primary" not in d or d["genre_primary"].isna().all():
        d = d.assign(genre_primary=genres.str.split(LIST_SEP, regex=False).str[0])
    else:
        d = d.assign(
            genre_primary=d["genre_primary"].fillna(genres.str.split(LIST_SEP, regex=False).str[0])
        )
    c.df = d
    return c.finish()


def _sessions(
    df: pd.DataFrame,
    as_of: pd.Timestamp,
    users: pd.Index | None,
    titles: pd.DataFrame | None,
    marks: Marks | None = None,
) -> SilverResult:
    c = _Cleaner("watch_history", df)
    c.require(_SESSION_IDS)
    for col in (*_SESSION_IDS, "action"):
        c.text(col)
    c.dedupe(KEYS["watch_history"], marks)
    c.date("watch_date", required=True, as_of=as_of)
    c.orphans("user_id", users, "user")
    c.orphans("movie_id", None if titles is None else pd.Index(titles["movie_id"]), "title")
    c.canon("device_type", "device")
    c.canon("quality", "quality")
    c.canon("location_country", "country")
    for col in ("watch_duration_minutes", "progress_percentage", "user_rating"):
        c.number(col)
    c.boolean("is_download")
    c.out_of_range("watch_duration_minutes", 0, 1440, "negative or above 24 h, set missing")
    c.out_of_range("user_rating", 0.5, 5, "outside the 1-5 star scale, set missing")
    c.out_of_range("progress_percentage", 0, None, "negative, set missing")
    if "progress_percentage" in c.df:
        over = c.df["progress_percentage"] > 100
        if over.any():
            c.res.repairs["progress_percentage: above 100%, clipped to 100"] += int(over.sum())
            c.df = c.df.assign(progress_percentage=c.df["progress_percentage"].clip(upper=100))
    if titles is not None and "duration_minutes" in titles and "movie_id" in c.df:
        runtime = c.df["movie_id"].map(titles.set_index("movie_id")["duration_minutes"])
        if "progress_percentage" in c.df and "watch_duration_minutes" in c.df:
            from_minutes = (100 * c.df["watch_duration_minutes"] / runtime).clip(upper=100)
            c.impute(
                "progress_percentage",
                from_minutes.round(1),
                "watch minutes / title runtime, capped at 100%",
            )
            from_progress = c.df["progress_percentage"] / 100 * runtime
            c.impute("watch_duration_minutes", from_progress.round(1), "progress x title runtime")
    if "quality" in c.df:
        c.impute("quality", pd.Series("Unknown", index=c.df.index), 'constant "Unknown"')
    return c.finish()


_SESSION_IDS = ("session_id", "user_id", "movie_id")
_SIMPLE_IDS = ("user_id", "movie_id", "recommendation_id", "search_id", "review_id")
_DATE_KEYS = ("week", "category", "weekly_rank")


def _simple_required(name: str) -> tuple[str, ...]:
    return tuple(k for k in (KEYS.get(name) or ()) if k not in _DATE_KEYS)


def _simple(
    name: str,
    df: pd.DataFrame,
    as_of: pd.Timestamp,
    users: pd.Index | None,
    titles: pd.Index | None,
    marks: Marks | None = None,
) -> SilverResult:
    c = _Cleaner(name, df)
    key = KEYS.get(name)
    c.require(_simple_required(name))
    for col in _SIMPLE_IDS:
        c.text(col)
    c.dedupe(key, marks)
    for col in {
        "recommendation_logs": ("recommendation_date",),
        "search_logs": ("search_date",),
        "reviews": ("review_date",),
        "ratings": ("rated_at",),
        "top10_weekly": ("week",),
    }.get(name, ()):
        c.date(col, required=name != "ratings" or df[col].notna().any(), as_of=as_of)
    if name != "top10_titles":
        c.orphans("user_id", users, "user")
    if name in ("reviews", "recommendation_logs", "ratings", "top10_titles"):
        c.orphans("movie_id", titles, "title")
    if name == "top10_weekly":
        c.require(("movie_id",))
        c.orphans("movie_id", titles, "title")
    c.canon("device_type", "device")
    c.canon("location_country", "country")
    numeric = {
        "recommendation_logs": ("recommendation_score", "position_in_list"),
        "search_logs": ("results_returned", "clicked_result_position", "search_duration_seconds"),
        "reviews": ("rating", "helpful_votes", "total_votes", "sentiment_score"),
        "ratings": ("rating",),
        "top10_weekly": (
            "weekly_rank",
            "weekly_hours_viewed",
            "runtime",
            "weekly_views",
            "cumulative_weeks_in_top_10",
        ),
        "top10_titles": (
            "in_top10",
            "weekly_hours_viewed",
            "weekly_views",
            "cumulative_weeks_in_top_10",
        ),
    }.get(name, ())
    for col in numeric:
        c.number(col)
    for col in ("was_clicked", "had_typo", "used_filters", "is_verified_watch"):
        c.boolean(col)
    if name == "reviews":
        c.out_of_range("rating", 1, 5, "outside the 1-5 star scale, set missing")
    if name == "ratings":
        c.reject(c.df["rating"].isna(), "rating: missing or not a number")
    if name == "search_logs":
        c.text("search_query")
    return c.finish()


ORDER = (
    "users",
    "movies",
    "watch_history",
    "recommendation_logs",
    "search_logs",
    "reviews",
    "ratings",
    "top10_weekly",
    "top10_titles",
)


def clean_table(
    name: str, df: pd.DataFrame, as_of: pd.Timestamp, parents: Mapping[str, pd.DataFrame]
) -> SilverResult | None:
    """Clean one bronze table (``None`` for a table silver does not know).

    ``parents`` holds the cleaned ``users`` and ``movies`` tables (when there are any): foreign
    keys are checked against them, so clean those two first (see ``ORDER``).
    """
    users = pd.Index(parents["users"]["user_id"]) if "users" in parents else None
    titles_df = parents.get("movies")
    titles = pd.Index(titles_df["movie_id"]) if titles_df is not None else None
    if name == "users":
        return _users(df)
    if name == "movies":
        return _movies(df, as_of)
    if name == "watch_history":
        return _clean_in_chunks(
            name,
            df,
            lambda part, marks: _sessions(part, as_of, users, titles_df, marks),
            required=_SESSION_IDS,
            text_cols=(*_SESSION_IDS, "action"),
        )
    if name in CHUNKED:
        return _clean_in_chunks(
            name,
            df,
            lambda part, marks: _simple(name, part, as_of, users, titles, marks),
            required=_simple_required(name),
            text_cols=_SIMPLE_IDS,
        )
    if name in ORDER:
        return _simple(name, df, as_of, users, titles)
    return None


# Tables cleaned SILVER_CHUNK rows at a time when longer (bounded memory at scale 100).
# Every rule but deduplication is row by row; duplicates are found over the whole table first.
SILVER_CHUNK = 1_000_000
CHUNKED = ("watch_history", "recommendation_logs", "search_logs", "reviews")


def _clean_in_chunks(
    name: str,
    df: pd.DataFrame,
    clean: Callable[[pd.DataFrame, Marks | None], SilverResult],
    *,
    required: tuple[str, ...],
    text_cols: tuple[str, ...],
) -> SilverResult:
    """``clean(df)`` for a short table; else the same rules chunk by chunk, results merged.

    The whole-table pass that finds duplicates sees ids as ``require`` and ``text`` leave them,
    so a chunked run removes exactly the rows a whole-table run would (tested).
    """
    if len(df) <= SILVER_CHUNK:
        return clean(df, None)
    df = df.reset_index(drop=True)
    marks = _duplicate_marks(name, df, required, text_cols)
    parts = [
        clean(df.iloc[a : a + SILVER_CHUNK], (marks[0], marks[1]))
        for a in range(0, len(df), SILVER_CHUNK)
    ]
    return _merge(name, parts)


def _duplicate_marks(
    name: str, df: pd.DataFrame, required: tuple[str, ...], text_cols: tuple[str, ...]
) -> Marks:
    """Exact-duplicate and key-duplicate masks as a whole-table ``_Cleaner`` finds them."""
    alive = np.ones(len(df), dtype=bool)
    for c in required:
        if c in df:
            s = df[c]
            alive &= ~(s.isna() | (s.astype(str).str.strip() == "")).to_numpy(dtype=bool)

    def column(c: str) -> pd.Series:
        s = df[c]
        if c in text_cols:  # as _Cleaner.text leaves it
            s = s.where(s.isna(), s.astype(str).str.strip()).replace("", np.nan).astype("str")
        return s

    data_cols = [c for c in df.columns if c not in META]
    exact = duplicated_rows(df, data_cols, among=alive, column=column)
    key = KEYS.get(name)
    if key and all(k in df for k in key):
        keyed = duplicated_rows(df, list(key), among=alive & ~exact.to_numpy(), column=column)
    else:
        keyed = pd.Series(False, index=df.index)
    return exact, keyed


def _merge(name: str, parts: list[SilverResult]) -> SilverResult:
    res = SilverResult(
        name=name,
        table=pd.concat([p.table for p in parts], ignore_index=True),
        rows_in=sum(p.rows_in for p in parts),
    )
    for p in parts:
        res.rejects.extend(p.rejects)
        res.duplicates_removed += p.duplicates_removed
        res.rejected += p.rejected
        res.reject_reasons.update(p.reject_reasons)
        res.repairs.update(p.repairs)
        for col, imp in p.imputations.items():
            if col in res.imputations:
                res.imputations[col]["count"] += imp["count"]
            else:
                res.imputations[col] = dict(imp)
    return res


def clean_all(bronze: dict[str, pd.DataFrame], as_of: pd.Timestamp) -> dict[str, SilverResult]:
    """Clean every bronze table; foreign keys are checked against the cleaned parents."""
    out: dict[str, SilverResult] = {}
    for name in ORDER:
        if name in bronze:
            parents = {k: out[k].table for k in ("users", "movies") if k in out}
            result = clean_table(name, bronze[name], as_of, parents)
            if result is not None:
                out[name] = result
    return out
