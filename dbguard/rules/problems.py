"""One cause, one problem: the findings of a run grouped for the people who read about them.

A 40 % delete in one table fails that table's row-count expectations on the live database
and on the replica, its change against the previous run, the backup's and the replica's
reconciliation, and the replica's restore drill: one cause, seven findings. Findings that
share a table and a rule (their Subjects: `row count` for everything about a table's row
count, else the expectation) make one Problem that lists its targets (live, backup,
replica, …); a finding about no table is a problem of its own check, shared across
targets. A finding about several tables (a reconciliation) joins the problem of each.

`group_problems` is the one home of that grouping: the alert message, the report's summary
and the monitor's overview call it and never re-derive it. Only summaries group: every
finding stays in the report's detail table, the JUnit XML and the history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from dbguard.findings import Finding, Severity, subjects_from_text
from dbguard.rules.rows import ROW_COUNT_RULE

PROBLEM_SEVERITIES = (Severity.WARNING, Severity.CRITICAL)
# How targets are listed: where the data lives first, then its copies.
TARGET_ORDER = ("live", "backup", "restore-drill", "replica")


@dataclass(frozen=True)
class Problem:
    table: str  # "" for a problem about no table (a disk, a backup's age)
    rule: str  # the rule family, or the check's name when there is no table
    severity: Severity  # the worst of its findings for this table and rule
    targets: tuple[str, ...]
    findings: tuple[Finding, ...]  # worst first, the live database's first, then as found

    @property
    def title(self) -> str:
        """`fault_record: row count`, or the check's name."""
        return f"{self.table}: {self.rule}" if self.table else self.rule

    @property
    def actions(self) -> list[str]:
        """What to do, each distinct remediation once (the same advice written with or without
        `code` quotes counts once), worst finding's first."""
        found: dict[str, str] = {}
        for finding in self.findings:
            if finding.remediation:
                found.setdefault(
                    " ".join(finding.remediation.replace("`", "").split()), finding.remediation
                )
        return list(found.values())

    @property
    def checks(self) -> list[tuple[str, tuple[str, ...]]]:
        """Each check behind the problem once, with the targets it was found on."""
        found: dict[str, list[str]] = {}
        for finding in self.findings:
            targets = found.setdefault(finding.check, [])
            if finding.target and finding.target not in targets:
                targets.append(finding.target)
        return [(check, _ordered(targets)) for check, targets in found.items()]


def group_problems(findings: Iterable[Finding]) -> list[Problem]:
    """The warnings and criticals among `findings`, one Problem per table and rule (or per
    check, for findings about no table), worst first, then in the order found."""
    keys: dict[tuple[str, str], list[tuple[Finding, Severity]]] = {}
    for finding in findings:
        for table, rule, severity in _keys(finding):
            keys.setdefault((table, rule), []).append((finding, severity))
    problems = []
    for (table, rule), members in keys.items():
        worst = Severity.worst([severity for _, severity in members])
        ordered = sorted(members, key=lambda member: (-member[1].rank, _rank(member[0].target)))
        chosen = tuple(finding for finding, _ in ordered)  # once each: its keys are unique
        targets = _ordered([finding.target for finding in chosen if finding.target])
        problems.append(Problem(table, rule, worst, targets, chosen))
    return sorted(problems, key=lambda problem: -problem.severity.rank)


def _keys(finding: Finding) -> list[tuple[str, str, Severity]]:
    """The (table, rule, severity) a finding is a problem for: its subjects at a problem's
    severity (each table and rule once, at its worst), else its own check at its own."""
    if finding.severity not in PROBLEM_SEVERITIES:
        return []
    worst: dict[tuple[str, str], Severity] = {}
    for subject in finding.subjects:
        if subject.severity in PROBLEM_SEVERITIES:
            key = (subject.table, subject.rule)
            worst[key] = Severity.worst([worst.get(key, subject.severity), subject.severity])
    if worst:
        return [(table, rule, severity) for (table, rule), severity in worst.items()]
    return [("", finding.check, finding.severity)]


def _rank(target: str) -> int:
    return TARGET_ORDER.index(target) if target in TARGET_ORDER else len(TARGET_ORDER)


def _ordered(targets: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(dict.fromkeys(targets), key=_rank))


class CheckResultLike(Protocol):
    """What is read of one check's result (dbguard.report.results.CheckResult)."""

    findings: list[dict[str, str]]
    message: str
    outcome: str

    @property
    def name(self) -> str: ...

    @property
    def severity(self) -> Severity: ...

    @property
    def target(self) -> str: ...


def check_findings(results: Iterable[CheckResultLike]) -> list[Finding]:
    """The findings that decide each result's severity; a check that failed without one (an
    exception) is a critical finding of its own, as in the report."""
    findings: list[Finding] = []
    for result in results:
        severity = result.severity
        shown = [f for f in result.findings if f.get("severity") == severity.value]
        for item in shown:
            findings.append(
                Finding(
                    item.get("check") or result.name,
                    severity,
                    item.get("expected", ""),
                    item.get("observed", ""),
                    item.get("remediation", ""),
                    item.get("details", ""),
                    item.get("target", ""),
                    item.get("plain_language", ""),
                    subjects_from_text(item.get("subjects", "")),
                )
            )
        if not shown and severity in PROBLEM_SEVERITIES:
            findings.append(
                Finding(
                    result.name,
                    severity,
                    "the check runs to the end",
                    result.message or result.outcome,
                    "read this check's entry in the report",
                    target=result.target,
                )
            )
    return findings


def problems_json(problems: Sequence[Problem]) -> list[dict[str, object]]:
    """Problems as the overview endpoint and `--json` outputs show them."""
    return [
        {
            "title": problem.title,
            "table": problem.table,
            "rule": problem.rule,
            "severity": problem.severity.value,
            "targets": list(problem.targets),
            "checks": [
                {"check": check, "targets": list(targets)} for check, targets in problem.checks
            ],
        }
        for problem in problems
    ]


def left_to_the_check(findings: Iterable[Finding]) -> list[Finding]:
    """What a watched quick health alerts: its findings without those about row counts.

    Under `dbguard serve`'s watcher the check runs within `rules_interval` of any change to
    the data, and a row count moves only when the data does: the check's own row-count
    findings (live, backup, change over time) are the same cause. Alerting both would be one
    incident, two alerts; the check's names the table and its targets, so it keeps it.
    """
    return [
        finding
        for finding in findings
        if not finding.subjects
        or any(subject.rule != ROW_COUNT_RULE for subject in finding.subjects)
    ]
