"""Demo quality targets of the Recommender page (issue 4) on a freshly built scale-1 demo.

The protocol is the one issue 4 set: ``split_holdout(test_frac=0.2, seed=0)``, models
fitted on train, top-10 lists of unseen titles, every held-out title relevant, hybrid alpha
0.5, ``ranking_metrics`` on a seeded random sample of ``SAMPLE`` viewers (to keep the module
near a minute on a shared machine). EASE (l2 = 500) and RP3beta (alpha 1, beta 0.5) at their
default values are held to the same bar (issue 17); the page tunes them on validation.

Targets:

* genre match of the hybrid model >= 80% (seed 002's "80% match with user genre
  preferences": the share of a viewer's top-10 titles having one of the viewer's 3 most
  watched genres in train, averaged over viewers);
* content, collaborative and hybrid each beat Popularity and Random on NDCG@10.

The content-only viewer model can beat Popularity because demo viewers favour one
sub-theme per genre (``lib.data.synth.THEMES``), which their titles' description words carry.
"""

from __future__ import annotations

import pytest

from lib.data.pipeline import build
from lib.data.store import load_gold
from lib.models.evaluate import BASELINES, ranking_metrics, split_holdout
from lib.models.recommend import (
    EASE,
    ContentKNN,
    Hybrid,
    ItemKNN,
    Popularity,
    RandomRecommender,
    RP3Beta,
)

pytestmark = pytest.mark.slow

SAMPLE = 2000
MODELS = ("Content", "Collaborative", "Hybrid", "EASE", "RP3beta")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("quality") / "demo"
    build(scale=1, seed=0, data_dir=folder)
    return load_gold(folder)


@pytest.fixture(scope="module")
def results(demo: dict) -> dict[str, dict[str, float]]:
    titles, inter = demo["titles"], demo["interactions"]
    train, test = split_holdout(inter, 0.2, 0)
    content = ContentKNN().fit(titles)
    collab = ItemKNN().fit(train)
    models = {
        "Content": Hybrid(content, collab, alpha=1.0).fit(),
        "Collaborative": collab,
        "Hybrid": Hybrid(content, collab, alpha=0.5).fit(),
        "EASE": EASE(500.0).fit(train),
        "RP3beta": RP3Beta(1.0, 0.5).fit(train),
        "Popularity": Popularity().fit(train),
        "Random": RandomRecommender(seed=0).fit(train),
    }
    return {
        name: ranking_metrics(
            model, train, test, 10, titles=titles, content=content, users=SAMPLE, seed=0
        )
        for name, model in models.items()
    }


def _show(results: dict[str, dict[str, float]]) -> str:
    return "; ".join(
        f"{n}: NDCG {r['ndcg']:.4f}, P {r['precision']:.4f}, genre {r['genre_match']:.3f}"
        for n, r in results.items()
    )


def test_every_model_was_scored_on_the_same_sample(results):
    assert set(results) == {*MODELS, *BASELINES}
    assert {r["n_users"] for r in results.values()} == {SAMPLE}
    for r in results.values():
        for metric in ("precision", "recall", "ndcg", "map", "coverage", "genre_match"):
            assert 0.0 <= r[metric] <= 1.0, (metric, r)


def test_hybrid_genre_match_reaches_seed_002s_80_percent(results):
    assert results["Hybrid"]["genre_match"] >= 0.80, _show(results)


@pytest.mark.parametrize(
    ("model", "baseline"),
    [(m, b) for m in MODELS for b in BASELINES],
)
def test_model_beats_the_baseline_on_ndcg_at_10(results, model, baseline):
    assert results[model]["ndcg"] > results[baseline]["ndcg"], _show(results)
