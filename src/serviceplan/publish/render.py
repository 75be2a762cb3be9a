"""Render a version for readers: its Quarto site and committee PDF (or HTML previews without Quarto), and the
report root: the landing page that lists every version and ``versions.json``.

Quarto (1.7 or newer) turns a version folder into two self-contained Quarto projects, rendered side by side
(two independent ``quarto render`` processes, one per core):

* the **site** (the version folder itself: ``_quarto.yml``, the front page ``index.qmd`` and the executed
  notebooks; output in ``_site/``). Nothing is executed again: Quarto renders the outputs the notebooks hold, with
  code hidden. Charts reach it in Quarto's figure syntax with ``fig-alt``, tables in a focusable scroll container
  (see :mod:`serviceplan.present.charts` and :mod:`serviceplan.present.tables`);
* the **committee PDF** (``pdf/``, Quarto's ``typst`` format, no LaTeX): a board document assembled from the
  notebooks by :mod:`serviceplan.publish.committee_pdf`, with its own copies of the charts it shows.

Every path either project refers to resolves inside its own folder. Two kinds of link point outside a version on
purpose and are followed only when a reader views a page: the link to the list of all versions
(``../../index.html`` from a page) and ``versions.js`` at the report root, which ``report-nav.js`` loads to say,
on the pages of a version that a later revision superseded, which version is the newest. The PDF is copied into
``_site/`` and beside it once both runs have finished.

Without Quarto every executed notebook gets an nbconvert HTML preview (outputs only, ``lang="fi"``) with the same
navigation, and the run says in one line how to install Quarto and that ``serviceplan render`` adds the site and
the PDF to the published version later (:mod:`serviceplan.publish.rerender`).

Shared look and settings come from the workspace's ``_quarto.yml`` (``lang``, ``execute``, ``website``,
``format.html`` and ``format.typst``); the settings of a version (its title, pages, output folder) are added
here. Adding a month renders that month's folder and the report root only, so the cost of publishing stays flat
as the archive grows.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from serviceplan.core.errors import RunError
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.present import symbols
from serviceplan.publish import committee_pdf, versions
from serviceplan.publish.report_templates import (
    TEMPLATES,
    date_fi,
    markdown_cell_text,
    number_fi,
    period_fi,
    render_template,
    revision_label_fi,
)

__all__ = ["date_fi", "number_fi", "period_fi", "render_template", "revision_label_fi"]  # used by other modules

MIN_QUARTO = (1, 7)
RENDER_COMMAND = "serviceplan render"
QUARTO_MISSING = (
    "Quarto {found}not found on PATH, so the site and the PDF were not rendered (HTML previews were written "
    "instead); install Quarto 1.7 or newer with `conda install -c conda-forge quarto`, `pip install quarto-cli` "
    "where internet is available, or from https://quarto.org, then run `" + RENDER_COMMAND + "` to add the site and "
    "the PDF to the published version(s)."
)
SITE_DIR = "_site"
PDF_DIR = "pdf"
PREVIEW_DIR = "preview"
FIGURES_DIR = "figures"
SITE_CSS = "site.css"
NAV_SCRIPT = "report-nav.js"
VERSION_BAR = "version-bar.html"
DEFAULT_TITLE = "Työllisyyspalvelujen palvelusuunnitelman seuranta"
DEFAULT_ORGANISATION = "Lahden kaupunki"
FRONT_PAGE_TITLE = "Etusivu"
STATUS_FI = {"ok": "Tavoitteessa", "warn": "Lähellä rajaa", "alert": "Poikkeama", "none": "Ei tavoitetta"}
PDF_KEYWORDS = ("työllisyyspalvelut", "palvelusuunnitelma", "Lahti", "kuukausiraportti", "tunnusluvut")


def pdf_file_name(version: str) -> str:
    """The committee PDF's file name: ``palvelusuunnitelma-<version>.pdf``."""
    return f"palvelusuunnitelma-{version}.pdf"


@dataclass(frozen=True)
class Page:
    """One page of a version: an executed notebook and its Finnish title."""

    notebook: str  # file name in the version folder
    title: str


# --- change log in Finnish ---------------------------------------------------------------------------------------


