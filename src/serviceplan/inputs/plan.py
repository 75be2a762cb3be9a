"""The plan's content as data: its concrete actions with deadlines (``plan/actions.yaml``) and its transition risks
(``plan/risks.yaml``), loaded, validated and offered as tables.

The plan (Palvelusuunnitelma 2.0) gives schedules as phrases ("valmis 30.6.2025 mennessä", "syksyn 2025
aikana", "valmis"). ``actions.yaml`` stores each phrase word for word, the part of it that sets the deadline and
the deadline as a date; :func:`interpret_deadline` applies the documented rules and the loader checks that every
stored date follows from its phrase, so the interpretation cannot drift from the data.

Errors in the files are :class:`~serviceplan.core.errors.DataError` violations naming the file, the line and the key.
The small YAML helpers here (parse with line numbers, read scalars as text) are also used by the partner network
reader, which receives hand-maintained YAML too.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from serviceplan.core.errors import DataError, Violation, os_problem
from serviceplan.core.paths import CHECKOUT
from serviceplan.core.yaml_checks import yaml_problem

# libyaml's loader when PyYAML was built with it (several times faster; same nodes and line numbers)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ACTIONS_FILE = "actions.yaml"
RISKS_FILE = "risks.yaml"

YamlPath = tuple[str | int, ...]


# --- YAML with line numbers -------------------------------------------------------------------------------------


def compose_yaml(path: Path, file: str) -> yaml.Node | None:
    """Parse ``path`` into a YAML node tree (which keeps line numbers); a syntax error, an unreadable file, an
    anchor or alias, or nesting too deep (:func:`serviceplan.core.yaml_checks.yaml_problem`) is a clear violation."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError([Violation(file, None, None, None, f"UTF-8 text (undecodable byte at {exc.start})")]) from None
    except OSError as exc:
        raise DataError([Violation(file, None, None, None, f"a readable file ({os_problem(exc)})")]) from None
    refused = yaml_problem(text)
    if refused is not None:
        raise DataError([Violation(file, refused[0], None, None, refused[1])])
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataError([Violation(file, line, None, None, f"valid YAML ({problem})")]) from None


def node_lines(node: yaml.Node | None, prefix: YamlPath = ()) -> dict[YamlPath, int]:
    """The 1-based line of every mapping key and list item below ``node``, by its path of keys and indexes."""
    lines: dict[YamlPath, int] = {}
    if node is None:
        return lines
    lines[prefix] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = (*prefix, str(key_node.value))
            lines.update(node_lines(value_node, path))
            lines[path] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.update(node_lines(item, (*prefix, index)))
    return lines


def duplicate_keys(node: yaml.Node | None, file: str) -> list[Violation]:
    """Keys given twice in one mapping (YAML would silently keep the last one)."""
    found: list[Violation] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                found.append(Violation(file, key_node.start_mark.line + 1, key, None, "each key once (duplicate key)"))
            seen.add(key)
            found.extend(duplicate_keys(value_node, file))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found.extend(duplicate_keys(item, file))
    return found


