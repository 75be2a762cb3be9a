"""The lines a run prints: one plain line each, identity codes redacted, paths shown inside the workspace."""

from __future__ import annotations

import os
from pathlib import Path

from rich.console import Console

from serviceplan.core.errors import RunError, os_problem, redact
from serviceplan.core.paths import Workspace


def say(console: Console, text: str) -> None:
    """Print one plain line (no markup, no wrapping, identity codes redacted), so that messages stay one line each."""
    console.print(redact(text), markup=False, highlight=False, soft_wrap=True)


def write_error(ws: Workspace, exc: OSError) -> RunError:
    """An operating-system error while a month's version was written, naming the file in the workspace."""
    where = Path(os.fsdecode(exc.filename)) if exc.filename else None
    if where is not None and where.is_relative_to(ws.root):
        where = where.relative_to(ws.root)
    shown = f" {where.as_posix()}" if where is not None else ""
    return RunError(f"could not write{shown}: {os_problem(exc)}.")
