"""Employment service statistics: canonical rows from JSON-stat2 bodies of both API conventions, the contract's
clear errors, revisions (the newest ``updated`` wins as of a report month), the demo deliveries and the fetch
into ``data/raw/`` against a fake PxWeb service."""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from serviceplan import cli, data
from serviceplan.demo import statfin_files
from serviceplan.demo.world import World, build_world
from serviceplan.errors import DataError, UsageError
from serviceplan.params import load_params
from serviceplan.paths import Workspace
from serviceplan.periods import Period, month_range
from serviceplan.pxweb import FetchError, RateLimiter, month_code
from serviceplan.sources import DATASETS, statfin
from serviceplan.sources.base import Dataset

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
    return build_world(params.benefit_rule(JAN))


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
    assert row.status_reason == "confidential, too uncertain or not yet available"
    assert rows["status_reason"].notna().sum() == 1


def test_missing_value_without_a_symbol_is_marked() -> None:
    document = old_body()
    document["value"][0] = None
    rows = statfin.parse_body(statfin.dumps(document), "f.json", "12r5", JAN)
    key = (rows["region"] == "KU398") & (rows["period"] == "2024-12") & (rows["measure"] == "unemployed")
    first = rows[key].iloc[0]
    assert math.isnan(first["value"]) and pd.isna(first["status"])
    assert first["status_reason"] == statfin.MISSING_REASON


def test_unknown_region_code() -> None:
    document = old_body()
    document["dimension"]["Alue"]["category"]["index"] = {"KU398": 0, "KU999": 1}
    (violation,) = errors_of(document)
    assert violation.file == "data/raw/2025-01/statfin_12r5.json"
    assert violation.column == "dimension.Alue.category.index"
    assert violation.value == "KU999"
    assert violation.expected == "a region: one of KU398, MK07, SSS (with or without a prefix)"


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


def test_every_table_measure_is_known_and_comes_from_one_table() -> None:
    provided = [m for spec in statfin.TABLES.values() for m in spec.measures()]
    assert sorted(provided) == sorted(statfin.MEASURES)  # each measure once, none undeclared
    units = {statfin.MEASURES[m].unit for m in provided}
    assert units == {"count", "percent"}
    assert [m for m in provided if statfin.MEASURES[m].unit == "percent"] == ["rate", "activation_rate"]


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
    # a later delivery with an older stamp (a stale body fetched late) does not win over a newer stamp
    frame.loc[2, "updated"] = pd.Timestamp("2025-03-01", tz="UTC")
    assert statfin.latest(frame, Period(2025, 12))["value"].tolist() == [711.0]


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
    assert ids("2026-06") == ["timeperiod_m", "alue", "contentscode"]
    body = json.loads((statfin_workspace.raw_period_dir("2026-06") / "statfin_12u6.json").read_text(encoding="utf-8"))
    assert "palvelu_PALKKATUKI" in body["dimension"]["palvelu"]["category"]["index"]
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
    assert len(old) == 11 * 3 * len(statfin.MEASURES)  # 11 months, 3 regions, every measure once
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


def test_demo_secret_and_not_applicable_cells(statfin_workspace: Workspace) -> None:
    rows = data.load("statfin", "2025-12", statfin_workspace)
    alternation = rows[rows["measure"] == "services_job_alternation"]
    shown = alternation[alternation["status"].isna()]
    assert not ((shown["value"] >= 1) & (shown["value"] <= 4)).any()  # small counts never shown
    assert (alternation[alternation["status"] == ".."]["value"].isna()).all()
    later = alternation[alternation["period"] >= "2025-01"]
    assert len(later) == 12 * 3 and set(later["status"]) == {"."}
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


@dataclass
class Response:
    status_code: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class FakeStatFin:
    """A PxWeb service serving the demo world's figures in one naming convention, up to ``published``."""

    def __init__(self, world: World, convention: statfin_files.Convention, published: Period) -> None:
        self.world = world
        self.convention = convention
        self.published = published
        self.final = statfin_files.lookup(statfin_files.figures(world))
        self.requests: list[tuple[str, str, Any]] = []
        self.broken: set[str] = set()
        base = "https://pxdata.stat.fi/PxWeb/api/v1/fi/StatFin/tyonv/"
        self.urls = {base + convention.table_id.format(table=t) + ".px": t for t in statfin.TABLES}

    def metadata(self, table: str) -> dict[str, Any]:
        spec, c = statfin.TABLES[table], self.convention
        months = [month_code(m) for m in month_range(Period(2024, 1), self.published)]
        regions = {"SSS": "KOKO MAA", "MK07": "Päijät-Häme", "KU091": "Helsinki", "KU398": "Lahti"}
        prefix = c.content_prefix.format(table=table)
        variables = [
            {"code": c.region, "text": "Alue", "values": list(regions), "valueTexts": list(regions.values())},
            {
                "code": c.time,
                "text": "Kuukausi",
                "values": months,
                "valueTexts": months,
                "time": c is statfin_files.OLD,
            },
            {"code": c.content, "text": "Tiedot", "values": [prefix + k for k in [*spec.contents, "MUU"]]},
            {"code": "Sukupuoli", "text": "Sukupuoli", "values": ["SSS", "1", "2"], "elimination": True},
        ]
        if spec.breakdown:
            name = c.breakdown[table]
            category_prefix = c.category_prefix.format(variable=name)
            codes = [category_prefix + k for k in ["SSS", *spec.breakdown]]
            variables.insert(1, {"code": name, "text": name, "values": codes})
        return {"title": spec.title, "variables": variables}

    def get(self, url: str, *, timeout: float) -> Response:
        self.requests.append(("GET", url, None))
        if url not in self.urls:
            return Response(404, b"not found")
        return Response(200, json.dumps(self.metadata(self.urls[url])).encode())

    def post(self, url: str, *, json: Any, timeout: float) -> Response:
        self.requests.append(("POST", url, json))
        table = self.urls[url]
        if table in self.broken:
            return Response(200, (FIXTURES / "html_error.json").read_bytes())
        time_code = self.convention.time
        codes = next(q["selection"]["values"] for q in json["query"] if q["code"] == time_code)
        months = [Period(int(m[:4]), int(m[5:])) for m in codes]
        spec = statfin.TABLES[table]
        document = statfin_files.body(spec, max(months), self.final, self.convention, months)
        return Response(200, statfin.dumps(document))


