"""`[replication]`: continuous replication of the live database by Litestream.

dbguard generates Litestream's configuration from this section (see
dbguard.replication). Credentials never come from the file: S3 keys are read
by Litestream from the environment (LITESTREAM_ACCESS_KEY_ID /
LITESTREAM_SECRET_ACCESS_KEY, or the AWS_* names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from dbguard.errors import ConfigError

# Litestream's duration units, plus days (Go's durations have none; "7d" is written "168h").
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
REPLICA_SCHEMES = ("s3", "file")


@dataclass(frozen=True)
class ReplicationConfig:
    # Off by default, so an install that does not replicate is never warned about replication.
    enabled: bool = False
    # A folder (relative to dbguard.toml; default: "<[backup] dir>/replica"), or s3://bucket/path.
    replica: str = ""
    # S3-compatible stores (MinIO, moto, …): "http(s)://host:port"; empty for AWS itself.
    endpoint: str = ""
    region: str = ""
    force_path_style: bool = False
    # How often Litestream reads the WAL and ships new frames to the replica.
    sync_interval: str = "1s"
    # How long the replica keeps history for point-in-time restore (Litestream's snapshot
    # retention; a snapshot is taken every `retention` or 24 h, whichever is shorter).
    retention: str = "24h"
    lag_warning_seconds: float = 60.0
    lag_critical_seconds: float = 300.0
    # The litestream executable; empty: the one beside dbguard's Python, then $PATH.
    litestream: str = ""


def parse_duration(text: str) -> float:
    """Seconds in a duration such as "1s", "500ms", "1m30s", "24h" or "7d"; ValueError if bad."""
    compact = text.strip().lower()
    if not compact or _DURATION_PART.sub("", compact):
        raise ValueError(f"not a duration: {text!r}")
    return sum(
        float(number) * _UNIT_SECONDS[unit] for number, unit in _DURATION_PART.findall(compact)
    )


def go_duration(seconds: float) -> str:
    """A duration as Litestream (Go's time.ParseDuration) reads it: "1s", "250ms", "168h"."""
    milliseconds = round(seconds * 1000)
    if milliseconds % 1000:
        return f"{milliseconds}ms"
    whole = milliseconds // 1000
    if whole % 3600 == 0:
        return f"{whole // 3600}h"
    if whole % 60 == 0:
        return f"{whole // 60}m"
    return f"{whole}s"


def replica_scheme(replica: str) -> str:
    """ "s3", "file", or "" for a plain folder path; a ConfigError for anything else."""
    if "://" not in replica:
        return ""
    parts = urlsplit(replica)
    scheme = parts.scheme.lower()
    if scheme not in REPLICA_SCHEMES:
        raise ConfigError(
            f"replica = {replica!r} in [replication] is neither a folder nor an s3:// URL",
            'write replica = "/srv/replica" or replica = "s3://bucket/path"',
        )
    if scheme == "s3" and not parts.hostname:
        raise ConfigError(
            f"replica = {replica!r} in [replication] names no bucket",
            'write replica = "s3://bucket/path"',
        )
    if scheme == "file" and not parts.path.strip("/"):
        raise ConfigError(
            f"replica = {replica!r} in [replication] names no folder",
            'write replica = "file:///srv/replica"',
        )
    return scheme


def check_replication(section: ReplicationConfig, where: str, *, engine: str = "sqlite") -> None:
    """The section's values make sense; a ConfigError naming the key otherwise."""
    if section.enabled and engine == "postgresql":
        raise ConfigError(
            f"[replication] in {where} is for SQLite files, and [database] url is PostgreSQL",
            "use PostgreSQL's own replication or archiving; set [replication] enabled = false",
        )
    if section.enabled and engine == "spark":
        raise ConfigError(
            f"[replication] in {where} is for SQLite files, and [database.spark] is Spark",
            "replicate the lake with its own storage's tools; set [replication] enabled = false",
        )
    replica_scheme(section.replica)
    for key in ("sync_interval", "retention"):
        value = getattr(section, key)
        try:
            seconds = parse_duration(value)
        except ValueError:
            seconds = 0.0
        if seconds <= 0:
            raise ConfigError(
                f"{key} = {value!r} in {where} [replication] is not a positive duration",
                f'write {key} = "1s" (units: ms, s, m, h, d)',
            )
    if section.endpoint and not section.endpoint.lower().startswith(("http://", "https://")):
        raise ConfigError(
            f"endpoint in {where} [replication] is not an http(s) URL",
            'write endpoint = "https://host:port", or leave it out for AWS S3',
        )
