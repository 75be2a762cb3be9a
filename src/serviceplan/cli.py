"""The ``serviceplan`` command: one entry point for analysts, on Windows and Linux alike.

Every failure ends with one line saying what to fix; data errors list each violation first. No traceback is
shown: an error the user can fix says what to fix, an operating-system error (a full disk, a file without
permission) says which file and what happened, and anything else is one line naming the error
(``SERVICEPLAN_TRACEBACK=1`` shows where it came from). Everything the command prints, its own lines, the batch's
progress, argparse's usage errors and warnings, passes through :func:`serviceplan.core.errors.redact` on its way out.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from serviceplan import __version__
from serviceplan.core.errors import DataError, ServiceplanError, os_problem, redact

if TYPE_CHECKING:
    from serviceplan.core.paths import Workspace


def _workspace(args: argparse.Namespace):
    from serviceplan.core.paths import Workspace, find_workspace

    return Workspace(args.workspace.resolve()) if args.workspace else find_workspace()


def cmd_demo(args: argparse.Namespace) -> int:
    """Write the bundled demo dataset into the workspace."""
    from serviceplan.inputs import demo

    ws = _workspace(args)
    files = demo.generate(ws.raw_dir, ws.params_dir, seed=args.seed)
    months = sorted({f.parent.name for f in files})
    print(f"wrote {len(files)} demo files for {months[0]}..{months[-1]} to {ws.raw_dir}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Check every input of a period against its contract."""
    from serviceplan.core.periods import Period
    from serviceplan.inputs.canonical import newest_period, validate_period

    ws = _workspace(args)
    period = Period.parse(args.period) if args.period else newest_period(ws)
    checked = validate_period(ws, period)
    print(f"{period}: {len(checked)} input files valid")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Validate, execute, render and publish one or more periods."""
    ws = _workspace(args)
    if not args.force and args.revise is None:
        published = _rerun_published(ws, args.periods)
        if published is not None:
            return published
    from serviceplan.publish.worker_server import start_early

    start_early(ws)  # the worker server imports the notebooks' libraries while this process imports the batch
    from serviceplan.core.periods import parse_periods
    from serviceplan.inputs.canonical import ensure_data, newest_period
    from serviceplan.publish.batch import run_periods

    if ensure_data(ws):
        print(f"no data in {ws.raw_dir}: wrote the demo dataset")
    periods = parse_periods(args.periods) if args.periods else [newest_period(ws)]
    return run_periods(ws, periods, jobs=args.jobs, force=args.force, revise=args.revise, render=not args.no_render)


def _rerun_published(ws: Workspace, periods_text: str | None) -> int | None:
    """The re-run of a month that is already published, without importing the batch; ``None`` otherwise.

    Does what the batch does for it (under the run lock: repair the landing page, say the month is left
    unchanged) when one month is asked for, it is published and no run left anything to clean up. Anything else
    (no data yet, a range, a month to publish, leftovers of a killed run) goes the normal way.
    """
    from serviceplan.core.periods import parse_periods
    from serviceplan.publish import versions
    from serviceplan.publish.run_lock import run_lock

    available = ws.raw_periods()
    if not available:
        return None
    periods = parse_periods(periods_text) if periods_text else [available[-1]]
    if len(periods) != 1 or not versions.revisions_of(ws, periods[0]):
        return None
    with run_lock(ws):  # a run in progress is reported as the batch reports it
        if versions.find_leftovers(ws):
            return None
        from serviceplan.publish.render import write_landing_page

        write_landing_page(ws)  # unchanged text is not rewritten; repairs one left behind by a killed run
        latest = versions.revisions_of(ws, periods[0])[-1]
        print(versions.already_published_message(periods[0], latest))
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    """Fetch public statistics for one or more months into data/raw/."""
    from serviceplan.core.periods import parse_periods
    from serviceplan.inputs.sources import statfin

    ws = _workspace(args)
    files = statfin.fetch(ws, parse_periods(args.periods), force=args.force)
    print(f"fetched {len(files)} {args.source} response bodies into {ws.raw_dir}")
    return 0


def cmd_versions(args: argparse.Namespace) -> int:
    """List the published versions."""
    from serviceplan.publish.versions import print_versions

    print_versions(_workspace(args))
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    """Render the Quarto site and the committee PDF of a published version later (numbers unchanged)."""
    from serviceplan.publish.rerender import render_version

    render_version(_workspace(args), args.version)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Measure the monthly batch against naive Papermill runs, and how its cost grows (bench/results/)."""
    from serviceplan.bench import cli as bench

    return bench.command(args, _workspace(args))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``serviceplan`` command."""
    from pathlib import Path

    parser = argparse.ArgumentParser(
        prog="serviceplan",
        description="Monthly reports of the City of Lahti employment services' service plan.",
    )
    parser.add_argument("--version", action="version", version=f"serviceplan {__version__}")
    parser.add_argument(
        "--workspace", type=Path, default=None, help="project folder (default: found from the current folder)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="write the bundled demo dataset to data/raw/")
    demo.add_argument("--seed", type=int, default=None, help="random seed (default: the project's fixed seed)")
    demo.set_defaults(func=cmd_demo)

    validate = sub.add_parser("validate", help="check every input of a period against its contract")
    validate.add_argument("period", nargs="?", help="YYYY-MM (default: the newest month with data)")
    validate.set_defaults(func=cmd_validate)

    run = sub.add_parser("run", help="validate, execute, render and publish a period (or a range)")
    run.add_argument("periods", nargs="?", help="YYYY-MM, YYYY-MM..YYYY-MM or a comma list (default: newest)")
    run.add_argument("--jobs", type=int, default=None, help="notebooks run in parallel (default: CPU cores)")
    run.add_argument("--force", action="store_true", help="re-execute every notebook even if nothing changed")
    run.add_argument("--revise", metavar="REASON", help="publish a new revision of an already published period")
    run.add_argument("--no-render", action="store_true", help="stop before the Quarto render")
    run.set_defaults(func=cmd_run)

    fetch = sub.add_parser("fetch", help="fetch public statistics (PxWeb) for a period or a range into data/raw/")
    fetch.add_argument("source", choices=["statfin"], help="statfin: employment service statistics (KEHA, tyonv)")
    fetch.add_argument("periods", help="YYYY-MM, YYYY-MM..YYYY-MM or a comma list: the months fetched for")
    fetch.add_argument("--force", action="store_true", help="replace bodies already fetched for a month")
    fetch.set_defaults(func=cmd_fetch)

    versions = sub.add_parser("versions", help="list published versions")
    versions.set_defaults(func=cmd_versions)

    render = sub.add_parser(
        "render", help="render the Quarto site and PDF of a published version later (its numbers do not change)"
    )
    render.add_argument("version", nargs="?", help="e.g. 2025-06 or 2025-06-r2 (default: the newest without a site)")
    render.set_defaults(func=cmd_render)

    from serviceplan.bench.cli import add_arguments as add_bench_arguments

    bench = sub.add_parser("bench", help="benchmark the batch against naive Papermill runs (results in bench/results/)")
    add_bench_arguments(bench)
    bench.set_defaults(func=cmd_bench)
    return parser


class _RedactingStream:
    """A text stream that hides identity codes in everything written to it (see :func:`redact`)."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(redact(text))
        return len(text)

    def writelines(self, lines: Iterator[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def _redacted_output() -> Iterator[None]:
    """Redact standard output and standard error of this process while the command runs."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _RedactingStream(sys.stdout), _RedactingStream(sys.stderr)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _shown_path(name: object, args: argparse.Namespace) -> str:
    """A file named by an operating-system error, relative to the workspace when it is inside it."""
    path = Path(os.fsdecode(name))  # type: ignore[arg-type]
    with contextlib.suppress(ServiceplanError, OSError, ValueError):
        return path.resolve().relative_to(_workspace(args).root.resolve()).as_posix()
    return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    with _redacted_output():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "seed", 0) is None:
        from serviceplan.inputs.demo.world import DEFAULT_SEED

        args.seed = DEFAULT_SEED
    try:
        return int(args.func(args) or 0)
    except DataError as exc:
        print(exc.report(), file=sys.stderr)
        count = len(exc.violations)
        outcome = "" if args.command == "validate" else f"; {exc.outcome()}"
        print(
            f"error: {count} input data violation{'s' if count != 1 else ''}{outcome}. "
            "Fix the file(s) named above and run again.",
            file=sys.stderr,
        )
        return exc.exit_code
    except ServiceplanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted: nothing was published", file=sys.stderr)
        return 130
    except OSError as exc:
        where = f"{_shown_path(exc.filename, args)}: " if exc.filename else ""
        print(f"error: {where}{os_problem(exc)}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: one line, and the traceback only when asked for
        if os.environ.get("SERVICEPLAN_TRACEBACK"):
            traceback.print_exc()
        text = " ".join(str(exc).split())[:300]
        print(
            f"error: unexpected {type(exc).__name__}: {text} (a fault of serviceplan, not of your data: report it;"
            " SERVICEPLAN_TRACEBACK=1 shows where it happened)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
