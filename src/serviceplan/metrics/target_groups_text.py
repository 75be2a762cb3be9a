"""Finnish texts and shown tables of the target-group page, generated from :mod:`serviceplan.metrics.target_groups`.

Every sentence, chart title and alt text is built from an analysed month, so words and figures cannot disagree.
Tables that hold counts of people from the city's client system pass disclosure control here
(:mod:`serviceplan.present.disclosure`), and no sentence names a count those tables hide.
"""

from __future__ import annotations

import math

import pandas as pd

from serviceplan.metrics.availability import NOT_FOR_THIS_MUNICIPALITY
from serviceplan.metrics.target_groups import (
    ADVISOR_GROUPS,
    ADVISOR_LABELS,
    DURATION_LABELS,
    DURATIONS,
    OHJAAMO_GROUPS,
    OHJAAMO_LABELS,
    OHJAAMO_TOTAL,
    UNDER_25,
    TargetGroupAnalysis,
    advisor_share_shown,
    is_small,
)
from serviceplan.present import disclosure
from serviceplan.present import format as fmt
from serviceplan.present.narrative import join_words, more_or_less, points_phrase, sentence
from serviceplan.present.tables import Shown

YEAR_AGO = "kuin vuotta aiemmin"
MONTH_AGO = "kuin edellisenä kuukautena"
NOT_ENOUGH_HISTORY = "ei vielä arviota (tilastossa ei ole tarpeeksi aiempia kuukausia)"


def _has(value: float | None) -> bool:
    return value is not None and not pd.isna(value)


def _with_change(text: str, change: str) -> str:
    return f"{text}, {change}" if change else text


def period_line(analysis: TargetGroupAnalysis) -> str:
    """The page's first line: the report month and how far each source reaches."""
    parts = [f"Raportointikuukausi: **{fmt.month(analysis.period)}**."]
    if analysis.statistics_updated is not None:
        parts.append(f"Työnvälitystilaston luvut: julkaisu {fmt.day(analysis.statistics_updated.date())}.")
    if not analysis.own_data:
        parts.append(f"Asiakastietojärjestelmän raportti (omatyöntekijät, Ohjaamo): {NOT_FOR_THIS_MUNICIPALITY}.")
    elif analysis.advisor_row() is not None:
        parts.append(f"Asiakastietojärjestelmän raportti: {fmt.month(analysis.period)}.")
    else:
        parts.append("Asiakastietojärjestelmän raporttia (omatyöntekijät, Ohjaamo) ei ole tältä kuukaudelta.")
    return " ".join(parts)


def describe(analysis: TargetGroupAnalysis) -> list[str]:
    """A few Finnish sentences on what the month shows: young unemployed, the newly unemployed and their outflow,
    the flow towards long-term unemployment, Lahti against the comparison regions, named advisors and Ohjaamo."""
    period = analysis.period
    when = fmt.month_inessive(period, with_year=True)
    now, ago = analysis.at(), analysis.at(months_back=12)
    out: list[str] = []
    if not _has(now["unemployed"]):
        out.append(f"Työnvälitystilastossa ei ole lukuja {fmt.month_genitive(period)} {fmt.year(period)} osalta")
    else:
        out.append(
            _with_change(
                f"Alle 25-vuotiaita työttömiä oli {when} {fmt.count(now['under25'])}",
                more_or_less(ago["under25"], now["under25"], than=YEAR_AGO),
            )
            + f"; alle 30-vuotiaita oli {fmt.count(now['under30'])}"
        )
        out.append(outflow_sentence(analysis))
        out.append(flow_sentence(analysis))
        out.append(
            _with_change(
                f"Pitkäaikaistyöttömiä (yli vuoden työttömänä) oli {fmt.count(now['long_term'])} eli "
                f"{fmt.percent(now['long_term_share'])} työttömistä",
                more_or_less(ago["long_term"], now["long_term"], than=YEAR_AGO),
            )
        )
        out.append(comparison_sentence(analysis))
    out.extend(advisor_sentences(analysis))
    out.append(ohjaamo_sentence(analysis))
    return [sentence(s) for s in out if s]


