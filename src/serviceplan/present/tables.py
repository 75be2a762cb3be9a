"""Tables for the report pages: tidy frames shown with Finnish formats as Markdown pipe tables.

Why Markdown: the same notebook output must read well in three places. Quarto parses a ``text/markdown``
output as Markdown, so a pipe table becomes a real table in both the HTML site and the Typst PDF (with the
table's own styling and accessibility markup); nbconvert's HTML preview and JupyterLab render pipe tables too.
A pandas HTML table would be lost in the Typst PDF unless Quarto re-parses it, and a plain-text table is not a
table for a screen reader.

A format is named per column (see :data:`FORMATS`); text cells, and the disclosure symbol that replaces a
suppressed number, are shown as they are. Numbers follow the report's one symbol legend
(:mod:`serviceplan.present.disclosure`): a missing value is ``.``, a true zero ``–``, and every table's note ends
with the meaning of the ``.`` and ``–`` it shows.

What Quarto is given for a table (:mod:`~serviceplan.present.quarto_syntax`): the pipe table inside a fenced
div ``::: {.sp-table tabindex="0" role="region" aria-label="..."}`` (Pandoc's fenced divs keep these attributes in the
HTML). A wide table scrolls inside that div (``site.css`` of the version gives it ``overflow-x: auto``), and a
keyboard user can focus it and scroll it; its name is the table's title (axe-core rule
``scrollable-region-focusable``, WCAG 2.1.1). The separator line of the pipe table has as many dashes per column
as the column's content is wide (Pandoc: "the relative cell widths [are] determined by the number of dashes in the
line separating the table header from the table body", pandoc.org/MANUAL.html#tables, pipe_tables), so that the
committee PDF gives the label column room instead of equal narrow columns. The HTML previews turn the fenced div
into the same HTML (:mod:`serviceplan.publish.previews`); JupyterLab, which does not know fenced divs, shows the ``:::``
lines as text around the table.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from serviceplan.present import disclosure
from serviceplan.present import format as fmt
from serviceplan.present.quarto_syntax import ROLE, TABLE_MARKER, quarto_table

Formatter = Callable[[object], str]

FORMATS: dict[str, Formatter] = {
    "text": lambda v: str(v),
    "count": fmt.count,
    "number": lambda v: fmt.number(v, 0),  # type: ignore[arg-type]
    "number1": lambda v: fmt.number(v, 1),  # type: ignore[arg-type]
    "number2": lambda v: fmt.number(v, 2),  # type: ignore[arg-type]
    "eur": fmt.euro,  # type: ignore[dict-item]
    "eur_compact": lambda v: fmt.euro_compact(v, 2, digits=fmt.SIGNIFICANT_DIGITS),  # type: ignore[arg-type]
    "meur": lambda v: fmt.number(float(v) / 1e6, 2),  # type: ignore[arg-type]  # millions; say "milj. €" in the header
    "eur_signed": lambda v: fmt.euro(v, signed=True),  # type: ignore[arg-type]
    "percent": fmt.percent,  # type: ignore[dict-item]
    "percent0": lambda v: fmt.percent(v, 0),  # type: ignore[arg-type]
    "percent_signed": lambda v: fmt.percent(v, signed=True),  # type: ignore[arg-type]
    # a relative change: one decimal below ±100 %, whole per cents from there ("+406 %", not "+406,4 %")
    "change": lambda v: fmt.percent(v, 1 if abs(float(v)) < 1 else 0, signed=True),  # type: ignore[arg-type]
    "count_signed": lambda v: fmt.number(v, 0, signed=True),  # type: ignore[arg-type]
    "number1_signed": lambda v: fmt.number(v, 1, signed=True),  # type: ignore[arg-type]
    "eur_compact_signed": lambda v: fmt.euro_compact(v, 2, signed=True, digits=fmt.SIGNIFICANT_DIGITS),  # type: ignore[arg-type]
    "points": fmt.points,  # type: ignore[dict-item]
    "places": lambda v: fmt.number(v, 0, signed=True) + fmt.NBSP + ("sija" if abs(float(v)) == 1 else "sijaa"),  # type: ignore[arg-type]
    "month": lambda v: fmt.month(str(v)),
    "month_short": lambda v: fmt.month_short(str(v)),
}

# How each KPI unit (serviceplan.metrics.kpis) is shown, and how a difference of it is shown.
UNIT_FORMATS: dict[str, str] = {
    "eur": "eur_compact",
    "count": "count",
    "share": "percent",
    "days": "number1",
    "rank": "count",  # a place among the compared cities, 1 = best
}
DIFFERENCE_FORMATS: dict[str, str] = {
    "eur": "eur_compact_signed",
    "count": "count_signed",
    "share": "points",
    "days": "number1_signed",
    "rank": "places",
}
STATUS_WORDS: dict[str, str] = {
    "ok": "tavoitteessa",
    "warn": "lähellä rajaa",
    "alert": "poikkeama",
    "none": "ei tavoitetta",
}
NOT_JUDGED = "ei arviota"  # the status of a KPI that has a target but no value to judge against it
NOT_NUMBERS = frozenset({"text", "month", "month_short"})  # formats of cells that are not amounts


def format_cell(value: object, format_name: str = "text", *, nil: bool = True) -> str:
    """One cell as text: strings as they are, missing values as ``.``, a true zero as ``–`` (unless ``nil`` is
    False, e.g. for a chart that has no legend), other numbers in the named format."""
    if isinstance(value, str):
        return value
    if fmt.is_missing(value):
        return disclosure.NOT_AVAILABLE
    try:
        formatter = FORMATS[format_name]
    except KeyError:
        raise ValueError(f"unknown table format {format_name!r}; known: {', '.join(FORMATS)}") from None
    if nil and format_name not in NOT_NUMBERS and float(value) == 0:  # type: ignore[arg-type]
        return disclosure.NIL
    return formatter(value)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


# Width of a column in the separator line, in dashes: its widest cell or its header's longest word, within bounds.
_MIN_DASHES, _MAX_DASHES = 3, 40


def column_dashes(header: str, cells: Sequence[str]) -> int:
    """How many dashes a column gets in the separator line (its relative width, see the module docstring)."""
    longest_word = max((len(word) for word in header.split()), default=0)
    widest = max((len(cell) for cell in cells), default=0)
    return max(_MIN_DASHES, min(_MAX_DASHES, max(longest_word, widest)))


def formatted_rows(frame: pd.DataFrame, formats: Mapping[str, str] | None = None) -> list[list[str]]:
    """``frame``'s cells as the table shows them (see :func:`format_cell`), row by row."""
    formats = dict(formats or {})
    columns = list(frame.columns)
    return [
        [format_cell(v, formats.get(c, "text")) for c, v in zip(columns, row, strict=True)]
        for row in frame.itertuples(index=False)
    ]


