"""`dbguard check --json`: every finding of a run as one JSON document.

The run's results are those the report is built from (dbguard.report.session, secrets
already masked); a `FindingsCollector` joins the pytest run as a plugin and keeps them
when the session ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from dbguard.findings import Finding, Severity
from dbguard.redact import mask_secrets
from dbguard.report.results import CheckResult
from dbguard.report.session import run_state

# The fields of each finding, in this order.
FIELDS = ("check", "target", "severity", "expected", "observed", "remediation", "details")


class FindingsCollector:
    """A pytest plugin keeping a run's results and status when the session ends."""

    def __init__(self) -> None:
        self.results: list[CheckResult] = []
        self.status: Severity = Severity.OK

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        state = run_state(session.config)
        self.results = list(state.results.values())
        self.status = state.status


def result_findings(results: Iterable[CheckResult]) -> list[dict[str, str]]:
    """Every finding of every check; a check that recorded none (a skip, an exception) is
    one finding with pytest's message as what was observed."""
    records = []
    for result in results:
        if not result.findings:
            records.append(
                {
                    "check": result.name,
                    "target": "",
                    "severity": result.severity.value,
                    "expected": "",
                    "observed": result.message or result.outcome,
                    "remediation": "",
                    "details": "",
                }
            )
            continue
        for finding in result.findings:
            records.append({key: finding.get(key, "") for key in FIELDS})
    return records


def finding_record(finding: Finding) -> dict[str, str]:
    return {key: str(getattr(finding, key)) for key in FIELDS}


def findings_document(
    *,
    database: str,
    scope: str,
    status: Severity,
    exit_code: int,
    findings: list[dict[str, str]],
    report: str | None = None,
    secrets: Iterable[str] = (),
) -> dict[str, Any]:
    """The document `check --json` prints; every text masked once more, whatever its source."""
    hidden = list(secrets)
    return {
        "database": mask_secrets(database, hidden),
        "scope": scope,
        "status": status.value,
        "exit_code": exit_code,
        "report": report,
        "findings": [
            {key: mask_secrets(value, hidden) for key, value in finding.items()}
            for finding in findings
        ],
    }
