"""Cluster figure builders and wording on small literal frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from lib.charts import cluster as cc
from lib.models.cluster import Condition


def test_feature_labels_and_values_are_plain_words_with_units():
    assert cc.feature_label("device_share__mobile") == "Device: Mobile (%)"
    assert cc.feature_label("device_share__smart_tv") == "Device: Smart TV (%)"
    assert cc.feature_label("genre_share__sci_fi") == "Genre share: Sci-Fi (%)"
    assert cc.feature_label("genre__international_movies") == "Genre: International movies"
    assert cc.feature_label("watch_hours") == "Watch hours (h)"
    assert cc.feature_label(cc.plan_column("Premium+")) == "Plan: Premium+"
    assert cc.feature_label("odd_column") == "Odd column"
    assert cc.plan_column("Premium+") != cc.plan_column("Premium")
    assert cc.format_value("device_share__mobile", 0.523) == "52%"
    assert cc.format_value("avg_completion", 0.7) == "70%"
    assert cc.format_value("release_year", 2019.6) == "2020"
    assert cc.format_value("log_imdb_votes", np.log1p(1000)) == "≈1,000 votes"
    assert cc.format_value("watch_hours", 46.71) == "46.7 h"
    assert cc.format_value("duration_minutes", 83.2) == "83 min"
    assert cc.format_value("odd", 1234.5) == "1,234"
    assert cc.format_value("age", float("nan")) == "n/a"


def test_rule_text_reads_flags_shares_and_numbers():
    conds = (
        Condition("genre__drama", ">", 0.5),
        Condition("device_share__mobile", "<=", 0.52),
        Condition("age", ">", 41.5),
    )
    assert (
        cc.rule_text(conds)
        == "Genre: Drama is yes and Device: Mobile <= 52% and Age (years) > 41.5"
    )
    assert cc.rule_text(()) == "(all rows)"
    assert cc.condition_text("duration_minutes", ">", 95.0) == "Runtime > 95 min"


def test_cluster_names_and_colors():
    assert cc.cluster_name(0) == "1"
    assert cc.cluster_name(2, "Night owls") == "3 · Night owls"
    colors = [cc.cluster_color(c) for c in range(12)]
    assert len(set(colors)) == 12  # k <= 12 clusters never share a colour


SCAN = pd.DataFrame(
    {
        "k": [2, 3, 4, 5],
        "inertia": [100.0, 60.0, 40.0, 35.0],
        "silhouette": [0.3, 0.5, 0.45, 0.4],
        "calinski_harabasz": [10.0, 30.0, 20.0, 15.0],
        "davies_bouldin": [1.2, 0.8, 0.9, 1.0],
    }
)


@pytest.mark.parametrize("metric", ["inertia", "silhouette"])
def test_k_scan_chart_marks_suggested_and_current_k(metric):
    before = SCAN.copy()
    fig, data = cc.k_scan_chart(SCAN, metric, suggested_k=3, current_k=5)
    pd.testing.assert_frame_equal(SCAN, before)
    assert isinstance(fig, go.Figure)
    assert data.loc[data["suggested"], "k"].tolist() == [3]
    assert data.loc[data["current"], "k"].tolist() == [5]
    names = [t.name for t in fig.data]
    assert "suggested: k = 3" in names and "shown: k = 5" in names
    star = next(t for t in fig.data if t.name == "suggested: k = 3")
    assert list(star.y) == [SCAN.loc[1, metric]]
    assert fig.layout.xaxis.title.text == "number of clusters k"
    with pytest.raises(ValueError):
        cc.k_scan_chart(SCAN, "davies")


def test_k_scan_chart_without_a_current_k_other_than_the_suggestion():
    fig, _ = cc.k_scan_chart(SCAN, "inertia", suggested_k=3, current_k=3)
    assert [t.name for t in fig.data if t.name.startswith("shown")] == []


def test_silhouette_plot_sorted_bands_and_mean_line():
    sil = np.array([0.2, 0.8, np.nan, 0.5, -0.1, 0.6])
    lab = np.array([0, 0, 0, 1, 1, 1])
    fig, data = cc.silhouette_plot(sil, lab, names={0: "1 · A", 1: "2 · B"})
    assert len(data) == 5  # the NaN (outside the silhouette sample) is left out
    # sorted within each cluster, largest first
    assert data.loc[data["cluster"] == 0, "silhouette"].tolist() == [0.8, 0.2]
    assert data.loc[data["cluster"] == 1, "silhouette"].tolist() == [0.6, 0.5, -0.1]
    bands = [t for t in fig.data if t.fill == "toself"]
    assert [t.name for t in bands] == ["1 · A", "2 · B"]
    # each band is closed at x = 0 on both ends
    assert bands[0].x[0] == 0 and bands[0].x[-1] == 0
    mean_lines = [s for s in fig.layout.shapes if s.line.dash == "dash"]
    assert len(mean_lines) == 1 and mean_lines[0].x0 == pytest.approx(np.nanmean(sil))
    # bands do not overlap: every position of cluster 2 is below cluster 1
    assert (
        data.loc[data["cluster"] == 1, "position"].max()
        < data.loc[data["cluster"] == 0, "position"].min()
    )
    with pytest.raises(ValueError):
        cc.silhouette_plot(sil, lab[:3])


def test_projection_scatter_pca_axes_hover_and_one_trace_per_cluster():
    xy = pd.DataFrame(
        {"x": [0.0, 1.0, 2.0, 3.0], "y": [1.0, 0.0, 1.0, 0.0]}, index=[10, 11, 12, 13]
    )
    labels = pd.Series([0, 1, 0, 1, 1], index=[10, 11, 12, 13, 14])
    hover = pd.DataFrame(
        {"title": ["A (2001)", "B (2002)", "C <b>", "D"], "genre": ["x", "y", None, "z"]},
        index=[10, 11, 12, 13],
    )
    fig, data = cc.projection_scatter(
        xy, labels, hover=hover, names={0: "1 · One"}, explained=[0.25, 0.125], noun="titles"
    )
    assert [t.name for t in fig.data] == ["1 · One", "2"]
    assert fig.layout.xaxis.title.text == "PC1 (25.0% of variance)"
    assert fig.layout.yaxis.title.text == "PC2 (12.5% of variance)"
    assert "%{customdata[0]}" in fig.data[0].hovertemplate
    assert "genre: %{customdata[1]}" in fig.data[0].hovertemplate
    assert list(fig.data[0].customdata[:, 0]) == ["A (2001)", "C <b>"]
    assert fig.data[0].customdata[1, 1] == "n/a"
    assert sorted(data["row"]) == [10, 11, 12, 13]  # row 14 has no coordinates
    fig, _ = cc.projection_scatter(xy, labels, method="tsne")
    assert fig.layout.xaxis.title.text.startswith("t-SNE 1")


def test_cluster_sizes_bars_and_shares():
    summary = pd.DataFrame(
        {"size": [6, 3, 1], "share": [0.6, 0.3, 0.1], "top_features": ["", "", ""]},
        index=pd.Index([0, 1, 2], name="cluster"),
    )
    fig, data = cc.cluster_sizes(summary, noun="viewers")
    assert list(fig.data[0].x) == [6, 3, 1]
    assert list(fig.data[0].text) == ["6 (60%)", "3 (30%)", "1 (10%)"]
    assert list(data["cluster"]) == [0, 1, 2]
    assert fig.data[0].marker.color[1] == cc.cluster_color(1)


def test_zscore_heatmap_diverges_around_zero():
    z = pd.DataFrame(
        {"watch_hours": [1.5, -0.5], "device_share__mobile": [-3.0, 0.2]},
        index=pd.Index([0, 1], name="cluster"),
    )
    means = pd.DataFrame({"watch_hours": [30.0, 5.0], "device_share__mobile": [0.1, 0.4]})
    fig, data = cc.zscore_heatmap(z, means=means, names={0: "1 · Heavy", 1: "2 · Light"})
    hm = fig.data[0]
    assert hm.zmid == 0 and hm.zmin == -2.5 and hm.zmax == 2.5
    # one row per feature (readable, with units), one column per cluster
    assert list(hm.y) == ["Watch hours (h)", "Device: Mobile (%)"]
    assert list(hm.x) == ["1", "2"]
    assert hm.text[1][0] == "-3.0"  # device share, cluster 1
    assert tuple(hm.customdata[1][1]) == ("2 · Light", "40%")  # the name is in the hover
    assert list(data.columns) == ["cluster", "name", "watch_hours", "device_share__mobile"]
    assert list(data["name"]) == ["1 · Heavy", "2 · Light"]


def test_genre_words_of_imported_catalog_lists():
    assert cc.genre_words("genre__international_tv_shows") == "international TV"
    assert cc.genre_words("genre__dramas") == "drama"
    assert cc.genre_words("genre__thrillers") == "thriller"
    assert cc.genre_words("genre__kids_tv") == "kids' TV"
    assert cc.genre_words("genre__children_family_movies") == "children & family"
    assert cc.genre_words("genre__movies") == "movies"  # never empty
    assert cc.feature_label("genre__crime_tv_shows") == "Genre: Crime TV shows"


def test_feature_label_without_units():
    assert cc.feature_label("device_share__mobile", units=False) == "Device: Mobile"
    assert cc.feature_label("age", units=False) == "Age"
    assert cc.feature_label("genre__drama", units=False) == "Genre: Drama"
