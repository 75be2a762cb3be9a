"""Notebook kernels forked from a process that has already imported the notebooks' libraries.

A Jupyter kernel normally starts as a new Python interpreter that imports ipykernel and then, in the notebook's
first code cell, pandas, matplotlib and serviceplan: about two seconds of CPU for every notebook, the same
imports nine times a month. The batch's workers are forked from a server process that has imported all of that
once (:func:`preload_modules` lists what). Before a worker does anything else for a notebook it forks a copy of
itself, the *zygote* (:func:`zygote`), which waits. When Papermill asks for a kernel,
:class:`ForkingKernelManager` hands the zygote the kernel's command line, working folder and environment, and
the zygote becomes an ordinary ipykernel: a new process in its own session, with an empty namespace, that talks
to Papermill over the usual connection file. Only the import work is shared; no notebook state can be, because
the zygote is forked before the worker has run any notebook.

Where ``os.fork`` is missing, or the kernel command is not the standard ipykernel one, the manager starts the
kernel the usual way.

**Transport.** Papermill and the kernel talk over ZeroMQ. By default jupyter_client picks five free TCP ports on
the loopback by binding and releasing them, and the kernel binds them again a moment later: another process may
take one in between (a known race of parallel Papermill runs, nteract/papermill#511), and the kernel then dies
with "Address already in use", seen by Papermill as "Kernel died before replying to kernel_info". Over TCP
without CurveZMQ keys ipykernel also warns in every notebook's log that its traffic is unencrypted. Where Unix
domain sockets exist, :class:`ForkingKernelManager` uses ZeroMQ's ``ipc`` transport instead, with its connection
file and sockets in a private folder (mode 0700) of its own that it removes when the kernel is shut down: no
ports to race for, nothing readable by other users, and so nothing to warn about. Elsewhere (Windows) it keeps
TCP and has jupyter_client provision CurveZMQ keys where the kernel spec says the kernel supports them.

**No fixed waits.** jupyter_client's client, once the kernel has replied to ``kernel_info``, reads the kernel's
IOPub channel until it has been silent for 0.2 s, and its manager checks every 0.1 s whether a killed kernel has
ended: about 0.3 s of every notebook spent waiting, on a worker that holds one of the run's few slots.
:class:`PromptKernelClient` drops the start-up messages that are already there instead (Papermill's client reads
only the messages of the requests it sent, so a late status message of ``kernel_info`` is ignored anyway), and
:class:`ForkingKernelManager` checks every 5 ms.
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import gc
import json
import os
import queue
import shutil
import signal
import socket
import sys
import tempfile
import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum, DottedObjectName, Type

from serviceplan.publish.versions import pid_alive

# Modules every kernel needs before the notebook's own imports: the kernel itself (with what it imports while it
# starts: its debugger support and IPython's completer, about 0.1 s of every kernel's start), and pyplot, which
# the kernel's inline backend serves.
KERNEL_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",
    "IPython",
    "IPython.core.completerlib",
    "matplotlib.pyplot",
)

# The name a forked kernel gives its process (``/proc/<pid>/comm``, at most 15 characters).
KERNEL_PROCESS_NAME = "ipykernel-fork"
# The prefix of a kernel's private folder for its connection file and sockets (in the temporary folder).
KERNEL_DIR_PREFIX = "serviceplan-kernel-"
# How often a killed kernel is checked for having ended (jupyter_client's default: 0.1 s).
_REAP_INTERVAL = 0.005
# Unix domain socket paths are limited to 107 bytes on Linux (103 on macOS); the sockets are <folder>/k-<n>.
_MAX_SOCKET_PATH = 100

_zygote: _Zygote | None = None


# --- what to import ahead ----------------------------------------------------------------------------------------


def notebook_imports(paths: Iterable[Path]) -> list[str]:
    """Every top-level import statement of the code cells of ``paths``, once each, in the order first seen.

    Cells that are not plain Python (magics) are skipped.
    """
    seen: list[str] = []
    for path in paths:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            try:
                tree = ast.parse("".join(source) if isinstance(source, list) else str(source))
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, ast.Import | ast.ImportFrom):
                    statement = ast.unparse(node)
                    if statement not in seen:
                        seen.append(statement)
    return seen


def preload_modules(paths: Iterable[Path]) -> list[str]:
    """The modules to import in the worker server: the kernel's own, then those the notebooks at ``paths``
    import (for ``from a import b`` both ``a`` and ``a.b``, which may be a submodule; names that are not
    modules are skipped by the server's preload)."""
    modules = list(KERNEL_MODULES)
    for statement in notebook_imports(paths):
        node = ast.parse(statement).body[0]
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            assert isinstance(node, ast.ImportFrom)
            if node.level or not node.module:
                continue
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        modules.extend(name for name in names if name not in modules)
    return modules


# --- the zygote ----------------------------------------------------------------------------------------------------


def can_fork() -> bool:
    """Whether kernels can be forked on this system (POSIX with ``os.fork``)."""
    return hasattr(os, "fork") and hasattr(os, "setsid") and sys.platform != "win32"


class _Zygote:
    """A forked copy of the calling process that waits on a pipe for a kernel's command line, then becomes it."""

    def __init__(self) -> None:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the zygote
            os.close(write_end)
            _become_kernel(read_end)  # never returns
        os.close(read_end)
        self.pid = pid
        self._pipe: int | None = write_end

    @property
    def available(self) -> bool:
        return self._pipe is not None

    def launch(self, argv: list[str], cwd: str | None, env: dict[str, str] | None) -> int:
        """Turn the zygote into the kernel; returns its process id."""
        assert self._pipe is not None, "the zygote became a kernel already"
        data = json.dumps({"argv": argv, "cwd": cwd, "env": env}).encode("utf-8")
        try:
            with os.fdopen(self._pipe, "wb") as pipe:
                pipe.write(data)
        finally:
            self._pipe = None
        return self.pid

    def discard(self) -> None:
        """Let an unused zygote exit (an empty message) and reap it."""
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)


