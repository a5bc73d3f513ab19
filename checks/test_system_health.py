"""The machine: disk use of the DB's and the backups' volumes, memory, CPU, the health URL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dbguard.config import Config
from dbguard.findings import Finding, Severity
from dbguard.report import session as run
from dbguard.system import CpuWindow, disk_finding, health_url_finding, memory_finding, probe_url

Record = Callable[[Finding], None]
Metric = Callable[[str, float], None]


@pytest.mark.parametrize("volume", ["db", "backups"])
def test_disk_use_below_thresholds(
    volume: str, live_db: Path, config: Config, record_finding: Record, record_metric: Metric
) -> None:
    where = live_db if volume == "db" else config.backup.dir
    finding, usage = disk_finding(volume, where, config.system)
    record_metric(f"disk_percent.{volume}", usage.percent)
    record_finding(finding)


def test_memory_use_below_thresholds(
    config: Config, record_finding: Record, record_metric: Metric
) -> None:
    finding, percent = memory_finding(config.system)
    record_metric("memory_percent", percent)
    record_finding(finding)


def test_cpu_use_is_reported(
    cpu_window: CpuWindow, record_finding: Record, record_metric: Metric
) -> None:
    percent = cpu_window.percent()
    record_metric("cpu_percent", percent)
    record_finding(
        Finding(
            "cpu",
            Severity.INFO,
            "reported only",
            f"{percent:.1f} % busy during this run (the check's own work left out)",
            target="system",
        )
    )


def test_health_url_answers_quickly(
    config: Config, pytestconfig: pytest.Config, record_finding: Record, record_metric: Metric
) -> None:
    system = config.system
    if not system.health_url:
        pytest.skip("no [system] health_url configured")
    probe = probe_url(system.health_url, timeout=system.response_critical_seconds + 0.5)
    history = run.history_of(run.run_state(pytestconfig))
    failures = 0 if probe.ok else (history.consecutive_failures("health url") if history else 0) + 1
    record_metric("health_url_seconds", probe.seconds)
    record_finding(
        health_url_finding(probe, system, failures, config.database.connection_failures_critical)
    )
