"""Every page in the light and the dark theme: a screenshot of each, and checks that fail
when a theme is not applied or a chart is hard to read in it.

Chromium tells the app the system colour scheme (the app follows it); the pages are opened
from the sidebar in one session per scheme (``scheme_pages``, on the small prebuilt demo).
Screenshots: ``artifacts/e2e/themes/<scheme>-<nn>-<page>.png``, the whole page.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import SCHEMES, VIEWPORT
from tests.e2e.helpers import errors_on_page
from tests.e2e.test_walk import DECLARED_PAGES

pytestmark = pytest.mark.e2e

# What the page and its Plotly charts look like, as the browser drew them: the app's
# background and body text, and per chart the colours Plotly resolved (_fullLayout,
# _fullData) - its paper, title and tick labels, and the colours of its marks (bars, points,
# lines; heatmaps, treemaps and Sankeys colour by value and are left out), and how many
# marks it drew (WebGL traces draw on a canvas and are not counted).
MARKS = ", ".join(
    (
        ".trace path.point",
        ".trace .point path",
        ".trace path.js-line",
        ".trace path.js-fill",
        ".trace path.box",
        ".heatmaplayer image",
        "g.slice",
        ".sankey-node",
        ".indicatorlayer path",
    )
)
LOOK_JS = """(MARKS) => {
  const css = e => getComputedStyle(e);
  const app = document.querySelector('.stApp');
  const text = document.querySelector('[data-testid="stMain"] h1');
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
    .map(e => {
      const L = e._fullLayout, marks = [];
      const gauge = ((e._fullData || []).find(t => t.type === 'indicator') || {}).gauge;
      const add = c => { if (typeof c === 'string') marks.push(c); };
      for (const t of e._fullData || []) {
        const kinds = ['bar', 'scatter', 'box', 'histogram'];
        if (!kinds.includes(t.type) || t.visible !== true) continue;
        const mc = t.marker && t.marker.color;
        if (Array.isArray(mc)) mc.slice(0, 50).forEach(add); else add(mc);
        if (t.type === 'scatter' && (t.mode || '').includes('lines') && t.line) add(t.line.color);
      }
      const drawn = e.querySelectorAll(MARKS).length;
      const gl = (e._fullData || []).some(t => t.type.endsWith('gl'));
      return {title: (L.title && L.title.text) || '', paper: L.paper_bgcolor, drawn, gl,
              traces: (e._fullData || []).length,
              titleColor: L.title.font.color, marks,
              tick: L.xaxis ? L.xaxis.tickfont.color : gauge ? gauge.axis.tickfont.color : null,
              legend: L.showlegend && L.legend ? L.legend.font.color : null,
              axisTitle: L.xaxis && L.xaxis.title.text ? L.xaxis.title.font.color : null};
    });
  return {bg: css(app).backgroundColor, text: text ? css(text).color : null, charts};
}"""

# The top-left pixel of the word cloud image (its background), or null without one.
WORDCLOUD_CORNER_JS = """async () => {
  const img = document.querySelector('[data-testid="stImage"] img');
  if (!img) return null;
  await img.decode();
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return Array.from(ctx.getImageData(1, 1, 1, 1).data).slice(0, 3);
}"""

# The least contrast a bar, point or line may have against the chart's background. Dark:
# WCAG's 3:1 for graphics (the house DARK_PALETTE and the mapped inks are >= 3:1). Light:
# the brand look keeps Paul Tol's Safe palette, whose sand and pale blue are 1.6-1.8:1 on
# white, so only marks that all but vanish fail.
MARK_CONTRAST = {"light": 1.5, "dark": 3.0}
_RGB = re.compile(r"rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)")


def rgb(color: str | list, over: tuple = (255, 255, 255)) -> tuple[float, float, float]:
    """A CSS/Plotly colour as (r, g, b) 0-255, composited over ``over`` when translucent."""
    if isinstance(color, (list, tuple)):
        return tuple(float(c) for c in color[:3])
    c = color.strip()
    if c.startswith("#"):
        h = c[1:] if len(c) == 7 else "".join(ch * 2 for ch in c[1:4])
        return tuple(float(int(h[i : i + 2], 16)) for i in (0, 2, 4))
    m = _RGB.fullmatch(c)
    if not m:
        raise ValueError(f"unreadable colour {color!r}")
    r, g, b, a = (float(v) if v is not None else None for v in m.groups())
    a = 1.0 if a is None else a
    return tuple(a * v + (1 - a) * o for v, o in zip((r, g, b), over, strict=True))


def alpha(color: str) -> float:
    m = _RGB.fullmatch(color.strip())
    return float(m.group(4)) if m and m.group(4) is not None else 1.0


def luminance(color) -> float:
    chans = [v / 255 for v in rgb(color)]
    lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in chans]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b) -> float:
    hi, lo = sorted([luminance(a), luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _problems(look: dict, scheme: str) -> list[str]:
    """What is wrong with one page's look in ``scheme`` (empty: nothing)."""
    bg = look["bg"]
    out = []
    if (luminance(bg) < 0.05) != (scheme == "dark"):
        out.append(f"page background {bg} is not {scheme}")
    if look["text"] and contrast(look["text"], bg) < 7:
        out.append(f"heading {look['text']} on {bg}: {contrast(look['text'], bg):.1f}:1")
    for ch in look["charts"]:
        title = re.sub(r"<[^>]+>", "", ch["title"].replace("<br>", " - "))
        name = title[:60] or "(untitled chart)"
        paper = ch["paper"]
        over = rgb(paper)
        if ch["traces"] and not ch["gl"] and not ch["drawn"]:
            out.append(f"{name}: has {ch['traces']} traces but drew no marks")
        if contrast(paper, bg) > 1.2:
            out.append(f"{name}: paper {paper} stands out of the page {bg}")
        if contrast(ch["titleColor"], paper) < 4.5:
            out.append(f"{name}: title {ch['titleColor']} on {paper}")
        # (a treemap or a pie has no tick labels: None)
        if ch["tick"] and contrast(ch["tick"], paper) < 4.5:  # WCAG AA (house TICK_INK)
            out.append(f"{name}: tick labels {ch['tick']} on {paper}")
        if ch["legend"] and contrast(ch["legend"], paper) < 4.5:
            out.append(f"{name}: legend entries {ch['legend']} on {paper}")
        if ch["axisTitle"] and contrast(ch["axisTitle"], paper) < 4.5:
            out.append(f"{name}: axis title {ch['axisTitle']} on {paper}")
        faint = sorted(
            {
                m
                for m in ch["marks"]
                if alpha(m) >= 0.3 and contrast(rgb(m, over), over) < MARK_CONTRAST[scheme]
            }
        )
        if faint:
            out.append(f"{name}: marks {faint} vanish on {paper}")
    return out


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_page_in_the_theme(scheme_pages, artifacts, scheme):
    sp = scheme_pages[scheme]
    page, shots = sp.page, artifacts / "themes"
    shots.mkdir(exist_ok=True)
    problems: dict[str, list[str]] = {}
    for i, title in enumerate(DECLARED_PAGES):
        sp.open(title)
        look = page.evaluate(LOOK_JS, MARKS)
        found = _problems(look, scheme) + errors_on_page(page)
        if title == "Catalog":
            assert look["charts"], "the Catalog draws Plotly charts"
            corner = page.evaluate(WORDCLOUD_CORNER_JS)
            if corner is None:
                found.append("no word cloud on the Catalog")
            elif contrast(corner, look["bg"]) > 1.2:
                found.append(f"word cloud background {corner} is not the page's {look['bg']}")
        if found:
            problems[title] = found
        # the whole page: a viewport as tall as the main area, then back to the fixed size
        height = page.evaluate(
            "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
        )
        page.set_viewport_size({"width": VIEWPORT["width"], "height": max(height, 600)})
        page.wait_for_timeout(300)
        page.screenshot(path=str(shots / f"{scheme}-{i + 1:02d}-{_slug(title)}.png"))
        page.set_viewport_size(VIEWPORT)
    if problems:
        pytest.fail(
            f"{scheme} theme:\n"
            + "\n".join(f"- {page}: {p}" for page, found in problems.items() for p in found)
        )


