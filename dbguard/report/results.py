"""Turn pytest's per-test reports into check results with a severity.

pytest knows passed / failed / skipped; dbguard's checks also carry findings
(severity, expected, observed, remediation, …) in `user_properties`. A failure
without a finding (an exception in a check) counts as critical: an errored
check is never a pass or a mere warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from dbguard.findings import PROPERTY_KEYS, Severity


@dataclass
class CheckResult:
    nodeid: str
    outcome: str  # passed / failed / skipped / error
    findings: list[dict[str, str]] = field(default_factory=list)
    message: str = ""  # pytest's failure or skip text, for results without findings
    duration: float = 0.0
    # Failed only because a warning finding meets --strict-warnings (record_finding's text).
    failed_on_warning: bool = False

    @property
    def name(self) -> str:
        """The finding's check name, or the test's own name."""
        for finding in self.findings:
            if finding.get("check"):
                return finding["check"]
        return self.nodeid.rsplit("::", 1)[-1]

    @property
    def target(self) -> str:
        targets = sorted({f.get("target", "") for f in self.findings} - {""})
        return ", ".join(targets)

    @property
    def severity(self) -> Severity:
        found = [_severity(f.get("severity", "")) for f in self.findings]
        worst = Severity.worst(found)
        if self.outcome in ("failed", "error") and not (
            worst is Severity.WARNING and self.failed_on_warning
        ):
            # An exception, a failed assert or an errored expectation: critical.
            return Severity.CRITICAL
        if self.outcome == "skipped" and not found:
            return Severity.INFO
        return worst


def _severity(text: str) -> Severity:
    try:
        return Severity(text.strip().lower())
    except ValueError:
        return Severity.CRITICAL  # an unknown severity must not pass unnoticed


def findings_from_properties(properties: Iterable[tuple[str, object]]) -> list[dict[str, str]]:
    """Group `user_properties` into findings; each finding starts at its 'severity' key."""
    findings: list[dict[str, str]] = []
    for key, value in properties:
        if key == "severity":
            findings.append({})
        if key in (*PROPERTY_KEYS, "check") and findings:
            findings[-1][key] = str(value)
    return findings


def outcome_of(when: str, outcome: str) -> str:
    if outcome == "failed" and when != "call":
        return "error"
    return outcome


def status_word(severity: Severity) -> str:
    """The run's overall status as the report shows it: OK, WARNING or CRITICAL."""
    if severity is Severity.CRITICAL:
        return "CRITICAL"
    if severity is Severity.WARNING:
        return "WARNING"
    return "OK"


def severity_counts(results: Iterable[CheckResult]) -> dict[str, int]:
    counts = {severity.value: 0 for severity in Severity}
    for result in results:
        counts[result.severity.value] += 1
    return counts
