"""The report's one symbol legend: the symbols that stand in place of a number, each with one meaning.

See :mod:`serviceplan.present.disclosure` for what each means and when it is used. Kept apart from disclosure
control (which needs pandas) so that the formats and the publishing pages can write the symbols cheaply.
"""

from __future__ import annotations

from collections.abc import Iterable

CONFIDENTIAL = ".."  # the default of params.disclosure.symbol
NOT_AVAILABLE = "."
NIL = "\u2013"  # en dash
# What ``.`` and ``–`` mean, in the words every page uses (``..`` is explained by disclosure.explanation).
MEANINGS: dict[str, str] = {
    NOT_AVAILABLE: "tieto puuttuu tai ei sovellu",
    NIL: "ei yhtään (luku on nolla)",
}
LEGEND_LEAD = "Merkinnät:"


def symbols_in(cells: Iterable[str]) -> set[str]:
    """The legend's symbols that stand alone in ``cells`` (formatted table cells), ``..`` included."""
    known = {CONFIDENTIAL, NOT_AVAILABLE, NIL}
    return {cell.strip() for cell in cells if cell.strip() in known}


def legend(cells: Iterable[str]) -> str | None:
    """The legend line for the ``.`` and ``–`` among ``cells`` (a table's formatted cells), or ``None`` when the
    table shows neither: ``Merkinnät: ”.” tieto puuttuu tai ei sovellu (...), ”–” ei yhtään (luku on nolla).``"""
    shown = symbols_in(cells)
    parts = [f"”{symbol}” {meaning}" for symbol, meaning in MEANINGS.items() if symbol in shown]
    return f"{LEGEND_LEAD} {', '.join(parts)}." if parts else None


def with_legend(note: str | None, cells: Iterable[str]) -> str | None:
    """``note`` followed by the :func:`legend` of ``cells`` (either may be absent)."""
    parts = [part for part in (note, legend(cells)) if part]
    return " ".join(parts) if parts else None
