"""lib.models.cluster_features: feature assembly, defaults and stored forms, on small literal
frames."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lib.data import artifacts
from lib.models import cluster_features as cf
from lib.models.cluster import Condition


def _users(n: int = 24) -> pd.DataFrame:
    i = np.arange(n)
    return pd.DataFrame(
        {
            "user_id": [f"u{j}" for j in i],
            "watch_hours": i.astype(float),  # 0, 1, ..., n-1
            "sessions": (i % 3).astype(float),
            "age": np.where(i == 0, np.nan, 20.0 + i),
            "monthly_spend": np.full(n, 9.99),  # constant: not a feature
            "household_size": (i % 2).astype(float),  # an extra (non-default) feature
            "device_share__mobile": i / n,
            "subscription_plan": pd.Series(
                ["Basic" if j % 2 else "Premium+" for j in i], dtype="object"
            ).where(i != 1),
            "top_genre": "Drama",
        }
    )


def test_viewers_candidates_defaults_plans_and_what_is_missing():
    ent = cf.viewers(_users())
    assert ent.problem is None and ent.key == "viewers" and ent.noun == "viewers"
    cols = list(ent.candidates.columns)
    # defaults first (lib.models.cluster order), extras, prefixed families, then one column per plan
    assert cols == [
        "watch_hours",
        "sessions",
        "age",
        "household_size",
        "device_share__mobile",
        "plan__basic",
        "plan__premium_plus",
    ]
    assert "monthly_spend" not in cols  # constant
    assert ent.defaults == ["watch_hours", "sessions", "age", "device_share__mobile"]
    basic = ent.candidates["plan__basic"]
    assert basic.iloc[0] == 0.0 and basic.iloc[3] == 1.0 and math.isnan(basic.iloc[1])
    assert ent.words["plan__basic"] == ("Basic-plan", None)
    assert ent.unavailable == [
        "completion",
        "recency",
        "time of day",
        "genre shares",
        "tenure",
        "spend",
    ]
    assert ent.hover.loc[3, "viewer"] == "viewer u3"
    assert ent.hover.loc[0, "age"] == "n/a" and ent.hover.loc[3, "age"] == "23"
    assert ent.hover.loc[3, "watch hours"] == "3.0 h"
    assert ent.hover.loc[1, "plan"] == "n/a"
    assert list(ent.ids["user_id"][:2]) == ["u0", "u1"]


def test_fewer_than_min_rows_viewers_cannot_be_clustered():
    ent = cf.viewers(_users(cf.MIN_ROWS - 1))
    assert ent.problem is not None and "19 viewers" in ent.problem
    assert ent.candidates.shape[1] == 0 and ent.defaults == []
    assert cf.viewers(_users(cf.MIN_ROWS)).problem is None


def _titles(n: int = 20) -> pd.DataFrame:
    i = np.arange(n)
    return pd.DataFrame(
        {
            "title_id": [f"t{j}" for j in i],
            "title": [f"T{j}" for j in i],
            "release_year": np.where(i == 0, np.nan, 2000.0 + i),
            "imdb_rating": 5.0 + i / 10,
            "imdb_votes": np.where(i % 2, 0.0, math.e - 1),  # log1p -> 0 or 1
            "genres": ["Drama|Comedy" if j % 2 else "Drama" for j in i],
            "genre_primary": "Drama",
            "duration_minutes": 90.0,  # constant: not a feature
            "viewers": i.astype(float),  # an extra feature
        }
    )


def test_titles_candidates_log_votes_genres_and_display_names():
    ent = cf.titles(_titles())
    assert ent.problem is None
    # Drama is in every title (constant flag, left out); Comedy in half of them
    assert list(ent.candidates.columns) == [
        "imdb_rating",
        "log_imdb_votes",
        "release_year",
        "genre__comedy",
        "viewers",
    ]
    assert ent.defaults == ["imdb_rating", "log_imdb_votes", "release_year", "genre__comedy"]
    assert list(ent.candidates["log_imdb_votes"][:3]) == pytest.approx([1.0, 0.0, 1.0])
    assert list(ent.candidates["genre__comedy"][:3]) == [0.0, 1.0, 0.0]
    assert ent.hover.loc[0, "title"] == "T0" and ent.hover.loc[2, "title"] == "T2 (2002)"
    assert ent.hover.loc[2, "runtime"] == "90 min"
    assert ent.ids.loc[2, "release_year"] == 2002 and pd.isna(ent.ids.loc[0, "release_year"])
    assert "runtime" in ent.unavailable and "genres" not in ent.unavailable
    assert ent.words["weeks_in_top10"] == ("Top 10", None)


def test_entity_dispatch_and_unknown_entity():
    assert cf.entity("titles", _titles()).key == "titles"
    assert cf.entity("viewers", _users()).key == "viewers"
    with pytest.raises(ValueError, match="entity 'users'"):
        cf.entity("users", _users())


def test_feature_summary_rows_and_tree_depth():
    feats = ["watch_hours", "sessions", "device_share__tv", "device_share__mobile", "plan__x"]
    assert cf.describe_features(feats) == "watch hours, sessions, device mix (2), plan"
    ent = cf.viewers(_users())
    assert cf.usable_rows(ent, ["watch_hours", "age"], "median") == 24
    assert cf.usable_rows(ent, ["watch_hours", "age"], "drop") == 23  # row 0 has no age
    assert cf.usable_rows(ent, ["age", "plan__basic"], "drop") == 22  # nor row 1 a plan
    assert (cf.tree_depth(8), cf.tree_depth(9)) == (3, 4)


def test_params_identify_each_request():
    ent = cf.viewers(_users())
    fit = cf.default_params(ent, "fit")
    assert fit == {
        "kind": "fit",
        "entity": "viewers",
        "features": ent.defaults,
        "scaling": "standard",
        "missing": "median",
        "seed": 0,
        "silhouette_sample": cf.SILHOUETTE_SAMPLE,
        "k": 5,
        # the row bound of the fitted input (lib.data.model_input): a new bound, a new result
        "rows_bound": 100_000,
    }
    assert cf.default_params(ent, "projection")["sample"] == cf.PCA_SAMPLE
    assert cf.default_params(ent, "scan")["k_range"] == [2, 12]
    assert cf.default_params(ent, "stability")["seeds"] == [0, 1, 2, 3, 4]
    other_k = cf.params("fit", "viewers", ent.defaults, "standard", "median", k=3)
    assert other_k != fit
    assert cf.artefact("titles", "scan") == "clusters/titles_scan"


def test_planted_recovery_is_the_ari_on_viewers_with_a_segment(tmp_path):
    ids = pd.DataFrame({"user_id": [f"u{j}" for j in range(30)]}, index=range(100, 130))
    labels = pd.Series([j // 10 for j in range(30)], index=range(100, 130))
    truth = pd.Series([7 - j // 10 for j in range(30)], index=ids["user_id"])  # renamed groups
    assert cf.planted_recovery(truth, ids, labels) == (1.0, 30)
    assert cf.planted_recovery(truth.iloc[: cf.MIN_ROWS - 1], ids, labels) is None
    (tmp_path / "truth").mkdir()
    seg = pd.DataFrame({"user_id": ["a", "a", "b"], "segment": [1, 1, 2]})
    seg.to_parquet(tmp_path / "truth" / "user_segments.parquet")
    assert cf.planted_segments(tmp_path).to_dict() == {"a": 1, "b": 2}
    assert cf.planted_segments(tmp_path / "nowhere") is None


def _two_groups() -> pd.DataFrame:
    # ten rows at 0-0.9 and ten at 10-10.9 on x; y is noise the tree does not need
    x = np.r_[np.arange(10) / 10, 10 + np.arange(10) / 10]
    y = np.tile([0.0, 1.0], 10)
    return pd.DataFrame({"x": x, "y": y}, index=range(50, 70))


def test_compute_clustering_finds_the_two_groups_and_explains_them():
    X = _two_groups()
    res = cf.compute_clustering(X, 2, scaling="none", missing="median")
    assert set(res.labels.index) == set(X.index)
    low, high = res.labels.loc[50], res.labels.loc[69]
    assert low != high
    assert (res.labels.loc[50:59] == low).all() and (res.labels.loc[60:69] == high).all()
    assert res.fidelity == 1.0 and res.depth == 3 and res.silhouette_n == 20
    assert len(res.rules) == 2
    cond = res.rules.loc[res.rules["cluster"] == low, "conditions"].iloc[0]
    assert cond[0].feature == "x" and cond[0].op == "<=" and 0.9 <= cond[0].threshold < 10


def test_a_clustering_survives_the_artefact_store(tmp_path):
    X = _two_groups()
    res = cf.compute_clustering(X, 2, scaling="standard", missing="median")
    artifacts.save(tmp_path, "clusters/t_labels", cf.clustering_arrays(res, X.index))
    artifacts.save(tmp_path, "clusters/t_fit", cf.clustering_summary(res))
    back = cf.clustering_from(
        artifacts.load(tmp_path, "clusters/t_labels"),
        artifacts.load(tmp_path, "clusters/t_fit"),
        X.index,
    )
    pd.testing.assert_series_equal(back.labels, res.labels)
    np.testing.assert_array_equal(back.silhouette, res.silhouette)
    assert back.silhouette_mean == res.silhouette_mean and back.fidelity == res.fidelity
    pd.testing.assert_frame_equal(back.rules, res.rules)
    assert isinstance(back.rules["conditions"].iloc[0][0], Condition)


def test_dropped_rows_keep_their_index_and_unknown_rows_are_refused():
    X = _two_groups().astype({"y": "float64"})
    X.loc[55, "y"] = np.nan
    res = cf.compute_clustering(X, 2, scaling="standard", missing="drop")
    arrays = cf.clustering_arrays(res, X.index)
    assert 5 not in arrays["positions"] and len(arrays["positions"]) == 19
    back = cf.clustering_from(arrays, cf.clustering_summary(res), X.index)
    assert 55 not in back.labels.index
    with pytest.raises(ValueError, match="not in the candidates"):
        cf.clustering_arrays(res, X.index[:10])


def test_stability_round_trip():
    stab = cf.cluster.stability_ari(_two_groups(), 2, seeds=(0, 1, 2), scaling="none")
    back = cf.stability_from(cf.stability_dict(stab))
    assert (back.mean, back.min, back.label, back.seeds, back.n_rows) == (
        1.0,
        1.0,
        "stable",
        (0, 1, 2),
        20,
    )
    pd.testing.assert_frame_equal(back.pairwise, stab.pairwise)
