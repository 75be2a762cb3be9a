"""JSON-stat 2.0 datasets: parse and check one response body, and lay it out as a tidy table.

A JSON-stat2 dataset is a data cube: ``id`` lists the dimensions in order, ``size`` their category counts,
``dimension.<id>.category.index`` the category codes with their positions, and ``value`` the cells flattened in
row-major order (the last dimension varies fastest). ``status`` optionally marks cells with a symbol.

Status symbols (PX data symbols, as Statistics Finland's PxWeb sends them in JSON-stat2 from API v1): a cell
with a symbol has ``value`` null and ``status[pos]`` = the symbol. ``-`` is a true zero (PX "nil"): its value is 0,
and :meth:`JsonStatDataset.resolved_values` gives it as 0 with the symbol kept. ``.`` (not applicable), ``..``
(not available, too uncertain, or not yet published) and ``...`` (subject to secrecy) leave the value missing,
symbol kept (:data:`SYMBOLS`). A note may also put a status on a cell that has a value: the value stands and the
status is kept beside it.

Why not pyjstat (checked: version 2.4.0, February 2023): it turns a body into a DataFrame without checking it.
A ``size`` that does not match the number of values, or an ``id`` that names a dimension the body lacks, ends
in an ``IndexError``/``KeyError`` or, worse, in silently misaligned rows; the ``status`` symbols are dropped; and
its ``Dataset.read`` also fetches URLs with its own HTTP code. We need the opposite: a strict structural check
whose every finding names the file, the JSON path and the value, and the status symbols kept cell by cell. The
format is small enough that the parser below is shorter than the glue around pyjstat would be.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from serviceplan.core.errors import DataError, Violation

_HTML = re.compile(r"^\s*<(!doctype|html|head|body|\?xml)", re.IGNORECASE)


@dataclass(frozen=True)
class Symbol:
    """What a status symbol on a cell means: why the value is as it is, and whether the cell is a true zero."""

    reason: str
    zero: bool = False


# PX data symbols (Statistics Finland's explanations of symbols; "..." as the note of table 12ti reads it).
NIL = "-"
SYMBOLS: dict[str, Symbol] = {
    NIL: Symbol("nil: a true zero", zero=True),
    ".": Symbol("logically impossible or not applicable"),
    "..": Symbol("not available, too uncertain to present, or not yet published"),
    "...": Symbol("subject to secrecy (confidential)"),
}


def symbol_reason(symbol: str | None, has_value: bool) -> str | None:
    """Why a cell with status ``symbol`` shows what it shows: the symbol's meaning, or for an unknown status on a
    cell that has a value, that it is a note (``None`` for a cell without a status)."""
    if symbol is None:
        return None
    if symbol in SYMBOLS:
        return SYMBOLS[symbol].reason
    return f"note {symbol!r} on the value" if has_value else f"status symbol {symbol!r}"


EXPECTED_BODY = "a JSON-stat2 dataset (PxWeb response format json-stat2)"

# Records one structural finding: (JSON path, offending value, what was expected).
Report = Callable[[str, Any, str], None]


@dataclass(frozen=True)
class Dimension:
    """One dimension of a dataset: its categories (codes) in index order, with their labels."""

    id: str
    label: str
    codes: tuple[str, ...]
    labels: dict[str, str] = field(default_factory=dict)

    def label_of(self, code: str) -> str:
        """The category's label (its code when the body gives none)."""
        return self.labels.get(code, code)


