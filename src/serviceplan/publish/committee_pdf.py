"""The committee PDF's Quarto project: a board document assembled from the executed notebooks, not the web pages
printed.

What the PDF holds, in order: a cover (title, month, version, publication date, organisation), the contents, the
summary page's text and its headline KPIs with their traffic lights, then per area its heading and policy line,
its KPI table, its findings and its key charts, and last a page about the version (where the figures' numbers are,
what a correction changed). The figure data tables are not repeated in the PDF: every area ends with the name of
its page on the report site, where every chart is followed by its numbers as a table.

Which parts of a page go into the PDF is data the notebooks set, not a list kept here:

* the page's first Markdown cell (its heading and policy line);
* the output a notebook shows with :func:`serviceplan.present.tables.show_kpis` (its metadata ``serviceplan/role``
  is ``kpis``), with the Markdown cell just before it;
* every code cell tagged ``pdf`` (``# %% tags=["pdf"]`` in ``notebooks/src/``), with the Markdown cell just before
  it (its section heading and reading guide): its charts and its text, not its tables.

The project is self-contained (everything it refers to is inside ``pdf/``): ``_quarto.yml``, the document
``<name>.qmd`` (Markdown only; nothing is executed), the Typst template ``board.typ`` and copies of the key charts
in ``pdf/figures/``.

The Typst template. Quarto's ``typst`` format takes a whole Pandoc template with the ``template`` option
("template.typ ... can't be replaced as a partial, instead use the template option", quarto.org/docs/journals/
templates.html, Typst partials). Ours includes Quarto's ``definitions.typ`` partial (the definitions its Typst
output presupposes) and sets, itself: the document metadata (``set document``: title, author, keywords;
Quarto 1.7's own template sets none, so the PDF had no Title), the page (A4, margins and font size from the
workspace's ``_quarto.yml``), the language ``fi``, ragged-right paragraphs and table cells without hyphenation
(justified narrow cells were hyphenated into "Tunnuslu-/ku"), section numbering, the cover and the contents.
Table columns get widths from the dashes of each pipe table's separator line (Pandoc's pipe_tables: a table with
a line longer than ``columns`` gets relative widths from the dashes), which this module rescales so that every
table spans the text width.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from serviceplan.present.quarto_syntax import FIGURE_MARKER, ROLE, TABLE_MARKER, figure_markdown
from serviceplan.publish.report_templates import render_template

PDF_TAG = "pdf"  # the cell tag that puts a cell's charts and text into the committee PDF
TEMPLATE = "board.typ"
FIGURES = "figures"
HIDDEN_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell"})
_SEPARATOR = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$")
_FRONT_MATTER = re.compile(r"^\s*---\s*\n")
_SEPARATOR_TOTAL = 100  # dashes across a rescaled separator: over Pandoc's 72 columns, so widths always apply


@dataclass(frozen=True)
class Cover:
    """What the cover page and the PDF's metadata say."""

    title: str  # the report's name
    month: str  # "kesäkuu 2026"
    version: str  # "2026-06-r2"
    version_label: str  # "2. versio (korjaus)"
    published: str  # "3.7.2026"
    organisation: str
    keywords: tuple[str, ...] = ()
    subject: str = ""


@dataclass
class Section:
    """One page's part of the PDF: Markdown blocks and the charts they show."""

    title: str
    notebook: str
    blocks: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)  # paths relative to the version folder


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _tags(cell: Mapping[str, Any]) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def rescale_separators(markdown: str, total: int = _SEPARATOR_TOTAL) -> str:
    """Every pipe table's separator line with its dashes scaled to ``total`` in the same proportions, so that the
    table spans the text width with relative column widths (see the module docstring)."""
    lines = markdown.split("\n")
    for index, line in enumerate(lines):
        if not _SEPARATOR.match(line.strip()):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        widths = [max(1, cell.count("-")) for cell in cells]
        scale = total / sum(widths)
        new = []
        for cell, width in zip(cells, widths, strict=True):
            dashes = "-" * max(3, round(width * scale))
            new.append((":" if cell.startswith(":") else "") + dashes + (":" if cell.endswith(":") else ""))
        lines[index] = "| " + " | ".join(new) + " |"
    return "\n".join(lines)


