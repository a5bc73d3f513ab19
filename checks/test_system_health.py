"""The machine: disk use of the DB's and the backups' volumes, memory, CPU, the health URL.
Read with `dbguard.system`, decided by `dbguard.rules.system`."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from dbguard import metrics
from dbguard.config import Config
from dbguard.findings import Finding
from dbguard.quality.targets import NOT_ON_POSTGRES
from dbguard.report import session as run
from dbguard.rules import system as rules
from dbguard.system import CpuWindow, disk_usage, memory_usage, probe_url

Record = Callable[[Finding], None]
Metric = Callable[[str, float], None]


@pytest.mark.parametrize(
    "volume",
    [
        pytest.param(
            "db",
            marks=pytest.mark.engine(
                "sqlite",
                skip=f"{NOT_ON_POSTGRES}: the database's volume is the server's (watch it there)",
            ),
        ),
        "backups",
    ],
)
def test_disk_use_below_thresholds(
    volume: str, live_db: Path, config: Config, record_finding: Record, record_metric: Metric
) -> None:
    usage = disk_usage(live_db if volume == "db" else config.backup.dir)
    record_metric(metrics.disk_metric(volume), usage.percent)
    record_finding(
        rules.disk_finding(volume, usage.percent, usage.free_bytes, str(usage.path), config.system)
    )


def test_memory_use_below_thresholds(
    config: Config, record_finding: Record, record_metric: Metric
) -> None:
    memory = memory_usage()
    record_metric(metrics.MEMORY_PERCENT, memory.percent)
    record_finding(rules.memory_finding(memory.percent, memory.available_bytes, config.system))


def test_cpu_use_is_reported(
    cpu_window: CpuWindow, record_finding: Record, record_metric: Metric
) -> None:
    percent = cpu_window.percent()
    record_metric(metrics.CPU_PERCENT, percent)
    record_finding(rules.cpu_finding(percent))


def test_health_url_answers_quickly(
    config: Config, pytestconfig: pytest.Config, record_finding: Record, record_metric: Metric
) -> None:
    system = config.system
    if not system.health_url:
        pytest.skip("no [system] health_url configured")
    probe = probe_url(system.health_url, timeout=system.response_critical_seconds + 0.5)
    history = run.history_of(run.run_state(pytestconfig))
    try:
        failures_before = history.consecutive_failures(rules.HEALTH_URL_CHECK) if history else 0
    except sqlite3.Error:  # test_run_history_is_readable reports the history's state
        failures_before = 0
    record_metric(metrics.HEALTH_URL_SECONDS, probe.seconds)
    error = "" if probe.ok else (probe.error or f"HTTP {probe.status}")
    record_finding(
        rules.health_url_finding(
            probe.url,
            probe.seconds,
            error,
            failures_before,
            system,
            config.database.connection_failures_critical,
        )
    )
