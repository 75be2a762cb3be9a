"""Charts of the knowledge-management page: the plan's actions on a timeline, the risk matrix and the grid of data
deliveries.

Each state is drawn with its own marker shape *and* colour (Okabe–Ito), and the state is also written as text
beside the chart or in the table under it, so no reader depends on colour. The charts only draw: every number and
word comes in from :mod:`serviceplan.metrics.knowledge` and :mod:`serviceplan.metrics.knowledge_text`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter

from serviceplan.present import charts, theme
from serviceplan.present import format as fmt


@dataclass(frozen=True)
class Look:
    """How one state is drawn: marker, colour and legend label."""

    marker: str
    color: str
    label: str
    size: float = 9.0


ACTION_LOOKS: dict[str, Look] = {
    "done": Look("o", theme.GREEN, "valmis (valmistumispäivä)"),
    "on_track": Look(">", theme.BLUE, "aikataulussa (määräaika)"),
    "late": Look("X", theme.VERMILLION, "myöhässä (tilannepäivä)", 10.0),
}
CELL_LOOKS: dict[str, Look] = {
    "delivered": Look("s", theme.BLUE, "toimitettu", 8.0),
    "missing": Look("X", theme.VERMILLION, "puuttuu", 10.0),
    "covered": Look("_", theme.GREY, "aiempi tilannekuva voimassa", 9.0),
}
# Light tints of the palette for the risk bands (black text stays readable on each: contrast above 12:1).
BAND_FILLS: dict[str, str] = {"low": "#E3F1FA", "medium": "#FCEBC7", "high": "#F7CDB5"}


def month_ticks(interval: int) -> FuncFormatter:
    """Finnish month tick labels for a date axis with a tick every ``interval`` months: the year under the first
    tick and under the first tick of each new year (``joulu\n2024``, ``maalis``, ..., ``maalis\n2025``)."""

    def label(value: float, pos: int | None = None) -> str:
        day = mdates.num2date(value).date()
        name = fmt.month_short(f"{day.year:04d}-{day.month:02d}", with_year=False)
        return f"{name}\n{day.year}" if pos == 0 or day.month <= interval else name

    return FuncFormatter(label)


def action_timeline(
    actions: pd.DataFrame,
    *,
    as_of: date,
    as_of_label: str,
    title: str,
) -> Figure:
    """The plan's actions as rows of a timeline, first row on top.

    ``actions`` holds, per row in display order: ``label`` (the y label), ``deadline`` and ``completed_on``
    (timestamps or NaT), ``state`` (``done``/``on_track``/``late``) and ``state_text`` (written at the right
    edge). A deadline is a black tick; a done action is a circle at its completion date (a grey line joins a late
    completion to its deadline); an action on track is a triangle at its deadline; a late one is a cross at
    ``as_of`` joined to its missed deadline by a red line. Continuing actions (no deadline) are marked at
    ``as_of`` (or their completion date).
    """
    n = len(actions)
    fig, ax = plt.subplots(figsize=(11.0, 0.36 * n + 2.2), layout="constrained")
    stamp = pd.Timestamp(as_of)
    dates = [stamp, *actions["deadline"].dropna(), *actions["completed_on"].dropna()]
    low, high = min(dates) - pd.Timedelta(days=25), max(dates) + pd.Timedelta(days=25)
    for i, row in enumerate(actions.itertuples(index=False)):
        y = n - 1 - i
        state = str(row.state)
        look = ACTION_LOOKS[state]
        deadline, completed = row.deadline, row.completed_on
        ax.axhline(y, color="#E6E6E6", lw=0.8, zorder=0)
        if pd.notna(deadline):
            ax.plot([deadline], [y], marker="|", ms=13, mew=2, color=theme.BLACK, ls="", zorder=3)
        if state == "done":
            if pd.notna(deadline) and completed > deadline:
                ax.plot([deadline, completed], [y, y], color=theme.GREY, lw=1.5, zorder=2)
            at = completed
        elif state == "late":
            ax.plot([deadline, stamp], [y, y], color=look.color, lw=2.2, zorder=2)
            at = stamp
        else:
            at = deadline if pd.notna(deadline) else stamp
        ax.plot(
            [at], [y], marker=look.marker, ms=look.size, color=look.color, mec=theme.BLACK, mew=0.6, ls="", zorder=4
        )
    ax.axvline(stamp, color=theme.BLACK, ls="--", lw=1.2, zorder=1)
    ax.text(stamp, n - 0.3, f" {as_of_label}", fontsize=9, va="bottom", ha="center")
    ax.set_yticks(range(n), list(reversed(actions["label"].astype(str).tolist())), fontsize=9)
    # the state in words on the right, as tick labels of a second axis so that the layout makes room for them
    right = ax.secondary_yaxis("right")
    right.set_yticks(range(n), list(reversed(actions["state_text"].astype(str).tolist())), fontsize=9)
    right.tick_params(length=0)
    right.spines["right"].set_visible(False)
    ax.set_ylim(-0.7, n + 0.2)
    ax.set_xlim(low, high)
    months = max(1, int(np.ceil((high - low).days / 30.4 / 9)))
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonthday=1, interval=months))
    ax.xaxis.set_major_formatter(month_ticks(months))
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    handles = [
        Line2D(
            [],
            [],
            marker=look.marker,
            ms=look.size,
            color=look.color,
            mec=theme.BLACK,
            mew=0.6,
            ls="",
            label=look.label,
        )
        for look in ACTION_LOOKS.values()
    ]
    handles.append(Line2D([], [], marker="|", ms=13, mew=2, color=theme.BLACK, ls="", label="määräaika"))
    handles.append(Line2D([], [], color=theme.BLACK, ls="--", lw=1.2, label=as_of_label))
    fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False)
    fig.suptitle(textwrap.fill(title, 95), x=0.01, ha="left")
    return fig


def risk_matrix(
    cells: pd.DataFrame,
    *,
    band_labels: Mapping[str, str],
    band_ranges: Mapping[str, str],
    band_of: Mapping[int, str],
    title: str,
    scale: Sequence[int] = (1, 2, 3, 4, 5),
) -> Figure:
    """A likelihood (x) x impact (y) grid: each cell tinted by its band (``band_of`` maps every score of the grid
    to its band) with its score in the corner, and the ids of the risks rated there written in it.

    ``cells`` holds the occupied cells (``likelihood``, ``impact``, ``risks``: a list of ids).
    """
    fig, ax = plt.subplots(figsize=(7.5, 6.6), layout="constrained")
    for likelihood in scale:
        for impact in scale:
            score = likelihood * impact
            ax.add_patch(
                Rectangle(
                    (likelihood - 0.5, impact - 0.5),
                    1,
                    1,
                    facecolor=BAND_FILLS[band_of[score]],
                    edgecolor="white",
                    lw=2,
                )
            )
            ax.text(likelihood + 0.44, impact - 0.44, str(score), ha="right", va="bottom", fontsize=8, color="#444444")
    for row in cells.itertuples(index=False):
        ids = list(row.risks)
        lines = [" ".join(ids[i : i + 2]) for i in range(0, len(ids), 2)]
        ax.text(
            row.likelihood,
            row.impact + 0.05,
            "\n".join(lines),
            ha="center",
            va="center",
            fontsize=11,
            fontweight="bold",
        )
    ax.set_xlim(scale[0] - 0.5, scale[-1] + 0.5)
    ax.set_ylim(scale[0] - 0.5, scale[-1] + 0.5)
    ax.set_aspect("equal")
    words = {1: "hyvin pieni", 3: "kohtalainen", 5: "hyvin suuri"}
    ticks = [f"{v}\n{words[v]}" if v in words else str(v) for v in scale]
    ax.set_xticks(list(scale), ticks)
    ax.set_yticks(list(scale), [t.replace("\n", " ") for t in ticks])
    ax.set_xlabel("Todennäköisyys")
    ax.set_ylabel("Vaikutus")
    ax.grid(False)
    ax.tick_params(length=0)
    handles = [
        Patch(facecolor=BAND_FILLS[b], edgecolor="#999999", label=f"{band_labels[b]} ({band_ranges[b]} pistettä)")
        for b in band_labels
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False)
    fig.suptitle(textwrap.fill(title, 60), x=0.01, ha="left")
    return fig


def delivery_grid(
    grid: pd.DataFrame,
    *,
    rows: Sequence[str],
    row_labels: Mapping[str, str],
    months: Sequence[str],
    title: str,
) -> Figure:
    """Deliveries as a grid: one row per dataset (``rows``, first on top), one column per month, a marker per
    delivered, missing or covered (snapshot) month; months before a dataset began are left empty."""
    n = len(rows)
    fig, ax = plt.subplots(figsize=(theme.FIGURE_WIDTH_IN + 1.5, 0.4 * n + 2.0), layout="constrained")
    position = {m: i for i, m in enumerate(months)}
    seen = set()
    for r, name in enumerate(rows):
        y = n - 1 - r
        part = grid[grid["dataset"] == name]
        for state, look in CELL_LOOKS.items():
            xs = [position[m] for m in part.loc[part["cell"] == state, "month"].astype(str) if m in position]
            if xs:
                seen.add(state)
                ax.plot(
                    xs,
                    [y] * len(xs),
                    marker=look.marker,
                    ms=look.size,
                    color=look.color,
                    ls="",
                    mew=2 if look.marker == "_" else 0.5,
                    mec=look.color if look.marker == "_" else theme.BLACK,
                )
    ax.set_yticks(range(n), [row_labels[name] for name in reversed(rows)], fontsize=9)
    ax.set_ylim(-0.7, n - 0.3)
    charts.set_month_axis(ax, list(months), 1 if len(months) <= 13 else 2)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    handles = [
        Line2D(
            [],
            [],
            marker=look.marker,
            ms=look.size,
            color=look.color,
            ls="",
            label=look.label,
            mew=2 if look.marker == "_" else 0.5,
            mec=look.color if look.marker == "_" else theme.BLACK,
        )
        for state, look in CELL_LOOKS.items()
        if state in seen or state == "missing"
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False)
    fig.suptitle(textwrap.fill(title, 90), x=0.01, ha="left")
    return fig
