"""Checks of the canonical gold tables (run by every build; results go into the report).

A light, dependency-free equivalent of a pandera schema: each check is a named predicate with
the number of offending rows, so the Overview page can show a pass/fail scorecard.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from lib.config import GOLD_COLUMNS

__all__ = ["Check", "check_gold"]


@dataclass(frozen=True)
class Check:
    table: str
    name: str
    failing: int
    rows: int

    @property
    def passed(self) -> bool:
        return self.failing == 0

    def as_dict(self) -> dict:
        return {**asdict(self), "passed": self.passed}


def _range(df: pd.DataFrame, col: str, lo: float | None, hi: float | None) -> int:
    if col not in df or not len(df):
        return 0
    s = pd.to_numeric(df[col], errors="coerce")
    bad = pd.Series(False, index=s.index)
    if lo is not None:
        bad |= s < lo
    if hi is not None:
        bad |= s > hi
    return int(bad.sum())


def check_gold(gold: dict[str, pd.DataFrame]) -> list[Check]:
    """Run the gold checks: columns present, keys unique, references valid, values in range."""
    out: list[Check] = []

    def add(table: str, name: str, failing: int) -> None:
        out.append(Check(table, name, int(failing), len(gold.get(table, []))))

    for table, cols in GOLD_COLUMNS.items():
        df = gold.get(table)
        missing = [] if df is None else [c for c in cols if c not in df]
        add(table, "all canonical columns present", len(missing) if df is not None else 1)
    t, u, i = gold["titles"], gold["users"], gold["interactions"]
    add("titles", "title_id unique", t["title_id"].duplicated().sum())
    add("users", "user_id unique", u["user_id"].duplicated().sum())
    add(
        "interactions",
        "(user_id, title_id) unique",
        i.duplicated(subset=["user_id", "title_id"]).sum(),
    )
    add("interactions", "title_id exists in titles", (~i["title_id"].isin(t["title_id"])).sum())
    add("interactions", "user_id exists in users", (~i["user_id"].isin(u["user_id"])).sum())
    add("interactions", "weight > 0", (i["weight"] <= 0).sum())
    add("titles", "imdb_rating within 1-10", _range(t, "imdb_rating", 1, 10))
    add("titles", "meta_score within 0-100", _range(t, "meta_score", 0, 100))
    add("users", "age within 5-110", _range(u, "age", 5, 110))
    s = gold["sessions"]
    add("sessions", "progress_pct within 0-100", _range(s, "progress_pct", 0, 100))
    add("sessions", "watch_minutes within 0-1,440", _range(s, "watch_minutes", 0, 1440))
    add("sessions", "session_id unique", s["session_id"].duplicated().sum())
    tt = gold["top10_training"]
    add("top10_training", "label is 0 or 1", (~tt["in_top10"].isin([0, 1])).sum())
    return out
