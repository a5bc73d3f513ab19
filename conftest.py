"""pytest wiring for the quality suite in checks/: command-line options and report hooks.

Fixtures that open the live database live in checks/conftest.py. The hooks
below only wire: the run's state and history live in dbguard.report.session,
the report's HTML in dbguard.report.html and dbguard.report.charts. They act
only in a quality run (a session whose checks use `record_finding` or
`record_metric`), so the project's own tests, which load this file too, are
left alone.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from dbguard.report import session as run


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dbguard", "dbguard quality suite")
    group.addoption("--db", default=None, help="live SQLite database to check")
    group.addoption("--backup-dir", default=None, help="folder holding the backups")
    group.addoption("--dbguard-config", default=None, help="dbguard.toml to read")
    group.addoption(
        "--dbguard-only",
        default=None,
        metavar="SCOPE",
        help="run only the expectation suites on the live database: expectations, or "
        "expectations:TABLE (a partial run: no history, no alerts)",
    )
    group.addoption(
        "--strict-warnings",
        action="store_true",
        default=False,
        help="fail the run on warning-level findings too",
    )


def pytest_configure(config: pytest.Config) -> None:
    run.start(config)


def pytest_collection_finish(session: pytest.Session) -> None:
    run.activate(session)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    run.record_report(item.config, report)
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    run.finish(session, exitstatus)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    for line in run.terminal_summary(config):
        terminalreporter.write_line(line)


@pytest.hookimpl(optionalhook=True)
def pytest_metadata(metadata: dict[str, Any], config: pytest.Config) -> None:
    """Mask secrets in every environment value (the redact list covers only names)."""
    run.mask_metadata(metadata, config)


@pytest.hookimpl(optionalhook=True)
def pytest_html_report_title(report: Any) -> None:
    run.run_state(report.config).html_report = report


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_summary(
    prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
) -> None:
    from dbguard.report.build import summary_block

    block = summary_block(session.config)
    if block:
        prefix.insert(0, block)


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_header(cells: list[str]) -> None:
    from dbguard.report.html import HEADER_CELLS

    cells[1:1] = HEADER_CELLS


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_row(report: pytest.TestReport, cells: list[str]) -> None:
    from dbguard.report.build import table_row

    cells[1:1] = table_row(report)


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_html(report: pytest.TestReport, data: list[str]) -> None:
    from dbguard.report.build import extra_html

    extra_html(report, data)