def change_lines(changes: Mapping[str, Any] | None) -> list[str]:
    """A revision's changelog as short Finnish lines for readers."""
    if not changes:
        return []
    lines = []
    inputs = changes.get("inputs", {})
    parts = []
    for key, word in (("changed", "muuttunut"), ("added", "lisätty"), ("removed", "poistettu")):
        files = [Path(f).name for f in inputs.get(key, [])]
        if files:
            parts.append(f"{word} {', '.join(files)}")
    if parts:
        lines.append("Lähtötiedot: " + "; ".join(parts))
    if changes.get("parameters"):
        lines.append("Parametrit: " + ", ".join(changes["parameters"]))
    if changes.get("code"):
        code = changes["code"]
        if code.get("from_commit") != code.get("to_commit"):
            lines.append(
                f"Ohjelmakoodi: versio {str(code.get('from_commit'))[:10]} → {str(code.get('to_commit'))[:10]}"
            )
        else:
            lines.append(
                f"Ohjelmakoodi: paikallisia muutoksia (tiiviste {str(code.get('from_digest'))[:10]} → "
                f"{str(code.get('to_digest'))[:10]})"
            )
    if changes.get("packages"):
        lines.append("Ohjelmistoversiot: " + ", ".join(changes["packages"]))
    if changes.get("notebooks"):
        lines.append("Raporttisivut: " + ", ".join(changes["notebooks"]))
    for kpi in changes.get("kpis", []):
        unit = kpi.get("unit", "")
        if kpi.get("change") == "added":
            lines.append(f"Uusi tunnusluku {kpi['label']}: {number_fi(kpi.get('new'), unit)}")
        elif kpi.get("change") == "removed":
            lines.append(f"Poistunut tunnusluku {kpi['label']}")
        else:
            text = f"{kpi['label']}: {number_fi(kpi.get('old'), unit)} → {number_fi(kpi.get('new'), unit)}"
            if kpi.get("old_target") != kpi.get("new_target"):
                text += (
                    f" (tavoite {number_fi(kpi.get('old_target'), unit)} → {number_fi(kpi.get('new_target'), unit)})"
                )
            lines.append(text)
    if not lines:
        lines.append("Ei muutoksia lähtötiedoissa, parametreissa, koodissa eikä tunnusluvuissa.")
    return lines


# --- Quarto ------------------------------------------------------------------------------------------------------


def parse_quarto_version(text: str) -> tuple[int, ...] | None:
    """``1.7.31`` -> ``(1, 7, 31)``; ``None`` when the text is not a version."""
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", text or "")
    if not match:
        return None
    return tuple(int(part) for part in match.groups() if part is not None)


@dataclass(frozen=True)
class Quarto:
    """A usable Quarto installation."""

    executable: str
    version: str


def find_quarto() -> tuple[Quarto | None, str | None]:
    """The Quarto on PATH if it is 1.7 or newer, else ``(None, version found or None)``."""
    executable = shutil.which("quarto")
    if executable is None:
        return None, None
    try:
        done = subprocess.run(
            [executable, "--version"], capture_output=True, text=True, timeout=60, check=False, encoding="utf-8"
        )
    except (OSError, subprocess.SubprocessError):
        return None, None
    text = done.stdout.strip()
    version = parse_quarto_version(text)
    if done.returncode != 0 or version is None:
        return None, None
    if version < MIN_QUARTO:
        return None, text
    return Quarto(executable, text), text


def quarto_missing_message(found: str | None) -> str:
    """The one line printed when the site and PDF cannot be rendered."""
    return QUARTO_MISSING.format(found=f"1.7 or newer (found {found}) " if found else "")


def shared_settings(ws: Workspace) -> dict[str, Any]:
    """The workspace's ``_quarto.yml`` as a mapping (empty when the file is missing)."""
    path = ws.quarto_config
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise RunError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise RunError(f"{path}: expected a mapping at the top level")
    return data


def report_title(settings: Mapping[str, Any]) -> str:
    """The report's name (``website.title`` of the workspace's ``_quarto.yml``)."""
    return str((settings.get("website") or {}).get("title") or DEFAULT_TITLE)


