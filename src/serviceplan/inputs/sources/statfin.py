"""Employment service statistics (Työnvälitystilasto) of KEHA-keskus, published by Statistics Finland in PxWeb.

Delivery: for a month ``M``, ``serviceplan fetch statfin M`` asks the PxWeb API (subject ``tyonv``) for the last
``statfin.window_months`` months up to ``M`` of the tables in :data:`TABLES`, for the regions of the parameters
(``regions``: the reporting municipality, its region, the whole country and the comparison group), and stores
every response body as received in ``data/raw/<M>/statfin_<table>.json`` (``statfin_<table>_part<N>.json`` when
a query had to be split). A body is JSON-stat2 and carries its ``updated`` stamp; later deliveries repeat earlier
months, possibly revised. A month whose tables are all stored is skipped; ``--force`` fetches it again.

Statistics Finland shortened table ids, addressed variables by code (``Kuukausi`` -> ``timeperiod_m``, ``Tiedot``
-> ``contentscode``) and prefixed some value codes on 8.6.2026. Nothing below depends on those names: the time,
region, content and breakdown dimensions are recognised by what they hold (month codes, region codes, the
table's content codes, with or without a prefix), so bodies of both conventions give the same canonical rows.

Canonical table ``statfin``: one row per (table, region, period, measure) and delivery, with the value, the status
symbol and its reason (:data:`serviceplan.inputs.jsonstat.SYMBOLS`: ``-`` is a true zero and gives 0,
``.``/``..``/``...`` leave the value missing), the body's ``updated`` stamp and the delivery month.

Revisions: :func:`latest` (used by :func:`serviceplan.inputs.canonical.load`) keeps, for a report month, the figure of
the newest *delivery* known by then: the month folder our own fetch wrote, which the supplier cannot move. The body's
``updated`` stamp only orders bodies within one delivery and is shown as the publication date; a stamp after
the moment the body is read (or fetched) is refused, as is one before the end of the newest month the body holds.
"""

from __future__ import annotations

import json
import math
import random
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from serviceplan.core.errors import DataError, Violation
from serviceplan.core.params import Params, load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period, month_range
from serviceplan.inputs import jsonstat
from serviceplan.inputs.pxweb import (
    PREFIX_SEPARATORS,
    FetchError,
    Limits,
    PxWebClient,
    RateLimiter,
    RetryPolicy,
    Selection,
    Session,
    StatisticsService,
    TableMetadata,
    match_codes,
    parse_month,
)
from serviceplan.inputs.readers import display_name
from serviceplan.inputs.sources.base import Dataset

# A region code of the statistics: the whole country SSS, a municipality KUxxx, a region MKxx, or another area
# family (ELY centres, employment areas) written as letters and digits. Which regions are fetched and shown comes
# from the parameters (``regions``), never from here.
REGION_CODE = re.compile(r"^(?:SSS|KU\d{3}|MK\d{2}|[A-Z]{2,4}\d{2,3})$")
REGION_EXAMPLE = "a region code like KU398, MK07 or SSS"
TOTAL_CODE = "SSS"  # StatFin's code for a total ("whole country" in a region variable, "all" elsewhere)
_TOTAL_LABELS = ("yhteensä", "total", "kaikki", "koko maa")


@dataclass(frozen=True)
class Measure:
    """A measure of the canonical table: its unit (``count`` or ``percent``) and its Finnish label."""

    unit: str
    label: str


