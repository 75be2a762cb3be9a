# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Kohderyhmät: nuoret ja juuri työttömäksi jääneet
#
# **Linjaus:** työllisyyspalvelut kohdistavat vaikuttavimmat palvelunsa nuoriin ja niihin, joiden työttömyys on
# kestänyt alle puoli vuotta, jotta työttömyys ei ehtisi pitkittyä eivätkä kaupungin etuusmenot kasvaisi. Jokaisella
# alle 25-vuotiaalla asiakkaalla on oma nimetty työntekijä, ja Ohjaamo palvelee kaikkia alle 30-vuotiaita myös
# nimettömästi. (Palvelusuunnitelma 2.0, luku 2 Kohderyhmä.)

# %% tags=["parameters"]
period = None  # raportointikuukausi, esim. "2025-06" (oletus: uusin kuukausi, jolta on aineistoa)
workspace = None  # työtilan kansio (oletus: tämä projekti; ilman omaa aineistoa käytetään demoaineistoa)

# %%
from serviceplan.inputs.sources import customer_events
from serviceplan.metrics import availability, comparison_text, target_groups, target_groups_text
from serviceplan.metrics.context import setup
from serviceplan.present import charts, tables, theme
from serviceplan.present.narrative import bullets

ctx = setup(period, workspace)
analysis = target_groups.analyse_period(ctx)
texts = target_groups_text.figure_texts(analysis)
months = analysis.history()
tables.show_markdown(target_groups_text.period_line(analysis))

# %% [markdown]
# ## Tunnusluvut

# %%
tables.show_kpis(
    target_groups.kpis_with_changes(ctx, analysis),
    note=target_groups_text.kpi_note(analysis),
    hidden=target_groups_text.hidden_kpis(analysis),
    symbol=ctx.params.disclosure.symbol,
)

# %% [markdown]
# ## Kuukauden havainnot

# %% tags=["pdf"]
tables.show_markdown(bullets(target_groups_text.describe(analysis)))

# %% [markdown]
# ## Nuoret työttömät
#
# Työttömät työnhakijat kuukauden lopussa työnvälitystilaston mukaan: alle 25-vuotiaat ja 25–29-vuotiaat.
# Nuorten työttömyys nousee joka kesä, kun opiskelijat ja koulunsa päättäneet ilmoittautuvat työnhakijoiksi.

# %% tags=["pdf"]
youth = target_groups_text.youth_table(analysis, months)
figure = charts.monthly_bars(
    analysis.by_region[analysis.home].reindex(months).reset_index(),
    x="month",
    periods=months,
    bars=[
        charts.Series("under25", "Alle 25-vuotiaat", theme.BLUE),
        charts.Series("age_25_29", "25–29-vuotiaat", theme.ORANGE),
    ],
    title=texts["youth"]["title"],
    unit="count",
)
charts.show_figure(figure, "target-groups-youth", texts["youth"]["alt"])
youth.show()

# %% [markdown]
# ## Juuri työttömäksi jääneet: päättyykö työttömyys ajoissa?

# %% tags=["pdf"]
outflow = target_groups_text.outflow_table(analysis, months)
figure = charts.monthly_lines(
    analysis.compare("outflow_3m", months),
    x="month",
    periods=months,
    lines=[
        charts.Series(code, name, theme.PALETTE[i % len(theme.PALETTE)])
        for i, (code, name) in enumerate(analysis.regions.items())
    ],
    title=texts["outflow"]["title"],
    unit="share",
)
charts.show_figure(figure, "target-groups-outflow", texts["outflow"]["alt"])
outflow.show()
tables.show_markdown(target_groups_text.method_text(analysis))

# %% [markdown]
# ## Työttömyyden pitkittyminen
#
# Työttömät työttömyyden keston mukaan. Yli 12 kuukautta työttömänä olleet ovat pitkäaikaistyöttömiä; heidän
# etuuksistaan kaupunki maksaa suurimman osuuden.

