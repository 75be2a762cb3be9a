"""The nbconvert exporter of the HTML previews, built (templates compiled) when this module is imported.

Building it costs about a quarter of a second of CPU, mostly compiling nbconvert's Jinja templates. The batch's
worker server imports this module once (see ``batch._context``), so that every worker forked from it, each
writing one preview, finds the exporter ready. Import it only where previews are written.
"""

from __future__ import annotations

import functools
from typing import Any

from serviceplan.render import HIDDEN_TAGS


@functools.cache
def preview_exporter() -> Any:
    """The HTML exporter of the previews: outputs only (no code, no prompts), ``lang="fi"``, images embedded."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name="lab",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code="fi",
        embed_images=True,  # the charts are Markdown image links to figures/: embed them so the page stands alone
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=set(HIDDEN_TAGS), enabled=True), enabled=True)
    _warm_up(exporter)
    return exporter


def _warm_up(exporter: Any) -> None:
    """Convert a small notebook once, so that the templates are compiled and the lazily compiled patterns and
    imports of the conversion are done."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Otsikko"),
        nbformat.v4.new_code_cell(
            "x",
            outputs=[nbformat.v4.new_output("display_data", data={"text/markdown": "*teksti* ![kuva](kuva.png)"})],
        ),
    ]
    exporter.from_notebook_node(notebook, resources={"metadata": {"name": "warm-up", "path": "."}})


preview_exporter()  # at import: see the module docstring
