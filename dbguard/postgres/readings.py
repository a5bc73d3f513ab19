"""What dbguard reads from a PostgreSQL server: tables and row counts of the configured
schema, the database's size, connections in use, the longest-running transaction, and a
standby's replay lag. Plain catalog queries, one round trip each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dbguard.database import kept_tables

if TYPE_CHECKING:
    import psycopg


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def user_tables(connection: psycopg.Connection, schema: str, ignore: Sequence[str]) -> list[str]:
    """The schema's tables, without the ignored ones (dbguard.database.is_ignored_table)."""
    rows = connection.execute(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY table_name",
        (schema,),
    ).fetchall()
    return kept_tables((row[0] for row in rows), ignore)


def row_counts(
    connection: psycopg.Connection,
    schema: str,
    tables: Sequence[str],
    *,
    estimate: bool = False,
) -> dict[str, int]:
    """Each table's rows: exact (COUNT(*) in one repeatable-read snapshot) or, with
    `estimate`, the planner's pg_class.reltuples (cheap on very large tables)."""
    if estimate:
        rows = connection.execute(
            "SELECT c.relname, GREATEST(c.reltuples, 0)::bigint FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relname = ANY(%s)",
            (schema, list(tables)),
        ).fetchall()
        return {name: int(count) for name, count in rows}
    counts: dict[str, int] = {}
    with connection.transaction():
        connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for table in tables:
            row = connection.execute(
                f"SELECT COUNT(*) FROM {quote_identifier(schema)}.{quote_identifier(table)}"
            ).fetchone()
            counts[table] = int(row[0]) if row else 0
    return counts


@dataclass(frozen=True)
class ServerState:
    database_bytes: int
    connections: int
    max_connections: int
    longest_transaction_seconds: float  # 0 when none is running
    longest_transaction: str  # who: "user@application (pid N)"
    in_recovery: bool  # a standby
    standby_lag_seconds: float | None  # None: not a standby, or nothing replayed yet


def server_state(connection: psycopg.Connection) -> ServerState:
    row = connection.execute(
        "SELECT pg_database_size(current_database()),"
        " (SELECT COUNT(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),"
        " current_setting('max_connections')::int,"
        " pg_is_in_recovery(),"
        " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
    ).fetchone()
    assert row is not None
    longest = connection.execute(
        "SELECT EXTRACT(EPOCH FROM now() - xact_start), usename, application_name, pid"
        " FROM pg_stat_activity WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid()"
        " AND backend_type = 'client backend' ORDER BY xact_start LIMIT 1"
    ).fetchone()
    seconds, who = (0.0, "")
    if longest is not None:
        seconds = float(longest[0])
        who = f"{longest[1]}@{longest[2] or '?'} (pid {longest[3]})"
    in_recovery = bool(row[3])
    return ServerState(
        database_bytes=int(row[0]),
        connections=int(row[1]),
        max_connections=int(row[2]),
        longest_transaction_seconds=seconds,
        longest_transaction=who,
        in_recovery=in_recovery,
        standby_lag_seconds=float(row[4]) if in_recovery and row[4] is not None else None,
    )
