"""Finnish texts and display tables of the employer services page, generated from the numbers of
:mod:`serviceplan.metrics.employer_services` (the arithmetic stays there; here it is only put into words).

Disclosure: placements are people, so they go through :mod:`serviceplan.present.disclosure` before they are
shown (primary and secondary suppression against the total row or the column's sum). Vacancies, times to fill,
employer contacts and cooperation events are about jobs, employers and events, not people, and are shown as they
are.
"""

from __future__ import annotations

import math

import pandas as pd

from serviceplan.inputs.sources import employer_services
from serviceplan.metrics.availability import NOT_FOR_THIS_MUNICIPALITY
from serviceplan.metrics.employer_services import FIELD_LABELS, TOTAL, EmployerAnalysis
from serviceplan.present import disclosure
from serviceplan.present import format as fmt
from serviceplan.present.narrative import join_words, months_between, more_or_less, sentence

# Occupational fields in running text, genitive ("the vacancies of ...").
FIELD_GENITIVE: dict[str, str] = {
    "industry": "teollisuuden ja tekniikan",
    "construction": "rakentamisen",
    "health_social": "sosiaali- ja terveysalan",
    "retail_service": "kaupan ja asiakaspalvelun",
    "logistics": "logistiikan ja kuljetuksen",
    "hospitality": "ravintola- ja majoitusalan",
    "office_ict": "toimisto-, ICT- ja asiantuntijatyön",
    "other": "muiden alojen",
}


def _first_month_text() -> str:
    """The first month of the employer services' report in the elative: ``tammikuusta 2025``."""
    first = employer_services.DATASET.first_period
    return f"{fmt.month_elative(first)} {fmt.year(first)}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _days(value: float) -> str:
    return f"{fmt.number(value, 1)} päivää"


# ---- display tables ------------------------------------------------------------------------------------------


def monthly_display(analysis: EmployerAnalysis) -> pd.DataFrame:
    """The window's monthly numbers for showing, placements through disclosure control (each month's count on
    its own; a second month is hidden with a small one, as the months' sum may be known)."""
    table = disclosure.suppress(
        analysis.monthly.set_index("month", drop=False),
        analysis.params.disclosure,
        counts=["placements"],
    ).reset_index(drop=True)
    table["month"] = [fmt.month_short(m) for m in table["month"]]
    return table


VACANCY_COLUMNS = ["month", "stat_open_vacancies", "stat_new_vacancies", "received", "filled", "placements"]
VACANCY_FORMATS = {c: "count" for c in VACANCY_COLUMNS[1:]}
VACANCY_HEADERS = {
    "month": "Kuukausi",
    "stat_open_vacancies": "Avoimet kuun lopussa (tilasto)",
    "stat_new_vacancies": "Uudet (tilasto)",
    "received": "Ilmoitetut työnantajapalveluille",
    "filled": "Täytetyt",
    "placements": "Työhön sijoittuneet asiakkaat",
}
TIME_COLUMNS = ["month", "median_days", "mean_days", "target_median", "fill_rate"]
TIME_FORMATS = {"median_days": "number1", "mean_days": "number1", "target_median": "number1", "fill_rate": "percent"}
TIME_HEADERS = {
    "month": "Kuukausi",
    "median_days": "Täyttöaika, mediaani (pv)",
    "mean_days": "Täyttöaika, keskiarvo (pv)",
    "target_median": "Mediaanin tavoite (pv)",
    "fill_rate": "Täytettyjen osuus ilmoitetuista",
}
CONTACT_COLUMNS = ["month", "visits", "calls", "events_ladec", "events_education"]
CONTACT_FORMATS = {c: "count" for c in CONTACT_COLUMNS[1:]}
CONTACT_HEADERS = {
    "month": "Kuukausi",
    "visits": "Yrityskäynnit",
    "calls": "Puhelinkontaktit",
    "events_ladec": "Yhteistyötapahtumat, Ladec",
    "events_education": "Yhteistyötapahtumat, oppilaitokset",
}


