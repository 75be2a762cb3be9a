"""One run at a time (serviceplan.publish.run_lock): an operating-system lock that exactly one of many takers gets,
that names its holder, and that is free again the moment its holder is gone, however it ended.

The lock this replaces was a file created empty and filled with the holder's process id a moment later; a
second process that read the empty file took it for stale, removed it and took the lock too (two holders in 88
of 100 rounds of a tight loop, issue 12). ``test_many_contenders_started_at_once_get_one_lock`` is that loop.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO
from serviceplan.core.errors import RunError
from serviceplan.core.paths import Workspace
from serviceplan.publish.run_lock import read_owner, run_lock
from serviceplan.publish.versions import LOCK

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the contenders are started with POSIX signals")

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from serviceplan.core.paths import Workspace
    from serviceplan.publish.run_lock import run_lock

    with run_lock(Workspace(Path(sys.argv[1]))):
        print("held", flush=True)
        sys.stdin.read()  # until the test closes our standard input (or kills us)
    """
)


@contextlib.contextmanager
def lock_held_elsewhere(ws: Workspace) -> Iterator[subprocess.Popen[str]]:
    """The workspace's run lock held by another process for the duration of the block."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(ws.root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "held"
        yield process
    finally:
        if process.poll() is None:
            assert process.stdin is not None
            process.stdin.close()
        process.wait(timeout=30)


def test_a_held_lock_is_refused_naming_its_holder(workspace: Workspace) -> None:
    with lock_held_elsewhere(workspace) as holder:
        with pytest.raises(RunError) as caught, run_lock(workspace):
            pass
        message = str(caught.value)
        assert message.startswith(f"another serviceplan run (process {holder.pid} on ")
        assert "is working in" in message and "wait for it to end" in message and "\n" not in message
        assert read_owner(workspace.reports_dir / LOCK)["pid"] == holder.pid  # the refused run left it alone
    with run_lock(workspace) as lock:  # free again once the holder ended
        assert read_owner(lock)["pid"] == os.getpid()
    assert not (workspace.reports_dir / LOCK).exists()


def test_the_lock_of_a_killed_holder_is_free_and_a_pid_in_a_file_is_not_a_lock(workspace: Workspace) -> None:
    with lock_held_elsewhere(workspace) as holder:
        holder.send_signal(signal.SIGKILL)  # kill -9: nothing of the holder's own code runs
        holder.wait(timeout=30)
        assert (workspace.reports_dir / LOCK).exists()  # the file stays, its owner is gone
        with run_lock(workspace) as lock:
            assert read_owner(lock)["pid"] == os.getpid()
    # a file naming a live process (this test's parent) but held by nobody does not block: only the lock counts
    (workspace.reports_dir / LOCK).write_text(json.dumps({"pid": os.getppid()}), encoding="utf-8")
    with run_lock(workspace):
        pass


CONTENDER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from serviceplan.core.errors import RunError
    from serviceplan.core.paths import Workspace
    from serviceplan.publish.run_lock import run_lock

    root, start, log = Path(sys.argv[1]), float(sys.argv[2]), Path(sys.argv[3])
    while time.time() < start:  # every contender tries at the same moment
        pass
    try:
        with run_lock(Workspace(root)):
            with log.open("a") as handle:
                handle.write(f"in {os.getpid()} {time.time()}\\n")
            time.sleep(0.3)
            with log.open("a") as handle:
                handle.write(f"out {os.getpid()} {time.time()}\\n")
        print("held")
    except RunError as exc:
        print("refused" if "another serviceplan run" in str(exc) else f"other: {exc}")
    """
)


def _intervals(log: Path) -> list[tuple[float, float]]:
    entries: dict[str, dict[str, float]] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        what, pid, when = line.split()
        entries.setdefault(pid, {})[what] = float(when)
    return sorted((e["in"], e["out"]) for e in entries.values())


@pytest.mark.parametrize("round_", range(3))
def test_many_contenders_started_at_once_get_one_lock(workspace: Workspace, tmp_path: Path, round_: int) -> None:
    contenders = 12
    log = tmp_path / "holders.log"
    start = time.time() + 3.0  # time for every interpreter to start and spin
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CONTENDER, str(workspace.root), str(start), str(log)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(contenders)
    ]
    outcomes = [p.communicate(timeout=60)[0].strip() for p in processes]
    assert all(outcome in ("held", "refused") for outcome in outcomes), outcomes
    held = _intervals(log) if log.exists() else []
    assert outcomes.count("held") == len(held) >= 1
    # never two holders at once: each holder entered after the previous one left
    assert all(later_in >= earlier_out for (_, earlier_out), (later_in, _) in itertools.pairwise(held))
    assert not (workspace.reports_dir / LOCK).exists()


TWO_RUNS = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, sys.argv[3])  # the fixture pages' KPI functions
    from serviceplan.publish import batch
    from serviceplan.metrics.areas import Area
    from serviceplan.cli import main

    # one quick fixture page instead of the nine real ones: what is tested is who runs, not what
    batch.AREAS = (Area("fx_ledger", "fx_ledger.ipynb", "Kirjanpito", "-", ("ledger",), "fixture_metrics:ledger_kpis"),)
    start = float(sys.argv[2])
    while time.time() < start:  # both runs start at the same moment
        pass
    arguments = ["--workspace", sys.argv[1], "run", "2025-06", "--no-render"]
    sys.argv = ["serviceplan", *arguments]  # as the serviceplan script has it
    sys.exit(main(arguments))
    """
)


def test_two_runs_of_one_month_started_together_one_runs_and_the_other_names_it(
    demo_workspace: Workspace, tmp_path: Path
) -> None:
    fixtures = Path(__file__).resolve().parent / "fixtures"
    shutil.copy2(fixtures / "fx_ledger.ipynb", demo_workspace.notebooks_dir)
    start = time.time() + 4.0
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", TWO_RUNS, str(demo_workspace.root), str(start), str(fixtures)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    results = [(run.pid, run.returncode, out, err) for run, (out, err) in zip(runs, outputs, strict=True)]
    ran = [r for r in results if r[1] == 0]
    refused = [r for r in results if r[1] != 0]
    assert len(ran) == 1 and len(refused) == 1, [(r[1], r[3][-300:]) for r in results]
    winner, loser = ran[0], refused[0]
    assert "2025-06: published 2025-06" in winner[2]
    assert loser[1] == 1 and loser[2] == ""
    assert loser[3].startswith(f"error: another serviceplan run (process {winner[0]} on ")
    assert f"`serviceplan --workspace {demo_workspace.root} run 2025-06 --no-render`" in loser[3]
    assert loser[3].count("\n") == 1 and "Traceback" not in loser[3]
    assert (demo_workspace.reports_dir / "2025-06" / "manifest.json").is_file()