# A fingerprint of what the app drew for the theme: every Plotly trace's own colours (marker
# colours and colour scales, set by the server per theme) and the word cloud image.
DRAWN_JS = """() => JSON.stringify({
  traces: [...document.querySelectorAll('.js-plotly-plot')]
    .map(g => g.data.map(t => [t.marker && t.marker.color, t.colorscale])),
  images: [...document.querySelectorAll('[data-testid="stImage"] img')].map(i => i.src),
})"""


def test_a_theme_switch_redraws_the_figures_at_once(prebuilt_server, browser):
    """The system scheme switches while the Catalog is open (as the menu's switch does): the
    page reruns by itself and the figures' colours and the word cloud follow, with no click;
    switching back restores the light drawing, and the page then stays idle (no rerun loop)."""
    from tests.e2e.helpers import ScriptRuns, settle

    context = browser.new_context(color_scheme="light", viewport=VIEWPORT)
    page = context.new_page()
    runs = ScriptRuns(page)
    try:
        page.goto(prebuilt_server["url"] + "/catalog")
        page.get_by_text("Titles shown").first.wait_for(timeout=120_000)
        settle(page)
        light, done = page.evaluate(DRAWN_JS), runs.finished
        page.emulate_media(color_scheme="dark")
        runs.wait_after(page, done, timeout=30)
        settle(page)
        dark = page.evaluate(DRAWN_JS)
        assert dark != light, "the figures kept their light colours after the switch"
        page.emulate_media(color_scheme="light")
        runs.wait_after(page, runs.finished, timeout=30)
        settle(page)
        page.wait_for_timeout(1500)  # the watcher checks every 500 ms
        idle = runs.finished
        page.wait_for_timeout(2000)
        assert runs.finished == idle, "the page kept rerunning after the switch"
        assert page.evaluate(DRAWN_JS) == light
    finally:
        context.close()


