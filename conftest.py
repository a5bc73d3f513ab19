"""pytest wiring for the quality suite in checks/: command-line options and report hooks.

Fixtures that open the live database live in checks/conftest.py; the report
itself is built by dbguard.report, which these hooks only call.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dbguard", "dbguard quality suite")
    group.addoption("--db", default=None, help="live SQLite database to check")
    group.addoption("--backup-dir", default=None, help="folder holding the backups")
    group.addoption("--dbguard-config", default=None, help="dbguard.toml to read")
    group.addoption(
        "--strict-warnings",
        action="store_true",
        default=False,
        help="fail the run on warning-level findings too",
    )
