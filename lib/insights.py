"""Data-driven strategic findings for the Catalog and Engagement pages (no streamlit).

Every finding is computed from the rows it is given (the pages pass the currently filtered
rows), carries its headline number in ``value`` and says how it was computed in ``method``.
A finding whose inputs are missing or too thin (see ``MIN_GROUP``) is left out rather than
guessed, so a dataset without e.g. ratings simply yields fewer findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lib.filters import column_mean, has_values, list_values, tally
from lib.glossary import RATING_COLUMNS, words

__all__ = ["Finding", "MIN_GROUP", "MIN_SESSIONS", "catalog_findings", "engagement_findings"]

# Smallest group of titles or viewers a comparison may rest on, and of sessions.
MIN_GROUP = 10
MIN_SESSIONS = 30
HIGH_RATING = 7.0
LATE_NIGHT_HOURS = (22, 23, 0, 1, 2, 3, 4)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Finding:
    """One finding: a sentence with its number, the number itself, and how it was computed."""

    text: str
    value: float
    method: str


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def _times(r: float) -> str:
    return f"{r:.1f}x" if r < 10 else f"{r:.0f}x"


# --- catalog ---------------------------------------------------------------------------------


def _genre_pairs(titles: pd.DataFrame) -> pd.DataFrame:
    src = titles["genres"].astype("str").where(titles["genres"].notna(), titles["genre_primary"])
    items = list_values(src)
    return pd.DataFrame({"row": items.index, "genre": items.to_numpy()}).drop_duplicates()


def _top_genre(titles: pd.DataFrame) -> Finding | None:
    if not (has_values(titles, "genres") or has_values(titles, "genre_primary")):
        return None
    pairs = _genre_pairs(titles)
    if pairs.empty:
        return None
    counts = pairs["genre"].value_counts()
    n_titles = len(titles)
    universal = [str(g) for g, c in counts.items() if c == n_titles]
    multi = float((pairs.groupby("row").size() > 1).mean())
    rest = counts[counts < n_titles]
    if universal:
        # e.g. a genre filter: every title carries it, so report its most common companion
        if rest.empty:
            return None
        genre, share = str(rest.index[0]), float(rest.iloc[0]) / n_titles
        return Finding(
            f"All {n_titles:,} titles shown are {' and '.join(universal)}; the most common "
            f"other genre is {genre}, carried by {share:.0%} of them, and {multi:.0%} of "
            "titles have more than one genre.",
            share,
            "Titles listing the genre among any of their genres / titles shown, leaving out "
            "genres every title shown carries; multi-genre = titles with two or more genres.",
        )
    genre, n = str(counts.index[0]), int(counts.iloc[0])
    share = n / n_titles
    primary = int((titles["genre_primary"].astype("str") == genre).sum())
    return Finding(
        f"{genre} is the most common genre: {share:.0%} of the {n_titles:,} titles shown "
        f"carry it ({primary:,} as their primary genre); {multi:.0%} of titles have more "
        "than one genre.",
        share,
        "Titles listing the genre among any of their genres / titles shown; multi-genre = "
        "titles with two or more genres.",
    )


def _rating_col(titles: pd.DataFrame) -> str | None:
    for col in RATING_COLUMNS:
        if has_values(titles, col):
            return col
    return None


def _best_rated_genre(titles: pd.DataFrame) -> Finding | None:
    col = _rating_col(titles)
    if col is None or not has_values(titles, "genre_primary"):
        return None
    d = titles[["genre_primary", col]].dropna()
    g = d.groupby(d["genre_primary"].astype("str"))[col].agg(["size", "mean"])
    g = g[g["size"] >= MIN_GROUP]
    if len(g) < 2:
        return None
    best = g["mean"].idxmax()
    overall = float(d[col].mean())
    word = words(col)
    return Finding(
        f"{best} titles are rated highest: mean {word} {g.loc[best, 'mean']:.2f} vs "
        f"{overall:.2f} across all {len(d):,} rated titles shown "
        f"(lowest: {g['mean'].idxmin()} at {g['mean'].min():.2f}).",
        float(g.loc[best, "mean"]),
        f"Mean {col} per primary genre, genres with at least {MIN_GROUP} rated titles, "
        "compared with the mean over all rated titles shown.",
    )


def _top10_flags(titles: pd.DataFrame) -> pd.Series | None:
    if has_values(titles, "weeks_in_top10"):
        return titles["weeks_in_top10"].astype(float).fillna(0) > 0
    if has_values(titles, "in_top10"):
        return titles["in_top10"].astype(float).fillna(0) > 0
    return None


def _rating_top10_lift(titles: pd.DataFrame) -> Finding | None:
    top = _top10_flags(titles)
    col = "imdb_rating" if has_values(titles, "imdb_rating") else None
    if top is None or col is None:
        return None
    rated = titles[col].notna()
    high = rated & (titles[col] >= HIGH_RATING)
    low = rated & (titles[col] < HIGH_RATING)
    if high.sum() < MIN_GROUP or low.sum() < MIN_GROUP:
        return None
    p_hi, p_lo = float(top[high].mean()), float(top[low].mean())
    lift = _ratio(p_hi, p_lo)
    if not np.isfinite(lift):
        return Finding(
            f"Titles rated {HIGH_RATING:g}+ make the Top 10 {p_hi:.0%} of the time; titles "
            f"rated lower never do in this selection.",
            p_hi,
            "Share of titles with at least one week in the Top 10, rated >= 7 vs. < 7.",
        )
    counts = f"{p_hi:.0%} of {int(high.sum()):,} vs {p_lo:.0%} of {int(low.sum()):,} titles"
    lead = f"Titles rated {HIGH_RATING:g}+ make the Top 10"
    if lift >= 1.1:
        text = f"{lead} {_times(lift)} as often as the rest ({counts})."
    elif lift <= 0.9:
        text = f"{lead} less often than the rest: {counts} ({_times(lift)})."
    else:
        text = f"{lead} about as often as the rest ({counts})."
    return Finding(
        text,
        lift,
        f"Share of titles with at least one week in the Top 10 among titles with IMDb rating "
        f">= {HIGH_RATING:g}, divided by the same share among titles rated below.",
    )


def _top10_genre(titles: pd.DataFrame) -> Finding | None:
    top = _top10_flags(titles)
    if top is None or not (has_values(titles, "genres") or has_values(titles, "genre_primary")):
        return None
    pairs = _genre_pairs(titles)
    pairs["top"] = top.reindex(pairs["row"]).to_numpy()
    g = pairs.groupby("genre")["top"].agg(["size", "mean"])
    g = g[g["size"] >= MIN_GROUP]
    base = float(top.mean())
    if len(g) < 2 or base == 0:
        return None
    best = g["mean"].idxmax()
    return Finding(
        f"{best} titles make the Top 10 most often: {g.loc[best, 'mean']:.0%} of "
        f"{int(g.loc[best, 'size']):,} titles vs {base:.0%} of all titles shown "
        f"({_times(_ratio(g.loc[best, 'mean'], base))}).",
        float(g.loc[best, "mean"]),
        f"Share of titles with at least one Top 10 week per genre (any of a title's genres; "
        f"genres with at least {MIN_GROUP} titles) vs. the share over all titles shown.",
    )


def _critic_audience(titles: pd.DataFrame) -> Finding | None:
    if not (has_values(titles, "imdb_rating") and has_values(titles, "meta_score")):
        return None
    d = titles[["imdb_rating", "meta_score"]].dropna().astype(float)
    if len(d) < 10 or d["imdb_rating"].std() == 0 or d["meta_score"].std() == 0:
        return None
    r = float(np.corrcoef(d["imdb_rating"], d["meta_score"])[0, 1])
    word = "strongly" if abs(r) >= 0.7 else "moderately" if abs(r) >= 0.4 else "only weakly"
    gap = d["imdb_rating"] * 10 - d["meta_score"]
    fan = float((gap > 10).mean())
    return Finding(
        f"Critics and audiences agree {word}: correlation {r:.2f} between meta score and "
        f"IMDb rating over {len(d):,} titles; {fan:.0%} of them are audience favourites "
        "(IMDb x 10 more than 10 points above the meta score).",
        r,
        "Pearson correlation of imdb_rating and meta_score over titles with both; audience "
        "favourite = 10 x imdb_rating - meta_score > 10.",
    )


def _recency(titles: pd.DataFrame) -> Finding | None:
    if not has_values(titles, "release_year"):
        return None
    y = titles["release_year"].dropna().astype(float)
    last = int(y.max())
    first = last - 4
    share = float((y >= first).mean())
    return Finding(
        f"{share:.0%} of titles shown were released in {first}-{last}, the five latest "
        f"release years; the median release year is {int(y.median())}.",
        share,
        "Titles with release_year within 4 years of the latest release year / titles with a "
        "release year.",
    )


def _runtime(titles: pd.DataFrame) -> Finding | None:
    if not (has_values(titles, "duration_minutes") and has_values(titles, "content_type")):
        return None
    d = titles[["content_type", "duration_minutes"]].dropna()
    g = d.groupby(d["content_type"].astype("str"))["duration_minutes"].agg(["size", "median"])
    g = g[g["size"] >= MIN_GROUP].sort_values("size", ascending=False)
    if g.empty:
        return None
    shown = g.head(3)
    parts = [f"{ct} {row['median']:.0f} min" for ct, row in shown.iterrows()]
    main = g.index[0]
    series = any("series" in str(ct).lower() or "tv" in str(ct).lower() for ct in shown.index)
    return Finding(
        f"Median runtime by content type: {', '.join(parts)}"
        + (" (series: per episode)." if series else "."),
        float(g.loc[main, "median"]),
        f"Median duration_minutes per content type (types with at least {MIN_GROUP} titles, "
        "the three largest shown); value = median of the largest type.",
    )


def _directors(titles: pd.DataFrame) -> Finding | None:
    if not has_values(titles, "director"):
        return None
    items = list_values(titles["director"])
    pairs = pd.DataFrame({"row": items.index, "d": items.to_numpy()}).drop_duplicates()
    counts = pairs["d"].value_counts()
    if len(counts) < 10:
        return None
    top_rows = pairs.loc[pairs["d"].isin(counts.index[:10]), "row"].nunique()
    share = top_rows / len(titles)
    return Finding(
        f"The 10 most prolific of {len(counts):,} directors made {share:.0%} of the titles "
        f"shown; {counts.index[0]} leads with {int(counts.iloc[0])} titles.",
        share,
        "Distinct titles directed by the 10 directors with most titles / titles shown.",
    )


def _originals(titles: pd.DataFrame) -> Finding | None:
    top = _top10_flags(titles)
    if top is None or not has_values(titles, "is_original"):
        return None
    orig = titles["is_original"].astype("boolean").fillna(False).to_numpy(bool)
    if orig.sum() < MIN_GROUP or (~orig).sum() < MIN_GROUP:
        return None
    p_o, p_l = float(top[orig].mean()), float(top[~orig].mean())
    if p_l == 0:
        return None
    return Finding(
        f"Originals are {orig.mean():.0%} of titles shown and make the Top 10 "
        f"{_times(_ratio(p_o, p_l))} as often as licensed titles ({p_o:.0%} vs {p_l:.0%}).",
        _ratio(p_o, p_l),
        "Share of originals (is_original) with at least one Top 10 week divided by the same "
        "share among the other titles.",
    )


def catalog_findings(titles: pd.DataFrame) -> list[Finding]:
    """Findings about the given (filtered) titles; empty when there are none."""
    if not len(titles):
        return []
    steps = (
        _top_genre,
        _best_rated_genre,
        _rating_top10_lift,
        _top10_genre,
        _critic_audience,
        _originals,
        _recency,
        _runtime,
        _directors,
    )
    return [f for f in (step(titles) for step in steps) if f is not None]


# --- engagement ------------------------------------------------------------------------------


def _share_table(sessions: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    t = tally(sessions, by, name="sessions")
    for c in by:
        t[c] = t[c].astype("str")
    return t


def _device_lead(sessions: pd.DataFrame) -> Finding | None:
    if not has_values(sessions, "device_type"):
        return None
    t = _share_table(sessions, ["device_type"])
    total = t["sessions"].sum()
    top = t.sort_values("sessions", ascending=False).iloc[0]
    device, share = top["device_type"], top["sessions"] / total
    if len(t) == 1:
        return Finding(
            f"All {total:,} sessions shown are on {device}, so the device views compare "
            "nothing; widen the device filter to compare devices.",
            1.0,
            "Sessions on the device / sessions shown.",
        )
    text = f"{device} accounts for {share:.0%} of the {total:,} sessions shown"
    method = "Sessions on the device / sessions shown"
    if has_values(sessions, "age_band"):
        seg = _share_table(sessions, ["age_band", "device_type"])
        seg_tot = seg.groupby("age_band")["sessions"].transform("sum")
        seg = seg.assign(share=seg["sessions"] / seg_tot, tot=seg_tot)
        seg = seg[(seg["device_type"] == device) & (seg["tot"] >= max(MIN_SESSIONS, 0.02 * total))]
        if len(seg) >= 2:
            best = seg.sort_values("share", ascending=False).iloc[0]
            text += (
                f"; its share is highest among viewers aged {best['age_band']}: "
                f"{best['share']:.0%} of their sessions"
            )
            method += (
                "; per age band (bands with at least 2% of sessions), the band where that "
                "device's share of the band's sessions is largest"
            )
    return Finding(text + ".", float(share), method + ".")


def _filtered(sessions: Any, field: str) -> tuple:
    """The values a SessionQuery's filters (sidebar and chart) keep of ``field``, or ()."""
    flt = getattr(sessions, "flt", None)
    found: list = []
    stack = [flt] if flt is not None else []
    while stack:
        f = stack.pop()
        found += list(getattr(f, field, ()) or ())
        stack += list(getattr(f, "also", ()))
    return tuple(dict.fromkeys(found))


