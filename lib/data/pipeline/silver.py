"""Silver: typed, deduplicated, validated tables; every removed or repaired row accounted for.

Each rule below is defined once, as an Ibis expression, and runs on DuckDB or Spark
(``lib.data.pipeline.engine``). Rules, counted in the quality report under the names given here:

Rows removed (kept in ``rejects`` with ``kind`` and ``reason``)
    * duplicates: exact copies of a row, then re-sent records with an id already seen
      (the first occurrence in the source is kept) -> ``kind="duplicate"``
    * missing id, unparseable or future date, unknown foreign key (orphan) -> ``kind="rejected"``
      (Top 10 entries whose title is not in the catalog are kept: they are Top 10 titles of
      their own, shown as "not in catalog")

Values repaired in place (row kept)
    * category spellings mapped to one canonical label (``"smart tv"`` -> ``"Smart TV"``)
    * out-of-range values set to missing: age outside 5-110, monthly spend above 200,
      durations <= 0 or above 24 h (sessions) / 1,000 min (titles), ratings outside their scale,
      release years after the build year + 1, a maturity rating cell that holds a duration
    * optional dates in the future or unparseable set missing
    * progress above 100% clipped to 100

Imputation (documented strategy per column, with an ``<col>_imputed`` flag)
    * users.age -> median age of the same subscription plan (overall median if none), rounded
    * users.monthly_spend -> median spend of the same plan
    * users.household_size -> overall median
    * users.gender -> "Unknown"
    * sessions.progress_pct -> watch minutes / title runtime (capped at 100) when both exist
    * sessions.watch_minutes -> progress x title runtime when both exist
    * sessions.quality -> "Unknown"
    * titles: ratings, critic score, budget, box office are left missing (models impute inside
      their own pipelines so that imputation is fitted on training folds only)

Per table the work is three passes over the data: classify every bronze row (kept, duplicate,
rejected with its first failing rule) into an intermediate; write the removed rows as JSON
records; type, repair and impute the kept rows, with a flag column per repair, and write
them to silver (in no set order, without the flags) and count the repairs. A small table's
typed rows go through an intermediate that both read; a big table's (``NARROW_FILE_ROWS``)
are written straight from the expression and the count computes the flags again.
Intermediates are DuckDB temporary tables (Parquet work files on
Spark: ``Engine.stash``). Row accounting is then checked on the files as written: bronze
rows = silver rows + rejected rows + removed duplicates.

Size (about 1,000 lines, over the project's ~700): the cleaning rules of every bronze table
and the row accounting that must see all of them, defined once for both engines.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from lib.config import DEVICES, PLANS, QUALITIES
from lib.data.pipeline.bronze import KEYS, META, write_bronze
from lib.data.pipeline.engine import (
    Engine,
    Task,
    connect,
    round_half_up,
    run_tasks,
    strip,
    table_path,
)

__all__ = [
    "ORDER",
    "CANONICAL",
    "RULES",
    "SilverResult",
    "clean_table",
    "clean_layer",
    "silver_tasks",
    "clean_all",
    "accounting",
]

REJECTS_COLUMNS = ("table", "kind", "reason", "source", "row", "record")


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
_BOOLEAN_TEXT = {
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "yes": True,
    "no": False,
    "y": True,
    "n": False,
    "t": True,
    "f": False,
    "1.0": True,
    "0.0": False,
}


# ------------------------------------------------------------------------------ rules -----
@dataclass(frozen=True)
class Date:
    """A date column: parsed leniently; ``required`` ones reject their row when missing,
    unparseable or (with ``future``) after the build date; optional ones are set missing."""

    col: str
    required: bool
    future: bool = True


@dataclass(frozen=True)
class Orphan:
    """``col`` must exist in ``parent``'s key column, else the row is rejected."""

    col: str
    parent: str  # "users" or "movies"
    what: str


@dataclass(frozen=True)
class Rules:
    """The cleaning rules of one table (applied in the order of the fields)."""

    required: tuple[str, ...] = ()  # missing or blank -> rejected, before deduplication
    ids: tuple[str, ...] = ()  # text-normalised (stripped, blank -> missing) before dedupe
    key: tuple[str, ...] | None = None  # a repeated key is a duplicate (first kept)
    dates: tuple[Date, ...] = ()
    orphans: tuple[Orphan, ...] = ()
    required_after: tuple[str, ...] = ()  # missing -> rejected, after the checks above
    text: tuple[str, ...] = ()
    canon: tuple[tuple[str, str], ...] = ()
    numbers: tuple[str, ...] = ()
    booleans: tuple[str, ...] = ()
    ranges: tuple[tuple[str, float | None, float | None, str], ...] = ()
    reject_missing_number: tuple[tuple[str, str], ...] = ()  # (col, reason) after typing
    finish: str | None = None  # name of a table-specific step (imputation, derivations)


_SESSION_IDS = ("session_id", "user_id", "movie_id")
_SIMPLE_IDS = ("user_id", "movie_id", "recommendation_id", "search_id", "review_id")
_DEVICE_COUNTRY = (("device_type", "device"), ("location_country", "country"))
_USER = Orphan("user_id", "users", "user")
_TITLE = Orphan("movie_id", "movies", "title")

