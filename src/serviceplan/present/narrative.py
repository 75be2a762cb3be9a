"""Small Finnish phrases generated from numbers: how a value changed and how it stands against a reference.

The phrases are lower-case fragments to be placed inside sentences (``"Toimintakulut " + change_phrase(a, b)``);
:func:`sentence` capitalises and closes a sentence. A change counts as "unchanged" when it rounds to zero at the
precision shown, so the words never contradict the number printed beside them.
"""

from __future__ import annotations

from collections.abc import Sequence

from serviceplan.present.format import is_missing, number, percent


def relative_change(old: float | None, new: float | None) -> float | None:
    """``new / old - 1``; ``None`` when it cannot be computed (missing value or a zero base)."""
    if is_missing(old) or is_missing(new) or float(old) == 0:  # type: ignore[arg-type]
        return None
    return float(new) / float(old) - 1.0  # type: ignore[arg-type]


def change_phrase(
    old: float | None,
    new: float | None,
    *,
    decimals: int = 1,
    up: str = "kasvoi",
    down: str = "laski",
    same: str = "pysyi ennallaan",
) -> str:
    """``kasvoi 3,2 %``, ``laski 1,1 %`` or ``pysyi ennallaan``; ``ei vertailutietoa`` without a base."""
    change = relative_change(old, new)
    if change is None:
        return "ei vertailutietoa"
    if round(abs(change) * 100, decimals) == 0:
        return same
    return f"{up if change > 0 else down} {percent(abs(change), decimals)}"


def points_phrase(old: float | None, new: float | None, *, decimals: int = 1) -> str:
    """For shares: ``nousi 1,2 prosenttiyksikköä``, ``laski 0,4 prosenttiyksikköä`` or ``pysyi ennallaan``."""
    if is_missing(old) or is_missing(new):
        return "ei vertailutietoa"
    difference = (float(new) - float(old)) * 100  # type: ignore[arg-type]
    if round(abs(difference), decimals) == 0:
        return "pysyi ennallaan"
    verb = "nousi" if difference > 0 else "laski"
    return f"{verb} {number(abs(difference), decimals)} prosenttiyksikköä"


def against_phrase(
    value: float | None,
    reference: float | None,
    *,
    noun_genitive: str = "budjetin",
    decimals: int = 1,
) -> str:
    """``3,2 % yli budjetin``, ``1,0 % alle budjetin`` or ``budjetin mukainen``."""
    change = relative_change(reference, value)
    if change is None:
        return f"ei {noun_genitive} vertailua"
    if round(abs(change) * 100, decimals) == 0:
        return f"{noun_genitive} mukainen"
    side = "yli" if change > 0 else "alle"
    return f"{percent(abs(change), decimals)} {side} {noun_genitive}"


def join_words(items: Sequence[str], conjunction: str = "ja") -> str:
    """``a``, ``a ja b``, ``a, b ja c``."""
    items = [str(i) for i in items if str(i)]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def sentence(text: str) -> str:
    """Capitalise the first letter and end with a full stop (unless the text already ends a sentence)."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def bullets(sentences: Sequence[str]) -> str:
    """Sentences as a Markdown bullet list."""
    return "\n".join(f"- {s}" for s in sentences if s)


def more_or_less(old: float | None, new: float | None, *, than: str = "kuin vuotta aiemmin", decimals: int = 1) -> str:
    """``8,1 % enemmän kuin vuotta aiemmin``, ``3,2 % vähemmän …`` or ``yhtä paljon …`` (when the change rounds
    to zero); an empty string without a base."""
    change = relative_change(old, new)
    if change is None:
        return ""
    if round(abs(change) * 100, decimals) == 0:
        return f"yhtä paljon {than}"
    return f"{percent(abs(change), decimals)} {'enemmän' if change > 0 else 'vähemmän'} {than}"


def months_between(first: object, last: object) -> str:
    """The months ``first``..``last`` as an adverbial of time: ``kesäkuussa 2025``, ``tammi–kesäkuussa 2025``, or
    across years ``heinäkuun 2025 ja kesäkuun 2026 välillä``."""
    from serviceplan.present.format import as_period, month_genitive, month_span_inessive

    start, end = as_period(first), as_period(last)  # type: ignore[arg-type]
    if start.year == end.year:
        return month_span_inessive(start, end)
    return f"{month_genitive(start)} {start.year} ja {month_genitive(end)} {end.year} välillä"
