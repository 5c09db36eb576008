"""lib.charts builders of the Catalog and Engagement pages: shape of the output and the
aggregates behind each figure, on small literal frames; every figure must be valid Plotly
(the builders skip plotly's validation for speed, so the tests validate instead)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from lib import charts
from lib.filters import prepare_sessions


def valid(fig: go.Figure) -> go.Figure:
    """Re-build the figure with full validation (raises on any invalid property)."""
    assert isinstance(fig, go.Figure)
    checked = go.Figure(fig.to_dict())
    assert checked.layout.title.text, "every figure has a title"
    return checked


@pytest.fixture
def titles() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "title_id": ["t1", "t2", "t3", "t4", "t5"],
            "title": ["A", "B", "C", "D", "E"],
            "content_type": ["Movie", "Movie", "TV Series", "Movie", "TV Series"],
            "genres": ["Drama|Crime", "Drama", "Comedy|Drama", "Crime", np.nan],
            "genre_primary": ["Drama", "Drama", "Comedy", "Crime", "Horror"],
            "release_year": [2000.0, 2001.0, 2001.0, 2010.0, np.nan],
            "duration_minutes": [95.0, 101.0, 44.0, 130.0, 50.0],
            "imdb_rating": [7.0, 8.0, 6.0, np.nan, 5.0],
            "meta_score": [70.0, 60.0, 50.0, 40.0, np.nan],
            "imdb_votes": [100.0, 50.0, 10.0, 5.0, 1.0],
            "weighted_rating": [6.9, 7.4, 6.3, np.nan, 5.9],
            "director": ["Ann Lee", "Ann Lee|Bo Kim", "Bo Kim", "Cy Dow", np.nan],
            "cast": ["Mia|Leo", "Leo", "Leo|Ivy", "Mia", np.nan],
            "weeks_in_top10": [3, 0, 1, 0, 2],
            "added_date": pd.to_datetime(
                ["2020-01-05", "2020-01-20", "2020-03-01", "2021-01-01", pd.NaT]
            ),
        }
    )


@pytest.fixture
def sessions() -> pd.DataFrame:
    n = 12
    return pd.DataFrame(
        {
            "session_id": [f"s{i}" for i in range(n)],
            "user_id": ["u1"] * 5 + ["u2"] * 4 + ["u3"] * 3,
            "title_id": ["t1", "t2", "t3", "t4", "t1", "t2", "t2", "t3", "t5", "t1", "t4", "t4"],
            "date": pd.to_datetime(["2025-01-06"] * 4 + ["2025-02-03"] * 4 + ["2025-02-10"] * 4),
            "hour": np.array([20, 20, 21, 9, 20, 22, 23, 1, 20, 21, 21, 8], dtype="int8"),
            "weekday": np.array([0, 0, 0, 0, 0, 0, 0, 1, 5, 5, 5, 6], dtype="int8"),
            "device_type": pd.Categorical(
                ["Mobile"] * 3 + ["Smart TV"] * 2 + ["Mobile"] * 4 + ["Tablet"] * 3
            ),
            "watch_minutes": [10.0, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, np.nan],
            "completed": [
                True,
                False,
                True,
                False,
                True,
                True,
                False,
                False,
                True,
                True,
                False,
                False,
            ],
            "quality": pd.Categorical(["HD"] * 6 + ["4K"] * 4 + ["SD", "Ultra HD"]),
            "is_download": [False] * 9 + [True] * 3,
            "location_country": pd.Categorical(["USA"] * 8 + ["UK"] * 4),
            "genre_primary": pd.Categorical(
                ["Drama", "Drama", "Comedy", "Crime", "Drama", "Drama"]
                + ["Drama", "Comedy", "Horror", "Drama", "Crime", "Crime"]
            ),
            "subscription_plan": pd.Categorical(["Premium"] * 5 + ["Basic"] * 4 + ["Standard"] * 3),
            "age_band": pd.Categorical(["25-34"] * 5 + ["<18"] * 4 + ["65+"] * 3),
        }
    )


@pytest.fixture
def users() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": ["u1", "u2", "u3", "u4"],
            "engagement_score": [90.0, 60.0, 30.0, 20.0],
            "rfm_segment": ["Champions", "Champions", "At risk", np.nan],
        }
    )


# --- catalog ---------------------------------------------------------------------------------


def test_genre_counts_count_every_genre_of_a_title(titles):
    data = charts.genre_counts(titles).set_index("genre")
    assert data.loc["Drama", "titles"] == 3 and data.loc["Drama", "as_primary"] == 2
    assert data.loc["Drama", "as_secondary"] == 1
    assert data.loc["Crime", "titles"] == 2 and data.loc["Horror", "titles"] == 1  # fallback
    assert data.loc["Drama", "share"] == pytest.approx(3 / 5)
    assert list(charts.genre_counts(titles)["genre"])[0] == "Drama"


def test_genre_popularity_strip_and_treemap(titles):
    fig, data = charts.genre_popularity(titles)
    valid(fig)
    assert len(fig.data) == 2 and fig.layout.barmode == "stack"
    assert data.set_index("genre")["titles"].sum() == 7  # title-genre pairs

    fig, data = charts.genre_strip(titles)
    valid(fig)
    got = data.set_index(["genre", "content_type"])["titles"].to_dict()
    assert got[("Drama", "Movie")] == 2 and got[("Drama", "TV Series")] == 1
    assert got[("Horror", "TV Series")] == 1

    fig, data = charts.genre_treemap(titles)
    valid(fig)
    by_view = data.groupby("view")["titles"].sum()
    assert by_view.filter(like="Primary").iloc[0] == 5  # every title once
    assert by_view.filter(like="All genres").iloc[0] == 7
    assert fig.data[0].values[0] == 12  # root = both branches


def test_genre_wordcloud_is_deterministic():
    freq = {"Drama": 30, "Comedy": 20, "Sci-Fi": 5}
    a = charts.genre_wordcloud(freq, width=300, height=150)
    b = charts.genre_wordcloud(freq, width=300, height=150)
    assert a.shape == (150, 300, 3) and np.array_equal(a, b)
    assert (a < 250).any()  # something was drawn
    blank = charts.genre_wordcloud({}, width=100, height=50)
    assert blank.shape == (50, 100, 3) and (blank == 255).all()


def test_rating_distributions_bin_each_measure(titles):
    fig, data = charts.rating_distributions(titles)
    valid(fig)
    imdb = data[data["measure"] == "imdb_rating"]
    assert imdb["titles"].sum() == 4  # one title has no IMDb rating
    assert imdb.loc[imdb["bin_start"] == 7.0, "titles"].item() == 1
    meta = data[data["measure"] == "meta_score"]
    assert meta["titles"].sum() == 4 and meta["bin_end"].max() == 100
    assert fig.layout.xaxis2.title.text.startswith("critic meta score")


def test_ratings_by_genre_and_audience_vs_critic(titles):
    fig, data = charts.ratings_by_genre(titles)
    valid(fig)
    drama = data.set_index("genre").loc["Drama"]
    assert drama["titles"] == 2 and drama["median"] == pytest.approx(7.5)
    assert list(data["genre"])[0] == "Drama"  # highest median first

    fig, data = charts.audience_vs_critic(titles)
    valid(fig)
    assert len(data) == 3  # titles with both scores
    assert list(data["weighted_rating"]) == sorted(data["weighted_rating"])
    assert fig.data[0].marker.colorscale is not None


def test_distribution_by_type_and_titles_added(titles):
    fig, data = charts.distribution_by_type(
        titles, "duration_minutes", bin_width=10, title="Runtime", x="minutes"
    )
    valid(fig)
    assert data["titles"].sum() == 5
    movies = data[data["content_type"] == "Movie"]
    assert movies.loc[movies["bin_start"] == 100, "titles"].item() == 1
    assert set(np.diff(data["bin_start"].unique())) == {10}

    fig, data = charts.titles_added(titles)
    valid(fig)
    jan = data[data["month"] == pd.Timestamp("2020-01-01")]
    assert jan["titles"].sum() == 2 and data["titles"].sum() == 4  # one title has no date


def test_directors_and_cast(titles):
    stats = charts.director_stats(titles).set_index("director")
    assert stats.loc["Ann Lee", "titles"] == 2 and stats.loc["Bo Kim", "titles"] == 2
    assert stats.loc["Ann Lee", "mean_rating"] == pytest.approx(7.5)
    assert stats.loc["Ann Lee", "weeks_in_top10"] == 3
    assert stats.loc["Bo Kim", "top10_titles"] == 1

    fig, data = charts.director_treemap(titles, top=2)
    valid(fig)
    assert len(data) == 2 and fig.data[0].values[0] == data["titles"].sum()

    fig, data = charts.director_bubbles(titles, min_titles=2)
    valid(fig)
    assert set(data["director"]) == {"Ann Lee", "Bo Kim"}

    fig, data = charts.top_cast(titles, top=2)
    valid(fig)
    assert list(data["cast_member"]) == ["Leo", "Mia"] and list(data["titles"]) == [3, 2]


# --- engagement ------------------------------------------------------------------------------


@pytest.fixture(params=["gold", "prepared"])
def sess(request, sessions, titles, users):
    """Builders accept gold sessions and the prepared view alike."""
    if request.param == "gold":
        return sessions
    return prepare_sessions(sessions, titles, users)


def test_device_heatmap_rows_sum_to_one(sess):
    fig, data = charts.device_heatmap(sess, "subscription_plan")
    valid(fig)
    assert data.groupby("subscription_plan")["share"].sum().round(9).eq(1).all()
    basic = data[data["subscription_plan"] == "Basic"].set_index("device_type")
    assert basic.loc["Mobile", "sessions"] == 4 and basic.loc["Mobile", "share"] == 1
    assert list(fig.data[0].y) == ["Basic", "Standard", "Premium"]  # plan order


def test_top_users_devices(sess):
    fig, data = charts.top_users_devices(sess, top=2)
    valid(fig)
    assert list(fig.data[0].y) == ["u1", "u2"]
    grid = data.set_index(["user_id", "device_type"])["sessions"]
    assert grid[("u1", "Mobile")] == 3 and grid[("u1", "Smart TV")] == 2


def test_device_share_trend(sess):
    fig, data = charts.device_share_trend(sess)
    valid(fig)
    assert data.groupby("month")["share"].sum().round(9).eq(1).all()
    feb = data[data["month"] == pd.Timestamp("2025-02-01")].set_index("device_type")
    assert feb.loc["Mobile", "sessions"] == 4 and feb.loc["Tablet", "sessions"] == 3
    assert feb.loc["Mobile", "share"] == pytest.approx(4 / 8)


def test_hour_weekday_heatmap(sess):
    fig, data = charts.hour_weekday_heatmap(sess)
    valid(fig)
    assert len(data) == 7 * 24 and data["sessions"].sum() == 12
    mon20 = data[(data["weekday"] == 0) & (data["hour"] == 20)]
    assert mon20["sessions"].item() == 3 and mon20["weekday_name"].item() == "Mon"
    assert np.asarray(fig.data[0].z).shape == (7, 24)


def test_watch_time_trend(sess):
    fig, data = charts.watch_time_trend(sess, freq="W")
    valid(fig)
    week = data.set_index("period")["watch_hours"]
    assert week[pd.Timestamp("2025-02-03")] == pytest.approx((50 + 60 + 70 + 80) / 60)


def test_completion_and_breakdowns(sess):
    fig, data = charts.completion_by(sess, "device_type")
    valid(fig)
    rate = data.set_index("device_type")["completion_rate"]
    assert rate["Mobile"] == pytest.approx(4 / 7) and rate["Tablet"] == pytest.approx(1 / 3)
    assert list(data["completion_rate"]) == sorted(data["completion_rate"], reverse=True)

    fig, data = charts.watch_breakdown(sess, "subscription_plan")
    valid(fig)
    row = data.set_index("subscription_plan").loc["Premium"]
    assert row["sessions"] == 5 and row["watch_hours"] == pytest.approx(150 / 60)
    assert row["viewers"] == 1 and row["completion_rate"] == pytest.approx(3 / 5)
    assert list(data["subscription_plan"]) == ["Basic", "Standard", "Premium"]
    std = data.set_index("subscription_plan").loc["Standard"]
    assert std["avg_minutes"] == pytest.approx(105)  # the missing minutes left out

    fig, data = charts.watch_breakdown(sess, "location_country")
    valid(fig)
    assert list(data["location_country"]) == ["USA", "UK"]


def test_download_vs_streaming_and_quality(sess):
    fig, data = charts.download_vs_streaming(sess)
    valid(fig)
    d = data.set_index("mode")
    assert d.loc["downloaded", "sessions"] == 3
    assert d.loc["downloaded", "share_of_sessions"] == pytest.approx(0.25)
    assert d.loc["downloaded", "completion_rate"] == pytest.approx(1 / 3)
    assert d.loc["streamed", "avg_minutes"] == pytest.approx(50)

    fig, data = charts.quality_mix(sess, "device_type")
    valid(fig)
    tablet = data[data["device_type"] == "Tablet"].set_index("quality")["share"]
    assert tablet.to_dict() == pytest.approx({"4K": 1 / 3, "SD": 1 / 3, "Ultra HD": 1 / 3})
    assert [t.name for t in fig.data][:2] == ["SD", "HD"]


def test_sankey_is_built_from_the_aggregates(sess):
    fig, data = charts.segment_genre_sankey(sess, "subscription_plan", top_genres=2)
    valid(fig)
    assert data["sessions"].sum() == 12
    assert set(data["genre"]) == {"Drama", "Crime", "Other genres"}
    premium = data[data["subscription_plan"] == "Premium"].set_index("genre")["sessions"]
    assert premium.to_dict() == {"Drama": 3, "Other genres": 1, "Crime": 1}
    link = fig.data[0].link
    assert sum(link.value) == 12 and len(link.source) == len(data)


def test_segment_engagement(users):
    fig, data = charts.segment_engagement(users, "rfm_segment")
    valid(fig)
    assert data.set_index("rfm_segment")["mean_score"].to_dict() == {
        "Champions": 75.0,
        "At risk": 30.0,
    }
    assert list(data["viewers"]) == [2, 1]


# --- shared behaviour ------------------------------------------------------------------------

CATALOG_BUILDERS = (
    charts.genre_popularity,
    charts.genre_strip,
    charts.genre_treemap,
    charts.rating_distributions,
    charts.ratings_by_genre,
    charts.audience_vs_critic,
    charts.titles_added,
    charts.director_treemap,
    charts.director_bubbles,
    charts.top_cast,
    lambda t: charts.distribution_by_type(
        t, "release_year", bin_width=1, title="Release year", x="year"
    ),
)
SESSION_BUILDERS = (
    charts.device_heatmap,
    charts.top_users_devices,
    charts.device_share_trend,
    charts.hour_weekday_heatmap,
    charts.watch_time_trend,
    lambda s: charts.completion_by(s, "genre_primary"),
    lambda s: charts.watch_breakdown(s, "subscription_plan"),
    charts.download_vs_streaming,
    charts.quality_mix,
    charts.segment_genre_sankey,
)


def test_builders_accept_empty_and_columnless_input(titles, sessions):
    for build in CATALOG_BUILDERS:
        for frame in (titles.iloc[:0], titles[["title_id", "title"]]):
            fig, data = build(frame)
            valid(fig)
            assert len(data) == 0
    for build in SESSION_BUILDERS:
        for frame in (sessions.iloc[:0], sessions[["session_id"]]):
            fig, data = build(frame)
            valid(fig)
            assert len(data) == 0
    fig, data = charts.segment_engagement(pd.DataFrame(columns=["user_id"]))
    valid(fig)


def test_builders_do_not_modify_their_input(titles, sessions):
    t0, s0 = titles.copy(), sessions.copy()
    for build in CATALOG_BUILDERS:
        build(titles)
    for build in SESSION_BUILDERS:
        build(sessions)
    pd.testing.assert_frame_equal(titles, t0)
    pd.testing.assert_frame_equal(sessions, s0)


def test_fast_house_style_equals_style():
    fig = charts._new()
    fig.add_bar(x=["a"], y=[1])
    fast = charts._finish(fig, "T", x="xs", y="ys", height=300, legend=False).to_dict()
    slow = charts.style(go.Figure(go.Bar(x=["a"], y=[1])), "T", x="xs", y="ys", height=300)
    slow.update_layout(showlegend=False)
    slow = slow.to_dict()
    for key in ("title", "height", "margin", "legend", "colorway", "template", "showlegend"):
        assert fast["layout"][key] == slow["layout"][key], key
    assert fast["layout"]["xaxis"]["title"] == slow["layout"]["xaxis"]["title"]


def test_every_builder_runs_on_the_demo_data(gold):
    titles, users = gold["titles"], gold["users"]
    view = prepare_sessions(gold["sessions"], titles, users)
    for build in CATALOG_BUILDERS:
        fig, data = build(titles)
        valid(fig)
        assert len(data) > 0
    for build in SESSION_BUILDERS:
        fig, data = build(view)
        valid(fig)
        assert len(data) > 0
    for seg in ("age_band", "rfm_segment", "user_country"):
        fig, data = charts.device_heatmap(view, seg)
        assert len(data) > 0
    fig, data = charts.segment_engagement(users)
    assert len(data) > 0


def test_watch_hours_trend_leaves_out_partial_periods_at_both_ends():
    # Friday 2024-11-01 .. Wednesday 2024-11-27: the first and last weeks are partial
    days = pd.date_range("2024-11-01", "2024-11-27", freq="D")
    daily = pd.DataFrame({"date": days, "watch_hours": 10.0, "sessions": 2})
    _, data = charts.watch_hours_trend(daily, freq="W")
    assert list(data["period"]) == list(pd.to_datetime(["2024-11-04", "2024-11-11", "2024-11-18"]))
    assert (data["watch_hours"] == 70.0).all()  # only full weeks: 7 days x 10 h
    # a range that starts and ends on full weeks keeps them
    _, full = charts.watch_hours_trend(
        daily[(daily["date"] >= "2024-11-04") & (daily["date"] <= "2024-11-24")], freq="W"
    )
    assert len(full) == 3


def test_tick_labels_are_readable_in_both_themes():
    """Axis tick labels and titles, legend entries and colour-bar titles meet WCAG AA
    (4.5:1) on the page background in light and dark."""
    from lib.charts.house import DARK_BACKGROUND, TICK_INK, figure, for_theme

    def lum(c: str) -> float:
        ch = [int(c[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in ch]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    def contrast(a: str, b: str) -> float:
        hi, lo = sorted((lum(a), lum(b)), reverse=True)
        return (hi + 0.05) / (lo + 0.05)

    bars = figure([{"type": "bar", "x": ["a", "b"], "y": [1, 2]}], "Bars", x="Genre", y="Titles")
    assert bars.layout.xaxis.tickfont.color == TICK_INK == bars.layout.yaxis.tickfont.color
    assert contrast(TICK_INK, "#FFFFFF") >= 4.5
    dark = for_theme(bars, "dark")
    assert dark.layout.xaxis.tickfont.color != TICK_INK
    assert contrast(dark.layout.xaxis.tickfont.color, DARK_BACKGROUND) >= 4.5
    # subplots: every axis; a colour the chart sets itself is kept
    sub = go.Figure(
        layout={"xaxis2": {"tickfont": {"color": "#C62828"}}, "yaxis2": {}},
        data=[go.Scatter(x=[1], y=[1]), go.Scatter(x=[1], y=[1], xaxis="x2", yaxis="y2")],
    )
    lay = figure(sub, "Two panels").layout
    assert lay.xaxis2.tickfont.color == "#C62828" and lay.yaxis2.tickfont.color == TICK_INK
    heat = figure([{"type": "heatmap", "z": [[1, 2]], "colorbar": {"title": {"text": "n"}}}], "H")
    assert heat.data[0].colorbar.tickfont.color == TICK_INK
    assert heat.data[0].colorbar.title.text == "n"
    assert heat.data[0].colorbar.title.font.color == TICK_INK
    # legend entries too, in both themes; a legend colour a chart sets itself is kept
    assert bars.layout.legend.font.color == TICK_INK
    assert bars.layout.xaxis.title.font.color == TICK_INK == bars.layout.yaxis.title.font.color
    assert bars.layout.xaxis.title.text == "Genre"
    assert contrast(dark.layout.legend.font.color, DARK_BACKGROUND) >= 4.5
    own = figure(go.Figure(layout={"legend": {"font": {"color": "#C62828"}}}), "Own")
    assert own.layout.legend.font.color == "#C62828"
    # no axes, no axis settings
    pie = figure([{"type": "pie", "labels": ["a"], "values": [1]}], "Share")
    assert "xaxis" not in pie.layout.to_plotly_json()
