"""Rendering: Finnish formats, the Quarto sources of a version, previews without Quarto, the landing page.

The Quarto render itself needs Quarto 1.7+ on PATH; that test is skipped without it.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.publish import committee_pdf
from serviceplan.publish import render as rd
from serviceplan.publish.manifest import write_json

JUNE = Period(2025, 6)
PAGES = [rd.Page("01_a.ipynb", "Budjetti"), rd.Page("02_b.ipynb", "Kohderyhmät")]
QUARTO, QUARTO_FOUND = rd.find_quarto()
NEEDS_QUARTO = pytest.mark.skipif(
    QUARTO is None,
    reason=f"Quarto >= 1.7 is not on PATH (found: {QUARTO_FOUND or 'none'}); install it with "
    "`conda install -c conda-forge quarto`, `pip install quarto-cli` or from quarto.org",
)


def executed_notebook(path: Path, heading: str, printed: str) -> Path:
    """A small notebook as Papermill leaves it: parameters, injected parameters, one output, a chart-free table."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell("period = None\nworkspace = None")
    parameters.metadata["tags"] = ["parameters"]
    injected = nbformat.v4.new_code_cell('period = "2025-06"\nworkspace = None')
    injected.metadata["tags"] = ["injected-parameters"]
    code = nbformat.v4.new_code_cell("print(tulos)")
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed + "\n")]
    notebook.cells = [
        nbformat.v4.new_raw_cell("---\ntitle: oma otsikko\n---"),
        nbformat.v4.new_markdown_cell(f"# {heading}\n\nSelitys."),
        parameters,
        injected,
        code,
    ]
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def version_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "2025-06"
    folder.mkdir()
    executed_notebook(folder / "01_a.ipynb", "Budjetti", "Toimintakulut 2473346,86 euroa")
    executed_notebook(folder / "02_b.ipynb", "Kohderyhmät", "Alle 25-vuotiaita 1071")
    return folder


def test_finnish_months_dates_and_numbers() -> None:
    assert rd.period_fi("2025-06") == "kesäkuu 2025"
    assert rd.period_fi(Period(2026, 1)) == "tammikuu 2026"
    assert rd.date_fi("2025-07-01T21:30:00Z") == "2.7.2025"  # 00:30 on 2 July in Helsinki (UTC+3 in summer)
    assert rd.date_fi("2025-01-15T10:00:00Z") == "15.1.2025"
    assert rd.date_fi("") == "" and rd.date_fi(None) == "" and rd.date_fi("eilen") == ""
    assert rd.number_fi(1234567.4, "eur") == "1\u202f234\u202f567\u00a0€"  # thin no-break space in thousands
    assert rd.number_fi(0.159, "share") == "15,9\u00a0%"
    assert rd.number_fi(35, "days") == "35,0\u00a0pv"
    assert rd.number_fi(12, "count") == "12"
    assert rd.number_fi(-2500.5, "eur") == "\u22122\u202f500\u00a0€"  # the minus sign; half to even: 2500.5 -> 2500
    assert rd.number_fi(1.25, "ratio") == "1,25"
    # missing: the symbol legend's "not available" (serviceplan.present.disclosure), as on every page
    assert rd.number_fi(float("nan"), "eur") == "." and rd.number_fi(None) == "."
    assert rd.number_fi(3, "rank") == "3"


def test_change_lines_in_finnish() -> None:
    changes = {
        "inputs": {"changed": ["data/raw/2025-06/kirjanpito_2025-06.csv"], "added": [], "removed": []},
        "parameters": ["budget_eur.vapaaehtoinen"],
        "code": {"from_commit": "aaaa", "to_commit": "aaaa", "from_digest": "d1d1d1d1d1d1", "to_digest": "d2"},
        "packages": [],
        "notebooks": ["01_budget.ipynb"],
        "kpis": [
            {"label": "Toimintakulut", "unit": "eur", "old": 1000.0, "new": 1100.0, "change": "changed"},
            {"label": "Uusi luku", "unit": "count", "old": None, "new": 5.0, "change": "added"},
        ],
    }
    assert rd.change_lines(changes) == [
        "Lähtötiedot: muuttunut kirjanpito_2025-06.csv",
        "Parametrit: budget_eur.vapaaehtoinen",
        "Ohjelmakoodi: paikallisia muutoksia (tiiviste d1d1d1d1d1 → d2)",
        "Raporttisivut: 01_budget.ipynb",
        "Toimintakulut: 1\u202f000\u00a0€ → 1\u202f100\u00a0€",
        "Uusi tunnusluku Uusi luku: 5",
    ]
    assert rd.change_lines({"inputs": {}, "kpis": []}) == [
        "Ei muutoksia lähtötiedoissa, parametreissa, koodissa eikä tunnusluvuissa."
    ]
    assert rd.change_lines(None) == []


