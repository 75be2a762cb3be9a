"""Finnish texts and display tables of the grants page, generated from :mod:`serviceplan.metrics.grants`.

Disclosure control is applied to the display tables here, once; the sentences read their counts from the same
tables, so a count hidden in a table is never spelled out in the text. Euros are the city's spending by grant
type (published in its accounts) and are shown; what is derived from a hidden count of recipients (the mean
paid per recipient) is hidden with it.
"""

from __future__ import annotations

import pandas as pd

from serviceplan.metrics.grants import (
    FOLLOW_UP_TOTAL,
    GRANT_LABELS,
    GRANT_TYPES,
    JOB_GRANTS,
    TOTAL,
    GrantsAnalysis,
    published_continuation,
    published_recipients,
)
from serviceplan.present import disclosure
from serviceplan.present import format as fmt
from serviceplan.present.narrative import against_phrase, join_words, months_between, sentence
from serviceplan.present.tables import format_cell

PERIOD_BUDGET = "kauden budjetin"  # "the budget of the period so far", genitive
# Grant types as named inside a sentence (Lahti-lisä is a proper name and keeps its capital).
IN_TEXT: dict[str, str] = {
    "lahti_lisa": "Lahti-lisä",
    "recruitment_bonus": "rekrytointipalkkio",
    "summer_job_voucher": "kesätyösetelit",
    "summer_interns": "kesäharjoittelijat",
    "workshops": "työpajat",
    "association_grants": "yhdistysavustukset",
}
STATUS_WORDS: dict[str, str] = {"ok": "budjetissa", "warn": "hieman yli", "alert": "yli", "none": "ei budjettia"}


def _is_number(value: object) -> bool:
    return not isinstance(value, str) and not fmt.is_missing(value)


# ---- display tables (disclosure control applied) -----------------------------------------------------------------


def spend_display(analysis: GrantsAnalysis) -> pd.DataFrame:
    """The spend table for showing (euros, no counts of people): with ``status`` in Finnish words."""
    table = analysis.spend.copy()
    table["status"] = [STATUS_WORDS.get(s, s) for s in table["status"]]
    return table


def recipients_display(analysis: GrantsAnalysis) -> pd.DataFrame:
    """Decisions and recipients per grant type for showing (:func:`serviceplan.metrics.grants.published_recipients`)."""
    return published_recipients(analysis.recipients, analysis.params.disclosure)


def continuation_display(analysis: GrantsAnalysis) -> pd.DataFrame:
    """Jobs continuing after the subsidy for showing (:func:`serviceplan.metrics.grants.published_continuation`)."""
    return published_continuation(analysis.continuation, analysis.params.disclosure, as_missing=False)


def continuation_series(analysis: GrantsAnalysis) -> pd.DataFrame:
    """The pooled continuation share at each month of the history, one column per job grant and the total
    (``job_grants``), ``{grant}_ended`` columns with the ended subsidies behind each share, and ``target``; a
    number hidden by disclosure control is NaN (a chart leaves a gap)."""
    history = analysis.continuation_history
    grants_shown = [*JOB_GRANTS, FOLLOW_UP_TOTAL]
    if history.empty:
        return pd.DataFrame(columns=["month", *grants_shown, "target"])
    rows = []
    for month, part in history.groupby("month", sort=True):
        hidden = published_continuation(part, analysis.params.disclosure).set_index("grant_type")
        row: dict[str, object] = {"month": month}
        for grant in grants_shown:
            row[grant] = hidden.at[grant, "share"]
            row[f"{grant}_ended"] = hidden.at[grant, "ended"]
        rows.append(row)
    out = pd.DataFrame(rows)
    out["target"] = analysis.params.areas.grants.continuing_target_share
    return out


def monthly_long(analysis: GrantsAnalysis) -> pd.DataFrame:
    """Euros paid per month and grant type as a long table (``month``, ``grant_type``, ``label``, ``paid_eur``)
    for a stacked chart; months without data are left out."""
    monthly = analysis.monthly
    long = monthly[["month", *GRANT_TYPES]].melt(id_vars="month", var_name="grant_type", value_name="paid_eur")
    long = long.dropna(subset=["paid_eur"])
    long["label"] = [GRANT_LABELS[g] for g in long["grant_type"]]
    return long[["month", "grant_type", "label", "paid_eur"]].reset_index(drop=True)


def monthly_table(analysis: GrantsAnalysis) -> pd.DataFrame:
    """The monthly chart's numbers for showing: ``Kuukausi``, euros per grant type, the total and the month's
    budget (all grant types), as Finnish text; months after the report month are left out."""
    monthly = analysis.monthly[analysis.monthly["month"] <= str(analysis.period)]
    out = pd.DataFrame({"Kuukausi": [fmt.month_short(m) for m in monthly["month"]]})
    for grant in GRANT_TYPES:
        out[GRANT_LABELS[grant]] = [format_cell(v, "eur_compact") for v in monthly[grant]]
    out["Yhteensä"] = [format_cell(v, "eur_compact") for v in monthly["paid_eur"]]
    out["Kuukauden budjetti"] = [format_cell(v, "eur_compact") for v in monthly["budget_eur"]]
    return out