def markdown_table(
    frame: pd.DataFrame,
    formats: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    align: Mapping[str, str] | None = None,
) -> str:
    """A Markdown pipe table of ``frame``'s columns (in order) with Finnish formats.

    ``formats`` maps a column to a format name (default ``text``); ``headers`` maps a column to its Finnish
    header. Formatted numbers are right-aligned and text left-aligned unless ``align`` maps a column to
    ``"left"`` or ``"right"``.
    """
    formats = dict(formats or {})
    headers = dict(headers or {})
    align = dict(align or {})
    columns = list(frame.columns)
    head = [_escape(headers.get(c, str(c))) for c in columns]
    sides = {c: align.get(c, "left" if formats.get(c, "text") == "text" else "right") for c in columns}
    body = [[_escape(cell) for cell in cells] for cells in formatted_rows(frame, formats)]
    dashes = [column_dashes(head[i], [row[i] for row in body]) for i in range(len(columns))]
    rule = ["-" * n + ":" if sides[c] == "right" else ":" + "-" * n for c, n in zip(columns, dashes, strict=True)]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(rule) + " |"]
    lines.extend("| " + " | ".join(cells) + " |" for cells in body)
    return "\n".join(lines)


def table_note(frame: pd.DataFrame, formats: Mapping[str, str] | None = None, note: str | None = None) -> str | None:
    """``note`` followed by the legend of the ``.`` and ``–`` that ``frame``'s cells show (None when neither)."""
    return disclosure.with_legend(note, [cell for row in formatted_rows(frame, formats) for cell in row])