MEASURES: dict[str, Measure] = {
    "unemployed": Measure("count", "Työttömät työnhakijat kuukauden lopussa"),
    "rate": Measure("percent", "Työttömien osuus työvoimasta, %"),
    "under20": Measure("count", "Alle 20-vuotiaat työttömät"),
    "under25": Measure("count", "Alle 25-vuotiaat työttömät"),
    "under30": Measure("count", "Alle 30-vuotiaat työttömät"),
    "over50": Measure("count", "Yli 50-vuotiaat työttömät"),
    "foreign": Measure("count", "Ulkomaiden kansalaiset työttömät"),
    "long_term": Measure("count", "Pitkäaikaistyöttömät (yli 12 kk)"),
    "labour_force": Measure("count", "Työvoima"),
    "open_vacancies": Measure("count", "Avoimet työpaikat kuukauden lopussa"),
    "new_vacancies": Measure("count", "Uudet avoimet työpaikat"),
    "youth_rate": Measure("percent", "Alle 25-vuotiaiden työttömyysaste, %"),
    "foreign_rate": Measure("percent", "Ulkomaan kansalaisten työttömyysaste, %"),
    "dur_0_3": Measure("count", "Työttömyyden kesto alle 3 kk"),
    "dur_3_6": Measure("count", "Työttömyyden kesto 3–6 kk"),
    "dur_6_12": Measure("count", "Työttömyyden kesto 6–12 kk"),
    "dur_12_24": Measure("count", "Työttömyyden kesto 12–24 kk"),
    "dur_24_plus": Measure("count", "Työttömyyden kesto yli 24 kk"),
    "flow_over_3m": Measure("count", "Yli 3 kk työttömyyteen siirtyneet"),
    "activation_rate": Measure("percent", "Aktivointiaste, %"),
    "in_services": Measure("count", "Palveluissa olevat"),
    "services_pay_subsidy": Measure("count", "Palkkatuki"),
    "services_training": Measure("count", "Työvoimakoulutus"),
    "services_coaching": Measure("count", "Valmennus"),
    "services_work_trial": Measure("count", "Työkokeilu"),
    "services_start_up": Measure("count", "Starttiraha"),
    "services_rehabilitative": Measure("count", "Kuntouttava työtoiminta"),
    "services_self_study": Measure("count", "Omaehtoinen opiskelu"),
    "services_job_alternation": Measure("count", "Vuorottelusijaiset"),
}
# The largest count any region can hold (the whole country's labour force is about 2.8 million).
MAX_COUNT = 10_000_000


@dataclass(frozen=True)
class TableSpec:
    """One statistics table: its content codes and, where it has one, its breakdown dimension.

    ``contents`` maps a content code (without any prefix) to a measure. A table with a ``breakdown`` (service
    type, duration class) has a single content code, the count, and each breakdown category is a measure.
    """

    table: str
    title: str
    contents: dict[str, str]
    breakdown: dict[str, str] | None = None

    def measure(self, content: str, category: str | None) -> str:
        """The measure of a content code (and breakdown category)."""
        return self.breakdown[category] if self.breakdown and category is not None else self.contents[content]

    def measures(self) -> list[str]:
        """Every measure the table provides."""
        return list(self.breakdown.values()) if self.breakdown else list(self.contents.values())


# Content codes of 12r5 as seen in real metadata and queries (docs/data-log.md lists where and when): every code
# below except TYOTTOMAT30. The codes of the other tables are ASSUMED (ASSUMPTION A8) until seen in their real metadata:
# `serviceplan fetch statfin` reads the metadata first and stops, naming the codes the table offers, if a code
# here is missing, so an assumed code can never bring a wrong number.
TABLES: dict[str, TableSpec] = {
    spec.table: spec
    for spec in (
        TableSpec(
            "12r5",
            "Työttömät työnhakijat ja avoimet työpaikat kuukauden lopussa",
            {
                "TYOTTOMATLOPUSSA": "unemployed",
                "TYOTOSUUS": "rate",
                "TYOTTOMAT20": "under20",
                "TYOTTOMAT25": "under25",
                "TYOTTOMAT30": "under30",
                "TYOTTOMAT50": "over50",
                "TYOTTOMATULK": "foreign",
                "PITKAAIKAISTYOTTOMAT": "long_term",
                "TYOVOIMATK": "labour_force",
                "AVPAIKATLOPUSSA": "open_vacancies",
                "UUDETAVP": "new_vacancies",
            },
        ),
        TableSpec(
            "12tg",
            "Ulkomaan kansalaisten työttömyysaste",
            {"TYOTOSUUS": "foreign_rate"},
        ),
        TableSpec(
            "12th",
            "Alle 25-vuotiaiden työttömyysaste",
            {"TYOTOSUUS": "youth_rate"},
        ),
        TableSpec(
            "12ta",
            "Työttömät työnhakijat työttömyyden keston mukaan",
            {"TYOTTOMAT": "unemployed"},
            {
                "00-03": "dur_0_3",
                "03-06": "dur_3_6",
                "06-12": "dur_6_12",
                "12-24": "dur_12_24",
                "24-": "dur_24_plus",
            },
        ),
        TableSpec(
            "12ts",
            "Yli 3 kuukauden työttömyyteen siirtyneet",
            {"YLI3KKVIRTA": "flow_over_3m"},
        ),
        TableSpec(
            "12u4",
            "Aktivointiaste ja palveluissa olevat",
            {"AKTASTE": "activation_rate", "PALVELUISSA": "in_services"},
        ),
        TableSpec(
            "12u6",
            "Työllistymistä edistävissä palveluissa olevat palvelun mukaan",
            {"HENKILOT": "in_services"},
            {
                "PALKKATUKI": "services_pay_subsidy",
                "TYOVOIMAKOULUTUS": "services_training",
                "VALMENNUS": "services_coaching",
                "TYOKOKEILU": "services_work_trial",
                "STARTTIRAHA": "services_start_up",
                "KUNTOUTTAVA": "services_rehabilitative",
                "OMAEHTOINEN": "services_self_study",
                "VUOROTTELU": "services_job_alternation",
            },
        ),
    )
}

