"""The plan's weekly report (周报) as Markdown: status, records, tables, CPU, memory, disk,
per-table counts with status, and advice derived from what the run history shows
actually happened that week — not a fixed "all is well"."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from dbguard import metrics
from dbguard.catalog import live_source
from dbguard.config import Config
from dbguard.findings import Severity
from dbguard.history import StoredRun
from dbguard.incident.weekly import incident_lines
from dbguard.lost_database import lost_reason
from dbguard.redact import mask_secrets
from dbguard.report.weekly_advice import advice, problem_counts
from dbguard.report.weekly_facts import WeekFacts, gather

log = logging.getLogger(__name__)

ICONS = {"ok": "✅ ok", "info": "✅ ok", "warning": "⚠️ warning", "critical": "❌ critical"}


def _worst(runs: list[StoredRun]) -> str:
    return Severity.worst([Severity(run.status) for run in runs]).value if runs else "unknown"


def _status_word(facts: WeekFacts) -> str:
    if facts.counts is None:
        return f"CRITICAL (database unreadable: {facts.read_error})"
    latest = facts.checks[0].status if facts.checks else "unknown"
    return {"ok": "OK", "info": "OK", "warning": "WARNING", "critical": "CRITICAL"}.get(
        latest, "UNKNOWN (no check ran this week)"
    )


def _table_status(facts: WeekFacts, table: str, count: int) -> str:
    severity = facts.table_severity(table, count)
    return ICONS[severity.value] if severity is not None else "– no baseline"


def _week_change(facts: WeekFacts, table: str, count: int) -> str:
    key = metrics.row_metric(table)
    first = next((run.metrics[key] for run in reversed(facts.checks) if key in run.metrics), None)
    if first is None or first == 0:
        return "–"
    return f"{(count - first) / first * 100:+.1f} %"


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
        f"- CPU: {facts.cpu:.1f} % ({facts.cpu_source})",
        f"- Memory: {facts.memory:.1f} %",
        f"- Disk: {_disk_db(facts, config)}, {facts.disk_backups:.1f} % (backup volume)",
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
    problems = problem_counts(facts.checks + facts.healths)
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
    from dbguard.alerts.weekly import alert_lines, alerts_sent

    lines += alert_lines(alerts_sent(config.reports.history, facts.start, facts.end))
    lines += incident_lines(facts.incidents, facts.end)
    lines += ["", "## Advice (建议)", ""]
    lines += [f"- {item}" for item in advice(facts, config)]
    lines += [
        "",
        "---",
        f"Generated {facts.end.isoformat(timespec='seconds')} by `dbguard report --weekly`.",
        "",
    ]
    return mask_secrets("\n".join(lines), config.secrets())


def _disk_db(facts: WeekFacts, config: Config) -> str:
    if facts.disk_db is None:
        if config.database.is_spark:
            return "the tables' volumes are the lake's storage"
        return "the database's volume is the PostgreSQL server's"
    return f"{facts.disk_db:.1f} % (DB volume)"


def write_weekly_report(
    config: Config, now: datetime | None = None, *, reports_dir: Path | None = None
) -> Path:
    """Write `weekly_report_YYYYMMDD.md` (UTC date, as the plan names it) into `reports_dir`
    (default `[reports] dir`); return its path. A database that does not exist (a typo in
    --db) or a PostgreSQL login refused is bad input, not a critical week; a server that
    does not answer, or the database dbguard.toml names being gone, is said in the report."""
    if not lost_reason(config):
        live_source(config).require(sqlite_header=False)
    facts = gather(config, now)
    folder = Path(config.reports.dir) if reports_dir is None else reports_dir
    path = folder / f"weekly_report_{facts.end:%Y%m%d}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(render(facts, config), encoding="utf-8")
    temporary.replace(path)
    log.info("weekly report written to %s", path)
    return path
