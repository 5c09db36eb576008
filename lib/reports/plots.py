"""Drawing functions of the PDF reports: one per ``Chart.kind``, matplotlib + seaborn.

Each function draws a :class:`lib.reports.model.Chart` into a matplotlib (sub)figure inside
``area`` (left, bottom, right, top as fractions of that figure) on axes it creates itself:
no pyplot state, so reports can be drawn from several threads of the server. Category
labels come from the data and are plain text: the renderer turns mathtext off
(``text.parse_math``) while drawing and saving.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure, SubFigure
from matplotlib.patches import Patch
from scipy.cluster import hierarchy

from lib.charts import cluster as _cluster
from lib.charts.house import PALETTE as _PLOTLY_PALETTE
from lib.reports.model import Chart

__all__ = ["DRAW", "LABEL_CHARS", "PALETTE", "cluster_color", "mpl_color", "short"]

Area = tuple[float, float, float, float]  # left, bottom, right, top
Canvas = Figure | SubFigure

LABEL_CHARS = 38  # category labels longer than this are cut with an ellipsis
TICK_PT = 9
HEAT_CMAP = "rocket_r"  # seaborn's perceptually uniform sequential map, light = low
DIVERGING = "vlag"  # blue below, red above (as the page's z-score heatmap)
INK = "#333333"


def mpl_color(color: str) -> str:
    """A Plotly colour (``"rgb(r, g, b)"`` or ``"#rrggbb"``) as matplotlib's ``#rrggbb``."""
    if color.startswith("rgb"):
        r, g, b = (int(float(v)) for v in color[color.index("(") + 1 : -1].split(",")[:3])
        return f"#{r:02x}{g:02x}{b:02x}"
    return color


#: The house colour-blind-safe palette (``lib.charts.house.PALETTE``) for matplotlib.
PALETTE = [mpl_color(c) for c in _PLOTLY_PALETTE]


def cluster_color(cluster: int) -> str:
    """The colour the Cluster explorer gives ``cluster``."""
    return mpl_color(_cluster.cluster_color(cluster))


def short(value: object, n: int = LABEL_CHARS) -> str:
    """A category value as a label: text, cut to ``n`` characters."""
    text = str(value)
    return text if len(text) <= n else text[: n - 1] + "…"


def _width_in(canvas: Canvas) -> float:
    return canvas.bbox.width / canvas.figure.dpi


def _left(canvas: Canvas, labels: Sequence[object], area: Area, pt: float = TICK_PT) -> float:
    """Left edge of the axes so that the longest y label fits (a fraction of ``canvas``)."""
    longest = max((len(short(v)) for v in labels), default=4)
    need = (0.58 * pt / 72) * longest + 0.25  # average glyph width ~0.58 em, plus ticks
    return min(max(area[0], need / _width_in(canvas)), 0.5)


def _axes(canvas: Canvas, area: Area, left: float | None = None):
    lo, bottom, right, top = area
    x0 = lo if left is None else left
    return canvas.add_axes((x0, bottom, right - x0, top - bottom))


