"""`dbguard backup list`: every backup (time, age, size, last verification, retention tier), then
the safety copies beside the database, as their own kind. `--json` for scripts."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from dbguard.cli.backup.database import safety_copies_of
from dbguard.cli.backup.output import age, size
from dbguard.cli.backup.policy import retention_policy
from dbguard.cli.options import backup_dir_option, command_config, db_option
from dbguard.errors import ExitCode
from dbguard.incident.usable import describe

if TYPE_CHECKING:
    from backup.entry import BackupEntry
    from backup.inventory import Inventory
    from backup.safety_copies import SafetyCopy
    from dbguard.quality.verdict import Quality


@click.command(name="list")
@db_option
@backup_dir_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--verify",
    "verify_all",
    is_flag=True,
    help="Read every backup in full now (default: reuse the recorded result of unchanged files).",
)
@click.option(
    "--quality",
    "compute_quality",
    is_flag=True,
    help="Judge the data of every backup not judged yet (runs the suites; slower).",
)
@click.pass_context
def list_command(
    context: click.Context,
    db: str | None,
    backup_dir: str | None,
    as_json: bool,
    verify_all: bool,
    compute_quality: bool,
) -> int:
    """Every backup: time (local), age, size, last verification, data quality, retention tier;
    safety copies."""
    from backup.catalog import existing_backup_folder
    from backup.inventory import take_inventory
    from dbguard.incident.usable import listed_qualities

    config = command_config(context, database__path=db, backup__dir=backup_dir)
    existing_backup_folder(config.backup.dir)
    inventory = take_inventory(
        config.backup.dir,
        retention_policy(config),
        db_path=safety_copies_of(config),
        safety_copies_keep=config.backup.safety_copies_keep,
        verify="full" if verify_all else "recorded",
    )
    now = datetime.now(UTC)
    qualities = listed_qualities(config, inventory.backups, compute=compute_quality)
    rows = [_backup_row(entry, inventory, now, qualities) for entry in inventory.backups]
    copies = [_safety_copy_row(copy, inventory, now) for copy in _copies(inventory)]
    if as_json:
        click.echo(json.dumps(rows + copies, indent=2))
        return int(ExitCode.OK)
    _print_tables(rows, copies, str(config.backup.dir))
    return int(ExitCode.OK)


def _copies(inventory: Inventory) -> list[SafetyCopy]:
    decided = inventory.safety_copies
    return sorted(decided.keep + decided.drop, key=lambda copy: (copy.created_at, copy.number))


def _backup_row(
    entry: BackupEntry, inventory: Inventory, now: datetime, qualities: dict[str, Quality | None]
) -> dict[str, Any]:
    checked = entry.verified_at
    quality = qualities.get(entry.name)
    return {
        "kind": "backup",
        "name": entry.name,
        "path": str(entry.path),
        "created_at": entry.created_at.isoformat(),
        "local_time": _local(entry.created_at),
        "age": age(entry.created_at, now),
        "age_seconds": int((now - entry.created_at).total_seconds()),
        "size": entry.size,
        "tier": inventory.retention.tier(entry.name),
        "verified": bool(entry.verified),
        "problems": list(entry.problems),
        "verified_at": checked.isoformat() if checked else None,
        "verified_age": age(checked, now) if checked else None,
        # False: the recorded result of the unchanged file was reused, nothing was read.
        "reverified": entry.reverified,
        "row_counts": entry.manifest.row_counts if entry.manifest else None,
        # The data's verdict (dbguard.incident.usable), None: not checked.
        "quality": quality.to_json() if quality else None,
        "quality_text": describe(quality),
    }


def _safety_copy_row(copy: SafetyCopy, inventory: Inventory, now: datetime) -> dict[str, Any]:
    keep = inventory.safety_copies.keep_count
    pruned = copy in inventory.safety_copies.drop
    return {
        "kind": "safety-copy",
        "name": copy.name,
        "path": str(copy.path),
        "files": [str(path) for path in copy.files],
        "created_at": copy.created_at.isoformat(),
        "local_time": _local(copy.created_at),
        "age": age(copy.created_at, now),
        "age_seconds": int((now - copy.created_at).total_seconds()),
        "size": copy.size,
        "tier": f"beyond safety_copies_keep = {keep}: prune deletes it"
        if pruned
        else f"kept (newest {keep})",
        "pruned_by_next_prune": pruned,
    }


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _print_tables(rows: list[dict[str, Any]], copies: list[dict[str, Any]], folder: str) -> None:
    from rich.console import Console
    from rich.table import Table

    # Piped output is not cut to 80 columns.
    console = Console(width=None if sys.stdout.isatty() else 200)
    if not rows:
        click.echo(f"no backups in {folder}")
    else:
        table = Table("name", "time (local)", "age", "size", "verified", "quality", "tier")
        table.columns[0].no_wrap = True
        for row in rows:
            when = f"checked {row['verified_age']} ago" if row["verified_age"] else "not checked"
            status = "yes" if row["verified"] else "NO: " + "; ".join(row["problems"])
            table.add_row(
                row["name"],
                row["local_time"],
                row["age"],
                size(row["size"]),
                f"{status} ({when})",
                row["quality_text"],
                row["tier"],
            )
        console.print(table)
    if copies:
        table = Table("safety copy", "time (local)", "age", "size", "next prune")
        table.columns[0].no_wrap = True
        for row in copies:
            table.add_row(
                row["name"], row["local_time"], row["age"], size(row["size"]), row["tier"]
            )
        console.print(table)
