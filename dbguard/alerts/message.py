"""The text of an alert: status and what it was, the database, each problem with what to do
about it, the report's path. Plain text (every service shows it); every secret masked.

A problem is one cause (dbguard.rules.problems): a table's rule failing on live, backup and
replica is one problem listing those targets, with its first, worst finding's expected and
observed, each distinct action, and the checks behind it; the report has every finding.

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
from dbguard.rules.problems import Problem, group_problems

# A message lists at most this many problems (the report has them all)
MAX_PROBLEMS = 20
# and cuts each value at this many characters,
MAX_VALUE = 300
# with at most this many distinct actions per problem.
MAX_ACTIONS = 3

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


def _problem_lines(problem: Problem) -> list[str]:
    """One problem: its title and targets, then its lead finding (the first of the worst)."""
    lead = problem.findings[0]
    where = f" ({', '.join(problem.targets)})" if problem.targets else ""
    title = problem.title if len(problem.findings) > 1 else lead.check
    lines = [f"- {problem.severity.upper()} {title}{where}"]
    for label, value in (
        ("expected", lead.expected),
        ("observed", lead.observed),
        ("details", lead.details),
    ):
        if value:
            lines.append(f"  {label}: {_cut(value)}")
    lines += [f"  action: {_cut(action)}" for action in problem.actions[:MAX_ACTIONS]]
    if len(problem.findings) > 1:
        checks = "; ".join(
            f"{check} ({', '.join(targets)})" if targets else check
            for check, targets in problem.checks
        )
        lines.append(f"  {len(problem.findings)} findings: {_cut(checks)}")
    return lines


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
    problems = group_problems(findings)
    if problems:
        lines += ["", f"{len(problems)} problem(s):"]
        for problem in problems[:MAX_PROBLEMS]:
            lines += _problem_lines(problem)
        if len(problems) > MAX_PROBLEMS:
            lines.append(f"… and {len(problems) - MAX_PROBLEMS} more in the report")
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
