"""Employment service statistics: canonical rows from JSON-stat2 bodies of both API conventions and of the live
service's shapes, the contract's clear errors, revisions (the newest delivery wins as of a report month), the demo
deliveries and the fetch into ``data/raw/`` from a local server answering like the live PxWeb service."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pxweb_server import RESET, Answer, LocalPxWeb
from serviceplan import cli
from serviceplan.core.errors import DataError
from serviceplan.core.params import load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period, month_range
from serviceplan.inputs import canonical as data
from serviceplan.inputs.demo import statfin_files
from serviceplan.inputs.demo.world import World, build_world
from serviceplan.inputs.pxweb import FetchError, RateLimiter, month_code
from serviceplan.inputs.sources import DATASETS, statfin
from serviceplan.inputs.sources.base import Dataset

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "statfin"
JAN = Period(2025, 1)


def canonical(name: str, delivery: Period = JAN, table: str = "12r5") -> pd.DataFrame:
    body = (FIXTURES / name).read_bytes()
    return statfin.parse_body(body, f"data/raw/{delivery}/statfin_{table}.json", table, delivery)


def errors_of(document: dict, delivery: Period = JAN, table: str = "12r5") -> list:
    with pytest.raises(DataError) as caught:
        statfin.parse_body(statfin.dumps(document), "data/raw/2025-01/statfin_12r5.json", table, delivery)
    return caught.value.violations


def old_body() -> dict:
    return json.loads((FIXTURES / "12r5_old.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def world() -> World:
    params = load_params(2025, REPO / "params")
    return build_world(params.benefit_rule(JAN), regions=statfin_files.demo_regions(params.regions))


@pytest.fixture(scope="module")
def statfin_raw(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo statistics deliveries, written once per module (read-only: tests get a copy)."""
    raw = tmp_path_factory.mktemp("statfin") / "raw"
    statfin_files.write_statfin(world, raw)
    return raw


@pytest.fixture
def statfin_workspace(workspace: Workspace, statfin_raw: Path) -> Workspace:
    """A workspace holding only (a private copy of) the demo statistics deliveries."""
    shutil.copytree(statfin_raw, workspace.raw_dir)
    return workspace


# --- parsing bodies --------------------------------------------------------------------------------------------


def test_old_and_new_conventions_give_the_same_table() -> None:
    old = canonical("12r5_old.json")
    new = canonical("12r5_new.json")
    pd.testing.assert_frame_equal(old, new)
    assert list(old.columns) == list(statfin.COLUMNS)
    lahti = old[(old["region"] == "KU398") & (old["period"] == "2025-01")].set_index("measure")["value"]
    assert lahti.to_dict() == {"unemployed": 9033.0, "rate": 15.9, "under25": 1071.0}
    country = old[(old["region"] == "SSS") & (old["measure"] == "rate")].set_index("period")["value"]
    assert country.to_dict() == {"2024-12": 11.5, "2025-01": 12.0}
    assert set(old["updated"].astype(str)) == {"2025-02-25 06:00:00+00:00"}  # +02:00 in the new body: same moment
    assert set(old["delivery"]) == {"2025-01"}


def test_status_symbol_becomes_a_missing_value_with_its_reason() -> None:
    rows = canonical("12r5_old.json")
    secret = rows[rows["status"].notna()]
    assert len(secret) == 1
    (row,) = secret.itertuples(index=False)
    assert (row.region, row.period, row.measure) == ("SSS", "2024-12", "under25")
    assert math.isnan(row.value)
    assert row.status == ".."
    assert row.status_reason == "not available, too uncertain to present, or not yet published"
    assert rows["status_reason"].notna().sum() == 1


def test_missing_value_without_a_symbol_is_marked() -> None:
    document = old_body()
    document["value"][0] = None
    rows = statfin.parse_body(statfin.dumps(document), "f.json", "12r5", JAN)
    key = (rows["region"] == "KU398") & (rows["period"] == "2024-12") & (rows["measure"] == "unemployed")
    first = rows[key].iloc[0]
    assert math.isnan(first["value"]) and pd.isna(first["status"])
    assert first["status_reason"] == statfin.MISSING_REASON


def test_region_codes_are_recognised_by_their_form() -> None:
    document = old_body()
    document["dimension"]["Alue"]["category"]["index"] = {"tyonv-KU297": 0, "MK11": 1}
    rows = statfin.parse_body(statfin.dumps(document), "f.json", "12r5", JAN)
    assert set(rows["region"]) == {"KU297", "MK11"}  # any municipality or region: which ones to use is params'
    document["dimension"]["Alue"]["category"]["index"] = {"KU398": 0, "Lahti": 1}
    (violation,) = errors_of(document)
    assert violation.file == "data/raw/2025-01/statfin_12r5.json"
    assert violation.column == "dimension.Alue.category.index"
    assert violation.value == "Lahti"
    assert violation.expected == "a region code like KU398, MK07 or SSS (with or without a prefix)"


