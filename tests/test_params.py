"""Parameters: merging, validation and dated rules."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from serviceplan.core.errors import ParameterError
from serviceplan.core.params import load_params
from serviceplan.core.periods import Period

REPO_PARAMS = Path(__file__).resolve().parents[1] / "params"


def test_defaults_carry_the_plan_budget():
    params = load_params(2025, REPO_PARAMS)
    assert params.regions.municipality == "KU398" and params.regions.home.name == "Lahti"
    assert params.budget_eur.as_dict() == {
        "vapaaehtoinen": 2_600_000,
        "maararahasidonnainen": 14_300_000,
        "maararahasta_riippumaton": 29_800_000,
        "tarvesidonnainen": 1_000_000,
    }


def test_benefit_share_steps():
    rule = load_params(2025, REPO_PARAMS).benefit_rule(Period(2025, 3))
    assert [rule.share_for_days(d) for d in (50, 100, 101, 200, 201, 301, 400, 401, 900)] == [
        0,
        0,
        0.10,
        0.10,
        0.20,
        0.30,
        0.30,
        0.40,
        0.40,
    ]


def test_service_level_rule_changes_with_the_date():
    params = load_params(2026, REPO_PARAMS)
    assert params.service_level_rule(Period(2025, 12)).initial_interview_working_days == 5
    assert params.service_level_rule(Period(2026, 1)).initial_interview_working_days == 10


def _params_copy(tmp_path: Path) -> Path:
    import shutil

    shutil.copytree(REPO_PARAMS, tmp_path / "params")
    return tmp_path / "params"


def test_year_override_merges_deeply(tmp_path: Path):
    params_dir = _params_copy(tmp_path)
    (params_dir / "years" / "2026.yaml").write_text("budget_eur:\n  vapaaehtoinen: 3000000\n", encoding="utf-8")
    params = load_params(2026, params_dir)
    assert params.budget_eur.vapaaehtoinen == 3_000_000
    assert params.budget_eur.maararahasidonnainen == 14_300_000  # untouched keys keep their defaults


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("budget_eur:\n  vapaehtoinen: 1\n", "params/years/2026.yaml: key 'budget_eur.vapaehtoinen': unknown key"),
        ("budget_eur:\n  vapaaehtoinen: paljon\n", "params/years/2026.yaml: key 'budget_eur.vapaaehtoinen':"),
        ("disclosure:\n  min_count: 0\n", "params/years/2026.yaml: key 'disclosure.min_count':"),
        ("forecast: [1, 2\n", "params/years/2026.yaml: line"),
        # regions are checked when the parameters load, not after the notebooks ran (issue 12)
        (
            "regions:\n  municipality: KU999\n",
            "params/years/2026.yaml: key 'regions.municipality': KU999 is not in regions.municipalities",
        ),
        ("regions:\n  municipality: Lahti\n", "params/years/2026.yaml: key 'regions.municipality': String should"),
        (
            "regions:\n  comparison_group: [KU398, KU091, KU398]\n",
            "params/years/2026.yaml: key 'regions.comparison_group': each municipality once",
        ),
        (
            "regions:\n  municipalities:\n    KU098: {name: Hollola, region: MK99}\n",
            "params/years/2026.yaml: key 'regions.country': regions.names has no name for MK99",
        ),
        (
            "areas:\n  target_groups:\n    outflow_benchmark_region: MK11\n",
            "params/years/2026.yaml: key 'areas': target_groups.outflow_benchmark_region: MK11 is not "
            "among the statistics regions KU398, MK07, SSS, KU091,",
        ),
    ],
)
def test_bad_override_names_file_and_key(tmp_path: Path, override: str, expected: str):
    params_dir = _params_copy(tmp_path)
    (params_dir / "years" / "2026.yaml").write_text(override, encoding="utf-8")
    with pytest.raises(ParameterError) as info:
        load_params(2026, params_dir)
    message = str(info.value)
    assert message.startswith(expected), message
    assert "\n" not in message


def test_rule_in_force_before_first_rule_is_an_error(tmp_path: Path):
    params = load_params(2025, REPO_PARAMS)
    with pytest.raises(ParameterError, match="no rule in force on 2024-12-01"):
        params.benefit_rule(Period(2024, 12))
    assert params.benefit_rule(Period(2025, 1)).valid_from == date(2025, 1, 1)


def test_one_key_names_another_municipality(tmp_path: Path):
    params_dir = _params_copy(tmp_path)
    (params_dir / "years" / "2026.yaml").write_text("regions:\n  municipality: KU297\n", encoding="utf-8")
    regions = load_params(2026, params_dir).regions
    assert regions.report_regions() == ["KU297", "MK11", "SSS"]
    assert [regions.name(c) for c in regions.report_regions()] == ["Kuopio", "Pohjois-Savo", "Koko maa"]
    assert not regions.has_own_data  # the city datasets stay Lahti's
    assert regions.statistics_regions()[:3] == ["KU297", "MK11", "SSS"] and len(regions.statistics_regions()) == 14
