"""Tests of lib.models.top10: leakage guard, encoders, training, prediction, explanation, real data.

Synthetic tables come from ``top10.synthetic_training_table`` or are built here; the real-data
test reads ``<project root>/../shared/realdata/project4_top10/final_data.csv`` and is skipped
with a reason when it is absent. Nothing from that file is copied into the project.
"""

from __future__ import annotations

import logging
import math
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.ensemble import RandomForestClassifier

from lib import config
from lib.models import top10

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
FINAL_DATA = REALDATA / "project4_top10" / "final_data.csv"


# --------------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return top10.synthetic_training_table(600, seed=1)


@pytest.fixture(scope="module")
def model(table: pd.DataFrame) -> top10.Top10Model:
    return top10.train(table, kind="gbm", seed=0)


def _monotone_table(n: int = 400, seed: int = 3) -> pd.DataFrame:
    """Only imdb_rating matters: the higher the rating, the likelier the Top 10."""
    rng = np.random.default_rng(seed)
    rating = rng.uniform(3.0, 9.5, n).round(1)
    label = (rng.random(n) < 1 / (1 + np.exp(-2.5 * (rating - 7.0)))).astype(int)
    return pd.DataFrame(
        {
            "title_id": [f"m{i}" for i in range(n)],
            "imdb_rating": rating,
            "meta_score": rng.integers(20, 95, n).astype(float),
            "imdb_votes": rng.integers(100, 100_000, n).astype(float),
            "release_year": rng.integers(1990, 2024, n),
            "genres": rng.choice(["Drama", "Comedy|Drama", "Action|Thriller"], n),
            "content_type": rng.choice(["Movie", "TV Series"], n),
            "cast": [f"A{rng.integers(40)}|A{rng.integers(40)}" for _ in range(n)],
            config.TOP10_LABEL: label,
        }
    )


@pytest.fixture(scope="module")
def monotone() -> pd.DataFrame:
    return _monotone_table()


@pytest.fixture(scope="module")
def monotone_model(monotone: pd.DataFrame) -> top10.Top10Model:
    return top10.train(monotone, kind="logreg", seed=0)


# --------------------------------------------------------------------------------------------
# contract and leakage guard
# --------------------------------------------------------------------------------------------
def test_feature_lists_follow_the_data_contract():
    assert top10.PRE_RELEASE_FEATURES == tuple(config.PRE_RELEASE_COLUMNS)
    assert top10.POST_RELEASE_FEATURES == tuple(config.POST_RELEASE_COLUMNS)
    assert not set(top10.PRE_RELEASE_FEATURES) & set(top10.POST_RELEASE_FEATURES)
    training = set(config.GOLD_COLUMNS["top10_training"])
    for feature in top10.PRE_RELEASE_FEATURES + top10.POST_RELEASE_FEATURES:
        assert feature in training
        assert feature in top10._ROLES, f"{feature} has no encoding"


def test_post_release_columns_are_excluded_by_default(table, model):
    assert all(col in table.columns for col in top10.POST_RELEASE_FEATURES)
    assert not set(model.features) & set(top10.POST_RELEASE_FEATURES)
    assert model.uses_post_release is False
    assert model.metrics["uses_post_release"] is False
    assert model.features == top10.PRE_RELEASE_FEATURES
    assert model.dropped_features == {}


def test_explicit_post_release_feature_is_the_opt_in_and_warns(monotone, caplog):
    leaky = monotone.assign(weekly_hours_viewed=np.where(monotone.in_top10 == 1, 5e6, 0.0))
    with caplog.at_level(logging.WARNING, logger="lib.models.top10"):
        model = top10.train(leaky, ("imdb_rating", "weekly_hours_viewed"), kind="logreg")
    assert model.uses_post_release is True
    assert "weekly_hours_viewed" in model.features
    assert any("post-release" in r.getMessage() for r in caplog.records)
    assert any("leakage" in note for note in model.notes)


