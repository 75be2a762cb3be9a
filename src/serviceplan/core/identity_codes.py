"""Personal identity codes, found in any written form, in one place: inputs must be aggregates, and nothing
person-level may be stored, published or printed.

A Finnish personal identity code (henkilötunnus) is ``DDMMYY`` + century sign + a three-digit individual number +
a check character; the check character is the remainder of the nine digits divided by 31, looked up in
``0123456789ABCDEFHJKLMNPRSTUVWXY``. Century signs since 1.1.2023: ``+`` (1800s); ``-``, ``Y``, ``X``, ``W``,
``V``, ``U`` (1900s); ``A``-``F`` (2000s) (docs/domain.md).

In the wild a code is also written lower-cased (``131052-308t``), with another dash (``131052–308T``, U+2212,
a soft hyphen...), with spaces, no-break or zero-width characters around the sign (``131052 - 308T``), with a space
instead of the sign (``131052 308T``) or in full-width characters. The pattern below accepts all of these; the
parts it captures are then normalised (NFKC, upper case) before the date and the check character are checked.
Every user of the package goes through this module: the readers' scan of delivered cells and headers
(:mod:`serviceplan.inputs.contracts`), the canonical store (:mod:`serviceplan.inputs.canonical`), the privacy gate
over everything published (:mod:`serviceplan.publish.privacy_gate`) and the redaction of every message
(:mod:`serviceplan.core.errors`).

Two strengths, on purpose:

* :func:`find_identity_codes` (what is *refused* as data and *blocks* a publication) needs a real date and a
  valid check character, so that ordinary numbers of the same shape (an order number ``010125-1234``) have one
  chance in 31 to be taken for a code instead of every time;
* :func:`redact_identity_codes` (what is *hidden* in a message, a log line or an exception text) also hides codes
  whose check character is wrong or not in the alphabet, and codes glued to letters (``HETU131052-308T``). A
  mistyped code still names a person by birth date and individual number, and hiding a number in a message costs
  nothing but the echo, so redaction errs on the side of privacy.

Why our own code: no package on PyPI normalises the written forms and the 2023 century signs (python-stdnum's
``fi.hetu`` validates one canonical string, it does not find codes in text).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_CENTURY = {
    "+": (1800,),
    "-": (1900,),
    "Y": (1900,),
    "X": (1900,),
    "W": (1900,),
    "V": (1900,),
    "U": (1900,),
    "A": (2000,),
    "B": (2000,),
    "C": (2000,),
    "D": (2000,),
    "E": (2000,),
    "F": (2000,),
    "": (1900, 2000, 1800),  # a space in place of the sign: any century the date fits
}
# Every Unicode dash (general category Pd, Unicode 14), and the minus and hyphen signs of other categories: soft
# hyphen U+00AD, modifier minus U+02D7, hyphen bullet U+2043, superscript and subscript minus, minus sign U+2212,
# heavy minus U+2796. tests/test_gate_privacy.py checks the list against unicodedata.
DASHES = (
    "\u002d\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2e17\u2e1a\u2e3a\u2e3b\u2e40\u2e5d"
    "\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\U00010ead"
    "\u00ad\u02d7\u2043\u207b\u208b\u2212\u2796"
)
PLUSES = "+\u207a\u208a\ufe62\uff0b\u2795"
# What may stand around the sign: any Unicode space (\s: also no-break, thin and narrow no-break spaces, line
# breaks), zero-width spaces and joiners, and a byte-order mark; at most three of them on each side.
_FILL = r"[\s\u200b\u200c\u200d\u2060\ufeff]{0,3}"
_SIGN = rf"[{re.escape(DASHES)}{re.escape(PLUSES)}]|[^\W\d_]"
_CODE = rf"(\d{{6}})(?:{_FILL}({_SIGN}){_FILL}|\s{{1,3}}())(\d{{3}})([^\W_])"
# A code found as data stands apart from letters and digits (so that a hash or a longer number is not read as
# one); a code hidden in a message needs only to stand apart from digits (``HETU131052-308T`` is hidden too).
_CANDIDATE = re.compile(rf"(?<![^\W_]){_CODE}(?![^\W_])")
_LOOSE = re.compile(rf"(?<!\d){_CODE}(?!\d)")

_SIX_DIGITS = re.compile(r"\d{6}")

REDACTED = "<identity code removed>"

# Column headers that only a person-level table has.
PERSON_LEVEL_HEADERS = frozenset(
    {
        "hetu",
        "henkilötunnus",
        "henkilotunnus",
        "henkilötunnus (hetu)",
        "ssn",
        "personal identity code",
        "nimi",
        "etunimi",
        "sukunimi",
        "name",
        "first name",
        "last name",
        "asiakasnumero",
        "asiakas_id",
        "customer id",
        "syntymäaika",
        "syntymaaika",
        "date of birth",
        "osoite",
        "address",
        "puhelin",
        "puhelinnumero",
        "phone",
        "sähköposti",
        "sahkoposti",
        "email",
        "e-mail",
    }
)


def _normal(char: str) -> str:
    return unicodedata.normalize("NFKC", char).upper()


def _sign(raw: str | None) -> str | None:
    """The century sign a captured sign stands for: ``-`` for every dash, ``+`` for every plus, the letter
    upper-cased (``None`` when it is no century sign)."""
    if raw is None or raw == "":
        return ""
    if raw in DASHES:
        return "-"
    if raw in PLUSES:
        return "+"
    sign = _normal(raw)
    return sign if sign in _CENTURY else None


def _real_date(digits: str, sign: str) -> bool:
    day, month, year = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    for century in _CENTURY[sign]:
        try:
            date(century + year, month, day)
        except ValueError:
            continue
        return True
    return False


def _judge(match: re.Match[str]) -> tuple[bool, bool]:
    """``(looks like a code, is a valid code)`` for a candidate: a century sign and a real date make it look like
    one; the check character of the nine digits makes it valid."""
    digits, raw_sign, space, individual, check = match.groups()
    sign = _sign(raw_sign if raw_sign is not None else space)
    if sign is None or not _real_date(digits, sign):
        return False, False
    return True, _CHECK[int(digits + individual) % 31] == _normal(check)


def find_identity_codes(text: str) -> list[tuple[int, int]]:
    """Spans of valid personal identity codes in ``text``, in any of the written forms the module accepts."""
    return [m.span() for m in _CANDIDATE.finditer(text) if _judge(m)[1]]


def contains_identity_code(text: str) -> bool:
    """Whether ``text`` holds a valid personal identity code in any written form."""
    return bool(find_identity_codes(text))


def redact_identity_codes(text: str) -> str:
    """``text`` with everything identity-code-like replaced by :data:`REDACTED`: valid codes and codes with a
    wrong check character alike (see the module's docstring for why)."""
    if not _SIX_DIGITS.search(text):
        return text  # the common case, a message without six digits in a row, costs one scan
    return _LOOSE.sub(lambda m: REDACTED if _judge(m)[0] else m.group(0), text)


def any_identity_code(texts: Iterable[object]) -> bool:
    """Whether any of ``texts`` (cells, names; ``None`` skipped) holds a valid identity code. The texts are
    searched joined by line breaks first (one search for a whole table), and one by one only when the joined
    text holds a code (which may then be one found only across two texts: that does not count)."""
    values = [str(t) for t in texts if t is not None]
    joined = "\n".join(values)
    return contains_identity_code(joined) and any(contains_identity_code(v) for v in values)


def is_person_level_header(header: str) -> bool:
    """Whether a column header is one that only person-level data has."""
    return header.strip().casefold() in PERSON_LEVEL_HEADERS
