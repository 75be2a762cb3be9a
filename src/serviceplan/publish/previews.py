"""The nbconvert exporter of the HTML previews, built (templates compiled) when this module is imported.

Building it costs about a quarter of a second of CPU, mostly compiling nbconvert's Jinja templates. The batch's
worker server imports this module once (see ``worker_server.worker_context``), so that every worker
forked from it, each writing one preview, finds the exporter ready. Import it only where previews are written.

The notebooks' outputs are written for Quarto: a chart is ``![caption](figures/x.png){fig-alt="..."}`` and a table
sits in a fenced div ``::: {.sp-table tabindex="0" role="region" aria-label="..."}`` (see
:mod:`serviceplan.present.charts` and :mod:`serviceplan.present.tables`). nbconvert's Markdown renderer knows
neither, so :class:`QuartoMarkdownToHtml` turns those outputs into the HTML Quarto makes of them (a ``<figure>``
with the caption and the image with its ``alt``; a focusable, named scroll container around the table) before
the page is exported. It changes only the copy being exported, never the published notebook.
"""

from __future__ import annotations

import base64
import functools
import html
import re
from pathlib import Path
from typing import Any

from serviceplan.present.quarto_syntax import FIGURE_MARKER
from serviceplan.publish.committee_pdf import HIDDEN_TAGS

_FIGURE = re.compile(r'^!\[(?P<caption>(?:\\.|[^\]\\])*)\]\((?P<path>[^)\s]+)\)\{fig-alt="(?P<alt>(?:\\.|[^"\\])*)"\}$')
_DIV_OPEN = re.compile(r"^:::\s*\{(?P<attributes>[^}]*)\}\s*$")
_DIV_CLOSE = re.compile(r"^:::\s*$")
_ATTRIBUTE = re.compile(r'\.(?P<cls>[\w-]+)|(?P<key>[\w-]+)="(?P<value>(?:\\.|[^"\\])*)"')
_ESCAPED = re.compile(r"\\(.)")
_TABLE_STYLE = "overflow-x: auto; max-width: 100%;"  # the previews carry no site.css: the scroll rule inline


def _unescape(text: str) -> str:
    return _ESCAPED.sub(r"\1", text)


def _image_source(path: str, folder: Path | None) -> str:
    """The image as a ``data:`` URI when its file is found (a preview stands alone), else the relative path."""
    file = (folder / path) if folder is not None else None
    if file is not None and file.is_file() and file.suffix.lower() == ".png":
        return "data:image/png;base64," + base64.b64encode(file.read_bytes()).decode("ascii")
    return path


def figure_html(path: str, caption: str, alt: str, folder: Path | None = None) -> str:
    """The HTML of one chart: a ``<figure>`` with its caption first (as on the site) and the image with ``alt``."""
    return (
        f'<figure class="sp-figure"><figcaption style="font-weight: 600;">{html.escape(caption)}</figcaption>'
        f'<img src="{html.escape(_image_source(path, folder))}" alt="{html.escape(alt)}" style="max-width: 100%;">'
        "</figure>"
    )


def _div_attributes(text: str) -> str:
    classes, pairs = [], []
    for match in _ATTRIBUTE.finditer(text):
        if match.group("cls"):
            classes.append(match.group("cls"))
        else:
            pairs.append(f'{match.group("key")}="{html.escape(_unescape(match.group("value")))}"')
    shown = ([f'class="{" ".join(classes)}"'] if classes else []) + pairs + [f'style="{_TABLE_STYLE}"']
    return " ".join(shown)


def quarto_markdown_html(text: str, folder: Path | None = None, figure: dict[str, Any] | None = None) -> str | None:
    """The HTML of a Markdown output that uses Quarto's figure or fenced-div syntax; ``None`` for other Markdown
    (nbconvert renders that as it is). ``figure`` is the output's ``serviceplan/figure`` metadata, when present."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    stripped = text.strip()
    match = _FIGURE.match(stripped)
    if figure is not None or match:
        if figure is not None:
            return figure_html(str(figure["path"]), str(figure["caption"]), str(figure["alt"]), folder)
        assert match is not None
        return figure_html(match["path"], _unescape(match["caption"]), _unescape(match["alt"]), folder)
    lines = text.split("\n")
    if not any(_DIV_OPEN.match(line) for line in lines):
        return None
    parts: list[str] = []
    chunk: list[str] = []

    def flush() -> None:
        if "".join(chunk).strip():
            parts.append(markdown2html_mistune("\n".join(chunk)))
        chunk.clear()

    for line in lines:
        opened = _DIV_OPEN.match(line)
        if opened:
            flush()
            parts.append(f"<div {_div_attributes(opened['attributes'])}>")
        elif _DIV_CLOSE.match(line):
            flush()
            parts.append("</div>")
        else:
            chunk.append(line)
    flush()
    return "\n".join(parts)


def _quarto_markdown_preprocessor() -> Any:
    from nbconvert.preprocessors import Preprocessor

    class QuartoMarkdownToHtml(Preprocessor):  # type: ignore[misc]
        """Turn the outputs written in Quarto's Markdown syntax into HTML (see the module docstring)."""

        def preprocess_cell(self, cell: Any, resources: dict[str, Any], index: int) -> tuple[Any, dict[str, Any]]:
            folder_text = (resources.get("metadata") or {}).get("path")
            folder = Path(folder_text) if folder_text else None
            for output in cell.get("outputs", []):
                markdown = output.get("data", {}).get("text/markdown")
                if markdown is None:
                    continue
                text = "".join(markdown) if isinstance(markdown, list) else str(markdown)
                figure = output.get("metadata", {}).get(FIGURE_MARKER)
                converted = quarto_markdown_html(text, folder, figure)
                if converted is not None:
                    output["data"] = {"text/html": converted}
            return cell, resources

    return QuartoMarkdownToHtml(enabled=True)


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
        embed_images=True,  # images in Markdown (cells and outputs): embed them so the page stands alone
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=set(HIDDEN_TAGS), enabled=True), enabled=True)
    exporter.register_preprocessor(_quarto_markdown_preprocessor(), enabled=True)
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
            outputs=[
                nbformat.v4.new_output("display_data", data={"text/markdown": "*teksti* ![kuva](kuva.png)"}),
                nbformat.v4.new_output(
                    "display_data",
                    data={"text/markdown": '::: {.sp-table tabindex="0" aria-label="T"}\n| a |\n|---|\n| 1 |\n\n:::'},
                ),
            ],
        ),
    ]
    exporter.from_notebook_node(notebook, resources={"metadata": {"name": "warm-up", "path": "."}})


preview_exporter()  # at import: see the module docstring
