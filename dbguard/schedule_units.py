"""The systemd units dbguard prints (`dbguard schedule --systemd`), each restarted by systemd
when it stops:

- `dbguard serve`: the monitor endpoints and the watcher (health every 30 s, the check when
  the data changed, the full check hourly: docs/watching.md), the alternative to the cron
  block's check and health lines on machines where systemd runs;
- `dbguard replicate` (with [replication]): continuous replication, whose cron fallback is
  the block's `@reboot` line (`dbguard.schedule`)."""

from __future__ import annotations

from pathlib import Path

from dbguard.config import Config
from dbguard.schedule import SYSTEMD_UNIT_NAME

SERVE_UNIT_NAME = "dbguard-serve.service"


def systemd_quote(value: str) -> str:
    """One argument of a systemd command line (`%` and `$` are systemd's specifiers)."""
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return quoted.replace("%", "%%").replace("$", "$$")


def render_serve_unit(config: Config, executable: Path) -> str:
    database = str(config.database.key).replace("%", "%%")
    return _render_unit(
        config,
        executable,
        "serve",
        SERVE_UNIT_NAME,
        notes=[
            "# It runs the quick health and the checks itself ([watch]): drop the cron",
            "# block's `check` and `health --quick` lines (keep backup, archive, report).",
        ],
        description=f"dbguard: watch {database} and serve /tools/monitor",
        environment=[
            "# Alert URLs and the serve token, mode 0600 (DBGUARD_ALERT_URLS=…,",
            "# DBGUARD_SERVE_TOKEN=…):",
            "# EnvironmentFile=/etc/dbguard/serve.env",
        ],
        # SIGTERM to serve: open requests finish, the running check tears down.
        stop_seconds=30,
    )


def render_systemd_unit(config: Config, executable: Path) -> str:
    """A systemd service running `dbguard replicate` for `config`, restarted when it stops."""
    database = str(config.database.path).replace("%", "%%")
    return _render_unit(
        config,
        executable,
        "replicate",
        SYSTEMD_UNIT_NAME,
        notes=[],
        description=f"dbguard: continuous replication of {database} (Litestream)",
        environment=[
            "# S3 credentials (LITESTREAM_ACCESS_KEY_ID=…, LITESTREAM_SECRET_ACCESS_KEY=…), mode 0600:",
            "# EnvironmentFile=/etc/dbguard/replication.env",
        ],
        # dbguard passes SIGTERM on; Litestream syncs what is left, then exits.
        stop_seconds=60,
    )


def _render_unit(
    config: Config,
    executable: Path,
    command: str,
    name: str,
    *,
    notes: list[str],
    description: str,
    environment: list[str],
    stop_seconds: int,
) -> str:
    folder = config.source.parent if config.source is not None else Path.cwd()
    arguments = [str(executable)]
    if config.source is not None:
        arguments += ["--config", str(config.source)]
    arguments.append(command)
    lines = [
        f"# {name}: save as /etc/systemd/system/{name}, then",
        f"#   systemctl daemon-reload && systemctl enable --now {name}",
        *notes,
        "[Unit]",
        f"Description={description}",
        "After=network-online.target",
        "Wants=network-online.target",
        "",
        "[Service]",
        "Type=simple",
        f"WorkingDirectory={str(folder).replace('%', '%%')}",
        f"ExecStart={' '.join(systemd_quote(argument) for argument in arguments)}",
        *environment,
        "Restart=always",
        "RestartSec=5",
        "KillMode=mixed",
        f"TimeoutStopSec={stop_seconds}",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
    ]
    return "\n".join(lines) + "\n"
