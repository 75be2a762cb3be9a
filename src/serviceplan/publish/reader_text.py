"""What readers see on a published page, and two checks of it: no internal names, and one symbol legend.

A page is an executed notebook. Its reader-facing text is what Quarto, the previews and JupyterLab show with the
code hidden (``echo: false``): the Markdown cells and the text outputs of the code cells (Markdown, plain text,
HTML without its tags, streams), figure alternative texts included; image file names, link targets and Quarto
attribute keys are not shown and are left out.

:func:`internal_names` finds what belongs to analysts, not readers: parameter keys (``areas.summary.headline``),
file paths (``params/defaults.yaml``), code identifiers (``what_if``), inline code, and Python's own words for
nothing (``NaN``, ``None``). Analysts find the names in the manifest and the parameter files.

:func:`symbol_misuse` checks the legend of :mod:`serviceplan.present.disclosure`: a table cell standing for a
number holds a number, text or one of ``..``, ``.`` and ``–`` (no ``-``, ``—``, ``NaN``); every ``.`` and ``–`` a
table shows is explained in its note and every ``..`` on the page; a symbol is explained only with its one
meaning (``(–)`` for suppressed counts was the old, second meaning); and a lone ``–`` is not used as a value in
running text (``vuosi: –``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from serviceplan.present.disclosure import CONFIDENTIAL, LEGEND_LEAD, MEANINGS, NIL, NOT_AVAILABLE

TEXT_TYPES = ("text/markdown", "text/plain", "text/html", "text/latex")


@dataclass(frozen=True)
class Finding:
    """One problem on a page: where (``cell N``), what kind, and the text found."""

    where: str
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}: {self.text!r}"


# ---- what readers see ---------------------------------------------------------------------------------------------

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")  # ![alt](target): the alt text is read, the target is not
_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\([^)]*\)")  # [text](target)
_ATTRIBUTES = re.compile(r"\{[^{}]*\}")  # Quarto attributes {#fig-x fig-alt="..." width=50%}
_QUOTED = re.compile(r'"([^"]*)"')
_TAG = re.compile(r"<[^>]+>")


def visible(text: str, mime: str = "text/markdown") -> str:
    """``text`` as a reader sees it: Markdown image and link targets and Quarto attribute keys removed (an
    attribute's quoted values, such as ``fig-alt``, kept), HTML tags removed."""
    if mime == "text/html":
        return html.unescape(_TAG.sub(" ", text))
    if mime != "text/markdown":
        return text
    text = _IMAGE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(lambda m: m.group(1), text)
    return _ATTRIBUTES.sub(lambda m: " " + " ".join(_QUOTED.findall(m.group(0))), text)


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def page_texts(path: Path) -> Iterator[tuple[str, str, str]]:
    """``(where, mime, text)`` of every reader-facing text of an executed notebook, the text as shown."""
    notebook = nbformat.read(path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        where = f"{path.name} cell {index}"
        if cell.cell_type == "markdown":
            yield where, "text/markdown", visible(_joined(cell.source))
            continue
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                yield where, "text/plain", _joined(output.get("text", ""))
            for mime in TEXT_TYPES:
                if mime in output.get("data", {}):
                    yield where, mime, visible(_joined(output["data"][mime]), mime)
            for key, value in output.get("metadata", {}).items():  # figure options Quarto shows, e.g. fig-alt
                if isinstance(value, dict):
                    for name in ("fig-alt", "fig-cap", "alt"):
                        if isinstance(value.get(name), str):
                            yield where, "text/plain", value[name]
                elif key in ("fig-alt", "fig-cap", "alt") and isinstance(value, str):
                    yield where, "text/plain", value


# ---- internal names --------------------------------------------------------------------------------------------

INTERNAL_PATTERNS: dict[str, re.Pattern[str]] = {
    "inline code": re.compile(r"`[^`\n]+`"),
    "file path": re.compile(
        r"(?<![\w@])[\w.-]*[\w/]\.(?:ya?ml|py|csv|json|ipynb|parquet|xlsx|qmd|md|toml|cfg|j2)\b", re.IGNORECASE
    ),
    "parameter key or dotted name": re.compile(r"(?<![\w@.])[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+(?![\w@])"),
    "code identifier": re.compile(r"(?<![\w@.])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@])"),
    "Python value": re.compile(r"\b(?:NaN|nan|None|NaT|True|False|<NA>)\b|<[\w.]+ object at "),
}


def internal_names(text: str) -> list[tuple[str, str]]:
    """``(kind, found)`` for every parameter key, file path, code identifier, inline code or Python value in
    ``text`` (reader-facing text, see :func:`visible`)."""
    found = []
    for kind, pattern in INTERNAL_PATTERNS.items():
        for match in pattern.finditer(text):
            found.append((kind, match.group(0)))
    return found


# ---- the symbol legend ----------------------------------------------------------------------------------------

LEGEND_SYMBOLS = frozenset({CONFIDENTIAL, NOT_AVAILABLE, NIL})
WRONG_CELLS = frozenset({"-", "—", "−", "‒", "NaN", "nan", "None", "n/a", "N/A", "NA", "<NA>", "inf", "-inf"})
_TABLE_LINE = re.compile(r"^\|.*\|\s*$")
_SYMBOL_MENTION = re.compile(r"[”\"“(]\s*(\.\.|\.|–|-|—)\s*[”\")]")
_DASH_AS_VALUE = re.compile(r":\s*[–\-—](?=\s*(?:$|[,;.)]|\s{2,}|\s[a-zäöå]+:))", re.MULTILINE)
_SUPPRESSION_SENTENCE = "on korvattu merkillä ”{symbol}”"


def _cells(line: str) -> list[str]:
    inner = line.strip()[1:-1]
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", inner)]


def tables_with_notes(text: str) -> Iterator[tuple[list[list[str]], str]]:
    """Each Markdown pipe table in ``text`` with the text that follows it up to the next table (its note)."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if _TABLE_LINE.match(lines[i]) and i + 1 < len(lines) and re.match(r"^\|\s*:?-", lines[i + 1]):
            start = i
            i += 2
            rows = []
            while i < len(lines) and _TABLE_LINE.match(lines[i]):
                rows.append(_cells(lines[i]))
                i += 1
            after = []
            while i < len(lines) and not _TABLE_LINE.match(lines[i]):
                after.append(lines[i])
                i += 1
            yield [_cells(lines[start]), *rows], "\n".join(after)
        else:
            i += 1


def symbol_misuse(page: list[tuple[str, str, str]], confidential: str = CONFIDENTIAL) -> list[Finding]:
    """Breaches of the one symbol legend on a page (``page``: its :func:`page_texts`; see the module docstring)."""
    findings: list[Finding] = []
    everything = "\n".join(text for _, _, text in page)
    explained_confidential = _SUPPRESSION_SENTENCE.format(symbol=confidential) in everything
    for where, mime, text in page:
        for table, note in tables_with_notes(text) if mime == "text/markdown" else ():
            body = [cell for row in table[1:] for cell in row]
            for cell in body:
                if cell in WRONG_CELLS:
                    findings.append(Finding(where, "a symbol outside the legend in a table", cell))
            shown = {cell for cell in body if cell in LEGEND_SYMBOLS | {confidential}}
            for symbol in shown & {NOT_AVAILABLE, NIL}:
                if f"”{symbol}” {MEANINGS[symbol]}" not in note:
                    findings.append(Finding(where, "a table shows a symbol its note does not explain", symbol))
            if confidential in shown and not explained_confidential:
                findings.append(Finding(where, "the page hides values without explaining the symbol", confidential))
        for match in _SYMBOL_MENTION.finditer(text):
            symbol, after = match.group(1), text[match.end() : match.end() + 200]
            before = text[max(0, match.start() - 80) : match.start()]
            if symbol in MEANINGS and after.startswith(f" {MEANINGS[symbol]}") and LEGEND_LEAD in text:
                continue
            if symbol == confidential and re.search(r"tietosuoja|peite|peitt", before, re.IGNORECASE):
                continue  # "..." peitetty tietosuojan vuoksi (merkki ”..”), "... on korvattu merkillä ”..”"
            findings.append(Finding(where, "a symbol explained outside the one legend", match.group(0)))
        for match in _DASH_AS_VALUE.finditer(_without_tables(text)):
            findings.append(Finding(where, "a dash used as a value in running text", match.group(0)))
    return findings


def _without_tables(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not _TABLE_LINE.match(line))
