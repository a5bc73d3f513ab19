"""One typed configuration, read once from dbguard.toml and passed down.

Lookup order: `--config PATH`, then $DBGUARD_CONFIG, then ./dbguard.toml; with
none of them, the defaults below apply relative to the current folder. Paths
in the file are relative to the file. Command-line options override the file
through `Config.with_overrides`.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from dbguard.errors import ConfigError

CONFIG_FILE_NAME = "dbguard.toml"
CONFIG_ENV_VAR = "DBGUARD_CONFIG"


@dataclass(frozen=True)
class DatabaseConfig:
    path: Path = Path("db.sqlite3")
    # A query whose latency is measured by the health checks.
    latency_query: str = "SELECT COUNT(*) FROM sqlite_master"
    latency_warning_ms: float = 500.0
    latency_critical_ms: float = 2000.0
    wal_warning_mb: float = 64.0
    wal_critical_mb: float = 256.0
    size_warning_mb: float = 2048.0
    size_critical_mb: float = 8192.0
    # Integrity checks switch from integrity_check to quick_check above this size.
    quick_check_above_mb: float = 512.0
    connection_failures_critical: int = 3
    # How long opening the live DB waits for a lock before it counts as a connection failure.
    connect_timeout_seconds: float = 5.0


@dataclass(frozen=True)
class RetentionConfig:
    """restic's keep rules; 0 turns a rule off. keep_within counts back from the newest backup."""

    keep_last: int = 3
    keep_daily: int = 7
    keep_weekly: int = 4
    keep_monthly: int = 6
    keep_within: str = "30d"
    min_verified: int = 3


@dataclass(frozen=True)
class BackupConfig:
    dir: Path = Path("backups")
    max_age_warning_hours: float = 26.0
    max_age_critical_hours: float = 50.0
    retention: RetentionConfig = field(default_factory=RetentionConfig)


@dataclass(frozen=True)
class ArchiveConfig:
    """The plan's Sunday full project backup: `source` tarred into `dir`."""

    source: Path = Path(".")
    dir: Path = Path("backups/archives")
    exclude: tuple[str, ...] = (".venv", "__pycache__", ".git")


@dataclass(frozen=True)
class ChecksConfig:
    expectations_dir: Path = Path("expectations")
    warning_percent: float = 10.0
    critical_percent: float = 25.0
    # Tables with fewer baseline rows than this get an absolute guard instead of percentages.
    small_table_rows: int = 100
    small_table_warning_rows: int = 2
    small_table_critical_rows: int = 5
    restore_drill: bool = True


@dataclass(frozen=True)
class SystemConfig:
    disk_warning_percent: float = 80.0
    disk_critical_percent: float = 90.0
    memory_warning_percent: float = 75.0
    memory_critical_percent: float = 85.0
    health_url: str = ""
    response_warning_seconds: float = 2.0
    response_critical_seconds: float = 5.0


@dataclass(frozen=True)
class ReportsConfig:
    dir: Path = Path("reports")
    history: Path = Path("reports/history.sqlite3")
    trend_runs: int = 30
    logs_dir: Path = Path("logs")
    webhook_url: str = ""


@dataclass(frozen=True)
class Config:
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    backup: BackupConfig = field(default_factory=BackupConfig)
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    checks: ChecksConfig = field(default_factory=ChecksConfig)
    system: SystemConfig = field(default_factory=SystemConfig)
    reports: ReportsConfig = field(default_factory=ReportsConfig)
    # The file this configuration came from, or None for the defaults.
    source: Path | None = None

    def with_overrides(self, **dotted: Any) -> Config:
        """Return a copy with `section__key=value` overrides applied; None values are skipped."""
        config = self
        for name, value in dotted.items():
            if value is None:
                continue
            section_name, key = name.split("__", 1)
            section = getattr(config, section_name)
            if isinstance(value, str) and isinstance(getattr(section, key), Path):
                value = Path(value).expanduser().resolve()
            config = dataclasses.replace(
                config, **{section_name: dataclasses.replace(section, **{key: value})}
            )
        return config


def find_config_file(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The configuration file to read, or None to use the defaults."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(
                f"configuration file {path} does not exist",
                "pass --config with the path of an existing dbguard.toml",
            )
        return path.resolve()
    from_env = os.environ.get(CONFIG_ENV_VAR)
    if from_env:
        path = Path(from_env).expanduser()
        if not path.is_file():
            raise ConfigError(
                f"{CONFIG_ENV_VAR}={from_env} does not name an existing file",
                f"unset {CONFIG_ENV_VAR} or point it at a dbguard.toml",
            )
        return path.resolve()
    local = Path.cwd() / CONFIG_FILE_NAME
    return local.resolve() if local.is_file() else None