RULES: dict[str, Rules] = {
    "users": Rules(
        required=("user_id",),
        ids=("user_id",),
        key=KEYS["users"],
        dates=(
            Date("subscription_start_date", False, False),
            Date("created_at", False, False),
        ),
        text=("email", "first_name", "last_name", "state_province", "city"),
        canon=(
            ("gender", "gender"),
            ("country", "country"),
            ("subscription_plan", "plan"),
            ("primary_device", "device"),
        ),
        numbers=("age", "monthly_spend", "household_size"),
        booleans=("is_active",),
        ranges=(
            ("age", 5, 110, "outside 5-110 years, set missing"),
            ("monthly_spend", 0, 200, "outside 0-200 per month, set missing"),
            ("household_size", 1, 20, "outside 1-20 people, set missing"),
        ),
        finish="users",
    ),
    "movies": Rules(
        required=("movie_id", "title"),
        ids=("movie_id",),
        key=KEYS["movies"],
        dates=(Date("added_to_platform", False, True),),
        text=(
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
            "imdb_id",
        ),
        canon=(("content_type", "content_type"),),
        numbers=(
            "release_year",
            "duration_minutes",
            "imdb_rating",
            "imdb_votes",
            "meta_score",
            "tmdb_score",
            "tmdb_popularity",
            "production_budget",
            "box_office_revenue",
            "number_of_seasons",
            "number_of_episodes",
        ),
        booleans=("is_netflix_original", "content_warning"),
        ranges=(
            ("duration_minutes", 1, 1000, "outside 1-1,000 minutes, set missing"),
            ("imdb_rating", 1, 10, "outside 1-10, set missing"),
            ("meta_score", 0, 100, "outside 0-100, set missing"),
            ("tmdb_score", 0, 10, "outside 0-10, set missing"),
            ("imdb_votes", 0, None, "negative, set missing"),
            ("release_year", 1880, None, "not a plausible year, set missing"),  # hi: as_of + 1
        ),
        finish="movies",
    ),
    "watch_history": Rules(
        required=_SESSION_IDS,
        ids=(*_SESSION_IDS, "action"),
        key=KEYS["watch_history"],
        dates=(Date("watch_date", True),),
        orphans=(_USER, _TITLE),
        canon=(("device_type", "device"), ("quality", "quality"), ("location_country", "country")),
        numbers=("watch_duration_minutes", "progress_percentage", "user_rating"),
        booleans=("is_download",),
        ranges=(
            ("watch_duration_minutes", 0, 1440, "negative or above 24 h, set missing"),
            ("user_rating", 0.5, 5, "outside the 1-5 star scale, set missing"),
            ("progress_percentage", 0, None, "negative, set missing"),
        ),
        finish="sessions",
    ),
    "recommendation_logs": Rules(
        required=("recommendation_id",),
        ids=_SIMPLE_IDS,
        key=KEYS["recommendation_logs"],
        dates=(Date("recommendation_date", True),),
        orphans=(_USER, _TITLE),
        canon=_DEVICE_COUNTRY,
        numbers=("recommendation_score", "position_in_list"),
        booleans=("was_clicked",),
    ),
    "search_logs": Rules(
        required=("search_id",),
        ids=_SIMPLE_IDS,
        key=KEYS["search_logs"],
        dates=(Date("search_date", True),),
        orphans=(_USER,),
        text=("search_query",),
        canon=_DEVICE_COUNTRY,
        numbers=("results_returned", "clicked_result_position", "search_duration_seconds"),
        booleans=("had_typo", "used_filters"),
    ),
    "reviews": Rules(
        required=("review_id",),
        ids=_SIMPLE_IDS,
        key=KEYS["reviews"],
        dates=(Date("review_date", True),),
        orphans=(_USER, _TITLE),
        canon=_DEVICE_COUNTRY,
        numbers=("rating", "helpful_votes", "total_votes", "sentiment_score"),
        booleans=("is_verified_watch",),
        ranges=(("rating", 1, 5, "outside the 1-5 star scale, set missing"),),
    ),
    "ratings": Rules(
        required=("user_id", "movie_id"),
        ids=_SIMPLE_IDS,
        key=KEYS["ratings"],
        dates=(Date("rated_at", True),),  # required only when the file has timestamps
        orphans=(_USER, _TITLE),
        numbers=("rating",),
        reject_missing_number=(("rating", "rating: missing or not a number"),),
    ),
    "top10_weekly": Rules(
        ids=_SIMPLE_IDS,
        key=KEYS["top10_weekly"],
        dates=(Date("week", True),),
        required_after=("movie_id",),
        text=("show_title", "season_title", "category", "country_name", "country_iso2"),
        numbers=(
            "weekly_rank",
            "weekly_hours_viewed",
            "runtime",
            "weekly_views",
            "cumulative_weeks_in_top_10",
        ),
    ),
    "top10_titles": Rules(
        required=("movie_id",),
        ids=_SIMPLE_IDS,
        key=KEYS["top10_titles"],
        orphans=(_TITLE,),
        numbers=(
            "in_top10",
            "weekly_hours_viewed",
            "weekly_views",
            "cumulative_weeks_in_top_10",
        ),
    ),
    "engagement_report": Rules(
        required=("title", "period_start"),
        ids=("movie_id", "title", "kind"),
        key=KEYS["engagement_report"],
        dates=(Date("period_start", True), Date("period_end", True), Date("release_date", False)),
        text=("report",),
        numbers=("hours_viewed", "runtime_minutes", "views"),
        booleans=("available_globally",),
        ranges=(
            ("hours_viewed", 0, None, "negative, set missing"),
            ("views", 0, None, "negative, set missing"),
        ),
    ),
}
ORDER = tuple(RULES)


