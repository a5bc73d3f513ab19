"""What `incident repair` does with one row the damage touched: a pure decision.

A row of the last good point that live lacks, or holds with other values, was touched by the
damage. The first bad point says whether the application touched it again since:

| case          | at the first bad point     | live now                        | repair                         |
|---------------|----------------------------|---------------------------------|--------------------------------|
| deleted       | gone, or as at the point   | no row under its key            | insert it back                 |
| key_taken     | gone                       | a new row under its key         | conflict; --overwrite: replace |
| changed       | as at the point, or as now | other values than at the point  | revert it                      |
| changed_again | changed                    | changed again                   | conflict; --overwrite: revert  |
| deleted_again | changed                    | no row under its key            | conflict; --overwrite: insert  |

Rows live has and the point has not (inserted since) are never touched. Without a first
bad point live stands in for it: every touched row is deleted or changed, none a conflict.

Which tables the rows route repairs (`damaged_tables`): the rest are left alone, so an
application that keeps updating its own tables after the damage loses nothing. A table is
damaged when it changed between the last good and the first bad point (the damage's own
transaction, when `find` dated it to one), or when live fails a critical rule on it that the
point passes (a damage of several transactions reaches past the first bad point). When
neither names a table (no first bad point, no rule flipped), every table that differs
counts: the operator asked for a repair from that point.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from dbguard.rules.recovery import flipped_rules


class Case(enum.StrEnum):
    DELETED = "deleted"
    KEY_TAKEN = "key_taken"
    CHANGED = "changed"
    CHANGED_AGAIN = "changed_again"
    DELETED_AGAIN = "deleted_again"


class Write(enum.StrEnum):
    INSERT = "insert"  # the row as it was at the point goes in under its key
    UPDATE = "update"  # the row under its key gets its values at the point
    NONE = "none"  # left as it is


@dataclass(frozen=True)
class RowRepair:
    write: Write
    conflict: bool  # listed as a conflict (and skipped unless overwritten)
    reason: str


CONFLICT_REASONS = {
    Case.KEY_TAKEN: "its key now belongs to a row written after the damage",
    Case.CHANGED_AGAIN: "the application changed it again after the damage",
    Case.DELETED_AGAIN: "the application deleted it after the damage changed it",
}
OVERWRITES = {
    Case.KEY_TAKEN: Write.UPDATE,
    Case.CHANGED_AGAIN: Write.UPDATE,
    Case.DELETED_AGAIN: Write.INSERT,
}


def repair_row(case: Case, overwrite: bool) -> RowRepair:
    """The write for a row in `case`; conflicts are skipped unless `overwrite`."""
    if case is Case.DELETED:
        return RowRepair(Write.INSERT, False, "deleted by the damage")
    if case is Case.CHANGED:
        return RowRepair(Write.UPDATE, False, "changed by the damage")
    reason = CONFLICT_REASONS[case]
    if overwrite:
        return RowRepair(OVERWRITES[case], True, f"{reason}; overwritten (--overwrite)")
    return RowRepair(Write.NONE, True, f"{reason}; skipped (--overwrite replaces it)")


def damaged_tables(
    changed_by_damage: Iterable[str], critical_at_point: Iterable[str], critical_now: Iterable[str]
) -> frozenset[str] | None:
    """The damaged tables (see above), or None for every table. `changed_by_damage`: the
    tables that differ between the last good and the first bad point (rows or columns); the
    critical rules are named `<table> <rule>`, as the judge names them."""
    flipped = flipped_rules(critical_at_point, critical_now)
    names = set(changed_by_damage) | {rule.split(" ", 1)[0] for rule in flipped}
    return frozenset(names) or None
