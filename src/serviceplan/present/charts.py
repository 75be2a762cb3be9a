"""Charts for the report pages: Finnish axes, the report theme, and alt text that reaches every output.

How a chart reaches the reader: :func:`show_figure` saves the PNG under ``figures/`` relative to the working
directory (the batch runs each notebook with the version folder as its working directory, so the files land
beside the executed notebook) and displays Markdown in Quarto's figure syntax as the cell output::

    ![<caption: the chart's title, its finding>](figures/name.png){fig-alt="<alt text: what the chart shows>"}

Why this way. Quarto renders a ``text/markdown`` output as Markdown (it prefers it to an image and, without a
``text/html`` part, for HTML too); an image alone in a paragraph becomes a figure whose caption is the text in
brackets, and ``fig-alt`` gives the image its alternative text separately (quarto.org/docs/authoring/figures.html,
"Alt Text"): ``<img alt=...>`` in the HTML site, the image's ``alt`` in the Typst PDF. A figure output of a
notebook cannot take ``fig-alt`` any other way: Quarto reads it only from the ``#| fig-alt:`` cell option, which
is static source text, while the alt text here is generated from the month's numbers. The chart's title leaves the
image and becomes the caption (real text, not an image of text; it says the finding), so the caption and the alt
text are never the same words. The output's metadata (``serviceplan/figure``: name, path, caption, alt) tells the
committee PDF and the HTML previews what the figure is; the previews turn the Markdown into ``<figure>`` HTML
(:mod:`serviceplan.publish.previews`). JupyterLab shows the ``{fig-alt=...}`` attribute as text under the chart.

Every chart's numbers are also shown as a table (:mod:`serviceplan.present.tables`), so nothing is available
only as a picture. Chart titles state the finding; they are generated with the numbers, not written here.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator, MultipleLocator
from PIL import Image

from serviceplan.present import format as fmt
from serviceplan.present import tables, theme
from serviceplan.present.quarto_syntax import FIGURE_MARKER, figure_markdown

FIGURE_DIR = Path("figures")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
PNG_COMPRESS_LEVEL = 3  # zlib level of the saved charts (see save_figure)


# ---- axis formatters -------------------------------------------------------------------------------------------


class EuroFormatter(Formatter):
    """Euro tick labels in one unit for the whole axis (``M€``, ``t€`` or ``€``), chosen from the largest
    visible value, with only as many decimals as the ticks need."""

    def __init__(self) -> None:
        super().__init__()
        self._ticks: list[float] = []

    def set_locs(self, locs) -> None:  # matplotlib passes the tick positions before labelling them
        self._ticks = [float(v) for v in locs]

    def __call__(self, value: float, pos: int | None = None) -> str:
        low, high = self.axis.get_view_interval() if self.axis is not None else (value, value)
        largest = max(abs(low), abs(high), abs(value))
        if largest >= 999_500:
            divisor, unit = 1e6, "M€"
        elif largest >= 1_000:
            divisor, unit = 1e3, "t€"
        else:
            divisor, unit = 1.0, "€"
        if value == 0:
            return "0"
        scaled = [loc / divisor for loc in self._ticks] or [value / divisor]
        decimals = 0
        while decimals < 3 and any(abs(v - round(v, decimals)) > 1e-9 for v in scaled):
            decimals += 1
        return fmt.number(value / divisor, decimals) + fmt.NBSP + unit


def euro_axis() -> Formatter:
    """Tick labels in euros, one unit per axis: ``0``, ``500 t€``, ``1 000 t€``, or ``1,5 M€``."""
    return EuroFormatter()


def number_axis(decimals: int = 0) -> Formatter:
    """Tick labels as Finnish numbers (``1 234``)."""
    return FuncFormatter(lambda value, _pos: fmt.number(value, decimals))


def percent_axis(decimals: int = 0) -> Formatter:
    """Tick labels for shares (0..1) as Finnish percentages (``15 %``)."""
    return FuncFormatter(lambda value, _pos: fmt.percent(value, decimals))


VALUE_AXES: dict[str, Callable[[], Formatter]] = {"eur": euro_axis, "count": number_axis, "share": percent_axis}
VALUE_AXES["days"] = number_axis  # durations in days (e.g. time to fill a vacancy): whole days on the axis


def month_labels(periods: Sequence[str], step: int = 1) -> list[str]:
    """Short Finnish month labels for every ``step``-th month (others blank); the year is added to the first
    label and to every January."""
    labels = []
    for i, period in enumerate(periods):
        parsed = fmt.as_period(period)
        if i % step:
            labels.append("")
            continue
        name = fmt.month_short(parsed, with_year=False)
        labels.append(f"{name}\n{parsed.year}" if i == 0 or parsed.month == 1 else name)
    return labels


def set_month_axis(ax: Axes, periods: Sequence[str], step: int = 1) -> None:
    """Label positions 0..n-1 of ``ax``'s x axis with the months of ``periods`` (every ``step``-th labelled)."""
    ax.set_xticks(range(len(periods)), month_labels(periods, step))
    ax.set_xlim(-0.6, len(periods) - 0.4)
    ax.tick_params(axis="x", which="both", length=0)
    ax.grid(axis="x", visible=False)


