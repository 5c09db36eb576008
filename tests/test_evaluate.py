"""Tests of lib.models.evaluate: hand-computed metrics, the holdout split, end-to-end quality
checks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import lib.models.evaluate as ev
from benchmarks.recommend import movielens_like, synthetic_catalog, synthetic_interactions
from lib.models.evaluate import (
    METRICS,
    PROTOCOL,
    bootstrap_ci,
    catalog_coverage,
    compare_recommenders,
    evaluate_models,
    evaluate_with_intervals,
    genre_match_rate,
    intra_list_diversity,
    map_at_k,
    metric_intervals,
    ndcg_at_k,
    novelty,
    paired_comparison,
    per_user_metrics,
    precision_at_k,
    ranking_metrics,
    recall_at_k,
    recommend_all,
    split_holdout,
    split_leave_last_out,
    tune,
    tune_recommenders,
)
from lib.models.recommend import EASE, ContentKNN, Hybrid, ItemKNN, Popularity, RandomRecommender

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


# ---------------------------------------------------------------------------- time split


def test_split_leave_last_out_by_hand():
    t = pd.Timestamp("2024-01-01")
    inter = pd.DataFrame(
        {
            "user_id": ["A", "A", "A", "A", "B", "B", "C", "D", "D"],
            "title_id": [1, 2, 3, 2, 1, 4, 5, 6, 7],
            "last_ts": [
                t,
                t + pd.Timedelta(days=3),
                t + pd.Timedelta(days=1),
                t,
                t,
                t,
                t,
                t,
                pd.NaT,
            ],
        }
    )
    original = inter.copy(deep=True)
    train, test = split_leave_last_out(inter)
    pd.testing.assert_frame_equal(inter, original)
    # A: title 2 is the latest (both its rows go to test); B: a tie, the larger title (4)
    # C: a single title stays in train; D: 7 has no time, so 6 (the only timed one) is held out
    assert sorted(zip(test["user_id"], test["title_id"])) == [
        ("A", 2),
        ("A", 2),
        ("B", 4),
        ("D", 6),
    ]
    assert sorted(train.index.tolist() + test.index.tolist()) == inter.index.tolist()
    _, two = split_leave_last_out(inter, n_last=2)
    assert set(two.loc[two["user_id"] == "A", "title_id"]) == {2, 3}
    assert set(two.loc[two["user_id"] == "B", "title_id"]) == {4}  # n - 1 at most
    with pytest.raises(ValueError, match="'last_ts'"):
        split_leave_last_out(inter.drop(columns="last_ts"))
    with pytest.raises(ValueError, match="no timestamp"):
        split_leave_last_out(inter.assign(last_ts=pd.NaT))
    unix = inter.assign(last_ts=inter["last_ts"].astype("int64") // 10**9)
    unix.loc[inter["last_ts"].isna(), "last_ts"] = np.nan
    pd.testing.assert_frame_equal(
        split_leave_last_out(unix)[1], test.assign(last_ts=unix.loc[test.index, "last_ts"])
    )


# ---------------------------------------------------------------------- intervals, pairing


def test_per_user_metrics_average_to_the_metric_functions(taste_data):
    titles, train, test = taste_data
    model = ItemKNN().fit(train)
    users = ev._eval_users(train, test, 120, 0)
    recs = recommend_all(model, users, 10)
    truth = test.loc[test["user_id"].isin(users)]
    content = ContentKNN(index_k=0).fit(titles)
    pu = per_user_metrics(truth, recs, k=10, train=train, titles=titles, content=content)
    assert len(pu) == 120 and pu.index.is_unique
    assert pu["precision"].mean() == pytest.approx(precision_at_k(truth, recs, k=10))
    assert pu["recall"].mean() == pytest.approx(recall_at_k(truth, recs, k=10))
    assert pu["ndcg"].mean() == pytest.approx(ndcg_at_k(truth, recs, k=10))
    assert pu["map"].mean() == pytest.approx(map_at_k(truth, recs, k=10))
    assert pu["novelty_bits"].sum() / pu["n_recs"].sum() == pytest.approx(
        novelty(train, recs, k=10)
    )
    assert pu["diversity"].mean() == pytest.approx(
        intra_list_diversity(train, recs, k=10, content=content)
    )
    assert pu["genre_match"].mean() == pytest.approx(
        genre_match_rate(train, recs, k=10, titles=titles)
    )
    summary, per_user = evaluate_with_intervals(
        model, train, test, 10, titles=titles, users=120, n_boot=200
    )
    plain = ranking_metrics(model, train, test, 10, titles=titles, users=120)
    for m in METRICS:
        assert summary[m] == pytest.approx(plain[m]), m
        assert summary[f"{m}_low"] <= summary[m] <= summary[f"{m}_high"], m
    assert summary["n_users"] == plain["n_users"] == 120
    pd.testing.assert_frame_equal(per_user, pu, check_exact=False)


def test_recommend_all_returns_what_recommend_returns(taste_data):
    titles, train, _ = taste_data
    users = sorted(train["user_id"].unique())[:15]
    content = ContentKNN(index_k=0).fit(titles)
    collab = ItemKNN().fit(train)
    for model in (collab, EASE(50.0).fit(train), Hybrid(content, collab), Popularity().fit(train)):
        long = recommend_all(model, users, 7)
        for user in users[:5]:
            one = long.loc[long["user_id"] == user, ["title_id", "score"]].reset_index(drop=True)
            pd.testing.assert_frame_equal(one, model.recommend(user, k=7))


def test_bootstrap_interval_covers_a_known_mean():
    rng = np.random.default_rng(1)
    covered = 0
    for rep in range(200):
        hits = rng.binomial(10, 0.3, size=300) / 10  # per-user precision@10, true mean 0.3
        mean, lo, hi = bootstrap_ci(hits, n_boot=400, seed=rep)
        assert lo <= mean <= hi
        covered += lo <= 0.3 <= hi
    assert 0.90 <= covered / 200 <= 0.99, covered


def test_paired_interval_covers_a_known_difference():
    rng = np.random.default_rng(2)
    covered, paired_width, separate_width = 0, [], []
    for rep in range(200):
        users = pd.Index([f"u{i}" for i in range(400)])
        a = pd.Series(rng.binomial(1, 0.35, 400).astype(float), index=users)
        # b misses some of a's hits at random: the true difference is 0.35 * 1/7 = 0.05
        b = a * rng.binomial(1, 6 / 7, 400)
        d = paired_comparison(a, b.sample(frac=1.0, random_state=rep), n_boot=400, seed=rep)
        assert d["n_users"] == 400 and d["low"] <= d["difference"] <= d["high"]
        covered += d["low"] <= 0.05 <= d["high"]
        paired_width.append(d["high"] - d["low"])
        _, alo, ahi = bootstrap_ci(a, n_boot=400, seed=rep)
        _, blo, bhi = bootstrap_ci(b, n_boot=400, seed=rep)
        separate_width.append(np.hypot(ahi - alo, bhi - blo))
    assert 0.90 <= covered / 200 <= 0.99, covered
    # pairing removes the between-user spread both models share
    assert np.mean(paired_width) < 0.6 * np.mean(separate_width)


def test_paired_comparison_needs_the_same_users():
    a = pd.DataFrame({"ndcg": [0.1, 0.2]}, index=["u1", "u2"])
    b = pd.DataFrame({"ndcg": [0.1, 0.3]}, index=["u1", "u3"])
    with pytest.raises(ValueError, match="same users"):
        paired_comparison(a, b)
    same = paired_comparison(a, a.iloc[::-1], n_boot=50)
    assert same["difference"] == 0.0 and same["low"] == same["high"] == 0.0


def test_metric_intervals_by_hand_for_coverage_and_novelty():
    per_user = pd.DataFrame(
        {
            "precision": [0.5, 0.0],
            "novelty_bits": [3.0, 1.0],
            "n_recs": [2.0, 2.0],
        },
        index=["A", "B"],
    )
    recs = pd.DataFrame({"user_id": ["A", "A", "B", "B"], "title_id": [1, 2, 2, 3]})
    table = metric_intervals(per_user, recs=recs, catalog_size=6, k=2, n_boot=300).set_index(
        "metric"
    )
    assert table.at["precision", "value"] == pytest.approx(0.25)
    assert table.at["novelty", "value"] == pytest.approx(4 / 4)
    assert table.at["coverage", "value"] == pytest.approx(3 / 6)
    assert table.at["precision", "low"] >= 0.0 and table.at["precision", "high"] <= 0.5
    for m in table.index:
        assert table.at[m, "low"] <= table.at[m, "value"] <= table.at[m, "high"], m


# ---------------------------------------------------------------------------- tuning


class _Spy:
    """An ItemKNN that records every table it is fitted on and every user it is asked for."""

    fitted: list[pd.Index] = []

    def __init__(self, **params):
        self.inner = ItemKNN(**params)

    def fit(self, interactions):
        _Spy.fitted.append(interactions.index)
        self.inner.fit(interactions)
        return self

    def recommend(self, user_id, k=10, exclude_seen=True):
        return self.inner.recommend(user_id, k=k, exclude_seen=exclude_seen)


def test_tune_chooses_on_validation_from_train_and_never_touches_test(taste_data):
    _, train, test = taste_data
    _Spy.fitted = []
    res = tune(_Spy, train, {"neighbors": [2, 20, 80]}, seed=0, users=150)
    assert len(res.curve) == 3 and res.curve["neighbors"].tolist() == [2, 20, 80]
    best = res.curve.loc[res.curve["ndcg"].idxmax(), "neighbors"]
    assert res.params == {"neighbors": best} and res.score == res.curve["ndcg"].max()
    assert len(_Spy.fitted) == 4  # three grid points, then the refit on the whole train
    for index in _Spy.fitted:
        assert not index.isin(test.index).any()  # the test split is never seen
        assert index.isin(train.index).all()
    fit_part = _Spy.fitted[0]
    assert all(i.equals(fit_part) for i in _Spy.fitted[:3])
    assert len(fit_part) < len(train)  # validation rows were held out of train...
    assert _Spy.fitted[3].equals(train.index)  # ...and the chosen model sees all of train
    assert res.n_users == 150 and res.model.inner.neighbors == best
    with pytest.raises(ValueError, match="metric"):
        tune(_Spy, train, {}, metric="auc")


@pytest.fixture(scope="module")
def small_world():
    titles = synthetic_catalog(250, seed=3)
    inter = synthetic_interactions(titles, 9000, n_users=450, seed=3)
    return titles, inter


SMALL_GRIDS = {
    "Collaborative": {"neighbors": (10, 60)},
    "Hybrid": {"alpha": (0.2, 0.8)},
    "EASE": {"l2": (20.0, 400.0)},
    "RP3beta": {"alpha": (1.0,), "beta": (0.0, 0.5)},
}


def test_compare_recommenders_tunes_on_train_only(small_world, monkeypatch):
    titles, inter = small_world
    _, test = split_holdout(inter, 0.2, seed=0)
    fitted, scored = [], []
    real_fit, real_precision = ev._fit_on, ev.precision_at_k

    def fit_spy(model, interactions):
        fitted.append(interactions.index)
        return real_fit(model, interactions)

    def precision_spy(truth, recs, **kw):  # tuning scores validation with precision_at_k
        scored.append(truth.index)
        return real_precision(truth, recs, **kw)

    monkeypatch.setattr(ev, "_fit_on", fit_spy)
    monkeypatch.setattr(ev, "precision_at_k", precision_spy)
    steps = []
    res = compare_recommenders(
        titles,
        inter,
        grids=SMALL_GRIDS,
        users=150,
        n_boot=200,
        progress=lambda f, m: steps.append(f),
    )
    assert fitted and scored
    for index in fitted + scored:
        assert not index.isin(test.index).any()
    assert steps[0] == 0.0 and steps[-1] == 1.0 and steps == sorted(steps)
    monkeypatch.undo()
    # the choice depends on train alone: tuning train by itself gives the same values
    train, _ = split_holdout(inter, 0.2, seed=0)
    again, _, best = tune_recommenders(titles, train, grids=SMALL_GRIDS, users=150, min_titles=5)
    assert best == res.best
    for name, r in res.tuned.items():
        assert again[name].params == r.params
        pd.testing.assert_frame_equal(
            again[name].curve.drop(columns="seconds"), r.curve.drop(columns="seconds")
        )


def test_compare_recommenders_table(small_world):
    titles, inter = small_world
    res = compare_recommenders(titles, inter, grids=SMALL_GRIDS, users=150, n_boot=200)
    table = res.table.set_index("model")
    assert list(table.index) == list(ev.COMPARED)
    assert res.best == table["validation"].drop("Random").idxmax()  # by validation, not test
    for m in METRICS:
        assert (table[f"{m}_low"] <= table[m] + 1e-12).all(), m
        assert (table[m] <= table[f"{m}_high"] + 1e-12).all(), m
    assert (table["n_users"] == 150).all()
    assert table.at["EASE", "params"] in ("l2=20", "l2=400")
    assert table.at["Random", "ndcg_high"] < table.at[res.best, "ndcg_low"]
    paired = res.paired.set_index(["model", "metric"])
    assert len(paired) == 2 * (len(ev.COMPARED) - 1)
    row = paired.loc[("Random", "ndcg")]
    assert row["difference"] == pytest.approx(
        table.at[res.best, "ndcg"] - table.at["Random", "ndcg"]
    )
    assert row["low"] > 0
    text = res.protocol
    for part in ("split_holdout", "seed=0", "never used to tune", "150 viewers", "bootstrap"):
        assert part in text, part
    # EASE above its item limit is skipped with the reason; the other models still run
    tiny = EASE.memory_need(100) / 2**30
    capped = compare_recommenders(
        titles,
        inter,
        models=("Collaborative", "EASE", "Popularity"),
        grids=SMALL_GRIDS,
        users=80,
        n_boot=50,
        ease_budget_gib=tiny,
    )
    assert capped.table["model"].tolist() == ["Collaborative", "Popularity"]
    assert "at most 100 titles" in capped.skipped["EASE"]
    no_content = compare_recommenders(
        None, inter, models=("Content", "Popularity"), users=50, n_boot=50
    )
    assert "content" in no_content.skipped["Content"]


def test_compare_recommenders_with_a_time_split(small_world):
    titles, inter = small_world
    stamped = inter.assign(
        last_ts=pd.Timestamp("2024-01-01")
        + pd.to_timedelta(np.random.default_rng(0).integers(0, 10**6, len(inter)), unit="s")
    )
    res = compare_recommenders(
        titles,
        stamped,
        split="time",
        models=("Collaborative", "Popularity", "Random"),
        grids=SMALL_GRIDS,
        users=100,
        n_boot=100,
    )
    assert "leave-last-out" in res.protocol
    assert (res.table["precision"] <= 0.1 + 1e-12).all()  # one held-out title per viewer
    with pytest.raises(ValueError, match="last_ts"):
        compare_recommenders(titles, inter, split="time", models=("Popularity",))


def test_no_recommendations_at_all_score_zero_not_an_error():
    # a model that recommends nothing gives an empty frame, whose id columns are float: the
    # merge with the string ids of the truth used to raise (the models step of a tiny import)
    truth = pd.DataFrame({"user_id": ["u1", "u2"], "title_id": ["a", "b"]})
    empty = pd.DataFrame(
        {"user_id": pd.Series([], dtype=float), "title_id": pd.Series([], dtype=float)}
    )
    assert precision_at_k(truth, empty, k=5) == 0.0
    assert recall_at_k(truth, empty, k=5) == 0.0
    assert map_at_k(truth, empty, k=5) == 0.0
