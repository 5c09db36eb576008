"""Netflix's "What We Watched" engagement reports: figures computed from gold
``engagement_report`` (one row per title and report period; pure pandas, no streamlit).

These are the only official per-title engagement figures: hours viewed (and views, since the
2023 H2 report) per half-year, rounded by Netflix to 100,000. They are post-release figures:
they exist only because a title was watched, so they must never be used to predict whether a
title will chart (the Top 10 page leaves them out).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.insights import Finding

__all__ = [
    "POST_RELEASE_NOTE",
    "ReportSummary",
    "latest_period",
    "period_label",
    "summarise",
    "top_share",
    "period_changes",
    "report_findings",
]

POST_RELEASE_NOTE = (
    "Hours viewed and views from Netflix's engagement reports are post-release figures "
    "(they exist because the title was watched), like weekly Top 10 hours: using them to "
    "predict a title's chances is leakage, so the Top 10 models never see them."
)


@dataclass(frozen=True)
class ReportSummary:
    periods: int
    period_label: str
    titles: int
    hours: float
    views: float | None
    matched_share: float
    top1_share: float | None
    film_share: float | None


def period_label(rows: pd.DataFrame) -> str:
    """ "H1 2024"-style name of the period of ``rows`` (its first row's period)."""
    if rows.empty or pd.isna(rows["period_start"].iloc[0]):
        return ""
    start, end = pd.Timestamp(rows["period_start"].iloc[0]), rows["period_end"].iloc[0]
    end = pd.Timestamp(end) if pd.notna(end) else start
    if start.month == 1 and end.month == 6 and start.year == end.year:
        return f"H1 {start.year}"
    if start.month == 7 and end.month == 12 and start.year == end.year:
        return f"H2 {start.year}"
    return f"{start:%b %Y}-{end:%b %Y}"


def latest_period(report: pd.DataFrame) -> pd.DataFrame:
    """The rows of the most recent report period."""
    if report.empty:
        return report
    last = report["period_start"].max()
    return report[report["period_start"] == last]


def top_share(hours: pd.Series, fraction: float = 0.01) -> float | None:
    """Share of all hours viewed that the top ``fraction`` of titles account for."""
    h = hours.dropna().sort_values(ascending=False)
    if h.empty or h.sum() <= 0:
        return None
    n = max(1, int(np.ceil(fraction * len(h))))
    return float(h.iloc[:n].sum() / h.sum())


def summarise(report: pd.DataFrame) -> ReportSummary:
    """Headline figures of the latest period (and how many periods there are)."""
    last = latest_period(report)
    hours = last["hours_viewed"]
    views = last["views"] if "views" in last and last["views"].notna().any() else None
    kinds = last.groupby(last["kind"].astype("str"))["hours_viewed"].sum()
    film = (
        float(kinds.get("film", 0.0) / kinds.sum()) if kinds.sum() > 0 and "film" in kinds else None
    )
    label = period_label(last)
    return ReportSummary(
        periods=int(report["period_start"].nunique()),
        period_label=label,
        titles=len(last),
        hours=float(hours.sum()),
        views=float(views.sum()) if views is not None else None,
        matched_share=float(last["in_catalog"].fillna(False).astype(bool).mean())
        if len(last)
        else 0.0,
        top1_share=top_share(hours),
        film_share=film,
    )


def period_changes(report: pd.DataFrame) -> pd.DataFrame:
    """Titles present in the two most recent periods: hours in each and the change."""
    starts = sorted(report["period_start"].dropna().unique())
    if len(starts) < 2:
        return pd.DataFrame(columns=["title", "previous", "latest", "change"])
    prev, last = starts[-2], starts[-1]
    key = ["title_id", "title"]
    a = report[report["period_start"] == prev].groupby(key, as_index=False)["hours_viewed"].sum()
    b = report[report["period_start"] == last].groupby(key, as_index=False)["hours_viewed"].sum()
    both = a.merge(b, on=key, suffixes=("_previous", "_latest"))
    both = both.rename(
        columns={"hours_viewed_previous": "previous", "hours_viewed_latest": "latest"}
    )
    both["change"] = both["latest"] / both["previous"].replace(0, np.nan) - 1
    return both.sort_values("latest", ascending=False, ignore_index=True)


def report_findings(report: pd.DataFrame) -> list[Finding]:
    """Data-driven findings about the latest report period."""
    if report.empty:
        return []
    s = summarise(report)
    out = []
    if s.top1_share is not None:
        out.append(
            Finding(
                f"The top 1% of titles ({max(1, int(np.ceil(0.01 * s.titles))):,} of "
                f"{s.titles:,}) account for {s.top1_share:.0%} of the {s.hours / 1e9:.2f} "
                f"billion hours viewed in {s.period_label}.",
                s.top1_share,
                "Titles ranked by hours viewed in the latest report; the top ceil(1%) titles' "
                "hours / all hours.",
            )
        )
    if s.film_share is not None:
        out.append(
            Finding(
                f"Films are {s.film_share:.0%} of hours viewed, TV {1 - s.film_share:.0%}.",
                s.film_share,
                "Hours viewed of the Film sheet / hours of both sheets (latest report).",
            )
        )
    last = latest_period(report)
    glob = last.dropna(subset=["available_globally"])
    if len(glob) and glob["available_globally"].astype(bool).any():
        g = glob["available_globally"].astype(bool)
        share_titles = float(g.mean())
        share_hours = float(glob.loc[g, "hours_viewed"].sum() / glob["hours_viewed"].sum())
        out.append(
            Finding(
                f"Titles available globally are {share_titles:.0%} of titles but "
                f"{share_hours:.0%} of hours viewed.",
                share_hours,
                "Share of report titles with 'Available Globally? = Yes', and their share of "
                "hours viewed (latest report).",
            )
        )
    return out
