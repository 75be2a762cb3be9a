"""Finnish texts and display tables of the services page, generated from :mod:`serviceplan.metrics.services`.

Every sentence is built from an analysed month, so that words and figures cannot disagree. The display tables
apply disclosure control here, once, and the sentences read their numbers from those same tables: a number
hidden in a table is never spelled out in the text.
"""

from __future__ import annotations

import math

import pandas as pd

from serviceplan.core.periods import Period
from serviceplan.inputs.sources import services as services_source
from serviceplan.metrics.services import (
    FOLLOW_UPS,
    SERVICE_LABELS,
    SERVICE_TYPES,
    TOTAL,
    ServicesAnalysis,
    published_effectiveness,
    published_service_level,
)
from serviceplan.present import disclosure
from serviceplan.present import format as fmt
from serviceplan.present.narrative import change_phrase, join_words, months_between, sentence
from serviceplan.present.tables import format_cell

FIRST_FOLLOW_UP: dict[int, Period] = {f: services_source.DATASET.first_period.shift(f) for f in FOLLOW_UPS}
ASSESSMENT_WORDS: dict[str, str] = {
    "below": "alle kynnyksen",
    "above": "yli kynnyksen",
    "few": "ei arvioida (vähän seurattuja)",
    "none": disclosure.NOT_AVAILABLE,  # the total row: the threshold applies to service types
}


def _lower(text: str) -> str:
    return text[0].lower() + text[1:] if text else text


def _is_number(value: object) -> bool:
    return not isinstance(value, str) and not fmt.is_missing(value)


def _threshold_words(analysis: ServicesAnalysis) -> str:
    settings = analysis.params.areas.services
    return (
        f"{fmt.number(settings.effectiveness_threshold_share * 100, 0)} prosentin vaikuttavuuskynnyksen "
        f"({settings.effectiveness_follow_up_months} kk palvelun jälkeen)"
    )


# ---- display tables (disclosure control applied) -----------------------------------------------------------------


def volume_display(analysis: ServicesAnalysis) -> pd.DataFrame:
    """The month's volumes per service type for showing: counts of people hidden by disclosure control (each
    column protected against its total row, as starts, stock and ends do not add up along a row)."""
    table = analysis.volumes.set_index("service_type", drop=False)
    return disclosure.suppress_columns(
        table, analysis.params.disclosure, counts=["starts", "stock", "ends", "stock_year_ago"], total_row=TOTAL
    ).reset_index(drop=True)


def _stock_wide(analysis: ServicesAnalysis) -> pd.DataFrame:
    """People in services at the end of each month: one row per month, one column per service type and ``total``."""
    history = analysis.history
    if history.empty:
        return pd.DataFrame(columns=[*SERVICE_TYPES, TOTAL], dtype="float64")
    wide = history.pivot(index="month", columns="service_type", values="stock").reindex(columns=list(SERVICE_TYPES))
    wide[TOTAL] = wide.sum(axis=1)
    return wide.astype("float64")


def stock_history(analysis: ServicesAnalysis) -> pd.DataFrame:
    """People in services at the end of each month per service type for a chart (long: ``month``,
    ``service_type``, ``label``, ``stock``); counts hidden by disclosure control (and their secondary cells, each
    month's types adding up to its total) are NaN, so that the chart leaves them out."""
    wide = _stock_wide(analysis)
    columns = ["month", "service_type", "label", "stock"]
    if wide.empty:
        return pd.DataFrame(columns=columns)
    hidden = disclosure.hide(wide, analysis.params.disclosure, counts=[*SERVICE_TYPES, TOTAL], total_col=TOTAL)
    long = hidden[list(SERVICE_TYPES)].reset_index(names="month")
    long = long.melt(id_vars="month", var_name="service_type", value_name="stock")
    long["label"] = [SERVICE_LABELS[s] for s in long["service_type"]]
    return long[columns]