def _label_step(months: int, columns: int) -> int:
    """Label every month when a panel has room for it (about eight labels per half page width)."""
    room = 13 if columns == 1 else 7
    return 1 if months <= room else int(np.ceil(months / room))


# ---- showing a chart -------------------------------------------------------------------------------------------


def take_title(fig: Figure) -> str:
    """The figure's title (its ``suptitle``) as one line, removed from the image (it becomes the caption)."""
    title = " ".join(fig.get_suptitle().split())
    if title:
        fig.suptitle("").set_in_layout(False)
    return title


def save_figure(fig: Figure, name: str, directory: Path | None = None) -> Path:
    """Save ``fig`` as ``<directory>/<name>.png`` (default ``figures/`` under the working directory) and close it."""
    if not _NAME.match(name):
        raise ValueError(f"figure name {name!r}: use lower-case letters, digits, '-' and '_'")
    folder = FIGURE_DIR if directory is None else directory
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    # One draw instead of savefig's two: with a layout engine, savefig first draws the whole figure without
    # rendering (to run the constrained layout) and then draws it again to render, while Figure.draw runs the
    # layout engine itself. Drawing once at the saving resolution gives the same pixels for about two thirds of
    # the time.
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    fig.set_dpi(theme.SAVE_DPI)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(physical=True), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    if fig.get_facecolor()[3] == 1.0:
        # An opaque background leaves every pixel opaque: the alpha channel says nothing, and without it the file
        # is smaller and compressed in about two thirds of the time (PNG's row filters see three bytes a pixel).
        image = image.convert("RGB")
    # zlib level 3 instead of Pillow's 6: about a third less CPU for about 5 % larger files (measured on the
    # report's 36 charts: RGB at level 3 is still smaller than RGBA at level 6)
    image.save(path, format="png", compress_level=PNG_COMPRESS_LEVEL, dpi=(theme.SAVE_DPI, theme.SAVE_DPI))
    plt.close(fig)
    return path


def show_figure(fig: Figure, name: str, alt: str, caption: str | None = None) -> None:
    """Save ``fig`` as ``figures/<name>.png`` and show it in Quarto's figure syntax (see the module docstring).

    The caption is the chart's title (taken out of the image) unless ``caption`` is given. ``name`` must be unique
    across the report's notebooks (start it with the area, e.g. ``budget-monthly``): the batch collects every
    notebook's files into one version folder.
    """
    title = take_title(fig)
    caption = caption or title
    path = (FIGURE_DIR / f"{name}.png").as_posix()
    markdown = figure_markdown(path, alt, caption)  # checks the texts before saving
    save_figure(fig, name)
    alt_text = " ".join(alt.split())
    tables.show_markdown(markdown, {FIGURE_MARKER: {"name": name, "path": path, "caption": caption, "alt": alt_text}})


# ---- chart builders -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One column drawn in a chart: the column, its Finnish legend label and how it looks."""

    column: str
    label: str
    color: str = theme.ACTUAL
    hatch: str | None = None


def _title(fig: Figure, title: str) -> None:
    """The figure's title (its finding) at the top left, wrapped to the figure's width."""
    width = int(fig.get_figwidth() * 8.5)  # characters of the bold title font per inch of figure
    fig.suptitle(textwrap.fill(title, width, break_on_hyphens=False), x=0.01, ha="left")


def _legend_below(fig: Figure, handles: list, ncol: int | None = None) -> None:
    fig.legend(handles=handles, loc="outside lower center", ncol=ncol or len(handles), frameon=False)


def _panels(n: int, ncols: int, height_per_row: float) -> tuple[Figure, list[Axes]]:
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(theme.FIGURE_WIDTH_IN, height_per_row * nrows + 1.2),
        squeeze=False,
        layout="constrained",
    )
    flat = list(axes.ravel())
    for extra in flat[n:]:
        extra.set_visible(False)
    return fig, flat[:n]