def continuation_table(analysis: GrantsAnalysis) -> pd.DataFrame:
    """The continuation chart's numbers for showing: per month, each job grant's share with the ended subsidies
    behind it in brackets (``62,8 % (183)``), hidden cells as the disclosure symbol."""
    series = continuation_series(analysis)
    symbol = analysis.params.disclosure.symbol
    out = pd.DataFrame({"Kuukausi": [fmt.month_short(m) for m in series["month"]]})
    for grant in [*JOB_GRANTS, FOLLOW_UP_TOTAL]:
        cells = []
        for share, ended in zip(series[grant], series[f"{grant}_ended"], strict=True):
            if fmt.is_missing(ended):
                cells.append(symbol)
            elif float(ended) == 0:
                cells.append(fmt.MISSING)  # no subsidy ended: no share to show
            else:
                shown = symbol if fmt.is_missing(share) else fmt.percent(share)
                cells.append(f"{shown} ({fmt.count(ended)})")
        out[GRANT_LABELS[grant]] = cells
    return out


SPEND_COLUMNS: list[str] = [
    "label",
    "annual_budget_eur",
    "budget_to_date_eur",
    "paid_ytd_eur",
    "diff_to_date_eur",
    "used_share",
    "paid_month_eur",
    "status",
]
SPEND_FORMATS: dict[str, str] = {
    "annual_budget_eur": "eur",
    "budget_to_date_eur": "eur",
    "paid_ytd_eur": "eur",
    "diff_to_date_eur": "eur_signed",
    "used_share": "percent0",
    "paid_month_eur": "eur",
}
SPEND_HEADERS: dict[str, str] = {
    "label": "Avustuslaji",
    "annual_budget_eur": "Vuoden budjetti",
    "budget_to_date_eur": "Kauden budjetti",
    "paid_ytd_eur": "Maksettu vuoden alusta",
    "diff_to_date_eur": "Maksettu − kauden budjetti",
    "used_share": "Vuoden budjetista käytetty",
    "paid_month_eur": "Maksettu kuukaudessa",
    "status": "Tila",
}
RECIPIENT_COLUMNS: list[str] = ["label", "decisions", "recipients", "mean_paid_eur"]
RECIPIENT_FORMATS: dict[str, str] = {
    "decisions": "count",
    "recipients": "count",
    "mean_paid_eur": "eur",
}
RECIPIENT_HEADERS: dict[str, str] = {
    "label": "Avustuslaji",
    "decisions": "Päätökset kuukaudessa",
    "recipients": "Saajat kuukaudessa",
    "mean_paid_eur": "Maksettu / saaja",
}


def spend_title(analysis: GrantsAnalysis) -> str:
    """The title of the spend table."""
    return f"Kuvion luvut: maksut ja budjetti {_span(analysis)}"


def recipients_title(analysis: GrantsAnalysis) -> str:
    """The title of the recipients table."""
    return f"Päätökset ja saajat avustuslajeittain, {fmt.month(analysis.period)}"


def continuation_target_label(analysis: GrantsAnalysis) -> str:
    """The legend label of the continuation chart's target line."""
    return f"Tavoite {fmt.percent(analysis.params.areas.grants.continuing_target_share, 0)}"


def continuation_table_title(analysis: GrantsAnalysis) -> str:
    """The title of the continuation table, naming the pooling window."""
    months = analysis.params.areas.grants.continuation_window_months
    return (
        f"Kuvion luvut: työsuhde jatkui tuen päätyttyä, osuus edeltävien {months} kuukauden aikana päättyneistä "
        "tuista (suluissa päättyneet tuet)"
    )


# ---- sentences ---------------------------------------------------------------------------------------------------


def _span(analysis: GrantsAnalysis) -> str:
    return fmt.month_span_inessive(f"{analysis.period.year}-01", analysis.period)


def period_line(analysis: GrantsAnalysis) -> str:
    """The page's first line: the report month, the months summed, and that the split of the budget is assumed."""
    settings = analysis.params.areas.grants
    total = sum(settings.budget_eur.values())
    voluntary = fmt.euro_text(analysis.params.budget_eur.vapaaehtoinen)
    return (
        f"Raportointikuukausi: **{fmt.month(analysis.period)}**. Maksut on laskettu yhteen {_span(analysis)}. "
        f"Vuoden {analysis.period.year} budjetissa vapaaehtoisille palveluille on yhteensä {voluntary}; "
        f"tämän sivun jako avustuslajeittain (yhteensä {fmt.euro_text(total, 2)}) on oletus, joka korvataan "
        "käyttösuunnitelman luvuilla."
    )


