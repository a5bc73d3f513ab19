"""`dbguard incident list`: the incidents of the database, newest first; `--json` for scripts."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

import click

from dbguard.cli.options import command_config, db_option
from dbguard.errors import ExitCode


@click.command(name="list")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def list_command(context: click.Context, db: str | None, as_json: bool) -> int:
    """Every incident: detected, closed, time to detect, time to repair, what failed."""
    from dbguard.history import open_history
    from dbguard.incident.listing import incident_rows

    config = command_config(context, database__path=db)
    path = config.reports.history
    rows: list[dict[str, Any]] = []
    if path.is_file():  # no history yet: no incident, and nothing to create
        rows = incident_rows(open_history(path), config.database.key, datetime.now(UTC))
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif not rows:
        click.echo(f"no incidents recorded for {config.database.key} in {path}")
    else:
        _print_table(rows)
    return int(ExitCode.OK)


def _local(text: str | None) -> str:
    return datetime.fromisoformat(text).astimezone().strftime("%Y-%m-%d %H:%M:%S") if text else ""


def _print_table(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 200)
    table = Table(
        "id",
        "status",
        "detected (local)",
        "closed (local)",
        "time to detect",
        "time to repair",
        "failed rules",
        "alerts",
        "restores/repairs",
    )
    for row in rows:
        rules = row["failed_rules"]
        named = ", ".join(rules[:2]) + (f" (+{len(rules) - 2})" if len(rules) > 2 else "")
        detect = row["time_to_detect"] if row["time_to_detect_seconds"] is not None else "–"
        repair = row["time_to_repair"] if row["closed_at"] else f"open ({row['open_for']})"
        table.add_row(
            str(row["id"]),
            row["status"].upper() if row["status"] == "open" else row["status"],
            _local(row["detected_at"]),
            _local(row["closed_at"]) or "–",
            detect,
            repair,
            named or "–",
            str(len(row["alerts"])),
            ", ".join(f"{a['kind']} {a['outcome']}" for a in row["actions"]) or "–",
        )
    console.print(table)
