"""Top 10 predictor page under AppTest on the small demo dataset (scale 0.1) and on three small
imported datasets: a catalog without labels, two labelled titles, and an IMDb-style table
(final_data.csv shape) that lacks language, country and dates.

Models are cached per process (``st.cache_resource``), so only the first test of the module
pays for cross-validating the three models; the fixture below does it with a longer timeout.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.config import LIST_SEP, PROJECT_ROOT
from lib.data.pipeline import build
from lib.models.top10 import synthetic_training_table
from tests.app.conftest import ENTRY, TIMEOUT, open_page

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
YES = "Yes, it will be in the Top 10!"
NO = "Sorry, this title will not make the cut."
FIRST_RUN_TIMEOUT = 300  # cross-validates three models once (shared machine: slow and noisy)


def _final_shape(n: int, seed: int) -> pd.DataFrame:
    """An IMDb table with Top 10 labels in seed 000's final_data.csv shape (no language,
    country or date columns), from the library's synthetic training table."""
    t = synthetic_training_table(n, seed=seed)
    genres = t["genres"].str.split(LIST_SEP)
    cast = t["cast"].str.split(LIST_SEP)
    out = pd.DataFrame(
        {
            "row_id": np.arange(n),
            "movie_name": t["title"],
            "rating": t["imdb_rating"],
            "votes": t["imdb_votes"].astype(int),
            "meta_score": t["meta_score"],
            "genre0": genres.str.join(", "),
            "genre1": genres.str[0],
            "genre2": genres.str[1],
            "genre3": genres.str[2],
            "pr_rating": t["maturity_rating"],
            "year": t["release_year"],
            "duration": (t["duration_minutes"] / 60).round(3),
            "cast0": cast.str.join(", "),
            "cast1": cast.str[0],
            "cast2": cast.str[1],
            "cast3": cast.str[2],
            "cast4": cast.str[3],
            "director": t["director"],
            "number_rating": 1,
            "netflix_top_10": t["in_top10"],
            "weekly_hours_viewed": t["weekly_hours_viewed"].astype(int),
            "weekly_views": t["weekly_views"].astype(int),
        }
    )
    return out


@pytest.fixture(scope="module")
def datasets(data_root: Path, tmp_path_factory: pytest.TempPathFactory):
    """Three extra datasets next to the demo; removed after the module."""
    names = {
        "t10_nolabels": FIXTURES / "catalog.csv",
        "t10_twolabels": FIXTURES / "final.csv",
    }
    csv = tmp_path_factory.mktemp("t10") / "final_data.csv"
    _final_shape(240, seed=3).to_csv(csv, index=False)
    names["t10_imdb"] = csv
    for name, source in names.items():
        build(source=source, name=name, data_dir=data_root / name)
    yield list(names)
    for name in names:
        shutil.rmtree(data_root / name, ignore_errors=True)


@pytest.fixture(scope="module")
def warm(data_root):
    """Open the page once with a long timeout: trains and caches the demo's models."""
    at = AppTest.from_file(ENTRY, default_timeout=FIRST_RUN_TIMEOUT)
    open_page(at, "top10")
    return at


@pytest.fixture
def page(warm) -> AppTest:
    return open_page(AppTest.from_file(ENTRY, default_timeout=TIMEOUT), "top10")


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _probability(at: AppTest) -> float:
    return float(_metric(at, "Top 10 probability").rstrip("%")) / 100


def _verdicts(at: AppTest) -> list[str]:
    return [v for m in at.markdown for v in (YES, NO) if v in m.value]


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_page_predicts_with_the_best_model_by_default(page):
    _ok(page)
    assert 0.0 <= _probability(page) <= 1.0
    assert len(_verdicts(page)) == 1
    model = page.segmented_control(key="t10_model")
    assert model.value in ("gbm", "logreg", "rf")
    # default = best honest cross-validated model, listed first and marked
    assert model.options[0].endswith("(best)")
    # the selected option is the one with the highest ROC-AUC shown beside the names
    scores = [float(re.search(r"· (\d\.\d+)", o).group(1)) for o in model.options]
    assert len(scores) == 3 and scores == sorted(scores, reverse=True), model.options
    assert list(model.indices) == [0], (model.value, model.options)
    assert model.formatted_values == [model.options[0]]
    assert page.slider(key="t10_threshold").value == pytest.approx(0.5)
    assert any("Shapley" in e.value or "Shapley" in str(e) for e in page.caption)


