"""Kernels forked from a process that imported the notebooks' libraries already (serviceplan.publish.kernel_fork).

Each execution runs in its own Python process (as a batch worker does): the process imports a marker module,
forks the zygote, and Papermill executes a small notebook whose cells report what the kernel sees.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from serviceplan.metrics.areas import AREAS
from serviceplan.publish import kernel_fork

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not kernel_fork.can_fork(), reason="kernels are forked only where os.fork exists")

DRIVER = textwrap.dedent(
    """
    import json, os, sys
    import papermill
    from serviceplan.publish import kernel_fork

    notebook, output, cwd, fork, timeout = sys.argv[1:6]
    sys.modules["serviceplan_marker"] = type(sys)("serviceplan_marker")  # imported here, before the fork
    result = {"driver_pid": os.getpid(), "error": None}
    try:
        with kernel_fork.zygote(enabled=fork == "fork") as launch:
            papermill.execute_notebook(
                notebook, output, cwd=cwd, kernel_name="python3", progress_bar=False,
                execution_timeout=float(timeout), kernel_manager_class=kernel_fork.ForkingKernelManager,
            )
    except Exception as exc:
        result["error"] = type(exc).__name__
    result["forked"] = launch.forked
    print("RESULT " + json.dumps(result))
    """
)

PROBE = textwrap.dedent(
    """
    import json, os, sys
    import matplotlib
    print(json.dumps({
        "pid": os.getpid(),
        "ppid": os.getppid(),
        "session_leader": os.getsid(0) == os.getpid(),
        "cwd": os.getcwd(),
        "marker": "serviceplan_marker" in sys.modules,
        "parent_env": os.environ.get("JPY_PARENT_PID"),
        "backend": matplotlib.get_backend(),
        "name": open(f"/proc/{os.getpid()}/comm").read().strip() if os.path.exists("/proc") else "",
        "stdin_is_null": os.path.samefile(f"/proc/self/fd/0", os.devnull) if os.path.exists("/proc") else True,
        "leftover": "leftover" in globals(),
    }))
    leftover = 1
    """
)


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _execute(tmp_path: Path, notebook: Path, *, fork: bool = True, timeout: float = 60) -> tuple[dict, Path]:
    output = tmp_path / f"out-{notebook.stem}-{fork}.ipynb"
    cwd = tmp_path / "cwd"
    cwd.mkdir(exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(notebook), str(output), str(cwd), "fork" if fork else "plain", str(timeout)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads(lines[-1][len("RESULT ") :]), output


def _probe(output: Path) -> dict:
    cells = nbformat.read(output, as_version=4).cells
    text = "".join(o.get("text", "") for o in cells[0].outputs if o.get("output_type") == "stream")
    return json.loads(text)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_forked_kernel_is_a_fresh_process_of_its_own_with_the_imports_already_done(tmp_path: Path) -> None:
    result, output = _execute(tmp_path, _notebook(tmp_path / "probe.ipynb", PROBE))
    assert result["error"] is None
    seen = _probe(output)
    assert seen["ppid"] == result["driver_pid"]  # forked by the executing process, not started by exec
    assert seen["marker"] is True  # a module the executing process had imported is there without an import
    assert result["forked"] is True
    assert seen["pid"] != result["driver_pid"]
    assert seen["session_leader"] is True  # its own session and process group, so signals reach only it
    assert seen["cwd"] == str(tmp_path / "cwd")
    assert seen["parent_env"] == str(result["driver_pid"])
    assert seen["backend"] == "module://matplotlib_inline.backend_inline"  # as in a kernel started anew
    assert seen["leftover"] is False
    assert seen["stdin_is_null"] is True
    if sys.platform.startswith("linux"):
        assert seen["name"] == kernel_fork.KERNEL_PROCESS_NAME
    assert not _alive(seen["pid"])  # shut down and reaped when the notebook ended


def test_without_a_zygote_the_kernel_starts_as_a_new_interpreter(tmp_path: Path) -> None:
    result, output = _execute(tmp_path, _notebook(tmp_path / "probe.ipynb", PROBE), fork=False)
    assert result["error"] is None
    seen = _probe(output)
    assert result["forked"] is False
    assert seen["marker"] is False
    assert seen["backend"] == "module://matplotlib_inline.backend_inline"
    assert seen["name"] != kernel_fork.KERNEL_PROCESS_NAME


def test_a_forked_kernel_that_dies_fails_the_notebook_without_hanging(tmp_path: Path) -> None:
    notebook = _notebook(tmp_path / "dies.ipynb", "import os\nprint(os.getpid(), flush=True)", "os._exit(3)")
    result, _ = _execute(tmp_path, notebook)
    assert result["error"] == "DeadKernelError"


def test_a_forked_kernel_that_runs_too_long_is_stopped(tmp_path: Path) -> None:
    pid_cell = "import os\nprint(os.getpid(), flush=True)"
    notebook = _notebook(tmp_path / "slow.ipynb", pid_cell, "__import__('time').sleep(99)")
    result, output = _execute(tmp_path, notebook, timeout=3)
    assert result["error"] == "CellTimeoutError"
    cells = nbformat.read(output, as_version=4).cells
    pid = int("".join(o.get("text", "") for o in cells[0].outputs).strip())
    assert not _alive(pid)


def test_preload_lists_the_kernel_and_what_the_notebooks_import(tmp_path: Path) -> None:
    first = _notebook(tmp_path / "a.ipynb", "import pandas\nfrom serviceplan.present import charts, tables", "%pwd")
    second = _notebook(tmp_path / "b.ipynb", "from serviceplan.metrics import budget\nimport pandas\nfrom . import x")
    modules = kernel_fork.preload_modules([first, second])
    assert modules[: len(kernel_fork.KERNEL_MODULES)] == list(kernel_fork.KERNEL_MODULES)
    assert modules[len(kernel_fork.KERNEL_MODULES) :] == [
        "pandas",
        "serviceplan.present",
        "serviceplan.present.charts",
        "serviceplan.present.tables",
        "serviceplan.metrics",
        "serviceplan.metrics.budget",
    ]


@pytest.mark.parametrize(
    ("options", "module", "expected"),
    [
        ([], "ipykernel_launcher", ["-f", "c.json"]),
        (["-Xfrozen_modules=off"], "ipykernel_launcher", ["-f", "c.json"]),  # ipykernel's own kernel spec
        (["-X", "frozen_modules=off"], "ipykernel_launcher", ["-f", "c.json"]),
        (["-I"], "ipykernel_launcher", None),  # an option a fork cannot honour
        ([], "other_kernel", None),
    ],
)
def test_only_this_interpreter_starting_ipykernel_is_forked(
    options: list[str], module: str, expected: list[str] | None
) -> None:
    command = [sys.executable, *options, "-m", module, "-f", "c.json"]
    assert kernel_fork._ipykernel_argv(command) == expected


def test_another_name_of_this_interpreter_is_forked_too() -> None:
    """A virtual environment's ``python3`` and ``python`` are one interpreter (the benchmark runs the first, the
    kernel spec names the second)."""
    folder = Path(sys.executable).parent
    aliases = [p for p in folder.iterdir() if p.name.startswith("python") and os.path.samefile(p, sys.executable)]
    assert aliases
    for alias in aliases:
        assert kernel_fork._ipykernel_argv([str(alias), "-m", "ipykernel_launcher", "-f", "c.json"]) == ["-f", "c.json"]


def test_a_kernel_spec_of_another_interpreter_is_started_anew(tmp_path: Path) -> None:
    other = tmp_path / "python"
    assert kernel_fork._ipykernel_argv([str(other), "-m", "ipykernel_launcher", "-f", "c.json"]) is None
    assert kernel_fork._ipykernel_argv(["julia", "kernel.jl", "c.json"]) is None
    # the same interpreter file linked from another folder (another virtual environment) is another environment
    link = tmp_path / "python"
    link.symlink_to(Path(sys.executable).resolve())
    assert kernel_fork._ipykernel_argv([str(link), "-m", "ipykernel_launcher", "-f", "c.json"]) is None


def _format_keywords(node: object) -> list[str]:
    """The values of JSON Schema ``format`` keywords in ``node`` (a property *named* format has a schema, not a
    string, as its value)."""
    if isinstance(node, dict):
        found = [v for k, v in node.items() if k == "format" and isinstance(v, str)]
        return found + [f for value in node.values() for f in _format_keywords(value)]
    if isinstance(node, list):
        return [f for value in node for f in _format_keywords(value)]
    return []


def test_notebook_schemas_check_no_string_formats() -> None:
    """serviceplan.publish.worker_imports leaves jsonschema's iri format check out of the worker server: safe only while
    nbformat's schemas use no ``format`` keyword."""
    import nbformat.v4

    schemas = sorted(Path(nbformat.v4.__file__).parent.glob("nbformat.v4*.schema.json"))
    assert schemas
    assert _format_keywords({"properties": {"format": {"type": "string"}}, "x": {"format": "iri"}}) == ["iri"]
    for schema in schemas:
        assert _format_keywords(json.loads(schema.read_text(encoding="utf-8"))) == [], schema.name