@dataclass(frozen=True)
class JsonStatDataset:
    """A checked JSON-stat2 dataset: dimensions, flat values (``NaN`` where ``null``) and status symbols."""

    file: str
    label: str
    source: str | None
    updated: str | None
    dimensions: tuple[Dimension, ...]
    values: np.ndarray
    status: dict[int, str]
    role: dict[str, tuple[str, ...]]
    extension: dict[str, Any] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        """Dimension ids in cube order."""
        return [d.id for d in self.dimensions]

    @property
    def sizes(self) -> list[int]:
        """Category counts in cube order."""
        return [len(d.codes) for d in self.dimensions]

    def resolved_values(self) -> np.ndarray:
        """The values with every symbol applied: a nil cell (``-``) with a null value is 0; other symbols leave the
        value as the body gives it (``NaN`` where null)."""
        values = self.values.copy()
        zeros = [p for p, s in self.status.items() if s in SYMBOLS and SYMBOLS[s].zero and math.isnan(values[p])]
        values[zeros] = 0.0
        return values

    def dimension(self, dimension_id: str) -> Dimension:
        """The dimension called ``dimension_id``."""
        return next(d for d in self.dimensions if d.id == dimension_id)

    def with_role(self, role: str) -> list[str]:
        """Ids of the dimensions the body gives ``role`` (``time``, ``geo`` or ``metric``), if they exist."""
        return [d for d in self.role.get(role, ()) if d in self.ids]

    def coordinates(self, position: int) -> dict[str, str]:
        """The category code of every dimension for the cell at flat ``position``."""
        indices = np.unravel_index(position, self.sizes) if self.dimensions else ()
        return {d.id: d.codes[int(i)] for d, i in zip(self.dimensions, indices, strict=True)}

    def to_frame(self) -> pd.DataFrame:
        """One row per cell: a column of category codes per dimension, ``position``, ``value`` and ``status``."""
        count = len(self.values)
        grid = np.indices(self.sizes).reshape(len(self.sizes), -1) if self.dimensions else np.zeros((0, count), int)
        columns: dict[str, object] = {}
        for dim, positions in zip(self.dimensions, grid, strict=True):
            codes = np.asarray(dim.codes, dtype=object)[positions]
            columns[dim.id] = pd.array(codes.tolist(), dtype="string")
        columns["position"] = np.arange(count, dtype="int64")
        columns["value"] = self.values.astype("float64")
        columns["status"] = pd.array([self.status.get(i) for i in range(count)], dtype="string")
        return pd.DataFrame(columns)


def parse(body: bytes | str, file: str) -> JsonStatDataset:
    """Parse and check one JSON-stat2 body; raise :class:`DataError` naming every structural problem.

    ``file`` is how the body is named in messages (normally the path under ``data/``).
    """
    document = _decode(body, file)
    return parse_document(document, file)


