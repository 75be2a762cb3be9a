"""Content hashes: of bytes, files, folders, JSON values, the package's own code and the runtime environment.

What decides whether something must be computed again: the execution keys of the notebooks
(:func:`serviceplan.publish.manifest.execution_key`) and the keys of the KPI store
(:mod:`serviceplan.metrics.kpi_store`) are made of these, and the manifest records them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import platform
import re
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the serviceplan package (src/serviceplan/core/digests.py)
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def sha256_bytes(data: bytes) -> str:
    """SHA-256 of ``data`` as hex."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_json(value: Any) -> str:
    """SHA-256 of the canonical JSON text of ``value`` (sorted keys)."""
    return sha256_bytes(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))


def package_files(root: Path = _PACKAGE_DIR) -> list[Path]:
    """The files of the serviceplan package that can change what a report shows (code, templates, data)."""
    return sorted(
        p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix not in {".pyc", ".pyo"}
    )


def code_digest() -> str:
    """A hash of the package's own files (paths and bytes); computed afresh each time (tens of milliseconds), so
    that a long-lived session that edits the package does not reuse executions made with older code."""
    digest = hashlib.sha256()
    for path in package_files():
        digest.update(path.relative_to(_PACKAGE_DIR).as_posix().encode("utf-8") + b"\0")
        digest.update(sha256_file(path).encode("ascii") + b"\n")
    return digest.hexdigest()


def folder_files(folder: Path) -> list[Path]:
    """Every file under ``folder`` in a stable order (empty when the folder does not exist)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def folder_digest(folder: Path) -> str:
    """A hash of the relative paths and bytes of every file under ``folder``."""
    digest = hashlib.sha256()
    for path in folder_files(folder):
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        digest.update(sha256_file(path).encode("ascii") + b"\n")
    return digest.hexdigest()


def _requirement_names(distribution: str) -> list[str]:
    names = []
    for requirement in metadata.requires(distribution) or []:
        if "extra ==" in requirement:
            continue
        match = _REQUIREMENT_NAME.match(requirement)
        if match:
            names.append(match.group(1))
    return names


@functools.cache
def environment() -> dict[str, Any]:
    """Python and the versions of serviceplan and of every runtime dependency it declares."""
    packages: dict[str, str | None] = {}
    for name in ["serviceplan", *_requirement_names("serviceplan")]:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    return {
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "platform": sys.platform,
        "packages": dict(sorted(packages.items())),
    }