def _peak_slot(sessions: pd.DataFrame) -> Finding | None:
    if not (has_values(sessions, "hour") and has_values(sessions, "weekday")):
        return None
    t = tally(sessions, ["weekday", "hour"], name="sessions")
    total = t["sessions"].sum()
    if total < MIN_SESSIONS:
        return None
    by_hour, by_day = _filtered(sessions, "hours"), _filtered(sessions, "weekdays")
    days = len(by_day) if by_day else 7  # weekdays in the selection
    if t["hour"].nunique() == 1:
        if t["weekday"].nunique() == 1:
            return None  # one weekday and one hour: nothing to compare
        # one start hour: compare weekdays instead
        hour = int(t["hour"].iloc[0])
        days_t = t.groupby("weekday")["sessions"].sum()
        day = int(days_t.idxmax())
        share = days_t.max() / total
        why = (
            f"sessions starting at {hour:02d}:00 only"
            if by_hour
            else "this dataset's watch times have no time of day"
        )
        return Finding(
            f"Viewing peaks on {WEEKDAY_NAMES[day]}s: {share:.1%} of sessions, "
            f"{_times(share * days)} an average day ({why}).",
            float(share * days),
            f"Sessions per weekday; peak share x {days} (weekdays shown) = ratio to an even "
            "spread. Hours are not compared because every session shown starts at the same "
            "hour.",
        )
    slots = days * (len(by_hour) if by_hour else 24)
    top = t.sort_values(["sessions", "weekday", "hour"], ascending=[False, True, True]).iloc[0]
    share = top["sessions"] / total
    ratio = share * slots
    late = float(t.loc[t["hour"].isin(LATE_NIGHT_HOURS), "sessions"].sum() / total)
    day, hour = WEEKDAY_NAMES[int(top["weekday"])], int(top["hour"])
    average = "an average hour of the week" if slots == 168 else "an average hour shown"
    return Finding(
        f"Viewing peaks on {day} at {hour:02d}:00-{hour:02d}:59: {share:.1%} of sessions "
        f"start in that hour, {_times(ratio)} {average}; {late:.0%} start "
        "late at night (22:00-04:59).",
        float(ratio),
        f"Sessions per weekday x start hour; peak share x {slots} (weekday-hours shown; 168 "
        "in a week) = ratio to an even spread. Late night = start hour 22-04.",
    )