def version_title(settings: Mapping[str, Any], period: Period, revision: int) -> str:
    """``<report title>: kesäkuu 2025`` (and ``, 2. versio (korjaus)`` for a revision)."""
    title = f"{report_title(settings)}: {period_fi(period)}"
    return title + (f", {revision_label_fi(revision)}" if revision > 1 else "")


def site_config(
    settings: Mapping[str, Any],
    pages: Sequence[Page],
    title: str,
    resources: Sequence[str],
    sidebar_title: str | None = None,
) -> dict[str, Any]:
    """The ``_quarto.yml`` of one version's website (HTML only; the PDF is its own project).

    Quarto website options used (quarto.org/docs/websites/website-navigation.html, .../reference/projects/
    websites.html): ``sidebar`` (docked, an explicit page list: each page once, the front page as "Etusivu"),
    ``project.render`` (exactly the version's pages) and ``project.resources`` (files copied into ``_site``);
    ``format.html`` adds the site's stylesheet, the version bar before the body (``include-before-body``) and
    puts a figure's caption, its title, above it (``fig-cap-location``).
    """
    execute = dict(settings.get("execute") or {})
    execute.update({"enabled": False})  # the notebooks are already executed; Quarto only renders their outputs
    execute.setdefault("echo", False)
    website = copy.deepcopy(dict(settings.get("website") or {}))
    website.pop("navbar", None)
    website["title"] = title
    website["sidebar"] = {
        "style": "docked",
        "title": sidebar_title or title,
        "contents": [{"href": "index.qmd", "text": FRONT_PAGE_TITLE}]
        + [{"href": page.notebook, "text": page.title} for page in pages],
    }
    html = copy.deepcopy((settings.get("format") or {}).get("html") or {})
    css = html.get("css") or []
    html["css"] = [*([css] if isinstance(css, str) else list(css)), SITE_CSS]
    html["include-before-body"] = VERSION_BAR
    html.setdefault("fig-cap-location", "top")
    return {
        "project": {
            "type": "website",
            "output-dir": SITE_DIR,
            "render": ["index.qmd", *[page.notebook for page in pages]],
            "resources": [*resources, NAV_SCRIPT],
        },
        "lang": settings.get("lang", "fi"),
        "execute": execute,
        "website": website,
        "format": {"html": html},
    }


def _write_yaml(path: Path, header: str, value: Mapping[str, Any]) -> Path:
    text = header + yaml.safe_dump(dict(value), allow_unicode=True, sort_keys=False, width=120)
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def write_site_assets(folder: Path, *, version: str, title: str, label: str, published: str) -> list[Path]:
    """The files every page of a version uses, site or previews: the stylesheet, the navigation script and the
    version bar (the version, its date and the links to every version and to the accessibility statement)."""
    bar = render_template("version_bar.html.j2", version=version, title=title, label=label, published=published)
    written = []
    for name, text in (
        (SITE_CSS, (TEMPLATES / SITE_CSS).read_text(encoding="utf-8")),
        (NAV_SCRIPT, (TEMPLATES / NAV_SCRIPT).read_text(encoding="utf-8")),
        (VERSION_BAR, bar),
    ):
        (folder / name).write_text(text, encoding="utf-8", newline="\n")
        written.append(folder / name)
    return written


def about_lines(
    *, version: str, label: str, published: str, reason: str | None, changes: Sequence[str], pdf_name: str
) -> list[str]:
    """The PDF's closing page about the version, as Markdown paragraphs and list items."""
    lines = [
        f"Tämä on version {version} ({label}) lautakuntaraportti, julkaistu {published}. Julkaistua versiota ei "
        "muuteta: korjaus julkaistaan uutena versiona, ja raporttien etusivu kertoo, mikä versio on uusin.",
        "",
        "Raportin verkkosivuilla on jokaisen osa-alueen kaikki kuviot ja jokaisen kuvion luvut taulukkona "
        "kuvion alla, sekä kuukauden tunnusluvut tiedostoina (kpi.csv Excelille, kpi_plain.csv ja kpi.json "
        f"ohjelmille). Tämä tiedosto on {markdown_cell_text(pdf_name)}.",
    ]
    if reason or changes:
        lines += ["", f"Korjauksen syy: {markdown_cell_text(reason or '–')}", ""]
        lines += [f"- {markdown_cell_text(line)}" for line in changes]
    return lines