MISSING_REASON = "missing (no value and no status symbol)"
# Our clock's allowance for the service's: a publication stamp may be this far after the moment we read it.
CLOCK_SKEW = pd.Timedelta(days=1)

COLUMNS: tuple[str, ...] = (
    "table",
    "region",
    "period",
    "measure",
    "value",
    "status",
    "status_reason",
    "updated",
    "delivery",
)
KEY: tuple[str, ...] = ("table", "region", "period", "measure")
FILE_GLOB = "statfin_*.json"
_FILE = re.compile(r"^statfin_(?P<table>[0-9a-z]+)(?:_part(?P<part>\d+))?\.json$")


def file_name(table: str, part: int | None = None) -> str:
    """The name a response body is stored under (``part`` counts from 1 when a query was split)."""
    return f"statfin_{table}.json" if part is None else f"statfin_{table}_part{part}.json"


def status_reason(symbol: str | None, value: float = float("nan")) -> str | None:
    """Why a cell shows what it shows, from its status symbol: the symbol's meaning, :data:`MISSING_REASON` for a
    missing value without a symbol, ``None`` for a shown value without one."""
    if symbol is None:
        return MISSING_REASON if np.isnan(value) else None
    return jsonstat.symbol_reason(symbol, has_value=not np.isnan(value))


def canonical_region(code: str) -> str | None:
    """The region code a delivered code stands for (``alue_KU398``, ``tyonv-KU398`` and ``KU398`` give
    ``KU398``); ``None`` when it is no region code."""
    text = code.strip().upper()
    if REGION_CODE.match(text):
        return text
    cut = max(text.rfind(separator) for separator in PREFIX_SEPARATORS)
    tail = text[cut + 1 :] if cut >= 0 else ""
    return tail if REGION_CODE.match(tail) else None


# --- recognising the dimensions of a body or a table's metadata by what they hold ---------------------------


@dataclass(frozen=True)
class Roles:
    """Which dimension (variable) of a body or metadata plays which part."""

    time: str
    region: str
    content: str
    breakdown: str | None
    others: tuple[str, ...]


def _best(candidates: Sequence[str], score: Callable[[str], int], what: str, problems: list[str]) -> str | None:
    scored = [(score(c), c) for c in candidates]
    top = max((s for s, _ in scored), default=0)
    best = [c for s, c in scored if s == top and s > 0]
    if not best:
        problems.append(f"a {what} dimension (none found among {', '.join(candidates) or 'no dimensions'})")
        return None
    if len(best) > 1:
        problems.append(f"one {what} dimension (several fit: {', '.join(best)})")
        return None
    return best[0]


def recognise(
    dims: dict[str, Sequence[str]],
    spec: TableSpec,
    hints: dict[str, Sequence[str]] | None = None,
) -> tuple[Roles | None, list[str]]:
    """Tell the time, region, content and breakdown dimensions of ``dims`` (dimension id -> value codes).

    ``hints`` are roles the source states itself (JSON-stat ``role.time``/``role.metric``/``role.geo``, the
    metadata's ``time`` flag); they win when they name exactly one dimension. Returns the roles, or ``None`` and
    what is missing.
    """
    hints = hints or {}
    problems: list[str] = []
    remaining = list(dims)

    def hinted(role: str) -> str | None:
        named = [d for d in hints.get(role, ()) if d in remaining]
        return named[0] if len(named) == 1 else None

    def count(codes: Sequence[str], wanted: Iterable[str]) -> int:
        return len(match_codes(codes, wanted)[0])

    time = hinted("time") or _best(
        remaining, lambda d: sum(parse_month(c) is not None for c in dims[d]), "time (months like 2025M01)", problems
    )
    remaining = [d for d in remaining if d != time]
    content = hinted("metric") or _best(
        remaining, lambda d: count(dims[d], spec.contents), f"content ({', '.join(spec.contents)})", problems
    )
    remaining = [d for d in remaining if d != content]

    def regions_in(codes: Sequence[str]) -> list[str]:
        return [r for r in (canonical_region(c) for c in codes) if r is not None]

    region_candidates = [d for d in remaining if regions_in(dims[d])]
    if len(region_candidates) > 1:  # "SSS" is also the total of other variables: prefer real region codes
        region_candidates = [
            d for d in region_candidates if any(r != TOTAL_CODE for r in regions_in(dims[d]))
        ] or region_candidates
    region = hinted("geo") or _best(
        region_candidates, lambda d: len(regions_in(dims[d])), f"region ({REGION_EXAMPLE})", problems
    )
    remaining = [d for d in remaining if d != region]
    breakdown = None
    if spec.breakdown:
        breakdown = _best(
            remaining,
            lambda d: count(dims[d], spec.breakdown or {}),
            f"breakdown ({', '.join(spec.breakdown)})",
            problems,
        )
        remaining = [d for d in remaining if d != breakdown]
    if problems or time is None or content is None or region is None:
        return None, problems
    return Roles(time, region, content, breakdown, tuple(remaining)), []


