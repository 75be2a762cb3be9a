"""Metrics: one module per policy area, pure functions from canonical tables to numbers and KPI tables.

All arithmetic of the report lives here (the notebooks only call and show). This module holds what every area
shares: :func:`with_changes` puts a KPI table beside the same KPIs a month and a year earlier (in a batch run,
through the run's KPI store: :mod:`serviceplan.metrics.kpi_store`).
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path

import pandas as pd

from serviceplan.core.params import Params, load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.metrics import kpi_store
from serviceplan.metrics.kpis import Context, KpiFunction

# KPI units whose change is a difference rather than a relative change, and the kind of that difference:
# percentage points for shares, places for ranks (1 = best).
DIFFERENCE_UNITS: dict[str, str] = {"share": "points", "rank": "places"}
POINT_UNITS = frozenset(unit for unit, kind in DIFFERENCE_UNITS.items() if kind == "points")


def unit_change_kind(unit: str) -> str:
    """How a KPI's change is usually expressed, by its unit: ``points``, ``places`` or ``relative``."""
    return DIFFERENCE_UNITS.get(unit, "relative")


def _file_state(path: Path) -> tuple[int, int] | None:
    """A file's modification time and size (None when it does not exist): what tells that it changed."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=16)
def _params_of(year: int, params_dir: Path, states: tuple[tuple[int, int] | None, ...]) -> Params:
    return load_params(year, params_dir)


def params_for(year: int, params_dir: Path) -> Params:
    """:func:`serviceplan.core.params.load_params`, read and validated once per process while its two files (the
    defaults and the year's file) keep their size and modification time: the summary asks for the previous
    year's parameters once per area. :class:`~serviceplan.core.params.Params` is frozen, so sharing it is safe."""
    states = (_file_state(params_dir / "defaults.yaml"), _file_state(params_dir / "years" / f"{year}.yaml"))
    return _params_of(year, params_dir, states)


_SHARED_LOADS: ContextVar[dict[tuple[str, str, Path], pd.DataFrame] | None] = ContextVar(
    "serviceplan_shared_loads", default=None
)


@contextlib.contextmanager
def shared_loads() -> Iterator[None]:
    """Within the block, :func:`load` reads each canonical table once per (dataset, month, workspace) and hands
    out copies: the summary analyses every area, and several areas read the same table for the same month.

    The tables are kept only until the block ends (one call of the summary's collection), so a changed input
    is read afresh by the next call.
    """
    token = _SHARED_LOADS.set({})
    try:
        yield
    finally:
        _SHARED_LOADS.reset(token)


def load(name: str, period: Period | str, ws: Workspace) -> pd.DataFrame:
    """:func:`serviceplan.inputs.canonical.load` (the canonical table ``name`` up to ``period``), read once per
    :func:`shared_loads` block; outside such a block every call reads."""
    from serviceplan.inputs import canonical as data

    shared = _SHARED_LOADS.get()
    if shared is None:
        return data.load(name, period, ws)
    key = (name, str(period), ws.root)
    if key not in shared:
        shared[key] = data.load(name, period, ws)
    return shared[key].copy()


def context_for(ctx: Context, period: Period) -> Context:
    """The context of another month: same workspace, that month's parameters (which follow its year)."""
    params = ctx.params if period.year == ctx.period.year else params_for(period.year, ctx.workspace.params_dir)
    return Context(period=period, params=params, workspace=ctx.workspace)


def change_kind(old: float, unit: str, min_base: Mapping[str, float] | None = None) -> str:
    """How a change from ``old`` is measured: the unit's own difference for shares (``points``) and ranks
    (``places``); ``difference`` (in the KPI's unit) when ``old`` is zero or smaller than ``min_base[unit]`` (a
    relative change on a tiny base says little: a few vouchers growing to hundreds is "+3 900 %"); else
    ``relative``."""
    if unit in DIFFERENCE_UNITS:
        return DIFFERENCE_UNITS[unit]
    if old is None or math.isnan(old):
        return "relative"
    if old == 0 or abs(old) < (min_base or {}).get(unit, 0.0):
        return "difference"
    return "relative"


def change(old: float, new: float, unit: str, kind: str | None = None) -> float:
    """The change from ``old`` to ``new`` measured as ``kind`` (default: the unit's usual kind, see
    :func:`unit_change_kind`): a difference (percentage points as a fraction for shares, places for ranks, the
    KPI's unit for a tiny base) or the relative change ``new / old - 1``; NaN when it cannot be computed."""
    if old is None or new is None or math.isnan(old) or math.isnan(new):
        return math.nan
    kind = kind or unit_change_kind(unit)
    if kind in ("points", "places", "difference"):
        return new - old
    if old == 0:
        return math.nan
    return new / old - 1.0


CHANGES: tuple[tuple[str, str], ...] = (("change_month", "prev_month_value"), ("change_year", "prev_year_value"))


def add_changes(
    current: pd.DataFrame, earlier: Mapping[str, Mapping[str, float]], min_base: Mapping[str, float]
) -> pd.DataFrame:
    """``current`` (a KPI table) with the earlier values (``earlier[column][kpi]`` for ``prev_month_value`` and
    ``prev_year_value``) and the changes: ``change_month`` / ``change_year`` measured as ``change_month_kind`` /
    ``change_year_kind`` (:func:`change_kind`), and ``change_kind``, the unit's usual kind."""
    out = current.copy()
    for name, values in earlier.items():
        out[name] = [values.get(str(k), math.nan) for k in out["kpi"]]
    out["change_kind"] = [unit_change_kind(str(u)) for u in out["unit"]]
    for column, source in CHANGES:
        kinds = [change_kind(float(o), str(u), min_base) for o, u in zip(out[source], out["unit"], strict=True)]
        out[f"{column}_kind"] = kinds
        out[column] = [
            change(float(o), float(n), str(u), k)
            for o, n, u, k in zip(out[source], out["value"], out["unit"], kinds, strict=True)
        ]
    return out


def with_changes(
    function: KpiFunction,
    ctx: Context,
    first_period: Period | None = None,
    current: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The KPI table of ``ctx.period`` with each KPI's value a month and a year earlier and the changes.

    Added columns: ``prev_month_value``, ``prev_year_value``, ``change_month``, ``change_year``, how each is
    measured (``change_month_kind``, ``change_year_kind``: ``"relative"``, ``"points"``, ``"places"`` or
    ``"difference"``, see :func:`change_kind` and ``params.areas.summary.materiality.min_base``) and
    ``change_kind`` (the unit's usual kind, :func:`unit_change_kind`). Months before ``first_period`` (no data
    yet) give NaN without calling ``function``. The earlier values are what was known then (data up to that
    month). ``current`` is ``function(ctx)`` when the caller has it already (e.g. from the page's own analysis of
    the month), so that the month is not analysed twice.

    In a batch run (:func:`serviceplan.metrics.kpi_store.from_environment`) a registered area's tables are read
    from the run's KPI store when kept there, and kept there when computed here, ``current`` included, for the
    summary and the KPI files.
    """
    store = kpi_store.from_environment()
    area = kpi_store.area_of(function) if store is not None else None
    if current is None:
        current = kpi_store.kpi_table(function, ctx, area, store)
    elif store is not None and area is not None:
        store.put(area, ctx, current)
    earlier: dict[str, dict[str, float]] = {}
    for name, months in (("prev_month_value", 1), ("prev_year_value", 12)):
        period = ctx.period.shift(-months)
        if first_period is not None and period < first_period:
            earlier[name] = {}
            continue
        table = kpi_store.kpi_table(function, context_for(ctx, period), area, store)
        earlier[name] = dict(zip(table["kpi"].astype(str), table["value"].astype("float64"), strict=True))
    return add_changes(current, earlier, ctx.params.areas.summary.materiality.min_base)
