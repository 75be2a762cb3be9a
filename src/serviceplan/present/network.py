"""The network map: a graph of organisations drawn with matplotlib, readable without colour.

Every node type has its own colour *and* marker shape, the legend names both, and every node is labelled with
its name, so the map reads in greyscale and for colour-blind readers. Edge width follows the closeness of the
cooperation; the edges that do not touch the hub (the cooperation between partners, which a network map is made
to show) are drawn dark and solid, the hub's own edges light. Positions are computed by the caller (for example
:func:`serviceplan.metrics.ecosystems.network_layout`), so the picture is reproducible.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

import matplotlib.pyplot as plt
import networkx as nx
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from serviceplan.present import theme
from serviceplan.present.charts import _title

HUB_EDGE_COLOR = "#B5B5B5"
PARTNER_EDGE_COLOR = "#333333"
LABEL_WIDTH = 26  # characters per label line


@dataclass(frozen=True)
class NodeStyle:
    """How one node type looks: its Finnish legend label, colour and matplotlib marker."""

    label: str
    color: str
    marker: str


# Palette colours paired with distinct marker shapes, taken in order for the node types.
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "h", "X")


def node_styles(labels: Mapping[str, str]) -> dict[str, NodeStyle]:
    """A style per node type (``labels`` maps a type code to its Finnish label, in legend order): palette colour
    and marker shape in the same order, so no two types share either."""
    return {
        code: NodeStyle(label, theme.PALETTE[i % len(theme.PALETTE)], MARKERS[i % len(MARKERS)])
        for i, (code, label) in enumerate(labels.items())
    }


def _wrap(name: str, width: int = LABEL_WIDTH) -> str:
    return textwrap.fill(name, width, break_long_words=False, break_on_hyphens=False)


def _label(ax, name: str, x: float, y: float) -> None:
    """The node's name just outside it, on the side away from the centre: left of the nodes on the left, right of
    those on the right, so labels of neighbouring nodes stack instead of overlapping; below (above) a node at the
    very bottom (top)."""
    if abs(x) < 0.05:
        offset, ha, va = (0, -9 if y < 0 else 9), "center", "top" if y < 0 else "bottom"
    else:
        offset, ha, va = (9 if x > 0 else -9, 0), "left" if x > 0 else "right", "center"
    ax.annotate(_wrap(name), (x, y), xytext=offset, textcoords="offset points", ha=ha, va=va, fontsize=8.5,
                linespacing=1.0)  # fmt: skip


def network_figure(
    graph: nx.Graph,
    positions: Mapping[str, tuple[float, float]],
    *,
    styles: Mapping[str, NodeStyle],
    title: str,
    hub: str | None = None,
    type_attribute: str = "type",
    name_attribute: str = "name",
    hub_label: str = "Yhteys keskukseen",
    partner_label: str = "Kumppanien välinen yhteys",
) -> Figure:
    """Draw ``graph`` at ``positions`` (the hub at the centre, the others around it) with node styles by type.

    Edge width is 0.6 + 0.7 x the edge's ``weight``; the hub is drawn larger and labelled in the middle.
    """
    fig, ax = plt.subplots(figsize=(theme.FIGURE_WIDTH_IN, 7.6), layout="constrained")
    for a, b, data in graph.edges(data=True):
        with_hub = hub in (a, b)
        (xa, ya), (xb, yb) = positions[a], positions[b]
        ax.plot(
            [xa, xb],
            [ya, yb],
            color=HUB_EDGE_COLOR if with_hub else PARTNER_EDGE_COLOR,
            lw=0.6 + 0.7 * float(data.get("weight", 1)),
            solid_capstyle="round",
            zorder=1 if with_hub else 2,
        )
    for node, data in graph.nodes(data=True):
        style = styles[str(data.get(type_attribute))]
        x, y = positions[node]
        size = 900 if node == hub else 170
        ax.scatter([x], [y], s=size, marker=style.marker, color=style.color, edgecolors="white", linewidths=1.2,
                   zorder=3)  # fmt: skip
        name = str(data.get(name_attribute, node))
        if node == hub:
            box = {"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}
            ax.text(x, y - 0.12, _wrap(name), ha="center", va="top", fontsize=9.5, fontweight="bold", zorder=4,
                    bbox=box)  # fmt: skip
        else:
            _label(ax, name, x, y)
    present = {str(d.get(type_attribute)) for _, d in graph.nodes(data=True)}
    handles = [
        Line2D([], [], ls="", marker=s.marker, color=s.color, markersize=9, label=s.label)
        for code, s in styles.items()
        if code in present
    ]
    handles += [
        Line2D([], [], color=HUB_EDGE_COLOR, lw=2.5, label=hub_label),
        Line2D([], [], color=PARTNER_EDGE_COLOR, lw=2.5, label=partner_label),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, frameon=False)
    ax.set_xlim(-1.8, 1.8)
    ax.set_ylim(-1.15, 1.12)
    ax.set_aspect("equal")
    ax.axis("off")
    _title(fig, title)
    return fig