def node_text(node: yaml.Node | None) -> Any:
    """Mappings and lists as Python ones, every scalar as the text written in the file (``""`` for a null)."""
    if node is None:
        return None
    if isinstance(node, yaml.MappingNode):
        return {str(k.value): node_text(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [node_text(item) for item in node.value]
    if node.tag == "tag:yaml.org,2002:null":
        return ""
    return str(node.value).strip()


def line_for(lines: dict[YamlPath, int], path: YamlPath) -> int | None:
    """The line of ``path`` or, when that key is missing, of its nearest enclosing item."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


# --- Deadlines --------------------------------------------------------------------------------------------------

_FULL_DATE = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)")
_SPRING = re.compile(r"\bkevä\w*\s+(\d{4})", re.IGNORECASE)
_AUTUMN = re.compile(r"\bsyks\w*\s+(\d{4})", re.IGNORECASE)
_YEAR = re.compile(r"\bvuoden\s+(\d{4})\s+aikana", re.IGNORECASE)


class DeadlineRules(BaseModel):
    """Last day (``MM-DD``) of a season or year named in a schedule phrase: our documented interpretation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    spring: str = Field(pattern=r"^\d{2}-\d{2}$")
    autumn: str = Field(pattern=r"^\d{2}-\d{2}$")
    year: str = Field(pattern=r"^\d{2}-\d{2}$")

    def day_in(self, rule: str, year: int) -> date:
        """The last day of ``rule`` (``spring``, ``autumn`` or ``year``) in ``year``."""
        month, day = (int(x) for x in getattr(self, rule).split("-"))
        return date(year, month, day)


def interpret_deadline(phrase: str, plan_date: date, rules: DeadlineRules) -> date | None:
    """The deadline a schedule phrase of the plan sets, or ``None`` when the phrase is not understood.

    A phrase holding one full date ``d.m.yyyy`` gives that date; a season or a year ("kevään 2025 aikana",
    "syksyllä 2025", "vuoden 2025 aikana") gives the last day the rules set for it; ``valmis`` alone (the action
    was done when the plan was written) gives the plan's date. A phrase with two candidates is not understood.
    """
    text = phrase.strip()
    candidates: list[date] = []
    for match in _FULL_DATE.finditer(text):
        day, month, year = (int(g) for g in match.groups())
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            return None
    for pattern, rule in ((_SPRING, "spring"), (_AUTUMN, "autumn"), (_YEAR, "year")):
        candidates.extend(rules.day_in(rule, int(m.group(1))) for m in pattern.finditer(text))
    if not candidates and text.rstrip(".").casefold() == "valmis":
        candidates.append(plan_date)
    return candidates[0] if len(candidates) == 1 else None


# --- The plan's files -------------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlanInfo(_Strict):
    """Which plan the actions come from."""

    title: str = Field(min_length=1)
    date: date
    source: str = Field(min_length=1)
    tracking_from: date  # earliest completion date a status update may report


class Action(_Strict):
    """One concrete action of the plan (Konkreettinen toimi) with its deadline."""

    id: str = Field(pattern=r"^T[1-9]\.\d{1,2}$")
    area: int = Field(ge=1, le=9)
    section: str = Field(min_length=1)
    title: str = Field(min_length=5, max_length=160)
    deadline_text: str | None = None
    deadline_basis: str | None = None
    deadline: date | None = None
    done_in_plan: bool = False


class ActionsFile(_Strict):
    """The layout of ``plan/actions.yaml``."""

    plan: PlanInfo
    deadline_rules: DeadlineRules
    actions: list[Action] = Field(min_length=1)


class Assessment(_Strict):
    """Who rated the risks and on what basis."""

    kind: str = Field(min_length=1)
    by: str = Field(min_length=1)
    basis: str = Field(min_length=1)


class Risk(_Strict):
    """One transition risk of the plan with our rating."""

    id: str = Field(pattern=r"^R\d{1,2}$")
    title: str = Field(min_length=5, max_length=160)
    areas: list[int] = Field(min_length=1)
    likelihood: int = Field(ge=1, le=5)
    impact: int = Field(ge=1, le=5)
    rationale: str = Field(min_length=1)

    @property
    def score(self) -> int:
        """Likelihood times impact (1-25), the usual ranking of a risk register."""
        return self.likelihood * self.impact


class RisksFile(_Strict):
    """The layout of ``plan/risks.yaml``."""

    assessment: Assessment
    risks: list[Risk] = Field(min_length=1)


@dataclass(frozen=True)
class Plan:
    """The plan's actions and risks, validated."""

    info: PlanInfo
    deadline_rules: DeadlineRules
    actions: tuple[Action, ...]
    assessment: Assessment
    risks: tuple[Risk, ...]

    @property
    def action_ids(self) -> tuple[str, ...]:
        """The ids of the actions, in the plan's order."""
        return tuple(a.id for a in self.actions)

    def action(self, action_id: str) -> Action:
        """The action with id ``action_id``."""
        return next(a for a in self.actions if a.id == action_id)

    def actions_frame(self) -> pd.DataFrame:
        """The actions as a table (``deadline`` as datetime, missing for continuing actions)."""
        frame = pd.DataFrame(
            [
                {
                    "action_id": a.id,
                    "area": a.area,
                    "section": a.section,
                    "title": a.title,
                    "deadline_text": a.deadline_text,
                    "deadline": pd.Timestamp(a.deadline) if a.deadline else pd.NaT,
                    "done_in_plan": a.done_in_plan,
                }
                for a in self.actions
            ]
        )
        frame["area"] = frame["area"].astype("Int64")
        for column in ("action_id", "section", "title", "deadline_text"):
            frame[column] = frame[column].astype("string")
        frame["deadline"] = pd.to_datetime(frame["deadline"])
        return frame

    def risks_frame(self) -> pd.DataFrame:
        """The risk register, highest score first (ties in the plan's order)."""
        frame = pd.DataFrame(
            [
                {
                    "risk_id": r.id,
                    "title": r.title,
                    "areas": ", ".join(str(a) for a in r.areas),
                    "likelihood": r.likelihood,
                    "impact": r.impact,
                    "score": r.score,
                    "rationale": r.rationale,
                }
                for r in self.risks
            ]
        )
        return frame.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)


def _validated(model: type[BaseModel], path: Path, file: str) -> tuple[Any, dict[YamlPath, int]]:
    node = compose_yaml(path, file)
    lines = node_lines(node)
    violations = duplicate_keys(node, file)
    data = yaml.load(path.read_bytes().decode("utf-8-sig"), Loader=_LOADER)  # _LOADER is a safe loader
    if not isinstance(data, dict):
        violations.append(Violation(file, 1, None, None, "a mapping of keys at the top level"))
        raise DataError(violations)
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            key = next((str(p) for p in reversed(loc) if isinstance(p, str)), None)
            if error["type"] == "missing":
                expected = "this key (missing)"
            elif error["type"] == "extra_forbidden":
                expected = "no such key (unknown key)"
            else:
                expected = error["msg"]
            value = error.get("input")
            shown = None if isinstance(value, dict | list) or error["type"] == "missing" else str(value)
            violations.append(Violation(file, line_for(lines, loc), key, shown, expected))
        raise DataError(violations) from None
    if violations:
        raise DataError(violations)
    return parsed, lines


def _check_actions(parsed: ActionsFile, lines: dict[YamlPath, int], file: str) -> list[Violation]:
    violations: list[Violation] = []
    seen: set[str] = set()
    for index, action in enumerate(parsed.actions):

        def flag(key: str, value: object, expected: str, index: int = index) -> None:
            shown = None if value is None else str(value)
            violations.append(Violation(file, line_for(lines, ("actions", index, key)), key, shown, expected))

        if action.id in seen:
            flag("id", action.id, "a unique action id (duplicate)")
        seen.add(action.id)
        if not action.id.startswith(f"T{action.area}."):
            flag("id", action.id, f"an id starting T{action.area}. (the action's area is {action.area})")
        if action.deadline_text is None:
            if action.deadline is not None or action.deadline_basis is not None or action.done_in_plan:
                flag("deadline", action.deadline, "no deadline, basis or done_in_plan when deadline_text is null")
            continue
        basis = action.deadline_basis
        if basis is None or basis not in action.deadline_text:
            flag("deadline_basis", basis, "a part of deadline_text, word for word")
            continue
        derived = interpret_deadline(basis, parsed.plan.date, parsed.deadline_rules)
        if derived is None:
            flag("deadline_basis", basis, "one date, season or year, or 'valmis' (see the rules in the file header)")
        elif action.deadline != derived:
            flag("deadline", action.deadline, f"{derived.isoformat()} (what deadline_basis says by the rules)")
        is_done_phrase = basis.strip().rstrip(".").casefold() == "valmis"
        if action.done_in_plan != is_done_phrase:
            flag("done_in_plan", action.done_in_plan, "true exactly when the plan's schedule says 'valmis'")
    return violations


def _check_risks(parsed: RisksFile, lines: dict[YamlPath, int], file: str) -> list[Violation]:
    violations: list[Violation] = []
    seen: set[str] = set()
    for index, risk in enumerate(parsed.risks):
        if risk.id in seen:
            line = line_for(lines, ("risks", index, "id"))
            violations.append(Violation(file, line, "id", risk.id, "a unique risk id (duplicate)"))
        seen.add(risk.id)
        for position, area in enumerate(risk.areas):
            if not 1 <= area <= 9:
                line = line_for(lines, ("risks", index, "areas", position))
                violations.append(Violation(file, line, "areas", str(area), "policy areas 1-9"))
    return violations


def load_plan(plan_dir: Path) -> Plan:
    """Load and check ``actions.yaml`` and ``risks.yaml`` from ``plan_dir``; every problem is reported at once.

    The result is cached while the files' contents are unchanged (every monthly status update is checked against it).
    """
    stamps = []
    for name in (ACTIONS_FILE, RISKS_FILE):
        path = plan_dir / name
        stamps.append(hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None)
    return _load_plan(plan_dir.resolve(), tuple(stamps))


@functools.lru_cache(maxsize=8)
def _load_plan(plan_dir: Path, stamps: tuple[object, ...]) -> Plan:
    del stamps  # part of the cache key only
    violations: list[Violation] = []
    parsed: dict[str, tuple[Any, dict[YamlPath, int]]] = {}
    for name, model, check in ((ACTIONS_FILE, ActionsFile, _check_actions), (RISKS_FILE, RisksFile, _check_risks)):
        path = plan_dir / name
        file = f"{plan_dir.name}/{name}"
        if not path.is_file():
            violations.append(Violation(file, None, None, None, "the plan file (missing: copy plan/ of the project)"))
            continue
        try:
            content, lines = _validated(model, path, file)
        except DataError as exc:
            violations.extend(exc.violations)
            continue
        violations.extend(check(content, lines, file))
        parsed[name] = (content, lines)
    if violations:
        raise DataError(violations)
    actions: ActionsFile = parsed[ACTIONS_FILE][0]
    risks: RisksFile = parsed[RISKS_FILE][0]
    return Plan(
        info=actions.plan,
        deadline_rules=actions.deadline_rules,
        actions=tuple(actions.actions),
        assessment=risks.assessment,
        risks=tuple(risks.risks),
    )


def checkout_plan_dir() -> Path:
    """``plan/`` of the checkout this package was installed from (editable install)."""
    return CHECKOUT / "plan"


def find_plan_dir(start: Path, fallback_to_checkout: bool = False) -> Path:
    """The ``plan/`` folder of the workspace ``start`` lies in (a delivered file or the raw data folder).

    Walks up from ``start`` to the first folder holding ``plan/actions.yaml``, stopping at the workspace root
    (the folder with ``params/defaults.yaml``). With ``fallback_to_checkout`` (the demo writer) the checkout's
    own ``plan/`` is used when the workspace has none; otherwise a missing plan is a clear error.
    """
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / "plan" / ACTIONS_FILE).is_file():
            return folder / "plan"
        if (folder / "params" / "defaults.yaml").is_file():
            break
    if fallback_to_checkout and (checkout_plan_dir() / ACTIONS_FILE).is_file():
        return checkout_plan_dir()
    raise DataError(
        [Violation("plan/", None, None, None, f"the plan folder with {ACTIONS_FILE} in the workspace (missing)")]
    )
