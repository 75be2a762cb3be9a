"""What readers see: every published page of the demo months (the executed copies in tests/expected/, which nbval
checks against a fresh run) carries no internal name (parameter key, file path, code identifier) and uses the
report's one symbol legend (``..`` confidential, ``.`` not available, ``–`` a true zero)."""

from __future__ import annotations

from pathlib import Path

import pytest

from serviceplan.present import disclosure
from serviceplan.publish import reader_text as rt

REPO = Path(__file__).resolve().parents[1]
PAGES = sorted((REPO / "tests" / "expected").glob("*/*.ipynb"))


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def test_every_page_of_both_demo_months_is_scanned():
    months = {p.parent.name for p in PAGES}
    assert len(months) >= 2 and len(PAGES) >= 18


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_no_internal_names_on_a_published_page(path: Path):
    page = list(rt.page_texts(path))
    assert sum(len(text) for _, _, text in page) > 500, "the page shows almost nothing"
    found = [f"{where}: {kind}: {name!r}" for where, _, text in page for kind, name in rt.internal_names(text)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_one_symbol_legend_on_a_published_page(path: Path):
    findings = rt.symbol_misuse(list(rt.page_texts(path)))
    assert not findings, "\n".join(map(str, findings))


# ---- the scanner finds what main showed (so the page tests can fail) -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("pienet lukumäärät (parametri areas.summary.not_in_changes).", "parameter key or dotted name"),
        ("Henkilömäärä ja kertymäluokka ovat parametreja (`what_if`), ja", "inline code"),
        ("Henkilömäärä ja kertymäluokka ovat parametreja (what_if), ja", "code identifier"),
        ("Tavoitteet ovat parametreja (params/defaults.yaml, areas.knowledge).", "file path"),
        ("kauden viimeiseksi päiväksi (plan/actions.yaml).", "file path"),
        ("Ennuste: NaN euroa", "Python value"),
    ],
)
def test_internal_names_are_found(text: str, kind: str):
    assert kind in [k for k, _ in rt.internal_names(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Kuntaosuus 1,8 milj. euroa (esim. kesäkuussa 2026), ks. taulukko 12r5 ja toimenpide T6.1.",
        "Alle 25-vuotiaat, 25–29-v. ja tammi–kesäkuussa 2025 (1–4): 15,9 % → 16,1 %.",
        "International House Lahti -yhteydenotot; Koulutuskeskus Salpaus; LAB-ammattikorkeakoulu.",
    ],
)
def test_finnish_text_is_not_taken_for_a_name(text: str):
    assert rt.internal_names(text) == []


def test_visible_text_keeps_alt_texts_and_drops_targets_and_attribute_keys():
    shown = rt.visible('![Pylväskaavio: 5 % nousi](figures/budget-monthly.png){#fig-a fig-alt="Vaihtoehto"} [x](y.md)')
    assert shown == "Pylväskaavio: 5 % nousi Vaihtoehto x"
    assert rt.visible("<p>Arvo &amp; <b>tavoite</b></p>", "text/html").split() == ["Arvo", "&", "tavoite"]


def _page(text: str) -> list[tuple[str, str, str]]:
    return [("p cell 1", "text/markdown", text)]


def test_symbol_misuse_finds_main_s_second_meaning_and_unexplained_symbols():
    legend = disclosure.legend([".", "–"])
    table = "| Tunnusluku | Arvo | Tavoite |\n| :--- | ---: | ---: |\n| Siirtyneet | 22 | – |\n| Saajat | . | 5 |"
    kinds = [f.kind for f in rt.symbol_misuse(_page(table + "\n\n*Alle 5 henkilön lukuja ei julkaista (–).*"))]
    assert "a symbol explained outside the one legend" in kinds  # "(–)" meant suppressed on main
    assert kinds.count("a table shows a symbol its note does not explain") == 2
    assert rt.symbol_misuse(_page(f"{table}\n\n*{legend}*")) == []
    hidden = "| A | B |\n| :--- | ---: |\n| x | .. |"
    assert [f.kind for f in rt.symbol_misuse(_page(hidden))] == ["the page hides values without explaining the symbol"]
    explained = hidden + "\n\n*" + disclosure.explanation(disclosure.Disclosure(min_count=5, symbol="..")) + "*"
    assert rt.symbol_misuse(_page(explained)) == []
    wrong = "| A | B |\n| :--- | ---: |\n| x | - |\n| y | NaN |"
    assert [f.text for f in rt.symbol_misuse(_page(wrong))] == ["-", "NaN"]
    tile = "Määräajasta myöhässä: 0, tavoite 0, muutos kk: ed. 0 vuosi: –. Samat luvut ovat taulukossa."
    assert [f.kind for f in rt.symbol_misuse(_page(tile))] == ["a dash used as a value in running text"]
    assert rt.symbol_misuse(_page("Kausi tammi–kesäkuu 2025 ja luvut 1–4: valmis – myöhässä.")) == []
