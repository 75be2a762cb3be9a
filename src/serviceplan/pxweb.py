"""A small client for the PxWeb API v1 (Statistics Finland's StatFin database and others).

The API has two calls per table: ``GET {base}/{lang}/{database}/{table}`` returns the table's metadata (its
variables and their value codes), and ``POST`` of a JSON query to the same URL returns the data, here always as
JSON-stat2. Statistics Finland renamed table ids, variable codes and some value codes on 8.6.2026, so nothing
here hard-codes them: the caller names what it wants by meaning (the time variable, a set of region or content
codes) and :func:`match_codes` finds the delivered codes with or without a prefix.

The service allows a limited number of cells per query and of calls per time window; :func:`split_selection`
splits a query and :class:`RateLimiter` spaces the calls. The HTTP session, the clock and the sleep function are
injected so that tests run without network and without waiting.

Why not pxwebpy (checked: version 0.6.0): it speaks only the PxWeb API version 2, while Statistics Finland serves
the tables through version 1; it also returns data frames rather than the raw response bodies we must store as
received, and brings requests-cache along.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from serviceplan.errors import ServiceplanError
from serviceplan.periods import Period

# Value codes may gain a prefix ("tyonv_KU398", "12r5:TYOTTOMAT25"); it ends with one of these characters.
PREFIX_SEPARATORS = "_:./"
_MONTH = re.compile(r"(?:^|[_:./])(\d{4})M(\d{2})$")
RETRY_STATUSES = (429, 503)


class FetchError(ServiceplanError):
    """A request to the statistics service failed or returned something unusable."""


class Response(Protocol):
    """The part of :class:`requests.Response` the client uses."""

    status_code: int
    content: bytes
    headers: Mapping[str, str]


class Session(Protocol):
    """The part of :class:`requests.Session` the client uses (tests pass a fake)."""

    def get(self, url: str, *, timeout: float) -> Response: ...

    def post(self, url: str, *, json: Any, timeout: float) -> Response: ...


class RateLimiter:
    """At most ``max_calls`` calls in any window of ``per_seconds`` seconds (a sliding window).

    ``clock`` returns seconds (monotonic) and ``sleep`` waits; tests inject a fake clock whose ``sleep`` only
    advances the fake time.
    """

    def __init__(
        self,
        max_calls: int,
        per_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_calls < 1 or per_seconds <= 0:
            raise ValueError("a rate limit needs max_calls >= 1 and per_seconds > 0")
        self.max_calls = max_calls
        self.per_seconds = per_seconds
        self.clock = clock
        self.sleep = sleep
        self._calls: deque[float] = deque()

    def acquire(self) -> float:
        """Wait until a call is allowed, record it, and return the seconds waited."""
        waited = 0.0
        while True:
            now = self.clock()
            while self._calls and self._calls[0] <= now - self.per_seconds:
                self._calls.popleft()
            if len(self._calls) < self.max_calls:
                self._calls.append(now)
                return waited
            pause = self._calls[0] + self.per_seconds - now
            self.sleep(pause)
            waited += pause


@dataclass(frozen=True)
class Variable:
    """One variable of a table's metadata."""

    code: str
    text: str
    values: tuple[str, ...]
    value_texts: tuple[str, ...]
    time: bool = False
    elimination: bool = False

    def text_of(self, value: str) -> str:
        """The label of a value code."""
        return dict(zip(self.values, self.value_texts, strict=False)).get(value, value)


@dataclass(frozen=True)
class TableMetadata:
    """A table's metadata as the API returned it, with the URL that answered."""

    table: str
    url: str
    title: str
    variables: tuple[Variable, ...]

    def variable(self, code: str) -> Variable:
        """The variable with ``code``."""
        return next(v for v in self.variables if v.code == code)

    def time_variable(self) -> Variable:
        """The time variable: flagged ``time`` in the metadata, else the one whose values are all months."""
        flagged = [v for v in self.variables if v.time]
        if len(flagged) == 1:
            return flagged[0]
        monthly = [v for v in self.variables if v.values and all(parse_month(c) for c in v.values)]
        if len(monthly) == 1:
            return monthly[0]
        raise FetchError(
            f"table {self.table}: cannot tell its time variable from the metadata at {self.url} "
            f"(variables: {', '.join(v.code for v in self.variables)})"
        )