def _is_total(code: str, label: str) -> bool:
    return bool(match_codes([code], [TOTAL_CODE])[0]) or label.strip().casefold() in _TOTAL_LABELS


# --- reading a delivery ---------------------------------------------------------------------------------------


def table_of(path: Path) -> str | None:
    """The table id in a stored body's file name (``None`` when the name is not one of ours)."""
    match = _FILE.match(path.name)
    return match.group("table") if match else None


def parse_body(body: bytes, file: str, table: str, delivery: Period, now: pd.Timestamp | None = None) -> pd.DataFrame:
    """Check one JSON-stat2 body of ``table`` and return its canonical rows; raise :class:`DataError`.

    ``delivery`` is the month the fetch was for: no row may be for a later month. ``now`` (default: the current
    time) bounds the ``updated`` stamp: nothing can have been published after the moment it is read or fetched.
    """
    spec = TABLES[table]
    dataset = jsonstat.parse(body, file)
    violations: list[Violation] = []

    def bad(column: str | None, value: str | None, expected: str) -> None:
        violations.append(Violation(file, None, column, value, expected))

    updated = _updated(dataset.updated)
    if updated is None:
        bad("updated", dataset.updated, "the statistics' update stamp, a date-time like 2025-07-23T05:00:00Z")
    dims = {d.id: d.codes for d in dataset.dimensions}
    hints = {"time": dataset.with_role("time"), "metric": dataset.with_role("metric"), "geo": dataset.with_role("geo")}
    roles, problems = recognise(dims, spec, hints)
    for problem in problems:
        bad("id", ", ".join(dataset.ids), f"{problem} in a body of table {table}")
    if roles is None:
        raise DataError(violations)

    def index_path(dim: str) -> str:
        return f"dimension.{dim}.category.index"

    periods: dict[str, str] = {}
    for code in dims[roles.time]:
        month = parse_month(code)
        if month is None:
            bad(index_path(roles.time), code, "a month like 2025M01")
        elif month > delivery:
            bad(index_path(roles.time), code, f"months up to the delivery month {delivery} (data/raw/{delivery}/)")
        else:
            periods[code] = str(month)
    if updated is not None:
        _check_stamp(updated, [Period.parse(p) for p in periods.values()], now, bad)
    regions: dict[str, str] = {}
    for code in dims[roles.region]:
        region = canonical_region(code)
        if region is None:
            bad(index_path(roles.region), code, REGION_EXAMPLE + " (with or without a prefix)")
        else:
            regions[code] = region
    contents = _map_dimension(
        dims[roles.content], spec.contents, index_path(roles.content), f"a content code of table {table}", bad
    )
    categories: dict[str, str] = {}
    if roles.breakdown is not None:
        categories = _map_dimension(
            dims[roles.breakdown],
            spec.breakdown or {},
            index_path(roles.breakdown),
            f"a category of table {table}",
            bad,
        )
    for other in roles.others:
        dim = dataset.dimension(other)
        if len(dim.codes) != 1 or not _is_total(dim.codes[0], dim.label_of(dim.codes[0])):
            bad(
                index_path(other), ", ".join(dim.codes), f"only the total ({TOTAL_CODE}) of the extra dimension {other}"
            )
    if violations:
        raise DataError(violations)

    # per-cell canonical codes: a lookup per dimension indexed by the cell's category positions (row-major cube)
    grid = np.indices(dataset.sizes).reshape(len(dataset.sizes), -1)
    axis = {dim: i for i, dim in enumerate(dataset.ids)}

    def per_cell(dim: str, mapping: dict[str, str]) -> np.ndarray:
        lookup = np.asarray([mapping[code] for code in dims[dim]], dtype=object)
        return lookup[grid[axis[dim]]]

    if roles.breakdown is not None and spec.breakdown:
        measure_of = {code: spec.breakdown[canonical] for code, canonical in categories.items()}
        measures = per_cell(roles.breakdown, measure_of)
    else:
        measures = per_cell(roles.content, {code: spec.contents[canonical] for code, canonical in contents.items()})
    cells = Cells(
        region=per_cell(roles.region, regions),
        period=per_cell(roles.time, periods),
        measure=measures,
        value=dataset.resolved_values(),
        status=[dataset.status.get(i) for i in range(len(dataset.values))],
    )
    violations.extend(_value_findings(cells, file))
    violations.extend(_duplicate_findings(table, cells, file))
    if violations:
        raise DataError(violations)
    return cells.frame(table, updated, delivery)


