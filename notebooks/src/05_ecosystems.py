# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Palvelujen tuottaminen ja ekosysteemit
#
# **Linjaus:** palvelut tuotetaan usean tuottajan voimin – kaupungin omana työnä, sidosyksiköiltä, ostamalla ja
# kumppanuuksina – sen mukaan, mikä vie asiakkaita parhaiten työhön. Ostoissa suositaan sopimuksia, joissa maksu
# perustuu tuloksiin, ja kaupungin omat toimialat, oppilaitokset, yritykset ja järjestöt kootaan
# tavoitteellisesti johdetuksi verkostoksi. (Palvelusuunnitelma 2.0, luku 5 Palvelujen tuottaminen sekä luvut
# 6.1 Sosiaalinen vastuu ja 6.2 Ekosysteemien hyödyntäminen.)

# %% tags=["parameters"]
period = None  # raportointikuukausi, esim. "2025-06" (oletus: uusin kuukausi, jolta on aineistoa)
workspace = None  # työtilan kansio (oletus: tämä projekti; ilman omaa aineistoa käytetään demoaineistoa)

# %%
from serviceplan.metrics import ecosystems, ecosystems_text
from serviceplan.metrics.context import setup
from serviceplan.present import charts, disclosure, network, tables, theme
from serviceplan.present import format as fmt
from serviceplan.present.narrative import bullets

ctx = setup(period, workspace)
analysis = ecosystems.analyse_period(ctx)
texts = ecosystems_text.figure_texts(analysis)
tables.show_markdown(ecosystems_text.period_line(analysis))

# %% [markdown]
# ## Tunnusluvut

# %%
tables.show_kpis(
    ecosystems.kpis_with_changes(ctx, analysis),
    note="Muutokset verrattuna edellisen kuukauden ja edellisen vuoden saman kuukauden raporttiin; osuuksien "
    "muutokset prosenttiyksikköinä. Tavoitteet ovat raportin oletuksia, kunnes jaosto päättää ne.",
)

# %% [markdown]
# ## Kuukauden havainnot

# %% tags=["pdf"]
tables.show_markdown(bullets(ecosystems_text.describe(analysis)))

# %% [markdown]
# ## Tuotantotavat: asiakkaat ja kustannukset
#
# Kuinka suuri osa palveluissa olevista asiakkaista ja palvelujen kustannuksista kuuluu kullekin
# tuotantotavalle. Kun tuotantotavan osuus kustannuksista on suurempi kuin sen osuus asiakkaista, sen palvelu
# maksaa asiakasta kohden keskimääräistä enemmän.

# %% tags=["pdf"]
if analysis.has_services:
    figure = charts.category_bars(
        ecosystems_text.mix_chart_data(analysis),
        category="label",
        bars=[
            charts.Series("stock_share", "Osuus palveluissa olevista asiakkaista", theme.BLUE),
            charts.Series("cost_share", "Osuus kustannuksista", theme.ORANGE, "///"),
        ],
        unit="share",
        symbol=ctx.params.disclosure.symbol,
        title=texts["mix"]["title"],
    )
    charts.show_figure(figure, "ecosystems-mix", texts["mix"]["alt"])
tables.show_table(
    ecosystems_text.mix_display(analysis).drop(columns="mode"),
    formats=ecosystems_text.MIX_FORMATS,
    headers=ecosystems_text.MIX_HEADERS,
    title=f"Kuvion luvut: tuotantotavat, {fmt.month(analysis.period)}",
    note=disclosure.explanation(ctx.params.disclosure),
)

# %% [markdown]
# ## Kustannukset tuotantotavoittain kuukausittain

# %%
if len(analysis.mix_history):
    figure = charts.stacked_bars(
        analysis.mix_history,
        x="month",
        stack="mode",
        value="cost_eur",
        stack_order=ecosystems.MODES,
        stack_labels=ecosystems.MODE_LABELS,
        title=texts["history"]["title"],
    )
    charts.show_figure(figure, "ecosystems-cost-by-mode", texts["history"]["alt"])
    tables.show_table(
        ecosystems_text.history_display(analysis),
        formats=ecosystems_text.HISTORY_FORMATS,
        headers=ecosystems_text.HISTORY_HEADERS,
        title="Kuvion luvut: palvelujen kustannukset tuotantotavoittain, euroa",
    )

