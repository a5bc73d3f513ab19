"""`dbguard incident diff`: what was lost, row by row, between a recovery point and live.

Prints per table the counts and the first rows of each kind; `--json` for scripts, `--out`
for a SQLite file with every deleted and changed row. The loss is recorded in the database's
incident. Live is only read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from dbguard.cli.incident.point_option import from_option
from dbguard.cli.options import command_config, db_option
from dbguard.errors import ExitCode

SAMPLE_ROWS = 5


@click.command(name="diff")
@db_option
@from_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output, with every key.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write every deleted and changed row, with all its columns, to this new SQLite file.",
)
@click.pass_context
def diff(
    context: click.Context, db: str | None, point: str | None, as_json: bool, out: str | None
) -> int:
    """Row by row, per table: what was deleted, changed and inserted since POINT."""
    from dbguard.cli.backup.database import sqlite_database
    from dbguard.incident.assess import assess_loss
    from dbguard.incident.point_input import point_file

    config = command_config(context, database__path=db)
    live = sqlite_database(config, "incident diff")
    with point_file(config, point, "incident diff") as chosen:
        result = assess_loss(
            config,
            live,
            chosen,
            sample=SAMPLE_ROWS,
            keys=as_json,
            out=Path(out).expanduser().resolve() if out else None,
        )
    if as_json:
        click.echo(json.dumps(result.diff.as_json(), indent=2, default=_plain, ensure_ascii=False))
    else:
        _print(result.diff, chosen.label)
        if out:
            click.echo(f"every deleted and changed row: {out}")
        if result.incident_id is not None:
            click.echo(f"loss recorded in incident {result.incident_id}")
    return int(ExitCode.OK)


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _print(result: Any, label: str) -> None:
    click.echo(f"from {label} to live {result.live}")
    if not result.tables and not result.drift:
        click.echo("no tables to compare")
    unchanged = [
        name
        for name, table in result.tables.items()
        if table.status == "diffed" and not any(table.counts.values())
    ]
    for name, table in result.tables.items():
        if name in unchanged:
            continue
        counts = table.counts
        status = {"dropped": " (dropped from live)", "new": " (new in live)"}.get(table.status, "")
        click.echo(
            f"{name}{status}: {counts['deleted']} deleted, {counts['changed']} changed,"
            f" {counts['inserted']} inserted (key: {', '.join(table.key) or '-'})"
        )
        for row in table.deleted_rows:
            click.echo(f"  deleted  {_row(row)}")
        for changed in table.changed_rows:
            changes = ", ".join(f"{c}: {b!r} -> {a!r}" for c, (b, a) in changed.changes.items())
            click.echo(f"  changed  {_row(changed.key)}: {changes}")
        for row in table.inserted_rows:
            click.echo(f"  inserted {_row(row)}")
        shown = len(table.deleted_rows) + len(table.changed_rows) + len(table.inserted_rows)
        if shown < sum(counts.values()):
            click.echo(f"  … the first {SAMPLE_ROWS} of each kind shown")
    for name, drift in result.drift.items():
        parts = [
            f"{what} {', '.join(columns)}"
            for what, columns in (
                ("added", drift.added),
                ("removed", drift.removed),
                ("retyped", drift.retyped),
            )
            if columns
        ]
        click.echo(f"{name}: schema drift, not compared row by row ({'; '.join(parts)})")
    if unchanged:
        click.echo(f"unchanged: {', '.join(unchanged)}")


def _row(row: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in row.items())
