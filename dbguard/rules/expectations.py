"""What a Great Expectations result means for dbguard, and what a restored copy's results
mean together."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from dbguard.findings import Finding, Severity, Subject


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


class SuiteResult(Protocol):
    """One expectation's result on a restored copy (dbguard.quality.outcomes)."""

    @property
    def check(self) -> str: ...

    @property
    def severity(self) -> Severity: ...

    @property
    def observed(self) -> str: ...

    @property
    def schema_mismatch(self) -> str: ...

    @property
    def subjects(self) -> tuple[Subject, ...]: ...


def restored_copy_finding(
    check: str,
    expected: str,
    results: Sequence[SuiteResult],
    *,
    restored: str,
    copy: str,
    source: str,
    bad_data: str,
    target: str,
) -> Finding:
    """Every suite on a restored copy (a backup's restore drill, the replica's): the worst
    result's severity. `restored` says what was restored, `copy` names the copy in the
    summary, `source` what it was restored from ("the backup"); `bad_data` is the advice when
    the copy holds bad data. A result that failed only because the suite names tables or
    columns the copy lacks points at the suite instead."""
    failed = [result for result in results if result.severity is not Severity.OK]
    return Finding(
        check=check,
        severity=Severity.worst([result.severity for result in results]),
        expected=expected,
        observed=(
            f"{len(failed)} of {len(results)} expectations not met on {copy}"
            if failed
            else f"{restored}; all {len(results)} expectations met"
        ),
        details="; ".join(
            f"{result.check} ({result.severity}): {result.observed}" for result in failed[:10]
        ),
        remediation=_restored_copy_remediation(failed, bad_data, source),
        target=target,
        # What failed on the copy, so it joins those problems (dbguard.rules.problems).
        subjects=tuple(dict.fromkeys(s for result in failed for s in result.subjects)),
    )


def _restored_copy_remediation(failed: Sequence[SuiteResult], bad_data: str, source: str) -> str:
    """Restore something older only for bad data, never for a suite naming what is not there."""
    if not failed:
        return ""
    mismatched = [result for result in failed if result.schema_mismatch]
    fix_suite = (
        f"{len(mismatched)} expectation(s) name tables or columns {source} lacks "
        f"({mismatched[0].schema_mismatch}): if the schema changed on purpose, fix the suite "
        f"(`dbguard lint` shows where); {source} is not at fault"
        if mismatched
        else ""
    )
    if len(mismatched) == len(failed):
        return fix_suite
    return f"{bad_data}; {fix_suite}" if fix_suite else bad_data
