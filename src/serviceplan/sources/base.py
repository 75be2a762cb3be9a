"""What every input dataset module provides: a contract, a reader per delivery format, and a demo writer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from serviceplan.periods import Period

Reader = Callable[[Path, Period], pd.DataFrame]


@dataclass(frozen=True)
class Dataset:
    """One input dataset as the city receives it, month by month.

    ``file_stem`` names the delivered file inside ``data/raw/<YYYY-MM>/`` without its extension (``{period}`` is
    replaced by the month); ``readers`` maps each accepted extension to the function that reads, checks and
    normalises one delivery into canonical rows.
    """

    name: str
    title: str
    owner: str
    file_stem: str
    readers: dict[str, Reader]
    first_period: Period
    description: str = ""
    required: bool = True

    def find(self, period_dir: Path, period: Period) -> Path | None:
        """The delivered file for ``period`` in ``period_dir``, if any."""
        stem = self.file_stem.format(period=period)
        for extension in self.readers:
            candidate = period_dir / f"{stem}.{extension}"
            if candidate.is_file():
                return candidate
        return None

    def read(self, path: Path, period: Period) -> pd.DataFrame:
        """Read, check and normalise one delivered file into canonical rows."""
        extension = path.name.rsplit(".", 1)[-1].lower()
        return self.readers[extension](path, period)
