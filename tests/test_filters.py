"""lib.filters: filter state, masks on titles and sessions, the fast ``tally`` groupby."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.filters import (
    Filters,
    filter_options,
    filter_sessions,
    filter_titles,
    list_contains,
    list_values,
    prepare_sessions,
    search_titles,
    session_mask,
    tally,
    title_mask,
    users_in,
    viewer_mask,
)


@pytest.fixture
def titles() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "title_id": ["t1", "t2", "t3", "t4", "t5", "t6"],
            "title": ["Red Sky", "Blue Moon", "Green Hill", "Sci Story", "Night (TV)", "Empty"],
            "content_type": ["Movie", "TV Series", "Movie", "Movie", "TV Series", "Movie"],
            "genres": ["Drama|Crime", "Comedy", "Crime", "Sci-Fi|Drama", "Horror", np.nan],
            "genre_primary": ["Drama", "Comedy", "Crime", "Sci-Fi", "Horror", "Drama"],
            "release_year": [2001.0, 2010.0, 2015.0, 2020.0, np.nan, 2020.0],
            "country": ["USA|Canada", "UK", "USA", "Canada", "Japan", np.nan],
            "maturity_rating": ["R", "TV-14", "PG-13", "PG-13", "TV-MA", "R"],
            "director": ["Ann Lee", "Bo Kim", "Ann Lee|Cy Dow", np.nan, "Dee Fox", "Ed Gray"],
            "cast": ["Mia Stone|Leo Park", "Sam Reed", "Leo Park", "Ivy Chen", np.nan, "Omar Diaz"],
        }
    )


@pytest.fixture
def sessions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "session_id": [f"s{i}" for i in range(8)],
            "user_id": ["u1", "u1", "u2", "u2", "u3", "u3", "u4", "u9"],
            "title_id": ["t1", "t2", "t3", "t4", "t5", "t1", "t2", "zz"],
            "date": pd.to_datetime(
                [
                    "2025-01-01",
                    "2025-01-02",
                    "2025-01-02",
                    "2025-01-31",
                    "2025-02-01",
                    "2025-02-15",
                    "2025-03-01",
                    "2025-03-02",
                ]
            ),
            "hour": np.array([20, 21, 9, 22, 23, 1, 20, 20], dtype="int8"),
            "weekday": np.array([2, 3, 3, 4, 5, 5, 5, 6], dtype="int8"),
            "device_type": pd.Categorical(
                ["Mobile", "Smart TV", "Mobile", "Laptop", "Mobile", "Smart TV", "Tablet", "Mobile"]
            ),
            "subscription_plan": pd.Categorical(
                ["Basic", "Basic", "Premium", "Premium", "Basic", "Basic", "Standard", "Basic"]
            ),
            "location_country": pd.Categorical(
                ["USA", "USA", "UK", "UK", "USA", "USA", "India", "USA"]
            ),
            "watch_minutes": [60.0, 30.0, np.nan, 100.0, 20.0, 90.0, 45.0, 10.0],
            "completed": [True, False, False, True, False, True, False, False],
        }
    )


@pytest.fixture
def users() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": ["u1", "u2", "u3", "u4", "u5"],
            "rfm_segment": ["Champions", "Loyal", "Champions", np.nan, "At risk"],
            "engagement_score": [90.0, 70.0, 85.0, 20.0, 10.0],
        }
    )


# --- titles ----------------------------------------------------------------------------------


def test_no_filter_keeps_every_row_without_a_copy(titles):
    f = Filters()
    assert not f.active and f.describe() == "no filters"
    assert filter_titles(titles, f) is titles
    assert title_mask(titles, f).all()


def test_genre_filter_matches_any_listed_genre_exactly(titles):
    out = filter_titles(titles, Filters(genres=("Drama",)))
    # t1 (first genre), t4 (second genre), t6 (no list -> primary genre)
    assert list(out["title_id"]) == ["t1", "t4", "t6"]
    assert list(filter_titles(titles, Filters(genres=("Sci",)))["title_id"]) == []
    assert list(filter_titles(titles, Filters(genres=("Sci-Fi",)))["title_id"]) == ["t4"]
    both = filter_titles(titles, Filters(genres=("Comedy", "Horror")))
    assert list(both["title_id"]) == ["t2", "t5"]


def test_content_type_years_country_and_rating_filters(titles):
    assert list(filter_titles(titles, Filters(content_types=("TV Series",)))["title_id"]) == [
        "t2",
        "t5",
    ]
    # inclusive range; a title without a year is left out once the range is set
    assert list(filter_titles(titles, Filters(years=(2010, 2020)))["title_id"]) == [
        "t2",
        "t3",
        "t4",
        "t6",
    ]
    assert list(filter_titles(titles, Filters(countries=("Canada",)))["title_id"]) == [
        "t1",
        "t4",
    ]
    assert list(filter_titles(titles, Filters(maturity_ratings=("PG-13",)))["title_id"]) == [
        "t3",
        "t4",
    ]


def test_filters_combine_with_and_and_can_select_nothing(titles):
    f = Filters(genres=("Drama",), content_types=("Movie",), years=(2020, 2020))
    assert list(filter_titles(titles, f)["title_id"]) == ["t4", "t6"]
    empty = filter_titles(titles, Filters(genres=("Comedy",), content_types=("Movie",)))
    assert empty.empty and list(empty.columns) == list(titles.columns)


def test_describe_names_each_active_filter():
    text = Filters(
        genres=("Drama", "Crime"), years=(2000, 2010), dates=(dt.date(2025, 1, 1),) * 2
    ).describe()
    assert "genre: Drama or Crime" in text and "released 2000-2010" in text
    assert "watched 01 Jan 2025" in text


def test_list_helpers():
    s = pd.Series(["a|b", "b", np.nan, "c| d|"], index=[10, 11, 12, 13])
    items = list_values(s)
    assert list(items) == ["a", "b", "b", "c", "d"]
    assert list(items.index) == [10, 10, 11, 13, 13]
    assert list(list_contains(s, ["d"])) == [False, False, False, True]
    assert list(list_contains(s, [])) == [True] * 4


def test_search_is_case_insensitive_literal_over_title_cast_and_director(titles):
    assert list(search_titles(titles, "leo park")["title_id"]) == ["t1", "t3"]
    assert list(search_titles(titles, "ANN")["title_id"]) == ["t1", "t3"]
    assert list(search_titles(titles, "(tv)")["title_id"]) == ["t5"]
    assert search_titles(titles, "  ") is titles
    assert search_titles(titles, "nobody").empty


def test_filter_options(titles, sessions):
    opts = filter_options(titles, sessions)
    assert opts.genres == ("Comedy", "Crime", "Drama", "Horror", "Sci-Fi")
    assert opts.years == (2001, 2020)
    assert opts.countries[0] in ("USA", "Canada") and set(opts.countries) == {
        "USA",
        "Canada",
        "UK",
        "Japan",
    }
    assert opts.maturity_ratings[:2] == ("PG-13", "R")  # vocabulary order first
    assert opts.plans == ("Basic", "Standard", "Premium")
    assert opts.dates == (dt.date(2025, 1, 1), dt.date(2025, 3, 2))
    empty = filter_options(titles.iloc[:0], sessions.iloc[:0])
    assert empty.genres == () and empty.years is None and empty.devices == ()


# --- sessions --------------------------------------------------------------------------------


def test_title_filters_select_the_sessions_of_matching_titles(titles, sessions):
    f = Filters(genres=("Crime",))  # titles t1, t3
    m = session_mask(sessions, f, titles=titles)
    assert list(sessions.loc[m, "session_id"]) == ["s0", "s2", "s5"]
    # a session of an unknown title never passes a title filter
    assert not m[7]
    with pytest.raises(ValueError):
        session_mask(sessions, f)


def test_session_filters(titles, sessions):
    def ids(f: Filters) -> list[str]:
        return list(filter_sessions(sessions, f, titles=titles)["session_id"])

    assert ids(Filters(devices=("Mobile",))) == ["s0", "s2", "s4", "s7"]
    assert ids(Filters(plans=("Premium",))) == ["s2", "s3"]
    assert ids(Filters(viewer_countries=("UK", "India"))) == ["s2", "s3", "s6"]
    assert ids(Filters(dates=(dt.date(2025, 1, 2), dt.date(2025, 2, 1)))) == [
        "s1",
        "s2",
        "s3",
        "s4",
    ]
    assert ids(Filters(devices=("Mobile",), plans=("Standard",))) == []
    assert filter_sessions(sessions, Filters(), titles=titles) is sessions


def test_prepared_view_gives_the_same_masks(titles, sessions, users):
    view = prepare_sessions(sessions, titles, users)
    assert list(view["title_pos"]) == [0, 1, 2, 3, 4, 0, 1, -1]
    assert list(view["user_pos"]) == [0, 0, 1, 1, 2, 2, 3, -1]
    assert view["month"].iloc[0] == (2025 - 1970) * 12
    assert view["day"].iloc[0] == (pd.Timestamp("2025-01-01") - pd.Timestamp("1970-01-01")).days
    assert view["user_id"].isna().tolist() == [False] * 7 + [True]
    assert view["rfm_segment"].astype("str").tolist()[:3] == ["Champions", "Champions", "Loyal"]
    for f in (
        Filters(genres=("Drama",)),
        Filters(devices=("Mobile", "Tablet"), years=(2010, 2020)),
        Filters(dates=(dt.date(2025, 2, 1), dt.date(2025, 3, 1)), plans=("Basic",)),
    ):
        assert (
            session_mask(view, f, titles=titles) == session_mask(sessions, f, titles=titles)
        ).all()


def test_prepared_view_of_empty_sessions(titles, users):
    empty = pd.DataFrame(columns=["session_id", "user_id", "title_id", "date"], dtype=object)
    view = prepare_sessions(empty, titles, users)
    assert len(view) == 0
    assert session_mask(view, Filters(genres=("Drama",)), titles=titles).shape == (0,)


def test_viewers_of_the_selected_sessions(titles, sessions, users):
    view = prepare_sessions(sessions, titles, users)
    part = filter_sessions(view, Filters(plans=("Premium",)), titles=titles)
    assert list(viewer_mask(users, part)) == [False, True, False, False, False]
    assert list(users_in(users, part)["user_id"]) == ["u2"]
    assert list(users_in(users, sessions.iloc[:2])["user_id"]) == ["u1"]  # via user_id
    assert list(users_in(users, part, ["user_id"]).columns) == ["user_id"]
    assert users_in(users, part.iloc[:0]).empty


# --- tally -----------------------------------------------------------------------------------


def test_tally_counts_sums_and_means_like_groupby(sessions):
    t = tally(sessions, ["subscription_plan", "device_type"], "watch_minutes", name="sessions")
    ref = (
        sessions.groupby(["subscription_plan", "device_type"], observed=True)["watch_minutes"]
        .agg(["size", "sum", "mean"])
        .reset_index()
    )
    assert list(t["sessions"]) == list(ref["size"])
    np.testing.assert_allclose(t["total"], ref["sum"])
    np.testing.assert_allclose(t["mean"], ref["mean"])
    # Premium / Mobile has a missing watch_minutes: counted, but not in the mean
    row = t[(t["subscription_plan"] == "Premium") & (t["device_type"] == "Mobile")].iloc[0]
    assert row["sessions"] == 1 and row["total"] == 0 and np.isnan(row["mean"])


def test_tally_on_ints_bools_and_strings(sessions):
    assert tally(sessions, "hour")["hour"].tolist() == [1, 9, 20, 21, 22, 23]
    done = tally(sessions, "completed")
    assert done.set_index("completed")["n"].to_dict() == {False: 5, True: 3}
    users = tally(sessions, "user_id")
    assert users.set_index("user_id")["n"].to_dict() == {
        "u1": 2,
        "u2": 2,
        "u3": 2,
        "u4": 1,
        "u9": 1,
    }
    assert tally(sessions.iloc[:0], "hour").empty


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", None]),
            st.integers(0, 5),
            st.one_of(st.none(), st.floats(0, 100)),
        ),
        min_size=0,
        max_size=40,
    )
)
def test_tally_matches_pandas_groupby(rows):
    df = pd.DataFrame(rows, columns=["k", "h", "v"])
    df["k"] = pd.Categorical(df["k"], categories=["c", "a", "b"])
    df["h"] = df["h"].astype("int8")
    df["v"] = df["v"].astype(float)
    got = tally(df, ["k", "h"], "v")
    ref = df.groupby(["k", "h"], observed=True)["v"].agg(["size", "sum", "mean"]).reset_index()
    assert list(got["k"]) == [str(k) for k in ref["k"]]
    assert list(got["h"]) == list(ref["h"])
    assert list(got["n"]) == list(ref["size"])
    np.testing.assert_allclose(got["total"], ref["sum"])
    np.testing.assert_allclose(got["mean"], ref["mean"])
