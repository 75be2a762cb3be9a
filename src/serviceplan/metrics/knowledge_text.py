"""Finnish texts of the knowledge-management page, generated from :mod:`serviceplan.metrics.knowledge`.

Every sentence, chart title and alt text is built from an analysed month, so the words cannot disagree with the
figures: each action's state in words, what the month shows, and the display tables of actions, risks and data
deliveries. States are written with a symbol *and* a word, so no reader depends on colour.
"""

from __future__ import annotations

import pandas as pd

from serviceplan.core.periods import Period
from serviceplan.metrics import freshness, plan_status
from serviceplan.metrics.knowledge import BAND_LABELS, BANDS, KnowledgeAnalysis
from serviceplan.present import format as fmt
from serviceplan.present.narrative import join_words, sentence

# Symbols beside the state words (the charts use the same shapes as markers).
ACTION_SYMBOLS: dict[str, str] = {"done": "✔", "on_track": "►", "late": "✖"}
# "○" for a dataset not yet expected: "–" would read as a zero in the report's symbol legend
FRESHNESS_SYMBOLS: dict[str, str] = {"current": "✔", "late": "▲", "missing": "✖", "not_started": "○"}
TITLE_CHARS = 60  # action titles longer than this are shortened in the chart


def noun(count: int, singular: str, partitive: str) -> str:
    """A count with its noun in Finnish: ``1 toimenpide``, ``3 toimenpidettä`` (the partitive after other numbers)."""
    return f"{fmt.count(count)} {singular if count == 1 else partitive}"


def shorten(text: str, limit: int = TITLE_CHARS) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis when cut."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-–")
    return cut + "…"


def _day(value: object) -> str:
    return fmt.day(pd.Timestamp(value).date())


def action_state_text(row: pd.Series, short: bool = False) -> str:
    """An action's state in a few words: ``valmis 28.6.2025``, ``valmis 20.8.2025, 81 pv myöhässä``,
    ``myöhässä 30 pv``, ``aikataulussa, määräaika 30.9.2025`` (``short``: ``aikataulussa``, for a chart that
    shows the deadline) or ``jatkuva, käynnissä``."""
    state = str(row["state"])
    if state == "done":
        text = f"valmis {_day(row['completed_on'])}"
        if bool(row["completed_late"]):
            text += f", {int(row['days_past_deadline'])} pv myöhässä"
        return text
    if state == "late":
        return f"myöhässä {int(row['days_past_deadline'])} pv"
    if pd.isna(row["deadline"]):
        return "jatkuva, " + plan_status.REPORTED_LABELS.get(str(row["reported_status"]), "ei tietoa")
    return "aikataulussa" if short else f"aikataulussa, määräaika {_day(row['deadline'])}"


def state_word(state: str) -> str:
    """An action state as symbol and word: ``✖ myöhässä``."""
    return f"{ACTION_SYMBOLS[state]}\u00a0{plan_status.STATE_LABELS[state]}"  # no-break space: one line


def actions_table(analysis: KnowledgeAnalysis) -> pd.DataFrame:
    """The actions for showing, in timeline order: id, title, the plan's schedule, the state and its detail, and
    the note of the latest status update."""
    rows = []
    for _, row in analysis.status.iterrows():
        rows.append(
            {
                "Tunnus": str(row["action_id"]),
                "Toimenpide": str(row["title"]),
                "Määräaika": "jatkuva" if pd.isna(row["deadline"]) else _day(row["deadline"]),
                "Tila": state_word(str(row["state"])),
                "Tarkemmin": action_state_text(row),
                "Huomio": "" if pd.isna(row["note"]) else str(row["note"]),
            }
        )
    return pd.DataFrame(rows, columns=["Tunnus", "Toimenpide", "Määräaika", "Tila", "Tarkemmin", "Huomio"])


def timeline_rows(analysis: KnowledgeAnalysis) -> pd.DataFrame:
    """The rows of the timeline chart in timeline order: ``label`` (id and shortened title), ``deadline``,
    ``completed_on``, ``state`` and ``state_text`` (symbol and words)."""
    status = analysis.status
    return pd.DataFrame(
        {
            "label": [f"{a} {shorten(t)}" for a, t in zip(status["action_id"], status["title"], strict=True)],
            "deadline": status["deadline"],
            "completed_on": status["completed_on"],
            "state": status["state"].astype(str),
            "state_text": [
                f"{ACTION_SYMBOLS[str(r['state'])]} {action_state_text(r, short=True)}" for _, r in status.iterrows()
            ],
        }
    )


