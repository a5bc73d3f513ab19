"""The lines a quality run prints at its end: the overall status and every warning or critical.

pytest's own summary lists failures only; a warning passes its test, so without
these lines a person at the terminal (or reading a cron log) would never see it.
"""

from __future__ import annotations

from dbguard.findings import Severity
from dbguard.report.results import CheckResult, count_sentence, status_word


def summary_lines(results: list[CheckResult], status: Severity, database: str) -> list[str]:
    lines = [f"dbguard status: {status_word(status)} for {database}: {count_sentence(results)}"]
    for severity in (Severity.CRITICAL, Severity.WARNING):
        for result in results:
            if result.severity is not severity:
                continue
            finding = next((f for f in result.findings if f.get("severity") == severity), None)
            if finding is None:
                lines.append(f"  {severity.upper():8} {result.name}: {result.message[:200]}")
                continue
            target = f" [{finding['target']}]" if finding.get("target") else ""
            said = finding.get("plain_language") or (
                f"observed {finding.get('observed', '')}; expected {finding.get('expected', '')}"
            )
            lines.append(f"  {severity.upper():8} {result.name}{target}: {said}")
    return lines