def parse_document(document: Any, file: str) -> JsonStatDataset:
    """Check an already decoded JSON document as a JSON-stat2 dataset (see :func:`parse`)."""
    if not isinstance(document, dict):
        raise DataError([Violation(file, None, None, type(document).__name__, f"{EXPECTED_BODY}: a JSON object")])
    if "error" in document and "id" not in document:
        raise DataError(
            [Violation(file, None, "error", str(document["error"])[:200], EXPECTED_BODY + ", not an error")]
        )
    violations: list[Violation] = []

    def bad(path: str, value: Any, expected: str) -> None:
        shown = None if value is None else (value if isinstance(value, str) else json.dumps(value))[:200]
        violations.append(Violation(file, None, path, shown, expected))

    if document.get("class") != "dataset":
        bad("class", document.get("class"), "'dataset' (a JSON-stat2 dataset)")
    version = document.get("version")
    if not (isinstance(version, str) and version.startswith("2")):
        bad("version", version, "'2.0' (JSON-stat version 2; ask PxWeb for the response format json-stat2)")
    ids = document.get("id")
    sizes = document.get("size")
    dims = document.get("dimension")
    if not (isinstance(ids, list) and ids and all(isinstance(i, str) for i in ids)):
        bad("id", ids, "a non-empty list of dimension ids")
        ids = None
    elif len(set(ids)) != len(ids):
        bad("id", ids, "each dimension id once")
        ids = None
    if not (isinstance(sizes, list) and all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes)):
        bad("size", sizes, "a list of category counts (whole numbers, at least 1)")
        sizes = None
    if not isinstance(dims, dict):
        bad("dimension", None if dims is None else type(dims).__name__, "an object with one entry per dimension id")
        dims = None
    if ids is not None and sizes is not None and len(ids) != len(sizes):
        bad("size", sizes, f"one count per dimension in 'id' ({len(ids)} dimensions: {', '.join(ids)})")
        sizes = None
    if violations or ids is None or sizes is None or dims is None:
        raise DataError(violations)

    for extra in sorted(set(dims) - set(ids)):
        bad(f"dimension.{extra}", None, f"only the dimensions listed in 'id' ({', '.join(ids)})")
    dimensions: list[Dimension] = []
    for position, (dim_id, size) in enumerate(zip(ids, sizes, strict=True)):
        if dim_id not in dims:
            bad(f"dimension.{dim_id}", None, f"an entry for dimension '{dim_id}' listed in id[{position}] (missing)")
            continue
        dimension = _dimension(dim_id, dims[dim_id], size, position, bad)
        if dimension is not None:
            dimensions.append(dimension)
    if violations:
        raise DataError(violations)

    count = math.prod(sizes)
    values = _values(document.get("value"), count, sizes, bad)
    status = _status(document.get("status"), count, bad)
    for position, symbol in sorted(status.items()):
        value = values[position]
        if symbol in SYMBOLS and SYMBOLS[symbol].zero and not (math.isnan(value) or value == 0):
            bad(f"value[{position}]", f"{value:g}", f"0 or null: the cell's status {symbol!r} means a true zero")
    updated = document.get("updated")
    if updated is not None and not isinstance(updated, str):
        bad("updated", updated, "a date-time text like 2025-07-23T05:00:00Z")
    role = _role(document.get("role"), ids, bad)
    if violations:
        raise DataError(violations)
    extension = document.get("extension")
    return JsonStatDataset(
        file=file,
        label=str(document.get("label", "")),
        source=None if document.get("source") is None else str(document["source"]),
        updated=updated,
        dimensions=tuple(dimensions),
        values=values,
        status=status,
        role=role,
        extension=extension if isinstance(extension, dict) else {},
    )


