"""Gate 2, privacy: nothing person-level in what would be published (serviceplan.publish.privacy_gate).

Three layers of evidence:

* the detectors on hand-made text (which phone numbers, addresses, counts and table cells are leaks, and which
  look alike but are not: years, euros, percentages, day counts, row numbers, dates, hashes);
* a would-be published folder with one planted leak of every kind (identity code, e-mail, phone, small count in
  a table, in running text and in the KPI files, a raw input row, an unreadable file): each is caught with its
  file and place;
* the real batch: leaks planted in *inputs that pass validation* (a plan-status note and a partner name carrying
  contact details, a page that shows a dataset's small counts unsuppressed and prints a raw line) stop
  publishing; and the real report of the demo data passes the gate.

The batch calls the gate right before publishing (``serviceplan.publish.finish_month``), so the end-to-end tests run
the real path.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from conftest import new_workspace
from hetu_samples import CODE, CODE_2000S, WRITTEN_FORMS, holds_code, wrong_check
from serviceplan.core import identity_codes as privacy
from serviceplan.core.errors import DataError, RunError, ServiceplanError, Violation
from serviceplan.core.params import Params, load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.inputs.canonical import input_files, load
from serviceplan.metrics.areas import AREAS, Area, get
from serviceplan.metrics.kpis import Context, frame, kpi_row
from serviceplan.present.tables import TABLE_MARKER
from serviceplan.publish import manifest as mf
from serviceplan.publish import privacy_gate, versions
from serviceplan.publish.batch import run_periods
from serviceplan.publish.privacy_gate import Leak, Segment

REPO = Path(__file__).resolve().parents[1]
JUNE = Period(2025, 6)
HETU = "131052-308T"  # the textbook example code: check character T is valid
HETU_INVALID = "131052-308U"


@pytest.fixture(scope="module")
def params() -> Params:
    return load_params(2025, REPO / "params")


def kinds(leaks: list[Leak]) -> list[str]:
    return [leak.kind for leak in leaks]


# --- detectors ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "national"),
    [
        ("puh. +358 40 123 4567", "0401234567"),
        ("+358401234567", "0401234567"),
        ("+358 (0)40 123 4567", "0401234567"),
        ("soita 040 123 4567 arkisin", "0401234567"),
        ("gsm 050-1234567", "0501234567"),
        ("vaihde 03 814 2000", "038142000"),
        ("0400 123 456", "0400123456"),
        ("puh.044 1234567", "0441234567"),
    ],
)
def test_finnish_phone_numbers_are_found(text: str, national: str) -> None:
    found = privacy_gate.find_phones(text)
    assert [privacy_gate._national(m.group(0)) for m in found] == [national]


@pytest.mark.parametrize(
    "text",
    [
        "2025-06-30",  # a date
        "30.6.2025 klo 08:11:23",  # a date and a clock time
        "1\u202f234\u202f567\u00a0€",  # euros with Finnish thousands groups
        "15,9\u00a0%",  # a percentage
        "0,153",  # a decimal
        "Kustannuspaikka 451010 tili 4700",  # account codes
        "sha256 9f0401234567ab0402345678cd",  # hex digests
        "versio 0.10.2 ja 2.0.1",  # version numbers
        "0 0 0 0 0 0 0 0",  # a row of zeros
        "2024-01..2026-06",  # a range of months
        "rivi 0401",  # too short for a number
    ],
)
def test_what_looks_like_a_phone_number_but_is_not(text: str) -> None:
    assert privacy_gate.find_phones(text) == []


def test_allowed_service_numbers_and_addresses_pass() -> None:
    text = "Palveluneuvonta 03 814 2000, kirjaamo@lahti.fi; yhteyshenkilö matti.meikalainen@lahti.fi, 040 123 4567"
    assert [m.group(0) for m in privacy_gate.find_phones(text, ["+358 3 814 2000"])] == ["040 123 4567"]
    emails = privacy_gate.find_emails(text, ["Kirjaamo@Lahti.fi"])
    assert [m.group(0) for m in emails] == ["matti.meikalainen@lahti.fi"]
    assert privacy_gate.mask_email("matti.meikalainen@lahti.fi") == "m…@lahti.fi"
    assert privacy_gate.mask_phone("+358 40 123 4567") == "040…67"


def test_css_rules_and_package_specifiers_are_not_addresses() -> None:
    text = "@media print { } @font-face {} html-manager@^1.0.1/dist require.js@2.3.4 user@localhost"
    assert privacy_gate.find_emails(text) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Kuukauden aikana ammattialatiimeihin siirtyi 3 henkilöä.", ["3 henkilöä"]),
        ("Omatyöntekijä puuttuu kahdelta: kaksi asiakasta odottaa.", ["kaksi asiakasta"]),
        ("Ryhmässä oli 1\u00a0nuori ja 4 työtöntä.", ["1\u00a0nuori", "4 työtöntä"]),
        ("Alle 5 henkilön lukumäärät (1–4) on korvattu merkillä.", []),  # the rule itself: 5 is not small
        ("Palveluissa oli 3\u202f297 henkilöä.", []),  # a thousands group, not 297
        ("Vuonna 2025 henkilöä oli 12.", []),
        ("Keskimäärin 2,5 henkilöä kotitaloutta kohden.", []),  # a decimal is not a count
        ("Myöhässä 3 toimenpidettä ja 2 riskiä.", []),  # things, not people
        ("3 kk palvelun jälkeen 23,5 % asiakkaista oli töissä.", []),
    ],
)
def test_small_counts_of_people_in_running_text(text: str, found: list[str]) -> None:
    assert [m.group(0) for m in privacy_gate.find_narrative_counts(text, 5)] == found


def test_running_text_of_html_pages_is_read_as_a_reader_sees_it(tmp_path: Path, params: Params) -> None:
    (tmp_path / "sivu.html").write_text(
        '<html lang="fi"><body>\n<p>Kuukauden aikana siirtyi <strong>3</strong>&nbsp;henkilöä.</p>\n'
        "<table><tr><td>3</td><td>Asiakkaat</td></tr></table>\n"
        '<img alt="Kaavio: 2 nuorta odottaa" src="data:image/png;base64,MDQwIDEyMyA0NTY3">\n</body></html>\n',
        encoding="utf-8",
    )
    leaks = privacy_gate.scan_publishable(tmp_path, params)
    # a number and a word in neighbouring table cells are not a sentence; the embedded image is not text
    assert [(leak.place, leak.kind, leak.detail) for leak in leaks] == [
        ("line 2", "small_count", "'3\u00a0henkilöä' in running text"),
        ("line 4", "small_count", "'2 nuorta' in running text"),
    ]


def test_a_folder_scan_reads_a_file_again_only_when_its_bytes_change(
    tmp_path: Path, params: Params, monkeypatch: pytest.MonkeyPatch
) -> None:
    early, late = tmp_path / "01_sivu.md", tmp_path / "02_sivu.md"
    early.write_text("Kuukauden aikana siirtyi 3 henkilöä.\n", encoding="utf-8")
    scan = privacy_gate.FolderScan(tmp_path, params)
    assert kinds(scan.scan_files([early])) == ["small_count"]  # scanned early, while other pages still run
    read: list[str] = []
    real = privacy_gate._file_leaks
    monkeypatch.setattr(privacy_gate, "_file_leaks", lambda path, *a: read.append(path.name) or real(path, *a))
    late.write_text("Ei havaintoja.\n", encoding="utf-8")
    assert kinds(scan.scan()) == ["small_count"]  # the early finding stays in the final scan
    assert read == ["02_sivu.md"]  # ... without reading the early file again
    early.write_text("Kuukauden aikana siirtyi 30 henkilöä.\n", encoding="utf-8")  # changed since
    assert scan.scan() == [] and read == ["02_sivu.md", "01_sivu.md"]
    assert privacy_gate.scan_publishable(tmp_path, params) == []


def test_count_cells_in_finnish_and_plain_formats() -> None:
    assert privacy_gate.parse_count("1\u202f234") == 1234
    assert privacy_gate.parse_count("3") == 3
    assert privacy_gate.parse_count("\u22122") == -2
    assert privacy_gate.parse_count("12,5") == 12.5
    for text in ("..", "–", "", "Palkkatuki", "15,9\u00a0%", "1,2\u00a0M€"):
        assert privacy_gate.parse_count(text) is None


def marked_table(headers: list[str], formats: list[str], rows: list[list[str]], title: str = "Taulukko") -> Segment:
    lines = [f"**{title}**", "", "| " + " | ".join(headers) + " |", "| " + " | ".join("---:" for _ in headers) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    marker = {"headers": headers, "formats": formats}
    return Segment("cell 7, output 1 (text/markdown)", "\n".join(lines), marker=marker)


def test_table_check_reads_only_count_columns(params: Params) -> None:
    # row numbers, years, months, euros, percentages and durations are not in the count format; a count of
    # things (the statutory deadline in working days) is exempt by its header (params.privacy)
    headers = ["Rivi", "Vuosi", "Kuukausi", "Saajia", "Maksettu", "Osuus", "Päiviä", "Määräaika, työpäivää"]
    formats = ["number", "text", "month", "count", "eur", "percent", "number1", "count"]
    rows = [
        ["1", "2025", "kesä 2025", "3", "2\u00a0€", "4,0\u00a0%", "3,0", "5"],  # row 1: Saajia 3 is the leak
        ["2", "2024", "touko 2025", "..", "1\u00a0€", "1,0\u00a0%", "1,0", "3"],  # suppressed; deadline exempt
        ["3", "2023", "huhti 2025", "1\u202f513", "4\u00a0€", "2,0\u00a0%", "2,0", "10"],
        ["4", "2022", "maalis 2025", "0", "0\u00a0€", "0,0\u00a0%", "0,0", "10"],  # a zero reveals nobody
    ]
    leaks = privacy_gate.table_leaks("01_budget.ipynb", marked_table(headers, formats, rows, "Saajat"), params)
    assert len(leaks) == 1
    leak = leaks[0]
    assert (leak.file, leak.kind, leak.detail) == ("01_budget.ipynb", "small_count", "3 shown instead of '..'")
    assert leak.place == "cell 7, output 1 (text/markdown): table 'Saajat', row 1 ('1'), column 'Saajia'"
    # the same table without the exemption: the deadline column's 3 is a small count too
    strict = params.model_copy(update={"privacy": params.privacy.model_copy(update={"non_person_count_columns": []})})
    strict_leaks = privacy_gate.table_leaks("01_budget.ipynb", marked_table(headers, formats, rows), strict)
    assert [leak.place.split(": ", 1)[1] for leak in strict_leaks] == [
        "table 'Taulukko', row 1 ('1'), column 'Saajia'",
        "table 'Taulukko', row 2 ('2'), column 'Määräaika, työpäivää'",
    ]


def test_table_marker_that_does_not_match_its_table_is_a_finding(params: Params) -> None:
    segment = marked_table(["A", "B"], ["count", "count"], [["1", "2"]])
    broken = Segment(segment.place, segment.text, marker={"headers": ["A"], "formats": ["count"]})
    assert kinds(privacy_gate.table_leaks("x.ipynb", broken, params)) == ["unreadable"]
    no_table = Segment("cell 1", "just text", marker={"headers": ["A"], "formats": ["count"]})
    assert kinds(privacy_gate.table_leaks("x.ipynb", no_table, params)) == ["unreadable"]


def test_table_marker_comes_from_show_table() -> None:
    import pandas as pd

    from serviceplan.present import tables

    shown = pd.DataFrame({"label": ["Ukraina"], "moved": [3], "share": [0.1]})
    marker = tables.table_marker(
        shown, {"moved": "count", "share": "percent"}, {"label": "Kieli", "moved": "Siirtyneet"}
    )
    assert marker == {
        TABLE_MARKER: {"headers": ["Kieli", "Siirtyneet", "share"], "formats": ["text", "count", "percent"]}
    }


# --- identity codes in every written form: one detector, used by the gate, the store and every message ---------


@pytest.mark.parametrize("written", WRITTEN_FORMS.values(), ids=list(WRITTEN_FORMS))
def test_an_identity_code_is_found_and_redacted_in_every_written_form(written: str) -> None:
    text = f"Asiakas {written}, tapaaminen 3.6.2025 klo 9.00."
    assert len(privacy.find_identity_codes(text)) == 1
    redacted = privacy.redact_identity_codes(text)
    assert not holds_code(redacted)
    assert redacted == f"Asiakas {privacy.REDACTED}, tapaaminen 3.6.2025 klo 9.00."


def test_a_wrong_check_character_is_no_evidence_but_is_hidden_in_messages() -> None:
    for text in (f"hetu {wrong_check(CODE)}", f"hetu {wrong_check(CODE_2000S).lower()}", f"HETU{CODE}"):
        assert not privacy.contains_identity_code(text)  # not refused as data, not a finding of the gate
        assert not holds_code(privacy.redact_identity_codes(text))  # but never echoed


def test_every_unicode_dash_stands_for_the_century_sign() -> None:
    dashes = {chr(i) for i in range(sys.maxunicode + 1) if unicodedata.category(chr(i)) == "Pd"}
    assert dashes <= set(privacy.DASHES)
    found = [privacy.contains_identity_code(CODE.replace("-", dash)) for dash in privacy.DASHES]
    assert found.count(True) == len(privacy.DASHES)


@pytest.mark.parametrize(
    "text",
    [
        "2025-06-30 ja 30.6.2025",  # dates
        "Kustannuspaikka 451010 tili 4700 ja 451010-4700",  # accounts (day 45 is no date)
        "sha256 9f0401234567ab0402345678cd",  # a hex digest: letters and digits glued together
        "puh. 040 123 4567",
        "1\u202f234\u202f567,89\u00a0€ ja 2024-01..2026-06",
        "rivit 150387 ja 9311 erikseen",  # a space between a date-like number and four digits is no sign
        "tilausnumero 1503879311",  # no separator at all
    ],
)
def test_ordinary_numbers_are_neither_found_nor_redacted(text: str) -> None:
    assert not privacy.contains_identity_code(text)
    assert privacy.redact_identity_codes(text) == text


PUBLISHED_KINDS = (
    "07_page.ipynb",
    "index.qmd",
    "palvelusuunnitelma.typ",
    "kpi.csv",
    "logs/07_page.log",
    "preview/07_page.html",
)


def plant(folder: Path, written: str) -> None:
    """``written`` in every kind of file a version publishes: a notebook's output, the site's and the PDF's
    sources, a KPI file, a log and a preview."""
    (folder / "logs").mkdir(parents=True)
    (folder / "preview").mkdir()
    output = {"output_type": "stream", "name": "stdout", "text": f"huomio: {written}\n"}
    cells = [{"cell_type": "code", "metadata": {}, "source": "x", "execution_count": 1, "outputs": [output]}]
    (folder / "07_page.ipynb").write_text(notebook(cells), encoding="utf-8")
    (folder / "index.qmd").write_text(f"---\ntitle: Sivu\n---\n\nYhteyshenkilö {written}.\n", encoding="utf-8")
    (folder / "palvelusuunnitelma.typ").write_text(f"= Raportti\n\nHuomio: {written}\n", encoding="utf-8")
    (folder / "kpi.csv").write_text(
        f"period;area;kpi;label;value;unit\n2025-06;knowledge;x;Huomio {written};12;count\n", encoding="utf-8-sig"
    )
    (folder / "logs" / "07_page.log").write_text(f"INFO cell 3\n{written}\n", encoding="utf-8")
    (folder / "preview" / "07_page.html").write_text(f"<html><body><p>{written}</p></body></html>", encoding="utf-8")


@pytest.mark.parametrize("written", WRITTEN_FORMS.values(), ids=list(WRITTEN_FORMS))
def test_the_gate_finds_every_written_form_in_every_kind_of_published_file(
    written: str, tmp_path: Path, params: Params
) -> None:
    plant(tmp_path, written)
    leaks = privacy_gate.scan_publishable(tmp_path, params)
    assert sorted({leak.file for leak in leaks if leak.kind == "identity_code"}) == sorted(PUBLISHED_KINDS)
    assert not any(holds_code(str(leak)) for leak in leaks)


def test_errors_are_redacted_when_they_are_made() -> None:
    error = RunError(f"cell 3 raised KeyError: '{CODE.lower()}'")
    assert not holds_code(str(error)) and not holds_code(repr(error.args))
    violation = Violation(f"data/raw/2025-06/statfin_{CODE}.json", 3, CODE_2000S, WRITTEN_FORMS["en dash"], CODE)
    assert not any(holds_code(str(getattr(violation, f))) for f in ("file", "column", "value", "expected"))
    assert not holds_code(DataError([violation]).report()) and not holds_code(str(DataError([violation])))


def test_the_command_line_redacts_whatever_it_prints(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], workspace: Workspace
) -> None:
    from serviceplan import cli

    def noisy(args: object) -> int:
        print(f"tulostus {CODE}")
        raise ValueError(f"odd value {WRITTEN_FORMS['soft hyphen']}")  # a fault of ours, not a ServiceplanError

    monkeypatch.setattr(cli, "cmd_versions", noisy)
    assert cli.main(["--workspace", str(workspace.root), "versions"]) == 1
    out, err = capsys.readouterr()
    assert not holds_code(out + err)
    assert out == f"tulostus {privacy.REDACTED}\n"
    assert err.splitlines() == [
        f"error: unexpected ValueError: odd value {privacy.REDACTED} (a fault of serviceplan, not of your data:"
        " report it; SERVICEPLAN_TRACEBACK=1 shows where it happened)"
    ]
    assert cli.main(["--workspace", str(workspace.root), "run", CODE.lower()]) == 2  # a period that is a code
    with pytest.raises(SystemExit):
        cli.main(["fetch", CODE, "2025-06"])  # argparse's own usage error, printed before any command runs
    out, err = capsys.readouterr()
    assert not holds_code(out + err)
    assert f"got '{privacy.REDACTED}'" in err and f"invalid choice: '{privacy.REDACTED}'" in err


def test_the_published_log_of_a_notebook_is_redacted(tmp_path: Path) -> None:
    from serviceplan.publish import notebook_execution

    log = tmp_path / "07_page.log"
    log.write_text(f"Traceback: KeyError '{wrong_check(CODE)}' in {tmp_path}/data\n", encoding="utf-8")
    notebook_execution.scrub_log(log, str(tmp_path))
    assert log.read_text(encoding="utf-8") == f"Traceback: KeyError '{privacy.REDACTED}' in <workspace>/data\n"


def test_the_canonical_store_keeps_no_identity_code(workspace: Workspace) -> None:
    from serviceplan.inputs import canonical as data

    target = workspace.canonical_dir / "plan_actions" / "2025-06.parquet"
    stamp = target.with_suffix(".json")
    frame = pd.DataFrame({"action_id": ["T1.1"], "note": [f"yhteys {WRITTEN_FORMS['full width']}"]})
    source = workspace.raw_period_dir("2025-06") / "toimenpiteet_2025-06.csv"
    with pytest.raises(DataError) as caught:
        data._store_delivery(workspace, JUNE, target, stamp, "digest", [source], frame)
    assert str(caught.value) == (
        "data/raw/2025-06/toimenpiteet_2025-06.csv; expected aggregated data only: the delivery holds a personal"
        " identity code (not stored, not shown)"
    )
    assert not target.exists() and not stamp.exists()


# --- leaks planted in a would-be published folder --------------------------------------------------------------


def notebook(cells: list[dict]) -> str:
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, ensure_ascii=False)


def markdown_output(text: str, marker: dict | None = None) -> dict:
    return {
        "output_type": "display_data",
        "data": {"text/markdown": text, "text/plain": "<IPython.core.display.Markdown object>"},
        "metadata": {TABLE_MARKER: marker} if marker else {},
    }


RAW_CSV = (
    "Kuukausi;Kieliryhmä;Vieraskieliset asiakkaat;Kotoutumisajalla;Kotoutumiskoulutuksessa;"
    "Siirtyneet ammattialatiimeihin;International House Lahti -yhteydenotot\n"
    "2025-06;Ukraina;499;228;74;6;74\n"
    "2025-06;Arabia;335;96;33;2;52\n"
)


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Path, list[Path]]:
    """A version folder with one leak of every kind, and the delivered input file one of them comes from."""
    raw = tmp_path / "data" / "raw" / "2025-06" / "maahanmuuttajat_2025-06.csv"
    raw.parent.mkdir(parents=True)
    raw.write_text(RAW_CSV, encoding="utf-8")
    folder = tmp_path / "staging"
    (folder / "preview").mkdir(parents=True)
    (folder / "logs").mkdir()
    table = "**Siirtyneet**\n\n| Kieli | Siirtyneet |\n| :--- | ---: |\n| Ukraina | 6 |\n| Arabia | 2 |"
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": f"# Sivu\n\nTesti {HETU} ja {HETU_INVALID}."},
        {
            "cell_type": "code",
            "metadata": {},
            "source": "show()",
            "execution_count": 1,
            "outputs": [
                {"output_type": "stream", "name": "stdout", "text": "yhteys: liisa.virtanen@example.fi\n"},
                markdown_output(table, {"headers": ["Kieli", "Siirtyneet"], "formats": ["text", "count"]}),
                markdown_output("Kuukauden aikana siirtyi kaksi maahanmuuttajaa."),
            ],
        },
    ]
    (folder / "07_page.ipynb").write_text(notebook(cells), encoding="utf-8")
    (folder / "preview" / "07_page.html").write_text(
        '<!DOCTYPE html><html lang="fi"><head><style>a{color:#000;}</style></head><body>\n'
        '<p>Soita <a href="tel:+358401234567">+358 40 123 4567</a></p>\n'
        '<img alt="kuva" src="data:image/png;base64,MTMxMDUyLTMwOFQ=">\n</body></html>\n',
        encoding="utf-8",
    )
    rows = [
        {"period": "2025-06", "area": "immigrants", "kpi": "moved", "label": "Siirtyneet", "value": 3.0,
         "unit": "count", "target": None, "direction": "none", "status": "none"},
        {"period": "2025-06", "area": "knowledge", "kpi": "risks_high", "label": "Korkeat riskit", "value": 2.0,
         "unit": "count", "target": None, "direction": "none", "status": "none"},
        {"period": "2025-06", "area": "budget", "kpi": "forecast_total_eur", "label": "Ennuste", "value": 4.0,
         "unit": "eur", "target": None, "direction": "none", "status": "none"},
    ]  # fmt: skip
    mf.write_json(folder / "kpi.json", {"version": "2025-06", "rows": rows})
    (folder / "kpi.csv").write_text(
        "period;area;kpi;label;value;unit;target;direction;status\n"
        "2025-06;immigrants;moved;Siirtyneet;3;count;;none;none\n"
        "2025-06;budget;forecast_total_eur;Ennuste;1234567,5;eur;;none;none\n",
        encoding="utf-8-sig",
    )
    mf.write_json(folder / "manifest.json", {"reason": "korjaus, ks. pekka@example.org", "year": 2025})
    (folder / "logs" / "07_page.log").write_text(
        "INFO Executing cell 3\nvirhe rivillä: 2025-06;Arabia;335;96;33;2;52\n", encoding="utf-8"
    )
    (folder / "data.xlsx").write_bytes(b"PK\x03\x04\x00\x00binary")
    return folder, [raw]


def test_every_kind_of_planted_leak_is_caught_with_file_and_place(
    planted: tuple[Path, list[Path]], params: Params
) -> None:
    folder, inputs = planted
    leaks = privacy_gate.scan_publishable(folder, params, inputs=inputs)
    found = {(leak.file, leak.place, leak.kind) for leak in leaks}
    assert found == {
        ("07_page.ipynb", "cell 1 (markdown source), line 3", "identity_code"),  # the invalid code is not flagged
        ("07_page.ipynb", "cell 2, output 1, line 1", "email"),
        (
            "07_page.ipynb",
            "cell 2, output 2 (text/markdown): table 'Siirtyneet', row 2 ('Arabia'), column 'Siirtyneet'",
            "small_count",
        ),
        ("07_page.ipynb", "cell 2, output 3 (text/markdown), line 1", "small_count"),
        ("preview/07_page.html", "line 2", "phone"),  # in the link and in its text: one finding
        ("kpi.json", "rows[0]", "small_count"),  # a count of people; risks_high counts things, euros are no count
        ("kpi.csv", "line 2", "small_count"),
        ("manifest.json", "line 2", "email"),
        ("logs/07_page.log", "line 2", "raw_row"),
        ("data.xlsx", "", "unreadable"),
    }
    raw = next(leak for leak in leaks if leak.kind == "raw_row")
    assert raw.detail == "line 3 of raw/2025-06/maahanmuuttajat_2025-06.csv"
    identity = next(leak for leak in leaks if leak.kind == "identity_code")
    assert HETU not in str(identity) and "liisa" not in " ".join(str(leak) for leak in leaks)


def test_privacy_error_is_one_line_naming_the_first_leak(planted: tuple[Path, list[Path]], params: Params) -> None:
    folder, inputs = planted
    with pytest.raises(privacy_gate.PrivacyError) as caught:
        privacy_gate.check_publishable(folder, params, inputs=inputs)
    error = caught.value
    assert isinstance(error, ServiceplanError)
    message = str(error)
    assert "\n" not in message
    assert message.startswith("privacy gate: 07_page.ipynb, cell 1 (markdown source), line 3: personal identity code")
    assert message.endswith(f"(and {len(error.leaks) - 1} more); remove it at its source")
    assert len(error.report().splitlines()) == len(error.leaks) == 10


def test_pdf_text_is_scanned(tmp_path: Path, params: Params) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig = plt.figure(figsize=(6, 2))
        fig.text(0.05, 0.5, "Lisätiedot: matti.meikalainen@example.fi")
        fig.savefig(tmp_path / "raportti.pdf")
        plt.close(fig)
    leaks = privacy_gate.scan_publishable(tmp_path, params)
    assert [(leak.file, leak.place, leak.kind) for leak in leaks] == [("raportti.pdf", "page 1, line 1", "email")]


def test_pdf_without_pdftotext_is_not_published(tmp_path: Path, params: Params, monkeypatch) -> None:
    (tmp_path / "raportti.pdf").write_bytes(b"%PDF-1.7\n")
    monkeypatch.setattr(privacy_gate.shutil, "which", lambda name: None)
    assert kinds(privacy_gate.scan_publishable(tmp_path, params)) == ["unreadable"]


def test_a_clean_folder_with_years_euros_percentages_days_and_row_numbers_passes(
    tmp_path: Path, params: Params
) -> None:
    headers = ["Kuukausi", "Vuosi", "Maksettu", "Osuus", "Täyttöaika, pv", "Saajia", "Määräaika, työpäivää"]
    formats = ["month_short", "text", "eur", "percent", "number1", "count", "count"]
    table = "\n".join(
        [
            "**Kuvion luvut**",
            "",
            "| " + " | ".join(headers) + " |",
            "| :--- | :--- | ---: | ---: | ---: | ---: | ---: |",
            "| tammi 2025 | 2025 | 3\u00a0€ | 2,0\u00a0% | 4,0 | .. | 5 |",
            "| helmi 2025 | 2024 | 1\u202f234\u00a0€ | 0,5\u00a0% | 1,0 | 1\u202f099 | 10 |",
            "| maalis 2025 | 2023 | 2,60\u00a0M€ | 15,9\u00a0% | 2,0 | 0 | 3 |",
        ]
    )
    text = (
        "Kesäkuussa 2025 toimintakulut olivat 13,6 milj. euroa (3,5 % budjetin alle). Alkuhaastattelu 5 "
        "työpäivän kuluessa; 3 kk ja 6 kk seuranta. Päivitetty 30.6.2025. Versio 2025-06-r2.\n"
    )
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": text},
        {
            "cell_type": "code",
            "metadata": {},
            "source": "x = 1",
            "execution_count": 1,
            "outputs": [markdown_output(table, {"headers": headers, "formats": formats}), markdown_output(text)],
        },
    ]
    (tmp_path / "01_budget.ipynb").write_text(notebook(cells), encoding="utf-8")
    (tmp_path / "index.html").write_text(f'<html lang="fi"><body><p>{text}</p></body></html>', encoding="utf-8")
    assert privacy_gate.scan_publishable(tmp_path, params) == []


def test_raw_rows_are_data_lines_of_delimited_files(tmp_path: Path) -> None:
    csv_path = tmp_path / "avustukset_2025-06.csv"
    csv_path.write_bytes(("Kuukausi;Laji;Saajat\n2025-06;Lahti-lisä;58\n2025-06;X;1\n").encode("cp1252"))
    yaml_path = tmp_path / "kumppanit.yaml"
    yaml_path.write_text("kausi: 2025-06\n", encoding="utf-8")
    rows = privacy_gate.raw_rows([csv_path, yaml_path])
    # the header and the short line are not evidence of a leak; the cp1252 file is decoded
    assert [(row.text, row.line, row.separator) for row in rows] == [("2025-06;Lahti-lisä;58", 2, ";")]


# --- the batch: leaks planted in inputs that pass validation ----------------------------------------------------


def run_gated(ws: Workspace, areas: tuple[Area, ...]) -> int:
    """One month through the real batch, whose gate stands in front of publishing."""
    return run_periods(ws, [JUNE], jobs=2, areas=areas)


LEAKY_NOTEBOOK = """
from pathlib import Path
from serviceplan.inputs.canonical import load
from serviceplan.metrics.context import setup
from serviceplan.present import tables

