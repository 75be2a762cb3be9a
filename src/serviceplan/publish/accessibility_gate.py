"""Gate 3, accessibility (WCAG 2.1 AA, Finnish Act 306/2019): the published HTML is checked, and the
accessibility statement the law asks for is written beside the landing page.

What is checked, page by page (:func:`check_pages`):

* **axe-core** in headless Chromium, all its rules (WCAG 2.0 and 2.1 A and AA, and best practices): no violation
  of impact ``serious`` or ``critical`` (lesser ones are reported, not failed). axe-core comes from
  npm (``npm ci`` installs the version pinned in ``package-lock.json`` into ``node_modules/``); Chromium and
  chromedriver come from the system (Debian: ``chromium``, ``chromium-driver``) and are driven with Selenium.
  The browser is started with a new, empty profile and every request outside ``file:`` is blocked, so a check
  never touches the network.
* **report rules** (:func:`page_problems`, plain HTML parsing, no browser): the page language is Finnish
  (``<html lang="fi">``), every image (a chart) has a non-empty text alternative, and every chart is followed by
  a table in its section (charts of one section may share one), so that its numbers are available as text too.

Which pages (:func:`published_pages`): the landing page and the accessibility statement in ``reports/``, and for
each version its Quarto site (``_site/``) where Quarto rendered one, else its HTML previews (``preview/``).

Why this way: axe-core is the rule engine behind most accessibility checkers and maps its rules to WCAG success
criteria; Selenium with the system's chromedriver needs no browser download. The report rules are ours because
they are this report's own promises (a table for every chart), which no generic checker knows.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import TracebackType
from typing import Any

from serviceplan.core.errors import ServiceplanError
from serviceplan.core.params import Params
from serviceplan.core.paths import CHECKOUT, Workspace
from serviceplan.publish.render import report_title, shared_settings
from serviceplan.publish.report_templates import render_template
from serviceplan.publish.versions import write_atomic

STATEMENT_FILE = "saavutettavuus.html"
GATING_IMPACTS = ("serious", "critical")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1024",
)
ENV_CHROMIUM = "SERVICEPLAN_CHROMIUM"
ENV_CHROMEDRIVER = "SERVICEPLAN_CHROMEDRIVER"
ENV_AXE = "SERVICEPLAN_AXE"


class AccessibilityError(ServiceplanError):
    """The accessibility check cannot run (no browser, no axe-core) or found violations that block publishing."""


# --- tools -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Browser:
    """A Chromium and the chromedriver of the same version."""

    chromium: str
    chromedriver: str


def find_browser() -> Browser | None:
    """Chromium and chromedriver from ``SERVICEPLAN_CHROMIUM`` / ``SERVICEPLAN_CHROMEDRIVER`` or the PATH."""
    chromium = os.environ.get(ENV_CHROMIUM) or next(
        (found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))), None
    )
    chromedriver = os.environ.get(ENV_CHROMEDRIVER) or shutil.which("chromedriver")
    if not chromium or not chromedriver:
        return None
    return Browser(chromium, chromedriver)


def find_axe() -> Path | None:
    """``axe.min.js`` from ``SERVICEPLAN_AXE``, or ``node_modules/axe-core`` of the checkout or the current folder."""
    env = os.environ.get(ENV_AXE)
    candidates = [Path(env)] if env else []
    candidates += [root / "node_modules" / "axe-core" / "axe.min.js" for root in (CHECKOUT, Path.cwd())]
    return next((path for path in candidates if path.is_file()), None)


def axe_version(script: Path) -> str:
    """The version of an ``axe.min.js`` (from the package.json beside it), or ``unknown``."""
    package = script.parent / "package.json"
    try:
        return str(json.loads(package.read_text(encoding="utf-8")).get("version", "unknown"))
    except (OSError, ValueError):
        return "unknown"


# --- results -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    """One axe rule a page breaks: the rule, its impact, its WCAG tags, and the elements (CSS selectors)."""

    page: str
    rule: str
    impact: str
    help: str
    tags: tuple[str, ...]
    targets: tuple[str, ...]

    @property
    def gating(self) -> bool:
        return self.impact in GATING_IMPACTS

    def __str__(self) -> str:
        shown = ", ".join(self.targets[:3]) + (f" (+{len(self.targets) - 3})" if len(self.targets) > 3 else "")
        return f"{self.page}: {self.impact} {self.rule}: {self.help} [{shown}]"


@dataclass
class Report:
    """What :func:`check_pages` found: axe violations of every impact and report-rule problems, per page."""

    pages: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    axe: str = ""

    @property
    def blocking(self) -> list[str]:
        """What fails the gate: serious and critical axe violations and every report-rule problem."""
        return [str(v) for v in self.violations if v.gating] + list(self.problems)

    @property
    def ok(self) -> bool:
        return not self.blocking

    def summary(self) -> str:
        """One line: pages, time, and the counts by impact."""
        counts: dict[str, int] = {}
        for v in self.violations:
            counts[v.impact] = counts.get(v.impact, 0) + 1
        impacts = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no violations"
        return (
            f"{len(self.pages)} page(s) checked with axe-core {self.axe} in {self.seconds:.1f} s: {impacts}; "
            f"{len(self.problems)} report-rule problem(s)"
        )


# --- report rules (no browser) -----------------------------------------------------------------------------------


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.seen_html = False
        self.events: list[tuple[str, int, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        line = self.getpos()[0]
        if tag == "html" and not self.seen_html:
            self.seen_html = True
            self.lang = values.get("lang")
        elif tag in ("img", "table", *_HEADINGS):
            self.events.append((tag, line, values))

    handle_startendtag = handle_starttag


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def page_problems(html_text: str, page: str) -> list[str]:
    """The report's own rules on one page: Finnish ``lang``, a text alternative on every image, and every chart
    followed by a table of its numbers in the same section (charts of one section may share a table). Each
    problem names the page and the line."""
    parser = _PageParser()
    parser.feed(html_text)
    parser.close()
    problems = []
    if not parser.seen_html or not (parser.lang or "").strip():
        problems.append(f'{page}: the page has no language (expected <html lang="fi">)')
    elif parser.lang.strip().lower().split("-")[0] != "fi":
        problems.append(f'{page}: the page language is {parser.lang!r} (expected "fi")')
    pending: list[tuple[int, str]] = []  # charts of the current section not yet followed by a table
    for tag, line, attrs in parser.events:
        if tag == "table":
            pending = []
        elif tag in _HEADINGS:
            problems.extend(_unpaired(page, *chart) for chart in pending)
            pending = []
        elif attrs.get("role") != "presentation" and attrs.get("aria-hidden") != "true":
            source = str(attrs.get("src") or "")
            shown = source[:60] + ("…" if len(source) > 60 else "")
            alt = attrs.get("alt")
            if alt is None or not alt.strip():
                problems.append(f"{page}, line {line}: image {shown!r} has no text alternative (alt)")
            pending.append((line, shown))
    problems.extend(_unpaired(page, *chart) for chart in pending)
    return problems


def _unpaired(page: str, line: int, image: str) -> str:
    return f"{page}, line {line}: chart {image!r} is not followed by a table of its numbers in its section"


# --- axe-core in headless Chromium --------------------------------------------------------------------------------

_RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(result => done(JSON.stringify(result.violations)))
  .catch(error => done(JSON.stringify({error: String(error)})));
"""


