"""The PxWeb client: code matching with and without prefixes, query splitting, rate limiting, HTTP handling.

No test touches the network: the session is a fake that answers from a dict, and the clock is a fake that
``sleep`` only advances.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from serviceplan.periods import Period
from serviceplan.pxweb import (
    FetchError,
    PxWebClient,
    RateLimiter,
    build_query,
    cells,
    code_matches,
    match_codes,
    month_code,
    parse_month,
    split_selection,
)

FIXTURES = Path(__file__).parent / "fixtures" / "statfin"
BASE = "https://stats.example/PxWeb/api/v1"
NEW_URL = f"{BASE}/fi/StatFin/tyonv/12r5.px"
OLD_URL = f"{BASE}/fi/StatFin/tyonv/statfin_tyonv_pxt_12r5.px"


class FakeClock:
    """Seconds that pass only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class FakeResponse:
    status_code: int
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeSession:
    """Answers GET and POST from ``answers`` (url -> list of responses, used in turn; the last one repeats)."""

    answers: dict[tuple[str, str], list[FakeResponse]]
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    clock: FakeClock | None = None

    def _answer(self, method: str, url: str, payload: Any) -> FakeResponse:
        self.requests.append((method, url, payload))
        queue = self.answers.get((method, url), [FakeResponse(404, b"not found")])
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def get(self, url: str, *, timeout: float) -> FakeResponse:
        return self._answer("GET", url, None)

    def post(self, url: str, *, json: Any, timeout: float) -> FakeResponse:
        return self._answer("POST", url, json)


def client(session: FakeSession, clock: FakeClock, **kwargs: Any) -> PxWebClient:
    limiter = RateLimiter(kwargs.pop("max_calls", 40), 60.0, clock=clock, sleep=clock.sleep)
    return PxWebClient(
        BASE,
        "StatFin/tyonv",
        ["{table}.px", "statfin_tyonv_pxt_{table}.px"],
        session=session,
        limiter=limiter,
        **kwargs,
    )


# --- codes ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "wanted", "fits"),
    [
        ("KU398", "KU398", True),
        ("ku398", "KU398", True),  # case ignored
        ("alue_KU398", "KU398", True),  # prefix with a separator
        ("12r5:TYOTOSUUS", "TYOTOSUUS", True),
        ("tyonv.12r5.TYOTOSUUS", "TYOTOSUUS", True),
        ("XKU398", "KU398", False),  # no separator: another code
        ("KU3980", "KU398", False),
        ("KU398_x", "KU398", False),  # a suffix is not a prefix
        ("kesto_00-03", "00-03", True),
    ],
)
def test_code_matches(code: str, wanted: str, fits: bool) -> None:
    assert code_matches(code, wanted) is fits


def test_match_codes_prefers_exact_and_reports_ambiguity() -> None:
    mapping, ambiguous = match_codes(["TYOTTOMAT25", "x_TYOTTOMAT25", "a_b", "other"], ["TYOTTOMAT25", "b", "a_b", "B"])
    assert mapping == {"TYOTTOMAT25": "TYOTTOMAT25", "x_TYOTTOMAT25": "TYOTTOMAT25", "a_b": "a_b"}
    assert ambiguous == {}
    mapping, ambiguous = match_codes(["p_x"], ["x", "X"])
    assert mapping == {} and ambiguous == {"p_x": ["x", "X"]}


def test_month_codes() -> None:
    assert parse_month("2025M01") == Period(2025, 1)
    assert parse_month("timeperiod_2025M12") == Period(2025, 12)
    assert parse_month("2025M13") is None
    assert parse_month("2025-01") is None
    assert month_code(Period(2026, 6)) == "2026M06"


# --- query splitting -------------------------------------------------------------------------------------------


def selected_cells(selection: list[tuple[str, list[str]]]) -> set[tuple[str, ...]]:
    return set(itertools.product(*(values for _, values in selection)))


