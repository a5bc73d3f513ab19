"""Which tables the damage is in: the rows route repairs those and leaves every other table
alone, so an application that keeps updating its own tables after the damage loses nothing.

A table is damaged when it changed between the last good and the first bad point (the
damage's own transaction, when `find` dated it to one), or when live fails a critical rule
on it that the point passes (a damage of several transactions reaches past the first bad
point). When neither names a table (no first bad point, no rule flipped), every table that
differs counts: the operator asked for a repair from that point.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dbguard.incident.diff import diff_databases
from dbguard.rules.recovery import flipped_rules

if TYPE_CHECKING:
    from dbguard.incident.point_input import PointFile
    from dbguard.incident.probe import Judge


def damaged_tables(
    judge: Judge,
    good: PointFile,
    bad: PointFile | None,
    live: Path,
    ignore: tuple[str, ...],
    timeout: float,
) -> frozenset[str] | None:
    """The damaged tables, or None for every table."""
    names: set[str] = set()
    if bad is not None:
        touched = diff_databases(good.path, bad.path, ignore, sample=0, timeout=timeout)
        names |= {name for name, table in touched.tables.items() if any(table.counts.values())}
        names |= set(touched.drift)
    at_point = judge.judge(good.path, only_critical=True).critical_rules()
    now = judge.judge(live, immutable=False, only_critical=True).critical_rules()
    names |= {rule.split(" ", 1)[0] for rule in flipped_rules(at_point, now)}
    return frozenset(names) or None