def monthly_bars(
    data: pd.DataFrame,
    *,
    x: str,
    bars: Sequence[Series],
    reference: Series | None = None,
    facet: str | None = None,
    facet_order: Sequence[str] | None = None,
    facet_titles: Mapping[str, str] | None = None,
    periods: Sequence[str] | None = None,
    title: str,
    unit: str = "eur",
    ncols: int = 2,
) -> Figure:
    """Monthly bars (stacked when several ``bars`` columns) with an optional reference per month (e.g. the
    month's budget, drawn as a black tick), in one panel per ``facet`` value with its own y scale."""
    facets = list(facet_order or (data[facet].drop_duplicates().tolist() if facet else [None]))
    months = list(periods or sorted(data[x].astype(str).unique()))
    fig, axes = _panels(len(facets), ncols, 2.6)
    for ax, key in zip(axes, facets, strict=True):
        part = data if facet is None else data[data[facet] == key]
        part = part.set_index(part[x].astype(str)).reindex(months)
        bottom = np.zeros(len(months))
        for series in bars:
            values = part[series.column].astype("float64").fillna(0.0).to_numpy()
            ax.bar(
                range(len(months)),
                values,
                bottom=bottom,
                color=series.color,
                hatch=series.hatch,
                width=0.7,
                label=series.label,
                linewidth=0,
            )
            bottom = bottom + values
        if reference is not None:
            ref = part[reference.column].astype("float64").to_numpy()
            ax.scatter(range(len(months)), ref, marker="_", s=420, linewidths=2.5, color=reference.color, zorder=3)
        ax.set_title((facet_titles or {}).get(str(key), str(key)) if facet else "", fontsize=11)
        ax.yaxis.set_major_formatter(VALUE_AXES[unit]())
        ax.yaxis.set_major_locator(MaxNLocator(4))
        set_month_axis(ax, months, _label_step(len(months), min(ncols, len(facets))))
    shown = [s for s in bars if data[s.column].astype("float64").fillna(0.0).ne(0).any()] or list(bars[:1])
    handles = [Patch(facecolor=s.color, hatch=s.hatch, label=s.label) for s in shown]  # no legend for empty series
    if reference is not None:
        handles.append(
            Line2D([], [], color=reference.color, marker="_", markersize=18, mew=2.5, ls="", label=reference.label)
        )
    _legend_below(fig, handles)
    _title(fig, title)
    return fig


def cumulative_with_band(
    data: pd.DataFrame,
    *,
    x: str,
    actual: Series,
    reference: Series,
    point: Series,
    low: str,
    high: str,
    band_label: str,
    facet: str | None = None,
    facet_order: Sequence[str] | None = None,
    facet_titles: Mapping[str, str] | None = None,
    periods: Sequence[str] | None = None,
    title: str,
    unit: str = "eur",
    ncols: int = 2,
) -> Figure:
    """Cumulative lines: the actual so far, the reference (e.g. cumulative budget) for the whole period, and a
    forecast continuing the actual, with a shaded interval between ``low`` and ``high``."""
    facets = list(facet_order or (data[facet].drop_duplicates().tolist() if facet else [None]))
    months = list(periods or sorted(data[x].astype(str).unique()))
    fig, axes = _panels(len(facets), ncols, 3.6)
    positions = np.arange(len(months))
    for ax, key in zip(axes, facets, strict=True):
        part = data if facet is None else data[data[facet] == key]
        part = part.set_index(part[x].astype(str)).reindex(months)
        ax.plot(positions, part[reference.column].astype("float64"), color=reference.color, ls="--", lw=1.8)
        ax.fill_between(
            positions,
            part[low].astype("float64"),
            part[high].astype("float64"),
            color=point.color,
            alpha=0.25,
            linewidth=0,
        )
        ax.plot(positions, part[point.column].astype("float64"), color=point.color, ls=":", lw=2.2)
        ax.plot(positions, part[actual.column].astype("float64"), color=actual.color, lw=2.6, marker="o", ms=3.5)
        ax.set_title((facet_titles or {}).get(str(key), str(key)) if facet else "", fontsize=11)
        ax.yaxis.set_major_formatter(VALUE_AXES[unit]())
        ax.yaxis.set_major_locator(MaxNLocator(5))
        ax.set_ylim(bottom=0)
        set_month_axis(ax, months, _label_step(len(months), min(ncols, len(facets))))
    handles = [
        Line2D([], [], color=actual.color, lw=2.6, marker="o", ms=3.5, label=actual.label),
        Line2D([], [], color=reference.color, ls="--", lw=1.8, label=reference.label),
        Line2D([], [], color=point.color, ls=":", lw=2.2, label=point.label),
        Patch(facecolor=point.color, alpha=0.25, label=band_label),
    ]
    _legend_below(fig, handles, ncol=2)
    _title(fig, title)
    return fig


