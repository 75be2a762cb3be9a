"""Finnish texts and display tables of the ecosystems page, generated from the numbers of
:mod:`serviceplan.metrics.ecosystems` (the arithmetic stays there; here it is only put into words and tables).

Disclosure: the counts of people (starts, people in service) go through
:func:`serviceplan.present.disclosure.suppress_columns` before they are shown, and their shares with them. Costs,
organisations, agreements and links are not about people and are shown as they are.
"""

from __future__ import annotations

import math

import pandas as pd

from serviceplan.inputs.sources import services
from serviceplan.metrics import plan_status
from serviceplan.metrics.ecosystems import (
    MODE_LABELS,
    MODES,
    PARTNER_TYPE_LABELS,
    TOTAL,
    TOTAL_LABEL,
    EcosystemsAnalysis,
    Milestone,
    areas_phrase,
    external_cost_share,
    external_share_history,
    partner_table,
)
from serviceplan.present import disclosure
from serviceplan.present import format as fmt
from serviceplan.present.narrative import join_words, months_between, points_phrase, sentence

# Production modes in running text: "in the services of ..." (genitive plural) and "the costs of ..." phrases.
MODE_GENITIVE: dict[str, str] = {
    "own": "kaupungin oman tuotannon",
    "in_house": "sidosyksiköiden",
    "purchased": "ostopalvelujen",
    "partnership": "kumppanuusmallin",
}
REPORTED_WORDS: dict[str, str] = {
    "in_progress": "työ on käynnissä",
    "not_started": "työtä ei ole vielä aloitettu",
    "unknown": "tilannetietoa ei ole toimitettu",
    "done": "työ on ilmoitettu valmiiksi",
}


def mix_display(analysis: EcosystemsAnalysis, year_ago: bool = False) -> pd.DataFrame:
    """The month's production mode mix for showing, with disclosure control on the counts of people: ``label``,
    ``providers``, ``starts``, ``stock``, ``stock_share``, ``cost_eur``, ``cost_share`` (hidden cells hold the
    symbol)."""
    mix = analysis.mix_year_ago if year_ago else analysis.mix
    shown = disclosure.suppress_columns(
        mix.set_index("mode", drop=False),
        analysis.params.disclosure,
        counts=["starts", "stock"],
        derived={"stock_share": ["stock"]},
        total_row=TOTAL,
    )
    return shown.reset_index(drop=True)[
        ["mode", "label", "providers", "starts", "stock", "stock_share", "cost_eur", "cost_share"]
    ]


MIX_FORMATS = {
    "providers": "count",
    "starts": "count",
    "stock": "count",
    "stock_share": "percent",
    "cost_eur": "eur",
    "cost_share": "percent",
}
MIX_HEADERS = {
    "label": "Tuotantotapa",
    "providers": "Tuottajia",
    "starts": "Aloittaneita",
    "stock": "Asiakkaita kuun lopussa",
    "stock_share": "Osuus asiakkaista",
    "cost_eur": "Kustannus",
    "cost_share": "Osuus kustannuksista",
}


def mix_chart_data(analysis: EcosystemsAnalysis) -> pd.DataFrame:
    """The mix rows (no total) for the chart: ``label``, ``stock_share`` (the symbol where hidden), ``cost_share``."""
    shown = mix_display(analysis)
    return shown[shown["mode"] != TOTAL][["label", "stock_share", "cost_share"]].reset_index(drop=True)


def history_display(analysis: EcosystemsAnalysis) -> pd.DataFrame:
    """Cost by production mode per month of the window, with the total and the share outside own production."""
    wide = external_share_history(analysis.mix_history)[["month", *MODES, "total", "external_share"]]
    wide["month"] = [fmt.month_short(m) for m in wide["month"]]
    return wide


HISTORY_FORMATS = {**{m: "eur" for m in (*MODES, "total")}, "external_share": "percent"}
HISTORY_HEADERS = {"month": "Kuukausi", **MODE_LABELS, "total": TOTAL_LABEL, "external_share": "Muiden kuin oman osuus"}


def outcome_display(analysis: EcosystemsAnalysis) -> pd.DataFrame:
    """The outcome-based share per month with the target: ``month``, ``base_cost_eur``, ``outcome_cost_eur``,
    ``share``, ``target``."""
    table = analysis.outcome_history.copy()
    target = analysis.settings.outcome_based_share_target
    table["target"] = math.nan if target is None else float(target)
    return table[["month", "base_cost_eur", "outcome_cost_eur", "share", "target"]]


