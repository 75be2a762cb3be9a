"""Finnish texts of the front page (Yhteenveto), generated from :mod:`serviceplan.metrics.summary`.

Traffic lights are written as a symbol and a word (``✔ tavoitteessa``), never as colour alone. Hidden values
(disclosure control) are written as the disclosure symbol, with their changes.
"""

from __future__ import annotations

import pandas as pd

from serviceplan.core.params import Disclosure, SummaryParams
from serviceplan.core.periods import Period
from serviceplan.metrics import POINT_UNITS
from serviceplan.metrics.areas import Area
from serviceplan.present import format as fmt
from serviceplan.present import tables
from serviceplan.present.disclosure import NOT_AVAILABLE
from serviceplan.present.narrative import join_words, sentence

# No traffic light without a target: "–" would read as a zero in the report's symbol legend.
STATUS_SYMBOLS: dict[str, str] = {"ok": "✔", "warn": "▲", "alert": "✖", "none": ""}
NAMED_IN_TITLE = 2  # a chart title names the KPIs off target when there are at most this many
STATUS_WORDS: dict[str, str] = tables.STATUS_WORDS


def status_text(status: str) -> str:
    """A traffic light as symbol and word: ``✖ poikkeama`` (``ei tavoitetta`` without a target)."""
    symbol = STATUS_SYMBOLS[status]
    return f"{symbol}\u00a0{STATUS_WORDS[status]}" if symbol else STATUS_WORDS[status]  # no-break: one line


def value_text(value: float, unit: str, *, nil: bool = True) -> str:
    """A KPI value in the format of its unit (as on the area pages); ``nil=False`` writes a true zero as a
    number, for the tiles chart, which has no symbol legend."""
    return tables.format_cell(value, tables.UNIT_FORMATS.get(unit, "number1"), nil=nil)


def change_text(kpi: dict, which: str) -> str:
    """The change since the month (``which="month"``) or year before as the area pages show it: ``+3,2 %``
    (relative), ``−1,1 %-yks.`` (points, for shares), ``+2 sijaa`` (places, for ranks) or ``+3`` (a difference,
    from a small or zero base)."""
    kind = str(kpi.get(f"change_{which}_kind", kpi["change_kind"]))
    return tables.change_cell(kpi[f"change_{which}"], kind, str(kpi["unit"]))


def change_words(kpi: dict, which: str) -> str:
    """The change for the tiles chart, which has no symbol legend: as :func:`change_text`, but ``ei muutosta``
    for no change and ``ei vertailua`` when there is nothing to compare with."""
    value = kpi[f"change_{which}"]
    if fmt.is_missing(value):
        return "ei vertailua"
    if float(value) == 0:
        return "ei muutosta"
    kind = str(kpi.get(f"change_{which}_kind", kpi["change_kind"]))
    return tables.change_cell(value, kind, str(kpi["unit"]), nil=False)


def _hidden_or(text: str, hidden: bool, rule: Disclosure) -> str:
    return rule.symbol if hidden else text


def headline_display(table: pd.DataFrame, rule: Disclosure) -> pd.DataFrame:
    """The headline KPIs (a disclosed table) for showing, one row each, with status as symbol and word."""
    rows = []
    for kpi in table.to_dict("records"):
        unit = str(kpi["unit"])
        rows.append(
            {
                "Tunnusluku": str(kpi["label"]),
                "Osa-alue": str(kpi["area_title"]),
                "Arvo": _hidden_or(value_text(kpi["value"], unit), bool(kpi["value_hidden"]), rule),
                "Muutos edell. kk": _hidden_or(change_text(kpi, "month"), bool(kpi["change_month_hidden"]), rule),
                "Muutos edell. vuodesta": _hidden_or(change_text(kpi, "year"), bool(kpi["change_year_hidden"]), rule),
                "Tavoite": value_text(kpi["target"], unit),
                "Tila": status_text(str(kpi["status"])),
            }
        )
    columns = ["Tunnusluku", "Osa-alue", "Arvo", "Muutos edell. kk", "Muutos edell. vuodesta", "Tavoite", "Tila"]
    return pd.DataFrame(rows, columns=columns)


def tiles(table: pd.DataFrame, rule: Disclosure) -> list[dict[str, str]]:
    """One tile per headline KPI for the front-page chart: ``label``, ``value``, ``status`` (code),
    ``status_text``, ``target`` and ``changes`` (a line with both changes, in words where there is no number)."""
    out = []
    for kpi in table.to_dict("records"):
        unit = str(kpi["unit"])
        month = _hidden_or(change_words(kpi, "month"), bool(kpi["change_month_hidden"]), rule)
        year = _hidden_or(change_words(kpi, "year"), bool(kpi["change_year_hidden"]), rule)
        has_target = not fmt.is_missing(kpi["target"])
        out.append(
            {
                "label": str(kpi["label"]),
                "value": _hidden_or(value_text(kpi["value"], unit, nil=False), bool(kpi["value_hidden"]), rule),
                "status": str(kpi["status"]),
                "status_text": status_text(str(kpi["status"])),
                "target": f"tavoite {value_text(kpi['target'], unit, nil=False)}" if has_target else "ei tavoitetta",
                "changes": f"kk: {month}   vuosi: {year}",
            }
        )
    return out


