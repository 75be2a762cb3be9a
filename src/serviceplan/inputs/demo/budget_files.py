"""Demo files of the budget datasets: the finance ledger export and Kela's benefit-share invoices."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from serviceplan.core.finnish_csv import write_finnish_csv
from serviceplan.core.periods import Period, month_range
from serviceplan.inputs.demo.world import CATCH_UP, CITY_FIRST, World
from serviceplan.inputs.sources.kela_invoice import DAY_CLASSES
from serviceplan.inputs.sources.ledger import BUDGET_CLASS_CODES

# (cost centre, name, budget class, {account: (name, share of the class's month)})
COST_CENTRES = [
    (
        "451010",
        "Avustukset ja kesätyö",
        "vapaaehtoinen",
        {"4700": ("Avustukset", 0.85), "4300": ("Palvelujen ostot", 0.15)},
    ),
    (
        "451020",
        "Palkkatuki ja starttiraha",
        "maararahasidonnainen",
        {"4700": ("Avustukset", 0.62), "4300": ("Palvelujen ostot", 0.08)},
    ),
    (
        "451030",
        "Valmennukset ja työvoimakoulutus",
        "maararahasidonnainen",
        {"4300": ("Palvelujen ostot", 0.22), "4400": ("Aineet ja tarvikkeet", 0.01)},
    ),
    ("451040", "Monialainen palvelu (TYP)", "maararahasidonnainen", {"4000": ("Henkilöstökulut", 0.07)}),
    (
        "451050",
        "Asiakaspalvelu ja lakisääteinen palvelutaso",
        "maararahasta_riippumaton",
        {"4000": ("Henkilöstökulut", 0.78), "4300": ("Palvelujen ostot", 0.12), "4800": ("Muut kulut", 0.10)},
    ),
    ("451060", "Muutosturva ja kotoutumiskoulutus", "tarvesidonnainen", {"4300": ("Palvelujen ostot", 1.0)}),
    ("451070", "Työllisyysalueyhteistyö", "toimeksiantotehtava", {"4300": ("Palvelujen ostot", 1.0)}),
]
_LABEL = {code: label for label, code in BUDGET_CLASS_CODES.items()}


def ledger_rows(world: World, period: Period) -> pd.DataFrame:
    """The ledger export rows of one month."""
    costs = world.operating_costs[world.operating_costs["period"] == str(period)].set_index("budget_class")
    rows = []
    for centre, centre_name, budget_class, accounts in COST_CENTRES:
        class_total = float(costs.at[budget_class, "amount_eur"])
        class_shares = sum(s for c in COST_CENTRES if c[2] == budget_class for _, s in c[3].values())
        for account, (account_name, share) in accounts.items():
            rows.append(
                {
                    "Kausi": str(period),
                    "Kustannuspaikka": centre,
                    "Kustannuspaikan nimi": centre_name,
                    "Tili": account,
                    "Tilin nimi": account_name,
                    "Talousarvioluokka": _LABEL[budget_class],
                    "Summa": round(class_total * share / class_shares, 2),
                }
            )
    return pd.DataFrame(rows)


def write_ledger(world: World, raw_dir: Path) -> list[Path]:
    """Write one ledger export a month, 2025-01 onward."""
    return [
        write_finnish_csv(ledger_rows(world, p), raw_dir / str(p) / f"kirjanpito_{p}.csv")
        for p in month_range(CITY_FIRST, world.last)
    ]


def kela_invoice_rows(world: World, billing: Period) -> pd.DataFrame:
    """Kela's invoice of one billing month: the previous benefit month, plus catch-up months where due."""
    recipients = world.benefit_recipients
    months = [billing.shift(-1)]
    if billing in CATCH_UP:
        months = [p for p in month_range(CITY_FIRST, billing.shift(-3))] + months
    rows = []
    for benefit in months:
        factor = CATCH_UP[billing] if benefit != billing.shift(-1) else 1.0
        month_rows = recipients[recipients["benefit_period"] == str(benefit)]
        for rec in month_rows.itertuples(index=False):
            paid = round(rec.benefits_paid_eur * factor, 2)
            rows.append(
                {
                    "Laskutuskuukausi": str(billing),
                    "Etuuskuukausi": str(benefit),
                    "Kunta": "398",
                    "Kertymäluokka": rec.day_class,
                    "Saajat": round(rec.recipients * factor),
                    "Maksetut etuudet": paid,
                    "Kunnan osuus": round(paid * world.benefit_rule.share_for_days(DAY_CLASSES[rec.day_class]), 2),
                }
            )
    return pd.DataFrame(rows)


def write_kela_invoices(world: World, raw_dir: Path) -> list[Path]:
    """Write one Kela invoice a billing month, 2025-02 onward (January's benefits are billed in February)."""
    return [
        write_finnish_csv(kela_invoice_rows(world, p), raw_dir / str(p) / f"kela_kuntaosuus_{p}.csv")
        for p in month_range(CITY_FIRST.shift(1), world.last)
    ]
