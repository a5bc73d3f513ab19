"""What a Great Expectations result means for dbguard."""

from __future__ import annotations

from dbguard.findings import Severity


def expectation_severity(*, success: bool, errored: bool, configured: str) -> Severity:
    """An expectation that errored (a missing table or column) is critical whatever its
    configured severity: a check that could not run must never pass as a mere warning. A
    failure takes the expectation's own severity (an unknown one counts as critical)."""
    if errored:
        return Severity.CRITICAL
    if success:
        return Severity.OK
    try:
        return Severity(str(configured).lower())
    except ValueError:
        return Severity.CRITICAL