def align_right(columns: Sequence[str]) -> dict[str, str]:
    """An ``align`` mapping that right-aligns ``columns`` (for columns of numbers already turned into text)."""
    return {str(c): "right" for c in columns}


def table_marker(
    frame: pd.DataFrame, formats: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None
) -> dict[str, dict[str, list[str]]]:
    """The output metadata of a displayed table: its column headers and formats, in column order."""
    formats, headers = dict(formats or {}), dict(headers or {})
    columns = list(frame.columns)
    return {
        TABLE_MARKER: {
            "headers": [headers.get(c, str(c)) for c in columns],
            "formats": [formats.get(c, "text") for c in columns],
        }
    }


def show_markdown(text: str, metadata: Mapping[str, object] | None = None) -> None:
    """Display Markdown as a notebook output (Quarto, nbconvert and JupyterLab all render it), with optional
    output metadata (see :func:`table_marker`)."""
    from IPython.display import Markdown, display

    display(Markdown(text), metadata=dict(metadata) if metadata else None)


def show_table(
    frame: pd.DataFrame,
    formats: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    *,
    align: Mapping[str, str] | None = None,
    title: str | None = None,
    note: str | None = None,
) -> None:
    """Show ``frame`` as a formatted table (see :func:`markdown_table`), with an optional bold title above and
    a note below (followed by the legend of the symbols the table shows)."""
    show_markdown(
        quarto_table(markdown_table(frame, formats, headers, align), title, table_note(frame, formats, note)),
        table_marker(frame, formats, headers),
    )


@dataclass(frozen=True)
class Column:
    """A value shown in each group's cells of :func:`wide_table`: ``column`` in ``format``, optionally followed by
    a reference in brackets (``1,02 (1,19)``) or by an interval (``27,3 (25,9–28,6)``)."""

    column: str
    label: str = ""
    format: str = "meur"
    reference: str | None = None
    low: str | None = None
    high: str | None = None

    def cell(self, row: Mapping[str, object]) -> str:
        text = format_cell(row[self.column], self.format)
        if text == fmt.MISSING:
            return text
        if self.reference is not None and not fmt.is_missing(row[self.reference]):
            text += f" ({format_cell(row[self.reference], self.format)})"
        if self.low is not None and self.high is not None and not fmt.is_missing(row[self.low]):
            text += f" ({format_cell(row[self.low], self.format)}–{format_cell(row[self.high], self.format)})"
        return text


def wide_table(
    data: pd.DataFrame,
    *,
    index: str,
    group: str,
    values: Sequence[Column],
    group_order: Sequence[str] | None = None,
    group_labels: Mapping[str, str] | None = None,
    index_label: str = "Kuukausi",
    index_format: str = "month_short",
) -> pd.DataFrame:
    """A long table turned wide for showing: one row per ``index`` value, one column per group and value
    (header ``<group>: <value label>``, or the group alone for an unlabelled value), cells as Finnish text."""
    groups = list(group_order or data[group].drop_duplicates().tolist())
    labels = dict(group_labels or {})
    keys = list(data[index].drop_duplicates())
    out: dict[str, list[str]] = {index_label: [FORMATS[index_format](k) for k in keys]}
    for name in groups:
        part = data[data[group] == name].set_index(index)
        for value in values:
            header = labels.get(str(name), str(name)) + (f": {value.label}" if value.label else "")
            out[header] = [value.cell(part.loc[k]) if k in part.index else fmt.MISSING for k in keys]
    return pd.DataFrame(out)


def change_cell(value: object, kind: str, unit: str, *, nil: bool = True) -> str:
    """A KPI's change as a table shows it, by how it is measured (:func:`serviceplan.metrics.change_kind`): a
    relative change ``+3,2 %``, percentage points ``−1,1 %-yks.``, places ``+2 sijaa`` or a difference in the KPI's
    unit ``+429``."""
    if kind in ("points", "places"):
        return format_cell(value, kind, nil=nil)
    if kind == "difference":
        return format_cell(value, DIFFERENCE_FORMATS.get(unit, "number1_signed"), nil=nil)
    return format_cell(value, "change", nil=nil)