def flow_sentence(analysis: TargetGroupAnalysis) -> str:
    """The flow into over 3 months beside the year-ago level as known now (the base of its target). The statistics
    revise the newest month's flow, so the sentence names that level rather than quoting a percentage that could
    differ from the KPI table's change (computed from the figures reported then)."""
    now, ago = analysis.at(), analysis.at(months_back=12)
    text = f"Yli kolmen kuukauden työttömyyteen siirtyi kuukauden aikana {fmt.count(now['flow_over_3m'])} henkilöä"
    if _has(ago["flow_over_3m"]):
        text += f" (vuotta aiemmin {fmt.count(ago['flow_over_3m'])})"
    return text


def hidden_kpis(analysis: TargetGroupAnalysis) -> list[str]:
    """The KPIs of the month (:func:`serviceplan.metrics.target_groups.kpis`) whose value disclosure control
    withholds: small counts of people, and the named-advisor share when it would reveal one."""
    rule = analysis.params.disclosure
    now = analysis.at()
    month = str(analysis.period)
    ohjaamo = analysis.ohjaamo.loc[month, OHJAAMO_TOTAL] if month in analysis.ohjaamo.index else None
    counts = {
        "under25_unemployed": now["under25"],
        "under30_unemployed": now["under30"],
        "newly_unemployed": now["newly_unemployed"],
        "flow_over_3m": now["flow_over_3m"],
        "long_term_unemployed": now["long_term"],
        "ohjaamo_visits": ohjaamo,
    }
    hidden = [kpi for kpi, value in counts.items() if is_small(value, rule)]
    advisor = analysis.advisor_row()
    shown = math.nan if advisor is None else advisor_share_shown(advisor["named_advisor"], advisor["customers"], rule)
    if advisor is not None and advisor["customers"] > 0 and math.isnan(shown):
        hidden.append("named_advisor_under25")
    return hidden


def year_on_year_rule(max_change: float) -> str:
    """A year-on-year ceiling in words: ``enintään vuodentakainen taso`` (0), ``vähintään 5 % alle vuodentakaisen
    tason`` (−0.05) or ``enintään 5 % yli vuodentakaisen tason`` (0.05)."""
    if max_change == 0:
        return "enintään vuodentakainen taso"
    if max_change < 0:
        return f"vähintään {fmt.percent(-max_change, 0)} alle vuodentakaisen tason"
    return f"enintään {fmt.percent(max_change, 0)} yli vuodentakaisen tason"


def kpi_note(analysis: TargetGroupAnalysis) -> str:
    """The note under the KPI table: what the changes compare, where each target comes from (in the words of
    the parameters in force) and, when a value is hidden, the disclosure rule."""
    settings = analysis.params.areas.target_groups
    advisor = settings.named_advisor_under25_target
    parts = [
        "Muutokset verrattuna edellisen kuukauden ja edellisen vuoden saman kuukauden raportin lukuihin "
        "(tilasto tarkentaa uusimman kuukauden siirtymäluvun seuraavassa julkaisussa).",
        f"Omatyöntekijän tavoite {fmt.percent(advisor, 0)} on suunnitelmasta (jokaisella alle 25-vuotiaalla on "
        "nimetty työntekijä)."
        if advisor >= 1
        else f"Omatyöntekijän tavoite {fmt.percent(advisor, 0)} on oletus; suunnitelman mukaan jokaisella alle "
        "25-vuotiaalla on nimetty työntekijä.",
    ]
    for noun, max_change in (
        ("Pitkäaikaistyöttömien", settings.long_term_max_change_yoy),
        ("Yli 3 kk työttömyyteen siirtyneiden", settings.flow_over_3m_max_change_yoy),
    ):
        if max_change is not None:
            parts.append(f"{noun} tavoite on oletus: {year_on_year_rule(max_change)} tarkentuneiden lukujen mukaan.")
    if settings.outflow_benchmark_region:
        name = analysis.regions.get(settings.outflow_benchmark_region, settings.outflow_benchmark_region)
        parts.append(f"Poistuma-arvioiden tavoite on oletus: vähintään vertailualueen ({name}) taso.")
    if hidden_kpis(analysis):
        parts.append(disclosure.explanation(analysis.params.disclosure))
    return " ".join(parts)


