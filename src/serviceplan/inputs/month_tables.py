"""A month's canonical tables kept whole, one Parquet file per dataset and month, for the kernels of a batch run.

:func:`serviceplan.inputs.canonical.load` builds a dataset's table for a month from every delivery up to it:
each delivery's canonical Parquet file is read, the files are joined, and the dataset's ``as_of`` rule (or the
month filter) is applied. A fresh kernel starts with none of that in memory, so each of a month's nine
notebooks did it again for every dataset it reads (for the 30 monthly StatFin deliveries about 0.1 s of CPU
a time). In a batch run the first kernel that loads a table keeps the result here and the others read one file.

The key is computed, never handed over, from what the table is made of: the dataset, the month, every
delivery up to the month (:func:`~serviceplan.inputs.canonical.delivery_digests`: the delivered files' bytes
and the reader code) and the package's code (which holds the ``as_of`` rules). A changed delivery or changed
code can therefore never be served a table made before the change.

The batch passes the folder to the kernels in :data:`ENV_FOLDER`; a notebook run on its own (JupyterLab, nbval)
has no folder and builds its tables itself, with the same result. Files are written under a temporary name and
renamed into place, so a reader sees a whole file or none; a file that cannot be read or written only costs the
time to build the table again.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from serviceplan.core import digests
from serviceplan.core.paths import Workspace, replace_atomically

ENV_FOLDER = "SERVICEPLAN_MONTH_TABLES"  # set by the batch for its kernels
FOLDER = "tables"  # the folder inside the reports' cache
FORMAT = 1  # bump when the files or the key change, so that older files are not read


@functools.cache
def _code_digest() -> str:
    """The package's code digest, computed once per process (a kernel lives for one notebook)."""
    return digests.code_digest()


def folder_of(ws: Workspace) -> Path:
    """Where a workspace keeps its month tables: ``reports/.cache/tables/``."""
    return ws.reports_dir / ".cache" / FOLDER


def from_environment() -> Path | None:
    """The folder the batch gave this process (:data:`ENV_FOLDER`), or ``None`` (a notebook run on its own)."""
    folder = os.environ.get(ENV_FOLDER)
    return Path(folder) if folder else None


def key(name: str, period: str, deliveries: list[tuple[str, str]]) -> str:
    """The key of dataset ``name``'s table for ``period``, from its ``(month, digest)`` deliveries up to it."""
    return digests.sha256_json(
        {"format": FORMAT, "dataset": name, "period": period, "deliveries": deliveries, "code": _code_digest()}
    )


def _path(folder: Path, table_key: str) -> Path:
    return folder / f"{table_key}.parquet"


def read(folder: Path, table_key: str) -> pd.DataFrame | None:
    """The table kept under ``table_key``, or ``None`` (never kept, or unreadable)."""
    path = _path(folder, table_key)
    try:
        table = pq.read_table(path)
    except (OSError, ValueError):  # missing, or not a whole Parquet file (pyarrow raises ArrowInvalid)
        return None
    if (table.schema.metadata or {}).get(b"serviceplan-key") != table_key.encode("ascii"):
        return None
    return table.to_pandas()


def write(folder: Path, table_key: str, table: pd.DataFrame) -> None:
    """Keep ``table`` under ``table_key``; when it cannot be written the table is simply not kept."""
    try:
        arrow = pa.Table.from_pandas(table)
        arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), b"serviceplan-key": table_key})
        folder.mkdir(parents=True, exist_ok=True)
        replace_atomically(_path(folder, table_key), lambda tmp: pq.write_table(arrow, tmp))
    except (OSError, ValueError, TypeError):  # pyarrow's ArrowInvalid and ArrowTypeError are the latter two
        pass  # not kept (see above)
