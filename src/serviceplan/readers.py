"""Readers for the file formats the city receives, returning every cell as text with its line number.

Finnish exports are the norm: ``;`` separators, decimal commas, UTF-8 with or without a byte-order mark, or the
Windows code page cp1252; Excel sheets have title rows above the header. pandas reads all of these, but it loses
the information a clear error needs (which line of the file a record came from, whether a number used a decimal
comma), so these readers keep every cell as text and the line number of every record; typing and checking
happen in :mod:`serviceplan.contracts`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from serviceplan.errors import DataError, Violation


@dataclass
class RawTable:
    """Text cells of one delivered table, with the file line (1-based, header included) of each record."""

    file: str
    frame: pd.DataFrame
    lines: list[int] = field(default_factory=list)

    def line_of(self, position: int) -> int:
        """File line of the record at ``position`` (0-based position in ``frame``)."""
        return self.lines[position]


def display_name(path: Path) -> str:
    """How a file is named in messages: relative to the data folder when possible."""
    parts = path.parts
    if "raw" in parts:
        return "/".join(parts[parts.index("raw") - 1 :])
    return str(path)


def decode_bytes(data: bytes, file: str) -> str:
    """Decode UTF-8 (with or without BOM), falling back to cp1252 for exports from older Windows tools."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # cp1252 would decode it into text full of NUL characters
        raise DataError(
            [Violation(file, None, None, None, "text in UTF-8 or cp1252, not UTF-16: save the export as 'CSV UTF-8'")]
        )
    if b"\x00" in data:
        kind = "an Excel workbook" if data.startswith(b"PK\x03\x04") else "binary data (NUL bytes)"
        raise DataError([Violation(file, None, None, None, f"text in UTF-8 or cp1252; the file holds {kind}")])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = f"0x{data[exc.start]:02x}"
        raise DataError(
            [Violation(file, line, None, None, f"text in UTF-8 or cp1252 (byte {byte} fits neither)")]
        ) from None


_HTML = re.compile(r"^\s*<(!doctype|html|head|body)", re.IGNORECASE)


def read_finnish_csv(path: Path, expected_columns: list[str] | None = None) -> RawTable:
    """Read a ``;``-separated Finnish CSV export as text cells.

    A file that is empty, an HTML page saved as CSV, separated by another character, or with rows of the wrong
    width raises :class:`DataError` naming the file and line.
    """
    file = display_name(path)
    text = decode_bytes(path.read_bytes(), file)
    if not text.strip():
        raise DataError([Violation(file, None, None, None, "a ';'-separated table with a header row (file is empty)")])
    if _HTML.match(text):
        raise DataError([Violation(file, 1, None, None, "a ';'-separated CSV table, not an HTML page")])
    rows = list(csv.reader(io.StringIO(text), delimiter=";", quotechar='"'))
    # csv drops nothing; blank lines give empty lists which we skip but still count for line numbers
    header_index = next(i for i, r in enumerate(rows) if any(c.strip() for c in r))
    header = [c.strip() for c in rows[header_index]]
    if len(header) == 1 and expected_columns and len(expected_columns) > 1:
        for other in (",", "\t", "|"):
            if other in header[0]:
                raise DataError(
                    [
                        Violation(
                            file,
                            header_index + 1,
                            None,
                            None,
                            f"columns separated by ';' (Finnish CSV); the header is separated by {other!r}",
                        )
                    ]
                )
    wanted = set(expected_columns or ())
    if wanted and not wanted <= set(header):  # title rows above the header, as in a report?
        below = next(
            (i for i in range(header_index + 1, min(len(rows), 31)) if wanted <= {c.strip() for c in rows[i]}), None
        )
        if below is not None:
            raise DataError(
                [
                    Violation(
                        file,
                        header_index + 1,
                        None,
                        None,
                        f"the header row first; it is on line {below + 1}, below title text: delete the lines above it",
                    )
                ]
            )
    violations: list[Violation] = []
    records: list[list[str]] = []
    lines: list[int] = []
    for i in range(header_index + 1, len(rows)):
        row = rows[i]
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            violations.append(
                Violation(
                    file,
                    i + 1,
                    None,
                    None,
                    f"{len(header)} ';'-separated fields as in the header, found {len(row)} "
                    "(truncated row or wrong separator)",
                )
            )
            continue
        records.append([c.strip() for c in row])
        lines.append(i + 1)
    if violations:
        raise DataError(violations)
    frame = pd.DataFrame(records, columns=header, dtype=object)
    return RawTable(file=file, frame=frame, lines=lines)


def read_excel_table(path: Path, expected_columns: list[str], sheet: str | int = 0) -> RawTable:
    """Read an ``.xlsx`` sheet whose header row may sit below title rows.

    The header is the first row (within the first 30) that contains every expected column name.
    """
    file = display_name(path)
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head.startswith(b"PK\x03\x04"):  # every .xlsx is a zip archive
        if not head:
            why = "the file is empty"
        elif head.startswith(b"\xd0\xcf\x11\xe0"):
            why = "this is an old-format .xls workbook: save it as .xlsx"
        else:
            why = "the file is not a workbook: text such as a CSV or an HTML page saved with the .xlsx extension?"
        raise DataError([Violation(file, None, None, None, f"a readable .xlsx workbook ({why})")])
    try:
        sheet_frame = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise DataError(
            [
                Violation(
                    file, None, None, None, f"a readable .xlsx workbook (damaged or incomplete: {type(exc).__name__})"
                )
            ]
        ) from None
    wanted = set(expected_columns)
    closest: tuple[int, int, set[str]] = (0, 0, set())  # (columns found, row, cells) of the best header candidate
    rows = sheet_frame.to_numpy(dtype=object).tolist()  # the sheet's rows as lists, taken once
    labels = sheet_frame.index.tolist()
    for i in range(min(30, len(rows))):
        cells = {str(c).strip() for c in rows[i] if pd.notna(c)}
        closest = max(closest, (len(wanted & cells), i, cells), key=lambda candidate: candidate[0])
        if wanted <= cells:
            header = [str(c).strip() if pd.notna(c) else f"_empty_{j}" for j, c in enumerate(rows[i])]
            body = [
                (position, row)
                for position, row in enumerate(rows[i + 1 :], start=i + 1)
                if not all(pd.isna(v) or str(v).strip() == "" for v in row)
            ]
            frame = pd.DataFrame([[_excel_text(v) for v in row] for _, row in body], columns=header, dtype=object)
            frame = frame[[c for c in header if not c.startswith("_empty_")]]
            lines = [int(labels[position]) + 1 for position, _ in body]
            return RawTable(file=file, frame=frame, lines=lines)
    listed = ", ".join(f"'{c}'" for c in expected_columns)
    found, row, cells = closest
    lacking = ""
    if found * 2 >= len(wanted):  # most of the header is there: say what the row lacks
        lacking = f" (row {row + 1} lacks " + ", ".join(f"'{c}'" for c in expected_columns if c not in cells) + ")"
    raise DataError(
        [Violation(file, None, None, None, f"a header row with the columns {listed} in the first 30 rows{lacking}")]
    )


def _excel_text(value: object) -> str:
    """Excel cells arrive typed; turn them into the text a Finnish export would hold."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        text = repr(value)
        if text.endswith(".0"):
            text = text[:-2]
        return text.replace(".", ",")
    if isinstance(value, (pd.Timestamp, date)):  # openpyxl gives date cells as datetime.datetime
        return value.strftime("%Y-%m-%d")
    return str(value).strip()
