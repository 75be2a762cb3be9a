"""Table contracts: what a delivered table must look like, checked cell by cell with every violation reported.

Why not pandera: its checks run on already-typed columns, so a text in a number column, a dot used as the
decimal separator or a missing value would surface as a coercion failure without the file line or the
Finnish-export rule the user broke. Our contracts are small, declarative and produce one
:class:`~serviceplan.core.errors.Violation` per broken cell (file, line, column, value, what was expected).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from serviceplan.core.errors import DataError, Violation
from serviceplan.core.identity_codes import any_identity_code, contains_identity_code, is_person_level_header
from serviceplan.core.periods import Period
from serviceplan.inputs.readers import RawTable

Kind = Literal["text", "code", "int", "decimal", "period", "date", "bool"]

# The first month of the plan's data: the public statistics reach back to 2024-01 (docs/data-log.md), the city's
# own deliveries begin 2025-01. No month or date in a delivery checked against its month may be earlier.
DATA_START = Period(2024, 1)

# Finnish numbers (docs/domain.md): a decimal comma, and thousands in groups of exactly three digits separated by
# a space, a no-break space, a thin space or a narrow no-break space (one character between two groups, nowhere else).
_GROUP_SEPARATORS = " \u00a0\u2009\u202f"
_FI_NUMBER = re.compile(rf"^([-\u2212]?)(\d{{1,3}}(?:[{_GROUP_SEPARATORS}]\d{{3}})+|\d+)(?:,(\d+))?$")
_PERIOD_FORMS = (
    (re.compile(r"^(\d{4})-(\d{1,2})$"), lambda m: (m[1], m[2])),
    (re.compile(r"^(\d{4})M(\d{2})$"), lambda m: (m[1], m[2])),
    (re.compile(r"^(\d{1,2})/(\d{4})$"), lambda m: (m[2], m[1])),
    (re.compile(r"^(\d{4})-(\d{2})-01$"), lambda m: (m[1], m[2])),
)
_TRUE = {"1", "k", "kyllä", "kylla", "true", "x", "yes"}
_FALSE = {"0", "e", "ei", "false", "no", ""}


def parse_fi_number(text: str, decimals: int | None = None) -> float | None:
    """Parse a Finnish number (``-1 234,56``); ``None`` when it is not one.

    The decimal separator is a comma; thousands may be grouped by exactly three digits with a space (also a
    no-break, thin or narrow no-break space) between groups, so that ``7 36618,35`` (a space in the wrong place)
    is not read as 736 618,35. A dot is rejected so that ``1.234`` cannot be read as either one thousand or one.
    With ``decimals``, more decimals than that are rejected (``736,618`` in a euro column is not 736,62 €).
    """
    match = _FI_NUMBER.match(text)
    if not match:
        return None
    sign, whole, fraction = match.groups()
    if decimals is not None and fraction is not None and len(fraction) > decimals:
        return None
    digits = re.sub(f"[{_GROUP_SEPARATORS}]", "", whole)
    return float(("-" if sign else "") + digits + ("." + fraction if fraction is not None else ""))


def parse_period_text(text: str) -> str | None:
    """Normalise ``2025-06``, ``2025M06``, ``6/2025`` or ``2025-06-01`` to ``2025-06``; ``None`` if none fits."""
    for pattern, parts in _PERIOD_FORMS:
        match = pattern.match(text.strip())
        if match:
            year, month = parts(match)
            if 1 <= int(month) <= 12:
                return f"{int(year):04d}-{int(month):02d}"
    return None


@dataclass(frozen=True)
class Column:
    """One column of a contract: its canonical name, its header in the delivered file and its rules."""

    name: str
    header: str
    kind: Kind
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    optional: bool = False
    description: str = ""
    decimals: int | None = None  # at most this many decimals (2 in euro columns: euros and cents)
    # A month or date column lies between the plan's data start and the delivery month when the delivery month is
    # known; False for a column whose own, stricter rule says where it lies (a follow-up cohort, a completion date).
    delivery_bounds: bool = True

    def expected(self) -> str:
        """Human-readable statement of what a cell must hold."""
        decimal = "a number with a decimal comma (e.g. 1234,50)"
        if self.decimals is not None:
            decimal = f"a number with a decimal comma and at most {self.decimals} decimals (e.g. 1234,50)"
        base = {
            "text": "text",
            "code": "one of " + ", ".join(self.allowed or ()),
            "int": "a whole number",
            "decimal": decimal,
            "period": "a month like 2025-06",
            "date": "a date like 2025-06-30 or 30.6.2025",
            "bool": "kyllä/ei (or 1/0)",
        }[self.kind]
        bounds = []
        if self.min is not None:
            bounds.append(f"at least {self._bound(self.min)}")
        if self.max is not None:
            bounds.append(f"at most {self._bound(self.max)}")
        return base + (" " + " and ".join(bounds) if bounds else "")

    def _bound(self, value: float) -> str:
        """A bound as the file writes numbers: ``5000000`` (never ``5e+06``), a decimal comma where the column has
        decimals."""
        if float(value).is_integer():
            return str(int(value))
        text = repr(float(value))
        return text.replace(".", ",") if self.kind == "decimal" else text


AS_DELIVERED = "\x00as-delivered"  # Finding.value: show the cell's text as it stands in the file


@dataclass(frozen=True)
class Finding:
    """A table-level rule's finding on one record (``position`` in the frame) before it becomes a violation."""

    position: int | None
    column: str | None
    value: str | None
    expected: str


