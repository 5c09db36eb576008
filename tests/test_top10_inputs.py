"""The Top 10 page's input material (lib.models.top10_inputs): slider ranges, option lists, widget
state of a typical or an existing title, and the model input read back from widget state."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd

from lib.config import LIST_SEP, TOP10_LABEL
from lib.models import top10_inputs as ti


def _model():
    """A stand-in with what the input helpers read of a ``Top10Model``."""
    ranges = {
        "imdb_rating": {"min": 2.0, "max": 9.0, "median": 6.5, "p05": 4.0, "p95": 8.5},
        "imdb_votes": {"min": 10, "max": 2_000_000, "median": 5_000, "p05": 50, "p95": 1e6},
        "release_year": {"min": 1990, "max": 2021, "median": 2015, "p05": 1995, "p95": 2021},
        "maturity_rating": {"options": ["TV-MA", "G", "PG-13"], "most_frequent": "TV-MA"},
        "genres": {"options": ["Drama", "Comedy", "Horror"]},
        "genre_primary": {"options": ["Drama", "Comedy"], "most_frequent": "Drama"},
        "cast": {},
    }
    return SimpleNamespace(
        features=list(ranges),
        feature_ranges=ranges,
        typical={"genres": f"Drama{LIST_SEP}Thriller"},
    )


def _specs(model):
    return {
        f: ti.slider_spec(f, model.feature_ranges[f]) for f in model.features if f in ti.NUMERIC
    }


def test_missing_and_labels():
    for value in (None, pd.NA, pd.NaT, float("nan"), np.float32("nan")):
        assert ti.is_missing(value)
    assert not ti.is_missing(0) and not ti.is_missing("")
    assert ti.labels_of(f" a {LIST_SEP}b{LIST_SEP}a{LIST_SEP} ") == ["a", "b"]
    assert ti.labels_of(["x", None, 3]) == ["x", "3"]
    assert ti.labels_of(np.nan) == []


def test_vote_steps_are_log_spaced_and_include_the_ends():
    steps = ti.vote_steps(10, 2_000_000)
    assert steps[0] == 10 and steps[-1] == 2_000_000
    assert steps == sorted(set(steps))
    ratios = [b / a for a, b in zip(steps[1:], steps[2:-1])]
    assert max(ratios) <= 1.5  # "about 20 % apart": never a jump of more than 50 %


def test_slider_specs_by_feature():
    model = _model()
    specs = _specs(model)
    assert specs["imdb_votes"]["kind"] == "votes"
    assert specs["imdb_rating"] == {
        "kind": "float", "min": 2.0, "max": 9.0, "step": 0.1, "format": "%.1f"
    }  # fmt: skip
    assert specs["release_year"]["kind"] == "int" and specs["release_year"]["step"] == 1
    constant = {"min": 2020, "max": 2020}
    assert ti.slider_spec("release_year", constant) is None


def test_numeric_widget_value_clips_and_snaps():
    specs = _specs(_model())
    assert ti.numeric_widget_value("imdb_rating", 12.0, specs["imdb_rating"]) == 9.0
    assert ti.numeric_widget_value("imdb_rating", 6.54, specs["imdb_rating"]) == 6.5
    assert ti.numeric_widget_value("release_year", 1800, specs["release_year"]) == 1990
    votes = ti.numeric_widget_value("imdb_votes", 1_234, specs["imdb_votes"])
    assert votes in specs["imdb_votes"]["options"] and 1_000 <= votes <= 1_500


def test_category_options_order_maturity_ratings():
    options = ti.category_options("maturity_rating", {"options": ["TV-MA", "G", "PG-13"]})
    assert options == ["G", "PG-13", "TV-MA"]
    assert ti.category_options("language", {"options": ["fr", "en"]}) == ["fr", "en"]


def test_name_options_most_frequent_first():
    table = pd.DataFrame({"cast": [f"A{LIST_SEP}B", "B", None, f" B {LIST_SEP}C"]})
    assert ti.name_options(table, "cast") == ["B", "A", "C"]
    assert ti.name_options(table, "director") == []


def test_title_options_are_unique_labels_sorted_by_name():
    table = pd.DataFrame(
        {
            "title_id": ["t1", "t2", "t3", "t4"],
            "title": ["beta", "Alpha", "Alpha", "gamma"],
            "release_year": [2020, 2019, 2019, np.nan],
            TOP10_LABEL: [1, 0, 1, None],  # t4 has no label
        }
    )
    ids, shown = ti.title_options(table)
    assert ids == ["t2", "t3", "t1"]
    assert shown == {"t1": "beta (2020)", "t2": "Alpha (2019) [t2]", "t3": "Alpha (2019) [t3]"}
    assert ti.title_options(table.iloc[0:0]) == ([], {})


def test_typical_state_and_title_state():
    model = _model()
    specs = _specs(model)
    typical = ti.typical_state(model, specs)
    assert typical[ti.key_of("imdb_rating")] == 6.5
    assert typical[ti.unknown_key("imdb_rating")] is False
    assert typical[ti.key_of("maturity_rating")] == "TV-MA"
    assert typical[ti.key_of("genres")] == ["Drama"]  # Thriller was not seen in training
    assert typical[ti.key_of("cast")] == []

    row = pd.Series(
        {
            "imdb_rating": 9.9,
            "imdb_votes": np.nan,
            "release_year": 2000,
            "maturity_rating": "PG-13",
            "genres": f"Horror{LIST_SEP}Western",
            "cast": LIST_SEP.join(f"n{i}" for i in range(12)),
        }
    )
    state, notes = ti.title_state(model, specs, row)
    assert state[ti.key_of("imdb_rating")] == 9.0
    assert state[ti.unknown_key("imdb_votes")] is True
    assert state[ti.key_of("release_year")] == 2000
    assert state[ti.key_of("genres")] == ["Horror"]
    assert state[ti.key_of("cast")] == [f"n{i}" for i in range(10)]
    text = " | ".join(notes)
    assert "outside the training range" in text
    assert "Western" in text
    assert "the first 10 of 12 names kept" in text


def test_sanitized_state_repairs_a_stale_session():
    model = _model()
    specs = _specs(model)
    stale = {
        ti.key_of("imdb_rating"): 42.0,  # out of range
        ti.key_of("release_year"): "2001",  # not a number
        ti.key_of("genres"): ["Drama", "Western"],  # Western unknown
        ti.key_of("cast"): [f"n{i}" for i in range(11)],
    }
    changes = ti.sanitized_state(model, specs, stale)
    assert changes[ti.key_of("imdb_rating")] == 9.0
    assert changes[ti.key_of("release_year")] == 2015
    assert changes[ti.key_of("genres")] == ["Drama"]
    assert len(changes[ti.key_of("cast")]) == ti.MAX_NAMES["cast"]
    assert changes[ti.key_of("maturity_rating")] == "TV-MA"  # missing key filled
    assert stale[ti.key_of("imdb_rating")] == 42.0  # the input is not modified
    typical = ti.typical_state(model, specs)
    again = ti.sanitized_state(model, specs, typical)
    assert set(again) <= {ti.key_of("genres")} and again.get(ti.key_of("genres")) == ["Drama"]


def test_state_row_reads_the_widgets_back():
    model = _model()
    specs = _specs(model)
    state = ti.typical_state(model, specs)
    state[ti.unknown_key("imdb_votes")] = True
    state[ti.key_of("genres")] = ["Comedy", "Drama"]
    state[ti.key_of("maturity_rating")] = None
    row = ti.state_row(model, specs, state)
    assert math.isnan(row["imdb_votes"])
    assert row["imdb_rating"] == 6.5
    assert row["genre_primary"] == "Comedy"  # the first genre, when genres is a feature
    assert math.isnan(row["maturity_rating"])
    assert row["genres"] == ["Comedy", "Drama"] and row["cast"] == []


def test_unusual_and_plain_messages():
    model = _model()
    notes = ti.unusual(model, {"imdb_rating": 3.0, "release_year": 2010, "imdb_votes": np.nan})
    assert len(notes) == 1 and "lower than for 95 %" in notes[0]
    assert ti.unusual(model, {"imdb_rating": 8.8})[0].count("higher than for 95 %") == 1
    assert ti.plain(model, "imdb_rating is missing") != "imdb_rating is missing"
    assert ti.plain(model, "nonsense here") == "nonsense here"


def test_formatting():
    assert ti.fmt_int(1234567.0) == "1,234,567"
    assert ti.plus_minus(0.81234, 0.0123) == "0.812 ± 0.012"
