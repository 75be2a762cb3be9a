"""``serviceplan render [VERSION]``: give a published version its Quarto site and committee PDF later.

A month published without Quarto has HTML previews only, and running the month again is a no-op (a published
version is never changed). Once Quarto is installed, this command renders the site and the PDF of an existing
version from what the version already holds (its executed notebooks, figures and KPI files), in a staging
folder, and moves the results into the version:

* **Nothing a reader counts on changes.** The notebooks, figures, KPI files, logs, manifest and previews are
  hashed before and checked after the render (in staging, and again in the version after the move); only the
  render's own files are added or replaced: the site (``_site/``), the PDF, the Quarto sources (``_quarto.yml``,
  ``index.qmd``, ``pdf/``, the site's assets) and ``render.json``.
* **Atomic for readers.** Each of those is complete before it is renamed into the version folder (one rename each,
  on the same file system); the record ``render.json`` is written last, and the landing page and
  ``versions.json`` after it. A run that fails or is interrupted leaves the version as it was (its staging folder
  is removed, or removed by the next run).
* **Recorded where readers of the manifest look.** The manifest is part of the immutable version and is not
  rewritten; ``render.json`` beside it records the later render: when, with which Quarto, how long each run
  took, and the SHA-256 of the manifest it belongs to. :func:`serviceplan.publish.versions.render_record` (the landing
  page, ``versions.json``) reads the manifest's ``render`` record updated by ``render.json``.

The privacy gate checks the new files as it checks a month before publishing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from serviceplan.core.errors import RunError, UsageError
from serviceplan.core.params import Params, load_params
from serviceplan.core.paths import Workspace
from serviceplan.publish import manifest as mf
from serviceplan.publish import privacy_gate, versions
from serviceplan.publish import render as rd
from serviceplan.publish.run_lock import run_lock

# What a render writes into a version (besides the PDF, named after the version); everything else is protected.
RENDERED = (rd.SITE_DIR, rd.PDF_DIR, "_quarto.yml", "index.qmd", rd.SITE_CSS, rd.NAV_SCRIPT, rd.VERSION_BAR)
RENDER_LOGS = ("logs/quarto-site.log", "logs/quarto-pdf.log")


def _rendered_names(pdf_name: str) -> set[str]:
    return {*RENDERED, pdf_name, versions.RENDER_RECORD}


def protected_digests(folder: Path, pdf_name: str) -> dict[str, str]:
    """SHA-256 of every file of a version that a render must not change (relative path -> digest)."""
    skipped = _rendered_names(pdf_name)
    digests = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if relative.split("/")[0] in skipped or relative in RENDER_LOGS or relative.startswith(".quarto/"):
            continue
        digests[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def choose_version(ws: Workspace, name: str | None) -> versions.Version:
    """The version to render: ``name``, or the newest version that has no Quarto site."""
    found = versions.list_versions(ws)
    if name is not None:
        match = [v for v in found if v.name == name]
        if not match:
            known = ", ".join(v.name for v in found[-5:]) or "none"
            raise UsageError(f"no published version {name!r} in {ws.reports_dir} (newest: {known})")
        return match[0]
    without = [v for v in found if v.manifest() is not None and not versions.render_record(v).get("site")]
    if not without:
        if not found:
            raise UsageError(f"no published versions in {ws.reports_dir}: run `serviceplan run` first")
        raise UsageError("every published version already has its site and PDF; name a version to render it again")
    return without[-1]


def _version_params(ws: Workspace, manifest: dict[str, Any], year: int) -> Params:
    """The parameters the version was published with (for the privacy gate), else today's for its year."""
    with contextlib.suppress(Exception):
        return Params.model_validate(manifest["parameters"]["values"])
    return load_params(year, ws.params_dir)


def _replace(source: Path, target: Path, trash: Path) -> None:
    """Put ``source`` at ``target`` with renames only (an existing ``target`` is moved to ``trash`` first)."""
    if target.exists():
        trash.mkdir(parents=True, exist_ok=True)
        target.rename(trash / target.name)
    source.rename(target)