def test_the_worker_server_imports_papermill_without_the_iri_parser(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import sys
        import serviceplan.publish.worker_imports
        import nbformat, papermill
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
        nbformat.validate(nb)
        print("rfc3987_syntax" in sys.modules and sys.modules["rfc3987_syntax"] is not None)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "False"


class _Channel:
    """A channel holding ``messages``; records the timeout of every read."""

    def __init__(self, messages: list[dict]) -> None:
        self.messages = list(messages)
        self.timeouts: list[float] = []

    async def get_msg(self, timeout: float) -> dict:
        self.timeouts.append(timeout)
        if not self.messages:
            raise queue.Empty
        return self.messages.pop(0)


class _Client(kernel_fork.PromptKernelClient):
    shell_channel = None  # type: ignore[assignment]  # set per test instead of sockets
    iopub_channel = None  # type: ignore[assignment]

    def kernel_info(self) -> str:  # type: ignore[override]
        return "request"


def test_the_client_is_ready_once_the_kernel_replies_and_waits_for_no_silence() -> None:
    client = _Client()
    client.shell_channel = _Channel([{"msg_type": "kernel_info_reply", "content": {"protocol_version": "5.3"}}])  # type: ignore[assignment]
    starting = [{"msg_type": "status", "content": {"execution_state": s}} for s in ("busy", "idle", "starting")]
    client.iopub_channel = _Channel(starting)  # type: ignore[assignment]
    asyncio.run(client.wait_for_ready(timeout=5))
    assert client.iopub_channel.messages == []  # the start-up messages that were there are dropped ...
    assert client.iopub_channel.timeouts == [0.2, 0, 0, 0]  # ... without waiting for 0.2 s without one
    assert kernel_fork.ForkingKernelManager().client_factory is kernel_fork.PromptKernelClient


def test_the_worker_server_preloads_what_the_notebooks_import_while_they_run() -> None:
    """After the server's imports (the kernel's, the real notebooks' import statements and the runtime modules),
    the summary's reach into every area and the theme import nothing more of serviceplan, seaborn or networkx."""
    code = textwrap.dedent(
        """
        import importlib, sys
        from pathlib import Path
        from serviceplan.publish import kernel_fork, worker_server
        notebooks = sorted(Path("notebooks").glob("*.ipynb"))
        for name in kernel_fork.preload_modules(notebooks) + worker_server.runtime_modules():
            try:
                importlib.import_module(name)
            except ImportError:  # a name imported from a module, not a module (the server skips it too)
                pass
        before = set(sys.modules)
        from serviceplan.metrics.areas import AREAS
        from serviceplan.present import theme
        functions = [area.kpis() for area in AREAS]
        theme.apply()
        new = sorted(m for m in set(sys.modules) - before if m.split(".")[0] in ("serviceplan", "seaborn", "networkx"))
        print(len([f for f in functions if f is not None]), new)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == f"{sum(a.kpi_function is not None for a in AREAS)} []"
