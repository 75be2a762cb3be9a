"""Finnish number, percent, euro, month and date formats, from Babel's CLDR data for the ``fi`` locale.

Conventions (docs/domain.md, Finnish practice): decimal comma; a narrow no-break space (U+202F) between thousands, but
not in years; a no-break space (U+00A0) before ``%`` and ``€`` so a value never wraps away from its unit; the
minus sign U+2212; months ``tammikuu 2025`` (short ``tammi 2025``); dates ``30.6.2025``.

CLDR's Finnish grouping symbol is the wider U+00A0; we swap it for U+202F, the thin space Finnish typography and
the plan's style call for. Missing values (``None``, NaN) are shown as the legend's "not available" symbol ``.``
(:mod:`serviceplan.present.disclosure`). Every function accepts plain numbers; periods may be
:class:`~serviceplan.core.periods.Period` objects or ``YYYY-MM`` text.

Precision: an amount shown in short form (``euro_compact(..., digits=3)``, the tables' ``eur_compact``) keeps at
least :data:`SIGNIFICANT_DIGITS` significant digits (``7 818`` -> ``7,82 t€``, not ``8 t€``), so that amounts that
differ by more than about one per cent never look equal; an estimate in running text (:func:`euro_text` with
``digits``) is rounded to the same number of significant digits (``31 758`` -> ``31 800 euroa``).
"""

from __future__ import annotations

import math
from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal

from serviceplan.core.periods import Period
from serviceplan.present.symbols import NOT_AVAILABLE

LOCALE = "fi"
NNBSP = "\u202f"  # narrow no-break space: thousands separator
NBSP = "\u00a0"  # no-break space: before % and €
MINUS = "\u2212"
MISSING = NOT_AVAILABLE  # the legend's symbol for a value that is not available or does not apply
SIGNIFICANT_DIGITS = 3  # the least significant digits of a short amount and of an estimate in text


def is_missing(value: object) -> bool:
    """Whether ``value`` is absent (``None`` or NaN)."""
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def _finnish(text: str) -> str:
    """Babel output to Finnish typography: narrow thousands space, real minus sign."""
    text = text.replace(NBSP, NNBSP).replace(" ", NNBSP)
    if text.startswith("-"):
        text = MINUS + text[1:]
    return text


def number(value: float | None, decimals: int = 0, *, signed: bool = False) -> str:
    """``1234.5`` -> ``1 234,5`` (U+202F between thousands); ``signed`` adds ``+`` to positive values."""
    if is_missing(value):
        return MISSING
    value = float(value)  # type: ignore[arg-type]
    rounded = round(value, decimals)
    if rounded == 0:
        rounded = 0.0  # no "−0"
    text = _finnish(format_decimal(rounded, format=_pattern(decimals), locale=LOCALE))
    if signed and rounded > 0:
        text = "+" + text
    return text


def count(value: float | None) -> str:
    """A whole count: ``9033`` -> ``9 033``."""
    return number(value, 0)


def percent(share: float | None, decimals: int = 1, *, signed: bool = False) -> str:
    """A share (0..1) as a Finnish percentage: ``0.159`` -> ``15,9 %``."""
    if is_missing(share):
        return MISSING
    return number(float(share) * 100, decimals, signed=signed) + NBSP + "%"  # type: ignore[arg-type]


def points(difference: float | None, decimals: int = 1, *, signed: bool = True) -> str:
    """A difference of two shares in percentage points: ``0.012`` -> ``+1,2 %-yks.``."""
    if is_missing(difference):
        return MISSING
    return number(float(difference) * 100, decimals, signed=signed) + NBSP + "%-yks."  # type: ignore[arg-type]


def euro(value: float | None, decimals: int = 0, *, signed: bool = False) -> str:
    """Euros: ``1234567`` -> ``1 234 567 €``."""
    if is_missing(value):
        return MISSING
    return number(value, decimals, signed=signed) + NBSP + "€"


def euro_compact(value: float | None, decimals: int = 1, *, signed: bool = False, digits: int | None = None) -> str:
    """Short euros for charts and tables: ``2.6e6`` -> ``2,6 M€``, ``850000`` -> ``850 t€``, ``120`` -> ``120 €``.

    ``decimals`` applies to millions. With ``digits`` thousands keep at least that many significant digits
    (``digits=3``: ``7818`` -> ``7,82 t€``, ``88013`` -> ``88,0 t€``); without it they are whole (``8 t€``), as
    on a chart's axis.
    """
    if is_missing(value):
        return MISSING
    value = float(value)  # type: ignore[arg-type]
    if abs(value) >= 999_500:
        return number(value / 1e6, decimals, signed=signed) + NBSP + "M€"
    if abs(value) >= 1_000:
        thousands = value / 1e3
        places = 0 if digits is None else _decimals_for(thousands, digits)
        return number(thousands, places, signed=signed) + NBSP + "t€"
    return number(value, 0, signed=signed) + NBSP + "€"