def test_split_by_time_first() -> None:
    months = [f"2024M{m:02d}" for m in range(1, 13)] + [f"2025M{m:02d}" for m in range(1, 13)]
    selection = [("Alue", ["KU398", "MK07", "SSS"]), ("Kuukausi", months), ("Tiedot", [f"c{i}" for i in range(11)])]
    assert cells(selection) == 792
    parts = split_selection(selection, 100, prefer="Kuukausi")
    # 33 cells a month: 3 months (99 cells) a query, 24 months -> 8 queries
    assert len(parts) == 8
    assert all(cells(p) == 99 for p in parts)
    assert all(p[0][1] == ["KU398", "MK07", "SSS"] and len(p[2][1]) == 11 for p in parts)
    assert set().union(*(selected_cells(p) for p in parts)) == selected_cells(selection)


def test_split_further_when_one_month_is_too_big() -> None:
    selection = [("Alue", ["a", "b", "c"]), ("Kuukausi", ["m1", "m2"]), ("Tiedot", [f"c{i}" for i in range(11)])]
    parts = split_selection(selection, 10, prefer="Kuukausi")
    # per month 33 > 10: one month a part, then contents in chunks of 10 // 3 = 3 (3, 3, 3, 2) -> 2 x 4 parts
    assert len(parts) == 8
    assert [cells(p) for p in parts] == [9, 9, 9, 6] * 2
    assert sum(cells(p) for p in parts) == 66
    assert set().union(*(selected_cells(p) for p in parts)) == selected_cells(selection)


def test_no_split_when_within_the_limit() -> None:
    selection = [("Alue", ["KU398"]), ("Kuukausi", ["2025M01"])]
    assert split_selection(selection, 120_000) == [selection]


def test_query_asks_for_json_stat2() -> None:
    query = build_query([("Alue", ["KU398"]), ("Kuukausi", ["2025M01", "2025M02"])])
    assert query == {
        "query": [
            {"code": "Alue", "selection": {"filter": "item", "values": ["KU398"]}},
            {"code": "Kuukausi", "selection": {"filter": "item", "values": ["2025M01", "2025M02"]}},
        ],
        "response": {"format": "json-stat2"},
    }


# --- rate limiting ---------------------------------------------------------------------------------------------


def test_rate_limiter_allows_40_calls_per_60_seconds() -> None:
    clock = FakeClock()
    limiter = RateLimiter(40, 60.0, clock=clock, sleep=clock.sleep)
    stamps = []
    for _ in range(100):
        limiter.acquire()
        stamps.append(clock.now)
    # 40 calls at once, the next 40 when the first have left the window, the last 20 a window later
    assert stamps == [0.0] * 40 + [60.0] * 40 + [120.0] * 20
    assert clock.slept == [60.0, 60.0]
    for start in stamps:
        assert sum(start <= s < start + 60 for s in stamps) <= 40


def test_rate_limiter_waits_only_as_long_as_needed() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2, 60.0, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    clock.now = 50.0
    limiter.acquire()
    assert limiter.acquire() == 10.0  # the first call leaves the window at t = 60
    assert clock.now == 60.0
    with pytest.raises(ValueError):
        RateLimiter(0, 60.0)


# --- the client ------------------------------------------------------------------------------------------------


def test_metadata_falls_back_to_the_old_table_id() -> None:
    clock = FakeClock()
    session = FakeSession({("GET", OLD_URL): [FakeResponse(200, (FIXTURES / "metadata_12r5_old.json").read_bytes())]})
    meta = client(session, clock).metadata("12r5")
    assert [r[1] for r in session.requests] == [NEW_URL, OLD_URL]
    assert meta.url == OLD_URL
    assert [v.code for v in meta.variables] == ["Alue", "Kuukausi", "Tiedot"]
    assert meta.time_variable().code == "Kuukausi"
    assert meta.variable("Alue").text_of("KU398") == "Lahti"


def test_time_variable_found_by_its_values_without_the_flag() -> None:
    document = json.loads((FIXTURES / "metadata_12r5_old.json").read_text(encoding="utf-8"))
    document["variables"][1]["code"] = "timeperiod_m"
    del document["variables"][1]["time"]
    session = FakeSession({("GET", NEW_URL): [FakeResponse(200, json.dumps(document).encode())]})
    meta = client(session, FakeClock()).metadata("12r5")
    assert meta.url == NEW_URL
    assert meta.time_variable().code == "timeperiod_m"