def outflow_sentence(analysis: TargetGroupAnalysis) -> str:
    """The newly unemployed and the outflow estimates, against the benchmark region when there is one."""
    now, bench = analysis.at(), analysis.benchmark_at()
    code = analysis.params.areas.target_groups.outflow_benchmark_region
    bench_name = analysis.regions.get(code or "", "") or (code or "")
    text = f"Alle puoli vuotta työttömänä olleita oli {fmt.count(now['newly_unemployed'])}. "
    if not _has(now["outflow_3m"]):
        return text + f"Työttömyyden päättymisestä ennen kolmea kuukautta {NOT_ENOUGH_HISTORY}"
    text += (
        f"Arviolta {fmt.percent(now['outflow_3m'], 0)} alle kolme kuukautta työttömänä olleista pääsi työttömyydestä "
        "ennen kolmen kuukauden rajaa"
    )
    if _has(bench["outflow_3m"]):
        text += f" ({bench_name} {fmt.percent(bench['outflow_3m'], 0)})"
    if _has(now["outflow_6m"]):
        text += (
            f", ja puoli vuotta aiemmin alle 6 kk työttömänä olleista {fmt.percent(now['outflow_6m'], 0)} "
            "ei ollut enää työttömänä"
        )
        if _has(bench["outflow_6m"]):
            text += f" ({bench_name} {fmt.percent(bench['outflow_6m'], 0)})"
    return text


def comparison_sentence(analysis: TargetGroupAnalysis) -> str:
    """Lahti against the comparison regions in rates (never counts)."""
    home = analysis.home
    others = [code for code in analysis.regions if code != home]
    now = analysis.at()
    if not others or not _has(now["rate"]):
        return ""
    rates = [f"{analysis.regions[c]} {fmt.percent(analysis.at(c)['rate'])}" for c in analysis.regions]
    young = [f"{analysis.regions[c]} {fmt.percent(analysis.at(c)['under25_share'])}" for c in analysis.regions]
    return f"Työttömyysaste: {join_words(rates)}. Alle 25-vuotiaiden osuus työttömistä: {join_words(young)}"


def advisor_sentences(analysis: TargetGroupAnalysis) -> list[str]:
    """The named advisors of the under-25 customers against the plan's promise (all of them)."""
    row = analysis.advisor_row()
    if row is None:
        return []
    rule = analysis.params.disclosure
    target = analysis.params.areas.target_groups.named_advisor_under25_target
    shown = advisor_share_shown(row["named_advisor"], row["customers"], rule)
    if math.isnan(shown):
        if is_small(row["without_advisor"], rule):
            return [
                f"Lähes kaikilla alle 25-vuotiailla asiakkailla oli nimetty omatyöntekijä: ilman jäi alle "
                f"{rule.min_count} nuorta (tarkka luku ja osuus on peitetty tietosuojan vuoksi)"
            ]
        return ["Nimetyn omatyöntekijän osuus on peitetty tietosuojan vuoksi"]
    text = (
        f"Alle 25-vuotiaista asiakkaista {fmt.percent(shown)} oli nimetty omatyöntekijä (tavoite "
        f"{fmt.percent(target, 0)})"
    )
    if row["without_advisor"] > 0:
        text += f", ja ilman omatyöntekijää oli {fmt.count(row['without_advisor'])} nuorta"
    before = analysis.advisor_row(months_back=1)
    if before is not None:
        earlier = advisor_share_shown(before["named_advisor"], before["customers"], rule)
        if not math.isnan(earlier):
            text += f". Osuus {points_phrase(earlier, shown)} edellisestä kuukaudesta"
    return [text]


def ohjaamo_sentence(analysis: TargetGroupAnalysis) -> str:
    """The month's Ohjaamo visits (the anonymous ones named only when they are not a small count)."""
    month = str(analysis.period)
    if month not in analysis.ohjaamo.index:
        return ""
    visits = analysis.ohjaamo.loc[month]
    rule = analysis.params.disclosure
    if is_small(visits[OHJAAMO_TOTAL], rule):
        return "Ohjaamo-käyntejä oli vain muutama"
    text = f"Ohjaamossa käytiin {fmt.month_inessive(analysis.period)} {fmt.count(visits[OHJAAMO_TOTAL])} kertaa"
    previous = str(analysis.period.shift(-1))
    if previous in analysis.ohjaamo.index:
        before = analysis.ohjaamo.loc[previous, OHJAAMO_TOTAL]
        text = _with_change(text, more_or_less(before, visits[OHJAAMO_TOTAL], than=MONTH_AGO))
    shown = ohjaamo_table(analysis, [month]).frame
    anonymous = shown["anonymous"].iloc[0]
    if not isinstance(anonymous, str) and anonymous > 0:
        text += f"; nimettömiä käyntejä oli {fmt.count(anonymous)}"
    return text