def limiter() -> RateLimiter:
    clock = FakeClock()
    return RateLimiter(40, 60.0, clock=clock, sleep=clock.sleep)


def test_fetch_stores_every_table_of_the_month(workspace: Workspace, world: World) -> None:
    server = FakeStatFin(world, statfin_files.OLD, published=Period(2025, 6))
    messages: list[str] = []
    written = statfin.fetch(workspace, [Period(2025, 6)], session=server, limiter=limiter(), echo=messages.append)
    folder = workspace.raw_period_dir("2025-06")
    assert sorted(p.name for p in written) == [f"statfin_{t}.json" for t in sorted(statfin.TABLES)]
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in written)  # no staging left behind
    # metadata first at the new short id (404), then at the old long one; one POST a table
    gets = [url for method, url, _ in server.requests if method == "GET"]
    assert gets[:2] == [
        "https://pxdata.stat.fi/PxWeb/api/v1/fi/StatFin/tyonv/12r5.px",
        "https://pxdata.stat.fi/PxWeb/api/v1/fi/StatFin/tyonv/statfin_tyonv_pxt_12r5.px",
    ]
    posts = [query for method, _, query in server.requests if method == "POST"]
    assert len(posts) == 5
    first = {q["code"]: q["selection"]["values"] for q in posts[0]["query"]}
    assert first["Alue"] == ["KU398", "MK07", "SSS"]  # order of the parameters, Helsinki left out
    assert first["Kuukausi"] == [month_code(m) for m in month_range(Period(2024, 6), Period(2025, 6))]
    assert "MUU" not in first["Tiedot"] and "Sukupuoli" not in first  # eliminated: PxWeb sums over it
    breakdown = {q["code"]: q["selection"]["values"] for q in posts[4]["query"]}
    assert "SSS" not in breakdown["Palvelu"]
    rows = statfin.read_delivery(statfin.delivery_files(folder, Period(2025, 6)), Period(2025, 6))
    assert set(rows["table"]) == set(statfin.TABLES) and set(rows["region"]) == set(statfin.REGIONS)
    assert messages == [
        "2025-06: stored 5 statistics bodies in data/raw/2025-06/ (15 API calls so far)"
    ]  # 5 x (404, GET, POST)


def test_fetch_in_the_new_convention_gives_the_same_rows(workspace: Workspace, world: World) -> None:
    old = FakeStatFin(world, statfin_files.OLD, published=Period(2026, 6))
    new = FakeStatFin(world, statfin_files.NEW, published=Period(2026, 6))
    statfin.fetch(workspace, [Period(2026, 5)], session=old, limiter=limiter(), echo=lambda _: None)
    statfin.fetch(workspace, [Period(2026, 6)], session=new, limiter=limiter(), echo=lambda _: None)
    assert not any(method == "GET" and "pxt" in url for method, url, _ in new.requests)  # found at the short id
    columns = ["table", "region", "period", "measure", "value", "status"]

    def rows(period: str) -> pd.DataFrame:
        p = Period.parse(period)
        frame = statfin.read_delivery(statfin.delivery_files(workspace.raw_period_dir(period), p), p)
        frame = frame[(frame["period"] >= "2025-06") & (frame["period"] <= "2026-04")][columns]
        return frame.sort_values(columns[:4]).reset_index(drop=True)

    pd.testing.assert_frame_equal(rows("2026-05"), rows("2026-06"))


