# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Palvelut
#
# **Linjaus:** työnhakija ohjataan ensisijaisesti työhön ja vasta sitten palveluun. Palveluvalikoimassa pidetään
# ne palvelut, jotka vievät kestävään työhön tai parantavat selvästi työnhakijan mahdollisuuksia päästä töihin;
# muista luovutaan. Samalla on pidettävä lain määräajat alkuhaastatteluissa ja työnhakukeskusteluissa.
# (Palvelusuunnitelma 2.0, luku 3 Palvelut.)

# %% tags=["parameters"]
period = None  # raportointikuukausi, esim. "2025-06" (oletus: uusin kuukausi, jolta on aineistoa)
workspace = None  # työtilan kansio (oletus: tämä projekti; ilman omaa aineistoa käytetään demoaineistoa)

# %%
from serviceplan.metrics import services, services_text
from serviceplan.metrics.context import setup
from serviceplan.present import charts, disclosure, tables, theme
from serviceplan.present.narrative import bullets

ctx = setup(period, workspace)
analysis = services.analyse_period(ctx)
texts = services_text.figure_texts(analysis)
rule = ctx.params.disclosure
tables.show_markdown(services_text.period_line(analysis))

# %% [markdown]
# ## Tunnusluvut

# %%
tables.show_kpis(
    services.kpis_with_changes(ctx, analysis),
    note="Muutokset verrattuna edellisen kuukauden ja edellisen vuoden saman kuukauden raporttiin; osuuksien "
    "muutokset prosenttiyksikköinä. Vaikuttavuuden tavoite on valtakunnallinen vertailutaso.",
)

# %% [markdown]
# ## Kuukauden havainnot

# %% tags=["pdf"]
tables.show_markdown(bullets(services_text.describe(analysis)))

# %% [markdown]
# ## Palveluissa olevat palvelutyypeittäin
#
# Pylväs on palveluissa olleiden henkilöiden määrä kuukauden lopussa; värit erottavat palvelutyypit.

# %%
figure = charts.stacked_bars(
    services_text.stock_history(analysis),
    x="month",
    stack="service_type",
    value="stock",
    stack_order=services.SERVICE_TYPES,
    stack_labels=services.SERVICE_LABELS,
    title=texts["volumes"]["title"],
    unit="count",
)
charts.show_figure(figure, "services-volumes", texts["volumes"]["alt"])
stock_numbers = services_text.stock_table(analysis)
tables.show_table(
    stock_numbers,
    align=tables.align_right(stock_numbers.columns[1:]),
    title="Kuvion luvut: palveluissa olleet kuukauden lopussa, henkilöä",
)

# %%
tables.show_table(
    services_text.volume_display(analysis)[["label", "starts", "stock", "ends", "stock_year_ago", "cost_eur"]],
    formats={"starts": "count", "stock": "count", "ends": "count", "stock_year_ago": "count", "cost_eur": "eur"},
    headers={
        "label": "Palvelu",
        "starts": "Aloittaneet",
        "stock": "Palvelussa kk:n lopussa",
        "ends": "Päättyneet",
        "stock_year_ago": "Palvelussa vuotta aiemmin",
        "cost_eur": "Kustannus kuukaudessa",
    },
    title=services_text.volume_title(analysis),
    note=disclosure.explanation(rule),
)

# %% [markdown]
# ## Vaikuttavuus: avoimilla työmarkkinoilla palvelun jälkeen
#
# Kuinka suuri osa palvelusta päättyneistä oli avoimilla työmarkkinoilla 3 ja 6 kuukautta palvelun päättymisen
# jälkeen. Palvelut, jotka jäävät vaikuttavuuskynnyksen alle, nostetaan arvioitavaksi: linjauksen mukaan niistä
# luovutaan, elleivät ne selvästi paranna työnhakijan valmiuksia.

# %% tags=["pdf"]
shown = services_text.effectiveness_display(analysis)
if all(window.empty for window in analysis.windows.values()):
    tables.show_markdown(services_text.describe_effectiveness_missing(analysis))
else:
    figure = charts.category_bars(
        shown[shown["service_type"] != services.TOTAL],
        category="service_type",
        bars=[
            charts.Series("share_3m", "3 kk palvelun jälkeen", theme.SKY_BLUE),
            charts.Series("share_6m", "6 kk palvelun jälkeen", theme.BLUE),
        ],
        title=texts["effectiveness"]["title"],
        unit="share",
        labels=services_text.effectiveness_labels(analysis),
        symbol=rule.symbol,
    )
    charts.add_reference_line(figure, *services_text.threshold_line(analysis))
    charts.show_figure(figure, "services-effectiveness", texts["effectiveness"]["alt"])
    tables.show_table(
        shown[services_text.EFFECTIVENESS_COLUMNS],
        formats=services_text.EFFECTIVENESS_FORMATS,
        headers=services_text.effectiveness_headers(analysis),
        title="Kuvion luvut: avoimilla työmarkkinoilla 3 ja 6 kk palvelun päättymisen jälkeen",
        note=disclosure.explanation(rule),
    )
    tables.show_markdown(services_text.method_text(analysis))

# %% [markdown]
# ## Lakisääteinen palvelutaso

# %% tags=["pdf"]
tables.show_markdown(services_text.service_level_intro(analysis))
series = services_text.service_level_series(analysis)
months = series["month"].tolist()
figure = charts.monthly_lines(
    series,
    x="month",
    lines=[
        charts.Series("deadline_share", "Alkuhaastattelu määräajassa", theme.BLUE),
        charts.Series("discussions_share", "Työnhakukeskustelu ajallaan", theme.ORANGE),
    ],
    periods=months,
    title=texts["service_level"]["title"],
    unit="share",
)
charts.add_reference_line(
    figure, ctx.params.areas.services.initial_interview_target_share, services_text.target_label(analysis),
    axis="y", color=theme.BUDGET,
)  # fmt: skip
figure.axes[0].set_ylim(0, 1)  # shares on a 0–100 % scale, so that the target line is not read as the frame
charts.mark_months(figure, months, services_text.rule_changes(analysis))
charts.show_figure(figure, "services-service-level", texts["service_level"]["alt"])
tables.show_table(
    services_text.service_level_display(analysis)[services_text.SERVICE_LEVEL_COLUMNS],
    formats=services_text.SERVICE_LEVEL_FORMATS,
    headers=services_text.SERVICE_LEVEL_HEADERS,
    title="Kuvion luvut: lakisääteinen palvelutaso kuukausittain",
    note=disclosure.explanation(rule),
)
