"""Finnish texts of the budget page, generated from the numbers of :mod:`serviceplan.metrics.budget`.

Every sentence is built from an analysed month, so that the words and the figures cannot disagree: what the
month shows, the caveats of the forecast, chart titles that state the finding, alt texts and the what-if.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import pandas as pd

from serviceplan.core.periods import Period
from serviceplan.inputs.sources import kela_invoice
from serviceplan.metrics.budget import (
    BENEFIT,
    BENEFIT_LINE,
    BILLING_LAG_MONTHS,
    DAY_CLASS_LABELS,
    DAY_CLASSES,
    GRAND_TOTAL,
    OPERATING_LINES,
    OPERATING_TOTAL,
    BudgetAnalysis,
    WhatIfResult,
    budget_lines,
    month_weights,
)
from serviceplan.present import format as fmt
from serviceplan.present.narrative import against_phrase, change_phrase, join_words, sentence

EXCEEDANCE_WORDS: dict[str, str] = {
    "all": "ylitys on todennäköinen, sillä koko vaihteluväli on budjetin yläpuolella",
    "point": "ylitys on mahdollinen: ennuste ylittää budjetin, mutta vaihteluvälin alaraja jää sen alle",
    "upper": "ennuste pysyy budjetissa, mutta vaihteluvälin yläraja ylittää sen, joten ylityksen riski on olemassa",
    "none": "koko vaihteluväli on budjetin alapuolella",
    "no_budget": "budjettia ei ole",
}
EXCEEDANCE_SHORT: dict[str, str] = {
    "all": "todennäköinen",
    "point": "mahdollinen",
    "upper": "riski",
    "none": "ei",
    "no_budget": "ei budjettia",
}
PERIOD_BUDGET = "kauden budjetin"  # "the budget of the period so far", genitive


def _span(analysis: BudgetAnalysis, line: str) -> str:
    """The months of the year the line has been observed in, as Finnish words (``tammi–kesäkuussa 2025``)."""
    table = analysis.monthly
    seen = table[(table["line"] == line) & table["observed"]]["month"].tolist()
    return fmt.month_span_inessive(seen[0], seen[-1]) if seen else ""


def describe(analysis: BudgetAnalysis) -> list[str]:
    """A few Finnish sentences saying what the month shows: costs so far against the budget, the month's change,
    the catch-up, the forecast and its risk, and how much history the forecast stands on."""
    period = analysis.period
    out = []
    operating = analysis.month_row(OPERATING_TOTAL)
    if operating["observed"]:
        out.append(
            f"Toimintakuluja kertyi {_span(analysis, OPERATING_TOTAL)} {fmt.euro_text(operating['cum_actual_eur'])}, "
            "mikä on "
            f"{against_phrase(operating['cum_actual_eur'], operating['cum_budget_eur'], noun_genitive=PERIOD_BUDGET)}"
            f" ({fmt.euro_text(operating['cum_budget_eur'])})"
        )
        table = analysis.monthly
        previous = table[(table["line"] == OPERATING_TOTAL) & (table["month"] == str(period.shift(-1)))]
        if len(previous) and previous["observed"].iloc[0]:
            verb = change_phrase(
                previous["actual_eur"].iloc[0],
                operating["actual_eur"],
                up="kasvoivat",
                down="laskivat",
                same="pysyivät ennallaan",
            )
            out.append(f"{fmt.month_genitive(period)} toimintakulut {verb} {fmt.month_elative(period.shift(-1))}")
    else:
        out.append(f"Kirjanpidon toteumaa ei ole vielä {fmt.month_genitive(period)} osalta")
    benefit = analysis.month_row(BENEFIT_LINE)
    benefit_forecast = analysis.forecast(BENEFIT_LINE)
    if benefit_forecast.method == "budget":
        out.append(
            "Kela laskuttaa työttömyysetuuksien kuntaosuuden kuukauden jälkikäteen, joten vuoden ensimmäistä laskua "
            "ei ole vielä tullut; kuntaosuuden ennuste on toistaiseksi sama kuin budjetti"
        )
    else:
        out.append(
            f"Työttömyysetuuksien kuntaosuutta laskutettiin {_span(analysis, BENEFIT_LINE)} "
            f"{fmt.euro_text(benefit['cum_actual_eur'])}, mikä on "
            f"{against_phrase(benefit['cum_actual_eur'], benefit['cum_budget_eur'], noun_genitive=PERIOD_BUDGET)}"
        )
    if benefit_forecast.catch_up_eur > 0:
        out.append(
            f"Summaan sisältyy {fmt.euro_text(benefit_forecast.catch_up_eur)} aiempien kuukausien jälkilaskutusta. "
            "Se on todellinen kulu mutta kertaluonteinen, joten ennuste ei jatka sitä loppuvuodelle"
        )
    total = analysis.forecast(GRAND_TOTAL)
    out.append(
        f"Koko vuoden kulujen ennuste on {fmt.euro_text(total.point_eur)} (vaihteluväli "
        f"{fmt.euro_text_range(total.low_eur, total.high_eur)}) ja budjetti "
        f"{fmt.euro_text(total.annual_budget_eur)}: {EXCEEDANCE_WORDS[total.exceedance]}"
    )
    over = [
        f
        for f in analysis.forecasts
        if f.exceedance in ("all", "point") and f.line not in (OPERATING_TOTAL, GRAND_TOTAL)
    ]
    if over:
        named = [
            f"{f.label[0].lower() + f.label[1:]} ({against_phrase(f.point_eur, f.annual_budget_eur)})" for f in over
        ]
        out.append(f"Ennuste ylittää budjetin seuraavilla riveillä: {join_words(named)}")
    out.extend(forecast_notes(analysis))
    return [sentence(s) for s in out]


def forecast_notes(analysis: BudgetAnalysis) -> list[str]:
    """Caveats of the forecast in Finnish: how many months it rests on, and when the budget stands in for data."""
    notes = []
    settings = analysis.params.forecast
    for line in (OPERATING_TOTAL, BENEFIT_LINE):
        item = analysis.forecast(line)
        noun = "toimintakulujen" if line == OPERATING_TOTAL else "kuntaosuuden"
        if item.method == "run_rate" and item.months_observed < settings.min_history_months:
            months = "yhteen kuukauteen" if item.months_observed == 1 else f"{item.months_observed} kuukauteen"
            notes.append(
                f"Vuoden {noun} ennuste perustuu vasta {months}, joten se nojaa osin budjettiin, ja vaihteluväli on "
                f"arvioitu oletetulla {fmt.percent(settings.prior_spread, 0)} kuukausivaihtelulla"
            )
        if item.method == "complete":
            notes.append(f"Vuoden kaikki {noun} kuukaudet ovat toteutuneet, joten ennuste on vuoden toteuma")
    return notes


def figure_texts(analysis: BudgetAnalysis) -> dict[str, dict[str, str]]:
    """Titles that state each chart's finding, and the charts' alt texts, keyed by chart (``monthly``,
    ``cumulative``, ``day_classes``)."""
    period = analysis.period
    table = analysis.monthly
    rows = table[(table["month"] == str(period)) & table["kind"].isin(["operating", "benefit_share"])]
    rows = rows[rows["cum_budget_eur"] > 0].sort_values("cum_diff_share", ascending=False)
    if len(rows) and rows["cum_diff_share"].iloc[0] > 0:
        row = rows.iloc[0]
        monthly_title = (
            f"{row['label']}: {against_phrase(row['cum_actual_eur'], row['cum_budget_eur'], decimals=0)} "
            f"{fmt.month_genitive(period)} loppuun mennessä"
        )
    else:
        monthly_title = f"Kaikki budjettirivit ovat kauden budjetissa {fmt.month_genitive(period)} loppuun mennessä"
    total = analysis.forecast(GRAND_TOTAL)
    overrun = total.point_eur - total.annual_budget_eur
    amount = fmt.euro_text(abs(overrun), digits=fmt.SIGNIFICANT_DIGITS)
    if overrun > 0:
        cumulative_title = f"Ennuste: vuoden kulut ylittävät budjetin {amount}"
    else:
        cumulative_title = f"Ennuste: vuoden kulut jäävät {amount} budjetin alle"
    days = analysis.day_classes
    if len(days):
        top = days.iloc[:-1].sort_values("share_of_total", ascending=False).iloc[0]
        day_title = (
            f"{fmt.percent(top['share_of_total'], 0)} {fmt.month_genitive(top['benefit_month'])} kuntaosuudesta "
            f"tuli saajista, joille on kertynyt {DAY_CLASS_LABELS[top['day_class']]}"
        )
    else:
        day_title = "Kuntaosuuden laskuja ei ole vielä tullut"
    year = fmt.year(period)
    return {
        "monthly": {
            "title": monthly_title,
            "alt": (
                f"Pylväskaaviot budjettiriveittäin: toteutuneet kulut kuukausittain vuonna {year} "
                f"{fmt.month_genitive(period)} loppuun ja kunkin kuukauden budjetti vaakaviivana. "
                f"{monthly_title}. Luvut ovat kuvion alla olevassa taulukossa."
            ),
        },
        "cumulative": {
            "title": cumulative_title,
            "alt": (
                f"Viivakaaviot toimintakuluista ja työttömyysetuuksien kuntaosuudesta vuonna {year}: kertynyt "
                "toteuma, kertyvä budjetti ja vuoden loppuun jatkuva ennuste vaihteluväleineen. "
                f"{cumulative_title}: ennuste {fmt.euro_text(total.point_eur)}, vaihteluväli "
                f"{fmt.euro_text_range(total.low_eur, total.high_eur)}, budjetti "
                f"{fmt.euro_text(total.annual_budget_eur)}. Luvut ovat kuvion alla olevassa taulukossa."
            ),
        },
        "day_classes": {
            "title": day_title,
            "alt": (
                "Pinottu pylväskaavio: työttömyysetuuksien kuntaosuus laskutuskuukausittain kertyneiden "
                f"etuuspäivien luokissa {join_words([DAY_CLASS_LABELS[c] for c in DAY_CLASSES])} sekä "
                f"jälkilaskutus erikseen. {day_title}. Luvut ovat kuvion alla olevassa taulukossa."
            ),
        },
    }


def what_if_text(result: WhatIfResult) -> list[str]:
    """The what-if in Finnish sentences: the assumption, the effect per month and year, the arithmetic, and how
    much of it this year's invoices would carry."""
    target = (
        "pois työttömyysetuuksilta (esimerkiksi työhön)"
        if result.to_class is None
        else f"kertymäluokkaan {DAY_CLASS_LABELS[result.to_class]}"
    )
    source = DAY_CLASS_LABELS[result.from_class]
    who = f"{fmt.count(result.people)} etuudensaajaa siirtyisi kertymäluokasta {source} {target}"
    if math.isnan(result.per_month_eur):
        return [sentence(f"Jos {who}, vaikutusta ei voi vielä laskea, koska Kelan laskuja ei ole vielä tullut")]
    digits = fmt.SIGNIFICANT_DIGITS  # estimates: rounded, so that they do not pretend to be exact
    out = [
        f"Jos {who}, kuntaosuus pienenisi noin {fmt.euro_text(result.per_month_eur, digits=digits)} kuukaudessa eli "
        f"{fmt.euro_text(result.full_year_eur, digits=digits)} vuodessa",
        f"Laskelma: {fmt.count(result.people)} henkilöä × keskimääräinen etuus "
        f"{fmt.euro(result.mean_benefit_eur)} kuukaudessa × kuntaosuuden porras {fmt.percent(result.share_from, 0)}"
        + (f" − {fmt.percent(result.share_to, 0)}" if result.share_to else ""),
    ]
    if result.months_this_year > 0:
        out.append(
            f"Jos muutos alkaisi ensi kuussa, tämän vuoden laskuissa se näkyisi {result.months_this_year} kuukauden "
            f"ajan, yhteensä noin {fmt.euro_text(result.rest_of_year_eur, digits=digits)}"
        )
    else:
        out.append("Ensi kuussa alkava muutos näkyisi vasta ensi vuoden laskuissa, koska Kela laskuttaa jälkikäteen")
    return [sentence(s) for s in out]


