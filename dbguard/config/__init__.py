"""One typed configuration, read once from dbguard.toml and passed down.

Lookup order: `--config PATH`, then $DBGUARD_CONFIG, then ./dbguard.toml; with
none of them, the defaults apply relative to the current folder. Paths in the
file are relative to the file. Command-line options override the file through
`Config.with_overrides`. Each section is a dataclass in `dbguard.config.sections`, or in
a module of its own for the big ones (`alerts`, `serve`).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbguard.config import alerts as alerts_section
from dbguard.config import serve as serve_section
from dbguard.config.alerts import AlertsConfig
from dbguard.config.analysts import AnalystsConfig
from dbguard.config.database_url import database_url, is_url
from dbguard.config.parse import build, check_consistency
from dbguard.config.postgres import PostgresConfig
from dbguard.config.replication import ReplicationConfig
from dbguard.config.sections import (
    ArchiveConfig,
    BackupConfig,
    ChecksConfig,
    DatabaseConfig,
    ReportsConfig,
    RetentionConfig,
    SystemConfig,
)
from dbguard.config.serve import ServeConfig
from dbguard.config.watch import WatchConfig
from dbguard.errors import ConfigError

__all__ = [
    "CONFIG_ENV_VAR",
    "CONFIG_FILE_NAME",
    "AlertsConfig",
    "AnalystsConfig",
    "ArchiveConfig",
    "BackupConfig",
    "ChecksConfig",
    "Config",
    "DatabaseConfig",
    "PostgresConfig",
    "ReplicationConfig",
    "ReportsConfig",
    "RetentionConfig",
    "ServeConfig",
    "SystemConfig",
    "WatchConfig",
    "find_config_file",
    "load_config",
]

CONFIG_FILE_NAME = "dbguard.toml"
CONFIG_ENV_VAR = "DBGUARD_CONFIG"


@dataclass(frozen=True)
class Config:
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    backup: BackupConfig = field(default_factory=BackupConfig)
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    checks: ChecksConfig = field(default_factory=ChecksConfig)
    system: SystemConfig = field(default_factory=SystemConfig)
    reports: ReportsConfig = field(default_factory=ReportsConfig)
    postgres: PostgresConfig = field(default_factory=PostgresConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    analysts: AnalystsConfig = field(default_factory=AnalystsConfig)
    replication: ReplicationConfig = field(default_factory=ReplicationConfig)
    watch: WatchConfig = field(default_factory=WatchConfig)
    # The file this configuration came from, or None for the defaults.
    source: Path | None = None
    # The file names the live database ([database] path or url) and no --db replaced it: that
    # database was promised to exist, so its loss is a critical finding, not an input error.
    database_named: bool = False

    def secrets(self) -> list[str]:
        """Every secret this configuration holds, for `mask_secrets`: alert URLs' tokens and
        passwords, the serve token, the health URL (its password)."""
        return [
            *alerts_section.alert_secrets(self.alerts.urls),
            self.serve.token,
            self.system.health_url,
        ]

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

    def with_database(self, value: str | None) -> Config:
        """`--db`: a SQLite file path, or a PostgreSQL URL (then the URL replaces the path)."""
        if value is None:
            return self
        if is_url(value):
            url = database_url(value, "--db", password_allowed=True)
            database = dataclasses.replace(self.database, url=url)
        else:
            database = dataclasses.replace(
                self.database, path=Path(value).expanduser().resolve(), url=""
            )
        return dataclasses.replace(self, database=database, database_named=False)


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


def load_config(
    explicit: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> Config:
    """Read the configuration (see the module docstring for where from); $DBGUARD_ALERT_URLS
    and $DBGUARD_SERVE_TOKEN (from `environ`, default os.environ) are added to it."""
    path = find_config_file(explicit)
    data: dict[str, Any] = {}
    base, where = Path.cwd(), "defaults"
    if path is not None:
        base, where = path.parent, str(path)
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
    data = alerts_section.migrate_webhook_url(data, where)
    serve_section.refuse_empty_token(data, where)
    config = build(Config, data, base, where, skip=("source", "database_named"))
    environ = os.environ if environ is None else environ
    reports = config.reports
    if reports.prometheus_textfile:
        textfile = (base / Path(reports.prometheus_textfile).expanduser()).resolve()
        reports = dataclasses.replace(reports, prometheus_textfile=str(textfile))
    config = dataclasses.replace(
        config,
        reports=reports,
        alerts=alerts_section.with_environment(config.alerts, environ),
        serve=serve_section.with_environment(config.serve, environ),
    )
    check_consistency(config, where)
    alerts_section.require_apprise_urls(
        config.alerts, environ, where, record_folder=config.reports.history.parent
    )
    config = _with_file_url(config, data.get("database"), f"{where} [database] url")
    table = data.get("database")
    named = isinstance(table, dict) and bool(table.get("path") or table.get("url"))
    return dataclasses.replace(config, source=path, database_named=named)


def _with_file_url(config: Config, table: Any, where: str) -> Config:
    if not isinstance(table, dict) or not table.get("url"):
        return config
    if "path" in table:
        raise ConfigError(
            f"{where}: both path and url are set", "keep path for SQLite or url for PostgreSQL"
        )
    url = database_url(str(table["url"]), where, password_allowed=False)
    return dataclasses.replace(config, database=dataclasses.replace(config.database, url=url))
