"""Which format a text file is: from its header, or for header-less files from their shape.

The most specific format whose required columns are all present wins (case-insensitive);
near misses name the missing columns. The file name is never used.
"""

from __future__ import annotations

from lib.data.importers.base import Format
from lib.data.importers.csvtext import DELIMITERS, clean_header, first_records
from lib.data.importers.decoding import SAMPLE_CHARS
from lib.data.importers.problems import ImportProblem
from lib.data.importers.registry import FORMATS, REGISTRY

__all__ = ["detect_text"]


def _match_header(headers: list[str]) -> tuple[Format | None, list[tuple[Format, list[str]]]]:
    """The most specific format whose required columns are all present, and near misses."""
    seen = {h.casefold() for h in headers}
    full = []
    near = []
    for fmt in REGISTRY:
        if fmt.headerless or fmt.container != "text":
            continue
        missing = [c for c in fmt.required if c.casefold() not in seen]
        if not missing:
            full.append(fmt)
        elif len(fmt.required) - len(missing) >= max(2, (len(fmt.required) + 1) // 2):
            near.append((fmt, missing))
    if full:
        return max(full, key=lambda s: len(s.required)), []
    near.sort(key=lambda t: len(t[1]))
    return None, near


def _match_shape(sample: str) -> tuple[Format, str] | None:
    for fmt in REGISTRY:
        if fmt.shape is not None and (delim := fmt.shape(sample)) is not None:
            return fmt, delim
    return None


def detect_text(name: str, text: str) -> tuple[Format, str, list[str], int]:
    """Return (format, delimiter, header names, lines used by the header; 0 when header-less)."""
    sample = text[:SAMPLE_CHARS]
    first_line = next((ln for ln in sample.splitlines() if ln.strip()), "")
    order = sorted(DELIMITERS, key=lambda d: -first_line.count(d))
    near_all: list[tuple[Format, list[str]]] = []
    seen_headers: list[str] = []
    for delim in order:
        recs, header_lines = first_records(sample, delim, 1)
        if not recs:
            continue
        headers = clean_header(recs[0])
        if not seen_headers or len(headers) > len(seen_headers):
            seen_headers = headers
        if len(headers) < 2:
            continue
        fmt, near = _match_header(headers)
        if fmt is not None:
            return fmt, delim, headers, header_lines
        near_all.extend(near)
    found = _match_shape(sample)
    if found is not None:
        fmt, delim = found
        return fmt, delim, list(fmt.required), 0
    raise _unknown(name, seen_headers, near_all)


def _unknown(
    name: str, seen_headers: list[str], near_all: list[tuple[Format, list[str]]]
) -> ImportProblem:
    shown = ", ".join(seen_headers[:30]) + (" ..." if len(seen_headers) > 30 else "")
    if near_all:
        fmt, missing = min(near_all, key=lambda t: len(t[1]))
        others = sorted({s.name for s, _ in near_all} - {fmt.name})
        also = f" (it could also be: {', '.join(others)})" if others else ""
        return ImportProblem(
            f"{name}: looks like {fmt.name} but is missing required column(s) "
            f"{', '.join(missing)}{also}. Headers seen: {shown}",
            kind="missing_columns",
            file=name,
            column=", ".join(missing),
            expected=f"columns {', '.join(fmt.required)}",
        )
    known = "; ".join(
        f"{s.name} ({', '.join(s.required[:6])}{', ...' if len(s.required) > 6 else ''})"
        for s in REGISTRY
    )
    return ImportProblem(
        f"{name}: unknown format. Headers seen: {shown or '(none)'}. "
        f"It could be one of these formats, detected by their columns: {known}",
        kind="unknown_format",
        file=name,
        expected="one of the formats " + ", ".join(FORMATS),
    )
