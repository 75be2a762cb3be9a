"""Published versions: their names, the listing, atomic publishing, revision changelogs and housekeeping.

A version is a period (``2025-06``); a correction is a new revision of it (``2025-06-r2``, ``-r3``...), never an
overwrite. A version folder is assembled in ``reports/.staging/<version>.<pid>/`` and renamed into
``reports/<version>/`` in one step, so that ``reports/`` only ever holds complete versions. Folders whose name
starts with a dot are the pipeline's own: ``.staging`` (runs in progress), ``.failed`` (partial output of failed
runs, kept for inspection), ``.cache`` (executed notebooks keyed by their execution hash) and ``.lock``.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import re
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from serviceplan.core.errors import RunError, UsageError
from serviceplan.core.paths import Workspace, replace_atomically
from serviceplan.core.periods import Period
from serviceplan.publish.report_templates import reader_date, revision_label_fi

_VERSION = re.compile(r"^(\d{4}-\d{2})(?:-r(\d+))?$")
STAGING = ".staging"
FAILED = ".failed"
CACHE = ".cache"
LOCK = ".lock"
RENDER_RECORD = "render.json"  # a later render of a published version (`serviceplan render`), beside its manifest
VERSIONS_FILE = "versions.json"  # every version and its status, at the report root, read by the pages when viewed
VERSIONS_SCRIPT = "versions.js"  # the same data as a script, for pages opened from disk (file: URLs cannot fetch)
VERSIONS_SCHEMA = 1


# --- names ------------------------------------------------------------------------------------------------------


def version_name(period: Period, revision: int) -> str:
    """``2025-06`` for the first publication of a period, ``2025-06-r2`` for its second revision, and so on."""
    if revision < 1:
        raise ValueError(f"revision must be 1 or more, got {revision}")
    return str(period) if revision == 1 else f"{period}-r{revision}"


def parse_version(name: str) -> tuple[Period, int] | None:
    """``(period, revision)`` of a version folder name, or ``None`` when the name is not a version."""
    match = _VERSION.match(name)
    if not match:
        return None
    revision = int(match.group(2)) if match.group(2) else 1
    if match.group(2) is not None and revision < 2:
        return None
    try:
        return Period.parse(match.group(1)), revision
    except UsageError:
        return None


@dataclass(frozen=True)
class Version:
    """One published version folder."""

    name: str
    period: Period
    revision: int
    path: Path

    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def manifest(self) -> dict[str, Any] | None:
        """The version's manifest, or ``None`` when the folder has none (not written by serviceplan)."""
        if not self.manifest_path.is_file():
            return None
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))  # as manifest.read_json, without pandas


