"""Database health outside the full quality run: the connection check, row-count bands, and
the five-minute `dbguard health --quick` (Nagios). Standard library and psutil only."""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dbguard.config import Config


def engine_health(config: Config) -> ModuleType:
    """The module reading this database's engine: `dbguard.health.sqlite`, `.postgres` or
    `.spark`. Each
    has `label(config)`, `attempt(config)`, `counts(config, report)` and
    `add_findings(config, report, quick=…)`."""
    if config.database.is_postgres:
        from dbguard.health import postgres

        return postgres
    if config.database.is_spark:
        from dbguard.health import spark

        return spark
    from dbguard.health import sqlite

    return sqlite