def stock_table(analysis: ServicesAnalysis) -> pd.DataFrame:
    """The stock chart's numbers for showing: ``Kuukausi`` and one column per service type and the total, as
    Finnish text, with the same cells hidden as in the chart."""
    wide = _stock_wide(analysis)
    if wide.empty:
        return pd.DataFrame(columns=["Kuukausi"])
    shown = disclosure.suppress(wide, analysis.params.disclosure, counts=[*SERVICE_TYPES, TOTAL], total_col=TOTAL)
    out = pd.DataFrame({"Kuukausi": [fmt.month_short(m) for m in shown.index]})
    for column in [*SERVICE_TYPES, TOTAL]:
        out[SERVICE_LABELS[column]] = [tables_cell(v) for v in shown[column]]
    return out


def tables_cell(value: object) -> str:
    """A count as shown in a table: the number, or the disclosure symbol as it is (see
    :func:`serviceplan.present.tables.format_cell`)."""
    return format_cell(value, "count")


def effectiveness_display(analysis: ServicesAnalysis) -> pd.DataFrame:
    """The effectiveness table for showing (:func:`serviceplan.metrics.services.published_effectiveness`: small
    open-market counts and the cells that would reveal them hidden with the symbol, and the shares and costs per
    outcome built on them), with ``assessment`` in Finnish words."""
    shown = published_effectiveness(analysis.effectiveness, analysis.params.disclosure, as_missing=False)
    shown["assessment"] = [ASSESSMENT_WORDS[_assessment(row)] for _, row in analysis.effectiveness.iterrows()]
    return shown


def _assessment(row: pd.Series) -> str:
    if row["service_type"] == TOTAL:
        return "none"
    if bool(row["below_threshold"]):
        return "below"
    return "above" if bool(row["judged"]) else "few"


def service_level_display(analysis: ServicesAnalysis) -> pd.DataFrame:
    """The monthly service level for showing, with small counts, the cells that would reveal them and the shares
    built on them hidden with the symbol (:func:`serviceplan.metrics.services.published_service_level`)."""
    shown = _level_shown(analysis)
    if len(shown):
        shown["month"] = [fmt.month_short(m) for m in shown["month"]]
    return shown


def _level_shown(analysis: ServicesAnalysis) -> pd.DataFrame:
    """The published service level with the disclosure symbol in hidden cells and months as ``YYYY-MM``."""
    return published_service_level(analysis.service_level, analysis.params.disclosure, as_missing=False)


def effectiveness_labels(analysis: ServicesAnalysis) -> dict[str, str]:
    """Chart labels of the service types: the Finnish name, marked when the service is below the threshold."""
    table = analysis.effectiveness.set_index("service_type")
    return {
        s: SERVICE_LABELS[s] + (" – alle kynnyksen" if bool(table.loc[s, "below_threshold"]) else "")
        for s in SERVICE_TYPES
    }


def service_level_series(analysis: ServicesAnalysis) -> pd.DataFrame:
    """The monthly shares for a line chart (``month``, ``deadline_share``, ``discussions_share``, ``target``), a
    share hidden by disclosure control being NaN (the chart leaves a gap)."""
    table = published_service_level(analysis.service_level, analysis.params.disclosure)
    if table.empty:
        return pd.DataFrame(columns=["month", "deadline_share", "discussions_share", "target"])
    out = table[["month", "deadline_share", "discussions_share"]].copy()
    out["target"] = analysis.params.areas.services.initial_interview_target_share
    return out


def target_label(analysis: ServicesAnalysis) -> str:
    """The legend label of the service-level chart's target line."""
    settings = analysis.params.areas.services
    interviews, discussions = settings.initial_interview_target_share, settings.job_search_discussion_target_share
    if interviews == discussions:
        return f"Tavoite {fmt.percent(interviews, 0)}"
    return f"Alkuhaastattelujen tavoite {fmt.percent(interviews, 0)}"


def rule_changes(analysis: ServicesAnalysis) -> dict[str, str]:
    """The months of the service-level history in which the initial-interview deadline changed, with a label."""
    table = analysis.service_level
    out = {}
    for before, after in zip(table.itertuples(), list(table.itertuples())[1:], strict=False):
        if before.deadline_days != after.deadline_days:
            out[str(after.month)] = f"määräaika {after.deadline_days} työpäivää"
    return out