def render_record(version: Version, manifest: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What was rendered of a version: the manifest's ``render`` record, updated by ``render.json`` when the site
    and PDF were rendered later with ``serviceplan render`` (the manifest itself is never rewritten)."""
    manifest = version.manifest() if manifest is None else manifest
    record = dict((manifest or {}).get("render") or {})
    later = version.path / RENDER_RECORD
    if later.is_file():
        with contextlib.suppress(OSError, ValueError):  # a damaged record: read as rendered at publication
            record.update(json.loads(later.read_text(encoding="utf-8")))
    return record


def list_versions(ws: Workspace) -> list[Version]:
    """Every version folder in ``reports/``, oldest period first and revisions in order."""
    if not ws.reports_dir.is_dir():
        return []
    found = []
    for child in ws.reports_dir.iterdir():
        parsed = parse_version(child.name) if child.is_dir() else None
        if parsed is not None:
            found.append(Version(child.name, parsed[0], parsed[1], child))
    return sorted(found, key=lambda v: (v.period, v.revision))


def revisions_of(ws: Workspace, period: Period) -> list[Version]:
    """The published revisions of ``period``, oldest first."""
    return [v for v in list_versions(ws) if v.period == period]


def next_revision(ws: Workspace, period: Period, revise: str | None) -> int | None:
    """The revision a run of ``period`` would publish, or ``None`` when it is published and no revision asked.

    A revision needs a reason, and there must be something to revise.
    """
    existing = revisions_of(ws, period)
    if revise is None:
        return None if existing else 1
    if not revise.strip():
        raise UsageError('--revise needs a reason, e.g. --revise "corrected ledger of June"')
    if not existing:
        raise UsageError(f"{period} is not published yet, so there is nothing to revise: run it without --revise")
    return existing[-1].revision + 1


def already_published_message(period: Period, latest: Version) -> str:
    """What a run says about a month that is published and left unchanged (no ``--revise``)."""
    return (
        f"{period} is already published ({latest.path}); left unchanged. "
        'To publish a correction run it with --revise "reason".'
    )


# --- changelog ------------------------------------------------------------------------------------------------


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


def _same_number(old: Any, new: Any) -> bool:
    if old is None or new is None:
        return old is None and new is None
    if isinstance(old, float) and isinstance(new, float) and math.isnan(old) and math.isnan(new):
        return True
    return old == new


def describe_changes(
    previous: Mapping[str, Any],
    previous_kpis: Sequence[Mapping[str, Any]],
    current: Mapping[str, Any],
    current_kpis: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """What differs between a version and the revision before it: inputs, parameters, code, notebooks, KPIs.

    Manifests are compared field by field; KPIs by ``(area, kpi)``, value and target.
    """
    old_inputs = {r["file"]: r["sha256"] for r in previous.get("inputs", [])}
    new_inputs = {r["file"]: r["sha256"] for r in current.get("inputs", [])}
    old_params = _flatten(previous.get("parameters", {}).get("values", {}))
    new_params = _flatten(current.get("parameters", {}).get("values", {}))
    old_notebooks = {n["notebook"]: n["source_sha256"] for n in previous.get("notebooks", [])}
    new_notebooks = {n["notebook"]: n["source_sha256"] for n in current.get("notebooks", [])}
    old_code, new_code = previous.get("code", {}), current.get("code", {})
    code_changed = old_code.get("digest") != new_code.get("digest") or old_code.get("commit") != new_code.get("commit")
    old_env = previous.get("environment", {}).get("packages", {})
    new_env = current.get("environment", {}).get("packages", {})

    old_rows = {(r["area"], r["kpi"]): r for r in previous_kpis}
    new_rows = {(r["area"], r["kpi"]): r for r in current_kpis}
    kpis = []
    for key in sorted(set(old_rows) | set(new_rows)):
        old, new = old_rows.get(key), new_rows.get(key)
        old_value = None if old is None else old.get("value")
        new_value = None if new is None else new.get("value")
        old_target = None if old is None else old.get("target")
        new_target = None if new is None else new.get("target")
        unchanged = _same_number(old_value, new_value) and _same_number(old_target, new_target)
        if old is not None and new is not None and unchanged:
            continue
        kpis.append(
            {
                "area": key[0],
                "kpi": key[1],
                "label": (new or old or {}).get("label", key[1]),
                "unit": (new or old or {}).get("unit", ""),
                "old": old_value,
                "new": new_value,
                "old_target": old_target,
                "new_target": new_target,
                "change": "added" if old is None else "removed" if new is None else "changed",
            }
        )
    return {
        "against": previous.get("version"),
        "inputs": {
            "added": sorted(set(new_inputs) - set(old_inputs)),
            "removed": sorted(set(old_inputs) - set(new_inputs)),
            "changed": sorted(f for f in set(old_inputs) & set(new_inputs) if old_inputs[f] != new_inputs[f]),
        },
        "parameters": sorted(k for k in set(old_params) | set(new_params) if old_params.get(k) != new_params.get(k)),
        "code": (
            {
                "from_commit": old_code.get("commit"),
                "to_commit": new_code.get("commit"),
                "from_digest": old_code.get("digest"),
                "to_digest": new_code.get("digest"),
            }
            if code_changed
            else None
        ),
        "packages": sorted(k for k in set(old_env) | set(new_env) if old_env.get(k) != new_env.get(k)),
        "notebooks": sorted(
            n for n in set(old_notebooks) | set(new_notebooks) if old_notebooks.get(n) != new_notebooks.get(n)
        ),
        "kpis": kpis,
    }


def nothing_changed(changes: Mapping[str, Any]) -> bool:
    """Whether a changelog records no difference at all."""
    inputs = changes.get("inputs", {})
    return not (
        any(inputs.get(k) for k in ("added", "removed", "changed"))
        or changes.get("parameters")
        or changes.get("code")
        or changes.get("packages")
        or changes.get("notebooks")
        or changes.get("kpis")
    )


# --- publishing ------------------------------------------------------------------------------------------------


def publish(staging: Path, ws: Workspace, name: str) -> Path:
    """Move a complete staging folder into ``reports/<name>/`` in one rename.

    Refuses when the target exists: a published version is never overwritten.
    """
    target = ws.reports_dir / name
    if target.exists():
        raise RunError(f"{target} already exists: a published version is never overwritten")
    try:
        os.rename(staging, target)  # atomic on one file system; staging is inside reports/ for that reason
    except OSError as exc:
        if exc.errno in (errno.EEXIST, errno.ENOTEMPTY):
            raise RunError(f"{target} already exists: a published version is never overwritten") from None
        raise RunError(f"could not publish {name}: {exc}") from None
    return target


def write_atomic(path: Path, text: str) -> Path:
    """Replace ``path`` with ``text`` (UTF-8, ``\\n`` line ends) in one step
    (:func:`~serviceplan.core.paths.replace_atomically`)."""
    return replace_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"))


def pid_alive(pid: int) -> bool:
    """Whether a process with ``pid`` is running (on Windows through the Win32 API; ``os.kill`` would kill it)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def staging_dir(ws: Workspace, name: str) -> Path:
    """A new, empty staging folder for version ``name`` of this process."""
    folder = ws.reports_dir / STAGING / f"{name}.{os.getpid()}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def find_leftovers(ws: Workspace) -> list[Path]:
    """What :func:`clean_leftovers` would remove: staging folders of runs that no longer run, temporary files."""
    found: list[Path] = []
    staging = ws.reports_dir / STAGING
    if staging.is_dir():
        for child in staging.iterdir():
            pid_text = child.name.rsplit(".", 1)[-1]
            pid = int(pid_text) if pid_text.isdigit() else 0
            if pid and pid != os.getpid() and pid_alive(pid):
                continue
            found.append(child)
    cache = ws.reports_dir / CACHE
    if cache.is_dir():
        found.extend(child for child in cache.iterdir() if child.name.endswith(".tmp") or ".tmp." in child.name)
    if ws.reports_dir.is_dir():
        found.extend(ws.reports_dir.glob(".*.tmp"))
    return found


def clean_leftovers(ws: Workspace) -> list[Path]:
    """Remove staging folders and temporary files left by runs that no longer run (killed, crashed).

    Returns what was removed. Staging folders are named ``<version>.<pid>``; one of a live process is kept.
    """
    removed = find_leftovers(ws)
    for child in removed:
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
    return removed


# --- listing ---------------------------------------------------------------------------------------------------


def version_rows(ws: Workspace) -> list[dict[str, str]]:
    """One row per version for ``serviceplan versions``: period, revision, version, date, commit, status."""
    versions = list_versions(ws)
    latest = {v.period: v for v in versions}  # the last revision of each period wins
    rows = []
    for version in versions:
        manifest = version.manifest()
        if manifest is None:
            status, created, commit = "incomplete (no manifest.json)", "", ""
        else:
            current = latest[version.period] is version
            status = "current" if current else f"superseded by {latest[version.period].name}"
            day = reader_date(manifest.get("created"))
            created = day.isoformat() if day else ""
            code = manifest.get("code", {})
            commit = (code.get("commit") or "")[:10] or "(no git)"
            if code.get("dirty"):
                commit += " +local changes"
        rows.append(
            {
                "period": str(version.period),
                "revision": str(version.revision),
                "version": version.name,
                "date": created,
                "commit": commit,
                "status": status,
            }
        )
    return rows


def print_versions(ws: Workspace) -> None:
    """Print the published versions as a table (oldest first), or say that there are none."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    rows = version_rows(ws)
    if not rows:
        console.print(f"no published versions in {ws.reports_dir}: run `serviceplan run` to publish one")
        return
    table = Table(title=f"Published versions in {ws.reports_dir}", caption="date: publication date in Helsinki time")
    for column in ("period", "revision", "version", "date", "commit", "status"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(row[c] for c in ("period", "revision", "version", "date", "commit", "status")))
    console.print(table)


def versions_document(ws: Workspace) -> dict[str, Any]:
    """The content of ``versions.json``: every version, newest period first and newest revision first, with its
    reader label, publication date (Helsinki), status and the report and PDF paths relative to the report root.

    Each version's pages read this file when they are viewed (a superseded version says so and links to the
    newest), so a published version's own files are never edited to mark it.
    """
    found = list_versions(ws)
    latest = {v.period: v for v in found}
    entries = []
    for version in reversed(found):
        manifest = version.manifest()
        if manifest is None:
            continue
        rendered = render_record(version, manifest)
        report = rendered.get("site") or rendered.get("preview")
        day = reader_date(manifest.get("created"))
        newest = latest[version.period]
        entries.append(
            {
                "version": version.name,
                "period": str(version.period),
                "revision": version.revision,
                "label": revision_label_fi(version.revision),
                "published": day.isoformat() if day else None,
                "status": "current" if newest is version else "superseded",
                "latest": newest.name,
                "report": f"{version.name}/{report}" if report else None,
                "pdf": f"{version.name}/{rendered['pdf']}" if rendered.get("pdf") else None,
            }
        )
    return {"schema": VERSIONS_SCHEMA, "versions": entries}


def write_versions_files(ws: Workspace) -> tuple[Path, Path]:
    """Write ``versions.json`` and ``versions.js`` at the report root (atomically; unchanged text is not
    rewritten)."""
    text = json.dumps(versions_document(ws), ensure_ascii=False, indent=1) + "\n"
    script = "// serviceplan: the published versions (the same data as versions.json)\n"
    script += f"window.serviceplanVersions = {text.strip()};\n"
    written = []
    for name, content in ((VERSIONS_FILE, text), (VERSIONS_SCRIPT, script)):
        path = ws.reports_dir / name
        if not (path.is_file() and path.read_text(encoding="utf-8") == content):
            write_atomic(path, content)
        written.append(path)
    return written[0], written[1]