# ------------------------------------------------------------------- column helpers -----
def _as_text(col: ir.Value) -> ir.StringValue:
    return col if col.type().is_string() else col.cast("string")


def _text(col: ir.Value) -> ir.StringValue:
    """Stripped text; blank -> missing."""
    return strip(_as_text(col)).nullif("")


def _number(col: ir.Value) -> ir.FloatingValue:
    """Numbers from text or numbers; unparseable, NaN and infinity -> missing."""
    t = col.type()
    if t.is_boolean():
        v = col.cast("float64")
    elif t.is_numeric():
        v = col.cast("float64")
    else:
        v = strip(_as_text(col)).try_cast("float64")
    return ibis.cases((v.isnan() | v.isinf(), ibis.null("float64")), else_=v)


def _boolean(col: ir.Value) -> ir.BooleanValue:
    if col.type().is_boolean():
        return col
    key = strip(_as_text(col)).lower()
    return key.substitute(_BOOLEAN_TEXT, else_=ibis.null("boolean")).cast("boolean")


def _canon(col: ir.Value, kind: str) -> ir.StringValue:
    """The canonical label of a category value (its stripped text when it has none)."""
    s = _text(col)
    key = s.lower().re_replace(r"[^a-z0-9+]", "")
    return key.substitute(CANONICAL[kind], else_=s)


def _canon_lookup(t: ir.Table, col: str, kind: str, i: int) -> ir.Table:
    """Each distinct value ``_cr<i>`` of ``t[col]`` with its label ``_cv<i>`` (``_canon``)
    and whether that changes it, ``_cf<i>`` (the repair flag)."""
    d = t.select(**{f"_cr{i}": t[col]}).distinct()
    raw, v = d[f"_cr{i}"], _canon(d[f"_cr{i}"], kind)
    return d.mutate(**{f"_cv{i}": v, f"_cf{i}": raw.notnull() & (v != _as_text(raw))})


def _timestamp(engine: Engine, col: ir.Value) -> ir.TimestampValue:
    t = col.type()
    if t.is_timestamp():
        return col.cast("timestamp")
    if t.is_date():
        return col.cast("timestamp")
    return engine.parse_timestamp(_as_text(col))


def _sum_if(cond: ir.BooleanValue) -> ir.IntegerScalar:
    return cond.fill_null(False).cast("int64").sum()


# ------------------------------------------------------------------ the three passes -----
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
    rows_out: int | None = None

    def summary(self) -> dict:
        rows_out = len(self.table) if self.rows_out is None else self.rows_out
        return {
            "rows_in": self.rows_in,
            "rows_out": rows_out,
            "duplicates_removed": self.duplicates_removed,
            "rejected": self.rejected,
            "reject_reasons": dict(self.reject_reasons),
            "repairs": dict(self.repairs),
            "imputations": self.imputations,
            "balanced": accounting(self.rows_in, rows_out, self.rejected, self.duplicates_removed),
        }


def accounting(bronze: int, silver: int, rejected: int, duplicates: int) -> bool:
    """The row-accounting invariant: every bronze row is in silver or in the rejects."""
    return int(bronze) == int(silver) + int(rejected) + int(duplicates)


