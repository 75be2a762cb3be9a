"""Gate 2, privacy: nothing person-level leaves in a version that is about to be published.

The batch calls :func:`check_publishable` on a version's complete staging folder right before it is moved into
``reports/``. Every file that would be published is read (executed notebooks cell by cell, HTML pages and
previews, Quarto sources, KPI files, the manifest, logs, and the text of a PDF through ``pdftotext``) and these
leaks are looked for:

``identity_code``
    a Finnish personal identity code with a valid check character, in any written form (lower case, any dash,
    spaces, full width, the 2023 century signs: :func:`serviceplan.core.identity_codes.find_identity_codes`);
``email`` and ``phone``
    an e-mail address or a Finnish phone number (``+358 40 123 4567``, ``040 123 4567``, ``050-1234567``,
    ``03 814 2000``); the city's generic service addresses and numbers may be listed in
    ``params.privacy.allowed_emails`` and ``allowed_phones``;
``small_count``
    a count of people between 1 and ``params.disclosure.min_count`` - 1 shown outside the suppression symbol:
    (a) in a displayed table, whose count columns are known from the machine-readable marker that
    :func:`serviceplan.present.tables.show_table` puts in the output's metadata (columns in the ``count``
    format, less the headers in ``params.privacy.non_person_count_columns``, which count things); (b) in the KPI
    files, rows whose unit is ``count`` (less ``params.areas.summary.non_person_counts``); (c) in running text, a
    number directly followed by a word for people (``3 henkilöä``, ``kaksi asiakasta``);
``raw_row``
    a data line of a delivered CSV file appearing verbatim (the batch passes the run's input files);
``unreadable``
    a file the gate cannot read (a binary of unknown type, a PDF without ``pdftotext``): what cannot be checked
    is not published.

Years, euros, percentages, day counts and row numbers are not counts of people and are never flagged: tables are
checked only in their count columns, and running text only where the number counts people by its noun.

Each leak names the file (relative to the version folder) and the place in it (line, or notebook cell, output,
table row and column). Identity codes, e-mail addresses and phone numbers are masked in messages, because the
messages are printed and logged.

Why our own code: the PII scanners on PyPI (presidio, scrubadub) target English free text with NLP models; the
rules here are few, Finnish and exact, and need to know the report's table marker and disclosure parameters.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from serviceplan.core.digests import sha256_file
from serviceplan.core.errors import DataError, ServiceplanError
from serviceplan.core.identity_codes import find_identity_codes
from serviceplan.core.params import Params
from serviceplan.inputs.readers import decode_bytes
from serviceplan.present.tables import TABLE_MARKER

KINDS: dict[str, str] = {
    "identity_code": "personal identity code",
    "email": "e-mail address",
    "phone": "phone number",
    "small_count": "small count of people",
    "raw_row": "raw input row",
    "unreadable": "file that cannot be checked",
}

# Files that hold no text a reader sees (pictures, fonts) and assets of the site generator; everything else is read.
SKIPPED_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".js", ".css"}
)
TEXT_SUFFIXES = frozenset(
    {".ipynb", ".html", ".htm", ".csv", ".json", ".md", ".qmd", ".yml", ".yaml", ".txt", ".log", ".typ", ".svg"}
)
KPI_FILES = ("kpi.csv", "kpi_plain.csv", "kpi.json")
RAW_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
MIN_RAW_ROW_CHARS = 16  # shorter data lines (a month and a code) are too common to be evidence of a leak
COUNT_FORMATS = frozenset({"count"})  # table formats (serviceplan.present.tables.FORMATS) of counts

_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![\w-])")
_SEP = r"[ \u00a0-]"
_PHONE_INTL = re.compile(rf"(?<![\w+])\+358{_SEP}?(?:\(0\){_SEP}?)?\d(?:{_SEP}?\d){{5,10}}(?![\w])")
_PHONE_DOMESTIC = re.compile(
    rf"(?<![\w+/:\u202f-])(?<!\d[.,])0[1-9]\d{{0,2}}(?:{_SEP}?\d){{5,9}}(?![\w]|[.,]\d|\u202f\d|-\d)"
)
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\n]+")  # embedded images (wrapped at most by lines)
_BLOCKS = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")

# Running text: a number followed by a word for people. Finnish numerals are matched in their common forms.
_NUMERALS = {
    "yksi": 1, "yhden": 1, "yhtä": 1, "kaksi": 2, "kahden": 2, "kahta": 2, "kolme": 3, "kolmen": 3, "kolmea": 3,
    "neljä": 4, "neljän": 4, "neljää": 4, "viisi": 5, "viiden": 5, "viittä": 5, "kuusi": 6, "kuuden": 6,
    "kuutta": 6, "seitsemän": 7, "seitsemää": 7, "kahdeksan": 8, "kahdeksaa": 8, "yhdeksän": 9, "yhdeksää": 9,
}  # fmt: skip
_PERSON_WORDS = (
    r"henkilö(?:ä|t|itä|n|llä|lle)?|asiakas|asiakasta|asiakkaa(?:t|n|lla|lle)|asiakkaita|"
    r"työtön|työtöntä|työttömä(?:t|n)|työttömiä|nuori|nuorta|nuoret|nuoria|nuoren|"
    r"(?:työn)?hakija(?:a|t|n)?|(?:työn)?hakijoita|(?:etuuden)?saaja(?:a|t|n)?|saajia|"
    r"(?:maahanmuuttaja|osallistuja|opiskelija)(?:a|t|n)?|(?:maahanmuuttaj|osallistuj|opiskelij)oita|"
    r"ihminen|ihmistä|ihmiset|ihmisiä"
)
_NARRATIVE = re.compile(
    rf"(?<![\w,.:\u202f\u00a0/-])(\d+|{'|'.join(_NUMERALS)})[ \t\u00a0\u202f]+({_PERSON_WORDS})(?![\w-])",
    re.IGNORECASE,
)
# Tags that run inside a sentence (kept out of the text without a break); every other tag breaks the text, so
# that a number in one table cell and a word in the next are not read as "3 asiakasta".
_INLINE_TAGS = re.compile(r"</?(?:a|abbr|b|code|em|i|mark|small|span|strong|sub|sup)\b[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class Leak:
    """One finding of the gate: what (``kind``, one of :data:`KINDS`), where (``file`` in the folder and
    ``place`` in it) and a masked description (``detail``)."""

    file: str
    place: str
    kind: str
    detail: str

    def __str__(self) -> str:
        where = f"{self.file}, {self.place}" if self.place else self.file
        return f"{where}: {KINDS.get(self.kind, self.kind)} ({self.detail})"


class PrivacyError(ServiceplanError):
    """The privacy gate found something person-level in what would be published; nothing is published."""

    def __init__(self, leaks: Sequence[Leak]):
        self.leaks = list(leaks)
        first = str(self.leaks[0]) if self.leaks else "a leak"
        more = len(self.leaks) - 1
        super().__init__(
            f"privacy gate: {first}" + (f" (and {more} more)" if more > 0 else "") + "; remove it at its source"
        )

    def report(self, limit: int = 50) -> str:
        """Every finding, one a line (at most ``limit``)."""
        lines = [str(leak) for leak in self.leaks[:limit]]
        if len(self.leaks) > limit:
            lines.append(f"... and {len(self.leaks) - limit} more findings")
        return "\n".join(lines)


# --- detectors on text ---------------------------------------------------------------------------------------


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _national(number: str) -> str:
    """A phone number's digits in national form (``+358 40 ...`` -> ``040...``)."""
    digits = _digits(number)
    if number.lstrip().startswith("+358"):
        digits = "0" + digits[3:].lstrip("0") if digits.startswith("358") else digits
    return digits


