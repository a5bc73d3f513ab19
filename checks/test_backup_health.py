"""Health of the backups: the latest one is recent, verifies, matches the live DB, and restores.

The restore drill (the plan asks to test restores regularly) restores the
latest verified backup into a temporary folder once per run (the `restore_drill`
fixture); the backup target's expectations run on that copy, and the drill
reports whether it restored and met every suite.

On PostgreSQL dbguard takes no backups: those checks are left out and one skip says why
(pg_dump, pgBackRest); the newest dump in `[backup] postgres_dump_dir` is held to the same
26 h / 50 h. On Spark, one skip says the same.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from dbguard import metrics
from dbguard.config import Config
from dbguard.errors import DbguardError
from dbguard.findings import Finding, Severity
from dbguard.postgres.dumps import dump_age_finding
from dbguard.quality.suites import SuiteFile
from dbguard.quality.targets import POSTGRES_BACKUPS, SPARK_BACKUPS, LatestBackup, RestoreDrill
from dbguard.quality.validate import OutcomeCache
from dbguard.rules.backup import backup_age_finding
from dbguard.rules.expectations import restored_copy_finding
from dbguard.rules.rows import DriftThresholds, reconcile_finding

Record = Callable[[Finding], None]
Metric = Callable[[str, float], None]
SQLITE = pytest.mark.engine("sqlite")
POSTGRESQL = pytest.mark.engine("postgresql")


@POSTGRESQL
def test_backups_of_postgresql_are_not_dbguards() -> None:
    """The backup target, the restore drill and the replica, said once for a PostgreSQL run."""
    pytest.skip(POSTGRES_BACKUPS)


@pytest.mark.engine("spark")
def test_backups_of_spark_tables_are_not_dbguards() -> None:
    """The backup target, the restore drill and the replica, said once for a Spark run."""
    pytest.skip(SPARK_BACKUPS)


@POSTGRESQL
def test_newest_dump_is_recent(
    config: Config, record_finding: Record, record_metric: Metric
) -> None:
    if config.backup.postgres_dump_dir is None:
        pytest.skip(
            "no [backup] postgres_dump_dir: set it to the folder your pg_dump or pgBackRest "
            "job writes, and this check holds its newest file to "
            f"{config.backup.max_age_warning_hours:g} h / {config.backup.max_age_critical_hours:g} h"
        )
    finding, age_hours = dump_age_finding(config.backup)
    if age_hours is not None:
        record_metric(metrics.BACKUP_AGE_HOURS, age_hours)
    record_finding(finding)


@SQLITE
def test_latest_backup_is_recent(
    latest_backup: LatestBackup, config: Config, record_finding: Record, record_metric: Metric
) -> None:
    if latest_backup.path is None or latest_backup.created_at is None:
        record_finding(backup_age_finding(None, None, latest_backup.reason, config.backup))
        return
    age_hours = (datetime.now(UTC) - latest_backup.created_at).total_seconds() / 3600
    record_metric(metrics.BACKUP_AGE_HOURS, age_hours)
    record_metric(metrics.BACKUP_BYTES, latest_backup.size)
    record_finding(backup_age_finding(latest_backup.path.name, age_hours, "", config.backup))


@SQLITE
def test_newest_backup_verifies(config: Config, record_finding: Record) -> None:
    """The newest backup file, not only the newest good one: bit rot must not hide."""
    from backup.catalog import list_backups, with_verification

    backups = list_backups(config.backup.dir)
    if not backups:
        pytest.skip(f"no backup in {config.backup.dir} (reported by test_latest_backup_is_recent)")
    newest = with_verification(backups[-1])
    record_finding(
        Finding(
            check="backup::newest_verifies",
            severity=Severity.OK if newest.verified else Severity.CRITICAL,
            expected="the newest backup matches its manifest (sha256, integrity, row counts)",
            observed="verifies" if newest.verified else f"{newest.name} does not verify",
            details="; ".join(newest.problems),
            remediation="take a fresh backup now (dbguard backup create), then check the backup "
            "disk for errors; never restore from this file",
            target="backup",
        )
    )


@SQLITE
def test_backup_row_counts_reconcile(
    latest_backup: LatestBackup,
    live_row_counts: Callable[[], dict[str, int]],
    suites: list[SuiteFile],
    config: Config,
    record_finding: Record,
    record_metric: Metric,
) -> None:
    """Live counts stay within the drift bands around the backup's counts."""
    if latest_backup.path is None:
        pytest.skip(f"{latest_backup.reason} (reported by test_latest_backup_is_recent)")
    try:
        live_counts = live_row_counts()
    except (DbguardError, sqlite3.Error) as error:
        pytest.skip(f"the live database cannot be read ({error}); see test_database_health")
    for table, count in latest_backup.row_counts.items():
        record_metric(metrics.row_metric(table, "backup"), count)
    thresholds = {
        suite.table: DriftThresholds.from_config(config.checks, suite.drift_overrides)
        for suite in suites
    }
    default = DriftThresholds.from_config(config.checks)
    record_finding(reconcile_finding(live_counts, latest_backup.row_counts, thresholds, default))


@SQLITE
def test_restore_drill(
    latest_backup: LatestBackup,
    restore_drill: RestoreDrill,
    suites: list[SuiteFile],
    outcome_cache: OutcomeCache,
    record_finding: Record,
    record_metric: Metric,
) -> None:
    """The latest backup restores (integrity and row counts match its manifest) and its
    restored copy meets every suite: the backup target's outcomes, read from that copy."""
    if restore_drill.skipped or latest_backup.path is None:
        pytest.skip(restore_drill.skipped or latest_backup.reason)
    expected = (
        f"{latest_backup.path.name} restores (integrity and row counts match its manifest) "
        "and the restored copy passes every suite"
    )
    if restore_drill.path is None:
        record_finding(
            Finding(
                check="backup::restore_drill",
                severity=Severity.CRITICAL,
                expected=expected,
                observed=f"restore failed: {restore_drill.error}",
                remediation="take a fresh backup now and find out why this one cannot be restored",
                target="restore-drill",
            )
        )
        return
    record_metric(metrics.RESTORE_DRILL_SECONDS, restore_drill.seconds)
    # The backup target's outcomes: target_database points it at this restored copy, so each
    # suite is validated once for both the backup's expectation tests and the drill.
    outcomes = [
        outcome
        for suite in suites
        for outcome in outcome_cache.outcomes("backup", restore_drill.path, suite, immutable=True)
    ]
    record_finding(
        restored_copy_finding(
            "backup::restore_drill",
            expected,
            outcomes,
            restored="restored",
            copy="the restored copy",
            source="the backup",
            bad_data="the backup holds bad data too: restore an older verified backup "
            "(dbguard backup list) and take a fresh backup once the live DB is right",
            target="restore-drill",
        )
    )
