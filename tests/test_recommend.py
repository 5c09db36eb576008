"""Tests of lib.models.recommend: small literal tables, exactness of the sparse index,
properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.models.recommend import (
    EASE,
    ContentKNN,
    Hybrid,
    ItemKNN,
    ItemLimitError,
    Popularity,
    RandomRecommender,
    RP3Beta,
    UnknownIdError,
    parse_list,
)

TITLES = pd.DataFrame(
    {
        "title_id": ["heat", "ronin", "up", "cars", "alien", "aliens", "coco"],
        "title": ["Heat", "Ronin", "Up", "Cars", "Alien", "Aliens", "Coco"],
        "genres": [
            "Crime|Thriller",
            "Crime|Action|Thriller",
            "Animation|Family",
            "Animation|Family|Comedy",
            "Horror|Sci-Fi",
            "Action|Sci-Fi",
            "Animation|Family",
        ],
        "description": [
            "A heist crew in Los Angeles is hunted by a detective",
            "A heist crew of mercenaries chases a briefcase in Paris",
            "An old man flies his house to South America with balloons",
            "A race car learns that friends matter more than winning",
            "The crew of a space ship meets a deadly alien",
            "Marines fight the alien on a colony planet",
            "A boy travels to the land of the dead to find his family",
        ],
        "cast": [
            "Robert De Niro|Al Pacino",
            "Robert De Niro|Jean Reno",
            "Ed Asner",
            "Owen Wilson",
            "Sigourney Weaver",
            "Sigourney Weaver|Michael Biehn",
            "Anthony Gonzalez",
        ],
        "director": [
            "Michael Mann",
            "John Frankenheimer",
            "Pete Docter",
            "John Lasseter",
            "Ridley Scott",
            "James Cameron",
            "Lee Unkrich",
        ],
        "country": ["USA", "USA|France", "USA", "USA", "UK|USA", "USA|UK", "USA"],
    }
)

INTERACTIONS = pd.DataFrame(
    {
        "user_id": [1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5],
        "title_id": [
            "heat",
            "ronin",
            "alien",
            "heat",
            "ronin",
            "aliens",
            "up",
            "cars",
            "up",
            "cars",
            "up",
        ],
        "weight": [1.0, 2.0, 0.5, 1.0, 1.0, 1.0, 1.0, 3.0, 1.0, 1.0, 0.0],
        "rating": [5, np.nan, 4, np.nan, np.nan, 3, np.nan, np.nan, np.nan, np.nan, np.nan],
    }
)


@pytest.fixture(scope="module")
def content() -> ContentKNN:
    return ContentKNN().fit(TITLES)


@pytest.fixture(scope="module")
def collab() -> ItemKNN:
    return ItemKNN(neighbors=3).fit(INTERACTIONS)


def _check_result(res: pd.DataFrame, query=None, k: int | None = None, bounded=True) -> None:
    assert list(res.columns) == ["title_id", "score"]
    assert res["title_id"].is_unique
    assert res["score"].notna().all()
    assert np.isfinite(res["score"]).all()
    if bounded:  # cosine scores; EASE and RP3beta scores are sums of weights
        assert res["score"].between(-1, 1).all()
    assert (np.diff(res["score"].to_numpy()) <= 1e-12).all()
    if query is not None:
        assert query not in set(res["title_id"])
    if k is not None:
        assert len(res) <= k


# ---------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Crime|Thriller", ["Crime", "Thriller"]),
        ("Crime, Thriller", ["Crime", "Thriller"]),
        (["Crime", "crime", " Thriller "], ["Crime", "Thriller"]),
        (np.array(["Drama"]), ["Drama"]),
        ("Robert Downey, Jr.|Tom Holland", ["Robert Downey, Jr.", "Tom Holland"]),
        (None, []),
        (np.nan, []),
        ("", []),
    ],
)
def test_parse_list(value, expected):
    assert parse_list(value) == expected


# ---------------------------------------------------------------------------- content


def test_content_similar_ranks_shared_features_first(content):
    res = content.similar("heat", k=3)
    _check_result(res, "heat", 3)
    assert res["title_id"].iloc[0] == "ronin"
    assert content.similar("alien", k=1)["title_id"].iloc[0] == "aliens"
    assert set(content.similar("up", k=2)["title_id"]) == {"coco", "cars"}


def test_content_similarity_symmetric_and_self(content):
    assert content.similarity("heat", "ronin") == content.similarity("ronin", "heat")
    assert content.similarity("heat", "heat") == pytest.approx(1.0, abs=1e-6)
    top = content.similar("heat", k=1)
    assert top["score"].iloc[0] == pytest.approx(content.similarity("heat", "ronin"))


def test_content_explain(content):
    why = content.explain("heat", "ronin")
    assert why["shared_genres"] == ["Crime", "Thriller"]
    assert why["shared_cast"] == ["Robert De Niro"]
    assert why["shared_people"] == ["Robert De Niro"]
    assert why["shared_director"] == []
    assert why["shared_country"] == ["USA"]
    assert "heist" in why["shared_terms"] and "crew" in why["shared_terms"]
    assert why["score"] == pytest.approx(content.similarity("heat", "ronin"))
    assert why["summary"].startswith("Ronin:") and "Robert De Niro" in why["summary"]
    assert "<" not in why["summary"]


def test_genres_as_list_or_string_give_the_same_model():
    as_list = TITLES.assign(genres=TITLES["genres"].str.split("|"))
    as_comma = TITLES.assign(genres=TITLES["genres"].str.replace("|", ", "))
    ref = ContentKNN().fit(TITLES).similar("cars", k=6)
    for table in (as_list, as_comma):
        pd.testing.assert_frame_equal(ContentKNN().fit(table).similar("cars", k=6), ref)


@pytest.mark.parametrize(
    "columns",
    [
        ["title_id", "genres"],
        ["title_id", "description"],
        ["title_id", "cast", "director"],
        ["title_id", "title", "country"],
    ],
)
def test_content_with_some_columns_only(columns):
    model = ContentKNN().fit(TITLES[columns])
    for tid in TITLES["title_id"]:
        _check_result(model.similar(tid, k=3), tid, 3)
    assert model.fields_ == tuple(
        c for c in ("genres", "description", "cast", "director", "country") if c in columns
    )


def test_content_with_all_nan_or_no_content_columns():
    nan_table = TITLES.assign(description=np.nan, cast=None, director=pd.NA)
    model = ContentKNN().fit(nan_table)
    assert model.fields_ == ("genres", "country")
    _check_result(model.similar("heat"), "heat")
    bare = ContentKNN().fit(TITLES[["title_id", "title"]])
    assert bare.similar("heat").empty
    why = bare.explain("heat", "up")
    assert why["shared_genres"] == [] and why["shared_terms"] == []


def test_content_genre_alias_column():
    seed_like = pd.DataFrame({"title_id": [1, 2, 3], "genre": ["Drama", "Crime", "Drama"]})
    res = ContentKNN().fit(seed_like).similar(1)
    assert res["title_id"].tolist() == [3]


def test_int_and_string_ids_keep_their_dtype():
    ints = TITLES.assign(title_id=range(10, 17))
    res = ContentKNN().fit(ints).similar(10, k=2)
    assert res["title_id"].dtype.kind == "i" and res["title_id"].iloc[0] == 11
    res = ContentKNN().fit(TITLES).similar("heat", k=2)
    assert res["title_id"].iloc[0] == "ronin"


def test_fit_does_not_mutate_inputs():
    titles, inter = TITLES.copy(deep=True), INTERACTIONS.copy(deep=True)
    ContentKNN().fit(titles)
    ItemKNN().fit(inter)
    Popularity().fit(inter)
    pd.testing.assert_frame_equal(titles, TITLES)
    pd.testing.assert_frame_equal(inter, INTERACTIONS)


def test_unknown_ids_raise_keyerror_naming_the_id(content, collab):
    with pytest.raises(UnknownIdError, match="'nope'") as info:
        content.similar("nope")
    assert isinstance(info.value, KeyError)
    assert str(info.value) == "title_id 'nope' is not in the fitted catalog"
    with pytest.raises(KeyError, match="'nope'"):
        collab.similar("nope")
    with pytest.raises(KeyError, match="user_id 99"):
        collab.recommend(99)
    with pytest.raises(KeyError, match="user_id 99"):
        Popularity().fit(INTERACTIONS).recommend(99)
    with pytest.raises(KeyError, match="'zzz'"):
        Hybrid(content, collab).similar("zzz")


def test_similar_beyond_index_k_is_computed_exactly():
    model = ContentKNN(index_k=2).fit(TITLES)
    small, big = model.similar("heat", k=2), model.similar("heat", k=6)
    pd.testing.assert_frame_equal(big.iloc[:2], small)
    assert len(big) > 2
    no_index = ContentKNN(index_k=0).fit(TITLES)
    assert no_index.index_ is None
    pd.testing.assert_frame_equal(no_index.similar("heat", k=6), big)


def _bruteforce(model, i: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    X = model.vectors_
    full = np.asarray((X[i] @ X.T).todense()).ravel()
    full[i] = 0
    order = np.lexsort((np.arange(len(full)), -full))
    order = order[full[order] > 0][:k]
    return order, full[order]


@pytest.mark.parametrize("group_df", [None, 1, 2, 4])
def test_sparse_index_equals_bruteforce(group_df):
    rng = np.random.default_rng(group_df or 0)
    n = 300
    genres = ["Drama", "Crime", "Comedy", "Horror", "Family"]
    titles = pd.DataFrame(
        {
            "title_id": np.arange(n),
            "genres": [
                "|".join(rng.choice(genres, rng.integers(1, 3), replace=False)) for _ in range(n)
            ],
            "country": rng.choice(["US", "UK", "FR"], n),
            "cast": [f"Actor {a}|Actor {b}" for a, b in rng.integers(0, 60, (n, 2))],
            "description": [" ".join(f"w{w}" for w in rng.integers(0, 80, 6)) for _ in range(n)],
        }
    )
    k = 12
    model = ContentKNN(index_k=k, group_df=group_df, block_rows=64).fit(titles)
    if group_df is not None:
        assert model._index.grp is not None  # the signature-group path is exercised
    for i in range(0, n, 4):
        s, e = model.index_.indptr[i], model.index_.indptr[i + 1]
        got_idx, got_val = model.index_.indices[s:e], model.index_.data[s:e]
        exp_idx, exp_val = _bruteforce(model, i, k)
        np.testing.assert_allclose(got_val, exp_val, atol=1e-6)
        exact = model._index.row(i)
        exact[i] = 0
        order = np.lexsort((np.arange(n), -exact))
        order = order[exact[order] > 0][:k]
        np.testing.assert_array_equal(got_idx, order)  # ties by position, exactly


# ---------------------------------------------------------------------------- collaborative


def test_itemknn_similar_and_explain(collab):
    res = collab.similar("heat")
    _check_result(res, "heat")
    assert res["title_id"].iloc[0] == "ronin"  # watched by the same two users
    why = collab.explain("heat", "ronin")
    assert why["co_viewers"] == 2 and why["query_viewers"] == 2
    assert why["summary"] == "2 of the 2 viewers of heat also watched ronin."
    assert collab.co_viewers("heat", "alien") == 1
    v = collab.vectors_
    a, b = collab.titles_.pos("heat"), collab.titles_.pos("ronin")
    assert float((v[a] @ v[b].T).toarray()[0, 0]) == pytest.approx(
        collab.similarity("heat", "ronin")
    )
    assert collab.similarity("heat", "ronin") == collab.similarity("ronin", "heat")


def test_itemknn_scoring_is_weighted_sum_of_neighbor_similarities(collab):
    # user 2 saw heat, ronin, aliens (weight 1 each); implicit weights -> binary cosine
    assert collab.binary_ and collab.value_column_ == "weight"
    recs = collab.recommend(2, k=5)
    _check_result(recs, k=5)
    assert not set(recs["title_id"]) & {"heat", "ronin", "aliens"}
    # binary viewer vectors over users 1-5: heat = ronin = {1, 2}, alien = {1}, aliens = {2};
    # cosines with alien: heat 1 / (sqrt 2 * 1), ronin the same, aliens 0 (no shared viewer)
    top = recs.iloc[0]
    assert top["title_id"] == "alien"
    assert top["score"] == pytest.approx((1 / np.sqrt(2) + 1 / np.sqrt(2) + 0.0) / 3)
    assert collab.similarity("heat", "ronin") == pytest.approx(1.0)
    assert collab.similarity("aliens", "heat") == pytest.approx(1 / np.sqrt(2))
    why = collab.explain_recommendation(2, "alien")
    assert [c["title_id"] for c in why["contributors"]][0] in {"heat", "ronin", "aliens"}
    assert sum(c["contribution"] for c in why["contributors"]) == pytest.approx(top["score"])
    assert why["summary"].startswith("Because you watched")


def test_exclude_seen_false_can_return_seen_titles(collab):
    seen = set(INTERACTIONS.loc[INTERACTIONS["user_id"] == 1, "title_id"])
    recs = collab.recommend(1, k=7, exclude_seen=False)
    _check_result(recs, k=7)
    assert seen & set(recs["title_id"])
    assert not seen & set(collab.recommend(1, k=7)["title_id"])


def test_user_without_usable_history_gets_popularity(collab):
    # user 5's only interaction has weight 0: no neighbour evidence
    recs = collab.recommend(5, k=3)
    pop = Popularity().fit(INTERACTIONS).recommend(5, k=3)
    assert recs["title_id"].tolist() == pop["title_id"].tolist()
    assert (recs["score"] == 0).all()


def test_ratings_are_used_when_most_rows_are_rated():
    rated = INTERACTIONS.assign(rating=[5, 4, 1, 5, 5, 2, 3, 4, 4, 3, 2])
    model = ItemKNN().fit(rated)
    assert model.value_column_ == "rating" and not model.binary_
    assert ItemKNN(value="binary").fit(rated).value_column_ == "binary"
    assert ItemKNN(binary=True).fit(rated).binary_
    with pytest.raises(ValueError, match="neighbors"):
        ItemKNN(neighbors=0).fit(rated)


def test_interactions_without_optional_columns():
    bare = INTERACTIONS[["user_id", "title_id"]]
    model = ItemKNN().fit(bare)
    assert model.value_column_ == "binary"
    _check_result(model.recommend(3, k=3), k=3)
    nan_weights = INTERACTIONS.assign(weight=np.nan, rating=np.nan)
    _check_result(ItemKNN().fit(nan_weights).recommend(1), k=10)


def test_popularity_and_random_baselines():
    pop = Popularity().fit(INTERACTIONS)
    recs = pop.recommend(3, k=10)
    assert recs["title_id"].tolist() == ["heat", "ronin", "alien", "aliens"]
    assert recs["score"].iloc[0] == pytest.approx(2 / 5)
    assert pop.explain_recommendation(3, "heat")["viewers"] == 2
    rnd = RandomRecommender(seed=7).fit(INTERACTIONS)
    a = rnd.recommend(1, k=3)
    _check_result(a, k=3)
    pd.testing.assert_frame_equal(a, RandomRecommender(seed=7).fit(INTERACTIONS).recommend(1, k=3))
    assert not set(a["title_id"]) & {"heat", "ronin", "alien"}
    lists = {
        tuple(RandomRecommender(seed=s).fit(INTERACTIONS).recommend(1, k=4)["title_id"])
        for s in range(6)
    }
    assert len(lists) > 1
    _check_result(rnd.similar("heat", k=3), "heat", 3)
    _check_result(pop.similar("heat", k=3), "heat", 3)


# ---------------------------------------------------------------------------- hybrid


def test_hybrid_cold_start_title_uses_content(content, collab):
    hybrid = Hybrid(content, collab, alpha=0.5)
    assert "coco" not in collab  # no interactions: cold start
    res = hybrid.similar("coco", k=3)
    _check_result(res, "coco", 3)
    pd.testing.assert_series_equal(
        res["title_id"], content.similar("coco", k=3)["title_id"], check_names=False
    )
    assert res["score"].iloc[0] == pytest.approx(1.0)  # content alone, best scaled to 1
    why = hybrid.explain("coco", "up")
    assert why["collaborative"] is None and why["content"]["shared_genres"]
    warm = hybrid.explain("heat", "ronin")
    assert warm["collaborative"]["summary"] == "2 of the 2 viewers of Heat also watched Ronin."
    assert warm["summary"].startswith("Ronin: both Crime and Thriller")


def test_hybrid_blend_and_alpha_extremes(content, collab):
    for alpha in (0.0, 0.3, 1.0):
        res = Hybrid(content, collab, alpha=alpha).similar("heat", k=4)
        _check_result(res, "heat", 4)
    only_content = Hybrid(content, collab, alpha=1.0).similar("heat", k=3)
    assert only_content["title_id"].tolist() == content.similar("heat", k=3)["title_id"].tolist()
    only_collab = Hybrid(content, collab, alpha=0.0).similar("heat", k=2)
    assert only_collab["title_id"].tolist() == collab.similar("heat", k=2)["title_id"].tolist()
    with pytest.raises(ValueError, match="alpha"):
        Hybrid(content, collab, alpha=2).similar("heat")


def test_hybrid_recommend_can_surface_cold_titles(content, collab):
    hybrid = Hybrid(content, collab, alpha=0.7)
    recs = hybrid.recommend(3, k=5)  # user 3 watched up and cars (animation)
    _check_result(recs, k=5)
    assert recs["title_id"].iloc[0] == "coco"  # never watched by anyone, found by content
    assert not {"up", "cars"} & set(recs["title_id"])
    why = hybrid.explain_recommendation(3, "coco")
    assert {c["title_id"] for c in why["content_contributors"]} <= {"up", "cars"}
    assert all(type(c["title_id"]) is str for c in why["content_contributors"])
    assert "Up" in why["summary"] or "Cars" in why["summary"]
    assert why["summary"].startswith("Because you watched")
    with pytest.raises(KeyError, match="user_id 42"):
        hybrid.recommend(42)


def test_hybrid_exclude_seen(content, collab):
    # user 1 watched heat, ronin and alien: their own neighbours, so they score highest
    seen = {"heat", "ronin", "alien"}
    hybrid = Hybrid(content, collab, alpha=0.5)
    kept = hybrid.recommend(1, k=7, exclude_seen=False)
    _check_result(kept, k=7)
    assert seen <= set(kept["title_id"])
    assert kept["score"].iloc[0] > 0
    dropped = hybrid.recommend(1, k=7)
    _check_result(dropped, k=7)
    assert not seen & set(dropped["title_id"])
    assert len(dropped) == 4  # the 7 titles minus the 3 seen


def test_hybrid_fit_fits_components():
    hybrid = Hybrid(ContentKNN(), ItemKNN(), alpha=0.5).fit(TITLES, INTERACTIONS)
    _check_result(hybrid.recommend(1, k=3), k=3)


def test_models_on_gold_tables(gold):
    titles, inter = gold["titles"], gold["interactions"]
    content = ContentKNN().fit(titles)
    collab = ItemKNN().fit(inter)
    tid = titles["title_id"].iloc[0]
    _check_result(content.similar(tid), tid, 10)
    assert isinstance(content.explain(tid, content.similar(tid)["title_id"].iloc[0]), dict)
    user = inter["user_id"].iloc[0]
    hybrid = Hybrid(content, collab, alpha=0.5)
    recs = hybrid.recommend(user, k=10)
    _check_result(recs, k=10)
    assert len(recs) == 10
    seen = set(inter.loc[inter["user_id"] == user, "title_id"])
    assert not seen & set(recs["title_id"])


# ---------------------------------------------------------------------------- EASE, RP3beta

# 4 users x 3 titles, binary: a small matrix whose closed form is checked against numpy
EASE_X = np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1], [1, 1, 1]], dtype=float)


def _frame_of(X: np.ndarray, values: np.ndarray | None = None) -> pd.DataFrame:
    u, i = np.nonzero(X)
    out = pd.DataFrame({"user_id": u + 1, "title_id": [f"t{j}" for j in i]})
    if values is not None:
        out["rating"] = values[u, i]
    return out


def test_ease_equals_the_ridge_regression_of_each_title_on_the_others():
    l2 = 0.7
    model = EASE(l2, dtype="float64").fit(_frame_of(EASE_X))
    # column j of B: ridge regression of title j on the other titles (numpy's solver)
    expected = np.zeros((3, 3))
    for j in range(3):
        others = [c for c in range(3) if c != j]
        A = EASE_X[:, others]
        expected[others, j] = np.linalg.solve(A.T @ A + l2 * np.eye(2), A.T @ EASE_X[:, j])
    np.testing.assert_allclose(model.B_, expected, atol=1e-12)
    # the same from the closed form written out by hand: B = I - P diag(1 / diag(P))
    P = np.linalg.inv(EASE_X.T @ EASE_X + l2 * np.eye(3))
    np.testing.assert_allclose(model.B_, np.eye(3) - P / np.diag(P), atol=1e-12)
    default_blas = EASE(l2, dtype="float64", threads=None).fit(_frame_of(EASE_X))
    np.testing.assert_allclose(default_blas.B_, model.B_, atol=1e-12)  # threads: speed only
    single = EASE(l2).fit(_frame_of(EASE_X))  # float32 (the default) agrees to 1e-6
    assert single.B_.dtype == np.float32
    np.testing.assert_allclose(single.B_, expected, atol=1e-5)
    # user 1 watched t0 and t1: the score of t2 is B[0, 2] + B[1, 2]
    recs = model.recommend(1, k=3)
    assert recs["title_id"].tolist() == ["t2"]
    assert recs["score"].iloc[0] == pytest.approx(expected[0, 2] + expected[1, 2])
    why = model.explain_recommendation(1, "t2")
    assert why["score"] == pytest.approx(recs["score"].iloc[0])
    parts = why["contributors"] + why["against"]
    assert sum(c["contribution"] for c in parts) == pytest.approx(why["score"])
    assert {c["title_id"] for c in parts} == {"t0", "t1"}
    assert all(c["contribution"] > 0 for c in why["contributors"])
    assert all(c["contribution"] < 0 for c in why["against"])
    similar = model.similar("t0", k=2)  # row 0 of B, positive weights only, best first
    row = {f"t{j}": expected[0, j] for j in (1, 2) if expected[0, j] > 0}
    assert similar["title_id"].tolist() == sorted(row, key=lambda t: -row[t])
    np.testing.assert_allclose(similar["score"], sorted(row.values(), reverse=True))
    assert model.weight("t0", "t1") == pytest.approx(expected[0, 1])


def test_ease_states_its_memory_need_and_refuses_above_the_limit():
    assert EASE.memory_need(16_384) == 2**30  # float32: 4 bytes per entry
    assert EASE.max_items(1.0) == 16_384
    assert EASE.max_items(1.0, "float64") == 11_585
    budget = EASE.memory_need(5) / 2**30  # room for 5 titles; the fixture has 6
    with pytest.raises(ItemLimitError, match=r"6 x 6 .* at most 5 titles") as info:
        EASE(memory_budget_gib=budget).fit(INTERACTIONS)
    assert isinstance(info.value, ValueError)
    assert "RP3Beta" in str(info.value) and info.value.n_items == 6
    with pytest.raises(ValueError, match="l2"):
        EASE(0.0).fit(INTERACTIONS)


def test_hybrid_falls_back_to_a_sparse_model_when_ease_refuses(content):
    tiny = EASE.memory_need(2) / 2**30
    hybrid = Hybrid(ContentKNN(), EASE(memory_budget_gib=tiny), alpha=0.3)
    hybrid.fit(TITLES, INTERACTIONS)
    assert isinstance(hybrid.collab_, RP3Beta)
    assert "EASE needs a dense 6 x 6" in hybrid.fallback_reason_
    recs = hybrid.recommend(1, k=4)
    _check_result(recs, k=4)
    assert not {"heat", "ronin", "alien"} & set(recs["title_id"])
    ok = Hybrid(ContentKNN(), EASE(1.0), alpha=0.3).fit(TITLES, INTERACTIONS)
    assert isinstance(ok.collab_, EASE) and ok.fallback_reason_ is None
    _check_result(ok.recommend(2, k=4), k=4)
    _check_result(ok.similar("heat", k=3), "heat", 3)


def test_ease_and_rp3beta_binarise_by_default_and_weight_when_asked():
    other = INTERACTIONS.assign(
        weight=[9.0, 0.1, 4.0, 2.0, 7.0, 1.0, 3.0, 0.5, 8.0, 2.5, 6.0],
        rating=[1, 2, 5, 3, 4, 1, 2, 5, 3, 4, 1],
    )
    for cls in (EASE, RP3Beta):
        a, b = cls().fit(INTERACTIONS), cls().fit(other)
        assert a.value_column_ == "binary" and a.binary_
        for user in (1, 2, 3):
            pd.testing.assert_frame_equal(a.recommend(user, k=6), b.recommend(user, k=6))
        weighted = cls(value="weight").fit(other)
        assert weighted.value_column_ == "weight" and not weighted.binary_
        assert not np.allclose(weighted.recommend(1, k=6)["score"], b.recommend(1, k=6)["score"]), (
            cls.__name__
        )
    # weighted EASE: X holds the weights, so B is the ridge solution on that matrix
    ease = EASE(1.0, value="weight", dtype="float64").fit(other)
    np.testing.assert_allclose(ease._X.toarray().sum(), other["weight"].sum())


# 3 users x 4 titles: u1 {a, b}, u2 {a, b, c}, u3 {c, d}
WALK = pd.DataFrame(
    {"user_id": [1, 1, 2, 2, 2, 3, 3], "title_id": ["a", "b", "a", "b", "c", "c", "d"]}
)


def test_rp3beta_transition_probabilities_by_hand():
    plain = RP3Beta(alpha=1.0, beta=0.0).fit(WALK)
    W = pd.DataFrame(plain.W_.toarray(), index=list("abcd"), columns=list("abcd"))
    # title -> user uniform over the title's viewers, user -> title uniform over their titles
    assert W.at["a", "b"] == pytest.approx(1 / 2 * 1 / 2 + 1 / 2 * 1 / 3)  # via u1, via u2
    assert W.at["a", "c"] == pytest.approx(1 / 2 * 1 / 3)
    assert W.at["a", "d"] == 0.0
    assert W.at["c", "d"] == pytest.approx(1 / 2 * 1 / 2)
    assert W.at["d", "c"] == pytest.approx(1 * 1 / 2)
    assert (np.diag(W) == 0).all()  # a title is never its own neighbour
    # with the dropped self-loop a -> a (5/12), a's row is a probability distribution
    assert W.loc["a"].sum() + (1 / 2 * 1 / 2 + 1 / 2 * 1 / 3) == pytest.approx(1.0)
    penalised = RP3Beta(alpha=1.0, beta=0.5).fit(WALK)
    Wp = pd.DataFrame(penalised.W_.toarray(), index=list("abcd"), columns=list("abcd"))
    assert Wp.at["a", "b"] == pytest.approx((5 / 12) / np.sqrt(2))  # b has 2 viewers
    assert Wp.at["c", "d"] == pytest.approx(1 / 4)  # d has 1 viewer
    squared = RP3Beta(alpha=2.0, beta=0.0).fit(WALK)
    assert squared.W_[0, 1] == pytest.approx(
        (1 / 2) ** 2 * (1 / 2) ** 2 + (1 / 2) ** 2 * (1 / 3) ** 2
    )
    # u3 watched c and d: a and b both get W[c, *] = 1/6 / sqrt 2, ties by catalog position
    recs = penalised.recommend(3, k=2)
    assert recs["title_id"].tolist() == ["a", "b"]
    assert recs["score"].tolist() == pytest.approx([(1 / 6) / np.sqrt(2)] * 2)
    why = penalised.explain_recommendation(3, "a")
    assert [c["title_id"] for c in why["contributors"]] == ["c"]
    assert why["contributors"][0]["weight"] == pytest.approx((1 / 6) / np.sqrt(2))


def test_rp3beta_keeps_the_strongest_neighbours_and_computes_longer_rows_exactly():
    full = RP3Beta(beta=0.5).fit(WALK)
    top1 = RP3Beta(beta=0.5, neighbors=1).fit(WALK)
    assert (np.diff(top1.W_.indptr) <= 1).all()
    for t in "abcd":
        best = full.similar(t, k=1)
        pd.testing.assert_frame_equal(top1.similar(t, k=1), best)
        pd.testing.assert_frame_equal(top1.similar(t, k=3), full.similar(t, k=3))
    with pytest.raises(ValueError, match="beta"):
        RP3Beta(beta=-1).fit(WALK)
    with pytest.raises(ValueError, match="alpha"):
        RP3Beta(alpha=0).fit(WALK)


def test_ease_and_rp3beta_on_the_fixture(content):
    for model in (EASE(2.0).fit(INTERACTIONS), RP3Beta().fit(INTERACTIONS)):
        recs = model.recommend(2, k=5)
        _check_result(recs, k=5, bounded=False)
        assert recs["title_id"].iloc[0] == "alien"  # watched with heat and ronin by user 1
        assert not {"heat", "ronin", "aliens"} & set(recs["title_id"])
        kept = model.recommend(2, k=6, exclude_seen=False)
        assert {"heat", "ronin", "aliens"} & set(kept["title_id"])
        _check_result(model.similar("heat", k=3), "heat", 3, bounded=False)
        why = model.explain("heat", "ronin")
        assert (
            why["co_viewers"] == 2
            and why["summary"] == "2 of the 2 viewers of heat also watched ronin."
        )
        with pytest.raises(KeyError, match="user_id 99"):
            model.recommend(99)
        with pytest.raises(KeyError, match="'nope'"):
            model.similar("nope")
        hybrid = Hybrid(content, model, alpha=0.5)
        _check_result(hybrid.recommend(2, k=5), k=5)
        _check_result(hybrid.similar("heat", k=3), "heat", 3)
        assert hybrid.explain_recommendation(2, "alien")["collaborative_contributors"]


# ---------------------------------------------------------------------------- properties

GENRES = ["Drama", "Crime", "Comedy", "Horror", "Family", "Sci-Fi"]
WORDS = [f"word{i}" for i in range(12)]
PEOPLE = [f"Person {i}" for i in range(8)]


@st.composite
def catalogs(draw):
    n = draw(st.integers(2, 25))
    ids = draw(
        st.one_of(
            st.just(list(range(n))),
            st.lists(
                st.text("abcdefgh", min_size=1, max_size=4), min_size=n, max_size=n, unique=True
            ),
        )
    )
    genres = draw(st.lists(st.lists(st.sampled_from(GENRES), max_size=3), min_size=n, max_size=n))
    desc = draw(st.lists(st.lists(st.sampled_from(WORDS), max_size=6), min_size=n, max_size=n))
    cast = draw(st.lists(st.lists(st.sampled_from(PEOPLE), max_size=3), min_size=n, max_size=n))
    as_string = draw(st.booleans())
    return pd.DataFrame(
        {
            "title_id": ids,
            "genres": ["|".join(g) if as_string else g for g in genres],
            "description": [" ".join(d) or None for d in desc],
            "cast": ["|".join(c) for c in cast],
        }
    )


@st.composite
def interaction_tables(draw):
    n_titles = draw(st.integers(2, 12))
    n_users = draw(st.integers(1, 8))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n_users - 1), st.integers(0, n_titles - 1)),
            min_size=1,
            max_size=40,
            unique=True,
        )
    )
    weights = draw(st.lists(st.floats(0, 10), min_size=len(pairs), max_size=len(pairs)))
    return pd.DataFrame(
        {
            "user_id": [f"u{u}" for u, _ in pairs],
            "title_id": [t for _, t in pairs],
            "weight": weights,
        }
    )


PROPERTY = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(catalogs(), st.integers(1, 30), st.sampled_from([None, 1, 3]))
def test_property_content(titles, k, group_df):
    model = ContentKNN(index_k=5, group_df=group_df).fit(titles)
    ids = list(model.title_ids_)
    for tid in ids[:6]:
        res = model.similar(tid, k=k)
        _check_result(res, tid, k)
        pd.testing.assert_frame_equal(res, model.similar(tid, k=k))
    a, b = ids[0], ids[-1]
    assert model.similarity(a, b) == model.similarity(b, a)
    assert -1 <= model.similarity(a, b) <= 1
    again = ContentKNN(index_k=5, group_df=group_df).fit(titles.iloc[::-1])
    pd.testing.assert_frame_equal(again.similar(a, k=k), model.similar(a, k=k))


@PROPERTY
@given(interaction_tables(), st.integers(1, 15), st.booleans())
def test_property_collaborative(inter, k, exclude_seen):
    collab = ItemKNN(neighbors=3, index_k=4).fit(inter)
    titles = pd.DataFrame(
        {"title_id": sorted(inter["title_id"].unique()) + [999], "genres": "Drama"}
    )
    hybrid = Hybrid(ContentKNN().fit(titles), collab, alpha=0.4)
    models = [collab, Popularity().fit(inter), RandomRecommender(seed=1).fit(inter), hybrid]
    unbounded = [EASE(5.0).fit(inter), RP3Beta(alpha=0.8, beta=0.3, neighbors=3).fit(inter)]
    for user in inter["user_id"].unique()[:4]:
        seen = set(inter.loc[inter["user_id"] == user, "title_id"])
        for model in models + unbounded:
            recs = model.recommend(user, k=k, exclude_seen=exclude_seen)
            _check_result(recs, k=k, bounded=model not in unbounded)
            if exclude_seen:
                assert not seen & set(recs["title_id"])
            pd.testing.assert_frame_equal(
                recs, model.recommend(user, k=k, exclude_seen=exclude_seen)
            )
    for tid in list(collab.title_ids_)[:4]:
        _check_result(collab.similar(tid, k=k), tid, k)
        _check_result(hybrid.similar(tid, k=k), tid, k)
        for model in unbounded:
            _check_result(model.similar(tid, k=k), tid, k, bounded=False)
            pd.testing.assert_frame_equal(model.similar(tid, k=k), model.similar(tid, k=k))
        assert collab.similarity(tid, collab.title_ids_[0]) == collab.similarity(
            collab.title_ids_[0], tid
        )
