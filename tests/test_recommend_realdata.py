"""EASE and RP3beta on real MovieLens 100K ratings, imported through the importer (issue 17).

Skips when ``../shared/realdata`` is absent. Protocol: ``split_holdout(test_frac=0.2,
seed=0)``, every held-out title relevant, seen titles excluded, k = 10, viewers with at least
5 ratings (all 943 have 20 or more). Measured on this data: ItemKNN(50) P@10 0.289 / NDCG@10
0.356, EASE(500) 0.377 / 0.453, RP3beta(1, 0.5) 0.331 / 0.400, popularity 0.191 / 0.216.
"""

from __future__ import annotations

import pytest

from lib.data.importers import load_source
from lib.data.pipeline import build_tables
from lib.data.store import load_gold
from lib.models.evaluate import evaluate_with_intervals, paired_comparison, split_holdout, tune
from lib.models.recommend import EASE, ItemKNN, Popularity, RP3Beta
from tests.conftest import realdata

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def movielens(tmp_path_factory: pytest.TempPathFactory) -> dict:
    source = realdata("movielens_100k")
    folder = tmp_path_factory.mktemp("ml100k") / "ml"
    build_tables(load_source(source).tables, data_dir=folder, name="ml", source="ml100k")
    gold = load_gold(folder)
    train, test = split_holdout(gold["interactions"], 0.2, seed=0)
    return {"train": train, "test": test, "titles": gold["titles"]}


def _score(model, ml):
    return evaluate_with_intervals(
        model.fit(ml["train"]), ml["train"], ml["test"], 10, min_titles=5, n_boot=300
    )


def test_ease_beats_item_knn_by_15_percent_and_rp3beta_beats_popularity(movielens):
    assert len(movielens["train"]) + len(movielens["test"]) == 100_000
    knn, knn_users = _score(ItemKNN(neighbors=50), movielens)
    ease, ease_users = _score(EASE(500.0), movielens)
    rp3, rp3_users = _score(RP3Beta(1.0, 0.5), movielens)
    pop, pop_users = _score(Popularity(), movielens)
    assert knn["n_users"] == ease["n_users"] == 943
    for metric in ("precision", "ndcg"):
        gain = paired_comparison(ease_users, knn_users, metric=metric, n_boot=300)
        assert gain["relative"] >= 0.15, (metric, gain)
        assert gain["low"] > 0  # better on these viewers, not by chance
        assert rp3[metric] > knn[metric] > pop[metric], metric
        assert paired_comparison(rp3_users, pop_users, metric=metric, n_boot=300)["low"] > 0
    assert ease["precision_low"] < ease["precision"] < ease["precision_high"]


def test_tuning_on_movielens_picks_a_value_near_the_reference(movielens):
    res = tune(EASE, movielens["train"], {"l2": [50.0, 500.0, 5000.0]}, seed=0, refit=False)
    assert res.params == {"l2": 500.0}  # validation prefers the paper's order of magnitude
    assert res.curve["ndcg"].is_unique and res.n_users == 943
