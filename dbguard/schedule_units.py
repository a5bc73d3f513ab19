"""The systemd unit for `dbguard serve`: the monitor endpoints and the watcher (health every
30 s, the check when the data changed, the full check hourly: docs/watching.md), restarted
by systemd when it stops. The alternative to the cron block's check and health lines on
machines where systemd runs (`dbguard.schedule` renders the cron block and the unit for
`dbguard replicate`)."""

from __future__ import annotations

from pathlib import Path

from dbguard.config import Config
from dbguard.schedule import systemd_quote

SERVE_UNIT_NAME = "dbguard-serve.service"


def render_serve_unit(config: Config, executable: Path) -> str:
    folder = config.source.parent if config.source is not None else Path.cwd()
    arguments = [str(executable)]
    if config.source is not None:
        arguments += ["--config", str(config.source)]
    arguments.append("serve")
    database = str(config.database.key).replace("%", "%%")
    return (
        "\n".join(
            [
                f"# {SERVE_UNIT_NAME}: save as /etc/systemd/system/{SERVE_UNIT_NAME}, then",
                f"#   systemctl daemon-reload && systemctl enable --now {SERVE_UNIT_NAME}",
                "# It runs the quick health and the checks itself ([watch]): drop the cron",
                "# block's `check` and `health --quick` lines (keep backup, archive, report).",
                "[Unit]",
                f"Description=dbguard: watch {database} and serve /tools/monitor",
                "After=network-online.target",
                "Wants=network-online.target",
                "",
                "[Service]",
                "Type=simple",
                f"WorkingDirectory={str(folder).replace('%', '%%')}",
                f"ExecStart={' '.join(systemd_quote(argument) for argument in arguments)}",
                "# Alert URLs and the serve token, mode 0600 (DBGUARD_ALERT_URLS=…,",
                "# DBGUARD_SERVE_TOKEN=…):",
                "# EnvironmentFile=/etc/dbguard/serve.env",
                "Restart=always",
                "RestartSec=5",
                # SIGTERM to serve: open requests finish, the running check tears down.
                "KillMode=mixed",
                "TimeoutStopSec=30",
                "",
                "[Install]",
                "WantedBy=multi-user.target",
            ]
        )
        + "\n"
    )
