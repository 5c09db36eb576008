"""Tests of lib.evaluate: hand-computed metrics, the holdout split, end-to-end quality checks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from benchmarks.recommend import movielens_like, synthetic_catalog, synthetic_interactions
from lib.evaluate import (
    METRICS,
    PROTOCOL,
    catalog_coverage,
    evaluate_models,
    genre_match_rate,
    intra_list_diversity,
    map_at_k,
    ndcg_at_k,
    novelty,
    precision_at_k,
    ranking_metrics,
    recall_at_k,
    recommend_all,
    split_holdout,
)
from lib.recommend import ContentKNN, Hybrid, ItemKNN, Popularity, RandomRecommender

# two users: A has relevant {1, 2} and gets [1, 3, 2]; B has relevant {4} and gets [5, 6, 7]
TRUTH = pd.DataFrame({"user_id": ["A", "A", "B"], "title_id": [1, 2, 4]})
RECS = pd.DataFrame({"user_id": ["A", "A", "A", "B", "B", "B"], "title_id": [1, 3, 2, 5, 6, 7]})


def test_accuracy_metrics_by_hand():
    assert precision_at_k(TRUTH, RECS, k=3) == pytest.approx((2 / 3 + 0) / 2)
    assert recall_at_k(TRUTH, RECS, k=3) == pytest.approx((1.0 + 0) / 2)
    dcg = 1 / math.log2(2) + 1 / math.log2(4)
    idcg = 1 / math.log2(2) + 1 / math.log2(3)
    assert ndcg_at_k(TRUTH, RECS, k=3) == pytest.approx((dcg / idcg + 0) / 2)
    assert map_at_k(TRUTH, RECS, k=3) == pytest.approx(((1 / 1 + 2 / 3) / 2 + 0) / 2)
    # k = 1: A's first item is a hit
    assert precision_at_k(TRUTH, RECS, k=1) == pytest.approx(0.5)
    assert recall_at_k(TRUTH, RECS, k=1) == pytest.approx(0.25)
    assert ndcg_at_k(TRUTH, RECS, k=1) == pytest.approx(0.5)
    assert map_at_k(TRUTH, RECS, k=1) == pytest.approx(0.5)


def test_short_and_empty_lists_are_scored_against_k_by_hand():
    # A's list is shorter than k (one hit in 2 items); B has relevant titles but no list at all
    truth = pd.DataFrame({"user_id": ["A", "A", "B"], "title_id": [1, 2, 4]})
    recs = pd.DataFrame({"user_id": ["A", "A"], "title_id": [1, 9]})
    # precision divides by k, not by the list length: A 1/5, B 0/5
    assert precision_at_k(truth, recs, k=5) == pytest.approx((1 / 5 + 0) / 2)
    assert recall_at_k(truth, recs, k=5) == pytest.approx((1 / 2 + 0) / 2)
    idcg_a = 1 / math.log2(2) + 1 / math.log2(3)  # 2 relevant, both could have been found
    assert ndcg_at_k(truth, recs, k=5) == pytest.approx((1 / idcg_a + 0) / 2)
    assert map_at_k(truth, recs, k=5) == pytest.approx((1 / 2 + 0) / 2)
    # no list for anybody: every metric is 0 (not NaN), the users still count
    nothing = recs.iloc[0:0]
    assert precision_at_k(truth, nothing, k=5) == 0.0
    assert ndcg_at_k(truth, nothing, k=5) == 0.0


def test_rank_column_and_missing_users():
    shuffled = RECS.assign(rank=[1, 2, 3, 1, 2, 3]).iloc[::-1]
    assert ndcg_at_k(TRUTH, shuffled, k=3) == pytest.approx(ndcg_at_k(TRUTH, RECS, k=3))
    truth = pd.concat([TRUTH, pd.DataFrame({"user_id": ["C"], "title_id": [9]})])
    assert precision_at_k(truth, RECS, k=3) == pytest.approx((2 / 3) / 3)  # C scores 0
    assert math.isnan(precision_at_k(TRUTH.iloc[0:0], RECS, k=3))


def test_beyond_accuracy_metrics_by_hand():
    assert catalog_coverage(pd.DataFrame({"title_id": range(1, 11)}), RECS, k=3) == 0.6
    assert catalog_coverage(range(1, 11), RECS, k=1) == 0.2
    train = pd.DataFrame(
        {
            "user_id": ["A", "B", "C", "D", "A", "B", "C"],
            "title_id": [1, 1, 1, 1, 2, 2, 3],
        }
    )
    recs = RECS.loc[RECS["user_id"] == "A"]  # 1 (p=1), 3 (p=1/4), 2 (p=1/2)
    assert novelty(train, recs, k=3) == pytest.approx((0 + 2 + 1) / 3)
    unseen = pd.DataFrame({"user_id": ["A"], "title_id": [99]})
    assert novelty(train, unseen, k=3) == pytest.approx(math.log2(4))


def test_intra_list_diversity_by_hand():
    titles = pd.DataFrame({"title_id": ["a", "b", "c"], "genres": ["Drama", "Drama", "Comedy"]})
    content = ContentKNN().fit(titles)
    recs = pd.DataFrame(
        {"user_id": [1, 1, 2, 2, 3, 3, 3], "title_id": ["a", "b", "a", "c", "a", "b", "c"]}
    )
    per_user = [0.0, 1.0, 1 - 1 / 3]
    assert intra_list_diversity(None, recs, k=3, content=content) == pytest.approx(
        np.mean(per_user)
    )
    one = recs.loc[recs["user_id"] == 1].iloc[:1]
    assert math.isnan(intra_list_diversity(None, one, k=3, content=content))


def test_genre_match_rate_by_hand():
    titles = pd.DataFrame(
        {
            "title_id": [1, 2, 3, 4, 5, 6, 7],
            "genres": ["Drama", "Drama|Crime", "Comedy", "Horror", "Crime", "Family", ["Sci-Fi"]],
        }
    )
    train = pd.DataFrame({"user_id": ["A"] * 4, "title_id": [1, 2, 3, 4]})
    # A's genres: Drama 2, then Comedy / Crime / Horror 1 each -> top 3 Drama, Comedy, Crime
    recs = pd.DataFrame({"user_id": ["A"] * 4, "title_id": [5, 6, 7, 2]})
    assert genre_match_rate(train, recs, k=4, titles=titles) == pytest.approx(2 / 4)
    assert genre_match_rate(train, recs, k=2, titles=titles) == pytest.approx(1 / 2)
    no_genres = titles.assign(genres=np.nan)
    assert math.isnan(genre_match_rate(train, recs, k=4, titles=no_genres))


# ---------------------------------------------------------------------------- split


def _interactions(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(60):
        n = int(rng.integers(1, 25))
        for t in rng.choice(200, n, replace=False):
            rows.append((f"user{u}", int(t), float(rng.random())))
    return pd.DataFrame(rows, columns=["user_id", "title_id", "weight"])


def test_split_holdout_protocol():
    inter = _interactions()
    original = inter.copy(deep=True)
    train, test = split_holdout(inter, test_frac=0.2, seed=0)
    pd.testing.assert_frame_equal(inter, original)  # not mutated
    assert set(train.index).isdisjoint(test.index)
    assert sorted(train.index.tolist() + test.index.tolist()) == inter.index.tolist()
    n = inter.groupby("user_id").size()
    n_test = test.groupby("user_id").size().reindex(n.index, fill_value=0)
    for user, count in n.items():
        expected = 0 if count == 1 else min(max(math.floor(0.2 * count + 0.5), 1), count - 1)
        assert n_test[user] == expected, user
    assert set(test["user_id"]) <= set(train["user_id"])


def test_split_holdout_is_deterministic_and_order_free():
    inter = _interactions()
    a_train, a_test = split_holdout(inter, 0.2, seed=3)
    b_train, b_test = split_holdout(inter, 0.2, seed=3)
    pd.testing.assert_frame_equal(a_test, b_test)
    shuffled = inter.sample(frac=1.0, random_state=1)
    _, c_test = split_holdout(shuffled, 0.2, seed=3)
    pd.testing.assert_frame_equal(c_test.sort_index(), a_test.sort_index())
    _, d_test = split_holdout(inter, 0.2, seed=4)
    assert set(d_test.index) != set(a_test.index)


def test_split_holdout_keeps_duplicate_pairs_together_and_validates():
    inter = pd.DataFrame({"user_id": [1, 1, 1, 1, 2], "title_id": [7, 7, 8, 9, 7]})
    for seed in range(10):
        train, test = split_holdout(inter, 0.5, seed=seed)
        assert not set(zip(train.user_id, train.title_id)) & set(zip(test.user_id, test.title_id))
    with pytest.raises(ValueError, match="test_frac"):
        split_holdout(inter, test_frac=1.0)
    with pytest.raises(ValueError, match="title_id"):
        split_holdout(inter.drop(columns="title_id"))


# ---------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def taste_data():
    titles = synthetic_catalog(600, seed=0)
    inter = synthetic_interactions(titles, 25_000, n_users=1000, seed=0)
    train, test = split_holdout(inter, 0.2, seed=0)
    return titles, train, test


def test_ranking_metrics_output(taste_data):
    titles, train, test = taste_data
    model = Popularity().fit(train)
    res = ranking_metrics(model, train, test, k=5, titles=titles, users=50, seed=1)
    assert set(METRICS) <= set(res)
    assert res["n_users"] == 50 and res["k"] == 5
    for name in ("precision", "recall", "ndcg", "map", "coverage", "diversity", "genre_match"):
        assert 0 <= res[name] <= 1, name
    assert res["novelty"] > 0
    assert res == ranking_metrics(model, train, test, k=5, titles=titles, users=50, seed=1)
    no_titles = ranking_metrics(model, train, test, k=5, users=["u000001", "nobody"])
    assert "genre_match" not in no_titles and math.isnan(no_titles["diversity"])
    assert no_titles["n_users"] <= 1
    recs = recommend_all(model, ["u000001", "u000002"], k=3)
    assert list(recs.columns) == ["user_id", "title_id", "score", "rank"]
    assert recs["rank"].tolist() == [1, 2, 3, 1, 2, 3]


def test_protocol_states_the_relevance_rule():
    assert "every held-out (test) interaction of the user is relevant" in PROTOCOL


def test_quality_on_synthetic_genre_tastes(taste_data):
    titles, train, test = taste_data
    content = ContentKNN().fit(titles)
    collab = ItemKNN().fit(train)
    models = {
        "Random": RandomRecommender(seed=0).fit(train),
        "Popularity": Popularity().fit(train),
        "ItemKNN": collab,
        "Hybrid": Hybrid(content, collab, alpha=0.3),
    }
    table = evaluate_models(models, train, test, k=10, titles=titles, users=200)
    assert table["model"].tolist() == list(models)
    assert list(table.columns) == ["model", *METRICS, "n_users", "k", "seconds"]
    ndcg = table.set_index("model")["ndcg"]
    assert ndcg["ItemKNN"] > ndcg["Popularity"] > ndcg["Random"]
    assert ndcg["Hybrid"] > ndcg["Popularity"]
    genre = table.set_index("model")["genre_match"]
    assert genre["Hybrid"] > genre["Popularity"]


def test_quality_on_movielens_like_ratings():
    ratings = movielens_like(n_users=300, n_items=600, seed=0)
    train, test = split_holdout(ratings, test_frac=0.2, seed=0)
    collab = ItemKNN().fit(train)
    assert collab.value_column_ == "rating"
    table = evaluate_models(
        {"Popularity": Popularity().fit(train), "ItemKNN": collab}, train, test, k=10
    )
    assert "genre_match" not in table.columns
    res = table.set_index("model")
    assert res.loc["ItemKNN", "precision"] > res.loc["Popularity", "precision"]
    assert res.loc["ItemKNN", "ndcg"] > res.loc["Popularity", "ndcg"]