def _become_kernel(pipe: int) -> None:
    """In the zygote: wait for the kernel's command line, then run ipykernel with it; exits the process."""
    code = 1
    try:
        _name_process(KERNEL_PROCESS_NAME)
        chunks = []
        while chunk := os.read(pipe, 65536):
            chunks.append(chunk)
        os.close(pipe)
        if not chunks:  # discarded
            os._exit(0)
        request = json.loads(b"".join(chunks))
        gc.freeze()  # the server's objects: never collected here, so collections need not scan them
        os.setsid()  # a session and process group of its own, as jupyter_client gives a kernel it starts
        for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGCHLD"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), signal.SIG_DFL)
        if request["env"] is not None:
            os.environ.clear()
            os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())  # as jupyter_client's launcher sets it
        null = os.open(os.devnull, os.O_RDONLY)  # the launcher gives a kernel no standard input either
        os.dup2(null, 0)
        os.close(null)
        if request["cwd"]:
            os.chdir(request["cwd"])
        atexit._clear()  # the worker's exit handlers are not the kernel's
        code = _run_ipykernel(request["argv"])
        atexit._run_exitfuncs()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _name_process(name: str) -> None:
    """Give this process a name of its own (Linux), so that tools like ``ps`` and the benchmark can tell the
    kernel from the worker it was forked from (both have the worker server's command line)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(15, name.encode("ascii")[:15], 0, 0, 0)  # 15 = PR_SET_NAME


def _run_ipykernel(argv: list[str]) -> int:
    """What ``python -m ipykernel_launcher ARGV`` does, in this process."""
    from ipykernel import kernelapp

    sys.argv = ["ipykernel_launcher", *argv]
    # ipykernel reads the parent's process id from the environment when it is imported, which was in the
    # server, before jupyter_client set it: give it the value a kernel started as a new process would read.
    app = kernelapp.IPKernelApp.instance(parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0))
    app.initialize(argv)
    # matplotlib read MPLBACKEND when the server imported it, before ipykernel set the inline backend above
    if "matplotlib" in sys.modules and os.environ.get("MPLBACKEND"):
        sys.modules["matplotlib"].rcParams["backend"] = os.environ["MPLBACKEND"]
    app.start()
    return 0


@dataclass
class KernelLaunch:
    """What became of a zygote: ``forked`` is true once the kernel was the zygote (known after the block)."""

    forked: bool = False


@contextlib.contextmanager
def zygote(enabled: bool = True) -> Iterator[KernelLaunch]:
    """Fork a zygote for the next kernel this process starts through :class:`ForkingKernelManager`.

    Call it before anything of the notebook's execution (no sockets, no threads yet). When not ``enabled`` or
    without ``os.fork`` it does nothing and kernels start the usual way. The yielded record says, after the block,
    which way it went.
    """
    global _zygote
    launch = KernelLaunch()
    if not enabled or not can_fork() or _zygote is not None:
        yield launch
        return
    _zygote = _Zygote()
    try:
        yield launch
    finally:
        spent, _zygote = _zygote, None
        launch.forked = not spent.available
        spent.discard()


# Interpreter options a kernel spec may give that a forked kernel can do without: ipykernel's own spec turns frozen
# modules off, which only matters to a debugger stepping into the standard library.
_IGNORABLE_OPTIONS = (("-Xfrozen_modules=off",), ("-X", "frozen_modules=off"))


def _is_this_interpreter(executable: str) -> bool:
    """Whether ``executable`` is this Python: the same file (``python`` and ``python3`` of a virtual environment
    are links to one) in the same folder (a virtual environment is told by where its link is, not by where
    the link leads)."""
    here = Path(sys.executable)
    there = Path(executable)
    try:
        return there.parent.resolve() == here.parent.resolve() and os.path.samefile(there, here)
    except OSError:
        return False


def _ipykernel_argv(kernel_cmd: list[str]) -> list[str] | None:
    """The arguments after ``-m ipykernel_launcher`` when ``kernel_cmd`` starts ipykernel with this very
    interpreter (other options only from the ignorable ones); ``None`` for anything else, which then starts anew."""
    if not kernel_cmd or not _is_this_interpreter(kernel_cmd[0]):
        return None
    rest = list(kernel_cmd[1:])
    while True:
        option = next((o for o in _IGNORABLE_OPTIONS if tuple(rest[: len(o)]) == o), None)
        if option is None:
            break
        rest = rest[len(option) :]
    if rest[:2] == ["-m", "ipykernel_launcher"]:
        return rest[2:]
    return None


class _ForkedProcess:
    """The kernel the zygote became, with the part of ``subprocess.Popen`` that jupyter_client uses."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def _reap(self, flags: int) -> int | None:
        if self.returncode is not None:
            return self.returncode
        try:
            pid, status = os.waitpid(self.pid, flags)
        except ChildProcessError:  # reaped elsewhere
            self.returncode = 0
            return 0
        if pid == 0:
            return None
        self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def poll(self) -> int | None:
        return self._reap(os.WNOHANG)

    def wait(self, timeout: float | None = None) -> int:
        result = self._reap(0)
        assert result is not None
        return result

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def ipc_available() -> bool:
    """Whether ZeroMQ's ``ipc`` transport (Unix domain sockets) can be used here."""
    return hasattr(socket, "AF_UNIX") and sys.platform != "win32"


