"""Demo files of the partner network: YAML snapshots, delivered when the network changes.

Real organisations named in the plan or docs/domain.md appear under their own names (Salpaus, Ladec, LAB, LUT,
International House Lahti, Ohjaamo, Päijät-Hämeen hyvinvointialue, KEHA-keskus, Kela, youth services); every
other partner is a clearly generic one ("Yhdistys A", "Valmennusyritys B"). The agreements and links are
illustrations, not the city's real contracts. The snapshots tell the plan's story: the network grows during
2025, the network map work (plan T6.2, due 30.9.2025) adds links between partners, and outcome-based purchases
appear (policy line 5).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from serviceplan.core.periods import Period
from serviceplan.inputs.demo.world import World

# Months a new snapshot is delivered.
SNAPSHOTS = (Period(2025, 1), Period(2025, 6), Period(2025, 10), Period(2026, 1))
P0 = SNAPSHOTS[0]

# (id, organisation, type, listed from)
PARTNERS = [
    ("tyollisyyspalvelut", "Lahden kaupungin työllisyyspalvelut", "kaupungin toimiala", P0),
    ("nuorisopalvelut", "Lahden kaupungin nuorisopalvelut", "kaupungin toimiala", P0),
    ("ohjaamo", "Ohjaamo Lahti", "kaupungin toimiala", P0),
    ("ihl", "International House Lahti", "kaupungin toimiala", P0),
    ("ladec", "Ladec Oy", "yritys", P0),
    ("salpaus", "Koulutuskeskus Salpaus", "oppilaitos", P0),
    ("lab", "LAB-ammattikorkeakoulu", "oppilaitos", P0),
    ("lut", "LUT-yliopisto, Lahden kampus", "oppilaitos", P0),
    ("phhyky", "Päijät-Hämeen hyvinvointialue", "hyvinvointialue", P0),
    ("keha", "KEHA-keskus", "valtio", P0),
    ("kela", "Kela", "valtio", P0),
    ("yhdistys_a", "Yhdistys A", "kolmas sektori", P0),
    ("yhdistys_b", "Yhdistys B", "kolmas sektori", P0),
    ("yhdistys_c", "Yhdistys C", "kolmas sektori", P0),
    ("saatio_a", "Säätiö A", "kolmas sektori", P0),
    ("valmennus_a", "Valmennusyritys A", "yritys", P0),
    ("valmennus_b", "Valmennusyritys B", "yritys", P0),
    ("henkilosto_a", "Henkilöstöpalveluyritys A", "yritys", P0),
    ("hanke_a", "EU-hanke A (ESR+)", "EU-hanke", P0),
    ("yhdistys_d", "Yhdistys D", "kolmas sektori", Period(2025, 6)),
    ("hanke_b", "EU-hanke B (ESR+)", "EU-hanke", Period(2025, 6)),
    ("valmennus_c", "Valmennusyritys C", "yritys", Period(2026, 1)),
]

# (id, partner, service, production mode, outcome-based, start, end, listed from)
AGREEMENTS = [
    ("S01", "tyollisyyspalvelut", "Työnvälitys ja asiakaspalvelu", "oma palvelu", False, date(2025, 1, 1), None, P0),
    ("S02", "ohjaamo", "Ohjaamon matalan kynnyksen palvelu", "oma palvelu", False, date(2025, 1, 1), None, P0),
    ("S03", "ihl", "Maahan muuttaneiden neuvonta", "oma palvelu", False, date(2025, 1, 1), None, P0),
    ("S04", "nuorisopalvelut", "Etsivä nuorisotyö ja työpajat", "oma palvelu", False, date(2025, 1, 1), None, P0),
    ("S05", "salpaus", "Työvoimakoulutus", "sidosyksikkö", False, date(2025, 1, 1), date(2026, 12, 31), P0),
    ("S06", "ladec", "Yrityspalvelut ja rekrytointiyhteistyö", "sidosyksikkö", False, date(2025, 1, 1), None, P0),
    ("S07", "valmennus_a", "Työnhakuvalmennus", "ostopalvelu", False, date(2025, 1, 1), date(2025, 12, 31), P0),
    ("S08", "valmennus_b", "Uravalmennus", "ostopalvelu", False, date(2025, 1, 1), date(2025, 12, 31), P0),
    ("S09", "henkilosto_a", "Rekrytointikoulutus", "ostopalvelu", False, date(2025, 2, 1), date(2026, 1, 31), P0),
    ("S10", "yhdistys_a", "Nuorten työpaja", "kumppanuus", False, date(2025, 1, 1), date(2026, 12, 31), P0),
    ("S11", "yhdistys_b", "Työkokeilupaikat", "kumppanuus", False, date(2025, 1, 1), None, P0),
    ("S12", "yhdistys_c", "Maahan muuttaneiden työelämävalmennus", "kumppanuus", False, date(2025, 1, 1), None, P0),
    ("S13", "hanke_a", "Nuorten työllistymispolut", "kumppanuus", False, date(2024, 9, 1), date(2026, 8, 31), P0),
    ("S14", "lab", "Osaamiskartoitukset korkeakoulutetuille", "kumppanuus", False, date(2025, 3, 1), None, P0),
    (
        "S15",
        "saatio_a",
        "Välityömarkkinoiden työhönvalmennus",
        "ostopalvelu",
        True,
        date(2025, 7, 1),
        date(2026, 6, 30),
        Period(2025, 6),
    ),
    (
        "S16",
        "yhdistys_d",
        "Kotoutujien vapaaehtoistoiminta",
        "kumppanuus",
        False,
        date(2025, 6, 1),
        None,
        Period(2025, 6),
    ),
    (
        "S17",
        "hanke_b",
        "Työnantajien monimuotoinen rekrytointi",
        "kumppanuus",
        False,
        date(2025, 9, 1),
        None,
        Period(2025, 6),
    ),
    (
        "S18",
        "salpaus",
        "Ohjaamon kaltainen nuorten ohjaus",
        "kumppanuus",
        False,
        date(2025, 10, 1),
        None,
        Period(2025, 10),
    ),
    (
        "S19",
        "valmennus_a",
        "Työnhakuvalmennus, tulosperusteinen",
        "ostopalvelu",
        True,
        date(2026, 1, 1),
        date(2026, 12, 31),
        Period(2025, 10),
    ),
    (
        "S20",
        "valmennus_c",
        "Uravalmennus, tulosperusteinen",
        "ostopalvelu",
        True,
        date(2026, 1, 1),
        date(2027, 12, 31),
        Period(2026, 1),
    ),
]

# (partner, other partner, kind, weight 1-5, listed from)
LINKS = [
    ("tyollisyyspalvelut", "ohjaamo", "palveluyhteistyö", 5, P0),
    ("tyollisyyspalvelut", "ihl", "palveluyhteistyö", 4, P0),
    ("tyollisyyspalvelut", "nuorisopalvelut", "asiakasohjaus", 3, P0),
    ("tyollisyyspalvelut", "ladec", "palveluyhteistyö", 4, P0),
    ("tyollisyyspalvelut", "salpaus", "palveluyhteistyö", 5, P0),
    ("tyollisyyspalvelut", "lab", "palveluyhteistyö", 2, P0),
    ("tyollisyyspalvelut", "lut", "tiedonvaihto", 1, P0),
    ("tyollisyyspalvelut", "phhyky", "asiakasohjaus", 4, P0),
    ("tyollisyyspalvelut", "keha", "tiedonvaihto", 3, P0),
    ("tyollisyyspalvelut", "kela", "tiedonvaihto", 3, P0),
    ("tyollisyyspalvelut", "yhdistys_a", "rahoitus", 3, P0),
    ("tyollisyyspalvelut", "yhdistys_b", "asiakasohjaus", 2, P0),
    ("tyollisyyspalvelut", "yhdistys_c", "asiakasohjaus", 2, P0),
    ("tyollisyyspalvelut", "saatio_a", "asiakasohjaus", 2, P0),
    ("tyollisyyspalvelut", "valmennus_a", "asiakasohjaus", 3, P0),
    ("tyollisyyspalvelut", "valmennus_b", "asiakasohjaus", 2, P0),
    ("tyollisyyspalvelut", "henkilosto_a", "palveluyhteistyö", 2, P0),
    ("tyollisyyspalvelut", "hanke_a", "rahoitus", 3, P0),
    ("ohjaamo", "nuorisopalvelut", "palveluyhteistyö", 4, P0),
    ("ohjaamo", "phhyky", "asiakasohjaus", 3, P0),
    ("ladec", "lab", "palveluyhteistyö", 2, P0),
    ("salpaus", "hanke_a", "palveluyhteistyö", 3, P0),
    ("phhyky", "yhdistys_b", "asiakasohjaus", 2, P0),
    ("tyollisyyspalvelut", "yhdistys_d", "asiakasohjaus", 1, Period(2025, 6)),
    ("tyollisyyspalvelut", "hanke_b", "rahoitus", 2, Period(2025, 6)),
    ("ihl", "yhdistys_d", "palveluyhteistyö", 3, Period(2025, 6)),
    # the network map (T6.2) makes the partners' own cooperation visible
    ("ohjaamo", "salpaus", "palveluyhteistyö", 4, Period(2025, 10)),
    ("salpaus", "ladec", "palveluyhteistyö", 3, Period(2025, 10)),
    ("lab", "lut", "tiedonvaihto", 2, Period(2025, 10)),
    ("ihl", "yhdistys_c", "asiakasohjaus", 3, Period(2025, 10)),
    ("hanke_b", "ladec", "palveluyhteistyö", 2, Period(2025, 10)),
    ("keha", "kela", "tiedonvaihto", 2, Period(2025, 10)),
    ("saatio_a", "phhyky", "asiakasohjaus", 2, Period(2025, 10)),
    ("tyollisyyspalvelut", "valmennus_c", "asiakasohjaus", 2, Period(2026, 1)),
]


def _yes_no(flag: bool) -> str:
    return "kyllä" if flag else "ei"


def snapshot(period: Period) -> dict[str, object]:
    """The network as listed in the snapshot delivered for ``period``.

    An agreement is listed from its listing month until it has ended before the snapshot month.
    """
    partners = [
        {"tunnus": pid, "organisaatio": name, "tyyppi": kind} for pid, name, kind, since in PARTNERS if since <= period
    ]
    agreements = [
        {
            "tunnus": aid,
            "kumppani": partner,
            "palvelu": service,
            "tuotantotapa": mode,
            "tulosperusteinen": _yes_no(outcome),
            "alkaa": start,
            "päättyy": end,
        }
        for aid, partner, service, mode, outcome, start, end, since in AGREEMENTS
        if since <= period and (end is None or end >= period.first_day)
    ]
    links = [
        {"osapuoli": a, "toinen osapuoli": b, "laji": kind, "paino": weight}
        for a, b, kind, weight, since in LINKS
        if since <= period
    ]
    return {"kausi": str(period), "kumppanit": partners, "sopimukset": agreements, "yhteydet": links}


HEADER = (
    "# Lahden työllisyyspalvelujen kumppaniverkosto (demoaineisto).\n"
    "# Voimassa kuukaudesta 'kausi' alkaen, kunnes uusi tiedosto toimitetaan.\n"
)


def write_snapshot(content: dict[str, object], path: Path) -> Path:
    """Write one snapshot as the coordinator keeps it: a comment, then the four keys in order."""
    text = yaml.safe_dump(content, allow_unicode=True, sort_keys=False, default_flow_style=False, width=120)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + text, encoding="utf-8")
    return path


def write_partner_network(world: World, raw_dir: Path) -> list[Path]:
    """Write the snapshots delivered up to the demo's last month."""
    return [write_snapshot(snapshot(p), raw_dir / str(p) / f"kumppanit_{p}.yaml") for p in SNAPSHOTS if p <= world.last]