def _completion_genres(sessions: pd.DataFrame) -> Finding | None:
    if not (has_values(sessions, "genre_primary") and has_values(sessions, "completed")):
        return None
    t = tally(sessions, "genre_primary", "completed", name="sessions")
    t = t[t["sessions"] >= MIN_SESSIONS]
    if len(t) < 2:
        return None
    t = t.sort_values("mean", ascending=False)
    best, worst = t.iloc[0], t.iloc[-1]
    overall = column_mean(sessions, "completed")
    return Finding(
        f"{best['genre_primary']} sessions are completed most often ({best['mean']:.0%}), "
        f"{worst['genre_primary']} least ({worst['mean']:.0%}); {overall:.0%} overall.",
        float(best["mean"]),
        f"Completed sessions / sessions per primary genre (genres with at least {MIN_SESSIONS} "
        "sessions). "
        "Completed = progress >= 90% or action 'completed'.",
    )


def _plans(sessions: pd.DataFrame) -> Finding | None:
    if not (has_values(sessions, "subscription_plan") and has_values(sessions, "watch_minutes")):
        return None
    t = tally(sessions, "subscription_plan", "watch_minutes", name="sessions")
    t["subscription_plan"] = t["subscription_plan"].astype("str")
    t = t[t["sessions"] >= MIN_SESSIONS]
    if len(t) < 2:
        return None
    t = t.sort_values("mean", ascending=False)
    hi, lo = t.iloc[0], t.iloc[-1]
    ratio = _ratio(hi["mean"], lo["mean"])
    if ratio < 1.1:
        text = (
            f"Minutes per session barely differ by plan: from {lo['mean']:.0f} min "
            f"({lo['subscription_plan']}) to {hi['mean']:.0f} min ({hi['subscription_plan']})."
        )
    else:
        text = (
            f"{hi['subscription_plan']} viewers watch {hi['mean']:.0f} min per session vs "
            f"{lo['mean']:.0f} min on {lo['subscription_plan']} ({_times(ratio)})."
        )
    return Finding(
        text,
        float(ratio),
        "Mean watch_minutes per session for each plan; highest plan / lowest plan "
        f"(plans with at least {MIN_SESSIONS} sessions).",
    )


