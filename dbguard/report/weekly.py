"""The plan's weekly report (周报) as Markdown: status, records, tables, CPU, memory, disk,
per-table counts with status, and advice derived from what the run history shows
actually happened that week — not a fixed "all is well"."""

from __future__ import annotations

import logging
import sqlite3
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from dbguard.config import Config
from dbguard.database import connect_read_only, row_counts
from dbguard.errors import DbguardError
from dbguard.findings import Severity
from dbguard.health.rows import Band, band_around, suite_bands
from dbguard.history import StoredRun, open_history, utc_now
from dbguard.redact import mask_secrets
from dbguard.system import cpu_percent, disk_usage

log = logging.getLogger(__name__)

ICONS = {"ok": "✅ ok", "info": "✅ ok", "warning": "⚠️ warning", "critical": "❌ critical"}


@dataclass
class WeekFacts:
    start: datetime
    end: datetime
    database: str
    counts: dict[str, int] | None  # None: the database could not be read
    read_error: str
    cpu: float
    memory: float
    disk_db: float
    disk_backups: float
    checks: list[StoredRun] = field(default_factory=list)  # newest first
    healths: list[StoredRun] = field(default_factory=list)
    bands: dict[str, Band] = field(default_factory=dict)


def gather(config: Config, now: datetime | None = None) -> WeekFacts:
    import psutil

    end = now or utc_now()
    start = end - timedelta(days=7)
    database = str(config.database.path)
    counts: dict[str, int] | None = None
    read_error = ""
    try:
        with closing(connect_read_only(config.database.path)) as connection:
            counts = row_counts(connection, ignore=config.checks.ignore_tables)
    except (DbguardError, sqlite3.Error) as error:
        read_error = error.message if isinstance(error, DbguardError) else str(error)
    history = open_history(config.reports.history)
    # Runs are stored to the second: include one that started in the report's own second.
    through = end + timedelta(seconds=1)
    checks = history.recent_runs(
        kind="check", since=start, until=through, limit=10_000, database=database
    )
    healths = history.recent_runs(
        kind="health", since=start, until=through, limit=10_000, database=database
    )
    bands = suite_bands(config.checks.expectations_dir)
    if counts:
        previous = history.recent_runs(kind="check", until=start, limit=1, database=database)
        reference = checks[-1] if checks else (previous[0] if previous else None)
        for table in counts:
            key = f"rows.{table}.live"
            if table not in bands and reference is not None and key in reference.metrics:
                bands[table] = band_around(int(reference.metrics[key]), config.checks)
    return WeekFacts(
        start=start,
        end=end,
        database=mask_secrets(database, [config.reports.webhook_url]),
        counts=counts,
        read_error=read_error,
        cpu=cpu_percent(),
        memory=float(psutil.virtual_memory().percent),
        disk_db=disk_usage(config.database.path).percent,
        disk_backups=disk_usage(config.backup.dir).percent,
        checks=checks,
        healths=healths,
        bands=bands,
    )


def _worst(runs: list[StoredRun]) -> str:
    return Severity.worst([Severity(run.status) for run in runs]).value if runs else "unknown"


def _status_word(facts: WeekFacts) -> str:
    if facts.counts is None:
        return "CRITICAL (database unreadable)"
    latest = facts.checks[0].status if facts.checks else "unknown"
    return {"ok": "OK", "info": "OK", "warning": "WARNING", "critical": "CRITICAL"}.get(
        latest, "UNKNOWN (no check ran this week)"
    )


def _table_status(facts: WeekFacts, table: str, count: int) -> str:
    band = facts.bands.get(table)
    return ICONS[band.classify(count).value] if band else "– no baseline"


def _week_change(facts: WeekFacts, table: str, count: int) -> str:
    key = f"rows.{table}.live"
    first = next((run.metrics[key] for run in reversed(facts.checks) if key in run.metrics), None)
    if first is None or first == 0:
        return "–"
    return f"{(count - first) / first * 100:+.1f} %"


