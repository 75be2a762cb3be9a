"""The documentation names what the code registers."""

from __future__ import annotations

import re
from pathlib import Path

from serviceplan.inputs.sources import DATASETS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_data_log_names_every_dataset():
    text = (DOCS / "data-log.md").read_text(encoding="utf-8")
    missing = [name for name in DATASETS if f"`{name}`" not in text]
    assert not missing, f"docs/data-log.md does not describe: {missing}"


def test_readme_says_up_front_what_make_test_needs_and_what_is_skipped():
    """Every tool the suite needs beyond Python (the Makefile's `command -v` checks, the tests' `shutil.which`
    checks, the browser the accessibility gate drives, Quarto) is named in the README's quick start, beside the
    `make test` command, with what happens without it."""
    import re

    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (DOCS.parent / "tests").glob("test_*.py"))
    makefile = (DOCS.parent / "Makefile").read_text(encoding="utf-8")
    tools = set(re.findall(r"command -v (\w+)", makefile)) | set(re.findall(r'shutil\.which\("([\w-]+)"\)', tests))
    tools |= {
        "Chromium",
        "chromedriver",
        "Quarto",
    }  # serviceplan.publish.accessibility_gate.find_browser, serviceplan.publish.render
    assert {"npm", "pdftotext"} <= tools
    missing = sorted(tool for tool in tools if tool.lower() not in quick_start.lower())
    assert not missing, f"README.md's quick start does not name: {missing}"
    assert "skipped" in quick_start and "make test" in quick_start


MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_every_relative_link_of_the_documentation_resolves():
    """Links from the READMEs and docs/ to files of the repository point at files that exist (a moved module or
    template breaks its links here, not in a reader's browser)."""
    root = DOCS.parent
    pages = [root / "README.md", root / "CONTRIBUTING.md", root / "reports" / "README.md", *DOCS.glob("*.md")]
    broken = []
    for page in pages:
        text = re.sub(r"```.*?```|`[^`\n]*`", "", page.read_text(encoding="utf-8"), flags=re.S)  # code is not a link
        for target in MARKDOWN_LINK.findall(text):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue  # a web address or an anchor of the same page
            path = (page.parent / target.split("#", 1)[0]).resolve()
            if not path.exists():
                broken.append(f"{page.relative_to(root)} -> {target}")
    assert not broken, broken
