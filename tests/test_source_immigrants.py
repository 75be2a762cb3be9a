"""Immigrant services' monthly CSV: demo calibration, small counts, contract rules and CLI errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from serviceplan import cli
from serviceplan.core.errors import DataError
from serviceplan.core.params import load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.inputs.canonical import load
from serviceplan.inputs.demo.world import build_world
from serviceplan.inputs.sources.immigrants import LANGUAGE_GROUPS, read_csv, totals

REPO = Path(__file__).resolve().parents[1]
FILE = "data/raw/2025-06/maahanmuuttajat_2025-06.csv"
HEADER = (
    "Kuukausi;Kieliryhmä;Vieraskieliset asiakkaat;Kotoutumisajalla;Kotoutumiskoulutuksessa;"
    "Siirtyneet ammattialatiimeihin;International House Lahti -yhteydenotot"
)


def test_demo_follows_the_foreign_national_unemployed(demo_workspace: Workspace):
    table = load("immigrants", "2026-06", demo_workspace)
    month_totals = totals(table).set_index("period")
    assert len(month_totals) == 18
    foreign = build_world(load_params(2025, REPO / "params").benefit_rule(Period(2025, 1))).labour_market
    foreign = foreign.set_index("period")["foreign"]
    ratio = month_totals["customers"] / foreign.loc[month_totals.index]
    assert ((ratio > 1.6) & (ratio < 2.0)).all()  # customers are about 1.8 x the foreign national unemployed
    january = month_totals.loc["2025-01"]
    assert january["in_integration_training"] <= january["in_integration_period"] <= january["customers"]
    groups = table[~table["is_total"]]
    small = groups[(groups["moved_to_occupation_teams"] >= 1) & (groups["moved_to_occupation_teams"] <= 4)]
    assert len(small) > 0  # small counts are delivered as such (suppression happens only when published)
    assert set(groups["language_group"]) == set(LANGUAGE_GROUPS.values())


def _write(ws: Workspace, body: list[str]) -> Path:
    path = ws.root / FILE
    path.write_text("\n".join([HEADER, *body]) + "\n", encoding="utf-8-sig")
    return path


# Hand-made month: two named groups and six others with 1 customer each; the total row adds up.
GOOD = [
    "2025-06;Ukraina;100;40;10;3;20",
    "2025-06;Venäjä;50;10;4;1;8",
    *(f"2025-06;{g};1;0;0;0;0" for g in list(LANGUAGE_GROUPS)[2:]),
    "2025-06;Yhteensä;156;50;14;4;28",
]


def test_hand_made_month_reads_with_totals(demo_workspace: Workspace):
    frame = read_csv(_write(demo_workspace, GOOD), Period(2025, 6))
    total = frame[frame["is_total"]].iloc[0]
    assert (total["customers"], total["in_integration_period"], total["moved_to_occupation_teams"]) == (156, 50, 4)
    assert frame.loc[frame["language_group"] == "ukrainian", "ihl_contacts"].item() == 20
    assert str(frame["customers"].dtype) == "Int64"


def _validate(ws: Workspace, capsys) -> tuple[int, str]:
    code = cli.main(["--workspace", str(ws.root), "validate", "2025-06"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (  # training is part of the integration period
            "2025-06;Venäjä;50;10;4;1;8",
            "2025-06;Venäjä;50;10;12;1;8",
            f"{FILE}, row 3, column 'Kotoutumiskoulutuksessa': got '12'; expected at most 'Kotoutumisajalla' on the "
            "same row (10)",
        ),
        (  # the total row does not add up
            "2025-06;Yhteensä;156;50;14;4;28",
            "2025-06;Yhteensä;156;50;14;4;30",
            f"{FILE}, row 10, column 'International House Lahti -yhteydenotot': got '30'; expected the sum of the "
            "group rows above it, 28 (total row)",
        ),
        (  # a group left out (its customers removed from the total too)
            "2025-06;Viro;1;0;0;0;0\n",
            "",
            f"{FILE}, column 'Kieliryhmä': got 'Viro'; expected a row for every group and the total row",
        ),
        (  # a decimal in a count
            "2025-06;Ukraina;100;40;10;3;20",
            "2025-06;Ukraina;100;40;10;2,5;20",
            f"{FILE}, row 2, column 'Siirtyneet ammattialatiimeihin': got '2,5'; expected a whole number at least 0",
        ),
        (  # the wrong month
            "2025-06;Ukraina;100;40;10;3;20",
            "2025-07;Ukraina;100;40;10;3;20",
            f"{FILE}, row 2, column 'Kuukausi': got '2025-07'; expected the delivery month 2025-06",
        ),
        (  # a group twice
            "2025-06;Venäjä;50;10;4;1;8",
            "2025-06;Ukraina;50;10;4;1;8",
            f"{FILE}, row 3, column 'Kieliryhmä': got '2025-06, Ukraina'; expected one row per (period, "
            "language_group) (duplicate key)",
        ),
        (  # comma-separated export
            None,
            None,
            f"{FILE}, row 1; expected columns separated by ';' (Finnish CSV); the header is separated by ','",
        ),
    ],
)
def test_bad_reports_via_cli(demo_workspace: Workspace, capsys, old: str | None, new: str | None, expected: str):
    path = _write(demo_workspace, GOOD)
    if old is None:
        text = path.read_text(encoding="utf-8-sig").replace(";", ",")
        path.write_text(text, encoding="utf-8-sig")
    else:
        text = path.read_text(encoding="utf-8-sig")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8-sig")
    code, output = _validate(demo_workspace, capsys)
    assert code == 1
    assert expected in output, output
    assert "Traceback" not in output
    assert "input data violation" in output and "nothing was executed" not in output  # validate runs nothing


def test_the_demo_file_itself_is_valid(demo_workspace: Workspace, capsys):
    frame = read_csv(demo_workspace.root / FILE, Period(2025, 6))
    assert frame["is_total"].sum() == 1 and len(frame) == len(LANGUAGE_GROUPS) + 1


def test_identity_code_is_rejected_without_echo(demo_workspace: Workspace, capsys):
    path = demo_workspace.root / FILE
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace(";Somali;", ";Somali 010101A123N;", 1), encoding="utf-8-sig")
    code, output = _validate(demo_workspace, capsys)
    assert code == 1
    assert "column 'Kieliryhmä'; expected aggregated data only" in output, output
    assert "010101A123N" not in output
    with pytest.raises(DataError) as info:
        read_csv(path, Period(2025, 6))
    assert all(v.value is None or "010101A123N" not in v.value for v in info.value.violations)
