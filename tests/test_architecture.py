"""The package follows the stages of the flow: no import circles, and no stage imports a later one.

Stages, in order (docs/architecture.md draws them): ``core`` (parameters, periods, paths, errors, identity codes)
-> ``inputs`` (datasets, contracts, readers, statistics client, canonical store, demo data) and ``present``
(Finnish formats, disclosure, charts, tables; knows nothing of inputs) -> ``metrics`` (areas, KPI tables, texts)
-> ``publish`` (batch, kernels, manifest, versions, render, previews, gates) -> the entry points ``cli`` and
``bench``. Every import counts, also one inside a function or under ``TYPE_CHECKING``: a function-level import
that dodges a circle is still a circle.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "serviceplan"

# What each stage may import besides itself.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "inputs": {"core"},
    "present": {"core"},
    "metrics": {"core", "inputs", "present"},
    "publish": {"core", "inputs", "present", "metrics"},
    "bench": {"core", "inputs", "present", "metrics", "publish"},
    "cli": {"core", "inputs", "present", "metrics", "publish", "bench"},
    "__init__": set(),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def stage_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imported_modules(path: Path, known: set[str], source: str | None = None) -> set[str]:
    """The package's modules that ``path`` (or ``source``, given as the text of ``path``) imports, anywhere in it."""
    own = module_name(path)
    package = own if path.name == "__init__.py" else own.rsplit(".", 1)[0]
    found: set[str] = set()
    text = path.read_text(encoding="utf-8") if source is None else source
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                prefix = ".".join([*base, *(node.module.split(".") if node.module else [])])
            else:
                prefix = node.module or ""
            names = [prefix, *(f"{prefix}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != own:
                found.add(name)
    return found


def import_graph() -> nx.DiGraph:
    found = modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(found)
    for name, path in found.items():
        for target in imported_modules(path, set(found)):
            if target != "serviceplan":  # the package's face (its version) is not a stage
                graph.add_edge(name, target)
    return graph


def test_every_module_belongs_to_a_known_stage():
    unknown = sorted(m for m in modules() if stage_of(m) not in ALLOWED)
    assert not unknown, f"modules outside the stages {sorted(ALLOWED)}: {unknown}"


def test_the_package_has_no_import_circle():
    circles = [sorted(c) for c in nx.strongly_connected_components(import_graph()) if len(c) > 1]
    assert not circles, f"import circles: {circles}"


def test_no_stage_imports_a_later_stage():
    upward = sorted(
        f"{a} -> {b}"
        for a, b in import_graph().edges
        if stage_of(b) != stage_of(a) and stage_of(b) not in ALLOWED[stage_of(a)]
    )
    assert not upward, "imports against the flow: " + "; ".join(upward)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from serviceplan.publish import batch\n", {"serviceplan.publish.batch"}),
        ("def f():\n    from serviceplan.core.params import Params\n", {"serviceplan.core.params"}),
        ("import serviceplan.metrics.kpis as k\n", {"serviceplan.metrics.kpis"}),
        ("from ..metrics import kpis\n", {"serviceplan.metrics.kpis"}),
    ],
)
def test_the_checker_sees_every_kind_of_import(source: str, expected: set[str]) -> None:
    """The checker itself can fail: a module-level, a function-level, a plain and a relative import are all seen."""
    probe = PACKAGE / "core" / "_probe.py"  # not read: its text is ``source``
    known = {"serviceplan.publish.batch", "serviceplan.core.params", "serviceplan.metrics.kpis"}
    assert imported_modules(probe, known, source) == expected


def test_the_page_registry_agrees_with_the_codes_the_parameters_are_checked_against() -> None:
    """The parameters check KPI ids against core.vocabulary (they cannot import the registry, a later stage)."""
    from serviceplan.core.vocabulary import KPI_AREAS, PUBLIC_KPI_AREAS
    from serviceplan.metrics.areas import AREAS

    assert tuple(a.id for a in AREAS if a.kpi_function is not None) == KPI_AREAS
    assert tuple(a.id for a in AREAS if a.kpi_function is not None and a.public) == PUBLIC_KPI_AREAS


def _package_picture() -> str:
    text = (PACKAGE.parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## The package, stage by stage", 1)[1].split("\n## ", 1)[0]
    return section.split("```", 2)[1]


def test_the_architecture_picture_names_every_stage_and_every_core_and_publish_module():
    """docs/architecture.md draws the package: a new stage, or a module of core/ or publish/ (where each module is
    a step a maintainer must find), is drawn there too."""
    picture = _package_picture()
    words = set(re.findall(r"[a-z_]+", picture))
    stages = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file())
    assert [s for s in stages if f"── {s}/" not in picture] == []
    named = [m for m in modules() if stage_of(m) in ("core", "publish") and m.count(".") == 2]
    assert [m for m in named if m.rsplit(".", 1)[1] not in words] == []