def test_values_out_of_range_name_the_cell() -> None:
    document = old_body()
    document["value"][4] = 130.0  # KU398 2025-01 rate
    document["value"][3] = -1  # KU398 2025-01 unemployed
    document["value"][5] = 1071.5  # KU398 2025-01 under25: a count must be whole
    found = {v.column: v for v in errors_of(document)}
    assert set(found) == {"value[3]", "value[4]", "value[5]"}
    assert found["value[4]"].value == "130"
    assert found["value[4]"].expected == "a percentage 0..100 (KU398 2025-01 rate)"
    assert found["value[3]"].expected == "a count: a whole number 0..10 000 000 (KU398 2025-01 unemployed)"
    assert found["value[5]"].value == "1071.5"


def test_month_after_the_delivery_month() -> None:
    (violation,) = errors_of(old_body(), delivery=Period(2024, 12))
    assert (violation.column, violation.value) == ("dimension.Kuukausi.category.index", "2025M01")
    assert "months up to the delivery month 2024-12" in violation.expected


def test_unknown_content_code_and_bad_month() -> None:
    document = old_body()
    document["dimension"]["Tiedot"]["category"]["index"] = {"TYOTTOMATLOPUSSA": 0, "TYOTOSUUS": 1, "XYZ": 2}
    document["dimension"]["Kuukausi"]["category"]["index"] = {"2024M12": 0, "2025M13": 1}
    found = {v.value: v for v in errors_of(document)}
    assert found["XYZ"].column == "dimension.Tiedot.category.index"
    assert found["XYZ"].expected.startswith("a content code of table 12r5: one of TYOTTOMATLOPUSSA, TYOTOSUUS")
    assert found["2025M13"].expected == "a month like 2025M01"


def test_two_codes_for_the_same_cell_are_duplicates() -> None:
    document = old_body()
    document["dimension"]["Alue"]["category"]["index"] = {"KU398": 0, "alue_KU398": 1}
    found = errors_of(document)
    assert len(found) == 6  # every cell of the second code: 2 months x 3 contents
    assert found[0].value == "12r5, KU398, 2024-12, unemployed"
    assert "duplicate" in found[0].expected


def test_body_of_another_table() -> None:
    found = errors_of(old_body(), table="12u4")  # the body names Tiedot its content (role.metric)
    assert [v.value for v in found] == ["TYOTTOMATLOPUSSA", "TYOTOSUUS", "TYOTTOMAT25"]
    assert found[0].expected == "a content code of table 12u4: one of AKTASTE, PALVELUISSA (with or without a prefix)"
    document = old_body()
    del document["role"]  # without the hint no dimension holds the table's content codes
    (violation,) = errors_of(document, table="12u4")
    assert violation.column == "id"
    assert violation.expected.startswith("a content (AKTASTE, PALVELUISSA) dimension (none found among")


def test_extra_dimension_must_be_a_total() -> None:
    document = old_body()
    document["id"].append("Sukupuoli")
    document["size"].append(1)
    document["dimension"]["Sukupuoli"] = {"label": "Sukupuoli", "category": {"index": {"SSS": 0}}}
    assert len(statfin.parse_body(statfin.dumps(document), "f.json", "12r5", JAN)) == 12
    document["dimension"]["Sukupuoli"]["category"] = {"index": {"1": 0}, "label": {"1": "Miehet"}}
    (violation,) = errors_of(document)
    assert violation.expected == "only the total (SSS) of the extra dimension Sukupuoli"


def test_update_stamp_is_required() -> None:
    document = old_body()
    del document["updated"]
    (violation,) = errors_of(document)
    assert violation.column == "updated"


def test_a_stamp_in_the_future_or_before_its_figures_is_refused() -> None:
    document = old_body()
    document["updated"] = "2099-01-01T00:00:00Z"  # would once have overridden every later revision
    now = pd.Timestamp("2025-03-01", tz="UTC")
    with pytest.raises(DataError) as caught:
        statfin.parse_body(statfin.dumps(document), "data/raw/2025-01/statfin_12r5.json", "12r5", JAN, now)
    (violation,) = caught.value.violations
    assert (violation.column, violation.value) == ("updated", "2099-01-01T00:00:00Z")
    assert violation.expected.startswith("a publication stamp no later than now (2025-03-01 00:00 UTC)")
    document["updated"] = "2025-01-20T05:00:00Z"  # before January's figures could exist
    (violation,) = errors_of(document)
    assert "after the end of 2025-01, the newest month in the body" in violation.expected
    document["updated"] = "2025-03-01T20:00:00Z"  # within a day of our clock: another clock's time zone, accepted
    assert len(statfin.parse_body(statfin.dumps(document), "f.json", "12r5", JAN, now)) == 12


