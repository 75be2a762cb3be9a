"""Traffic lights of KPIs against their targets."""

from __future__ import annotations


def test_judge_traffic_lights():
    from serviceplan.metrics.kpis import judge

    assert judge(1.0, 1.0, "higher_better") == "ok"
    assert judge(0.95, 1.0, "higher_better") == "warn"  # exactly on the 5 % tolerance edge
    assert judge(0.94, 1.0, "higher_better") == "alert"
    assert judge(104.0, 100.0, "lower_better") == "warn"
    assert judge(106.0, 100.0, "lower_better") == "alert"
    assert judge(90.0, 100.0, "lower_better") == "ok"
    assert judge(None, 100.0, "lower_better") == "none"
    assert judge(5.0, None, "higher_better") == "none"


# ---- the KPI files: numbers at their stated precision, and the JSON Schema of kpi.json ---------------------------

import csv  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
from pathlib import Path  # noqa: E402

import jsonschema  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from serviceplan.core.errors import RunError  # noqa: E402
from serviceplan.core.params import load_params  # noqa: E402
from serviceplan.core.periods import Period  # noqa: E402
from serviceplan.metrics.areas import AREAS  # noqa: E402
from serviceplan.metrics.kpis import KPI_COLUMNS  # noqa: E402
from serviceplan.publish import manifest as mf  # noqa: E402
from serviceplan.publish.kpi_tables import collect_kpis  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
EXPECTED_MONTHS = sorted(p.name for p in (REPO / "tests" / "expected").iterdir() if p.is_dir())


def _noisy_table() -> pd.DataFrame:
    """The float noise main's kpi.csv showed (issue 14), one row per unit."""
    rows = [
        ("budget", "benefit_share_ytd_eur", "Kuntaosuus", 14421771.379999999, "eur", 9999999.999999998, "alert"),
        ("grants", "paid_ytd_lahti_lisa_eur", "Lahti-lisä", 406999.43, "eur", 399999.99999999994, "warn"),
        ("grants", "paid_ytd_summer_job_voucher_eur", "Kesätyöseteli", 132000.0, "eur", 163800.00000000003, "ok"),
        ("budget", "benefit_share_recipients", "Saajat", 7616.0, "count", float("nan"), "none"),
        ("immigrants", "move_rate", "Siirtyneiden osuus", 0.02702702702702703, "share", 0.027777777777777776, "warn"),
        ("employer_services", "emp_days_to_fill_median", "Täyttöaika", 21.299999999999997, "days", 22.0, "ok"),
    ]
    return pd.DataFrame(
        [
            ["2026-06", area, kpi, label, value, unit, target, "none" if status == "none" else "lower_better", status]
            for area, kpi, label, value, unit, target, status in rows
        ],
        columns=list(KPI_COLUMNS),
    )


def test_kpi_files_carry_numbers_at_their_stated_precision(tmp_path: Path) -> None:
    """Euros to the cent, counts as integers, shares as fractions to four decimals, days to one decimal: main wrote
    ``9999999,999999998``, ``7616.0`` and ``0,02702702702702703``."""
    mf.write_kpi_files(_noisy_table(), tmp_path, "2026-06")
    finnish = list(csv.DictReader(io.StringIO((tmp_path / "kpi.csv").read_text(encoding="utf-8-sig")), delimiter=";"))
    shown = {row["kpi"]: (row["value"], row["target"]) for row in finnish}
    assert shown == {
        "benefit_share_ytd_eur": ("14421771,38", "10000000,00"),
        "paid_ytd_lahti_lisa_eur": ("406999,43", "400000,00"),
        "paid_ytd_summer_job_voucher_eur": ("132000,00", "163800,00"),
        "benefit_share_recipients": ("7616", ""),
        "move_rate": ("0,0270", "0,0278"),
        "emp_days_to_fill_median": ("21,3", "22,0"),
    }
    plain = (tmp_path / "kpi_plain.csv").read_text(encoding="utf-8")
    assert "14421771.38" in plain and "0.0270" in plain
    text = (tmp_path / "kpi.json").read_text(encoding="utf-8")
    assert '"value": 7616\n' in text and "7616.0" not in text  # a count is an integer in JSON
    rows = {row["kpi"]: row for row in json.loads(text)["rows"]}
    assert rows["benefit_share_ytd_eur"]["target"] == 10000000.0 and rows["move_rate"]["value"] == 0.027
    assert rows["emp_days_to_fill_median"]["value"] == 21.3