# the Overview trend's tick label: its colour as the browser resolved it, and the page's
TREND_INK_JS = """() => ({
  ink: getComputedStyle(document.querySelector('.sd-trend span')).color,
  bg: getComputedStyle(document.querySelector('[data-testid="stApp"]')).backgroundColor,
})"""
_SRGB = re.compile(r"color\(srgb ([\d.]+) ([\d.]+) ([\d.]+)(?: / ([\d.]+))?\)")


def _resolved(color: str, bg: str) -> tuple[float, float, float]:
    """A resolved CSS colour (``rgb()`` or ``color(srgb ...)``) over the background, 0-255."""
    m = _SRGB.fullmatch(color.strip())
    if not m:
        return rgb(color, rgb(bg))
    r, g, b, a = (float(v) if v is not None else None for v in m.groups())
    a = 1.0 if a is None else a
    return tuple(a * 255 * v + (1 - a) * o for v, o in zip((r, g, b), rgb(bg), strict=True))


def test_the_overview_trend_follows_a_theme_switch_with_no_run(prebuilt_server, browser):
    """The trend's text is the theme's own text colour, softened (THEME_INK): a switch of
    the system scheme restyles it in the browser, readable (4.5:1) on both backgrounds,
    and starts no script run (no theme watcher on the Overview's first paint)."""
    from tests.e2e.helpers import ScriptRuns, settle

    context = browser.new_context(color_scheme="light", viewport=VIEWPORT)
    page = context.new_page()
    runs = ScriptRuns(page)
    try:
        page.goto(prebuilt_server["url"])
        page.locator(".sd-trend").first.wait_for(timeout=120_000)
        settle(page)
        light, done = page.evaluate(TREND_INK_JS), runs.finished
        page.emulate_media(color_scheme="dark")
        page.wait_for_function(
            "() => { const c = getComputedStyle(document.querySelector("
            "'[data-testid=\"stApp\"]')).backgroundColor.match(/[0-9.]+/g).map(Number);"
            " return c[0] + c[1] + c[2] < 200; }",
            timeout=10_000,
        )
        page.wait_for_timeout(1500)  # a watcher would have asked for a run by now
        dark = page.evaluate(TREND_INK_JS)
        assert runs.finished == done, "the switch started a script run"
        assert dark["ink"] != light["ink"]
        for look in (light, dark):
            ink = _resolved(look["ink"], look["bg"])
            assert contrast(ink, rgb(look["bg"])) >= 4.5, look
    finally:
        context.close()