def test_compare_models_leaves_post_release_columns_out_by_default(monotone):
    # the viewing figures give the label away: a model that reads them would score ~1.0
    leaky = monotone.assign(
        weekly_hours_viewed=np.where(monotone.in_top10 == 1, 5e6, 0.0),
        weekly_views=np.where(monotone.in_top10 == 1, 1e6, 0.0),
    )
    cv = top10.compare_models(leaky, kinds=("logreg",), n_splits=3)
    assert cv.attrs["uses_post_release"] is False
    assert not set(cv.attrs["features"]) & set(top10.POST_RELEASE_FEATURES)
    assert "imdb_rating" in cv.attrs["features"]
    assert not any("leakage" in note for note in cv.attrs["notes"])
    # the same scores as on the table without those columns (a leaky model scores 1.0 here)
    without = top10.compare_models(monotone, kinds=("logreg",), n_splits=3)
    assert cv["roc_auc_mean"].iloc[0] == pytest.approx(without["roc_auc_mean"].iloc[0])
    assert cv["roc_auc_mean"].iloc[0] < 0.99


@pytest.mark.parametrize("bad", [["in_top10"], ["title_id"], ["title"], ["no_such_column"]])
def test_label_ids_and_unknown_columns_are_not_features(monotone, bad):
    with pytest.raises(ValueError):
        top10.train(monotone, ["imdb_rating", *bad])


def test_features_as_a_plain_string_is_refused(monotone):
    with pytest.raises(TypeError):
        top10.train(monotone, "imdb_rating")


def test_one_class_table_raises_a_clear_error(monotone):
    with pytest.raises(ValueError, match="both classes"):
        top10.train(monotone.assign(in_top10=0))
    with pytest.raises(ValueError, match="both classes"):
        top10.compare_models(monotone.assign(in_top10=1))


def test_too_few_titles_of_a_class_raise(monotone):
    few = pd.concat([monotone[monotone.in_top10 == 0], monotone[monotone.in_top10 == 1].head(4)])
    with pytest.raises(ValueError, match="at least"):
        top10.train(few)


def test_missing_and_all_nan_feature_columns_are_dropped_with_a_note(monotone, caplog):
    # monotone has no maturity_rating/language/... columns; make meta_score all-NaN too
    table = monotone.assign(meta_score=np.nan, director=pd.Series([None] * len(monotone)))
    with caplog.at_level(logging.INFO, logger="lib.models.top10"):
        model = top10.train(table, kind="logreg")
    assert model.dropped_features["meta_score"] == "no values (all missing)"
    assert model.dropped_features["director"] == "no values (all missing)"
    assert model.dropped_features["language"] == "column not in the table"
    assert "meta_score" not in model.features and "imdb_rating" in model.features
    assert any("meta_score" in r.getMessage() for r in caplog.records)
    assert 0.0 <= model.predict_proba({"imdb_rating": 7.0, "meta_score": 50}) <= 1.0
    assert any("not used by this model" in w for w in model.check_input({"meta_score": 50}))
    cv = top10.compare_models(table, kinds=("logreg",), n_splits=3)
    assert "meta_score" in cv.attrs["dropped_features"]


def test_rows_without_label_are_left_out_and_bool_labels_accepted(monotone):
    label = pd.Series(monotone.in_top10.astype(bool).tolist(), dtype=object)
    label[:5] = None
    table = monotone.assign(in_top10=label)
    model = top10.train(table, ("imdb_rating",), kind="logreg")
    assert model.metrics["n_train"] + model.metrics["n_test"] == len(table) - 5
    assert any("without a in_top10 label" in note for note in model.notes)


# --------------------------------------------------------------------------------------------
# encoders
# --------------------------------------------------------------------------------------------
def test_multi_hot_encoder_accepts_strings_and_lists_and_ignores_unknown():
    X = pd.DataFrame({"genres": ["Drama|Comedy", "Drama", None, "Drama| Horror |Drama"]})
    enc = top10.MultiHotEncoder(min_frequency=1).fit(X)
    assert list(enc.get_feature_names_out()) == [
        "genres__Comedy",
        "genres__Drama",
        "genres__Horror",
    ]
    out = enc.transform(pd.DataFrame({"genres": [["Comedy", "Drama"], "Western", np.nan]}))
    np.testing.assert_array_equal(out, [[1, 1, 0], [0, 0, 0], [0, 0, 0]])
    assert top10.MultiHotEncoder(min_frequency=2).fit(X).get_feature_names_out().tolist() == [
        "genres__Drama"
    ]