def _style(ax, xlabel: str = "", ylabel: str = "") -> None:
    ax.set_xlabel(xlabel, fontsize=10, color=INK)
    ax.set_ylabel(ylabel, fontsize=10, color=INK)
    ax.tick_params(labelsize=TICK_PT, colors=INK)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _legend(ax, title: str | None = None, handles=None, labels=None) -> None:
    """The legend in a row above the plot (never over the data)."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    names = [short(x, 30) for x in labels]
    if title:  # the legend's title leads its row (a title above it would need a second row)
        names[0] = f"{title}: {names[0]}"
    width = sum(len(n) * 0.6 + 3.5 for n in names) * 8 / 72  # inches: text + handle, 8 pt
    axes_width = ax.get_window_extent().width / ax.figure.figure.dpi
    ax.legend(
        handles,
        names,
        fontsize=8,
        frameon=False,
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncol=len(handles) if width <= axes_width else max(1, (len(handles) + 1) // 2),
        alignment="left",
        borderaxespad=0.2,
        handlelength=1.2,
        columnspacing=1.0,
    )


def _fmt(value: float, fmt: str) -> str:
    return format(value, fmt) if np.isfinite(value) else ""


# --- bars, lines, distributions ---------------------------------------------------------------
def barh(canvas: Canvas, chart: Chart, area: Area) -> None:
    """Horizontal bars in the data's order: ``stack`` [(column, legend)] stacks several
    columns, else ``x``; ``normalize`` draws each bar's parts as shares of its total;
    ``colors`` per stacked column, ``bar_colors`` per bar; ``text`` formats the value
    printed at each bar's end (the total, before normalising); ``ref`` a dashed reference
    line (value, label); ``percent`` for an axis of shares (0-1)."""
    o, d = chart.options, chart.data
    labels = [short(v) for v in d[o["y"]]]
    ax = _axes(canvas, area, _left(canvas, labels, area))
    stack = o.get("stack") or [(o["x"], None)]
    values = np.column_stack([d[c].astype(float).fillna(0).to_numpy() for c, _ in stack])
    totals = values.sum(axis=1)
    if o.get("normalize"):
        values = values / np.where(totals > 0, totals, 1)[:, None]
    pos = np.arange(len(d))
    left = np.zeros(len(d))
    colors = [mpl_color(c) for c in o.get("colors", PALETTE)]
    per_bar = [mpl_color(c) for c in o.get("bar_colors", ())]
    for i, (_, name) in enumerate(stack):
        color = per_bar or colors[i % len(colors)]
        ax.barh(pos, values[:, i], left=left, color=color, label=name, height=0.72)
        left = left + values[:, i]
    if o.get("text"):
        for p, end, total in zip(pos, left, totals):
            ax.text(end, p, " " + _fmt(total, o["text"]), va="center", fontsize=8, color=INK)
        lo = min(float(np.nanmin(values)), 0.0)
        ax.set_xlim(lo * 1.25, max(float(left.max()) * 1.15, 1e-9))
    if o.get("signed"):
        ax.axvline(0, color="#999999", linewidth=0.8, zorder=0)
    if o.get("ref") is not None:
        value, name = o["ref"]
        ax.axvline(value, color=INK, linestyle="--", linewidth=1)
        ax.text(value, -0.55, f"{name} {_fmt(value, o.get('text') or ',.0f')}", fontsize=8,
                color=INK, va="bottom", ha="center")  # fmt: skip
    ax.set_yticks(pos, labels)
    ax.set_ylim(len(d) - 0.5, -0.5)
    if o.get("percent") or o.get("normalize"):
        ax.xaxis.set_major_formatter(mticker.PercentFormatter(1.0, decimals=0))
    else:
        fmt = o.get("xfmt", ",.0f")
        ax.xaxis.set_major_formatter(mticker.StrMethodFormatter("{x:" + fmt + "}"))
    _style(ax, o.get("xlabel", ""))
    if len(stack) > 1:
        _legend(ax)


def line(canvas: Canvas, chart: Chart, area: Area) -> None:
    """A line over time: ``x`` (dates), ``y``."""
    o, d = chart.options, chart.data
    ax = _axes(canvas, area, max(area[0], 0.09))
    sns.lineplot(
        data=d, x=o["x"], y=o["y"], ax=ax, color=o.get("color", PALETTE[0]), lw=2,
        marker="o" if o.get("markers") else None,
    )  # fmt: skip
    ax.yaxis.set_major_formatter(mticker.StrMethodFormatter("{x:" + o.get("yfmt", ",.0f") + "}"))
    ax.set_ylim(bottom=0)
    _style(ax, o.get("xlabel", ""), o.get("ylabel", ""))


def stacked_hist(canvas: Canvas, chart: Chart, area: Area) -> None:
    """Pre-binned counts stacked by group: ``bin_start``, ``bin_end``, ``group``, ``count``."""
    o, d = chart.options, chart.data
    ax = _axes(canvas, area, max(area[0], 0.09))
    bottom = None
    groups = list(o.get("order") or dict.fromkeys(d[o["group"]]))
    for i, g in enumerate(groups):
        if not (d[o["group"]] == g).any():
            continue
        part = d[d[o["group"]] == g].set_index("bin_start")[o["count"]]
        if bottom is None:
            bottom = pd.Series(0.0, index=sorted(d["bin_start"].unique()))
        part = part.reindex(bottom.index, fill_value=0)
        width = float(o["bin_width"]) * 0.95
        ax.bar(
            bottom.index, part, bottom=bottom, width=width, align="edge",
            color=PALETTE[i % len(PALETTE)], label=short(g),
        )  # fmt: skip
        bottom = bottom + part
    ax.yaxis.set_major_formatter(mticker.StrMethodFormatter("{x:,.0f}"))
    _style(ax, o.get("xlabel", ""), o.get("ylabel", "titles"))
    _legend(ax, o.get("legend"))


def strip(canvas: Canvas, chart: Chart, area: Area) -> None:
    """seaborn strip plot: ``x`` values per category ``y``, coloured by ``hue``."""
    o, d = chart.options, chart.data
    d = d.assign(**{o["y"]: d[o["y"]].map(short)})
    order = list(dict.fromkeys(d[o["y"]]))
    hues = o.get("hue_order") or (list(d[o["hue"]].unique()) if o.get("hue") else [])
    ax = _axes(canvas, area, _left(canvas, order, area))
    sns.stripplot(
        data=d, x=o["x"], y=o["y"], hue=o.get("hue"), order=order, ax=ax, jitter=0.25,
        size=6, alpha=0.85, hue_order=hues or None,
        palette=PALETTE[: len(hues)] if hues else None,
    )  # fmt: skip
    ax.grid(axis="y", color="#EEEEEE")
    _style(ax, o.get("xlabel", ""))
    _legend(ax, o.get("legend"))


def box(canvas: Canvas, chart: Chart, area: Area) -> None:
    """seaborn box plot of ``x`` per category ``y`` (``order``), the mean as a white dot."""
    o, d = chart.options, chart.data
    d = d.assign(**{o["y"]: d[o["y"]].map(short)})
    order = [short(v) for v in o.get("order", dict.fromkeys(d[o["y"]]))]
    ax = _axes(canvas, area, _left(canvas, order, area))
    sns.boxplot(
        data=d, x=o["x"], y=o["y"], order=order, ax=ax, color=o.get("color", PALETTE[0]),
        fliersize=2, linewidth=0.8, showmeans=True,
        meanprops={"marker": "o", "markerfacecolor": "white", "markeredgecolor": INK,
                   "markersize": 4},
    )  # fmt: skip
    _style(ax, o.get("xlabel", ""))


# --- heatmaps ---------------------------------------------------------------------------------
def heatmap(canvas: Canvas, chart: Chart, area: Area) -> None:
    """Annotated heatmap of a long table: ``index`` x ``columns`` -> ``values``
    (``row_order`` / ``col_order`` optional); ``fmt`` formats the cell annotations
    (``annot=False`` for dense grids); ``percent`` for shares."""
    o, d = chart.options, chart.data
    grid = d.pivot_table(index=o["index"], columns=o["columns"], values=o["values"], sort=False)
    grid = grid.reindex(
        index=o.get("row_order", grid.index), columns=o.get("col_order", grid.columns)
    )
    grid.index = [short(v, 24) for v in grid.index]
    grid.columns = [short(v, 16) for v in grid.columns]
    ax = _axes(canvas, (area[0], area[1], area[2] - 0.02, area[3]), _left(canvas, grid.index, area))
    annot = o.get("annot", True) and grid.size <= 300
    fmt = o.get("fmt", ".0%")
    if annot and o.get("annot_column"):
        text = d.pivot(index=o["index"], columns=o["columns"], values=o["annot_column"])
        annot = text.reindex(
            index=o.get("row_order", text.index), columns=o.get("col_order", text.columns)
        ).to_numpy()
        fmt = ""
    sns.heatmap(
        grid, ax=ax, cmap=o.get("cmap", HEAT_CMAP), annot=annot, fmt=fmt,
        annot_kws={"fontsize": 8}, linewidths=0.5, linecolor="white",
        cbar_kws={"shrink": 0.8, "label": o.get("cbar", "")},
        vmin=o.get("vmin"), vmax=o.get("vmax"), center=o.get("center"),
    )  # fmt: skip
    if o.get("percent"):
        cbar = ax.collections[0].colorbar
        cbar.ax.yaxis.set_major_formatter(mticker.PercentFormatter(1.0, decimals=0))
    ax.tick_params(axis="x", labelrotation=o.get("xrotation", 0))
    ax.tick_params(axis="y", labelrotation=0)
    _style(ax, o.get("xlabel", ""), o.get("ylabel", ""))


def clustermap(canvas: Canvas, chart: Chart, area: Area) -> None:
    """seaborn-style clustermap: rows and columns of ``data`` (index = row labels, columns
    = column labels; here features x clusters) ordered by average-linkage dendrograms, drawn
    beside the annotated, diverging heatmap (z-scores, 0 = white)."""
    z = chart.data.astype(float)
    left, bottom, right, top = area
    rows = [short(v, 28) for v in z.index]
    cols = [short(v, 24) for v in z.columns]
    dendro_w, dendro_h = 0.07, 0.08
    height_in = canvas.bbox.height / canvas.figure.dpi
    # room for the column labels, rotated by 25 degrees (glyphs ~0.56 em of 8 pt)
    col_room = (max(len(c) for c in cols) * 0.56 * 8 / 72 * 0.43 + 0.2) / height_in
    row_room = max(len(r) for r in rows) * 0.55 * 8 / 72 / _width_in(canvas) + 0.02
    heat = (left + dendro_w, bottom + col_room, right - row_room - 0.08, top - dendro_h)
    row_order, col_order = _leaves(z.to_numpy()), _leaves(z.to_numpy().T)
    if len(z) > 2:
        ax_r = canvas.add_axes((left, heat[1], dendro_w - 0.005, heat[3] - heat[1]))
        _dendrogram(ax_r, z.to_numpy(), "left")
    if z.shape[1] > 2:
        ax_c = canvas.add_axes((heat[0], heat[3] + 0.005, heat[2] - heat[0], dendro_h - 0.01))
        _dendrogram(ax_c, z.to_numpy().T, "top")
    ax = canvas.add_axes((heat[0], heat[1], heat[2] - heat[0], heat[3] - heat[1]))
    cax = canvas.add_axes((right - 0.03, heat[1] + 0.1, 0.012, max(heat[3] - heat[1] - 0.2, 0.1)))
    grid = pd.DataFrame(z.to_numpy()[np.ix_(row_order, col_order)])
    limit = max(float(np.nanmax(np.abs(grid.to_numpy()))), 0.5)
    sns.heatmap(
        grid, ax=ax, cbar_ax=cax, cmap=DIVERGING, center=0, vmin=-limit, vmax=limit,
        annot=grid.size <= 400, fmt="+.1f", annot_kws={"fontsize": 7},
        linewidths=0.5, linecolor="white", cbar_kws={"label": "z-score"},
    )  # fmt: skip
    ax.set_xticks(np.arange(len(col_order)) + 0.5, [cols[i] for i in col_order])
    ax.set_yticks(np.arange(len(row_order)) + 0.5, [rows[i] for i in row_order])
    ax.yaxis.tick_right()
    ax.tick_params(axis="x", labelrotation=25, labelsize=8)
    for t in ax.get_xticklabels():
        t.set_horizontalalignment("right")
    ax.tick_params(axis="y", labelrotation=0, labelsize=8, left=False)
    ax.set_xlabel("")
    ax.set_ylabel("")


def _leaves(x: np.ndarray) -> list[int]:
    if len(x) <= 2:
        return list(range(len(x)))
    link = hierarchy.linkage(np.nan_to_num(x), method="average", metric="euclidean")
    return list(hierarchy.leaves_list(link))


def _dendrogram(ax, x: np.ndarray, orientation: str) -> None:
    link = hierarchy.linkage(np.nan_to_num(x), method="average", metric="euclidean")
    hierarchy.dendrogram(
        link, ax=ax, orientation=orientation, no_labels=True, color_threshold=0,
        above_threshold_color="#777777",
    )  # fmt: skip
    ax.set_axis_off()


# --- clusters ---------------------------------------------------------------------------------
def _cluster_palette(labels: Sequence[int], names: dict) -> dict[str, str]:
    return {names.get(int(c), str(c)): cluster_color(int(c)) for c in labels}


def scatter(canvas: Canvas, chart: Chart, area: Area) -> None:
    """2-D map coloured by cluster: ``x``, ``y``, ``cluster`` (``names``: cluster -> text)."""
    o, d = chart.options, chart.data
    names = o.get("names", {})
    d = d.assign(group=[short(names.get(int(c), c + 1), 30) for c in d["cluster"]])
    pal = {
        short(k, 30): v for k, v in _cluster_palette(sorted(d["cluster"].unique()), names).items()
    }
    ax = _axes(canvas, area, max(area[0], 0.09))
    sns.scatterplot(
        data=d, x=o["x"], y=o["y"], hue="group", palette=pal, ax=ax, s=8, alpha=0.6,
        linewidth=0, hue_order=[short(names.get(int(c), c + 1), 30)
                                for c in sorted(d["cluster"].unique())],
    )  # fmt: skip
    _style(ax, o.get("xlabel", ""), o.get("ylabel", ""))
    _legend(ax)


def violins(canvas: Canvas, chart: Chart, area: Area) -> None:
    """Silhouette values per cluster as seaborn box plots (``cluster``, ``silhouette``)."""
    o, d = chart.options, chart.data
    names = o.get("names", {})
    order_c = sorted(d["cluster"].unique())
    d = d.assign(group=[short(names.get(int(c), c + 1), 30) for c in d["cluster"]])
    order = [short(names.get(int(c), c + 1), 30) for c in order_c]
    pal = dict(zip(order, [cluster_color(int(c)) for c in order_c]))
    ax = _axes(canvas, area, _left(canvas, order, area))
    sns.boxplot(
        data=d, x="silhouette", y="group", hue="group", order=order, palette=pal, ax=ax,
        fliersize=1.5, linewidth=0.8, legend=False,
    )  # fmt: skip
    mean = float(d["silhouette"].mean())
    ax.axvline(mean, color=INK, linestyle="--", linewidth=1)
    ax.text(mean, -0.6, f" mean {mean:.2f}", fontsize=8, color=INK)
    ax.axvline(0, color="#999999", linewidth=0.8)
    _style(ax, o.get("xlabel", "silhouette"))


def pairs(canvas: Canvas, chart: Chart, area: Area) -> None:
    """Pair plot by cluster: scatter of every pair of ``features`` (off the diagonal),
    each cluster's distribution on the diagonal (seaborn kde)."""
    o, d = chart.options, chart.data
    feats, labels, names = o["features"], o["labels"], o.get("names", {})
    n = len(feats)
    left, bottom, right, top = area
    gs = canvas.add_gridspec(
        n, n, left=left + 0.03, right=right - 0.16, bottom=bottom + 0.03, top=top,
        wspace=0.08, hspace=0.08,
    )  # fmt: skip
    clusters = sorted(d["cluster"].unique())
    colors = {c: cluster_color(int(c)) for c in clusters}
    point_colors = d["cluster"].map(colors).to_numpy()  # rows in sampled order: no cluster on top
    for i, fy in enumerate(feats):
        for j, fx in enumerate(feats):
            ax = canvas.add_subplot(gs[i, j])
            if i == j:
                edges = np.histogram_bin_edges(d[fx].dropna(), bins=20)
                for c in clusters:  # each cluster's distribution (density, same bins)
                    part = d.loc[d["cluster"] == c, fx].dropna()
                    ax.hist(part, bins=edges, density=True, histtype="stepfilled", alpha=0.3,
                            color=colors[c], edgecolor=colors[c], linewidth=0.8)  # fmt: skip
            else:
                ax.scatter(d[fx], d[fy], s=3, alpha=0.5, c=point_colors, lw=0, rasterized=True)
            ax.set_ylabel(short(labels[i], 20) if j == 0 else "", fontsize=8)
            ax.set_xlabel(short(labels[j], 20) if i == n - 1 else "", fontsize=8)
            ax.tick_params(labelsize=6, colors=INK)
            if j:
                ax.set_yticklabels([])
            if i < n - 1:
                ax.set_xticklabels([])
    handles = [Patch(color=colors[c], label=short(names.get(int(c), c + 1), 30)) for c in clusters]
    canvas.legend(
        handles=handles, loc="center right", fontsize=7, frameon=False,
        bbox_to_anchor=(right, (top + bottom) / 2),
    )  # fmt: skip