ctx = setup(period, workspace)
table = load("immigrants", ctx.period, ctx.workspace)
month = table[(table["period"] == str(ctx.period)) & ~table["is_total"]]
tables.show_table(
    month[["language_group", "moved_to_occupation_teams"]],
    formats={"moved_to_occupation_teams": "count"},
    headers={"language_group": "Kieliryhmä", "moved_to_occupation_teams": "Siirtyneet"},
    title="Siirtyneet kieliryhmittäin",
)
raw = ctx.workspace.raw_period_dir(str(ctx.period)) / f"maahanmuuttajat_{ctx.period}.csv"
print("tarkistus:", raw.read_text(encoding="utf-8-sig").splitlines()[3])
"""


def leaky_kpis(ctx: Context):
    """A KPI function that publishes a small count of people (the moves of one language group)."""
    table = load("immigrants", ctx.period, ctx.workspace)
    row = table[(table["period"] == str(ctx.period)) & (table["language_group"] == "arabic")].iloc[0]
    value = float(row["moved_to_occupation_teams"])
    return frame([kpi_row(ctx, "leaky", "moved_arabic", "Siirtyneet (arabia)", value, "count")])


LEAKY = Area("leaky", "90_leaky.ipynb", "Vuotava sivu", "-", ("immigrants",), "test_gate_privacy:leaky_kpis")


def write_leaky_notebook(ws: Workspace) -> None:
    parameters = {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "execution_count": None, "outputs": []}
    cells = [
        {**parameters, "id": "p", "source": "period = None\nworkspace = None"},
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "id": "c",
            "source": LEAKY_NOTEBOOK,
        },
    ]
    content = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (ws.notebooks_dir / LEAKY.notebook).write_text(json.dumps(content), encoding="utf-8")


def plant_contact_details(ws: Workspace) -> None:
    """A plan-status note and a partner's name carrying a person's contact details: both pass validation."""
    status = ws.raw_period_dir("2025-06") / "toimenpiteet_2025-06.csv"
    text = status.read_text(encoding="utf-8-sig")
    old = "2025-06;T5.2;käynnissä;;\n"
    assert old in text
    status.write_text(
        text.replace(old, "2025-06;T5.2;käynnissä;;Lisätiedot Matti Meikäläinen, matti.meikalainen@lahti.fi\n"),
        encoding="utf-8-sig",
    )
    partners = ws.raw_period_dir("2025-06") / "kumppanit_2025-06.yaml"
    text = partners.read_text(encoding="utf-8")
    assert "organisaatio: Yhdistys A\n" in text
    partners.write_text(
        text.replace("organisaatio: Yhdistys A\n", "organisaatio: Yhdistys A (puh. 040 765 4321)\n"), encoding="utf-8"
    )


@pytest.fixture(scope="module")
def leaky_run(tmp_path_factory: pytest.TempPathFactory, demo_raw: Path) -> tuple[Workspace, str, list[Leak]]:
    """2025-06 with leaks planted in its inputs, run through the gated batch: the workspace, the run's error and
    the gate's findings on the output it kept."""
    ws = new_workspace(tmp_path_factory.mktemp("leaky") / "ws")
    shutil.copytree(demo_raw, ws.raw_dir)
    plant_contact_details(ws)
    write_leaky_notebook(ws)
    from serviceplan.inputs.canonical import validate_period

    validate_period(ws, JUNE)  # the planted inputs pass their contracts
    areas = (get("ecosystems"), get("knowledge"), LEAKY)
    with pytest.raises(RunError) as caught:
        run_gated(ws, areas)
    kept = sorted((ws.reports_dir / versions.FAILED).iterdir())
    assert len(kept) == 1
    params = load_params(2025, ws.params_dir)
    inputs = [*input_files(ws, JUNE), *mf.folder_files(ws.plan_dir)]
    return ws, str(caught.value), privacy_gate.scan_publishable(kept[0], params, inputs=inputs)


