# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Työnantajapalvelut
#
# **Linjaus:** työnantajat saavat kaupungilta toimivan palvelun: avoimet paikat täytetään nopeasti sopivilla
# työnhakijoilla, ja työtä tehdään yhdessä Ladecin sekä alueen oppilaitosten kanssa, jotta ihmiset pääsevät
# töihin aiempaa nopeammin. (Palvelusuunnitelma 2.0, luku 7 Työnantajapalvelut.)

# %% tags=["parameters"]
period = None  # raportointikuukausi, esim. "2025-06" (oletus: uusin kuukausi, jolta on aineistoa)
workspace = None  # työtilan kansio (oletus: tämä projekti; ilman omaa aineistoa käytetään demoaineistoa)

# %%
from serviceplan.metrics import availability, comparison_text, employer_services, employer_services_text
from serviceplan.metrics.context import setup
from serviceplan.present import charts, disclosure, tables, theme
from serviceplan.present import format as fmt
from serviceplan.present.narrative import bullets

ctx = setup(period, workspace)
analysis = employer_services.analyse_period(ctx)
texts = employer_services_text.figure_texts(analysis)
monthly_numbers = employer_services_text.monthly_display(analysis)
tables.show_markdown(employer_services_text.period_line(analysis))

# %% [markdown]
# ## Tunnusluvut

# %%
tables.show_kpis(
    employer_services.kpis_with_changes(ctx, analysis),
    note=employer_services_text.kpi_note(analysis),
)

# %% [markdown]
# ## Kuukauden havainnot

# %% tags=["pdf"]
tables.show_markdown(bullets(employer_services_text.describe(analysis)))

# %% [markdown]
# ## Avoimet ja täytetyt työpaikat
#
# Työnvälitystilasto kertoo kaikki kunnan TE-palveluihin ilmoitetut avoimet paikat; työnantajapalvelujen
# raportti ne paikat, jotka työnantajat ilmoittivat kaupungin työnantajapalveluille, ja niistä täytetyt.

# %% tags=["pdf"]
vacancy_lines = [
    charts.Series("stat_open_vacancies", "Avoimet, tilasto", theme.BLUE),
    charts.Series("stat_new_vacancies", "Uudet, tilasto", theme.SKY_BLUE),
]
if analysis.own_data:  # the employer services' own report (the city's own data)
    vacancy_lines += [
        charts.Series("received", "Ilmoitetut työnantajapalveluille", theme.ORANGE),
        charts.Series("filled", "Täytetyt", theme.GREEN),
    ]
figure = charts.monthly_lines(
    analysis.monthly,
    x="month",
    lines=vacancy_lines,
    title=texts["vacancies"]["title"],
)
charts.show_figure(figure, "employer_services-vacancies", texts["vacancies"]["alt"])
tables.show_table(
    monthly_numbers[employer_services_text.VACANCY_COLUMNS],
    formats=employer_services_text.VACANCY_FORMATS,
    headers=employer_services_text.VACANCY_HEADERS,
    title="Kuvion luvut: työpaikat kuukausittain",
    note=disclosure.explanation(ctx.params.disclosure),
)

# %% [markdown]
# ## Avoimet työpaikat työtöntä kohden suurimmissa kaupungeissa
#
# Kunta 12 suurimman kaupungin joukossa: avoimia työpaikkoja kuukauden lopussa työtöntä työnhakijaa
# kohden. Sija 1 on eniten paikkoja työtöntä kohden.

# %%
vacancy_cities = ["vacancies_per_unemployed"]
tables.show_markdown(bullets(comparison_text.describe(analysis.cities, vacancy_cities)))
comparison_text.cities_table(analysis.cities, vacancy_cities).show()

# %% [markdown]
# ## Täyttöaika
#
# Kuinka monta päivää kului työpaikan ilmoittamisesta sen täyttämiseen (kuukauden aikana täytetyt paikat).

