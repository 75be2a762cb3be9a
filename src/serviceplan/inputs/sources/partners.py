"""The partner network of the employment services: partners, service agreements and links between partners.

**Delivery.** A snapshot, delivered only when the network changes, as YAML: ``kumppanit_YYYY-MM.yaml`` in the
folder of the month from which it applies. The latest snapshot on or before a period is the network of that
period (:func:`snapshot_as_of` over the canonical table); months without a delivery are normal
(``Dataset.required=False``).

**Why YAML and not a workbook with three sheets.** The register is small (tens of records) and kept by hand by
the network coordinator; in YAML the three related lists sit in one text file that diffs line by line, needs no
Excel to edit, names each partner by a readable id that the agreements and links refer to, and lets every error
point at the line to fix. A workbook would also need three header rows kept in sync and turns ids into numbers.

File layout (keys in Finnish, as the coordinator writes them)::

    kausi: 2025-06                    # the month the snapshot applies from (= the delivery folder)
    kumppanit:                        # partners
      - {tunnus: salpaus, organisaatio: Koulutuskeskus Salpaus, tyyppi: oppilaitos}
    sopimukset:                       # service agreements of the employment services
      - {tunnus: S03, kumppani: salpaus, palvelu: Työvoimakoulutus, tuotantotapa: sidosyksikkö,
         tulosperusteinen: ei, alkaa: 2025-01-01, päättyy: 2025-12-31}
    yhteydet:                         # links for the network map
      - {osapuoli: salpaus, toinen osapuoli: ladec, laji: palveluyhteistyö, paino: 3}

The canonical table is long: one row per partner, agreement or link (``record``), with the columns of the other
kinds empty; :func:`snapshot_as_of` splits it into three tidy tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from serviceplan.core.errors import DataError, Violation
from serviceplan.core.periods import Period
from serviceplan.inputs.contracts import AS_DELIVERED, Column, Contract, Finding, TableCheck, parse_period_text
from serviceplan.inputs.plan import YamlPath, compose_yaml, duplicate_keys, line_for, node_lines, node_text
from serviceplan.inputs.readers import RawTable, display_name
from serviceplan.inputs.sources.base import Dataset

if TYPE_CHECKING:
    import networkx as nx


# Partner type as written -> canonical code. The plan's partners are third-sector organisations, educational
# institutions, companies, city departments, state agencies and EU projects; the wellbeing services county
# (hyvinvointialue) is its own public tier since 2023, neither state nor city.
PARTNER_TYPES: dict[str, str] = {
    "kolmas sektori": "third_sector",
    "oppilaitos": "education",
    "yritys": "company",
    "kaupungin toimiala": "city_department",
    "valtio": "state",
    "hyvinvointialue": "wellbeing_county",
    "EU-hanke": "eu_project",
}
# Production mode of an agreement (plan policy line 5: the multi-producer model).
PRODUCTION_MODES: dict[str, str] = {
    "oma palvelu": "own",
    "sidosyksikkö": "in_house",
    "ostopalvelu": "purchased",
    "kumppanuus": "partnership",
}
# Outcome-based terms belong to a procurement: a purchase or an in-house procurement.
OUTCOME_BASED_MODES = ("ostopalvelu", "sidosyksikkö")
LINK_KINDS: dict[str, str] = {
    "palveluyhteistyö": "service",
    "asiakasohjaus": "referral",
    "rahoitus": "funding",
    "tiedonvaihto": "information",
}
RECORDS = ("partner", "agreement", "link")
SECTIONS = {"partner": "kumppanit", "agreement": "sopimukset", "link": "yhteydet"}
PERIOD_KEY = "kausi"
_ID = re.compile(r"^[a-z0-9_]{2,40}$")


def _ids_well_formed(frame: pd.DataFrame) -> list[Finding]:
    return [
        Finding(p, "partner_id", AS_DELIVERED, "an id of 2-40 lower-case letters a-z, digits or '_'")
        for p in range(len(frame))
        if not _ID.match(str(frame.at[p, "partner_id"]))
    ]


def _names_unique(frame: pd.DataFrame) -> list[Finding]:
    repeated = frame["partner_name"].astype(str).str.casefold().duplicated()
    return [Finding(int(p), "partner_name", AS_DELIVERED, "each organisation once") for p in repeated[repeated].index]


def _known(column: str, known: set[str]) -> TableCheck:
    def check(frame: pd.DataFrame) -> list[Finding]:
        return [
            Finding(p, column, AS_DELIVERED, "the id of a partner listed under 'kumppanit' (unknown partner)")
            for p in range(len(frame))
            if str(frame.at[p, column]) not in known
        ]

    return check


def _own_service_is_the_citys(types: dict[str, str]) -> TableCheck:
    def check(frame: pd.DataFrame) -> list[Finding]:
        return [
            Finding(
                p, "production_mode", AS_DELIVERED, "'oma palvelu' only with a partner of type 'kaupungin toimiala'"
            )
            for p in range(len(frame))
            if frame.at[p, "production_mode"] == "oma palvelu"
            and types.get(str(frame.at[p, "partner_id"]), "kaupungin toimiala") != "kaupungin toimiala"
        ]

    return check


def _outcome_based_only_procured(frame: pd.DataFrame) -> list[Finding]:
    return [
        Finding(p, "outcome_based", AS_DELIVERED, "'ei' unless tuotantotapa is ostopalvelu or sidosyksikkö")
        for p in range(len(frame))
        if bool(frame.at[p, "outcome_based"]) and frame.at[p, "production_mode"] not in OUTCOME_BASED_MODES
    ]


def _ends_after_start(frame: pd.DataFrame) -> list[Finding]:
    return [
        Finding(p, "end_date", AS_DELIVERED, "an end date on or after the start date (alkaa)")
        for p in range(len(frame))
        if pd.notna(frame.at[p, "end_date"]) and frame.at[p, "end_date"] < frame.at[p, "start_date"]
    ]


def _links_join_two_partners(frame: pd.DataFrame) -> list[Finding]:
    findings = []
    seen: set[tuple[frozenset[str], str]] = set()
    for p in range(len(frame)):
        a, b = str(frame.at[p, "partner_id"]), str(frame.at[p, "other_partner_id"])
        if a == b:
            findings.append(Finding(p, "other_partner_id", AS_DELIVERED, "a partner other than 'osapuoli'"))
        pair = (frozenset((a, b)), str(frame.at[p, "link_kind"]))
        if pair in seen:
            findings.append(
                Finding(p, "other_partner_id", AS_DELIVERED, "each pair of partners once per kind (duplicate link)")
            )
        seen.add(pair)
    return findings


PARTNER_CONTRACT = Contract(
    dataset="partner_network",
    columns=(
        Column("partner_id", "tunnus", "code"),
        Column("partner_name", "organisaatio", "text"),
        Column("partner_type", "tyyppi", "code", allowed=tuple(PARTNER_TYPES)),
    ),
    key=("partner_id",),
    period_column=None,
    checks=(_ids_well_formed, _names_unique),
)


def _agreement_contract(known: set[str], types: dict[str, str]) -> Contract:
    return Contract(
        dataset="partner_network",
        columns=(
            Column("agreement_id", "tunnus", "code"),
            Column("partner_id", "kumppani", "code"),
            Column("service", "palvelu", "text"),
            Column("production_mode", "tuotantotapa", "code", allowed=tuple(PRODUCTION_MODES)),
            Column("outcome_based", "tulosperusteinen", "bool"),
            Column("start_date", "alkaa", "date"),
            Column("end_date", "päättyy", "date", optional=True),
        ),
        key=("agreement_id",),
        period_column=None,
        checks=(
            _known("partner_id", known),
            _own_service_is_the_citys(types),
            _outcome_based_only_procured,
            _ends_after_start,
        ),
    )


def _link_contract(known: set[str]) -> Contract:
    return Contract(
        dataset="partner_network",
        columns=(
            Column("partner_id", "osapuoli", "code"),
            Column("other_partner_id", "toinen osapuoli", "code"),
            Column("link_kind", "laji", "code", allowed=tuple(LINK_KINDS)),
            Column("weight", "paino", "int", min=1, max=5, description="closeness of the cooperation, 1-5"),
        ),
        key=(),
        period_column=None,
        checks=(_known("partner_id", known), _known("other_partner_id", known), _links_join_two_partners),
    )


def _section_table(
    file: str, data: dict[str, Any], lines: dict[YamlPath, int], section: str, headers: list[str]
) -> tuple[RawTable | None, list[Violation]]:
    """One list of the file as a table of text cells (one record per item, at the item's line)."""
    items = data.get(section)
    section_line = line_for(lines, (section,))
    if not isinstance(items, list) or not items:
        return None, [Violation(file, section_line, section, None, "a list with at least one item")]
    violations: list[Violation] = []
    records, record_lines = [], []
    for index, item in enumerate(items):
        item_line = line_for(lines, (section, index))
        if not isinstance(item, dict):
            violations.append(Violation(file, item_line, section, None, "an item of 'key: value' pairs"))
            continue
        for key in item:
            if key not in headers:
                violations.append(
                    Violation(
                        file,
                        line_for(lines, (section, index, key)),
                        key,
                        None,
                        f"only the keys {', '.join(headers)} in '{section}' (unknown key)",
                    )
                )
        records.append(["" if item.get(h) is None else str(item.get(h)) for h in headers])
        record_lines.append(item_line)
    frame = pd.DataFrame(records, columns=headers, dtype=object)
    return RawTable(file=file, frame=frame, lines=record_lines), violations


def _apply(contract: Contract, raw: RawTable | None) -> tuple[pd.DataFrame | None, list[Violation]]:
    if raw is None or raw.frame.empty:
        return None, []
    try:
        return contract.apply(raw), []
    except DataError as exc:
        return None, exc.violations


def _typed_part(frame: pd.DataFrame, record: str, period: Period) -> pd.DataFrame:
    """One kind of record in the columns and dtypes of the canonical table."""
    part = pd.DataFrame(index=range(len(frame)))
    for column, dtype in CANONICAL_DTYPES.items():
        if column == "period":
            part[column] = pd.array([str(period)] * len(frame), dtype="string")
        elif column == "record":
            part[column] = pd.array([record] * len(frame), dtype="string")
        elif column in frame.columns:
            part[column] = frame[column].astype(dtype)
        else:
            part[column] = pd.Series([None] * len(frame), dtype=dtype)
    return part


CANONICAL_DTYPES: dict[str, str] = {
    "period": "string",
    "record": "string",
    "partner_id": "string",
    "partner_name": "string",
    "partner_type": "string",
    "agreement_id": "string",
    "service": "string",
    "production_mode": "string",
    "outcome_based": "boolean",
    "start_date": "datetime64[ns]",
    "end_date": "datetime64[ns]",
    "other_partner_id": "string",
    "link_kind": "string",
    "weight": "Int64",
}


def read_yaml(path: Path, period: Period) -> pd.DataFrame:
    """Read, check and normalise one partner network snapshot into canonical rows (the long table)."""
    file = display_name(path)
    node = compose_yaml(path, file)
    lines = node_lines(node)
    violations = duplicate_keys(node, file)
    data = node_text(node)
    if not isinstance(data, dict):
        raise DataError(
            [Violation(file, 1, None, None, "a snapshot with the keys kausi, kumppanit, sopimukset, yhteydet")]
        )
    for key in data:
        if key not in (PERIOD_KEY, *SECTIONS.values()):
            violations.append(
                Violation(
                    file, line_for(lines, (key,)), key, None, "only the keys kausi, kumppanit, sopimukset, yhteydet"
                )
            )
    stated = data.get(PERIOD_KEY)
    if not isinstance(stated, str) or parse_period_text(stated) != str(period):
        shown = stated if isinstance(stated, str) else None
        violations.append(
            Violation(
                file, line_for(lines, (PERIOD_KEY,)), PERIOD_KEY, shown, f"the delivery month {period} (file is for it)"
            )
        )

    partner_raw, found = _section_table(file, data, lines, SECTIONS["partner"], PARTNER_CONTRACT.headers)
    violations.extend(found)
    known: set[str] = set()
    types: dict[str, str] = {}
    if partner_raw is not None:
        known = set(partner_raw.frame["tunnus"])
        types = dict(zip(partner_raw.frame["tunnus"], partner_raw.frame["tyyppi"], strict=True))
    agreement_contract = _agreement_contract(known, types)
    link_contract = _link_contract(known)
    agreement_raw, found = _section_table(file, data, lines, SECTIONS["agreement"], agreement_contract.headers)
    violations.extend(found)
    link_raw, found = _section_table(file, data, lines, SECTIONS["link"], link_contract.headers)
    violations.extend(found)

    partners, found = _apply(PARTNER_CONTRACT, partner_raw)
    violations.extend(found)
    agreements, found = _apply(agreement_contract, agreement_raw)
    violations.extend(found)
    links, found = _apply(link_contract, link_raw)
    violations.extend(found)
    if violations or partners is None or agreements is None or links is None:
        violations.sort(key=lambda v: v.row or 0)
        raise DataError(violations)

    partners["partner_type"] = partners["partner_type"].map(PARTNER_TYPES)
    agreements["production_mode"] = agreements["production_mode"].map(PRODUCTION_MODES)
    links["link_kind"] = links["link_kind"].map(LINK_KINDS)
    parts = [
        _typed_part(partners, "partner", period),
        _typed_part(agreements, "agreement", period),
        _typed_part(links, "link", period),
    ]
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class PartnerNetwork:
    """One snapshot of the partner network: the tidy tables of partners, agreements and links."""

    period: str  # the month the snapshot applies from
    partners: pd.DataFrame
    agreements: pd.DataFrame
    links: pd.DataFrame

    def active_agreements(self, on: date) -> pd.DataFrame:
        """Agreements in force on ``on``: started on or before it and not ended before it."""
        day = pd.Timestamp(on)
        started = self.agreements["start_date"] <= day
        running = self.agreements["end_date"].isna() | (self.agreements["end_date"] >= day)
        return self.agreements[started & running].reset_index(drop=True)

    def graph(self) -> nx.Graph:
        """The network map as an undirected graph: partners as nodes (``name``, ``type``, ``agreements``),
        links as edges (``weight`` summed over kinds, ``kinds`` listed)."""
        import networkx as nx  # here: reading and checking the snapshots (every run) needs no graph library

        graph = nx.Graph()
        agreement_counts = self.agreements["partner_id"].value_counts()
        for row in self.partners.itertuples(index=False):
            graph.add_node(
                row.partner_id,
                name=row.partner_name,
                type=row.partner_type,
                agreements=int(agreement_counts.get(row.partner_id, 0)),
            )
        for row in self.links.itertuples(index=False):
            a, b = row.partner_id, row.other_partner_id
            if graph.has_edge(a, b):
                graph[a][b]["weight"] += int(row.weight)
                graph[a][b]["kinds"].append(row.link_kind)
            else:
                graph.add_edge(a, b, weight=int(row.weight), kinds=[row.link_kind])
        return graph


_COLUMNS_OF = {
    "partner": ["partner_id", "partner_name", "partner_type"],
    "agreement": [
        "agreement_id",
        "partner_id",
        "service",
        "production_mode",
        "outcome_based",
        "start_date",
        "end_date",
    ],
    "link": ["partner_id", "other_partner_id", "link_kind", "weight"],
}


def latest_snapshot(table: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The rows of the snapshot in force in ``period``: the latest delivered on or before it (none: no rows).

    This is the dataset's ``as_of`` rule, so ``data.load("partner_network", period, ws)`` returns only these rows.
    """
    if table.empty:
        return table
    earlier = table[table["period"].astype(str) <= str(period)]
    if earlier.empty:
        return earlier.reset_index(drop=True)
    latest = str(earlier["period"].astype(str).max())
    return earlier[earlier["period"].astype(str) == latest].reset_index(drop=True)


def snapshot_as_of(table: pd.DataFrame, period: Period | str) -> PartnerNetwork:
    """The snapshot in force in ``period`` as three tidy tables, from the canonical table (all or loaded rows)."""
    period = Period.parse(str(period))
    snapshot = latest_snapshot(table, period)
    if snapshot.empty:
        raise DataError(
            [
                Violation(
                    "data/raw/",
                    None,
                    None,
                    None,
                    f"a partner network snapshot kumppanit_YYYY-MM.yaml delivered in {period} or before (none found)",
                )
            ]
        )

    def part(record: str) -> pd.DataFrame:
        rows = snapshot[snapshot["record"] == record]
        return rows[_COLUMNS_OF[record]].reset_index(drop=True)

    return PartnerNetwork(
        period=str(snapshot["period"].iloc[0]),
        partners=part("partner"),
        agreements=part("agreement"),
        links=part("link"),
    )


DATASET = Dataset(
    name="partner_network",
    title="Kumppaniverkosto",
    owner="Lahden työllisyyspalvelut, verkostokoordinaattori",
    file_stem="kumppanit_{period}",
    readers={"yaml": read_yaml, "yml": read_yaml},
    first_period=Period(2025, 1),
    description="Partners, service agreements and links; a snapshot delivered when the network changes, the "
    "latest on or before a period applies.",
    required=False,
    as_of=latest_snapshot,
)