def test_quarto_version_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert rd.parse_quarto_version("1.7.31") == (1, 7, 31)
    assert rd.parse_quarto_version("1.8") == (1, 8)
    assert rd.parse_quarto_version("not quarto") is None
    if sys.platform == "win32":
        pytest.skip("the fake quarto is a shell script")
    fake = tmp_path / "bin" / "quarto"
    fake.parent.mkdir()
    monkeypatch.setenv("PATH", str(fake.parent))
    for printed, usable in (("1.6.40", False), ("1.7.31", True)):
        fake.write_text(f"#!/bin/sh\necho {printed}\n", encoding="utf-8")
        fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
        quarto, found = rd.find_quarto()
        assert found == printed
        assert (quarto is not None) is usable
    message = rd.quarto_missing_message("1.6.40")
    assert "\n" not in message and "found 1.6.40" in message
    for hint in ("conda install -c conda-forge quarto", "pip install quarto-cli", "quarto.org"):
        assert hint in message


def test_version_configs_carry_the_shared_settings() -> None:
    repo = Path(__file__).resolve().parents[1]
    settings = rd.shared_settings(Workspace(repo))
    title = rd.version_title(settings, JUNE, 2)
    assert title.endswith(": kesäkuu 2025, 2. versio (korjaus)")  # the month's second version is its 1st fix
    assert rd.version_title(settings, JUNE, 1).endswith(": kesäkuu 2025")
    site = rd.site_config(settings, PAGES, title, ["kpi.csv"], "Seuranta, kesäkuu 2025")
    assert site["project"]["type"] == "website"
    assert site["project"]["render"] == ["index.qmd", "01_a.ipynb", "02_b.ipynb"]
    assert site["project"]["resources"] == ["kpi.csv", rd.NAV_SCRIPT]
    assert site["lang"] == "fi"
    assert site["execute"]["enabled"] is False and site["execute"]["echo"] is False
    assert list(site["format"]) == ["html"]
    html = site["format"]["html"]
    assert html["css"] == [rd.SITE_CSS] and html["include-before-body"] == rd.VERSION_BAR
    assert html["fig-cap-location"] == "top"
    sidebar = site["website"]["sidebar"]
    assert sidebar["title"] == "Seuranta, kesäkuu 2025"
    assert [(i["href"], i["text"]) for i in sidebar["contents"]] == [
        ("index.qmd", "Etusivu"),  # the version's front page, not a second "Yhteenveto"
        ("01_a.ipynb", "Budjetti"),
        ("02_b.ipynb", "Kohderyhmät"),
    ]
    pdf = committee_pdf.project_config("palvelusuunnitelma-2025-06")
    assert pdf["project"]["render"] == ["palvelusuunnitelma-2025-06.qmd"]
    assert list(pdf["format"]) == ["typst"] and pdf["format"]["typst"]["template"] == committee_pdf.TEMPLATE
    assert pdf["lang"] == "fi" and pdf["execute"]["enabled"] is False
    # without a _quarto.yml in the workspace the defaults still give a Finnish, code-free site
    bare = rd.site_config({}, PAGES, "Otsikko", [])
    assert bare["lang"] == "fi" and bare["execute"] == {"enabled": False, "echo": False}


