"""Parameters: ``params/defaults.yaml`` merged with ``params/years/YYYY.yaml``, validated with pydantic.

Every target, threshold and legal rule table comes from here, never from literals in code. A wrong key, type or
value raises :class:`~serviceplan.core.errors.ParameterError` with one line naming the file and the key.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from serviceplan.core.errors import ParameterError, os_problem
from serviceplan.core.periods import Period
from serviceplan.core.vocabulary import (
    DAY_CLASSES,
    FOLLOW_UP_MONTHS,
    GRANT_TYPE_CODES,
    KPI_AREAS,
    PUBLIC_KPI_AREAS,
    WITHIN_WORKING_DAYS,
)
from serviceplan.core.yaml_checks import LOADER, yaml_problem

BUDGET_CLASSES: tuple[str, ...] = (
    "vapaaehtoinen",
    "maararahasidonnainen",
    "maararahasta_riippumaton",
    "tarvesidonnainen",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


MUNICIPALITY_CODE = r"^KU\d{3}$"  # a municipality in the employment service statistics (KU + Statistics Finland's code)
REGION_CODE = r"^MK\d{2}$"  # a region (maakunta)
COUNTRY_CODE = "SSS"  # the whole country


class Municipality(_Strict):
    """A municipality the statistics may be reported for: its Finnish name, its region and, where the statistics
    publish one, its employment area (työllisyysalue; the code as the real metadata gives it, never from memory)."""

    name: str = Field(min_length=1)
    region: str = Field(pattern=REGION_CODE)
    employment_area: str | None = Field(default=None, pattern=r"^[A-Za-z]{1,6}\d{1,4}$")


class Regions(_Strict):
    """The regions of the public statistics: the reporting municipality (``KUxxx``) with its employment area,
    region (``MKxx``) and the whole country (``SSS``), and the comparison group it is ranked in.

    Changing ``municipality`` alone gives another municipality's public-data report (any municipality listed in
    ``municipalities``). The city's own datasets (ledger, Kela invoice, client system, ...) belong to
    ``own_data_municipality``; for another municipality the pages built on them are left out of the report.
    Fields are checked in this order, each against those before it, so an error names its own key.
    """

    municipalities: dict[str, Municipality] = Field(min_length=1)
    names: dict[str, str]  # Finnish names of the regions (MKxx), employment areas and the country (SSS)
    country: Literal["SSS"]
    municipality: str = Field(pattern=MUNICIPALITY_CODE)
    own_data_municipality: str = Field(pattern=MUNICIPALITY_CODE)
    comparison_group: list[str] = Field(min_length=2)

    @field_validator("municipalities")
    @classmethod
    def _municipality_codes(cls, municipalities: dict[str, Municipality]) -> dict[str, Municipality]:
        for code in municipalities:
            if not re.match(MUNICIPALITY_CODE, code):
                raise ValueError(f"{code!r} is not a municipality code like KU398")
        return municipalities

    @field_validator("country")
    @classmethod
    def _named_regions(cls, country: str, info: ValidationInfo) -> str:
        names = info.data.get("names", {})
        needed = {m.region for m in info.data.get("municipalities", {}).values()} | {country}
        needed |= {m.employment_area for m in info.data.get("municipalities", {}).values() if m.employment_area}
        missing = sorted(needed - set(names))
        if missing:
            raise ValueError(f"regions.names has no name for {', '.join(missing)}")
        return country

    @field_validator("municipality", "own_data_municipality")
    @classmethod
    def _listed(cls, code: str, info: ValidationInfo) -> str:
        known = info.data.get("municipalities", {})
        if code not in known:
            raise ValueError(
                f"{code} is not in regions.municipalities (listed: {', '.join(known)}); add it there with its name "
                "and region"
            )
        return code

    @field_validator("comparison_group")
    @classmethod
    def _group_listed(cls, group: list[str], info: ValidationInfo) -> list[str]:
        known = info.data.get("municipalities", {})
        unknown = [code for code in group if code not in known]
        if unknown:
            raise ValueError(f"{', '.join(unknown)} not in regions.municipalities")
        if len(set(group)) != len(group):
            raise ValueError("each municipality once (duplicate)")
        return group

    @property
    def home(self) -> Municipality:
        """The reporting municipality."""
        return self.municipalities[self.municipality]

    @property
    def has_own_data(self) -> bool:
        """Whether the city's own datasets are the reporting municipality's."""
        return self.municipality == self.own_data_municipality

    def report_regions(self, code: str | None = None) -> list[str]:
        """The reporting municipality (or the listed municipality ``code``), its employment area (where
        published), its region and the whole country."""
        code = code or self.municipality
        info = self.municipalities[code]
        codes = [code, info.employment_area, info.region, self.country]
        return list(dict.fromkeys(c for c in codes if c))

    def statistics_regions(self) -> list[str]:
        """Every region a fetch asks the statistics for: the report's regions and the comparison group."""
        return list(dict.fromkeys([*self.report_regions(), *self.comparison_group]))

    def name(self, code: str) -> str:
        """The Finnish name of a region code (the code itself when it has none)."""
        if code in self.municipalities:
            return self.municipalities[code].name
        return self.names.get(code, code)


