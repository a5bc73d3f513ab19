"""Before the rows route touches live: a rehearsal on a consistent copy of live, judged by the
critical rules. A repair after which live would fail a critical rule that the last good point
passes is refused (nothing changes), as issue 19 asks: the repair is meant to bring back a
state the checks accept, and a rehearsal is the one way to know before writing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dbguard.errors import OperationFailed

if TYPE_CHECKING:
    from dbguard.config import Config
    from dbguard.incident.point_input import PointFile
    from dbguard.incident.probe import Judge


class RepairRefused(OperationFailed):
    """The repaired database would fail critical rules the point passes: exit 1."""


def rehearse(
    config: Config,
    good: PointFile,
    bad: PointFile | None,
    live: Path,
    *,
    judge: Judge,
    only: frozenset[str] | None,
    overwrite: bool,
    timeout: float,
) -> list[str]:
    """Apply the rows route to a copy of live in a scratch folder and judge it against the
    point on the critical rules; RepairRefused naming the rules live would fail. Returns the
    critical rules that fail on both (the repair cannot be blamed for them)."""
    from backup.snapshot import snapshot_database
    from dbguard.incident.repair_apply import apply_rows
    from dbguard.rules.recovery import flipped_rules
    from dbguard.scratch import scratch_folder

    with scratch_folder("incident-rehearsal") as folder:
        copy = folder / "live.sqlite3"
        snapshot_database(live, copy, busy_timeout=timeout)
        apply_rows(
            good.path,
            copy,
            bad.path if bad else None,
            folder / "undo.sqlite3",
            tuple(config.checks.ignore_tables),
            overwrite=overwrite,
            timeout=timeout,
            only=only,
        )
        at_point = judge.judge(good.path, only_critical=True).critical_rules()
        repaired = judge.judge(copy, only_critical=True).critical_rules()
    failing = flipped_rules(at_point, repaired)
    if failing:
        raise RepairRefused(
            f"after the repair live would fail critical rules that {good.label} passes:"
            f" {', '.join(failing)}; the repair is refused and nothing changed",
            "look at the rows written since the damage ('dbguard incident diff'); fix them,"
            " or use --route point-in-time",
        )
    return [rule for rule in repaired if rule in at_point]