# --- model quality ----------------------------------------------------------------------------
def curve(canvas: Canvas, chart: Chart, area: Area) -> None:
    """A ROC, precision-recall or reliability curve: ``x``, ``y``; ``diagonal`` draws the
    chance line, ``hline`` a horizontal reference (value, label), ``point`` marks the
    threshold's operating point (x, y, label); ``size`` scales markers by a column."""
    o, d = chart.options, chart.data
    ax = _axes(canvas, area, max(area[0], 0.12))
    if o.get("size"):
        sns.scatterplot(
            data=d, x=o["x"], y=o["y"], size=o["size"], ax=ax, color=PALETTE[0], legend=False,
            sizes=(15, 120),
        )  # fmt: skip
        ax.plot(d[o["x"]], d[o["y"]], color=PALETTE[0], lw=1)
    else:
        ax.plot(d[o["x"]], d[o["y"]], color=PALETTE[0], lw=2, label=o.get("label"))
    if o.get("diagonal"):
        ax.plot([0, 1], [0, 1], color="#888888", linestyle="--", lw=1, label=o["diagonal"])
    if o.get("hline") is not None:
        value, name = o["hline"]
        ax.axhline(value, color="#888888", linestyle=":", lw=1.2, label=name)
    if o.get("point") is not None:
        px, py, name = o["point"]
        ax.plot([px], [py], "o", color=PALETTE[1], ms=8, label=name)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    _style(ax, o.get("xlabel", ""), o.get("ylabel", ""))
    _legend(ax)