# %% [markdown]
# ## Tulosperusteinen hankinta
#
# Tulosperusteisessa sopimuksessa osa palveluntuottajan maksusta riippuu siitä, kuinka moni asiakas työllistyy
# tai etenee palvelusta eteenpäin.

# %% tags=["pdf"]
outcome_numbers = ecosystems_text.outcome_display(analysis)
if outcome_numbers["share"].notna().any():
    figure = charts.monthly_lines(
        outcome_numbers,
        x="month",
        lines=[charts.Series("share", "Tulosperusteisen hankinnan osuus", theme.BLUE)],
        reference=charts.Series("target", "Tavoite", theme.BUDGET),
        unit="share",
        title=texts["outcome"]["title"],
    )
    figure.axes[0].set_ylim(0, 1)  # a share: the whole scale, so that the distance to the target reads true
    charts.show_figure(figure, "ecosystems-outcome-based", texts["outcome"]["alt"])
    tables.show_table(
        ecosystems_text.month_labels(outcome_numbers),
        formats=ecosystems_text.OUTCOME_FORMATS,
        headers=ecosystems_text.outcome_headers(analysis),
        title="Kuvion luvut: tulosperusteinen hankinta kuukausittain",
    )

# %% [markdown]
# ## Kumppaniverkosto
#
# Verkostokartta näyttää työllisyyspalvelujen kumppanit ja niiden väliset yhteistyösuhteet. Suunnitelman mukaan
# verkostokartta ja verkostojen tavoitteellinen johtaminen kuvataan 30.9.2025 mennessä (toimenpide T6.2).

# %%
tables.show_markdown(bullets([ecosystems_text.milestone_sentence(analysis.network_milestone) + "."]))
if analysis.network is not None:
    graph = analysis.network.graph()
    hub = ctx.params.areas.ecosystems.hub_partner_id
    figure = network.network_figure(
        graph,
        ecosystems.network_layout(graph, hub),
        styles=network.node_styles(ecosystems.PARTNER_TYPE_LABELS),
        hub=hub,
        hub_label="Yhteys työllisyyspalveluihin",
        title=texts["network"]["title"],
    )
    charts.show_figure(figure, "ecosystems-network", texts["network"]["alt"])
    tables.show_table(
        ecosystems_text.partners_by_type_display(analysis),
        formats={"partners": "count", "agreements": "count", "hub_links": "count", "partner_link_ends": "count"},
        headers=ecosystems_text.PARTNER_TYPE_HEADERS,
        title="Kumppanit tyypeittäin",
        note="Kahden eri tyyppisen kumppanin välinen yhteys lasketaan kummankin tyypin riville; "
        "yhteensä-rivillä se on mukana kerran.",
    )
    tables.show_table(
        ecosystems_text.agreements_by_mode_display(analysis),
        formats={"agreements": "count", "outcome_based": "count"},
        headers={"label": "Tuotantotapa", "agreements": "Voimassa", "outcome_based": "Tulosperusteisia"},
        title=f"Palvelusopimukset tuotantotavoittain {fmt.day(analysis.period.last_day)}",
    )
    tables.show_table(
        ecosystems_text.partners_display(analysis),
        formats={"agreements": "count"},
        headers={
            "name": "Kumppani",
            "type_label": "Tyyppi",
            "agreements": "Sopimuksia",
            "hub_link": "Yhteistyö työllisyyspalvelujen kanssa",
            "partners_linked": "Yhteistyö muiden kumppanien kanssa",
        },
        title="Kuvion tiedot: kumppanit ja niiden yhteistyösuhteet",
    )

# %% [markdown]
# ## Suunnitelman toimenpiteet
#
# Lukujen 5, 6.1 ja 6.2 konkreettiset toimenpiteet ja niiden tila raportointikuukauden lopussa.

# %%
tables.show_table(
    ecosystems_text.milestones_display(analysis),
    headers=ecosystems_text.MILESTONE_HEADERS,
    title=f"Toimenpiteiden tila {fmt.day(analysis.period.last_day)}",
)

# %%
tables.show_markdown(ecosystems_text.method_text(analysis))