class Disclosure(_Strict):
    min_count: int = Field(ge=2, le=20)
    symbol: str = Field(min_length=1, max_length=3)

    @field_validator("symbol")
    @classmethod
    def _not_another_legend_symbol(cls, symbol: str) -> str:
        # "." (not available) and "–" (a true zero) have their own meanings in the report's legend
        # (serviceplan.present.disclosure); a suppressed value must not look like either
        if symbol.strip() in {".", "\u2013", "-"}:
            raise ValueError("'.' and '–' have other meanings in the report; use '..'")
        return symbol


class StatfinApi(_Strict):
    """Statistics Finland's PxWeb API v1 for the employment service statistics, and its published limits."""

    base_url: str = Field(pattern=r"^https?://")
    language: str = Field(pattern=r"^(fi|sv|en)$")
    database_path: str  # database and subject folder, e.g. StatFin/tyonv
    table_files: list[str] = Field(min_length=1)  # URL forms of a table id tried in order; {table} is replaced
    window_months: int = Field(ge=1, le=60)  # months up to the fetched month asked for (revisions come along)
    max_cells: int = Field(ge=1)  # cells per query
    max_calls: int = Field(ge=1)  # calls per per_seconds
    per_seconds: float = Field(gt=0)
    timeout_seconds: float = Field(gt=0)
    attempts: int = Field(ge=1, le=10)  # tries of one request on a transient failure (429, 5xx, dropped connection)
    backoff_seconds: float = Field(ge=0, le=60)  # wait before the first retry; it doubles with every retry

    @field_validator("table_files")
    @classmethod
    def _has_placeholder(cls, forms: list[str]) -> list[str]:
        if not all("{table}" in form for form in forms):
            raise ValueError("every form must contain {table}")
        return forms


class BudgetByClass(_Strict):
    vapaaehtoinen: float = Field(ge=0)
    maararahasidonnainen: float = Field(ge=0)
    maararahasta_riippumaton: float = Field(ge=0)
    tarvesidonnainen: float = Field(ge=0)

    def as_dict(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in BUDGET_CLASSES}


class BenefitStep(_Strict):
    min_days: int = Field(ge=1)
    share: float = Field(ge=0, le=1)


class _Dated(_Strict):
    valid_from: date


class BenefitShareRule(_Dated):
    source: str
    steps: list[BenefitStep] = Field(min_length=1)

    @field_validator("steps")
    @classmethod
    def _ascending(cls, steps: list[BenefitStep]) -> list[BenefitStep]:
        days = [s.min_days for s in steps]
        if days != sorted(set(days)):
            raise ValueError("steps must have strictly ascending min_days")
        return steps

    def share_for_days(self, accumulated_days: int) -> float:
        """The municipal share for a person with ``accumulated_days`` benefit days (0 below the first step)."""
        share = 0.0
        for step in self.steps:
            if accumulated_days >= step.min_days:
                share = step.share
        return share


