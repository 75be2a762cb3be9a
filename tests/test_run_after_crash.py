"""The run after a crash: a run killed with ``kill -9`` leaves nothing that breaks the next one.

What a killed run could leave behind, and what happens to it (``serviceplan.publish.batch``,
``serviceplan.publish.kernel_fork``):

* the run lock: an operating-system lock, gone with its holder (``tests/test_run_lock.py``);
* its staging folder: removed by the next run (``tests/test_batch.py``);
* the worker server (multiprocessing's forkserver): ends by itself when the process that started it is gone;
* workers still executing notebooks: before this change they ran their notebook to the end and then printed a
  ``BrokenPipeError`` traceback into the terminal of the dead run; now each ends within half a second;
* kernels and unused zygotes: a kernel ends when its worker is gone (ipykernel watches its parent), a zygote
  when the pipe from its worker closes;
* kernel connection files and sockets: in a private folder per kernel, removed by the next run.

The run after the crash must succeed. Before this change it failed once in 14 tries with "Kernel died before
replying to kernel_info" (issue 12): kernels got their TCP ports from jupyter_client, which finds free ports by
binding and releasing them, so a port could be taken by another process (an orphan of the killed run among
them) before the kernel bound it. Kernels now use Unix domain sockets in their private folder: no ports.
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from conftest import new_workspace
from serviceplan.core.errors import RunError
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.publish import kernel_fork, versions
from serviceplan.publish.batch import run_periods
from test_batch import AREAS, JUNE, _fixture_metrics_importable, add_fixture_notebooks  # noqa: F401 (autouse)

pytestmark = pytest.mark.skipif(not kernel_fork.can_fork(), reason="kill -9, process trees and Unix sockets: POSIX")

JULY = Period(2025, 7)
RUNNER = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    from serviceplan.metrics.areas import Area
    from serviceplan.publish.batch import run_periods
    from serviceplan.core.paths import Workspace
    from serviceplan.core.periods import Period

    if __name__ == "__main__":
        slow = Area("fx_slow", "fx_slow.ipynb", "Hidas", "-", (), None)
        fast = [Area("fx_ledger", "fx_ledger.ipynb", "Kirjanpito", "-", ("ledger",), None)]
        run_periods(Workspace(Path(sys.argv[1])), [Period(2025, 7)], jobs=2, areas=(slow, *fast))
    """
)


@pytest.fixture
def ws(tmp_path: Path, demo_raw: Path) -> Workspace:
    import shutil

    workspace = new_workspace(tmp_path / "ws")
    shutil.copytree(demo_raw, workspace.raw_dir)
    add_fixture_notebooks(workspace)
    return workspace


def _gone(processes: list[psutil.Process], seconds: float) -> list[psutil.Process]:
    """The processes still running after waiting up to ``seconds`` for them to end."""
    _, alive = psutil.wait_procs(processes, timeout=seconds)
    return [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_after_kill_9_of_the_run_nothing_lingers_nothing_is_printed_and_the_next_run_publishes(
    ws: Workspace, tmp_path: Path
) -> None:
    script = tmp_path / "slow_run.py"
    script.write_text(RUNNER, encoding="utf-8")
    stderr = tmp_path / "killed_run.stderr"
    with stderr.open("wb") as err:
        run = subprocess.Popen([sys.executable, str(script), str(ws.root)], stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 120
    while not list((ws.reports_dir / versions.STAGING).glob("2025-07.*/.work/fx_slow/started.txt")):
        assert run.poll() is None, "the run ended before the slow notebook started"
        assert time.monotonic() < deadline, "the slow notebook did not start within 120 s"
        time.sleep(0.2)
    tree = psutil.Process(run.pid).children(recursive=True)
    kernels = [p for p in tree if p.name() == kernel_fork.KERNEL_PROCESS_NAME]
    assert kernels, "the slow notebook's kernel is running"
    workers = {p.pid for p in tree}
    private = [  # the private folders of this run's kernels (other tests may run kernels meanwhile)
        folder
        for folder in Path(tempfile.gettempdir()).glob(f"{kernel_fork.KERNEL_DIR_PREFIX}*")
        if int(folder.name[len(kernel_fork.KERNEL_DIR_PREFIX) :].split("-")[0]) in workers
    ]
    assert any((folder / "kernel.json").is_file() for folder in private)
    connection = json.loads(next(f / "kernel.json" for f in private if (f / "kernel.json").is_file()).read_text())
    assert connection["transport"] == "ipc"  # no TCP ports to race for

    os.kill(run.pid, signal.SIGKILL)  # the run alone, not its process group: its children become orphans
    run.wait(timeout=30)
    lingering = _gone(tree, seconds=15)
    assert not lingering, f"still running 15 s after the kill: {[p.name() for p in lingering]}"
    assert "Traceback" not in stderr.read_text(encoding="utf-8", errors="replace")  # no BrokenPipeError either

    # the next run: takes the lock, removes the leftovers (staging and kernel folders) and publishes
    assert run_periods(ws, [JULY], jobs=2, areas=AREAS) == 0
    assert (ws.reports_dir / "2025-07" / "manifest.json").is_file()
    assert not any((ws.reports_dir / versions.STAGING).iterdir())
    assert not [f for f in private if f.exists()]


def test_no_kernel_log_warns_of_unencrypted_tcp(ws: Workspace) -> None:
    """ipykernel warns in every log when a kernel talks over TCP without CurveZMQ keys; over Unix sockets in a
    private folder there is no such traffic (b8cff03 had the warning in every notebook's log)."""
    assert run_periods(ws, [JUNE], jobs=2, areas=AREAS) == 0
    logs = sorted((ws.reports_dir / "2025-06" / "logs").glob("*.log"))
    assert [p.name for p in logs] == ["fx_kela.log", "fx_ledger.log"]
    for log in logs:
        text = log.read_text(encoding="utf-8")
        assert "The kernel was forked" in text  # the log is the kernel's own, not empty
        assert "without encryption" not in text


def test_stale_kernel_folders_of_dead_processes_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = Path(tempfile.mkdtemp(prefix=f"{kernel_fork.KERNEL_DIR_PREFIX}{int(dead.stdout)}-"))
    live = Path(tempfile.mkdtemp(prefix=f"{kernel_fork.KERNEL_DIR_PREFIX}{os.getpid()}-"))
    try:
        removed = kernel_fork.remove_stale_kernel_dirs()
        assert stale in removed and not stale.exists()
        assert live.is_dir()
    finally:
        live.rmdir()


def test_a_disk_that_fills_up_while_a_version_is_written_fails_the_month_in_one_line(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from serviceplan.publish import manifest

    real = manifest.write_json

    def write_json(path: Path, content: object) -> None:
        if path.name == "manifest.json":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, content)

    monkeypatch.setattr(manifest, "write_json", write_json)
    with pytest.raises(RunError) as caught:
        run_periods(ws, [JUNE], jobs=2, areas=AREAS)
    message = str(caught.value)
    assert re.fullmatch(
        r"could not write reports/\.staging/2025-06\.\d+/manifest\.json: disk full: free space and run again\."
        r" Nothing was published; output and logs kept in .*/reports/\.failed/2025-06\.\S+\.",
        message,
    ), message
    assert not (ws.reports_dir / "2025-06").exists()
    assert not any((ws.reports_dir / versions.STAGING).iterdir())
