"""The floor no batch can beat: a fresh kernel started as Papermill starts it, running the notebooks' imports."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from serviceplan.bench.config import KERNEL


@dataclass(frozen=True)
class KernelTiming:
    """How long a fresh kernel took to be ready, and to be ready and run the imports (wall and its CPU)."""

    ready_s: float
    done_s: float
    ready_cpu_s: float | None
    done_cpu_s: float | None


def _cpu_of(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        import psutil

        times = psutil.Process(pid).cpu_times()
    except Exception:  # psutil missing, or the process gone: the CPU time is then not known
        return None
    return times.user + times.system


def kernel_start_and_run(
    code: str, cwd: Path, kernel: str = KERNEL, timeout: float = 600.0, env: dict[str, str] | None = None
) -> KernelTiming:
    """Start a fresh kernel (as Papermill does, through jupyter_client), run ``code`` in it and shut it down.

    An error in ``code`` is raised as :class:`RuntimeError`. The kernel's own output is discarded.
    """
    from jupyter_client.manager import start_new_kernel

    started = time.perf_counter()
    manager, client = start_new_kernel(
        kernel_name=kernel,
        startup_timeout=timeout,
        cwd=str(cwd),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    ready = time.perf_counter() - started
    pid = getattr(manager.provisioner, "pid", None)
    ready_cpu = _cpu_of(pid)
    try:
        reply = client.execute_interactive(code, timeout=timeout, output_hook=lambda message: None)
        done = time.perf_counter() - started
        done_cpu = _cpu_of(pid)
        if reply["content"].get("status") != "ok":
            content = reply["content"]
            raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=False)
    return KernelTiming(ready, done, ready_cpu, done_cpu)


def import_probe_command(module: str) -> list[str]:
    """A new interpreter that imports ``module`` and ends."""
    return [sys.executable, "-c", f"import {module}"]