def service_level_intro(analysis: ServicesAnalysis) -> str:
    """The statutory rules of the service level in Finnish, from the dated rules in the parameters."""
    rules = sorted(analysis.params.service_level, key=lambda r: r.valid_from)
    parts = [f"{fmt.day(r.valid_from)} alkaen {r.initial_interview_working_days} työpäivässä" for r in rules]
    intervals = sorted({r.job_search_discussion_interval_months for r in rules})
    interval = " tai ".join(str(i) for i in intervals)
    return (
        "Laki velvoittaa järjestämään alkuhaastattelun määräajassa työnhaun alkamisesta: "
        f"{join_words(parts)}. Työnhakukeskustelu on pidettävä {interval} kuukauden välein. Kunkin kuukauden "
        "osuus lasketaan sinä kuukautena voimassa olleen säännön mukaan, ja pystyviiva merkitsee säännön "
        "muutosta. Osuus = määräajassa pidetyt / kuukauden aikana pidetyt alkuhaastattelut; työnhakukeskusteluissa "
        "ajallaan pidetyt / kuukauden aikana erääntyneet."
    )


EFFECTIVENESS_COLUMNS: list[str] = [
    "label",
    "followed_3m",
    "open_3m",
    "share_3m",
    "followed_6m",
    "open_6m",
    "share_6m",
    "cost_per_outcome_6m_eur",
    "assessment",
]
EFFECTIVENESS_FORMATS: dict[str, str] = {
    "followed_3m": "count",
    "open_3m": "count",
    "share_3m": "percent",
    "followed_6m": "count",
    "open_6m": "count",
    "share_6m": "percent",
    "cost_per_outcome_6m_eur": "eur",
}
SERVICE_LEVEL_COLUMNS: list[str] = [
    "month",
    "deadline_days",
    "initial_interviews",
    "within_deadline",
    "deadline_share",
    "discussions_due",
    "discussions_on_time",
    "discussions_share",
]
SERVICE_LEVEL_FORMATS: dict[str, str] = {
    "deadline_days": "count",
    "initial_interviews": "count",
    "within_deadline": "count",
    "deadline_share": "percent",
    "discussions_due": "count",
    "discussions_on_time": "count",
    "discussions_share": "percent",
}
SERVICE_LEVEL_HEADERS: dict[str, str] = {
    "month": "Kuukausi",
    "deadline_days": "Määräaika, työpäivää",
    "initial_interviews": "Alkuhaastatteluja",
    "within_deadline": "Määräajassa",
    "deadline_share": "Osuus määräajassa",
    "discussions_due": "Työnhakukeskusteluja erääntyi",
    "discussions_on_time": "Ajallaan",
    "discussions_share": "Osuus ajallaan",
}


def effectiveness_headers(analysis: ServicesAnalysis) -> dict[str, str]:
    """Finnish headers of the effectiveness table (the cost column names the judged follow-up)."""
    return {
        "label": "Palvelu",
        "followed_3m": "Seurattuja (3 kk)",
        "open_3m": "Avoimilla työmarkkinoilla (3 kk)",
        "share_3m": "Osuus (3 kk)",
        "followed_6m": "Seurattuja (6 kk)",
        "open_6m": "Avoimilla työmarkkinoilla (6 kk)",
        "share_6m": "Osuus (6 kk)",
        "cost_per_outcome_6m_eur": "Kustannus / työllistynyt (6 kk)",
        "assessment": "Arvio",
    }


def threshold_line(analysis: ServicesAnalysis) -> tuple[float, str]:
    """The effectiveness threshold and its legend label, for the chart's reference line."""
    settings = analysis.params.areas.services
    share = settings.effectiveness_threshold_share
    return share, f"Vaikuttavuuskynnys {fmt.percent(share, 0)} ({settings.effectiveness_follow_up_months} kk)"


def volume_title(analysis: ServicesAnalysis) -> str:
    """The title of the month's volume table."""
    return f"Palvelut {fmt.month_inessive(analysis.period, with_year=True)}: aloittaneet, palveluissa ja päättyneet"


