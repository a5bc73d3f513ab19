"""A reading where more is worse, against a warning and a critical limit (the plan's table:
disk 80 % / 90 %, memory 75 % / 85 %, response 2 s / 5 s, …): one shape for every such rule."""

from __future__ import annotations

from dataclasses import dataclass

from dbguard.findings import Finding, Severity, classify_above


@dataclass(frozen=True)
class Gauge:
    check: str
    what: str  # "memory use", "the WAL file", … as the expected text names it
    unit: str  # " %", " MiB", " s", …
    warning: float
    critical: float
    remediation: str  # what to do once a limit is passed
    target: str = "live"

    @property
    def expected(self) -> str:
        return (
            f"{self.what} at most {self.warning:g}{self.unit}"
            f" (critical above {self.critical:g}{self.unit})"
        )

    def finding(self, value: float, observed: str) -> Finding:
        severity = classify_above(value, self.warning, self.critical)
        return Finding(
            check=self.check,
            severity=severity,
            expected=self.expected,
            observed=observed,
            remediation=self.remediation if severity is not Severity.OK else "",
            target=self.target,
        )
