"""The report's chart theme: seaborn's clean grid, readable sizes and the Okabe–Ito colour-blind-safe palette.

Okabe & Ito (2008), "Color Universal Design": eight colours that stay distinguishable for the common forms of
colour-vision deficiency and in greyscale print. Yellow is last because it has little contrast on white. The
role colours (actual, budget, forecast, alert) are used the same way on every page.
"""

from __future__ import annotations

# The Okabe–Ito colours, in the order charts take them.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
SKY_BLUE = "#56B4E9"
PURPLE = "#CC79A7"
BLACK = "#000000"
YELLOW = "#F0E442"
PALETTE: tuple[str, ...] = (BLUE, ORANGE, GREEN, VERMILLION, SKY_BLUE, PURPLE, BLACK, YELLOW)

# Roles: the same meaning has the same colour on every page.
ACTUAL = BLUE
BUDGET = BLACK
FORECAST = ORANGE
ALERT = VERMILLION
GREY = "#767676"  # the lightest grey with 4.5:1 contrast on white (WCAG AA for text)

FIGURE_WIDTH_IN = 9.0
FIGURE_HEIGHT_IN = 5.0
SAVE_DPI = 150

RC: dict[str, object] = {
    "figure.figsize": (FIGURE_WIDTH_IN, FIGURE_HEIGHT_IN),
    "figure.dpi": 100,
    "savefig.dpi": SAVE_DPI,
    "figure.constrained_layout.use": True,  # keeps labels inside the figure (no "tight" bbox: a second draw)
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial"],
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "figure.titlesize": 14,
    "figure.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.unicode_minus": True,
    "hatch.color": "#FFFFFF",
}


def apply() -> None:
    """Set the report theme for every chart drawn after this call (seaborn + matplotlib rc settings)."""
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", palette=list(PALETTE), rc=RC)