def test_name_target_encoder_unseen_is_prior_and_fit_transform_is_cross_fitted():
    names = [f"Solo {i}" for i in range(100)]  # every name appears in one title only
    y = np.array([1, 0] * 50)
    X = pd.DataFrame({"cast": [f"{n}|Star" if i % 2 == 0 else n for i, n in enumerate(names)]})
    enc = top10.NameTargetEncoder(smoothing=5.0, random_state=0)
    crossed = enc.fit_transform(X, y)
    in_sample = enc.transform(X)
    # in-sample encoding reveals each title's own label through its one-off name ...
    assert np.corrcoef(in_sample[:, 0], y)[0, 1] > 0.9
    # ... cross-fitted encoding cannot: a one-off name is unseen in the other folds; only the
    # shared "Star" (always in Top 10 titles) carries information, honestly learned elsewhere
    solo = np.array([i % 2 == 1 for i in range(100)])
    assert np.allclose(crossed[solo, 1], 0.0)  # no known names
    assert np.all(np.abs(crossed[solo, 0] - 0.5) < 0.1)  # ~prior of the other folds
    unseen = enc.transform(pd.DataFrame({"cast": ["Nobody|Somebody", None]}))
    np.testing.assert_allclose(unseen, [[enc.prior_, 0.0], [enc.prior_, 0.0]])
    assert enc.get_feature_names_out().tolist() == ["cast__target_rate", "cast__n_known"]


def test_fast_forest_matches_sklearn_forest():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 6))
    y = (X[:, 0] + rng.normal(size=300) > 0.5).astype(int)
    params = dict(
        n_estimators=20, min_samples_leaf=3, class_weight="balanced_subsample", random_state=0
    )
    fast = top10._Forest(**params).fit(X, y)
    slow = RandomForestClassifier(**params).fit(X, y)
    np.testing.assert_allclose(fast.predict_proba(X[:50]), slow.predict_proba(X[:50]))


# --------------------------------------------------------------------------------------------
# predictions and inputs
# --------------------------------------------------------------------------------------------
def test_predict_proba_returns_float_for_dict_and_array_for_frame(table, model):
    p_one = model.predict_proba(table.iloc[0].to_dict())
    assert isinstance(p_one, float) and 0.0 <= p_one <= 1.0
    p_all = model.predict_proba(table.head(25))
    assert isinstance(p_all, np.ndarray) and p_all.shape == (25,)
    assert np.all((p_all >= 0) & (p_all <= 1))
    assert p_all[0] == pytest.approx(p_one)
    assert model.predict_proba(table.head(0)).shape == (0,)
    assert 0.0 <= model.predict_proba({}) <= 1.0  # everything missing -> imputed


def test_unseen_category_cast_and_director_are_handled(table, model):
    row = table.iloc[3].to_dict()
    unknown = dict(
        row,
        language="Klingon",
        country="Atlantis",
        maturity_rating="XYZ",
        genres="Western|Drama",
        cast="Nobody Atall|Someone Else",
        director="New Director",
    )
    p = model.predict_proba(unknown)
    assert 0.0 <= p <= 1.0
    # unseen names carry no information: exactly like listing no one
    assert p == pytest.approx(model.predict_proba(dict(unknown, cast=None, director=[])))
    warnings = " / ".join(model.check_input(unknown))
    for needle in ("Klingon", "Atlantis", "XYZ", "Western", "Nobody Atall", "New Director"):
        assert needle in warnings


def test_lists_and_joined_strings_give_the_same_prediction(table, model):
    row = table.iloc[5].to_dict()
    as_lists = dict(
        row, genres=row["genres"].split("|"), cast=tuple(row["cast"].split(config.LIST_SEP))
    )
    assert model.predict_proba(as_lists) == pytest.approx(model.predict_proba(row))


def test_check_input_reports_out_of_range_and_bad_values(model):
    top = model.feature_ranges["imdb_rating"]["max"]
    warnings = model.check_input(
        {"imdb_rating": 11, "meta_score": "lots", "imdb_votes": -5, "bogus": 1}
    )
    assert f"imdb_rating 11 is above the training maximum {top:g}" in warnings
    assert any("meta_score 'lots' is not a number" in w for w in warnings)
    assert any(w.startswith("imdb_votes -5 is below the training minimum") for w in warnings)
    assert any("'bogus' is not a feature" in w for w in warnings)
    assert any(w.startswith("release_year is missing") for w in warnings)