def describe_effectiveness_missing(analysis: ServicesAnalysis) -> str:
    """What the page says in place of the effectiveness chart before the first follow-up month."""
    first = FIRST_FOLLOW_UP[min(FOLLOW_UPS)]
    return (
        f"Palvelujen tuloksia ei vielä ole: ensimmäinen seuranta ({min(FOLLOW_UPS)} kk palvelun päättymisestä) on "
        f"{fmt.month_genitive(first)} {first.year} aineistossa."
    )


# ---- sentences ---------------------------------------------------------------------------------------------------


def period_line(analysis: ServicesAnalysis) -> str:
    """The page's first line: the report month and which service endings the effectiveness figures cover."""
    parts = [f"Raportointikuukausi: **{fmt.month(analysis.period)}**."]
    covered = [
        f"{follow_up} kk:n seurannassa {months_between(window.cohorts[0], window.cohorts[-1])}"
        for follow_up, window in analysis.windows.items()
        if not window.empty
    ]
    if covered:
        parts.append(f"Vaikuttavuuden luvuissa ovat mukana {join_words(covered)} päättyneet palvelut.")
    return " ".join(parts)


def _volume_sentences(analysis: ServicesAnalysis) -> list[str]:
    period = analysis.period
    if not analysis.has_volumes:
        return [f"Palvelurekisterin vientiä ei ole {fmt.month_genitive(period)} osalta"]
    shown = volume_display(analysis).set_index("service_type")
    total = shown.loc[TOTAL]
    out = [f"Palveluissa oli {fmt.month_genitive(period)} lopussa {fmt.count(total['stock'])} henkilöä"]
    if _is_number(total["stock_year_ago"]):
        out[0] += f"; määrä {change_phrase(total['stock_year_ago'], total['stock'])} vuodessa"
    else:
        history = analysis.history
        before = history[history["month"] == str(period.shift(-1))]
        previous = float(before["stock"].sum()) if len(before) else 0.0
        if previous > 0:
            out[0] += f"; määrä {change_phrase(previous, total['stock'])} edellisestä kuukaudesta"
    out.append(
        f"Kuukauden aikana palveluihin aloitti {fmt.count(total['starts'])} ja niistä päättyi "
        f"{fmt.count(total['ends'])} henkilöä"
    )
    stocks = analysis.volumes[analysis.volumes["service_type"] != TOTAL].sort_values("stock", ascending=False)
    top = stocks.iloc[0]
    if _is_number(shown.loc[top["service_type"], "stock"]) and top["stock"] > 0:
        out.append(
            f"Suurin palvelu oli {_lower(top['label'])} "
            f"({fmt.percent(top['stock'] / total['stock'], 0)} palveluissa olleista)"
        )
    return out


