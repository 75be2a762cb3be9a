"""Where things live: one place that defines every path the pipeline reads or writes.

A *workspace* is a folder with ``params/`` and ``notebooks/`` (normally the repository checkout). Inputs are
read from ``data/raw/<YYYY-MM>/``, canonical tables are written to ``data/canonical/`` and published versions to
``reports/``. Tests build throw-away workspaces so that they never touch the real one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from serviceplan.core.periods import Period

# The checkout an editable install runs from (src/serviceplan/core/paths.py -> the repository's root).
CHECKOUT = Path(__file__).resolve().parents[3]
ENV_HOME = "SERVICEPLAN_HOME"
_PERIOD_DIR = re.compile(r"^\d{4}-\d{2}$")


@dataclass(frozen=True)
class Workspace:
    """The folders of one serviceplan workspace."""

    root: Path

    @property
    def params_dir(self) -> Path:
        return self.root / "params"

    @property
    def notebooks_dir(self) -> Path:
        return self.root / "notebooks"

    @property
    def plan_dir(self) -> Path:
        """The plan's content as data: ``actions.yaml`` and ``risks.yaml`` (see :mod:`serviceplan.inputs.plan`)."""
        return self.root / "plan"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def canonical_dir(self) -> Path:
        return self.data_dir / "canonical"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def quarto_config(self) -> Path:
        return self.root / "_quarto.yml"

    def raw_period_dir(self, period: str) -> Path:
        """Folder holding the files delivered for one month."""
        return self.raw_dir / str(period)

    def raw_periods(self) -> list[Period]:
        """Months that have a non-empty folder of delivered files, oldest first."""
        if not self.raw_dir.is_dir():
            return []
        found = []
        for child in self.raw_dir.iterdir():
            if child.is_dir() and _PERIOD_DIR.match(child.name) and any(child.iterdir()):
                found.append(Period.parse(child.name))
        return sorted(found)


def _looks_like_workspace(path: Path) -> bool:
    return (path / "params" / "defaults.yaml").is_file() and (path / "notebooks").is_dir()


def find_workspace(start: Path | str | None = None) -> Workspace:
    """Locate the workspace.

    Order: the ``SERVICEPLAN_HOME`` environment variable, then ``start`` (or the current directory) and its
    parents, then the checkout this package was installed from (an editable install).
    """
    env = os.environ.get(ENV_HOME)
    if env:
        return Workspace(Path(env).resolve())
    here = Path(start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if _looks_like_workspace(candidate):
            return Workspace(candidate)
    if _looks_like_workspace(CHECKOUT):
        return Workspace(CHECKOUT)
    from serviceplan.core.errors import UsageError

    raise UsageError(
        f"no serviceplan workspace found from {here}: run the command inside the project folder or set {ENV_HOME} to it"
    )


def replace_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """Write ``path`` through ``write(tmp)``, a temporary file of this process beside it that is then renamed over
    it, so that a reader (another process, or a later run after a crash) sees the old file or the new one, never a
    part of it. The temporary file is removed whatever happens; errors reach the caller."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
