"""Partner network snapshots (YAML): referential integrity, 'latest snapshot on or before' semantics, the graph."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from serviceplan import cli
from serviceplan.core.errors import DataError
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.inputs.canonical import load, validate_period
from serviceplan.inputs.sources.partners import PartnerNetwork, read_yaml, snapshot_as_of

FILE = "data/raw/2025-06/kumppanit_2025-06.yaml"

# A hand-made snapshot; the comments give the line numbers the tests refer to.
SMALL = """\
kausi: 2025-06
kumppanit:
  - tunnus: tyollisyyspalvelut
    organisaatio: Lahden kaupungin työllisyyspalvelut
    tyyppi: kaupungin toimiala
  - tunnus: salpaus
    organisaatio: Koulutuskeskus Salpaus
    tyyppi: oppilaitos
  - tunnus: yhdistys_a
    organisaatio: Yhdistys A
    tyyppi: kolmas sektori
sopimukset:
  - tunnus: S01
    kumppani: tyollisyyspalvelut
    palvelu: Työnvälitys
    tuotantotapa: oma palvelu
    tulosperusteinen: ei
    alkaa: 2025-01-01
    päättyy:
  - tunnus: S02
    kumppani: salpaus
    palvelu: Työvoimakoulutus
    tuotantotapa: sidosyksikkö
    tulosperusteinen: kyllä
    alkaa: 2025-01-01
    päättyy: 2025-12-31
  - tunnus: S03
    kumppani: yhdistys_a
    palvelu: Nuorten työpaja
    tuotantotapa: kumppanuus
    tulosperusteinen: ei
    alkaa: 2025-08-01
    päättyy: 2026-07-31
yhteydet:
  - osapuoli: tyollisyyspalvelut
    toinen osapuoli: salpaus
    laji: palveluyhteistyö
    paino: 5
  - osapuoli: tyollisyyspalvelut
    toinen osapuoli: salpaus
    laji: rahoitus
    paino: 2
  - osapuoli: salpaus
    toinen osapuoli: yhdistys_a
    laji: asiakasohjaus
    paino: 1
