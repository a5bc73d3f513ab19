"""What one `dbguard health` run found: findings, Nagios perfdata, metrics for the history,
and the facts of its one status line."""

from __future__ import annotations

from dataclasses import dataclass, field

from dbguard.errors import NagiosCode
from dbguard.findings import Finding, Severity
from dbguard.health.nagios import PerfValue, nagios_code, status_line
from dbguard.redact import mask_secrets


@dataclass
class HealthReport:
    database: str  # the file actually checked (a symlink's target), or the masked URL
    findings: list[Finding] = field(default_factory=list)
    perfdata: list[PerfValue] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    facts: list[str] = field(default_factory=list)  # the OK summary: "14254 rows in 5 tables", …
    notes: list[str] = field(default_factory=list)  # e.g. "not recorded: the history is busy"

    @property
    def severity(self) -> Severity:
        return Severity.worst([finding.severity for finding in self.findings])

    @property
    def code(self) -> NagiosCode:
        return nagios_code(self.severity)

    def problems(self) -> list[Finding]:
        """Warnings and criticals, the worst first."""
        found = [f for f in self.findings if f.severity in (Severity.WARNING, Severity.CRITICAL)]
        return sorted(found, key=lambda finding: -finding.severity.rank)

    def line(self) -> str:
        problems = [f"{finding.check}: {finding.observed}" for finding in self.problems()]
        summary = "; ".join(problems + self.facts + self.notes) or "no checks ran"
        return mask_secrets(status_line(self.code, f"{summary} — {self.database}", self.perfdata))