def _downloads(sessions: pd.DataFrame) -> Finding | None:
    if not (has_values(sessions, "is_download") and has_values(sessions, "completed")):
        return None
    t = tally(sessions, "dl", "completed", name="sessions")
    t = t.set_index(t["dl"].astype(bool))
    if len(t) < 2 or t["sessions"].min() < MIN_SESSIONS:
        return None
    share = t.loc[True, "sessions"] / t["sessions"].sum()
    c_dl, c_st = t.loc[True, "mean"], t.loc[False, "mean"]
    if abs(c_dl - c_st) < 0.02:
        how = "about as often as"
    else:
        how = "more often than" if c_dl > c_st else "less often than"
    return Finding(
        f"Downloads are {share:.0%} of sessions and are completed {how} streams "
        f"({c_dl:.0%} vs {c_st:.0%}).",
        float(share),
        "Sessions with is_download / sessions shown; completion rate of downloaded vs. "
        "streamed sessions.",
    )


def _countries(sessions: pd.DataFrame) -> Finding | None:
    if not (has_values(sessions, "location_country") and has_values(sessions, "watch_minutes")):
        return None
    t = tally(sessions, "location_country", "watch_minutes", name="sessions")
    t = t.sort_values("total", ascending=False)
    total = t["total"].sum()
    if len(t) < 2 or total <= 0:
        return None
    top = t.iloc[0]
    share = top["total"] / total
    text = (
        f"{top['location_country']} accounts for {share:.0%} of watch hours "
        f"({top['total'] / 60:,.0f} h)"
    )
    if len(t) > 3:
        text += f"; the top 3 of {len(t)} countries for {t['total'].head(3).sum() / total:.0%}"
    return Finding(
        text + ".",
        float(share),
        "Sum of watch_minutes per country the session was watched in / all watch minutes shown.",
    )