class ServiceLevelRule(_Dated):
    initial_interview_working_days: int = Field(ge=1, le=60)
    job_search_discussion_interval_months: int = Field(ge=1, le=12)

    @field_validator("initial_interview_working_days")
    @classmethod
    def _computable(cls, days: int) -> int:
        """A deadline the client system's report counts, so that the services page can follow it (checked here,
        when the parameters load, not in a notebook after every other page has run)."""
        if days not in WITHIN_WORKING_DAYS:
            known = " and ".join(str(d) for d in WITHIN_WORKING_DAYS)
            raise ValueError(
                f"a deadline the client system report counts ({known} working days): "
                f"interviews within {days} working days cannot be followed"
            )
        return days


class Forecast(_Strict):
    run_rate_months: int = Field(ge=1, le=12)
    interval_months: int = Field(ge=2, le=12)
    min_history_months: int = Field(ge=2, le=12)  # fewer months than this: the interval uses prior_spread
    prior_spread: float = Field(gt=0, le=1)  # relative spread of one month's run rate while history is short
    interval_z: float = Field(gt=0, le=5)  # interval half-width in spreads (1.64: about 90 % of months)


# Budget lines that may carry a monthly phasing: the budget classes, the commissioned tasks (no budget of their
# own) and the municipal share of unemployment benefits (the benefit-share part of maararahasta_riippumaton).
PHASED_LINES: tuple[str, ...] = (*BUDGET_CLASSES, "toimeksiantotehtava", "kuntaosuus")


class WhatIf(_Strict):
    """A shift in long-term unemployment: ``people`` leave Kela's day class ``from_class`` for ``to_class``
    (``None``: off unemployment benefits altogether, e.g. employed)."""

    people: int = Field(ge=1, le=100_000)
    from_class: str
    to_class: str | None = None

    @model_validator(mode="after")
    def _known_classes(self) -> WhatIf:
        for name in (self.from_class, self.to_class):
            if name is not None and name not in DAY_CLASSES:
                raise ValueError(f"day class {name!r} is not one of {', '.join(DAY_CLASSES)}")
        if self.to_class is not None and DAY_CLASSES[self.to_class] >= DAY_CLASSES[self.from_class]:
            raise ValueError("to_class must be a lower day class than from_class (or null)")
        return self


# Parameters of each policy-area page: targets, thresholds and choices of that page only. Each area's model is
# owned by that area's metrics module's authors; add fields (with a comment on their source) to your own class.
class TargetGroupsParams(_Strict):
    """Page 2, target groups (plan section 2): young and newly unemployed people."""

    named_advisor_under25_target: float = Field(ge=0, le=1)  # share of under-25 customers with a named advisor
    long_term_max_change_yoy: float | None = Field(default=None, ge=-1, le=1)  # target: at most year-ago x (1 + this)
    flow_over_3m_max_change_yoy: float | None = Field(default=None, ge=-1, le=1)  # the same for the flow to >3 mo
    # region (a statistics code, e.g. SSS) whose outflow estimates are the target (None: no target)
    outflow_benchmark_region: str | None = Field(default=None, pattern=r"^(KU\d{3}|MK\d{2}|SSS)$")
    history_months: int = Field(ge=2, le=36)  # months shown in the page's monthly charts


