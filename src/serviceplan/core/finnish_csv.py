"""Writing tables the way Finnish systems and spreadsheet users expect them: ``;``-separated, decimal comma."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def fi_decimal(value: float, decimals: int = 2) -> str:
    """``1234.5`` -> ``1234,50`` (no thousands separator, so that every reader parses it)."""
    return f"{value:.{decimals}f}".replace(".", ",")


def write_finnish_csv(frame: pd.DataFrame, path: Path, *, encoding: str = "utf-8-sig", decimals: int = 2) -> Path:
    """Write ``frame`` as a Finnish CSV: ``;`` separator, decimal comma, UTF-8 with BOM by default."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = [("" if pd.isna(v) else fi_decimal(float(v), decimals)) for v in out[column]]
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, sep=";", index=False, encoding=encoding, lineterminator="\n")
    return path
