"""Recommender page under AppTest on the small demo dataset, plus its cached-model helpers."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.data.pipeline import build
from lib.models.evaluate import compare_recommenders
from lib.models.recommend import UnknownIdError
from lib.ui import rec_models as rec
from lib.ui.widgets import MISSING
from tests.app.conftest import ENTRY, TIMEOUT, open_page

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _results(at: AppTest, column: str = "Score") -> pd.DataFrame:
    """The first table holding ``column`` (dataframes carry no key under AppTest)."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with a {column!r} column")


def _keys(gold: dict) -> list[str]:
    """Title keys ordered by viewers (most watched first): real, varied picks."""
    titles = gold["titles"].sort_values("viewers", ascending=False)
    return titles["title_id"].astype(str).tolist()


def test_page_shows_similar_titles_with_explanations(app, gold):
    at = open_page(app, "recommender")
    _no_exception(at)
    picker = at.selectbox(key="rec_title")
    assert len(picker.options) == len(gold["titles"])
    assert picker.value == _keys(gold)[0]  # default: the most watched title
    res = _results(at)
    assert len(res) == 10  # default k
    assert {"Title", "Year", "Genres", "Score", "Also watched by", "Shared genres"} <= set(res)
    assert res["Score"].between(0, 1).all() and res["Score"].is_monotonic_decreasing
    assert res["Also watched by"].str.contains(r"\d+ of \d+").all()
    assert res["Why similar"].str.len().gt(0).all()
    assert at.segmented_control(key="rec_model").value == "hybrid"
    # a missing rating shows as a dash, not Streamlit's default word "None"
    assert [df.proto.placeholder for df in at.dataframe] == [MISSING] * len(at.dataframe)


def test_picking_a_title_changes_the_results(app, gold):
    at = open_page(app, "recommender")
    before = _results(at)["Title"].tolist()
    other = _keys(gold)[5]
    at.selectbox(key="rec_title").set_value(other).run()
    _no_exception(at)
    after = _results(at)["Title"].tolist()
    assert after != before
    chosen = gold["titles"].set_index(gold["titles"]["title_id"].astype(str)).loc[other, "title"]
    assert chosen not in after  # never the query itself
    assert any(chosen in s.value for s in at.subheader)


def test_switching_the_model_changes_the_results(app):
    at = open_page(app, "recommender")
    seen = {}
    for kind in ("content", "collaborative", "hybrid"):
        at.segmented_control(key="rec_model").set_value(kind).run()
        _no_exception(at)
        seen[kind] = _results(at)
    assert seen["content"]["Title"].tolist() != seen["collaborative"]["Title"].tolist()
    assert "Shared people" in seen["content"] and "Also watched by" not in seen["content"]
    collab = seen["collaborative"]
    assert "Also watched by" in collab and "Shared words" not in collab
    at.segmented_control(key="rec_model").set_value("hybrid").run()
    at.slider(key="rec_alpha").set_value(1.0).run()  # all content: same titles as content
    _no_exception(at)
    assert _results(at)["Title"].tolist() == seen["content"]["Title"].tolist()


def test_k_and_the_genre_filter_shape_the_list(app, gold):
    at = open_page(app, "recommender")
    at.slider(key="rec_k").set_value(5).run()
    assert len(_results(at)) == 5
    at.multiselect(key="rec_genres").set_value(["Drama"]).run()
    _no_exception(at)
    res = _results(at)
    assert len(res) == 5
    assert res["Genres"].str.contains("Drama").all()


def test_the_selection_is_read_from_the_url_and_bad_values_do_not_crash(app, gold):
    """Bound widgets keep their displayed option in the URL (``?rec_title=Title (year)``)."""
    key = _keys(gold)[3]
    m = rec.fit_models(gold["titles"], gold["interactions"])
    app.run()
    app.switch_page("pages/recommender.py")
    app.query_params.update({"rec_title": m.labels[key], "rec_model": "Content", "rec_k": "7"})
    app.run()
    _no_exception(app)
    assert app.selectbox(key="rec_title").value == key
    assert app.segmented_control(key="rec_model").value == "content"
    assert len(_results(app)) == 7

    bad = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    bad.run()
    bad.switch_page("pages/recommender.py")
    bad.query_params.update(
        {"rec_title": "no-such-title", "rec_user": "nobody", "rec_k": "999", "rec_model": "x"}
    )
    bad.run()
    _no_exception(bad)
    assert bad.selectbox(key="rec_title").value == _keys(gold)[0]  # invalid: the default
    assert len(_results(bad)) == 10


