"""Replication rules: how far the replica trails the live database, whether Litestream runs,
and whether a restored replica holds what the live database holds.

`dbguard health`, `dbguard check` (checks/test_replica.py), `dbguard replica status`
and the endpoints call these; none re-derives a severity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from dbguard.config import ChecksConfig, ReplicationConfig
from dbguard.findings import Finding, Severity, classify_above
from dbguard.rules.rows import (
    DriftThresholds,
    classify_row_count,
    describe_bands,
    row_count_bands,
    row_count_subjects,
)

LAG_CHECK = "replication::lag"
COUNTS_CHECK = "replication::row_counts_reconcile"
START = "start replication: `dbguard replicate` (systemd: `systemctl start dbguard-replicate`)"
CATCH_UP = (
    "read the replicate log (network, credentials, space on the replica's disk); until it "
    "catches up, take a backup now (`dbguard backup create`)"
)
DAMAGED = (
    "take a backup now (`dbguard backup create`); check the replica's storage, then restart "
    "replication into a new, empty replica folder or prefix"
)


@dataclass(frozen=True)
class ReplicaObservation:
    """What was seen of one replica at one moment."""

    replica: str  # its name for people (no secret in it)
    newest_txid: int | None  # None: the replica holds nothing yet
    newest_at: datetime | None  # when that transaction reached the replica
    live_written_at: datetime | None  # the live database's last write (its -wal or file)
    running: bool | None  # a Litestream process replicates the database; None: cannot tell
    observed_at: datetime  # now, when it was seen
    error: str = ""  # the replica could not be read ("" when it could)


def lag_seconds(observation: ReplicaObservation) -> float | None:
    """How long the replica has lacked writes the live database holds: 0 when nothing was
    written after the replica's newest transaction, else the time since that transaction
    arrived (the oldest write it lacks is at most that old). None when the replica is empty
    or unreadable."""
    if observation.error or observation.newest_at is None:
        return None
    written = observation.live_written_at
    if written is None or written <= observation.newest_at:
        return 0.0
    return max(0.0, (observation.observed_at - observation.newest_at).total_seconds())


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def replication_finding(observation: ReplicaObservation, config: ReplicationConfig) -> Finding:
    """Lag past lag_warning/critical_seconds is that severity; configured but not running is
    at least a warning; a replica that cannot be read is critical and named."""
    expected = (
        f"a Litestream process replicating the database; replica lag at most "
        f"{config.lag_warning_seconds:g} s (critical above {config.lag_critical_seconds:g} s)"
    )
    if observation.error:
        return Finding(
            LAG_CHECK,
            Severity.CRITICAL,
            expected,
            f"replica {observation.replica} cannot be read: {observation.error}",
            DAMAGED,
            target="replica",
        )
    notes: list[str] = []
    lag = lag_seconds(observation)
    if lag is None:
        severity = Severity.WARNING
        notes.append(f"replica {observation.replica} holds no transaction yet")
        remediation = CATCH_UP if observation.running else START
    else:
        severity = classify_above(lag, config.lag_warning_seconds, config.lag_critical_seconds)
        assert observation.newest_at is not None and observation.newest_txid is not None
        notes.append(
            f"lag {lag:.1f} s (newest transaction {observation.newest_txid:016x} reached "
            f"{observation.replica} at {_local(observation.newest_at)})"
        )
        remediation = CATCH_UP if severity is not Severity.OK else ""
    if observation.running is False:
        severity = Severity.worst([severity, Severity.WARNING])
        notes.append("no Litestream process replicates the database")
        remediation = START
    elif observation.running is None:
        notes.append("whether Litestream runs cannot be told here (no /proc)")
    return Finding(LAG_CHECK, severity, expected, "; ".join(notes), remediation, target="replica")


def replica_counts_finding(
    replica: str,
    replica_counts: Mapping[str, int],
    live_counts: Mapping[str, int],
    *,
    live_quiet: bool,
    lag: float,
    checks: ChecksConfig,
) -> Finding:
    """The restored replica's row counts against the live database's.

    `live_quiet`: nothing was written to the live database after the replica's newest
    transaction, so the counts must be equal; a difference means the replica does not hold
    what the live database holds (critical). Otherwise the live database moved on during the
    `lag` seconds, and each table stays within the drift bands around the replica's count.
    """
    if live_quiet:
        expected = "the same row counts as the live database (nothing written since the replica's newest transaction)"
    else:
        expected = (
            f"live row counts within ±{checks.warning_percent:g} % of the replica's "
            f"(critical beyond ±{checks.critical_percent:g} %), the live database having "
            f"moved on for {lag:.1f} s"
        )
    thresholds = DriftThresholds.from_config(checks)
    severities: dict[str, Severity] = {}
    notes: list[str] = []
    for table in sorted(set(replica_counts) | set(live_counts)):
        in_replica, in_live = replica_counts.get(table), live_counts.get(table)
        if in_live is None:
            severities[table] = Severity.CRITICAL
            notes.append(f"{table}: in the replica ({in_replica} rows), missing from the live DB")
        elif in_replica is None:
            severities[table] = Severity.CRITICAL if live_quiet else Severity.WARNING
            notes.append(f"{table}: in the live DB ({in_live} rows), missing from the replica")
        elif in_replica != in_live:
            bands = row_count_bands(in_replica, thresholds)
            severity = Severity.CRITICAL if live_quiet else classify_row_count(in_live, bands)
            severities[table] = severity
            allowed = "equal" if live_quiet else describe_bands(bands)
            notes.append(
                f"{table}: replica {in_replica}, live {in_live}, allowed {allowed} ({severity})"
            )
        else:
            severities[table] = Severity.OK
    worst = Severity.worst(list(severities.values()))
    return Finding(
        COUNTS_CHECK,
        worst,
        expected,
        "; ".join(notes) if notes else f"all {len(severities)} tables match",
        ""
        if worst is Severity.OK
        else f"the replica {replica} does not hold what the live database holds: take a "
        "backup now (`dbguard backup create`), then restart replication into a new replica",
        target="replica",
        subjects=row_count_subjects(severities),
    )