def code_matches(code: str, wanted: str) -> bool:
    """Whether a delivered value ``code`` is the ``wanted`` code, as is or after a prefix (case ignored)."""
    delivered, target = code.casefold(), wanted.casefold()
    if delivered == target:
        return True
    return delivered.endswith(target) and delivered[-len(target) - 1] in PREFIX_SEPARATORS


def match_codes(codes: Iterable[str], wanted: Iterable[str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Map delivered ``codes`` to the ``wanted`` codes they stand for.

    Returns the mapping (delivered code -> wanted code) and the ambiguous codes (those that fit several wanted
    codes, none exactly). Codes that fit none are left out of both.
    """
    targets = list(wanted)
    mapping: dict[str, str] = {}
    ambiguous: dict[str, list[str]] = {}
    for code in codes:
        exact = [t for t in targets if t.casefold() == code.casefold()]
        fits = exact or [t for t in targets if code_matches(code, t)]
        if len(fits) == 1:
            mapping[code] = fits[0]
        elif len(fits) > 1:
            ambiguous[code] = fits
    return mapping, ambiguous


def parse_month(code: str) -> Period | None:
    """``2025M01`` (with or without a prefix) -> ``Period(2025, 1)``; ``None`` for anything else."""
    match = _MONTH.search(code)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return Period(int(match.group(1)), int(match.group(2)))


def month_code(period: Period) -> str:
    """``Period(2025, 1)`` -> ``2025M01``, the month form of the statistics."""
    return f"{period.year:04d}M{period.month:02d}"


Selection = list[tuple[str, list[str]]]


def cells(selection: Selection) -> int:
    """Number of cells a query for ``selection`` returns."""
    return math.prod(len(values) for _, values in selection)


def split_selection(selection: Selection, max_cells: int, prefer: str | None = None) -> list[Selection]:
    """Split a query into queries of at most ``max_cells`` cells each.

    Splits the ``prefer`` variable (normally time) first, then the variable with the most values, so that the
    parts are as few as possible. The parts together select exactly the cells of ``selection``.
    """
    if max_cells < 1:
        raise ValueError("max_cells must be at least 1")
    total = cells(selection)
    if total <= max_cells:
        return [selection]
    order = sorted(range(len(selection)), key=lambda i: (selection[i][0] != prefer, -len(selection[i][1])))
    index = next(i for i in order if len(selection[i][1]) > 1)
    code, values = selection[index]
    chunk = max(1, max_cells // (total // len(values)))
    parts: list[Selection] = []
    for start in range(0, len(values), chunk):
        part = list(selection)
        part[index] = (code, values[start : start + chunk])
        parts.extend(split_selection(part, max_cells, prefer))
    return parts


def build_query(selection: Selection) -> dict[str, Any]:
    """The JSON body of a data query selecting ``selection`` and asking for JSON-stat2."""
    return {
        "query": [
            {"code": code, "selection": {"filter": "item", "values": list(values)}} for code, values in selection
        ],
        "response": {"format": "json-stat2"},
    }


class PxWebClient:
    """Reads metadata and data of the tables of one PxWeb database folder (for example ``StatFin/tyonv``).

    ``table_files`` lists the URL forms of a table id to try in order (``{table}.px`` is the form since June
    2026, ``statfin_tyonv_pxt_{table}.px`` the earlier one); the first that answers is used.
    """

    def __init__(
        self,
        base_url: str,
        database_path: str,
        table_files: Sequence[str],
        language: str = "fi",
        session: Session | None = None,
        limiter: RateLimiter | None = None,
        max_cells: int = 120_000,
        timeout: float = 30.0,
        retries: int = 2,
    ) -> None:
        if session is None:
            import requests

            session = requests.Session()
        self.base_url = base_url.rstrip("/")
        self.database_path = database_path.strip("/")
        self.table_files = list(table_files)
        self.language = language
        self.session = session
        self.limiter = limiter or RateLimiter(40, 60.0)
        self.max_cells = max_cells
        self.timeout = timeout
        self.retries = retries
        self.calls = 0

    def table_urls(self, table: str) -> list[str]:
        """The URLs a table may live at, in the order they are tried."""
        folder = f"{self.base_url}/{self.language}/{self.database_path}"
        return [f"{folder}/{form.format(table=table)}" for form in self.table_files]

    def metadata(self, table: str) -> TableMetadata:
        """Read a table's metadata (trying each URL form until one answers)."""
        tried = []
        for url in self.table_urls(table):
            response = self._call("GET", url)
            if response.status_code == 404:
                tried.append(url)
                continue
            self._check(response, "GET", url)
            return _parse_metadata(table, url, response.content)
        raise FetchError(f"table {table} not found (HTTP 404 at {' and at '.join(tried)})")

    def fetch(self, meta: TableMetadata, selection: Selection) -> list[bytes]:
        """POST the query for ``selection`` (split to respect the cell limit); the response bodies as received."""
        time_code = meta.time_variable().code
        bodies = []
        for part in split_selection(selection, self.max_cells, prefer=time_code):
            response = self._call("POST", meta.url, build_query(part))
            self._check(response, "POST", meta.url)
            bodies.append(bytes(response.content))
        return bodies

    def _call(self, method: str, url: str, payload: dict[str, Any] | None = None) -> Response:
        for attempt in range(self.retries + 1):
            self.limiter.acquire()
            self.calls += 1
            try:
                if method == "GET":
                    response = self.session.get(url, timeout=self.timeout)
                else:
                    response = self.session.post(url, json=payload, timeout=self.timeout)
            except Exception as exc:  # requests raises many kinds; the user needs one line
                raise FetchError(f"{method} {url} failed: {type(exc).__name__}: {exc}") from None
            if response.status_code not in RETRY_STATUSES or attempt == self.retries:
                return response
            self.limiter.sleep(_retry_after(response, self.limiter.per_seconds))
        raise AssertionError("unreachable")

    def _check(self, response: Response, method: str, url: str) -> None:
        if response.status_code != 200:
            text = response.content[:200].decode("utf-8", "replace").strip().replace("\n", " ")
            raise FetchError(f"{method} {url} answered HTTP {response.status_code}: {text or '(no body)'}")


def _retry_after(response: Response, default: float) -> float:
    value = response.headers.get("Retry-After", "") if response.headers else ""
    try:
        return max(0.0, float(value))
    except ValueError:
        return default


def _parse_metadata(table: str, url: str, content: bytes) -> TableMetadata:
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise FetchError(f"metadata of table {table} at {url} is not JSON: {content[:80]!r}") from None
    variables = document.get("variables") if isinstance(document, dict) else None
    if not isinstance(variables, list) or not variables:
        raise FetchError(f"metadata of table {table} at {url} has no 'variables' list (is it a PxWeb v1 table?)")
    parsed = []
    for entry in variables:
        values = entry.get("values") if isinstance(entry, dict) else None
        if not (isinstance(values, list) and isinstance(entry.get("code"), str)):
            raise FetchError(f"metadata of table {table} at {url}: a variable without 'code' and 'values'")
        texts = entry.get("valueTexts") or values
        parsed.append(
            Variable(
                code=entry["code"],
                text=str(entry.get("text", entry["code"])),
                values=tuple(str(v) for v in values),
                value_texts=tuple(str(t) for t in texts),
                time=bool(entry.get("time", False)),
                elimination=bool(entry.get("elimination", False)),
            )
        )
    return TableMetadata(table=table, url=url, title=str(document.get("title", table)), variables=tuple(parsed))