def kpi_display(
    kpis: pd.DataFrame, *, hidden: Collection[str] = (), symbol: str = disclosure.CONFIDENTIAL
) -> pd.DataFrame:
    """A KPI table (``serviceplan.metrics.kpis`` columns, optionally with the changes of
    :func:`serviceplan.metrics.with_changes`) as Finnish display text, one row per KPI.

    ``hidden`` names KPIs (``kpi`` ids) whose value disclosure control withholds: their value and changes show
    ``symbol`` instead of ``.``. The status of a KPI without a target reads *ei tavoitetta*; one with a target
    but no value, *ei arviota*.
    """
    rows = []
    hide = set(hidden)
    for kpi in kpis.to_dict("records"):
        unit = str(kpi["unit"])
        value_format = UNIT_FORMATS.get(unit, "number1")

        def changed(which: str, kpi: dict = kpi, unit: str = unit) -> str:
            kind = str(kpi.get(f"change_{which}_kind", kpi.get("change_kind", "relative")))
            return change_cell(kpi.get(f"change_{which}"), kind, unit)

        secret = str(kpi.get("kpi")) in hide
        status = str(kpi["status"])
        if status == "none" and not fmt.is_missing(kpi["target"]):
            status_text = NOT_JUDGED
        else:
            status_text = STATUS_WORDS.get(status, status)
        rows.append(
            {
                "Tunnusluku": str(kpi["label"]),
                "Arvo": symbol if secret else format_cell(kpi["value"], value_format),
                "Muutos edell. kk": symbol if secret else changed("month"),
                "Muutos edell. vuodesta": symbol if secret else changed("year"),
                "Tavoite": format_cell(kpi["target"], value_format),
                "Tila": status_text,
            }
        )
    columns = ["Tunnusluku", "Arvo", "Muutos edell. kk", "Muutos edell. vuodesta", "Tavoite", "Tila"]
    return pd.DataFrame(rows, columns=columns)


def kpi_markdown(
    kpis: pd.DataFrame,
    *,
    title: str | None = None,
    note: str | None = None,
    hidden: Collection[str] = (),
    symbol: str = disclosure.CONFIDENTIAL,
) -> str:
    """A KPI table with values, changes, targets and status in Finnish, as Markdown, its note followed by the
    legend of the symbols it shows."""
    shown = kpi_display(kpis, hidden=hidden, symbol=symbol)
    numeric = align_right([c for c in shown.columns if c not in ("Tunnusluku", "Tila")])
    return quarto_table(
        markdown_table(shown, align=numeric), title, table_note(shown, note=note), name=title or "Tunnusluvut"
    )


def show_kpis(
    kpis: pd.DataFrame,
    *,
    title: str | None = None,
    note: str | None = None,
    hidden: Collection[str] = (),
    symbol: str = disclosure.CONFIDENTIAL,
) -> None:
    """Show a KPI table (see :func:`kpi_markdown`), marked as the page's KPI table for the committee PDF."""
    show_markdown(kpi_markdown(kpis, title=title, note=note, hidden=hidden, symbol=symbol), {ROLE: "kpis"})


@dataclass(frozen=True)
class Shown:
    """A table ready for the page: its frame (already through disclosure control where it holds counts), the
    formats and Finnish headers of its columns, and an optional title and note."""

    frame: pd.DataFrame
    formats: Mapping[str, str]
    headers: Mapping[str, str]
    title: str | None = None
    note: str | None = None

    def markdown(self) -> str:
        """The table as Markdown in its scroll container (see :func:`markdown_table` and :func:`quarto_table`), its
        note followed by the legend of its symbols."""
        return quarto_table(
            markdown_table(self.frame, self.formats, self.headers),
            self.title,
            table_note(self.frame, self.formats, self.note),
        )

    def show(self) -> None:
        """Display the table in the notebook."""
        show_markdown(self.markdown(), table_marker(self.frame, self.formats, self.headers))
