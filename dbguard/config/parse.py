"""Building the Config dataclasses from a parsed TOML table: types checked, paths resolved
against the file's folder, thresholds checked for consistency."""

from __future__ import annotations

import dataclasses
from dataclasses import fields
from pathlib import Path
from typing import Any

from dbguard.config.alerts import check_alerts
from dbguard.config.replication import check_replication
from dbguard.config.serve import check_serve
from dbguard.config.spark import check_spark, parse_mapping
from dbguard.config.watch import check_watch
from dbguard.errors import ConfigError

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
    ("postgres", "connections_warning_percent", "connections_critical_percent"),
    ("postgres", "transaction_warning_seconds", "transaction_critical_seconds"),
    ("postgres", "standby_lag_warning_seconds", "standby_lag_critical_seconds"),
    ("replication", "lag_warning_seconds", "lag_critical_seconds"),
]


def check_consistency(config: Any, where: str) -> None:
    for section_name, warning_key, critical_key in THRESHOLD_PAIRS:
        section = getattr(config, section_name)
        warning, critical = getattr(section, warning_key), getattr(section, critical_key)
        if warning > critical:
            raise ConfigError(
                f"{warning_key} = {warning:g} in {where} [{section_name}] is above"
                f" {critical_key} = {critical:g}",
                "a warning threshold must not be beyond its critical one",
            )
    url = config.system.health_url
    if url and not url.lower().startswith(("http://", "https://")):
        raise ConfigError(
            f"health_url in {where} [system] is not an http(s) URL",
            'write health_url = "https://host/path", or leave it out',
        )
    textfile = config.reports.prometheus_textfile
    if textfile and not textfile.endswith(".prom"):
        raise ConfigError(
            f"prometheus_textfile in {where} [reports] does not end in .prom",
            "node_exporter's textfile collector reads only *.prom files",
        )
    check_alerts(config.alerts, where)
    check_serve(config.serve, where)
    check_watch(config.watch, where)
    check_spark(config.database.spark, where, postgres=bool(config.database.url))
    check_replication(config.replication, where, engine=config.database.engine)


def build(
    cls: type, data: dict[str, Any], base: Path, where: str, skip: tuple[str, ...] = ()
) -> Any:
    """Build dataclass `cls` from a TOML table, resolving paths against `base`; fields named in
    `skip` are not read from the file."""
    known = {f.name: f for f in fields(cls) if f.name not in skip}
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
            values[name] = build(type(default), table, base, f"{where} [{name}]")
            continue
        raw = data.get(name, default)
        values[name] = _coerce(raw, default, name, where, base)
    return cls(**values)


def _default_of(spec: dataclasses.Field[Any]) -> Any:
    if spec.default_factory is not dataclasses.MISSING:
        return spec.default_factory()
    return spec.default


def _coerce(raw: Any, default: Any, name: str, where: str, base: Path) -> Any:
    if raw is None:  # an optional setting left out (its default is None)
        return None
    if isinstance(default, dict):  # [database.spark]'s maps
        return parse_mapping(raw, name, where, base)
    if isinstance(default, Path) or default is None:  # None: an optional path
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
