"""The machine: disk use of the DB's and the backups' volumes, memory, CPU, and the response
time of the application's health URL — the plan's table: disk 80 % / 90 %, memory 75 % / 85 %,
response 2 s / 5 s, and (as for the database connection) 1 failure a warning, N in a row
critical."""

from __future__ import annotations

from dbguard.config import SystemConfig
from dbguard.findings import Finding, Severity
from dbguard.rules.gauge import Gauge
from dbguard.system import LOOP_STATUS

GIB = 2**30
HEALTH_URL_CHECK = "health url"


def health_url_loop_note(url: str, answered: int | None) -> str:
    """A note when `url` (masked) is a dbguard monitor, which must not be probed (it would run
    health, which probes the URL again): it `answered` LOOP_STATUS to the probe; else ""."""
    if answered != LOOP_STATUS:
        return ""
    return (
        f"health_url {url} skipped: it is dbguard's own monitor (it answered 508 Loop Detected),"
        " which would call itself;"
        " set [system] health_url to the application's own health route"
    )


def disk_finding(
    label: str, percent: float, free_bytes: int, volume: str, config: SystemConfig
) -> Finding:
    gauge = Gauge(
        f"disk {label}",
        f"disk use of the volume holding {label}",
        " %",
        config.disk_warning_percent,
        config.disk_critical_percent,
        "clean up old logs and reports, prune backups (`dbguard backup prune`) or enlarge "
        "the volume (the plan: 清理日志/扩容)",
        target="system",
    )
    return gauge.finding(
        percent, f"{percent:.1f} % used, {free_bytes / GIB:.1f} GiB free on the volume of {volume}"
    )


def memory_finding(percent: float, available_bytes: int, config: SystemConfig) -> Finding:
    gauge = Gauge(
        "memory",
        "memory use",
        " %",
        config.memory_warning_percent,
        config.memory_critical_percent,
        "restart the application or find what uses the memory (`ps aux --sort=-rss | head`)",
        target="system",
    )
    return gauge.finding(
        percent, f"{percent:.1f} % used, {available_bytes / GIB:.1f} GiB available"
    )


def cpu_finding(percent: float) -> Finding:
    """Reported, never alerted on: the plan sets no CPU threshold."""
    return Finding(
        "cpu",
        Severity.INFO,
        "reported only",
        f"{percent:.1f} % busy during this run (the check's own work left out)",
        target="system",
    )


def health_url_finding(
    url: str,
    seconds: float,
    error: str,
    failures_before: int,
    config: SystemConfig,
    failures_critical: int,
) -> Finding:
    """`url` (masked) answered in `seconds`, or failed with `error`. A failure is a warning,
    `failures_critical` in a row (this one included) critical; an answer slower than the
    critical limit counts as too slow, not as a failure."""
    gauge = Gauge(
        HEALTH_URL_CHECK,
        f"{url}'s response time",
        " s",
        config.response_warning_seconds,
        config.response_critical_seconds,
        "optimise slow queries or add resources (the plan: 性能优化/资源扩容)",
        target="system",
    )
    timed_out = seconds > config.response_critical_seconds
    if error and not timed_out:
        in_a_row = failures_before + 1
        return Finding(
            check=HEALTH_URL_CHECK,
            severity=Severity.CRITICAL if in_a_row >= failures_critical else Severity.WARNING,
            expected=gauge.expected,
            observed=f"request failed ({error}), {in_a_row} failure(s) in a row",
            remediation="check that the application is running and restart it; then look at "
            "its logs",
            target="system",
        )
    observed = f"answered in {seconds:.2f} s" if not error else "no answer"
    if timed_out:
        observed = f"{observed} (gave up after {seconds:.1f} s)"
    return gauge.finding(seconds, observed)
