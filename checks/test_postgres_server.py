"""A PostgreSQL server's own gauges, read once in a read-only session: connections in use
against max_connections, the longest-running transaction, and a standby's replay lag. The
verdicts are `dbguard.rules.postgres`, as `dbguard health` gives them. Left out for SQLite."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dbguard.config import Config
from dbguard.errors import DbguardError
from dbguard.findings import Finding, Severity
from dbguard.postgres.readings import ServerState
from dbguard.rules.postgres import (
    connections_finding,
    long_transaction_finding,
    standby_lag_finding,
)

pytestmark = pytest.mark.engine("postgresql")

Record = Callable[[Finding], None]


@pytest.fixture(scope="module")
def server(config: Config) -> ServerState | DbguardError:
    """The server's state, or why it could not be read (each check reports it)."""
    import psycopg

    from dbguard.postgres.connection import classify, connect
    from dbguard.postgres.readings import server_state

    try:
        with connect(config.database) as connection:
            return server_state(connection)
    except DbguardError as error:
        return error
    except psycopg.Error as error:  # the server went away between connecting and reading
        return classify(error, config.database)


def _state(server: ServerState | DbguardError, check: str, record_finding: Record) -> ServerState:
    if isinstance(server, DbguardError):
        record_finding(
            Finding(
                check,
                Severity.CRITICAL,
                "the server's state readable (pg_stat_activity, pg_settings)",
                f"cannot read it: {server.one_line()}",
                "check that the server is running (see the connection check)",
                target="live",
            )
        )
        raise AssertionError("record_finding fails on critical")
    return server


def test_connections_below_max_connections(
    server: ServerState | DbguardError, config: Config, record_finding: Record
) -> None:
    state = _state(server, "postgres::connections", record_finding)
    record_finding(connections_finding(state.connections, state.max_connections, config.postgres))


def test_no_long_running_transaction(
    server: ServerState | DbguardError, config: Config, record_finding: Record
) -> None:
    state = _state(server, "postgres::longest_transaction", record_finding)
    record_finding(
        long_transaction_finding(
            state.longest_transaction_seconds, state.longest_transaction, config.postgres
        )
    )


def test_standby_keeps_up(
    server: ServerState | DbguardError, config: Config, record_finding: Record
) -> None:
    state = _state(server, "postgres::standby_lag", record_finding)
    if not state.in_recovery:
        pytest.skip("the server is a primary (pg_is_in_recovery() is false): no replay lag")
    record_finding(standby_lag_finding(state.standby_lag_seconds, config.postgres))
