"""Render a version for readers: its Quarto site and committee PDF (or HTML previews without Quarto), and the
landing page that lists every version.

Quarto (1.7 or newer) turns a version folder into its own small website (one page per executed notebook plus a
front page with the headline KPIs) and one PDF for the committee through Quarto's ``typst`` format, which needs
no LaTeX. The PDF is a separate one-document Quarto project in ``pdf/`` that combines the executed notebooks.
Nothing is executed again: Quarto renders the outputs the notebooks already hold, with code hidden.

Without Quarto every executed notebook gets an nbconvert HTML preview (outputs only, ``lang="fi"``) and the run
says, in one line, that the site and the PDF were not rendered and how to install Quarto.

Shared look and settings come from the workspace's ``_quarto.yml`` (``lang``, ``execute``, ``website``,
``format.html`` and ``format.typst``); the settings of a version (its title, pages, output folder) are added
here. Adding a month renders that month's folder and the landing page only, so the cost of publishing stays flat
as the archive grows.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from serviceplan.errors import RunError
from serviceplan.paths import Workspace
from serviceplan.periods import Period

MIN_QUARTO = (1, 7)
QUARTO_MISSING = (
    "Quarto {found}not found on PATH, so the site and the PDF were not rendered (HTML previews were written "
    "instead); install Quarto 1.7 or newer with `conda install -c conda-forge quarto`, `pip install quarto-cli` "
    "where internet is available, or from https://quarto.org, then run again."
)
SITE_DIR = "_site"
PDF_DIR = "pdf"
PREVIEW_DIR = "preview"
DEFAULT_TITLE = "Työllisyyspalvelujen palvelusuunnitelman seuranta"
_TEMPLATES = Path(__file__).resolve().parent / "templates"
_THIN_NBSP = "\u202f"  # between thousands (docs/domain.md: thin no-break space)
_NBSP = "\u00a0"  # between a number and its unit
STATUS_FI = {"ok": "Tavoitteessa", "warn": "Lähellä rajaa", "alert": "Poikkeama", "none": "–"}
UNIT_FI = {"eur": "€", "share": "%", "days": "pv", "count": "", "ratio": ""}


@dataclass(frozen=True)
class Page:
    """One page of a version: an executed notebook and its Finnish title."""

    notebook: str  # file name in the version folder
    title: str


# --- Finnish formatting ------------------------------------------------------------------------------------------


def period_fi(period: Period | str) -> str:
    """``2025-06`` -> ``kesäkuu 2025`` (month names from CLDR through Babel)."""
    from babel.dates import format_date

    period = Period.parse(str(period))
    return format_date(period.first_day, "LLLL yyyy", locale="fi")


def date_fi(value: str | date | datetime | None) -> str:
    """An ISO date or time stamp -> ``1.7.2025`` (``d.M.yyyy``); empty when missing or unreadable."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return ""
    if isinstance(value, datetime):
        value = _helsinki(value).date()
    return f"{value.day}.{value.month}.{value.year}"


def _helsinki(moment: datetime) -> datetime:
    try:
        from zoneinfo import ZoneInfo

        return moment.astimezone(ZoneInfo("Europe/Helsinki"))
    except Exception:  # no time zone database (some Windows installs): the UTC date is close enough
        return moment


def number_fi(value: float | None, unit: str = "") -> str:
    """A KPI value the Finnish way: ``1 234 567 €``, ``15,9 %``, ``35,0 pv``; ``–`` when missing."""
    from babel.numbers import format_decimal

    if value is None or value != value:  # NaN
        return "–"
    patterns = {"eur": "#,##0", "count": "#,##0", "share": "#,##0.0", "days": "#,##0.0", "ratio": "#,##0.00"}
    shown = float(value) * 100 if unit == "share" else float(value)
    text = format_decimal(shown, patterns.get(unit, "#,##0.##"), locale="fi").replace(_NBSP, _THIN_NBSP)
    text = text.replace("\u2212", "-")
    suffix = UNIT_FI.get(unit, unit)
    return f"{text}{_NBSP}{suffix}" if suffix else text


# --- templates ---------------------------------------------------------------------------------------------------


def _markdown_cell_text(text: Any) -> str:
    return re.sub(r"([\\|*_`<>\[\]])", r"\\\1", str(text))


@cache
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = _markdown_cell_text
    env.filters["yaml_string"] = lambda text: json.dumps(str(text), ensure_ascii=False)  # JSON strings are YAML
    env.filters["number_fi"] = number_fi
    return env


def render_template(name: str, **context: Any) -> str:
    """Render one of the package's Jinja2 templates (``src/serviceplan/templates/``)."""
    return _environment().get_template(name).render(**context)


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


def version_title(settings: Mapping[str, Any], period: Period, revision: int) -> str:
    """``<site title>: kesäkuu 2025`` (and ``, korjaus 2`` for a revision)."""
    base = str(settings.get("website", {}).get("title") or DEFAULT_TITLE)
    title = f"{base}: {period_fi(period)}"
    return title + (f", korjaus {revision}" if revision > 1 else "")


