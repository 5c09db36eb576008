"""Figure builders of the Top 10 page on small literal inputs (no model training)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.charts import top10 as ct


def _explanation(contributions: dict[str, float], values: dict | None = None) -> pd.DataFrame:
    values = values or {}
    df = pd.DataFrame(
        {
            "feature": list(contributions),
            "value": pd.Series([values.get(f, np.nan) for f in contributions], dtype=object),
            "typical": np.nan,
            "contribution": list(contributions.values()),
        }
    )
    df.attrs.update(prediction=0.42, base_value=0.25, method="test")
    return df


def _cv() -> pd.DataFrame:
    cv = pd.DataFrame(
        {
            "kind": ["gbm", "rf", "logreg"],
            "roc_auc_mean": [0.91, 0.89, 0.88],
            "roc_auc_std": [0.02, 0.03, 0.02],
            "pr_auc_mean": [0.81, 0.76, 0.77],
            "pr_auc_std": [0.04, 0.05, 0.03],
            "n_folds": [5, 5, 5],
        }
    )
    cv.attrs["base_rate"] = 0.27
    return cv


def test_format_value_units_and_lists():
    assert ct.format_value("imdb_votes", 90000.0) == "90,000"
    assert ct.format_value("imdb_rating", 7.0) == "7.0"
    assert ct.format_value("duration_minutes", 138.0) == "138 min"
    assert ct.format_value("release_year", 2021.0) == "2021"
    assert ct.format_value("genres", "Drama|Comedy") == "Drama, Comedy"
    assert ct.format_value("cast", ["A", "B"]) == "A, B"
    assert ct.format_value("cast", []) == "none"
    assert ct.format_value("meta_score", np.nan) == "unknown"
    assert ct.format_value("language", None) == "unknown"
    long = ct.format_value("cast", ["Someone With A Long Name"] * 5)
    assert len(long) <= 38 and long.endswith("…")


def test_labels_are_plain_words():
    assert ct.feature_label("imdb_rating") == "IMDb rating (1-10)"
    assert ct.feature_label("meta_score").endswith("1-100)")
    assert ct.feature_label("something_new") == "something new"
    assert ct.model_label("gbm") == "Gradient boosting"


@pytest.mark.parametrize(("p", "t", "color"), [(0.7, 0.5, ct.UP_COLOR), (0.3, 0.5, ct.DOWN_COLOR)])
def test_gauge_colour_follows_the_verdict(p, t, color):
    fig, data = ct.probability_gauge(p, t, base_rate=0.27)
    indicator = fig.data[0]
    assert indicator.value == pytest.approx(100 * p)
    assert indicator.gauge.threshold.value == pytest.approx(100 * t)
    assert indicator.gauge.bar.color == color
    assert data["verdict"].iloc[0] == ("Top 10" if p >= t else "not Top 10")
    assert "27.0%" in fig.layout.annotations[0].text


def test_gauge_at_the_threshold_is_a_hit():
    _, data = ct.probability_gauge(0.5, 0.5)
    assert data["verdict"].iloc[0] == "Top 10"


@settings(max_examples=15, deadline=None)
@given(
    p=st.floats(-1, 2, allow_nan=False),
    t=st.floats(-1, 2, allow_nan=False),
)
def test_gauge_value_is_always_a_percentage(p, t):
    fig, data = ct.probability_gauge(p, t)
    assert 0 <= fig.data[0].value <= 100
    assert 0 <= data["probability"].iloc[0] <= 1


def test_contributions_top_bars_and_other_keep_the_sum():
    contrib = {f"f{i}": v for i, v in enumerate([0.1, -0.2, 0.05, 0.01, -0.03, 0.002])}
    expl = _explanation(contrib)
    before = expl.copy()
    fig, data = ct.contributions(expl, top=3)
    pd.testing.assert_frame_equal(expl, before)  # input untouched
    assert len(data) == 4 and data["label"].iloc[-1] == "3 other features"
    assert data["contribution_probability"].sum() == pytest.approx(sum(contrib.values()))
    bar = fig.data[0]
    assert list(bar.x[:3]) == pytest.approx([-20.0, 10.0, 5.0])  # percentage points, by size
    assert bar.marker.color[0] == ct.DOWN_COLOR and bar.marker.color[1] == ct.UP_COLOR
    assert "42.0%" in fig.layout.title.text and "25.0%" in fig.layout.title.text
    assert "percentage points" in fig.layout.xaxis.title.text


def test_contribution_labels_show_feature_and_value():
    expl = _explanation(
        {"imdb_votes": 0.1, "genres": -0.05, "cast": 0.01},
        {"imdb_votes": 90000.0, "genres": "Drama|Comedy", "cast": []},
    )
    _, data = ct.contributions(expl)
    assert data["label"].tolist() == [
        "IMDb votes = 90,000",
        "Genres = Drama, Comedy",
        "Cast = none",
    ]


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(-1, 1, allow_nan=False), min_size=1, max_size=16), st.integers(1, 12))
def test_contribution_bars_always_add_up(values, top):
    expl = _explanation({f"f{i}": v for i, v in enumerate(values)})
    _, data = ct.contributions(expl, top=top)
    assert len(data) == min(len(values), top) + (len(values) > top)
    assert data["contribution_probability"].sum() == pytest.approx(sum(values), abs=1e-9)


def test_model_comparison_has_both_metrics_with_spread():
    fig, data = ct.model_comparison(_cv())
    assert len(data) == 6 and set(data["metric"]) == {"ROC-AUC", "PR-AUC"}
    assert [t.name for t in fig.data] == ["ROC-AUC", "PR-AUC"]
    assert list(fig.data[0].error_x.array) == pytest.approx([0.02, 0.03, 0.02])
    assert list(fig.data[0].y) == ["Gradient boosting", "Random forest", "Logistic regression"]
    assert "5 folds" in fig.layout.title.text and "0.27" in fig.layout.title.text


def test_roc_and_pr_curves_mark_the_threshold():
    roc = pd.DataFrame(
        {"fpr": [0, 0.1, 0.5, 1], "tpr": [0, 0.6, 0.9, 1], "threshold": [1, 0.7, 0.3, 0]}
    )
    fig, data = ct.roc_curve(roc, auc=0.87, threshold=0.68, name="Gradient boosting")
    marker = fig.data[-1]
    assert (marker.x[0], marker.y[0]) == (0.1, 0.6)
    assert "AUC 0.870" in fig.data[1].name and data.equals(roc)
    pr = pd.DataFrame(
        {
            "recall": [1, 0.8, 0.5, 0],
            "precision": [0.3, 0.6, 0.9, 1],
            "threshold": [0.1, 0.4, 0.8, np.nan],
        }
    )
    fig, _ = ct.pr_curve(pr, average_precision=0.7, base_rate=0.3, threshold=0.45)
    assert (fig.data[-1].x[0], fig.data[-1].y[0]) == (0.8, 0.6)
    assert list(fig.data[0].y) == [0.3, 0.3]  # random-guess line at the base rate


def test_reliability_curve_has_the_diagonal():
    rel = pd.DataFrame(
        {
            "mean_predicted": [0.1, 0.5, 0.8],
            "fraction_positive": [0.12, 0.45, 0.85],
            "count": [50, 30, 20],
        }
    )
    fig, data = ct.reliability_curve(rel)
    assert list(fig.data[0].x) == [0, 1] and list(fig.data[0].y) == [0, 1]
    assert list(fig.data[1].customdata[:, 0]) == [50, 30, 20]
    assert data.equals(rel)


def test_confusion_matrix_cells():
    metrics = {"tn": 129, "fp": 15, "fn": 17, "tp": 38, "threshold": 0.5}
    fig, data = ct.confusion_matrix(metrics)
    assert fig.data[0].z == ((38, 17), (15, 129)) or np.array(fig.data[0].z).tolist() == [
        [38, 17],
        [15, 129],
    ]
    assert data["titles"].sum() == 199
    assert "0.50" in fig.layout.title.text
    assert "true positive" in fig.data[0].text[0][0]


def test_permutation_importance_sorted_with_labels():
    imp = pd.DataFrame(
        {
            "feature": ["genres", "imdb_votes", "cast"],
            "importance_mean": [0.01, 0.2, -0.005],
            "importance_std": [0.01, 0.02, 0.003],
        }
    )
    fig, data = ct.permutation_importance(imp)
    assert data["feature"].tolist() == ["imdb_votes", "genres", "cast"]
    assert list(fig.data[0].y) == ["IMDb votes", "Genres", "Cast"]
    assert "ROC-AUC" in fig.layout.xaxis.title.text


def test_leakage_charts():
    report = {
        "kind": "gbm",
        "honest": {"roc_auc": 0.9, "roc_auc_std": 0.02, "pr_auc": 0.8, "accuracy": 0.85},
        "leaky": {"roc_auc": 1.0, "roc_auc_std": 0.0, "pr_auc": 1.0, "accuracy": 1.0},
    }
    fig, data = ct.leakage_scores(report)
    assert len(fig.data) == 2 and len(data) == 6
    honest = data[data["model"].str.startswith("honest")].set_index("metric")["mean"]
    assert honest["ROC-AUC"] == 0.9 and honest["accuracy"] == 0.85
    fig, data = ct.leakage_scores({**report, "leaky": None})
    assert len(fig.data) == 1 and len(data) == 3
    fig, data = ct.leakage_signal(
        {"weekly_hours_viewed": {"share_recorded_top10": 1.0, "share_recorded_other": 0.0}}
    )
    assert data.loc[0, "label"] == "Weekly hours viewed"
    assert [t.name for t in fig.data] == ["Top 10 titles", "other titles"]


def test_builders_return_figures():
    for fig, _ in (
        ct.probability_gauge(0.2, 0.5),
        ct.contributions(_explanation({"a": 0.1})),
        ct.model_comparison(_cv()),
    ):
        assert isinstance(fig, go.Figure)
        fig.to_json()  # serialisable
