"""Tables for people, built from a build's quality report (pure: dict in, DataFrame out).

Light on purpose (pandas only): the Overview, the landing page, shows them without importing
the build's engine. ``lib.data.pipeline.report`` re-exports them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["silver_actions", "bronze_profile"]


def silver_actions(report: dict[str, Any]) -> pd.DataFrame:
    """One row per cleaning action: table, action, rule, rows affected."""
    rows = []
    for tname, s in report["silver"].items():
        for reason, n in s["reject_reasons"].items():
            rows.append({"table": tname, "action": "row rejected", "rule": reason, "rows": n})
        if s["duplicates_removed"]:
            rows.append(
                {
                    "table": tname,
                    "action": "duplicate removed",
                    "rule": "exact copy or repeated id (first kept)",
                    "rows": s["duplicates_removed"],
                }
            )
        for rule, n in s["repairs"].items():
            rows.append({"table": tname, "action": "value repaired", "rule": rule, "rows": n})
        for col, imp in s["imputations"].items():
            rows.append(
                {
                    "table": tname,
                    "action": "value imputed",
                    "rule": f"{col}: {imp['strategy']}",
                    "rows": imp["count"],
                }
            )
    return pd.DataFrame(rows, columns=["table", "action", "rule", "rows"])


def bronze_profile(report: dict[str, Any]) -> pd.DataFrame:
    """One row per bronze table: rows, completeness, duplicates, schema, freshness."""
    rows = []
    for tname, p in report["bronze"].items():
        worst = sorted(p["completeness"].items(), key=lambda kv: kv[1])[:3]
        fresh = p.get("freshness") or {}
        rows.append(
            {
                "table": tname,
                "rows": p["rows"],
                "columns": p["columns"],
                "completeness": p["mean_completeness"],
                "least complete columns": ", ".join(f"{c} {v:.0%}" for c, v in worst if v < 1),
                "exact duplicates": p["exact_duplicates"],
                "duplicate ids": p["key_duplicates"],
                "schema compliance": p["schema"]["compliance"],
                "missing columns": ", ".join(p["schema"]["missing_columns"]),
                "latest date": fresh.get("latest"),
                "unparseable dates": fresh.get("unparseable"),
            }
        )
    return pd.DataFrame(rows)