def describe(analysis: GrantsAnalysis) -> list[str]:
    """A few Finnish sentences saying what the month shows: spend against the budget to date, grants over it, the
    month's payments, summer job vouchers, jobs continuing after the subsidy and what is hidden for privacy."""
    period = analysis.period
    out = []
    total = analysis.spend_row(TOTAL)
    out.append(
        f"Vuoden alusta ({_span(analysis)}) avustuksia maksettiin {fmt.euro_text(total['paid_ytd_eur'], 2)}, mikä on "
        f"{against_phrase(total['paid_ytd_eur'], total['budget_to_date_eur'], noun_genitive=PERIOD_BUDGET)} "
        f"({fmt.euro_text(total['budget_to_date_eur'], 2)}). Vuoden avustusbudjetista "
        f"({fmt.euro_text(total['annual_budget_eur'], 2)}) on käytetty {fmt.percent(total['used_share'], 0)}"
    )
    spend = analysis.spend[analysis.spend["grant_type"] != TOTAL]
    over = spend[(spend["diff_to_date_eur"] > 0) & (spend["budget_to_date_eur"] > 0)]
    if len(over):
        named = [
            f"{IN_TEXT[row['grant_type']]} ({against_phrase(row['paid_ytd_eur'], row['budget_to_date_eur'])})"
            for _, row in over.iterrows()
        ]
        out.append(f"Kauden budjetin ylittäneet avustuslajit: {join_words(named)}")
    else:
        out.append(f"Kaikki avustuslajit pysyivät kauden budjetissa {fmt.month_genitive(period)} loppuun mennessä")
    recipients = recipients_display(analysis).set_index("grant_type")
    if analysis.has_month:
        month_total = recipients.loc[TOTAL]
        paid = fmt.euro_text(month_total["paid_month_eur"])
        if _is_number(month_total["recipients"]):
            text = (
                f"{fmt.month_inessive(period, with_year=True)} avustusten saajia oli "
                f"{fmt.count(month_total['recipients'])}, ja heille maksettiin {paid}"
            )
        else:
            text = f"{fmt.month_inessive(period, with_year=True)} avustuksia maksettiin {paid}"
        out.append(text)
    else:
        out.append(f"Avustusten maksuista ei ole tietoa {fmt.month_genitive(period)} osalta")
    voucher = analysis.vouchers
    if voucher.issued > 0:
        used = (
            "niistä on käytetty vasta muutama"
            if disclosure.is_small(voucher.used, analysis.params.disclosure)
            else f"niistä on käytetty {fmt.count(voucher.used)} ({fmt.percent(voucher.use_share, 0)})"
        )
        out.append(f"Kesätyöseteleitä jaettiin tänä vuonna {fmt.count(voucher.issued)}, ja {used}")
    out.extend(_continuation_sentences(analysis))
    hidden = [
        IN_TEXT[g]
        for g in GRANT_TYPES
        if any(isinstance(recipients.loc[g, c], str) for c in ("decisions", "recipients"))
    ]
    if hidden:
        out.append(
            f"Saajien ja päätösten lukumääriä on peitetty tietosuojan vuoksi ({join_words(hidden)}): pienet luvut "
            "ja ne, joista pienen luvun voisi laskea"
        )
    return [sentence(s) for s in out]


def _continuation_sentences(analysis: GrantsAnalysis) -> list[str]:
    settings = analysis.params.areas.grants
    shown = continuation_display(analysis).set_index("grant_type")
    total = shown.loc[FOLLOW_UP_TOTAL]
    if not _is_number(total["ended"]) or float(total["ended"]) == 0:
        return ["Tuettuja työsuhteita ei ole vielä päättynyt, joten jatkumisesta ei ole tietoa"]
    first, last = total["first_month"], total["last_month"]
    span = months_between(first, last)
    target = fmt.percent(settings.continuing_target_share, 0)
    if not _is_number(total["share"]):
        return [f"{span} päättyneitä tuettuja työsuhteita on niin vähän, että jatkumisosuus on peitetty"]
    parts = [
        f"{IN_TEXT[g]} {fmt.percent(shown.loc[g, 'share'])}" for g in JOB_GRANTS if _is_number(shown.loc[g, "share"])
    ]
    text = (
        f"{span} päättyneistä tuetuista työsuhteista ({fmt.count(total['ended'])}) työsuhde jatkui tuen jälkeen "
        f"{fmt.percent(total['share'])}:ssa (tavoite {target})"
    )
    if parts:
        text += ": " + join_words(parts)
    return [text]


# ---- chart titles and alt texts --------------------------------------------------------------------------------


