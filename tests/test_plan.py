"""The plan's content (actions, deadlines, risks), the monthly status updates and the computed action status."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from serviceplan import cli
from serviceplan.core.errors import DataError
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period, month_range
from serviceplan.inputs.canonical import load
from serviceplan.inputs.plan import (
    Action,
    Assessment,
    DeadlineRules,
    Plan,
    PlanInfo,
    find_plan_dir,
    interpret_deadline,
    load_plan,
)
from serviceplan.metrics import plan_status

REPO = Path(__file__).resolve().parents[1]
RULES = DeadlineRules(spring="05-31", autumn="11-30", year="12-31")
PLAN_DATE = date(2024, 12, 12)


# --- plan/actions.yaml and plan/risks.yaml ---------------------------------------------------------------------


def test_the_plan_has_every_concrete_action_and_risk():
    plan = load_plan(REPO / "plan")
    # the plan text has 19 "Konkreettinen toimi" entries (counted by hand) and 8 transition risks
    assert len(plan.actions) == 19
    assert len(plan.risks) == 8
    assert {a.area for a in plan.actions} == set(range(1, 10))
    assert plan.info.date == PLAN_DATE
    assert plan.action("T6.2").deadline == date(2025, 9, 30)  # "... on kuvattu 30.9.2025 mennessä"
    assert plan.action("T5.2").deadline == date(2025, 11, 30)  # "valmistuu syksyn 2025 aikana"
    assert plan.action("T5.1").deadline == date(2025, 12, 31)  # "valmistuu vuoden 2025 aikana"
    assert plan.action("T5.3").deadline == date(2025, 5, 31)  # "kevään 2025 aikana"
    assert plan.action("T2.1").done_in_plan and plan.action("T2.1").deadline == PLAN_DATE
    continuing = [a.id for a in plan.actions if a.deadline is None]
    assert continuing == ["T1.1", "T1.2", "T4.3"]  # the plan gives these no schedule


def test_risk_register_ranks_by_likelihood_times_impact():
    risks = load_plan(REPO / "plan").risks_frame()
    assert list(risks.columns[:6]) == ["risk_id", "title", "areas", "likelihood", "impact", "score"]
    assert risks.loc[0, "risk_id"] == "R8" and risks.loc[0, "score"] == 4 * 5
    assert risks["score"].is_monotonic_decreasing
    assert (risks["score"] == risks["likelihood"] * risks["impact"]).all()


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("valmis 30.6.2025 mennessä", date(2025, 6, 30)),
        ("31.3.2025", date(2025, 3, 31)),
        ("valmis 31.1.2025 mennessä.", date(2025, 1, 31)),
        ("syksyn 2025 aikana", date(2025, 11, 30)),
        ("päätökset tehdään syksyllä 2025", date(2025, 11, 30)),
        ("Selvitys toteutetaan kevään 2025 aikana", date(2025, 5, 31)),
        ("valmistuu vuoden 2025 aikana", date(2025, 12, 31)),
        ("valmis", PLAN_DATE),
        ("Valmis.", PLAN_DATE),
        ("työ aloitettu vuoden 2024 aikana, valmistuu vuoden 2025 aikana", None),  # two candidates
        ("Työ aloitetaan 28.10.", None),  # no year
        ("valmis 31.2.2025 mennessä", None),  # no such day
        ("pian", None),
    ],
)
def test_interpret_deadline(phrase: str, expected: date | None):
    assert interpret_deadline(phrase, PLAN_DATE, RULES) == expected


def _plan_copy(tmp_path: Path) -> Path:
    import shutil

    shutil.copytree(REPO / "plan", tmp_path / "plan")
    return tmp_path / "plan"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_a_deadline_that_does_not_follow_from_its_phrase_is_named_with_its_line(tmp_path: Path):
    plan_dir = _plan_copy(tmp_path)
    actions = plan_dir / "actions.yaml"
    _edit(actions, "deadline: 2025-11-30\n\n  - id: T5.3", "deadline: 2025-12-31\n\n  - id: T5.3")
    line = _line_of(actions, "  - id: T5.3") - 2  # T5.2's deadline line (a blank line separates the actions)
    with pytest.raises(DataError) as info:
        load_plan(plan_dir)
    assert str(info.value.violations[0]) == (
        f"plan/actions.yaml, row {line}, column 'deadline': got '2025-12-31'; "
        "expected 2025-11-30 (what deadline_basis says by the rules)"
    )


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("actions.yaml", "  - id: T2.2\n", "  - id: T2.1\n", "column 'id': got 'T2.1'; expected a unique action id"),
        ("actions.yaml", "  - id: T8.1\n    area: 8\n", "  - id: T8.1\n    area: 7\n", "expected an id starting T7."),
        (
            "actions.yaml",
            'deadline_basis: "kevään 2025 aikana"',
            'deadline_basis: "keväällä 2025"',
            "column 'deadline_basis': got 'keväällä 2025'; expected a part of deadline_text",
        ),
        (
            "actions.yaml",
            "    area: 9\n",
            "    area: 9\n    owner: x\n",
            "column 'owner': got 'x'; expected no such key (unknown key)",
        ),
        ("actions.yaml", "deadline_rules:\n", "deadline_rules: [\n", "plan/actions.yaml, row"),
        ("risks.yaml", "    likelihood: 4\n    impact: 5\n", "    likelihood: 4\n    impact: 6\n", "column 'impact'"),
        ("risks.yaml", "  - id: R2\n", "  - id: R1\n", "expected a unique risk id (duplicate)"),
    ],
)
def test_broken_plan_files_give_clear_errors(tmp_path: Path, file: str, old: str, new: str, expected: str):
    plan_dir = _plan_copy(tmp_path)
    _edit(plan_dir / file, old, new)
    with pytest.raises(DataError) as info:
        load_plan(plan_dir)
    assert expected in info.value.report(), info.value.report()
    assert all(v.file == f"plan/{file}" for v in info.value.violations)


def test_missing_plan_folder(tmp_path: Path):
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "defaults.yaml").write_text("{}", encoding="utf-8")
    with pytest.raises(DataError, match="plan folder"):
        find_plan_dir(tmp_path / "data" / "raw" / "2025-06")
    assert find_plan_dir(tmp_path / "data" / "raw", fallback_to_checkout=True) == REPO / "plan"


# --- status as of a period (hand-checked cases) -----------------------------------------------------------------


def _action(action_id: str, deadline: date | None, done_in_plan: bool = False) -> Action:
    return Action(
        id=action_id,
        area=int(action_id[1]),
        section="testi",
        title=f"Toimenpide {action_id}",
        deadline_text=None if deadline is None else "testi",
        deadline_basis=None if deadline is None else "testi",
        deadline=deadline,
        done_in_plan=done_in_plan,
    )


def _plan(*actions: Action) -> Plan:
    return Plan(
        info=PlanInfo(title="Testi", date=PLAN_DATE, source="testi", tracking_from=date(2024, 1, 1)),
        deadline_rules=RULES,
        actions=tuple(actions),
        assessment=Assessment(kind="testi", by="testi", basis="testi"),
        risks=(),
    )


def _updates(*rows: tuple[str, str, str, str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": [r[0] for r in rows],
            "action_id": [r[1] for r in rows],
            "status": [r[2] for r in rows],
            "completed_on": pd.to_datetime([r[3] for r in rows]),
            "note": ["" for _ in rows],
        }
    )


def _state(plan: Plan, updates: pd.DataFrame, period: str, action_id: str) -> dict[str, object]:
    table = plan_status.status_as_of(plan, updates, Period.parse(period)).set_index("action_id")
    return table.loc[action_id].to_dict()


def test_deadline_on_the_last_day_of_the_period_is_on_track_then_late():
    plan = _plan(_action("T2.2", date(2025, 6, 30)))
    updates = _updates(("2025-06", "T2.2", "in_progress", None), ("2025-07", "T2.2", "in_progress", None))
    june = _state(plan, updates, "2025-06", "T2.2")
    assert (june["state"], june["days_past_deadline"]) == ("on_track", 0)
    july = _state(plan, updates, "2025-07", "T2.2")
    assert (july["state"], july["days_past_deadline"]) == ("late", 31)  # 30.6. -> 31.7.


def test_deadline_in_the_middle_of_the_period_is_late_at_its_end():
    plan = _plan(_action("T3.3", date(2025, 1, 15)))
    updates = _updates(("2025-01", "T3.3", "in_progress", None))
    january = _state(plan, updates, "2025-01", "T3.3")
    assert (january["state"], january["days_past_deadline"]) == ("late", 16)  # 15.1. -> 31.1.


def test_done_after_the_deadline_is_done_but_flagged_late():
    plan = _plan(_action("T5.3", date(2025, 5, 31)))
    updates = _updates(
        ("2025-07", "T5.3", "in_progress", None),
        ("2025-08", "T5.3", "done", "2025-08-20"),
    )
    july = _state(plan, updates, "2025-07", "T5.3")
    assert (july["state"], july["days_past_deadline"], july["completed_late"]) == ("late", 61, False)
    august = _state(plan, updates, "2025-08", "T5.3")
    assert (august["state"], august["days_past_deadline"], august["completed_late"]) == ("done", 81, True)
    assert august["completed_on"] == pd.Timestamp("2025-08-20")


def test_done_on_or_before_the_deadline_is_on_time():
    plan = _plan(_action("T4.1", date(2025, 6, 30)), _action("T2.2", date(2025, 6, 30)))
    updates = _updates(("2025-06", "T4.1", "done", "2025-06-17"), ("2025-06", "T2.2", "done", "2025-06-30"))
    for action_id in ("T4.1", "T2.2"):
        row = _state(plan, updates, "2025-06", action_id)
        assert (row["state"], row["days_past_deadline"], row["completed_late"]) == ("done", 0, False)


def test_an_action_without_deadline_is_never_late():
    plan = _plan(_action("T1.1", None))
    updates = _updates(("2025-01", "T1.1", "not_started", None))
    row = _state(plan, updates, "2026-06", "T1.1")
    assert row["state"] == "on_track" and pd.isna(row["days_past_deadline"])


def test_without_updates_plan_done_counts_and_a_passed_deadline_is_late():
    plan = _plan(_action("T2.1", PLAN_DATE, done_in_plan=True), _action("T9.1", date(2025, 3, 30)))
    no_updates = pd.DataFrame()
    done = _state(plan, no_updates, "2025-04", "T2.1")
    assert (done["state"], done["reported_status"], done["completed_on"]) == ("done", "done", pd.Timestamp(PLAN_DATE))
    late = _state(plan, no_updates, "2025-04", "T9.1")
    assert (late["state"], late["reported_status"], late["days_past_deadline"]) == ("late", "unknown", 31)


def test_the_latest_update_up_to_the_period_counts():
    plan = _plan(_action("T8.1", date(2025, 3, 31)))
    updates = _updates(
        ("2025-02", "T8.1", "done", "2025-02-20"),
        ("2025-03", "T8.1", "in_progress", None),  # reopened
        ("2025-04", "T8.1", "done", "2025-04-10"),
    )
    assert _state(plan, updates, "2025-02", "T8.1")["state"] == "done"
    assert _state(plan, updates, "2025-03", "T8.1")["state"] == "on_track"  # later months are not seen yet
    april = _state(plan, updates, "2025-04", "T8.1")
    assert (april["state"], april["days_past_deadline"]) == ("done", 10)


def test_count_by_state_lists_every_state():
    plan = _plan(_action("T1.1", None), _action("T3.3", date(2025, 1, 15)))
    status = plan_status.status_as_of(plan, pd.DataFrame(), Period(2025, 2))
    assert plan_status.count_by_state(status).to_dict() == {"done": 0, "on_track": 1, "late": 1}


# --- the demo status updates and the CLI --------------------------------------------------------------------------


def test_demo_timeline_shows_every_state(demo_workspace: Workspace):
    plan = load_plan(demo_workspace.plan_dir)
    updates = load("plan_actions", "2026-06", demo_workspace)
    assert set(updates["status"]) == {"done", "in_progress", "not_started"}
    timeline = plan_status.timeline(plan, updates, month_range(Period(2025, 1), Period(2026, 6)))
    assert set(timeline["state"]) == {"done", "on_track", "late"}
    last = timeline[timeline["period"] == "2026-06"].set_index("action_id")
    assert list(last.index[last["state"] == "late"]) == ["T6.1"]
    assert list(last.index[last["completed_late"]]) == ["T5.3"]
    counts = plan_status.count_by_state(timeline[timeline["period"] == "2025-06"])
    assert counts.sum() == 19 and counts["late"] == 1  # T5.3, due 31.5.2025


def test_kpis_count_the_states(demo_workspace: Workspace):
    from serviceplan.core.params import load_params
    from serviceplan.metrics.kpis import Context

    ctx = Context(Period(2026, 6), load_params(2026, demo_workspace.params_dir), demo_workspace)
    table = plan_status.kpis(ctx).set_index("kpi")
    assert table.loc["plan_actions_late", "value"] == 1
    assert table.loc["plan_actions_total", "value"] == 19
    done, on_track = table.loc["plan_actions_done", "value"], table.loc["plan_actions_on_track", "value"]
    assert done + on_track + 1 == 19


STATUS = "data/raw/2025-06/toimenpiteet_2025-06.csv"


def _validate(ws: Workspace, capsys) -> tuple[int, str]:
    code = cli.main(["--workspace", str(ws.root), "validate", "2025-06"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "2025-06;T4.3;käynnissä;;",
            "2025-06;T4.4;käynnissä;;",
            f"{STATUS}, row 12, column 'Toimenpide': got 'T4.4'; expected one of T1.1",
        ),
        (
            "2025-06;T2.2;valmis;30.6.2025;",
            "2025-06;T2.2;valmis;1.7.2025;",
            f"{STATUS}, row 5, column 'Valmistumispäivä': got '1.7.2025'; expected a completion date on or before "
            "2025-06-30 (end of the delivery month)",
        ),
        (
            "2025-06;T3.4;valmis;18.6.2025;",
            "2025-06;T3.4;valmis;;",
            f"{STATUS}, row 9, column 'Valmistumispäivä': got ''; expected a completion date when Tila is 'valmis'",
        ),
        (
            "2025-06;T5.1;käynnissä;;",
            "2025-06;T5.1;käynnissä;3.6.2025;",
            f"{STATUS}, row 13, column 'Valmistumispäivä': got '3.6.2025'; expected no completion date unless Tila",
        ),
        (
            "2025-06;T5.2;käynnissä;;",
            "2025-06;T5.2;myöhässä;;",
            f"{STATUS}, row 14, column 'Tila': got 'myöhässä'; expected one of valmis, käynnissä, ei aloitettu",
        ),
        (
            "2025-06;T9.1;valmis;27.3.2025;\n",
            "",
            f"{STATUS}, column 'Toimenpide': got 'T9.1'; expected a status row for every action of plan/actions.yaml",
        ),
        (
            "2025-06;T3.3;valmis;1.1.2025;",
            "2025-06;T3.3;valmis;1.1.2023;",
            "expected a completion date on or after 2024-01-01",
        ),
    ],
)
def test_bad_status_updates_give_one_clear_error(demo_workspace: Workspace, capsys, old: str, new: str, expected: str):
    path = demo_workspace.root / STATUS
    text = path.read_text(encoding="utf-8-sig")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8-sig")
    code, output = _validate(demo_workspace, capsys)
    assert code == 1
    assert expected in output, output
    assert "Traceback" not in output


def test_identity_code_in_a_note_is_rejected_without_echo(demo_workspace: Workspace, capsys):
    path = demo_workspace.root / STATUS
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace("2025-06;T6.1;käynnissä;;", "2025-06;T6.1;käynnissä;;soita 131052-308T"), "utf-8-sig")
    code, output = _validate(demo_workspace, capsys)
    assert code == 1
    assert f"{STATUS}, row 16, column 'Huomio'; expected aggregated data only" in output, output
    assert "131052-308T" not in output


def test_a_broken_plan_file_stops_validation_with_its_line(demo_workspace: Workspace, capsys):
    _edit(demo_workspace.plan_dir / "actions.yaml", "  - id: T9.1\n    area: 9\n", "  - id: T9.1\n    area: ysi\n")
    code, output = _validate(demo_workspace, capsys)
    assert code == 1
    line = _line_of(demo_workspace.plan_dir / "actions.yaml", "area: ysi")
    assert f"plan/actions.yaml, row {line}, column 'area': got 'ysi'; expected" in output, output
    assert "Traceback" not in output
