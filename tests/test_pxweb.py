"""The PxWeb client: code matching with and without prefixes, query splitting, limits, retries, HTTP handling.

No test touches the network: the session is a fake that answers from a dict, or real HTTP goes to a local server
on 127.0.0.1 (tests/pxweb_server.py) that answers in the live service's shapes with faults on the way. The clock
is a fake that ``sleep`` only advances, so a retry's wait costs no time; a time-out test waits under a second.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pxweb_server import RESET, Answer, LocalPxWeb
from serviceplan.core.periods import Period
from serviceplan.inputs.pxweb import (
    FetchError,
    Limits,
    PxWebClient,
    RateLimiter,
    RetryPolicy,
    build_query,
    cells,
    code_matches,
    is_transient,
    match_codes,
    month_code,
    parse_config,
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


def client(session: Any, clock: FakeClock, base: str = BASE, **kwargs: Any) -> PxWebClient:
    """A client of ``session`` (a fake, or None for real HTTP) whose waits only advance ``clock``; no jitter unless
    ``draw`` is given."""
    limiter = RateLimiter(kwargs.pop("max_calls", 40), 60.0, clock=clock, sleep=clock.sleep)
    kwargs.setdefault("draw", lambda: 0.0)
    return PxWebClient(
        base,
        "StatFin/tyonv",
        kwargs.pop("table_files", ["{table}.px", "statfin_tyonv_pxt_{table}.px"]),
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
        ("tyokay-tyolliset2", "tyolliset2", True),  # the hyphen prefixes of 8.6.2026
        ("ton-kuol", "KUOL", True),
        ("tyonv-24-", "24-", True),
        ("tyonv-00-03", "03", True),  # a prefix ends at any separator: why match_codes prefers exact and reports ties
        ("x24-", "24-", False),
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
    with pytest.raises(
        FetchError, match=r"table 12r5 not found \(HTTP 404 at .*12r5\.px and HTTP 404 at .*pxt_12r5\.px\)"
    ):
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
    assert clock.slept == [7.0]  # Retry-After (7 s) is longer than the first back-off (2 s)


def test_persistent_server_error_is_one_line() -> None:
    session = FakeSession({("GET", NEW_URL): [FakeResponse(500, b"<html>Internal Server Error</html>\n")]})
    clock = FakeClock()
    with pytest.raises(FetchError) as caught:
        client(session, clock).metadata("12r5")
    assert str(caught.value) == f"GET {NEW_URL} answered HTTP 500: <html>Internal Server Error</html>"
    assert len(session.requests) == 5  # tried RetryPolicy.attempts times
    assert clock.slept == [2.0, 4.0, 8.0, 16.0]  # exponential back-off (no jitter drawn here)


def test_connection_failure_is_one_line() -> None:
    class Broken(FakeSession):
        def get(self, url: str, *, timeout: float) -> FakeResponse:
            raise ConnectionError("Name or service not known")

    with pytest.raises(
        FetchError, match=r"^GET .*12r5\.px failed: ConnectionError: Name or service not known \(tried 5 times\)$"
    ):
        client(Broken({}), FakeClock()).metadata("12r5")


def test_a_failure_that_is_not_transient_is_not_retried() -> None:
    class Wrong(FakeSession):
        def get(self, url: str, *, timeout: float) -> FakeResponse:
            self.requests.append(("GET", url, None))
            raise ValueError("Invalid URL 'x': No scheme supplied")

    session = Wrong({})
    with pytest.raises(FetchError, match=r"failed: ValueError: Invalid URL 'x': No scheme supplied$"):
        client(session, FakeClock()).metadata("12r5")
    assert len(session.requests) == 1
    assert not is_transient(ValueError("x")) and is_transient(ConnectionResetError()) and is_transient(TimeoutError())


def test_metadata_that_is_not_json() -> None:
    session = FakeSession({("GET", NEW_URL): [FakeResponse(200, b"<html>maintenance</html>")]})
    with pytest.raises(FetchError, match=r"metadata of table 12r5 .* is not JSON"):
        client(session, FakeClock()).metadata("12r5")
    session = FakeSession({("GET", NEW_URL): [FakeResponse(200, b'{"title": "x"}')]})
    with pytest.raises(FetchError, match="no 'variables' list"):
        client(session, FakeClock()).metadata("12r5")


# --- limits and back-off ----------------------------------------------------------------------------------------


def test_config_answer_of_the_live_service() -> None:
    assert parse_config((FIXTURES / "live_config.json").read_bytes()) == Limits(120_000, 40, 60.0)
    assert parse_config(b'{"maxValues": 1000, "maxCells": 500, "maxCalls": 10, "timeWindow": 10}') == Limits(
        500, 10, 10.0
    )
    assert parse_config(b"<html>no</html>") is None
    assert parse_config(b'{"maxCalls": 40}') is None  # incomplete: the parameters hold


def test_stricter_limits_win() -> None:
    ours = Limits(120_000, 40, 60.0)
    assert ours.stricter(Limits(50_000, 30, 10.0)) == Limits(50_000, 30, 60.0)


def test_back_off_grows_exponentially_with_a_cap_and_jitter() -> None:
    policy = RetryPolicy(attempts=8, base_delay=2.0, max_delay=20.0, jitter=0.5)
    assert [policy.delay(n, lambda: 0.0) for n in range(1, 7)] == [2.0, 4.0, 8.0, 16.0, 20.0, 20.0]
    assert policy.delay(3, lambda: 1.0) == 4.0  # the whole jitter: half of 8 s
    assert policy.delay(3, lambda: 0.5) == 6.0
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)


METADATA = (FIXTURES / "live_metadata_12r5.json").read_bytes()
SHORT = "/PxWeb/api/v1/fi/StatFin/tyonv/12r5.px"
LONG = "/PxWeb/api/v1/fi/StatFin/tyonv/statfin_tyonv_pxt_12r5.px"
CONFIG = "/PxWeb/api/v1/fi/?config"
SELECTION = [("Alue", ["KU398", "SSS"]), ("timeperiod_m", ["2026M06", "2026M07"]), ("contentscode", ["UUDETAVP"])]


def live_handler(config: bytes = (FIXTURES / "live_config.json").read_bytes()) -> Any:
    """Answers like StatFin after 8.6.2026: ?config, the short table id, 400 for the old long id, a body per POST."""

    def handle(method: str, path: str, payload: Any) -> Answer:
        if path == CONFIG:
            return Answer(200, config)
        if path == LONG:
            return Answer(400, b"Bad Request")
        if path != SHORT:
            return Answer(404, b"<html>Not found</html>")
        if method == "GET":
            return Answer(200, METADATA, {"Content-Type": "application/json; charset=utf-8"})
        return Answer.json({"asked": payload["query"]})

    return handle


def served_client(base: str, clock: FakeClock, **kwargs: Any) -> PxWebClient:
    kwargs.setdefault("timeout", 5.0)
    return client(None, clock, base=f"{base}/PxWeb/api/v1", **kwargs)


def test_limits_are_read_from_config_and_respected() -> None:
    config = b'{"maxValues": 2, "maxCells": 2, "maxCalls": 3, "timeWindow": 60, "CORS": true}'
    service = LocalPxWeb(live_handler(config))
    clock = FakeClock()
    with service.running() as base:
        px = served_client(base, clock)
        limits = px.start(Limits(120_000, 40, 60.0))
        assert limits == Limits(2, 3, 60.0)
        bodies = px.fetch(px.metadata("12r5"), SELECTION)
    # 4 cells at most 2 a query: 2 POSTs; with ?config and the metadata 4 calls at 3 a minute: one wait
    assert len(bodies) == 2
    assert service.log == [("GET", CONFIG), ("GET", SHORT), ("POST", SHORT), ("POST", SHORT)]
    assert clock.slept == [60.0]


def test_without_config_the_parameters_hold() -> None:
    service = LocalPxWeb(live_handler(b"<html>no such page</html>"))
    with service.running() as base:
        px = served_client(base, FakeClock())
        assert px.start(Limits(1000, 5, 10.0)) == Limits(1000, 5, 10.0)
        assert px.limiter.max_calls == 5 and px.max_cells == 1000


def test_old_long_id_answers_400_and_the_short_form_is_used_from_then_on() -> None:
    service = LocalPxWeb(live_handler())
    with service.running() as base:
        px = served_client(base, FakeClock(), table_files=["statfin_tyonv_pxt_{table}.px", "{table}.px"])
        assert px.metadata("12r5").url.endswith(SHORT)
        px.metadata("12r5")
    assert service.log == [("GET", LONG), ("GET", SHORT), ("GET", SHORT)]  # the second time the short form first


def test_429_with_retry_after_and_a_connection_reset_are_retried() -> None:
    service = LocalPxWeb(
        live_handler(),
        faults={
            ("GET", SHORT): [RESET],
            ("POST", SHORT): [Answer(429, b"Too Many Requests", {"Retry-After": "3"})],
        },
    )
    clock = FakeClock()
    with service.running() as base:
        px = served_client(base, clock)
        meta = px.metadata("12r5")
        (body,) = px.fetch(meta, SELECTION)
    assert json.loads(body)["asked"][2] == {
        "code": "contentscode",
        "selection": {"filter": "item", "values": ["UUDETAVP"]},
    }
    assert service.log == [("GET", SHORT), ("GET", SHORT), ("POST", SHORT), ("POST", SHORT)]
    assert clock.slept == [2.0, 3.0]  # the reset: first back-off; the 429: Retry-After 3 s beats the back-off 2 s
    assert px.retries == 2 and px.calls == 4


def test_503s_back_off_exponentially_with_jitter_until_the_cap() -> None:
    unavailable = Answer(503, (FIXTURES / "html_error.json").read_bytes(), {"Content-Type": "text/html"})
    service = LocalPxWeb(live_handler(), faults={("GET", SHORT): [unavailable] * 2})
    draws = iter([0.5, 1.0])
    clock = FakeClock()
    with service.running() as base:
        px = served_client(base, clock, draw=lambda: next(draws))
        px.metadata("12r5")
        assert clock.slept == [1.5, 2.0]  # 2 s less a quarter, 4 s less a half

        service.faults[("GET", SHORT)] = [unavailable] * 5
        with pytest.raises(FetchError) as caught:
            served_client(base, clock, retry=RetryPolicy(attempts=3, base_delay=1.0)).metadata("12r5")
    page = " ".join((FIXTURES / "html_error.json").read_text(encoding="utf-8").split())
    assert str(caught.value) == f"GET {base}{SHORT} answered HTTP 503: {page}"  # one line, the page's text
    assert service.log.count(("GET", SHORT)) == 2 + 1 + 3


def test_a_time_out_is_retried() -> None:
    service = LocalPxWeb(live_handler(), faults={("GET", SHORT): [Answer(200, METADATA, delay=1.0)]})
    clock = FakeClock()
    started = time.monotonic()
    with service.running() as base:
        meta = served_client(base, clock, timeout=0.3).metadata("12r5")
    assert meta.time_variable().code == "timeperiod_m"
    assert clock.slept == [2.0] and time.monotonic() - started < 5


def test_a_retry_after_beyond_reason_stops_with_when_to_come_back() -> None:
    service = LocalPxWeb(live_handler(), faults={("GET", SHORT): [Answer(429, b"", {"Retry-After": "3600"})]})
    with service.running() as base, pytest.raises(FetchError, match=r"asks to wait 3600 s \(Retry-After\): try again"):
        served_client(base, FakeClock()).metadata("12r5")


def test_problem_details_of_an_api_2_error_are_the_message() -> None:
    problem = (FIXTURES / "problem.json").read_bytes()
    service = LocalPxWeb(
        live_handler(), faults={("POST", SHORT): [Answer(400, problem, {"Content-Type": "application/problem+json"})]}
    )
    with service.running() as base:
        px = served_client(base, FakeClock())
        with pytest.raises(FetchError) as caught:
            px.fetch(px.metadata("12r5"), SELECTION)
    assert str(caught.value).endswith("answered HTTP 400: Bad Request: Non-existent variable: Kuukausi")