class ServicesParams(_Strict):
    """The services page (metrics/services.py): effectiveness threshold, benchmarks and service-level targets."""

    history_months: int = Field(ge=3, le=36)  # months shown in the page's monthly charts and tables
    effectiveness_window_months: int = Field(ge=1, le=24)  # follow-up months pooled into one effectiveness share
    effectiveness_follow_up_months: int  # the follow-up (3 or 6 months) the threshold is applied to
    effectiveness_threshold_share: float = Field(ge=0, le=1)  # open-market share below which a service is flagged
    min_followed: int = Field(ge=1, le=10_000)  # fewer people followed up: the service is not judged
    open_market_target_share: dict[int, float]  # benchmark per follow-up month (3 and 6)
    initial_interview_target_share: float = Field(ge=0, le=1)
    job_search_discussion_target_share: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _known_follow_ups(self) -> ServicesParams:
        known = ", ".join(str(m) for m in FOLLOW_UP_MONTHS)
        if self.effectiveness_follow_up_months not in FOLLOW_UP_MONTHS:
            raise ValueError(f"effectiveness_follow_up_months must be one of {known}")
        if set(self.open_market_target_share) != set(FOLLOW_UP_MONTHS):
            raise ValueError(f"open_market_target_share needs one share per follow-up month: {known}")
        if not all(0 <= s <= 1 for s in self.open_market_target_share.values()):
            raise ValueError("open_market_target_share: shares between 0 and 1")
        return self


class GrantsParams(_Strict):
    """The grants page (metrics/grants.py): the budget per grant type, its phasing and the follow-up target."""

    budget_eur: dict[str, float]  # annual budget per grant type (canonical codes of sources/grants.py)
    phasing: dict[str, list[float]]  # 12 monthly weights per grant type, January first (missing: flat)
    continuation_window_months: int = Field(ge=1, le=24)  # months of ended subsidies pooled into one share
    continuing_target_share: float = Field(ge=0, le=1)  # jobs continuing after the subsidy ended
    history_months: int = Field(ge=3, le=36)  # months shown in the follow-up chart and table

    @model_validator(mode="after")
    def _known_grants(self) -> GrantsParams:
        known = tuple(GRANT_TYPE_CODES.values())
        for key, mapping in (("budget_eur", self.budget_eur), ("phasing", self.phasing)):
            unknown = [g for g in mapping if g not in known]
            if unknown:
                raise ValueError(f"{key}: unknown grant type {unknown[0]!r}; known: {', '.join(known)}")
        if any(v < 0 for v in self.budget_eur.values()):
            raise ValueError("budget_eur: budgets must not be negative")
        for grant, weights in self.phasing.items():
            if len(weights) != 12 or min(weights) < 0 or sum(weights) <= 0:
                raise ValueError(f"phasing.{grant}: 12 non-negative monthly weights (January first), not all zero")
        return self


class EcosystemsParams(_Strict):
    """Page 5, service production and ecosystems (plan sections 5, 6.1 and 6.2)."""

    plan_areas: list[int] = Field(min_length=1)  # the plan's policy areas whose actions the page follows
    network_map_action: str = Field(pattern=r"^T\d+\.\d+$")  # the action that delivers the network map
    hub_partner_id: str  # the employment services' own id in the partner network
    outcome_based_modes: list[Literal["own", "in_house", "purchased", "partnership"]] = Field(min_length=1)
    outcome_based_share_target: float | None = Field(default=None, ge=0, le=1)
    partnership_cost_share_target: float | None = Field(default=None, ge=0, le=1)
    late_actions_target: int = Field(ge=0)
    history_months: int = Field(ge=2, le=36)  # months shown in the page's monthly charts


class EmployerServicesParams(_Strict):
    """Page 6, employer services (plan section 7)."""

    fill_rate_target: float | None = Field(default=None, ge=0, le=1)
    days_to_fill_median_target: float | None = Field(default=None, gt=0, le=365)
    days_to_fill_mean_target: float | None = Field(default=None, gt=0, le=365)
    events_ladec_per_year_target: float | None = Field(default=None, ge=0)
    events_education_per_year_target: float | None = Field(default=None, ge=0)
    history_months: int = Field(ge=2, le=36)  # months shown in the page's monthly charts


class ImmigrantsParams(_Strict):
    """Page 7, immigrants (plan section 8)."""

    integration_period_months: int | None = Field(default=None, ge=1, le=120)  # move-rate target = 1 / this
    history_months: int = Field(ge=2, le=36)  # months shown in the page's monthly charts