def dataset_labels(analysis: KnowledgeAnalysis) -> dict[str, str]:
    """Short Finnish names of the datasets, for chart rows."""
    return {
        str(r["dataset"]): shorten(freshness.short_title(str(r["title"])), 45) for _, r in analysis.freshness.iterrows()
    }


def _ids(frame: pd.DataFrame) -> str:
    return join_words([str(a) for a in frame["action_id"]])


def describe(analysis: KnowledgeAnalysis) -> list[str]:
    """A few Finnish sentences on the month: where the plan's actions stand, what was finished, what is late and
    what falls due next, the risk register, and whether the data is complete and current."""
    period = analysis.period
    out = []
    if not analysis.plan_started:
        out.append(
            f"Palvelusuunnitelma hyväksyttiin {fmt.day(analysis.plan.info.date)}, joten toimenpiteitä ei "
            f"vielä seurattu {fmt.month_inessive(period, with_year=True)}"
        )
    else:
        counts = analysis.action_counts()
        out.append(
            f"{fmt.month_genitive(period).capitalize()} {fmt.year(period)} lopussa suunnitelman "
            f"{fmt.count(counts['total'])} toimenpiteestä {fmt.count(counts['done'])} on valmiina, "
            f"{fmt.count(counts['on_track'])} etenee aikataulussa ja {fmt.count(counts['late'])} on myöhässä"
        )
        done_now = analysis.completed_this_month()
        if len(done_now):
            how_many = noun(len(done_now), "toimenpide", "toimenpidettä")
            out.append(
                f"{fmt.month_genitive(period).capitalize()} tilannekatsauksessa valmiiksi kirjattiin {how_many}: "
                f"{_ids(done_now)}"
            )
        late = analysis.late_actions()
        for _, row in late.iterrows():
            text = (
                f"Myöhässä: {row['action_id']} {row['title']} (määräaika {_day(row['deadline'])}, "
                f"{fmt.count(int(row['days_past_deadline']))} päivää sitten)"
            )
            if str(row["note"]):
                text += f". Tilannekatsauksen huomio: {str(row['note']).rstrip('.')}"
            out.append(text)
        upcoming = analysis.upcoming()
        months = analysis.params.upcoming_months
        if len(upcoming):
            items = [f"{r['action_id']} ({_day(r['deadline'])})" for _, r in upcoming.iterrows()]
            how_many = noun(len(upcoming), "toimenpide", "toimenpidettä")
            out.append(f"Seuraavan {months} kuukauden aikana erääntyy {how_many}: {join_words(items)}")
        else:
            out.append(f"Seuraavan {months} kuukauden aikana ei eräänny yhtään keskeneräistä toimenpidettä")
    out.append(risk_sentence(analysis))
    out.extend(freshness_sentences(analysis))
    return [sentence(s) for s in out]


def risk_sentence(analysis: KnowledgeAnalysis) -> str:
    """The risk register in one sentence: how many risks in each band, and which are high."""
    counts = analysis.risk_counts()
    high = analysis.risks[analysis.risks["band"] == "high"]
    text = (
        f"Riskirekisterin {fmt.count(len(analysis.risks))} riskistä {fmt.count(counts['high'])} on arvioitu "
        f"korkeiksi, {fmt.count(counts['medium'])} kohtalaisiksi ja {fmt.count(counts['low'])} mataliksi"
    )
    if len(high):
        text += f"; korkeat ovat {join_words(sorted(high['risk_id'].astype(str), key=lambda r: int(r[1:])))}"
    return text


def freshness_sentences(analysis: KnowledgeAnalysis) -> list[str]:
    """Whether the data is current and complete, and how fresh the public statistics are."""
    table = analysis.freshness
    tally = freshness.counts(table)
    out = []
    if tally["expected"] and tally["current"] == tally["expected"]:
        out.append(f"Kaikki {fmt.count(tally['expected'])} tälle kuukaudelle odotettua aineistoa ovat ajan tasalla")
    else:
        behind = table[table["state"].isin(["late", "missing"])]
        names = [
            f"{freshness.short_title(str(r['title']))} ({freshness.STATE_LABELS[str(r['state'])]})"
            for _, r in behind.iterrows()
        ]
        out.append(
            f"Odotetuista {fmt.count(tally['expected'])} aineistosta {fmt.count(tally['current'])} on ajan tasalla; "
            f"puutteita: {join_words(names)}"
        )
    if tally["months_missing"]:
        gaps = table[table["months_missing"].fillna(0) > 0]
        items = [
            f"{freshness.short_title(str(r['title']))}: {_month_list(str(r['missing_list']))}"
            for _, r in gaps.iterrows()
        ]
        out.append(f"Puuttuvia kuukausitoimituksia on {fmt.count(tally['months_missing'])} ({'; '.join(items)})")
    else:
        out.append("Kuukausittaisista toimituksista ei puutu yhtään kuukautta")
    stats = analysis.statfin
    if len(stats) and stats["newest_month"].notna().any():
        newest = str(stats["newest_month"].dropna().min())
        updated = pd.Timestamp(stats["updated"].max())
        out.append(
            f"Työnvälitystilaston uusin kuukausi on {fmt.month(newest)} (kaikissa {len(stats)} taulukossa), ja "
            f"Tilastokeskus päivitti tiedot viimeksi {fmt.day(updated.date())}"
        )
    return out