def changes_display(table: pd.DataFrame) -> pd.DataFrame:
    """The biggest changes (from :func:`serviceplan.metrics.summary.biggest_changes`) for showing: the change in
    the KPI's own unit (percentage points for a share) and, for other than shares, relative to the month before."""
    rows = []
    for kpi in table.to_dict("records"):
        unit = str(kpi["unit"])
        rows.append(
            {
                "Tunnusluku": str(kpi["label"]),
                "Osa-alue": str(kpi["area_title"]),
                "Edellinen kk": value_text(kpi["prev_month_value"], unit),
                "Nyt": value_text(kpi["value"], unit),
                "Muutos": _difference(kpi),
                "Suhteellinen muutos": _relative(kpi),
            }
        )
    columns = ["Tunnusluku", "Osa-alue", "Edellinen kk", "Nyt", "Muutos", "Suhteellinen muutos"]
    return pd.DataFrame(rows, columns=columns)


def _difference(kpi: dict) -> str:
    unit = str(kpi["unit"])
    kind = "points" if unit in POINT_UNITS else "difference"
    return tables.change_cell(float(kpi["value"]) - float(kpi["prev_month_value"]), kind, unit)


def _relative(kpi: dict) -> str:
    if str(kpi["unit"]) in POINT_UNITS:
        return NOT_AVAILABLE  # a share's change is its points; its change relative to itself says little
    return tables.format_cell(kpi["relative_change"], "change")


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def change_sentence(kpi: dict) -> str:
    """One biggest change in words: ``Avustusten saajat kuukaudessa (Vapaaehtoiset avustukset): 109 → 552 (+443;
    +406 %)``; a share with its points only: ``… 9,6 % → 11,9 % (+2,3 %-yks.)``."""
    unit = str(kpi["unit"])
    detail = _difference(kpi)
    if unit not in POINT_UNITS:
        detail += f"; {_relative(kpi)}"
    return (
        f"{kpi['label']} ({kpi['area_title']}): {value_text(kpi['prev_month_value'], unit, nil=False)} → "
        f"{value_text(kpi['value'], unit, nil=False)} ({detail})"
    )


def describe(period: Period, headline: pd.DataFrame, changes: pd.DataFrame, skipped: list[str]) -> list[str]:
    """What the month shows, in Finnish sentences: how the headline KPIs stand against their targets (naming
    those off target) and the biggest changes of the month."""
    out = []
    states = headline["status"].astype(str)
    targeted = headline[states != "none"]
    if len(targeted):
        ok = int((states == "ok").sum())
        warn = headline[states == "warn"]
        alert = headline[states == "alert"]
        out.append(
            f"Tavoitteellisista otsikkotunnusluvuista {fmt.count(ok)}/{fmt.count(len(targeted))} on tavoitteessa "
            f"{fmt.month_inessive(period, with_year=True)}"
        )
        if len(warn):
            out.append(f"Lähellä rajaa: {join_words([_lower(str(x)) for x in warn['label']])}")
        if len(alert):
            out.append(f"Tavoitteesta poikkeaa: {join_words([_lower(str(x)) for x in alert['label']])}")
    else:
        out.append("Otsikkotunnusluvuilla ei ole tälle kuukaudelle tavoitteita")
    if len(changes):
        out.append(
            "Suurimmat muutokset edellisestä kuukaudesta: "
            + "; ".join(change_sentence(k) for k in changes.to_dict("records"))
        )
    else:
        out.append("Yksikään tunnusluku ei muuttunut edellisestä kuukaudesta olennaisesti")
    if skipped:
        out.append(f"Vertailua ei voitu laskea kaikille kuukausille ({', '.join(skipped)})")
    return [sentence(s) for s in out]