@dataclass(frozen=True)
class Cells:
    """The cells of one body with their canonical region, month and measure (arrays in cube order)."""

    region: np.ndarray
    period: np.ndarray
    measure: np.ndarray
    value: np.ndarray
    status: list[str | None]

    def frame(self, table: str, updated: pd.Timestamp, delivery: Period) -> pd.DataFrame:
        """Canonical rows sorted by key, so that the body's dimension order does not matter."""
        count = len(self.value)
        # by region, then period, then measure (np.lexsort: the last key first); stable, as sorted() is
        order = np.lexsort((self.measure.astype(str), self.period.astype(str), self.region.astype(str)))
        status = [self.status[i] for i in order]
        values = self.value[order].astype("float64")
        missing = np.isnan(values).tolist()
        known: dict[tuple[str | None, bool], str | None] = {}  # a body has a few symbols: each reason found once
        reasons = []
        for symbol, absent in zip(status, missing, strict=True):
            if (symbol, absent) not in known:
                known[(symbol, absent)] = status_reason(symbol, math.nan if absent else 0.0)
            reasons.append(known[(symbol, absent)])
        return pd.DataFrame(
            {
                "table": pd.array([table] * count, dtype="string"),
                "region": pd.array(self.region[order].tolist(), dtype="string"),
                "period": pd.array(self.period[order].tolist(), dtype="string"),
                "measure": pd.array(self.measure[order].tolist(), dtype="string"),
                "value": values,
                "status": pd.array(status, dtype="string"),
                "status_reason": pd.array(reasons, dtype="string"),
                "updated": pd.Series(pd.DatetimeIndex([updated], dtype="datetime64[ns, UTC]").repeat(count)),
                "delivery": pd.array([str(delivery)] * count, dtype="string"),
            }
        )


def _check_stamp(
    updated: pd.Timestamp,
    months: Sequence[Period],
    now: pd.Timestamp | None,
    bad: Callable[[str | None, str | None, str], None],
) -> None:
    """A publication stamp can be neither after the moment the body is read (with :data:`CLOCK_SKEW`) nor before
    the end of the newest month whose figures the body holds."""
    moment = pd.Timestamp.now(tz="UTC") if now is None else now
    shown = updated.strftime("%Y-%m-%dT%H:%M:%SZ")
    if updated > moment + CLOCK_SKEW:
        bad(
            "updated",
            shown,
            f"a publication stamp no later than now ({moment.strftime('%Y-%m-%d %H:%M')} UTC): a body cannot have "
            "been published in the future (fetch the month again)",
        )
    if months:
        newest = max(months)
        end = pd.Timestamp(newest.shift(1).first_day, tz="UTC")
        if updated < end:
            bad(
                "updated",
                shown,
                f"a publication stamp after the end of {newest}, the newest month in the body (a body dated before "
                "its figures existed is stale or altered: fetch the month again)",
            )


def _updated(text: str | None) -> pd.Timestamp | None:
    if not text:
        return None
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError):
        return None
    if pd.isna(stamp):
        return None
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _map_dimension(
    codes: Sequence[str],
    wanted: dict[str, str],
    path: str,
    what: str,
    bad: Callable[[str | None, str | None, str], None],
) -> dict[str, str]:
    """Delivered code -> canonical code (a key of ``wanted``), reporting unknown and ambiguous codes."""
    mapping, ambiguous = match_codes(codes, wanted)
    for code in codes:
        if code in ambiguous:
            bad(path, code, f"{what} code that fits one of {', '.join(ambiguous[code])}, not several")
        elif code not in mapping:
            bad(path, code, f"{what}: one of {', '.join(wanted)} (with or without a prefix)")
    return mapping


