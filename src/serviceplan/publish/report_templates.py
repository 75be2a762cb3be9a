"""Finnish texts of the publishing pages and the Jinja2 templates they are written with.

The landing page, the version's front page (``index.qmd``), the committee PDF's Typst template, the previews'
navigation and the accessibility statement are Jinja2 templates in ``src/serviceplan/publish/templates/``; the
Finnish formats they need (month names, dates in Helsinki time, numbers with units) are here too, so that every page
says a month, a date and a version the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from serviceplan.core.periods import Period
from serviceplan.present import format as fmt

TEMPLATES = Path(__file__).resolve().parent / "templates"
READER_TIME_ZONE = "Europe/Helsinki"  # every date a reader sees, on every page and in `serviceplan versions`
# How a KPI value of each unit (serviceplan.metrics.kpis) is written on the publishing pages; the formats are the
# report's one set (serviceplan.present.format).
_UNIT_FORMATS: dict[str, Callable[[float], str]] = {
    "eur": fmt.euro,
    "share": fmt.percent,
    "days": lambda v: fmt.number(v, 1) + fmt.NBSP + "pv",
    "count": fmt.count,
    "ratio": lambda v: fmt.number(v, 2),
    "rank": fmt.count,
}


def period_fi(period: Period | str) -> str:
    """``2025-06`` -> ``kesäkuu 2025`` (:func:`serviceplan.present.format.month`)."""
    return fmt.month(period)


def helsinki(moment: datetime) -> datetime:
    """A time stamp in Helsinki time (the readers' time zone)."""
    try:
        from zoneinfo import ZoneInfo

        return moment.astimezone(ZoneInfo(READER_TIME_ZONE))
    except Exception:  # no time zone database (some Windows installs): the UTC date is close enough
        return moment


def reader_date(value: str | date | datetime | None) -> date | None:
    """The calendar date of an ISO time stamp in Helsinki time; ``None`` when missing or unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, datetime):
        return helsinki(value).date()
    return value


def date_fi(value: str | date | datetime | None) -> str:
    """An ISO date or time stamp -> ``1.7.2025`` (``d.M.yyyy``, Helsinki time); empty when missing or unreadable."""
    day = reader_date(value)
    return "" if day is None else fmt.day(day)


def revision_label_fi(revision: int) -> str:
    """How readers see a revision: ``1. versio``, and ``2. versio (korjaus)`` for every later one.

    A manager counts versions, not corrections: the folder ``2025-09-r2`` is the month's second version, which is
    its first correction, so no page calls it "korjaus 2".
    """
    return f"{revision}. versio" if revision <= 1 else f"{revision}. versio (korjaus)"


def number_fi(value: float | None, unit: str = "") -> str:
    """A KPI value the Finnish way (the report's formats): ``1 234 567 €``, ``15,9 %``, ``35,0 pv``; the legend's
    ``.`` when missing."""
    if fmt.is_missing(value):
        return fmt.MISSING
    return _UNIT_FORMATS.get(unit, lambda v: fmt.number(v, 2))(float(value))  # type: ignore[arg-type]


def markdown_cell_text(text: Any) -> str:
    """``text`` with Markdown's special characters escaped (for a table cell or a list item)."""
    return re.sub(r"([\\|*_`<>\[\]])", r"\\\1", str(text))


@cache
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = markdown_cell_text
    env.filters["yaml_string"] = lambda text: json.dumps(str(text), ensure_ascii=False)  # JSON strings are YAML
    env.filters["number_fi"] = number_fi
    env.filters["attribute"] = lambda text: " ".join(str(text).split()).replace("\\", "\\\\").replace('"', '\\"')
    return env


def render_template(name: str, **context: Any) -> str:
    """Render one of the package's Jinja2 templates (``src/serviceplan/publish/templates/``)."""
    return _environment().get_template(name).render(**context)
