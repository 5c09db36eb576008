"""Chart filters: a click (or box selection) on a chart filters the whole page by that value.

Pure Python (no streamlit). The Catalog and Engagement pages keep the chart filters as
*chips* - one per dimension, e.g. ``genre = Drama`` or ``weekday = Sat; start hour = 21:00``
- that live in the URL as repeated ``cf`` parameters (``?cf=genre:Drama&cf=device:TV``)
beside the sidebar filters, and combine with them: ``to_filters`` turns the chips into a
``lib.filters.Filters`` that rides in the sidebar filters' ``also`` (AND). Within one chip
the values are alternatives (a box selection over three genre bars keeps titles with any of
the three).

``values_from_points`` reads what a chart selection event (Streamlit's Plotly selection
state: a list of point dicts with ``x``, ``y``, ``label``, ``customdata``, ``legendgroup``)
selected, given the chart's *selection spec*: which chip key each point attribute fills, for
example ``{"genre": "y"}`` for a horizontal bar chart of genres, or
``{"weekday": "y", "hour": "x"}`` for the weekday-by-hour heatmap. ``toggle`` applies a new
selection to the chips: it replaces the chip of the same dimension, and the same selection
again removes it (a second click on a bar clears its filter).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lib.filters import WEEKDAY_NAMES, FilterOptions, Filters

__all__ = [
    "URL_PARAM",
    "DIMENSIONS",
    "Chip",
    "parse",
    "to_url",
    "to_filters",
    "toggle",
    "remove",
    "values_from_points",
    "validate",
]

URL_PARAM = "cf"


@dataclass(frozen=True)
class Dimension:
    """A dimension a chart can filter: the ``Filters`` field it sets and its wording."""

    field: str
    label: str
    kind: str = "text"  # text | int | range | weekday | hour
    on_titles: bool = False


# chip key (in the URL) -> dimension; the keys match the sidebar filters' URL keys
DIMENSIONS: dict[str, Dimension] = {
    "genre": Dimension("genres", "genre", on_titles=True),
    "type": Dimension("content_types", "type", on_titles=True),
    "country": Dimension("countries", "country", on_titles=True),
    "rating": Dimension("maturity_ratings", "maturity rating", on_titles=True),
    "years": Dimension("years", "release year", "range", on_titles=True),
    "device": Dimension("devices", "device"),
    "plan": Dimension("plans", "plan"),
    "vcountry": Dimension("viewer_countries", "viewer country"),
    "weekday": Dimension("weekdays", "weekday", "weekday"),
    "hour": Dimension("hours", "start hour", "hour"),
}


@dataclass(frozen=True)
class Chip:
    """One active chart filter: a dimension and the values selected on it (any of them)."""

    key: str
    values: tuple[Any, ...]

    @property
    def dimension(self) -> Dimension:
        return DIMENSIONS[self.key]

    def text(self) -> str:
        """The chip's words, e.g. ``genre = Drama or Crime``, ``release year = 2010-2015``."""
        return f"{self.dimension.label} = {_words(self.key, self.values)}"

    def url_values(self) -> list[str]:
        kind = self.dimension.kind
        if kind == "range":
            lo, hi = self.values
            return [f"{self.key}:{lo}-{hi}" if lo != hi else f"{self.key}:{lo}"]
        if kind == "weekday":
            return [f"{self.key}:{WEEKDAY_NAMES[int(v)]}" for v in self.values]
        return [f"{self.key}:{v}" for v in self.values]


def _words(key: str, values: Sequence[Any]) -> str:
    kind = DIMENSIONS[key].kind
    if kind == "range":
        lo, hi = values
        return str(lo) if lo == hi else f"{lo}-{hi}"
    if kind == "weekday":
        return " or ".join(WEEKDAY_NAMES[int(v)] for v in values)
    if kind == "hour":
        return " or ".join(f"{int(v):02d}:00" for v in values)
    return " or ".join(str(v) for v in values)


# -- parsing values (from the URL and from chart points) -----------------------------------
_HOUR = re.compile(r"^\s*(\d{1,2})(?::00)?\s*$")


def _as_int(value: Any) -> int | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return int(f) if f == f and abs(f) < 1e9 else None


def _one_value(key: str, value: Any) -> Any:
    """A point or URL value as the dimension's type; ``None`` when it is not one."""
    kind = DIMENSIONS[key].kind
    if value is None:
        return None
    if kind == "weekday":
        text = str(value).strip()
        for i, name in enumerate(WEEKDAY_NAMES):
            if text.lower()[:3] == name.lower():
                return i
        i = _as_int(text)
        return i if i is not None and 0 <= i < 7 else None
    if kind == "hour":
        m = _HOUR.match(str(value))
        h = int(m.group(1)) if m else None
        return h if h is not None and 0 <= h < 24 else None
    if kind in ("int", "range"):
        return _as_int(value)
    text = str(value).strip()
    return text or None


