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
)
from serviceplan.present import disclosure
from serviceplan.present import format as fmt
from serviceplan.present.narrative import against_phrase, join_words, months_between, sentence

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
STATUS_WORDS: dict[str, str] = {"ok": "budjetissa", "warn": "hieman yli", "alert": "yli", "none": "–"}
CONTINUATION_COUNTS: list[str] = ["continuing", "not_continuing", "ended"]


def _is_number(value: object) -> bool:
    return not isinstance(value, str) and not fmt.is_missing(value)


# ---- display tables (disclosure control applied) -----------------------------------------------------------------


def spend_display(analysis: GrantsAnalysis) -> pd.DataFrame:
    """The spend table for showing (euros, no counts of people): with ``status`` in Finnish words."""
    table = analysis.spend.copy()
    table["status"] = [STATUS_WORDS.get(s, s) for s in table["status"]]
    return table


def recipients_display(analysis: GrantsAnalysis) -> pd.DataFrame:
    """Decisions and recipients per grant type for showing: small counts hidden, each column against its total
    row (decisions, decisions this year and recipients are different measures), and the mean paid per recipient
    hidden with its count."""
    table = analysis.recipients.set_index("grant_type", drop=False)
    return disclosure.suppress_columns(
        table,
        analysis.params.disclosure,
        counts=["decisions", "decisions_ytd", "recipients"],
        derived={"mean_paid_eur": ["recipients"]},
        total_row=TOTAL,
    ).reset_index(drop=True)


def continuation_display(analysis: GrantsAnalysis) -> pd.DataFrame:
    """Jobs continuing after the subsidy for showing: counts hidden with their secondary cells (a row's continuing
    + not continuing = ended, and the total row) and the share hidden with the continuing count."""
    table = analysis.continuation.set_index("grant_type", drop=False)
    return disclosure.suppress(
        table,
        analysis.params.disclosure,
        counts=CONTINUATION_COUNTS,
        derived={"share": "continuing"},
        total_row=FOLLOW_UP_TOTAL,
        total_col="ended",
    ).reset_index(drop=True)


def continuation_series(analysis: GrantsAnalysis) -> pd.DataFrame:
    """The pooled continuation share at each month of the history, one column per job grant and the total
    (``job_grants``), and ``target``; a share built on a hidden count is NaN (a chart leaves a gap), and
    ``{grant}_ended`` columns hold the ended subsidies behind each share (NaN when hidden)."""
    history = analysis.continuation_history
    columns = ["month", *JOB_GRANTS, FOLLOW_UP_TOTAL]
    if history.empty:
        return pd.DataFrame(columns=[*columns, "target"])
    rows = []
    for month, part in history.groupby("month", sort=True):
        hidden = disclosure.hide(
            part.set_index("grant_type"),
            analysis.params.disclosure,
            counts=CONTINUATION_COUNTS,
            derived={"share": "continuing"},
            total_row=FOLLOW_UP_TOTAL,
            total_col="ended",
        )
        row: dict[str, object] = {"month": month}
        for grant in [*JOB_GRANTS, FOLLOW_UP_TOTAL]:
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
    long = monthly.melt(id_vars="month", value_vars=list(GRANT_TYPES), var_name="grant_type", value_name="paid_eur")
    long = long.dropna(subset=["paid_eur"])
    long["label"] = [GRANT_LABELS[g] for g in long["grant_type"]]
    return long[["month", "grant_type", "label", "paid_eur"]].reset_index(drop=True)


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
        f"Suunnitelma antaa vapaaehtoisille palveluille yhteensä {voluntary}; "
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
        if any(isinstance(recipients.loc[g, c], str) for c in ("decisions", "decisions_ytd", "recipients"))
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
            f"({fmt.euro_text(peak['paid_eur'])}), suurimpana {IN_TEXT[largest]}"
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