# %%
figure = charts.stacked_bars(
    analysis.by_region[analysis.home]
    .reindex(months)[list(target_groups.DURATIONS)]
    .reset_index()
    .melt(id_vars="month", var_name="duration", value_name="people"),
    x="month",
    stack="duration",
    value="people",
    stack_order=list(target_groups.DURATIONS),
    stack_labels=target_groups.DURATION_LABELS,
    periods=months,
    title=texts["duration"]["title"],
    unit="count",
)
charts.show_figure(figure, "target-groups-duration", texts["duration"]["alt"])
target_groups_text.duration_table(analysis, months).show()

# %% [markdown]
# ## Kunta, maakunta ja koko maa
#
# Alueet ovat eri kokoisia, joten vertailussa ovat osuudet ja asteet, eivät henkilömäärät.

# %%
target_groups_text.comparison_table(analysis).show()

# %% [markdown]
# ## Suurimmat kaupungit: työttömyysaste, nuoret ja pitkäaikaistyöttömät
#
# Kunta 12 suurimman kaupungin joukossa. Sija 1 on paras eli matalin työttömyysaste tai pienin
# pitkäaikaistyöttömien osuus.

# %%
youth_cities = ["unemployment_rate", "youth_unemployment_rate", "long_term_share"]
comparison_text.show_section(analysis.cities, "target-groups-cities", youth_cities, columns=3)

# %% [markdown]
# ## Nimetty omatyöntekijä alle 25-vuotiaille
#
# Suunnitelman mukaan jokainen alle 25-vuotias asiakas saa oman nimetyn työntekijän. Luvut ovat
# asiakastietojärjestelmästä kuukauden lopun tilanteesta.

# %%
advisor_months = analysis.history(first=customer_events.DATASET.first_period)
if not analysis.own_data:
    tables.show_markdown(availability.own_data_note(ctx.params, "Asiakastietojärjestelmän raportti"))
elif analysis.advisor_row() is None:
    tables.show_markdown("Asiakastietojärjestelmän raporttia ei ole tältä kuukaudelta.")
else:
    chart_data = target_groups_text.advisor_chart_data(analysis, advisor_months)
    figure = charts.monthly_bars(
        chart_data,
        x="month",
        periods=list(chart_data["month"]),
        bars=[charts.Series("share", "Nimetty omatyöntekijä, % alle 25-vuotiaista asiakkaista", theme.BLUE)],
        reference=charts.Series("target", "Tavoite", theme.BUDGET),
        title=texts["advisor"]["title"],
        unit="share",
    )
    charts.percent_ticks(figure.axes[0])
    charts.mark_suppressed(figure.axes[0], list(chart_data["hidden"]), ctx.params.disclosure.symbol)
    charts.show_figure(figure, "target-groups-advisor", texts["advisor"]["alt"])
    target_groups_text.advisor_history_table(analysis, advisor_months).show()
    target_groups_text.advisor_month_table(analysis).show()

# %% [markdown]
# ## Ohjaamo
#
# Ohjaamo on alle 30-vuotiaiden matalan kynnyksen palvelupiste, jossa voi asioida myös nimettömästi.

# %%
if not analysis.own_data:
    tables.show_markdown(availability.own_data_note(ctx.params, "Ohjaamon käyntiraportti"))
elif analysis.ohjaamo.empty or str(ctx.period) not in analysis.ohjaamo.index:
    tables.show_markdown("Ohjaamo-käyntejä ei ole raportoitu tältä kuukaudelta.")
else:
    visits = target_groups_text.ohjaamo_chart_data(analysis, advisor_months)
    figure = charts.monthly_bars(
        visits,
        x="month",
        periods=advisor_months,
        bars=[charts.Series(target_groups.OHJAAMO_TOTAL, "Ohjaamo-käynnit", theme.BLUE)],
        title=texts["ohjaamo"]["title"],
        unit="count",
    )
    charts.mark_suppressed(figure.axes[0], list(visits["hidden"]), ctx.params.disclosure.symbol)
    charts.show_figure(figure, "target-groups-ohjaamo", texts["ohjaamo"]["alt"])
    target_groups_text.ohjaamo_table(analysis, advisor_months).show()