def _month(value: str) -> str:
    """A short month that does not break across lines in a table cell: ``kesä\u00a02025``."""
    return fmt.month_short(value).replace(" ", fmt.NBSP)


def _month_list(text: str) -> str:
    months = [m.strip() for m in text.split(",") if m.strip()]
    return ", ".join(fmt.month_short(m) for m in months)


def freshness_display(analysis: KnowledgeAnalysis) -> pd.DataFrame:
    """The freshness table for showing: dataset, who delivers it, newest delivery, months missing, state."""
    rows = []
    for _, row in analysis.freshness.iterrows():
        required = bool(row["required"])
        missing, newest = row["months_missing"], row["newest_delivery"]
        rows.append(
            {
                "Aineisto": freshness.short_title(str(row["title"])),
                "Toimittaja": freshness.short_title(str(row["owner"]).split(";")[0]),
                "Alkaen": _month(str(row["first_period"])),
                "Uusin toimitus": fmt.MISSING if pd.isna(newest) else _month(str(newest)),
                "Toimituksia": fmt.count(int(row["delivered_months"])),
                "Puuttuvat kuukaudet": (
                    "tilannekuva muutoksista"
                    if not required
                    else fmt.MISSING
                    if pd.isna(missing)
                    else fmt.count(int(missing))
                    + (f" ({_month_list(str(row['missing_list']))})" if int(missing) else "")
                ),
                "Tila": f"{FRESHNESS_SYMBOLS[str(row['state'])]}\u00a0{freshness.STATE_LABELS[str(row['state'])]}",
            }
        )
    columns = ["Aineisto", "Toimittaja", "Alkaen", "Uusin toimitus", "Toimituksia", "Puuttuvat kuukaudet", "Tila"]
    return pd.DataFrame(rows, columns=columns)


def statfin_display(analysis: KnowledgeAnalysis) -> pd.DataFrame:
    """The statistics tables with their newest month, Statistics Finland's update date and our delivery month."""
    rows = [
        {
            "Taulukko": f"{row['table']}: {row['title']}" if str(row["title"]) else str(row["table"]),
            "Uusin tilastokuukausi": fmt.MISSING
            if pd.isna(row["newest_month"])
            else fmt.month_short(str(row["newest_month"])),
            "Päivitetty": fmt.day(pd.Timestamp(row["updated"]).date()),
            "Haettu kuukauden": fmt.month_short(str(row["delivery"])),
        }
        for _, row in analysis.statfin.iterrows()
    ]
    return pd.DataFrame(rows, columns=["Taulukko", "Uusin tilastokuukausi", "Päivitetty", "Haettu kuukauden"])


def risks_display(analysis: KnowledgeAnalysis) -> pd.DataFrame:
    """The risk register for showing, highest score first."""
    rows = [
        {
            "Tunnus": str(r["risk_id"]),
            "Riski": str(r["title"]),
            "Todennäköisyys": str(int(r["likelihood"])),
            "Vaikutus": str(int(r["impact"])),
            "Pisteet": str(int(r["score"])),
            "Taso": BAND_LABELS[str(r["band"])],
            "Osa-alueet": str(r["areas"]),
            "Perustelu": str(r["rationale"]),
        }
        for _, r in analysis.risks.iterrows()
    ]
    columns = ["Tunnus", "Riski", "Todennäköisyys", "Vaikutus", "Pisteet", "Taso", "Osa-alueet", "Perustelu"]
    return pd.DataFrame(rows, columns=columns)


def band_rule(analysis: KnowledgeAnalysis) -> str:
    """How the bands are set, in Finnish (from the parameters)."""
    bands = analysis.params.risk_bands
    return (
        f"Pisteet = todennäköisyys × vaikutus (kumpikin 1–5). Taso: {BAND_LABELS['high']} vähintään {bands.high}, "
        f"{BAND_LABELS['medium']} {bands.medium}–{bands.high - 1}, {BAND_LABELS['low']} alle {bands.medium} pistettä. "
        f"Luokitus on {analysis.plan.assessment.kind}: {analysis.plan.assessment.by}."
    )