def test_leaks_from_valid_inputs_stop_publishing(leaky_run: tuple[Workspace, str, list[Leak]]) -> None:
    ws, message, leaks = leaky_run
    assert not (ws.reports_dir / "2025-06").exists()
    assert not (ws.reports_dir / "index.html").exists()
    assert (
        "\n" not in message and message.startswith(f"privacy gate: {leaks[0]}") and "Nothing was published" in message
    )


def test_a_note_with_an_email_address_is_caught_on_every_page_that_shows_it(
    leaky_run: tuple[Workspace, str, list[Leak]],
) -> None:
    _, _, leaks = leaky_run
    emails = {leak.file for leak in leaks if leak.kind == "email" and leak.detail.startswith("m…@lahti.fi")}
    # the knowledge page lists every action's note, the ecosystems page those of its plan sections
    assert {"05_ecosystems.ipynb", "08_knowledge_management.ipynb"} <= emails
    assert {"preview/05_ecosystems.html", "preview/08_knowledge_management.html"} <= emails
    assert all(leak.place.startswith(("cell ", "line ")) for leak in leaks if leak.kind == "email")


def test_a_partner_name_with_a_phone_number_is_caught(leaky_run: tuple[Workspace, str, list[Leak]]) -> None:
    _, _, leaks = leaky_run
    phones = [leak for leak in leaks if leak.kind == "phone"]
    assert {"05_ecosystems.ipynb", "preview/05_ecosystems.html"} <= {leak.file for leak in phones}
    assert {leak.detail for leak in phones} == {"040…21; not in privacy.allowed_phones"}