def site_config(
    settings: Mapping[str, Any], pages: Sequence[Page], title: str, resources: Sequence[str]
) -> dict[str, Any]:
    """The ``_quarto.yml`` of one version's website (HTML only; the PDF is its own project)."""
    execute = dict(settings.get("execute") or {})
    execute.update({"enabled": False})  # the notebooks are already executed; Quarto only renders their outputs
    execute.setdefault("echo", False)
    website = copy.deepcopy(dict(settings.get("website") or {}))
    website.pop("navbar", None)
    website["title"] = title
    website["sidebar"] = {
        "style": "docked",
        "contents": [{"href": "index.qmd", "text": "Yhteenveto"}]
        + [{"href": page.notebook, "text": page.title} for page in pages],
    }
    html = copy.deepcopy((settings.get("format") or {}).get("html") or {})
    return {
        "project": {
            "type": "website",
            "output-dir": SITE_DIR,
            "render": ["index.qmd", *[page.notebook for page in pages]],
            "resources": list(resources),
        },
        "lang": settings.get("lang", "fi"),
        "execute": execute,
        "website": website,
        "format": {"html": html},
    }


def pdf_config(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The ``_quarto.yml`` of one version's PDF project (Typst)."""
    execute = dict(settings.get("execute") or {})
    execute.update({"enabled": False})
    execute.setdefault("echo", False)
    typst = copy.deepcopy((settings.get("format") or {}).get("typst") or {})
    return {
        "project": {"type": "default"},
        "lang": settings.get("lang", "fi"),
        "execute": execute,
        "format": {"typst": typst},
    }


_FRONT_MATTER = re.compile(r"^\s*---\s*\n")
# Cells the previews and the PDF leave out: the parameters (the page says its month) and cells marked for removal.
HIDDEN_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell"})


def _source_text(source: Any) -> str:
    return "".join(source) if isinstance(source, list) else str(source or "")


def combined_notebook(folder: Path, pages: Sequence[Page], title: str, subtitle: str) -> dict[str, Any]:
    """One notebook (as nbformat 4.5 JSON) holding every page's cells in order, for the committee PDF.

    Parameter cells and the pages' own front matter are left out; each page keeps its headings. Plain JSON is
    enough here, and avoids importing nbformat (slow to import) in the main process.
    """
    front = _yaml_front_matter({"title": title, "subtitle": subtitle})
    cells: list[dict[str, Any]] = [{"cell_type": "raw", "metadata": {}, "source": front}]
    metadata: dict[str, Any] = {}
    for page in pages:
        notebook = json.loads((folder / page.notebook).read_text(encoding="utf-8"))
        metadata = metadata or {
            k: v for k, v in notebook.get("metadata", {}).items() if k in ("kernelspec", "language_info")
        }
        for cell in notebook.get("cells", []):
            if set(cell.get("metadata", {}).get("tags", [])) & HIDDEN_TAGS:
                continue
            if cell.get("cell_type") == "raw" and _FRONT_MATTER.match(_source_text(cell.get("source"))):
                continue
            cells.append(copy.deepcopy(cell))
    for index, cell in enumerate(cells):  # unique ids, as nbformat 4.5 requires
        cell["id"] = f"cell-{index}"
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def _yaml_front_matter(values: Mapping[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(dict(values), allow_unicode=True, sort_keys=False) + "---"


def _write_yaml(path: Path, header: str, value: Mapping[str, Any]) -> Path:
    text = header + yaml.safe_dump(dict(value), allow_unicode=True, sort_keys=False, width=120)
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


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
) -> list[Path]:
    """Write the version's Quarto sources: ``_quarto.yml``, ``index.qmd`` and ``pdf/`` (config + combined notebook)."""
    settings = shared_settings(ws)
    title = version_title(settings, period, revision)
    header = f"# Generated by serviceplan for version {version} from the workspace's _quarto.yml; do not edit.\n"
    written = [_write_yaml(folder / "_quarto.yml", header, site_config(settings, pages, title, [pdf_name, *resources]))]
    index = render_template(
        "index.qmd.j2",
        title=title,
        period_fi=period_fi(period),
        version=version,
        revision=revision,
        reason=reason,
        pages=pages,
        kpis=[
            dict(
                k,
                status_fi=STATUS_FI.get(str(k.get("status")), "–"),
                area_title=(area_titles or {}).get(str(k.get("area")), str(k.get("area"))),
            )
            for k in kpis
        ],
        changes=change_lines(changes),
        pdf_name=pdf_name,
        resources=resources,
    )
    (folder / "index.qmd").write_text(index, encoding="utf-8", newline="\n")
    written.append(folder / "index.qmd")
    pdf_dir = folder / PDF_DIR
    pdf_dir.mkdir(exist_ok=True)
    written.append(_write_yaml(pdf_dir / "_quarto.yml", header, pdf_config(settings)))
    notebook = combined_notebook(folder, pages, title=title, subtitle=f"Versio {version}")
    target = pdf_dir / (Path(pdf_name).stem + ".ipynb")
    target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n")
    written.append(target)
    return written


def _run_quarto(args: list[str], cwd: Path, log: Path, timeout: float) -> None:
    try:
        done = subprocess.run(
            args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False, encoding="utf-8"
        )
    except subprocess.TimeoutExpired:
        raise RunError(f"quarto did not finish in {timeout:.0f} s: {' '.join(args[1:])}") from None
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"$ {' '.join(args)}\n{done.stdout}{done.stderr}\n")
    if done.returncode != 0:
        last = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()][-1:] or ["(no output)"]
        raise RunError(f"quarto render failed ({last[0].strip()}); see {log}")


