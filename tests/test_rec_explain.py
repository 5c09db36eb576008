"""The Recommender page's tables and texts (lib.models.rec_explain): result and metrics tables,
row heights, the viewer list's model caption. The explanations themselves are tested with
the page (tests/app/test_recommender_page.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.models import rec_explain as rx
from lib.models.evaluate import TuneResult


def _tuned(params: dict, score: float) -> TuneResult:
    return TuneResult(params=params, score=score, metric="ndcg", curve=pd.DataFrame(), n_users=9)


def _catalog():
    return pd.DataFrame(
        {
            "title": ["A", "B", "C"],
            "year": [2001, np.nan, 2003],
            "genres": ["Drama", "Comedy", ""],
            "imdb_rating": [np.nan, np.nan, np.nan],
            "avg_user_rating": [4.5, np.nan, 3.0],
        },
        index=["a", "b", "c"],
    )


def test_result_table_ranks_and_keeps_one_rating_column():
    res = pd.DataFrame({"key": ["c", "a"], "score": [0.9, 0.5]})
    table = rx.result_table(_catalog(), res, {"Why": ["x", "y"]})
    assert list(table.columns) == ["#", "Title", "Year", "Genres", "Score", "Viewer rating", "Why"]
    assert table["#"].tolist() == [1, 2]
    assert table["Title"].tolist() == ["C", "A"]
    assert table["Year"].dtype == "Int64"
    assert table["Viewer rating"].tolist() == [3.0, 4.5]


def test_rating_columns_prefer_imdb_and_drop_empty_ones():
    cat = _catalog().assign(imdb_rating=[7.0, np.nan, np.nan])
    out = rx.rating_columns(pd.DataFrame({"key": ["a", "b"]}), cat)
    assert list(out.columns) == ["IMDb rating"]
    none = rx.rating_columns(pd.DataFrame({"key": ["b"]}), _catalog())
    assert none.columns.empty


def test_table_height_fits_every_row():
    assert rx.table_height(0) == rx.table_height(1) == 73
    assert rx.table_height(30) - rx.table_height(29) == 35


def test_interval_and_tuned_text():
    assert rx.interval(0.5, 0.4, 0.6) == "0.500 (0.400-0.600)"
    assert rx.interval(float("nan"), 0.1, 0.2) == "n/a"
    assert rx.interval(0.25, float("nan"), float("nan"), "{:.0%}") == "25%"
    tuned = {"EASE": _tuned({"l2": 50.0}, 0.31)}
    assert rx.tuned_text("EASE", tuned) == "l2 = 50"
    assert rx.tuned_text("Popularity", tuned) == "none to tune"


def test_metrics_table_formats_every_metric_with_its_interval():
    metrics = pd.DataFrame(
        {
            "model": ["EASE", "Popularity"],
            "validation": [0.31, 0.1],
            "ndcg": [0.3, 0.1],
            "ndcg_low": [0.28, 0.09],
            "ndcg_high": [0.32, 0.11],
            "coverage": [0.5, 0.01],
            "coverage_low": [np.nan, np.nan],
            "coverage_high": [np.nan, np.nan],
        }
    )
    tuned = {"EASE": _tuned({"l2": 50.0}, 0.31)}
    table = rx.metrics_table(metrics, tuned)
    ndcg = rx.METRIC_COLUMNS["ndcg"][0]
    assert list(table.columns) == [
        "Model",
        "Validated values",
        f"Validation NDCG@{rx.EVAL_K}",
        ndcg,
        "Coverage",
    ]
    assert table[ndcg].tolist() == ["0.300 (0.280-0.320)", "0.100 (0.090-0.110)"]
    assert table["Coverage"].tolist() == ["50.0%", "1.0%"]
    assert table["Validated values"].tolist() == ["l2 = 50", "none to tune"]


def test_model_caption_says_why_the_model_is_shown():
    tuned = {
        "EASE": _tuned({"l2": 50.0}, 0.312),
        "Random": _tuned({}, 0.01),
    }
    text = rx.model_caption("EASE", True, "EASE", tuned)
    assert text.startswith("Model: EASE, ")
    assert f"validation NDCG@{rx.EVAL_K} 0.312" in text
    assert "best validation score of the 1 models tried" in text
    assert "best validation" not in rx.model_caption("EASE", False, "EASE", tuned)


def test_genre_tally_and_mask():
    catalog = pd.DataFrame(
        {"genre_list": [["Drama", "Comedy"], ["Drama"], None]}, index=["a", "b", "c"]
    )
    keys = pd.Series(["a", "b", "c", "zz"])
    assert rx.genre_tally(catalog, keys).to_dict() == {"Drama": 2, "Comedy": 1}
    assert rx.genre_tally(catalog, keys.iloc[2:]).empty
    assert rx.genre_mask(catalog, keys, ["comedy"]).tolist() == [True, False, False, False]
    assert not rx.genre_mask(catalog, keys, []).any()
