# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Tiedolla johtaminen ja suunnitelman toimeenpano
#
# **Linjaus:** palveluja johdetaan ajantasaisen tiedon varassa: suunnitelman jokaisen toimenpiteen etenemistä
# verrataan sen määräaikaan, muutosvaiheen riskit pidetään näkyvillä, ja raportin lähtötietojen kattavuus ja
# tuoreus tarkistetaan joka kuukausi. (Palvelusuunnitelma 2.0, luku 9 Jatkokehittämistoimet, talous ja tiedolla
# johtaminen, sekä luku Muutosvaiheen riskit.)

# %% tags=["parameters"]
period = None  # raportointikuukausi, esim. "2025-06" (oletus: uusin kuukausi, jolta on aineistoa)
workspace = None  # työtilan kansio (oletus: tämä projekti; ilman omaa aineistoa käytetään demoaineistoa)

# %%
from serviceplan.metrics import knowledge, knowledge_text
from serviceplan.metrics.context import setup
from serviceplan.present import charts, knowledge_charts, tables
from serviceplan.present import format as fmt
from serviceplan.present.narrative import bullets

ctx = setup(period, workspace)
analysis = knowledge.analyse_period(ctx)
texts = knowledge_text.figure_texts(analysis)
tables.show_markdown(knowledge_text.period_line(analysis))

# %% [markdown]
# ## Tunnusluvut

# %%
tables.show_kpis(
    knowledge.kpis_with_changes(ctx, analysis),
    note="Muutokset verrattuna edellisen kuukauden ja edellisen vuoden saman kuukauden tilanteeseen. "
    "Tavoitteet ovat raportin oletuksia: suunnitelmassa on määräajat mutta ei sallittua viivettä. Luvut ovat "
    "toimenpiteiden, riskien ja aineistojen määriä, eivät henkilöiden.",
)

# %% [markdown]
# ## Kuukauden havainnot

# %% tags=["pdf"]
tables.show_markdown(bullets(knowledge_text.describe(analysis)))

# %% [markdown]
# ## Suunnitelman toimenpiteet aikajanalla
#
# Jokainen rivi on yksi suunnitelman konkreettinen toimenpide. Musta pystyviiva on määräaika. Tila lasketaan
# määräajasta ja kaupungin kuukausittaisesta tilannekatsauksesta: **valmis** (ympyrä valmistumispäivänä),
# **aikataulussa** (kolmio määräajan kohdalla) tai **myöhässä** (risti tilannepäivänä ja punainen viiva
# ohitetusta määräajasta). Jatkuvilla toimenpiteillä ei ole määräaikaa, joten ne eivät voi myöhästyä. Tila on
# kirjoitettu myös kuvion oikeaan reunaan.

# %% tags=["pdf"]
figure = knowledge_charts.action_timeline(
    knowledge_text.timeline_rows(analysis),
    as_of=ctx.period.last_day,
    as_of_label=f"tilanne {fmt.day(ctx.period.last_day)}",
    title=texts["timeline"]["title"],
)
charts.show_figure(figure, "knowledge-actions-timeline", texts["timeline"]["alt"])
tables.show_table(
    knowledge_text.actions_table(analysis),
    title=f"Kuvion tiedot: toimenpiteiden tila {fmt.day(ctx.period.last_day)}",
    note="Määräaika on tulkittu suunnitelman aikataulusta; huomio on tilannekatsauksesta.",
)

# %% [markdown]
# ## Muutosvaiheen riskit
#
# Suunnitelma nimeää muutosvaiheen riskit arvioimatta niitä. Alla jokainen riski on sijoitettu ruudukkoon
# todennäköisyyden ja vaikutuksen mukaan (kumpikin asteikolla 1–5); ruudun pisteet ovat näiden tulo.

# %% tags=["pdf"]
figure = knowledge_charts.risk_matrix(
    knowledge.risk_cells(analysis.risks),
    band_labels=knowledge.BAND_LABELS,
    band_ranges=knowledge.band_ranges(analysis.params.risk_bands),
    band_of=knowledge.score_bands(analysis.params.risk_bands),
    title=texts["risks"]["title"],
)
charts.show_figure(figure, "knowledge-risk-matrix", texts["risks"]["alt"])
tables.show_table(
    knowledge_text.risks_display(analysis),
    align=tables.align_right(["Todennäköisyys", "Vaikutus", "Pisteet"]),
    title="Kuvion tiedot: riskirekisteri pisteiden mukaan",
    note=knowledge_text.band_rule(analysis),
)

# %% [markdown]
# ## Aineistojen ajantasaisuus ja kattavuus
#
# Raportti on yhtä luotettava kuin sen lähtötiedot. Ruudukko näyttää, minkä kuukauden toimitus kustakin
# aineistosta on saatu. Kuukausittainen aineisto on ajan tasalla, kun raportointikuukauden toimitus on tullut;
# kumppaniverkosto toimitetaan tilannekuvana aina kun verkosto muuttuu, ja uusin tilannekuva on voimassa.

# %%
figure = knowledge_charts.delivery_grid(
    analysis.grid,
    rows=list(analysis.freshness["dataset"].astype(str)),
    row_labels=knowledge_text.dataset_labels(analysis),
    months=analysis.grid_months,
    title=texts["deliveries"]["title"],
)
charts.show_figure(figure, "knowledge-deliveries", texts["deliveries"]["alt"])
tables.show_table(
    knowledge_text.freshness_display(analysis),
    align=tables.align_right(["Toimituksia"]),
    title=f"Kuvion tiedot: aineistot {fmt.month_genitive(ctx.period)} {fmt.year(ctx.period)} lopussa",
    note="Puuttuvat kuukaudet lasketaan aineiston ensimmäisestä kuukaudesta raportointikuukauteen.",
)

# %%
if len(analysis.statfin):
    tables.show_table(
        knowledge_text.statfin_display(analysis),
        title="Työnvälitystilaston taulukot: uusin kuukausi ja Tilastokeskuksen päivityspäivä",
        note="Tilastoa korjataan jälkikäteen; raportti käyttää kunkin luvun uusinta raportointikuukauteen "
        "mennessä haettua versiota. Lähde: KEHA-keskus / Tilastokeskus, lisenssi CC BY 4.0.",
    )
else:
    tables.show_markdown("Työnvälitystilastoa ei ole vielä haettu tälle kuukaudelle.")
