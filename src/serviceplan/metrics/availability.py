"""What a report for a municipality without the city's own datasets leaves out, said in Finnish.

The public statistics cover every municipality; the city's own datasets (ledger, Kela invoice, client system,
service register, grants, employer and immigrant services, partners, plan actions) are the systems of one city,
``regions.own_data_municipality`` of the parameters. A report for another municipality (``regions.municipality``)
has the public-data pages only (:func:`serviceplan.metrics.areas.report_areas`), and their sections built on the city's
own systems say so instead of failing or, worse, showing another city's figures.
"""

from __future__ import annotations

from serviceplan.core.params import Params
from serviceplan.metrics.areas import own_data_areas

# How a page's first line says that a source of the city's own systems does not cover the reporting municipality.
NOT_FOR_THIS_MUNICIPALITY = "ei saatavilla tälle kunnalle (kaupungin omat tiedot)"


def own_data_note(params: Params, what: str) -> str:
    """A section's note that ``what`` (e.g. "Maahanmuuttajapalvelujen kuukausiraportti") is not available for
    the reporting municipality; empty when the city's own data are its own."""
    regions = params.regions
    if regions.has_own_data:
        return ""
    home, own = regions.home.name, regions.municipalities[regions.own_data_municipality].name
    return (
        f"**Ei saatavilla tälle kunnalle.** {what} on kaupungin omista järjestelmistä. Raportti on tehty "
        f"julkisista tilastoista kunnalle {home}; työtilan omat aineistot kuuluvat kunnalle {own} (parametri "
        "regions.own_data_municipality), joten niitä ei näytetä."
    )


def left_out_note(params: Params) -> str:
    """The front page's note on the pages a report for another municipality leaves out; empty when none is."""
    missing = own_data_areas(params)
    if not missing:
        return ""
    regions = params.regions
    titles = ", ".join(area.title for area in missing)
    return (
        f"Raportti on tehty julkisista tilastoista kunnalle {regions.home.name}. Sivut, jotka tarvitsevat "
        f"kaupungin omia aineistoja (kirjanpito, Kelan laskut, asiakas- ja palvelurekisterit, avustukset, "
        f"kumppanuudet ja suunnitelman toimenpiteet), eivät ole tässä raportissa: {titles}. Ne ovat käytettävissä "
        f"vain kunnalle {regions.municipalities[regions.own_data_municipality].name}, jonka omat aineistot ovat "
        "työtilassa."
    )