def test_moving_the_rating_slider_changes_the_probability(page):
    rating = page.slider(key="t10_f_imdb_rating")
    before = _metric(page, "Top 10 probability")
    values = {before}
    for value in (rating.min, rating.max):
        page.slider(key="t10_f_imdb_rating").set_value(value).run()
        _ok(page)
        values.add(_metric(page, "Top 10 probability"))
    assert len(values) > 1, values


def test_votes_slider_is_log_spaced_with_thousands_separators(page):
    votes = page.select_slider(key="t10_f_imdb_votes")
    options = [int(o.replace(",", "")) for o in votes.options]
    assert options == sorted(options) and len(options) > 10
    ratios = np.diff(np.log(options[1:-1]))
    assert ratios.max() < np.log(1.6)  # about 20 % steps, never more than 60 %
    assert any("," in o for o in votes.options)
    before = _metric(page, "Top 10 probability")
    page.select_slider(key="t10_f_imdb_votes").set_value(options[-1]).run()
    _ok(page)
    assert _metric(page, "Top 10 probability") != before


def test_threshold_decides_the_verdict(page, gold):
    p = _probability(page)
    charted = gold["top10_training"].query("in_top10 == 1")["title_id"]
    for title_id in charted.head(20):  # the default may sit at the slider's ends (0.05, 0.95)
        if 0.08 <= p <= 0.92:
            break
        page.selectbox(key="t10_title").set_value(title_id).run()
        p = _probability(page)
    assert 0.08 <= p <= 0.92, p
    page.slider(key="t10_threshold").set_value(max(round(p - 0.02, 2), 0.05)).run()
    assert _verdicts(page) == [YES]
    page.slider(key="t10_threshold").set_value(min(round(p + 0.02, 2), 0.95)).run()
    assert _verdicts(page) == [NO]
    _ok(page)


def test_prefill_from_a_title_sets_every_widget(page, gold):
    table = gold["top10_training"]
    # an old title: in the training part, so inside every slider range
    row = table.dropna(subset=["imdb_rating", "meta_score"]).sort_values("added_date").iloc[3]
    page.selectbox(key="t10_title").set_value(row["title_id"]).run()
    _ok(page)
    assert page.slider(key="t10_f_imdb_rating").value == pytest.approx(row["imdb_rating"])
    assert page.slider(key="t10_f_meta_score").value == int(row["meta_score"])
    assert page.slider(key="t10_f_release_year").value == int(row["release_year"])
    assert page.selectbox(key="t10_f_maturity_rating").value == row["maturity_rating"]
    assert page.selectbox(key="t10_f_content_type").value == row["content_type"]
    assert page.multiselect(key="t10_f_genres").value == row["genres"].split(LIST_SEP)
    assert page.multiselect(key="t10_f_cast").value == row["cast"].split(LIST_SEP)
    assert page.multiselect(key="t10_f_director").value == row["director"].split(LIST_SEP)
    truth = "was** in the Top 10" if row["in_top10"] == 1 else "was **not** in the Top 10"
    assert any(truth in c.value for c in page.caption)
    # the widgets stay editable after the prefill
    page.slider(key="t10_f_meta_score").set_value(page.slider(key="t10_f_meta_score").min).run()
    assert page.slider(key="t10_f_meta_score").value == page.slider(key="t10_f_meta_score").min
    assert page.selectbox(key="t10_title").value == row["title_id"]


def test_new_cast_name_is_accepted_and_warned_about(page):
    page.multiselect(key="t10_f_cast").set_value(["Brand New Actor 9000"]).run()
    _ok(page)
    assert page.multiselect(key="t10_f_cast").value == ["Brand New Actor 9000"]
    warnings = " ".join(w.value for w in page.warning)
    assert "has not seen such titles" in warnings and "Brand New Actor 9000" in warnings


def test_unusual_rating_warns(page):
    page.slider(key="t10_f_imdb_rating").set_value(page.slider(key="t10_f_imdb_rating").max)
    page.run()
    warnings = " ".join(w.value for w in page.warning)
    assert "has not seen such titles" in warnings and "IMDb rating" in warnings


def test_model_quality_tab_compares_three_models(warm):
    at = AppTest.from_file(ENTRY, default_timeout=FIRST_RUN_TIMEOUT)
    at.run()
    at.switch_page("pages/top10.py")
    at.session_state["t10_tab"] = "Model quality"
    at.run()
    _ok(at)
    labels = {m.label for m in at.metric}
    assert {"ROC-AUC", "PR-AUC", "Brier score", "Precision", "Recall"} <= labels
    table = at.dataframe[0].value
    assert len(table) == 3 and {"ROC-AUC", "PR-AUC", "Brier", "log loss"} <= set(table.columns)
    assert all("±" in v for v in table["ROC-AUC"])
    text = " ".join(m.value for m in at.markdown)
    assert "Stratified 5-fold cross-validation" in text and "Calibration" in text
    assert "Top 10 probability" not in labels  # the predict tab did not run