TableCheck = Callable[[pd.DataFrame], list[Finding]]


@dataclass(frozen=True)
class Contract:
    """What one dataset's delivered table must satisfy, and how it becomes a canonical table."""

    dataset: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    period_column: str | None = "period"
    checks: tuple[TableCheck, ...] = field(default_factory=tuple)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def apply(self, raw: RawTable, period: Period | None = None) -> pd.DataFrame:
        """Check ``raw`` against the contract and return the typed canonical table.

        ``period`` is the month the file was delivered for: records of another month are rejected. Raises
        :class:`DataError` with every violation found.
        """
        violations = self._check_header(raw)
        if violations:
            raise DataError(violations)
        if raw.frame.empty:
            raise DataError([Violation(raw.file, None, None, None, "at least one data row (only a header found)")])
        # each column's cells once, as a list (the header check above guarantees every header once)
        cells = dict(zip(raw.frame.columns, raw.frame.to_numpy(dtype=object).T.tolist(), strict=True))
        typed: dict[str, list[object]] = {}
        for column in self.columns:
            values, found = _convert_column(raw, column, cells[column.header])
            typed[column.name] = values
            violations.extend(found)
        violations.extend(_privacy_scan(raw, cells))
        if period is not None:
            for column in self.columns:  # the delivery month's own column is checked more strictly below
                if column.kind in ("period", "date") and column.delivery_bounds and column.name != self.period_column:
                    violations.extend(_out_of_range(raw, column, typed[column.name], period))
        frame = _typed_frame(typed, self.columns)
        if not violations:
            findings: list[Finding] = []
            findings.extend(_duplicate_keys(frame, self.key, typed))
            if period is not None and self.period_column:
                findings.extend(_period_mismatch(frame, self.period_column, period, typed.get(self.period_column)))
            for check in self.checks:
                findings.extend(check(frame))
            violations.extend(self._to_violation(raw, f) for f in findings)
        if violations:
            order = {c.header: i for i, c in enumerate(self.columns)}
            violations.sort(key=lambda v: (v.row or 0, order.get(v.column or "", len(order))))
            raise DataError(violations)
        return frame

    def _to_violation(self, raw: RawTable, finding: Finding) -> Violation:
        header = self.column(finding.column).header if finding.column else None
        line = raw.line_of(finding.position) if finding.position is not None else None
        value = finding.value
        if value == AS_DELIVERED:
            value = str(raw.frame.at[finding.position, header]) if header and finding.position is not None else None
        return Violation(raw.file, line, header, value, finding.expected)

    def _check_header(self, raw: RawTable) -> list[Violation]:
        present = [str(c) for c in raw.frame.columns]
        violations = []
        header_line = (raw.lines[0] - 1) if raw.lines else 1
        person_level = [h for h in present if is_person_level_header(h) or contains_identity_code(h)]
        for number, header in enumerate(present, start=1):
            if contains_identity_code(header):
                violations.append(
                    Violation(
                        raw.file,
                        header_line,
                        None,
                        None,
                        f"aggregated data only: the header of column {number} holds a personal identity code"
                        " (not shown)",
                    )
                )
            elif is_person_level_header(header):
                violations.append(
                    Violation(
                        raw.file,
                        header_line,
                        header,
                        None,
                        "aggregated data only: this column holds person-level data and is not accepted",
                    )
                )
        for column in self.columns:
            if column.header not in present:
                violations.append(Violation(raw.file, header_line, column.header, None, "this column (missing)"))
        known = set(self.headers)
        for header in present:
            if header not in known and header not in person_level:
                violations.append(
                    Violation(
                        raw.file,
                        header_line,
                        header,
                        None,
                        "only the columns " + ", ".join(self.headers) + " (unexpected column)",
                    )
                )
        if len(set(present)) != len(present):
            violations.append(
                Violation(raw.file, header_line, None, None, "each column header once (duplicate header)")
            )
        return violations