def render_version(
    ws: Workspace, name: str | None = None, *, say: Callable[[str], None] = print, timeout: float = 900.0
) -> str:
    """Render the site and the PDF of a published version (see the module docstring); returns its name."""
    quarto, found = rd.find_quarto()
    if quarto is None:
        raise RunError(
            f"Quarto 1.7 or newer is needed to render a site and a PDF ({'found ' + found if found else 'not found'} "
            "on PATH); install it with `conda install -c conda-forge quarto`, `pip install quarto-cli` or from "
            "https://quarto.org"
        )
    with run_lock(ws):
        versions.clean_leftovers(ws)
        version = choose_version(ws, name)
        manifest = version.manifest()
        if manifest is None:
            raise RunError(f"{version.path} has no manifest.json: it was not published by serviceplan")
        pdf_name = rd.pdf_file_name(version.name)
        before = protected_digests(version.path, pdf_name)
        staging = versions.staging_dir(ws, f"{version.name}.render")
        try:
            shutil.copytree(version.path, staging, dirs_exist_ok=True, symlinks=True)
            notebooks = manifest.get("notebooks") or []
            rd.write_quarto_sources(
                staging,
                ws,
                version=version.name,
                period=version.period,
                revision=version.revision,
                pages=[rd.Page(n["notebook"], n.get("title") or n["notebook"]) for n in notebooks],
                kpis=mf.read_kpi_json(version.path),
                changes=manifest.get("changes"),
                reason=manifest.get("reason"),
                pdf_name=pdf_name,
                resources=[n for n in mf.KPI_FILES if (version.path / n).is_file()],
                area_titles={n["area"]: n.get("title") or n["area"] for n in notebooks if "area" in n},
                published=manifest.get("created"),
                organisation=((manifest.get("parameters") or {}).get("values") or {})
                .get("accessibility", {})
                .get("organisation", rd.DEFAULT_ORGANISATION),
            )
            say(f"rendering {version.name} with Quarto {quarto.version} (site and PDF side by side)...")
            started = time.perf_counter()
            outputs = rd.render_quarto(staging, quarto, pdf_name, timeout=timeout)
            seconds = time.perf_counter() - started
            params = _version_params(ws, manifest, version.period.year)
            inputs = [ws.root / r["file"] for r in manifest.get("inputs", []) if (ws.root / r["file"]).is_file()]
            leaks = privacy_gate.scan_publishable(staging, params, inputs=inputs)
            for leak in leaks[:50]:
                say(f"{version.name}: {leak}")
            if leaks:
                raise privacy_gate.PrivacyError(leaks)
            if protected_digests(staging, pdf_name) != before:
                raise RunError(f"rendering {version.name} changed files it must not change; nothing was replaced")
            trash = staging / ".replaced"
            for item in sorted(RENDERED, key=lambda n: n == rd.SITE_DIR):  # the site last: readers look for it
                if (staging / item).exists():
                    _replace(staging / item, version.path / item, trash)
            _replace(staging / pdf_name, version.path / pdf_name, trash)
            for log in RENDER_LOGS:
                if (staging / log).is_file():
                    (version.path / log).parent.mkdir(exist_ok=True)
                    shutil.copy2(staging / log, version.path / log)
            record = {
                "rendered": mf.utc_now(),
                "by": rd.RENDER_COMMAND,
                "quarto": quarto.version,
                "site": outputs["site"],
                "pdf": outputs["pdf"],
                "seconds": {**outputs["seconds"], "total": round(seconds, 3)},
                "manifest_sha256": mf.sha256_file(version.manifest_path),
                "config_sha256": mf.sha256_file(ws.quarto_config) if ws.quarto_config.is_file() else None,
            }
            text = json.dumps(record, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
            versions.write_atomic(version.path / versions.RENDER_RECORD, text)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        if protected_digests(version.path, pdf_name) != before:  # pragma: no cover - a guard, not a path
            raise RunError(f"{version.name}: files that must not change changed during the render")
        rd.write_landing_page(ws)
    say(
        f"rendered {version.name}: site {version.path / outputs['site']} and PDF {version.path / pdf_name} "
        f"({outputs['seconds']['site']:.1f} s and {outputs['seconds']['pdf']:.1f} s side by side); "
        f"recorded in {versions.RENDER_RECORD}"
    )
    return version.name
