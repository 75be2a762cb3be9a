"""Build the report notebooks from their reviewable sources: ``notebooks/src/<name>.py`` -> ``notebooks/<name>.ipynb``.

Why: a notebook file is JSON with outputs and metadata, hard to review in a diff. Its source is kept as a plain
Python file in the "percent" cell format (the format jupytext and VS Code also read), and this script writes the
notebook from it with nbformat: outputs empty, cell ids stable, so a rebuild of unchanged sources changes nothing.

Source format (comment lines before the first marker, such as linter settings, are not part of the notebook)::

    # ruff: noqa: E402
    # %% [markdown]
    # # Heading
    # Markdown text, each line behind "# ".

    # %% tags=["parameters"]
    period = None

    # %%
    print("a code cell")

Add a page by writing ``notebooks/src/NN_area.py`` and running ``python tools/build_notebooks.py``.
``--check`` exits with 1 (and names the files) when a notebook is missing or differs from its source, for CI.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "notebooks" / "src"
TARGETS = ROOT / "notebooks"

_MARKER = re.compile(r"^# %%(?:\s+\[(?P<kind>markdown|raw)\])?(?P<options>.*)$")
_TAGS = re.compile(r"tags\s*=\s*(\[[^\]]*\])")

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def parse_cells(text: str, source: str = "<source>") -> list[dict]:
    """The cells of a percent-format source: ``{"type", "source", "tags"}`` in order."""
    cells: list[dict] = []
    current: dict | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = _MARKER.match(line)
        if match:
            tags_match = _TAGS.search(match.group("options") or "")
            try:
                tags = json.loads(tags_match.group(1)) if tags_match else []
            except json.JSONDecodeError:
                raise SystemExit(f'{source}:{number}: tags must be a JSON list, e.g. tags=["parameters"]') from None
            current = {"type": match.group("kind") or "code", "lines": [], "tags": tags}
            cells.append(current)
            continue
        if current is None:  # the file header: comments only (e.g. linter settings), not part of the notebook
            if line.strip() and not line.startswith("#"):
                raise SystemExit(f"{source}:{number}: code before the first '# %%' cell marker")
            continue
        if current["type"] != "code":
            if line.strip() and not (line.startswith("# ") or line == "#"):
                raise SystemExit(f"{source}:{number}: a markdown line must start with '# ' (got {line[:40]!r})")
            line = line[2:] if line.startswith("# ") else ""
        current["lines"].append(line)
    for cell in cells:
        lines = cell.pop("lines")
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        cell["source"] = "\n".join(lines)
    return cells


def build(source: Path) -> nbformat.NotebookNode:
    """The notebook of one source file (no outputs, stable cell ids)."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = {"name": "python"}
    for index, spec in enumerate(parse_cells(source.read_text(encoding="utf-8"), source.name)):
        if spec["type"] == "markdown":
            cell = nbformat.v4.new_markdown_cell(spec["source"])
        elif spec["type"] == "raw":
            cell = nbformat.v4.new_raw_cell(spec["source"])
        else:
            cell = nbformat.v4.new_code_cell(spec["source"])
        cell["id"] = f"{source.stem.replace('_', '-')}-{index:02d}"
        if spec["tags"]:
            cell.metadata["tags"] = spec["tags"]
        notebook.cells.append(cell)
    nbformat.validate(notebook)
    return notebook


def render(notebook: nbformat.NotebookNode) -> str:
    """The notebook as the exact text written to disk."""
    return nbformat.writes(notebook) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Build (or with ``--check``, verify) every notebook, or the ones named."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook names such as 01_budget (default: all)")
    parser.add_argument("--check", action="store_true", help="only check that the notebooks match their sources")
    args = parser.parse_args(argv)
    sources = sorted(SOURCES.glob("*.py"))
    if args.names:
        sources = [SOURCES / f"{Path(name).stem}.py" for name in args.names]
    stale = []
    for source in sources:
        if not source.is_file():
            raise SystemExit(f"no notebook source {source}")
        target = TARGETS / f"{source.stem}.ipynb"
        text = render(build(source))
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current == text:
            continue
        if args.check:
            stale.append(target.relative_to(ROOT).as_posix())
        else:
            target.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote {target.relative_to(ROOT).as_posix()}")
    if stale:
        print("out of date (run python tools/build_notebooks.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