def test_kpi_schema_is_a_valid_json_schema_and_rejects_what_it_should() -> None:
    schema = json.loads(mf.KPI_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    good = {"version": "2026-06-r2", "columns": list(KPI_COLUMNS), "rows": mf.kpi_records(_noisy_table())}
    assert mf.kpi_schema_errors(good) == []
    row = good["rows"][3]  # the count
    for change, expected in (
        ({"value": 7616.0}, "a count written as a float"),
        ({"value": -1}, "less than the minimum"),
        ({"unit": "percent"}, "is not one of"),
        ({"status": "green"}, "is not one of"),
        ({"period": "2026-6"}, "does not match"),
        ({"extra": 1}, "Additional properties"),
    ):
        bad = {**good, "rows": [{**row, **change}]}
        errors = mf.kpi_schema_errors(bad)
        assert errors and expected in errors[0], (change, errors)
    assert mf.kpi_schema_errors({**good, "version": "2026-06-r1"})  # the first revision has no suffix
    judged = {**row, "status": "ok", "target": None, "direction": "lower_better"}
    assert mf.kpi_schema_errors({**good, "rows": [judged]})  # a traffic light needs a target


def test_a_kpi_file_that_breaks_the_schema_is_not_written(tmp_path: Path) -> None:
    table = _noisy_table()
    table.loc[0, "status"] = "green"
    with pytest.raises(RunError, match=r"kpi\.json of 2026-06 does not match kpi\.schema\.json: rows/0/status"):
        mf.write_kpi_files(table, tmp_path, "2026-06")
    assert not (tmp_path / "kpi.json").exists()


@pytest.fixture(scope="module")
def demo_kpis(tmp_path_factory: pytest.TempPathFactory, make_demo_workspace) -> dict[str, pd.DataFrame]:
    """The KPI table the batch publishes for each month kept in tests/expected, on the demo data."""
    ws = make_demo_workspace(tmp_path_factory.mktemp("kpis") / "ws")
    tables = {}
    for month in EXPECTED_MONTHS:
        period = Period.parse(month)
        areas = [a for a in AREAS if a.kpi_function is not None]
        tables[month] = collect_kpis(ws, period, load_params(period.year, ws.params_dir), areas)
    return tables


@pytest.mark.parametrize("month", EXPECTED_MONTHS)
def test_published_kpi_json_of_the_demo_months_matches_the_schema(
    demo_kpis: dict[str, pd.DataFrame], month: str, tmp_path: Path
) -> None:
    mf.write_kpi_files(demo_kpis[month], tmp_path, month)
    document = json.loads((tmp_path / "kpi.json").read_text(encoding="utf-8"))
    schema = json.loads(mf.KPI_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
    assert mf.kpi_schema_errors(document) == []
    assert len(document["rows"]) == len(demo_kpis[month]) > 50


@pytest.mark.parametrize("month", EXPECTED_MONTHS)
def test_kpi_labels_agree_with_their_units(demo_kpis: dict[str, pd.DataFrame], month: str) -> None:
    """A share is a fraction: its label must not promise per cents ("Siirtyneet, % ..." held 0,027 on main); days
    say so; euros and counts carry no per cent sign."""
    for row in demo_kpis[month].to_dict("records"):
        label, unit = str(row["label"]), str(row["unit"])
        assert "%" not in label and "prosent" not in label.lower(), (row["kpi"], label)
        if unit == "days":
            assert "päiv" in label or "(pv)" in label, (row["kpi"], label)
        if unit == "share" and not pd.isna(row["value"]):
            assert row["value"] >= 0, row["kpi"]


def test_the_schema_check_does_not_build_the_iri_parser() -> None:
    """Checking kpi.json imports jsonschema without its optional rfc3987_syntax (a parser built at import, about
    1.4 s of CPU at the end of every month), and leaves the module importable for anyone else."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from serviceplan.publish import manifest as mf\n"
        "assert mf.kpi_schema_errors({'rows': 3})\n"
        "print('rfc3987_syntax' in sys.modules)\n"
        "import rfc3987_syntax\n"
        "print(rfc3987_syntax.__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "rfc3987_syntax"]
