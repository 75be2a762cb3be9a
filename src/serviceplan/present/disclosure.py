"""Disclosure control and the report's one symbol legend.

The legend (Statistics Finland's PX convention, docs/domain.md): every page, table note and KPI note uses these symbols
and no others in place of a number, each with exactly one meaning.

- ``..`` (:data:`CONFIDENTIAL`, ``params.disclosure.symbol``): confidential, hidden by disclosure control.
- ``.`` (:data:`NOT_AVAILABLE`): no value: not available, cannot be computed, or not applicable (a KPI with no
  target, a change without a comparison month, a forecast for a month already observed).
- ``–`` (:data:`NIL`): a true zero, nothing to report (PX ``-``, "magnitude nil"). A value that only rounds to
  zero is shown as a number (``0``, ``0,0 %``), so ``–`` and ``0`` never mean the same.

"No target" is therefore ``.`` in a number column and the words *ei tavoitetta* in a status column. An en dash
between two values (``1–4``, ``tammi–kesäkuu``) is a range, not a symbol. :func:`legend` explains the ``.`` and
``–`` a table shows; :func:`explanation` explains ``..`` with the suppression rule.

The rule (docs/domain.md, ``params.disclosure``): a count of 1..``min_count``-1 people is *primarily* suppressed and
shown as the symbol (Statistics Finland's ``..``). A zero is shown: it reveals nobody.

*Secondary* suppression: a table's row and column sums are known (printed in the table or elsewhere in the
report), so a line (row or column, with its total if shown) holding exactly one suppressed cell would give that
cell away by subtraction. In every such line one more cell is suppressed: the smallest non-zero count (least
information lost), then a zero, and a total only when nothing else is left. This repeats until no line has a
lone suppressed cell, because a new suppression can leave a lone one in a crossing line.

Values derived from a suppressed count (a percentage, euros paid to those people) are suppressed with it.

Why our own code: the statistical disclosure packages (sdcMicro, tau-argus) are R or Java tools for microdata
and large hierarchical tables; the tables of this report are small aggregates, for which the rule above is
complete and easy to review.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import pandas as pd

from serviceplan.core.params import Disclosure

# The legend, used with disclosure control on every page (its home is serviceplan.present.symbols).
from serviceplan.present.symbols import CONFIDENTIAL as CONFIDENTIAL
from serviceplan.present.symbols import LEGEND_LEAD as LEGEND_LEAD
from serviceplan.present.symbols import MEANINGS as MEANINGS
from serviceplan.present.symbols import NIL as NIL
from serviceplan.present.symbols import NOT_AVAILABLE as NOT_AVAILABLE
from serviceplan.present.symbols import legend as legend
from serviceplan.present.symbols import symbols_in as symbols_in
from serviceplan.present.symbols import with_legend as with_legend

Cell = tuple[Hashable, Hashable]


def primary_mask(values: pd.DataFrame, min_count: int) -> pd.DataFrame:
    """True where a count is 1..``min_count``-1 (missing values and zeros are never suppressed)."""
    numeric = values.apply(pd.to_numeric, errors="coerce").astype("float64")
    return ((numeric > 0) & (numeric < min_count)).fillna(False).astype(bool)


def _equations(
    rows: Sequence[Hashable], columns: Sequence[Hashable], total_row: Hashable | None, total_col: Hashable | None
) -> list[list[Cell]]:
    """The cells of every known sum: each line of the table together with its total (if shown)."""
    inner_rows = [r for r in rows if r != total_row]
    inner_cols = [c for c in columns if c != total_col]
    equations: list[list[Cell]] = []
    for r in [*inner_rows, *([total_row] if total_row is not None else [])]:
        equations.append([(r, c) for c in inner_cols] + ([(r, total_col)] if total_col is not None else []))
    for c in [*inner_cols, *([total_col] if total_col is not None else [])]:
        equations.append([(r, c) for r in inner_rows] + ([(total_row, c)] if total_row is not None else []))
    return [eq for eq in equations if len(eq) >= 2]


def suppression_mask(
    values: pd.DataFrame,
    min_count: int,
    *,
    total_row: Hashable | None = None,
    total_col: Hashable | None = None,
) -> pd.DataFrame:
    """Primary and secondary suppression of a table of counts; True marks a cell that must not be shown.

    ``values`` holds counts only (rows x columns); ``total_row`` / ``total_col`` name its margin row and column,
    if the table shows them. Without margins the sums are still assumed known (they are usually published
    somewhere), so every row and column with two or more cells is protected.
    """
    mask = primary_mask(values, min_count)
    numeric = values.apply(pd.to_numeric, errors="coerce").astype("float64")
    equations = _equations(list(values.index), list(values.columns), total_row, total_col)
    totals = {total_row, total_col} - {None}

    def preference(cell: Cell) -> tuple[bool, bool, float]:
        r, c = cell
        value = float(numeric.at[r, c])
        return (r in totals or c in totals, value == 0, value)

    changed = True
    while changed:
        changed = False
        for equation in equations:
            hidden = [cell for cell in equation if mask.at[cell]]
            if len(hidden) != 1:
                continue
            candidates = [cell for cell in equation if not mask.at[cell] and pd.notna(numeric.at[cell])]
            if not candidates:
                continue
            mask.at[min(candidates, key=preference)] = True
            changed = True
    return mask


def apply_mask(frame: pd.DataFrame, mask: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """A copy of ``frame`` (object dtype) with the symbol wherever ``mask`` (same labels) is True."""
    shown = frame.astype(object).copy()
    for column in mask.columns:
        if column in shown.columns:
            hide = mask[column].reindex(shown.index, fill_value=False).astype(bool)
            shown.loc[hide, column] = symbol
    return shown


def suppress(
    frame: pd.DataFrame,
    rule: Disclosure,
    *,
    counts: Sequence[str],
    derived: Mapping[str, str] | None = None,
    total_row: Hashable | None = None,
    total_col: str | None = None,
) -> pd.DataFrame:
    """``frame`` ready for publishing: small counts and what reveals them replaced by ``rule.symbol``.

    ``counts`` are the columns holding counts of people (including ``total_col``, the row-total column, if any);
    ``total_row`` is the index label of a totals row. ``derived`` maps each column computed from a count (a
    share, euros paid to those people) to that count column; it is suppressed wherever its count is. The other
    columns are returned unchanged. Cells keep their numbers (format them afterwards); hidden cells hold the
    symbol.
    """
    mask = suppression_mask(frame[list(counts)], rule.min_count, total_row=total_row, total_col=total_col)
    for column, source in (derived or {}).items():
        mask[column] = mask[source]
    return apply_mask(frame, mask, rule.symbol)


def explanation(rule: Disclosure) -> str:
    """The rule in one or two Finnish sentences, for the page that shows suppressed tables."""
    smallest_shown = rule.min_count
    return (
        f"Tietosuojan vuoksi alle {smallest_shown} henkilön lukumäärät (1–{smallest_shown - 1}) on korvattu "
        f"merkillä ”{rule.symbol}”. Samalla merkillä on peitetty luvut, joista peitetyn luvun voisi laskea "
        "rivi- tai sarakesummista, sekä peitettyihin lukumääriin perustuvat osuudet ja euromäärät."
    )


def is_small(value: object, rule: Disclosure) -> bool:
    """Whether a single count is primarily suppressed (1..``min_count``-1); missing values and zeros are not."""
    number = pd.to_numeric(pd.Series([value]), errors="coerce").astype("float64").iloc[0]
    return bool(0 < number < rule.min_count)


def hide(
    frame: pd.DataFrame,
    rule: Disclosure,
    *,
    counts: Sequence[str],
    derived: Mapping[str, str] | None = None,
    total_row: Hashable | None = None,
    total_col: str | None = None,
) -> pd.DataFrame:
    """Like :func:`suppress`, but hidden cells become NaN and the columns stay numeric: for charts, which must not
    draw a suppressed count (nor what reveals it) at its true value, and for numbers passed on as missing."""
    mask = suppression_mask(frame[list(counts)], rule.min_count, total_row=total_row, total_col=total_col)
    for column, source in (derived or {}).items():
        mask[column] = mask[source]
    out = frame.copy()
    for column in mask.columns:
        hidden = mask[column].reindex(out.index, fill_value=False).astype(bool)
        out[column] = out[column].astype("float64").where(~hidden)
    return out


def suppress_columns(
    frame: pd.DataFrame,
    rule: Disclosure,
    *,
    counts: Sequence[str],
    derived: Mapping[str, Sequence[str]] | None = None,
    total_row: Hashable | None = None,
) -> pd.DataFrame:
    """Like :func:`suppress`, for a table whose count columns are different measures that do not add up along a
    row (customers; of whom in training; contacts): each column is protected on its own, against its total row
    (or its sum, known elsewhere). ``derived`` maps a column computed from several counts (a share) to all of
    them; it is hidden wherever any of them is."""
    mask = pd.DataFrame(
        {c: suppression_mask(frame[[c]], rule.min_count, total_row=total_row)[c] for c in counts}, index=frame.index
    )
    for column, sources in (derived or {}).items():
        mask[column] = mask[list(sources)].any(axis=1)
    return apply_mask(frame, mask, rule.symbol)


def suppress_rows(
    frame: pd.DataFrame,
    rule: Disclosure,
    *,
    counts: Sequence[str],
    derived: Mapping[str, str] | None = None,
    total_col: str | None = None,
) -> pd.DataFrame:
    """Like :func:`suppress`, for a monthly series (a row per month) whose sums over months are not published:
    each row is protected on its own (against ``total_col``, if the row has one), so one small month does not
    hide another month's count."""
    out = frame.astype(object)
    small = primary_mask(frame[list(counts)], rule.min_count).any(axis=1).to_numpy()
    for i in small.nonzero()[0]:  # a row without a small count needs no protection
        row = suppress(frame.iloc[[i]], rule, counts=counts, derived=derived, total_col=total_col)
        out.iloc[i] = row.iloc[0]
    return out


def note_if_hidden(frame: pd.DataFrame, rule: Disclosure) -> str | None:
    """The rule's :func:`explanation` when ``frame`` (a suppressed table) hides a value, else ``None``: a table
    without the symbol needs no note."""
    hidden = frame.astype(object).isin([rule.symbol]).to_numpy().any()
    return explanation(rule) if hidden else None