def _classify(
    engine: Engine,
    name: str,
    bronze: ir.Table,
    rules: Rules,
    as_of: pd.Timestamp | None,
    parents: Mapping[str, ir.Table],
    work_dir: Path | None = None,
) -> ir.Table:
    """Bronze rows with ``_reason`` (NULL: kept) and ``_status`` (duplicate or rejected).

    Each input of a rule (a parsed date, a foreign-key lookup) is computed once as a column
    before the rules read it: the windows and joins between the steps keep the engines from
    evaluating an expression once per rule that mentions it.
    """
    cols = set(bronze.columns)
    data_cols = [c for c in bronze.columns if c not in META]
    dates = [d for d in rules.dates if d.col in cols and d.required]
    if name == "ratings" and dates and not engine.to_pandas(bronze[dates[0].col].count()):
        dates = []  # a ratings file without timestamps: dates are optional there
    key = tuple(rules.key or ())
    if name == "top10_weekly" and "country_iso2" in cols and key:
        key = (*key, "country_iso2")  # per-country charts share week/category/rank
    dup_reason = f"duplicate {'+'.join(key)} (first occurrence kept)"

    def trimmed(tbl: ir.Table) -> ir.Table:  # ids compared without surrounding spaces
        return tbl.mutate(**{c: _text(tbl[c]) for c in rules.ids if c in cols})

    full = trimmed(bronze)
    # the rules read only a few columns: the windows and joins below carry just those (a
    # window sorts every column it is given), not the whole row
    needed = [
        *rules.required,
        *key,
        *[d.col for d in dates],
        *[o.col for o in rules.orphans],
        *rules.required_after,
        *[c for c, _ in rules.reject_missing_number],
    ]
    narrow = [c for c in dict.fromkeys(needed) if c in cols]
    t = full.select(
        "_row",
        *narrow,
        **{f"_ts{i}": _timestamp(engine, bronze[d.col]) for i, d in enumerate(dates)},
    )
    if work_dir is not None:
        # the narrow rows are read three times below (the key counts, the repeated rows and
        # the final join): computed once into an intermediate, not left to the planner as a
        # shared subquery (at scale 100 that spilled 2 GB to disk)
        narrow_path = work_dir / f"{name}.narrow.parquet"
        t = engine.stash(t, narrow_path)
    pre = [(t[c].isnull(), f"missing {c}") for c in rules.required if c in cols]
    alive = ibis.literal(True) if not pre else ibis.and_(*[~cond for cond, _ in pre])
    t = t.mutate(_alive=alive)
    if key and all(k in cols for k in key):
        repeated = None if work_dir is None else work_dir / f"{name}.repeated.parquet"
        t = _duplicates_by_key(t, bronze, trimmed, list(key), data_cols, engine, repeated)
    else:  # no key: exact copies among the rows still alive, first occurrence kept
        conds = [full[c].notnull() for c in rules.required if c in cols]
        f = full.mutate(_alive=ibis.and_(*conds) if conds else ibis.literal(True))
        w = ibis.window(group_by=[f._alive, *[f[c] for c in data_cols]], order_by=f._row)
        x = f.select(_xrow=f._row, _x=ibis.row_number().over(w) > 0)
        t = t.left_join(x, t._row == x._xrow).drop("_xrow")
        t = t.mutate(_exact=t._alive & t._x.fill_null(False), _keydup=ibis.literal(False))
        t = t.drop("_x")
    orphans = [o for o in rules.orphans if o.col in cols and o.parent in parents]
    for i, o in enumerate(orphans):  # a left join per parent: one lookup per row
        known = parents[o.parent]
        k = known.select(**{f"_k{i}": known[known.columns[0]]}).distinct()
        t = t.left_join(k, t[o.col] == k[f"_k{i}"])

    post: list[tuple[ir.BooleanValue, str]] = []
    for i, d in enumerate(dates):
        ts, raw = t[f"_ts{i}"], t[d.col]
        raw_present = raw.notnull() if not raw.type().is_string() else _text(raw).notnull()
        post.append((ts.isnull() & raw_present, f"{d.col}: not a valid date"))
        post.append((ts.isnull(), f"missing {d.col}"))
        if d.future and as_of is not None:
            limit = ibis.literal(as_of + pd.Timedelta(days=1))
            post.append((ts > limit, f"{d.col}: date in the future (after {as_of.date()})"))
    for i, o in enumerate(orphans):
        post.append((t[f"_k{i}"].isnull(), f"unknown {o.what} ({o.col} not in {o.what} table)"))
    for c in rules.required_after:
        if c in cols:
            post.append((t[c].isnull(), f"missing {c}"))
    for c, reason in rules.reject_missing_number:
        if c in cols:
            post.append((_number(t[c]).isnull(), reason))

    branches = [(cond, reason) for cond, reason in pre]
    branches += [(t._exact, "exact duplicate row"), (t._keydup, dup_reason)]
    branches += post
    reason = ibis.cases(*[(c.fill_null(False), r) for c, r in branches], else_=ibis.null("string"))
    dup = t._exact | t._keydup
    return t.select(
        "_row",
        _reason=reason,
        _status=ibis.cases((dup, "duplicate"), else_="rejected"),
    )


def _duplicates_by_key(
    t: ir.Table,
    bronze: ir.Table,
    trimmed: Callable[[ir.Table], ir.Table],
    key: list[str],
    data_cols: list[str],
    engine: Engine | None = None,
    repeated_path: Path | None = None,
) -> ir.Table:
    """``_exact`` (a copy of an earlier row) and ``_keydup`` (an earlier row has the same key)
    among the rows of ``t`` still ``_alive``; the first row of each key is kept.

    Removing exact copies first and then repeated keys keeps exactly the first row per key, so
    one grouping by the key (on the narrow ``t``: the first row number and the count of each
    key, a hash aggregate rather than a sorting window) decides which rows go; only to name
    the reason are the rows of keys that occur more than once compared column by column
    (``bronze`` rows, read again and trimmed after the join, so the full-width table is never
    held as a shared intermediate; a window over those few).
    """
    alive = t.filter(t._alive)
    names = {f"_g{i}": k for i, k in enumerate(key)}
    g = alive.group_by(**{n: alive[k] for n, k in names.items()}).aggregate(
        _first=alive._row.min(), _kn=alive._row.count()
    )
    # only the repeated keys (a few percent) are joined back: the join's hash table holds
    # those, not one entry per row (at scale 1000, 100M keys ran out of the memory limit)
    g = g.filter(g._kn > 1)
    if engine is not None and repeated_path is not None:
        # the repeated keys are read twice below: written once (big tables), the grouping
        # of every row by its key runs once, not twice (2 x 0.9 s of CPU at scale 10)
        g = engine.stash(g, repeated_path)
    # null-safe key equality (a key column need not be required); dead rows match nothing
    on = [t._alive, *[t[k].identical_to(g[n]) for n, k in names.items()]]
    t = t.left_join(g, on).drop(*names)
    rep = t.filter(t._kn > 1).select(_rrow=t._row)
    repeated = trimmed(bronze.inner_join(rep, bronze._row == rep._rrow).drop("_rrow"))
    w = ibis.window(group_by=[repeated[c] for c in data_cols], order_by=repeated._row)
    exact = repeated.select(_xrow=repeated._row, _x=ibis.row_number().over(w) > 0)
    j = t.left_join(exact, t._row == exact._xrow)
    is_exact = j._x.fill_null(False)
    later = (j._alive & (j._row != j._first)).fill_null(False)
    return j.mutate(_exact=is_exact, _keydup=later & ~is_exact).drop("_first", "_kn", "_xrow", "_x")