"""
# item lines: partners 3, 6, 9; agreements 13, 20, 27; links 35, 39, 43


def load_network(ws: Workspace, period: str) -> PartnerNetwork:
    """The partner network in force in ``period``, through the canonical table (as the ecosystems page reads it)."""
    return snapshot_as_of(load("partner_network", period, ws), period)


def _write(ws: Workspace, text: str = SMALL) -> Path:
    path = ws.root / FILE
    path.write_text(text, encoding="utf-8")
    return path


def test_hand_made_snapshot_gives_three_tidy_tables_and_a_graph(workspace: Workspace):
    path = workspace.raw_period_dir("2025-06") / "kumppanit_2025-06.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(SMALL, encoding="utf-8")
    table = read_yaml(path, Period(2025, 6))
    assert table["record"].value_counts().to_dict() == {"partner": 3, "agreement": 3, "link": 3}
    network = snapshot_as_of(table, "2025-09")
    assert network.period == "2025-06"
    assert list(network.partners["partner_type"]) == ["city_department", "education", "third_sector"]
    assert list(network.agreements["production_mode"]) == ["own", "in_house", "partnership"]
    assert list(network.agreements["outcome_based"]) == [False, True, False]
    assert network.agreements["end_date"].isna().tolist() == [True, False, False]
    # in force: S01 (open-ended), S02 (ends 31.12.2025), S03 (starts 1.8.2025)
    assert list(network.active_agreements(date(2025, 7, 31))["agreement_id"]) == ["S01", "S02"]
    assert list(network.active_agreements(date(2025, 8, 1))["agreement_id"]) == ["S01", "S02", "S03"]
    assert list(network.active_agreements(date(2026, 1, 1))["agreement_id"]) == ["S01", "S03"]
    graph = network.graph()
    assert graph.number_of_nodes() == 3 and graph.number_of_edges() == 2
    edge = graph["tyollisyyspalvelut"]["salpaus"]
    assert edge["weight"] == 5 + 2 and edge["kinds"] == ["service", "funding"]
    assert graph.nodes["salpaus"] == {"name": "Koulutuskeskus Salpaus", "type": "education", "agreements": 1}


def test_latest_snapshot_on_or_before_the_period_applies(demo_workspace: Workspace):
    # the demo delivers snapshots in 2025-01, 2025-06, 2025-10 and 2026-01
    assert {str(p): load_network(demo_workspace, p).period for p in ("2025-01", "2025-05", "2025-08", "2026-06")} == {
        "2025-01": "2025-01",
        "2025-05": "2025-01",
        "2025-08": "2025-06",
        "2026-06": "2026-01",
    }
    rows = load("partner_network", "2025-08", demo_workspace)
    assert set(rows["period"]) == {"2025-06"}  # load() returns only the snapshot in force
    # a month without a delivery is valid: the snapshot is not a monthly delivery
    checked = validate_period(demo_workspace, Period(2025, 7))
    assert not any("kumppanit" in p.name for p in checked)
    assert any("kumppanit" in p.name for p in validate_period(demo_workspace, Period(2025, 6)))


def test_demo_network_grows_and_links_partners_after_the_network_map(demo_workspace: Workspace):
    before = load_network(demo_workspace, "2025-09").graph()
    after = load_network(demo_workspace, "2025-10").graph()
    assert after.number_of_nodes() == before.number_of_nodes()
    hub = "tyollisyyspalvelut"
    links_between_partners = [(a, b) for a, b in after.edges if hub not in (a, b)]
    assert len(links_between_partners) > len([(a, b) for a, b in before.edges if hub not in (a, b)])
    agreements = load_network(demo_workspace, "2026-01").agreements
    assert agreements["outcome_based"].sum() >= 2  # outcome-based purchases appear (policy line 5)


def test_no_snapshot_yet_is_a_clear_error(workspace: Workspace):
    path = workspace.raw_period_dir("2025-06") / "kumppanit_2025-06.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(SMALL, encoding="utf-8")
    table = read_yaml(path, Period(2025, 6))
    with pytest.raises(DataError, match=r"partner network snapshot kumppanit_YYYY-MM\.yaml delivered in 2025-05"):
        snapshot_as_of(table, "2025-05")


def _validate(ws: Workspace, capsys) -> tuple[int, str]:
    code = cli.main(["--workspace", str(ws.root), "validate", "2025-06"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_hand_made_snapshot_passes_the_cli(demo_workspace: Workspace, capsys):
    _write(demo_workspace)
    code, output = _validate(demo_workspace, capsys)
    assert code == 0, output
    assert output.startswith("2025-06:")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    kumppani: yhdistys_a\n",
            "    kumppani: yhdistys_b\n",
            "row 27, column 'kumppani': got 'yhdistys_b'; expected the id of a partner listed under 'kumppanit' "
            "(unknown partner)",
        ),
        (
            "  - osapuoli: salpaus\n    toinen osapuoli: yhdistys_a\n",
            "  - osapuoli: salpaus\n    toinen osapuoli: yhdistys_c\n",
            "row 43, column 'toinen osapuoli': got 'yhdistys_c'; expected the id of a partner listed under 'kumppanit'",
        ),
        (
            "  - osapuoli: salpaus\n    toinen osapuoli: yhdistys_a\n",
            "  - osapuoli: salpaus\n    toinen osapuoli: salpaus\n",
            "row 43, column 'toinen osapuoli': got 'salpaus'; expected a partner other than 'osapuoli'",
        ),
        (
            "    tuotantotapa: kumppanuus\n    tulosperusteinen: ei\n",
            "    tuotantotapa: kumppanuus\n    tulosperusteinen: kyllä\n",
            "row 27, column 'tulosperusteinen': got 'kyllä'; expected 'ei' unless tuotantotapa is ostopalvelu or "
            "sidosyksikkö",
        ),
        (
            "    päättyy: 2025-12-31\n",
            "    päättyy: 2024-12-31\n",
            "row 20, column 'päättyy': got '2024-12-31'; expected an end date on or after the start date (alkaa)",
        ),
        ("kausi: 2025-06\n", "kausi: 2025-05\n", "row 1, column 'kausi': got '2025-05'; expected the delivery month"),
        (
            "    tyyppi: kolmas sektori\n",
            "    tyyppi: yhdistys\n",
            "row 9, column 'tyyppi': got 'yhdistys'; expected one of kolmas sektori, oppilaitos, yritys",
        ),
        (
            "    palvelu: Työnvälitys\n",
            "    palvelu: Työnvälitys\n    yhteyshenkilö: Matti\n",
            "row 16, column 'yhteyshenkilö'; expected only the keys tunnus, kumppani, palvelu",
        ),
        ("kumppanit:\n", "kumppanit: [\n", "row 3; expected valid YAML ("),
        (
            "  - tunnus: salpaus\n",
            "  - tunnus: tyollisyyspalvelut\n",
            "row 6, column 'tunnus': got 'tyollisyyspalvelut'; expected one row per (partner_id) (duplicate key)",
        ),
        (
            "    kumppani: tyollisyyspalvelut\n",
            "    kumppani: salpaus\n",
            "row 13, column 'tuotantotapa': got 'oma palvelu'; expected 'oma palvelu' only with a partner of type",
        ),
        (
            "    paino: 1\n",
            "    paino: 9\n",
            "row 43, column 'paino': got '9'; expected a whole number at least 1 and at most 5",
        ),
        ("  - tunnus: S01\n", "  - tunnus: S01\n    tunnus: S09\n", "row 14, column 'tunnus'; expected each key once"),
        (
            SMALL[SMALL.index("yhteydet:") :],
            "yhteydet: []\n",
            "row 34, column 'yhteydet'; expected a list with at least one item",
        ),
    ],
)
def test_bad_snapshots_via_cli(demo_workspace: Workspace, capsys, old: str, new: str, expected: str):
    assert old in SMALL
    _write(demo_workspace, SMALL.replace(old, new, 1))
    code, output = _validate(demo_workspace, capsys)
    assert code == 1
    assert f"{FILE}, {expected}" in output, output
    assert "Traceback" not in output
    assert "input data violation" in output and "nothing was executed" not in output  # validate runs nothing


def test_identity_code_is_rejected_without_echo(demo_workspace: Workspace, capsys):
    _write(demo_workspace, SMALL.replace("    palvelu: Työvoimakoulutus\n", "    palvelu: Valmennus 131052-308T\n"))
    code, output = _validate(demo_workspace, capsys)
    assert code == 1
    assert f"{FILE}, row 20, column 'palvelu'; expected aggregated data only" in output, output
    assert "131052-308T" not in output