def test_viewer_tab_shows_history_and_explained_recommendations(app, gold):
    at = open_page(app, "recommender")
    at.session_state["rec_tab"] = "For a viewer"
    at.run()
    _no_exception(at)
    viewer = at.selectbox(key="rec_user")
    counts = gold["interactions"].groupby("user_id")["title_id"].nunique()
    assert viewer.value == str(counts.sort_values(ascending=False).index[0])  # richest history
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Titles watched"] == f"{counts.max():,}"
    assert any("Top genres" in md.value for md in at.markdown)
    recs = _results(at, "Because you watched")
    assert len(recs) == 10
    assert recs["Because you watched"].str.len().gt(0).all()
    seen = set(
        gold["interactions"].loc[gold["interactions"]["user_id"] == viewer.value, "title_id"]
    )
    names = set(gold["titles"].loc[gold["titles"]["title_id"].isin(seen), "title"])
    assert not names & set(recs["Title"])  # nothing already watched
    other = str(counts.sort_values().index[len(counts) // 2])
    at.selectbox(key="rec_user").set_value(other).run()
    _no_exception(at)
    assert _results(at, "Because you watched")["Title"].tolist() != recs["Title"].tolist()


def test_viewer_tab_defaults_to_the_model_chosen_on_validation(app, gold):
    at = open_page(app, "recommender")
    at.session_state["rec_tab"] = "For a viewer"
    at.run()
    _no_exception(at)
    tuned, skipped, best = rec.tuning()
    # chosen on validation carved from the training part: the largest validation NDCG@10
    scores = {n: r.score for n, r in tuned.items() if n != "Random"}
    assert best == max(scores, key=scores.get) and not skipped
    picker = at.selectbox(key="rec_viewer_model")
    assert picker.value == "best" and set(picker.options) >= {
        f"Best on validation ({best})",
        "EASE",
        "RP3beta",
    }
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert f"Model: {best}" in captions and "best validation score" in captions
    recs = _results(at, "Because you watched")
    # each explanation names history titles with their share of the evidence
    assert recs["Because you watched"].str.contains(r"\(\d+%\)").any()
    seen_lists = {}
    for choice in ("EASE", "RP3beta", "Popularity"):
        at.selectbox(key="rec_viewer_model").set_value(choice).run()
        _no_exception(at)
        table = _results(at, "Because you watched")
        assert len(table) == 10
        seen_lists[choice] = table["Title"].tolist()
        captions = " ".join(c.value for c in at.caption).replace("\\", "")
        assert f"Model: {choice}" in captions
    assert seen_lists["EASE"] != seen_lists["Popularity"]
    assert (_results(at, "Because you watched")["Because you watched"] == "(popular pick)").all()


def test_evaluation_tab_states_the_protocol_next_to_the_numbers(app, gold, monkeypatch):
    monkeypatch.setattr(rec, "EVAL_USERS", 150)  # a smaller documented sample keeps it quick
    at = open_page(app, "recommender")
    at.session_state["rec_tab"] = "How good is it"
    at.run()
    _no_exception(at)
    table = _results(at, "NDCG@10")
    assert table["Model"].tolist() == list(rec.EVAL_MODELS)
    assert {"NDCG@10", "Precision@10", "Genre match", "Coverage", "Validated values"} <= set(table)
    # every metric with its interval: "value (low-high)"
    for col in ("NDCG@10", "MAP@10", "Novelty (bits)", "Diversity"):
        assert table[col].str.fullmatch(r"\d+\.\d+ \(\d+\.\d+-\d+\.\d+\)").all(), col
    assert table["Genre match"].str.fullmatch(r"[\d.]+% \([\d.]+%-[\d.]+%\)").all()
    # the page shows what the library computes with the stated protocol
    expected = compare_recommenders(
        gold["titles"],
        gold["interactions"],
        k=10,
        test_frac=0.2,
        seed=0,
        min_titles=5,
        users=150,
        n_boot=rec.EVAL_BOOT,
    )
    by = table.set_index("Model")
    for row in expected.table.itertuples():
        assert (
            by.at[row.model, "NDCG@10"]
            == f"{row.ndcg:.3f} ({row.ndcg_low:.3f}-{row.ndcg_high:.3f})"
        )
    coverage = by["Coverage"].str.extract(r"^([\d.]+)%")[0].astype(float)
    assert coverage["Random"] > coverage["Popularity"]
    assert expected.best == expected.table.set_index("model")["validation"].drop("Random").idxmax()
    text = " ".join(md.value for md in at.markdown).replace("\\", "")
    for part in ("split_holdout", "test_frac=0.2", "seed=0", "relevant", "150 viewers"):
        assert part in text, part
    assert "never used to tune" in text
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert captions.count("split_holdout") >= 2  # under the table and under the chart
    labels = [m.label for m in at.metric]
    assert "Hybrid genre match" in labels
    assert f"Best on validation: {expected.best}" in labels


def test_fit_models_on_a_catalog_without_viewers(gold):
    m = rec.fit_models(gold["titles"], None)
    assert m.content is not None and m.collab is None
    assert m.available("content") is None
    assert "viewing sessions or ratings" in m.available("collaborative")
    assert "viewing sessions or ratings" in m.available("hybrid")
    key = m.keys[0]
    res = rec.similar_titles(m, key, "content", 5)
    assert len(res) == 5 and key not in set(res["key"])
    with pytest.raises(UnknownIdError):
        rec.similar_titles(m, "no-such-title", "content", 5)
    with pytest.raises(UnknownIdError):
        rec.viewer_recommendations(m, "nobody", "content", 5)


def test_catalog_labels_are_unique_even_for_remakes():
    titles = pd.DataFrame(
        {
            "title_id": [1, 2, 3, 4],
            "title": ["Heat", "Heat", "Heat", None],
            "release_year": [1995, 1986, 1995, 2001],
            "genres": ["Crime|Drama", "Action", None, "Drama"],
        }
    )
    cat = rec.catalog_frame(titles)
    assert cat["label"].is_unique
    assert cat.loc["2", "label"] == "Heat (1986)"
    assert cat.loc["1", "label"] == "Heat (1995) · 1"
    assert cat.loc["4", "label"] == "4 (2001)"
    assert cat.loc["1", "genre_list"] == ["Crime", "Drama"]


def test_pairwise_similarity_is_symmetric_and_small(gold):
    m = rec.fit_models(gold["titles"], gold["interactions"])
    keys = m.keys[:6]
    for kind in rec.MODEL_KINDS:
        mat = rec.pairwise_similarity(m, keys, kind, alpha=0.3)
        assert mat.shape == (6, 6)
        assert ((mat >= 0) & (mat <= 1 + 1e-9)).all().all()
        pd.testing.assert_frame_equal(mat, mat.T, check_exact=False, atol=1e-6)
    a, b = m.id_of(keys[0]), m.id_of(keys[1])
    content = rec.pairwise_similarity(m, keys[:2], "content")
    assert content.iloc[0, 1] == pytest.approx(m.content.similarity(a, b), abs=1e-5)
    if a in m.collab and b in m.collab:
        collab = rec.pairwise_similarity(m, keys[:2], "collaborative")
        assert collab.iloc[0, 1] == pytest.approx(m.collab.similarity(a, b), abs=1e-5)


@pytest.fixture
def catalog_only(data_root):
    """A dataset with titles only (an imported catalog), removed afterwards."""
    folder = data_root / "rec_catalog_only"
    build(source=FIXTURES / "catalog.csv", name="rec_catalog_only", data_dir=folder)
    yield "rec_catalog_only"
    shutil.rmtree(folder, ignore_errors=True)


def test_catalog_only_dataset_explains_what_is_unavailable(catalog_only):
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    at.session_state["ds"] = catalog_only
    at = open_page(at, "recommender")
    _no_exception(at)
    assert at.segmented_control(key="rec_model").value == "content"
    # the fixture's two workplace comedies share genre and words
    at.selectbox(key="rec_title").set_value("c5").run()
    _no_exception(at)
    assert _results(at)["Title"].iloc[0] == "Office Hours"
    at.segmented_control(key="rec_model").set_value("hybrid").run()
    _no_exception(at)
    assert any("viewing sessions or ratings" in i.value for i in at.info)
    assert len(_results(at)) >= 1  # content results instead
    for tab in ("For a viewer", "How good is it"):
        at.session_state["rec_tab"] = tab
        at.run()
        _no_exception(at)
        assert any("viewing sessions or ratings" in i.value for i in at.info), tab


def test_evidence_shares_and_interval_text(gold):
    from lib.models.recommend import EASE, ContentKNN, Hybrid, ItemKNN, Popularity

    inter = gold["interactions"]
    user = inter["user_id"].iloc[0]
    content = ContentKNN().fit(gold["titles"])
    collab = ItemKNN().fit(inter)
    for model in (collab, EASE(200.0).fit(inter), Hybrid(content, collab, alpha=0.4)):
        tid = model.recommend(user, k=1)["title_id"].iloc[0]
        share = rec.evidence(model, user, tid)
        assert share.sum() == pytest.approx(1.0) and (share > 0).all()
        assert share.is_monotonic_decreasing
        seen = set(inter.loc[inter["user_id"] == user, "title_id"])
        assert set(share.index) <= seen
    # EASE: each share is the title's weight toward the pick over the positive total
    ease = EASE(200.0).fit(inter)
    tid = ease.recommend(user, k=1)["title_id"].iloc[0]
    rows = ease.explain_recommendation(user, tid, n=10**6)["contributors"]
    total = sum(r["contribution"] for r in rows)
    assert rec.evidence(ease, user, tid)[rows[0]["title_id"]] == pytest.approx(
        rows[0]["contribution"] / total
    )
    assert rec.evidence(Popularity().fit(inter), user, tid).empty
    assert rec.interval(0.12345, 0.1, 0.15) == "0.123 (0.100-0.150)"
    assert rec.interval(0.5, 0.45, 0.55, "{:.0%}") == "50% (45%-55%)"
    assert rec.interval(float("nan"), 0, 1) == "n/a"


def test_memo_computes_each_key_once_and_stays_bounded():
    memo = rec._Memo(max_entries=2)
    calls = []

    def make(x):
        calls.append(x)
        return x * 10

    assert memo.get("a", lambda: make(1)) == 10
    assert memo.get("a", lambda: make(99)) == 10  # cached: not recomputed
    memo.get("b", lambda: make(2))
    memo.get("c", lambda: make(3))  # evicts "a", the least recently used
    assert memo.get("a", lambda: make(4)) == 40
    assert calls == [1, 2, 3, 4] and len(memo._values) == 2


def test_ease_above_its_item_limit_falls_back_on_the_page(app, gold, monkeypatch):
    from lib.models.recommend import EASE

    # a budget for 50 titles: the demo's catalog is larger, so EASE refuses it
    monkeypatch.setattr(rec, "EVAL_EASE_BUDGET_GIB", EASE.memory_need(50) / 2**30)
    monkeypatch.setattr(rec, "EVAL_USERS", 150)
    at = open_page(app, "recommender")
    at.session_state["rec_tab"] = "For a viewer"
    at.session_state["rec_viewer_model"] = "EASE"
    at.run()
    _no_exception(at)
    infos = " ".join(i.value for i in at.info).replace("\\", "")
    assert "EASE is not available" in infos and "at most 50 titles" in infos
    assert "Showing RP3beta instead" in infos
    assert len(_results(at, "Because you watched")) == 10
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "Model: RP3beta" in captions
    at.session_state["rec_tab"] = "How good is it"
    at.run()
    _no_exception(at)
    assert "EASE" not in _results(at, "NDCG@10")["Model"].tolist()
    assert any("at most 50 titles" in i.value.replace("\\", "") for i in at.info)


def test_labels_keep_integer_years_when_some_are_missing_and_ratings_have_no_sessions():
    titles = pd.DataFrame(
        {"title_id": [1, 2], "title": ["Heat", "Up"], "release_year": [1995.0, np.nan]}
    )
    cat = rec.catalog_frame(titles)
    assert cat.loc["1", "label"] == "Heat (1995)" and cat.loc["2", "label"] == "Up"
    assert cat["year"].dtype == "Int64"
    ratings = pd.DataFrame(
        {"user_id": ["a", "a", "b"], "title_id": [1, 2, 1], "rating": [4, 5, 3], "n_sessions": 0}
    )
    m = rec.fit_models(titles.assign(genres="Drama"), ratings)
    assert rec.viewer_history(m, ratings, "a")["n_sessions"] is None  # 0 would be misleading
    watched = ratings.assign(n_sessions=[2, 1, 1])
    assert rec.viewer_history(m, watched, "a")["n_sessions"] == 3


def test_evaluation_tab_offers_a_leave_last_out_split_where_times_exist(app, monkeypatch):
    monkeypatch.setattr(rec, "EVAL_USERS", 150)
    at = open_page(app, "recommender")
    at.session_state["rec_tab"] = "How good is it"
    at.run()
    _no_exception(at)
    assert at.segmented_control(key="rec_eval_split").value == "random"
    before = _results(at, "NDCG@10")
    at.segmented_control(key="rec_eval_split").set_value("time").run()
    _no_exception(at)
    after = _results(at, "NDCG@10")
    assert after["Model"].tolist() == before["Model"].tolist()
    assert after["NDCG@10"].tolist() != before["NDCG@10"].tolist()
    precision = after["Precision@10"].str.extract(r"^([\d.]+)%")[0].astype(float)
    assert (precision <= 10.0).all()  # one held-out title per viewer: at most 1 hit in 10
    text = " ".join(md.value for md in at.markdown).replace("\\", "")
    assert "leave-last-out" in text and "split_leave_last_out" in text


@pytest.fixture
def built_copy(data_root):
    """A copy of the demo build (models step included) as its own dataset, removed afterwards.

    A copy keeps the session's demo untouched by what a test stores back into its dataset.
    """
    folder = data_root / "rec_built"
    shutil.copytree(data_root / "demo", folder)
    yield "rec_built"
    shutil.rmtree(folder, ignore_errors=True)


def _cold_caches() -> None:
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    rec._TUNING.clear()
    rec._COMPARISON.clear()


def _count_fits(monkeypatch) -> dict[str, int]:
    """Count every fit of every recommender and every tuning or comparison call."""
    import lib.models.rec_service as svc
    from lib.models import recommend

    calls: dict[str, int] = {}

    def counted(owner, attr: str, label: str) -> None:
        original = getattr(owner, attr)

        def wrapper(*args, **kwargs):
            calls[label] = calls.get(label, 0) + 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, attr, wrapper)

    for cls in ("ContentKNN", "ItemKNN", "Hybrid", "EASE", "RP3Beta", "Popularity"):
        counted(getattr(recommend, cls), "fit", cls)
    counted(recommend.RandomRecommender, "fit", "Random")
    for fn in ("tune", "compare", "fit_models", "fit_validated"):
        counted(svc, fn, fn)
    counted(rec, "fit_models", "fit_models")
    counted(rec, "fit_validated", "fit_validated")
    return calls


def test_first_visit_after_a_build_fits_nothing(built_copy, monkeypatch):
    _cold_caches()
    calls = _count_fits(monkeypatch)
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    at.session_state["ds"] = built_copy
    at = open_page(at, "recommender")
    _no_exception(at)
    assert len(_results(at)) == 10
    at.session_state["rec_tab"] = "For a viewer"
    at.run()
    _no_exception(at)
    assert len(_results(at, "Because you watched")) == 10
    at.session_state["rec_tab"] = "How good is it"
    at.run()
    _no_exception(at)
    assert _results(at, "NDCG@10")["Model"].tolist() == list(rec.EVAL_MODELS)
    at.segmented_control(key="rec_eval_split").set_value("time").run()
    _no_exception(at)
    assert any("leave-last-out" in md.value.replace("\\", "") for md in at.markdown)
    assert calls == {}, calls  # every tab with its defaults: loaded from the build
    # something the build did not precompute (another blend) is fitted on demand
    at.session_state["rec_tab"] = "Similar titles"
    at.run()
    at.slider(key="rec_alpha").set_value(0.3).run()
    _no_exception(at)
    assert calls == {"Hybrid": 1}, calls


def test_stale_artefacts_are_recomputed(built_copy, data_root, monkeypatch):
    from lib.data import artifacts

    folder = data_root / built_copy
    _cold_caches()
    real = artifacts.versions()
    monkeypatch.setattr(artifacts, "versions", lambda: {**real, "scikit-learn": "0.0"})
    calls = _count_fits(monkeypatch)
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT)
    at.session_state["ds"] = built_copy
    at = open_page(at, "recommender")
    _no_exception(at)
    assert len(_results(at)) == 10
    assert calls.get("ContentKNN") == 1 and calls.get("ItemKNN") == 1, calls
    at.session_state["rec_tab"] = "For a viewer"
    at.run()
    _no_exception(at)
    assert calls.get("tune") == 1 and calls.get("fit_validated") == 1, calls
    # what was recomputed is stored again, fresh for the (new) library versions
    for name in ("recommend/models", "recommend/tuning"):
        assert artifacts.entry(folder, name) is not None, name