def test_table_not_found_anywhere() -> None:
    with pytest.raises(FetchError, match=r"table 12r5 not found \(HTTP 404 at .*12r5\.px and at .*pxt_12r5\.px\)"):
        client(FakeSession({}), FakeClock()).metadata("12r5")


def test_fetch_splits_and_returns_bodies_as_received() -> None:
    clock = FakeClock()
    metadata = (FIXTURES / "metadata_12r5_old.json").read_bytes()
    bodies = [b'{"part": 1}', b'{"part": 2}']
    session = FakeSession(
        {
            ("GET", NEW_URL): [FakeResponse(200, metadata)],
            ("POST", NEW_URL): [FakeResponse(200, b) for b in bodies],
        }
    )
    px = client(session, clock, max_cells=4)
    meta = px.metadata("12r5")
    selection = [("Alue", ["KU398", "SSS"]), ("Kuukausi", ["2024M11", "2024M12", "2025M01"]), ("Tiedot", ["TYOTOSUUS"])]
    assert px.fetch(meta, selection) == bodies
    posts = [payload for method, _, payload in session.requests if method == "POST"]
    # 6 cells, at most 4 a query: 2 months (4 cells) then 1 month (2 cells), split along time
    assert [p["query"][1]["selection"]["values"] for p in posts] == [["2024M11", "2024M12"], ["2025M01"]]
    assert len(posts) == 2
    assert all(p["response"] == {"format": "json-stat2"} for p in posts)
    assert px.calls == 3


def test_client_respects_the_rate_limit() -> None:
    clock = FakeClock()
    metadata = (FIXTURES / "metadata_12r5_old.json").read_bytes()
    session = FakeSession(
        {("GET", NEW_URL): [FakeResponse(200, metadata)], ("POST", NEW_URL): [FakeResponse(200, b"{}")]}
    )
    px = client(session, clock, max_calls=2, max_cells=1)
    meta = px.metadata("12r5")
    px.fetch(meta, [("Alue", ["KU398"]), ("Kuukausi", ["2024M11", "2024M12", "2025M01", "2024M10"])])
    # 5 calls at 2 per 60 s: t = 0, 0, 60, 60, 120
    assert px.calls == 5
    assert clock.now == 120.0


def test_too_many_requests_is_retried_after_the_given_wait() -> None:
    clock = FakeClock()
    session = FakeSession(
        {
            ("GET", NEW_URL): [
                FakeResponse(429, b"Too Many Requests", {"Retry-After": "7"}),
                FakeResponse(200, (FIXTURES / "metadata_12r5_old.json").read_bytes()),
            ]
        }
    )
    meta = client(session, clock).metadata("12r5")
    assert meta.url == NEW_URL
    assert clock.slept == [7.0]


def test_persistent_server_error_is_one_line() -> None:
    session = FakeSession({("GET", NEW_URL): [FakeResponse(500, b"<html>Internal Server Error</html>\n")]})
    with pytest.raises(FetchError) as caught:
        client(session, FakeClock()).metadata("12r5")
    assert str(caught.value) == f"GET {NEW_URL} answered HTTP 500: <html>Internal Server Error</html>"


def test_connection_failure_is_one_line() -> None:
    class Broken(FakeSession):
        def get(self, url: str, *, timeout: float) -> FakeResponse:
            raise ConnectionError("Name or service not known")

    with pytest.raises(FetchError, match=r"^GET .*12r5\.px failed: ConnectionError: Name or service not known$"):
        client(Broken({}), FakeClock()).metadata("12r5")


def test_metadata_that_is_not_json() -> None:
    session = FakeSession({("GET", NEW_URL): [FakeResponse(200, b"<html>maintenance</html>")]})
    with pytest.raises(FetchError, match=r"metadata of table 12r5 .* is not JSON"):
        client(session, FakeClock()).metadata("12r5")
    session = FakeSession({("GET", NEW_URL): [FakeResponse(200, b'{"title": "x"}')]})
    with pytest.raises(FetchError, match="no 'variables' list"):
        client(session, FakeClock()).metadata("12r5")
