"""Readings of the machine: disk use of the DB's and the backups' volumes, memory, CPU, and
the response time of an optional HTTP health URL (the plan's /tools/monitor/health/quick).

Only measurements: what they mean is decided in `dbguard.rules.system`. psutil and
urllib only, so the quick health path stays light. Both are imported where they are used:
disk and memory, which `health --quick` reads every five minutes, come from `os.statvfs` and
Linux's /proc/meminfo with psutil's own formulas (psutil elsewhere, and for the kernel's
odd cases), which saves importing psutil, an eighth of that command's start-up.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dbguard.redact import mask_secrets

if TYPE_CHECKING:
    import urllib.request


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
    """Use of the volume holding `path`, as `df` and psutil.disk_usage count it: the share of
    the space an ordinary user can have (root's reserve left out)."""
    where = existing_ancestor(path)
    volume = os.statvfs(where)
    total = volume.f_blocks * volume.f_frsize
    used = total - volume.f_bfree * volume.f_frsize
    free = volume.f_bavail * volume.f_frsize
    return DiskUsage(where, _percent(used, used + free), used, total, free)


def _percent(part: float, whole: float) -> float:
    return round(part / whole * 100, 1) if whole else 0.0


@dataclass(frozen=True)
class MemoryUsage:
    percent: float
    available_bytes: int


MEMINFO = Path("/proc/meminfo")


def memory_usage() -> MemoryUsage:
    """Memory in use as psutil.virtual_memory counts it: (total - available) / total."""
    fields = _meminfo()
    total, available = fields.get("MemTotal"), fields.get("MemAvailable")
    if total and available and available <= total:
        return MemoryUsage(_percent(total - available, total), available)
    import psutil  # not Linux, or a kernel whose numbers psutil knows how to mend

    memory = psutil.virtual_memory()
    return MemoryUsage(float(memory.percent), int(memory.available))


def _meminfo() -> dict[str, int]:
    """/proc/meminfo in bytes ({} where there is none)."""
    try:
        lines = MEMINFO.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    fields = {}
    for line in lines:
        name, _, value = line.partition(":")
        number = value.split()[:1]
        if number and number[0].isdigit():
            fields[name] = int(number[0]) * 1024
    return fields


def cpu_percent(interval: float = 0.2) -> float:
    """CPU use over a short sample; reported, never alerted on (the plan has no threshold)."""
    import psutil

    return float(psutil.cpu_percent(interval=interval))


class CpuWindow:
    """CPU use of the rest of the machine since this window opened, this process's own work
    left out: a check run reports the machine's load over the whole run without sleeping
    for a sample (and without counting the check itself)."""

    def __init__(self) -> None:
        import psutil

        self._process = psutil.Process()
        self._started = time.monotonic()
        self._busy = self._machine_busy()
        self._own = self._own_seconds()

    def percent(self) -> float:
        elapsed = time.monotonic() - self._started
        if elapsed < 0.1:  # too short to mean anything: take a short sample instead
            return cpu_percent()
        import psutil

        others = (self._machine_busy() - self._busy) - (self._own_seconds() - self._own)
        capacity = elapsed * (psutil.cpu_count() or 1)
        return max(0.0, min(100.0, others / capacity * 100))

    @staticmethod
    def _machine_busy() -> float:
        import psutil

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


# Sent with every health_url probe. dbguard's own monitor answers a request carrying it with
# LOOP_STATUS instead of running health (which would probe the URL again: a loop).
PROBE_HEADER = "X-Dbguard-Probe"
LOOP_STATUS = 508  # HTTP's "Loop Detected"


def _request(url: str) -> urllib.request.Request:
    """A GET for `url`; `user:password@` in it becomes HTTP basic auth (urllib alone would
    take it for part of the host name)."""
    import base64
    import urllib.parse
    import urllib.request

    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return urllib.request.Request(url, headers={PROBE_HEADER: "health_url"})
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    plain = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    user = urllib.parse.unquote(parts.username)
    password = urllib.parse.unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return urllib.request.Request(
        plain, headers={"Authorization": f"Basic {token}", PROBE_HEADER: "health_url"}
    )


def probe_url(url: str, timeout: float) -> UrlProbe:
    """GET `url` once and time it; any failure is described, never raised."""
    # Imported here: urllib.request (with http.client and email) is a third of what
    # `health --quick` would import, and most setups configure no health URL.
    import urllib.error
    import urllib.request

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