def _problem_counts(runs: list[StoredRun]) -> dict[str, Counter[str]]:
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
    problems = _problem_counts(facts.checks + facts.healths)
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
        for name, counter in _problem_counts(troubled).items()
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
    if (
        facts.disk_db > system.disk_warning_percent
        or facts.disk_backups > system.disk_warning_percent
    ):
        items.append(
            f"Disk use is high (DB volume {facts.disk_db:.0f} %, backup volume {facts.disk_backups:.0f} %):"
            " prune backups (`dbguard backup prune`), clean logs, or enlarge the volume."
        )
    if facts.memory > system.memory_warning_percent:
        items.append(
            f"Memory use is {facts.memory:.0f} %: restart the application or find what holds memory."
        )
    ages = [
        run.metrics["backup_age_hours"] for run in facts.checks if "backup_age_hours" in run.metrics
    ]
    if ages and ages[0] > config.backup.max_age_warning_hours:
        items.append(
            f"The latest backup was {ages[0]:.0f} hours old at the last check: check the daily "
            "backup job (logs/backup.log) and run `dbguard backup create --prune`."
        )
    if facts.counts:
        for table, count in sorted(facts.counts.items()):
            band = facts.bands.get(table)
            if band is not None and band.classify(count) is not Severity.OK:
                items.append(
                    f"{table} has {count:,} rows against a reference of {band.reference:,}: audit "
                    "the change (数据审计); if intended, run `dbguard baseline --table "
                    + table
                    + "`."
                )
    if not items:
        items.append(
            f"All {len(facts.checks)} check runs and {len(facts.healths)} health checks this week "
            "were clean; keep the schedule running and test a restore (`dbguard backup restore` "
            "to a scratch path) this month."
        )
    return items


def render(facts: WeekFacts, config: Config) -> str:
    local_end = facts.end.astimezone()
    counts = facts.counts or {}
    lines = [
        f"# dbguard weekly report – {local_end:%Y-%m-%d}",
        "",
        f"Week {facts.start.astimezone():%Y-%m-%d %H:%M} → {local_end:%Y-%m-%d %H:%M %Z}, "
        f"database `{facts.database}`.",
        "",
        "## Status overview (系统状态概览)",
        "",
        f"- Database status: **{_status_word(facts)}**",
        f"- Total records: {sum(counts.values()):,}"
        if facts.counts is not None
        else "- Total records: unknown",
        f"- Tables: {len(counts)}" if facts.counts is not None else "- Tables: unknown",
        f"- Check runs this week: {len(facts.checks)} (worst: {_worst(facts.checks)}); "
        f"health checks: {len(facts.healths)} (worst: {_worst(facts.healths)})",
        "",
        "## Performance (性能指标)",
        "",
        f"- CPU: {facts.cpu:.1f} %",
        f"- Memory: {facts.memory:.1f} %",
        f"- Disk: {facts.disk_db:.1f} % (DB volume), {facts.disk_backups:.1f} % (backup volume)",
        "",
        "## Data integrity (数据完整性)",
        "",
        "| Table | Rows | Change this week | Status |",
        "|---|---:|---:|---|",
    ]
    for table, count in sorted(counts.items()):
        lines.append(
            f"| {table} | {count:,} | {_week_change(facts, table, count)} | {_table_status(facts, table, count)} |"
        )
    problems = _problem_counts(facts.checks + facts.healths)
    if problems:
        lines += [
            "",
            "## Findings this week",
            "",
            "| Check | Warnings | Criticals |",
            "|---|---:|---:|",
        ]
        for name, counter in sorted(
            problems.items(), key=lambda item: (-item[1]["critical"], item[0])
        ):
            lines.append(f"| {name} | {counter['warning']} | {counter['critical']} |")
    lines += ["", "## Advice (建议)", ""]
    lines += [f"- {item}" for item in advice(facts, config)]
    lines += [
        "",
        "---",
        f"Generated {facts.end.isoformat(timespec='seconds')} by `dbguard report --weekly`.",
        "",
    ]
    return mask_secrets("\n".join(lines), [config.reports.webhook_url, config.system.health_url])


def write_weekly_report(config: Config, now: datetime | None = None) -> Path:
    """Write `reports/weekly_report_YYYYMMDD.md` (UTC date, as the plan names it); return its path."""
    facts = gather(config, now)
    path = Path(config.reports.dir) / f"weekly_report_{facts.end:%Y%m%d}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(render(facts, config), encoding="utf-8")
    temporary.replace(path)
    log.info("weekly report written to %s", path)
    return path