def stacked_bars(
    data: pd.DataFrame,
    *,
    x: str,
    stack: str,
    value: str,
    stack_order: Sequence[str],
    stack_labels: Mapping[str, str] | None = None,
    hatched: Collection[str] = (),
    periods: Sequence[str] | None = None,
    title: str,
    unit: str = "eur",
) -> Figure:
    """Bars per month stacked by category (``stack`` in ``stack_order``, bottom first, palette colours); the
    categories in ``hatched`` are drawn hatched so they stand apart without relying on colour."""
    months = list(periods or sorted(data[x].astype(str).unique()))
    table = data.pivot_table(index=x, columns=stack, values=value, aggfunc="sum")
    table.index = table.index.astype(str)
    table = table.reindex(index=months, columns=list(stack_order)).astype("float64").fillna(0.0)
    fig, ax = plt.subplots(figsize=(theme.FIGURE_WIDTH_IN, 4.8), layout="constrained")
    bottom = np.zeros(len(months))
    handles = []
    for i, category in enumerate(stack_order):
        color = theme.PALETTE[i % len(theme.PALETTE)]
        hatch = "///" if category in hatched else None
        values = table[category].to_numpy()
        ax.bar(range(len(months)), values, bottom=bottom, color=color, hatch=hatch, width=0.7, linewidth=0)
        bottom = bottom + values
        if values.any():  # a category that is zero throughout gets no legend entry
            handles.append(Patch(facecolor=color, hatch=hatch, label=(stack_labels or {}).get(category, category)))
    ax.yaxis.set_major_formatter(VALUE_AXES[unit]())
    set_month_axis(ax, months)
    _legend_below(fig, handles, ncol=min(len(handles), 3))
    _title(fig, title)
    return fig


# ---- lines, category bars and suppressed values ---------------------------------------------------------------

# Line styles and markers taken in order, so that lines differ by more than colour.
LINE_STYLES: tuple[tuple[str, str], ...] = (("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"))
VALUE_LABELS: dict[str, Callable[[float], str]] = {
    "count": fmt.count,
    "share": lambda v: fmt.percent(v, 1),
    "eur": lambda v: fmt.euro_compact(v, 1),
}
VALUE_LABELS["days"] = lambda v: fmt.number(v, 1)  # durations in days, one decimal as delivered