def test_small_counts_shown_unsuppressed_are_caught_in_the_page_and_the_kpis(
    leaky_run: tuple[Workspace, str, list[Leak]], demo_raw: Path
) -> None:
    _, _, leaks = leaky_run
    delivered = (demo_raw / "2025-06" / "maahanmuuttajat_2025-06.csv").read_text(encoding="utf-8-sig")
    small = {
        line.split(";")[1]: int(line.split(";")[5])
        for line in delivered.splitlines()[1:]
        if 0 < int(line.split(";")[5]) < 5
    }
    assert small, "the demo month has small counts of moves (the page would show them)"
    in_table = [leak for leak in leaks if leak.kind == "small_count" and leak.file == "90_leaky.ipynb"]
    assert len(in_table) == len(small)
    assert all(
        "table 'Siirtyneet kieliryhmittäin'" in leak.place and "column 'Siirtyneet'" in leak.place for leak in in_table
    )
    kpi = {leak.file: leak.detail for leak in leaks if leak.kind == "small_count" and leak.file.startswith("kpi")}
    assert set(kpi) == {"kpi.json", "kpi.csv", "kpi_plain.csv"}  # the other areas' small KPIs count things
    assert all(detail.startswith(f"KPI leaky.moved_arabic = {small['Arabia']};") for detail in kpi.values())