def test_quarto_sources_of_a_version(version_folder: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    shutil.copy2(Path(__file__).resolve().parents[1] / "_quarto.yml", ws.root / "_quarto.yml")
    kpis = [
        {
            "area": "budget",
            "label": "Toimintakulut | ytd",
            "value": 13594576.0,
            "unit": "eur",
            "target": 14100760.0,
            "status": "ok",
        },
        {"area": "budget", "label": "Ennuste", "value": None, "unit": "eur", "target": None, "status": "none"},
    ]
    written = rd.write_quarto_sources(
        version_folder,
        ws,
        version="2025-06-r2",
        period=JUNE,
        revision=2,
        pages=PAGES,
        kpis=kpis,
        changes={"inputs": {"changed": ["data/raw/2025-06/kirjanpito_2025-06.csv"]}, "kpis": []},
        reason="kirjanpito korjattu",
        pdf_name="palvelusuunnitelma-2025-06-r2.pdf",
        resources=["kpi.csv"],
        area_titles={"budget": "Budjetti"},
        published="2025-07-10T21:30:00Z",  # 11.7. in Helsinki
        organisation="Lahden kaupunki, työllisyyspalvelut",
    )
    names = {p.relative_to(version_folder).as_posix() for p in written}
    assert names == {
        "_quarto.yml",
        "index.qmd",
        "site.css",
        "report-nav.js",
        "version-bar.html",
        "pdf/_quarto.yml",
        "pdf/palvelusuunnitelma-2025-06-r2.qmd",
        "pdf/board.typ",
    }
    site = yaml.safe_load((version_folder / "_quarto.yml").read_text(encoding="utf-8"))
    assert site["project"]["resources"] == ["kpi.csv", "report-nav.js"]
    index = (version_folder / "index.qmd").read_text(encoding="utf-8")
    front = yaml.safe_load(index.split("---")[1])
    assert front["title"].endswith("kesäkuu 2025, 2. versio (korjaus)") and front["lang"] == "fi"
    assert "2. versio (korjaus)\n(versio 2025-06-r2), julkaistu 11.7.2025" in index
    assert (
        "| Budjetti | Toimintakulut \\| ytd | 13\u202f594\u202f576\u00a0€ | "
        "14\u202f100\u202f760\u00a0€ | Tavoitteessa |" in index
    )
    assert "| Budjetti | Ennuste | . | . | Ei tavoitetta |" in index
    assert "Merkinnät: ”.” tieto puuttuu tai ei sovellu" in index  # the legend of the symbols the table shows
    assert '::: {.sp-table tabindex="0" role="region" aria-label="Kaikki tunnusluvut kesäkuu 2025"}' in index
    assert "Korjauksen syy: kirjanpito korjattu" in index and "muuttunut kirjanpito\\_2025-06.csv" in index
    assert "[Lautakunnan PDF-raportti](palvelusuunnitelma-2025-06-r2.pdf)" in index
    bar = (version_folder / "version-bar.html").read_text(encoding="utf-8")
    assert 'data-version="2025-06-r2"' in bar and "2. versio (korjaus), julkaistu 11.7.2025" in bar
    assert '<a href="../../index.html">Kaikki versiot</a>' in bar
    document = (version_folder / "pdf" / "palvelusuunnitelma-2025-06-r2.qmd").read_text(encoding="utf-8")
    assert [line for line in document.splitlines() if line.startswith("# ")] == [
        "# Budjetti",
        "# Kohderyhmät",
        "# Tietoa raportista {.unnumbered}",
    ]
    assert "workspace = None" not in document and "oma otsikko" not in document  # parameters, page front matter
    assert "Toimintakulut 2473346,86" not in document  # a stream output is not a board text
    assert "Korjauksen syy: kirjanpito korjattu" in document
    assert "raportin verkkosivulla Budjetti (01_a.html)" in document
    template = (version_folder / "pdf" / "board.typ").read_text(encoding="utf-8")
    assert "$definitions.typ()$" in template and "$body$" in template
    assert '#let sp-version = "2025-06-r2"' in template and '#let sp-published = "11.7.2025"' in template
    assert "#set document(title: sp-title" in template and '#set text(lang: "fi"' in template


def test_previews_show_outputs_not_code(version_folder: Path) -> None:
    record = rd.write_previews(version_folder, PAGES, "Seuranta: kesäkuu 2025")
    assert record == {"preview": "preview/index.html"}
    page = (version_folder / "preview" / "01_a.html").read_text(encoding="utf-8")
    assert '<html lang="fi">' in page
    assert "Toimintakulut 2473346,86 euroa" in page and "Selitys." in page
    assert "print(tulos)" not in page and "workspace = None" not in page
    index = (version_folder / "preview" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fi">' in index and 'href="01_a.html">Budjetti<' in index and 'href="02_b.html"' in index


def _published(ws: Workspace, name: str, created: str, render: dict, **extra: object) -> None:
    folder = ws.reports_dir / name
    folder.mkdir(parents=True)
    for kpi_file in ("kpi.csv", "kpi_plain.csv", "kpi.json"):
        (folder / kpi_file).write_text("x", encoding="utf-8")
    write_json(folder / "manifest.json", {"version": name, "created": created, "render": render, **extra})


def test_landing_page_lists_versions_newest_first(workspace: Workspace) -> None:
    _published(workspace, "2025-05", "2025-06-05T09:00:00Z", {"preview": "preview/index.html"}, reason=None)
    _published(
        workspace,
        "2025-06",
        "2025-07-03T09:00:00Z",
        {"site": "_site/index.html", "pdf": "palvelusuunnitelma-2025-06.pdf"},
        reason=None,
    )
    _published(
        workspace,
        "2025-06-r2",
        "2025-07-10T09:00:00Z",
        {"site": "_site/index.html", "pdf": "palvelusuunnitelma-2025-06-r2.pdf"},
        reason="Kelan lasku korjattu",
        changes={"inputs": {"changed": ["data/raw/2025-06/kela_kuntaosuus_2025-06.csv"]}, "kpis": []},
    )
    path = rd.write_landing_page(workspace)
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="fi">' in html
    assert "<caption>" in html and '<th scope="col">Kausi</th>' in html
    order = [html.index(f"<td>{name} (") for name in ("2025-06-r2", "2025-06", "2025-05")]
    assert order == sorted(order)
    assert '<th scope="row">kesäkuu 2025</th>' in html and "<td>10.7.2025</td>" in html
    assert (
        'href="2025-06-r2/palvelusuunnitelma-2025-06-r2.pdf"' in html and 'href="2025-06-r2/_site/index.html"' in html
    )
    assert 'href="2025-05/preview/index.html">Esikatselu' in html
    assert "Syy: Kelan lasku korjattu" in html and "muuttunut kela_kuntaosuus_2025-06.csv" in html
    assert 'href="2025-05/kpi_plain.csv"' in html
    # reader labels: the first version and "2. versio (korjaus)"; the superseded one says so (issue 14)
    assert "<td>2025-06-r2 (2. versio (korjaus))</td>" in html and "<td>2025-06 (1. versio)</td>" in html
    assert "alkuperäinen" not in html and "korjaus 2" not in html
    assert 'Korvattu versiolla <a href="#versio-2025-06-r2">2025-06-r2</a>' in html
    assert html.count("<td>Voimassa</td>") == 2
    document = json.loads((workspace.reports_dir / "versions.json").read_text(encoding="utf-8"))
    assert document["schema"] == 1
    assert [(v["version"], v["status"], v["latest"], v["label"]) for v in document["versions"]] == [
        ("2025-06-r2", "current", "2025-06-r2", "2. versio (korjaus)"),
        ("2025-06", "superseded", "2025-06-r2", "1. versio"),
        ("2025-05", "current", "2025-05", "1. versio"),
    ]
    assert document["versions"][1]["report"] == "2025-06/_site/index.html"
    assert document["versions"][0]["published"] == "2025-07-10"  # Helsinki date, as on the landing page
    script = (workspace.reports_dir / "versions.js").read_text(encoding="utf-8")
    assert json.loads(script.split("window.serviceplanVersions = ", 1)[1].rstrip().rstrip(";")) == document
    # unchanged content is not rewritten; nothing temporary is left
    stamp = path.stat().st_mtime_ns
    os.utime(path, ns=(stamp - 10_000_000_000, stamp - 10_000_000_000))
    rd.write_landing_page(workspace)
    assert path.stat().st_mtime_ns == stamp - 10_000_000_000
    assert not list(workspace.reports_dir.glob(".*.tmp"))


def test_landing_page_without_versions(workspace: Workspace) -> None:
    html = rd.landing_html(workspace)
    assert "Yhtään versiota ei ole vielä julkaistu." in html


# The text Quarto 1.7.34 printed when the PDF failed on main at b8cff03 (shared/evidence/b8cff03/), with the
# progress line of a project render before it, as Quarto prints them.
QUARTO_FAILURE = """[1/1] palvelusuunnitelma-2026-06.qmd
[typst]: Compiling palvelusuunnitelma-2026-06.typ to palvelusuunnitelma-2026-06.pdf...error: file not found \
(searched at reports/.staging/2026-06.17653/pdf/figures/summary-headline.png)
"""


def test_a_failed_render_names_the_page_and_the_cause() -> None:
    summary = rd.failure_summary(QUARTO_FAILURE, "x.qmd")
    assert summary.startswith("palvelusuunnitelma-2026-06.qmd: ")
    assert "file not found" in summary
    site = "[ 1/10] index.qmd\n[ 2/10] 00_summary.ipynb\nERROR: YAMLError: bad indentation\nStack trace:\n  at x"
    assert rd.failure_summary(site, "index.qmd") == "00_summary.ipynb: ERROR: YAMLError: bad indentation"
    assert rd.failure_summary("", "index.qmd") == "index.qmd: (no output)"


def test_quarto_missing_names_the_render_command() -> None:
    assert "`serviceplan render`" in rd.quarto_missing_message(None)


def test_previews_link_every_page_and_every_version(version_folder: Path) -> None:
    rd.write_previews(version_folder, PAGES, "Seuranta: kesäkuu 2025", version="2025-06", label="1. versio")
    first = (version_folder / "preview" / "01_a.html").read_text(encoding="utf-8")
    assert '<nav class="sp-pages" aria-label="Raportin sivut">' in first
    assert '<a href="01_a.html" aria-current="page">Budjetti</a>' in first and '<a href="02_b.html">' in first
    assert 'rel="next">Seuraava: Kohderyhmät' in first and 'rel="prev"' not in first
    assert '<a href="../../index.html">Kaikki versiot</a>' in first and 'src="../report-nav.js"' in first
    rd.write_previews(version_folder, PAGES, "Seuranta: kesäkuu 2025", version="2025-06", label="1. versio")
    again = (version_folder / "preview" / "01_a.html").read_text(encoding="utf-8")
    assert again == first  # written once, however often the previews are made


@NEEDS_QUARTO
def test_quarto_renders_the_site_and_the_pdf(version_folder: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    shutil.copy2(Path(__file__).resolve().parents[1] / "_quarto.yml", ws.root / "_quarto.yml")
    (version_folder / "kpi.csv").write_text("period;kpi\n", encoding="utf-8")
    rd.write_quarto_sources(
        version_folder,
        ws,
        version="2025-06",
        period=JUNE,
        revision=1,
        pages=PAGES,
        kpis=[],
        changes=None,
        reason=None,
        pdf_name="palvelusuunnitelma-2025-06.pdf",
        resources=["kpi.csv"],
        published="2025-07-03T09:00:00Z",
    )
    assert QUARTO is not None
    outputs = rd.render_quarto(version_folder, QUARTO, "palvelusuunnitelma-2025-06.pdf")
    assert outputs["site"] == "_site/index.html" and outputs["pdf"] == "palvelusuunnitelma-2025-06.pdf"
    assert set(outputs["seconds"]) == {"site", "pdf"}
    site = (version_folder / "_site" / "index.html").read_text(encoding="utf-8")
    assert 'lang="fi"' in site and 'id="sp-version-bar"' in site
    assert (version_folder / "_site" / "01_a.html").is_file() and (version_folder / "_site" / "report-nav.js").is_file()
    assert (version_folder / "palvelusuunnitelma-2025-06.pdf").read_bytes().startswith(b"%PDF")
    assert (version_folder / "_site" / "palvelusuunnitelma-2025-06.pdf").is_file()
    assert "print(tulos)" not in (version_folder / "_site" / "01_a.html").read_text(encoding="utf-8")
    json.loads(json.dumps(outputs))
