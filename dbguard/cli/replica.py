"""`dbguard replica status [--json]`: what the replica holds, how far it trails, whether
Litestream runs. Reads the replica's files (or `litestream ltx` for S3); changes nothing.

It exits with `dbguard health`'s Nagios codes, so a monitor can run it as it is: 0 OK,
1 WARNING, 2 CRITICAL, 3 UNKNOWN (an error: bad configuration, no credentials, no
Litestream; see `dbguard.cli.main`)."""

from __future__ import annotations

import json

import click

from dbguard.cli.options import command_config, db_option


@click.group(name="replica", invoke_without_command=True)
@click.pass_context
def replica(context: click.Context) -> None:
    """The Litestream replica of the live database."""
    if context.invoked_subcommand is None:
        click.echo(context.get_help())


MIB = 1024 * 1024


def _local(iso: str | None) -> str:
    from datetime import datetime

    if iso is None:
        return "-"
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


@replica.command(name="status")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def status(context: click.Context, db: str | None, as_json: bool) -> int:
    """Newest replicated transaction and its time, lag, size, reach, and Litestream's process.
    Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (as `dbguard health`)."""
    from dbguard.health.nagios import nagios_code
    from dbguard.replication.status import replication_status
    from dbguard.rules.replication import replication_finding

    config = command_config(context, database__path=db)
    current = replication_status(config)
    finding = replication_finding(current.observation(), config.replication)
    data = current.as_dict(finding)
    code = int(nagios_code(finding.severity))
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return code
    running = data["running"]
    rows = [
        ("replica", data["replica"]),
        ("status", f"{data['severity'].upper()}: {data['observed']}"),
        ("newest transaction", f"{data['newest_txid'] or '-'} at {_local(data['newest_at'])}"),
        (
            "lag",
            "-"
            if data["lag_seconds"] is None
            else f"{data['lag_seconds']:.1f} s"
            f" (live database last written {_local(data['live_written_at'])})",
        ),
        (
            "size",
            "-"
            if data["size_bytes"] is None
            else f"{data['size_bytes'] / MIB:.2f} MiB in {data['files']} files",
        ),
        ("reaches back to", _local(data["reaches_back_to"])),
        (
            "litestream",
            "cannot tell (no /proc)"
            if running is None
            else f"running (pid {', '.join(map(str, data['pids']))})"
            if running
            else "not running",
        ),
    ]
    if data["error"]:
        rows.append(("error", data["error"]))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        click.echo(f"{name + ':':<{width + 2}}{value}")
    return code
