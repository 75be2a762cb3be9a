"""The statistics transport: everything that talks HTTP to a PxWeb service lives in this one module.

The readers (:mod:`serviceplan.inputs.sources.statfin`) see only :class:`StatisticsService`: the service's limits, a
table's metadata, and the JSON-stat2 bodies of a query. :class:`PxWebClient` implements it for the PxWeb API
version 1 that Statistics Finland serves; a PxWeb API 2 adapter (``GET /tables/{id}/metadata`` and
``GET /tables/{id}/data?...&outputFormat=json-stat2``, errors as ``application/problem+json``) would implement the
same three calls and leave the readers untouched.

API v1 has two calls per table: ``GET {base}/{lang}/{database}/{table}.px`` returns the table's metadata (its
variables and their value codes), and ``POST`` of a JSON query to the same URL returns the data, here always as
JSON-stat2. ``GET {base}/{lang}/?config`` answers the service's limits (StatFin: ``maxValues 120000, maxCalls 40,
timeWindow 60``). Statistics Finland renamed table ids and variable codes and prefixed some value codes on
8.6.2026, so nothing here hard-codes them: the caller names what it wants by meaning and :func:`match_codes`
finds the delivered codes with or without a prefix (``tyonv_KU398``, ``12r5:X``, ``tyokay-tyolliset2``).

What the real service does, and what the client does about it:

* a table id it does not know answers HTTP 400 (since 8.6.2026; 404 before): the next URL form is tried;
* over the limits it answers 429 Too Many Requests; transient 5xx answers and dropped connections happen: a
  request is tried again after an exponentially growing, jittered wait (``Retry-After`` is honoured), at most
  :attr:`RetryPolicy.attempts` times;
* the limits are read from ``?config`` at the start of a fetch, and the stricter of them and the parameters is
  kept: :func:`split_selection` splits a query to the cell limit and :class:`RateLimiter` spaces the calls.

The HTTP session, the clock, the sleep function and the random source of the jitter are injected, so that tests
run against fakes or a local server without waiting.

Why not pxwebpy (checked: version 0.6.0): it speaks only the PxWeb API version 2, while Statistics Finland serves
the tables through version 1; it also returns data frames rather than the raw response bodies we must store as
received, and brings requests-cache along.
"""

from __future__ import annotations

import json
import math
import random
import re
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from serviceplan.core.errors import ServiceplanError
from serviceplan.core.periods import Period

# Value codes may gain a prefix ("tyonv_KU398", "12r5:TYOTTOMAT25", "tyokay-tyolliset2"); it ends with one of
# these characters. Statistics Finland's own prefixes since 8.6.2026 end with a hyphen (docs/domain.md).
PREFIX_SEPARATORS = "_:./-"
_MONTH = re.compile(r"(?:^|[_:./-])(\d{4})M(\d{2})$")
# Answers worth another try: too many requests, and the transient server errors.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Answers meaning "no such table here": 400 Bad Request since 8.6.2026 (an old long id), 404 before.
NOT_FOUND_STATUSES = frozenset({400, 404})


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

    def reconfigure(self, max_calls: int, per_seconds: float) -> None:
        """Change the limit (e.g. to what the service's ``?config`` tells); calls made so far still count."""
        if max_calls < 1 or per_seconds <= 0:
            raise ValueError("a rate limit needs max_calls >= 1 and per_seconds > 0")
        self.max_calls = max_calls
        self.per_seconds = per_seconds

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


@dataclass(frozen=True)
class Limits:
    """A service's limits: cells per query and calls per time window."""

    max_cells: int
    max_calls: int
    per_seconds: float

    def stricter(self, other: Limits) -> Limits:
        """The limits that respect both ``self`` and ``other``."""
        return Limits(
            min(self.max_cells, other.max_cells),
            min(self.max_calls, other.max_calls),
            max(self.per_seconds, other.per_seconds),
        )


def parse_config(content: bytes) -> Limits | None:
    """The limits in a ``?config`` answer (``maxValues``/``maxCells``, ``maxCalls``, ``timeWindow``); ``None``
    when the answer does not carry them."""
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(document, dict):
        return None

    def positive(key: str) -> float | None:
        value = document.get(key)
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0
        return float(value) if ok else None

    cell_limits = [v for v in (positive("maxValues"), positive("maxCells")) if v is not None]
    calls, window = positive("maxCalls"), positive("timeWindow")
    if not cell_limits or calls is None or window is None:
        return None
    return Limits(int(min(cell_limits)), int(calls), window)


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before trying a request again.

    A request is tried at most ``attempts`` times. Before retry ``n`` (1, 2, ...) the client waits
    ``min(max_delay, base_delay * 2 ** (n - 1))`` seconds, less a random part of up to ``jitter`` of it (so that
    clients that failed together do not come back together), or what the answer's ``Retry-After`` asks when it
    asks for more. A ``Retry-After`` over ``max_retry_after`` is not waited for: the fetch stops and says when to
    try again.
    """

    attempts: int = 5
    base_delay: float = 2.0
    max_delay: float = 60.0
    jitter: float = 0.5
    max_retry_after: float = 300.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.base_delay < 0 or self.max_delay < 0 or not 0 <= self.jitter <= 1:
            raise ValueError("a retry policy needs attempts >= 1, delays >= 0 and 0 <= jitter <= 1")

    def delay(self, retry: int, draw: Callable[[], float]) -> float:
        """Seconds to wait before retry number ``retry`` (from 1); ``draw`` gives a random number in [0, 1)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry - 1))
        return ceiling * (1.0 - self.jitter * draw())


