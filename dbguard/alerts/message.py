"""The text of an alert: status and what it was, the database, each problem with what to do
about it, the report's path. Plain text (every service shows it); every secret masked.

Notify types are apprise's names (info, success, warning, failure) so this module does not
import apprise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dbguard.findings import Finding, Severity
from dbguard.redact import mask_secrets
from dbguard.rules.alerting import AlertDecision, AlertKind

# A message lists at most this many problems (the report has them all)
MAX_FINDINGS = 20
# and cuts each value at this many characters.
MAX_VALUE = 300

NOTIFY_TYPES = {
    Severity.CRITICAL: "failure",
    Severity.WARNING: "warning",
    Severity.OK: "success",
    Severity.INFO: "info",
}


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    notify_type: str  # apprise's NotifyType value


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _finding_lines(finding: Finding) -> list[str]:
    where = f" ({finding.target})" if finding.target else ""
    lines = [f"- {finding.severity.upper()} {finding.check}{where}"]
    for label, value in (
        ("expected", finding.expected),
        ("observed", finding.observed),
        ("details", finding.details),
        ("action", finding.remediation),
    ):
        if value:
            lines.append(f"  {label}: {_cut(value)}")
    return lines


def problems_of(findings: Sequence[Finding]) -> list[Finding]:
    """The warnings and criticals, worst first, in the order found within a severity."""
    shown = [f for f in findings if f.severity in (Severity.WARNING, Severity.CRITICAL)]
    return sorted(shown, key=lambda finding: -finding.severity.rank)


def build_message(
    decision: AlertDecision,
    *,
    source: str,
    database: str,
    findings: Sequence[Finding],
    report: Path | None,
    now: datetime,
    secrets: Sequence[str] = (),
) -> Message:
    """The message for one decision that sends (decision.kind is not None)."""
    status = decision.status.upper()
    if decision.kind is AlertKind.RECOVERY:
        title = f"dbguard {source}: RECOVERED, now OK (was {decision.previous.upper()})"
        notify_type = NOTIFY_TYPES[Severity.OK]
    elif decision.kind is AlertKind.REPEAT:
        title = f"dbguard {source}: still {status}"
        notify_type = NOTIFY_TYPES[decision.status]
    else:
        title = f"dbguard {source}: {status} (was {decision.previous.upper()})"
        notify_type = NOTIFY_TYPES[decision.status]
    lines = [f"Database: {database}", f"Time: {_local(now)}"]
    if decision.state.since is not None and decision.kind is AlertKind.REPEAT:
        lines.append(f"Open since: {_local(decision.state.since)}")
    lines.append(f"Report: {report}" if report is not None else "Report: none written")
    problems = problems_of(findings)
    if problems:
        lines += ["", f"{len(problems)} problem(s):"]
        for finding in problems[:MAX_FINDINGS]:
            lines += _finding_lines(finding)
        if len(problems) > MAX_FINDINGS:
            lines.append(f"… and {len(problems) - MAX_FINDINGS} more in the report")
    elif decision.kind is AlertKind.RECOVERY:
        lines += ["", "No warnings or criticals any more."]
    body = mask_secrets("\n".join(lines), secrets)
    return Message(mask_secrets(title, secrets), body, notify_type)


def trial_message(database: str, now: datetime, secrets: Sequence[str] = ()) -> Message:
    """`dbguard alert test`: says where it comes from and that nothing is wrong."""
    body = (
        "This is a test message from `dbguard alert test`: alerts reach this destination.\n"
        f"Database: {database}\nTime: {_local(now)}"
    )
    return Message("dbguard: test alert", mask_secrets(body, secrets), NOTIFY_TYPES[Severity.INFO])
