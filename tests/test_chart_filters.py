"""Chart filters (lib.chart_filters) and their AND with the sidebar filters (Filters.also)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib import chart_filters as cf
from lib.data.session_query import SessionQuery
from lib.filters import (
    FilterOptions,
    Filters,
    filter_sessions,
    filter_titles,
    list_contains,
    prepare_sessions,
)

OPTIONS = FilterOptions(
    genres=("Comedy", "Drama", "Sci-Fi"),
    content_types=("Movie", "TV Series"),
    years=(1990, 2024),
    devices=("Mobile", "Smart TV", "Tablet"),
    plans=("Basic", "Premium"),
)


# -- the URL form ------------------------------------------------------------------------------
def test_parse_reads_every_kind_and_joins_values_of_one_key():
    chips, errors = cf.parse(
        ["genre:Drama", "genre:Comedy", "years:2015-2010", "weekday:Sat", "hour:21:00", "hour:7"]
    )
    assert errors == []
    assert chips == (
        cf.Chip("genre", ("Drama", "Comedy")),
        cf.Chip("years", (2010, 2015)),
        cf.Chip("weekday", (5,)),
        cf.Chip("hour", (21, 7)),
    )
    assert [c.text() for c in chips] == [
        "genre = Drama or Comedy",
        "release year = 2010-2015",
        "weekday = Sat",
        "start hour = 21:00 or 07:00",
    ]


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("Drama", "'Drama' is not a chart filter"),
        ("colour:red", "'colour:red' is not a chart filter"),
        ("hour:25", "'25' is not a start hour"),
        ("weekday:Someday", "'Someday' is not a weekday"),
        ("years:soon", "expected a year or a range of years"),
    ],
)
def test_parse_names_each_bad_value(raw, names):
    chips, errors = cf.parse([raw, "genre:Drama"])
    assert chips == (cf.Chip("genre", ("Drama",)),)  # the good value is kept
    assert len(errors) == 1 and names in errors[0]


_TEXT = st.text(alphabet="abcXYZ -&'", min_size=1, max_size=8).map(str.strip).filter(bool)
_CHIP = st.one_of(
    st.builds(lambda v: cf.Chip("genre", tuple(dict.fromkeys(v))), st.lists(_TEXT, min_size=1)),
    st.builds(lambda v: cf.Chip("device", tuple(dict.fromkeys(v))), st.lists(_TEXT, min_size=1)),
    st.builds(lambda a, b: cf.Chip("years", (min(a, b), max(a, b))), st.integers(0, 3000),
              st.integers(0, 3000)),
    st.builds(lambda v: cf.Chip("hour", tuple(dict.fromkeys(v))),
              st.lists(st.integers(0, 23), min_size=1)),
    st.builds(lambda v: cf.Chip("weekday", tuple(dict.fromkeys(v))),
              st.lists(st.integers(0, 6), min_size=1)),
)  # fmt: skip
_CHIPS = st.lists(_CHIP, max_size=5, unique_by=lambda c: c.key).map(tuple)


@settings(max_examples=150, deadline=None)
@given(_CHIPS)
def test_the_url_form_round_trips(chips):
    assert cf.parse(cf.to_url(chips)) == (chips, [])


@settings(max_examples=150, deadline=None)
@given(_CHIPS, _CHIP)
def test_the_same_selection_twice_restores_the_chips(chips, chip):
    others = tuple(c for c in chips if c.key != chip.key)
    once = cf.toggle(others, {chip.key: chip.values})
    assert chip in once and set(once) - {chip} == set(others)
    assert cf.toggle(once, {chip.key: chip.values}) == others


def test_toggle_replaces_the_chip_of_the_same_dimension_and_ignores_empty():
    chips = (cf.Chip("genre", ("Drama",)), cf.Chip("device", ("Mobile",)))
    assert cf.toggle(chips, {"genre": ("Comedy",)}) == (
        cf.Chip("genre", ("Comedy",)),
        cf.Chip("device", ("Mobile",)),
    )
    assert cf.toggle(chips, {}) == chips
    assert cf.toggle(chips, {"genre": ()}) == chips
    # a heatmap cell sets two dimensions; the same cell again removes both
    cell = {"weekday": (5,), "hour": (21,)}
    assert cf.toggle(cf.toggle(chips, cell), cell) == chips
    assert cf.remove(chips, "genre") == (cf.Chip("device", ("Mobile",)),)


# -- chart selection events --------------------------------------------------------------------
def test_values_from_points_of_bars_heatmap_treemap_and_histogram():
    bars = [{"y": "Drama", "x": 12}, {"y": "Comedy", "x": 3}, {"y": "Drama", "x": 1}]
    assert cf.values_from_points(bars, {"genre": "y"}) == {"genre": ("Drama", "Comedy")}
    cell = [{"x": "07:00", "y": "Tue", "z": 40}]
    assert cf.values_from_points(cell, {"weekday": "y", "hour": "x"}) == {
        "weekday": (1,),
        "hour": (7,),
    }
    years = [{"x": 2011.5, "customdata": [2011.0, 2012.0]}, {"customdata": [2008.0, 2009.0]}]
    assert cf.values_from_points(years, {"years": "customdata.0"}) == {"years": (2008, 2011)}
    strip = [{"y": "Drama", "legendgroup": "Movie"}]
    assert cf.values_from_points(strip, {"genre": "y", "type": "legendgroup"}) == {
        "genre": ("Drama",),
        "type": ("Movie",),
    }
    assert cf.values_from_points([], {"genre": "y"}) == {}
    assert cf.values_from_points([{"x": 3}], {"genre": "y"}) == {}


def test_validate_keeps_only_values_the_dataset_has_and_says_which_it_dropped():
    chips = (
        cf.Chip("genre", ("Drama", "All genres")),  # a treemap's section cell: no genre
        cf.Chip("years", (1950, 1960)),  # before the dataset's first year
        cf.Chip("vcountry", ("FR",)),  # the dataset has no viewer countries
        cf.Chip("hour", (21,)),
    )
    kept, errors = cf.validate(chips, OPTIONS)
    assert kept == (cf.Chip("genre", ("Drama",)), cf.Chip("hour", (21,)))
    assert any("'All genres'" in e for e in errors)
    assert any("1990-2024" in e for e in errors)
    assert any("no viewer country" in e for e in errors)


# -- AND with the sidebar filters --------------------------------------------------------------
def test_chart_filters_and_the_sidebar_filters_both_apply(gold):
    titles = gold["titles"]
    sidebar = Filters(genres=("Drama",))
    chart = cf.to_filters((cf.Chip("genre", ("Comedy",)), cf.Chip("type", ("Movie",))))
    both = Filters(genres=("Drama",), also=(chart,))
    got = filter_titles(titles, both)
    want = titles[
        list_contains(titles["genres"], ["Drama"])
        & list_contains(titles["genres"], ["Comedy"])
        & (titles["content_type"] == "Movie").to_numpy()
    ]
    assert len(want) > 0
    assert got["title_id"].tolist() == want["title_id"].tolist()
    assert both.on_titles and not both.on_sessions
    assert both.describe() == "genre: Drama; genre: Comedy (chart); type: Movie (chart)"
    assert filter_titles(titles, sidebar).shape[0] > len(got)


@pytest.mark.parametrize(
    "chips",
    [
        (cf.Chip("weekday", (5, 6)), cf.Chip("hour", (20, 21, 22))),
        (cf.Chip("genre", ("Drama",)), cf.Chip("device", ("Mobile",))),
    ],
    ids=["weekend-evenings", "genre+device"],
)
def test_session_query_with_chart_filters_matches_pandas(demo_dir: Path, gold, chips):
    flt = Filters(plans=("Premium", "Standard"), also=(cf.to_filters(chips),))
    view = prepare_sessions(gold["sessions"], gold["titles"], gold["users"])
    want = filter_sessions(view, flt, titles=gold["titles"])
    q = SessionQuery(demo_dir, flt, titles=gold["titles"])
    assert len(q) == len(want) > 0
    s = gold["sessions"]
    by_hand = (
        s["subscription_plan"].isin(["Premium", "Standard"])
        if "subscription_plan" in s
        else np.ones(len(s), bool)
    )
    assert len(want) < by_hand.sum()  # the chart filters narrowed the sidebar's selection
    summary = q.summary()
    assert summary["sessions"] == len(want)
    assert summary["viewers"] == want["user_id"].nunique()


def test_the_peak_time_finding_knows_a_chart_filter_picked_the_hour(demo_dir: Path, gold):
    from lib.insights import _peak_slot

    def peak(flt: Filters) -> str:
        found = _peak_slot(SessionQuery(demo_dir, flt, titles=gold["titles"]))
        return found.text if found else ""

    one_hour = peak(Filters(also=(Filters(hours=(21,)),)))
    assert "starting at 21:00 only" in one_hour and "no time of day" not in one_hour
    assert peak(Filters(also=(Filters(hours=(21,), weekdays=(5,)),))) == ""  # one slot
    weekend = peak(Filters(also=(Filters(weekdays=(5, 6)),)))
    assert "an average hour shown" in weekend
    assert "an average hour of the week" in peak(Filters())