def render_quarto(folder: Path, quarto: Quarto, pdf_name: str, timeout: float = 900.0) -> dict[str, str]:
    """Render the PDF, then the website, of the version in ``folder``; returns their paths inside it."""
    logs = folder / "logs"
    logs.mkdir(exist_ok=True)
    log = logs / "quarto.log"
    source = Path(PDF_DIR) / (Path(pdf_name).stem + ".ipynb")
    _run_quarto([quarto.executable, "render", source.as_posix(), "--to", "typst"], folder, log, timeout)
    produced = folder / PDF_DIR / pdf_name
    if not produced.is_file():
        raise RunError(f"quarto did not produce {produced}; see {log}")
    produced.replace(folder / pdf_name)  # beside the site, so the site can carry it as a resource
    _run_quarto([quarto.executable, "render", "."], folder, log, timeout)
    site = folder / SITE_DIR / "index.html"
    if not site.is_file():
        raise RunError(f"quarto did not produce {site}; see {log}")
    return {"site": f"{SITE_DIR}/index.html", "pdf": pdf_name}


# --- previews without Quarto ---------------------------------------------------------------------------------


def preview_name(notebook: str) -> str:
    """Where the preview of an executed notebook goes inside a version: ``preview/<notebook stem>.html``."""
    return f"{PREVIEW_DIR}/{Path(notebook).stem}.html"


def write_preview(notebook: Path, target: Path, title: str) -> Path:
    """nbconvert HTML of one executed notebook: outputs and text only (no code), ``lang="fi"``.

    The batch calls this in its worker processes right after a notebook has run (nbconvert is slow to import),
    so that previews are made in parallel and cached with the execution.
    """
    import nbformat

    from serviceplan.previews import preview_exporter

    exporter = preview_exporter()
    body, _ = exporter.from_notebook_node(
        nbformat.read(notebook, as_version=4), resources={"metadata": {"name": title, "path": str(notebook.parent)}}
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body, encoding="utf-8", newline="\n")
    return target


def write_previews(folder: Path, pages: Sequence[Page], title: str) -> dict[str, str]:
    """The previews of a version without Quarto: one page per notebook (made now if not made yet) and an index."""
    for page in pages:
        target = folder / preview_name(page.notebook)
        if not target.is_file():
            write_preview(folder / page.notebook, target, page.title)
    index = render_template(
        "preview_index.html.j2",
        title=title,
        pages=[{"href": Path(preview_name(p.notebook)).name, "title": p.title} for p in pages],
    )
    (folder / PREVIEW_DIR / "index.html").write_text(index, encoding="utf-8", newline="\n")
    return {"preview": f"{PREVIEW_DIR}/index.html"}


# --- landing page ------------------------------------------------------------------------------------------------


def landing_entries(ws: Workspace) -> list[dict[str, Any]]:
    """What the landing page shows for each version, newest period first, newest revision first."""
    from serviceplan.manifest import KPI_FILES
    from serviceplan.versions import list_versions

    entries = []
    for version in reversed(list_versions(ws)):
        manifest = version.manifest()
        if manifest is None:
            continue
        rendered = manifest.get("render") or {}
        report = rendered.get("site") or rendered.get("preview")
        entries.append(
            {
                "name": version.name,
                "period": str(version.period),
                "period_fi": period_fi(version.period),
                "revision": version.revision,
                "date": date_fi(manifest.get("created")),
                "report": f"{version.name}/{report}" if report else None,
                "report_kind": "Sivusto" if rendered.get("site") else "Esikatselu",
                "pdf": f"{version.name}/{rendered['pdf']}" if rendered.get("pdf") else None,
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
    settings = shared_settings(ws)
    title = str(settings.get("website", {}).get("title") or DEFAULT_TITLE)
    return render_template("landing.html.j2", title=title, entries=landing_entries(ws))


def write_landing_page(ws: Workspace) -> Path:
    """Rewrite ``reports/index.html`` atomically (temporary file + rename); unchanged text is not rewritten."""
    from serviceplan.versions import write_atomic

    path = ws.reports_dir / "index.html"
    text = landing_html(ws)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return path
    ws.reports_dir.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, text)