def _effectiveness_sentences(analysis: ServicesAnalysis) -> list[str]:
    settings = analysis.params.areas.services
    judged_follow_up = settings.effectiveness_follow_up_months
    shown = effectiveness_display(analysis).set_index("service_type")
    available = [f for f in FOLLOW_UPS if not analysis.windows[f].empty]
    if not available:
        first = FIRST_FOLLOW_UP[min(FOLLOW_UPS)]
        return [
            "Palvelujen tuloksia seurataan 3 ja 6 kuukautta palvelun päättymisestä. Ensimmäinen seuranta on "
            f"{fmt.month_elative(first)} {first.year} alkaen, joten vaikuttavuutta ei voi vielä arvioida"
        ]
    total = shown.loc[TOTAL]
    parts = [
        f"{follow_up} kuukauden kuluttua {fmt.percent(total[f'share_{follow_up}m'])}"
        for follow_up in available
        if _is_number(total[f"share_{follow_up}m"])
    ]
    targets = join_words([fmt.percent(settings.open_market_target_share[f], 0) for f in available])
    out = []
    if parts:
        out.append(
            f"Palvelusta päättyneistä oli avoimilla työmarkkinoilla {join_words(parts)} "
            f"(valtakunnallinen vertailutaso {targets})"
        )
    if judged_follow_up not in available:
        first = FIRST_FOLLOW_UP[judged_follow_up]
        out.append(
            f"Vaikuttavuuskynnystä sovelletaan {judged_follow_up} kuukauden seurantaan, jonka ensimmäiset tulokset "
            f"ovat {fmt.month_genitive(first)} {first.year} aineistossa"
        )
        return out
    table = analysis.effectiveness.set_index("service_type")
    share = f"share_{judged_follow_up}m"
    below = [s for s in SERVICE_TYPES if bool(table.loc[s, "below_threshold"])]
    few = [
        s
        for s in SERVICE_TYPES
        if not bool(table.loc[s, "judged"]) and table.loc[s, f"followed_{judged_follow_up}m"] > 0
    ]

    def named(code: str) -> str:
        value = shown.loc[code, share]
        return _lower(SERVICE_LABELS[code]) + (f" ({fmt.percent(value)})" if _is_number(value) else "")

    if below:
        verb = "jäi" if len(below) == 1 else "jäivät"
        out.append(
            f"Alle {_threshold_words(analysis)} {verb} {join_words([named(s) for s in below])}. Linjauksen mukaan "
            "palvelut, jotka eivät todennäköisesti johda pysyvään työhön, karsitaan, ellei palvelu selvästi paranna "
            "työnhakijan valmiuksia siirtyä työelämään; näiden palvelujen jatko on siksi arvioitava"
        )
    elif table["judged"].any():
        out.append(f"Kaikki arvioidut palvelut ylittivät {_threshold_words(analysis)}")
    if few:
        names = join_words([_lower(SERVICE_LABELS[s]) for s in few])
        out.append(f"Palveluja, joista on alle {settings.min_followed} seurattua ({names}), ei vielä arvioida")
    costs = [
        (float(shown.loc[s, f"cost_per_outcome_{judged_follow_up}m_eur"]), s)
        for s in SERVICE_TYPES
        if bool(table.loc[s, "judged"]) and _is_number(shown.loc[s, f"cost_per_outcome_{judged_follow_up}m_eur"])
    ]
    if len(costs) >= 2:  # in whole euros, as the effectiveness table shows them
        low, high = min(costs), max(costs)
        out.append(
            f"Avoimille työmarkkinoille työllistynyttä kohden kustannus oli pienin: {_lower(SERVICE_LABELS[low[1]])} "
            f"({fmt.euro_text(low[0])}) ja suurin: {_lower(SERVICE_LABELS[high[1]])} "
            f"({fmt.euro_text(high[0])})"
        )
    return out


def _service_level_sentences(analysis: ServicesAnalysis) -> list[str]:
    settings = analysis.params.areas.services
    period = analysis.period
    shown = _level_shown(analysis)
    rows = shown[shown["month"] == str(period)] if len(shown) else shown
    if rows.empty:
        return [f"Asiakastietojärjestelmän raporttia ei ole {fmt.month_genitive(period)} osalta"]
    row = rows.iloc[0]
    out = []
    deadline = int(row["deadline_days"])
    if _is_number(row["deadline_share"]):
        out.append(
            f"{fmt.month_inessive(period, with_year=True)} alkuhaastatteluista {fmt.percent(row['deadline_share'])} "
            f"pidettiin lain määräajassa ({deadline} työpäivää); tavoite on "
            f"{fmt.percent(settings.initial_interview_target_share, 0)}"
        )
    if _is_number(row["discussions_share"]):
        out.append(
            f"Erääntyneistä työnhakukeskusteluista pidettiin ajallaan {fmt.percent(row['discussions_share'])} "
            f"(tavoite {fmt.percent(settings.job_search_discussion_target_share, 0)})"
        )
    year_ago = analysis.level_year_ago
    if year_ago is not None and int(year_ago["deadline_days"]) != deadline:
        column = f"share_{deadline}wd"
        change = analysis.params.service_level_rule(period)
        same_rule = float(year_ago[column]) if column in year_ago.index else math.nan
        text = (
            f"Määräaika muuttui {int(year_ago['deadline_days'])} työpäivästä {deadline} työpäivään "
            f"{fmt.day(change.valid_from)}, joten vuoden takainen osuus on mitattu eri säännöllä"
        )
        within = float(year_ago[f"interviews_within_{deadline}wd"]) if column in year_ago.index else math.nan
        late = float(year_ago["initial_interviews"]) - within
        rule = analysis.params.disclosure
        if not math.isnan(same_rule) and not (disclosure.is_small(within, rule) or disclosure.is_small(late, rule)):
            text += f"; samalla {deadline} työpäivän mittarilla osuus oli vuotta aiemmin {fmt.percent(same_rule)}"
        out.append(text)
    return out


