"""The Markdown a page's outputs are written in for Quarto, and the output metadata that says what an output is.

Kept apart from :mod:`~serviceplan.present.charts` and :mod:`~serviceplan.present.tables` (which import matplotlib
and pandas) so that the publishing side (the committee PDF, the previews) can read and write it cheaply.

* A chart: ``![caption](figures/x.png){fig-alt="..."}`` (:func:`figure_markdown`): Quarto's figure with its
  alternative text given by ``fig-alt``, separate from the caption (quarto.org/docs/authoring/figures.html, "Alt
  Text"). Its output metadata :data:`FIGURE_MARKER` holds name, path, caption and alt.
* A table: the pipe table in a fenced div ``::: {.sp-table tabindex="0" role="region" aria-label="..."}``
  (:func:`quarto_table`): a named scroll container a keyboard user can focus (Pandoc keeps a fenced div's
  attributes in its HTML). Its output metadata :data:`TABLE_MARKER` describes its columns (for the privacy gate);
  :data:`ROLE` ``"kpis"`` marks a page's KPI table.
"""

from __future__ import annotations

import re
from pathlib import Path

FIGURE_MARKER = "serviceplan/figure"
# Output metadata describing a displayed table for the privacy gate (serviceplan.publish.privacy_gate): each column's
# header and format, so that count columns are known without guessing from the text. Output metadata is not
# shown by Quarto, nbconvert or JupyterLab, and nbval does not compare it.
TABLE_MARKER = "serviceplan/table"
# What an output is for, where a later step needs to know: "kpis" marks an area's KPI table (the committee PDF).
ROLE = "serviceplan/role"
TABLE_CLASS = "sp-table"


def attribute(text: str) -> str:
    """``text`` as a Pandoc attribute value in double quotes: one line, ``\\`` and ``"`` escaped."""
    return " ".join(str(text).split()).replace("\\", "\\\\").replace('"', '\\"')


def escape_inline(text: str) -> str:
    """``text`` on one line with Markdown's inline special characters escaped (for a caption)."""
    return re.sub(r"([\\\[\]*_`<>])", r"\\\1", " ".join(text.split()))


def same_words(a: str, b: str) -> bool:
    """Whether two texts are the same words (spacing and case aside)."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def figure_markdown(path: Path | str, alt: str, caption: str, extra: str = "") -> str:
    """Quarto's Markdown for the image at ``path``: ``caption`` in the brackets and ``alt`` as ``fig-alt``
    (``extra``: more attributes, e.g. ``width=100%``).

    Both texts are required and must differ (a caption that repeats the alt text makes a screen reader say it twice).
    """
    if not alt or not alt.strip():
        raise ValueError("a chart needs an alt text that says what it shows")
    if not caption or not caption.strip():
        raise ValueError("a chart needs a caption (its title): give the chart a title")
    if same_words(alt, caption):
        raise ValueError("a chart's caption must not repeat its alt text word for word")
    more = f" {extra}" if extra else ""
    return f'![{escape_inline(caption)}]({Path(path).as_posix()}){{fig-alt="{attribute(alt)}"{more}}}'


def quarto_table(table: str, title: str | None = None, note: str | None = None, *, name: str | None = None) -> str:
    """A Markdown table in its keyboard-reachable scroll container, with an optional bold title inside it and an
    italic note below it; ``name`` (default: the title) names the container for assistive technology."""
    name = name or title or "Taulukko"
    parts = [f'::: {{.{TABLE_CLASS} tabindex="0" role="region" aria-label="{attribute(name)}"}}']
    parts += [f"**{title_text(title)}**", ""] if title else []
    parts += [table, "", ":::"]
    parts += ["", f"*{note}*"] if note else []
    return "\n".join(parts)


def title_text(text: str) -> str:
    """A table title for Markdown: ``|`` and ``\\`` escaped, on one line."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
