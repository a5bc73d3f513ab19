"""The lines a quality run prints at its end: the overall status and every warning or critical.

pytest's own summary lists failures only; a warning passes its test, so without
these lines a person at the terminal (or reading a cron log) would never see it.
"""

from __future__ import annotations

from dbguard.findings import Severity
from dbguard.report.results import CheckResult, severity_counts, status_word


def summary_lines(results: list[CheckResult], status: Severity, database: str) -> list[str]:
    counts = severity_counts(results)
    lines = [
        f"dbguard status: {status_word(status)} for {database} "
        f"({counts['critical']} critical, {counts['warning']} warning, {counts['ok']} ok)"
    ]
    for severity in (Severity.CRITICAL, Severity.WARNING):
        for result in results:
            if result.severity is not severity:
                continue
            finding = next((f for f in result.findings if f.get("severity") == severity), None)
            if finding is None:
                lines.append(f"  {severity.upper():8} {result.name}: {result.message[:200]}")
                continue
            target = f" [{finding['target']}]" if finding.get("target") else ""
            lines.append(
                f"  {severity.upper():8} {result.name}{target}: observed {finding.get('observed', '')}"
                f"; expected {finding.get('expected', '')}"
            )
    return lines
