"""Unit tests of lib.charts.recommend on small literal frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.charts import recommend as rc


def _matrix(n: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    a = rng.random((n, n)) * 0.5
    sym = (a + a.T) / 2
    np.fill_diagonal(sym, 1.0)
    keys = [f"t{i}" for i in range(n)]
    return pd.DataFrame(sym, index=keys, columns=keys)


def test_short_label_cuts_long_text_only():
    assert rc.short_label("Short") == "Short"
    cut = rc.short_label("A" * 50, width=10)
    assert len(cut) == 10 and cut.endswith("…")


def test_heatmap_shows_only_the_chosen_titles_with_blank_diagonal():
    m = _matrix(4)
    before = m.copy()
    labels = {"t0": "The Query (2020)", "t1": "One", "t2": "Two", "t3": "Three"}
    fig, data = rc.similarity_heatmap(m, labels, title="Similar", measure="content cosine")
    pd.testing.assert_frame_equal(m, before)  # input untouched
    (trace,) = fig.data
    z = np.array(trace.z, dtype=float)
    assert z.shape == (4, 4)
    assert np.isnan(np.diag(z)).all()
    off = ~np.eye(4, dtype=bool)
    np.testing.assert_allclose(z[off], m.to_numpy()[off])
    assert list(trace.x) == ["Q", "1", "2", "3"]
    assert trace.y[0].startswith("Q · The Query (2020)")
    assert len(set(trace.y)) == 4
    assert 0 < trace.zmax <= 1 and trace.zmin == 0
    assert fig.layout.title.text == "Similar"
    assert "content cosine" in trace.hovertemplate
    assert fig.layout.xaxis.title.text  # labelled axis
    assert list(data.columns) == ["title_a", "title_b", "similarity"]
    assert len(data) == 16 and data["similarity"].max() == 1.0


def test_heatmap_truncates_long_names_but_keeps_rows_unique():
    keys = ["a", "b", "c"]
    m = pd.DataFrame(np.eye(3), index=keys, columns=keys)
    same = "An Extremely Long Title That Shares Its First Forty Characters"
    labels = {"a": same + " (2001)", "b": same + " (2002)", "c": same + " (2003)"}
    fig, _ = rc.similarity_heatmap(m, labels)
    ys = list(fig.data[0].y)
    assert len(set(ys)) == 3 and all(len(y) < 45 for y in ys)
    assert all(label in text for label, text in zip(labels.values(), fig.data[0].customdata[0]))


def test_heatmap_of_nothing_is_an_empty_figure_not_an_error():
    fig, data = rc.similarity_heatmap(pd.DataFrame())
    assert len(fig.data) == 0 and data.empty
    assert "No titles" in fig.layout.annotations[0].text


def test_heatmap_without_text_for_big_lists():
    fig, _ = rc.similarity_heatmap(_matrix(20))
    assert fig.data[0].texttemplate is None
    assert fig.layout.height >= 150 + 26 * 20


METRICS = pd.DataFrame(
    {
        "model": ["Content", "Collaborative", "Hybrid", "Popularity", "Random"],
        "precision": [0.011, 0.031, 0.031, 0.017, 0.003],
        "recall": [0.05, 0.13, 0.13, 0.07, 0.01],
        "ndcg": [0.028, 0.093, 0.092, 0.048, 0.007],
        "map": [0.015, 0.061, 0.059, 0.030, 0.004],
        "coverage": [0.96, 0.70, 0.76, 0.02, 1.0],
        "novelty": [7.5, 5.6, 6.0, 4.1, 7.7],
        "diversity": [0.58, 0.79, 0.69, 0.90, 0.93],
        "genre_match": [0.99, 0.78, 0.96, 0.28, 0.32],
        "n_users": [1000] * 5,
    }
)


def test_model_comparison_has_one_panel_per_metric_and_greys_the_baselines():
    before = METRICS.copy()
    fig, data = rc.model_comparison(METRICS, k=10)
    pd.testing.assert_frame_equal(METRICS, before)
    assert len(fig.data) == 8  # one bar trace per metric
    for trace in fig.data:
        assert list(trace.y) == ["Content", "Collaborative", "Hybrid", "Popularity", "Random"]
        colors = list(trace.marker.color)
        assert colors[3] == rc.MODEL_COLORS["Popularity"]
        assert colors[4] == rc.MODEL_COLORS["Random"]
    titles = [a.text for a in fig.layout.annotations]
    assert any(t.startswith("NDCG@10") for t in titles)
    assert any("80% target" in t for t in titles)
    assert any(s.x0 == 0.8 for s in fig.layout.shapes)  # the genre-match target line
    ndcg = next(t for t in fig.data if "ndcg" in t.hovertemplate)
    assert ndcg.text[1] == "0.093"
    assert set(data["metric"]) == set(rc.METRIC_INFO)
    assert len(data) == 8 * 5
    assert "baselines" in fig.layout.title.text


def test_model_comparison_skips_missing_metrics_and_formats_percentages():
    partial = METRICS.drop(columns=["genre_match"]).assign(diversity=np.nan)
    fig, data = rc.model_comparison(partial, k=5)
    assert len(fig.data) == 6
    assert "diversity" not in set(data["metric"])
    precision = next(t for t in fig.data if "precision" in t.hovertemplate)
    assert precision.text[0] == "1.1%"
    assert any(a.text.startswith("Precision@5") for a in fig.layout.annotations)


def test_model_comparison_without_rows_says_so():
    fig, _ = rc.model_comparison(METRICS.iloc[0:0])
    assert "No metrics" in fig.layout.annotations[0].text


@pytest.mark.parametrize("n_watched", [None, 10])
def test_genre_mix_shares_are_of_the_number_of_titles(n_watched):
    history = pd.Series({"Drama": 6, "Crime": 4, "Comedy": 1})
    recs = pd.Series({"Drama": 5, "Thriller": 3})
    fig, data = rc.genre_mix(history, recs, n_watched=n_watched, n_recommended=10)
    assert list(data["genre"]) == ["Drama", "Crime", "Comedy", "Thriller"]
    denom = n_watched or 6
    np.testing.assert_allclose(data["watched_share"], np.array([6, 4, 1, 0]) / denom)
    np.testing.assert_allclose(data["recommended_share"], [0.5, 0, 0, 0.3])
    assert [t.name for t in fig.data] == ["watched (history)", "recommended"]
    assert fig.layout.xaxis.tickformat == ".0%"
    assert "share of titles" in fig.layout.xaxis.title.text


def test_genre_mix_keeps_the_top_genres_and_survives_empty_input():
    history = pd.Series({f"G{i}": 20 - i for i in range(15)})
    _, data = rc.genre_mix(history, pd.Series(dtype="int64"), top=5)
    assert list(data["genre"]) == ["G0", "G1", "G2", "G3", "G4"]
    fig, data = rc.genre_mix(pd.Series(dtype="int64"), pd.Series(dtype="int64"))
    assert data.empty and len(fig.data) == 2


def test_genre_mix_always_shows_the_recommended_genres():
    history = pd.Series({f"G{i}": 20 - i for i in range(15)})
    _, data = rc.genre_mix(history, pd.Series({"G14": 10, "Rare": 2}), top=5)
    assert {"G14", "Rare"} <= set(data["genre"])
    assert list(data["genre"][:3]) == ["G0", "G1", "G2"] and len(data) == 5


def test_model_comparison_draws_intervals_as_error_bars():
    ci = METRICS.assign(
        ndcg_low=METRICS["ndcg"] - 0.01,
        ndcg_high=METRICS["ndcg"] + 0.02,
    )[["model", "ndcg", "ndcg_low", "ndcg_high"]]
    fig, data = rc.model_comparison(ci, k=10)
    trace, labels = fig.data  # the bars with whiskers, then their value labels
    np.testing.assert_allclose(trace.error_x.array, [0.02] * 5)
    # each value is written just right of its whisker
    np.testing.assert_allclose(labels.x, ci["ndcg_high"])
    assert [t.strip() for t in labels.text] == [f"{v:.3f}" for v in ci["ndcg"]]
    np.testing.assert_allclose(trace.error_x.arrayminus, [0.01] * 5)
    assert "95% interval" in trace.hovertemplate
    assert list(data.columns) == ["model", "metric", "metric_label", "value", "low", "high"]
    np.testing.assert_allclose(data["high"] - data["value"], 0.02)
    assert fig.layout.xaxis.range[1] >= (ci["ndcg_high"]).max()  # whiskers stay in view


PAIRED = pd.DataFrame(
    {
        "model": ["Collaborative", "Collaborative", "Random", "Random"],
        "metric": ["precision", "ndcg", "precision", "ndcg"],
        "best": "EASE",
        "difference": [0.01, 0.02, 0.30, 0.40],
        "low": [-0.005, 0.01, 0.28, 0.37],
        "high": [0.02, 0.03, 0.32, 0.43],
    }
)


def test_paired_differences_one_panel_per_metric_with_the_zero_line():
    before = PAIRED.copy()
    fig, data = rc.paired_differences(PAIRED, k=10)
    pd.testing.assert_frame_equal(PAIRED, before)
    assert len(fig.data) == 2
    precision, ndcg = fig.data
    assert list(precision.y) == ["Collaborative", "Random"]
    np.testing.assert_allclose(precision.x, [0.01, 0.30])
    np.testing.assert_allclose(precision.error_x.arrayminus, [0.015, 0.02])
    np.testing.assert_allclose(ndcg.error_x.array, [0.01, 0.03])
    assert all(s.x0 == 0 for s in fig.layout.shapes) and len(fig.layout.shapes) == 2
    assert "EASE" in fig.layout.title.text
    assert [a.text for a in fig.layout.annotations] == [
        "Precision@10: EASE minus",
        "NDCG@10: EASE minus",
    ]
    assert len(data) == 4
    empty, _ = rc.paired_differences(PAIRED.iloc[0:0])
    assert "No comparison" in empty.layout.annotations[0].text


def test_validation_curves_mark_the_chosen_values():
    curves = {
        "EASE": pd.DataFrame(
            {"l2": [50.0, 500.0, 5000.0], "precision": [0.1] * 3, "ndcg": [0.2, 0.3, 0.25]}
        ).assign(seconds=1.0),
        "RP3beta": pd.DataFrame(
            {
                "alpha": [0.5, 0.5, 1.0, 1.0],
                "beta": [0.0, 0.5, 0.0, 0.5],
                "precision": 0.1,
                "ndcg": [0.1, 0.2, 0.15, 0.22],
                "seconds": 1.0,
            }
        ),
        "Popularity": pd.DataFrame({"precision": [0.1], "ndcg": [0.1], "seconds": [1.0]}),
    }
    chosen = {"EASE": {"l2": 500.0}, "RP3beta": {"alpha": 1.0, "beta": 0.5}, "Popularity": {}}
    fig, data = rc.validation_curves(curves, chosen)
    assert set(data["model"]) == {"EASE", "RP3beta"}  # nothing to draw for one point
    stars = [t for t in fig.data if t.name == "chosen"]
    assert [(list(t.x), list(t.y)) for t in stars] == [([500.0], [0.3]), ([0.5], [0.22])]
    lines = [t for t in fig.data if t.name != "chosen" and "RP3beta" in (t.name or "")]
    assert sorted(t.name for t in lines) == ["RP3beta: alpha = 0.5", "RP3beta: alpha = 1"]
    assert fig.layout.xaxis.type == "log"  # l2 spans decades
    assert list(fig.layout.xaxis.ticktext) == ["50", "500", "5000"]  # the values tried
    assert data.loc[data["chosen"], "score"].tolist() == [0.3, 0.22]
    nothing, _ = rc.validation_curves({"Popularity": curves["Popularity"]}, chosen)
    assert "No model" in nothing.layout.annotations[0].text
