"""Linking titles across files: the normalised-title key, generated ids and the index.

Top 10, IMDb-style and engagement-report titles are linked to the movies of the same import
by :func:`normalize_title` plus the film/TV kind (Top 10, reports) or the release year (IMDb,
+-1 year when that leaves one candidate). Several candidates that nothing decides between are
never guessed: they stay unlinked and are counted as ambiguous.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from lib import config

__all__ = [
    "normalize_title",
    "generated_id",
    "kind_of_category",
    "kind_of_content_type",
    "movie_keys",
    "TitleIndex",
    "join_entry",
]

_ARTICLE_TAIL = re.compile(r"^(?P<body>.+), (?P<art>The|A|An)$", re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+")
_LEADING_ARTICLE = re.compile(r"^(?:(?:the|a|an) )+")


def normalize_title(title: Any) -> str:
    """Key for linking titles: casefold, no accents, no punctuation or leading article.

    ``"The Witcher: Blood Origin"`` and ``"Witcher - Blood Origin"`` give the same key;
    ``"Shawshank Redemption, The"`` equals ``"The Shawshank Redemption"``; ``&`` counts as
    ``and``. Returns ``""`` for a missing title.
    """
    if not isinstance(title, str):
        if title is None or title is pd.NA or (isinstance(title, float) and np.isnan(title)):
            return ""
        title = str(title)
    return _normalize(title)


@functools.lru_cache(maxsize=1 << 16)
def _normalize(title: str) -> str:
    s = title.strip()
    m = _ARTICLE_TAIL.match(s)
    if m:
        s = f"{m['art']} {m['body']}"
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s)
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.casefold().replace("&", " and ").replace("'", "").replace("\u2019", "")
    s = _NON_WORD.sub(" ", s).strip()
    return _LEADING_ARTICLE.sub("", s)


def generated_id(prefix: str, key: str) -> str:
    """A stable id for a title no catalog row matched: ``<prefix>-<slug>-<8 hex digits>``."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=4).hexdigest()
    return f"{prefix}-{config.slug(key)[:40] or 'untitled'}-{digest}"


def kind_of_category(cat: pd.Series) -> pd.Series:
    """ "film" / "tv" from a Top 10 list name ("Films (English)", "TV (Non-English)")."""
    c = cat.fillna("").str.strip().str.casefold()
    kind = pd.Series(pd.NA, index=cat.index, dtype="str")
    kind = kind.mask(c.str.startswith("film"), "film")
    return kind.mask(c.str.startswith("tv"), "tv")


def kind_of_content_type(ct: pd.Series) -> pd.Series:
    """ "film" / "tv" from a catalog content type."""
    c = ct.fillna("").str.strip().str.casefold()
    kind = pd.Series(pd.NA, index=ct.index, dtype="str")
    kind = kind.mask(c.isin(["movie", "film"]), "film")
    return kind.mask(c.isin(["tv series", "tv show", "limited series", "tv"]), "tv")


def movie_keys(movies: pd.DataFrame) -> pd.DataFrame:
    """Link keys (norm, year, kind) of a bronze movies table, aligned with it."""
    year = pd.to_numeric(movies["release_year"], errors="coerce")
    return pd.DataFrame(
        {
            "norm": movies["title"].map(normalize_title, na_action=None).astype("str"),
            "year": year.astype("float64"),
            "kind": kind_of_content_type(movies["content_type"]),
        },
        index=movies.index,
    )


Candidate = tuple[str, float | None, str | None]


class TitleIndex:
    """Normalised title -> candidate movies (id, year, kind) of the import so far."""

    def __init__(self) -> None:
        self.by_norm: dict[str, list[Candidate]] = {}
        self.sources: list[str] = []
        self.size = 0

    def add(self, ids: Iterable[Any], keys: pd.DataFrame, source: str) -> None:
        years = keys["year"] if "year" in keys else pd.Series(np.nan, index=keys.index)
        kinds = keys["kind"] if "kind" in keys else pd.Series(pd.NA, index=keys.index)
        added = 0
        for mid, norm, year, kind in zip(ids, keys["norm"], years, kinds, strict=True):
            if not isinstance(mid, str) or not isinstance(norm, str) or not norm:
                continue
            y = None if pd.isna(year) else float(year)
            k = None if pd.isna(kind) else str(kind)
            self.by_norm.setdefault(norm, []).append((mid, y, k))
            added += 1
        if added and source not in self.sources:
            self.sources.append(source)
        self.size += added

    def label(self) -> str:
        return " + ".join(self.sources) if self.sources else "(nothing)"

    def match(
        self, norm: str, *, year: float | None = None, kind: str | None = None
    ) -> tuple[str | None, str]:
        """Return (movie_id, "matched") or (None, "ambiguous" / "unmatched")."""
        found = self.by_norm.get(norm) if norm else None
        if not found:
            return None, "unmatched"
        unique: dict[str, Candidate] = {}
        for cand in found:
            if kind is None or cand[2] is None or cand[2] == kind:
                unique.setdefault(cand[0], cand)
        cands = list(unique.values())
        if not cands:
            return None, "unmatched"
        if year is None:
            return (cands[0][0], "matched") if len(cands) == 1 else (None, "ambiguous")
        return _by_year(cands, year)


def _by_year(cands: list[Candidate], year: float) -> tuple[str | None, str]:
    dated = [c for c in cands if c[1] is not None]
    for tolerance in (0, 1):
        close = [c for c in dated if abs(c[1] - year) <= tolerance]  # type: ignore[operator]
        if len(close) == 1:
            return close[0][0], "matched"
        if len(close) > 1:
            return None, "ambiguous"
    undated = [c for c in cands if c[1] is None]
    if len(undated) == 1 and not dated:
        return undated[0][0], "matched"
    return (None, "ambiguous") if len(undated) > 1 and not dated else (None, "unmatched")


def join_entry(
    name: str, what: str, statuses: list[str], titles: list[str], target: str, rows: dict
) -> dict[str, Any]:
    """One file's entry of the join report: counts, match rate, examples and the message."""
    total = len(statuses)
    matched = statuses.count("matched")
    ambiguous = statuses.count("ambiguous")
    rate = matched / total if total else 0.0
    message = (
        f"{name}: {matched:,} of {total:,} {what} matched to {target} ({rate:.1%}); "
        f"{ambiguous:,} ambiguous match{'es' if ambiguous != 1 else ''} not guessed"
    )
    examples = [t for t, s in zip(titles, statuses, strict=True) if s == "ambiguous"][:5]
    return {
        "what": what,
        "target": target,
        "titles": total,
        "matched": matched,
        "ambiguous": ambiguous,
        "unmatched": total - matched - ambiguous,
        "match_rate": rate,
        "ambiguous_examples": examples,
        **rows,
        "message": message,
    }