class RiskBands(_Strict):
    """Likelihood x impact scores (1..25) from which a risk counts as medium and as high."""

    medium: int = Field(ge=2, le=25)
    high: int = Field(ge=2, le=25)

    @model_validator(mode="after")
    def _ordered(self) -> RiskBands:
        if self.medium >= self.high:
            raise ValueError("medium must be below high")
        return self


class KnowledgeParams(_Strict):
    """Knowledge management page (area 8): plan actions, risk register, data freshness."""

    max_late_actions: int = Field(ge=0)  # target: actions past their deadline and not done
    due_done_share_target: float = Field(ge=0, le=1)  # target: share done of the actions whose deadline has passed
    risk_bands: RiskBands
    max_delivery_lag_months: int = Field(ge=0, le=12)  # a monthly delivery this many months old still counts current
    current_share_target: float = Field(ge=0, le=1)  # target: share of the expected datasets that are current
    max_missing_deliveries: int = Field(ge=0)  # target: monthly deliveries missing since each dataset began
    delivery_months_shown: int = Field(ge=3, le=36)  # months in the delivery chart
    upcoming_months: int = Field(ge=1, le=12)  # deadlines this many months ahead are listed as upcoming


_KPI_ID = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"


KpiUnit = Literal["eur", "count", "share", "days", "ratio"]  # the units of serviceplan.metrics.kpis.KPI_COLUMNS


class Materiality(_Strict):
    """When a KPI's change is worth a headline, and when a relative change is shown at all (see
    :mod:`serviceplan.metrics.summary`)."""

    min_relative_change: float = Field(gt=0, le=10)  # a change of a non-share is material from this size (0.1 = 10 %)
    min_change: dict[KpiUnit, Annotated[float, Field(gt=0)]]  # ... and from this size in the KPI's own unit
    min_base: dict[KpiUnit, Annotated[float, Field(ge=0)]]  # below this earlier value a change is shown as a difference

    @field_validator("min_change")
    @classmethod
    def _every_unit(cls, sizes: dict[str, float]) -> dict[str, float]:
        missing = sorted(set(KpiUnit.__args__) - set(sizes))  # type: ignore[attr-defined]
        if missing:
            raise ValueError(f"a size for every unit; missing: {', '.join(missing)}")
        return sizes


class SummaryParams(_Strict):
    """The front page: which KPIs are headline, and how the month's biggest changes are chosen."""

    headline: list[Annotated[str, Field(pattern=_KPI_ID)]] = Field(min_length=1, max_length=8)
    # the headline of a report from public statistics only (another municipality than the own data's)
    public_headline: list[Annotated[str, Field(pattern=_KPI_ID)]] = Field(min_length=1, max_length=8)
    biggest_changes: int = Field(ge=1, le=10)  # how many of the month's biggest changes are listed
    materiality: Materiality
    not_in_changes: list[Annotated[str, Field(pattern=_KPI_ID)]]  # KPIs left out of the biggest changes
    non_person_counts: list[Annotated[str, Field(pattern=_KPI_ID)]]  # counts of things, shown even when small

    @field_validator("headline", "public_headline", "not_in_changes", "non_person_counts")
    @classmethod
    def _known_areas(cls, ids: list[str], info: ValidationInfo) -> list[str]:
        if len(set(ids)) != len(ids):
            raise ValueError("each KPI id once (duplicate)")
        known = list(PUBLIC_KPI_AREAS if info.field_name == "public_headline" else KPI_AREAS)
        for kpi_id in ids:
            if kpi_id.split(".")[0] not in known:
                raise ValueError(f"unknown area in KPI id {kpi_id!r}; areas with KPIs: {', '.join(known)}")
        return ids


class AreaParams(_Strict):
    target_groups: TargetGroupsParams
    services: ServicesParams
    grants: GrantsParams
    ecosystems: EcosystemsParams
    employer_services: EmployerServicesParams
    immigrants: ImmigrantsParams
    knowledge: KnowledgeParams
    summary: SummaryParams