def _rejects(name: str, work: ir.Table) -> ir.Table:
    data_cols = [c for c in work.columns if c not in (*META, "_reason", "_status")]
    gone = work.filter(work._reason.notnull())

    def value(c: str) -> ir.Value:
        t = gone[c].type()
        return (
            gone[c]
            if (t.is_string() or t.is_numeric() or t.is_boolean())
            else gone[c].cast("string")
        )

    record = ibis.struct({c: value(c) for c in data_cols})
    return gone.select(
        table=ibis.literal(name),
        kind=gone._status,
        reason=gone._reason,
        source=gone._source.cast("string"),
        row=gone._row.cast("int64"),
        record=record.cast("json").cast("string"),
    )


class _Account:
    """Repair counts carried as boolean flag columns and summed once at the end."""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}  # flag column -> report label
        self.strategies: dict[str, str] = {}  # imputed column -> strategy

    def flag(self, label: str, cond: ir.BooleanValue) -> dict[str, ir.Value]:
        col = f"__repair_{len(self.labels)}"
        self.labels[col] = label
        return {col: cond.fill_null(False)}


def _typed(
    engine: Engine,
    kept: ir.Table,
    rules: Rules,
    as_of: pd.Timestamp | None,
    acc: _Account,
    values: ir.Table | None = None,
    fetch_lookups: bool = True,
) -> ir.Table:
    """Typed columns with out-of-range values set missing (each repair flagged in ``acc``).

    ``values``: a table with every raw value of ``kept``'s category columns (its source
    file: a far smaller query than ``kept``'s own expression), default ``kept``."""
    cols = set(kept.columns)
    values = kept if values is None else values
    canon = [(c, kind) for c, kind in rules.canon if c in cols]
    for i, (c, kind) in enumerate(canon):
        # _canon computed once per distinct value (a few dozen) and joined on the raw value.
        # Per row it cost more than all other typing together (DuckDB computes the subject
        # of a CASE again for every WHEN branch): typing scale 10's watch history took 8.1 s
        # of CPU so, 1.9 s with the spelling key joined to CANONICAL, 1.0 s like this
        lookup = _canon_lookup(values, c, kind, i)
        if engine.name == "duckdb" and fetch_lookups:
            # fetched (a few dozen rows) and joined as an in-memory table: as a subquery,
            # DuckDB could not estimate its size and built the join's hash table on the
            # other side, every kept row (at scale 100 the three lookups of the watch
            # history took 17.7 s and spilled 2.6 GB; like this, under a second). Spark
            # broadcasts the small side by itself; on a small table the extra query would
            # cost more than it saves.
            lookup = engine.table(engine.to_arrow(lookup))
        kept = kept.left_join(lookup, kept[c] == lookup[f"_cr{i}"])
    new: dict[str, ir.Value] = {}
    for c in rules.text:
        if c in cols and c not in rules.ids:
            new[c] = _text(kept[c])
    for i, (c, _kind) in enumerate(canon):
        new.update(acc.flag(f"{c}: spelling normalised", kept[f"_cf{i}"]))
        new[c] = kept[f"_cv{i}"]
    for c in rules.numbers:
        if c in cols:
            v = _number(kept[c])
            raw = kept[c]
            present = _text(raw).notnull() if raw.type().is_string() else raw.notnull()
            new.update(acc.flag(f"{c}: not a number, set missing", present & v.isnull()))
            for rc, lo, hi, rule in rules.ranges:
                if rc != c:
                    continue
                if rc == "release_year" and as_of is not None:
                    hi = as_of.year + 1
                bad = ibis.literal(False)
                if lo is not None:
                    bad = bad | (v < lo)
                if hi is not None:
                    bad = bad | (v > hi)
                bad = bad.fill_null(False)
                new.update(acc.flag(f"{c}: {rule}", bad))
                v = ibis.cases((bad, ibis.null("float64")), else_=v)
            new[c] = v
    for c in rules.booleans:
        if c in cols:
            new[c] = _boolean(kept[c])
    for d in rules.dates:
        if d.col not in cols:
            continue
        ts = _timestamp(engine, kept[d.col])
        if not d.required:
            raw = kept[d.col]
            present = _text(raw).notnull() if raw.type().is_string() else raw.notnull()
            new.update(acc.flag(f"{d.col}: not a valid date, set missing", present & ts.isnull()))
            if d.future and as_of is not None:
                future = (ts > ibis.literal(as_of + pd.Timedelta(days=1))).fill_null(False)
                new.update(acc.flag(f"{d.col}: date in the future, set missing", future))
                ts = ibis.cases((future, ibis.null("timestamp")), else_=ts)
        new[d.col] = ts
    lookups = [f"_c{x}{i}" for i in range(len(canon)) for x in "rvf"]
    return kept.mutate(**new).drop(*lookups)


