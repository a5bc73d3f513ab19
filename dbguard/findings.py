"""What a check found: severity, expected, observed and what to do about it.

A Finding is plain data shared by the checks (which produce it), the pytest
hooks (which put it in the report and the run history) and the CLI (which turns
the worst severity into an exit code).
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass


class Severity(enum.StrEnum):
    OK = "ok"
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def worst(cls, severities: list[Severity]) -> Severity:
        return max(severities, key=lambda severity: severity.rank, default=cls.OK)


_RANK = {Severity.OK: 0, Severity.INFO: 1, Severity.WARNING: 2, Severity.CRITICAL: 3}


def classify_above(value: float, warning: float, critical: float) -> Severity:
    """For gauges where more is worse (disk, memory, WAL size, latency, backup age)."""
    if value > critical:
        return Severity.CRITICAL
    if value > warning:
        return Severity.WARNING
    return Severity.OK


# Keys under which a pytest item carries its finding in `item.user_properties`.
PROPERTY_KEYS = (
    "severity",
    "expected",
    "observed",
    "remediation",
    "details",
    "target",
    "check",
    "plain_language",
    "subjects",
)


@dataclass(frozen=True)
class Subject:
    """What a finding is about, so findings of one cause make one problem: a table under one
    rule (`rows` for everything about its row count, else the expectation), at the severity
    this finding gives that table. See dbguard.rules.problems."""

    table: str
    rule: str
    severity: Severity


def subjects_text(subjects: tuple[Subject, ...]) -> str:
    """Subjects as JSON text, for pytest's user_properties and the run history."""
    if not subjects:
        return ""
    return json.dumps([[s.table, s.rule, s.severity.value] for s in subjects], ensure_ascii=False)


def subjects_from_text(text: str) -> tuple[Subject, ...]:
    """The subjects `subjects_text` wrote; nothing for "" or text that is not theirs."""
    if not text:
        return ()
    try:
        return tuple(
            Subject(str(table), str(rule), Severity(severity))
            for table, rule, severity in json.loads(text)
        )
    except (ValueError, TypeError):
        return ()


@dataclass(frozen=True)
class Finding:
    check: str
    severity: Severity
    expected: str
    observed: str
    remediation: str = ""
    details: str = ""  # e.g. the rows or values that broke a rule
    target: str = ""  # "live", "backup", "restore-drill", "system", …
    # The rule and what was seen, as a sentence for the report (dbguard.quality.describe).
    plain_language: str = ""
    # The tables and rules it is about, for grouping (empty: the check itself is the subject).
    subjects: tuple[Subject, ...] = ()

    def message(self) -> str:
        lines = [
            f"[{self.severity.upper()}] {self.check}",
            f"  expected: {self.expected}",
            f"  observed: {self.observed}",
        ]
        if self.details:
            lines.append(f"  details:  {self.details}")
        if self.remediation:
            lines.append(f"  action:   {self.remediation}")
        return "\n".join(lines)

    def properties(self) -> list[tuple[str, str]]:
        return [
            (key, subjects_text(self.subjects) if key == "subjects" else str(getattr(self, key)))
            for key in PROPERTY_KEYS
        ]
