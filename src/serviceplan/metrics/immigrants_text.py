"""Finnish texts and shown tables of the immigrant page, generated from :mod:`serviceplan.metrics.immigrants`.

Every sentence, chart title and alt text is built from an analysed month. The immigrant services' report comes by
language group, and some groups are small: every table of counts passes disclosure control here, the charts are
drawn from the suppressed tables, and no sentence names a count that a table hides.
"""

from __future__ import annotations

import pandas as pd

from serviceplan.metrics.availability import NOT_FOR_THIS_MUNICIPALITY
from serviceplan.metrics.immigrants import COUNTS, TOTAL, ImmigrantAnalysis, move_rate_target
from serviceplan.metrics.target_groups import is_small
from serviceplan.metrics.target_groups_text import chart_column
from serviceplan.present import disclosure
from serviceplan.present import format as fmt
from serviceplan.present.narrative import join_words, more_or_less, sentence
from serviceplan.present.tables import Shown

YEAR_AGO = "kuin vuotta aiemmin"
MONTH_AGO = "kuin edellisenä kuukautena"


def _has(value: float | None) -> bool:
    return value is not None and not pd.isna(value)


def _with_change(text: str, change: str) -> str:
    return f"{text}, {change}" if change else text


def _month_names(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    out["month"] = [fmt.month_short(str(m)) for m in out["month"]]
    return out


def period_line(analysis: ImmigrantAnalysis) -> str:
    """The page's first line: the report month and how far each source reaches."""
    parts = [f"Raportointikuukausi: **{fmt.month(analysis.period)}**."]
    if analysis.statistics_updated is not None:
        parts.append(f"Työnvälitystilaston luvut: julkaisu {fmt.day(analysis.statistics_updated.date())}.")
    if not analysis.own_data:
        parts.append(f"Maahanmuuttajapalvelujen kuukausiraportti: {NOT_FOR_THIS_MUNICIPALITY}.")
    elif analysis.has_report:
        parts.append(f"Maahanmuuttajapalvelujen kuukausiraportti: {fmt.month(analysis.period)}.")
    else:
        parts.append("Maahanmuuttajapalvelujen kuukausiraporttia ei ole tältä kuukaudelta.")
    return " ".join(parts)


# ---- tables (suppressed) -------------------------------------------------------------------------------------


def foreign_table(analysis: ImmigrantAnalysis, months: list[str]) -> Shown:
    """Foreign-national unemployed of Lahti and their share of the unemployed in every region (the chart's
    numbers)."""
    home = analysis.foreign[analysis.home].reindex(months)
    table = pd.DataFrame({"month": months, "foreign": home["foreign"].to_numpy(), "unemployed": home["unemployed"]})
    table = disclosure.suppress_rows(
        table, analysis.params.disclosure, counts=["foreign", "unemployed"], total_col="unemployed"
    )
    formats = {"foreign": "count", "unemployed": "count"}
    headers = {
        "month": "Kuukausi",
        "foreign": f"{analysis.regions[analysis.home]}: työttömiä ulkomaan kansalaisia",
        "unemployed": f"{analysis.regions[analysis.home]}: työttömiä yhteensä",
    }
    for code, name in analysis.regions.items():
        table[code] = analysis.foreign[code].reindex(months)["foreign_share"].to_numpy()
        formats[code] = "percent"
        headers[code] = f"{name}: osuus työttömistä"
    return Shown(
        _month_names(table),
        formats,
        headers,
        title="Kuvion luvut: ulkomaan kansalaiset työttömistä työnhakijoista",
        note=disclosure.note_if_hidden(table, analysis.params.disclosure),
    )


def integration_frame(analysis: ImmigrantAnalysis, months: list[str]) -> pd.DataFrame:
    """People in the integration period per month, in and not in integration training, suppressed (``month`` as
    ``YYYY-MM``): the one source of the integration chart and its table."""
    rows = analysis.totals.reindex([m for m in months if m in analysis.totals.index])
    table = rows[["in_integration_training", "not_in_training", "in_integration_period", "training_share"]]
    return disclosure.suppress_rows(
        table.reset_index(names="month"),
        analysis.params.disclosure,
        counts=["in_integration_training", "not_in_training", "in_integration_period"],
        derived={"training_share": "in_integration_training"},
        total_col="in_integration_period",
    )


def integration_table(analysis: ImmigrantAnalysis, months: list[str]) -> Shown:
    """The integration chart's numbers as a table."""
    shown_frame = _month_names(integration_frame(analysis, months))
    return Shown(
        shown_frame,
        {
            "in_integration_training": "count",
            "not_in_training": "count",
            "in_integration_period": "count",
            "training_share": "percent",
        },
        {
            "month": "Kuukausi",
            "in_integration_training": "Kotoutumiskoulutuksessa",
            "not_in_training": "Ei koulutuksessa",
            "in_integration_period": "Kotoutumisajalla yhteensä",
            "training_share": "Koulutuksessa, %",
        },
        title="Kuvion luvut: kotoutumisajalla olevat asiakkaat kuukauden lopussa",
        note=disclosure.note_if_hidden(shown_frame, analysis.params.disclosure),
    )


def moves_frame(analysis: ImmigrantAnalysis, months: list[str]) -> pd.DataFrame:
    """Moves to the occupation-based teams per month with the rate and its target, suppressed (the rate hides
    with the count it is computed from)."""
    rows = analysis.totals.reindex([m for m in months if m in analysis.totals.index])
    table = rows[["moved_to_occupation_teams", "move_rate"]].reset_index(names="month")
    target = move_rate_target(analysis.params)
    table["target_rate"] = float("nan") if target is None else target
    # the expected moves at the target pace: the target rate x (people in the integration period + moved)
    table["target_moves"] = table["target_rate"] * rows["move_base"].to_numpy()
    shown = disclosure.suppress_rows(
        table,
        analysis.params.disclosure,
        counts=["moved_to_occupation_teams"],
        derived={"move_rate": "moved_to_occupation_teams"},
    )
    return shown


def moves_table(analysis: ImmigrantAnalysis, months: list[str]) -> Shown:
    """The moves chart's numbers as a table."""
    shown_frame = _month_names(moves_frame(analysis, months))
    return Shown(
        shown_frame,
        {
            "moved_to_occupation_teams": "count",
            "move_rate": "percent",
            "target_rate": "percent",
            "target_moves": "number",
        },
        {
            "month": "Kuukausi",
            "moved_to_occupation_teams": "Siirtyneet",
            "move_rate": "Siirtyneet, % kotoutumisajalla olleista",
            "target_rate": "Tavoitetahti, %",
            "target_moves": "Siirtyneitä tavoitetahdilla",
        },
        title="Kuvion luvut: kotoutumisajan jälkeen ammattialatiimeihin siirtyneet",
        note=disclosure.note_if_hidden(shown_frame, analysis.params.disclosure),
    )


def groups_frame(analysis: ImmigrantAnalysis) -> pd.DataFrame:
    """The month's language groups with the total row, suppressed column by column (the columns are different
    measures and do not add up along a row); shares hide with either count they are computed from."""
    table = analysis.groups.set_index("group", drop=False)
    return disclosure.suppress_columns(
        table,
        analysis.params.disclosure,
        counts=list(COUNTS),
        derived={
            "integration_share": ("in_integration_period", "customers"),
            "training_share": ("in_integration_training", "in_integration_period"),
        },
        total_row=TOTAL,
    ).reset_index(drop=True)


def groups_table(analysis: ImmigrantAnalysis) -> Shown:
    """The month's language groups as a table."""
    shown = groups_frame(analysis)
    columns = ["label", *COUNTS, "integration_share", "training_share"]
    shown_frame = shown[columns]
    return Shown(
        shown_frame,
        {**dict.fromkeys(COUNTS, "count"), "integration_share": "percent0", "training_share": "percent0"},
        {
            "label": "Kieliryhmä",
            "customers": "Asiakkaat",
            "in_integration_period": "Kotoutumisajalla",
            "in_integration_training": "Kotoutumiskoulutuksessa",
            "moved_to_occupation_teams": "Siirtyi ammattialatiimiin",
            "ihl_contacts": "IHL-yhteydenotot",
            "integration_share": "Kotoutumisajalla, % asiakkaista",
            "training_share": "Koulutuksessa, % kotoutumisajalla olevista",
        },
        title=f"Maahanmuuttajapalvelujen asiakkaat kieliryhmittäin, {fmt.month(analysis.period)}",
        note=disclosure.note_if_hidden(shown_frame, analysis.params.disclosure),
    )


def ihl_frame(analysis: ImmigrantAnalysis, months: list[str]) -> pd.DataFrame:
    """International House Lahti contacts per month, suppressed."""
    rows = analysis.totals.reindex([m for m in months if m in analysis.totals.index])
    table = rows[["ihl_contacts"]].reset_index(names="month")
    return disclosure.suppress_rows(table, analysis.params.disclosure, counts=["ihl_contacts"])


def ihl_table(analysis: ImmigrantAnalysis, months: list[str]) -> Shown:
    """The contacts chart's numbers as a table."""
    shown_frame = _month_names(ihl_frame(analysis, months))
    return Shown(
        shown_frame,
        {"ihl_contacts": "count"},
        {"month": "Kuukausi", "ihl_contacts": "Yhteydenottoja"},
        title="Kuvion luvut: International House Lahti -yhteydenotot",
        note=disclosure.note_if_hidden(shown_frame, analysis.params.disclosure),
    )


def chart_data(shown: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Numbers for a chart from a suppressed frame: each column as floats with NaN where hidden, plus a
    ``<column>_hidden`` flag column, so that the chart can mark the gap instead of drawing the count."""
    out = pd.DataFrame({"month": shown["month"].astype(str)}) if "month" in shown.columns else pd.DataFrame()
    for column in columns:
        values, hidden = chart_column(shown, column)
        out[column] = values
        out[f"{column}_hidden"] = hidden
    return out


# ---- sentences -----------------------------------------------------------------------------------------------


def describe(analysis: ImmigrantAnalysis) -> list[str]:
    """A few Finnish sentences on what the month shows."""
    out: list[str] = [foreign_sentence(analysis)]
    if analysis.has_report:
        out.extend(service_sentences(analysis))
    elif analysis.own_data:
        out.append("Maahanmuuttajapalvelujen kuukausiraporttia ei ole tältä kuukaudelta")
    return [sentence(s) for s in out if s]


def foreign_sentence(analysis: ImmigrantAnalysis) -> str:
    """Foreign-national unemployed: count, change and share against the comparison regions."""
    now, ago = analysis.foreign_at(), analysis.foreign_at(months_back=12)
    if not _has(now["foreign"]):
        return "Työnvälitystilastossa ei ole ulkomaan kansalaisten lukuja tältä kuukaudelta"
    text = _with_change(
        f"Työttömiä ulkomaan kansalaisia oli {fmt.month_inessive(analysis.period, with_year=True)} "
        f"{fmt.count(now['foreign'])}",
        more_or_less(ago["foreign"], now["foreign"], than=YEAR_AGO),
    )
    shares = [
        f"{region} {fmt.percent(analysis.foreign_at(code)['foreign_share'])}"
        for code, region in analysis.regions.items()
    ]
    return text + f". Ulkomaan kansalaisten osuus kaikista työttömistä: {join_words(shares)}"


def _count_or_few(value: float, analysis: ImmigrantAnalysis) -> str:
    """A count for the text, or "alle N" when it is a small count the tables hide."""
    rule = analysis.params.disclosure
    return f"alle {rule.min_count}" if is_small(value, rule) else fmt.count(value)


def service_sentences(analysis: ImmigrantAnalysis) -> list[str]:
    """The immigrant services' month: customers, integration period and training, moves against the target pace,
    International House Lahti contacts and the language groups."""
    now, before = analysis.totals_at(), analysis.totals_at(months_back=1)
    out = [
        f"Vieraskielisiä asiakkaita oli {_count_or_few(now['customers'], analysis)}, joista kotoutumisajalla "
        f"{_count_or_few(now['in_integration_period'], analysis)} ja kotoutumiskoulutuksessa "
        f"{_count_or_few(now['in_integration_training'], analysis)}"
        + (
            f" ({fmt.percent(now['training_share'], 0)} kotoutumisajalla olevista)"
            if not is_small(now["in_integration_training"], analysis.params.disclosure)
            else ""
        )
    ]
    out.append(move_sentence(analysis))
    contacts = f"International House Lahteen otettiin yhteyttä {_count_or_few(now['ihl_contacts'], analysis)} kertaa"
    if _has(before["ihl_contacts"]) and not is_small(now["ihl_contacts"], analysis.params.disclosure):
        contacts = _with_change(contacts, more_or_less(before["ihl_contacts"], now["ihl_contacts"], than=MONTH_AGO))
    out.append(contacts)
    shown = groups_frame(analysis)
    groups = shown[shown["group"] != TOTAL]
    numbers = pd.to_numeric(groups["customers"].astype(object).where(groups["customers"].map(_is_number)))
    if numbers.notna().any():
        top = groups.loc[numbers.idxmax()]
        out.append(f"Suurin kieliryhmä oli {str(top['label']).lower()} ({fmt.count(top['customers'])} asiakasta)")
    if any(isinstance(v, str) for v in shown[list(COUNTS)].to_numpy().ravel()):
        out.append("Kieliryhmäkohtaisista luvuista osa on peitetty tietosuojan vuoksi, koska ryhmät ovat pieniä")
    return out


def _is_number(value: object) -> bool:
    return not isinstance(value, str)


def move_sentence(analysis: ImmigrantAnalysis) -> str:
    """Moves to the occupation-based teams against the target pace."""
    now = analysis.totals_at()
    rule = analysis.params.disclosure
    target = move_rate_target(analysis.params)
    moved = now["moved_to_occupation_teams"]
    if is_small(moved, rule):
        text = (
            f"Kotoutumisajan jälkeen ammattialakohtaisiin tiimeihin siirtyi alle {rule.min_count} henkilöä "
            "(tarkka luku on peitetty tietosuojan vuoksi)"
        )
    else:
        text = (
            f"Kotoutumisajan jälkeen ammattialakohtaisiin tiimeihin siirtyi {fmt.count(moved)} henkilöä eli "
            f"{fmt.percent(now['move_rate'])} kotoutumisajalla olleista"
        )
    if target is not None and _has(now["move_base"]):
        expected = target * now["move_base"]
        text += f". Tavoitetahti on {fmt.percent(target)} kuukaudessa, mikä olisi noin {fmt.count(expected)} henkilöä"
        if not is_small(moved, rule):
            text += "; tavoite täyttyi" if now["move_rate"] >= target else "; tavoitteesta jäätiin"
    return text


# ---- chart titles and alt texts ------------------------------------------------------------------------------


def _span(months: list[str]) -> str:
    if not months:
        return ""
    return fmt.month(months[0]) if len(months) == 1 else f"{fmt.month(months[0])} – {fmt.month(months[-1])}"


def figure_texts(analysis: ImmigrantAnalysis, months: list[str], report_months: list[str]) -> dict[str, dict[str, str]]:
    """Titles stating each chart's finding and the charts' alt texts, keyed by chart (``foreign``,
    ``integration``, ``moves``, ``groups``, ``contacts``)."""
    now_f = analysis.foreign_at()
    name = analysis.regions[analysis.home]
    when = fmt.month_inessive(analysis.period, with_year=True)
    others = [
        f"{region} {fmt.percent(analysis.foreign_at(code)['foreign_share'], 0)}"
        for code, region in analysis.regions.items()
        if code != analysis.home
    ]
    foreign_title = f"{name}: ulkomaan kansalaisia oli {fmt.percent(now_f['foreign_share'], 0)} työttömistä {when}" + (
        f" ({join_words(others)})" if others else ""
    )
    now = analysis.totals_at()
    rule = analysis.params.disclosure
    integration_title = (
        f"Kotoutumisajalla oli {_count_or_few(now['in_integration_period'], analysis)} asiakasta, heistä "
        f"{fmt.percent(now['training_share'], 0)} kotoutumiskoulutuksessa"
        if not is_small(now["in_integration_training"], rule)
        else f"Kotoutumisajalla oli {_count_or_few(now['in_integration_period'], analysis)} asiakasta"
    )
    moved = _count_or_few(now["moved_to_occupation_teams"], analysis)
    moves_title = f"Kotoutumisajan jälkeen ammattialatiimeihin siirtyi {when} {moved} henkilöä"
    target = move_rate_target(analysis.params)
    if target is not None and _has(now["move_base"]):
        moves_title += f"; tavoitetahdilla siirtyneitä olisi noin {fmt.count(target * now['move_base'])}"
    shown = groups_frame(analysis)
    groups = shown[shown["group"] != TOTAL]
    hidden_groups = [
        str(label).lower()
        for label, value in zip(groups["label"], groups["in_integration_period"], strict=True)
        if isinstance(value, str)
    ]
    groups_title = f"Vieraskieliset asiakkaat ja kotoutumisajalla olevat kieliryhmittäin {when}"
    contacts_title = (
        f"International House Lahteen otettiin yhteyttä {_count_or_few(now['ihl_contacts'], analysis)} kertaa {when}"
    )
    return {
        "foreign": {
            "title": foreign_title,
            "alt": (
                f"Viivakaavio kuukausittain, {_span(months)}: ulkomaan kansalaisten osuus työttömistä "
                f"työnhakijoista alueittain ({join_words(list(analysis.regions.values()))}). {foreign_title}. "
                "Luvut ovat kuvion alla olevassa taulukossa."
            ),
        },
        "integration": {
            "title": integration_title,
            "alt": (
                f"Pinottu pylväskaavio kuukausittain, {_span(report_months)}: kotoutumisajalla olevat asiakkaat "
                f"kotoutumiskoulutuksessa ja muut. {integration_title}. Luvut ovat kuvion alla olevassa taulukossa."
            ),
        },
        "moves": {
            "title": moves_title,
            "alt": (
                f"Pylväskaavio kuukausittain, {_span(report_months)}: kotoutumisajan jälkeen ammattialakohtaisiin "
                "tiimeihin siirtyneet ja tavoitetahdin mukainen määrä vaakaviivana. "
                f"{move_sentence(analysis)}. Luvut ovat kuvion alla olevassa taulukossa."
            ),
        },
        "groups": {
            "title": groups_title,
            "alt": (
                "Vaakapylväskaavio kieliryhmittäin: vieraskieliset asiakkaat ja heistä kotoutumisajalla olevat "
                f"{when}."
                + (
                    f" Tietosuojan vuoksi peitetyt luvut ({join_words(hidden_groups)}) on merkitty kahdella pisteellä."
                    if hidden_groups
                    else ""
                )
                + " Luvut ovat kuvion alla olevassa taulukossa."
            ),
        },
        "contacts": {
            "title": contacts_title,
            "alt": (
                f"Pylväskaavio kuukausittain, {_span(report_months)}: International House Lahden yhteydenotot. "
                f"{contacts_title}. Luvut ovat kuvion alla olevassa taulukossa."
            ),
        },
    }


def method_text(analysis: ImmigrantAnalysis) -> str:
    """What the page's figures mean and what they cannot tell, in Finnish (Markdown)."""
    target = move_rate_target(analysis.params)
    months = analysis.params.areas.immigrants.integration_period_months
    target_text = (
        f"Tavoitetahti {fmt.percent(target)} kuukaudessa on oletus: jos kotoutumissuunnitelma kestää enintään "
        f"{months} kuukautta, tasaisessa tilanteessa vähintään 1/{months} kotoutumisajalla olevista päättää "
        "kotoutumisajan ja siirtyy ammattialatiimiin joka kuukausi."
        if target is not None
        else "Siirtymille ei ole asetettu tavoitetta."
    )
    return "\n".join(
        [
            "**Mitä luvut tarkoittavat.** Ulkomaan kansalaiset ovat työnvälitystilaston luku (kansalaisuuden "
            "mukaan), vieraskieliset asiakkaat maahanmuuttajapalvelujen oma luku (äidinkielen mukaan), joten ne "
            "eivät ole samoja ihmisiä. Kunnan, maakunnan ja koko maan vertailussa on ulkomaan kansalaisten osuus "
            "kaikista työttömistä; suurimpien kaupunkien vertailussa heidän työttömyysasteensa (työttömät "
            "suhteessa ulkomaan kansalaisten työvoimaan, tilaston taulukko 12tg).",
            "",
            "Siirtyneiden osuus = kuukauden aikana ammattialatiimeihin siirtyneet / (kotoutumisajalla kuukauden "
            f"lopussa + siirtyneet). {target_text}",
        ]
    )


def hidden_kpis(analysis: ImmigrantAnalysis) -> list[str]:
    """The KPIs of the month (:func:`serviceplan.metrics.immigrants.kpis`) whose value disclosure control
    withholds: small counts of people, and the move rate with a hidden number of moves."""
    rule = analysis.params.disclosure
    totals = analysis.totals_at()
    counts = {
        "foreign_unemployed": analysis.foreign_at()["foreign"],
        "foreign_language_customers": totals["customers"],
        "in_integration_period": totals["in_integration_period"],
        "in_integration_training": totals["in_integration_training"],
        "moved_to_occupation_teams": totals["moved_to_occupation_teams"],
        "ihl_contacts": totals["ihl_contacts"],
    }
    hidden = [kpi for kpi, value in counts.items() if is_small(value, rule)]
    return hidden + (["move_rate"] if "moved_to_occupation_teams" in hidden else [])


def kpi_note(analysis: ImmigrantAnalysis) -> str:
    """The note under the KPI table: what the changes compare, the target's source and, when a value is hidden,
    the disclosure rule."""
    rule = analysis.params.disclosure
    target = (
        "Siirtymien tavoitetahti on oletus, ks. menetelmäkuvaus sivun lopussa. "
        if move_rate_target(analysis.params) is not None
        else ""
    )
    hidden = disclosure.explanation(rule) if hidden_kpis(analysis) else ""
    return (
        "Muutokset verrattuna edellisen kuukauden ja edellisen vuoden saman kuukauden raportin lukuihin. "
        f"{target}{hidden}"
    ).strip()