def errorbars(canvas: Canvas, chart: Chart, area: Area) -> None:
    """Grouped horizontal bars with error bars: ``y`` groups, ``hue`` series, ``x`` mean,
    ``err`` SD; ``refs`` [(value, label)] dashed reference lines."""
    o, d = chart.options, chart.data
    groups = list(dict.fromkeys(d[o["y"]]))
    series = list(dict.fromkeys(d[o["hue"]]))
    ax = _axes(canvas, area, _left(canvas, groups, area))
    h = 0.8 / max(len(series), 1)
    for i, s in enumerate(series):
        part = d[d[o["hue"]] == s].set_index(o["y"]).reindex(groups)
        pos = np.arange(len(groups)) + (i - (len(series) - 1) / 2) * h
        ax.barh(
            pos, part[o["x"]], xerr=part[o["err"]], height=h * 0.9, label=s,
            color=PALETTE[i % len(PALETTE)], error_kw={"elinewidth": 1, "capsize": 3},
        )  # fmt: skip
        for p, v in zip(pos, part[o["x"]]):
            ax.text(0.01, p, f"{s} {v:.3f}", va="center", fontsize=8, color="white")
    for value, name in o.get("refs", ()):
        ax.axvline(value, color="#555555", linestyle="--", lw=1, label=name)
    ax.set_yticks(np.arange(len(groups)), [short(g) for g in groups])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.0)
    _style(ax, o.get("xlabel", ""))
    _legend(ax)


DRAW: dict[str, Callable[[Canvas, Chart, Area], Any]] = {
    "barh": barh,
    "line": line,
    "stacked_hist": stacked_hist,
    "strip": strip,
    "box": box,
    "heatmap": heatmap,
    "clustermap": clustermap,
    "scatter": scatter,
    "silhouettes": violins,
    "pairs": pairs,
    "curve": curve,
    "errorbars": errorbars,
}