def describe(analysis: ServicesAnalysis) -> list[str]:
    """A few Finnish sentences saying what the month shows: volumes, effectiveness against the benchmark and the
    threshold (with the services to review), cost per outcome, and the statutory service level."""
    out = [*_volume_sentences(analysis), *_effectiveness_sentences(analysis), *_service_level_sentences(analysis)]
    return [sentence(s) for s in out]


def method_text(analysis: ServicesAnalysis) -> str:
    """How the effectiveness figures are computed, in Finnish, with the parameters in force."""
    settings = analysis.params.areas.services
    return (
        f"*Laskentatapa:* osuus = avoimilla työmarkkinoilla olleet / seuratut eli palvelusta päättyneet, kun "
        f"palvelun päättymisestä on kulunut 3 tai 6 kuukautta; mukana ovat viimeisten "
        f"{settings.effectiveness_window_months} kuukauden seurannat. Kustannus työllistynyttä kohden = palvelun "
        "kustannukset niinä kuukausina, joina seuratut päättivät palvelun / avoimille työmarkkinoille "
        f"työllistyneet. Palvelu jää alle kynnyksen, kun sen osuus {settings.effectiveness_follow_up_months} kk:n "
        f"kohdalla on alle {fmt.percent(settings.effectiveness_threshold_share, 0)} ja seurattuja on vähintään "
        f"{settings.min_followed}. Kynnys on oletus, jonka lautakunta voi vahvistaa tai muuttaa."
    )


# ---- chart titles and alt texts --------------------------------------------------------------------------------


def figure_texts(analysis: ServicesAnalysis) -> dict[str, dict[str, str]]:
    """Titles that state each chart's finding, and the charts' alt texts, keyed by chart (``volumes``,
    ``effectiveness``, ``service_level``)."""
    return {
        "volumes": _volume_texts(analysis),
        "effectiveness": _effectiveness_texts(analysis),
        "service_level": _service_level_texts(analysis),
    }


def _span(months: list[str]) -> str:
    if not months:
        return ""
    if months[0] == months[-1]:
        return fmt.month_inessive(months[0], with_year=True)
    return f"{fmt.month_elative(months[0])} {fmt.as_period(months[0]).year} {fmt.month_name(months[-1])}hun " + str(
        fmt.as_period(months[-1]).year
    )


def _volume_texts(analysis: ServicesAnalysis) -> dict[str, str]:
    period = analysis.period
    shown = volume_display(analysis).set_index("service_type")
    months = sorted(analysis.history["month"].unique().tolist())
    if not analysis.has_volumes:
        title = f"Palvelurekisterin vientiä ei ole {fmt.month_genitive(period)} osalta"
    else:
        title = f"Palveluissa {fmt.month_genitive(period)} lopussa {fmt.count(shown.loc[TOTAL, 'stock'])} henkilöä"
        stocks = analysis.volumes[analysis.volumes["service_type"] != TOTAL].sort_values("stock", ascending=False)
        top = stocks.iloc[0]["service_type"]
        if _is_number(shown.loc[top, "stock"]):
            title += f"; suurin palvelu {_lower(SERVICE_LABELS[top])} ({fmt.count(shown.loc[top, 'stock'])})"
    parts = [
        f"{SERVICE_LABELS[s]} {fmt.count(shown.loc[s, 'stock']) if _is_number(shown.loc[s, 'stock']) else 'peitetty'}"
        for s in SERVICE_TYPES
    ] if analysis.has_volumes else []  # fmt: skip
    alt = (
        "Pinottu pylväskaavio palveluissa olleista henkilöistä kuukauden lopussa palvelutyypeittäin "
        f"{_span(months)}. {title}."
        + (f" {fmt.month(period).capitalize()}: {', '.join(parts)}." if parts else "")
        + " Luvut ovat kuvion alla olevassa taulukossa."
    )
    return {"title": title, "alt": alt}


