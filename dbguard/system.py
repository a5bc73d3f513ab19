"""The machine's health: disk use of the DB's and the backups' volumes, memory, CPU, and the
response time of an optional HTTP health URL (the plan's /tools/monitor/health/quick).

Each reading becomes a Finding classified against SystemConfig's thresholds
(the plan's table: disk 80 % / 90 %, memory 75 % / 85 %, response 2 s / 5 s).
psutil and urllib only, so the quick health path stays light.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil

from dbguard.config import SystemConfig
from dbguard.findings import Finding, Severity, classify_above
from dbguard.redact import mask_secrets


def existing_ancestor(path: Path) -> Path:
    """`path` or its nearest existing parent (a backup folder may not exist yet)."""
    path = Path(path).resolve()
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(path.anchor or "/")


@dataclass(frozen=True)
class DiskUsage:
    path: Path
    percent: float
    used_bytes: int
    total_bytes: int
    free_bytes: int


def disk_usage(path: Path) -> DiskUsage:
    where = existing_ancestor(path)
    usage = psutil.disk_usage(str(where))
    return DiskUsage(where, float(usage.percent), usage.used, usage.total, usage.free)


def disk_finding(label: str, path: Path, config: SystemConfig) -> tuple[Finding, DiskUsage]:
    usage = disk_usage(path)
    severity = classify_above(
        usage.percent, config.disk_warning_percent, config.disk_critical_percent
    )
    free_gib = usage.free_bytes / 2**30
    finding = Finding(
        check=f"disk {label}",
        severity=severity,
        expected=f"disk use of the volume holding {label} at most {config.disk_warning_percent:g} %"
        f" (critical above {config.disk_critical_percent:g} %)",
        observed=f"{usage.percent:.1f} % used, {free_gib:.1f} GiB free on the volume of {usage.path}",
        remediation=""
        if severity is Severity.OK
        else "clean up old logs and reports, prune "
        "backups (`dbguard backup prune`) or enlarge the volume",
        target="system",
    )
    return finding, usage


def memory_finding(config: SystemConfig) -> tuple[Finding, float]:
    memory = psutil.virtual_memory()
    percent = float(memory.percent)
    severity = classify_above(
        percent, config.memory_warning_percent, config.memory_critical_percent
    )
    finding = Finding(
        check="memory",
        severity=severity,
        expected=f"memory use at most {config.memory_warning_percent:g} %"
        f" (critical above {config.memory_critical_percent:g} %)",
        observed=f"{percent:.1f} % used, {memory.available / 2**30:.1f} GiB available",
        remediation=""
        if severity is Severity.OK
        else "restart the application or find what uses the memory (`ps aux --sort=-rss | head`)",
        target="system",
    )
    return finding, percent


def cpu_percent(interval: float = 0.2) -> float:
    """CPU use over a short sample; reported, never alerted on (the plan has no threshold)."""
    return float(psutil.cpu_percent(interval=interval))


class CpuWindow:
    """CPU use of the rest of the machine since this window opened, this process's own work
    left out: a check run reports the machine's load over the whole run without sleeping
    for a sample (and without counting the check itself)."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self._started = time.monotonic()
        self._busy = self._machine_busy()
        self._own = self._own_seconds()

    def percent(self) -> float:
        elapsed = time.monotonic() - self._started
        if elapsed < 0.1:  # too short to mean anything: take a short sample instead
            return cpu_percent()
        others = (self._machine_busy() - self._busy) - (self._own_seconds() - self._own)
        capacity = elapsed * (psutil.cpu_count() or 1)
        return max(0.0, min(100.0, others / capacity * 100))

    @staticmethod
    def _machine_busy() -> float:
        times = psutil.cpu_times()
        idle = times.idle + getattr(times, "iowait", 0.0)
        return float(sum(times) - idle)

    def _own_seconds(self) -> float:
        times = self._process.cpu_times()
        return float(times.user + times.system)


@dataclass(frozen=True)
class UrlProbe:
    url: str  # masked
    ok: bool  # a 2xx/3xx answer arrived
    seconds: float
    status: int | None
    error: str


def _request(url: str) -> urllib.request.Request:
    """A GET for `url`; `user:password@` in it becomes HTTP basic auth (urllib alone would
    take it for part of the host name)."""
    import base64
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return urllib.request.Request(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    plain = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    user = urllib.parse.unquote(parts.username)
    password = urllib.parse.unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return urllib.request.Request(plain, headers={"Authorization": f"Basic {token}"})


def probe_url(url: str, timeout: float) -> UrlProbe:
    """GET `url` once and time it; any failure is described, never raised."""
    started = time.perf_counter()
    status: int | None = None
    error = ""
    try:
        with urllib.request.urlopen(_request(url), timeout=timeout) as response:
            response.read(65536)
            status = int(response.status)
    except urllib.error.HTTPError as http_error:
        status = http_error.code
        error = f"HTTP {http_error.code}"
    except (urllib.error.URLError, OSError, ValueError) as failure:
        reason = getattr(failure, "reason", failure)
        error = str(reason) or type(failure).__name__
    seconds = time.perf_counter() - started
    ok = status is not None and 200 <= status < 400 and not error
    return UrlProbe(mask_secrets(url), ok, seconds, status, mask_secrets(error))


def health_url_finding(
    probe: UrlProbe, config: SystemConfig, consecutive_failures: int, failures_critical: int
) -> Finding:
    """Response time against 2 s / 5 s; a failure is a warning, `failures_critical` in a row
    (this one included) critical — as for the database connection."""
    expected = (
        f"{probe.url} answers within {config.response_warning_seconds:g} s"
        f" (critical above {config.response_critical_seconds:g} s)"
    )
    timed_out = probe.seconds > config.response_critical_seconds
    if not probe.ok and not timed_out:
        severity = (
            Severity.CRITICAL if consecutive_failures >= failures_critical else Severity.WARNING
        )
        return Finding(
            check="health url",
            severity=severity,
            expected=expected,
            observed=f"request failed ({probe.error or f'HTTP {probe.status}'}),"
            f" {consecutive_failures} failure(s) in a row",
            remediation="check that the application is running and restart it; then look at "
            "its logs",
            target="system",
        )
    severity = classify_above(
        probe.seconds, config.response_warning_seconds, config.response_critical_seconds
    )
    observed = f"answered in {probe.seconds:.2f} s" if probe.ok else "no answer"
    if timed_out:
        observed = f"{observed} (gave up after {probe.seconds:.1f} s)"
    return Finding(
        check="health url",
        severity=severity,
        expected=expected,
        observed=observed,
        remediation=""
        if severity is Severity.OK
        else "optimise slow queries or add resources (the plan: 性能优化/资源扩容)",
        target="system",
    )
