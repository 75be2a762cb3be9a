"""Finnish texts and shown tables of the comparison with the largest cities (:mod:`serviceplan.metrics.comparison`).

Every sentence, title and alt text is built from the ranked figures, so words and numbers cannot disagree. A
missing figure shows the statistics' own symbol (``..`` not available or confidential, ``.`` not applicable)
where the statistics give one, else an en dash. The figures are public statistics of whole cities: no
disclosure control is needed (no counts of people are shown, only rates, shares and ratios).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from serviceplan.metrics.comparison import BY_ID, INDICATORS, Comparison, Indicator, Standing
from serviceplan.present import charts, comparison_charts, tables
from serviceplan.present import format as fmt
from serviceplan.present.narrative import bullets, sentence
from serviceplan.present.tables import Shown


def value_text(indicator: Indicator, value: float) -> str:
    """An indicator value the Finnish way: ``15,9 %`` (shares) or ``0,10`` (vacancies per unemployed)."""
    if fmt.is_missing(value):
        return fmt.MISSING
    return fmt.percent(value) if indicator.unit == "share" else fmt.number(value, 2)


def change_text(indicator: Indicator, change: float) -> str:
    """A change of a value over 12 months: ``+1,2 %-yks.`` (shares) or ``+0,02`` (ratios)."""
    if fmt.is_missing(change):
        return fmt.MISSING
    return fmt.points(change) if indicator.unit == "share" else fmt.number(change, 2, signed=True)


def place_text(rank: float, ranked: int) -> str:
    """``11/12`` (place among the cities ranked that month); an en dash without a place."""
    return fmt.MISSING if fmt.is_missing(rank) else f"{int(rank)}/{ranked}"


def _shown(comparison: Comparison, indicator: Indicator, region: str, month: str | None = None) -> str:
    values = comparison.values[indicator.id]
    month = month or str(comparison.period)
    value = float(values.at[month, region]) if month in values.index else math.nan
    if fmt.is_missing(value) and month == str(comparison.period):
        return comparison.symbols.get((indicator.id, region), fmt.MISSING)
    return value_text(indicator, value)


def _home_name(comparison: Comparison) -> str:
    return comparison.names[comparison.home]


def lead(comparison: Comparison) -> str:
    """The section's first line: who is compared with whom, and how to read a place."""
    others = comparison.size - 1
    return (
        f"{_home_name(comparison)} ja {others} muuta suurinta kaupunkia, {fmt.month(comparison.period)}. Sija 1 "
        "on paras: matalin työttömyysaste tai osuus, eniten avoimia työpaikkoja työtöntä kohden."
    )


def standings_table(comparison: Comparison, indicators: Sequence[str] | None = None) -> Shown:
    """The home's value and place on each indicator now and a year ago, with the group's median and best."""
    home = _home_name(comparison)
    rows = []
    for indicator in _chosen(indicators):
        standing = comparison.standing(indicator.id)
        best = comparison.names.get(standing.best_region or "", fmt.MISSING)
        rows.append(
            {
                "indicator": indicator.label,
                "value": _shown(comparison, indicator, comparison.home),
                "place": place_text(standing.rank, standing.ranked),
                "place_year_ago": place_text(standing.rank_year_ago, standing.ranked_year_ago),
                "value_change": change_text(indicator, standing.value_change),
                "median": value_text(indicator, standing.group_median),
                "best": f"{best} {value_text(indicator, standing.best_value)}",
            }
        )
    headers = {
        "indicator": "Tunnusluku",
        "value": home,
        "place": "Sija",
        "place_year_ago": "Sija vuotta aiemmin",
        "value_change": "Muutos vuodessa",
        "median": "Kaupunkien mediaani",
        "best": "Paras",
    }
    return Shown(
        pd.DataFrame(rows, columns=list(headers)),
        dict.fromkeys(headers, "text"),
        headers,
        title=f"{home} {comparison.size} suurimman kaupungin joukossa, {fmt.month(comparison.period)}",
        note="Sija 1 = paras. Muutos vuodessa: osuuksissa prosenttiyksikköinä, työpaikoissa työtöntä kohden.",
    )


def cities_table(comparison: Comparison, indicators: Sequence[str] | None = None) -> Shown:
    """Every city's value and place on the chosen indicators in the report month, ordered by the first one's
    place; the home's row marked in bold."""
    chosen = _chosen(indicators)
    table = comparison.month_table()
    order = f"{chosen[0].id}_rank"
    table = table.sort_values([order, "name"], na_position="last", kind="stable").reset_index(drop=True)
    rows = []
    for row in table.to_dict("records"):
        name = str(row["name"])
        cells: dict[str, str] = {"name": f"**{name}**" if row["home"] else name}
        for indicator in chosen:
            rank = row[f"{indicator.id}_rank"]
            place = "" if fmt.is_missing(rank) else f" ({int(rank)}.)"
            cells[indicator.id] = _shown(comparison, indicator, str(row["region"])) + place
        rows.append(cells)
    headers = {"name": "Kaupunki", **{i.id: i.label for i in chosen}}
    return Shown(
        pd.DataFrame(rows, columns=list(headers)),
        dict.fromkeys(headers, "text"),
        headers,
        title=f"Suurimmat kaupungit, {fmt.month(comparison.period)}: arvo (sija)",
        note=symbol_note(comparison, chosen),
    )


