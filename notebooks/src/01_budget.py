# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Budjetti
#
# **Linjaus:** työllisyyspalvelujen omia toimintakuluja ja kaupungin maksamaa osuutta työttömyysetuuksista
# seurataan kahtena erillisenä kustannuslajina kuukausittain, ja kummankin vuoden lopputulos ennakoidaan.
# Palvelutuotannon on mahduttava budjettiin; jos ennuste näyttää ylitystä, toimintaa sopeutetaan ajoissa.
# (Palvelusuunnitelma 2.0, luku 1 Budjetti.)

# %% tags=["parameters"]
period = None  # raportointikuukausi, esim. "2025-06" (oletus: uusin kuukausi, jolta on aineistoa)
workspace = None  # työtilan kansio (oletus: tämä projekti; ilman omaa aineistoa käytetään demoaineistoa)

# %%
from serviceplan.metrics import budget, budget_text
from serviceplan.metrics.context import setup
from serviceplan.present import charts, disclosure, tables, theme
from serviceplan.present.narrative import bullets

ctx = setup(period, workspace)
analysis = budget.analyse_period(ctx)
texts = budget_text.figure_texts(analysis)
tables.show_markdown(budget_text.period_line(analysis))

# %% [markdown]
# ## Tunnusluvut

# %%
tables.show_kpis(
    budget.kpis_with_changes(ctx, analysis),
    note="Muutokset verrattuna edellisen kuukauden ja edellisen vuoden saman kuukauden raporttiin. "
    "Tavoite on kauden tai vuoden budjetti; tila kertoo, pysyykö luku budjetissa.",
)

# %% [markdown]
# ## Kuukauden havainnot

# %% tags=["pdf"]
tables.show_markdown(bullets(budget_text.describe(analysis)))

# %% [markdown]
# ## Toteuma ja budjetti kuukausittain
#
# Pylväs on kuukauden toteutunut kulu ja musta vaakaviiva saman kuukauden budjetti. Kelan jälkilaskutus
# näkyy kuntaosuuden pylväissä vinoviivoitettuna.

# %% tags=["pdf"]
figure = charts.monthly_bars(
    analysis.lines_monthly(),
    x="month",
    facet="label",
    periods=analysis.year_months,
    bars=[
        charts.Series("regular_eur", "Toteuma"),
        charts.Series("catch_up_eur", "Jälkilaskutus", theme.ORANGE, "///"),
    ],
    reference=charts.Series("budget_eur", "Kuukauden budjetti", theme.BUDGET),
    title=texts["monthly"]["title"],
)
charts.show_figure(figure, "budget-monthly", texts["monthly"]["alt"])
monthly_numbers = tables.wide_table(
    analysis.lines_monthly(),
    index="month",
    group="label",
    values=[tables.Column("actual_eur", reference="budget_eur")],
)
tables.show_table(
    monthly_numbers,
    align=tables.align_right(monthly_numbers.columns[1:]),
    title="Kuvion luvut: toteuma (suluissa budjetti), milj. euroa",
)

# %% [markdown]
# ## Kertymä ja vuoden lopun ennuste

# %% tags=["pdf"]
figure = charts.cumulative_with_band(
    analysis.paths,
    x="month",
    facet="label",
    periods=analysis.year_months,
    actual=charts.Series("cum_actual_eur", "Toteuma vuoden alusta"),
    reference=charts.Series("cum_budget_eur", "Budjetti vuoden alusta", theme.BUDGET),
    point=charts.Series("cum_point_eur", "Ennuste", theme.FORECAST),
    low="cum_low_eur",
    high="cum_high_eur",
    band_label="Ennusteen vaihteluväli",
    title=texts["cumulative"]["title"],
)
charts.show_figure(figure, "budget-cumulative", texts["cumulative"]["alt"])
cumulative_numbers = tables.wide_table(
    analysis.paths,
    index="month",
    group="label",
    values=[
        tables.Column("cum_actual_eur", "toteuma"),
        tables.Column("cum_budget_eur", "budjetti"),
        tables.Column("cum_point_eur", "ennuste", low="cum_low_eur", high="cum_high_eur"),
    ],
)
tables.show_table(
    cumulative_numbers,
    align=tables.align_right(cumulative_numbers.columns[1:]),
    title="Kuvion luvut: kertymä vuoden alusta, milj. euroa (ennusteen vaihteluväli suluissa)",
)

