"""What the metrics share: the parameters of another year read once, canonical tables read once within the
summary's collection, and every area's KPIs with changes reusing the page's own analysis of the report month."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from serviceplan.core.params import load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.inputs import canonical as data
from serviceplan.inputs.sources import grants, ledger, services, statfin
from serviceplan.metrics import context_for, load, params_for, shared_loads, with_changes
from serviceplan.metrics.kpis import Context

REPO = Path(__file__).resolve().parents[1]
JANUARY = Period(2026, 1)  # a month whose month before and year before both fall in the previous year

# area module -> the first month its comparisons may use (what its notebook passed to with_changes)
AREAS: dict[str, Period] = {
    "budget": ledger.DATASET.first_period,
    "target_groups": statfin.DATASET.first_period,
    "services": services.DATASET.first_period,
    "grants": grants.DATASET.first_period,
    "ecosystems": services.DATASET.first_period,
    "employer_services": statfin.DATASET.first_period,
    "immigrants": statfin.DATASET.first_period,
    "knowledge": statfin.DATASET.first_period,
}


def test_params_for_reads_a_year_once_and_again_after_a_change(tmp_path: Path):
    params_dir = tmp_path / "params"
    shutil.copytree(REPO / "params", params_dir)
    first = params_for(2025, params_dir)
    assert params_for(2025, params_dir) is first  # read and validated once
    assert first == load_params(2025, params_dir)
    ctx = Context(JANUARY, params_for(2026, params_dir), Workspace(tmp_path))
    assert context_for(ctx, Period(2025, 12)).params is first  # the previous year's month
    assert context_for(ctx, Period(2026, 2)).params is ctx.params  # the same year: the context's own
    year_file = params_dir / "years" / "2025.yaml"
    year_file.write_text(year_file.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    again = params_for(2025, params_dir)
    assert again is not first and again == load_params(2025, params_dir)  # a changed file is read afresh


def test_shared_loads_read_each_table_once_within_the_block(demo_workspace: Workspace, monkeypatch):
    reads: list[tuple[str, str]] = []
    original = data.load

    def counting(name: str, period: Period | str, ws: Workspace) -> pd.DataFrame:
        reads.append((name, str(period)))
        return original(name, period, ws)

    monkeypatch.setattr(data, "load", counting)
    month = Period(2025, 9)
    outside = [load("grants", month, demo_workspace) for _ in range(2)]
    assert len(reads) == 2  # outside a block every call reads
    reads.clear()
    with shared_loads():
        first = load("grants", month, demo_workspace)
        second = load("grants", month, demo_workspace)
        earlier = load("grants", month.shift(-1), demo_workspace)
        first["paid_eur"] = 0.0  # a caller changing its copy changes nobody else's
        third = load("grants", month, demo_workspace)
    assert reads == [("grants", "2025-09"), ("grants", "2025-08")]
    assert first is not second
    pd.testing.assert_frame_equal(second, outside[0])
    pd.testing.assert_frame_equal(third, outside[0])
    assert len(earlier) < len(second)
    reads.clear()
    load("grants", month, demo_workspace)
    assert reads == [("grants", "2025-09")]  # the block's tables are gone with it


@pytest.mark.parametrize("area", list(AREAS))
def test_kpis_with_changes_reuses_the_pages_analysis(demo_workspace: Workspace, area: str):
    module = importlib.import_module(f"serviceplan.metrics.{area}")
    ctx = Context(JANUARY, load_params(JANUARY.year, demo_workspace.params_dir), demo_workspace)
    expected = with_changes(module.kpis, ctx, first_period=AREAS[area])
    got = module.kpis_with_changes(ctx, module.analyse_period(ctx))
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got["prev_month_value"].notna().any()  # the comparisons were computed, not left empty


def test_with_changes_takes_the_months_table_when_given():
    calls: list[str] = []

    def fake(ctx: Context) -> pd.DataFrame:
        calls.append(str(ctx.period))
        return pd.DataFrame({"kpi": ["a"], "value": [float(ctx.period.month * 100)], "unit": ["count"]})

    ctx = Context(Period(2026, 3), load_params(2026, REPO / "params"), Workspace(REPO))  # params only
    current = pd.DataFrame({"kpi": ["a"], "value": [600.0], "unit": ["count"]})
    out = with_changes(fake, ctx, current=current)
    assert calls == ["2026-02", "2025-03"]  # the report month is not computed again
    assert out.loc[0, "change_month"] == pytest.approx(600 / 200 - 1) and out.loc[0, "value"] == 600