def _quality(sessions: pd.DataFrame) -> Finding | None:
    if not (has_values(sessions, "quality") and has_values(sessions, "device_type")):
        return None
    t = tally(sessions, "device_type", "premium", name="sessions")
    t["device_type"] = t["device_type"].astype("str")
    t = t[t["sessions"] >= MIN_SESSIONS]
    if len(t) < 2:
        return None
    t = t.sort_values("mean", ascending=False)
    hi, lo = t.iloc[0], t.iloc[-1]
    if hi["mean"] - lo["mean"] < 0.03:
        text = (
            f"Stream quality hardly depends on the device: 4K or Ultra HD is {lo['mean']:.0%}"
            f"-{hi['mean']:.0%} of each device's sessions."
        )
    else:
        text = (
            f"4K or Ultra HD streams are {hi['mean']:.0%} of {hi['device_type']} sessions "
            f"but {lo['mean']:.0%} on {lo['device_type']}."
        )
    return Finding(
        text,
        float(hi["mean"]),
        f"Share of sessions in 4K or Ultra HD quality per device (devices with at least "
        f"{MIN_SESSIONS} sessions); highest and lowest device.",
    )


def _segment_means(users: Any) -> pd.DataFrame | None:
    """Viewers with both an RFM segment and a score, per segment: ``size``, ``total``, ``mean``
    (index: the segment, in order). ``users`` is a DataFrame of viewers or a SessionQuery, whose
    viewers are then grouped in SQL (no row per viewer comes back)."""
    if hasattr(users, "viewer_means"):
        g = users.viewer_means("rfm_segment", "engagement_score")
        return None if g is None else g.set_index("rfm_segment")
    if not (has_values(users, "engagement_score") and has_values(users, "rfm_segment")):
        return None
    d = users[["rfm_segment", "engagement_score"]].dropna()
    return (
        d.groupby(d["rfm_segment"].astype("str"))["engagement_score"]
        .agg(["size", "sum", "mean"])
        .rename(columns={"sum": "total"})
    )


