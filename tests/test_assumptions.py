"""docs/assumptions.md is the rated log of every ASSUMPTION marker in params/, plan/ and src/.

A marker is the word ASSUMPTION (or ASSUMPTIONS) followed by the row's id, e.g. ``# ASSUMPTION A12: ...``. Every
marker names a row of the log, every row is named by a marker, and every row is rated for quality and impact.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOG = REPO / "docs" / "assumptions.md"
MARKED = ("params", "plan", "src")
MARKER = re.compile(r"\bASSUMPTIONS?\b(?: (A\d+)\b)?")
ROW = re.compile(r"^\| (A\d+) \|(.*)\|\s*$", re.MULTILINE)
RAG = {"R", "A", "G"}


def markers() -> list[tuple[str, str | None]]:
    """Every marker in the marked folders: (file:line, the id it names or None)."""
    found = []
    for folder in MARKED:
        for path in sorted((REPO / folder).rglob("*")):
            if path.suffix not in {".py", ".yaml", ".yml", ".toml", ".md"} or "__pycache__" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                for match in MARKER.finditer(line):
                    found.append((f"{path.relative_to(REPO).as_posix()}:{number}", match.group(1)))
    return found


def rows() -> dict[str, list[str]]:
    """The log's rows by id: the cells after the id."""
    table: dict[str, list[str]] = {}
    for match in ROW.finditer(LOG.read_text(encoding="utf-8")):
        assert match.group(1) not in table, f"docs/assumptions.md: {match.group(1)} has two rows"
        table[match.group(1)] = [cell.strip() for cell in match.group(2).split("|")]
    return table


def test_every_marker_names_a_row_of_the_log() -> None:
    found = markers()
    assert len(found) >= 20
    without_id = [where for where, row_id in found if row_id is None]
    assert not without_id, f"an ASSUMPTION marker needs its id (ASSUMPTION A<n>): {without_id}"
    log = rows()
    unknown = [f"{where} names {row_id}" for where, row_id in found if row_id not in log]
    assert not unknown, f"no row in docs/assumptions.md: {unknown}"


def test_every_row_is_marked_where_it_is_made_and_rated() -> None:
    marked = {row_id for _where, row_id in markers()}
    log = rows()
    assert sorted(set(log) - marked) == [], "rows whose assumption no marker names"
    header = re.search(r"^\| id \|(.*)\|\s*$", LOG.read_text(encoding="utf-8"), re.MULTILINE)
    assert header, "docs/assumptions.md: no table header starting with | id |"
    columns = [cell.strip() for cell in header.group(1).split("|")]
    quality, impact = columns.index("quality"), columns.index("impact")
    for row_id, cells in log.items():
        assert len(cells) == len(columns), f"{row_id}: {len(cells)} cells, the header has {len(columns)}"
        assert cells[quality] in RAG and cells[impact] in RAG, f"{row_id}: quality and impact are R, A or G"
        assert all(cells), f"{row_id}: an empty cell"


def test_the_marker_pattern_reads_the_forms_in_use() -> None:
    assert [m.group(1) for m in MARKER.finditer("# ASSUMPTION A12: x; ASSUMPTIONS A29 of the demo")] == ["A12", "A29"]
    assert [m.group(1) for m in MARKER.finditer("ASSUMPTION (all five) and ASSUMPTION: y")] == [None, None]
    assert not MARKER.search("an assumption in lower case is prose, and ASSUMED is the data log's word")