def test_leakage_tab_shows_the_jump(page):
    honest_tab = {m.label for m in page.metric}
    assert "ROC-AUC, leaky" not in honest_tab
    page.session_state["t10_tab"] = "Leakage"
    page.run()
    _ok(page)
    honest = float(_metric(page, "ROC-AUC, honest"))
    leaky = float(_metric(page, "ROC-AUC, leaky"))
    assert leaky >= 0.97 and leaky > honest
    assert "Top 10 probability" not in {m.label for m in page.metric}
    text = " ".join(m.value for m in page.markdown)
    assert "weekly hours viewed only exists because a title charted" in text


def test_model_choice_changes_the_prediction_and_is_kept(page):
    before = _metric(page, "Top 10 probability")
    current = page.segmented_control(key="t10_model").value
    other = next(k for k in ("logreg", "rf", "gbm") if k != current)
    page.segmented_control(key="t10_model").set_value(other).run()
    _ok(page)
    assert page.segmented_control(key="t10_model").value == other
    assert _metric(page, "Top 10 probability") != before


def test_dataset_without_labels_shows_the_empty_state(datasets, warm):
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    at.session_state["ds"] = "t10_nolabels"
    open_page(at, "top10")
    _ok(at)
    assert any("needs Top 10 labels" in i.value for i in at.info)
    assert not at.metric


def test_dataset_with_two_labels_says_why(datasets, warm):
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    at.session_state["ds"] = "t10_twolabels"
    open_page(at, "top10")
    _ok(at)
    assert any("at least 10 of each" in w.value for w in at.warning)


def test_missing_features_are_not_shown(datasets, warm):
    at = AppTest.from_file(ENTRY, default_timeout=FIRST_RUN_TIMEOUT)
    at.session_state["ds"] = "t10_imdb"
    open_page(at, "top10")
    _ok(at)
    keys = {w.key for w in (*at.slider, *at.selectbox, *at.multiselect)}
    assert {"t10_f_imdb_rating", "t10_f_genres", "t10_f_cast"} <= keys
    assert "t10_f_language" not in keys and "t10_f_country" not in keys
    assert any("not in this dataset" in c.value and "Language" in c.value for c in at.caption)
    before = _metric(at, "Top 10 probability")
    at.select_slider(key="t10_f_imdb_votes").set_value(
        int(at.select_slider(key="t10_f_imdb_votes").options[-1].replace(",", ""))
    ).run()
    _ok(at)
    assert _metric(at, "Top 10 probability") != before


def test_best_f1_button_moves_the_threshold(page):
    buttons = [b for b in page.button if b.label.startswith("Use the best-F1 threshold")]
    if not buttons:
        pytest.skip("the best-F1 threshold is the default threshold on this dataset")
    target = float(buttons[0].label.split()[-1])
    buttons[0].click().run()
    _ok(page)
    assert page.slider(key="t10_threshold").value == pytest.approx(target)


def test_title_in_the_url_prefills_the_widgets(warm, gold):
    table = gold["top10_training"].dropna(subset=["imdb_rating"]).sort_values("added_date")
    table = table[~table.duplicated(["title", "release_year"], keep=False)]
    row = table.iloc[5]
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    # a bound selectbox keeps the shown label in the URL: "Title (year)"
    at.query_params["t10_title"] = f"{row['title']} ({int(row['release_year'])})"
    open_page(at, "top10")
    _ok(at)
    assert at.selectbox(key="t10_title").value == row["title_id"]
    assert at.slider(key="t10_f_imdb_rating").value == pytest.approx(row["imdb_rating"])


# --- the models step: a visit after a build loads what the build stored -------------------------
FITS = ("compare_models", "train", "leakage_report", "_estimator")


@pytest.fixture
def fits(monkeypatch, warm):
    """A fresh server process (nothing cached in memory) in which every fit is counted:
    cross-validation, training, the leakage report, permutation importance and, under them
    all, every estimator built to be fitted (``lib.models.top10._estimator``)."""
    import streamlit as st

    from lib.models import top10
    from lib.ui import top10_models as tm

    calls: dict[str, int] = dict.fromkeys((*FITS, "permutation_importance"), 0)

    def counted(name, func):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return func(*args, **kwargs)

        return wrapper

    for name in FITS:
        monkeypatch.setattr(top10, name, counted(name, getattr(top10, name)))
    monkeypatch.setattr(
        top10.Top10Model,
        "permutation_importance",
        counted("permutation_importance", top10.Top10Model.permutation_importance),
    )
    st.cache_resource.clear()
    st.cache_data.clear()
    tm.clear()
    yield calls
    tm.clear()