def month_labels(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with its ``month`` column (``YYYY-MM``) as short Finnish month names, for showing."""
    shown = table.copy()
    shown["month"] = [fmt.month_short(m) for m in shown["month"]]
    return shown


def kpi_note(analysis: EmployerAnalysis) -> str:
    """The note under the KPI table: what the changes compare and, in the report's first year, why its numbers
    have no year-ago comparison."""
    note = (
        "Muutokset verrattuna edellisen kuukauden ja edellisen vuoden saman kuukauden raporttiin; osuuksien "
        "muutokset prosenttiyksikköinä."
    )
    if analysis.period.shift(-12) < employer_services.DATASET.first_period:
        note += (
            f" Työnantajapalvelujen raportti alkaa {_first_month_text()}, joten sen luvuilla ei vielä ole vuoden "
            "takaista vertailua."
        )
    return note + " Tavoitteet ovat oletuksia, ks. menetelmäkuvaus sivun lopussa."


def report_rows(analysis: EmployerAnalysis, table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a display table built from ``analysis.monthly`` (same order) for months with the report."""
    return table[analysis.monthly["received"].notna().to_numpy()].reset_index(drop=True)


def time_chart_data(analysis: EmployerAnalysis) -> pd.DataFrame:
    """Time to fill per month with the median's target (NaN without one), months with the report only."""
    table = analysis.monthly[analysis.monthly["received"].notna()].copy()
    target = analysis.settings.days_to_fill_median_target
    table["target_median"] = math.nan if target is None else float(target)
    return table.reset_index(drop=True)


def contacts_long(analysis: EmployerAnalysis) -> pd.DataFrame:
    """Employer contacts and cooperation events per month in long form for a panel chart: ``month``, ``measure``
    (Finnish panel title), ``value``; months with the report only."""
    table = analysis.monthly[analysis.monthly["received"].notna()]
    parts = [
        pd.DataFrame({"month": table["month"], "measure": CONTACT_HEADERS[c], "value": table[c].astype("float64")})
        for c in CONTACT_COLUMNS[1:]
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["month", "measure", "value"])


def fields_display(analysis: EmployerAnalysis) -> pd.DataFrame:
    """The month by occupational field with the total row, placements through disclosure control."""
    if analysis.fields.empty:
        return analysis.fields
    return disclosure.suppress(
        analysis.fields.set_index("field", drop=False),
        analysis.params.disclosure,
        counts=["placements"],
        total_row=TOTAL,
    ).reset_index(drop=True)


FIELD_FORMATS = {
    "received": "count",
    "filled": "count",
    "open": "count",
    "placements": "count",
    "fill_rate": "percent",
    "median_days": "number1",
    "mean_days": "number1",
    "visits": "count",
    "calls": "count",
    "events_ladec": "count",
    "events_education": "count",
}
FIELD_HEADERS = {
    "label": "Ammattiala",
    "received": "Ilmoitetut",
    "filled": "Täytetyt",
    "open": "Avoimet kuun lopussa",
    "placements": "Työhön sijoittuneet",
    "fill_rate": "Täytettyjen osuus",
    "median_days": "Täyttöaika, mediaani (pv)",
    "mean_days": "Täyttöaika, keskiarvo (pv)",
    "visits": "Yrityskäynnit",
    "calls": "Puhelut",
    "events_ladec": "Tapahtumat, Ladec",
    "events_education": "Tapahtumat, oppilaitokset",
}


def field_chart_data(analysis: EmployerAnalysis, order_by: str) -> pd.DataFrame:
    """The field rows (no total) for a chart, largest ``order_by`` first, placements as shown in the table."""
    shown = fields_display(analysis)
    if shown.empty:
        return shown
    rows = shown[shown["field"] != TOTAL].copy()
    key = pd.to_numeric(rows[order_by], errors="coerce").astype("float64")
    return rows.assign(_key=key).sort_values("_key", ascending=False, kind="stable").drop(columns="_key")


# ---- sentences -------------------------------------------------------------------------------------------------


def period_line(analysis: EmployerAnalysis) -> str:
    """The page's first line: the report month and how far each source reaches."""
    period = analysis.period
    parts = [f"Raportointikuukausi: **{fmt.month(period)}**."]
    if not analysis.own_data:
        parts.append(f"Työnantajapalvelujen kuukausiraportti: {NOT_FOR_THIS_MUNICIPALITY}.")
    elif analysis.has_report:
        parts.append(f"Työnantajapalvelujen kuukausiraportti {fmt.month_genitive(period)} osalta.")
    else:
        parts.append(f"Työnantajapalvelujen kuukausiraporttia ei ole {fmt.month_genitive(period)} osalta.")
    stats = analysis.monthly[analysis.monthly["stat_open_vacancies"].notna()]
    if len(stats):
        parts.append(
            f"Työnvälitystilasto (KEHA-keskus / Tilastokeskus) {fmt.month_genitive(stats['month'].iloc[-1])} loppuun."
        )
    return " ".join(parts)


def vacancy_sentence(analysis: EmployerAnalysis) -> str:
    """Open and new vacancies in the public statistics, against a year earlier."""
    period = analysis.period
    row, year_ago = analysis.month(), analysis.month(period.shift(-12))
    if pd.isna(row["stat_open_vacancies"]):
        return f"Työnvälitystilastoa ei ole vielä {fmt.month_genitive(period)} osalta"
    text = (
        f"Työnvälitystilaston mukaan kunnassa ({analysis.params.regions.home.name}) oli {fmt.month_genitive(period)} "
        "lopussa "
        f"{fmt.count(row['stat_open_vacancies'])} avointa työpaikkaa"
    )
    compared = more_or_less(year_ago["stat_open_vacancies"], row["stat_open_vacancies"])
    if compared:
        text += f", {compared}"
    if not pd.isna(row["stat_new_vacancies"]):
        text += f"; uusia paikkoja ilmoitettiin kuukauden aikana {fmt.count(row['stat_new_vacancies'])}"
    return text


def filling_sentences(analysis: EmployerAnalysis) -> list[str]:
    """Vacancies received and filled, the fill rate against its target, placements, and the time to fill."""
    period = analysis.period
    row = analysis.month()
    settings = analysis.settings
    if not analysis.has_report:
        return [f"Työnantajapalvelujen raporttia ei ole {fmt.month_genitive(period)} osalta"]
    text = (
        f"Työnantajapalveluille ilmoitettiin {fmt.month_inessive(period)} {fmt.count(row['received'])} työpaikkaa "
        f"ja täytettiin {fmt.count(row['filled'])} ({fmt.percent(row['fill_rate'], 0)} ilmoitettujen määrästä"
    )
    if settings.fill_rate_target is not None:
        text += f", tavoite {fmt.percent(settings.fill_rate_target, 0)}"
    text += ")"
    placements = monthly_display(analysis).set_index(analysis.monthly["month"]).at[str(period), "placements"]
    if isinstance(placements, str):
        text += "; työhön sijoittuneiden asiakkaiden määrä on tietosuojan vuoksi peitetty"
    else:
        text += f"; asiakkaita sijoittui työhön {fmt.count(placements)}"
    out = [text]
    if not pd.isna(row["median_days"]):
        times = (
            f"Työpaikan täyttö kesti mediaanina {_days(row['median_days'])} ja keskimäärin {_days(row['mean_days'])}"
        )
        median_target, mean_target = settings.days_to_fill_median_target, settings.days_to_fill_mean_target
        if median_target is not None and mean_target is not None:
            met = [
                row["median_days"] <= median_target,
                row["mean_days"] <= mean_target,
            ]
            verdict = (
                "molemmat tavoitteessa"
                if all(met)
                else "mediaani tavoitteessa, keskiarvo ei"
                if met[0]
                else "keskiarvo tavoitteessa, mediaani ei"
                if met[1]
                else "kumpikaan ei tavoitteessa"
            )
            times += (
                f" (tavoitteet enintään {fmt.number(median_target, 0)} ja {fmt.number(mean_target, 0)} päivää: "
                f"{verdict})"
            )
        before = analysis.month(period.shift(-1))["median_days"]
        if not pd.isna(before):
            change = float(row["median_days"]) - float(before)
            if round(abs(change), 1) == 0:
                times += "; mediaani pysyi edellisen kuukauden tasolla"
            else:
                word = "lyheni" if change < 0 else "piteni"
                times += f"; mediaani {word} edellisestä kuukaudesta {_days(abs(change))}"
        out.append(times)
    return out


def field_sentence(analysis: EmployerAnalysis) -> str:
    """Which occupational fields filled slowest and fastest, and which received the most vacancies."""
    fields = analysis.fields
    if fields.empty:
        return ""
    rows = fields[fields["field"] != TOTAL]
    timed = rows[rows["median_days"].notna()].sort_values("median_days", kind="stable")
    parts = []
    top = rows.sort_values("received", ascending=False, kind="stable").iloc[0]
    parts.append(
        f"Eniten työpaikkoja ilmoitettiin {FIELD_GENITIVE[top['field']]} tehtäviin ({fmt.count(top['received'])})"
    )
    if len(timed) >= 2:
        slow, fast = timed.iloc[-1], timed.iloc[0]
        parts.append(
            f"hitaimmin täyttyivät {FIELD_GENITIVE[slow['field']]} paikat (mediaani {_days(slow['median_days'])}) "
            f"ja nopeimmin {FIELD_GENITIVE[fast['field']]} ({_days(fast['median_days'])})"
        )
    return "; ".join(parts)


def cooperation_sentences(analysis: EmployerAnalysis) -> list[str]:
    """The month's employer contacts and cooperation events, and the year to date against the targets."""
    if not analysis.has_report:
        return []
    row = analysis.month()
    ytd = analysis.ytd
    out = [
        f"Työnantajia tavattiin {fmt.count(row['visits'])} kertaa ja heihin oltiin yhteydessä puhelimitse "
        f"{fmt.count(row['calls'])} kertaa; yhteistyötapahtumia oli Ladecin kanssa {fmt.count(row['events_ladec'])} "
        f"ja oppilaitosten kanssa {fmt.count(row['events_education'])}"
    ]
    parts = []
    for name, value, target in (
        ("Ladecin", ytd.events_ladec, ytd.events_ladec_target),
        ("oppilaitosten", ytd.events_education, ytd.events_education_target),
    ):
        text = f"{name} kanssa {fmt.count(value)}"
        if not math.isnan(target):
            text += f" (tavoite tähän mennessä {fmt.count(target)})"
        parts.append(text)
    out.append(f"Vuoden alusta yhteistyötapahtumia on ollut {join_words(parts)}")
    return out


def describe(analysis: EmployerAnalysis) -> list[str]:
    """A few Finnish sentences saying what the month shows: vacancies in the statistics, filling and placements
    against the targets, the time to fill and its change, the fields, and the cooperation with Ladec and the
    educational institutions."""
    out = [vacancy_sentence(analysis), *filling_sentences(analysis), field_sentence(analysis)]
    out.extend(cooperation_sentences(analysis))
    return [sentence(s) for s in out if s]


def figure_texts(analysis: EmployerAnalysis) -> dict[str, dict[str, str]]:
    """Titles that state each chart's finding and the charts' alt texts, keyed by chart (``vacancies``,
    ``time``, ``fields``, ``field_times``, ``contacts``)."""
    period = analysis.period
    row = analysis.month()
    months = analysis.monthly["month"].tolist()
    span = months_between(months[0], months[-1])
    texts: dict[str, dict[str, str]] = {}

    if pd.isna(row["stat_open_vacancies"]):
        title = "Työnvälitystilastoa ei ole vielä raportointikuukaudelta"
    else:
        title = f"Avoimia työpaikkoja {fmt.count(row['stat_open_vacancies'])} {fmt.month_genitive(period)} lopussa"
        compared = more_or_less(analysis.month(period.shift(-12))["stat_open_vacancies"], row["stat_open_vacancies"])
        if compared:
            title += f", {compared}"
    stats = analysis.monthly["stat_open_vacancies"].astype("float64")
    extent = (
        f"Avoimia työpaikkoja oli jakson aikana {fmt.count(stats.min())}–{fmt.count(stats.max())}. "
        if stats.notna().any()
        else ""
    )
    texts["vacancies"] = {
        "title": title,
        "alt": (
            f"Viivakaavio kuukausittain {span}: työnvälitystilaston avoimet työpaikat kuun lopussa ja uudet "
            "työpaikat sekä työnantajapalveluille ilmoitetut ja täytetyt työpaikat (työnantajapalvelujen "
            f"raportti alkaa {_first_month_text()}). {extent}{title}. Luvut ovat kuvion alla olevassa taulukossa."
        ),
    }

    target = analysis.settings.days_to_fill_median_target
    if analysis.has_report:
        title = f"Täyttöajan mediaani {fmt.month_inessive(period)} {_days(row['median_days'])}"
        if target is not None:
            title += f" (tavoite enintään {fmt.number(target, 0)})"
        timed = time_chart_data(analysis)
        alt = (
            "Viivakaavio: työpaikkojen täyttöaika kuukausittain, mediaani ja keskiarvo päivinä, sekä mediaanin "
            f"tavoite vaakaviivana. Mediaani vaihteli {fmt.number(timed['median_days'].min(), 1)}–"
            f"{fmt.number(timed['median_days'].max(), 1)} päivän välillä. {title}. Luvut ovat kuvion alla olevassa "
            "taulukossa."
        )
    else:
        title = alt = "Työnantajapalvelujen raporttia ei ole raportointikuukaudelta"
    texts["time"] = {"title": title, "alt": alt}

    fields = analysis.fields
    if not fields.empty:
        rows = fields[fields["field"] != TOTAL]
        top = rows.sort_values("received", ascending=False, kind="stable").iloc[0]
        title = (
            f"Eniten ilmoitettuja työpaikkoja {FIELD_GENITIVE[top['field']]} tehtäviin: {fmt.count(top['received'])}"
        )
        texts["fields"] = {
            "title": title,
            "alt": (
                "Vaakapylväskaavio ammattialoittain: kuukauden aikana ilmoitetut ja täytetyt työpaikat sekä työhön "
                f"sijoittuneet asiakkaat {fmt.month_inessive(period, with_year=True)}, eniten ilmoitettuja ylimpänä. "
                f"{title}. Luvut ovat kuvion alla olevassa taulukossa."
            ),
        }
        timed = rows[rows["median_days"].notna()].sort_values("median_days", ascending=False, kind="stable")
        if len(timed):
            slow = timed.iloc[0]
            title = (
                f"Hitaimmin täyttyivät {FIELD_GENITIVE[slow['field']]} paikat: mediaani {_days(slow['median_days'])}"
            )
            ordered = [
                f"{_lower_first(FIELD_LABELS[r.field])} {fmt.number(r.median_days, 1)}" for r in timed.itertuples()
            ]
            alt = (
                f"Vaakapylväskaavio: täyttöaika ammattialoittain {fmt.month_inessive(period, with_year=True)}, "
                f"mediaani ja keskiarvo päivinä, hitain ala ylimpänä. Mediaanit: {join_words(ordered)} päivää. "
                "Luvut ovat kuvion alla olevassa taulukossa."
            )
        else:
            title = alt = "Yhtään työpaikkaa ei täytetty kuukauden aikana"
        texts["field_times"] = {"title": title, "alt": alt}
    else:
        missing = "Työnantajapalvelujen raporttia ei ole raportointikuukaudelta"
        texts["fields"] = texts["field_times"] = {"title": missing, "alt": missing}

    if analysis.has_report:
        events = float(row["events_ladec"] + row["events_education"])
        title = (
            f"{fmt.month(period).capitalize()}: {fmt.count(row['contacts'])} työnantajakontaktia ja "
            f"{fmt.count(events)} yhteistyötapahtumaa"
        )
        alt = (
            "Pylväskaaviot kuukausittain neljässä paneelissa, kullakin oma asteikko: yrityskäynnit, "
            "puhelinkontaktit, yhteistyötapahtumat Ladecin kanssa ja yhteistyötapahtumat oppilaitosten kanssa. "
            f"{title}. Luvut ovat kuvion alla olevassa taulukossa."
        )
    else:
        title = alt = "Työnantajapalvelujen raporttia ei ole raportointikuukaudelta"
    texts["contacts"] = {"title": title, "alt": alt}
    return texts


def method_text(analysis: EmployerAnalysis) -> str:
    """How the page counts, in Finnish Markdown, with the parameter values in force."""
    settings = analysis.settings

    def target(value: float | None, text: str) -> str:
        return "ei tavoitetta" if value is None else text

    targets = [
        target(settings.fill_rate_target, f"täytettyjen osuus vähintään {fmt.percent(settings.fill_rate_target, 0)}"),
        target(
            settings.days_to_fill_median_target,
            f"täyttöajan mediaani enintään {fmt.number(settings.days_to_fill_median_target, 0)} päivää",
        ),
        target(
            settings.days_to_fill_mean_target,
            f"keskiarvo enintään {fmt.number(settings.days_to_fill_mean_target, 0)} päivää",
        ),
        target(
            settings.events_ladec_per_year_target,
            f"{fmt.number(settings.events_ladec_per_year_target, 0)} yhteistyötapahtumaa Ladecin",
        ),
        target(
            settings.events_education_per_year_target,
            f"{fmt.number(settings.events_education_per_year_target, 0)} oppilaitosten kanssa vuodessa",
        ),
    ]
    return "\n\n".join(
        [
            "**Lähteet.** Avoimet ja uudet työpaikat ovat KEHA-keskuksen työnvälitystilastosta (Tilastokeskuksen "
            f"PxWeb-tietokanta, {analysis.params.regions.home.name}); tilasto kattaa kaikki TE-palveluihin "
            "ilmoitetut paikat. Muut luvut ovat "
            f"työnantajapalvelujen kuukausiraportista, joka alkaa {_first_month_text()} ja on jaettu "
            "ammattialoittain.",
            "**Miten luvut lasketaan.** Täytettyjen osuus = kuukauden aikana täytetyt / kuukauden aikana "
            "ilmoitetut työpaikat; täytetty paikka on voitu ilmoittaa jo aiemmin, joten osuus kuvaa virtoja eikä "
            "yhden kuukauden paikkojen kohtaloa. Täyttöaika on päivät ilmoittamisesta täyttämiseen kuukauden "
            "aikana täytetyistä paikoista; kokonaismediaani on raportin yhteensä-riviltä, koska sitä ei voi "
            "laskea alojen mediaaneista. Työnantajakontaktit = yrityskäynnit + puhelinkontaktit. "
            "Yhteistyötapahtumien vuoden alusta kertynyttä määrää verrataan vuositavoitteen kuukausia vastaavaan "
            "osuuteen (vuositavoite × kuukausi / 12).",
            f"**Tavoitteet** (oletuksia, kunnes yhteistyömallin mittarit vahvistetaan): {join_words(targets)}. "
            "Tietosuojasääntö koskee henkilömääriä eli työhön sijoittuneita asiakkaita; työpaikat, yhteydenotot ja "
            "tapahtumat eivät ole henkilötietoja.",
        ]
    )
