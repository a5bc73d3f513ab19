"""The machine's part of `dbguard health`: disk, memory and the health URL, read with
`dbguard.system`, decided by `dbguard.rules.system`, with Nagios perfdata."""

from __future__ import annotations

from dbguard import metrics
from dbguard.config import Config
from dbguard.health.nagios import PerfValue
from dbguard.health.report import HealthReport
from dbguard.history import History
from dbguard.rules.system import (
    HEALTH_URL_CHECK,
    disk_finding,
    health_url_finding,
    health_url_loop_note,
    memory_finding,
)
from dbguard.system import disk_usage, memory_usage, probe_url


def add_machine(
    report: HealthReport, config: Config, history: History | None, *, local_database: bool = True
) -> None:
    """`local_database`: the database is a file here (SQLite), so its volume is watched too."""
    system = config.system
    volumes = [("db", config.database.path)] if local_database else []
    volumes.append(("backups", config.backup.dir))
    for label, where in volumes:
        usage = disk_usage(where)
        report.findings.append(
            disk_finding(label, usage.percent, usage.free_bytes, str(usage.path), system)
        )
        report.metrics[metrics.disk_metric(label)] = usage.percent
        report.perfdata.append(
            _percent(
                f"disk_{label}",
                usage.percent,
                system.disk_warning_percent,
                system.disk_critical_percent,
            )
        )
        if label == volumes[0][0]:
            report.facts.append(f"disk {usage.percent:.0f} %")
    memory = memory_usage()
    report.findings.append(memory_finding(memory.percent, memory.available_bytes, system))
    report.metrics[metrics.MEMORY_PERCENT] = memory.percent
    report.facts.append(f"memory {memory.percent:.0f} %")
    report.perfdata.append(
        _percent(
            "memory", memory.percent, system.memory_warning_percent, system.memory_critical_percent
        )
    )
    if system.health_url:
        probe = probe_url(system.health_url, timeout=system.response_critical_seconds + 0.5)
        if loop := health_url_loop_note(probe.url, probe.status):
            report.notes.append(loop)
            return
        failures_before = history.consecutive_failures(HEALTH_URL_CHECK) if history else 0
        report.findings.append(
            health_url_finding(
                probe.url,
                probe.seconds,
                "" if probe.ok else (probe.error or f"HTTP {probe.status}"),
                failures_before,
                system,
                config.database.connection_failures_critical,
            )
        )
        report.metrics[metrics.HEALTH_URL_SECONDS] = probe.seconds
        report.perfdata.append(
            PerfValue(
                "response",
                round(probe.seconds, 3),
                "s",
                f"{system.response_warning_seconds:g}",
                f"{system.response_critical_seconds:g}",
                "0",
            )
        )


def _percent(label: str, value: float, warning: float, critical: float) -> PerfValue:
    return PerfValue(label, round(value, 1), "%", f"{warning:g}", f"{critical:g}", "0", "100")
