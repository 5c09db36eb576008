"""Demo generator: counts, columns, fault rates, determinism and learnable structure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.config import BRONZE_TABLES, GENRES
from lib.synth import BASE_COUNTS, FAULT_RATES, SEGMENTS, generate


@pytest.fixture(scope="module")
def demo():
    return generate(scale=1, seed=0)


@pytest.fixture(scope="module")
def clean():
    return generate(scale=0.3, seed=1, faults=False)


def test_default_counts_are_seed_004s(demo):
    for table, n in BASE_COUNTS.items():
        assert len(demo.tables[table]) == n, table


def test_scale_multiplies_counts():
    small = generate(scale=0.2, seed=3)
    for table, n in BASE_COUNTS.items():
        assert len(small.tables[table]) == round(n * 0.2), table


def test_columns_cover_the_canonical_schema(demo):
    for table, df in demo.tables.items():
        expected = set(BRONZE_TABLES[table])
        if table == "top10_weekly":  # the demo charts are global: no per-country columns
            expected -= {"country_name", "country_iso2"}
        if table == "movies":  # only the titles + credits import carries these
            expected -= {"imdb_id", "tmdb_score", "tmdb_popularity"}
        missing = expected - set(df.columns)
        assert not missing, f"{table} lacks {missing}"


@pytest.mark.parametrize(
    "table,col",
    [(t, c) for t, cols in FAULT_RATES.items() for c, r in cols.items() if r > 0],
)
def test_missing_rates_match_the_documented_rates(demo, table, col):
    rate = FAULT_RATES[table][col]
    df = demo.tables[table]
    if col == "box_office_revenue":  # box office exists for films only
        df = df[df["content_type"] == "Movie"]
    observed = df[col].isna().mean()
    assert abs(observed - rate) < 0.02 + 0.1 * rate, (table, col, observed, rate)


def test_user_rating_is_mostly_missing(demo):
    assert 0.82 < demo.tables["watch_history"]["user_rating"].isna().mean() < 0.88


def test_genre_secondary_missing_about_40_percent(demo):
    assert 0.35 < demo.tables["movies"]["genre_secondary"].isna().mean() < 0.45


@pytest.mark.parametrize(
    "table,key",
    [
        ("users", "user_id"),
        ("movies", "movie_id"),
        ("watch_history", "session_id"),
        ("recommendation_logs", "recommendation_id"),
        ("search_logs", "search_id"),
        ("reviews", "review_id"),
    ],
)
def test_three_to_six_percent_duplicates(demo, table, key):
    share = demo.tables[table][key].duplicated().mean()
    assert 0.025 <= share <= 0.06, share


def test_out_of_range_anomalies_are_injected(demo):
    age = demo.tables["users"]["age"]
    assert ((age < 5) | (age > 110)).sum() > 10
    wh = demo.tables["watch_history"]
    assert (wh["watch_duration_minutes"] < 0).sum() > 10
    assert (wh["watch_duration_minutes"] > 1440).sum() > 5
    assert (wh["progress_percentage"] > 100).sum() > 10


def test_inconsistent_spellings_are_injected(demo):
    devices = set(demo.tables["watch_history"]["device_type"].dropna().unique())
    assert {"Smart TV", "smart tv"} <= devices or {"Smart TV", "SmartTV"} <= devices
    plans = set(demo.tables["users"]["subscription_plan"].dropna().unique())
    assert len(plans) > 4


def test_same_seed_same_tables_other_seed_differs():
    a = generate(scale=0.05, seed=7)
    b = generate(scale=0.05, seed=7)
    c = generate(scale=0.05, seed=8)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    assert not a.tables["users"].equals(c.tables["users"])


def test_names_look_like_names(demo):
    cast = demo.tables["movies"]["cast"].str.split("|").explode()
    assert cast.str.match(r"^[A-Z][a-z]+ ([A-Z][A-Z]?\. )?[A-Z][a-z]+$").mean() > 0.99
    titles = demo.tables["movies"]["title"]
    assert titles.str.match(r"^[A-Z]").all()


def test_watched_genres_follow_latent_tastes(clean):
    wh = clean.tables["watch_history"]
    genre = wh["movie_id"].map(clean.tables["movies"].set_index("movie_id")["genre_primary"])
    shares = pd.crosstab(wh["user_id"], genre, normalize="index").reindex(
        columns=list(GENRES), fill_value=0
    )
    tastes = clean.truth["user_tastes"].set_index("user_id").reindex(shares.index)[list(GENRES)]
    heavy = wh["user_id"].value_counts()
    users = heavy[heavy >= 8].index
    corr = [np.corrcoef(shares.loc[u], tastes.loc[u])[0, 1] for u in users]
    assert np.nanmean(corr) > 0.5


def test_viewers_favour_a_sub_theme_within_a_genre(clean):
    """Content, not only popularity, decides which titles of a genre a viewer watches."""
    movies = clean.tables["movies"].set_index("movie_id")
    theme = clean.truth["title_latents"].set_index("movie_id")["theme"]
    wh = clean.tables["watch_history"]
    df = pd.DataFrame(
        {
            "user": wh["user_id"],
            "genre": wh["movie_id"].map(movies["genre_primary"]),
            "theme": wh["movie_id"].map(theme),
        }
    )
    counts = df.groupby(["user", "genre", "theme"]).size().unstack(fill_value=0)
    counts = counts[counts.sum(axis=1) >= 5]
    top_share = (counts.max(axis=1) / counts.sum(axis=1)).mean()
    # without a favourite the top of 3 near-equal themes holds ~0.5 of 5+ sessions
    assert len(counts) > 100 and top_share > 0.65, (len(counts), top_share)


def test_titles_of_a_sub_theme_share_description_words(clean):
    movies = clean.tables["movies"]
    theme = clean.truth["title_latents"]["theme"].to_numpy()
    words = movies["description"].str.lower().str.findall(r"[a-z-]+").map(set)
    same, other = [], []
    for idx in movies.groupby("genre_primary").indices.values():
        for i, j in zip(idx[:-1], idx[1:]):
            shared = len(words.iloc[i] & words.iloc[j])
            (same if theme[i] == theme[j] else other).append(shared)
    assert np.mean(same) > np.mean(other) + 1.0, (np.mean(same), np.mean(other))


def test_segments_differ_in_behaviour(clean):
    wh = clean.tables["watch_history"]
    seg = clean.truth["user_segments"].set_index("user_id")["segment"]
    by_seg = (
        wh.assign(seg=wh["user_id"].map(seg))
        .groupby("seg")["device_type"]
        .agg(lambda s: s.value_counts(normalize=True).index[0])
    )
    assert by_seg.nunique() >= 3  # segments have different favourite devices
    assert len(SEGMENTS) == seg.nunique()


def test_top10_is_driven_by_latent_popularity(clean):
    from sklearn.metrics import roc_auc_score

    charted = clean.tables["movies"]["movie_id"].isin(clean.tables["top10_weekly"]["movie_id"])
    pop = clean.truth["title_latents"]["popularity"]
    assert 0.05 < charted.mean() < 0.5  # Top 10 titles are a minority
    assert roc_auc_score(charted, pop) > 0.8


def test_churn_depends_on_engagement(clean):
    wh = clean.tables["watch_history"]
    users = clean.tables["users"]
    sessions = users["user_id"].map(wh["user_id"].value_counts()).fillna(0)
    active = users["is_active"].astype(bool)
    assert sessions[active].mean() > 1.3 * sessions[~active].mean()


def test_bad_scale_is_rejected():
    with pytest.raises(ValueError, match="scale"):
        generate(scale=0)