TIP_JS = """(i) => {
  const tip = document.querySelectorAll('.sd-tip')[i], s = getComputedStyle(tip);
  const r = tip.getBoundingClientRect();
  return {display: s.display, bg: s.backgroundColor, color: s.color, left: r.left,
          right: r.right, width: window.innerWidth, text: tip.innerText,
          page: getComputedStyle(document.querySelector('.stApp')).backgroundColor,
          ink: getComputedStyle(document.querySelector('[data-testid="stMain"] h1')).color};
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_overview_tiles_help_reads_in_the_theme(prebuilt_server, browser, scheme):
    """The Overview's figure tiles are HTML (lib.charts.html_tiles): a new browser loads no
    st.metric code for them. Their help shows on hover and on keyboard focus, on the theme's
    own background in its text colour, inside the window (the last tile's too, and in a
    narrow window)."""
    from tests.e2e.helpers import ScriptRuns, settle

    context = browser.new_context(color_scheme=scheme, viewport=VIEWPORT)
    page = context.new_page()
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url.rsplit("/", 1)[-1]))
    ScriptRuns(page)
    try:
        page.goto(prebuilt_server["url"])
        page.locator(".sd-tile").first.wait_for(timeout=120_000)
        settle(page)
        assert not [s for s in scripts if s.startswith("Metric.")], "st.metric code loaded"
        helps = page.locator(".sd-help")
        assert helps.count() >= 9  # six figures and three layer scores, each with its help
        assert page.evaluate(TIP_JS, 0)["display"] == "none"
        looks = []
        helps.nth(0).hover()
        looks.append(page.evaluate(TIP_JS, 0))
        helps.nth(5).hover()  # the row's last tile: its help opens leftwards
        looks.append(page.evaluate(TIP_JS, 5))
        page.mouse.move(0, 0)
        helps.nth(1).focus()  # the keyboard reaches it too
        looks.append(page.evaluate(TIP_JS, 1))
        for look in looks:
            assert look["display"] == "block" and look["text"], look
            assert _resolved(look["bg"], look["page"]) == pytest.approx(
                _resolved(look["page"], look["page"]), abs=1
            ), look
            assert look["color"] == look["ink"], look
            assert contrast(rgb(look["color"]), _resolved(look["bg"], look["page"])) >= 4.5
            assert 0 <= look["left"] and look["right"] <= look["width"], look
        # narrower windows: the tiles keep one row, then stack (below 640 px, as st.columns
        # do); every help still opens inside the window
        for width in (700, 390):
            page.set_viewport_size({"width": width, "height": VIEWPORT["height"]})
            page.wait_for_timeout(300)
            for i in range(helps.count()):
                helps.nth(i).focus()
                look = page.evaluate(TIP_JS, i)
                assert look["display"] == "block", (width, i, look)
                assert 0 <= look["left"] and look["right"] <= look["width"], (width, i, look)
    finally:
        context.close()
