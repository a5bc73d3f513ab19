"""`[postgres]`: what `dbguard health` and `check` watch on a PostgreSQL server (only read
when `[database] url` is set)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PostgresConfig:
    # Row counts from pg_class.reltuples (planner estimates) instead of an exact COUNT(*):
    # for very large tables, where counting on every five-minute run costs too much.
    estimate_rows: bool = False
    connections_warning_percent: float = 80.0
    connections_critical_percent: float = 90.0
    # The longest-running transaction (a stuck one holds locks and stops vacuum).
    transaction_warning_seconds: float = 300.0
    transaction_critical_seconds: float = 3600.0
    # A standby's replay lag behind its primary.
    standby_lag_warning_seconds: float = 60.0
    standby_lag_critical_seconds: float = 300.0