# ---- chart titles and alt texts ------------------------------------------------------------------------------


def _span(months: list[str]) -> str:
    if not months:
        return ""
    return fmt.month(months[0]) if len(months) == 1 else f"{fmt.month(months[0])} – {fmt.month(months[-1])}"


def figure_texts(analysis: TargetGroupAnalysis) -> dict[str, dict[str, str]]:
    """Titles stating each chart's finding and the charts' alt texts, keyed by chart (``youth``, ``outflow``,
    ``duration``, ``advisor``, ``ohjaamo``)."""
    period = analysis.period
    now, ago = analysis.at(), analysis.at(months_back=12)
    months = analysis.history()
    month_end = f"{fmt.month_genitive(period)} {fmt.year(period)} lopussa"
    change = more_or_less(ago["under25"], now["under25"], than=YEAR_AGO)
    youth_title = _with_change(f"Alle 25-vuotiaita työttömiä oli {month_end} {fmt.count(now['under25'])}", change)
    bench_code = analysis.params.areas.target_groups.outflow_benchmark_region
    names = analysis.regions
    if _has(now["outflow_3m"]):
        outflow_title = (
            f"{names[analysis.home]}: arviolta {fmt.percent(now['outflow_3m'], 0)} alle 3 kk työttömistä pääsi "
            "työttömyydestä ennen kolmen kuukauden rajaa"
        )
        if bench_code and _has(analysis.benchmark_at()["outflow_3m"]):
            outflow_title += (
                f" ({names.get(bench_code, bench_code)} {fmt.percent(analysis.benchmark_at()['outflow_3m'], 0)})"
            )
    else:
        outflow_title = "Työttömyyden päättymistä ennen kolmea kuukautta ei voi vielä arvioida"
    duration_title = _with_change(
        f"Pitkäaikaistyöttömiä oli {month_end} {fmt.count(now['long_term'])} eli "
        f"{fmt.percent(now['long_term_share'], 0)} työttömistä",
        more_or_less(ago["long_term"], now["long_term"], than=YEAR_AGO),
    )
    advisor = advisor_sentences(analysis)
    advisor_title = advisor[0].split(". ")[0] if advisor else "Omatyöntekijätietoja ei ole tältä kuukaudelta"
    ohjaamo_title = ohjaamo_sentence(analysis) or "Ohjaamo-käyntejä ei ole raportoitu tältä kuukaudelta"
    first = analysis.at(months_back=len(months) - 1) if months else now
    first_when = fmt.month_inessive(months[0], with_year=True) if months else ""
    return {
        "youth": {
            "title": youth_title,
            "alt": (
                "Pinottu pylväskaavio alle 25-vuotiaista ja 25–29-vuotiaista työttömistä kuukausittain, "
                f"{_span(months)}. Alle 25-vuotiaita oli {fmt.count(first['under25'])} {first_when} ja "
                f"{fmt.count(now['under25'])} {fmt.month_inessive(period, with_year=True)}; alle 30-vuotiaita "
                f"yhteensä {fmt.count(now['under30'])}. Luvut ovat kuvion alla olevassa taulukossa."
            ),
        },
        "outflow": {
            "title": outflow_title,
            "alt": (
                f"Viivakaavio kuukausittain, {_span(months)}: arvio siitä, kuinka suuri osa alle kolme kuukautta "
                f"työttömänä olleista pääsi työttömyydestä ennen kolmen kuukauden rajaa, alueittain "
                f"({join_words(list(names.values()))}). {outflow_title}. Luvut ovat kuvion alla olevassa taulukossa."
            ),
        },
        "duration": {
            "title": duration_title,
            "alt": (
                f"Pinottu pylväskaavio työttömistä työttömyyden keston mukaan kuukausittain, {_span(months)}: "
                f"alle 3 kk, 3–6 kk, 6–12 kk, 12–24 kk ja yli 24 kk. {duration_title}. Luvut ovat kuvion alla "
                "olevassa taulukossa."
            ),
        },
        "advisor": {
            "title": advisor_title,
            "alt": (
                "Pylväskaavio: alle 25-vuotiaiden asiakkaiden osuus, jolla on nimetty omatyöntekijä, kuukausittain, "
                f"ja tavoite {fmt.percent(analysis.params.areas.target_groups.named_advisor_under25_target, 0)} "
                f"vaakaviivana. {advisor_title}. Luvut ovat kuvion alla olevassa taulukossa."
            ),
        },
        "ohjaamo": {
            "title": ohjaamo_title,
            "alt": (
                "Pylväskaavio Ohjaamo-käynneistä kuukausittain. "
                f"{ohjaamo_title}. Luvut ikäryhmittäin ovat kuvion alla olevassa taulukossa."
            ),
        },
    }


