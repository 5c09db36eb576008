"""Overview page under AppTest on the small demo dataset."""

from __future__ import annotations

from lib.store import load_gold


def test_overview_runs_and_shows_kpis(app, demo_dir):
    at = app.run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [m.label for m in at.metric]
    for label in (
        "Titles",
        "Viewers",
        "Active viewers",
        "Watch hours",
        "Average completion",
        "Churn rate",
    ):
        assert label in labels
    gold = load_gold(demo_dir)
    titles = next(m for m in at.metric if m.label == "Titles")
    assert titles.value == f"{len(gold['titles']):,}"
    churn = next(m for m in at.metric if m.label == "Churn rate")
    expected = 1 - gold["users"]["is_active"].astype(bool).mean()
    assert churn.value == f"{expected:.1%}"


def test_overview_shows_quality_scorecard_per_layer(app):
    at = app.run()
    labels = [m.label for m in at.metric]
    assert {"Bronze layer", "Silver layer", "Gold layer"} <= set(labels)
    assert len(at.tabs) >= 3
    assert any("rejected" in str(df.value.to_dict()) for df in at.dataframe)


def test_dataset_picker_lists_the_demo(app):
    at = app.run()
    picker = at.sidebar.selectbox[0]
    assert picker.label == "Dataset"
    assert "demo" in picker.options