def write_quarto_sources(
    folder: Path,
    ws: Workspace,
    *,
    version: str,
    period: Period,
    revision: int,
    pages: Sequence[Page],
    kpis: Sequence[Mapping[str, Any]],
    changes: Mapping[str, Any] | None,
    reason: str | None,
    pdf_name: str,
    resources: Sequence[str],
    area_titles: Mapping[str, str] | None = None,
    published: str | None = None,
    organisation: str = DEFAULT_ORGANISATION,
) -> list[Path]:
    """Write the version's Quarto sources: the site (``_quarto.yml``, ``index.qmd`` and the site's assets) and
    the PDF project in ``pdf/`` (see the module docstring). ``published`` is the publication time stamp (ISO)."""
    settings = shared_settings(ws)
    title = version_title(settings, period, revision)
    label = revision_label_fi(revision)
    published_fi = date_fi(published) or "–"
    header = f"# Generated by serviceplan for version {version} from the workspace's _quarto.yml; do not edit.\n"
    sidebar = f"{report_title(settings)}, {period_fi(period)}" + (f", {label}" if revision > 1 else "")
    written = [
        _write_yaml(folder / "_quarto.yml", header, site_config(settings, pages, title, resources, sidebar)),
        *write_site_assets(folder, version=version, title=title, label=label, published=published_fi),
    ]
    lines = change_lines(changes)
    shown_numbers = [number_fi(k.get(c), str(k.get("unit"))) for k in kpis for c in ("value", "target")]
    index = render_template(
        "index.qmd.j2",
        title=title,
        period_fi=period_fi(period),
        version=version,
        revision=revision,
        label=label,
        published=published_fi,
        reason=reason,
        pages=pages,
        kpis=[
            dict(
                k,
                status_fi=STATUS_FI.get(str(k.get("status")), STATUS_FI["none"]),
                area_title=(area_titles or {}).get(str(k.get("area")), str(k.get("area"))),
            )
            for k in kpis
        ],
        changes=lines,
        kpi_legend=symbols.legend(shown_numbers),
        pdf_name=pdf_name,
        resources=resources,
    )
    (folder / "index.qmd").write_text(index, encoding="utf-8", newline="\n")
    written.append(folder / "index.qmd")
    cover = committee_pdf.Cover(
        title=report_title(settings),
        month=period_fi(period),
        version=version,
        version_label=label,
        published=published_fi,
        organisation=organisation,
        keywords=(*PDF_KEYWORDS, period_fi(period)),
        subject=f"Palvelusuunnitelma 2.0:n kuukausiseuranta, {period_fi(period)}, versio {version}",
    )
    written += committee_pdf.write_project(
        folder,
        folder / PDF_DIR,
        stem=Path(pdf_name).stem,
        cover=cover,
        pages=[(page.notebook, page.title) for page in pages],
        typst=(settings.get("format") or {}).get("typst") or {},
        about=about_lines(
            version=version, label=label, published=published_fi, reason=reason, changes=lines, pdf_name=pdf_name
        ),
        write_yaml=_write_yaml,
        header=header,
    )
    return written


# --- running Quarto ----------------------------------------------------------------------------------------------

_PROGRESS = re.compile(r"^\s*\[\s*\d+/\d+\]\s+(?P<file>\S+)")  # quarto render's "[ 3/10] 02_target_groups.ipynb"
_ERROR = re.compile(r"^\s*(ERROR|error)\b[:\s]", re.IGNORECASE)


def failure_summary(output: str, default_page: str) -> str:
    """``<page>: <cause>`` from what a failed ``quarto render`` printed: the file it was rendering (its last
    progress line, else ``default_page``) and its first error line (else its last non-empty line)."""
    page, cause = default_page, ""
    for line in output.splitlines():
        progress = _PROGRESS.match(line)
        if progress and not cause:
            page = progress["file"]
        if not cause and _ERROR.match(line):
            cause = line.strip()
    if not cause:
        cause = next((line.strip() for line in reversed(output.splitlines()) if line.strip()), "(no output)")
    return f"{page}: {cause}"


