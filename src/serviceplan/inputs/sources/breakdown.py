"""Table checks for a monthly report broken down by group with a total row (``Yhteensä``).

The employer services report (by occupational field) and the immigrant services report (by language group)
have this shape: every group once, a total row, counts that add up, and counts that are subsets of others on the
same row. These checks are :data:`~serviceplan.inputs.contracts.TableCheck` factories for a
:class:`~serviceplan.inputs.contracts.Contract`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from serviceplan.inputs.contracts import AS_DELIVERED, Finding, TableCheck

TOTAL_LABEL = "Yhteensä"


def every_group_once(column: str, groups: Sequence[str], total: str = TOTAL_LABEL) -> TableCheck:
    """Every group (and the total row) must have a row; duplicates are caught by the contract's key."""

    def check(frame: pd.DataFrame) -> list[Finding]:
        present = set(frame[column].astype(str))
        return [
            Finding(None, column, label, f"a row for every group and the total row '{total}' (missing)")
            for label in (*groups, total)
            if label not in present
        ]

    return check


def totals_add_up(column: str, counts: Sequence[str], total: str = TOTAL_LABEL) -> TableCheck:
    """On the total row, each of ``counts`` must equal the sum of the group rows."""

    def check(frame: pd.DataFrame) -> list[Finding]:
        is_total = frame[column].astype(str) == total
        if is_total.sum() != 1:
            return []  # a missing or repeated total row is reported by the other checks
        position = int(is_total[is_total].index[0])
        sums = frame.loc[~is_total, list(counts)].sum()  # every count column's group rows at once
        findings = []
        for name in counts:
            parts = int(sums[name])
            if int(frame.at[position, name]) != parts:
                findings.append(
                    Finding(position, name, AS_DELIVERED, f"the sum of the group rows above it, {parts} (total row)")
                )
        return findings

    return check


def not_above(column: str, limit: str, limit_header: str) -> TableCheck:
    """``column`` counts a subset of ``limit`` on the same row, so it may not exceed it."""

    def check(frame: pd.DataFrame) -> list[Finding]:
        over = frame[column].astype("Float64") > frame[limit].astype("Float64")
        over = over.fillna(False).astype(bool)
        return [
            Finding(
                int(p),
                column,
                AS_DELIVERED,
                f"at most '{limit_header}' on the same row ({frame.at[p, limit]}), of which it is a part",
            )
            for p in over[over].index
        ]

    return check