class AxeSession:
    """A headless Chromium with axe-core, for checking pages one after another (start once, check many).

    Use as a context manager; the browser's temporary profile is removed at the end.
    """

    def __init__(self, browser: Browser | None = None, axe: Path | None = None, timeout: float = 120.0):
        browser = browser or find_browser()
        if browser is None:
            raise AccessibilityError(
                "Chromium and chromedriver were not found: install them (Debian: apt-get install chromium "
                f"chromium-driver) or set {ENV_CHROMIUM} and {ENV_CHROMEDRIVER}"
            )
        axe = axe or find_axe()
        if axe is None:
            raise AccessibilityError(f"axe-core was not found: run `npm ci` in {CHECKOUT} or set {ENV_AXE}")
        self.browser = browser
        self.axe_path = axe
        self.axe = axe_version(axe)
        self.timeout = timeout
        self._script = axe.read_text(encoding="utf-8")
        self._profile: str | None = None
        self._driver: Any = None

    def __enter__(self) -> AxeSession:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self._profile = tempfile.mkdtemp(prefix="serviceplan-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = self.browser.chromium
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={self._profile}"):
            options.add_argument(flag)
        try:
            self._driver = webdriver.Chrome(service=Service(self.browser.chromedriver), options=options)
        except Exception as exc:
            shutil.rmtree(self._profile, ignore_errors=True)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise AccessibilityError(f"headless Chromium did not start: {first}") from None
        self._driver.set_page_load_timeout(self.timeout)
        self._driver.set_script_timeout(self.timeout)
        self._driver.execute_cdp_cmd("Network.enable", {})
        self._driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http://*", "https://*", "ws://*", "wss://*"]})
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            if self._driver is not None:
                self._driver.quit()
        finally:
            self._driver = None
            if self._profile:
                shutil.rmtree(self._profile, ignore_errors=True)

    def check(self, path: Path, shown: str | None = None) -> list[Violation]:
        """axe-core's violations on the page at ``path`` (a local HTML file)."""
        if self._driver is None:
            raise AccessibilityError("AxeSession.check called outside its `with` block")
        shown = shown or path.name
        self._driver.get(path.resolve().as_uri())
        self._driver.execute_script(self._script)
        raw = json.loads(self._driver.execute_async_script(_RUN_AXE))
        if isinstance(raw, dict):
            raise AccessibilityError(f"axe-core failed on {shown}: {raw.get('error')}")
        return [
            Violation(
                page=shown,
                rule=str(item.get("id")),
                impact=str(item.get("impact") or "minor"),
                help=str(item.get("help", "")),
                tags=tuple(str(t) for t in item.get("tags", [])),
                targets=tuple(" ".join(str(part) for part in node.get("target", [])) for node in item.get("nodes", [])),
            )
            for item in raw
        ]


def check_pages(pages: Sequence[Path], root: Path | None = None, session: AxeSession | None = None) -> Report:
    """axe-core and the report rules over ``pages`` (names shown relative to ``root``)."""
    started = time.perf_counter()
    report = Report()

    def shown(path: Path) -> str:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix() if root else path.name
        except ValueError:
            return path.as_posix()

    with contextlib.ExitStack() as stack:
        active = session or stack.enter_context(AxeSession())
        report.axe = active.axe
        for path in pages:
            name = shown(path)
            report.pages.append(name)
            report.violations.extend(active.check(path, name))
            report.problems.extend(page_problems(path.read_text(encoding="utf-8", errors="replace"), name))
    report.seconds = time.perf_counter() - started
    return report


def published_pages(reports_dir: Path) -> list[Path]:
    """The HTML a reader gets from ``reports/``: the landing page, the accessibility statement, and each
    version's Quarto site, or its previews where there is no site."""
    pages = [reports_dir / name for name in ("index.html", STATEMENT_FILE) if (reports_dir / name).is_file()]
    for folder in sorted(p for p in reports_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        site = folder / "_site"
        if site.is_dir():
            pages.extend(sorted(p for p in site.rglob("*.html") if "site_libs" not in p.parts))
        elif (folder / "preview").is_dir():
            pages.extend(sorted((folder / "preview").glob("*.html")))
    return pages


# --- the accessibility statement ---------------------------------------------------------------------------------

CONFORMANCE_FI = {
    "full": "täyttää saavutettavuusvaatimukset",
    "partial": "täyttää saavutettavuusvaatimukset osittain",
    "none": "ei täytä saavutettavuusvaatimuksia",
}


def _date_fi(value: Any) -> str:
    return f"{value.day}.{value.month}.{value.year}"


def statement_html(params: Params, title: str) -> str:
    """The accessibility statement (saavutettavuusseloste) as a Finnish HTML page."""
    facts = params.accessibility
    return render_template(
        "saavutettavuus.html.j2",
        title=title,
        organisation=facts.organisation,
        conformance=CONFORMANCE_FI[facts.conformance],
        assessed_on=_date_fi(facts.assessed_on),
        statement_date=_date_fi(facts.statement_date),
        feedback_email=facts.feedback_email,
        response_days=facts.response_days,
        supervisor=facts.supervisor,
        supervisor_url=facts.supervisor_url,
        gating=" tai ".join({"serious": "vakavia", "critical": "kriittisiä"}[i] for i in GATING_IMPACTS),
    )


def write_statement(ws: Workspace, params: Params) -> Path:
    """Write ``reports/saavutettavuus.html`` (atomically; unchanged text is not rewritten), linked from the
    landing page."""
    title = report_title(shared_settings(ws))
    text = statement_html(params, title)
    path = ws.reports_dir / STATEMENT_FILE
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return path
    ws.reports_dir.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, text)


# --- command line -------------------------------------------------------------------------------------------------


def _iter_pages(arguments: Iterable[str]) -> Iterator[Path]:
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            yield from published_pages(path)
        else:
            yield path


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m serviceplan.publish.accessibility_gate [reports/ | page.html ...]``: check and print; exit 1 on a
    failure."""
    arguments = list(sys.argv[1:] if argv is None else argv) or ["reports"]
    pages = list(_iter_pages(arguments))
    if not pages:
        print(f"no HTML pages found in {', '.join(arguments)}")
        return 1
    try:
        report = check_pages(pages, root=Path.cwd())
    except AccessibilityError as exc:
        print(f"error: {exc}")
        return 2
    for violation in report.violations:
        print(violation)
    for problem in report.problems:
        print(problem)
    print(report.summary())
    return 0 if report.ok else 1


if __name__ == "__main__":  # pragma: no cover - a thin command line over check_pages
    raise SystemExit(main())