def _outputs(cell: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(markdown text, output metadata)`` of each Markdown output of a code cell."""
    for output in cell.get("outputs", []):
        markdown = output.get("data", {}).get("text/markdown")
        if markdown is not None:
            yield _text(markdown), dict(output.get("metadata", {}))


def _figure_block(figure: Mapping[str, Any]) -> str:
    """A key chart in Quarto's figure syntax, full text width (the PNGs are wider than the page)."""
    return figure_markdown(str(figure["path"]), str(figure["alt"]), str(figure["caption"]), "width=100%")


def page_section(notebook_path: Path, title: str) -> Section:
    """The parts of one executed notebook that go into the PDF (see the module docstring)."""
    content = json.loads(notebook_path.read_text(encoding="utf-8"))
    section = Section(title=title, notebook=notebook_path.name)
    cells = [
        c
        for c in content.get("cells", [])
        if not _tags(c) & HIDDEN_TAGS
        and not (c.get("cell_type") == "raw" and _FRONT_MATTER.match(_text(c.get("source"))))
    ]
    first = next((c for c in cells if c.get("cell_type") == "markdown"), None)
    if first is not None:
        section.blocks.append(_text(first.get("source")).strip())
    previous: Mapping[str, Any] | None = None
    for cell in cells:
        if cell.get("cell_type") == "code":
            tagged = PDF_TAG in _tags(cell)
            parts: list[str] = []
            for text, metadata in _outputs(cell):
                figure = metadata.get(FIGURE_MARKER)
                if metadata.get(ROLE) == "kpis":
                    parts.append(rescale_separators(text.strip()))
                elif tagged and figure is not None:
                    parts.append(_figure_block(figure))
                    section.figures.append(str(figure["path"]))
                elif tagged and TABLE_MARKER not in metadata:
                    parts.append(text.strip())
            if parts:
                if previous is not None and previous is not first and previous.get("cell_type") == "markdown":
                    section.blocks.append(_text(previous.get("source")).strip())
                section.blocks.extend(parts)
        previous = cell
    return section


def _site_reference(section: Section) -> str:
    page = Path(section.notebook).with_suffix(".html").name
    return f"*Kaikki sivun kuviot ja niiden luvut taulukkoina ovat raportin verkkosivulla {section.title} ({page}).*"


def document(cover: Cover, sections: Sequence[Section], about: Sequence[str]) -> str:
    """The PDF's Markdown document: front matter, every section, and the closing page about the version."""
    parts = ["---", f"title: {json.dumps(cover.title, ensure_ascii=False)}", "lang: fi", "---", ""]
    for section in sections:
        parts.extend(block + "\n" for block in section.blocks)
        parts.append(_site_reference(section) + "\n")
    parts.append("# Tietoa raportista {.unnumbered}\n")
    parts.extend(f"{line}\n" for line in about)
    return "\n".join(parts)


def _typst_string(text: str) -> str:
    """``text`` as a Typst string literal, also safe inside a Pandoc template (``$`` doubled)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return '"' + escaped.replace("$", "$$") + '"'


def _typst_length(value: Any, default: str) -> str:
    text = str(value if value is not None else default).strip()
    return text if re.fullmatch(r"\d+(\.\d+)?(cm|mm|in|pt)", text) else default


def typst_template(cover: Cover, typst: Mapping[str, Any]) -> str:
    """The Pandoc template of the PDF (Typst), with the cover's texts and the page settings written in."""
    margin = typst.get("margin") or {}
    margin = margin if isinstance(margin, Mapping) else {}
    numbering = str(typst.get("section-numbering") or "1.1")
    numbering = numbering if re.fullmatch(r"[1aAiI.]+", numbering) else "1.1"
    return render_template(
        "board.typ.j2",
        title=_typst_string(cover.title),
        month=_typst_string(cover.month),
        version=_typst_string(cover.version),
        version_label=_typst_string(cover.version_label),
        published=_typst_string(cover.published),
        organisation=_typst_string(cover.organisation),
        subject=_typst_string(cover.subject),
        keywords="(" + "".join(_typst_string(k) + ", " for k in cover.keywords) + ")",
        paper=_typst_string(str(typst.get("papersize") or "a4")),
        margin_x=_typst_length(margin.get("x"), "2.5cm"),
        margin_y=_typst_length(margin.get("y"), "2.5cm"),
        fontsize=_typst_length(typst.get("fontsize"), "11pt"),
        numbering=_typst_string(numbering),
        toc_title=_typst_string(str(typst.get("toc-title") or "Sisällys")),
    )


def project_config(stem: str) -> dict[str, Any]:
    """The PDF project's ``_quarto.yml``: one Markdown document to Typst with our template; nothing executed."""
    return {
        "project": {"type": "default", "render": [f"{stem}.qmd"]},
        "lang": "fi",
        "execute": {"enabled": False},
        "format": {
            "typst": {
                "template": TEMPLATE,  # quarto.org/docs/output-formats/typst-custom.html (template, partials)
                "fig-cap-location": "top",  # a chart's caption is its title: above it, as on the site
                "keep-typ": False,
            }
        },
    }


def write_project(
    folder: Path,
    pdf_dir: Path,
    *,
    stem: str,
    cover: Cover,
    pages: Sequence[tuple[str, str]],
    typst: Mapping[str, Any],
    about: Sequence[str],
    write_yaml: Any,
    header: str,
) -> list[Path]:
    """Write the PDF project into ``pdf_dir`` from the executed notebooks in ``folder`` (``pages``: notebook file,
    title) and copy its charts in; returns the files written."""
    sections = [page_section(folder / notebook, title) for notebook, title in pages if (folder / notebook).is_file()]
    if pdf_dir.exists():
        shutil.rmtree(pdf_dir)
    (pdf_dir / FIGURES).mkdir(parents=True)
    written = [write_yaml(pdf_dir / "_quarto.yml", header, project_config(stem))]
    for section in sections:
        for figure in section.figures:
            source = folder / figure
            if not source.is_file():
                raise FileNotFoundError(f"{section.notebook} shows {figure}, which is not in the version folder")
            target = pdf_dir / figure
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            written.append(target)
    text = document(cover, sections, about)
    (pdf_dir / f"{stem}.qmd").write_text(text, encoding="utf-8", newline="\n")
    (pdf_dir / TEMPLATE).write_text(typst_template(cover, typst), encoding="utf-8", newline="\n")
    return [*written, pdf_dir / f"{stem}.qmd", pdf_dir / TEMPLATE]