@pytest.fixture
def copy(data_root, demo_dir):
    """A copy of the built demo dataset (its artefacts included) to modify; removed after."""
    shutil.copytree(demo_dir, data_root / "t10_copy")
    yield data_root / "t10_copy"
    shutil.rmtree(data_root / "t10_copy", ignore_errors=True)


def _tab(at: AppTest, tab: str) -> AppTest:
    at.session_state["t10_tab"] = tab
    at.run()
    _ok(at)
    return at


def test_first_visit_after_a_build_fits_nothing(fits):
    at = open_page(AppTest.from_file(ENTRY, default_timeout=TIMEOUT), "top10")
    _ok(at)
    assert not at.status, [s.label for s in at.status]  # no "Cross-validating ..." box
    assert 0.0 <= _probability(at) <= 1.0
    best = at.segmented_control(key="t10_model").value
    _tab(at, "Model quality")
    assert not at.status and len(at.dataframe[0].value) == 3
    assert "ROC-AUC" in {m.label for m in at.metric}
    _tab(at, "Leakage")
    assert not at.status and "ROC-AUC, leaky" in {m.label for m in at.metric}
    # every kind can be picked and its quality shown without training
    for kind in ("logreg", "rf", "gbm"):
        if kind != best:
            at.segmented_control(key="t10_model").set_value(kind)
            _tab(at, "Model quality")
            assert not at.status and at.segmented_control(key="t10_model").value == kind
            _tab(at, "Predict")
            assert not at.status and 0.0 <= _probability(at) <= 1.0
    assert sum(fits.values()) == 0, fits


def test_stale_artefacts_are_recomputed_and_saved_again(fits, copy, monkeypatch):
    from lib.data import artifacts

    real = artifacts.versions()
    newer = {**real, "scikit-learn": "99.0"}  # as after a library upgrade
    monkeypatch.setattr(artifacts, "versions", lambda: newer)
    at = AppTest.from_file(ENTRY, default_timeout=FIRST_RUN_TIMEOUT)
    at.session_state["ds"] = "t10_copy"
    open_page(at, "top10")
    _ok(at)
    assert any(s.label.startswith("Cross-validating three models") for s in at.status)
    assert fits["compare_models"] == 3 and fits["train"] == 1, fits
    best = at.segmented_control(key="t10_model").value
    index = artifacts.index(copy)
    for name in ("top10/cv_logreg", "top10/cv_rf", "top10/cv_gbm", f"top10/model_{best}"):
        assert index[name]["versions"] == newer, name
    assert index["top10/model_rf" if best != "rf" else "top10/model_gbm"]["versions"] == real
    # the next process loads what this one saved
    from lib.ui import top10_models as tm

    tm.clear()
    before = dict(fits)
    again = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    again.session_state["ds"] = "t10_copy"
    open_page(again, "top10")
    _ok(again)
    assert not again.status and fits == before, fits


def test_a_report_not_precomputed_is_computed_once_with_progress_and_saved(fits, copy):
    from lib.data import artifacts
    from lib.ui import top10_models as tm

    at = AppTest.from_file(ENTRY, default_timeout=FIRST_RUN_TIMEOUT)
    at.session_state["ds"] = "t10_copy"
    open_page(at, "top10")
    best = at.segmented_control(key="t10_model").value
    other = next(k for k in ("logreg", "rf", "gbm") if k != best)
    assert f"top10/leakage_{other}" not in artifacts.index(copy)  # only the best kind's
    at.segmented_control(key="t10_model").set_value(other)
    _tab(at, "Leakage")
    assert [s.label for s in at.status if "leaky model" in s.label], at.status
    assert fits["leakage_report"] == 1 and fits["train"] == 0, fits
    assert artifacts.entry(copy, f"top10/leakage_{other}") is not None
    leaky = _metric(at, "ROC-AUC, leaky")
    tm.clear()
    again = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    again.session_state["ds"] = "t10_copy"
    open_page(again, "top10")
    again.segmented_control(key="t10_model").set_value(other)
    _tab(again, "Leakage")
    assert not again.status and fits["leakage_report"] == 1, fits
    assert _metric(again, "ROC-AUC, leaky") == leaky