def test_symbols_of_the_live_service() -> None:
    rows = canonical("live_12r5.json", Period(2026, 7))
    cell = rows.set_index(["region", "period", "measure"])
    assert cell.loc[("KU398", "2026-06", "unemployed"), "value"] == 9406
    assert cell.loc[("KU398", "2026-06", "new_vacancies"), "value"] == 905  # content code UUDETAVP
    assert cell.loc[("SSS", "2026-06", "labour_force"), "value"] == 2_743_596
    zero = cell.loc[("MK07", "2026-06", "under20")]  # null with "-": a true zero, symbol kept
    assert (zero["value"], zero["status"], zero["status_reason"]) == (0.0, "-", "nil: a true zero")
    secret = cell.loc[("KU398", "2026-07", "under20")]  # null with "..": missing, symbol kept
    assert math.isnan(secret["value"]) and secret["status"] == ".."
    note = cell.loc[("SSS", "2026-07", "rate")]  # a note on a cell with a value: the value stands
    assert (note["value"], note["status"], note["status_reason"]) == (13.0, "*", "note '*' on the value")
    assert rows["status"].notna().sum() == 4
    assert set(rows["region"]) == {"KU398", "MK07", "SSS", "KU091"}


def test_a_nil_symbol_on_a_value_other_than_zero_is_refused() -> None:
    document = json.loads((FIXTURES / "live_12r5.json").read_text(encoding="utf-8"))
    document["value"][24] = 17
    with pytest.raises(DataError) as caught:
        statfin.parse_body(statfin.dumps(document), "f.json", "12r5", Period(2026, 7))
    (violation,) = caught.value.violations
    assert (violation.column, violation.value) == ("value[24]", "17")
    assert violation.expected == "0 or null: the cell's status '-' means a true zero"


def test_every_table_measure_is_known_and_comes_from_one_table() -> None:
    provided = [m for spec in statfin.TABLES.values() for m in spec.measures()]
    assert sorted(provided) == sorted(statfin.MEASURES)  # each measure once, none undeclared
    units = {statfin.MEASURES[m].unit for m in provided}
    assert units == {"count", "percent"}
    percent = [m for m in provided if statfin.MEASURES[m].unit == "percent"]
    assert percent == ["rate", "foreign_rate", "youth_rate", "activation_rate"]


# --- deliveries ------------------------------------------------------------------------------------------------