def parse(params: Iterable[str]) -> tuple[tuple[Chip, ...], list[str]]:
    """Chips from the URL's ``cf`` values, and a message for each value that is not one.

    ``genre:Drama``, ``years:2010-2015`` (or ``years:2012``), ``weekday:Sat`` (or ``5``),
    ``hour:21`` (or ``21:00``). Values of the same key join one chip.
    """
    found: dict[str, list[Any]] = {}
    errors: list[str] = []
    for raw in params:
        key, sep, value = str(raw).partition(":")
        if not sep or key not in DIMENSIONS:
            known = ", ".join(DIMENSIONS)
            errors.append(f"{raw!r} is not a chart filter (expected KEY:VALUE, KEY one of {known})")
            continue
        if DIMENSIONS[key].kind == "range":
            lo, _, hi = value.partition("-")
            lo_v, hi_v = _as_int(lo), _as_int(hi or lo)
            if lo_v is None or hi_v is None:
                errors.append(f"{raw!r}: expected a year or a range of years such as 2010-2015")
                continue
            found[key] = [min(lo_v, hi_v), max(lo_v, hi_v)]
            continue
        v = _one_value(key, value)
        if v is None:
            errors.append(f"{raw!r}: {value!r} is not a {DIMENSIONS[key].label}")
            continue
        if v not in found.setdefault(key, []):
            found[key].append(v)
    return tuple(Chip(k, tuple(v)) for k, v in found.items() if v), errors


def to_url(chips: Sequence[Chip]) -> list[str]:
    """The ``cf`` values of ``chips`` (the inverse of ``parse``)."""
    return [v for chip in chips for v in chip.url_values()]


def to_filters(chips: Sequence[Chip]) -> Filters:
    """The chips as a ``Filters`` (put it in the sidebar filters' ``also``)."""
    kw: dict[str, Any] = {}
    for chip in chips:
        d = chip.dimension
        kw[d.field] = tuple(chip.values) if d.kind != "range" else (chip.values[0], chip.values[1])
    return Filters(**kw)


def validate(chips: Sequence[Chip], options: FilterOptions) -> tuple[tuple[Chip, ...], list[str]]:
    """Keep the chip values the dataset has; a message for each value dropped.

    Text dimensions must be among the dataset's filter values (``FilterOptions``); a year
    range must overlap the dataset's years; hours and weekdays are checked by ``parse``.
    """
    kept: list[Chip] = []
    errors: list[str] = []
    for chip in chips:
        d = chip.dimension
        offered = getattr(options, d.field, ())
        if d.kind in ("weekday", "hour"):
            kept.append(chip)
        elif d.kind == "range":
            lo, hi = chip.values
            if offered and (hi < offered[0] or lo > offered[1]):
                errors.append(
                    f"chart filter {chip.text()!r}: the dataset's release years are "
                    f"{offered[0]}-{offered[1]}"
                )
            else:
                kept.append(chip)
        elif not offered:
            errors.append(f"chart filter {chip.text()!r}: this dataset has no {d.label}")
        else:
            have = set(offered)
            ok = tuple(v for v in chip.values if v in have)
            errors += [
                f"chart filter {d.label} = {v!r}: no such {d.label} in this dataset"
                for v in chip.values
                if v not in have
            ]
            if ok:
                kept.append(Chip(chip.key, ok))
    return tuple(kept), errors


def toggle(chips: Sequence[Chip], selected: Mapping[str, Sequence[Any]]) -> tuple[Chip, ...]:
    """Apply a chart selection (chip key -> values) to the chips.

    Each selected dimension's chip is replaced by the selection; when the selection equals
    the chips it would set (the same bar clicked again), those chips are removed instead.
    An empty selection changes nothing.
    """
    new = {k: tuple(v) for k, v in selected.items() if len(v)}
    if not new:
        return tuple(chips)
    current = {c.key: c.values for c in chips}
    if all(_same(current.get(k), v, k) for k, v in new.items()):
        return tuple(c for c in chips if c.key not in new)
    out = [Chip(c.key, new[c.key]) if c.key in new else c for c in chips]
    out += [Chip(k, v) for k, v in new.items() if k not in current]
    return tuple(out)


def _same(have: tuple | None, want: tuple, key: str) -> bool:
    if have is None:
        return False
    if DIMENSIONS[key].kind == "range":
        return tuple(have) == tuple(want)
    return set(have) == set(want)


def remove(chips: Sequence[Chip], key: str) -> tuple[Chip, ...]:
    """The chips without the one of ``key``."""
    return tuple(c for c in chips if c.key != key)


def _point_value(point: Mapping[str, Any], source: str) -> Any:
    """``x``, ``y``, ``label``, ``legendgroup`` or ``customdata.N`` of a selected point."""
    if source.startswith("customdata"):
        _, _, idx = source.partition(".")
        data = point.get("customdata")
        if isinstance(data, (list, tuple)):
            i = int(idx or 0)
            return data[i] if i < len(data) else None
        return data
    return point.get(source)


def values_from_points(
    points: Sequence[Mapping[str, Any]], spec: Mapping[str, str]
) -> dict[str, tuple[Any, ...]]:
    """What a chart selection selected: chip key -> values, read per ``spec`` (key -> source).

    Values that are not of the dimension's type (a treemap's root cell, a blank label) are
    skipped. A ``range`` dimension (release year) gets (lowest, highest) of the points.
    """
    out: dict[str, list[Any]] = {k: [] for k in spec}
    for point in points:
        for key, source in spec.items():
            v = _one_value(key, _point_value(point, source))
            if v is not None and v not in out[key]:
                out[key].append(v)
    result: dict[str, tuple[Any, ...]] = {}
    for key, values in out.items():
        if not values:
            continue
        if DIMENSIONS[key].kind == "range":
            result[key] = (min(values), max(values))
        else:
            result[key] = tuple(values)
    return result