def _convert_column(
    raw: RawTable, column: Column, cells: list[object] | None = None
) -> tuple[list[object], list[Violation]]:
    """Every cell of ``column`` typed (``None`` where empty or broken), and one violation per broken cell."""
    values: list[object] = []
    violations: list[Violation] = []
    expected: str | None = None
    for position, cell in enumerate(raw.frame[column.header].tolist() if cells is None else cells):
        text = "" if cell is None else str(cell).strip()
        value, ok = _convert_cell(text, column)
        if not ok:
            shown = None if contains_identity_code(text) else text
            expected = expected or column.expected()
            violations.append(Violation(raw.file, raw.line_of(position), column.header, shown, expected))
        values.append(value)
    return values, violations


def _convert_cell(text: str, column: Column) -> tuple[object, bool]:
    if text == "":
        if column.kind == "bool":
            return False, True
        return None, column.optional
    kind = column.kind
    if kind in ("int", "decimal"):
        number = parse_fi_number(text, column.decimals)
        if number is None or (kind == "int" and number != int(number)):
            return None, False
        value: object = int(number) if kind == "int" else number
        if (column.min is not None and number < column.min) or (column.max is not None and number > column.max):
            return value, False
        return value, True
    if kind == "period":
        period = parse_period_text(text)
        return period, period is not None
    if kind == "date":
        return _parse_date(text)
    if kind == "bool":
        folded = text.casefold()
        if folded in _TRUE:
            return True, True
        return False, folded in _FALSE
    if kind == "code":
        return text, column.allowed is None or text in column.allowed
    return text, True


