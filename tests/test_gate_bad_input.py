"""Gate 5: bad input. Each malformed delivery stops ``serviceplan run`` with one clear message and publishes nothing.

Every case breaks one input (a demo delivery of June 2025, or the plan a status update is checked against) in a
throw-away copy of a workspace that has May 2025 published already, runs ``serviceplan run 2025-06`` through
:func:`serviceplan.cli.main`, and checks what a user sees and what is left behind:

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


def in_workspace(relative: str, old: str, new: str) -> Callable[[Path], None]:
    """Replace ``old`` in a workspace file outside the month's folder (parameters, the plan)."""

    def mutate(folder: Path) -> None:
        path = folder.parents[2] / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

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


def case(id: str, mutate: Callable[[Path], None], *lines: str) -> Case:
    """A case whose run must print exactly ``lines`` (then the closing line) on standard error."""
    return Case(id, mutate, lines)


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
    case(
        "ledger-decimal-point",
        set_cell(LEDGER, 2, "Summa", "342549.22"),
        (
            "data/raw/2025-06/kirjanpito_2025-06.csv, row 2, column 'Summa': got '342549.22'; expected a"
            " number with a decimal comma (e.g. 1234,50) at least -5e+06 and at most 5e+06"
        ),
    ),
    case(
        "ledger-comma-separated",
        edit_text(LEDGER, lambda t: t.replace(";", ",")),
        (
            "data/raw/2025-06/kirjanpito_2025-06.csv, row 1; expected columns separated by ';' (Finnish"
            " CSV); the header is separated by ','"
        ),
    ),
    case(
        "ledger-utf16-export",
        write_bytes(LEDGER, lambda b: b[3:].decode("utf-8").encode("utf-16")),
        (
            "data/raw/2025-06/kirjanpito_2025-06.csv; expected text in UTF-8 or cp1252, not UTF-16: save"
            " the export as 'CSV UTF-8'"
        ),
    ),
    case(
        "ledger-title-rows-above-header",
        edit_text(LEDGER, lambda t: "Kirjanpidon raportti 6/2025\n\n" + t),
        (
            "data/raw/2025-06/kirjanpito_2025-06.csv, row 1; expected the header row first; it is on"
            " line 3, below title text: delete the lines above it"
        ),
    ),
    case(
        "ledger-missing-column",
        edit_rows(LEDGER, lambda r: drop_column(r, "Tilin nimi")),
        "data/raw/2025-06/kirjanpito_2025-06.csv, row 1, column 'Tilin nimi'; expected this column (missing)",
    ),
    case(
        "ledger-extra-column",
        edit_rows(LEDGER, lambda r: [[*r[0], "Huomautus"], *[[*row, ""] for row in r[1:]]]),
        (
            "data/raw/2025-06/kirjanpito_2025-06.csv, row 1, column 'Huomautus'; expected only the"
            " columns Kausi, Kustannuspaikka, Kustannuspaikan nimi, Tili, Tilin nimi, Talousarvioluokka,"
            " Summa (unexpected column)"
        ),
    ),
    case(
        "ledger-duplicate-row",
        edit_rows(LEDGER, lambda r: [*r, r[3]]),
        (
            "data/raw/2025-06/kirjanpito_2025-06.csv, row 14, column 'Tili': got '2025-06, 451020,"
            " 4700'; expected one row per (period, cost_centre, account) (duplicate key)"
        ),
    ),
    case(
        "ledger-row-of-next-month",
        set_cell(LEDGER, 5, "Kausi", "2025-07"),
        (
            "data/raw/2025-06/kirjanpito_2025-06.csv, row 5, column 'Kausi': got '2025-07'; expected the"
            " delivery month 2025-06 (file is for that month)"
        ),
    ),
    case(
        "ledger-unknown-budget-class",
        set_cell(LEDGER, 4, "Talousarvioluokka", "Investoinnit"),
        (
            "data/raw/2025-06/kirjanpito_2025-06.csv, row 4, column 'Talousarvioluokka': got"
            " 'Investoinnit'; expected one of Vapaaehtoinen, Määrärahasidonnainen, Määrärahasta"
            " riippumaton, Tarvesidonnainen, Toimeksiantotehtävä"
        ),
    ),
    case(
        "ledger-empty-file",
        write_bytes(LEDGER, b""),
        "data/raw/2025-06/kirjanpito_2025-06.csv; expected a ';'-separated table with a header row (file is empty)",
    ),
    case(
        "ledger-header-only",
        edit_text(LEDGER, lambda t: t.splitlines(keepends=True)[0]),
        "data/raw/2025-06/kirjanpito_2025-06.csv; expected at least one data row (only a header found)",
    ),
    case(
        "ledger-truncated",
        write_bytes(LEDGER, lambda b: b[: len(b) // 2]),
        (
            "data/raw/2025-06/kirjanpito_2025-06.csv, row 7, column 'Summa': got '11880,'; expected a"
            " number with a decimal comma (e.g. 1234,50) at least -5e+06 and at most 5e+06"
        ),
    ),
    case(
        "ledger-html-error-page",
        write_bytes(LEDGER, HTML_ERROR_PAGE.encode()),
        "data/raw/2025-06/kirjanpito_2025-06.csv, row 1; expected a ';'-separated CSV table, not an HTML page",
    ),
    case(
        "ledger-missing-file",
        remove(LEDGER),
        "data/raw/2025-06/; expected the delivery kirjanpito_2025-06.csv (Kirjanpidon toteuma; missing)",
    ),
    # --- Kela invoice
    case(
        "kela-negative-recipients",
        set_cell(KELA, 3, "Saajat", "-1099"),
        (
            "data/raw/2025-06/kela_kuntaosuus_2025-06.csv, row 3, column 'Saajat': got '-1099'; expected"
            " a whole number at least 0 and at most 100000"
        ),
    ),
    case(
        "kela-share-above-benefits",
        set_cell(KELA, 2, "Kunnan osuus", "1215082,04"),
        (
            "data/raw/2025-06/kela_kuntaosuus_2025-06.csv, row 2, column 'Kunnan osuus': got"
            " '1215082,04'; expected a municipal share no larger than the benefits paid on the same row"
        ),
    ),
    case(
        "kela-benefit-month-not-before-billing",
        set_cell(KELA, 2, "Etuuskuukausi", "2025-06"),
        (
            "data/raw/2025-06/kela_kuntaosuus_2025-06.csv, row 2, column 'Etuuskuukausi': got '2025-06';"
            " expected a benefit month before the billing month (Kela bills in arrears)"
        ),
    ),
    case(
        "kela-unknown-municipality",
        set_cell(KELA, 4, "Kunta", "091"),
        "data/raw/2025-06/kela_kuntaosuus_2025-06.csv, row 4, column 'Kunta': got '091'; expected one of 398",
    ),
    case(
        "kela-thousands-dot",
        set_cell(KELA, 5, "Saajat", "3.807"),
        (
            "data/raw/2025-06/kela_kuntaosuus_2025-06.csv, row 5, column 'Saajat': got '3.807'; expected"
            " a whole number at least 0 and at most 100000"
        ),
    ),
    # --- grants
    case(
        "grants-continuing-above-ended",
        set_cell(GRANTS, 2, "Työsuhde jatkuu", "14"),
        (
            "data/raw/2025-06/avustukset_2025-06.csv, row 2, column 'Työsuhde jatkuu': got '14';"
            " expected at most the subsidies that ended (13 on this row)"
        ),
    ),
    case(
        "grants-follow-up-on-voucher",
        set_cell(GRANTS, 4, "Päättyneet tuet", "3"),
        (
            "data/raw/2025-06/avustukset_2025-06.csv, row 4, column 'Päättyneet tuet': got '3'; expected"
            " an empty cell: only Lahti-lisä and Rekrytointipalkkio have a follow-up of the job"
        ),
    ),
    case(
        "grants-paid-without-recipients",
        set_cell(GRANTS, 6, "Saajat", "0"),
        (
            "data/raw/2025-06/avustukset_2025-06.csv, row 6, column 'Saajat': got '0'; expected at least"
            " 1 when euros were paid on the row"
        ),
    ),
    # --- immigrant services
    case(
        "immigrants-total-off",
        set_cell(IMMIGRANTS, 10, "Vieraskieliset asiakkaat", "2317"),
        (
            "data/raw/2025-06/maahanmuuttajat_2025-06.csv, row 10, column 'Vieraskieliset asiakkaat':"
            " got '2317'; expected the sum of the group rows above it, 2316 (total row)"
        ),
    ),
    case(
        "immigrants-missing-group",
        edit_rows(IMMIGRANTS, lambda r: [row for row in r if row[1] != "Viro"]),
        (
            "data/raw/2025-06/maahanmuuttajat_2025-06.csv, column 'Kieliryhmä': got 'Viro'; expected a"
            " row for every group and the total row 'Yhteensä' (missing)"
        ),
        (
            "data/raw/2025-06/maahanmuuttajat_2025-06.csv, row 9, column 'Vieraskieliset asiakkaat': got"
            " '2316'; expected the sum of the group rows above it, 2201 (total row)"
        ),
        (
            "data/raw/2025-06/maahanmuuttajat_2025-06.csv, row 9, column 'Kotoutumisajalla': got '663';"
            " expected the sum of the group rows above it, 658 (total row)"
        ),
        (
            "data/raw/2025-06/maahanmuuttajat_2025-06.csv, row 9, column 'International House Lahti"
            " -yhteydenotot': got '377'; expected the sum of the group rows above it, 354 (total row)"
        ),
    ),
    case(
        "immigrants-training-above-period",
        set_cell(IMMIGRANTS, 2, "Kotoutumiskoulutuksessa", "229"),
        (
            "data/raw/2025-06/maahanmuuttajat_2025-06.csv, row 2, column 'Kotoutumiskoulutuksessa': got"
            " '229'; expected at most 'Kotoutumisajalla' on the same row (228), of which it is a part"
        ),
        (
            "data/raw/2025-06/maahanmuuttajat_2025-06.csv, row 10, column 'Kotoutumiskoulutuksessa': got"
            " '234'; expected the sum of the group rows above it, 389 (total row)"
        ),
    ),
    # --- services and outcomes: cp1252 exports
    case(
        "services-unknown-production-mode",
        set_cell(SERVICES, 3, "Tuotantotapa", "Leasing"),
        (
            "data/raw/2025-06/palvelut_2025-06.csv, row 3, column 'Tuotantotapa': got 'Leasing';"
            " expected one of Oma tuotanto, Sidosyksikkö, Ostopalvelu, Kumppanuus"
        ),
    ),
    case(
        "services-negative-starts",
        set_cell(SERVICES, 2, "Aloittaneet", "-146"),
        (
            "data/raw/2025-06/palvelut_2025-06.csv, row 2, column 'Aloittaneet': got '-146'; expected a"
            " whole number at least 0 and at most 100000"
        ),
    ),
    case(
        "outcomes-statuses-do-not-add-up",
        set_cell(OUTCOMES, 2, "Työtön", "55"),
        (
            "data/raw/2025-06/palvelujen_tulokset_2025-06.csv, row 2, column 'Päättyneet': got '127';"
            " expected the sum of the status columns (128): every person who ended the service has one"
            " status"
        ),
    ),
    case(
        "outcomes-future-cohort",
        set_cell(OUTCOMES, 2, "Palvelu päättynyt", "2025-09"),
        (
            "data/raw/2025-06/palvelujen_tulokset_2025-06.csv, row 2, column 'Palvelu päättynyt': got"
            " '2025-09'; expected 2025-03: the month 3 months before the follow-up month"
        ),
    ),
    # --- customer events and employer services: Excel reports
    case(
        "events-broken-xlsx",
        write_bytes(EVENTS, lambda b: b[: len(b) // 2]),
        (
            "data/raw/2025-06/asiakastapahtumat_2025-06.xlsx; expected a readable .xlsx workbook"
            " (damaged or incomplete: BadZipFile)"
        ),
    ),
    case(
        "events-csv-saved-as-xlsx",
        write_bytes(EVENTS, "Kuukausi;Ikäryhmä\n2025-06;alle 20\n".encode()),
        (
            "data/raw/2025-06/asiakastapahtumat_2025-06.xlsx; expected a readable .xlsx workbook (the"
            " file is not a workbook: text such as a CSV or an HTML page saved with the .xlsx extension?)"
        ),
    ),
    case(
        "events-more-within-5-than-10-days",
        set_excel_cell(EVENTS, 6, "Alkuhaastattelu 5 työpäivässä", 14),
        (
            "data/raw/2025-06/asiakastapahtumat_2025-06.xlsx, row 6, column 'Alkuhaastattelu 5"
            " työpäivässä': got '14'; expected at most the interviews within 10 working days (13 on this"
            " row)"
        ),
        (
            "data/raw/2025-06/asiakastapahtumat_2025-06.xlsx, row 12, column 'Alkuhaastattelu 5"
            " työpäivässä': got '63'; expected the sum of the age-group rows (71)"
        ),
    ),
    case(
        "events-total-off",
        set_excel_cell(EVENTS, 12, "Uudet työnhakijat", 748),
        (
            "data/raw/2025-06/asiakastapahtumat_2025-06.xlsx, row 12, column 'Uudet työnhakijat': got"
            " '748'; expected the sum of the age-group rows (747)"
        ),
    ),
    case(
        "employer-text-in-count",
        set_excel_cell(EMPLOYER, 6, "Täytetyt työpaikat", "105 kpl"),
        (
            "data/raw/2025-06/tyonantajapalvelut_2025-06.xlsx, row 6, column 'Täytetyt työpaikat': got"
            " '105 kpl'; expected a whole number at least 0 and at most 100000"
        ),
    ),
    case(
        "employer-missing-header-column",
        set_excel_cell(EMPLOYER, 5, "Yrityskäynnit", "Käynnit"),
        (
            "data/raw/2025-06/tyonantajapalvelut_2025-06.xlsx; expected a header row with the columns"
            " 'Kuukausi', 'Ammattiala', 'Vastaanotetut työpaikat', 'Täytetyt työpaikat', 'Avoimet kuun"
            " lopussa', 'Täyttöaika, mediaani (pv)', 'Täyttöaika, keskiarvo (pv)', 'Työhön"
            " sijoittuneet', 'Yrityskäynnit', 'Puhelinkontaktit', 'Yhteistyötapahtumat, Ladec',"
            " 'Yhteistyötapahtumat, oppilaitokset' in the first 30 rows (row 5 lacks 'Yrityskäynnit')"
        ),
    ),
    # --- public statistics: JSON-stat2 bodies
    case(
        "statfin-size-mismatch",
        edit_json(STATFIN, lambda d: d["size"].__setitem__(1, 14)),
        (
            "data/raw/2025-06/statfin_12r5.json, column 'size[1]': got '14'; expected the number of"
            " categories of dimension 'Kuukausi' (13 in dimension.Kuukausi.category.index)"
        ),
    ),
    case(
        "statfin-rate-above-100",
        edit_json(STATFIN, lambda d: d["value"].__setitem__(1, 115.2)),
        (
            "data/raw/2025-06/statfin_12r5.json, column 'value[1]': got '115.2'; expected a percentage"
            " 0..100 (KU398 2024-06 rate)"
        ),
    ),
    case(
        "statfin-html-error-page",
        write_bytes(STATFIN, HTML_ERROR_PAGE.encode()),
        (
            "data/raw/2025-06/statfin_12r5.json, row 1: got '<!DOCTYPE html> <html><head><title>502 Bad"
            " Gateway</title></'; expected a JSON-stat2 dataset (PxWeb response format json-stat2), not"
            " an HTML page (the server answered with an error page: fetch again)"
        ),
    ),
    case(
        "statfin-truncated",
        write_bytes(STATFIN, lambda b: b[: len(b) // 2]),
        (
            "data/raw/2025-06/statfin_12r5.json, row 1; expected a JSON-stat2 dataset (PxWeb response"
            " format json-stat2): valid JSON (the body ends too early, truncated download? Expecting"
            " value; line 1, column 9581)"
        ),
    ),
    case(
        "statfin-empty",
        write_bytes(STATFIN, b""),
        (
            "data/raw/2025-06/statfin_12r5.json; expected a JSON-stat2 dataset (PxWeb response format"
            " json-stat2) (the file is empty)"
        ),
    ),
    # --- partner network: YAML
    case(
        "partners-broken-yaml",
        replace(PARTNERS, "- tunnus: ohjaamo", "- tunnus: ohjaamo\n   organisaatio: [auki"),
        (
            "data/raw/2025-06/kumppanit_2025-06.yaml, row 12; expected valid YAML (mapping values are"
            " not allowed in this context)"
        ),
    ),
    case(
        "partners-unknown-partner",
        replace(PARTNERS, "kumppani: salpaus", "kumppani: salpaus_oy"),
        (
            "data/raw/2025-06/kumppanit_2025-06.yaml, row 97, column 'kumppani': got 'salpaus_oy';"
            " expected the id of a partner listed under 'kumppanit' (unknown partner)"
        ),
    ),
    # --- plan actions
    case(
        "actions-unknown-action",
        set_cell(ACTIONS, 2, "Toimenpide", "T1.9"),
        (
            "data/raw/2025-06/toimenpiteet_2025-06.csv, row 2, column 'Toimenpide': got 'T1.9'; expected"
            " one of T1.1, T1.2, T2.1, T2.2, T3.1, T3.2, T3.3, T3.4, T4.1, T4.2, T4.3, T5.1, T5.2, T5.3,"
            " T6.1, T6.2, T7.1, T8.1, T9.1"
        ),
    ),
    case(
        "actions-completed-in-the-future",
        set_cell(ACTIONS, 5, "Valmistumispäivä", "1.7.2025"),
        (
            "data/raw/2025-06/toimenpiteet_2025-06.csv, row 5, column 'Valmistumispäivä': got"
            " '1.7.2025'; expected a completion date on or before 2025-06-30 (end of the delivery month)"
        ),
    ),
    case(
        "actions-done-without-date",
        set_cell(ACTIONS, 4, "Valmistumispäivä", ""),
        (
            "data/raw/2025-06/toimenpiteet_2025-06.csv, row 4, column 'Valmistumispäivä': got '';"
            " expected a completion date when Tila is 'valmis'"
        ),
    ),
    case(
        "plan-broken-yaml",
        in_workspace("plan/actions.yaml", "  date: 2024-12-12", "  date: [2024-12-12"),
        "plan/actions.yaml, row 26; expected valid YAML (did not find expected ',' or ']')",
    ),
    case(
        "ledger-undecodable-byte",
        write_bytes(LEDGER, lambda b: b.replace("ä".encode(), b"\x81", 1)),
        "data/raw/2025-06/kirjanpito_2025-06.csv, row 2; expected text in UTF-8 or cp1252 (byte 0x81 fits neither)",
    ),
    case(
        "ledger-workbook-saved-as-csv",
        lambda folder: (folder / LEDGER).write_bytes((folder / EVENTS).read_bytes()),
        "data/raw/2025-06/kirjanpito_2025-06.csv; expected text in UTF-8 or cp1252; the file holds an Excel workbook",
    ),
    case(
        "events-empty-workbook",
        write_bytes(EVENTS, b""),
        "data/raw/2025-06/asiakastapahtumat_2025-06.xlsx; expected a readable .xlsx workbook (the file is empty)",
    ),
    case(
        "events-old-xls",
        write_bytes(EVENTS, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)),
        (
            "data/raw/2025-06/asiakastapahtumat_2025-06.xlsx; expected a readable .xlsx workbook (this"
            " is an old-format .xls workbook: save it as .xlsx)"
        ),
    ),
    case(
        "grants-text-in-euros",
        set_cell(GRANTS, 3, "Maksettu €", "13 701,97 €"),
        (
            "data/raw/2025-06/avustukset_2025-06.csv, row 3, column 'Maksettu €': got '13 701,97 €';"
            " expected a number with a decimal comma (e.g. 1234,50) at least 0 and at most 5e+06"
        ),
    ),
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


@pytest.mark.parametrize("broken", CASES, ids=[c.id for c in CASES])
def test_bad_input_stops_the_run_with_a_clear_message(
    broken: Case,
    template: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = tmp_path / "ws"
    shutil.copytree(template.root, root)
    ws = Workspace(root)
    broken.mutate(ws.raw_period_dir(PERIOD))
    before = tree_state(ws.reports_dir)
    monkeypatch.setattr(batch, "_execute", _no_notebooks)
    capsys.readouterr()

    code = main(["--workspace", str(root), "run", PERIOD])

    out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out + err
    lines = err.splitlines()
    n = len(broken.lines)
    assert lines == [*broken.lines, CLOSING.format(n=n, s="s" if n != 1 else "")], err
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