def test_delivery_reports_every_bad_file_at_once(statfin_workspace: Workspace) -> None:
    folder = statfin_workspace.raw_period_dir("2025-06")
    (folder / "statfin_12ts.json").write_bytes((FIXTURES / "html_error.json").read_bytes())
    text = (folder / "statfin_12u4.json").read_text(encoding="utf-8")
    (folder / "statfin_12u4.json").write_text(text[: len(text) // 2], encoding="utf-8")
    (folder / "statfin_12ta.json").unlink()
    (folder / "statfin_notes.json").write_text("{}", encoding="utf-8")
    dataset = DATASETS["statfin"]
    paths = dataset.delivery(folder, Period(2025, 6))
    with pytest.raises(DataError) as caught:
        dataset.read_delivery(paths, Period(2025, 6))
    found = {v.file: v.expected for v in caught.value.violations}
    assert "not an HTML page" in found["data/raw/2025-06/statfin_12ts.json"]
    assert "truncated" in found["data/raw/2025-06/statfin_12u4.json"]
    assert "statfin_<table>.json" in found["data/raw/2025-06/statfin_notes.json"]
    assert found["data/raw/2025-06/"] == (
        "statfin_12ta.json (table 12ta missing: run `serviceplan fetch statfin 2025-06`)"
    )


def test_latest_keeps_the_newest_revision_known_as_of_the_month() -> None:
    def row(delivery: str, updated: str, value: float) -> dict[str, object]:
        return {
            "table": "12ts",
            "region": "KU398",
            "period": "2025-01",
            "measure": "flow_over_3m",
            "value": value,
            "status": None,
            "status_reason": None,
            "updated": pd.Timestamp(updated, tz="UTC"),
            "delivery": delivery,
        }

    frame = pd.DataFrame(
        [row("2025-01", "2025-02-25", 690.0), row("2025-02", "2025-03-25", 711.0), row("2025-03", "2025-04-24", 712.0)]
    )
    assert statfin.latest(frame, Period(2025, 1))["value"].tolist() == [690.0]
    assert statfin.latest(frame, Period(2025, 2))["value"].tolist() == [711.0]
    assert statfin.latest(frame, Period(2025, 12))["value"].tolist() == [712.0]
    assert statfin.latest(frame, Period(2024, 12)).empty
    # a stamp pushed into the future does not lift an old delivery over the later ones: the delivery decides
    frame.loc[0, "updated"] = pd.Timestamp("2099-01-01", tz="UTC")
    assert statfin.latest(frame, Period(2025, 12))["value"].tolist() == [712.0]
    assert statfin.latest(frame, Period(2025, 1))["value"].tolist() == [690.0]


def test_input_files_list_every_body_of_a_delivery(statfin_workspace: Workspace) -> None:
    files = [p for p in data.input_files(statfin_workspace, Period(2024, 2)) if p.name.startswith("statfin_")]
    assert [f"{p.parent.name}/{p.name}" for p in files] == [
        f"{month}/statfin_{table}.json" for month in ("2024-01", "2024-02") for table in sorted(statfin.TABLES)
    ]


def test_dataset_hooks_default_to_one_file_a_month(tmp_path: Path) -> None:
    def reader(path: Path, period: Period) -> pd.DataFrame:
        return pd.DataFrame({"period": [str(period)], "text": [path.read_text(encoding="utf-8")]})

    toy = Dataset(name="toy", title="t", owner="o", file_stem="toy_{period}", readers={"csv": reader}, first_period=JAN)
    (tmp_path / "toy_2025-01.csv").write_text("hello", encoding="utf-8")
    assert toy.delivery(tmp_path, JAN) == [tmp_path / "toy_2025-01.csv"]
    assert toy.delivery(tmp_path, Period(2025, 2)) == []
    assert toy.read_delivery(toy.delivery(tmp_path, JAN), JAN)["text"].tolist() == ["hello"]
    assert toy.as_of is None and DATASETS["statfin"].as_of is statfin.latest


# --- the demo --------------------------------------------------------------------------------------------------


def test_demo_uses_the_old_convention_before_june_2026(statfin_workspace: Workspace) -> None:
    def ids(period: str) -> list[str]:
        path = statfin_workspace.raw_period_dir(period) / "statfin_12r5.json"
        return json.loads(path.read_text(encoding="utf-8"))["id"]

    assert ids("2024-01") == ["Alue", "Kuukausi", "Tiedot"]
    assert ids("2026-05") == ["Alue", "Kuukausi", "Tiedot"]
    assert ids("2026-06") == ["Alue", "timeperiod_m", "contentscode"]
    folder = statfin_workspace.raw_period_dir("2026-06")
    r5 = json.loads((folder / "statfin_12r5.json").read_text(encoding="utf-8"))
    assert "UUDETAVP" in r5["dimension"]["contentscode"]["category"]["index"]  # 12r5: unprefixed, as observed
    assert r5["role"]["geo"] == ["Alue"] and r5["note"]
    body = json.loads((folder / "statfin_12u6.json").read_text(encoding="utf-8"))
    assert "tyonv-PALKKATUKI" in body["dimension"]["palvelu_2_20260101"]["category"]["index"]
    assert "tyonv-HENKILOT" in body["dimension"]["contentscode"]["category"]["index"]
    assert body["extension"]["px"]["tableid"] == "12u6"


def test_demo_conventions_agree_on_the_same_months(statfin_workspace: Workspace) -> None:
    dataset = DATASETS["statfin"]
    may, june = Period(2026, 5), Period(2026, 6)
    old = dataset.read_delivery(dataset.delivery(statfin_workspace.raw_period_dir(str(may)), may), may)
    new = dataset.read_delivery(dataset.delivery(statfin_workspace.raw_period_dir(str(june)), june), june)
    # months both deliveries hold, before May's preliminary first release
    columns = ["table", "region", "period", "measure", "value", "status"]
    old, new = (
        frame[(frame["period"] >= "2025-06") & (frame["period"] < "2026-05")][columns].reset_index(drop=True)
        for frame in (old, new)
    )
    assert len(old) == 11 * len(statfin_files.demo_regions(load_params(2026, REPO / "params").regions)) * len(
        statfin.MEASURES
    )  # 11 months, every region, every measure once
    pd.testing.assert_frame_equal(old, new)


def test_demo_magnitudes(statfin_workspace: Workspace) -> None:
    rows = data.load("statfin", "2025-01", statfin_workspace)
    lahti, country, region = (statfin.wide(rows, r).loc["2025-01"] for r in ("KU398", "SSS", "MK07"))
    assert 15.4 <= lahti["rate"] <= 16.4  # KEHA 15.9 % (docs/domain.md)
    assert 11.5 <= country["rate"] <= 12.5  # 12.0 %
    assert lahti["rate"] > region["rate"] > country["rate"]
    assert 8_700 <= lahti["unemployed"] <= 9_400  # 9,033
    assert lahti["rate"] == round(100 * lahti["unemployed"] / lahti["labour_force"], 1)
    in_services = lahti["in_services"]
    assert lahti["activation_rate"] == round(100 * in_services / (in_services + lahti["unemployed"]), 1)
    assert sum(lahti[m] for m in statfin_files.SERVICE_SHARES) == pytest.approx(in_services, abs=4)
    assert lahti["dur_0_3"] + lahti["dur_3_6"] + lahti["dur_6_12"] + lahti["long_term"] == lahti["unemployed"]


def test_demo_secret_nil_and_not_applicable_cells(statfin_workspace: Workspace) -> None:
    rows = data.load("statfin", "2026-03", statfin_workspace)
    alternation = rows[rows["measure"] == "services_job_alternation"]
    shown = alternation[alternation["status"].isna()]
    assert not ((shown["value"] >= 1) & (shown["value"] <= 4)).any()  # small counts never shown
    assert (alternation[alternation["status"] == ".."]["value"].isna()).all()
    nil = alternation[alternation["status"] == "-"]
    assert len(nil) and (nil["value"] == 0).all()  # a true zero: 0, the symbol kept
    assert set(alternation[alternation["period"] >= "2025-10"]["status"]) <= {"-", "."}
    assert set(alternation[alternation["period"] >= "2026-01"]["status"]) == {"."}
    assert (rows[rows["measure"] != "services_job_alternation"]["status"].isna()).all()


def test_load_sees_what_was_known_for_the_month(statfin_workspace: Workspace, world: World) -> None:
    rows = data.load("statfin", "2025-06", statfin_workspace)
    assert rows["delivery"].max() == "2025-06" and rows["period"].max() == "2025-06"
    assert not rows.duplicated(list(statfin.KEY)).any()
    lahti = statfin.wide(rows, "KU398")
    final = world.labour_market.set_index("period")
    # June's flow is the preliminary first release; May's was revised to the final figure by June's delivery
    assert lahti.at["2025-06", "flow_over_3m"] == round(final.at["2025-06", "flow_over_3m"] * 0.97)
    assert lahti.at["2025-05", "flow_over_3m"] == final.at["2025-05", "flow_over_3m"]
    later = statfin.wide(data.load("statfin", "2025-07", statfin_workspace), "KU398")
    assert later.at["2025-06", "flow_over_3m"] == final.at["2025-06", "flow_over_3m"]


# --- fetching --------------------------------------------------------------------------------------------------

API = "/PxWeb/api/v1/fi"
TABLE_PATH = API + "/StatFin/tyonv/{id}.px"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def limiter() -> RateLimiter:
    clock = FakeClock()
    return RateLimiter(40, 60.0, clock=clock, sleep=clock.sleep)


class StatFinLike:
    """Answers like StatFin's PxWeb API v1 (a handler of tests/pxweb_server.py): ``?config``, each table's metadata
    at its id in ``convention`` and, to a POST, a JSON-stat2 body of the demo world's figures up to ``published``.
    An unknown table id answers 400 in the June 2026 convention (404 before), as the live service does."""

    def __init__(self, world: World, convention: statfin_files.Convention, published: Period) -> None:
        self.convention = convention
        self.published = published
        self.final = statfin_files.lookup(statfin_files.figures(world, list(world.regions)))
        self.names = {**world.regions, "KU005": "Alajärvi"}  # the service knows more regions than are asked for
        self.paths = {TABLE_PATH.format(id=convention.table_id.format(table=t)): t for t in statfin.TABLES}
        self.broken: set[str] = set()
        self.posts: list[dict[str, list[str]]] = []

    def metadata(self, table: str) -> dict[str, Any]:
        spec, c = statfin.TABLES[table], self.convention
        months = [month_code(m) for m in month_range(Period(2024, 1), self.published)]
        variables = [
            {"code": c.region, "text": "Alue", "values": list(self.names), "valueTexts": list(self.names.values())},
            {"code": c.time, "text": "Kuukausi", "values": months, "valueTexts": months, "time": True},
            {
                "code": c.content,
                "text": "Tiedot",
                "values": [c.content_code(table, k) for k in [*spec.contents, "MUU"]],
            },
            {"code": "Sukupuoli", "text": "Sukupuoli", "values": ["SSS", "1", "2"], "elimination": True},
        ]
        if spec.breakdown:
            codes = [c.category_prefix + k for k in ["SSS", *spec.breakdown]]
            variables.insert(1, {"code": c.breakdown[table], "text": "Luokka", "values": codes})
        return {"title": spec.title, "variables": variables}

    def __call__(self, method: str, path: str, payload: Any) -> Answer:
        if path == API + "/?config":
            return Answer(200, (FIXTURES / "live_config.json").read_bytes())
        if path not in self.paths:
            return Answer(400 if self.convention is statfin_files.NEW else 404, b"Bad Request")
        table = self.paths[path]
        if method == "GET":
            return Answer.json(self.metadata(table))
        if table in self.broken:
            return Answer(200, (FIXTURES / "html_error.json").read_bytes())
        query = {q["code"]: q["selection"]["values"] for q in payload["query"]}
        self.posts.append(query)
        months = [Period(int(m[:4]), int(m[5:])) for m in query[self.convention.time]]
        regions = {code: self.names[code] for code in query[self.convention.region]}
        body = statfin_files.body(statfin.TABLES[table], max(months), self.final, self.convention, regions, months)
        return Answer(200, statfin.dumps(body), {"Content-Type": "application/json; charset=utf-8"})


def point_params_at(workspace: Workspace, base: str, year: int, extra: str = "") -> None:
    """A year's parameters that send the statistics fetch to ``base`` with no back-off wait (Retry-After holds)."""
    (workspace.params_dir / "years" / f"{year}.yaml").write_text(
        f"statfin:\n  base_url: {base}/PxWeb/api/v1\n  backoff_seconds: 0\n{extra}", encoding="utf-8"
    )


def fetched_rows(workspace: Workspace, period: Period) -> pd.DataFrame:
    return statfin.read_delivery(statfin.delivery_files(workspace.raw_period_dir(str(period)), period), period)


def test_fetch_from_the_live_service_shapes_stores_the_true_figures(
    workspace: Workspace, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """Done when: short ids, Alue, timeperiod_m, contentscode, UUDETAVP, hyphen prefixes, "-" and ".." symbols,
    a 429 and a connection reset on the way; correct tables, no wrong number, no traceback."""
    handler = StatFinLike(world, statfin_files.NEW, published=Period(2026, 6))
    service = LocalPxWeb(
        handler,
        faults={
            ("POST", "*"): [Answer(429, b"Too Many Requests", {"Retry-After": "1"}), Answer(503, b"busy")],
            ("GET", TABLE_PATH.format(id="12ta")): [RESET],
        },
    )
    with service.running() as base:
        point_params_at(workspace, base, 2026)
        code = cli.main(["--workspace", str(workspace.root), "fetch", "statfin", "2026-05..2026-06"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "limits in use: 120000 cells a query, 40 calls per 60 s",
        "2026-05: stored 7 statistics bodies in data/raw/2026-05/ (18 API calls so far)",
        "2026-06: stored 7 statistics bodies in data/raw/2026-06/ (25 API calls so far)",
        f"fetched 14 statfin response bodies into {workspace.raw_dir}",
    ]  # 1 ?config + 7 metadata + 1 reset + 7 posts + 429 + 503, then 7 posts for June
    asked = handler.posts[0]
    assert asked["Alue"] == load_params(2026, REPO / "params").regions.statistics_regions()  # from params only
    assert "UUDETAVP" in handler.posts[0]["contentscode"]
    for period in (Period(2026, 5), Period(2026, 6)):
        rows = fetched_rows(workspace, period)
        assert len(rows) == 13 * len(asked["Alue"]) * len(statfin.MEASURES)
        for row in rows.itertuples(index=False):
            value, symbol = handler.final[(row.region, row.period, row.measure)]
            if symbol is None and row.period == str(period) and row.measure in statfin_files.PRELIMINARY:
                value = round(value * statfin_files.PRELIMINARY[row.measure])
            if symbol is None and value == 0:
                symbol = "-"  # a true zero comes as null with "-" and is stored as 0 with its symbol
            assert (row.status if isinstance(row.status, str) else None) == symbol, row
            assert value == row.value or (math.isnan(value) and math.isnan(row.value)), row
        assert set(rows["status"].dropna()) == {"-", "..", "."}  # every symbol met on the way


def test_fetch_of_the_recorded_live_responses(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The recorded fixtures (tests/fixtures/statfin/README.md) served over HTTP: the stored rows are their
    numbers, symbol by symbol."""
    monkeypatch.setattr(statfin, "TABLES", {t: statfin.TABLES[t] for t in ("12r5", "12u6")})
    answers = {
        "12r5": ((FIXTURES / "live_metadata_12r5.json").read_bytes(), (FIXTURES / "live_12r5.json").read_bytes()),
        "12u6": ((FIXTURES / "live_metadata_12u6.json").read_bytes(), (FIXTURES / "live_12u6.json").read_bytes()),
    }

    def handler(method: str, path: str, payload: Any) -> Answer:
        if path == API + "/?config":
            return Answer(200, (FIXTURES / "live_config.json").read_bytes())
        table = next((t for t in answers if path == TABLE_PATH.format(id=t)), None)
        if table is None:
            return Answer(400, b"Bad Request")
        if method == "GET":
            return Answer(200, answers[table][0])
        query = {q["code"]: q["selection"]["values"] for q in payload["query"]}
        assert query["Alue"] == ["KU398", "MK07", "SSS", "KU091"] and query["timeperiod_m"] == ["2026M06", "2026M07"]
        return Answer(200, answers[table][1])

    service = LocalPxWeb(handler, faults={("POST", "*"): [Answer(429, b"", {"Retry-After": "0"})]})
    extra = "  window_months: 2\nregions:\n  comparison_group: [KU398, KU091]\n"
    with service.running() as base:
        point_params_at(workspace, base, 2026, extra)
        assert cli.main(["--workspace", str(workspace.root), "fetch", "statfin", "2026-07"]) == 0
    assert capsys.readouterr().err == ""
    rows = fetched_rows(workspace, Period(2026, 7)).set_index(["table", "region", "period", "measure"])
    assert rows.loc[("12r5", "KU398", "2026-06", "new_vacancies"), "value"] == 905
    assert rows.loc[("12r5", "SSS", "2026-06", "unemployed"), "value"] == 352_001
    assert tuple(rows.loc[("12r5", "MK07", "2026-06", "under20"), ["value", "status"]]) == (0.0, "-")
    assert math.isnan(rows.loc[("12r5", "KU091", "2026-07", "new_vacancies"), "value"])
    assert tuple(rows.loc[("12r5", "SSS", "2026-07", "rate"), ["value", "status"]]) == (13.0, "*")
    services = rows.loc["12u6"]
    assert services.loc[("KU398", "2026-06", "services_pay_subsidy"), "value"] == 1540
    assert tuple(services.loc[("KU398", "2026-07", "services_job_alternation"), ["value", "status"]]) == (0.0, "-")
    assert services.loc[("MK07", "2026-07", "services_job_alternation"), "status"] == ".."
    assert services.loc[("SSS", "2026-06", "services_job_alternation"), "value"] == 12
    assert len(rows) == 4 * 2 * (11 + 8)


def test_fetch_of_the_old_convention_gives_the_same_rows(workspace: Workspace, world: World) -> None:
    old = LocalPxWeb(StatFinLike(world, statfin_files.OLD, published=Period(2026, 6)))
    new = LocalPxWeb(StatFinLike(world, statfin_files.NEW, published=Period(2026, 6)))
    forms = '  table_files: ["{table}.px", "statfin_tyonv_pxt_{table}.px"]\n'
    with old.running() as base:
        point_params_at(workspace, base, 2026, forms)
        statfin.fetch(workspace, [Period(2026, 5)], limiter=limiter(), echo=lambda _: None)
    assert old.log[1:3] == [
        ("GET", TABLE_PATH.format(id="12r5")),
        ("GET", TABLE_PATH.format(id="statfin_tyonv_pxt_12r5")),
    ]
    with new.running() as base:
        point_params_at(workspace, base, 2026, forms)
        statfin.fetch(workspace, [Period(2026, 6)], limiter=limiter(), echo=lambda _: None)
    assert not any("pxt" in path for _, path in new.log)  # found at the short id
    columns = ["table", "region", "period", "measure", "value", "status"]

    def rows(period: Period) -> pd.DataFrame:
        frame = fetched_rows(workspace, period)
        frame = frame[(frame["period"] >= "2025-06") & (frame["period"] <= "2026-04")][columns]
        return frame.sort_values(columns[:4]).reset_index(drop=True)

    pd.testing.assert_frame_equal(rows(Period(2026, 5)), rows(Period(2026, 6)))


def test_fetch_splits_large_queries_into_parts(workspace: Workspace, world: World) -> None:
    service = LocalPxWeb(StatFinLike(world, statfin_files.NEW, published=Period(2026, 6)))
    with service.running() as base:
        point_params_at(workspace, base, 2026, "  max_cells: 1400\n")
        written = statfin.fetch(workspace, [Period(2026, 6)], limiter=limiter(), echo=lambda _: None)
    names = sorted(p.name for p in written)
    # 14 regions asked: 12r5 154 cells a month, 9 months a query -> 2 parts; 12u6 112 a month, 12 months a query
    # -> 2 parts; the others fit in one query (12ta: 70 cells a month, 910 in all)
    assert names == [
        "statfin_12r5_part1.json",
        "statfin_12r5_part2.json",
        "statfin_12ta.json",
        "statfin_12tg.json",
        "statfin_12th.json",
        "statfin_12ts.json",
        "statfin_12u4.json",
        "statfin_12u6_part1.json",
        "statfin_12u6_part2.json",
    ]
    rows = statfin.read_delivery(written, Period(2026, 6))
    assert len(rows) == 13 * 14 * len(statfin.MEASURES)  # the parts together: every cell once


def test_overlapping_parts_of_a_delivery_are_duplicates(statfin_workspace: Workspace) -> None:
    folder = statfin_workspace.raw_period_dir("2025-06")
    (folder / "statfin_12ts_part2.json").write_bytes((folder / "statfin_12ts.json").read_bytes())
    with pytest.raises(DataError) as caught:
        statfin.read_delivery(statfin.delivery_files(folder, Period(2025, 6)), Period(2025, 6))
    found = caught.value.violations
    assert len(found) == 13 * len(statfin_files.demo_regions(load_params(2025, REPO / "params").regions))
    # each repeated cell named by the file that repeats it and the file that held it first
    assert found[0].file == "data/raw/2025-06/statfin_12ts_part2.json"
    assert found[0].value == "12ts, KU049, 2024-06, flow_over_3m"
    assert found[0].expected == (
        "one row per (table, region, period, measure) in a delivery: the same cell is also in "
        "data/raw/2025-06/statfin_12ts.json"
    )


def test_a_range_fetch_skips_stored_months_and_force_fetches_again(workspace: Workspace, world: World) -> None:
    service = LocalPxWeb(StatFinLike(world, statfin_files.NEW, published=Period(2026, 6)))
    messages: list[str] = []
    with service.running() as base:
        point_params_at(workspace, base, 2026)
        statfin.fetch(workspace, [Period(2026, 6)], limiter=limiter(), echo=messages.append)
        path = workspace.raw_period_dir("2026-06") / "statfin_12r5.json"
        before = path.read_bytes()
        (workspace.raw_period_dir("2026-06") / "statfin_12th.json").unlink()  # a table missing: fetched alone
        service.log.clear()
        statfin.fetch(workspace, [Period(2026, 5), Period(2026, 6)], limiter=limiter(), echo=messages.append)
        assert path.read_bytes() == before and (workspace.raw_period_dir("2026-06") / "statfin_12th.json").is_file()
        assert [p for m, p in service.log if m == "POST"].count(TABLE_PATH.format(id="12th")) == 2
        assert len([p for m, p in service.log if m == "POST"]) == 7 + 1
        statfin.fetch(workspace, [Period(2026, 5), Period(2026, 6)], limiter=limiter(), echo=messages.append)
        service.log.clear()
        statfin.fetch(workspace, [Period(2026, 6)], limiter=limiter(), echo=messages.append, force=True)
        assert len([p for m, p in service.log if m == "POST"]) == 7
    assert messages[-4:-1] == [
        "2026-05: already fetched (data/raw/2026-05/ holds every table); skipped, --force fetches again",
        "2026-06: already fetched (data/raw/2026-06/ holds every table); skipped, --force fetches again",
        "limits in use: 120000 cells a query, 40 calls per 60 s",
    ]
    assert "2026-06: stored 1 statistics bodies in data/raw/2026-06/ (6 stored earlier kept)" in messages[4]


def test_fetch_of_an_unpublished_month_writes_nothing(workspace: Workspace, world: World) -> None:
    service = LocalPxWeb(StatFinLike(world, statfin_files.NEW, published=Period(2026, 5)))
    with service.running() as base:
        point_params_at(workspace, base, 2026)
        with pytest.raises(FetchError, match=r"table 12r5 has no figures for 2026-06 yet \(newest 2026-05\)"):
            statfin.fetch(workspace, [Period(2026, 6)], limiter=limiter())
    assert not workspace.raw_period_dir("2026-06").exists()


def test_fetch_with_a_bad_response_writes_nothing(workspace: Workspace, world: World) -> None:
    handler = StatFinLike(world, statfin_files.NEW, published=Period(2026, 6))
    handler.broken.add("12u4")
    with LocalPxWeb(handler).running() as base:
        point_params_at(workspace, base, 2026)
        with pytest.raises(DataError) as caught:
            statfin.fetch(workspace, [Period(2026, 6)], limiter=limiter())
    (violation,) = caught.value.violations
    assert violation.file == "response for data/raw/2026-06/statfin_12u4.json"
    assert "not an HTML page" in violation.expected
    assert not any(workspace.raw_period_dir("2026-06").glob("statfin_*"))


def test_fetch_refuses_a_body_published_after_the_fetch(workspace: Workspace, world: World) -> None:
    with LocalPxWeb(StatFinLike(world, statfin_files.NEW, published=Period(2026, 6))).running() as base:
        point_params_at(workspace, base, 2026)
        with pytest.raises(DataError) as caught:
            statfin.fetch(
                workspace, [Period(2026, 6)], limiter=limiter(), now=lambda: pd.Timestamp("2026-07-01", tz="UTC")
            )
    found = caught.value.violations
    assert {v.column for v in found} == {"updated"} and len(found) == len(statfin.TABLES)
    assert found[0].value == "2026-07-26T05:00:00Z"
    assert not any(workspace.raw_period_dir("2026-06").glob("statfin_*"))


def test_missing_content_code_names_what_the_table_offers(world: World) -> None:
    meta = StatFinLike(world, statfin_files.OLD, published=Period(2025, 6)).metadata("12u4")
    meta["variables"][2]["values"] = ["AKTASTE", "PALVELUISSA_X"]
    from serviceplan.inputs.pxweb import _parse_metadata

    parsed = _parse_metadata("12u4", "url", json.dumps(meta).encode())
    with pytest.raises(FetchError) as caught:
        statfin.selection_for(parsed, statfin.TABLES["12u4"], ["KU398"], [Period(2025, 6)])
    message = str(caught.value)
    assert "table 12u4, variable Tiedot: no code for PALVELUISSA." in message
    assert "The table offers: AKTASTE = AKTASTE; PALVELUISSA_X = PALVELUISSA_X." in message
    with pytest.raises(FetchError, match=r"variable Alue: no code for KU999\..*Fix the codes in params/ \(regions\)"):
        statfin.selection_for(parsed, statfin.TABLES["12u4"], ["KU999"], [Period(2025, 6)])
