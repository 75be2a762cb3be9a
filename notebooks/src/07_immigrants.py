# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Maahanmuuttajat
#
# **Linjaus:** työtä hakevat maahanmuuttajat saavat toimivat kotoutumis- ja työllistymispalvelut, ja
# kotoutumisajan päätyttyä he siirtyvät oman ammattialansa asiakastiimiin samoin kuin muutkin työnhakijat.
# Palvelut sovitetaan yhteen International House Lahden kanssa, jotta maahan muuttanut saa kaupungissa yhtenäisen
# palvelupolun. (Palvelusuunnitelma 2.0, luku 8 Maahanmuuttajat.)

# %% tags=["parameters"]
period = None  # raportointikuukausi, esim. "2025-06" (oletus: uusin kuukausi, jolta on aineistoa)
workspace = None  # työtilan kansio (oletus: tämä projekti; ilman omaa aineistoa käytetään demoaineistoa)

# %%
from serviceplan.inputs.sources import immigrants as immigrant_source
from serviceplan.metrics import availability, comparison_text, immigrants, immigrants_text
from serviceplan.metrics.context import setup
from serviceplan.present import charts, tables, theme
from serviceplan.present.narrative import bullets

ctx = setup(period, workspace)
analysis = immigrants.analyse_period(ctx)
months = analysis.history()
report_months = [m for m in analysis.history(first=immigrant_source.DATASET.first_period) if m in analysis.totals.index]
texts = immigrants_text.figure_texts(analysis, months, report_months)
symbol = ctx.params.disclosure.symbol
tables.show_markdown(immigrants_text.period_line(analysis))

# %% [markdown]
# ## Tunnusluvut

# %%
tables.show_kpis(
    immigrants.kpis_with_changes(ctx, analysis),
    note=immigrants_text.kpi_note(analysis),
    hidden=immigrants_text.hidden_kpis(analysis),
    symbol=symbol,
)

# %% [markdown]
# ## Kuukauden havainnot

# %% tags=["pdf"]
tables.show_markdown(bullets(immigrants_text.describe(analysis)))

# %% [markdown]
# ## Ulkomaan kansalaiset työttömistä
#
# Työttömät ulkomaan kansalaiset työnvälitystilaston mukaan. Alueet ovat eri kokoisia, joten niitä verrataan
# osuutena kaikista työttömistä.

# %% tags=["pdf"]
figure = charts.monthly_lines(
    analysis.compare("foreign_share", months),
    x="month",
    periods=months,
    lines=[
        charts.Series(code, name, theme.PALETTE[i % len(theme.PALETTE)])
        for i, (code, name) in enumerate(analysis.regions.items())
    ],
    title=texts["foreign"]["title"],
    unit="share",
)
charts.show_figure(figure, "immigrants-foreign-share", texts["foreign"]["alt"])
immigrants_text.foreign_table(analysis, months).show()

# %% [markdown]
# ## Ulkomaan kansalaisten työttömyysaste suurimmissa kaupungeissa
#
# Kunta 12 suurimman kaupungin joukossa: ulkomaan kansalaisten työttömyysaste (työttömien osuus ulkomaan
# kansalaisten työvoimasta). Sija 1 on matalin aste.

# %%
comparison_text.show_section(analysis.cities, "immigrants-cities", ["foreign_unemployment_rate"], columns=1)

# %% [markdown]
# ## Kotoutumisaika ja kotoutumiskoulutus
#
# Maahanmuuttajapalvelujen asiakkaat, joiden kotoutumisaika on käynnissä, kuukauden lopussa.

# %% tags=["pdf"]
if not analysis.own_data:
    note = availability.own_data_note(
        ctx.params, "Maahanmuuttajapalvelujen kuukausiraportti (tämän ja seuraavien osioiden tiedot)"
    )
    tables.show_markdown(note)
elif not analysis.has_report:
    tables.show_markdown("Maahanmuuttajapalvelujen kuukausiraporttia ei ole tältä kuukaudelta.")
