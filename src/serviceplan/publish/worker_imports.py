"""Imported first by the batch's worker server (``notebook_execution.worker_context``): keeps out an unused import.

jsonschema, which nbformat uses (and so Papermill and nbconvert), imports ``rfc3987_syntax`` when it is installed
(jupyterlab brings it: jupyter-events asks for ``jsonschema[format-nongpl]``) to check the ``iri`` string formats.
That import builds a parser: about 1.4 s of CPU, the largest single part of the server's start. Nothing the
server, its workers or the notebooks' kernels do checks string formats (nbformat's notebook schemas have no
``format`` keyword; a test keeps it so), so the server marks the module as absent and jsonschema goes without
that one check, as it does wherever the package is not installed.
"""

from __future__ import annotations

import sys

OPTIONAL_MODULES_LEFT_OUT = ("rfc3987_syntax",)

for _name in OPTIONAL_MODULES_LEFT_OUT:
    sys.modules.setdefault(_name, None)  # type: ignore[arg-type]  # None in sys.modules: "import fails"
