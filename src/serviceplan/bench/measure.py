"""One measurement: a command (or a sequence) run as child processes while a thread samples the whole process
tree with psutil: wall time, CPU time by role (the command, notebook kernels, helpers) and peak memory."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from serviceplan.bench.config import SAMPLE_INTERVAL
from serviceplan.publish.kernel_fork import KERNEL_PROCESS_NAME


@dataclass(frozen=True)
class Sample:
    """One measured run: a scenario (month, archive, range, floor, imports), its variant and repetition."""

    scenario: str
    variant: str
    repetition: int
    size: int  # archive: published months before; range: months; floor: notebooks; otherwise 0
    wall_s: float
    cpu_s: float | None
    peak_rss_mb: float | None
    ok: bool
    load1: float | None  # one-minute load average when the measurement started
    note: str = ""
    cpu_command_s: float | None = None  # the measured command's own process (see role_of)
    cpu_kernels_s: float | None = None  # the notebook kernels it started
    cpu_helpers_s: float | None = None  # every other process it started (forkserver, workers, git, ...)


@dataclass
class Usage:
    """Wall time, CPU time and peak memory of one or more commands run one after another."""

    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0
    ok: bool = True
    failed: list[str] = field(default_factory=list)
    cpu_by_role: dict[str, float] = field(default_factory=dict)  # see ROLES

    def add(self, other: Usage) -> None:
        """Account for a command run after the ones already counted."""
        self.wall_s += other.wall_s
        self.cpu_s += other.cpu_s
        for role, seconds in other.cpu_by_role.items():
            self.cpu_by_role[role] = self.cpu_by_role.get(role, 0.0) + seconds
        self.peak_rss_mb = max(self.peak_rss_mb, other.peak_rss_mb)
        self.ok = self.ok and other.ok
        self.failed.extend(other.failed)


def load_average() -> float | None:
    """The one-minute load average, or ``None`` where the system has none (Windows)."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


ROLES = ("command", "kernels", "helpers")


def role_of(is_root: bool, cmdline: Sequence[str], name: str = "") -> str:
    """Which part of a measured run a process is: the ``command`` itself, a notebook kernel (``kernels``), or
    another process it started (``helpers``: the batch's forkserver and workers, git, ...).

    A kernel the batch forked (see :mod:`serviceplan.publish.kernel_fork`) has its worker's command line and is told
    by its process ``name``.
    """
    if is_root:
        return "command"
    if name == KERNEL_PROCESS_NAME or any("ipykernel_launcher" in part or part == "ipykernel" for part in cmdline):
        return "kernels"
    return "helpers"


class _TreeSampler(threading.Thread):
    """Samples a process and its descendants: CPU time per process and the peak sum of resident memory."""

    def __init__(self, pid: int, interval: float = SAMPLE_INTERVAL):
        super().__init__(daemon=True, name=f"bench-sampler-{pid}")
        self.pid = pid
        self.interval = interval
        self.cpu: dict[tuple[int, float], float] = {}
        self.roles: dict[tuple[int, float], str] = {}
        self.peak_rss = 0
        self._stop_event = threading.Event()

    def sample(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        rss = 0
        for process in processes:
            try:
                with process.oneshot():
                    times = process.cpu_times()
                    memory = process.memory_info().rss
                    key = (process.pid, process.create_time())
                    if key not in self.roles:
                        self.roles[key] = role_of(process.pid == self.pid, process.cmdline(), process.name())
            except psutil.Error:
                continue
            self.cpu[key] = max(self.cpu.get(key, 0.0), times.user + times.system)
            rss += memory
        self.peak_rss = max(self.peak_rss, rss)

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds of the command itself, of the kernels and of every other process it started."""
        totals = dict.fromkeys(ROLES, 0.0)
        for key, seconds in self.cpu.items():
            totals[self.roles.get(key, "helpers")] += seconds
        return totals

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def run_measured(command: Sequence[str], *, cwd: Path, log: Path, env: dict[str, str] | None = None) -> Usage:
    """Run one command to its end (output appended to ``log``) and measure it with its process tree."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"$ {' '.join(str(part) for part in command)}\n")
        handle.flush()
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(part) for part in command], cwd=cwd, stdout=handle, stderr=subprocess.STDOUT, env=env
        )
        sampler = _TreeSampler(process.pid)
        sampler.start()
        code = process.wait()
        wall = time.perf_counter() - started
        sampler.stop()
        handle.write(f"(exit code {code}, {wall:.2f} s)\n")
    failed = [] if code == 0 else [f"{Path(str(command[0])).name} ... exited with {code} (see {log})"]
    return Usage(wall, sum(sampler.cpu.values()), sampler.peak_rss / 2**20, code == 0, failed, sampler.cpu_by_role())


def run_sequence(commands: Iterable[Sequence[str]], *, cwd: Path, log: Path, env: dict[str, str]) -> Usage:
    """Run commands one after another (all of them, even after a failure) and add up their usage."""
    total = Usage()
    for command in commands:
        total.add(run_measured(command, cwd=cwd, log=log, env=env))
    return total