class PrivacyGate(_Strict):
    """What the privacy gate (serviceplan.publish.privacy_gate) lets through in a published version."""

    allowed_emails: list[str] = Field(default_factory=list)  # the city's generic service addresses, never a person's
    allowed_phones: list[str] = Field(default_factory=list)  # the city's generic service numbers (any format)
    # Headers of table columns in the count format that count things (vacancies, events, partners), not people:
    # their small values are shown. Every other count column is checked for unsuppressed small counts.
    non_person_count_columns: list[str] = Field(default_factory=list)


class InputLimits(_Strict):
    """Limits on a delivered file, checked before it is read (serviceplan.inputs.readers), so that a damaged or wrong
    export (a stray cell far outside the table, a file of another system) fails at once instead of filling memory."""

    max_file_mb: float = Field(gt=0, le=1000)  # any delivered file
    max_rows: int = Field(ge=100, le=10_000_000)  # lines of a CSV file, rows of a workbook sheet
    max_columns: int = Field(ge=20, le=16_384)  # columns of a workbook sheet
    max_unpacked_mb: float = Field(gt=0, le=10_000)  # a workbook's parts, unpacked


class AccessibilityStatement(_Strict):
    """The facts of the accessibility statement (Act 306/2019) published beside the landing page."""

    organisation: str  # who provides the service
    conformance: Literal["full", "partial", "none"]  # WCAG 2.1 AA: täyttää, täyttää osittain, ei täytä
    assessed_on: date  # when the accessibility was last assessed
    statement_date: date  # when the statement was drawn up or last updated
    feedback_email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")  # a generic service address
    response_days: int = Field(ge=1, le=60)  # the answer to feedback is given within this many days
    supervisor: str  # the supervisory authority of accessibility
    supervisor_url: str = Field(pattern=r"^https://")


R = TypeVar("R", bound=_Dated)


def rule_in_force(rules: list[R], day: date) -> R:
    """The dated rule in force on ``day``: the latest whose ``valid_from`` is on or before it."""
    in_force = [r for r in rules if r.valid_from <= day]
    if not in_force:
        raise ParameterError(f"no rule in force on {day.isoformat()} (the earliest starts {rules[0].valid_from})")
    return max(in_force, key=lambda r: r.valid_from)