# %% tags=["pdf"]
if not analysis.own_data:
    note = availability.own_data_note(
        ctx.params, "Työnantajapalvelujen kuukausiraportti (tämän ja seuraavien osioiden tiedot)"
    )
    tables.show_markdown(note)
if analysis.has_report:
    time_numbers = employer_services_text.time_chart_data(analysis)
    figure = charts.monthly_lines(
        time_numbers,
        x="month",
        lines=[
            charts.Series("median_days", "Mediaani", theme.BLUE),
            charts.Series("mean_days", "Keskiarvo", theme.ORANGE),
        ],
        reference=charts.Series("target_median", "Mediaanin tavoite", theme.BUDGET),
        unit="days",
        title=texts["time"]["title"],
    )
    charts.show_figure(figure, "employer_services-time-to-fill", texts["time"]["alt"])
    tables.show_table(
        employer_services_text.month_labels(time_numbers[employer_services_text.TIME_COLUMNS]),
        formats=employer_services_text.TIME_FORMATS,
        headers=employer_services_text.TIME_HEADERS,
        title="Kuvion luvut: täyttöaika ja täytettyjen osuus kuukausittain",
    )

# %% [markdown]
# ## Ammattialoittain

# %%
if analysis.has_report:
    figure = charts.category_bars(
        employer_services_text.field_chart_data(analysis, "received"),
        category="label",
        bars=[
            charts.Series("received", "Ilmoitetut", theme.ORANGE),
            charts.Series("filled", "Täytetyt", theme.GREEN, "///"),
            charts.Series("placements", "Työhön sijoittuneet asiakkaat", theme.BLUE, ".."),
        ],
        symbol=ctx.params.disclosure.symbol,
        title=texts["fields"]["title"],
    )
    charts.show_figure(figure, "employer_services-fields", texts["fields"]["alt"])
    figure = charts.category_bars(
        employer_services_text.field_chart_data(analysis, "median_days"),
        category="label",
        bars=[
            charts.Series("median_days", "Mediaani", theme.BLUE),
            charts.Series("mean_days", "Keskiarvo", theme.ORANGE, "///"),
        ],
        unit="days",
        title=texts["field_times"]["title"],
    )
    charts.show_figure(figure, "employer_services-field-times", texts["field_times"]["alt"])
    shown = employer_services_text.fields_display(analysis)
    tables.show_table(
        shown[["label", "received", "filled", "open", "placements", "fill_rate", "median_days", "mean_days"]],
        formats=employer_services_text.FIELD_FORMATS,
        headers=employer_services_text.FIELD_HEADERS,
        title=f"Kuvioiden luvut: työpaikat ja täyttöaika ammattialoittain, {fmt.month(analysis.period)}",
        note=disclosure.explanation(ctx.params.disclosure),
    )
    tables.show_table(
        shown[["label", "visits", "calls", "events_ladec", "events_education"]],
        formats=employer_services_text.FIELD_FORMATS,
        headers=employer_services_text.FIELD_HEADERS,
        title=f"Yhteydenpito työnantajiin ammattialoittain, {fmt.month(analysis.period)}",
    )

# %% [markdown]
# ## Työnantajakontaktit ja yhteistyö Ladecin ja oppilaitosten kanssa

# %%
if analysis.has_report:
    figure = charts.monthly_bars(
        employer_services_text.contacts_long(analysis),
        x="month",
        facet="measure",
        bars=[charts.Series("value", "Lukumäärä", theme.BLUE)],
        periods=analysis.report_months,
        unit="count",
        title=texts["contacts"]["title"],
    )
    charts.show_figure(figure, "employer_services-contacts", texts["contacts"]["alt"])
    tables.show_table(
        employer_services_text.report_rows(analysis, monthly_numbers)[employer_services_text.CONTACT_COLUMNS],
        formats=employer_services_text.CONTACT_FORMATS,
        headers=employer_services_text.CONTACT_HEADERS,
        title="Kuvion luvut: työnantajakontaktit ja yhteistyötapahtumat kuukausittain",
    )

# %%
tables.show_markdown(employer_services_text.method_text(analysis))
