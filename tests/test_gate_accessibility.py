"""Gate 3, accessibility (WCAG 2.1 AA, Act 306/2019): axe-core in headless Chromium over the published HTML, the
report's own rules (Finnish language, alt text, a table for every chart) and the accessibility statement.

The axe-core tests need Chromium and chromedriver (Debian: ``chromium``, ``chromium-driver``; ``.ci/run``
installs them) and skip, saying so, only when those are absent; axe-core itself comes from ``npm ci`` and its
absence is an error. The report-rule and statement tests need no browser.

The published report is the demo report of 2025-06 made once per session by the gated batch of
``tests/test_gate_privacy.py`` (previews where Quarto is absent, the Quarto site where it is present).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from serviceplan.core.params import Params, load_params
from serviceplan.core.paths import Workspace
from serviceplan.metrics.areas import AREAS
from serviceplan.publish import accessibility_gate as accessibility
from serviceplan.publish.accessibility_gate import AxeSession, page_problems
from test_gate_privacy import demo_release

REPO = Path(__file__).resolve().parents[1]
BROWSER = accessibility.find_browser()
NO_BROWSER = (
    "Chromium and chromedriver are not installed (Debian: apt-get install chromium chromium-driver; "
    ".ci/run installs them), so axe-core cannot run"
)


@pytest.fixture(scope="module")
def params() -> Params:
    return load_params(2025, REPO / "params")


@pytest.fixture(scope="module")
def axe() -> Iterator[AxeSession]:
    """One headless Chromium with axe-core for the module's pages."""
    if BROWSER is None:
        pytest.skip(NO_BROWSER)
    with AxeSession(BROWSER) as session:
        yield session


@pytest.fixture(scope="session")
def published_demo(tmp_path_factory: pytest.TempPathFactory, demo_raw: Path) -> tuple[Workspace, float]:
    return demo_release(tmp_path_factory, demo_raw)


def page(body: str, *, lang: str | None = "fi", style: str = "") -> str:
    html_lang = f' lang="{lang}"' if lang is not None else ""
    return (
        f'<!DOCTYPE html>\n<html{html_lang}>\n<head>\n<meta charset="utf-8">\n<title>Testisivu</title>\n'
        f"<style>body {{ color: #1a1a1a; background: #fff; }} {style}</style>\n</head>\n"
        f"<body>\n<main>\n<h1>Testisivu</h1>\n{body}\n</main>\n</body>\n</html>\n"
    )


CHART = '<img src="kuva.png" alt="Pylväskaavio: työttömät kuukausittain; luvut ovat kuvion alla olevassa taulukossa.">'
TABLE = (
    '<table><caption>Kuvion luvut</caption><thead><tr><th scope="col">Kuukausi</th><th scope="col">Työttömät</th>'
    "</tr></thead><tbody><tr><td>kesä 2025</td><td>8 748</td></tr></tbody></table>"
)


# --- the report's own rules (no browser) -------------------------------------------------------------------------


def test_a_good_page_keeps_the_report_rules() -> None:
    two_charts_one_table = f"<h2>Ammattialat</h2>\n{CHART}\n{CHART}\n<p>Kuvioiden luvut:</p>\n{TABLE}"
    assert page_problems(page(f"{CHART}\n{TABLE}\n{two_charts_one_table}"), "hyva.html") == []


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        (page(f"{CHART}{TABLE}", lang=None), 'hyva.html: the page has no language (expected <html lang="fi">)'),
        (page(f"{CHART}{TABLE}", lang="en"), "hyva.html: the page language is 'en' (expected \"fi\")"),
        (page(f'<img src="kuva.png">{TABLE}'), "hyva.html, line 11: image 'kuva.png' has no text alternative (alt)"),
        (page(f'<img src="kuva.png" alt=" ">{TABLE}'), "hyva.html, line 11: image 'kuva.png' has no text alternative"),
        (
            page(f"{CHART}\n<h2>Seuraava osio</h2>\n{TABLE}"),
            "hyva.html, line 11: chart 'kuva.png' is not followed by a table of its numbers in its section",
        ),
        (page(f"{TABLE}\n{CHART}"), "hyva.html, line 12: chart 'kuva.png' is not followed by a table"),
    ],
)
def test_report_rules_name_the_page_and_line(html: str, problem: str) -> None:
    problems = page_problems(html, "hyva.html")
    assert len(problems) == 1 and problems[0].startswith(problem)


def test_decorative_images_need_no_table() -> None:
    assert page_problems(page('<img src="logo.png" alt="" role="presentation">'), "logo.html") == []