def load_config(explicit: str | os.PathLike[str] | None = None) -> Config:
    """Read the configuration (see the module docstring for where from)."""
    path = find_config_file(explicit)
    if path is None:
        return _build(Config, {}, Path.cwd(), "defaults")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"{path} is not valid TOML: {error}", "fix the syntax of the file"
        ) from None
    except OSError as error:
        raise ConfigError(
            f"cannot read {path}: {error.strerror}", "check its permissions"
        ) from None
    config = _build(Config, data, path.parent, str(path))
    _check_consistency(config, str(path))
    return dataclasses.replace(config, source=path)


# (section, warning key, critical key): a warning threshold beyond its critical one is a typo.
THRESHOLD_PAIRS = [
    ("database", "latency_warning_ms", "latency_critical_ms"),
    ("database", "wal_warning_mb", "wal_critical_mb"),
    ("database", "size_warning_mb", "size_critical_mb"),
    ("backup", "max_age_warning_hours", "max_age_critical_hours"),
    ("checks", "warning_percent", "critical_percent"),
    ("checks", "small_table_warning_rows", "small_table_critical_rows"),
    ("system", "disk_warning_percent", "disk_critical_percent"),
    ("system", "memory_warning_percent", "memory_critical_percent"),
    ("system", "response_warning_seconds", "response_critical_seconds"),
]


def _check_consistency(config: Config, where: str) -> None:
    for section_name, warning_key, critical_key in THRESHOLD_PAIRS:
        section = getattr(config, section_name)
        warning, critical = getattr(section, warning_key), getattr(section, critical_key)
        if warning > critical:
            raise ConfigError(
                f"{warning_key} = {warning:g} in {where} [{section_name}] is above"
                f" {critical_key} = {critical:g}",
                "a warning threshold must not be beyond its critical one",
            )
    for section_name, key in (("system", "health_url"), ("reports", "webhook_url")):
        url = getattr(getattr(config, section_name), key)
        if url and not url.lower().startswith(("http://", "https://")):
            raise ConfigError(
                f"{key} in {where} [{section_name}] is not an http(s) URL",
                f'write {key} = "https://host/path", or leave it out',
            )


def _build(cls: type, data: dict[str, Any], base: Path, where: str) -> Any:
    """Build dataclass `cls` from a TOML table, resolving paths against `base`."""
    known = {f.name: f for f in fields(cls) if not (cls is Config and f.name == "source")}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(
            f"unknown key {unknown[0]!r} in {where}",
            f"valid keys here are: {', '.join(sorted(known))}",
        )
    values: dict[str, Any] = {}
    for name, spec in known.items():
        default = _default_of(spec)
        if dataclasses.is_dataclass(default):
            table = data.get(name, {})
            if not isinstance(table, dict):
                raise ConfigError(f"[{name}] in {where} must be a table", f"write it as [{name}]")
            values[name] = _build(type(default), table, base, f"{where} [{name}]")
            continue
        raw = data.get(name, default)
        values[name] = _coerce(raw, default, name, where, base)
    return cls(**values)


def _default_of(spec: dataclasses.Field[Any]) -> Any:
    if spec.default_factory is not dataclasses.MISSING:
        return spec.default_factory()
    return spec.default


def _coerce(raw: Any, default: Any, name: str, where: str, base: Path) -> Any:
    if isinstance(default, Path):
        if not isinstance(raw, str | Path):
            raise ConfigError(f"{name} in {where} must be a path string", f'write {name} = "…"')
        return (base / Path(raw).expanduser()).resolve()
    if isinstance(default, bool):
        if not isinstance(raw, bool):
            raise ConfigError(f"{name} in {where} must be true or false", f"write {name} = true")
        return raw
    if isinstance(default, int | float):
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ConfigError(f"{name} in {where} must be a number", f"write {name} = {default}")
        if raw < 0:
            raise ConfigError(
                f"{name} in {where} must not be negative", f"write {name} = {default}"
            )
        return type(default)(raw)
    if isinstance(default, tuple):
        if not isinstance(raw, list | tuple) or not all(isinstance(item, str) for item in raw):
            raise ConfigError(
                f"{name} in {where} must be a list of strings", f'write {name} = ["…"]'
            )
        return tuple(raw)
    if not isinstance(raw, str):
        raise ConfigError(f"{name} in {where} must be a string", f'write {name} = "…"')
    return raw
