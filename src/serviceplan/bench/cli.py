"""``serviceplan bench``: its arguments and the command."""

from __future__ import annotations

import argparse
from pathlib import Path

from serviceplan.bench.config import DEFAULT_ARCHIVE_SIZES, DEFAULT_RANGE_MONTHS, DEFAULT_REPEAT, BenchConfig, quick
from serviceplan.bench.runner import run_benchmark
from serviceplan.core.errors import UsageError
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected archive sizes like 1,6,12,24, got {text!r}") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"archive sizes must be 1 or more, got {text!r}")
    return sizes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``serviceplan bench``."""
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="repetitions of each measurement (3)")
    parser.add_argument("--quick", action="store_true", help="one repetition, archives of 1 and 2, a 2-month range")
    parser.add_argument("--period", help="the month measured (default: the newest month of the demo data)")
    parser.add_argument(
        "--archive",
        type=_sizes,
        default=DEFAULT_ARCHIVE_SIZES,
        metavar="N,N,...",
        help="months already published before the measured one (1,6,12,24)",
    )
    parser.add_argument(
        "--range-months", type=int, default=DEFAULT_RANGE_MONTHS, help="months in the range run (12; 0 leaves it out)"
    )
    parser.add_argument("--range-repeat", type=int, default=1, help="repetitions of the range run (1)")
    parser.add_argument("--jobs", type=int, default=None, help="workers of the batch (default: CPU cores)")
    parser.add_argument("--areas", help="comma list of area ids to measure (default: every area)")
    parser.add_argument("--notebooks", type=Path, help="a folder of notebooks used instead of the workspace's")
    parser.add_argument("--out", type=Path, help="results folder (default: bench/results/ in the workspace)")
    parser.add_argument("--work-dir", type=Path, help="where the throw-away workspaces go (default: temporary)")
    parser.add_argument("--keep", action="store_true", help="keep the throw-away workspaces and their logs")


def config_from_args(args: argparse.Namespace, ws: Workspace) -> BenchConfig:
    """The benchmark configuration of parsed ``serviceplan bench`` arguments."""
    from serviceplan.metrics.areas import AREAS

    areas = None
    if args.areas:
        wanted = [part.strip() for part in args.areas.split(",") if part.strip()]
        known = {area.id: area for area in AREAS}
        unknown = [name for name in wanted if name not in known]
        if unknown:
            raise UsageError(f"unknown area(s) {', '.join(unknown)}; known: {', '.join(known)}")
        areas = tuple(known[name] for name in wanted)
    if args.repeat < 1:
        raise UsageError(f"--repeat must be 1 or more, got {args.repeat}")
    config = BenchConfig(
        source=ws,
        out_dir=(args.out or ws.root / "bench" / "results").resolve(),
        period=Period.parse(args.period) if args.period else None,
        repeat=args.repeat,
        archive_sizes=args.archive,
        range_months=max(0, args.range_months),
        range_repeat=max(1, args.range_repeat),
        jobs=args.jobs,
        areas=areas,
        notebooks=args.notebooks.resolve() if args.notebooks else None,
        work_dir=args.work_dir.resolve() if args.work_dir else None,
        keep=args.keep,
    )
    return quick(config) if args.quick else config


def command(args: argparse.Namespace, ws: Workspace) -> int:
    """``serviceplan bench``: returns 1 when a measurement failed (its pipeline did not finish), else 0."""
    results, _written = run_benchmark(config_from_args(args, ws))
    return 1 if any(not s.ok for s in results.samples) else 0
