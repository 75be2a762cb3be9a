"""The bundled demo dataset: every input, generated deterministically from a seed (never from today's date).

It is the default data of a new workspace, the test fixture and the documentation example at once. The
latent monthly series live in :mod:`serviceplan.inputs.demo.world`; each writer renders one dataset from them in its
real delivery format, so that the datasets agree with each other.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from serviceplan.core.params import load_params
from serviceplan.core.periods import Period
from serviceplan.inputs.demo import (
    budget_files,
    city_services_files,
    employer_files,
    immigrant_files,
    partner_files,
    plan_status_files,
    statfin_files,
)
from serviceplan.inputs.demo.world import CITY_FIRST, DEFAULT_SEED, DEMO_LAST, World, build_world

Writer = Callable[[World, Path], list[Path]]

# Every dataset's demo writer; each writes its files under data/raw/<YYYY-MM>/ and returns them.
WRITERS: dict[str, Writer] = {
    "ledger": budget_files.write_ledger,
    "kela_invoice": budget_files.write_kela_invoices,
    "customer_events": city_services_files.write_customer_events,
    "services": city_services_files.write_services,
    "service_outcomes": city_services_files.write_service_outcomes,
    "grants": city_services_files.write_grants,
    "statfin": statfin_files.write_statfin,
    "employer_services": employer_files.write_employer_services,
    "immigrants": immigrant_files.write_immigrants,
    "partner_network": partner_files.write_partner_network,
    "plan_actions": plan_status_files.write_plan_status,
}


def generate(raw_dir: Path, params_dir: Path, seed: int = DEFAULT_SEED, last: Period = DEMO_LAST) -> list[Path]:
    """Write the whole demo dataset into ``raw_dir`` and return the files written.

    The demo follows the rules in ``params_dir`` (for example the benefit-share step table Kela applies). The
    city's own datasets are those of the city the world is calibrated to (Lahti, the parameters'
    ``regions.own_data_municipality``); the public statistics cover every city of ``regions.comparison_group``.
    """
    params = load_params(CITY_FIRST.year, params_dir)
    regions = statfin_files.demo_regions(params.regions)
    world = build_world(params.benefit_rule(CITY_FIRST), seed=seed, last=last, regions=regions)
    written: list[Path] = []
    for writer in WRITERS.values():
        written.extend(writer(world, raw_dir))
    return sorted(written)
