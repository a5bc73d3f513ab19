"""The Litestream replica (target `replica`): it keeps up, it restores, the restore passes every
suite, and it holds what the live database holds.

The replica drill (`replica_drill` in conftest.py) restores the replica's newest state once
per run into a temporary folder removed at the end of the run; the replica target's
expectations run on that copy. Without `[replication] enabled = true` these checks are
skipped, saying so. The verdicts are the rules in dbguard.rules.replication.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dbguard import metrics
from dbguard.config import Config
from dbguard.errors import DbguardError
from dbguard.findings import Finding, Severity
from dbguard.quality.suites import SuiteFile
from dbguard.quality.validate import OutcomeCache
from dbguard.replication.drill import ReplicaDrill
from dbguard.rules.expectations import restored_copy_finding
from dbguard.rules.replication import (
    LAG_CHECK,
    lag_seconds,
    replica_counts_finding,
    replication_finding,
)

# On PostgreSQL, test_backup_health says once why there is no replica (Litestream is SQLite's).
pytestmark = pytest.mark.engine("sqlite")

Record = Callable[[Finding], None]
Metric = Callable[[str, float], None]
NOT_CONFIGURED = "replication is not configured ([replication] enabled = false in dbguard.toml)"


def _require_replication(config: Config) -> None:
    if not config.replication.enabled:
        pytest.skip(NOT_CONFIGURED)


def test_replica_keeps_up(config: Config, record_finding: Record, record_metric: Metric) -> None:
    """Litestream runs, and the replica trails the live database by less than the lag limits."""
    _require_replication(config)
    from dbguard.replication.status import replication_status

    try:
        observation = replication_status(config).observation()
    except DbguardError as error:
        record_finding(
            Finding(
                LAG_CHECK,
                Severity.CRITICAL,
                "the replica can be read",
                error.one_line(),
                "fix [replication] in dbguard.toml or the environment (see the message)",
                target="replica",
            )
        )
        return
    lag = lag_seconds(observation)
    if lag is not None:
        record_metric(metrics.REPLICATION_LAG_SECONDS, lag)
    record_finding(replication_finding(observation, config.replication))


def test_replica_restores(
    config: Config,
    replica_drill: ReplicaDrill,
    suites: list[SuiteFile],
    outcome_cache: OutcomeCache,
    record_finding: Record,
    record_metric: Metric,
) -> None:
    """The replica's newest state restores (integrity_check ok) and meets every suite: the
    replica target's outcomes, read from the restored copy."""
    _require_replication(config)
    expected = "the replica's newest state restores (integrity_check ok) and passes every suite"
    copy = replica_drill.copy
    if copy is None:
        record_finding(
            Finding(
                "replication::restore",
                Severity.CRITICAL,
                expected,
                replica_drill.error or replica_drill.skipped,
                "the replica cannot be trusted: take a backup now (dbguard backup create), "
                "check the replica's storage and restart replication into a new replica",
                target="replica",
            )
        )
        return
    record_metric(metrics.REPLICA_RESTORE_SECONDS, replica_drill.seconds)
    outcomes = [
        outcome
        for suite in suites
        for outcome in outcome_cache.outcomes("replica", copy.path, suite, immutable=True)
    ]
    transaction = f"transaction {copy.txid:016x}"
    record_finding(
        restored_copy_finding(
            "replication::restore",
            expected,
            outcomes,
            restored=f"{copy.replica} restored ({transaction}) in {replica_drill.seconds:.1f} s",
            copy=f"the restore of {copy.replica} ({transaction})",
            source="the replica",
            bad_data="the replica holds bad data too: restore an older state "
            "(dbguard backup restore --from-replica --timestamp …) or a verified backup",
            target="replica",
        )
    )


def test_replica_row_counts_reconcile(
    config: Config, replica_drill: ReplicaDrill, record_finding: Record, record_metric: Metric
) -> None:
    """The restored replica holds what the live database holds, allowing for the lag."""
    _require_replication(config)
    copy = replica_drill.copy
    if copy is None:
        pytest.skip(
            replica_drill.error or replica_drill.skipped
        )  # reported by test_replica_restores
    if replica_drill.live_counts is None:
        pytest.skip(
            f"the live database cannot be read ({replica_drill.live_error}); "
            "see test_database_health"
        )
    for table, count in replica_drill.replica_counts.items():
        record_metric(metrics.row_metric(table, "replica"), count)
    record_finding(
        replica_counts_finding(
            copy.replica,
            replica_drill.replica_counts,
            replica_drill.live_counts,
            live_quiet=replica_drill.live_quiet,
            lag=replica_drill.lag,
            checks=config.checks,
        )
    )