# --- table-specific steps (imputation, derived columns) ----------------------------------
def _medians(
    engine: Engine, t: ir.Table, cols: list[str], by: str | None
) -> tuple[dict[str, float | None], dict[str, dict[str, float]]]:
    """Overall medians of ``cols`` (None when a column has no value) and medians per value of
    ``by``: two small aggregate queries."""
    cols = [c for c in cols if c in t.columns]
    if not cols:
        return {}, {}
    row = engine.row(t.aggregate(**{c: t[c].median() for c in cols}))
    overall = {c: (None if row.get(c) is None else float(row[c])) for c in cols}
    per: dict[str, dict[str, float]] = {c: {} for c in cols}
    if by is not None and by in t.columns:
        g = engine.to_pandas(t.group_by(by).aggregate(**{c: t[c].median() for c in cols}))
        g = g[g[by].notna()]
        for c in cols:
            per[c] = {str(k): float(v) for k, v in zip(g[by], g[c], strict=True) if pd.notna(v)}
    return overall, per


def _fill(t: ir.Table, by: str, overall: float | None, per: dict[str, float]) -> ir.Value:
    """The group median (a lookup of constants), the overall median where the group has none."""
    fill: ir.Value = ibis.literal(overall, type="float64")
    if per and by in t.columns:
        fill = t[by].substitute(per, else_=fill).cast("float64")
    return fill


def _impute(t: ir.Table, col: str, fill: ir.Value, strategy: str, acc: _Account) -> ir.Table:
    miss = t[col].isnull()
    acc.strategies[col] = strategy
    return t.mutate(**{col: ibis.coalesce(t[col], fill), f"{col}_imputed": miss & fill.notnull()})


def _finish_users(engine: Engine, t: ir.Table, parents: Mapping[str, ir.Table], acc: _Account):
    plan = "subscription_plan"
    overall, per = _medians(engine, t, ["age", "monthly_spend", "household_size"], plan)
    if overall.get("age") is not None:
        fill = round_half_up(_fill(t, plan, overall["age"], per["age"]))
        t = _impute(t, "age", fill, "median age of the same subscription plan", acc)
    if overall.get("monthly_spend") is not None:
        fill = _fill(t, plan, overall["monthly_spend"], per["monthly_spend"])
        t = _impute(t, "monthly_spend", fill, "median spend of the same subscription plan", acc)
    if overall.get("household_size") is not None:
        fill = ibis.literal(overall["household_size"], type="float64")
        t = _impute(t, "household_size", fill, "overall median household size", acc)
    if "gender" in t.columns:
        t = _impute(t, "gender", ibis.literal("Unknown"), 'constant "Unknown"', acc)
    return t


def _finish_movies(engine: Engine, t: ir.Table, parents: Mapping[str, ir.Table], acc: _Account):
    cols = set(t.columns)
    new: dict[str, ir.Value] = {}
    if "rating" in cols:
        dur_like = t.rating.re_search(r"^[0-9]+\s*min").fill_null(False)
        new.update(acc.flag("rating: held a duration, set missing", dur_like))
        new["rating"] = ibis.cases((dur_like, ibis.null("string")), else_=t.rating)
    # genres: the list, else primary + secondary joined (each once)
    base = t.genres if "genres" in cols else ibis.null("string")
    p = t.genre_primary if "genre_primary" in cols else ibis.null("string")
    s = t.genre_secondary if "genre_secondary" in cols else ibis.null("string")
    joined = ibis.cases(
        (p.isnull() & s.isnull(), ibis.null("string")),
        (s.isnull() | (s == p), p),
        (p.isnull(), s),
        else_=p.concat("|", s),
    )
    genres = ibis.coalesce(base, joined)
    first = strip(genres.re_extract(r"^([^|]*)", 1)).nullif("")
    new["genres"] = genres
    new["genre_primary"] = ibis.coalesce(p, first)
    return t.mutate(**new)


def _finish_sessions(engine: Engine, t: ir.Table, parents: Mapping[str, ir.Table], acc: _Account):
    cols = set(t.columns)
    if "progress_percentage" in cols:
        over = (t.progress_percentage > 100).fill_null(False)
        t = t.mutate(
            progress_percentage=ibis.cases((over, 100.0), else_=t.progress_percentage),
            **acc.flag("progress_percentage: above 100%, clipped to 100", over),
        )
    movies = parents.get("movies")
    if (
        movies is not None
        and "duration_minutes" in movies.columns
        and {"movie_id", "progress_percentage", "watch_duration_minutes"} <= cols
    ):
        rt = movies.select(_mid=movies.movie_id, _runtime=movies.duration_minutes)
        t = t.left_join(rt, t.movie_id == rt._mid).drop("_mid")
        from_minutes = round_half_up(
            ibis.least(100 * t.watch_duration_minutes / t._runtime, 100.0), 1
        )
        t = _impute(
            t,
            "progress_percentage",
            from_minutes,
            "watch minutes / title runtime, capped at 100%",
            acc,
        )
        from_progress = round_half_up(t.progress_percentage / 100 * t._runtime, 1)
        t = _impute(t, "watch_duration_minutes", from_progress, "progress x title runtime", acc)
        t = t.drop("_runtime")
    if "quality" in cols:
        t = _impute(t, "quality", ibis.literal("Unknown"), 'constant "Unknown"', acc)
    return t


_NEEDS_STATS = ("users",)
# bronze rows above which a table is "big": _classify writes its narrow rows, the category
# lookups are fetched, and the cleaned rows are written without an intermediate
NARROW_FILE_ROWS = 2_000_000
_FINISH: dict[str, Callable] = {
    "users": _finish_users,
    "movies": _finish_movies,
    "sessions": _finish_sessions,
}


