"""Readers for the file formats the city receives, returning every cell as text with its line number.

Finnish exports are the norm: ``;`` separators, decimal commas, UTF-8 with or without a byte-order mark, or the
Windows code page cp1252; Excel sheets have title rows above the header. pandas reads all of these, but it loses
the information a clear error needs (which line of the file a record came from, whether a number used a decimal
comma), so these readers keep every cell as text and the line number of every record; typing and checking
happen in :mod:`serviceplan.inputs.contracts`.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd

from serviceplan.core.errors import DataError, Violation, os_problem
from serviceplan.core.params import InputLimits
from serviceplan.core.yaml_checks import MAX_DEPTH

_LIMITS: ContextVar[InputLimits | None] = ContextVar("serviceplan_input_limits", default=None)
LIMITS_FILE = "params/defaults.yaml"  # where the limits are set (a year file may override them)
_MB = 1024 * 1024
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
BOM = b"\xef\xbb\xbf"


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


# --- limits and reading a file ------------------------------------------------------------------------------------


@contextlib.contextmanager
def input_limits(limits: InputLimits) -> Iterator[None]:
    """Apply ``limits`` (``params: inputs``) to every delivered file read inside the block.

    :mod:`serviceplan.inputs.canonical` sets them around every delivery it reads; a reader called outside such a
    block (a unit test of one reader) reads without limits.
    """
    token = _LIMITS.set(limits)
    try:
        yield
    finally:
        _LIMITS.reset(token)


def _limit_violation(file: str, what: str, key: str, found: str, hint: str = "") -> DataError:
    return DataError(
        [Violation(file, None, None, None, f"{what} ({found}; limit inputs.{key} in {LIMITS_FILE}){hint}")]
    )


def check_before_reading(paths: Sequence[Path]) -> None:
    """Check that each of ``paths`` is a readable file within the size limit, before anything reads it.

    Raises :class:`DataError` with one violation per file that is not: an operating-system error in words
    (permission denied, a symbolic link that loops, a folder) or a file larger than ``inputs.max_file_mb``.
    """
    limits = _LIMITS.get()
    violations: list[Violation] = []
    for path in paths:
        file = display_name(path)
        try:
            size = path.stat().st_size
            if not path.is_file():
                raise IsADirectoryError(21, "Is a directory", str(path))
        except OSError as exc:
            violations.append(Violation(file, None, None, None, f"a readable file ({os_problem(exc)})"))
            continue
        if limits is not None and size > limits.max_file_mb * _MB:
            found = f"the file is {size / _MB:.1f} MB"
            hint = ": is this one month's export?"
            violations.extend(
                _limit_violation(file, f"at most {limits.max_file_mb:g} MB", "max_file_mb", found, hint).violations
            )
        elif path.suffix.casefold() == ".json":
            violations.extend(_json_nesting(path, file))
    if violations:
        raise DataError(violations)


def _json_nesting(path: Path, file: str) -> list[Violation]:
    """A JSON file nested deeper than :data:`serviceplan.core.yaml_checks.MAX_DEPTH` (Python's parser would end in a
    ``RecursionError`` at about a thousand levels; no statistics body has more than five)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [Violation(file, None, None, None, f"a readable file ({os_problem(exc)})")]
    brackets = np.frombuffer(_JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKETS), dtype=np.uint8)
    steps = np.where((brackets == ord("[")) | (brackets == ord("{")), 1, -1)
    if len(steps) and int(np.cumsum(steps).max()) > MAX_DEPTH:
        return [Violation(file, None, None, None, f"JSON nested at most {MAX_DEPTH} levels deep")]
    return []