class Params(_Strict):
    """The resolved parameters for one year."""

    year: int
    regions: Regions
    disclosure: Disclosure
    budget_eur: BudgetByClass
    benefit_share_budget_eur: float = Field(ge=0)
    benefit_share_steps: list[BenefitShareRule] = Field(min_length=1)
    service_level: list[ServiceLevelRule] = Field(min_length=1)
    forecast: Forecast
    statfin: StatfinApi
    budget_phasing: dict[str, list[float]]
    what_if: WhatIf
    areas: AreaParams
    privacy: PrivacyGate = Field(default_factory=PrivacyGate)
    accessibility: AccessibilityStatement
    inputs: InputLimits

    @field_validator("budget_phasing")
    @classmethod
    def _twelve_weights(cls, phasing: dict[str, list[float]]) -> dict[str, list[float]]:
        for line, weights in phasing.items():
            if line not in PHASED_LINES:
                raise ValueError(f"unknown budget line {line!r}; known: {', '.join(PHASED_LINES)}")
            if len(weights) != 12 or min(weights) < 0 or sum(weights) <= 0:
                raise ValueError(f"{line}: 12 non-negative monthly weights (January first), not all zero")
        return phasing

    @field_validator("areas")
    @classmethod
    def _benchmark_is_fetched(cls, areas: AreaParams, info: ValidationInfo) -> AreaParams:
        regions = info.data.get("regions")
        benchmark = areas.target_groups.outflow_benchmark_region
        if regions is not None and benchmark is not None and benchmark not in regions.statistics_regions():
            raise ValueError(
                f"target_groups.outflow_benchmark_region: {benchmark} is not among the statistics regions "
                f"{', '.join(regions.statistics_regions())} (see regions)"
            )
        return areas

    @model_validator(mode="after")
    def _benefit_within_class(self) -> Params:
        if self.benefit_share_budget_eur > self.budget_eur.maararahasta_riippumaton:
            raise ValueError(
                "benefit_share_budget_eur must not exceed budget_eur.maararahasta_riippumaton, which includes it"
            )
        return self

    def benefit_rule(self, period: Period) -> BenefitShareRule:
        """The benefit-share step table in force for a benefit month."""
        return rule_in_force(self.benefit_share_steps, period.first_day)

    def service_level_rule(self, period: Period) -> ServiceLevelRule:
        """The statutory service level in force at the end of a reporting month."""
        return rule_in_force(self.service_level, period.last_day)

    def digest(self) -> str:
        """A content hash of the resolved parameters (for manifests and skip decisions)."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_yaml(path: Path, shown: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ParameterError(f"{shown}: the parameter file cannot be read ({os_problem(exc)})") from None
    except UnicodeDecodeError as exc:
        raise ParameterError(f"{shown}: expected UTF-8 text (undecodable byte at {exc.start})") from None
    refused = yaml_problem(text)
    if refused is not None:
        raise ParameterError(f"{shown}: line {refused[0]}: expected {refused[1]}")
    try:
        data = yaml.load(text, Loader=LOADER)  # a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ParameterError(f"{shown}:{where} not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError(f"{shown}: expected a mapping of keys at the top level, got {type(data).__name__}")
    return data


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge mappings; lists and scalars in ``override`` replace those in ``base``."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _has_key(data: Any, loc: tuple[Any, ...]) -> bool:
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            node = node[part]
        else:
            return False
    return True


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def key_file(year: int, params_dir: Path, key: tuple[str, ...]) -> str:
    """The parameter file (relative to the workspace) that sets ``key`` for ``year``: the year's file when it
    overrides the key, else ``params/defaults.yaml``; for messages about a key's value."""
    year_path = params_dir / "years" / f"{year}.yaml"
    if year_path.is_file() and _has_key(_read_yaml(year_path, _display(year_path, params_dir)), key):
        return _display(year_path, params_dir)
    return _display(params_dir / "defaults.yaml", params_dir)


def load_params(year: int, params_dir: Path) -> Params:
    """Load and validate the parameters for ``year`` from ``params_dir``."""
    defaults_path = params_dir / "defaults.yaml"
    if not defaults_path.is_file():
        raise ParameterError(f"{_display(defaults_path, params_dir)}: parameter file not found")
    year_path = params_dir / "years" / f"{year}.yaml"
    defaults = _read_yaml(defaults_path, _display(defaults_path, params_dir))
    override = _read_yaml(year_path, _display(year_path, params_dir)) if year_path.is_file() else {}
    if "year" in defaults or "year" in override:
        culprit = year_path if "year" in override else defaults_path
        raise ParameterError(f"{_display(culprit, params_dir)}: key 'year': set by the file name, not a key")
    merged = _merge(defaults, override)
    merged["year"] = year
    try:
        return Params.model_validate(merged)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        key = ".".join(str(p) for p in loc) or "(top level)"
        culprit = year_path if override and _has_key(override, loc[:1]) else defaults_path
        if error["type"] == "missing":
            detail = "required key is missing"
        elif error["type"] == "extra_forbidden":
            detail = "unknown key (check the spelling against params/defaults.yaml)"
        else:
            message = error["msg"].removeprefix("Value error, ")  # pydantic's prefix for a validator's message
            # a whole section or list is not echoed: the message says what is wrong in it
            given = error.get("input")
            detail = message if isinstance(given, dict | list) else f"{message} (got {given!r})"
        raise ParameterError(f"{_display(culprit, params_dir)}: key '{key}': {detail}") from None