def test_feature_ranges_give_slider_material(table, model):
    ranges = model.feature_ranges
    assert set(ranges) == set(model.features)
    rating = ranges["imdb_rating"]
    assert rating["kind"] == "numeric"
    assert rating["min"] <= rating["p05"] <= rating["median"] <= rating["p95"] <= rating["max"]
    languages = ranges["language"]
    assert languages["kind"] == "categorical" and languages["options"][0] == "English"
    assert languages["counts"] == sorted(languages["counts"], reverse=True)
    assert ranges["genres"]["kind"] == "list" and set(ranges["genres"]["options"]) <= set(
        config.GENRES
    )
    cast = ranges["cast"]
    assert cast["kind"] == "names" and len(cast["options"]) <= 50 < cast["n_names"]
    assert cast["counts"] == sorted(cast["counts"], reverse=True)
    assert 3 <= cast["typical_count"] <= 5


_NUMBER = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**15), 10**15),
    st.text(max_size=8),
)
_LABEL = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["English", "Movie", "TV-MA", "Drama", "nan", ""]),
    st.integers(),
)
_LIST = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.lists(st.one_of(st.text(max_size=10), st.sampled_from(["Drama", "Actor 001"])), max_size=5),
)


def _strategy(feature: str):
    role = top10._ROLES[feature]
    if role in top10._NUMBER_ROLES:
        return _NUMBER
    return _LABEL if role == top10._CATEGORICAL else _LIST