def symbol_note(comparison: Comparison, indicators: Sequence[Indicator]) -> str:
    """What the symbols shown mean (only those that occur), and where the figures come from."""
    tables = ", ".join(sorted({i.tables for i in indicators}))
    parts = [f"Lähde: työnvälitystilasto (KEHA-keskus / Tilastokeskus, taulukot {tables})."]
    keys = [(i.id, region) for i in indicators for region in comparison.names]
    shown = {comparison.symbols[key] for key in keys if key in comparison.symbols}
    meanings = {
        "..": "tietoa ei ole saatu, se on liian epävarma tai salassa pidettävä",
        "...": "tieto on salassa pidettävä",
        ".": "tieto on epälooginen esitettäväksi",
    }
    for symbol in sorted(shown):
        parts.append(f"{symbol} = {meanings.get(symbol, 'tilaston merkintä')}; kaupunki jää sen kuukauden vertailusta.")
    return " ".join(parts)


def describe(comparison: Comparison, indicators: Sequence[str] | None = None) -> list[str]:
    """One Finnish sentence per indicator: the home's value, its place and how the place moved in a year."""
    home = _home_name(comparison)
    out = []
    for indicator in _chosen(indicators):
        standing = comparison.standing(indicator.id)
        if fmt.is_missing(standing.rank):
            out.append(sentence(f"{indicator.label}: {home} ei ole tämän kuukauden vertailussa (ei lukua)"))
            continue
        position = _position_words(standing)
        before = place_text(standing.rank_year_ago, standing.ranked_year_ago)
        out.append(
            sentence(
                f"{indicator.label} {value_text(indicator, standing.value)}: {home} on sijalla "
                f"{int(standing.rank)}/{standing.ranked}{position}; vuotta aiemmin sija oli {before}"
            )
        )
    return out


def _position_words(standing: Standing) -> str:
    if standing.rank == 1:
        return f" ({standing.indicator.best} {standing.ranked} kaupungista)"
    if standing.rank == standing.ranked:
        worst = {"matalin": "korkein", "pienin": "suurin", "eniten": "vähiten"}[standing.indicator.best]
        return f" ({worst} {standing.ranked} kaupungista)"
    return ""


def figure_texts(comparison: Comparison, months: list[str], indicators: Sequence[str] | None = None) -> dict:
    """Title and alt text of the small-multiples chart: the home's places are the finding."""
    chosen = _chosen(indicators)
    home = _home_name(comparison)
    places = [comparison.standing(i.id) for i in chosen]
    listed = ", ".join(f"{s.indicator.short} {place_text(s.rank, s.ranked)}" for s in places)
    when = fmt.month_inessive(comparison.period, with_year=True)
    title = f"Sijat {comparison.size} suurimman kaupungin joukossa {when}, {home}: {listed}"
    span = f"{fmt.month(months[0])}–{fmt.month(months[-1])}" if months else ""
    details = "; ".join(
        f"{s.indicator.label} {value_text(s.indicator, s.value)}, sija {place_text(s.rank, s.ranked)}" for s in places
    )
    alt = (
        f"Pienet viivakuviot, yksi kutakin tunnuslukua kohden, kuukausittain {span}: {home} paksulla sinisellä "
        f"viivalla, muut {comparison.size - 1} suurinta kaupunkia ohuina harmaina viivoina ja kaupunkien "
        f"mediaani mustalla katkoviivalla. Tilanne {fmt.month(comparison.period)}: {details}."
    )
    return {"title": title, "alt": alt}


def chart_panels(indicators: Sequence[str] | None = None) -> list[tuple[str, str, str]]:
    """The chart's panels: (indicator id, panel title, value unit)."""
    return [(i.id, i.label, i.unit) for i in _chosen(indicators)]


def show_section(
    comparison: Comparison,
    figure_name: str,
    indicators: Sequence[str] | None = None,
    *,
    columns: int = 2,
    standings: bool = False,
) -> None:
    """Show a page's comparison section: the sentences, the small-multiples chart (saved as ``figure_name``) and
    the cities' table (``standings``: the home's standings instead)."""
    months = comparison.chart_months()
    texts = figure_texts(comparison, months, indicators)
    tables.show_markdown(bullets(describe(comparison, indicators)))
    figure = comparison_charts.small_multiples(
        comparison.values,
        panels=chart_panels(indicators),
        home=comparison.home,
        home_label=comparison.names[comparison.home],
        months=months,
        title=texts["title"],
        columns=columns,
    )
    charts.show_figure(figure, figure_name, texts["alt"])
    (standings_table(comparison, indicators) if standings else cities_table(comparison, indicators)).show()


def method_text(comparison: Comparison) -> str:
    """How the comparison is made, for the reader who wants to check it."""
    return (
        f"**Miten vertailu tehdään.** Vertailussa ovat {comparison.size} kaupunkia (parametrit: "
        "vertailuryhmä). Tunnusluvut lasketaan työnvälitystilastosta: työttömyysaste (taulukko 12r5), alle "
        "25-vuotiaiden ja ulkomaan kansalaisten työttömyysasteet (12th ja 12tg), pitkäaikaistyöttömien osuus "
        "työttömistä ja avoimet työpaikat työtöntä kohden (12r5). Kaupungit ovat eri kokoisia, joten vertailussa "
        "ovat asteet ja osuudet, eivät henkilömäärät. Sija 1 on paras; tasaluvut jakavat paremman sijan. "
        "Kaupunki, jolta kuukauden luku puuttuu, jää sen kuukauden vertailusta. Luvut ovat raportointikuukaudelle "
        "tuolloin tunnettuja; tilasto tarkentaa uusimman kuukauden lukuja seuraavassa julkaisussa."
    )


def _chosen(indicators: Sequence[str] | None) -> list[Indicator]:
    return list(INDICATORS) if indicators is None else [BY_ID[i] for i in indicators]