def remove_stale_kernel_dirs() -> list[Path]:
    """Remove the private kernel folders (see :class:`ForkingKernelManager`) of processes that no longer run
    (a run killed with ``kill -9`` leaves its kernels' folders behind); returns what was removed."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{KERNEL_DIR_PREFIX}*"):
        pid_text = folder.name[len(KERNEL_DIR_PREFIX) :].split("-", 1)[0]
        if not pid_text.isdigit() or pid_alive(int(pid_text)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


class PromptKernelClient(AsyncKernelClient):
    """jupyter_client's asynchronous client, ready as soon as the kernel is (see the module's docstring)."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:  # type: ignore[override]
        """Wait until the kernel has replied to ``kernel_info`` and its IOPub channel delivers messages, then drop
        the start-up messages that have arrived; raises ``RuntimeError`` when the kernel dies or ``timeout``
        seconds pass first (as jupyter_client's client does)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            self.kernel_info()
            reply = await _next_message(self.shell_channel, 1.0)
            # An IOPub message after the reply (the kernel's status) shows that IOPub is connected.
            if (
                reply is not None
                and reply["msg_type"] == "kernel_info_reply"
                and await _next_message(self.iopub_channel, 0.2) is not None
            ):
                self._handle_kernel_info_reply(reply)
                break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if deadline is not None and time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        while await _next_message(self.iopub_channel, 0) is not None:
            pass


async def _next_message(channel: Any, timeout: float) -> dict[str, Any] | None:
    """The channel's next message within ``timeout`` seconds, or ``None``."""
    try:
        return await channel.get_msg(timeout=timeout)
    except queue.Empty:
        return None


