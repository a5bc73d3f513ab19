"""Turn pytest's per-test reports into check results with a severity.

pytest knows passed / failed / skipped; dbguard's checks also carry findings
(severity, expected, observed, remediation, …) in `user_properties`. A failure
without a finding (an exception in a check) counts as critical: an errored
check is never a pass or a mere warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from dbguard.findings import PROPERTY_KEYS, Severity, Subject, subjects_from_text


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
    def subjects(self) -> tuple[Subject, ...]:
        """What the findings that decide its severity are about (dbguard.rules.problems)."""
        severity = self.severity.value
        return tuple(
            dict.fromkeys(
                subject
                for finding in self.findings
                if finding.get("severity") == severity
                for subject in subjects_from_text(finding.get("subjects", ""))
            )
        )

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


# How each check counts in the report and on the terminal: every check is exactly one of
# these, so the four numbers add up to the checks pytest ran.
CATEGORIES = ("critical", "warning", "ok", "skipped")


def category(result: CheckResult) -> str:
    """critical, warning, ok (info included) or skipped (a skip that found nothing wrong)."""
    severity = result.severity
    if severity in (Severity.CRITICAL, Severity.WARNING):
        return severity.value
    return "skipped" if result.outcome == "skipped" else "ok"


def category_counts(results: Iterable[CheckResult]) -> dict[str, int]:
    counts = dict.fromkeys(CATEGORIES, 0)
    for result in results:
        counts[category(result)] += 1
    return counts


def pytest_counts(results: Iterable[CheckResult]) -> dict[str, int]:
    """The checks by pytest's own outcome (passed, failed, error, skipped)."""
    counts: dict[str, int] = {}
    for result in results:
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
    return counts


def count_sentence(results: Iterable[CheckResult]) -> str:
    """One count of the checks, reconciled with pytest's totals:
    "124 checks: 0 critical, 2 warning, 63 ok, 59 skipped (pytest: 65 passed, 59 skipped;
    a warning passes in pytest)"."""
    results = list(results)
    counts = category_counts(results)
    outcomes = pytest_counts(results)
    ours = ", ".join(f"{counts[name]} {name}" for name in CATEGORIES)
    theirs = ", ".join(
        f"{outcomes[name]} {name}"
        for name in ("passed", "failed", "error", "skipped")
        if outcomes.get(name)
    )
    why = []
    passed_warnings = sum(1 for r in results if category(r) == "warning" and r.outcome == "passed")
    failed_warnings = sum(1 for r in results if category(r) == "warning" and r.outcome != "passed")
    if passed_warnings:
        why.append("a warning passes in pytest")
    if failed_warnings:
        why.append("--strict fails a warning")
    skipped_problems = sum(
        1 for r in results if r.outcome == "skipped" and category(r) != "skipped"
    )
    if skipped_problems:
        why.append(f"{skipped_problems} skipped check(s) reported a problem first")
    reason = f"; {', '.join(why)}" if why else ""
    return f"{len(results)} checks: {ours} (pytest: {theirs or 'nothing ran'}{reason})"


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