_ROWS = st.fixed_dictionaries(
    {},
    optional={
        **{f: _strategy(f) for f in top10.PRE_RELEASE_FEATURES},
        "unrelated": st.integers(),
    },
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(row=_ROWS)
def test_probabilities_are_in_unit_interval_for_any_input(model, row):
    p = model.predict_proba(row)
    assert isinstance(p, float) and 0.0 <= p <= 1.0
    assert all(isinstance(w, str) for w in model.check_input(row))
    explained = model.explain(row)
    total = explained.attrs["base_value"] + explained["contribution"].sum()
    assert total == pytest.approx(p, abs=1e-9)


# --------------------------------------------------------------------------------------------
# explanation
# --------------------------------------------------------------------------------------------
def test_explain_is_sorted_and_adds_up_to_the_prediction(table, model):
    row = table.iloc[10].to_dict()
    out = model.explain(row)
    assert list(out.columns) == ["feature", "value", "typical", "contribution"]
    assert sorted(out["feature"]) == sorted(model.features)
    magnitude = out["contribution"].abs().to_numpy()
    assert np.all(magnitude[:-1] >= magnitude[1:])
    assert out.attrs["prediction"] == pytest.approx(model.predict_proba(row))
    assert out.attrs["base_value"] == pytest.approx(model.base_value)
    assert out.attrs["base_value"] + out["contribution"].sum() == pytest.approx(
        out.attrs["prediction"], abs=1e-12
    )
    assert out.attrs["method"] == top10.EXPLAIN_METHOD
    assert out.set_index("feature").loc["imdb_rating", "typical"] == pytest.approx(
        table["imdb_rating"].median(), abs=0.3
    )
    # a one-row DataFrame is accepted too, more rows are not
    assert model.explain(table.iloc[[10]])["contribution"].tolist() == pytest.approx(
        out["contribution"].tolist()
    )
    with pytest.raises(ValueError):
        model.explain(table.head(2))


@pytest.mark.parametrize("kind", ["logreg", "gbm"])
def test_explain_signs_follow_an_obvious_change(monotone, monotone_model, kind):
    model = monotone_model if kind == "logreg" else top10.train(monotone, kind=kind, seed=0)
    typical = monotone.iloc[0].to_dict()
    high = model.explain(dict(typical, imdb_rating=9.2))
    assert high.iloc[0]["feature"] == "imdb_rating"
    assert high.iloc[0]["contribution"] > 0.3
    low = model.explain(dict(typical, imdb_rating=3.5))
    assert low.iloc[0]["feature"] == "imdb_rating"
    assert low.iloc[0]["contribution"] < -0.1
    # the rating's credit grows with the rating
    ratings = [4.0, 6.0, 7.0, 8.0, 9.0]
    credit = [
        model.explain(dict(typical, imdb_rating=r)).set_index("feature").loc["imdb_rating"]
        for r in ratings
    ]
    steps = np.diff([c["contribution"] for c in credit])
    assert np.all(steps >= -1e-9) and credit[-1]["contribution"] > credit[0]["contribution"]
    # a feature the model does not have gets nothing, an ignored input changes nothing
    assert "language" not in set(high["feature"])


def test_permutation_importance_is_per_raw_feature(monotone_model):
    imp = monotone_model.permutation_importance(n_repeats=3)
    assert list(imp.columns) == ["feature", "importance_mean", "importance_std"]
    assert sorted(imp["feature"]) == sorted(monotone_model.features)
    assert imp.iloc[0]["feature"] == "imdb_rating"
    assert imp.iloc[0]["importance_mean"] > 0.1


# --------------------------------------------------------------------------------------------
# evaluation
# --------------------------------------------------------------------------------------------
def test_metrics_report_held_out_scores_and_threshold_views(model):
    m = model.metrics
    for key in ("roc_auc", "pr_auc", "brier", "log_loss", "accuracy", "precision", "recall"):
        assert 0.0 <= m[key] <= (1.0 if key != "log_loss" else 10.0), key
    (tn, fp), (fn, tp) = m["confusion_matrix"]
    assert (tn, fp, fn, tp) == (m["tn"], m["fp"], m["fn"], m["tp"])
    assert tn + fp + fn + tp == m["n_test"]
    assert m["threshold"] == 0.5 and 0.0 < m["best_threshold"] < 1.0
    assert m["best_f1"] >= m["f1"] - 1e-12
    assert 0 < m["base_rate"] < 1 and m["n_train"] > m["n_test"] > 0
    assert m["roc_auc"] > 0.6
    assert model.metrics_at(0.5)["confusion_matrix"] == m["confusion_matrix"]
    everything = model.metrics_at(0.0)
    assert everything["recall"] == 1.0 and everything["tn"] == 0
    assert model.metrics_at(m["best_threshold"])["f1"] == pytest.approx(m["best_f1"])
    with pytest.raises(ValueError):
        model.metrics_at(1.5)


def test_curves_and_reliability(model):
    roc, pr = model.curves["roc"], model.curves["pr"]
    assert list(roc.columns) == ["fpr", "tpr", "threshold"]
    assert list(pr.columns) == ["recall", "precision", "threshold"]
    assert roc["fpr"].iloc[0] == 0 and roc["tpr"].iloc[-1] == 1
    assert roc["threshold"].max() <= 1.0
    assert np.trapezoid(roc["tpr"], roc["fpr"]) == pytest.approx(model.metrics["roc_auc"])
    rel = model.reliability
    assert list(rel.columns) == ["mean_predicted", "fraction_positive", "count"]
    assert rel["count"].sum() == model.metrics["n_test"]
    assert (
        rel["mean_predicted"].between(0, 1).all() and rel["fraction_positive"].between(0, 1).all()
    )


def test_calibration_brings_probabilities_back_to_the_base_rate(table, model):
    # class weights alone would push the mean probability towards 0.5
    mean_p = float(np.mean(model.predict_proba(table)))
    assert abs(mean_p - table.in_top10.mean()) < 0.05
    assert model.metrics["brier"] < model.metrics["brier_baseline"]


def test_temporal_holdout_when_dates_exist_else_stratified(monotone, model):
    assert model.metrics["split_kind"] == "temporal"
    assert "added_date" in model.metrics["split"]
    undated = monotone.drop(columns=["release_year"])
    fallback = top10.train(undated, ("imdb_rating",), kind="logreg")
    assert fallback.metrics["split_kind"] == "stratified"
    assert "stratified" in fallback.metrics["split"]
    assert fallback.metrics["n_test"] == pytest.approx(0.2 * len(undated), abs=1)


@pytest.mark.slow
def test_same_seed_same_model_and_pickle_round_trip(table):
    small = table.head(300)
    a = top10.train(small, kind="rf", seed=7)
    b = top10.train(small, kind="rf", seed=7)
    np.testing.assert_array_equal(a.predict_proba(small), b.predict_proba(small))
    assert a.metrics == b.metrics
    pd.testing.assert_frame_equal(a.explain(small.iloc[0].to_dict()), b.explain(small.iloc[0]))
    clone = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(clone.predict_proba(small), a.predict_proba(small))


@pytest.mark.slow
def test_compare_models_honest_vs_leaky_on_synthetic_titles(table):
    honest = top10.compare_models(table, seed=0)
    assert sorted(honest["kind"]) == sorted(top10.MODEL_KINDS)
    for metric in ("roc_auc", "pr_auc", "brier", "log_loss"):
        assert {f"{metric}_mean", f"{metric}_std"} <= set(honest.columns)
    assert (honest["roc_auc_std"] > 0).all()
    assert honest["roc_auc_mean"].is_monotonic_decreasing
    assert honest.attrs["uses_post_release"] is False
    best = honest["roc_auc_mean"].iloc[0]
    leaky = top10.compare_models(
        table, top10.PRE_RELEASE_FEATURES + top10.POST_RELEASE_FEATURES, kinds=("logreg",)
    )
    assert leaky.attrs["uses_post_release"] is True
    assert 0.75 <= best < leaky["roc_auc_mean"].iloc[0]
    assert leaky["roc_auc_mean"].iloc[0] >= 0.98


def test_leakage_report_explains_with_numbers(monotone):
    leaky_table = monotone.assign(
        weekly_hours_viewed=np.where(monotone.in_top10 == 1, 4e6, 0.0), weekly_views=np.nan
    )
    report = top10.leakage_report(leaky_table, kind="logreg", n_splits=3)
    assert report["post_release_features"] == ["weekly_hours_viewed"]
    assert report["leaky"]["roc_auc"] > report["honest"]["roc_auc"]
    assert report["signal"]["weekly_hours_viewed"]["share_recorded_top10"] == 1.0
    text = report["explanation"]
    assert f"{report['leaky']['roc_auc']:.3f}" in text
    assert f"{report['honest']['roc_auc']:.3f}" in text
    assert "meaningless" in text and "weekly_hours_viewed" in text
    assert list(report["table"]["model"]) == [
        "honest (pre-release features)",
        "leaky (+ post-release features)",
    ]
    clean = top10.leakage_report(monotone, kind="logreg", n_splits=3)
    assert clean["leaky"] is None and "nothing to leak" in clean["explanation"]


# --------------------------------------------------------------------------------------------
# real data: seed 000's final_data.csv (skipped when ../shared/realdata is absent)
# --------------------------------------------------------------------------------------------
def _joined(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    def join(row: pd.Series) -> str:
        return config.LIST_SEP.join(v.strip() for v in row if isinstance(v, str) and v.strip())

    return frame[columns].apply(join, axis=1)


def _training_table_from_final_data(df: pd.DataFrame) -> pd.DataFrame:
    """Local mapping of final_data.csv to the top10_training shape (importers do this for real)."""
    votes = pd.to_numeric(df["votes"].astype(str).str.replace(",", ""), errors="coerce")
    mapped = pd.DataFrame(
        {
            "title_id": df["row_id"].astype(str) if "row_id" in df else df.index.astype(str),
            "title": df["movie_name"],
            "imdb_rating": df["rating"],
            "meta_score": df["meta_score"],
            "maturity_rating": df["pr_rating"],
            "imdb_votes": votes,
            "release_year": df["year"],
            "duration_minutes": (df["duration"] * 60).round(),
            "genres": _joined(df, ["genre1", "genre2", "genre3"]),
            "genre_primary": df["genre1"].str.strip(),
            "content_type": "Movie",
            "cast": _joined(df, ["cast1", "cast2", "cast3", "cast4"]),
            "director": df["director"],
            config.TOP10_LABEL: df["netflix_top_10"],
            "weekly_hours_viewed": df["weekly_hours_viewed"],
            "weekly_views": df["weekly_views"],
        }
    )
    return mapped.reindex(columns=config.GOLD_COLUMNS["top10_training"])


@pytest.mark.realdata
@pytest.mark.slow
@pytest.mark.skipif(
    not FINAL_DATA.is_file(),
    reason=f"real data {FINAL_DATA} is absent (../shared/realdata is optional test data)",
)
def test_real_final_data_leaky_score_is_near_perfect_and_honest_is_lower():
    table = _training_table_from_final_data(pd.read_csv(FINAL_DATA))
    assert len(table) > 1500 and 0.05 < table[config.TOP10_LABEL].mean() < 0.2
    leaky = top10.compare_models(
        table, top10.PRE_RELEASE_FEATURES + ("weekly_hours_viewed",), kinds=("logreg",)
    )
    honest = top10.compare_models(table, kinds=("logreg",))
    leaky_auc, honest_auc = leaky["roc_auc_mean"].iloc[0], honest["roc_auc_mean"].iloc[0]
    print(f"final_data.csv CV ROC-AUC: leaky {leaky_auc:.3f}, honest {honest_auc:.3f}")
    assert leaky.attrs["uses_post_release"] and not honest.attrs["uses_post_release"]
    assert leaky_auc >= 0.98
    assert 0.5 < honest_auc < leaky_auc - 0.1
    # columns the file cannot provide are dropped, not fatal
    assert {"language", "country"} <= set(honest.attrs["dropped_features"])
    assert not math.isnan(honest["brier_mean"].iloc[0])