def test_published_pages_are_the_site_where_quarto_rendered_one(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    for name in ("2025-05/preview/01_budget.html", "2025-06/_site/index.html", "2025-06/_site/site_libs/x.html"):
        (reports / name).parent.mkdir(parents=True, exist_ok=True)
        (reports / name).write_text(page(""), encoding="utf-8")
    (reports / "2025-06" / "preview").mkdir()
    (reports / "2025-06" / "preview" / "01_budget.html").write_text(page(""), encoding="utf-8")
    (reports / ".failed" / "x").mkdir(parents=True)
    (reports / ".failed" / "x" / "y.html").write_text(page(""), encoding="utf-8")
    (reports / "index.html").write_text(page(""), encoding="utf-8")
    shown = [p.relative_to(reports).as_posix() for p in accessibility.published_pages(reports)]
    assert shown == ["index.html", "2025-05/preview/01_budget.html", "2025-06/_site/index.html"]


# --- the accessibility statement ---------------------------------------------------------------------------------


def test_statement_is_finnish_complete_and_deterministic(workspace: Workspace, params: Params) -> None:
    path = accessibility.write_statement(workspace, params)
    assert path == workspace.reports_dir / "saavutettavuus.html"
    text = path.read_text(encoding="utf-8")
    assert '<html lang="fi">' in text
    for heading in (
        "<h1>Saavutettavuusseloste</h1>",
        "<h2>Saavutettavuuden tila</h2>",
        "<h2>Sisältö, joka ei ole vielä saavutettavaa</h2>",
        "<h2>Anna palautetta saavutettavuudesta</h2>",
        "<h2>Valvontaviranomainen</h2>",
    ):
        assert heading in text
    facts = params.accessibility
    day = facts.statement_date
    assert f"Seloste on laadittu {day.day}.{day.month}.{day.year}." in text
    assert "täyttää saavutettavuusvaatimukset osittain" in text  # conformance: partial
    assert f'<a href="mailto:{facts.feedback_email}">' in text and f'<a href="{facts.supervisor_url}">' in text
    assert f"Vastaamme {facts.response_days} päivän" in text
    assert page_problems(text, "saavutettavuus.html") == []
    before = path.stat().st_mtime_ns
    accessibility.write_statement(workspace, params)
    assert path.read_text(encoding="utf-8") == text and path.stat().st_mtime_ns == before  # not rewritten


def test_landing_page_and_previews_link_to_the_statement(published_demo: tuple[Workspace, float]) -> None:
    ws, _ = published_demo
    statement = ws.reports_dir / accessibility.STATEMENT_FILE
    assert statement.is_file()
    landing = ws.reports_dir / "index.html"
    assert '<a href="saavutettavuus.html">Saavutettavuusseloste</a>' in landing.read_text(encoding="utf-8")
    preview_index = ws.reports_dir / "2025-06" / "preview" / "index.html"
    if preview_index.is_file():  # the previews exist where Quarto is absent
        assert '<a href="../../saavutettavuus.html">' in preview_index.read_text(encoding="utf-8")
        assert (preview_index.parent / "../../saavutettavuus.html").resolve() == statement.resolve()


# --- axe-core in headless Chromium --------------------------------------------------------------------------------


def test_a_good_page_has_no_axe_violations(axe: AxeSession, tmp_path: Path) -> None:
    good = tmp_path / "hyva.html"
    good.write_text(page(f"{CHART}\n{TABLE}"), encoding="utf-8")
    report = accessibility.check_pages([good], root=tmp_path, session=axe)
    assert report.violations == [] and report.problems == [] and report.ok


@pytest.mark.parametrize(
    ("html", "rule", "impact"),
    [
        (page(f'<img src="kuva.png">{TABLE}'), "image-alt", "critical"),
        (page(f"{CHART}{TABLE}", lang=None), "html-has-lang", "serious"),
        (page('<p class="vaalea">Vaalea teksti</p>', style=".vaalea { color: #b0b0b0; }"), "color-contrast", "serious"),
    ],
    ids=["image-without-alt", "page-without-lang", "low-contrast-text"],
)
def test_axe_fails_the_gate_on_serious_violations(
    axe: AxeSession, tmp_path: Path, html: str, rule: str, impact: str
) -> None:
    bad = tmp_path / "huono.html"
    bad.write_text(html, encoding="utf-8")
    report = accessibility.check_pages([bad], root=tmp_path, session=axe)
    found = {(v.rule, v.impact) for v in report.violations}
    assert (rule, impact) in found
    assert not report.ok
    assert any(line.startswith(f"huono.html: {impact} {rule}: ") for line in report.blocking)


def test_the_published_report_passes_the_gate(axe: AxeSession, published_demo: tuple[Workspace, float]) -> None:
    ws, _ = published_demo
    pages = accessibility.published_pages(ws.reports_dir)
    shown = {p.relative_to(ws.reports_dir).as_posix() for p in pages}
    assert {"index.html", "saavutettavuus.html"} <= shown
    site = (ws.reports_dir / "2025-06" / "_site").is_dir()
    if not site:
        assert {f"2025-06/preview/{Path(area.notebook).stem}.html" for area in AREAS} <= shown
    report = accessibility.check_pages(pages, root=ws.reports_dir, session=axe)
    print(report.summary())
    for violation in report.violations:
        print(violation)
    assert report.blocking == []
    assert len(report.pages) == len(pages)


def test_command_line_reports_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if BROWSER is None:
        pytest.skip(NO_BROWSER)
    bad = tmp_path / "huono.html"
    bad.write_text(page(f'<img src="kuva.png">{TABLE}'), encoding="utf-8")
    assert accessibility.main([str(bad)]) == 1
    out = capsys.readouterr().out
    assert "critical image-alt" in out and "has no text alternative" in out and "1 page(s) checked" in out