def _segments(users: Any) -> Finding | None:
    if users is None:
        return None
    g = _segment_means(users)
    if g is None or not len(g):
        return None
    n, overall = int(g["size"].sum()), float(g["total"].sum() / g["size"].sum())
    g = g[g["size"] >= MIN_GROUP]
    if len(g) < 2:
        return None
    best = g["mean"].idxmax()
    share = g.loc[best, "size"] / n
    return Finding(
        f"{best} have the highest mean engagement score ({g.loc[best, 'mean']:.0f} / 100 vs "
        f"{overall:.0f} across the {n:,} viewers shown) and are "
        f"{share:.0%} of them.",
        float(g.loc[best, "mean"]),
        "Mean engagement_score per RFM segment of the viewers with sessions in the selection "
        f"(segments with at least {MIN_GROUP} viewers).",
    )


def engagement_findings(sessions: pd.DataFrame, users: pd.DataFrame | None = None) -> list[Finding]:
    """Findings about the given (filtered) sessions and the viewers behind them (``users``:
    their gold rows; by default, for a SessionQuery, its viewers asked in SQL)."""
    if not len(sessions):
        return []
    steps = (
        _device_lead,
        _peak_slot,
        _completion_genres,
        _plans,
        _downloads,
        _quality,
        _countries,
    )
    found = [f for f in (step(sessions) for step in steps) if f is not None]
    seg = _segments(users if users is not None or isinstance(sessions, pd.DataFrame) else sessions)
    if seg is not None:
        found.append(seg)
    return found
