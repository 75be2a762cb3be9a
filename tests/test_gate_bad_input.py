"""Gate 5: bad input. Each malformed delivery stops ``serviceplan run`` with one clear message and publishes nothing.

Every case breaks one demo file of June 2025 in a throw-away copy of a workspace that has May 2025 published
already, runs ``serviceplan run 2025-06`` through :func:`serviceplan.cli.main`, and checks what a user sees and
what is left behind:

* the exact violation lines (file, row, column, the value found, what was expected) and the closing line;
* a non-zero exit code and no traceback;
* nothing published: ``reports/`` is byte for byte as before (no ``reports/2025-06``, the landing page unchanged).

The per-dataset tests (``tests/test_source_*.py``, ``tests/test_statfin.py``) check each contract in depth; this
suite goes end to end through the command across every dataset and file format. Every case is invalid input, so
no notebook runs: executing one would fail the case.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from rich.console import Console

from serviceplan import batch
from serviceplan.batch import run_periods
from serviceplan.cli import main
from serviceplan.paths import Workspace
from serviceplan.periods import Period

PERIOD = "2025-06"
PUBLISHED = "2025-05"
RAW = f"data/raw/{PERIOD}"
CLOSING = (
    "error: {n} input data violation{s}; nothing was executed or published. Fix the file(s) named above and run again."
)
BOM = b"\xef\xbb\xbf"


# --- editing delivered files the way a broken export would look ----------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A delivered text file: its text and how it was encoded, so that an edit keeps the rest as delivered."""

    text: str
    encoding: str
    bom: bool

    @classmethod
    def read(cls, path: Path) -> Text:
        data = path.read_bytes()
        bom = data.startswith(BOM)
        body = data[len(BOM) :] if bom else data
        try:
            return cls(body.decode("utf-8"), "utf-8", bom)
        except UnicodeDecodeError:
            return cls(body.decode("cp1252"), "cp1252", bom)

    def write(self, path: Path, text: str) -> None:
        path.write_bytes((BOM if self.bom else b"") + text.encode(self.encoding))


def edit_text(name: str, change: Callable[[str], str]) -> Callable[[Path], None]:
    """A mutation that rewrites the text of delivered file ``name``."""

    def mutate(folder: Path) -> None:
        path = folder / name
        delivered = Text.read(path)
        changed = change(delivered.text)
        assert changed != delivered.text, f"the edit did not change {name}"
        delivered.write(path, changed)

    return mutate


def replace(name: str, old: str, new: str) -> Callable[[Path], None]:
    """Replace the first ``old`` in delivered file ``name`` (which must contain it)."""

    def change(text: str) -> str:
        assert old in text, f"{old!r} not in {name}"
        return text.replace(old, new, 1)

    return edit_text(name, change)


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
    return out.getvalue()


def set_cell(name: str, line: int, header: str, value: str) -> Callable[[Path], None]:
    """Set the cell of column ``header`` on file line ``line`` (the header is line 1) of a ``;`` CSV."""

    def change(text: str) -> str:
        rows = csv_rows(text)
        rows[line - 1][rows[0].index(header)] = value
        return csv_text(rows)

    return edit_text(name, change)


def edit_rows(name: str, change: Callable[[list[list[str]]], list[list[str]]]) -> Callable[[Path], None]:
    """Rewrite the rows of a ``;`` CSV."""
    return edit_text(name, lambda text: csv_text(change(csv_rows(text))))


def drop_column(rows: list[list[str]], header: str) -> list[list[str]]:
    index = rows[0].index(header)
    return [row[:index] + row[index + 1 :] for row in rows]


def write_bytes(name: str, data: bytes | Callable[[bytes], bytes]) -> Callable[[Path], None]:
    """Replace the bytes of delivered file ``name`` (``data`` may be a function of the delivered bytes)."""

    def mutate(folder: Path) -> None:
        path = folder / name
        path.write_bytes(data(path.read_bytes()) if callable(data) else data)

    return mutate


def remove(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


def set_excel_cell(name: str, line: int, header: str, value: object) -> Callable[[Path], None]:
    """Set a cell of an ``.xlsx`` report: column ``header`` on sheet row ``line``."""

    def mutate(folder: Path) -> None:
        path = folder / name
        workbook = openpyxl.load_workbook(path)
        sheet = workbook.active
        header_row = next(r for r in sheet.iter_rows() if any(c.value == header for c in r))
        column = next(c.column for c in header_row if c.value == header)
        sheet.cell(row=line, column=column, value=value)
        workbook.save(path)

    return mutate


def edit_json(name: str, change: Callable[[dict], None]) -> Callable[[Path], None]:
    """Change the JSON document of delivered file ``name`` in place."""

    def mutate(folder: Path) -> None:
        path = folder / name
        document = json.loads(path.read_text(encoding="utf-8"))
        change(document)
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    return mutate


HTML_ERROR_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    "<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response.</p></body></html>\n"
)


