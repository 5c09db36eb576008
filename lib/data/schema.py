"""Schemas and checks of the gold tables, declared once with pandera (its Ibis backend).

The same schema validates a gold table on whichever engine built it (DuckDB or Spark), since
both hand the pipeline Ibis tables. Every build runs the checks and counts the failing rows
of each (the engine counts them: nothing is pulled into memory), so the Overview page can
show a pass/fail scorecard with numbers.

``gold_schemas()`` gives the pandera ``DataFrameSchema`` per table for validation in tests and
notebooks (``schema.validate(table, lazy=True)``); ``check_gold()`` runs the named checks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pandera.ibis as pa

from lib.config import GOLD_COLUMNS

__all__ = ["Check", "CHECKS", "check_gold", "gold_schemas"]


@dataclass(frozen=True)
class Check:
    """The result of one named check on one gold table."""

    table: str
    name: str
    failing: int
    rows: int

    @property
    def passed(self) -> bool:
        return self.failing == 0

    def as_dict(self) -> dict:
        return {**asdict(self), "passed": self.passed}


# --- check functions: IbisData -> boolean column (True = the row passes) -------------------
def _unique(*cols: str) -> Callable:
    def fn(data) -> ir.BooleanColumn:
        t = data.table
        return (
            ibis.row_number().over(group_by=[t[c] for c in cols], order_by=[t[c] for c in cols])
            == 0
        )

    return fn


def _exists_in(column: str, other: Mapping[str, ir.Table], table: str, key: str) -> Callable:
    def fn(data) -> ir.BooleanColumn:
        ref = other[table]
        return data.table[column].isin(ref[key])

    return fn


@dataclass(frozen=True)
class _Spec:
    table: str
    name: str
    column: str | None
    make: Callable[[Mapping[str, ir.Table]], pa.Check]


def _specs() -> list[_Spec]:
    def const(check: pa.Check) -> Callable[[Mapping[str, ir.Table]], pa.Check]:
        return lambda _tables: check

    def named(fn_factory: Callable, name: str) -> Callable[[Mapping[str, ir.Table]], pa.Check]:
        return lambda tables: pa.Check(fn_factory(tables), name=name, ignore_na=False)

    return [
        _Spec(
            "titles",
            "title_id unique",
            None,
            named(lambda _t: _unique("title_id"), "title_id unique"),
        ),
        _Spec(
            "users", "user_id unique", None, named(lambda _t: _unique("user_id"), "user_id unique")
        ),
        _Spec(
            "titles",
            "title_key unique",
            None,
            named(lambda _t: _unique("title_key"), "title_key unique"),
        ),
        _Spec(
            "users",
            "user_key unique",
            None,
            named(lambda _t: _unique("user_key"), "user_key unique"),
        ),
        _Spec(
            "interactions",
            "(user_id, title_id) unique",
            None,
            named(lambda _t: _unique("user_id", "title_id"), "(user_id, title_id) unique"),
        ),
        _Spec(
            "interactions",
            "title_id exists in titles",
            None,
            named(
                lambda t: _exists_in("title_id", t, "titles", "title_id"),
                "title_id exists in titles",
            ),
        ),
        _Spec(
            "interactions",
            "user_id exists in users",
            None,
            named(
                lambda t: _exists_in("user_id", t, "users", "user_id"), "user_id exists in users"
            ),
        ),
        _Spec("interactions", "weight > 0", "weight", const(pa.Check.gt(0, name="weight > 0"))),
        _Spec(
            "titles",
            "imdb_rating within 1-10",
            "imdb_rating",
            const(pa.Check.in_range(1, 10, name="imdb_rating within 1-10")),
        ),
        _Spec(
            "titles",
            "meta_score within 0-100",
            "meta_score",
            const(pa.Check.in_range(0, 100, name="meta_score within 0-100")),
        ),
        _Spec("users", "age within 5-110", "age", const(pa.Check.in_range(5, 110, name="age"))),
        _Spec(
            "sessions",
            "progress_pct within 0-100",
            "progress_pct",
            const(pa.Check.in_range(0, 100, name="progress_pct within 0-100")),
        ),
        _Spec(
            "sessions",
            "watch_minutes within 0-1,440",
            "watch_minutes",
            const(pa.Check.in_range(0, 1440, name="watch_minutes within 0-1,440")),
        ),
        _Spec(
            "sessions",
            "session_id unique",
            None,
            named(lambda _t: _unique("session_id"), "session_id unique"),
        ),
        _Spec(
            "top10_training",
            "label is 0 or 1",
            "in_top10",
            const(pa.Check.isin([0, 1], name="label is 0 or 1")),
        ),
        _Spec(
            "top10_weekly",
            "weekly_rank within 1-10",
            "weekly_rank",
            const(pa.Check.in_range(1, 10, name="weekly_rank within 1-10")),
        ),
        _Spec(
            "engagement_report",
            "hours_viewed >= 0",
            "hours_viewed",
            const(pa.Check.ge(0, name="hours_viewed >= 0")),
        ),
    ]


CHECKS: tuple[str, ...] = tuple(f"{s.table}: {s.name}" for s in _specs())


def gold_schemas(tables: Mapping[str, ir.Table]) -> dict[str, pa.DataFrameSchema]:
    """A pandera schema per gold table: its canonical columns, nullable, with its checks."""
    by_table: dict[str, list[_Spec]] = {}
    for s in _specs():
        by_table.setdefault(s.table, []).append(s)
    out = {}
    for table, cols in GOLD_COLUMNS.items():
        specs = by_table.get(table, [])
        columns = {
            c: pa.Column(checks=[s.make(tables) for s in specs if s.column == c], nullable=True)
            for c in cols
        }
        frame_checks = [s.make(tables) for s in specs if s.column is None]
        out[table] = pa.DataFrameSchema(columns, checks=frame_checks, name=table, strict=False)
    return out


def check_gold(
    engine, tables: Mapping[str, ir.Table], rows: Mapping[str, int] | None = None
) -> list[Check]:
    """Run the gold checks: columns present, keys unique, references valid, values in range.

    ``tables`` maps each gold table name to its Ibis table on ``engine``; ``rows`` their row
    counts when the caller knows them (else counted). Each check's failing rows are counted
    by the engine (the check's pandera failure cases, counted).
    """
    out: list[Check] = []
    known = dict(rows or {})
    rows = {name: known[name] if name in known else engine.count(t) for name, t in tables.items()}
    for table, cols in GOLD_COLUMNS.items():
        t = tables.get(table)
        missing = 1 if t is None else sum(c not in t.columns for c in cols)
        out.append(Check(table, "all canonical columns present", int(missing), rows.get(table, 0)))
    ran: list[tuple[_Spec, Any]] = []
    for spec in _specs():
        t = tables.get(spec.table)
        if t is None or (spec.column is not None and spec.column not in t.columns):
            continue
        check = spec.make(tables)
        ran.append((spec, check(t, spec.column).failure_cases))
    # every check's failing rows counted in one query (a union of one count per check): at
    # scale 1 the per-check queries' fixed cost was most of the checks' time
    counts = [
        fc.aggregate(n=fc.count()).mutate(i=ibis.literal(i, type="int32"))
        for i, (_s, fc) in enumerate(ran)
        if fc is not None
    ]
    failing: dict[int, int] = {}
    if counts:
        df = engine.to_pandas(ibis.union(*counts) if len(counts) > 1 else counts[0])
        failing = {int(i): int(n) for i, n in zip(df["i"], df["n"], strict=True)}
    for i, (spec, _fc) in enumerate(ran):
        out.append(Check(spec.table, spec.name, failing.get(i, 0), rows[spec.table]))
    return out