def _numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column as floats (NaN where not a number) and where it holds text, such as a disclosure symbol."""
    hidden = np.array([isinstance(v, str) for v in values.astype(object)], dtype=bool)
    return pd.to_numeric(values.astype(object).where(~hidden), errors="coerce").astype("float64").to_numpy(), hidden


def monthly_lines(
    data: pd.DataFrame,
    *,
    x: str,
    lines: Sequence[Series],
    periods: Sequence[str] | None = None,
    title: str,
    unit: str = "count",
    reference: Series | None = None,
) -> Figure:
    """Monthly lines from a wide table (one row per month, one column per line). Each line has its own colour,
    dash and marker, so none is told apart by colour alone; a missing value (NaN or a disclosure symbol) breaks
    the line. ``reference`` (e.g. a target) is drawn as a thin black line. The y axis starts from zero."""
    months = list(periods or sorted(data[x].astype(str).unique()))
    table = data.set_index(data[x].astype(str)).reindex(months)
    fig, ax = plt.subplots(figsize=(theme.FIGURE_WIDTH_IN, 4.6), layout="constrained")
    positions = np.arange(len(months))
    handles: list = []
    largest = 0.0
    for i, series in enumerate(lines):
        style, marker = LINE_STYLES[i % len(LINE_STYLES)]
        values, _ = _numbers(table[series.column])
        largest = max([largest, *values[np.isfinite(values)]])
        ax.plot(positions, values, color=series.color, ls=style, marker=marker, lw=2.2, ms=5)
        handles.append(Line2D([], [], color=series.color, ls=style, marker=marker, lw=2.2, ms=5, label=series.label))
    if reference is not None:
        values, _ = _numbers(table[reference.column])
        ax.plot(positions, values, color=reference.color, ls="-", lw=1.2)
        handles.append(Line2D([], [], color=reference.color, ls="-", lw=1.2, label=reference.label))
    ax.yaxis.set_major_formatter(VALUE_AXES[unit]())
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.set_ylim(0, largest * 1.1 if largest > 0 else 1)  # headroom: the highest point never touches the frame
    set_month_axis(ax, months, _label_step(len(months), 1))
    _legend_below(fig, handles, ncol=min(len(handles), 4))
    _title(fig, title)
    return fig


def category_bars(
    data: pd.DataFrame,
    *,
    category: str,
    bars: Sequence[Series],
    title: str,
    unit: str = "count",
    labels: Mapping[str, str] | None = None,
    symbol: str = "..",
) -> Figure:
    """Horizontal bars, one group per row of ``data`` (top to bottom in its order), one bar per ``bars`` column,
    each labelled with its value. A cell holding text (the disclosure symbol of a suppressed count) gets no bar:
    ``symbol`` is written in its place, so a hidden count is never drawn."""
    names = data[category].astype(str).tolist()
    width = 0.8 / max(len(bars), 1)
    fig, ax = plt.subplots(
        figsize=(theme.FIGURE_WIDTH_IN, 1.6 + 0.28 * len(names) * max(len(bars), 1)), layout="constrained"
    )
    rows = np.arange(len(names))
    largest = 0.0
    for j, series in enumerate(bars):
        values, hidden = _numbers(data[series.column])
        offsets = rows - 0.4 + width * (j + 0.5)
        ax.barh(offsets, np.nan_to_num(values), height=width * 0.9, color=series.color, hatch=series.hatch, lw=0)
        for position, value, hide in zip(offsets, values, hidden, strict=True):
            if hide or not np.isnan(value):
                text = symbol if hide else VALUE_LABELS[unit](value)
                ax.annotate(
                    text,
                    (0.0 if hide else value, position),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=9,
                )
        if np.isfinite(values).any():
            largest = max(largest, float(np.nanmax(values)))
    ax.set_yticks(rows, [(labels or {}).get(n, n) for n in names])
    ax.invert_yaxis()
    ax.set_xlim(0, largest * 1.15 if largest > 0 else 1)
    ax.xaxis.set_major_formatter(VALUE_AXES[unit]())
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    if len(bars) > 1:
        _legend_below(fig, [Patch(facecolor=s.color, hatch=s.hatch, label=s.label) for s in bars])
    _title(fig, title)
    return fig


def mark_suppressed(ax: Axes, hidden: Sequence[bool], symbol: str) -> None:
    """Write ``symbol`` just above the baseline at each position 0..n-1 of a monthly chart where ``hidden`` is
    True (a suppressed count left undrawn), so that the gap does not read as zero."""
    for position, hide in enumerate(hidden):
        if hide:
            ax.annotate(
                symbol,
                (position, 0),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize=13,
                weight="bold",
            )


def add_reference_line(fig: Figure, value: float, label: str, *, axis: str = "x", color: str = theme.ALERT) -> None:
    """Draw a dashed reference line (e.g. a threshold) at ``value`` on every panel of ``fig`` (vertical for
    ``axis="x"``, horizontal for ``"y"``) and add it to the legend below the figure."""
    for ax in fig.axes:
        (ax.axvline if axis == "x" else ax.axhline)(value, color=color, ls="--", lw=1.6, zorder=2)
    handle = Line2D([], [], color=color, ls="--", lw=1.6)
    handles, labels = [handle], [label]
    for legend in list(fig.legends):
        handles = [*legend.legend_handles, *handles]
        labels = [*(t.get_text() for t in legend.texts), *labels]
        legend.remove()
    fig.legend(handles=handles, labels=labels, loc="outside lower center", ncol=min(len(handles), 3), frameon=False)


def mark_months(fig: Figure, periods: Sequence[str], events: Mapping[str, str]) -> None:
    """Mark each month of ``events`` (``YYYY-MM`` -> short Finnish label, e.g. a rule change) on a monthly chart
    whose x positions 0..n-1 are ``periods``: a dotted vertical line before the month with the label beside it
    (on the line's left in the right half of the chart, so that it stays inside the plot)."""
    for ax in fig.axes:
        for month, label in events.items():
            if month in periods:
                where = list(periods).index(month) - 0.5
                left = where > (len(periods) - 1) / 2
                ax.axvline(where, color=theme.GREY, ls=":", lw=1.4, zorder=1)
                ax.annotate(
                    label, (where, 1.0), xycoords=("data", "axes fraction"), xytext=(-4 if left else 4, -4),
                    textcoords="offset points", va="top", ha="right" if left else "left", fontsize=9,
                    color=theme.GREY,
                )  # fmt: skip


def percent_ticks(ax: Axes, step: float = 0.25, top: float = 1.0) -> None:
    """Put a share axis (0..1) on round percentages (every ``step``) from 0 to ``top`` with a little headroom, so
    that a 100 % target line sits on a labelled tick."""
    ax.set_ylim(0, top * 1.06)
    ax.yaxis.set_major_locator(MultipleLocator(step))