def _effectiveness_texts(analysis: ServicesAnalysis) -> dict[str, str]:
    settings = analysis.params.areas.services
    shown = effectiveness_display(analysis).set_index("service_type")
    table = analysis.effectiveness.set_index("service_type")
    below = [s for s in SERVICE_TYPES if bool(table.loc[s, "below_threshold"])]
    if below:
        names = join_words([SERVICE_LABELS[s] if i == 0 else _lower(SERVICE_LABELS[s]) for i, s in enumerate(below)])
        verb = "jäi" if len(below) == 1 else "jäivät"
        title = f"{names} {verb} alle {_threshold_words(analysis)}"
    elif table["judged"].any():
        title = f"Kaikki arvioidut palvelut ylittivät {_threshold_words(analysis)}"
    else:
        available = [f for f in FOLLOW_UPS if not analysis.windows[f].empty]
        total = shown.loc[TOTAL]
        if available and _is_number(total[f"share_{available[0]}m"]):
            title = (
                f"Avoimilla työmarkkinoilla {available[0]} kk palvelun jälkeen "
                f"{fmt.percent(total[f'share_{available[0]}m'])} palvelusta päättyneistä"
            )
        else:
            title = "Palvelujen tuloksia ei vielä ole"
    values = []
    for s in SERVICE_TYPES:
        shares = [_share_words(shown.loc[s, f"share_{f}m"]) for f in FOLLOW_UPS]
        values.append(f"{SERVICE_LABELS[s]} {' ja '.join(shares)}")
    has_any = any(not w.empty for w in analysis.windows.values())
    alt = (
        "Vaakapylväskaavio: avoimilla työmarkkinoilla olleiden osuus 3 ja 6 kuukautta palvelun päättymisen jälkeen "
        f"palvelutyypeittäin ja katkoviivana {fmt.percent(settings.effectiveness_threshold_share, 0)} "
        f"vaikuttavuuskynnys. {title}."
        + (f" Osuudet 3 ja 6 kk kohdalla: {'; '.join(values)}." if has_any else "")
        + " Luvut ovat kuvion alla olevassa taulukossa."
    )
    return {"title": title, "alt": alt}


def _share_words(value: object) -> str:
    """A share in an alt text: the percentage, ``peitetty`` when hidden by disclosure control, or ``ei tietoa``."""
    if isinstance(value, str):
        return "peitetty"
    return "ei tietoa" if fmt.is_missing(value) else fmt.percent(value, 0)


def _service_level_texts(analysis: ServicesAnalysis) -> dict[str, str]:
    settings = analysis.params.areas.services
    period = analysis.period
    shown = _level_shown(analysis)
    rows = shown[shown["month"] == str(period)] if len(shown) else shown
    months = shown["month"].tolist() if len(shown) else []
    if len(rows) and _is_number(rows.iloc[0]["deadline_share"]):
        title = (
            f"Alkuhaastatteluista {fmt.percent(rows.iloc[0]['deadline_share'], 0)} määräajassa "
            f"{fmt.month_inessive(period, with_year=True)}; tavoite "
            f"{fmt.percent(settings.initial_interview_target_share, 0)}"
        )
    else:
        title = f"Alkuhaastattelujen määräaikojen toteutumasta ei ole tietoa {fmt.month_genitive(period)} osalta"
    rules = sorted({int(d) for d in shown["deadline_days"]}) if len(shown) else []
    alt = (
        "Viivakaavio kuukausittain "
        f"{_span(months)}: lain määräajassa ({' tai '.join(str(d) for d in rules)} työpäivää, sääntö kuukauden "
        "mukaan) pidettyjen alkuhaastattelujen osuus ja ajallaan pidettyjen työnhakukeskustelujen osuus sekä "
        f"tavoite {fmt.percent(settings.initial_interview_target_share, 0)} vaakaviivana. {title}. "
        "Luvut ovat kuvion alla olevassa taulukossa."
    )
    return {"title": title, "alt": alt}