def period_line(analysis: BudgetAnalysis) -> str:
    """The page's first line: the report month and how far each source reaches."""
    period = analysis.period
    parts = [f"Raportointikuukausi: **{fmt.month(period)}**."]
    ledger_months = analysis.monthly[(analysis.monthly["line"] == OPERATING_TOTAL) & analysis.monthly["observed"]]
    if len(ledger_months):
        parts.append(f"Kirjanpidon toteuma {fmt.month_genitive(ledger_months['month'].iloc[-1])} loppuun.")
    days = analysis.day_classes
    if len(days):
        parts.append(
            f"Kelan viimeisin lasku: {fmt.month(days['billing_month'].iloc[0])} "
            f"({fmt.month_genitive(days['benefit_month'].iloc[0])} etuudet)."
        )
    else:
        parts.append("Kelan kuntaosuuslaskuja ei ole vielä tullut tälle vuodelle.")
    return " ".join(parts)


def forecast_table(analysis: BudgetAnalysis) -> pd.DataFrame:
    """The year-end forecasts for showing: ``label``, ``annual_budget_eur``, ``ytd_eur``, ``point_eur``,
    ``low_eur``, ``high_eur``, ``overrun_eur`` (forecast − budget) and ``exceedance`` in Finnish words."""
    order = [*OPERATING_LINES, OPERATING_TOTAL, BENEFIT_LINE, GRAND_TOTAL]
    items = sorted(analysis.forecasts, key=lambda f: order.index(f.line))
    return pd.DataFrame(
        [
            {
                "label": f.label,
                "annual_budget_eur": f.annual_budget_eur,
                "ytd_eur": f.ytd_eur,
                "point_eur": f.point_eur,
                "low_eur": f.low_eur,
                "high_eur": f.high_eur,
                "overrun_eur": f.point_eur - f.annual_budget_eur,
                "exceedance": EXCEEDANCE_SHORT[f.exceedance],
            }
            for f in items
        ]
    )


