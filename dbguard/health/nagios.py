"""Nagios plugin output: one status line `DBGUARD OK - … | perfdata` and the exit code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dbguard.errors import NagiosCode
from dbguard.findings import Severity

PLUGIN = "DBGUARD"


def nagios_code(severity: Severity) -> NagiosCode:
    if severity is Severity.CRITICAL:
        return NagiosCode.CRITICAL
    if severity is Severity.WARNING:
        return NagiosCode.WARNING
    return NagiosCode.OK


@dataclass(frozen=True)
class PerfValue:
    """One perfdata value: 'label'=value[unit];warn;crit;min;max (Nagios plugin guidelines)."""

    label: str
    value: float
    unit: str = ""
    warning: str = ""
    critical: str = ""
    minimum: str = ""
    maximum: str = ""

    def render(self) -> str:
        # Any label but letters, digits, `_` and `.` (a space, `=`, `'`, `"`, …) goes in single
        # quotes, an inner `'` doubled, as the plugin guidelines spell it: 'it''s'=20.
        label = (
            self.label
            if self.label.replace("_", "").replace(".", "").isalnum()
            else "'" + self.label.replace("'", "''") + "'"
        )
        number = (
            f"{self.value:.3f}".rstrip("0").rstrip(".") if self.value % 1 else f"{int(self.value)}"
        )
        fields = [f"{number}{self.unit}", self.warning, self.critical, self.minimum, self.maximum]
        while fields and fields[-1] == "":
            fields.pop()
        return f"{label}={';'.join(fields)}"


def status_line(code: NagiosCode, summary: str, perfdata: Sequence[PerfValue] = ()) -> str:
    text = f"{PLUGIN} {code.name} - {summary}".replace("|", "/").replace("\n", " ")
    if perfdata:
        text += " | " + " ".join(value.render() for value in perfdata)
    return text