def _value_findings(cells: Cells, file: str) -> list[Violation]:
    """Percentages within 0..100, counts whole and within 0..MAX_COUNT; each bad cell named by its position."""
    percent = np.array([MEASURES[m].unit == "percent" for m in cells.measure], dtype=bool)
    values = cells.value
    with np.errstate(invalid="ignore"):
        bad_percent = percent & ((values < 0) | (values > 100))
        bad_count = ~percent & ((values < 0) | (values > MAX_COUNT) | (np.mod(values, 1) != 0))
    bad = np.flatnonzero((bad_percent | bad_count) & ~np.isnan(values))
    count_rule = f"a count: a whole number 0..{MAX_COUNT:,}".replace(",", " ")
    return [
        Violation(
            file,
            None,
            f"value[{p}]",
            f"{values[p]:g}",
            f"{'a percentage 0..100' if percent[p] else count_rule} "
            f"({cells.region[p]} {cells.period[p]} {cells.measure[p]})",
        )
        for p in bad
    ]


def _duplicate_findings(table: str, cells: Cells, file: str) -> list[Violation]:
    """Two delivered codes that stand for the same (table, region, period, measure)."""
    seen: set[tuple[str, str, str]] = set()
    findings = []
    for key in zip(cells.region, cells.period, cells.measure, strict=True):
        if key in seen:
            findings.append(
                Violation(
                    file,
                    None,
                    "id",
                    ", ".join((table, *key)),
                    "one cell per (table, region, period, measure): two codes stand for the same one (duplicate)",
                )
            )
        seen.add(key)
    return findings


def _duplicate_rows(parts: Sequence[tuple[str, pd.DataFrame]]) -> list[Violation]:
    """Rows of one delivery's bodies (e.g. the parts of a split query) that repeat a key: each repeat is named by
    its file, with the file that held the key first."""
    if not parts:
        return []
    names = [name for name, _ in parts]
    frame = pd.concat([rows[list(KEY)].assign(_file=i) for i, (_, rows) in enumerate(parts)], ignore_index=True)
    repeated = np.flatnonzero(frame.duplicated(subset=list(KEY), keep="first").to_numpy())
    if not len(repeated):  # the usual case: no need to find where each key was first
        return []
    first = frame.groupby(list(KEY), sort=False, observed=True)["_file"].transform("first").to_numpy()
    files = frame["_file"].to_numpy()
    return [
        Violation(
            names[files[p]],
            None,
            None,
            ", ".join(str(frame[k].iloc[p]) for k in KEY),
            "one row per (table, region, period, measure) in a delivery: the same cell is also in "
            + (names[first[p]] if first[p] != files[p] else "this file"),
        )
        for p in repeated
    ]


def delivery_files(period_dir: Path, period: Period) -> list[Path]:
    """Every stored body of the delivery for ``period``, in a stable order."""
    del period
    if not period_dir.is_dir():
        return []
    return sorted(p for p in period_dir.glob(FILE_GLOB) if p.is_file())


def read_delivery(paths: Sequence[Path], period: Period) -> pd.DataFrame:
    """Check and read every body of one month's delivery into canonical rows (all violations at once)."""
    violations: list[Violation] = []
    parts: list[tuple[str, pd.DataFrame]] = []
    seen: set[str] = set()
    for path in paths:
        file = display_name(path)
        table = table_of(path)
        if table not in TABLES:
            violations.append(
                Violation(
                    file, None, None, path.name, f"a file named statfin_<table>.json, table one of {', '.join(TABLES)}"
                )
            )
            continue
        seen.add(table)
        try:
            parts.append((file, parse_body(path.read_bytes(), file, table, period)))
        except DataError as exc:
            violations.extend(exc.violations)
    folder = f"data/raw/{period}/"
    for table in TABLES:
        if table not in seen:
            violations.append(
                Violation(
                    folder,
                    None,
                    None,
                    None,
                    f"{file_name(table)} (table {table} missing: run `serviceplan fetch statfin {period}`)",
                )
            )
    if violations:
        raise DataError(violations)
    duplicates = _duplicate_rows(parts)
    if duplicates:
        raise DataError(duplicates)
    return pd.concat([rows for _, rows in parts], ignore_index=True)


def read_json(path: Path, period: Period) -> pd.DataFrame:
    """Read one stored body (the single-file reader of the dataset registry)."""
    table = table_of(path)
    if table not in TABLES:
        raise DataError([Violation(display_name(path), None, None, path.name, "a file named statfin_<table>.json")])
    return parse_body(path.read_bytes(), display_name(path), table, period)