def figure_texts(analysis: KnowledgeAnalysis) -> dict[str, dict[str, str]]:
    """Titles that state each chart's finding and the charts' alt texts: ``timeline``, ``risks``, ``deliveries``."""
    period = analysis.period
    counts = analysis.action_counts()
    late = analysis.late_actions()
    if not analysis.plan_started:
        timeline_title = "Suunnitelman toimenpiteitä ei vielä seurattu"
    elif len(late):
        timeline_title = (
            f"{noun(len(late), 'toimenpide', 'toimenpidettä')} on myöhässä {fmt.month_genitive(period)} "
            f"{fmt.year(period)} lopussa: "
            f"{_ids(late)}"
        )
    elif counts["due"]:
        timeline_title = f"Kaikki {fmt.count(counts['due'])} määräajan ohittanutta toimenpidettä ovat valmiita"
    else:
        timeline_title = "Yhdenkään toimenpiteen määräaika ei ole vielä umpeutunut"
    states = ", ".join(f"{plan_status.STATE_LABELS[s]} {fmt.count(counts[s])}" for s in plan_status.STATES)
    risk_counts = analysis.risk_counts()
    high = analysis.risks[analysis.risks["band"] == "high"]
    if len(high):
        risk_title = (
            f"{fmt.count(len(analysis.risks))} riskistä {fmt.count(len(high))} on arvioitu korkeiksi: "
            f"{join_words(sorted(high['risk_id'].astype(str), key=lambda r: int(r[1:])))}"
        )
    else:
        risk_title = "Yhtään riskiä ei ole arvioitu korkeaksi"
    cells = "; ".join(
        f"{r['risk_id']} todennäköisyys {int(r['likelihood'])}, vaikutus {int(r['impact'])}"
        for _, r in analysis.risks.iterrows()
    )
    tally = freshness.counts(analysis.freshness)
    if tally["months_missing"]:
        delivery_title = f"{noun(tally['months_missing'], 'kuukausitoimitus puuttuu', 'kuukausitoimitusta puuttuu')}"
    elif tally["current"] == tally["expected"]:
        delivery_title = f"Kaikki aineistot on toimitettu {fmt.month_name(period)}hun {fmt.year(period)} asti"
    else:
        delivery_title = f"{noun(tally['expected'] - tally['current'], 'aineisto', 'aineistoa')} ei ole ajan tasalla"
    first, last = analysis.grid_months[0], analysis.grid_months[-1]
    return {
        "timeline": {
            "title": timeline_title,
            "alt": (
                f"Aikajana palvelusuunnitelman {fmt.count(counts['total'])} toimenpiteestä määräaikoineen "
                f"{fmt.month_genitive(period)} {fmt.year(period)} lopun tilanteessa ({states}). {timeline_title}. "
                "Jokaisen toimenpiteen tila on myös kuvion alla olevassa taulukossa."
            ),
        },
        "risks": {
            "title": risk_title,
            "alt": (
                "Riskimatriisi, jossa vaaka-akselilla todennäköisyys ja pystyakselilla vaikutus asteikolla 1–5. "
                f"{risk_title}. Tasot: "
                + ", ".join(f"{BAND_LABELS[b]} {risk_counts[b]}" for b in BANDS)
                + f". Sijainnit: {cells}. Riskit ovat myös kuvion alla olevassa taulukossa."
            ),
        },
        "deliveries": {
            "title": delivery_title,
            "alt": (
                f"Ruudukko aineistojen kuukausitoimituksista {fmt.month_short(first)} – {fmt.month_short(last)}: "
                f"rivi kullekin {len(analysis.freshness)} aineistolle ja sarake kullekin kuukaudelle. "
                f"{delivery_title}. Odotetuista {tally['expected']} aineistosta {tally['current']} on ajan tasalla. "
                "Tiedot ovat myös kuvion alla olevassa taulukossa."
            ),
        },
    }


def period_line(analysis: KnowledgeAnalysis) -> str:
    """The page's first line: the report month and the date the states refer to."""
    period: Period = analysis.period
    return (
        f"Raportointikuukausi: **{fmt.month(period)}**. Toimenpiteiden tila on laskettu kuukauden viimeisen päivän "
        f"({fmt.day(period.last_day)}) mukaan määräajoista ja kaupungin kuukausittaisesta tilannekatsauksesta."
    )