# ------------------------------------------------------------------------- entry points ---
def clean_table(
    engine: Engine,
    name: str,
    bronze_path: Path,
    *,
    silver_dir: Path,
    work_dir: Path,
    as_of: pd.Timestamp | None,
    parents: Mapping[str, Path],
) -> dict[str, Any] | None:
    """Clean one bronze table into ``silver_dir``; return its summary (None: unknown table).

    ``parents`` maps ``users``/``movies`` to their silver files, for the foreign-key checks
    (clean those two first: see ``ORDER``). The removed rows go to
    ``work_dir/rejects/<name>.parquet``.
    """
    rules = RULES.get(name)
    if rules is None:
        return None
    bronze = engine.read(bronze_path)
    keys = {"users": "user_id", "movies": "movie_id"}
    parent_keys = {}
    for p, path in parents.items():
        tbl = engine.read(path)
        parent_keys[p] = tbl.select(tbl[keys[p]])
    # the removed rows only (a few percent): their row number, reason and kind
    removed_path = work_dir / f"{name}.removed.parquet"
    # big tables write their narrow rows once (see _classify); small ones keep them in memory,
    # where the extra file costs more than it saves
    big = engine.rows(bronze_path) > NARROW_FILE_ROWS
    classified = _classify(
        engine, name, bronze, rules, as_of, parent_keys, work_dir if big else None
    )
    removed = engine.stash(classified.filter(classified._reason.notnull()), removed_path)
    ids = [c for c in rules.ids if c in bronze.columns]

    def normed(t: ir.Table) -> ir.Table:  # ids compared and kept without surrounding spaces
        return t.mutate(**{c: _text(t[c]) for c in ids})

    # rows matched on _row first, then normalised: the removed rows (a few percent) are not
    # normalised on every bronze row before the join picks them
    base = bronze.drop("_batch")
    rejects_path = work_dir / "rejects" / f"{name}.parquet"
    engine.write(_rejects(name, normed(base.inner_join(removed, "_row"))), rejects_path, work=True)
    kept = normed(base.anti_join(removed, "_row"))
    acc = _Account()
    typed = _typed(engine, kept, rules, as_of, acc, values=bronze, fetch_lookups=big)
    if rules.finish:
        if rules.finish in _NEEDS_STATS:  # its statistics are queried: query a plain file
            typed_path = work_dir / f"{name}.typed.parquet"
            typed = engine.stash(typed, typed_path)
        parent_tables = {p: engine.read(path) for p, path in parents.items()}
        typed = _FINISH[rules.finish](engine, typed, parent_tables, acc)
    flags = list(acc.labels)
    imputed = [f"{c}_imputed" for c in acc.strategies]
    hidden = {*META, *flags}
    data = [c for c in typed.columns if c not in hidden]
    silver_path = table_path(silver_dir, name)
    if not big:
        # a small table's cleaned rows are computed once, with their repair flags, into an
        # intermediate that the silver table and the account both read: compiling the
        # expression twice would cost more than computing it twice
        flagged_path = work_dir / f"{name}.flagged.parquet"
        typed = engine.stash(typed.select("_row", *data, *flags), flagged_path)
    # in no set order: nothing reads silver in row order (gold sorts what it publishes, and
    # a removed row keeps its source row number), and sorting the cleaned rows back into
    # bronze order was a sixth of the scale-100 build (silver 69 s sorted, 50 s as they come).
    # A big table is written straight from its expression and the account below computes
    # only the flag columns again (DuckDB prunes the rest): holding every cleaned row with
    # its flags as an intermediate cost more (scale 100's watch history: 43.3 s of CPU so,
    # 40.5 s like this)
    engine.write(typed.select(data), silver_path)

    # the account: repairs and imputations counted from the flag columns; row counts
    # measured on the files as written
    sums = {f"c{i}": _sum_if(typed[c]) for i, c in enumerate([*flags, *imputed])}
    row = engine.row(typed.aggregate(**sums)) if sums else {}
    values = [int(row.get(f"c{i}") or 0) for i in range(len(flags) + len(imputed))]
    completeness = engine.completeness(silver_path, exclude_suffix="_imputed")
    repairs: Counter = Counter()
    for c, v in zip(flags, values[: len(flags)], strict=True):
        if v:
            repairs[acc.labels[c]] += v
    imputations = {
        col: {"count": v, "strategy": acc.strategies[col]}
        for col, v in zip(acc.strategies, values[len(flags) :], strict=True)
    }
    rej = engine.read(rejects_path)
    by_reason = engine.to_pandas(rej.group_by(["kind", "reason"]).aggregate(n=rej.count()))
    rejected = by_reason[by_reason["kind"] == "rejected"]
    result = {
        "rows_in": engine.rows(bronze_path),
        "rows_out": engine.rows(silver_path),
        "duplicates_removed": int(by_reason.loc[by_reason["kind"] == "duplicate", "n"].sum()),
        "exact_duplicates": int(
            by_reason.loc[by_reason["reason"] == "exact duplicate row", "n"].sum()
        ),
        "rejected": int(rejected["n"].sum()),
        "reject_reasons": {
            str(r): int(n) for r, n in sorted(zip(rejected["reason"], rejected["n"]))
        },
        "repairs": dict(repairs),
        "imputations": imputations,
        "completeness": completeness,
    }
    result["balanced"] = accounting(
        result["rows_in"], result["rows_out"], result["rejected"], result["duplicates_removed"]
    )
    engine.drop_stashed()
    return result


