"""Traffic lights of KPIs against their targets."""

from __future__ import annotations


def test_judge_traffic_lights():
    from serviceplan.kpis import judge

    assert judge(1.0, 1.0, "higher_better") == "ok"
    assert judge(0.95, 1.0, "higher_better") == "warn"  # exactly on the 5 % tolerance edge
    assert judge(0.94, 1.0, "higher_better") == "alert"
    assert judge(104.0, 100.0, "lower_better") == "warn"
    assert judge(106.0, 100.0, "lower_better") == "alert"
    assert judge(90.0, 100.0, "lower_better") == "ok"
    assert judge(None, 100.0, "lower_better") == "none"
    assert judge(5.0, None, "higher_better") == "none"