@dataclass
class _Run:
    name: str
    args: list[str]
    cwd: Path
    log: Path
    default_page: str
    process: subprocess.Popen[str] | None = None
    started: float = 0.0
    seconds: float = 0.0


def _start(run: _Run) -> None:
    run.log.parent.mkdir(parents=True, exist_ok=True)
    handle = run.log.open("w", encoding="utf-8")
    handle.write(f"$ {' '.join(run.args)}  (in {run.cwd.name})\n")
    handle.flush()
    run.started = time.perf_counter()
    try:
        run.process = subprocess.Popen(
            run.args, cwd=run.cwd, stdout=handle, stderr=subprocess.STDOUT, text=True, encoding="utf-8"
        )
    finally:
        handle.close()


def _wait(runs: Sequence[_Run], timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    try:
        for run in runs:
            assert run.process is not None
            try:
                run.process.wait(timeout=max(1.0, deadline - time.perf_counter()))
            except subprocess.TimeoutExpired:
                raise RunError(f"quarto did not finish the {run.name} in {timeout:.0f} s; see {run.log}") from None
            run.seconds = time.perf_counter() - run.started
    finally:
        for run in runs:  # a failure or an interrupt stops the other run too
            if run.process is not None and run.process.poll() is None:
                run.process.kill()
                run.process.wait()


def render_quarto(folder: Path, quarto: Quarto, pdf_name: str, timeout: float = 900.0) -> dict[str, Any]:
    """Render the site and the PDF of the version in ``folder`` side by side (two Quarto processes); returns the
    render record: where the site and the PDF are, and each run's seconds. A failure raises :class:`RunError`
    naming the run, the page and the cause."""
    logs = folder / "logs"
    stem = Path(pdf_name).stem
    runs = [
        _Run("site", [quarto.executable, "render"], folder, logs / "quarto-site.log", "index.qmd"),
        _Run("PDF", [quarto.executable, "render"], folder / PDF_DIR, logs / "quarto-pdf.log", f"{stem}.qmd"),
    ]
    for run in runs:
        _start(run)
    _wait(runs, timeout)
    for run in runs:
        assert run.process is not None
        if run.process.returncode != 0:
            summary = failure_summary(run.log.read_text(encoding="utf-8", errors="replace"), run.default_page)
            raise RunError(f"quarto could not render the {run.name} ({summary}); see {run.log}")
    produced = folder / PDF_DIR / pdf_name
    site = folder / SITE_DIR / "index.html"
    for path, what in ((produced, "the PDF"), (site, "the site")):
        if not path.is_file():
            raise RunError(f"quarto did not produce {what} ({path.relative_to(folder).as_posix()}); see {logs}")
    shutil.copy2(produced, folder / SITE_DIR / pdf_name)  # the site's front page links to it
    produced.replace(folder / pdf_name)  # beside the site, where the landing page links to it
    for cache in (folder / ".quarto", folder / PDF_DIR / ".quarto"):  # Quarto's own working files
        shutil.rmtree(cache, ignore_errors=True)
    return {
        "site": f"{SITE_DIR}/index.html",
        "pdf": pdf_name,
        "seconds": {"site": round(runs[0].seconds, 3), "pdf": round(runs[1].seconds, 3)},
    }


# --- previews without Quarto ---------------------------------------------------------------------------------


def preview_name(notebook: str) -> str:
    """Where the preview of an executed notebook goes inside a version: ``preview/<notebook stem>.html``."""
    return f"{PREVIEW_DIR}/{Path(notebook).stem}.html"


def write_preview(notebook: Path, target: Path, title: str) -> Path:
    """nbconvert HTML of one executed notebook: outputs and text only (no code), ``lang="fi"``.

    The batch calls this in its worker processes right after a notebook has run (nbconvert is slow to import),
    so that previews are made in parallel and cached with the execution. The navigation is added later, when the
    version's pages are known (:func:`write_previews`).
    """
    import nbformat

    from serviceplan.publish.previews import preview_exporter

    exporter = preview_exporter()
    body, _ = exporter.from_notebook_node(
        nbformat.read(notebook, as_version=4), resources={"metadata": {"name": title, "path": str(notebook.parent)}}
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body, encoding="utf-8", newline="\n")
    return target


_BODY = re.compile(r"<body\b[^>]*>")
_NAV_MARK = "<!-- serviceplan: navigation -->"


def add_preview_navigation(page: str, navigation: str) -> str:
    """``page`` (a preview's HTML) with ``navigation`` right after its ``<body>`` tag (once)."""
    if _NAV_MARK in page:  # made before: replace it
        start = page.index(_NAV_MARK)
        end = page.index(_NAV_MARK, start + len(_NAV_MARK)) + len(_NAV_MARK) + 1
        page = page[:start].rstrip("\n") + page[end:]
    match = _BODY.search(page)
    if match is None:
        raise RunError("an HTML preview has no <body> tag")
    return page[: match.end()] + "\n" + _NAV_MARK + "\n" + navigation + _NAV_MARK + "\n" + page[match.end() :]


def write_previews(
    folder: Path, pages: Sequence[Page], title: str, *, version: str = "", label: str = "", published: str = ""
) -> dict[str, str]:
    """The previews of a version without Quarto: one page per notebook (made now if not made yet) with the
    navigation between the pages and to every version, and an index page."""
    links = [{"href": Path(preview_name(p.notebook)).name, "title": p.title} for p in pages]
    for number, page in enumerate(pages):
        target = folder / preview_name(page.notebook)
        if not target.is_file():
            write_preview(folder / page.notebook, target, page.title)
        navigation = render_template(
            "preview_nav.html.j2",
            title=title,
            version=version,
            label=label,
            published=published,
            pages=links,
            current=links[number]["href"],
            previous=links[number - 1] if number > 0 else None,
            following=links[number + 1] if number + 1 < len(links) else None,
            script=f"../{NAV_SCRIPT}",
        )
        text = target.read_text(encoding="utf-8")
        target.write_text(add_preview_navigation(text, navigation), encoding="utf-8", newline="\n")
    index = render_template(
        "preview_index.html.j2",
        title=title,
        version=version,
        label=label,
        published=published,
        pages=links,
        script=f"../{NAV_SCRIPT}",
    )
    (folder / PREVIEW_DIR / "index.html").write_text(index, encoding="utf-8", newline="\n")
    return {"preview": f"{PREVIEW_DIR}/index.html"}


# --- the report root: landing page and versions.json ---------------------------------------------------------


def landing_entries(ws: Workspace) -> list[dict[str, Any]]:
    """What the landing page shows for each version, newest period first, newest revision first."""
    from serviceplan.publish.manifest import KPI_FILES

    document = versions.versions_document(ws)
    by_name = {v.name: v for v in versions.list_versions(ws)}
    entries = []
    for item in document["versions"]:
        version = by_name[item["version"]]
        manifest = version.manifest() or {}
        rendered = versions.render_record(version, manifest)
        entries.append(
            {
                **item,
                "name": version.name,
                "period_fi": period_fi(version.period),
                "date": date_fi(item["published"]),
                "report_kind": "Sivusto" if rendered.get("site") else "Esikatselu",
                "kpi_files": [
                    {"href": f"{version.name}/{name}", "text": _kpi_file_text(name)}
                    for name in KPI_FILES
                    if (version.path / name).is_file()
                ],
                "manifest": f"{version.name}/manifest.json",
                "reason": manifest.get("reason"),
                "changes": change_lines(manifest.get("changes")),
            }
        )
    return entries


def _kpi_file_text(name: str) -> str:
    return {"kpi.csv": "CSV (Excel)", "kpi_plain.csv": "CSV (pilkku, piste)", "kpi.json": "JSON"}.get(name, name)


def landing_html(ws: Workspace) -> str:
    """The landing page ``reports/index.html`` as text (deterministic: the same versions give the same bytes)."""
    return render_template("landing.html.j2", title=report_title(shared_settings(ws)), entries=landing_entries(ws))


def write_landing_page(ws: Workspace) -> Path:
    """Rewrite ``reports/index.html``, ``versions.json`` and ``versions.js`` atomically (temporary file + rename);
    unchanged text is not rewritten."""
    path = ws.reports_dir / "index.html"
    text = landing_html(ws)
    ws.reports_dir.mkdir(parents=True, exist_ok=True)
    versions.write_versions_files(ws)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return path
    return versions.write_atomic(path, text)