def _decode(body: bytes | str, file: str) -> Any:
    if isinstance(body, bytes):
        if body.startswith(b"\xef\xbb\xbf"):
            body = body[3:]
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataError(
                [Violation(file, None, None, None, f"{EXPECTED_BODY} in UTF-8 (undecodable byte at {exc.start})")]
            ) from None
    else:
        text = body
    if not text.strip():
        raise DataError([Violation(file, None, None, None, f"{EXPECTED_BODY} (the file is empty)")])
    if _HTML.match(text):
        raise DataError(
            [
                Violation(
                    file,
                    1,
                    None,
                    " ".join(text.split())[:60],
                    f"{EXPECTED_BODY}, not an HTML page (the server answered with an error page: fetch again)",
                )
            ]
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        ends_early = exc.pos >= len(text.rstrip()) or not text.rstrip().endswith(("}", "]"))
        hint = f"the body ends too early, truncated download? {exc.msg}" if ends_early else exc.msg
        raise DataError(
            [Violation(file, exc.lineno, None, None, f"{EXPECTED_BODY}: valid JSON ({hint}; {where})")]
        ) from None


def _dimension(dim_id: str, entry: Any, size: int, position: int, bad: Report) -> Dimension | None:
    path = f"dimension.{dim_id}.category"
    category = entry.get("category") if isinstance(entry, dict) else None
    if not isinstance(category, dict):
        bad(path, None, "a category object with 'index' (and 'label')")
        return None
    index = category.get("index")
    labels = category.get("label")
    if labels is not None and not (isinstance(labels, dict) and all(isinstance(v, str) for v in labels.values())):
        bad(f"{path}.label", None, "an object mapping category codes to label texts")
        return None
    labels = dict(labels or {})
    if index is None:
        # The format lets a single-category dimension leave out 'index' and give only 'label'.
        if len(labels) != 1:
            bad(f"{path}.index", None, "the category index (only a one-category dimension may leave it out)")
            return None
        codes = list(labels)
    elif isinstance(index, list):
        if not all(isinstance(c, str) for c in index) or len(set(index)) != len(index):
            bad(f"{path}.index", index, "a list of distinct category codes")
            return None
        codes = list(index)
    elif isinstance(index, dict):
        places = list(index.values())
        if sorted(p for p in places if isinstance(p, int) and not isinstance(p, bool)) != list(range(len(index))):
            bad(f"{path}.index", index, f"positions 0..{len(index) - 1}, each once")
            return None
        codes = sorted(index, key=lambda c: index[c])
    else:
        bad(f"{path}.index", index, "a list of codes or an object of code: position")
        return None
    if len(codes) != size:
        bad(
            f"size[{position}]",
            size,
            f"the number of categories of dimension '{dim_id}' ({len(codes)} in {path}.index)",
        )
        return None
    label = entry.get("label", dim_id)
    return Dimension(id=dim_id, label=str(label), codes=tuple(codes), labels=labels)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _values(raw: Any, count: int, sizes: list[int], bad: Report) -> np.ndarray:
    values = np.full(count, np.nan, dtype="float64")
    product = " x ".join(str(s) for s in sizes)
    if isinstance(raw, list):
        if len(raw) != count:
            bad("value", f"{len(raw)} values", f"{count} values, the product of size ({product})")
            return values
        items = enumerate(raw)
    elif isinstance(raw, dict):
        items = []
        for key, value in raw.items():
            if not (key.isdigit() and int(key) < count):
                bad(f"value.{key}", key, f"a cell position 0..{count - 1} (size {product})")
            else:
                items.append((int(key), value))
    else:
        bad("value", None if raw is None else type(raw).__name__, "a list of numbers (or null) or an object of them")
        return values
    if isinstance(raw, list) and all(type(v) in _PLAIN_VALUES for v in raw):  # the usual body: one conversion
        values = np.array(raw, dtype="float64")  # null becomes NaN
        if np.isfinite(values[~np.isnan(values)]).all():
            return values
        values = np.full(count, np.nan, dtype="float64")
    for position, value in items:
        if value is None:
            continue
        if _is_number(value):
            values[position] = float(value)
        else:
            bad(f"value[{position}]", value, "a number or null")
    return values


_PLAIN_VALUES = frozenset({int, float, type(None)})  # exactly these types: bool (a subclass of int) is not one


def _status(raw: Any, count: int, bad: Report) -> dict[int, str]:
    if raw is None:
        return {}
    if isinstance(raw, str):
        return dict.fromkeys(range(count), raw)
    if isinstance(raw, list):
        if len(raw) == 1 and isinstance(raw[0], str):
            return dict.fromkeys(range(count), raw[0])
        if len(raw) != count:
            bad("status", f"{len(raw)} symbols", f"one status per value ({count}) or a single one for all")
            return {}
        return {i: s for i, s in enumerate(raw) if isinstance(s, str) and s}
    if isinstance(raw, dict):
        status: dict[int, str] = {}
        for key, symbol in raw.items():
            if not (key.isdigit() and int(key) < count) or not isinstance(symbol, str):
                bad(f"status.{key}", symbol, f"a cell position 0..{count - 1} with a status symbol text")
            elif symbol:
                status[int(key)] = symbol
        return status
    bad("status", type(raw).__name__, "a status symbol text, a list of them or an object of position: symbol")
    return {}


def _role(raw: Any, ids: list[str], bad: Report) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, list) for v in raw.values()):
        bad("role", raw, "an object of role: list of dimension ids")
        return {}
    role: dict[str, tuple[str, ...]] = {}
    for name, members in raw.items():
        unknown = [m for m in members if m not in ids]
        if unknown:
            bad(f"role.{name}", unknown, f"dimension ids listed in 'id' ({', '.join(ids)})")
        role[name] = tuple(m for m in members if m in ids)
    return role