def interval_coverage(z: float) -> float:
    """The share of months a normal spread puts within ±``z`` spreads: 1.64 -> 0.90."""
    return 2 * NormalDist().cdf(z) - 1


def phasing_words(analysis: BudgetAnalysis) -> str:
    """Where the parameters' monthly phasing puts each phased line's budget, in Finnish: ``vapaaehtoinen eniten
    kesäkuussa ja heinäkuussa, vähiten tammikuussa``; empty when every line is flat."""
    params, year = analysis.params, analysis.period.year
    parts = []
    for line in budget_lines(params):
        if line.id not in params.budget_phasing or line.kind == BENEFIT:
            continue
        weights = month_weights(line.id, year, params)
        high, low = weights.max(), weights.min()
        if math.isclose(high, low):
            continue
        peaks = [Period(year, m + 1) for m in range(12) if math.isclose(weights[m], high)]
        dips = [Period(year, m + 1) for m in range(12) if math.isclose(weights[m], low)]
        parts.append(
            f"{line.label.lower()} eniten {join_words([fmt.month_inessive(m) for m in peaks])}, vähiten "
            f"{join_words([fmt.month_inessive(m) for m in dips])}"
        )
    return "; ".join(parts)


def catch_up_sentence(analysis: BudgetAnalysis) -> str:
    """How the forecast treats Kela's catch-up billing, naming this year's catch-up (months and euros) from the
    data, or saying that this year has none."""
    year = fmt.year(analysis.period)
    table = analysis.monthly
    rows = table[(table["line"] == BENEFIT_LINE) & table["observed"] & (table["catch_up_eur"] > 0)]
    rule = "se on mukana toteumassa, koska se on todellinen kulu, mutta ei tahdissa, koska se on kertaluonteinen"
    if rows.empty:
        return (
            f"Kun Kela laskuttaa aiempien kuukausien etuuksia jälkikäteen, {rule}; vuonna {year} jälkilaskutusta ei "
            f"ole ollut {fmt.month_genitive(analysis.period)} loppuun mennessä."
        )
    months = rows["month"].tolist()
    return (
        f"Kelan jälkilaskutus ({fmt.euro_text(rows['catch_up_eur'].sum())} "
        f"{fmt.month_span_inessive(months[0], months[-1])}) on mukana toteumassa, koska se on todellinen kulu, "
        "mutta ei tahdissa, koska se on kertaluonteinen."
    )


