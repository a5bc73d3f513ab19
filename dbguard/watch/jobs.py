"""What a watch run does, in its forked child: exactly what the cron jobs do.

- `health`: `dbguard health --quick` (recorded, alerted, the Prometheus textfile; row counts
  are left to the check, which runs on every change: one cause, one alert). When the
  database dbguard.toml names is gone, the check says so instead: one check run, CRITICAL,
  recorded and alerted (dbguard.lost_database), so the overview shows it.
- `rules`: `dbguard check` without the HTML report, run when the data changed.
- `full`: `dbguard check` with its report, on `[watch] full_check`.

Each returns a JobResult (picklable) for the watcher's log. The child's own output (pytest's
terminal lines) goes to `<logs_dir>/watch-<kind>.log`, the last run's only.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from dbguard.config import Config
from dbguard.errors import DbguardError

KINDS = ("health", "rules", "full")


@dataclass(frozen=True)
class JobResult:
    kind: str
    status: str  # ok, warning, critical; "error" for bad input (a malformed suite, …)
    summary: str  # one line
    # The quick health saw row counts out of their bands: the check should look now, not
    # at the next rules_interval (the health leaves that alert to the check).
    check_now: bool = False


def run_job(kind: str, config: Config) -> JobResult:
    """Run `kind` in this (child) process, its output into the watch log."""
    _output_to_log(config, kind)
    try:
        if kind == "health":
            return _health(config)
        return _check(config, report=kind == "full", kind=kind)
    except DbguardError as error:
        return JobResult(kind, "error", error.one_line())


def _health(config: Config) -> JobResult:
    from dbguard.health.quick import run_health
    from dbguard.lost_database import lost_reason
    from dbguard.web.textfile import write_prometheus_textfile

    report = run_health(config, quick=True, record=True)
    if lost_reason(config):  # one check run says it (history, overview), one alert
        return _check(config, report=False, kind="health")
    from dbguard.rules.problems import PROBLEM_SEVERITIES, left_to_the_check

    alerted = left_to_the_check(report.findings)
    if config.alerts.urls:
        from dbguard.alerts.sources import notify_health

        notify_health(config, alerted)
    write_prometheus_textfile(config, report)
    check_now = any(
        finding.severity in PROBLEM_SEVERITIES and finding not in alerted
        for finding in report.findings
    )
    return JobResult("health", report.severity.value, report.line(), check_now)


def _check(config: Config, *, report: bool, kind: str) -> JobResult:
    from dbguard.check_run import run_checks
    from dbguard.web.textfile import write_prometheus_textfile

    run = run_checks(config, write_report=report)
    write_prometheus_textfile(config)
    if run.lost is not None:
        return JobResult(
            kind, run.lost.severity.value, f"the database is gone: {run.lost.observed}"
        )
    status = "ok" if int(run.exit_code) == 0 else "critical"
    where = f"; report {run.reports.html}" if run.reports is not None else ""
    return JobResult(kind, status, f"check exit {int(run.exit_code)}{where}")


def _output_to_log(config: Config, kind: str) -> None:
    folder = Path(config.reports.logs_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = os.open(folder / f"watch-{kind}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError:
        target = os.open(os.devnull, os.O_WRONLY)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(target, 1)
    os.dup2(target, 2)
    os.close(target)