# %%
tables.show_table(
    budget_text.forecast_table(analysis),
    formats={
        "annual_budget_eur": "meur",
        "ytd_eur": "meur",
        "point_eur": "meur",
        "low_eur": "meur",
        "high_eur": "meur",
        "overrun_eur": "meur",
    },
    headers={
        "label": "Budjettirivi",
        "annual_budget_eur": "Budjetti",
        "ytd_eur": "Toteuma vuoden alusta",
        "point_eur": "Ennuste",
        "low_eur": "Alaraja",
        "high_eur": "Yläraja",
        "overrun_eur": "Ennuste − budjetti",
        "exceedance": "Ylitys",
    },
    title="Vuoden lopun ennuste budjettiriveittäin, milj. euroa",
)

# %%
tables.show_markdown(budget_text.method_text(analysis))

# %% [markdown]
# ## Kuntaosuus kertymäluokittain
#
# Kela laskuttaa kaupungilta osuuden työttömyysetuuksista niiden työnhakijoiden osalta, joille on kertynyt
# vähintään 101 etuuspäivää. Osuus kasvaa kertymän mukaan portaittain, joten pitkään työttömänä olleiden
# etuudet painavat laskussa eniten.

# %%
if analysis.day_classes.empty:
    tables.show_markdown("Kelan kuntaosuuslaskuja ei ole vielä tullut, joten kertymäluokittaista erittelyä ei ole.")
else:
    figure = charts.stacked_bars(
        analysis.day_class_history,
        x="month",
        stack="component",
        value="eur",
        stack_order=[*budget.DAY_CLASSES, budget.CATCH_UP],
        stack_labels=budget.DAY_CLASS_LABELS,
        hatched={budget.CATCH_UP},
        title=texts["day_classes"]["title"],
    )
    charts.show_figure(figure, "budget-day-classes", texts["day_classes"]["alt"])
    history_numbers = tables.wide_table(
        analysis.day_class_history, index="month", group="label", values=[tables.Column("eur")]
    )
    tables.show_table(
        history_numbers,
        align=tables.align_right(history_numbers.columns[1:]),
        title="Kuvion luvut: kuntaosuus laskutuskuukausittain, milj. euroa",
    )
    shown = disclosure.suppress(
        analysis.day_classes.set_index("day_class", drop=False),
        ctx.params.disclosure,
        counts=["recipients"],
        derived={c: "recipients" for c in ("benefits_paid_eur", "mean_benefit_eur", "municipal_share_eur")},
        total_row=budget.TOTAL_ROW,
    )
    tables.show_table(
        shown[["label", "recipients", "benefits_paid_eur", "mean_benefit_eur", "step_share", "municipal_share_eur"]],
        formats={
            "recipients": "count",
            "benefits_paid_eur": "eur",
            "mean_benefit_eur": "eur",
            "step_share": "percent0",
            "municipal_share_eur": "eur",
        },
        headers={
            "label": "Kertymäluokka",
            "recipients": "Saajia",
            "benefits_paid_eur": "Maksetut etuudet",
            "mean_benefit_eur": "Etuus / saaja",
            "step_share": "Kunnan osuus",
            "municipal_share_eur": "Kuntaosuus",
        },
        title=budget_text.day_class_table_title(analysis),
        note=disclosure.explanation(ctx.params.disclosure),
    )

# %% [markdown]
# ## Entä jos pitkäaikaistyöttömyys vähenisi?
#
# Laskelma näyttää, paljonko kuntaosuus pienenisi, jos joukko pitkään etuutta saaneita siirtyisi pois
# etuuksilta. Henkilömäärä ja kertymäluokka ovat raportin asetuksia, ja keskimääräinen etuus saajaa kohden on
# Kelan viimeisimmästä laskusta, sama kuin yllä olevassa taulukossa.

# %%
tables.show_markdown(bullets(budget_text.what_if_text(analysis.what_if)))