def method_text(analysis: BudgetAnalysis) -> str:
    """How the page counts and forecasts, in Finnish Markdown, with the parameter values in force and the year's
    own facts (the first year of the benefit share, this year's catch-up billing) from the data."""
    params, period = analysis.params, analysis.period
    settings = params.forecast
    lines = budget_lines(params)
    benefit = next(line for line in lines if line.id == BENEFIT_LINE)
    class_total = params.budget_eur.maararahasta_riippumaton
    first_bill = kela_invoice.DATASET.first_period
    billed = "vuoden laskuissa ovat edellisen joulukuun–kuluvan marraskuun etuudet"
    if period.year == first_bill.year:
        first_benefit = first_bill.shift(-BILLING_LAG_MONTHS)
        billed = (
            f"vuoden {period.year} laskuissa ovat {fmt.month_name(first_benefit)[: -len('kuu')]}–marraskuun "
            f"etuudet, koska kuntaosuus alkoi {fmt.day(first_benefit.first_day)}"
        )
    phasing = phasing_words(analysis)
    return "\n\n".join(
        [
            "**Miten luvut lasketaan.** Kulut kirjataan kuukaudelle, jolloin ne on kirjattu kirjanpitoon; "
            "työttömyysetuuksien kuntaosuus sille kuukaudelle, jolla Kela sen laskuttaa. Kela laskuttaa kuukauden "
            f"jälkikäteen, joten {billed}. Luokan määrärahasta riippumaton "
            f"budjetista ({fmt.euro_text(class_total)}) kuntaosuudelle on varattu "
            f"{fmt.euro_text(benefit.annual_budget_eur)} ja loput on toimintakulujen budjettia. "
            "Toimeksiantotehtävillä ei ole suunnitelmassa budjettia, joten ne eivät ole mukana "
            "budjettivertailun summissa. Kuukausibudjetti on vuosibudjetti jaettuna kuukausille "
            "raportin asetuksissa annetulla jaksotuksella" + (f" ({phasing})." if phasing else "."),
            "**Miten ennuste tehdään.** Ennuste = toteutuneet kulut vuoden alusta + loppuvuoden kulut "
            f"viimeisimpien {settings.run_rate_months} kuukauden tahdilla. Tahti lasketaan suhteessa kunkin "
            "kuukauden budjettiosuuteen, jotta kausivaihtelu (esimerkiksi kesätyöt) ei näytä trendiltä. "
            f"{catch_up_sentence(analysis)} Vaihteluväli kertoo, kuinka paljon kuukausien tahti on "
            f"vaihdellut viimeisten {settings.interval_months} kuukauden aikana (±{fmt.number(settings.interval_z, 2)} "
            f"keskihajontaa, noin {fmt.percent(interval_coverage(settings.interval_z), 0)} kuukausista); se on "
            "varovainen, koska se olettaa yksittäisen kuukauden poikkeaman jatkuvan koko loppuvuoden. "
            "Yhteissummien vaihteluvälit yhdistetään olettaen, että rivit vaihtelevat toisistaan riippumatta.",
            f"**Vuoden alussa.** Kun toteutuneita kuukausia on alle {settings.min_history_months}, ennuste nojaa "
            "osin budjettiin (budjetti painaa puuttuvien kuukausien verran) ja vaihteluväli perustuu oletettuun "
            f"{fmt.percent(settings.prior_spread, 0)} kuukausivaihteluun. Ennen vuoden ensimmäistä Kelan laskua "
            "kuntaosuuden ennuste on sama kuin budjetti.",
            "**Ylityksen arvio.** *Todennäköinen*: koko vaihteluväli on budjetin yläpuolella. *Mahdollinen*: "
            "ennuste on budjetin yläpuolella, mutta vaihteluvälin alaraja sen alapuolella. *Riski*: ennuste pysyy "
            "budjetissa, mutta vaihteluvälin yläraja ylittää sen. *Ei*: koko vaihteluväli on budjetissa.",
        ]
    )


def day_class_table_title(analysis: BudgetAnalysis) -> str:
    """Title of the day-class breakdown: which invoice and benefit month it shows."""
    days = analysis.day_classes
    if days.empty:
        return "Kuntaosuus kertymäluokittain"
    return (
        f"Kuntaosuus kertymäluokittain: {fmt.month_genitive(days['billing_month'].iloc[0])} lasku "
        f"({fmt.month_genitive(days['benefit_month'].iloc[0])} etuudet)"
    )
