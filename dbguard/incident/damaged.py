"""The I/O behind the rows route's choice of tables (the decision is
dbguard.rules.repair.damaged_tables): the diff between the last good and the first bad
point, and the critical rules judged on the point and on live."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dbguard.incident.diff import diff_databases
from dbguard.rules.repair import damaged_tables as decide_damaged

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
    changed: set[str] = set()
    if bad is not None:
        touched = diff_databases(good.path, bad.path, ignore, sample=0, timeout=timeout)
        changed |= {name for name, table in touched.tables.items() if any(table.counts.values())}
        changed |= set(touched.drift)
    at_point = judge.judge(good.path, only_critical=True).critical_rules()
    now = judge.judge(live, immutable=False, only_critical=True).critical_rules()
    return decide_damaged(changed, at_point, now)
