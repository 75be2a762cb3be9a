# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Yhteenveto
#
# Tämä sivu kokoaa kuukauden tärkeimmät tunnusluvut palvelusuunnitelman osa-alueilta: pysyvätkö ne
# tavoitteissaan ja mikä muuttui eniten edellisestä kuukaudesta. Tarkemmat luvut, kuviot ja selitykset ovat
# osa-alueiden omilla sivuilla. (Palvelusuunnitelma 2.0: linjaukset ja toimenpiteet luvuissa 1–9.)

# %% tags=["parameters"]
period = None  # raportointikuukausi, esim. "2025-06" (oletus: uusin kuukausi, jolta on aineistoa)
workspace = None  # työtilan kansio (oletus: tämä projekti; ilman omaa aineistoa käytetään demoaineistoa)

# %%
from serviceplan.metrics import availability, comparison, comparison_text, summary, summary_text
from serviceplan.metrics.areas import report_areas
from serviceplan.metrics.context import setup
from serviceplan.present import charts, disclosure, summary_charts, tables
from serviceplan.present.narrative import bullets

ctx = setup(period, workspace)
settings = ctx.params.areas.summary
rule = ctx.params.disclosure
kpis, skipped = summary.collect(ctx)
kpis = summary.disclose(kpis, rule, settings.non_person_counts)
public_only = not ctx.params.regions.has_own_data  # another municipality: public statistics only
top = summary.headline(kpis, settings, public_only=public_only)
changes = summary.biggest_changes(kpis, settings, public_only=public_only)
counts = summary.status_counts(kpis)
tiles = summary_text.tiles(top, rule)
texts = summary_text.figure_texts(ctx.period, top, counts, tiles)
tables.show_markdown(summary_text.period_line(ctx.period))

# %% [markdown]
# ## Kuukauden tilanne

# %% tags=["pdf"]
tables.show_markdown(bullets(summary_text.describe(ctx.period, top, changes, skipped)))
if availability.left_out_note(ctx.params):  # a report for another municipality: public statistics only
    tables.show_markdown(availability.left_out_note(ctx.params))

# %% [markdown]
# ## Otsikkotunnusluvut
#
# Liikennevalo kertoo, onko luku tavoitteessaan: ✔ tavoitteessa, ▲ lähellä rajaa (hieman tavoitteen väärällä
# puolella), ✖ poikkeama (selvästi tavoitteen väärällä puolella). Tavoitteet ovat raportin asetuksia, ja
# osa-alueiden sivuilla kerrotaan, mistä kukin tavoite tulee.

# %% tags=["pdf"]
charts.show_figure(
    summary_charts.kpi_tiles(tiles, title=texts["tiles"]["title"]), "summary-headline", texts["tiles"]["alt"]
)
tables.show_table(
    summary_text.headline_display(top, rule),
    align=tables.align_right(["Arvo", "Muutos edell. kk", "Muutos edell. vuodesta", "Tavoite"]),
    title="Kuvion luvut: otsikkotunnusluvut",
    note="Muutos edellisestä kuukaudesta ja edellisen vuoden samasta kuukaudesta; osuuksien muutos "
    "prosenttiyksikköinä. " + disclosure.explanation(rule),
)

# %% [markdown]
# ## Suurimmat kaupungit
#
# Raportin kunta 12 suurimman kaupungin joukossa joka kuukausi: työttömyysaste, alle 25-vuotiaiden ja ulkomaan
# kansalaisten työttömyysasteet, pitkäaikaistyöttömien osuus työttömistä ja avoimet työpaikat työtöntä kohden.

# %%
cities = comparison.analyse_period(ctx)
tables.show_markdown(comparison_text.lead(cities))
comparison_text.show_section(cities, "summary-cities", standings=True)
tables.show_markdown(comparison_text.method_text(cities))

# %% [markdown]
# ## Suurimmat muutokset

# %%
if len(changes):
    tables.show_table(
        summary_text.changes_display(changes),
        align=tables.align_right(["Edellinen kk", "Nyt", "Muutos", "Suhteellinen muutos"]),
        title=f"Kuukauden {len(changes)} suurinta muutosta",
        note=summary_text.changes_rule(settings),
    )
else:
    tables.show_markdown(
        "Yksikään tunnusluku ei muuttunut edellisestä kuukaudesta olennaisesti. " + summary_text.changes_rule(settings)
    )

# %% [markdown]
# ## Tavoitteet osa-alueittain
#
# Kaikki raportin tunnusluvut, joilla on tavoite, tilan mukaan.

# %%
labels = {s: summary_text.status_text(s) for s in summary.STATUSES}
charts.show_figure(
    summary_charts.status_bars(counts, labels=labels, title=texts["status"]["title"]),
    "summary-status-by-area",
    texts["status"]["alt"],
)
tables.show_table(
    summary_text.status_display(counts),
    align=tables.align_right([c for c in summary_text.status_display(counts).columns if c != "Osa-alue"]),
    title="Kuvion luvut: tunnuslukujen tila osa-alueittain",
)

# %% [markdown]
# ## Raportin osat

# %%
tables.show_table(summary_text.areas_display(summary.pages(report_areas(ctx.params))), title="Osa-alueiden sivut")