def mask_email(address: str) -> str:
    """``matti.meikalainen@lahti.fi`` -> ``m…@lahti.fi`` (the domain says whose it is; the person is hidden)."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}…@{domain}"


def mask_phone(number: str) -> str:
    """``040 123 4567`` -> ``040…67``."""
    digits = _national(number)
    return f"{digits[:3]}…{digits[-2:]}"


def find_emails(text: str, allowed: Iterable[str] = ()) -> list[re.Match[str]]:
    """E-mail addresses in ``text`` that are not in ``allowed`` (compared without case)."""
    allow = {a.strip().casefold() for a in allowed}
    return [m for m in _EMAIL.finditer(text) if m.group(0).casefold() not in allow]


def find_phones(text: str, allowed: Iterable[str] = ()) -> list[re.Match[str]]:
    """Finnish phone numbers in ``text`` (international ``+358`` or domestic ``0..`` form, digits optionally
    grouped by spaces or hyphens) that are not in ``allowed`` (compared digit by digit, in national form).

    A domestic number has 8 to 11 digits with its leading zero; numbers inside longer digit strings, decimals,
    dates and Finnish thousands groups (U+202F) are not phone numbers.
    """
    allow = {_national(a) for a in allowed}
    found = []
    for pattern in (_PHONE_INTL, _PHONE_DOMESTIC):
        for match in pattern.finditer(text):
            national = _national(match.group(0))
            if 8 <= len(national) <= 11 and national not in allow:
                found.append(match)
    return sorted(found, key=lambda m: m.start())


def find_narrative_counts(text: str, min_count: int) -> list[re.Match[str]]:
    """Numbers 1..``min_count`` - 1 directly followed by a word for people (``3 henkilöä``, ``kaksi nuorta``)."""
    found = []
    for match in _NARRATIVE.finditer(text):
        word = match.group(1).casefold()
        value = int(word) if word.isdigit() else _NUMERALS[word]
        if 0 < value < min_count:
            found.append(match)
    return found


def parse_count(cell: str) -> float | None:
    """A table cell as a number (Finnish or plain format), or ``None`` for text, symbols and missing values."""
    text = cell.strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    if not re.fullmatch(r"[-+]?\d+(?:[.,]\d+)?", text):
        return None
    return float(text.replace(",", "."))


# --- what a file is made of -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A piece of a file's text as a reader sees it, with where it is (``place``), whether it is running text
    (checked for counts of people in words) and the table marker of a displayed table, if any."""

    place: str
    text: str
    prose: bool = True
    marker: dict[str, Any] | None = None


