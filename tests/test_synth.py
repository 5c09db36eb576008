"""Demo generator: counts, columns, fault rates, determinism and learnable structure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import lib.data.synth as synth
from lib.config import BRONZE_TABLES, GENRES
from lib.data.synth import (
    BASE_COUNTS,
    BRONZE_ORDER,
    FAULT_RATES,
    SCHEMAS,
    SEGMENTS,
    TRUTH_ORDER,
    Chunk,
    generate,
    generate_chunks,
)

# The data's properties must hold whatever the chunk size: the default (one chunk per table
# at these scales) and a small odd one (dozens of chunks per table, each with its own faults,
# duplicates and random stream).
SMALL_CHUNK = 997
CHUNKINGS = [None, SMALL_CHUNK]


def _with_chunk_rows(rows, fn, *args, **kwargs):
    if rows is None:
        return fn(*args, **kwargs)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(synth, "CHUNK_ROWS", rows)
        result = fn(*args, **kwargs)
        if not isinstance(result, list | synth.SynthData):
            result = list(result)  # consume a stream while the patch holds
        return result


@pytest.fixture(scope="module", params=CHUNKINGS, ids=["default-chunks", "997-row-chunks"])
def demo(request):
    return _with_chunk_rows(request.param, generate, scale=1, seed=0)


@pytest.fixture(scope="module", params=CHUNKINGS, ids=["default-chunks", "997-row-chunks"])
def clean(request):
    return _with_chunk_rows(request.param, generate, scale=0.3, seed=1, faults=False)


@pytest.fixture(scope="module")
def small_chunks():
    """A stream of 997-row chunks (scale 0.3: 31,500 sessions in 32 chunks)."""
    return _with_chunk_rows(SMALL_CHUNK, generate_chunks, scale=0.3, seed=5)


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


# ----------------------------------------------------------------------------- streaming -----
def _arrow_schema(frame: pd.DataFrame) -> pa.Schema:
    return pa.Schema.from_pandas(frame, preserve_index=False).remove_metadata()


def test_stream_yields_each_table_contiguously_bronze_before_truth(small_chunks):
    order = [(c.layer, c.table) for c in small_chunks]
    runs = [key for i, key in enumerate(order) if i == 0 or order[i - 1] != key]
    assert len(runs) == len(set(runs)), runs  # no table comes back after another one
    layers = [layer for layer, _ in runs]
    assert layers == ["bronze"] * len(BRONZE_ORDER) + ["truth"] * len(TRUTH_ORDER)
    assert {t for _, t in runs} == set(BRONZE_ORDER) | set(TRUTH_ORDER)
    assert all(isinstance(c, Chunk) for c in small_chunks)


def test_chunks_are_bounded_and_share_one_schema_per_table(small_chunks):
    per_table: dict[str, list[pd.DataFrame]] = {}
    for c in small_chunks:
        assert 0 < len(c.frame) <= SMALL_CHUNK, (c.table, len(c.frame))
        per_table.setdefault(c.table, []).append(c.frame)
    for table, frames in per_table.items():
        expected = SCHEMAS[table]
        for f in frames:
            assert list(f.columns) == list(expected), table
            assert {c: str(d) for c, d in f.dtypes.items()} == expected, table
        arrow = {_arrow_schema(f) for f in frames}
        assert len(arrow) == 1, (table, arrow)
    # most tables really are split, so the schema check compares many chunks
    assert len(per_table["watch_history"]) == 32
    for table, frames in per_table.items():
        rows = sum(len(f) for f in frames)
        assert len(frames) == -(-rows // SMALL_CHUNK), (table, rows, len(frames))


def test_text_columns_are_arrow_strings_even_when_a_chunk_is_all_missing(small_chunks):
    for c in small_chunks:
        for col, dtype in SCHEMAS[c.table].items():
            if dtype == "str":
                assert pa.types.is_large_string(_arrow_schema(c.frame).field(col).type)


def test_same_seed_same_chunks_other_seed_differs():
    a = _with_chunk_rows(SMALL_CHUNK, generate_chunks, scale=0.05, seed=11)
    b = _with_chunk_rows(SMALL_CHUNK, generate_chunks, scale=0.05, seed=11)
    c = _with_chunk_rows(SMALL_CHUNK, generate_chunks, scale=0.05, seed=12)
    assert [(x.layer, x.table, len(x.frame)) for x in a] == [
        (x.layer, x.table, len(x.frame)) for x in b
    ]
    for x, y in zip(a, b):
        pd.testing.assert_frame_equal(x.frame, y.frame)
    first_users = next(x.frame for x in a if x.table == "users")
    assert not first_users.equals(next(x.frame for x in c if x.table == "users"))


def test_generate_is_the_concatenation_of_the_chunks():
    whole = _with_chunk_rows(SMALL_CHUNK, generate, scale=0.1, seed=4)
    chunks = _with_chunk_rows(SMALL_CHUNK, generate_chunks, scale=0.1, seed=4)
    assert list(whole.tables) == list(BRONZE_ORDER)
    assert list(whole.truth) == list(TRUTH_ORDER)
    for layer, tables in (("bronze", whole.tables), ("truth", whole.truth)):
        for name, df in tables.items():
            parts = [c.frame for c in chunks if c.layer == layer and c.table == name]
            pd.testing.assert_frame_equal(df, pd.concat(parts, ignore_index=True))


@pytest.mark.parametrize("scale", [0.2, 1.5])
def test_chunk_row_counts_match_the_scale(scale):
    chunks = _with_chunk_rows(SMALL_CHUNK, generate_chunks, scale=scale, seed=2)
    rows: dict[str, int] = {}
    for c in chunks:
        rows[c.table] = rows.get(c.table, 0) + len(c.frame)
    for table, n in BASE_COUNTS.items():
        assert rows[table] == round(n * scale), table
    # truth: one row per generated viewer and title (the originals, without duplicates)
    users = pd.concat([c.frame for c in chunks if c.table == "users"])
    movies = pd.concat([c.frame for c in chunks if c.table == "movies"])
    real_users = users["user_id"].drop_duplicates()
    assert rows["user_segments"] == rows["user_tastes"] == len(real_users)
    assert rows["title_latents"] == movies["movie_id"].nunique()


def test_ids_are_unique_across_chunks_and_duplicates_stay_in_their_chunk(small_chunks):
    keys = {
        "users": "user_id",
        "movies": "movie_id",
        "watch_history": "session_id",
        "recommendation_logs": "recommendation_id",
        "search_logs": "search_id",
        "reviews": "review_id",
    }
    for table, key in keys.items():
        seen: set[str] = set()
        dups = 0
        for c in small_chunks:
            if c.table != table:
                continue
            ids = set(c.frame[key])
            assert not ids & seen, table  # a re-sent record never lands in another chunk
            seen |= ids
            dups += len(c.frame) - len(ids)
        total = sum(len(c.frame) for c in small_chunks if c.table == table)
        assert 0.025 <= dups / total <= 0.06, (table, dups / total)


def test_orphan_ids_are_numbered_across_chunks(small_chunks):
    wh = pd.concat([c.frame for c in small_chunks if c.table == "watch_history"])
    wh = wh.drop_duplicates("session_id")  # a duplicate repeats its original's orphan id
    orphans = wh.loc[wh["user_id"].str.startswith("user_x"), "user_id"]
    assert len(orphans) > 30  # 0.3% of 31,500 sessions
    assert orphans.is_unique


def test_sessions_come_in_time_order_across_chunks(clean):
    wh = clean.tables["watch_history"]
    assert wh["watch_date"].is_monotonic_increasing
    assert wh["session_id"].is_monotonic_increasing


def test_progress_rises_strictly_and_ends_at_one():
    calls: list[tuple[float, str]] = []
    _with_chunk_rows(
        SMALL_CHUNK,
        generate_chunks,
        scale=0.05,
        seed=0,
        progress=lambda f, m: calls.append((f, m)),
    )
    fractions = [f for f, _ in calls]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(b > a for a, b in zip(fractions, fractions[1:]))
    assert all(isinstance(m, str) and m for _, m in calls)
    assert any("watch_history: rows" in m for _, m in calls)


def test_sampler_draws_in_proportion_to_weights():
    weights = np.array([0.0, 1.0, 2.0, 0.0, 7.0, 0.0])
    draws = synth._Sampler(weights).sample(np.random.default_rng(0), 200_000)
    share = np.bincount(draws, minlength=len(weights)) / len(draws)
    np.testing.assert_allclose(share, weights / weights.sum(), atol=0.005)
    assert not np.isin(draws, [0, 3, 5]).any()  # zero weight is never drawn


def test_bad_seed_is_rejected():
    with pytest.raises(ValueError, match="seed"):
        generate_chunks(scale=1, seed=-1)
