"""Personal data detection: inputs must be aggregates, and nothing person-level may be published.

A Finnish personal identity code (henkilötunnus) is ``DDMMYY`` + century sign + a three-digit individual number +
a check character; the check character is the remainder of the nine digits divided by 31, looked up in
``0123456789ABCDEFHJKLMNPRSTUVWXY``. Only codes with a valid check character and a real date count, so that
ordinary numbers are not mistaken for them.
"""

from __future__ import annotations

import re
from datetime import date

_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_CENTURY = {
    "+": 1800,
    "-": 1900,
    "Y": 1900,
    "X": 1900,
    "W": 1900,
    "V": 1900,
    "U": 1900,
    "A": 2000,
    "B": 2000,
    "C": 2000,
    "D": 2000,
    "E": 2000,
    "F": 2000,
}
_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])(\d{6})([-+A-FU-Y])(\d{3})([0-9A-Y])(?![0-9A-Za-z])")

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


def _valid(digits: str, sign: str, individual: str, check: str) -> bool:
    try:
        day, month, year = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
        date(_CENTURY[sign] + year, month, day)
    except (ValueError, KeyError):
        return False
    return _CHECK[int(digits + individual) % 31] == check


def find_identity_codes(text: str) -> list[tuple[int, int]]:
    """Spans of valid-looking personal identity codes in ``text``."""
    return [m.span() for m in _CANDIDATE.finditer(text) if _valid(*m.groups())]


def contains_identity_code(text: str) -> bool:
    """Whether ``text`` holds something that is a valid personal identity code."""
    return bool(find_identity_codes(text))


def is_person_level_header(header: str) -> bool:
    """Whether a column header is one that only person-level data has."""
    return header.strip().casefold() in PERSON_LEVEL_HEADERS