# --- the cases -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One malformed input: how the delivered files are broken, and every violation line the user must see."""

    id: str
    mutate: Callable[[Path], None]
    lines: tuple[str, ...]


LEDGER = "kirjanpito_2025-06.csv"
KELA = "kela_kuntaosuus_2025-06.csv"
GRANTS = "avustukset_2025-06.csv"
IMMIGRANTS = "maahanmuuttajat_2025-06.csv"
SERVICES = "palvelut_2025-06.csv"
OUTCOMES = "palvelujen_tulokset_2025-06.csv"
EVENTS = "asiakastapahtumat_2025-06.xlsx"
EMPLOYER = "tyonantajapalvelut_2025-06.xlsx"
ACTIONS = "toimenpiteet_2025-06.csv"
PARTNERS = "kumppanit_2025-06.yaml"
STATFIN = "statfin_12r5.json"

CASES: tuple[Case, ...] = (
    # --- ledger: Finnish CSV, UTF-8 with BOM
    Case("ledger-decimal-point", set_cell(LEDGER, 2, "Summa", "342549.22"), ()),
    Case("ledger-comma-separated", edit_text(LEDGER, lambda t: t.replace(";", ",")), ()),
    Case("ledger-utf16-export", write_bytes(LEDGER, lambda b: b[3:].decode("utf-8").encode("utf-16")), ()),
    Case("ledger-title-rows-above-header", edit_text(LEDGER, lambda t: "Kirjanpidon raportti 6/2025\n\n" + t), ()),
    Case("ledger-missing-column", edit_rows(LEDGER, lambda r: drop_column(r, "Tilin nimi")), ()),
    Case("ledger-extra-column", edit_rows(LEDGER, lambda r: [row + ["x"] for row in r]), ()),
    Case("ledger-duplicate-row", edit_rows(LEDGER, lambda r: [*r, r[3]]), ()),
    Case("ledger-row-of-next-month", set_cell(LEDGER, 5, "Kausi", "2025-07"), ()),
    Case("ledger-unknown-budget-class", set_cell(LEDGER, 4, "Talousarvioluokka", "Investoinnit"), ()),
    Case("ledger-empty-file", write_bytes(LEDGER, b""), ()),
    Case("ledger-header-only", edit_text(LEDGER, lambda t: t.splitlines(keepends=True)[0]), ()),
    Case("ledger-truncated", write_bytes(LEDGER, lambda b: b[: len(b) // 2]), ()),
    Case("ledger-html-error-page", write_bytes(LEDGER, HTML_ERROR_PAGE.encode()), ()),
    Case("ledger-missing-file", remove(LEDGER), ()),
    # --- Kela invoice
    Case("kela-negative-recipients", set_cell(KELA, 3, "Saajat", "-1099"), ()),
    Case("kela-share-above-benefits", set_cell(KELA, 2, "Kunnan osuus", "1215082,04"), ()),
    Case("kela-benefit-month-not-before-billing", set_cell(KELA, 2, "Etuuskuukausi", "2025-06"), ()),
    Case("kela-unknown-municipality", set_cell(KELA, 4, "Kunta", "091"), ()),
    Case("kela-thousands-dot", set_cell(KELA, 5, "Saajat", "3.807"), ()),
    # --- grants
    Case("grants-continuing-above-ended", set_cell(GRANTS, 2, "Työsuhde jatkuu", "14"), ()),
    Case("grants-follow-up-on-voucher", set_cell(GRANTS, 4, "Päättyneet tuet", "3"), ()),
    Case("grants-paid-without-recipients", set_cell(GRANTS, 6, "Saajat", "0"), ()),
    # --- immigrant services
    Case("immigrants-total-off", set_cell(IMMIGRANTS, 10, "Vieraskieliset asiakkaat", "2317"), ()),
    Case("immigrants-missing-group", edit_rows(IMMIGRANTS, lambda r: [row for row in r if row[1] != "Viro"]), ()),
    Case("immigrants-training-above-period", set_cell(IMMIGRANTS, 2, "Kotoutumiskoulutuksessa", "229"), ()),
    # --- services and outcomes: cp1252 exports
    Case("services-unknown-production-mode", set_cell(SERVICES, 3, "Tuotantotapa", "Leasing"), ()),
    Case("services-negative-starts", set_cell(SERVICES, 2, "Aloittaneet", "-146"), ()),
    Case("outcomes-statuses-do-not-add-up", set_cell(OUTCOMES, 2, "Työtön", "55"), ()),
    Case("outcomes-future-cohort", set_cell(OUTCOMES, 2, "Palvelu päättynyt", "2025-09"), ()),
    # --- customer events and employer services: Excel reports
    Case("events-broken-xlsx", write_bytes(EVENTS, lambda b: b[: len(b) // 2]), ()),
    Case("events-csv-saved-as-xlsx", write_bytes(EVENTS, "Kuukausi;Ikäryhmä\n2025-06;alle 20\n".encode()), ()),
    Case("events-more-within-5-than-10-days", set_excel_cell(EVENTS, 6, "Alkuhaastattelu 5 työpäivässä", 14), ()),
    Case("events-total-off", set_excel_cell(EVENTS, 12, "Uudet työnhakijat", 748), ()),
    Case("employer-text-in-count", set_excel_cell(EMPLOYER, 6, "Täytetyt työpaikat", "105 kpl"), ()),
    Case("employer-missing-header-column", set_excel_cell(EMPLOYER, 5, "Yrityskäynnit", "Käynnit"), ()),
    # --- public statistics: JSON-stat2 bodies
    Case("statfin-size-mismatch", edit_json(STATFIN, lambda d: d["size"].__setitem__(1, 14)), ()),
    Case("statfin-rate-above-100", edit_json(STATFIN, lambda d: d["value"].__setitem__(1, 115.2)), ()),
    Case("statfin-html-error-page", write_bytes(STATFIN, HTML_ERROR_PAGE.encode()), ()),
    Case("statfin-truncated", write_bytes(STATFIN, lambda b: b[: len(b) // 2]), ()),
    Case("statfin-empty", write_bytes(STATFIN, b""), ()),
    # --- partner network: YAML
    Case("partners-broken-yaml", replace(PARTNERS, "- tunnus: ohjaamo", "- tunnus: ohjaamo\n   organisaatio: [auki"), ()),
    Case("partners-unknown-partner", replace(PARTNERS, "kumppani: salpaus", "kumppani: salpaus_oy"), ()),
    # --- plan actions
    Case("actions-unknown-action", set_cell(ACTIONS, 2, "Toimenpide", "T1.9"), ()),
    Case("actions-completed-in-the-future", set_cell(ACTIONS, 5, "Valmistumispäivä", "1.7.2025"), ()),
    Case("actions-done-without-date", set_cell(ACTIONS, 4, "Valmistumispäivä", ""), ()),
)


# --- running a case ------------------------------------------------------------------------------------------------


def tree_state(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes (what "nothing changed" is checked against)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, make_demo_workspace: Callable[[Path], Workspace]) -> Workspace:
    """A demo workspace with May 2025 published (a version with no pages: enough for the landing page)."""
    ws = make_demo_workspace(tmp_path_factory.mktemp("bad-input") / "template")
    assert run_periods(ws, [Period.parse(PUBLISHED)], areas=(), render=False, console=Console(quiet=True)) == 0
    assert (ws.reports_dir / PUBLISHED).is_dir() and (ws.reports_dir / "index.html").is_file()
    return ws


def _no_notebooks(*args: object, **kwargs: object) -> None:
    raise AssertionError("the input was accepted: notebooks would be executed")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_stops_the_run_with_a_clear_message(
    case: Case,
    template: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = tmp_path / "ws"
    shutil.copytree(template.root, root)
    ws = Workspace(root)
    case.mutate(ws.raw_period_dir(PERIOD))
    before = tree_state(ws.reports_dir)
    monkeypatch.setattr(batch, "_execute", _no_notebooks)
    capsys.readouterr()

    code = main(["--workspace", str(root), "run", PERIOD])

    out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out + err
    lines = err.splitlines()
    n = len(case.lines)
    assert lines == [*case.lines, CLOSING.format(n=n, s="s" if n != 1 else "")], err
    assert tree_state(ws.reports_dir) == before
    assert not (ws.reports_dir / PERIOD).exists()


def test_the_suite_covers_every_dataset_and_enough_cases() -> None:
    from serviceplan.sources import DATASETS

    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)
    named = "\n".join(line for c in CASES for line in c.lines)
    for dataset in DATASETS.values():
        stem = dataset.file_stem.format(period=PERIOD).rstrip("*")
        assert f"{RAW}/{stem}" in named, f"no case for {dataset.name}"
