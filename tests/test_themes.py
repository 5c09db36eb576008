"""Light and dark themes: .streamlit/config.toml, the dark mapping of a figure's own colours
(lib.charts.house.for_theme) and the word cloud per theme. The browser checks are in
tests/e2e/test_themes.py and tests/e2e/test_visual.py."""

from __future__ import annotations

import tomllib

import numpy as np
import plotly.graph_objects as go
import pytest

from lib import charts
from lib.charts import house
from lib.charts.catalog import WORDCLOUD_COLORS, genre_wordcloud
from lib.config import PROJECT_ROOT

CONFIG = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())


def _luminance(color: str) -> float:
    hex6, _ = house._parse(color)
    rgb = np.array([int(hex6[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(lin @ [0.2126, 0.7152, 0.0722])


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_config_defines_both_themes_and_follows_the_system_setting():
    theme = CONFIG["theme"]
    assert "base" not in theme, "a fixed base would stop the app following the system setting"
    light, dark = theme["light"], theme["dark"]
    assert light["primaryColor"] == "#E50914"  # the brand red
    assert dark["backgroundColor"] == house.DARK_BACKGROUND
    for t in (light, dark):
        assert contrast(t["textColor"], t["backgroundColor"]) >= 7
        # primary and link colours are drawn as text (slider values, active tab, links)
        for key in ("primaryColor", "linkColor"):
            assert contrast(t.get(key, t["primaryColor"]), t["backgroundColor"]) >= 4.5, key
    # the built-in charts use the same colour-blind-safe palettes as the Plotly figures
    assert [house._parse(c)[0] for c in house.PALETTE] == light["chartCategoricalColors"]
    assert house.DARK_PALETTE == dark["chartCategoricalColors"]


def test_dark_palette_is_the_safe_palette_readable_on_the_dark_background():
    assert len(house.DARK_PALETTE) == len(house.PALETTE) == len(set(house.DARK_PALETTE))
    for color in house.DARK_PALETTE:
        assert contrast(color, house.DARK_BACKGROUND) >= 3, color  # graphics: WCAG 1.4.11


def test_every_dark_replacement_reads_on_the_dark_background():
    """Lines, marks and inks are >= 3:1 against the background; fills chosen to sit near
    it (outlines, treemap parents, gauge bands, a scale's low end) are exempt."""
    fills = {"#FFFFFF", "#DDDDDD", "#D9D9D9", "#F6E3E3", "#E3F1E4", "#F4F6F8", "#C6DBEF"}
    for light, dark in house._DARK_COLORS.items():
        if house._parse(light)[0] not in fills:
            assert contrast(dark, house.DARK_BACKGROUND) >= 3, (light, dark)


def _sample() -> go.Figure:
    fig = house.figure(
        [
            {
                "type": "bar",
                "x": ["a", "b"],
                "y": [1, 2],
                "marker": {"color": [house.PALETTE[4], "#0F5C8C"], "line": {"color": "white"}},
                "textfont": {"color": "white"},
                "hovertemplate": "#555 is not a colour here",
            },
            {"type": "heatmap", "z": [[1, 2]], "colorscale": "Reds"},
            {"type": "scatter", "x": [1], "y": [1], "fillcolor": house.rgba(house.PALETTE[3], 0.4)},
        ],
        "Sample",
    )
    house.reference_line(fig, y=1.5, text="mean")
    return fig


def test_for_theme_light_is_the_figure_itself():
    fig = _sample()
    assert house.for_theme(fig, "light") is fig
    assert house.for_theme(fig, None) is fig  # theme unknown (AppTest): as built


def test_for_theme_dark_maps_the_figures_own_colours():
    fig = _sample()
    before = fig.to_dict()
    dark = house.for_theme(fig, "dark")
    assert fig.to_dict() == before, "the input figure is not modified"
    go.Figure(dark.to_dict())  # still a valid figure
    bar, heat, area = dark.data
    assert list(bar.marker.color) == [house.DARK_PALETTE[4], "#3F8FD0"]
    assert bar.marker.line.color == house.DARK_BACKGROUND
    assert bar.textfont.color == house.DARK_BACKGROUND  # white labels sit on lightened bars
    assert bar.hovertemplate == "#555 is not a colour here"  # only colour properties change
    assert area.fillcolor == house.rgba(house.DARK_PALETTE[3], 0.4)  # opacity kept
    low, high = heat.colorscale[0][1], heat.colorscale[-1][1]
    assert contrast(low, house.DARK_BACKGROUND) < contrast(high, house.DARK_BACKGROUND)
    assert list(dark.layout.colorway) == house.DARK_PALETTE
    assert dark.layout.shapes[0].line.color != "#555"
    assert contrast(dark.layout.shapes[0].line.color, house.DARK_BACKGROUND) >= 3


@pytest.mark.parametrize("name", ["Reds", "Blues", "RdBu_r"])
def test_named_scales_are_recognised_also_when_plotly_expanded_them(name):
    """A validated figure (``go.Heatmap``) carries the named scale as a list of colours."""
    fig = go.Figure(go.Heatmap(z=[[0, 1]], colorscale=name))
    assert not isinstance(fig.data[0].colorscale[0][1], str) or fig.data[0].colorscale
    dark = house.for_theme(fig, "dark")
    assert [c for _, c in dark.data[0].colorscale] == [
        c for _, c in house._DARK_SCALES[name.lower()]
    ]


def test_every_builder_of_the_catalog_page_survives_the_dark_mapping(gold):
    titles = gold["titles"]
    for build in (charts.genre_popularity, charts.genre_strip, charts.genre_treemap):
        fig, _ = build(titles)
        dark = house.for_theme(fig, "dark")
        go.Figure(dark.to_dict())
        assert dark.layout.title.text == fig.layout.title.text


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_word_cloud_per_theme(theme):
    background, colors = WORDCLOUD_COLORS[theme]
    for c in colors:
        assert contrast(c, background) >= 4.5, (theme, c)  # words are text
    img = genre_wordcloud({"Drama": 20, "Comedy": 12, "Horror": 3}, theme=theme, width=200)
    corner = "#{:02X}{:02X}{:02X}".format(*img[0, 0])
    assert corner == background
    empty = genre_wordcloud({}, theme=theme, width=20, height=10)
    assert "#{:02X}{:02X}{:02X}".format(*empty[5, 5]) == background