# ---- tables --------------------------------------------------------------------------------------------------


def _month_names(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its ``month`` column (``YYYY-MM``) as short Finnish month names (``kesä 2025``)."""
    out = table.copy()
    out["month"] = [fmt.month_short(str(m)) for m in out["month"]]
    return out


def youth_table(analysis: TargetGroupAnalysis, months: list[str]) -> Shown:
    """Young unemployed per month (the youth chart's numbers)."""
    lahti = analysis.by_region[analysis.home]
    table = lahti.reindex(months)[["under25", "age_25_29", "under30"]].reset_index(names="month")
    shown = disclosure.suppress_rows(
        table, analysis.params.disclosure, counts=["under25", "age_25_29", "under30"], total_col="under30"
    )
    return Shown(
        _month_names(shown),
        {"under25": "count", "age_25_29": "count", "under30": "count"},
        {"month": "Kuukausi", "under25": "Alle 25-v.", "age_25_29": "25–29-v.", "under30": "Alle 30-v. yhteensä"},
        title=f"Kuvion luvut: työttömät nuoret, {analysis.regions[analysis.home]}",
        note=disclosure.note_if_hidden(shown, analysis.params.disclosure),
    )


def outflow_table(analysis: TargetGroupAnalysis, months: list[str]) -> Shown:
    """The outflow estimates per month and region (the outflow chart's numbers)."""
    table = pd.DataFrame({"month": months})
    formats: dict[str, str] = {}
    headers: dict[str, str] = {"month": "Kuukausi"}
    for code, name in analysis.regions.items():
        values = analysis.by_region[code].reindex(months)
        for column, label in (("outflow_3m", "ennen 3 kk"), ("outflow_6m", "6 kk:ssa")):
            key = f"{code}_{column}"
            table[key] = values[column].to_numpy()
            formats[key] = "percent"
            headers[key] = f"{name}: {label}"
    return Shown(
        _month_names(table),
        formats,
        headers,
        title="Kuvion luvut: työttömyys päättyi ennen 3 kuukautta / 6 kuukauden kuluessa, arvio",
    )


def duration_table(analysis: TargetGroupAnalysis, months: list[str]) -> Shown:
    """Lahti's unemployed by duration of unemployment per month (the duration chart's numbers)."""
    lahti = analysis.by_region[analysis.home].reindex(months)
    table = lahti[[*DURATIONS, "unemployed"]].reset_index(names="month")
    shown = disclosure.suppress_rows(
        table, analysis.params.disclosure, counts=[*DURATIONS, "unemployed"], total_col="unemployed"
    )
    return Shown(
        _month_names(shown),
        {**dict.fromkeys([*DURATIONS, "unemployed"], "count")},
        {"month": "Kuukausi", **DURATION_LABELS, "unemployed": "Työttömät yhteensä"},
        title=f"Kuvion luvut: työttömät työttömyyden keston mukaan, {analysis.regions[analysis.home]}",
        note=disclosure.note_if_hidden(shown, analysis.params.disclosure),
    )


COMPARISON_ROWS: dict[str, str] = {
    "rate": "Työttömyysaste",
    "under25_share": "Alle 25-vuotiaiden osuus työttömistä",
    "under30_share": "Alle 30-vuotiaiden osuus työttömistä",
    "long_term_share": "Pitkäaikaistyöttömien osuus työttömistä",
    "flow_rate": "Yli 3 kk työttömyyteen siirtyneet, % edellisen kuun alle 3 kk työttömistä",
    "outflow_3m": "Työttömyys päättyi ennen 3 kk:n rajaa (arvio)",
    "outflow_6m": "Alle 6 kk työttömistä ei enää työttömänä 6 kk:n päästä (arvio)",
}


def comparison_table(analysis: TargetGroupAnalysis) -> Shown:
    """Lahti against the comparison regions for the report month: rates and shares only (no counts), so that
    regions of different sizes can be compared."""
    table = pd.DataFrame({"indicator": list(COMPARISON_ROWS.values())})
    for code in analysis.regions:
        row = analysis.at(code)
        table[code] = [row[key] for key in COMPARISON_ROWS]
    return Shown(
        table,
        {code: "percent" for code in analysis.regions},
        {"indicator": "Tunnusluku", **analysis.regions},
        title=f"{analysis.regions[analysis.home]} ja vertailualueet, {fmt.month(analysis.period)}",
    )


_ADVISOR_FORMATS = {"customers": "count", "named_advisor": "count", "without_advisor": "count", "share": "percent"}
_ADVISOR_HEADERS = {
    "customers": "Asiakkaita",
    "named_advisor": "Nimetty omatyöntekijä",
    "without_advisor": "Ei omatyöntekijää",
    "share": "Osuus",
}


def advisor_history(analysis: TargetGroupAnalysis, months: list[str]) -> pd.DataFrame:
    """Under-25 customers with and without a named advisor per month (``month`` as ``YYYY-MM``), suppressed: the
    one source of the advisor chart and its table."""
    rows = analysis.advisor[analysis.advisor["group"] == UNDER_25].set_index("month").reindex(months)
    table = rows[["named_advisor", "without_advisor", "customers", "share"]].reset_index(names="month")
    table = table[table["customers"].notna()].reset_index(drop=True)
    return disclosure.suppress_rows(
        table,
        analysis.params.disclosure,
        counts=["named_advisor", "without_advisor", "customers"],
        derived={"share": "named_advisor"},
        total_col="customers",
    )


def advisor_history_table(analysis: TargetGroupAnalysis, months: list[str]) -> Shown:
    """The advisor chart's numbers as a table (see :func:`advisor_history`)."""
    shown_frame = _month_names(advisor_history(analysis, months))
    return Shown(
        shown_frame,
        _ADVISOR_FORMATS,
        {"month": "Kuukausi", **_ADVISOR_HEADERS},
        title="Kuvion luvut: alle 25-vuotiaat asiakkaat ja nimetty omatyöntekijä",
        note=disclosure.note_if_hidden(shown_frame, analysis.params.disclosure),
    )


def advisor_month_table(analysis: TargetGroupAnalysis) -> Shown:
    """The report month's under-25 customers by age group with and without a named advisor, suppressed."""
    month = str(analysis.period)
    rows = analysis.advisor[analysis.advisor["month"] == month].set_index("group")
    rows = rows.reindex([*ADVISOR_GROUPS, UNDER_25])
    table = rows[["named_advisor", "without_advisor", "customers", "share"]].copy()
    table.insert(0, "group", [ADVISOR_LABELS[g].capitalize() for g in table.index])
    shown = disclosure.suppress(
        table,
        analysis.params.disclosure,
        counts=["named_advisor", "without_advisor", "customers"],
        derived={"share": "named_advisor"},
        total_row=UNDER_25,
        total_col="customers",
    )
    shown_frame = shown.reset_index(drop=True)
    return Shown(
        shown_frame,
        _ADVISOR_FORMATS,
        {"group": "Ikäryhmä", **_ADVISOR_HEADERS},
        title=f"Nimetty omatyöntekijä ikäryhmittäin, {fmt.month(analysis.period)}",
        note=disclosure.note_if_hidden(shown_frame, analysis.params.disclosure),
    )


def advisor_chart_data(analysis: TargetGroupAnalysis, months: list[str]) -> pd.DataFrame:
    """The advisor chart's data: ``month``, ``share`` (NaN where the table hides it), ``hidden`` and ``target``."""
    shown = advisor_history(analysis, months)
    share, hidden = chart_column(shown, "share")
    return pd.DataFrame(
        {
            "month": shown["month"].astype(str),
            "share": share,
            "hidden": hidden,
            "target": analysis.params.areas.target_groups.named_advisor_under25_target,
        }
    )


def ohjaamo_table(analysis: TargetGroupAnalysis, months: list[str]) -> Shown:
    """Ohjaamo visits per month by age group and anonymous, suppressed (the Ohjaamo chart's numbers)."""
    table = analysis.ohjaamo.reindex([m for m in months if m in analysis.ohjaamo.index])
    table = table.reset_index(names="month")
    columns = [*OHJAAMO_GROUPS, OHJAAMO_TOTAL]
    shown = disclosure.suppress_rows(table, analysis.params.disclosure, counts=columns, total_col=OHJAAMO_TOTAL)
    shown_frame = _month_names(shown)
    return Shown(
        shown_frame,
        {**dict.fromkeys(columns, "count")},
        {"month": "Kuukausi", **OHJAAMO_LABELS},
        title="Kuvion luvut: Ohjaamo-käynnit ikäryhmittäin",
        note=disclosure.note_if_hidden(shown_frame, analysis.params.disclosure),
    )


def method_text(analysis: TargetGroupAnalysis) -> str:
    """How the outflow estimates are made and what they cannot tell, in Finnish (Markdown)."""
    bench = analysis.params.areas.target_groups.outflow_benchmark_region
    target = (
        f"Tavoitteena käytetään vertailualueen ({analysis.regions.get(bench, bench)}) saman kuukauden arviota, "
        "koska suunnitelmassa ei ole lukutavoitetta."
        if bench
        else "Arvioille ei ole asetettu tavoitetta."
    )
    return "\n".join(
        [
            "**Miten poistuma-arviot lasketaan.** Tilasto ei kerro yksittäisten työttömyysjaksojen kohtaloa, joten "
            "osuudet ovat arvioita kuukausittaisista määristä:",
            "",
            "- *Ennen kolmen kuukauden rajaa*: kolme kuukautta sitten alle 3 kk työttömänä olleet joko ylittävät "
            "kolmen kuukauden rajan kolmen seuraavan kuukauden aikana tai heidän työttömyytensä päättyy. Rajan "
            "ylittäneet näkyvät tilastossa yli 3 kk työttömyyteen siirtyneinä. Arvio = 1 − (kolmen viime "
            "kuukauden siirtyneet) / (alle 3 kk työttömät kolme kuukautta sitten).",
            "- *Kuuden kuukauden kuluessa*: puoli vuotta sitten alle 6 kk työttömänä olleet ovat nyt 6–12 kk "
            "työttömiä, jos työttömyys jatkuu. Arvio = 1 − (6–12 kk työttömät nyt) / (alle 6 kk työttömät puoli "
            "vuotta sitten).",
            "",
            "Työttömyys voi päättyä työhön, palveluun, opiskeluun tai työvoiman ulkopuolelle, joten arvio ei ole "
            "työllistymisaste. Lyhyt työ tai palvelu katkaisee työttömyyden keston laskennan, muutot kunnasta "
            "toiseen vaikuttavat lukuihin, ja uusimman kuukauden siirtymäluku on ennakkotieto, joka tarkentuu "
            f"seuraavassa julkaisussa. {target}",
        ]
    )


def chart_column(shown: pd.DataFrame, column: str) -> tuple[pd.Series, list[bool]]:
    """A column of a suppressed table for a chart: floats with NaN where the table shows the disclosure symbol,
    and which positions those are (so the chart can mark them instead of drawing them)."""
    hidden = [isinstance(v, str) for v in shown[column].astype(object)]
    values = [math.nan if h else float(v) for v, h in zip(shown[column].astype(object), hidden, strict=True)]
    return pd.Series(values, index=shown.index, dtype="float64"), hidden


def ohjaamo_chart_data(analysis: TargetGroupAnalysis, months: list[str]) -> pd.DataFrame:
    """The Ohjaamo chart's data from the suppressed table: ``month``, ``total`` (NaN where hidden), ``hidden``."""
    table = analysis.ohjaamo.reindex([m for m in months if m in analysis.ohjaamo.index]).reset_index(names="month")
    columns = [*OHJAAMO_GROUPS, OHJAAMO_TOTAL]
    shown = disclosure.suppress_rows(table, analysis.params.disclosure, counts=columns, total_col=OHJAAMO_TOTAL)
    total, hidden = chart_column(shown, OHJAAMO_TOTAL)
    return pd.DataFrame({"month": shown["month"].astype(str), OHJAAMO_TOTAL: total, "hidden": hidden})