def _source(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _notebook_segments(content: dict[str, Any]) -> Iterator[Segment]:
    meta = json.dumps(content.get("metadata", {}), ensure_ascii=False, indent=1)
    yield Segment("notebook metadata", meta, prose=False)
    for number, cell in enumerate(content.get("cells", []), start=1):
        kind = cell.get("cell_type", "")
        yield Segment(f"cell {number} ({kind} source)", _source(cell.get("source")), prose=kind == "markdown")
        for index, output in enumerate(cell.get("outputs", []), start=1):
            where = f"cell {number}, output {index}"
            if output.get("output_type") == "stream":
                yield Segment(where, _source(output.get("text")), prose=False)
            elif output.get("output_type") == "error":
                yield Segment(where, "\n".join(output.get("traceback", [])), prose=False)
            data = output.get("data", {})
            marker = output.get("metadata", {}).get(TABLE_MARKER)
            for mime, value in data.items():
                if mime.startswith("image/") and mime != "image/svg+xml":
                    continue
                text = _source(value)
                if mime == "text/html":
                    yield Segment(f"{where} ({mime})", _html_text(text), prose=True)
                else:
                    yield Segment(
                        f"{where} ({mime})",
                        text,
                        prose=mime == "text/markdown",
                        marker=marker if mime == "text/markdown" else None,
                    )


def _blank_keeping_lines(match: re.Match[str]) -> str:
    return "\n" * match.group(0).count("\n")


def _html_text(text: str) -> str:
    """What a reader of an HTML page sees and can copy, line for line: scripts, styles, embedded images and tags
    removed, entities decoded (line numbers stay those of the file)."""
    text = _BLOCKS.sub(_blank_keeping_lines, text)
    text = _DATA_URI.sub("data:", text)
    text = _INLINE_TAGS.sub(lambda m: m.group(0).count("\n") * "\n" + _attributes(m.group(0)), text)
    text = _TAG.sub(lambda m: " ¦ " + m.group(0).count("\n") * "\n" + _attributes(m.group(0)), text)
    return html.unescape(text)


def _attributes(tag: str) -> str:
    """Attribute values a reader can get at (alt text, titles, links), kept beside the tag's text."""
    values = re.findall(r"\b(?:alt|title|href|aria-label|content)\s*=\s*\"([^\"]*)\"", tag, re.IGNORECASE)
    return (" ¦ " + " ¦ ".join(values) + " ¦ ") if values else ""


def _pdf_text(path: Path) -> str | None:
    executable = shutil.which("pdftotext")
    if executable is None:
        return None
    try:
        done = subprocess.run(
            [executable, "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=300, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.decode("utf-8", errors="replace") if done.returncode == 0 else None


def file_segments(path: Path, shown: str) -> tuple[list[Segment], list[Leak]]:
    """The segments of one published file, or a leak of kind ``unreadable`` when it cannot be read."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        text = _pdf_text(path)
        if text is None:
            return [], [Leak(shown, "", "unreadable", "PDF text could not be read: install pdftotext (poppler-utils)")]
        return [Segment(f"page {n}", page) for n, page in enumerate(text.split("\f"), start=1) if page.strip()], []
    data = path.read_bytes()
    try:
        if b"\x00" in data and suffix not in TEXT_SUFFIXES:
            raise UnicodeDecodeError("utf-8", data, 0, 1, "binary")
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if suffix in TEXT_SUFFIXES:
            text = data.decode("cp1252", errors="replace")
        else:
            return [], [Leak(shown, "", "unreadable", f"binary file of type '{suffix or path.name}'")]
    if suffix == ".ipynb":
        try:
            return list(_notebook_segments(json.loads(text))), []
        except (ValueError, AttributeError):
            return [Segment("", text, prose=False)], []
    if suffix in (".html", ".htm", ".svg"):
        return [Segment("", _html_text(text))], []
    prose = suffix in (".md", ".qmd", ".txt")
    return [Segment("", text, prose=prose)], []


# --- the checks ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawRow:
    """A data line of a delivered file: its text, the file and the line number there."""

    text: str
    file: str
    line: int
    separator: str


def raw_rows(inputs: Iterable[Path]) -> list[RawRow]:
    """The data lines of the delivered delimited text files among ``inputs`` (header lines excluded), long and
    structured enough (two separators or more) that finding one verbatim in a published file is a leak."""
    rows: list[RawRow] = []
    for path in inputs:
        if path.suffix.lower() not in RAW_SUFFIXES or not path.is_file():
            continue
        try:
            text = decode_bytes(path.read_bytes(), path.name)
        except DataError:
            continue
        lines = text.splitlines()
        if not lines:
            continue
        separator = max((";", "\t", ","), key=lines[0].count)
        shown = _input_name(path)
        for number, line in enumerate(lines[1:], start=2):
            stripped = line.strip()
            if len(stripped) >= MIN_RAW_ROW_CHARS and stripped.count(separator) >= 2:
                rows.append(RawRow(stripped, shown, number, separator))
    return rows


def _input_name(path: Path) -> str:
    parts = path.parts
    if "raw" in parts:
        return "/".join(parts[parts.index("raw") :])
    return path.name


def _line_place(segment: Segment, text: str, offset: int) -> str:
    line = 1 + text.count("\n", 0, offset)
    return f"{segment.place}, line {line}" if segment.place else f"line {line}"


def _text_leaks(shown: str, segment: Segment, params: Params, rows: Sequence[RawRow]) -> list[Leak]:
    text = segment.text
    privacy = params.privacy
    leaks = []
    for start, _end in find_identity_codes(text):
        leaks.append(Leak(shown, _line_place(segment, text, start), "identity_code", "value not shown"))
    for match in find_emails(text, privacy.allowed_emails):
        place = _line_place(segment, text, match.start())
        leaks.append(Leak(shown, place, "email", f"{mask_email(match.group(0))}; not in privacy.allowed_emails"))
    for match in find_phones(text, privacy.allowed_phones):
        place = _line_place(segment, text, match.start())
        leaks.append(Leak(shown, place, "phone", f"{mask_phone(match.group(0))}; not in privacy.allowed_phones"))
    if segment.prose:
        prose = "\n".join("" if line.lstrip().startswith("|") else line for line in text.split("\n"))
        for match in find_narrative_counts(prose, params.disclosure.min_count):
            place = _line_place(segment, text, match.start())
            leaks.append(Leak(shown, place, "small_count", f"'{match.group(0)}' in running text"))
    if rows:
        leaks.extend(_raw_row_leaks(shown, segment, rows))
    return leaks


def _raw_row_leaks(shown: str, segment: Segment, rows: Sequence[RawRow]) -> list[Leak]:
    leaks = []
    separators = {row.separator for row in rows}
    for number, line in enumerate(segment.text.split("\n")):
        candidates = [s for s in separators if line.count(s) >= 2]
        if not candidates:
            continue
        for row in rows:
            if row.separator in candidates and row.text in line:
                where = f"{segment.place}, line {number + 1}" if segment.place else f"line {number + 1}"
                leaks.append(Leak(shown, where, "raw_row", f"line {row.line} of {row.file}"))
                break
    return leaks


def _split_row(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [cell.strip().replace("\\|", "|").replace("\\\\", "\\") for cell in _CELL_SPLIT.split(body)]


def _header_key(header: object) -> str:
    return " ".join(str(header).split()).casefold()


def table_leaks(shown: str, segment: Segment, params: Params) -> list[Leak]:
    """Small counts in the count columns of the displayed table a segment's marker describes."""
    marker = segment.marker or {}
    formats = list(marker.get("formats", []))
    headers = list(marker.get("headers", []))
    lines = segment.text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("|")), None)
    if start is None or start + 1 >= len(lines) or not _TABLE_RULE.match(lines[start + 1].strip()):
        return [Leak(shown, segment.place, "unreadable", "a table marker without a Markdown table after it")]
    header_cells = _split_row(lines[start])
    if len(header_cells) != len(formats):
        detail = f"the table has {len(header_cells)} columns, its marker {len(formats)}"
        return [Leak(shown, segment.place, "unreadable", detail)]
    title = next((ln.strip().strip("*") for ln in reversed(lines[:start]) if ln.strip()), "")
    exempt = {_header_key(h) for h in params.privacy.non_person_count_columns}
    headers += [""] * (len(formats) - len(headers))
    checked = [i for i, fmt in enumerate(formats) if fmt in COUNT_FORMATS and _header_key(headers[i]) not in exempt]
    leaks = []
    symbol = params.disclosure.symbol
    for offset, line in enumerate(lines[start + 2 :], start=1):
        if not line.lstrip().startswith("|"):
            break
        cells = _split_row(line)
        for i in checked:
            if i >= len(cells) or cells[i] == symbol:
                continue
            value = parse_count(cells[i])
            if value is not None and 0 < value < params.disclosure.min_count:
                label = f"table '{title}', " if title else "table, "
                place = f"{segment.place}: {label}row {offset} ('{cells[0]}'), column '{header_cells[i]}'"
                leaks.append(Leak(shown, place, "small_count", f"{cells[i]} shown instead of '{symbol}'"))
    return leaks


def _kpi_records(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """``(place, row)`` of each KPI in a KPI file (CSV or JSON)."""
    if path.suffix == ".json":
        rows = json.loads(path.read_text(encoding="utf-8")).get("rows", [])
        return [(f"rows[{i}]", row) for i, row in enumerate(rows)]
    text = path.read_text(encoding="utf-8-sig")
    separator = ";" if text.split("\n", 1)[0].count(";") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=separator)
    return [(f"line {reader.line_num}", dict(row)) for row in reader]


def kpi_leaks(path: Path, shown: str, params: Params) -> list[Leak]:
    """KPIs of unit ``count`` (of people: not in ``areas.summary.non_person_counts``) with a value 1..min-1."""
    things = set(params.areas.summary.non_person_counts)
    leaks = []
    for place, row in _kpi_records(path):
        if str(row.get("unit")) != "count" or f"{row.get('area')}.{row.get('kpi')}" in things:
            continue
        value = row.get("value")
        number = value if isinstance(value, int | float) else parse_count(str(value or ""))
        if number is not None and 0 < number < params.disclosure.min_count:
            kpi = f"{row.get('area')}.{row.get('kpi')}"
            detail = f"KPI {kpi} = {number:g}; hide it (NaN) or, if it counts things, list it in non_person_counts"
            leaks.append(Leak(shown, place, "small_count", detail))
    return leaks


def published_files(folder: Path) -> list[Path]:
    """Every file in ``folder`` that would be published, in a stable order."""
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _file_leaks(path: Path, folder: Path, params: Params, rows: Sequence[RawRow]) -> list[Leak]:
    """Every leak in one file of ``folder``."""
    shown = path.relative_to(folder).as_posix()
    if path.suffix.lower() in SKIPPED_SUFFIXES:
        return []
    segments, leaks = file_segments(path, shown)
    for segment in segments:
        leaks.extend(_text_leaks(shown, segment, params, rows))
        if segment.marker is not None:
            leaks.extend(table_leaks(shown, segment, params))
    if path.name in KPI_FILES and path.parent == folder:
        leaks.extend(kpi_leaks(path, shown, params))
    return leaks


class FolderScan:
    """The scan of one version folder, a file at a time: the batch scans each notebook's files as soon as the
    notebook is collected, while the others still run, and :meth:`scan` at the end reads again only the files that
    are new or whose bytes changed since (a file's SHA-256 decides), so that the month's last step is shorter.
    """

    def __init__(self, folder: Path, params: Params, inputs: Iterable[Path] = ()):
        self.folder = folder
        self.params = params
        self._inputs = list(inputs)
        self._rows: list[RawRow] | None = None
        self._scanned: dict[Path, tuple[str, list[Leak]]] = {}

    def scan_files(self, paths: Iterable[Path]) -> list[Leak]:
        """The leaks in ``paths`` (files of the folder), each file read only when it changed since it was scanned."""
        if self._rows is None:
            self._rows = raw_rows(self._inputs)
        leaks: list[Leak] = []
        for path in paths:
            digest = sha256_file(path)
            known = self._scanned.get(path)
            if known is None or known[0] != digest:
                known = self._scanned[path] = (digest, _file_leaks(path, self.folder, self.params, self._rows))
            leaks.extend(known[1])
        return leaks

    def scan(self) -> list[Leak]:
        """Every leak in the folder's files as they are now; empty when the folder may be published."""
        leaks = self.scan_files(published_files(self.folder))
        return list(dict.fromkeys(leaks))  # one finding once (an address in a link's target and its text)


def scan_publishable(folder: Path, params: Params, *, inputs: Iterable[Path] = ()) -> list[Leak]:
    """Every leak in the files of ``folder`` (a version about to be published); empty when it may be published.

    ``inputs`` are the delivered files of the run (for the raw-row check); ``params`` give the disclosure
    threshold and symbol and the allowlists.
    """
    return FolderScan(folder, params, inputs).scan()


def check_publishable(folder: Path, params: Params, *, inputs: Iterable[Path] = ()) -> None:
    """Raise :class:`PrivacyError` naming every leak when ``folder`` holds anything person-level."""
    leaks = scan_publishable(folder, params, inputs=inputs)
    if leaks:
        raise PrivacyError(leaks)
