"""The replication rules (dbguard.rules.replication): pure decisions, examples and properties."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from dbguard.config import ChecksConfig, ReplicationConfig
from dbguard.findings import Finding, Severity, Subject
from dbguard.rules.expectations import restored_copy_finding
from dbguard.rules.replication import (
    ReplicaObservation,
    lag_seconds,
    replica_counts_finding,
    replication_finding,
)

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
CONFIG = ReplicationConfig(enabled=True, lag_warning_seconds=60, lag_critical_seconds=300)


def observed(
    *,
    arrived_ago: float | None = 10.0,
    written_ago: float | None = 20.0,
    running: bool | None = True,
    error: str = "",
) -> ReplicaObservation:
    return ReplicaObservation(
        replica="/srv/replica",
        newest_txid=None if arrived_ago is None else 0x2A,
        newest_at=None if arrived_ago is None else NOW - timedelta(seconds=arrived_ago),
        live_written_at=None if written_ago is None else NOW - timedelta(seconds=written_ago),
        running=running,
        observed_at=NOW,
        error=error,
    )


def test_an_idle_database_has_no_lag_however_old_its_newest_transaction() -> None:
    observation = observed(arrived_ago=86400, written_ago=86401)
    assert lag_seconds(observation) == 0.0
    assert replication_finding(observation, CONFIG).severity is Severity.OK


def test_unreplicated_writes_lag_since_the_newest_transaction_arrived() -> None:
    assert lag_seconds(observed(arrived_ago=120, written_ago=100)) == 120.0
    assert replication_finding(observed(arrived_ago=120, written_ago=1), CONFIG).severity is (
        Severity.WARNING
    )
    critical = replication_finding(observed(arrived_ago=301, written_ago=1), CONFIG)
    assert critical.severity is Severity.CRITICAL
    assert "lag 301.0 s" in critical.observed and "/srv/replica" in critical.observed


def test_configured_but_not_running_is_a_warning_even_without_lag() -> None:
    finding = replication_finding(observed(running=False), CONFIG)
    assert finding.severity is Severity.WARNING
    assert "no Litestream process" in finding.observed
    assert "dbguard replicate" in finding.remediation


def test_an_unreadable_replica_is_critical_and_named() -> None:
    finding = replication_finding(observed(error="file checksum mismatch"), CONFIG)
    assert finding.severity is Severity.CRITICAL
    assert "/srv/replica" in finding.observed and "checksum" in finding.observed


def test_an_empty_replica_is_a_warning() -> None:
    finding = replication_finding(observed(arrived_ago=None), CONFIG)
    assert finding.severity is Severity.WARNING and "no transaction yet" in finding.observed


seconds = st.floats(min_value=0, max_value=10**6, allow_nan=False)


@given(arrived=seconds, written=seconds, running=st.sampled_from([True, False, None]))
def test_severity_follows_the_lag_bands_and_liveness(
    arrived: float, written: float, running: bool | None
) -> None:
    observation = observed(arrived_ago=arrived, written_ago=written, running=running)
    lag = lag_seconds(observation)
    assert lag is not None and lag >= 0
    severity = replication_finding(observation, CONFIG).severity
    expected = (
        Severity.CRITICAL
        if lag > 300
        else Severity.WARNING
        if lag > 60 or running is False
        else Severity.OK
    )
    assert severity is expected


@given(arrived=seconds, written=seconds, later=st.floats(min_value=0, max_value=1000))
def test_lag_never_shrinks_while_nothing_new_arrives(
    arrived: float, written: float, later: float
) -> None:
    first = observed(arrived_ago=arrived, written_ago=written)
    second = ReplicaObservation(**{**first.__dict__, "observed_at": NOW + timedelta(seconds=later)})
    assert lag_seconds(second) >= lag_seconds(first)  # type: ignore[operator]


CHECKS = ChecksConfig()
COUNTS = {"orders": 1000, "notes": 20}


def test_a_quiet_live_database_must_match_the_replica_exactly() -> None:
    same = replica_counts_finding("r", COUNTS, dict(COUNTS), live_quiet=True, lag=0, checks=CHECKS)
    assert same.severity is Severity.OK
    off_by_one = replica_counts_finding(
        "r", COUNTS, {**COUNTS, "orders": 1001}, live_quiet=True, lag=0, checks=CHECKS
    )
    assert off_by_one.severity is Severity.CRITICAL
    assert "orders: replica 1000, live 1001" in off_by_one.observed


def test_a_moving_live_database_stays_within_the_drift_bands_of_the_replica() -> None:
    def verdict(live: dict[str, int]) -> Severity:
        return replica_counts_finding(
            "r", COUNTS, live, live_quiet=False, lag=2.0, checks=CHECKS
        ).severity

    assert verdict({**COUNTS, "orders": 1003}) is Severity.OK
    assert verdict({**COUNTS, "orders": 1150}) is Severity.WARNING
    assert verdict({**COUNTS, "orders": 1300}) is Severity.CRITICAL
    assert verdict({"notes": 20}) is Severity.CRITICAL  # a table gone from live
    assert verdict({**COUNTS, "new": 1}) is Severity.WARNING  # not replicated yet


@dataclass(frozen=True)
class Result:
    check: str
    severity: Severity
    observed: str
    schema_mismatch: str = ""
    subjects: tuple[Subject, ...] = ()


def test_the_suites_on_a_restored_replica_send_bad_data_and_suite_typos_different_ways() -> None:
    def finding(*results: Result) -> Finding:
        return restored_copy_finding(
            "replication::restore",
            "every suite passes",
            results,
            restored="restored",
            copy="the restore of r",
            source="the replica",
            bad_data="restore an older state",
            target="replica",
        )

    fine = finding(Result("a", Severity.OK, "ok"), Result("b", Severity.OK, "ok"))
    assert fine.severity is Severity.OK and fine.observed == "restored; all 2 expectations met"
    bad = finding(Result("a", Severity.CRITICAL, "3 rows"), Result("b", Severity.WARNING, "x"))
    assert bad.severity is Severity.CRITICAL
    assert bad.observed == "2 of 2 expectations not met on the restore of r"
    assert bad.remediation == "restore an older state" and "a (critical): 3 rows" in bad.details
    typo = finding(Result("a", Severity.CRITICAL, "errored", "no column x"))
    assert "restore an older" not in typo.remediation
    assert typo.remediation.startswith("1 expectation(s) name tables or columns the replica lacks")