def read_bytes(path: Path) -> bytes:
    """The bytes of a delivered file; an operating-system error is one violation naming the file."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataError(
            [Violation(display_name(path), None, None, None, f"a readable file ({os_problem(exc)})")]
        ) from None


def decode_bytes(data: bytes, file: str) -> str:
    """Decode UTF-8 (with or without BOM), falling back to cp1252 for exports from older Windows tools."""
    if data.startswith(BOM + BOM):
        raise DataError(
            [
                Violation(
                    file,
                    1,
                    None,
                    None,
                    "at most one byte-order mark (BOM) at the start; the file has two (it was converted twice):"
                    " save it again as 'CSV UTF-8'",
                )
            ]
        )
    if data.startswith(BOM):
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
    text = decode_bytes(read_bytes(path), file)
    if not text.strip():
        raise DataError([Violation(file, None, None, None, "a ';'-separated table with a header row (file is empty)")])
    if _HTML.match(text):
        raise DataError([Violation(file, 1, None, None, "a ';'-separated CSV table, not an HTML page")])
    limits = _LIMITS.get()
    if limits is not None:
        lines = text.count("\n") + (not text.endswith("\n"))
        if lines > limits.max_rows:
            raise _limit_violation(file, f"at most {limits.max_rows} rows", "max_rows", f"the file has {lines} lines")
    rows = list(csv.reader(io.StringIO(text), delimiter=";", quotechar='"'))
    # csv drops nothing; blank lines give empty lists which we skip but still count for line numbers
    header_index = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if header_index is None:
        raise DataError([Violation(file, None, None, None, "a ';'-separated table with a header row (no header)")])
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

    The header is the first row (within the first 30) that contains every expected column name. The workbook is
    read in openpyxl's streaming mode after its size is checked: the unpacked size of its parts, then the sheet's
    recorded dimensions (one stray cell at ``XFD1048576`` makes a sheet of 17 billion cells), against the limits
    of ``params: inputs``; while streaming, rows and columns are bounded again in case the recorded dimensions
    are missing or wrong. When the header is not on the sheet but on another one, the message says so.
    """
    file = display_name(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise DataError([Violation(file, None, None, None, f"a readable file ({os_problem(exc)})")]) from None
    if not head.startswith(b"PK\x03\x04"):  # every .xlsx is a zip archive
        if not head:
            why = "the file is empty"
        elif head.startswith(b"\xd0\xcf\x11\xe0"):
            why = "this is an old-format .xls workbook: save it as .xlsx"
        else:
            why = "the file is not a workbook: text such as a CSV or an HTML page saved with the .xlsx extension?"
        raise DataError([Violation(file, None, None, None, f"a readable .xlsx workbook ({why})")])
    limits = _LIMITS.get()
    if limits is not None:
        _check_unpacked_size(path, file, limits)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise _damaged(file, exc) from None
    try:
        sheets = workbook.worksheets
        chosen = workbook[sheet] if isinstance(sheet, str) else sheets[sheet]
        rows = _sheet_rows(chosen, file, limits)
        table, lacking = _table_below_header(rows, expected_columns, file)
        if table is not None:
            return table
        elsewhere = next(
            (other.title for other in sheets if other is not chosen and _has_header(other, expected_columns, limits)),
            None,
        )
    except DataError:
        raise
    except Exception as exc:
        raise _damaged(file, exc) from None
    finally:
        workbook.close()
    listed = ", ".join(f"'{c}'" for c in expected_columns)
    if elsewhere is not None:
        where = f"on the first sheet '{chosen.title}' (it is on sheet '{elsewhere}': move that sheet first)"
        raise DataError([Violation(file, None, None, None, f"a header row with the columns {listed} {where}")])
    raise DataError(
        [Violation(file, None, None, None, f"a header row with the columns {listed} in the first 30 rows{lacking}")]
    )


def _damaged(file: str, exc: Exception) -> DataError:
    why = f"damaged or incomplete: {type(exc).__name__}"
    return DataError([Violation(file, None, None, None, f"a readable .xlsx workbook ({why})")])


def _check_unpacked_size(path: Path, file: str, limits: InputLimits) -> None:
    """Refuse a workbook whose parts unpack to more than ``limits.max_unpacked_mb`` (read from the zip
    directory, before anything is unpacked)."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _damaged(file, exc) from None
    if unpacked > limits.max_unpacked_mb * _MB:
        found = f"it unpacks to {unpacked / _MB:.0f} MB"
        raise _limit_violation(
            file, f"a workbook of at most {limits.max_unpacked_mb:g} MB unpacked", "max_unpacked_mb", found
        )


def _sheet_rows(worksheet: Any, file: str, limits: InputLimits | None) -> list[tuple[object, ...]]:
    """The sheet's rows from row 1, each without its empty cells at the end, within the limits."""
    if limits is not None:
        rows, columns = worksheet.max_row, worksheet.max_column  # the sheet's recorded dimensions, if any
        if (rows or 0) > limits.max_rows or (columns or 0) > limits.max_columns:
            found = f"sheet '{worksheet.title}' spans {rows} rows and {columns} columns"
            hint = ": delete the stray cells outside the table (Ctrl+End in Excel shows the last one)"
            raise _limit_violation(
                file,
                f"at most {limits.max_rows} rows and {limits.max_columns} columns",
                "max_rows/max_columns",
                found,
                hint,
            )
    cap = None if limits is None else limits.max_columns + 1
    found_rows: list[tuple[object, ...]] = []
    for number, row in enumerate(worksheet.iter_rows(values_only=True, max_col=cap), start=1):
        if limits is not None and number > limits.max_rows:
            found = f"sheet '{worksheet.title}' has more than {limits.max_rows} rows"
            raise _limit_violation(file, f"at most {limits.max_rows} rows", "max_rows", found)
        width = len(row)
        while width and (row[width - 1] is None or str(row[width - 1]).strip() == ""):
            width -= 1
        if limits is not None and width > limits.max_columns:
            found = f"sheet '{worksheet.title}' has a cell in column {width}, row {number}"
            raise _limit_violation(file, f"at most {limits.max_columns} columns", "max_columns", found)
        found_rows.append(row[:width])
    return found_rows


def _has_header(worksheet: Any, expected_columns: list[str], limits: InputLimits | None) -> bool:
    """Whether one of the first 30 rows of ``worksheet`` holds every expected column name."""
    wanted = set(expected_columns)
    cap = None if limits is None else limits.max_columns + 1
    for row in worksheet.iter_rows(values_only=True, max_row=30, max_col=cap):
        if wanted <= {str(c).strip() for c in row if c is not None}:
            return True
    return False


def _table_below_header(
    rows: list[tuple[object, ...]], expected_columns: list[str], file: str
) -> tuple[RawTable | None, str]:
    """The table under the first row (within 30) holding every expected column, or ``None`` and what the closest
    row lacks (for the message; empty when no row comes close)."""
    wanted = set(expected_columns)
    closest: tuple[int, int, set[str]] = (0, 0, set())  # (columns found, row, cells) of the best header candidate
    for i in range(min(30, len(rows))):
        cells = {str(c).strip() for c in rows[i] if c is not None}
        closest = max(closest, (len(wanted & cells), i, cells), key=lambda candidate: candidate[0])
        if wanted <= cells:
            header = [str(c).strip() if c is not None else f"_empty_{j}" for j, c in enumerate(rows[i])]
            body = [
                (number, row)
                for number, row in enumerate(rows[i + 1 :], start=i + 2)
                if not all(v is None or str(v).strip() == "" for v in row)
            ]
            width = len(header)  # cells to the right of the header's last column are not part of the table
            records = [[_excel_text(v) for v in (*row[:width], *([None] * (width - len(row))))] for _, row in body]
            frame = pd.DataFrame(records, columns=header, dtype=object)
            frame = frame[[c for c in header if not c.startswith("_empty_")]]
            return RawTable(file=file, frame=frame, lines=[number for number, _ in body]), ""
    found, row, cells = closest
    if found * 2 >= len(wanted):  # most of the header is there: say what the row lacks
        return None, f" (row {row + 1} lacks " + ", ".join(f"'{c}'" for c in expected_columns if c not in cells) + ")"
    return None, ""


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