def month_labels(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with its ``month`` column (``YYYY-MM``) as short Finnish month names, for showing."""
    shown = table.copy()
    shown["month"] = [fmt.month_short(m) for m in shown["month"]]
    return shown


def base_modes_phrase(modes: list[str]) -> str:
    """The production modes of the outcome-based share's denominator in the genitive: ``ostopalvelujen``."""
    return join_words([MODE_GENITIVE[m] for m in modes])


def outcome_headers(analysis: EcosystemsAnalysis) -> dict[str, str]:
    """Finnish headers of :func:`outcome_display`."""
    base = base_modes_phrase(list(analysis.settings.outcome_based_modes))
    return {
        "month": "Kuukausi",
        "base_cost_eur": f"Kustannus ({base} yhteensä)",
        "outcome_cost_eur": "Josta tulosperusteinen",
        "share": "Tulosperusteisen osuus",
        "target": "Tavoite",
    }


OUTCOME_FORMATS = {
    "base_cost_eur": "eur",
    "outcome_cost_eur": "eur",
    "share": "percent",
    "target": "percent0",
}


def lower_first(text: str) -> str:
    """``Kolmas sektori`` -> ``kolmas sektori``; an acronym stays as it is (``EU-hanke``)."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _type_text(code: str) -> str:
    return lower_first(PARTNER_TYPE_LABELS.get(code, code))


def partners_by_type_display(analysis: EcosystemsAnalysis) -> pd.DataFrame:
    """Partners by type with a total row: ``label``, ``partners``, ``agreements``, ``hub_links``,
    ``partner_link_ends``."""
    summary = analysis.network_summary
    if summary is None:
        return pd.DataFrame(columns=["label", "partners", "agreements", "hub_links", "partner_link_ends"])
    table = summary.partners_by_type.drop(columns="type")
    rows = [table]
    if summary.hub_agreements:  # the employment services' own agreements: in the total, under no partner type
        own = {"label": "Työllisyyspalvelut itse", "partners": math.nan, "agreements": summary.hub_agreements,
               "hub_links": math.nan, "partner_link_ends": math.nan}  # fmt: skip
        rows.append(pd.DataFrame([own]))
    total = {
        "label": TOTAL_LABEL,
        "partners": summary.partners,
        "agreements": summary.agreements,
        "hub_links": summary.hub_links,
        "partner_link_ends": summary.partner_links,
    }
    rows.append(pd.DataFrame([total]))
    return pd.concat(rows, ignore_index=True)


PARTNER_TYPE_HEADERS = {
    "label": "Kumppanin tyyppi",
    "partners": "Kumppaneita",
    "agreements": "Voimassa olevia sopimuksia",
    "hub_links": "Yhteys työllisyyspalveluihin",
    "partner_link_ends": "Yhteyksiä muihin kumppaneihin",
}


def agreements_by_mode_display(analysis: EcosystemsAnalysis) -> pd.DataFrame:
    """Agreements in force by production mode with a total row: ``label``, ``agreements``, ``outcome_based``."""
    summary = analysis.network_summary
    if summary is None:
        return pd.DataFrame(columns=["label", "agreements", "outcome_based"])
    table = summary.agreements_by_mode.drop(columns="mode")
    total = {"label": TOTAL_LABEL, "agreements": summary.agreements, "outcome_based": summary.outcome_based_agreements}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def partners_display(analysis: EcosystemsAnalysis) -> pd.DataFrame:
    """Every partner with its links: the network map as a table (``name``, ``type_label``, ``agreements``,
    ``hub_link``, ``partners_linked``; no link as the legend's ``–``, none)."""
    if analysis.network is None:
        return pd.DataFrame(columns=["name", "type_label", "agreements", "hub_link", "partners_linked"])
    table = partner_table(analysis.network, analysis.settings.hub_partner_id, analysis.period.last_day)
    table = table[["name", "type_label", "agreements", "hub_link", "partners_linked"]].copy()
    for column in ("hub_link", "partners_linked"):
        table[column] = table[column].where(table[column] != "", disclosure.NIL)  # no link: none
    return table


def _day(value: object, missing: str = fmt.MISSING) -> str:
    return missing if pd.isna(value) else fmt.day(pd.Timestamp(value).date())


def milestones_display(analysis: EcosystemsAnalysis) -> pd.DataFrame:
    """The plan's actions of the page's areas: ``action``, ``section``, ``deadline``, ``state``, ``completed``,
    ``note`` as Finnish text."""
    rows = []
    for row in analysis.milestones.itertuples(index=False):
        state = plan_status.STATE_LABELS[str(row.state)]
        if row.state == "late":
            state += f" ({fmt.count(row.days_past_deadline)} pv)"
        elif row.state == "done" and row.completed_late:
            state += f" ({fmt.count(row.days_past_deadline)} pv myöhässä)"
        rows.append(
            {
                "action": f"{row.action_id} {row.title}",
                "section": str(row.section),
                "deadline": _day(row.deadline, "jatkuva"),
                "state": state,
                "completed": _day(row.completed_on),
                "note": str(row.note),
            }
        )
    return pd.DataFrame(rows, columns=["action", "section", "deadline", "state", "completed", "note"])


MILESTONE_HEADERS = {
    "action": "Toimenpide",
    "section": "Suunnitelman luku",
    "deadline": "Määräaika",
    "state": "Tila",
    "completed": "Valmistunut",
    "note": "Huomio",
}


# ---- sentences -------------------------------------------------------------------------------------------------


def period_line(analysis: EcosystemsAnalysis) -> str:
    """The page's first line: the report month and which deliveries it stands on."""
    period = analysis.period
    parts = [f"Raportointikuukausi: **{fmt.month(period)}**."]
    if analysis.has_services:
        parts.append(f"Palvelujen tiedot {fmt.month_genitive(period)} palvelurekisterin viennistä.")
    else:
        parts.append(f"Palvelurekisterin vientiä ei ole vielä tullut {fmt.month_genitive(period)} osalta.")
    if analysis.network is not None:
        parts.append(
            f"Kumppaniverkosto: {fmt.month_inessive(analysis.network.period, with_year=True)} toimitettu tilanne."
        )
    else:
        parts.append("Kumppaniverkoston tietoja ei ole vielä toimitettu.")
    return " ".join(parts)


def _share_text(value: object) -> str:
    """A share in text, the disclosure symbol as it is."""
    return str(value) if isinstance(value, str) else fmt.percent(value, 0)


def mix_sentences(analysis: EcosystemsAnalysis) -> list[str]:
    """What the month's production mode mix looks like and how it moved in a year."""
    period = analysis.period
    if not analysis.has_services:
        return [f"Palvelujen tietoja ei ole {fmt.month_genitive(period)} osalta, joten tuotantotapojen jakaumaa ei ole"]
    shown = mix_display(analysis).set_index("mode")
    total = shown.loc[TOTAL]
    people = "asiakasta" if isinstance(total["stock"], str) else f"{fmt.count(total['stock'])} asiakasta"
    out = [
        f"{fmt.month_inessive(period, with_year=True).capitalize()} palveluissa oli kuukauden lopussa {people}, ja "
        f"palvelujen kustannukset olivat {fmt.euro_text(analysis.mix_row(TOTAL)['cost_eur'])}"
    ]
    stock_parts = [f"{MODE_GENITIVE[m]} {_share_text(shown.at[m, 'stock_share'])}" for m in MODES]
    stock_parts[0] = stock_parts[0].replace(MODE_GENITIVE[MODES[0]], MODE_GENITIVE[MODES[0]] + " palveluissa")
    cost_parts = [_share_text(shown.at[m, "cost_share"]) for m in MODES]
    out.append(
        f"Asiakkaista oli {join_words(stock_parts)}; kustannuksista vastaavat osuudet olivat {join_words(cost_parts)}"
    )
    now = external_cost_share(analysis.mix)
    before = external_cost_share(analysis.mix_year_ago)
    if not math.isnan(before):
        out.append(
            "Muiden kuin kaupungin oman tuotannon osuus kustannuksista "
            f"{points_phrase(before, now)} vuodentakaisesta ({fmt.percent(before)} → {fmt.percent(now)})"
        )
    else:
        first = services.DATASET.first_period
        out.append(
            f"Muiden kuin kaupungin oman tuotannon osuus kustannuksista oli {fmt.percent(now)}; vuoden takaista "
            f"vertailua ei vielä ole, koska kaupungin omat palvelutiedot alkavat {fmt.month_elative(first)} "
            f"{fmt.year(first)}"
        )
    return out


def outcome_sentence(analysis: EcosystemsAnalysis) -> str:
    """The outcome-based share against its target."""
    outcome = analysis.outcome
    base = base_modes_phrase(list(analysis.settings.outcome_based_modes))
    if math.isnan(outcome.share):
        return f"Kuukaudelta ei ole {base} kustannuksia, joten tulosperusteisen hankinnan osuutta ei voi laskea"
    text = (
        f"{base.capitalize()} kustannuksista {fmt.percent(outcome.share)} hankittiin tulosperusteisesti "
        f"({fmt.count(outcome.providers)} palveluntuottajalta)"
    )
    target = analysis.settings.outcome_based_share_target
    if target is None:
        return text
    if outcome.share >= target:
        return text + f"; tavoite, vähintään {fmt.percent(target, 0)}, täyttyi"
    gap = fmt.number((target - outcome.share) * 100, 1)
    return text + f", mikä jää {gap} prosenttiyksikköä tavoitteesta ({fmt.percent(target, 0)})"


def network_sentences(analysis: EcosystemsAnalysis) -> list[str]:
    """The network's size, its agreements and how much cooperation runs between partners."""
    summary = analysis.network_summary
    if summary is None:
        return ["Kumppaniverkoston kuvausta ei ole vielä toimitettu, joten verkostokarttaa ei voi piirtää"]
    outcome = summary.outcome_based_agreements
    outcome_text = (
        "yksikään ei ole tulosperusteinen"
        if outcome == 0
        else "yksi on tulosperusteinen"
        if outcome == 1
        else f"{fmt.count(outcome)} on tulosperusteisia"
    )
    agreements = f"voimassa on {fmt.count(summary.agreements)} palvelusopimusta, joista {outcome_text}"
    upcoming = summary.upcoming_agreements
    if upcoming == 1:
        agreements += "; lisäksi yksi jo sovittu sopimus alkaa myöhemmin"
    elif upcoming > 1:
        agreements += f"; lisäksi {fmt.count(upcoming)} jo sovittua sopimusta alkaa myöhemmin"
    out = [f"Kumppaniverkostossa on {fmt.count(summary.partners)} kumppania, ja {agreements}"]
    links = (
        f"Verkostokartassa on {fmt.count(summary.links)} yhteistyösuhdetta, joista "
        f"{fmt.count(summary.partner_links)} on kumppanien välisiä (ei suoraan työllisyyspalvelujen kautta)"
    )
    if summary.unlinked_partners:
        links += f"; {fmt.count(summary.unlinked_partners)} kumppanilla ei ole merkittyä yhteyttä"
    out.append(links)
    return out


def milestone_sentence(item: Milestone | None) -> str:
    """The standing of the network map milestone (or of whichever action the parameters name)."""
    if item is None:
        return ""
    deadline = fmt.MISSING if item.deadline is None else fmt.day(item.deadline)
    head = f"Toimenpide {item.action_id} ({item.title[0].lower() + item.title[1:]}), määräaika {deadline}"
    if item.state == "done":
        done = fmt.day(item.completed_on) if item.completed_on else fmt.MISSING
        late = f", {fmt.count(item.days_past_deadline)} päivää määräajan jälkeen" if item.completed_late else ""
        return f"{head}: valmistui {done}{late}"
    if item.state == "late":
        return f"{head}: ei ole valmis, ja määräajasta on kulunut {fmt.count(item.days_past_deadline)} päivää"
    if item.days_to_deadline is None:
        return f"{head}: jatkuva toimenpide"
    return f"{head}: aikataulussa, määräaikaan on {fmt.count(item.days_to_deadline)} päivää"


def actions_sentence(analysis: EcosystemsAnalysis) -> str:
    """How many of the areas' actions are done, on track and late, naming the late ones."""
    counts = plan_status.count_by_state(analysis.milestones)
    scope = areas_phrase(analysis.settings.plan_areas)
    scope = scope.replace("luvut", "lukujen").replace("luku ", "luvun ")
    text = (
        f"Suunnitelman {scope} toimenpiteet: valmiina {fmt.count(counts['done'])}, aikataulussa "
        f"{fmt.count(counts['on_track'])}, myöhässä {fmt.count(counts['late'])}"
    )
    late = analysis.milestones[analysis.milestones["state"] == "late"]
    if len(late):
        named = [
            f"{row.action_id} ({fmt.count(row.days_past_deadline)} päivää yli määräajan)" for row in late.itertuples()
        ]
        text += f": {join_words(named)}"
    return text


def describe(analysis: EcosystemsAnalysis) -> list[str]:
    """A few Finnish sentences saying what the month shows: the production mode mix and its change, outcome-based
    procurement against the target, the partner network and the plan's actions, the network map first."""
    out = [*mix_sentences(analysis), outcome_sentence(analysis), *network_sentences(analysis)]
    out.append(milestone_sentence(analysis.network_milestone))
    out.append(actions_sentence(analysis))
    return [sentence(s) for s in out if s]


def figure_texts(analysis: EcosystemsAnalysis) -> dict[str, dict[str, str]]:
    """Titles that state each chart's finding and the charts' alt texts, keyed by chart (``mix``, ``history``,
    ``outcome``, ``network``)."""
    period = analysis.period
    month = fmt.month_genitive(period)
    texts: dict[str, dict[str, str]] = {}
    shown = mix_display(analysis).set_index("mode")
    if analysis.has_services:
        numeric = analysis.mix[analysis.mix["mode"] != TOTAL].set_index("mode")
        top = str(numeric["cost_share"].idxmax())
        mix_title = (
            f"{MODE_LABELS[top]} tuotti {fmt.percent(shown.at[top, 'cost_share'], 0)} {month} kustannuksista ja "
            f"palveli {_share_text(shown.at[top, 'stock_share'])} asiakkaista"
        )
        parts = [
            f"{MODE_LABELS[m].lower()} {_share_text(shown.at[m, 'stock_share'])} asiakkaista ja "
            f"{_share_text(shown.at[m, 'cost_share'])} kustannuksista"
            for m in MODES
        ]
        mix_alt = (
            "Vaakapylväskaavio tuotantotavoittain: osuus palveluissa olevista asiakkaista ja osuus kuukauden "
            f"kustannuksista {fmt.month_inessive(period, with_year=True)}. {join_words(parts).capitalize()}. "
            "Luvut ovat kuvion alla olevassa taulukossa."
        )
    else:
        mix_title = f"{fmt.month(period).capitalize()}: palvelujen tietoja ei vielä ole"
        mix_alt = mix_title
    texts["mix"] = {"title": mix_title, "alt": mix_alt}

    wide = external_share_history(analysis.mix_history)
    if len(wide):
        first, last = wide.iloc[0], wide.iloc[-1]
        span = months_between(first["month"], last["month"])
        history_title = (
            f"Muut kuin oma tuotanto: {fmt.percent(last['external_share'])} kustannuksista {fmt.month_inessive(period)}"
        )
        if len(wide) > 1:
            history_title += (
                f" ({fmt.month_inessive(first['month'], with_year=True)} {fmt.percent(first['external_share'])})"
            )
        history_alt = (
            f"Pinottu pylväskaavio: palvelujen kustannukset tuotantotavoittain kuukausittain {span}; oma tuotanto "
            f"alimpana, sitten sidosyksikkö, ostopalvelu ja kumppanuus. Kustannukset yhteensä "
            f"{fmt.euro_text(last['total'])} {fmt.month_inessive(period)}. {history_title}. Luvut ovat kuvion alla "
            "olevassa taulukossa."
        )
    else:
        history_title = history_alt = "Palvelujen kustannustietoja ei vielä ole"
    texts["history"] = {"title": history_title, "alt": history_alt}

    outcome = analysis.outcome
    target = analysis.settings.outcome_based_share_target
    target_text = "" if target is None else f" (tavoite vähintään {fmt.percent(target, 0)})"
    base = base_modes_phrase(list(analysis.settings.outcome_based_modes))
    outcome_title = f"Tulosperusteisesti hankittiin {fmt.percent(outcome.share)} {base} kustannuksista{target_text}"
    shares = analysis.outcome_history["share"].astype("float64")
    if shares.notna().sum() > 1:
        low, high = float(shares.min()), float(shares.max())
        outcome_alt = (
            f"Viivakaavio: tulosperusteisen hankinnan osuus {base} kustannuksista kuukausittain, vaihteluväli "
            f"{fmt.percent(low)}–{fmt.percent(high)}, {fmt.month_inessive(period)} {fmt.percent(outcome.share)}"
            f"{target_text}. Luvut ovat kuvion alla olevassa taulukossa."
        )
    elif shares.notna().any():
        outcome_alt = (
            f"Viivakaavio, jossa on vasta yksi kuukausi: tulosperusteisen hankinnan osuus {base} kustannuksista "
            f"{fmt.month_inessive(period, with_year=True)} {fmt.percent(outcome.share)}{target_text}. Luvut ovat "
            "kuvion alla olevassa taulukossa."
        )
    else:
        outcome_alt = outcome_title
    texts["outcome"] = {"title": outcome_title, "alt": outcome_alt}

    summary = analysis.network_summary
    if summary is not None:
        network_title = (
            f"Verkostossa {fmt.count(summary.partners)} kumppania ja {fmt.count(summary.links)} yhteistyösuhdetta, "
            f"joista {fmt.count(summary.partner_links)} kumppanien välisiä"
        )
        types = [
            f"{_type_text(row.type)} {fmt.count(row.partners)}"
            for row in summary.partners_by_type.itertuples()
            if row.partners
        ]
        network_alt = (
            "Verkostokartta: Lahden työllisyyspalvelut keskellä ja kumppanit sen ympärillä tyypeittäin "
            f"ryhmiteltyinä ({join_words(types)}); tyypin kertovat sekä väri että merkin muoto. Viivat ovat "
            "yhteistyösuhteita ja niiden paksuus kertoo yhteistyön tiiviyden. Vaaleat viivat ovat yhteyksiä "
            f"työllisyyspalveluihin ({fmt.count(summary.hub_links)}), tummat kumppanien välisiä yhteyksiä "
            f"({fmt.count(summary.partner_links)}). Kumppanit ja niiden yhteydet on lueteltu kuvion alla olevassa "
            "taulukossa."
        )
    else:
        network_title = network_alt = "Kumppaniverkoston kuvausta ei ole vielä toimitettu"
    texts["network"] = {"title": network_title, "alt": network_alt}
    return texts


def method_text(analysis: EcosystemsAnalysis) -> str:
    """How the page counts, in Finnish Markdown, with the parameter values in force."""
    settings = analysis.settings
    base = base_modes_phrase(list(settings.outcome_based_modes))
    target = settings.outcome_based_share_target
    target_text = (
        "Tavoitetta ei ole asetettu."
        if target is None
        else f"Tavoite on vähintään {fmt.percent(target, 0)} (oletus, kunnes jaosto päättää tavoitteen)."
    )
    return "\n\n".join(
        [
            "**Miten luvut lasketaan.** Tuotantotavat ovat suunnitelman monituottajamallin mukaiset: kaupungin oma "
            "tuotanto, sidosyksikkö (esim. kuntayhtymän koulutus), ostopalvelu ja kumppanuus. Asiakasmäärä on "
            "palveluissa olevien määrä kuukauden lopussa ja kustannus kuukauden kustannus palvelurekisterin "
            f"viennistä. Tulosperusteisen hankinnan osuus = tulosperusteisesti hankittujen {base} kustannus / "
            f"kaikkien {base} kustannus. {target_text}",
            "**Kumppaniverkosto.** Verkostokoordinaattorin ylläpitämä kuvaus on voimassa toimituskuukaudesta "
            "alkaen, kunnes uusi kuvaus toimitetaan. Kumppaneita ovat muut organisaatiot kuin työllisyyspalvelut "
            "itse. Yhteistyösuhde on kahden organisaation välinen yhteys, jossa voi olla useita yhteistyön lajeja "
            "(palveluyhteistyö, asiakasohjaus, rahoitus, tiedonvaihto); sen tiiviys (1–5 kustakin lajista) on "
            "laskettu yhteen. Sopimus lasketaan voimassa olevaksi, jos se on alkanut kuukauden viimeisenä päivänä "
            "eikä ole vielä päättynyt. Verkoston luvut koskevat organisaatioita, eivät henkilöitä, joten niitä ei "
            "tarvitse peittää.",
            "**Toimenpiteiden tila.** Myöhässä on toimenpide, joka ei ole valmis ja jonka määräaika on ennen "
            "kuukauden viimeistä päivää. Kausina annetut määräajat (esim. ”syksyn 2025 aikana”) on tulkittu "
            "kauden viimeiseksi päiväksi.",
        ]
    )