def test_a_raw_line_printed_by_a_page_is_caught(leaky_run: tuple[Workspace, str, list[Leak]]) -> None:
    _, _, leaks = leaky_run
    raw = [leak for leak in leaks if leak.kind == "raw_row"]
    assert {"90_leaky.ipynb", "preview/90_leaky.html", "logs/90_leaky.log"} <= {leak.file for leak in raw}
    assert {leak.detail for leak in raw} == {"line 4 of raw/2025-06/maahanmuuttajat_2025-06.csv"}


# --- the real report of the demo data ------------------------------------------------------------------------

_RELEASES: dict[str, tuple[Workspace, float]] = {}


@contextlib.contextmanager
def _file_lock(path: Path, timeout: float = 1800.0) -> Iterator[None]:
    """An exclusive lock between test processes (pytest-xdist workers): a file created with O_EXCL."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path} was held for more than {timeout:.0f} s") from None
            time.sleep(0.5)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _release(root: Path, demo_raw: Path) -> tuple[Workspace, float]:
    ws = new_workspace(root / "ws")
    shutil.copytree(demo_raw, ws.raw_dir)
    started = time.perf_counter()
    assert run_gated(ws, AREAS) == 0
    return ws, time.perf_counter() - started


def demo_release(tmp_path_factory: pytest.TempPathFactory, demo_raw: Path) -> tuple[Workspace, float]:
    """Every page of the registry for 2025-06 on the demo data, published through the gated batch, once per test
    session and shared with tests/test_gate_accessibility.py (also across pytest-xdist workers, which share the
    parent of their temporary folders); the workspace and the run's seconds. Read-only: copy it to change it."""
    if "demo" in _RELEASES:
        return _RELEASES["demo"]
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = tmp_path_factory.getbasetemp().parent / "demo-release"
        shared.mkdir(exist_ok=True)
        with _file_lock(shared.parent / "demo-release.lock"):
            done = shared / "seconds.txt"
            if done.is_file():
                release = (Workspace(shared / "ws"), float(done.read_text(encoding="utf-8")))
            else:
                release = _release(shared, demo_raw)
                done.write_text(f"{release[1]:.3f}", encoding="utf-8")
    else:
        release = _release(tmp_path_factory.mktemp("release"), demo_raw)
    _RELEASES["demo"] = release
    return release


@pytest.fixture(scope="session")
def published_demo(tmp_path_factory: pytest.TempPathFactory, demo_raw: Path) -> Iterator[tuple[Workspace, float]]:
    yield demo_release(tmp_path_factory, demo_raw)


def test_the_demo_report_passes_the_gate_and_its_tables_are_checked(
    published_demo: tuple[Workspace, float], params: Params
) -> None:
    ws, _ = published_demo
    version = ws.reports_dir / "2025-06"
    inputs = [*input_files(ws, JUNE), *mf.folder_files(ws.plan_dir)]
    started = time.perf_counter()
    assert privacy_gate.scan_publishable(version, params, inputs=inputs) == []
    seconds = time.perf_counter() - started
    # the check is not vacuous: every page's tables carry the marker, and count columns are among them
    marked = counted = 0
    for path in sorted(version.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                marker = output.get("metadata", {}).get(TABLE_MARKER)
                if marker:
                    marked += 1
                    counted += "count" in marker["formats"]
    assert marked >= len(AREAS) and counted >= 10
    print(f"privacy gate on the demo version: {seconds:.1f} s, {marked} marked tables ({counted} with counts)")
