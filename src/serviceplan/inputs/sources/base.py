"""What every input dataset module provides: a contract, a reader per delivery format, and a demo writer."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from serviceplan.core.errors import DataError, Violation
from serviceplan.core.periods import Period

Reader = Callable[[Path, Period], pd.DataFrame]
FilesFinder = Callable[[Path, Period], list[Path]]
OtherFiles = Callable[[Path, Period], list[Path | None]]
DeliveryReader = Callable[[list[Path], Period], pd.DataFrame]
AsOf = Callable[[pd.DataFrame, Period], pd.DataFrame]


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
    # Optional hooks for a delivery of several files a month (e.g. one statistics body per table): ``find_files``
    # lists them and ``read_files`` reads them together. ``as_of`` picks the rows a report for a month sees from
    # the canonical table (e.g. the newest revision known by then); without it, rows up to the month are used.
    find_files: FilesFinder | None = None
    read_files: DeliveryReader | None = None
    as_of: AsOf | None = None
    # Files of other deliveries that a delivery's checks read (e.g. the services exports its cohorts are checked
    # against), one entry per file it may use, ``None`` where that file is absent: the canonical rows of a delivery
    # are kept only while these stay the same too.
    checked_against: OtherFiles | None = None

    def find(self, period_dir: Path, period: Period) -> Path | None:
        """The delivered file for ``period`` in ``period_dir``, if any.

        The name is matched without case (a Windows export may say ``.CSV``). An entry of that name that is not a
        readable file (a link that loops or points nowhere, a folder) is returned too, so that reading it says
        what is wrong instead of calling the delivery missing. Two deliveries for one month (``.xlsx`` and a
        corrected ``.csv``) are an error naming both: which one counts is for the user to say.
        """
        stem = self.file_stem.format(period=period)
        wanted = {f"{stem}.{extension}".casefold() for extension in self.readers}
        try:
            names = sorted(os.listdir(period_dir))
        except OSError:  # no folder for the month (or none readable: the month's checks say so)
            return None
        found = [period_dir / name for name in names if name.casefold() in wanted]
        if len(found) > 1:
            listed = " and ".join(p.name for p in found)
            raise DataError(
                [
                    Violation(
                        f"data/raw/{period}/",
                        None,
                        None,
                        None,
                        f"one delivery of {self.title} for the month, found {len(found)}: {listed} "
                        "(remove or rename the one that does not apply)",
                    )
                ]
            )
        return found[0] if found else None

    def read(self, path: Path, period: Period) -> pd.DataFrame:
        """Read, check and normalise one delivered file into canonical rows."""
        extension = path.name.rsplit(".", 1)[-1].casefold()
        return self.readers[extension](path, period)

    def delivery(self, period_dir: Path, period: Period) -> list[Path]:
        """Every delivered file for ``period`` (at most one unless the dataset has ``find_files``)."""
        if self.find_files is not None:
            return self.find_files(period_dir, period)
        found = self.find(period_dir, period)
        return [] if found is None else [found]

    def read_delivery(self, paths: list[Path], period: Period) -> pd.DataFrame:
        """Read, check and normalise one month's delivered files into canonical rows."""
        if self.read_files is not None:
            return self.read_files(paths, period)
        if len(paths) == 1:
            return self.read(paths[0], period)
        return pd.concat([self.read(p, period) for p in paths], ignore_index=True)