def figure_texts(
    period: Period, headline: pd.DataFrame, counts: pd.DataFrame, tile_list: list[dict[str, str]]
) -> dict[str, dict[str, str]]:
    """Titles that state each chart's finding and the alt texts: ``tiles`` (headline KPIs), ``status`` (KPIs
    against targets by area)."""
    states = headline["status"].astype(str)
    off = headline[states.isin(["warn", "alert"])]
    targeted = int((states != "none").sum())
    if targeted and not len(off):
        tiles_title = f"Kaikki {targeted} tavoitteellista otsikkotunnuslukua ovat tavoitteessa"
    elif targeted:
        tiles_title = f"{fmt.count(len(off))}/{fmt.count(targeted)} otsikkotunnusluvusta ei ole tavoitteessa"
        if len(off) <= NAMED_IN_TITLE:
            tiles_title += f": {join_words([_lower(str(x)) for x in off['label']])}"
    else:
        tiles_title = "Otsikkotunnusluvut"
    tiles_alt = "; ".join(
        f"{t['label']}: {t['value']}, {t['status_text']}, {t['target']}, muutos {t['changes']}" for t in tile_list
    )
    total_ok = int(counts["ok"].sum())
    total = int(counts["targeted"].sum())
    status_title = (
        f"{fmt.count(total_ok)}/{fmt.count(total)} tavoitteellisesta tunnusluvusta on tavoitteessa "
        f"{fmt.month_inessive(period, with_year=True)}"
        if total
        else "Tunnusluvuille ei ole vielä asetettu tavoitteita"
    )
    per_area = "; ".join(
        f"{r['area_title']}: tavoitteessa {r['ok']}, lähellä rajaa {r['warn']}, poikkeama {r['alert']}"
        for r in counts.to_dict("records")
        if r["targeted"]
    )
    return {
        "tiles": {
            "title": tiles_title,
            "alt": f"Otsikkotunnusluvut {fmt.month_inessive(period, with_year=True)}. {tiles_title}. {tiles_alt}. "
            "Samat luvut ovat kuvion alla olevassa taulukossa.",
        },
        "status": {
            "title": status_title,
            "alt": f"Vaakapylväät osa-alueittain: tavoitteellisten tunnuslukujen määrä tilan mukaan. {status_title}. "
            f"{per_area}. Luvut ovat kuvion alla olevassa taulukossa.",
        },
    }


def status_display(counts: pd.DataFrame) -> pd.DataFrame:
    """The KPI states per area for showing (the numbers of the status chart)."""
    return pd.DataFrame(
        {
            "Osa-alue": counts["area_title"],
            status_text("ok"): counts["ok"].map(fmt.count),
            status_text("warn"): counts["warn"].map(fmt.count),
            status_text("alert"): counts["alert"].map(fmt.count),
            "Ei tavoitetta": counts["none"].map(fmt.count),
        }
    )


def areas_display(areas: list[Area]) -> pd.DataFrame:
    """The report's pages with the plan section each follows."""
    return pd.DataFrame(
        {"Sivu": [a.title for a in areas], "Palvelusuunnitelman kohta": [a.plan_section for a in areas]}
    )


def period_line(period: Period) -> str:
    """The page's first line."""
    return (
        f"Raportointikuukausi: **{fmt.month(period)}**. Luvut ovat samat kuin osa-alueiden sivuilla ja raportin "
        "tunnuslukutiedostossa; muutokset on laskettu edellisen kuukauden ja edellisen vuoden saman kuukauden "
        "tilanteesta sellaisena kuin se silloin tunnettiin."
    )


def changes_rule(settings: SummaryParams) -> str:
    """How the biggest changes are chosen, in Finnish (the rule of :mod:`serviceplan.metrics.summary`, with the
    thresholds in force)."""
    rule = settings.materiality
    sizes = {
        "count": fmt.count(rule.min_change["count"]),
        "eur": fmt.euro_text(rule.min_change["eur"]),
        "share": fmt.number(rule.min_change["share"] * 100, 1 if rule.min_change["share"] * 100 % 1 else 0),
    }
    text = (
        "Suurimmat muutokset ovat edellisestä kuukaudesta olennaisesti muuttuneita tunnuslukuja. Lukumäärän tai "
        f"euromäärän muutos on olennainen, kun se on vähintään {fmt.percent(rule.min_relative_change, 0)} "
        f"edellisestä arvosta ja vähintään {sizes['count']} (lukumäärä) tai {sizes['eur']}; osuuden muutos, kun "
        f"osuus muuttui vähintään {sizes['share']} prosenttiyksikköä. Muutokset on järjestetty sen mukaan, kuinka "
        "moninkertaisesti ne ylittävät nämä rajat. Mukana eivät ole tietosuojan vuoksi peitetyt pienet "
        "lukumäärät"
    )
    if settings.not_in_changes:
        text += (
            f" eivätkä {fmt.count(len(settings.not_in_changes))} tunnuslukua, joiden kuukausimuutos ei kerro "
            "kehityksestä: vuoden alusta kertyvät summat, ennusteen vaihteluvälin rajat ja toisen luvun peilikuvat"
        )
    return text + "."
