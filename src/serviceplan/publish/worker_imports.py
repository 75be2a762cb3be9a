"""Imported first by the batch's worker server (``worker_server.worker_context``): keeps out an unused import.

jsonschema, which nbformat uses (and so Papermill and nbconvert), imports ``rfc3987_syntax`` when it is installed
(jupyterlab brings it: jupyter-events asks for ``jsonschema[format-nongpl]``) to check the ``iri`` string formats.
That import builds a parser: about 1.4 s of CPU, the largest single part of the server's start. Nothing the
server, its workers or the notebooks' kernels do checks string formats (nbformat's notebook schemas have no
``format`` keyword; a test keeps it so), so the server marks the module as absent and jsonschema goes without
that one check, as it does wherever the package is not installed.

The server also imports ipykernel's debugger support (see ``kernel_fork.KERNEL_MODULES``), which imports debugpy.
debugpy warns on standard error when Python's frozen modules are on (breakpoints in the standard library could be
missed); in the server that warning would reach the terminal of whoever runs the batch, about a debugger no batch
kernel uses. ``PYDEVD_DISABLE_FILE_VALIDATION`` (debugpy's own switch for that check) turns it off in the server
and in the kernels forked from it.
"""

from __future__ import annotations

import os
import sys

OPTIONAL_MODULES_LEFT_OUT = ("rfc3987_syntax",)

for _name in OPTIONAL_MODULES_LEFT_OUT:
    sys.modules.setdefault(_name, None)  # type: ignore[arg-type]  # None in sys.modules: "import fails"

os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