def silver_tasks(
    engine: Engine,
    bronze_dir: Path,
    silver_dir: Path,
    work_dir: Path,
    names: list[str],
    as_of: pd.Timestamp | None,
    summaries: dict[str, dict],
) -> list[Task]:
    """The silver layer as build steps (:func:`run_tasks`): one per table in ``names`` that
    has rules (named after it), each filling ``summaries[name]``, then one per table writing
    its part of the rejects table (``rejects:<name>``).

    Users and titles come first (the others' foreign keys are checked against them); the
    others follow biggest first on DuckDB, so that the watch history starts early and the
    small tables fill the second worker around it.
    """
    ordered = sorted(names, key=_rank)
    first = [n for n in ordered if n in ("users", "movies")]
    rest = [n for n in ordered if n not in first and n in RULES]
    if engine.name == "duckdb":
        rest.sort(key=lambda n: -engine.rows(table_path(bronze_dir, n)))

    def clean(name: str) -> Callable[[Engine], dict | None]:
        def run(eng: Engine) -> dict | None:
            parents = {p: table_path(silver_dir, p) for p in first if p in summaries}
            out = clean_table(
                eng,
                name,
                table_path(bronze_dir, name),
                silver_dir=silver_dir,
                work_dir=work_dir,
                as_of=as_of,
                parents=parents,
            )
            if out is not None:
                summaries[name] = out
            return out

        return run

    tasks = [Task(n, clean(n)) for n in first]
    tasks += [Task(n, clean(n), after=tuple(first)) for n in rest]
    # the rejects table: a folder of parts, one per table, each in source row order
    # ("00-users.parquet", ...: readers list the parts by name, so the table order is kept).
    # One sort per table, not one over every table's records: at scale 1000 (millions of
    # rejected rows with their JSON records) the single sort ran out of DuckDB's memory limit.
    out = table_path(silver_dir, "rejects")
    kept = [n for n in names if n in RULES]

    def rejects(i: int, name: str) -> Callable[[Engine], None]:
        def run(eng: Engine) -> None:
            part = eng.read(work_dir / "rejects" / f"{name}.parquet")
            eng.write(part, out / f"{i:02d}-{name}.parquet", order_by=["row"])

        return run

    tasks += [Task(f"rejects:{n}", rejects(i, n), after=(n,)) for i, n in enumerate(kept)]
    if not kept:

        def empty(eng: Engine) -> None:
            df = pd.DataFrame({c: pd.Series(dtype="str") for c in REJECTS_COLUMNS})
            eng.write(eng.table(df.astype({"row": "int64"})), out)

        tasks.append(Task("rejects:none", empty))
    return tasks


def clean_layer(
    engine: Engine,
    bronze_dir: Path,
    silver_dir: Path,
    work_dir: Path,
    names: list[str],
    as_of: pd.Timestamp | None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, dict]:
    """Clean every bronze table in ``names`` (users and movies first); write the rejects.

    On DuckDB two tables are cleaned at once, each on a cursor of the same database
    (:func:`run_tasks`). Each table's result is the same either way. ``progress(name)`` is
    called from this thread only, when a table's cleaning starts.
    """
    summaries: dict[str, dict] = {}
    tasks = silver_tasks(engine, bronze_dir, silver_dir, work_dir, names, as_of, summaries)

    cleaned = {t.name for t in tasks if not t.name.startswith("rejects:")}

    def started(t: Task) -> None:
        if progress is not None and t.name in cleaned:
            progress(t.name)

    run_tasks(engine, tasks, started=started)
    return {n: summaries[n] for n in names if n in summaries}


def _rank(name: str) -> tuple[int, int]:
    """Cleaning order: users and titles first (foreign keys), watch history last (biggest)."""
    if name in ("users", "movies"):
        return (0, ORDER.index(name))
    if name == "watch_history":
        return (2, 0)
    return (1, ORDER.index(name) if name in ORDER else len(ORDER))


def clean_all(
    bronze: dict[str, pd.DataFrame],
    as_of: pd.Timestamp,
    *,
    engine: str = "duckdb",
) -> dict[str, SilverResult]:
    """Clean in-memory bronze tables (with ingestion metadata) and return the results.

    The same rules and engine as a build, through a temporary folder; for tests and notebooks.
    """
    tmp = Path(tempfile.mkdtemp(prefix="silver-"))
    try:
        for name, df in bronze.items():
            write_bronze(tmp / "bronze", name, df, source=None)
        with connect(engine, temp_dir=tmp / "spill") as eng:
            summaries = clean_layer(
                eng, tmp / "bronze", tmp / "silver", tmp / "work", list(bronze), as_of
            )
            out: dict[str, SilverResult] = {}
            for name, s in summaries.items():
                table = pd.read_parquet(table_path(tmp / "silver", name))
                rej = pd.read_parquet(tmp / "work" / "rejects" / f"{name}.parquet")
                out[name] = SilverResult(
                    name=name,
                    table=table,
                    rows_in=s["rows_in"],
                    rejects=[rej] if len(rej) else [],
                    duplicates_removed=s["duplicates_removed"],
                    rejected=s["rejected"],
                    reject_reasons=Counter(s["reject_reasons"]),
                    repairs=Counter(s["repairs"]),
                    imputations=s["imputations"],
                )
            return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def record(row: pd.Series) -> dict[str, Any]:
    """A rejected row's original record (``rejects["record"]`` is its JSON)."""
    return json.loads(row["record"])