def figure_texts(analysis: GrantsAnalysis) -> dict[str, dict[str, str]]:
    """Titles that state each chart's finding, and the charts' alt texts, keyed by chart (``spend``, ``monthly``,
    ``continuation``)."""
    return {
        "spend": _spend_texts(analysis),
        "monthly": _monthly_texts(analysis),
        "continuation": _continuation_texts(analysis),
    }


def _spend_texts(analysis: GrantsAnalysis) -> dict[str, str]:
    period = analysis.period
    spend = analysis.spend[analysis.spend["grant_type"] != TOTAL]
    over = spend[(spend["diff_to_date_eur"] > 0) & (spend["budget_to_date_eur"] > 0)]
    if len(over) == 0:
        title = f"Kaikki avustuslajit kauden budjetissa {fmt.month_genitive(period)} loppuun mennessä"
    else:
        worst = over.assign(ratio=over["paid_ytd_eur"] / over["budget_to_date_eur"]).sort_values("ratio").iloc[-1]
        against = against_phrase(worst["paid_ytd_eur"], worst["budget_to_date_eur"], noun_genitive=PERIOD_BUDGET)
        title = f"{worst['label']} {against}"
        if len(over) > 1:
            others = [IN_TEXT[g] for g in over["grant_type"] if g != worst["grant_type"]]
            title += f"; yli myös {join_words(others)}"
    values = [
        f"{row['label']} {fmt.euro_compact(row['paid_ytd_eur'], 2)} "
        f"(budjetti {fmt.euro_compact(row['budget_to_date_eur'], 2)})"
        for _, row in spend.iterrows()
    ]
    alt = (
        f"Vaakapylväskaavio avustuslajeittain: maksettu {_span(analysis)} ja kauden budjetti samalle ajalle. "
        f"{title}. {'; '.join(values)}. Luvut ovat kuvion alla olevassa taulukossa."
    )
    return {"title": title, "alt": alt}


def _monthly_texts(analysis: GrantsAnalysis) -> dict[str, str]:
    monthly = analysis.monthly.dropna(subset=["paid_eur"])
    year = fmt.year(analysis.period)
    if monthly.empty:
        title = f"Avustuksia ei ole maksettu vuonna {year}"
        peak_text = ""
    else:
        peak = monthly.sort_values("paid_eur").iloc[-1]
        shares = {g: float(peak[g]) for g in GRANT_TYPES}
        largest = max(shares, key=lambda g: shares[g])
        title = (
            f"Eniten avustuksia maksettiin {fmt.month_inessive(peak['month'])} "
            f"(noin {fmt.euro_text(peak['paid_eur'], digits=fmt.SIGNIFICANT_DIGITS)}), suurimpana {IN_TEXT[largest]}"
        )
        peak_text = " ".join(
            f"{fmt.month(row['month']).capitalize()} {fmt.euro_compact(row['paid_eur'], 2)}."
            for _, row in monthly.iterrows()
        )
    alt = (
        f"Pinottu pylväskaavio avustusten maksuista kuukausittain vuonna {year} avustuslajeittain. {title}. "
        f"Maksut yhteensä: {peak_text} Luvut avustuslajeittain ovat kuvion alla olevassa taulukossa."
    )
    return {"title": title, "alt": alt}


def _continuation_texts(analysis: GrantsAnalysis) -> dict[str, str]:
    settings = analysis.params.areas.grants
    shown = continuation_display(analysis).set_index("grant_type")
    share = shown.loc[FOLLOW_UP_TOTAL, "share"]
    target = fmt.percent(settings.continuing_target_share, 0)
    if _is_number(share):
        side = "yli" if float(share) >= settings.continuing_target_share else "alle"
        title = (
            f"Työsuhde jatkui tuen päätyttyä {fmt.percent(share, 0)}:ssa tuetuista työsuhteista, {side} "
            f"{target}:n tavoitteen"
        )
    else:
        title = "Tuen päätyttyä jatkuneiden työsuhteiden osuutta ei voi vielä julkaista"
    series = continuation_series(analysis)
    months = series["month"].tolist()
    span = (
        f"{fmt.month(months[0])} – {fmt.month(months[-1])}"
        if len(months) > 1
        else (fmt.month(months[0]) if months else "")
    )
    alt = (
        f"Viivakaavio kuukausittain ({span}): niiden työsuhteiden osuus, jotka jatkuivat tuen päätyttyä, "
        f"Lahti-lisässä, rekrytointipalkkiossa ja yhteensä, kunkin kuukauden kohdalla edeltävien "
        f"{settings.continuation_window_months} kuukauden ajalta laskettuna, ja tavoite {target} vaakaviivana. "
        f"{title}. Luvut ovat kuvion alla olevassa taulukossa."
    )
    return {"title": title, "alt": alt}
