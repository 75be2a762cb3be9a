"""Any municipality by one parameter: ``regions.municipality: KU297`` gives Kuopio's public-data report on the demo
data (the batch runs the public pages, their KPI files hold Kuopio's figures and ranks, the pages built on the
city's own systems are left out and say so); and Lahti's own report shows its place among the 12 largest cities."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from serviceplan.core.params import load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.inputs import canonical as data
from serviceplan.inputs.sources import statfin
from serviceplan.metrics.areas import AREAS
from serviceplan.publish.batch import run_periods

REPO = Path(__file__).resolve().parents[1]
JUNE = Period(2026, 6)
LINE = "  municipality: KU398           # the reporting municipality (Lahti)\n"


def markdown_of(notebook: Path) -> str:
    """Every Markdown text of an executed notebook: its cells and its outputs."""
    parts = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        parts.append(cell.source if cell.cell_type == "markdown" else "")
        for output in cell.get("outputs", []):
            parts.append(output.get("data", {}).get("text/markdown", ""))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def kuopio(tmp_path_factory: pytest.TempPathFactory, make_demo_workspace: Callable[[Path], Workspace]) -> Workspace:
    """A demo workspace whose parameters name Kuopio in one line, with June 2026 published."""
    ws = make_demo_workspace(tmp_path_factory.mktemp("kuopio") / "ws")
    defaults = ws.params_dir / "defaults.yaml"
    text = defaults.read_text(encoding="utf-8")
    assert text.count(LINE) == 1
    defaults.write_text(text.replace(LINE, LINE.replace("KU398", "KU297")), encoding="utf-8")
    assert run_periods(ws, [JUNE], jobs=2, render=False) == 0
    return ws


def test_one_parameter_change(kuopio: Workspace) -> None:
    ours = (REPO / "params" / "defaults.yaml").read_text(encoding="utf-8").splitlines()
    theirs = (kuopio.params_dir / "defaults.yaml").read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(ours, theirs, strict=True) if a != b]
    assert len(changed) == 1 and "KU297" in changed[0][1]
    regions = load_params(2026, kuopio.params_dir).regions
    assert regions.report_regions() == ["KU297", "MK11", "SSS"] and not regions.has_own_data


def test_the_public_pages_are_published_and_the_others_left_out(kuopio: Workspace) -> None:
    folder = kuopio.reports_dir / "2026-06"
    published = sorted(p.name for p in folder.glob("*.ipynb"))
    assert published == [
        "00_summary.ipynb",
        "02_target_groups.ipynb",
        "06_employer_services.ipynb",
        "07_immigrants.ipynb",
    ]
    assert published == sorted(a.notebook for a in AREAS if a.public)
    summary = markdown_of(folder / "00_summary.ipynb")
    assert "Raportti on tehty julkisista tilastoista kunnalle Kuopio." in summary
    assert "eivät ole tässä raportissa: Budjetti, Palvelut, Vapaaehtoiset avustukset" in summary
    for page in ("02_target_groups.ipynb", "06_employer_services.ipynb", "07_immigrants.ipynb"):
        text = markdown_of(folder / page)
        assert "**Ei saatavilla tälle kunnalle.**" in text, page
        assert "ei saatavilla tälle kunnalle (kaupungin omat tiedot)" in text, page
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert [n["area"] for n in manifest["notebooks"]] == ["summary", "target_groups", "employer_services", "immigrants"]


def test_the_kpi_file_holds_kuopios_figures_and_ranks(kuopio: Workspace) -> None:
    kpis = pd.read_csv(kuopio.reports_dir / "2026-06" / "kpi.csv", sep=";", decimal=",", encoding="utf-8-sig")
    kpis = kpis.set_index(["area", "kpi"])
    kuopio_june = statfin.wide(data.load("statfin", JUNE, kuopio), "KU297").loc["2026-06"]
    assert kpis.at[("target_groups", "under25_unemployed"), "value"] == kuopio_june["under25"]
    assert kpis.at[("target_groups", "long_term_unemployed"), "value"] == kuopio_june["long_term"]
    assert kpis.at[("immigrants", "foreign_unemployed"), "value"] == kuopio_june["foreign"]
    assert kpis.at[("employer_services", "emp_open_vacancies"), "value"] == kuopio_june["open_vacancies"]
    ranks = kpis[kpis["unit"] == "rank"]
    assert sorted(k for _, k in ranks.index) == [
        "rank_foreign_unemployment_rate",
        "rank_long_term_share",
        "rank_unemployment_rate",
        "rank_vacancies_per_unemployed",
        "rank_youth_unemployment_rate",
    ]
    assert ranks["value"].between(1, 12).all()
    # nothing from the city's own systems: those figures are Lahti's, not Kuopio's
    own = {"named_advisor_under25", "ohjaamo_visits", "move_rate", "emp_fill_rate", "emp_vacancies_received"}
    assert not own & {k for _, k in kpis.index}
    assert {a for a, _ in kpis.index} == {"target_groups", "employer_services", "immigrants"}


def test_the_pages_name_kuopio_and_its_place(kuopio: Workspace) -> None:
    folder = kuopio.reports_dir / "2026-06"
    summary = markdown_of(folder / "00_summary.ipynb")
    assert re.search(r"Työttömyysaste \d+,\d\u00a0%: Kuopio on sijalla \d+/12", summary)
    assert "Kuopio ja 11 muuta suurinta kaupunkia" in summary
    target_groups = markdown_of(folder / "02_target_groups.ipynb")
    assert "Kuopio" in target_groups and "Pohjois-Savo" in target_groups and "Päijät-Häme" not in target_groups


def test_lahtis_summary_shows_its_place_among_the_largest_cities() -> None:
    """The expected front page (kept equal to a fresh run by the nbval gate) and KPI file of the newest demo month."""
    summary = markdown_of(REPO / "tests" / "expected" / "2026-06" / "00_summary.ipynb")
    assert "## Suurimmat kaupungit" in summary
    assert re.search(r"Työttömyysaste \d+,\d\u00a0%: Lahti on sijalla \d+/12", summary)
    assert "**Lahti 12 suurimman kaupungin joukossa, kesäkuu 2026**" in summary
    kpis = pd.read_csv(REPO / "tests" / "expected" / "2026-06" / "kpi.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert len(kpis[kpis["unit"] == "rank"]) == 5
