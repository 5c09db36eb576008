"""Compare two builds of the same data (DuckDB vs Spark, or two runs): same rows, equal values.

Used by the engine-equality tests and ``benchmarks.engine``. Tables are compared as sets of
rows: both sides are sorted by every column, floats compared within a tolerance, timestamps
exactly, and the row counts of the quality report must match.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from lib.data.store import load_report, read_tables

__all__ = ["diff_tables", "diff_layer", "diff_reports"]


def _record(text: object) -> object:
    """A rejected row's JSON record in a canonical form (engines print numbers differently)."""
    if not isinstance(text, str):
        return text
    rec = json.loads(text)
    return json.dumps(
        {k: (round(v, 9) if isinstance(v, float) else v) for k, v in rec.items()}, sort_keys=True
    )


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for c in df.columns:
        s = df[c]
        if c == "record":
            s = s.map(_record)
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype("str")
        if pd.api.types.is_bool_dtype(s) or str(s.dtype) == "boolean":
            s = s.astype("float64")
        elif pd.api.types.is_integer_dtype(s):
            s = s.astype("float64")
        elif pd.api.types.is_datetime64_any_dtype(s):
            if getattr(s.dt, "tz", None) is not None:
                s = s.dt.tz_convert("UTC").dt.tz_localize(None)
            s = s.astype("datetime64[us]")
        out[c] = s
    df = pd.DataFrame(out)
    return df.sort_values(list(df.columns), na_position="last", kind="stable").reset_index(
        drop=True
    )


def diff_tables(a: pd.DataFrame, b: pd.DataFrame, *, rtol: float = 1e-9) -> str | None:
    """None when equal as row sets, else a one-line description of the first difference."""
    if list(a.columns) != list(b.columns):
        return f"columns differ: {list(a.columns)} vs {list(b.columns)}"
    if len(a) != len(b):
        return f"{len(a):,} vs {len(b):,} rows"
    a, b = _normalise(a), _normalise(b)
    for c in a.columns:
        x, y = a[c], b[c]
        if pd.api.types.is_float_dtype(x) and pd.api.types.is_float_dtype(y):
            xv, yv = x.to_numpy(float), y.to_numpy(float)
            same = np.isclose(xv, yv, rtol=rtol, atol=1e-9, equal_nan=True)
        else:
            same = ((x == y) | (x.isna() & y.isna())).to_numpy(bool)
        if not same.all():
            i = int(np.flatnonzero(~same)[0])
            return f"column {c!r} differs in {int((~same).sum()):,} rows, e.g. {x[i]!r} vs {y[i]!r}"
    return None


def diff_layer(a_dir: Path, b_dir: Path, layer: str = "gold", **kw) -> dict[str, str]:
    """Differences between the tables of one layer of two dataset folders ({} = equal)."""
    a, b = read_tables(Path(a_dir) / layer), read_tables(Path(b_dir) / layer)
    out = {}
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            out[name] = "missing on one side"
            continue
        d = diff_tables(a[name], b[name], **kw)
        if d:
            out[name] = d
    return out


def diff_reports(a_dir: Path, b_dir: Path) -> dict[str, str]:
    """Differences in the row accounting, cleaning counts and checks of two builds."""
    ra, rb = load_report(a_dir), load_report(b_dir)
    out = {}
    if ra["invariants"] != rb["invariants"]:
        out["invariants"] = f"{ra['invariants']} vs {rb['invariants']}"
    for t in ra["silver"]:
        sa, sb = ra["silver"][t], rb["silver"].get(t)
        for k in ("reject_reasons", "repairs", "imputations"):
            if sb is None or sa[k] != sb[k]:
                out[f"silver.{t}.{k}"] = f"{sa[k]} vs {None if sb is None else sb[k]}"
    ca = {(c["table"], c["name"]): c["failing"] for c in ra["checks"]}
    cb = {(c["table"], c["name"]): c["failing"] for c in rb["checks"]}
    if ca != cb:
        out["checks"] = f"{ca} vs {cb}"
    return out