def _decimals_for(value: float, digits: int) -> int:
    """Decimals that show ``value`` with at least ``digits`` significant digits (none for large values)."""
    if value == 0:
        return 0
    whole = math.floor(math.log10(abs(value))) + 1  # digits before the decimal comma (0 or less below 1)
    return max(0, digits - whole)


def round_significant(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """``value`` rounded to ``digits`` significant digits: ``31758`` -> ``31800``, ``962.4`` -> ``962``."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def euro_text(value: float | None, decimals: int = 1, *, digits: int | None = None) -> str:
    """Euros for running Finnish text: ``24.1e6`` -> ``24,1 milj. euroa``, ``85000`` -> ``85 000 euroa``.

    ``digits`` rounds amounts below a million to that many significant digits (``digits=3``: ``32 493`` ->
    ``32 500 euroa``, ``962`` -> ``962 euroa``), so that an estimate does not pretend to be exact.
    """
    if is_missing(value):
        return MISSING
    value = float(value)  # type: ignore[arg-type]
    if abs(value) >= 999_500:
        return number(value / 1e6, decimals) + NBSP + "milj." + NBSP + "euroa"
    if digits:
        value = round_significant(value, digits)
    return number(value, 0) + NBSP + "euroa"


def euro_text_range(low: float | None, high: float | None, decimals: int = 1) -> str:
    """A range of euros in text with the unit once: ``45,5–48,3 milj. euroa`` (or ``850 000 – 1,2 milj. euroa``)."""
    if is_missing(low) or is_missing(high):
        return MISSING
    low_text, high_text = euro_text(low, decimals), euro_text(high, decimals)
    millions = NBSP + "milj." + NBSP + "euroa"
    for unit in (millions, NBSP + "euroa"):
        if low_text.endswith(unit) and high_text.endswith(unit):
            if unit != millions and (low_text.endswith(millions) or high_text.endswith(millions)):
                break
            return low_text[: -len(unit)] + "–" + high_text
    return f"{low_text} – {high_text}"


def year(value: int | float | Period) -> str:
    """A year, never grouped: ``2025``."""
    if isinstance(value, Period):
        return str(value.year)
    return str(int(value))


def as_period(value: Period | str) -> Period:
    """A :class:`Period` from a period or ``YYYY-MM`` text."""
    return value if isinstance(value, Period) else Period.parse(str(value))


def month_name(value: Period | str) -> str:
    """The month's name alone: ``kesäkuu``."""
    return format_date(as_period(value).first_day, "LLLL", locale=LOCALE)


def month(value: Period | str) -> str:
    """``tammikuu 2025``."""
    return format_date(as_period(value).first_day, "LLLL yyyy", locale=LOCALE)


def month_short(value: Period | str, *, with_year: bool = True) -> str:
    """``tammi 2025`` (or ``tammi``)."""
    return format_date(as_period(value).first_day, "LLL yyyy" if with_year else "LLL", locale=LOCALE)


def day(value: date) -> str:
    """A date: ``30.6.2025``."""
    return format_date(value, "d.M.yyyy", locale=LOCALE)


# Finnish month names all end in "kuu"; the case endings below are regular for all twelve.
def month_inessive(value: Period | str, *, with_year: bool = False) -> str:
    """``kesäkuussa`` (in June), optionally ``kesäkuussa 2025``."""
    text = month_name(value) + "ssa"
    return f"{text} {year(as_period(value))}" if with_year else text


def month_genitive(value: Period | str) -> str:
    """``kesäkuun`` (June's)."""
    return month_name(value) + "n"


def month_elative(value: Period | str) -> str:
    """``toukokuusta`` (from May)."""
    return month_name(value) + "sta"


def month_span_inessive(first: Period | str, last: Period | str) -> str:
    """``tammi–kesäkuussa 2025``; one month: ``kesäkuussa 2025``; across years: ``joulukuu 2025 – helmikuu 2026``."""
    start, end = as_period(first), as_period(last)
    if start == end:
        return month_inessive(end, with_year=True)
    if start.year != end.year:
        return f"{month(start)} – {month(end)}"
    stem = month_name(start)[: -len("kuu")]
    return f"{stem}–{month_inessive(end, with_year=True)}"