def _parse_date(text: str) -> tuple[object, bool]:
    for pattern in (r"^(\d{4})-(\d{2})-(\d{2})$", r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"):
        match = re.match(pattern, text)
        if match:
            parts = [int(g) for g in match.groups()]
            year, month, day = parts if pattern.startswith("^(\\d{4})") else (parts[2], parts[1], parts[0])
            try:
                return date(year, month, day), True
            except ValueError:
                return None, False
    return None, False


def _privacy_scan(raw: RawTable, cells: dict[object, list[object]] | None = None) -> list[Violation]:
    """One violation per cell that holds a personal identity code (any written form), in column then row order.

    ``cells`` are the frame's columns as lists, if already taken. The whole table is searched at once first
    (:func:`serviceplan.core.identity_codes.any_identity_code`), and cell by cell only when it holds a code.
    """
    if cells is None:
        cells = {header: raw.frame[header].tolist() for header in raw.frame.columns}
    if not any_identity_code(cell for column in cells.values() for cell in column):
        return []
    violations = []
    for header, column in cells.items():
        for position, cell in enumerate(column):
            if cell is not None and contains_identity_code(str(cell)):
                violations.append(
                    Violation(
                        raw.file,
                        raw.line_of(position),
                        str(header),
                        None,
                        "aggregated data only: the cell holds a personal identity code (value not shown)",
                    )
                )
    return violations


def _out_of_range(raw: RawTable, column: Column, values: list[object], period: Period) -> list[Violation]:
    """Months and dates outside the plan's data (before :data:`DATA_START`) or after the delivery month."""
    violations = []
    if column.kind == "period":
        low, high = str(DATA_START), str(period)
        expected = f"a month from {low} (the plan's data start) to {high} (the delivery month)"
    else:
        low, high = DATA_START.first_day.isoformat(), period.last_day.isoformat()
        expected = f"a date from {low} (the plan's data start) to {high} (end of the delivery month)"
    for position, value in enumerate(values):
        if value is None:
            continue
        text = value.isoformat() if isinstance(value, date) else str(value)
        if not low <= text <= high:
            cell = raw.frame.at[position, column.header]
            violations.append(Violation(raw.file, raw.line_of(position), column.header, str(cell).strip(), expected))
    return violations


def recode(values: pd.Series, codes: Mapping[str, str]) -> pd.api.extensions.ExtensionArray:
    """``values.map(codes).astype("string")`` of a text column, a lookup per cell: text missing from ``codes``
    and missing cells become <NA>. Assign it to the frame's column (aligned by position)."""
    return pd.array([codes.get(v) if isinstance(v, str) else None for v in values.tolist()], dtype="string")


def _typed_frame(typed: dict[str, list[object]], columns: Sequence[Column]) -> pd.DataFrame:
    """The canonical frame of converted cells: the same columns and dtypes as :func:`_apply_dtypes` gives, built
    directly from the value lists instead of through an inferred frame that is converted column by column."""
    arrays: dict[str, object] = {}
    for column in columns:
        values = typed[column.name]
        if column.kind == "int":
            arrays[column.name] = pd.array(values, dtype="Int64")
        elif column.kind == "decimal":
            arrays[column.name] = np.array([np.nan if v is None else v for v in values], dtype="float64")
        elif column.kind == "bool":
            arrays[column.name] = np.array(values, dtype=bool)
        elif column.kind == "date":
            arrays[column.name] = pd.to_datetime(pd.Series(values), errors="coerce")
        else:
            arrays[column.name] = pd.array(values, dtype="string")
    return pd.DataFrame(arrays)


def _apply_dtypes(frame: pd.DataFrame, columns: Sequence[Column]) -> pd.DataFrame:
    for column in columns:
        if column.kind == "int":
            frame[column.name] = pd.array(frame[column.name].tolist(), dtype="Int64")
        elif column.kind == "decimal":
            frame[column.name] = pd.to_numeric(frame[column.name], errors="coerce").astype("float64")
        elif column.kind == "bool":
            frame[column.name] = frame[column.name].astype(bool)
        elif column.kind == "date":
            frame[column.name] = pd.to_datetime(frame[column.name], errors="coerce")
        else:
            frame[column.name] = frame[column.name].astype("string")
    return frame


def _duplicate_keys(
    frame: pd.DataFrame, key: Sequence[str], values: Mapping[str, list[object]] | None = None
) -> list[Finding]:
    """Rows that repeat an earlier row's key. ``values`` are the typed cells by column (the frame's values as
    Python objects), which find the repeats without pandas; the findings name them from the frame."""
    if not key:
        return []
    if values is not None and all(k in values for k in key):
        seen: set[tuple[object, ...]] = set()
        repeated = []
        for position, cells in enumerate(zip(*(values[k] for k in key), strict=True)):
            row = tuple(_key_text(cell) for cell in cells)
            if row in seen:
                repeated.append(position)
            else:
                seen.add(row)
    else:
        normalised = pd.DataFrame({k: [_key_text(v) for v in frame[k].tolist()] for k in key})
        duplicated = normalised.duplicated(keep="first")
        repeated = list(duplicated[duplicated].index)
    findings = []
    for position in repeated:
        shown = ", ".join(str(frame.at[position, k]) for k in key)
        findings.append(Finding(int(position), key[-1], shown, f"one row per ({', '.join(key)}) (duplicate key)"))
    return findings


def _key_text(value: object) -> object:
    """A key cell as duplicates are judged: text without case and with runs of spaces (any kind) as one space,
    so that ``Salpaus`` and ``SALPAUS  `` are one provider."""
    return " ".join(value.split()).casefold() if isinstance(value, str) else value


def _period_mismatch(
    frame: pd.DataFrame, column: str, period: Period, values: list[object] | None = None
) -> list[Finding]:
    """Rows whose month is not the delivery month (``values``: the column's typed cells, if at hand)."""
    if values is not None:
        wrong = [p for p, value in enumerate(values) if value is None or str(value) != str(period)]
    else:
        mask = frame[column].astype(str) != str(period)
        wrong = list(mask[mask].index)
    return [
        Finding(int(p), column, str(frame.at[p, column]), f"the delivery month {period} (file is for that month)")
        for p in wrong
    ]