def latest(frame: pd.DataFrame, as_of: Period) -> pd.DataFrame:
    """The figures a report for ``as_of`` uses: from the deliveries up to that month, the newest delivery's figure
    (a later delivery is a later fetch, so it holds the newest revision; the body's own ``updated`` stamp only
    breaks a tie within one delivery and can never lift an old delivery over a newer one)."""
    if frame.empty:
        return frame
    known = frame[frame["delivery"].astype(str) <= str(as_of)]
    known = known.sort_values(["delivery", "updated"], kind="stable").drop_duplicates(list(KEY), keep="last")
    known = known[known["period"].astype(str) <= str(as_of)]
    return known.sort_values(list(KEY), kind="stable").reset_index(drop=True)


def wide(frame: pd.DataFrame, region: str) -> pd.DataFrame:
    """One region's figures with a row per month and a column per measure (input: :func:`latest` rows)."""
    rows = frame[frame["region"].astype(str) == region]
    table = rows.pivot_table(index="period", columns="measure", values="value", aggfunc="first", dropna=False)
    table.columns.name = None
    return table.sort_index()


def symbols(frame: pd.DataFrame, region: str) -> pd.DataFrame:
    """One region's status symbols laid out as :func:`wide` lays out the values (missing where a cell has none)."""
    rows = frame[(frame["region"].astype(str) == region) & frame["status"].notna()]
    if rows.empty:
        return pd.DataFrame()
    table = rows.pivot_table(index="period", columns="measure", values="status", aggfunc="first")
    table.columns.name = None
    return table.sort_index()


# --- fetching -------------------------------------------------------------------------------------------------


def wanted_limits(params: Params) -> Limits:
    """The limits the parameters allow (``statfin``); the fetch keeps the stricter of these and the service's."""
    api = params.statfin
    return Limits(api.max_cells, api.max_calls, api.per_seconds)


def make_client(
    params: Params,
    session: Session | None = None,
    limiter: RateLimiter | None = None,
    retry: RetryPolicy | None = None,
    draw: Callable[[], float] = random.random,
) -> PxWebClient:
    """A PxWeb client set up from the parameters (``statfin`` section)."""
    api = params.statfin
    return PxWebClient(
        base_url=api.base_url,
        database_path=api.database_path,
        table_files=api.table_files,
        language=api.language,
        session=session,
        limiter=limiter or RateLimiter(api.max_calls, api.per_seconds),
        max_cells=api.max_cells,
        timeout=api.timeout_seconds,
        retry=retry or RetryPolicy(attempts=api.attempts, base_delay=api.backoff_seconds),
        draw=draw,
    )


def selection_for(meta: TableMetadata, spec: TableSpec, regions: Sequence[str], months: Sequence[Period]) -> Selection:
    """The query selection of ``spec``'s figures for ``regions`` and ``months``, in the codes the metadata uses."""
    dims = {v.code: v.values for v in meta.variables}
    hints = {"time": [v.code for v in meta.variables if v.time]}
    roles, problems = recognise(dims, spec, hints)
    if roles is None:
        raise FetchError(f"table {spec.table} at {meta.url}: cannot find {'; '.join(problems)}")
    selection: Selection = []
    for variable in meta.variables:
        code = variable.code
        if code == roles.time:
            by_month = {parse_month(c): c for c in variable.values}
            if months[-1] not in by_month:
                newest = max((m for m in by_month if m is not None), default=None)
                raise FetchError(
                    f"table {spec.table} has no figures for {months[-1]} yet (newest {newest}); the statistics appear "
                    "3–4 weeks after the month's end"
                )
            selection.append((code, [by_month[m] for m in months if m in by_month]))
        elif code in (roles.region, roles.content, roles.breakdown):
            wanted = {
                roles.region: list(regions),
                roles.content: list(spec.contents),
                roles.breakdown: list(spec.breakdown or ()),
            }[code]
            mapping, _ = match_codes(variable.values, wanted)
            found = {canonical: delivered for delivered, canonical in mapping.items()}
            missing = [w for w in wanted if w not in found]
            if missing:
                offered = "; ".join(f"{c} = {variable.text_of(c)}" for c in variable.values[:40])
                where = (
                    "params/ (regions)" if code == roles.region else "serviceplan/inputs/sources/statfin.py (TABLES)"
                )
                raise FetchError(
                    f"table {spec.table}, variable {code}: no code for {', '.join(missing)}. "
                    f"The table offers: {offered}. Fix the codes in {where}."
                )
            selection.append((code, [found[w] for w in wanted]))
        elif variable.elimination:
            continue  # left out of the query: PxWeb then sums over it
        else:
            totals = [c for c in variable.values if _is_total(c, variable.text_of(c))]
            if len(totals) != 1:
                raise FetchError(
                    f"table {spec.table}: variable {code} ({variable.text}) is neither time, region, content nor "
                    "breakdown, and has no single total to select"
                )
            selection.append((code, totals))
    return selection


