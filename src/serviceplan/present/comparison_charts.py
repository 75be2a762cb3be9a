"""The small-multiples chart of the comparison with the largest cities: one small line chart per indicator.

In each panel the reporting municipality is a thick blue line with markers, every other city a thin grey line,
and the cities' median a black dashed line, so the home's place in the pack shows at a glance; the legend says
which is which, and no line is told apart by colour alone (width, markers and dashes differ). Each panel has its
own y axis (rates, shares and vacancies per unemployed differ in scale).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from serviceplan.present import format as fmt
from serviceplan.present import theme
from serviceplan.present.charts import number_axis, percent_axis

LIGHT_GREY = "#B0B0B0"  # the other cities: context, not to be read one by one


def small_multiples(
    values: Mapping[str, pd.DataFrame],
    *,
    panels: Sequence[tuple[str, str, str]],
    home: str,
    home_label: str,
    months: Sequence[str],
    title: str,
    columns: int = 2,
) -> Figure:
    """One panel per ``panels`` entry (indicator id, panel title, unit ``share`` or ``ratio``) from ``values``
    (indicator id -> month x region table): ``home`` highlighted, the other regions in grey, their median dashed."""
    months = list(months)
    count = len(panels)
    columns = max(1, min(columns, count))
    rows = int(np.ceil(count / columns))
    fig, axes = plt.subplots(
        rows, columns, figsize=(theme.FIGURE_WIDTH_IN, 2.6 * rows + 1.4), squeeze=False, layout="constrained"
    )
    flat = list(axes.ravel())
    for extra in flat[count:]:
        extra.set_visible(False)
    positions = np.arange(len(months))
    for ax, (indicator, panel_title, unit) in zip(flat, panels, strict=False):
        table = values[indicator].reindex(months)
        others = [c for c in table.columns if c != home]
        for region in others:
            ax.plot(positions, table[region].to_numpy(dtype="float64"), color=LIGHT_GREY, lw=0.9)
        median = table.median(axis=1, skipna=True).to_numpy(dtype="float64")
        ax.plot(positions, median, color=theme.BLACK, lw=1.4, ls="--")
        if home in table.columns:
            ax.plot(positions, table[home].to_numpy(dtype="float64"), color=theme.ACTUAL, lw=2.6, marker="o", ms=3.5)
        ax.set_title(textwrap.fill(panel_title, int(theme.FIGURE_WIDTH_IN / columns * 9)), fontsize=11)
        ax.yaxis.set_major_formatter(percent_axis(0) if unit == "share" else number_axis(2))
        ax.yaxis.set_major_locator(MaxNLocator(4))
        _month_ticks(ax, months)
    handles = [
        Line2D([], [], color=theme.ACTUAL, lw=2.6, marker="o", ms=3.5, label=home_label),
        Line2D([], [], color=LIGHT_GREY, lw=0.9, label="muut suurimmat kaupungit"),
        Line2D([], [], color=theme.BLACK, lw=1.4, ls="--", label="kaupunkien mediaani"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False)
    fig.suptitle(textwrap.fill(title, int(theme.FIGURE_WIDTH_IN * 8.5), break_on_hyphens=False), x=0.01, ha="left")
    return fig


def _month_ticks(ax: Axes, months: Sequence[str]) -> None:
    """Label the first and last month and every January and July (the year with the first month and January),
    so that a long series keeps its dates readable in a small panel."""
    places = [i for i, m in enumerate(months) if i in (0, len(months) - 1) or fmt.as_period(m).month in (1, 7)]
    places = [i for i in places if i in (0, len(months) - 1) or min(i, len(months) - 1 - i) >= 2]  # no crowding
    labels = []
    for i in places:
        period = fmt.as_period(months[i])
        name = fmt.month_short(period, with_year=False)
        labels.append(f"{name}\n{period.year}" if i == 0 or period.month == 1 or i == len(months) - 1 else name)
    ax.set_xticks(places, labels)
    ax.set_xlim(-0.6, len(months) - 0.4)
    ax.tick_params(axis="x", which="both", length=0)
    ax.grid(axis="x", visible=False)
