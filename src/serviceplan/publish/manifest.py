"""The records a published version carries: its manifest and its KPI files, and the content hashes behind both.

The manifest (``manifest.json``) says exactly what produced a version: the code commit and a digest of the
package's own files, the versions of Python and of every runtime dependency, the resolved parameters with their
digest, a hash of every input file, a hash of every notebook source, the execution key of every notebook, and
the timings. Two fields are volatile by nature, ``created`` and ``timings`` (which also says whether a notebook
was reused from the cache); :func:`reproducible_view` drops them, and everything else must come out the same
when the same inputs are run again with the same code.

The same hashes decide whether a notebook must run again (:func:`execution_key`): a notebook's execution is
reused when its source, the resolved parameters, the canonical rows of its datasets up to the period, the
package code and the runtime environment are all unchanged.

KPI files. ``kpi.csv`` is for Finnish spreadsheet users: ``;`` separator, decimal comma, UTF-8 with a byte order
mark (Excel in a Finnish locale opens it correctly with a double click). ``kpi_plain.csv`` is the same table for
programs: ``,`` separator and decimal point, UTF-8 without a BOM. ``kpi.json`` holds the same rows with numbers
as JSON numbers and ``null`` for a missing value, and must match the JSON Schema :data:`KPI_SCHEMA` (checked when
it is written: a version whose KPI file does not match is not published). Every number is rounded to its unit's
precision (:data:`serviceplan.metrics.kpis.UNIT_DECIMALS`: euros to the cent, counts whole, shares as fractions to four
decimals, days to one); the CSV files write exactly those decimals (``14421771,38``, ``7616``, ``0,0270``), JSON
the same numbers (counts as integers), so the three files carry identical values.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from serviceplan.core.digests import code_digest as code_digest
from serviceplan.core.digests import environment as environment
from serviceplan.core.digests import folder_digest as folder_digest
from serviceplan.core.digests import folder_files as folder_files
from serviceplan.core.digests import package_files as package_files
from serviceplan.core.digests import sha256_bytes as sha256_bytes
from serviceplan.core.digests import sha256_file as sha256_file
from serviceplan.core.digests import sha256_json as sha256_json
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period

if TYPE_CHECKING:  # numpy, pandas and the KPI table are imported where used: reading a manifest needs none of them
    import pandas as pd

SCHEMA_VERSION = 1
# Bump when the way notebooks are executed or stored changes, so that older cache entries are not reused.
EXECUTION_FORMAT = 1
VOLATILE_KEYS: tuple[str, ...] = ("created", "timings")
KPI_FILES: tuple[str, ...] = ("kpi.csv", "kpi_plain.csv", "kpi.json")
KPI_SCHEMA = Path(__file__).resolve().parent / "schemas" / "kpi.schema.json"  # the JSON Schema of kpi.json
_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the serviceplan package (src/serviceplan/publish/manifest.py)


# --- hashing -------------------------------------------------------------------------------------------------


def notebook_digest(path: Path) -> str:
    """A hash of what a notebook *is*: its cells' types, sources and tags, and its kernel.

    Outputs, execution counts and other metadata are left out, so that opening, running and saving a notebook
    in JupyterLab without editing it does not count as a change.
    """
    content = json.loads(path.read_text(encoding="utf-8"))
    cells = [
        {
            "type": cell.get("cell_type"),
            "source": "".join(cell.get("source", [])) if isinstance(cell.get("source"), list) else cell.get("source"),
            "tags": sorted(cell.get("metadata", {}).get("tags", [])),
        }
        for cell in content.get("cells", [])
    ]
    kernel = content.get("metadata", {}).get("kernelspec", {}).get("name")
    return sha256_json({"cells": cells, "kernel": kernel})


def dataset_digest(ws: Workspace, name: str, period: Period) -> str:
    """A hash of what the canonical rows of dataset ``name`` that a report for ``period`` can see are made from:
    every delivery of the dataset up to the month (its files' bytes and names and the reader code,
    :func:`serviceplan.inputs.canonical.delivery_digests`) and the month. Equal digests mean equal rows; a changed
    delivery changes the digest (even one whose new bytes give the same rows: the notebook then runs again).

    Reads no canonical table: the deliveries' digests are those the canonical tables were built and stamped with
    (each file hashed once per process while its size and modification time stay), a few milliseconds a dataset.
    """
    from serviceplan.inputs.canonical import delivery_digests

    return sha256_json({"dataset": name, "period": str(period), "deliveries": delivery_digests(ws, name, period)})


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=30, check=False, encoding="utf-8"
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_state(path: Path = _PACKAGE_DIR) -> dict[str, Any]:
    """The commit of the checkout holding ``path`` (the package by default) and whether it has local changes.

    ``commit`` is ``None`` when the code is not in a git checkout (an installed wheel) or git is missing.
    """
    commit = _git(["rev-parse", "HEAD"], path)
    if commit is None:
        return {"commit": None, "dirty": None}
    status = _git(["status", "--porcelain"], path)
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


# --- execution keys -----------------------------------------------------------------------------------------


def execution_key(
    *,
    notebook_sha256: str,
    period: Period,
    params_digest: str,
    datasets: Mapping[str, str],
    code: str,
    env: Mapping[str, Any],
    kernel: str,
    workspace_inputs: Mapping[str, str] | None = None,
) -> str:
    """The content hash a notebook execution is cached under: equal keys mean an equal execution.

    ``workspace_inputs`` are digests of workspace files every notebook may read besides the canonical tables
    (the plan's actions and risks in ``plan/``).
    """
    return sha256_json(
        {
            "format": EXECUTION_FORMAT,
            "notebook": notebook_sha256,
            "period": str(period),
            "params": params_digest,
            "datasets": dict(sorted(datasets.items())),
            "workspace": dict(sorted((workspace_inputs or {}).items())),
            "code": code,
            "environment": env,
            "kernel": kernel,
        }
    )


# --- manifest -------------------------------------------------------------------------------------------------


def utc_now() -> str:
    """The current time as an ISO 8601 UTC stamp (seconds); used only for the volatile ``created`` field."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def input_records(ws: Workspace, files: Iterable[Path]) -> list[dict[str, str]]:
    """``{"file": path relative to the workspace, "sha256": ...}`` for each input file."""
    records = []
    for path in files:
        try:
            shown = path.resolve().relative_to(ws.root.resolve()).as_posix()
        except ValueError:
            shown = path.as_posix()
        records.append({"file": shown, "sha256": sha256_file(path)})
    return records


def reproducible_view(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest without its volatile fields: what must be equal when the same run is repeated."""
    return {key: value for key, value in manifest.items() if key not in VOLATILE_KEYS}


def write_json(path: Path, value: Any) -> Path:
    """Write ``value`` as stable, readable JSON (sorted keys, UTF-8, trailing newline)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8", newline="\n")
    return path


def read_json(path: Path) -> Any:
    """Read a JSON file written by :func:`write_json`."""
    return json.loads(path.read_text(encoding="utf-8"))


# --- KPI files --------------------------------------------------------------------------------------------------


def format_number(value: float | None, decimal: str = ".", decimals: int | None = None) -> str:
    """A number as CSV text: with exactly ``decimals`` decimals (``14421771.38``, ``7616``), or without them the
    shortest exact positional text of the float (``1234.5``, ``0.153``); empty for a missing value."""
    import numpy as np
    import pandas as pd

    if value is None or pd.isna(value):
        return ""
    number = float(value)
    if decimals is not None:
        number = round(number, decimals)
    if number == 0:
        number = 0.0  # no "-0"
    text = f"{number:.{decimals}f}" if decimals is not None else np.format_float_positional(number, trim="-")
    return text.replace(".", decimal)


def kpi_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The KPI rows as JSON-ready dicts in the standard column order: ``value`` and ``target`` at their unit's
    precision (:func:`serviceplan.metrics.kpis.published_number`; ``None`` when missing), the rest as text."""
    import pandas as pd

    from serviceplan.metrics.kpis import KPI_COLUMNS, published_number

    records = []
    for row in table[list(KPI_COLUMNS)].itertuples(index=False):
        record = dict(zip(KPI_COLUMNS, row, strict=True))
        unit = str(record["unit"])
        records.append(
            {
                key: (published_number(v, unit) if key in ("value", "target") else (None if pd.isna(v) else str(v)))
                for key, v in record.items()
            }
        )
    return records


def _jsonschema() -> Any:
    """The JSON Schema reference implementation (installed with nbformat), imported without its optional
    ``rfc3987_syntax``: that import builds a parser (about 1.4 s of CPU, see
    :mod:`serviceplan.publish.worker_imports`) for the ``iri`` string formats, which the KPI schema does not use and
    which a validator without a format checker does not check anyway. Only this import goes without it."""
    if "jsonschema" not in sys.modules:
        left_out = [name for name in ("rfc3987_syntax",) if name not in sys.modules]
        for name in left_out:
            sys.modules[name] = None  # type: ignore[assignment]  # None in sys.modules: "import fails"
        try:
            import jsonschema  # noqa: F401
        finally:
            for name in left_out:
                del sys.modules[name]
    return sys.modules["jsonschema"]


def import_validator() -> None:
    """Import the KPI schema's validator now (a run does it while its notebooks execute)."""
    _jsonschema()


def kpi_schema_errors(document: Any) -> list[str]:
    """Where ``document`` (a parsed ``kpi.json``) breaks :data:`KPI_SCHEMA`, one line each (empty when it
    matches). A count written as ``7616.0`` is an error too: JSON Schema counts it as an integer, programs may
    not."""
    jsonschema = _jsonschema()
    schema = json.loads(KPI_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(top level)'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    ]
    rows = document.get("rows", []) if isinstance(document, dict) else []
    for i, row in enumerate(rows if isinstance(rows, list) else []):
        for key in ("value", "target"):
            if isinstance(row, dict) and row.get("unit") == "count" and isinstance(row.get(key), float):
                errors.append(f"rows/{i}/{key}: {row[key]!r} is a count written as a float")
    return errors


def write_kpi_files(table: pd.DataFrame, folder: Path, version: str) -> dict[str, str]:
    """Write ``kpi.csv`` (Finnish), ``kpi_plain.csv`` and ``kpi.json`` into ``folder``; returns their hashes.

    Raises :class:`~serviceplan.core.errors.RunError` when ``kpi.json`` does not match :data:`KPI_SCHEMA`, so that
    such a version is not published.
    """
    import pandas as pd

    from serviceplan.core.errors import RunError
    from serviceplan.metrics.kpis import KPI_COLUMNS, UNIT_DECIMALS

    records = kpi_records(table)
    for name, sep, decimal, encoding in (
        ("kpi.csv", ";", ",", "utf-8-sig"),
        ("kpi_plain.csv", ",", ".", "utf-8"),
    ):
        out = pd.DataFrame(
            [
                {
                    key: (
                        format_number(value, decimal, UNIT_DECIMALS.get(str(record["unit"]), 4))
                        if key in ("value", "target")
                        else (value or "")
                    )
                    for key, value in record.items()
                }
                for record in records
            ],
            columns=list(KPI_COLUMNS),
            dtype="object",
        )
        out.to_csv(folder / name, sep=sep, index=False, encoding=encoding, lineterminator="\n")
    document = {"version": version, "columns": list(KPI_COLUMNS), "rows": records}
    errors = kpi_schema_errors(document)
    if errors:
        raise RunError(f"kpi.json of {version} does not match {KPI_SCHEMA.name}: {errors[0]} ({len(errors)} in all)")
    write_json(folder / "kpi.json", document)
    return {name: sha256_file(folder / name) for name in KPI_FILES}


def read_kpi_json(folder: Path) -> list[dict[str, Any]]:
    """The KPI rows of a published version (empty when it has none)."""
    path = folder / "kpi.json"
    return list(read_json(path)["rows"]) if path.is_file() else []