else:
    integration = immigrants_text.chart_data(
        immigrants_text.integration_frame(analysis, report_months), ["in_integration_training", "not_in_training"]
    )
    figure = charts.monthly_bars(
        integration,
        x="month",
        periods=report_months,
        bars=[
            charts.Series("in_integration_training", "Kotoutumiskoulutuksessa", theme.BLUE),
            charts.Series("not_in_training", "Kotoutumisajalla, ei koulutuksessa", theme.ORANGE),
        ],
        title=texts["integration"]["title"],
        unit="count",
    )
    charts.mark_suppressed(figure.axes[0], list(integration["in_integration_training_hidden"]), symbol)
    charts.show_figure(figure, "immigrants-integration", texts["integration"]["alt"])
    immigrants_text.integration_table(analysis, report_months).show()

# %% [markdown]
# ## Siirtymät ammattialatiimeihin kotoutumisajan jälkeen
#
# Suunnitelman mukaan kotoutumisajan päättyessä asiakas siirtyy oman ammattialansa asiakastiimiin. Musta
# vaakaviiva on siirtyneiden määrä, joka vastaisi tavoitetahtia.

# %%
if analysis.has_report:
    moves = immigrants_text.moves_frame(analysis, report_months)
    moves_chart = immigrants_text.chart_data(moves, ["moved_to_occupation_teams"])
    moves_chart["target_moves"] = moves["target_moves"].astype("float64").to_numpy()
    figure = charts.monthly_bars(
        moves_chart,
        x="month",
        periods=report_months,
        bars=[charts.Series("moved_to_occupation_teams", "Siirtyneet ammattialatiimeihin", theme.BLUE)],
        reference=charts.Series("target_moves", "Tavoitetahdin mukainen määrä", theme.BUDGET),
        title=texts["moves"]["title"],
        unit="count",
    )
    charts.mark_suppressed(figure.axes[0], list(moves_chart["moved_to_occupation_teams_hidden"]), symbol)
    charts.show_figure(figure, "immigrants-moves", texts["moves"]["alt"])
    immigrants_text.moves_table(analysis, report_months).show()

# %% [markdown]
# ## Kieliryhmät
#
# Osa kieliryhmistä on pieniä, joten osa luvuista on peitetty tietosuojan vuoksi (merkki ”..”). Kuviossa
# peitetyn luvun kohdalla ei ole pylvästä.

# %%
if analysis.has_report:
    groups = immigrants_text.groups_frame(analysis)
    figure = charts.category_bars(
        groups[groups["group"] != immigrants.TOTAL],
        category="label",
        bars=[
            charts.Series("customers", "Vieraskieliset asiakkaat", theme.BLUE),
            charts.Series("in_integration_period", "Heistä kotoutumisajalla", theme.ORANGE),
        ],
        title=texts["groups"]["title"],
        unit="count",
        symbol=symbol,
    )
    charts.show_figure(figure, "immigrants-language-groups", texts["groups"]["alt"])
    immigrants_text.groups_table(analysis).show()

# %% [markdown]
# ## International House Lahti
#
# Yhteydenotot International House Lahden palvelupisteeseen kuukauden aikana.

# %%
if analysis.has_report:
    contacts = immigrants_text.chart_data(immigrants_text.ihl_frame(analysis, report_months), ["ihl_contacts"])
    figure = charts.monthly_bars(
        contacts,
        x="month",
        periods=report_months,
        bars=[charts.Series("ihl_contacts", "Yhteydenotot", theme.BLUE)],
        title=texts["contacts"]["title"],
        unit="count",
    )
    charts.mark_suppressed(figure.axes[0], list(contacts["ihl_contacts_hidden"]), symbol)
    charts.show_figure(figure, "immigrants-contacts", texts["contacts"]["alt"])
    immigrants_text.ihl_table(analysis, report_months).show()

# %%
tables.show_markdown(immigrants_text.method_text(analysis))
