"""Synthetic personal identity codes for tests, in every written form the package must recognise.

The codes are made here, not copied from anywhere: a birth date, a century sign and an individual number from
the 900-999 range, which is reserved for temporary identity codes (never a person's permanent code), with the
check character computed as DVV specifies it (remainder of the nine digits divided by 31, looked up in
``0123456789ABCDEFHJKLMNPRSTUVWXY``). Tests assert on booleans and counts, never print a code: use
:func:`holds_code` on output, whose failure message is a count, not the text.
"""

from __future__ import annotations

import unicodedata

CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def synthetic_code(birth: str = "150387", sign: str = "-", individual: str = "931") -> str:
    """A valid code ``DDMMYY`` + ``sign`` + ``individual`` + its check character."""
    return f"{birth}{sign}{individual}{CHECK[int(birth + individual) % 31]}"


def wrong_check(code: str) -> str:
    """``code`` with a check character that does not match its digits."""
    right = code[-1]
    return code[:-1] + next(c for c in CHECK if c != right)


CODE = synthetic_code()  # 1900s, hyphen
CODE_2000S = synthetic_code("240605", "A", "958")  # born 2005, century sign A
CODE_1900S_Y = synthetic_code("070772", "Y", "944")  # the 2023 reform's Y for the 1900s
CODE_1800S = synthetic_code("311299", "+", "907")

# The same code in the written forms met in the wild (issue 12): lower case, other dashes, spaces, full width.
WRITTEN_FORMS: dict[str, str] = {
    "canonical": CODE,
    "lower-case check character": CODE.lower(),
    "en dash": CODE.replace("-", "\u2013"),
    "minus sign": CODE.replace("-", "\u2212"),
    "soft hyphen": CODE.replace("-", "\u00ad"),
    "non-breaking hyphen": CODE.replace("-", "\u2011"),
    "spaces around the sign": CODE.replace("-", " - "),
    "no-break space for the sign": CODE.replace("-", "\u00a0"),
    "thin spaces around the sign": CODE.replace("-", "\u2009-\u2009"),
    "zero-width space": CODE.replace("-", "\u200b-"),
    "full width": "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in CODE),
    "century sign A, lower case": CODE_2000S.lower(),
    "century sign Y": CODE_1900S_Y,
    "century sign +": CODE_1800S,
}


def holds_code(text: str, codes: tuple[str, ...] = (CODE, CODE_2000S, CODE_1900S_Y, CODE_1800S)) -> bool:
    """Whether ``text`` contains one of ``codes`` (its date, century letter and individual number in a row, in
    any case, width or with any separators, whatever the check character). For assertions:
    ``assert not holds_code(output)`` fails without printing the output."""
    flat = _alnum(text)
    return any(_alnum(code[:-1]) in flat for code in codes)


def _alnum(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum()).upper()
