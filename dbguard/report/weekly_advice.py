"""The weekly report's advice: what to do, drawn from what the week's runs actually found."""

from __future__ import annotations

from collections import Counter

from dbguard import metrics
from dbguard.config import Config
from dbguard.findings import Severity
from dbguard.history import StoredRun
from dbguard.report.weekly_facts import WeekFacts


def problem_counts(runs: list[StoredRun]) -> dict[str, Counter[str]]:
    by_check: dict[str, Counter[str]] = {}
    for run in runs:
        for outcome in run.outcomes:
            if outcome.severity in ("warning", "critical"):
                by_check.setdefault(outcome.name, Counter())[outcome.severity] += 1
    return by_check


def advice(facts: WeekFacts, config: Config) -> list[str]:
    """What to do, from what happened this week."""
    items: list[str] = []
    if facts.counts is None:
        items.append(
            f"The database could not be read ({facts.read_error}): follow docs/RUNBOOK.md "
            "(立即响应) and restore from the latest verified backup if it is damaged."
        )
    if not facts.checks:
        items.append(
            "No quality check ran this week: install the schedule (`dbguard schedule --install`) "
            "or look at logs/check.log for why cron did not run it."
        )
    critical_runs = [run for run in facts.checks if run.status == "critical"]
    warning_runs = [run for run in facts.checks if run.status == "warning"]
    problems = problem_counts(facts.checks + facts.healths)
    if critical_runs:
        worst = sorted(problems.items(), key=lambda item: -item[1]["critical"])[:3]
        names = ", ".join(
            f"{name} ({counter['critical']}×)" for name, counter in worst if counter["critical"]
        )
        items.append(
            f"{len(critical_runs)} of {len(facts.checks)} check runs had critical findings"
            f" ({names}): read the latest report (reports/latest.html) and act on its remediation."
        )
    if warning_runs:
        warned = sorted(
            (name for name, counter in problems.items() if counter["warning"]),
            key=lambda name: (-problems[name]["warning"], name),
        )
        names = ", ".join(f"{name} ({problems[name]['warning']}×)" for name in warned[:5])
        runs = "check run" if len(warning_runs) == 1 else "check runs"
        items.append(
            f"{len(warning_runs)} {runs} ended with warnings ({names}): read the latest report"
            " (reports/latest.html); if a row-count change is intended, re-baseline with"
            " `dbguard baseline`."
        )
    # The five-minute health runs see what the hourly checks may not (the app's health URL).
    troubled = [run for run in facts.healths if run.status in ("warning", "critical")]
    from_health = {
        name: counter
        for name, counter in problem_counts(troubled).items()
        if name != "connection"  # advised on below
    }
    if from_health:
        ranked = sorted(from_health, key=lambda name: (-sum(from_health[name].values()), name))
        names = ", ".join(f"{name} ({sum(from_health[name].values())}×)" for name in ranked[:5])
        items.append(
            f"{len(troubled)} of {len(facts.healths)} health checks raised warnings or criticals"
            f" ({names}): read logs/health.log and fix the cause (for the health URL: is the"
            " application up and answering in time?)."
        )
    connection = problems.get("connection")
    if connection:
        items.append(
            f"The live database failed to open {sum(connection.values())} time(s) this week: check "
            "the application, file permissions and locks."
        )
    system = config.system
    disk_db = facts.disk_db or 0.0  # on PostgreSQL the server's volume is watched there
    if disk_db > system.disk_warning_percent or facts.disk_backups > system.disk_warning_percent:
        items.append(
            f"Disk use is high (DB volume {disk_db:.0f} %, backup volume {facts.disk_backups:.0f} %):"
            " prune backups (`dbguard backup prune`), clean logs, or enlarge the volume."
        )
    if facts.memory > system.memory_warning_percent:
        items.append(
            f"Memory use is {facts.memory:.0f} %: restart the application or find what holds memory."
        )
    ages = [
        run.metrics[metrics.BACKUP_AGE_HOURS]
        for run in facts.checks
        if metrics.BACKUP_AGE_HOURS in run.metrics
    ]
    if ages and ages[0] > config.backup.max_age_warning_hours:
        items.append(
            f"The latest backup was {ages[0]:.0f} hours old at the last check: check the daily "
            "backup job (logs/backup.log) and run `dbguard backup create --prune`."
        )
    if facts.counts:
        for table, count in sorted(facts.counts.items()):
            finding = facts.table_finding(table, count)
            if finding is not None and finding.severity is not Severity.OK:
                items.append(
                    f"{table}: {finding.observed}, outside {finding.expected}: audit the change"
                    f" (数据审计); if intended, run `dbguard baseline --table {table}`."
                )
    if not items:
        items.append(
            f"All {len(facts.checks)} check runs and {len(facts.healths)} health checks this week "
            "were clean; keep the schedule running and test a restore (`dbguard backup restore` "
            "to a scratch path) this month."
        )
    return items