def test_fetch_splits_large_queries_into_parts(workspace: Workspace, world: World) -> None:
    (workspace.params_dir / "years" / "2025.yaml").write_text("statfin:\n  max_cells: 200\n", encoding="utf-8")
    server = FakeStatFin(world, statfin_files.OLD, published=Period(2025, 6))
    written = statfin.fetch(workspace, [Period(2025, 6)], session=server, limiter=limiter(), echo=lambda _: None)
    names = sorted(p.name for p in written)
    # 12r5: 3 regions x 11 contents = 33 cells a month, 6 months a query: 13 months -> 3 parts; 12u6: 24 a month,
    # 8 months a query -> 2 parts; the others fit in one query
    assert names == [
        "statfin_12r5_part1.json",
        "statfin_12r5_part2.json",
        "statfin_12r5_part3.json",
        "statfin_12ta.json",
        "statfin_12ts.json",
        "statfin_12u4.json",
        "statfin_12u6_part1.json",
        "statfin_12u6_part2.json",
    ]
    rows = statfin.read_delivery(written, Period(2025, 6))
    assert len(rows) == 13 * 3 * len(statfin.MEASURES)  # the parts together: every cell once


def test_overlapping_parts_of_a_delivery_are_duplicates(statfin_workspace: Workspace) -> None:
    folder = statfin_workspace.raw_period_dir("2025-06")
    (folder / "statfin_12ts_part2.json").write_bytes((folder / "statfin_12ts.json").read_bytes())
    with pytest.raises(DataError) as caught:
        statfin.read_delivery(statfin.delivery_files(folder, Period(2025, 6)), Period(2025, 6))
    found = caught.value.violations
    assert len(found) == 13 * 3  # every cell of 12ts twice
    assert found[0].file == "data/raw/2025-06/"
    assert found[0].value == "12ts, KU398, 2024-06, flow_over_3m"
    assert "duplicate across its files" in found[0].expected


def test_fetch_does_not_replace_a_delivery_without_force(workspace: Workspace, world: World) -> None:
    server = FakeStatFin(world, statfin_files.OLD, published=Period(2025, 6))
    statfin.fetch(workspace, [Period(2025, 6)], session=server, limiter=limiter(), echo=lambda _: None)
    path = workspace.raw_period_dir("2025-06") / "statfin_12r5.json"
    before = path.read_bytes()
    with pytest.raises(UsageError, match="already holds the statistics fetched for 2025-06: use --force"):
        statfin.fetch(workspace, [Period(2025, 6)], session=server, limiter=limiter())
    new = FakeStatFin(world, statfin_files.NEW, published=Period(2025, 6))
    statfin.fetch(workspace, [Period(2025, 6)], session=new, limiter=limiter(), force=True, echo=lambda _: None)
    assert path.read_bytes() != before and b"timeperiod_m" in path.read_bytes()


def test_fetch_of_an_unpublished_month_writes_nothing(workspace: Workspace, world: World) -> None:
    server = FakeStatFin(world, statfin_files.OLD, published=Period(2025, 5))
    with pytest.raises(FetchError, match=r"table 12r5 has no figures for 2025-06 yet \(newest 2025-05\)"):
        statfin.fetch(workspace, [Period(2025, 6)], session=server, limiter=limiter())
    assert not workspace.raw_period_dir("2025-06").exists()


def test_fetch_with_a_bad_response_writes_nothing(workspace: Workspace, world: World) -> None:
    server = FakeStatFin(world, statfin_files.OLD, published=Period(2025, 6))
    server.broken.add("12u4")
    with pytest.raises(DataError) as caught:
        statfin.fetch(workspace, [Period(2025, 6)], session=server, limiter=limiter())
    (violation,) = caught.value.violations
    assert violation.file == "response for data/raw/2025-06/statfin_12u4.json"
    assert "not an HTML page" in violation.expected
    assert not any(workspace.raw_period_dir("2025-06").glob("statfin_*"))


def test_missing_content_code_names_what_the_table_offers(world: World) -> None:
    server = FakeStatFin(world, statfin_files.OLD, published=Period(2025, 6))
    meta = server.metadata("12u4")
    meta["variables"][2]["values"] = ["AKTASTE", "PALVELUISSA_X"]
    from serviceplan.pxweb import _parse_metadata

    parsed = _parse_metadata("12u4", "url", json.dumps(meta).encode())
    with pytest.raises(FetchError) as caught:
        statfin.selection_for(parsed, statfin.TABLES["12u4"], ["KU398"], [Period(2025, 6)])
    message = str(caught.value)
    assert "table 12u4, variable Tiedot: no code for PALVELUISSA." in message
    assert "The table offers: AKTASTE = AKTASTE; PALVELUISSA_X = PALVELUISSA_X." in message


def test_parameters_name_known_regions() -> None:
    params = load_params(2025, REPO / "params")
    assert statfin.report_regions(params) == ["KU398", "MK07", "SSS"]
    odd = params.model_copy(
        update={"municipality": params.municipality.model_copy(update={"comparison_regions": {"KU091": "Helsinki"}})}
    )
    with pytest.raises(UsageError, match="KU091"):
        statfin.report_regions(odd)


def test_cli_fetch_refuses_to_overwrite(statfin_workspace: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["--workspace", str(statfin_workspace.root), "fetch", "statfin", "2025-06"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: data/raw/2025-06/ already holds the statistics fetched for 2025-06")
    assert "Traceback" not in err