def fetch(
    ws: Workspace,
    periods: Sequence[Period],
    *,
    session: Session | None = None,
    limiter: RateLimiter | None = None,
    retry: RetryPolicy | None = None,
    service: StatisticsService | None = None,
    force: bool = False,
    echo: Callable[[str], None] = print,
    now: Callable[[], pd.Timestamp] = lambda: pd.Timestamp.now(tz="UTC"),
) -> list[Path]:
    """Fetch the statistics for each month of ``periods`` and store the bodies under ``data/raw/<YYYY-MM>/``.

    The service's limits are read once, before the first request for data. A month whose tables are all stored
    is skipped, and of a month with some tables stored only the others are fetched; ``force`` fetches every table
    again and replaces the stored bodies. A month's bodies are checked before anything is written (``now`` bounds
    their publication stamps) and moved into place together, so a failed fetch leaves the folder as it was.
    ``service`` replaces the PxWeb client made from the parameters (``session``, ``limiter`` and ``retry`` set
    that client up instead).
    """
    written: list[Path] = []
    started = False
    metadata: dict[str, TableMetadata] = {}
    for period in periods:
        params = load_params(period.year, ws.params_dir)
        target = ws.raw_period_dir(str(period))
        existing = delivery_files(target, period)
        stored = {table_of(p) for p in existing}
        tables = [t for t in TABLES if force or t not in stored]
        if not tables:
            echo(f"{period}: already fetched (data/raw/{period}/ holds every table); skipped, --force fetches again")
            continue
        if service is None:
            service = make_client(params, session=session, limiter=limiter, retry=retry)
        if not started:
            limits = service.start(wanted_limits(params))
            echo(
                f"limits in use: {limits.max_cells} cells a query, {limits.max_calls} calls per "
                f"{limits.per_seconds:g} s"
            )
            started = True
        months = month_range(period.shift(1 - params.statfin.window_months), period)
        regions = params.regions.statistics_regions()
        bodies: dict[str, bytes] = {}
        for table in tables:
            spec = TABLES[table]
            if table not in metadata:
                metadata[table] = service.metadata(table)
            meta = metadata[table]
            parts = service.fetch(meta, selection_for(meta, spec, regions, months))
            for number, body in enumerate(parts, start=1):
                bodies[file_name(table, number if len(parts) > 1 else None)] = body
        _check_bodies(bodies, period, now())
        replaced = [p for p in existing if table_of(p) in tables]
        written.extend(_store(bodies, target, replaced))
        kept = len(existing) - len(replaced)
        echo(
            f"{period}: stored {len(bodies)} statistics bodies in data/raw/{period}/"
            + (f" ({kept} stored earlier kept)" if kept else "")
            + f" ({service.calls} API calls so far)"
        )
    return written


def _check_bodies(bodies: dict[str, bytes], period: Period, now: pd.Timestamp) -> None:
    violations: list[Violation] = []
    parts = []
    for name, body in bodies.items():
        shown = f"response for data/raw/{period}/{name}"
        try:
            parts.append((shown, parse_body(body, shown, table_of(Path(name)) or "", period, now)))
        except DataError as exc:
            violations.extend(exc.violations)
    if violations:
        raise DataError(violations)
    duplicates = _duplicate_rows(parts)
    if duplicates:
        raise DataError(duplicates)


def _store(bodies: dict[str, bytes], target: Path, replaced: Sequence[Path]) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".statfin-", dir=target))
    try:
        for name, body in bodies.items():
            (staging / name).write_bytes(body)
        for old in replaced:
            old.unlink()
        paths = []
        for name in bodies:
            (staging / name).replace(target / name)
            paths.append(target / name)
        return paths
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def dumps(document: dict) -> bytes:
    """Serialise a body the way PxWeb sends it (compact UTF-8 JSON); used by the demo and the tests."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


DATASET = Dataset(
    name="statfin",
    title="Työnvälitystilasto (KEHA-keskus / Tilastokeskus, PxWeb)",
    owner="KEHA-keskus; julkaisija Tilastokeskus (StatFin, aihe tyonv), lisenssi CC BY 4.0",
    file_stem="statfin_*",
    readers={"json": read_json},
    first_period=Period(2024, 1),
    description="Public employment service statistics by month for the regions of the parameters: the reporting "
    "municipality, its region, the whole country and the comparison group of the largest cities.",
    find_files=delivery_files,
    read_files=read_delivery,
    as_of=latest,
)
