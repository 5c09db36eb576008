"""lib.charts.html_tiles: the Overview's figure tiles as HTML."""

from __future__ import annotations

import re
import tomllib
from html import escape, unescape

from hypothesis import given
from hypothesis import strategies as st

from lib.charts.html_tiles import DARK_BG, LIGHT_BG, TIP_CSS, Tile, tiles_html
from lib.config import PROJECT_ROOT
from tests.app.conftest import _TILE


def _theme() -> dict:
    return tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())["theme"]


def _rgb(hex_: str) -> tuple[int, ...]:
    return tuple(int(hex_.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))


def test_one_tile_per_figure_in_order_with_its_help():
    html = tiles_html(
        [Tile("Titles", "8,807", "Titles in gold."), Tile("Churn rate", "n/a"), Tile("B", "1")]
    )
    assert [(unescape(a), unescape(b)) for a, b in _TILE.findall(html)] == [
        ("Titles", "8,807"),
        ("Churn rate", "n/a"),
        ("B", "1"),
    ]
    # help: a focusable icon whose accessible label holds the text, and the tooltip itself
    assert html.count('class="sd-help" tabindex="0"') == 1
    assert 'aria-label="Help for Titles: Titles in gold."' in html
    assert '<span class="sd-tip" role="tooltip">Titles in gold.</span>' in html


@given(
    st.lists(
        st.tuples(st.text(min_size=1), st.text(min_size=1), st.none() | st.text(min_size=1)),
        min_size=1,
        max_size=8,
    )
)
def test_no_data_string_becomes_markup(rows):
    """Labels, values and help texts are escaped: whatever they hold, the block has exactly
    one tile per figure and reads back the same text."""
    html = tiles_html([Tile(*r) for r in rows])
    body = html.split("</style>", 1)[1]
    assert body.count('<div class="sd-tile" ') == len(rows)
    got = [(unescape(a), unescape(b)) for a, b in _TILE.findall(body)]
    assert got == [(label, value) for label, value, _ in rows]
    for label, _, help_ in rows:
        if help_:
            assert f"Help for {escape(label)}: {escape(help_)}" in body


def test_the_tooltip_background_is_the_theme_background():
    """The constants are the themes' backgrounds, and the CSS switch picks the light one for
    the light theme's (dark) text and the dark one for the dark theme's (light) text: the
    formula evaluated here as the browser does (the browser test checks the drawn colour)."""
    theme = _theme()
    assert LIGHT_BG == _rgb(theme["light"]["backgroundColor"])
    assert DARK_BG == _rgb(theme["dark"]["backgroundColor"])
    terms = re.findall(r"calc\((\d+) \+ (-?\d+) \* clamp\(0, 128 - ([rgb]), 1\)\)", TIP_CSS)
    assert [t[2] for t in terms] == ["r", "g", "b"]

    def evaluate(text: tuple[int, ...]) -> tuple[int, ...]:
        channel = dict(zip("rgb", text))
        return tuple(
            int(base) + int(span) * min(max(128 - channel[c], 0), 1) for base, span, c in terms
        )

    for kind, bg in (("light", LIGHT_BG), ("dark", DARK_BG)):
        assert evaluate(_rgb(theme[kind]["textColor"])) == bg, kind
