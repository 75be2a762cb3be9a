"""Charts of the front page: the headline KPIs as tiles with traffic lights, and the KPIs' states by area.

A traffic light is a coloured badge *with* its symbol and word (``✔ tavoitteessa``, ``▲ lähellä rajaa``,
``✖ poikkeama``), and the state bars are hatched differently, so nothing depends on colour alone. The charts only
draw: texts and numbers come from :mod:`serviceplan.metrics.summary_text`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Patch

from serviceplan.present import theme

STATUS_COLORS: dict[str, str] = {
    "ok": theme.GREEN,
    "warn": theme.ORANGE,
    "alert": theme.VERMILLION,
    "none": theme.GREY,
}
STATUS_HATCHES: dict[str, str | None] = {"ok": None, "warn": "//", "alert": "xx", "none": None}
# Text on each badge colour: white on the dark ones, black on orange (contrast 4.5:1 or more either way).
BADGE_TEXT: dict[str, str] = {"ok": "#000000", "warn": "#000000", "alert": "#000000", "none": "#FFFFFF"}


def kpi_tiles(tiles: Sequence[Mapping[str, str]], *, title: str, columns: int = 2) -> Figure:
    """One tile per KPI (``label``, ``value``, ``status``, ``status_text``, ``target``, ``changes``) in a grid of
    ``columns``: the label, the value in large type, a traffic-light badge with symbol and word, the target and
    the changes."""
    n = max(1, len(tiles))
    rows = int(np.ceil(n / columns))
    fig = plt.figure(figsize=(theme.FIGURE_WIDTH_IN, 1.45 * rows + 0.8), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax, tile in zip(axes, [*tiles, *([None] * (len(axes) - len(tiles)))], strict=True):
        ax.set_axis_off()
        if tile is None:
            continue
        status = str(tile["status"])
        color = STATUS_COLORS[status]
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.add_patch(
            FancyBboxPatch(
                (0.01, 0.03),
                0.98,
                0.94,
                boxstyle="round,pad=0,rounding_size=0.04",
                facecolor="white",
                edgecolor=color,
                lw=2.5,
            )
        )
        ax.add_patch(FancyBboxPatch((0.01, 0.03), 0.025, 0.94, boxstyle="square,pad=0", facecolor=color, lw=0))
        ax.text(0.07, 0.86, textwrap.fill(str(tile["label"]), 34), va="top", fontsize=10, fontweight="bold")
        ax.text(0.07, 0.30, str(tile["value"]), va="bottom", fontsize=20, fontweight="bold")
        ax.text(0.07, 0.10, f"{tile['target']}   {tile['changes']}", va="bottom", fontsize=8.5, color="#333333")
        ax.text(
            0.95,
            0.36,
            str(tile["status_text"]),
            ha="right",
            va="bottom",
            fontsize=10,
            fontweight="bold",
            color=BADGE_TEXT[status],
            bbox={"boxstyle": "round,pad=0.35", "facecolor": color, "lw": 0},
        )
    fig.suptitle(textwrap.fill(title, 80), x=0.01, ha="left")
    return fig


def status_bars(counts: pd.DataFrame, *, labels: Mapping[str, str], title: str) -> Figure:
    """Horizontal bars per area (``area_title``) stacked by state (``ok``, ``warn``, ``alert``), each segment
    hatched by state and labelled with its count; areas without targeted KPIs are left out."""
    shown = counts[counts["targeted"] > 0].reset_index(drop=True)
    n = max(1, len(shown))
    fig, ax = plt.subplots(figsize=(theme.FIGURE_WIDTH_IN, 0.55 * n + 1.8), layout="constrained")
    positions = np.arange(len(shown))[::-1]
    left = np.zeros(len(shown))
    for state in ("ok", "warn", "alert"):
        values = shown[state].astype("float64").to_numpy()
        ax.barh(
            positions,
            values,
            left=left,
            color=STATUS_COLORS[state],
            hatch=STATUS_HATCHES[state],
            height=0.6,
            edgecolor="white",
            lw=0.8,
            label=labels[state],
        )
        for y, x0, v in zip(positions, left, values, strict=True):
            if v > 0:
                ax.text(
                    x0 + v / 2,
                    y,
                    f"{int(v)}",
                    ha="center",
                    va="center",
                    fontsize=10,
                    fontweight="bold",
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "lw": 0, "alpha": 0.9},
                )
        left = left + values
    ax.set_yticks(positions, shown["area_title"].astype(str).tolist())
    ax.set_xlabel("Tunnuslukuja, joilla on tavoite")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    handles = [
        Patch(facecolor=STATUS_COLORS[s], hatch=STATUS_HATCHES[s], edgecolor="white", label=labels[s])
        for s in ("ok", "warn", "alert")
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False)
    fig.suptitle(textwrap.fill(title, 80), x=0.01, ha="left")
    return fig
