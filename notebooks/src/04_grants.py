# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Vapaaehtoiset avustukset
#
# **Linjaus:** kaupungin omia, lakiin perustumattomia avustuksia arvioidaan kriittisesti. Avustusmuoto jatkuu
# ja kehittyy, jos se auttaa ihmisiä työhön ja tukee kaupungin ja TE-uudistuksen tavoitteita; muuten siitä
# luovutaan, ja tilalle etsitään vaikuttavampia keinoja. (Palvelusuunnitelma 2.0, luku 4 Vapaaehtoiset
# avustukset.)

# %% tags=["parameters"]
period = None  # raportointikuukausi, esim. "2025-06" (oletus: uusin kuukausi, jolta on aineistoa)
workspace = None  # työtilan kansio (oletus: tämä projekti; ilman omaa aineistoa käytetään demoaineistoa)

# %%
from serviceplan.metrics import grants, grants_text
from serviceplan.metrics.context import setup
from serviceplan.present import charts, disclosure, tables, theme
from serviceplan.present.narrative import bullets

ctx = setup(period, workspace)
analysis = grants.analyse_period(ctx)
texts = grants_text.figure_texts(analysis)
rule = ctx.params.disclosure
tables.show_markdown(grants_text.period_line(analysis))

# %% [markdown]
# ## Tunnusluvut

# %%
tables.show_kpis(
    grants.kpis_with_changes(ctx, analysis),
    note="Muutokset verrattuna edellisen kuukauden ja edellisen vuoden saman kuukauden raporttiin; osuuksien "
    "muutokset prosenttiyksikköinä. Maksujen tavoite on kauden budjetti (vuoden budjetti jaksotettuna kuukausille).",
)

# %% [markdown]
# ## Kuukauden havainnot

# %% tags=["pdf"]
tables.show_markdown(bullets(grants_text.describe(analysis)))

# %% [markdown]
# ## Maksut ja budjetti avustuslajeittain
#
# Sininen pylväs on vuoden alusta maksettu summa ja harmaa pylväs budjetti samalle ajalle (kauden budjetti).
# Kesätyösetelien ja kesäharjoittelijoiden budjetti painottuu kesään, joten niiden kauden budjetti kasvaa
# kesäkuukausina.

# %% tags=["pdf"]
spend = grants_text.spend_display(analysis)
figure = charts.category_bars(
    spend[spend["grant_type"] != grants.TOTAL],
    category="grant_type",
    bars=[
        charts.Series("paid_ytd_eur", "Maksettu vuoden alusta", theme.ACTUAL),
        charts.Series("budget_to_date_eur", "Kauden budjetti", theme.GREY),
    ],
    title=texts["spend"]["title"],
    unit="eur",
    labels=grants.GRANT_LABELS,
)
charts.show_figure(figure, "grants-spend", texts["spend"]["alt"])
tables.show_table(
    spend[grants_text.SPEND_COLUMNS],
    formats=grants_text.SPEND_FORMATS,
    headers=grants_text.SPEND_HEADERS,
    title=grants_text.spend_title(analysis),
)

# %% [markdown]
# ## Maksut kuukausittain

# %%
figure = charts.stacked_bars(
    grants_text.monthly_long(analysis),
    x="month",
    stack="grant_type",
    value="paid_eur",
    stack_order=grants.GRANT_TYPES,
    stack_labels=grants.GRANT_LABELS,
    periods=analysis.monthly["month"].tolist(),
    title=texts["monthly"]["title"],
    unit="eur",
)
charts.show_figure(figure, "grants-monthly", texts["monthly"]["alt"])
monthly_numbers = grants_text.monthly_table(analysis)
tables.show_table(
    monthly_numbers,
    align=tables.align_right(monthly_numbers.columns[1:]),
    title="Kuvion luvut: maksut kuukausittain avustuslajeittain",
)

# %% [markdown]
# ## Päätökset ja saajat

# %%
tables.show_table(
    grants_text.recipients_display(analysis)[grants_text.RECIPIENT_COLUMNS],
    formats=grants_text.RECIPIENT_FORMATS,
    headers=grants_text.RECIPIENT_HEADERS,
    title=grants_text.recipients_title(analysis),
    note=disclosure.explanation(rule),
)

# %% [markdown]
# ## Työsuhteen jatkuminen tuen päätyttyä
#
# Lahti-lisä ja rekrytointipalkkio tukevat työsuhdetta määräajan. Mittari kertoo, kuinka monessa tuetussa
# työsuhteessa työ jatkui tuen päätyttyä. Yhden kuukauden päättyneitä tukia on vähän, joten osuus lasketaan
# kunkin kuukauden kohdalla edeltävien kuukausien yhteenlasketuista luvuista (ks. taulukko).

# %% tags=["pdf"]
series = grants_text.continuation_series(analysis)
figure = charts.monthly_lines(
    series,
    x="month",
    lines=[
        charts.Series(grants.LAHTI_LISA, grants.GRANT_LABELS[grants.LAHTI_LISA], theme.BLUE),
        charts.Series("recruitment_bonus", grants.GRANT_LABELS["recruitment_bonus"], theme.ORANGE),
        charts.Series(grants.FOLLOW_UP_TOTAL, grants.GRANT_LABELS[grants.FOLLOW_UP_TOTAL], theme.GREEN),
    ],
    periods=series["month"].tolist(),
    title=texts["continuation"]["title"],
    unit="share",
)
charts.add_reference_line(
    figure, ctx.params.areas.grants.continuing_target_share, grants_text.continuation_target_label(analysis),
    axis="y", color=theme.BUDGET,
)  # fmt: skip
charts.show_figure(figure, "grants-continuation", texts["continuation"]["alt"])
continuation_numbers = grants_text.continuation_table(analysis)
tables.show_table(
    continuation_numbers,
    align=tables.align_right(continuation_numbers.columns[1:]),
    title=grants_text.continuation_table_title(analysis),
    note=disclosure.explanation(rule),
)
