"""``python -m serviceplan.bench.driver``: ``serviceplan run`` on a given list of areas, what the benchmark runs
when not every area is measured."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from serviceplan.core.errors import ServiceplanError
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import parse_periods
from serviceplan.metrics.areas import Area
from serviceplan.publish.batch import run_periods


def _driver(argv: Sequence[str]) -> int:
    """``serviceplan run`` on a given list of areas: what the benchmark runs when not every area is measured."""
    parser = argparse.ArgumentParser(prog="python -m serviceplan.bench.driver")
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--areas-json", required=True, help="a JSON list of the areas' fields")
    parser.add_argument("periods")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--revise", default=None)
    args = parser.parse_args(argv)
    areas = [Area(**{**spec, "datasets": tuple(spec["datasets"])}) for spec in json.loads(args.areas_json)]
    try:
        return run_periods(
            Workspace(args.workspace.resolve()),
            parse_periods(args.periods),
            jobs=args.jobs,
            revise=args.revise,
            areas=areas,
        )
    except ServiceplanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(_driver(sys.argv[1:]))