def is_transient(exc: BaseException) -> bool:
    """Whether a failed request is worth another try: a dropped or refused connection, a time-out (the builtin
    exceptions, and those of ``requests`` when it is in use)."""
    if isinstance(exc, ConnectionError | TimeoutError):
        return True
    requests = sys.modules.get("requests")
    if requests is None:
        return False
    transient = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
    return isinstance(exc, transient)


def retry_after(response: Response) -> float | None:
    """The seconds a ``Retry-After`` header asks for (a number, or an HTTP date); ``None`` without one."""
    value = (response.headers.get("Retry-After", "") if response.headers else "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


class StatisticsService(Protocol):
    """What the readers need from a statistics service: this module's API v1 client, or an API 2 adapter."""

    calls: int

    def start(self, wanted: Limits) -> Limits:
        """Read the service's limits and keep the stricter of them and ``wanted``; returns the limits in use."""
        ...

    def metadata(self, table: str) -> TableMetadata:
        """A table's variables and their value codes."""
        ...

    def fetch(self, meta: TableMetadata, selection: Selection) -> list[bytes]:
        """The JSON-stat2 bodies answering a query for ``selection``, as received."""
        ...


class PxWebClient:
    """Reads the limits, the metadata and the data of the tables of one PxWeb API v1 database folder (for example
    ``StatFin/tyonv``).

    ``table_files`` lists the URL forms of a table id to try in order (``{table}.px`` is the form since June
    2026); a form that answers 400 or 404 is passed over, and the form that answered first is tried first for the
    next table.
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
        retry: RetryPolicy | None = None,
        draw: Callable[[], float] = random.random,
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
        self.retry = retry or RetryPolicy()
        self.draw = draw
        self.calls = 0
        self.retries = 0

    @property
    def config_url(self) -> str:
        """Where the service tells its limits."""
        return f"{self.base_url}/{self.language}/?config"

    def start(self, wanted: Limits) -> Limits:
        """Read the limits from ``?config`` and keep the stricter of them and ``wanted`` (the parameters); when the
        service does not tell them, ``wanted`` holds. Returns the limits now in use."""
        response = self._call("GET", self.config_url)
        told = parse_config(response.content) if response.status_code == 200 else None
        limits = wanted if told is None else wanted.stricter(told)
        self.max_cells = limits.max_cells
        self.limiter.reconfigure(limits.max_calls, limits.per_seconds)
        return limits

    def table_urls(self, table: str) -> list[str]:
        """The URLs a table may live at, in the order they are tried."""
        folder = f"{self.base_url}/{self.language}/{self.database_path}"
        return [f"{folder}/{form.format(table=table)}" for form in self.table_files]

    def metadata(self, table: str) -> TableMetadata:
        """Read a table's metadata (trying each URL form until one answers)."""
        tried = []
        for index, url in enumerate(self.table_urls(table)):
            response = self._call("GET", url)
            if response.status_code in NOT_FOUND_STATUSES:
                tried.append(f"HTTP {response.status_code} at {url}")
                continue
            self._check(response, "GET", url)
            if index:  # this form answered: try it first from now on
                self.table_files.insert(0, self.table_files.pop(index))
            return _parse_metadata(table, url, response.content)
        raise FetchError(f"table {table} not found ({' and '.join(tried)})")

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
        """One request, tried again on a transient failure (see :class:`RetryPolicy`)."""
        policy = self.retry
        for attempt in range(1, policy.attempts + 1):
            self.limiter.acquire()
            self.calls += 1
            last = attempt == policy.attempts
            try:
                if method == "GET":
                    response = self.session.get(url, timeout=self.timeout)
                else:
                    response = self.session.post(url, json=payload, timeout=self.timeout)
            except Exception as exc:  # requests raises many kinds; the user needs one line
                failure = f"{method} {url} failed: {type(exc).__name__}: {_one_line(str(exc))}"
                if not is_transient(exc):
                    raise FetchError(failure) from None
                if last:
                    raise FetchError(f"{failure} (tried {attempt} times)") from None
                self._wait(policy.delay(attempt, self.draw))
                continue
            if response.status_code not in RETRY_STATUSES or last:
                return response
            asked = retry_after(response)
            if asked is not None and asked > policy.max_retry_after:
                raise FetchError(
                    f"{method} {url} answered HTTP {response.status_code} and asks to wait {asked:.0f} s "
                    f"(Retry-After): try again later"
                )
            self._wait(max(asked or 0.0, policy.delay(attempt, self.draw)))
        raise AssertionError("unreachable")

    def _wait(self, seconds: float) -> None:
        self.retries += 1
        self.limiter.sleep(seconds)

    def _check(self, response: Response, method: str, url: str) -> None:
        if response.status_code != 200:
            raise FetchError(f"{method} {url} answered HTTP {response.status_code}: {_error_text(response)}")


def _one_line(text: str, limit: int = 200) -> str:
    return " ".join(text.split())[:limit]


def _error_text(response: Response) -> str:
    """What an error answer says, in one line: a problem+json ``title``/``detail`` (PxWeb API 2), else the body."""
    content = response.content or b""
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        document = None
    if isinstance(document, dict) and any(isinstance(document.get(k), str) for k in ("title", "detail")):
        parts = [str(document[k]) for k in ("title", "detail") if isinstance(document.get(k), str)]
        return _one_line(": ".join(parts))
    return _one_line(content[:400].decode("utf-8", "replace")) or "(no body)"


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
