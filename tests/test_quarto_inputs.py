"""What Quarto is given, checked without Quarto (issue 11): on the demo report of 2025-06, published through the
batch (tests/test_gate_privacy.py's ``demo_release``; previews where Quarto is absent), with the Quarto sources
every version carries.

* every chart of every page, and of the PDF source, is Quarto's figure syntax with a non-empty ``fig-alt`` that
  is not its caption; no image anywhere is given without one;
* every table sits in a focusable, named scroll container;
* every path the site project and the PDF project refer to resolves from that project's own folder (the PDF
  project is self-contained), and the links a page follows only when viewed (every version, versions.js)
  resolve from where the site is published;
* the PDF source is a board document: the areas in order, at most two key charts each, no figure data tables.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from serviceplan.core.paths import Workspace
from serviceplan.metrics.areas import AREAS
from serviceplan.present.quarto_syntax import FIGURE_MARKER, ROLE, TABLE_MARKER, figure_markdown
from serviceplan.publish import committee_pdf, versions
from serviceplan.publish import render as rd
from test_gate_privacy import demo_release

VERSION = "2025-06"
_IMAGE = re.compile(r"!\[(?P<caption>(?:\\.|[^\]\\])*)\]\((?P<path>[^)\s]+)\)(?P<attributes>\{[^}]*\})?")
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\((?P<path>[^)\s]+)\)")
_FIG_ALT = re.compile(r'fig-alt="(?P<alt>(?:\\.|[^"\\])*)"')
_TABLE_DIV = re.compile(r'^::: \{\.sp-table tabindex="0" role="region" aria-label="(?P<name>(?:\\.|[^"\\])+)"\}$')
_HREF = re.compile(r'(?:href|src)="(?P<path>[^"]+)"')


@pytest.fixture(scope="module")
def version(tmp_path_factory: pytest.TempPathFactory, demo_raw: Path) -> Path:
    ws, _ = demo_release(tmp_path_factory, demo_raw)
    return ws.reports_dir / VERSION


def _markdown_outputs(notebook: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    content = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in content["cells"]:
        for output in cell.get("outputs", []):
            markdown = output.get("data", {}).get("text/markdown")
            if markdown is not None:
                yield "".join(markdown) if isinstance(markdown, list) else markdown, output.get("metadata", {})


def _assert_fig_alt(text: str, where: str) -> int:
    """Every image in ``text`` has a non-empty ``fig-alt`` that differs from its caption; returns how many."""
    count = 0
    for image in _IMAGE.finditer(text):
        alt = _FIG_ALT.search(image["attributes"] or "")
        assert alt is not None, f"{where}: image {image['path']} without fig-alt"
        assert alt["alt"].strip(), f"{where}: image {image['path']} with an empty fig-alt"
        assert image["caption"].strip() and image["caption"].strip() != alt["alt"].strip(), where
        count += 1
    return count


def test_every_chart_of_every_page_reaches_quarto_with_fig_alt(version: Path) -> None:
    charts = 0
    for area in AREAS:
        for text, metadata in _markdown_outputs(version / area.notebook):
            found = _assert_fig_alt(text, area.notebook)
            figure = metadata.get(FIGURE_MARKER)
            assert (figure is not None) == (found == 1), f"{area.notebook}: figure metadata and Markdown disagree"
            if figure is not None:
                assert text == figure_markdown(figure["path"], figure["alt"], figure["caption"])
                assert (version / figure["path"]).is_file()
                charts += 1
    assert charts >= 2 * len(AREAS)  # every page shows charts


def test_every_table_is_in_a_focusable_named_container(version: Path) -> None:
    tables = 0
    for area in AREAS:
        for text, metadata in _markdown_outputs(version / area.notebook):
            if TABLE_MARKER in metadata or metadata.get(ROLE) == "kpis":
                first = text.split("\n")[0]
                assert _TABLE_DIV.match(first), f"{area.notebook}: a table outside its container: {first[:80]}"
                assert "\n:::" in text
                tables += 1
    assert tables > len(AREAS)


def _site_references(version: Path) -> tuple[set[str], set[str]]:
    """Paths the site project refers to: in its ``_quarto.yml``, and in the Markdown Quarto renders (images and
    links of index.qmd and of the pages' outputs and Markdown cells)."""
    config = yaml.safe_load((version / "_quarto.yml").read_text(encoding="utf-8"))
    html = config["format"]["html"]
    from_config = {*config["project"]["render"], *config["project"]["resources"], *html["css"]}
    from_config.add(html["include-before-body"])
    texts = [(version / "index.qmd").read_text(encoding="utf-8")]
    for area in AREAS:
        texts += [text for text, _ in _markdown_outputs(version / area.notebook)]
        content = json.loads((version / area.notebook).read_text(encoding="utf-8"))
        texts += ["".join(c["source"]) for c in content["cells"] if c["cell_type"] == "markdown"]
    in_markdown = set()
    for text in texts:
        in_markdown |= {m["path"] for m in _IMAGE.finditer(text)} | {m["path"] for m in _LINK.finditer(text)}
    return from_config, {p for p in in_markdown if not re.match(r"^[a-z]+:", p)}


def test_every_path_of_the_site_project_resolves_in_the_version_folder(version: Path) -> None:
    from_config, in_markdown = _site_references(version)
    missing = {p for p in from_config | in_markdown if not (version / p).is_file()}
    # The PDF is made by the PDF project, run beside the site, and copied into _site/ after both have finished.
    assert missing == {rd.pdf_file_name(VERSION)}
    assert all(".." not in Path(p).parts for p in from_config | in_markdown)


def test_links_followed_when_viewed_resolve_from_the_published_site(version: Path) -> None:
    bar = (version / rd.VERSION_BAR).read_text(encoding="utf-8")
    site = version / rd.SITE_DIR  # where Quarto writes the pages (absent without Quarto: the paths are the same)
    outside = {m["path"] for m in _HREF.finditer(bar) if m["path"].startswith("../")}
    assert outside == {"../../index.html", "../../saavutettavuus.html"}
    for path in outside:
        assert (site / path).resolve().is_file()
    root = re.search(r'data-report-root="([^"]+)"', bar)
    assert root is not None and (site / root[1] / versions.VERSIONS_SCRIPT).resolve().is_file()
    preview = version / "preview" / "01_budget.html"
    if preview.is_file():  # the previews: the same bar, one folder down from the version too
        links = {m["path"] for m in _HREF.finditer(preview.read_text(encoding="utf-8"))}
        for path in {p for p in links if p.startswith("../")}:
            assert (preview.parent / path).resolve().is_file(), path


def test_the_pdf_project_is_self_contained(version: Path) -> None:
    pdf = version / rd.PDF_DIR
    config = yaml.safe_load((pdf / "_quarto.yml").read_text(encoding="utf-8"))
    referenced = {*config["project"]["render"], config["format"]["typst"]["template"]}
    document = (pdf / config["project"]["render"][0]).read_text(encoding="utf-8")
    images = {m["path"] for m in _IMAGE.finditer(document)}
    assert _assert_fig_alt(document, "the PDF source") == len(images) > 0
    for path in referenced | images:
        assert ".." not in Path(path).parts and not Path(path).is_absolute(), path
        assert (pdf / path).is_file(), f"pdf/{path} is referred to but missing"
    assert not _LINK.search(document.replace("](figures/", "")), "the PDF source links to a file"
    template = (pdf / committee_pdf.TEMPLATE).read_text(encoding="utf-8")
    assert not re.search(r'(image|read|include)\(\s*"', template), "the template loads a file"


def test_the_pdf_source_is_a_board_document(version: Path) -> None:
    pdf = version / rd.PDF_DIR
    document = (pdf / f"palvelusuunnitelma-{VERSION}.qmd").read_text(encoding="utf-8")
    headings = [line for line in document.splitlines() if line.startswith("# ")]
    page_headings = []
    for area in AREAS:  # each page's own heading, in the report's order
        cells = json.loads((version / area.notebook).read_text(encoding="utf-8"))["cells"]
        first = next(c for c in cells if c["cell_type"] == "markdown")
        page_headings.append("".join(first["source"]).splitlines()[0])
    assert headings == [*page_headings, "# Tietoa raportista {.unnumbered}"]
    sections = document.split("\n# ")[1 : len(AREAS) + 1]
    for area, section in zip(AREAS, sections, strict=True):
        charts = len(_IMAGE.findall(section))
        assert 1 <= charts <= 2, f"{area.notebook}: {charts} charts in the PDF"
        assert f"({Path(area.notebook).stem}.html)" in section  # where the figures' numbers are
        if area.kpi_function is not None:
            assert "| Tunnusluku |" in section
    assert "Kuvion luvut" not in document  # the figure data tables stay on the site
    assert not (set(pdf.rglob("*.png")) - {pdf / p for p in map(lambda m: m["path"], _IMAGE.finditer(document))})


def test_versions_json_at_the_report_root(version: Path) -> None:
    document = json.loads((version.parent / versions.VERSIONS_FILE).read_text(encoding="utf-8"))
    (entry,) = [v for v in document["versions"] if v["version"] == VERSION]
    assert set(entry) == {"version", "period", "revision", "label", "published", "status", "latest", "report", "pdf"}
    assert entry["status"] == "current" and entry["label"] == "1. versio"
    assert (version.parent / entry["report"]).is_file()


def test_the_workspace_settings_reach_both_projects(version: Path) -> None:
    repo = Workspace(Path(__file__).resolve().parents[1])
    typst = rd.shared_settings(repo)["format"]["typst"]
    template = (version / rd.PDF_DIR / committee_pdf.TEMPLATE).read_text(encoding="utf-8")
    assert f'paper: "{typst["papersize"]}"' in template
    assert f"margin: (x: {typst['margin']['x']}, y: {typst['margin']['y']})" in template