class ForkingKernelManager(AsyncKernelManager):
    """A kernel manager that turns the waiting zygote (see :func:`zygote`) into the kernel, if there is one,
    talks to it over Unix domain sockets in a private folder where they exist, and does not wait longer than it
    must when the kernel starts and ends (see the module's docstring)."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc" if ipc_available() else "tcp", config=True)
    client_class = DottedObjectName(f"{__name__}.PromptKernelClient", config=True)
    client_factory = Type(PromptKernelClient, klass=AsyncKernelClient, config=True)
    _private_dir: str | None = None

    async def _async_wait(self, pollinterval: float = _REAP_INTERVAL) -> None:
        await super()._async_wait(pollinterval=min(pollinterval, _REAP_INTERVAL))

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        if self.transport == "ipc" and not self.connection_file:
            folder = tempfile.mkdtemp(prefix=f"{KERNEL_DIR_PREFIX}{os.getpid()}-")  # mode 0700
            if len(os.path.join(folder, "k-99")) > _MAX_SOCKET_PATH:  # a very long temporary folder
                shutil.rmtree(folder, ignore_errors=True)
                self.transport = "tcp"
            else:
                self._private_dir = folder
                self.connection_file = os.path.join(folder, "kernel.json")
                self.ip = os.path.join(folder, "k")
        supports_curve = getattr(self, "_kernel_supports_curve_encryption", lambda: False)  # jupyter_client >= 8.7
        if self.transport == "tcp" and supports_curve():
            self.transport_encryption = "auto"
        return await super()._async_pre_start_kernel(**kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self._private_dir is not None:
            shutil.rmtree(self._private_dir, ignore_errors=True)
            self._private_dir = None

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        global _zygote
        argv = _ipykernel_argv(kernel_cmd)
        provisioner = self.provisioner
        if _zygote is None or not _zygote.available or argv is None or provisioner is None:
            await super()._async_launch_kernel(kernel_cmd, **kw)
            return
        cwd = kw.get("cwd") or os.getcwd()  # a new process would start in this process's folder
        pid = _zygote.launch(argv, cwd, kw.get("env"))
        process = _ForkedProcess(pid)
        # The provisioner's bookkeeping, as LocalProvisioner.launch_kernel does it for a Popen process.
        provisioner.process = process  # type: ignore[attr-defined]
        provisioner.pid = pid  # type: ignore[attr-defined]
        provisioner.pgid = pid  # type: ignore[attr-defined]  # the kernel called setsid()
        provisioner.cwd = cwd  # type: ignore[attr-defined]
        self._reconcile_connection_info(provisioner.connection_info)
